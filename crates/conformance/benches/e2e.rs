//! End-to-end benchmark on loopback: deletes per second, p50/p99 latency and CPU per call
//! of the async client (concurrency 1, 16, 64) and the blocking client (sequential),
//! beside raw reqwest and raw ureq sending the same pre-signed requests, twice: with the
//! clients' settings (timeouts, no redirects, no proxy) and with their defaults (no
//! timeouts). Where the interop test's virtualenv holds the official Python SDK
//! (`crates/emulator/tests/interop/run.sh` makes it), a row for it too. Then a 10,000-delete
//! run and the peak RSS of the process. Prints tables; not a timed test.
//!
//! Last, the paging row: a 10,000-job list walked through each client's paginator, beside
//! a raw loop of the same HTTP library (CPU per item).
//!
//! `cargo bench -p otc-jobs-conformance --bench e2e` (`E2E_DELETES=N` per row, default 2000;
//! `E2E_RSS_DELETES=N` for the last run, default 10000; `OTC_INTEROP_VENV` for the venv;
//! `E2E_PAGE_ITEMS=N` jobs to list, default 10000, `E2E_PAGE_ROUNDS=N` walks per side,
//! default 5; `E2E_ONLY=paging` for the paging row alone).
//!
//! `E2E_PROFILE=client|raw-signs|raw-same-signs|blocking|ureq-signs` runs `E2E_DELETES`
//! deletes of that side alone (async: `E2E_PROFILE_CONCURRENCY` in flight, default 16; raw
//! reqwest signing each request in its loop, plain or with the clients' settings; the
//! blocking client, or a plain ureq agent signing in its loop, sequential) and stops: under
//! `valgrind --tool=callgrind` (the emulator's child process is not traced), two counts
//! subtracted give the instructions per delete, which unlike seconds do not move from run
//! to run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningTime};
use otc_jobs_core::dli::{DeleteFlinkJob, ListFlinkJobs, ListFlinkJobsResponse};
use otc_jobs_core::{BaseUrl, Endpoints, OperationExt, Region, Target};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
};

/// One batch of calls: each call's latency, the batch's wall time, the failures.
#[derive(Default)]
struct Sample {
    latencies: Vec<Duration>,
    elapsed: Duration,
    /// CPU time of the whole process (client, runtime and emulator) during the batch.
    cpu: Duration,
    failures: usize,
}

impl Sample {
    fn merge(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
        self.cpu += other.cpu;
        self.failures += other.failures;
    }
}

/// CPU time used so far by every thread of this process (the clients; the emulator runs in
/// a child process), from Linux `/proc/self/task/*/schedstat` (0 elsewhere). Unlike wall
/// time it does not depend on how the scheduler places the threads, so it shows what the
/// SDK layer costs even on a noisy machine.
fn process_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

struct Stats {
    per_second: f64,
    cpu_per_call: Duration,
    p50: Duration,
    p99: Duration,
    failures: usize,
}

impl From<Sample> for Stats {
    fn from(mut s: Sample) -> Stats {
        s.latencies.sort();
        let n = s.latencies.len();
        let at = |q: f64| s.latencies[((n as f64 * q) as usize).min(n - 1)];
        Stats {
            per_second: n as f64 / s.elapsed.as_secs_f64(),
            cpu_per_call: s.cpu / n.max(1) as u32,
            p50: at(0.50),
            p99: at(0.99),
            failures: s.failures,
        }
    }
}

/// `n` calls of `f(i)` from `concurrency` tasks.
fn run_async<F, Fut>(
    runtime: &tokio::runtime::Runtime,
    n: usize,
    concurrency: usize,
    f: F,
) -> Sample
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    runtime.block_on(async move {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let cpu = process_cpu();
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (next, f) = (Arc::clone(&next), f.clone());
                tokio::spawn(async move {
                    let (mut latencies, mut failures) = (Vec::new(), 0);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return (latencies, failures);
                        }
                        let t = Instant::now();
                        if !f(i).await {
                            failures += 1;
                        }
                        latencies.push(t.elapsed());
                    }
                })
            })
            .collect();
        let mut sample = Sample::default();
        for task in tasks {
            let (latencies, failures) = task.await.unwrap();
            sample.latencies.extend(latencies);
            sample.failures += failures;
        }
        sample.elapsed = started.elapsed();
        sample.cpu = process_cpu().saturating_sub(cpu);
        sample
    })
}

fn run_blocking(n: usize, mut f: impl FnMut(usize) -> bool) -> Sample {
    let started = Instant::now();
    let cpu = process_cpu();
    let mut sample = Sample::default();
    for i in 0..n {
        let t = Instant::now();
        if !f(i) {
            sample.failures += 1;
        }
        sample.latencies.push(t.elapsed());
    }
    sample.elapsed = started.elapsed();
    sample.cpu = process_cpu().saturating_sub(cpu);
    sample
}

/// How many alternating batches each side of a row runs: on a shared 2-core machine,
/// noise comes in bursts; alternating small batches (and which side goes first) exposes
/// both sides to the same bursts.
const BATCHES: usize = 20;

/// Runs each side in turn, in `BATCHES` rounds of `batch` calls (the side that starts
/// rotates); each batch gets the first id of a freshly seeded block of jobs.
fn compare(
    batch: usize,
    seed: &mut dyn FnMut(usize) -> i64,
    sides: &mut [&mut dyn FnMut(i64, usize) -> Sample],
) -> Vec<Stats> {
    let mut samples: Vec<Sample> = sides.iter().map(|_| Sample::default()).collect();
    for round in 0..BATCHES {
        for k in 0..sides.len() {
            let side = (round + k) % sides.len();
            let first = seed(batch);
            samples[side].merge(sides[side](first, batch));
        }
    }
    samples.into_iter().map(Stats::from).collect()
}

/// Peak resident set size of this process (`VmHWM`), in KiB (Linux; `None` elsewhere).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The official Python SDK deleting `count` jobs from `first` in one loop, if its venv is
/// there; `Err` says why not.
fn python_sdk(base: &str, first: i64, count: usize) -> Result<Sample, String> {
    let venv = std::env::var_os("OTC_INTEROP_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/interop-venv")
        });
    let python = venv.join("bin/python");
    if !python.exists() {
        return Err(format!(
            "no virtualenv at {} (crates/emulator/tests/interop/run.sh makes it)",
            venv.display()
        ));
    }
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(include_str!("e2e_sdk.py"))
        .args([
            base,
            &first.to_string(),
            &count.to_string(),
            DEFAULT_ACCESS_KEY,
            DEFAULT_SECRET_KEY,
            DEFAULT_PROJECT_ID,
        ])
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    let seconds = |v: &serde_json::Value| Duration::from_secs_f64(v.as_f64().unwrap_or(0.0));
    Ok(Sample {
        latencies: report["latencies"]
            .as_array()
            .map(|l| l.iter().map(seconds).collect())
            .unwrap_or_default(),
        elapsed: seconds(&report["elapsed"]),
        cpu: seconds(&report["cpu"]),
        failures: report["failures"].as_u64().unwrap_or(0) as usize,
    })
}

/// Set in the child process that runs the emulator.
const CHILD: &str = "E2E_EMULATOR_CHILD";

/// The emulator, in a child process (this same binary), so that the CPU this process
/// uses is the clients' alone.
struct EmulatorProcess {
    child: std::process::Child,
    base: String,
    admin: ureq::Agent,
}

impl EmulatorProcess {
    fn start() -> EmulatorProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .env(CHILD, "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the emulator process starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        EmulatorProcess {
            child,
            base: line.trim().to_owned(),
            admin: ureq::Agent::new_with_defaults(),
        }
    }

    /// Seeds Flink jobs `first..first + count` through the admin API.
    fn seed(&self, first: i64, count: usize) {
        self.seed_in_queue(first, count, "default");
    }

    /// Seeds Flink jobs `first..first + count` in the queue `queue`.
    fn seed_in_queue(&self, first: i64, count: usize, queue: &str) {
        let jobs: Vec<String> = (first..first + count as i64)
            .map(|id| format!(r#"{{"kind":"flink_job","job_id":{id},"queue_name":"{queue}"}}"#))
            .collect();
        let response = self
            .admin
            .post(format!("{}/_emulator/jobs", self.base))
            .header("Content-Type", "application/json")
            .send(format!("[{}]", jobs.join(",")))
            .unwrap();
        assert!(response.status().is_success());
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take()); // the child stops when its stdin closes
        let _ = self.child.wait();
    }
}

/// The child: serve until the parent closes stdin.
fn run_emulator_child() {
    let emulator = Emulator::start(EmulatorConfig {
        max_recorded_requests: 1000,
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts");
    println!("{}", emulator.base_url());
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
}

fn main() {
    if std::env::var_os(CHILD).is_some() {
        return run_emulator_child();
    }
    // For the raw reqwest clients (otc-jobs-async brings its own TLS configuration).
    #[allow(deprecated)] // ring as in otc-jobs-async (no post-quantum key exchange needed here)
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n: usize = std::env::var("E2E_DELETES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let emulator = EmulatorProcess::start();
    let base = emulator.base.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Every batch deletes its own block of freshly seeded Flink jobs.
    let mut block = 0i64;
    let mut seed = |count: usize| {
        block += 1;
        let first = block * 1_000_000;
        emulator.seed(first, count);
        first
    };
    let endpoints = Endpoints::all_at(Region::EU_DE, BaseUrl::parse(&base).unwrap());
    let credentials = Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY));
    // Raw requests are signed before their batch starts, outside the measured time.
    let presign = |first: i64, count: usize| -> Arc<Vec<http::Request<Vec<u8>>>> {
        let target = Target::new(&endpoints, DEFAULT_PROJECT_ID);
        let now = SigningTime::from_system_time(SystemTime::now());
        Arc::new(
            (0..count as i64)
                .map(|i| {
                    DeleteFlinkJob::new(first + i)
                        .signed_request(&target, &credentials, now, SignatureForm::Access)
                        .unwrap()
                })
                .collect(),
        )
    };

    // Both clients, configured alike.
    fn client<C: otc_jobs_driver::FromConfig>(base: &str) -> C {
        otc_jobs_driver::ClientBuilder::<C>::new()
            .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
            .project_id(DEFAULT_PROJECT_ID)
            .region("eu-de")
            .base_url(base)
            .build()
            .unwrap()
    }
    let async_client: otc_jobs_async::Client = client(&base);
    let blocking_client: otc_jobs_blocking::Client = client(&base);
    // The raw stacks, twice: with the settings the clients use (timeouts, no redirects, no
    // proxy: the ratio is what the SDK layer costs), and as they come (no timeouts: what a
    // user comparing with plain reqwest/ureq sees). Only the proxy is off in both: the
    // requests go to 127.0.0.1.
    let policy = otc_jobs_core::ClientPolicy::default();
    let same_reqwest = reqwest::Client::builder()
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let plain_reqwest = reqwest::Client::builder().no_proxy().build().unwrap();
    let same_ureq: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(policy.connect_timeout))
        .timeout_global(Some(policy.timeout))
        .build()
        .into();
    let plain_ureq = ureq::Agent::new_with_defaults();
    let paging = || {
        paging_row(&Paging {
            runtime: &runtime,
            emulator: &emulator,
            endpoints: &endpoints,
            credentials: &credentials,
            async_client: &async_client,
            blocking_client: &blocking_client,
            http: &same_reqwest,
            agent: &same_ureq,
        })
    };
    if std::env::var("E2E_ONLY").as_deref() == Ok("paging") {
        return paging();
    }

    // Warm up every stack and the emulator.
    let first = seed(n.min(500));
    let _ = run_async(&runtime, n.min(500), 16, {
        let c = async_client.clone();
        move |i| {
            let c = c.clone();
            async move { c.delete_flink_job(first + i as i64).await.is_ok() }
        }
    });

    let batch = (n / BATCHES).max(1);
    let client_async = |concurrency: usize| {
        let async_client = async_client.clone();
        let runtime = &runtime;
        move |first: i64, count: usize| {
            let c = async_client.clone();
            run_async(runtime, count, concurrency, move |i| {
                let c = c.clone();
                async move { c.delete_flink_job(first + i as i64).await.is_ok() }
            })
        }
    };
    let raw_async = |http: &reqwest::Client, concurrency: usize| {
        let http = http.clone();
        let (runtime, presign) = (&runtime, &presign);
        move |first: i64, count: usize| {
            let requests = presign(first, count);
            let http = http.clone();
            run_async(runtime, count, concurrency, move |i| {
                let (http, request) = (http.clone(), requests[i].clone());
                async move {
                    let request = reqwest::Request::try_from(request).unwrap();
                    match http.execute(request).await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    }
                }
            })
        }
    };
    // Raw reqwest signing each request in its loop as the client must: what the SDK layer
    // costs beyond the signature.
    let raw_signing = |http: &reqwest::Client, concurrency: usize| {
        let (http, endpoints, credentials) = (http.clone(), endpoints.clone(), credentials.clone());
        let runtime = &runtime;
        move |first: i64, count: usize| {
            let (http, endpoints, credentials) =
                (http.clone(), endpoints.clone(), credentials.clone());
            run_async(runtime, count, concurrency, move |i| {
                let target = Target::new(&endpoints, DEFAULT_PROJECT_ID);
                let now = SigningTime::from_system_time(SystemTime::now());
                let request = DeleteFlinkJob::new(first + i as i64)
                    .signed_request(&target, &credentials, now, SignatureForm::Access)
                    .unwrap();
                let http = http.clone();
                async move {
                    let request = reqwest::Request::try_from(request).unwrap();
                    match http.execute(request).await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    }
                }
            })
        }
    };
    // One side alone, for an instruction count (`E2E_PROFILE`, see the top).
    if let Ok(side) = std::env::var("E2E_PROFILE") {
        let concurrency = std::env::var("E2E_PROFILE_CONCURRENCY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        let first = seed(n);
        let sample = match side.as_str() {
            "client" => client_async(concurrency)(first, n),
            "raw-signs" => raw_signing(&plain_reqwest, concurrency)(first, n),
            "raw-same-signs" => raw_signing(&same_reqwest, concurrency)(first, n),
            "blocking" => run_blocking(n, |i| {
                blocking_client.delete_flink_job(first + i as i64).is_ok()
            }),
            "ureq-signs" => run_blocking(n, |i| {
                let target = Target::new(&endpoints, DEFAULT_PROJECT_ID);
                let now = SigningTime::from_system_time(SystemTime::now());
                let request = DeleteFlinkJob::new(first + i as i64)
                    .signed_request(&target, &credentials, now, SignatureForm::Access)
                    .unwrap();
                match plain_ureq.run(request) {
                    Ok(r) => r.status().is_success() && r.into_body().read_to_vec().is_ok(),
                    Err(_) => false,
                }
            }),
            other => {
                eprintln!(
                    "E2E_PROFILE={other}? One of: client, raw-signs, raw-same-signs, blocking, \
                     ureq-signs"
                );
                std::process::exit(2);
            }
        };
        assert_eq!(sample.failures, 0, "{side}: failures");
        println!("{side}: {n} deletes");
        return;
    }
    let mut rows: Vec<(String, Vec<Stats>)> = Vec::new();
    // Raw reqwest sending pre-signed requests, then signing each in its loop as the client
    // must, at each concurrency.
    for signs in [false, true] {
        for concurrency in [1usize, 16, 64] {
            let raw = |http| -> Box<dyn FnMut(i64, usize) -> Sample + '_> {
                if signs {
                    Box::new(raw_signing(http, concurrency))
                } else {
                    Box::new(raw_async(http, concurrency))
                }
            };
            let stats = compare(
                batch,
                &mut seed,
                &mut [
                    &mut client_async(concurrency),
                    &mut *raw(&same_reqwest),
                    &mut *raw(&plain_reqwest),
                ],
            );
            let row = if signs {
                format!("async {concurrency}, raw signs")
            } else {
                format!("async, concurrency {concurrency}")
            };
            rows.push((row, stats));
        }
    }
    let raw_blocking = |agent: &ureq::Agent| {
        let agent = agent.clone();
        let presign = &presign;
        move |first: i64, count: usize| {
            let requests = presign(first, count);
            run_blocking(count, |i| match agent.run(requests[i].clone()) {
                Ok(r) => r.status().is_success() && r.into_body().read_to_vec().is_ok(),
                Err(_) => false,
            })
        }
    };
    let stats = compare(
        batch,
        &mut seed,
        &mut [
            &mut |first, count| {
                run_blocking(count, |i| {
                    blocking_client.delete_flink_job(first + i as i64).is_ok()
                })
            },
            &mut raw_blocking(&same_ureq),
            &mut raw_blocking(&plain_ureq),
        ],
    );
    rows.push(("blocking, sequential".to_owned(), stats));

    println!();
    println!(
        "end-to-end deletes on loopback (DLI DeleteFlinkJob; {} per side and row, in {BATCHES} rotating batches)",
        batch * BATCHES
    );
    println!(
        "  same = raw reqwest/ureq with the clients' settings (timeouts, no redirects) sending the same requests, pre-signed \
         (except in the row where raw signs each request too); plain = raw reqwest/ureq with default settings (no timeouts)"
    );
    println!();
    println!(
        "| {:<22} | {:<10} | {:>9} | {:>8} | {:>8} | {:>9} | {:>12} | {:>11} | {:>8} |",
        "row",
        "side",
        "deletes/s",
        "p50",
        "p99",
        "CPU/call",
        "ratio (tput)",
        "ratio (CPU)",
        "failures"
    );
    println!(
        "|{:-<24}|{:-<12}|{:->11}|{:->10}|{:->10}|{:->11}|{:->14}|{:->13}|{:->10}|",
        "", "", "", "", "", "", "", "", ""
    );
    let print = |row: &str, side: &str, s: &Stats, client: &Stats| {
        println!(
            "| {:<22} | {:<10} | {:>9.0} | {:>8.1?} | {:>8.1?} | {:>9.1?} | {:>12.2} | {:>11.2} | {:>8} |",
            row,
            side,
            s.per_second,
            s.p50,
            s.p99,
            s.cpu_per_call,
            client.per_second / s.per_second,
            s.cpu_per_call.as_secs_f64() / client.cpu_per_call.as_secs_f64().max(f64::MIN_POSITIVE),
            s.failures
        );
    };
    for (name, stats) in &rows {
        for (side, s) in ["otc-jobs", "raw same", "raw plain"].iter().zip(stats) {
            print(name, side, s, &stats[0]);
        }
    }
    // The official Python SDK, sequential like the blocking client.
    let first = seed(n);
    match python_sdk(&base, first, n) {
        Ok(sample) => {
            let blocking = &rows[rows.len() - 1].1[0];
            print(
                "python SDK, sequential",
                "huaweicloud",
                &Stats::from(sample),
                blocking,
            );
        }
        Err(why) => println!("(no Python SDK row: {})", why.lines().next().unwrap_or("")),
    }
    println!();
    println!(
        "ratio (tput) = otc-jobs deletes/s / this side's deletes/s; ratio (CPU) = this side's CPU/call / otc-jobs CPU/call \
         (CPU of the client process per delete; the emulator runs in a child process: the SDK's own \
         cost, independent of thread placement). For the Python row, otc-jobs is the blocking client."
    );

    // Many deletes through one client: what the process holds at its peak.
    let total: usize = std::env::var("E2E_RSS_DELETES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let first = seed(total);
    let sample = client_async(64)(first, total);
    println!();
    println!(
        "{total} deletes, async client, 64 in flight: {:.0}/s, {} failures; peak RSS of the process (VmHWM): {}",
        total as f64 / sample.elapsed.as_secs_f64(),
        sample.failures,
        peak_rss_kib().map_or("unknown".to_owned(), |k| format!(
            "{:.1} MiB",
            k as f64 / 1024.0
        ))
    );
    paging();
}

/// What the paging row uses of `main`'s setup.
struct Paging<'a> {
    runtime: &'a tokio::runtime::Runtime,
    emulator: &'a EmulatorProcess,
    endpoints: &'a Endpoints,
    credentials: &'a Credentials,
    async_client: &'a otc_jobs_async::Client,
    blocking_client: &'a otc_jobs_blocking::Client,
    /// reqwest with the clients' settings.
    http: &'a reqwest::Client,
    /// ureq with the clients' settings.
    agent: &'a ureq::Agent,
}

/// The jobs of the paging row live in a queue of their own, so the delete rows' leftovers
/// do not count.
const PAGING_QUEUE: &str = "paging";

/// A raw walk: page request `k` from `page(k)` (a pre-signed copy, or signed there and
/// then), each answer parsed into the same generated type the client parses into, until the
/// items reach the reported total.
async fn raw_reqwest_walk(
    http: &reqwest::Client,
    pages: usize,
    page: impl Fn(usize) -> http::Request<Vec<u8>>,
) -> usize {
    let mut seen = 0;
    for k in 0..pages {
        let request = reqwest::Request::try_from(page(k)).unwrap();
        let body = http.execute(request).await.unwrap().bytes().await.unwrap();
        if raw_page(&body, &mut seen) {
            break;
        }
    }
    seen
}

fn raw_ureq_walk(
    agent: &ureq::Agent,
    pages: usize,
    page: impl Fn(usize) -> http::Request<Vec<u8>>,
) -> usize {
    let mut seen = 0;
    for k in 0..pages {
        let body = agent
            .run(page(k))
            .unwrap()
            .into_body()
            .read_to_vec()
            .unwrap();
        if raw_page(&body, &mut seen) {
            break;
        }
    }
    seen
}

/// Counts a page's items; whether the walk is over.
fn raw_page(body: &[u8], seen: &mut usize) -> bool {
    let page: ListFlinkJobsResponse = serde_json::from_slice(body).unwrap();
    let list = page.job_list.unwrap_or_default();
    let jobs = list.jobs.unwrap_or_default();
    *seen += jobs.len();
    jobs.is_empty() || *seen >= list.total_count.unwrap_or(0) as usize
}

/// The paging row: every item of a list of `E2E_PAGE_ITEMS` Flink jobs (DLI offset/limit,
/// 100 a page) through each client's paginator, beside raw loops of the same library
/// sending the same page requests, pre-signed before the walk or signed in the loop; sides
/// alternate, `E2E_PAGE_ROUNDS` walks each. CPU per item is the client process's.
fn paging_row(p: &Paging<'_>) {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (items, rounds) = (env("E2E_PAGE_ITEMS", 10_000), env("E2E_PAGE_ROUNDS", 5));
    p.emulator.seed_in_queue(2_000_000_000, items, PAGING_QUEUE);
    let request = ListFlinkJobs::new().queue_name(PAGING_QUEUE).limit(100);
    let pages = items.div_ceil(100).max(1);
    let target = Target::new(p.endpoints, DEFAULT_PROJECT_ID);
    let sign = |k: usize, now: SigningTime| {
        request
            .clone()
            .offset(i64::try_from(k * 100).unwrap())
            .signed_request(&target, p.credentials, now, SignatureForm::Access)
            .unwrap()
    };
    let signed_now = |k: usize| sign(k, SigningTime::from_system_time(SystemTime::now()));
    let presign = || -> Vec<http::Request<Vec<u8>>> {
        let now = SigningTime::from_system_time(SystemTime::now());
        (0..pages).map(|k| sign(k, now)).collect()
    };
    const SIDES: [&str; 6] = [
        "otc-jobs-async paginate",
        "raw reqwest, pre-signed",
        "raw reqwest, signs in loop",
        "otc-jobs-blocking paginate",
        "raw ureq, pre-signed",
        "raw ureq, signs in loop",
    ];
    // The pre-signed sides get their page requests signed before the walk (`signed`).
    let walk = |side: usize, signed: &[http::Request<Vec<u8>>]| -> usize {
        let presigned = |k: usize| signed[k].clone();
        match side {
            0 => p.runtime.block_on(async {
                use futures_util::TryStreamExt;
                p.async_client
                    .paginate(request.clone())
                    .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                    .await
                    .unwrap()
            }),
            1 => p
                .runtime
                .block_on(raw_reqwest_walk(p.http, pages, presigned)),
            2 => p
                .runtime
                .block_on(raw_reqwest_walk(p.http, pages, signed_now)),
            3 => p
                .blocking_client
                .paginate(request.clone())
                .try_fold(0usize, |n, item| item.map(|_| n + 1))
                .unwrap(),
            4 => raw_ureq_walk(p.agent, pages, presigned),
            _ => raw_ureq_walk(p.agent, pages, signed_now),
        }
    };
    // Warm up every side once.
    for side in 0..SIDES.len() {
        assert_eq!(walk(side, &presign()), items);
    }
    let mut cpu = [Duration::ZERO; SIDES.len()];
    let mut wall = [Duration::ZERO; SIDES.len()];
    for round in 0..rounds {
        for k in 0..SIDES.len() {
            let side = (round + k) % SIDES.len();
            let signed = if side == 1 || side == 4 {
                presign()
            } else {
                Vec::new()
            };
            let started = (process_cpu(), Instant::now());
            let seen = walk(side, &signed);
            cpu[side] += process_cpu().saturating_sub(started.0);
            wall[side] += started.1.elapsed();
            assert_eq!(seen, items, "{} saw {seen} of {items} items", SIDES[side]);
        }
    }
    let total = (items * rounds.max(1)) as f64;
    let per_item = |d: Duration| d.as_secs_f64() * 1e6 / total;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE);
    println!();
    println!(
        "paging: {items} Flink jobs (DLI offset/limit, 100 a page, {pages} pages), {rounds} walks per side in rotating order"
    );
    println!(
        "  raw = the same HTTP library with the clients' settings sending the same page requests, pre-signed before \
         the walk (signing not measured) or signed in the loop; each page parsed into the same generated type"
    );
    println!();
    println!(
        "| {:<28} | {:>9} | {:>10} | {:>16} | {:>15} |",
        "side", "items/s", "CPU/item", "ratio pre-signed", "ratio signing"
    );
    println!(
        "|{:-<30}|{:->11}|{:->12}|{:->18}|{:->17}|",
        "", "", "", "", ""
    );
    for (side, name) in SIDES.iter().enumerate() {
        // Each side against the raw sides of its library (the client row's base is 0 or 3).
        let base = if side < 3 { 0 } else { 3 };
        println!(
            "| {:<28} | {:>9.0} | {:>7.2} µs | {:>16.2} | {:>15.2} |",
            name,
            total / wall[side].as_secs_f64(),
            per_item(cpu[side]),
            ratio(cpu[side], cpu[base + 1]),
            ratio(cpu[side], cpu[base + 2]),
        );
    }
    println!();
    println!(
        "ratio = this side's CPU/item / the raw loop's of the same library, pre-signed or signing \
         (goal for the clients: <= 1.1)"
    );
}
