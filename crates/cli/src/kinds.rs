//! The five kinds of job the tool handles, and their ids as the command line writes them.

use std::fmt;

use otc_jobs_core::PathId;
use serde::Serialize;

/// A kind of job, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    /// ModelArts training job (id: a number).
    TrainingJob,
    /// A version of a ModelArts training job (id: JOB_ID/VERSION_ID, or VERSION_ID with --job-id).
    TrainingJobVersion,
    /// ModelArts visualization job (id: text).
    VisualizationJob,
    /// DLI Flink job (id: a number).
    FlinkJob,
    /// MRS job execution (id: text, usually a UUID).
    JobExecution,
}

impl Kind {
    /// The name used on the command line and in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::TrainingJob => "training-job",
            Kind::TrainingJobVersion => "training-job-version",
            Kind::VisualizationJob => "visualization-job",
            Kind::FlinkJob => "flink-job",
            Kind::JobExecution => "job-execution",
        }
    }

    /// What an id of this kind looks like, for error messages.
    pub(crate) fn id_shape(self) -> &'static str {
        match self {
            Kind::TrainingJob | Kind::FlinkJob => "a positive number, e.g. 148",
            Kind::TrainingJobVersion => {
                "JOB_ID/VERSION_ID, e.g. 10/2 (or VERSION_ID with --job-id)"
            }
            Kind::VisualizationJob => "a non-empty text id other than . and ..",
            Kind::JobExecution => "a non-empty text id, e.g. 669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3",
        }
    }

    /// Parses one id of this kind; `job_id` is the `--job-id` of version ids.
    ///
    /// ```text
    /// Kind::FlinkJob.parse_id("148", None) == Ok(JobId::Number(148))
    /// ```
    pub(crate) fn parse_id(self, text: &str, job_id: Option<i64>) -> Result<JobId, IdError> {
        let text = text.trim();
        let bad = || IdError {
            kind: self,
            text: text.to_owned(),
        };
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        match self {
            Kind::TrainingJob | Kind::FlinkJob => number(text).map(JobId::Number).ok_or_else(bad),
            Kind::TrainingJobVersion => {
                let (job, version) = match (text.split_once('/'), job_id) {
                    (Some((job, version)), None) => (number(job), number(version)),
                    (None, Some(job)) => (Some(job).filter(|n| *n > 0), number(text)),
                    _ => (None, None),
                };
                match (job, version) {
                    (Some(job_id), Some(version_id)) => Ok(JobId::Version { job_id, version_id }),
                    _ => Err(bad()),
                }
            }
            Kind::VisualizationJob | Kind::JobExecution => {
                PathId::new(text).map(JobId::Text).map_err(|_| bad())
            }
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One job's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum JobId {
    /// Training jobs and Flink jobs.
    Number(i64),
    /// Visualization jobs and job executions.
    Text(PathId),
    /// A training job version.
    Version {
        /// The training job.
        job_id: i64,
        /// The version.
        version_id: i64,
    },
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobId::Number(n) => write!(f, "{n}"),
            JobId::Text(id) => f.write_str(id.as_str()),
            JobId::Version { job_id, version_id } => write!(f, "{job_id}/{version_id}"),
        }
    }
}

/// An id that is not one of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {kind} id: expected {}", kind.id_shape())]
pub(crate) struct IdError {
    kind: Kind,
    text: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_each_kind() {
        assert_eq!(
            Kind::FlinkJob.parse_id(" 148 ", None),
            Ok(JobId::Number(148))
        );
        assert_eq!(
            Kind::TrainingJobVersion.parse_id("10/2", None),
            Ok(JobId::Version {
                job_id: 10,
                version_id: 2
            })
        );
        assert_eq!(
            Kind::TrainingJobVersion.parse_id("2", Some(10)),
            Ok(JobId::Version {
                job_id: 10,
                version_id: 2
            })
        );
        let id = Kind::JobExecution.parse_id("abc-1", None).unwrap();
        assert_eq!(id.to_string(), "abc-1");
    }

    #[test]
    fn refuses_malformed_ids_with_the_expected_shape() {
        for (kind, text) in [
            (Kind::FlinkJob, "abc"),
            (Kind::FlinkJob, "-3"),
            (Kind::FlinkJob, "0"),
            (Kind::TrainingJob, ""),
            (Kind::TrainingJobVersion, "10"),
            (Kind::TrainingJobVersion, "10/x"),
            (Kind::VisualizationJob, ".."),
            (Kind::JobExecution, ""),
        ] {
            let err = kind.parse_id(text, None).unwrap_err();
            assert!(err.to_string().contains("expected"), "{err}");
        }
        // A JOB/VERSION id and --job-id together are ambiguous.
        assert!(Kind::TrainingJobVersion.parse_id("10/2", Some(10)).is_err());
    }
}
