//! The bulk fault run (issue 11): many deletions of a mix of kinds, about 5 % of the
//! requests faulted with every ambiguous kind (the deletion done, then the answer closed,
//! cut short, malformed or later than the client's timeout) and with plain 503s and 429s,
//! from the async client at some concurrency and from the blocking client on a few threads.
//!
//! Checked: every id gets exactly one outcome; the emulator's final state is what the
//! outcomes say; no DELETE is sent again after one was answered with success; ids that met
//! fewer faults than the client has attempts do not fail (fewer than 0.1 % may, e.g. on a
//! loaded machine). The figures go to the test log (`--nocapture`).
//!
//! `OTC_BULK_N` (async, default 10 000) and `OTC_BULK_BLOCKING_N` (default 2 000) set the
//! counts (both runs take about 15 s in a debug build on two cores).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use otc_jobs_conformance::ClientSpec;
use otc_jobs_core::{Error, ErrorKind, PathId, RetryPolicy};
use otc_jobs_emulator::{
    Delivery, Emulator, EmulatorConfig, Fault, FaultAction, RecordedRequest, SeedJob,
};

/// The client's attempts per call.
const ATTEMPTS: u32 = 3;
/// The client's per-attempt timeout; the `delay` fault waits longer.
const TIMEOUT: Duration = Duration::from_millis(1_000);

/// One job to delete.
#[derive(Debug, Clone)]
enum Job {
    Flink(u64),
    Training(u64),
    Execution(String),
}

impl Job {
    /// A mix: Flink jobs, training jobs and job executions in turn.
    fn nth(i: usize) -> Job {
        let id = 1_000_000 + i as u64;
        match i % 3 {
            0 => Job::Flink(id),
            1 => Job::Training(id),
            _ => Job::Execution(format!("exec-{id}")),
        }
    }

    fn seed(&self) -> SeedJob {
        match self {
            Job::Flink(id) => SeedJob::flink_job(*id),
            Job::Training(id) => SeedJob::training_job(*id),
            Job::Execution(id) => SeedJob::job_execution(id.clone()),
        }
    }

    /// The last segment of the job's DELETE path: the key of its requests in the log.
    fn key(&self) -> String {
        match self {
            Job::Flink(id) => format!("streaming/jobs/{id}"),
            Job::Training(id) => format!("training-jobs/{id}"),
            Job::Execution(id) => format!("job-executions/{id}"),
        }
    }

    async fn delete_async(&self, client: &otc_jobs_async::Client) -> Result<(), Error> {
        match self {
            Job::Flink(id) => client.delete_flink_job(*id as i64).await.map(drop),
            Job::Training(id) => client.delete_training_job(*id as i64).await.map(drop),
            Job::Execution(id) => client.delete_job_execution(path_id(id)).await.map(drop),
        }
    }

    fn delete_blocking(&self, client: &otc_jobs_blocking::Client) -> Result<(), Error> {
        match self {
            Job::Flink(id) => client.delete_flink_job(*id as i64).map(drop),
            Job::Training(id) => client.delete_training_job(*id as i64).map(drop),
            Job::Execution(id) => client.delete_job_execution(path_id(id)).map(drop),
        }
    }
}

fn path_id(id: &str) -> PathId {
    PathId::new(id).expect("a valid id")
}

/// The key of a recorded DELETE: the last two segments of its path (the kind, the id).
fn key_of(request: &RecordedRequest) -> String {
    let mut segments = request.path.rsplitn(3, '/');
    let id = segments.next().unwrap_or_default();
    let kind = segments.next().unwrap_or_default();
    let kind = if kind == "jobs" {
        "streaming/jobs"
    } else {
        kind
    };
    format!("{kind}/{id}")
}

/// The key of a job that exists, as [`Job::key`].
fn seed_key(job: &SeedJob) -> Option<String> {
    match job {
        SeedJob::FlinkJob { job_id, .. } => Some(format!("streaming/jobs/{job_id}")),
        SeedJob::TrainingJob { job_id, .. } => Some(format!("training-jobs/{job_id}")),
        SeedJob::JobExecution {
            job_execution_id, ..
        } => Some(format!("job-executions/{job_execution_id}")),
        _ => None,
    }
}

fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        // Every request of the run stays in the log.
        max_recorded_requests: 1_000_000,
        worker_threads: 2,
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts")
}

/// The faults: tried in order, each drawing only among the requests the ones before it
/// spared, so about 4.8 % of DELETEs get one.
fn faults(seed: u64) -> Vec<Fault> {
    let delete = |action| Fault::new("DELETE", "*", action).always();
    vec![
        delete(FaultAction::Close {
            after_processing: false,
        })
        .apply_first()
        .probability(0.01, seed),
        delete(FaultAction::TruncatedBody {
            status: 200,
            body: None,
        })
        .apply_first()
        .probability(0.01, seed + 1),
        delete(FaultAction::MalformedJson { status: 200 })
            .apply_first()
            .probability(0.005, seed + 2),
        delete(FaultAction::Delay {
            ms: 2 * TIMEOUT.as_millis() as u64 + 500,
        })
        .apply_first()
        .probability(0.003, seed + 3),
        delete(FaultAction::Close {
            after_processing: false,
        })
        .probability(0.005, seed + 4),
        delete(FaultAction::respond(
            503,
            &[],
            r#"{"error_code":"APIG.0201","error_msg":"unavailable"}"#,
        ))
        .probability(0.01, seed + 5),
        delete(FaultAction::respond(
            429,
            &[("Retry-After", "1")],
            r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#,
        ))
        .probability(0.005, seed + 6),
    ]
}

fn spec() -> ClientSpec {
    ClientSpec {
        timeout: TIMEOUT,
        retry: RetryPolicy {
            max_attempts: ATTEMPTS,
            base: Duration::from_millis(5),
            cap: Duration::from_secs(2),
        },
        ..ClientSpec::default()
    }
}

/// What one call reached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Ok,
    NotFound,
    Failed(String),
}

impl Outcome {
    fn of(result: &Result<(), Error>) -> Outcome {
        match result {
            Ok(()) => Outcome::Ok,
            Err(e) if e.is_not_found() => Outcome::NotFound,
            Err(e) => Outcome::Failed(format!("{} after {} attempts", kind(e), e.attempts())),
        }
    }

    fn means_gone(&self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NotFound)
    }
}

fn kind(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Service(s) => format!("service {}", s.status.as_u16()),
        ErrorKind::Transport(t) => format!("transport {:?}", t.kind),
        ErrorKind::Response(r) => format!("response {:?}", r.kind),
        _ => format!("{e}"),
    }
}

/// Peak resident set size of this process (all tests in it), from `/proc/self/status`.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Waits until the emulator has completed every record (a delayed answer the client gave
/// up on completes when the emulator notices), then returns the log.
fn settled_requests(emulator: &Emulator) -> Vec<RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let requests = emulator.requests();
        let pending = requests
            .iter()
            .filter(|r| r.delivery == Delivery::Pending)
            .count();
        if pending == 0 || Instant::now() > deadline {
            return requests;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Checks the run and prints its figures.
fn check(
    name: &str,
    jobs: &[Job],
    outcomes: Vec<(usize, Outcome)>,
    emulator: &Emulator,
    elapsed: Duration,
) {
    // Every id exactly one outcome.
    assert_eq!(outcomes.len(), jobs.len(), "{name}: one outcome per call");
    let mut by_id: Vec<Option<Outcome>> = vec![None; jobs.len()];
    for (i, outcome) in outcomes {
        assert!(by_id[i].is_none(), "{name}: id {i} has two outcomes");
        by_id[i] = Some(outcome);
    }
    let outcomes: Vec<Outcome> = by_id
        .into_iter()
        .enumerate()
        .map(|(i, o)| o.unwrap_or_else(|| panic!("{name}: id {i} has no outcome")))
        .collect();

    let requests = settled_requests(emulator);
    let pending = requests
        .iter()
        .filter(|r| r.delivery == Delivery::Pending)
        .count();
    assert_eq!(pending, 0, "{name}: records still pending");
    let mut per_key: HashMap<String, Vec<&RecordedRequest>> = HashMap::new();
    for r in requests.iter().filter(|r| r.method == "DELETE") {
        per_key.entry(key_of(r)).or_default().push(r);
    }
    assert_eq!(
        per_key.len(),
        jobs.len(),
        "{name}: DELETEs for exactly the ids"
    );

    let remaining: std::collections::HashSet<String> =
        emulator.jobs().iter().filter_map(seed_key).collect();
    let mut by_outcome: BTreeMap<String, usize> = BTreeMap::new();
    let mut attempts: BTreeMap<usize, usize> = BTreeMap::new();
    let mut handled: BTreeMap<usize, usize> = BTreeMap::new();
    let mut faults: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed_on_few_faults = Vec::new();
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        let log = per_key.get(&job.key()).map(Vec::as_slice).unwrap_or(&[]);
        let gone = !remaining.contains(&job.key());
        let ever_handled = log.iter().any(|r| r.handled);
        // The state is what the outcome says: done or not found → gone; an error → still
        // there, unless an attempt whose answer was lost deleted it (the error then says
        // an earlier attempt's fate is unknown).
        if outcome.means_gone() {
            assert!(
                gone,
                "{name}: {job:?} {outcome:?} but still there: {log:#?}"
            );
        } else {
            assert_eq!(
                gone, ever_handled,
                "{name}: {job:?} {outcome:?}, gone {gone}: {log:#?}"
            );
        }
        // Never sent again once a DELETE was answered with success, whole.
        if let Some(first_success) = log.iter().position(|r| {
            r.handled
                && r.fault.is_none()
                && r.delivery == Delivery::Sent
                && r.status.is_some_and(|s| (200..300).contains(&s))
        }) {
            assert_eq!(
                first_success,
                log.len() - 1,
                "{name}: {job:?} deleted again after a success: {log:#?}"
            );
        }
        // Each call makes at most ATTEMPTS requests.
        assert!(
            (1..=ATTEMPTS as usize).contains(&log.len()),
            "{name}: {job:?}: {log:#?}"
        );
        let faulted = log.iter().filter(|r| r.fault.is_some()).count();
        if !outcome.means_gone() && faulted < ATTEMPTS as usize {
            failed_on_few_faults.push((job.clone(), outcome.clone()));
        }
        for r in log {
            if let Some(kind) = &r.fault {
                // A `respond` fault by its status: 503 or 429.
                let kind = match (kind.as_str(), r.status) {
                    ("respond", Some(status)) => format!("respond {status}"),
                    _ => kind.clone(),
                };
                *faults.entry(kind).or_default() += 1;
            }
        }
        let label = match outcome {
            Outcome::Ok => "ok".to_owned(),
            Outcome::NotFound => "not found".to_owned(),
            Outcome::Failed(how) => format!("error: {how}"),
        };
        *by_outcome.entry(label).or_default() += 1;
        *attempts.entry(log.len()).or_default() += 1;
        *handled
            .entry(log.iter().filter(|r| r.handled).count())
            .or_default() += 1;
    }
    let deletes: usize = per_key.values().map(Vec::len).sum();
    let faulted: usize = faults.values().sum();
    println!("== bulk {name}: {} ids in {elapsed:.2?}", jobs.len());
    println!(
        "   DELETE requests {deletes}, faulted {faulted} ({:.2} %): {faults:?}",
        100.0 * faulted as f64 / deletes as f64
    );
    println!("   outcomes: {by_outcome:?}");
    println!("   requests per id: {attempts:?}");
    println!("   handled DELETEs per id: {handled:?}");
    println!(
        "   failed with fewer than {ATTEMPTS} faults: {}",
        failed_on_few_faults.len()
    );
    println!("   peak RSS of the test process (VmHWM): {}", peak_rss());
    for (job, outcome) in &failed_on_few_faults {
        println!("   - {job:?}: {outcome:?}: {:#?}", per_key.get(&job.key()));
    }
    assert!(
        failed_on_few_faults.len() * 1_000 < jobs.len().max(1_000),
        "{name}: {} of {} ids failed on transient faults",
        failed_on_few_faults.len(),
        jobs.len()
    );
}

fn setup(n: usize, seed: u64) -> (Emulator, Vec<Job>) {
    let emulator = emulator();
    let jobs: Vec<Job> = (0..n).map(Job::nth).collect();
    emulator.seed_many(jobs.iter().map(Job::seed));
    for fault in faults(seed) {
        emulator.add_fault(fault);
    }
    (emulator, jobs)
}

#[test]
fn bulk_deletes_async_under_faults() {
    let n = count("OTC_BULK_N", 10_000);
    let concurrency = 32;
    let (emulator, jobs) = setup(n, 11);
    let client: otc_jobs_async::Client = spec().builder(&emulator).build().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let outcomes = runtime.block_on(async {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (client, jobs, next) = (client.clone(), Arc::clone(&jobs), Arc::clone(&next));
            workers.spawn(async move {
                let mut outcomes = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else {
                        return outcomes;
                    };
                    outcomes.push((i, Outcome::of(&job.delete_async(&client).await)));
                }
            });
        }
        let mut all = Vec::new();
        while let Some(done) = workers.join_next().await {
            all.extend(done.unwrap());
        }
        all
    });
    let elapsed = started.elapsed();
    check(
        &format!("async, {concurrency} at once"),
        &jobs,
        outcomes,
        &emulator,
        elapsed,
    );
}

#[test]
fn bulk_deletes_blocking_under_faults() {
    let n = count("OTC_BULK_BLOCKING_N", 2_000);
    let threads = 4;
    let (emulator, jobs) = setup(n, 12);
    let client: otc_jobs_blocking::Client = spec().builder(&emulator).build().unwrap();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut outcomes = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else {
                            return outcomes;
                        };
                        outcomes.push((i, Outcome::of(&job.delete_blocking(&client))));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    check(
        &format!("blocking, {threads} threads"),
        &jobs,
        outcomes,
        &emulator,
        elapsed,
    );
}
