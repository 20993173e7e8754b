//! IAM: the password-to-token request (`POST /v3/auth/tokens`), its answer, and the
//! project lookup (`GET /v3/projects?name=...`), so clients can obtain, cache and refresh
//! tokens. Both are [`Operation`]s, built and judged like every other call (written by
//! hand until IAM's pages are generated); the functions here add what an `Operation`
//! does not say: the token in a header, and exactly one project per name.

use std::fmt;

use serde::Deserialize;

use super::SecretString;
use crate::endpoint::{Endpoints, Target};
use crate::error::{BuildError, Error, ResponseError, ResponseErrorKind};
use crate::operation::{Operation, OperationExt, OperationResponse, json_body};
use crate::path::PathValue;
use crate::service::Service;
use crate::time::UtcTime;

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

/// `POST /v3/auth/tokens` with the password method: a token for a user, scoped to a
/// project (IAM's *Obtaining a User Token Through Password Authentication*). The token
/// comes in the answer's `X-Subject-Token` header: read the whole answer with
/// [`parse_token_response`].
///
/// The body holds the password: never log it (`Debug` hides it).
///
/// ```
/// use otc_jobs_core::auth::iam::{CreatePasswordToken, PasswordLogin, TokenScope};
/// use otc_jobs_core::{Endpoints, OperationExt, Region, Target};
/// let login = PasswordLogin { user_name: "alice".into(), password: "pw".into(), domain_name: "OTC-EU-DE-0001".into() };
/// let operation = CreatePasswordToken::new(&login, TokenScope::ProjectName("eu-de".into()));
/// // Not in a project: the target's project id (here none yet) is not used.
/// let endpoints = Endpoints::new(Region::EU_DE);
/// let request = operation.build_request(&Target::new(&endpoints, ""))?;
/// assert_eq!(request.uri(), "https://iam.eu-de.otc.t-systems.com/v3/auth/tokens");
/// assert_eq!(request.headers()["content-type"], "application/json;charset=UTF-8");
/// assert!(!format!("{operation:?}").contains("pw"));
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePasswordToken<'a> {
    /// Who logs in.
    pub login: &'a PasswordLogin,
    /// The project the token is for.
    pub scope: TokenScope,
}

impl<'a> CreatePasswordToken<'a> {
    /// A token for `login`, scoped to `scope`.
    pub fn new(login: &'a PasswordLogin, scope: TokenScope) -> CreatePasswordToken<'a> {
        CreatePasswordToken { login, scope }
    }
}

impl Operation for CreatePasswordToken<'_> {
    type Response = TokenAnswer;
    const NAME: &'static str = "CreatePasswordToken";
    const SERVICE: Service = Service::Iam;
    const METHOD: http::Method = http::Method::POST;
    const PATH_TEMPLATE: &'static str = "/v3/auth/tokens";
    const SUCCESS_STATUS: &'static [u16] = &[201];
    const CONTENT_TYPE: &'static str = IAM_CONTENT_TYPE;

    fn path_param(&self, _name: &str) -> Option<PathValue<'_>> {
        None
    }

    fn body(&self) -> Result<Option<Vec<u8>>, BuildError> {
        let project = match &self.scope {
            TokenScope::ProjectId(id) => serde_json::json!({ "id": id }),
            TokenScope::ProjectName(name) => serde_json::json!({ "name": name }),
        };
        let login = self.login;
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
        json_body(&body)
    }
}

/// The body of IAM's answer to [`CreatePasswordToken`] (the token itself is in the
/// `X-Subject-Token` header), as far as a client reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenAnswer {
    /// The `token` object.
    pub token: TokenDetails,
}

impl OperationResponse for TokenAnswer {}

/// The `token` object of a [`TokenAnswer`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenDetails {
    /// When the token expires (`expires_at`, RFC 3339).
    #[serde(deserialize_with = "rfc3339")]
    pub expires_at: UtcTime,
    /// The project the token is scoped to, when IAM says.
    #[serde(default)]
    pub project: Option<ProjectRef>,
}

/// A project as IAM's answers name it (only the id is read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProjectRef {
    /// The project id.
    pub id: String,
    /// The project name (`eu-de`, `eu-de_demo`); absent in a token's scope.
    #[serde(default)]
    pub name: Option<String>,
}

fn rfc3339<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<UtcTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    UtcTime::parse_rfc3339(&text)
        .ok_or_else(|| serde::de::Error::custom("token.expires_at is not an RFC 3339 time"))
}

/// `GET /v3/projects` (IAM's *Querying Project Information Based on the Specified
/// Criteria*), generated from its page: clients look a project name up with it; and its
/// answer.
///
/// ```
/// use otc_jobs_core::auth::iam::ListProjects;
/// use otc_jobs_core::{Endpoints, OperationExt, Region, Target};
/// let endpoints = Endpoints::new(Region::EU_NL);
/// let request = ListProjects::new().name("eu-nl_demo").build_request(&Target::new(&endpoints, ""))?;
/// assert_eq!(request.uri(), "https://iam.eu-nl.otc.t-systems.com/v3/projects?name=eu-nl_demo");
/// assert!(!request.headers().contains_key("x-project-id"));
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
pub use crate::iam::{ListProjects, ListProjectsProject, ListProjectsResponse};

/// IAM's pages ask for a charset (`application/json;charset=utf8`).
const IAM_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// Builds [`CreatePasswordToken`]'s request: `POST {iam}/v3/auth/tokens` for a password
/// login.
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
    CreatePasswordToken::new(login, scope.clone()).build_request(&Target::new(endpoints, ""))
}

/// Builds [`ListProjects`]'s request for one name: `GET {iam}/v3/projects?name={name}`,
/// to resolve a project name to its id.
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
    ListProjects::new()
        .name(name)
        .build_request(&Target::new(endpoints, ""))
}

/// A token IAM issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamToken {
    /// The token (`X-Subject-Token`).
    pub token: SecretString,
    /// When it expires (`token.expires_at`).
    pub expires_at: UtcTime,
    /// The project the token is scoped to, when IAM says.
    pub project_id: Option<String>,
}

impl IamToken {
    /// Whether the token should be replaced at `now`: expired, or expiring within `margin`
    /// seconds.
    ///
    /// ```
    /// use otc_jobs_core::{auth::iam::IamToken, UtcTime};
    /// let t = IamToken { token: "t".into(), expires_at: UtcTime::from_unix(1000), project_id: None };
    /// assert!(!t.needs_refresh(UtcTime::from_unix(100), 300));
    /// assert!(t.needs_refresh(UtcTime::from_unix(800), 300));
    /// ```
    pub fn needs_refresh(&self, now: UtcTime, margin_seconds: u64) -> bool {
        now.unix().saturating_add(margin_seconds) >= self.expires_at.unix()
    }
}

/// Reads IAM's answer to [`CreatePasswordToken`] ([`password_token_request`]): the token
/// from `X-Subject-Token`, its expiry and project from the body.
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
    let answer = CreatePasswordToken::parse_response(response)?;
    let headers = response.headers();
    let token = headers
        .get(X_SUBJECT_TOKEN)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            let (status, body) = (response.status(), response.body().as_ref());
            ResponseError::new(
                ResponseErrorKind::Malformed,
                "no X-Subject-Token header",
                status,
                headers,
                body,
            )
        })?;
    Ok(IamToken {
        token: SecretString::new(token),
        expires_at: answer.token.expires_at,
        project_id: answer.token.project.map(|p| p.id),
    })
}

/// Reads IAM's answer to [`ListProjects`]: the id of the one project named `name`. Clients
/// list every project the credentials see (`ListProjects::new()`), so that a name that is
/// none of them is refused with the names there are ([`BuildError::UnknownProject`]);
/// the answer of a by-name lookup ([`projects_by_name_request`]) reads the same.
///
/// ```
/// use otc_jobs_core::auth::iam::parse_projects_response;
/// let answer = http::Response::builder().status(200).body(
///     br#"{"projects": [{"id": "0a1b", "name": "eu-de"}, {"id": "9f8e", "name": "eu-de_ci"}]}"#.to_vec(),
/// )?;
/// assert_eq!(parse_projects_response(&answer, "eu-de_ci")?, "9f8e");
/// let typo = parse_projects_response(&answer, "eu-de_cl").unwrap_err();
/// assert_eq!(
///     typo.to_string(),
///     r#"could not build the request: no project named "eu-de_cl"; the credentials see eu-de, eu-de_ci"#
/// );
/// assert!(typo.is_misconfiguration());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_projects_response<B: AsRef<[u8]>>(
    response: &http::Response<B>,
    name: &str,
) -> Result<String, Error> {
    let list = ListProjects::parse_response(response)?;
    // A by-name answer's items may lack the name: then every item is a match.
    let named = |p: &&ListProjectsProject| p.name.as_deref().is_none_or(|n| n == name);
    let found: Vec<&ListProjectsProject> = list.projects.iter().filter(named).collect();
    match found.as_slice() {
        [project] => Ok(project.id.clone()),
        [] => {
            let mut known: Vec<String> = list
                .projects
                .iter()
                .filter_map(|p| p.name.clone())
                .collect();
            known.sort();
            Err(BuildError::UnknownProject {
                name: name.to_owned(),
                known,
            }
            .into())
        }
        several => Err(ResponseError::new(
            ResponseErrorKind::Malformed,
            format!(
                "expected one project named {name:?}, IAM listed {}",
                several.len()
            ),
            response.status(),
            response.headers(),
            response.body().as_ref(),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Region;
    use crate::error::ErrorKind;

    /// IAM's requests are built by `build_request` like every operation's, and carry what
    /// they carried when built by hand: IAM's content type, no project header, the body.
    #[test]
    fn iam_requests_are_built_as_operations_with_iam_headers() {
        let endpoints = Endpoints::new(Region::EU_DE);
        let login = PasswordLogin {
            user_name: "alice".into(),
            password: "pw".into(),
            domain_name: "OTC-EU-DE-1".into(),
        };
        let token =
            password_token_request(&endpoints, &login, &TokenScope::ProjectName("eu-de".into()))
                .unwrap();
        let lookup = projects_by_name_request(&endpoints, "eu-de_a b").unwrap();
        for request in [&token, &lookup] {
            let headers = request.headers();
            assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
            assert_eq!(headers["user-agent"], crate::DEFAULT_USER_AGENT);
            assert!(!headers.contains_key(crate::X_PROJECT_ID));
        }
        assert_eq!(token.method(), http::Method::POST);
        let body: serde_json::Value = serde_json::from_slice(token.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "password": "pw", "domain": {"name": "OTC-EU-DE-1"}}}},
                "scope": {"project": {"name": "eu-de"}}}})
        );
        assert_eq!(lookup.method(), http::Method::GET);
        assert_eq!(
            lookup.uri(),
            "https://iam.eu-de.otc.t-systems.com/v3/projects?name=eu-de_a%20b"
        );
        assert!(lookup.body().is_empty());
        // A project id set on the target changes nothing: IAM's calls are in no project.
        let with_id = ListProjects::new()
            .name("eu-de")
            .build_request(&Target::new(&endpoints, "p1"))
            .unwrap();
        assert!(!with_id.headers().contains_key(crate::X_PROJECT_ID));
    }

    /// The answers are judged by `parse_response` (one prologue for every operation);
    /// what IAM adds is checked after it.
    #[test]
    fn iam_answers_are_judged_as_operations() {
        let answer = |status: u16, body: &str| {
            http::Response::builder()
                .status(status)
                .header(X_SUBJECT_TOKEN, "tok")
                .body(body.as_bytes().to_vec())
                .unwrap()
        };
        let token = parse_token_response(&answer(
            201,
            r#"{"token": {"expires_at": "2024-05-22T10:20:30.000000Z", "project": {"id": "p1"}}}"#,
        ))
        .unwrap();
        assert_eq!(token.expires_at, UtcTime::from_unix(1_716_373_230));
        assert_eq!(token.project_id.as_deref(), Some("p1"));
        let refused = parse_token_response(&answer(403, r#"{"error": {"code": 403}}"#));
        assert!(refused.is_err_and(|e| e.as_service().is_some()));
        let empty = parse_token_response(&answer(201, ""));
        assert!(empty.is_err_and(|e| e.as_response().is_some()));
        let two = parse_projects_response(
            &answer(200, r#"{"projects": [{"id": "a"}, {"id": "b"}]}"#),
            "x",
        )
        .unwrap_err();
        assert!(two.to_string().contains("IAM listed 2"), "{two}");
        let none = parse_projects_response(&answer(200, r#"{"projects": []}"#), "x").unwrap_err();
        assert!(
            matches!(none.kind(), ErrorKind::Build(BuildError::UnknownProject { known, .. }) if known.is_empty()),
            "{none}"
        );
        assert!(none.to_string().contains("IAM lists no project"), "{none}");
        let others = parse_projects_response(
            &answer(
                200,
                r#"{"projects": [{"id": "b", "name": "eu-nl"}, {"id": "a", "name": "eu-de"}]}"#,
            ),
            "eu-de_x",
        )
        .unwrap_err();
        assert!(
            others
                .to_string()
                .ends_with("the credentials see eu-de, eu-nl"),
            "{others}"
        );
        assert!(others.hint().is_some_and(|h| h.contains("--project-name")));
    }
}
