//! `--emulator`: the embedded emulator, seeded with sample jobs of every kind, so every
//! command can be tried offline in one line.

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
};

use crate::args::Global;
use crate::exit::CliError;

/// Starts the emulator, seeds it, and returns it with a client pointed at it. The
/// emulator stops when the handle is dropped.
pub(crate) fn start(global: &Global) -> Result<(Emulator, otc_jobs_async::Client), CliError> {
    let emulator = Emulator::start(EmulatorConfig::default())
        .map_err(|e| CliError::usage(format!("cannot start the embedded emulator: {e}"), ""))?;
    // The emulator's samples of every kind, created over the last 90 days.
    emulator.seed_samples();
    let mut builder = otc_jobs_async::Client::builder();
    if let Some(timeout) = global.request_timeout {
        builder = builder.timeout(timeout);
    }
    let client = builder
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region(global.region.as_deref().unwrap_or("eu-de"))
        .base_url(emulator.base_url())
        .retry(crate::config::retry_policy())
        .build()
        .map_err(|e| CliError::usage(format!("emulator client: {e}"), ""))?;
    Ok((emulator, client))
}
