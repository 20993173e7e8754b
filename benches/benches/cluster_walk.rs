//! Listing MRS v2 job executions through the kind table (`list_rows` of `job-execution`)
//! on the emulator: 20 clusters × 500 jobs (the cluster list, then each cluster's jobs,
//! paged) beside one cluster of 10,000 jobs, same run, same client, with each client (the
//! blocking one walks the clusters one after another, the async one several at once);
//! prints each median and their ratio (issue 19's goal: at most 1.5×).
//!
//! `cargo bench -p otc-jobs-benches --bench cluster_walk`
//! (`OTC_BENCH_ROUNDS`, default 7, sets the rounds; each round lists both, alternately.)

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use std::time::{Duration, Instant};

use otc_jobs_core::kinds::{Filters, Kind};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

const T0: u64 = 1_700_000_000_000;

fn seeded(clusters: u64, per_cluster: u64) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_many((0..clusters).flat_map(|c| {
        (0..per_cluster).map(move |j| {
            SeedJob::job_execution_v2(
                format!("5a3f1c2e-0c5d-4c6a-9b1e-{c:012}"),
                format!("981374c1-85da-44ee-{c:04}-{j:012}"),
            )
            .status(if j % 2 == 0 { "FINISHED" } else { "RUNNING" })
            .create_time(T0 + j)
        })
    }));
    emulator
}

fn client(emulator: &Emulator) -> otc_jobs_blocking::Client {
    otc_jobs_blocking::Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .build()
        .unwrap()
}

fn async_client(emulator: &Emulator) -> otc_jobs_async::Client {
    otc_jobs_async::Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .build()
        .unwrap()
}

fn list_async(
    runtime: &tokio::runtime::Runtime,
    client: &otc_jobs_async::Client,
    expected: usize,
) -> Duration {
    runtime.block_on(async {
        let started = Instant::now();
        let listing = client
            .list_rows(&Filters::new(Kind::JobExecution))
            .await
            .unwrap();
        let elapsed = started.elapsed();
        assert_eq!(listing.rows.len(), expected);
        assert!(listing.unreadable.is_empty());
        elapsed
    })
}

fn list(client: &otc_jobs_blocking::Client, expected: usize) -> Duration {
    let started = Instant::now();
    let listing = client.list_rows(&Filters::new(Kind::JobExecution)).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(listing.rows.len(), expected);
    assert!(listing.unreadable.is_empty());
    elapsed
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::var("OTC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let many = seeded(20, 500);
    let one = seeded(1, 10_000);
    let (many_client, one_client) = (client(&many), client(&one));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (many_async, one_async) = (async_client(&many), async_client(&one));
    // Warm up all (connections, caches).
    list(&many_client, 10_000);
    list(&one_client, 10_000);
    list_async(&runtime, &many_async, 10_000);
    list_async(&runtime, &one_async, 10_000);
    let (mut walk, mut single) = (Vec::new(), Vec::new());
    let (mut walk_async, mut single_async) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        walk.push(list(&many_client, 10_000));
        single.push(list(&one_client, 10_000));
        walk_async.push(list_async(&runtime, &many_async, 10_000));
        single_async.push(list_async(&runtime, &one_async, 10_000));
    }
    for (name, walk, single) in [
        ("blocking", median(walk), median(single)),
        ("async", median(walk_async), median(single_async)),
    ] {
        println!(
            "job-execution list_rows, {name} client, {rounds} rounds (medians):\n  \
             20 clusters x 500 jobs: {:.1} ms (1 cluster list + 20 x 5 pages of 100)\n  \
             1 cluster x 10,000 jobs: {:.1} ms (1 cluster list + 100 pages of 100)\n  \
             ratio: {:.2}x (goal: at most 1.5x)",
            walk.as_secs_f64() * 1e3,
            single.as_secs_f64() * 1e3,
            walk.as_secs_f64() / single.as_secs_f64(),
        );
    }
}
