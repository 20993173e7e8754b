//! The quickstart: `cargo run --example quickstart`.
//!
//! Starts the OTC emulator in-process (no credentials, no network), seeds one job of each
//! kind, deletes them with the async and the blocking client, deletes one again to show
//! "already gone", and prints a short table.

use std::time::Instant;

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

type Row = (&'static str, &'static str, String, String);

async fn timed<T>(
    client: &'static str,
    call: &'static str,
    future: impl std::future::Future<Output = Result<T, otc_jobs_async::Error>>,
) -> Row {
    let started = Instant::now();
    let result = future.await;
    (
        client,
        call,
        outcome(&result),
        format!("{:.1?}", started.elapsed()),
    )
}

fn blocking_timed<T>(
    call: &'static str,
    f: impl FnOnce() -> Result<T, otc_jobs_blocking::Error>,
) -> Row {
    let started = Instant::now();
    let result = f();
    (
        "blocking",
        call,
        outcome(&result),
        format!("{:.1?}", started.elapsed()),
    )
}

fn outcome<T>(result: &Result<T, otc_jobs_async::Error>) -> String {
    match result {
        Ok(_) => "deleted".to_owned(),
        Err(e) if e.is_not_found() => format!(
            "already gone ({} {})",
            e.status().map(|s| s.as_u16()).unwrap_or_default(),
            e.code().unwrap_or("-")
        ),
        Err(e) => format!("error: {e}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    let jobs = [
        SeedJob::training_job(1001),
        // Seeding a version also creates its training job, which stays.
        SeedJob::training_job_version(1002, 3),
        SeedJob::visualization_job(1003),
        SeedJob::flink_job(148),
        SeedJob::job_execution("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3"),
        SeedJob::training_job(2001),
        SeedJob::training_job_version(2002, 1),
        SeedJob::visualization_job(2003),
        SeedJob::flink_job(248),
        SeedJob::job_execution("7a0c9bf9-1f85-4cd0-b8c7-7f9c5be21ce4"),
    ];
    for job in &jobs {
        emulator.seed(job.clone());
    }
    println!(
        "emulator at {} with {} jobs",
        emulator.base_url(),
        emulator.jobs().len()
    );

    let asynchronous = otc_jobs_async::Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .build()?;
    let mut rows: Vec<Row> = vec![
        timed(
            "async",
            "delete_training_job(1001)",
            asynchronous.delete_training_job(1001),
        )
        .await,
        timed(
            "async",
            "delete_training_job_version(1002, 3)",
            asynchronous.delete_training_job_version(1002, 3),
        )
        .await,
        timed(
            "async",
            "delete_visualization_job(1003)",
            asynchronous.delete_visualization_job("1003".parse()?),
        )
        .await,
        timed(
            "async",
            "delete_flink_job(148)",
            asynchronous.delete_flink_job(148),
        )
        .await,
        timed(
            "async",
            "delete_job_execution(669b8ae8-…)",
            asynchronous.delete_job_execution("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3".parse()?),
        )
        .await,
    ];

    let base_url = emulator.base_url().to_owned();
    let blocking = tokio::task::spawn_blocking(
        move || -> Result<Vec<Row>, Box<dyn std::error::Error + Send + Sync>> {
            let client = otc_jobs_blocking::Client::builder()
                .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
                .project_id(DEFAULT_PROJECT_ID)
                .region("eu-de")
                .base_url(base_url)
                .build()?;
            let vis = "2003".parse()?;
            let execution = "7a0c9bf9-1f85-4cd0-b8c7-7f9c5be21ce4".parse()?;
            Ok(vec![
                blocking_timed("delete_training_job(2001)", || {
                    client.delete_training_job(2001)
                }),
                blocking_timed("delete_training_job_version(2002, 1)", || {
                    client.delete_training_job_version(2002, 1)
                }),
                blocking_timed("delete_visualization_job(2003)", || {
                    client.delete_visualization_job(vis)
                }),
                blocking_timed("delete_flink_job(248)", || client.delete_flink_job(248)),
                blocking_timed("delete_job_execution(7a0c9bf9-…)", || {
                    client.delete_job_execution(execution)
                }),
                // Again: the job is already gone, and the client says so.
                blocking_timed("delete_flink_job(248) again", || {
                    client.delete_flink_job(248)
                }),
            ])
        },
    )
    .await?
    .map_err(|e| e.to_string())?;
    rows.extend(blocking);
    rows.push(
        timed(
            "async",
            "delete_training_job(1001) again",
            asynchronous.delete_training_job(1001),
        )
        .await,
    );

    println!();
    println!(
        "{:<9} {:<38} {:<34} {:>8}",
        "client", "call", "outcome", "latency"
    );
    println!("{}", "-".repeat(92));
    for (client, call, outcome, latency) in &rows {
        println!("{client:<9} {call:<38} {outcome:<34} {latency:>8}");
    }
    println!();
    println!(
        "jobs left in the emulator: {} (the training jobs whose versions were deleted)",
        emulator.jobs().len()
    );
    Ok(())
}
