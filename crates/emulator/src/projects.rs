//! The projects the emulator serves: the default one of [`EmulatorConfig`], those it
//! declares ([`EmulatorConfig::projects`]) and those declared while running (the samples'),
//! each with its own [`Store`], made when its first job is seeded.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::store::Store;
use crate::{EmulatorConfig, SeedJob};

/// A project the emulator serves, as `GET /_emulator/projects` lists it and IAM names it.
/// Its region is its name's prefix (`eu-de_ci` is in `eu-de`); the emulator serves every
/// region on one port, so the region only matters to clients.
///
/// ```
/// use otc_jobs_emulator::EmulatorProject;
///
/// let ci = EmulatorProject::new("eu-de_ci", "1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c");
/// assert_eq!(ci.region(), "eu-de");
/// assert!(!ci.unreachable);
/// assert_eq!(
///     serde_json::to_string(&ci)?,
///     r#"{"id":"1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c","name":"eu-de_ci"}"#
/// );
/// // IAM lists it, its services refuse every request for it.
/// let locked = EmulatorProject::new("eu-nl_locked", "9e9e").unreachable();
/// assert!(locked.unreachable);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmulatorProject {
    /// The project id, in request paths.
    pub id: String,
    /// The project's name (`eu-de`, `eu-de_ci`, ...), for IAM.
    pub name: String,
    /// IAM lists the project, but its services answer every request for it as for a
    /// project the credentials may not reach (see the crate's "Answers").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unreachable: bool,
}

impl EmulatorProject {
    /// A reachable project.
    pub fn new(name: impl Into<String>, id: impl Into<String>) -> EmulatorProject {
        EmulatorProject {
            id: id.into(),
            name: name.into(),
            unreachable: false,
        }
    }

    /// The same project, listed by IAM but refused by the services.
    #[must_use]
    pub fn unreachable(mut self) -> EmulatorProject {
        self.unreachable = true;
        self
    }

    /// The region: the name up to its first `_` (`eu-de_ci` → `eu-de`).
    pub fn region(&self) -> &str {
        self.name
            .split_once('_')
            .map_or(self.name.as_str(), |(region, _)| region)
    }
}

/// A job with the project it is in, as `POST /_emulator/jobs` takes it and
/// `GET /_emulator/jobs?project_id=...` lists it: the [`SeedJob`]'s fields and `project_id`
/// (an id or a name when seeding, absent for the default project; the id when listed).
///
/// ```
/// use otc_jobs_emulator::{ProjectJob, SeedJob};
///
/// let job: ProjectJob = serde_json::from_str(r#"{"kind": "flink-job", "job_id": 7, "project_id": "eu-de_ci"}"#)?;
/// assert_eq!(job, ProjectJob::new("eu-de_ci", SeedJob::flink_job(7)));
/// let default: ProjectJob = serde_json::from_str(r#"{"kind": "flink-job", "job_id": 7}"#)?;
/// assert_eq!(default.project_id, None);
/// assert_eq!(serde_json::to_string(&default)?, r#"{"kind":"flink-job","job_id":7}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProjectJob {
    /// The project (its id; an id or a name when seeding); `None`: the default project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The job.
    #[serde(flatten)]
    pub job: SeedJob,
}

impl ProjectJob {
    /// `job` in the project `project` (an id or a name).
    pub fn new(project: impl Into<String>, job: SeedJob) -> ProjectJob {
        ProjectJob {
            project_id: Some(project.into()),
            job,
        }
    }

    /// `job` in the default project.
    pub fn default_project(job: SeedJob) -> ProjectJob {
        ProjectJob {
            project_id: None,
            job,
        }
    }
}

/// The declared projects and their stores.
#[derive(Debug)]
pub(crate) struct Projects {
    /// In order of declaration; the default project first.
    declared: Vec<EmulatorProject>,
    stores: BTreeMap<String, Store>,
    /// Issued token -> the id of the project it is scoped to.
    scopes: HashMap<String, String>,
}

impl Projects {
    pub(crate) fn new(config: &EmulatorConfig) -> Projects {
        let mut projects = Projects {
            declared: vec![EmulatorProject::new(
                config.project_name.clone(),
                config.project_id.clone(),
            )],
            stores: BTreeMap::new(),
            scopes: HashMap::new(),
        };
        for project in &config.projects {
            projects.declare(project.clone());
        }
        projects
    }

    /// The default project's id.
    pub(crate) fn default_id(&self) -> &str {
        self.declared.first().map_or("", |p| p.id.as_str())
    }

    /// Adds a project, or replaces the one with its id.
    pub(crate) fn declare(&mut self, project: EmulatorProject) {
        match self.declared.iter_mut().find(|p| p.id == project.id) {
            Some(existing) => *existing = project,
            None => self.declared.push(project),
        }
    }

    pub(crate) fn list(&self) -> &[EmulatorProject] {
        &self.declared
    }

    /// The project with this id, else with this name.
    pub(crate) fn find(&self, id_or_name: &str) -> Option<&EmulatorProject> {
        self.declared
            .iter()
            .find(|p| p.id == id_or_name)
            .or_else(|| self.declared.iter().find(|p| p.name == id_or_name))
    }

    /// The id of a seed's project (`None`: the default one), or why there is none.
    pub(crate) fn resolve(&self, project: Option<&str>) -> Result<String, String> {
        let Some(wanted) = project else {
            return Ok(self.default_id().to_owned());
        };
        self.find(wanted).map(|p| p.id.clone()).ok_or_else(|| {
            let known: Vec<&str> = self.declared.iter().map(|p| p.name.as_str()).collect();
            format!("no project {wanted:?} (the projects are {known:?}; declare it first)")
        })
    }

    /// The store of a project served to requests: declared and reachable.
    pub(crate) fn reachable_store(&mut self, id: &str) -> Option<&mut Store> {
        let reachable = self.declared.iter().any(|p| p.id == id && !p.unreachable);
        reachable.then(|| self.stores.entry(id.to_owned()).or_default())
    }

    /// The store of a declared project's id, made if it has none yet.
    pub(crate) fn store(&mut self, id: &str) -> &mut Store {
        self.stores.entry(id.to_owned()).or_default()
    }

    /// Every project's jobs (purged at `now`) with its id, in order of declaration.
    pub(crate) fn jobs(&mut self, now: std::time::Instant) -> Vec<(String, Vec<SeedJob>)> {
        let mut out = Vec::new();
        for project in &self.declared {
            if let Some(store) = self.stores.get_mut(&project.id) {
                store.purge(now);
                out.push((project.id.clone(), store.list()));
            }
        }
        out
    }

    /// Forgets every job and token scope; the projects stay declared.
    pub(crate) fn clear(&mut self) {
        for store in self.stores.values_mut() {
            store.clear();
        }
        self.scopes.clear();
    }

    pub(crate) fn scope_token(&mut self, token: String, project_id: String) {
        self.scopes.insert(token, project_id);
    }

    /// The project an issued token is scoped to (`None` for configured tokens).
    pub(crate) fn token_scope(&self, token: &str) -> Option<&str> {
        self.scopes.get(token).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_resolve_and_reach() {
        let config = EmulatorConfig {
            projects: vec![
                EmulatorProject::new("eu-de_ci", "c1"),
                EmulatorProject::new("eu-nl_x", "x1").unreachable(),
            ],
            ..EmulatorConfig::default()
        };
        let mut projects = Projects::new(&config);
        assert_eq!(projects.list().len(), 3);
        assert_eq!(projects.resolve(None).unwrap(), crate::DEFAULT_PROJECT_ID);
        assert_eq!(projects.resolve(Some("eu-de_ci")).unwrap(), "c1");
        assert_eq!(projects.resolve(Some("c1")).unwrap(), "c1");
        let error = projects.resolve(Some("eu-de_typo")).unwrap_err();
        assert!(
            error.contains("eu-de_ci") && error.contains("eu-de_typo"),
            "{error}"
        );
        assert!(projects.reachable_store("c1").is_some());
        assert!(projects.reachable_store("x1").is_none());
        assert!(projects.reachable_store("nobody").is_none());
        assert_eq!(EmulatorProject::new("eu-de", "d").region(), "eu-de");
        // Declaring an id again replaces the project.
        projects.declare(EmulatorProject::new("eu-de_ci2", "c1"));
        assert_eq!(projects.find("c1").unwrap().name, "eu-de_ci2");
        assert_eq!(projects.list().len(), 3);
    }
}
