//! The `xtask` binary: `extract` prints one JSON object per page, in order, and fails
//! naming the file and line of a page it cannot read; `codegen --check` passes on the
//! committed tree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn fixture(rel: &str) -> String {
    format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn extract_prints_a_json_array_in_page_order() {
    let a = fixture("github/dli/api-ref/source/flink_job-related_apis/batch_deleting_jobs.rst");
    let b = fixture("seeds/004_215b63fe455bcdd6.txt");
    let out = xtask(&["extract", &a, &b]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Batch Deleting Jobs", "Deleting a Job Execution Object"]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("batch_deleting_jobs.rst:83: example is not valid JSON"),
        "{stderr}"
    );
    assert!(stderr.contains("read 2 pages in"), "{stderr}");
}

#[test]
fn extract_fails_naming_file_line_and_expectation() {
    let ok = fixture(
        "github/modelarts/api-ref/source/authorization_management/deleting_authorization.rst",
    );
    let not_an_operation = fixture("shared/mrs/api-ref/source/appendix/status_codes.rst");
    let out = xtask(&["extract", &ok, &not_an_operation]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("error: {not_an_operation}:")),
        "{stderr}"
    );
    assert!(stderr.contains("expected"), "{stderr}");
}

#[test]
fn codegen_check_passes_on_the_committed_tree() {
    let out = xtask(&["codegen", "--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("generated code is fresh"));
}
