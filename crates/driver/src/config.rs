//! Client configuration, written once for both clients: the builder, the environment
//! (`OS_*` variables), `clouds.yaml`, and the validation that turns them into a [`Config`].

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::HeaderValue;
use otc_jobs_core::auth::iam::PasswordLogin;
use otc_jobs_core::auth::{AkSk, Credentials, SecretString, SignatureForm};
use otc_jobs_core::{BaseUrl, ClientPolicy, Endpoints, Region, RetryPolicy, Service};

use crate::clouds;

/// A setting that is missing, malformed or contradicts another one. Its text names the
/// setting (`OS_SECRET_KEY`, `clouds.yaml cloud "otc": auth.sk`, `ClientBuilder::timeout`, …)
/// and never shows a secret.
///
/// ```
/// use otc_jobs_driver::ConfigError;
/// let e = ConfigError::new("OS_SECRET_KEY", "missing (OS_ACCESS_KEY is set)");
/// assert_eq!(e.to_string(), "OS_SECRET_KEY: missing (OS_ACCESS_KEY is set)");
/// assert_eq!(e.setting(), "OS_SECRET_KEY");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: String,
    problem: String,
}

impl ConfigError {
    /// A problem with `setting`.
    pub fn new(setting: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            problem: problem.into(),
        }
    }

    /// The setting at fault (an environment variable, a `clouds.yaml` key, or a builder
    /// method).
    pub fn setting(&self) -> &str {
        &self.setting
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Fixed credentials: AK/SK (permanent or temporary) or an IAM token.
    Fixed(Credentials),
    /// A password login: an IAM token is obtained, cached, refreshed before it expires
    /// and once on a 401 `APIG.0307`.
    Password(PasswordLogin),
}

/// The project requests act in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// Known by id.
    Id(String),
    /// Known by name (e.g. `eu-de_demo`); its id is resolved through IAM on first use.
    Name(String),
}

/// The proxy requests go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySettings {
    /// The proxy URL, e.g. `http://proxy.example:3128`.
    pub url: String,
    /// Hosts that bypass the proxy, in `NO_PROXY` syntax (comma separated).
    pub no_proxy: Option<String>,
}

/// What the HTTP client itself must be set up with (the rest is done by the driver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSettings {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one attempt may take, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Extra root certificates (PEM), trusted besides the built-in roots.
    pub root_certificates: Vec<Vec<u8>>,
    /// The proxy, if any.
    pub proxy: Option<ProxySettings>,
    /// Always `false`: redirects are never followed.
    pub follow_redirects: bool,
}

/// A complete, validated configuration. Made by [`ClientBuilder`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) auth: Auth,
    pub(crate) project: Project,
    pub(crate) endpoints: Endpoints,
    pub(crate) policy: ClientPolicy,
    pub(crate) signature_form: SignatureForm,
    pub(crate) user_agent: Option<HeaderValue>,
    pub(crate) transport: TransportSettings,
}

impl Config {
    /// How the client authenticates.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Where each service is reached.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Timeouts, retries, size limit, redirects.
    pub fn policy(&self) -> &ClientPolicy {
        &self.policy
    }

    /// What the HTTP client must be set up with.
    pub fn transport(&self) -> &TransportSettings {
        &self.transport
    }
}

/// Turns a [`Config`] into a client; implemented by `otc_jobs_async::Client` and
/// `otc_jobs_blocking::Client`.
pub trait FromConfig: Sized {
    /// Sets up the HTTP client. Fails only on transport settings (a root certificate
    /// that is not PEM, a proxy URL the HTTP library rejects).
    fn from_config(config: Config) -> Result<Self, ConfigError>;
}

/// A builder can build the validated [`Config`] itself: to check settings without a
/// client (`ClientBuilder::<Config>::from_env()?.build()`).
impl FromConfig for Config {
    fn from_config(config: Config) -> Result<Config, ConfigError> {
        Ok(config)
    }
}

/// One textual setting and where it came from.
#[derive(Clone)]
pub(crate) struct Value {
    text: String,
    from: String,
}

impl Value {
    fn secret(&self) -> SecretString {
        SecretString::new(self.text.clone())
    }
}

/// Every setting, as gathered before validation.
#[derive(Clone, Default)]
pub(crate) struct Settings {
    pub(crate) access_key: Option<Value>,
    pub(crate) secret_key: Option<Value>,
    pub(crate) security_token: Option<Value>,
    pub(crate) auth_token: Option<Value>,
    pub(crate) username: Option<Value>,
    pub(crate) password: Option<Value>,
    pub(crate) user_domain_name: Option<Value>,
    pub(crate) project_id: Option<Value>,
    pub(crate) project_name: Option<Value>,
    pub(crate) region: Option<Value>,
    pub(crate) auth_url: Option<Value>,
    endpoints: Vec<(Option<Service>, Value)>,
    policy: ClientPolicy,
    signature_form: SignatureForm,
    user_agent: Option<Value>,
    root_certificates: Vec<Vec<u8>>,
    proxy: Option<ProxySettings>,
}

impl Settings {
    /// Sets `field` from `text` (ignoring empty text), remembering the source.
    pub(crate) fn put(field: &mut Option<Value>, text: Option<String>, from: impl Into<String>) {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            *field = Some(Value {
                text: text.trim().to_owned(),
                from: from.into(),
            });
        }
    }

    fn clear_credentials(&mut self) {
        for field in [
            &mut self.access_key,
            &mut self.secret_key,
            &mut self.security_token,
            &mut self.auth_token,
            &mut self.username,
            &mut self.password,
            &mut self.user_domain_name,
        ] {
            *field = None;
        }
    }

    fn resolve(&self) -> Result<Config, ConfigError> {
        let auth = self.auth()?;
        let project = match (&self.project_id, &self.project_name) {
            (Some(id), _) => Project::Id(id.text.clone()),
            (None, Some(name)) => Project::Name(name.text.clone()),
            (None, None) => {
                return Err(ConfigError::new(
                    "OS_PROJECT_ID",
                    "missing: set a project id (or a project name, OS_PROJECT_NAME)",
                ));
            }
        };
        if let Project::Id(id) = &project
            && (matches!(id.as_str(), "." | "..") || HeaderValue::from_str(id).is_err())
        {
            return Err(self.bad(&self.project_id, "OS_PROJECT_ID", "not a valid project id"));
        }
        let region = match (&self.region, &self.project_name) {
            (Some(region), _) => Region::new(region.text.clone()),
            // OTC project names start with their region: `eu-de`, `eu-de_demo`.
            (None, Some(name)) => {
                Region::new(name.text.split('_').next().unwrap_or_default().to_owned())
            }
            (None, None) => {
                return Err(ConfigError::new(
                    "OS_REGION_NAME",
                    "missing: set the region (e.g. eu-de)",
                ));
            }
        };
        let mut endpoints = Endpoints::new(region.clone());
        if let Some(url) = &self.auth_url {
            // OS_AUTH_URL names the identity API (`https://iam.eu-de.otc.t-systems.com/v3`).
            let text = url.text.trim_end_matches('/');
            let text = text.strip_suffix("/v3").unwrap_or(text);
            let base = BaseUrl::parse(text)
                .map_err(|e| ConfigError::new(url.from.clone(), e.to_string()))?;
            endpoints = endpoints.with_override(Service::Iam, base);
        }
        for (service, url) in &self.endpoints {
            let base = BaseUrl::parse(&url.text)
                .map_err(|e| ConfigError::new(url.from.clone(), e.to_string()))?;
            endpoints = match service {
                Some(service) => endpoints.with_override(*service, base),
                None => Endpoints::all_at(region.clone(), base),
            };
        }
        let policy = self.policy;
        let retry = policy.retry;
        if retry.max_attempts == 0 {
            return Err(ConfigError::new(
                "ClientBuilder::retry",
                "max_attempts must be at least 1",
            ));
        }
        if retry.base > retry.cap {
            return Err(ConfigError::new(
                "ClientBuilder::retry",
                "base must not exceed cap",
            ));
        }
        if policy.timeout.is_zero() {
            return Err(ConfigError::new(
                "ClientBuilder::timeout",
                "must be more than zero",
            ));
        }
        if policy.connect_timeout.is_zero() {
            return Err(ConfigError::new(
                "ClientBuilder::connect_timeout",
                "must be more than zero",
            ));
        }
        if policy.max_response_bytes == 0 {
            return Err(ConfigError::new(
                "ClientBuilder::max_response_bytes",
                "must be more than zero",
            ));
        }
        let user_agent =
            match &self.user_agent {
                Some(ua) => Some(HeaderValue::from_str(&ua.text).map_err(|_| {
                    ConfigError::new(ua.from.clone(), "not valid in an HTTP header")
                })?),
                None => None,
            };
        Ok(Config {
            auth,
            project,
            endpoints,
            policy,
            signature_form: self.signature_form,
            user_agent,
            transport: TransportSettings {
                connect_timeout: policy.connect_timeout,
                timeout: policy.timeout,
                root_certificates: self.root_certificates.clone(),
                proxy: self.proxy.clone(),
                follow_redirects: false,
            },
        })
    }

    fn bad(&self, value: &Option<Value>, default: &str, problem: &str) -> ConfigError {
        let setting = value.as_ref().map_or(default, |v| v.from.as_str());
        ConfigError::new(setting, problem)
    }

    fn auth(&self) -> Result<Auth, ConfigError> {
        let missing = |name: &str, because: &Value| {
            ConfigError::new(name, format!("missing ({} is set)", because.from))
        };
        let aksk = match (&self.access_key, &self.secret_key) {
            (Some(ak), Some(sk)) => Some(match &self.security_token {
                Some(token) => AkSk::temporary(ak.text.clone(), sk.secret(), token.secret()),
                None => AkSk::new(ak.text.clone(), sk.secret()),
            }),
            (Some(ak), None) => return Err(missing("OS_SECRET_KEY", ak)),
            (None, Some(sk)) => return Err(missing("OS_ACCESS_KEY", sk)),
            (None, None) => {
                if let Some(token) = &self.security_token {
                    return Err(missing("OS_ACCESS_KEY", token));
                }
                None
            }
        };
        let password = match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                let domain = self
                    .user_domain_name
                    .as_ref()
                    .ok_or_else(|| missing("OS_USER_DOMAIN_NAME", user))?;
                Some(PasswordLogin {
                    user_name: user.text.clone(),
                    password: password.secret(),
                    domain_name: domain.text.clone(),
                })
            }
            (Some(user), None) => return Err(missing("OS_PASSWORD", user)),
            (None, Some(password)) => return Err(missing("OS_USERNAME", password)),
            (None, None) => None,
        };
        let chosen: Vec<&str> = [
            aksk.as_ref().and(self.access_key.as_ref()),
            self.auth_token.as_ref(),
            password.as_ref().and(self.username.as_ref()),
        ]
        .into_iter()
        .flatten()
        .map(|v| v.from.as_str())
        .collect();
        if let [first, second, ..] = chosen.as_slice() {
            return Err(ConfigError::new(
                *second,
                format!(
                    "contradicts {first}: set one kind of credentials (AK/SK, a token, or a password)"
                ),
            ));
        }
        if let Some(keys) = aksk {
            return Ok(Auth::Fixed(Credentials::AkSk(keys)));
        }
        if let Some(token) = &self.auth_token {
            return Ok(Auth::Fixed(Credentials::Token(token.secret())));
        }
        if let Some(login) = password {
            return Ok(Auth::Password(login));
        }
        Err(ConfigError::new(
            "OS_ACCESS_KEY",
            "no credentials: set OS_ACCESS_KEY and OS_SECRET_KEY, or OS_AUTH_TOKEN, or OS_USERNAME, OS_PASSWORD and OS_USER_DOMAIN_NAME",
        ))
    }
}

/// The environment variables read by [`ClientBuilder::from_env`], with the settings they fill.
pub const ENV_VARS: &[&str] = &[
    "OS_ACCESS_KEY",
    "OS_SECRET_KEY",
    "OS_SECURITY_TOKEN",
    "OS_AUTH_TOKEN",
    "OS_USERNAME",
    "OS_PASSWORD",
    "OS_USER_DOMAIN_NAME",
    "OS_PROJECT_ID",
    "OS_PROJECT_NAME",
    "OS_REGION_NAME",
    "OS_AUTH_URL",
];

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
    settings: Settings,
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

    /// A builder filled from the process environment: `clouds.yaml` first when `OS_CLOUD`
    /// is set (looked up in `./`, `~/.config/openstack/`, `/etc/openstack/`), with the
    /// first `secure.yaml` found there over it (same layout, for the secrets), then the
    /// `OS_*` variables of [`ENV_VARS`] over both. Fails when `OS_CLOUD` names a cloud no
    /// `clouds.yaml` has, or a `clouds.yaml` cannot be read.
    pub fn from_env() -> Result<ClientBuilder<C>, ConfigError> {
        ClientBuilder::from_env_with(
            |name| std::env::var(name).ok(),
            &clouds::default_search_paths(),
        )
    }

    /// Like [`ClientBuilder::from_env`], reading variables through `env` and looking for
    /// `clouds.yaml` in `dirs` (for tests and embedding).
    ///
    /// ```
    /// use otc_jobs_driver::{ClientBuilder, Config, ConfigError};
    /// let env = |name: &str| match name {
    ///     "OS_ACCESS_KEY" => Some("AK".to_owned()),
    ///     "OS_PROJECT_NAME" => Some("eu-nl_demo".to_owned()),
    ///     _ => None,
    /// };
    /// let err = ClientBuilder::<Config>::from_env_with(env, &[])?.build().err().unwrap();
    /// assert_eq!(err.to_string(), "OS_SECRET_KEY: missing (OS_ACCESS_KEY is set)");
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn from_env_with(
        env: impl Fn(&str) -> Option<String>,
        dirs: &[PathBuf],
    ) -> Result<ClientBuilder<C>, ConfigError> {
        let mut builder = ClientBuilder::new();
        if let Some(cloud) = env("OS_CLOUD").filter(|c| !c.is_empty()) {
            let path = clouds::find(dirs).ok_or_else(|| {
                ConfigError::new(
                    "OS_CLOUD",
                    format!(
                        "{cloud:?} is set but no clouds.yaml was found in {}",
                        clouds::show(dirs)
                    ),
                )
            })?;
            clouds::load(&mut builder.settings, &path, &cloud)?;
            if let Some(secure) = clouds::find_secure(dirs) {
                clouds::load_secure(&mut builder.settings, &secure, &cloud)?;
            }
        }
        let s = &mut builder.settings;
        for (field, name) in [
            (&mut s.access_key, "OS_ACCESS_KEY"),
            (&mut s.secret_key, "OS_SECRET_KEY"),
            (&mut s.security_token, "OS_SECURITY_TOKEN"),
            (&mut s.auth_token, "OS_AUTH_TOKEN"),
            (&mut s.username, "OS_USERNAME"),
            (&mut s.password, "OS_PASSWORD"),
            (&mut s.user_domain_name, "OS_USER_DOMAIN_NAME"),
            (&mut s.project_id, "OS_PROJECT_ID"),
            (&mut s.project_name, "OS_PROJECT_NAME"),
            (&mut s.region, "OS_REGION_NAME"),
            (&mut s.auth_url, "OS_AUTH_URL"),
        ] {
            Settings::put(field, env(name), name);
        }
        if let Some(url) = env("HTTPS_PROXY")
            .or_else(|| env("https_proxy"))
            .filter(|u| !u.trim().is_empty())
        {
            s.proxy = Some(ProxySettings {
                url: url.trim().to_owned(),
                no_proxy: env("NO_PROXY")
                    .or_else(|| env("no_proxy"))
                    .filter(|n| !n.trim().is_empty()),
            });
        }
        Ok(builder)
    }

    /// A builder filled from the cloud `cloud` of the `clouds.yaml` at `path`.
    pub fn from_clouds_yaml(
        path: impl AsRef<Path>,
        cloud: &str,
    ) -> Result<ClientBuilder<C>, ConfigError> {
        let mut builder = ClientBuilder::new();
        clouds::load(&mut builder.settings, path.as_ref(), cloud)?;
        Ok(builder)
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

    /// Sends requests for `service` to `base_url` instead of the region's endpoint.
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
            s.proxy = Some(ProxySettings {
                url: url.into(),
                no_proxy,
            });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn from(vars: &'static [(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        ClientBuilder::<Config>::from_env_with(env_of(vars), &[])?.build()
    }

    #[test]
    fn aksk_from_env() {
        let c = from(&[
            ("OS_ACCESS_KEY", "AK"),
            ("OS_SECRET_KEY", "SK"),
            ("OS_SECURITY_TOKEN", "ST"),
            ("OS_PROJECT_ID", "p1"),
            ("OS_REGION_NAME", "eu-nl"),
        ])
        .unwrap();
        let Auth::Fixed(Credentials::AkSk(keys)) = c.auth() else {
            panic!("{:?}", c.auth())
        };
        assert_eq!(keys.security_token().map(|t| t.expose()), Some("ST"));
        assert_eq!(c.project(), &Project::Id("p1".into()));
        assert_eq!(c.endpoints().region().as_str(), "eu-nl");
    }

    #[test]
    fn password_with_project_name_gives_region() {
        let c = from(&[
            ("OS_USERNAME", "alice"),
            ("OS_PASSWORD", "pw"),
            ("OS_USER_DOMAIN_NAME", "OTC-EU-DE-1"),
            ("OS_PROJECT_NAME", "eu-de_demo"),
            ("OS_AUTH_URL", "https://iam.example.test:443/v3/"),
        ])
        .unwrap();
        assert!(matches!(c.auth(), Auth::Password(l) if l.user_name == "alice"));
        assert_eq!(c.project(), &Project::Name("eu-de_demo".into()));
        assert_eq!(c.endpoints().region().as_str(), "eu-de");
        assert_eq!(
            c.endpoints().base_url(Service::Iam).as_str(),
            "https://iam.example.test:443"
        );
    }

    #[test]
    fn errors_name_the_setting() {
        let e = |vars| from(vars).err().unwrap().to_string();
        assert_eq!(
            e(&[
                ("OS_USERNAME", "a"),
                ("OS_PASSWORD", "b"),
                ("OS_PROJECT_ID", "p")
            ]),
            "OS_USER_DOMAIN_NAME: missing (OS_USERNAME is set)"
        );
        assert_eq!(
            e(&[("OS_SECRET_KEY", "s")]),
            "OS_ACCESS_KEY: missing (OS_SECRET_KEY is set)"
        );
        assert!(e(&[("OS_PROJECT_ID", "p")]).starts_with("OS_ACCESS_KEY: no credentials"));
        assert_eq!(
            e(&[
                ("OS_ACCESS_KEY", "a"),
                ("OS_SECRET_KEY", "b"),
                ("OS_AUTH_TOKEN", "t"),
                ("OS_PROJECT_ID", "p")
            ]),
            "OS_AUTH_TOKEN: contradicts OS_ACCESS_KEY: set one kind of credentials (AK/SK, a token, or a password)"
        );
        assert_eq!(
            e(&[("OS_AUTH_TOKEN", "t"), ("OS_PROJECT_ID", "p")]),
            "OS_REGION_NAME: missing: set the region (e.g. eu-de)"
        );
        assert_eq!(
            e(&[
                ("OS_AUTH_TOKEN", "t"),
                ("OS_PROJECT_ID", "p"),
                ("OS_REGION_NAME", "eu-de"),
                ("OS_AUTH_URL", "ftp://x")
            ]),
            "OS_AUTH_URL: invalid endpoint \"ftp://x\": the scheme must be http or https"
        );
        let e = ClientBuilder::<Config>::new()
            .token("t")
            .project_id("p")
            .region("eu-de")
            .retry(RetryPolicy {
                max_attempts: 0,
                ..RetryPolicy::default()
            })
            .build()
            .err()
            .unwrap();
        assert_eq!(e.setting(), "ClientBuilder::retry");
    }

    #[test]
    fn builder_credentials_replace_env_ones() {
        let c = ClientBuilder::<Config>::from_env_with(
            env_of(&[
                ("OS_USERNAME", "alice"),
                ("OS_PROJECT_ID", "p"),
                ("OS_REGION_NAME", "eu-de"),
            ]),
            &[],
        )
        .unwrap()
        .ak_sk("AK", "SK")
        .build()
        .unwrap();
        assert!(matches!(c.auth(), Auth::Fixed(Credentials::AkSk(_))));
    }

    #[test]
    fn proxy_from_env_and_debug_hides_secrets() {
        let b = ClientBuilder::<Config>::from_env_with(
            env_of(&[
                ("HTTPS_PROXY", "http://proxy.test:3128"),
                ("NO_PROXY", "localhost,127.0.0.1"),
                ("OS_ACCESS_KEY", "AKVISIBLE"),
                ("OS_SECRET_KEY", "SKHIDDEN"),
                ("OS_PROJECT_ID", "p"),
                ("OS_REGION_NAME", "eu-de"),
            ]),
            &[],
        )
        .unwrap();
        let shown = format!("{b:?}");
        assert!(
            shown.contains("AKVISIBLE") && !shown.contains("SKHIDDEN"),
            "{shown}"
        );
        let c = b.build().unwrap();
        assert_eq!(
            c.transport().proxy,
            Some(ProxySettings {
                url: "http://proxy.test:3128".into(),
                no_proxy: Some("localhost,127.0.0.1".into())
            })
        );
        assert!(!format!("{c:?}").contains("SKHIDDEN"));
    }
}
