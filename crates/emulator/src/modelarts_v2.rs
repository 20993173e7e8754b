//! ModelArts training jobs of the current API (v2): `POST /v2/{project_id}/training-job-searches`,
//! `GET` and `DELETE /v2/{project_id}/training-jobs/{training_job_id}`, answered as the
//! pages document them.
//!
//! - The search takes a JSON body: `offset` is a page index from 0, `limit` 1 to 50
//!   (default 10), `sort_by` (`create_time`, the default, or `name`), `order` (`desc`, the
//!   default, or `asc`), `filters: [{key, operator, value: [...]}]` with keys `name`
//!   (`like`: part of the name, any case; `in`: exact), `phase` (`in`, `not`) and
//!   `create_time` (`between`, two millisecond times, an empty one open); other keys the
//!   emulator does not model are accepted and select nothing away. `count` is the number
//!   that matched, `total` every training job of the project.
//! - The deletion answers 202 with the page's example body, `""`; ModelArts deletes after
//!   answering (`delete_delay`); the job keeps its phase meanwhile (the pages document no
//!   deleting phase).
//! - A job that does not exist is 404 `{"error_code": "ModelArts.2775", "error_msg":
//!   "Training job (ID: ...) not found."}`: the error-code page's TrainingJobNotFound, in
//!   the v2 envelope (`error_msg`, not v1's `error_message`), with the status a REST
//!   resource that is not there has. Bad search input is 400 `ModelArts.0101`.

use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::kinds::{Key, Simple};
use crate::listing::{contains_ignore_case, window};
use crate::store::{Deleted, Entry, Store};

const KIND: Simple = Simple::TrainingJobV2;

fn error(status: StatusCode, code: &str, message: String) -> Answer {
    Answer::json(status, &json!({ "error_code": code, "error_msg": message }))
}

fn not_found(id: &str) -> Answer {
    error(
        StatusCode::NOT_FOUND,
        "ModelArts.2775",
        format!("Training job (ID: {id}) not found."),
    )
}

fn invalid(detail: &str) -> Answer {
    error(
        StatusCode::BAD_REQUEST,
        "ModelArts.0101",
        format!("Invalid Argument. {detail}"),
    )
}

fn phase(e: &Entry) -> Value {
    e.attrs
        .status
        .clone()
        .unwrap_or_else(|| KIND.default_status())
}

fn name(key: &Key, e: &Entry) -> String {
    e.name(|| KIND.default_name(key))
}

/// A job as the search's items and the details show it (the page's JobResponse).
fn job_json(key: &Key, e: &Entry) -> Value {
    let id = key.text();
    json!({
        "kind": "job",
        "metadata": {
            "id": id,
            "name": name(key, e),
            "workspace_id": "0",
            "description": "",
            "create_time": e.created_ms,
            "user_name": "emulator",
            "annotations": {},
        },
        "status": {
            "phase": phase(e),
            "secondary_phase": phase(e),
            "duration": 0,
            "node_count_metrics": [],
            "tasks": ["worker-0"],
            "start_time": e.created_ms,
            "task_statuses": [],
            "running_records": [],
        },
        "algorithm": {
            "code_dir": format!("obs://emulator/{id}/code/"),
            "boot_file": format!("obs://emulator/{id}/code/train.py"),
            "inputs": [],
            "outputs": [],
            "engine": {
                "engine_id": "pytorch-cp36-1.4.0-v2",
                "engine_name": "PyTorch",
                "engine_version": "PyTorch-1.4.0-python3.6-v2",
            },
        },
        "spec": {
            "resource": {
                "policy": "regular",
                "flavor_id": "modelarts.vm.cpu.2u",
                "flavor_name": "Computing CPU(2U)",
                "node_count": 1,
            },
        },
    })
}

/// One `filters` element, read.
enum Criterion {
    Name { like: bool, values: Vec<String> },
    Phase { not: bool, values: Vec<String> },
    Created { from: Option<u64>, to: Option<u64> },
    Other,
}

impl Criterion {
    fn keeps(&self, name: &str, phase: &Value, created_ms: u64) -> bool {
        match self {
            Criterion::Name { like: true, values } => {
                values.iter().all(|v| contains_ignore_case(name, v))
            }
            Criterion::Name {
                like: false,
                values,
            } => values.iter().any(|v| v == name),
            Criterion::Phase { not, values } => {
                let phase = phase.as_str().unwrap_or_default();
                values.iter().any(|v| v == phase) != *not
            }
            Criterion::Created { from, to } => {
                from.is_none_or(|f| created_ms >= f) && to.is_none_or(|t| created_ms <= t)
            }
            Criterion::Other => true,
        }
    }
}

/// The search body, checked against the page's ranges.
struct Search {
    offset: usize,
    limit: usize,
    by_name: bool,
    descending: bool,
    criteria: Vec<Criterion>,
}

fn number(body: &Value, name: &str, default: u64, min: u64, max: u64) -> Result<u64, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("{name} must be a number from {min} to {max}, not {v}")),
    }
}

fn choice<'a>(
    body: &'a Value,
    name: &str,
    default: &'a str,
    allowed: &[&str],
) -> Result<&'a str, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(s),
        Some(v) => Err(format!(
            "{name} must be one of {}, not {v}",
            allowed.join(", ")
        )),
    }
}

fn criterion(f: &Value) -> Result<Criterion, String> {
    let text = |name: &str| f.get(name).and_then(Value::as_str).unwrap_or_default();
    let values: Vec<String> = match f.get("value") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("filter values must be strings, not {v}"))
            })
            .collect::<Result<_, _>>()?,
        Some(v) => {
            return Err(format!(
                "a filter's value must be an array of strings, not {v}"
            ));
        }
    };
    // An empty value (the page's example sends `[""]`) selects nothing away.
    let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
    let operator = text("operator");
    if !["between", "like", "in", "not"].contains(&operator) {
        return Err(format!(
            "operator must be between, like, in or not, not {operator:?}"
        ));
    }
    if values.is_empty() && operator != "between" {
        return Ok(Criterion::Other);
    }
    Ok(match (text("key"), operator) {
        ("name", "like" | "in") => Criterion::Name {
            like: operator == "like",
            values,
        },
        ("phase", "in" | "not") => Criterion::Phase {
            not: operator == "not",
            values,
        },
        ("create_time", "between") => {
            let raw: Vec<&str> = f
                .get("value")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let bound = |i: usize| -> Result<Option<u64>, String> {
                match raw.get(i).copied().unwrap_or("") {
                    "" => Ok(None),
                    t => t
                        .parse()
                        .map(Some)
                        .map_err(|_| format!("create_time bounds are milliseconds, not {t:?}")),
                }
            };
            Criterion::Created {
                from: bound(0)?,
                to: bound(1)?,
            }
        }
        (key @ ("name" | "phase" | "create_time"), op) => {
            return Err(format!("the filter {key} does not take the operator {op}"));
        }
        _ => Criterion::Other,
    })
}

fn search(body: &[u8]) -> Result<Search, String> {
    let body: Value = if body.trim_ascii().is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| format!("the body must be a JSON object: {e}"))?
    };
    if !body.is_object() {
        return Err("the body must be a JSON object".into());
    }
    let criteria = match body.get("filters") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(criterion).collect::<Result<_, _>>()?,
        Some(v) => return Err(format!("filters must be an array, not {v}")),
    };
    Ok(Search {
        offset: usize::try_from(number(&body, "offset", 0, 0, u64::from(u32::MAX))?)
            .unwrap_or(usize::MAX),
        limit: usize::try_from(number(&body, "limit", 10, 1, 50)?).unwrap_or(50),
        by_name: choice(&body, "sort_by", "create_time", &["create_time", "name"])? == "name",
        descending: choice(&body, "order", "desc", &["desc", "asc"])? == "desc",
        criteria,
    })
}

/// `POST /v2/{project_id}/training-job-searches`.
pub(crate) fn list(store: &Store, body: &[u8]) -> Answer {
    let s = match search(body) {
        Ok(s) => s,
        Err(e) => return invalid(&e),
    };
    let mut jobs: Vec<(&Key, &Entry, String)> = store
        .table(KIND)
        .map(|(k, e)| (k, e, name(k, e)))
        .filter(|(_, e, n)| {
            s.criteria
                .iter()
                .all(|c| c.keeps(n, &phase(e), e.created_ms))
        })
        .collect();
    jobs.sort_unstable_by(|a, b| {
        let by = if s.by_name {
            a.2.cmp(&b.2)
        } else {
            a.1.created_ms.cmp(&b.1.created_ms)
        };
        let by = by.then(a.0.cmp(b.0));
        if s.descending { by.reverse() } else { by }
    });
    let items: Vec<Value> = window(&jobs, s.offset.saturating_mul(s.limit), s.limit)
        .iter()
        .map(|(k, e, _)| job_json(k, e))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({
            "total": store.count(KIND),
            "count": jobs.len(),
            "limit": s.limit,
            "offset": s.offset,
            "sort_by": if s.by_name { "name" } else { "create_time" },
            "order": if s.descending { "desc" } else { "asc" },
            "group_by": "",
            "workspace_id": "0",
            "ai_project": "default-ai-project",
            "items": items,
        }),
    )
}

/// `GET` and `DELETE /v2/{project_id}/training-jobs/{training_job_id}`.
pub(crate) fn job(
    store: &mut Store,
    delete: bool,
    id: &str,
    delay: Duration,
    now: Instant,
) -> Answer {
    let key = Key::Text(id.to_owned());
    if delete {
        return match store.delete_simple(KIND, &key, delay, now) {
            Deleted::Yes => {
                // The page's example: 202, body `""`.
                let mut answer = Answer::json(StatusCode::ACCEPTED, &Value::from(""));
                answer.error_code = None;
                answer
            }
            Deleted::NotFound => not_found(id),
        };
    }
    match store.get(KIND, &key) {
        Some(e) => Answer::json(StatusCode::OK, &job_json(&key, e)),
        None => not_found(id),
    }
}
