//! The kind cases: the operations of the kinds added through `specs/kinds.toml`, called
//! through their generated client methods, and the kind table's dispatch (`list_rows`,
//! `delete_id`, `wait_id_gone`, `batch_delete`) over every kind. Each case runs with both
//! clients on a fresh emulator ([`run_kind_case`]); both must meet its expectation and
//! agree on the [`KindOutcome`]. The tests are in `tests/kinds.rs`.

// The table's expectations are test assertions: they panic, as a test does.
#![allow(clippy::panic, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use otc_jobs_core::dli::{
    DeleteFlinkTemplateResponse, ListFlinkTemplates, ListFlinkTemplatesResponse,
};
use otc_jobs_core::kinds::{Filters, Kind, KindBatch, KindId, Listing};
use otc_jobs_core::modelarts::{
    DeleteTrainingConfigResponse, DeleteTrainingJobV2Response, GetTrainingConfigResponse,
    GetTrainingJobV2Response, ListTrainingConfigs, ListTrainingConfigsResponse, ListTrainingJobsV2,
    ListTrainingJobsV2Response,
};
use otc_jobs_core::mrs::{
    DeleteJobBinaryResponse, DeleteJobObjectResponse, GetJobBinaryResponse, GetJobObjectResponse,
    ListJobBinaries, ListJobBinariesResponse, ListJobObjects, ListJobObjectsResponse,
};
use otc_jobs_core::{BuildError, Error, ErrorKind, PathId};
use otc_jobs_driver::{WaitOptions, WaitOutcome};
use otc_jobs_emulator::{Emulator, EmulatorConfig, Fault, FaultAction, SeedJob};

use crate::{ClientSpec, Flavour};

/// One kind case.
pub struct KindCase {
    /// The test's name.
    pub name: &'static str,
    /// The emulator's asynchronous deletion delay.
    pub delete_delay: Duration,
    /// Seeds jobs and adds faults.
    pub setup: fn(&Emulator),
    /// What to run.
    pub run: Run,
    /// Checks the outcome of one client.
    pub expect: fn(&KindOutcome),
}

/// What a case runs.
#[derive(Debug, Clone)]
pub enum Run {
    /// One call of a generated client method.
    Call(Call),
    /// `list_rows(filters)`.
    ListRows(Filters),
    /// `delete_id(id)`, then `wait_id_gone(id)`.
    DeleteAndWait(KindId),
    /// `wait_id_gone(id)` alone (`otc-jobs wait KIND ID`).
    Wait(KindId),
    /// `batch_delete(batch)`.
    Batch(KindBatch),
    /// `describe_id(id)`: one detail request (`otc-jobs delete|wait KIND ID` names it).
    Describe(KindId),
}

/// The generated operations of the kinds added through the kind table.
#[derive(Debug, Clone)]
pub enum Call {
    /// `list_training_jobs_v2(request)`.
    ListTrainingJobsV2(ListTrainingJobsV2),
    /// `get_training_job_v2(training_job_id)`.
    GetTrainingJobV2(&'static str),
    /// `delete_training_job_v2(training_job_id)`.
    DeleteTrainingJobV2(&'static str),
    /// `list_flink_templates(request)`.
    ListFlinkTemplates(ListFlinkTemplates),
    /// `delete_flink_template(template_id)`.
    DeleteFlinkTemplate(i64),
    /// `list_training_configs(request)`.
    ListTrainingConfigs(ListTrainingConfigs),
    /// `get_training_config(config_name)`.
    GetTrainingConfig(&'static str),
    /// `delete_training_config(config_name)`.
    DeleteTrainingConfig(&'static str),
    /// `list_job_objects(request)`.
    ListJobObjects(ListJobObjects),
    /// `get_job_object(job_id)`.
    GetJobObject(&'static str),
    /// `delete_job_object(job_id)`.
    DeleteJobObject(&'static str),
    /// `list_job_binaries(request)`.
    ListJobBinaries(ListJobBinaries),
    /// `get_job_binary(job_binary_id)`.
    GetJobBinary(&'static str),
    /// `delete_job_binary(job_binary_id)`.
    DeleteJobBinary(&'static str),
}

/// The typed answer of a [`Call`].
// A test's answers, compared once each: their sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A v2 training job search page.
    TrainingJobsV2(ListTrainingJobsV2Response),
    /// A v2 training job's details.
    TrainingJobV2(GetTrainingJobV2Response),
    /// A v2 training job deletion's answer (nothing documented).
    TrainingJobV2Deleted(DeleteTrainingJobV2Response),
    /// A Flink template list page.
    FlinkTemplates(ListFlinkTemplatesResponse),
    /// A Flink template deletion's answer.
    FlinkTemplateDeleted(DeleteFlinkTemplateResponse),
    /// A training job configuration list page.
    TrainingConfigs(ListTrainingConfigsResponse),
    /// A training job configuration's details.
    TrainingConfig(GetTrainingConfigResponse),
    /// A training job configuration deletion's answer.
    TrainingConfigDeleted(DeleteTrainingConfigResponse),
    /// A job object list page.
    JobObjects(ListJobObjectsResponse),
    /// A job object's details.
    JobObject(GetJobObjectResponse),
    /// A job object deletion's answer (204, no body).
    JobObjectDeleted(DeleteJobObjectResponse),
    /// A job binary list page.
    JobBinaries(ListJobBinariesResponse),
    /// A job binary's details.
    JobBinary(GetJobBinaryResponse),
    /// A job binary deletion's answer (204, no body).
    JobBinaryDeleted(DeleteJobBinaryResponse),
}

/// What a client reached, in the terms both clients must agree on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KindOutcome {
    /// The typed answer of a [`Run::Call`].
    pub answer: Option<Answer>,
    /// The rows of a [`Run::ListRows`], as `id | name | status | created (unix s)`.
    pub rows: Vec<String>,
    /// The listed items that were not rows.
    pub unreadable: Vec<String>,
    /// A wait's outcome (`Gone`, `TimedOut(..)`, ...), without its timing.
    pub waited: Option<String>,
    /// Each entry of a batch deletion's answer, as `true: message`.
    pub batch: Vec<String>,
    /// What `describe_id` said (`Some(Present { .. })`, `Some(Gone)`, `None`: no detail
    /// operation), as `Debug` writes it.
    pub described: Option<String>,
    /// The error that ended the run (kind, status, code).
    pub error: Option<String>,
    /// The requests the emulator received, as `METHOD path?query body` (a wait's polls
    /// depend on timing: only its first request and the deletion are kept).
    pub requests: Vec<String>,
    /// The jobs left in the emulator, as `kind id`.
    pub remaining: Vec<String>,
}

fn error_text(e: &Error) -> String {
    let kind = match e.kind() {
        ErrorKind::Service(_) => "service",
        ErrorKind::Response(_) => "response",
        ErrorKind::Transport(_) => "transport",
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

fn rows_text(listing: &Listing) -> (Vec<String>, Vec<String>) {
    let rows = listing
        .rows
        .iter()
        .map(|r| {
            let created = r
                .created
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or("-".to_owned(), |d| d.as_secs().to_string());
            format!(
                "{} | {} | {} | {created}",
                r.id,
                r.name.as_deref().unwrap_or("-"),
                r.status_text().as_deref().unwrap_or("-")
            )
        })
        .collect();
    let unreadable = listing.unreadable.iter().map(ToString::to_string).collect();
    (rows, unreadable)
}

fn waited_text(w: &WaitOutcome) -> String {
    match w {
        WaitOutcome::Gone { .. } => "Gone".to_owned(),
        WaitOutcome::Failed { status } => format!("Failed({status})"),
        WaitOutcome::TimedOut { last_status, .. } => format!("TimedOut({last_status:?})"),
        WaitOutcome::StillPresent { status } => format!("StillPresent({status:?})"),
        other => format!("{other:?}"),
    }
}

/// What a run returned, before it is read with the emulator's state.
// Made once per case and read at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Ran {
    Call(Result<Answer, Error>),
    Rows(Result<Listing, Error>),
    Wait(Result<WaitOutcome, Error>),
    Batch(Result<Vec<otc_jobs_core::kinds::BatchEntry>, Error>),
    Describe(Result<Option<otc_jobs_core::Described>, Error>),
}

/// Expands to the run of `$run` on `$client`, with `.await` after each call for the async
/// client: one text for both clients.
macro_rules! run_with {
    ($client:expr, $run:expr $(, $aw:tt)?) => {
        match $run {
            Run::Call(call) => Ran::Call(match call {
                Call::ListTrainingJobsV2(r) => $client
                    .list_training_jobs_v2(r.clone())$(.$aw)?
                    .map(Answer::TrainingJobsV2),
                Call::GetTrainingJobV2(id) => match path_id(id) {
                    Ok(id) => $client.get_training_job_v2(id)$(.$aw)?.map(Answer::TrainingJobV2),
                    Err(e) => Err(e),
                },
                Call::DeleteTrainingJobV2(id) => match path_id(id) {
                    Ok(id) => $client
                        .delete_training_job_v2(id)$(.$aw)?
                        .map(Answer::TrainingJobV2Deleted),
                    Err(e) => Err(e),
                },
                Call::ListFlinkTemplates(r) => $client
                    .list_flink_templates(r.clone())$(.$aw)?
                    .map(Answer::FlinkTemplates),
                Call::DeleteFlinkTemplate(id) => $client
                    .delete_flink_template(*id)$(.$aw)?
                    .map(Answer::FlinkTemplateDeleted),
                Call::ListTrainingConfigs(r) => $client
                    .list_training_configs(r.clone())$(.$aw)?
                    .map(Answer::TrainingConfigs),
                Call::GetTrainingConfig(name) => match path_id(name) {
                    Ok(name) => $client
                        .get_training_config(otc_jobs_core::modelarts::GetTrainingConfig::new(name))$(.$aw)?
                        .map(Answer::TrainingConfig),
                    Err(e) => Err(e),
                },
                Call::ListJobObjects(r) => $client
                    .list_job_objects(r.clone())$(.$aw)?
                    .map(Answer::JobObjects),
                Call::GetJobObject(id) => match path_id(id) {
                    Ok(id) => $client.get_job_object(id)$(.$aw)?.map(Answer::JobObject),
                    Err(e) => Err(e),
                },
                Call::DeleteJobObject(id) => match path_id(id) {
                    Ok(id) => $client.delete_job_object(id)$(.$aw)?.map(Answer::JobObjectDeleted),
                    Err(e) => Err(e),
                },
                Call::ListJobBinaries(r) => $client
                    .list_job_binaries(r.clone())$(.$aw)?
                    .map(Answer::JobBinaries),
                Call::GetJobBinary(id) => match path_id(id) {
                    Ok(id) => $client.get_job_binary(id)$(.$aw)?.map(Answer::JobBinary),
                    Err(e) => Err(e),
                },
                Call::DeleteJobBinary(id) => match path_id(id) {
                    Ok(id) => $client.delete_job_binary(id)$(.$aw)?.map(Answer::JobBinaryDeleted),
                    Err(e) => Err(e),
                },
                Call::DeleteTrainingConfig(name) => match path_id(name) {
                    Ok(name) => $client
                        .delete_training_config(name)$(.$aw)?
                        .map(Answer::TrainingConfigDeleted),
                    Err(e) => Err(e),
                },
            }),
            Run::ListRows(filters) => Ran::Rows($client.list_rows(filters)$(.$aw)?),
            Run::DeleteAndWait(id) => Ran::Wait(match $client.delete_id(id)$(.$aw)? {
                Ok(_) => $client.wait_id_gone(id, fast())$(.$aw)?,
                Err(e) => Err(e),
            }),
            Run::Wait(id) => Ran::Wait($client.wait_id_gone(id, fast())$(.$aw)?),
            Run::Batch(batch) => Ran::Batch($client.batch_delete(batch)$(.$aw)?),
            Run::Describe(id) => Ran::Describe($client.describe_id(id)$(.$aw)?),
        }
    };
}

/// Runs `case` with one client on a fresh emulator. Panics (as a test does) when the
/// emulator, the runtime or the client cannot start.
pub fn run_kind_case(case: &KindCase, flavour: Flavour) -> KindOutcome {
    let emulator = Emulator::start(EmulatorConfig {
        delete_delay: case.delete_delay,
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
            crate::runtime().block_on(async { run_with!(client, &case.run, await) })
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = spec
                .builder(&emulator)
                .build()
                .expect("the blocking client builds");
            run_with!(client, &case.run)
        }
    };
    read(ran, &emulator)
}

fn read(ran: Ran, emulator: &Emulator) -> KindOutcome {
    let mut outcome = KindOutcome {
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
            .collect(),
        remaining: emulator
            .jobs()
            .iter()
            .map(|j| format!("{} {}", j.kind(), j.id()))
            .collect(),
        ..KindOutcome::default()
    };
    match ran {
        Ran::Call(Ok(answer)) => outcome.answer = Some(answer),
        Ran::Rows(Ok(listing)) => (outcome.rows, outcome.unreadable) = rows_text(&listing),
        Ran::Wait(Ok(w)) => {
            outcome.waited = Some(waited_text(&w));
            // The polls depend on timing: keep the deletion and the first poll.
            let mut polls = 0;
            outcome.requests.retain(|r| {
                if r.starts_with("GET ") {
                    polls += 1;
                    polls == 1
                } else {
                    true
                }
            });
        }
        Ran::Batch(Ok(entries)) => {
            outcome.batch = entries
                .iter()
                .map(|e| format!("{}: {}", e.is_success, e.message.as_deref().unwrap_or("-")))
                .collect();
        }
        Ran::Describe(Ok(described)) => outcome.described = Some(format!("{described:?}")),
        Ran::Call(Err(e))
        | Ran::Rows(Err(e))
        | Ran::Wait(Err(e))
        | Ran::Batch(Err(e))
        | Ran::Describe(Err(e)) => {
            outcome.error = Some(error_text(&e));
        }
    }
    outcome
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .delays(Duration::from_millis(10), Duration::from_millis(50))
        .max_wait(Duration::from_secs(10))
}

/// The case called `name`.
pub fn kind_case(name: &str) -> Option<KindCase> {
    kind_cases().into_iter().find(|c| c.name == name)
}

fn nothing(_: &Emulator) {}

fn base(name: &'static str, run: Run, expect: fn(&KindOutcome)) -> KindCase {
    KindCase {
        name,
        delete_delay: Duration::ZERO,
        setup: nothing,
        run,
        expect,
    }
}

fn answer(o: &KindOutcome) -> &Answer {
    o.answer
        .as_ref()
        .unwrap_or_else(|| panic!("no answer: {:?}", o.error))
}

fn filters(kind: Kind, set: &[(&str, &str)]) -> Filters {
    let mut f = Filters::new(kind);
    for (flag, value) in set {
        f.set(flag, *value).expect("a filter the kind takes");
    }
    f
}

/// A v2 training job id: a UUID, as ModelArts makes them.
fn v2_id(n: u64) -> String {
    format!("3faf5c03-aaa1-4cbe-879d-{n:012}")
}

const V2_ID: &str = "3faf5c03-aaa1-4cbe-879d-24b05d997347";
const DAY_MS: u64 = 86_400_000;
const T0: u64 = 1_700_000_000_000;

fn seed_v2_mix(e: &Emulator) {
    let phases = ["Running", "Completed", "Failed"];
    e.seed_many((0..9u64).map(|n| {
        let name = if n % 2 == 0 { "nightly" } else { "adhoc" };
        SeedJob::training_job_v2(v2_id(n))
            .name(format!("{name}-{n}"))
            .status(phases[n as usize % 3])
            .create_time(T0 + n * DAY_MS)
    }));
}

/// Every case, in table order.
pub fn kind_cases() -> Vec<KindCase> {
    let mut cases = training_job_v2();
    cases.extend(flink_templates());
    cases.extend(training_configs());
    cases.extend(mrs_objects());
    cases.extend(dispatch());
    cases
}

fn training_job_v2() -> Vec<KindCase> {
    vec![
        KindCase {
            setup: seed_v2_mix,
            ..base(
                "list_training_jobs_v2",
                Run::Call(Call::ListTrainingJobsV2(
                    ListTrainingJobsV2::new().limit(4).offset(1),
                )),
                |o| {
                    let Answer::TrainingJobsV2(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!((page.total, page.count), (Some(9), Some(9)));
                    let items = page.items.as_deref().unwrap_or_default();
                    // Newest first (create_time, desc), page index 1 of 4: jobs 4..1.
                    let ids: Vec<_> = items
                        .iter()
                        .filter_map(|i| i.metadata.as_ref()?.id.clone())
                        .collect();
                    assert_eq!(ids, [v2_id(4), v2_id(3), v2_id(2), v2_id(1)]);
                    let phase = items[0].status.as_ref().and_then(|s| s.phase.as_deref());
                    assert_eq!(phase, Some("Completed"));
                    assert_eq!(
                        o.requests,
                        [
                            r#"POST /v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-job-searches {"offset":1,"limit":4}"#
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(
                    SeedJob::training_job_v2(V2_ID)
                        .name("trainjob-1")
                        .status("Running")
                        .create_time(T0),
                );
            },
            ..base(
                "get_training_job_v2",
                Run::Call(Call::GetTrainingJobV2(V2_ID)),
                |o| {
                    let Answer::TrainingJobV2(job) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let metadata = job.metadata.as_ref().expect("metadata, typed");
                    assert_eq!(metadata.id.as_deref(), Some(V2_ID));
                    assert_eq!(metadata.name.as_deref(), Some("trainjob-1"));
                    assert_eq!(metadata.create_time, Some(T0 as i64));
                    let status = job.status.as_ref().expect("status, typed");
                    assert_eq!(status.phase.as_deref(), Some("Running"));
                    assert!(
                        job.spec
                            .as_ref()
                            .and_then(|s| s.resource.as_ref())
                            .is_some()
                    );
                    assert!(job.algorithm.is_some());
                },
            )
        },
        KindCase {
            setup: |e| e.seed(SeedJob::training_job_v2(V2_ID)),
            ..base(
                "delete_training_job_v2_answers_202",
                Run::Call(Call::DeleteTrainingJobV2(V2_ID)),
                |o| {
                    assert!(
                        matches!(o.answer, Some(Answer::TrainingJobV2Deleted(_))),
                        "{o:?}"
                    );
                    assert!(o.remaining.is_empty(), "{o:?}");
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(SeedJob::training_job_v2(V2_ID));
                // The deletion happens; the answer is a 202 without any body.
                e.add_fault(
                    Fault::new(
                        "DELETE",
                        "/v2/*/training-jobs/*",
                        FaultAction::respond(202, &[], ""),
                    )
                    .apply_first(),
                );
            },
            ..base(
                "delete_training_job_v2_empty_202_is_success",
                Run::Call(Call::DeleteTrainingJobV2(V2_ID)),
                |o| {
                    assert!(
                        matches!(o.answer, Some(Answer::TrainingJobV2Deleted(_))),
                        "{o:?}"
                    );
                    assert!(o.remaining.is_empty(), "{o:?}");
                },
            )
        },
        base(
            "get_training_job_v2_not_found",
            Run::Call(Call::GetTrainingJobV2(V2_ID)),
            |o| {
                assert_eq!(
                    o.error.as_deref(),
                    Some("service 404 ModelArts.2775 not_found=true")
                );
            },
        ),
        base(
            "delete_training_job_v2_not_found",
            Run::Call(Call::DeleteTrainingJobV2(V2_ID)),
            |o| {
                assert_eq!(
                    o.error.as_deref(),
                    Some("service 404 ModelArts.2775 not_found=true")
                );
            },
        ),
        KindCase {
            setup: |e| {
                e.seed_many(
                    (0..120).map(|n| SeedJob::training_job_v2(v2_id(n)).create_time(T0 + n * 1000)),
                );
            },
            ..base(
                "training_job_rows_walk_the_search_by_body_pages",
                Run::ListRows(Filters::new(Kind::TrainingJob)),
                |o| {
                    assert_eq!(o.rows.len(), 120, "{:?}", o.unreadable);
                    let mut ids: Vec<&str> = o
                        .rows
                        .iter()
                        .filter_map(|r| r.split(" | ").next())
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    assert_eq!(ids.len(), 120, "every job exactly once");
                    assert!(
                        o.rows[0].ends_with(&format!("| Completed | {}", (T0 + 119_000) / 1000)),
                        "{}",
                        o.rows[0]
                    );
                    let bodies: Vec<&str> = o
                        .requests
                        .iter()
                        .filter_map(|r| r.split_once(" {").map(|(_, b)| b))
                        .collect();
                    assert_eq!(
                        bodies,
                        [
                            r#""offset":0,"limit":50}"#,
                            r#""offset":1,"limit":50}"#,
                            r#""offset":2,"limit":50}"#
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_v2_mix,
            ..base(
                "training_job_filters_travel_in_the_search_body",
                Run::ListRows(filters(
                    Kind::TrainingJob,
                    &[
                        ("status", "Running,Failed"),
                        ("name", "NIGHT"),
                        ("order", "asc"),
                    ],
                )),
                |o| {
                    // nightly-N for even N; Running is N%3==0, Failed N%3==2: 0, 2, 6, 8.
                    let names: Vec<&str> = o
                        .rows
                        .iter()
                        .filter_map(|r| r.split(" | ").nth(1))
                        .collect();
                    assert_eq!(names, ["nightly-0", "nightly-2", "nightly-6", "nightly-8"]);
                    let body = o.requests[0].split_once(' ').map(|(_, r)| r).unwrap_or("");
                    assert!(
                        body.contains(r#""filters":[{"key":"phase","operator":"in","value":["Running","Failed"]},{"key":"name","operator":"like","value":["NIGHT"]}]"#),
                        "{body}"
                    );
                    assert!(
                        body.contains(r#""sort_by":"create_time""#)
                            && body.contains(r#""order":"asc""#),
                        "{body}"
                    );
                },
            )
        },
        KindCase {
            setup: |e| {
                seed_v2_mix(e);
                // The first search is lost before an answer: a POST, resent because the
                // operation only reads.
                e.add_fault(Fault::new(
                    "POST",
                    "/v2/*/training-job-searches",
                    FaultAction::Close {
                        after_processing: false,
                    },
                ));
            },
            ..base(
                "training_job_search_is_resent_after_a_lost_answer",
                Run::ListRows(Filters::new(Kind::TrainingJob)),
                |o| {
                    assert_eq!(o.rows.len(), 9, "{o:?}");
                    assert_eq!(o.requests.len(), 2, "{:?}", o.requests);
                },
            )
        },
        KindCase {
            delete_delay: Duration::from_millis(150),
            setup: |e| e.seed(SeedJob::training_job_v2(V2_ID).status("Running")),
            ..base(
                "training_job_deleted_then_waited_until_not_found",
                Run::DeleteAndWait(KindId::TrainingJob(PathId::new(V2_ID).expect("an id"))),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(
                        o.requests,
                        [
                            format!(
                                "DELETE /v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-jobs/{V2_ID}"
                            ),
                            format!(
                                "GET /v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-jobs/{V2_ID}"
                            ),
                        ]
                    );
                    assert!(o.remaining.is_empty());
                },
            )
        },
        // A search item without an id is reported, not dropped.
        {
            KindCase {
                setup: |e| {
                    e.add_fault(Fault::new(
                        "POST",
                        "/v2/*/training-job-searches",
                        FaultAction::respond(
                            200,
                            &[("Content-Type", "application/json")],
                            r#"{"total": 2, "count": 2, "items": [{"metadata": {"name": "no-id"}}, {"metadata": {"id": "a1", "name": "ok"}}]}"#,
                        ),
                    ));
                },
                ..base(
                    "training_job_item_without_id_is_reported",
                    Run::ListRows(Filters::new(Kind::TrainingJob)),
                    |o| {
                        assert_eq!(o.rows, ["a1 | ok | - | -"]);
                        assert_eq!(o.unreadable, ["a listed training-job has no metadata.id"]);
                    },
                )
            }
        },
    ]
}

fn seed_templates(e: &Emulator) {
    e.seed_many((1..=5u64).map(|n| {
        let t = SeedJob::flink_template(n)
            .name(if n % 2 == 1 {
                format!("etl-{n}")
            } else {
                format!("report-{n}")
            })
            .create_time(T0 + n * DAY_MS);
        if n <= 2 { t.tag("team", "data") } else { t }
    }));
}

fn flink_templates() -> Vec<KindCase> {
    vec![
        KindCase {
            setup: seed_templates,
            ..base(
                "list_flink_templates",
                Run::Call(Call::ListFlinkTemplates(
                    ListFlinkTemplates::new().limit(2).offset(1).order("asc"),
                )),
                |o| {
                    let Answer::FlinkTemplates(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(
                        page.is_success,
                        Some(true),
                        "the string \"true\" reads as true"
                    );
                    let list = page.template_list.as_ref().expect("template_list");
                    assert_eq!(list.total_count, Some(5));
                    let ids: Vec<Option<i64>> = list
                        .templates
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .map(|t| t.template_id)
                        .collect();
                    assert_eq!(ids, [Some(2), Some(3)]);
                    assert_eq!(
                        o.requests,
                        [
                            "GET /v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/job-templates?limit=2&offset=1&order=asc"
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_templates,
            ..base(
                "delete_flink_template",
                Run::Call(Call::DeleteFlinkTemplate(2)),
                |o| {
                    let Answer::FlinkTemplateDeleted(d) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(d.is_success, Some(true));
                    assert_eq!(d.template.as_ref().and_then(|t| t.template_id), Some(2));
                    assert_eq!(o.remaining.len(), 4);
                    assert!(!o.remaining.contains(&"flink-template 2".to_owned()));
                },
            )
        },
        base(
            "delete_flink_template_not_found",
            Run::Call(Call::DeleteFlinkTemplate(77)),
            |o| {
                assert_eq!(
                    o.error.as_deref(),
                    Some("service 400 DLI.0002 not_found=true")
                );
            },
        ),
        KindCase {
            setup: |e| {
                e.seed_many((1..=250u64).map(|n| SeedJob::flink_template(n).create_time(T0 + n)));
            },
            ..base(
                "flink_template_rows_walk_250_by_offset",
                Run::ListRows(Filters::new(Kind::FlinkTemplate)),
                |o| {
                    assert_eq!(o.rows.len(), 250);
                    let mut ids: Vec<&str> = o
                        .rows
                        .iter()
                        .filter_map(|r| r.split(" | ").next())
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    assert_eq!(ids.len(), 250, "every template exactly once");
                    assert_eq!(
                        o.rows[0],
                        format!("250 | template-250 | - | {}", (T0 + 250) / 1000)
                    );
                    let queries: Vec<&str> = o
                        .requests
                        .iter()
                        .filter_map(|r| r.split_once('?').map(|(_, q)| q))
                        .collect();
                    assert_eq!(
                        queries,
                        [
                            "limit=100&offset=0",
                            "limit=100&offset=100",
                            "limit=100&offset=200"
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_templates,
            ..base(
                "flink_template_filters_select",
                Run::ListRows(filters(
                    Kind::FlinkTemplate,
                    &[("name", "ETL"), ("tags", "team=data"), ("order", "asc")],
                )),
                |o| {
                    assert_eq!(
                        o.rows,
                        [format!("1 | etl-1 | - | {}", (T0 + DAY_MS) / 1000)]
                    );
                    assert_eq!(
                        o.requests,
                        [
                            "GET /v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/job-templates?limit=100&name=ETL&offset=0&order=asc&tags=team%3Ddata"
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_templates,
            ..base(
                "flink_template_deletion_confirmed_by_the_list",
                Run::DeleteAndWait(KindId::FlinkTemplate(3)),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(
                        o.requests,
                        [
                            "DELETE /v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/job-templates/3",
                            "GET /v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/job-templates?limit=100&offset=0",
                        ]
                    );
                    assert_eq!(o.remaining.len(), 4);
                },
            )
        },
    ]
}

/// A configuration name that must survive the path: a space, a slash, a percent sign.
const ODD_NAME: &str = "my config/v1 100%";

fn seed_configs(e: &Emulator) {
    e.seed_many(
        ["alpha", "beta", "gamma", ODD_NAME]
            .iter()
            .enumerate()
            .map(|(n, name)| {
                SeedJob::training_config_v1(*name).create_time(T0 + n as u64 * DAY_MS)
            }),
    );
    // A sample configuration: the list shows custom ones unless asked.
    e.seed(SeedJob::TrainingConfigV1 {
        config_name: "sample-1".into(),
        create_time: Some(T0),
        config_type: Some("sample".into()),
    });
}

fn training_configs() -> Vec<KindCase> {
    vec![
        KindCase {
            setup: seed_configs,
            ..base(
                "list_training_configs",
                Run::Call(Call::ListTrainingConfigs(
                    ListTrainingConfigs::new().per_page(2).page(1).order("asc"),
                )),
                |o| {
                    let Answer::TrainingConfigs(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(page.config_total_count, Some(4));
                    let names: Vec<Option<&str>> = page
                        .configs
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .map(|c| c.config_name.as_deref())
                        .collect();
                    assert_eq!(names, [Some("alpha"), Some("beta")]);
                },
            )
        },
        KindCase {
            setup: seed_configs,
            ..base(
                "get_training_config_with_an_odd_name",
                Run::Call(Call::GetTrainingConfig(ODD_NAME)),
                |o| {
                    let Answer::TrainingConfig(c) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(c.config_name.as_deref(), Some(ODD_NAME));
                    assert_eq!(
                        o.requests,
                        [
                            "GET /v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-job-configs/my%20config%2Fv1%20100%25"
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_configs,
            ..base(
                "delete_training_config",
                Run::Call(Call::DeleteTrainingConfig(ODD_NAME)),
                |o| {
                    let Answer::TrainingConfigDeleted(d) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(d.is_success, Some(true));
                    assert!(
                        !o.remaining.iter().any(|r| r.contains("my config")),
                        "{o:?}"
                    );
                    assert_eq!(o.remaining.len(), 4);
                },
            )
        },
        base(
            "get_training_config_not_found",
            Run::Call(Call::GetTrainingConfig("nope")),
            |o| {
                assert_eq!(
                    o.error.as_deref(),
                    Some("service 404 ModelArts.0105 not_found=true")
                );
            },
        ),
        KindCase {
            setup: |e| {
                e.seed_many((0..1050u64).map(|n| {
                    SeedJob::training_config_v1(format!("cfg-{n:04}")).create_time(T0 + n * 1000)
                }));
            },
            ..base(
                "training_config_rows_walk_1050_by_page_number",
                Run::ListRows(filters(Kind::TrainingConfigV1, &[("order", "desc")])),
                |o| {
                    assert_eq!(o.rows.len(), 1050);
                    assert_eq!(
                        o.rows[0],
                        format!("cfg-1049 | cfg-1049 | - | {}", (T0 + 1_049_000) / 1000)
                    );
                    let queries: Vec<&str> = o
                        .requests
                        .iter()
                        .filter_map(|r| r.split_once('?').map(|(_, q)| q))
                        .collect();
                    assert_eq!(
                        queries,
                        [
                            "order=desc&page=1&per_page=1000&sortBy=create_time",
                            "order=desc&page=2&per_page=1000&sortBy=create_time"
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_configs,
            ..base(
                "training_config_deletion_confirmed_by_one_poll",
                Run::DeleteAndWait(KindId::TrainingConfigV1(
                    PathId::new("beta").expect("an id"),
                )),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(o.requests.len(), 2, "{:?}", o.requests);
                },
            )
        },
    ]
}

const JOB_ID: &str = "38a04cba-c113-4868-b11f-f50e8b1bf252";
const BINARY_ID: &str = "da37b581-042f-4d7a-9378-f628f32bd9ae";

fn seed_objects(e: &Emulator) {
    e.seed_many((0..5u64).map(|n| {
        SeedJob::job_v1(format!("job-{n}"))
            .name(format!("mr-{n}"))
            .create_time(T0 + n * DAY_MS)
    }));
    e.seed(
        SeedJob::job_v1(JOB_ID)
            .name("my-mapreduce-job")
            .create_time(T0),
    );
    e.seed_many(
        (0..3u64).map(|n| SeedJob::job_binary_v1(format!("bin-{n}")).create_time(T0 + n * DAY_MS)),
    );
    e.seed(
        SeedJob::job_binary_v1(BINARY_ID)
            .name("my-job-binary")
            .create_time(T0),
    );
}

fn mrs_objects() -> Vec<KindCase> {
    vec![
        KindCase {
            setup: seed_objects,
            ..base(
                "list_job_objects",
                Run::Call(Call::ListJobObjects(
                    ListJobObjects::new().limit(2).sort_by("name"),
                )),
                |o| {
                    let Answer::JobObjects(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let names: Vec<Option<&str>> = page
                        .jobs
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .map(|j| j.name.as_deref())
                        .collect();
                    assert_eq!(names, [Some("mr-0"), Some("mr-1")]);
                    let next = page.markers.as_ref().and_then(|m| m.next.as_deref());
                    assert_eq!(next, Some("job-1"));
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "get_job_object",
                Run::Call(Call::GetJobObject(JOB_ID)),
                |o| {
                    let Answer::JobObject(j) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let job = j.job.as_ref().expect("the job member");
                    assert_eq!(job.id.as_deref(), Some(JOB_ID));
                    assert_eq!(job.name.as_deref(), Some("my-mapreduce-job"));
                    assert_eq!(job.created_at.as_deref(), Some("2023-11-14T22:13:20"));
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "delete_job_object_answers_204",
                Run::Call(Call::DeleteJobObject(JOB_ID)),
                |o| {
                    assert!(
                        matches!(o.answer, Some(Answer::JobObjectDeleted(_))),
                        "{o:?}"
                    );
                    assert!(!o.remaining.contains(&format!("job-v1 {JOB_ID}")));
                },
            )
        },
        base(
            "get_job_object_not_found",
            Run::Call(Call::GetJobObject(JOB_ID)),
            |o| {
                assert_eq!(o.error.as_deref(), Some("service 500 0176 not_found=true"));
            },
        ),
        KindCase {
            setup: |e| {
                e.seed_many(
                    (0..2100u64)
                        .map(|n| SeedJob::job_v1(format!("job-{n:05}")).create_time(T0 + n * 1000)),
                );
            },
            ..base(
                "job_v1_rows_walk_2100_by_marker",
                Run::ListRows(filters(Kind::JobV1, &[("order", "asc")])),
                |o| {
                    assert_eq!(o.rows.len(), 2100);
                    assert_eq!(
                        o.rows[0],
                        format!("job-00000 | job-job-00000 | - | {}", T0 / 1000)
                    );
                    let queries: Vec<&str> = o
                        .requests
                        .iter()
                        .filter_map(|r| r.split_once('?').map(|(_, q)| q))
                        .collect();
                    assert_eq!(
                        queries,
                        [
                            "limit=1000&sort_by=created_at",
                            "limit=1000&marker=job-00999&sort_by=created_at",
                            "limit=1000&marker=job-01999&sort_by=created_at",
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "job_v1_deletion_confirmed_by_one_poll",
                Run::DeleteAndWait(KindId::JobV1(PathId::new(JOB_ID).expect("an id"))),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(o.requests.len(), 2);
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "list_job_binaries",
                Run::Call(Call::ListJobBinaries(
                    ListJobBinaries::new().sort_by("-created_at"),
                )),
                |o| {
                    let Answer::JobBinaries(page) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let ids: Vec<Option<&str>> = page
                        .binaries
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .map(|b| b.id.as_deref())
                        .collect();
                    // Newest first; the two created together by id, in the same direction.
                    assert_eq!(
                        ids,
                        [Some("bin-2"), Some("bin-1"), Some(BINARY_ID), Some("bin-0")]
                    );
                    assert_eq!(page.markers.as_ref().and_then(|m| m.next.clone()), None);
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "get_job_binary",
                Run::Call(Call::GetJobBinary(BINARY_ID)),
                |o| {
                    let Answer::JobBinary(b) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let binary = b.job_binary.as_ref().expect("the job_binary member");
                    assert_eq!(binary.name.as_deref(), Some("my-job-binary"));
                    assert_eq!(
                        binary.url.as_deref(),
                        Some("/simple/mapreduce/my-job-binary")
                    );
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "delete_job_binary_answers_204",
                Run::Call(Call::DeleteJobBinary(BINARY_ID)),
                |o| {
                    assert!(
                        matches!(o.answer, Some(Answer::JobBinaryDeleted(_))),
                        "{o:?}"
                    );
                    assert!(!o.remaining.contains(&format!("job-binary-v1 {BINARY_ID}")));
                },
            )
        },
        base(
            "delete_job_binary_not_found",
            Run::Call(Call::DeleteJobBinary(BINARY_ID)),
            |o| {
                assert_eq!(o.error.as_deref(), Some("service 500 0176 not_found=true"));
            },
        ),
        KindCase {
            setup: seed_objects,
            ..base(
                "job_binary_v1_rows_and_deletion",
                Run::DeleteAndWait(KindId::JobBinaryV1(PathId::new("bin-1").expect("an id"))),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!(
                        o.requests,
                        [
                            "DELETE /v1.1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/job-binaries/bin-1",
                            "GET /v1.1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/job-binaries/bin-1",
                        ]
                    );
                },
            )
        },
        KindCase {
            setup: seed_objects,
            ..base(
                "job_binary_v1_rows",
                Run::ListRows(Filters::new(Kind::JobBinaryV1)),
                |o| {
                    assert_eq!(o.rows.len(), 4);
                    assert_eq!(
                        o.rows[2],
                        format!("{BINARY_ID} | my-job-binary | - | {}", T0 / 1000)
                    );
                },
            )
        },
    ]
}

/// The dispatch over the kinds the table had before: rows with names and statuses.
fn dispatch() -> Vec<KindCase> {
    vec![
        KindCase {
            setup: |e| {
                e.seed(SeedJob::training_job(10).name("a").versions([1, 2]));
                e.seed(SeedJob::training_job(20).name("b").versions([3]));
            },
            ..base(
                "versions_of_one_job_with_its_parent_filter",
                Run::ListRows(filters(Kind::TrainingJobVersionV1, &[("job-id", "10")])),
                |o| {
                    let ids: Vec<&str> = o
                        .rows
                        .iter()
                        .filter_map(|r| r.split(" | ").next())
                        .collect();
                    assert_eq!(ids, ["10/2", "10/1"], "{o:?}"); // newest first, as ModelArts lists
                    // The one job's versions alone: no list of jobs, job 20 never walked.
                    assert_eq!(o.requests.len(), 1, "{:?}", o.requests);
                    assert!(
                        o.requests[0].contains("/training-jobs/10/versions"),
                        "{:?}",
                        o.requests
                    );
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(SeedJob::training_job(10).versions([1]));
            },
            ..base(
                "a_parent_filter_that_is_no_parent_id_is_refused_unsent",
                Run::ListRows(filters(Kind::TrainingJobVersionV1, &[("job-id", "ten")])),
                |o| {
                    // A build error (`BuildError::InvalidFilter`), before any request.
                    assert_eq!(
                        o.error.as_deref(),
                        Some("other 0 - not_found=false"),
                        "{o:?}"
                    );
                    assert!(o.requests.is_empty(), "{:?}", o.requests);
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(
                    SeedJob::job_execution("exec-1")
                        .name("etl")
                        .status("SUCCEEDED")
                        .create_time(T0),
                );
            },
            ..base(
                "job_execution_v1_rows_have_name_and_status",
                Run::ListRows(Filters::new(Kind::JobExecutionV1)),
                |o| {
                    assert_eq!(
                        o.rows,
                        [format!("exec-1 | etl | SUCCEEDED | {}", T0 / 1000)]
                    )
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(
                    SeedJob::training_job(10)
                        .name("resnet")
                        .status(10)
                        .create_time(T0)
                        .versions([1, 2]),
                );
            },
            ..base(
                "training_job_version_v1_rows_walk_each_job",
                Run::ListRows(filters(Kind::TrainingJobVersionV1, &[("status", "10")])),
                |o| {
                    assert_eq!(
                        o.rows,
                        [
                            format!("10/2 | V0002 | 10 (completed) | {}", T0 / 1000),
                            format!("10/1 | V0001 | 10 (completed) | {}", T0 / 1000),
                        ]
                    );
                },
            )
        },
        KindCase {
            // A failed v1 job seeded without versions: its first version carries status
            // 6, which the wait's probe (the version list) reads (issue 24, item 9).
            setup: |e| e.seed(SeedJob::training_job(24).status(6).create_time(T0)),
            ..base(
                "training_job_v1_failed_is_waited_as_failed",
                Run::Wait(KindId::TrainingJobV1(24)),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Failed(6)"), "{o:?}");
                    assert_eq!(
                        o.requests,
                        ["GET /v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-jobs/24/versions"],
                        "one poll: {o:?}"
                    );
                    assert_eq!(
                        o.remaining,
                        ["training-job-v1 24", "training-job-version-v1 24/1"]
                    );
                },
            )
        },
        KindCase {
            delete_delay: Duration::from_millis(100),
            setup: |e| e.seed(SeedJob::training_job(25).create_time(T0).fail_delete()),
            ..base(
                "training_job_v1_failed_deletion_waits_failed",
                Run::DeleteAndWait(KindId::TrainingJobV1(25)),
                |o| {
                    assert_eq!(o.waited.as_deref(), Some("Failed(6)"), "{o:?}");
                    assert_eq!(
                        o.remaining,
                        ["training-job-v1 25", "training-job-version-v1 25/1"]
                    );
                },
            )
        },
        KindCase {
            setup: |e| e.seed_many([SeedJob::flink_job(12), SeedJob::flink_job(232)]),
            ..base(
                "flink_job_batch_through_the_table",
                Run::Batch(
                    KindBatch::new(
                        Kind::FlinkJob,
                        &[
                            KindId::FlinkJob(12),
                            KindId::FlinkJob(232),
                            KindId::FlinkJob(9),
                        ],
                    )
                    .expect("a batch"),
                ),
                |o| {
                    let ok: Vec<&str> =
                        o.batch.iter().filter_map(|b| b.split(':').next()).collect();
                    assert_eq!(ok, ["true", "true", "false"], "{o:?}");
                    assert!(o.remaining.is_empty());
                },
            )
        },
        KindCase {
            setup: |e| e.seed(SeedJob::flink_job(5).name("nightly-5").status("job_failed")),
            ..base(
                "flink_job_described_by_one_detail_request",
                Run::Describe(KindId::FlinkJob(5)),
                |o| {
                    assert_eq!(
                        o.described.as_deref(),
                        Some(
                            r#"Some(Present { name: Some("nightly-5"), status: Some("job_failed") })"#
                        ),
                        "{o:?}"
                    );
                    assert_eq!(
                        o.requests,
                        ["GET /v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/jobs/5"]
                    );
                    assert_eq!(o.remaining, ["flink-job 5"]);
                },
            )
        },
        KindCase {
            setup: |e| {
                e.seed(
                    SeedJob::training_job(10)
                        .name("resnet")
                        .status(10)
                        .versions([1]),
                )
            },
            ..base(
                "training_job_v1_described_through_its_versions",
                Run::Describe(KindId::TrainingJobV1(10)),
                |o| {
                    assert_eq!(
                        o.described.as_deref(),
                        Some(r#"Some(Present { name: Some("resnet"), status: Some("10") })"#),
                        "{o:?}"
                    );
                },
            )
        },
        base(
            "a_missing_job_is_described_gone",
            Run::Describe(KindId::VisualizationJobV1(
                PathId::new("404").expect("an id"),
            )),
            |o| {
                assert_eq!(o.described.as_deref(), Some("Some(Gone)"), "{o:?}");
                assert_eq!(o.error, None);
            },
        ),
        KindCase {
            setup: |e| e.seed(SeedJob::flink_template(3)),
            ..base(
                "a_kind_without_a_detail_operation_is_not_described",
                Run::Describe(KindId::FlinkTemplate(3)),
                |o| {
                    assert_eq!(o.described.as_deref(), Some("None"), "{o:?}");
                    assert!(o.requests.is_empty(), "nothing sent: {o:?}");
                },
            )
        },
    ]
}
