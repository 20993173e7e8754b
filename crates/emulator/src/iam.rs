//! IAM on the same port: password login (`POST /v3/auth/tokens`, scoped to any project the
//! emulator serves) and the project lists (`GET /v3/projects[?name=NAME]`, signed with
//! AK/SK, and `GET /v3/auth/projects`, with a token): every project, with its name.

use http::{HeaderName, HeaderValue, StatusCode};
use otc_jobs_core::auth::SigningTime;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::{EmulatorConfig, EmulatorProject, State};

/// `YYYY-MM-DDTHH:MM:SS` (UTC) of unix seconds.
pub(crate) fn iso_seconds(unix: u64) -> String {
    let d = SigningTime::from_unix(unix).sdk_date(); // YYYYMMDDTHHMMSSZ
    format!(
        "{}-{}-{}T{}:{}:{}",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[9..11],
        &d[11..13],
        &d[13..15]
    )
}

/// IAM's timestamps: `2024-05-21T10:20:30.000000Z`.
fn iam_time(unix: u64) -> String {
    format!("{}.000000Z", iso_seconds(unix))
}

/// IAM's (Keystone's) error body.
pub(crate) fn iam_error(status: StatusCode, message: &str) -> Answer {
    let title = status.canonical_reason().unwrap_or("Error");
    Answer::json(
        status,
        &json!({ "error": { "code": status.as_u16(), "title": title, "message": message } }),
    )
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

/// `POST /v3/auth/tokens` with the password method, scoped to a project by id or name.
pub(crate) fn issue_token(
    config: &EmulatorConfig,
    state: &mut State,
    body: &[u8],
    now_unix: u64,
    token: String,
) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON.",
        );
    };
    let identity = &request["auth"]["identity"];
    let password_method = identity["methods"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "password"));
    let user = &identity["password"]["user"];
    let (Some(name), Some(password), Some(domain)) = (
        text(user, &["name"]),
        text(user, &["password"]),
        text(user, &["domain", "name"]),
    ) else {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "Invalid request: auth.identity.password.user is incomplete.",
        );
    };
    if !password_method {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "Invalid request: only the password method is supported.",
        );
    }
    let known = config
        .users
        .iter()
        .any(|u| u.name == name && u.password == password && u.domain == domain);
    if !known {
        return iam_error(
            StatusCode::UNAUTHORIZED,
            "The username or password is wrong.",
        );
    }
    let scope = &request["auth"]["scope"]["project"];
    let projects = state.projects.list();
    let by_id = text(scope, &["id"]).and_then(|id| projects.iter().find(|p| p.id == id));
    let by_name = || text(scope, &["name"]).and_then(|n| projects.iter().find(|p| p.name == n));
    let Some(project) = by_id.or_else(by_name).cloned() else {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "Invalid scope: the project does not exist.",
        );
    };
    let expires = now_unix.saturating_add(config.token_ttl.as_secs());
    state.tokens.issue(token.clone(), expires);
    state
        .projects
        .scope_token(token.clone(), project.id.clone());
    let domain_json = json!({ "id": domain_id(domain), "name": domain });
    let mut answer = Answer::json(
        StatusCode::CREATED,
        &json!({
            "token": {
                "expires_at": iam_time(expires),
                "issued_at": iam_time(now_unix),
                "methods": ["password"],
                "project": { "id": project.id, "name": project.name, "domain": domain_json },
                "user": { "id": format!("user-{name}"), "name": name, "domain": domain_json, "password_expires_at": "" },
                "roles": [{ "id": "0", "name": "op_gated_emulator" }],
                "catalog": [],
            }
        }),
    );
    if let Ok(value) = HeaderValue::from_str(&token) {
        answer.headers.push((
            HeaderName::from_static(otc_jobs_core::auth::iam::X_SUBJECT_TOKEN),
            value,
        ));
    }
    answer
}

fn domain_id(domain: &str) -> String {
    format!("domain-{domain}")
}

/// `GET /v3/projects[?name=NAME]` and `GET /v3/auth/projects` (authenticated by the
/// caller): every project the emulator serves, or the one named.
pub(crate) fn projects(projects: &[EmulatorProject], query: Option<&str>) -> Answer {
    let wanted = query.unwrap_or("").split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "name").then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    });
    let listed: Vec<Value> = projects
        .iter()
        .filter(|p| wanted.as_deref().is_none_or(|name| name == p.name))
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "domain_id": "domain-emulator",
                "parent_id": "domain-emulator",
                "enabled": true,
                "is_domain": false,
                "description": "",
                "links": { "self": format!("/v3/projects/{}", p.id) },
            })
        })
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({ "projects": listed, "links": { "self": "/v3/projects", "previous": null, "next": null } }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(iso_seconds(1_716_286_830), "2024-05-21T10:20:30");
        assert_eq!(
            SigningTime::parse_rfc3339(&iam_time(1_716_286_830)),
            Some(SigningTime::from_unix(1_716_286_830))
        );
    }
}
