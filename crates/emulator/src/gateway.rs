//! The API gateway's throttling: a token bucket per (project, service), answering 429
//! `APIG.0308` as OTC's gateway does when a user's calls of an API go over its limit
//! ("policy user over ratelimit,limit:XX,time:1 second"). No `Retry-After` unless asked
//! for: the real gateway's documentation promises none.

use std::collections::HashMap;
use std::time::Instant;

use http::{HeaderValue, StatusCode};
use otc_jobs_core::Service;
use serde::{Deserialize, Serialize};

use crate::answer::Answer;

/// A limit of `limit` requests per `per_seconds` seconds (1 or 60) for each project and
/// service, as `--rate-limit 500/s` or `--rate-limit 30/min` set it.
///
/// ```
/// use otc_jobs_emulator::RateLimit;
/// let limit: RateLimit = "500/s".parse()?;
/// assert_eq!((limit.limit, limit.per_seconds), (500, 1));
/// assert_eq!("30/min".parse::<RateLimit>()?.per_seconds, 60);
/// assert!("fast".parse::<RateLimit>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests per period.
    pub limit: u32,
    /// The period in seconds: 1 (`/s`, the default) or 60 (`/min`).
    #[serde(default = "one_second")]
    pub per_seconds: u32,
    /// With a 429, `Retry-After` in seconds (default none, as the real gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u32>,
}

fn one_second() -> u32 {
    1
}

impl RateLimit {
    /// `limit` requests per second.
    pub fn per_second(limit: u32) -> RateLimit {
        RateLimit {
            limit,
            per_seconds: 1,
            retry_after_s: None,
        }
    }

    /// The same limit, its 429s with `Retry-After: seconds`.
    pub fn retry_after(mut self, seconds: u32) -> RateLimit {
        self.retry_after_s = Some(seconds);
        self
    }

    fn check(&self) -> Result<(), String> {
        if self.limit == 0 {
            return Err("the limit must be at least 1".into());
        }
        if !matches!(self.per_seconds, 1 | 60) {
            return Err("per_seconds must be 1 or 60".into());
        }
        Ok(())
    }

    /// Tokens added per second.
    fn refill(&self) -> f64 {
        f64::from(self.limit) / f64::from(self.per_seconds)
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimit, String> {
        let (number, per) = text.split_once('/').unwrap_or((text, "s"));
        let per_seconds = match per {
            "s" | "sec" | "second" => 1,
            "min" | "m" | "minute" => 60,
            _ => return Err(format!("{text:?}: write N, N/s or N/min")),
        };
        let limit = number
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: write N, N/s or N/min"))?;
        let limit = RateLimit {
            limit,
            per_seconds,
            retry_after_s: None,
        };
        limit.check().map(|()| limit)
    }
}

/// What the gateway let through and turned away so far (`GET /_emulator/rate-limit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayCounts {
    /// The limit in force, if any.
    pub limit: Option<RateLimit>,
    /// Requests let through while a limit was in force.
    pub passed: u64,
    /// Requests answered 429 `APIG.0308`.
    pub throttled: u64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The gateway's state: the limit and one bucket per (project, service).
#[derive(Debug, Default)]
pub(crate) struct Gateway {
    limit: Option<RateLimit>,
    buckets: HashMap<(String, Service), Bucket>,
    passed: u64,
    throttled: u64,
}

impl Gateway {
    pub(crate) fn new(limit: Option<RateLimit>) -> Gateway {
        Gateway {
            limit,
            ..Gateway::default()
        }
    }

    /// A new limit (or none) from now on; the buckets start full again, the counts go on.
    pub(crate) fn set(&mut self, limit: Option<RateLimit>) -> Result<(), String> {
        if let Some(limit) = &limit {
            limit.check()?;
        }
        self.limit = limit;
        self.buckets.clear();
        Ok(())
    }

    pub(crate) fn counts(&self) -> GatewayCounts {
        GatewayCounts {
            limit: self.limit,
            passed: self.passed,
            throttled: self.throttled,
        }
    }

    /// Lets a request of `project` to `service` through, or answers it 429.
    pub(crate) fn admit(
        &mut self,
        project: &str,
        service: Service,
        now: Instant,
        request_id: &str,
    ) -> Result<(), Answer> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let capacity = f64::from(limit.limit);
        let bucket = self
            .buckets
            .entry((project.to_owned(), service))
            .or_insert(Bucket {
                tokens: capacity,
                at: now,
            });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.refill()).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            self.passed += 1;
            return Ok(());
        }
        self.throttled += 1;
        let time = if limit.per_seconds == 60 {
            "1 minute"
        } else {
            "1 second"
        };
        let mut answer = Answer::gateway(
            StatusCode::TOO_MANY_REQUESTS,
            "APIG.0308",
            &format!(
                "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:{time}",
                limit.limit
            ),
            request_id,
        );
        if let Some(seconds) = limit.retry_after_s {
            answer
                .headers
                .push((http::header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        Err(answer)
    }
}

/// How long a limit's bucket takes to refill completely.
#[cfg(test)]
fn full_refill(limit: &RateLimit) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(limit.per_seconds))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_per_project_and_service_with_the_gateways_answer() {
        let limit = RateLimit::per_second(3);
        let mut gateway = Gateway::new(Some(limit));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(gateway.admit("p1", Service::Dli, t0, "r").is_ok());
        }
        let refused = gateway.admit("p1", Service::Dli, t0, "r9").unwrap_err();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        let body: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
        assert_eq!(body["error_code"], "APIG.0308");
        assert_eq!(
            body["error_msg"],
            "The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second"
        );
        assert!(
            refused
                .headers
                .iter()
                .all(|(name, _)| name != http::header::RETRY_AFTER)
        );
        // Another service, another project: buckets of their own.
        assert!(gateway.admit("p1", Service::Mrs, t0, "r").is_ok());
        assert!(gateway.admit("p2", Service::Dli, t0, "r").is_ok());
        // A third of a second refills one token.
        let later = t0 + full_refill(&limit) / 3 + Duration::from_millis(1);
        assert!(gateway.admit("p1", Service::Dli, later, "r").is_ok());
        assert!(gateway.admit("p1", Service::Dli, later, "r").is_err());
        assert_eq!(
            gateway.counts(),
            GatewayCounts {
                limit: Some(limit),
                passed: 6,
                throttled: 2
            }
        );
    }

    #[test]
    fn a_limit_changed_while_running_applies_at_once() {
        let mut gateway = Gateway::new(None);
        let t0 = Instant::now();
        assert!(gateway.admit("p", Service::Dli, t0, "r").is_ok());
        gateway
            .set(Some(RateLimit::per_second(1).retry_after(2)))
            .unwrap();
        assert!(gateway.admit("p", Service::Dli, t0, "r").is_ok());
        let refused = gateway.admit("p", Service::Dli, t0, "r").unwrap_err();
        assert!(
            refused
                .headers
                .iter()
                .any(|(name, value)| name == http::header::RETRY_AFTER && value == "2")
        );
        assert!(gateway.set(Some(RateLimit::per_second(0))).is_err());
        gateway.set(None).unwrap();
        assert!(gateway.admit("p", Service::Dli, t0, "r").is_ok());
    }

    #[test]
    fn per_minute_limits_say_so() {
        let limit: RateLimit = "2/min".parse().unwrap();
        let mut gateway = Gateway::new(Some(limit));
        let t0 = Instant::now();
        assert!(gateway.admit("p", Service::ModelArts, t0, "r").is_ok());
        assert!(gateway.admit("p", Service::ModelArts, t0, "r").is_ok());
        let refused = gateway.admit("p", Service::ModelArts, t0, "r").unwrap_err();
        let body: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .ends_with("limit:2,time:1 minute")
        );
        assert!(
            gateway
                .admit("p", Service::ModelArts, t0 + Duration::from_secs(30), "r")
                .is_ok()
        );
    }
}
