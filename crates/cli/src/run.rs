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
use crate::account_report::{FailedList, Place};
use crate::exit::CliError;
use crate::journal::Earlier;
use crate::plan::{Action, Plan, PlanItem};
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
    /// Jobs the rule selected that `protect` keeps (in the plan, skipped).
    pub(crate) protected: usize,
    /// The plan (covered, finished and protected ids skipped); empty when the list failed.
    pub(crate) plan: Plan,
    /// Why the list failed, when it did: nothing of the part is done.
    pub(crate) failed: Option<FailedList>,
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

/// What one part's lists found.
#[derive(Default)]
struct Listed {
    /// The ids the rule selects, with their names.
    selected: Vec<(KindId, Option<String>)>,
    /// How many jobs the list showed.
    count: usize,
    /// The ids the rule selects that `protect` keeps, with their names and why.
    protected: Vec<(KindId, Option<String>, String)>,
}

/// The ids of a list, each with the tag it was listed with (the first, when several).
struct Tagged<'a> {
    tag: &'a str,
    ids: &'a mut HashMap<String, String>,
}

impl otc_jobs_core::kinds::RowSink for Tagged<'_> {
    fn push(&mut self, item: Result<otc_jobs_core::kinds::Row, otc_jobs_core::kinds::RowError>) {
        // An unreadable row has no id to keep; the main list leaves it out too.
        if let Ok(row) = item {
            self.ids
                .entry(row.id.to_string())
                .or_insert_with(|| self.tag.to_owned());
        }
    }
}

/// Lists one project's kind, and selects as `clean KIND` does (the rule's filters; a
/// cancel-only kind's unfinished runs unless the rule names statuses); protected jobs
/// are kept apart, with why. A kind whose list has the `tags` filter is first listed once
/// per protected tag, through that filter (with the rule's own filters, which only
/// narrow it): the ids listed so are protected. A failed list fails the part: nothing of
/// it is acted on without knowing what is protected.
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
        tagged: &'a HashMap<String, String>,
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
            self.kept.count += 1;
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
            if let Some(why) = self.account.policy.protect.keeps(&row, self.tagged) {
                self.kept.protected.push((row.id, row.name, why));
                return;
            }
            self.kept.selected.push((row.id, row.name));
        }
    }
    let mut tagged = HashMap::new();
    // `None`: the kind's list has no `tags` filter (the policy's warning said so).
    for (tag, filters) in account
        .policy
        .protect
        .tag_lists(&rule.server)
        .unwrap_or_default()
    {
        let mut sink = Tagged {
            tag: &tag,
            ids: &mut tagged,
        };
        backend.list(&filters, &mut sink).await?;
    }
    let facts = rule.kind.facts();
    let mut keep = Keep {
        rule,
        account,
        tagged: &tagged,
        now: SystemTime::now(),
        only_unfinished: !facts.unfinished.is_empty()
            && !rule.server.iter().any(|(f, _)| f.flag == "status"),
        kept: Listed::default(),
    };
    backend.list(&rule.server, &mut keep).await?;
    Ok(keep.kept)
}

/// What a failed list means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListFailure {
    /// The credentials cannot reach the project (the service's own 401/403: DLI and MRS
    /// answer 401, ModelArts 403): the project is skipped, the run goes on.
    Unreachable,
    /// The setup's (the gateway's own 401/403 `APIG.*`, wrong credentials or signature;
    /// an endpoint that does not serve the API; nothing listening): every list would
    /// fail alike, so the run stops at once, nothing deleted (exit 2).
    Misconfigured,
    /// This list's (a 5xx after the SDK's retries, a refusal, an unreadable answer): that
    /// part is reported failed, the rest of the run goes on.
    Part,
}

fn list_failure(error: &otc_jobs_core::Error) -> ListFailure {
    let refused = error
        .status()
        .is_some_and(|s| s == http::StatusCode::UNAUTHORIZED || s == http::StatusCode::FORBIDDEN);
    let gateway = error.code().is_some_and(|c| c.starts_with("APIG."));
    match crate::backend::verdict(error) {
        _ if refused && gateway => ListFailure::Misconfigured,
        _ if refused => ListFailure::Unreachable,
        crate::backend::Verdict::Misconfigured(_) => ListFailure::Misconfigured,
        _ => ListFailure::Part,
    }
}

/// Lists and plans every target's kinds, `parallelism` lists at a time. A project the
/// credentials cannot reach is marked so (said on stderr) and has no parts; a part whose
/// list failed is planned empty, with the failure ([`Part::failed`]), and the rest goes
/// on. The run stops before anything is deleted (`Err`) when the failure is the setup's
/// (at once) or when every list failed the same way. `earlier`: each scope's journal,
/// in [`scopes`]'s order.
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
    let backends: Vec<Arc<SdkBackend>> = targets.iter().map(|t| Arc::clone(&t.backend)).collect();
    let mut listed = futures_util::stream::iter(jobs)
        .map(|(t, r)| {
            let backend = Arc::clone(&backends[t]);
            async move { ((t, r), list_part(&backend, &rules[r], account).await) }
        })
        .buffered(parallelism.max(1));
    let mut parts = Vec::new();
    let (mut lists_done, mut failures) = (0, Vec::new());
    while let Some(((t, r), result)) = listed.next().await {
        let kind = rules[r].kind;
        let in_project = |what: &str| format!("in project {}; {what}", targets[t].project.name);
        let Listed {
            mut selected,
            count,
            protected,
        } = match result {
            Ok(found) => {
                lists_done += 1;
                found
            }
            Err(e) => match list_failure(&e) {
                ListFailure::Misconfigured => {
                    // Dropping the stream ends the lists still in flight.
                    return Err(crate::backend::list_failed(
                        kind,
                        &e,
                        &in_project("nothing was deleted"),
                    ));
                }
                ListFailure::Unreachable => {
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
                ListFailure::Part => {
                    eprintln!(
                        "warning: cannot list {kind}s in project {} ({}): {}: that part is \
                         reported failed, the rest of the run goes on",
                        targets[t].project.name,
                        targets[t].project.id,
                        crate::backend::one_line(&e)
                    );
                    parts.push(Part {
                        target: t,
                        kind,
                        scope: format!("{}/{kind}", targets[t].project.id),
                        listed: 0,
                        protected: 0,
                        plan: Plan::new(kind, Vec::new(), &HashSet::new(), &HashMap::new()),
                        failed: Some(FailedList {
                            place: targets[t].place.clone(),
                            kind,
                            answer: crate::report::Answer::of(&e, crate::backend::message(&e)),
                        }),
                    });
                    failures.push((kind, e));
                    continue;
                }
            },
        };
        let slot = t * rules.len() + r;
        let journal = earlier.get(slot).cloned().unwrap_or_default();
        // A resumed run is the whole run: ids its journal knows are in it, listed or not.
        // (Not one that is protected now.)
        if journal.iter().next().is_some() {
            let listed: HashSet<&KindId> = selected
                .iter()
                .map(|(id, _)| id)
                .chain(protected.iter().map(|(id, _, _)| id))
                .collect();
            let unlisted: Vec<_> = journal
                .iter()
                .filter(|k| !listed.contains(&k.id))
                .map(|k| (k.id.clone(), k.name.clone()))
                .collect();
            selected.extend(unlisted);
        }
        let mut plan =
            Plan::new(kind, selected, &HashSet::new(), &journal.finished()).of_listed(Some(count));
        // The protected ones are in the plan (and so in the report) as skipped, with why.
        let kept = protected.len();
        plan.items
            .extend(protected.into_iter().map(|(id, name, why)| PlanItem {
                id,
                name,
                action: Action::Skip(why),
            }));
        parts.push(Part {
            target: t,
            kind,
            scope: format!("{}/{kind}", targets[t].project.id),
            listed: count,
            protected: kept,
            plan,
            failed: None,
        });
    }
    drop(listed);
    // The targets unreachable through one kind are skipped through all.
    parts.retain(|p| targets[p.target].unreachable.is_none());
    // Every list of the run failed, and alike: the setup's or the service's as a whole,
    // not a part's (a single list failing is this too): the run stops, as one list would.
    if let Some((kind, first)) = failures.first()
        && lists_done == 0
        && failures
            .iter()
            .all(|(_, e)| e.status() == first.status() && e.code() == first.code())
    {
        return Err(crate::backend::list_failed(
            *kind,
            first,
            &format!(
                "every list of the run ({}) failed the same way; nothing was deleted",
                failures.len()
            ),
        ));
    }
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
    /// Jobs the list showed.
    listed: usize,
    /// Jobs the rule selects (the protected and covered ones among them).
    selected: usize,
    /// Selected, and kept by `protect`.
    protected: usize,
    /// Selected, and going with their parent.
    covered: usize,
    /// `delete`, `cancel`, or `list failed`.
    action: &'static str,
    /// How many the run acts on.
    to_act: usize,
    /// Why the list failed (`HTTP 500 DLI.0999 … (request id …)`), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed: Option<String>,
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
                action: if p.failed.is_some() {
                    "list failed"
                } else {
                    p.kind.action().verb()
                },
                to_act: p.plan.to_delete(),
                failed: p.failed.as_ref().map(|f| f.answer.to_string()),
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

    /// Whether a part's list failed: the plan is incomplete.
    pub(crate) fn incomplete(&self) -> bool {
        self.rows.iter().any(|r| r.failed.is_some())
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
        for r in &self.rows {
            if let Some(failed) = &r.failed {
                text.push_str(&format!(
                    "\n{} ({}) {}: the list failed ({failed}): not planned",
                    r.place.project.name.as_deref().unwrap_or_default(),
                    r.place.project.id.as_deref().unwrap_or_default(),
                    r.kind
                ));
            }
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
            failed: None,
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
