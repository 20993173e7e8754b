//! ModelArts (old-version training management): `GET /v1/{project_id}/training-jobs`,
//! `.../training-jobs/{job_id}/versions[/{version_id}]`, `GET /v1/{project_id}/visualization-jobs[/{job_id}]`,
//! and the three deletions, answered as the pages document them.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::kinds::{Key, Simple};
use crate::listing::{Query, contains_ignore_case, status_matches, window};
use crate::store::{Deleted, Entry, Store};

/// The `quotas` shown: the most jobs of a kind (at least this, or as many as were seeded).
const QUOTA: usize = 1000;

pub(crate) fn error(status: StatusCode, code: &str, message: String) -> Answer {
    Answer::json(
        status,
        &json!({ "is_success": false, "error_code": code, "error_message": message }),
    )
}

pub(crate) fn not_found(what: &str, id: &str) -> Answer {
    // ModelArts.2775 TrainingJobNotFound, "Training job (ID: %s) not found.", status 400.
    error(
        StatusCode::BAD_REQUEST,
        "ModelArts.2775",
        format!("{what} (ID: {id}) not found."),
    )
}

/// ModelArts.0101 "Invalid Argument." (400), for query parameters and for job ids that are
/// not numbers: the pages type every ModelArts job id Long (the visualization path tables
/// say String, but the list and detail answers say Long), so such an id names no job. The
/// error-code page has no code for a bad visualization job id; 0101 is its code for an
/// invalid parameter, in the delete pages' `is_success`/`error_code`/`error_message` body.
pub(crate) fn invalid(detail: &str) -> Answer {
    error(
        StatusCode::BAD_REQUEST,
        "ModelArts.0101",
        format!("Invalid Argument. {detail}"),
    )
}

fn deleted(result: Deleted, what: &str, id: &str) -> Answer {
    match result {
        Deleted::Yes => Answer::json(StatusCode::OK, &json!({ "is_success": true })),
        Deleted::NotFound => not_found(what, id),
    }
}

const TRAINING: Simple = Simple::TrainingJobV1;
const VERSION: Simple = Simple::TrainingJobVersionV1;
const VISUALIZATION: Simple = Simple::VisualizationJobV1;

/// The status a job of `kind` shows: its deleting status while a deletion runs.
fn shown_status(kind: Simple, e: &Entry) -> Value {
    e.status(
        kind.default_status(),
        kind.deleting_status().unwrap_or(Value::Null),
    )
}

fn workspace(e: &Entry) -> &str {
    e.attrs.workspace_id.as_deref().unwrap_or("0")
}

fn shown_name(kind: Simple, key: &Key, e: &Entry) -> String {
    e.name(|| kind.default_name(key))
}

/// A training job's version ids, oldest first.
fn version_ids(store: &Store, job_id: u64) -> Vec<u64> {
    store
        .children(TRAINING, &Key::Number(job_id))
        .filter_map(|(k, _)| match k {
            Key::Pair(_, v) => Some(*v),
            Key::Number(_) | Key::Text(_) => None,
        })
        .collect()
}

/// The list parameters both ModelArts lists take (`sortBy` differs).
struct ListParams<'q> {
    statuses: Option<Vec<&'q str>>,
    per_page: usize,
    page: usize,
    sort_by: &'static str,
    descending: bool,
    search: Option<&'q str>,
    workspace: &'q str,
}

impl<'q> ListParams<'q> {
    fn parse(
        query: &'q Query,
        sort_default: &'static str,
        sort_fields: &[&'static str],
    ) -> Result<ListParams<'q>, Answer> {
        let checked = || -> Result<ListParams<'q>, String> {
            Ok(ListParams {
                statuses: query.list("status"),
                per_page: query.number("per_page", 10, 1..=1000)?,
                page: query.number("page", 1, 1..=65535)?,
                sort_by: query.choice("sortBy", sort_default, sort_fields)?,
                descending: query.choice("order", "asc", &["asc", "desc"])? == "desc",
                search: query.text("search_content", 64)?,
                workspace: query.get("workspace_id").unwrap_or("0"),
            })
        };
        checked().map_err(|e| invalid(&e))
    }

    fn keeps(&self, name: &str, status: &Value, workspace: &str) -> bool {
        workspace == self.workspace
            && self
                .statuses
                .as_deref()
                .is_none_or(|s| status_matches(status, s))
            && self.search.is_none_or(|s| contains_ignore_case(name, s))
    }

    fn order(&self, ordering: Ordering) -> Ordering {
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// A status as a sort key (numbers first, by value).
fn status_key(v: &Value) -> (Option<i64>, String) {
    (v.as_i64(), v.as_str().unwrap_or_default().to_owned())
}

/// The answer both lists give: totals, quotas and one page of jobs.
fn list_answer(total_seeded: usize, matching: usize, jobs: Vec<Value>) -> Answer {
    let quotas = QUOTA.max(total_seeded);
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": true,
            "quotas": quotas,
            // The jobs the query matched: what a client pages through.
            "job_total_count": matching,
            "job_count_limit": quotas - total_seeded,
            "jobs": jobs,
        }),
    )
}

/// `GET /v1/{project_id}/training-jobs`: filtered by `status`, `search_content` (part of the
/// name, any case) and `workspace_id` (default `"0"`), sorted by `sortBy` (default
/// `job_name`) then job id, in `order`, paged by `per_page` ([1, 1000]) and `page`
/// ([1, 65535]); values out of range get 400 `ModelArts.0101`.
pub(crate) fn list_training_jobs(store: &Store, query: &Query) -> Answer {
    let params = match ListParams::parse(
        query,
        "job_name",
        &[
            "job_name",
            "job_desc",
            "status",
            "duration",
            "version_count",
            "create_time",
        ],
    ) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let mut jobs: Vec<(u64, &Entry, String, Value, Vec<u64>)> = store
        .numbered(TRAINING)
        .by_creation(false)
        .map(|(id, e)| {
            let name = shown_name(TRAINING, &Key::Number(id), e);
            (
                id,
                e,
                name,
                shown_status(TRAINING, e),
                version_ids(store, id),
            )
        })
        .filter(|(_, e, name, status, _)| params.keeps(name, status, workspace(e)))
        .collect();
    jobs.sort_unstable_by(|a, b| {
        let by = match params.sort_by {
            "job_name" => a.2.cmp(&b.2),
            "status" => status_key(&a.3).cmp(&status_key(&b.3)),
            "version_count" => a.4.len().cmp(&b.4.len()),
            "create_time" => a.1.created_ms.cmp(&b.1.created_ms),
            // job_desc and duration are the same for every emulated job.
            _ => Ordering::Equal,
        };
        params.order(by.then(a.0.cmp(&b.0)))
    });
    let offset = (params.page - 1).saturating_mul(params.per_page);
    let shown = window(&jobs, offset, params.per_page)
        .iter()
        .map(|(id, e, name, status, versions)| {
            json!({
                "job_id": id,
                "job_name": name,
                "version_id": versions.last(),
                "status": status,
                "create_time": e.created_ms,
                "duration": 0,
                "job_desc": "",
                "version_count": versions.len(),
            })
        })
        .collect();
    list_answer(store.count(TRAINING), jobs.len(), shown)
}

pub(crate) fn delete_training_job(
    store: &mut Store,
    id: &str,
    delay: Duration,
    now: Instant,
) -> Answer {
    let Ok(job_id) = id.parse::<u64>() else {
        return invalid(&format!("job_id: {id}"));
    };
    deleted(
        store.delete_simple(TRAINING, &Key::Number(job_id), delay, now),
        "Training job",
        id,
    )
}

/// One version as the versions list and the version detail show it.
fn version_json(job_id: u64, version_id: u64, pre_version: Option<u64>, v: &Entry) -> Value {
    json!({
        "version_id": version_id,
        "version_name": shown_name(VERSION, &Key::Pair(job_id, version_id), v),
        "pre_version_id": pre_version,
        "engine_type": 1,
        "engine_name": "TensorFlow",
        "engine_id": 1,
        "engine_version": "TF-1.8.0-python3.6",
        "status": shown_status(VERSION, v),
        "app_url": format!("/emulator/job-{job_id}/code/"),
        "boot_file_url": format!("/emulator/job-{job_id}/code/train.py"),
        "create_time": v.created_ms,
        "parameter": [],
        "duration": 0,
        "spec_id": 1,
        // Typed String on the pages (their examples show numbers).
        "core": "2",
        "cpu": "8",
        "gpu": false,
        "gpu_num": 0,
        "gpu_type": "",
        "worker_server_num": 1,
        "data_url": format!("/emulator/job-{job_id}/data/"),
        "train_url": format!("/emulator/job-{job_id}/output/V{version_id:04}/"),
        "log_url": "",
        "dataset_version_id": "",
        "dataset_id": "",
        "data_source": [],
        "model_id": 1,
        "model_metric_list": "",
        "system_metric_list": "",
        "user_image_url": "",
        "user_command": "",
        "resource_id": "",
        "dataset_name": "",
        "start_time": v.created_ms,
        "volumes": [],
        "dataset_version_name": "",
        "pool_name": "",
        "pool_id": "",
        "nas_mount_path": "",
        "nas_share_addr": "",
        "nas_type": "nfs",
    })
}

fn previous_version(versions: &[u64], version_id: u64) -> Option<u64> {
    versions.iter().copied().filter(|v| *v < version_id).max()
}

/// `GET /v1/{project_id}/training-jobs/{job_id}/versions`: newest version first; `page` 0
/// (the default) returns every version, `page` >= 1 pages by `per_page` ([1, 1000]).
pub(crate) fn list_versions(store: &Store, id: &str, query: &Query) -> Answer {
    let Ok(job_id) = id.parse::<u64>() else {
        return invalid(&format!("job_id: {id}"));
    };
    let paging = query
        .number("per_page", 10, 1..=1000)
        .and_then(|per_page| Ok((per_page, query.number("page", 0usize, 0..=65535)?)));
    let (per_page, page) = match paging {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let key = Key::Number(job_id);
    let Some(job) = store.get(TRAINING, &key) else {
        return not_found("Training job", id);
    };
    let ids = version_ids(store, job_id);
    let newest_first: Vec<(&Key, &Entry)> = store.children(TRAINING, &key).rev().collect();
    let (offset, limit) = match page {
        0 => (0, usize::MAX),
        n => ((n - 1).saturating_mul(per_page), per_page),
    };
    let versions: Vec<Value> = window(&newest_first, offset, limit)
        .iter()
        .filter_map(|(k, v)| match k {
            Key::Pair(_, vid) => Some(version_json(job_id, *vid, previous_version(&ids, *vid), v)),
            Key::Number(_) | Key::Text(_) => None,
        })
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": true,
            "job_id": job_id,
            "job_name": shown_name(TRAINING, &key, job),
            "job_desc": "",
            "version_count": ids.len(),
            "versions": versions,
        }),
    )
}

/// `GET` and `DELETE /v1/{project_id}/training-jobs/{job_id}/versions/{version_id}`.
pub(crate) fn version(
    store: &mut Store,
    delete: bool,
    id: &str,
    vid: &str,
    delay: Duration,
    now: Instant,
) -> Answer {
    let (Ok(job_id), Ok(version_id)) = (id.parse::<u64>(), vid.parse::<u64>()) else {
        return invalid(&format!("job_id: {id}, version_id: {vid}"));
    };
    let what = "Training job version";
    if delete {
        return deleted(
            store.delete_simple(VERSION, &Key::Pair(job_id, version_id), delay, now),
            what,
            &format!("{id}/{vid}"),
        );
    }
    let key = Key::Number(job_id);
    let found = store
        .get(TRAINING, &key)
        .and_then(|job| Some((job, store.get(VERSION, &Key::Pair(job_id, version_id))?)));
    let Some((job, version)) = found else {
        return not_found(what, &format!("{id}/{vid}"));
    };
    let mut body = version_json(
        job_id,
        version_id,
        previous_version(&version_ids(store, job_id), version_id),
        version,
    );
    if let Value::Object(fields) = &mut body {
        fields.insert("is_success".into(), Value::Bool(true));
        fields.insert("job_id".into(), Value::from(job_id));
        fields.insert(
            "job_name".into(),
            Value::from(shown_name(TRAINING, &key, job)),
        );
        fields.insert("job_desc".into(), Value::from(""));
        fields.insert("spec_code".into(), Value::from("modelarts.vm.cpu.2u"));
    }
    Answer::json(StatusCode::OK, &body)
}

fn visualization_json(id: u64, e: &Entry) -> Value {
    json!({
        "job_id": id,
        "job_name": shown_name(VISUALIZATION, &Key::Number(id), e),
        "job_desc": "",
        "status": shown_status(VISUALIZATION, e),
        "create_time": e.created_ms,
        "duration": 0,
        "resource_id": "",
        "service_url": "",
        "train_url": "",
    })
}

/// `GET /v1/{project_id}/visualization-jobs`: as the training job list, sorted by `sortBy`
/// (default `job_id`).
pub(crate) fn list_visualization_jobs(store: &Store, query: &Query) -> Answer {
    let params = match ListParams::parse(
        query,
        "job_id",
        &["job_id", "job_name", "job_desc", "create_time", "status"],
    ) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let mut jobs: Vec<(u64, &Entry, String, Value)> = store
        .numbered(VISUALIZATION)
        .by_creation(false)
        .map(|(id, e)| {
            let name = shown_name(VISUALIZATION, &Key::Number(id), e);
            (id, e, name, shown_status(VISUALIZATION, e))
        })
        .filter(|(_, e, name, status)| params.keeps(name, status, workspace(e)))
        .collect();
    jobs.sort_unstable_by(|a, b| {
        let by = match params.sort_by {
            "job_name" => a.2.cmp(&b.2),
            "status" => status_key(&a.3).cmp(&status_key(&b.3)),
            "create_time" => a.1.created_ms.cmp(&b.1.created_ms),
            _ => Ordering::Equal,
        };
        params.order(by.then(a.0.cmp(&b.0)))
    });
    let offset = (params.page - 1).saturating_mul(params.per_page);
    let shown = window(&jobs, offset, params.per_page)
        .iter()
        .map(|(id, e, _, _)| visualization_json(*id, e))
        .collect();
    list_answer(store.count(VISUALIZATION), jobs.len(), shown)
}

/// `GET` and `DELETE /v1/{project_id}/visualization-jobs/{job_id}`; an id that is not a
/// number gets 400 `ModelArts.0101` (see [`invalid`]), as for training jobs.
pub(crate) fn visualization_job(
    store: &mut Store,
    delete: bool,
    id: &str,
    delay: Duration,
    now: Instant,
) -> Answer {
    let Ok(job_id) = id.parse::<u64>() else {
        return invalid(&format!("job_id: {id}"));
    };
    let what = "Visualization job";
    if delete {
        return deleted(
            store.delete_simple(VISUALIZATION, &Key::Number(job_id), delay, now),
            what,
            id,
        );
    }
    match store.numbered(VISUALIZATION).get(job_id) {
        // The detail page's example has no is_success: the fields are at the top.
        Some(e) => Answer::json(StatusCode::OK, &visualization_json(job_id, e)),
        None => not_found(what, id),
    }
}

// --- Training job configurations (old-version API) -------------------------------------------

fn config_type(e: &Entry) -> &str {
    e.attrs.job_type.as_deref().unwrap_or("custom")
}

/// A configuration as the list shows it.
fn config_json(name: &str, e: &Entry) -> Value {
    json!({
        "config_name": name,
        "config_desc": "",
        "create_time": e.created_ms,
        "engine_type": 1,
        "engine_name": "TensorFlow",
        "engine_id": 1,
        "engine_version": "TF-1.8.0-python3.6",
        "user_image_url": "",
        "user_command": "",
    })
}

/// The configuration pages' answer for a name that is none: the failed response of the
/// pages (`ModelArts.0105`, their sample code; the error-code page has none for a
/// configuration) with 404, the status of a resource that is not there.
fn config_not_found(name: &str) -> Answer {
    error(
        StatusCode::NOT_FOUND,
        "ModelArts.0105",
        format!("Training job configuration (name: {name}) not found."),
    )
}

/// `GET /v1/{project_id}/training-job-configs`: filtered by `search_content` (part of the
/// name, any case) and `config_type` (`custom`, the default, or `sample`), sorted by
/// `sortBy` (`config_name`, the default, `config_desc` or `create_time`) then name, in
/// `order` (default `desc`), paged by `per_page` ([1, 1000], default 10) and `page`
/// ([1, 65535], default 1); values out of range get 400 `ModelArts.0101`.
pub(crate) fn list_configs(store: &Store, query: &Query) -> Answer {
    let checked = || -> Result<_, String> {
        Ok((
            query.number("per_page", 10usize, 1..=1000)?,
            query.number("page", 1usize, 1..=65535)?,
            query.choice(
                "sortBy",
                "config_name",
                &["config_name", "config_desc", "create_time"],
            )?,
            query.choice("order", "desc", &["asc", "desc"])? == "desc",
            query.text("search_content", 64)?,
            query.choice("config_type", "custom", &["custom", "sample"])?,
        ))
    };
    let (per_page, page, sort_by, descending, search, wanted_type) = match checked() {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let mut configs: Vec<(String, &Entry)> = store
        .table(Simple::TrainingConfigV1)
        .map(|(k, e)| (k.text(), e))
        .filter(|(name, e)| {
            config_type(e) == wanted_type && search.is_none_or(|s| contains_ignore_case(name, s))
        })
        .collect();
    configs.sort_unstable_by(|a, b| {
        let by = match sort_by {
            "create_time" => a.1.created_ms.cmp(&b.1.created_ms),
            // Every emulated description is empty.
            "config_desc" => Ordering::Equal,
            _ => Ordering::Equal,
        }
        .then(a.0.cmp(&b.0));
        if descending { by.reverse() } else { by }
    });
    let shown: Vec<Value> = window(&configs, (page - 1).saturating_mul(per_page), per_page)
        .iter()
        .map(|(name, e)| config_json(name, e))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": true,
            "config_total_count": configs.len(),
            "configs": shown,
        }),
    )
}

/// `GET` and `DELETE /v1/{project_id}/training-job-configs/{config_name}`: the name is the
/// id (decoded from the path: any text). Deleting is synchronous (`{"is_success": true}`).
pub(crate) fn config(store: &mut Store, delete: bool, name: &str, now: Instant) -> Answer {
    let key = Key::Text(name.to_owned());
    if delete {
        return match store.delete_simple(Simple::TrainingConfigV1, &key, Duration::ZERO, now) {
            Deleted::Yes => Answer::json(StatusCode::OK, &json!({ "is_success": true })),
            Deleted::NotFound => config_not_found(name),
        };
    }
    let Some(e) = store.get(Simple::TrainingConfigV1, &key) else {
        return config_not_found(name);
    };
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": true,
            "config_name": name,
            "config_desc": "",
            "worker_server_num": 1,
            "app_url": "/emulator/code/",
            "boot_file_url": "/emulator/code/train.py",
            "model_id": 1,
            "parameter": [],
            "spec_id": 1,
            "data_url": "/emulator/data/",
            "dataset_id": "",
            "dataset_version_id": "",
            "data_source": [],
            "engine_type": 1,
            "engine_name": "TensorFlow",
            "engine_id": 1,
            "engine_version": "TF-1.8.0-python3.6",
            "train_url": "/emulator/output/",
            "log_url": "",
            "user_image_url": "",
            "user_command": "",
            "spec_code": "modelarts.vm.cpu.2u",
            "gpu_type": "",
            "create_time": e.created_ms,
            "cpu": "8",
            "gpu_num": 0,
            "core": "2",
            "dataset_name": "",
            "dataset_version_name": "",
            "pool_id": "",
            "pool_name": "",
            "volumes": [],
            "nas_mount_path": "",
            "nas_share_addr": "",
            "nas_type": "nfs",
        }),
    )
}
