//! Every fault kind, matching and counting, through the library and the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Conn, Outcome, PID, api, call, send, signed, wire};
use otc_jobs_emulator::{Delivery, Emulator, EmulatorConfig, Fault, FaultAction, SeedJob};
use serde_json::json;

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed(SeedJob::flink_job(77));
    emulator
}

fn delete_path() -> String {
    format!("/v1.0/{PID}/streaming/jobs/77")
}

const ANY_DLI_JOB: &str = "/v1.0/*/streaming/jobs/*";

#[test]
fn respond_with_status_headers_and_body_the_next_n_times() {
    let emulator = emulator();
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("Retry-After".to_owned(), "2".to_owned());
    emulator.add_fault(
        Fault::new(
            "DELETE",
            ANY_DLI_JOB,
            FaultAction::Respond {
                status: 429,
                headers,
                body:
                    json!({ "error_code": "APIG.0308", "error_msg": "The request is throttled." })
                        .to_string(),
            },
        )
        .times(2),
    );
    for _ in 0..2 {
        let reply = api(&emulator, "DELETE", &delete_path());
        assert_eq!(reply.status, 429);
        assert_eq!(reply.header("retry-after"), Some("2"));
        assert_eq!(reply.json()["error_code"], "APIG.0308");
        assert!(reply.header("x-request-id").is_some());
        // Not processed.
        assert_eq!(emulator.jobs().len(), 1);
    }
    assert_eq!(api(&emulator, "DELETE", &delete_path()).status, 200);
    let recorded = emulator.requests();
    let faults: Vec<Option<&str>> = recorded.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(faults, [Some("respond"), Some("respond"), None]);
    assert_eq!(recorded[0].error_code.as_deref(), Some("APIG.0308"));
    assert_eq!(recorded[0].status, Some(429));
}

#[test]
fn faults_match_method_and_path() {
    let emulator = emulator();
    emulator.add_fault(Fault::new(
        "GET",
        ANY_DLI_JOB,
        FaultAction::Respond {
            status: 503,
            headers: Default::default(),
            body: String::new(),
        },
    ));
    // Another method, another path: untouched, and the fault stays.
    assert_eq!(
        api(&emulator, "GET", &format!("/v1.1/{PID}/job-executions")).status,
        200
    );
    assert_eq!(api(&emulator, "DELETE", &delete_path()).status, 200);
    emulator.seed(SeedJob::flink_job(77));
    assert_eq!(api(&emulator, "GET", &delete_path()).status, 503);
    assert_eq!(api(&emulator, "GET", &delete_path()).status, 200);
    // Any method.
    emulator.add_fault(Fault {
        method: None,
        ..Fault::new(
            "GET",
            "*",
            FaultAction::Respond {
                status: 502,
                headers: Default::default(),
                body: String::new(),
            },
        )
    });
    assert_eq!(api(&emulator, "PUT", "/x").status, 502);
    // The admin API is never faulted.
    emulator.add_fault(Fault {
        method: None,
        ..Fault::new(
            "GET",
            "*",
            FaultAction::Close {
                after_processing: false,
            },
        )
    });
    assert_eq!(call(&emulator, "GET", "/_emulator/jobs", "").status, 200);
    emulator.clear_faults();
    assert_eq!(api(&emulator, "GET", &delete_path()).status, 200);
}

#[test]
fn delay_then_answer() {
    let emulator = emulator();
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::Delay { ms: 300 },
    ));
    let started = Instant::now();
    let reply = api(&emulator, "DELETE", &delete_path());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, 200);
    assert!(emulator.jobs().is_empty());
    assert_eq!(emulator.requests()[0].fault.as_deref(), Some("delay"));
}

#[test]
fn close_without_answering() {
    let emulator = emulator();
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::Close {
            after_processing: false,
        },
    ));
    assert!(matches!(
        send(&emulator, &signed(&emulator, "DELETE", &delete_path())),
        Outcome::Closed
    ));
    assert_eq!(emulator.jobs().len(), 1, "not processed");
    let recorded = emulator.requests();
    assert_eq!(
        (recorded[0].status, recorded[0].fault.as_deref()),
        (None, Some("close"))
    );

    // After processing: the job is gone, the answer is lost.
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::Close {
            after_processing: true,
        },
    ));
    assert!(matches!(
        send(&emulator, &signed(&emulator, "DELETE", &delete_path())),
        Outcome::Closed
    ));
    assert!(emulator.jobs().is_empty());
    assert_eq!(emulator.requests()[1].signature_verified, Some(true));
}

#[test]
fn close_on_a_kept_alive_connection() {
    let emulator = emulator();
    let mut conn = Conn::open(emulator.local_addr());
    let list = format!("/v1.0/{PID}/streaming/jobs");
    assert_eq!(
        conn.send(&signed(&emulator, "GET", &list)).reply().status,
        200
    );
    emulator.add_fault(Fault::new(
        "GET",
        &list,
        FaultAction::Close {
            after_processing: false,
        },
    ));
    assert!(matches!(
        conn.send(&signed(&emulator, "GET", &list)),
        Outcome::Closed
    ));
}

#[test]
fn truncated_body() {
    let emulator = emulator();
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::TruncatedBody {
            status: 200,
            body: None,
        },
    ));
    match send(&emulator, &signed(&emulator, "DELETE", &delete_path())) {
        Outcome::Truncated {
            status,
            got,
            announced,
        } => {
            assert_eq!(status, 200);
            assert!(got < announced && announced > 0, "{got}/{announced}");
        }
        other => panic!("expected a truncated body, got {other:?}"),
    }
    assert_eq!(emulator.jobs().len(), 1);
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::TruncatedBody {
            status: 503,
            body: Some("0123456789".into()),
        },
    ));
    match send(&emulator, &signed(&emulator, "DELETE", &delete_path())) {
        Outcome::Truncated {
            status,
            got,
            announced,
        } => assert_eq!((status, got, announced), (503, 5, 10)),
        other => panic!("expected a truncated body, got {other:?}"),
    }
}

/// Reads an answer's head byte by byte (so nothing of the body is consumed): the status
/// line and the headers, names in lower case.
fn read_head(stream: &mut TcpStream) -> (String, Vec<(String, String)>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!(
                "the head ended early ({other:?}): {:?}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let head = String::from_utf8(head).unwrap();
    let mut lines = head.trim_end().split("\r\n");
    let status_line = lines.next().unwrap().to_owned();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    (status_line, headers)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The default body of a `truncated_body` fault.
const TRUNCATED_DEFAULT: &str =
    r#"{"is_success": true, "message": "The job is successfully deleted."}"#;

#[test]
fn truncated_body_sends_the_head_then_half_the_body_then_eof() {
    let emulator = emulator();
    let mut stream = TcpStream::connect(emulator.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();

    // A whole answer first: the fault also works on a kept-alive connection.
    let list = format!("/v1.0/{PID}/streaming/jobs");
    stream
        .write_all(&wire(&signed(&emulator, "GET", &list)))
        .unwrap();
    let (status_line, headers) = read_head(&mut stream);
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    let length: usize = header(&headers, "content-length").unwrap().parse().unwrap();
    stream.read_exact(&mut vec![0; length]).unwrap();

    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::TruncatedBody {
            status: 200,
            body: None,
        },
    ));
    stream
        .write_all(&wire(&signed(&emulator, "DELETE", &delete_path())))
        .unwrap();
    let (status_line, headers) = read_head(&mut stream);
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    let full = TRUNCATED_DEFAULT.as_bytes();
    assert_eq!(
        header(&headers, "content-length"),
        Some(full.len().to_string().as_str()),
        "{headers:?}"
    );
    assert!(
        header(&headers, "content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let recorded = emulator.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(
        header(&headers, "x-request-id"),
        Some(recorded[1].request_id.as_str())
    );
    // Exactly half the body, then EOF (a clean close, not a reset).
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&rest),
        TRUNCATED_DEFAULT[..full.len() / 2]
    );
    assert_eq!(emulator.jobs().len(), 1, "not processed");
    assert_eq!(
        (recorded[1].status, recorded[1].fault.as_deref()),
        (Some(200), Some("truncated_body"))
    );
}

#[test]
fn truncated_body_waits_for_a_slow_reader() {
    // The client reads nothing for a while: the emulator must not give up on the part while
    // it cannot write it all. The halves are just under and well over what hyper buffers at
    // once (about 400 KiB); the larger is more than loopback sockets hold unread.
    let emulator = emulator();
    for total in [800_000, 16 * 1024 * 1024] {
        let full: String = (0..total)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        emulator.add_fault(Fault::new(
            "DELETE",
            ANY_DLI_JOB,
            FaultAction::TruncatedBody {
                status: 503,
                body: Some(full.clone()),
            },
        ));
        let mut stream = TcpStream::connect(emulator.local_addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
            .write_all(&wire(&signed(&emulator, "DELETE", &delete_path())))
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let (status_line, headers) = read_head(&mut stream);
        assert_eq!(status_line, "HTTP/1.1 503 Service Unavailable");
        assert_eq!(
            header(&headers, "content-length"),
            Some(total.to_string().as_str())
        );
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        assert_eq!(rest.len(), total / 2, "of {total}");
        assert!(rest == full.as_bytes()[..total / 2]);
    }
}

#[test]
fn malformed_json() {
    let emulator = emulator();
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::MalformedJson { status: 200 },
    ));
    let reply = api(&emulator, "DELETE", &delete_path());
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
    assert_eq!(emulator.jobs().len(), 1);
    let err = otc_jobs_core::ServiceError::from_answer(
        otc_jobs_core::Service::Dli,
        http::StatusCode::BAD_REQUEST,
        &http::HeaderMap::new(),
        &reply.body,
    );
    assert!(!err.is_not_found());
}

#[test]
fn oversized_body() {
    let emulator = emulator();
    let bytes = 3 * 1024 * 1024 + 17;
    emulator.add_fault(Fault::new(
        "DELETE",
        ANY_DLI_JOB,
        FaultAction::OversizedBody { status: 200, bytes },
    ));
    let reply = api(&emulator, "DELETE", &delete_path());
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-length"),
        Some(bytes.to_string().as_str())
    );
    assert_eq!(reply.body.len() as u64, bytes);
    assert_eq!(
        reply.json()["is_success"],
        true,
        "oversized but well-formed"
    );
    assert_eq!(emulator.jobs().len(), 1);
    // The default is 16 MiB.
    let fault: Fault =
        serde_json::from_value(json!({"path": "*", "action": {"kind": "oversized_body"}})).unwrap();
    assert_eq!(
        fault.action,
        FaultAction::OversizedBody {
            status: 200,
            bytes: 16 * 1024 * 1024
        }
    );
}

#[test]
fn faults_through_the_admin_api() {
    let emulator = emulator();
    let faults = json!([
        { "method": "DELETE", "path": ANY_DLI_JOB, "times": 1,
          "action": { "kind": "respond", "status": 503, "headers": { "Retry-After": "1" }, "body": "{\"error_code\": \"DLI.0999\", \"error_msg\": \"busy\"}" } },
        { "method": "DELETE", "path": ANY_DLI_JOB, "action": { "kind": "close" } },
        { "method": "DELETE", "path": ANY_DLI_JOB, "action": { "kind": "truncated_body" } },
        { "method": "DELETE", "path": ANY_DLI_JOB, "action": { "kind": "malformed_json", "status": 502 } },
        { "method": "DELETE", "path": ANY_DLI_JOB, "action": { "kind": "oversized_body", "bytes": 100000 } },
        { "method": "DELETE", "path": ANY_DLI_JOB, "action": { "kind": "delay", "ms": 10 } }
    ]);
    let created = call(&emulator, "POST", "/_emulator/faults", &faults.to_string());
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        call(&emulator, "GET", "/_emulator/faults", "")
            .json()
            .as_array()
            .unwrap()
            .len(),
        6
    );

    // They apply in order.
    let reply = api(&emulator, "DELETE", &delete_path());
    assert_eq!(
        (reply.status, reply.header("retry-after")),
        (503, Some("1"))
    );
    assert!(matches!(
        send(&emulator, &signed(&emulator, "DELETE", &delete_path())),
        Outcome::Closed
    ));
    assert!(matches!(
        send(&emulator, &signed(&emulator, "DELETE", &delete_path())),
        Outcome::Truncated { .. }
    ));
    assert_eq!(api(&emulator, "DELETE", &delete_path()).status, 502);
    assert_eq!(api(&emulator, "DELETE", &delete_path()).body.len(), 100_000);
    assert_eq!(api(&emulator, "DELETE", &delete_path()).status, 200);
    assert!(
        call(&emulator, "GET", "/_emulator/faults", "")
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );

    // DELETE clears them.
    call(
        &emulator,
        "POST",
        "/_emulator/faults",
        &json!({"path": "*", "times": 5, "action": {"kind": "close"}}).to_string(),
    );
    assert_eq!(
        call(&emulator, "DELETE", "/_emulator/faults", "").status,
        204
    );
    assert_eq!(
        api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs")).status,
        200
    );

    // Bad faults are refused.
    for bad in [
        json!({"path": "*"}),
        json!({"path": "*", "action": {"kind": "explode"}}),
        json!([1, 2]),
    ] {
        let reply = call(&emulator, "POST", "/_emulator/faults", &bad.to_string());
        assert_eq!(reply.status, 400, "{bad}");
        assert!(reply.json()["error"].is_string());
    }
}

/// Every kind of fault with `apply_first`: the deletion happens, then the answer is spoilt.
#[test]
fn every_fault_kind_can_apply_the_request_first() {
    let actions = [
        (
            FaultAction::Respond {
                status: 503,
                headers: Default::default(),
                body: String::new(),
            },
            Delivery::Sent,
        ),
        (FaultAction::Delay { ms: 50 }, Delivery::Sent),
        (
            FaultAction::Close {
                after_processing: false,
            },
            Delivery::Closed,
        ),
        (
            FaultAction::TruncatedBody {
                status: 200,
                body: None,
            },
            Delivery::Truncated,
        ),
        (
            FaultAction::MalformedJson { status: 200 },
            Delivery::Malformed,
        ),
        (
            FaultAction::OversizedBody {
                status: 200,
                bytes: 4096,
            },
            Delivery::Oversized,
        ),
    ];
    for (action, delivery) in actions {
        let emulator = emulator();
        let kind = action.kind();
        emulator.add_fault(Fault::new("DELETE", ANY_DLI_JOB, action).apply_first());
        let outcome = send(&emulator, &signed(&emulator, "DELETE", &delete_path()));
        match (kind, &outcome) {
            ("respond", Outcome::Reply(r)) => assert_eq!(r.status, 503),
            ("delay", Outcome::Reply(r)) => assert_eq!(r.status, 200),
            ("close", Outcome::Closed) | ("truncated_body", Outcome::Truncated { .. }) => {}
            ("malformed_json", Outcome::Reply(r)) => {
                assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err())
            }
            ("oversized_body", Outcome::Reply(r)) => assert_eq!(r.body.len(), 4096),
            _ => panic!("{kind}: unexpected {outcome:?}"),
        }
        assert!(emulator.jobs().is_empty(), "{kind}: the deletion happened");
        let recorded = &emulator.requests()[0];
        assert_eq!(recorded.fault.as_deref(), Some(kind));
        assert!(recorded.handled, "{kind}");
        assert_eq!(recorded.delivery, delivery, "{kind}");
        assert_eq!(recorded.signature_verified, Some(true), "{kind}");
    }
}

#[test]
fn without_apply_first_a_spoilt_answer_leaves_the_job() {
    for action in [
        FaultAction::MalformedJson { status: 200 },
        FaultAction::TruncatedBody {
            status: 200,
            body: None,
        },
    ] {
        let emulator = emulator();
        emulator.add_fault(Fault::new("DELETE", ANY_DLI_JOB, action));
        let _ = send(&emulator, &signed(&emulator, "DELETE", &delete_path()));
        assert_eq!(emulator.jobs().len(), 1);
        assert!(!emulator.requests()[0].handled);
    }
}

#[test]
fn a_truncated_answer_after_applying_is_the_requests_own() {
    let emulator = emulator();
    emulator.add_fault(
        Fault::new(
            "DELETE",
            ANY_DLI_JOB,
            FaultAction::TruncatedBody {
                status: 200,
                body: None,
            },
        )
        .apply_first(),
    );
    let whole = r#"{"is_success":"true","message":"The job is successfully deleted."}"#;
    match send(&emulator, &signed(&emulator, "DELETE", &delete_path())) {
        Outcome::Truncated { got, announced, .. } => {
            assert_eq!((got, announced), (whole.len() / 2, whole.len()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emulator.requests()[0].body, whole[..whole.len() / 2]);
}

/// Which of `n` detail requests got the 503 of a fault with `probability` and `seed`.
fn faulted(probability: f64, seed: u64, n: usize) -> Vec<usize> {
    let emulator = emulator();
    emulator.add_fault(
        Fault::new(
            "GET",
            ANY_DLI_JOB,
            FaultAction::Respond {
                status: 503,
                headers: Default::default(),
                body: String::new(),
            },
        )
        .probability(probability, seed)
        .always(),
    );
    let mut conn = Conn::open(emulator.local_addr());
    let hits: Vec<usize> = (0..n)
        .filter(|_| {
            conn.send(&signed(&emulator, "GET", &delete_path()))
                .reply()
                .status
                == 503
        })
        .collect();
    // Every request is recorded, with the fault when it got it.
    let recorded = emulator.requests();
    assert_eq!(recorded.len(), n);
    let recorded_hits: Vec<usize> = (0..n)
        .filter(|i| recorded[*i].fault.as_deref() == Some("respond"))
        .collect();
    assert_eq!(recorded_hits, hits);
    hits
}

#[test]
fn a_probability_fault_is_deterministic_for_its_seed() {
    let first = faulted(0.3, 42, 60);
    assert_eq!(faulted(0.3, 42, 60), first, "same seed, same requests");
    assert!(
        (5..=35).contains(&first.len()),
        "about 30% of 60: {}",
        first.len()
    );
    assert_ne!(faulted(0.3, 7, 60), first, "another seed, other requests");
    assert!(faulted(0.0, 42, 10).is_empty());
    assert_eq!(faulted(1.0, 42, 10).len(), 10);
}

#[test]
fn a_request_the_client_gave_up_on_during_a_delay_is_recorded() {
    for apply_first in [false, true] {
        let emulator = emulator();
        let fault = Fault::new("DELETE", ANY_DLI_JOB, FaultAction::Delay { ms: 3_000 });
        emulator.add_fault(if apply_first {
            fault.apply_first()
        } else {
            fault
        });
        let started = Instant::now();
        {
            let mut stream = TcpStream::connect(emulator.local_addr()).unwrap();
            stream
                .write_all(&wire(&signed(&emulator, "DELETE", &delete_path())))
                .unwrap();
            std::thread::sleep(Duration::from_millis(100));
            // Gives up: the connection closes here.
        }
        // Recorded on arrival, pending while delayed...
        let first = emulator.requests();
        assert_eq!(first.len(), 1, "recorded on arrival");
        // ... then completed when the emulator notices the client is gone.
        let recorded = loop {
            let r = emulator.requests().pop().unwrap();
            if r.delivery != Delivery::Pending {
                break r;
            }
            assert!(
                started.elapsed() < Duration::from_millis(2_500),
                "not completed during the delay"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(
            (
                recorded.fault.as_deref(),
                recorded.delivery,
                recorded.status,
                recorded.handled
            ),
            (Some("delay"), Delivery::Abandoned, None, apply_first)
        );
        // Without apply_first the deletion never happened; with it, it did.
        assert_eq!(emulator.jobs().is_empty(), apply_first);
    }
}

#[test]
fn probability_and_apply_first_through_the_admin_api() {
    let emulator = emulator();
    let fault = json!({"method": "DELETE", "path": ANY_DLI_JOB, "times": 3, "apply_first": true,
        "probability": 0.5, "seed": 9, "action": {"kind": "malformed_json"}});
    let reply = call(&emulator, "POST", "/_emulator/faults", &fault.to_string());
    assert_eq!(reply.status, 201, "{}", reply.text());
    let listed = emulator.faults();
    assert_eq!(
        (listed[0].apply_first, listed[0].probability, listed[0].seed),
        (true, Some(0.5), 9)
    );
    for bad in [1.5, -0.1] {
        let fault = json!({"path": "*", "probability": bad, "action": {"kind": "delay", "ms": 1}});
        let reply = call(&emulator, "POST", "/_emulator/faults", &fault.to_string());
        assert_eq!(reply.status, 400, "{bad}");
        assert!(reply.text().contains("probability"));
    }
    assert_eq!(emulator.faults().len(), 1);
    assert_eq!(
        Fault::new("GET", "*", FaultAction::Delay { ms: 1 })
            .probability(f64::NAN, 1)
            .probability,
        Some(0.0)
    );
}
