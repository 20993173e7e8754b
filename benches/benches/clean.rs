//! One-shot figures for `otc-jobs clean` (issue 10): N Flink jobs (10,000 by default) on
//! the emulator, each run on a freshly seeded emulator in this process, each measured
//! side in a process of its own (so peak RSS and CPU, from `/usr/bin/time -v` when there
//! is one, are that side's alone):
//!
//! - `list`: `otc-jobs list flink-job -o json`, the listing every clean starts with;
//! - `tool`: `otc-jobs clean flink-job --yes --parallelism 16 -o json`, list included;
//! - `journal`: the same with `--journal FILE` (synced after each group of intents,
//!   the default); `jrnl-all`: synced after every write (outcomes too,
//!   `--journal-fsync always`); `jrnl-0`: never synced (`--journal-fsync never`);
//! - `client`: the same deletions through otc-jobs-async alone, 16 in flight, no list
//!   (this benchmark's binary run again as `clean client URL N`).
//!
//! Then the ratios: tool over client in throughput and CPU per job, and the tool's
//! delete part (its CPU minus the list's) over the client's; and what one `fsync` per
//! outcome would cost: that many journal lines written and synced one by one, here.
//!
//! ```sh
//! cargo bench -p otc-jobs-benches --bench clean [-- JOBS]   # 10,000 by default
//! cargo test -p otc-jobs-benches --bench clean              # 1,000, a debug build (as CI runs it)
//! ```
//!
//! `CLEAN_BENCH_BEFORE=path/to/an/older/otc-jobs` adds that build's clean, for before/after
//! in one run; `CLEAN_BENCH_ROUNDS=N` runs every side N times, interleaved, and shows
//! medians (peak RSS: the highest).
//!
//! `CLEAN_BENCH_WRAP="strace -c -f -o /tmp/{side}.strace"` runs only the tool's clean
//! (without and with the journal) and the client, each under that command (`{side}`:
//! `tool`, `journal` or `client`) instead of
//! `/usr/bin/time -v`, for syscall counts or a profile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_OS_ENV, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator,
    EmulatorConfig, SeedJob,
};

const PARALLELISM: usize = 16;

/// What one side took.
struct Side {
    elapsed: Duration,
    /// User + system CPU, seconds (when measured).
    cpu: Option<f64>,
    rss_mib: Option<f64>,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        // `cargo bench` passes `--bench`.
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("client") {
        let url = &args[1];
        let jobs = args[2].parse().unwrap();
        client_alone(url, jobs);
        return;
    }
    let jobs: u64 = args
        .first()
        .and_then(|n| n.parse().ok())
        // A debug build (`cargo test --bench`, as CI runs it) measures less.
        .unwrap_or(if cfg!(debug_assertions) {
            1_000
        } else {
            10_000
        });
    let binary = otc_jobs_benches::otc_jobs_binary();
    println!("otc-jobs clean of {jobs} Flink jobs, parallelism {PARALLELISM} ({binary:?})");
    let clean = |emulator: &Emulator| -> Vec<String> {
        let mut args = base_args(emulator);
        args.extend(["clean", "flink-job", "--yes", "--parallelism"].map(String::from));
        args.push(PARALLELISM.to_string());
        args
    };

    if let Ok(wrap) = std::env::var("CLEAN_BENCH_WRAP") {
        let me = std::env::current_exe().unwrap();
        let journal_path = journal_file();
        for side in ["tool", "journal", "client"] {
            let emulator = seeded(jobs);
            let wrap = wrap.replace("{side}", side);
            let mut words = wrap.split_whitespace();
            let mut command = Command::new(words.next().expect("CLEAN_BENCH_WRAP is empty"));
            command.args(words);
            match side {
                "tool" => command.arg(&binary).args(clean(&emulator)),
                "journal" => command
                    .arg(&binary)
                    .args(clean(&emulator))
                    .arg("--journal")
                    .arg(&journal_path),
                _ => command
                    .arg(&me)
                    .arg("client")
                    .arg(emulator.base_url())
                    .arg(jobs.to_string()),
            };
            let run = run(command, false);
            let _ = std::fs::remove_file(&journal_path);
            assert!(emulator.jobs().is_empty());
            println!(
                "  {side} under {wrap:?}: {:.0} jobs/s",
                jobs as f64 / run.elapsed.as_secs_f64()
            );
        }
        return;
    }

    let before = std::env::var_os("CLEAN_BENCH_BEFORE").map(PathBuf::from);
    let rounds: usize = std::env::var("CLEAN_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    // Sides interleaved round by round, so a busy spell hits them alike; medians shown.
    let mut runs: Vec<Vec<Side>> = (0..7).map(|_| Vec::new()).collect();
    for _ in 0..rounds {
        let emulator = seeded(jobs);
        let mut list = base_args(&emulator);
        list.extend(["list", "flink-job"].map(String::from));
        runs[0].push(run(tool_command(&binary, &list), true));
        assert_eq!(emulator.jobs().len() as u64, jobs);
        drop(emulator);

        let emulator = seeded(jobs);
        runs[1].push(run(tool_command(&binary, &clean(&emulator)), true));
        assert!(emulator.jobs().is_empty(), "jobs left");
        drop(emulator);

        for (slot, fsync) in [(2, "intents"), (4, "always"), (5, "never")] {
            let emulator = seeded(jobs);
            let journal_path = journal_file();
            let mut with_journal = clean(&emulator);
            with_journal.push("--journal".into());
            with_journal.push(journal_path.display().to_string());
            with_journal.push(format!("--journal-fsync={fsync}"));
            runs[slot].push(run(tool_command(&binary, &with_journal), true));
            assert!(emulator.jobs().is_empty(), "jobs left");
            drop(emulator);
            let text = std::fs::read_to_string(&journal_path).unwrap();
            std::fs::remove_file(&journal_path).unwrap();
            let count = |what: &str| text.lines().filter(|l| l.contains(what)).count() as u64;
            assert_eq!(count("\"outcome\""), jobs, "one outcome line per job");
            assert_eq!(count("\"intent\""), jobs, "one intent line per job");
        }

        let emulator = seeded(jobs);
        let me = std::env::current_exe().unwrap();
        let mut client = measured(&me);
        client
            .arg("client")
            .arg(emulator.base_url())
            .arg(jobs.to_string());
        runs[3].push(run(client, true));
        assert!(emulator.jobs().is_empty(), "jobs left");
        drop(emulator);

        if let Some(older) = &before {
            let emulator = seeded(jobs);
            runs[6].push(run(tool_command(older, &clean(&emulator)), true));
            assert!(emulator.jobs().is_empty(), "jobs left");
        }
    }
    let mut runs = runs.into_iter().map(median);
    let mut next = || runs.next().flatten().expect("every side ran");
    let (list, tool, journal, client) = (next(), next(), next(), next());
    let (journal_always, journal_never) = (next(), next());
    let before = before.as_ref().map(|_| next());
    if rounds > 1 {
        println!("  medians of {rounds} rounds:");
    }
    print_side("list", &list, jobs, "list only");
    print_side("tool", &tool, jobs, "list included");
    print_side("journal", &journal, jobs, "list included, --journal");
    print_side(
        "jrnl-all",
        &journal_always,
        jobs,
        "--journal, fsync after every write",
    );
    print_side("jrnl-0", &journal_never, jobs, "--journal, never synced");
    print_side("client", &client, jobs, "deletes only, same parallelism");
    // An older build of the tool, for before/after in one run.
    if let Some(before) = &before {
        print_side("before", before, jobs, "CLEAN_BENCH_BEFORE, list included");
    }

    let rate = |s: &Side| jobs as f64 / s.elapsed.as_secs_f64();
    if let Some(before) = &before {
        println!(
            "  tool / before: throughput {:.2}×, CPU per job {:.2}×; before / client: throughput {:.2}×",
            rate(&tool) / rate(before),
            tool.cpu.zip(before.cpu).map_or(f64::NAN, |(t, b)| t / b),
            rate(before) / rate(&client)
        );
    }
    println!(
        "  journal / tool: throughput {:.2}× (synced intents), {:.2}× (every write synced), {:.2}× (never synced)",
        rate(&journal) / rate(&tool),
        rate(&journal_always) / rate(&tool),
        rate(&journal_never) / rate(&tool)
    );
    fsync_per_outcome(if cfg!(debug_assertions) { 200 } else { 1_000 });
    // The delete part: a clean's time less a list's (both start a process and list).
    let deletes = |s: &Side| jobs as f64 / s.elapsed.saturating_sub(list.elapsed).as_secs_f64();
    println!(
        "  tool / client: throughput {:.2}×, with --journal {:.2}×; delete part (clean less list) {:.2}× ({:.2}×)",
        rate(&tool) / rate(&client),
        rate(&journal) / rate(&client),
        deletes(&tool) / rate(&client),
        deletes(&journal) / rate(&client)
    );
    if let (Some(t), Some(j), Some(l), Some(c)) = (tool.cpu, journal.cpu, list.cpu, client.cpu) {
        println!(
            "  tool / client CPU per job: {:.2}× (with --journal {:.2}×); without the list: {:.2}× ({:.2}×)",
            t / c,
            j / c,
            (t - l) / c,
            (j - l) / c
        );
    }
}

/// What an `fsync` per outcome costs on the journal's disk: `lines` journal-sized lines,
/// each written and synced alone (what the tool would do with one sync per outcome).
fn fsync_per_outcome(lines: u32) {
    use std::io::Write;
    let path = journal_file();
    let mut file = std::fs::File::create(&path).unwrap();
    let line = b"{\"id\":\"12345\",\"outcome\":\"deleted\",\"attempts\":1}\n";
    let started = Instant::now();
    for _ in 0..lines {
        file.write_all(line).unwrap();
        file.sync_data().unwrap();
    }
    let each = started.elapsed() / lines;
    std::fs::remove_file(&path).unwrap();
    println!(
        "  one fsync per outcome ({lines} lines, {:?}): {:.2} ms each, so at most {:.0} outcomes/s; \
         10,000 outcomes ≥ {:.1} s",
        path.parent().unwrap(),
        each.as_secs_f64() * 1e3,
        1.0 / each.as_secs_f64(),
        each.as_secs_f64() * 10_000.0
    );
}

/// A journal file of this run's own, not there yet.
fn journal_file() -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("otc-jobs-clean-bench-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// The median elapsed time and CPU of a side's runs (`None` when it did not run).
fn median(mut runs: Vec<Side>) -> Option<Side> {
    if runs.is_empty() {
        return None;
    }
    let mid = runs.len() / 2;
    runs.sort_by_key(|r| r.elapsed);
    let elapsed = runs[mid].elapsed;
    let mut cpus: Vec<f64> = runs.iter().filter_map(|r| r.cpu).collect();
    cpus.sort_by(f64::total_cmp);
    let rss = runs
        .iter()
        .filter_map(|r| r.rss_mib)
        .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))));
    Some(Side {
        elapsed,
        cpu: cpus.get(cpus.len() / 2).copied(),
        rss_mib: rss,
    })
}

/// Global flags for the emulator, with JSON output.
fn base_args(emulator: &Emulator) -> Vec<String> {
    ["--endpoint", emulator.base_url(), "-o", "json"]
        .map(String::from)
        .to_vec()
}

/// `binary` under `/usr/bin/time -v` when there is one.
fn measured(binary: &Path) -> Command {
    if Path::new("/usr/bin/time").exists() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(binary);
        c
    } else {
        Command::new(binary)
    }
}

fn tool_command(binary: &Path, args: &[String]) -> Command {
    let mut command = measured(binary);
    command.args(args);
    command
}

/// Runs `command` with the emulator's credentials; stdout is discarded.
fn run(mut command: Command, time_v: bool) -> Side {
    command
        .env_clear()
        .envs(DEFAULT_OS_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = command.output().expect("run otc-jobs");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let field = |name: &str| -> Option<f64> {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name)?.trim().parse().ok())
    };
    let measured = time_v && Path::new("/usr/bin/time").exists();
    Side {
        elapsed,
        cpu: measured
            .then(|| Some(field("User time (seconds):")? + field("System time (seconds):")?))
            .flatten(),
        rss_mib: measured
            .then(|| Some(field("Maximum resident set size (kbytes):")? / 1024.0))
            .flatten(),
    }
}

fn print_side(name: &str, side: &Side, jobs: u64, what: &str) {
    println!(
        "  {name:<8} {:>8.0} jobs/s  ({jobs} in {:.2} s, {what})",
        jobs as f64 / side.elapsed.as_secs_f64(),
        side.elapsed.as_secs_f64()
    );
    match (side.cpu, side.rss_mib) {
        (Some(cpu), Some(rss)) => println!(
            "           peak RSS {rss:.1} MiB, CPU {cpu:.2} s = {:.1} µs per job",
            cpu * 1e6 / jobs as f64
        ),
        _ => println!("           (no /usr/bin/time: peak RSS and CPU not measured)"),
    }
}

fn seeded(jobs: u64) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig {
        max_recorded_requests: 1_000,
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed_many((1..=jobs).map(SeedJob::flink_job));
    emulator
}

/// The same deletions through `otc-jobs-async` alone, `PARALLELISM` at a time, with the
/// same runtime as the tool (two workers), in this process of its own.
fn client_alone(url: &str, jobs: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = otc_jobs_async::Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(url)
        .build()
        .unwrap();
    runtime.block_on(async move {
        let slots = Arc::new(tokio::sync::Semaphore::new(PARALLELISM));
        let mut tasks = tokio::task::JoinSet::new();
        for id in 1..=jobs {
            let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
            let client = client.clone();
            tasks.spawn(async move {
                let _permit = permit;
                client.delete_flink_job(id as i64).await.unwrap();
            });
            // Finished tasks are joined as they go: 100,000 kept would be the memory measured.
            while let Some(done) = tasks.try_join_next() {
                done.unwrap();
            }
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    });
}
