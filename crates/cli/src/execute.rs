//! Execution: acts on the plan and nothing else. At most `parallelism` deletions at a
//! time, every deletion through the one [`Throttle`]; the SDK retries 5xx and lost
//! connections inside each call, a 429 it gives up on goes through the throttle and the
//! id is tried again; optional waiting (the SDK's waiter) until each job is gone.
//! Every planned id gets exactly one outcome, which goes to the journal the moment it is
//! known. On interruption no new deletion starts, the ones in flight finish, and the ids
//! never started are reported skipped.

use std::sync::Arc;
use std::time::Duration;

use indicatif::ProgressBar;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::backend::{Backend, BatchEntry, CallError, ErrorClass, Waited};
use crate::cancel::Cancel;
use crate::journal::Journal;
use crate::kinds::{JobId, Kind};
use crate::plan::{Action, Plan};
use crate::report::{Item, Outcome, Report};
use crate::throttle::Throttle;

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
        }
    }
}

/// What every task shares.
struct Run<B> {
    backend: Arc<B>,
    kind: Kind,
    settings: Settings,
    throttle: Throttle,
    cancel: Cancel,
    journal: Option<Arc<Journal>>,
    progress: ProgressBar,
}

/// Executes `plan` and reports every id in it exactly once.
pub(crate) async fn execute<B: Backend>(
    backend: Arc<B>,
    plan: &Plan,
    settings: Settings,
    journal: Option<Arc<Journal>>,
    cancel: Cancel,
    progress: ProgressBar,
) -> Report {
    let run = Arc::new(Run {
        backend,
        kind: plan.kind,
        throttle: Throttle::new(settings.max_rate),
        settings,
        cancel,
        journal,
        progress,
    });
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.items.len()];
    let mut started = vec![false; plan.items.len()];
    let mut todo = Vec::new();
    for (index, item) in plan.items.iter().enumerate() {
        match &item.action {
            // Skips were decided before the run: not journalled again.
            Action::Skip(reason) => {
                outcomes[index] = Some(Outcome::Skipped {
                    reason: reason.clone(),
                })
            }
            Action::Delete => todo.push((index, item.id.clone())),
        }
    }
    run.progress.set_length(todo.len() as u64);

    if let (Some(size), Kind::FlinkJob) = (run.settings.batch, plan.kind) {
        todo = run_batches(&run, plan, todo, size.max(1), &mut outcomes).await;
    }

    let slots = Arc::new(Semaphore::new(run.settings.parallelism.max(1)));
    let mut tasks = JoinSet::new();
    for (index, id) in todo {
        let permit = tokio::select! {
            biased;
            () = run.cancel.cancelled() => break,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        while let Some(done) = tasks.try_join_next() {
            settle(done, &mut outcomes);
        }
        started[index] = true;
        let run = Arc::clone(&run);
        let name = plan.items[index].name.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let outcome = delete_one(&run, &id).await;
            let item = Item { id, name, outcome };
            run.finish(std::slice::from_ref(&item));
            (index, item.outcome)
        });
    }
    while let Some(done) = tasks.join_next().await {
        settle(done, &mut outcomes);
    }
    run.progress.finish_and_clear();
    let slowdowns = run.throttle.slowdowns();
    if slowdowns > 0 {
        eprintln!("note: the service throttled the run (429); it slowed down {slowdowns} time(s)");
    }

    let interrupted = run.cancel.is_cancelled();
    let items = plan
        .items
        .iter()
        .zip(outcomes)
        .zip(started)
        .map(|((planned, outcome), started)| Item {
            id: planned.id.clone(),
            name: planned.name.clone(),
            outcome: outcome.unwrap_or_else(|| unsettled(started)),
        })
        .collect();
    Report::new(plan.kind, items, interrupted)
}

/// The outcome of an id that has none: never started (interrupted), or a task that died.
fn unsettled(started: bool) -> Outcome {
    if started {
        Outcome::Failed {
            status: None,
            code: None,
            message: "internal error: the deletion ended without an outcome; check the job".into(),
            request_id: None,
            attempts: 0,
        }
    } else {
        Outcome::Skipped {
            reason: "interrupted before its deletion started".into(),
        }
    }
}

fn settle(
    done: Result<(usize, Outcome), tokio::task::JoinError>,
    outcomes: &mut [Option<Outcome>],
) {
    // A task that panicked leaves its slot empty; `unsettled` reports it as failed.
    if let Ok((index, outcome)) = done {
        outcomes[index] = Some(outcome);
    }
}

impl<B: Backend> Run<B> {
    /// Journals and shows outcomes that completed together (one write for them all).
    fn finish(&self, items: &[Item]) {
        if let Some(journal) = &self.journal
            && let Err(e) = journal.record(self.kind, items)
        {
            // Without the journal a resume could not be trusted: stop starting more.
            self.progress.suspend(|| {
                eprintln!(
                    "error: cannot write --journal {}: {e}; stopping (in-flight deletions finish)",
                    journal.path().display()
                );
            });
            self.cancel.cancel();
        }
        self.progress.inc(items.len() as u64);
    }
}

/// Deletes one id (and waits for it, with `--wait`). The SDK retries inside each call;
/// here only a throttled call is tried again, after the shared throttle's pause.
async fn delete_one<B: Backend>(run: &Run<B>, id: &JobId) -> Outcome {
    if run.settings.wait_only {
        let max = run.settings.wait.unwrap_or(Duration::ZERO);
        return match wait_gone(run, id, 0, max).await {
            Outcome::Deleted { attempts } => Outcome::AlreadyGone {
                attempts,
                note: None,
            },
            other => other,
        };
    }
    let mut attempts = 0;
    let mut throttled = 0;
    let mut unknown = false;
    loop {
        if !run.throttle.acquire(&run.cancel).await {
            return interrupted(attempts, None);
        }
        let error = match run.backend.delete(run.kind, id).await {
            Ok(()) => {
                attempts += 1;
                run.throttle.succeeded();
                break;
            }
            Err(e) => e,
        };
        attempts += error.attempts.max(1);
        unknown |= error.earlier_attempt_unknown;
        match error.class {
            // Gone: maybe by an earlier attempt of ours whose answer was lost.
            ErrorClass::NotFound => {
                return Outcome::AlreadyGone {
                    attempts,
                    note: unknown.then(|| LOST_ANSWER.to_owned()),
                };
            }
            ErrorClass::Throttled { retry_after } => {
                run.throttle.throttled(retry_after);
                throttled += 1;
                if throttled >= run.settings.max_throttled {
                    return failed(&error, attempts, "");
                }
            }
            ErrorClass::Fatal => return failed(&error, attempts, ""),
        }
    }
    match run.settings.wait {
        None => Outcome::Deleted { attempts },
        Some(max) => wait_gone(run, id, attempts, max).await,
    }
}

/// The note of an id found gone after an attempt whose answer was lost: this run may
/// have deleted it. Reported as `already_gone` (what the service said; a success either
/// way) with this note, not as `deleted`, which the run cannot prove.
pub(crate) const LOST_ANSWER: &str = "an earlier attempt got no clear answer (timeout, connection lost); it may have deleted the job";

/// Interrupted while waiting: the service accepted the deletion, so it is `deleted`
/// (unconfirmed); with nothing deleted (`otc-jobs wait`), `skipped`.
fn stopped_waiting(attempts: u32) -> Outcome {
    if attempts == 0 {
        Outcome::Skipped {
            reason: "interrupted before it was seen gone".into(),
        }
    } else {
        Outcome::Deleted { attempts }
    }
}

/// Waits (the SDK's waiter) until the job is gone, its deletion failed, or `max` passed.
async fn wait_gone<B: Backend>(run: &Run<B>, id: &JobId, attempts: u32, max: Duration) -> Outcome {
    let start = Instant::now();
    let waited = tokio::select! {
        biased;
        () = run.cancel.cancelled() => return stopped_waiting(attempts),
        waited = run.backend.wait_gone(run.kind, id, max, run.settings.poll_interval) => waited,
    };
    match waited {
        Ok(Waited::Gone) => Outcome::Deleted { attempts },
        Err(e) if e.class == ErrorClass::NotFound => Outcome::Deleted { attempts },
        Ok(Waited::Failed(status)) => Outcome::Failed {
            status: None,
            code: None,
            message: format!("the service reports the deletion failed (status {status})"),
            request_id: None,
            attempts,
        },
        Ok(Waited::StillPresent(status)) => Outcome::Failed {
            status: None,
            code: None,
            message: format!(
                "the service said deleted, but the job is still there (status {})",
                status.as_deref().unwrap_or("unknown")
            ),
            request_id: None,
            attempts,
        },
        Ok(Waited::TimedOut(last_status)) => Outcome::TimedOut {
            attempts,
            waited_secs: start.elapsed().as_secs(),
            last_status,
        },
        Err(e) => {
            if let ErrorClass::Throttled { retry_after } = e.class {
                run.throttle.throttled(retry_after);
            }
            failed(&e, attempts, "deleted, but cannot wait for it: ")
        }
    }
}

/// Deletes Flink jobs in batches; returns the ids to delete one by one.
///
/// DLI's batch answer is a list of `{is_success, message}` without ids, so it cannot say
/// which id failed. When every entry of a chunk says success (and there is one per id)
/// all its ids are reported deleted; otherwise (any failure, a count that does not match,
/// an error) the chunk's ids are deleted one by one, and those the batch did remove show
/// as `already_gone`. The batch is a POST: the SDK does not resend it after an
/// ambiguous failure, and the one-by-one deletions settle those ids.
async fn run_batches<B: Backend>(
    run: &Run<B>,
    plan: &Plan,
    todo: Vec<(usize, JobId)>,
    size: usize,
    outcomes: &mut [Option<Outcome>],
) -> Vec<(usize, JobId)> {
    let mut one_by_one = Vec::new();
    let mut chunks = todo.chunks(size);
    for chunk in chunks.by_ref() {
        if !run.throttle.acquire(&run.cancel).await {
            one_by_one.extend_from_slice(chunk);
            break;
        }
        let ids: Vec<JobId> = chunk.iter().map(|(_, id)| id.clone()).collect();
        match run.backend.batch_delete(&ids).await {
            Ok(entries) if all_succeeded(&entries, ids.len()) => {
                run.throttle.succeeded();
                let items: Vec<Item> = chunk
                    .iter()
                    .map(|(index, id)| Item {
                        id: id.clone(),
                        name: plan.items[*index].name.clone(),
                        outcome: Outcome::Deleted { attempts: 1 },
                    })
                    .collect();
                run.finish(&items);
                for ((index, _), item) in chunk.iter().zip(items) {
                    outcomes[*index] = Some(item.outcome);
                }
            }
            Err(e) if matches!(e.class, ErrorClass::Throttled { .. }) => {
                if let ErrorClass::Throttled { retry_after } = e.class {
                    run.throttle.throttled(retry_after);
                }
                one_by_one.extend_from_slice(chunk);
            }
            Ok(_) | Err(_) => {
                one_by_one.extend_from_slice(chunk);
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

fn failed(error: &CallError, attempts: u32, prefix: &str) -> Outcome {
    Outcome::Failed {
        status: error.status,
        code: error.code.clone(),
        message: format!("{prefix}{}", error.message),
        request_id: error.request_id.clone(),
        attempts,
    }
}

/// Interrupted before the first request (skipped) or between attempts (failed: it may or
/// may not have been deleted by an attempt whose answer was lost).
fn interrupted(attempts: u32, last: Option<&CallError>) -> Outcome {
    if attempts == 0 {
        return Outcome::Skipped {
            reason: "interrupted before its deletion started".into(),
        };
    }
    Outcome::Failed {
        status: last.and_then(|e| e.status),
        code: last.and_then(|e| e.code.clone()),
        message: format!(
            "interrupted after {attempts} attempt(s){}",
            last.map(|e| format!("; last error: {}", e.message))
                .unwrap_or_default()
        ),
        request_id: last.and_then(|e| e.request_id.clone()),
        attempts,
    }
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;
