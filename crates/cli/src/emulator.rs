//! `--emulator`: the embedded emulator, seeded with sample jobs of every kind, so every
//! command can be tried offline in one line. It is a server (hyper on loopback): a build
//! without the default `emulator` feature leaves it out, and `--emulator` then says so.

#[cfg(not(feature = "emulator"))]
pub(crate) use absent::{Embedded, start};
#[cfg(feature = "emulator")]
pub(crate) use otc_jobs_emulator::Emulator as Embedded;

#[cfg(feature = "emulator")]
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
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
    for job in samples() {
        emulator.seed(job);
    }
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

/// Sample jobs: Flink jobs 1–12, training jobs 1–5 (versions 1/1, 1/2, 2/1),
/// visualization jobs 101–103, job executions exec-1–exec-3.
#[cfg(feature = "emulator")]
fn samples() -> Vec<SeedJob> {
    let mut jobs = Vec::new();
    for n in 1..=12 {
        let prefix = if n % 3 == 0 {
            "prod-stream"
        } else {
            "nightly-etl"
        };
        jobs.push(SeedJob::flink_job(n).name(format!("{prefix}-{n}")));
    }
    for n in 1..=5 {
        jobs.push(SeedJob::training_job(n).name(format!("train-{n}")));
    }
    for (job_id, version_id) in [(1, 1), (1, 2), (2, 1)] {
        jobs.push(SeedJob::training_job_version(job_id, version_id));
    }
    for n in 1..=3 {
        // Numeric: the list pages type visualization job ids as numbers.
        jobs.push(SeedJob::visualization_job(100 + n));
        jobs.push(SeedJob::job_execution(format!("exec-{n}")));
    }
    jobs
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
