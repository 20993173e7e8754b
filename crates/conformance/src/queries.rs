//! The query cases: the generated list, detail and batch operations, paging in each style
//! (ModelArts page/per_page, DLI offset/limit, MRS marker), faults between pages, and the
//! deletion waiters. Each case runs with both clients on a fresh emulator
//! ([`run_query`]); both must meet its expectation and agree on the [`QueryOutcome`]. The
//! tests are in `tests/queries.rs`.

// The table's expectations are test assertions: they panic, as a test does.
#![allow(clippy::panic, clippy::expect_used)]

use std::time::{Duration, Instant};

use otc_jobs_core::dli::{
    BatchDeleteFlinkJobsResponse, DeleteFlinkJob, GetFlinkJobResponse, ListFlinkJobs,
    ListFlinkJobsResponse,
};
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteVisualizationJob, DeleteVisualizationJobResponse,
    GetTrainingJobVersionResponse, GetVisualizationJobResponse, ListTrainingJobVersions,
    ListTrainingJobVersionsResponse, ListTrainingJobs, ListTrainingJobsResponse,
    ListVisualizationJobs, ListVisualizationJobsResponse,
};
use otc_jobs_core::mrs::{
    DeleteJobExecution, GetJobExecutionResponse, ListJobExecutions, ListJobExecutionsResponse,
};
use otc_jobs_core::{BuildError, Error, ErrorKind, Paginated, PathId};
use otc_jobs_driver::{WaitOptions, WaitOutcome};
use otc_jobs_emulator::{
    DEFAULT_PROJECT_ID, Emulator, EmulatorConfig, Fault, FaultAction, SeedJob,
};

use crate::{ClientSpec, Flavour, Op};

/// One query case.
pub struct QueryCase {
    /// The test's name.
    pub name: &'static str,
    /// The emulator's ModelArts deletion delay.
    pub delete_delay: Duration,
    /// Seeds jobs and adds faults before the query.
    pub setup: fn(&Emulator),
    /// Called once, after the first page of a walk: faults between pages.
    pub after_first_page: fn(&Emulator),
    /// What to run.
    pub query: Query,
    /// Checks the outcome of one client.
    pub expect: fn(&QueryOutcome, &Timing),
}

/// What a case runs.
#[derive(Debug, Clone)]
pub enum Query {
    /// One call of a generated client method.
    Single(Single),
    /// Every page of a list, through the client's `pages`.
    Walk(Walk),
    /// `delete_and_wait` on a deletion.
    DeleteAndWait(Deletion, WaitOptions),
    /// Several calls in order, as a user makes them (list, fetch, delete, ...); each
    /// step's result is kept, an error does not end the run.
    Steps(Vec<Single>),
}

/// The ten generated query operations, as the client methods take them, and the
/// visualization job deletion (for [`Query::Steps`]).
#[derive(Debug, Clone)]
pub enum Single {
    /// `list_training_jobs(request)`.
    ListTrainingJobs(ListTrainingJobs),
    /// `list_training_job_versions(request)`.
    ListTrainingJobVersions(ListTrainingJobVersions),
    /// `get_training_job_version(job_id, version_id)`.
    GetTrainingJobVersion(i64, i64),
    /// `list_visualization_jobs(request)`.
    ListVisualizationJobs(ListVisualizationJobs),
    /// `get_visualization_job(job_id)`.
    GetVisualizationJob(&'static str),
    /// `list_flink_jobs(request)`.
    ListFlinkJobs(ListFlinkJobs),
    /// `get_flink_job(job_id)`.
    GetFlinkJob(i64),
    /// `batch_delete_flink_jobs(job_ids)`.
    BatchDeleteFlinkJobs(Vec<i64>),
    /// `list_job_executions(request)`.
    ListJobExecutions(ListJobExecutions),
    /// `get_job_execution(job_execution_id)`.
    GetJobExecution(&'static str),
    /// `delete_visualization_job(job_id)`.
    DeleteVisualizationJob(&'static str),
}

/// A list walked page by page.
#[derive(Debug, Clone)]
pub enum Walk {
    /// Training jobs (page/per_page).
    TrainingJobs(ListTrainingJobs),
    /// The versions of a training job (page/per_page).
    TrainingJobVersions(ListTrainingJobVersions),
    /// Visualization jobs (page/per_page).
    VisualizationJobs(ListVisualizationJobs),
    /// Flink jobs (offset/limit).
    FlinkJobs(ListFlinkJobs),
    /// Job executions (marker).
    JobExecutions(ListJobExecutions),
}

/// A deletion to send and wait for.
#[derive(Debug, Clone)]
pub enum Deletion {
    /// `DeleteTrainingJob` (asynchronous; probe: the job's version list).
    TrainingJob(i64),
    /// `DeleteVisualizationJob` (asynchronous).
    VisualizationJob(&'static str),
    /// `DeleteFlinkJob` (synchronous: one poll).
    FlinkJob(i64),
    /// `DeleteJobExecution` (synchronous: one poll).
    JobExecution(&'static str),
}

/// The typed answer of a [`Single`] call.
// A test's answers, compared once each: their sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A training job list page.
    TrainingJobs(ListTrainingJobsResponse),
    /// A version list page.
    TrainingJobVersions(ListTrainingJobVersionsResponse),
    /// A version's details.
    TrainingJobVersion(GetTrainingJobVersionResponse),
    /// A visualization job list page.
    VisualizationJobs(ListVisualizationJobsResponse),
    /// A visualization job's details.
    VisualizationJob(GetVisualizationJobResponse),
    /// A Flink job list page.
    FlinkJobs(ListFlinkJobsResponse),
    /// A Flink job's details.
    FlinkJob(GetFlinkJobResponse),
    /// One result per id of a batch deletion.
    BatchDeleted(BatchDeleteFlinkJobsResponse),
    /// A job execution list page.
    JobExecutions(ListJobExecutionsResponse),
    /// A job execution's details.
    JobExecution(GetJobExecutionResponse),
    /// A visualization job deletion's answer.
    VisualizationJobDeleted(DeleteVisualizationJobResponse),
}

/// What a client reached, in the terms both clients must agree on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryOutcome {
    /// The typed answer of a [`Query::Single`].
    pub answer: Option<Answer>,
    /// A walk's item ids, in order.
    pub items: Vec<String>,
    /// A walk's page sizes, in order.
    pub pages: Vec<usize>,
    /// A wait's outcome without its timing: `Gone`, `Failed(6)`, `TimedOut(Some("9"))`,
    /// `StillPresent(..)`.
    pub waited: Option<String>,
    /// The error that ended the call or the walk (kind, status, code, attempts).
    pub error: Option<String>,
    /// The result of each of [`Query::Steps`], in order (errors as [`Self::error`]).
    pub steps: Vec<Result<Answer, String>>,
    /// The requests the emulator received, as `METHOD path?query` (waits: only the
    /// deletion; their polls depend on timing and are counted in [`Timing::probes`]).
    pub requests: Vec<String>,
    /// The jobs left in the emulator afterwards, as `kind id`.
    pub remaining: Vec<String>,
}

/// What may differ between the clients: timing and what depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timing {
    /// How long the query took.
    pub elapsed: Duration,
    /// A wait's polls, as its outcome counts them.
    pub polls: Option<u32>,
    /// The GET requests the emulator received during a wait (its polls, with retries).
    pub probes: usize,
}

/// A job's seed id, as `kind id`.
fn seed_id(job: &SeedJob) -> String {
    match job {
        SeedJob::TrainingJob { job_id, .. } => format!("training_job {job_id}"),
        SeedJob::TrainingJobVersion {
            job_id, version_id, ..
        } => format!("training_job_version {job_id}/{version_id}"),
        SeedJob::VisualizationJob { job_id, .. } => format!("visualization_job {job_id}"),
        SeedJob::FlinkJob { job_id, .. } => format!("flink_job {job_id}"),
        SeedJob::JobExecution {
            job_execution_id, ..
        } => format!("job_execution {job_execution_id}"),
        other => format!("{} {}", other.kind(), other.id()),
    }
}

/// An error as both clients must report it alike.
fn error_text(e: &Error) -> String {
    let kind = match e.kind() {
        ErrorKind::Service(_) => "service".to_owned(),
        ErrorKind::Transport(t) => format!("transport:{:?}", t.kind),
        ErrorKind::Response(r) => format!("response:{:?}", r.kind),
        _ => "other".to_owned(),
    };
    format!(
        "{kind} status={:?} code={:?} attempts={}",
        e.status().map(|s| s.as_u16()),
        e.code(),
        e.attempts()
    )
}

fn path_id(id: &str) -> Result<PathId, Error> {
    PathId::new(id).map_err(|e| Error::from(BuildError::from(e)))
}

fn waited_text(outcome: &WaitOutcome) -> (String, Option<u32>) {
    match outcome {
        WaitOutcome::Gone { polls, .. } => ("Gone".to_owned(), Some(*polls)),
        WaitOutcome::Failed { status } => (format!("Failed({status})"), None),
        WaitOutcome::TimedOut {
            last_status, polls, ..
        } => (format!("TimedOut({last_status:?})"), Some(*polls)),
        WaitOutcome::StillPresent { status } => (format!("StillPresent({status:?})"), None),
        other => (format!("{other:?}"), None),
    }
}

/// The ids of a walk's items.
trait ItemId {
    fn item_id(&self) -> String;
}

macro_rules! item_id {
    ($($t:ty => $field:ident),* $(,)?) => {
        $(impl ItemId for $t {
            fn item_id(&self) -> String {
                match &self.$field {
                    Some(id) => id.to_string(),
                    None => "?".to_owned(),
                }
            }
        })*
    };
}

item_id!(
    otc_jobs_core::modelarts::ListTrainingJobsJob => job_id,
    otc_jobs_core::modelarts::ListTrainingJobVersionsVersion => version_id,
    otc_jobs_core::modelarts::ListVisualizationJobsJob => job_id,
    otc_jobs_core::dli::ListFlinkJobsJob => job_id,
    otc_jobs_core::mrs::ListJobExecutionsJobExecution => id,
);

/// What a walk saw: item ids, page sizes, the error that ended it.
type Walked = (Vec<String>, Vec<usize>, Option<Error>);

async fn walk_async<O>(
    client: &otc_jobs_async::Client,
    request: O,
    emulator: &Emulator,
    after_first_page: fn(&Emulator),
) -> Walked
where
    O: Paginated + Send + Sync + 'static,
    O::Response: Send,
    O::Item: Send + ItemId,
{
    use futures_util::StreamExt;
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    let mut stream = std::pin::pin!(client.pages(request));
    while let Some(page) = stream.next().await {
        match page {
            Ok(page) => {
                pages.push(page.len());
                items.extend(page.iter().map(ItemId::item_id));
            }
            Err(e) => return (items, pages, Some(e)),
        }
        if pages.len() == 1 {
            after_first_page(emulator);
        }
    }
    (items, pages, None)
}

fn walk_blocking<O>(
    client: &otc_jobs_blocking::Client,
    request: O,
    emulator: &Emulator,
    after_first_page: fn(&Emulator),
) -> Walked
where
    O: Paginated + Sync,
    O::Response: Send,
    O::Item: ItemId,
{
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    for page in client.pages(request) {
        match page {
            Ok(page) => {
                pages.push(page.len());
                items.extend(page.iter().map(ItemId::item_id));
            }
            Err(e) => return (items, pages, Some(e)),
        }
        if pages.len() == 1 {
            after_first_page(emulator);
        }
    }
    (items, pages, None)
}

impl Single {
    async fn run_async(&self, client: &otc_jobs_async::Client) -> Result<Answer, Error> {
        Ok(match self.clone() {
            Single::ListTrainingJobs(r) => {
                Answer::TrainingJobs(client.list_training_jobs(r).await?)
            }
            Single::ListTrainingJobVersions(r) => {
                Answer::TrainingJobVersions(client.list_training_job_versions(r).await?)
            }
            Single::GetTrainingJobVersion(j, v) => {
                Answer::TrainingJobVersion(client.get_training_job_version(j, v).await?)
            }
            Single::ListVisualizationJobs(r) => {
                Answer::VisualizationJobs(client.list_visualization_jobs(r).await?)
            }
            Single::GetVisualizationJob(id) => {
                Answer::VisualizationJob(client.get_visualization_job(path_id(id)?).await?)
            }
            Single::ListFlinkJobs(r) => Answer::FlinkJobs(client.list_flink_jobs(r).await?),
            Single::GetFlinkJob(id) => Answer::FlinkJob(client.get_flink_job(id).await?),
            Single::BatchDeleteFlinkJobs(ids) => {
                Answer::BatchDeleted(client.batch_delete_flink_jobs(ids).await?)
            }
            Single::ListJobExecutions(r) => {
                Answer::JobExecutions(client.list_job_executions(r).await?)
            }
            Single::GetJobExecution(id) => {
                Answer::JobExecution(client.get_job_execution(path_id(id)?).await?)
            }
            Single::DeleteVisualizationJob(id) => Answer::VisualizationJobDeleted(
                client.delete_visualization_job(path_id(id)?).await?,
            ),
        })
    }

    fn run_blocking(&self, client: &otc_jobs_blocking::Client) -> Result<Answer, Error> {
        Ok(match self.clone() {
            Single::ListTrainingJobs(r) => Answer::TrainingJobs(client.list_training_jobs(r)?),
            Single::ListTrainingJobVersions(r) => {
                Answer::TrainingJobVersions(client.list_training_job_versions(r)?)
            }
            Single::GetTrainingJobVersion(j, v) => {
                Answer::TrainingJobVersion(client.get_training_job_version(j, v)?)
            }
            Single::ListVisualizationJobs(r) => {
                Answer::VisualizationJobs(client.list_visualization_jobs(r)?)
            }
            Single::GetVisualizationJob(id) => {
                Answer::VisualizationJob(client.get_visualization_job(path_id(id)?)?)
            }
            Single::ListFlinkJobs(r) => Answer::FlinkJobs(client.list_flink_jobs(r)?),
            Single::GetFlinkJob(id) => Answer::FlinkJob(client.get_flink_job(id)?),
            Single::BatchDeleteFlinkJobs(ids) => {
                Answer::BatchDeleted(client.batch_delete_flink_jobs(ids)?)
            }
            Single::ListJobExecutions(r) => Answer::JobExecutions(client.list_job_executions(r)?),
            Single::GetJobExecution(id) => {
                Answer::JobExecution(client.get_job_execution(path_id(id)?)?)
            }
            Single::DeleteVisualizationJob(id) => {
                Answer::VisualizationJobDeleted(client.delete_visualization_job(path_id(id)?)?)
            }
        })
    }
}

impl Walk {
    async fn run_async(
        &self,
        client: &otc_jobs_async::Client,
        emulator: &Emulator,
        hook: fn(&Emulator),
    ) -> Walked {
        match self.clone() {
            Walk::TrainingJobs(r) => walk_async(client, r, emulator, hook).await,
            Walk::TrainingJobVersions(r) => walk_async(client, r, emulator, hook).await,
            Walk::VisualizationJobs(r) => walk_async(client, r, emulator, hook).await,
            Walk::FlinkJobs(r) => walk_async(client, r, emulator, hook).await,
            Walk::JobExecutions(r) => walk_async(client, r, emulator, hook).await,
        }
    }

    fn run_blocking(
        &self,
        client: &otc_jobs_blocking::Client,
        emulator: &Emulator,
        hook: fn(&Emulator),
    ) -> Walked {
        match self.clone() {
            Walk::TrainingJobs(r) => walk_blocking(client, r, emulator, hook),
            Walk::TrainingJobVersions(r) => walk_blocking(client, r, emulator, hook),
            Walk::VisualizationJobs(r) => walk_blocking(client, r, emulator, hook),
            Walk::FlinkJobs(r) => walk_blocking(client, r, emulator, hook),
            Walk::JobExecutions(r) => walk_blocking(client, r, emulator, hook),
        }
    }
}

impl Deletion {
    async fn run_async(
        &self,
        client: &otc_jobs_async::Client,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error> {
        match self {
            Deletion::TrainingJob(id) => {
                let d = DeleteTrainingJob::new(*id);
                client.delete_and_wait(&d, options).await
            }
            Deletion::VisualizationJob(id) => {
                let d = DeleteVisualizationJob::new(path_id(id)?);
                client.delete_and_wait(&d, options).await
            }
            Deletion::FlinkJob(id) => {
                let d = DeleteFlinkJob::new(*id);
                client.delete_and_wait(&d, options).await
            }
            Deletion::JobExecution(id) => {
                let d = DeleteJobExecution::new(path_id(id)?);
                client.delete_and_wait(&d, options).await
            }
        }
    }

    fn run_blocking(
        &self,
        client: &otc_jobs_blocking::Client,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error> {
        match self {
            Deletion::TrainingJob(id) => {
                client.delete_and_wait(&DeleteTrainingJob::new(*id), options)
            }
            Deletion::VisualizationJob(id) => {
                client.delete_and_wait(&DeleteVisualizationJob::new(path_id(id)?), options)
            }
            Deletion::FlinkJob(id) => client.delete_and_wait(&DeleteFlinkJob::new(*id), options),
            Deletion::JobExecution(id) => {
                client.delete_and_wait(&DeleteJobExecution::new(path_id(id)?), options)
            }
        }
    }
}

/// What one client's run produced, before it is read into a [`QueryOutcome`].
enum Ran {
    Single(Box<Result<Answer, Error>>),
    Walk(Walked),
    Wait(Result<WaitOutcome, Error>),
    Steps(Vec<Result<Answer, Error>>),
}

/// Runs `case` with one client on a fresh emulator. Panics (as a test does) when the
/// emulator, the runtime or the client cannot start.
#[allow(clippy::expect_used)]
pub fn run_query(case: &QueryCase, flavour: Flavour) -> (QueryOutcome, Timing) {
    let emulator = Emulator::start(EmulatorConfig {
        delete_delay: case.delete_delay,
        worker_threads: 1,
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts");
    (case.setup)(&emulator);
    let spec = ClientSpec::default();
    let hook = case.after_first_page;
    let started = Instant::now();
    let ran = match flavour {
        Flavour::Async => {
            let client: otc_jobs_async::Client = spec
                .builder(&emulator)
                .build()
                .expect("the async client builds");
            let runtime = crate::runtime();
            runtime.block_on(async {
                match &case.query {
                    Query::Single(s) => Ran::Single(Box::new(s.run_async(&client).await)),
                    Query::Walk(w) => Ran::Walk(w.run_async(&client, &emulator, hook).await),
                    Query::DeleteAndWait(d, options) => {
                        Ran::Wait(d.run_async(&client, *options).await)
                    }
                    Query::Steps(steps) => {
                        let mut results = Vec::new();
                        for step in steps {
                            results.push(step.run_async(&client).await);
                        }
                        Ran::Steps(results)
                    }
                }
            })
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = spec
                .builder(&emulator)
                .build()
                .expect("the blocking client builds");
            match &case.query {
                Query::Single(s) => Ran::Single(Box::new(s.run_blocking(&client))),
                Query::Walk(w) => Ran::Walk(w.run_blocking(&client, &emulator, hook)),
                Query::DeleteAndWait(d, options) => Ran::Wait(d.run_blocking(&client, *options)),
                Query::Steps(steps) => {
                    Ran::Steps(steps.iter().map(|s| s.run_blocking(&client)).collect())
                }
            }
        }
    };
    let elapsed = started.elapsed();
    read(ran, &emulator, elapsed)
}

fn read(ran: Ran, emulator: &Emulator, elapsed: Duration) -> (QueryOutcome, Timing) {
    let recorded = emulator.requests();
    let mut outcome = QueryOutcome {
        requests: recorded
            .iter()
            .map(|r| match &r.query {
                Some(q) => format!("{} {}?{q}", r.method, r.path),
                None => format!("{} {}", r.method, r.path),
            })
            .collect(),
        remaining: emulator.jobs().iter().map(seed_id).collect(),
        ..QueryOutcome::default()
    };
    let mut timing = Timing {
        elapsed,
        ..Timing::default()
    };
    match ran {
        Ran::Single(result) => match *result {
            Ok(answer) => outcome.answer = Some(answer),
            Err(e) => outcome.error = Some(error_text(&e)),
        },
        Ran::Walk((items, pages, error)) => {
            outcome.items = items;
            outcome.pages = pages;
            outcome.error = error.as_ref().map(error_text);
        }
        Ran::Steps(results) => {
            outcome.steps = results
                .into_iter()
                .map(|r| r.map_err(|e| error_text(&e)))
                .collect();
        }
        Ran::Wait(result) => {
            // The polls depend on timing: keep only the deletion in the compared requests.
            outcome.requests.retain(|r| !r.starts_with("GET "));
            timing.probes = recorded.iter().filter(|r| r.method == "GET").count();
            match result {
                Ok(waited) => {
                    let (text, polls) = waited_text(&waited);
                    outcome.waited = Some(text);
                    timing.polls = polls;
                }
                Err(e) => outcome.error = Some(error_text(&e)),
            }
        }
    }
    (outcome, timing)
}

/// The query case called `name`.
pub fn query_case(name: &str) -> Option<QueryCase> {
    query_cases().into_iter().find(|c| c.name == name)
}

// ---------------------------------------------------------------------------------------
// The table.

/// A fixed creation time (unix ms) the seeds count from, so both runs see the same jobs.
const T0: u64 = 1_700_000_000_000;
/// The size of the large walks: more than 1,000 jobs, not a multiple of the page size.
pub const MANY: u64 = 1_050;

fn nothing(_: &Emulator) {}

fn base(name: &'static str, query: Query, expect: fn(&QueryOutcome, &Timing)) -> QueryCase {
    QueryCase {
        name,
        delete_delay: Duration::ZERO,
        setup: nothing,
        after_first_page: nothing,
        query,
        expect,
    }
}

fn fast() -> WaitOptions {
    WaitOptions::default()
        .delays(Duration::from_millis(20), Duration::from_millis(100))
        .max_wait(Duration::from_secs(10))
}

/// Each id in `expected` exactly once, in any order.
fn assert_exactly_once(items: &[String], expected: impl IntoIterator<Item = String>) {
    let mut seen = items.to_vec();
    seen.sort();
    let mut expected: Vec<String> = expected.into_iter().collect();
    expected.sort();
    let repeated = seen.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(repeated, 0, "items repeated");
    assert_eq!(seen, expected, "not every item exactly once");
}

fn answer(o: &QueryOutcome) -> &Answer {
    match &o.answer {
        Some(a) => a,
        None => panic!("no answer: {o:?}"),
    }
}

/// The queries of the requests to `path` (its end), in order.
fn queries_to<'a>(o: &'a QueryOutcome, path_end: &str) -> Vec<&'a str> {
    o.requests
        .iter()
        .filter_map(|r| {
            let (path, query) = r.split_once('?').unwrap_or((r, ""));
            path.ends_with(path_end).then_some(query)
        })
        .collect()
}

fn flink_jobs(n: u64) -> impl Iterator<Item = SeedJob> {
    (1..=n).map(|id| SeedJob::flink_job(id).create_time(T0 + id))
}

/// The filter case's Flink jobs: by id, queue q1/q2, running or stopped, etl/report named.
fn flink_mix(id: u64) -> SeedJob {
    let queue = if id.is_multiple_of(2) { "q1" } else { "q2" };
    let status = if id.is_multiple_of(3) {
        "job_cancel_success"
    } else {
        "job_running"
    };
    let name = if id % 5 < 3 {
        format!("etl-{id}")
    } else {
        format!("report-{id}")
    };
    SeedJob::flink_job(id)
        .create_time(T0 + id)
        .queue(queue)
        .status(status)
        .name(name)
}

fn flink_mix_selected(id: u64) -> bool {
    id.is_multiple_of(2) && !id.is_multiple_of(3) && id % 5 < 3
}

/// The filter case's training jobs: resnet/bert named, completed (10) or failed (3).
fn training_mix(id: u64) -> SeedJob {
    let name = if id.is_multiple_of(2) {
        "resnet"
    } else {
        "bert"
    };
    let status = if id.is_multiple_of(3) { 3 } else { 10 };
    SeedJob::training_job(id)
        .create_time(T0 + id)
        .name(format!("{name}-{id:03}"))
        .status(status)
}

fn training_mix_selected(id: u64) -> bool {
    id.is_multiple_of(2) && id.is_multiple_of(3)
}

fn execution_id(n: u64) -> String {
    format!("exec-{n:05}")
}

/// Every query case.
pub fn query_cases() -> Vec<QueryCase> {
    let mut all = singles();
    all.extend(walks());
    all.extend(faults_between_pages());
    all.extend(waits());
    all.extend(quickstart_jobs());
    all
}

/// One case per generated query operation.
fn singles() -> Vec<QueryCase> {
    vec![
        QueryCase {
            setup: |e| {
                e.seed(
                    SeedJob::training_job(11)
                        .name("resnet")
                        .status(10)
                        .create_time(T0),
                );
                e.seed(
                    SeedJob::training_job(12)
                        .name("bert")
                        .status(8)
                        .create_time(T0 + 1),
                );
            },
            ..base(
                "list_training_jobs",
                Query::Single(Single::ListTrainingJobs(
                    ListTrainingJobs::new().status("8"),
                )),
                |o, _| {
                    let Answer::TrainingJobs(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(r.job_total_count, Some(1), "{o:?}");
                    let jobs = r.jobs.as_deref().unwrap_or_default();
                    assert_eq!(jobs.len(), 1, "{o:?}");
                    assert_eq!(
                        (jobs[0].job_id, jobs[0].job_name.as_deref(), jobs[0].status),
                        (Some(12), Some("bert"), Some(8))
                    );
                    assert_eq!(queries_to(o, "/training-jobs"), ["status=8"]);
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(
                    SeedJob::training_job(21)
                        .create_time(T0)
                        .versions([1, 2, 3]),
                )
            },
            ..base(
                "list_training_job_versions",
                Query::Single(Single::ListTrainingJobVersions(
                    ListTrainingJobVersions::new(21),
                )),
                |o, _| {
                    let Answer::TrainingJobVersions(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let ids: Vec<_> = r.versions.iter().flatten().map(|v| v.version_id).collect();
                    assert_eq!(ids, [Some(3), Some(2), Some(1)], "newest first: {o:?}");
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(SeedJob::training_job(31).create_time(T0).versions([4]));
            },
            ..base(
                "get_training_job_version",
                Query::Single(Single::GetTrainingJobVersion(31, 4)),
                |o, _| {
                    let Answer::TrainingJobVersion(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!((r.job_id, r.version_id), (Some(31), Some(4)), "{o:?}");
                    assert_eq!(
                        (r.version_name.as_deref(), r.status),
                        (Some("V0004"), Some(10))
                    );
                    assert_eq!(queries_to(o, "/training-jobs/31/versions/4"), [""]);
                },
            )
        },
        QueryCase {
            setup: |e| {
                for id in 41..=45 {
                    let name = if id == 43 { "tensorboard-x" } else { "other" };
                    e.seed(
                        SeedJob::visualization_job(id)
                            .name(name)
                            .create_time(T0 + id),
                    );
                }
            },
            ..base(
                "list_visualization_jobs",
                Query::Single(Single::ListVisualizationJobs(
                    ListVisualizationJobs::new().search_content("TensorBoard"),
                )),
                |o, _| {
                    let Answer::VisualizationJobs(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let jobs = r.jobs.as_deref().unwrap_or_default();
                    assert_eq!(jobs.len(), 1, "{o:?}");
                    assert_eq!(jobs[0].job_id, Some(43));
                    assert_eq!(jobs[0].job_name.as_deref(), Some("tensorboard-x"));
                    assert_eq!(
                        queries_to(o, "/visualization-jobs"),
                        ["search_content=TensorBoard"]
                    );
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(
                    SeedJob::visualization_job(51)
                        .name("vis")
                        .status(7)
                        .create_time(T0),
                )
            },
            ..base(
                "get_visualization_job",
                Query::Single(Single::GetVisualizationJob("51")),
                |o, _| {
                    let Answer::VisualizationJob(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    assert_eq!(
                        (r.job_id, r.job_name.as_deref()),
                        (Some(51), Some("vis")),
                        "{o:?}"
                    );
                    assert_eq!(r.status, Some(7));
                },
            )
        },
        QueryCase {
            setup: |e| e.seed_many(flink_jobs(12)),
            ..base(
                "list_flink_jobs",
                Query::Single(Single::ListFlinkJobs(
                    ListFlinkJobs::new().limit(5).offset(5),
                )),
                |o, _| {
                    let Answer::FlinkJobs(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let list = r.job_list.as_ref().expect("a job_list");
                    assert_eq!(list.total_count, Some(12), "{o:?}");
                    let ids: Vec<_> = list.jobs.iter().flatten().map(|j| j.job_id).collect();
                    assert_eq!(ids, [Some(7), Some(6), Some(5), Some(4), Some(3)]);
                    assert_eq!(queries_to(o, "/streaming/jobs"), ["limit=5&offset=5"]);
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(
                    SeedJob::flink_job(61)
                        .name("etl")
                        .queue("q9")
                        .create_time(T0),
                )
            },
            ..base(
                "get_flink_job",
                Query::Single(Single::GetFlinkJob(61)),
                |o, _| {
                    let Answer::FlinkJob(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let detail = r.job_detail.as_ref().expect("a job_detail");
                    assert_eq!(
                        (detail.job_id, detail.name.as_deref()),
                        (Some(61), Some("etl")),
                        "{o:?}"
                    );
                    assert_eq!(r.is_success, Some(true));
                },
            )
        },
        QueryCase {
            setup: |e| e.seed_many(flink_jobs(3)),
            ..base(
                "batch_delete_flink_jobs",
                Query::Single(Single::BatchDeleteFlinkJobs(vec![3, 99, 1])),
                |o, _| {
                    let Answer::BatchDeleted(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let verdicts: Vec<_> = r.0.iter().map(|i| i.is_success).collect();
                    // One result per id, in request order: 99 does not exist.
                    assert_eq!(verdicts, [Some(true), Some(false), Some(true)], "{o:?}");
                    assert_eq!(o.remaining, ["flink_job 2"], "{o:?}");
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed_many(
                    (1..=3).map(|n| SeedJob::job_execution(execution_id(n)).create_time(T0 + n)),
                )
            },
            ..base(
                "list_job_executions",
                Query::Single(Single::ListJobExecutions(ListJobExecutions::new().limit(2))),
                |o, _| {
                    let Answer::JobExecutions(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let ids: Vec<_> = r
                        .job_executions
                        .iter()
                        .flatten()
                        .map(|j| j.id.as_deref())
                        .collect();
                    assert_eq!(ids, [Some("exec-00003"), Some("exec-00002")], "{o:?}");
                    let next = r.markers.as_ref().and_then(|m| m.next.as_deref());
                    assert_eq!(next, Some("exec-00002"));
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(
                    SeedJob::job_execution("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3")
                        .cluster("c-1")
                        .create_time(T0),
                )
            },
            ..base(
                "get_job_execution",
                Query::Single(Single::GetJobExecution(
                    "669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3",
                )),
                |o, _| {
                    let Answer::JobExecution(r) = answer(o) else {
                        panic!("{o:?}")
                    };
                    let e = r.job_execution.as_ref().expect("a job_execution");
                    assert_eq!(
                        e.id.as_deref(),
                        Some("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3"),
                        "{o:?}"
                    );
                    assert_eq!(e.cluster_id.as_deref(), Some("c-1"));
                },
            )
        },
    ]
}

/// Walks over more than 1,000 jobs in each paging style, and filters.
fn walks() -> Vec<QueryCase> {
    vec![
        QueryCase {
            setup: |e| {
                e.seed_many((1..=MANY).map(|id| SeedJob::training_job(id).create_time(T0 + id)))
            },
            ..base(
                "walks_1050_training_jobs_by_page_number",
                Query::Walk(Walk::TrainingJobs(ListTrainingJobs::new().per_page(100))),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    assert_exactly_once(&o.items, (1..=MANY).map(|i| i.to_string()));
                    assert_eq!(o.pages, [vec![100; 10], vec![50]].concat());
                    let pages: Vec<String> =
                        (1..=11).map(|p| format!("page={p}&per_page=100")).collect();
                    assert_eq!(queries_to(o, "/training-jobs"), pages);
                },
            )
        },
        QueryCase {
            setup: |e| e.seed_many(flink_jobs(MANY)),
            ..base(
                "walks_1050_flink_jobs_by_offset",
                Query::Walk(Walk::FlinkJobs(ListFlinkJobs::new().limit(100))),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    assert_exactly_once(&o.items, (1..=MANY).map(|i| i.to_string()));
                    assert_eq!(
                        o.items.first().map(String::as_str),
                        Some("1050"),
                        "newest first"
                    );
                    assert_eq!(o.pages, [vec![100; 10], vec![50]].concat());
                    let offsets: Vec<String> = (0..11)
                        .map(|p| format!("limit=100&offset={}", p * 100))
                        .collect();
                    assert_eq!(queries_to(o, "/streaming/jobs"), offsets);
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed_many(
                    (1..=MANY).map(|n| SeedJob::job_execution(execution_id(n)).create_time(T0 + n)),
                )
            },
            ..base(
                "walks_1050_job_executions_by_marker",
                Query::Walk(Walk::JobExecutions(ListJobExecutions::new().limit(100))),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    assert_exactly_once(&o.items, (1..=MANY).map(execution_id));
                    assert_eq!(o.pages, [vec![100; 10], vec![50]].concat());
                    // Each marker is the last id of the page before (newest first).
                    let mut expected = vec!["limit=100".to_owned()];
                    expected.extend(
                        (1..11).map(|p| {
                            format!("limit=100&marker={}", execution_id(MANY - p * 100 + 1))
                        }),
                    );
                    assert_eq!(queries_to(o, "/job-executions"), expected);
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed_many((1..=25).map(|id| SeedJob::visualization_job(id).create_time(T0 + id)))
            },
            ..base(
                "walks_visualization_jobs_by_page_number",
                Query::Walk(Walk::VisualizationJobs(
                    ListVisualizationJobs::new().per_page(10).order("desc"),
                )),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    let expected: Vec<String> = (1..=25).rev().map(|i| i.to_string()).collect();
                    assert_eq!(o.items, expected);
                    assert_eq!(o.pages, [10, 10, 5]);
                },
            )
        },
        QueryCase {
            setup: |e| e.seed(SeedJob::training_job(70).create_time(T0).versions(1..=7)),
            ..base(
                "walks_training_job_versions_by_page_number",
                Query::Walk(Walk::TrainingJobVersions(
                    ListTrainingJobVersions::new(70).per_page(3),
                )),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    let expected: Vec<String> = (1..=7).rev().map(|i| i.to_string()).collect();
                    assert_eq!(o.items, expected);
                    assert_eq!(o.pages, [3, 3, 1]);
                    assert_eq!(
                        queries_to(o, "/training-jobs/70/versions"),
                        [
                            "page=1&per_page=3",
                            "page=2&per_page=3",
                            "page=3&per_page=3"
                        ]
                    );
                },
            )
        },
        QueryCase {
            setup: |e| e.seed_many((1..=120).map(flink_mix)),
            ..base(
                "flink_filters_are_sent_as_documented_and_select",
                Query::Walk(Walk::FlinkJobs(
                    ListFlinkJobs::new()
                        .queue_name("q1")
                        .status("job_running")
                        .name("ETL")
                        .limit(7),
                )),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    let expected: Vec<String> = (1..=120u64)
                        .rev()
                        .filter(|id| flink_mix_selected(*id))
                        .map(|i| i.to_string())
                        .collect();
                    assert!(expected.len() > 14, "more than two pages");
                    assert_eq!(o.items, expected);
                    let queries = queries_to(o, "/streaming/jobs");
                    assert_eq!(
                        queries[0],
                        "limit=7&name=ETL&offset=0&queue_name=q1&status=job_running"
                    );
                    assert_eq!(queries.len(), expected.len().div_ceil(7));
                    assert!(queries.iter().all(|q| q.contains("name=ETL&")
                        && q.contains("&queue_name=q1&status=job_running")));
                },
            )
        },
        QueryCase {
            setup: |e| e.seed_many((1..=60).map(training_mix)),
            ..base(
                "training_filters_are_sent_as_documented_and_select",
                Query::Walk(Walk::TrainingJobs(
                    ListTrainingJobs::new()
                        .status("3")
                        .search_content("RESNET")
                        .order("desc")
                        .per_page(4),
                )),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    let expected: Vec<String> = (1..=60u64)
                        .rev()
                        .filter(|id| training_mix_selected(*id))
                        .map(|i| i.to_string())
                        .collect();
                    assert_eq!(o.items, expected);
                    let queries = queries_to(o, "/training-jobs");
                    assert_eq!(
                        queries[0],
                        "order=desc&page=1&per_page=4&search_content=RESNET&status=3"
                    );
                    assert_eq!(queries.len(), expected.len().div_ceil(4));
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed_many(
                    (1..=30).map(|n| SeedJob::job_execution(execution_id(n)).create_time(T0 + n)),
                )
            },
            ..base(
                "job_executions_sorted_as_asked_across_markers",
                Query::Walk(Walk::JobExecutions(
                    ListJobExecutions::new().sort_by("created_at").limit(8),
                )),
                |o, _| {
                    assert_eq!(o.error, None, "{o:?}");
                    let expected: Vec<String> = (1..=30).map(execution_id).collect();
                    assert_eq!(o.items, expected, "oldest first");
                    assert_eq!(o.pages, [8, 8, 8, 6]);
                    let queries = queries_to(o, "/job-executions");
                    assert_eq!(queries[1], "limit=8&marker=exec-00008&sort_by=created_at");
                },
            )
        },
    ]
}

/// A 429 between pages is waited out; a 500 that outlasts the retries ends the walk.
fn faults_between_pages() -> Vec<QueryCase> {
    vec![
        QueryCase {
            setup: |e| e.seed_many(flink_jobs(250)),
            after_first_page: |e| {
                e.add_fault(Fault::new(
                    "GET",
                    "/v1.0/*/streaming/jobs",
                    FaultAction::respond(
                        429,
                        &[("Retry-After", "1")],
                        r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}"#,
                    ),
                ))
            },
            ..base(
                "throttled_between_pages_is_waited_out",
                Query::Walk(Walk::FlinkJobs(ListFlinkJobs::new().limit(100))),
                |o, t| {
                    assert_eq!(o.error, None, "{o:?}");
                    assert_exactly_once(&o.items, (1..=250).map(|i: u64| i.to_string()));
                    assert_eq!(o.pages, [100, 100, 50]);
                    assert_eq!(
                        queries_to(o, "/streaming/jobs"),
                        [
                            "limit=100&offset=0",
                            "limit=100&offset=100",
                            "limit=100&offset=100",
                            "limit=100&offset=200"
                        ]
                    );
                    assert!(
                        t.elapsed >= Duration::from_secs(1),
                        "waited only {:?}",
                        t.elapsed
                    );
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed_many(
                    (1..=250).map(|n| SeedJob::job_execution(execution_id(n)).create_time(T0 + n)),
                )
            },
            after_first_page: |e| {
                e.add_fault(
                    Fault::new(
                        "GET",
                        "/v1.1/*/job-executions",
                        FaultAction::respond(
                            500,
                            &[],
                            r#"{"error_code":"APIG.0100","error_msg":"internal"}"#,
                        ),
                    )
                    .always(),
                )
            },
            ..base(
                "failing_page_ends_the_walk_after_the_items_seen",
                Query::Walk(Walk::JobExecutions(ListJobExecutions::new().limit(100))),
                |o, _| {
                    assert_eq!(
                        o.error.as_deref(),
                        Some(r#"service status=Some(500) code=Some("APIG.0100") attempts=3"#),
                        "{o:?}"
                    );
                    // The first page's 100 items, then the error: never a silently short list.
                    assert_eq!(o.items.len(), 100);
                    assert_exactly_once(&o.items, (151..=250).map(execution_id));
                    assert_eq!(o.pages, [100]);
                    assert_eq!(
                        queries_to(o, "/job-executions").len(),
                        4,
                        "first page + 3 attempts"
                    );
                },
            )
        },
    ]
}

/// The deletion waiters.
fn waits() -> Vec<QueryCase> {
    vec![
        QueryCase {
            delete_delay: Duration::from_millis(300),
            setup: |e| e.seed(SeedJob::visualization_job(3001).create_time(T0)),
            ..base(
                "visualization_job_waited_for_until_gone",
                Query::DeleteAndWait(Deletion::VisualizationJob("3001"), fast()),
                |o, t| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    let polls = t.polls.unwrap_or_default();
                    assert!(polls >= 2, "{t:?}");
                    assert_eq!(polls as usize, t.probes, "one GET per poll: {t:?}");
                    assert!(t.elapsed >= Duration::from_millis(250), "{t:?}");
                    assert!(o.remaining.is_empty(), "{o:?}");
                },
            )
        },
        QueryCase {
            delete_delay: Duration::from_millis(300),
            setup: |e| e.seed(SeedJob::training_job(3101).create_time(T0).versions([1, 2])),
            ..base(
                "training_job_waited_for_until_gone",
                Query::DeleteAndWait(Deletion::TrainingJob(3101), fast()),
                |o, t| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    let polls = t.polls.unwrap_or_default();
                    assert!(polls >= 2, "{t:?}");
                    assert_eq!(polls as usize, t.probes, "{t:?}");
                    assert!(o.remaining.is_empty(), "{o:?}");
                },
            )
        },
        QueryCase {
            delete_delay: Duration::from_millis(100),
            setup: |e| {
                e.seed(
                    SeedJob::visualization_job(3006)
                        .create_time(T0)
                        .fail_delete(),
                )
            },
            ..base(
                "failed_deletion_is_status_6",
                Query::DeleteAndWait(Deletion::VisualizationJob("3006"), fast()),
                |o, _| {
                    assert_eq!(o.waited.as_deref(), Some("Failed(6)"), "{o:?}");
                    assert_eq!(o.remaining, ["visualization_job 3006"]);
                },
            )
        },
        QueryCase {
            delete_delay: Duration::from_secs(5),
            setup: |e| e.seed(SeedJob::visualization_job(3009).create_time(T0)),
            ..base(
                "wait_shorter_than_the_deletion_times_out_in_time",
                Query::DeleteAndWait(
                    Deletion::VisualizationJob("3009"),
                    fast().max_wait(Duration::from_millis(300)),
                ),
                |o, t| {
                    assert_eq!(o.waited.as_deref(), Some(r#"TimedOut(Some("9"))"#), "{o:?}");
                    assert!(t.polls.unwrap_or_default() >= 2, "{t:?}");
                    // Returns within max_wait, plus a little for the deletion call itself.
                    assert!(t.elapsed < Duration::from_millis(300 + 200), "{t:?}");
                },
            )
        },
        QueryCase {
            delete_delay: Duration::from_secs(5),
            setup: |e| {
                e.seed(SeedJob::visualization_job(3011).create_time(T0));
                e.add_fault(
                    Fault::new(
                        "GET",
                        "/v1/*/visualization-jobs/*",
                        FaultAction::respond(
                            404,
                            &[("Content-Type", "application/json")],
                            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
                        ),
                    )
                    .times(100),
                );
            },
            ..base(
                "gateway_404_during_a_wait_is_an_error_not_gone",
                Query::DeleteAndWait(Deletion::VisualizationJob("3011"), fast()),
                |o, t| {
                    // The poll's 404 is the gateway's, not ModelArts': the wait ends
                    // with it at once, and the job is still being deleted.
                    assert_eq!(o.waited, None, "{o:?}");
                    assert_eq!(
                        o.error.as_deref(),
                        Some(r#"service status=Some(404) code=Some("APIG.0101") attempts=1"#),
                        "{o:?}"
                    );
                    assert_eq!(t.probes, 1, "{t:?}");
                    assert_eq!(o.remaining, ["visualization_job 3011"], "{o:?}");
                },
            )
        },
        QueryCase {
            setup: |e| {
                e.seed(SeedJob::flink_job(149).create_time(T0));
                e.add_fault(Fault::new(
                    "GET",
                    "/v1.0/*/streaming/jobs/*",
                    FaultAction::respond(
                        404,
                        &[("Content-Type", "text/html")],
                        "<html><body><h1>404 Not Found</h1></body></html>",
                    ),
                ));
            },
            ..base(
                "html_404_confirming_a_deletion_is_an_error_not_gone",
                Query::DeleteAndWait(Deletion::FlinkJob(149), fast()),
                |o, t| {
                    // DLI deleted the job, but the poll's answer does not say so: not
                    // trusted as "gone".
                    assert_eq!(o.waited, None, "{o:?}");
                    assert_eq!(
                        o.error.as_deref(),
                        Some("service status=Some(404) code=None attempts=1"),
                        "{o:?}"
                    );
                    assert_eq!(t.probes, 1, "{t:?}");
                },
            )
        },
        QueryCase {
            setup: |e| e.seed(SeedJob::flink_job(148).create_time(T0)),
            ..base(
                "flink_deletion_confirmed_by_one_poll",
                Query::DeleteAndWait(Deletion::FlinkJob(148), fast()),
                |o, t| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!((t.polls, t.probes), (Some(1), 1), "{t:?}");
                },
            )
        },
        QueryCase {
            setup: |e| e.seed(SeedJob::job_execution("exec-00042").create_time(T0)),
            ..base(
                "job_execution_deletion_confirmed_by_one_poll",
                Query::DeleteAndWait(Deletion::JobExecution("exec-00042"), fast()),
                |o, t| {
                    assert_eq!(o.waited.as_deref(), Some("Gone"), "{o:?}");
                    assert_eq!((t.polls, t.probes), (Some(1), 1), "{t:?}");
                    assert_eq!(
                        o.requests,
                        [format!(
                            "DELETE /v1.1/{DEFAULT_PROJECT_ID}/job-executions/exec-00042"
                        )]
                    );
                },
            )
        },
    ]
}

/// The visualization job the quickstart and the deletion cases seed ([`Op::all`]), as its
/// path id.
const QUICKSTART_VISUALIZATION_JOB: &str = "1003";

/// The jobs of [`Op::all`], as the quickstart seeds them (created at `T0`, so both runs
/// see the same jobs).
fn seed_every_op(e: &Emulator) {
    e.seed_many(Op::all().iter().map(|op| op.job().create_time(T0)));
}

/// What a user does with the jobs the quickstart seeds: list them, fetch one, delete it,
/// typed; and what a job id that is not a number gets (job ids are Long on the pages).
fn quickstart_jobs() -> Vec<QueryCase> {
    vec![
        QueryCase {
            setup: seed_every_op,
            ..base(
                "quickstart_visualization_job_listed_fetched_and_deleted",
                Query::Steps(vec![
                    Single::ListVisualizationJobs(ListVisualizationJobs::new()),
                    Single::GetVisualizationJob(QUICKSTART_VISUALIZATION_JOB),
                    Single::DeleteVisualizationJob(QUICKSTART_VISUALIZATION_JOB),
                    Single::ListVisualizationJobs(ListVisualizationJobs::new()),
                ]),
                |o, _| {
                    let [Ok(listed), Ok(fetched), Ok(deleted), Ok(after)] = &o.steps[..] else {
                        panic!("every step answers: {o:?}")
                    };
                    let id: i64 = QUICKSTART_VISUALIZATION_JOB
                        .parse()
                        .expect("the quickstart's id is a number");
                    let Answer::VisualizationJobs(listed) = listed else {
                        panic!("{o:?}")
                    };
                    let ids: Vec<_> = listed.jobs.iter().flatten().map(|j| j.job_id).collect();
                    assert_eq!(ids, [Some(id)], "{o:?}");
                    let Answer::VisualizationJob(fetched) = fetched else {
                        panic!("{o:?}")
                    };
                    assert_eq!(fetched.job_id, Some(id), "{o:?}");
                    assert_eq!(
                        fetched.job_name,
                        Some(format!("visualization-job-{id}")),
                        "{o:?}"
                    );
                    let Answer::VisualizationJobDeleted(deleted) = deleted else {
                        panic!("{o:?}")
                    };
                    assert_eq!(deleted.is_success, Some(true), "{o:?}");
                    let Answer::VisualizationJobs(after) = after else {
                        panic!("{o:?}")
                    };
                    assert_eq!(after.jobs.as_deref(), Some(&[][..]), "{o:?}");
                    assert!(
                        !o.remaining
                            .iter()
                            .any(|j| j.starts_with("visualization_job")),
                        "{o:?}"
                    );
                },
            )
        },
        QueryCase {
            setup: seed_every_op,
            ..base(
                "non_numeric_visualization_job_id_is_an_invalid_argument",
                Query::Steps(vec![
                    Single::GetVisualizationJob("vis-0001"),
                    Single::DeleteVisualizationJob("vis-0001"),
                    Single::ListVisualizationJobs(ListVisualizationJobs::new()),
                ]),
                |o, _| {
                    // 400 ModelArts.0101 "Invalid Argument." (the error-code page), in the
                    // pages' error body, once: a 400 is not retried.
                    let invalid =
                        r#"service status=Some(400) code=Some("ModelArts.0101") attempts=1"#;
                    assert_eq!(o.steps[0], Err(invalid.to_owned()), "{o:?}");
                    assert_eq!(o.steps[1], Err(invalid.to_owned()), "{o:?}");
                    let Some(Ok(Answer::VisualizationJobs(listed))) = o.steps.get(2) else {
                        panic!("{o:?}")
                    };
                    let ids: Vec<_> = listed.jobs.iter().flatten().map(|j| j.job_id).collect();
                    assert_eq!(ids.len(), 1, "the seeded job is still there: {o:?}");
                    assert!(
                        o.remaining
                            .contains(&format!("visualization_job {QUICKSTART_VISUALIZATION_JOB}")),
                        "{o:?}"
                    );
                },
            )
        },
    ]
}
