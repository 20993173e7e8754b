//! The DLI run cases: SQL jobs and Spark batch jobs, runs that can only be cancelled, called
//! through their generated client methods, their paginators and the kind table. Each case
//! runs with both clients on a fresh emulator ([`run_runs_case`]); both must meet its
//! expectation and agree on the [`RunsOutcome`]. The tests are in `tests/dli_runs.rs`.

// The table's expectations are test assertions: they panic, as a test does.
#![allow(clippy::panic, clippy::expect_used)]

use otc_jobs_core::dli::{
    CancelSparkJobResponse, CancelSqlJobResponse, GetSparkJobResponse, GetSqlJobStatusResponse,
    ListSparkJobs, ListSparkJobsResponse, ListSqlJobs, ListSqlJobsResponse,
};
use otc_jobs_core::kinds::{Filters, Kind, KindId, Listing};
use otc_jobs_core::{BuildError, Error, ErrorKind, PathId};
use otc_jobs_driver::{WaitOptions, WaitOutcome};
use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};

use crate::{ClientSpec, Flavour};

/// One DLI run case.
pub struct RunsCase {
    /// The test's name.
    pub name: &'static str,
    /// Seeds jobs.
    pub setup: fn(&Emulator),
    /// What to run.
    pub run: RunsRun,
    /// Checks the outcome of one client.
    pub expect: fn(&RunsOutcome),
}

/// What a case runs.
#[derive(Debug, Clone)]
pub enum RunsRun {
    /// `list_sql_jobs(request)`.
    ListSql(ListSqlJobs),
    /// `get_sql_job_status(id)`.
    SqlStatus(&'static str),
    /// `cancel_sql_job(id)`.
    CancelSql(&'static str),
    /// `list_spark_jobs(request)`.
    ListSpark(ListSparkJobs),
    /// `get_spark_job(id)`.
    SparkState(&'static str),
    /// `cancel_spark_job(id)`.
    CancelSpark(&'static str),
    /// Every page of the SQL job list, through `pages`.
    WalkSql(ListSqlJobs),
    /// Every page of the Spark batch list, through `pages`.
    WalkSpark(ListSparkJobs),
    /// The kind table: `list_rows` of the kind with these filters.
    ListRows(Kind, &'static [(&'static str, &'static str)]),
    /// The kind table: `delete_id` (a cancellation), then `wait_id_gone` (until over).
    CancelAndWait(Kind, &'static str),
}

/// The typed answer of a call.
// A test's answers, compared once each: their sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RunsAnswer {
    /// A SQL job list page.
    Sql(ListSqlJobsResponse),
    /// A SQL job's status.
    SqlStatus(GetSqlJobStatusResponse),
    /// A SQL job's cancellation.
    SqlCancelled(CancelSqlJobResponse),
    /// A Spark batch list page.
    Spark(ListSparkJobsResponse),
    /// A batch's state.
    SparkState(GetSparkJobResponse),
    /// A batch's cancellation.
    SparkCancelled(CancelSparkJobResponse),
}

/// What a client reached, in the terms both clients must agree on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunsOutcome {
    /// The typed answer of a call.
    pub answer: Option<RunsAnswer>,
    /// The ids a walk saw, in order.
    pub walked: Vec<String>,
    /// The size of each page of a walk.
    pub pages: Vec<usize>,
    /// The error that ended the run (kind, status, code, not found, already finished).
    pub error: Option<String>,
    /// The requests the emulator received, as `METHOD path?query`.
    pub requests: Vec<String>,
    /// The runs left in the emulator, as `kind id status`.
    pub remaining: Vec<String>,
    /// The rows of a [`RunsRun::ListRows`], as `id | name | status | created (unix ms)`.
    pub rows: Vec<String>,
    /// A wait's outcome (`Finished CANCELLED`, `Gone`, ...), without its timing.
    pub waited: Option<String>,
}

fn error_text(e: &Error) -> String {
    let kind = match e.kind() {
        ErrorKind::Service(_) => "service",
        ErrorKind::Response(_) => "response",
        ErrorKind::Transport(_) => "transport",
        ErrorKind::Build(_) => "build",
        _ => "other",
    };
    format!(
        "{kind} {} {} not_found={} already_finished={}",
        e.status().map(|s| s.as_u16()).unwrap_or_default(),
        e.code().unwrap_or("-"),
        e.is_not_found(),
        e.is_already_finished()
    )
}

fn path_id(id: &str) -> Result<PathId, Error> {
    PathId::new(id).map_err(|e| Error::from(BuildError::from(e)))
}

// Made once per case and read at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Ran {
    Call(Result<RunsAnswer, Error>),
    Walk(Vec<String>, Vec<usize>, Option<Error>),
    Rows(Result<Listing, Error>),
    Wait(Result<WaitOutcome, Error>),
}

fn filters(kind: Kind, set: &[(&str, &str)]) -> Filters {
    let mut f = Filters::new(kind);
    for (flag, value) in set {
        f.set(flag, *value).expect("a filter the kind takes");
    }
    f
}

fn kind_id(kind: Kind, text: &str) -> KindId {
    kind.parse_id(text)
        .expect("the case's id is one of the kind's")
}

fn sql_id(j: &otc_jobs_core::dli::ListSqlJobsJob) -> String {
    j.job_id.clone()
}

fn spark_id(j: &otc_jobs_core::dli::ListSparkJobsSession) -> String {
    j.id.clone().unwrap_or_else(|| "?".to_owned())
}

/// Expands to the run of `$run` on `$client`, with `.await` after each call for the async
/// client: one text for both clients. `$walk` walks a paginator into `Ran::Walk`.
macro_rules! run_with {
    ($client:expr, $run:expr, $walk:ident $(, $aw:tt)?) => {
        match $run {
            RunsRun::ListSql(r) => {
                Ran::Call($client.list_sql_jobs(r.clone())$(.$aw)?.map(RunsAnswer::Sql))
            }
            RunsRun::SqlStatus(id) => Ran::Call(match path_id(id) {
                Ok(id) => $client.get_sql_job_status(id)$(.$aw)?.map(RunsAnswer::SqlStatus),
                Err(e) => Err(e),
            }),
            RunsRun::CancelSql(id) => Ran::Call(match path_id(id) {
                Ok(id) => $client.cancel_sql_job(id)$(.$aw)?.map(RunsAnswer::SqlCancelled),
                Err(e) => Err(e),
            }),
            RunsRun::ListSpark(r) => {
                Ran::Call($client.list_spark_jobs(r.clone())$(.$aw)?.map(RunsAnswer::Spark))
            }
            RunsRun::SparkState(id) => Ran::Call(match path_id(id) {
                Ok(id) => $client.get_spark_job(id)$(.$aw)?.map(RunsAnswer::SparkState),
                Err(e) => Err(e),
            }),
            RunsRun::CancelSpark(id) => Ran::Call(match path_id(id) {
                Ok(id) => $client.cancel_spark_job(id)$(.$aw)?.map(RunsAnswer::SparkCancelled),
                Err(e) => Err(e),
            }),
            RunsRun::WalkSql(r) => $walk!($client, r.clone(), sql_id $(, $aw)?),
            RunsRun::WalkSpark(r) => $walk!($client, r.clone(), spark_id $(, $aw)?),
            RunsRun::ListRows(kind, set) => {
                Ran::Rows($client.list_rows(&filters(*kind, set))$(.$aw)?)
            }
            RunsRun::CancelAndWait(kind, text) => {
                let id = kind_id(*kind, text);
                Ran::Wait(match $client.delete_id(&id)$(.$aw)? {
                    Ok(_) => $client.wait_id_gone(&id, fast())$(.$aw)?,
                    Err(e) => Err(e),
                })
            }
        }
    };
}

macro_rules! walk_blocking {
    ($client:expr, $request:expr, $id:ident) => {{
        let (mut items, mut pages) = (Vec::new(), Vec::new());
        let mut error = None;
        for page in $client.pages($request) {
            match page {
                Ok(page) => {
                    pages.push(page.len());
                    items.extend(page.iter().map($id));
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        Ran::Walk(items, pages, error)
    }};
}

macro_rules! walk_async {
    ($client:expr, $request:expr, $id:ident, $aw:tt) => {{
        use futures_util::StreamExt;
        let (mut items, mut pages) = (Vec::new(), Vec::new());
        let mut error = None;
        let mut stream = std::pin::pin!($client.pages($request));
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => {
                    pages.push(page.len());
                    items.extend(page.iter().map($id));
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        Ran::Walk(items, pages, error)
    }};
}

/// Runs `case` with one client on a fresh emulator. Panics (as a test does) when the
/// emulator, the runtime or the client cannot start.
pub fn run_runs_case(case: &RunsCase, flavour: Flavour) -> RunsOutcome {
    let emulator = Emulator::start(EmulatorConfig {
        worker_threads: 1,
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts");
    (case.setup)(&emulator);
    let spec = ClientSpec::default();
    let ran = match flavour {
        Flavour::Async => {
            let client: otc_jobs_async::Client = spec
                .builder(&emulator)
                .build()
                .expect("the async client builds");
            crate::runtime().block_on(async { run_with!(client, &case.run, walk_async, await) })
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = spec
                .builder(&emulator)
                .build()
                .expect("the blocking client builds");
            run_with!(client, &case.run, walk_blocking)
        }
    };
    let mut outcome = RunsOutcome {
        requests: emulator
            .requests()
            .iter()
            .map(|r| match &r.query {
                Some(q) => format!("{} {}?{q}", r.method, r.path),
                None => format!("{} {}", r.method, r.path),
            })
            .collect(),
        remaining: emulator
            .jobs()
            .iter()
            .map(|j| {
                let status = match j {
                    SeedJob::SqlJob {
                        status: Some(s), ..
                    }
                    | SeedJob::SparkJob {
                        status: Some(s), ..
                    } => s.as_str().unwrap_or("?"),
                    _ => "-",
                };
                format!("{} {} {status}", j.kind(), j.id())
            })
            .collect(),
        ..RunsOutcome::default()
    };
    match ran {
        Ran::Call(Ok(answer)) => outcome.answer = Some(answer),
        Ran::Call(Err(e)) | Ran::Rows(Err(e)) | Ran::Wait(Err(e)) => {
            outcome.error = Some(error_text(&e));
        }
        Ran::Walk(items, pages, error) => {
            outcome.walked = items;
            outcome.pages = pages;
            outcome.error = error.as_ref().map(error_text);
        }
        Ran::Rows(Ok(listing)) => {
            outcome.rows = listing
                .rows
                .iter()
                .map(|r| {
                    let created = r
                        .created
                        .and_then(|t| t.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
                        .map_or("-".to_owned(), |d| d.as_millis().to_string());
                    format!(
                        "{} | {} | {} | {created}",
                        r.id,
                        r.name.as_deref().unwrap_or("-"),
                        r.status.as_deref().unwrap_or("-")
                    )
                })
                .collect();
            assert!(listing.unreadable.is_empty(), "{:?}", listing.unreadable);
        }
        Ran::Wait(Ok(w)) => {
            outcome.waited = Some(match w {
                WaitOutcome::Finished { status, .. } => format!("Finished {status}"),
                WaitOutcome::Gone { .. } => "Gone".to_owned(),
                other => format!("{other:?}"),
            });
        }
    }
    outcome
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .delays(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(50),
        )
        .max_wait(std::time::Duration::from_secs(10))
}

/// The case called `name`.
pub fn runs_case(name: &str) -> Option<RunsCase> {
    runs_cases().into_iter().find(|c| c.name == name)
}

fn answer(o: &RunsOutcome) -> &RunsAnswer {
    o.answer
        .as_ref()
        .unwrap_or_else(|| panic!("no answer: {:?}", o.error))
}

fn error(o: &RunsOutcome) -> &str {
    o.error
        .as_deref()
        .unwrap_or_else(|| panic!("no error: {o:?}"))
}

const T0: u64 = 1_700_000_000_000;
const PID: &str = otc_jobs_emulator::DEFAULT_PROJECT_ID;

/// SQL jobs q1 (RUNNING), q2 (FINISHED), q3 (LAUNCHING), q4 (FAILED), newer each; Spark
/// batches b1 (running), b2 (success), b3 (dead).
fn seed_runs(e: &Emulator) {
    let sql = ["RUNNING", "FINISHED", "LAUNCHING", "FAILED"];
    e.seed_many(sql.iter().enumerate().map(|(n, status)| {
        SeedJob::sql_job(format!("q{}", n + 1))
            .status(*status)
            .name(format!("select {n}"))
            .queue(if n % 2 == 0 { "default" } else { "etl" })
            .create_time(T0 + n as u64 * 1000)
    }));
    let spark = ["running", "success", "dead"];
    e.seed_many(spark.iter().enumerate().map(|(n, state)| {
        SeedJob::spark_job(format!("b{}", n + 1))
            .status(*state)
            .name(format!("batch-{n}"))
            .create_time(T0 + n as u64 * 1000)
    }));
}

/// 250 running SQL jobs and 250 running batches.
fn seed_250(e: &Emulator) {
    e.seed_many((0..250u64).map(|n| SeedJob::sql_job(format!("q{n:03}")).create_time(T0 + n)));
    e.seed_many((0..250u64).map(|n| SeedJob::spark_job(format!("b{n:03}")).create_time(T0 + n)));
}

/// 25,000 running SQL jobs, seven to a millisecond: two and a half walks' worth (the
/// driver's own test walks 50,000; through the emulator, which sorts every job for each
/// page, 50,000 take a minute in a debug build).
fn seed_25_000(e: &Emulator) {
    e.seed_many(
        (0..25_000u64).map(|n| SeedJob::sql_job(format!("q{n:05}")).create_time(T0 + n / 7)),
    );
}

fn case(
    name: &'static str,
    setup: fn(&Emulator),
    run: RunsRun,
    expect: fn(&RunsOutcome),
) -> RunsCase {
    RunsCase {
        name,
        setup,
        run,
        expect,
    }
}

/// Every case, in table order.
pub fn runs_cases() -> Vec<RunsCase> {
    vec![
        case(
            "list_sql_jobs_filters_and_pages",
            seed_runs,
            RunsRun::ListSql(
                ListSqlJobs::new()
                    .queue_name("default")
                    .order("start_time_asc")
                    .page_size(1)
                    .current_page(2),
            ),
            |o| {
                let RunsAnswer::Sql(page) = answer(o) else {
                    panic!("{o:?}")
                };
                assert!(page.is_success);
                assert_eq!(page.job_count, 2); // q1 and q3 are in the default queue
                assert_eq!(page.jobs.len(), 1);
                assert_eq!(page.jobs[0].job_id, "q3");
                assert_eq!(page.jobs[0].status, "LAUNCHING");
                assert_eq!(page.jobs[0].start_time, (T0 + 2000) as i64);
                assert_eq!(o.requests.len(), 1, "{:?}", o.requests);
                for part in ["current-page=2", "page-size=1", "queue_name=default"] {
                    assert!(o.requests[0].contains(part), "{:?}", o.requests);
                }
            },
        ),
        case(
            "list_sql_jobs_beyond_page_100_is_refused",
            seed_runs,
            RunsRun::ListSql(ListSqlJobs::new().current_page(101)),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0001 not_found=false already_finished=false"
                )
            },
        ),
        case(
            "get_sql_job_status",
            seed_runs,
            RunsRun::SqlStatus("q2"),
            |o| {
                let RunsAnswer::SqlStatus(s) = answer(o) else {
                    panic!("{o:?}")
                };
                assert_eq!(s.status.as_deref(), Some("FINISHED"));
                assert_eq!(s.job_id.as_deref(), Some("q2"));
                assert_eq!(o.requests, [format!("GET /v1.0/{PID}/jobs/q2/status")]);
            },
        ),
        case(
            "get_sql_job_status_not_found",
            seed_runs,
            RunsRun::SqlStatus("nope"),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0002 not_found=true already_finished=false"
                )
            },
        ),
        case(
            "cancel_sql_job_cancels_a_running_run",
            seed_runs,
            RunsRun::CancelSql("q1"),
            |o| {
                let RunsAnswer::SqlCancelled(c) = answer(o) else {
                    panic!("{o:?}")
                };
                assert_eq!(c.is_success, Some(true));
                assert_eq!(o.requests, [format!("DELETE /v1.0/{PID}/jobs/q1")]);
                assert!(
                    o.remaining.contains(&"sql-job q1 CANCELLED".to_owned()),
                    "{:?}",
                    o.remaining
                );
            },
        ),
        case(
            "cancel_sql_job_of_a_finished_run_is_already_finished",
            seed_runs,
            RunsRun::CancelSql("q2"),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0007 not_found=false already_finished=true"
                );
                assert!(o.remaining.contains(&"sql-job q2 FINISHED".to_owned()));
            },
        ),
        case(
            "cancel_sql_job_encodes_an_id_that_would_break_the_path",
            seed_runs,
            RunsRun::CancelSql("a/b?c"),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0002 not_found=true already_finished=false"
                );
                assert_eq!(o.requests, [format!("DELETE /v1.0/{PID}/jobs/a%2Fb%3Fc")]);
            },
        ),
        case(
            "list_spark_jobs_filters_and_pages",
            seed_runs,
            RunsRun::ListSpark(ListSparkJobs::new().from(1).size(1)),
            |o| {
                let RunsAnswer::Spark(page) = answer(o) else {
                    panic!("{o:?}")
                };
                assert_eq!((page.from, page.total), (Some(1), Some(3)));
                let sessions = page.sessions.as_deref().unwrap_or_default();
                assert_eq!(sessions.len(), 1);
                // Newest first: b3, b2, b1.
                assert_eq!(sessions[0].id.as_deref(), Some("b2"));
                assert_eq!(sessions[0].state.as_deref(), Some("success"));
                assert_eq!(sessions[0].create_time, Some((T0 + 1000) as i64));
            },
        ),
        case("get_spark_job", seed_runs, RunsRun::SparkState("b1"), |o| {
            let RunsAnswer::SparkState(s) = answer(o) else {
                panic!("{o:?}")
            };
            assert_eq!(
                (s.id.as_deref(), s.state.as_deref()),
                (Some("b1"), Some("running"))
            );
            assert_eq!(o.requests, [format!("GET /v2.0/{PID}/batches/b1/state")]);
        }),
        case(
            "cancel_spark_job_answers_deleted",
            seed_runs,
            RunsRun::CancelSpark("b1"),
            |o| {
                let RunsAnswer::SparkCancelled(c) = answer(o) else {
                    panic!("{o:?}")
                };
                assert_eq!(c.msg.as_deref(), Some("deleted"));
                assert!(
                    o.remaining.contains(&"spark-job b1 dead".to_owned()),
                    "{:?}",
                    o.remaining
                );
            },
        ),
        case(
            "cancel_spark_job_of_a_finished_batch_is_already_finished",
            seed_runs,
            RunsRun::CancelSpark("b2"),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0007 not_found=false already_finished=true"
                )
            },
        ),
        case(
            "sql_job_list_walks_250_by_page_number_from_1",
            seed_250,
            RunsRun::WalkSql(ListSqlJobs::new()),
            |o| {
                assert_eq!(o.pages, [100, 100, 50]);
                assert_eq!(o.walked.len(), 250);
                let unique: std::collections::BTreeSet<&String> = o.walked.iter().collect();
                assert_eq!(unique.len(), 250);
                assert!(
                    o.requests[0].contains("current-page=1")
                        && o.requests[2].contains("current-page=3")
                );
                assert!(o.error.is_none(), "{:?}", o.error);
            },
        ),
        case(
            "spark_job_list_walks_250_by_offset",
            seed_250,
            RunsRun::WalkSpark(ListSparkJobs::new()),
            |o| {
                assert_eq!(o.pages, [100, 100, 50]);
                let unique: std::collections::BTreeSet<&String> = o.walked.iter().collect();
                assert_eq!(unique.len(), 250);
                assert!(o.requests[1].contains("from=100"), "{:?}", o.requests);
            },
        ),
        case(
            "sql_job_rows_through_the_kind_table",
            seed_runs,
            RunsRun::ListRows(Kind::SqlJob, &[("queue-name", "etl"), ("order", "asc")]),
            |o| {
                assert_eq!(
                    o.rows,
                    [
                        format!("q2 | - | FINISHED | {}", T0 + 1000),
                        format!("q4 | - | FAILED | {}", T0 + 3000),
                    ]
                );
                assert!(
                    o.requests[0].contains("order=start_time_asc"),
                    "{:?}",
                    o.requests
                );
            },
        ),
        case(
            "spark_job_rows_through_the_kind_table",
            seed_runs,
            RunsRun::ListRows(Kind::SparkJob, &[("status", "running")]),
            |o| {
                assert_eq!(o.rows, [format!("b1 | batch-0 | running | {T0}")]);
                assert!(o.requests[0].contains("state=running"), "{:?}", o.requests);
            },
        ),
        case(
            "sql_job_rows_beyond_10_000_jobs_are_listed_whole_by_windows",
            seed_25_000,
            RunsRun::ListRows(Kind::SqlJob, &[]),
            |o| {
                assert_eq!(o.rows.len(), 25_000);
                let ids: std::collections::BTreeSet<&str> = o
                    .rows
                    .iter()
                    .map(|r| r.split(" | ").next().unwrap_or_default())
                    .collect();
                assert_eq!(ids.len(), 25_000, "each job once");
                // Never a page past 100; windows after the first carry an end.
                assert!(
                    o.requests.iter().all(|r| !r.contains("current-page=101")),
                    "{:?}",
                    o.requests.last()
                );
                let windows = o
                    .requests
                    .iter()
                    .filter(|r| r.contains("current-page=1&"))
                    .count();
                assert_eq!(windows, 3, "{windows} windows");
                assert!(o.requests.len() <= 260, "{} requests", o.requests.len());
            },
        ),
        case(
            "sql_job_rows_oldest_first_beyond_10_000_jobs_are_listed_whole_by_windows",
            seed_25_000,
            RunsRun::ListRows(Kind::SqlJob, &[("order", "asc")]),
            |o| {
                assert_eq!(o.rows.len(), 25_000);
                let ids: std::collections::BTreeSet<&str> = o
                    .rows
                    .iter()
                    .map(|r| r.split(" | ").next().unwrap_or_default())
                    .collect();
                assert_eq!(ids.len(), 25_000, "each job once");
                assert!(
                    o.requests
                        .iter()
                        .all(|r| r.contains("order=start_time_asc")),
                    "{:?}",
                    o.requests.first()
                );
                assert!(o.requests.iter().all(|r| !r.contains("current-page=101")));
                // Windows after the first carry a start, and no end.
                let later: Vec<&String> =
                    o.requests.iter().filter(|r| r.contains("start=")).collect();
                assert!(!later.is_empty());
                assert!(later.iter().all(|r| !r.contains("end=")), "{:?}", later[0]);
                assert!(o.requests.len() <= 260, "{} requests", o.requests.len());
            },
        ),
        case(
            "sql_job_list_walk_stops_at_page_100_with_a_page_limit",
            seed_25_000,
            RunsRun::WalkSql(ListSqlJobs::new()),
            |o| {
                assert_eq!(o.walked.len(), 10_000);
                assert_eq!(o.pages.len(), 100);
                assert_eq!(o.requests.len(), 100, "page 101 is never asked for");
                assert_eq!(
                    error(o),
                    "response 200 - not_found=false already_finished=false"
                );
            },
        ),
        case(
            "sql_job_cancel_then_wait_until_over",
            seed_runs,
            RunsRun::CancelAndWait(Kind::SqlJob, "q3"),
            |o| {
                assert_eq!(o.waited.as_deref(), Some("Finished CANCELLED"));
                assert_eq!(
                    o.requests,
                    [
                        format!("DELETE /v1.0/{PID}/jobs/q3"),
                        format!("GET /v1.0/{PID}/jobs/q3/status"),
                    ]
                );
            },
        ),
        case(
            "spark_job_cancel_then_wait_until_over",
            seed_runs,
            RunsRun::CancelAndWait(Kind::SparkJob, "b1"),
            |o| assert_eq!(o.waited.as_deref(), Some("Finished dead")),
        ),
        case(
            "sql_job_cancel_of_a_finished_run_through_the_kind_table",
            seed_runs,
            RunsRun::CancelAndWait(Kind::SqlJob, "q4"),
            |o| {
                assert_eq!(
                    error(o),
                    "service 400 DLI.0007 not_found=false already_finished=true"
                );
                assert_eq!(o.requests.len(), 1, "{:?}", o.requests);
            },
        ),
    ]
}
