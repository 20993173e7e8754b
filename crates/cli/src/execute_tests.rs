//! The executor against an in-memory backend, on tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::report::Stop;

use super::*;
use crate::journal::{Fsync, Selection, Sink};
use otc_jobs_core::kinds::{Filters, Kind, RowSink};
use otc_jobs_core::{Described, Service, ServiceError};

/// The selection the journals of these tests record.
fn selection() -> Selection {
    Selection::new("delete", Kind::FlinkJob)
}

/// Flink jobs in memory; scripted errors per id come before the real answer.
#[derive(Default)]
struct Fake {
    jobs: Mutex<HashSet<i64>>,
    errors: Mutex<HashMap<i64, VecDeque<Scripted>>>,
    /// How waiting for an id ends (default: gone); a timeout takes the whole wait.
    waits: Mutex<HashMap<i64, WaitOutcome>>,
    batch_answer: Mutex<Option<Result<Vec<BatchEntry>, Scripted>>>,
    /// (id, when) of every delete request.
    requests: Mutex<Vec<(i64, Instant)>>,
    /// Successful deletions per id.
    deleted: Mutex<HashMap<i64, u32>>,
    /// Ids looked at through `wait_gone`.
    probes: Mutex<Vec<i64>>,
    /// Ids looked at through `describe`.
    described: Mutex<Vec<i64>>,
    /// The journal's lines so far: each delete checks its intent is there.
    journal: Option<Lines>,
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Fake {
    fn with_jobs(ids: impl IntoIterator<Item = i64>, delay: Duration) -> Fake {
        Fake {
            jobs: Mutex::new(ids.into_iter().collect()),
            delay,
            ..Fake::default()
        }
    }

    fn script(&self, id: i64, errors: impl IntoIterator<Item = Scripted>) {
        self.errors
            .lock()
            .unwrap()
            .entry(id)
            .or_default()
            .extend(errors);
    }

    fn deleted_counts(&self) -> HashMap<i64, u32> {
        self.deleted.lock().unwrap().clone()
    }
}

/// Journal lines in memory; every write from number `fail_from` on fails (the header is
/// write 0), as a full disk would.
#[derive(Clone, Default)]
struct Lines {
    bytes: Arc<Mutex<Vec<u8>>>,
    writes: Arc<AtomicUsize>,
    fail_from: Option<usize>,
}

impl Lines {
    fn failing_from(write: usize) -> Lines {
        Lines {
            fail_from: Some(write),
            ..Lines::default()
        }
    }

    fn text(&self) -> String {
        String::from_utf8(self.bytes.lock().unwrap().clone()).unwrap()
    }

    fn has_intent(&self, id: i64) -> bool {
        let text = self.text();
        text.contains(&format!(r#"{{"intent":"delete","id":"{id}"}}"#))
            || text.contains(&format!(r#"{{"intent":"batch_delete","id":"{id}"}}"#))
    }

    fn count(&self, what: &str) -> usize {
        self.text().lines().filter(|l| l.contains(what)).count()
    }
}

impl Sink for Lines {
    fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst);
        if self.fail_from.is_some_and(|from| n >= from) {
            return Err(std::io::Error::other("No space left on device"));
        }
        self.bytes.lock().unwrap().extend_from_slice(bytes);
        Ok(())
    }

    fn sync(&self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A DLI answer the fake gives instead of the real one: it becomes a real [`Error`] (the
/// SDK's own parsing of the answer), so the executor reads it as it reads the services'.
#[derive(Debug, Clone)]
struct Scripted {
    status: u16,
    code: String,
    message: String,
    retry_after: Option<u64>,
    attempts: u32,
    earlier_attempt_unknown: bool,
}

impl Scripted {
    fn answer(status: u16, code: &str, message: &str) -> Scripted {
        Scripted {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
            retry_after: None,
            attempts: 1,
            earlier_attempt_unknown: false,
        }
    }

    fn attempts(self, attempts: u32) -> Scripted {
        Scripted { attempts, ..self }
    }

    fn after_a_lost_answer(self) -> Scripted {
        Scripted {
            earlier_attempt_unknown: true,
            ..self
        }
    }

    fn error(&self) -> Error {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-request-id", http::HeaderValue::from_static("req-1"));
        if let Some(secs) = self.retry_after {
            headers.insert("retry-after", http::HeaderValue::from(secs));
        }
        let body = serde_json::json!({"error_code": self.code, "error_msg": self.message});
        let status = http::StatusCode::from_u16(self.status).unwrap();
        Error::from(ServiceError::from_answer(
            Service::Dli,
            status,
            &headers,
            body.to_string().as_bytes(),
        ))
        .with_attempts(self.attempts)
        .with_earlier_attempt_unknown(self.earlier_attempt_unknown)
    }
}

/// The service refuses (its own code `DLI.E<status>`, message `status <status>`).
fn fatal(status: u16) -> Scripted {
    Scripted::answer(
        status,
        &format!("DLI.E{status}"),
        &format!("status {status}"),
    )
}

/// DLI's documented "no such job" (`DLI.0002`, HTTP 400).
fn not_found() -> Scripted {
    Scripted::answer(400, "DLI.0002", "status 400")
}

/// The gateway's 429 with `Retry-After: secs`.
fn throttled(secs: u64) -> Scripted {
    Scripted {
        retry_after: Some(secs),
        ..Scripted::answer(429, "APIG.0308", "status 429")
    }
}

fn gone() -> WaitOutcome {
    WaitOutcome::Gone {
        polls: 1,
        elapsed: Duration::ZERO,
    }
}

fn timed_out(status: &str) -> WaitOutcome {
    WaitOutcome::TimedOut {
        last_status: Some(status.into()),
        polls: 1,
        elapsed: Duration::ZERO,
    }
}

fn number(id: &KindId) -> i64 {
    match id {
        KindId::FlinkJob(n) => *n,
        other => panic!("not a flink id: {other}"),
    }
}

impl Backend for Fake {
    async fn list(&self, _: &Filters, _: &mut dyn RowSink) -> Result<(), Error> {
        Ok(())
    }

    async fn delete(&self, id: &KindId) -> Result<otc_jobs_async::Deleted, Error> {
        let id = number(id);
        if let Some(lines) = &self.journal {
            assert!(
                lines.has_intent(id),
                "delete of {id} sent before its intent was journalled"
            );
        }
        self.requests.lock().unwrap().push((id, Instant::now()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(e) = self
            .errors
            .lock()
            .unwrap()
            .get_mut(&id)
            .and_then(VecDeque::pop_front)
        {
            return Err(e.error());
        }
        if self.jobs.lock().unwrap().remove(&id) {
            *self.deleted.lock().unwrap().entry(id).or_default() += 1;
            Ok(otc_jobs_async::Deleted::default())
        } else {
            Err(not_found().error())
        }
    }

    async fn wait_gone(
        &self,
        id: &KindId,
        max_wait: Duration,
        _: Duration,
    ) -> Result<WaitOutcome, Error> {
        let id = number(id);
        self.probes.lock().unwrap().push(id);
        let present = self.jobs.lock().unwrap().contains(&id);
        let waited = self
            .waits
            .lock()
            .unwrap()
            .get(&id)
            .cloned()
            .unwrap_or(if present {
                WaitOutcome::StillPresent {
                    status: Some("job_running".into()),
                }
            } else {
                gone()
            });
        if matches!(waited, WaitOutcome::TimedOut { .. }) {
            tokio::time::sleep(max_wait).await;
        }
        Ok(waited)
    }

    async fn describe(&self, id: &KindId) -> Result<Option<Described>, Error> {
        let n = number(id);
        self.described.lock().unwrap().push(n);
        Ok(Some(if self.jobs.lock().unwrap().contains(&n) {
            Described::Present {
                name: Some(format!("job-{n}")),
                status: Some("job_running".into()),
            }
        } else {
            Described::Gone
        }))
    }

    async fn batch_delete(&self, batch: &KindBatch) -> Result<Vec<BatchEntry>, Error> {
        let KindBatch::FlinkJob(numbers) = batch;
        let ids: Vec<KindId> = numbers.iter().map(|n| KindId::FlinkJob(*n)).collect();
        if let Some(lines) = &self.journal {
            for id in &ids {
                assert!(
                    lines.has_intent(number(id)),
                    "batch of {id} before its intent"
                );
            }
        }
        let answer = self.batch_answer.lock().unwrap().clone();
        match answer {
            None => Err(fatal(500).error()),
            Some(Err(e)) => Err(e.error()),
            Some(Ok(entries)) => {
                // The batch deletes the ids whose entry says success (order unknown to the caller).
                for (id, entry) in ids.iter().zip(&entries) {
                    if entry.is_success && self.jobs.lock().unwrap().remove(&number(id)) {
                        *self.deleted.lock().unwrap().entry(number(id)).or_default() += 1;
                    }
                }
                Ok(entries)
            }
        }
    }
}

fn plan(ids: impl IntoIterator<Item = i64>) -> Plan {
    Plan::new(
        Kind::FlinkJob,
        ids.into_iter()
            .map(|n| (KindId::FlinkJob(n), None))
            .collect(),
        &HashSet::new(),
        &HashMap::new(),
    )
}

async fn run(fake: &Arc<Fake>, plan: &Plan, settings: Settings) -> Report {
    execute(
        Arc::clone(fake),
        plan,
        settings,
        None,
        Cancel::default(),
        crate::progress::Progress::hidden(),
    )
    .await
}

/// A rerun over `ids` with the journal at `path`: its plan skips what the journal holds.
/// The plan, how many ids the journal held, and the report.
async fn resume(
    fake: &Arc<Fake>,
    path: &std::path::Path,
    ids: impl IntoIterator<Item = i64>,
    settings: Settings,
) -> (Plan, usize, Report) {
    let journal = Journal::open(path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    let finished = journal.earlier().finished();
    let plan = Plan::new(
        Kind::FlinkJob,
        ids.into_iter()
            .map(|n| (KindId::FlinkJob(n), None))
            .collect(),
        &HashSet::new(),
        &finished,
    );
    let report = execute(
        Arc::clone(fake),
        &plan,
        settings,
        Some(Arc::new(journal)),
        Cancel::default(),
        crate::progress::Progress::hidden(),
    )
    .await;
    (plan, finished.len(), report)
}

fn outcomes(report: &Report) -> Vec<(String, &'static str)> {
    report
        .items
        .iter()
        .map(|i| (i.id.to_string(), i.outcome.name()))
        .collect()
}

/// Every planned id appears exactly once, in plan order.
fn assert_exactly_once(plan: &Plan, report: &Report) {
    let planned: Vec<_> = plan.items.iter().map(|i| i.id.clone()).collect();
    let reported: Vec<_> = report.items.iter().map(|i| i.id.clone()).collect();
    assert_eq!(planned, reported);
}

#[tokio::test(start_paused = true)]
async fn never_more_than_parallelism_in_flight() {
    let fake = Arc::new(Fake::with_jobs(1..=50, Duration::from_millis(100)));
    let plan = plan(1..=50);
    let settings = Settings {
        parallelism: 4,
        ..Settings::default()
    };
    let report = run(&fake, &plan, settings).await;
    assert_exactly_once(&plan, &report);
    assert_eq!(report.summary.deleted, 50);
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 4);
    assert!(fake.deleted_counts().values().all(|n| *n == 1));
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test(start_paused = true)]
async fn given_ids_are_looked_at_first_for_their_names_and_a_missing_one_is_not_deleted() {
    let fake = Arc::new(Fake::with_jobs([1, 2], Duration::ZERO));
    let given = plan([1, 2, 3]);
    let settings = Settings {
        describe: true,
        ..Settings::default()
    };
    let report = run(&fake, &given, settings).await;
    assert_exactly_once(&given, &report);
    let shown: Vec<(Option<&str>, &str)> = report
        .items
        .iter()
        .map(|i| (i.name.as_deref(), i.outcome.name()))
        .collect();
    assert_eq!(
        shown,
        [
            (Some("job-1"), "deleted"),
            (Some("job-2"), "deleted"),
            (None, "already_gone"),
        ]
    );
    assert_eq!(
        report.items[2].outcome,
        Outcome::AlreadyGone {
            attempts: 0,
            note: Some(GONE_AT_FIRST_LOOK.to_owned())
        }
    );
    // One look per id; no delete for the one its details said was gone.
    let mut described = fake.described.lock().unwrap().clone();
    described.sort_unstable();
    assert_eq!(described, [1, 2, 3]);
    let mut deletes: Vec<i64> = fake
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(id, _)| *id)
        .collect();
    deletes.sort_unstable();
    assert_eq!(deletes, [1, 2]);
    // Listed ids (names known) are not looked at.
    let fake = Arc::new(Fake::with_jobs([4], Duration::ZERO));
    let report = run(&fake, &plan([4]), Settings::default()).await;
    assert_eq!(report.summary.deleted, 1);
    assert!(fake.described.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn max_rate_spaces_requests_for_the_whole_run() {
    let fake = Arc::new(Fake::with_jobs(1..=21, Duration::ZERO));
    let plan = plan(1..=21);
    let start = Instant::now();
    let settings = Settings {
        parallelism: 16,
        max_rate: Some(10.0),
        ..Settings::default()
    };
    let report = run(&fake, &plan, settings).await;
    assert_eq!(report.summary.deleted, 21);
    // 21 requests at 10/s: the last starts 2 s after the first.
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_task_not_just_its_own() {
    let fake = Arc::new(Fake::with_jobs(1..=40, Duration::from_millis(10)));
    fake.script(3, [throttled(5)]);
    let plan = plan(1..=40);
    let settings = Settings {
        parallelism: 8,
        ..Settings::default()
    };
    let report = run(&fake, &plan, settings).await;
    assert_exactly_once(&plan, &report);
    assert_eq!(report.summary.deleted, 40);
    let requests = fake.requests.lock().unwrap().clone();
    let first = requests[0].1;
    let throttled_at =
        requests.iter().find(|(id, _)| *id == 3).unwrap().1 + Duration::from_millis(10);
    // Nothing starts during the 5 s pause; afterwards the run goes slower than before.
    let during: Vec<_> = requests
        .iter()
        .filter(|(_, t)| *t > throttled_at && *t < throttled_at + Duration::from_secs(5))
        .collect();
    assert!(during.is_empty(), "requests during the pause: {during:?}");
    assert!(throttled_at - first < Duration::from_secs(1));
    let retried = report
        .items
        .iter()
        .find(|i| i.id == KindId::FlinkJob(3))
        .unwrap();
    assert_eq!(
        retried.outcome,
        Outcome::Deleted {
            attempts: 2,
            note: None
        }
    );
}

#[tokio::test(start_paused = true)]
async fn reports_what_the_sdk_ends_with_and_retries_only_throttling() {
    let fake = Arc::new(Fake::with_jobs([1, 2, 3, 5], Duration::ZERO));
    let throttled = || throttled(1);
    fake.script(1, [throttled(), throttled()]);
    // The SDK retried the 503 four times: final, not retried again here.
    fake.script(2, [fatal(503).attempts(4)]);
    fake.script(3, [fatal(403)]);
    // An attempt timed out, the SDK's retry found the job gone: our first attempt may
    // have deleted it.
    fake.script(5, [not_found().attempts(2).after_a_lost_answer()]);
    let plan = plan([1, 2, 3, 4, 5]);
    let report = run(&fake, &plan, Settings::default()).await;
    assert_eq!(
        report.items[0].outcome,
        Outcome::Deleted {
            attempts: 3,
            note: None
        }
    );
    assert_eq!(
        report.items[1].outcome,
        Outcome::Failed {
            answer: Answer {
                status: Some(503),
                code: Some("DLI.E503".into()),
                message: "status 503".into(),
                request_id: Some("req-1".into()),
            },
            attempts: 4,
        }
    );
    assert!(matches!(
        report.items[2].outcome,
        Outcome::Failed {
            attempts: 1,
            answer: Answer {
                status: Some(403),
                ..
            },
        }
    ));
    assert_eq!(
        report.items[3].outcome,
        Outcome::AlreadyGone {
            attempts: 1,
            note: None
        }
    );
    assert_eq!(
        report.items[4].outcome,
        Outcome::AlreadyGone {
            attempts: 2,
            note: Some(LOST_ANSWER.into())
        }
    );
    // 503 and 403 were sent once each by the executor.
    let sent = |id| {
        fake.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| *n == id)
            .count()
    };
    assert_eq!((sent(1), sent(2), sent(3)), (3, 1, 1));
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test(start_paused = true)]
async fn interruption_lets_in_flight_finish_and_skips_the_rest() {
    let fake = Arc::new(Fake::with_jobs(1..=10, Duration::from_secs(1)));
    let plan = plan(1..=10);
    let cancel = Cancel::default();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        stopper.cancel();
    });
    let settings = Settings {
        parallelism: 2,
        ..Settings::default()
    };
    let report = execute(
        Arc::clone(&fake),
        &plan,
        settings,
        None,
        cancel,
        crate::progress::Progress::hidden(),
    )
    .await;
    assert_exactly_once(&plan, &report);
    assert!(report.interrupted);
    assert_eq!(report.exit_code(), 130);
    // Two at 0 s, two at 1 s (in flight at 1.5 s, so they finish), none after.
    assert_eq!(report.summary.deleted, 4);
    assert_eq!(report.summary.skipped, 6);
    assert_eq!(fake.jobs.lock().unwrap().len(), 6);
    assert_eq!(outcomes(&report)[4], ("5".to_owned(), "skipped"));
}

#[tokio::test(start_paused = true)]
async fn journal_resume_finishes_everything_without_deleting_twice() {
    let path = std::env::temp_dir().join(format!("otc-jobs-cli-resume-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let fake = Arc::new(Fake::with_jobs(1..=20, Duration::from_millis(300)));
    fake.script(7, [fatal(403)]);
    let ids = 1..=20;

    // First run: interrupted part-way.
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    assert!(journal.earlier().finished().is_empty());
    let cancel = Cancel::default();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        stopper.cancel();
    });
    let settings = Settings {
        parallelism: 4,
        ..Settings::default()
    };
    let first = execute(
        Arc::clone(&fake),
        &plan(ids.clone()),
        settings.clone(),
        Some(Arc::new(journal)),
        cancel,
        crate::progress::Progress::hidden(),
    )
    .await;
    assert!(first.interrupted);
    let done_first = first.summary.deleted;
    assert!(done_first > 0 && done_first < 20);

    // Second run with the same journal: finished ids are skipped, the rest deleted.
    let (plan2, finished, second) = resume(&fake, &path, ids, settings).await;
    assert_eq!(finished, done_first);
    std::fs::remove_file(&path).unwrap();
    assert_exactly_once(&plan2, &second);
    // The report is the whole run's: the first attempt's deletions, marked, and the rest.
    let earlier = second.items.iter().filter(|i| i.earlier_run).count();
    assert_eq!(earlier, done_first);
    assert_eq!((second.summary.deleted, second.summary.skipped), (20, 0));
    assert_eq!(second.exit_code(), 0);
    // Job 7, refused in the first run, is not finished: the rerun tries it again.
    assert_eq!(first.summary.failed, 1);
    let seven = second
        .items
        .iter()
        .find(|i| i.id == KindId::FlinkJob(7))
        .unwrap();
    assert!(!seven.earlier_run);
    // Every job is gone, each deleted exactly once over both runs.
    assert!(fake.jobs.lock().unwrap().is_empty());
    assert!(fake.deleted_counts().values().all(|n| *n == 1));
    assert_eq!(fake.deleted_counts().len(), 20);
}

#[tokio::test(start_paused = true)]
async fn wait_until_gone_times_out_or_sees_a_failed_deletion() {
    let fake = Arc::new(Fake::with_jobs([1, 2, 3, 4], Duration::ZERO));
    fake.waits.lock().unwrap().extend([
        (2, timed_out("9")),
        (3, WaitOutcome::Failed { status: "6".into() }),
        (
            4,
            WaitOutcome::StillPresent {
                status: Some("job_running".into()),
            },
        ),
    ]);
    let settings = Settings {
        wait: Some(Duration::from_secs(10)),
        poll_interval: Duration::from_secs(2),
        ..Settings::default()
    };
    let report = run(&fake, &plan([1, 2, 3, 4]), settings).await;
    assert_eq!(
        report.items[0].outcome,
        Outcome::Deleted {
            attempts: 1,
            note: None
        }
    );
    assert_eq!(
        report.items[1].outcome,
        Outcome::TimedOut {
            attempts: 1,
            waited_secs: 10,
            last_status: Some("9".into())
        }
    );
    assert!(
        matches!(&report.items[2].outcome, Outcome::Failed { answer, .. } if answer.message.contains("status 6"))
    );
    assert!(
        matches!(&report.items[3].outcome, Outcome::Failed { answer, .. } if answer.message.contains("still there"))
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test(start_paused = true)]
async fn batch_answer_without_ids_falls_back_to_one_by_one() {
    let ok = |yes| BatchEntry {
        is_success: yes,
        message: None,
    };
    // All succeed: every id deleted by the batch.
    let fake = Arc::new(Fake::with_jobs(1..=4, Duration::ZERO));
    *fake.batch_answer.lock().unwrap() = Some(Ok(vec![ok(true); 4]));
    let settings = Settings {
        batch: Some(10),
        ..Settings::default()
    };
    let report = run(&fake, &plan(1..=4), settings.clone()).await;
    assert_eq!(report.summary.deleted, 4);
    assert!(fake.requests.lock().unwrap().is_empty());

    // One fails: which one is unknown, so the chunk goes one by one.
    let fake = Arc::new(Fake::with_jobs(1..=4, Duration::ZERO));
    *fake.batch_answer.lock().unwrap() = Some(Ok(vec![ok(true), ok(false), ok(true), ok(true)]));
    let plan4 = plan(1..=4);
    let report = run(&fake, &plan4, settings.clone()).await;
    assert_exactly_once(&plan4, &report);
    assert_eq!(
        outcomes(&report),
        [
            ("1".into(), "already_gone"),
            ("2".into(), "deleted"),
            ("3".into(), "already_gone"),
            ("4".into(), "already_gone")
        ]
    );
    assert!(fake.jobs.lock().unwrap().is_empty());

    // The batch call failed (the SDK does not resend a POST whose fate is unknown):
    // one by one.
    let fake = Arc::new(Fake::with_jobs(1..=4, Duration::ZERO));
    let report = run(&fake, &plan(1..=4), settings).await;
    assert_eq!(report.summary.deleted, 4);
}

#[tokio::test(start_paused = true)]
async fn interrupted_while_waiting_a_deletion_the_service_accepted_is_deleted() {
    let fake = Arc::new(Fake::with_jobs([1], Duration::ZERO));
    fake.waits.lock().unwrap().insert(1, timed_out("9"));
    let cancel = Cancel::default();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        stopper.cancel();
    });
    let settings = Settings {
        wait: Some(Duration::from_secs(60)),
        ..Settings::default()
    };
    let report = execute(
        Arc::clone(&fake),
        &plan([1]),
        settings,
        None,
        cancel,
        crate::progress::Progress::hidden(),
    )
    .await;
    assert!(report.interrupted);
    assert_eq!(
        report.items[0].outcome,
        Outcome::Deleted {
            attempts: 1,
            note: None
        }
    );
}

// A batch's ids complete together and are journalled in one write: a rerun with that
// journal skips every one of them, and the ids redone one by one too.
#[tokio::test(start_paused = true)]
async fn a_batch_journalled_together_is_skipped_by_a_rerun() {
    let path =
        std::env::temp_dir().join(format!("otc-jobs-cli-batch-journal-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let ok = |yes| BatchEntry {
        is_success: yes,
        message: None,
    };
    let fake = Arc::new(Fake::with_jobs(1..=7, Duration::ZERO));
    // The first chunk (1-4) goes through; the second (5-7) gets four answers for three
    // ids: one by one, where the batch's deletions show as already gone.
    *fake.batch_answer.lock().unwrap() = Some(Ok(vec![ok(true); 4]));
    let settings = Settings {
        batch: Some(4),
        ..Settings::default()
    };
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    let plan7 = plan(1..=7);
    let first = execute(
        Arc::clone(&fake),
        &plan7,
        settings.clone(),
        Some(Arc::new(journal)),
        Cancel::default(),
        crate::progress::Progress::hidden(),
    )
    .await;
    assert_exactly_once(&plan7, &first);
    assert_eq!((first.summary.deleted, first.summary.already_gone), (4, 3));
    let text = std::fs::read_to_string(&path).unwrap();
    let count = |what: &str| text.lines().filter(|l| l.contains(what)).count();
    // Both chunks' intents, the second chunk's again one by one, and seven outcomes.
    assert_eq!(count(r#""intent":"batch_delete""#), 7, "{text}");
    assert_eq!(count(r#""intent":"delete""#), 3, "{text}");
    assert_eq!(count(r#""outcome""#), 7, "{text}");

    let (_, finished, second) = resume(&fake, &path, 1..=7, settings).await;
    assert_eq!(finished, 7);
    std::fs::remove_file(&path).unwrap();
    assert!(second.items.iter().all(|i| i.earlier_run));
    assert_eq!(
        (second.summary.deleted, second.summary.already_gone),
        (4, 3)
    );
    assert!(fake.deleted_counts().values().all(|n| *n == 1));
}

fn journal_in_memory(lines: &Lines) -> Arc<Journal> {
    let path = std::path::Path::new("memory.journal");
    Arc::new(Journal::with_sink(path, Kind::FlinkJob, Box::new(lines.clone())).unwrap())
}

// Write-ahead: the fake checks, at each DELETE, that its intent is already journalled;
// intents go in groups and outcomes that complete together in one write.
#[tokio::test(start_paused = true)]
async fn every_deletion_is_journalled_before_it_is_sent() {
    let lines = Lines::default();
    let fake = Arc::new(Fake {
        journal: Some(lines.clone()),
        ..Fake::with_jobs(1..=100, Duration::from_millis(10))
    });
    let plan = plan(1..=100);
    let settings = Settings {
        parallelism: 8,
        ..Settings::default()
    };
    let report = execute(
        Arc::clone(&fake),
        &plan,
        settings,
        Some(journal_in_memory(&lines)),
        Cancel::default(),
        crate::progress::Progress::hidden(),
    )
    .await;
    assert_eq!(report.summary.deleted, 100);
    assert_eq!(lines.count(r#""intent":"delete""#), 100);
    assert_eq!(lines.count(r#""outcome":"deleted""#), 100);
    // Eight finish together every 10 ms: about 100 / 8 outcome writes, 100 / 16 of intents.
    let writes = lines.writes.load(Ordering::SeqCst);
    assert!(writes <= 1 + 13 + 7 + 2, "{writes} writes");
}

// A rerun over a journal whose intents have no outcome (the run was killed): each such
// job is probed first; gone, it is reported deleted with a note and not deleted again;
// still there, it is deleted as usual.
#[tokio::test(start_paused = true)]
async fn a_rerun_probes_what_the_killed_run_may_have_deleted() {
    let path = std::env::temp_dir().join(format!("otc-jobs-cli-probe-{}", std::process::id()));
    std::fs::write(
        &path,
        concat!(
            r#"{"journal":"otc-jobs","format":3,"kind":"flink-job","#,
            r#""selection":{"command":"delete","kind":"flink-job"}}"#,
            "\n",
            r#"{"intent":"delete","id":"1"}"#,
            "\n",
            r#"{"intent":"delete","id":"2"}"#,
            "\n",
            r#"{"intent":"delete","id":"3"}"#,
            "\n",
            r#"{"id":"3","outcome":"deleted","attempts":1}"#,
            "\n",
        ),
    )
    .unwrap();
    // 1 was deleted by the killed run (its answer never journalled); 2 was not.
    let fake = Arc::new(Fake::with_jobs([2, 4], Duration::ZERO));
    let (_, finished, report) = resume(&fake, &path, 1..=4, Settings::default()).await;
    std::fs::remove_file(&path).unwrap();
    assert_eq!(finished, 1);
    let by_id: HashMap<String, &Item> =
        report.items.iter().map(|i| (i.id.to_string(), i)).collect();
    assert_eq!(
        by_id["1"].outcome,
        Outcome::Deleted {
            attempts: 0,
            note: Some(RECOVERED.into())
        }
    );
    assert!(!by_id["1"].earlier_run);
    assert_eq!(
        by_id["2"].outcome,
        Outcome::Deleted {
            attempts: 1,
            note: None
        }
    );
    assert!(by_id["3"].earlier_run);
    assert_eq!(
        by_id["4"].outcome,
        Outcome::Deleted {
            attempts: 1,
            note: None
        }
    );
    let mut probed = fake.probes.lock().unwrap().clone();
    probed.sort();
    assert_eq!(probed, [1, 2]);
    let sent: Vec<i64> = fake
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert!(!sent.contains(&1) && !sent.contains(&3), "{sent:?}");
    assert_eq!(report.summary.deleted, 4);
}

// A journal that fails part-way (a full disk): no new deletion starts, those in flight
// finish, nothing is sent without its intent, every id is reported, exit 1.
#[tokio::test(start_paused = true)]
async fn a_journal_that_fails_mid_run_stops_new_deletions() {
    // Write 0 is the header, 1 the first intents, 2 the first outcomes; 3 fails.
    let lines = Lines::failing_from(3);
    let fake = Arc::new(Fake {
        journal: Some(lines.clone()),
        ..Fake::with_jobs(1..=50, Duration::from_millis(10))
    });
    let plan = plan(1..=50);
    let settings = Settings {
        parallelism: 4,
        ..Settings::default()
    };
    let report = execute(
        Arc::clone(&fake),
        &plan,
        settings,
        Some(journal_in_memory(&lines)),
        Cancel::default(),
        crate::progress::Progress::hidden(),
    )
    .await;
    assert_exactly_once(&plan, &report);
    assert!(matches!(&report.stopped, Some(Stop::JournalUnwritable(m)) if m.contains("No space")));
    assert!(!report.interrupted);
    assert_eq!(report.exit_code(), 1);
    let left = fake.jobs.lock().unwrap().clone();
    assert!(!left.is_empty() && left.len() < 50, "{left:?}");
    // The report agrees with the service: deleted ids are gone, the rest skipped, not
    // started, with the reason.
    for item in &report.items {
        let n = number(&item.id);
        match &item.outcome {
            Outcome::Deleted { .. } => assert!(!left.contains(&n), "{n}"),
            Outcome::Skipped { reason } => {
                assert!(left.contains(&n), "{n}");
                assert!(reason.contains("cannot write --journal"), "{reason}");
            }
            other => panic!("{n}: {other:?}"),
        }
    }
}

// Interrupted while the throttle pauses after a 429: the id is reported failed with the
// last answer (status, code, request id), not a bare "interrupted".
#[tokio::test(start_paused = true)]
async fn interrupted_after_throttling_keeps_the_last_error() {
    let fake = Arc::new(Fake::with_jobs([1], Duration::ZERO));
    fake.script(1, [throttled(30)]);
    let cancel = Cancel::default();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        stopper.cancel();
    });
    let report = execute(
        Arc::clone(&fake),
        &plan([1]),
        Settings::default(),
        None,
        cancel,
        crate::progress::Progress::hidden(),
    )
    .await;
    assert!(report.interrupted);
    assert_eq!(
        report.items[0].outcome,
        Outcome::Failed {
            answer: Answer {
                status: Some(429),
                code: Some("APIG.0308".into()),
                message: "interrupted after 1 attempt(s); last error: status 429".into(),
                request_id: Some("req-1".into()),
            },
            attempts: 1,
        }
    );
    assert_eq!(fake.requests.lock().unwrap().len(), 1);
}

/// The gateway refuses the credentials (401 `APIG.0301`).
fn misconfigured() -> Scripted {
    Scripted::answer(401, "APIG.0301", "Incorrect IAM authentication information")
}

// A 401 from the gateway (or a gateway 404, a refused connection) on the first calls:
// the setup is wrong, every other id would fail the same way. Nothing new starts; the
// ids in flight fail with the answer, the rest are skipped with the reason; exit 2.
#[tokio::test(start_paused = true)]
async fn a_wrong_setup_on_the_first_calls_stops_the_run() {
    let fake = Arc::new(Fake::with_jobs(1..=200, Duration::from_millis(50)));
    for id in 1..=200 {
        fake.script(id, [misconfigured()]);
    }
    let plan = plan(1..=200);
    let settings = Settings {
        parallelism: 8,
        ..Settings::default()
    };
    let report = run(&fake, &plan, settings).await;
    assert_exactly_once(&plan, &report);
    assert!(
        matches!(&report.stopped, Some(Stop::Misconfigured(m)) if m.contains("APIG.0301") && m.contains("check the credentials"))
    );
    assert_eq!(report.exit_code(), 2);
    let sent = fake.requests.lock().unwrap().len();
    assert_eq!(sent, 8, "only the first wave was sent");
    assert_eq!((report.summary.failed, report.summary.skipped), (8, 192));
    let skipped = report
        .items
        .iter()
        .find(|i| i.id == KindId::FlinkJob(9))
        .unwrap();
    assert!(
        matches!(&skipped.outcome, Outcome::Skipped { reason } if reason.contains("not started: the run stopped (misconfiguration: HTTP 401 APIG.0301")),
        "{:?}",
        skipped.outcome
    );
    assert_eq!(fake.jobs.lock().unwrap().len(), 200);
}

// Once a call of the run reached the service, the same error is that id's failure only
// (a credential revoked mid-run is not a reason to skip the rest unseen).
#[tokio::test(start_paused = true)]
async fn after_the_setup_worked_a_gateway_refusal_fails_only_its_id() {
    let fake = Arc::new(Fake::with_jobs(1..=10, Duration::ZERO));
    fake.script(5, [misconfigured()]);
    let settings = Settings {
        parallelism: 1,
        ..Settings::default()
    };
    let report = run(&fake, &plan(1..=10), settings).await;
    assert_eq!(report.stopped, None);
    assert_eq!((report.summary.deleted, report.summary.failed), (9, 1));
    assert_eq!(report.exit_code(), 1);
}
