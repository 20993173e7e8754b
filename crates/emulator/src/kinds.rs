//! The emulated kinds kept in one table: every kind added since the first five (whose
//! records predate it), each with its key, defaults and deletion behaviour as data, so
//! that a kind is a row here, its seed variant, and its answers.

use serde_json::Value;

use crate::SeedJob;
use crate::attrs::Attrs;

/// A kind kept in the store's generic table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Simple {
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
}

impl Key {
    /// The id as the answers and paths write it.
    pub(crate) fn text(&self) -> String {
        match self {
            Key::Number(n) => n.to_string(),
            Key::Text(t) => t.clone(),
        }
    }
}

impl Simple {
    /// Whether the service deletes after answering (for `delete_delay`).
    pub(crate) fn asynchronous(self) -> bool {
        match self {
            Simple::TrainingJobV2 => true,
            Simple::FlinkTemplate
            | Simple::TrainingConfigV1
            | Simple::JobV1
            | Simple::JobBinaryV1
            | Simple::SqlJob
            | Simple::SparkJob => false,
        }
    }

    /// The status shown when the seed has none.
    pub(crate) fn default_status(self) -> Value {
        match self {
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

    /// The seed of a job kept as `key` with `attrs` (`GET /_emulator/jobs`).
    pub(crate) fn seed(self, key: &Key, attrs: &Attrs, status: Option<Value>) -> SeedJob {
        match self {
            Simple::TrainingJobV2 => SeedJob::TrainingJobV2 {
                job_id: key.text(),
                name: attrs.name.clone(),
                status,
                create_time: attrs.create_time,
            },
            Simple::FlinkTemplate => SeedJob::FlinkTemplate {
                template_id: match key {
                    Key::Number(n) => *n,
                    Key::Text(t) => t.parse().unwrap_or_default(),
                },
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

    /// The kind, key and attributes of a seed of a kind in the table; `None` for the
    /// first five kinds, which the store keeps in records of their own.
    pub(crate) fn of(job: SeedJob) -> Result<(Simple, Key, Attrs), Box<SeedJob>> {
        match job {
            SeedJob::TrainingJobV2 {
                job_id,
                name,
                status,
                create_time,
            } => Ok((
                Simple::TrainingJobV2,
                Key::Text(job_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    ..Attrs::default()
                },
            )),
            SeedJob::FlinkTemplate {
                template_id,
                name,
                create_time,
                job_type,
                tags,
            } => Ok((
                Simple::FlinkTemplate,
                Key::Number(template_id),
                Attrs {
                    name,
                    create_time,
                    job_type,
                    tags,
                    ..Attrs::default()
                },
            )),
            SeedJob::TrainingConfigV1 {
                config_name,
                create_time,
                config_type,
            } => Ok((
                Simple::TrainingConfigV1,
                Key::Text(config_name),
                Attrs {
                    create_time,
                    // The kind's type attribute: a configuration's config_type.
                    job_type: config_type,
                    ..Attrs::default()
                },
            )),
            SeedJob::JobV1 {
                job_id,
                name,
                create_time,
                job_type,
            } => Ok((
                Simple::JobV1,
                Key::Text(job_id),
                Attrs {
                    name,
                    create_time,
                    job_type,
                    ..Attrs::default()
                },
            )),
            SeedJob::JobBinaryV1 {
                job_binary_id,
                name,
                create_time,
            } => Ok((
                Simple::JobBinaryV1,
                Key::Text(job_binary_id),
                Attrs {
                    name,
                    create_time,
                    ..Attrs::default()
                },
            )),
            SeedJob::SqlJob {
                job_id,
                statement,
                status,
                create_time,
                queue_name,
                job_type,
            } => Ok((
                Simple::SqlJob,
                Key::Text(job_id),
                Attrs {
                    // The kind's name attribute: a SQL job's statement.
                    name: statement,
                    status,
                    create_time,
                    queue_name,
                    job_type,
                    ..Attrs::default()
                },
            )),
            SeedJob::SparkJob {
                batch_id,
                name,
                status,
                create_time,
                queue_name,
            } => Ok((
                Simple::SparkJob,
                Key::Text(batch_id),
                Attrs {
                    name,
                    status,
                    create_time,
                    queue_name,
                    ..Attrs::default()
                },
            )),
            other => Err(Box::new(other)),
        }
    }
}
