//! The jobs to seed: `POST /_emulator/jobs` and [`Emulator::seed`](crate::Emulator::seed).

use std::collections::BTreeMap;

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A job that exists in the emulator, as `POST /_emulator/jobs` takes it (one, or an array
/// of any number at once) and `GET /_emulator/jobs` lists it.
///
/// Every attribute is optional; what a job shows when one is absent (its name, status,
/// queue, ...) is documented on each field, the statuses in [`status`](crate::status).
/// `create_time` is unix milliseconds (default: when it was seeded); lists sort and filter
/// by these attributes, so tests can seed exactly the jobs a selection should find.
///
/// ```
/// use otc_jobs_emulator::SeedJob;
/// let job: SeedJob = serde_json::from_str(r#"{"kind": "flink-job", "job_id": 7, "queue_name": "q1"}"#)?;
/// assert_eq!(job, SeedJob::flink_job(7).queue("q1"));
/// // The names before the CLI's kind names still seed.
/// let old: SeedJob = serde_json::from_str(r#"{"kind": "flink_job", "job_id": 7, "queue_name": "q1"}"#)?;
/// assert_eq!(old, job);
/// assert_eq!(serde_json::to_string(&SeedJob::flink_job(77))?, r#"{"kind":"flink-job","job_id":77}"#);
/// let old = SeedJob::training_job(10).name("resnet").status(8).create_time(1_700_000_000_000).versions([1, 2]);
/// assert_eq!(
///     serde_json::to_string(&old)?,
///     r#"{"kind":"training-job-v1","job_id":10,"name":"resnet","status":8,"create_time":1700000000000,"versions":[1,2]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
#[non_exhaustive]
pub enum SeedJob {
    /// A ModelArts training job of the old-version API
    /// (`/v1/{project_id}/training-jobs/{job_id}`): kind `training-job-v1` (also
    /// `training_job`, its name before the current API's training jobs came).
    #[serde(rename = "training-job-v1", alias = "training_job")]
    TrainingJob {
        /// The job id (Long on the page).
        job_id: u64,
        /// `job_name` (default `job-{job_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `status`, a ModelArts job status number (default 10, completed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// Version ids to create with the job, each with default attributes (listed as
        /// `training_job_version` entries afterwards). None: the job gets a first version
        /// (id [`MODELARTS_FIRST_VERSION`](crate::status::MODELARTS_FIRST_VERSION)) with its
        /// status, as a real v1 job always has one, unless versions are seeded for it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        versions: Vec<u64>,
        /// The workspace (default `"0"`, the default of the list's `workspace_id`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        workspace_id: Option<String>,
        /// Its deletion fails: after the deleting status it shows status 6
        /// (`JOBSTAT_DELETE_FAILED`) instead of disappearing, and so do its versions.
        #[serde(default, skip_serializing_if = "is_false")]
        fail_delete: bool,
    },
    /// A version of a ModelArts training job
    /// (`/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}`): kind
    /// `training-job-version-v1` (also `training_job_version`). Seeding one creates its
    /// training job when missing.
    #[serde(rename = "training-job-version-v1", alias = "training_job_version")]
    TrainingJobVersion {
        /// The training job's id.
        job_id: u64,
        /// The version id.
        version_id: u64,
        /// `version_name` (default `V{version_id:04}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `status`, a ModelArts job status number (default 10).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// Its deletion fails (status 6), as for a training job.
        #[serde(default, skip_serializing_if = "is_false")]
        fail_delete: bool,
    },
    /// A ModelArts visualization job (`/v1/{project_id}/visualization-jobs/{job_id}`): kind
    /// `visualization-job-v1` (also `visualization_job`).
    #[serde(rename = "visualization-job-v1", alias = "visualization_job")]
    VisualizationJob {
        /// The job id: a number, as the list and detail pages type it (Long), although the
        /// path tables say String. In JSON a string of digits (`"101"`) is read as its
        /// number; any other string is refused.
        #[serde(deserialize_with = "visualization_job_id")]
        job_id: u64,
        /// `job_name` (default `visualization-job-{job_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `status`, a ModelArts job status number (default 7).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// The workspace (default `"0"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        workspace_id: Option<String>,
        /// Its deletion fails (status 6), as for a training job.
        #[serde(default, skip_serializing_if = "is_false")]
        fail_delete: bool,
    },
    /// A DLI Flink job (`/v1.0/{project_id}/streaming/jobs/{job_id}`): kind `flink-job`
    /// (also `flink_job`).
    #[serde(rename = "flink-job", alias = "flink_job")]
    FlinkJob {
        /// The job id (Long on the page).
        job_id: u64,
        /// `name` (default `flink-job-{job_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `status`, e.g. `"job_running"` (the default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `queue_name` (default `"default"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue_name: Option<String>,
        /// `job_type`: `flink_sql_job` (default) or `flink_jar_job`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
        /// `user_name` (default `"emulator"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_name: Option<String>,
        /// Tags, for the list's `tags` filter.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// An MRS job execution object (`/v1.1/{project_id}/job-executions/{job_execution_id}`):
    /// kind `job-execution-v1` (also `job_execution`).
    #[serde(rename = "job-execution-v1", alias = "job_execution")]
    JobExecution {
        /// The job execution id.
        job_execution_id: String,
        /// A name, kept in `job_configs.configs.name` (the page has no name field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The Oozie status, shown in `info.status` (default `"RUNNING"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// Creation time, unix milliseconds, shown as `created_at` (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `cluster_id` (default empty).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster_id: Option<String>,
    },
    /// A ModelArts training job of the current API
    /// (`/v2/{project_id}/training-jobs/{training_job_id}`): kind `training-job`.
    #[serde(rename = "training-job")]
    TrainingJobV2 {
        /// The training job id (a UUID on the pages; any non-empty text).
        job_id: String,
        /// `metadata.name` (default `job-{first 8 characters of the id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `status.phase`: `Creating`, `Pending`, `Running`, `Failed`, `Completed` (the
        /// default), `Terminating`, `Terminated` or `Abnormal`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `metadata.create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
    },
    /// A DLI Flink job template (`/v1.0/{project_id}/streaming/job-templates/{template_id}`):
    /// kind `flink-template`.
    #[serde(rename = "flink-template")]
    FlinkTemplate {
        /// The template id (Integer in the list, Long in the deletion's answer).
        template_id: u64,
        /// `name` (default `template-{template_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `job_type`: `flink_sql_job` (default) or `flink_opensource_sql_job`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
        /// Tags, for the list's `tags` filter.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// A ModelArts training job configuration of the old-version API
    /// (`/v1/{project_id}/training-job-configs/{config_name}`): kind `training-config-v1`.
    /// Its id is its name.
    #[serde(rename = "training-config-v1")]
    TrainingConfigV1 {
        /// The configuration's name (its id: any non-empty text).
        config_name: String,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `custom` (the default) or `sample`, for the list's `config_type`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config_type: Option<String>,
    },
    /// An MRS job object of the v1.1 API (`/v1.1/{project_id}/jobs/{job_id}`): kind
    /// `job-v1`.
    #[serde(rename = "job-v1")]
    JobV1 {
        /// The job object id (a UUID on the pages; any non-empty text).
        job_id: String,
        /// `name` (default `job-{job_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Creation time, unix milliseconds, shown as `created_at` (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `type` (default `MapReduce`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
    },
    /// An MRS job binary object of the v1.1 API
    /// (`/v1.1/{project_id}/job-binaries/{job_binary_id}`): kind `job-binary-v1`.
    #[serde(rename = "job-binary-v1")]
    JobBinaryV1 {
        /// The job binary id (a UUID on the pages; any non-empty text).
        job_binary_id: String,
        /// `name` (default `binary-{job_binary_id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Creation time, unix milliseconds, shown as `created_at` (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
    },
    /// An MRS job execution of the v2 API
    /// (`/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}`): kind
    /// `job-execution`. Seeding one creates its cluster when missing.
    #[serde(rename = "job-execution")]
    JobExecutionV2 {
        /// The cluster the job runs in.
        cluster_id: String,
        /// The job id (a UUID on the pages; any non-empty text).
        job_execution_id: String,
        /// `job_name` (default `job-{first 8 characters of the id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `job_state`: `New`, `NEW_SAVING`, `SUBMITTED`, `ACCEPTED`, `RUNNING` (the
        /// default), `FINISHED`, `FAILED` or `KILLED`; `job_result` follows from it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `submitted_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `job_type` (default `SparkSubmit`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
    },
    /// An MRS cluster (`/v1.1/{project_id}/cluster_infos`), the parent of v2 job
    /// executions: kind `cluster`. Seeding a job execution creates its cluster; seed one
    /// to have a cluster without jobs, or to set its name or state.
    #[serde(rename = "cluster")]
    Cluster {
        /// The cluster id.
        cluster_id: String,
        /// `clusterName` (default `cluster-{first 8 characters of the id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `clusterState` (default `running`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<String>,
        /// `createAt`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
    },
    /// A DLI SQL job, a run that can only be cancelled (`/v1.0/{project_id}/jobs/{job_id}`):
    /// kind `sql-job`.
    #[serde(rename = "sql-job")]
    SqlJob {
        /// The job id (a UUID on the pages; any non-empty text).
        job_id: String,
        /// `statement` (default `select * from t1`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statement: Option<String>,
        /// `status`: `RUNNING` (the default), `SCALING`, `LAUNCHING` (not over: can be
        /// cancelled), `FINISHED`, `FAILED` or `CANCELLED`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `start_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// `queue_name` (default `default`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue_name: Option<String>,
        /// `job_type` (default `QUERY`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_type: Option<String>,
        /// Tags, for the list's `tags` filter.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// A DLI Spark batch job, a run that can only be cancelled
    /// (`/v2.0/{project_id}/batches/{batch_id}`): kind `spark-job`.
    #[serde(rename = "spark-job")]
    SparkJob {
        /// The batch id (a UUID on the pages; any non-empty text).
        batch_id: String,
        /// `name` (default `batch-{first 8 characters of the id}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// `state`: `starting`, `running` (the default), `recovering` (not over: can be
        /// cancelled), `dead` or `success`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Value>,
        /// `create_time`, unix milliseconds (default: when seeded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        create_time: Option<u64>,
        /// The queue (`cluster_name`, `queue`; default `default`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue_name: Option<String>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A visualization job id in JSON: a number, or a string of digits (seeds once wrote them
/// as strings); anything else is refused, naming the id.
fn visualization_job_id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct Id;
    impl Visitor<'_> for Id {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a visualization job id: a number, as ModelArts job ids are (Long)")
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<u64, E> {
            Ok(n)
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<u64, E> {
            u64::try_from(n).map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<u64, E> {
            let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| text.parse().ok())
                .flatten()
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
        }
    }
    d.deserialize_any(Id)
}

impl SeedJob {
    /// A training job with default attributes.
    pub fn training_job(job_id: u64) -> SeedJob {
        SeedJob::TrainingJob {
            job_id,
            name: None,
            status: None,
            create_time: None,
            versions: Vec::new(),
            workspace_id: None,
            fail_delete: false,
        }
    }

    /// A training job version with default attributes.
    pub fn training_job_version(job_id: u64, version_id: u64) -> SeedJob {
        SeedJob::TrainingJobVersion {
            job_id,
            version_id,
            name: None,
            status: None,
            create_time: None,
            fail_delete: false,
        }
    }

    /// A visualization job with default attributes. Its id is a number, as the list and
    /// detail pages type it.
    pub fn visualization_job(job_id: u64) -> SeedJob {
        SeedJob::VisualizationJob {
            job_id,
            name: None,
            status: None,
            create_time: None,
            workspace_id: None,
            fail_delete: false,
        }
    }

    /// A DLI Flink job with default attributes.
    pub fn flink_job(job_id: u64) -> SeedJob {
        SeedJob::FlinkJob {
            job_id,
            name: None,
            status: None,
            create_time: None,
            queue_name: None,
            job_type: None,
            user_name: None,
            tags: BTreeMap::new(),
        }
    }

    /// An MRS job execution with default attributes.
    pub fn job_execution(job_execution_id: impl Into<String>) -> SeedJob {
        SeedJob::JobExecution {
            job_execution_id: job_execution_id.into(),
            name: None,
            status: None,
            create_time: None,
            cluster_id: None,
        }
    }

    /// An MRS job execution of the v2 API in cluster `cluster_id`, with default
    /// attributes (state `RUNNING`).
    ///
    /// ```
    /// use otc_jobs_emulator::SeedJob;
    /// let job = SeedJob::job_execution_v2("c1", "j1").status("FINISHED");
    /// assert_eq!((job.kind(), job.id()), ("job-execution", "c1/j1".to_owned()));
    /// assert_eq!(
    ///     serde_json::to_string(&job)?,
    ///     r#"{"kind":"job-execution","cluster_id":"c1","job_execution_id":"j1","status":"FINISHED"}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn job_execution_v2(
        cluster_id: impl Into<String>,
        job_execution_id: impl Into<String>,
    ) -> SeedJob {
        SeedJob::JobExecutionV2 {
            cluster_id: cluster_id.into(),
            job_execution_id: job_execution_id.into(),
            name: None,
            status: None,
            create_time: None,
            job_type: None,
        }
    }

    /// An MRS cluster with default attributes (state `running`).
    pub fn mrs_cluster(cluster_id: impl Into<String>) -> SeedJob {
        SeedJob::Cluster {
            cluster_id: cluster_id.into(),
            name: None,
            state: None,
            create_time: None,
        }
    }

    /// A ModelArts training job of the current API (v2) with default attributes.
    pub fn training_job_v2(job_id: impl Into<String>) -> SeedJob {
        SeedJob::TrainingJobV2 {
            job_id: job_id.into(),
            name: None,
            status: None,
            create_time: None,
        }
    }

    /// A DLI Flink job template with default attributes.
    pub fn flink_template(template_id: u64) -> SeedJob {
        SeedJob::FlinkTemplate {
            template_id,
            name: None,
            create_time: None,
            job_type: None,
            tags: BTreeMap::new(),
        }
    }

    /// A ModelArts training job configuration (old-version API) named `config_name`.
    pub fn training_config_v1(config_name: impl Into<String>) -> SeedJob {
        SeedJob::TrainingConfigV1 {
            config_name: config_name.into(),
            create_time: None,
            config_type: None,
        }
    }

    /// An MRS job object (v1.1) with default attributes.
    pub fn job_v1(job_id: impl Into<String>) -> SeedJob {
        SeedJob::JobV1 {
            job_id: job_id.into(),
            name: None,
            create_time: None,
            job_type: None,
        }
    }

    /// An MRS job binary object (v1.1) with default attributes.
    pub fn job_binary_v1(job_binary_id: impl Into<String>) -> SeedJob {
        SeedJob::JobBinaryV1 {
            job_binary_id: job_binary_id.into(),
            name: None,
            create_time: None,
        }
    }

    /// A DLI SQL job (status `RUNNING`) with default attributes.
    pub fn sql_job(job_id: impl Into<String>) -> SeedJob {
        SeedJob::SqlJob {
            job_id: job_id.into(),
            statement: None,
            status: None,
            create_time: None,
            queue_name: None,
            job_type: None,
            tags: BTreeMap::new(),
        }
    }

    /// A DLI Spark batch job (state `running`) with default attributes.
    pub fn spark_job(batch_id: impl Into<String>) -> SeedJob {
        SeedJob::SparkJob {
            batch_id: batch_id.into(),
            name: None,
            status: None,
            create_time: None,
            queue_name: None,
        }
    }

    /// The kind's name, as the CLI and the admin API write it (`training-job-v1`).
    ///
    /// ```
    /// use otc_jobs_emulator::SeedJob;
    /// assert_eq!(SeedJob::training_job_version(10, 2).kind(), "training-job-version-v1");
    /// assert_eq!(SeedJob::training_job_version(10, 2).id(), "10/2");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            SeedJob::TrainingJob { .. } => "training-job-v1",
            SeedJob::TrainingJobVersion { .. } => "training-job-version-v1",
            SeedJob::VisualizationJob { .. } => "visualization-job-v1",
            SeedJob::FlinkJob { .. } => "flink-job",
            SeedJob::JobExecution { .. } => "job-execution-v1",
            SeedJob::TrainingJobV2 { .. } => "training-job",
            SeedJob::FlinkTemplate { .. } => "flink-template",
            SeedJob::TrainingConfigV1 { .. } => "training-config-v1",
            SeedJob::JobV1 { .. } => "job-v1",
            SeedJob::JobBinaryV1 { .. } => "job-binary-v1",
            SeedJob::JobExecutionV2 { .. } => "job-execution",
            SeedJob::Cluster { .. } => "cluster",
            SeedJob::SqlJob { .. } => "sql-job",
            SeedJob::SparkJob { .. } => "spark-job",
        }
    }

    /// The job's id as the CLI writes it (`JOB/VERSION` for a version).
    pub fn id(&self) -> String {
        match self {
            SeedJob::TrainingJob { job_id, .. }
            | SeedJob::VisualizationJob { job_id, .. }
            | SeedJob::FlinkJob { job_id, .. } => job_id.to_string(),
            SeedJob::TrainingJobVersion {
                job_id, version_id, ..
            } => format!("{job_id}/{version_id}"),
            SeedJob::JobExecution {
                job_execution_id, ..
            } => job_execution_id.clone(),
            SeedJob::TrainingJobV2 { job_id, .. } => job_id.clone(),
            SeedJob::FlinkTemplate { template_id, .. } => template_id.to_string(),
            SeedJob::TrainingConfigV1 { config_name, .. } => config_name.clone(),
            SeedJob::JobV1 { job_id, .. } => job_id.clone(),
            SeedJob::JobBinaryV1 { job_binary_id, .. } => job_binary_id.clone(),
            SeedJob::JobExecutionV2 {
                cluster_id,
                job_execution_id,
                ..
            } => format!("{cluster_id}/{job_execution_id}"),
            SeedJob::Cluster { cluster_id, .. } => cluster_id.clone(),
            SeedJob::SqlJob { job_id, .. } => job_id.clone(),
            SeedJob::SparkJob { batch_id, .. } => batch_id.clone(),
        }
    }

    /// With this name (every kind whose name is not its id: a configuration is
    /// unchanged; a SQL job's statement).
    pub fn name(mut self, value: impl Into<String>) -> SeedJob {
        let value = Some(value.into());
        match &mut self {
            SeedJob::TrainingConfigV1 { .. } => {}
            SeedJob::TrainingJob { name, .. }
            | SeedJob::TrainingJobVersion { name, .. }
            | SeedJob::VisualizationJob { name, .. }
            | SeedJob::FlinkJob { name, .. }
            | SeedJob::JobExecution { name, .. }
            | SeedJob::TrainingJobV2 { name, .. }
            | SeedJob::FlinkTemplate { name, .. }
            | SeedJob::JobV1 { name, .. }
            | SeedJob::JobBinaryV1 { name, .. }
            | SeedJob::JobExecutionV2 { name, .. }
            | SeedJob::Cluster { name, .. }
            | SeedJob::SparkJob { name, .. }
            | SeedJob::SqlJob {
                statement: name, ..
            } => *name = value,
        }
        self
    }

    /// With this status (every kind that has one): a number for ModelArts v1 (`8`), a
    /// string for ModelArts v2 (`"Running"`), DLI (`"job_running"`) and MRS job executions
    /// (`"SUCCEEDED"`, v2 `"RUNNING"`), a cluster's state (`"running"`). Templates,
    /// configurations, job objects and binaries have none: unchanged.
    pub fn status(mut self, value: impl Into<Value>) -> SeedJob {
        let value = Some(value.into());
        match &mut self {
            SeedJob::FlinkTemplate { .. }
            | SeedJob::TrainingConfigV1 { .. }
            | SeedJob::JobV1 { .. }
            | SeedJob::JobBinaryV1 { .. } => {}
            SeedJob::TrainingJob { status, .. }
            | SeedJob::TrainingJobVersion { status, .. }
            | SeedJob::VisualizationJob { status, .. }
            | SeedJob::FlinkJob { status, .. }
            | SeedJob::JobExecution { status, .. }
            | SeedJob::TrainingJobV2 { status, .. }
            | SeedJob::JobExecutionV2 { status, .. }
            | SeedJob::SqlJob { status, .. }
            | SeedJob::SparkJob { status, .. } => *status = value,
            SeedJob::Cluster { state, .. } => {
                *state = value.map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                });
            }
        }
        self
    }

    /// Created at this time, unix milliseconds (every kind).
    pub fn create_time(mut self, unix_ms: u64) -> SeedJob {
        match &mut self {
            SeedJob::TrainingJob { create_time, .. }
            | SeedJob::TrainingJobVersion { create_time, .. }
            | SeedJob::VisualizationJob { create_time, .. }
            | SeedJob::FlinkJob { create_time, .. }
            | SeedJob::JobExecution { create_time, .. }
            | SeedJob::TrainingJobV2 { create_time, .. }
            | SeedJob::FlinkTemplate { create_time, .. }
            | SeedJob::TrainingConfigV1 { create_time, .. }
            | SeedJob::JobV1 { create_time, .. }
            | SeedJob::JobBinaryV1 { create_time, .. }
            | SeedJob::JobExecutionV2 { create_time, .. }
            | SeedJob::Cluster { create_time, .. }
            | SeedJob::SqlJob { create_time, .. }
            | SeedJob::SparkJob { create_time, .. } => *create_time = Some(unix_ms),
        }
        self
    }

    /// Created `age` before now (every kind).
    pub fn age(self, age: std::time::Duration) -> SeedJob {
        let age_ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        self.create_time(crate::server::now_ms().saturating_sub(age_ms))
    }

    /// Training jobs: with these versions. Other kinds: unchanged.
    pub fn versions(mut self, ids: impl IntoIterator<Item = u64>) -> SeedJob {
        if let SeedJob::TrainingJob { versions, .. } = &mut self {
            *versions = ids.into_iter().collect();
        }
        self
    }

    /// ModelArts jobs and versions: in this workspace. Other kinds: unchanged.
    pub fn workspace(mut self, id: impl Into<String>) -> SeedJob {
        if let SeedJob::TrainingJob { workspace_id, .. }
        | SeedJob::VisualizationJob { workspace_id, .. } = &mut self
        {
            *workspace_id = Some(id.into());
        }
        self
    }

    /// ModelArts kinds: their deletion fails, ending in status 6 (`JOBSTAT_DELETE_FAILED`)
    /// instead of the job disappearing. Other kinds (DLI and MRS delete synchronously):
    /// unchanged.
    pub fn fail_delete(mut self) -> SeedJob {
        if let SeedJob::TrainingJob { fail_delete, .. }
        | SeedJob::TrainingJobVersion { fail_delete, .. }
        | SeedJob::VisualizationJob { fail_delete, .. } = &mut self
        {
            *fail_delete = true;
        }
        self
    }

    /// Flink jobs, SQL jobs and Spark batches: in this queue. Other kinds: unchanged.
    pub fn queue(mut self, name: impl Into<String>) -> SeedJob {
        if let SeedJob::FlinkJob { queue_name, .. }
        | SeedJob::SqlJob { queue_name, .. }
        | SeedJob::SparkJob { queue_name, .. } = &mut self
        {
            *queue_name = Some(name.into());
        }
        self
    }

    /// Flink jobs and templates: of this type (`flink_sql_job`, `flink_jar_job`); MRS v2
    /// job executions (`SparkSubmit`, `HiveSql`, ...). Other kinds: unchanged.
    pub fn job_type(mut self, value: impl Into<String>) -> SeedJob {
        if let SeedJob::FlinkJob { job_type, .. }
        | SeedJob::FlinkTemplate { job_type, .. }
        | SeedJob::JobExecutionV2 { job_type, .. } = &mut self
        {
            *job_type = Some(value.into());
        }
        self
    }

    /// Flink jobs: owned by this user. Other kinds: unchanged.
    pub fn user(mut self, name: impl Into<String>) -> SeedJob {
        if let SeedJob::FlinkJob { user_name, .. } = &mut self {
            *user_name = Some(name.into());
        }
        self
    }

    /// Flink jobs, templates and SQL jobs (the kinds whose list has a `tags` filter): with
    /// this tag. Other kinds: unchanged.
    ///
    /// ```
    /// use otc_jobs_emulator::SeedJob;
    /// let job = SeedJob::sql_job("37286cc7").tag("keep", "true");
    /// assert_eq!(
    ///     serde_json::to_string(&job)?,
    ///     r#"{"kind":"sql-job","job_id":"37286cc7","tags":{"keep":"true"}}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> SeedJob {
        if let SeedJob::FlinkJob { tags, .. }
        | SeedJob::FlinkTemplate { tags, .. }
        | SeedJob::SqlJob { tags, .. } = &mut self
        {
            tags.insert(key.into(), value.into());
        }
        self
    }

    /// MRS job executions: on this cluster. Other kinds: unchanged.
    pub fn cluster(mut self, id: impl Into<String>) -> SeedJob {
        if let SeedJob::JobExecution { cluster_id, .. } = &mut self {
            *cluster_id = Some(id.into());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_json_round_trips() {
        for text in [
            r#"{"kind":"training-job-v1","job_id":10}"#,
            r#"{"kind":"training-job-v1","job_id":10,"versions":[1,2],"workspace_id":"w","fail_delete":true}"#,
            r#"{"kind":"training-job-version-v1","job_id":10,"version_id":2}"#,
            r#"{"kind":"visualization-job-v1","job_id":197,"create_time":5}"#,
            r#"{"kind":"flink-job","job_id":77,"name":"n","status":"job_running","queue_name":"q","job_type":"flink_jar_job","user_name":"u","tags":{"k":"v"}}"#,
            r#"{"kind":"job-execution-v1","job_execution_id":"669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3","cluster_id":"c"}"#,
            r#"{"kind":"training-job","job_id":"3faf5c03-aaa1-4cbe-879d-24b05d997347","status":"Running"}"#,
        ] {
            let job: SeedJob = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&job).unwrap(), text);
        }
        // The names the admin API took before the CLI's kind names seed the same kinds.
        for (old, new) in [
            ("training_job", "training-job-v1"),
            ("training_job_version", "training-job-version-v1"),
            ("visualization_job", "visualization-job-v1"),
            ("flink_job", "flink-job"),
        ] {
            let extra = if old == "training_job_version" {
                r#","version_id":2"#
            } else {
                ""
            };
            let parse = |kind: &str| {
                serde_json::from_str::<SeedJob>(&format!(
                    r#"{{"kind":"{kind}","job_id":10{extra}}}"#
                ))
                .unwrap()
            };
            assert_eq!(parse(old), parse(new));
        }
        assert_eq!(
            serde_json::from_str::<SeedJob>(r#"{"kind":"job_execution","job_execution_id":"e"}"#)
                .unwrap(),
            SeedJob::job_execution("e")
        );
        assert!(serde_json::from_str::<SeedJob>(r#"{"kind":"flink_job","job_id":"x"}"#).is_err());
        assert!(serde_json::from_str::<SeedJob>(r#"{"kind":"nope","job_id":1}"#).is_err());
        assert!(
            serde_json::from_str::<SeedJob>(r#"{"kind":"flink_job","job_id":1,"queue":"q"}"#)
                .is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn visualization_job_ids_are_numbers() {
        let parse = |id: &str| {
            serde_json::from_str::<SeedJob>(&format!(
                r#"{{"kind":"visualization_job","job_id":{id}}}"#
            ))
        };
        assert_eq!(parse("101").unwrap(), SeedJob::visualization_job(101));
        // Seeds once wrote the id as a string: digits still read as the number.
        assert_eq!(parse(r#""101""#).unwrap(), SeedJob::visualization_job(101));
        for bad in [
            r#""vis-0001""#,
            r#""""#,
            r#""+1""#,
            r#"" 1""#,
            "-1",
            "1.5",
            "null",
        ] {
            let message = parse(bad).unwrap_err().to_string();
            assert!(
                message.contains("a visualization job id: a number"),
                "{bad}: {message}"
            );
        }
        let message = parse(r#""vis-0001""#).unwrap_err().to_string();
        assert!(message.contains(r#"string "vis-0001""#), "{message}");
    }

    #[test]
    fn builders_set_what_applies() {
        let job = SeedJob::flink_job(1)
            .queue("q")
            .user("u")
            .job_type("flink_jar_job")
            .tag("k", "v")
            .versions([1])
            .fail_delete();
        assert_eq!(
            serde_json::to_value(&job).unwrap(),
            serde_json::json!({"kind": "flink-job", "job_id": 1, "queue_name": "q", "user_name": "u",
                "job_type": "flink_jar_job", "tags": {"k": "v"}})
        );
        let aged = SeedJob::job_execution("e").age(std::time::Duration::from_secs(3600));
        let SeedJob::JobExecution {
            create_time: Some(t),
            ..
        } = aged
        else {
            panic!("no create_time");
        };
        assert!(crate::server::now_ms() - t >= 3_600_000);
    }
}
