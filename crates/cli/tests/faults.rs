//! Faults of the tool's own, end to end: the `otc-jobs` binary killed (SIGKILL at a
//! random moment, SIGTERM), its report's or its journal's disk full, a second run on the
//! same journal. Each compares what the emulator holds with what the tool reported and
//! journalled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use otc_jobs_emulator::{Emulator, Fault, FaultAction, SeedJob};
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::{
    FLINK_DELETE, emulator_deleting_after, emulator_with_flink_jobs, ids, otc_jobs, path_id, run,
    temp, wait_for_deletes,
};

/// SplitMix64: a deterministic generator, one per seed, for the moment of a kill.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)` milliseconds.
    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.next() % (hi - lo))
    }
}

/// id → DELETEs the emulator accepted (200), among `requests[from..]`.
fn accepted_deletes(emulator: &Emulator, from: usize, marker: &str) -> BTreeMap<u64, usize> {
    let mut accepted = BTreeMap::new();
    for request in emulator.requests().into_iter().skip(from) {
        if request.method == "DELETE"
            && request.status == Some(200)
            && request.path.contains(marker)
            && let Some(id) = path_id(&request.path)
        {
            *accepted.entry(id).or_default() += 1;
        }
    }
    accepted
}

/// A journal's lines after its header: (id, intent or outcome name); a `run` line is
/// (0, "run").
fn journal_lines(path: &Path) -> Vec<(u64, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|e| {
            if e.get("run").is_some() {
                return Some((0, "run".to_owned()));
            }
            let id = e.get("id")?.as_str()?.parse().ok()?;
            let what = e
                .get("intent")
                .or_else(|| e.get("outcome"))?
                .as_str()?
                .to_owned();
            Some((id, what))
        })
        .collect()
}

/// Ids with an intent and no outcome after it: the run may have sent their deletion.
/// (`skipped` settles an intent of its own run only: this test reads one run's journal.)
fn unresolved(lines: &[(u64, String)]) -> BTreeSet<u64> {
    let mut open = BTreeSet::new();
    for (id, what) in lines {
        match what.as_str() {
            "run" => {}
            "delete" | "batch_delete" => {
                open.insert(*id);
            }
            _ => {
                open.remove(id);
            }
        }
    }
    open
}

/// Waits until the emulator has answered what a killed run left in flight (its count of
/// requests stands still for a while).
fn settle(emulator: &Emulator) -> usize {
    let mut seen = emulator.requests().len();
    loop {
        std::thread::sleep(Duration::from_millis(150));
        let now = emulator.requests().len();
        if now == seen {
            return now;
        }
        seen = now;
    }
}

/// id → (outcome, earlier_run, note) of a JSON report, each id once.
fn report_items(report: &Value) -> BTreeMap<u64, (String, bool, Option<String>)> {
    let mut items = BTreeMap::new();
    for item in report["items"].as_array().unwrap() {
        let id: u64 = item["id"].as_str().unwrap().parse().unwrap();
        let entry = (
            item["outcome"].as_str().unwrap().to_owned(),
            item["earlier_run"] == true,
            item["note"].as_str().map(str::to_owned),
        );
        assert!(items.insert(id, entry).is_none(), "id {id} reported twice");
    }
    items
}

/// One kill-and-resume case: how to seed, what to run, which DELETE paths are its.
struct Case {
    name: &'static str,
    jobs: u64,
    emulator: fn(u64) -> Emulator,
    args: &'static [&'static str],
    delete_marker: &'static str,
    /// A deletion accepted twice is fine for an id the killed run left unresolved (an
    /// asynchronous deletion, still running, accepted again).
    async_deletion: bool,
    /// The kill comes between these many milliseconds after the start.
    kill_window: (u64, u64),
}

fn left(emulator: &Emulator) -> BTreeSet<u64> {
    emulator
        .jobs()
        .into_iter()
        .filter_map(|job| match job {
            SeedJob::FlinkJob { job_id, .. } | SeedJob::TrainingJob { job_id, .. } => Some(job_id),
            _ => None,
        })
        .collect()
}

/// Kills a clean with SIGKILL at a moment drawn from `seed`, reruns it with the same
/// journal, and checks the whole run against the emulator.
fn kill_and_resume(case: &Case, seed: u64) {
    let context = format!("{} seed {seed}", case.name);
    let emulator = (case.emulator)(case.jobs);
    let selection: BTreeSet<u64> = (1..=case.jobs).collect();
    assert_eq!(left(&emulator), selection);
    let journal = temp(&format!("{}-{seed}.journal", case.name));
    let report_path = temp(&format!("{}-{seed}.json", case.name));
    let clean = || {
        let mut command = otc_jobs(&emulator);
        command
            .args(case.args)
            .args(["--yes", "-o", "json", "--journal"])
            .arg(&journal)
            .arg("--report")
            .arg(&report_path);
        command
    };

    let mut prng = Prng(seed);
    let delay = prng.millis(case.kill_window.0, case.kill_window.1);
    let mut child: Child = clean()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let finished_before_kill = child.try_wait().unwrap().is_some();
    child.kill().unwrap(); // SIGKILL (a no-op if it had ended)
    child.wait().unwrap();
    let requests_of_killed_run = settle(&emulator);
    let killed_journal = journal_lines(&journal);
    let unresolved_after_kill = unresolved(&killed_journal);
    let deleted_by_killed_run = accepted_deletes(&emulator, 0, case.delete_marker);
    eprintln!(
        "{context}: killed after {delay:?} (finished before: {finished_before_kill}), \
         {} deleted, {} journal lines, {} unresolved",
        deleted_by_killed_run.len(),
        killed_journal.len(),
        unresolved_after_kill.len()
    );

    // Every job the killed run deleted has a record in its journal (here: its intent,
    // at least), and the journal holds nothing outside the selection.
    let journalled: BTreeSet<u64> = killed_journal
        .iter()
        .filter(|(_, what)| what != "run")
        .map(|(id, _)| *id)
        .collect();
    for id in deleted_by_killed_run.keys() {
        assert!(
            journalled.contains(id),
            "{context}: {id} deleted with no record"
        );
    }
    assert!(journalled.is_subset(&selection), "{context}");

    // The kill may cut a write short: a torn last line is reported and ignored.
    let torn_line = std::fs::read(&journal)
        .ok()
        .filter(|bytes| bytes.ends_with(b"\n"))
        .map(|bytes| {
            let mut bytes = bytes;
            bytes.extend_from_slice(br#"{"id":"1","outc"#);
            std::fs::write(&journal, &bytes).unwrap();
            bytes.iter().filter(|b| **b == b'\n').count() + 1
        });

    let out = run(&mut clean());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{context}: {stderr}");
    if let Some(line) = torn_line {
        assert!(
            stderr.contains(&format!("line {line} was cut short")),
            "{context}: {stderr}"
        );
    }
    assert!(left(&emulator).is_empty(), "{context}: jobs left");

    // The rerun's report is the whole run: every selected id, once, finished.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(
        report,
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    );
    let items = report_items(&report);
    assert_eq!(
        items.keys().copied().collect::<BTreeSet<_>>(),
        selection,
        "{context}"
    );
    for (id, (outcome, earlier, note)) in &items {
        assert_eq!(outcome, "deleted", "{context}: {id}");
        // What the report says an earlier attempt did, or recovered, it did.
        if *earlier || note.is_some() {
            assert!(
                deleted_by_killed_run.contains_key(id),
                "{context}: {id} ({outcome}, earlier {earlier}, {note:?}) not deleted by the killed run"
            );
        }
    }
    assert_eq!(report["summary"]["deleted"], case.jobs, "{context}");

    // None deleted twice: one accepted DELETE per id over both runs; an asynchronous
    // deletion the killed run left unresolved may be accepted once more.
    let again = accepted_deletes(&emulator, requests_of_killed_run, case.delete_marker);
    for id in &selection {
        let total = deleted_by_killed_run.get(id).unwrap_or(&0) + again.get(id).unwrap_or(&0);
        let allowed = if case.async_deletion && unresolved_after_kill.contains(id) {
            2
        } else {
            1
        };
        assert!(
            (1..=allowed).contains(&total),
            "{context}: {id} accepted {total} time(s)"
        );
    }
    // The rerun sent no DELETE for an id the killed run finished.
    for (id, what) in &killed_journal {
        if what == "deleted" {
            assert!(!again.contains_key(id), "{context}: {id} deleted again");
        }
    }
}

fn flink_emulator(jobs: u64) -> Emulator {
    let emulator = emulator_with_flink_jobs(1..=jobs);
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 8 }).always());
    emulator
}

fn training_emulator(jobs: u64) -> Emulator {
    let emulator = emulator_deleting_after(400);
    emulator.seed_many((1..=jobs).map(|id| SeedJob::training_job(id).versions([1])));
    emulator
}

#[test]
fn sigkill_at_a_random_moment_then_resume_a_delete_only_kind() {
    let case = Case {
        name: "flink-job",
        jobs: 400,
        emulator: flink_emulator,
        args: &["clean", "flink-job", "--parallelism", "8"],
        delete_marker: "/streaming/jobs/",
        async_deletion: false,
        kill_window: (50, 900),
    };
    for seed in 0..10 {
        kill_and_resume(&case, seed);
    }
}

#[test]
fn sigkill_at_a_random_moment_then_resume_an_asynchronous_kind_with_wait() {
    // ModelArts deletes asynchronously: the job shows status 9 for 400 ms, and the waiter
    // polls it (the first look at once, the next 2 s later) until it is gone.
    let case = Case {
        name: "training-job-v1",
        jobs: 48,
        emulator: training_emulator,
        args: &[
            "clean",
            "training-job-v1",
            "--wait",
            "--max-wait",
            "60s",
            "--parallelism",
            "16",
        ],
        delete_marker: "/training-jobs/",
        async_deletion: true,
        kill_window: (50, 4_000),
    };
    for seed in 0..10 {
        kill_and_resume(&case, seed);
    }
}

/// Sends `signal` to `child` once the emulator has seen `deletes` DELETEs.
fn signal_when(emulator: &Emulator, child: &Child, deletes: usize, signal: &str) {
    wait_for_deletes(emulator, deletes, Duration::from_secs(30));
    support::signal(child, signal);
}

// SIGTERM (a CI job cancelled, `kill`, systemd stopping a unit) is Ctrl-C: no new
// deletion starts, those in flight finish, the report and the journal are written,
// exit 130. (Before, the tool died at once: exit 143, no report, deletions unrecorded.)
#[test]
fn sigterm_finishes_in_flight_deletions_writes_the_report_and_exits_130() {
    let emulator = emulator_with_flink_jobs(1..=60);
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 300 }).always());
    let (journal, report_path) = (temp("sigterm.journal"), temp("sigterm.json"));
    let child = otc_jobs(&emulator)
        .args([
            "delete",
            "flink-job",
            "--yes",
            "--parallelism",
            "4",
            "-o",
            "json",
        ])
        .arg("--journal")
        .arg(&journal)
        .arg("--report")
        .arg(&report_path)
        .args(ids(1..=60))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    signal_when(&emulator, &child, 6, "-TERM");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    let items = report_items(&report);
    assert_eq!(items.len(), 60);
    let remaining = left(&emulator);
    let deleted = accepted_deletes(&emulator, 0, "/streaming/jobs/");
    for (id, (outcome, _, _)) in &items {
        match outcome.as_str() {
            // In flight when the signal came: finished, and reported.
            "deleted" => assert!(!remaining.contains(id) && deleted[id] == 1, "{id}"),
            "skipped" => assert!(remaining.contains(id) && !deleted.contains_key(id), "{id}"),
            other => panic!("{id}: {other}"),
        }
    }
    assert!(
        !remaining.is_empty() && remaining.len() < 60,
        "{remaining:?}"
    );
    // The journal agrees, and leaves nothing unresolved.
    let lines = journal_lines(&journal);
    assert!(unresolved(&lines).is_empty(), "{lines:?}");
    for id in deleted.keys() {
        assert!(lines.contains(&(*id, "deleted".to_owned())), "{id}");
    }
}

// The report cannot be written at the end (`/dev/full`): the outcomes are on stdout and
// in the journal, and the exit code says the run failed.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_for_the_report_keeps_the_outcomes_in_the_journal_and_on_stdout() {
    let emulator = emulator_with_flink_jobs(1..=20);
    let journal = temp("report-full.journal");
    let out = run(otc_jobs(&emulator)
        .args([
            "delete",
            "flink-job",
            "--yes",
            "-o",
            "json",
            "--report",
            "/dev/full",
        ])
        .arg("--journal")
        .arg(&journal)
        .args(ids(1..=20)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write --report /dev/full"),
        "{stderr}"
    );
    assert!(left(&emulator).is_empty());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = report_items(&report);
    assert_eq!(items.len(), 20);
    assert!(items.values().all(|(outcome, _, _)| outcome == "deleted"));
    let outcomes: BTreeSet<u64> = journal_lines(&journal)
        .into_iter()
        .filter(|(_, what)| what == "deleted")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(outcomes, (1..=20).collect());
}

// The journal's disk is full from the start (`/dev/full`): its first write fails, so
// nothing is deleted, and the exit code says so. (Mid-run, see the executor's unit test
// `a_journal_that_fails_mid_run_stops_new_deletions`.)
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_for_the_journal_deletes_nothing() {
    let emulator = emulator_with_flink_jobs(1..=20);
    for command in [
        &["delete", "flink-job", "1", "2", "3"][..],
        &["clean", "flink-job"],
    ] {
        let out = run(otc_jobs(&emulator).args(command).args([
            "--yes",
            "-o",
            "json",
            "--journal",
            "/dev/full",
        ]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains("cannot write --journal /dev/full")
                && stderr.contains("nothing was deleted"),
            "{stderr}"
        );
    }
    assert!(emulator.requests().iter().all(|r| r.method != "DELETE"));
    assert_eq!(left(&emulator).len(), 20);
}

// One run per journal: a second process on the same journal is refused at once, naming
// the first one's pid, and touches nothing.
#[test]
fn a_second_run_on_the_same_journal_is_refused_with_the_first_ones_pid() {
    let emulator = emulator_with_flink_jobs(1..=40);
    emulator.add_fault(Fault::new("DELETE", FLINK_DELETE, FaultAction::Delay { ms: 200 }).always());
    let journal = temp("locked.journal");
    let delete = || {
        let mut command = otc_jobs(&emulator);
        command
            .args([
                "delete",
                "flink-job",
                "--yes",
                "--parallelism",
                "2",
                "-o",
                "json",
            ])
            .arg("--journal")
            .arg(&journal)
            .args(ids(1..=40));
        command
    };
    let first = delete()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_deletes(&emulator, 2, Duration::from_secs(30));
    let started = Instant::now();
    let second = run(&mut delete());
    let refused_in = started.elapsed();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "in use by another otc-jobs run (pid {})",
            first.id()
        )),
        "{stderr}"
    );
    assert!(refused_in < Duration::from_secs(10), "{refused_in:?}");
    assert!(second.stdout.is_empty());
    signal_when(&emulator, &first, 0, "-INT");
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    // One run in the journal, no id deleted twice.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with(r#"{"run":"#)).count(),
        1
    );
    assert!(
        accepted_deletes(&emulator, 0, "/streaming/jobs/")
            .values()
            .all(|n| *n == 1)
    );
}
