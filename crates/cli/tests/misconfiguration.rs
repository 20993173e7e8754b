//! A wrong setup stops a run early (issue 22, item 0): a gateway 404 (`APIG.0101`, a
//! typo in the endpoint), a gateway 401 (`APIG.0301`, a wrong key), or a refused
//! connection on the first calls start no new deletions; the rest are reported skipped
//! with the reason, exit 2 — where each of 200 ids used to be tried in turn (or, for the
//! 404, reported `already_gone` with exit 0).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use otc_jobs_emulator::{DEFAULT_SECRET_KEY, Emulator};
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::{deletes_sent, emulator_with_flink_jobs, otc_jobs_at};

/// The binary with the emulator's credentials (the secret key given) and `endpoint`.
fn otc_jobs(endpoint: &str, secret_key: &str) -> Command {
    let mut command = otc_jobs_at(endpoint);
    command.env("OS_SECRET_KEY", secret_key);
    command
}

fn run(command: &mut Command) -> (Output, Duration) {
    let started = Instant::now();
    let output = command.output().unwrap();
    eprintln!("stderr: {}", String::from_utf8_lossy(&output.stderr));
    (output, started.elapsed())
}

/// An emulator holding Flink jobs 1..=200.
fn emulator() -> Emulator {
    emulator_with_flink_jobs(1..=200)
}

fn ids() -> Vec<String> {
    (1..=200).map(|n| n.to_string()).collect()
}

/// Deletes the 200 ids at `endpoint` and checks the run stopped early: exit 2, at most a
/// first wave failed (parallelism 8), the rest skipped with the reason, nothing deleted.
fn stops_early(endpoint: &str, secret_key: &str, expected: &str) -> (Value, Duration) {
    let (out, took) = run(otc_jobs(endpoint, secret_key)
        .args([
            "delete",
            "flink-job",
            "--yes",
            "-o",
            "json",
            "--parallelism",
            "8",
        ])
        .args(ids()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("misconfiguration") && stderr.contains(expected),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["total"], 200);
    assert_eq!(summary["deleted"], 0);
    assert_eq!(summary["already_gone"], 0);
    let failed = summary["failed"].as_u64().unwrap();
    assert!((1..=8).contains(&failed), "{summary}");
    assert_eq!(summary["skipped"].as_u64().unwrap(), 200 - failed);
    assert_eq!(report["stopped"]["cause"], "misconfigured");
    let skipped = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["outcome"] == "skipped")
        .unwrap();
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .starts_with("not started: the run stopped (misconfiguration: "),
        "{skipped}"
    );
    (report, took)
}

#[test]
fn a_typo_in_the_endpoint_is_not_already_gone() {
    let emulator = emulator();
    let typo = format!("{}/typo", emulator.base_url());
    let (report, _) = stops_early(&typo, DEFAULT_SECRET_KEY, "APIG.0101");
    let failed = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["outcome"] == "failed")
        .unwrap();
    assert_eq!(failed["status"], 404);
    assert_eq!(failed["code"], "APIG.0101");
    assert_eq!(emulator.jobs().len(), 200);
    // The first wave only.
    let deletes = deletes_sent(&emulator);
    assert!(deletes <= 8, "{deletes}");
    // A clean's list is the first call: refused the same way, before anything.
    let (out, _) = run(otc_jobs(&typo, DEFAULT_SECRET_KEY).args(["clean", "flink-job", "--yes"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("check --endpoint"), "{stderr}");
}

#[test]
fn a_wrong_key_stops_the_run_at_the_first_answers() {
    let emulator = emulator();
    stops_early(emulator.base_url(), "not-the-secret-key", "APIG.0301");
    assert_eq!(emulator.jobs().len(), 200);
    let deletes = deletes_sent(&emulator);
    assert!(deletes <= 8, "{deletes}");
}

#[test]
fn nothing_listening_at_the_endpoint_stops_the_run() {
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let (_, took) = stops_early(&endpoint, DEFAULT_SECRET_KEY, "onnection refused");
    // The SDK's retries of the first wave, not 200 ids tried in turn.
    assert!(took < Duration::from_secs(15), "{took:?}");
}

/// An unknown `--project-name` says so, with the projects the credentials see (it read as
/// an unreadable IAM answer, "IAM listed 0"), and nothing is listed or deleted.
#[test]
fn an_unknown_project_name_lists_the_projects_there_are() {
    let emulator = emulator();
    let mut command = otc_jobs(emulator.base_url(), DEFAULT_SECRET_KEY);
    command
        .env_remove("OS_PROJECT_ID")
        .env("OS_PROJECT_NAME", "eu-de_typo");
    let (out, _) = run(command.args(["clean", "flink-job", "--yes"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(r#"no project named "eu-de_typo"; the credentials see eu-de"#),
        "{stderr}"
    );
    assert!(stderr.contains("--project-name"), "{stderr}");
    assert_eq!(emulator.jobs().len(), 200);
    // The right name works: the lookup lists every project and picks it.
    let mut command = otc_jobs(emulator.base_url(), DEFAULT_SECRET_KEY);
    command
        .env_remove("OS_PROJECT_ID")
        .env("OS_PROJECT_NAME", "eu-de");
    let (out, _) = run(command.args(["list", "flink-job", "-o", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(200));
}
