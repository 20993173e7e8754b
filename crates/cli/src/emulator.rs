//! `--emulator`: the embedded emulator, seeded with sample jobs of every kind, so every
//! command can be tried offline in one line. It is a server (hyper on loopback): a build
//! without the default `emulator` feature leaves it out, and `--emulator` then says so.

#[cfg(not(feature = "emulator"))]
pub(crate) use absent::{Embedded, start};
#[cfg(feature = "emulator")]
pub(crate) use otc_jobs_emulator::Emulator as Embedded;

#[cfg(feature = "emulator")]
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
};

#[cfg(feature = "emulator")]
use crate::args::Global;
#[cfg(feature = "emulator")]
use crate::exit::CliError;

/// Starts the emulator, seeds it, and returns it with a client pointed at it. The
/// emulator stops when the handle is dropped.
#[cfg(feature = "emulator")]
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
        .adaptive_rate(true)
        .build()
        .map_err(|e| CliError::usage(format!("emulator client: {e}"), ""))?;
    Ok((emulator, client))
}

/// A build without the emulator: `--emulator` is still understood, and refused with why.
#[cfg(not(feature = "emulator"))]
mod absent {
    use crate::args::Global;
    use crate::exit::CliError;

    /// No emulator in this build: no value of this type exists.
    pub(crate) enum Embedded {}

    impl Embedded {
        pub(crate) fn base_url(&self) -> &str {
            match *self {}
        }
    }

    pub(crate) fn start(_: &Global) -> Result<(Embedded, otc_jobs_async::Client), CliError> {
        Err(CliError::usage(
            "this build of otc-jobs has no embedded emulator (--emulator): it was built \
             without the `emulator` feature",
            "to try the commands offline, use a build with the default features",
        ))
    }
}
