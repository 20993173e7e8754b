//! The adaptive rate against the gateway's limit (issue 21): `otc-jobs clean flink-job --yes
//! --parallelism 32` without `--max-rate`, on an emulator that throttles like OTC's API
//! gateway (`RateLimit`: a token bucket per project and service, 429 `APIG.0308`, no
//! `Retry-After`). Two runs:
//!
//! - `steady`: N Flink jobs (10,000 by default) at a limit of L/s (500);
//! - `halved`: the same, the limit halved at a third of the ideal time (10 s by default).
//!
//! Each prints the requests let through and throttled in every second, the rate the tool
//! settled at, the whole time against the ideal (the requests over the limit, less the
//! bucket's first fill), and the share of requests throttled.
//!
//! ```sh
//! cargo bench -p otc-jobs-benches --bench adaptive [-- JOBS [LIMIT]]   # 10,000 at 500/s
//! cargo test -p otc-jobs-benches --bench adaptive    # 300 at 100/s, a debug build (as CI runs it)
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otc_jobs_emulator::{DEFAULT_OS_ENV, Emulator, EmulatorConfig, RateLimit, SeedJob};

const PARALLELISM: u32 = 32;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("JOBS and LIMIT are numbers"))
        .collect();
    // A debug build (`cargo test --bench`, as CI runs it) measures less.
    let (default_jobs, default_limit) = if cfg!(debug_assertions) {
        (300, 100)
    } else {
        (10_000, 500)
    };
    let jobs = args.first().copied().unwrap_or(default_jobs);
    let limit = u32::try_from(args.get(1).copied().unwrap_or(default_limit)).unwrap();
    let binary = otc_jobs_benches::otc_jobs_binary();
    println!(
        "otc-jobs clean of {jobs} Flink jobs, parallelism {PARALLELISM}, no --max-rate, the gateway at {limit}/s ({binary:?})"
    );
    let ideal = jobs as f64 / f64::from(limit);
    let steady = run(&binary, jobs, limit, None);
    report("steady", &steady, limit, None);
    let halve_at = Duration::from_secs_f64(ideal / 2.0);
    let halved = run(&binary, jobs, limit, Some(halve_at));
    report("halved", &halved, limit, Some(halve_at));
}

/// One run: what passed and was throttled in each second, and how long the clean took.
struct Run {
    elapsed: Duration,
    /// (passed, throttled) in each whole second from the start.
    seconds: Vec<(u64, u64)>,
    passed: u64,
    throttled: u64,
    listed_pages: u64,
}

fn run(binary: &PathBuf, jobs: u64, limit: u32, halve_at: Option<Duration>) -> Run {
    let emulator = Emulator::start(EmulatorConfig {
        worker_threads: 1,
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed_many((1..=jobs).map(|n| SeedJob::flink_job(n).name(format!("job-{n}"))));
    emulator
        .set_rate_limit(Some(RateLimit::per_second(limit)))
        .unwrap();
    let start = Instant::now();
    let mut child = Command::new(binary)
        .args(["--endpoint", emulator.base_url(), "-o", "json"])
        .args(["clean", "flink-job", "--yes", "--parallelism"])
        .arg(PARALLELISM.to_string())
        .envs(DEFAULT_OS_ENV)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seconds = Vec::new();
    let mut last = (0, 0);
    let mut halved = false;
    let status = loop {
        std::thread::sleep(Duration::from_millis(20));
        if let Some(at) = halve_at
            && !halved
            && start.elapsed() >= at
        {
            emulator
                .set_rate_limit(Some(RateLimit::per_second(limit / 2)))
                .unwrap();
            halved = true;
        }
        let finished = child.try_wait().unwrap();
        let elapsed = start.elapsed();
        if finished.is_some() || elapsed.as_secs() as usize > seconds.len() {
            let counts = emulator.gateway_counts();
            seconds.push((counts.passed - last.0, counts.throttled - last.1));
            last = (counts.passed, counts.throttled);
        }
        if let Some(status) = finished {
            break status;
        }
    };
    let elapsed = start.elapsed();
    assert!(status.success(), "the clean failed: {status}");
    assert!(emulator.jobs().is_empty(), "jobs left after the clean");
    let counts = emulator.gateway_counts();
    Run {
        elapsed,
        seconds,
        passed: counts.passed,
        throttled: counts.throttled,
        listed_pages: counts.passed - jobs,
    }
}

fn report(name: &str, run: &Run, limit: u32, halve_at: Option<Duration>) {
    println!("\n{name}: second  passed  throttled");
    for (second, (passed, throttled)) in run.seconds.iter().enumerate() {
        let mark = match halve_at {
            Some(at) if second as u64 == at.as_secs() => "  <- limit halved",
            _ => "",
        };
        println!(
            "{name}: {:>6}  {passed:>6}  {throttled:>9}{mark}",
            second + 1
        );
    }
    // The ideal: every request at the limit, after the bucket's first fill (L requests free).
    let requests = run.passed as f64;
    let ideal = match halve_at {
        None => (requests - f64::from(limit)).max(0.0) / f64::from(limit),
        Some(at) => {
            let before = at.as_secs_f64();
            let done_before = f64::from(limit) * (before + 1.0);
            before + (requests - done_before).max(0.0) / f64::from(limit / 2)
        }
    };
    let sent = run.passed + run.throttled;
    println!(
        "{name}: {} requests ({} list pages) in {:.2} s; ideal {ideal:.2} s: {:.3}x; throttled {} of {sent} = {:.2} %",
        run.passed,
        run.listed_pages,
        run.elapsed.as_secs_f64(),
        run.elapsed.as_secs_f64() / ideal.max(1e-9),
        run.throttled,
        100.0 * run.throttled as f64 / sent as f64
    );
    if let Some(at) = halve_at {
        // Seconds after the halving until a whole second passes at most 110 % of the new limit.
        let new = f64::from(limit / 2);
        let settled = run
            .seconds
            .iter()
            .enumerate()
            .skip(at.as_secs() as usize + 1)
            .find(|(_, (passed, _))| (*passed as f64) <= new * 1.1)
            .map(|(second, _)| second as f64 - at.as_secs_f64());
        match settled {
            Some(after) => println!(
                "{name}: at the new limit ({new}/s, within 10 %) {after:.0} s after the halving"
            ),
            None => println!("{name}: never settled at the new limit"),
        }
    }
}
