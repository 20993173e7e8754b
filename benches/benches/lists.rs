//! Parsing a 1,000-job list answer (DLI Flink jobs, ModelArts training jobs) through
//! `OperationExt::parse_response`, beside bare `serde_json::from_slice` into the same
//! generated structs; prints both medians' ratio (goal: at most 1.2x).
//!
//! `cargo bench -p otc-jobs-benches --bench lists`

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use otc_jobs_core::dli::{ListFlinkJobs, ListFlinkJobsResponse};
use otc_jobs_core::modelarts::{ListTrainingJobs, ListTrainingJobsResponse};
use otc_jobs_core::{Operation, OperationExt};

const JOBS: usize = 1000;

fn dli_body() -> Vec<u8> {
    let jobs: Vec<String> = (0..JOBS)
        .map(|i| {
            format!(
                r#"{{"job_id": {i}, "name": "job-{i}", "desc": "a Flink job", "user_name": "user",
                "job_type": "flink_sql_job", "status": "job_running", "status_desc": "",
                "create_time": 1578892414688, "start_time": 1578892414688, "duration": 1234,
                "root_id": -1, "graph_editor_enabled": false, "has_savepoint": false,
                "queue_name": "queue", "edge_group_ids": ["a", "b"],
                "job_config": {{"checkpoint_enabled": true, "checkpoint_interval": 10,
                "cu_number": 2, "parallel_number": 1, "log_enabled": false}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"is_success": "true", "message": "Jobs are successfully listed.", "job_list": {{"total_count": {JOBS}, "jobs": [{}]}}}}"#,
        jobs.join(",")
    )
    .into_bytes()
}

fn modelarts_body() -> Vec<u8> {
    let jobs: Vec<String> = (0..JOBS)
        .map(|i| {
            format!(
                r#"{{"job_id": {i}, "job_name": "job-{i}", "version_id": {i}, "status": 10,
                "create_time": 1524189990635, "duration": 532003,
                "job_desc": "This is ModelArts job", "version_count": 5}}"#
            )
        })
        .collect();
    format!(
        r#"{{"is_success": true, "quotas": 5, "job_total_count": {JOBS}, "job_count_limit": 3, "jobs": [{}]}}"#,
        jobs.join(",")
    )
    .into_bytes()
}

/// Median time of `f` over `runs` runs (for the printed ratio).
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

fn pair<O: Operation>(c: &mut Criterion, name: &str, body: Vec<u8>)
where
    O::Response: 'static,
{
    let answer = http::Response::builder().status(200).body(body).unwrap();
    let raw = answer.body().clone();
    c.bench_function(&format!("{name}/parse_response"), |b| {
        b.iter(|| black_box(O::parse_response(black_box(&answer)).unwrap()))
    });
    c.bench_function(&format!("{name}/serde_json"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<O::Response>(black_box(&raw)).unwrap()))
    });
    let ours = median(201, || {
        black_box(O::parse_response(&answer).unwrap());
    });
    let bare = median(201, || {
        black_box(serde_json::from_slice::<O::Response>(&raw).unwrap());
    });
    println!(
        "{name}: parse_response {ours:?}, serde_json::from_slice {bare:?}, ratio {:.3}",
        ours.as_secs_f64() / bare.as_secs_f64()
    );
}

fn lists(c: &mut Criterion) {
    pair::<ListFlinkJobs>(c, "dli_list_1000", dli_body());
    pair::<ListTrainingJobs>(c, "modelarts_list_1000", modelarts_body());
    // The bodies are what the types expect.
    let dli: ListFlinkJobsResponse = serde_json::from_slice(&dli_body()).unwrap();
    let listed = dli.job_list.and_then(|l| l.jobs).map_or(0, |j| j.len());
    assert_eq!(listed, JOBS);
    let ma: ListTrainingJobsResponse = serde_json::from_slice(&modelarts_body()).unwrap();
    assert_eq!(ma.jobs.map(|j| j.len()), Some(JOBS));
}

criterion_group!(benches, lists);
criterion_main!(benches);
