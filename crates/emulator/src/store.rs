//! The jobs that exist; ModelArts deletions take `delete_delay` to complete (and may fail).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::SeedJob;
pub(crate) use crate::attrs::Attrs;
use crate::kinds::{Key, Seeded, Simple};

/// Re-exported from the kind table, where each kind's defaults live.
pub use crate::kinds::status;

/// One job's record.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) attrs: Attrs,
    /// Creation time, unix milliseconds (`create_time`, or when seeded).
    pub(crate) created_ms: u64,
    /// When a running deletion completes.
    pub(crate) deleting_until: Option<Instant>,
    /// The running deletion ends in status 6 instead of removing the job.
    fails_deletion: bool,
    /// A deletion ended in status 6 (`JOBSTAT_DELETE_FAILED`).
    pub(crate) delete_failed: bool,
    /// An MRS v2 job killed while it ran: when it stops (shows `KILLED`).
    pub(crate) stops_at: Option<Instant>,
    /// Made by the emulator, not seeded: the first child a kind always has
    /// ([`Simple::first_child`]), which makes way for children seeded later.
    made: bool,
}

impl Entry {
    /// Whether an MRS v2 kill of the job has taken effect at `now` (it shows `KILLED`).
    pub(crate) fn stopped(&self, now: Instant) -> bool {
        self.stops_at.is_some_and(|at| at <= now)
    }

    /// The seeded status as `GET /_emulator/jobs` shows it at `now`: `KILLED` once a
    /// kill has taken effect.
    pub(crate) fn seen_status(&self, now: Instant) -> Option<Value> {
        if self.stopped(now) {
            Some(Value::from("KILLED"))
        } else {
            self.attrs.status.clone()
        }
    }

    fn new(attrs: Attrs, now_ms: u64) -> Entry {
        Entry {
            created_ms: attrs.create_time.unwrap_or(now_ms),
            attrs,
            deleting_until: None,
            stops_at: None,
            fails_deletion: false,
            delete_failed: false,
            made: false,
        }
    }

    pub(crate) fn is_deleting(&self) -> bool {
        self.deleting_until.is_some()
    }

    /// The status to show: the deleting status while a deletion runs, 6 after one failed,
    /// else the seeded status or `default`.
    pub(crate) fn status(&self, default: Value, deleting: Value) -> Value {
        if self.is_deleting() {
            deleting
        } else if self.delete_failed {
            Value::from(status::MODELARTS_DELETE_FAILED)
        } else {
            self.attrs.status.clone().unwrap_or(default)
        }
    }

    /// The seeded status, or the shown one once a deletion started or failed.
    fn listed_status(&self, deleting: Value) -> Option<Value> {
        if self.is_deleting() || self.delete_failed {
            Some(self.status(Value::Null, deleting))
        } else {
            self.attrs.status.clone()
        }
    }

    /// The name to show: the seeded one or `default`.
    pub(crate) fn name(&self, default: impl FnOnce() -> String) -> String {
        self.attrs.name.clone().unwrap_or_else(default)
    }
}

/// An MRS cluster: its jobs (v2 job executions) live in it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cluster {
    /// `name` is the cluster's name, `status` its `clusterState`.
    pub(crate) attrs: Attrs,
    /// Creation time, unix milliseconds.
    pub(crate) created_ms: u64,
    /// Seeded as a cluster (listed as one by `GET /_emulator/jobs`), not only made by
    /// seeding a job into it.
    explicit: bool,
    /// Its jobs by id.
    pub(crate) jobs: BTreeMap<String, Entry>,
}

impl Cluster {
    /// `clusterName`: the seeded one, else `cluster-{first 8 characters of the id}`.
    pub(crate) fn name(&self, id: &str) -> String {
        self.attrs
            .name
            .clone()
            .unwrap_or_else(|| format!("cluster-{}", id.chars().take(8).collect::<String>()))
    }

    /// `clusterState`: the seeded one, else `running`.
    pub(crate) fn state(&self) -> String {
        match &self.attrs.status {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "running".to_owned(),
        }
    }
}

/// What a delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// The job existed; its deletion started (or had already started).
    Yes,
    /// No such job.
    NotFound,
}

/// One kind's jobs by key, with their order of creation kept beside them, so that a list
/// walks them newest (or oldest) first, page by page, without sorting every job for each
/// page (a 100,000-job walk sorted 100,000 jobs 1,000 times).
#[derive(Debug, Default)]
pub(crate) struct Table {
    by_key: BTreeMap<Key, Entry>,
    /// `(created_ms, key)` of every entry of `by_key`.
    order: BTreeSet<(u64, Key)>,
    /// Where the last page ended, so that the next one starts there rather than skipping
    /// over every job before it (a skip in a `BTreeSet` steps through them one by one: a
    /// walk of 100,000 jobs by pages of 100 stepped 50 million times). Forgotten on every
    /// change of the table.
    cursor: std::sync::Mutex<Option<Cursor>>,
}

/// The end of the last page: its order, the offset after it, its last job.
#[derive(Debug)]
struct Cursor {
    descending: bool,
    next_offset: usize,
    last: (u64, Key),
}

/// The table of a kind without jobs.
static EMPTY: Table = Table {
    by_key: BTreeMap::new(),
    order: BTreeSet::new(),
    cursor: std::sync::Mutex::new(None),
};

impl Table {
    /// Adds or replaces the job `key`.
    pub(crate) fn insert(&mut self, key: Key, entry: Entry) {
        self.forget_cursor();
        let created = entry.created_ms;
        if let Some(old) = self.by_key.insert(key.clone(), entry) {
            self.order.remove(&(old.created_ms, key.clone()));
        }
        self.order.insert((created, key));
    }

    pub(crate) fn remove(&mut self, key: &Key) -> Option<Entry> {
        let entry = self.by_key.remove(key)?;
        self.forget_cursor();
        self.order.remove(&(entry.created_ms, key.clone()));
        Some(entry)
    }

    pub(crate) fn get(&self, key: &Key) -> Option<&Entry> {
        self.by_key.get(key)
    }

    /// For the deletion state only: the creation time is part of the order.
    fn get_mut(&mut self, key: &Key) -> Option<&mut Entry> {
        self.by_key.get_mut(key)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }

    /// In key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.by_key.iter()
    }

    /// The jobs with a key in `keys`, in key order.
    pub(crate) fn range(
        &self,
        keys: std::ops::RangeInclusive<Key>,
    ) -> impl DoubleEndedIterator<Item = (&Key, &Entry)> {
        self.by_key.range(keys)
    }

    /// The `limit` jobs after the first `offset` of [`Table::by_creation`], skipping over
    /// the order alone.
    pub(crate) fn page(
        &self,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> impl Iterator<Item = (&Key, &Entry)> {
        use std::ops::Bound::{Excluded, Unbounded};
        let mut cursor = self
            .cursor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Where the last page ended, when this one follows it.
        let after = cursor
            .as_ref()
            .filter(|c| c.descending == descending && c.next_offset == offset && offset > 0)
            .map(|c| c.last.clone());
        let keys: Box<dyn Iterator<Item = &(u64, Key)>> = match (after, descending) {
            (Some(last), true) => Box::new(self.order.range((Unbounded, Excluded(last))).rev()),
            (Some(last), false) => Box::new(self.order.range((Excluded(last), Unbounded))),
            (None, true) => Box::new(self.order.iter().rev().skip(offset)),
            (None, false) => Box::new(self.order.iter().skip(offset)),
        };
        let keys: Vec<&(u64, Key)> = keys.take(limit).collect();
        *cursor = keys.last().map(|last| Cursor {
            descending,
            next_offset: offset + keys.len(),
            last: (*last).clone(),
        });
        keys.into_iter()
            .filter_map(|(_, key)| self.by_key.get_key_value(key))
    }

    /// After a change, an offset no longer counts from where the last page ended.
    fn forget_cursor(&mut self) {
        *self
            .cursor
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// By creation time, then key; newest first when `descending`.
    pub(crate) fn by_creation(
        &self,
        descending: bool,
    ) -> Box<dyn Iterator<Item = (&Key, &Entry)> + '_> {
        let entry = |(_, key): &(u64, Key)| self.by_key.get_key_value(key);
        if descending {
            Box::new(self.order.iter().rev().filter_map(entry))
        } else {
            Box::new(self.order.iter().filter_map(entry))
        }
    }
}

/// A table of numeric keys (Flink jobs) seen through its numbers, as its answers write them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Numbered<'a>(&'a Table);

fn numbered<'a>((key, e): (&Key, &'a Entry)) -> Option<(u64, &'a Entry)> {
    match key {
        Key::Number(n) => Some((*n, e)),
        Key::Text(_) | Key::Pair(..) => None,
    }
}

impl<'a> Numbered<'a> {
    /// See [`Table::by_creation`].
    pub(crate) fn by_creation(self, descending: bool) -> impl Iterator<Item = (u64, &'a Entry)> {
        self.0.by_creation(descending).filter_map(numbered)
    }

    /// See [`Table::page`].
    pub(crate) fn page(
        self,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> impl Iterator<Item = (u64, &'a Entry)> {
        self.0.page(descending, offset, limit).filter_map(numbered)
    }

    pub(crate) fn get(self, id: u64) -> Option<&'a Entry> {
        self.0.get(&Key::Number(id))
    }
}

/// Every job: the kinds of [`Simple`]'s table, each in key order (lists sort from there,
/// so equal keys keep a stable order), and the MRS clusters with their v2 job executions.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: BTreeMap<Simple, Table>,
    /// MRS clusters by id, with their v2 job executions.
    pub(crate) clusters: BTreeMap<String, Cluster>,
    pending: BinaryHeap<Reverse<(Instant, Simple, Key)>>,
}

impl Store {
    pub(crate) fn clear(&mut self) {
        *self = Store::default();
    }

    /// A kind's table (empty when it has no jobs).
    pub(crate) fn table_of(&self, kind: Simple) -> &Table {
        self.tables.get(&kind).unwrap_or(&EMPTY)
    }

    /// A kind's table of numeric keys, through its numbers.
    pub(crate) fn numbered(&self, kind: Simple) -> Numbered<'_> {
        Numbered(self.table_of(kind))
    }

    fn table_mut(&mut self, kind: Simple) -> &mut Table {
        self.tables.entry(kind).or_default()
    }

    /// The jobs of a kind, in key order.
    pub(crate) fn table(&self, kind: Simple) -> impl Iterator<Item = (&Key, &Entry)> {
        self.table_of(kind).iter()
    }

    /// One job of a kind.
    pub(crate) fn get(&self, kind: Simple, key: &Key) -> Option<&Entry> {
        self.table_of(kind).get(key)
    }

    /// One job of a kind, to change (a cancelled run's status; its creation time, which
    /// orders the table, stays).
    pub(crate) fn get_mut(&mut self, kind: Simple, key: &Key) -> Option<&mut Entry> {
        self.tables.get_mut(&kind)?.get_mut(key)
    }

    /// How many jobs of a kind exist.
    pub(crate) fn count(&self, kind: Simple) -> usize {
        self.table_of(kind).len()
    }

    /// The children of `kind`'s job `key` (a training job's versions), in key order.
    pub(crate) fn children(
        &self,
        kind: Simple,
        key: &Key,
    ) -> impl DoubleEndedIterator<Item = (&Key, &Entry)> {
        let table = kind.child().map(|child| self.table_of(child));
        let range = key.children();
        table
            .zip(range)
            .into_iter()
            .flat_map(|(table, range)| table.range(range))
    }

    /// Adds (or replaces) a job. A child's parent is created (with default attributes)
    /// when missing; a job of a kind that always has a child gets a first one, carrying its
    /// status, when it has none, and that one makes way for children seeded later.
    pub(crate) fn seed(&mut self, job: SeedJob, now_ms: u64) {
        let Seeded {
            kind,
            key,
            attrs,
            children,
        } = match Simple::of(job) {
            Ok(seeded) => seeded,
            Err(job) => return self.seed_cluster(*job, now_ms),
        };
        if let (Some(parent_kind), Some(parent)) = (kind.parent(), key.parent()) {
            if self.get(parent_kind, &parent).is_none() {
                self.table_mut(parent_kind)
                    .insert(parent.clone(), Entry::new(Attrs::default(), now_ms));
            }
            self.drop_made_child(parent_kind, &parent);
        }
        let entry = Entry::new(attrs, now_ms);
        let created = entry.created_ms;
        self.table_mut(kind).insert(key.clone(), entry);
        if let Some(child_kind) = kind.child() {
            // Re-seeded: remade below with the new status, unless children come.
            self.drop_made_child(kind, &key);
            for child in children {
                self.table_mut(child_kind)
                    .insert(child, Entry::new(Attrs::default(), created));
            }
            self.make_first_child(kind, &key);
        }
    }

    /// The key of the first child of `kind`'s job `key`, if the kind always has one.
    fn first_child_key(kind: Simple, key: &Key) -> Option<(Simple, Key)> {
        match (kind.child(), kind.first_child(), key) {
            (Some(child), Some(first), Key::Number(n)) => Some((child, Key::Pair(*n, first))),
            _ => None,
        }
    }

    /// Drops the first child the emulator made for `kind`'s job `key`, if there is one.
    fn drop_made_child(&mut self, kind: Simple, key: &Key) {
        if let Some((child, first)) = Self::first_child_key(kind, key)
            && self.get(child, &first).is_some_and(|e| e.made)
        {
            self.table_mut(child).remove(&first);
        }
    }

    /// Gives `kind`'s job `key` its first child, carrying its status, when it has none.
    fn make_first_child(&mut self, kind: Simple, key: &Key) {
        let Some((child, first)) = Self::first_child_key(kind, key) else {
            return;
        };
        if self.children(kind, key).next().is_some() {
            return;
        }
        let Some(parent) = self.get(kind, key) else {
            return;
        };
        let attrs = Attrs {
            status: parent.attrs.status.clone(),
            create_time: parent.attrs.create_time,
            ..Attrs::default()
        };
        let mut entry = Entry::new(attrs, parent.created_ms);
        entry.made = true;
        self.table_mut(child).insert(first, entry);
    }

    /// Adds (or replaces) an MRS cluster or a v2 job execution in its cluster.
    fn seed_cluster(&mut self, job: SeedJob, now_ms: u64) {
        match job {
            SeedJob::Cluster {
                cluster_id,
                name,
                state,
                create_time,
            } => {
                let cluster = self.clusters.entry(cluster_id).or_default();
                cluster.attrs = Attrs {
                    name,
                    status: state.map(Value::from),
                    create_time,
                    ..Attrs::default()
                };
                cluster.created_ms = create_time.unwrap_or(now_ms);
                cluster.explicit = true;
            }
            SeedJob::JobExecutionV2 {
                cluster_id,
                job_execution_id,
                name,
                status,
                create_time,
                job_type,
            } => {
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    job_type,
                    cluster_id: Some(cluster_id.clone()),
                    ..Attrs::default()
                };
                let entry = Entry::new(attrs, now_ms);
                let cluster = self.clusters.entry(cluster_id).or_insert_with(|| Cluster {
                    created_ms: entry.created_ms,
                    ..Cluster::default()
                });
                if !cluster.explicit {
                    cluster.created_ms = cluster.created_ms.min(entry.created_ms);
                }
                cluster.jobs.insert(job_execution_id, entry);
            }
            // Kept in the table (`Simple::of`).
            _ => {}
        }
    }

    /// The jobs that exist, as seeds (a job's children as their own entries, right after
    /// it); a job being deleted shows its deleting status, one whose deletion failed
    /// status 6.
    pub(crate) fn list(&self) -> Vec<SeedJob> {
        let listed = |kind: Simple, key: &Key, e: &Entry| {
            let status = match kind.deleting_status() {
                Some(deleting) => e.listed_status(deleting),
                None => e.attrs.status.clone(),
            };
            kind.seed(key, &e.attrs, status)
        };
        let mut out = Vec::new();
        for (kind, table) in &self.tables {
            if kind.parent().is_some() {
                continue;
            }
            for (key, e) in table.iter() {
                out.push(listed(*kind, key, e));
                for (child_key, child) in self.children(*kind, key) {
                    if let Some(child_kind) = kind.child() {
                        out.push(listed(child_kind, child_key, child));
                    }
                }
            }
        }
        for (id, c) in &self.clusters {
            if c.explicit {
                out.push(SeedJob::Cluster {
                    cluster_id: id.clone(),
                    name: c.attrs.name.clone(),
                    state: c.attrs.status.as_ref().map(|_| c.state()),
                    create_time: c.attrs.create_time,
                });
            }
            for (job, e) in &c.jobs {
                out.push(SeedJob::JobExecutionV2 {
                    cluster_id: id.clone(),
                    job_execution_id: job.clone(),
                    name: e.attrs.name.clone(),
                    status: e.seen_status(Instant::now()),
                    create_time: e.attrs.create_time,
                    job_type: e.attrs.job_type.clone(),
                });
            }
        }
        out
    }

    /// Completes the deletions whose time has come.
    pub(crate) fn purge(&mut self, now: Instant) {
        while let Some(Reverse((at, _, _))) = self.pending.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, kind, key))) = self.pending.pop() else {
                break;
            };
            self.complete_if_due(kind, &key, at);
        }
    }

    /// Ends the deletion scheduled for `at`, if the entry is still the one it was scheduled
    /// for (not re-seeded): the job is gone (its children with it), or shows status 6 when
    /// its deletion fails.
    fn complete_if_due(&mut self, kind: Simple, key: &Key, at: Instant) {
        let Some(entry) = self
            .tables
            .get_mut(&kind)
            .and_then(|table| table.get_mut(key))
        else {
            return;
        };
        if entry.deleting_until != Some(at) {
            return;
        }
        if entry.fails_deletion {
            entry.deleting_until = None;
            entry.delete_failed = true;
            return;
        }
        self.table_mut(kind).remove(key);
        let children: Vec<Key> = self.children(kind, key).map(|(k, _)| k.clone()).collect();
        if let Some(child_kind) = kind.child() {
            let table = self.table_mut(child_kind);
            for child in &children {
                table.remove(child);
            }
        }
    }

    /// Starts deleting `kind`'s job `key`; it completes after `delay` (at once when zero).
    fn schedule(
        &mut self,
        kind: Simple,
        key: Key,
        delay: Duration,
        now: Instant,
        fails: bool,
    ) -> Deleted {
        let Some(entry) = self
            .tables
            .get_mut(&kind)
            .and_then(|table| table.get_mut(&key))
        else {
            return Deleted::NotFound;
        };
        if entry.is_deleting() {
            // Deleting again while a deletion runs is accepted and changes nothing.
            return Deleted::Yes;
        }
        let at = now + delay;
        entry.deleting_until = Some(at);
        entry.fails_deletion = fails || entry.attrs.fail_delete;
        entry.delete_failed = false;
        if delay.is_zero() {
            self.complete_if_due(kind, &key, at);
        } else {
            self.pending.push(Reverse((at, kind, key)));
        }
        Deleted::Yes
    }

    /// Deletes `kind`'s job `key`: after `delay` when the kind deletes asynchronously
    /// (its children with it, failing with it), at once otherwise.
    pub(crate) fn delete_simple(
        &mut self,
        kind: Simple,
        key: &Key,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        if !kind.asynchronous() {
            return match self.table_mut(kind).remove(key) {
                Some(_) => Deleted::Yes,
                None => Deleted::NotFound,
            };
        }
        let (children, fails): (Vec<Key>, bool) = match self.get(kind, key) {
            Some(e) if !e.is_deleting() => (
                self.children(kind, key).map(|(k, _)| k.clone()).collect(),
                e.attrs.fail_delete,
            ),
            _ => (Vec::new(), false),
        };
        let result = self.schedule(kind, key.clone(), delay, now, false);
        if let Some(child_kind) = kind.child() {
            for child in children {
                self.schedule(child_kind, child, delay, now, fails);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIS: Simple = Simple::VisualizationJobV1;
    const TRAINING: Simple = Simple::TrainingJobV1;

    fn n(id: u64) -> Key {
        Key::Number(id)
    }

    /// The version ids of training job `job`.
    fn versions(s: &Store, job: u64) -> Vec<u64> {
        s.children(TRAINING, &n(job))
            .map(|(k, _)| match k {
                Key::Pair(_, v) => *v,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn version(s: &Store, job: u64, version: u64) -> &Entry {
        s.get(Simple::TrainingJobVersionV1, &Key::Pair(job, version))
            .unwrap()
    }

    #[test]
    fn jobs_by_creation_follow_inserts_replacements_and_removals() {
        let mut t = Table::default();
        let at = |ms| Entry::new(Attrs::default(), ms);
        t.insert(n(1), at(30));
        t.insert(n(2), at(10));
        t.insert(n(3), at(10));
        let ids = |t: &Table, desc| {
            Numbered(t)
                .by_creation(desc)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&t, false), [2, 3, 1]);
        assert_eq!(ids(&t, true), [1, 3, 2]);
        // Seeded again with another time: one place, the new one.
        t.insert(n(1), at(5));
        t.insert(n(3), at(10));
        assert_eq!(ids(&t, false), [1, 2, 3]);
        assert_eq!(t.remove(&n(2)).map(|e| e.created_ms), Some(10));
        assert!(t.remove(&n(2)).is_none());
        assert_eq!(ids(&t, true), [3, 1]);
        assert_eq!(t.len(), 2);
        t.insert(n(4), at(1));
        let page = |desc, offset, limit| {
            Numbered(&t)
                .page(desc, offset, limit)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(page(false, 1, 2), [1, 3]);
        assert_eq!(page(true, 2, 5), [4]);
        assert!(page(true, 3, 5).is_empty());
    }

    #[test]
    fn pages_that_follow_each_other_equal_pages_skipped_to() {
        let expected = |t: &Table, desc, offset, limit| {
            Numbered(t)
                .by_creation(desc)
                .skip(offset)
                .take(limit)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        let page = |t: &Table, desc, offset, limit| {
            Numbered(t)
                .page(desc, offset, limit)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        for desc in [true, false] {
            let mut t = Table::default();
            // Creation times with ties, so that the key orders them too.
            for id in 0..1_000u64 {
                t.insert(n(id), Entry::new(Attrs::default(), (id * 7919) % 300));
            }
            let mut walked = 0;
            let mut offset = 0;
            loop {
                let got = page(&t, desc, offset, 7);
                assert_eq!(got, expected(&t, desc, offset, 7), "{desc} {offset}");
                if got.is_empty() {
                    break;
                }
                offset += got.len();
                walked += got.len();
                // Out of turn (another walk, or the same page again), then on.
                if offset % 91 == 0 {
                    assert_eq!(page(&t, !desc, 3, 2), expected(&t, !desc, 3, 2));
                    let again = offset - 7;
                    assert_eq!(page(&t, desc, again, 7), expected(&t, desc, again, 7));
                }
                // A change between pages: the next page counts from the start again.
                if offset == 497 {
                    t.remove(&n(3));
                    t.insert(n(5_000), Entry::new(Attrs::default(), 150));
                }
            }
            assert_eq!(walked, 1_000);
        }
    }

    #[test]
    fn immediate_and_delayed_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::visualization_job(1), 0);
        s.seed(SeedJob::visualization_job(2), 0);
        assert_eq!(
            s.delete_simple(VIS, &n(1), Duration::ZERO, now),
            Deleted::Yes
        );
        assert!(s.get(VIS, &n(1)).is_none());
        assert_eq!(
            s.delete_simple(VIS, &n(1), Duration::ZERO, now),
            Deleted::NotFound
        );
        let five = Duration::from_secs(5);
        assert_eq!(s.delete_simple(VIS, &n(2), five, now), Deleted::Yes);
        assert!(s.get(VIS, &n(2)).unwrap().is_deleting());
        assert_eq!(s.delete_simple(VIS, &n(2), five, now), Deleted::Yes);
        s.purge(now + Duration::from_secs(4));
        assert!(s.get(VIS, &n(2)).is_some());
        s.purge(now + five);
        assert!(s.get(VIS, &n(2)).is_none());
    }

    #[test]
    fn dli_and_mrs_delete_at_once() {
        let mut s = Store::default();
        let (later, now) = (Duration::from_secs(5), Instant::now());
        s.seed(SeedJob::flink_job(1), 0);
        s.seed(SeedJob::job_execution("e"), 0);
        let flink = |s: &mut Store| s.delete_simple(Simple::FlinkJob, &n(1), later, now);
        assert_eq!(flink(&mut s), Deleted::Yes);
        assert_eq!(flink(&mut s), Deleted::NotFound);
        let e = Key::Text("e".into());
        assert_eq!(
            s.delete_simple(Simple::JobExecutionV1, &e, later, now),
            Deleted::Yes
        );
        assert!(s.list().is_empty());
    }

    #[test]
    fn versions_follow_their_job() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(10).versions([2, 3]), 0);
        assert!(s.get(TRAINING, &n(10)).is_some());
        let v2 = Key::Pair(10, 2);
        assert_eq!(
            s.delete_simple(Simple::TrainingJobVersionV1, &v2, Duration::ZERO, now),
            Deleted::Yes
        );
        assert_eq!(versions(&s, 10), [3]);
        assert_eq!(
            s.delete_simple(TRAINING, &n(10), Duration::from_secs(1), now),
            Deleted::Yes
        );
        assert_eq!(s.list().len(), 2);
        assert!(s.list().iter().all(|j| matches!(j,
            SeedJob::TrainingJob { status: Some(v), .. } | SeedJob::TrainingJobVersion { status: Some(v), .. }
            if *v == status::MODELARTS_DELETING)));
        s.purge(now + Duration::from_secs(1));
        assert!(s.list().is_empty());
    }

    #[test]
    fn a_failing_deletion_ends_in_status_6() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(1).versions([1]).fail_delete(), 0);
        s.seed(SeedJob::visualization_job(7).fail_delete(), 0);
        s.delete_simple(TRAINING, &n(1), Duration::from_secs(1), now);
        assert_eq!(
            s.delete_simple(VIS, &n(7), Duration::ZERO, now),
            Deleted::Yes
        );
        let shown = |s: &Store| -> Vec<Option<Value>> {
            s.list()
                .into_iter()
                .map(|j| match j {
                    SeedJob::TrainingJob { status, .. }
                    | SeedJob::TrainingJobVersion { status, .. }
                    | SeedJob::VisualizationJob { status, .. } => status,
                    _ => None,
                })
                .collect()
        };
        let (nine, six) = (Some(Value::from(9)), Some(Value::from(6)));
        assert_eq!(shown(&s), [nine.clone(), nine, six.clone()]);
        s.purge(now + Duration::from_secs(1));
        assert_eq!(shown(&s), [six.clone(), six.clone(), six]);
        // Deleting again tries again (and fails again).
        s.delete_simple(VIS, &n(7), Duration::from_secs(1), now);
        assert!(s.get(VIS, &n(7)).unwrap().is_deleting());
    }

    #[test]
    fn a_training_job_without_versions_gets_a_first_one_with_its_status() {
        let mut s = Store::default();
        s.seed(SeedJob::training_job(4).status(6).create_time(7), 0);
        assert_eq!(versions(&s, 4), [1]);
        assert_eq!(version(&s, 4, 1).attrs.status, Some(Value::from(6)));
        assert_eq!(version(&s, 4, 1).created_ms, 7);
        // Re-seeding remakes it with the new status.
        s.seed(SeedJob::training_job(4).status(9), 0);
        assert_eq!(version(&s, 4, 1).attrs.status, Some(Value::from(9)));
        // A version seeded for the job takes its place.
        s.seed(SeedJob::training_job_version(4, 3), 0);
        assert_eq!(versions(&s, 4), [3]);
        // Seeded versions: no first one.
        s.seed(SeedJob::training_job(5).versions([2]), 0);
        assert_eq!(versions(&s, 5), [2]);
        // A version seeded alone creates its job, and no first version beside it.
        s.seed(SeedJob::training_job_version(6, 4), 0);
        assert!(s.get(TRAINING, &n(6)).is_some());
        assert_eq!(versions(&s, 6), [4]);
    }

    #[test]
    fn the_first_version_fails_with_its_job() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(8).fail_delete(), 0);
        s.delete_simple(TRAINING, &n(8), Duration::ZERO, now);
        let six = Value::from(status::MODELARTS_DELETE_FAILED);
        assert_eq!(version(&s, 8, 1).status(Value::Null, Value::Null), six);
    }

    #[test]
    fn reseeding_cancels_a_running_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::visualization_job(5), 0);
        s.delete_simple(VIS, &n(5), Duration::from_secs(1), now);
        s.seed(SeedJob::visualization_job(5), 0);
        s.purge(now + Duration::from_secs(2));
        assert!(s.get(VIS, &n(5)).is_some());
    }

    #[test]
    fn a_deleted_job_takes_versions_seeded_after_its_deletion_began() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(3), 0);
        s.delete_simple(TRAINING, &n(3), Duration::from_secs(1), now);
        s.seed(SeedJob::training_job_version(3, 2), 0);
        s.purge(now + Duration::from_secs(1));
        assert!(s.list().is_empty(), "{:?}", s.list());
    }
}
