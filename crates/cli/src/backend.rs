//! The seam between the commands and the services: the few calls the commands make per
//! kind. [`crate::sdk`] implements it with otc-jobs-async; the tests implement it in memory.
//!
//! Retries are the SDK's (inside each call); throttling across the run and how many
//! deletions are in flight are the executor's, for every backend alike.

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
    /// Sort order, `asc` or `desc` (DLI, ModelArts).
    pub(crate) order: Option<String>,
}

/// What a failed call means for the executor. The SDK has already retried what it
/// retries (5xx, lost connections, timeouts, cut-short answers: its rules, not ours);
/// what reaches the executor is final, except throttling, which the run's shared
/// throttle handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// The job does not exist.
    NotFound,
    /// Throttled (429 / `APIG.0308`) beyond what the SDK waited out: the whole run slows
    /// down and the id is tried again.
    Throttled {
        /// How long the service asked to wait.
        retry_after: Option<Duration>,
    },
    /// The service said no, or no clear answer came after the SDK's retries.
    Fatal,
    /// Not the service's answer but the setup's: the gateway refused the credentials
    /// (401/403 `APIG.…`), the endpoint does not serve the API (a gateway 404 `APIG.0101`,
    /// an HTML or empty 404), or nothing listens there (connection refused). On the
    /// first calls of a run it stops the run; later, it is a failure like [`Fatal`](Self::Fatal).
    Misconfigured {
        /// What to check.
        hint: &'static str,
    },
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
    /// Requests the SDK sent for the call (its retries included).
    pub(crate) attempts: u32,
    /// An earlier attempt of the call failed without a clear answer (timeout, connection
    /// closed, answer cut short): it may have been carried out.
    pub(crate) earlier_attempt_unknown: bool,
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

/// How waiting for a deleted job ended (the SDK's waiter decided it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Waited {
    /// It is gone.
    Gone,
    /// In a status that means its deletion failed.
    Failed(String),
    /// Still there when the wait was spent, in this status.
    TimedOut(Option<String>),
    /// A synchronous deletion said done, but the job is still there, in this status.
    StillPresent(Option<String>),
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

/// The calls the commands need. Each is one SDK call, with the SDK's retries.
pub(crate) trait Backend: Send + Sync + 'static {
    /// Every job of `kind` the service lists with `filters` (all pages).
    fn list(
        &self,
        kind: Kind,
        filters: &ServerFilters,
    ) -> impl Future<Output = Result<Vec<JobRow>, CallError>> + Send;

    /// Deletes one job.
    fn delete(&self, kind: Kind, id: &JobId) -> impl Future<Output = Result<(), CallError>> + Send;

    /// Waits, at most `max_wait`, polling every `poll` or more, until a deleted job is gone.
    fn wait_gone(
        &self,
        kind: Kind,
        id: &JobId,
        max_wait: Duration,
        poll: Duration,
    ) -> impl Future<Output = Result<Waited, CallError>> + Send;

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
