//! Errors, by how far a call got: not built, not signed, no answer, an answer saying no,
//! an answer that could not be read.

mod envelope;

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, StatusCode};

pub(crate) use envelope::{Envelope, read_beside};

use crate::path::{InvalidPathId, TemplateError};
use crate::service::Service;

/// How many bytes of an answer's body an error keeps.
pub const RAW_BODY_LIMIT: usize = 4096;

/// The header OTC's gateways put the request id in.
pub const X_REQUEST_ID: &str = "x-request-id";
/// The same as a header name, looked up without parsing the name each time.
const HEADER_REQUEST_ID: http::HeaderName = http::HeaderName::from_static(X_REQUEST_ID);

/// Every way a call can fail: how far the call got and what is known of the failure
/// ([`Error::kind`]), and how many attempts it took ([`Error::attempts`],
/// [`Error::earlier_attempt_unknown`]).
///
/// The accessors answer for every kind: the status, the code, the message, the request id,
/// whether the job is gone ([`Error::is_not_found`]) or the setup is wrong
/// ([`Error::is_misconfiguration`]). Match on [`Error::kind`], or ask for one kind with
/// [`Error::as_service`], [`Error::as_transport`] or [`Error::as_response`], for the rest.
///
/// ```
/// use otc_jobs_core::{Error, ErrorKind, Service, ServiceError};
/// let err = Error::from(ServiceError::from_answer(
///     Service::Dli,
///     http::StatusCode::SERVICE_UNAVAILABLE,
///     &http::HeaderMap::new(),
///     br#"{"error_code": "APIG.0201", "error_msg": "busy"}"#,
/// ))
/// .with_attempts(3);
/// assert_eq!(err.attempts(), 3);
/// assert!(matches!(err.kind(), ErrorKind::Service(e) if e.status == 503));
/// assert_eq!(err.as_service().and_then(|e| e.code.as_deref()), Some("APIG.0201"));
/// assert!(err.as_transport().is_none());
/// assert_eq!(
///     err.to_string(),
///     "service error (HTTP 503 Service Unavailable, after 3 attempts) APIG.0201: busy"
/// );
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    /// Attempts made: 0 when nothing was sent (build, sign).
    attempts: u32,
    earlier_attempt_unknown: bool,
}

/// How far a failed call got, and what is known of its failure.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (bad id, bad endpoint); nothing was sent.
    Build(BuildError),
    /// The request could not be signed; nothing was sent.
    Sign(SignError),
    /// No answer came back (connect failure, connection closed, timeout).
    Transport(TransportError),
    /// The service answered and said no.
    Service(ServiceError),
    /// An answer came back but could not be read (malformed, truncated, too large).
    Response(ResponseError),
}

impl ErrorKind {
    /// Whether a request of this kind of failure was sent.
    fn was_sent(&self) -> bool {
        !matches!(self, ErrorKind::Build(_) | ErrorKind::Sign(_))
    }
}

impl From<ErrorKind> for Error {
    /// The error of one attempt (none when nothing was sent).
    fn from(kind: ErrorKind) -> Error {
        Error {
            attempts: u32::from(kind.was_sent()),
            kind,
            earlier_attempt_unknown: false,
        }
    }
}

macro_rules! from_kind {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Error {
                Error::from(ErrorKind::$variant(e))
            }
        })*
    };
}

from_kind!(
    Build(BuildError),
    Sign(SignError),
    Transport(TransportError),
    Service(ServiceError),
    Response(ResponseError),
);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Build(e) => write!(f, "could not build the request: {e}"),
            ErrorKind::Sign(e) => write!(f, "could not sign the request: {e}"),
            ErrorKind::Transport(e) => e.fmt_after(self.attempts, f),
            ErrorKind::Service(e) => e.fmt_after(self.attempts, f),
            ErrorKind::Response(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Build(e) => Some(e),
            ErrorKind::Sign(e) => Some(e),
            // Their text is the error's own.
            ErrorKind::Transport(_) | ErrorKind::Service(_) | ErrorKind::Response(_) => None,
        }
    }
}

impl Error {
    /// How far the call got, and what is known of the failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The kind, without the attempts.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// The service's refusal, when the service answered and said no.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match &self.kind {
            ErrorKind::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The transport failure, when no answer came back.
    pub fn as_transport(&self) -> Option<&TransportError> {
        match &self.kind {
            ErrorKind::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// What was wrong with the answer, when it could not be read.
    pub fn as_response(&self) -> Option<&ResponseError> {
        match &self.kind {
            ErrorKind::Response(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.kind {
            ErrorKind::Service(e) => Some(e.status),
            ErrorKind::Response(e) => Some(e.status),
            ErrorKind::Transport(e) => e.status,
            ErrorKind::Build(_) | ErrorKind::Sign(_) => None,
        }
    }

    /// The service's error code (`DLI.0002`, `APIG.0301`, …), when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.as_service().and_then(|e| e.code.as_deref())
    }

    /// The request id of the answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service(e) => e.request_id.as_deref(),
            ErrorKind::Response(e) => e.request_id.as_deref(),
            ErrorKind::Transport(e) => e.request_id.as_deref(),
            ErrorKind::Build(_) | ErrorKind::Sign(_) => None,
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records how many attempts were made; used by the retry driver. An error from before
    /// sending (build, sign) keeps 0.
    pub fn with_attempts(mut self, attempts: u32) -> Error {
        if self.kind.was_sent() {
            self.attempts = attempts;
        }
        self
    }

    /// What went wrong, in words: the service's error message when it sent one, the
    /// underlying failure's text when no answer came, what was wrong with an answer that
    /// could not be read; `None` when the service sent no message or nothing was sent
    /// (the error's `Display` then says why).
    ///
    /// ```
    /// use otc_jobs_core::{Error, Service, ServiceError};
    /// let err = Error::from(ServiceError::from_answer(
    ///     Service::Dli,
    ///     http::StatusCode::BAD_REQUEST,
    ///     &http::HeaderMap::new(),
    ///     br#"{"error_code": "DLI.0002", "error_msg": "There is no job 7"}"#,
    /// ));
    /// assert_eq!(err.message(), Some("There is no job 7"));
    /// assert_eq!(err.code(), Some("DLI.0002"));
    /// ```
    pub fn message(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service(e) => e.message.as_deref(),
            ErrorKind::Transport(e) => Some(&e.message),
            ErrorKind::Response(e) => Some(&e.detail),
            ErrorKind::Build(_) | ErrorKind::Sign(_) => None,
        }
    }

    /// Whether an earlier attempt of this call failed without a clear answer (a timeout, a
    /// connection closed, a truncated or unreadable answer, a gateway error): it may have
    /// reached the service and been carried out. A "not found" after such an attempt
    /// means the job is gone, possibly deleted by that attempt.
    pub fn earlier_attempt_unknown(&self) -> bool {
        self.earlier_attempt_unknown
    }

    /// Records whether an earlier attempt's fate is unknown; used by the retry driver. An
    /// error from before sending (build, sign) keeps `false`.
    pub fn with_earlier_attempt_unknown(mut self, unknown: bool) -> Error {
        if self.kind.was_sent() {
            self.earlier_attempt_unknown = unknown;
        }
        self
    }

    /// Whether the service said the job (or the object) does not exist, so that deleting
    /// it again can be treated as done: only the service's own word counts, never a 404
    /// of the gateway, of a web server or of a proxy. See [`ServiceError::is_not_found`].
    pub fn is_not_found(&self) -> bool {
        self.as_service().is_some_and(ServiceError::is_not_found)
    }

    /// Whether the service refused to cancel a run because the run is already over
    /// (finished, failed or cancelled): only the service's own code for it counts
    /// ([`Service::already_finished_codes`](crate::Service::already_finished_codes)), never
    /// a status alone. See [`ServiceError::is_already_finished`].
    ///
    /// ```
    /// use otc_jobs_core::{Error, Service, ServiceError};
    /// let answer = |service, body: &str| -> Error {
    ///     ServiceError::from_answer(service, http::StatusCode::BAD_REQUEST, &http::HeaderMap::new(), body.as_bytes()).into()
    /// };
    /// let over = answer(Service::Dli, r#"{"error_code":"DLI.0007","error_msg":"The job is FINISHED and cannot be canceled."}"#);
    /// assert!(over.is_already_finished() && !over.is_not_found());
    /// assert!(!answer(Service::Dli, r#"{"error_code":"DLI.0001","error_msg":"bad"}"#).is_already_finished());
    /// assert!(!answer(Service::Mrs, r#"{"error_code":"DLI.0007","error_msg":"not MRS's"}"#).is_already_finished());
    /// ```
    pub fn is_already_finished(&self) -> bool {
        self.as_service()
            .is_some_and(ServiceError::is_already_finished)
    }

    /// Whether the failure says the client is set up wrongly, so that every other call of
    /// the same run will fail alike and a bulk run had better stop than go on:
    ///
    /// - a 404 that is not the service's own word (the gateway's `APIG.0101` "The API does
    ///   not exist", a web server's HTML page, an empty or non-JSON body): the endpoint
    ///   does not serve this API;
    /// - a 401 (the gateway's `APIG.0301` "Incorrect IAM authentication information",
    ///   `APIG.0307` for a token that could not be renewed, or the service's own), or a 403
    ///   that is not the service's own word (`APIG.0302`, …): the credentials or the project;
    /// - a redirect (signed requests are not followed);
    /// - a connection refused ([`TransportErrorKind::Refused`]: nothing listens there) or a
    ///   failed TLS handshake ([`TransportErrorKind::Tls`]).
    ///
    /// [`Error::hint`] says what to check. Not a misconfiguration: "not found", throttling,
    /// 5xx, timeouts, a service's own 403 on one job, unreadable answers.
    ///
    /// ```
    /// use otc_jobs_core::{Error, Service, ServiceError, TransportError, TransportErrorKind};
    /// let headers = http::HeaderMap::new();
    /// let answer = |status: u16, body: &str| -> Error {
    ///     ServiceError::from_answer(
    ///         Service::Dli,
    ///         http::StatusCode::from_u16(status).unwrap(),
    ///         &headers,
    ///         body.as_bytes(),
    ///     )
    ///     .into()
    /// };
    /// // A typo in the endpoint: the gateway has no such API.
    /// let typo = answer(404, r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#);
    /// assert!(typo.is_misconfiguration() && !typo.is_not_found());
    /// assert!(typo.to_string().contains("check --endpoint"));
    /// // A plain web server's 404 page.
    /// assert!(answer(404, "<html><body>Not Found</body></html>").is_misconfiguration());
    /// // Wrong credentials.
    /// assert!(answer(401, r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#).is_misconfiguration());
    /// // Nothing listening at the endpoint.
    /// assert!(Error::from(TransportError::new(TransportErrorKind::Refused, "connection refused")).is_misconfiguration());
    /// // DLI's own "no such job" is an answer about one job, not about the setup.
    /// let gone = answer(400, r#"{"error_code":"DLI.0002","error_msg":"The object does not exist."}"#);
    /// assert!(gone.is_not_found() && !gone.is_misconfiguration());
    /// ```
    pub fn is_misconfiguration(&self) -> bool {
        self.hint().is_some()
    }

    /// What to check, for a failure that says the client is set up wrongly
    /// ([`Error::is_misconfiguration`]); the error's text ends with it.
    ///
    /// ```
    /// use otc_jobs_core::{Error, Service, ServiceError};
    /// let err = Error::from(ServiceError::from_answer(
    ///     Service::Mrs,
    ///     http::StatusCode::NOT_FOUND,
    ///     &http::HeaderMap::new(),
    ///     b"",
    /// ));
    /// assert_eq!(err.hint(), Some("the endpoint does not serve this API: check --endpoint or the region's endpoint"));
    /// ```
    pub fn hint(&self) -> Option<&'static str> {
        match &self.kind {
            ErrorKind::Service(e) => e.hint(),
            ErrorKind::Transport(e) => e.hint(),
            ErrorKind::Build(BuildError::UnknownProject { .. }) => {
                Some("check --project-name (OS_PROJECT_NAME), or give the project's id")
            }
            ErrorKind::Build(_) | ErrorKind::Sign(_) | ErrorKind::Response(_) => None,
        }
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
    InvalidPathId(#[from] InvalidPathId),
    /// The operation's path template could not be expanded (a parameter without a value,
    /// an unclosed `{`).
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The URL built is not a valid URI.
    #[error("the URL built is not valid: {0}")]
    InvalidUri(String),
    /// A value is not valid in an HTTP header.
    #[error("the value for header {0} is not valid in HTTP")]
    InvalidHeader(&'static str),
    /// A request body could not be serialised.
    #[error("could not serialise the request body: {0}")]
    Body(String),
    /// The project name given is none of the projects IAM lists for these credentials.
    #[error("no project named {name:?}; {}", known_projects(.known))]
    UnknownProject {
        /// The name given.
        name: String,
        /// The names of the projects IAM listed, sorted.
        known: Vec<String>,
    },
}

fn known_projects(known: &[String]) -> String {
    if known.is_empty() {
        "IAM lists no project for these credentials".to_owned()
    } else {
        format!("the credentials see {}", known.join(", "))
    }
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
    /// The connection could not be made (nothing reached the server): the host was not
    /// found, not reachable, the proxy failed, …
    Connect,
    /// The host refused the connection: nothing listens at the endpoint's address and
    /// port (nothing reached the server). A misconfiguration rather than a passing fault
    /// ([`Error::is_misconfiguration`]).
    Refused,
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
///
/// ```
/// use otc_jobs_core::{Error, TransportError, TransportErrorKind};
/// let err = TransportError::new(TransportErrorKind::Timeout, "no answer in 30 s");
/// assert_eq!(err.to_string(), "Timeout failure after 1 attempt(s): no answer in 30 s");
/// assert_eq!(
///     Error::from(err).with_attempts(3).to_string(),
///     "Timeout failure after 3 attempt(s): no answer in 30 s"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct TransportError {
    /// What happened.
    pub kind: TransportErrorKind,
    /// The underlying error's text.
    pub message: String,
    /// The status, when the failure came after the head of an answer.
    pub status: Option<StatusCode>,
    /// The request id, when the failure came after the head of an answer.
    pub request_id: Option<String>,
}

impl TransportError {
    /// A transport failure before any answer, on the first attempt.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
        }
    }

    /// Its text, after `attempts` attempts.
    fn fmt_after(&self, attempts: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} failure after {attempts} attempt(s): {}{}",
            self.kind,
            self.message,
            fmt_hint(self.hint())
        )
    }

    /// See [`Error::is_misconfiguration`].
    pub fn is_misconfiguration(&self) -> bool {
        self.hint().is_some()
    }

    /// See [`Error::hint`].
    pub fn hint(&self) -> Option<&'static str> {
        match self.kind {
            TransportErrorKind::Refused => {
                Some("nothing accepts connections there: check --endpoint or the region's endpoint")
            }
            TransportErrorKind::Tls => {
                Some("check the endpoint and the certificate authorities the client trusts")
            }
            _ => None,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_after(1, f)
    }
}

impl std::error::Error for TransportError {}

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
    /// The list is longer than one walk can reach: the API refuses a page past
    /// [`Paginated::MAX_PAGES`](crate::Paginated::MAX_PAGES) (a list that can be narrowed by
    /// time is walked in windows instead: [`Windowed`](crate::Windowed)).
    PageLimit {
        /// The most pages one walk can reach.
        max_pages: u32,
    },
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
    pub body: Box<[u8]>,
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
        }
    }

    /// A 2xx body that is not the documented JSON (`err`), whose error fields (read
    /// already, for the request id) are `envelope`.
    pub(crate) fn malformed(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        err: &serde_json::Error,
        envelope: Envelope<'_>,
    ) -> ResponseError {
        let detail = if body.trim_ascii().is_empty() {
            format!("empty body: {err}")
        } else {
            format!("body is not the documented JSON: {err}")
        };
        ResponseError {
            kind: ResponseErrorKind::Malformed,
            detail,
            status,
            request_id: request_id(headers, envelope.request_id),
            body: bounded(body),
        }
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
            .finish()
    }
}

/// The service answered and said no (or something in between answered in its place: the
/// API gateway, a proxy, a web server at a wrong endpoint).
///
/// Its text has the status, the request id, the attempts when there were several, the
/// code and the message (or the status reason when the answer had no message), and what
/// to check when the answer says the client is set up wrongly ([`ServiceError::hint`]):
///
/// ```
/// use otc_jobs_core::{Service, ServiceError};
/// let err = ServiceError::from_answer(Service::Dli, http::StatusCode::SERVICE_UNAVAILABLE, &http::HeaderMap::new(), b"");
/// assert_eq!(
///     otc_jobs_core::Error::from(err).with_attempts(4).to_string(),
///     "service error (HTTP 503 Service Unavailable, after 4 attempts): Service Unavailable (the answer had no error message)"
/// );
/// ```
#[derive(Clone)]
pub struct ServiceError {
    /// The service the request was for (whose own word alone says "not found").
    pub service: Service,
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
    pub body: Box<[u8]>,
}

/// The error codes that mean "no such job" on any of the job services: every
/// [`Service::not_found_codes`], together. A code counts as "not found" only from its own
/// service ([`ServiceError::is_not_found`]).
pub const NOT_FOUND_CODES: &[&str] = &[
    "ModelArts.2775",
    "ModelArts.2842",
    "DLI.0002",
    "DLI.16001",
    "0176",
    "0201",
    "12000003",
];

impl ServiceError {
    /// Reads an answer of `service` that said no: any OTC error envelope, or none at all.
    ///
    /// ```
    /// use otc_jobs_core::{Service, ServiceError};
    /// let headers = http::HeaderMap::new();
    /// let err = ServiceError::from_answer(
    ///     Service::Dli,
    ///     http::StatusCode::BAD_REQUEST,
    ///     &headers,
    ///     br#"{"error_code": "DLI.0002", "error_msg": "There is no job 7"}"#,
    /// );
    /// assert_eq!(err.code.as_deref(), Some("DLI.0002"));
    /// assert!(err.is_not_found());
    /// // IAM's code repeats the status; the text says it once.
    /// let iam = ServiceError::from_answer(
    ///     Service::Iam,
    ///     http::StatusCode::UNAUTHORIZED,
    ///     &headers,
    ///     br#"{"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}"#,
    /// );
    /// assert_eq!(iam.code.as_deref(), Some("401"));
    /// assert_eq!(
    ///     otc_jobs_core::Error::from(iam).to_string(),
    ///     "service error (HTTP 401 Unauthorized): The username or password is wrong. (check the credentials and the project)"
    /// );
    /// ```
    pub fn from_answer(
        service: Service,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ServiceError {
        ServiceError::from_envelope(service, status, headers, body, Envelope::read(body))
    }

    /// The error of an answer whose body's error fields are `envelope`.
    pub(crate) fn from_envelope(
        service: Service,
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
            service,
            status,
            code: envelope.code.map(Cow::into_owned),
            message,
            request_id: request_id(headers, envelope.request_id),
            retry_after: crate::retry_after::retry_after(headers),
            body: bounded(body),
        }
    }

    /// Whether the service said the job does not exist: one of its own
    /// [`Service::not_found_codes`] (whatever the status), or a 404 carrying an error code
    /// of its own ([`Service::owns_code`]). A 404 of the API gateway (`APIG.0101`: the
    /// endpoint does not serve this API), of a web server (an HTML page) or of a proxy
    /// (an empty or non-JSON body, another service's code) is not: nothing says the job
    /// is gone ([`ServiceError::is_misconfiguration`] says so instead).
    ///
    /// ```
    /// use otc_jobs_core::{Service, ServiceError};
    /// let nf = |service, status: u16, body: &str| {
    ///     ServiceError::from_answer(service, http::StatusCode::from_u16(status).unwrap(), &http::HeaderMap::new(), body.as_bytes())
    ///         .is_not_found()
    /// };
    /// assert!(nf(Service::Mrs, 500, r#"{"error_code":"0176","error_msg":"The job does not exist."}"#));
    /// assert!(nf(Service::ModelArts, 404, r#"{"error_code":"ModelArts.3502","error_msg":"gone"}"#));
    /// assert!(!nf(Service::Dli, 404, r#"{"error_code":"APIG.0101","error_msg":"The API does not exist"}"#));
    /// assert!(!nf(Service::Dli, 404, "<html>404 Not Found</html>"));
    /// assert!(!nf(Service::Dli, 404, ""));
    /// assert!(!nf(Service::Dli, 500, r#"{"error_code":"0176","error_msg":"not DLI's"}"#));
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref().is_some_and(|code| {
            self.service.not_found_codes().contains(&code)
                || (self.status == StatusCode::NOT_FOUND && self.service.owns_code(code))
        })
    }

    /// Whether the service said the run is already over, so it cannot be cancelled: one of
    /// its own [`Service::already_finished_codes`], whatever the status.
    ///
    /// ```
    /// use otc_jobs_core::{Service, ServiceError};
    /// let err = ServiceError::from_answer(Service::Dli, http::StatusCode::BAD_REQUEST, &http::HeaderMap::new(),
    ///     br#"{"error_code":"DLI.0007","error_msg":"The job is FINISHED and cannot be canceled."}"#);
    /// assert!(err.is_already_finished());
    /// ```
    pub fn is_already_finished(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|code| self.service.already_finished_codes().contains(&code))
    }

    /// Whether the answer carries an error code of the service itself (not the gateway's,
    /// not a proxy's).
    fn in_the_services_words(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|code| self.service.owns_code(code))
    }

    /// See [`Error::is_misconfiguration`].
    pub fn is_misconfiguration(&self) -> bool {
        self.hint().is_some()
    }

    /// What to check when the answer says the client is set up wrongly (see
    /// [`Error::is_misconfiguration`]); `None` for any other answer.
    pub fn hint(&self) -> Option<&'static str> {
        match self.status {
            StatusCode::NOT_FOUND if !self.in_the_services_words() => Some(
                "the endpoint does not serve this API: check --endpoint or the region's endpoint",
            ),
            StatusCode::UNAUTHORIZED => Some("check the credentials and the project"),
            // IAM's only calls are the login and the project lookup: a request it refuses
            // names a user, domain or project that is not there.
            StatusCode::BAD_REQUEST if self.service == Service::Iam => {
                Some("check the user, the domain and the project (--project-name)")
            }
            StatusCode::FORBIDDEN if !self.in_the_services_words() => {
                Some("check the credentials, their permissions and the project")
            }
            status if status.is_redirection() => {
                Some("signed requests are not sent elsewhere: check the endpoint")
            }
            _ => None,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_after(1, f)
    }
}

impl ServiceError {
    /// Its text, after `attempts` attempts.
    fn fmt_after(&self, attempts: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service error (HTTP {}{}{})",
            self.status,
            fmt_request_id(self.request_id.as_deref()),
            fmt_attempts(attempts)
        )?;
        // IAM's code is the status again (`{"error": {"code": 401}}`): said once.
        if let Some(code) = self.code.as_deref().filter(|c| *c != self.status.as_str()) {
            write!(f, " {code}")?;
        }
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None => write!(
                f,
                ": {} (the answer had no error message)",
                self.status.canonical_reason().unwrap_or("no reason phrase")
            )?,
        }
        f.write_str(&fmt_hint(self.hint()))
    }
}

impl std::error::Error for ServiceError {}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("service", &self.service)
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("retry_after", &self.retry_after)
            .field("body", &String::from_utf8_lossy(&self.body))
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

/// `" (hint)"`, or nothing.
fn fmt_hint(hint: Option<&str>) -> String {
    hint.map(|hint| format!(" ({hint})")).unwrap_or_default()
}

fn fmt_attempts(attempts: u32) -> String {
    if attempts > 1 {
        format!(", after {attempts} attempts")
    } else {
        String::new()
    }
}

fn bounded(body: &[u8]) -> Box<[u8]> {
    Box::from(&body[..body.len().min(RAW_BODY_LIMIT)])
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

    /// Small enough for a `Result<T, Error>` to be passed around by value (clippy's
    /// `result_large_err` draws the line at 128 bytes) without boxing the kind.
    #[test]
    fn an_error_stays_small() {
        assert!(size_of::<Error>() < 128, "{}", size_of::<Error>());
    }

    #[test]
    fn bodies_that_are_not_json_become_the_message() {
        let headers = HeaderMap::new();
        let e = ServiceError::from_answer(
            Service::Dli,
            StatusCode::BAD_GATEWAY,
            &headers,
            b"<html>Bad gateway</html>",
        );
        assert_eq!(e.code, None);
        assert_eq!(e.message.as_deref(), Some("<html>Bad gateway</html>"));
        let e = ServiceError::from_answer(Service::Dli, StatusCode::BAD_GATEWAY, &headers, b"");
        assert_eq!(e.message, None);
    }

    #[test]
    fn redirects_say_where_they_pointed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::LOCATION,
            http::HeaderValue::from_static("https://elsewhere.example/v1.0/p/streaming/jobs/1"),
        );
        let e =
            ServiceError::from_answer(Service::Dli, StatusCode::MOVED_PERMANENTLY, &headers, b"");
        let shown = e.to_string();
        assert!(
            shown.contains("301")
                && shown.contains("redirect to https://elsewhere.example/v1.0/p/streaming/jobs/1")
                && shown.contains("not followed"),
            "{shown}"
        );
        let e =
            ServiceError::from_answer(Service::Dli, StatusCode::FOUND, &HeaderMap::new(), b"moved");
        assert_eq!(
            e.message.as_deref(),
            Some("redirect without a Location, not followed: moved")
        );
        assert!(
            e.to_string()
                .ends_with(": moved (signed requests are not sent elsewhere: check the endpoint)"),
            "{e}"
        );
    }

    #[test]
    fn header_request_id_wins_over_body() {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, http::HeaderValue::from_static("hdr"));
        let e = ServiceError::from_answer(
            Service::Dli,
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
        let e = ServiceError::from_answer(
            Service::Dli,
            StatusCode::INTERNAL_SERVER_ERROR,
            &HeaderMap::new(),
            &big,
        );
        assert_eq!(e.body.len(), RAW_BODY_LIMIT);
    }

    fn answer(service: Service, status: u16, body: &str) -> ServiceError {
        ServiceError::from_answer(
            service,
            StatusCode::from_u16(status).unwrap_or_default(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn not_found_only_in_the_services_own_words() {
        let nf = |service, status, body: &str| answer(service, status, body).is_not_found();
        // Each service's own "no such job", whatever the status.
        assert!(nf(
            Service::Dli,
            400,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#
        ));
        assert!(nf(
            Service::Dli,
            400,
            r#"{"error_code":"DLI.16001","error_msg":"no such Flink job"}"#
        ));
        assert!(nf(
            Service::ModelArts,
            200,
            r#"{"is_success":false,"error_code":"ModelArts.2775","error_message":"x"}"#
        ));
        assert!(nf(
            Service::Mrs,
            500,
            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#
        ));
        // A 404 in the service's own envelope.
        assert!(nf(
            Service::Dli,
            404,
            r#"{"error_code":"DLI.0001","error_msg":"no such thing"}"#
        ));
        assert!(nf(
            Service::Mrs,
            404,
            r#"{"error_code":"12000003","error_msg":"The cluster does not exist."}"#
        ));
        // MRS v2: a cluster that is gone (any status), and the camel-case envelope.
        assert!(nf(
            Service::Mrs,
            400,
            r#"{"errorCode":"12000003","errorMsg":"The cluster does not exist."}"#
        ));
        assert!(nf(
            Service::Mrs,
            500,
            r#"{"errorCode":"0176","errorMsg":"The job does not exist."}"#
        ));
        assert!(!nf(
            Service::Dli,
            400,
            r#"{"errorCode":"12000003","errorMsg":"not DLI's"}"#
        ));
        // Not the service's word: the gateway, a web server, a proxy, another service.
        for body in [
            "",
            "   ",
            "<html><body><h1>404 Not Found</h1></body></html>",
            "Not Found",
            "{}",
            r#"{"message":"no Route matched with those values"}"#,
            r#"{"code":404,"message":"Not Found"}"#,
            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
        ] {
            for service in Service::ALL {
                assert!(!nf(service, 404, body), "{service} {body}");
            }
        }
        assert!(!nf(
            Service::Dli,
            404,
            r#"{"error_code":"ModelArts.2775","error_msg":"x"}"#
        ));
        assert!(!nf(
            Service::Dli,
            500,
            r#"{"error_code":"0176","error_msg":"x"}"#
        ));
        assert!(!nf(
            Service::Dli,
            400,
            r#"{"error_code":"DLI.0001","error_msg":"bad"}"#
        ));
    }

    #[test]
    fn every_not_found_code_is_a_services_own() {
        let per_service: Vec<&str> = Service::ALL
            .iter()
            .flat_map(|s| s.not_found_codes().iter().copied())
            .collect();
        assert_eq!(per_service, NOT_FOUND_CODES);
        for service in Service::ALL {
            for code in service.not_found_codes() {
                assert!(service.owns_code(code), "{service} {code}");
            }
        }
    }

    #[test]
    fn misconfigurations_say_what_to_check() {
        let typo = answer(
            Service::Dli,
            404,
            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment","request_id":"r1"}"#,
        );
        assert!(typo.is_misconfiguration() && !typo.is_not_found());
        assert_eq!(
            typo.to_string(),
            "service error (HTTP 404 Not Found, request id r1) APIG.0101: The API does not exist or has not been published in the environment (the endpoint does not serve this API: check --endpoint or the region's endpoint)"
        );
        for (status, body) in [
            (404, "<html>Not Found</html>"),
            (404, ""),
            (
                401,
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ),
            (
                401,
                r#"{"error_code":"DLI.0013","error_msg":"User authentication errors occur."}"#,
            ),
            (403, r#"{"error_code":"APIG.0302","error_msg":"denied"}"#),
            (301, ""),
        ] {
            let e = answer(Service::Dli, status, body);
            assert!(e.is_misconfiguration(), "{status} {body}");
            assert!(e.to_string().ends_with(')'), "{e}");
        }
        for (status, body) in [
            (400, r#"{"error_code":"DLI.0002","error_msg":"gone"}"#),
            (404, r#"{"error_code":"DLI.0001","error_msg":"gone"}"#),
            (403, r#"{"error_code":"DLI.0003","error_msg":"not yours"}"#),
            (429, r#"{"error_code":"APIG.0308","error_msg":"slow down"}"#),
            (500, r#"{"error_code":"APIG.0100","error_msg":"internal"}"#),
            (503, ""),
        ] {
            let e = answer(Service::Dli, status, body);
            assert!(
                !e.is_misconfiguration() && e.hint().is_none(),
                "{status} {body}"
            );
        }
        let refused = TransportError::new(TransportErrorKind::Refused, "connection refused");
        assert!(refused.is_misconfiguration());
        assert!(
            refused.to_string().contains("check --endpoint"),
            "{refused}"
        );
        let timeout = TransportError::new(TransportErrorKind::Timeout, "slow");
        assert!(!timeout.is_misconfiguration());
        assert_eq!(
            timeout.to_string(),
            "Timeout failure after 1 attempt(s): slow"
        );
    }

    #[test]
    fn service_error_text_says_attempts_and_reason() {
        let h = HeaderMap::new();
        let once = ServiceError::from_answer(Service::Dli, StatusCode::BAD_GATEWAY, &h, b"");
        assert_eq!(
            once.to_string(),
            "service error (HTTP 502 Bad Gateway): Bad Gateway (the answer had no error message)"
        );
        let e = Error::from(ServiceError::from_answer(
            Service::Dli,
            StatusCode::TOO_MANY_REQUESTS,
            &h,
            br#"{"error_code":"APIG.0308","error_msg":"throttled","request_id":"r9"}"#,
        ))
        .with_attempts(3);
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

    /// The attempt metadata is the error's, once, whatever its kind; nothing was sent for
    /// a build or sign error, so it keeps none.
    #[test]
    fn attempts_are_kept_once_for_every_kind_that_was_sent() {
        let h = HeaderMap::new();
        let sent: [Error; 3] = [
            ServiceError::from_answer(Service::Dli, StatusCode::BAD_GATEWAY, &h, b"").into(),
            TransportError::new(TransportErrorKind::Closed, "eof").into(),
            ResponseError::new(
                ResponseErrorKind::Truncated,
                "cut",
                StatusCode::OK,
                &h,
                b"{",
            )
            .into(),
        ];
        for e in sent {
            assert_eq!((e.attempts(), e.earlier_attempt_unknown()), (1, false));
            let e = e.with_attempts(3).with_earlier_attempt_unknown(true);
            assert_eq!(
                (e.attempts(), e.earlier_attempt_unknown()),
                (3, true),
                "{e}"
            );
        }
        let unsent: [Error; 2] = [
            BuildError::InvalidProjectId.into(),
            SignError::NoHost.into(),
        ];
        for e in unsent {
            let e = e.with_attempts(3).with_earlier_attempt_unknown(true);
            assert_eq!(
                (e.attempts(), e.earlier_attempt_unknown()),
                (0, false),
                "{e}"
            );
            assert!(std::error::Error::source(&e).is_some());
        }
        let closed = Error::from(TransportError::new(TransportErrorKind::Closed, "eof"));
        assert_eq!(
            closed.with_attempts(2).to_string(),
            "Closed failure after 2 attempt(s): eof"
        );
    }
}
#[cfg(test)]
mod size_probe {
    #[test]
    fn sizes() {
        eprintln!(
            "Error {} ErrorKind {} Service {} Transport {} Response {} Build {} Sign {} RetryAfter {}",
            size_of::<super::Error>(),
            size_of::<super::ErrorKind>(),
            size_of::<super::ServiceError>(),
            size_of::<super::TransportError>(),
            size_of::<super::ResponseError>(),
            size_of::<super::BuildError>(),
            size_of::<super::SignError>(),
            size_of::<Option<crate::retry_after::RetryAfter>>()
        );
    }
}
