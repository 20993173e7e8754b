//! Client configuration, written once for both clients: the builder, the environment
//! (`OS_*` variables), `clouds.yaml`, and the validation that turns them into a [`Config`].
//!
//! One module per concept: [`error`] (what a bad setting says), [`settings`] (what was
//! gathered, and its validation), [`env`] (the environment), [`builder`] (the setters).

use std::time::Duration;

use http::HeaderValue;
use otc_jobs_core::auth::iam::PasswordLogin;
use otc_jobs_core::auth::{Credentials, SignatureForm};
use otc_jobs_core::{ClientPolicy, Endpoints, Region};

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

impl Project {
    /// The region a project name says it is in: OTC names a region's projects after it
    /// (`eu-de`, and sub-projects `eu-de_<name>`). `None` for an id, or a name whose prefix
    /// is no known region.
    ///
    /// ```
    /// use otc_jobs_core::Region;
    /// use otc_jobs_driver::Project;
    /// assert_eq!(Project::Name("eu-nl_ci".into()).region(), Some(Region::EU_NL));
    /// assert_eq!(Project::Name("eu-de".into()).region(), Some(Region::EU_DE));
    /// assert_eq!(Project::Id("0a1b2c".into()).region(), None);
    /// ```
    pub fn region(&self) -> Option<Region> {
        let Project::Name(name) = self else {
            return None;
        };
        let prefix = name
            .split_once('_')
            .map_or(name.as_str(), |(region, _)| region);
        Region::KNOWN.iter().find(|r| r.as_str() == prefix).cloned()
    }
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

    /// The same configuration for another project: the same credentials, policy and
    /// transport; in the region the project's name says ([`Project::region`]), else in
    /// this one. Endpoints set explicitly (an emulator, a proxy) stay.
    ///
    /// ```
    /// use otc_jobs_core::Service;
    /// use otc_jobs_driver::{ClientBuilder, Config, Project};
    /// let config = ClientBuilder::<Config>::new()
    ///     .region("eu-de")
    ///     .ak_sk("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq")
    ///     .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    ///     .build()?;
    /// let ci = config.for_project(Project::Name("eu-nl_ci".into()));
    /// assert_eq!(ci.project(), &Project::Name("eu-nl_ci".into()));
    /// assert_eq!(ci.endpoints().base_url(Service::Dli).as_str(), "https://dli.eu-nl.otc.t-systems.com");
    /// assert_eq!(ci.auth(), config.auth());
    /// # Ok::<(), otc_jobs_driver::ConfigError>(())
    /// ```
    pub fn for_project(&self, project: Project) -> Config {
        let region = project.region();
        let mut config = self.clone();
        config.project = project;
        if let Some(region) = region {
            config.endpoints = config.endpoints.in_region(region);
        }
        config
    }

    /// The same configuration in another region (the project unchanged): each service at
    /// the region's default endpoint moves to `region`'s, explicit endpoints stay.
    pub fn in_region(&self, region: Region) -> Config {
        let mut config = self.clone();
        config.endpoints = config.endpoints.in_region(region);
        config
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
