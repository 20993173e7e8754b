//! `Retry-After` and the date readers: any text reads or is refused without a panic; a
//! date that reads writes back to the same moment; any `Retry-After` gives a decision
//! within the policy's cap.
#![no_main]

use std::time::Duration;

use http::{HeaderMap, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use otc_jobs_core::auth::SigningTime;
use otc_jobs_core::{Error, RetryDecision, RetryPolicy, ServiceError, retry_after};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(t) = SigningTime::parse_http_date(&text) {
        assert_eq!(
            SigningTime::parse_http_date(&t.http_date()),
            Some(t),
            "{text:?}"
        );
    }
    if let Some(t) = SigningTime::parse_sdk_date(&text) {
        assert_eq!(
            SigningTime::parse_sdk_date(&t.sdk_date()),
            Some(t),
            "{text:?}"
        );
    }
    if let Some(t) = SigningTime::parse_rfc3339(&text) {
        let _ = t.sdk_date();
    }
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(http::header::RETRY_AFTER, value);
    let _ = retry_after(&headers);
    let busy: Error = ServiceError::from_answer(
        otc_jobs_core::Service::Dli,
        StatusCode::SERVICE_UNAVAILABLE,
        &headers,
        b"",
    )
    .into();
    let policy = RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(100),
        cap: Duration::from_secs(20),
    };
    for now in [0, 1_716_286_830, u64::MAX / 2] {
        match policy.decide_at(1, &busy, 0.5, SigningTime::from_unix(now)) {
            RetryDecision::RetryAfter(wait) => assert!(wait <= policy.cap),
            RetryDecision::GiveUp => {}
        }
    }
});
