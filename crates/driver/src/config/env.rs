//! The environment: the `OS_*` variables, `OS_CLOUD` with `clouds.yaml` (and
//! `secure.yaml`), `HTTPS_PROXY`/`NO_PROXY`.

use std::path::{Path, PathBuf};

use super::settings::Value;
use super::{ClientBuilder, ConfigError, Settings};
use crate::clouds;

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
