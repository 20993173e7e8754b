//! The sans-IO deletion of a job that may still run: look, stop it when it runs, wait
//! until it has stopped, then delete it ([`StopThenDelete`]). MRS v2 job executions are
//! deleted this way: a kill is answered 202 "Please wait" while the job goes on running
//! for a while, and a deletion of a job that still runs is refused (`0183` "The job is
//! running").
//!
//! - The first look is the job's details: "not found" ends it with that error (as a
//!   deletion answered "not found" would); a status that is one of the running ones sends
//!   the stop, any other the deletion at once.
//! - After the stop, the job's details are polled as a [`Waiter`] does (the first poll at
//!   once, then full-jitter backoff, never past [`WaitOptions::max_wait`]) until its status
//!   is none of the running ones; then the deletion. A poll (or that deletion) answered
//!   "not found" ends it as [`Deleted::gone`]: the job went by itself once killed, and
//!   nothing was deleted. When the time is spent and the job still
//!   runs, the deletion is sent once all the same: the service decides, and its refusal is
//!   the error, naming the last status seen.
//! - A deletion refused as busy (the kind's code, `0183`) is sent again after a further
//!   backoff sleep, at most [`MAX_DELETIONS`] times in all and never past the maximum wait;
//!   then the refusal is the error (its message naming the last status seen and the wait).
//!   Never an endless loop.
//!
//! Time and random draws are passed in; the machine sends nothing and sleeps nowhere.

use std::time::{Duration, Instant};

use otc_jobs_core::{DeletionProbe, Error, ErrorKind, JobState};

use crate::wait::{WaitOptions, WaitOutcome, WaitStep, Waiter};

/// The most deletions one [`StopThenDelete`] sends (the first, and the retries after a
/// busy refusal).
pub const MAX_DELETIONS: u32 = 4;

/// What a deletion did, besides deleting.
///
/// ```
/// use otc_jobs_driver::Deleted;
/// let plain = Deleted::new(false);
/// assert!(!plain.stopped && !plain.gone);
/// assert_eq!(Deleted::default(), plain);
/// assert!(Deleted::new(true).stopped);
/// let went = Deleted::gone_once_stopped();
/// assert!(went.stopped && went.gone);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deleted {
    /// The job was still running: it was stopped (killed) first, and deleted once it had
    /// stopped.
    pub stopped: bool,
    /// Once stopped, the job went by itself before the deletion (its details, or the
    /// deletion, answered "not found"): nothing was deleted, the job is gone all the same.
    pub gone: bool,
}

impl Deleted {
    /// A deletion; `stopped` when the job was stopped first.
    pub fn new(stopped: bool) -> Deleted {
        Deleted {
            stopped,
            gone: false,
        }
    }

    /// A job stopped, that then went by itself before the deletion.
    pub fn gone_once_stopped() -> Deleted {
        Deleted {
            stopped: true,
            gone: true,
        }
    }
}

/// What the client must do next in a [`StopThenDelete`].
#[derive(Debug)]
#[must_use]
pub enum StopStep<P> {
    /// Send this detail request (one full call), then pass its result as
    /// [`StopAnswer::Look`].
    Look(P),
    /// Send the stop (the kind's kill), then pass its result as [`StopAnswer::Sent`].
    Stop,
    /// Send the deletion, then pass its result as [`StopAnswer::Sent`].
    Delete,
    /// Sleep this long, then call [`StopThenDelete::advance`] with `None`.
    Sleep(Duration),
    /// It is over: deleted, or the error that ended it.
    Done(Result<Deleted, Error>),
}

/// The result of the call a [`StopStep`] asked for.
#[derive(Debug)]
pub enum StopAnswer<R> {
    /// The answer of a [`StopStep::Look`].
    Look(Result<R, Error>),
    /// The answer of a [`StopStep::Stop`] or [`StopStep::Delete`] (its body is not read).
    Sent(Result<(), Error>),
}

#[derive(Debug)]
enum Phase<P: DeletionProbe> {
    /// The first look is due (or out).
    Start,
    /// The stop is out.
    Stopping,
    /// Polling until the job has stopped.
    Waiting(Waiter<P>),
    /// A deletion is out; `last_try`: the wait ran out, no retry follows.
    Deleting {
        last_try: bool,
    },
    /// Sleeping before the deletion is sent again.
    Pausing,
    Done,
}

/// One job's deletion, stopping it first when it runs, as a state machine:
///
/// ```text
/// let mut machine = StopThenDelete::new(probe, RUNNING, "0183", options, Instant::now());
/// let mut answer = None;
/// loop {
///     match machine.advance(answer.take(), Instant::now(), jitter()) {
///         StopStep::Look(probe) => answer = Some(StopAnswer::Look(send(&probe))),
///         StopStep::Stop => answer = Some(StopAnswer::Sent(send(&kill).map(drop))),
///         StopStep::Delete => answer = Some(StopAnswer::Sent(send(&delete).map(drop))),
///         StopStep::Sleep(wait) => sleep(wait),
///         StopStep::Done(outcome) => return outcome,
///     }
/// }
/// ```
///
/// ```
/// # use otc_jobs_core::{DeletionProbe, JobState, Operation, OperationResponse, PathValue, Service};
/// # #[derive(Clone, Debug)] struct GetJob;
/// # #[derive(serde::Deserialize)] struct Detail { state: String }
/// # impl OperationResponse for Detail {}
/// # impl Operation for GetJob {
/// #     type Response = Detail;
/// #     const NAME: &'static str = "GetJob";
/// #     const SERVICE: Service = Service::Mrs;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const PATH_TEMPLATE: &'static str = "/v2/{project_id}/clusters/c/job-executions/j";
/// #     const SUCCESS_STATUS: &'static [u16] = &[202];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl DeletionProbe for GetJob {
/// #     fn job_state(r: &Detail) -> JobState { JobState::Present { status: Some(r.state.clone()) } }
/// # }
/// use std::time::{Duration, Instant};
/// use otc_jobs_driver::{Deleted, StopAnswer, StopStep, StopThenDelete, WaitOptions};
///
/// let start = Instant::now();
/// let options = WaitOptions::default().delays(Duration::from_secs(1), Duration::from_secs(4));
/// let mut machine = StopThenDelete::new(GetJob, &["RUNNING"], "0183", options, start);
/// let detail = |state: &str| Some(StopAnswer::Look(Ok(Detail { state: state.into() })));
///
/// assert!(matches!(machine.advance(None, start, 0.0), StopStep::Look(_)));
/// assert!(matches!(machine.advance(detail("RUNNING"), start, 0.0), StopStep::Stop));
/// // Killed ("please wait"): the first poll at once still sees it running.
/// assert!(matches!(machine.advance(Some(StopAnswer::Sent(Ok(()))), start, 0.0), StopStep::Look(_)));
/// let StopStep::Sleep(wait) = machine.advance(detail("RUNNING"), start, 0.0) else { panic!() };
/// let later = start + wait;
/// assert!(matches!(machine.advance(None, later, 0.0), StopStep::Look(_)));
/// assert!(matches!(machine.advance(detail("KILLED"), later, 0.0), StopStep::Delete));
/// let StopStep::Done(done) = machine.advance(Some(StopAnswer::Sent(Ok(()))), later, 0.0) else { panic!() };
/// assert_eq!(done?, Deleted::new(true));
/// # Ok::<(), otc_jobs_core::Error>(())
/// ```
#[derive(Debug)]
pub struct StopThenDelete<P: DeletionProbe> {
    probe: P,
    running: &'static [&'static str],
    busy_code: &'static str,
    options: WaitOptions,
    started: Instant,
    phase: Phase<P>,
    stopped: bool,
    deletions: u32,
    /// The last status a look saw.
    last_status: Option<String>,
    /// How long the post-stop wait took, when it ran out.
    waited: Option<Duration>,
}

impl<P: DeletionProbe> StopThenDelete<P> {
    /// The deletion of the job `probe` reads, starting at `now`: stopped first while its
    /// status is one of `running` (compared in any case); a deletion refused with the
    /// service code `busy_code` is retried; all waits together within `options.max_wait`.
    pub fn new(
        probe: P,
        running: &'static [&'static str],
        busy_code: &'static str,
        options: WaitOptions,
        now: Instant,
    ) -> StopThenDelete<P> {
        StopThenDelete {
            probe,
            running,
            busy_code,
            options,
            started: now,
            phase: Phase::Start,
            stopped: false,
            deletions: 0,
            last_status: None,
            waited: None,
        }
    }

    fn is_running(&self, status: &str) -> bool {
        self.running
            .iter()
            .any(|s| s.eq_ignore_ascii_case(status.trim()))
    }

    fn is_busy(&self, error: &Error) -> bool {
        error.code() == Some(self.busy_code)
    }

    /// The next step at `now`: `answer` is the result of the call the last step asked
    /// for, `None` at the start and after a [`StopStep::Sleep`]; `jitter` a uniform draw
    /// from `[0, 1)` for the next sleep. After [`StopStep::Done`] the machine is spent and
    /// answers an error saying so.
    pub fn advance(
        &mut self,
        answer: Option<StopAnswer<P::Response>>,
        now: Instant,
        jitter: f64,
    ) -> StopStep<P> {
        let elapsed = now.saturating_duration_since(self.started);
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Start => match answer {
                None => {
                    self.phase = Phase::Start;
                    StopStep::Look(self.probe.clone())
                }
                Some(StopAnswer::Look(Ok(detail))) => {
                    let status = match P::job_state(&detail) {
                        JobState::Present { status } => status,
                        JobState::Failed { status } => Some(status),
                    };
                    let runs = status.as_deref().is_some_and(|s| self.is_running(s));
                    self.last_status = status;
                    if runs {
                        self.phase = Phase::Stopping;
                        StopStep::Stop
                    } else {
                        self.delete(false)
                    }
                }
                Some(StopAnswer::Look(Err(e)) | StopAnswer::Sent(Err(e))) => self.done(Err(e)),
                Some(StopAnswer::Sent(Ok(()))) => self.out_of_order(),
            },
            Phase::Stopping => match answer {
                Some(StopAnswer::Sent(Ok(()))) => {
                    self.stopped = true;
                    let options = self
                        .options
                        .max_wait(self.options.max_wait.saturating_sub(elapsed));
                    let waiter =
                        Waiter::until_finished(self.probe.clone(), self.running, options, now);
                    self.wait(waiter, None, now, jitter)
                }
                Some(StopAnswer::Sent(Err(e)) | StopAnswer::Look(Err(e))) => self.done(Err(e)),
                None => {
                    self.phase = Phase::Stopping;
                    StopStep::Stop
                }
                Some(StopAnswer::Look(Ok(_))) => self.out_of_order(),
            },
            Phase::Waiting(waiter) => match answer {
                // Gone by itself once killed: gone, with nothing deleted.
                Some(StopAnswer::Look(Err(e))) if e.is_not_found() => {
                    self.done(Ok(Deleted::gone_once_stopped()))
                }
                Some(StopAnswer::Look(look)) => {
                    if let Ok(detail) = &look
                        && let JobState::Present { status: Some(s) } = P::job_state(detail)
                    {
                        self.last_status = Some(s);
                    }
                    self.wait(waiter, Some(look), now, jitter)
                }
                None => self.wait(waiter, None, now, jitter),
                Some(StopAnswer::Sent(_)) => self.out_of_order(),
            },
            Phase::Deleting { last_try } => match answer {
                Some(StopAnswer::Sent(Ok(()))) => self.done(Ok(Deleted::new(self.stopped))),
                Some(StopAnswer::Sent(Err(e))) if self.stopped && e.is_not_found() => {
                    self.done(Ok(Deleted::gone_once_stopped()))
                }
                Some(StopAnswer::Sent(Err(e))) if self.is_busy(&e) => {
                    let remaining = self.options.max_wait.saturating_sub(elapsed);
                    if last_try || self.deletions >= MAX_DELETIONS || remaining.is_zero() {
                        let e = self.explained(e, elapsed);
                        return self.done(Err(e));
                    }
                    self.phase = Phase::Pausing;
                    StopStep::Sleep(self.options.backoff(self.deletions, jitter).min(remaining))
                }
                Some(StopAnswer::Sent(Err(e)) | StopAnswer::Look(Err(e))) => self.done(Err(e)),
                None => {
                    self.phase = Phase::Deleting { last_try };
                    StopStep::Delete
                }
                Some(StopAnswer::Look(Ok(_))) => self.out_of_order(),
            },
            Phase::Pausing => self.delete(false),
            Phase::Done => self.done(Err(spent())),
        }
    }

    /// Advances the post-stop wait.
    fn wait(
        &mut self,
        mut waiter: Waiter<P>,
        look: Option<Result<P::Response, Error>>,
        now: Instant,
        jitter: f64,
    ) -> StopStep<P> {
        match waiter.advance(look, now, jitter) {
            WaitStep::Poll(probe) => {
                self.phase = Phase::Waiting(waiter);
                StopStep::Look(probe)
            }
            WaitStep::Sleep(wait) => {
                self.phase = Phase::Waiting(waiter);
                StopStep::Sleep(wait)
            }
            // Stopped: delete.
            WaitStep::Done(Ok(WaitOutcome::Finished { status, .. })) => {
                self.last_status = Some(status);
                self.delete(false)
            }
            // Still running when the time is spent: one deletion all the same.
            WaitStep::Done(Ok(WaitOutcome::TimedOut {
                last_status,
                elapsed,
                ..
            })) => {
                if last_status.is_some() {
                    self.last_status = last_status;
                }
                self.waited = Some(elapsed);
                self.delete(true)
            }
            WaitStep::Done(Ok(_)) => self.delete(false),
            WaitStep::Done(Err(e)) => self.done(Err(e)),
        }
    }

    fn delete(&mut self, last_try: bool) -> StopStep<P> {
        self.deletions += 1;
        self.phase = Phase::Deleting { last_try };
        StopStep::Delete
    }

    /// A busy refusal, its message saying what was seen: the last status, and whether
    /// the job was stopped and waited for.
    fn explained(&self, error: Error, elapsed: Duration) -> Error {
        let attempts = error.attempts();
        let mut service = match error.into_kind() {
            ErrorKind::Service(service) => service,
            other => return Error::from(other).with_attempts(attempts),
        };
        let status = self.last_status.as_deref().unwrap_or("unknown");
        let what = if self.stopped {
            format!(
                "killed, then still running (last status {status}) after {:.1} s and {} deletion(s)",
                self.waited.unwrap_or(elapsed).as_secs_f64(),
                self.deletions
            )
        } else {
            format!(
                "last status {status}; refused {} time(s) in {:.1} s",
                self.deletions,
                elapsed.as_secs_f64()
            )
        };
        service.message = Some(match service.message.take() {
            Some(m) => format!("{m} ({what})"),
            None => what,
        });
        Error::from(service).with_attempts(attempts)
    }

    fn out_of_order(&mut self) -> StopStep<P> {
        self.done(Err(spent()))
    }

    fn done(&mut self, outcome: Result<Deleted, Error>) -> StopStep<P> {
        self.phase = Phase::Done;
        StopStep::Done(outcome)
    }
}

/// The error of a machine driven out of order (a bug in the client's loop).
fn spent() -> Error {
    Error::from(otc_jobs_core::BuildError::Body(
        "stop-then-delete driven out of order (an answer that was not asked for)".to_owned(),
    ))
}
