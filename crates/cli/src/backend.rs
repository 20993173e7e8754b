//! The seam between the commands and the services: the few calls the commands make per
//! kind. [`crate::sdk`] implements it with otc-jobs-async; the tests implement it in memory.
//!
//! Retrying, throttling and waiting are not here: the executor decides them for every
//! backend alike, so a backend makes exactly one request per call.

use std::future::Future;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::kinds::{JobId, Kind};

/// One listed job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct JobRow {
    /// Its id.
    #[serde(serialize_with = "crate::backend::display")]
    pub(crate) id: JobId,
    /// Its name, where the service gives one.
    pub(crate) name: Option<String>,
    /// Its status, as the service writes it.
    pub(crate) status: Option<String>,
    /// When it was created.
    #[serde(serialize_with = "crate::backend::rfc3339")]
    pub(crate) created: Option<SystemTime>,
    /// The DLI queue, where there is one.
    pub(crate) queue: Option<String>,
}

/// Filters the service applies itself (passed through to the list call).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServerFilters {
    /// `status`.
    pub(crate) status: Option<String>,
    /// `name` (DLI: a substring match).
    pub(crate) name: Option<String>,
    /// DLI `queue_name`.
    pub(crate) queue_name: Option<String>,
    /// DLI `job_type`.
    pub(crate) job_type: Option<String>,
    /// DLI `user_name`.
    pub(crate) user_name: Option<String>,
    /// DLI `tags`.
    pub(crate) tags: Option<String>,
}

/// What a failed call means for the executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// The job does not exist.
    NotFound,
    /// Throttled (429 / `APIG.0308`): the whole run slows down.
    Throttled {
        /// How long the service asked to wait.
        retry_after: Option<Duration>,
    },
    /// Worth another attempt (5xx, a connection lost before an answer).
    Retryable,
    /// The service said no for good, or the request could not be made.
    Fatal,
    /// The call is not available in this build yet.
    Unsupported,
}

/// A failed call: what it means, and what the service said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallError {
    /// What it means.
    pub(crate) class: ErrorClass,
    /// The HTTP status, if an answer came.
    pub(crate) status: Option<u16>,
    /// The service's error code.
    pub(crate) code: Option<String>,
    /// The message (the service's, or what went wrong).
    pub(crate) message: String,
    /// The request id of the answer.
    pub(crate) request_id: Option<String>,
}

impl CallError {
    /// A call this build cannot make yet (waiting for `operation` to be generated).
    pub(crate) fn unsupported(what: &str, operation: &str) -> CallError {
        CallError {
            class: ErrorClass::Unsupported,
            status: None,
            code: None,
            message: format!(
                "{what} needs the {operation} operation, which this build does not have yet \
                 (integration step); use `delete` with explicit ids meanwhile"
            ),
            request_id: None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(status) = self.status {
            write!(f, "HTTP {status} ")?;
        }
        if let Some(code) = &self.code {
            write!(f, "{code} ")?;
        }
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// What one look at a deleted job shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    /// It is gone.
    Gone,
    /// Still there (being deleted), in this status.
    Present(Option<String>),
    /// In a status that means its deletion failed.
    Failed(String),
}

/// One entry of a batch deletion's answer. DLI's answer carries no ids: entries are
/// matched to ids by nothing, see the executor's batch mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchEntry {
    /// `is_success`.
    pub(crate) is_success: bool,
    /// `message`.
    pub(crate) message: Option<String>,
}

/// The calls the commands need. Each makes one request (no retries).
pub(crate) trait Backend: Send + Sync + 'static {
    /// Every job of `kind` the service lists with `filters` (all pages).
    fn list(
        &self,
        kind: Kind,
        filters: &ServerFilters,
    ) -> impl Future<Output = Result<Vec<JobRow>, CallError>> + Send;

    /// Deletes one job.
    fn delete(&self, kind: Kind, id: &JobId) -> impl Future<Output = Result<(), CallError>> + Send;

    /// Looks once at a job being deleted.
    fn probe(
        &self,
        kind: Kind,
        id: &JobId,
    ) -> impl Future<Output = Result<Probe, CallError>> + Send;

    /// Deletes Flink jobs in one request (DLI's batch deletion).
    fn batch_delete(
        &self,
        ids: &[JobId],
    ) -> impl Future<Output = Result<Vec<BatchEntry>, CallError>> + Send;
}

/// Serialises with `Display`.
pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Serialises a time as RFC 3339 (UTC, seconds).
pub(crate) fn rfc3339<S: serde::Serializer>(
    value: &Option<SystemTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(t) => serializer.collect_str(&humantime::format_rfc3339_seconds(*t)),
        None => serializer.serialize_none(),
    }
}
