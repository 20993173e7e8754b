//! The whole-account run: the projects IAM lists, chosen by the [`Account`]'s rails; each
//! project's kinds listed (in parallel, within `--parallelism`) and planned; one plan for
//! the whole run, which `plan` and `--dry-run` print; then every part (a project's kind)
//! executed at once under one `--parallelism` bound and one throttle per service
//! endpoint, into one journal and one report.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::Semaphore;

use otc_jobs_async::{AccountProject, Client};
use otc_jobs_core::kinds::{Kind, KindId};

use crate::account::{Account, region_of};
use crate::account_report::Place;
use crate::exit::CliError;
use crate::journal::Earlier;
use crate::plan::{Action, Plan};
use crate::policy::KindRule;
use crate::sdk::SdkBackend;

/// The note of a job whose parent the run deletes: it goes with its parent.
pub(crate) const COVERED: &str = "covered by its parent's deletion";

/// A project the run works in.
pub(crate) struct Target {
    /// As IAM lists it.
    pub(crate) project: AccountProject,
    /// Where, for the report.
    pub(crate) place: Place,
    /// Its calls.
    pub(crate) backend: Arc<SdkBackend>,
    /// Its client (for the endpoints its throttles are keyed on).
    pub(crate) client: Client,
    /// The services' answer when the credentials cannot reach it (401/403).
    pub(crate) unreachable: Option<String>,
}

/// One project's kind: what was listed, protected, covered, and the plan.
pub(crate) struct Part {
    /// Which target.
    pub(crate) target: usize,
    /// The kind.
    pub(crate) kind: Kind,
    /// The journal's scope: `PROJECT_ID/KIND`.
    pub(crate) scope: String,
    /// Jobs listed.
    pub(crate) listed: usize,
    /// Jobs the rule selected that `protect` kept out of the plan.
    pub(crate) protected: usize,
    /// The plan (covered and finished ids skipped).
    pub(crate) plan: Plan,
}

/// The projects the run works in: IAM's list, chosen by `account`'s rails (exit 2 before
/// anything is listed when it is refused).
pub(crate) async fn targets(client: &Client, account: &Account) -> Result<Vec<Target>, CliError> {
    let discovered = client.projects().await.map_err(|e| {
        let problem = format!(
            "cannot list the account's projects (IAM): {}",
            crate::backend::one_line(&e)
        );
        match crate::backend::verdict(&e) {
            crate::backend::Verdict::Misconfigured(check) => CliError::usage(problem, check),
            _ => CliError::failed(problem, "nothing was listed or deleted; try again"),
        }
    })?;
    let chosen = account.choose(&discovered)?;
    if chosen.is_empty() {
        eprintln!(
            "warning: no project of the {} the credentials reach is selected (projects, \
             --regions): nothing to do",
            discovered.len()
        );
    }
    Ok(chosen
        .into_iter()
        .map(|project| {
            let mut handle = client.for_project(project.project());
            if let Some(region) = project.region() {
                handle = handle.in_region(region);
            }
            let place = Place {
                project: crate::report::ProjectRef {
                    id: Some(project.id.clone()),
                    name: Some(project.name.clone()),
                },
                region: region_of(&project.name).to_owned(),
            };
            Target {
                backend: Arc::new(SdkBackend::new(handle.clone())),
                client: handle,
                project,
                place,
                unreachable: None,
            }
        })
        .collect())
}

/// The journal scopes of the run, in order: each target's kinds.
pub(crate) fn scopes(targets: &[Target], account: &Account) -> Vec<(String, Kind)> {
    targets
        .iter()
        .flat_map(|t| {
            account
                .rules()
                .iter()
                .map(move |r| (format!("{}/{}", t.project.id, r.kind), r.kind))
        })
        .collect()
}

/// Whether `error` says the credentials cannot reach the project (DLI and MRS answer
/// 401, ModelArts 403): the project is skipped, the run goes on.
fn is_unreachable(error: &otc_jobs_core::Error) -> bool {
    error
        .status()
        .is_some_and(|s| s == http::StatusCode::UNAUTHORIZED || s == http::StatusCode::FORBIDDEN)
}

/// What one list found: (selected ids, listed, protected).
type Listed = (Vec<(KindId, Option<String>)>, usize, usize);

/// Lists one project's kind, and selects as `clean KIND` does (the rule's filters; a
/// cancel-only kind's unfinished runs unless the rule names statuses); protected jobs
/// are counted and left out.
async fn list_part(
    backend: &SdkBackend,
    rule: &KindRule,
    account: &Account,
) -> Result<Listed, otc_jobs_core::Error> {
    use crate::backend::Backend;
    use otc_jobs_core::kinds::{Row, RowError, RowSink};
    struct Keep<'a> {
        rule: &'a KindRule,
        account: &'a Account,
        now: SystemTime,
        only_unfinished: bool,
        kept: Listed,
    }
    impl RowSink for Keep<'_> {
        fn push(&mut self, item: Result<Row, RowError>) {
            let row = match item {
                Ok(row) => row,
                Err(unreadable) => {
                    eprintln!("warning: {unreadable}: it is left out");
                    return;
                }
            };
            self.kept.1 += 1;
            let facts = self.rule.kind.facts();
            let unfinished = row
                .status
                .as_deref()
                .is_some_and(|s| facts.is_unfinished(s));
            if (self.only_unfinished && !unfinished)
                || !self.rule.local.matches(&row, self.now)
                || !self.rule.admits(&row)
            {
                return;
            }
            if self.account.policy.protect.protects(&row) {
                self.kept.2 += 1;
                return;
            }
            self.kept.0.push((row.id, row.name));
        }
    }
    let facts = rule.kind.facts();
    let mut keep = Keep {
        rule,
        account,
        now: SystemTime::now(),
        only_unfinished: !facts.unfinished.is_empty()
            && !rule.server.iter().any(|(f, _)| f.flag == "status"),
        kept: (Vec::new(), 0, 0),
    };
    backend.list(&rule.server, &mut keep).await?;
    Ok(keep.kept)
}

/// Lists and plans every target's kinds, `parallelism` lists at a time. A project the
/// credentials cannot reach is marked so (said on stderr) and has no parts; any other
/// list failure stops the run before anything is deleted. `earlier`: each scope's
/// journal, in [`scopes`]'s order.
pub(crate) async fn plan(
    targets: &mut [Target],
    account: &Account,
    earlier: &[Earlier],
    parallelism: usize,
) -> Result<Vec<Part>, CliError> {
    let rules = account.rules();
    let jobs: Vec<(usize, usize)> = (0..targets.len())
        .flat_map(|t| (0..rules.len()).map(move |r| (t, r)))
        .collect();
    let listed: Vec<((usize, usize), Result<Listed, otc_jobs_core::Error>)> =
        futures_util::stream::iter(jobs)
            .map(|(t, r)| {
                let backend = Arc::clone(&targets[t].backend);
                async move { ((t, r), list_part(&backend, &rules[r], account).await) }
            })
            .buffered(parallelism.max(1))
            .collect()
            .await;
    let mut parts = Vec::new();
    for ((t, r), result) in listed {
        let kind = rules[r].kind;
        let (mut selected, count, protected) = match result {
            Ok(found) => found,
            Err(e) if is_unreachable(&e) => {
                if targets[t].unreachable.is_none() {
                    let line = crate::backend::one_line(&e);
                    eprintln!(
                        "warning: project {} ({}) is not reachable with these credentials \
                         ({line}): it is skipped",
                        targets[t].project.name, targets[t].project.id
                    );
                    targets[t].unreachable = Some(line);
                }
                continue;
            }
            Err(e) => {
                return Err(crate::backend::list_failed(
                    kind,
                    &e,
                    &format!(
                        "in project {}; nothing was deleted",
                        targets[t].project.name
                    ),
                ));
            }
        };
        let slot = t * rules.len() + r;
        let journal = earlier.get(slot).cloned().unwrap_or_default();
        // A resumed run is the whole run: ids its journal knows are in it, listed or not.
        if journal.iter().next().is_some() {
            let listed: HashSet<&KindId> = selected.iter().map(|(id, _)| id).collect();
            let unlisted: Vec<_> = journal
                .iter()
                .filter(|k| !listed.contains(&k.id))
                .map(|k| (k.id.clone(), k.name.clone()))
                .collect();
            selected.extend(unlisted);
        }
        let plan =
            Plan::new(kind, selected, &HashSet::new(), &journal.finished()).of_listed(Some(count));
        parts.push(Part {
            target: t,
            kind,
            scope: format!("{}/{kind}", targets[t].project.id),
            listed: count,
            protected,
            plan,
        });
    }
    // The targets unreachable through one kind are skipped through all.
    parts.retain(|p| targets[p.target].unreachable.is_none());
    // IAM answered these credentials: one project refused is that project's; every one
    // refused is the setup's (exit 2, nothing deleted).
    if !targets.is_empty() && targets.iter().all(|t| t.unreachable.is_some()) {
        return Err(CliError::usage(
            "no project of the run is reachable with these credentials (every list was refused)",
            "check the credentials' permissions in these projects, or name other projects",
        ));
    }
    cover_children(&mut parts);
    Ok(parts)
}

/// Within a project, a job whose parent the run deletes is skipped, as covered by it.
fn cover_children(parts: &mut [Part]) {
    let mut deleted: HashMap<(usize, Kind), HashSet<String>> = HashMap::new();
    for part in parts.iter() {
        let ids = part
            .plan
            .items
            .iter()
            .filter(|i| i.action == Action::Delete)
            .map(|i| i.id.to_string())
            .collect();
        deleted.insert((part.target, part.kind), ids);
    }
    for part in parts.iter_mut() {
        let Some(parent) = part.kind.parent() else {
            continue;
        };
        let Some(parents) = deleted.get(&(part.target, parent)) else {
            continue;
        };
        for item in &mut part.plan.items {
            let text = item.id.to_string();
            let of_parent = text.split_once('/').map(|(p, _)| p);
            if item.action.acts() && of_parent.is_some_and(|p| parents.contains(p)) {
                item.action = Action::Skip(COVERED.to_owned());
            }
        }
    }
}

/// One row of the run's plan: a project's kind.
#[derive(Debug, Serialize)]
pub(crate) struct PlanRow<'a> {
    #[serde(flatten)]
    place: &'a Place,
    #[serde(serialize_with = "crate::report::display")]
    kind: Kind,
    listed: usize,
    selected: usize,
    protected: usize,
    covered: usize,
    action: &'static str,
    /// How many the run acts on.
    to_act: usize,
}

/// The run's plan, as `plan` prints it.
#[derive(Debug, Serialize)]
pub(crate) struct AccountPlan<'a> {
    /// The selection as understood (YAML).
    policy: String,
    /// Projects skipped: the credentials cannot reach them.
    unreachable: Vec<&'a Place>,
    rows: Vec<PlanRow<'a>>,
    /// How many jobs the run acts on.
    total: usize,
}

/// The plan of `parts`, for printing.
pub(crate) fn account_plan<'a>(
    account: &Account,
    targets: &'a [Target],
    parts: &[Part],
) -> AccountPlan<'a> {
    let rows: Vec<PlanRow<'a>> = parts
        .iter()
        .map(|p| {
            let covered = p
                .plan
                .items
                .iter()
                .filter(|i| matches!(&i.action, Action::Skip(r) if r == COVERED))
                .count();
            PlanRow {
                place: &targets[p.target].place,
                kind: p.kind,
                listed: p.listed,
                selected: p.plan.items.len(),
                protected: p.protected,
                covered,
                action: p.kind.action().verb(),
                to_act: p.plan.to_delete(),
            }
        })
        .collect();
    AccountPlan {
        policy: account.policy.to_string(),
        unreachable: targets
            .iter()
            .filter(|t| t.unreachable.is_some())
            .map(|t| &t.place)
            .collect(),
        total: rows.iter().map(|r| r.to_act).sum(),
        rows,
    }
}

impl AccountPlan<'_> {
    /// How many jobs the run acts on.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Prints it: YAML and a table (or JSON), on stdout.
    pub(crate) fn print(&self, format: crate::args::Format) {
        use std::io::Write;
        if format != crate::args::Format::Table {
            let text = serde_json::to_string_pretty(self).unwrap_or_default();
            let _ = writeln!(std::io::stdout(), "{text}");
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "# the selection as understood\n{}", self.policy);
        let _ = writeln!(out, "{}", self.table());
    }

    /// The counts per project and kind, as a table.
    pub(crate) fn table(&self) -> String {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::NOTHING);
        t.set_header([
            "PROJECT",
            "REGION",
            "KIND",
            "LISTED",
            "SELECTED",
            "PROTECTED",
            "COVERED",
            "ACTION",
            "JOBS",
        ]);
        for r in &self.rows {
            t.add_row(vec![
                r.place.project.name.clone().unwrap_or_default(),
                r.place.region.clone(),
                r.kind.to_string(),
                r.listed.to_string(),
                r.selected.to_string(),
                r.protected.to_string(),
                r.covered.to_string(),
                r.action.to_owned(),
                r.to_act.to_string(),
            ]);
        }
        let mut text = t.to_string();
        for place in &self.unreachable {
            text.push_str(&format!(
                "\n{} ({}): not reachable with these credentials, skipped",
                place.project.name.as_deref().unwrap_or_default(),
                place.project.id.as_deref().unwrap_or_default()
            ));
        }
        text.push_str(&format!("\n{} job(s) to act on", self.total));
        text
    }
}

/// The semaphore and throttles every part shares.
pub(crate) struct Shared {
    /// `--parallelism`, for the whole run.
    pub(crate) slots: Arc<Semaphore>,
    /// One throttle per service endpoint.
    pub(crate) throttles: crate::throttle::Throttles,
}

impl Shared {
    /// The throttle of `kind`'s service as `client` reaches it.
    pub(crate) fn throttle_of(
        &self,
        client: &Client,
        kind: Kind,
    ) -> Arc<crate::throttle::Throttle> {
        let service = kind.service();
        let endpoints = client.config().endpoints();
        self.throttles
            .of(endpoints.base_url(service).as_str(), service.host_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_a_deleted_training_job_are_covered_by_it() {
        let plan = |kind, ids: Vec<KindId>| {
            let ids = ids.into_iter().map(|id| (id, None)).collect();
            Plan::new(kind, ids, &HashSet::new(), &HashMap::new())
        };
        let version = |job, version| KindId::TrainingJobVersionV1 {
            job_id: job,
            version_id: version,
        };
        let part = |target, kind, plan| Part {
            target,
            kind,
            scope: String::new(),
            listed: 0,
            protected: 0,
            plan,
        };
        let mut parts = vec![
            part(
                0,
                Kind::TrainingJobV1,
                plan(Kind::TrainingJobV1, vec![KindId::TrainingJobV1(10)]),
            ),
            part(
                0,
                Kind::TrainingJobVersionV1,
                plan(
                    Kind::TrainingJobVersionV1,
                    vec![version(10, 1), version(11, 1)],
                ),
            ),
            // Another project's versions of a job 10: not covered.
            part(
                1,
                Kind::TrainingJobVersionV1,
                plan(Kind::TrainingJobVersionV1, vec![version(10, 2)]),
            ),
        ];
        cover_children(&mut parts);
        let actions: Vec<Vec<Action>> = parts
            .iter()
            .map(|p| p.plan.items.iter().map(|i| i.action.clone()).collect())
            .collect();
        assert_eq!(actions[0], [Action::Delete]);
        assert_eq!(
            actions[1],
            [Action::Skip(COVERED.to_owned()), Action::Delete]
        );
        assert_eq!(actions[2], [Action::Delete]);
    }
}
