//! # otc-jobs-blocking
//!
//! The blocking client of otc-jobs, for the job APIs of Open Telekom Cloud (ModelArts
//! training and visualization jobs, DLI Flink jobs, MRS job executions), over
//! [ureq](https://docs.rs/ureq) 3 with rustls: for scripts, CLIs and build steps.
//!
//! It only prepares requests with [`otc_jobs_core`], sends them, and parses the answers
//! with the core; retries, IAM tokens, the size limit and tracing are driven by
//! [`otc_jobs_driver`], the same code as `otc-jobs-async`, so both clients behave
//! identically. Every setting is on [`ClientBuilder`] (from code, the environment variables
//! of [`ENV_VARS`], or `clouds.yaml`); errors are the core's [`Error`], the same type in
//! both clients. ureq never turns a 4xx/5xx answer into a transport error here: the core
//! judges every answer.
//!
//! Lists are walked page by page as iterators ([`Client::paginate`] for the items,
//! [`Client::pages`] for the pages) and deletions are waited for
//! ([`Client::wait_until_deleted`], [`Client::delete_and_wait`]) by the driver's
//! [`Paginator`](otc_jobs_driver::Paginator) and [`Waiter`](otc_jobs_driver::Waiter).
//!
//! ```
//! # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
//! # let emulator = Emulator::start(EmulatorConfig::default())?;
//! # emulator.seed(SeedJob::flink_job(148));
//! # let base_url = emulator.base_url();
//! use otc_jobs_blocking::Client;
//!
//! let client = Client::builder()
//!     .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY) // or Client::from_env()
//!     .project_id(DEFAULT_PROJECT_ID)
//!     .region("eu-de")
//!     .base_url(base_url) // an emulator; omit for the region's public endpoints
//!     .build()?;
//!
//! let deleted = client.delete_flink_job(148)?;
//! assert_eq!(deleted.is_success, Some(true));
//!
//! // Deleting it again: the service says it is gone.
//! let again = client.delete_flink_job(148).unwrap_err();
//! assert!(again.is_not_found());
//! assert_eq!(again.code(), Some("DLI.0002"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Logging: keep `ureq_proto` below TRACE
//!
//! The client logs nothing through `log` itself (it uses `tracing`, without secrets). But
//! ureq's protocol layer, with a `log` logger at TRACE, hex-dumps every request and answer
//! as sent, credentials included (`X-Auth-Token`, `X-Security-Token`, the IAM password and
//! the answer's `X-Subject-Token`); ureq has no feature to turn this off. Filter the
//! targets in [`SECRET_LOG_TARGETS`] below TRACE, e.g. `RUST_LOG=trace,ureq_proto=off`
//! with `env_logger`, or `.filter_module("ureq_proto", log::LevelFilter::Debug)`.

// Where other crates' docs link to this one when it is not documented beside them (a
// cold `cargo doc --no-deps`); keep the version in step with Cargo.toml.
#![doc(html_root_url = "https://docs.rs/otc-jobs-blocking/0.1.0")]

mod kinds;
mod operations;
mod paging;
mod resolver;

use std::io::Read;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use otc_jobs_core::{Operation, TransportErrorKind};
use otc_jobs_driver::{BodySink, Exchange, FromConfig, Jitter, Shared, Step};

pub use otc_jobs_core::auth::SignatureForm;
pub use otc_jobs_core::{self, ClientPolicy, Error, ErrorKind, PathId, RetryPolicy, Service};
// The builder and what its settings become, with their docs on this crate's pages: the
// implementation is the driver's, shared by both clients. `Client::builder()` gives a
// `ClientBuilder<Client>`.
#[doc(inline)]
pub use otc_jobs_driver::{
    AccountProject, Auth, ClientBuilder, Config, ConfigError, Deleted, ENV_VARS, EnvVar, Project,
    ProjectList, ProxyScheme, ProxySettings, TransportSettings, WaitOptions, WaitOutcome,
};
pub use paging::{Items, Pages, WindowItems};

/// The `log` targets (prefixes) that write secrets at TRACE level: ureq's protocol layer
/// dumps whole requests and answers. Keep them at DEBUG or below.
pub const SECRET_LOG_TARGETS: &[&str] = &["ureq_proto"];

/// The blocking client. Cheap to clone (the connection pool, the token cache and the
/// configuration are shared) and usable from several threads at once.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Shared,
    /// The jitter of retries and waits: the driver draws nothing itself.
    jitter: Jitter,
    /// For `http://` endpoints, and for everything when no proxy is set.
    direct: ureq::Agent,
    /// For `https://` endpoints when a proxy is set (as `HTTPS_PROXY` says).
    proxied: Option<ureq::Agent>,
}

/// How much of a body is read at a time, at most.
const CHUNK: usize = 16 * 1024;

/// The read buffer for an answer: as long as its `Content-Length` says (and one byte to see
/// the end), up to [`CHUNK`]. Most answers are a few dozen bytes, and `read` needs its
/// buffer zeroed: 16 KiB for each of them was the largest cost of a call after signing.
fn read_buffer(headers: &http::HeaderMap) -> Vec<u8> {
    let length = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    vec![0u8; length.map_or(CHUNK, |n| n.saturating_add(1).min(CHUNK))]
}

impl Client {
    otc_jobs_driver::client_methods!(self.inner.shared);

    /// The same client in another project: the same connection pool, credentials and
    /// settings, its own project id, token and adaptive rates. A project name resolves
    /// through IAM on first use, and its region is the one the name says (`eu-nl_ci` is in
    /// `eu-nl`; see [`Project::region`]); explicit endpoints (an emulator, a proxy) stay.
    /// Cheap: for a run over many projects, one client and a handle per project.
    ///
    /// ```
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// use otc_jobs_blocking::{Client, Project};
    /// use otc_jobs_blocking::otc_jobs_core::dli::DeleteFlinkJob;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # emulator.seed(SeedJob::flink_job(148));
    /// let client = Client::builder()
    ///     .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    ///     .project_id("a-project-of-the-account")
    ///     .region("eu-de")
    ///     .base_url(emulator.base_url())
    ///     .build()?;
    /// let home = client.for_project(Project::Id(DEFAULT_PROJECT_ID.into()));
    /// assert_eq!(home.config().project(), &Project::Id(DEFAULT_PROJECT_ID.into()));
    /// home.send(&DeleteFlinkJob::new(148))?;
    /// assert!(emulator.jobs().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_project(&self, project: Project) -> Client {
        self.with_shared(self.inner.shared.for_project(project))
    }

    /// The same client in another region, the project unchanged (for a project known by
    /// id whose region is known, e.g. from IAM's project list): each service at its
    /// region's default endpoint moves to `region`'s; explicit endpoints stay.
    pub fn in_region(&self, region: otc_jobs_core::Region) -> Client {
        self.with_shared(self.inner.shared.in_region(region))
    }

    fn with_shared(&self, shared: Shared) -> Client {
        Client {
            inner: Arc::new(Inner {
                shared,
                jitter: Jitter::new(clock_seed()),
                direct: self.inner.direct.clone(),
                proxied: self.inner.proxied.clone(),
            }),
        }
    }

    fn send_impl<O>(&self, operation: &O) -> Result<O::Response, Error>
    where
        O: Operation + Sync,
        O::Response: Send,
    {
        let mut call = self.inner.shared.call(operation);
        let span = call.span().clone();
        let _in_call = span.enter();
        let mut answer = None;
        loop {
            match call.advance(answer.take(), SystemTime::now(), self.inner.jitter.draw()) {
                Step::Send(exchange) => {
                    let span = exchange.span.clone();
                    let _in_attempt = span.enter();
                    answer = Some(self.exchange(exchange));
                }
                Step::Wait(wait) => std::thread::sleep(wait),
                Step::Done(result) => return result,
            }
        }
    }

    /// Sends one request and reads its answer under the size limit.
    fn exchange(&self, exchange: Exchange) -> Result<http::Response<Vec<u8>>, Error> {
        let agent = match (&self.inner.proxied, exchange.request.uri().scheme_str()) {
            (Some(proxied), Some("https")) => proxied,
            _ => &self.inner.direct,
        };
        let uri = exchange.request.uri().clone();
        let response = agent.run(exchange.request).map_err(|e| {
            let kind = kind_of(&e);
            let message = otc_jobs_driver::error_chain(&e);
            otc_jobs_driver::transport_error(kind, otc_jobs_driver::naming_host(&uri, message))
        })?;
        let (mut parts, body) = response.into_parts();
        let mut buffer = read_buffer(&parts.headers);
        let mut sink = BodySink::new(
            exchange.limit,
            parts.status,
            std::mem::take(&mut parts.headers),
        )?;
        let mut reader = body.into_reader();
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => return Ok(sink.finish()),
                Ok(n) => sink.push(&buffer[..n])?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let kind = read_kind(&e);
                    return Err(sink.fail(kind, otc_jobs_driver::error_chain(&e)));
                }
            }
        }
    }
}

/// What a ureq failure means.
fn kind_of(error: &ureq::Error) -> TransportErrorKind {
    match error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectProxyFailed(_) => TransportErrorKind::Connect,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => TransportErrorKind::Tls,
        // A failed handshake comes as an I/O error carrying rustls' error (see `io_kind`).
        ureq::Error::Io(e) => otc_jobs_driver::io_kind(e),
        // A connection closed before (or while) answering shows as a protocol error.
        ureq::Error::Protocol(_) => TransportErrorKind::Closed,
        _ => TransportErrorKind::Io,
    }
}

/// What a failure while reading a body means. ureq wraps its own error (a timeout among
/// them) in an I/O error of kind `Other`: judge the ureq error inside.
fn read_kind(error: &std::io::Error) -> TransportErrorKind {
    match error
        .get_ref()
        .and_then(|e| e.downcast_ref::<ureq::Error>())
    {
        Some(inner) => kind_of(inner),
        None => otc_jobs_driver::io_kind(error),
    }
}

fn agent(config: &Config, proxy: Option<ureq::Proxy>) -> Result<ureq::Agent, ConfigError> {
    let settings = config.transport();
    let mut tls = ureq::tls::TlsConfig::builder();
    if !settings.root_certificates.is_empty() {
        // ureq trusts either its built-in roots or a given set: give both.
        let mut roots: Vec<ureq::tls::Certificate<'static>> =
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
                .collect();
        for pem in &settings.root_certificates {
            let certificate = ureq::tls::Certificate::from_pem(pem).map_err(|e| {
                ConfigError::new("ClientBuilder::root_certificate_pem", e.to_string())
            })?;
            roots.push(certificate);
        }
        tls = tls.root_certs(ureq::tls::RootCerts::from(roots));
    }
    let agent_config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_connect(Some(settings.connect_timeout))
        .timeout_global(Some(settings.timeout))
        .tls_config(tls.build())
        .proxy(proxy)
        // The request carries the user agent the core (or the builder) set, and is signed
        // with it: ureq must not add its own.
        .user_agent(ureq::config::AutoHeaderValue::None)
        .accept(ureq::config::AutoHeaderValue::None)
        .build();
    // ureq's connector; a resolver that starts no thread per request (see `resolver`).
    Ok(ureq::Agent::with_parts(
        agent_config,
        ureq::unversioned::transport::DefaultConnector::default(),
        resolver::CachingResolver::default(),
    ))
}

/// The driver validated the proxy URL (scheme, host, numeric port, decoded credentials).
fn proxy(settings: &ProxySettings) -> Result<ureq::Proxy, ConfigError> {
    let protocol = match settings.scheme() {
        ProxyScheme::Https => ureq::ProxyProtocol::Https,
        _ => ureq::ProxyProtocol::Http,
    };
    // ureq writes the host into a URI: an IPv6 address needs its brackets back.
    let host = match settings.host() {
        v6 if v6.contains(':') => format!("[{v6}]"),
        name => name.to_owned(),
    };
    let mut builder = ureq::Proxy::builder(protocol)
        .host(&host)
        .port(settings.port());
    if let Some(user) = settings.username() {
        builder = builder.username(user);
    }
    if let Some(password) = settings.password() {
        builder = builder.password(password.expose());
    }
    for entry in settings.no_proxy().iter().flat_map(|n| n.split(',')) {
        let entry = entry.trim();
        if !entry.is_empty() {
            builder = builder.no_proxy(entry);
        }
    }
    builder
        .build()
        .map_err(|e| ConfigError::new(settings.setting(), format!("not a usable proxy URL: {e}")))
}

/// A seed for the jitter: the time the client is made, to the nanosecond.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
}

impl FromConfig for Client {
    fn from_config(config: Config) -> Result<Client, ConfigError> {
        let direct = agent(&config, None)?;
        let proxied = match &config.transport().proxy {
            Some(settings) => Some(agent(&config, Some(proxy(settings)?))?),
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                shared: Shared::new(config),
                jitter: Jitter::new(clock_seed()),
                direct,
                proxied,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_read_timeout_is_a_timeout() {
        // As ureq's body reader reports it: its own error inside an `Other` I/O error.
        let wrapped = std::io::Error::other(ureq::Error::Timeout(ureq::Timeout::Global));
        assert_eq!(read_kind(&wrapped), TransportErrorKind::Timeout);
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(read_kind(&reset), TransportErrorKind::Closed);
    }

    /// The read buffer fits a small answer that says its length, and never exceeds a
    /// chunk (a length that is missing, unreadable or huge gets a whole chunk).
    #[test]
    fn read_buffer_fits_the_announced_length() {
        let with = |value: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::CONTENT_LENGTH,
                http::HeaderValue::from_str(value).unwrap(),
            );
            read_buffer(&headers).len()
        };
        assert_eq!(with("0"), 1);
        assert_eq!(with("57"), 58);
        assert_eq!(with("1048576"), CHUNK);
        assert_eq!(with("18446744073709551615"), CHUNK);
        assert_eq!(with("12x"), CHUNK);
        assert_eq!(read_buffer(&http::HeaderMap::new()).len(), CHUNK);
    }
}
