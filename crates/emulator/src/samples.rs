//! Sample jobs of every kind, for trying the tool offline (`otc-jobs --emulator`,
//! `otc-jobs-emulator --seed-samples`): one row per kind saying how many samples it has and
//! how sample `n` looks; creation times are spread over the last 90 days, the same for
//! every run at the same time, so that `--older-than 30d` selects some of each kind.

use std::time::Duration;

use crate::SeedJob;

/// How far back the samples go.
pub const SAMPLE_SPAN: Duration = Duration::from_secs(90 * 86_400);

/// One kind's samples: how many, and sample `n` (from 1) without its creation time.
struct Samples {
    kind: &'static str,
    count: u64,
    make: fn(u64) -> SeedJob,
}

/// Every kind, in the CLI's order of kinds. The ids of the first five kinds are the ones
/// the tool's examples and end-to-end tests use.
const SAMPLES: &[Samples] = &[
    Samples {
        kind: "training-job",
        count: 6,
        make: |n| {
            const PHASES: [&str; 6] = [
                "Completed",
                "Running",
                "Failed",
                "Completed",
                "Terminated",
                "Pending",
            ];
            SeedJob::training_job_v2(format!("3faf5c03-aaa1-4cbe-879d-{n:012}"))
                .name(format!("train-v2-{n}"))
                .status(PHASES[(n as usize - 1) % PHASES.len()])
        },
    },
    Samples {
        kind: "training-job-v1",
        count: 5,
        make: |n| SeedJob::training_job(n).name(format!("train-{n}")),
    },
    Samples {
        kind: "training-job-version-v1",
        count: 3,
        make: |n| {
            let (job, version) = [(1, 1), (1, 2), (2, 1)][(n as usize - 1) % 3];
            SeedJob::training_job_version(job, version)
        },
    },
    Samples {
        kind: "visualization-job-v1",
        count: 3,
        // Numeric: the list pages type visualization job ids as numbers.
        make: |n| SeedJob::visualization_job(100 + n),
    },
    Samples {
        kind: "training-config-v1",
        count: 3,
        make: |n| SeedJob::training_config_v1(format!("config-{n}")),
    },
    Samples {
        kind: "flink-job",
        count: 12,
        make: |n| {
            let prefix = if n % 3 == 0 {
                "prod-stream"
            } else {
                "nightly-etl"
            };
            let job = SeedJob::flink_job(n).name(format!("{prefix}-{n}"));
            // Two nightly ones kept by their tag (`protect: { tags: { keep: "true" } }`).
            if n == 5 || n == 10 {
                job.tag("keep", "true")
            } else {
                job
            }
        },
    },
    Samples {
        kind: "flink-template",
        count: 4,
        make: |n| {
            let template = SeedJob::flink_template(n).name(format!("template-{n}"));
            if n == 4 {
                template.tag("keep", "true")
            } else {
                template
            }
        },
    },
    Samples {
        kind: "job-execution-v1",
        count: 3,
        make: |n| {
            let status = if n == 3 { "SUCCEEDED" } else { "RUNNING" };
            SeedJob::job_execution(format!("exec-{n}"))
                .name(format!("etl-run-{n}"))
                .status(status)
        },
    },
    Samples {
        kind: "job-execution",
        count: 6,
        // Two clusters, each with running and finished jobs.
        make: |n| {
            const STATES: [&str; 3] = ["RUNNING", "FINISHED", "FAILED"];
            let cluster = if n <= 3 {
                "5a3f1c2e-0c5d-4c6a-9b1e-000000000001"
            } else {
                "5a3f1c2e-0c5d-4c6a-9b1e-000000000002"
            };
            SeedJob::job_execution_v2(cluster, format!("981374c1-85da-44ee-be32-{n:012}"))
                .name(format!("spark-etl-{n}"))
                .status(STATES[(n as usize - 1) % STATES.len()])
        },
    },
    Samples {
        kind: "job-v1",
        count: 3,
        make: |n| SeedJob::job_v1(format!("job-{n}")).name(format!("mapreduce-{n}")),
    },
    Samples {
        kind: "job-binary-v1",
        count: 3,
        make: |n| SeedJob::job_binary_v1(format!("binary-{n}")).name(format!("program-{n}")),
    },
    Samples {
        kind: "sql-job",
        count: 6,
        // Running and finished runs: `clean sql-job` cancels the three that still run.
        make: |n| {
            const STATUSES: [&str; 6] = [
                "RUNNING",
                "FINISHED",
                "LAUNCHING",
                "FAILED",
                "SCALING",
                "CANCELLED",
            ];
            let run = SeedJob::sql_job(format!("37286cc7-0508-4ffd-b636-{n:012}"))
                .name(format!("select * from sales_{n}"))
                .status(STATUSES[(n as usize - 1) % STATUSES.len()])
                .queue(if n % 2 == 0 { "etl" } else { "default" });
            // A run that still runs, kept by its tag.
            if n == 3 { run.tag("keep", "true") } else { run }
        },
    },
    Samples {
        kind: "spark-job",
        count: 5,
        // Running and finished batches: `clean spark-job` cancels the three not over.
        make: |n| {
            const STATES: [&str; 5] = ["running", "dead", "starting", "success", "recovering"];
            SeedJob::spark_job(format!("178fa687-2e8a-41ed-a439-{n:012}"))
                .name(format!("spark-batch-{n}"))
                .status(STATES[(n as usize - 1) % STATES.len()])
        },
    },
];

/// The sample jobs of every kind, created between `now_ms` (unix milliseconds) and 90
/// days before it: sample `n` of a kind of `count` is `(n - ½) / count` of the span old,
/// shifted a little per kind, so each kind has young and old jobs.
///
/// ```
/// use otc_jobs_emulator::{SeedJob, samples};
///
/// let now_ms = 1_800_000_000_000;
/// let jobs = samples(now_ms);
/// let kinds: std::collections::BTreeSet<&str> = jobs.iter().map(SeedJob::kind).collect();
/// assert_eq!(kinds.len(), 13); // every kind
/// let old = jobs.iter().filter(|j| matches!(j, SeedJob::FlinkJob { create_time: Some(t), .. } if now_ms - t > 30 * 86_400_000)).count();
/// assert!(old > 0 && old < 12);
/// ```
pub fn samples(now_ms: u64) -> Vec<SeedJob> {
    let span_ms = u64::try_from(SAMPLE_SPAN.as_millis()).unwrap_or(u64::MAX);
    let day_ms = 86_400_000;
    let mut out = Vec::new();
    for (k, kind) in SAMPLES.iter().enumerate() {
        for n in 1..=kind.count {
            let job = (kind.make)(n);
            debug_assert_eq!(job.kind(), kind.kind);
            // Half a step into each slice of the span, shifted by the kind's position
            // (at most a day), never older than the span.
            let age = (span_ms * (2 * n - 1) / (2 * kind.count) + (k as u64 * day_ms) / 10)
                .min(span_ms - 1);
            out.push(job.create_time(now_ms.saturating_sub(age)));
        }
    }
    out
}

/// The projects the samples add beside the default one (`eu-de`, [`crate::DEFAULT_PROJECT_ID`]):
/// (name, id), a sub-project of the same region and a project of another region.
pub const SAMPLE_PROJECTS: [(&str, &str); 2] = [
    ("eu-de_ci", "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"),
    ("eu-nl_ml", "2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f70"),
];

/// The [`samples`] in each of three projects in two regions: the default project (jobs
/// without a `project_id`) and the [`SAMPLE_PROJECTS`] (by id), each with samples of
/// every kind created over the last 90 days.
///
/// ```
/// use otc_jobs_emulator::{SAMPLE_PROJECTS, project_samples, samples};
///
/// let jobs = project_samples(1_800_000_000_000);
/// assert_eq!(jobs.len(), 3 * samples(1_800_000_000_000).len());
/// let in_ci = jobs.iter().filter(|j| j.project_id.as_deref() == Some(SAMPLE_PROJECTS[0].1));
/// assert_eq!(in_ci.count(), samples(1_800_000_000_000).len());
/// ```
pub fn project_samples(now_ms: u64) -> Vec<crate::ProjectJob> {
    let mut out: Vec<crate::ProjectJob> = samples(now_ms)
        .into_iter()
        .map(crate::ProjectJob::default_project)
        .collect();
    for (_, id) in SAMPLE_PROJECTS {
        out.extend(
            samples(now_ms)
                .into_iter()
                .map(|job| crate::ProjectJob::new(id, job)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_young_and_old_samples_within_90_days() {
        let now = 2_000_000_000_000;
        let jobs = samples(now);
        let day = 86_400_000;
        for kind in SAMPLES {
            let ages: Vec<u64> = jobs
                .iter()
                .filter(|j| j.kind() == kind.kind)
                .map(|j| {
                    let t = serde_json::to_value(j).unwrap()["create_time"]
                        .as_u64()
                        .unwrap();
                    now - t
                })
                .collect();
            assert_eq!(ages.len() as u64, kind.count, "{}", kind.kind);
            assert!(
                ages.iter().all(|a| *a < 90 * day),
                "{}: {ages:?}",
                kind.kind
            );
            assert!(
                ages.iter().any(|a| *a > 30 * day),
                "{}: {ages:?}",
                kind.kind
            );
            assert!(
                ages.iter().any(|a| *a < 30 * day),
                "{}: {ages:?}",
                kind.kind
            );
        }
    }
}
