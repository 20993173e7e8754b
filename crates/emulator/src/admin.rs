//! The admin API under `/_emulator/` (no authentication); its requests and answers are
//! listed in the crate documentation ("Admin API").

use http::request::Parts;
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Shared;
use crate::handlers::Answer;
use crate::model::{Fault, SeedJob};

/// One object or an array of them.
fn one_or_many<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .collect(),
        other => serde_json::from_value(other)
            .map(|v| vec![v])
            .map_err(|e| e.to_string()),
    }
}

fn bad_request(message: String) -> Answer {
    Answer::json(StatusCode::BAD_REQUEST, &json!({ "error": message }))
}

fn created(body: &[u8]) -> Answer {
    let echoed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    Answer::json(StatusCode::CREATED, &echoed)
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
        (&Method::GET, "/_emulator/jobs") => listed(&shared.jobs()),
        (&Method::POST, "/_emulator/jobs") => match one_or_many::<SeedJob>(body) {
            Ok(jobs) => {
                for job in jobs {
                    shared.seed(job);
                }
                created(body)
            }
            Err(e) => bad_request(format!("expected a job or an array of jobs: {e}")),
        },
        (&Method::GET, "/_emulator/faults") => listed(&shared.lock().faults),
        (&Method::POST, "/_emulator/faults") => match one_or_many::<Fault>(body) {
            Ok(faults) => {
                shared.lock().faults.extend(faults);
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
