//! `Retry-After`: what an answer asked for, read from its headers. A fact the error keeps
//! (`ServiceError::retry_after`) and the retry policy honours, in a module of its own so
//! that neither needs the other for it.

use std::time::Duration;

use http::HeaderMap;

use crate::time::UtcTime;

/// What `Retry-After` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// Wait this long (the number-of-seconds form, which OTC's gateway sends).
    Delay(Duration),
    /// Try again at this moment (the HTTP-date form).
    At(UtcTime),
}

impl RetryAfter {
    /// How long to wait from `now` (a date in the past: no wait).
    pub fn wait_from(self, now: UtcTime) -> Duration {
        match self {
            RetryAfter::Delay(wait) => wait,
            RetryAfter::At(at) => Duration::from_secs(at.unix().saturating_sub(now.unix())),
        }
    }
}

/// Reads `Retry-After`: a number of seconds or an HTTP date (`Sun, 06 Nov 1994 08:49:37
/// GMT`); anything else reads as absent, and the backoff applies.
///
/// ```
/// use std::time::Duration;
/// use otc_jobs_core::{RetryAfter, retry_after};
/// let mut headers = http::HeaderMap::new();
/// headers.insert("retry-after", http::HeaderValue::from_static("3"));
/// assert_eq!(retry_after(&headers), Some(RetryAfter::Delay(Duration::from_secs(3))));
/// headers.insert("retry-after", http::HeaderValue::from_static("Tue, 21 May 2024 10:20:35 GMT"));
/// assert!(matches!(retry_after(&headers), Some(RetryAfter::At(t)) if t.sdk_date() == "20240521T102035Z"));
/// ```
pub fn retry_after(headers: &HeaderMap) -> Option<RetryAfter> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    match value.parse::<u64>() {
        Ok(seconds) => Some(RetryAfter::Delay(Duration::from_secs(seconds))),
        Err(_) => UtcTime::parse_http_date(value).map(RetryAfter::At),
    }
}
