//! The HTTP/1.1 server: accept loop, faults, authentication, recording.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::body::AnswerBody;
use crate::flush::{FlushWatch, Watched};
use crate::handlers::{self, Answer, Route};
use crate::model::{AuthKind, FaultAction, RecordedRequest};
use crate::tls::Tls;
use crate::{Shared, admin, auth, iam};

/// The largest request body read (larger ones get 413).
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// The largest admin request body: bulk seeding sends tens of thousands of jobs at once.
const MAX_ADMIN_BODY: usize = 256 * 1024 * 1024;
/// How much of an answer body a recorded request keeps.
const RECORDED_BODY_LIMIT: usize = 4096;
/// How long a client has to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Request ids: 32 hex digits, unique per emulator run.
#[derive(Debug)]
pub(crate) struct RequestIds {
    prefix: u64,
    counter: AtomicU64,
}

impl RequestIds {
    pub(crate) fn new() -> RequestIds {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let prefix = (nanos as u64) ^ (u64::from(std::process::id()) << 40);
        RequestIds {
            prefix,
            counter: AtomicU64::new(1),
        }
    }

    pub(crate) fn next(&self) -> String {
        format!(
            "{:016x}{:016x}",
            self.prefix,
            self.counter.fetch_add(1, Ordering::Relaxed)
        )
    }

    fn token(&self) -> String {
        // Looks like an IAM token's start; unique per emulator run.
        format!("MIIEmulatorToken{}", self.next())
    }
}

/// Returned by the service to make hyper drop the connection without answering.
#[derive(Debug)]
pub(crate) struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed on purpose")
    }
}

impl std::error::Error for CloseConnection {}

/// Accepts connections until `stop` fires; over TLS when `tls` is given.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    tls: Option<Tls>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    match &tls {
                        None => {
                            tokio::spawn(serve_connection(TokioIo::new(stream), shared));
                        }
                        Some(tls) => {
                            let acceptor = tls.acceptor.clone();
                            tokio::spawn(async move {
                                let handshake = tokio::time::timeout(
                                    TLS_HANDSHAKE_TIMEOUT,
                                    acceptor.accept(stream),
                                );
                                match handshake.await {
                                    Ok(Ok(stream)) => {
                                        serve_connection(TokioIo::new(stream), shared).await;
                                    }
                                    Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                                    Err(_) => tracing::debug!("TLS handshake timed out"),
                                }
                            });
                        }
                    }
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        }
    }
}

/// Serves HTTP/1.1 on one connection (plain or TLS) until it ends.
async fn serve_connection<T>(io: T, shared: Arc<Shared>)
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let watch = Arc::new(FlushWatch::default());
    let io = Watched::new(io, Arc::clone(&watch));
    let service = service_fn(move |req| handle(Arc::clone(&shared), Arc::clone(&watch), req));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    if let Err(e) = conn.await {
        tracing::debug!("connection ended: {e}");
    }
}

fn response(answer: Answer, body: AnswerBody, request_id: &str) -> Response<AnswerBody> {
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        headers.append(name, value);
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(otc_jobs_core::X_REQUEST_ID, id);
    }
    response
}

fn bounded_text(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(RECORDED_BODY_LIMIT)]).into_owned()
}

async fn handle(
    shared: Arc<Shared>,
    flushed: Arc<FlushWatch>,
    request: Request<Incoming>,
) -> Result<Response<AnswerBody>, CloseConnection> {
    let request_id = shared.ids.next();
    let (parts, incoming) = request.into_parts();
    let path = parts.uri.path();
    let is_admin = path == "/_emulator" || path.starts_with("/_emulator/");
    let limit = if is_admin {
        MAX_ADMIN_BODY
    } else {
        MAX_REQUEST_BODY
    };
    let body = match Limited::new(incoming, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let answer = Answer::gateway(
                StatusCode::PAYLOAD_TOO_LARGE,
                "APIG.0201",
                "Request entity too large",
                &request_id,
            );
            let body = AnswerBody::full(answer.body.clone());
            return Ok(response(answer, body, &request_id));
        }
    };
    if is_admin {
        let answer = admin::handle(&shared, &parts, &body);
        let body = AnswerBody::full(answer.body.clone());
        return Ok(response(answer, body, &request_id));
    }

    let mut record = RecordedRequest {
        request_id: request_id.clone(),
        method: parts.method.as_str().to_owned(),
        path: path.to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        auth: AuthKind::None,
        signature_verified: None,
        status: None,
        error_code: None,
        body: String::new(),
        fault: None,
    };

    let fault = take_fault(&shared, parts.method.as_str(), path);
    record.fault = fault.as_ref().map(|f| f.kind().to_owned());
    let json = || {
        vec![(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )]
    };
    let status_of =
        |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let canned = match fault {
        None => None,
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        Some(FaultAction::Close { after_processing }) => {
            if after_processing {
                process(&shared, &parts, &body, &request_id, &mut record);
            }
            record.status = None;
            record.body.clear();
            record.error_code = None;
            push_record(&shared, record);
            return Err(CloseConnection);
        }
        Some(FaultAction::Respond {
            status,
            headers,
            body,
        }) => {
            let mut answer = Answer::empty(status_of(status));
            answer.error_code = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("error_code")
                        .and_then(|c| c.as_str())
                        .map(str::to_owned)
                });
            for (name, value) in headers {
                if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                    answer.headers.push((n, v));
                }
            }
            answer.body = Bytes::from(body);
            let sent = AnswerBody::full(answer.body.clone());
            Some((answer, sent))
        }
        Some(FaultAction::TruncatedBody { status, body }) => {
            let full = Bytes::from(body.unwrap_or_else(|| {
                r#"{"is_success": true, "message": "The job is successfully deleted."}"#.into()
            }));
            let part = full.slice(..full.len() / 2);
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = part.clone();
            let sent = AnswerBody::Truncated {
                part: (!part.is_empty()).then_some(part),
                announced: full.len() as u64,
                flushed,
            };
            Some((answer, sent))
        }
        Some(FaultAction::MalformedJson { status }) => {
            let text =
                Bytes::from_static(br#"{"is_success": true, "message": "malformed on purpose""#);
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = text.clone();
            Some((answer, AnswerBody::full(text)))
        }
        Some(FaultAction::OversizedBody { status, bytes }) => {
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = Bytes::from(format!("({bytes} bytes of padded JSON)"));
            Some((answer, AnswerBody::oversized_json(bytes)))
        }
    };
    let (answer, sent) = match canned {
        Some(canned) => canned,
        None => {
            let answer = process(&shared, &parts, &body, &request_id, &mut record);
            let sent = AnswerBody::full(answer.body.clone());
            (answer, sent)
        }
    };
    record.status = Some(answer.status.as_u16());
    record.error_code = answer.error_code.clone();
    record.body = bounded_text(&answer.body);
    push_record(&shared, record);
    Ok(response(answer, sent, &request_id))
}

fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<FaultAction> {
    let mut state = shared.lock();
    let index = state
        .faults
        .iter()
        .position(|f| f.times > 0 && f.matches(method, path))?;
    let fault = &mut state.faults[index];
    fault.times -= 1;
    let action = fault.action.clone();
    if fault.times == 0 {
        state.faults.remove(index);
    }
    Some(action)
}

fn push_record(shared: &Shared, record: RecordedRequest) {
    let max = shared.config.max_recorded_requests;
    if max == 0 {
        return;
    }
    let mut state = shared.lock();
    while state.requests.len() >= max {
        state.requests.pop_front();
    }
    state.requests.push_back(record);
}

/// Routes, authenticates and serves one request of the emulated APIs.
fn process(
    shared: &Shared,
    parts: &Parts,
    body: &[u8],
    request_id: &str,
    record: &mut RecordedRequest,
) -> Answer {
    let config = &shared.config;
    let Some((project, route)) = handlers::route(&parts.method, parts.uri.path()) else {
        return Answer::gateway(
            StatusCode::NOT_FOUND,
            "APIG.0101",
            "The API does not exist or has not been published in the environment",
            request_id,
        );
    };
    let now_unix = now_unix();
    if route == Route::IamTokens {
        let token = shared.ids.token();
        return iam::issue_token(config, &mut shared.lock(), body, now_unix, token);
    }
    let checked = auth::authenticate(
        config,
        route.service(),
        |token| shared.lock().tokens.check(token, &config.tokens, now_unix),
        parts,
        body,
        now_unix,
    );
    record.auth = checked.kind;
    record.signature_verified = checked.signature_verified;
    if let Err(refusal) = checked.result {
        if route == Route::IamProjects {
            return iam::iam_error(
                StatusCode::UNAUTHORIZED,
                "The request you have made requires authentication.",
            );
        }
        return Answer::gateway(
            StatusCode::UNAUTHORIZED,
            refusal.code,
            &refusal.message,
            request_id,
        );
    }
    if route == Route::IamProjects {
        return iam::projects(config, parts.uri.query());
    }
    let project = project.unwrap_or_default();
    if project != config.project_id {
        return handlers::wrong_project(route.service(), &project);
    }
    handlers::handle(
        &mut shared.lock(),
        route,
        parts.uri.query(),
        body,
        &config.project_id,
        config.delete_delay,
        Instant::now(),
    )
}
