//! The jobs that exist, with deletion that takes `delete_delay` to complete.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::model::SeedJob;

/// The statuses the emulator shows where the pages leave the value open: the default of a
/// seeded job without `status`, and the status shown while a deletion runs
/// ([`EmulatorConfig::delete_delay`](crate::EmulatorConfig::delete_delay)).
pub mod status {
    /// ModelArts job status shown for seeded training jobs and versions when none is given
    /// (`10`, the status in the training job pages' examples).
    pub const MODELARTS_TRAINING_DEFAULT: i64 = 10;
    /// ModelArts job status shown for seeded visualization jobs when none is given (`7`, the
    /// visualization pages' example).
    pub const MODELARTS_VISUALIZATION_DEFAULT: i64 = 7;
    /// ModelArts status shown while a deletion runs: `9`, the status the delete page's
    /// failed-response example reports for a job that is being torn down. The old-version
    /// pages define no "deleting" status of their own.
    pub const MODELARTS_DELETING: i64 = 9;
    /// DLI status of seeded Flink jobs when none is given.
    pub const DLI_DEFAULT: &str = "job_running";
    /// DLI status while a deletion runs: the pages list no deleting status, and
    /// `job_canceling` ("the job is being stopped") is what a running job passes through.
    pub const DLI_DELETING: &str = "job_canceling";
    /// MRS `info.status` of seeded job executions when none is given.
    pub const MRS_DEFAULT: &str = "RUNNING";
    /// MRS `info.status` while a deletion runs (the page documents no status field; `info`
    /// is the Oozie key-value set, where Sahara keeps `status`).
    pub const MRS_DELETING: &str = "DELETING";
}

/// One job's record.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) name: Option<String>,
    pub(crate) status: Option<Value>,
    /// Creation time, unix milliseconds.
    pub(crate) created_ms: u64,
    /// When a running deletion completes.
    pub(crate) deleting_until: Option<Instant>,
}

impl Entry {
    fn new(name: Option<String>, status: Option<Value>, created_ms: u64) -> Entry {
        Entry {
            name,
            status,
            created_ms,
            deleting_until: None,
        }
    }

    pub(crate) fn is_deleting(&self) -> bool {
        self.deleting_until.is_some()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TrainingJob {
    pub(crate) entry: Entry,
    pub(crate) versions: BTreeMap<u64, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum JobKey {
    Training(u64),
    Version(u64, u64),
    Visualization(String),
    Flink(u64),
    Execution(String),
}

/// What a delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// The job existed; its deletion started (or had already started).
    Yes,
    /// No such job.
    NotFound,
}

/// Every job, by kind.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) training: BTreeMap<u64, TrainingJob>,
    pub(crate) visualization: BTreeMap<String, Entry>,
    pub(crate) flink: BTreeMap<u64, Entry>,
    pub(crate) executions: BTreeMap<String, Entry>,
    pending: BinaryHeap<Reverse<(Instant, JobKey)>>,
}

impl Store {
    pub(crate) fn clear(&mut self) {
        *self = Store::default();
    }

    /// Adds (or replaces) a job.
    pub(crate) fn seed(&mut self, job: SeedJob, now_ms: u64) {
        match job {
            SeedJob::TrainingJob {
                job_id,
                name,
                status,
            } => {
                let entry = Entry::new(name, status, now_ms);
                match self.training.get_mut(&job_id) {
                    Some(existing) => existing.entry = entry,
                    None => {
                        self.training.insert(
                            job_id,
                            TrainingJob {
                                entry,
                                versions: BTreeMap::new(),
                            },
                        );
                    }
                }
            }
            SeedJob::TrainingJobVersion {
                job_id,
                version_id,
                name,
                status,
            } => {
                let job = self.training.entry(job_id).or_insert_with(|| TrainingJob {
                    entry: Entry::new(None, None, now_ms),
                    versions: BTreeMap::new(),
                });
                job.versions
                    .insert(version_id, Entry::new(name, status, now_ms));
            }
            SeedJob::VisualizationJob {
                job_id,
                name,
                status,
            } => {
                self.visualization
                    .insert(job_id, Entry::new(name, status, now_ms));
            }
            SeedJob::FlinkJob {
                job_id,
                name,
                status,
            } => {
                self.flink.insert(job_id, Entry::new(name, status, now_ms));
            }
            SeedJob::JobExecution {
                job_execution_id,
                name,
                status,
            } => {
                self.executions
                    .insert(job_execution_id, Entry::new(name, status, now_ms));
            }
        }
    }

    /// The jobs that exist, as seeds; a job being deleted shows its deleting status.
    pub(crate) fn list(&self) -> Vec<SeedJob> {
        let shown = |e: &Entry, deleting: Value| -> Option<Value> {
            if e.is_deleting() {
                Some(deleting)
            } else {
                e.status.clone()
            }
        };
        let mut out = Vec::new();
        for (id, job) in &self.training {
            out.push(SeedJob::TrainingJob {
                job_id: *id,
                name: job.entry.name.clone(),
                status: shown(&job.entry, Value::from(status::MODELARTS_DELETING)),
            });
            for (vid, v) in &job.versions {
                out.push(SeedJob::TrainingJobVersion {
                    job_id: *id,
                    version_id: *vid,
                    name: v.name.clone(),
                    status: shown(v, Value::from(status::MODELARTS_DELETING)),
                });
            }
        }
        for (id, e) in &self.visualization {
            out.push(SeedJob::VisualizationJob {
                job_id: id.clone(),
                name: e.name.clone(),
                status: shown(e, Value::from(status::MODELARTS_DELETING)),
            });
        }
        for (id, e) in &self.flink {
            out.push(SeedJob::FlinkJob {
                job_id: *id,
                name: e.name.clone(),
                status: shown(e, Value::from(status::DLI_DELETING)),
            });
        }
        for (id, e) in &self.executions {
            out.push(SeedJob::JobExecution {
                job_execution_id: id.clone(),
                name: e.name.clone(),
                status: shown(e, Value::from(status::MRS_DELETING)),
            });
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
            self.remove_if_due(&key, at);
        }
    }

    fn remove_if_due(&mut self, key: &JobKey, at: Instant) {
        // Only when the entry is still the one whose deletion was scheduled (not re-seeded).
        let due = |e: &Entry| e.deleting_until == Some(at);
        match key {
            JobKey::Training(id) => {
                if self.training.get(id).is_some_and(|j| due(&j.entry)) {
                    self.training.remove(id);
                }
            }
            JobKey::Version(id, vid) => {
                if let Some(job) = self.training.get_mut(id)
                    && job.versions.get(vid).is_some_and(due)
                {
                    job.versions.remove(vid);
                }
            }
            JobKey::Visualization(id) => {
                if self.visualization.get(id).is_some_and(due) {
                    self.visualization.remove(id);
                }
            }
            JobKey::Flink(id) => {
                if self.flink.get(id).is_some_and(due) {
                    self.flink.remove(id);
                }
            }
            JobKey::Execution(id) => {
                if self.executions.get(id).is_some_and(due) {
                    self.executions.remove(id);
                }
            }
        }
    }

    /// Starts deleting `key`'s entry: now when `delay` is zero, else after `delay`.
    fn schedule(&mut self, key: JobKey, delay: Duration, now: Instant) -> Deleted {
        let entry: Option<&mut Entry> = match &key {
            JobKey::Training(id) => self.training.get_mut(id).map(|j| &mut j.entry),
            JobKey::Version(id, vid) => self
                .training
                .get_mut(id)
                .and_then(|j| j.versions.get_mut(vid)),
            JobKey::Visualization(id) => self.visualization.get_mut(id),
            JobKey::Flink(id) => self.flink.get_mut(id),
            JobKey::Execution(id) => self.executions.get_mut(id),
        };
        let Some(entry) = entry else {
            return Deleted::NotFound;
        };
        if entry.is_deleting() {
            // Deleting again while a deletion runs is accepted and changes nothing.
            return Deleted::Yes;
        }
        let at = now + delay;
        entry.deleting_until = Some(at);
        if delay.is_zero() {
            self.remove_if_due(&key, at);
        } else {
            self.pending.push(Reverse((at, key)));
        }
        Deleted::Yes
    }

    /// Deletes a training job and, with it, its versions.
    pub(crate) fn delete_training_job(
        &mut self,
        id: u64,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        let versions: Vec<u64> = match self.training.get(&id) {
            Some(job) if !job.entry.is_deleting() => job.versions.keys().copied().collect(),
            _ => Vec::new(),
        };
        let result = self.schedule(JobKey::Training(id), delay, now);
        for vid in versions {
            self.schedule(JobKey::Version(id, vid), delay, now);
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
        self.schedule(JobKey::Version(id, vid), delay, now)
    }

    pub(crate) fn delete_visualization(
        &mut self,
        id: &str,
        delay: Duration,
        now: Instant,
    ) -> Deleted {
        self.schedule(JobKey::Visualization(id.to_owned()), delay, now)
    }

    pub(crate) fn delete_flink(&mut self, id: u64, delay: Duration, now: Instant) -> Deleted {
        self.schedule(JobKey::Flink(id), delay, now)
    }

    pub(crate) fn delete_execution(&mut self, id: &str, delay: Duration, now: Instant) -> Deleted {
        self.schedule(JobKey::Execution(id.to_owned()), delay, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediate_and_delayed_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::flink_job(1), 0);
        s.seed(SeedJob::flink_job(2), 0);
        assert_eq!(s.delete_flink(1, Duration::ZERO, now), Deleted::Yes);
        assert!(!s.flink.contains_key(&1));
        assert_eq!(s.delete_flink(1, Duration::ZERO, now), Deleted::NotFound);
        assert_eq!(s.delete_flink(2, Duration::from_secs(5), now), Deleted::Yes);
        assert!(s.flink[&2].is_deleting());
        assert_eq!(s.delete_flink(2, Duration::from_secs(5), now), Deleted::Yes);
        s.purge(now + Duration::from_secs(4));
        assert!(s.flink.contains_key(&2));
        s.purge(now + Duration::from_secs(5));
        assert!(!s.flink.contains_key(&2));
    }

    #[test]
    fn versions_follow_their_job() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::training_job_version(10, 2), 0);
        s.seed(SeedJob::training_job_version(10, 3), 0);
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
    fn reseeding_cancels_a_running_deletion() {
        let mut s = Store::default();
        let now = Instant::now();
        s.seed(SeedJob::job_execution("a"), 0);
        s.delete_execution("a", Duration::from_secs(1), now);
        s.seed(SeedJob::job_execution("a"), 0);
        s.purge(now + Duration::from_secs(2));
        assert!(s.executions.contains_key("a"));
    }
}
