//! One-shot figures for `otc-jobs clean` (issue 10): N Flink jobs (10,000 by default) on
//! the emulator, cleaned by the binary at parallelism 16: jobs per second, peak RSS and
//! CPU per job (from `/usr/bin/time -v`, when there is one); then the same deletions
//! through the async client alone, for comparison.
//!
//! ```sh
//! cargo build --release -p otc-jobs-cli --bins --examples
//! target/release/examples/clean_bench [JOBS]     # 10,000 by default (1,000 in a debug build)
//! ```
//!
//! The emulator runs in this process; the tool in its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

const PARALLELISM: usize = 16;

fn main() {
    let jobs: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        // A debug build (CI runs every example) measures less.
        .unwrap_or(if cfg!(debug_assertions) {
            1_000
        } else {
            10_000
        });
    let binary = tool();
    println!("otc-jobs clean of {jobs} Flink jobs, parallelism {PARALLELISM} ({binary:?})");

    let emulator = seeded(jobs);
    let time_v = std::path::Path::new("/usr/bin/time").exists();
    let mut command = if time_v {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(&binary);
        c
    } else {
        Command::new(&binary)
    };
    command
        .env_clear()
        .env("OS_ACCESS_KEY", DEFAULT_ACCESS_KEY)
        .env("OS_SECRET_KEY", DEFAULT_SECRET_KEY)
        .env("OS_PROJECT_ID", DEFAULT_PROJECT_ID)
        .env("OS_REGION_NAME", "eu-de")
        .args(["--endpoint", emulator.base_url(), "-o", "json"])
        .args(["clean", "flink-job", "--yes", "--parallelism"])
        .arg(PARALLELISM.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = command.output().expect("run otc-jobs");
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left = emulator.jobs().len();
    assert_eq!(left, 0, "{left} jobs left");
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "  tool:   {:>8.0} jobs/s  ({jobs} in {:.2} s, list included)",
        jobs as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    if time_v {
        let field = |name: &str| -> Option<f64> {
            stderr
                .lines()
                .find_map(|l| l.trim().strip_prefix(name)?.trim().parse().ok())
        };
        let rss_kib = field("Maximum resident set size (kbytes):").unwrap_or(0.0);
        let cpu = field("User time (seconds):").unwrap_or(0.0)
            + field("System time (seconds):").unwrap_or(0.0);
        println!(
            "          peak RSS {:.1} MiB, CPU {:.2} s = {:.0} µs per job",
            rss_kib / 1024.0,
            cpu,
            cpu * 1e6 / jobs as f64
        );
    } else {
        println!("          (no /usr/bin/time: peak RSS and CPU not measured)");
    }
    drop(emulator);

    let emulator = seeded(jobs);
    let elapsed = client_alone(&emulator, jobs);
    assert!(emulator.jobs().is_empty());
    println!(
        "  client: {:>8.0} jobs/s  ({jobs} deletes in {:.2} s, same parallelism, no list)",
        jobs as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}

/// The `otc-jobs` binary beside this example (`target/<profile>/otc-jobs`), built first
/// when missing and run by cargo (`cargo run --example` builds no binaries).
fn tool() -> PathBuf {
    let me = std::env::current_exe().unwrap();
    let dir = me.parent().and_then(|d| d.parent()).unwrap();
    let binary = dir.join("otc-jobs");
    if let (false, Some(cargo)) = (binary.exists(), std::env::var_os("CARGO")) {
        let mut build = Command::new(cargo);
        build.args(["build", "-q", "-p", "otc-jobs-cli", "--bin", "otc-jobs"]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        assert!(build.status().unwrap().success(), "cannot build otc-jobs");
    }
    assert!(
        binary.exists(),
        "{binary:?} missing: cargo build --release -p otc-jobs-cli --bins --examples"
    );
    binary
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

/// The same deletions through `otc-jobs-async` alone, `PARALLELISM` at a time.
fn client_alone(emulator: &Emulator, jobs: u64) -> Duration {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = otc_jobs_async::Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .region("eu-de")
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    runtime.block_on(async move {
        let slots = Arc::new(tokio::sync::Semaphore::new(PARALLELISM));
        let mut tasks = tokio::task::JoinSet::new();
        let started = Instant::now();
        for id in 1..=jobs {
            let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
            let client = client.clone();
            tasks.spawn(async move {
                let _permit = permit;
                client.delete_flink_job(id as i64).await.unwrap();
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        started.elapsed()
    })
}
