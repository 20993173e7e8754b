//! # otc-jobs-core
//!
//! The sans-IO core of otc-jobs, a Rust SDK for the job APIs of Open Telekom Cloud
//! (ModelArts training and visualization jobs, DLI Flink jobs, MRS job executions).
//!
//! Everything here is a pure function: operations become `http::Request<Vec<u8>>`s
//! ([`OperationExt::build_request`]), requests are signed with the time passed in
//! ([`auth::sign`]), answers become typed results or typed errors
//! ([`OperationExt::parse_response`]), and failed attempts are judged by one retry policy
//! ([`RetryPolicy::decide`]). No sockets, no clock, no runtime: drive it from any HTTP
//! client, or use `otc-jobs-async` / `otc-jobs-blocking`.
//!
//! ```
//! use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm};
//! use otc_jobs_core::{Endpoints, OperationExt, Region, Target, UtcTime};
//! use otc_jobs_core::mrs::DeleteJobExecution;
//!
//! let endpoints = Endpoints::new(Region::EU_DE);
//! let target = Target::new(&endpoints, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
//! let credentials = Credentials::AkSk(AkSk::new("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq"));
//! let op = DeleteJobExecution::new("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3".parse()?);
//!
//! // Build and sign (the time is yours to pass in) ...
//! let request = op.signed_request(&target, &credentials, UtcTime::from_unix(1_717_228_804), SignatureForm::Access)?;
//! assert!(request.headers().contains_key("authorization"));
//!
//! // ... send it with any HTTP client, then parse what came back.
//! let answer = http::Response::builder().status(204).body(Vec::new())?;
//! DeleteJobExecution::parse_response(&answer)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Where other crates' docs link to this one when it is not documented beside them (a
// cold `cargo doc --no-deps`); keep the version in step with Cargo.toml.
#![doc(html_root_url = "https://docs.rs/otc-jobs-core/0.1.0")]

pub mod auth;
pub mod de;
mod endpoint;
mod error;
mod generated;
mod header_memo;
mod json;
mod kind;
mod operation;
mod paginate;
mod path;
mod policy;
mod probe;
mod query;
mod retry;
mod retry_after;
mod rows;
mod service;
mod stack_buf;
mod time;

pub use endpoint::{BaseUrl, Endpoints, Region, Target};
pub use error::{
    BuildError, Error, ErrorKind, NOT_FOUND_CODES, RAW_BODY_LIMIT, ResponseError,
    ResponseErrorKind, ServiceError, SignError, TransportError, TransportErrorKind, X_REQUEST_ID,
};
pub use generated::{dli, iam, modelarts, mrs};
pub use operation::{
    DEFAULT_USER_AGENT, Operation, OperationExt, OperationResponse, X_PROJECT_ID, json_body,
};
pub use paginate::{PageCursor, PageStyle, Paginated, Windowed};
pub use path::{InvalidPathId, PathId, PathValue, TemplateError, expand_template};
pub use policy::{ClientPolicy, DEFAULT_MAX_RESPONSE_BYTES};
pub use probe::{Deletion, DeletionProbe, Described, JobState};
pub use query::Query;
pub use retry::{
    RetryDecision, RetryPolicy, THROTTLED_CODE, is_ambiguous, is_idempotent, is_retryable,
    is_throttled, throttle_limit,
};
pub use retry_after::{RetryAfter, retry_after};
pub use service::Service;
pub use time::UtcTime;

/// The job kinds otc-jobs handles, as one table generated from `specs/kinds.toml`: each
/// [`Kind`](kinds::Kind) with its facts as data, ids that carry their kind
/// ([`KindId`](kinds::KindId), read by [`Kind::parse_id`](kinds::Kind::parse_id)), each
/// list's items as uniform [`Row`](kinds::Row)s ([`rows`](kinds::rows)), server
/// [`Filters`](kinds::Filters) checked against what a kind's list takes, and batch
/// deletions ([`KindBatch`](kinds::KindBatch)). The clients' `list_rows`, `delete_id`,
/// `wait_id_gone` and `batch_delete` take these.
///
/// ```
/// use otc_jobs_core::kinds::{Kind, KindId};
///
/// let kind: Kind = "training-job-version-v1".parse()?;
/// assert_eq!(kind.parent(), Some(Kind::TrainingJobV1));
/// assert_eq!(kind.facts().detail, Some("GetTrainingJobVersion"));
/// let id = kind.parse_id("10/2")?;
/// assert_eq!(id, KindId::TrainingJobVersionV1 { job_id: 10, version_id: 2 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod kinds {
    pub use crate::generated::kinds::{Kind, KindBatch, KindId};
    pub use crate::kind::{
        Action, BatchEntry, Filter, IdPart, IdShape, KindFacts, TimeUnit, UnknownKind, from_millis,
        from_rfc3339, from_seconds, value_text, value_time,
    };
    pub use crate::rows::{
        BatchError, FilterError, Filters, IdError, Listing, Row, RowError, RowSink,
    };

    /// Each list's items as [`Row`]s: one function per kind, named by it
    /// (`rows::flink_job`).
    pub mod rows {
        pub use crate::generated::kind_rows::*;
    }
}
