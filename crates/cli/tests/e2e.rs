//! The `otc-jobs` binary end to end, against the emulator on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use otc_jobs_emulator::{Delivery, Emulator, EmulatorConfig, Fault, FaultAction, SeedJob};
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::{
    FLINK_DELETE, deletes_sent, emulator_deleting_after, emulator_with_flink_jobs, exits_130,
    flink_ids_left, ids, ids_of, otc_jobs, outcomes, read_report, run, run_json, run_json_for,
    signal, temp, wait_for_deletes,
};

#[test]
fn deletes_many_flink_jobs_through_faults_each_id_once() {
    let emulator = emulator_with_flink_jobs(1..=60);
    let respond = |status: u16, retry_after: Option<&str>| FaultAction::Respond {
        status,
        headers: retry_after
            .map(|r| [("Retry-After".to_owned(), r.to_owned())].into())
            .unwrap_or_default(),
        body: if status == 429 {
            r#"{"error_code": "APIG.0308", "error_msg": "throttled"}"#.to_owned()
        } else {
            String::new()
        },
    };
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, respond(503, None)).times(5));
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, respond(429, Some("1"))).times(2));
    emulator.add_fault(
        Fault::new(
            "DELETE",
            FLINK_DELETE,
            FaultAction::Close {
                after_processing: true,
            },
        )
        .times(3),
    );
    emulator.add_fault(
        Fault::new(
            "DELETE",
            FLINK_DELETE,
            FaultAction::Close {
                after_processing: false,
            },
        )
        .times(2),
    );
    let report_path = temp("faults-report.json");
    let out = run(otc_jobs(&emulator)
        .args([
            "delete",
            "flink-job",
            "--yes",
            "--parallelism",
            "8",
            "-o",
            "json",
            "--report",
        ])
        .arg(&report_path)
        .args(ids(1..=60)));
    assert_eq!(out.status.code(), Some(0));

    let report = read_report(&report_path);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        report
    );
    let outcomes = outcomes(&report);
    assert_eq!(
        outcomes.keys().copied().collect::<Vec<_>>(),
        (1..=60).collect::<Vec<_>>()
    );
    assert!(flink_ids_left(&emulator).is_empty());
    assert_eq!(report["summary"]["failed"], 0);

    // The emulator's log agrees with the report: an id reported deleted got exactly one
    // 200; one reported already gone got none (its deletion was the answer lost with
    // the connection); no id was deleted twice.
    let mut successes: BTreeMap<u64, usize> = BTreeMap::new();
    for request in emulator.requests() {
        if request.method == "DELETE" && request.status == Some(200) {
            let id = request.path.rsplit('/').next().unwrap().parse().unwrap();
            *successes.entry(id).or_default() += 1;
        }
    }
    for (id, outcome) in &outcomes {
        let expected = match outcome.as_str() {
            "deleted" => 1,
            "already_gone" => 0,
            other => panic!("id {id}: unexpected outcome {other}"),
        };
        assert_eq!(
            successes.get(id).copied().unwrap_or(0),
            expected,
            "id {id} ({outcome})"
        );
    }
    // Each answer lost after processing makes one already_gone (fewer if two hit one id).
    let gone = report["summary"]["already_gone"].as_u64().unwrap();
    assert!((1..=3).contains(&gone), "{gone}");
}

/// How many Flink jobs the many-faults test cleans (`OTC_JOBS_E2E_JOBS` overrides; the
/// bench `benches/benches/clean.rs` runs 10,000 on a release build). 2,000 draw about a
/// hundred faults, a dozen or more of each kind; 10,000 took 5 minutes of a debug build's
/// CI, nearly all of it the 1 s pauses of its 80 throttles.
fn fault_test_jobs() -> u64 {
    std::env::var("OTC_JOBS_E2E_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

/// About 5 % of the deletions (and of the list pages) faulted, drawn from seeded
/// generators: 503, 429 with `Retry-After`, a connection closed before the job is
/// touched, and three ways of "deleted, but the answer was lost" (`apply_first`): the
/// connection closed, the body cut short, the answer slower than the request timeout.
fn add_random_faults(emulator: &Emulator) {
    let respond = FaultAction::respond;
    let faults = [
        (respond(503, &[], ""), 0.012, false),
        (
            respond(
                429,
                &[("Retry-After", "1")],
                r#"{"error_code": "APIG.0308", "error_msg": "throttled"}"#,
            ),
            0.008,
            false,
        ),
        (
            FaultAction::Close {
                after_processing: false,
            },
            0.01,
            false,
        ),
        (
            FaultAction::Close {
                after_processing: true,
            },
            0.008,
            false,
        ),
        (
            FaultAction::TruncatedBody {
                status: 200,
                body: None,
            },
            0.006,
            true,
        ),
        (FaultAction::Delay { ms: 1_500 }, 0.006, true),
    ];
    for (seed, (action, p, first)) in faults.into_iter().enumerate() {
        let fault = Fault::new("DELETE", FLINK_DELETE, action)
            .always()
            .probability(p, 1 + seed as u64);
        emulator.add_fault(if first { fault.apply_first() } else { fault });
    }
    emulator.add_fault(
        Fault::new("GET", "/v1.0/*/streaming/jobs", respond(503, &[], ""))
            .always()
            .probability(0.05, 99),
    );
}

#[test]
fn cleans_thousands_of_flink_jobs_through_random_faults_each_id_once() {
    let count = fault_test_jobs();
    let emulator = Emulator::start(EmulatorConfig {
        // Every request of the run, for the per-id counts below.
        max_recorded_requests: usize::try_from(count * 3).unwrap().max(10_000),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed_many((1..=count).map(SeedJob::flink_job));
    add_random_faults(&emulator);
    let report_path = temp("random-faults-report.json");
    let started = std::time::Instant::now();
    let out = run(otc_jobs(&emulator)
        .args([
            "--request-timeout",
            "500ms",
            "clean",
            "flink-job",
            "--yes",
            "--parallelism",
            "16",
            "-o",
            "json",
            "--report",
        ])
        .arg(&report_path));
    eprintln!("{count} jobs cleaned in {:?}", started.elapsed());
    let report = read_report(&report_path);
    let outcomes = outcomes(&report);
    // Every id exactly once (`outcomes` checks "once").
    assert_eq!(
        outcomes.keys().copied().collect::<BTreeSet<_>>(),
        (1..=count).collect::<BTreeSet<_>>()
    );
    let failed = report["summary"]["failed"].as_u64().unwrap();
    assert_eq!(out.status.code(), Some(if failed == 0 { 0 } else { 1 }));

    // The emulator's state matches the report: what is left was reported failed.
    let left = flink_ids_left(&emulator);
    for id in &left {
        assert_eq!(outcomes[id], "failed", "id {id} is still there");
    }
    // No id deleted twice. `handled` also marks a DELETE that found the job already gone
    // (a fault answered for it), so: at most one DELETE per id was answered 200 and
    // delivered; an id reported deleted had exactly that one; an id reported already
    // gone had none, and an earlier DELETE of ours, whose answer was lost, was handled.
    let mut answered_ok: BTreeMap<u64, usize> = BTreeMap::new();
    let mut handled: BTreeMap<u64, usize> = BTreeMap::new();
    for r in emulator.requests() {
        if r.method != "DELETE" {
            continue;
        }
        let id = r.path.rsplit('/').next().unwrap().parse().unwrap();
        if r.handled {
            *handled.entry(id).or_default() += 1;
        }
        if r.handled && r.status == Some(200) && r.delivery == Delivery::Sent {
            *answered_ok.entry(id).or_default() += 1;
        }
    }
    for (id, outcome) in &outcomes {
        let ok = answered_ok.get(id).copied().unwrap_or(0);
        let handled = handled.get(id).copied().unwrap_or(0);
        match outcome.as_str() {
            "deleted" => assert_eq!(
                ok,
                1,
                "id {id} ({outcome}): {:?}",
                emulator
                    .requests()
                    .iter()
                    .filter(|r| r.path.ends_with(&format!("/{id}")))
                    .map(|r| (&r.method, r.status, &r.fault, r.handled, r.delivery))
                    .collect::<Vec<_>>()
            ),
            "already_gone" => assert!(ok == 0 && handled >= 1, "id {id} ({outcome})"),
            "failed" => assert_eq!(ok, 0, "id {id} ({outcome})"),
            other => panic!("id {id}: unexpected outcome {other}"),
        }
    }
    // An id found gone after a lost answer says so.
    let items = report["items"].as_array().unwrap();
    let gone: Vec<_> = items
        .iter()
        .filter(|i| i["outcome"] == "already_gone")
        .collect();
    assert!(!gone.is_empty());
    assert!(
        gone.iter().all(|i| i["note"].as_str().is_some()),
        "already_gone without a note: {gone:?}"
    );
}

#[test]
fn dry_run_deletes_nothing() {
    let emulator = emulator_with_flink_jobs(1..=5);
    let plan = run_json(otc_jobs(&emulator).args([
        "delete",
        "flink-job",
        "1",
        "2",
        "3",
        "--dry-run",
        "-o",
        "json",
    ]));
    assert_eq!(plan["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        plan["items"][0],
        serde_json::json!({"id": "1", "action": "delete"})
    );
    assert_eq!(deletes_sent(&emulator), 0);
    assert_eq!(flink_ids_left(&emulator).len(), 5);
}

#[test]
fn without_a_terminal_and_without_yes_it_refuses() {
    let emulator = emulator_with_flink_jobs(1..=3);
    let out = run(otc_jobs(&emulator).args(["delete", "flink-job", "1", "2"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to delete 2 flink-job(s)") && stderr.contains("--yes"),
        "{stderr}"
    );
    assert_eq!(deletes_sent(&emulator), 0);
}

#[test]
fn bad_input_stops_before_anything_is_deleted() {
    let emulator = emulator_with_flink_jobs(1..=3);
    let not_a_dir = temp("plain-file");
    std::fs::write(&not_a_dir, "x").unwrap(); // no newline: not a torn entry either
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["delete".into(), "flink-jobs".into(), "1".into()],
            "invalid value 'flink-jobs'",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "abc".into(),
            ],
            "\"abc\" is not a flink-job id: expected a positive number",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "--journal".into(),
                std::env::temp_dir().display().to_string(),
            ],
            "cannot use --journal",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "--journal".into(),
                not_a_dir.display().to_string(),
            ],
            "is not an otc-jobs journal entry",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "--report".into(),
                not_a_dir.join("r.json").display().to_string(),
            ],
            "cannot write --report",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "--parallelism".into(),
                "0".into(),
            ],
            "--parallelism",
        ),
        (
            vec![
                "clean".into(),
                "training-job-v1".into(),
                "--queue-name".into(),
                "etl".into(),
            ],
            "--queue-name is not a filter of the training-job-v1 list",
        ),
        (
            vec![
                "delete".into(),
                "flink-job".into(),
                "1".into(),
                "--job-id".into(),
                "3".into(),
            ],
            "--job-id is only for a kind with a parent (training-job-version-v1), not for flink-job",
        ),
        (
            vec![
                "delete".into(),
                "job-execution-v1".into(),
                "exec-1".into(),
                "--batch".into(),
            ],
            "--batch is only for a kind with a batch deletion (flink-job), not for job-execution-v1",
        ),
        (
            vec![
                "clean".into(),
                "job-v1".into(),
                "--status".into(),
                "RUNNING".into(),
            ],
            "the job-v1 list's server filters: --order;",
        ),
        (
            vec![
                "clean".into(),
                "training-job".into(),
                "--status".into(),
                "Completed,Sleeping".into(),
            ],
            "\"Completed,Sleeping\" is not a value of --status for training-job: one of Creating",
        ),
        (
            vec![
                "clean".into(),
                "training-job".into(),
                "--order".into(),
                "up".into(),
            ],
            "invalid value 'up' for '--order <VALUE>'",
        ),
    ];
    for (args, expected) in cases {
        let out = run(otc_jobs(&emulator).args(&args).arg("--yes"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(deletes_sent(&emulator), 0);
    assert_eq!(flink_ids_left(&emulator).len(), 3);
}

#[test]
fn missing_configuration_says_what_to_set() {
    let out = run(Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
        .env_clear()
        .args(["delete", "flink-job", "1", "--yes"])
        .stdin(Stdio::null()));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: OS_ACCESS_KEY: no credentials") && stderr.contains("--emulator"),
        "{stderr}"
    );
}

#[test]
fn a_rerun_with_the_journal_skips_what_was_finished() {
    let emulator = emulator_with_flink_jobs(1..=10);
    for id in 6..=10 {
        emulator.add_fault(Fault::new(
            "DELETE",
            format!("/v1.0/*/streaming/jobs/{id}"),
            FaultAction::respond(403, &[], r#"{"error_code":"DLI.0003","error_msg":"no"}"#),
        ));
    }
    let journal = temp("resume.journal");
    let delete = |ids: &[String]| {
        let mut command = otc_jobs(&emulator);
        command
            .args(["delete", "flink-job", "--yes", "-o", "json", "--journal"])
            .arg(&journal)
            .args(ids);
        command
    };
    let out = run(&mut delete(&ids(1..=10)));
    assert_eq!(out.status.code(), Some(1));
    emulator.seed(SeedJob::flink_job(3)); // recreated: the journal still says it is done
    let before = deletes_sent(&emulator);
    let report = run_json(&mut delete(&ids(1..=10)));
    let outcomes = outcomes(&report);
    for id in 1..=10 {
        assert_eq!(outcomes[&id], "deleted", "id {id}");
        // The first five by the earlier attempt, as the journal has it.
        let earlier = &report["items"][id as usize - 1]["earlier_run"];
        assert_eq!(earlier.as_bool().unwrap_or(false), id <= 5, "id {id}");
    }
    assert_eq!(report["summary"]["deleted"], 10);
    assert_eq!(deletes_sent(&emulator) - before, 5);
    assert_eq!(flink_ids_left(&emulator), BTreeSet::from([3]));
    assert_eq!(journal_outcomes(&journal).len(), 15);
    // Other ids are another run: refused, nothing sent.
    let before = deletes_sent(&emulator);
    let out = run(&mut delete(&ids(1..=11)));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("selected otherwise: ids was 10 ids, is 11 ids")
            && stderr.contains("give a new journal file"),
        "{stderr}"
    );
    assert_eq!(deletes_sent(&emulator), before);
}

/// id → outcome of each outcome line of a journal.
fn journal_outcomes(path: &Path) -> Vec<(u64, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e.get("outcome").is_some())
        .map(|e| {
            let id = e["id"].as_str().unwrap().parse().unwrap();
            (id, e["outcome"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn ids_from_stdin_and_the_embedded_emulator() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
        .env_clear()
        .args([
            "--emulator",
            "delete",
            "flink-job",
            "-",
            "--yes",
            "-o",
            "ndjson",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"# kept by hand\n1\n  # not 3\n2\n\n   \n999\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["outcome"], "deleted");
    assert_eq!(lines[1]["outcome"], "deleted");
    assert_eq!(
        lines[2],
        serde_json::json!({"id": "999", "outcome": "already_gone", "attempts": 0,
            "note": "its details said not found: no deletion was sent"})
    );
    assert_eq!(lines[3]["summary"]["total"], 3);
    // The last line is the JSON report's head: what the run was, where, and when.
    assert_eq!(lines[3]["tool"], "otc-jobs");
    assert_eq!(lines[3]["kind"], "flink-job");
    assert_eq!(lines[3]["interrupted"], false);
    assert!(lines[3]["started_at"].is_string() && lines[3]["ended_at"].is_string());
    assert!(lines[3].get("items").is_none(), "{}", lines[3]);
}

/// A known mix of Flink jobs: (id, name, queue, status, age in days).
fn seed_mix(emulator: &Emulator) {
    let day = std::time::Duration::from_secs(86_400);
    let mix: [(u64, &str, &str, &str, u32); 8] = [
        (1, "nightly-etl-1", "etl", "job_submit_fail", 10),
        (2, "nightly-etl-2", "etl", "job_running", 10),
        (3, "nightly-etl-3", "etl", "job_submit_fail", 1),
        (4, "prod-stream-4", "prod", "job_running", 30),
        (5, "prod-stream-5", "prod", "job_submit_fail", 30),
        (6, "adhoc-6", "etl", "job_cancel_success", 20),
        (7, "nightly-etl-7", "prod", "job_submit_fail", 40),
        (8, "adhoc-8", "etl", "job_submit_fail", 2),
    ];
    emulator.seed_many(mix.iter().map(|(id, name, queue, status, days)| {
        SeedJob::flink_job(*id)
            .name(*name)
            .queue(*queue)
            .status(*status)
            .age(day * *days)
    }));
}

/// The ids `list flink-job ARGS -o json` prints.
fn listed(emulator: &Emulator, args: &[&str]) -> BTreeSet<u64> {
    let out = run(otc_jobs(emulator)
        .args(["list", "flink-job", "-o", "json"])
        .args(args));
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array()
        .unwrap_or_else(|| panic!("{rows}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn filters_select_exactly_the_seeded_jobs_they_should() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    seed_mix(&emulator);
    let set = |ids: &[u64]| ids.iter().copied().collect::<BTreeSet<_>>();
    let exclude = temp("mix-exclude.txt");
    std::fs::write(&exclude, "# keep\n5\n").unwrap();
    let exclude_arg = exclude.to_str().unwrap();
    // A status the page does not document is refused before any request (exit 2).
    let out = run(otc_jobs(&emulator).args(["list", "flink-job", "--status", "job_failed"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one of job_init"));
    for (args, expected) in [
        (vec![], set(&[1, 2, 3, 4, 5, 6, 7, 8])),
        (vec!["--older-than", "7d"], set(&[1, 2, 4, 5, 6, 7])),
        (vec!["--newer-than", "5d"], set(&[3, 8])),
        (vec!["--name-regex", "^nightly-"], set(&[1, 2, 3, 7])),
        (vec!["--status", "job_submit_fail"], set(&[1, 3, 5, 7, 8])),
        (vec!["--queue-name", "prod"], set(&[4, 5, 7])),
        (vec!["--name", "stream"], set(&[4, 5])),
        (
            vec![
                "--status",
                "job_submit_fail",
                "--queue-name",
                "etl",
                "--older-than",
                "7d",
            ],
            set(&[1]),
        ),
        (
            vec!["--status", "job_submit_fail", "--exclude-file", exclude_arg],
            set(&[1, 3, 7, 8]),
        ),
    ] {
        assert_eq!(listed(&emulator, &args), expected, "{args:?}");
    }
    // The server-side filters went to the service as query parameters.
    assert!(emulator.requests().iter().any(|r| {
        r.method == "GET"
            && r.query
                .as_deref()
                .is_some_and(|q| q.contains("queue_name=prod"))
    }));

    // `clean` deletes exactly what `list` selects with the same filters, nothing else.
    let filters = [
        "--status",
        "job_submit_fail",
        "--name-regex",
        "^nightly-",
        "--older-than",
        "7d",
    ];
    let dry = run(otc_jobs(&emulator)
        .args(["clean", "flink-job", "--dry-run", "-o", "json"])
        .args(filters));
    assert_eq!(dry.status.code(), Some(0));
    assert_eq!(deletes_sent(&emulator), 0);
    let plan = String::from_utf8_lossy(&dry.stdout);
    assert!(plan.contains("\"7\"") && !plan.contains("\"3\""), "{plan}");
    let refused = run(otc_jobs(&emulator)
        .args(["clean", "flink-job"])
        .args(filters));
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(deletes_sent(&emulator), 0);
    let report = run_json(
        otc_jobs(&emulator)
            .args(["clean", "flink-job", "--yes", "-o", "json"])
            .args(filters),
    );
    assert_eq!(
        outcomes(&report).keys().copied().collect::<BTreeSet<_>>(),
        set(&[1, 7])
    );
    assert_eq!(flink_ids_left(&emulator), set(&[2, 3, 4, 5, 6, 8]));
}

#[test]
fn batch_clean_uses_dli_batch_deletion() {
    let emulator = emulator_with_flink_jobs(1..=120);
    let report = run_json(otc_jobs(&emulator).args([
        "clean",
        "flink-job",
        "--yes",
        "--batch",
        "--batch-size",
        "50",
        "-o",
        "json",
    ]));
    assert_eq!(report["summary"]["deleted"], 120);
    assert!(flink_ids_left(&emulator).is_empty());
    // Three batch POSTs (50, 50, 20), no single DELETE.
    let posts = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/streaming/jobs/delete"))
        .count();
    assert_eq!((posts, deletes_sent(&emulator)), (3, 0));
}

#[test]
fn a_whole_training_job_is_waited_for_through_its_versions() {
    let emulator = emulator_deleting_after(300);
    emulator.seed(SeedJob::training_job(10).versions([1, 2]));
    let report = run_json(otc_jobs(&emulator).args([
        "delete",
        "training-job-v1",
        "10",
        "--yes",
        "--wait",
        "--max-wait",
        "20s",
        "-o",
        "json",
    ]));
    assert_eq!(report["items"][0]["outcome"], "deleted", "{report}");
    assert!(emulator.jobs().is_empty());
    // It polled the versions list until it answered "not found".
    assert!(emulator.requests().iter().any(|r| r.method == "GET"
        && r.path.ends_with("/training-jobs/10/versions")
        && r.error_code.is_some()));
}

#[cfg(unix)]
#[test]
fn interrupt_finishes_in_flight_writes_the_report_and_exits_130() {
    let emulator = emulator_with_flink_jobs(1..=40);
    emulator
        .add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 400 }).times(1000));
    let report_path = temp("interrupted-report.json");
    let child = otc_jobs(&emulator)
        .args([
            "delete",
            "flink-job",
            "--yes",
            "--parallelism",
            "2",
            "-o",
            "json",
            "--report",
        ])
        .arg(&report_path)
        .args(ids(1..=40))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once deletions are under way.
    wait_for_deletes(&emulator, 3, Duration::from_secs(30));
    signal(&child, "-INT");
    exits_130(child);
    let report = read_report(&report_path);
    assert_eq!(report["interrupted"], true);
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 40);
    let left = flink_ids_left(&emulator);
    for (id, outcome) in &outcomes {
        match outcome.as_str() {
            "deleted" => assert!(!left.contains(id), "{id} reported deleted but exists"),
            "skipped" => assert!(left.contains(id), "{id} reported skipped but is gone"),
            other => panic!("id {id}: {other}"),
        }
    }
    assert!(!left.is_empty() && left.len() < 40);
}

#[cfg(unix)]
#[test]
fn an_interrupted_clean_is_finished_by_a_rerun_with_its_journal() {
    let emulator = emulator_with_flink_jobs(1..=2_000);
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 10 }).always());
    let journal = temp("clean-interrupted.journal");
    let (first_path, second_path) = (temp("clean-first.json"), temp("clean-second.json"));
    let clean = |report: &Path| {
        let mut command = otc_jobs(&emulator);
        command
            .args([
                "clean",
                "flink-job",
                "--yes",
                "--parallelism",
                "8",
                "--journal",
            ])
            .arg(&journal)
            .arg("--report")
            .arg(report)
            .args(["-o", "json"]);
        command
    };
    let child = clean(&first_path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // SIGINT about halfway.
    wait_for_deletes(&emulator, 1_000, Duration::from_secs(60));
    signal(&child, "-INT");
    exits_130(child);
    let first = outcomes(&read_report(&first_path));
    let finished_first: BTreeSet<u64> = first
        .iter()
        .filter(|(_, o)| *o == "deleted" || *o == "already_gone")
        .map(|(id, _)| *id)
        .collect();
    assert!(
        finished_first.len() > 100 && finished_first.len() < 1_900,
        "{}",
        finished_first.len()
    );

    let out = run(&mut clean(&second_path));
    assert_eq!(out.status.code(), Some(0));
    let second_report = read_report(&second_path);
    let second = outcomes(&second_report);
    assert!(flink_ids_left(&emulator).is_empty());
    // The rerun reports the whole run: every id, those of the first attempt marked.
    assert_eq!(second.len(), 2_000);
    let this_attempt: BTreeMap<u64, String> = second_report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["earlier_run"] != true)
        .map(|i| {
            (
                i["id"].as_str().unwrap().parse().unwrap(),
                i["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(second.len() - this_attempt.len(), finished_first.len());
    // The union of both attempts' finished ids is every id, each once.
    let mut union: BTreeMap<u64, usize> = BTreeMap::new();
    for (id, outcome) in first.iter().chain(&this_attempt) {
        if outcome == "deleted" || outcome == "already_gone" {
            *union.entry(*id).or_default() += 1;
        }
    }
    assert_eq!(
        union.keys().copied().collect::<BTreeSet<_>>(),
        (1..=2_000).collect::<BTreeSet<_>>()
    );
    assert!(union.values().all(|n| *n == 1), "an id finished twice");
}

/// Compares `actual` with `tests/snapshots/FILE`; `UPDATE_SNAPSHOTS=1` rewrites it.
fn assert_snapshot(actual: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(file);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "{file} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"
    );
}

/// `list` and a deletion report, in every format, as checked in.
#[test]
fn output_matches_the_snapshots() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    // 2023-11-14T22:13:20Z, and a day later.
    let t = 1_700_000_000_000;
    emulator.seed_many([
        SeedJob::flink_job(1)
            .name("nightly-etl-1")
            .queue("etl")
            .status("job_failed")
            .create_time(t),
        SeedJob::flink_job(2)
            .name("prod-stream-2")
            .queue("prod")
            .status("job_running")
            .create_time(t + 86_400_000),
    ]);
    for (format, file) in [
        ("table", "list-table.txt"),
        ("json", "list-json.txt"),
        ("ndjson", "list-ndjson.txt"),
    ] {
        let out = run(otc_jobs(&emulator).args(["list", "flink-job", "-o", format]));
        assert_eq!(out.status.code(), Some(0));
        assert_snapshot(&String::from_utf8(out.stdout).unwrap(), file);
    }
    for (format, file) in [("table", "delete-table.txt"), ("json", "delete-json.txt")] {
        let out = run(otc_jobs(&emulator).args([
            "delete",
            "flink-job",
            "1",
            "99",
            "--yes",
            "-o",
            format,
        ]));
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_snapshot(&steady(&text, &emulator), file);
        emulator.seed(SeedJob::flink_job(1));
    }
}

/// `text` with what changes from run to run (times, the emulator's port) as placeholders.
fn steady(text: &str, emulator: &Emulator) -> String {
    let url = emulator.base_url().trim_end_matches('/');
    text.lines()
        .map(|line| {
            let key = line.trim_start().split(':').next().unwrap_or_default();
            let line = line.replace(url, "http://127.0.0.1:<port>");
            match key {
                "\"started_at\"" | "\"ended_at\"" | "\"duration_ms\"" => {
                    let (head, _) = line.split_once(": ").unwrap();
                    let comma = if line.ends_with(',') { "," } else { "" };
                    format!("{head}: <varies>{comma}\n")
                }
                _ => line + "\n",
            }
        })
        .collect()
}

/// `--help` as checked in; `UPDATE_SNAPSHOTS=1 cargo test -p otc-jobs-cli` rewrites it.
#[test]
fn help_matches_the_snapshot() {
    for (args, file) in [
        (vec!["--help"], "help.txt"),
        (vec!["delete", "--help"], "delete-help.txt"),
        (vec!["clean", "--help"], "clean-help.txt"),
        (vec!["kinds", "--help"], "kinds-help.txt"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
            .env_clear()
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_snapshot(&String::from_utf8(out.stdout).unwrap(), file);
    }
}

/// `otc-jobs kinds` as checked in: every kind of the table, with its facts.
#[test]
fn kinds_match_the_snapshots() {
    for (format, file) in [("table", "kinds-table.txt"), ("json", "kinds-json.txt")] {
        let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
            .env_clear()
            .args(["kinds", "-o", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_snapshot(&text, file);
        if format == "json" {
            let kinds: Vec<Value> = serde_json::from_str(&text).unwrap();
            let names: Vec<&str> = kinds.iter().map(|k| k["name"].as_str().unwrap()).collect();
            let all: Vec<&str> = otc_jobs_core::kinds::Kind::ALL
                .iter()
                .map(|k| k.name())
                .collect();
            assert_eq!(names, all);
            let flink = &kinds[names.iter().position(|n| *n == "flink-job").unwrap()];
            assert_eq!(
                flink["actions"],
                serde_json::json!(["delete", "wait", "batch"])
            );
        }
    }
}

#[test]
fn completions_are_printed_for_bash() {
    let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("_otc__jobs()") && script.contains("flink-job"));
}

fn emulator_with_delete_delay(delay_ms: u64) -> Emulator {
    let emulator = emulator_deleting_after(delay_ms);
    for id in [101, 102] {
        emulator.seed(SeedJob::visualization_job(id));
    }
    emulator
}

#[test]
fn wait_polls_until_an_asynchronous_deletion_is_done() {
    let emulator = emulator_with_delete_delay(1200);
    let report = run_json(otc_jobs(&emulator).args([
        "delete",
        "visualization-job-v1",
        "101",
        "102",
        "--yes",
        "--wait",
        "--max-wait",
        "20s",
        "-o",
        "json",
    ]));
    assert_eq!(report["summary"]["deleted"], 2);
    assert!(emulator.jobs().is_empty());
    // It looked while the deletion ran (status 9), then saw the job gone.
    let polls: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert!(
        polls
            .iter()
            .any(|r| r.status == Some(200) && r.body.contains("\"status\":9")),
        "{polls:?}"
    );
    assert!(polls.iter().any(|r| r.status == Some(400)));
}

#[test]
fn a_wait_that_times_out_exits_3_and_the_wait_command_waits() {
    let emulator = emulator_with_delete_delay(4000);
    let out = run(otc_jobs(&emulator).args([
        "delete",
        "visualization-job-v1",
        "101",
        "--yes",
        "--wait",
        "--max-wait",
        "1s",
        "-o",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["items"][0]["outcome"], "timed_out");
    assert_eq!(report["items"][0]["last_status"], "9");
    // `wait` deletes nothing and sees it gone once the deletion completes.
    let report = run_json(otc_jobs(&emulator).args([
        "wait",
        "visualization-job-v1",
        "101",
        "--timeout",
        "20s",
        "-o",
        "json",
    ]));
    assert_eq!(report["items"][0]["outcome"], "already_gone");
    assert_eq!(emulator.jobs(), vec![SeedJob::visualization_job(102)]);
}

#[test]
fn every_kind_deletes_on_the_embedded_emulator() {
    for (args, deleted) in [
        (vec!["training-job-v1", "1", "2"], 2),
        (vec!["training-job-version-v1", "1/1", "2/1"], 2),
        (vec!["training-job-version-v1", "--job-id", "1", "2"], 1),
        (vec!["visualization-job-v1", "101"], 1),
        (vec!["flink-job", "12"], 1),
        (vec!["job-execution-v1", "exec-1", "exec-2"], 2),
    ] {
        let out = run(Command::new(env!("CARGO_BIN_EXE_otc-jobs"))
            .env_clear()
            .args(["--emulator", "-o", "json", "delete", "--yes"])
            .args(&args)
            .stdin(Stdio::null()));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["summary"]["deleted"], deleted, "{args:?}: {report}");
        assert_eq!(report["summary"]["total"], deleted, "{args:?}: {report}");
    }
}

#[test]
fn a_refusal_is_reported_with_code_message_and_request_id() {
    let emulator = emulator_with_flink_jobs(1..=2);
    emulator.add_fault(Fault::new(
        "DELETE",
        "/v1.0/*/streaming/jobs/2",
        FaultAction::Respond {
            status: 403,
            headers: Default::default(),
            body: r#"{"error_code": "DLI.0003", "error_msg": "Permission denied."}"#.into(),
        },
    ));
    let out =
        run(otc_jobs(&emulator).args(["delete", "flink-job", "1", "2", "--yes", "-o", "json"]));
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = &report["items"][1];
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["status"], 403);
    assert_eq!(failed["code"], "DLI.0003");
    assert_eq!(failed["message"], "Permission denied.");
    assert_eq!(failed["attempts"], 1);
    let request_id = failed["request_id"].as_str().unwrap();
    assert!(
        emulator
            .requests()
            .iter()
            .any(|r| r.request_id == request_id)
    );
    assert_eq!(flink_ids_left(&emulator), BTreeSet::from([2]));
}

#[test]
fn ids_in_the_exclude_file_are_never_touched() {
    let emulator = emulator_with_flink_jobs(1..=4);
    let exclude = temp("exclude.txt");
    std::fs::write(&exclude, "# production\n2\n4\n").unwrap();
    let report = run_json(
        otc_jobs(&emulator)
            .args([
                "delete",
                "flink-job",
                "1",
                "2",
                "3",
                "4",
                "--yes",
                "-o",
                "json",
                "--exclude-file",
            ])
            .arg(&exclude),
    );
    let outcomes = outcomes(&report);
    assert_eq!(outcomes[&2], "skipped");
    assert_eq!(outcomes[&4], "skipped");
    assert_eq!(flink_ids_left(&emulator), BTreeSet::from([2, 4]));
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("/2") && !r.path.ends_with("/4"))
    );
}

/// The issue's promise: after a kill (no chance to clean up), a rerun with the same
/// journal finishes the job without deleting anything twice or losing an outcome.
#[cfg(unix)]
#[test]
fn resume_after_a_kill_deletes_nothing_twice_and_loses_no_outcome() {
    let emulator = emulator_with_flink_jobs(1..=120);
    emulator
        .add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 60 }).times(10_000));
    let journal = temp("killed.journal");
    let delete = || {
        let mut command = otc_jobs(&emulator);
        command
            .args([
                "delete",
                "flink-job",
                "--yes",
                "--parallelism",
                "4",
                "-o",
                "json",
                "--journal",
            ])
            .arg(&journal)
            .args(ids(1..=120));
        command
    };
    let mut child = delete()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_deletes(&emulator, 20, Duration::from_secs(30));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let journalled = journal_outcomes(&journal).len();
    assert!(journalled > 0 && journalled < 120, "{journalled}");

    let report = run_json(&mut delete());
    let earlier = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["earlier_run"] == true)
        .count();
    assert_eq!(earlier, journalled);
    assert_eq!(report["summary"]["deleted"], 120);
    assert!(flink_ids_left(&emulator).is_empty());

    // Each id was deleted by exactly one request over both runs.
    let mut successes: BTreeMap<u64, usize> = BTreeMap::new();
    for request in emulator.requests() {
        if request.method == "DELETE" && request.status == Some(200) {
            *successes
                .entry(request.path.rsplit('/').next().unwrap().parse().unwrap())
                .or_default() += 1;
        }
    }
    assert_eq!(successes.len(), 120);
    assert!(successes.values().all(|n| *n == 1));
    // And the journal holds a finished outcome for every id.
    let finished: BTreeSet<u64> = journal_outcomes(&journal)
        .into_iter()
        .filter(|(_, o)| o == "deleted" || o == "already_gone")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(finished, (1..=120).collect());
}

/// `clean KIND --yes --wait -o json`, keeping the ids of `keep` (an `--exclude-file`'s
/// text), which must exit 0: its report.
fn clean_and_wait_keeping(emulator: &Emulator, kind: &str, keep: &str) -> Value {
    let exclude = temp(&format!("keep-{kind}.txt"));
    std::fs::write(&exclude, keep).unwrap();
    run_json_for(
        kind,
        otc_jobs(emulator)
            .args([
                "clean",
                kind,
                "--yes",
                "--wait",
                "-o",
                "json",
                "--exclude-file",
            ])
            .arg(&exclude),
    )
}

/// `list`, `delete`, `wait` and `clean` of every kind of the table (a new kind is covered
/// without editing this test), each on the emulator's samples, checking the emulator's
/// state after each: the ids acted on are gone, the others of the kind still there.
#[test]
fn every_kind_lists_deletes_waits_and_cleans() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let mut unnamed = Vec::new();
    for kind in otc_jobs_core::kinds::Kind::ALL {
        if kind.action() == otc_jobs_core::kinds::Action::Cancel {
            lists_cancels_waits_and_cleans(&emulator, kind);
            continue;
        }
        let kind = kind.name();
        // Fresh samples per kind: deleting a v1 training job takes its versions along.
        emulator.reset();
        emulator.seed_samples();
        let seeded = ids_of(&emulator.jobs(), kind);
        assert!(seeded.len() >= 3, "{kind}: {seeded:?}");

        // list: every seeded job of the kind, each once, nothing unreadable.
        let out = run(otc_jobs(&emulator).args(["list", kind, "-o", "json"]));
        assert_eq!(out.status.code(), Some(0), "{kind}");
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let listed: BTreeSet<String> = rows
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!((listed.len(), &listed), (rows.len(), &seeded), "{kind}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("warning"),
            "{kind}"
        );
        let ids: Vec<String> = seeded.iter().cloned().collect();

        // delete: the one id, and no other.
        let report = run_json_for(
            kind,
            otc_jobs(&emulator).args(["delete", kind, &ids[0], "--yes", "-o", "json"]),
        );
        assert_eq!(report["kind"], kind);
        assert_eq!(report["summary"]["deleted"], 1, "{kind}: {report}");
        // Named from its details (one request before the deletion), as the list names it.
        let listed_name = rows.iter().find(|r| r["id"] == ids[0].as_str()).unwrap()["name"].clone();
        match &report["items"][0]["name"] {
            Value::Null => unnamed.push(kind),
            name => assert_eq!(name, &listed_name, "{kind}: {report}"),
        }
        let left = ids_of(&emulator.jobs(), kind);
        assert!(!left.contains(&ids[0]), "{kind}: {} still there", ids[0]);
        assert_eq!(left.len(), seeded.len() - 1, "{kind}: {left:?}");

        // wait: the deleted id is gone (already); nothing else is touched.
        let report = run_json_for(
            kind,
            otc_jobs(&emulator).args(["wait", kind, &ids[0], "-o", "json"]),
        );
        assert_eq!(report["summary"]["already_gone"], 1, "{kind}: {report}");
        assert_eq!(
            ids_of(&emulator.jobs(), kind),
            left,
            "{kind}: wait deleted something"
        );

        // clean: the selection (all but the others, excluded) is deleted, waited for.
        let others: Vec<&str> = ids[2..].iter().map(String::as_str).collect();
        let report = clean_and_wait_keeping(&emulator, kind, &others.join("\n"));
        assert_eq!(report["summary"]["deleted"], 1, "{kind}: {report}");
        assert_eq!(
            report["summary"]["skipped"],
            others.len(),
            "{kind}: {report}"
        );
        let after: BTreeSet<String> = ids[2..].iter().cloned().collect();
        assert_eq!(ids_of(&emulator.jobs(), kind), after, "{kind}");
    }
    // DLI's templates have no detail request; MRS v1 executions' details keep the name
    // in an untyped object.
    assert_eq!(unnamed, ["job-execution-v1", "flink-template"]);
}

/// The status of every job of `kind` the emulator holds, by id.
fn statuses_of(emulator: &Emulator, kind: &str) -> BTreeMap<String, String> {
    emulator
        .jobs()
        .iter()
        .filter(|job| job.kind() == kind)
        .map(|job| {
            let status = serde_json::to_value(job).unwrap()["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (job.id(), status)
        })
        .collect()
}

/// `list`, `delete`, `wait` and `clean` of a kind whose runs are cancelled (its action in
/// the table), on the emulator's samples: a run that is not over is cancelled (it stays,
/// over), one that is over is `already_finished` and untouched, `clean` selects only the
/// runs that are not over, and no run is ever gone.
fn lists_cancels_waits_and_cleans(emulator: &Emulator, kind: otc_jobs_core::kinds::Kind) {
    let facts = kind.facts();
    let kind = kind.name();
    emulator.reset();
    emulator.seed_samples();
    let seeded = statuses_of(emulator, kind);
    let running: Vec<&String> = seeded
        .iter()
        .filter(|(_, s)| facts.is_unfinished(s))
        .map(|(id, _)| id)
        .collect();
    let over: Vec<&String> = seeded
        .iter()
        .filter(|(_, s)| !facts.is_unfinished(s))
        .map(|(id, _)| id)
        .collect();
    assert!(running.len() >= 3 && !over.is_empty(), "{kind}: {seeded:?}");

    let out = run(otc_jobs(emulator).args(["list", kind, "-o", "json"]));
    assert_eq!(out.status.code(), Some(0), "{kind}");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let listed: BTreeMap<String, String> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, seeded, "{kind}");

    // delete: a running run is cancelled (and stays, over); one that is over is refused
    // by the service: already_finished, never cancelled.
    let report = run_json_for(
        kind,
        otc_jobs(emulator).args(["delete", kind, running[0], over[0], "--yes", "-o", "json"]),
    );
    assert_eq!(report["summary"]["cancelled"], 1, "{kind}: {report}");
    assert_eq!(report["summary"]["already_finished"], 1, "{kind}: {report}");
    assert_eq!(report["summary"]["deleted"], 0, "{kind}: {report}");
    assert_eq!(
        report["items"][0]["outcome"], "cancelled",
        "{kind}: {report}"
    );
    assert_eq!(
        report["items"][1]["outcome"], "already_finished",
        "{kind}: {report}"
    );
    let after = statuses_of(emulator, kind);
    assert_eq!(after.len(), seeded.len(), "{kind}: a run is gone");
    assert!(
        !facts.is_unfinished(&after[running[0]]),
        "{kind}: {after:?}"
    );
    assert_eq!(after[over[0]], seeded[over[0]], "{kind}");

    // wait: the cancelled run is over; nothing is touched.
    let report = run_json_for(
        kind,
        otc_jobs(emulator).args(["wait", kind, running[0], "-o", "json"]),
    );
    assert_eq!(report["summary"]["already_finished"], 1, "{kind}: {report}");
    assert_eq!(
        statuses_of(emulator, kind),
        after,
        "{kind}: wait changed something"
    );

    // clean: only the runs not over are selected; one kept by --exclude-file.
    let report = clean_and_wait_keeping(emulator, kind, running[2]);
    assert_eq!(
        report["summary"]["cancelled"],
        running.len() - 2,
        "{kind}: {report}"
    );
    assert_eq!(report["summary"]["skipped"], 1, "{kind}: {report}");
    assert_eq!(
        report["summary"]["total"],
        running.len() - 1,
        "{kind}: {report}"
    );
    let end = statuses_of(emulator, kind);
    for (id, status) in &end {
        if id == running[2] {
            assert_eq!(status, &seeded[id], "{kind}: the excluded run changed");
        } else if over.contains(&id) {
            assert_eq!(status, &seeded[id], "{kind}: a run that was over changed");
        } else {
            assert!(!facts.is_unfinished(status), "{kind}: {id} still {status}");
        }
    }
    assert_eq!(end.len(), seeded.len(), "{kind}: a run is gone");
}

/// A listed item without an id is said on stderr and counted, never dropped silently; a
/// clean says its selection leaves it out before it deletes the others.
#[test]
fn a_listed_item_without_an_id_is_reported_not_dropped() {
    let emulator = emulator_with_flink_jobs([1, 2]);
    let body = serde_json::json!({
        "is_success": "true",
        "message": "Jobs are successfully listed.",
        "job_list": {"total_count": 3, "jobs": [
            {"job_id": 1, "name": "a", "status": "job_running", "create_time": 1_700_000_000_000_u64},
            {"name": "no-id", "status": "job_running"},
            {"job_id": 2, "name": "b", "status": "job_running", "create_time": 1_700_000_000_000_u64},
        ]},
    })
    .to_string();
    let list_fault = || {
        Fault::new(
            "GET",
            "/v1.0/*/streaming/jobs",
            FaultAction::respond(200, &[("Content-Type", "application/json")], &body),
        )
        .times(1)
    };
    emulator.add_fault(list_fault());
    let out = run(otc_jobs(&emulator).args(["list", "flink-job", "-o", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a listed flink-job has no job_id"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 listed flink-job(s) had no readable id"),
        "{stderr}"
    );

    emulator.add_fault(list_fault());
    let out = run(otc_jobs(&emulator).args(["clean", "flink-job", "--yes", "-o", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not in the selection and will not be deleted"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["deleted"], 2, "{report}");
    assert!(flink_ids_left(&emulator).is_empty());
}

/// `clean sql-job --yes` cancels only the runs that are not over (running, launching,
/// scaling); the finished, failed and cancelled ones are neither selected nor touched,
/// and the emulator's state says so. The plan and the refusal without `--yes` say
/// "cancel"; `--status` selects by status instead, and a run that is over is then
/// `already_finished`, never `cancelled`.
#[test]
fn clean_sql_job_cancels_only_the_runs_that_are_not_over() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let statuses = [
        ("q1", "RUNNING"),
        ("q2", "FINISHED"),
        ("q3", "LAUNCHING"),
        ("q4", "FAILED"),
        ("q5", "SCALING"),
        ("q6", "CANCELLED"),
    ];
    emulator.seed_many(
        statuses
            .iter()
            .map(|(id, status)| SeedJob::sql_job(*id).status(*status)),
    );

    let out = run(otc_jobs(&emulator).args(["clean", "sql-job", "--dry-run"]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("would cancel 3 of 6 listed sql-job(s)"),
        "{stderr}"
    );
    assert!(stderr.contains("3 sql-job(s) are over"), "{stderr}");
    let out = run(otc_jobs(&emulator).args(["clean", "sql-job"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to cancel 3 sql-job(s)"),
        "{stderr}"
    );

    let report = run_json(otc_jobs(&emulator).args(["clean", "sql-job", "--yes", "-o", "json"]));
    let outcomes: BTreeMap<&str, &str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("q1", "cancelled"),
            ("q3", "cancelled"),
            ("q5", "cancelled")
        ]
        .into()
    );
    assert_eq!(report["summary"]["cancelled"], 3, "{report}");
    assert_eq!(report["summary"]["deleted"], 0, "{report}");
    let after = statuses_of(&emulator, "sql-job");
    let expected: BTreeMap<String, String> = [
        ("q1", "CANCELLED"),
        ("q2", "FINISHED"),
        ("q3", "CANCELLED"),
        ("q4", "FAILED"),
        ("q5", "CANCELLED"),
        ("q6", "CANCELLED"),
    ]
    .iter()
    .map(|(id, s)| ((*id).to_owned(), (*s).to_owned()))
    .collect();
    assert_eq!(after, expected);
    // Only the three cancellations were sent.
    let cancels = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(cancels, 3);

    // --status names the runs itself: a finished one is refused by the service.
    let report = run_json(otc_jobs(&emulator).args([
        "clean", "sql-job", "--status", "FINISHED", "--yes", "-o", "json",
    ]));
    assert_eq!(report["items"][0]["id"], "q2", "{report}");
    assert_eq!(
        report["items"][0]["outcome"], "already_finished",
        "{report}"
    );
    assert_eq!(report["summary"]["cancelled"], 0, "{report}");
    assert_eq!(statuses_of(&emulator, "sql-job")["q2"], "FINISHED");
}

/// Ids given on the command line or stdin are named in the `delete` and `wait` tables
/// (one detail request each before acting); one whose details say "not found" is not
/// sent a deletion.
#[test]
fn the_delete_and_wait_tables_name_the_given_ids() {
    let emulator = emulator_deleting_after(1500);
    emulator.seed(SeedJob::flink_job(1).name("nightly-1"));
    emulator.seed(SeedJob::flink_job(2).name("prod-2"));
    emulator.seed(SeedJob::visualization_job(301).name("viz-301"));
    let mut child = otc_jobs(&emulator)
        .args(["delete", "flink-job", "1", "-", "--yes"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"2\n99\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{table}");
    let row = |id: &str| -> Vec<String> {
        table
            .lines()
            .find(|l| l.starts_with(&format!("│ {id} ")))
            .unwrap_or_else(|| panic!("no row {id}: {table}"))
            .split('┆')
            .map(|c| {
                c.trim_matches(|ch: char| ch == '│' || ch.is_whitespace())
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(row("1")[1..3], ["nightly-1", "deleted"]);
    assert_eq!(row("2")[1..3], ["prod-2", "deleted"]);
    assert_eq!(row("99")[1..3], ["", "already_gone"]);
    assert!(row("99")[3].contains("its details said not found: no deletion was sent"));
    assert_eq!(deletes_sent(&emulator), 2);

    let out = run(otc_jobs(&emulator).args(["delete", "visualization-job-v1", "301", "--yes"]));
    assert_eq!(out.status.code(), Some(0));
    // Still deleting (status 9): `wait` names it from its details, then sees it gone.
    let out =
        run(otc_jobs(&emulator).args(["wait", "visualization-job-v1", "301", "--max-wait", "20s"]));
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("301") && l.contains("viz-301") && l.contains("already_gone")),
        "{table}"
    );
}

/// `clean training-job-version-v1 --job-id N` walks that job's versions alone (the other
/// jobs' versions are neither listed nor touched); an id that is no job id is refused
/// before anything is deleted.
#[test]
fn clean_versions_of_one_job_with_job_id() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_many([
        SeedJob::training_job(1).name("a"),
        SeedJob::training_job(2).name("b"),
        SeedJob::training_job_version(1, 11),
        SeedJob::training_job_version(1, 12),
        SeedJob::training_job_version(2, 21),
    ]);
    let before = ids_of(&emulator.jobs(), "training-job-version-v1");
    assert_eq!(before, ["1/11", "1/12", "2/21"].map(String::from).into());

    let report = run_json(otc_jobs(&emulator).args([
        "clean",
        "training-job-version-v1",
        "--job-id",
        "1",
        "--yes",
        "-o",
        "json",
    ]));
    let ids: BTreeSet<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1/11", "1/12"].into(), "{report}");
    assert_eq!(report["summary"]["deleted"], 2, "{report}");
    assert_eq!(
        ids_of(&emulator.jobs(), "training-job-version-v1"),
        ["2/21".to_owned()].into()
    );
    // Job 2 was never walked: no request names it.
    assert!(
        !emulator
            .requests()
            .iter()
            .any(|r| r.path.contains("/training-jobs/2/")),
        "job 2 was walked"
    );

    let out = run(otc_jobs(&emulator).args([
        "clean",
        "training-job-version-v1",
        "--job-id",
        "abc",
        "--yes",
    ]));
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(r#"--job-id "abc" is not the id of a training-job-v1"#),
        "{stderr}"
    );
    assert_eq!(
        ids_of(&emulator.jobs(), "training-job-version-v1"),
        ["2/21".to_owned()].into()
    );
}

/// `clean job-execution` on the samples (two clusters, running and finished jobs): every
/// job is deleted, one outcome each; the running ones (killed first, waited for until they
/// had stopped: the emulator's kill takes its default delay) carry the note that says so,
/// the finished ones none.
#[test]
fn clean_job_execution_notes_the_jobs_killed_first() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_samples();
    let before = statuses_of(&emulator, "job-execution");
    assert!(before.values().any(|s| s == "RUNNING"), "{before:?}");
    assert!(before.values().any(|s| s != "RUNNING"), "{before:?}");

    let out = run(otc_jobs(&emulator).args(["clean", "job-execution", "--yes", "-o", "json"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), before.len(), "{report}");
    for item in items {
        let id = item["id"].as_str().unwrap();
        assert_eq!(item["outcome"], "deleted", "{item}");
        let note = item["note"].as_str();
        if before[id] == "RUNNING" {
            assert_eq!(
                note,
                Some("it was running: killed first, then deleted"),
                "{item}"
            );
        } else {
            assert_eq!(note, None, "{item}");
        }
    }
    assert_eq!(report["summary"]["deleted"], before.len(), "{report}");
    assert!(statuses_of(&emulator, "job-execution").is_empty());
    // Each running job was killed once, and its deletion sent once it had stopped.
    let requests = emulator.requests();
    let kills = requests
        .iter()
        .filter(|r| r.path.ends_with("/kill"))
        .count();
    let running = before.values().filter(|s| *s == "RUNNING").count();
    assert_eq!(kills, running);
    let refused = requests
        .iter()
        .filter(|r| r.path.ends_with("/batch-delete") && r.status != Some(202))
        .count();
    assert_eq!(refused, 0, "no deletion met 0183");
}
