//! DLI Flink jobs: `GET /v1.0/{project_id}/streaming/jobs[/{job_id}]`, `DELETE
//! .../streaming/jobs/{job_id}` and `POST .../streaming/jobs/delete`, as the pages document
//! them. DLI deletes synchronously.
//!
//! `is_success` is the string `"true"`/`"false"`: the list, detail and batch pages type it
//! String and all the examples send a string (the single delete page types it Boolean but
//! its example is a string too); the official Python SDK models it as `str`.

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::kinds::{Key, Simple};
use crate::listing::{Query, contains_ignore_case, status_matches, window};
use crate::store::{Deleted, Entry, Store, status};

fn error(code: &str, message: String) -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error_code": code, "error_msg": message }),
    )
}

/// DLI.0001 "Parameter check errors occur." (400).
pub(crate) fn invalid(detail: &str) -> Answer {
    error(
        "DLI.0001",
        format!("Parameter check errors occur. {detail}"),
    )
}

fn not_found_message(id: &str) -> String {
    format!("The object does not exist. There is no Flink job with ID {id}.")
}

/// DLI.0002 "The object does not exist." (400).
fn not_found(id: &str) -> Answer {
    error("DLI.0002", not_found_message(id))
}

const DELETED_MESSAGE: &str = "The job is successfully deleted.";

fn name(id: u64, e: &Entry) -> String {
    e.name(|| format!("flink-job-{id}"))
}

fn shown_status(e: &Entry) -> Value {
    e.status(Value::from(status::DLI_DEFAULT), Value::Null)
}

fn job_type(e: &Entry) -> &str {
    e.attrs.job_type.as_deref().unwrap_or("flink_sql_job")
}

fn queue(e: &Entry) -> &str {
    e.attrs.queue_name.as_deref().unwrap_or("default")
}

fn user(e: &Entry) -> &str {
    e.attrs.user_name.as_deref().unwrap_or("emulator")
}

/// A job as the list shows it without `show_detail`.
fn summary_json(id: u64, e: &Entry) -> Value {
    json!({
        "job_id": id,
        "name": name(id, e),
        "desc": "",
        "user_name": user(e),
        "job_type": job_type(e),
        "status": shown_status(e),
        "status_desc": "",
        "create_time": e.created_ms,
        "start_time": e.created_ms,
        "duration": 0,
        "root_id": -1,
        "graph_editor_enabled": false,
        "has_savepoint": false,
        "queue_name": queue(e),
    })
}

/// A job as the detail shows it (and the list with `show_detail=true`).
fn detail_json(id: u64, e: &Entry, project_id: &str) -> Value {
    let sql = job_type(e) == "flink_sql_job";
    json!({
        "job_id": id,
        "user_id": "0123456789abcdef0123456789abcdef",
        "queue_name": queue(e),
        "project_id": project_id,
        "name": name(id, e),
        "desc": "",
        "sql_body": if sql { "SELECT 1" } else { "" },
        "run_mode": "shared_cluster",
        "job_type": job_type(e),
        "job_config": {
            "checkpoint_enabled": false,
            "checkpoint_interval": 10,
            "checkpoint_mode": "exactly_once",
            "log_enabled": false,
            "obs_bucket": null,
            "root_id": -1,
            "edge_group_ids": null,
            "graph_editor_enabled": false,
            "graph_editor_data": "",
            "manager_cu_number": 1,
            "executor_number": null,
            "executor_cu_number": null,
            "cu_number": 2,
            "parallel_number": 1,
            "smn_topic": null,
            "restart_when_exception": false,
            "idle_state_retention": 3600,
            "config_url": null,
            "udf_jar_url": null,
            "dirty_data_strategy": null,
            "entrypoint": null,
            "dependency_jars": null,
            "dependency_files": null,
        },
        "main_class": null,
        "entrypoint_args": null,
        "execution_graph": null,
        "status": shown_status(e),
        "status_desc": "",
        "create_time": e.created_ms,
        "update_time": e.created_ms,
        "start_time": e.created_ms,
    })
}

/// Whether `e` has every `key=value` (or just `key`) of a `tags` filter.
fn has_tags(e: &Entry, wanted: &[&str]) -> bool {
    wanted.iter().all(|tag| match tag.split_once('=') {
        Some((k, v)) => e.attrs.tags.get(k).is_some_and(|have| have == v),
        None => e.attrs.tags.contains_key(*tag),
    })
}

/// `GET /v1.0/{project_id}/streaming/jobs`: filtered by `job_type`, `status`,
/// `queue_name`, `user_name` (exactly), `name` (part of the name, any case) and `tags`
/// (`k=v,k2=v2`: all of them), sorted by creation time then job id (`order`, default
/// `desc`), `offset` jobs skipped, at most `limit` ([0, 100], default 10) shown;
/// `total_count` counts every job that matched. Out of range values get 400 `DLI.0001`.
pub(crate) fn list(store: &Store, query: &Query, project_id: &str) -> Answer {
    let checked = || -> Result<_, String> {
        Ok((
            query.number("limit", 10usize, 0..=100)?,
            query.number("offset", 0usize, 0..=usize::MAX)?,
            query.choice("order", "desc", &["asc", "desc"])? == "desc",
            query.choice("show_detail", "false", &["true", "false"])? == "true",
            query.text("name", 57)?,
        ))
    };
    let (limit, offset, descending, show_detail, name_part) = match checked() {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let statuses = query.list("status");
    let tags = query.list("tags");
    let (wanted_type, wanted_queue, wanted_user) = (
        query.get("job_type"),
        query.get("queue_name"),
        query.get("user_name"),
    );
    let filtered = wanted_type.is_some()
        || wanted_queue.is_some()
        || wanted_user.is_some()
        || statuses.is_some()
        || name_part.is_some()
        || tags.is_some();
    let matches = |id: u64, e: &Entry| {
        wanted_type.is_none_or(|t| t == job_type(e))
            && wanted_queue.is_none_or(|q| q == queue(e))
            && wanted_user.is_none_or(|u| u == user(e))
            && statuses
                .as_deref()
                .is_none_or(|s| status_matches(&shown_status(e), s))
            && name_part.is_none_or(|n| contains_ignore_case(&name(id, e), n))
            && tags.as_deref().is_none_or(|t| has_tags(e, t))
    };
    let show = |id: u64, e: &Entry| {
        if show_detail {
            detail_json(id, e, project_id)
        } else {
            summary_json(id, e)
        }
    };
    // Sorted by creation time then id as the store keeps them; only the page's jobs are
    // rendered, and the others only counted (all of them when a filter applies).
    let (total, shown): (usize, Vec<Value>) = if filtered {
        let mut shown = Vec::new();
        let mut total = 0;
        let jobs = store.numbered(Simple::FlinkJob).by_creation(descending);
        for (id, e) in jobs.filter(|(id, e)| matches(*id, e)) {
            if total >= offset && shown.len() < limit {
                shown.push(show(id, e));
            }
            total += 1;
        }
        (total, shown)
    } else {
        let page = store
            .numbered(Simple::FlinkJob)
            .page(descending, offset, limit);
        let shown = page.map(|(id, e)| show(id, e));
        (store.count(Simple::FlinkJob), shown.collect())
    };
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": "true",
            "message": "Jobs are successfully listed.",
            "job_list": { "total_count": total, "jobs": shown },
        }),
    )
}

/// DLI deletes synchronously: the job is gone when the answer is sent.
fn delete_job(store: &mut Store, id: u64) -> Deleted {
    let now = std::time::Instant::now();
    store.delete_simple(Simple::FlinkJob, &Key::Number(id), Default::default(), now)
}

/// `GET` and `DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`.
pub(crate) fn job(store: &mut Store, delete: bool, id: &str, project_id: &str) -> Answer {
    let Ok(job_id) = id.parse::<u64>() else {
        return invalid(&format!("Invalid job_id: {id}"));
    };
    if delete {
        return match delete_job(store, job_id) {
            Deleted::Yes => Answer::json(
                StatusCode::OK,
                &json!({ "is_success": "true", "message": DELETED_MESSAGE }),
            ),
            Deleted::NotFound => not_found(id),
        };
    }
    match store.numbered(Simple::FlinkJob).get(job_id) {
        Some(e) => Answer::json(
            StatusCode::OK,
            &json!({
                "is_success": "true",
                "message": "Job detail query succeeds.",
                "job_detail": detail_json(job_id, e, project_id),
            }),
        ),
        None => not_found(id),
    }
}

#[derive(Deserialize)]
struct BatchDelete {
    job_ids: Vec<u64>,
}

/// `POST /v1.0/{project_id}/streaming/jobs/delete` with `{"job_ids": [...]}`: a top-level
/// array with one `{is_success, message}` per id, in request order; an id that does not
/// exist (or was deleted earlier in the same request) gets `"is_success": "false"` and the
/// not-found message. A body that is not that object, or an empty `job_ids`, gets 400
/// `DLI.0001` and deletes nothing.
pub(crate) fn batch_delete(store: &mut Store, body: &[u8]) -> Answer {
    let request = match serde_json::from_slice::<BatchDelete>(body) {
        Ok(r) if !r.job_ids.is_empty() => r,
        Ok(_) => return invalid("job_ids must not be empty."),
        Err(e) => {
            return invalid(&format!(
                "The request body must be {{\"job_ids\": [Long]}}: {e}"
            ));
        }
    };
    let results: Vec<Value> = request
        .job_ids
        .iter()
        .map(|id| match delete_job(store, *id) {
            Deleted::Yes => json!({ "is_success": "true", "message": DELETED_MESSAGE }),
            Deleted::NotFound => json!({
                "is_success": "false",
                "message": not_found_message(&id.to_string()),
            }),
        })
        .collect();
    Answer::json(StatusCode::OK, &Value::Array(results))
}

fn template_name(key: &Key, e: &Entry) -> String {
    e.name(|| Simple::FlinkTemplate.default_name(key))
}

fn template_json(key: &Key, e: &Entry) -> Value {
    let id = match key {
        Key::Number(n) => Value::from(*n),
        other => Value::from(other.text()),
    };
    json!({
        "template_id": id,
        "name": template_name(key, e),
        "desc": "",
        "create_time": e.created_ms,
        "update_time": e.created_ms,
        "sql_body": "select * from source_table",
        "job_type": job_type(e),
    })
}

/// `GET /v1.0/{project_id}/streaming/job-templates`: filtered by `name` (part of the name,
/// any case) and `tags` (`k=v,k2`: all of them), sorted by creation time then id
/// (`order`, default `desc`), `offset` templates skipped, at most `limit` shown (default
/// 10; the page states no maximum, so none is enforced). Out of range values get 400
/// `DLI.0001`.
pub(crate) fn list_templates(store: &Store, query: &Query) -> Answer {
    let checked = || -> Result<_, String> {
        Ok((
            query.number("limit", 10usize, 0..=usize::MAX)?,
            query.number("offset", 0usize, 0..=usize::MAX)?,
            query.choice("order", "desc", &["asc", "desc"])? == "desc",
        ))
    };
    let (limit, offset, descending) = match checked() {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let name_part = query.get("name");
    let tags = query.list("tags");
    let mut templates: Vec<(&Key, &Entry)> = store
        .table(Simple::FlinkTemplate)
        .filter(|(k, e)| {
            name_part.is_none_or(|n| contains_ignore_case(&template_name(k, e), n))
                && tags.as_deref().is_none_or(|t| has_tags(e, t))
        })
        .collect();
    templates.sort_unstable_by(|a, b| {
        let by = a.1.created_ms.cmp(&b.1.created_ms).then(a.0.cmp(b.0));
        if descending { by.reverse() } else { by }
    });
    let shown: Vec<Value> = window(&templates, offset, limit)
        .iter()
        .map(|(k, e)| template_json(k, e))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": "true",
            "message": "The template list is successfully obtained.",
            "template_list": { "total_count": templates.len(), "templates": shown },
        }),
    )
}

/// `DELETE /v1.0/{project_id}/streaming/job-templates/{template_id}`: 200 with the deleted
/// template's id; a template that does not exist is 400 `DLI.0002`, an id that is not a
/// number 400 `DLI.0001`.
pub(crate) fn delete_template(store: &mut Store, id: &str) -> Answer {
    let Ok(template_id) = id.parse::<u64>() else {
        return invalid(&format!("Invalid template_id: {id}"));
    };
    let key = Key::Number(template_id);
    match store.delete_simple(
        Simple::FlinkTemplate,
        &key,
        std::time::Duration::ZERO,
        std::time::Instant::now(),
    ) {
        Deleted::Yes => Answer::json(
            StatusCode::OK,
            &json!({
                "is_success": "true",
                "message": "The template is successfully deleted.",
                "template": { "template_id": template_id },
            }),
        ),
        Deleted::NotFound => error(
            "DLI.0002",
            format!("The object does not exist. There is no template with ID {id}."),
        ),
    }
}
