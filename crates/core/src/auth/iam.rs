//! IAM: the password-to-token request (`POST /v3/auth/tokens`), its answer, and the
//! project lookup (`GET /v3/projects?name=...`), so clients can obtain, cache and refresh
//! tokens.

use std::fmt;

use http::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use serde::Deserialize;

use super::{SecretString, SigningTime};
use crate::endpoint::Endpoints;
use crate::error::{BuildError, Error, ResponseError, ResponseErrorKind, ServiceError};
use crate::operation::DEFAULT_USER_AGENT;
use crate::service::Service;

/// The header IAM returns the new token in.
pub const X_SUBJECT_TOKEN: &str = "x-subject-token";

/// A user's password login.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordLogin {
    /// The IAM user name.
    pub user_name: String,
    /// The password.
    pub password: SecretString,
    /// The user's domain (account) name.
    pub domain_name: String,
}

impl fmt::Debug for PasswordLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordLogin")
            .field("user_name", &self.user_name)
            .field("password", &self.password)
            .field("domain_name", &self.domain_name)
            .finish()
    }
}

/// What the token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// A project by id.
    ProjectId(String),
    /// A project by name (e.g. `eu-de`); IAM resolves the id.
    ProjectName(String),
}

/// Builds `POST {iam}/v3/auth/tokens` for a password login.
///
/// The body holds the password: never log it.
///
/// ```
/// use otc_jobs_core::auth::iam::{password_token_request, PasswordLogin, TokenScope};
/// use otc_jobs_core::{Endpoints, Region};
/// let login = PasswordLogin { user_name: "alice".into(), password: "pw".into(), domain_name: "OTC-EU-DE-0001".into() };
/// let request = password_token_request(&Endpoints::new(Region::EU_DE), &login, &TokenScope::ProjectName("eu-de".into()))?;
/// assert_eq!(request.uri(), "https://iam.eu-de.otc.t-systems.com/v3/auth/tokens");
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
pub fn password_token_request(
    endpoints: &Endpoints,
    login: &PasswordLogin,
    scope: &TokenScope,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let project = match scope {
        TokenScope::ProjectId(id) => serde_json::json!({ "id": id }),
        TokenScope::ProjectName(name) => serde_json::json!({ "name": name }),
    };
    let body = serde_json::json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": login.user_name,
                        "password": login.password.expose(),
                        "domain": { "name": login.domain_name }
                    }
                }
            },
            "scope": { "project": project }
        }
    });
    let body = serde_json::to_vec(&body).map_err(|e| BuildError::Body(e.to_string()))?;
    let url = format!("{}/v3/auth/tokens", endpoints.base_url(Service::Iam));
    iam_request(http::Method::POST, &url, body)
}

/// Builds `GET {iam}/v3/projects?name={name}`, to resolve a project name to its id.
///
/// ```
/// use otc_jobs_core::auth::iam::projects_by_name_request;
/// use otc_jobs_core::{Endpoints, Region};
/// let request = projects_by_name_request(&Endpoints::new(Region::EU_NL), "eu-nl_demo")?;
/// assert_eq!(request.uri(), "https://iam.eu-nl.otc.t-systems.com/v3/projects?name=eu-nl_demo");
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
pub fn projects_by_name_request(
    endpoints: &Endpoints,
    name: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let mut url = format!("{}/v3/projects?name=", endpoints.base_url(Service::Iam));
    crate::path::push_segment(&mut url, name);
    iam_request(http::Method::GET, &url, Vec::new())
}

fn iam_request(
    method: http::Method,
    url: &str,
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let uri = http::Uri::try_from(url).map_err(|e| BuildError::InvalidUri(e.to_string()))?;
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
    Ok(request)
}

/// A token IAM issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamToken {
    /// The token (`X-Subject-Token`).
    pub token: SecretString,
    /// When it expires (`token.expires_at`).
    pub expires_at: SigningTime,
    /// The project the token is scoped to, when IAM says.
    pub project_id: Option<String>,
}

impl IamToken {
    /// Whether the token should be replaced at `now`: expired, or expiring within `margin`
    /// seconds.
    ///
    /// ```
    /// use otc_jobs_core::auth::{iam::IamToken, SigningTime};
    /// let t = IamToken { token: "t".into(), expires_at: SigningTime::from_unix(1000), project_id: None };
    /// assert!(!t.needs_refresh(SigningTime::from_unix(100), 300));
    /// assert!(t.needs_refresh(SigningTime::from_unix(800), 300));
    /// ```
    pub fn needs_refresh(&self, now: SigningTime, margin_seconds: u64) -> bool {
        now.unix().saturating_add(margin_seconds) >= self.expires_at.unix()
    }
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInner,
}

#[derive(Deserialize)]
struct TokenInner {
    expires_at: String,
    #[serde(default)]
    project: Option<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

/// Reads IAM's answer to [`password_token_request`].
///
/// ```
/// use otc_jobs_core::auth::iam::parse_token_response;
/// let answer = http::Response::builder()
///     .status(201)
///     .header("X-Subject-Token", "MIIT...")
///     .body(br#"{"token": {"expires_at": "2024-05-22T10:20:30.000000Z", "project": {"id": "p1", "name": "eu-de"}}}"#.to_vec())?;
/// let token = parse_token_response(&answer)?;
/// assert_eq!(token.token.expose(), "MIIT...");
/// assert_eq!(token.expires_at.sdk_date(), "20240522T102030Z");
/// assert_eq!(token.project_id.as_deref(), Some("p1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_token_response<B: AsRef<[u8]>>(
    response: &http::Response<B>,
) -> Result<IamToken, Error> {
    let (status, headers, body) = (
        response.status(),
        response.headers(),
        response.body().as_ref(),
    );
    if !status.is_success() {
        return Err(ServiceError::from_answer(Service::Iam, status, headers, body).into());
    }
    let unreadable = |detail: &str| -> Error {
        ResponseError::new(ResponseErrorKind::Malformed, detail, status, headers, body).into()
    };
    let token = headers
        .get(X_SUBJECT_TOKEN)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unreadable("no X-Subject-Token header"))?;
    let parsed: TokenBody =
        serde_json::from_slice(body).map_err(|e| unreadable(&format!("token body: {e}")))?;
    let expires_at = SigningTime::parse_rfc3339(&parsed.token.expires_at)
        .ok_or_else(|| unreadable("token.expires_at is not an RFC 3339 time"))?;
    Ok(IamToken {
        token: SecretString::new(token),
        expires_at,
        project_id: parsed.token.project.map(|p| p.id),
    })
}

#[derive(Deserialize)]
struct ProjectsBody {
    projects: Vec<IdOnly>,
}

/// Reads IAM's answer to [`projects_by_name_request`]: the id of the one project found.
///
/// ```
/// use otc_jobs_core::auth::iam::parse_projects_response;
/// let answer = http::Response::builder().status(200)
///     .body(br#"{"projects": [{"id": "0a1b", "name": "eu-de"}]}"#.to_vec())?;
/// assert_eq!(parse_projects_response(&answer)?, "0a1b");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_projects_response<B: AsRef<[u8]>>(
    response: &http::Response<B>,
) -> Result<String, Error> {
    let (status, headers, body) = (
        response.status(),
        response.headers(),
        response.body().as_ref(),
    );
    if !status.is_success() {
        return Err(ServiceError::from_answer(Service::Iam, status, headers, body).into());
    }
    let parsed: ProjectsBody = serde_json::from_slice(body)
        .map_err(|e| ResponseError::malformed(status, headers, body, &e))?;
    match parsed.projects.as_slice() {
        [one] => Ok(one.id.clone()),
        found => Err(ResponseError::new(
            ResponseErrorKind::Malformed,
            format!(
                "expected exactly one project with that name, IAM listed {}",
                found.len()
            ),
            status,
            headers,
            body,
        )
        .into()),
    }
}
