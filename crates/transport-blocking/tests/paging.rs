//! Paging and waiting with the generated operations (`ListFlinkJobs`,
//! `DeleteVisualizationJob`, ...) over the emulator. The async client's
//! `tests/paging.rs` runs the same cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

use std::time::Duration;

use otc_jobs_blocking::otc_jobs_core::dli::{DeleteFlinkJob, ListFlinkJobs};
use otc_jobs_blocking::otc_jobs_core::modelarts::{DeleteVisualizationJob, ListTrainingJobs};
use otc_jobs_blocking::otc_jobs_core::mrs::{ListJobExecutions, ListJobExecutionsJobExecution};
use otc_jobs_blocking::{Client, RetryPolicy, WaitOptions, WaitOutcome};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, Fault,
    FaultAction, SeedJob,
};

fn emulator(delete_delay: Duration) -> Emulator {
    Emulator::start(EmulatorConfig {
        delete_delay,
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .retry(RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(20),
        })
        .build()
        .unwrap()
}

fn gets(emulator: &Emulator, path_end: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(path_end))
        .count()
}

/// The query strings of the GETs whose path ends with `path_end`, in order.
fn queries(emulator: &Emulator, path_end: &str) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(path_end))
        .map(|r| r.query.unwrap_or_default())
        .collect()
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .delays(Duration::from_millis(20), Duration::from_millis(100))
        .max_wait(Duration::from_secs(10))
}

#[test]
fn every_style_walks_every_page_with_its_cursor() {
    let emulator = emulator(Duration::ZERO);
    for id in 1..=10u64 {
        emulator.seed(SeedJob::flink_job(id).create_time(1_000 + id));
        emulator.seed(SeedJob::training_job(100 + id).create_time(1_000 + id));
    }
    for (n, id) in ["e-1", "e-2", "e-3"].into_iter().enumerate() {
        emulator.seed(SeedJob::job_execution(id).create_time(1_000 + n as u64));
    }
    let client = client(&emulator);

    let flink: Vec<i64> = client
        .paginate(ListFlinkJobs::new().limit(4))
        .map(|j| j.map(|j| j.job_id.unwrap()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(flink, (1..=10).rev().collect::<Vec<_>>()); // newest first
    // Offsets 0, 4, 8: the third reaches the total of 10.
    assert_eq!(
        queries(&emulator, "/streaming/jobs"),
        ["limit=4&offset=0", "limit=4&offset=4", "limit=4&offset=8"]
    );

    let training: Vec<i64> = client
        .paginate(ListTrainingJobs::new().per_page(5))
        .map(|j| j.map(|j| j.job_id.unwrap()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(training, (101..=110).collect::<Vec<_>>());
    // Pages 1 and 2 cover the total of 10: no third request.
    assert_eq!(
        queries(&emulator, "/training-jobs"),
        ["page=1&per_page=5", "page=2&per_page=5"]
    );

    let pages: Vec<Vec<ListJobExecutionsJobExecution>> = client
        .pages(ListJobExecutions::new().limit(2))
        .collect::<Result<_, _>>()
        .unwrap();
    let ids: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.iter().map(|e| e.id.as_deref().unwrap()).collect())
        .collect();
    assert_eq!(ids, [vec!["e-3", "e-2"], vec!["e-1"]]); // newest first
    assert_eq!(
        queries(&emulator, "/job-executions"),
        ["limit=2", "limit=2&marker=e-2"]
    );
}

#[test]
fn iterators_are_lazy_and_empty_lists_end_after_one_request() {
    let emulator = emulator(Duration::ZERO);
    let client = client(&emulator);
    let items = client.paginate(ListFlinkJobs::new());
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        emulator.requests().is_empty(),
        "a page was fetched before the first next()"
    );
    let items: Vec<_> = items.collect();
    assert!(items.is_empty());
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn a_failed_page_ends_the_walk_with_its_error_after_the_items_before_it() {
    let emulator = emulator(Duration::ZERO);
    // 15 jobs, 10 a page: a second page is due.
    for id in 1..=15 {
        emulator.seed(SeedJob::flink_job(id));
    }
    let client = client(&emulator);
    let mut items = client.paginate(ListFlinkJobs::new().limit(10));
    for _ in 0..10 {
        items.next().unwrap().unwrap();
    }
    // The second page fails (403: not retried).
    emulator.add_fault(Fault::new(
        "GET",
        "/v1.0/*/streaming/jobs",
        FaultAction::Respond {
            status: 403,
            headers: Default::default(),
            body: r#"{"error_code":"APIG.0302","error_msg":"denied"}"#.into(),
        },
    ));
    let error = items.next().unwrap().unwrap_err();
    assert_eq!(error.code(), Some("APIG.0302"));
    assert!(items.next().is_none());
}

#[test]
fn each_page_is_one_call_with_its_retries() {
    let emulator = emulator(Duration::ZERO);
    emulator.seed(SeedJob::flink_job(7));
    emulator.add_fault(
        Fault::new(
            "GET",
            "/v1.0/*/streaming/jobs",
            FaultAction::Respond {
                status: 503,
                headers: Default::default(),
                body: String::new(),
            },
        )
        .times(2),
    );
    let client = client(&emulator);
    let jobs: Vec<_> = client
        .paginate(ListFlinkJobs::new())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(gets(&emulator, "/streaming/jobs"), 3);
}

#[test]
fn an_asynchronous_deletion_is_waited_for_until_gone() {
    let emulator = emulator(Duration::from_millis(300));
    emulator.seed(SeedJob::visualization_job(3001));
    let client = client(&emulator);
    let deletion = DeleteVisualizationJob::new("3001".parse().unwrap());
    let outcome = client.delete_and_wait(&deletion, fast()).unwrap();
    let WaitOutcome::Gone { polls, elapsed } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(polls >= 2, "{polls} polls");
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert_eq!(polls as usize, gets(&emulator, "/visualization-jobs/3001"));
    // Already gone: the deletion says "not found", no poll.
    let again = client.delete_and_wait(&deletion, fast()).unwrap();
    assert!(
        matches!(again, WaitOutcome::Gone { polls: 0, .. }),
        "{again:?}"
    );
}

#[test]
fn a_failed_status_and_a_timeout_are_outcomes() {
    let emulator = emulator(Duration::from_secs(30));
    emulator.seed(SeedJob::visualization_job(3006).status(6));
    emulator.seed(SeedJob::visualization_job(3009));
    let client = client(&emulator);
    let failed = DeleteVisualizationJob::new("3006".parse().unwrap());
    let outcome = client.wait_until_deleted(&failed, fast()).unwrap();
    assert_eq!(outcome, WaitOutcome::Failed { status: "6".into() });

    let slow = DeleteVisualizationJob::new("3009".parse().unwrap());
    let started = std::time::Instant::now();
    let options = fast().max_wait(Duration::from_millis(300));
    let outcome = client.delete_and_wait(&slow, options).unwrap();
    let WaitOutcome::TimedOut {
        last_status, polls, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(last_status.as_deref(), Some("9")); // deleting
    assert!(polls >= 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_synchronous_deletion_is_confirmed_by_one_poll() {
    let emulator = emulator(Duration::ZERO);
    emulator.seed(SeedJob::flink_job(148));
    let client = client(&emulator);
    let outcome = client
        .delete_and_wait(&DeleteFlinkJob::new(148), fast())
        .unwrap();
    assert!(
        matches!(outcome, WaitOutcome::Gone { polls: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(gets(&emulator, "/streaming/jobs/148"), 1);
}

#[test]
fn a_synchronous_deletion_still_present_after_its_answer_is_said_after_one_poll() {
    let emulator = emulator(Duration::ZERO);
    emulator.seed(SeedJob::flink_job(149));
    // The deletion is answered but not done (a lagging replica): the job stays.
    emulator.add_fault(Fault::new(
        "DELETE",
        "/v1.0/*/streaming/jobs/149",
        FaultAction::Respond {
            status: 200,
            headers: [("Content-Type".to_owned(), "application/json".to_owned())].into(),
            body: r#"{"is_success":"true","message":"The job is deleted."}"#.into(),
        },
    ));
    let client = client(&emulator);
    let outcome = client
        .delete_and_wait(&DeleteFlinkJob::new(149), fast())
        .unwrap();
    assert_eq!(
        outcome,
        WaitOutcome::StillPresent {
            status: Some("job_running".into())
        }
    );
    assert_eq!(gets(&emulator, "/streaming/jobs/149"), 1);
}

#[test]
fn a_non_retryable_poll_error_ends_the_wait() {
    let emulator = emulator(Duration::from_secs(30));
    emulator.seed(SeedJob::visualization_job(3002));
    emulator.add_fault(Fault::new(
        "GET",
        "/v1/*/visualization-jobs/3002",
        FaultAction::Respond {
            status: 403,
            headers: Default::default(),
            body: r#"{"error_code":"APIG.0302","error_msg":"denied"}"#.into(),
        },
    ));
    let client = client(&emulator);
    let deletion = DeleteVisualizationJob::new("3002".parse().unwrap());
    let error = client.delete_and_wait(&deletion, fast()).unwrap_err();
    assert_eq!(error.code(), Some("APIG.0302"));
    assert_eq!(gets(&emulator, "/visualization-jobs/3002"), 1);
}
