//! # otc-jobs-conformance
//!
//! One table of cases ([`cases`]), each run against `otc-jobs-async` and
//! `otc-jobs-blocking` on a fresh [`Emulator`]: both clients must reach the expected
//! [`Outcome`], and the same one. The tests are in `tests/suite.rs`; the end-to-end
//! benchmark is `benches/e2e.rs`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use otc_jobs_core::auth::SignatureForm;
use otc_jobs_core::{BuildError, Error, ErrorKind, PathId, ResponseErrorKind, RetryPolicy};
use otc_jobs_driver::ClientBuilder;
pub mod dli_runs;
pub mod kinds;
pub mod mrs_v2;
pub mod queries;
pub mod raw;

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, Fault,
    FaultAction, IamUser, SeedJob,
};

/// The IAM user of the password cases.
pub const USER: (&str, &str, &str) = ("alice", "alice-password", "OTC-EU-DE-00000000001000000001");
/// The fixed token of the token case.
pub const TOKEN: &str = "MIIFixedEmulatorToken0001";
/// A temporary key triple of the temporary AK/SK case.
pub const TEMPORARY: (&str, &str, &str) = (
    "HPUATEMPORARYAK00001",
    "TemporarySecretKey0123456789abcdefghijklm",
    "TemporarySecurityToken0123456789",
);

/// One of the five operations, on one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `delete_training_job(job_id)`.
    TrainingJob(u64),
    /// `delete_training_job_version(job_id, version_id)`.
    TrainingJobVersion(u64, u64),
    /// `delete_visualization_job(job_id)`: a number, as ModelArts job ids are.
    VisualizationJob(u64),
    /// `delete_flink_job(job_id)`.
    FlinkJob(u64),
    /// `delete_job_execution(job_execution_id)`.
    JobExecution(&'static str),
}

impl Op {
    /// One operation of each kind.
    pub fn all() -> [Op; 5] {
        [
            Op::TrainingJob(1001),
            Op::TrainingJobVersion(1002, 3),
            Op::VisualizationJob(1003),
            Op::FlinkJob(148),
            Op::JobExecution("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3"),
        ]
    }

    /// The job the operation deletes, to seed.
    pub fn job(&self) -> SeedJob {
        match self {
            Op::TrainingJob(id) => SeedJob::training_job(*id),
            Op::TrainingJobVersion(id, version) => SeedJob::training_job_version(*id, *version),
            Op::VisualizationJob(id) => SeedJob::visualization_job(*id),
            Op::FlinkJob(id) => SeedJob::flink_job(*id),
            Op::JobExecution(id) => SeedJob::job_execution(*id),
        }
    }

    /// The operation's name, as the client method.
    pub fn method(&self) -> &'static str {
        match self {
            Op::TrainingJob(_) => "delete_training_job",
            Op::TrainingJobVersion(..) => "delete_training_job_version",
            Op::VisualizationJob(_) => "delete_visualization_job",
            Op::FlinkJob(_) => "delete_flink_job",
            Op::JobExecution(_) => "delete_job_execution",
        }
    }

    /// The emulator path pattern that matches the operation's request.
    pub fn path_pattern(&self) -> &'static str {
        match self {
            Op::TrainingJob(_) => "/v1/*/training-jobs/*",
            Op::TrainingJobVersion(..) => "/v1/*/training-jobs/*/versions/*",
            Op::VisualizationJob(_) => "/v1/*/visualization-jobs/*",
            Op::FlinkJob(_) => "/v1.0/*/streaming/jobs/*",
            Op::JobExecution(_) => "/v1.1/*/job-executions/*",
        }
    }

    /// A fault on this operation's request.
    pub fn fault(&self, action: FaultAction) -> Fault {
        Fault::new("DELETE", self.path_pattern(), action)
    }

    /// Runs the operation with an async client.
    pub async fn run_async(&self, client: &otc_jobs_async::Client) -> Result<(), Error> {
        match self {
            Op::TrainingJob(id) => client.delete_training_job(to_i64(*id)).await.map(drop),
            Op::TrainingJobVersion(id, v) => client
                .delete_training_job_version(to_i64(*id), to_i64(*v))
                .await
                .map(drop),
            Op::VisualizationJob(id) => client
                .delete_visualization_job(path_id(&id.to_string())?)
                .await
                .map(drop),
            Op::FlinkJob(id) => client.delete_flink_job(to_i64(*id)).await.map(drop),
            Op::JobExecution(id) => client.delete_job_execution(path_id(id)?).await.map(drop),
        }
    }

    /// Runs the operation with a blocking client.
    pub fn run_blocking(&self, client: &otc_jobs_blocking::Client) -> Result<(), Error> {
        match self {
            Op::TrainingJob(id) => client.delete_training_job(to_i64(*id)).map(drop),
            Op::TrainingJobVersion(id, v) => client
                .delete_training_job_version(to_i64(*id), to_i64(*v))
                .map(drop),
            Op::VisualizationJob(id) => client
                .delete_visualization_job(path_id(&id.to_string())?)
                .map(drop),
            Op::FlinkJob(id) => client.delete_flink_job(to_i64(*id)).map(drop),
            Op::JobExecution(id) => client.delete_job_execution(path_id(id)?).map(drop),
        }
    }
}

fn to_i64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn path_id(id: &str) -> Result<PathId, Error> {
    PathId::new(id).map_err(|e| Error::from(BuildError::from(e)))
}

/// How a case's client authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// The emulator's AK/SK.
    AkSk,
    /// The emulator's access key with a wrong secret key.
    WrongSecret,
    /// Temporary AK/SK with a security token.
    Temporary,
    /// A fixed IAM token.
    Token,
    /// User name + password + domain: a token obtained from the emulator's IAM.
    Password,
}

/// The client a case uses.
#[derive(Debug, Clone, Copy)]
pub struct ClientSpec {
    /// The credentials.
    pub credentials: Credentials,
    /// Resolve the project by name (`eu-de`) rather than by id.
    pub project_by_name: bool,
    /// The per-attempt timeout.
    pub timeout: Duration,
    /// The retry policy.
    pub retry: RetryPolicy,
    /// The response size limit.
    pub max_response_bytes: u64,
    /// The AK/SK signature form.
    pub signature_form: SignatureForm,
    /// Whether a 429 is retried inside the call.
    pub retry_throttled: bool,
}

impl Default for ClientSpec {
    fn default() -> Self {
        ClientSpec {
            credentials: Credentials::AkSk,
            project_by_name: false,
            timeout: Duration::from_millis(2_000),
            retry: RetryPolicy {
                max_attempts: 3,
                base: Duration::from_millis(5),
                cap: Duration::from_secs(2),
            },
            max_response_bytes: 1024 * 1024,
            signature_form: SignatureForm::Access,
            retry_throttled: true,
        }
    }
}

impl ClientSpec {
    /// A builder for this client against `emulator`.
    pub fn builder<C>(&self, emulator: &Emulator) -> ClientBuilder<C> {
        self.builder_at(emulator.base_url(), &emulator.config().project_name)
    }

    /// A builder for this client against the server at `base_url` (for every service),
    /// whose project `project_by_name` names is `project_name`.
    pub fn builder_at<C>(&self, base_url: &str, project_name: &str) -> ClientBuilder<C> {
        let builder = ClientBuilder::<C>::new()
            .region("eu-de")
            .base_url(base_url)
            .connect_timeout(Duration::from_secs(2))
            .timeout(self.timeout)
            .retry(self.retry)
            .max_response_bytes(self.max_response_bytes)
            .signature_form(self.signature_form)
            .retry_throttled(self.retry_throttled);
        let builder = if self.project_by_name {
            builder.project_name(project_name)
        } else {
            builder.project_id(DEFAULT_PROJECT_ID)
        };
        match self.credentials {
            Credentials::AkSk => builder.ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY),
            Credentials::WrongSecret => builder.ak_sk(
                DEFAULT_ACCESS_KEY,
                "NotTheSecretKey0123456789abcdefghijklmnopq",
            ),
            Credentials::Temporary => {
                builder.temporary_ak_sk(TEMPORARY.0, TEMPORARY.1, TEMPORARY.2)
            }
            Credentials::Token => builder.token(TOKEN),
            Credentials::Password => builder.password(USER.0, USER.1, USER.2),
        }
    }
}

/// The emulator every case starts with: the default AK/SK, a temporary key, a fixed token
/// and one IAM user.
pub fn emulator() -> std::io::Result<Emulator> {
    Emulator::start(EmulatorConfig {
        temporary_keys: vec![(TEMPORARY.0.into(), TEMPORARY.1.into(), TEMPORARY.2.into())],
        tokens: vec![TOKEN.into()],
        users: vec![IamUser::new(USER.0, USER.1, USER.2)],
        worker_threads: 1,
        ..EmulatorConfig::default()
    })
}

/// What a client reached, in the terms both clients must agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `"ok"`, or the error's kind: `service`, `transport:Timeout`, `response:Truncated`, …
    pub result: String,
    /// The HTTP status of the error.
    pub status: Option<u16>,
    /// The service's error code.
    pub code: Option<String>,
    /// Whether the error means "not found".
    pub not_found: bool,
    /// Whether the error says the client is set up wrongly ([`Error::is_misconfiguration`]).
    pub misconfiguration: bool,
    /// The attempts the error counts (0 on success).
    pub attempts: u32,
    /// Whether the error says an earlier attempt's fate is unknown.
    pub earlier_unknown: bool,
    /// A service error's message (its `Display`, the request id left out); empty
    /// otherwise (a transport error's text is the HTTP library's own).
    pub message: String,
    /// Whether the error carries a request id.
    pub request_id: bool,
    /// The requests the emulator received, by `METHOD path-kind` (e.g. `DELETE op`,
    /// `POST token`; `DELETE web` for those of [`Server::HtmlNotFound`]'s web server).
    pub requests: BTreeMap<String, usize>,
    /// Whether the job is gone after the call.
    pub gone: bool,
    /// How the emulator saw the requests authenticated (`AkSk`, `AkSkDerived`, `Token`, …).
    pub auth: std::collections::BTreeSet<String>,
}

impl Outcome {
    /// Reads the result of a call and the emulator's state after it.
    pub fn read(result: &Result<(), Error>, emulator: &Emulator, op: &Op) -> Outcome {
        let mut requests = BTreeMap::new();
        let mut auth = std::collections::BTreeSet::new();
        for r in emulator.requests() {
            auth.insert(format!("{:?}", r.auth));
            let what = if r.path.starts_with("/v3/auth/tokens") {
                "token"
            } else if r.path.starts_with("/v3/projects") {
                "projects"
            } else {
                "op"
            };
            *requests.entry(format!("{} {what}", r.method)).or_insert(0) += 1;
        }
        let gone = !emulator.jobs().contains(&op.job());
        Outcome::of(result, requests, gone, auth)
    }

    /// The outcome of `result`, given what the server saw.
    pub fn of(
        result: &Result<(), Error>,
        requests: BTreeMap<String, usize>,
        gone: bool,
        auth: std::collections::BTreeSet<String>,
    ) -> Outcome {
        match result {
            Ok(()) => Outcome {
                result: "ok".into(),
                status: None,
                code: None,
                not_found: false,
                misconfiguration: false,
                attempts: 0,
                earlier_unknown: false,
                message: String::new(),
                request_id: false,
                requests,
                gone,
                auth,
            },
            Err(e) => Outcome {
                result: kind(e),
                status: e.status().map(|s| s.as_u16()),
                code: e.code().map(str::to_owned),
                not_found: e.is_not_found(),
                misconfiguration: e.is_misconfiguration(),
                attempts: e.attempts(),
                earlier_unknown: e.earlier_attempt_unknown(),
                message: message(e),
                request_id: e.request_id().is_some(),
                requests,
                gone,
                auth,
            },
        }
    }
}

/// A service error's text with the request id (which differs between runs) left out.
fn message(e: &Error) -> String {
    let Some(service) = e.as_service() else {
        return String::new();
    };
    let text = service.to_string();
    match &service.request_id {
        Some(id) => text.replace(id.as_str(), "<id>"),
        None => text,
    }
}

fn kind(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Service(_) => "service".into(),
        ErrorKind::Transport(t) => format!("transport:{:?}", t.kind),
        ErrorKind::Response(r) => match r.kind {
            ResponseErrorKind::TooLarge { limit } => format!("response:TooLarge({limit})"),
            other => format!("response:{other:?}"),
        },
        ErrorKind::Build(_) => "build".into(),
        ErrorKind::Sign(_) => "sign".into(),
        _ => "other".into(),
    }
}

/// Where a case's client sends its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// The emulator.
    Emulator,
    /// The emulator, with this path in front of every API path: a typo in the endpoint,
    /// which the emulator answers as the gateway does (404 `APIG.0101`).
    EmulatorPath(&'static str),
    /// A plain web server on loopback answering every request with an HTML 404 page
    /// ([`raw::Script::NotFoundHtml`]).
    HtmlNotFound,
    /// A loopback port nothing listens on.
    Nothing,
}

/// One case: how to set up the emulator and the client, what to do, what to expect.
pub struct Case {
    /// The case's name (the test's name).
    pub name: &'static str,
    /// Where the client sends its requests.
    pub server: Server,
    /// The client.
    pub client: ClientSpec,
    /// Prepares the emulator (the operation's job is seeded before).
    pub setup: fn(&Emulator, &Op),
    /// Calls to make before the measured one (e.g. to obtain a token first).
    pub warm_up: bool,
    /// Run between the warm-up and the measured call.
    pub between: fn(&Emulator),
    /// The operation.
    pub op: Op,
    /// Seed the operation's job before.
    pub seed: bool,
    /// Checks the outcome; `elapsed` is the measured call's duration.
    pub expect: fn(&Outcome, Duration),
}

fn nothing(_: &Emulator, _: &Op) {}
fn nothing_between(_: &Emulator) {}

fn requests(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn base(name: &'static str, op: Op, expect: fn(&Outcome, Duration)) -> Case {
    Case {
        name,
        server: Server::Emulator,
        client: ClientSpec::default(),
        setup: nothing,
        warm_up: false,
        between: nothing_between,
        op,
        seed: true,
        expect,
    }
}

fn expect_ok(o: &Outcome, _: Duration) {
    assert_eq!(o.result, "ok", "{o:?}");
    assert!(o.gone, "{o:?}");
    assert_eq!(o.requests.get("DELETE op"), Some(&1), "{o:?}");
}

fn expect_not_found(o: &Outcome, _: Duration) {
    assert_eq!(o.result, "service", "{o:?}");
    assert!(o.not_found && o.request_id && !o.misconfiguration, "{o:?}");
    let code = o.code.as_deref().unwrap_or_default();
    assert!(otc_jobs_core::NOT_FOUND_CODES.contains(&code), "{o:?}");
    assert_eq!(o.attempts, 1, "not found is not retried: {o:?}");
}

/// A 404 that is not the service's word: a failure naming the endpoint, once (a 404 is
/// not retried), the job untouched.
fn expect_wrong_endpoint(o: &Outcome) {
    assert_eq!(
        (o.result.as_str(), o.status, o.attempts),
        ("service", Some(404), 1),
        "{o:?}"
    );
    assert!(!o.not_found && o.misconfiguration && !o.gone, "{o:?}");
    assert!(
        o.message.ends_with(
            "(the endpoint does not serve this API: check --endpoint or the region's endpoint)"
        ),
        "{o:?}"
    );
}

fn expect_gateway_no_such_api(o: &Outcome, _: Duration) {
    expect_wrong_endpoint(o);
    assert_eq!(o.code.as_deref(), Some("APIG.0101"), "{o:?}");
    assert!(o.request_id, "the gateway sends one: {o:?}");
    assert_eq!(o.requests, requests(&[("DELETE op", 1)]), "{o:?}");
    assert!(
        o.message
            .contains("The API does not exist or has not been published in the environment"),
        "{o:?}"
    );
}

/// A 404 in the service's own envelope: gone.
fn expect_gone_in_its_own_words(o: &Outcome, _: Duration) {
    assert_eq!(
        (o.result.as_str(), o.status, o.attempts),
        ("service", Some(404), 1),
        "{o:?}"
    );
    assert!(o.not_found && !o.misconfiguration, "{o:?}");
}

fn expect_given_up(o: &Outcome, _: Duration) {
    assert_eq!(o.result, "service", "{o:?}");
    assert_eq!(o.attempts, 3, "{o:?}");
    assert_eq!(o.requests, requests(&[("DELETE op", 3)]));
    assert!(!o.gone);
}

fn gateway_error(status: u16) -> fn(&Emulator, &Op) {
    match status {
        500 => |e, op| {
            e.add_fault(
                op.fault(FaultAction::respond(
                    500,
                    &[],
                    r#"{"error_code":"APIG.0100","error_msg":"internal"}"#,
                ))
                .times(10),
            )
        },
        502 => |e, op| {
            e.add_fault(
                op.fault(FaultAction::respond(502, &[], "<html>Bad Gateway</html>"))
                    .times(10),
            )
        },
        503 => |e, op| {
            e.add_fault(
                op.fault(FaultAction::respond(
                    503,
                    &[],
                    r#"{"error_code":"APIG.0201","error_msg":"unavailable"}"#,
                ))
                .times(10),
            )
        },
        _ => |e, op| e.add_fault(op.fault(FaultAction::respond(504, &[], "")).times(10)),
    }
}

/// Every case, in order.
pub fn cases() -> Vec<Case> {
    let [training, version, visualization, flink, execution] = Op::all();
    let mut all = vec![
        base("deletes_training_job", training.clone(), expect_ok),
        base("deletes_training_job_version", version.clone(), expect_ok),
        base(
            "deletes_visualization_job",
            visualization.clone(),
            expect_ok,
        ),
        base("deletes_flink_job", flink.clone(), expect_ok),
        base("deletes_job_execution", execution.clone(), expect_ok),
    ];
    for (name, op) in [
        ("not_found_training_job", training.clone()),
        ("not_found_training_job_version", version.clone()),
        ("not_found_visualization_job", visualization.clone()),
        ("not_found_flink_job", flink.clone()),
        ("not_found_job_execution", execution.clone()),
    ] {
        let mut case = base(name, op, expect_not_found);
        case.seed = false;
        all.push(case);
    }
    for (name, op) in [
        ("wrong_base_path_is_not_gone_dli", flink.clone()),
        ("wrong_base_path_is_not_gone_modelarts", training.clone()),
        ("wrong_base_path_is_not_gone_mrs", execution.clone()),
    ] {
        all.push(Case {
            server: Server::EmulatorPath("/typo"),
            ..base(name, op, expect_gateway_no_such_api)
        });
    }
    for (name, op) in [
        ("derived_key_signature_modelarts", visualization.clone()),
        ("derived_key_signature_dli", flink.clone()),
        ("derived_key_signature_mrs", execution.clone()),
    ] {
        let mut case = base(name, op, |o, elapsed| {
            expect_ok(o, elapsed);
            assert_eq!(o.auth, ["AkSkDerived".to_owned()].into(), "{o:?}");
        });
        case.client.signature_form = SignatureForm::DerivedKey;
        all.push(case);
    }
    all.extend([
        Case {
            server: Server::HtmlNotFound,
            ..base("html_404_of_a_web_server_is_not_gone", visualization.clone(), |o, _| {
                expect_wrong_endpoint(o);
                assert_eq!(o.code, None, "{o:?}");
                assert!(o.message.contains("<title>404 Not Found</title>"), "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE web", 1)]), "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(404, &[], "")).times(10))
            },
            ..base("empty_404_is_not_gone", execution.clone(), |o, _| {
                assert_eq!((o.result.as_str(), o.status, o.attempts), ("service", Some(404), 1), "{o:?}");
                assert!(!o.not_found && o.misconfiguration && !o.gone, "{o:?}");
                assert!(o.message.contains("check --endpoint"), "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    404,
                    &[("Content-Type", "application/json")],
                    r#"{"is_success":false,"error_code":"ModelArts.3502","error_msg":"The job does not exist."}"#,
                )))
            },
            ..base("service_404_in_its_own_envelope_is_gone", training.clone(), expect_gone_in_its_own_words)
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    400,
                    &[("Content-Type", "application/json")],
                    r#"{"is_success":false,"error_code":"DLI.16001","error_msg":"The job does not exist."}"#,
                )))
            },
            ..base("dli_16001_is_gone", flink.clone(), |o, _| {
                assert_eq!((o.result.as_str(), o.status, o.code.as_deref(), o.attempts), ("service", Some(400), Some("DLI.16001"), 1), "{o:?}");
                assert!(o.not_found && !o.misconfiguration, "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(
                    op.fault(FaultAction::respond(
                        500,
                        &[("Content-Type", "application/json")],
                        r#"{"error_code":"0176","error_msg":"The job does not exist."}"#,
                    ))
                    .times(10),
                )
            },
            ..base("another_services_not_found_code_is_not_gone", flink.clone(), |o, _| {
                // MRS's "no such job", from a DLI endpoint: a 500 like any other.
                assert_eq!((o.result.as_str(), o.status, o.code.as_deref(), o.attempts), ("service", Some(500), Some("0176"), 3), "{o:?}");
                assert!(!o.not_found && !o.gone, "{o:?}");
            })
        },
        Case {
            server: Server::Nothing,
            ..base("connection_refused_is_a_misconfiguration", flink.clone(), |o, _| {
                // Nothing reached a server: retried as any failure before an answer.
                assert_eq!((o.result.as_str(), o.status, o.attempts), ("transport:Refused", None, 3), "{o:?}");
                assert!(o.misconfiguration && !o.not_found && !o.earlier_unknown && !o.gone, "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    200,
                    &[("Content-Type", "application/json")],
                    r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "Error string"}"#,
                )))
            },
            ..base("success_false_is_an_error", training.clone(), |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.code.as_deref(), o.attempts),
                    ("service", Some(200), Some("ModelArts.0105"), 1),
                    "{o:?}"
                );
                assert!(!o.not_found && !o.gone);
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    429,
                    &[("Retry-After", "1")],
                    r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#,
                )))
            },
            ..base("throttled_then_success_honours_retry_after", flink.clone(), |o, elapsed| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]));
                assert!(o.gone);
                assert!(elapsed >= Duration::from_secs(1), "waited only {elapsed:?}");
            })
        },
        Case {
            client: ClientSpec {
                retry_throttled: false,
                ..ClientSpec::default()
            },
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    429,
                    &[("Retry-After", "1")],
                    r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#,
                )))
            },
            ..base("throttled_returned_at_once_when_the_caller_paces", flink.clone(), |o, elapsed| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.code.as_deref(), o.attempts),
                    ("service", Some(429), Some("APIG.0308"), 1),
                    "{o:?}"
                );
                assert_eq!(o.requests, requests(&[("DELETE op", 1)]));
                assert!(!o.gone);
                assert!(elapsed < Duration::from_secs(1), "waited {elapsed:?}");
            })
        },
        Case {
            setup: |e, op| {
                // An HTTP date two seconds ahead (it has whole seconds): a wait of 1-2 s.
                let at = otc_jobs_core::auth::SigningTime::from_system_time(
                    std::time::SystemTime::now() + Duration::from_secs(2),
                );
                e.add_fault(op.fault(FaultAction::respond(
                    503,
                    &[("Retry-After", &at.http_date())],
                    r#"{"error_code":"APIG.0201","error_msg":"unavailable"}"#,
                )))
            },
            ..base("unavailable_then_success_honours_a_retry_after_date", execution.clone(), |o, elapsed| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]));
                assert!(o.gone);
                assert!(elapsed >= Duration::from_secs(1), "waited only {elapsed:?}");
            })
        },
        Case {
            setup: gateway_error(500),
            ..base("http_500_retried_then_given_up", flink.clone(), expect_given_up)
        },
        Case {
            setup: gateway_error(502),
            ..base("http_502_retried_then_given_up", training.clone(), expect_given_up)
        },
        Case {
            setup: gateway_error(503),
            ..base("http_503_retried_then_given_up", visualization.clone(), expect_given_up)
        },
        Case {
            setup: gateway_error(504),
            ..base("http_504_retried_then_given_up", execution.clone(), expect_given_up)
        },
        Case {
            setup: |e, op| e.add_fault(op.fault(FaultAction::Close { after_processing: false })),
            ..base("connection_closed_then_retried", execution.clone(), |o, _| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]));
                assert!(o.gone);
            })
        },
        Case {
            client: ClientSpec {
                timeout: Duration::from_millis(300),
                ..ClientSpec::default()
            },
            setup: |e, op| e.add_fault(op.fault(FaultAction::Delay { ms: 1_500 }).times(10)),
            ..base("slower_than_timeout_every_time_is_a_timeout", flink.clone(), |o, elapsed| {
                // A DELETE is idempotent: each timeout is retried, then reported.
                assert_eq!((o.result.as_str(), o.attempts), ("transport:Timeout", 3), "{o:?}");
                assert!(o.earlier_unknown, "{o:?}");
                // (The emulator records a delayed request once it has answered it.)
                assert!(elapsed >= Duration::from_millis(900), "took {elapsed:?}");
                assert!(elapsed < Duration::from_millis(2_500), "took {elapsed:?}");
            })
        },
        Case {
            client: ClientSpec {
                timeout: Duration::from_millis(300),
                ..ClientSpec::default()
            },
            setup: |e, op| e.add_fault(op.fault(FaultAction::Delay { ms: 1_500 })),
            ..base("timeout_then_retried", training.clone(), |o, elapsed| {
                // The second attempt deletes the job; the delayed first one, given up
                // by the client, is recorded too (the emulator records on arrival).
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]), "{o:?}");
                assert!(o.gone, "{o:?}");
                assert!(elapsed >= Duration::from_millis(300), "took {elapsed:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::TruncatedBody { status: 200, body: None }))
            },
            ..base("truncated_body_then_retried", flink.clone(), |o, _| {
                // The fault did not process the delete; the retry does.
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]), "{o:?}");
                assert!(o.gone, "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::TruncatedBody { status: 200, body: None }).times(10))
            },
            ..base("truncated_body_every_time", version.clone(), |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.attempts, o.earlier_unknown),
                    ("response:Truncated", Some(200), 3, true),
                    "{o:?}"
                );
                assert!(o.request_id, "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 3)]), "{o:?}");
                assert!(!o.gone, "{o:?}");
            })
        },
        Case {
            setup: |e, op| e.add_fault(op.fault(FaultAction::MalformedJson { status: 200 })),
            ..base("malformed_json_then_retried", training.clone(), |o, _| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]), "{o:?}");
                assert!(o.gone, "{o:?}");
            })
        },
        Case {
            setup: |e, op| e.add_fault(op.fault(FaultAction::MalformedJson { status: 200 }).times(10)),
            ..base("malformed_json_every_time", execution.clone(), |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.attempts, o.earlier_unknown),
                    ("response:Malformed", Some(200), 3, true),
                    "{o:?}"
                );
            })
        },
        Case {
            setup: |e, op| e.add_fault(op.fault(FaultAction::Close { after_processing: true })),
            ..base("answer_lost_then_not_found_means_gone", visualization.clone(), |o, _| {
                // The first delete was carried out but its answer lost; the retry finds
                // nothing: the job is gone, and the error says the first attempt's fate
                // was unknown.
                assert_eq!((o.result.as_str(), o.attempts), ("service", 2), "{o:?}");
                assert!(o.not_found && o.earlier_unknown && o.gone, "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 2)]), "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::respond(
                    301,
                    &[("Location", "https://elsewhere.example/v1.0/moved")],
                    "",
                )))
            },
            ..base("redirect_is_reported_not_followed", flink.clone(), |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.attempts),
                    ("service", Some(301), 1),
                    "{o:?}"
                );
                assert!(
                    o.message.contains("redirect to https://elsewhere.example/v1.0/moved")
                        && o.message.contains("not followed"),
                    "{o:?}"
                );
                assert_eq!(o.requests, requests(&[("DELETE op", 1)]), "{o:?}");
                assert!(!o.gone, "{o:?}");
            })
        },
        Case {
            setup: |e, op| {
                e.add_fault(op.fault(FaultAction::OversizedBody {
                    status: 200,
                    bytes: 64 * 1024 * 1024,
                }))
            },
            ..base("oversized_body_fails_without_buffering", visualization.clone(), |o, elapsed| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.attempts),
                    ("response:TooLarge(1048576)", Some(200), 1),
                    "{o:?}"
                );
                // 64 MiB were offered; stopping at 1 MiB is quick.
                assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
            })
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::WrongSecret,
                ..ClientSpec::default()
            },
            ..base("wrong_secret_key_is_apig_0301", flink.clone(), |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.code.as_deref(), o.attempts),
                    ("service", Some(401), Some("APIG.0301"), 1),
                    "{o:?}"
                );
                assert!(!o.gone);
            })
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::Password,
                ..ClientSpec::default()
            },
            warm_up: true,
            between: |e| e.expire_tokens(),
            ..base("expired_token_refreshed_once", flink.clone(), |o, _| {
                assert_eq!(o.result, "ok", "{o:?}");
                // Warm-up: a token, a 404 delete; measured: a 401 APIG.0307, a new token, the delete.
                assert_eq!(o.requests, requests(&[("DELETE op", 3), ("POST token", 2)]), "{o:?}");
                assert!(o.gone);
            })
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::Password,
                project_by_name: true,
                ..ClientSpec::default()
            },
            ..base("password_login_with_project_name", execution.clone(), |o, _| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests.get("POST token"), Some(&1), "{o:?}");
                assert!(o.gone);
            })
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::AkSk,
                project_by_name: true,
                ..ClientSpec::default()
            },
            ..base("aksk_with_project_name_resolves_the_id", version.clone(), |o, _| {
                assert_eq!(o.result, "ok", "{o:?}");
                assert_eq!(o.requests, requests(&[("DELETE op", 1), ("GET projects", 1)]), "{o:?}");
            })
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::Temporary,
                ..ClientSpec::default()
            },
            ..base("temporary_aksk", training, expect_ok)
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::Token,
                ..ClientSpec::default()
            },
            ..base("fixed_token", visualization, expect_ok)
        },
        Case {
            client: ClientSpec {
                credentials: Credentials::Token,
                ..ClientSpec::default()
            },
            between: |e| e.expire_tokens(),
            ..base("expired_fixed_token_is_apig_0307", flink, |o, _| {
                assert_eq!(
                    (o.result.as_str(), o.status, o.code.as_deref(), o.attempts),
                    ("service", Some(401), Some("APIG.0307"), 1),
                    "{o:?}"
                );
            })
        },
    ]);
    all
}

/// The case called `name`.
pub fn case(name: &str) -> Option<Case> {
    cases().into_iter().find(|c| c.name == name)
}

/// Which client runs a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// `otc-jobs-async` on a tokio runtime.
    Async,
    /// `otc-jobs-blocking`.
    Blocking,
}

/// The runtime an async case runs on: one thread, like the blocking client's caller.
#[allow(clippy::expect_used)]
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `case` with one client on a fresh emulator; returns the outcome and how long the
/// measured call took. Panics (as a test does) when the emulator or client cannot start.
#[allow(clippy::expect_used)]
pub fn run(case: &Case, flavour: Flavour) -> (Outcome, Duration) {
    let emulator = emulator().expect("the emulator starts");
    let (base_url, web_server) = match case.server {
        Server::Emulator => (emulator.base_url().to_owned(), None),
        Server::EmulatorPath(path) => (format!("{}{path}", emulator.base_url()), None),
        Server::HtmlNotFound => {
            let server =
                raw::RawServer::start(raw::Script::NotFoundHtml).expect("the web server starts");
            (server.base_url(), Some(server))
        }
        Server::Nothing => (
            format!("http://{}", unused_address().expect("a free port")),
            None,
        ),
    };
    let project_name = emulator.config().project_name.clone();
    let mut call: Box<dyn FnMut() -> Result<(), Error>> = match flavour {
        Flavour::Async => {
            let client: otc_jobs_async::Client = case
                .client
                .builder_at(&base_url, &project_name)
                .build()
                .expect("the async client builds");
            let runtime = runtime();
            let op = case.op.clone();
            Box::new(move || runtime.block_on(op.run_async(&client)))
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = case
                .client
                .builder_at(&base_url, &project_name)
                .build()
                .expect("the blocking client builds");
            let op = case.op.clone();
            Box::new(move || op.run_blocking(&client))
        }
    };
    if case.warm_up {
        let _ = call();
    }
    (case.between)(&emulator);
    if case.seed {
        emulator.seed(case.op.job());
    }
    (case.setup)(&emulator, &case.op);
    let started = Instant::now();
    let result = call();
    let elapsed = started.elapsed();
    let mut outcome = Outcome::read(&result, &emulator, &case.op);
    for line in web_server.iter().flat_map(raw::RawServer::requests) {
        let method = line.split(' ').next().unwrap_or_default();
        *outcome.requests.entry(format!("{method} web")).or_insert(0) += 1;
    }
    (outcome, elapsed)
}

/// A loopback address nothing listens on: a port the system handed out, freed again.
fn unused_address() -> std::io::Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.local_addr()
}

/// The examples of the workspace's `README.md`, compiled (and the emulator's run) as
/// doctests of this crate, which depends on every crate they use.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeExamples;
