//! The JSON shapes of the admin API: faults to inject, requests recorded (jobs to seed are
//! in `seed.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A fault: for the next `times` requests matching `method` and `path`, do `action` instead
/// of (or before, or after) answering normally. `POST /_emulator/faults` takes this JSON.
///
/// `path` is matched against the request path (without the query); `*` matches any run of
/// characters, `/` included. `method` is matched case-insensitively; absent or `*`
/// matches any method. The admin API (`/_emulator/...`) is never faulted. Faults are tried
/// in the order they were added; the first that matches (and, with a `probability`, draws
/// a hit) is used and counted.
///
/// With `apply_first` the request is handled first (a deletion happens) and then the
/// action spoils the answer: "the job was deleted, the answer was lost", whatever the kind.
/// With `probability` (and `seed`) each matching request gets the fault with that
/// probability, decided by a generator seeded with `seed`: the same seed and the same
/// sequence of matching requests give the same requests the fault.
///
/// ```
/// use otc_jobs_emulator::{Fault, FaultAction};
/// let fault: Fault = serde_json::from_str(r#"{
///     "method": "DELETE", "path": "/v1.0/*/streaming/jobs/*", "times": 2,
///     "action": {"kind": "respond", "status": 429, "headers": {"Retry-After": "1"},
///                "body": "{\"error_code\": \"APIG.0308\", \"error_msg\": \"throttled\"}"}
/// }"#)?;
/// assert_eq!(fault.times, 2);
/// assert!(matches!(fault.action, FaultAction::Respond { status: 429, .. }));
///
/// // One in twenty deletions happens but its answer is lost, reproducibly.
/// let flaky = Fault::new("DELETE", "*", FaultAction::Close { after_processing: false })
///     .apply_first()
///     .probability(0.05, 42)
///     .always();
/// assert_eq!(
///     serde_json::to_string(&flaky)?,
///     r#"{"method":"DELETE","path":"*","times":4294967295,"action":{"kind":"close","after_processing":false},"apply_first":true,"probability":0.05,"seed":42}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The HTTP method to match; `None` or `"*"` matches any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path pattern (`*` is a wildcard).
    pub path: String,
    /// How many matching requests get the fault (default 1; `u32::MAX`, see
    /// [`Fault::always`], for no limit).
    #[serde(default = "one")]
    pub times: u32,
    /// What to do.
    pub action: FaultAction,
    /// Handle the request before the action spoils the answer (default false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub apply_first: bool,
    /// The chance, from 0 to 1, that a matching request gets the fault (default: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The seed of the `probability` draws (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seed: u64,
}

fn one() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Fault {
    /// A fault for the next matching request.
    pub fn new(method: impl Into<String>, path: impl Into<String>, action: FaultAction) -> Fault {
        Fault {
            method: Some(method.into()),
            path: path.into(),
            times: 1,
            action,
            apply_first: false,
            probability: None,
            seed: 0,
        }
    }

    /// The same fault for the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    /// The same fault for every matching request (`times` = `u32::MAX`).
    pub fn always(self) -> Fault {
        self.times(u32::MAX)
    }

    /// Handle the request first, then spoil the answer.
    pub fn apply_first(mut self) -> Fault {
        self.apply_first = true;
        self
    }

    /// Only a `probability` share of matching requests (clamped to [0, 1]; NaN is 0) get
    /// the fault, drawn from a generator seeded with `seed`.
    pub fn probability(mut self, probability: f64, seed: u64) -> Fault {
        let p = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        self.probability = Some(p);
        self.seed = seed;
        self
    }

    /// Why this fault cannot be used, if it cannot (a probability outside [0, 1]).
    pub(crate) fn check(&self) -> Result<(), String> {
        match self.probability {
            Some(p) if !(0.0..=1.0).contains(&p) => {
                Err(format!("probability must be from 0 to 1, not {p}"))
            }
            _ => Ok(()),
        }
    }

    /// Whether the `draw`-th matching request (from 0) gets the fault.
    pub(crate) fn hits(&self, draw: u64) -> bool {
        let Some(p) = self.probability else {
            return true;
        };
        // splitmix64 of (seed, draw): a fixed sequence per seed, no state but the count.
        let mut z = self
            .seed
            .wrapping_add(draw.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok && glob_match(self.path.as_bytes(), path.as_bytes())
    }
}

/// `*` matches any run of bytes; everything else matches itself.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}

/// What a [`Fault`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status, headers and body; the request is not processed (unless
    /// `apply_first`).
    /// `{"kind": "respond", "status": 503, "headers": {"Retry-After": "2"}, "body": "..."}`
    Respond {
        /// The status code.
        status: u16,
        /// Extra headers (`X-Request-Id` is always added).
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// The body, sent as is.
        #[serde(default)]
        body: String,
    },
    /// Wait, then handle the request normally (with the fault's `apply_first`: handle it,
    /// then wait before answering). `{"kind": "delay", "ms": 1500}`
    Delay {
        /// Milliseconds to wait before answering.
        ms: u64,
    },
    /// Close the connection without answering. With `after_processing` (or the fault's
    /// `apply_first`) the request is handled first (the job is deleted, the answer is lost).
    /// `{"kind": "close", "after_processing": false}`
    Close {
        /// Handle the request before closing.
        #[serde(default)]
        after_processing: bool,
    },
    /// Announce `Content-Length` of `body` but send only its first half, then close. The
    /// request is not processed (with `apply_first` it is, and without `body` its own answer
    /// is the one cut). `{"kind": "truncated_body", "status": 200}`
    TruncatedBody {
        /// The status code (default 200).
        #[serde(default = "ok")]
        status: u16,
        /// The full body (default `{"is_success": true, "message": "..."}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Answer `application/json` that is not JSON. The request is not processed (unless
    /// `apply_first`).
    /// `{"kind": "malformed_json", "status": 200}`
    MalformedJson {
        /// The status code (default 200).
        #[serde(default = "ok")]
        status: u16,
    },
    /// Answer a well-formed JSON body of `bytes` bytes (default 16 MiB), streamed. The request
    /// is not processed (unless `apply_first`). `{"kind": "oversized_body", "status": 200, "bytes": 16777216}`
    OversizedBody {
        /// The status code (default 200).
        #[serde(default = "ok")]
        status: u16,
        /// The body size in bytes.
        #[serde(default = "sixteen_mib")]
        bytes: u64,
    },
}

fn ok() -> u16 {
    200
}

fn sixteen_mib() -> u64 {
    16 * 1024 * 1024
}

impl FaultAction {
    /// An answer served instead of the real one: `status`, these headers and `body`.
    ///
    /// ```
    /// use otc_jobs_emulator::FaultAction;
    /// let throttled = FaultAction::respond(429, &[("Retry-After", "1")], "");
    /// assert_eq!(throttled.kind(), "respond");
    /// ```
    pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> FaultAction {
        FaultAction::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }

    /// The `kind` tag of this action, as recorded in [`RecordedRequest::fault`].
    pub fn kind(&self) -> &'static str {
        match self {
            FaultAction::Respond { .. } => "respond",
            FaultAction::Delay { .. } => "delay",
            FaultAction::Close { .. } => "close",
            FaultAction::TruncatedBody { .. } => "truncated_body",
            FaultAction::MalformedJson { .. } => "malformed_json",
            FaultAction::OversizedBody { .. } => "oversized_body",
        }
    }
}

/// How a request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// No credentials, or none needed (IAM login, unknown paths, faults answered first).
    None,
    /// AK/SK `SDK-HMAC-SHA256`, `Access=` form.
    AkSk,
    /// AK/SK `SDK-HMAC-SHA256`, derived-key `Credential=` form.
    AkSkDerived,
    /// Temporary AK/SK (with `X-Security-Token`), either form.
    TemporaryAkSk,
    /// An IAM token in `X-Auth-Token`.
    Token,
}

/// One request the emulator received and what it answered (`GET /_emulator/requests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The `X-Request-Id` of the answer.
    pub request_id: String,
    /// The method.
    pub method: String,
    /// The path, as received (still percent-encoded).
    pub path: String,
    /// The query string without `?`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The headers in received order, names lower-case (`Authorization`, `X-Auth-Token`,
    /// `X-Security-Token` values included: the emulator only holds fake credentials).
    pub headers: Vec<(String, String)>,
    /// The request's body (lossy UTF-8, at most 4 KiB): a search's criteria, a batch's ids.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_body: String,
    /// The credentials presented.
    pub auth: AuthKind,
    /// `Some(true)` when an AK/SK signature verified, `Some(false)` when one was presented
    /// and refused, `None` when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_verified: Option<bool>,
    /// The answer's status; `None` when none was sent (yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The answer's error code, when it carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The answer's body (lossy UTF-8, at most 4 KiB).
    #[serde(default)]
    pub body: String,
    /// The kind of fault applied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// Whether the emulator handled the request (routed, authenticated, served: a deletion
    /// deleted). False when a fault answered instead, or the client gave up first.
    #[serde(default)]
    pub handled: bool,
    /// What became of the answer.
    #[serde(default)]
    pub delivery: Delivery,
}

/// What became of an answer ([`RecordedRequest::delivery`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Sent whole (a `respond` fault's answer included).
    #[default]
    Sent,
    /// The connection was closed without an answer (`close`).
    Closed,
    /// The head and part of the body were sent, then the connection closed
    /// (`truncated_body`).
    Truncated,
    /// Sent, with a body that is not JSON (`malformed_json`).
    Malformed,
    /// Sent, a body larger than any client accepts (`oversized_body`).
    Oversized,
    /// The client hung up before the answer was ready (during a `delay`, say).
    Abandoned,
    /// Not answered yet: the request is being handled (or delayed).
    Pending,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An IAM user who can log in with a password (`POST /v3/auth/tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    /// The user name.
    pub name: String,
    /// The password (fake: the emulator is for tests).
    pub password: String,
    /// The domain (account) name.
    pub domain: String,
}

impl IamUser {
    /// A user.
    pub fn new(
        name: impl Into<String>,
        password: impl Into<String>,
        domain: impl Into<String>,
    ) -> IamUser {
        IamUser {
            name: name.into(),
            password: password.into(),
            domain: domain.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match(
            b"/v1/*/training-jobs/*",
            b"/v1/p/training-jobs/10"
        ));
        assert!(glob_match(b"*", b"/anything/at/all"));
        assert!(glob_match(b"/a/*/c", b"/a/b/x/c"));
        assert!(!glob_match(
            b"/v1/*/training-jobs",
            b"/v1/p/training-jobs/10"
        ));
        assert!(glob_match(b"/exact", b"/exact"));
        assert!(!glob_match(b"/exact", b"/exactly"));
    }

    #[test]
    fn fault_methods() {
        let f = Fault::new(
            "delete",
            "/x",
            FaultAction::Close {
                after_processing: false,
            },
        );
        assert!(f.matches("DELETE", "/x"));
        assert!(!f.matches("GET", "/x"));
        let any = Fault { method: None, ..f };
        assert!(any.matches("GET", "/x"));
    }
}
