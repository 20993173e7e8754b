//! What the table of job kinds is made of: the shapes of ids, the action a clean-up takes,
//! the server filters a list takes, and the few conversions every listed item goes
//! through (times in milliseconds, seconds or RFC 3339 text; texts from numbers or JSON
//! values). The table itself ([`Kind`](crate::kinds::Kind) and its facts) is generated
//! from `specs/kinds.toml` into `generated/kinds.rs`; nothing here names a kind.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::Service;
use crate::path::PathId;
use crate::time::UtcTime as SigningTime;

/// One part of an id: a number (`148`) or a text (`669b8ae8-…`, a configuration name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdPart {
    /// A positive decimal number (ModelArts v1 and DLI ids are Long on the pages).
    Number,
    /// A non-empty text other than `.` and `..` ([`PathId`]): any other character is
    /// percent-encoded in the path.
    Text,
}

impl IdPart {
    /// What the part looks like, for messages.
    pub const fn describe(self) -> &'static str {
        match self {
            IdPart::Number => "a positive number",
            IdPart::Text => "a non-empty text other than . and ..",
        }
    }

    /// The part read from `text` (already trimmed), written back as the path will have
    /// it; `None` when `text` is not of this shape.
    ///
    /// ```
    /// use otc_jobs_core::kinds::IdPart;
    /// assert_eq!(IdPart::Number.check("148"), Some(()));
    /// assert_eq!(IdPart::Number.check("0"), None);
    /// assert_eq!(IdPart::Text.check("a b/c"), Some(()));
    /// assert_eq!(IdPart::Text.check(".."), None);
    /// ```
    pub fn check(self, text: &str) -> Option<()> {
        match self {
            IdPart::Number => positive_number(text).map(drop),
            IdPart::Text => PathId::new(text).ok().map(drop),
        }
    }
}

/// What an id of a kind looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdShape {
    /// One part.
    One(IdPart),
    /// `PARENT/CHILD`: the id of the parent job (a training job), a `/`, the child's own
    /// id (the version). The first `/` separates them.
    Pair(IdPart, IdPart),
}

impl IdShape {
    /// What the id looks like, for messages: `a positive number`, `PARENT/CHILD, each a
    /// positive number`.
    ///
    /// ```
    /// use otc_jobs_core::kinds::{IdPart, IdShape};
    /// assert_eq!(IdShape::One(IdPart::Number).describe(), "a positive number");
    /// assert_eq!(
    ///     IdShape::Pair(IdPart::Number, IdPart::Number).describe(),
    ///     "PARENT/CHILD, each a positive number"
    /// );
    /// ```
    pub fn describe(self) -> String {
        match self {
            IdShape::One(part) => part.describe().to_owned(),
            IdShape::Pair(a, b) if a == b => format!("PARENT/CHILD, each {}", a.describe()),
            IdShape::Pair(a, b) => format!("PARENT/CHILD, {} and {}", a.describe(), b.describe()),
        }
    }

    /// `number`, `text`, `number/number`, ...: the shape in one word, as `otc-jobs kinds`
    /// shows it.
    ///
    /// ```
    /// use otc_jobs_core::kinds::{IdPart, IdShape};
    /// assert_eq!(IdShape::Pair(IdPart::Number, IdPart::Text).short(), "number/text");
    /// ```
    pub fn short(self) -> &'static str {
        match self {
            IdShape::One(IdPart::Number) => "number",
            IdShape::One(IdPart::Text) => "text",
            IdShape::Pair(IdPart::Number, IdPart::Number) => "number/number",
            IdShape::Pair(IdPart::Number, IdPart::Text) => "number/text",
            IdShape::Pair(IdPart::Text, IdPart::Number) => "text/number",
            IdShape::Pair(IdPart::Text, IdPart::Text) => "text/text",
        }
    }
}

/// What a clean-up does to a job of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// The job is deleted (its delete operation), and gone when its detail says not found.
    Delete,
    /// A job that still runs is stopped first (killed: the kind's `before_delete`
    /// operation, when its detail shows a running status), then deleted as for `Delete`.
    StopThenDelete,
    /// A run that cannot be deleted is cancelled (the kind's "delete" operation is its
    /// cancellation, DLI's SQL and Spark jobs): it stays listed, and is over once its
    /// status is none of the kind's [`unfinished`](KindFacts::unfinished) ones. A run
    /// that is already over is refused by the service
    /// ([`Error::is_already_finished`](crate::Error::is_already_finished)).
    Cancel,
}

impl Action {
    /// `delete`.
    ///
    /// ```
    /// assert_eq!(otc_jobs_core::kinds::Action::Delete.name(), "delete");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::StopThenDelete => "stop, then delete",
            Action::Cancel => "cancel",
        }
    }

    /// The verb a plan and a prompt use for it: `delete` (a stop first is the service's
    /// business), or `cancel`.
    ///
    /// ```
    /// use otc_jobs_core::kinds::Action;
    /// assert_eq!(Action::StopThenDelete.verb(), "delete");
    /// assert_eq!(Action::Cancel.verb(), "cancel");
    /// ```
    pub const fn verb(self) -> &'static str {
        match self {
            Action::Delete | Action::StopThenDelete => "delete",
            Action::Cancel => "cancel",
        }
    }

    /// The verb's past participle: `deleted`, `cancelled` ("nothing cancelled").
    ///
    /// ```
    /// assert_eq!(otc_jobs_core::kinds::Action::Cancel.past(), "cancelled");
    /// ```
    pub const fn past(self) -> &'static str {
        match self {
            Action::Delete | Action::StopThenDelete => "deleted",
            Action::Cancel => "cancelled",
        }
    }
}

/// How a listed creation time is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Milliseconds since the epoch (ModelArts, DLI).
    Millis,
    /// Seconds since the epoch.
    Seconds,
    /// RFC 3339 text; without an offset it is read as UTC (MRS writes
    /// `2017-06-22T15:27:05`).
    Rfc3339,
}

impl TimeUnit {
    /// `ms`, `s` or `rfc3339`, as `specs/kinds.toml` writes it.
    ///
    /// ```
    /// assert_eq!(otc_jobs_core::kinds::TimeUnit::Millis.name(), "ms");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            TimeUnit::Millis => "ms",
            TimeUnit::Seconds => "s",
            TimeUnit::Rfc3339 => "rfc3339",
        }
    }
}

/// One filter the service applies itself, as the tool names it (`--status`), and where the
/// list request takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// The flag without dashes: `status`, `name`, `queue-name`, `order`.
    pub flag: &'static str,
    /// Where the list request takes it: the query parameter or body field
    /// (`search_content`), or `filters[key=phase]` for a body filter.
    pub target: &'static str,
    /// The values the page documents (empty: any text).
    pub values: &'static [&'static str],
    /// Several values, joined by this separator (ModelArts v1 `status=3,5`).
    pub separator: Option<char>,
    /// What the page says of it (first sentence).
    pub doc: &'static str,
}

impl Filter {
    /// Whether `value` is one the page documents (each part, for a filter that takes
    /// several); any value when the page lists none.
    ///
    /// ```
    /// use otc_jobs_core::kinds::Filter;
    /// let order = Filter { flag: "order", target: "order", values: &["asc", "desc"], separator: None, doc: "" };
    /// assert!(order.allows("asc") && !order.allows("up"));
    /// let status = Filter { flag: "status", target: "status", values: &["3", "5"], separator: Some(','), doc: "" };
    /// assert!(status.allows("3,5") && !status.allows("3,4"));
    /// ```
    pub fn allows(&self, value: &str) -> bool {
        if self.values.is_empty() {
            return true;
        }
        match self.separator {
            Some(sep) => value
                .split(sep)
                .map(str::trim)
                .all(|part| self.values.contains(&part)),
            None => self.values.contains(&value),
        }
    }
}

/// Everything the table says of one kind, as data. Kinds are named by their CLI names
/// (`training-job-v1`); [`Kind::facts`](crate::kinds::Kind::facts) gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindFacts {
    /// The CLI name: the plain name is the current API, a historical one ends in `-v1`.
    pub name: &'static str,
    /// One line on what it is.
    pub doc: &'static str,
    /// The service that serves it.
    pub service: Service,
    /// The API version of its paths (`v2`, `v1.0`, `v1.1`).
    pub api_version: &'static str,
    /// What an id looks like.
    pub id_shape: IdShape,
    /// The kind whose jobs contain these (the training job of a version), by name.
    pub parent: Option<&'static str>,
    /// What a clean-up does.
    pub action: Action,
    /// The list operation (its `Operation::NAME`).
    pub list: &'static str,
    /// The detail operation the waiter polls; `None` where the service has none (a
    /// synchronous deletion is then confirmed by one walk of the list).
    pub detail: Option<&'static str>,
    /// The delete operation.
    pub delete: &'static str,
    /// The batch deletion, where the service has one.
    pub batch_delete: Option<&'static str>,
    /// Whether the service deletes after answering (then waiting means polling).
    pub asynchronous: bool,
    /// The listed item's id field (its path in the item).
    pub id_field: &'static str,
    /// The listed item's name field, if it has one.
    pub name_field: Option<&'static str>,
    /// The listed item's status field, if it has one.
    pub status_field: Option<&'static str>,
    /// The listed item's creation time field, if it has one.
    pub created_field: Option<&'static str>,
    /// How the creation time is written.
    pub created_unit: TimeUnit,
    /// The filters the service applies itself (for a kind with a parent: the parent's,
    /// which select the parents whose children are listed).
    pub filters: &'static [Filter],
    /// Documented statuses with their names (`("10", "completed")`), where a page has them.
    pub statuses: &'static [(&'static str, &'static str)],
    /// For a kind whose runs are cancelled ([`Action::Cancel`]): the statuses of a run
    /// that is not over (`RUNNING`, `LAUNCHING`, ...), the only ones a clean-up selects
    /// unless told otherwise. Empty for the other kinds.
    pub unfinished: &'static [&'static str],
}

impl KindFacts {
    /// The filter named `flag` (without dashes), if the kind's list takes it.
    pub fn filter(&self, flag: &str) -> Option<&'static Filter> {
        self.filters.iter().find(|f| f.flag == flag)
    }

    /// Whether a run in `status` is not over yet: one of [`KindFacts::unfinished`],
    /// compared in any case (DLI's Spark pages write `success` and `Success`). Always
    /// `false` for a kind whose jobs are deleted.
    ///
    /// ```
    /// use otc_jobs_core::kinds::Kind;
    /// let sql = Kind::SqlJob.facts();
    /// assert!(sql.is_unfinished("RUNNING") && !sql.is_unfinished("FINISHED"));
    /// assert!(Kind::SparkJob.facts().is_unfinished("Running"));
    /// assert!(!Kind::FlinkJob.facts().is_unfinished("job_running"));
    /// ```
    pub fn is_unfinished(&self, status: &str) -> bool {
        self.unfinished
            .iter()
            .any(|s| s.eq_ignore_ascii_case(status.trim()))
    }

    /// The documented name of `status` (`"10"` → `completed`), if the table has one.
    pub fn status_name(&self, status: &str) -> Option<&'static str> {
        self.statuses
            .iter()
            .find(|(value, _)| *value == status)
            .map(|(_, name)| *name)
    }
}

/// One entry of a batch deletion's answer (DLI's carry no id: entries are in the order of
/// the ids sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// Whether the service says this one was deleted.
    pub is_success: bool,
    /// What it says.
    pub message: Option<String>,
}

/// A name that is no kind's.
///
/// ```
/// let e = "nope".parse::<otc_jobs_core::kinds::Kind>().unwrap_err();
/// assert_eq!(e.to_string(), "unknown kind \"nope\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?}")]
pub struct UnknownKind(pub String);

/// A positive decimal number (how ids are written on the command line).
pub(crate) fn positive_number(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// `ms` milliseconds after the epoch; `None` before it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use otc_jobs_core::kinds::from_millis;
/// assert_eq!(from_millis(1_500), Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_500)));
/// assert_eq!(from_millis(-1), None);
/// ```
pub fn from_millis(ms: i64) -> Option<SystemTime> {
    let ms = u64::try_from(ms).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// `s` seconds after the epoch; `None` before it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// assert_eq!(otc_jobs_core::kinds::from_seconds(2), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2)));
/// ```
pub fn from_seconds(s: i64) -> Option<SystemTime> {
    let s = u64::try_from(s).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s))
}

/// An RFC 3339 time; one without an offset (`2017-06-22T15:27:05`, as MRS writes them) is
/// read as UTC.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use otc_jobs_core::kinds::from_rfc3339;
/// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_498_145_225);
/// assert_eq!(from_rfc3339("2017-06-22T15:27:05"), Some(t));
/// assert_eq!(from_rfc3339("2017-06-22T17:27:05+02:00"), Some(t));
/// assert_eq!(from_rfc3339("yesterday"), None);
/// ```
pub fn from_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    SigningTime::parse_rfc3339(text)
        .or_else(|| SigningTime::parse_rfc3339(&format!("{text}Z")))
        .map(SigningTime::to_system_time)
}

/// A number written as text (`"1636447346315"`), in the unit given.
pub(crate) fn time_of_text(text: &str, unit: TimeUnit) -> Option<SystemTime> {
    match unit {
        TimeUnit::Millis => from_millis(text.trim().parse().ok()?),
        TimeUnit::Seconds => from_seconds(text.trim().parse().ok()?),
        TimeUnit::Rfc3339 => from_rfc3339(text),
    }
}

/// A number in the unit given (an RFC 3339 time cannot be a number: `None`).
pub(crate) fn time_of_number(n: i64, unit: TimeUnit) -> Option<SystemTime> {
    match unit {
        TimeUnit::Millis => from_millis(n),
        TimeUnit::Seconds => from_seconds(n),
        TimeUnit::Rfc3339 => None,
    }
}

/// A JSON value as text: a string as is, a number or a Boolean in JSON, nothing for
/// `null`, objects and arrays (a name or status is never one).
///
/// ```
/// use otc_jobs_core::kinds::value_text;
/// assert_eq!(value_text(&serde_json::json!("RUNNING")).as_deref(), Some("RUNNING"));
/// assert_eq!(value_text(&serde_json::json!(10)).as_deref(), Some("10"));
/// assert_eq!(value_text(&serde_json::json!(null)), None);
/// ```
pub fn value_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A JSON value as a time in the unit given (a number, or a string holding one).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use otc_jobs_core::kinds::{value_time, TimeUnit};
/// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(2);
/// assert_eq!(value_time(&serde_json::json!(2000), TimeUnit::Millis), Some(t));
/// assert_eq!(value_time(&serde_json::json!("2"), TimeUnit::Seconds), Some(t));
/// ```
pub fn value_time(value: &serde_json::Value, unit: TimeUnit) -> Option<SystemTime> {
    match value {
        serde_json::Value::Number(n) => time_of_number(n.as_i64()?, unit),
        serde_json::Value::String(s) => time_of_text(s, unit),
        _ => None,
    }
}

impl fmt::Display for IdShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_each_unit() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_636_447_346);
        assert_eq!(time_of_number(1_636_447_346_000, TimeUnit::Millis), Some(t));
        assert_eq!(time_of_number(1_636_447_346, TimeUnit::Seconds), Some(t));
        assert_eq!(time_of_number(1, TimeUnit::Rfc3339), None);
        assert_eq!(time_of_text("1636447346000", TimeUnit::Millis), Some(t));
        assert_eq!(
            time_of_text("2021-11-09T08:42:26Z", TimeUnit::Rfc3339),
            Some(t)
        );
        assert_eq!(time_of_text("x", TimeUnit::Seconds), None);
        assert_eq!(
            value_time(&serde_json::json!("1636447346"), TimeUnit::Seconds),
            Some(t)
        );
        assert_eq!(value_time(&serde_json::json!({}), TimeUnit::Millis), None);
    }

    #[test]
    fn id_parts() {
        assert_eq!(positive_number("12"), Some(12));
        for bad in ["", "-1", "0", "1.5", "x"] {
            assert_eq!(positive_number(bad), None, "{bad}");
        }
        assert_eq!(IdPart::Text.check(""), None);
        assert_eq!(IdPart::Text.check("."), None);
    }
}
