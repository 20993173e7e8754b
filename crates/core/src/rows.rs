//! What the kind table gives and takes, the same for every kind: ids read from text (with
//! the reason when a text is not one), listed items as uniform [`Row`]s (and the items
//! that are not rows), server filters checked against what a kind's list takes, and batch
//! deletions of ids of one kind. The table ([`Kind`], [`KindId`]) is generated from
//! `specs/kinds.toml`; so are the conversions from each list's items to rows
//! (`kinds::rows`).

use std::time::SystemTime;

use crate::generated::kinds::{Kind, KindBatch, KindId};
use crate::kind::Filter;

/// Why a text is not an id of a kind.
///
/// ```
/// use otc_jobs_core::kinds::Kind;
/// let e = Kind::FlinkJob.parse_id("abc").unwrap_err();
/// assert_eq!(e.to_string(), "\"abc\" is not a flink-job id: expected a positive number");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {kind} id: expected {}", kind.id_shape())]
pub struct IdError {
    /// The kind asked for.
    pub kind: Kind,
    /// The text, trimmed.
    pub text: String,
}

impl Kind {
    /// Reads an id of this kind from text (surrounding blanks ignored): a positive number
    /// or a path-safe text as the kind's [`IdShape`](crate::kinds::IdShape) says;
    /// `PARENT/CHILD` for a kind with a parent (the first `/` separates them). An id that
    /// would break the request path (empty, `.`, `..`) is refused; any other character is
    /// percent-encoded when the path is built.
    ///
    /// ```
    /// use otc_jobs_core::kinds::{Kind, KindId};
    /// assert_eq!(Kind::FlinkJob.parse_id(" 148 ")?, KindId::FlinkJob(148));
    /// assert_eq!(
    ///     Kind::TrainingJobVersionV1.parse_id("10/2")?,
    ///     KindId::TrainingJobVersionV1 { job_id: 10, version_id: 2 }
    /// );
    /// assert!(Kind::JobExecutionV1.parse_id("..").is_err());
    /// # Ok::<(), otc_jobs_core::kinds::IdError>(())
    /// ```
    pub fn parse_id(self, text: &str) -> Result<KindId, IdError> {
        let text = text.trim();
        self.read_id(text).ok_or_else(|| IdError {
            kind: self,
            text: text.to_owned(),
        })
    }

    /// Reads the id of a child (`2`) inside the parent `parent` (`10`), for a kind with a
    /// parent (`otc-jobs delete training-job-version-v1 --job-id 10 2`).
    ///
    /// ```
    /// use otc_jobs_core::kinds::{Kind, KindId};
    /// assert_eq!(
    ///     Kind::TrainingJobVersionV1.parse_id_in("10", "2")?,
    ///     KindId::TrainingJobVersionV1 { job_id: 10, version_id: 2 }
    /// );
    /// assert!(Kind::FlinkJob.parse_id_in("10", "2").is_err());
    /// # Ok::<(), otc_jobs_core::kinds::IdError>(())
    /// ```
    pub fn parse_id_in(self, parent: &str, text: &str) -> Result<KindId, IdError> {
        let (parent, text) = (parent.trim(), text.trim());
        let bad = || IdError {
            kind: self,
            text: format!("{parent}/{text}"),
        };
        if parent.contains('/') || !matches!(self.id_shape(), crate::kinds::IdShape::Pair(..)) {
            return Err(bad());
        }
        self.read_id(&format!("{parent}/{text}")).ok_or_else(bad)
    }
}

/// A listed item that is not a row: its id is missing or not an id of its kind; or the
/// walk of one parent's jobs that ended because the parent went away (`gone`: the
/// service's answer). A [`Listing`] keeps it: never a silently short list.
///
/// ```
/// use otc_jobs_core::kinds::{Kind, RowError};
/// let e = RowError { kind: Kind::FlinkJob, field: "job_id", value: None, gone: None };
/// assert_eq!(e.to_string(), "a listed flink-job has no job_id");
/// let e = RowError {
///     kind: Kind::JobExecution,
///     field: "cluster_id",
///     value: Some("c1".into()),
///     gone: Some("not found".into()),
/// };
/// assert_eq!(e.to_string(), "the job-execution list of cluster_id \"c1\" ended: not found");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match (value, gone) {
    (v, Some(why)) => format!("the {kind} list of {field} {:?} ended: {why}", v.as_deref().unwrap_or("")),
    (None, None) => format!("a listed {kind} has no {field}"),
    (Some(v), None) => format!("a listed {kind} has the {field} {v:?}, which is not an id"),
})]
pub struct RowError {
    /// The kind listed.
    pub kind: Kind,
    /// The id field (its path in the item), or the parent's parameter.
    pub field: &'static str,
    /// The value found, when there was one (the parent's id).
    pub value: Option<String>,
    /// Why the walk of the parent `value` ended (it went away), if it did.
    pub gone: Option<String>,
}

/// One listed job, whatever its kind: the same fields for every kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its id; it carries its kind.
    pub id: KindId,
    /// Its name, where the answer has one.
    pub name: Option<String>,
    /// Its status as the service writes it (`10`, `job_running`, `Completed`).
    pub status: Option<String>,
    /// The documented name of the status (`completed` for ModelArts v1's `10`), where a
    /// page names it.
    pub status_name: Option<&'static str>,
    /// When it was created.
    pub created: Option<SystemTime>,
    /// Further fields the kind declares (`queue` for DLI), in declaration order.
    pub extra: Vec<(&'static str, String)>,
}

impl Row {
    /// A row with only an id.
    pub fn new(id: KindId) -> Row {
        Row {
            id,
            name: None,
            status: None,
            status_name: None,
            created: None,
            extra: Vec::new(),
        }
    }

    /// The row's kind.
    pub fn kind(&self) -> Kind {
        self.id.kind()
    }

    /// The status with its name beside it: `10 (completed)`; the status alone when it has
    /// no documented name.
    ///
    /// ```
    /// use otc_jobs_core::kinds::{KindId, Row};
    /// let mut row = Row::new(KindId::TrainingJobV1(7));
    /// row.status = Some("10".into());
    /// row.status_name = Some("completed");
    /// assert_eq!(row.status_text().as_deref(), Some("10 (completed)"));
    /// ```
    pub fn status_text(&self) -> Option<String> {
        let status = self.status.as_deref()?;
        Some(match self.status_name {
            Some(name) => format!("{status} ({name})"),
            None => status.to_owned(),
        })
    }

    /// The value of the extra field `name` (`queue`), if the row has it.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every item a list gave, read: the rows, and the items that are not rows, each in the
/// service's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The rows.
    pub rows: Vec<Row>,
    /// The items that could not be rows (no id, or not an id of the kind).
    pub unreadable: Vec<RowError>,
}

impl Listing {
    /// Adds one item's conversion.
    pub fn push(&mut self, item: Result<Row, RowError>) {
        match item {
            Ok(row) => self.rows.push(row),
            Err(e) => self.unreadable.push(e),
        }
    }
}

/// Where a walk of a list puts each listed item, read, as it comes: a [`Listing`] keeps
/// them all; a caller that streams (prints each row, or keeps only what it selects) gives
/// its own, so that 100,000 jobs need not all be in memory at once.
///
/// ```
/// use otc_jobs_core::kinds::{KindId, Row, RowError, RowSink};
/// /// Counts the rows and keeps only their ids.
/// #[derive(Default)]
/// struct Ids(Vec<KindId>, usize);
/// impl RowSink for Ids {
///     fn push(&mut self, item: Result<Row, RowError>) {
///         match item {
///             Ok(row) => self.0.push(row.id),
///             Err(_) => self.1 += 1,
///         }
///     }
/// }
/// let mut ids = Ids::default();
/// ids.push(Ok(Row::new(KindId::FlinkJob(7))));
/// assert_eq!(ids.0, [KindId::FlinkJob(7)]);
/// ```
pub trait RowSink: Send {
    /// Takes one item's conversion: a row, or an item that is not one.
    fn push(&mut self, item: Result<Row, RowError>);
}

impl RowSink for Listing {
    fn push(&mut self, item: Result<Row, RowError>) {
        Listing::push(self, item);
    }
}

/// A filter the kind's list does not take, or a value its page does not document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The list takes no such filter.
    #[error("--{flag} is not a filter of the {kind} list")]
    Unknown {
        /// The kind.
        kind: Kind,
        /// The flag, without dashes.
        flag: String,
    },
    /// The page documents other values.
    #[error("{value:?} is not a value of --{} for {kind}: one of {}", filter.flag, filter.values.join(", "))]
    Value {
        /// The kind.
        kind: Kind,
        /// The filter.
        filter: &'static Filter,
        /// The value given.
        value: String,
    },
}

/// Server filters for one kind's list, checked against what its list takes: a filter the
/// kind cannot apply is an error when it is set, never silently ignored.
///
/// ```
/// use otc_jobs_core::kinds::{Filters, Kind};
/// let mut filters = Filters::new(Kind::FlinkJob);
/// filters.set("status", "job_running")?;
/// filters.set("queue-name", "q1")?;
/// assert_eq!(filters.get("queue-name"), Some("q1"));
/// assert!(filters.set("status", "sleeping").is_err());
/// assert!(Filters::new(Kind::JobExecutionV1).set("status", "RUNNING").is_err());
/// # Ok::<(), otc_jobs_core::kinds::FilterError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    kind: Kind,
    set: Vec<(&'static Filter, String)>,
}

impl Filters {
    /// No filters, for `kind`'s list.
    pub fn new(kind: Kind) -> Filters {
        Filters {
            kind,
            set: Vec::new(),
        }
    }

    /// The kind the filters are for.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Sets the filter `flag` (without dashes) to `value`, replacing an earlier value.
    pub fn set(&mut self, flag: &str, value: impl Into<String>) -> Result<(), FilterError> {
        let value = value.into();
        let filter = self.filter(flag)?;
        if !filter.allows(&value) {
            return Err(FilterError::Value {
                kind: self.kind,
                filter,
                value,
            });
        }
        self.set.retain(|(f, _)| f.flag != flag);
        self.set.push((filter, value));
        Ok(())
    }

    /// Sets the filter `flag` to a value its page does not document (a status newer than
    /// the page, say), which [`set`](Filters::set) refuses; a filter the list does not
    /// take is still refused. The service may ignore such a value, so a caller that
    /// deletes by it checks the listed rows as well ([`Filter::allows`] tells which
    /// values are the page's).
    ///
    /// ```
    /// use otc_jobs_core::kinds::{Filters, Kind};
    /// let mut filters = Filters::new(Kind::FlinkJob);
    /// assert!(filters.set("status", "job_failed").is_err());
    /// filters.set_undocumented("status", "job_failed")?;
    /// assert_eq!(filters.get("status"), Some("job_failed"));
    /// assert!(filters.set_undocumented("colour", "red").is_err());
    /// # Ok::<(), otc_jobs_core::kinds::FilterError>(())
    /// ```
    pub fn set_undocumented(
        &mut self,
        flag: &str,
        value: impl Into<String>,
    ) -> Result<(), FilterError> {
        let filter = self.filter(flag)?;
        self.set.retain(|(f, _)| f.flag != flag);
        self.set.push((filter, value.into()));
        Ok(())
    }

    fn filter(&self, flag: &str) -> Result<&'static Filter, FilterError> {
        self.kind
            .facts()
            .filter(flag)
            .ok_or_else(|| FilterError::Unknown {
                kind: self.kind,
                flag: flag.to_owned(),
            })
    }

    /// The value of `flag`, if set.
    pub fn get(&self, flag: &str) -> Option<&str> {
        self.set
            .iter()
            .find(|(f, _)| f.flag == flag)
            .map(|(_, v)| v.as_str())
    }

    /// The filters set, in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Filter, &str)> {
        self.set.iter().map(|(f, v)| (*f, v.as_str()))
    }
}

/// Why ids cannot be deleted in one batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The kind's service has no batch deletion.
    #[error("{0} has no batch deletion")]
    NoBatch(Kind),
    /// An id of another kind.
    #[error("{id} is a {} id, not a {kind} id", id.kind())]
    OtherKind {
        /// The kind of the batch.
        kind: Kind,
        /// The id.
        id: KindId,
    },
    /// No ids.
    #[error("a batch deletion needs at least one id")]
    Empty,
}

impl KindBatch {
    /// One batch deletion of `ids`, all of `kind`, in their order.
    ///
    /// ```
    /// use otc_jobs_core::kinds::{Kind, KindBatch, KindId};
    /// let batch = KindBatch::new(Kind::FlinkJob, &[KindId::FlinkJob(12), KindId::FlinkJob(232)])?;
    /// assert_eq!(batch, KindBatch::FlinkJob(vec![12, 232]));
    /// assert!(KindBatch::new(Kind::TrainingJobV1, &[KindId::TrainingJobV1(1)]).is_err());
    /// # Ok::<(), otc_jobs_core::kinds::BatchError>(())
    /// ```
    pub fn new(kind: Kind, ids: &[KindId]) -> Result<KindBatch, BatchError> {
        if ids.is_empty() {
            return Err(BatchError::Empty);
        }
        if let Some(id) = ids.iter().find(|id| id.kind() != kind) {
            return Err(BatchError::OtherKind {
                kind,
                id: id.clone(),
            });
        }
        KindBatch::of(kind, ids).ok_or(BatchError::NoBatch(kind))
    }
}
