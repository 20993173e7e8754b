//! What both clients do the same way, decided once: timeouts, retries, the size limit of
//! an answer, and redirects.

use std::time::Duration;

use crate::retry::RetryPolicy;

/// The default limit on the size of an answer's body: 10 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// The transport policy shared by `otc-jobs-async` and `otc-jobs-blocking`.
///
/// ```
/// use otc_jobs_core::ClientPolicy;
/// let policy = ClientPolicy::default();
/// assert_eq!(policy.max_response_bytes, 10 * 1024 * 1024);
/// assert!(!policy.follow_redirects);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPolicy {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one attempt may take, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Retries and backoff.
    pub retry: RetryPolicy,
    /// A larger answer fails with [`ResponseErrorKind::TooLarge`](crate::ResponseErrorKind)
    /// without being buffered.
    pub max_response_bytes: u64,
    /// Always `false`: a signed request is never re-sent to another place.
    pub follow_redirects: bool,
    /// Refresh an IAM token this many seconds before it expires.
    pub token_refresh_margin_seconds: u64,
    /// Retry a throttled answer (429, `APIG.0308`) inside the call, after its
    /// `Retry-After` (the default). A caller that paces many calls itself sets `false`
    /// and gets the throttled answer at once, to slow all its calls down together (the
    /// `otc-jobs` tool's shared throttle does).
    pub retry_throttled: bool,
    /// Pace the calls to each service by an adaptive client-side rate that finds the API
    /// gateway's limit (off by default): unlimited until the first throttle, then cut on
    /// each throttle and grown back (the driver's `AdaptiveRate`). For many calls at once,
    /// so that few of them are throttled.
    pub adaptive_rate: bool,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        ClientPolicy {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            follow_redirects: false,
            token_refresh_margin_seconds: 300,
            retry_throttled: true,
            adaptive_rate: false,
        }
    }
}
