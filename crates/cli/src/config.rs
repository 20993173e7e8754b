//! The client, from the environment (`OS_*`, `clouds.yaml`) with the flags over it.

use std::path::PathBuf;

use otc_jobs_async::{Client, ClientBuilder, RetryPolicy, Service};

use crate::args::Global;
use crate::exit::CliError;

/// Builds the client the flags and the environment describe, with the SDK's retries
/// (see [`retry_policy`]).
pub(crate) fn client(global: &Global, base_url: Option<&str>) -> Result<Client, CliError> {
    let os_cloud = global.os_cloud.clone();
    let env = move |name: &str| match (name, &os_cloud) {
        ("OS_CLOUD", Some(cloud)) => Some(cloud.clone()),
        _ => std::env::var(name).ok(),
    };
    let mut builder = ClientBuilder::from_env_with(env, &search_paths()).map_err(config_error)?;
    if let Some(region) = &global.region {
        builder = builder.region(region);
    }
    if let Some(id) = &global.project_id {
        builder = builder.project_id(id);
    }
    if let Some(name) = &global.project_name {
        builder = builder.project_name(name);
    }
    if let Some(url) = base_url.or(global.endpoint.as_deref()) {
        builder = builder.base_url(url);
    }
    for (service, url) in [
        (Service::ModelArts, &global.modelarts_endpoint),
        (Service::Dli, &global.dli_endpoint),
        (Service::Mrs, &global.mrs_endpoint),
    ] {
        if let Some(url) = url {
            builder = builder.endpoint(service, url);
        }
    }
    if let Some(timeout) = global.request_timeout {
        builder = builder.timeout(timeout);
    }
    for warning in builder.warnings() {
        eprintln!("warning: {warning}");
    }
    builder
        .retry(retry_policy())
        .adaptive_rate(true)
        .build()
        .map_err(config_error)
}

/// The SDK's own retry policy, unchanged: it retries 5xx, lost connections, timeouts and
/// cut-short answers (ambiguous ones only for idempotent methods, and marks them), and
/// 429s after their `Retry-After`. A 429 it gives up on reaches the run's shared
/// throttle. (The SDK can hand every 429 back at once, `retry_throttled(false)`, but with
/// the throttle pausing the whole run for each one, scattered 429s slowed a 10,000-job
/// run under 5 % faults from about 20 s to over 15 minutes: the throttle acts on the
/// 429s that outlast the SDK's retries, a sign of real overload.)
///
/// The client paces itself by the SDK's adaptive rate (`adaptive_rate`): a bulk run
/// finds the gateway's limit instead of a user guessing `--max-rate`, which stays a cap.
pub(crate) fn retry_policy() -> RetryPolicy {
    RetryPolicy::default()
}

/// The flag each builder setting of [`client`] comes from: errors name what the user typed.
const FLAGS: &[(&str, &str)] = &[
    ("ClientBuilder::base_url", "--endpoint"),
    ("ClientBuilder::endpoint(modelarts)", "--modelarts-endpoint"),
    ("ClientBuilder::endpoint(dli)", "--dli-endpoint"),
    ("ClientBuilder::endpoint(mrs)", "--mrs-endpoint"),
    ("ClientBuilder::region", "--region"),
    ("ClientBuilder::project_id", "--project-id"),
    ("ClientBuilder::project_name", "--project-name"),
    ("ClientBuilder::timeout", "--request-timeout"),
];

/// A configuration error in the words of the command line: the flag at fault (where a
/// flag set it) and the hint that fits the setting.
fn config_error(e: otc_jobs_async::ConfigError) -> CliError {
    let setting = FLAGS
        .iter()
        .find(|(name, _)| *name == e.setting())
        .map_or(e.setting(), |(_, flag)| flag);
    let hint = hint_for(setting);
    CliError::usage(format!("{setting}: {}", e.problem()), hint)
}

fn hint_for(setting: &str) -> &'static str {
    let is = |names: &[&str]| names.iter().any(|n| setting == *n || setting.ends_with(n));
    if setting.ends_with("endpoint")
        || is(&[
            "OS_ENDPOINT_OVERRIDE",
            "endpoint_override",
            "OS_AUTH_URL",
            "auth_url",
        ])
    {
        "give the URL with its scheme, e.g. https://dli.eu-de.otc.t-systems.com or http://127.0.0.1:8080"
    } else if is(&["--region", "OS_REGION_NAME", "region_name"]) {
        "use one of OTC's regions (--region eu-de), or give the endpoints with --endpoint"
    } else if is(&["OS_CLOUD", "clouds.yaml"]) {
        "check --os-cloud / OS_CLOUD against the clouds in your clouds.yaml"
    } else if is(&[
        "--project-id",
        "OS_PROJECT_ID",
        "--project-name",
        "OS_PROJECT_NAME",
        "project_id",
        "project_name",
    ]) {
        "set the project: --project-id / OS_PROJECT_ID, or --project-name / OS_PROJECT_NAME (e.g. eu-de_myproject)"
    } else if setting.starts_with("--") || setting.starts_with("ClientBuilder::") {
        ""
    } else {
        "set OS_ACCESS_KEY/OS_SECRET_KEY (or OS_AUTH_TOKEN), OS_PROJECT_ID and OS_REGION_NAME, \
         or OS_CLOUD / --os-cloud with a clouds.yaml; or try --emulator"
    }
}

/// Where `clouds.yaml` is looked for, as the SDK does: `./`, `$XDG_CONFIG_HOME/openstack/`
/// (or `~/.config/openstack/`), `/etc/openstack/`.
fn search_paths() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(".")];
    if let Some(config) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(config).join("openstack"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".config/openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_flag_and_give_the_hint_that_fits() {
        let err = config_error(otc_jobs_async::ConfigError::new(
            "ClientBuilder::base_url",
            "invalid endpoint \"127.0.0.1:18080\": the scheme must be http or https",
        ));
        assert_eq!(
            err.problem,
            "--endpoint: invalid endpoint \"127.0.0.1:18080\": the scheme must be http or https"
        );
        assert!(
            err.hint.as_deref().unwrap().contains("with its scheme"),
            "{err:?}"
        );
        let err = config_error(otc_jobs_async::ConfigError::new(
            "OS_REGION_NAME",
            "unknown region",
        ));
        assert!(
            err.hint.as_deref().unwrap().contains("--region eu-de"),
            "{err:?}"
        );
        let err = config_error(otc_jobs_async::ConfigError::new(
            "OS_CLOUD",
            "no cloud \"x\"",
        ));
        assert!(
            err.hint.as_deref().unwrap().contains("clouds.yaml"),
            "{err:?}"
        );
        // Credentials: the general hint.
        let err = config_error(otc_jobs_async::ConfigError::new("OS_SECRET_KEY", "missing"));
        assert!(
            err.hint.as_deref().unwrap().contains("OS_ACCESS_KEY"),
            "{err:?}"
        );
        // A builder setting with no flag of its own: no hint about credentials.
        let err = config_error(otc_jobs_async::ConfigError::new(
            "ClientBuilder::retry",
            "x",
        ));
        assert_eq!(err.hint, None);
    }
}
