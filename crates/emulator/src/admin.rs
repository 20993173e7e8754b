//! The admin API under `/_emulator/` (no authentication); its requests and answers are
//! listed in the crate documentation ("Admin API").

use http::request::Parts;
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::model::Fault;
use crate::{EmulatorProject, ProjectJob, Shared};

/// One object or an array of them, read straight from the bytes (bulk seeding sends tens
/// of thousands at once).
fn one_or_many<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, String> {
    let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let parsed = if is_array {
        serde_json::from_slice::<Vec<T>>(body)
    } else {
        serde_json::from_slice::<T>(body).map(|one| vec![one])
    };
    parsed.map_err(|e| e.to_string())
}

fn bad_request(message: String) -> Answer {
    Answer::json(StatusCode::BAD_REQUEST, &json!({ "error": message }))
}

/// 201 with the request's body (already checked to be JSON) echoed as is.
fn created(body: &[u8]) -> Answer {
    let mut answer = Answer::json(StatusCode::CREATED, &Value::Null);
    answer.body = bytes::Bytes::copy_from_slice(body);
    answer
}

fn listed<T: serde::Serialize>(items: &[T]) -> Answer {
    Answer::json(
        StatusCode::OK,
        &serde_json::to_value(items).unwrap_or(Value::Null),
    )
}

pub(crate) fn handle(shared: &Shared, parts: &Parts, body: &[u8]) -> Answer {
    let path = parts.uri.path().trim_end_matches('/');
    match (&parts.method, path) {
        (&Method::GET, "/_emulator/jobs") => {
            let project = parts.uri.query().and_then(|q| {
                q.split('&').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    (k == "project_id").then(|| {
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                })
            });
            match shared.listed_jobs(project.as_deref()) {
                Some(jobs) => listed(&jobs),
                None => bad_request(format!(
                    "no project {:?}: GET /_emulator/projects lists them",
                    project.unwrap_or_default()
                )),
            }
        }
        (&Method::POST, "/_emulator/jobs") => match one_or_many::<ProjectJob>(body) {
            Ok(jobs) => match shared.seed_projects(jobs) {
                Ok(()) => created(body),
                Err(e) => bad_request(e),
            },
            Err(e) => bad_request(format!("expected a job or an array of jobs: {e}")),
        },
        (&Method::GET, "/_emulator/projects") => listed(&shared.projects()),
        (&Method::POST, "/_emulator/projects") => match one_or_many::<EmulatorProject>(body) {
            Ok(projects) => {
                let mut state = shared.lock();
                for project in projects {
                    state.projects.declare(project);
                }
                created(body)
            }
            Err(e) => bad_request(format!(
                "expected a project {{\"id\": ..., \"name\": ...}} or an array of them: {e}"
            )),
        },
        (&Method::GET, "/_emulator/faults") => listed(&shared.faults()),
        (&Method::POST, "/_emulator/faults") => match one_or_many::<Fault>(body)
            .and_then(|faults| faults.iter().try_for_each(Fault::check).map(|()| faults))
        {
            Ok(faults) => {
                shared.add_faults(faults);
                created(body)
            }
            Err(e) => bad_request(format!("expected a fault or an array of faults: {e}")),
        },
        (&Method::DELETE, "/_emulator/faults") => {
            shared.lock().faults.clear();
            Answer::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, "/_emulator/requests") => {
            let requests: Vec<_> = shared.lock().requests.iter().cloned().collect();
            listed(&requests)
        }
        (&Method::DELETE, "/_emulator/requests") => {
            shared.lock().requests.clear();
            Answer::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, "/_emulator/reset") => {
            shared.reset();
            Answer::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, "/_emulator/rate-limit") => Answer::json(
            StatusCode::OK,
            &serde_json::to_value(shared.gateway().counts()).unwrap_or(Value::Null),
        ),
        (&Method::PUT | &Method::POST, "/_emulator/rate-limit") => {
            match serde_json::from_slice::<Option<crate::RateLimit>>(body)
                .map_err(|e| e.to_string())
                .and_then(|limit| shared.gateway().set(limit))
            {
                Ok(()) => created(body),
                Err(e) => bad_request(format!(
                    "expected {{\"limit\": N, \"per_seconds\": 1 or 60, \"retry_after_s\": S}} or null: {e}"
                )),
            }
        }
        (&Method::DELETE, "/_emulator/rate-limit") => {
            let _ = shared.gateway().set(None);
            Answer::empty(StatusCode::NO_CONTENT)
        }
        (&Method::POST, "/_emulator/expire-tokens") => {
            let configured = shared.config.tokens.clone();
            shared.lock().tokens.expire_all(configured);
            Answer::empty(StatusCode::NO_CONTENT)
        }
        _ => Answer::json(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no admin endpoint {} {}", parts.method, parts.uri.path()) }),
        ),
    }
}
