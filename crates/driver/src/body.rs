//! Reading an answer's body under the size limit, and mapping I/O failures to the core's
//! errors, the same way for both clients.

use std::io;

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, StatusCode};
use otc_jobs_core::{
    Error, ResponseError, ResponseErrorKind, TransportError, TransportErrorKind, X_REQUEST_ID,
};

/// Collects a body chunk by chunk, failing as soon as it passes the limit (or at once,
/// when `Content-Length` announces more), so that memory stays bounded.
///
/// ```
/// use otc_jobs_driver::BodySink;
/// use otc_jobs_core::{Error, ResponseErrorKind};
/// let mut sink = BodySink::new(8, http::StatusCode::OK, http::HeaderMap::new())?;
/// sink.push(b"{}")?;
/// assert_eq!(sink.finish().body(), b"{}");
///
/// let mut sink = BodySink::new(8, http::StatusCode::OK, http::HeaderMap::new())?;
/// let err = sink.push(b"0123456789").unwrap_err();
/// assert!(matches!(err.as_response(), Some(e) if e.kind == ResponseErrorKind::TooLarge { limit: 8 }));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
pub struct BodySink {
    limit: u64,
    status: StatusCode,
    headers: HeaderMap,
    /// The `Content-Length` of the answer, when it announced one.
    announced: Option<u64>,
    body: Vec<u8>,
}

/// How much is reserved up front for a body of announced length.
const PREALLOCATE_MAX: u64 = 64 * 1024;

impl BodySink {
    /// Starts reading the body of an answer with `status` and `headers`; fails at once
    /// when `Content-Length` is above `limit`.
    pub fn new(limit: u64, status: StatusCode, headers: HeaderMap) -> Result<BodySink, Error> {
        let announced = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let sink = BodySink {
            limit,
            status,
            headers,
            announced,
            body: Vec::new(),
        };
        match announced {
            Some(length) if length > limit => Err(sink.too_large(&format!(
                "Content-Length {length} is above the limit of {limit} bytes"
            ))),
            Some(length) => {
                let mut sink = sink;
                sink.body
                    .reserve(usize::try_from(length.min(PREALLOCATE_MAX)).unwrap_or(0));
                Ok(sink)
            }
            None => Ok(sink),
        }
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether every byte the answer announced (`Content-Length`) has arrived: the client
    /// can finish without waiting for the end-of-body signal, which costs another wake-up
    /// of the connection task.
    ///
    /// ```
    /// use otc_jobs_driver::BodySink;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from_static("2"));
    /// let mut sink = BodySink::new(8, http::StatusCode::OK, headers)?;
    /// assert!(!sink.is_complete());
    /// sink.push(b"{}")?;
    /// assert!(sink.is_complete());
    /// # Ok::<(), otc_jobs_core::Error>(())
    /// ```
    pub fn is_complete(&self) -> bool {
        self.announced == Some(self.body.len() as u64)
    }

    /// Adds a chunk; fails when the body passes the limit (nothing more is kept).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let total = self.body.len() as u64 + chunk.len() as u64;
        if total > self.limit {
            return Err(self.too_large(&format!(
                "the body passed the limit of {} bytes",
                self.limit
            )));
        }
        self.body.extend_from_slice(chunk);
        Ok(())
    }

    /// The error for a body whose reading failed with `kind` (see [`io_kind`]): a timeout
    /// stays a timeout (with the status), anything else means the body was cut short.
    pub fn fail(self, kind: TransportErrorKind, message: impl Into<String>) -> Error {
        let message = message.into();
        if kind == TransportErrorKind::Timeout {
            return TransportError {
                kind,
                message,
                status: Some(self.status),
                request_id: request_id(&self.headers),
            }
            .into();
        }
        ResponseError::new(
            ResponseErrorKind::Truncated,
            format!(
                "the body ended early after {} bytes: {message}",
                self.body.len()
            ),
            self.status,
            &self.headers,
            &self.body,
        )
        .into()
    }

    /// The complete answer.
    pub fn finish(self) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }

    fn too_large(&self, detail: &str) -> Error {
        ResponseError::new(
            ResponseErrorKind::TooLarge { limit: self.limit },
            detail,
            self.status,
            &self.headers,
            &self.body,
        )
        .into()
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// What an I/O error means for a request: a timeout, a failed connection, a connection
/// closed by the peer, or something else.
///
/// ```
/// use otc_jobs_driver::io_kind;
/// use otc_jobs_core::TransportErrorKind;
/// let eof = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
/// assert_eq!(io_kind(&eof), TransportErrorKind::Closed);
/// ```
pub fn io_kind(error: &io::Error) -> TransportErrorKind {
    use io::ErrorKind as K;
    // An I/O error may wrap another (hyper-util wraps the connector's): judge the innermost.
    if let Some(inner) = error.get_ref().and_then(|e| e.downcast_ref::<io::Error>()) {
        return io_kind(inner);
    }
    match error.kind() {
        // rustls reports a failed handshake (an untrusted certificate, an alert) as
        // `InvalidData` carrying its own error, through hyper-rustls and ureq alike.
        K::InvalidData
            if error
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>()) =>
        {
            TransportErrorKind::Tls
        }
        K::TimedOut | K::WouldBlock => TransportErrorKind::Timeout,
        // Nothing listens there: both clients see the socket's own error.
        K::ConnectionRefused => TransportErrorKind::Refused,
        K::AddrNotAvailable | K::NotConnected | K::HostUnreachable | K::NetworkUnreachable => {
            TransportErrorKind::Connect
        }
        K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
            TransportErrorKind::Closed
        }
        _ => TransportErrorKind::Io,
    }
}

/// Every message of `error`'s chain of sources, joined by `: ` (a client library's own
/// message often leaves out the cause, e.g. which certificate check failed).
///
/// ```
/// let inner = std::io::Error::other("invalid peer certificate: UnknownIssuer");
/// let outer = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
/// assert!(otc_jobs_driver::error_chain(&outer).contains("UnknownIssuer"));
/// ```
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(e) = current {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = e.source();
    }
    text
}

/// `message` with the host the request went to in front, unless it names it already (a
/// failed DNS lookup is reported by ureq as "host not found", without the host).
///
/// ```
/// let uri: http::Uri = "https://dli.eu-de.example/v1.0/p/streaming/jobs/1".parse().unwrap();
/// assert_eq!(
///     otc_jobs_driver::naming_host(&uri, "host not found".into()),
///     "dli.eu-de.example: host not found"
/// );
/// ```
pub fn naming_host(uri: &http::Uri, message: String) -> String {
    match uri.host() {
        Some(host) if !message.contains(host) => format!("{host}: {message}"),
        _ => message,
    }
}

/// The kind of the first I/O error in `error`'s chain of sources, if any.
pub fn chain_kind(error: &(dyn std::error::Error + 'static)) -> Option<TransportErrorKind> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return Some(io_kind(io));
        }
        current = e.source();
    }
    None
}

/// A transport failure before any answer, of `kind`.
pub fn transport_error(kind: TransportErrorKind, message: impl Into<String>) -> Error {
    TransportError::new(kind, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_length_above_the_limit_fails_at_once() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_LENGTH, http::HeaderValue::from_static("100"));
        h.insert(X_REQUEST_ID, http::HeaderValue::from_static("r9"));
        let e = BodySink::new(10, StatusCode::OK, h).unwrap_err();
        assert_eq!(e.request_id(), Some("r9"));
        assert!(
            matches!(e.as_response(), Some(r) if r.kind == ResponseErrorKind::TooLarge { limit: 10 })
        );
    }

    #[test]
    fn cut_short_and_slow_bodies() {
        let mut sink = BodySink::new(100, StatusCode::OK, HeaderMap::new()).unwrap();
        sink.push(b"{\"a\"").unwrap();
        let e = sink.fail(TransportErrorKind::Closed, "eof");
        assert!(matches!(e.as_response(), Some(r) if r.kind == ResponseErrorKind::Truncated));
        let sink = BodySink::new(100, StatusCode::OK, HeaderMap::new()).unwrap();
        let e = sink.fail(TransportErrorKind::Timeout, "slow");
        assert!(matches!(e.as_transport(), Some(t) if t.kind == TransportErrorKind::Timeout));
        assert_eq!(e.status(), Some(StatusCode::OK));
    }

    #[test]
    fn chains() {
        // The innermost I/O error decides (hyper-util wraps the connector's in `Other`).
        let inner = io::Error::new(io::ErrorKind::ConnectionReset, "reset");
        let outer = io::Error::other(inner);
        assert_eq!(chain_kind(&outer), Some(TransportErrorKind::Closed));
        let handshake = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let wrapped = io::Error::other(handshake);
        assert_eq!(chain_kind(&wrapped), Some(TransportErrorKind::Tls));
        assert!(error_chain(&wrapped).contains("UnknownIssuer"));
        let other_data = io::Error::new(io::ErrorKind::InvalidData, "bad chunk size");
        assert_eq!(chain_kind(&other_data), Some(TransportErrorKind::Io));
        let fmt = std::fmt::Error;
        assert_eq!(chain_kind(&fmt), None);
        let refused = io::Error::other(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(chain_kind(&refused), Some(TransportErrorKind::Refused));
    }
}
