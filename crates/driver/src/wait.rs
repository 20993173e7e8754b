//! The sans-IO waiter: polls a deletion's [`DeletionProbe`] until the job is gone. It says
//! when to poll ([`WaitStep::Poll`]) and how long to sleep in between
//! ([`WaitStep::Sleep`]); a client sends each poll as one full call and sleeps. The clock
//! and the random draws are passed in, so the machine is tested without sleeping.
//!
//! - A poll answered "not found" by the service itself ([`Error::is_not_found`]:
//!   `ModelArts.2775`, `DLI.0002`, `DLI.16001`, MRS `0176`/`0201`, or a 404 carrying the
//!   service's own code): the job is gone. A 404 of the gateway (`APIG.0101`), of a web
//!   server or a proxy is an error that ends the wait, not "gone".
//! - A poll that finds the job in a status meaning the deletion failed
//!   ([`JobState::Failed`], ModelArts 6): [`WaitOutcome::Failed`].
//! - Otherwise, for asynchronous deletions (ModelArts), another poll after a full-jitter
//!   exponential backoff between [`WaitOptions::min_delay`] and [`WaitOptions::max_delay`],
//!   never sleeping past [`WaitOptions::max_wait`]; when that is spent,
//!   [`WaitOutcome::TimedOut`]. Synchronous deletions (DLI, MRS) are confirmed by one poll.
//! - A wait for a cancelled run ([`Waiter::until_finished`]: a run that stays listed) is
//!   over when a poll shows a status that is none of the run's unfinished statuses
//!   ([`WaitOutcome::Finished`]); until then it polls as for an asynchronous deletion.
//! - A poll whose call failed after its retries (the client's retry policy applies to each
//!   poll) with a transient error (5xx, throttling, connection lost: [`is_retryable`]) is
//!   tried again at the next poll while time remains, and ends the wait with that error
//!   when none does; any other error ends the wait at once.

use std::time::{Duration, Instant};

use otc_jobs_core::{Deletion, DeletionProbe, Error, JobState, is_retryable};

/// How long and how often to wait for a deletion.
///
/// The defaults suit ModelArts, which marks a job "deleting" at once and removes it within
/// seconds to a minute: the first poll at once, then every 2 s, 4 s, 8 s ... up to 20 s
/// (each drawn at random between 2 s and that ceiling), for at most 5 minutes.
///
/// ```
/// use std::time::Duration;
/// use otc_jobs_driver::WaitOptions;
///
/// let options = WaitOptions::default()
///     .max_wait(Duration::from_secs(60))
///     .delays(Duration::from_secs(1), Duration::from_secs(10));
/// assert_eq!(options.max_wait, Duration::from_secs(60));
/// assert_eq!(options.min_delay, Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// The longest time to wait in all (sleeps never go past it; the last poll may end
    /// after it by its own duration).
    pub max_wait: Duration,
    /// The shortest sleep between two polls.
    pub min_delay: Duration,
    /// The longest sleep between two polls.
    pub max_delay: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            max_wait: Duration::from_secs(300),
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl WaitOptions {
    /// The same options, waiting at most `max_wait` in all.
    pub fn max_wait(mut self, max_wait: Duration) -> WaitOptions {
        self.max_wait = max_wait;
        self
    }

    /// The same options, sleeping between `min_delay` and `max_delay` between polls (a
    /// `max_delay` below `min_delay` reads as `min_delay`).
    pub fn delays(mut self, min_delay: Duration, max_delay: Duration) -> WaitOptions {
        self.min_delay = min_delay;
        self.max_delay = max_delay.max(min_delay);
        self
    }

    /// The sleep after poll number `polls` (1-based): drawn by `jitter` (uniform in
    /// `[0, 1)`) between `min_delay` and `min(max_delay, min_delay * 2^(polls-1))`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use otc_jobs_driver::WaitOptions;
    ///
    /// let options = WaitOptions::default(); // 2 s .. 20 s
    /// assert_eq!(options.backoff(1, 0.9), Duration::from_secs(2)); // the ceiling is 2 s
    /// assert_eq!(options.backoff(3, 0.5), Duration::from_secs(5)); // between 2 s and 8 s
    /// assert_eq!(options.backoff(30, 1.0), Duration::from_secs(20)); // the maximum
    /// ```
    pub fn backoff(&self, polls: u32, jitter: f64) -> Duration {
        let min = self.min_delay;
        let max = self.max_delay.max(min);
        let exp = polls.saturating_sub(1).min(31);
        let ceiling = min.checked_mul(1u32 << exp).unwrap_or(max).min(max);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        min + (ceiling - min).mul_f64(jitter)
    }
}

/// How a wait ended (the job is not necessarily gone: check the variant).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitOutcome {
    /// The job is gone: a poll was answered "not found".
    Gone {
        /// How many polls were sent (0 when the deletion itself said "not found").
        polls: u32,
        /// How long the wait took.
        elapsed: Duration,
    },
    /// The job is in a status that means the deletion failed (ModelArts 6).
    Failed {
        /// The status, as the service wrote it.
        status: String,
    },
    /// The job was still there when the maximum wait was spent.
    TimedOut {
        /// The status the last poll saw, if it had one.
        last_status: Option<String>,
        /// How many polls were sent.
        polls: u32,
        /// How long the wait took.
        elapsed: Duration,
    },
    /// A synchronous deletion (DLI, MRS) said it was done, but the one poll confirming it
    /// still found the job.
    StillPresent {
        /// The status the poll saw, if it had one.
        status: Option<String>,
    },
    /// A cancelled run is over: a poll showed a status that is none of its unfinished
    /// ones (DLI `CANCELLED`, `FINISHED`, Spark `dead`, ...). See [`Waiter::until_finished`].
    Finished {
        /// The status, as the service wrote it.
        status: String,
        /// How many polls were sent.
        polls: u32,
        /// How long the wait took.
        elapsed: Duration,
    },
}

impl WaitOutcome {
    /// Whether the job is gone.
    ///
    /// ```
    /// use std::time::Duration;
    /// use otc_jobs_driver::WaitOutcome;
    /// assert!(WaitOutcome::Gone { polls: 2, elapsed: Duration::from_secs(3) }.is_gone());
    /// assert!(!WaitOutcome::Failed { status: "6".into() }.is_gone());
    /// ```
    pub fn is_gone(&self) -> bool {
        matches!(self, WaitOutcome::Gone { .. })
    }

    /// Whether the run is over: it finished (a cancelled run's wait), or it is gone.
    ///
    /// ```
    /// use std::time::Duration;
    /// use otc_jobs_driver::WaitOutcome;
    /// let over = WaitOutcome::Finished { status: "CANCELLED".into(), polls: 1, elapsed: Duration::ZERO };
    /// assert!(over.is_over() && !over.is_gone());
    /// assert!(!WaitOutcome::StillPresent { status: None }.is_over());
    /// ```
    pub fn is_over(&self) -> bool {
        matches!(
            self,
            WaitOutcome::Gone { .. } | WaitOutcome::Finished { .. }
        )
    }
}

/// What the client must do next in a wait.
#[derive(Debug)]
#[must_use]
pub enum WaitStep<P> {
    /// Send this probe (one full call), then pass its result to [`Waiter::advance`].
    Poll(P),
    /// Sleep this long, then call [`Waiter::advance`] with `None`.
    Sleep(Duration),
    /// The wait is over.
    Done(Result<WaitOutcome, Error>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The next advance sends a poll.
    Ready,
    /// A poll is out: its answer is due.
    Polling,
    Done,
}

/// A wait for one deletion, as a state machine:
///
/// ```text
/// let mut waiter = Waiter::new(&deletion, options, Instant::now());
/// let mut answer = None;
/// loop {
///     match waiter.advance(answer.take(), Instant::now(), jitter()) {
///         WaitStep::Poll(probe) => answer = Some(send(&probe)), // one full call
///         WaitStep::Sleep(wait) => sleep(wait),
///         WaitStep::Done(outcome) => return outcome,
///     }
/// }
/// ```
///
/// ```
/// # use otc_jobs_core::{Deletion, DeletionProbe, JobState, Operation, OperationResponse, PathValue, Service};
/// # #[derive(Clone)] struct GetJob;
/// # #[derive(serde::Deserialize)] struct Detail { status: String }
/// # impl OperationResponse for Detail {}
/// # impl Operation for GetJob {
/// #     type Response = Detail;
/// #     const NAME: &'static str = "GetJob";
/// #     const SERVICE: Service = Service::ModelArts;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const PATH_TEMPLATE: &'static str = "/v1/{project_id}/jobs/1";
/// #     const SUCCESS_STATUS: &'static [u16] = &[200];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl DeletionProbe for GetJob {
/// #     fn job_state(r: &Detail) -> JobState { JobState::Present { status: Some(r.status.clone()) } }
/// # }
/// # struct DeleteJob;
/// # impl Operation for DeleteJob {
/// #     type Response = Detail;
/// #     const NAME: &'static str = "DeleteJob";
/// #     const SERVICE: Service = Service::ModelArts;
/// #     const METHOD: http::Method = http::Method::DELETE;
/// #     const PATH_TEMPLATE: &'static str = "/v1/{project_id}/jobs/1";
/// #     const SUCCESS_STATUS: &'static [u16] = &[200];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl Deletion for DeleteJob {
/// #     type Probe = GetJob;
/// #     const ASYNCHRONOUS: bool = true;
/// #     fn probe(&self) -> GetJob { GetJob }
/// # }
/// use std::time::{Duration, Instant};
/// use otc_jobs_core::ServiceError;
/// use otc_jobs_driver::{WaitOptions, WaitOutcome, WaitStep, Waiter};
///
/// let start = Instant::now();
/// let mut waiter = Waiter::new(&DeleteJob, WaitOptions::default(), start);
///
/// // First poll at once: still deleting.
/// assert!(matches!(waiter.advance(None, start, 0.5), WaitStep::Poll(_)));
/// let deleting = Ok(Detail { status: "9".into() });
/// let WaitStep::Sleep(wait) = waiter.advance(Some(deleting), start, 0.5) else { panic!() };
/// assert_eq!(wait, Duration::from_secs(2));
///
/// // Second poll after the sleep: not found, so gone.
/// let later = start + wait;
/// assert!(matches!(waiter.advance(None, later, 0.5), WaitStep::Poll(_)));
/// let not_found = ServiceError::from_answer(
///     otc_jobs_core::Service::ModelArts, http::StatusCode::NOT_FOUND, &http::HeaderMap::new(),
///     br#"{"error_code":"ModelArts.2775","error_msg":"not found"}"#).into();
/// let WaitStep::Done(outcome) = waiter.advance(Some(Err(not_found)), later, 0.5) else { panic!() };
/// assert_eq!(outcome?, WaitOutcome::Gone { polls: 2, elapsed: Duration::from_secs(2) });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Waiter<P: DeletionProbe> {
    probe: P,
    options: WaitOptions,
    asynchronous: bool,
    started: Instant,
    polls: u32,
    last_status: Option<String>,
    state: State,
    /// For a cancelled run: the statuses of a run that is not over (`None`: a deletion).
    unfinished: Option<&'static [&'static str]>,
}

impl<P: DeletionProbe> Waiter<P> {
    /// A wait for `deletion` (already sent) to take effect, starting at `now`.
    pub fn new<D>(deletion: &D, options: WaitOptions, now: Instant) -> Waiter<P>
    where
        D: Deletion<Probe = P>,
    {
        Waiter::for_probe(deletion.probe(), D::ASYNCHRONOUS, options, now)
    }

    /// A wait polling `probe` directly: `asynchronous` as [`Deletion::ASYNCHRONOUS`].
    pub fn for_probe(
        probe: P,
        asynchronous: bool,
        options: WaitOptions,
        now: Instant,
    ) -> Waiter<P> {
        Waiter {
            probe,
            options,
            asynchronous,
            started: now,
            polls: 0,
            last_status: None,
            state: State::Ready,
            unfinished: None,
        }
    }

    /// A wait for a cancelled run (it stays listed) to be over: polling `probe` as for an
    /// asynchronous deletion until its status is none of `unfinished` (compared in any
    /// case): [`WaitOutcome::Finished`]. A poll answered "not found" is
    /// [`WaitOutcome::Gone`]; a poll without a status is polled again.
    ///
    /// ```
    /// # use otc_jobs_core::{DeletionProbe, JobState, Operation, OperationResponse, PathValue, Service};
    /// # #[derive(Clone)] struct GetRun;
    /// # #[derive(serde::Deserialize)] struct Detail { status: String }
    /// # impl OperationResponse for Detail {}
    /// # impl Operation for GetRun {
    /// #     type Response = Detail;
    /// #     const NAME: &'static str = "GetRun";
    /// #     const SERVICE: Service = Service::Dli;
    /// #     const METHOD: http::Method = http::Method::GET;
    /// #     const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/jobs/1/status";
    /// #     const SUCCESS_STATUS: &'static [u16] = &[200];
    /// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
    /// # }
    /// # impl DeletionProbe for GetRun {
    /// #     fn job_state(r: &Detail) -> JobState { JobState::Present { status: Some(r.status.clone()) } }
    /// # }
    /// use std::time::{Duration, Instant};
    /// use otc_jobs_driver::{WaitOptions, WaitOutcome, WaitStep, Waiter};
    ///
    /// let start = Instant::now();
    /// let mut waiter = Waiter::until_finished(GetRun, &["RUNNING", "LAUNCHING"], WaitOptions::default(), start);
    /// assert!(matches!(waiter.advance(None, start, 0.0), WaitStep::Poll(_)));
    /// let still = Ok(Detail { status: "RUNNING".into() });
    /// assert!(matches!(waiter.advance(Some(still), start, 0.0), WaitStep::Sleep(_)));
    /// let later = start + Duration::from_secs(2);
    /// assert!(matches!(waiter.advance(None, later, 0.0), WaitStep::Poll(_)));
    /// let over = Ok(Detail { status: "CANCELLED".into() });
    /// let WaitStep::Done(outcome) = waiter.advance(Some(over), later, 0.0) else { panic!() };
    /// assert_eq!(
    ///     outcome?,
    ///     WaitOutcome::Finished { status: "CANCELLED".into(), polls: 2, elapsed: Duration::from_secs(2) }
    /// );
    /// # Ok::<(), otc_jobs_core::Error>(())
    /// ```
    pub fn until_finished(
        probe: P,
        unfinished: &'static [&'static str],
        options: WaitOptions,
        now: Instant,
    ) -> Waiter<P> {
        Waiter {
            unfinished: Some(unfinished),
            ..Waiter::for_probe(probe, true, options, now)
        }
    }

    /// How many polls were sent so far.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// The next step at `now`: `answer` is the result of the last [`WaitStep::Poll`],
    /// `None` at the start and after a [`WaitStep::Sleep`]; `jitter` is a uniform draw
    /// from `[0, 1)` for the next sleep. After [`WaitStep::Done`] the waiter is spent:
    /// it answers `Done` again, with [`WaitOutcome::TimedOut`] holding what the polls saw.
    pub fn advance(
        &mut self,
        answer: Option<Result<P::Response, Error>>,
        now: Instant,
        jitter: f64,
    ) -> WaitStep<P> {
        let elapsed = now.saturating_duration_since(self.started);
        match (self.state, answer) {
            (State::Done, _) => WaitStep::Done(Ok(self.timed_out(elapsed))),
            (State::Polling, Some(answer)) => self.judge(answer, elapsed, jitter),
            // A sleep is over (or the start): poll. An answer without a poll out is
            // ignored rather than trusted.
            (State::Ready, _) | (State::Polling, None) => {
                self.state = State::Polling;
                self.polls += 1;
                WaitStep::Poll(self.probe.clone())
            }
        }
    }

    fn judge(
        &mut self,
        answer: Result<P::Response, Error>,
        elapsed: Duration,
        jitter: f64,
    ) -> WaitStep<P> {
        let polls = self.polls;
        let failure = match answer {
            Err(e) if e.is_not_found() => {
                return self.done(Ok(WaitOutcome::Gone { polls, elapsed }));
            }
            Err(e) if !self.asynchronous || !is_retryable(&e) => return self.done(Err(e)),
            Err(e) => Some(e),
            Ok(response) => match P::job_state(&response) {
                JobState::Present {
                    status: Some(status),
                } if self
                    .unfinished
                    .is_some_and(|u| !u.iter().any(|s| s.eq_ignore_ascii_case(status.trim()))) =>
                {
                    return self.done(Ok(WaitOutcome::Finished {
                        status,
                        polls,
                        elapsed,
                    }));
                }
                JobState::Failed { status } => {
                    return self.done(Ok(WaitOutcome::Failed { status }));
                }
                JobState::Present { status } if !self.asynchronous => {
                    return self.done(Ok(WaitOutcome::StillPresent { status }));
                }
                JobState::Present { status } => {
                    self.last_status = status;
                    None
                }
            },
        };
        let remaining = self.options.max_wait.saturating_sub(elapsed);
        if remaining.is_zero() {
            return match failure {
                Some(e) => self.done(Err(e)),
                None => {
                    let outcome = self.timed_out(elapsed);
                    self.done(Ok(outcome))
                }
            };
        }
        self.state = State::Ready;
        WaitStep::Sleep(self.options.backoff(polls, jitter).min(remaining))
    }

    fn timed_out(&self, elapsed: Duration) -> WaitOutcome {
        WaitOutcome::TimedOut {
            last_status: self.last_status.clone(),
            polls: self.polls,
            elapsed,
        }
    }

    fn done(&mut self, outcome: Result<WaitOutcome, Error>) -> WaitStep<P> {
        self.state = State::Done;
        WaitStep::Done(outcome)
    }
}
