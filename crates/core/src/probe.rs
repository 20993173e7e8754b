//! Deletion, as data: which detail operation tells whether a deleted job is gone, and
//! which of its statuses mean the deletion failed. Declared per deletion in
//! `specs/operations.toml` and generated; one waiter state machine in `otc-jobs-driver`
//! polls any of them.
//!
//! A poll whose answer is a "not found" error ([`Error::is_not_found`](crate::Error::is_not_found))
//! means the job is gone; the answer of a job still there is judged by
//! [`DeletionProbe::job_state`].

use crate::operation::Operation;

/// What a detail answer says of a job that is being deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Still there, in this status (as the service writes it, e.g. `"9"` or
    /// `"job_canceling"`), if the answer has one.
    Present {
        /// The job's status.
        status: Option<String>,
    },
    /// In a status that means the deletion failed (ModelArts 6, "delete failed").
    Failed {
        /// The job's status.
        status: String,
    },
}

/// A detail operation that can be polled until a job is gone (e.g. `GetVisualizationJob`).
pub trait DeletionProbe: Operation + Clone {
    /// What the answer says of the job.
    fn job_state(response: &Self::Response) -> JobState;

    /// The job's name, where the answer has one (`None` by default).
    fn job_name(_response: &Self::Response) -> Option<String> {
        None
    }
}

/// What one detail request says of a job: there (with its name and status, where the
/// answer has them), or gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Described {
    /// The job exists.
    Present {
        /// Its name.
        name: Option<String>,
        /// Its status, as the service writes it.
        status: Option<String>,
    },
    /// The service says it does not exist ([`Error::is_not_found`](crate::Error::is_not_found)).
    Gone,
}

impl Described {
    /// Judges the answer to probe `P`'s request: "not found" is [`Described::Gone`],
    /// another error stays the error.
    ///
    /// ```
    /// use otc_jobs_core::dli::GetFlinkJob;
    /// use otc_jobs_core::{Described, OperationExt};
    ///
    /// let body = br#"{"is_success": true, "job_detail": {"job_id": 7, "name": "nightly", "status": "job_running"}}"#;
    /// let answer = GetFlinkJob::parse_response(
    ///     &http::Response::builder().status(200).body(body.to_vec())?,
    /// );
    /// assert_eq!(
    ///     Described::from_answer::<GetFlinkJob>(answer)?,
    ///     Described::Present { name: Some("nightly".into()), status: Some("job_running".into()) }
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_answer<P: DeletionProbe>(
        answer: Result<P::Response, crate::Error>,
    ) -> Result<Described, crate::Error> {
        match answer {
            Ok(response) => Ok(Described::Present {
                name: P::job_name(&response),
                status: match P::job_state(&response) {
                    JobState::Present { status } => status,
                    JobState::Failed { status } => Some(status),
                },
            }),
            Err(e) if e.is_not_found() => Ok(Described::Gone),
            Err(e) => Err(e),
        }
    }
}

/// A deletion, and how to learn that it has taken effect.
pub trait Deletion: Operation {
    /// The detail operation to poll.
    type Probe: DeletionProbe;

    /// Whether the service deletes after answering (ModelArts), so that waiting means
    /// polling; `false` where the answer already means the job is gone (DLI, MRS), so a
    /// waiter needs one poll to confirm.
    const ASYNCHRONOUS: bool;

    /// The detail request for the job this deletion removes.
    fn probe(&self) -> Self::Probe;
}
