//! The call driver, sans IO: the time and the jitter are passed in at each step, so token
//! expiry and `Retry-After` dates are tested at any moment without a clock or a sleep.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use otc_jobs_core::UtcTime;
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_driver::{ClientBuilder, Exchange, Phase, Shared, Step};

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// 2024-05-21T10:20:30Z.
const T0: u64 = 1_716_286_830;

fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}

/// `YYYY-MM-DDTHH:MM:SS.000000Z`, as IAM writes `expires_at`.
fn rfc3339(unix: u64) -> String {
    let d = UtcTime::from_unix(unix).sdk_date();
    format!(
        "{}-{}-{}T{}:{}:{}.000000Z",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[9..11],
        &d[11..13],
        &d[13..15]
    )
}

fn password_client() -> Shared {
    let config = ClientBuilder::<()>::new()
        .password("alice", "pw", "OTC-EU-DE-1")
        .project_id(PROJECT)
        .region("eu-de")
        .config()
        .unwrap();
    Shared::new(config)
}

fn sent(step: Step<impl std::fmt::Debug>) -> Exchange {
    match step {
        Step::Send(exchange) => exchange,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

const DELETED: &str = r#"{"is_success": true, "message": "deleted"}"#;

/// One call of `DeleteFlinkJob` at `now`, answering a token request with a token that
/// expires at `expires` and the deletion with success; which requests went out.
fn delete_at(shared: &Shared, now: u64, expires: u64) -> Vec<(Phase, Option<String>)> {
    let operation = DeleteFlinkJob::new(148);
    let mut call = shared.call(&operation);
    let mut sent_requests = Vec::new();
    let mut step = call.advance(None, at(now), 0.5);
    loop {
        let exchange = match step {
            Step::Send(exchange) => exchange,
            Step::Done(result) => {
                assert_eq!(result.unwrap().is_success, Some(true));
                return sent_requests;
            }
            Step::Wait(wait) => panic!("no retry expected, got a wait of {wait:?}"),
        };
        let token = exchange
            .request
            .headers()
            .get("x-auth-token")
            .map(|v| v.to_str().unwrap().to_owned());
        sent_requests.push((exchange.phase, token));
        let reply = match exchange.phase {
            Phase::Token => answer(
                201,
                &[("x-subject-token", &format!("token-{now}"))],
                &format!(r#"{{"token": {{"expires_at": "{}"}}}}"#, rfc3339(expires)),
            ),
            _ => answer(200, &[], DELETED),
        };
        step = call.advance(Some(Ok(reply)), at(now), 0.5);
    }
}

#[test]
fn a_token_is_refreshed_by_the_time_passed_in() {
    let shared = password_client();
    let expires = T0 + 3600;
    // The first call logs in, then deletes with the new token.
    assert_eq!(
        delete_at(&shared, T0, expires),
        [
            (Phase::Token, None),
            (Phase::Operation, Some(format!("token-{T0}")))
        ]
    );
    // Just before the refresh margin (300 s by default): the cached token is used.
    let before = expires - 301;
    assert_eq!(
        delete_at(&shared, before, expires),
        [(Phase::Operation, Some(format!("token-{T0}")))]
    );
    // Within the margin: a new token first, then the deletion with it.
    let within = expires - 300;
    assert_eq!(
        delete_at(&shared, within, within + 3600),
        [
            (Phase::Token, None),
            (Phase::Operation, Some(format!("token-{within}")))
        ]
    );
}

#[test]
fn a_retry_after_date_is_read_against_the_time_passed_in() {
    let config = ClientBuilder::<()>::new()
        .ak_sk("AK", "SK")
        .project_id(PROJECT)
        .region("eu-de")
        .config()
        .unwrap();
    let shared = Shared::new(config);
    let operation = DeleteFlinkJob::new(148);
    let busy = || {
        let date = UtcTime::from_unix(T0 + 7).http_date();
        answer(503, &[("retry-after", &date)], "")
    };
    for (now, wait) in [(T0, 7), (T0 + 5, 2), (T0 + 60, 0)] {
        let mut call = shared.call(&operation);
        let exchange = sent(call.advance(None, at(now), 0.5));
        assert_eq!(
            exchange.request.headers()["x-sdk-date"],
            UtcTime::from_unix(now).sdk_date()
        );
        match call.advance(Some(Ok(busy())), at(now), 0.5) {
            Step::Wait(w) => assert_eq!(w, Duration::from_secs(wait), "at {now}"),
            other => panic!("expected a wait, got {other:?}"),
        }
    }
}

#[test]
fn the_backoff_is_drawn_by_the_jitter_passed_in() {
    let config = ClientBuilder::<()>::new()
        .ak_sk("AK", "SK")
        .project_id(PROJECT)
        .region("eu-de")
        .config()
        .unwrap();
    let shared = Shared::new(config);
    let operation = DeleteFlinkJob::new(148);
    // The first backoff ceiling of the default policy is 200 ms.
    for (jitter, wait_ms) in [(0.0, 0), (0.25, 50), (0.5, 100)] {
        let mut call = shared.call(&operation);
        let _ = sent(call.advance(None, at(T0), jitter));
        match call.advance(Some(Ok(answer(503, &[], ""))), at(T0), jitter) {
            Step::Wait(w) => assert_eq!(w, Duration::from_millis(wait_ms), "jitter {jitter}"),
            other => panic!("expected a wait, got {other:?}"),
        }
    }
}
