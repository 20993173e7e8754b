//! Paging and waiting: the driver's [`Paginator`] and [`Waiter`] run over this client's
//! calls (each page and each poll one full call, with its retries), as iterators and
//! blocking calls. All decisions are the driver's, so `otc-jobs-async` behaves
//! identically.

use std::collections::VecDeque;
use std::time::Instant;

use otc_jobs_core::{Deletion, Error, Operation, Paginated, Windowed};
use otc_jobs_driver::{
    PageStep, Paginator, WaitOptions, WaitOutcome, WaitStep, Waiter, WindowWalk,
};

use crate::Client;

/// The pages of a list, one call each: made by [`Client::pages`].
#[derive(Debug)]
#[must_use = "an iterator sends nothing until it is iterated"]
pub struct Pages<O: Paginated> {
    client: Client,
    paginator: Paginator<O>,
}

impl<O> Iterator for Pages<O>
where
    O: Paginated + Sync,
    O::Response: Send,
{
    type Item = Result<Vec<O::Item>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.paginator.next_step() {
            PageStep::Fetch(page) => {
                let answer = self.client.send_impl(&page);
                Some(self.paginator.page_answer(answer))
            }
            PageStep::Fail(e) => Some(Err(e)),
            PageStep::Done => None,
        }
    }
}

/// The items of a list, page after page: made by [`Client::paginate`].
#[derive(Debug)]
#[must_use = "an iterator sends nothing until it is iterated"]
pub struct Items<O: Paginated> {
    pages: Pages<O>,
    buffered: VecDeque<O::Item>,
}

impl<O> Iterator for Items<O>
where
    O: Paginated + Sync,
    O::Response: Send,
{
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(items) => self.buffered.extend(items),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The items of a list walked by windows of time: made by [`Client::paginate_windowed`].
#[derive(Debug)]
#[must_use = "an iterator sends nothing until it is iterated"]
pub struct WindowItems<O: Windowed> {
    client: Client,
    walk: WindowWalk<O>,
    buffered: VecDeque<O::Item>,
}

impl<O> Iterator for WindowItems<O>
where
    O: Windowed + Sync,
    O::Response: Send,
{
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Some(Ok(item));
            }
            match self.walk.next_step() {
                PageStep::Fetch(page) => {
                    let answer = self.client.send_impl(&page);
                    match self.walk.page_answer(answer) {
                        Ok(items) => self.buffered.extend(items),
                        Err(e) => return Some(Err(e)),
                    }
                }
                PageStep::Fail(e) => return Some(Err(e)),
                PageStep::Done => return None,
            }
        }
    }
}

impl Client {
    /// Every item of the list `request`, as [`paginate`](Client::paginate) gives them, and
    /// past the most pages one walk can reach ([`Paginated::MAX_PAGES`]: DLI's SQL job
    /// list stops at page 100) by windows of time, newest first, each item once (see
    /// [`WindowWalk`]).
    ///
    /// ```
    /// use otc_jobs_blocking::otc_jobs_core::dli::ListSqlJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # emulator.seed_many((0..1_500u64).map(|n| SeedJob::sql_job(format!("q{n}")).create_time(1_700_000_000_000 + n / 3)));
    /// # let client = otc_jobs_blocking::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// // Pages of 10: one walk reaches 1,000 jobs; the windows reach the rest.
    /// let ids = client
    ///     .paginate_windowed(ListSqlJobs::new().page_size(10))
    ///     .map(|job| job.map(|job| job.job_id))
    ///     .collect::<Result<std::collections::BTreeSet<_>, _>>()?;
    /// assert_eq!(ids.len(), 1_500);
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate_windowed<O: Windowed>(&self, request: O) -> WindowItems<O> {
        WindowItems {
            client: self.clone(),
            walk: WindowWalk::new(request),
            buffered: VecDeque::new(),
        }
    }

    /// Every page of the list `request`, lazily: nothing is sent before the first
    /// `next()`, then one call per page, each with the client's retries. The page size is
    /// the one set on `request`, else the operation's maximum. A failed page is the last
    /// element; a service whose pages never end ends the walk with an
    /// [`EndlessPaging`](otc_jobs_core::ResponseErrorKind::EndlessPaging) error. See
    /// [`Paginator`] for when the walk ends and what happens to items deleted or added
    /// while paging (offset and page lists can skip or repeat one; nothing is
    /// de-duplicated).
    ///
    /// ```
    /// use otc_jobs_blocking::otc_jobs_core::dli::ListFlinkJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # for id in [1, 2, 3] { emulator.seed(SeedJob::flink_job(id)); }
    /// # let client = otc_jobs_blocking::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// for page in client.pages(ListFlinkJobs::new()) {
    ///     let page = page?; // a failed page ends the walk with its error
    ///     println!("{} jobs", page.len());
    /// #   assert_eq!(page.len(), 3);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn pages<O: Paginated>(&self, request: O) -> Pages<O> {
        Pages {
            client: self.clone(),
            paginator: Paginator::new(request),
        }
    }

    /// Every item of the list `request`, page after page, lazily (see
    /// [`pages`](Client::pages)): the items of each page in the service's order, then,
    /// if a page fails, its error as the last element (never a silently short list).
    ///
    /// ```
    /// use otc_jobs_blocking::otc_jobs_core::dli::ListFlinkJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # for id in [1, 2, 3] { emulator.seed(SeedJob::flink_job(id)); }
    /// # let client = otc_jobs_blocking::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// // Find first, then act: deleting while walking an offset list would skip jobs.
    /// let ids = client
    ///     .paginate(ListFlinkJobs::new().status("job_running"))
    ///     .map(|job| job.map(|job| job.job_id))
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(ids, [Some(3), Some(2), Some(1)]); // newest first
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate<O: Paginated>(&self, request: O) -> Items<O> {
        Items {
            pages: self.pages(request),
            buffered: VecDeque::new(),
        }
    }

    /// Walks `children` (each a parent and its list request) as the driver's
    /// [`ChildWalks`](otc_jobs_driver::ChildWalks) says, one call at a time (the parents one
    /// after another), giving each item (or a parent's end) to `give` in the parents'
    /// order; an error of `give` ends the walk with it.
    pub(crate) fn walk_children<K, O>(
        &self,
        children: Vec<(K, O)>,
        mut give: impl FnMut(otc_jobs_driver::ChildEvent<K, O::Item>) -> Result<(), Error>,
    ) -> Result<(), Error>
    where
        K: Clone,
        O: Paginated + Sync,
        O::Response: Send,
    {
        use otc_jobs_driver::{ChildStep, ChildWalks};
        let mut walks = ChildWalks::new(children, 1);
        loop {
            match walks.next_step() {
                ChildStep::Fetch { walk, page } => {
                    let answer = self.send_impl(&page);
                    walks.page_answer(walk, answer);
                }
                ChildStep::Give(event) => give(event)?,
                // Each page is answered as it is sent: nothing is ever in flight here.
                ChildStep::Await => {
                    return Err(otc_jobs_core::BuildError::Body(
                        "a walk awaited an answer with no page in flight".to_owned(),
                    )
                    .into());
                }
                ChildStep::Done => return Ok(()),
            }
        }
    }

    /// Waits until the job `deletion` removes is gone, polling its probe (one call per
    /// poll, with the client's retries) with jittered backoff as `options` say; one poll
    /// for synchronous deletions (DLI, MRS). Call it after sending `deletion`. See
    /// [`Waiter`] for how answers are judged.
    ///
    /// ```
    /// use otc_jobs_blocking::otc_jobs_core::modelarts::DeleteVisualizationJob;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig { delete_delay: std::time::Duration::from_millis(50), ..Default::default() })?;
    /// # emulator.seed(SeedJob::visualization_job(1001));
    /// # let client = otc_jobs_blocking::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use std::time::Duration;
    /// use otc_jobs_blocking::{WaitOptions, WaitOutcome};
    ///
    /// let deletion = DeleteVisualizationJob::new("1001".parse()?);
    /// client.send(&deletion)?; // ModelArts deletes after answering
    /// let options = WaitOptions::default()
    ///     .delays(Duration::from_millis(20), Duration::from_millis(200))
    ///     .max_wait(Duration::from_secs(10));
    /// match client.wait_until_deleted(&deletion, options)? {
    ///     WaitOutcome::Gone { polls, elapsed } => println!("gone after {polls} polls, {elapsed:?}"),
    ///     WaitOutcome::Failed { status } => println!("the deletion failed (status {status})"),
    ///     other => println!("not gone yet: {other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_until_deleted<D>(
        &self,
        deletion: &D,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        D: Deletion,
        D::Probe: Sync,
        <D::Probe as Operation>::Response: Send,
    {
        self.wait_probe_gone(deletion.probe(), D::ASYNCHRONOUS, options)
    }

    /// [`wait_until_deleted`](Client::wait_until_deleted) polling `probe` directly, for a
    /// deletion that is not one `Deletion` (one id of a deletion of many).
    pub(crate) fn wait_probe_gone<P>(
        &self,
        probe: P,
        asynchronous: bool,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Sync,
        P::Response: Send,
    {
        self.drive(Waiter::for_probe(
            probe,
            asynchronous,
            options,
            Instant::now(),
        ))
    }

    /// Waits until the cancelled run `probe` reads is over: its status none of
    /// `unfinished` ([`WaitOutcome::Finished`]), polling as
    /// [`wait_until_deleted`](Client::wait_until_deleted) does for an asynchronous deletion
    /// (see [`Waiter::until_finished`]).
    pub(crate) fn wait_probe_finished<P>(
        &self,
        probe: P,
        unfinished: &'static [&'static str],
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Sync,
        P::Response: Send,
    {
        self.drive(Waiter::until_finished(
            probe,
            unfinished,
            options,
            Instant::now(),
        ))
    }

    /// Runs `waiter` to its outcome: its polls sent with this client's retries, its
    /// sleeps slept (the one loop every wait of this client shares).
    fn drive<P>(&self, mut waiter: Waiter<P>) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Sync,
        P::Response: Send,
    {
        let mut answer = None;
        loop {
            let jitter = self.inner.jitter.draw();
            match waiter.advance(answer.take(), Instant::now(), jitter) {
                WaitStep::Poll(probe) => answer = Some(self.send_impl(&probe)),
                WaitStep::Sleep(wait) => std::thread::sleep(wait),
                WaitStep::Done(outcome) => return outcome,
            }
        }
    }

    /// Runs `machine` to its end: its looks, the stop `stop` and the deletion `delete` sent
    /// with this client's retries, its sleeps slept (see
    /// [`StopThenDelete`](otc_jobs_driver::StopThenDelete)).
    pub(crate) fn stop_then_delete<P, K, D>(
        &self,
        mut machine: otc_jobs_driver::StopThenDelete<P>,
        stop: &K,
        delete: &D,
    ) -> Result<otc_jobs_driver::Deleted, Error>
    where
        P: otc_jobs_core::DeletionProbe + Sync,
        P::Response: Send,
        K: Operation + Sync,
        K::Response: Send,
        D: Operation + Sync,
        D::Response: Send,
    {
        use otc_jobs_driver::{StopAnswer, StopStep};
        let mut answer = None;
        loop {
            let jitter = self.inner.jitter.draw();
            match machine.advance(answer.take(), Instant::now(), jitter) {
                StopStep::Look(probe) => answer = Some(StopAnswer::Look(self.send_impl(&probe))),
                StopStep::Stop => answer = Some(StopAnswer::Sent(self.send_impl(stop).map(drop))),
                StopStep::Delete => {
                    answer = Some(StopAnswer::Sent(self.send_impl(delete).map(drop)))
                }
                StopStep::Sleep(wait) => std::thread::sleep(wait),
                StopStep::Done(outcome) => return outcome,
            }
        }
    }

    /// One request of `probe` (a detail operation), judged: the job there with its name
    /// and status, or gone ([`Described::from_answer`](otc_jobs_core::Described::from_answer)).
    pub(crate) fn describe_probe<P>(&self, probe: P) -> Result<otc_jobs_core::Described, Error>
    where
        P: otc_jobs_core::DeletionProbe + Sync,
        P::Response: Send,
    {
        otc_jobs_core::Described::from_answer::<P>(self.send_impl(&probe))
    }

    /// Sends `deletion`, then waits until the job is gone (see
    /// [`wait_until_deleted`](Client::wait_until_deleted)). A deletion answered "not found"
    /// is [`WaitOutcome::Gone`] with no polls: the job is gone either way.
    ///
    /// ```
    /// use otc_jobs_blocking::otc_jobs_core::dli::DeleteFlinkJob;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # emulator.seed(SeedJob::flink_job(148));
    /// # let client = otc_jobs_blocking::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use otc_jobs_blocking::WaitOptions;
    ///
    /// let outcome = client.delete_and_wait(&DeleteFlinkJob::new(148), WaitOptions::default())?;
    /// assert!(outcome.is_gone()); // DLI deletes at once: one poll confirms it
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete_and_wait<D>(
        &self,
        deletion: &D,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        D: Deletion + Sync,
        D::Response: Send,
        D::Probe: Sync,
        <D::Probe as Operation>::Response: Send,
    {
        let started = Instant::now();
        match self.send_impl(deletion) {
            Ok(_) => self.wait_until_deleted(deletion, options),
            Err(e) if e.is_not_found() => Ok(WaitOutcome::Gone {
                polls: 0,
                elapsed: started.elapsed(),
            }),
            Err(e) => Err(e),
        }
    }
}
