//! The client, from the environment (`OS_*`, `clouds.yaml`) with the flags over it.

use std::path::PathBuf;

use otc_jobs_async::{Client, ClientBuilder, RetryPolicy, Service};

use crate::args::Global;
use crate::exit::CliError;

/// Builds the clients the flags and the environment describe, with the SDK's retries
/// (see [`retry_policy`]): one for lists and waits, one for deletions that leaves
/// throttled answers to the run's shared throttle.
pub(crate) fn clients(
    global: &Global,
    base_url: Option<&str>,
) -> Result<(Client, Client), CliError> {
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
    pair(builder.retry(retry_policy())).map_err(config_error)
}

/// The lister and the deleter from one builder: the same settings, except that the
/// deleter gets a 429 back at once (`retry_throttled(false)`).
pub(crate) fn pair(
    builder: ClientBuilder<Client>,
) -> Result<(Client, Client), otc_jobs_async::ConfigError> {
    let lister = builder.build()?;
    let deleter = builder.retry_throttled(false).build()?;
    Ok((lister, deleter))
}

/// The SDK's own retry policy, unchanged: it retries 5xx, lost connections, timeouts and
/// cut-short answers (ambiguous ones only for idempotent methods, and marks them), and,
/// for lists and waits, 429s after their `Retry-After`. A deletion's 429 goes to the run's
/// shared throttle instead (see [`pair`]).
pub(crate) fn retry_policy() -> RetryPolicy {
    RetryPolicy::default()
}

fn config_error(e: otc_jobs_async::ConfigError) -> CliError {
    CliError::usage(
        format!("configuration: {e}"),
        "set OS_ACCESS_KEY/OS_SECRET_KEY (or OS_AUTH_TOKEN), OS_PROJECT_ID and OS_REGION_NAME, \
         or OS_CLOUD / --os-cloud with a clouds.yaml; or try --emulator",
    )
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
