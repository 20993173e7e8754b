//! The MRS v2 cases: the cluster list and the job executions inside clusters, called
//! through their generated client methods and paginators. Each case runs with both
//! clients on a fresh emulator ([`run_mrs_case`]); both must meet its expectation and
//! agree on the [`MrsOutcome`]. The tests are in `tests/mrs_v2.rs`.

// The table's expectations are test assertions: they panic, as a test does.
#![allow(clippy::panic, clippy::expect_used)]

use otc_jobs_core::kinds::{Filters, Kind, KindId, Listing};
use otc_jobs_core::mrs::{
    BatchDeleteJobExecutionsV2Response, GetJobExecutionV2Response, KillJobExecutionV2Response,
    ListClusters, ListClustersResponse, ListJobExecutionsV2, ListJobExecutionsV2Response,
};
use otc_jobs_core::{BuildError, Error, ErrorKind, PathId};
use otc_jobs_driver::{WaitOptions, WaitOutcome};
use otc_jobs_emulator::{Emulator, EmulatorConfig, Fault, FaultAction, SeedJob};

use crate::{ClientSpec, Flavour};

/// One MRS v2 case.
pub struct MrsCase {
    /// The test's name.
    pub name: &'static str,
    /// Seeds jobs and adds faults.
    pub setup: fn(&Emulator),
    /// Called once, after the first page of a walk: changes between pages.
    pub after_first_page: fn(&Emulator),
    /// What to run.
    pub run: MrsRun,
    /// Checks the outcome of one client.
    pub expect: fn(&MrsOutcome),
    /// How long a killed job goes on running in the case's emulator (`None`: its default).
    pub kill_delay: Option<std::time::Duration>,
}

/// What a case runs.
#[derive(Debug, Clone)]
pub enum MrsRun {
    /// `list_clusters(request)`.
    ListClusters(ListClusters),
    /// `list_job_executions_v2(ListJobExecutionsV2::new(cluster)...)`, the request made
    /// by the function from the cluster's id.
    ListJobs(&'static str, fn(PathId) -> ListJobExecutionsV2),
    /// `get_job_execution_v2(cluster, job)`.
    GetJob(&'static str, &'static str),
    /// `kill_job_execution_v2(cluster, job)`.
    Kill(&'static str, &'static str),
    /// `batch_delete_job_executions_v2(cluster, ids)`.
    BatchDelete(&'static str, &'static [&'static str]),
    /// Every page of the cluster list, through `pages`.
    WalkClusters(ListClusters),
    /// Every page of a cluster's job list, through `pages`.
    WalkJobs(&'static str, fn(PathId) -> ListJobExecutionsV2),
    /// The kind table: `list_rows` of `job-execution` with these filters.
    ListRows(&'static [(&'static str, &'static str)]),
    /// The kind table: `delete_id(CLUSTER/JOB)`, then `wait_id_gone`.
    DeleteAndWait(&'static str),
    /// The kind table: `delete_id_with(CLUSTER/JOB, options)` waiting at most this many
    /// milliseconds, then `wait_id_gone`.
    DeleteWithin(&'static str, u64),
}

/// The typed answer of a call.
// A test's answers, compared once each: their sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum MrsAnswer {
    /// A cluster list page.
    Clusters(ListClustersResponse),
    /// A job list page.
    Jobs(ListJobExecutionsV2Response),
    /// A job's details.
    Job(GetJobExecutionV2Response),
    /// A kill's answer (202, no body).
    Killed(KillJobExecutionV2Response),
    /// A batch deletion's answer (202, no body).
    Deleted(BatchDeleteJobExecutionsV2Response),
}

/// What a client reached, in the terms both clients must agree on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MrsOutcome {
    /// The typed answer of a call.
    pub answer: Option<MrsAnswer>,
    /// The ids a walk saw, in order.
    pub walked: Vec<String>,
    /// The size of each page of a walk.
    pub pages: Vec<usize>,
    /// The error that ended the run (kind, status, code, not found).
    pub error: Option<String>,
    /// The requests the emulator received, as `METHOD path?query body`.
    pub requests: Vec<String>,
    /// The jobs left in the emulator, as `kind id` (states of job executions too).
    pub remaining: Vec<String>,
    /// The rows of a [`MrsRun::ListRows`], as `id | name | status | created (unix ms)`.
    pub rows: Vec<String>,
    /// What a [`MrsRun::ListRows`] could not list (the walks that ended).
    pub unreadable: Vec<String>,
    /// A wait's outcome (`Gone`, ...), without its timing.
    pub waited: Option<String>,
    /// A deletion through the kind table: whether the job was stopped first.
    pub stopped: Option<bool>,
    /// A deletion through the kind table: whether the job went by itself once stopped.
    pub gone: Option<bool>,
    /// The message of the error that ended the run.
    pub error_message: Option<String>,
    /// Whether that error names the request id of the answer.
    pub error_request_id: bool,
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
        "{kind} {} {} not_found={}",
        e.status().map(|s| s.as_u16()).unwrap_or_default(),
        e.code().unwrap_or("-"),
        e.is_not_found()
    )
}

fn path_id(id: &str) -> Result<PathId, Error> {
    PathId::new(id).map_err(|e| Error::from(BuildError::from(e)))
}

// Made once per case and read at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Ran {
    Call(Result<MrsAnswer, Error>),
    Walk(Vec<String>, Vec<usize>, Option<Error>),
    Rows(Result<Listing, Error>),
    Delete(Result<(otc_jobs_driver::Deleted, Result<WaitOutcome, Error>), Error>),
}

fn filters(set: &[(&str, &str)]) -> Result<Filters, Error> {
    let mut f = Filters::new(Kind::JobExecution);
    for (flag, value) in set {
        f.set(flag, *value).expect("a filter the kind takes");
    }
    Ok(f)
}

fn kind_id(text: &str) -> Result<KindId, Error> {
    Ok(Kind::JobExecution
        .parse_id(text)
        .expect("the case's id is a job-execution id"))
}

fn cluster_id(c: &otc_jobs_core::mrs::ListClustersCluster) -> String {
    c.cluster_id.clone().unwrap_or_else(|| "?".to_owned())
}

fn job_id(j: &otc_jobs_core::mrs::ListJobExecutionsV2JobList) -> String {
    j.job_id.clone().unwrap_or_else(|| "?".to_owned())
}

/// Expands to the run of `$run` on `$client`, with `.await` after each call for the async
/// client: one text for both clients. `$walk` walks a paginator into `Ran::Walk`.
macro_rules! run_with {
    ($client:expr, $run:expr, $walk:ident, $hook:expr $(, $aw:tt)?) => {
        match $run {
            MrsRun::ListClusters(r) => Ran::Call(
                $client.list_clusters(r.clone())$(.$aw)?.map(MrsAnswer::Clusters),
            ),
            MrsRun::ListJobs(c, make) => Ran::Call(match path_id(c) {
                Ok(c) => $client
                    .list_job_executions_v2(make(c))$(.$aw)?
                    .map(MrsAnswer::Jobs),
                Err(e) => Err(e),
            }),
            MrsRun::GetJob(c, j) => Ran::Call(match (path_id(c), path_id(j)) {
                (Ok(c), Ok(j)) => $client.get_job_execution_v2(c, j)$(.$aw)?.map(MrsAnswer::Job),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }),
            MrsRun::Kill(c, j) => Ran::Call(match (path_id(c), path_id(j)) {
                (Ok(c), Ok(j)) => $client
                    .kill_job_execution_v2(c, j)$(.$aw)?
                    .map(MrsAnswer::Killed),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }),
            MrsRun::BatchDelete(c, ids) => Ran::Call(match path_id(c) {
                Ok(c) => $client
                    .batch_delete_job_executions_v2(
                        c,
                        ids.iter().map(|s| (*s).to_owned()).collect(),
                    )$(.$aw)?
                    .map(MrsAnswer::Deleted),
                Err(e) => Err(e),
            }),
            MrsRun::WalkClusters(r) => $walk!($client, r.clone(), cluster_id, $hook $(, $aw)?),
            MrsRun::WalkJobs(c, make) => match path_id(c) {
                Ok(c) => $walk!($client, make(c), job_id, $hook $(, $aw)?),
                Err(e) => Ran::Walk(Vec::new(), Vec::new(), Some(e)),
            },
            MrsRun::ListRows(set) => Ran::Rows(match filters(set) {
                Ok(f) => $client.list_rows(&f)$(.$aw)?,
                Err(e) => Err(e),
            }),
            MrsRun::DeleteAndWait(text) => Ran::Delete(match kind_id(text) {
                Ok(id) => match $client.delete_id(&id)$(.$aw)? {
                    Ok(deleted) => Ok((deleted, $client.wait_id_gone(&id, fast())$(.$aw)?)),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }),
            MrsRun::DeleteWithin(text, ms) => Ran::Delete(match kind_id(text) {
                Ok(id) => {
                    let options = fast().max_wait(std::time::Duration::from_millis(*ms));
                    match $client.delete_id_with(&id, options)$(.$aw)? {
                        Ok(deleted) => Ok((deleted, $client.wait_id_gone(&id, fast())$(.$aw)?)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            }),
        }
    };
}

macro_rules! walk_blocking {
    ($client:expr, $request:expr, $id:ident, $hook:expr) => {{
        let (mut items, mut pages) = (Vec::new(), Vec::new());
        let mut error = None;
        for page in $client.pages($request) {
            match page {
                Ok(page) => {
                    pages.push(page.len());
                    items.extend(page.iter().map($id));
                    if pages.len() == 1 {
                        $hook;
                    }
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
    ($client:expr, $request:expr, $id:ident, $hook:expr, $aw:tt) => {{
        use futures_util::StreamExt;
        let (mut items, mut pages) = (Vec::new(), Vec::new());
        let mut error = None;
        let mut stream = std::pin::pin!($client.pages($request));
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => {
                    pages.push(page.len());
                    items.extend(page.iter().map($id));
                    if pages.len() == 1 {
                        $hook;
                    }
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
pub fn run_mrs_case(case: &MrsCase, flavour: Flavour) -> MrsOutcome {
    let defaults = EmulatorConfig::default();
    let emulator = Emulator::start(EmulatorConfig {
        worker_threads: 1,
        kill_delay: case.kill_delay.unwrap_or(defaults.kill_delay),
        ..defaults
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
            crate::runtime().block_on(async {
                run_with!(
                    client,
                    &case.run,
                    walk_async,
                    (case.after_first_page)(&emulator),
                    await
                )
            })
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = spec
                .builder(&emulator)
                .build()
                .expect("the blocking client builds");
            run_with!(
                client,
                &case.run,
                walk_blocking,
                (case.after_first_page)(&emulator)
            )
        }
    };
    let mut outcome = MrsOutcome {
        // A poll repeated while a job is being killed is one line: how many polls a wait
        // takes depends on timing, not on the client.
        requests: emulator
            .requests()
            .iter()
            .map(|r| {
                let mut line = format!("{} {}", r.method, r.path);
                if let Some(q) = &r.query {
                    line.push('?');
                    line.push_str(q);
                }
                if !r.request_body.is_empty() {
                    line.push(' ');
                    line.push_str(&r.request_body);
                }
                line
            })
            .fold(Vec::new(), |mut lines: Vec<String>, line| {
                if lines.last() != Some(&line) || !line.starts_with("GET ") {
                    lines.push(line);
                }
                lines
            }),
        remaining: emulator
            .jobs()
            .iter()
            .map(|j| {
                let state = match j {
                    SeedJob::JobExecutionV2 {
                        status: Some(s), ..
                    } => format!(" {}", s.as_str().unwrap_or("?")),
                    _ => String::new(),
                };
                format!("{} {}{state}", j.kind(), j.id())
            })
            .collect(),
        ..MrsOutcome::default()
    };
    match ran {
        Ran::Call(Ok(answer)) => outcome.answer = Some(answer),
        Ran::Call(Err(e)) => outcome.error = Some(error_text(&e)),
        Ran::Walk(items, pages, error) => {
            outcome.walked = items;
            outcome.pages = pages;
            outcome.error = error.as_ref().map(error_text);
        }
        Ran::Rows(Ok(listing)) => {
            // The async client reads several clusters' lists at once: the order its requests
            // arrive in is not the walk's; each request is compared, once, in any order.
            outcome.requests.sort();
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
            // The request id differs from run to run: left out.
            outcome.unreadable = listing
                .unreadable
                .iter()
                .map(|e| {
                    let text = e.to_string();
                    match (text.find(", request id "), text.find(')')) {
                        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]),
                        _ => text,
                    }
                })
                .collect();
        }
        Ran::Delete(Ok((deleted, waited))) => {
            outcome.stopped = Some(deleted.stopped);
            outcome.gone = Some(deleted.gone);
            match waited {
                Ok(WaitOutcome::Gone { .. }) => outcome.waited = Some("Gone".to_owned()),
                Ok(other) => outcome.waited = Some(format!("{other:?}")),
                Err(e) => outcome.error = Some(error_text(&e)),
            }
        }
        Ran::Rows(Err(e)) | Ran::Delete(Err(e)) => {
            outcome.error = Some(error_text(&e));
            outcome.error_message = e.message().map(without_times);
            outcome.error_request_id = e.request_id().is_some();
        }
    }
    outcome
}

/// `text` with each decimal number (`0.3`) as `N`: a time, which differs between runs.
fn without_times(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let after = &rest[digits..];
        if digits > 0
            && after.starts_with('.')
            && after[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            let frac = after[1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len() - 1);
            out.push('N');
            rest = &after[1 + frac..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
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
pub fn mrs_case(name: &str) -> Option<MrsCase> {
    mrs_cases().into_iter().find(|c| c.name == name)
}

fn nothing(_: &Emulator) {}

fn base(name: &'static str, run: MrsRun, expect: fn(&MrsOutcome)) -> MrsCase {
    MrsCase {
        name,
        setup: nothing,
        after_first_page: nothing,
        run,
        expect,
        kill_delay: None,
    }
}

fn answer(o: &MrsOutcome) -> &MrsAnswer {
    o.answer
        .as_ref()
        .unwrap_or_else(|| panic!("no answer: {:?}", o.error))
}

const T0: u64 = 1_700_000_000_000;
const C1: &str = "5a3f1c2e-0c5d-4c6a-9b1e-000000000001";
const C2: &str = "5a3f1c2e-0c5d-4c6a-9b1e-000000000002";
const PID: &str = otc_jobs_emulator::DEFAULT_PROJECT_ID;

/// Job `n` of cluster 1: a UUID, as MRS makes them.
fn job(n: u64) -> String {
    format!("981374c1-85da-44ee-be32-{n:012}")
}

/// Cluster 1: jobs 1 (running), 2 (finished), 3 (failed); cluster 2: job 4 (running).
fn seed_two_clusters(e: &Emulator) {
    let states = ["RUNNING", "FINISHED", "FAILED"];
    e.seed_many((1..=3u64).map(|n| {
        SeedJob::job_execution_v2(C1, job(n))
            .name(format!("etl-{n}"))
            .status(states[(n as usize - 1) % 3])
            .create_time(T0 + n * 1000)
    }));
    e.seed(
        SeedJob::job_execution_v2(C2, job(4))
            .name("report")
            .create_time(T0),
    );
}

/// Every case, in table order.
pub fn mrs_cases() -> Vec<MrsCase> {
    vec![
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "list_clusters",
                MrsRun::ListClusters(ListClusters::new().page_size(1).current_page(2)),
                |o| {
                    let MrsAnswer::Clusters(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(page.cluster_total.as_deref(), Some("2"));
                    let clusters = page.clusters.as_deref().unwrap_or_default();
                    // Oldest first: cluster 2 (job at T0), then cluster 1: page 2 is cluster 1.
                    assert_eq!(clusters.len(), 1);
                    assert_eq!(clusters[0].cluster_id.as_deref(), Some(C1));
                    assert_eq!(clusters[0].cluster_state.as_deref(), Some("running"));
                    assert_eq!(
                        o.requests,
                        [format!(
                            "GET /v1.1/{PID}/cluster_infos?currentPage=2&pageSize=1"
                        )]
                    );
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "list_job_executions_v2_answers_202",
                MrsRun::ListJobs(C1, |c| {
                    ListJobExecutionsV2::new(c)
                        .job_state("RUNNING")
                        .sort_by("asc")
                        .submitted_time_begin(T0 as i64)
                        .limit(10)
                        .offset(1)
                }),
                |o| {
                    let MrsAnswer::Jobs(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(page.total_record, Some(1));
                    let jobs = page.job_list.as_deref().unwrap_or_default();
                    assert_eq!(jobs.len(), 1);
                    assert_eq!(jobs[0].job_id, Some(job(1)));
                    assert_eq!(jobs[0].job_name.as_deref(), Some("etl-1"));
                    assert_eq!(jobs[0].submitted_time, Some((T0 + 1000) as i64));
                    // The arguments come as text, as the page's examples send them.
                    assert!(jobs[0].arguments.as_ref().is_some_and(|a| a.is_string()));
                    assert_eq!(o.requests.len(), 1);
                    assert!(
                        o.requests[0]
                            .starts_with(&format!("GET /v2/{PID}/clusters/{C1}/job-executions?"))
                    );
                    assert!(o.requests[0].contains("submitted_time_begin=1700000000000"));
                },
            )
        },
        base(
            "list_job_executions_v2_cluster_gone",
            MrsRun::ListJobs(C1, ListJobExecutionsV2::new),
            |o| {
                assert_eq!(
                    o.error.as_deref(),
                    Some("service 400 12000003 not_found=true")
                );
            },
        ),
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "get_job_execution_v2",
                MrsRun::GetJob(C1, "981374c1-85da-44ee-be32-000000000002"),
                |o| {
                    let MrsAnswer::Job(detail) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let d = detail.job_detail.as_ref().expect("job_detail, typed");
                    assert_eq!(d.job_state.as_deref(), Some("FINISHED"));
                    assert_eq!(d.job_result.as_deref(), Some("SUCCEEDED"));
                    assert_eq!(d.job_name.as_deref(), Some("etl-2"));
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "get_job_execution_v2_not_found_is_0176_500",
                // Job 4 is cluster 2's.
                MrsRun::GetJob(C1, "981374c1-85da-44ee-be32-000000000004"),
                |o| {
                    assert_eq!(o.error.as_deref(), Some("service 500 0176 not_found=true"));
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                // MRS writes the camel-case envelope too.
                e.add_fault(Fault::new(
                    "GET",
                    "/v2/*/clusters/*/job-executions/*",
                    FaultAction::respond(
                        404,
                        &[],
                        r#"{"errorCode":"0176","errorMsg":"The job does not exist."}"#,
                    ),
                ));
            },
            ..base(
                "get_job_execution_v2_camel_case_error_envelope",
                MrsRun::GetJob(C1, "981374c1-85da-44ee-be32-000000000001"),
                |o| {
                    assert_eq!(o.error.as_deref(), Some("service 404 0176 not_found=true"));
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "get_job_execution_v2_encodes_an_id_that_would_break_the_path",
                MrsRun::GetJob(C1, "../../v1.1/x"),
                |o| {
                    // One path segment, the slashes encoded: the service's own "no such job".
                    assert_eq!(
                        o.requests,
                        [format!(
                            "GET /v2/{PID}/clusters/{C1}/job-executions/..%2F..%2Fv1.1%2Fx"
                        )]
                    );
                    assert_eq!(o.error.as_deref(), Some("service 500 0176 not_found=true"));
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            // The kill itself: taking effect at once (the wait after it is another case's).
            kill_delay: Some(std::time::Duration::ZERO),
            ..base(
                "kill_job_execution_v2_kills_a_running_job",
                MrsRun::Kill(C1, "981374c1-85da-44ee-be32-000000000001"),
                |o| {
                    assert!(matches!(o.answer, Some(MrsAnswer::Killed(_))), "{o:?}");
                    assert!(
                        o.remaining
                            .contains(&format!("job-execution {C1}/{} KILLED", job(1))),
                        "{o:?}"
                    );
                    assert_eq!(
                        o.requests,
                        [format!(
                            "POST /v2/{PID}/clusters/{C1}/job-executions/{}/kill",
                            job(1)
                        )]
                    );
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "batch_delete_job_executions_v2_deletes_finished_jobs",
                MrsRun::BatchDelete(
                    C1,
                    &[
                        "981374c1-85da-44ee-be32-000000000002",
                        "981374c1-85da-44ee-be32-000000000003",
                    ],
                ),
                |o| {
                    assert!(matches!(o.answer, Some(MrsAnswer::Deleted(_))), "{o:?}");
                    assert_eq!(
                        o.remaining,
                        [
                            format!("job-execution {C1}/{} RUNNING", job(1)),
                            format!("job-execution {C2}/{}", job(4)),
                        ]
                    );
                    assert_eq!(
                        o.requests,
                        [format!(
                            r#"POST /v2/{PID}/clusters/{C1}/job-executions/batch-delete {{"job_id_list":["{}","{}"]}}"#,
                            job(2),
                            job(3)
                        )]
                    );
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "batch_delete_job_executions_v2_refuses_a_running_job",
                MrsRun::BatchDelete(
                    C1,
                    &[
                        "981374c1-85da-44ee-be32-000000000001",
                        "981374c1-85da-44ee-be32-000000000002",
                    ],
                ),
                |o| {
                    assert_eq!(o.error.as_deref(), Some("service 400 0183 not_found=false"));
                    assert_eq!(o.remaining.len(), 4, "nothing deleted: {o:?}");
                },
            )
        },
        MrsCase {
            setup: |e| {
                e.seed_many(
                    (1..=23u64).map(|n| {
                        SeedJob::mrs_cluster(format!("cluster-{n:03}")).create_time(T0 + n)
                    }),
                );
            },
            ..base(
                "cluster_list_walks_by_page_number",
                MrsRun::WalkClusters(ListClusters::new().page_size(10)),
                |o| {
                    assert_eq!(o.error, None);
                    assert_eq!(o.pages, [10, 10, 3]);
                    let expected: Vec<String> =
                        (1..=23).map(|n| format!("cluster-{n:03}")).collect();
                    assert_eq!(o.walked, expected);
                    assert!(
                        o.requests[0].ends_with("currentPage=1&pageSize=10"),
                        "{o:?}"
                    );
                    assert!(
                        o.requests[2].ends_with("currentPage=3&pageSize=10"),
                        "{o:?}"
                    );
                },
            )
        },
        MrsCase {
            setup: |e| {
                e.seed_many((1..=250u64).map(|n| {
                    SeedJob::job_execution_v2(C1, job(n))
                        .status("FINISHED")
                        .create_time(T0 + n)
                }));
            },
            ..base(
                "job_list_walks_250_by_page_number_from_1",
                MrsRun::WalkJobs(C1, ListJobExecutionsV2::new),
                |o| {
                    assert_eq!(o.error, None);
                    // The page maximum (100) unless the request sets a size.
                    assert_eq!(o.pages, [100, 100, 50]);
                    let mut seen = o.walked.clone();
                    seen.sort();
                    seen.dedup();
                    assert_eq!(seen.len(), 250, "each job once");
                    assert!(o.requests[0].contains("offset=1"), "{o:?}");
                    assert!(o.requests[2].contains("offset=3"), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                e.seed_many((5..=30u64).map(|n| SeedJob::job_execution_v2(C1, job(n))));
            },
            // The cluster is deleted after the first page.
            after_first_page: |e| {
                e.add_fault(
                    Fault::new(
                        "GET",
                        "/v2/*/clusters/*/job-executions",
                        FaultAction::respond(
                            400,
                            &[],
                            r#"{"errorCode":"12000003","errorMsg":"The cluster does not exist."}"#,
                        ),
                    )
                    .always(),
                );
            },
            ..base(
                "job_list_walk_ends_with_the_error_when_the_cluster_goes",
                MrsRun::WalkJobs(C1, |c| ListJobExecutionsV2::new(c).limit(10)),
                |o| {
                    assert_eq!(o.pages, [10]);
                    assert_eq!(
                        o.error.as_deref(),
                        Some("service 400 12000003 not_found=true")
                    );
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                e.seed(
                    SeedJob::mrs_cluster("5a3f1c2e-0c5d-4c6a-9b1e-000000000003")
                        .create_time(T0 + 9000),
                );
            },
            ..base(
                "job_execution_rows_walk_every_cluster",
                MrsRun::ListRows(&[]),
                |o| {
                    assert_eq!(o.error, None);
                    assert_eq!(
                        o.rows,
                        [
                            format!("{C2}/{} | report | RUNNING | {T0}", job(4)),
                            format!("{C1}/{} | etl-3 | FAILED | {}", job(3), T0 + 3000),
                            format!("{C1}/{} | etl-2 | FINISHED | {}", job(2), T0 + 2000),
                            format!("{C1}/{} | etl-1 | RUNNING | {}", job(1), T0 + 1000),
                        ]
                    );
                    assert!(o.unreadable.is_empty(), "{o:?}");
                    // The clusters (one page), then each cluster's jobs, the empty one too.
                    assert_eq!(o.requests.len(), 4, "{o:?}");
                    assert!(o.requests[0].starts_with(&format!("GET /v1.1/{PID}/cluster_infos?")));
                    for c in [C1, C2] {
                        let list = format!("GET /v2/{PID}/clusters/{c}/job-executions?");
                        assert!(o.requests.iter().any(|r| r.starts_with(&list)), "{o:?}");
                    }
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "job_execution_rows_cluster_id_narrows_and_filters_travel",
                MrsRun::ListRows(&[
                    ("cluster-id", "5a3f1c2e-0c5d-4c6a-9b1e-000000000001"),
                    ("status", "RUNNING"),
                    ("name", "etl"),
                ]),
                |o| {
                    assert_eq!(
                        o.rows,
                        [format!("{C1}/{} | etl-1 | RUNNING | {}", job(1), T0 + 1000)]
                    );
                    // No cluster list: the one cluster is walked, the filters in its query.
                    assert_eq!(o.requests.len(), 1, "{o:?}");
                    assert!(o.requests[0].contains("job_state=RUNNING"), "{o:?}");
                    assert!(o.requests[0].contains("job_name=etl"), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                // Cluster 1 is deleted between the cluster list and its jobs.
                e.add_fault(
                    Fault::new(
                        "GET",
                        format!("/v2/*/clusters/{C1}/job-executions"),
                        FaultAction::respond(
                            400,
                            &[],
                            r#"{"errorCode":"12000003","errorMsg":"The cluster does not exist."}"#,
                        ),
                    )
                    .always(),
                );
            },
            ..base(
                "job_execution_rows_a_cluster_gone_mid_walk_is_reported",
                MrsRun::ListRows(&[]),
                |o| {
                    assert_eq!(o.error, None, "the other clusters are still listed");
                    assert_eq!(
                        o.rows,
                        [format!("{C2}/{} | report | RUNNING | {T0}", job(4))]
                    );
                    assert_eq!(o.unreadable.len(), 1, "{o:?}");
                    assert!(
                        o.unreadable[0].starts_with(&format!(
                            "the job-execution list of cluster_id \"{C1}\" ended: "
                        )),
                        "{o:?}"
                    );
                    assert!(o.unreadable[0].contains("12000003"), "{o:?}");
                },
            )
        },
        MrsCase {
            // 12 clusters of 150 jobs (2 pages each); the sixth is gone when its jobs are
            // asked for. The async client reads 8 clusters at once, the blocking one one
            // after another: the same rows, in the same order, each once.
            setup: |e| {
                e.seed_many((0..12u64).flat_map(|c| {
                    (0..150u64).map(move |j| {
                        SeedJob::job_execution_v2(
                            format!("5a3f1c2e-0c5d-4c6a-9b1e-{:012}", 100 + c),
                            format!("981374c1-85da-44ee-{c:04}-{j:012}"),
                        )
                        .create_time(T0 + c * 1000 + j)
                    })
                }));
                e.add_fault(
                    Fault::new(
                        "GET",
                        "/v2/*/clusters/5a3f1c2e-0c5d-4c6a-9b1e-000000000105/job-executions",
                        FaultAction::respond(
                            400,
                            &[],
                            r#"{"errorCode":"12000003","errorMsg":"The cluster does not exist."}"#,
                        ),
                    )
                    .always(),
                );
            },
            ..base(
                "job_execution_rows_of_12_clusters_each_once_in_cluster_order",
                MrsRun::ListRows(&[]),
                |o| {
                    assert_eq!(o.error, None, "{:?}", o.unreadable);
                    assert_eq!(o.rows.len(), 11 * 150, "{:?}", o.unreadable);
                    let ids: std::collections::BTreeSet<&str> = o
                        .rows
                        .iter()
                        .map(|r| r.split(" | ").next().unwrap_or_default())
                        .collect();
                    assert_eq!(ids.len(), 11 * 150, "each job once");
                    // Cluster by cluster (the cluster list's order: oldest first), each
                    // cluster's jobs newest first.
                    let clusters: Vec<&str> = o
                        .rows
                        .iter()
                        .map(|r| r.split('/').next().unwrap_or_default())
                        .collect();
                    let mut runs = clusters.clone();
                    runs.dedup();
                    assert_eq!(runs.len(), 11, "each cluster's rows together: {runs:?}");
                    assert!(!runs.contains(&"5a3f1c2e-0c5d-4c6a-9b1e-000000000105"));
                    assert_eq!(o.unreadable.len(), 1, "{:?}", o.unreadable);
                    assert!(
                        o.unreadable[0].contains("000000000105"),
                        "{:?}",
                        o.unreadable
                    );
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            kill_delay: Some(std::time::Duration::from_millis(300)),
            ..base(
                "job_execution_running_is_killed_then_deleted",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000001",
                ),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    let detail = format!("GET /v2/{PID}/clusters/{C1}/job-executions/{}", job(1));
                    assert_eq!(
                        o.requests,
                        [
                            detail.clone(),
                            format!(
                                "POST /v2/{PID}/clusters/{C1}/job-executions/{}/kill",
                                job(1)
                            ),
                            // Polled (RUNNING, ..., KILLED) until it has stopped.
                            detail.clone(),
                            format!(
                                r#"POST /v2/{PID}/clusters/{C1}/job-executions/batch-delete {{"job_id_list":["{}"]}}"#,
                                job(1)
                            ),
                            detail,
                        ]
                    );
                    assert_eq!(o.stopped, Some(true), "{o:?}");
                    assert!(!o.remaining.iter().any(|r| r.contains(&job(1))), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            kill_delay: Some(std::time::Duration::ZERO),
            ..base(
                "job_execution_killed_at_once_is_deleted_after_one_poll",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000001",
                ),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(o.stopped, Some(true), "{o:?}");
                    let kinds: Vec<&str> = o
                        .requests
                        .iter()
                        .map(|r| r.rsplit('/').next().unwrap_or(""))
                        .map(|r| r.split(' ').next().unwrap_or(""))
                        .collect();
                    assert_eq!(
                        kinds,
                        [
                            job(1).as_str(),
                            "kill",
                            job(1).as_str(),
                            "batch-delete",
                            job(1).as_str()
                        ],
                        "{o:?}"
                    );
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                // The first look sees it running (a delay of 0: answered as it is); every
                // later look answers MRS's "no such job": it went by itself once killed.
                e.add_fault(Fault::new(
                    "GET",
                    "/v2/*/clusters/*/job-executions/*",
                    FaultAction::Delay { ms: 0 },
                ));
                e.add_fault(
                    Fault::new(
                        "GET",
                        "/v2/*/clusters/*/job-executions/*",
                        FaultAction::respond(
                            500,
                            &[],
                            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#,
                        ),
                    )
                    .always(),
                );
            },
            kill_delay: Some(std::time::Duration::from_secs(3600)),
            ..base(
                "job_execution_gone_by_itself_once_killed_is_gone_without_a_deletion",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000001",
                ),
                |o| {
                    assert_eq!(o.error, None, "{o:?}");
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!((o.stopped, o.gone), (Some(true), Some(true)), "{o:?}");
                    assert_eq!(
                        o.requests.iter().filter(|r| r.ends_with("/kill")).count(),
                        1,
                        "{o:?}"
                    );
                    assert!(
                        !o.requests.iter().any(|r| r.contains("batch-delete")),
                        "nothing is deleted: {o:?}"
                    );
                },
            )
        },
        MrsCase {
            setup: |e| {
                seed_two_clusters(e);
                // A deletion refused once although the job is over (the service's view lags).
                e.add_fault(
                    Fault::new(
                        "POST",
                        "/v2/*/clusters/*/job-executions/batch-delete",
                        FaultAction::respond(
                            400,
                            &[],
                            r#"{"error_code":"0183","error_msg":"The job is running."}"#,
                        ),
                    )
                    .times(1),
                );
            },
            ..base(
                "job_execution_deletion_refused_0183_once_is_sent_again",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000002",
                ),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(o.stopped, Some(false), "{o:?}");
                    let deletes = o
                        .requests
                        .iter()
                        .filter(|r| r.contains("batch-delete"))
                        .count();
                    assert_eq!(deletes, 2, "{o:?}");
                    assert!(!o.requests.iter().any(|r| r.ends_with("/kill")), "{o:?}");
                    assert!(!o.remaining.iter().any(|r| r.contains(&job(2))), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            kill_delay: Some(std::time::Duration::from_secs(3600)),
            ..base(
                "job_execution_that_never_stops_ends_with_0183_naming_its_status",
                MrsRun::DeleteWithin(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000001",
                    300,
                ),
                |o| {
                    assert_eq!(
                        o.error.as_deref(),
                        Some("service 400 0183 not_found=false"),
                        "{o:?}"
                    );
                    assert!(o.error_request_id, "{o:?}");
                    let message = o.error_message.as_deref().unwrap_or_default();
                    assert!(
                        message.starts_with("The job is running.")
                            && message.contains("killed, then still running (last status RUNNING)"),
                        "{o:?}"
                    );
                    // One kill; one deletion once the wait is spent; the job stays.
                    assert_eq!(
                        o.requests.iter().filter(|r| r.ends_with("/kill")).count(),
                        1
                    );
                    assert_eq!(
                        o.requests
                            .iter()
                            .filter(|r| r.contains("batch-delete"))
                            .count(),
                        1
                    );
                    assert!(o.remaining.iter().any(|r| r.contains(&job(1))), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "job_execution_finished_is_deleted_without_a_kill",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000001/981374c1-85da-44ee-be32-000000000002",
                ),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(o.requests.len(), 3, "detail, batch-delete, one poll: {o:?}");
                    assert!(!o.requests.iter().any(|r| r.ends_with("/kill")), "{o:?}");
                },
            )
        },
        MrsCase {
            setup: seed_two_clusters,
            ..base(
                "job_execution_in_a_gone_cluster_is_not_found",
                MrsRun::DeleteAndWait(
                    "5a3f1c2e-0c5d-4c6a-9b1e-000000000009/981374c1-85da-44ee-be32-000000000001",
                ),
                |o| {
                    assert_eq!(
                        o.error.as_deref(),
                        Some("service 400 12000003 not_found=true")
                    );
                    assert_eq!(o.requests.len(), 1, "nothing is killed or deleted: {o:?}");
                    assert_eq!(o.remaining.len(), 4);
                },
            )
        },
    ]
}
