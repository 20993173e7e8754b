//! The emulated kinds kept in one table: each with its key, defaults, parent and deletion
//! behaviour as data, so that a kind is a row here, its seed variant, and its answers. (MRS
//! v2 job executions are kept apart, inside their clusters: a cluster is a parent that is
//! only listed, with a state of its own, and its jobs' ids are texts within a text.)

use serde_json::Value;

use crate::SeedJob;
use crate::attrs::Attrs;

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

/// A kind kept in the store's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Simple {
    /// ModelArts training jobs of the old-version API (v1).
    TrainingJobV1,
    /// Versions of those training jobs: keyed `(job, version)`, children of their job.
    TrainingJobVersionV1,
    /// ModelArts visualization jobs (old-version API).
    VisualizationJobV1,
    /// DLI Flink jobs.
    FlinkJob,
    /// MRS job executions (v1.1).
    JobExecutionV1,
    /// ModelArts training jobs of the current API (v2).
    TrainingJobV2,
    /// DLI Flink job templates.
    FlinkTemplate,
    /// ModelArts training job configurations (old-version API).
    TrainingConfigV1,
    /// MRS job objects (v1.1).
    JobV1,
    /// MRS job binary objects (v1.1).
    JobBinaryV1,
    /// DLI SQL jobs (runs: cancelled, never deleted).
    SqlJob,
    /// DLI Spark batch jobs (runs: cancelled, never deleted).
    SparkJob,
}

/// A job's key in its kind: a number or a text, as the pages type the id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// A numeric id (`Long` on the pages).
    Number(u64),
    /// A text id (a UUID, a configuration name).
    Text(String),
    /// A child's id in its numeric parent (a training job version: job, version).
    Pair(u64, u64),
}

impl Key {
    /// The id as the answers and paths write it.
    pub(crate) fn text(&self) -> String {
        match self {
            Key::Number(n) => n.to_string(),
            Key::Text(t) => t.clone(),
            Key::Pair(parent, child) => format!("{parent}/{child}"),
        }
    }

    /// The parent's key of a child's key.
    pub(crate) fn parent(&self) -> Option<Key> {
        match self {
            Key::Pair(parent, _) => Some(Key::Number(*parent)),
            Key::Number(_) | Key::Text(_) => None,
        }
    }

    /// The range of the children's keys of this (numeric) key.
    pub(crate) fn children(&self) -> Option<std::ops::RangeInclusive<Key>> {
        match self {
            Key::Number(n) => Some(Key::Pair(*n, 0)..=Key::Pair(*n, u64::MAX)),
            Key::Text(_) | Key::Pair(..) => None,
        }
    }
}

impl Simple {
    /// Whether the service deletes after answering (for `delete_delay`).
    pub(crate) fn asynchronous(self) -> bool {
        match self {
            Simple::TrainingJobV1
            | Simple::TrainingJobVersionV1
            | Simple::VisualizationJobV1
            | Simple::TrainingJobV2 => true,
            Simple::FlinkJob
            | Simple::JobExecutionV1
            | Simple::FlinkTemplate
            | Simple::TrainingConfigV1
            | Simple::JobV1
            | Simple::JobBinaryV1
            | Simple::SqlJob
            | Simple::SparkJob => false,
        }
    }

    /// The status a job shows while its deletion runs, where the kind has one (ModelArts
    /// v1: 9; the v2 pages document no deleting phase, DLI and MRS delete at once).
    pub(crate) fn deleting_status(self) -> Option<Value> {
        match self {
            Simple::TrainingJobV1 | Simple::TrainingJobVersionV1 | Simple::VisualizationJobV1 => {
                Some(Value::from(status::MODELARTS_DELETING))
            }
            _ => None,
        }
    }

    /// The kind whose jobs are this kind's parents (a version's training job).
    pub(crate) fn parent(self) -> Option<Simple> {
        match self {
            Simple::TrainingJobVersionV1 => Some(Simple::TrainingJobV1),
            _ => None,
        }
    }

    /// The kind of this kind's children (a training job's versions).
    pub(crate) fn child(self) -> Option<Simple> {
        match self {
            Simple::TrainingJobV1 => Some(Simple::TrainingJobVersionV1),
            _ => None,
        }
    }

    /// The id of the child a job of this kind always has, made when it is seeded without
    /// one (a ModelArts v1 training job always has a first version).
    pub(crate) fn first_child(self) -> Option<u64> {
        match self {
            Simple::TrainingJobV1 => Some(status::MODELARTS_FIRST_VERSION),
            _ => None,
        }
    }

    /// The status shown when the seed has none.
    pub(crate) fn default_status(self) -> Value {
        match self {
            Simple::TrainingJobV1 | Simple::TrainingJobVersionV1 => {
                Value::from(status::MODELARTS_TRAINING_DEFAULT)
            }
            Simple::VisualizationJobV1 => Value::from(status::MODELARTS_VISUALIZATION_DEFAULT),
            Simple::FlinkJob => Value::from(status::DLI_DEFAULT),
            Simple::JobExecutionV1 => Value::from(status::MRS_DEFAULT),
            Simple::TrainingJobV2 => Value::from("Completed"),
            Simple::SqlJob => Value::from("RUNNING"),
            Simple::SparkJob => Value::from("running"),
            Simple::FlinkTemplate
            | Simple::TrainingConfigV1
            | Simple::JobV1
            | Simple::JobBinaryV1 => Value::Null,
        }
    }

    /// The name shown when the seed has none.
    pub(crate) fn default_name(self, key: &Key) -> String {
        match self {
            Simple::TrainingJobV1 => format!("job-{}", key.text()),
            Simple::TrainingJobVersionV1 => match key {
                Key::Pair(_, version) => format!("V{version:04}"),
                other => other.text(),
            },
            Simple::VisualizationJobV1 => format!("visualization-job-{}", key.text()),
            Simple::FlinkJob => format!("flink-job-{}", key.text()),
            Simple::JobExecutionV1 => key.text(),
            Simple::TrainingJobV2 => {
                let id = key.text();
                format!("job-{}", id.chars().take(8).collect::<String>())
            }
            Simple::FlinkTemplate => format!("template-{}", key.text()),
            Simple::TrainingConfigV1 => key.text(),
            Simple::JobV1 => format!("job-{}", key.text()),
            Simple::JobBinaryV1 => format!("binary-{}", key.text()),
            Simple::SqlJob => "select * from t1".to_owned(),
            Simple::SparkJob => {
                let id = key.text();
                format!("batch-{}", id.chars().take(8).collect::<String>())
            }
        }
    }

    /// The seed of a job kept as `key` with `attrs` (`GET /_emulator/jobs`), showing
    /// `status`.
    pub(crate) fn seed(self, key: &Key, attrs: &Attrs, status: Option<Value>) -> SeedJob {
        let number = || match key {
            Key::Number(n) | Key::Pair(n, _) => *n,
            Key::Text(t) => t.parse().unwrap_or_default(),
        };
        match self {
            Simple::TrainingJobV1 => SeedJob::TrainingJob {
                job_id: number(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                // Listed as their own entries.
                versions: Vec::new(),
                workspace_id: attrs.workspace_id.clone(),
                fail_delete: attrs.fail_delete,
            },
            Simple::TrainingJobVersionV1 => SeedJob::TrainingJobVersion {
                job_id: number(),
                version_id: match key {
                    Key::Pair(_, v) => *v,
                    Key::Number(_) | Key::Text(_) => 0,
                },
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                fail_delete: attrs.fail_delete,
            },
            Simple::VisualizationJobV1 => SeedJob::VisualizationJob {
                job_id: number(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                workspace_id: attrs.workspace_id.clone(),
                fail_delete: attrs.fail_delete,
            },
            Simple::FlinkJob => SeedJob::FlinkJob {
                job_id: number(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                queue_name: attrs.queue_name.clone(),
                job_type: attrs.job_type.clone(),
                user_name: attrs.user_name.clone(),
                tags: attrs.tags.clone(),
            },
            Simple::JobExecutionV1 => SeedJob::JobExecution {
                job_execution_id: key.text(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                cluster_id: attrs.cluster_id.clone(),
            },
            Simple::TrainingJobV2 => SeedJob::TrainingJobV2 {
                job_id: key.text(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
            },
            Simple::FlinkTemplate => SeedJob::FlinkTemplate {
                template_id: number(),
                name: attrs.name.clone(),
                create_time: attrs.create_time,
                job_type: attrs.job_type.clone(),
                tags: attrs.tags.clone(),
            },
            Simple::TrainingConfigV1 => SeedJob::TrainingConfigV1 {
                config_name: key.text(),
                create_time: attrs.create_time,
                config_type: attrs.job_type.clone(),
            },
            Simple::JobV1 => SeedJob::JobV1 {
                job_id: key.text(),
                name: attrs.name.clone(),
                create_time: attrs.create_time,
                job_type: attrs.job_type.clone(),
            },
            Simple::JobBinaryV1 => SeedJob::JobBinaryV1 {
                job_binary_id: key.text(),
                name: attrs.name.clone(),
                create_time: attrs.create_time,
            },
            Simple::SqlJob => SeedJob::SqlJob {
                job_id: key.text(),
                statement: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                queue_name: attrs.queue_name.clone(),
                job_type: attrs.job_type.clone(),
                tags: attrs.tags.clone(),
            },
            Simple::SparkJob => SeedJob::SparkJob {
                batch_id: key.text(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
                queue_name: attrs.queue_name.clone(),
            },
        }
    }

    /// The kind, key and attributes of a seed of a kind of the table, with the keys of
    /// the children it is seeded with (a training job's versions); the seed back for what
    /// the table does not keep (MRS clusters and the v2 job executions inside them).
    pub(crate) fn of(job: SeedJob) -> Result<Seeded, Box<SeedJob>> {
        let plain = |kind, key, attrs| Seeded {
            kind,
            key,
            attrs,
            children: Vec::new(),
        };
        Ok(match job {
            SeedJob::TrainingJob {
                job_id,
                name,
                status,
                create_time,
                versions,
                workspace_id,
                fail_delete,
            } => Seeded {
                kind: Simple::TrainingJobV1,
                key: Key::Number(job_id),
                attrs: Attrs {
                    name,
                    status,
                    create_time,
                    workspace_id,
                    fail_delete,
                    ..Attrs::default()
                },
                children: versions.into_iter().map(|v| Key::Pair(job_id, v)).collect(),
            },
            SeedJob::TrainingJobVersion {
                job_id,
                version_id,
                name,
                status,
                create_time,
                fail_delete,
            } => plain(
                Simple::TrainingJobVersionV1,
                Key::Pair(job_id, version_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    fail_delete,
                    ..Attrs::default()
                },
            ),
            SeedJob::VisualizationJob {
                job_id,
                name,
                status,
                create_time,
                workspace_id,
                fail_delete,
            } => plain(
                Simple::VisualizationJobV1,
                Key::Number(job_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    workspace_id,
                    fail_delete,
                    ..Attrs::default()
                },
            ),
            SeedJob::FlinkJob {
                job_id,
                name,
                status,
                create_time,
                queue_name,
                job_type,
                user_name,
                tags,
            } => plain(
                Simple::FlinkJob,
                Key::Number(job_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    queue_name,
                    job_type,
                    user_name,
                    tags,
                    ..Attrs::default()
                },
            ),
            SeedJob::JobExecution {
                job_execution_id,
                name,
                status,
                create_time,
                cluster_id,
            } => plain(
                Simple::JobExecutionV1,
                Key::Text(job_execution_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    cluster_id,
                    ..Attrs::default()
                },
            ),
            SeedJob::TrainingJobV2 {
                job_id,
                name,
                status,
                create_time,
            } => plain(
                Simple::TrainingJobV2,
                Key::Text(job_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    ..Attrs::default()
                },
            ),
            SeedJob::FlinkTemplate {
                template_id,
                name,
                create_time,
                job_type,
                tags,
            } => plain(
                Simple::FlinkTemplate,
                Key::Number(template_id),
                Attrs {
                    name,
                    create_time,
                    job_type,
                    tags,
                    ..Attrs::default()
                },
            ),
            SeedJob::TrainingConfigV1 {
                config_name,
                create_time,
                config_type,
            } => plain(
                Simple::TrainingConfigV1,
                Key::Text(config_name),
                Attrs {
                    create_time,
                    // The kind's type attribute: a configuration's config_type.
                    job_type: config_type,
                    ..Attrs::default()
                },
            ),
            SeedJob::JobV1 {
                job_id,
                name,
                create_time,
                job_type,
            } => plain(
                Simple::JobV1,
                Key::Text(job_id),
                Attrs {
                    name,
                    create_time,
                    job_type,
                    ..Attrs::default()
                },
            ),
            SeedJob::JobBinaryV1 {
                job_binary_id,
                name,
                create_time,
            } => plain(
                Simple::JobBinaryV1,
                Key::Text(job_binary_id),
                Attrs {
                    name,
                    create_time,
                    ..Attrs::default()
                },
            ),
            SeedJob::SqlJob {
                job_id,
                statement,
                status,
                create_time,
                queue_name,
                job_type,
                tags,
            } => plain(
                Simple::SqlJob,
                Key::Text(job_id),
                Attrs {
                    // The kind's name attribute: a SQL job's statement.
                    name: statement,
                    status,
                    create_time,
                    queue_name,
                    job_type,
                    tags,
                    ..Attrs::default()
                },
            ),
            SeedJob::SparkJob {
                batch_id,
                name,
                status,
                create_time,
                queue_name,
            } => plain(
                Simple::SparkJob,
                Key::Text(batch_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    queue_name,
                    ..Attrs::default()
                },
            ),
            other => return Err(Box::new(other)),
        })
    }
}

/// A seed read into the table's terms.
#[derive(Debug)]
pub(crate) struct Seeded {
    pub(crate) kind: Simple,
    pub(crate) key: Key,
    pub(crate) attrs: Attrs,
    /// Children to create with default attributes (a training job's `versions`).
    pub(crate) children: Vec<Key>,
}
