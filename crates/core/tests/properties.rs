//! Properties a fuzzer is the wrong tool for: the retry schedule's bounds over every
//! policy, attempt and draw, and the canonical query's order (sorted, whatever order the
//! pairs come in).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use otc_jobs_core::auth::canonical::canonical_query;
use otc_jobs_core::{
    Error, RetryDecision, RetryPolicy, ServiceError, TransportError, TransportErrorKind,
};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (1u32..10, 0u64..10_000, 0u64..100_000).prop_map(|(max_attempts, base, cap)| RetryPolicy {
        max_attempts,
        base: Duration::from_millis(base),
        cap: Duration::from_millis(cap),
    })
}

fn jitter() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..1.0,
        Just(1.0),
        Just(-0.5),
        Just(7.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
    ]
}

/// The full-jitter ceiling of attempt `n`: `min(cap, base * 2^(n-1))`.
fn ceiling(p: &RetryPolicy, n: u32) -> Duration {
    p.base
        .checked_mul(1u32 << n.saturating_sub(1).min(31))
        .unwrap_or(p.cap)
        .min(p.cap)
}

proptest! {
    #[test]
    fn a_backoff_stays_below_its_ceiling_and_the_cap(p in policy(), n in 0u32..200, j in jitter()) {
        let wait = p.backoff(n, j);
        let top = ceiling(&p, n);
        prop_assert!(wait <= p.cap);
        prop_assert!(wait < top || top.is_zero(), "{wait:?} >= {top:?}");
        // Ceilings never shrink as attempts go on.
        prop_assert!(ceiling(&p, n) <= ceiling(&p, n + 1));
    }

    #[test]
    fn a_decision_never_waits_beyond_the_cap_nor_past_the_last_attempt(
        p in policy(),
        n in 1u32..20,
        j in jitter(),
        status in prop_oneof![Just(429u16), Just(500), Just(502), Just(503), Just(504), Just(404)],
        retry_after in proptest::option::of(0u64..100),
        idempotent in any::<bool>(),
    ) {
        let mut headers = http::HeaderMap::new();
        if let Some(seconds) = retry_after {
            headers.insert("retry-after", seconds.into());
        }
        let errors: [Error; 2] = [
            ServiceError::from_answer(otc_jobs_core::Service::Dli, http::StatusCode::from_u16(status).unwrap(), &headers, b"").into(),
            TransportError::new(TransportErrorKind::Timeout, "slow").into(),
        ];
        for e in &errors {
            match p.decide_for(idempotent, n, e, j, None) {
                RetryDecision::RetryAfter(wait) => {
                    prop_assert!(n < p.max_attempts);
                    prop_assert!(wait <= p.cap);
                    prop_assert!(!e.is_not_found());
                }
                RetryDecision::GiveUp => {}
            }
        }
    }

    #[test]
    fn the_canonical_query_is_sorted_whatever_the_order(
        pairs in proptest::collection::vec(("[a-zA-Z0-9_%~ .-]{0,6}", "[a-zA-Z0-9_%~ =.-]{0,6}"), 0..8),
        seed in any::<u64>(),
    ) {
        let join = |pairs: &[(String, String)]| {
            pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
        };
        let query = join(&pairs);
        let canonical = canonical_query(&query);
        // The same pairs in another order give the same canonical query.
        let mut shuffled = pairs.clone();
        let len = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % len);
        if seed & 1 == 1 {
            shuffled.reverse();
        }
        prop_assert_eq!(canonical_query(&join(&shuffled)), canonical.clone());
        // Its pairs are in byte order of their decoded names, then values.
        let decoded: Vec<(Vec<u8>, Vec<u8>)> = canonical
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (percent_decode_str(k).collect(), percent_decode_str(v).collect())
            })
            .collect();
        prop_assert!(decoded.windows(2).all(|w| w[0] <= w[1]), "{canonical}");
        // And it is its own canonical form.
        prop_assert_eq!(canonical_query(&canonical), canonical);
    }
}

/// Found by `fuzz/run.sh` (target `dates`): a 29-byte text with a multi-byte character
/// across a field of the HTTP date panicked instead of reading as no date.
#[test]
fn dates_with_multibyte_characters_read_as_none() {
    use otc_jobs_core::auth::SigningTime;
    assert_eq!(
        SigningTime::parse_http_date("2024\u{FFFD}?\u{FFFD}\u{FFFD}22T\u{FFFD}.T1000Z0T"),
        None
    );
    assert_eq!(
        SigningTime::parse_http_date("Tue, 21 Ma\u{e9} 2024 10:20:3 GMT"),
        None
    );
    assert_eq!(
        SigningTime::parse_http_date("Tu\u{e9} 21 May 2024 10:20:30 GMT"),
        None
    );
}

proptest! {
    #[test]
    fn any_text_is_a_date_or_none(text in "\\PC{0,40}") {
        use otc_jobs_core::auth::SigningTime;
        let _ = SigningTime::parse_http_date(&text);
        let _ = SigningTime::parse_sdk_date(&text);
        let _ = SigningTime::parse_rfc3339(&text);
    }
}
