//! The [`Backend`] over otc-jobs-async: lists through the SDK's paginators (server-side
//! filters as the generated query setters), deletes through the generated operations,
//! waits through the SDK's waiter (`wait_until_deleted`: a whole training job through
//! its probe, `ListTrainingJobVersions`), and batch-deletes Flink jobs with
//! `BatchDeleteFlinkJobs`.
//!
//! Every call carries the SDK's retries (see [`crate::config`]); what comes back is final
//! except throttling, which the executor hands to the run's shared throttle.

use std::time::{Duration, SystemTime};

use futures_util::TryStreamExt;
use otc_jobs_async::{Client, Error, WaitOptions, WaitOutcome};
use otc_jobs_core::auth::SigningTime;
use otc_jobs_core::dli::{BatchDeleteFlinkJobs, DeleteFlinkJob, ListFlinkJobs};
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteTrainingJobVersion, DeleteVisualizationJob, ListTrainingJobVersions,
    ListTrainingJobs, ListVisualizationJobs,
};
use otc_jobs_core::mrs::{DeleteJobExecution, ListJobExecutions};
use otc_jobs_core::{Deletion, Operation, PathId, RetryAfter, THROTTLED_CODE};

use crate::backend::{Backend, BatchEntry, CallError, ErrorClass, JobRow, ServerFilters, Waited};
use crate::kinds::{JobId, Kind};

/// The services, through the SDK.
#[derive(Debug, Clone)]
pub(crate) struct SdkBackend {
    client: Client,
}

impl SdkBackend {
    /// Over `client`.
    pub(crate) fn new(client: Client) -> SdkBackend {
        SdkBackend { client }
    }

    /// Where the client acts: its region, and its project (`id:…` or `name:…`), as the
    /// journal records a run's selection.
    pub(crate) fn scope(&self) -> (String, String) {
        let config = self.client.config();
        let project = match config.project() {
            otc_jobs_async::Project::Id(id) => format!("id:{id}"),
            otc_jobs_async::Project::Name(name) => format!("name:{name}"),
        };
        (config.endpoints().region().as_str().to_owned(), project)
    }

    async fn list_training_jobs(&self, f: &ServerFilters) -> Result<Vec<JobRow>, Error> {
        let mut op = ListTrainingJobs::new();
        op.status.clone_from(&f.status);
        op.search_content.clone_from(&f.name);
        if f.order.is_some() {
            op.sort_by = Some("create_time".into());
            op.order.clone_from(&f.order);
        }
        let jobs: Vec<_> = self.client.paginate(op).try_collect().await?;
        Ok(jobs
            .into_iter()
            .filter_map(|j| {
                Some(JobRow {
                    id: JobId::Number(j.job_id?),
                    name: j.job_name,
                    status: j.status.map(|s| s.to_string()),
                    created: j.create_time.and_then(millis),
                    queue: None,
                })
            })
            .collect())
    }

    async fn list_versions(&self, f: &ServerFilters) -> Result<Vec<JobRow>, Error> {
        let mut rows = Vec::new();
        // Versions are listed per job: every job of the (filtered) job list.
        for job in self.list_training_jobs(f).await? {
            let JobId::Number(job_id) = job.id else {
                continue;
            };
            let versions = self
                .client
                .paginate(ListTrainingJobVersions::new(job_id))
                .try_collect::<Vec<_>>();
            let versions = match versions.await {
                Ok(v) => v,
                // Deleted between the two lists: it has no versions left.
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            rows.extend(versions.into_iter().filter_map(|v| {
                Some(JobRow {
                    id: JobId::Version {
                        job_id,
                        version_id: v.version_id?,
                    },
                    name: v.version_name.or_else(|| job.name.clone()),
                    status: v.status.map(|s| s.to_string()),
                    created: v.create_time.and_then(millis),
                    queue: None,
                })
            }));
        }
        Ok(rows)
    }

    async fn list_visualization_jobs(&self, f: &ServerFilters) -> Result<Vec<JobRow>, Error> {
        let mut op = ListVisualizationJobs::new();
        op.status.clone_from(&f.status);
        op.search_content.clone_from(&f.name);
        if f.order.is_some() {
            op.sort_by = Some("create_time".into());
            op.order.clone_from(&f.order);
        }
        let jobs: Vec<_> = self.client.paginate(op).try_collect().await?;
        Ok(jobs
            .into_iter()
            .filter_map(|j| {
                Some(JobRow {
                    id: JobId::Text(PathId::new(j.job_id?.to_string()).ok()?),
                    name: j.job_name,
                    status: j.status.map(|s| s.to_string()),
                    created: j.create_time.and_then(millis),
                    queue: None,
                })
            })
            .collect())
    }

    async fn list_flink_jobs(&self, f: &ServerFilters) -> Result<Vec<JobRow>, Error> {
        let mut op = ListFlinkJobs::new();
        op.status.clone_from(&f.status);
        op.name.clone_from(&f.name);
        op.queue_name.clone_from(&f.queue_name);
        op.job_type.clone_from(&f.job_type);
        op.user_name.clone_from(&f.user_name);
        op.tags.clone_from(&f.tags);
        op.order.clone_from(&f.order);
        let jobs: Vec<_> = self.client.paginate(op).try_collect().await?;
        Ok(jobs
            .into_iter()
            .filter_map(|j| {
                Some(JobRow {
                    id: JobId::Number(j.job_id?),
                    name: j.name,
                    status: j.status,
                    created: j.create_time.and_then(millis),
                    queue: j.queue_name,
                })
            })
            .collect())
    }

    async fn list_job_executions(&self, f: &ServerFilters) -> Result<Vec<JobRow>, Error> {
        let mut op = ListJobExecutions::new();
        op.sort_by = match f.order.as_deref() {
            Some("asc") => Some("created_at".into()),
            Some(_) => Some("-created_at".into()),
            None => None,
        };
        let jobs: Vec<_> = self.client.paginate(op).try_collect().await?;
        Ok(jobs
            .into_iter()
            .filter_map(|j| {
                Some(JobRow {
                    id: JobId::Text(PathId::new(j.id?).ok()?),
                    name: j.job_id,
                    status: None,
                    created: j
                        .created_at
                        .and_then(|t| humantime::parse_rfc3339_weak(&t).ok()),
                    queue: None,
                })
            })
            .collect())
    }

    async fn wait<D>(&self, deletion: &D, options: WaitOptions) -> Result<Waited, CallError>
    where
        D: Deletion + Sync,
        D::Probe: Send + Sync,
        <D::Probe as Operation>::Response: Send,
    {
        match self.client.wait_until_deleted(deletion, options).await {
            Ok(WaitOutcome::Gone { .. }) => Ok(Waited::Gone),
            Ok(WaitOutcome::Failed { status }) => Ok(Waited::Failed(status)),
            Ok(WaitOutcome::TimedOut { last_status, .. }) => Ok(Waited::TimedOut(last_status)),
            Ok(WaitOutcome::StillPresent { status }) => Ok(Waited::StillPresent(status)),
            Ok(other) => Ok(Waited::StillPresent(Some(format!("{other:?}")))),
            Err(e) => Err(call_error(&e)),
        }
    }
}

impl Backend for SdkBackend {
    async fn list(&self, kind: Kind, filters: &ServerFilters) -> Result<Vec<JobRow>, CallError> {
        match kind {
            Kind::TrainingJob => self.list_training_jobs(filters).await,
            Kind::TrainingJobVersion => self.list_versions(filters).await,
            Kind::VisualizationJob => self.list_visualization_jobs(filters).await,
            Kind::FlinkJob => self.list_flink_jobs(filters).await,
            Kind::JobExecution => self.list_job_executions(filters).await,
        }
        .map_err(|e| call_error(&e))
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
            _ => return Err(not_of_kind(kind, id)),
        };
        result.map_err(|e| call_error(&e))
    }

    async fn wait_gone(
        &self,
        kind: Kind,
        id: &JobId,
        max_wait: Duration,
        poll: Duration,
    ) -> Result<Waited, CallError> {
        let options = WaitOptions::default()
            .max_wait(max_wait)
            .delays(poll, poll.saturating_mul(10));
        match (kind, id) {
            (Kind::TrainingJob, JobId::Number(n)) => {
                self.wait(&DeleteTrainingJob::new(*n), options).await
            }
            (Kind::FlinkJob, JobId::Number(n)) => {
                self.wait(&DeleteFlinkJob::new(*n), options).await
            }
            (Kind::TrainingJobVersion, JobId::Version { job_id, version_id }) => {
                self.wait(
                    &DeleteTrainingJobVersion::new(*job_id, *version_id),
                    options,
                )
                .await
            }
            (Kind::VisualizationJob, JobId::Text(id)) => {
                self.wait(&DeleteVisualizationJob::new(id.clone()), options)
                    .await
            }
            (Kind::JobExecution, JobId::Text(id)) => {
                self.wait(&DeleteJobExecution::new(id.clone()), options)
                    .await
            }
            _ => Err(not_of_kind(kind, id)),
        }
    }

    async fn batch_delete(&self, ids: &[JobId]) -> Result<Vec<BatchEntry>, CallError> {
        let numbers = ids
            .iter()
            .map(|id| match id {
                JobId::Number(n) => Ok(*n),
                other => Err(not_of_kind(Kind::FlinkJob, other)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let answer = self
            .client
            .send(&BatchDeleteFlinkJobs::new(numbers))
            .await
            .map_err(|e| call_error(&e))?;
        Ok(answer
            .0
            .into_iter()
            .map(|entry| BatchEntry {
                is_success: entry.is_success == Some(true),
                message: entry.message,
            })
            .collect())
    }
}

fn not_of_kind(kind: Kind, id: &JobId) -> CallError {
    CallError {
        class: ErrorClass::Fatal,
        status: None,
        code: None,
        message: format!("{id} is not a {kind} id"),
        request_id: None,
        attempts: 0,
        earlier_attempt_unknown: false,
    }
}

/// Milliseconds since the epoch (how ModelArts and DLI write times).
fn millis(ms: i64) -> Option<SystemTime> {
    let ms = u64::try_from(ms).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// What an SDK error means for the executor.
pub(crate) fn call_error(error: &Error) -> CallError {
    let class = if error.is_misconfiguration() {
        // The setup is wrong, not the job: every call of the run would fail alike.
        ErrorClass::Misconfigured {
            hint: error.hint().unwrap_or_default(),
        }
    } else if error.is_not_found() {
        ErrorClass::NotFound
    } else if let Some(e) = error.as_service()
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
    } else {
        ErrorClass::Fatal
    };
    // The service's own message, else the error's text; without the hint, which the
    // executor gives once, with the reason the run stopped.
    let message = match error.as_service().and_then(|e| e.message.clone()) {
        Some(message) => message,
        None => {
            let text = error.to_string();
            match error.hint() {
                Some(hint) => text
                    .strip_suffix(&format!(" ({hint})"))
                    .map_or_else(|| text.clone(), str::to_owned),
                None => text,
            }
        }
    };
    CallError {
        class,
        status: error.status().map(|s| s.as_u16()),
        code: error.code().map(str::to_owned),
        message,
        request_id: error.request_id().map(str::to_owned),
        attempts: error.attempts().max(1),
        earlier_attempt_unknown: error.earlier_attempt_unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otc_jobs_core::{Service, ServiceError, TransportError, TransportErrorKind};

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> Error {
        answer_of(Service::Dli, status, retry_after, body)
    }

    fn answer_of(service: Service, status: u16, retry_after: Option<&str>, body: &str) -> Error {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-request-id", http::HeaderValue::from_static("req-9"));
        if let Some(value) = retry_after.and_then(|v| http::HeaderValue::from_str(v).ok()) {
            headers.insert("retry-after", value);
        }
        let status = http::StatusCode::from_u16(status).unwrap_or_default();
        ServiceError::from_answer(service, status, &headers, body.as_bytes()).into()
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
                attempts: 1,
                earlier_attempt_unknown: false,
            }
        );
        let gone = call_error(&answer(
            400,
            None,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#,
        ));
        assert_eq!(gone.class, ErrorClass::NotFound);
        let mrs_gone = call_error(&answer_of(
            Service::Mrs,
            500,
            None,
            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#,
        ));
        assert_eq!(mrs_gone.class, ErrorClass::NotFound);
        // The SDK already retried a 503: what comes back is final.
        let busy = call_error(&answer(503, None, "").with_attempts(4));
        assert_eq!((busy.class, busy.attempts), (ErrorClass::Fatal, 4));
        let lost = call_error(
            &answer(404, None, r#"{"error_code":"DLI.0002","error_msg":"gone"}"#)
                .with_earlier_attempt_unknown(true),
        );
        assert!(lost.earlier_attempt_unknown);
        let refused = call_error(&answer_of(
            Service::ModelArts,
            403,
            None,
            r#"{"error_code":"ModelArts.0210","error_msg":"wrong project"}"#,
        ));
        assert_eq!(refused.class, ErrorClass::Fatal);
        assert_eq!(
            refused.to_string(),
            "HTTP 403 ModelArts.0210 wrong project (request id req-9)"
        );
        // Not the service's word: never "gone", the setup is wrong; the hint is the
        // class's, said once (the message has none).
        let typo = call_error(&answer(
            404,
            None,
            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
        ));
        assert_eq!(
            typo.class,
            ErrorClass::Misconfigured {
                hint: "the endpoint does not serve this API: check --endpoint or the region's endpoint"
            }
        );
        assert_eq!(
            typo.to_string(),
            "HTTP 404 APIG.0101 The API does not exist or has not been published in the environment (request id req-9)"
        );
        let empty = call_error(&answer(404, None, ""));
        assert_eq!(
            empty.message,
            "service error (HTTP 404 Not Found, request id req-9): Not Found (the answer had no error message)"
        );
    }

    #[test]
    fn a_wrong_setup_is_told_apart_from_a_missing_job() {
        let misconfigured =
            |e: &Error| matches!(call_error(e).class, ErrorClass::Misconfigured { .. });
        let refused = answer(
            401,
            None,
            r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
        );
        assert!(misconfigured(&refused));
        let forbidden = answer(
            403,
            None,
            r#"{"error_code":"APIG.0302","error_msg":"denied"}"#,
        );
        assert!(misconfigured(&forbidden));
        let typo = answer(
            404,
            None,
            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
        );
        assert!(misconfigured(&typo));
        let html = answer(404, None, "<html><body>Not Found</body></html>");
        assert!(misconfigured(&html));
        let empty = answer(404, None, "");
        assert!(misconfigured(&empty));
        let nobody = Error::from(TransportError::new(
            TransportErrorKind::Refused,
            "error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)",
        ));
        let class = call_error(&nobody).class;
        assert!(matches!(class, ErrorClass::Misconfigured { hint } if hint.contains("--endpoint")));
        // The service's own word stays what it was.
        let gone = answer(
            404,
            None,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#,
        );
        assert_eq!(call_error(&gone).class, ErrorClass::NotFound);
        let project = answer_of(
            Service::ModelArts,
            403,
            None,
            r#"{"error_code":"ModelArts.0210","error_msg":"wrong project"}"#,
        );
        assert_eq!(call_error(&project).class, ErrorClass::Fatal);
        let timeout = Error::from(TransportError::new(
            TransportErrorKind::Timeout,
            "timed out",
        ));
        assert_eq!(call_error(&timeout).class, ErrorClass::Fatal);
    }

    #[test]
    fn times_are_milliseconds_since_the_epoch() {
        assert_eq!(
            millis(1_500),
            Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_500))
        );
        assert_eq!(millis(-1), None);
    }
}
