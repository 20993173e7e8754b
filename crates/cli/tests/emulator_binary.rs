//! The `otc-jobs` binary against the standalone `otc-jobs-emulator --seed-samples` binary (not
//! the embedded emulator): for every kind `otc-jobs kinds -o json` lists, `list`, `delete`
//! (with `--wait` where the kind deletes asynchronously), `clean --older-than 30d` and `wait`,
//! checking each outcome and the emulator's state through its admin API (`/_emulator/jobs`).
//!
//! The emulator binary is built by this test (`cargo build -p otc-jobs-emulator --bin
//! otc-jobs-emulator`, in the profile this test was built in) and found through cargo's own
//! report of the executable it made, so no path is guessed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use otc_jobs_emulator::SeedJob;
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::otc_jobs_at;

/// How long the emulator shows a deleted ModelArts job before it is gone: long enough that
/// a command which does not wait returns before the job is gone, so `--wait` and `wait` are
/// seen to wait.
const DELETE_DELAY_MS: u64 = 2_000;

const DAY_MS: u64 = 86_400_000;

/// The emulator binary, built in this test's profile; cargo says where it put it.
fn emulator_binary() -> PathBuf {
    let cli = Path::new(env!("CARGO_BIN_EXE_otc-jobs"));
    let profile = cli
        .parent()
        .and_then(Path::file_name)
        .and_then(|p| p.to_str())
        .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut build = Command::new(cargo);
    build
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "--message-format=json-render-diagnostics",
        ])
        .args(["-p", "otc-jobs-emulator", "--bin", "otc-jobs-emulator"])
        .stderr(Stdio::inherit());
    // What cargo set for this test (this package's manifest dir, name, ...) is not the
    // build's: build scripts that watch such variables (ring's) would rerun, and rebuild.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_EXE_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
            ]
            .contains(&name.as_ref())
        {
            build.env_remove(name.as_ref());
        }
    }
    match profile {
        "debug" => {}
        "release" => {
            build.arg("--release");
        }
        other => {
            build.args(["--profile", other]);
        }
    }
    let out = build.output().unwrap();
    assert!(out.status.success(), "building the emulator binary failed");
    let executable = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact" && m["target"]["name"] == "otc-jobs-emulator"
        })
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no otc-jobs-emulator executable");
    assert!(executable.is_file(), "{}", executable.display());
    executable
}

/// A running `otc-jobs-emulator --seed-samples`, stopped when dropped.
struct EmulatorProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`, from its first stdout line.
    url: String,
}

impl EmulatorProcess {
    fn start(binary: &Path) -> EmulatorProcess {
        let mut child = Command::new(binary)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--seed-samples",
                "--delete-delay-ms",
            ])
            .arg(DELETE_DELAY_MS.to_string())
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = match first.trim().strip_prefix("listening on ") {
            Some(url) if url.starts_with("http://127.0.0.1:") => url.to_owned(),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("unexpected first line from the emulator: {first:?}");
            }
        };
        EmulatorProcess { child, url }
    }

    /// `GET /_emulator/jobs`: every job it holds, read as seeds.
    fn jobs(&self) -> Vec<SeedJob> {
        let authority = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(authority).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /_emulator/jobs HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        serde_json::from_str(body).unwrap()
    }

    /// The ids of `kind` it holds, as the CLI writes them, with their creation times.
    fn ids_of(&self, kind: &str) -> BTreeMap<String, u64> {
        self.jobs()
            .iter()
            .filter(|job| job.kind() == kind)
            .map(|job| {
                let created = serde_json::to_value(job).unwrap()["create_time"]
                    .as_u64()
                    .unwrap();
                (job.id(), created)
            })
            .collect()
    }

    /// `otc-jobs` pointed at it, with nothing of the caller's environment.
    fn otc_jobs(&self, args: &[&str]) -> Output {
        let output = otc_jobs_at(&self.url).args(args).output().unwrap();
        eprintln!(
            "otc-jobs {}: {}\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// `otc-jobs ARGS -o json`, which must exit 0: its JSON document.
    fn json(&self, args: &[&str]) -> Value {
        let args: Vec<&str> = args.iter().copied().chain(["-o", "json"]).collect();
        let out = self.otc_jobs(&args);
        assert_eq!(out.status.code(), Some(0), "otc-jobs {}", args.join(" "));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// id → outcome of a report, checking its summary counts `outcome` for each of them.
fn outcomes(kind: &str, report: &Value) -> BTreeMap<String, String> {
    assert_eq!(report["kind"], kind, "{report}");
    assert_eq!(report["interrupted"], false, "{kind}: {report}");
    let mut map = BTreeMap::new();
    for item in report["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap().to_owned();
        let outcome = item["outcome"].as_str().unwrap().to_owned();
        assert!(
            map.insert(id, outcome).is_none(),
            "{kind}: an id twice in {report}"
        );
    }
    map
}

fn all(ids: &BTreeSet<String>, outcome: &str) -> BTreeMap<String, String> {
    ids.iter()
        .map(|id| (id.clone(), outcome.to_owned()))
        .collect()
}

/// One kind on a fresh emulator: list, delete the oldest, wait for it, clean what is older
/// than 30 days and wait for that; the emulator holds exactly what should be left after each.
fn exercise(binary: &Path, kind: &str, asynchronous: bool) {
    let emulator = EmulatorProcess::start(binary);
    let seeded = emulator.ids_of(kind);
    assert!(seeded.len() >= 3, "{kind}: samples {seeded:?}");

    // list: every sample of the kind, each once, nothing unreadable.
    let out = emulator.otc_jobs(&["list", kind, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{kind}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{kind}: a warning"
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let listed: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = seeded.keys().cloned().collect();
    assert_eq!((rows.len(), &listed), (seeded.len(), &expected), "{kind}");

    // delete the oldest, waiting where the kind deletes asynchronously: then it is gone.
    let (oldest, _) = seeded.iter().min_by_key(|(_, t)| **t).unwrap();
    let oldest = oldest.clone();
    let mut delete = vec!["delete", kind, oldest.as_str(), "--yes"];
    if asynchronous {
        delete.push("--wait");
    }
    let report = emulator.json(&delete);
    assert_eq!(
        outcomes(kind, &report),
        all(&[oldest.clone()].into(), "deleted"),
        "{kind}: {report}"
    );
    assert_eq!(report["summary"]["deleted"], 1, "{kind}: {report}");
    let mut left = seeded.clone();
    left.remove(&oldest);
    assert_eq!(emulator.ids_of(kind), left, "{kind}: after delete");

    // wait for it: already gone, nothing else touched.
    let report = emulator.json(&["wait", kind, &oldest]);
    assert_eq!(
        outcomes(kind, &report),
        all(&[oldest.clone()].into(), "already_gone"),
        "{kind}: {report}"
    );
    assert_eq!(
        emulator.ids_of(kind),
        left,
        "{kind}: wait deleted something"
    );

    // clean --older-than 30d: the old ones, and only those; the samples leave young and old.
    let cutoff = now_ms() - 30 * DAY_MS;
    let (old, young): (BTreeSet<String>, BTreeSet<String>) =
        left.keys().cloned().partition(|id| left[id] < cutoff);
    assert!(
        !old.is_empty() && !young.is_empty(),
        "{kind}: samples should be both older and younger than 30 days: old {old:?}, young {young:?}"
    );
    let report = emulator.json(&["clean", kind, "--older-than", "30d", "--yes"]);
    assert_eq!(
        outcomes(kind, &report),
        all(&old, "deleted"),
        "{kind}: {report}"
    );
    assert_eq!(report["summary"]["deleted"], old.len(), "{kind}: {report}");
    let holds: BTreeSet<String> = emulator.ids_of(kind).into_keys().collect();
    if asynchronous {
        // Without --wait, clean returns while the service is still deleting.
        let expected: BTreeSet<String> = young.union(&old).cloned().collect();
        assert_eq!(holds, expected, "{kind}: clean waited, or deleted at once");
    } else {
        assert_eq!(holds, young, "{kind}: after clean");
    }

    // wait for what clean deleted: all gone (waited for where still deleting); the young stay.
    let mut wait = vec!["wait", kind];
    wait.extend(old.iter().map(String::as_str));
    let report = emulator.json(&wait);
    assert_eq!(
        outcomes(kind, &report),
        all(&old, "already_gone"),
        "{kind}: {report}"
    );
    let holds: BTreeSet<String> = emulator.ids_of(kind).into_keys().collect();
    assert_eq!(holds, young, "{kind}: after wait");
}

/// One kind whose runs are cancelled (`cancel` among its actions) on a fresh emulator:
/// list; cancel the oldest run not over (cancelled) with one that is over
/// (already_finished); wait for it (over already); clean what is older than 30 days (only
/// the old runs not over are cancelled) and wait for that. No run is ever gone; after each
/// step the emulator holds exactly the statuses that should be.
fn exercise_cancel(binary: &Path, kind: &str) {
    let facts = kind.parse::<otc_jobs_core::kinds::Kind>().unwrap().facts();
    let emulator = EmulatorProcess::start(binary);
    let created = emulator.ids_of(kind);
    let statuses = |emulator: &EmulatorProcess| -> BTreeMap<String, String> {
        emulator
            .jobs()
            .iter()
            .filter(|job| job.kind() == kind)
            .map(|job| {
                let status = serde_json::to_value(job).unwrap()["status"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (job.id(), status)
            })
            .collect()
    };
    let seeded = statuses(&emulator);
    let running = |s: &BTreeMap<String, String>| -> BTreeSet<String> {
        s.iter()
            .filter(|(_, v)| facts.is_unfinished(v))
            .map(|(k, _)| k.clone())
            .collect()
    };

    let rows: Vec<Value> = serde_json::from_value(emulator.json(&["list", kind])).unwrap();
    let listed: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, seeded.keys().cloned().collect(), "{kind}");

    let oldest_running = running(&seeded)
        .into_iter()
        .min_by_key(|id| created[id])
        .unwrap();
    let over = seeded
        .iter()
        .find(|(_, v)| !facts.is_unfinished(v))
        .map(|(k, _)| k.clone())
        .unwrap();
    let report = emulator.json(&["delete", kind, &oldest_running, &over, "--yes", "--wait"]);
    assert_eq!(
        outcomes(kind, &report),
        [
            (oldest_running.clone(), "cancelled".to_owned()),
            (over.clone(), "already_finished".to_owned())
        ]
        .into(),
        "{kind}: {report}"
    );
    let after = statuses(&emulator);
    assert_eq!(after.len(), seeded.len(), "{kind}: a run is gone");
    assert!(
        !facts.is_unfinished(&after[&oldest_running]),
        "{kind}: {after:?}"
    );
    for (id, status) in &after {
        if *id != oldest_running {
            assert_eq!(status, &seeded[id], "{kind}: {id} changed");
        }
    }

    let report = emulator.json(&["wait", kind, &oldest_running]);
    assert_eq!(
        outcomes(kind, &report),
        all(&[oldest_running.clone()].into(), "already_finished"),
        "{kind}: {report}"
    );

    let cutoff = now_ms() - 30 * DAY_MS;
    let (old, young): (BTreeSet<String>, BTreeSet<String>) = running(&after)
        .into_iter()
        .partition(|id| created[id] < cutoff);
    assert!(
        !old.is_empty() && !young.is_empty(),
        "{kind}: runs not over should be both older and younger than 30 days"
    );
    let report = emulator.json(&["clean", kind, "--older-than", "30d", "--yes"]);
    assert_eq!(
        outcomes(kind, &report),
        all(&old, "cancelled"),
        "{kind}: {report}"
    );
    let end = statuses(&emulator);
    assert_eq!(end.len(), seeded.len(), "{kind}: a run is gone");
    for (id, status) in &end {
        if old.contains(id) {
            assert!(!facts.is_unfinished(status), "{kind}: {id} still {status}");
        } else {
            assert_eq!(status, &after[id], "{kind}: {id} changed");
        }
    }
    let mut wait = vec!["wait", kind];
    wait.extend(old.iter().map(String::as_str));
    let report = emulator.json(&wait);
    assert_eq!(
        outcomes(kind, &report),
        all(&old, "already_finished"),
        "{kind}: {report}"
    );
    assert_eq!(running(&statuses(&emulator)), young, "{kind}: after wait");
}

#[test]
fn every_kind_on_the_emulator_binary_lists_deletes_cleans_and_waits() {
    let binary = emulator_binary();

    // The kinds, from the tool itself.
    let kinds = EmulatorProcess::start(&binary).json(&["kinds"]);
    let kinds: Vec<(String, bool, bool)> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_owned(),
                k["asynchronous"].as_bool().unwrap(),
                k["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == "cancel"),
            )
        })
        .collect();
    assert!(!kinds.is_empty());

    // --seed-samples seeds every kind of the tool, and no other job kind.
    let sampled: BTreeSet<&str> = EmulatorProcess::start(&binary)
        .jobs()
        .iter()
        .map(SeedJob::kind)
        .filter(|k| *k != "cluster")
        .collect();
    let known: BTreeSet<&str> = kinds.iter().map(|(k, ..)| k.as_str()).collect();
    assert_eq!(sampled, known, "the samples' kinds and the tool's kinds");

    for (kind, asynchronous, cancels) in &kinds {
        if *cancels {
            exercise_cancel(&binary, kind);
        } else {
            exercise(&binary, kind, *asynchronous);
        }
    }
}
