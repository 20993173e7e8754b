//! Client configuration, written once for both clients: the builder, the environment
//! (`OS_*` variables), `clouds.yaml`, and the validation that turns them into a [`Config`].
//!
//! One module per concept: [`error`] (what a bad setting says), [`settings`] (what was
//! gathered, and its validation), [`env`] (the environment), [`builder`] (the setters).

use std::time::Duration;

use http::HeaderValue;
use otc_jobs_core::auth::iam::PasswordLogin;
use otc_jobs_core::auth::{Credentials, SignatureForm};
use otc_jobs_core::{ClientPolicy, Endpoints};

mod builder;
mod clouds;
mod env;
mod error;
mod proxy;
pub(crate) mod settings;

pub use builder::ClientBuilder;
pub(crate) use env::SERVICE_OVERRIDES;
pub use env::{ENV_VARS, EnvVar};
pub use error::ConfigError;
pub use proxy::{ProxyScheme, ProxySettings};
pub(crate) use settings::Settings;

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

#[cfg(test)]
mod tests;
