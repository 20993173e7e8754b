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

use crate::answer::Answer;
use crate::body::AnswerBody;
use crate::flush::{FlushWatch, Watched};
use crate::handlers::{self, Route};
use crate::model::{AuthKind, Delivery, FaultAction, RecordedRequest};
use crate::tls::Tls;
use crate::{Shared, admin, auth, iam};

/// The largest request body read (larger ones get 413).
pub(crate) const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// The largest admin request body: bulk seeding sends tens of thousands of jobs at once.
pub(crate) const MAX_ADMIN_BODY: usize = 256 * 1024 * 1024;
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
            let answer = too_large(&request_id);
            let body = AnswerBody::full(answer.body.clone());
            return Ok(response(answer, body, &request_id));
        }
    };
    if is_admin {
        let answer = admin::handle(&shared, &parts, &body);
        let body = AnswerBody::full(answer.body.clone());
        return Ok(response(answer, body, &request_id));
    }

    let record = arriving(&request_id, &parts, path, &body);
    // Recorded on arrival (so a client that gave up finds its request in the log at once),
    // completed when the answer is known, or when hyper drops this future because the
    // client hung up (during a delay, say).
    push_record(&shared, record.clone());
    let mut recorder = Recorder {
        shared: Arc::clone(&shared),
        record: Some(record),
    };

    let fault = take_fault(&shared, parts.method.as_str(), path);
    let apply_first = fault.as_ref().is_some_and(|(action, first)| {
        *first
            || matches!(
                action,
                FaultAction::Close {
                    after_processing: true
                }
            )
    });
    let mut handled = None;
    if let Some(record) = recorder.record.as_mut() {
        record.fault = fault.as_ref().map(|(action, _)| action.kind().to_owned());
        if apply_first {
            handled = Some(process(&shared, &parts, &body, &request_id, record));
            record.handled = true;
        }
    }
    let json = || {
        vec![(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )]
    };
    let status_of =
        |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (answer, sent, delivery) = match fault.map(|(action, _)| action) {
        None => {
            let answer = handled.unwrap_or_else(|| recorder.process(&parts, &body, &request_id));
            let sent = AnswerBody::full(answer.body.clone());
            (answer, sent, Delivery::Sent)
        }
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let answer = handled.unwrap_or_else(|| recorder.process(&parts, &body, &request_id));
            let sent = AnswerBody::full(answer.body.clone());
            (answer, sent, Delivery::Sent)
        }
        Some(FaultAction::Close { .. }) => {
            recorder.finish(None, Delivery::Closed);
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
            (answer, sent, Delivery::Sent)
        }
        Some(FaultAction::TruncatedBody { status, body }) => {
            let full = match (body, handled) {
                (Some(body), _) => Bytes::from(body),
                // After handling, the request's own answer is the one cut short.
                (None, Some(answer)) if !answer.body.is_empty() => answer.body,
                (None, _) => Bytes::from_static(
                    br#"{"is_success": true, "message": "The job is successfully deleted."}"#,
                ),
            };
            let part = full.slice(..full.len() / 2);
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = part.clone();
            let sent = AnswerBody::Truncated {
                part: (!part.is_empty()).then_some(part),
                announced: full.len() as u64,
                flushed,
            };
            (answer, sent, Delivery::Truncated)
        }
        Some(FaultAction::MalformedJson { status }) => {
            let text =
                Bytes::from_static(br#"{"is_success": true, "message": "malformed on purpose""#);
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = text.clone();
            (answer, AnswerBody::full(text), Delivery::Malformed)
        }
        Some(FaultAction::OversizedBody { status, bytes }) => {
            let mut answer = Answer::empty(status_of(status));
            answer.headers = json();
            answer.body = Bytes::from(format!("({bytes} bytes of padded JSON)"));
            (
                answer,
                AnswerBody::oversized_json(bytes),
                Delivery::Oversized,
            )
        }
    };
    recorder.finish(Some(&answer), delivery);
    Ok(response(answer, sent, &request_id))
}

/// Holds a request's record until its answer is known; completes its entry in the log then,
/// or when dropped before (the client gave up and hyper dropped the request's future).
struct Recorder {
    shared: Arc<Shared>,
    record: Option<RecordedRequest>,
}

impl Recorder {
    /// Handles the request and notes so.
    fn process(&mut self, parts: &Parts, body: &[u8], request_id: &str) -> Answer {
        let Some(record) = self.record.as_mut() else {
            return Answer::empty(StatusCode::INTERNAL_SERVER_ERROR);
        };
        record.handled = true;
        process(&self.shared, parts, body, request_id, record)
    }

    /// Records the answer (`None`: no answer was sent) and what became of it.
    fn finish(&mut self, answer: Option<&Answer>, delivery: Delivery) {
        let Some(mut record) = self.record.take() else {
            return;
        };
        record.status = answer.map(|a| a.status.as_u16());
        record.error_code = answer.and_then(|a| a.error_code.clone());
        record.body = answer.map_or_else(String::new, |a| bounded_text(&a.body));
        record.delivery = delivery;
        complete_record(&self.shared, record);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish(None, Delivery::Abandoned);
    }
}

/// The first pending fault that matches and draws a hit, counted; with its `apply_first`.
fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<(FaultAction, bool)> {
    let mut state = shared.lock();
    let mut hit = None;
    for (index, active) in state.faults.iter_mut().enumerate() {
        if active.fault.times == 0 || !active.fault.matches(method, path) {
            continue;
        }
        let draw = active.draws;
        active.draws += 1;
        if active.fault.hits(draw) {
            hit = Some(index);
            break;
        }
    }
    let index = hit?;
    let fault = &mut state.faults[index].fault;
    fault.times -= 1;
    let taken = (fault.action.clone(), fault.apply_first);
    if fault.times == 0 {
        state.faults.remove(index);
    }
    Some(taken)
}

/// The answer to a request body over the limit.
pub(crate) fn too_large(request_id: &str) -> Answer {
    Answer::gateway(
        StatusCode::PAYLOAD_TOO_LARGE,
        "APIG.0201",
        "Request entity too large",
        request_id,
    )
}

pub(crate) fn push_record(shared: &Shared, record: RecordedRequest) {
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

/// Replaces the pending entry of `record`'s request (searched from the newest: few requests
/// are in flight at once); nothing when the bounded log has dropped it already.
fn complete_record(shared: &Shared, record: RecordedRequest) {
    let mut state = shared.lock();
    if let Some(entry) = state
        .requests
        .iter_mut()
        .rev()
        .find(|r| r.request_id == record.request_id)
    {
        *entry = record;
    }
}

/// Routes, authenticates and serves one request of the emulated APIs.
pub(crate) fn process(
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
        if route.service() == otc_jobs_core::Service::Iam {
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
    if route == Route::IamProjects || route == Route::IamAuthProjects {
        return iam::projects(shared.lock().projects.list(), parts.uri.query());
    }
    let project = project.unwrap_or_default();
    // The gateway throttles a user's calls of an API before the service sees them.
    if let Err(answer) =
        shared
            .gateway()
            .admit(&project, route.service(), Instant::now(), request_id)
    {
        return answer;
    }
    let mut state = shared.lock();
    // A token scoped to another project reaches only that one.
    let token = parts
        .headers
        .get(otc_jobs_core::auth::X_AUTH_TOKEN)
        .and_then(|v| v.to_str().ok());
    let scope = token.and_then(|t| state.projects.token_scope(t));
    if scope.is_some_and(|scoped| scoped != project) {
        return handlers::wrong_project(route.service(), &project);
    }
    let Some(store) = state.projects.reachable_store(&project) else {
        return handlers::wrong_project(route.service(), &project);
    };
    handlers::handle(
        store,
        route,
        parts.uri.query(),
        body,
        &project,
        config.delete_delay,
        config.kill_delay,
        Instant::now(),
    )
}

/// The record of a request as it arrives: nothing answered or handled yet.
pub(crate) fn arriving(
    request_id: &str,
    parts: &Parts,
    path: &str,
    body: &[u8],
) -> RecordedRequest {
    RecordedRequest {
        request_id: request_id.to_owned(),
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
        request_body: String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned(),
        auth: AuthKind::None,
        signature_verified: None,
        status: None,
        error_code: None,
        body: String::new(),
        fault: None,
        handled: false,
        delivery: Delivery::Pending,
    }
}
