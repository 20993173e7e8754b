//! Errors, by how far a call got: not built, not signed, no answer, an answer saying no,
//! an answer that could not be read.

mod envelope;

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, StatusCode};

use envelope::Envelope;
pub(crate) use envelope::{VERDICT_MEMBER, opens_with_refusal};

/// How many bytes of an answer's body an error keeps.
pub const RAW_BODY_LIMIT: usize = 4096;

/// The header OTC's gateways put the request id in.
pub const X_REQUEST_ID: &str = "x-request-id";
/// The same as a header name, looked up without parsing the name each time.
const HEADER_REQUEST_ID: http::HeaderName = http::HeaderName::from_static(X_REQUEST_ID);

/// Every way a call can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (bad id, bad endpoint); nothing was sent.
    #[error("could not build the request: {0}")]
    Build(#[from] BuildError),
    /// The request could not be signed; nothing was sent.
    #[error("could not sign the request: {0}")]
    Sign(#[from] SignError),
    /// No answer came back (connect failure, connection closed, timeout).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The service answered and said no.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// An answer came back but could not be read (malformed, truncated, too large).
    #[error(transparent)]
    Response(#[from] ResponseError),
}

impl Error {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::Response(e) => Some(e.status),
            Error::Transport(e) => e.status,
            Error::Build(_) | Error::Sign(_) => None,
        }
    }

    /// The service's error code (`DLI.0002`, `APIG.0301`, …), when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// The request id of the answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::Response(e) => e.request_id.as_deref(),
            Error::Transport(e) => e.request_id.as_deref(),
            Error::Build(_) | Error::Sign(_) => None,
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Service(e) => e.attempts,
            Error::Response(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Build(_) | Error::Sign(_) => 0,
        }
    }

    /// Records how many attempts were made; used by the retry driver.
    pub fn with_attempts(mut self, attempts: u32) -> Error {
        match &mut self {
            Error::Service(e) => e.attempts = attempts,
            Error::Response(e) => e.attempts = attempts,
            Error::Transport(e) => e.attempts = attempts,
            Error::Build(_) | Error::Sign(_) => {}
        }
        self
    }

    /// What went wrong, in words: the service's error message when it sent one, the
    /// underlying failure's text when no answer came, what was wrong with an answer that
    /// could not be read; `None` when the service sent no message or nothing was sent
    /// (the error's `Display` then says why).
    ///
    /// ```
    /// use otc_jobs_core::{Error, ServiceError};
    /// let err = Error::from(ServiceError::from_answer(
    ///     http::StatusCode::BAD_REQUEST,
    ///     &http::HeaderMap::new(),
    ///     br#"{"error_code": "DLI.0002", "error_msg": "There is no job 7"}"#,
    /// ));
    /// assert_eq!(err.message(), Some("There is no job 7"));
    /// assert_eq!(err.code(), Some("DLI.0002"));
    /// ```
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.message.as_deref(),
            Error::Transport(e) => Some(&e.message),
            Error::Response(e) => Some(&e.detail),
            Error::Build(_) | Error::Sign(_) => None,
        }
    }

    /// Whether an earlier attempt of this call failed without a clear answer (a timeout, a
    /// connection closed, a truncated or unreadable answer, a gateway error): it may have
    /// reached the service and been carried out. A "not found" after such an attempt
    /// means the job is gone, possibly deleted by that attempt.
    pub fn earlier_attempt_unknown(&self) -> bool {
        match self {
            Error::Service(e) => e.earlier_attempt_unknown,
            Error::Response(e) => e.earlier_attempt_unknown,
            Error::Transport(e) => e.earlier_attempt_unknown,
            Error::Build(_) | Error::Sign(_) => false,
        }
    }

    /// Records whether an earlier attempt's fate is unknown; used by the retry driver.
    pub fn with_earlier_attempt_unknown(mut self, unknown: bool) -> Error {
        match &mut self {
            Error::Service(e) => e.earlier_attempt_unknown = unknown,
            Error::Response(e) => e.earlier_attempt_unknown = unknown,
            Error::Transport(e) => e.earlier_attempt_unknown = unknown,
            Error::Build(_) | Error::Sign(_) => {}
        }
        self
    }

    /// Whether the service said the job (or the object) does not exist, so that deleting
    /// it again can be treated as done. See [`ServiceError::is_not_found`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Service(e) if e.is_not_found())
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A base URL was not usable.
    #[error("invalid endpoint {0}")]
    InvalidEndpoint(String),
    /// The project id is empty, a dot segment, or not valid in a header.
    #[error("the project id must be non-empty, not `.` or `..`, and printable ASCII")]
    InvalidProjectId,
    /// An id is not usable in a path.
    #[error("invalid path parameter: {0}")]
    InvalidPathId(#[from] crate::path::InvalidPathId),
    /// The operation has no value for a parameter of its path template.
    #[error("no value for the path parameter {0:?}")]
    MissingPathParam(String),
    /// The path template has an unclosed `{`.
    #[error("malformed path template {0:?}")]
    InvalidTemplate(String),
    /// The URL built is not a valid URI.
    #[error("the URL built is not valid: {0}")]
    InvalidUri(String),
    /// A value is not valid in an HTTP header.
    #[error("the value for header {0} is not valid in HTTP")]
    InvalidHeader(&'static str),
    /// A request body could not be serialised.
    #[error("could not serialise the request body: {0}")]
    Body(String),
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The request has no host (neither a `Host` header nor an absolute URI).
    #[error("the request has no host to sign")]
    NoHost,
    /// A credential or a header is not valid in an HTTP header (the value is not shown).
    #[error("the {0} is not valid in an HTTP header")]
    InvalidHeaderValue(&'static str),
    /// A header value is not visible ASCII/UTF-8 and cannot be signed.
    #[error("the header {0} has a value that cannot be signed")]
    UnsignableHeader(String),
    /// The derived-key form needs a region and a service.
    #[error("the derived-key signature form needs a region and a service")]
    MissingScope,
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (nothing reached the server).
    Connect,
    /// The TLS handshake failed (an untrusted or invalid certificate, a protocol alert):
    /// trying again cannot help.
    Tls,
    /// The connection was closed before an answer came.
    Closed,
    /// No (complete) answer within the timeout.
    Timeout,
    /// Any other I/O failure.
    Io,
}

/// No answer came back.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind:?} failure after {attempts} attempt(s): {message}")]
pub struct TransportError {
    /// What happened.
    pub kind: TransportErrorKind,
    /// The underlying error's text.
    pub message: String,
    /// The status, when the failure came after the head of an answer.
    pub status: Option<StatusCode>,
    /// The request id, when the failure came after the head of an answer.
    pub request_id: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether an earlier attempt failed without a clear answer (see
    /// [`Error::earlier_attempt_unknown`]).
    pub earlier_attempt_unknown: bool,
}

impl TransportError {
    /// A transport failure before any answer, on the first attempt.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            attempts: 1,
            earlier_attempt_unknown: false,
        }
    }
}

/// What was wrong with an answer that could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The body is not the JSON the page documents.
    Malformed,
    /// The body ended before its announced length.
    Truncated,
    /// The body is larger than the limit; it was not buffered.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The answers of a list's pages do not end (a marker given twice, more items or
    /// pages than the service reported): the walk stops instead of looping.
    EndlessPaging,
}

/// An answer came back but could not be read.
#[derive(Clone, thiserror::Error)]
#[error("unreadable answer (HTTP {status}{}): {kind:?}: {detail}", fmt_request_id(request_id.as_deref()))]
pub struct ResponseError {
    /// What was wrong.
    pub kind: ResponseErrorKind,
    /// A description of the problem.
    pub detail: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// The request id from `X-Request-Id`, else the body's `request_id`.
    pub request_id: Option<String>,
    /// The first [`RAW_BODY_LIMIT`] bytes of the body.
    pub body: Vec<u8>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether an earlier attempt failed without a clear answer (see
    /// [`Error::earlier_attempt_unknown`]).
    pub earlier_attempt_unknown: bool,
}

impl ResponseError {
    /// An answer whose body could not be read, of `kind`.
    pub fn new(
        kind: ResponseErrorKind,
        detail: impl Into<String>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ResponseError {
        let envelope = Envelope::read(body);
        ResponseError {
            kind,
            detail: detail.into(),
            status,
            request_id: request_id(headers, envelope.request_id),
            body: bounded(body),
            attempts: 1,
            earlier_attempt_unknown: false,
        }
    }

    pub(crate) fn malformed(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        err: &serde_json::Error,
    ) -> ResponseError {
        let detail = if body.trim_ascii().is_empty() {
            format!("empty body: {err}")
        } else {
            format!("body is not the documented JSON: {err}")
        };
        ResponseError::new(ResponseErrorKind::Malformed, detail, status, headers, body)
    }
}

impl fmt::Debug for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseError")
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("attempts", &self.attempts)
            .field("earlier_attempt_unknown", &self.earlier_attempt_unknown)
            .finish()
    }
}

/// The service answered and said no.
///
/// Its text has the status, the request id, the attempts when there were several, the
/// code and the message (or the status reason when the answer had no message):
///
/// ```
/// use otc_jobs_core::ServiceError;
/// let err = ServiceError::from_answer(http::StatusCode::SERVICE_UNAVAILABLE, &http::HeaderMap::new(), b"")
///     .with_attempts(4);
/// assert_eq!(
///     err.to_string(),
///     "service error (HTTP 503 Service Unavailable, after 4 attempts): Service Unavailable (the answer had no error message)"
/// );
/// ```
#[derive(Clone)]
pub struct ServiceError {
    /// The HTTP status (200 for a ModelArts `is_success: false`).
    pub status: StatusCode,
    /// The service's error code, as text (integer codes are written in decimal).
    pub code: Option<String>,
    /// The service's error message.
    pub message: Option<String>,
    /// The request id from `X-Request-Id`, else the body's `request_id`.
    pub request_id: Option<String>,
    /// How long the service asked to wait (`Retry-After`).
    pub retry_after: Option<crate::retry_after::RetryAfter>,
    /// The first [`RAW_BODY_LIMIT`] bytes of the body.
    pub body: Vec<u8>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether an earlier attempt failed without a clear answer (see
    /// [`Error::earlier_attempt_unknown`]).
    pub earlier_attempt_unknown: bool,
}

/// Error codes that mean "no such job" on the job services (from their error-code pages).
pub const NOT_FOUND_CODES: &[&str] = &[
    // DLI answers 400 with DLI.0002 "The object does not exist."
    "DLI.0002",
    // DLI.16001 for a Flink job that does not exist (seen in the Huawei Terraform provider).
    "DLI.16001",
    // ModelArts: TrainingJobNotFound, TrainingExperimentNotFound.
    "ModelArts.2775",
    "ModelArts.2842",
    // MRS answers 500 with 0176 / 0201 "The job does not exist."
    "0176",
    "0201",
];

impl ServiceError {
    /// Reads an answer that said no: any OTC error envelope, or none at all.
    ///
    /// ```
    /// use otc_jobs_core::ServiceError;
    /// let headers = http::HeaderMap::new();
    /// let err = ServiceError::from_answer(
    ///     http::StatusCode::BAD_REQUEST,
    ///     &headers,
    ///     br#"{"error_code": "DLI.0002", "error_msg": "There is no job 7"}"#,
    /// );
    /// assert_eq!(err.code.as_deref(), Some("DLI.0002"));
    /// assert!(err.is_not_found());
    /// ```
    pub fn from_answer(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ServiceError {
        ServiceError::from_envelope(status, headers, body, Envelope::read(body))
    }

    /// The error of a body that refuses (`"is_success": false`) whatever its status, or
    /// `None` when the body does not say so (once, at its top level).
    pub(crate) fn refusal(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<ServiceError> {
        let envelope = Envelope::read(body);
        envelope
            .refused
            .then(|| ServiceError::from_envelope(status, headers, body, envelope))
    }

    fn from_envelope(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        envelope: Envelope<'_>,
    ) -> ServiceError {
        let mut message = envelope.message.map(Cow::into_owned).or_else(|| {
            // A body that is not JSON (a proxy's HTML page, plain text) is the message.
            let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
            let text = text.trim();
            (!text.is_empty() && !envelope.json).then(|| text.to_owned())
        });
        if status.is_redirection() {
            // Signed requests are never followed elsewhere: say so, and where it pointed.
            message = Some(redirect_message(headers, message.as_deref()));
        }
        ServiceError {
            status,
            code: envelope.code.map(Cow::into_owned),
            message,
            request_id: request_id(headers, envelope.request_id),
            retry_after: crate::retry_after::retry_after(headers),
            body: bounded(body),
            attempts: 1,
            earlier_attempt_unknown: false,
        }
    }

    /// The same error, recording that `attempts` attempts were made.
    pub fn with_attempts(mut self, attempts: u32) -> ServiceError {
        self.attempts = attempts;
        self
    }

    /// Whether this means the job does not exist: HTTP 404, or one of
    /// [`NOT_FOUND_CODES`].
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
            || self
                .code
                .as_deref()
                .is_some_and(|c| NOT_FOUND_CODES.contains(&c))
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service error (HTTP {}{}{})",
            self.status,
            fmt_request_id(self.request_id.as_deref()),
            fmt_attempts(self.attempts)
        )?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        match &self.message {
            Some(message) => write!(f, ": {message}"),
            None => write!(
                f,
                ": {} (the answer had no error message)",
                self.status.canonical_reason().unwrap_or("no reason phrase")
            ),
        }
    }
}

impl std::error::Error for ServiceError {}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("retry_after", &self.retry_after)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("attempts", &self.attempts)
            .field("earlier_attempt_unknown", &self.earlier_attempt_unknown)
            .finish()
    }
}

/// "redirect to <Location>, not followed", then the body's message if any.
fn redirect_message(headers: &HeaderMap, body_message: Option<&str>) -> String {
    let location = headers.get(http::header::LOCATION).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .chars()
            .take(512)
            .collect::<String>()
    });
    let mut text = match location {
        Some(location) => format!("redirect to {location}, not followed"),
        None => "redirect without a Location, not followed".to_owned(),
    };
    text.push_str(" (signed requests are not sent elsewhere: check the endpoint)");
    if let Some(extra) = body_message {
        text.push_str(": ");
        text.push_str(extra);
    }
    text
}

fn fmt_request_id(id: Option<&str>) -> String {
    id.map(|id| format!(", request id {id}"))
        .unwrap_or_default()
}

fn fmt_attempts(attempts: u32) -> String {
    if attempts > 1 {
        format!(", after {attempts} attempts")
    } else {
        String::new()
    }
}

fn bounded(body: &[u8]) -> Vec<u8> {
    body[..body.len().min(RAW_BODY_LIMIT)].to_vec()
}

/// The request id from `X-Request-Id`, else the body's.
fn request_id(headers: &HeaderMap, from_body: Option<Cow<'_, str>>) -> Option<String> {
    header_request_id(headers).or_else(|| from_body.map(Cow::into_owned))
}

pub(crate) fn header_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(HEADER_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_are_not_json_become_the_message() {
        let headers = HeaderMap::new();
        let e = ServiceError::from_answer(
            StatusCode::BAD_GATEWAY,
            &headers,
            b"<html>Bad gateway</html>",
        );
        assert_eq!(e.code, None);
        assert_eq!(e.message.as_deref(), Some("<html>Bad gateway</html>"));
        let e = ServiceError::from_answer(StatusCode::BAD_GATEWAY, &headers, b"");
        assert_eq!(e.message, None);
    }

    #[test]
    fn redirects_say_where_they_pointed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::LOCATION,
            http::HeaderValue::from_static("https://elsewhere.example/v1.0/p/streaming/jobs/1"),
        );
        let e = ServiceError::from_answer(StatusCode::MOVED_PERMANENTLY, &headers, b"");
        let shown = e.to_string();
        assert!(
            shown.contains("301")
                && shown.contains("redirect to https://elsewhere.example/v1.0/p/streaming/jobs/1")
                && shown.contains("not followed"),
            "{shown}"
        );
        let e = ServiceError::from_answer(StatusCode::FOUND, &HeaderMap::new(), b"moved");
        let shown = e.to_string();
        assert!(
            shown.contains("without a Location") && shown.ends_with(": moved"),
            "{shown}"
        );
    }

    #[test]
    fn header_request_id_wins_over_body() {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, http::HeaderValue::from_static("hdr"));
        let e = ServiceError::from_answer(
            StatusCode::BAD_REQUEST,
            &headers,
            br#"{"error_code":"DLI.0001","error_msg":"bad","request_id":"body"}"#,
        );
        assert_eq!(e.request_id.as_deref(), Some("hdr"));
        let shown = e.to_string();
        assert!(
            shown.contains("400") && shown.contains("DLI.0001") && shown.contains("hdr"),
            "{shown}"
        );
    }

    #[test]
    fn raw_body_is_bounded() {
        let big = vec![b'x'; RAW_BODY_LIMIT * 3];
        let e =
            ServiceError::from_answer(StatusCode::INTERNAL_SERVER_ERROR, &HeaderMap::new(), &big);
        assert_eq!(e.body.len(), RAW_BODY_LIMIT);
    }

    #[test]
    fn not_found_on_every_service() {
        let h = HeaderMap::new();
        let nf = |status: u16, body: &str| {
            ServiceError::from_answer(
                StatusCode::from_u16(status).unwrap_or_default(),
                &h,
                body.as_bytes(),
            )
            .is_not_found()
        };
        assert!(nf(404, ""));
        assert!(nf(
            400,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#
        ));
        assert!(nf(
            200,
            r#"{"is_success":false,"error_code":"ModelArts.2775","error_message":"x"}"#
        ));
        assert!(nf(
            500,
            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#
        ));
        assert!(!nf(400, r#"{"error_code":"DLI.0001","error_msg":"bad"}"#));
    }

    #[test]
    fn service_error_text_says_attempts_and_reason() {
        let h = HeaderMap::new();
        let once = ServiceError::from_answer(StatusCode::BAD_GATEWAY, &h, b"");
        assert_eq!(
            once.to_string(),
            "service error (HTTP 502 Bad Gateway): Bad Gateway (the answer had no error message)"
        );
        let e = Error::from(
            ServiceError::from_answer(
                StatusCode::TOO_MANY_REQUESTS,
                &h,
                br#"{"error_code":"APIG.0308","error_msg":"throttled","request_id":"r9"}"#,
            )
            .with_attempts(3),
        );
        assert_eq!(
            e.to_string(),
            "service error (HTTP 429 Too Many Requests, request id r9, after 3 attempts) APIG.0308: throttled"
        );
        assert_eq!(e.message(), Some("throttled"));
        assert_eq!(e.attempts(), 3);
        let t = Error::from(TransportError::new(TransportErrorKind::Connect, "refused"));
        assert_eq!(t.message(), Some("refused"));
        let b = Error::from(BuildError::InvalidProjectId);
        assert_eq!(b.message(), None);
    }
}
