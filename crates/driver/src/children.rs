//! The sans-IO walk of one list for many parents (an MRS cluster's job executions, for
//! every cluster): a paginator of paginators ([`ChildWalks`]). Up to `width` parents'
//! walks are under way at once, each one [`Paginator`]; their items come out in the
//! parents' order, each parent's in its service's order, whatever order the pages are
//! answered in. A client with one call at a time (width 1) walks the parents one after
//! another; one that sends calls concurrently keeps up to `width` pages in flight.
//!
//! A parent's walk that fails ends with [`ChildEvent::Ended`] in its place in the order
//! (its items before the error given first): the caller decides whether that ends the
//! whole walk (an error) or only that parent's (a parent gone in between).

use std::collections::VecDeque;

use otc_jobs_core::{Error, Paginated};

use crate::paginate::{PageStep, Paginator};

/// What the client must do next in a [`ChildWalks`].
#[derive(Debug)]
#[must_use]
pub enum ChildStep<K, O: Paginated> {
    /// Send this page request of walk `walk` (one full call), then pass its result to
    /// [`ChildWalks::page_answer`] with that number; other steps may be taken meanwhile.
    Fetch {
        /// The walk the page belongs to.
        walk: u64,
        /// The page request.
        page: O,
    },
    /// The next item in order, or the end of a parent's walk.
    Give(ChildEvent<K, O::Item>),
    /// Nothing to do until an answer of a page in flight is passed in.
    Await,
    /// Every parent's walk is over and every item was given.
    Done,
}

/// An item of a parent's list, or the error that ended that parent's walk.
#[derive(Debug)]
pub enum ChildEvent<K, I> {
    /// An item of parent `K`'s list.
    Item(K, I),
    /// Parent `K`'s walk ended with this error (its items before it were given).
    Ended(K, Error),
}

struct Walk<K, O: Paginated> {
    parent: K,
    paginator: Paginator<O>,
    items: VecDeque<O::Item>,
    in_flight: bool,
    /// `Some(None)`: over; `Some(Some(e))`: ended with `e`, not yet given.
    end: Option<Option<Error>>,
}

/// The walks of one list for many parents, as a state machine:
///
/// ```text
/// let mut walks = ChildWalks::new(parents.map(|p| (p, request_for(p))), width);
/// loop {
///     match walks.next_step() {
///         ChildStep::Fetch { walk, page } => in_flight.push(send(walk, page)),
///         ChildStep::Give(ChildEvent::Item(parent, item)) => use(parent, item),
///         ChildStep::Give(ChildEvent::Ended(parent, error)) => report(parent, error),
///         ChildStep::Await => { let (walk, answer) = next_answer(); walks.page_answer(walk, answer) }
///         ChildStep::Done => break,
///     }
/// }
/// ```
///
/// ```
/// # use otc_jobs_core::{PageCursor, PageStyle, Paginated, Operation, OperationResponse, PathValue, Service};
/// # #[derive(Clone, Debug)] struct List { parent: u32, page: u32 }
/// # #[derive(serde::Deserialize)] struct Page { items: Vec<u32> }
/// # impl OperationResponse for Page {}
/// # impl Operation for List {
/// #     type Response = Page;
/// #     const NAME: &'static str = "List";
/// #     const SERVICE: Service = Service::Mrs;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const PATH_TEMPLATE: &'static str = "/v2/{project_id}/clusters/c/job-executions";
/// #     const SUCCESS_STATUS: &'static [u16] = &[202];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl Paginated for List {
/// #     type Item = u32;
/// #     const STYLE: PageStyle = PageStyle::PageNumber;
/// #     const FIRST_PAGE: u32 = 1;
/// #     const MAX_PAGE_SIZE: u32 = 2;
/// #     fn page_size(&self) -> Option<u32> { None }
/// #     fn with_page(&self, cursor: &PageCursor, _: u32) -> List {
/// #         let PageCursor::Number(n) = cursor else { unreachable!() };
/// #         List { page: *n, ..self.clone() }
/// #     }
/// #     fn into_items(r: Page) -> Vec<u32> { r.items }
/// #     fn total(r: &Page) -> Option<u64> { Some(2) }
/// #     fn next_marker(_: &Page) -> Option<String> { None }
/// # }
/// use otc_jobs_driver::{ChildEvent, ChildStep, ChildWalks};
///
/// // Two parents, two walks at once; parent 1's page is answered before parent 0's.
/// let parents = (0..2).map(|p| (p, List { parent: p, page: 0 }));
/// let mut walks = ChildWalks::new(parents, 2);
/// let mut out = Vec::new();
/// let mut sent = Vec::new();
/// loop {
///     match walks.next_step() {
///         ChildStep::Fetch { walk, page } => sent.push((walk, page)),
///         ChildStep::Give(ChildEvent::Item(parent, item)) => out.push((parent, item)),
///         ChildStep::Give(ChildEvent::Ended(_, e)) => panic!("{e}"),
///         ChildStep::Await => {
///             let (walk, page) = sent.pop().unwrap(); // the latest first
///             let items = vec![10 * page.parent, 10 * page.parent + 1]; // all (total 2)
///             walks.page_answer(walk, Ok(Page { items }));
///         }
///         ChildStep::Done => break,
///     }
/// }
/// assert_eq!(out, [(0, 0), (0, 1), (1, 10), (1, 11)]); // the parents' order
/// ```
pub struct ChildWalks<K, O: Paginated> {
    /// Parents whose walk has not started.
    waiting: VecDeque<(K, O)>,
    /// Walks started, in the parents' order; the first is number `first`.
    walks: VecDeque<Walk<K, O>>,
    first: u64,
    width: usize,
    in_flight: usize,
}

impl<K, O: Paginated> std::fmt::Debug for ChildWalks<K, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildWalks")
            .field("waiting", &self.waiting.len())
            .field("walking", &self.walks.len())
            .field("first", &self.first)
            .field("width", &self.width)
            .field("in_flight", &self.in_flight)
            .finish()
    }
}

impl<K: Clone, O: Paginated> ChildWalks<K, O> {
    /// The walks of `parents` (each a parent and its list request), at most `width` under
    /// way at once (at least 1).
    pub fn new(parents: impl IntoIterator<Item = (K, O)>, width: usize) -> ChildWalks<K, O> {
        ChildWalks {
            waiting: parents.into_iter().collect(),
            walks: VecDeque::new(),
            first: 0,
            width: width.max(1),
            in_flight: 0,
        }
    }

    /// How many pages are in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The next step: an item ready in order first, then a page to send, then waiting for
    /// an answer; [`ChildStep::Done`] once everything was given.
    pub fn next_step(&mut self) -> ChildStep<K, O> {
        // Give what is ready in order: the first walk's items, then its end.
        while let Some(front) = self.walks.front_mut() {
            if let Some(item) = front.items.pop_front() {
                return ChildStep::Give(ChildEvent::Item(front.parent.clone(), item));
            }
            match &mut front.end {
                Some(end) => {
                    let error = end.take();
                    let parent = front.parent.clone();
                    self.walks.pop_front();
                    self.first += 1;
                    if let Some(error) = error {
                        return ChildStep::Give(ChildEvent::Ended(parent, error));
                    }
                }
                None => break,
            }
        }
        // Start walks up to the width.
        while self.walks.len() < self.width {
            let Some((parent, request)) = self.waiting.pop_front() else {
                break;
            };
            self.walks.push_back(Walk {
                parent,
                paginator: Paginator::new(request),
                items: VecDeque::new(),
                in_flight: false,
                end: None,
            });
        }
        // A page for the first walk that has none in flight, in order.
        for (n, walk) in self.walks.iter_mut().enumerate() {
            if walk.in_flight || walk.end.is_some() {
                continue;
            }
            match walk.paginator.next_step() {
                PageStep::Fetch(page) => {
                    walk.in_flight = true;
                    self.in_flight += 1;
                    return ChildStep::Fetch {
                        walk: self.first + n as u64,
                        page,
                    };
                }
                PageStep::Fail(e) => walk.end = Some(Some(e)),
                PageStep::Done => walk.end = Some(None),
            }
        }
        if self.in_flight > 0 {
            return ChildStep::Await;
        }
        if self.walks.is_empty() && self.waiting.is_empty() {
            return ChildStep::Done;
        }
        // Walks ended since the first look: give their items and ends.
        self.next_step()
    }

    /// The answer of the page of walk `walk` that was sent. An answer for a walk with no
    /// page in flight is ignored (never trusted).
    pub fn page_answer(&mut self, walk: u64, answer: Result<O::Response, Error>) {
        let Some(index) = walk
            .checked_sub(self.first)
            .and_then(|n| usize::try_from(n).ok())
        else {
            return;
        };
        let Some(w) = self.walks.get_mut(index) else {
            return;
        };
        if !w.in_flight {
            return;
        }
        w.in_flight = false;
        self.in_flight -= 1;
        match w.paginator.page_answer(answer) {
            Ok(items) => w.items.extend(items),
            Err(e) => w.end = Some(Some(e)),
        }
    }
}
