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
use crate::store::{Deleted, Entry, Store, TrainingJob, status};

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

fn training_status(e: &Entry) -> Value {
    e.status(
        Value::from(status::MODELARTS_TRAINING_DEFAULT),
        Value::from(status::MODELARTS_DELETING),
    )
}

fn visualization_status(e: &Entry) -> Value {
    e.status(
        Value::from(status::MODELARTS_VISUALIZATION_DEFAULT),
        Value::from(status::MODELARTS_DELETING),
    )
}

fn workspace(e: &Entry) -> &str {
    e.attrs.workspace_id.as_deref().unwrap_or("0")
}

fn training_name(id: u64, job: &TrainingJob) -> String {
    job.entry.name(|| format!("job-{id}"))
}

fn visualization_name(id: u64, e: &Entry) -> String {
    e.name(|| format!("visualization-job-{id}"))
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
    let mut jobs: Vec<(u64, &TrainingJob, String, Value)> = store
        .training
        .iter()
        .map(|(id, job)| {
            (
                *id,
                job,
                training_name(*id, job),
                training_status(&job.entry),
            )
        })
        .filter(|(_, job, name, status)| params.keeps(name, status, workspace(&job.entry)))
        .collect();
    jobs.sort_unstable_by(|a, b| {
        let by = match params.sort_by {
            "job_name" => a.2.cmp(&b.2),
            "status" => status_key(&a.3).cmp(&status_key(&b.3)),
            "version_count" => a.1.versions.len().cmp(&b.1.versions.len()),
            "create_time" => a.1.entry.created_ms.cmp(&b.1.entry.created_ms),
            // job_desc and duration are the same for every emulated job.
            _ => Ordering::Equal,
        };
        params.order(by.then(a.0.cmp(&b.0)))
    });
    let offset = (params.page - 1).saturating_mul(params.per_page);
    let shown = window(&jobs, offset, params.per_page)
        .iter()
        .map(|(id, job, name, status)| {
            json!({
                "job_id": id,
                "job_name": name,
                "version_id": job.versions.keys().next_back(),
                "status": status,
                "create_time": job.entry.created_ms,
                "duration": 0,
                "job_desc": "",
                "version_count": job.versions.len(),
            })
        })
        .collect();
    list_answer(store.training.len(), jobs.len(), shown)
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
        store.delete_training_job(job_id, delay, now),
        "Training job",
        id,
    )
}

/// One version as the versions list and the version detail show it.
fn version_json(job_id: u64, version_id: u64, pre_version: Option<u64>, v: &Entry) -> Value {
    json!({
        "version_id": version_id,
        "version_name": v.name(|| format!("V{version_id:04}")),
        "pre_version_id": pre_version,
        "engine_type": 1,
        "engine_name": "TensorFlow",
        "engine_id": 1,
        "engine_version": "TF-1.8.0-python3.6",
        "status": training_status(v),
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

fn previous_version(job: &TrainingJob, version_id: u64) -> Option<u64> {
    job.versions
        .range(..version_id)
        .next_back()
        .map(|(v, _)| *v)
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
    let Some(job) = store.training.get(&job_id) else {
        return not_found("Training job", id);
    };
    let newest_first: Vec<(&u64, &Entry)> = job.versions.iter().rev().collect();
    let (offset, limit) = match page {
        0 => (0, usize::MAX),
        n => ((n - 1).saturating_mul(per_page), per_page),
    };
    let versions: Vec<Value> = window(&newest_first, offset, limit)
        .iter()
        .map(|(vid, v)| version_json(job_id, **vid, previous_version(job, **vid), v))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({
            "is_success": true,
            "job_id": job_id,
            "job_name": training_name(job_id, job),
            "job_desc": "",
            "version_count": job.versions.len(),
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
            store.delete_version(job_id, version_id, delay, now),
            what,
            &format!("{id}/{vid}"),
        );
    }
    let found = store
        .training
        .get(&job_id)
        .and_then(|job| Some((job, job.versions.get(&version_id)?)));
    let Some((job, version)) = found else {
        return not_found(what, &format!("{id}/{vid}"));
    };
    let mut body = version_json(
        job_id,
        version_id,
        previous_version(job, version_id),
        version,
    );
    if let Value::Object(fields) = &mut body {
        fields.insert("is_success".into(), Value::Bool(true));
        fields.insert("job_id".into(), Value::from(job_id));
        fields.insert("job_name".into(), Value::from(training_name(job_id, job)));
        fields.insert("job_desc".into(), Value::from(""));
        fields.insert("spec_code".into(), Value::from("modelarts.vm.cpu.2u"));
    }
    Answer::json(StatusCode::OK, &body)
}

fn visualization_json(id: u64, e: &Entry) -> Value {
    json!({
        "job_id": id,
        "job_name": visualization_name(id, e),
        "job_desc": "",
        "status": visualization_status(e),
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
        .visualization
        .iter()
        .map(|(id, e)| (*id, e, visualization_name(*id, e), visualization_status(e)))
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
    list_answer(store.visualization.len(), jobs.len(), shown)
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
        return deleted(store.delete_visualization(job_id, delay, now), what, id);
    }
    match store.visualization.get(&job_id) {
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
