//! # otc-jobs-async
//!
//! The async client of otc-jobs, for the job APIs of Open Telekom Cloud (ModelArts
//! training and visualization jobs, DLI Flink jobs, MRS job executions), over
//! [reqwest](https://docs.rs/reqwest) (rustls by default, `native-tls` as a feature) and
//! tokio.
//!
//! It only prepares requests with [`otc_jobs_core`], sends them, and parses the answers
//! with the core; retries, IAM tokens, the size limit and tracing are driven by
//! [`otc_jobs_driver`], the same code as `otc-jobs-blocking`, so both clients behave
//! identically. Every setting is on [`ClientBuilder`] (from code, the environment variables
//! of [`ENV_VARS`], or `clouds.yaml`); errors are the core's [`Error`], the same type in
//! both clients.
//!
//! Lists are walked page by page as streams ([`Client::paginate`] for the items,
//! [`Client::pages`] for the pages) and deletions are waited for
//! ([`Client::wait_until_deleted`], [`Client::delete_and_wait`]) by the driver's
//! [`Paginator`](otc_jobs_driver::Paginator) and [`Waiter`](otc_jobs_driver::Waiter).
//!
//! ```
//! # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = Emulator::start(EmulatorConfig::default())?;
//! # emulator.seed(SeedJob::flink_job(148));
//! # let base_url = emulator.base_url();
//! use otc_jobs_async::Client;
//!
//! let client = Client::builder()
//!     .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY) // or Client::from_env()
//!     .project_id(DEFAULT_PROJECT_ID)
//!     .region("eu-de")
//!     .base_url(base_url) // an emulator; omit for the region's public endpoints
//!     .build()?;
//!
//! let deleted = client.delete_flink_job(148).await?;
//! assert_eq!(deleted.is_success, Some(true));
//!
//! // Deleting it again: the service says it is gone.
//! let again = client.delete_flink_job(148).await.unwrap_err();
//! assert!(again.is_not_found());
//! assert_eq!(again.code(), Some("DLI.0002"));
//! # Ok(())
//! # }
//! ```

// Where other crates' docs link to this one when it is not documented beside them (a
// cold `cargo doc --no-deps`); keep the version in step with Cargo.toml.
#![doc(html_root_url = "https://docs.rs/otc-jobs-async/0.1.0")]

mod kinds;
mod operations;
mod paging;
#[cfg(feature = "rustls")]
mod tls;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use otc_jobs_core::{BuildError, Operation, TransportErrorKind};
use otc_jobs_driver::{BodySink, Exchange, FromConfig, Jitter, Shared, Step};
use tracing::Instrument;

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

/// The async client. Cheap to clone (the connection pool, the token cache and the
/// configuration are shared); use one per process.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
    /// How many parents' lists a kind-table walk reads at once.
    list_parallelism: usize,
}

/// How many parents' lists (MRS clusters' job executions) [`Client::list_rows`] reads at
/// once by default: the tool's default `--parallelism`.
pub const DEFAULT_LIST_PARALLELISM: usize = 8;

#[derive(Debug)]
struct Inner {
    shared: Shared,
    /// The jitter of retries and waits: the driver draws nothing itself.
    jitter: Jitter,
    http: reqwest::Client,
}

impl Client {
    otc_jobs_driver::client_methods!(self.inner.shared; async await);

    /// The same client in another project: the same connection pool, credentials and
    /// settings, its own project id, token and adaptive rates. A project name resolves
    /// through IAM on first use, and its region is the one the name says (`eu-nl_ci` is in
    /// `eu-nl`; see [`Project::region`]); explicit endpoints (an emulator, a proxy) stay.
    /// Cheap: for a run over many projects, one client and a handle per project.
    ///
    /// ```
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// use otc_jobs_async::{Client, Project};
    /// use otc_jobs_async::otc_jobs_core::dli::DeleteFlinkJob;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    /// home.send(&DeleteFlinkJob::new(148)).await?;
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
                http: self.inner.http.clone(),
            }),
            list_parallelism: self.list_parallelism,
        }
    }

    /// The same client (cheap: everything shared), reading at most `parallelism` parents'
    /// lists at once in a kind-table walk of a kind with parents ([`Client::list_rows`] of
    /// `job-execution`: one page of each of that many clusters in flight; at least 1;
    /// default [`DEFAULT_LIST_PARALLELISM`]). The rows come out in the same order whatever
    /// the parallelism.
    ///
    /// ```
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// use otc_jobs_core::kinds::{Filters, Kind};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # for c in 0..4 { emulator.seed(SeedJob::job_execution_v2(format!("c{c}"), format!("j{c}"))); }
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// let filters = Filters::new(Kind::JobExecution);
    /// let one_by_one = client.with_list_parallelism(1).list_rows(&filters).await?;
    /// let four_at_once = client.with_list_parallelism(4).list_rows(&filters).await?;
    /// assert_eq!(one_by_one.rows, four_at_once.rows);
    /// assert_eq!(four_at_once.rows.len(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_list_parallelism(&self, parallelism: usize) -> Client {
        Client {
            list_parallelism: parallelism.max(1),
            ..self.clone()
        }
    }

    async fn send_impl<O>(&self, operation: &O) -> Result<O::Response, Error>
    where
        O: Operation + Sync,
        O::Response: Send,
    {
        let mut call = self.inner.shared.call(operation);
        let span = call.span().clone();
        async move {
            let mut answer = None;
            loop {
                match call.advance(answer.take(), SystemTime::now(), self.inner.jitter.draw()) {
                    Step::Send(exchange) => {
                        let span = exchange.span.clone();
                        answer = Some(self.exchange(exchange).instrument(span).await);
                    }
                    Step::Wait(wait) => tokio::time::sleep(wait).await,
                    Step::Done(result) => return result,
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Sends one request and reads its answer under the size limit.
    async fn exchange(&self, exchange: Exchange) -> Result<http::Response<Vec<u8>>, Error> {
        let request = reqwest::Request::try_from(exchange.request)
            .map_err(|e| Error::from(BuildError::InvalidUri(e.to_string())))?;
        let mut response = self.inner.http.execute(request).await.map_err(|e| {
            let kind = kind_of(&e);
            otc_jobs_driver::transport_error(kind, otc_jobs_driver::error_chain(&e))
        })?;
        let mut sink = BodySink::new(
            exchange.limit,
            response.status(),
            std::mem::take(response.headers_mut()),
        )?;
        while !sink.is_complete() {
            match response.chunk().await {
                Ok(Some(chunk)) => sink.push(&chunk)?,
                Ok(None) => break,
                Err(e) => {
                    return Err(sink.fail(kind_of(&e), otc_jobs_driver::error_chain(&e)));
                }
            }
        }
        Ok(sink.finish())
    }
}

/// What a reqwest failure means.
fn kind_of(error: &reqwest::Error) -> TransportErrorKind {
    if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        // A failed TLS handshake or a refused connection is a connect error to reqwest;
        // the I/O error inside says which.
        match otc_jobs_driver::chain_kind(error) {
            Some(kind @ (TransportErrorKind::Tls | TransportErrorKind::Refused)) => kind,
            _ => TransportErrorKind::Connect,
        }
    } else {
        // hyper reports a connection closed before (or while) answering without an
        // io::Error in its chain; treat anything unrecognised as closed.
        otc_jobs_driver::chain_kind(error).unwrap_or(TransportErrorKind::Closed)
    }
}

/// A seed for the jitter: the time the client is made, to the nanosecond.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
}

impl FromConfig for Client {
    fn from_config(config: Config) -> Result<Client, ConfigError> {
        let settings = config.transport();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            // Only the proxy configured (from HTTPS_PROXY or the builder), never another.
            .no_proxy();
        #[cfg(feature = "rustls")]
        {
            builder =
                builder.tls_backend_preconfigured(tls::client_config(&settings.root_certificates)?);
        }
        #[cfg(not(feature = "rustls"))]
        for pem in &settings.root_certificates {
            let certificate = reqwest::Certificate::from_pem(pem).map_err(|e| {
                ConfigError::new("ClientBuilder::root_certificate_pem", e.to_string())
            })?;
            builder = builder.tls_certs_merge([certificate]);
        }
        if let Some(proxy) = &settings.proxy {
            // The driver validated the URL; reqwest parses it again.
            let no_proxy = proxy.no_proxy().and_then(reqwest::NoProxy::from_string);
            let proxy = reqwest::Proxy::https(proxy.url())
                .map_err(|e| ConfigError::new(proxy.setting(), e.to_string()))?
                .no_proxy(no_proxy);
            builder = builder.proxy(proxy);
        }
        let http = builder.build().map_err(|e| {
            ConfigError::new(
                "ClientBuilder",
                format!("cannot set up the HTTP client: {e}"),
            )
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                shared: Shared::new(config),
                jitter: Jitter::new(clock_seed()),
                http,
            }),
            list_parallelism: DEFAULT_LIST_PARALLELISM,
        })
    }
}
