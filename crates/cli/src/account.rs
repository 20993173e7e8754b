//! The settings of a whole-account run (`clean`/`plan` with `--policy`, `--kinds`,
//! `--projects`, `--regions`): the policy file and the flags lowered once into one
//! [`Account`] (flags override the file), checked before anything is listed; and the
//! projects it works in, from those IAM lists, under its rails.

use std::collections::BTreeSet;
use std::path::PathBuf;

use otc_jobs_async::AccountProject;
use otc_jobs_core::kinds::Kind;

use crate::args::{AccountArgs, SelectArgs};
use crate::exit::CliError;
use crate::policy::{KindRule, Policy, ProjectSet, Projects, Protect, Scalar};

/// A whole-account run's selection, as understood: what `otc-jobs plan` shows first.
#[derive(Debug)]
pub(crate) struct Account {
    /// The policy file, when one was given.
    pub(crate) file: Option<PathBuf>,
    /// Its text (for the line of a project name that does not exist).
    text: String,
    /// Projects, kinds (each with its filters, flags applied) and what is protected.
    pub(crate) policy: Policy,
    /// Only projects of these regions; empty: every region.
    pub(crate) regions: Vec<String>,
    /// `--projects` replaced the file's `projects.include`.
    projects_flag: bool,
}

impl Account {
    /// Lowers `args` and the file they name, with `select`'s filters (which override
    /// every kind's) and `kind` (`clean KIND` with `--policy`: that kind only). Every
    /// input the run cannot use is refused here, exit 2, before anything is listed.
    pub(crate) fn lower(
        kind: Option<Kind>,
        select: &SelectArgs,
        args: &AccountArgs,
    ) -> Result<Account, CliError> {
        let (mut policy, text) = match &args.policy {
            Some(path) => {
                let policy = Policy::read(path).map_err(crate::policy::PolicyError::into_cli)?;
                for warning in &policy.warnings {
                    eprintln!("{warning}");
                }
                (policy, std::fs::read_to_string(path).unwrap_or_default())
            }
            None => (
                Policy {
                    projects: Projects::default(),
                    kinds: None,
                    protect: Protect::default(),
                    warnings: Vec::new(),
                    tags_line: 0,
                },
                String::new(),
            ),
        };
        if let Some(flag) = &args.projects {
            policy.projects.include = Some(ProjectSet::from_flag(flag)?);
        }
        // The kinds: the flag's (or KIND), each with the file's rule when it has one.
        let named: Option<Vec<Kind>> = match (&args.kinds, kind) {
            (Some(_), Some(kind)) => {
                return Err(CliError::usage(
                    format!("both KIND ({kind}) and --kinds are given"),
                    "give one of them",
                ));
            }
            (Some(text), None) => Some(kinds_flag(text)?),
            (None, Some(kind)) => Some(vec![kind]),
            (None, None) => None,
        };
        let mut rules = match (named, policy.kinds.take()) {
            (Some(kinds), mut file) => kinds
                .into_iter()
                .map(|kind| {
                    let from_file = file
                        .as_mut()
                        .and_then(|rules| rules.iter().position(|r| r.kind == kind))
                        .and_then(|i| file.as_mut().map(|rules| rules.remove(i)));
                    from_file.unwrap_or_else(|| KindRule::new(kind))
                })
                .collect(),
            (None, Some(rules)) => rules,
            (None, None) => {
                return Err(CliError::usage(
                    "no kinds: the run would touch nothing",
                    "name them with --kinds (all, or flink-job,training-job) or in the policy \
                     file's `kinds:`",
                ));
            }
        };
        if rules.is_empty() {
            return Err(CliError::usage(
                "the policy file's `kinds:` names no kind: the run would touch nothing",
                "name the kinds to clean (`kinds: { flink-job: { older_than: 7d } }`), or give --kinds",
            ));
        }
        for rule in &mut rules {
            apply_flags(rule, select)?;
        }
        if let Some(path) = &args.policy
            && let Some(warning) = policy.tags_warning(path, rules.iter().map(|r| r.kind))
        {
            eprintln!("{warning}");
        }
        policy.kinds = Some(rules);
        if let Some(path) = &select.exclude_file {
            let ids = crate::select::read_exclude_file(path)?;
            policy.protect.ids.extend(ids.into_iter().map(Scalar));
        }
        let regions = match &args.regions {
            Some(text) => regions_flag(text)?,
            None => Vec::new(),
        };
        Ok(Account {
            file: args.policy.clone(),
            text,
            policy,
            regions,
            projects_flag: args.projects.is_some(),
        })
    }

    /// The kinds' rules, in order.
    pub(crate) fn rules(&self) -> &[KindRule] {
        self.policy.kinds.as_deref().unwrap_or_default()
    }

    /// The projects of `discovered` (IAM's list) the run works in, in IAM's order: of
    /// `--regions` (a project's region is its name's prefix), included, not excluded
    /// (`exclude` wins). Refused (exit 2, nothing listed): a run that can reach more than
    /// one project without `include` written out; an included name (not a glob) that is
    /// no project.
    pub(crate) fn choose(
        &self,
        discovered: &[AccountProject],
    ) -> Result<Vec<AccountProject>, CliError> {
        let in_region = |p: &&AccountProject| {
            self.regions.is_empty()
                || self
                    .regions
                    .iter()
                    .any(|r| region_of(&p.name) == r.as_str())
        };
        let reachable: Vec<&AccountProject> = discovered.iter().filter(in_region).collect();
        let projects = &self.policy.projects;
        match &projects.include {
            None if reachable.len() > 1 => {
                let names: Vec<&str> = reachable.iter().map(|p| p.name.as_str()).collect();
                return Err(CliError::usage(
                    format!(
                        "this run can reach {} projects ({}) and no project is named: \
                         refusing to touch them all; nothing was listed",
                        reachable.len(),
                        names.join(", ")
                    ),
                    format!(
                        "write them out: `projects: {{ include: [{}] }}` in the policy file, or \
                         --projects {} (`all` for every project)",
                        names.first().copied().unwrap_or("eu-de"),
                        names.first().copied().unwrap_or("eu-de")
                    ),
                ));
            }
            None => {
                return Ok(reachable
                    .into_iter()
                    .filter(|p| !projects.exclude.iter().any(|x| x.matches(&p.name, &p.id)))
                    .cloned()
                    .collect());
            }
            Some(ProjectSet::Only(patterns)) => {
                for pattern in patterns.iter().filter(|p| !p.is_glob()) {
                    if !discovered.iter().any(|p| pattern.matches(&p.name, &p.id)) {
                        let known: Vec<&str> = discovered.iter().map(|p| p.name.as_str()).collect();
                        return Err(self.no_such_project(pattern.as_str(), &known));
                    }
                }
            }
            Some(ProjectSet::All) => {}
        }
        Ok(reachable
            .into_iter()
            .filter(|p| projects.selects(&p.name, &p.id))
            .cloned()
            .collect())
    }

    /// An included project that IAM does not list: where it is written.
    fn no_such_project(&self, name: &str, known: &[&str]) -> CliError {
        let hint = format!(
            "the credentials reach {}; check the name (or give the id)",
            known.join(", ")
        );
        let problem = format!("no project {name:?} among those the credentials reach");
        match &self.file {
            Some(file) if !self.projects_flag => {
                let line = self
                    .text
                    .lines()
                    .position(|l| l.contains(name) && !l.trim_start().starts_with('#'));
                let at = line.map(|l| format!(":{}", l + 1)).unwrap_or_default();
                CliError::usage(format!("{}{at}: {problem}", file.display()), hint)
            }
            _ => CliError::usage(format!("--projects: {problem}"), hint),
        }
    }

    /// The run's selection as a value, for the journal's header: a rerun that selects
    /// otherwise (another file's content, other flags, other projects) is refused.
    pub(crate) fn selection(&self, projects: &[AccountProject]) -> serde_json::Value {
        serde_json::json!({
            "policy": self.policy.to_string(),
            "regions": self.regions,
            "projects": projects.iter().map(|p| format!("{} ({})", p.name, p.id)).collect::<Vec<_>>(),
        })
    }
}

/// A project's region: its name up to the first `_` (`eu-de_ci` → `eu-de`).
pub(crate) fn region_of(name: &str) -> &str {
    name.split_once('_').map_or(name, |(region, _)| region)
}

/// `--kinds all|K1,K2`.
fn kinds_flag(text: &str) -> Result<Vec<Kind>, CliError> {
    if text.trim() == "all" {
        return Ok(Kind::ALL.to_vec());
    }
    let mut kinds: Vec<Kind> = Vec::new();
    for name in text.split(',').map(str::trim) {
        let kind = name.parse::<Kind>().map_err(|_| {
            CliError::usage(
                format!("--kinds: unknown kind {name:?}"),
                format!(
                    "the kinds are {} (`otc-jobs kinds`), or `all`",
                    Kind::ALL.map(Kind::name).join(", ")
                ),
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// `--regions eu-de,eu-nl`.
fn regions_flag(text: &str) -> Result<Vec<String>, CliError> {
    let regions: BTreeSet<String> = text.split(',').map(|r| r.trim().to_owned()).collect();
    for region in &regions {
        let plausible = region.len() >= 4
            && region.contains('-')
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
        if !plausible {
            return Err(CliError::usage(
                format!("--regions: {region:?} is not a region"),
                "write regions as OTC names them, separated by commas: eu-de,eu-nl",
            ));
        }
    }
    Ok(regions.into_iter().collect())
}

/// The flags' filters over a kind's rule: each given flag replaces the rule's; a server
/// filter the kind's list does not have is refused (exit 2), naming its filters.
fn apply_flags(rule: &mut KindRule, select: &SelectArgs) -> Result<(), CliError> {
    if let Some(age) = select.older_than {
        rule.local.older_than = Some(age);
    }
    if let Some(age) = select.newer_than {
        rule.local.newer_than = Some(age);
    }
    if let Some(re) = &select.name_regex {
        rule.local.name_regex = Some(re.clone());
    }
    for (flag, value) in &select.server.0 {
        rule.server
            .set(flag, value.clone())
            .map_err(|e| crate::select::refused(rule.kind, &e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn project(name: &str, id: &str) -> AccountProject {
        AccountProject {
            id: id.into(),
            name: name.into(),
        }
    }

    fn account(projects: Option<&str>, regions: Option<&str>, policy: &str) -> Account {
        let file = std::env::temp_dir().join(format!(
            "otc-jobs-account-{}-{}.yaml",
            std::process::id(),
            policy.len()
        ));
        std::fs::write(&file, policy).unwrap();
        let args = AccountArgs {
            policy: Some(file.clone()),
            kinds: Some("flink-job".into()),
            projects: projects.map(str::to_owned),
            regions: regions.map(str::to_owned),
        };
        let select = SelectArgs {
            older_than: None,
            newer_than: None,
            name_regex: None,
            exclude_file: None,
            server: crate::args::ServerFlags::default(),
        };
        let account = Account::lower(None, &select, &args).unwrap();
        std::fs::remove_file(&file).unwrap();
        account
    }

    fn names(projects: &[AccountProject]) -> Vec<&str> {
        projects.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn projects_are_chosen_by_region_include_and_exclude_and_never_all_unwritten() {
        let discovered = [
            project("eu-de", "a1"),
            project("eu-de_ci", "b2"),
            project("eu-de_dev-1", "c3"),
            project("eu-nl_ml", "d4"),
        ];
        let all = account(Some("all"), None, "projects: { exclude: [eu-de] }\n");
        assert_eq!(
            names(&all.choose(&discovered).unwrap()),
            ["eu-de_ci", "eu-de_dev-1", "eu-nl_ml"]
        );
        let dev = account(
            None,
            Some("eu-de"),
            "projects: { include: [\"eu-de*\"], exclude: [c3] }\n",
        );
        assert_eq!(
            names(&dev.choose(&discovered).unwrap()),
            ["eu-de", "eu-de_ci"]
        );
        // Nothing written: more than one project is refused, one is the run's.
        let unwritten = account(None, None, "protect: { ids: [1] }\n");
        let refused = unwritten.choose(&discovered).unwrap_err();
        assert_eq!(refused.code, crate::exit::USAGE);
        assert!(
            refused.problem.contains("4 projects"),
            "{}",
            refused.problem
        );
        assert!(refused.hint.unwrap().contains("--projects"));
        let one = account(None, Some("eu-nl"), "protect: { ids: [1] }\n");
        assert_eq!(names(&one.choose(&discovered).unwrap()), ["eu-nl_ml"]);
        // A name that is no project: refused at its line; a glob that matches none is not.
        let typo = account(None, None, "projects:\n  include: [eu-de_ci, eu-de_cj]\n");
        let refused = typo.choose(&discovered).unwrap_err();
        assert!(
            refused.problem.contains(":2: no project \"eu-de_cj\""),
            "{}",
            refused.problem
        );
        let glob = account(Some("eu-fr*,b2"), None, "");
        assert_eq!(names(&glob.choose(&discovered).unwrap()), ["eu-de_ci"]);
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        assert!(
            kinds_flag("flink-job,nope")
                .unwrap_err()
                .problem
                .contains("\"nope\"")
        );
        assert_eq!(kinds_flag("all").unwrap().len(), Kind::ALL.len());
        assert_eq!(
            kinds_flag("flink-job, flink-job,sql-job").unwrap(),
            [Kind::FlinkJob, Kind::SqlJob]
        );
        assert!(regions_flag("eu-de,EU NL").is_err());
        assert_eq!(regions_flag("eu-nl,eu-de").unwrap(), ["eu-de", "eu-nl"]);
        assert_eq!(region_of("eu-de_ci"), "eu-de");
        assert_eq!(region_of("eu-nl"), "eu-nl");
    }
}
