//! The sans-IO call driver: one call of an operation, as a state machine that says what to
//! send and how long to wait, and judges what came back. Both clients run the same loop
//! over it; only sending and sleeping differ. The time and the random draws are passed in
//! at each step, so the machine reads no clock and draws nothing itself.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::USER_AGENT;
use otc_jobs_core::auth::iam::{
    CreatePasswordToken, IamToken, ListProjects, TokenScope, parse_projects_response,
    parse_token_response,
};
use otc_jobs_core::auth::{Credentials, SecretString, SigningParams};
use otc_jobs_core::{
    Error, Operation, OperationExt, RetryDecision, Service, Target, UtcTime, is_ambiguous,
    is_idempotent, is_throttled, throttle_limit,
};
use tracing::{Span, field};

use crate::config::{Auth, Config, Project};
use crate::rate::{AdaptiveRate, Turn};

/// The code of OTC's API gateway for an expired or invalid token.
pub const TOKEN_EXPIRED_CODE: &str = "APIG.0307";

/// What came back for one request: the whole answer, or the core's error for why there is
/// none (transport failure, unreadable body).
pub type Answer = Result<http::Response<Vec<u8>>, Error>;

/// The state shared by every call of one client: configuration, the resolved project id
/// and the cached IAM token.
#[derive(Debug)]
pub struct Shared {
    config: Config,
    project_id: OnceLock<String>,
    token: Mutex<Option<IamToken>>,
    /// With [`ClientPolicy::adaptive_rate`](otc_jobs_core::ClientPolicy::adaptive_rate):
    /// one rate per service, shared by every call to it.
    rates: Mutex<Vec<(Service, AdaptiveRate)>>,
}

impl Shared {
    /// The state for a client configured by `config`.
    pub fn new(config: Config) -> Shared {
        let project_id = OnceLock::new();
        if let Project::Id(id) = &config.project {
            let _ = project_id.set(id.clone());
        }
        Shared {
            config,
            project_id,
            token: Mutex::new(None),
            rates: Mutex::new(Vec::new()),
        }
    }

    /// The state for the same client in another project (see [`Config::for_project`]):
    /// its own project id, token and rates; the configuration otherwise the same.
    pub fn for_project(&self, project: Project) -> Shared {
        Shared::new(self.config.for_project(project))
    }

    /// The state for the same client in another region (see [`Config::in_region`]).
    pub fn in_region(&self, region: otc_jobs_core::Region) -> Shared {
        let shared = Shared::new(self.config.in_region(region));
        if let Some(id) = self.project_id() {
            let _ = shared.project_id.set(id.to_owned());
        }
        shared
    }

    /// The adaptive rate of `service`, made on first use.
    fn with_rate<R>(&self, service: Service, f: impl FnOnce(&mut AdaptiveRate) -> R) -> R {
        let mut rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
        let index = match rates.iter().position(|(s, _)| *s == service) {
            Some(index) => index,
            None => {
                rates.push((service, AdaptiveRate::new(None)));
                rates.len() - 1
            }
        };
        f(&mut rates[index].1)
    }

    /// The rate the calls to `service` are paced at now, requests per second: `None` when
    /// unlimited (not throttled yet, or [`ClientPolicy::adaptive_rate`](otc_jobs_core::ClientPolicy::adaptive_rate) off).
    pub fn adaptive_rate(&self, service: Service, now: SystemTime) -> Option<f64> {
        let rates = self.rates.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, rate) = rates.iter().find(|(s, _)| *s == service)?;
        rate.rate(since_epoch(now))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The project id, once known (at once when configured by id, after the first call
    /// when configured by name).
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.get().map(String::as_str)
    }

    /// Starts a call of `operation`.
    pub fn call<'a, O: Operation>(&'a self, operation: &'a O) -> Call<'a, O> {
        let span = tracing::info_span!(
            "otc_jobs.call",
            operation = O::NAME,
            service = O::SERVICE.host_label(),
            attempts = field::Empty,
            status = field::Empty,
            code = field::Empty,
            request_id = field::Empty,
            duration_ms = field::Empty,
        );
        Call {
            shared: self,
            operation,
            phase: Phase::Operation,
            attempts: [0; 3],
            refreshed: false,
            earlier_unknown: false,
            current: None,
            started: None,
            span,
            last_answer: (None, None),
        }
    }

    fn cached_token(&self) -> Option<IamToken> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store_token(&self, token: IamToken) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = Some(token);
    }

    /// Forgets the cached token if it is still `used` (another call may have replaced it).
    fn forget_token(&self, used: &SecretString) {
        let mut cached = self.token.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.as_ref().is_some_and(|t| &t.token == used) {
            *cached = None;
        }
    }
}

/// Which request a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// `POST /v3/auth/tokens`, for a password login.
    Token,
    /// `GET /v3/projects?name=...`, to resolve a project name.
    Project,
    /// The operation itself.
    Operation,
}

impl Phase {
    fn index(self) -> usize {
        match self {
            Phase::Token => 0,
            Phase::Project => 1,
            Phase::Operation => 2,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Phase::Token => "iam_token",
            Phase::Project => "iam_project",
            Phase::Operation => "operation",
        }
    }
}

/// One request to send.
#[derive(Debug)]
pub struct Exchange {
    /// The signed request.
    pub request: http::Request<Vec<u8>>,
    /// The attempt's span: send inside it.
    pub span: Span,
    /// The body size limit: read the answer with [`BodySink`](crate::BodySink) and this limit.
    pub limit: u64,
    /// What the request is for.
    pub phase: Phase,
}

/// What the client must do next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request, then pass the answer to [`Call::advance`].
    Send(Exchange),
    /// Sleep this long, then call [`Call::advance`] with no answer.
    Wait(Duration),
    /// The call is over.
    Done(Result<T, Error>),
}

struct Current {
    span: Span,
    /// When it was sent; `None` when its span records nothing.
    sent: Option<SystemTime>,
    token: Option<SecretString>,
    /// Its turn of the service's adaptive rate, when the rate is on.
    turn: Option<Turn>,
}

/// One call of an operation, driven by a client, which owns the clock and the random
/// source and passes the time and a draw in at each step:
///
/// ```text
/// let mut call = shared.call(&operation);
/// let mut answer = None;
/// loop {
///     match call.advance(answer.take(), SystemTime::now(), jitter.draw()) {
///         Step::Send(exchange) => answer = Some(send(exchange)),   // the client's I/O
///         Step::Wait(wait) => sleep(wait),
///         Step::Done(result) => return result,
///     }
/// }
/// ```
///
/// It obtains (and refreshes) IAM tokens, resolves a project name, signs each attempt at
/// its own time, retries as the core's [`RetryPolicy`](otc_jobs_core::RetryPolicy)
/// decides (failures that leave an attempt's fate unknown only for an idempotent method),
/// refreshes the token once on a 401 `APIG.0307`, counts attempts into the error, marks
/// it when an earlier attempt's fate is unknown
/// ([`Error::earlier_attempt_unknown`]), and records the `otc_jobs.call` and `otc_jobs.attempt` spans.
pub struct Call<'a, O: Operation> {
    shared: &'a Shared,
    operation: &'a O,
    phase: Phase,
    attempts: [u32; 3],
    refreshed: bool,
    /// An operation attempt failed without a clear answer: it may have been carried out.
    earlier_unknown: bool,
    span: Span,
    current: Option<Current>,
    /// When the call started (the first step); `None` when its span records nothing.
    started: Option<SystemTime>,
    /// Status and request id of the last answer: the call span's, recorded once at the end.
    last_answer: (Option<u16>, Option<String>),
}

impl<O: Operation> std::fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("operation", &O::NAME)
            .field("phase", &self.phase)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl<'a, O: Operation> Call<'a, O> {
    /// The call's span (`otc_jobs.call`): run the whole loop inside it.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// How many times the operation itself was sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts[Phase::Operation.index()]
    }

    /// The next step at `now` (the wall clock: requests are signed with it, tokens expire
    /// by it, a `Retry-After` date is read against it, and the spans' durations are
    /// measured with it): `answer` is what came back for the last [`Step::Send`], `None`
    /// at the start and after a [`Step::Wait`]; `jitter` is a uniform draw from `[0, 1)`
    /// for a retry's backoff.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use otc_jobs_core::dli::DeleteFlinkJob;
    /// use otc_jobs_driver::{ClientBuilder, Shared, Step};
    ///
    /// let config = ClientBuilder::<()>::new()
    ///     .ak_sk("AK", "SK").project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9").region("eu-de").config()?;
    /// let shared = Shared::new(config);
    /// let operation = DeleteFlinkJob::new(148);
    /// let mut call = shared.call(&operation);
    /// let now = UNIX_EPOCH + Duration::from_secs(1_716_286_830);
    ///
    /// // The request is signed at the time passed in.
    /// let Step::Send(exchange) = call.advance(None, now, 0.5) else { panic!() };
    /// assert_eq!(exchange.request.headers()["x-sdk-date"], "20240521T102030Z");
    ///
    /// // A 503 is retried after a backoff drawn by the jitter passed in (the first
    /// // ceiling is 200 ms: a draw of 0.5 waits 100 ms).
    /// let busy = http::Response::builder().status(503).body(Vec::new())?;
    /// let Step::Wait(wait) = call.advance(Some(Ok(busy)), now, 0.5) else { panic!() };
    /// assert_eq!(wait, Duration::from_millis(100));
    ///
    /// // Sent again, signed at its own time; then the answer ends the call.
    /// let later = now + wait + Duration::from_secs(1);
    /// let Step::Send(again) = call.advance(None, later, 0.5) else { panic!() };
    /// assert_eq!(again.request.headers()["x-sdk-date"], "20240521T102031Z");
    /// let ok = http::Response::builder().status(200)
    ///     .body(br#"{"is_success": true, "message": "deleted"}"#.to_vec())?;
    /// let Step::Done(result) = call.advance(Some(Ok(ok)), later, 0.5) else { panic!() };
    /// assert_eq!(result?.is_success, Some(true));
    /// assert_eq!(call.attempts(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(
        &mut self,
        answer: Option<Answer>,
        now: SystemTime,
        jitter: f64,
    ) -> Step<O::Response> {
        if self.started.is_none() && !self.span.is_disabled() {
            self.started = Some(now);
        }
        if let Some(answer) = answer {
            let answer = self.close_attempt(answer, now);
            let failure = match self.phase {
                Phase::Operation => {
                    let parsed = answer.and_then(|r| O::parse_response(&r));
                    self.judge_turn(&parsed, now);
                    match parsed {
                        Ok(value) => return self.finish(Ok(value), now),
                        Err(e) => e,
                    }
                }
                Phase::Token => match answer.and_then(|r| parse_token_response(&r)) {
                    Ok(token) => {
                        if let Some(id) = &token.project_id {
                            let _ = self.shared.project_id.set(id.clone());
                        }
                        self.shared.store_token(token);
                        return self.send_next(now);
                    }
                    Err(e) => e,
                },
                Phase::Project => {
                    match answer.and_then(|r| parse_projects_response(&r, self.project_name())) {
                        Ok(id) => {
                            let _ = self.shared.project_id.set(id);
                            return self.send_next(now);
                        }
                        Err(e) => e,
                    }
                }
            };
            return self.after_failure(failure, now, jitter);
        }
        self.send_next(now)
    }

    /// Tells the service's adaptive rate how the attempt's turn went: throttled, or let
    /// through (any answer that is not a throttle; no answer tells it nothing).
    fn judge_turn(&mut self, parsed: &Result<O::Response, Error>, now: SystemTime) {
        let Some(turn) = self.current.as_mut().and_then(|c| c.turn.take()) else {
            return;
        };
        let at = since_epoch(now);
        match parsed {
            Err(e) if is_throttled(e) => {
                let (retry_after, limit) = match e.as_service() {
                    Some(s) => (
                        s.retry_after
                            .map(|r| r.wait_from(UtcTime::from_system_time(now))),
                        s.message.as_deref().and_then(throttle_limit),
                    ),
                    None => (None, None),
                };
                self.shared.with_rate(O::SERVICE, |rate| {
                    rate.throttled(turn, at, retry_after, limit)
                });
            }
            Err(e) if e.status().is_none() => {}
            _ => self.shared.with_rate(O::SERVICE, |rate| rate.succeeded(at)),
        }
    }

    fn after_failure(&mut self, error: Error, now: SystemTime, jitter: f64) -> Step<O::Response> {
        let made = self.attempts[self.phase.index()];
        if self.phase == Phase::Operation
            && !self.refreshed
            && error.code() == Some(TOKEN_EXPIRED_CODE)
            && matches!(self.shared.config.auth, Auth::Password(_))
        {
            self.refreshed = true;
            if let Some(used) = self.current.as_ref().and_then(|c| c.token.as_ref()) {
                self.shared.forget_token(used);
            }
            tracing::debug!(parent: &self.span, attempt = made, "token rejected (APIG.0307): refreshing it once");
            return self.send_next(now);
        }
        // A token request may be sent twice (each makes a token; one is kept), and
        // projects are only read: both are safe to repeat, like an idempotent operation;
        // so is an operation that only reads whatever its method (a search sent as POST).
        let idempotent =
            self.phase != Phase::Operation || O::READ_ONLY || is_idempotent(&O::METHOD);
        let policy = &self.shared.config.policy;
        let decision = if !policy.retry_throttled && is_throttled(&error) {
            RetryDecision::GiveUp
        } else {
            policy.retry.decide_for(
                idempotent,
                made,
                &error,
                jitter,
                Some(UtcTime::from_system_time(now)),
            )
        };
        match decision {
            RetryDecision::RetryAfter(wait) => {
                if self.phase == Phase::Operation && is_ambiguous(&error) {
                    self.earlier_unknown = true;
                }
                tracing::debug!(
                    parent: &self.span,
                    attempt = made,
                    wait_ms = wait.as_millis() as u64,
                    status = error.status().map(|s| s.as_u16()),
                    code = error.code(),
                    "retrying"
                );
                Step::Wait(wait)
            }
            _ => {
                let error = error
                    .with_attempts(made)
                    .with_earlier_attempt_unknown(self.earlier_unknown);
                self.finish(Err(error), now)
            }
        }
    }

    fn finish(&mut self, result: Result<O::Response, Error>, now: SystemTime) -> Step<O::Response> {
        let span = &self.span;
        span.record("attempts", self.attempts());
        if let Some(started) = self.started {
            span.record("duration_ms", millis_between(started, now));
        }
        if let Some(status) = self.last_answer.0 {
            span.record("status", status);
        }
        if let Some(id) = &self.last_answer.1 {
            span.record("request_id", id.as_str());
        }
        if let Err(e) = &result {
            if let Some(code) = e.code() {
                span.record("code", code);
            }
            tracing::debug!(parent: span, error = %e, "call failed");
        }
        Step::Done(result)
    }

    /// Records the outcome of the attempt on its span.
    fn close_attempt(&mut self, answer: Answer, now: SystemTime) -> Answer {
        if let Some(current) = &self.current {
            let span = &current.span;
            if span.is_disabled() && self.span.is_disabled() {
                // Nothing records the outcome (no subscriber wants these spans): skip the
                // header lookup; a failure is still logged.
                if let Err(e) = &answer {
                    tracing::debug!(parent: span, error = %e, "no usable answer");
                }
                return answer;
            }
            if let Some(sent) = current.sent {
                span.record("duration_ms", millis_between(sent, now));
            }
            let (status, id) = match &answer {
                Ok(r) => (
                    Some(r.status()),
                    r.headers()
                        .get(otc_jobs_core::X_REQUEST_ID)
                        .and_then(|v| v.to_str().ok()),
                ),
                Err(e) => (e.status(), e.request_id()),
            };
            if let Some(status) = status {
                span.record("status", status.as_u16());
            }
            if let Some(id) = id {
                span.record("request_id", id);
            }
            if !self.span.is_disabled() {
                self.last_answer = (status.map(|s| s.as_u16()), id.map(str::to_owned));
            }
            if let Err(e) = &answer {
                tracing::debug!(parent: span, error = %e, "no usable answer");
            }
        }
        answer
    }

    /// Picks what to send now: a token first when one is needed, then the project id,
    /// then the operation.
    fn send_next(&mut self, now: SystemTime) -> Step<O::Response> {
        // Signing and token expiry go by the second.
        let at = UtcTime::from_system_time(now);
        let config = &self.shared.config;
        let token = match &config.auth {
            Auth::Password(_) => self
                .shared
                .cached_token()
                .filter(|t| !t.needs_refresh(at, config.policy.token_refresh_margin_seconds)),
            Auth::Fixed(_) => None,
        };
        let phase = if matches!(config.auth, Auth::Password(_)) && token.is_none() {
            Phase::Token
        } else if self.shared.project_id().is_none() {
            Phase::Project
        } else {
            Phase::Operation
        };
        if phase != self.phase && phase != Phase::Operation {
            self.attempts[phase.index()] = 0;
        }
        self.phase = phase;
        // The operation waits for its turn of the service's rate (before it is signed, so
        // that it is signed when it goes); IAM's calls do not.
        let turn = if phase == Phase::Operation && config.policy.adaptive_rate {
            match self
                .shared
                .with_rate(O::SERVICE, |rate| rate.acquire(since_epoch(now)))
            {
                Ok(turn) => Some(turn),
                Err(wait) => return Step::Wait(wait),
            }
        } else {
            None
        };
        // Borrowed for fixed credentials: nothing is copied per attempt.
        let credentials = match (&config.auth, &token) {
            (Auth::Fixed(c), _) => Some(Cow::Borrowed(c)),
            (Auth::Password(_), Some(t)) => Some(Cow::Owned(Credentials::Token(t.token.clone()))),
            (Auth::Password(_), None) => None,
        };
        let built = match (phase, &credentials) {
            (Phase::Operation, Some(credentials)) => {
                self.signed_request(self.operation, credentials, at)
            }
            (Phase::Project, Some(credentials)) => {
                self.signed_request(&self.project_lookup(), credentials, at)
            }
            _ => self.token_request(),
        };
        let request = match built {
            Ok(request) => request,
            Err(e) => return self.finish(Err(e), now),
        };
        let index = phase.index();
        self.attempts[index] += 1;
        let attempt = self.attempts[index];
        let span = tracing::debug_span!(
            parent: &self.span,
            "otc_jobs.attempt",
            operation = O::NAME,
            request = phase.name(),
            attempt,
            // Never a header or the query: no key, token or signature in a log.
            method = request.method().as_str(),
            path = request.uri().path(),
            status = field::Empty,
            request_id = field::Empty,
            duration_ms = field::Empty,
        );
        self.current = Some(Current {
            sent: (!span.is_disabled()).then_some(now),
            span: span.clone(),
            token: token.map(|t| t.token),
            turn,
        });
        Step::Send(Exchange {
            request,
            span,
            limit: config.policy.max_response_bytes,
            phase,
        })
    }

    /// Where requests go: the endpoints, and the project id once known (IAM's calls,
    /// which are not in a project, do not use it).
    fn target(&self) -> Target<'a> {
        let shared = self.shared;
        Target::new(
            &shared.config.endpoints,
            shared.project_id().unwrap_or_default(),
        )
    }

    /// `operation`'s request, signed (the operation itself, or IAM's project lookup).
    fn signed_request<P: Operation>(
        &self,
        operation: &P,
        credentials: &Credentials,
        now: UtcTime,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let config = &self.shared.config;
        let params = SigningParams {
            time: now,
            form: config.signature_form,
            region: config.endpoints.region().as_str(),
            service: P::SERVICE.host_label(),
        };
        // Built and signed in one pass, with the client's user agent (a signed header).
        operation.authenticated_request(
            &self.target(),
            credentials,
            &params,
            config.user_agent.as_ref(),
        )
    }

    /// Every project the credentials see: a name that is none of them is refused with the
    /// names there are.
    fn project_lookup(&self) -> ListProjects {
        ListProjects::new()
    }

    fn project_name(&self) -> &str {
        match &self.shared.config.project {
            Project::Name(name) => name.as_str(),
            // Unreachable in practice: an id is known from the start.
            Project::Id(id) => id.as_str(),
        }
    }

    fn token_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let config = &self.shared.config;
        let Auth::Password(login) = &config.auth else {
            return Err(otc_jobs_core::BuildError::InvalidHeader("X-Auth-Token").into());
        };
        let scope = match (self.shared.project_id(), &config.project) {
            (Some(id), _) => TokenScope::ProjectId(id.to_owned()),
            (None, Project::Name(name)) => TokenScope::ProjectName(name.clone()),
            (None, Project::Id(id)) => TokenScope::ProjectId(id.clone()),
        };
        let mut request = CreatePasswordToken::new(login, scope).build_request(&self.target())?;
        if let Some(ua) = &config.user_agent {
            request.headers_mut().insert(USER_AGENT, ua.clone());
        }
        Ok(request)
    }
}

/// Whole milliseconds from `earlier` to `later` on the wall clock passed in (0 if it went
/// back in between).
fn millis_between(earlier: SystemTime, later: SystemTime) -> u64 {
    later
        .duration_since(earlier)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The wall clock passed in as the adaptive rate's time (a clock set back reads as the
/// epoch: the rate then waits no longer than it would have).
fn since_epoch(now: SystemTime) -> Duration {
    now.duration_since(UNIX_EPOCH).unwrap_or_default()
}
