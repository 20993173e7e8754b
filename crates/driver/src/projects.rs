//! The projects the credentials may use, from IAM, for a run over a whole account: with a
//! token (a password login, or a fixed token) `GET /v3/auth/projects` (the projects the
//! token's user may access), with AK/SK the signed `GET /v3/projects` (as
//! gophertelekomcloud resolves names). Both clients' `projects()` send the one
//! [`ProjectList::for_config`] picks and read its answer here.

use otc_jobs_core::auth::Credentials;
use otc_jobs_core::iam::{ListAuthProjects, ListAuthProjectsResponse, ListProjectsResponse};
use otc_jobs_core::{Error, Region, ResponseError, ResponseErrorKind};

use crate::config::{Auth, Config, Project};

/// A project the credentials may use, as IAM lists it.
///
/// ```
/// use otc_jobs_driver::{AccountProject, Project};
/// use otc_jobs_driver::__core::Region;
///
/// let ci = AccountProject { id: "9f8e".into(), name: "eu-nl_ci".into() };
/// assert_eq!(ci.region(), Some(Region::EU_NL));
/// assert_eq!(ci.project(), Project::Id("9f8e".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProject {
    /// The project id.
    pub id: String,
    /// The project name (`eu-de`, `eu-de_ci`).
    pub name: String,
}

impl AccountProject {
    /// The region its name says it is in ([`Project::region`]: `eu-de_ci` is in `eu-de`).
    pub fn region(&self) -> Option<Region> {
        Project::Name(self.name.clone()).region()
    }

    /// The project, by id, for `Client::for_project`.
    pub fn project(&self) -> Project {
        Project::Id(self.id.clone())
    }
}

/// Which of IAM's project lists the credentials use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectList {
    /// `GET /v3/projects`, signed with AK/SK.
    ByCriteria,
    /// `GET /v3/auth/projects`, with a token.
    OfToken,
}

impl ProjectList {
    /// The list for `config`'s credentials.
    ///
    /// ```
    /// use otc_jobs_driver::{ClientBuilder, Config, ProjectList};
    /// let aksk = ClientBuilder::<Config>::new().ak_sk("AK", "SK").project_id("p").region("eu-de").build()?;
    /// assert_eq!(ProjectList::for_config(&aksk), ProjectList::ByCriteria);
    /// let token = ClientBuilder::<Config>::new().token("MIIT").project_id("p").region("eu-de").build()?;
    /// assert_eq!(ProjectList::for_config(&token), ProjectList::OfToken);
    /// # Ok::<(), otc_jobs_driver::ConfigError>(())
    /// ```
    pub fn for_config(config: &Config) -> ProjectList {
        match config.auth() {
            Auth::Password(_) | Auth::Fixed(Credentials::Token(_)) => ProjectList::OfToken,
            // AK/SK, permanent or temporary (and whatever signs requests).
            Auth::Fixed(_) => ProjectList::ByCriteria,
        }
    }

    /// The operation of [`ProjectList::OfToken`] (`ListProjects::new()` is the other's).
    pub fn of_token() -> ListAuthProjects {
        ListAuthProjects::new()
    }
}

/// An item IAM listed without what every project has: an error, never a silently short
/// list.
fn incomplete(what: &str) -> Error {
    ResponseError::new(
        ResponseErrorKind::Malformed,
        format!("IAM listed a project without {what}"),
        http::StatusCode::OK,
        &http::HeaderMap::new(),
        b"",
    )
    .into()
}

/// The projects of a `GET /v3/projects` answer, sorted by name.
///
/// ```
/// use otc_jobs_driver::{AccountProject, projects_by_criteria};
/// let answer: otc_jobs_driver::__core::iam::ListProjectsResponse =
///     serde_json::from_str(r#"{"projects": [{"id": "b", "name": "eu-nl_ml"}, {"id": "a", "name": "eu-de"}]}"#)?;
/// let projects = projects_by_criteria(answer)?;
/// assert_eq!(projects[0], AccountProject { id: "a".into(), name: "eu-de".into() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn projects_by_criteria(answer: ListProjectsResponse) -> Result<Vec<AccountProject>, Error> {
    let mut projects = answer
        .projects
        .into_iter()
        .map(|p| {
            Ok(AccountProject {
                id: p.id,
                name: p.name.ok_or_else(|| incomplete("a name"))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    by_name(&mut projects);
    Ok(projects)
}

/// The projects of a `GET /v3/auth/projects` answer, sorted by name.
///
/// ```
/// use otc_jobs_driver::projects_of_token;
/// let answer: otc_jobs_driver::__core::iam::ListAuthProjectsResponse =
///     serde_json::from_str(r#"{"projects": [{"id": "a", "name": "eu-de"}, {"name": "eu-de_x"}]}"#)?;
/// assert!(projects_of_token(answer).is_err()); // the second has no id
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn projects_of_token(answer: ListAuthProjectsResponse) -> Result<Vec<AccountProject>, Error> {
    let mut projects = answer
        .projects
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            Ok(AccountProject {
                id: p.id.ok_or_else(|| incomplete("an id"))?,
                name: p.name.ok_or_else(|| incomplete("a name"))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    by_name(&mut projects);
    Ok(projects)
}

fn by_name(projects: &mut [AccountProject]) {
    projects.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
}
