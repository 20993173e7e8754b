//! The builder: the setters, each remembering its own name for errors.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use otc_jobs_core::auth::SignatureForm;
use otc_jobs_core::{ClientPolicy, RetryPolicy, Service};

use super::settings::{Settings, Value};
use super::{Config, ConfigError, FromConfig};

/// Builds a client: credentials, project, region, endpoints, timeouts, retries, size limit,
/// user agent, root certificates, proxy. The same for both clients:
/// `otc_jobs_async::ClientBuilder` and `otc_jobs_blocking::ClientBuilder` are this type.
///
/// Settings come from [`ClientBuilder::from_env`] (the `OS_*` variables and, with
/// `OS_CLOUD`, `clouds.yaml`) and from the setters, the last one winning; a credentials
/// setter replaces all credentials gathered before. [`ClientBuilder::build`] validates
/// everything and names the setting at fault.
///
/// ```
/// use otc_jobs_driver::{ClientBuilder, Config, ConfigError};
///
/// // Any client type can be built; `Config` itself shows what the settings became.
/// let config: Config = ClientBuilder::new()
///     .ak_sk("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq")
///     .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
///     .region("eu-de")
///     .build()?;
/// assert_eq!(config.endpoints().base_url(otc_jobs_core::Service::Dli).as_str(), "https://dli.eu-de.otc.t-systems.com");
///
/// let err = ClientBuilder::<Config>::new().ak_sk("AK", "SK").region("eu-de").build().err().unwrap();
/// assert_eq!(err.setting(), "OS_PROJECT_ID");
/// # Ok::<(), ConfigError>(())
/// ```
pub struct ClientBuilder<C> {
    pub(super) settings: Settings,
    error: Option<ConfigError>,
    client: PhantomData<fn() -> C>,
}

impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            settings: self.settings.clone(),
            error: self.error.clone(),
            client: PhantomData,
        }
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings hold secrets: show only what is safe.
        let s = &self.settings;
        f.debug_struct("ClientBuilder")
            .field("access_key", &s.access_key.as_ref().map(|v| &v.text))
            .field("username", &s.username.as_ref().map(|v| &v.text))
            .field("project_id", &s.project_id.as_ref().map(|v| &v.text))
            .field("project_name", &s.project_name.as_ref().map(|v| &v.text))
            .field("region", &s.region.as_ref().map(|v| &v.text))
            .field("policy", &s.policy)
            .finish_non_exhaustive()
    }
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

const BUILDER: &str = "ClientBuilder";

impl<C> ClientBuilder<C> {
    /// An empty builder: no credentials, no project, no region, default policy
    /// ([`ClientPolicy::default`]).
    pub fn new() -> ClientBuilder<C> {
        ClientBuilder {
            settings: Settings::default(),
            error: None,
            client: PhantomData,
        }
    }

    /// What the configuration read but will not use, for the program to show: each unknown
    /// key of the `clouds.yaml` cloud (a typo, most likely), with its file and line. Keys
    /// that other OpenStack tools read from the same file (`interface`,
    /// `identity_api_version`, …) are not listed.
    ///
    /// ```
    /// use otc_jobs_driver::ClientBuilder;
    /// let dir = std::env::temp_dir().join(format!("otc-jobs-warnings-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(
    ///     dir.join("clouds.yaml"),
    ///     "clouds:\n  otc:\n    region_nme: eu-de\n    interface: public\n",
    /// )?;
    /// let env = |name: &str| (name == "OS_CLOUD").then(|| "otc".to_owned());
    /// let builder = ClientBuilder::<()>::from_env_with(env, &[dir.clone()])?;
    /// let file = dir.join("clouds.yaml").display().to_string();
    /// assert_eq!(
    ///     builder.warnings(),
    ///     [format!("{file}:3: cloud \"otc\": unknown key region_nme (ignored)")]
    /// );
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warnings(&self) -> &[String] {
        &self.settings.warnings
    }

    fn set(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(&mut self.settings);
        self
    }

    fn text(field: &mut Option<Value>, text: impl Into<String>, method: &str) {
        *field = Some(Value {
            text: text.into(),
            from: format!("{BUILDER}::{method}"),
        });
    }

    /// Permanent AK/SK credentials (replacing any credentials set before).
    pub fn ak_sk(self, access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.set(|s| {
            s.clear_credentials();
            Self::text(&mut s.access_key, access_key, "ak_sk");
            Self::text(&mut s.secret_key, secret_key, "ak_sk");
        })
    }

    /// Temporary AK/SK credentials with their security token (replacing any credentials
    /// set before).
    pub fn temporary_ak_sk(
        self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        self.set(|s| {
            s.clear_credentials();
            Self::text(&mut s.access_key, access_key, "temporary_ak_sk");
            Self::text(&mut s.secret_key, secret_key, "temporary_ak_sk");
            Self::text(&mut s.security_token, security_token, "temporary_ak_sk");
        })
    }

    /// A fixed IAM token, sent as `X-Auth-Token` (replacing any credentials set before).
    /// It is not refreshed: use [`ClientBuilder::password`] for that.
    pub fn token(self, token: impl Into<String>) -> Self {
        self.set(|s| {
            s.clear_credentials();
            Self::text(&mut s.auth_token, token, "token");
        })
    }

    /// A password login (replacing any credentials set before): an IAM token is obtained
    /// on first use, cached, refreshed before it expires and once on a 401 `APIG.0307`.
    pub fn password(
        self,
        user_name: impl Into<String>,
        password: impl Into<String>,
        user_domain_name: impl Into<String>,
    ) -> Self {
        self.set(|s| {
            s.clear_credentials();
            Self::text(&mut s.username, user_name, "password");
            Self::text(&mut s.password, password, "password");
            Self::text(&mut s.user_domain_name, user_domain_name, "password");
        })
    }

    /// The project id requests act in.
    pub fn project_id(self, project_id: impl Into<String>) -> Self {
        self.set(|s| Self::text(&mut s.project_id, project_id, "project_id"))
    }

    /// The project name (e.g. `eu-de_demo`); without a project id, the id is resolved
    /// through IAM (`GET /v3/projects?name=...`) on first use. Also gives the region
    /// when none is set.
    pub fn project_name(self, project_name: impl Into<String>) -> Self {
        self.set(|s| Self::text(&mut s.project_name, project_name, "project_name"))
    }

    /// The region (e.g. `eu-de`): it picks the default endpoints and the signing scope.
    pub fn region(self, region: impl Into<String>) -> Self {
        self.set(|s| Self::text(&mut s.region, region, "region"))
    }

    /// The identity endpoint, as in `OS_AUTH_URL` (a trailing `/v3` is accepted).
    pub fn auth_url(self, url: impl Into<String>) -> Self {
        self.set(|s| Self::text(&mut s.auth_url, url, "auth_url"))
    }

    /// Sends requests for `service` to `base_url` instead of the region's endpoint (the
    /// environment's `OS_<SERVICE>_ENDPOINT_OVERRIDE`, see [`ENV_VARS`](crate::ENV_VARS)).
    pub fn endpoint(self, service: Service, base_url: impl Into<String>) -> Self {
        self.set(|s| {
            let value = Value {
                text: base_url.into(),
                from: format!("{BUILDER}::endpoint({service})"),
            };
            s.endpoints.push((Some(service), value));
        })
    }

    /// Sends requests for every service (IAM included) to `base_url`: an emulator, a
    /// gateway. Later [`ClientBuilder::endpoint`] calls still override single services.
    /// It replaces [`ClientBuilder::region`]: without one, the region is `eu-de`, which
    /// then only names the signing scope of [`SignatureForm::DerivedKey`]. The
    /// environment's `OS_ENDPOINT_OVERRIDE` sets the same.
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        self.set(|s| {
            let value = Value {
                text: base_url.into(),
                from: format!("{BUILDER}::base_url"),
            };
            s.endpoints.push((None, value));
        })
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.set(|s| s.policy.connect_timeout = timeout)
    }

    /// How long one attempt may take, from sending to the last byte of the answer
    /// (default 60 s). An attempt that takes longer fails with a timeout, not retried.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.set(|s| s.policy.timeout = timeout)
    }

    /// Attempts, backoff base and cap (default 4 attempts, 200 ms, 20 s).
    /// [`RetryPolicy::NONE`] never retries.
    pub fn retry(self, retry: RetryPolicy) -> Self {
        self.set(|s| s.policy.retry = retry)
    }

    /// The largest answer body accepted (default 10 MiB); a larger one fails with
    /// `ResponseErrorKind::TooLarge` without being buffered.
    pub fn max_response_bytes(self, limit: u64) -> Self {
        self.set(|s| s.policy.max_response_bytes = limit)
    }

    /// Refresh an IAM token this long before it expires (default 5 minutes).
    pub fn token_refresh_margin(self, margin: Duration) -> Self {
        self.set(|s| s.policy.token_refresh_margin_seconds = margin.as_secs())
    }

    /// Whether a throttled answer (429, `APIG.0308`) is retried inside the call after its
    /// `Retry-After` (the default, `true`); `false` returns it at once, for a caller that
    /// paces many calls itself and slows them all down together.
    ///
    /// ```
    /// use otc_jobs_driver::{ClientBuilder, Config};
    /// let config = ClientBuilder::<Config>::new()
    ///     .ak_sk("AK", "SK")
    ///     .project_id("p")
    ///     .region("eu-de")
    ///     .retry_throttled(false)
    ///     .config()?;
    /// assert!(!config.policy().retry_throttled);
    /// # Ok::<(), otc_jobs_driver::ConfigError>(())
    /// ```
    pub fn retry_throttled(self, retry: bool) -> Self {
        self.set(|s| s.policy.retry_throttled = retry)
    }

    /// Paces the calls to each service by an adaptive rate that finds the API gateway's
    /// limit by itself (default off): no limit until the first 429, then the rate is cut to
    /// 0.7 of what got through and grows back along a cubic curve, shared by every call of
    /// the client to that service ([`AdaptiveRate`](crate::AdaptiveRate)). A `Retry-After`
    /// pauses every call to the service.
    ///
    /// ```
    /// use otc_jobs_driver::{ClientBuilder, Config};
    /// let config = ClientBuilder::<Config>::new()
    ///     .ak_sk("AK", "SK")
    ///     .project_id("p")
    ///     .region("eu-de")
    ///     .adaptive_rate(true)
    ///     .config()?;
    /// assert!(config.policy().adaptive_rate);
    /// # Ok::<(), otc_jobs_driver::ConfigError>(())
    /// ```
    pub fn adaptive_rate(self, on: bool) -> Self {
        self.set(|s| s.policy.adaptive_rate = on)
    }

    /// The whole transport policy at once (timeouts, retries, size limit).
    pub fn policy(self, policy: ClientPolicy) -> Self {
        self.set(|s| {
            s.policy = ClientPolicy {
                follow_redirects: false,
                ..policy
            }
        })
    }

    /// The `User-Agent` header (default `otc-jobs/VERSION`).
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        self.set(|s| Self::text(&mut s.user_agent, user_agent, "user_agent"))
    }

    /// The AK/SK signature form (default [`SignatureForm::Access`]).
    pub fn signature_form(self, form: SignatureForm) -> Self {
        self.set(|s| s.signature_form = form)
    }

    /// Trusts a root certificate (PEM) besides the built-in ones.
    pub fn root_certificate_pem(self, pem: impl Into<Vec<u8>>) -> Self {
        self.set(|s| s.root_certificates.push(pem.into()))
    }

    /// Sends requests through the proxy at `url`, except to hosts in `no_proxy`
    /// (`NO_PROXY` syntax). [`ClientBuilder::from_env`] reads `HTTPS_PROXY` and `NO_PROXY`.
    pub fn proxy(self, url: impl Into<String>, no_proxy: Option<String>) -> Self {
        self.set(|s| {
            let url = Value {
                text: url.into(),
                from: format!("{BUILDER}::proxy"),
            };
            s.proxy = Some((url, no_proxy));
        })
    }

    /// Sends requests directly, ignoring `HTTPS_PROXY`.
    pub fn no_proxy(self) -> Self {
        self.set(|s| s.proxy = None)
    }

    /// Validates the settings into a [`Config`], naming the setting at fault.
    pub fn config(&self) -> Result<Config, ConfigError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.settings.resolve()
    }
}

impl<C: FromConfig> ClientBuilder<C> {
    /// Validates the settings and sets up the client. No request is sent: tokens and
    /// project ids are obtained on first use.
    pub fn build(&self) -> Result<C, ConfigError> {
        C::from_config(self.config()?)
    }
}
