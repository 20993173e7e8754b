//! The report: one outcome per selected id, built from the executor's outcomes only,
//! with where and when the run acted. Its JSON is a contract: `report.schema.json` (next
//! to this crate's `Cargo.toml`) is generated from these types by a test that fails when
//! it is stale; the fields known at the start come first and those known at the end
//! last, so that a report can later be written as the run goes.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use otc_jobs_core::kinds::{Kind, KindId};

/// What happened to one id. (Read back from the journal, so `Deserialize` too.)
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// Deleted by this run (and, with `--wait`, seen gone).
    Deleted {
        /// Requests made for the deletion.
        attempts: u32,
        /// How the outcome was learnt, when not from the deletion's answer (an interrupted
        /// run's deletion, found gone by a rerun).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The service says it does not exist: nothing left to do (success).
    AlreadyGone {
        /// Requests made.
        attempts: u32,
        /// Why this run may be what removed it (an attempt whose answer was lost).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Cancelled by this run (a kind whose runs cannot be deleted; with `--wait`, seen
    /// over). Never said of a run the service called over before the cancellation.
    Cancelled {
        /// Requests made for the cancellation.
        attempts: u32,
        /// How the run ended, when waited for (its status).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The service says the run is already over (finished, failed or cancelled), in its
    /// own words: nothing left to cancel (success).
    AlreadyFinished {
        /// Requests made.
        attempts: u32,
        /// What the service said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Not deleted.
    Failed {
        /// What the last answer said (or why there was none).
        #[serde(flatten)]
        answer: Answer,
        /// Requests made.
        attempts: u32,
    },
    /// Deleted, but not seen gone within `--wait`.
    TimedOut {
        /// Requests made for the deletion.
        attempts: u32,
        /// How long it was waited for, in seconds.
        waited_secs: u64,
        /// The last status seen.
        last_status: Option<String>,
    },
    /// Not touched.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// What a failed answer said, as a report keeps it: the fields of the SDK's
/// [`Error`](otc_jobs_core::Error) a reader needs to act (the status, the service's code,
/// the request id to quote to support), and the message.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Answer {
    /// The HTTP status of the (last) answer, when one came.
    pub(crate) status: Option<u16>,
    /// The service's error code, when it gave one.
    pub(crate) code: Option<String>,
    /// What went wrong.
    pub(crate) message: String,
    /// The (last) answer's request id, when it had one.
    pub(crate) request_id: Option<String>,
}

impl Answer {
    /// `error`'s status, code and request id, with `message`.
    pub(crate) fn of(error: &otc_jobs_core::Error, message: String) -> Answer {
        Answer {
            status: error.status().map(|s| s.as_u16()),
            code: error.code().map(str::to_owned),
            message,
            request_id: error.request_id().map(str::to_owned),
        }
    }

    /// No answer: only why.
    pub(crate) fn none(message: String) -> Answer {
        Answer {
            status: None,
            code: None,
            message,
            request_id: None,
        }
    }
}

/// `HTTP 500 DLI.0999 message (request id r-1)`: what a table shows.
impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(status) = self.status {
            write!(f, "HTTP {status} ")?;
        }
        if let Some(code) = &self.code {
            write!(f, "{code} ")?;
        }
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl Outcome {
    /// The outcome's name, as in the JSON report.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Outcome::Deleted { .. } => "deleted",
            Outcome::AlreadyGone { .. } => "already_gone",
            Outcome::Cancelled { .. } => "cancelled",
            Outcome::AlreadyFinished { .. } => "already_finished",
            Outcome::Failed { .. } => "failed",
            Outcome::TimedOut { .. } => "timed_out",
            Outcome::Skipped { .. } => "skipped",
        }
    }

    /// One line of detail for a table.
    pub(crate) fn detail(&self) -> String {
        match self {
            Outcome::Deleted {
                attempts,
                note: None,
            }
            | Outcome::AlreadyGone {
                attempts,
                note: None,
            }
            | Outcome::Cancelled {
                attempts,
                note: None,
            }
            | Outcome::AlreadyFinished {
                attempts,
                note: None,
            } => format!("attempts: {attempts}"),
            Outcome::Deleted {
                attempts,
                note: Some(note),
            }
            | Outcome::AlreadyGone {
                attempts,
                note: Some(note),
            }
            | Outcome::Cancelled {
                attempts,
                note: Some(note),
            }
            | Outcome::AlreadyFinished {
                attempts,
                note: Some(note),
            } => format!("attempts: {attempts}; {note}"),
            Outcome::Failed { answer, attempts } => {
                let mut text = answer.to_string();
                text.push_str(&format!(", attempts: {attempts}"));
                text
            }
            Outcome::TimedOut {
                waited_secs,
                last_status,
                ..
            } => format!(
                "still there after {waited_secs}s (status {})",
                last_status.as_deref().unwrap_or("unknown")
            ),
            Outcome::Skipped { reason } => reason.clone(),
        }
    }
}

/// One id's line of the report.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Item {
    /// The id.
    #[serde(serialize_with = "crate::report::display")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: KindId,
    /// The name: as listed, or for an id given by the user from its details (when the
    /// kind has a detail request whose answer names it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
    /// The outcome is an earlier attempt's of the same run, read from `--journal` (this
    /// attempt had nothing left to do for the id).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) earlier_run: bool,
    /// What waiting for it took (`--wait`, `otc-jobs wait`), when it was waited for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wait: Option<Waited>,
}

impl Item {
    /// An outcome of this attempt.
    pub(crate) fn new(id: KindId, name: Option<String>, outcome: Outcome) -> Item {
        Item {
            id,
            name,
            outcome,
            earlier_run: false,
            wait: None,
        }
    }

    /// The same item, with what waiting for it took.
    pub(crate) fn waited(self, wait: Option<Waited>) -> Item {
        Item { wait, ..self }
    }
}

/// What waiting for a deleted job took: the SDK waiter's polls and time.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Waited {
    /// Detail requests sent (0 when the deletion itself said "not found").
    pub(crate) polls: u32,
    /// Time spent waiting, in milliseconds.
    pub(crate) elapsed_ms: u64,
}

impl Waited {
    /// `polls` polls in `elapsed`.
    pub(crate) fn new(polls: u32, elapsed: std::time::Duration) -> Waited {
        Waited {
            polls,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Why a run stopped starting deletions before it was done (other than Ctrl-C).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", content = "message", rename_all = "snake_case")]
pub(crate) enum Stop {
    /// The journal could not be written: a rerun could not be trusted (exit 1).
    JournalUnwritable(String),
    /// The first calls of the run said the setup is wrong (credentials, endpoint): no
    /// other id would fare better (exit 2).
    Misconfigured(String),
}

impl Stop {
    /// What it says.
    pub(crate) fn message(&self) -> &str {
        match self {
            Stop::JournalUnwritable(message) | Stop::Misconfigured(message) => message,
        }
    }
}

/// How many ids ended how.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Ids in the report.
    pub(crate) total: usize,
    /// Deleted.
    pub(crate) deleted: usize,
    /// Already gone.
    pub(crate) already_gone: usize,
    /// Cancelled (a kind whose runs are cancelled, not deleted).
    pub(crate) cancelled: usize,
    /// Already over: nothing to cancel.
    pub(crate) already_finished: usize,
    /// Failed.
    pub(crate) failed: usize,
    /// Timed out waiting.
    pub(crate) timed_out: usize,
    /// Skipped.
    pub(crate) skipped: usize,
}

impl Summary {
    /// Counts one more id, ended as `outcome`.
    pub(crate) fn count(&mut self, outcome: &Outcome) {
        self.total += 1;
        match outcome {
            Outcome::Deleted { .. } => self.deleted += 1,
            Outcome::AlreadyGone { .. } => self.already_gone += 1,
            Outcome::Cancelled { .. } => self.cancelled += 1,
            Outcome::AlreadyFinished { .. } => self.already_finished += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::TimedOut { .. } => self.timed_out += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
    }

    /// Adds `other`'s counts to these (a whole-account run's summaries).
    pub(crate) fn add(&mut self, other: &Summary) {
        self.total += other.total;
        self.deleted += other.deleted;
        self.already_gone += other.already_gone;
        self.cancelled += other.cancelled;
        self.already_finished += other.already_finished;
        self.failed += other.failed;
        self.timed_out += other.timed_out;
        self.skipped += other.skipped;
    }
}

/// Where and by what the run acted: known when it starts.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Context {
    /// The tool: `otc-jobs`.
    pub(crate) tool: &'static str,
    /// The tool's version.
    pub(crate) version: &'static str,
    /// When the command started (RFC 3339, UTC).
    #[cfg_attr(test, schemars(extend("format" = "date-time")))]
    pub(crate) started_at: String,
    /// The project the run acted in.
    pub(crate) project: ProjectRef,
    /// The region (`eu-de`).
    pub(crate) region: String,
    /// The base URL of each service the run used, by service (`dli`, `modelarts`, `mrs`,
    /// `iam`).
    pub(crate) endpoints: BTreeMap<String, String>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            tool: "otc-jobs",
            version: env!("CARGO_PKG_VERSION"),
            started_at: String::new(),
            project: ProjectRef::default(),
            region: String::new(),
            endpoints: BTreeMap::new(),
        }
    }
}

/// A project, by what is known of it.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ProjectRef {
    /// Its id (given, or looked up by name).
    pub(crate) id: Option<String>,
    /// Its name, when given by name.
    pub(crate) name: Option<String>,
}

/// `time` as RFC 3339 in UTC, to the millisecond: `2026-12-07T12:00:00.123Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// The whole run's report.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Report {
    /// Where and by what the run acted.
    #[serde(flatten)]
    pub(crate) context: Context,
    /// The kind of job.
    #[serde(serialize_with = "crate::report::display")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) kind: Kind,
    /// Whether the run was interrupted (Ctrl-C).
    pub(crate) interrupted: bool,
    /// Why the run stopped early, if it did for a reason of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stopped: Option<Stop>,
    /// The counts.
    pub(crate) summary: Summary,
    /// Every selected id, once, in selection order.
    pub(crate) items: Vec<Item>,
    /// When the run ended (RFC 3339, UTC).
    #[cfg_attr(test, schemars(extend("format" = "date-time")))]
    pub(crate) ended_at: String,
    /// How long the command took, from `started_at` to `ended_at`, in milliseconds.
    pub(crate) duration_ms: u64,
    /// How many ids have an earlier attempt's outcome (`earlier_run`): the items say it,
    /// this counts them for the summary line (the items may have been streamed).
    #[serde(skip)]
    pub(crate) earlier_runs: usize,
}

/// Where an execution puts each id's line of the report, in plan order (a `Vec`, or an
/// output that writes each line as it comes: [`crate::output::ReportWriter`]).
pub(crate) trait ItemSink: Send {
    /// The next id's line.
    fn push(&mut self, item: Item);
}

impl ItemSink for Vec<Item> {
    fn push(&mut self, item: Item) {
        Vec::push(self, item);
    }
}

impl Report {
    /// A report of `items`.
    #[cfg(test)]
    pub(crate) fn new(kind: Kind, items: Vec<Item>, interrupted: bool) -> Report {
        Report::stopped(kind, items, interrupted, None)
    }

    /// A report of `items` of a run that stopped early for `stopped`.
    #[cfg(test)]
    pub(crate) fn stopped(
        kind: Kind,
        items: Vec<Item>,
        interrupted: bool,
        stopped: Option<Stop>,
    ) -> Report {
        let mut summary = Summary::default();
        for item in &items {
            summary.count(&item.outcome);
        }
        let earlier_runs = items.iter().filter(|i| i.earlier_run).count();
        Report {
            items,
            ..Report::tallied(kind, summary, earlier_runs, interrupted, stopped)
        }
    }

    /// The report of a run whose items went elsewhere ([`ItemSink`]): its counts only.
    pub(crate) fn tallied(
        kind: Kind,
        summary: Summary,
        earlier_runs: usize,
        interrupted: bool,
        stopped: Option<Stop>,
    ) -> Report {
        Report {
            context: Context::default(),
            kind,
            interrupted,
            stopped,
            summary,
            items: Vec::new(),
            ended_at: String::new(),
            duration_ms: 0,
            earlier_runs,
        }
    }

    /// The same report of a run in `context` that started at `started` and ends now.
    pub(crate) fn ended(self, mut context: Context, started: SystemTime) -> Report {
        let ended = SystemTime::now();
        context.started_at = rfc3339(started);
        let took = ended.duration_since(started).unwrap_or_default();
        Report {
            context,
            ended_at: rfc3339(ended),
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            ..self
        }
    }

    /// The one-line summary.
    pub(crate) fn summary_line(&self) -> String {
        let s = &self.summary;
        let earlier = self.earlier_runs;
        // A kind whose runs are cancelled counts cancellations where others count deletions.
        let done = if self.kind.action() == otc_jobs_core::kinds::Action::Cancel {
            format!(
                "{} cancelled, {} already finished",
                s.cancelled, s.already_finished
            )
        } else {
            format!("{} deleted", s.deleted)
        };
        format!(
            "{} {}: {done}, {} already gone, {} failed, {} timed out, {} skipped{}{}{}",
            s.total,
            self.kind,
            s.already_gone,
            s.failed,
            s.timed_out,
            s.skipped,
            if earlier > 0 {
                format!(" ({earlier} by an earlier attempt, per --journal)")
            } else {
                String::new()
            },
            if self.interrupted {
                " (interrupted)"
            } else {
                ""
            },
            match &self.stopped {
                Some(stop) => format!(" (stopped: {})", stop.message()),
                None => String::new(),
            }
        )
    }

    /// The exit code the report calls for: 2 stopped for a wrong setup, 130 interrupted, 1
    /// stopped for a journal that could not be written or some failed, 3 a wait timed
    /// out, else 0 (deleted, already gone, cancelled, already finished and skipped are all
    /// fine).
    pub(crate) fn exit_code(&self) -> u8 {
        if let Some(Stop::Misconfigured(_)) = self.stopped {
            crate::exit::USAGE
        } else if self.interrupted {
            crate::exit::INTERRUPTED
        } else if let Some(Stop::JournalUnwritable(_)) = self.stopped {
            crate::exit::FAILED
        } else if self.summary.failed > 0 {
            crate::exit::FAILED
        } else if self.summary.timed_out > 0 {
            crate::exit::TIMED_OUT
        } else {
            crate::exit::OK
        }
    }
}

/// Serialises with `Display`.
pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(n: i64, outcome: Outcome) -> Item {
        Item::new(KindId::FlinkJob(n), None, outcome)
    }

    #[test]
    fn counts_and_exit_codes() {
        let report = Report::new(
            Kind::FlinkJob,
            vec![
                item(
                    1,
                    Outcome::Deleted {
                        attempts: 1,
                        note: None,
                    },
                ),
                item(
                    2,
                    Outcome::AlreadyGone {
                        attempts: 2,
                        note: None,
                    },
                ),
                item(3, Outcome::Skipped { reason: "x".into() }),
            ],
            false,
        );
        assert_eq!(report.exit_code(), 0);
        assert_eq!(
            report.summary_line(),
            "3 flink-job: 1 deleted, 1 already gone, 0 failed, 0 timed out, 1 skipped"
        );
        let timed_out = Report::new(
            Kind::FlinkJob,
            vec![item(
                1,
                Outcome::TimedOut {
                    attempts: 1,
                    waited_secs: 5,
                    last_status: None,
                },
            )],
            false,
        );
        assert_eq!(timed_out.exit_code(), 3);
        let failed = Report::new(
            Kind::FlinkJob,
            vec![
                item(
                    1,
                    Outcome::TimedOut {
                        attempts: 1,
                        waited_secs: 5,
                        last_status: None,
                    },
                ),
                item(
                    2,
                    Outcome::Failed {
                        answer: Answer {
                            status: Some(500),
                            ..Answer::none("m".into())
                        },
                        attempts: 4,
                    },
                ),
            ],
            false,
        );
        assert_eq!(failed.exit_code(), 1);
        assert_eq!(Report::new(Kind::FlinkJob, vec![], true).exit_code(), 130);
    }

    #[test]
    fn json_has_one_flat_object_per_id() {
        let report = Report::new(
            Kind::FlinkJob,
            vec![item(
                7,
                Outcome::Deleted {
                    attempts: 1,
                    note: None,
                },
            )],
            false,
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["items"][0],
            serde_json::json!({"id": "7", "outcome": "deleted", "attempts": 1})
        );
        assert_eq!(json["kind"], "flink-job");
        assert_eq!(json["summary"]["deleted"], 1);
    }
}
