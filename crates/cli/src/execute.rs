//! Execution: acts on the plan and nothing else. At most `parallelism` deletions at a
//! time, every request through the one [`Throttle`]; the SDK retries 5xx and lost
//! connections inside each call, a 429 it gives up on goes through the throttle and the
//! id is tried again; optional waiting (the SDK's waiter) until each job is gone. Every
//! request (delete, wait, batch) takes its turn and reports its answer to the throttle in
//! one place, [`send`].
//!
//! With a journal, it is written ahead: an id starts only once its intent is in the
//! journal (intents go in groups, written ahead of the ids that start, see
//! [`IntentsAhead`]), and outcomes that complete together go in one write. An id whose
//! intent an interrupted run left unresolved is probed first, and not deleted again if
//! it is gone. A journal that cannot be written stops the run: no new deletion starts.
//!
//! Every planned id gets exactly one outcome. On interruption no new deletion starts,
//! the ones in flight finish, and the ids never started are reported skipped.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use otc_jobs_async::WaitOutcome;
use otc_jobs_core::kinds::{Action as KindAction, BatchEntry, KindBatch};
use otc_jobs_core::{Described, Error};

use crate::backend::{Backend, Verdict, verdict};
use crate::cancel::Cancel;
use crate::journal::{Earlier, Intent, Journal};
use crate::plan::{Action, Plan};
use crate::progress::Progress;
use crate::report::{Answer, Item, ItemSink, Outcome, Report, Stop, Summary, Waited};
use crate::throttle::Throttle;
use otc_jobs_core::kinds::KindId;

/// How a run acts.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Deletions in flight at most.
    pub(crate) parallelism: usize,
    /// Requests per second at most (`None`: until a 429 says otherwise).
    pub(crate) max_rate: Option<f64>,
    /// Attempts per id that may be throttled (429) before it fails.
    pub(crate) max_throttled: u32,
    /// Wait until each deleted job is gone, at most this long.
    pub(crate) wait: Option<Duration>,
    /// The shortest sleep between two looks at a job being deleted (the SDK's waiter
    /// backs off from it up to ten times as long).
    pub(crate) poll_interval: Duration,
    /// DLI only: delete in batches of this many ids.
    pub(crate) batch: Option<usize>,
    /// Delete nothing, only wait (`otc-jobs wait`): gone is `already_gone`.
    pub(crate) wait_only: bool,
    /// Look at each id first (its kind's detail request): its name for the report, and
    /// "not found" before anything is sent to delete it. For ids given by the user; a
    /// listed job has its name already.
    pub(crate) describe: bool,
    /// The run's slots, when several executions share one `parallelism` bound (a
    /// whole-account run); `None`: this execution's own.
    pub(crate) slots: Option<Arc<Semaphore>>,
    /// The throttle, when several executions share one (a whole-account run: one per
    /// service endpoint); `None`: this execution's own, of `max_rate`.
    pub(crate) throttle: Option<Arc<Throttle>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            parallelism: 8,
            max_rate: None,
            max_throttled: 10,
            wait: None,
            poll_interval: Duration::from_secs(2),
            batch: None,
            wait_only: false,
            describe: false,
            slots: None,
            throttle: None,
        }
    }
}

/// What every task shares.
struct Run<B> {
    backend: Arc<B>,
    settings: Settings,
    throttle: Arc<Throttle>,
    /// Ctrl-C.
    cancel: Cancel,
    /// Start nothing new: Ctrl-C, or a [`Stop`].
    halt: Cancel,
    stop: Mutex<Option<Stop>>,
    /// A call of this run got the service's own answer (a success, or "not found"): the
    /// setup works, and a later misconfiguration-like error is the call's alone.
    reached: AtomicBool,
    journal: Option<Arc<Journal>>,
    progress: Progress,
}

/// Executes `plan` and reports every id in it exactly once; with a journal, the ids it
/// holds as finished by an earlier attempt (skipped by the plan) with that outcome.
pub(crate) async fn execute<B: Backend>(
    backend: Arc<B>,
    plan: &Plan,
    settings: Settings,
    journal: Option<Arc<Journal>>,
    cancel: Cancel,
    progress: Progress,
) -> Report {
    let mut items = Vec::new();
    let report = execute_into(
        backend, plan, settings, journal, cancel, progress, &mut items,
    )
    .await;
    Report { items, ..report }
}

/// [`execute`], each id's line given to `sink` in plan order as soon as it and every
/// line before it are known (so that a run of 100,000 ids need not hold its lines):
/// the report returned has the counts, and no items.
pub(crate) async fn execute_into<B: Backend>(
    backend: Arc<B>,
    plan: &Plan,
    settings: Settings,
    journal: Option<Arc<Journal>>,
    cancel: Cancel,
    progress: Progress,
    sink: &mut dyn ItemSink,
) -> Report {
    let run = Arc::new(Run {
        backend,
        throttle: settings
            .throttle
            .clone()
            .unwrap_or_else(|| Arc::new(Throttle::new(settings.max_rate))),
        settings,
        halt: Cancel::default(),
        cancel,
        stop: Mutex::new(None),
        reached: AtomicBool::new(false),
        journal,
        progress,
    });
    let forward = {
        let (cancel, halt) = (run.cancel.clone(), run.halt.clone());
        tokio::spawn(async move {
            cancel.cancelled().await;
            halt.cancel();
        })
    };
    let mut order = InOrder::new(plan, run.journal.as_ref().map(|j| j.earlier()), sink);
    let mut started = vec![false; plan.items.len()];
    // The ids to act on, by their index in the plan (a clone of each id would be 64 bytes).
    let mut todo: Vec<usize> = (0..plan.items.len())
        .filter(|&index| plan.items[index].action.acts())
        .collect();
    run.progress.set_length(todo.len());

    if let Some(size) = run.settings.batch
        && plan.kind.has_batch_delete()
    {
        todo = run_batches(&run, plan, todo, size.max(1), &mut order).await;
    }

    let slots = run
        .settings
        .slots
        .clone()
        .unwrap_or_else(|| Arc::new(Semaphore::new(run.settings.parallelism.max(1))));
    let mut tasks = JoinSet::new();
    let mut done = Vec::new();
    let mut ahead = IntentsAhead::new(run.settings.parallelism);
    let mut next = 0;
    while next < todo.len() {
        let permit = tokio::select! {
            biased;
            () = run.halt.cancelled() => break,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        while let Some(joined) = tasks.try_join_next() {
            settle(joined, &mut done);
        }
        run.finish(&mut done, &mut order);
        if run.halt.is_cancelled() || !ahead.ensure(&run, plan, &todo, next).await {
            break;
        }
        let index = todo[next];
        next += 1;
        started[index] = true;
        let id = plan.items[index].id.clone();
        let recheck = run.unresolved(&id);
        let run = Arc::clone(&run);
        let name = plan.items[index].name.clone();
        tasks.spawn(async move {
            let _permit = permit;
            run.progress.started();
            let mut learnt = Learnt::default();
            let outcome = delete_one(&run, &id, recheck, &mut learnt).await;
            run.progress.ended();
            let name = name.or(learnt.name);
            (index, Item::new(id, name, outcome).waited(learnt.waited))
        });
    }
    while let Some(joined) = tasks.join_next().await {
        settle(joined, &mut done);
        while let Some(joined) = tasks.try_join_next() {
            settle(joined, &mut done);
        }
        run.finish(&mut done, &mut order);
    }
    // Ids whose intents were written but which never started: their outcome (skipped)
    // settles those intents, so a rerun need not probe them.
    let written = ahead.settle(&run).await;
    let never: Vec<Item> = todo[next..written.max(next)]
        .iter()
        .map(|&index| {
            let planned = &plan.items[index];
            Item::new(
                planned.id.clone(),
                planned.name.clone(),
                unsettled(false, &run),
            )
        })
        .collect();
    if let Some(journal) = &run.journal {
        let closed = journal.record(&never).and_then(|()| journal.close());
        if let Err(e) = closed {
            run.journal_failed(journal, &e);
        }
    }
    drop(never);
    forward.abort();
    run.progress.finish();
    let slowdowns = run.throttle.slowdowns();
    // A shared throttle's slowdowns are the whole run's to tell.
    if slowdowns > 0 && run.settings.throttle.is_none() {
        crate::verbosity::note!(
            "note: the service throttled the run (429); it slowed down {slowdowns} time(s)"
        );
    }

    // Every id left: never started (interrupted, stopped) or its task died.
    order.end(|index| unsettled(started[index], &run));
    let interrupted = run.cancel.is_cancelled();
    let stop = run.stop_reason();
    Report::tallied(
        plan.kind,
        order.summary,
        order.earlier_runs,
        interrupted,
        stop,
    )
}

/// The report's lines in plan order: an id's line waits here until every line before
/// it is known (a handful: those in flight), then goes to the sink. The plan's skips
/// are made when their turn comes.
struct InOrder<'a> {
    plan: &'a Plan,
    earlier: Option<&'a Earlier>,
    sink: &'a mut dyn ItemSink,
    /// Lines known ahead of their turn, by plan index.
    waiting: BTreeMap<usize, Item>,
    /// The next plan index to give to the sink.
    next: usize,
    summary: Summary,
    earlier_runs: usize,
}

impl<'a> InOrder<'a> {
    fn new(
        plan: &'a Plan,
        earlier: Option<&'a Earlier>,
        sink: &'a mut dyn ItemSink,
    ) -> InOrder<'a> {
        InOrder {
            plan,
            earlier,
            sink,
            waiting: BTreeMap::new(),
            next: 0,
            summary: Summary::default(),
            earlier_runs: 0,
        }
    }

    /// `items` are settled: gives the sink every line whose turn has come.
    fn settled(&mut self, items: impl IntoIterator<Item = (usize, Item)>) {
        self.waiting.extend(items);
        self.flush(None::<fn(usize) -> Outcome>);
    }

    /// The run is over: every line left, those with no outcome of `missing`'s.
    fn end(&mut self, missing: impl FnMut(usize) -> Outcome) {
        self.flush(Some(missing));
    }

    fn flush(&mut self, mut missing: Option<impl FnMut(usize) -> Outcome>) {
        while let Some(planned) = self.plan.items.get(self.next) {
            let index = self.next;
            let item = if let Action::Skip(reason) = &planned.action {
                self.skipped(planned, reason)
            } else if self
                .waiting
                .first_key_value()
                .is_some_and(|(&i, _)| i == index)
            {
                match self.waiting.pop_first() {
                    Some((_, item)) => item,
                    None => break,
                }
            } else if let Some(missing) = missing.as_mut() {
                Item::new(planned.id.clone(), planned.name.clone(), missing(index))
            } else {
                break;
            };
            self.next += 1;
            self.summary.count(&item.outcome);
            self.earlier_runs += usize::from(item.earlier_run);
            self.sink.push(item);
        }
    }

    /// A skip of the plan: skipped as finished by an earlier attempt, that attempt's
    /// outcome.
    fn skipped(&self, planned: &crate::plan::PlanItem, reason: &str) -> Item {
        let finished = self
            .earlier
            .and_then(|e| e.get(&planned.id))
            .filter(|known| known.finished());
        if let Some(known) = finished
            && let Some(outcome) = &known.outcome
        {
            return Item {
                earlier_run: true,
                name: planned.name.clone().or_else(|| known.name.clone()),
                ..Item::new(planned.id.clone(), None, outcome.clone())
            };
        }
        let skipped = Outcome::Skipped {
            reason: reason.to_owned(),
        };
        Item::new(planned.id.clone(), planned.name.clone(), skipped)
    }
}

/// The outcome of an id that has none: never started (interrupted, stopped), or a task
/// that died.
fn unsettled<B>(started: bool, run: &Run<B>) -> Outcome {
    if started {
        return Outcome::Failed {
            answer: Answer::none(
                "internal error: the deletion ended without an outcome; check the job".into(),
            ),
            attempts: 0,
        };
    }
    Outcome::Skipped {
        reason: run.not_started(),
    }
}

fn settle(joined: Result<(usize, Item), tokio::task::JoinError>, done: &mut Vec<(usize, Item)>) {
    // A task that panicked leaves its slot empty; `unsettled` reports it as failed.
    if let Ok(item) = joined {
        done.push(item);
    }
}

/// Writes the intents of the ids about to start, a group at a time, and the next group
/// while the current one starts (a synced write takes milliseconds: written ahead, it
/// is not on the way of the deletions). A group starts at the parallelism (at least 16)
/// and doubles, up to [`IntentsAhead::MAX_GROUP`], each time the ids caught up with the
/// intents written: so a fast run writes (and syncs) rarely, and a slow run leaves few
/// intents that a rerun must probe.
struct IntentsAhead {
    group: usize,
    /// `todo[..written]` have their intents in the journal.
    written: usize,
    /// The write of `todo[written..end]` under way.
    pending: Option<(JoinHandle<std::io::Result<()>>, usize)>,
}

impl IntentsAhead {
    const MAX_GROUP: usize = 1024;

    fn new(parallelism: usize) -> IntentsAhead {
        IntentsAhead {
            group: parallelism.clamp(16, Self::MAX_GROUP),
            written: 0,
            pending: None,
        }
    }

    /// Makes sure `todo[next]`'s intent is written; `false` if the journal failed.
    async fn ensure<B: Backend>(
        &mut self,
        run: &Run<B>,
        plan: &Plan,
        todo: &[usize],
        next: usize,
    ) -> bool {
        let Some(journal) = &run.journal else {
            return true;
        };
        if next >= self.written {
            if let Some((write, end)) = self.pending.take() {
                if !write.is_finished() {
                    self.group = (self.group * 2).min(Self::MAX_GROUP);
                }
                if !self.joined(run, journal, write, end).await {
                    return false;
                }
            }
            if next >= self.written {
                let end = (next + self.group).min(todo.len());
                let write = spawn_intents(journal, plan, &todo[next..end]);
                if !self.joined(run, journal, write, end).await {
                    return false;
                }
            }
        }
        if self.pending.is_none()
            && self.written < todo.len()
            && self.written.saturating_sub(next) <= self.group / 2
        {
            let end = (self.written + self.group).min(todo.len());
            let write = spawn_intents(journal, plan, &todo[self.written..end]);
            self.pending = Some((write, end));
        }
        true
    }

    async fn joined<B>(
        &mut self,
        run: &Run<B>,
        journal: &Journal,
        write: JoinHandle<std::io::Result<()>>,
        end: usize,
    ) -> bool {
        let result = match write.await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e.to_string())),
        };
        match result {
            Ok(()) => {
                self.written = end;
                true
            }
            Err(e) => {
                run.journal_failed(journal, &e);
                false
            }
        }
    }

    /// At the end: waits for a write under way; how far intents were written.
    async fn settle<B>(&mut self, run: &Run<B>) -> usize {
        if let (Some((write, end)), Some(journal)) = (self.pending.take(), &run.journal) {
            // A write that failed may still have written some lines: those ids are
            // probed by a rerun.
            self.joined(run, journal, write, end).await;
        }
        self.written
    }
}

fn spawn_intents(
    journal: &Arc<Journal>,
    plan: &Plan,
    todo: &[usize],
) -> JoinHandle<std::io::Result<()>> {
    let journal = Arc::clone(journal);
    let ids: Vec<KindId> = todo.iter().map(|&i| plan.items[i].id.clone()).collect();
    tokio::task::spawn_blocking(move || journal.intend(Intent::Delete, &ids))
}

impl<B> Run<B> {
    /// Journals and shows outcomes that completed together (one write for them all).
    fn finish(&self, done: &mut Vec<(usize, Item)>, order: &mut InOrder<'_>) {
        if done.is_empty() {
            return;
        }
        if let Some(journal) = &self.journal
            && let Err(e) = journal.record(done.iter().map(|(_, item)| item))
        {
            self.journal_failed(journal, &e);
        }
        self.progress
            .done(done.iter().map(|(_, item)| &item.outcome));
        order.settled(done.drain(..));
    }

    /// The journal cannot be written: a resume could not be trusted, so nothing new starts
    /// (the deletions in flight finish; their outcomes are in the report).
    fn journal_failed(&self, journal: &Journal, e: &std::io::Error) {
        let message = format!("cannot write --journal {}: {e}", journal.path().display());
        let first = {
            let mut stop = self
                .stop
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let first = stop.is_none();
            stop.get_or_insert(Stop::JournalUnwritable(message.clone()));
            first
        };
        if first {
            self.progress.suspend(|| {
                eprintln!("error: {message}; starting no new deletions (those in flight finish)");
            });
        }
        self.halt.cancel();
    }

    /// The first calls say the setup is wrong: stop (unless a call of this run reached
    /// the service already).
    fn misconfigured(&self, error: &Error, hint: &str) {
        if self.reached.load(Ordering::SeqCst) {
            return;
        }
        let message = format!(
            "misconfiguration: {}; {hint}",
            crate::backend::one_line(error)
        );
        let first = {
            let mut stop = self
                .stop
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let first = stop.is_none();
            stop.get_or_insert(Stop::Misconfigured(message.clone()));
            first
        };
        if first {
            self.progress.suspend(|| {
                eprintln!("error: {message}; starting no new deletions");
            });
        }
        self.halt.cancel();
    }

    /// A call got the service's own answer.
    fn reached(&self) {
        self.reached.store(true, Ordering::Relaxed);
    }

    /// Why an id never started.
    fn not_started(&self) -> String {
        match self.stop_reason() {
            Some(stop) if !self.cancel.is_cancelled() => {
                format!("not started: the run stopped ({})", stop.message())
            }
            _ => "interrupted before its deletion started".to_owned(),
        }
    }

    fn stop_reason(&self) -> Option<Stop> {
        self.stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether an earlier attempt may have sent a deletion of `id` without its outcome.
    fn unresolved(&self, id: &KindId) -> bool {
        self.journal
            .as_ref()
            .and_then(|j| j.earlier().get(id))
            .is_some_and(|known| known.unresolved)
    }
}

/// The note of an id whose deletion an interrupted run may have sent (its intent is in
/// the journal, no outcome), found gone by this run.
pub(crate) const RECOVERED: &str = "outcome recovered: the job is gone, and an interrupted run had journalled its deletion without an outcome (it may have been deleted by the interrupted run)";

/// One request of the run: it takes its turn from the throttle, and its answer is told
/// to the run: the service answered (a success, or "not found"), the throttle slowed it
/// (429), or the setup is wrong (a misconfiguration on the first calls stops the run).
/// The one place the throttle protocol (acquire / succeeded / throttled) is applied, for
/// deletions, waits and batches alike. `None`: no turn came (interrupted or stopped).
async fn send<B, T>(
    run: &Run<B>,
    request: impl Future<Output = Result<T, Error>>,
) -> Option<Result<T, Error>> {
    if !run.throttle.acquire(&run.halt).await {
        return None;
    }
    let answer = request.await;
    match &answer {
        Ok(_) => {
            run.reached();
            run.throttle.succeeded();
        }
        Err(e) => match verdict(e) {
            Verdict::NotFound => run.reached(),
            Verdict::Throttled(retry_after) => run.throttle.throttled(retry_after),
            Verdict::Misconfigured(hint) => run.misconfigured(e, hint),
            Verdict::Fatal => {}
        },
    }
    Some(answer)
}

/// What a run learns of an id on the way: its name (from its details) and what waiting
/// for it took.
#[derive(Debug, Default)]
struct Learnt {
    name: Option<String>,
    waited: Option<Waited>,
}

/// What the first look at a given id ([`Settings::describe`]) found.
enum FirstLook {
    /// Its details say "not found".
    Gone,
    /// It is there, in this status.
    There(Option<String>),
    /// The answer says the setup is wrong: the run stops, and this id fails with it.
    Misconfigured(Error),
    /// Nothing learnt: the kind has no detail request, the look failed (the deletion
    /// says more) or never ran.
    Unknown,
}

/// One detail request for `id` (through the throttle, like every request): its name goes
/// into `learnt`.
async fn first_look<B: Backend>(run: &Run<B>, id: &KindId, learnt: &mut Learnt) -> FirstLook {
    match send(run, run.backend.describe(id)).await {
        Some(Ok(Some(Described::Gone))) => FirstLook::Gone,
        Some(Ok(Some(Described::Present { name, status }))) => {
            learnt.name = name;
            FirstLook::There(status)
        }
        Some(Err(e)) if matches!(verdict(&e), Verdict::Misconfigured(_)) => {
            FirstLook::Misconfigured(e)
        }
        _ => FirstLook::Unknown,
    }
}

/// The note of a given id whose details said "not found": nothing was sent to delete it.
pub(crate) const GONE_AT_FIRST_LOOK: &str = "its details said not found: no deletion was sent";

/// Deletes one id (and waits for it, with `--wait`). The SDK retries inside each call;
/// here only a throttled call is tried again, after the shared throttle's pause. An id
/// an interrupted run may have deleted (`recheck`) is looked at first; a given id
/// ([`Settings::describe`]) too, for its name. What was learnt on the way: `learnt`.
async fn delete_one<B: Backend>(
    run: &Run<B>,
    id: &KindId,
    recheck: bool,
    learnt: &mut Learnt,
) -> Outcome {
    // A run that cannot be deleted is cancelled: the service's answer says whether it was
    // still running (cancelled) or already over (already_finished).
    let cancels = id.kind().action() == KindAction::Cancel;
    if run.settings.wait_only {
        return wait_only(run, id, learnt).await;
    }
    if run.settings.describe && !recheck {
        match first_look(run, id, learnt).await {
            FirstLook::Gone => {
                return Outcome::AlreadyGone {
                    attempts: 0,
                    note: Some(GONE_AT_FIRST_LOOK.to_owned()),
                };
            }
            FirstLook::Misconfigured(e) => return failed(&e, e.attempts().max(1), ""),
            FirstLook::There(_) | FirstLook::Unknown => {}
        }
    }
    // A cancellation is sent again rather than rechecked: the service itself says whether
    // the run is already over.
    if recheck && !cancels && probe_gone(run, id).await {
        return Outcome::Deleted {
            attempts: 0,
            note: Some(RECOVERED.to_owned()),
        };
    }
    let mut attempts = 0;
    let mut throttled = 0;
    let mut unknown = false;
    // The last throttled answer, for a run interrupted while waiting out the pause.
    let mut last: Option<Error> = None;
    // Whether the job ran: the SDK stopped it before deleting it.
    let stopped = loop {
        let Some(answer) = send(run, run.backend.delete(id)).await else {
            return interrupted(run, attempts, last.as_ref());
        };
        let error = match answer {
            Ok(deleted) if deleted.gone => {
                return Outcome::AlreadyGone {
                    attempts: attempts + 1,
                    note: Some(STOPPED_THEN_GONE.to_owned()),
                };
            }
            Ok(deleted) => {
                attempts += 1;
                break deleted.stopped;
            }
            Err(e) => e,
        };
        attempts += error.attempts().max(1);
        unknown |= error.earlier_attempt_unknown();
        if cancels && error.is_already_finished() {
            return Outcome::AlreadyFinished {
                attempts,
                note: error
                    .as_service()
                    .and_then(|e| e.message.clone())
                    .or_else(|| unknown.then(|| LOST_ANSWER.to_owned())),
            };
        }
        match verdict(&error) {
            // Gone: maybe by an earlier attempt (ours, or an interrupted run's) whose
            // answer was lost.
            Verdict::NotFound if recheck => {
                return Outcome::Deleted {
                    attempts,
                    note: Some(RECOVERED.to_owned()),
                };
            }
            Verdict::NotFound => {
                return Outcome::AlreadyGone {
                    attempts,
                    note: unknown.then(|| LOST_ANSWER.to_owned()),
                };
            }
            Verdict::Throttled(_) => {
                throttled += 1;
                if throttled >= run.settings.max_throttled {
                    return failed(&error, attempts, "");
                }
                last = Some(error);
            }
            Verdict::Misconfigured(_) | Verdict::Fatal => return failed(&error, attempts, ""),
        }
    };
    let outcome = match run.settings.wait {
        None if cancels => Outcome::Cancelled {
            attempts,
            note: None,
        },
        None => Outcome::Deleted {
            attempts,
            note: None,
        },
        Some(max) => wait_gone(run, id, attempts, max, &mut learnt.waited).await,
    };
    match outcome {
        Outcome::Deleted {
            attempts,
            note: None,
        } if stopped => Outcome::Deleted {
            attempts,
            note: Some(STOPPED_FIRST.to_owned()),
        },
        other => other,
    }
}

/// The note of a job that still ran: the SDK stopped (killed) it, waited until it had
/// stopped, then deleted it.
pub(crate) const STOPPED_FIRST: &str = "it was running: killed first, then deleted";

/// The note of a job that still ran and, once killed, went by itself before its deletion.
pub(crate) const STOPPED_THEN_GONE: &str =
    "it was running: killed first, then it went by itself before the deletion";

/// `otc-jobs wait`: one look first (the kind's detail request; for a kind without one,
/// the SDK's waiter with no time to wait). Gone: `already_gone` at once. There in a
/// status that shows nobody is deleting it: said at once on stderr, with the status,
/// rather than after `--max-wait`; of a kind deleted at once (DLI, MRS), `failed` at once
/// (it will not go by itself). Then the wait.
async fn wait_only<B: Backend>(run: &Run<B>, id: &KindId, learnt: &mut Learnt) -> Outcome {
    let started = Instant::now();
    let status = match first_look(run, id, learnt).await {
        FirstLook::Gone => {
            learnt.waited = Some(Waited::new(1, started.elapsed()));
            return Outcome::AlreadyGone {
                attempts: 0,
                note: None,
            };
        }
        FirstLook::There(status) => Some(status),
        FirstLook::Misconfigured(e) => return failed(&e, 0, ""),
        // No detail request for the kind: the waiter's own look, with no time to wait.
        FirstLook::Unknown => {
            let look = run
                .backend
                .wait_gone(id, Duration::ZERO, run.settings.poll_interval);
            match send(run, look).await {
                Some(Ok(WaitOutcome::Gone { polls, elapsed })) => {
                    learnt.waited = Some(Waited::new(polls, elapsed));
                    return Outcome::AlreadyGone {
                        attempts: 0,
                        note: None,
                    };
                }
                Some(Ok(WaitOutcome::TimedOut { last_status, .. })) => Some(last_status),
                Some(Ok(WaitOutcome::StillPresent { status })) => Some(status),
                // A failed look, a failed deletion: the wait says it.
                _ => None,
            }
        }
    };
    let kind = id.kind();
    // `Some`: the job is there (in this status, if the answer had one). A run that is
    // cancelled, not deleted, is waited for until it is over: no warning.
    if kind.action() != KindAction::Cancel
        && let Some(status) = status
        && !is_being_deleted(kind, status.as_deref())
    {
        let status = status.map_or_else(|| "unknown".to_owned(), |s| status_text(kind, &s));
        run.progress.suspend(|| {
            eprintln!(
                "warning: {kind} {id} is there and not being deleted (status {status}): \
                 `otc-jobs wait` deletes nothing; delete it with `otc-jobs delete {kind} {id}`"
            );
        });
        if !kind.is_asynchronous() {
            return Outcome::Failed {
                answer: Answer::none(format!(
                    "the job is there and nothing is deleting it (status {status}; a deletion \
                     of this kind is immediate)"
                )),
                attempts: 0,
            };
        }
    }
    let max = run.settings.wait.unwrap_or(Duration::ZERO);
    match wait_gone(run, id, 0, max, &mut learnt.waited).await {
        Outcome::Deleted { attempts, .. } => Outcome::AlreadyGone {
            attempts,
            note: None,
        },
        // Nothing was cancelled by this run: the run is over.
        Outcome::Cancelled { attempts, note } => Outcome::AlreadyFinished { attempts, note },
        other => other,
    }
}

/// Whether a job seen in `status` may be in the middle of its deletion: a kind deleted
/// at once (DLI, MRS) never is (still there means not deleted); one deleted after the
/// answer (ModelArts) is while its status reads as a deletion under way (the documented
/// name, else the status itself: `killing`, `deleting`, `Terminating`) or is unknown.
fn is_being_deleted(kind: otc_jobs_core::kinds::Kind, status: Option<&str>) -> bool {
    if !kind.is_asynchronous() {
        return false;
    }
    let Some(status) = status else { return true };
    let name = kind.facts().status_name(status).unwrap_or(status);
    let name = name.to_ascii_lowercase();
    ["deleting", "killing", "terminating"]
        .iter()
        .any(|under_way| name.contains(under_way))
}

/// `10 (completed)`: a status with its documented name, when the kind has one.
fn status_text(kind: otc_jobs_core::kinds::Kind, status: &str) -> String {
    match kind.facts().status_name(status) {
        Some(name) => format!("{status} ({name})"),
        None => status.to_owned(),
    }
}

/// One look at a job (the SDK's waiter, with no time to wait: its probe, once): whether
/// it is gone. An error, or a job still there, is `false`: it is deleted as usual.
async fn probe_gone<B: Backend>(run: &Run<B>, id: &KindId) -> bool {
    let look = run
        .backend
        .wait_gone(id, Duration::ZERO, run.settings.poll_interval);
    matches!(send(run, look).await, Some(Ok(outcome)) if outcome.is_gone())
}

/// The note of an id found gone after an attempt whose answer was lost: this run may
/// have deleted it. Reported as `already_gone` (what the service said; a success either
/// way) with this note, not as `deleted`, which the run cannot prove.
pub(crate) const LOST_ANSWER: &str = "an earlier attempt got no clear answer (timeout, connection lost); it may have deleted the job";

/// Interrupted while waiting: the service accepted the deletion, so it is `deleted`
/// (unconfirmed; `cancelled` for a cancellation); with nothing deleted (`otc-jobs wait`),
/// `skipped`.
fn stopped_waiting(id: &KindId, attempts: u32) -> Outcome {
    if attempts == 0 {
        Outcome::Skipped {
            reason: "interrupted before it was seen gone".into(),
        }
    } else if id.kind().action() == KindAction::Cancel {
        Outcome::Cancelled {
            attempts,
            note: None,
        }
    } else {
        Outcome::Deleted {
            attempts,
            note: None,
        }
    }
}

/// Waits (the SDK's waiter, which alone decides "gone") until the job is gone, its
/// deletion failed, or `max` passed.
async fn wait_gone<B: Backend>(
    run: &Run<B>,
    id: &KindId,
    attempts: u32,
    max: Duration,
    waited: &mut Option<Waited>,
) -> Outcome {
    let start = Instant::now();
    let wait = run.backend.wait_gone(id, max, run.settings.poll_interval);
    let waited_for = tokio::select! {
        biased;
        () = run.halt.cancelled() => return stopped_waiting(id, attempts),
        waited_for = send(run, wait) => waited_for,
    };
    let Some(waited_for) = waited_for else {
        return stopped_waiting(id, attempts);
    };
    let failed_with = |message: String| Outcome::Failed {
        answer: Answer::none(message),
        attempts,
    };
    match waited_for {
        Ok(WaitOutcome::Gone { polls, elapsed })
            if attempts > 0 && id.kind().action() == KindAction::Cancel =>
        {
            *waited = Some(Waited::new(polls, elapsed));
            Outcome::Cancelled {
                attempts,
                note: Some("the run is gone".to_owned()),
            }
        }
        Ok(WaitOutcome::Gone { polls, elapsed }) => {
            *waited = Some(Waited::new(polls, elapsed));
            Outcome::Deleted {
                attempts,
                note: None,
            }
        }
        // A cancelled run (it stays listed) is over.
        Ok(WaitOutcome::Finished {
            status,
            polls,
            elapsed,
        }) => {
            *waited = Some(Waited::new(polls, elapsed));
            Outcome::Cancelled {
                attempts,
                note: Some(format!("the run is over (status {status})")),
            }
        }
        Ok(WaitOutcome::Failed { status }) => failed_with(format!(
            "the service reports the deletion failed (status {status})"
        )),
        Ok(WaitOutcome::StillPresent { status }) => failed_with(format!(
            "the service said deleted, but the job is still there (status {})",
            status.as_deref().unwrap_or("unknown")
        )),
        Ok(WaitOutcome::TimedOut {
            last_status,
            polls,
            elapsed,
        }) => {
            *waited = Some(Waited::new(polls, elapsed));
            Outcome::TimedOut {
                attempts,
                waited_secs: start.elapsed().as_secs(),
                last_status,
            }
        }
        Ok(other) => failed_with(format!("the wait ended as {other:?}")),
        Err(e) => failed(&e, attempts, "deleted, but cannot wait for it: "),
    }
}

/// Deletes ids in batches (the kind's batch deletion); returns the ids to delete one by
/// one.
///
/// DLI's batch answer is a list of `{is_success, message}` without ids, so it cannot say
/// which id failed. When every entry of a chunk says success (and there is one per id)
/// all its ids are reported deleted; otherwise (any failure, a count that does not match,
/// an error) the chunk's ids are deleted one by one, and those the batch did remove show
/// as `already_gone`. The batch is a POST: the SDK does not resend it after an
/// ambiguous failure, and the one-by-one deletions settle those ids. Each chunk's
/// intents (`batch_delete`) are journalled before it is sent.
async fn run_batches<B: Backend>(
    run: &Run<B>,
    plan: &Plan,
    todo: Vec<usize>,
    size: usize,
    order: &mut InOrder<'_>,
) -> Vec<usize> {
    let mut one_by_one = Vec::new();
    let mut chunks = todo.chunks(size);
    for chunk in chunks.by_ref() {
        let ids: Vec<KindId> = chunk.iter().map(|&i| plan.items[i].id.clone()).collect();
        let Ok(batch) = KindBatch::new(plan.kind, &ids) else {
            // Not a batch of this kind (cannot happen: the plan is of one kind).
            one_by_one.extend_from_slice(chunk);
            continue;
        };
        if let Some(journal) = &run.journal {
            let journal_ = Arc::clone(journal);
            let ids_ = ids.clone();
            let written =
                tokio::task::spawn_blocking(move || journal_.intend(Intent::BatchDelete, &ids_))
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
            if let Err(e) = written {
                run.journal_failed(journal, &e);
                one_by_one.extend_from_slice(chunk);
                break;
            }
        }
        let Some(answer) = send(run, run.backend.batch_delete(&batch)).await else {
            one_by_one.extend_from_slice(chunk);
            break;
        };
        match answer {
            Ok(entries) if all_succeeded(&entries, ids.len()) => {
                let mut done: Vec<(usize, Item)> = chunk
                    .iter()
                    .map(|&index| {
                        let outcome = Outcome::Deleted {
                            attempts: 1,
                            note: None,
                        };
                        let planned = &plan.items[index];
                        (
                            index,
                            Item::new(planned.id.clone(), planned.name.clone(), outcome),
                        )
                    })
                    .collect();
                run.finish(&mut done, order);
            }
            // One by one (a misconfiguration has stopped the run: they are skipped).
            Ok(_) | Err(_) => {
                one_by_one.extend_from_slice(chunk);
                if run.halt.is_cancelled() {
                    break;
                }
            }
        }
    }
    for chunk in chunks {
        one_by_one.extend_from_slice(chunk);
    }
    one_by_one
}

fn all_succeeded(entries: &[BatchEntry], ids: usize) -> bool {
    entries.len() == ids && entries.iter().all(|e| e.is_success)
}

fn failed(error: &Error, attempts: u32, prefix: &str) -> Outcome {
    let message = format!("{prefix}{}", crate::backend::message(error));
    Outcome::Failed {
        answer: Answer::of(error, message),
        attempts,
    }
}

/// Interrupted (or stopped) before the first request (skipped) or between attempts
/// (failed: it may or may not have been deleted by an attempt whose answer was lost).
fn interrupted<B>(run: &Run<B>, attempts: u32, last: Option<&Error>) -> Outcome {
    if attempts == 0 {
        return Outcome::Skipped {
            reason: run.not_started(),
        };
    }
    let message = format!(
        "interrupted after {attempts} attempt(s){}",
        last.map(|e| format!("; last error: {}", crate::backend::message(e)))
            .unwrap_or_default()
    );
    let answer = match last {
        Some(e) => Answer::of(e, message),
        None => Answer::none(message),
    };
    Outcome::Failed { answer, attempts }
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;
