//! The [`Backend`] over otc-jobs-async: the five deletions are real, and so is looking at
//! a job being deleted (through the interim hand-written operations of [`crate::detail`];
//! not for whole training jobs). Listing and DLI's batch deletion wait for their
//! operations (`ListFlinkJobs`..., `BatchDeleteFlinkJobs`) and the paginators, which this
//! build does not have yet (integration step): they answer [`ErrorClass::Unsupported`].
//!
//! The client is built without retries: the executor retries, so that every 429 reaches
//! the run's shared throttle.

use std::time::SystemTime;

use otc_jobs_async::{Client, Error};
use otc_jobs_core::auth::SigningTime;
use otc_jobs_core::{RetryAfter, THROTTLED_CODE};

use crate::backend::{Backend, BatchEntry, CallError, ErrorClass, JobRow, Probe, ServerFilters};
use crate::detail::{GetFlinkJob, GetJobExecution, GetTrainingJobVersion, GetVisualizationJob};
use crate::kinds::{JobId, Kind};

/// The services, through the SDK.
#[derive(Debug, Clone)]
pub(crate) struct SdkBackend {
    client: Client,
}

impl SdkBackend {
    /// Over `client` (which should not retry: see the module docs).
    pub(crate) fn new(client: Client) -> SdkBackend {
        SdkBackend { client }
    }
}

impl Backend for SdkBackend {
    async fn list(&self, kind: Kind, _filters: &ServerFilters) -> Result<Vec<JobRow>, CallError> {
        let operation = match kind {
            Kind::TrainingJob => "ListTrainingJobs",
            Kind::TrainingJobVersion => "ListTrainingJobVersions",
            Kind::VisualizationJob => "ListVisualizationJobs",
            Kind::FlinkJob => "ListFlinkJobs",
            Kind::JobExecution => "ListJobExecutions",
        };
        Err(CallError::unsupported(
            &format!("listing {kind}s"),
            &format!("{operation} operation and its paginator"),
        ))
    }

    async fn delete(&self, kind: Kind, id: &JobId) -> Result<(), CallError> {
        let result = match (kind, id) {
            (Kind::TrainingJob, JobId::Number(n)) => {
                self.client.delete_training_job(*n).await.map(drop)
            }
            (Kind::FlinkJob, JobId::Number(n)) => self.client.delete_flink_job(*n).await.map(drop),
            (Kind::TrainingJobVersion, JobId::Version { job_id, version_id }) => self
                .client
                .delete_training_job_version(*job_id, *version_id)
                .await
                .map(drop),
            (Kind::VisualizationJob, JobId::Text(id)) => self
                .client
                .delete_visualization_job(id.clone())
                .await
                .map(drop),
            (Kind::JobExecution, JobId::Text(id)) => {
                self.client.delete_job_execution(id.clone()).await.map(drop)
            }
            _ => {
                return Err(CallError {
                    class: ErrorClass::Fatal,
                    status: None,
                    code: None,
                    message: format!("{id} is not a {kind} id"),
                    request_id: None,
                });
            }
        };
        result.map_err(|e| call_error(&e))
    }

    async fn probe(&self, kind: Kind, id: &JobId) -> Result<Probe, CallError> {
        let answer = match (kind, id) {
            (Kind::FlinkJob, JobId::Number(n)) => self
                .client
                .send(&GetFlinkJob { job_id: *n })
                .await
                .map(|d| d.status("/job_detail/status")),
            (Kind::TrainingJobVersion, JobId::Version { job_id, version_id }) => self
                .client
                .send(&GetTrainingJobVersion {
                    job_id: *job_id,
                    version_id: *version_id,
                })
                .await
                .map(|d| d.status("/status")),
            (Kind::VisualizationJob, JobId::Text(id)) => self
                .client
                .send(&GetVisualizationJob { job_id: id.clone() })
                .await
                .map(|d| d.status("/status")),
            (Kind::JobExecution, JobId::Text(id)) => self
                .client
                .send(&GetJobExecution {
                    job_execution_id: id.clone(),
                })
                .await
                .map(|d| d.status("/job_execution/info/status")),
            _ => {
                return Err(CallError::unsupported(
                    &format!("waiting for a {kind}"),
                    "ListTrainingJobVersions operation (or the waiter)",
                ));
            }
        };
        match answer {
            Ok(status) if is_failed_deletion(kind, status.as_deref()) => {
                Ok(Probe::Failed(status.unwrap_or_default()))
            }
            Ok(status) => Ok(Probe::Present(status)),
            Err(e) if e.is_not_found() => Ok(Probe::Gone),
            Err(e) => Err(call_error(&e)),
        }
    }

    async fn batch_delete(&self, _ids: &[JobId]) -> Result<Vec<BatchEntry>, CallError> {
        Err(CallError::unsupported("--batch", "BatchDeleteFlinkJobs"))
    }
}

/// What an SDK error means for the executor.
pub(crate) fn call_error(error: &Error) -> CallError {
    let class = if error.is_not_found() {
        ErrorClass::NotFound
    } else if let Error::Service(e) = error
        && (e.status.as_u16() == 429 || e.code.as_deref() == Some(THROTTLED_CODE))
    {
        ErrorClass::Throttled {
            retry_after: e.retry_after.map(|r| match r {
                RetryAfter::Delay(wait) => wait,
                at @ RetryAfter::At(_) => {
                    at.wait_from(SigningTime::from_system_time(SystemTime::now()))
                }
            }),
        }
    } else if otc_jobs_core::is_retryable(error) {
        ErrorClass::Retryable
    } else {
        ErrorClass::Fatal
    };
    let message = match error {
        Error::Service(e) => e.message.clone().unwrap_or_else(|| error.to_string()),
        _ => error.to_string(),
    };
    CallError {
        class,
        status: error.status().map(|s| s.as_u16()),
        code: error.code().map(str::to_owned),
        message,
        request_id: error.request_id().map(str::to_owned),
    }
}

/// ModelArts status 6 is "delete failed" (the training job pages' status table).
fn is_failed_deletion(kind: Kind, status: Option<&str>) -> bool {
    matches!(kind, Kind::TrainingJobVersion | Kind::VisualizationJob) && status == Some("6")
}

#[cfg(test)]
mod tests {
    use super::*;
    use otc_jobs_core::ServiceError;
    use std::time::Duration;

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> Error {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-request-id", http::HeaderValue::from_static("req-9"));
        if let Some(value) = retry_after.and_then(|v| http::HeaderValue::from_str(v).ok()) {
            headers.insert("retry-after", value);
        }
        let status = http::StatusCode::from_u16(status).unwrap_or_default();
        ServiceError::from_answer(status, &headers, body.as_bytes()).into()
    }

    #[test]
    fn classifies_what_the_services_answer() {
        let throttled = call_error(&answer(
            429,
            Some("3"),
            r#"{"error_code":"APIG.0308","error_msg":"slow down"}"#,
        ));
        assert_eq!(
            throttled,
            CallError {
                class: ErrorClass::Throttled {
                    retry_after: Some(Duration::from_secs(3))
                },
                status: Some(429),
                code: Some("APIG.0308".into()),
                message: "slow down".into(),
                request_id: Some("req-9".into()),
            }
        );
        let gone = call_error(&answer(
            400,
            None,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#,
        ));
        assert_eq!(gone.class, ErrorClass::NotFound);
        let mrs_gone = call_error(&answer(
            500,
            None,
            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#,
        ));
        assert_eq!(mrs_gone.class, ErrorClass::NotFound);
        assert_eq!(
            call_error(&answer(503, None, "")).class,
            ErrorClass::Retryable
        );
        let refused = call_error(&answer(
            403,
            None,
            r#"{"error_code":"ModelArts.0210","error_msg":"wrong project"}"#,
        ));
        assert_eq!(refused.class, ErrorClass::Fatal);
        assert_eq!(
            refused.to_string(),
            "HTTP 403 ModelArts.0210 wrong project (request id req-9)"
        );
    }
}
