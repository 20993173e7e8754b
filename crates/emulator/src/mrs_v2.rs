//! MRS clusters and their job executions (the v2 job API): `GET
//! /v1.1/{project_id}/cluster_infos`, and under `/v2/{project_id}/clusters/{cluster_id}/`
//! the job list, a job's details, its termination (`…/{job_execution_id}/kill`) and the
//! batch deletion (`…/job-executions/batch-delete`), as the pages document them: every
//! job answer is 202 ("due to compatibility problems in earlier versions"), the cluster
//! list 200. A cluster that does not exist is 400 `12000003` (in MRS's camel-case cluster
//! envelope), a job that does not exist 500 `0176`, a batch with a job that still runs
//! 400 `0183` "The job is running" (nothing is deleted).
//!
//! A kill is answered 202 "The job termination request has been accepted. Please wait."
//! and takes [`EmulatorConfig::kill_delay`](crate::EmulatorConfig::kill_delay): until then
//! the job keeps the running status it had (the pages document no "killing" status; a
//! YARN application goes on running until it is killed), then shows `KILLED` (result
//! `KILLED`). A batch deletion meanwhile is refused `0183`.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::listing::{Query, contains_ignore_case};
use crate::store::{Cluster, Entry, Store};

/// `job_state` of a seeded job when none is given.
pub(crate) const DEFAULT_STATE: &str = "RUNNING";

/// The states of a job that has not finished (`job_state` on the list page): such a job
/// is killed before it can be deleted.
pub(crate) const UNFINISHED: [&str; 5] = ["New", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"];

/// The cluster states the list's `clusterState` takes.
const CLUSTER_STATES: [&str; 9] = [
    "starting",
    "running",
    "terminated",
    "failed",
    "abnormal",
    "terminating",
    "frozen",
    "scaling-out",
    "scaling-in",
];

/// The largest `pageSize` of the cluster list ("Value range: 1 to 2147483646").
const MAX_PAGE_SIZE: usize = 2_147_483_646;

/// The largest `limit` of the job list: the page states none; any 32-bit count.
const MAX_LIMIT: usize = i32::MAX as usize;

fn accepted(body: &Value) -> Answer {
    Answer::json(StatusCode::ACCEPTED, body)
}

/// 400 `12000002` "The parameter is invalid." (the MRS error-code table).
fn invalid(detail: &str) -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error_code": "12000002", "error_msg": format!("The parameter is invalid. {detail}") }),
    )
}

/// 400 `12000003` "The cluster does not exist.", in the cluster API's camel-case envelope.
fn no_cluster() -> Answer {
    Answer::json(
        StatusCode::BAD_REQUEST,
        &json!({ "errorCode": "12000003", "errorMsg": "The cluster does not exist." }),
    )
}

/// 500 `0176` "The job does not exist." (as the v1.1 job API answers).
fn no_job(ids: &str) -> Answer {
    Answer::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({ "error_code": "0176", "error_msg": format!("The job does not exist. {ids}") }),
    )
}

/// The state shown for a job at `now`.
pub(crate) fn state(e: &Entry, now: Instant) -> String {
    if e.stopped(now) {
        return "KILLED".to_owned();
    }
    match &e.attrs.status {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => DEFAULT_STATE.to_owned(),
    }
}

/// Whether a job has not finished yet at `now`.
pub(crate) fn running(e: &Entry, now: Instant) -> bool {
    UNFINISHED.contains(&state(e, now).as_str())
}

/// `job_result` as the page pairs it with `job_state`.
fn result_of(state: &str) -> &'static str {
    match state {
        "FINISHED" => "SUCCEEDED",
        "FAILED" => "FAILED",
        "KILLED" => "KILLED",
        _ => "UNDEFINED",
    }
}

fn job_name(id: &str, e: &Entry) -> String {
    e.name(|| format!("job-{}", id.chars().take(8).collect::<String>()))
}

fn job_json(id: &str, e: &Entry, now: Instant) -> Value {
    let state = state(e, now);
    let finished = !UNFINISHED.contains(&state.as_str());
    let started = e.created_ms;
    let ended = if finished { started + 60_000 } else { 0 };
    json!({
        "job_id": id,
        "user": "emulator",
        "job_name": job_name(id, e),
        "job_result": result_of(&state),
        "job_state": state,
        "job_progress": if finished { 100 } else { 50 },
        "job_type": e.attrs.job_type.as_deref().unwrap_or("SparkSubmit"),
        "started_time": started,
        "submitted_time": e.created_ms,
        "finished_time": ended,
        "elapsed_time": if finished { 60_000 } else { 0 },
        "queue": "default",
        // As both examples send them: text, not the Array and Object the table types.
        "arguments": "[--class, org.apache.spark.examples.SparkPi, --master, yarn-cluster]",
        "launcher_id": format!("application_{}_0001", e.created_ms),
        "app_id": format!("application_{}_0002", e.created_ms),
        "properties": "{}",
    })
}

fn cluster_json(id: &str, c: &Cluster, project_id: &str) -> Value {
    let seconds = (c.created_ms / 1000).to_string();
    json!({
        "clusterId": id,
        "clusterName": c.name(id),
        "masterNodeNum": "2",
        "coreNodeNum": "3",
        "totalNodeNum": "5",
        "clusterState": c.state(),
        "createAt": seconds,
        "updateAt": seconds,
        "billingType": "Metered",
        "dataCenter": "eu-de",
        "vpc": "vpc-emulator",
        "hadoopVersion": "3.1.1",
        "clusterVersion": "MRS 3.1.2-LTS.3",
        "tenantId": project_id,
        "volumeSize": 600,
        "volumeType": "SATA",
        "clusterType": "0",
        "safeMode": "1",
        "mrsManagerFinish": true,
        "logCollection": 1,
        "componentList": [
            { "componentId": "MRS 3.1.2-LTS.3_001", "componentName": "Hadoop", "componentVersion": "3.1.1", "componentDesc": "A distributed data processing framework for big data sets" }
        ],
        "nodeGroups": [
            { "groupName": "master_node_default_group", "nodeNum": 2, "nodeSize": "s3.2xlarge.4.linux.bigdata", "dataVolumeCount": 1, "dataVolumeSize": "600", "rootVolumeSize": 480 }
        ],
        "taskNodeGroups": [],
    })
}

/// `GET /v1.1/{project_id}/cluster_infos`: `pageSize` (1 to 2147483646, default 10) clusters
/// of page `currentPage` (from 1), oldest first, those in `clusterState` only when given;
/// `clusterTotal` (a String, as the page types it) counts the selected clusters.
pub(crate) fn list_clusters(store: &Store, query: &Query, project_id: &str) -> Answer {
    let size = match query.number("pageSize", 10, 1..=MAX_PAGE_SIZE) {
        Ok(n) => n,
        Err(e) => return invalid(&e),
    };
    let page = match query.number("currentPage", 1, 1..=usize::MAX) {
        Ok(n) => n,
        Err(e) => return invalid(&e),
    };
    let wanted = match query.get("clusterState") {
        None => None,
        Some(s) if CLUSTER_STATES.contains(&s) => Some(s),
        Some(s) => {
            return invalid(&format!(
                "clusterState must be one of {}, not {s:?}",
                CLUSTER_STATES.join(", ")
            ));
        }
    };
    let mut all: Vec<(&String, &Cluster)> = store
        .clusters
        .iter()
        .filter(|(_, c)| wanted.is_none_or(|w| c.state() == w))
        .collect();
    all.sort_by(|a, b| a.1.created_ms.cmp(&b.1.created_ms).then(a.0.cmp(b.0)));
    let shown: Vec<Value> = crate::listing::window(&all, (page - 1).saturating_mul(size), size)
        .iter()
        .map(|(id, c)| cluster_json(id, c, project_id))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({ "clusterTotal": all.len().to_string(), "clusters": shown }),
    )
}

/// `GET /v2/{project_id}/clusters/{cluster_id}/job-executions`: the cluster's jobs,
/// filtered by `job_name` (a case-insensitive part of the name), `job_type`, `job_state`,
/// `job_result` (exact) and `submitted_time_begin`/`_end` (unix ms, inclusive), sorted by
/// submission time (`sort_by` `desc`, the default, or `asc`; ties by id), page `offset`
/// (a page number from 1, default 1) of `limit` (default 10) jobs; `total_record` counts
/// the selected jobs.
pub(crate) fn list_jobs(store: &Store, cluster_id: &str, query: &Query, now: Instant) -> Answer {
    let Some(cluster) = store.clusters.get(cluster_id) else {
        return no_cluster();
    };
    let (limit, offset) = match (
        query.number("limit", 10, 1..=MAX_LIMIT),
        query.number("offset", 1, 1..=usize::MAX),
    ) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(e), _) | (_, Err(e)) => return invalid(&e),
    };
    let descending = match query.choice("sort_by", "desc", &["asc", "desc"]) {
        Ok(s) => s == "desc",
        Err(e) => return invalid(&e),
    };
    let bound = |name: &str| {
        query
            .number::<u64>(name, 0, 0..=u64::MAX)
            .map(|n| (n > 0).then_some(n))
    };
    let (begin, end) = match (bound("submitted_time_begin"), bound("submitted_time_end")) {
        (Ok(b), Ok(e)) => (b, e),
        (Err(e), _) | (_, Err(e)) => return invalid(&e),
    };
    let name = query.get("job_name");
    let job_type = query.get("job_type");
    let job_state = query.get("job_state");
    let job_result = query.get("job_result");
    let mut all: Vec<(&String, &Entry)> = cluster
        .jobs
        .iter()
        .filter(|(id, e)| {
            let state = state(e, now);
            name.is_none_or(|n| contains_ignore_case(&job_name(id, e), n))
                && job_type
                    .is_none_or(|t| e.attrs.job_type.as_deref().unwrap_or("SparkSubmit") == t)
                && job_state.is_none_or(|s| state == s)
                && job_result.is_none_or(|r| result_of(&state) == r)
                && begin.is_none_or(|b| e.created_ms >= b)
                && end.is_none_or(|t| e.created_ms <= t)
        })
        .collect();
    all.sort_by(|a, b| {
        let by: Ordering = a.1.created_ms.cmp(&b.1.created_ms).then(a.0.cmp(b.0));
        if descending { by.reverse() } else { by }
    });
    let shown: Vec<Value> = crate::listing::window(&all, (offset - 1).saturating_mul(limit), limit)
        .iter()
        .map(|(id, e)| job_json(id, e, now))
        .collect();
    accepted(&json!({ "total_record": all.len(), "job_list": shown }))
}

/// `GET /v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}`:
/// `{"job_detail": {...}}`, 202.
pub(crate) fn job(store: &Store, cluster_id: &str, job_id: &str, now: Instant) -> Answer {
    let Some(cluster) = store.clusters.get(cluster_id) else {
        return no_cluster();
    };
    match cluster.jobs.get(job_id) {
        Some(e) => accepted(&json!({ "job_detail": job_json(job_id, e, now) })),
        None => no_job(job_id),
    }
}

/// `POST …/job-executions/{job_execution_id}/kill`: a job that has not finished becomes
/// `KILLED` (result `KILLED`) after `delay` (at once when zero; a second kill does not
/// delay it further); one that has finished stays as it is; 202 without a body.
pub(crate) fn kill(
    store: &mut Store,
    cluster_id: &str,
    job_id: &str,
    delay: Duration,
    now: Instant,
) -> Answer {
    let Some(cluster) = store.clusters.get_mut(cluster_id) else {
        return no_cluster();
    };
    let Some(e) = cluster.jobs.get_mut(job_id) else {
        return no_job(job_id);
    };
    if running(e, now) && e.stops_at.is_none() {
        if delay.is_zero() {
            e.attrs.status = Some(Value::from("KILLED"));
        } else {
            e.stops_at = Some(now + delay);
        }
    }
    Answer::empty(StatusCode::ACCEPTED)
}

#[derive(serde::Deserialize)]
struct BatchDelete {
    job_id_list: Vec<String>,
}

/// `POST …/job-executions/batch-delete` `{"job_id_list": [...]}`: all or nothing. An id
/// the cluster does not have is 500 `0176` naming it, a job that has not finished 400
/// `0183` "The job is running" naming it (kill it first); otherwise every job is deleted,
/// 202 without a body.
pub(crate) fn batch_delete(
    store: &mut Store,
    cluster_id: &str,
    body: &[u8],
    now: Instant,
) -> Answer {
    let Some(cluster) = store.clusters.get_mut(cluster_id) else {
        return no_cluster();
    };
    let ids = match serde_json::from_slice::<BatchDelete>(body) {
        Ok(r) if !r.job_id_list.is_empty() => r.job_id_list,
        Ok(_) => return invalid("job_id_list must not be empty."),
        Err(e) => {
            return invalid(&format!(
                "The request body must be {{\"job_id_list\": [String]}}: {e}"
            ));
        }
    };
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !cluster.jobs.contains_key(*id))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return no_job(&missing.join(","));
    }
    let busy: Vec<&str> = ids
        .iter()
        .filter(|id| cluster.jobs.get(*id).is_some_and(|e| running(e, now)))
        .map(String::as_str)
        .collect();
    if !busy.is_empty() {
        return Answer::json(
            StatusCode::BAD_REQUEST,
            &json!({ "error_code": "0183", "error_msg": format!("The job is running. {}", busy.join(",")) }),
        );
    }
    for id in &ids {
        cluster.jobs.remove(id);
    }
    Answer::empty(StatusCode::ACCEPTED)
}
