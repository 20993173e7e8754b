//! Routing and the answers of ModelArts, DLI and MRS, as their pages document them.

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use otc_jobs_core::Service;
use percent_encoding::percent_decode_str;
use serde_json::json;

use crate::answer::Answer;
use crate::kinds::Simple;
use crate::listing::Query;
use crate::store::Store;
use crate::{dli, dli_runs, modelarts, modelarts_v2, mrs, mrs_v2};

/// A request the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    TrainingJobs,
    DeleteTrainingJob(String),
    TrainingVersions(String),
    TrainingVersion(Method, String, String),
    VisualizationJobs,
    VisualizationJob(Method, String),
    FlinkJobs,
    FlinkJob(Method, String),
    FlinkBatchDelete,
    Executions,
    Execution(Method, String),
    TrainingJobSearchesV2,
    TrainingJobV2(Method, String),
    FlinkTemplates,
    DeleteFlinkTemplate(String),
    TrainingConfigs,
    TrainingConfig(Method, String),
    JobObjects,
    JobObject(Method, String),
    JobBinaries,
    JobBinary(Method, String),
    Clusters,
    JobExecutionsV2(String),
    JobExecutionV2(String, String),
    KillJobExecutionV2(String, String),
    BatchDeleteJobExecutionsV2(String),
    SqlJobs,
    CancelSqlJob(String),
    SqlJobStatus(String),
    SparkJobs,
    CancelSparkJob(String),
    SparkJobState(String),
    IamTokens,
    IamProjects,
    IamAuthProjects,
}

impl Route {
    pub(crate) fn service(&self) -> Service {
        match self {
            Route::TrainingJobs
            | Route::DeleteTrainingJob(_)
            | Route::TrainingVersions(_)
            | Route::TrainingVersion(..)
            | Route::VisualizationJobs
            | Route::VisualizationJob(..)
            | Route::TrainingJobSearchesV2
            | Route::TrainingJobV2(..)
            | Route::TrainingConfigs
            | Route::TrainingConfig(..) => Service::ModelArts,
            Route::FlinkJobs
            | Route::FlinkJob(..)
            | Route::FlinkBatchDelete
            | Route::FlinkTemplates
            | Route::DeleteFlinkTemplate(_)
            | Route::SqlJobs
            | Route::CancelSqlJob(_)
            | Route::SqlJobStatus(_)
            | Route::SparkJobs
            | Route::CancelSparkJob(_)
            | Route::SparkJobState(_) => Service::Dli,
            Route::Executions
            | Route::Execution(..)
            | Route::JobObjects
            | Route::JobObject(..)
            | Route::JobBinaries
            | Route::JobBinary(..)
            | Route::Clusters
            | Route::JobExecutionsV2(_)
            | Route::JobExecutionV2(..)
            | Route::KillJobExecutionV2(..)
            | Route::BatchDeleteJobExecutionsV2(_) => Service::Mrs,
            Route::IamTokens | Route::IamProjects | Route::IamAuthProjects => Service::Iam,
        }
    }
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Matches method and path; `None` is the gateway's "no such API". Returns the project id
/// in the path, if the route has one.
pub(crate) fn route(method: &Method, path: &str) -> Option<(Option<String>, Route)> {
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let m = method.clone();
    let is = |expected: Method| *method == expected;
    let (project, route) = match segments.as_slice() {
        ["v3", "auth", "tokens"] if is(Method::POST) => (None, Route::IamTokens),
        ["v3", "projects"] if is(Method::GET) => (None, Route::IamProjects),
        ["v3", "auth", "projects"] if is(Method::GET) => (None, Route::IamAuthProjects),
        ["v1", p, "training-jobs"] if is(Method::GET) => (Some(p), Route::TrainingJobs),
        ["v1", p, "training-jobs", id] if is(Method::DELETE) => {
            (Some(p), Route::DeleteTrainingJob(decode(id)))
        }
        ["v1", p, "training-jobs", id, "versions"] if is(Method::GET) => {
            (Some(p), Route::TrainingVersions(decode(id)))
        }
        ["v1", p, "training-jobs", id, "versions", v] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::TrainingVersion(m, decode(id), decode(v)))
        }
        ["v1", p, "visualization-jobs"] if is(Method::GET) => (Some(p), Route::VisualizationJobs),
        ["v1", p, "training-job-configs"] if is(Method::GET) => (Some(p), Route::TrainingConfigs),
        ["v1", p, "training-job-configs", name] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::TrainingConfig(m, decode(name)))
        }
        ["v1", p, "visualization-jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::VisualizationJob(m, decode(id)))
        }
        ["v2", p, "training-job-searches"] if is(Method::POST) => {
            (Some(p), Route::TrainingJobSearchesV2)
        }
        ["v2", p, "training-jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::TrainingJobV2(m, decode(id)))
        }
        ["v1.0", p, "streaming", "job-templates"] if is(Method::GET) => {
            (Some(p), Route::FlinkTemplates)
        }
        ["v1.0", p, "streaming", "job-templates", id] if is(Method::DELETE) => {
            (Some(p), Route::DeleteFlinkTemplate(decode(id)))
        }
        ["v1.0", p, "streaming", "jobs"] if is(Method::GET) => (Some(p), Route::FlinkJobs),
        ["v1.0", p, "streaming", "jobs", "delete"] if is(Method::POST) => {
            (Some(p), Route::FlinkBatchDelete)
        }
        ["v1.0", p, "streaming", "jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::FlinkJob(m, decode(id)))
        }
        ["v1.0", p, "jobs"] if is(Method::GET) => (Some(p), Route::SqlJobs),
        ["v1.0", p, "jobs", id] if is(Method::DELETE) => (Some(p), Route::CancelSqlJob(decode(id))),
        ["v1.0", p, "jobs", id, "status"] if is(Method::GET) => {
            (Some(p), Route::SqlJobStatus(decode(id)))
        }
        ["v2.0", p, "batches"] if is(Method::GET) => (Some(p), Route::SparkJobs),
        ["v2.0", p, "batches", id] if is(Method::DELETE) => {
            (Some(p), Route::CancelSparkJob(decode(id)))
        }
        ["v2.0", p, "batches", id, "state"] if is(Method::GET) => {
            (Some(p), Route::SparkJobState(decode(id)))
        }
        ["v1.1", p, "job-executions"] if is(Method::GET) => (Some(p), Route::Executions),
        ["v1.1", p, "jobs"] if is(Method::GET) => (Some(p), Route::JobObjects),
        ["v1.1", p, "jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::JobObject(m, decode(id)))
        }
        ["v1.1", p, "job-binaries"] if is(Method::GET) => (Some(p), Route::JobBinaries),
        ["v1.1", p, "job-binaries", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::JobBinary(m, decode(id)))
        }
        ["v1.1", p, "job-executions", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::Execution(m, decode(id)))
        }
        ["v1.1", p, "cluster_infos"] if is(Method::GET) => (Some(p), Route::Clusters),
        ["v2", p, "clusters", c, "job-executions"] if is(Method::GET) => {
            (Some(p), Route::JobExecutionsV2(decode(c)))
        }
        ["v2", p, "clusters", c, "job-executions", "batch-delete"] if is(Method::POST) => {
            (Some(p), Route::BatchDeleteJobExecutionsV2(decode(c)))
        }
        ["v2", p, "clusters", c, "job-executions", id] if is(Method::GET) => {
            (Some(p), Route::JobExecutionV2(decode(c), decode(id)))
        }
        ["v2", p, "clusters", c, "job-executions", id, "kill"] if is(Method::POST) => {
            (Some(p), Route::KillJobExecutionV2(decode(c), decode(id)))
        }
        _ => return None,
    };
    Some((project.map(|p| decode(p)), route))
}

/// The answer to a project id in the path that the credentials may not reach: not one
/// the emulator serves, one it marks unreachable, or not the one a token is scoped to.
pub(crate) fn wrong_project(service: Service, project_id: &str) -> Answer {
    match service {
        // ModelArts error-code page: 403 ModelArts.0210.
        Service::ModelArts => Answer::json(
            StatusCode::FORBIDDEN,
            &json!({
                "is_success": false,
                "error_code": "ModelArts.0210",
                "error_message": format!("The project id in the request URL does not match the token. project id: {project_id}"),
            }),
        ),
        // DLI error-code page: 401 DLI.0013 "User authentication errors occur."
        Service::Dli => Answer::json(
            StatusCode::UNAUTHORIZED,
            &json!({
                "error_code": "DLI.0013",
                "error_msg": format!("User authentication errors occur. The project {project_id} does not match the credentials."),
            }),
        ),
        // MRS error-code page: 401 12000001 "Invalid authentication" (IAM routes carry no
        // project id in their path, so only MRS gets here).
        _ => Answer::json(
            StatusCode::UNAUTHORIZED,
            &json!({ "error_code": "12000001", "error_msg": "Invalid authentication" }),
        ),
    }
}

/// Serves a routed, authenticated request of ModelArts, DLI or MRS. ModelArts deletions
/// take `delay`; DLI and MRS delete at once; a killed MRS v2 job stops after `kill_delay`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn handle(
    store: &mut Store,
    route: Route,
    query: Option<&str>,
    body: &[u8],
    project_id: &str,
    delay: Duration,
    kill_delay: Duration,
    now: Instant,
) -> Answer {
    store.purge(now);
    let query = Query::parse(query);
    match route {
        Route::TrainingJobs => modelarts::list_training_jobs(store, &query),
        Route::DeleteTrainingJob(id) => modelarts::delete_training_job(store, &id, delay, now),
        Route::TrainingVersions(id) => modelarts::list_versions(store, &id, &query),
        Route::TrainingVersion(method, id, vid) => {
            modelarts::version(store, method == Method::DELETE, &id, &vid, delay, now)
        }
        Route::VisualizationJobs => modelarts::list_visualization_jobs(store, &query),
        Route::VisualizationJob(method, id) => {
            modelarts::visualization_job(store, method == Method::DELETE, &id, delay, now)
        }
        Route::FlinkJobs => dli::list(store, &query, project_id),
        Route::FlinkJob(method, id) => dli::job(store, method == Method::DELETE, &id, project_id),
        Route::FlinkBatchDelete => dli::batch_delete(store, body),
        Route::Executions => mrs::list(store, &query, project_id),
        Route::Execution(method, id) => {
            mrs::execution(store, method == Method::DELETE, &id, project_id)
        }
        Route::TrainingJobSearchesV2 => modelarts_v2::list(store, body),
        Route::FlinkTemplates => dli::list_templates(store, &query),
        Route::TrainingConfigs => modelarts::list_configs(store, &query),
        Route::JobObjects => mrs::list_objects(store, Simple::JobV1, &query, project_id),
        Route::JobObject(method, id) => mrs::object(
            store,
            Simple::JobV1,
            method == Method::DELETE,
            &id,
            project_id,
        ),
        Route::JobBinaries => mrs::list_objects(store, Simple::JobBinaryV1, &query, project_id),
        Route::JobBinary(method, id) => mrs::object(
            store,
            Simple::JobBinaryV1,
            method == Method::DELETE,
            &id,
            project_id,
        ),
        Route::TrainingConfig(method, name) => {
            modelarts::config(store, method == Method::DELETE, &name, now)
        }
        Route::DeleteFlinkTemplate(id) => dli::delete_template(store, &id),
        Route::TrainingJobV2(method, id) => {
            modelarts_v2::job(store, method == Method::DELETE, &id, delay, now)
        }
        Route::Clusters => mrs_v2::list_clusters(store, &query, project_id),
        Route::JobExecutionsV2(cluster) => mrs_v2::list_jobs(store, &cluster, &query, now),
        Route::JobExecutionV2(cluster, id) => mrs_v2::job(store, &cluster, &id, now),
        Route::KillJobExecutionV2(cluster, id) => {
            mrs_v2::kill(store, &cluster, &id, kill_delay, now)
        }
        Route::BatchDeleteJobExecutionsV2(cluster) => {
            mrs_v2::batch_delete(store, &cluster, body, now)
        }
        Route::SqlJobs => dli_runs::list_sql(store, &query),
        Route::CancelSqlJob(id) => dli_runs::cancel_sql(store, &id),
        Route::SqlJobStatus(id) => dli_runs::sql_status(store, &id),
        Route::SparkJobs => dli_runs::list_spark(store, &query),
        Route::CancelSparkJob(id) => dli_runs::cancel_spark(store, &id),
        Route::SparkJobState(id) => dli_runs::spark_state(store, &id),
        // IAM is served elsewhere.
        Route::IamTokens | Route::IamProjects | Route::IamAuthProjects => {
            Answer::empty(StatusCode::NOT_FOUND)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = |m: Method, p: &str| route(&m, p);
        assert_eq!(
            r(Method::DELETE, "/v1/p/training-jobs/10"),
            Some((Some("p".into()), Route::DeleteTrainingJob("10".into())))
        );
        assert_eq!(r(Method::GET, "/v1/p/training-jobs/10"), None);
        assert_eq!(
            r(Method::GET, "/v1.0/p/streaming/jobs/7"),
            Some((Some("p".into()), Route::FlinkJob(Method::GET, "7".into())))
        );
        assert_eq!(
            r(Method::DELETE, "/v1/p/visualization-jobs/a%20b"),
            Some((
                Some("p".into()),
                Route::VisualizationJob(Method::DELETE, "a b".into())
            ))
        );
        assert_eq!(
            r(Method::POST, "/v3/auth/tokens"),
            Some((None, Route::IamTokens))
        );
        assert_eq!(r(Method::PUT, "/v1.1/p/job-executions/x"), None);
        assert_eq!(
            r(Method::GET, "/v1/p/training-jobs/10/versions"),
            Some((Some("p".into()), Route::TrainingVersions("10".into())))
        );
        assert_eq!(
            r(Method::POST, "/v1.0/p/streaming/jobs/delete"),
            Some((Some("p".into()), Route::FlinkBatchDelete))
        );
        assert_eq!(r(Method::POST, "/v1.0/p/streaming/jobs/7"), None);
        assert_eq!(r(Method::GET, "/nope"), None);
        assert_eq!(
            r(Method::POST, "/v2/p/training-job-searches"),
            Some((Some("p".into()), Route::TrainingJobSearchesV2))
        );
        assert_eq!(
            r(Method::DELETE, "/v2/p/training-jobs/3faf5c03"),
            Some((
                Some("p".into()),
                Route::TrainingJobV2(Method::DELETE, "3faf5c03".into())
            ))
        );
        assert_eq!(r(Method::GET, "/v2/p/training-job-searches"), None);
        assert_eq!(
            r(Method::GET, "/v2/p/clusters/c%2F1/job-executions/j"),
            Some((
                Some("p".into()),
                Route::JobExecutionV2("c/1".into(), "j".into())
            ))
        );
        assert_eq!(
            r(Method::POST, "/v2/p/clusters/c/job-executions/batch-delete"),
            Some((
                Some("p".into()),
                Route::BatchDeleteJobExecutionsV2("c".into())
            ))
        );
        assert_eq!(
            r(Method::POST, "/v2/p/clusters/c/job-executions/j/kill"),
            Some((
                Some("p".into()),
                Route::KillJobExecutionV2("c".into(), "j".into())
            ))
        );
        assert_eq!(r(Method::DELETE, "/v2/p/clusters/c/job-executions/j"), None);
        assert_eq!(
            r(Method::DELETE, "/v1.0/p/jobs/a%2Fb"),
            Some((Some("p".into()), Route::CancelSqlJob("a/b".into())))
        );
        assert_eq!(
            r(Method::GET, "/v1.0/p/jobs/j/status"),
            Some((Some("p".into()), Route::SqlJobStatus("j".into())))
        );
        assert_eq!(r(Method::GET, "/v1.0/p/jobs/j"), None);
        assert_eq!(
            r(Method::DELETE, "/v2.0/p/batches/b"),
            Some((Some("p".into()), Route::CancelSparkJob("b".into())))
        );
        assert_eq!(
            r(Method::GET, "/v2.0/p/batches/b/state"),
            Some((Some("p".into()), Route::SparkJobState("b".into())))
        );
        assert_eq!(
            r(Method::GET, "/v1.1/p/cluster_infos"),
            Some((Some("p".into()), Route::Clusters))
        );
    }
}
