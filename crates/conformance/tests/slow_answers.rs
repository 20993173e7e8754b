//! Answers whose body stalls or trickles after the head (from the raw server: the emulator
//! has no such fault): both clients report a timeout with the answer's status, never a
//! truncated body, and retry it as a DELETE allows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use otc_jobs_conformance::raw::{Script, run};
use otc_jobs_conformance::{ClientSpec, Flavour, Op, Outcome};

fn spec() -> ClientSpec {
    ClientSpec {
        timeout: Duration::from_millis(300),
        ..ClientSpec::default()
    }
}

/// Runs `script` with both clients; both must agree; returns the outcome and the longest
/// duration.
fn conform(script: Script, op: &Op) -> (Outcome, Duration) {
    let (from_async, async_elapsed) = run(script, &spec(), op, Flavour::Async);
    let (from_blocking, blocking_elapsed) = run(script, &spec(), op, Flavour::Blocking);
    assert_eq!(
        from_async, from_blocking,
        "the clients disagree on {script:?}"
    );
    (from_async, async_elapsed.max(blocking_elapsed))
}

fn assert_timed_out(o: &Outcome, elapsed: Duration) {
    assert_eq!(
        (o.result.as_str(), o.status, o.attempts, o.request_id),
        ("transport:Timeout", Some(200), 3, true),
        "{o:?}"
    );
    assert!(o.earlier_unknown, "{o:?}");
    assert_eq!(o.requests.get("DELETE op"), Some(&3), "{o:?}");
    // Three attempts of 300 ms and short backoffs; not the server's 5 s hold.
    assert!(elapsed < Duration::from_millis(3_000), "took {elapsed:?}");
}

#[test]
fn whole_answer_is_read() {
    let (o, _) = conform(Script::Whole, &Op::FlinkJob(1));
    assert_eq!(o.result, "ok", "{o:?}");
    assert_eq!(o.requests.get("DELETE op"), Some(&1), "{o:?}");
}

#[test]
fn stall_after_the_head_is_a_timeout() {
    let (o, elapsed) = conform(Script::StallAfterHead, &Op::FlinkJob(2));
    assert_timed_out(&o, elapsed);
}

#[test]
fn stall_mid_body_is_a_timeout() {
    let (o, elapsed) = conform(Script::StallMidBody { bytes: 20 }, &Op::TrainingJob(3));
    assert_timed_out(&o, elapsed);
}

#[test]
fn trickle_slower_than_the_timeout_is_a_timeout() {
    let every = Duration::from_millis(40);
    let (o, elapsed) = conform(Script::Trickle { every }, &Op::JobExecution("exec-4"));
    assert_timed_out(&o, elapsed);
}
