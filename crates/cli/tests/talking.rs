//! What the tool says while it works (issue 24 item 2): progress lines on stderr without
//! a terminal, `wait`'s warning about a job nobody is deleting, `-v` (one line per
//! request, no secret) and `-q` (only errors). Stdout stays the data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_emulator::{DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob};
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::{emulator_deleting_after, emulator_with_flink_jobs, otc_jobs, run_utf8 as run};

#[test]
fn without_a_terminal_a_wait_says_at_once_that_nobody_deletes_and_prints_progress_lines() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    // Status 7 (waiting): nobody is deleting it.
    emulator.seed(SeedJob::visualization_job(201));
    let (out, stdout, stderr) = run(otc_jobs(&emulator)
        .env("OTC_JOBS_PROGRESS_INTERVAL", "200ms")
        .args([
            "wait",
            "visualization-job-v1",
            "201",
            "--max-wait",
            "2s",
            "-o",
            "json",
        ]));
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("stdout is the JSON report alone");
    assert_eq!(report["items"][0]["outcome"], "timed_out");
    assert!(report["items"][0]["wait"]["polls"].as_u64().unwrap() >= 1);
    let warning = stderr
        .find("warning: visualization-job-v1 201 is there and not being deleted (status 7 (")
        .expect("the warning");
    let progress: Vec<(usize, &str)> = stderr.match_indices("progress: ").collect();
    assert!(progress.len() >= 3, "{stderr}");
    // At once: before the first progress line.
    assert!(warning < progress[0].0, "{stderr}");
    assert!(
        stderr.contains(
            "progress: waiting for visualization-job-v1: 0/1 done (0 failed), 1 in flight, 0/s, "
        ),
        "{stderr}"
    );
    assert!(!stdout.contains("progress"));
}

#[test]
fn a_wait_for_a_job_being_deleted_does_not_warn() {
    let emulator = emulator_deleting_after(1500);
    emulator.seed(SeedJob::visualization_job(202));
    let (out, _, stderr) =
        run(otc_jobs(&emulator).args(["delete", "visualization-job-v1", "202", "--yes"]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Being deleted (status 9, killing): waited for without a warning.
    let (out, stdout, stderr) = run(otc_jobs(&emulator).args([
        "wait",
        "visualization-job-v1",
        "202",
        "--max-wait",
        "20s",
        "-o",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["items"][0]["outcome"], "already_gone");
    // A job deleted at once (DLI) that is still there is not being deleted: said at once.
    emulator.seed(SeedJob::flink_job(7));
    let (out, stdout, stderr) =
        run(otc_jobs(&emulator).args(["wait", "flink-job", "7", "-o", "json"]));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: flink-job 7 is there and not being deleted (status job_running)"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let message = report["items"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the job is there and nothing is deleting it"),
        "{message}"
    );
}

#[test]
fn verbose_logs_each_request_without_a_secret() {
    let emulator = emulator_with_flink_jobs([1, 2]);
    let (out, _, stderr) =
        run(otc_jobs(&emulator).args(["-v", "delete", "flink-job", "1", "2", "--yes"]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let requests = emulator.requests();
    let deletes: Vec<_> = requests.iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 2);
    for sent in &deletes {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("(request id {})", sent.request_id)))
            .unwrap_or_else(|| panic!("no line for {}: {stderr}", sent.request_id));
        assert!(
            line.starts_with(&format!(
                "request: DELETE {} -> 200 (request id ",
                sent.path
            )),
            "{line}"
        );
        assert!(line.contains(" ms [DeleteFlinkJob, attempt 1]"), "{line}");
    }
    assert!(!stderr.contains(DEFAULT_SECRET_KEY));
    for sent in &requests {
        let authorization = sent
            .headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .map(|(_, value)| value.as_str())
            .unwrap();
        let signature = authorization.split("Signature=").nth(1).unwrap();
        assert!(signature.len() >= 32, "{authorization}");
        assert!(!stderr.contains(signature), "the signature is in the log");
    }
}

#[test]
fn quiet_prints_only_errors() {
    let emulator = emulator_with_flink_jobs([1]);
    let (out, stdout, stderr) =
        run(otc_jobs(&emulator).args(["delete", "flink-job", "1", "--yes", "-q"]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr, "");
    // The data is still on stdout.
    assert!(stdout.contains("deleted"), "{stdout}");
    let (out, _, stderr) =
        run(otc_jobs(&emulator).args(["delete", "flink-job", "x", "--yes", "-q"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn without_a_terminal_a_clean_prints_progress_lines_on_stderr_only() {
    use otc_jobs_emulator::{Fault, FaultAction};
    let emulator = emulator_with_flink_jobs(1..=4);
    // Each deletion takes 700 ms: the run lasts long enough for lines every 200 ms.
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1.0/*/streaming/jobs/*",
            FaultAction::Delay { ms: 700 },
        )
        .times(4),
    );
    let (out, stdout, stderr) = run(otc_jobs(&emulator)
        .env("OTC_JOBS_PROGRESS_INTERVAL", "200ms")
        .args([
            "clean",
            "flink-job",
            "--yes",
            "--parallelism",
            "2",
            "-o",
            "json",
        ]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("stdout is the JSON report alone");
    assert_eq!(report["summary"]["deleted"], 4);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(lines.len() >= 3, "{stderr}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("progress: deleting flink-job: ")
                && l.contains("/4 done (0 failed), ")),
        "{stderr}"
    );
    // In flight while deleting: at most the parallelism.
    assert!(
        lines.iter().any(|l| l.contains(", 2 in flight, ")),
        "{stderr}"
    );
    // With -q, none.
    emulator.seed(SeedJob::flink_job(9));
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1.0/*/streaming/jobs/*",
            FaultAction::Delay { ms: 700 },
        )
        .times(1),
    );
    let (out, _, stderr) = run(otc_jobs(&emulator)
        .env("OTC_JOBS_PROGRESS_INTERVAL", "200ms")
        .args(["-q", "clean", "flink-job", "--yes"]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr, "");
}
