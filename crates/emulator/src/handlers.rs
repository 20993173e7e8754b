//! Routing and the answers of ModelArts, DLI and MRS, as their pages document them.

use std::time::Instant;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use otc_jobs_core::Service;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use crate::State;
use crate::store::{Deleted, Entry, status};

/// A finished answer (before faults that mangle bodies).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) error_code: Option<String>,
}

impl Answer {
    pub(crate) fn json(status: StatusCode, body: &Value) -> Answer {
        let error_code = body
            .get("error_code")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Answer {
            status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )],
            body: Bytes::from(body.to_string()),
            error_code,
        }
    }

    pub(crate) fn empty(status: StatusCode) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            error_code: None,
        }
    }

    /// The API gateway's own error body.
    pub(crate) fn gateway(
        status: StatusCode,
        code: &str,
        message: &str,
        request_id: &str,
    ) -> Answer {
        Answer::json(
            status,
            &json!({ "error_code": code, "error_msg": message, "request_id": request_id }),
        )
    }
}

/// A request the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    TrainingJobs,
    DeleteTrainingJob(String),
    TrainingVersion(Method, String, String),
    VisualizationJobs,
    VisualizationJob(Method, String),
    FlinkJobs,
    FlinkJob(Method, String),
    Executions,
    Execution(Method, String),
    IamTokens,
    IamProjects,
}

impl Route {
    pub(crate) fn service(&self) -> Service {
        match self {
            Route::TrainingJobs
            | Route::DeleteTrainingJob(_)
            | Route::TrainingVersion(..)
            | Route::VisualizationJobs
            | Route::VisualizationJob(..) => Service::ModelArts,
            Route::FlinkJobs | Route::FlinkJob(..) => Service::Dli,
            Route::Executions | Route::Execution(..) => Service::Mrs,
            Route::IamTokens | Route::IamProjects => Service::Iam,
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
        ["v1", p, "training-jobs"] if is(Method::GET) => (Some(p), Route::TrainingJobs),
        ["v1", p, "training-jobs", id] if is(Method::DELETE) => {
            (Some(p), Route::DeleteTrainingJob(decode(id)))
        }
        ["v1", p, "training-jobs", id, "versions", v] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::TrainingVersion(m, decode(id), decode(v)))
        }
        ["v1", p, "visualization-jobs"] if is(Method::GET) => (Some(p), Route::VisualizationJobs),
        ["v1", p, "visualization-jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::VisualizationJob(m, decode(id)))
        }
        ["v1.0", p, "streaming", "jobs"] if is(Method::GET) => (Some(p), Route::FlinkJobs),
        ["v1.0", p, "streaming", "jobs", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::FlinkJob(m, decode(id)))
        }
        ["v1.1", p, "job-executions"] if is(Method::GET) => (Some(p), Route::Executions),
        ["v1.1", p, "job-executions", id] if is(Method::GET) || is(Method::DELETE) => {
            (Some(p), Route::Execution(m, decode(id)))
        }
        _ => return None,
    };
    Some((project.map(|p| decode(p)), route))
}

/// The answer to a project id in the path that is not the emulator's.
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

/// Query parameters, decoded.
fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let plus = |s: &str| s.replace('+', " ");
            (decode(&plus(k)), decode(&plus(v)))
        })
        .collect()
}

fn param<T: std::str::FromStr>(params: &[(String, String)], name: &str) -> Option<T> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn modelarts_error(status: StatusCode, code: &str, message: String) -> Answer {
    Answer::json(
        status,
        &json!({ "is_success": false, "error_code": code, "error_message": message }),
    )
}

fn modelarts_not_found(what: &str, id: &str) -> Answer {
    // ModelArts.2775 TrainingJobNotFound, "Training job (ID: %s) not found.", status 400.
    modelarts_error(
        StatusCode::BAD_REQUEST,
        "ModelArts.2775",
        format!("{what} (ID: {id}) not found."),
    )
}

fn modelarts_bad_id(id: &str) -> Answer {
    modelarts_error(
        StatusCode::BAD_REQUEST,
        "ModelArts.0101",
        format!("Invalid Argument. job_id: {id}"),
    )
}

fn dli_error(code: &str, message: String) -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error_code": code, "error_msg": message }),
    )
}

fn dli_not_found(id: &str) -> Answer {
    // DLI.0002 "The object does not exist.", status 400.
    dli_error(
        "DLI.0002",
        format!("The object does not exist. There is no Flink job with ID {id}."),
    )
}

fn mrs_not_found() -> Answer {
    // MRS 0176 "The job does not exist.", status 500.
    Answer::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({ "error_code": "0176", "error_msg": "The job does not exist." }),
    )
}

fn shown_status(entry: &Entry, default: Value, deleting: Value) -> Value {
    if entry.is_deleting() {
        deleting
    } else {
        entry.status.clone().unwrap_or(default)
    }
}

/// A string id that is all digits is shown as a number (the pages type job ids Long).
fn id_value(id: &str) -> Value {
    id.parse::<u64>()
        .map_or_else(|_| Value::from(id), Value::from)
}

fn page<T: Clone>(items: &[T], offset: usize, limit: usize) -> Vec<T> {
    items.iter().skip(offset).take(limit).cloned().collect()
}

/// Serves a routed, authenticated request of ModelArts, DLI or MRS.
pub(crate) fn handle(
    state: &mut State,
    route: Route,
    query: Option<&str>,
    project_id: &str,
    delay: std::time::Duration,
    now: Instant,
) -> Answer {
    state.store.purge(now);
    let store = &mut state.store;
    let params = query_params(query);
    let ma_default = || Value::from(status::MODELARTS_TRAINING_DEFAULT);
    let ma_deleting = || Value::from(status::MODELARTS_DELETING);
    match route {
        Route::TrainingJobs => {
            let per_page = param::<usize>(&params, "per_page")
                .unwrap_or(10)
                .clamp(1, 1000);
            let page_no = param::<usize>(&params, "page").unwrap_or(1).max(1);
            let jobs: Vec<Value> = store
                .training
                .iter()
                .map(|(id, job)| {
                    let latest = job.versions.keys().next_back().copied();
                    json!({
                        "job_id": id,
                        "job_name": job.entry.name.clone().unwrap_or_else(|| format!("job-{id}")),
                        "version_id": latest,
                        "status": shown_status(&job.entry, ma_default(), ma_deleting()),
                        "create_time": job.entry.created_ms,
                        "duration": 0,
                        "job_desc": "",
                        "version_count": job.versions.len(),
                    })
                })
                .collect();
            Answer::json(
                StatusCode::OK,
                &json!({
                    "is_success": true,
                    "quotas": 1000,
                    "job_total_count": jobs.len(),
                    "job_count_limit": 1000,
                    "jobs": page(&jobs, (page_no - 1) * per_page, per_page),
                }),
            )
        }
        Route::DeleteTrainingJob(id) => {
            let Ok(job_id) = id.parse::<u64>() else {
                return modelarts_bad_id(&id);
            };
            match store.delete_training_job(job_id, delay, now) {
                Deleted::Yes => Answer::json(StatusCode::OK, &json!({ "is_success": true })),
                Deleted::NotFound => modelarts_not_found("Training job", &id),
            }
        }
        Route::TrainingVersion(method, id, vid) => {
            let (Ok(job_id), Ok(version_id)) = (id.parse::<u64>(), vid.parse::<u64>()) else {
                return modelarts_bad_id(&format!("{id}/versions/{vid}"));
            };
            if method == Method::DELETE {
                return match store.delete_version(job_id, version_id, delay, now) {
                    Deleted::Yes => Answer::json(StatusCode::OK, &json!({ "is_success": true })),
                    Deleted::NotFound => {
                        modelarts_not_found("Training job version", &format!("{id}/{vid}"))
                    }
                };
            }
            let found = store
                .training
                .get(&job_id)
                .and_then(|job| Some((job, job.versions.get(&version_id)?)));
            let Some((job, version)) = found else {
                return modelarts_not_found("Training job version", &format!("{id}/{vid}"));
            };
            let pre_version = job
                .versions
                .range(..version_id)
                .next_back()
                .map(|(v, _)| *v);
            Answer::json(
                StatusCode::OK,
                &json!({
                    "is_success": true,
                    "job_id": job_id,
                    "job_name": job.entry.name.clone().unwrap_or_else(|| format!("job-{job_id}")),
                    "job_desc": "",
                    "version_id": version_id,
                    "version_name": version.name.clone().unwrap_or_else(|| format!("V{version_id:04}")),
                    "pre_version_id": pre_version,
                    "status": shown_status(version, ma_default(), ma_deleting()),
                    "create_time": version.created_ms,
                    "duration": 0,
                }),
            )
        }
        Route::VisualizationJobs => {
            let per_page = param::<usize>(&params, "per_page")
                .unwrap_or(10)
                .clamp(1, 1000);
            let page_no = param::<usize>(&params, "page").unwrap_or(1).max(1);
            let jobs: Vec<Value> = store
                .visualization
                .iter()
                .map(|(id, e)| visualization_json(id, e))
                .collect();
            Answer::json(
                StatusCode::OK,
                &json!({
                    "quotas": 1000,
                    "is_success": true,
                    "job_total_count": jobs.len(),
                    "job_count_limit": 1000,
                    "jobs": page(&jobs, (page_no - 1) * per_page, per_page),
                }),
            )
        }
        Route::VisualizationJob(method, id) => {
            if method == Method::DELETE {
                return match store.delete_visualization(&id, delay, now) {
                    Deleted::Yes => Answer::json(StatusCode::OK, &json!({ "is_success": true })),
                    Deleted::NotFound => modelarts_not_found("Visualization job", &id),
                };
            }
            match store.visualization.get(&id) {
                // The detail page's example has no is_success: the fields are at the top.
                Some(e) => Answer::json(StatusCode::OK, &visualization_json(&id, e)),
                None => modelarts_not_found("Visualization job", &id),
            }
        }
        Route::FlinkJobs => {
            let limit = param::<usize>(&params, "limit").unwrap_or(10).min(100);
            let offset = param::<usize>(&params, "offset").unwrap_or(0);
            let ascending = params.iter().any(|(k, v)| k == "order" && v == "asc");
            let mut jobs: Vec<Value> = store
                .flink
                .iter()
                .map(|(id, e)| {
                    json!({
                        "job_id": id,
                        "name": e.name.clone().unwrap_or_else(|| format!("flink-job-{id}")),
                        "desc": "",
                        "user_name": "",
                        "job_type": "flink_sql_job",
                        "status": shown_status(e, Value::from(status::DLI_DEFAULT), Value::from(status::DLI_DELETING)),
                        "status_desc": "",
                        "create_time": e.created_ms,
                        "start_time": e.created_ms,
                        "duration": 0,
                        "root_id": -1,
                        "graph_editor_enabled": false,
                        "has_savepoint": false,
                    })
                })
                .collect();
            // Newest first by default (`order` defaults to `desc`).
            if !ascending {
                jobs.reverse();
            }
            Answer::json(
                StatusCode::OK,
                &json!({
                    "is_success": "true",
                    "message": "Jobs are successfully listed.",
                    "job_list": { "total_count": jobs.len(), "jobs": page(&jobs, offset, limit) },
                }),
            )
        }
        Route::FlinkJob(method, id) => {
            let Ok(job_id) = id.parse::<u64>() else {
                return dli_error(
                    "DLI.0001",
                    format!("Parameter check errors occur. Invalid job_id: {id}"),
                );
            };
            if method == Method::DELETE {
                return match store.delete_flink(job_id, delay, now) {
                    Deleted::Yes => Answer::json(
                        StatusCode::OK,
                        &json!({ "is_success": "true", "message": "The job is successfully deleted." }),
                    ),
                    Deleted::NotFound => dli_not_found(&id),
                };
            }
            let Some(e) = store.flink.get(&job_id) else {
                return dli_not_found(&id);
            };
            Answer::json(
                StatusCode::OK,
                &json!({
                    "is_success": "true",
                    "message": "Job detail query succeeds.",
                    "job_detail": {
                        "job_id": job_id,
                        "name": e.name.clone().unwrap_or_else(|| format!("flink-job-{job_id}")),
                        "desc": "",
                        "job_type": "flink_sql_job",
                        "status": shown_status(e, Value::from(status::DLI_DEFAULT), Value::from(status::DLI_DELETING)),
                        "status_desc": "",
                        "create_time": e.created_ms,
                        "start_time": e.created_ms,
                        "update_time": e.created_ms,
                        "queue_name": "emulator",
                        "project_id": project_id,
                        "run_mode": "shared_cluster",
                    },
                }),
            )
        }
        Route::Executions => {
            let limit = param::<usize>(&params, "limit").unwrap_or(usize::MAX);
            let marker = params
                .iter()
                .find(|(k, _)| k == "marker")
                .map(|(_, v)| v.clone());
            let all: Vec<(&String, &Entry)> = store.executions.iter().collect();
            let start = marker
                .and_then(|m| all.iter().position(|(id, _)| **id == m).map(|i| i + 1))
                .unwrap_or(0);
            let window: Vec<&(&String, &Entry)> = all.iter().skip(start).take(limit).collect();
            let next = (start + window.len() < all.len())
                .then(|| window.last().map(|(id, _)| (*id).clone()))
                .flatten();
            let shown: Vec<Value> = window
                .iter()
                .map(|(id, e)| execution_json(id, e, project_id))
                .collect();
            let prev = start
                .checked_sub(1)
                .and_then(|i| all.get(i))
                .map(|(id, _)| (*id).clone());
            Answer::json(
                StatusCode::OK,
                &json!({ "markers": { "prev": prev, "next": next }, "job_executions": shown }),
            )
        }
        Route::Execution(method, id) => {
            if method == Method::DELETE {
                return match store.delete_execution(&id, delay, now) {
                    Deleted::Yes => Answer::empty(StatusCode::NO_CONTENT),
                    Deleted::NotFound => mrs_not_found(),
                };
            }
            match store.executions.get(&id) {
                Some(e) => Answer::json(
                    StatusCode::OK,
                    &json!({ "job_execution": execution_json(&id, e, project_id) }),
                ),
                None => mrs_not_found(),
            }
        }
        // IAM is served elsewhere.
        Route::IamTokens | Route::IamProjects => Answer::empty(StatusCode::NOT_FOUND),
    }
}

fn visualization_json(id: &str, e: &Entry) -> Value {
    json!({
        "job_id": id_value(id),
        "job_name": e.name.clone().unwrap_or_else(|| format!("visualization-job-{id}")),
        "job_desc": "",
        "status": shown_status(
            e,
            Value::from(status::MODELARTS_VISUALIZATION_DEFAULT),
            Value::from(status::MODELARTS_DELETING),
        ),
        "create_time": e.created_ms,
        "duration": 0,
        "resource_id": "",
        "service_url": "",
        "train_url": "",
    })
}

fn execution_json(id: &str, e: &Entry, project_id: &str) -> Value {
    let created = crate::iam::iso_seconds(e.created_ms / 1000);
    json!({
        "created_at": created,
        "updated_at": created,
        "id": id,
        "tenant_id": project_id,
        "job_id": "",
        "start_time": created,
        "end_time": null,
        "cluster_id": "",
        "oozie_job_id": null,
        "return_code": null,
        "input_id": null,
        "output_id": null,
        "is_protected": false,
        "is_public": null,
        "engine_job_id": null,
        "job_configs": e.name.as_ref().map(|n| json!({ "configs": { "name": n } })),
        "data_source_urls": null,
        "info": { "status": shown_status(e, Value::from(status::MRS_DEFAULT), Value::from(status::MRS_DELETING)) },
    })
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
        assert_eq!(r(Method::GET, "/nope"), None);
    }

    #[test]
    fn query_parsing() {
        let p = query_params(Some("limit=2&name=a%20b&flag"));
        assert_eq!(param::<usize>(&p, "limit"), Some(2));
        assert_eq!(p[1], ("name".into(), "a b".into()));
        assert_eq!(p[2], ("flag".into(), String::new()));
    }
}
