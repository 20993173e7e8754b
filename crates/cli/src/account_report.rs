//! The report of a whole-account run: every item with its project, region and kind,
//! summaries per project and per kind, one exit code. Built from each part's
//! [`Report`] (one project's kind), so every outcome is the executor's. Its JSON is in
//! `report.schema.json` beside the one-kind report's.

use serde::Serialize;

use otc_jobs_core::kinds::Kind;

use crate::report::{Item, ProjectRef, Report, Stop, Summary};

/// Where a part acted: a project, and its region.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Place {
    /// The project (id and name, as IAM lists it).
    pub(crate) project: ProjectRef,
    /// Its region (`eu-de`).
    pub(crate) region: String,
}

/// One id's line: where, which kind, and the one-kind report's line.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AccountItem {
    /// Where.
    #[serde(flatten)]
    pub(crate) place: Place,
    /// The kind of job.
    #[serde(serialize_with = "crate::report::display")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) kind: Kind,
    /// The id's line.
    #[serde(flatten)]
    pub(crate) item: Item,
}

/// A project's kind whose list failed: nothing of it was planned or done (the rest of
/// the run went on), with the answer.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FailedList {
    /// Where.
    #[serde(flatten)]
    pub(crate) place: Place,
    /// The kind of job.
    #[serde(serialize_with = "crate::report::display")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) kind: Kind,
    /// What the list's answer said.
    #[serde(flatten)]
    pub(crate) answer: crate::report::Answer,
}

/// The counts of one project.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ProjectSummary {
    /// Where.
    #[serde(flatten)]
    pub(crate) place: Place,
    /// The credentials could not reach it (the services answered 401 or 403): skipped,
    /// with the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unreachable: Option<String>,
    /// Its kinds whose list failed (in `failed_lists`), if any.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) failed_lists: usize,
    /// The counts.
    pub(crate) summary: Summary,
}

/// The counts of one kind, over every project.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct KindSummary {
    /// The kind of job.
    #[serde(serialize_with = "crate::report::display")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) kind: Kind,
    /// The projects whose list of it failed (in `failed_lists`), if any.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) failed_lists: usize,
    /// The counts.
    pub(crate) summary: Summary,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The whole run's report.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AccountReport {
    /// The tool: `otc-jobs`.
    pub(crate) tool: &'static str,
    /// The tool's version.
    pub(crate) version: &'static str,
    /// When the command started (RFC 3339, UTC).
    #[cfg_attr(test, schemars(extend("format" = "date-time")))]
    pub(crate) started_at: String,
    /// The policy file, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) policy: Option<String>,
    /// Whether the run was interrupted (Ctrl-C).
    pub(crate) interrupted: bool,
    /// Why the run stopped early, if a part did for a reason of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stopped: Option<Stop>,
    /// The counts of the whole run.
    pub(crate) summary: Summary,
    /// The counts per project, in the run's order (unreachable ones included).
    pub(crate) projects: Vec<ProjectSummary>,
    /// The counts per kind, in the run's order.
    pub(crate) kinds: Vec<KindSummary>,
    /// The project's kinds whose list failed: not planned, not done; the run is
    /// incomplete (exit 1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) failed_lists: Vec<FailedList>,
    /// Every selected id, once, by project then kind.
    pub(crate) items: Vec<AccountItem>,
    /// When the run ended (RFC 3339, UTC).
    #[cfg_attr(test, schemars(extend("format" = "date-time")))]
    pub(crate) ended_at: String,
    /// How long the command took, from `started_at` to `ended_at`, in milliseconds.
    pub(crate) duration_ms: u64,
    /// The exit code (not serialised: the process's own).
    #[serde(skip)]
    code: u8,
}

impl AccountReport {
    /// The report of `parts` (each part's place and report), of the `projects` the run
    /// worked in (those `unreachable` with the reason), the `kinds` in order, and the
    /// parts whose list failed (`failed_lists`: the run is incomplete, exit 1).
    pub(crate) fn new(
        parts: Vec<(Place, Report)>,
        failed_lists: Vec<FailedList>,
        projects: &[(Place, Option<String>)],
        kinds: &[Kind],
        policy: Option<String>,
        started: std::time::SystemTime,
    ) -> AccountReport {
        let mut summary = Summary::default();
        let mut per_project: Vec<ProjectSummary> = projects
            .iter()
            .map(|(place, unreachable)| ProjectSummary {
                place: place.clone(),
                unreachable: unreachable.clone(),
                failed_lists: failed_lists.iter().filter(|f| f.place == *place).count(),
                summary: Summary::default(),
            })
            .collect();
        let mut per_kind: Vec<KindSummary> = kinds
            .iter()
            .map(|&kind| KindSummary {
                kind,
                failed_lists: failed_lists.iter().filter(|f| f.kind == kind).count(),
                summary: Summary::default(),
            })
            .collect();
        let (mut interrupted, mut stopped, mut code) = (false, None, crate::exit::OK);
        if !failed_lists.is_empty() {
            code = crate::exit::FAILED;
        }
        let mut items = Vec::new();
        for (place, report) in parts {
            summary.add(&report.summary);
            if let Some(p) = per_project.iter_mut().find(|p| p.place == place) {
                p.summary.add(&report.summary);
            }
            if let Some(k) = per_kind.iter_mut().find(|k| k.kind == report.kind) {
                k.summary.add(&report.summary);
            }
            code = worse(code, report.exit_code());
            interrupted |= report.interrupted;
            if stopped.is_none() {
                stopped.clone_from(&report.stopped);
            }
            let kind = report.kind;
            items.extend(report.items.into_iter().map(|item| AccountItem {
                place: place.clone(),
                kind,
                item,
            }));
        }
        let ended = std::time::SystemTime::now();
        let took = ended.duration_since(started).unwrap_or_default();
        AccountReport {
            tool: "otc-jobs",
            version: env!("CARGO_PKG_VERSION"),
            started_at: crate::report::rfc3339(started),
            policy,
            interrupted,
            stopped,
            summary,
            projects: per_project,
            kinds: per_kind,
            failed_lists,
            items,
            ended_at: crate::report::rfc3339(ended),
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            code,
        }
    }

    /// The run's exit code: the most serious of its parts' (2 a part stopped for a wrong
    /// setup, 130 interrupted, 1 some failed or a list failed, 3 a wait timed out, 0
    /// else). A project the credentials cannot reach is reported, and does not change it.
    pub(crate) fn exit_code(&self) -> u8 {
        self.code
    }

    /// The one-line summary: `12 jobs in 3 projects: 10 deleted, …`.
    pub(crate) fn summary_line(&self) -> String {
        let s = &self.summary;
        let unreachable = self
            .projects
            .iter()
            .filter(|p| p.unreachable.is_some())
            .count();
        format!(
            "{} job(s) in {} project(s): {} deleted, {} cancelled, {} already gone, {} already \
             finished, {} failed, {} timed out, {} skipped{}{}{}",
            s.total,
            self.projects.len(),
            s.deleted,
            s.cancelled,
            s.already_gone,
            s.already_finished,
            s.failed,
            s.timed_out,
            s.skipped,
            if unreachable > 0 {
                format!(" ({unreachable} project(s) unreachable, skipped)")
            } else {
                String::new()
            },
            match self.failed_lists.len() {
                0 => String::new(),
                n => format!(" ({n} list(s) failed: the run is incomplete)"),
            },
            if self.interrupted {
                " (interrupted)"
            } else {
                ""
            },
        )
    }
}

/// The more serious of two exit codes.
fn worse(a: u8, b: u8) -> u8 {
    let rank = |code: u8| match code {
        crate::exit::USAGE => 5,
        crate::exit::INTERRUPTED => 4,
        crate::exit::FAILED => 3,
        crate::exit::TIMED_OUT => 2,
        crate::exit::OK => 0,
        _ => 1,
    };
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Outcome;
    use otc_jobs_core::kinds::KindId;

    fn place(name: &str) -> Place {
        Place {
            project: ProjectRef {
                id: Some(format!("{name}-id")),
                name: Some(name.to_owned()),
            },
            region: "eu-de".to_owned(),
        }
    }

    #[test]
    fn summaries_add_up_per_project_and_kind_and_the_worst_code_wins() {
        let deleted = |id| {
            Item::new(
                KindId::FlinkJob(id),
                None,
                Outcome::Deleted {
                    attempts: 1,
                    note: None,
                },
            )
        };
        let failed = Item::new(
            KindId::FlinkJob(3),
            None,
            Outcome::Failed {
                answer: crate::report::Answer {
                    status: Some(500),
                    ..crate::report::Answer::none("no".into())
                },
                attempts: 3,
            },
        );
        let parts = vec![
            (
                place("a"),
                Report::new(Kind::FlinkJob, vec![deleted(1), deleted(2)], false),
            ),
            (place("b"), Report::new(Kind::FlinkJob, vec![failed], false)),
        ];
        let projects = [
            (place("a"), None),
            (place("b"), None),
            (place("c"), Some("HTTP 403".into())),
        ];
        let report = AccountReport::new(
            parts,
            Vec::new(),
            &projects,
            &[Kind::FlinkJob, Kind::SqlJob],
            None,
            std::time::SystemTime::now(),
        );
        assert_eq!(
            (
                report.summary.total,
                report.summary.deleted,
                report.summary.failed
            ),
            (3, 2, 1)
        );
        assert_eq!(report.projects[0].summary.deleted, 2);
        assert_eq!(report.projects[1].summary.failed, 1);
        assert_eq!(report.projects[2].unreachable.as_deref(), Some("HTTP 403"));
        assert_eq!(report.kinds[0].summary.total, 3);
        assert_eq!(report.kinds[1].summary.total, 0);
        assert_eq!(report.exit_code(), crate::exit::FAILED);
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["items"][2]["project"]["name"], "b");
        assert_eq!(json["items"][2]["region"], "eu-de");
        assert_eq!(json["items"][2]["kind"], "flink-job");
        assert_eq!(json["items"][2]["outcome"], "failed");
        assert!(
            report
                .summary_line()
                .contains("(1 project(s) unreachable, skipped)")
        );
        assert!(json.get("failed_lists").is_none(), "{json}");
        // A part whose list failed: counted where it was, and the run is incomplete.
        let failed = FailedList {
            place: place("a"),
            kind: Kind::SqlJob,
            answer: crate::report::Answer {
                status: Some(500),
                code: Some("DLI.0999".into()),
                message: "internal error".into(),
                request_id: Some("req-1".into()),
            },
        };
        let deleted_only = vec![(
            place("a"),
            Report::new(Kind::FlinkJob, vec![deleted(1)], false),
        )];
        let incomplete = AccountReport::new(
            deleted_only,
            vec![failed],
            &projects,
            &[Kind::FlinkJob, Kind::SqlJob],
            None,
            std::time::SystemTime::now(),
        );
        assert_eq!(incomplete.exit_code(), crate::exit::FAILED);
        assert_eq!(incomplete.projects[0].failed_lists, 1);
        assert_eq!(incomplete.projects[1].failed_lists, 0);
        assert_eq!(incomplete.kinds[1].failed_lists, 1);
        let json = serde_json::to_value(&incomplete).unwrap_or_default();
        assert_eq!(json["failed_lists"][0]["kind"], "sql-job");
        assert_eq!(json["failed_lists"][0]["project"]["name"], "a");
        assert_eq!(json["failed_lists"][0]["request_id"], "req-1");
        assert!(
            incomplete
                .summary_line()
                .contains("(1 list(s) failed: the run is incomplete)")
        );
        assert_eq!(worse(crate::exit::TIMED_OUT, crate::exit::INTERRUPTED), 130);
        assert_eq!(worse(crate::exit::USAGE, crate::exit::FAILED), 2);
    }

    /// `report.schema.json` is the schema of these types; `UPDATE_SNAPSHOTS=1` rewrites it.
    #[test]
    fn the_committed_schema_is_the_reports() {
        // The report is written, never read: the schema of what is serialised.
        let generator = schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator();
        // A one-kind run's report, or a whole-account run's.
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        #[serde(untagged)]
        enum AnyReport {
            Kind(Report),
            Account(AccountReport),
        }
        let mut schema =
            serde_json::to_value(generator.into_root_schema_for::<AnyReport>()).unwrap();
        schema["title"] = "otc-jobs report".into();
        schema["$id"] = "https://github.com/otc-jobs/otc-jobs/crates/cli/report.schema.json".into();
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("report.schema.json");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "crates/cli/report.schema.json is stale: rerun with UPDATE_SNAPSHOTS=1"
        );
    }
}
