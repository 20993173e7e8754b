//! The waiter, sans IO: a synthetic clock and synthetic poll answers; nothing sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The clock is read once per test, for an `Instant` to start the synthetic clock from
// (`Instant` has no other constructor); the crate itself may not read it (clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use otc_jobs_core::{
    Deletion, DeletionProbe, Error, JobState, Operation, OperationResponse, PathValue, Service,
    ServiceError, TransportError, TransportErrorKind,
};
use otc_jobs_driver::{WaitOptions, WaitOutcome, WaitStep, Waiter};

#[derive(Debug, Clone)]
struct GetJob;

#[derive(Debug, serde::Deserialize)]
struct Detail {
    status: Option<String>,
}

impl OperationResponse for Detail {}

impl Operation for GetJob {
    type Response = Detail;
    const NAME: &'static str = "GetJob";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/jobs/1";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl DeletionProbe for GetJob {
    fn job_state(response: &Detail) -> JobState {
        match response.status.as_deref() {
            Some("6") => JobState::Failed { status: "6".into() },
            status => JobState::Present {
                status: status.map(String::from),
            },
        }
    }
}

/// A deletion; `ASYNC` as ModelArts (true) or DLI/MRS (false).
struct DeleteJob<const ASYNC: bool>;

impl<const ASYNC: bool> Operation for DeleteJob<ASYNC> {
    type Response = Detail;
    const NAME: &'static str = "DeleteJob";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/jobs/1";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl<const ASYNC: bool> Deletion for DeleteJob<ASYNC> {
    type Probe = GetJob;
    const ASYNCHRONOUS: bool = ASYNC;
    fn probe(&self) -> GetJob {
        GetJob
    }
}

fn present(status: &str) -> Result<Detail, Error> {
    Ok(Detail {
        status: Some(status.into()),
    })
}

fn service_error(status: u16, code: &str) -> Error {
    service_error_of(Service::ModelArts, status, code)
}

fn service_error_of(service: Service, status: u16, code: &str) -> Error {
    ServiceError::from_answer(
        service,
        http::StatusCode::from_u16(status).unwrap(),
        &http::HeaderMap::new(),
        format!(r#"{{"error_code":"{code}","error_msg":"..."}}"#).as_bytes(),
    )
    .into()
}

fn not_found() -> Result<Detail, Error> {
    Err(service_error(404, "ModelArts.2775"))
}

/// What a run of the waiter did.
#[derive(Debug)]
struct Run {
    outcome: Result<WaitOutcome, Error>,
    polls: u32,
    sleeps: Vec<Duration>,
    /// The synthetic time spent sleeping and polling.
    elapsed: Duration,
}

/// Runs a waiter over `answers` (one per poll), each poll taking `poll_time` on the
/// synthetic clock; the jitter draws are `jitter`.
fn run<const ASYNC: bool>(
    options: WaitOptions,
    poll_time: Duration,
    jitter: f64,
    mut answers: impl FnMut(u32) -> Result<Detail, Error>,
) -> Run {
    let start = Instant::now();
    let mut now = start;
    let mut waiter = Waiter::new(&DeleteJob::<ASYNC>, options, now);
    let (mut polls, mut sleeps, mut answer) = (0, Vec::new(), None);
    for _ in 0..10_000 {
        match waiter.advance(answer.take(), now, jitter) {
            WaitStep::Poll(GetJob) => {
                polls += 1;
                now += poll_time;
                answer = Some(answers(polls));
            }
            WaitStep::Sleep(wait) => {
                sleeps.push(wait);
                now += wait;
            }
            WaitStep::Done(outcome) => {
                assert_eq!(waiter.polls(), polls);
                return Run {
                    outcome,
                    polls,
                    sleeps,
                    elapsed: now - start,
                };
            }
        }
    }
    panic!("the wait did not end");
}

fn quick() -> WaitOptions {
    WaitOptions::default()
        .max_wait(Duration::from_secs(60))
        .delays(Duration::from_secs(1), Duration::from_secs(8))
}

#[test]
fn gone_after_k_polls_with_growing_sleeps() {
    let r = run::<true>(quick(), Duration::from_millis(100), 0.999, |n| {
        if n < 5 { present("9") } else { not_found() }
    });
    let outcome = r.outcome.unwrap();
    assert_eq!(r.polls, 5);
    assert_eq!(
        outcome,
        WaitOutcome::Gone {
            polls: 5,
            elapsed: r.elapsed
        }
    );
    assert!(outcome.is_gone());
    // A draw near 1 gives the ceilings: 1 s, 2 s, 4 s, then 8 s (the maximum).
    let whole: Vec<u64> = r
        .sleeps
        .iter()
        .map(|d| d.as_millis() as u64 / 100)
        .collect();
    assert_eq!(whole, [10, 19, 39, 79]);
}

#[test]
fn every_not_found_code_means_gone() {
    for (service, status, code) in [
        (Service::ModelArts, 404, "ModelArts.2775"),
        (Service::Dli, 400, "DLI.0002"),
        (Service::Dli, 400, "DLI.16001"),
        (Service::ModelArts, 400, "ModelArts.2842"),
        (Service::Mrs, 500, "0176"),
        (Service::Mrs, 500, "0201"),
        (Service::ModelArts, 404, "ModelArts.3502"),
    ] {
        let r = run::<true>(quick(), Duration::ZERO, 0.5, |_| {
            Err(service_error_of(service, status, code))
        });
        assert!(
            matches!(r.outcome, Ok(WaitOutcome::Gone { polls: 1, .. })),
            "{status} {code}: {:?}",
            r.outcome
        );
    }
}

/// A 404 that is not the service's word (the gateway's "no such API", another
/// service's code) ends the wait with that error: the job is not known to be gone.
#[test]
fn a_404_not_from_the_service_is_an_error_not_gone() {
    for code in ["APIG.0101", "DLI.0002", "anything"] {
        let r = run::<true>(quick(), Duration::ZERO, 0.5, |_| {
            Err(service_error(404, code))
        });
        let e = r.outcome.unwrap_err();
        assert_eq!(e.code(), Some(code));
        assert!(e.is_misconfiguration(), "{e}");
        assert_eq!(r.polls, 1);
    }
}

#[test]
fn a_failed_deletion_status_ends_the_wait() {
    let r = run::<true>(quick(), Duration::ZERO, 0.5, |n| {
        if n < 3 { present("9") } else { present("6") }
    });
    assert_eq!(
        r.outcome.unwrap(),
        WaitOutcome::Failed { status: "6".into() }
    );
    assert_eq!(r.polls, 3);
}

#[test]
fn timed_out_within_the_maximum_wait() {
    let options = quick().max_wait(Duration::from_secs(10));
    let r = run::<true>(options, Duration::ZERO, 0.999, |_| present("9"));
    let Ok(WaitOutcome::TimedOut {
        last_status,
        polls,
        elapsed,
    }) = r.outcome
    else {
        panic!("{:?}", r.outcome)
    };
    assert_eq!(last_status.as_deref(), Some("9"));
    assert_eq!(polls, r.polls);
    // Sleeps ~1 + 2 + 4 s, then the rest of the 10 s (not 8 s), then a last poll.
    assert_eq!(elapsed, Duration::from_secs(10));
    assert!(r.sleeps.iter().sum::<Duration>() <= Duration::from_secs(10));
    assert_eq!(r.polls, 5);
    // Polls that take time count against the wait too.
    let r = run::<true>(options, Duration::from_secs(3), 0.0, |_| present("9"));
    assert!(matches!(r.outcome, Ok(WaitOutcome::TimedOut { .. })));
    assert!(r.elapsed <= Duration::from_secs(10) + Duration::from_secs(3));
}

#[test]
fn a_zero_maximum_wait_polls_once() {
    let options = quick().max_wait(Duration::ZERO);
    let r = run::<true>(options, Duration::ZERO, 0.5, |_| present("9"));
    assert!(matches!(
        r.outcome,
        Ok(WaitOutcome::TimedOut { polls: 1, .. })
    ));
    assert!(r.sleeps.is_empty());
}

#[test]
fn backoff_stays_between_the_minimum_and_the_ceiling() {
    let options = quick(); // 1 s .. 8 s
    for polls in 1..40 {
        let ceiling = Duration::from_secs(1 << (polls - 1).min(3));
        for jitter in [0.0, 0.1, 0.5, 0.9, 0.999_999, 1.0, -3.0, 7.0, f64::NAN] {
            let wait = options.backoff(polls, jitter);
            assert!(wait >= Duration::from_secs(1), "{polls} {jitter}: {wait:?}");
            assert!(wait <= ceiling, "{polls} {jitter}: {wait:?}");
        }
    }
    assert_eq!(options.backoff(4, 0.0), Duration::from_secs(1));
    assert_eq!(options.backoff(4, 0.5), Duration::from_millis(4500));
    // Defaults: 2 s .. 20 s, at most 5 minutes.
    let defaults = WaitOptions::default();
    assert_eq!(defaults.min_delay, Duration::from_secs(2));
    assert_eq!(defaults.max_delay, Duration::from_secs(20));
    assert_eq!(defaults.max_wait, Duration::from_secs(300));
    // A maximum below the minimum reads as the minimum.
    let odd = WaitOptions::default().delays(Duration::from_secs(5), Duration::from_secs(1));
    assert_eq!(odd.backoff(9, 0.7), Duration::from_secs(5));
}

#[test]
fn synchronous_deletions_are_confirmed_by_one_poll() {
    let r = run::<false>(quick(), Duration::ZERO, 0.5, |_| not_found());
    assert!(matches!(r.outcome, Ok(WaitOutcome::Gone { polls: 1, .. })));
    assert!(r.sleeps.is_empty());
    let r = run::<false>(quick(), Duration::ZERO, 0.5, |_| present("job_running"));
    assert_eq!(
        r.outcome.unwrap(),
        WaitOutcome::StillPresent {
            status: Some("job_running".into())
        }
    );
    assert_eq!(r.polls, 1);
    assert!(r.sleeps.is_empty());
    // A transient failure of the one poll (after its call's retries) is reported.
    let r = run::<false>(quick(), Duration::ZERO, 0.5, |_| {
        Err(service_error(503, "APIG.0201"))
    });
    assert_eq!(
        r.outcome.unwrap_err().status().map(|s| s.as_u16()),
        Some(503)
    );
    assert_eq!(r.polls, 1);
}

#[test]
fn a_transient_poll_failure_is_polled_past_and_a_permanent_one_ends_the_wait() {
    // 503 on polls 2 and 3, then gone: the wait goes on.
    let r = run::<true>(quick(), Duration::ZERO, 0.5, |n| match n {
        1 => present("9"),
        2 => Err(service_error(503, "APIG.0201")),
        3 => Err(TransportError::new(TransportErrorKind::Closed, "reset").into()),
        _ => not_found(),
    });
    assert!(matches!(r.outcome, Ok(WaitOutcome::Gone { polls: 4, .. })));
    // 403 (not retryable): the wait ends at once with that error.
    let r = run::<true>(quick(), Duration::ZERO, 0.5, |n| {
        if n == 1 {
            present("9")
        } else {
            Err(service_error(403, "APIG.0302"))
        }
    });
    let e = r.outcome.unwrap_err();
    assert_eq!(e.code(), Some("APIG.0302"));
    assert_eq!(r.polls, 2);
    // Transient failures until the time is spent: the last error, not a silent timeout.
    let options = quick().max_wait(Duration::from_secs(5));
    let r = run::<true>(options, Duration::ZERO, 0.5, |_| {
        Err(service_error(502, "APIG.0201"))
    });
    assert_eq!(
        r.outcome.unwrap_err().status().map(|s| s.as_u16()),
        Some(502)
    );
    assert_eq!(r.elapsed, Duration::from_secs(5));
}

#[test]
fn a_spent_waiter_keeps_answering_done() {
    let start = Instant::now();
    let mut waiter = Waiter::new(&DeleteJob::<true>, quick(), start);
    assert!(matches!(
        waiter.advance(None, start, 0.5),
        WaitStep::Poll(_)
    ));
    assert!(matches!(
        waiter.advance(Some(not_found()), start, 0.5),
        WaitStep::Done(Ok(WaitOutcome::Gone { .. }))
    ));
    assert!(matches!(
        waiter.advance(None, start, 0.5),
        WaitStep::Done(Ok(_))
    ));
    assert_eq!(waiter.polls(), 1);
}
