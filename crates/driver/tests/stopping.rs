//! The stop-then-delete machine, sans IO: a synthetic clock, synthetic answers, a
//! simulated job that stops some time after its kill; nothing sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The clock is read once per test, for an `Instant` to start the synthetic clock from.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use otc_jobs_core::{
    DeletionProbe, Error, JobState, Operation, OperationResponse, PathValue, Service, ServiceError,
};
use otc_jobs_driver::{Deleted, MAX_DELETIONS, StopAnswer, StopStep, StopThenDelete, WaitOptions};

#[derive(Debug, Clone)]
struct GetJob;

#[derive(Debug, serde::Deserialize)]
struct Detail {
    job_state: String,
}

impl OperationResponse for Detail {}

impl Operation for GetJob {
    type Response = Detail;
    const NAME: &'static str = "GetJob";
    const SERVICE: Service = Service::Mrs;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v2/{project_id}/clusters/c/job-executions/j";
    const SUCCESS_STATUS: &'static [u16] = &[202];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl DeletionProbe for GetJob {
    fn job_state(response: &Detail) -> JobState {
        JobState::Present {
            status: Some(response.job_state.clone()),
        }
    }
}

const RUNNING: &[&str] = &["New", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"];

fn mrs_error(status: u16, code: &str, message: &str) -> Error {
    let mut headers = http::HeaderMap::new();
    headers.insert("x-request-id", http::HeaderValue::from_static("req-42"));
    ServiceError::from_answer(
        Service::Mrs,
        http::StatusCode::from_u16(status).unwrap(),
        &headers,
        format!(r#"{{"error_code":"{code}","error_msg":"{message}"}}"#).as_bytes(),
    )
    .into()
}

/// A job as MRS keeps it: `state`; a kill makes it `KILLED` after `kill_delay` (never
/// when `None`); the first `busy_deletes` deletions are refused `0183` whatever the state.
struct Job {
    state: &'static str,
    kill_delay: Option<Duration>,
    killed_at: Option<Duration>,
    busy_deletes: u32,
    gone: bool,
}

#[derive(Debug, Default, PartialEq)]
struct Log {
    looks: u32,
    kills: u32,
    deletes: u32,
    slept: Duration,
}

impl Job {
    fn running(kill_delay: Option<Duration>) -> Job {
        Job {
            state: "RUNNING",
            kill_delay,
            killed_at: None,
            busy_deletes: 0,
            gone: false,
        }
    }

    fn state_at(&self, t: Duration) -> &'static str {
        match (self.killed_at, self.kill_delay) {
            (Some(k), Some(d)) if t >= k + d => "KILLED",
            _ => self.state,
        }
    }
}

/// Drives the machine over `job` to its end.
fn run(job: &mut Job, options: WaitOptions) -> (Result<Deleted, Error>, Log) {
    let start = Instant::now();
    let mut t = Duration::ZERO;
    let mut machine = StopThenDelete::new(GetJob, RUNNING, "0183", options, start);
    let mut log = Log::default();
    let mut answer = None;
    for _ in 0..1000 {
        match machine.advance(answer.take(), start + t, 0.5) {
            StopStep::Look(_) => {
                log.looks += 1;
                answer = Some(StopAnswer::Look(if job.gone {
                    Err(mrs_error(500, "0176", "The job does not exist."))
                } else {
                    Ok(Detail {
                        job_state: job.state_at(t).to_owned(),
                    })
                }));
            }
            StopStep::Stop => {
                log.kills += 1;
                job.killed_at.get_or_insert(t);
                answer = Some(StopAnswer::Sent(Ok(())));
            }
            StopStep::Delete => {
                log.deletes += 1;
                let busy = job.busy_deletes > 0 || RUNNING.contains(&job.state_at(t));
                job.busy_deletes = job.busy_deletes.saturating_sub(1);
                answer = Some(StopAnswer::Sent(if busy {
                    Err(mrs_error(400, "0183", "The job is running."))
                } else {
                    job.gone = true;
                    Ok(())
                }));
            }
            StopStep::Sleep(d) => {
                log.slept += d;
                t += d;
            }
            StopStep::Done(outcome) => return (outcome, log),
        }
    }
    panic!("the machine did not end");
}

fn options(max_wait_ms: u64) -> WaitOptions {
    WaitOptions::default()
        .max_wait(Duration::from_millis(max_wait_ms))
        .delays(Duration::from_millis(100), Duration::from_millis(1000))
}

#[test]
fn a_job_that_is_over_is_deleted_without_a_kill() {
    let mut job = Job::running(None);
    job.state = "FINISHED";
    let (outcome, log) = run(&mut job, options(10_000));
    assert_eq!(outcome.unwrap(), Deleted::new(false));
    assert_eq!((log.looks, log.kills, log.deletes), (1, 0, 1));
    assert!(job.gone);
}

#[test]
fn a_kill_that_takes_at_once_is_deleted_after_one_poll() {
    let mut job = Job::running(Some(Duration::ZERO));
    let (outcome, log) = run(&mut job, options(10_000));
    assert_eq!(outcome.unwrap(), Deleted::new(true));
    assert_eq!((log.looks, log.kills, log.deletes), (2, 1, 1));
    assert_eq!(log.slept, Duration::ZERO);
}

#[test]
fn a_slow_kill_is_waited_for_before_the_deletion() {
    let mut job = Job::running(Some(Duration::from_millis(1500)));
    let (outcome, log) = run(&mut job, options(10_000));
    assert_eq!(outcome.unwrap(), Deleted::new(true));
    assert_eq!((log.kills, log.deletes), (1, 1), "{log:?}");
    assert!(log.looks >= 3, "{log:?}");
    assert!(log.slept >= Duration::from_millis(1500), "{log:?}");
}

#[test]
fn a_busy_refusal_after_the_stop_is_retried_after_a_pause() {
    let mut job = Job::running(Some(Duration::ZERO));
    job.busy_deletes = 1;
    let (outcome, log) = run(&mut job, options(10_000));
    assert_eq!(outcome.unwrap(), Deleted::new(true));
    assert_eq!((log.kills, log.deletes), (1, 2), "{log:?}");
    assert!(log.slept >= Duration::from_millis(100), "{log:?}");
}

#[test]
fn a_job_that_never_stops_ends_with_the_refusal_naming_its_status() {
    let mut job = Job::running(None);
    let (outcome, log) = run(&mut job, options(2_000));
    let e = outcome.unwrap_err();
    assert_eq!(e.code(), Some("0183"));
    assert_eq!(e.request_id(), Some("req-42"));
    let text = e.to_string();
    assert!(
        text.contains("RUNNING") && text.contains("killed"),
        "{text}"
    );
    // One deletion once the wait is spent, no retry after it.
    assert_eq!((log.kills, log.deletes), (1, 1), "{log:?}");
    assert!(log.slept <= Duration::from_millis(2_000), "{log:?}");
    assert!(!job.gone);
}

#[test]
fn busy_refusals_end_after_the_most_deletions() {
    let mut job = Job::running(Some(Duration::ZERO));
    job.state = "FINISHED";
    job.busy_deletes = u32::MAX;
    let (outcome, log) = run(&mut job, options(600_000));
    let e = outcome.unwrap_err();
    assert_eq!(e.code(), Some("0183"));
    assert!(e.to_string().contains("FINISHED"), "{e}");
    assert_eq!((log.kills, log.deletes), (0, MAX_DELETIONS), "{log:?}");
}

#[test]
fn busy_refusals_end_when_the_time_is_spent() {
    let mut job = Job::running(Some(Duration::ZERO));
    job.busy_deletes = u32::MAX;
    let (outcome, log) = run(&mut job, options(150));
    assert_eq!(outcome.unwrap_err().code(), Some("0183"));
    assert!(log.deletes < MAX_DELETIONS, "{log:?}");
    assert!(log.slept <= Duration::from_millis(150), "{log:?}");
}

#[test]
fn a_job_gone_at_the_first_look_is_not_found_and_after_the_kill_gone_once_stopped() {
    let mut job = Job::running(None);
    job.gone = true;
    let (outcome, log) = run(&mut job, options(1_000));
    assert!(outcome.unwrap_err().is_not_found());
    assert_eq!((log.looks, log.kills, log.deletes), (1, 0, 0));

    // Killed, then gone by itself: gone, nothing deleted (the kill was this deletion's).
    let start = Instant::now();
    let mut machine = StopThenDelete::new(GetJob, RUNNING, "0183", options(1_000), start);
    assert!(matches!(
        machine.advance(None, start, 0.0),
        StopStep::Look(_)
    ));
    let running = Some(StopAnswer::Look(Ok(Detail {
        job_state: "RUNNING".into(),
    })));
    assert!(matches!(
        machine.advance(running, start, 0.0),
        StopStep::Stop
    ));
    assert!(matches!(
        machine.advance(Some(StopAnswer::Sent(Ok(()))), start, 0.0),
        StopStep::Look(_)
    ));
    let gone = Some(StopAnswer::Look(Err(mrs_error(500, "0176", "gone"))));
    let StopStep::Done(Ok(done)) = machine.advance(gone, start, 0.0) else {
        panic!()
    };
    assert_eq!(done, Deleted::gone_once_stopped());
    // Spent: it says so rather than asking for more calls.
    assert!(matches!(
        machine.advance(None, start, 0.0),
        StopStep::Done(Err(_))
    ));
}

#[test]
fn a_refused_kill_ends_with_its_error() {
    let start = Instant::now();
    let mut machine = StopThenDelete::new(GetJob, RUNNING, "0183", options(1_000), start);
    let _ = machine.advance(None, start, 0.0);
    let running = Some(StopAnswer::Look(Ok(Detail {
        job_state: "ACCEPTED".into(),
    })));
    assert!(matches!(
        machine.advance(running, start, 0.0),
        StopStep::Stop
    ));
    let refused = Some(StopAnswer::Sent(Err(mrs_error(
        400,
        "0175",
        "Failed to terminate the job.",
    ))));
    let StopStep::Done(Err(e)) = machine.advance(refused, start, 0.0) else {
        panic!()
    };
    assert_eq!(e.code(), Some("0175"));
}
