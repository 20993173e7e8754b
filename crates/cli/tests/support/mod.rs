//! What the command-line tool's end-to-end tests share: the binary configured for an
//! emulator, running it, temporary files, the emulator's state and the tool's reports and
//! journals read back, and a terminal to answer the prompt on. Each test file has
//! `#[allow(dead_code)] mod support;` as it uses only some of these.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use otc_jobs_emulator::{DEFAULT_OS_ENV, Emulator, EmulatorConfig, SeedJob};
use serde_json::Value;

/// The path (`{project}`, `{id}` as `*`) a Flink job's deletion is sent to.
pub(crate) const FLINK_DELETE: &str = "/v1.0/*/streaming/jobs/*";

/// The binary for `emulator` (its credentials, `--endpoint`), no other environment, no stdin.
pub(crate) fn otc_jobs(emulator: &Emulator) -> Command {
    otc_jobs_at(emulator.base_url())
}

/// The binary, configured as [`otc_jobs`] is but with `--endpoint endpoint`.
pub(crate) fn otc_jobs_at(endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otc-jobs"));
    command
        .env_clear()
        .envs(DEFAULT_OS_ENV)
        .args(["--endpoint", endpoint])
        .stdin(Stdio::null());
    command
}

/// Runs `command` to its end, echoing its stderr (shown when a test fails).
pub(crate) fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    eprintln!("stderr: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Runs `command` as [`run`] does, checks it exited 0 and reads its stdout as one JSON value.
#[track_caller]
pub(crate) fn run_json(command: &mut Command) -> Value {
    let output = run(command);
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// [`run_json`], naming `context` (a kind, a case) where `command` did not exit 0.
#[track_caller]
pub(crate) fn run_json_for(context: &str, command: &mut Command) -> Value {
    let output = run(command);
    assert_eq!(output.status.code(), Some(0), "{context}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs `command` as [`run`] does: (output, stdout, stderr), both required to be UTF-8.
pub(crate) fn run_utf8(command: &mut Command) -> (Output, String, String) {
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    eprintln!("stderr: {stderr}");
    (output, stdout, stderr)
}

/// What `output` wrote on stderr, lossily decoded.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh path `name` in this test binary's own temporary directory (made, the file removed).
pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "otc-jobs-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// A temporary file `name` (see [`temp`]) holding `text`.
pub(crate) fn write(name: &str, text: &str) -> PathBuf {
    let path = temp(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The ids of `range` as the tool's arguments.
pub(crate) fn ids(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
    range.map(|n| n.to_string()).collect()
}

/// The ids of `range` as a set of the strings the tool writes.
pub(crate) fn id_set(range: std::ops::RangeInclusive<u64>) -> BTreeSet<String> {
    range.map(|n| n.to_string()).collect()
}

/// An emulator (default configuration) holding the Flink jobs `ids`.
pub(crate) fn emulator_with_flink_jobs(ids: impl IntoIterator<Item = u64>) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_many(ids.into_iter().map(SeedJob::flink_job));
    emulator
}

/// An emulator (default configuration, empty) whose asynchronous deletions take `ms`.
pub(crate) fn emulator_deleting_after(ms: u64) -> Emulator {
    Emulator::start(EmulatorConfig {
        delete_delay: Duration::from_millis(ms),
        ..EmulatorConfig::default()
    })
    .unwrap()
}

/// The ids of the Flink jobs the emulator holds.
pub(crate) fn flink_ids_left(emulator: &Emulator) -> BTreeSet<u64> {
    emulator
        .jobs()
        .into_iter()
        .filter_map(|job| match job {
            SeedJob::FlinkJob { job_id, .. } => Some(job_id),
            _ => None,
        })
        .collect()
}

/// The ids of the jobs of `kind` among `jobs`, as the tool writes them.
pub(crate) fn ids_of(jobs: &[SeedJob], kind: &str) -> BTreeSet<String> {
    jobs.iter()
        .filter(|job| job.kind() == kind)
        .map(SeedJob::id)
        .collect()
}

/// How many DELETEs the emulator has seen (whatever it answered).
pub(crate) fn deletes_sent(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

/// Waits until the emulator has seen `deletes` DELETEs, or `within` has passed.
pub(crate) fn wait_for_deletes(emulator: &Emulator, deletes: usize, within: Duration) {
    let start = Instant::now();
    while deletes_sent(emulator) < deletes && start.elapsed() < within {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `signal` (`-INT`, `-TERM`, …) to `child` with `kill`.
pub(crate) fn signal(child: &Child, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits for an interrupted `child` and checks it exited 130 (its stderr shown if not).
#[track_caller]
pub(crate) fn exits_130(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    out
}

/// A JSON file (a `--report`) read back.
pub(crate) fn read_report(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// id → outcome of a JSON report's items, checking each id appears once.
pub(crate) fn outcomes(report: &Value) -> BTreeMap<u64, String> {
    let mut map = BTreeMap::new();
    for item in report["items"].as_array().unwrap() {
        let id: u64 = item["id"].as_str().unwrap().parse().unwrap();
        let outcome = item["outcome"].as_str().unwrap().to_owned();
        assert!(map.insert(id, outcome).is_none(), "id {id} reported twice");
    }
    map
}

/// A job's id from a request path (`…/streaming/jobs/7`, `…/training-jobs/7`).
pub(crate) fn path_id(path: &str) -> Option<u64> {
    path.rsplit('/').next()?.parse().ok()
}

/// `args` run on a terminal (`script`), `answer` typed after `prompt_up`: (exit code, screen).
pub(crate) fn on_a_terminal(
    emulator: &Emulator,
    args: &str,
    answer: &str,
    prompt_up: Duration,
) -> Option<(i32, String)> {
    use std::io::Write;
    // util-linux `script` makes the terminal: `None` where there is none.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("note: no `script` here to make a terminal; the prompt is not driven");
        return None;
    }
    let mut env: Vec<(String, String)> = DEFAULT_OS_ENV
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    env.push(("PATH".into(), "/usr/bin:/bin".into()));
    env.push(("TERM".into(), "xterm".into()));
    let command = format!(
        "{} --endpoint {} {args}",
        env!("CARGO_BIN_EXE_otc-jobs"),
        emulator.base_url()
    );
    let mut child = Command::new("script")
        .env_clear()
        .envs(env)
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Typed once the prompt is up (the terminal holds it until it is read).
    std::thread::sleep(prompt_up);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("terminal: {text}");
    Some((out.status.code().unwrap_or(-1), text))
}
