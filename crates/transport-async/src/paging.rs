//! Paging and waiting: the driver's [`Paginator`] and [`Waiter`] run over this client's
//! calls (each page and each poll one full call, with its retries), as streams and
//! futures. All decisions are the driver's, so `otc-jobs-blocking` behaves identically.

use std::collections::VecDeque;
use std::time::Instant;

use futures_core::Stream;
use otc_jobs_core::{Deletion, Error, Operation, Paginated, Windowed};
use otc_jobs_driver::{
    PageStep, Paginator, WaitOptions, WaitOutcome, WaitStep, Waiter, WindowWalk,
};

use crate::Client;

impl Client {
    /// Every page of the list `request`, lazily: nothing is sent before the stream is
    /// first polled, then one call per page, each with the client's retries. The page
    /// size is the one set on `request`, else the operation's maximum. A failed page is
    /// the stream's last element; a service whose pages never end ends it with an
    /// [`EndlessPaging`](otc_jobs_core::ResponseErrorKind::EndlessPaging) error. See
    /// [`Paginator`] for when the walk ends and what happens to items deleted or added
    /// while paging (offset and page lists can skip or repeat one; nothing is
    /// de-duplicated).
    ///
    /// ```
    /// use otc_jobs_async::otc_jobs_core::dli::ListFlinkJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # for id in [1, 2, 3] { emulator.seed(SeedJob::flink_job(id)); }
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use futures_util::StreamExt;
    ///
    /// let mut pages = std::pin::pin!(client.pages(ListFlinkJobs::new()));
    /// while let Some(page) = pages.next().await {
    ///     let page = page?; // a failed page ends the stream with its error
    ///     println!("{} jobs", page.len());
    /// #   assert_eq!(page.len(), 3);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn pages<O>(
        &self,
        request: O,
    ) -> impl Stream<Item = Result<Vec<O::Item>, Error>> + Send + use<O>
    where
        O: Paginated + Send + Sync + 'static,
        O::Response: Send,
        O::Item: Send,
    {
        let state = (self.clone(), Paginator::new(request));
        futures_util::stream::unfold(state, |(client, mut paginator)| async move {
            let page = client.next_page(&mut paginator).await?;
            Some((page, (client, paginator)))
        })
    }

    /// Every item of the list `request`, page after page, lazily (see
    /// [`pages`](Client::pages)): the items of each page in the service's order, then,
    /// if a page fails, its error as the last element (never a silently short list).
    ///
    /// ```
    /// use otc_jobs_async::otc_jobs_core::dli::ListFlinkJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # for id in [1, 2, 3] { emulator.seed(SeedJob::flink_job(id)); }
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use futures_util::TryStreamExt;
    ///
    /// // Find first, then act: deleting while walking an offset list would skip jobs.
    /// let ids: Vec<Option<i64>> = client
    ///     .paginate(ListFlinkJobs::new().status("job_running"))
    ///     .map_ok(|job| job.job_id)
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(ids, [Some(3), Some(2), Some(1)]); // newest first
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate<O>(
        &self,
        request: O,
    ) -> impl Stream<Item = Result<O::Item, Error>> + Send + use<O>
    where
        O: Paginated + Send + Sync + 'static,
        O::Response: Send,
        O::Item: Send,
    {
        let state = (self.clone(), Paginator::new(request), VecDeque::new());
        futures_util::stream::unfold(state, |(client, mut paginator, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (client, paginator, buffered)));
                }
                match client.next_page(&mut paginator).await? {
                    Ok(items) => buffered.extend(items),
                    Err(e) => return Some((Err(e), (client, paginator, buffered))),
                }
            }
        })
    }

    /// Every item of the list `request`, as [`paginate`](Client::paginate) gives them, and
    /// past the most pages one walk can reach ([`Paginated::MAX_PAGES`]: DLI's SQL job
    /// list stops at page 100) by windows of time, newest first, each item once (see
    /// [`WindowWalk`]).
    ///
    /// ```
    /// use otc_jobs_async::otc_jobs_core::dli::ListSqlJobs;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # emulator.seed_many((0..1_500u64).map(|n| SeedJob::sql_job(format!("q{n}")).create_time(1_700_000_000_000 + n / 3)));
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use futures_util::TryStreamExt;
    ///
    /// // Pages of 10: one walk reaches 1,000 jobs; the windows reach the rest.
    /// let ids: std::collections::BTreeSet<String> = client
    ///     .paginate_windowed(ListSqlJobs::new().page_size(10))
    ///     .map_ok(|job| job.job_id)
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(ids.len(), 1_500);
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate_windowed<O>(
        &self,
        request: O,
    ) -> impl Stream<Item = Result<O::Item, Error>> + Send + use<O>
    where
        O: Windowed + Send + Sync + 'static,
        O::Response: Send,
        O::Item: Send,
    {
        let state = (self.clone(), WindowWalk::new(request), VecDeque::new());
        futures_util::stream::unfold(state, |(client, mut walk, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (client, walk, buffered)));
                }
                match walk.next_step() {
                    PageStep::Fetch(page) => {
                        let answer = client.send_impl(&page).await;
                        match walk.page_answer(answer) {
                            Ok(items) => buffered.extend(items),
                            Err(e) => return Some((Err(e), (client, walk, buffered))),
                        }
                    }
                    PageStep::Fail(e) => return Some((Err(e), (client, walk, buffered))),
                    PageStep::Done => return None,
                }
            }
        })
    }

    /// Walks `children` (each a parent and its list request) as the driver's
    /// [`ChildWalks`](otc_jobs_driver::ChildWalks) says, one page of each of at most
    /// [`Client::with_list_parallelism`] parents in flight, giving each item (or a parent's
    /// end) to `give` in the parents' order; an error of `give` ends the walk with it.
    pub(crate) async fn walk_children<K, O>(
        &self,
        children: Vec<(K, O)>,
        mut give: impl FnMut(otc_jobs_driver::ChildEvent<K, O::Item>) -> Result<(), Error>,
    ) -> Result<(), Error>
    where
        K: Clone,
        O: Paginated + Send + Sync + 'static,
        O::Response: Send,
    {
        use otc_jobs_driver::{ChildStep, ChildWalks};
        let mut walks = ChildWalks::new(children, self.list_parallelism);
        let mut in_flight = futures_util::stream::FuturesUnordered::new();
        loop {
            match walks.next_step() {
                ChildStep::Fetch { walk, page } => {
                    let client = self.clone();
                    in_flight.push(async move { (walk, client.send_impl(&page).await) });
                }
                ChildStep::Give(event) => give(event)?,
                ChildStep::Await => match futures_util::StreamExt::next(&mut in_flight).await {
                    Some((walk, answer)) => walks.page_answer(walk, answer),
                    // The driver awaits only pages in flight: not reached.
                    None => {
                        return Err(otc_jobs_core::BuildError::Body(
                            "a walk awaited an answer with no page in flight".to_owned(),
                        )
                        .into());
                    }
                },
                ChildStep::Done => return Ok(()),
            }
        }
    }

    /// The next page of a walk, `None` when it is over.
    async fn next_page<O>(
        &self,
        paginator: &mut Paginator<O>,
    ) -> Option<Result<Vec<O::Item>, Error>>
    where
        O: Paginated + Sync,
        O::Response: Send,
    {
        match paginator.next_step() {
            PageStep::Fetch(page) => {
                let answer = self.send_impl(&page).await;
                Some(paginator.page_answer(answer))
            }
            PageStep::Fail(e) => Some(Err(e)),
            PageStep::Done => None,
        }
    }

    /// Waits until the job `deletion` removes is gone, polling its probe (one call per
    /// poll, with the client's retries) with jittered backoff as `options` say; one poll
    /// for synchronous deletions (DLI, MRS). Call it after sending `deletion`. See
    /// [`Waiter`] for how answers are judged.
    ///
    /// ```
    /// use otc_jobs_async::otc_jobs_core::modelarts::DeleteVisualizationJob;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig { delete_delay: std::time::Duration::from_millis(50), ..Default::default() })?;
    /// # emulator.seed(SeedJob::visualization_job(1001));
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use std::time::Duration;
    /// use otc_jobs_async::{WaitOptions, WaitOutcome};
    ///
    /// let deletion = DeleteVisualizationJob::new("1001".parse()?);
    /// client.send(&deletion).await?; // ModelArts deletes after answering
    /// let options = WaitOptions::default()
    ///     .delays(Duration::from_millis(20), Duration::from_millis(200))
    ///     .max_wait(Duration::from_secs(10));
    /// match client.wait_until_deleted(&deletion, options).await? {
    ///     WaitOutcome::Gone { polls, elapsed } => println!("gone after {polls} polls, {elapsed:?}"),
    ///     WaitOutcome::Failed { status } => println!("the deletion failed (status {status})"),
    ///     other => println!("not gone yet: {other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_until_deleted<D>(
        &self,
        deletion: &D,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        D: Deletion + Sync,
        D::Probe: Send + Sync,
        <D::Probe as Operation>::Response: Send,
    {
        self.wait_probe_gone(deletion.probe(), D::ASYNCHRONOUS, options)
            .await
    }

    /// [`wait_until_deleted`](Client::wait_until_deleted) polling `probe` directly, for a
    /// deletion that is not one `Deletion` (one id of a deletion of many).
    pub(crate) async fn wait_probe_gone<P>(
        &self,
        probe: P,
        asynchronous: bool,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Send + Sync,
        P::Response: Send,
    {
        self.drive(Waiter::for_probe(
            probe,
            asynchronous,
            options,
            Instant::now(),
        ))
        .await
    }

    /// Waits until the cancelled run `probe` reads is over: its status none of
    /// `unfinished` ([`WaitOutcome::Finished`]), polling as
    /// [`wait_until_deleted`](Client::wait_until_deleted) does for an asynchronous deletion
    /// (see [`Waiter::until_finished`]).
    pub(crate) async fn wait_probe_finished<P>(
        &self,
        probe: P,
        unfinished: &'static [&'static str],
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Send + Sync,
        P::Response: Send,
    {
        self.drive(Waiter::until_finished(
            probe,
            unfinished,
            options,
            Instant::now(),
        ))
        .await
    }

    /// Runs `waiter` to its outcome: its polls sent with this client's retries, its
    /// sleeps slept (the one loop every wait of this client shares).
    async fn drive<P>(&self, mut waiter: Waiter<P>) -> Result<WaitOutcome, Error>
    where
        P: otc_jobs_core::DeletionProbe + Send + Sync,
        P::Response: Send,
    {
        let mut answer = None;
        loop {
            let jitter = self.inner.jitter.draw();
            match waiter.advance(answer.take(), Instant::now(), jitter) {
                WaitStep::Poll(probe) => answer = Some(self.send_impl(&probe).await),
                WaitStep::Sleep(wait) => tokio::time::sleep(wait).await,
                WaitStep::Done(outcome) => return outcome,
            }
        }
    }

    /// Runs `machine` to its end: its looks, the stop `stop` and the deletion `delete` sent
    /// with this client's retries, its sleeps slept (see
    /// [`StopThenDelete`](otc_jobs_driver::StopThenDelete)).
    pub(crate) async fn stop_then_delete<P, K, D>(
        &self,
        mut machine: otc_jobs_driver::StopThenDelete<P>,
        stop: &K,
        delete: &D,
    ) -> Result<otc_jobs_driver::Deleted, Error>
    where
        P: otc_jobs_core::DeletionProbe + Send + Sync,
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
                StopStep::Look(probe) => {
                    answer = Some(StopAnswer::Look(self.send_impl(&probe).await))
                }
                StopStep::Stop => {
                    answer = Some(StopAnswer::Sent(self.send_impl(stop).await.map(drop)))
                }
                StopStep::Delete => {
                    answer = Some(StopAnswer::Sent(self.send_impl(delete).await.map(drop)));
                }
                StopStep::Sleep(wait) => tokio::time::sleep(wait).await,
                StopStep::Done(outcome) => return outcome,
            }
        }
    }

    /// One request of `probe` (a detail operation), judged: the job there with its name
    /// and status, or gone ([`Described::from_answer`](otc_jobs_core::Described::from_answer)).
    pub(crate) async fn describe_probe<P>(
        &self,
        probe: P,
    ) -> Result<otc_jobs_core::Described, Error>
    where
        P: otc_jobs_core::DeletionProbe + Send + Sync,
        P::Response: Send,
    {
        otc_jobs_core::Described::from_answer::<P>(self.send_impl(&probe).await)
    }

    /// Sends `deletion`, then waits until the job is gone (see
    /// [`wait_until_deleted`](Client::wait_until_deleted)). A deletion answered "not found"
    /// is [`WaitOutcome::Gone`] with no polls: the job is gone either way.
    ///
    /// ```
    /// use otc_jobs_async::otc_jobs_core::dli::DeleteFlinkJob;
    /// # use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = Emulator::start(EmulatorConfig::default())?;
    /// # emulator.seed(SeedJob::flink_job(148));
    /// # let client = otc_jobs_async::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    /// #     .project_id(DEFAULT_PROJECT_ID).region("eu-de").base_url(emulator.base_url()).build()?;
    /// use otc_jobs_async::WaitOptions;
    ///
    /// let outcome = client.delete_and_wait(&DeleteFlinkJob::new(148), WaitOptions::default()).await?;
    /// assert!(outcome.is_gone()); // DLI deletes at once: one poll confirms it
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_and_wait<D>(
        &self,
        deletion: &D,
        options: WaitOptions,
    ) -> Result<WaitOutcome, Error>
    where
        D: Deletion + Sync,
        D::Response: Send,
        D::Probe: Send + Sync,
        <D::Probe as Operation>::Response: Send,
    {
        let started = Instant::now();
        match self.send_impl(deletion).await {
            Ok(_) => self.wait_until_deleted(deletion, options).await,
            Err(e) if e.is_not_found() => Ok(WaitOutcome::Gone {
                polls: 0,
                elapsed: started.elapsed(),
            }),
            Err(e) => Err(e),
        }
    }
}
