//! The retry policy both clients use: which failures are retried, and how long to wait.
//!
//! Pure: the caller passes in the random draw, so a schedule is reproducible in tests.

use std::time::Duration;

use http::{Method, StatusCode};

use crate::error::{Error, ErrorKind, ResponseErrorKind, TransportErrorKind};
use crate::retry_after::RetryAfter;
use crate::time::UtcTime;

/// The error code of OTC's API gateway for a throttled request.
pub const THROTTLED_CODE: &str = "APIG.0308";

/// The limit a throttle's message states, in requests per second: OTC's gateway says
/// "The throttling threshold has been reached: policy user over ratelimit,limit:XX,time:1 second"
/// (or `time:1 minute`). `None` when the message says no such thing.
///
/// ```
/// use otc_jobs_core::throttle_limit;
/// let message = "The throttling threshold has been reached: policy user over ratelimit,limit:500,time:1 second";
/// assert_eq!(throttle_limit(message), Some(500.0));
/// assert_eq!(throttle_limit("policy user over ratelimit,limit:30,time:1 minute"), Some(0.5));
/// assert_eq!(throttle_limit("slow down"), None);
/// ```
pub fn throttle_limit(message: &str) -> Option<f64> {
    let (_, rest) = message.split_once("limit:")?;
    let (count, rest) = rest.split_once(",time:")?;
    let count: f64 = count.trim().parse().ok()?;
    let mut words = rest.split_whitespace();
    let amount: f64 = words.next()?.parse().ok()?;
    let unit = match words.next()?.trim_end_matches(['s', '.', ',']) {
        "second" => 1.0,
        "minute" => 60.0,
        "hour" => 3600.0,
        _ => return None,
    };
    let seconds = amount * unit;
    (count > 0.0 && seconds > 0.0).then(|| count / seconds)
}

/// When to retry and how long to wait: exponential backoff with full jitter and a cap.
///
/// ```
/// use std::time::Duration;
/// use otc_jobs_core::RetryPolicy;
/// let policy = RetryPolicy { max_attempts: 4, base: Duration::from_millis(100), cap: Duration::from_secs(2) };
/// // The third wait is drawn from [0, 400 ms); a draw of 0.5 gives 200 ms.
/// assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(200));
/// // Never more than the cap.
/// assert!(policy.backoff(30, 0.999_999) < Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many attempts in all (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff ceiling.
    pub base: Duration,
    /// The largest wait, for backoff and for `Retry-After`.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send again after this wait.
    RetryAfter(Duration),
    /// Report the error.
    GiveUp,
}

impl RetryPolicy {
    /// Never retry.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base: Duration::ZERO,
        cap: Duration::ZERO,
    };

    /// Decides after attempt number `attempts_made` (1-based) of an idempotent request
    /// failed with `error` (see [`RetryPolicy::decide_for`] for any request).
    /// `jitter` is a uniform random draw from `[0, 1)`.
    ///
    /// ```
    /// use otc_jobs_core::{Error, RetryDecision, RetryPolicy, Service, ServiceError};
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("retry-after", http::HeaderValue::from_static("3"));
    /// let throttled: Error = ServiceError::from_answer(
    ///     Service::Dli, http::StatusCode::TOO_MANY_REQUESTS, &headers,
    ///     br#"{"error_code":"APIG.0308","error_msg":"throttled"}"#).into();
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.decide(1, &throttled, 0.3), RetryDecision::RetryAfter(std::time::Duration::from_secs(3)));
    /// assert_eq!(policy.decide(policy.max_attempts, &throttled, 0.3), RetryDecision::GiveUp);
    /// ```
    pub fn decide(&self, attempts_made: u32, error: &Error, jitter: f64) -> RetryDecision {
        self.decide_for(true, attempts_made, error, jitter, None)
    }

    /// Like [`RetryPolicy::decide`], also honouring a `Retry-After` given as an HTTP date,
    /// which needs the time: `now`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use otc_jobs_core::UtcTime;
    /// use otc_jobs_core::{Error, RetryDecision, RetryPolicy, Service, ServiceError};
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("retry-after", http::HeaderValue::from_static("Tue, 21 May 2024 10:20:35 GMT"));
    /// let busy: Error = ServiceError::from_answer(Service::Dli, http::StatusCode::SERVICE_UNAVAILABLE, &headers, b"").into();
    /// let now = UtcTime::parse_sdk_date("20240521T102030Z").unwrap();
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.decide_at(1, &busy, 0.5, now), RetryDecision::RetryAfter(Duration::from_secs(5)));
    /// ```
    pub fn decide_at(
        &self,
        attempts_made: u32,
        error: &Error,
        jitter: f64,
        now: UtcTime,
    ) -> RetryDecision {
        self.decide_for(true, attempts_made, error, jitter, Some(now))
    }

    /// Decides for any request: `idempotent` says whether sending it twice has the effect
    /// of sending it once (for an operation: [`is_idempotent`] of its method). A failure
    /// that leaves the first request's fate unknown ([`is_ambiguous`]) is retried only
    /// when it is. `now` (when given) lets a `Retry-After` date be honoured.
    ///
    /// ```
    /// use otc_jobs_core::{Error, RetryDecision, RetryPolicy, TransportError, TransportErrorKind, is_idempotent};
    /// let timeout: Error = TransportError::new(TransportErrorKind::Timeout, "no answer in 30 s").into();
    /// let policy = RetryPolicy::default();
    /// // A DELETE that timed out is sent again: deleting twice deletes once.
    /// let delete = is_idempotent(&http::Method::DELETE);
    /// assert!(matches!(policy.decide_for(delete, 1, &timeout, 0.5, None), RetryDecision::RetryAfter(_)));
    /// // A POST that timed out may have been carried out: report it.
    /// let post = is_idempotent(&http::Method::POST);
    /// assert_eq!(policy.decide_for(post, 1, &timeout, 0.5, None), RetryDecision::GiveUp);
    /// ```
    pub fn decide_for(
        &self,
        idempotent: bool,
        attempts_made: u32,
        error: &Error,
        jitter: f64,
        now: Option<UtcTime>,
    ) -> RetryDecision {
        if attempts_made >= self.max_attempts
            || !is_retryable(error)
            || (!idempotent && is_ambiguous(error))
        {
            return RetryDecision::GiveUp;
        }
        // A date needs the time; without it the backoff applies.
        let asked = match error.kind() {
            ErrorKind::Service(e) => match (e.retry_after, now) {
                (Some(RetryAfter::Delay(wait)), _) => Some(wait),
                (Some(at @ RetryAfter::At(_)), Some(now)) => Some(at.wait_from(now)),
                _ => None,
            },
            _ => None,
        };
        if let Some(wait) = asked {
            // A wait beyond the cap would stall the caller; report instead.
            return if wait <= self.cap {
                RetryDecision::RetryAfter(wait)
            } else {
                RetryDecision::GiveUp
            };
        }
        RetryDecision::RetryAfter(self.backoff(attempts_made, jitter))
    }

    /// The full-jitter wait after attempt `attempts_made`: `jitter * min(cap, base * 2^(n-1))`.
    pub fn backoff(&self, attempts_made: u32, jitter: f64) -> Duration {
        let exp = attempts_made.saturating_sub(1).min(31);
        let ceiling = self
            .base
            .checked_mul(1u32 << exp)
            .unwrap_or(self.cap)
            .min(self.cap);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let wait = ceiling.mul_f64(jitter);
        // Full jitter draws from [0, ceiling): keep a draw of 1.0 inside it.
        if wait >= ceiling && !ceiling.is_zero() {
            ceiling - Duration::from_millis(1).min(ceiling)
        } else {
            wait
        }
    }
}

/// Whether the service throttled the request: HTTP 429 or the API gateway's
/// [`THROTTLED_CODE`] (`APIG.0308`).
///
/// ```
/// use otc_jobs_core::{Error, Service, ServiceError, is_throttled};
/// let throttled = Error::from(ServiceError::from_answer(
///     Service::Dli,
///     http::StatusCode::TOO_MANY_REQUESTS,
///     &http::HeaderMap::new(),
///     br#"{"error_code": "APIG.0308", "error_msg": "too many requests"}"#,
/// ));
/// assert!(is_throttled(&throttled));
/// ```
pub fn is_throttled(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Service(e) => {
            e.status == StatusCode::TOO_MANY_REQUESTS || e.code.as_deref() == Some(THROTTLED_CODE)
        }
        _ => false,
    }
}

/// Whether another attempt of an idempotent request may succeed where this one failed:
/// throttling (429, `APIG.0308`), 500, 502, 503, 504, failures before any answer, and
/// answers that timed out, were cut short or were not readable JSON (a transient fault
/// of a gateway or the network; the next answer is likely whole). Not: "not found"
/// answers, failed TLS handshakes (a certificate does not become trusted), answers above
/// the size limit (the next is as large), and errors before sending. For a request that
/// is not idempotent, [`RetryPolicy::decide_for`] also leaves out [`is_ambiguous`] failures.
pub fn is_retryable(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Transport(e) => match e.kind {
            TransportErrorKind::Connect
            | TransportErrorKind::Refused
            | TransportErrorKind::Closed
            | TransportErrorKind::Io
            | TransportErrorKind::Timeout => true,
            TransportErrorKind::Tls => false,
        },
        ErrorKind::Service(e) => {
            !e.is_not_found()
                && (e.code.as_deref() == Some(THROTTLED_CODE)
                    || matches!(
                        e.status,
                        StatusCode::TOO_MANY_REQUESTS
                            | StatusCode::INTERNAL_SERVER_ERROR
                            | StatusCode::BAD_GATEWAY
                            | StatusCode::SERVICE_UNAVAILABLE
                            | StatusCode::GATEWAY_TIMEOUT
                    ))
        }
        ErrorKind::Response(e) => {
            matches!(
                e.kind,
                ResponseErrorKind::Truncated | ResponseErrorKind::Malformed
            )
        }
        _ => false,
    }
}

/// Whether the failure leaves the request's fate unknown: it may have reached the service
/// and been carried out, but no clear answer came back (a timeout, a connection closed
/// before or during the answer, a truncated or unreadable answer, a gateway's 500, 502
/// or 504 that may come after the backend acted). Not ambiguous: a connection that could
/// not be made, a failed TLS handshake, throttling and 503 (refused before acting), and
/// every other answer of the service.
///
/// ```
/// use otc_jobs_core::{Error, TransportError, TransportErrorKind, is_ambiguous};
/// let closed: Error = TransportError::new(TransportErrorKind::Closed, "eof").into();
/// assert!(is_ambiguous(&closed));
/// let refused: Error = TransportError::new(TransportErrorKind::Refused, "refused").into();
/// assert!(!is_ambiguous(&refused));
/// ```
pub fn is_ambiguous(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Transport(e) => matches!(
            e.kind,
            TransportErrorKind::Closed | TransportErrorKind::Io | TransportErrorKind::Timeout
        ),
        ErrorKind::Response(e) => matches!(
            e.kind,
            ResponseErrorKind::Truncated | ResponseErrorKind::Malformed
        ),
        ErrorKind::Service(e) => {
            !e.is_not_found()
                && e.code.as_deref() != Some(THROTTLED_CODE)
                && matches!(
                    e.status,
                    StatusCode::INTERNAL_SERVER_ERROR
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::GATEWAY_TIMEOUT
                )
        }
        _ => false,
    }
}

/// Whether sending a request with `method` twice has the effect of sending it once
/// (RFC 9110, 9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE. Not POST nor PATCH: that
/// includes DLI's batch delete (`POST .../streaming/jobs/delete`), whose answer to a
/// second send is not the answer to the first, so it is not retried after an
/// ambiguous failure either.
///
/// ```
/// use otc_jobs_core::is_idempotent;
/// assert!(is_idempotent(&http::Method::DELETE));
/// assert!(!is_idempotent(&http::Method::POST));
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ResponseError, ServiceError, TransportError};
    use crate::retry_after::retry_after;
    use http::HeaderMap;

    fn service(status: u16, body: &str) -> Error {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        // MRS: its "no such job" is a 500 (`0176`), the case the policy must tell apart.
        ServiceError::from_answer(
            crate::Service::Mrs,
            status,
            &HeaderMap::new(),
            body.as_bytes(),
        )
        .into()
    }

    #[test]
    fn classifies() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable(&service(s, "")), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable(&service(s, "")), "{s}");
        }
        assert!(is_retryable(&service(
            403,
            r#"{"error_code":"APIG.0308","error_msg":"x"}"#
        )));
        // MRS reports a missing job with 500; retrying cannot help.
        assert!(!is_retryable(&service(
            500,
            r#"{"error_code":"0176","error_msg":"x"}"#
        )));
        assert!(is_retryable(
            &TransportError::new(TransportErrorKind::Connect, "host not found").into()
        ));
        assert!(is_retryable(
            &TransportError::new(TransportErrorKind::Refused, "refused").into()
        ));
        assert!(is_retryable(
            &TransportError::new(TransportErrorKind::Closed, "eof").into()
        ));
        assert!(is_retryable(
            &TransportError::new(TransportErrorKind::Timeout, "slow").into()
        ));
        assert!(!is_retryable(
            &TransportError::new(TransportErrorKind::Tls, "UnknownIssuer").into()
        ));
    }

    fn response(kind: ResponseErrorKind) -> Error {
        ResponseError::new(kind, "x", StatusCode::OK, &HeaderMap::new(), b"{").into()
    }

    #[test]
    fn ambiguous_failures_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default();
        let retries = |idempotent: bool, e: &Error| {
            matches!(
                p.decide_for(idempotent, 1, e, 0.5, None),
                RetryDecision::RetryAfter(_)
            )
        };
        let ambiguous = [
            TransportError::new(TransportErrorKind::Timeout, "slow").into(),
            TransportError::new(TransportErrorKind::Closed, "eof").into(),
            TransportError::new(TransportErrorKind::Io, "reset").into(),
            response(ResponseErrorKind::Truncated),
            response(ResponseErrorKind::Malformed),
            service(502, ""),
            service(504, ""),
            service(500, ""),
        ];
        for e in &ambiguous {
            assert!(is_ambiguous(e), "{e}");
            assert!(retries(true, e), "{e}");
            assert!(!retries(false, e), "{e}");
        }
        // Nothing reached the service, or it refused before acting: any method.
        let clear = [
            TransportError::new(TransportErrorKind::Connect, "host not found").into(),
            TransportError::new(TransportErrorKind::Refused, "refused").into(),
            service(503, ""),
            service(429, ""),
        ];
        for e in &clear {
            assert!(!is_ambiguous(e), "{e}");
            assert!(retries(true, e) && retries(false, e), "{e}");
        }
        // Never, whatever the method.
        let never = [
            TransportError::new(TransportErrorKind::Tls, "UnknownIssuer").into(),
            service(404, ""),
            service(500, r#"{"error_code":"0176","error_msg":"x"}"#),
            response(ResponseErrorKind::TooLarge { limit: 1 }),
        ];
        for e in &never {
            assert!(!retries(true, e) && !retries(false, e), "{e}");
        }
        assert!(is_idempotent(&Method::DELETE) && is_idempotent(&Method::GET));
        assert!(!is_idempotent(&Method::POST) && !is_idempotent(&Method::PATCH));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        assert_eq!(p.backoff(1, 0.5), Duration::from_millis(50));
        assert_eq!(p.backoff(2, 0.5), Duration::from_millis(100));
        assert_eq!(p.backoff(4, 0.5), Duration::from_millis(400));
        assert_eq!(p.backoff(5, 0.5), Duration::from_millis(500));
        assert_eq!(p.backoff(40, 0.5), Duration::from_millis(500));
        assert_eq!(p.backoff(3, 0.0), Duration::ZERO);
        assert!(p.backoff(3, 1.0) < Duration::from_millis(400));
        assert_eq!(p.backoff(3, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", http::HeaderValue::from_static("7"));
        let e: Error = ServiceError::from_answer(
            crate::Service::Dli,
            StatusCode::SERVICE_UNAVAILABLE,
            &h,
            b"",
        )
        .into();
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(1, &e, 0.9),
            RetryDecision::RetryAfter(Duration::from_secs(7))
        );
        let short = RetryPolicy {
            cap: Duration::from_secs(5),
            ..p
        };
        assert_eq!(short.decide(1, &e, 0.9), RetryDecision::GiveUp);
        h.insert(
            "retry-after",
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert!(matches!(retry_after(&h), Some(RetryAfter::At(_))));
        h.insert("retry-after", http::HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
        h.insert(
            "retry-after",
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        let e: Error = ServiceError::from_answer(
            crate::Service::Dli,
            StatusCode::SERVICE_UNAVAILABLE,
            &h,
            b"",
        )
        .into();
        let now = UtcTime::parse_sdk_date("20151021T072750Z").unwrap();
        assert_eq!(
            p.decide_at(1, &e, 0.9, now),
            RetryDecision::RetryAfter(Duration::from_secs(10))
        );
        // A date in the past: retry at once. Without the time: the backoff.
        let later = UtcTime::parse_sdk_date("20151021T080000Z").unwrap();
        assert_eq!(
            p.decide_at(1, &e, 0.9, later),
            RetryDecision::RetryAfter(Duration::ZERO)
        );
        assert_eq!(
            p.decide(1, &e, 0.5),
            RetryDecision::RetryAfter(p.backoff(1, 0.5))
        );
        // Far in the future: beyond the cap, give up.
        let long_before = UtcTime::parse_sdk_date("20151021T060000Z").unwrap();
        assert_eq!(p.decide_at(1, &e, 0.9, long_before), RetryDecision::GiveUp);
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let p = RetryPolicy::default();
        let e = service(503, "");
        assert!(matches!(p.decide(1, &e, 0.1), RetryDecision::RetryAfter(_)));
        assert_eq!(p.decide(4, &e, 0.1), RetryDecision::GiveUp);
        assert_eq!(RetryPolicy::NONE.decide(1, &e, 0.1), RetryDecision::GiveUp);
    }
}
