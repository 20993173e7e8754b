//! Find, delete, wait: `cargo run -p otc-jobs-blocking --example find_delete_wait_blocking` (its own name: two examples of one name collide in target/).
//!
//! Finds the stopped Flink jobs of one queue and the visualization jobs named like
//! "tensorboard" (every page; the filters go to the service), then deletes each and waits
//! until it is gone. Runs against the emulator in-process; `otc-jobs-async` has the same
//! example.

use std::time::Duration;

use otc_jobs_blocking::otc_jobs_core::dli::{DeleteFlinkJob, ListFlinkJobs};
use otc_jobs_blocking::otc_jobs_core::modelarts::{DeleteVisualizationJob, ListVisualizationJobs};
use otc_jobs_blocking::{Client, WaitOptions, WaitOutcome};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ModelArts deletes after answering: here, 200 ms later.
    let emulator = Emulator::start(EmulatorConfig {
        delete_delay: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })?;
    for id in 1..=6 {
        let status = if id % 2 == 0 {
            "job_cancel_success"
        } else {
            "job_running"
        };
        emulator.seed(SeedJob::flink_job(id).queue("nightly").status(status));
    }
    emulator.seed(SeedJob::flink_job(7).status("job_cancel_success")); // another queue
    emulator.seed(SeedJob::visualization_job(101).name("tensorboard-resnet"));
    emulator.seed(SeedJob::visualization_job(102).name("tensorboard-bert"));
    emulator.seed(SeedJob::visualization_job(103).name("notebook"));
    // Its deletion fails: the wait says so (status 6) rather than waiting forever.
    emulator.seed(
        SeedJob::visualization_job(104)
            .name("tensorboard-old")
            .fail_delete(),
    );

    let client = Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .build()?;

    // Find first, every page, then act: deleting while paging would skip jobs.
    let mut stopped = Vec::new();
    let flink = ListFlinkJobs::new()
        .queue_name("nightly")
        .status("job_cancel_success");
    for job in client.paginate(flink) {
        stopped.extend(job?.job_id);
    }
    let mut boards = Vec::new();
    for job in client.paginate(ListVisualizationJobs::new().search_content("tensorboard")) {
        boards.extend(job?.job_id);
    }
    println!("found Flink jobs {stopped:?} and visualization jobs {boards:?}");

    let options = WaitOptions::default()
        .delays(Duration::from_millis(50), Duration::from_millis(500))
        .max_wait(Duration::from_secs(60));
    let mut gone = 0;
    for id in stopped {
        // DLI deletes at once: one poll confirms it.
        let outcome = client.delete_and_wait(&DeleteFlinkJob::new(id), options)?;
        gone += usize::from(outcome.is_gone());
        println!("Flink job {id}: {outcome:?}");
    }
    for id in boards {
        let deletion = DeleteVisualizationJob::new(id.to_string().parse()?);
        match client.delete_and_wait(&deletion, options)? {
            WaitOutcome::Gone { polls, elapsed } => {
                gone += 1;
                println!("visualization job {id}: gone after {polls} polls, {elapsed:.0?}");
            }
            WaitOutcome::Failed { status } => {
                println!("visualization job {id}: the deletion failed (status {status})")
            }
            other => println!("visualization job {id}: not gone yet: {other:?}"),
        }
    }
    // 3 stopped nightly Flink jobs and 2 of the 3 tensorboards are gone.
    if gone != 5 || emulator.jobs().len() != 6 {
        return Err(format!("{gone} gone, {} left", emulator.jobs().len()).into());
    }
    println!("{gone} jobs gone, {} left", emulator.jobs().len());
    Ok(())
}
