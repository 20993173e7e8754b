//! MRS job execution objects (v1.1, the API the pages mark "not recommended"): `GET
//! /v1.1/{project_id}/job-executions[/{job_execution_id}]` and the deletion, as the pages
//! document them. MRS deletes synchronously.

use std::cmp::Ordering;

use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::kinds::{Key, Simple};
use crate::listing::Query;
use crate::store::{Deleted, Entry, Store, status};

/// The largest `limit` the page allows.
const MAX_LIMIT: usize = 1_073_741_822;

/// The fields `sort_by` takes (with an optional leading `-` for descending).
const SORT_FIELDS: [&str; 6] = [
    "id",
    "created_at",
    "updated_at",
    "start_time",
    "cluster_id",
    "job_id",
];

fn not_found() -> Answer {
    // MRS 0176 "The job does not exist.", status 500.
    Answer::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({ "error_code": "0176", "error_msg": "The job does not exist." }),
    )
}

/// 400 `12000002` "The parameter is invalid." (the MRS error-code page).
fn invalid(detail: &str) -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error_code": "12000002", "error_msg": format!("The parameter is invalid. {detail}") }),
    )
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
        "cluster_id": e.attrs.cluster_id.as_deref().unwrap_or(""),
        "oozie_job_id": null,
        "return_code": null,
        "input_id": null,
        "output_id": null,
        "is_protected": false,
        "is_public": null,
        "engine_job_id": null,
        "job_configs": e.attrs.name.as_ref().map(|n| json!({ "configs": { "name": n } })),
        "data_source_urls": null,
        "info": { "status": e.status(Value::from(status::MRS_DEFAULT), Value::Null) },
    })
}

/// One page of a v1.1 list (the Sahara-compatible lists share it): `items` sorted by
/// `sort_by` (default `-created_at`, newest first; ties by id in the same direction; the
/// fields `fields` name), the items after `marker` (the id of the last item not to
/// return), at most `limit` ([1, 1073741822]; all when absent). `markers.next` is the id
/// of the last item returned when more follow (else null); `markers.prev` the marker of
/// the previous page (null for the first two pages, as OpenStack Sahara, the API's
/// origin, answers). A `marker` that is no item's id, a `limit` out of range or an
/// unknown `sort_by` field get 400 `12000002`.
/// Items of a list by id, in the order they are to be shown.
type Items<'a> = Vec<(String, &'a Entry)>;

/// An item as its list shows it.
type Show = fn(&Key, &Entry, &str) -> Value;

fn marker_page<'a>(
    query: &Query,
    mut all: Items<'a>,
    fields: &[&str],
) -> Result<(Items<'a>, Value), Answer> {
    let limit = match query.get("limit") {
        None => None,
        Some(_) => Some(
            query
                .number("limit", 1, 1..=MAX_LIMIT)
                .map_err(|e| invalid(&e))?,
        ),
    };
    let sort = query.get("sort_by").unwrap_or("-created_at");
    let (descending, field) = match sort.strip_prefix('-') {
        Some(f) => (true, f),
        None => (false, sort),
    };
    if !fields.contains(&field) {
        return Err(invalid(&format!(
            "sort_by must be one of {} (with an optional leading -), not {sort:?}",
            fields.join(", ")
        )));
    }
    all.sort_unstable_by(|a, b| {
        let by = match field {
            "cluster_id" => a.1.attrs.cluster_id.cmp(&b.1.attrs.cluster_id),
            "name" => a.1.attrs.name.cmp(&b.1.attrs.name),
            "id" | "job_id" => Ordering::Equal,
            // created_at, updated_at and start_time are all the creation time here.
            _ => a.1.created_ms.cmp(&b.1.created_ms),
        };
        let by = by.then(a.0.cmp(&b.0));
        if descending { by.reverse() } else { by }
    });
    // The position of the marker: the page starts after it.
    let marker_at = match query.get("marker") {
        None => None,
        Some(m) => match all.iter().position(|(id, _)| id.as_str() == m) {
            Some(i) => Some(i),
            None => return Err(invalid(&format!("marker {m:?} is not an id of the list."))),
        },
    };
    let start = marker_at.map_or(0, |i| i + 1);
    let end = limit.map_or(all.len(), |l| start.saturating_add(l).min(all.len()));
    let next = (end < all.len() && end > start).then(|| all[end - 1].0.clone());
    let prev = match (marker_at, limit) {
        (Some(at), Some(l)) if at >= l => Some(all[at - l].0.clone()),
        _ => None,
    };
    let page = all.drain(start..end).collect();
    Ok((page, json!({ "prev": prev, "next": next })))
}

/// `GET /v1.1/{project_id}/job-executions`: see [`marker_page`]; `sort_by` takes `id`,
/// `created_at`, `updated_at`, `start_time`, `cluster_id` and `job_id`.
pub(crate) fn list(store: &Store, query: &Query, project_id: &str) -> Answer {
    let all: Vec<(String, &Entry)> = store
        .table(Simple::JobExecutionV1)
        .map(|(k, e)| (k.text(), e))
        .collect();
    match marker_page(query, all, &SORT_FIELDS) {
        Ok((page, markers)) => {
            let shown: Vec<Value> = page
                .iter()
                .map(|(id, e)| execution_json(id, e, project_id))
                .collect();
            Answer::json(
                StatusCode::OK,
                &json!({ "markers": markers, "job_executions": shown }),
            )
        }
        Err(answer) => answer,
    }
}

/// `GET` and `DELETE /v1.1/{project_id}/job-executions/{job_execution_id}`.
pub(crate) fn execution(store: &mut Store, delete: bool, id: &str, project_id: &str) -> Answer {
    let key = Key::Text(id.to_owned());
    if delete {
        // MRS deletes synchronously.
        let now = std::time::Instant::now();
        return match store.delete_simple(Simple::JobExecutionV1, &key, Default::default(), now) {
            Deleted::Yes => Answer::empty(StatusCode::NO_CONTENT),
            Deleted::NotFound => not_found(),
        };
    }
    match store.get(Simple::JobExecutionV1, &key) {
        Some(e) => Answer::json(
            StatusCode::OK,
            &json!({ "job_execution": execution_json(id, e, project_id) }),
        ),
        None => not_found(),
    }
}

// --- Job objects and job binaries (v1.1) ------------------------------------------------------

/// The fields the job object and job binary lists sort by.
const OBJECT_SORT_FIELDS: [&str; 4] = ["id", "name", "created_at", "updated_at"];

fn job_object_json(key: &Key, e: &Entry, project_id: &str) -> Value {
    let created = crate::iam::iso_seconds(e.created_ms / 1000);
    json!({
        "name": e.name(|| Simple::JobV1.default_name(key)),
        "type": e.attrs.job_type.as_deref().unwrap_or("MapReduce"),
        "description": "",
        "mains": [],
        "libs": [],
        "created_at": created,
        "updated_at": created,
        "id": key.text(),
        "tenant_id": project_id,
        "is_public": false,
        "is_protected": false,
        "interface": [],
    })
}

fn job_binary_json(key: &Key, e: &Entry, project_id: &str) -> Value {
    let created = crate::iam::iso_seconds(e.created_ms / 1000);
    let name = e.name(|| Simple::JobBinaryV1.default_name(key));
    json!({
        "name": name,
        "url": format!("/simple/mapreduce/{name}"),
        "description": "",
        "created_at": created,
        "updated_at": created,
        "id": key.text(),
        "tenant_id": project_id,
        "is_public": false,
        "is_protected": false,
    })
}

/// `GET /v1.1/{project_id}/jobs` and `GET /v1.1/{project_id}/job-binaries`: see
/// [`marker_page`]; `sort_by` takes `id`, `name`, `created_at` and `updated_at`.
pub(crate) fn list_objects(store: &Store, kind: Simple, query: &Query, project_id: &str) -> Answer {
    let all: Vec<(String, &Entry)> = store.table(kind).map(|(k, e)| (k.text(), e)).collect();
    let (member, show): (&str, Show) = match kind {
        Simple::JobBinaryV1 => ("binaries", job_binary_json),
        _ => ("jobs", job_object_json),
    };
    match marker_page(query, all, &OBJECT_SORT_FIELDS) {
        Ok((page, markers)) => {
            let shown: Vec<Value> = page
                .iter()
                .map(|(id, e)| show(&Key::Text(id.clone()), e, project_id))
                .collect();
            Answer::json(
                StatusCode::OK,
                &json!({ "markers": markers, member: shown }),
            )
        }
        Err(answer) => answer,
    }
}

/// `GET` and `DELETE /v1.1/{project_id}/jobs/{job_id}` and
/// `/v1.1/{project_id}/job-binaries/{job_binary_id}`: the detail wraps the object in `job`
/// or `job_binary` (the pages' examples); deleting answers 204 without a body. An id that
/// is none is MRS's 500 `0176` "The job does not exist.", as for job executions (the
/// error-code page has no code of its own for job objects or binaries).
pub(crate) fn object(
    store: &mut Store,
    kind: Simple,
    delete: bool,
    id: &str,
    project_id: &str,
) -> Answer {
    let key = Key::Text(id.to_owned());
    if delete {
        return match store.delete_simple(
            kind,
            &key,
            std::time::Duration::ZERO,
            std::time::Instant::now(),
        ) {
            Deleted::Yes => Answer::empty(StatusCode::NO_CONTENT),
            Deleted::NotFound => not_found(),
        };
    }
    let Some(e) = store.get(kind, &key) else {
        return not_found();
    };
    let body = match kind {
        Simple::JobBinaryV1 => json!({ "job_binary": job_binary_json(&key, e, project_id) }),
        _ => json!({ "job": job_object_json(&key, e, project_id) }),
    };
    Answer::json(StatusCode::OK, &body)
}
