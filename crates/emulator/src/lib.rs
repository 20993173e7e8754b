//! # otc-jobs-emulator
//!
//! The Open Telekom Cloud job services on loopback, answering as their API reference pages
//! document: what moto and LocalStack are to AWS, for the job operations of
//! otc-jobs (five deletions, ten queries). Every service shares one port, so a client
//! points all of them at [`Emulator::base_url`]:
//!
//! | service | requests |
//! |---|---|
//! | ModelArts (v2) | `POST /v2/{project_id}/training-job-searches`, `GET`/`DELETE /v2/{project_id}/training-jobs/{training_job_id}` (see `modelarts_v2`: 202 `""` on delete, 404 `ModelArts.2775` for a job that is not there) |
//! | ModelArts | `GET /v1/{project_id}/training-jobs`, `DELETE /v1/{project_id}/training-jobs/{job_id}`, `GET /v1/{project_id}/training-jobs/{job_id}/versions`, `GET`/`DELETE /v1/{project_id}/training-jobs/{job_id}/versions/{version_id}`, `GET /v1/{project_id}/visualization-jobs`, `GET`/`DELETE /v1/{project_id}/visualization-jobs/{job_id}` |
//! | DLI | `GET /v1.0/{project_id}/streaming/jobs`, `GET`/`DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`, `POST /v1.0/{project_id}/streaming/jobs/delete` |
//! | MRS | `GET /v1.1/{project_id}/job-executions`, `GET`/`DELETE /v1.1/{project_id}/job-executions/{job_execution_id}` |
//! | MRS (v2) | `GET /v1.1/{project_id}/cluster_infos`; under `/v2/{project_id}/clusters/{cluster_id}/`: `GET job-executions`, `GET job-executions/{job_execution_id}`, `POST job-executions/{job_execution_id}/kill`, `POST job-executions/batch-delete` (see `mrs_v2`: every job answer 202; 400 `{"errorCode": "12000003"}` for a cluster that does not exist, 500 `0176` for a job, 400 `0183` "The job is running" for a batch with an unfinished job) |
//! | DLI (runs) | `GET /v1.0/{project_id}/jobs`, `GET /v1.0/{project_id}/jobs/{job_id}/status`, `DELETE /v1.0/{project_id}/jobs/{job_id}` (cancel); `GET /v2.0/{project_id}/batches`, `GET …/batches/{batch_id}/state`, `DELETE …/batches/{batch_id}` (cancel: `{"msg": "deleted"}`) — see `dli_runs`: a cancelled run stays listed, a run that is over is 400 `DLI.0007` |
//! | IAM | `POST /v3/auth/tokens` (password), `GET /v3/projects[?name=NAME]` (AK/SK), `GET /v3/auth/projects` (token) |
//! | admin | `/_emulator/jobs`, `/_emulator/projects`, `/_emulator/faults`, `/_emulator/requests`, `/_emulator/reset`, `/_emulator/expire-tokens` (no authentication) |
//!
//! Requests are authenticated as OTC's API gateway does: AK/SK `SDK-HMAC-SHA256` in both
//! forms (checked with [`otc_jobs_core::auth::verify`]), `X-Sdk-Date` within 15 minutes,
//! temporary AK/SK with `X-Security-Token`, and IAM tokens in `X-Auth-Token`. A refusal is
//! `401 {"error_code": "APIG.0301", ...}` (`APIG.0307` for an expired token) and changes
//! nothing. Every answer carries `X-Request-Id`.
//!
//! ```
//! use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};
//!
//! let emulator = Emulator::start(EmulatorConfig::default())?;
//! assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
//! emulator.seed(SeedJob::flink_job(77));
//! assert_eq!(emulator.jobs(), vec![SeedJob::flink_job(77)]);
//! // ... point a client at emulator.base_url() and delete the job ...
//! drop(emulator); // stops the server
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Projects
//!
//! The emulator serves its default project ([`EmulatorConfig::project_id`], named
//! `eu-de`) and any more that [`EmulatorConfig::projects`] declares (or
//! `POST /_emulator/projects`, or [`Emulator::seed_samples`]: `eu-de_ci` and `eu-nl_ml`),
//! each with its own jobs: the project id in a request's path picks them. IAM lists every
//! project with its name (`GET /v3/projects` for AK/SK, `GET /v3/auth/projects` for a
//! token) and scopes a password login to any of them; one AK/SK pair reaches every project,
//! a token only the project it is scoped to. A project id that is not served, a project
//! marked [`EmulatorProject::unreachable`] (listed by IAM, for tests of a project the
//! credentials cannot use) and another project than a token's are answered as "project id
//! not the emulator's" below, and change nothing.
//!
//! ```
//! use otc_jobs_emulator::{Emulator, EmulatorConfig, EmulatorProject, ProjectJob, SeedJob};
//!
//! let emulator = Emulator::start(EmulatorConfig {
//!     projects: vec![EmulatorProject::new("eu-de_ci", "c1c1"), EmulatorProject::new("eu-nl_x", "9e9e").unreachable()],
//!     ..EmulatorConfig::default()
//! })?;
//! emulator.seed_projects([ProjectJob::new("eu-de_ci", SeedJob::flink_job(1))])?;
//! assert_eq!(emulator.projects().len(), 3);
//! assert_eq!(emulator.jobs_in("c1c1"), Some(vec![SeedJob::flink_job(1)]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Answers
//!
//! | | success | job does not exist | project id not the emulator's |
//! |---|---|---|---|
//! | ModelArts delete | 200 `{"is_success": true}` | 400 `{"is_success": false, "error_code": "ModelArts.2775", "error_message": ...}` | 403 `ModelArts.0210` |
//! | DLI delete | 200 `{"is_success": "true", "message": ...}` | 400 `{"error_code": "DLI.0002", "error_msg": ...}` | 401 `DLI.0013` |
//! | MRS delete | 204, no body | 500 `{"error_code": "0176", "error_msg": "The job does not exist."}` | 401 `12000001` |
//! | MRS v2 batch delete | 202, no body | 500 `0176` (cluster gone: 400 `{"errorCode": "12000003", "errorMsg": ...}`) | 401 `12000001` |
//!
//! Why these: the ModelArts error-code page lists `ModelArts.2775 TrainingJobNotFound` under
//! status 400 (and `ModelArts.0210` "the project id in the request URL does not match the
//! token" under 403), with the `is_success`/`error_code`/`error_message` body of the delete
//! pages; the old-version pages have no visualization-specific code, so visualization jobs
//! answer the same. DLI's error-code page gives 400 `DLI.0002` "The object does not exist.";
//! its delete page types `is_success` Boolean but its example, its list and detail pages and
//! the official Python SDK's model (`DeleteFlinkJobResponse.is_success: str`) all use the
//! string `"true"`, so the emulator sends the string (clients must accept both). MRS's page
//! gives 500 `0176` "The job does not exist." for the v1.1 job API. Details answer a job
//! that does not exist as its deletion does.
//!
//! ModelArts job ids are numbers: the list and detail pages type `job_id` (and
//! `version_id`) Long, so the emulator keeps and shows them as numbers, and a path id that
//! is not one (`/v1/{project_id}/visualization-jobs/vis-0001`, although the visualization
//! path tables say String) is answered 400 `ModelArts.0101` "Invalid Argument." in the
//! same body: the error-code page has no code for a malformed job id, and 0101 is its code
//! for an invalid parameter. Such a request changes nothing.
//!
//! ModelArts deletes asynchronously: `DELETE` answers at once, the job (or version; a
//! training job's versions go with it) shows status 9 for
//! [`EmulatorConfig::delete_delay`] in its detail and in lists, then is gone; a job seeded
//! with `fail_delete` ends in status 6 (`JOBSTAT_DELETE_FAILED`) instead. DLI and MRS delete
//! synchronously. DLI's `POST .../streaming/jobs/delete` with `{"job_ids": [12, 232]}`
//! answers 200 with one `{"is_success": "true"|"false", "message": ...}` per id, in request
//! order (an id that does not exist gets `"false"` and the not-found message); a body that
//! is not that object, or no ids, gets 400 `DLI.0001`. See [`status`].
//!
//! ## Lists
//!
//! Lists filter, sort and page as their pages document; the order is total (ties are
//! broken by id), so paging visits every job exactly once. A parameter out of its page's
//! range is refused as a real service refuses bad input, never clamped: 400
//! `ModelArts.0101`, `DLI.0001` or `12000002`. Totals count the jobs that matched.
//!
//! | list | filters | order | paging |
//! |---|---|---|---|
//! | training jobs | `status` (`3,5,6` for several), `search_content` (part of the name, any case), `workspace_id` (default `0`) | `sortBy` (default `job_name`), `order` (default `asc`) | `per_page` [1, 1000] (10), `page` [1, 65535] (1); past the end: `jobs: []` |
//! | training job versions | | newest version first | `page` 0 (default): all; `page` >= 1: `per_page` [1, 1000] (10) |
//! | visualization jobs | as training jobs | `sortBy` (default `job_id`), `order` | as training jobs |
//! | Flink jobs | `job_type`, `status`, `queue_name`, `user_name` (exact), `name` (part, any case), `tags` (`k=v,k2` all present) | creation time, `order` (default `desc`) | `offset` (0), `limit` [0, 100] (10) |
//! | job executions | | `sort_by` `id`, `created_at` (default `-created_at`), `updated_at`, `start_time`, `cluster_id`, `job_id`; `-` for descending | `limit` [1, 1073741822] (all), `marker` = id of the last item not returned; `markers.next` null on the last page; a `marker` that does not exist is a 400 |
//!
//! ## Admin API
//!
//! Under `/_emulator/`, without authentication, never faulted and not recorded:
//!
//! | request | answer |
//! |---|---|
//! | `POST /_emulator/jobs` | a [`SeedJob`] or an array of them, each with an optional `project_id` (an id or a name: [`ProjectJob`]); 201, echoed; 400 and nothing seeded when one names no project served |
//! | `GET /_emulator/jobs` | 200, the jobs that exist in the default project, same shape; `?project_id=ID_OR_NAME` one project's, `?project_id=all` every project's, each job with its `project_id` (400 for a project not served) |
//! | `POST /_emulator/projects` | an [`EmulatorProject`] (`{"id": ..., "name": ..., "unreachable": false}`) or an array of them; 201, echoed |
//! | `GET /_emulator/projects` | 200, the projects served, `[{"id", "name"}]`, the default one first |
//! | `POST /_emulator/faults` | a [`Fault`] or an array of them; 201, echoed |
//! | `GET /_emulator/faults` | 200, the faults still pending |
//! | `DELETE /_emulator/faults` | 204 |
//! | `GET /_emulator/requests` | 200, the [`RecordedRequest`]s, in order of arrival |
//! | `DELETE /_emulator/requests` | 204, forgets the recorded requests |
//! | `POST /_emulator/reset` | 204, forgets jobs (of every project), faults, requests and issued tokens; projects stay |
//! | `POST /_emulator/expire-tokens` | 204, every token so far answers `APIG.0307` |
//! | `PUT /_emulator/rate-limit` | a [`RateLimit`] (`{"limit": 500, "per_seconds": 1, "retry_after_s": 2}`) or `null`; 201, echoed |
//! | `GET /_emulator/rate-limit` | 200, [`GatewayCounts`]: the limit, requests `passed` and `throttled` |
//! | `DELETE /_emulator/rate-limit` | 204, no limit |
//!
//! Jobs, by the CLI's kind names: `{"kind": "training-job", "job_id": "3faf5c03-..."}`
//! (ModelArts v2; `status` is its phase), `{"kind": "training-job-v1", "job_id": 10}`,
//! `{"kind": "training-job-version-v1", "job_id": 10, "version_id": 2}`,
//! `{"kind": "visualization-job-v1", "job_id": 197}`, `{"kind": "flink-job", "job_id": 77}`,
//! `{"kind": "job-execution-v1", "job_execution_id": "669b8ae8-..."}` (the names before
//! them, `training_job`, `training_job_version`, `visualization_job`, `flink_job` and
//! `job_execution`, seed the same kinds; jobs are listed by the new names), each with optional
//! `name`, `status` and `create_time` (unix ms), and by kind `versions`, `workspace_id`,
//! `fail_delete` (ModelArts), `queue_name`, `job_type`, `user_name`, `tags` (DLI Flink jobs, templates and SQL jobs),
//! `cluster_id` (MRS): see [`SeedJob`]. An array of 10 000 jobs is one quick request
//! (30 000 take under half a second even in a debug build; admin bodies may be up to
//! 256 MiB); [`Emulator::seed_many`] is the same from Rust. A body that is not the expected JSON gets 400 `{"error": "..."}` and seeds
//! nothing.
//!
//! ## Faults
//!
//! [`Emulator::add_fault`] (or `POST /_emulator/faults`) makes the next `times` requests
//! matching `method` and `path` (`*` is a wildcard) fail in a chosen way:
//!
//! ```json
//! {"method": "DELETE", "path": "/v1.0/*/streaming/jobs/*", "times": 2,
//!  "action": {"kind": "respond", "status": 429, "headers": {"Retry-After": "1"},
//!             "body": "{\"error_code\": \"APIG.0308\", \"error_msg\": \"throttled\"}"}}
//! {"method": "GET", "path": "*", "action": {"kind": "delay", "ms": 1500}}
//! {"method": "DELETE", "path": "/v1.1/*", "action": {"kind": "close", "after_processing": true}}
//! {"method": "DELETE", "path": "*", "action": {"kind": "truncated_body", "status": 200}}
//! {"method": "DELETE", "path": "*", "action": {"kind": "malformed_json", "status": 200}}
//! {"method": "DELETE", "path": "*", "action": {"kind": "oversized_body", "bytes": 16777216}}
//! ```
//!
//! See [`FaultAction`] for what each does. Two more fields apply to every kind:
//!
//! - `"apply_first": true` handles the request first, then spoils the answer: the deletion
//!   happened, the answer was lost (closed, late, cut short, malformed, oversized or
//!   replaced).
//! - `"probability": 0.05, "seed": 42` gives the fault to each matching request with that
//!   probability, from a generator seeded with `seed`: the same seed and the same order of
//!   requests fault the same requests. `"times": 4294967295` ([`Fault::always`]) keeps it
//!   for every request.
//!
//! Every request is recorded ([`Emulator::requests`]) on arrival (`delivery: pending`) and
//! completed when its answer is known, whatever became of it: with the fault applied,
//! whether the emulator `handled` it, and its [`Delivery`] (`abandoned` when the client hung
//! up before the answer was ready, during a `delay` say).
//!
//! ## TLS
//!
//! With [`EmulatorConfig::tls`] the emulator serves HTTPS (rustls with the ring provider,
//! TLS 1.2 and 1.3, ALPN `http/1.1`): at start it makes a test CA and a certificate for
//! `127.0.0.1`, `localhost` and `::1` signed by it, [`Emulator::base_url`] is
//! `https://127.0.0.1:PORT`, and [`Emulator::ca_pem`] is the CA to trust. A client that does
//! not trust it fails the handshake and nothing is recorded. Every fault works the same over
//! TLS; `close` and `truncated_body` end the connection without TLS `close_notify`, as a
//! dropped TCP connection would, so clients see an unexpected end of the stream.
//!
//! ```
//! use otc_jobs_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig { tls: true, ..EmulatorConfig::default() })?;
//! assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
//! let ca = emulator.ca_pem().unwrap_or_default();
//! assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
//! // ... a client with ca as an extra root certificate ...
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Limits
//!
//! HTTP/1.1 only (no HTTP/2); TLS only as above (no client certificates, no configurable
//! certificate). In the derived-key form the scope's date must be
//! the date of `X-Sdk-Date` and its service the service of the path; its region is not
//! compared with anything (the emulator serves every region).
//! Answers carry every field the pages document, with plausible fixed values where the
//! emulator has nothing to say (engines, specs, OBS paths, durations of 0).

// Where other crates' docs link to this one when it is not documented beside them (a
// cold `cargo doc --no-deps`); keep the version in step with Cargo.toml.
#![doc(html_root_url = "https://docs.rs/otc-jobs-emulator/0.1.0")]

mod admin;
mod answer;
mod attrs;
mod auth;
mod body;
mod direct;
mod dli;
mod dli_runs;
mod flush;
mod gateway;
mod handlers;
mod iam;
mod kinds;
mod listing;
mod model;
mod modelarts;
mod modelarts_v2;
mod mrs;
mod mrs_v2;
mod projects;
mod samples;
mod seed;
mod server;
mod store;
mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[doc(hidden)]
pub use direct::Direct;
pub use gateway::{GatewayCounts, RateLimit};
pub use model::{AuthKind, Delivery, Fault, FaultAction, IamUser, RecordedRequest};
pub use projects::{EmulatorProject, ProjectJob};
pub use samples::{SAMPLE_PROJECTS, SAMPLE_SPAN, project_samples, samples};
pub use seed::SeedJob;
pub use store::status;

/// The project id of the default configuration.
pub const DEFAULT_PROJECT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// The access key of the default configuration (fake).
pub const DEFAULT_ACCESS_KEY: &str = "HPUAEXAMPLEAK0000001";
/// The secret key of the default configuration (fake).
pub const DEFAULT_SECRET_KEY: &str = "ExampleSecretKey0123456789abcdefghijklmnopq";
/// The `OS_*` variables that point `otc-jobs` (or any OpenStack-style tool) at the default
/// configuration's credentials, project and region; `--endpoint` names the emulator.
///
/// ```
/// use std::process::Command;
/// let mut tool = Command::new("otc-jobs");
/// tool.env_clear().envs(otc_jobs_emulator::DEFAULT_OS_ENV);
/// assert!(tool.get_envs().any(|(k, v)| k == "OS_REGION_NAME" && v == Some("eu-de".as_ref())));
/// ```
pub const DEFAULT_OS_ENV: [(&str, &str); 4] = [
    ("OS_ACCESS_KEY", DEFAULT_ACCESS_KEY),
    ("OS_SECRET_KEY", DEFAULT_SECRET_KEY),
    ("OS_PROJECT_ID", DEFAULT_PROJECT_ID),
    ("OS_REGION_NAME", "eu-de"),
];

/// How long a killed MRS v2 job goes on running by default ([`EmulatorConfig::kill_delay`]).
pub const DEFAULT_KILL_DELAY: Duration = Duration::from_millis(100);

/// How the emulator is set up. [`Default`] gives one AK/SK pair
/// ([`DEFAULT_ACCESS_KEY`], [`DEFAULT_SECRET_KEY`]), project [`DEFAULT_PROJECT_ID`] named
/// `eu-de`, `127.0.0.1:0`, no tokens, no users, no delete delay.
///
/// ```
/// use otc_jobs_emulator::{EmulatorConfig, IamUser};
/// let config = EmulatorConfig {
///     tokens: vec!["my-test-token".into()],
///     users: vec![IamUser::new("alice", "pw", "OTC-EU-DE-0001")],
///     delete_delay: std::time::Duration::from_millis(200),
///     ..EmulatorConfig::default()
/// };
/// assert_eq!(config.project_name, "eu-de");
/// ```
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Where to listen (default `127.0.0.1:0`, a free loopback port).
    pub listen: SocketAddr,
    /// The default project: where jobs seeded without a project go. Project ids in a
    /// path that are neither this one nor one of [`EmulatorConfig::projects`] are refused.
    pub project_id: String,
    /// The default project's name, for IAM (default `eu-de`).
    pub project_name: String,
    /// More projects the emulator serves, each with its own jobs (default none); one may
    /// be [`EmulatorProject::unreachable`]. IAM lists them all with the default project.
    pub projects: Vec<EmulatorProject>,
    /// Permanent access key pairs: (AK, SK).
    pub access_keys: Vec<(String, String)>,
    /// Temporary access key pairs: (AK, SK, security token).
    pub temporary_keys: Vec<(String, String, String)>,
    /// IAM tokens accepted in `X-Auth-Token` (besides those the emulator's IAM issues).
    pub tokens: Vec<String>,
    /// How long a deleted ModelArts job shows its deleting status before it is gone, or
    /// ends in status 6 (default 0). DLI and MRS delete synchronously.
    pub delete_delay: Duration,
    /// How long a killed MRS v2 job execution goes on running before it shows `KILLED`
    /// (default [`DEFAULT_KILL_DELAY`]: small, but a client that deletes right after the
    /// kill meets the `0183` "The job is running" refusal a real cluster gives).
    pub kill_delay: Duration,
    /// IAM users who can log in with a password.
    pub users: Vec<IamUser>,
    /// Lifetime of tokens the emulator's IAM issues (default 24 hours).
    pub token_ttl: Duration,
    /// How far `X-Sdk-Date` may be from the server clock, either way (default 15 minutes).
    pub max_clock_skew: Duration,
    /// How many requests [`Emulator::requests`] keeps (the oldest are dropped; default 10 000).
    pub max_recorded_requests: usize,
    /// Runtime worker threads (default 1: on small machines a second worker mostly adds
    /// cross-thread wake-ups to every request; raise it for many concurrent clients).
    pub worker_threads: usize,
    /// Serve HTTPS instead of plain HTTP (default false). At start the emulator makes a
    /// test CA and a certificate for `127.0.0.1`, `localhost` and `::1` signed by it; clients
    /// trust [`Emulator::ca_pem`]. See the crate's TLS section.
    pub tls: bool,
    /// The gateway's throttling: at most this many requests per period for each project
    /// and service, the rest answered 429 `APIG.0308` (default none). Changed while running
    /// by [`Emulator::set_rate_limit`] or `PUT /_emulator/rate-limit`.
    pub rate_limit: Option<RateLimit>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            project_name: "eu-de".to_owned(),
            projects: Vec::new(),
            access_keys: vec![(DEFAULT_ACCESS_KEY.to_owned(), DEFAULT_SECRET_KEY.to_owned())],
            temporary_keys: Vec::new(),
            tokens: Vec::new(),
            delete_delay: Duration::ZERO,
            kill_delay: DEFAULT_KILL_DELAY,
            users: Vec::new(),
            token_ttl: Duration::from_secs(24 * 3600),
            max_clock_skew: Duration::from_secs(15 * 60),
            max_recorded_requests: 10_000,
            worker_threads: 1,
            tls: false,
            rate_limit: None,
        }
    }
}

/// Everything the server and the handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) state: Mutex<State>,
    pub(crate) ids: server::RequestIds,
    /// Apart from `state`: every request passes it, and it holds no job.
    pub(crate) gateway: Mutex<gateway::Gateway>,
}

/// A fault waiting for its requests, with how many matching requests drew for it so far.
#[derive(Debug)]
pub(crate) struct ActiveFault {
    pub(crate) fault: Fault,
    pub(crate) draws: u64,
}

impl Shared {
    pub(crate) fn add_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        let active = faults
            .into_iter()
            .map(|fault| ActiveFault { fault, draws: 0 });
        self.lock().faults.extend(active);
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.lock().faults.iter().map(|f| f.fault.clone()).collect()
    }
}

/// The mutable part: projects and their jobs, faults, the request log, issued tokens.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) projects: projects::Projects,
    pub(crate) faults: Vec<ActiveFault>,
    pub(crate) requests: std::collections::VecDeque<RecordedRequest>,
    pub(crate) tokens: auth::Tokens,
}

impl Shared {
    /// Nothing seeded, nothing recorded, the gateway at `config`'s limit.
    pub(crate) fn new(config: EmulatorConfig) -> Shared {
        Shared {
            gateway: Mutex::new(gateway::Gateway::new(config.rate_limit)),
            state: Mutex::new(State {
                projects: projects::Projects::new(&config),
                faults: Vec::new(),
                requests: std::collections::VecDeque::new(),
                tokens: auth::Tokens::default(),
            }),
            config,
            ids: server::RequestIds::new(),
        }
    }

    /// Locks the state; a panic while it was held does not make it unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn gateway(&self) -> MutexGuard<'_, gateway::Gateway> {
        self.gateway
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Seeds every job in the default project, under one lock, with one clock reading.
    pub(crate) fn seed_many(&self, jobs: impl IntoIterator<Item = SeedJob>) {
        let now_ms = server::now_ms();
        let mut state = self.lock();
        let id = state.projects.default_id().to_owned();
        let store = state.projects.store(&id);
        for job in jobs {
            store.seed(job, now_ms);
        }
    }

    /// Seeds every job in its project, under one lock; none when one names a project
    /// that is not declared.
    pub(crate) fn seed_projects(&self, jobs: Vec<ProjectJob>) -> Result<(), String> {
        let now_ms = server::now_ms();
        let mut state = self.lock();
        let ids = jobs
            .iter()
            .map(|j| state.projects.resolve(j.project_id.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        for (id, job) in ids.iter().zip(jobs) {
            state.projects.store(id).seed(job.job, now_ms);
        }
        Ok(())
    }

    /// Declares the [`SAMPLE_PROJECTS`] and seeds [`project_samples`].
    pub(crate) fn seed_samples(&self) {
        {
            let mut state = self.lock();
            for (name, id) in SAMPLE_PROJECTS {
                state.projects.declare(EmulatorProject::new(name, id));
            }
        }
        // Declared just above: no job names another project.
        let _ = self.seed_projects(project_samples(server::now_ms()));
    }

    /// The jobs of a project (an id or a name), `None` when it is not declared.
    pub(crate) fn jobs_in(&self, project: Option<&str>) -> Option<Vec<SeedJob>> {
        let mut state = self.lock();
        let id = state.projects.resolve(project).ok()?;
        let store = state.projects.store(&id);
        store.purge(std::time::Instant::now());
        Some(store.list())
    }

    pub(crate) fn jobs(&self) -> Vec<SeedJob> {
        self.jobs_in(None).unwrap_or_default()
    }

    /// Every project's jobs, each with its project's id, in order of declaration (the
    /// default project's first).
    pub(crate) fn all_jobs(&self) -> Vec<ProjectJob> {
        let mut state = self.lock();
        let mut out = Vec::new();
        for (id, jobs) in state.projects.jobs(std::time::Instant::now()) {
            out.extend(jobs.into_iter().map(|job| ProjectJob::new(id.clone(), job)));
        }
        out
    }

    /// `GET /_emulator/jobs[?project_id=...]`: the default project's jobs as seeded (no
    /// query), one project's (an id or a name) or every project's (`all`), each with its
    /// project's id; `None` for a project that is not served.
    pub(crate) fn listed_jobs(&self, project: Option<&str>) -> Option<Vec<ProjectJob>> {
        match project {
            None => Some(
                self.jobs()
                    .into_iter()
                    .map(ProjectJob::default_project)
                    .collect(),
            ),
            Some("all") => Some(self.all_jobs()),
            Some(wanted) => {
                let id = self.lock().projects.resolve(Some(wanted)).ok()?;
                let jobs = self.jobs_in(Some(&id))?;
                Some(
                    jobs.into_iter()
                        .map(|job| ProjectJob::new(id.clone(), job))
                        .collect(),
                )
            }
        }
    }

    pub(crate) fn projects(&self) -> Vec<EmulatorProject> {
        self.lock().projects.list().to_vec()
    }

    pub(crate) fn reset(&self) {
        let mut state = self.lock();
        state.projects.clear();
        state.faults.clear();
        state.requests.clear();
        state.tokens = auth::Tokens::default();
    }
}

/// A running emulator. It serves on its own thread with its own tokio runtime, so
/// synchronous and asynchronous tests can both use it; dropping the handle stops the server
/// and joins the thread.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
    base_url: String,
    local_addr: SocketAddr,
    ca_pem: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.listen` and starts serving; returns once the socket is listening.
    /// With `config.tls`, first makes the CA and the server certificate (a few
    /// milliseconds).
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let tls = if config.tls {
            Some(tls::Tls::generate()?)
        } else {
            None
        };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let listener = std::net::TcpListener::bind(config.listen)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.worker_threads.max(1))
            .thread_name("otc-jobs-emulator")
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared::new(config));
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let server_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("otc-jobs-emulator-accept".into())
            .spawn(move || {
                runtime.block_on(server::serve(listener, server_shared, tls, stop));
                // Dropping the runtime here cancels the connections still open.
            })?;
        Ok(Emulator {
            shared,
            base_url: format!(
                "{}://{local_addr}",
                if ca_pem.is_some() { "https" } else { "http" }
            ),
            local_addr,
            ca_pem,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://127.0.0.1:PORT` with [`EmulatorConfig::tls`]): the
    /// base URL of every service.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// With [`EmulatorConfig::tls`], the PEM of the CA that signed the emulator's
    /// certificate, for a client to trust (e.g. `root_certificate_pem`); `None` for plain
    /// HTTP. The CA is made at start, so each emulator has its own.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The address the emulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Adds (or replaces) a job; same as `POST /_emulator/jobs`.
    pub fn seed(&self, job: SeedJob) {
        self.shared.seed_many([job]);
    }

    /// Adds (or replaces) many jobs at once, under one lock; same as `POST /_emulator/jobs`
    /// with an array.
    ///
    /// ```
    /// use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};
    ///
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// emulator.seed_many((1..=10_000).map(|id| SeedJob::flink_job(id).queue("batch")));
    /// assert_eq!(emulator.jobs().len(), 10_000);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn seed_many(&self, jobs: impl IntoIterator<Item = SeedJob>) {
        self.shared.seed_many(jobs);
    }

    /// Seeds the [`samples`](fn@samples) of every kind, created over the last 90 days ([`SAMPLE_SPAN`]):
    /// what `otc-jobs --emulator` and `otc-jobs-emulator --seed-samples` start with.
    ///
    /// ```
    /// use otc_jobs_emulator::{Emulator, EmulatorConfig};
    ///
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// emulator.seed_samples();
    /// assert!(emulator.jobs().iter().any(|j| j.kind() == "training-job"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn seed_samples(&self) {
        self.shared.seed_samples();
    }

    /// The jobs that exist in the default project (a job being deleted shows its deleting
    /// status); same as `GET /_emulator/jobs` ([`Emulator::all_jobs`] has every project's).
    pub fn jobs(&self) -> Vec<SeedJob> {
        self.shared.jobs()
    }

    /// Declares a project (or replaces the one with its id); same as
    /// `POST /_emulator/projects`.
    pub fn declare_project(&self, project: EmulatorProject) {
        self.shared.lock().projects.declare(project);
    }

    /// The projects served, the default one first; same as `GET /_emulator/projects`.
    pub fn projects(&self) -> Vec<EmulatorProject> {
        self.shared.projects()
    }

    /// Adds (or replaces) jobs, each in its project (an id or a name; `None`: the default
    /// project), under one lock; same as `POST /_emulator/jobs`. Nothing is seeded when a
    /// job names a project that is not declared, and the error says which.
    ///
    /// ```
    /// use otc_jobs_emulator::{Emulator, EmulatorConfig, EmulatorProject, ProjectJob, SeedJob};
    ///
    /// let emulator = Emulator::start(EmulatorConfig {
    ///     projects: vec![EmulatorProject::new("eu-de_ci", "c1c1")],
    ///     ..EmulatorConfig::default()
    /// })?;
    /// emulator.seed_projects([ProjectJob::new("eu-de_ci", SeedJob::flink_job(1))])?;
    /// assert_eq!(emulator.jobs_in("c1c1"), Some(vec![SeedJob::flink_job(1)]));
    /// assert!(emulator.jobs().is_empty());
    /// assert!(emulator.seed_projects([ProjectJob::new("eu-de_typo", SeedJob::flink_job(2))]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed_projects(&self, jobs: impl IntoIterator<Item = ProjectJob>) -> Result<(), String> {
        self.shared.seed_projects(jobs.into_iter().collect())
    }

    /// The jobs of a project (an id or a name), `None` when it is not declared.
    pub fn jobs_in(&self, project: &str) -> Option<Vec<SeedJob>> {
        self.shared.jobs_in(Some(project))
    }

    /// Every project's jobs, each with its project's id, in order of declaration (the
    /// default project's first); same as `GET /_emulator/jobs?project_id=all`.
    pub fn all_jobs(&self) -> Vec<ProjectJob> {
        self.shared.all_jobs()
    }

    /// Adds a fault; same as `POST /_emulator/faults`.
    pub fn add_fault(&self, fault: Fault) {
        self.shared.add_faults([fault]);
    }

    /// The faults still pending (with their remaining `times`); same as
    /// `GET /_emulator/faults`.
    pub fn faults(&self) -> Vec<Fault> {
        self.shared.faults()
    }

    /// Removes every fault; same as `DELETE /_emulator/faults`.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The requests received so far (admin requests excluded), in order of arrival; same as
    /// `GET /_emulator/requests`.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// Forgets every job, fault, recorded request and issued token, and un-expires the
    /// configured tokens; same as `POST /_emulator/reset`.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Throttles from now on at `limit` per project and service (`None`: no limit); same
    /// as `PUT /_emulator/rate-limit`. The buckets start full; the counts go on.
    ///
    /// ```
    /// use otc_jobs_emulator::{Emulator, EmulatorConfig, RateLimit};
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// emulator.set_rate_limit(Some(RateLimit::per_second(250)))?;
    /// assert_eq!(emulator.gateway_counts().limit, Some(RateLimit::per_second(250)));
    /// assert!(emulator.set_rate_limit(Some(RateLimit::per_second(0))).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) -> Result<(), String> {
        self.shared.gateway().set(limit)
    }

    /// The limit in force and how many requests the gateway let through and turned away.
    pub fn gateway_counts(&self) -> GatewayCounts {
        self.shared.gateway().counts()
    }

    /// Every token configured or issued so far now answers 401 `APIG.0307` (tokens issued
    /// later are valid); same as `POST /_emulator/expire-tokens`.
    pub fn expire_tokens(&self) {
        let config_tokens = self.shared.config.tokens.clone();
        self.shared.lock().tokens.expire_all(config_tokens);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
