//! Testing your own code with faults: `cargo run -p otc-jobs-async --example faults`.
//!
//! The emulator answers the next two deletions with 503, then a third with a 429 and
//! `Retry-After: 1`; the client retries each as the policy says, and the error after the
//! last attempt says how many were made.

use std::time::{Duration, Instant};

use otc_jobs_async::{Client, RetryPolicy};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, Fault,
    FaultAction, SeedJob,
};

const FLINK_DELETE: &str = "/v1.0/*/streaming/jobs/*";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    emulator.seed(SeedJob::flink_job(1));
    emulator.seed(SeedJob::flink_job(2));

    let client = Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .base_url(emulator.base_url())
        .retry(RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .build()?;

    // Two 503s, then the real answer: the call succeeds on its third attempt.
    emulator
        .add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::respond(503, &[], "")).times(2));
    let started = Instant::now();
    client.delete_flink_job(1).await?;
    println!(
        "job 1 deleted after two 503s, in {:.0?} ({} requests reached the emulator)",
        started.elapsed(),
        emulator.requests().len()
    );

    // Throttled every time: the error after the last attempt says how many were made.
    emulator.add_fault(
        Fault::new(
            "DELETE",
            FLINK_DELETE,
            FaultAction::respond(429, &[("Retry-After", "1")], ""),
        )
        .times(3),
    );
    let started = Instant::now();
    let err = client
        .delete_flink_job(2)
        .await
        .err()
        .ok_or("a throttled call succeeded")?;
    println!(
        "job 2: {err}\n  (attempts {}, waited {:.1?} as Retry-After said)",
        err.attempts(),
        started.elapsed()
    );
    if err.attempts() != 3 {
        return Err(format!("expected 3 attempts, got {}", err.attempts()).into());
    }
    emulator.clear_faults();
    client.delete_flink_job(2).await?;
    println!("job 2 deleted once the faults were cleared");
    Ok(())
}
