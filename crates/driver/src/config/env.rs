//! The environment: the `OS_*` variables, `OS_CLOUD` with `clouds.yaml` (and
//! `secure.yaml`), `HTTPS_PROXY`/`NO_PROXY`.

use std::path::{Path, PathBuf};

use otc_jobs_core::Service;

use super::settings::Value;
use super::{ClientBuilder, ConfigError, Settings, clouds};

/// One environment variable [`ClientBuilder::from_env`] reads, and what it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name, e.g. `OS_ACCESS_KEY`.
    pub name: &'static str,
    /// What it sets: the builder method or the setting, in words.
    pub sets: &'static str,
}

const fn var(name: &'static str, sets: &'static str) -> EnvVar {
    EnvVar { name, sets }
}

/// Every environment variable [`ClientBuilder::from_env`] reads, and what it sets. A
/// variable overrides the same setting from `clouds.yaml`; a builder method called after
/// `from_env` overrides both.
///
/// | variable | sets | `clouds.yaml` key of cloud `OS_CLOUD` |
/// |---|---|---|
/// | `OS_CLOUD` | which cloud of `clouds.yaml` (and `secure.yaml`) to read | |
/// | `OS_ACCESS_KEY` | [`ak_sk`](ClientBuilder::ak_sk): the access key | `auth.ak` (or `ak`) |
/// | `OS_SECRET_KEY` | [`ak_sk`](ClientBuilder::ak_sk): the secret key | `auth.sk` (or `sk`) |
/// | `OS_SECURITY_TOKEN` | [`temporary_ak_sk`](ClientBuilder::temporary_ak_sk): the security token | `auth.security_token` |
/// | `OS_AUTH_TOKEN` | [`token`](ClientBuilder::token): a fixed IAM token | `auth.token` |
/// | `OS_USERNAME` | [`password`](ClientBuilder::password): the user name | `auth.username` |
/// | `OS_PASSWORD` | [`password`](ClientBuilder::password): the password | `auth.password` |
/// | `OS_USER_DOMAIN_NAME` | [`password`](ClientBuilder::password): the user's domain | `auth.user_domain_name` |
/// | `OS_PROJECT_ID` | [`project_id`](ClientBuilder::project_id) | `auth.project_id` |
/// | `OS_PROJECT_NAME` | [`project_name`](ClientBuilder::project_name) | `auth.project_name` |
/// | `OS_REGION_NAME` | [`region`](ClientBuilder::region) | `region_name` |
/// | `OS_AUTH_URL` | [`auth_url`](ClientBuilder::auth_url): the IAM endpoint | `auth.auth_url` |
/// | `OS_ENDPOINT_OVERRIDE` | [`base_url`](ClientBuilder::base_url): every service, IAM included | `endpoint_override` |
/// | `OS_MODELARTS_ENDPOINT_OVERRIDE` | [`endpoint`](ClientBuilder::endpoint)`(Service::ModelArts, ..)` | `modelarts_endpoint_override` |
/// | `OS_DLI_ENDPOINT_OVERRIDE` | [`endpoint`](ClientBuilder::endpoint)`(Service::Dli, ..)` | `dli_endpoint_override` |
/// | `OS_MRS_ENDPOINT_OVERRIDE` | [`endpoint`](ClientBuilder::endpoint)`(Service::Mrs, ..)` | `mrs_endpoint_override` |
/// | `OS_IDENTITY_ENDPOINT_OVERRIDE` | [`endpoint`](ClientBuilder::endpoint)`(Service::Iam, ..)` (a trailing `/v3` is accepted) | `identity_endpoint_override` |
/// | `HTTPS_PROXY` (or `https_proxy`) | [`proxy`](ClientBuilder::proxy): the proxy URL | |
/// | `NO_PROXY` (or `no_proxy`) | [`proxy`](ClientBuilder::proxy): the hosts that bypass it | |
/// | `XDG_CONFIG_HOME`, `HOME` | where `clouds.yaml` is looked for (`$XDG_CONFIG_HOME/openstack/`, `~/.config/openstack/`) | |
///
/// The override names follow openstacksdk's (`OS_<SERVICE_TYPE>_ENDPOINT_OVERRIDE`,
/// `<service_type>_endpoint_override`, IAM's service type being `identity`);
/// `OS_ENDPOINT_OVERRIDE` / `endpoint_override` for all services at once is otc-jobs'
/// own (an emulator, a gateway). An all-services override is applied before the
/// per-service ones of the same source.
///
/// ```
/// use otc_jobs_driver::ENV_VARS;
/// assert!(ENV_VARS.iter().any(|v| v.name == "OS_DLI_ENDPOINT_OVERRIDE"));
/// ```
pub const ENV_VARS: &[EnvVar] = &[
    var("OS_CLOUD", "the cloud of clouds.yaml to read"),
    var("OS_ACCESS_KEY", "ak_sk: the access key"),
    var("OS_SECRET_KEY", "ak_sk: the secret key"),
    var("OS_SECURITY_TOKEN", "temporary_ak_sk: the security token"),
    var("OS_AUTH_TOKEN", "token: a fixed IAM token"),
    var("OS_USERNAME", "password: the user name"),
    var("OS_PASSWORD", "password: the password"),
    var("OS_USER_DOMAIN_NAME", "password: the user's domain"),
    var("OS_PROJECT_ID", "project_id"),
    var("OS_PROJECT_NAME", "project_name"),
    var("OS_REGION_NAME", "region"),
    var("OS_AUTH_URL", "auth_url: the IAM endpoint"),
    var("OS_ENDPOINT_OVERRIDE", "base_url: every service"),
    var(
        "OS_MODELARTS_ENDPOINT_OVERRIDE",
        "endpoint(Service::ModelArts)",
    ),
    var("OS_DLI_ENDPOINT_OVERRIDE", "endpoint(Service::Dli)"),
    var("OS_MRS_ENDPOINT_OVERRIDE", "endpoint(Service::Mrs)"),
    var("OS_IDENTITY_ENDPOINT_OVERRIDE", "endpoint(Service::Iam)"),
    var("HTTPS_PROXY", "proxy: the proxy URL"),
    var(
        "https_proxy",
        "proxy: the proxy URL (when HTTPS_PROXY is not set)",
    ),
    var("NO_PROXY", "proxy: the hosts that bypass it"),
    var(
        "no_proxy",
        "proxy: the hosts that bypass it (when NO_PROXY is not set)",
    ),
    var("XDG_CONFIG_HOME", "where clouds.yaml is looked for"),
    var("HOME", "where clouds.yaml is looked for"),
];

/// The per-service override variables and `clouds.yaml` keys, by openstacksdk's service
/// types.
pub(crate) const SERVICE_OVERRIDES: [(Service, &str, &str); 4] = [
    (
        Service::ModelArts,
        "OS_MODELARTS_ENDPOINT_OVERRIDE",
        "modelarts_endpoint_override",
    ),
    (
        Service::Dli,
        "OS_DLI_ENDPOINT_OVERRIDE",
        "dli_endpoint_override",
    ),
    (
        Service::Mrs,
        "OS_MRS_ENDPOINT_OVERRIDE",
        "mrs_endpoint_override",
    ),
    (
        Service::Iam,
        "OS_IDENTITY_ENDPOINT_OVERRIDE",
        "identity_endpoint_override",
    ),
];

impl<C> ClientBuilder<C> {
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
        let proxy = ["HTTPS_PROXY", "https_proxy"]
            .into_iter()
            .find_map(|name| Some((name, env(name).filter(|u| !u.trim().is_empty())?)));
        if let Some((name, url)) = proxy {
            let no_proxy = env("NO_PROXY")
                .or_else(|| env("no_proxy"))
                .filter(|n| !n.trim().is_empty());
            let url = Value {
                text: url.trim().to_owned(),
                from: name.to_owned(),
            };
            s.proxy = Some((url, no_proxy));
        }
        let mut overrides = None;
        Settings::put(
            &mut overrides,
            env("OS_ENDPOINT_OVERRIDE"),
            "OS_ENDPOINT_OVERRIDE",
        );
        s.endpoints.extend(overrides.map(|url| (None, url)));
        for (service, name, _) in SERVICE_OVERRIDES {
            let mut one = None;
            Settings::put(&mut one, env(name), name);
            s.endpoints.extend(one.map(|url| (Some(service), url)));
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
}
