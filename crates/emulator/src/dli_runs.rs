//! DLI SQL jobs and Spark batch jobs: runs that cannot be deleted, only cancelled.
//!
//! - SQL jobs: `GET /v1.0/{project_id}/jobs` (`page-size` and `current-page` each in
//!   [1, 100], as the page states: beyond, 400 `DLI.0001`; filters `start`/`end` on the
//!   start time in ms, `job-type`, `job-status`, `job-id`, `queue_name`, `sql_pattern`,
//!   `owner`, `engine_type`, `tags`; `order`, default `start_time_desc`),
//!   `GET /v1.0/{project_id}/jobs/{job_id}/status`, `DELETE /v1.0/{project_id}/jobs/{job_id}`.
//! - Spark batches: `GET /v2.0/{project_id}/batches` (`from`, `size`; `job_name`, `job-id`,
//!   `cluster_name`, `queue_name`, `state`, `owner`), `GET …/batches/{batch_id}/state`,
//!   `DELETE …/batches/{batch_id}` (`{"msg": "deleted"}`).
//!
//! A cancelled run stays listed (SQL `CANCELLED`, Spark `dead`). Cancelling a run that is
//! over (any status but the unfinished ones) is 400 `DLI.0007` ("the operation is not
//! supported", DLI's error-code table: the pages say only that such a run "cannot be
//! canceled"); a run that does not exist is 400 `DLI.0002`.

use std::cmp::Ordering;

use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::dli::invalid;
use crate::kinds::{Key, Simple};
use crate::listing::{Query, contains_ignore_case, window};
use crate::store::{Entry, Store};

/// The SQL job statuses of a run that is not over (the pages' status tables).
pub(crate) const SQL_UNFINISHED: [&str; 3] = ["RUNNING", "SCALING", "LAUNCHING"];

/// The Spark batch states of a run that is not over.
pub(crate) const SPARK_UNFINISHED: [&str; 3] = ["starting", "running", "recovering"];

/// `page-size` and `current-page`: "[1, 100]" each on the page.
const SQL_MAX_PAGE: i64 = 100;

/// `size` of the batch list when absent (the page states none; Livy's default, whose
/// batch API DLI's follows).
const SPARK_DEFAULT_SIZE: usize = 20;

fn error(code: &str, message: String) -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error_code": code, "error_msg": message }),
    )
}

fn no_run(what: &str, id: &str) -> Answer {
    error(
        "DLI.0002",
        format!("The object does not exist. There is no {what} with ID {id}."),
    )
}

fn over(what: &str, id: &str, status: &str) -> Answer {
    error(
        "DLI.0007",
        format!(
            "The operation is not supported. The {what} {id} is {status} and cannot be canceled."
        ),
    )
}

/// The status shown: the seeded one, or the kind's default (a run that is running).
pub(crate) fn status_of(kind: Simple, e: &Entry) -> String {
    match &e.attrs.status {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => kind
            .default_status()
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn unfinished(kind: Simple) -> &'static [&'static str] {
    match kind {
        Simple::SparkJob => &SPARK_UNFINISHED,
        _ => &SQL_UNFINISHED,
    }
}

/// Whether the run is not over (Spark's states compared in any case: the status page
/// writes `Success`).
pub(crate) fn is_unfinished(kind: Simple, e: &Entry) -> bool {
    let status = status_of(kind, e);
    unfinished(kind)
        .iter()
        .any(|s| s.eq_ignore_ascii_case(&status))
}

fn queue(e: &Entry) -> &str {
    e.attrs.queue_name.as_deref().unwrap_or("default")
}

fn statement(key: &Key, e: &Entry) -> String {
    e.name(|| Simple::SqlJob.default_name(key))
}

/// A run's duration: 0 while it runs.
fn sql_duration(e: &Entry) -> u64 {
    if is_unfinished(Simple::SqlJob, e) {
        0
    } else {
        17_731
    }
}

fn sql_json(key: &Key, e: &Entry) -> Value {
    let status = status_of(Simple::SqlJob, e);
    let running = is_unfinished(Simple::SqlJob, e);
    let duration = sql_duration(e);
    let mut job = json!({
        "job_id": key.text(),
        "job_type": e.attrs.job_type.as_deref().unwrap_or("QUERY"),
        "queue_name": queue(e),
        "owner": e.attrs.user_name.as_deref().unwrap_or("emulator"),
        "start_time": e.created_ms,
        "duration": duration,
        "status": status,
        "input_size": 0,
        "result_count": if status == "FINISHED" { 3 } else { 0 },
        "detail": "{\"type\":\"struct\",\"fields\":[]}",
        "statement": statement(key, e),
        "message": "",
        "with_column_header": false,
        "engine_type": "spark",
    });
    if !running && let Some(map) = job.as_object_mut() {
        map.insert("end_time".into(), Value::from(e.created_ms + duration));
    }
    job
}

/// `GET /v1.0/{project_id}/jobs`.
pub(crate) fn list_sql(store: &Store, query: &Query) -> Answer {
    let checked = || -> Result<_, String> {
        Ok((
            query.number("page-size", 50i64, 1..=SQL_MAX_PAGE)?,
            query.number("current-page", 1i64, 1..=SQL_MAX_PAGE)?,
            query.number("start", i64::MIN, i64::MIN..=i64::MAX)?,
            query.number("end", i64::MAX, i64::MIN..=i64::MAX)?,
            query.choice(
                "order",
                "start_time_desc",
                &[
                    "duration_desc",
                    "duration_asc",
                    "start_time_desc",
                    "start_time_asc",
                ],
            )?,
        ))
    };
    let (size, page, start, end, order) = match checked() {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let job_type = query.get("job-type").filter(|t| *t != "ALL");
    let job_types = query.list("job_types");
    let status = query.get("job-status");
    let job_id = query.get("job-id");
    let queue_name = query.get("queue_name");
    let pattern = query.get("sql_pattern");
    let owner = query.get("owner");
    let tags = query.list("tags");
    let job_type_of = |e: &Entry| e.attrs.job_type.as_deref().unwrap_or("QUERY").to_owned();
    let owner_of = |e: &Entry| {
        e.attrs
            .user_name
            .as_deref()
            .unwrap_or("emulator")
            .to_owned()
    };
    // Filtered on the records; the answer's JSON is made for the page shown only.
    let mut jobs: Vec<(&Key, &Entry)> = store
        .table(Simple::SqlJob)
        .filter(|(k, e)| {
            let ms = i64::try_from(e.created_ms).unwrap_or(i64::MAX);
            ms >= start
                && ms <= end
                && job_type.is_none_or(|t| job_type_of(e) == t)
                && job_types
                    .as_deref()
                    .is_none_or(|ts| ts.contains(&job_type_of(e).as_str()))
                && status.is_none_or(|s| status_of(Simple::SqlJob, e) == s)
                && job_id.is_none_or(|id| k.text() == id)
                && queue_name.is_none_or(|q| queue(e) == q)
                && pattern.is_none_or(|p| contains_ignore_case(&statement(k, e), p))
                && owner.is_none_or(|o| owner_of(e) == o)
                && tags.as_deref().is_none_or(|t| {
                    t.iter().all(|tag| {
                        let (key, value) = tag.split_once('=').unwrap_or((tag, ""));
                        e.attrs
                            .tags
                            .get(key)
                            .is_some_and(|v| value.is_empty() || v == value)
                    })
                })
        })
        .collect();
    let duration = |e: &Entry| sql_duration(e);
    let by_start = |a: &(&Key, &Entry), b: &(&Key, &Entry)| {
        a.1.created_ms.cmp(&b.1.created_ms).then(a.0.cmp(b.0))
    };
    let by_duration = |a: &(&Key, &Entry), b: &(&Key, &Entry)| {
        duration(a.1).cmp(&duration(b.1)).then(a.0.cmp(b.0))
    };
    jobs.sort_unstable_by(|a, b| -> Ordering {
        match order {
            "duration_desc" => by_duration(b, a),
            "duration_asc" => by_duration(a, b),
            "start_time_asc" => by_start(a, b),
            _ => by_start(b, a),
        }
    });
    let size = usize::try_from(size).unwrap_or(1);
    let offset = usize::try_from(page - 1).unwrap_or(0) * size;
    let shown: Vec<Value> = window(&jobs, offset, size)
        .iter()
        .map(|(k, e)| sql_json(k, e))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({ "is_success": true, "message": "", "job_count": jobs.len(), "jobs": shown }),
    )
}

/// `GET /v1.0/{project_id}/jobs/{job_id}/status`.
pub(crate) fn sql_status(store: &Store, id: &str) -> Answer {
    let key = Key::Text(id.to_owned());
    let Some(e) = store.get(Simple::SqlJob, &key) else {
        return no_run("job", id);
    };
    let mut body = sql_json(&key, e);
    if let Some(map) = body.as_object_mut() {
        map.insert("is_success".into(), Value::Bool(true));
        map.insert("job_mode".into(), Value::from("async"));
    }
    Answer::json(StatusCode::OK, &body)
}

/// Cancels a run: it becomes `cancelled` (still listed); a run that is over is refused.
fn cancel(
    store: &mut Store,
    kind: Simple,
    what: &str,
    id: &str,
    cancelled: &str,
) -> Result<(), Answer> {
    let key = Key::Text(id.to_owned());
    let Some(e) = store.get_mut(kind, &key) else {
        return Err(no_run(what, id));
    };
    if !is_unfinished(kind, e) {
        return Err(over(what, id, &status_of(kind, e)));
    }
    e.attrs.status = Some(Value::from(cancelled));
    Ok(())
}

/// `DELETE /v1.0/{project_id}/jobs/{job_id}`.
pub(crate) fn cancel_sql(store: &mut Store, id: &str) -> Answer {
    match cancel(store, Simple::SqlJob, "job", id, "CANCELLED") {
        Ok(()) => Answer::json(
            StatusCode::OK,
            &json!({ "is_success": true, "message": "" }),
        ),
        Err(answer) => answer,
    }
}

fn batch_name(key: &Key, e: &Entry) -> String {
    e.name(|| Simple::SparkJob.default_name(key))
}

fn spark_json(key: &Key, e: &Entry) -> Value {
    let state = status_of(Simple::SparkJob, e);
    let running = is_unfinished(Simple::SparkJob, e);
    json!({
        "id": key.text(),
        "state": state,
        "appId": if running { Value::from(format!("application_{}_0001", e.created_ms)) } else { Value::Null },
        "log": ["stdout: ", "stderr: ", "YARN Diagnostics: "],
        "sc_type": "A",
        "cluster_name": queue(e),
        "queue": queue(e),
        "create_time": e.created_ms,
        "update_time": e.created_ms,
        "name": batch_name(key, e),
        "owner": e.attrs.user_name.as_deref().unwrap_or("emulator"),
        "proxyUser": "",
        "kind": "",
        "duration": if running { 0 } else { 60_000 },
    })
}

/// `GET /v2.0/{project_id}/batches`: newest first, `from` skipped, at most `size`.
pub(crate) fn list_spark(store: &Store, query: &Query) -> Answer {
    let checked = || -> Result<_, String> {
        Ok((
            query.number("from", 0usize, 0..=usize::MAX)?,
            query.number("size", SPARK_DEFAULT_SIZE, 0..=usize::MAX)?,
        ))
    };
    let (from, size) = match checked() {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let name = query.get("job_name");
    let job_id = query.get("job-id");
    let queue_name = query.get("queue_name").or(query.get("cluster_name"));
    let state = query.get("state");
    let owner = query.get("owner");
    let mut batches: Vec<(&Key, &Entry)> = store
        .table(Simple::SparkJob)
        .filter(|(k, e)| {
            name.is_none_or(|n| contains_ignore_case(&batch_name(k, e), n))
                && job_id.is_none_or(|id| k.text() == id)
                && queue_name.is_none_or(|q| queue(e) == q)
                && state.is_none_or(|s| status_of(Simple::SparkJob, e).eq_ignore_ascii_case(s))
                && owner.is_none_or(|o| e.attrs.user_name.as_deref().unwrap_or("emulator") == o)
        })
        .collect();
    batches.sort_unstable_by(|a, b| b.1.created_ms.cmp(&a.1.created_ms).then(a.0.cmp(b.0)));
    let shown: Vec<Value> = window(&batches, from, size)
        .iter()
        .map(|(k, e)| spark_json(k, e))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({ "from": from, "total": batches.len(), "sessions": shown }),
    )
}

/// `GET /v2.0/{project_id}/batches/{batch_id}/state`.
pub(crate) fn spark_state(store: &Store, id: &str) -> Answer {
    let key = Key::Text(id.to_owned());
    match store.get(Simple::SparkJob, &key) {
        Some(e) => Answer::json(
            StatusCode::OK,
            &json!({ "id": id, "state": status_of(Simple::SparkJob, e) }),
        ),
        None => no_run("batch processing job", id),
    }
}

/// `DELETE /v2.0/{project_id}/batches/{batch_id}`.
pub(crate) fn cancel_spark(store: &mut Store, id: &str) -> Answer {
    match cancel(store, Simple::SparkJob, "batch processing job", id, "dead") {
        Ok(()) => Answer::json(StatusCode::OK, &json!({ "msg": "deleted" })),
        Err(answer) => answer,
    }
}
