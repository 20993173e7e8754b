//! `--emulator`: the embedded emulator, seeded with sample jobs of every kind, so every
//! command can be tried offline in one line.

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

use crate::args::Global;
use crate::exit::CliError;

/// Starts the emulator, seeds it, and returns it with a client pointed at it. The
/// emulator stops when the handle is dropped.
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
        .build()
        .map_err(|e| CliError::usage(format!("emulator client: {e}"), ""))?;
    Ok((emulator, client))
}

/// Sample jobs: Flink jobs 1–12, training jobs 1–5 (versions 1/1, 1/2, 2/1),
/// visualization jobs 101–103, job executions exec-1–exec-3.
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
