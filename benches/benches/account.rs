//! One-shot figures for the whole-account run (issue 20): `otc-jobs clean --kinds K1,…,K5
//! --projects all --yes --parallelism 16` over 3 projects × 5 kinds × N jobs (2,000 by
//! default: 30,000 jobs) on the emulator binary (`otc-jobs-emulator --seed FILE --project
//! NAME=ID …`, a process of its own, as a user would run it), beside a single-kind clean
//! of the same number of jobs (`clean flink-job`, one project) in the same run; each side
//! in a process of its own on a freshly seeded emulator, under `/usr/bin/time -v` when
//! there is one (peak RSS, CPU), printed per round, then the medians.
//! The kinds: flink-job and flink-template (DLI), training-job and visualization-job-v1
//! (ModelArts), job-binary-v1 (MRS).
//!
//! ```sh
//! cargo bench -p otc-jobs-benches --bench account [-- JOBS_PER_PROJECT_KIND]
//! cargo test -p otc-jobs-benches --bench account      # 200 each, a debug build
//! ```
//!
//! `ACCOUNT_BENCH_KINDS=flink-job,…` cleans (and seeds) only these of the five kinds (the
//! account side has then fewer jobs than the single side, and the figures say so).
//!
//! `ACCOUNT_BENCH_ROUNDS=N` runs both sides N times, interleaved, and shows medians (peak
//! RSS: the highest).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otc_jobs_benches::EmulatorProcess;
use otc_jobs_emulator::{DEFAULT_OS_ENV, ProjectJob, SAMPLE_PROJECTS, SeedJob};

const PARALLELISM: &str = "16";
const KINDS: &str = "flink-job,flink-template,training-job,visualization-job-v1,job-binary-v1";

/// What one side took.
struct Side {
    elapsed: Duration,
    cpu: Option<f64>,
    rss_mib: Option<f64>,
}

fn main() {
    let per: u64 = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .find_map(|a| a.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 200 } else { 2_000 });
    let rounds: usize = std::env::var("ACCOUNT_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let kinds = std::env::var("ACCOUNT_BENCH_KINDS").unwrap_or_else(|_| KINDS.to_owned());
    let kinds_n = kinds.split(',').count() as u64;
    let jobs = 3 * kinds_n * per;
    let binary = otc_jobs_benches::otc_jobs_binary();
    println!(
        "otc-jobs whole-account clean: 3 projects × {kinds_n} kinds ({kinds}) × {per} = {jobs} \
         jobs, parallelism {PARALLELISM}, beside a single-kind clean of {jobs} ({binary:?})"
    );
    let emulator_binary = otc_jobs_benches::emulator_binary();
    let seeds = Seeds::new(per, &kinds, jobs);
    let (mut accounts, mut singles) = (Vec::new(), Vec::new());
    let (mut account_lists, mut single_lists) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let emulator = seeds.account(&emulator_binary);
        let mut args = vec!["clean", "--kinds", &kinds, "--projects", "all"];
        args.extend(["--yes", "--parallelism", PARALLELISM]);
        let mut dry = args.clone();
        dry.push("--dry-run");
        account_lists.push(run(&binary, &emulator, &dry, None));
        accounts.push(run(&binary, &emulator, &args, Some(jobs)));
        drop(emulator);

        let emulator = seeds.single(&emulator_binary);
        let args = ["clean", "flink-job", "--yes", "--parallelism", PARALLELISM];
        single_lists.push(run(
            &binary,
            &emulator,
            &[&args[..], &["--dry-run"]].concat(),
            None,
        ));
        singles.push(run(&binary, &emulator, &args, Some(jobs)));
        drop(emulator);
        let (a, s) = (accounts.last().unwrap(), singles.last().unwrap());
        println!(
            "  round {round}: account {:.2} s, peak RSS {}; single {:.2} s, peak RSS {}; \
             account / single throughput {:.2}×",
            a.elapsed.as_secs_f64(),
            mib(a.rss_mib),
            s.elapsed.as_secs_f64(),
            mib(s.rss_mib),
            s.elapsed.as_secs_f64() / a.elapsed.as_secs_f64()
        );
    }
    let (account, single) = (median(accounts), median(singles));
    let (account_list, single_list) = (median(account_lists), median(single_lists));
    if rounds > 1 {
        println!("  medians of {rounds} rounds:");
    }
    let rate = |s: &Side| jobs as f64 / s.elapsed.as_secs_f64();
    for (name, side, what) in [
        ("account", &account, "3 projects × the kinds, list included"),
        ("single", &single, "flink-job in one project, list included"),
        (
            "acct-dry",
            &account_list,
            "the account's lists and plan only (--dry-run)",
        ),
        (
            "sngl-dry",
            &single_list,
            "the single kind's list and plan only (--dry-run)",
        ),
    ] {
        println!(
            "  {name:<8} {:>8.0} jobs/s  ({jobs} in {:.2} s, {what})",
            rate(side),
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
    // The delete part: a clean's time less its dry run's (both start a process and list).
    let deletes =
        |s: &Side, dry: &Side| jobs as f64 / s.elapsed.saturating_sub(dry.elapsed).as_secs_f64();
    println!(
        "  account / single: throughput {:.2}× (goal ≥ 0.8×), delete part (clean less dry run) \
         {:.2}×; peak RSS {} over the rounds (goal ≤ 64 MiB)",
        rate(&account) / rate(&single),
        deletes(&account, &account_list) / deletes(&single, &single_list),
        mib(account.rss_mib)
    );
}

fn mib(rss: Option<f64>) -> String {
    rss.map_or("not measured".to_owned(), |r| format!("{r:.1} MiB"))
}

/// The seed files of both sides, written once (removed when dropped).
struct Seeds {
    dir: PathBuf,
}

impl Seeds {
    /// The account's: the default project (`eu-de`) and the samples' two others, each
    /// with `per` jobs of each of the five kinds that `kinds` names; the single side's:
    /// `jobs` Flink jobs in the default project.
    fn new(per: u64, kinds: &str, jobs: u64) -> Seeds {
        let dir =
            std::env::temp_dir().join(format!("otc-jobs-account-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let projects = std::iter::once(None)
            .chain(SAMPLE_PROJECTS.iter().map(|(_, id)| Some((*id).to_owned())));
        let mut seeded = Vec::new();
        for project in projects {
            for n in 1..=per {
                for job in [
                    SeedJob::flink_job(n),
                    SeedJob::flink_template(n),
                    SeedJob::training_job_v2(format!("00000000-0000-4000-8000-{n:012}")),
                    SeedJob::visualization_job(n),
                    SeedJob::job_binary_v1(format!("binary-{n}")),
                ] {
                    if kinds.split(',').any(|k| k == job.kind()) {
                        seeded.push(match &project {
                            Some(id) => ProjectJob::new(id.clone(), job),
                            None => ProjectJob::default_project(job),
                        });
                    }
                }
            }
        }
        let write = |name: &str, jobs: &[ProjectJob]| {
            let file = std::fs::File::create(dir.join(name)).unwrap();
            serde_json::to_writer(std::io::BufWriter::new(file), jobs).unwrap();
        };
        write("account.json", &seeded);
        let single: Vec<ProjectJob> = (1..=jobs)
            .map(|n| ProjectJob::default_project(SeedJob::flink_job(n)))
            .collect();
        write("single.json", &single);
        Seeds { dir }
    }

    /// The emulator binary serving the three projects, seeded.
    fn account(&self, binary: &Path) -> EmulatorProcess {
        let seed = self.dir.join("account.json");
        let mut args = vec!["--seed".to_owned(), seed.display().to_string()];
        for (name, id) in SAMPLE_PROJECTS {
            args.push("--project".into());
            args.push(format!("{name}={id}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        EmulatorProcess::start(binary, &args)
    }

    /// The emulator binary with the single side's jobs.
    fn single(&self, binary: &Path) -> EmulatorProcess {
        let seed = self.dir.join("single.json").display().to_string();
        EmulatorProcess::start(binary, &["--seed", &seed])
    }
}

impl Drop for Seeds {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the tool with `args` against `emulator`, measured; with `deleted`, checks that the
/// report (stdout) says that many were deleted.
fn run(binary: &Path, emulator: &EmulatorProcess, args: &[&str], deleted: Option<u64>) -> Side {
    let time_v = Path::new("/usr/bin/time").exists();
    let mut command = if time_v {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .env_clear()
        .envs(DEFAULT_OS_ENV)
        .args(["--endpoint", emulator.base_url(), "-o", "json", "-q"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = command.output().expect("run otc-jobs");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    if let Some(jobs) = deleted {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["summary"]["deleted"], jobs, "{}", report["summary"]);
    }
    let field = |name: &str| -> Option<f64> {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name)?.trim().parse().ok())
    };
    Side {
        elapsed,
        cpu: time_v
            .then(|| Some(field("User time (seconds):")? + field("System time (seconds):")?))
            .flatten(),
        rss_mib: time_v
            .then(|| Some(field("Maximum resident set size (kbytes):")? / 1024.0))
            .flatten(),
    }
}

/// The median elapsed time and CPU, the highest peak RSS.
fn median(mut runs: Vec<Side>) -> Side {
    let mid = runs.len() / 2;
    runs.sort_by_key(|r| r.elapsed);
    let mut cpus: Vec<f64> = runs.iter().filter_map(|r| r.cpu).collect();
    cpus.sort_by(f64::total_cmp);
    let rss = runs.iter().filter_map(|r| r.rss_mib).reduce(f64::max);
    Side {
        elapsed: runs[mid].elapsed,
        cpu: cpus.get(cpus.len() / 2).copied(),
        rss_mib: rss,
    }
}
