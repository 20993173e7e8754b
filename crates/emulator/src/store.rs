//! The jobs that exist; ModelArts deletions take `delete_delay` to complete (and may fail).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::SeedJob;
pub(crate) use crate::attrs::Attrs;
use crate::kinds::{Key, Simple};

/// The statuses the emulator shows where the pages leave the value open: the default of a
/// seeded job without `status`, and the statuses of a ModelArts deletion
/// ([`EmulatorConfig::delete_delay`](crate::EmulatorConfig::delete_delay)). DLI and MRS
/// delete synchronously: the job is gone when the answer is sent.
pub mod status {
    /// ModelArts job status shown for seeded training jobs and versions when none is given
    /// (`10`, `JOBSTAT_COMPLETED`, the status in the training job pages' examples).
    pub const MODELARTS_TRAINING_DEFAULT: i64 = 10;
    /// ModelArts job status shown for seeded visualization jobs when none is given (`7`,
    /// the visualization pages' example).
    pub const MODELARTS_VISUALIZATION_DEFAULT: i64 = 7;
    /// ModelArts status shown while a deletion runs: `9` (`JOBSTAT_KILLING`, "the job is
    /// being canceled"), the status the delete page's failed-response example reports for a
    /// job that is being torn down. The job status page defines no "deleting" status.
    pub const MODELARTS_DELETING: i64 = 9;
    /// ModelArts status after a deletion failed: `6`, `JOBSTAT_DELETE_FAILED` (a job seeded
    /// with `fail_delete`).
    pub const MODELARTS_DELETE_FAILED: i64 = 6;
    /// The version id of the first version a training job seeded without versions gets (a
    /// ModelArts v1 training job always has at least one version); it carries the job's
    /// seeded status and creation time, and makes way for versions seeded later.
    pub const MODELARTS_FIRST_VERSION: u64 = 1;
    /// DLI status of seeded Flink jobs when none is given.
    pub const DLI_DEFAULT: &str = "job_running";
    /// MRS `info.status` of seeded job executions when none is given.
    pub const MRS_DEFAULT: &str = "RUNNING";
}

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
}

impl Entry {
    fn new(attrs: Attrs, now_ms: u64) -> Entry {
        Entry {
            created_ms: attrs.create_time.unwrap_or(now_ms),
            attrs,
            deleting_until: None,
            fails_deletion: false,
            delete_failed: false,
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

#[derive(Debug, Clone)]
pub(crate) struct TrainingJob {
    pub(crate) entry: Entry,
    pub(crate) versions: BTreeMap<u64, Entry>,
    /// Its only version is the first one the emulator made
    /// ([`status::MODELARTS_FIRST_VERSION`]), not a seeded one.
    made_first_version: bool,
}

impl TrainingJob {
    fn new(entry: Entry) -> TrainingJob {
        TrainingJob {
            entry,
            versions: BTreeMap::new(),
            made_first_version: false,
        }
    }

    /// Drops the first version the emulator made, if that is the only version.
    fn drop_made_version(&mut self) {
        if std::mem::take(&mut self.made_first_version) {
            self.versions.remove(&status::MODELARTS_FIRST_VERSION);
        }
    }

    /// Gives a job without versions its first one, carrying the job's status.
    fn make_first_version(&mut self) {
        if !self.versions.is_empty() {
            return;
        }
        let attrs = Attrs {
            status: self.entry.attrs.status.clone(),
            create_time: self.entry.attrs.create_time,
            ..Attrs::default()
        };
        let created = self.entry.created_ms;
        self.versions
            .insert(status::MODELARTS_FIRST_VERSION, Entry::new(attrs, created));
        self.made_first_version = true;
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

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum JobKey {
    Training(u64),
    Version(u64, u64),
    Visualization(u64),
    Simple(Simple, Key),
}

/// What a delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// The job existed; its deletion started (or had already started).
    Yes,
    /// No such job.
    NotFound,
}

/// Jobs by id, with their order of creation kept beside them, so that a list walks them
/// newest (or oldest) first, page by page, without sorting every job for each page (a
/// 100,000-job walk sorted 100,000 jobs 1,000 times).
#[derive(Debug, Default)]
pub(crate) struct ByCreation {
    by_id: BTreeMap<u64, Entry>,
    /// `(created_ms, id)` of every entry of `by_id`.
    order: BTreeSet<(u64, u64)>,
}

impl ByCreation {
    /// Adds or replaces the job `id`.
    pub(crate) fn insert(&mut self, id: u64, entry: Entry) {
        let created = entry.created_ms;
        if let Some(old) = self.by_id.insert(id, entry) {
            self.order.remove(&(old.created_ms, id));
        }
        self.order.insert((created, id));
    }

    pub(crate) fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.by_id.remove(&id)?;
        self.order.remove(&(entry.created_ms, id));
        Some(entry)
    }

    pub(crate) fn get(&self, id: u64) -> Option<&Entry> {
        self.by_id.get(&id)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// In id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &Entry)> {
        self.by_id.iter().map(|(id, e)| (*id, e))
    }

    /// The `limit` jobs after the first `offset` of [`ByCreation::by_creation`], skipping
    /// over the order alone.
    pub(crate) fn page(
        &self,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> impl Iterator<Item = (u64, &Entry)> {
        let keys: Box<dyn Iterator<Item = &(u64, u64)>> = if descending {
            Box::new(self.order.iter().rev().skip(offset).take(limit))
        } else {
            Box::new(self.order.iter().skip(offset).take(limit))
        };
        keys.filter_map(|&(_, id)| self.by_id.get(&id).map(|e| (id, e)))
    }

    /// By creation time, then id; newest first when `descending`.
    pub(crate) fn by_creation(
        &self,
        descending: bool,
    ) -> Box<dyn Iterator<Item = (u64, &Entry)> + '_> {
        let entry = |&(_, id): &(u64, u64)| self.by_id.get(&id).map(|e| (id, e));
        if descending {
            Box::new(self.order.iter().rev().filter_map(entry))
        } else {
            Box::new(self.order.iter().filter_map(entry))
        }
    }
}

/// Every job, by kind, in id order (lists sort from there, so equal keys keep a stable
/// order).
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) training: BTreeMap<u64, TrainingJob>,
    pub(crate) visualization: BTreeMap<u64, Entry>,
    pub(crate) flink: ByCreation,
    pub(crate) executions: BTreeMap<String, Entry>,
    /// MRS clusters by id, with their v2 job executions.
    pub(crate) clusters: BTreeMap<String, Cluster>,
    /// The kinds of [`Simple`]'s table, each in id order.
    pub(crate) simple: BTreeMap<Simple, BTreeMap<Key, Entry>>,
    pending: BinaryHeap<Reverse<(Instant, JobKey)>>,
}

impl Store {
    pub(crate) fn clear(&mut self) {
        *self = Store::default();
    }

    /// The jobs of a kind of the table.
    pub(crate) fn table(&self, kind: Simple) -> impl Iterator<Item = (&Key, &Entry)> {
        self.simple.get(&kind).into_iter().flat_map(|t| t.iter())
    }

    /// One job of a kind of the table.
    pub(crate) fn get(&self, kind: Simple, key: &Key) -> Option<&Entry> {
        self.simple.get(&kind)?.get(key)
    }

    /// One job of a kind of the table, to change (a cancelled run's status).
    pub(crate) fn get_mut(&mut self, kind: Simple, key: &Key) -> Option<&mut Entry> {
        self.simple.get_mut(&kind)?.get_mut(key)
    }

    /// How many jobs of a kind of the table exist.
    pub(crate) fn count(&self, kind: Simple) -> usize {
        self.simple.get(&kind).map_or(0, BTreeMap::len)
    }

    /// Adds (or replaces) a job.
    pub(crate) fn seed(&mut self, job: SeedJob, now_ms: u64) {
        let job = match Simple::of(job) {
            Ok((kind, key, attrs)) => {
                self.simple
                    .entry(kind)
                    .or_default()
                    .insert(key, Entry::new(attrs, now_ms));
                return;
            }
            Err(job) => *job,
        };
        match job {
            SeedJob::TrainingJob {
                job_id,
                name,
                status,
                create_time,
                versions,
                workspace_id,
                fail_delete,
            } => {
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    workspace_id,
                    fail_delete,
                    ..Attrs::default()
                };
                let entry = Entry::new(attrs, now_ms);
                let created = entry.created_ms;
                let job = match self.training.get_mut(&job_id) {
                    Some(existing) => {
                        existing.entry = entry;
                        // Remade below with the new status, unless versions come.
                        existing.drop_made_version();
                        existing
                    }
                    None => self
                        .training
                        .entry(job_id)
                        .or_insert(TrainingJob::new(entry)),
                };
                for version_id in versions {
                    job.versions
                        .insert(version_id, Entry::new(Attrs::default(), created));
                }
                job.make_first_version();
            }
            SeedJob::TrainingJobVersion {
                job_id,
                version_id,
                name,
                status,
                create_time,
                fail_delete,
            } => {
                let job = self
                    .training
                    .entry(job_id)
                    .or_insert_with(|| TrainingJob::new(Entry::new(Attrs::default(), now_ms)));
                job.drop_made_version();
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    fail_delete,
                    ..Attrs::default()
                };
                job.versions.insert(version_id, Entry::new(attrs, now_ms));
            }
            SeedJob::VisualizationJob {
                job_id,
                name,
                status,
                create_time,
                workspace_id,
                fail_delete,
            } => {
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    workspace_id,
                    fail_delete,
                    ..Attrs::default()
                };
                self.visualization.insert(job_id, Entry::new(attrs, now_ms));
            }
            SeedJob::FlinkJob {
                job_id,
                name,
                status,
                create_time,
                queue_name,
                job_type,
                user_name,
                tags,
            } => {
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    queue_name,
                    job_type,
                    user_name,
                    tags,
                    ..Attrs::default()
                };
                self.flink.insert(job_id, Entry::new(attrs, now_ms));
            }
            SeedJob::JobExecution {
                job_execution_id,
                name,
                status,
                create_time,
                cluster_id,
            } => {
                let attrs = Attrs {
                    name,
                    status,
                    create_time,
                    cluster_id,
                    ..Attrs::default()
                };
                self.executions
                    .insert(job_execution_id, Entry::new(attrs, now_ms));
            }
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
            // Kept in the table (above).
            _ => {}
        }
    }

    /// The jobs that exist, as seeds (a training job's versions as their own entries); a
    /// job being deleted shows its deleting status, one whose deletion failed status 6.
    pub(crate) fn list(&self) -> Vec<SeedJob> {
        let ma_deleting = || Value::from(status::MODELARTS_DELETING);
        let mut out = Vec::new();
        for (id, job) in &self.training {
            let e = &job.entry;
            out.push(SeedJob::TrainingJob {
                job_id: *id,
                name: e.attrs.name.clone(),
                status: e.listed_status(ma_deleting()),
                create_time: e.attrs.create_time,
                versions: Vec::new(),
                workspace_id: e.attrs.workspace_id.clone(),
                fail_delete: e.attrs.fail_delete,
            });
            for (vid, v) in &job.versions {
                out.push(SeedJob::TrainingJobVersion {
                    job_id: *id,
                    version_id: *vid,
                    name: v.attrs.name.clone(),
                    status: v.listed_status(ma_deleting()),
                    create_time: v.attrs.create_time,
                    fail_delete: v.attrs.fail_delete,
                });
            }
        }
        for (id, e) in &self.visualization {
            out.push(SeedJob::VisualizationJob {
                job_id: *id,
                name: e.attrs.name.clone(),
                status: e.listed_status(ma_deleting()),
                create_time: e.attrs.create_time,
                workspace_id: e.attrs.workspace_id.clone(),
                fail_delete: e.attrs.fail_delete,
            });
        }
        for (id, e) in self.flink.iter() {
            out.push(SeedJob::FlinkJob {
                job_id: id,
                name: e.attrs.name.clone(),
                status: e.attrs.status.clone(),
                create_time: e.attrs.create_time,
                queue_name: e.attrs.queue_name.clone(),
                job_type: e.attrs.job_type.clone(),
                user_name: e.attrs.user_name.clone(),
                tags: e.attrs.tags.clone(),
            });
        }
        for (id, e) in &self.executions {
            out.push(SeedJob::JobExecution {
                job_execution_id: id.clone(),
                name: e.attrs.name.clone(),
                status: e.attrs.status.clone(),
                create_time: e.attrs.create_time,
                cluster_id: e.attrs.cluster_id.clone(),
            });
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
                    status: e.attrs.status.clone(),
                    create_time: e.attrs.create_time,
                    job_type: e.attrs.job_type.clone(),
                });
            }
        }
        for (kind, jobs) in &self.simple {
            for (key, e) in jobs {
                out.push(kind.seed(key, &e.attrs, e.attrs.status.clone()));
            }
        }
        out
    }

    /// Completes the deletions whose time has come.
    pub(crate) fn purge(&mut self, now: Instant) {
        while let Some(Reverse((at, _))) = self.pending.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, key))) = self.pending.pop() else {
                break;
            };
            self.complete_if_due(&key, at);
        }
    }

    fn entry_mut(&mut self, key: &JobKey) -> Option<&mut Entry> {
        match key {
            JobKey::Training(id) => self.training.get_mut(id).map(|j| &mut j.entry),
            JobKey::Version(id, vid) => self
                .training
                .get_mut(id)
                .and_then(|j| j.versions.get_mut(vid)),
            JobKey::Visualization(id) => self.visualization.get_mut(id),
            JobKey::Simple(kind, key) => self.simple.get_mut(kind)?.get_mut(key),
        }
    }

    /// Ends the deletion scheduled for `at`, if the entry is still the one it was scheduled
    /// for (not re-seeded): the job is gone, or shows status 6 when its deletion fails.
    fn complete_if_due(&mut self, key: &JobKey, at: Instant) {
        let Some(entry) = self.entry_mut(key) else {
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
        match key {
            JobKey::Training(id) => {
                self.training.remove(id);
            }
            JobKey::Version(id, vid) => {
                if let Some(job) = self.training.get_mut(id) {
                    job.versions.remove(vid);
                }
            }
            JobKey::Visualization(id) => {
                self.visualization.remove(id);
            }
            JobKey::Simple(kind, key) => {
                if let Some(jobs) = self.simple.get_mut(kind) {
                    jobs.remove(key);
                }
            }
        }
    }

    /// Starts deleting `key`'s entry; it completes after `delay` (at once when zero).
    fn schedule(&mut self, key: JobKey, delay: Duration, now: Instant, fails: bool) -> Deleted {
        let Some(entry) = self.entry_mut(&key) else {
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
            self.complete_if_due(&key, at);
        } else {
            self.pending.push(Reverse((at, key)));
        }
        Deleted::Yes
    }

    /// Deletes a training job and, with it, its versions (which fail with it).
    pub(crate) fn delete_training_job(
        &mut self,
        id: u64,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        let (versions, fails) = match self.training.get(&id) {
            Some(job) if !job.entry.is_deleting() => (
                job.versions.keys().copied().collect(),
                job.entry.attrs.fail_delete,
            ),
            _ => (Vec::new(), false),
        };
        let result = self.schedule(JobKey::Training(id), delay, now, false);
        for vid in versions {
            self.schedule(JobKey::Version(id, vid), delay, now, fails);
        }
        result
    }

    pub(crate) fn delete_version(
        &mut self,
        id: u64,
        vid: u64,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        self.schedule(JobKey::Version(id, vid), delay, now, false)
    }

    pub(crate) fn delete_visualization(
        &mut self,
        id: u64,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        self.schedule(JobKey::Visualization(id), delay, now, false)
    }

    /// Deletes a job of a kind of the table: after `delay` when the kind deletes
    /// asynchronously, at once otherwise.
    pub(crate) fn delete_simple(
        &mut self,
        kind: Simple,
        key: &Key,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        if kind.asynchronous() {
            return self.schedule(JobKey::Simple(kind, key.clone()), delay, now, false);
        }
        match self.simple.get_mut(&kind).and_then(|t| t.remove(key)) {
            Some(_) => Deleted::Yes,
            None => Deleted::NotFound,
        }
    }

    /// DLI deletes synchronously: the job is gone when the answer is sent.
    pub(crate) fn delete_flink(&mut self, id: u64) -> Deleted {
        match self.flink.remove(id) {
            Some(_) => Deleted::Yes,
            None => Deleted::NotFound,
        }
    }

    /// MRS deletes synchronously.
    pub(crate) fn delete_execution(&mut self, id: &str) -> Deleted {
        match self.executions.remove(id) {
            Some(_) => Deleted::Yes,
            None => Deleted::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_by_creation_follow_inserts_replacements_and_removals() {
        let mut t = ByCreation::default();
        let at = |ms| Entry::new(Attrs::default(), ms);
        t.insert(1, at(30));
        t.insert(2, at(10));
        t.insert(3, at(10));
        let ids = |t: &ByCreation, desc| t.by_creation(desc).map(|(id, _)| id).collect::<Vec<_>>();
        assert_eq!(ids(&t, false), [2, 3, 1]);
        assert_eq!(ids(&t, true), [1, 3, 2]);
        // Seeded again with another time: one place, the new one.
        t.insert(1, at(5));
        t.insert(3, at(10));
        assert_eq!(ids(&t, false), [1, 2, 3]);
        assert_eq!(t.remove(2).map(|e| e.created_ms), Some(10));
        assert!(t.remove(2).is_none());
        assert_eq!(ids(&t, true), [3, 1]);
        assert_eq!(t.len(), 2);
        t.insert(4, at(1));
        let page = |desc, offset, limit| {
            t.page(desc, offset, limit)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(page(false, 1, 2), [1, 3]);
        assert_eq!(page(true, 2, 5), [4]);
        assert!(page(true, 3, 5).is_empty());
    }

    #[test]
    fn immediate_and_delayed_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::visualization_job(1), 0);
        s.seed(SeedJob::visualization_job(2), 0);
        assert_eq!(s.delete_visualization(1, Duration::ZERO, now), Deleted::Yes);
        assert!(!s.visualization.contains_key(&1));
        assert_eq!(
            s.delete_visualization(1, Duration::ZERO, now),
            Deleted::NotFound
        );
        let five = Duration::from_secs(5);
        assert_eq!(s.delete_visualization(2, five, now), Deleted::Yes);
        assert!(s.visualization[&2].is_deleting());
        assert_eq!(s.delete_visualization(2, five, now), Deleted::Yes);
        s.purge(now + Duration::from_secs(4));
        assert!(s.visualization.contains_key(&2));
        s.purge(now + five);
        assert!(!s.visualization.contains_key(&2));
    }

    #[test]
    fn dli_and_mrs_delete_at_once() {
        let mut s = Store::default();
        s.seed(SeedJob::flink_job(1), 0);
        s.seed(SeedJob::job_execution("e"), 0);
        assert_eq!(s.delete_flink(1), Deleted::Yes);
        assert_eq!(s.delete_flink(1), Deleted::NotFound);
        assert_eq!(s.delete_execution("e"), Deleted::Yes);
        assert!(s.list().is_empty());
    }

    #[test]
    fn versions_follow_their_job() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(10).versions([2, 3]), 0);
        assert!(s.training.contains_key(&10));
        assert_eq!(s.delete_version(10, 2, Duration::ZERO, now), Deleted::Yes);
        assert_eq!(s.training[&10].versions.len(), 1);
        assert_eq!(
            s.delete_training_job(10, Duration::from_secs(1), now),
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
        s.delete_training_job(1, Duration::from_secs(1), now);
        assert_eq!(s.delete_visualization(7, Duration::ZERO, now), Deleted::Yes);
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
        s.delete_visualization(7, Duration::from_secs(1), now);
        assert!(s.visualization[&7].is_deleting());
    }

    #[test]
    fn a_training_job_without_versions_gets_a_first_one_with_its_status() {
        let mut s = Store::default();
        s.seed(SeedJob::training_job(4).status(6).create_time(7), 0);
        let v = &s.training[&4].versions;
        assert_eq!(v.keys().copied().collect::<Vec<_>>(), [1]);
        assert_eq!(v[&1].attrs.status, Some(Value::from(6)));
        assert_eq!(v[&1].created_ms, 7);
        // Re-seeding remakes it with the new status.
        s.seed(SeedJob::training_job(4).status(9), 0);
        assert_eq!(
            s.training[&4].versions[&1].attrs.status,
            Some(Value::from(9))
        );
        // A version seeded for the job takes its place.
        s.seed(SeedJob::training_job_version(4, 3), 0);
        assert_eq!(
            s.training[&4].versions.keys().copied().collect::<Vec<_>>(),
            [3]
        );
        // Seeded versions: no first one.
        s.seed(SeedJob::training_job(5).versions([2]), 0);
        assert_eq!(
            s.training[&5].versions.keys().copied().collect::<Vec<_>>(),
            [2]
        );
    }

    #[test]
    fn the_first_version_fails_with_its_job() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job(8).fail_delete(), 0);
        s.delete_training_job(8, Duration::ZERO, now);
        let job = &s.training[&8];
        let six = Value::from(status::MODELARTS_DELETE_FAILED);
        assert_eq!(job.versions[&1].status(Value::Null, Value::Null), six);
    }

    #[test]
    fn reseeding_cancels_a_running_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::visualization_job(5), 0);
        s.delete_visualization(5, Duration::from_secs(1), now);
        s.seed(SeedJob::visualization_job(5), 0);
        s.purge(now + Duration::from_secs(2));
        assert!(s.visualization.contains_key(&5));
    }
}
