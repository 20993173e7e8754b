//! The sans-IO paginator: walks any [`Paginated`] list operation page by page. It says
//! which page request to send next ([`PageStep::Fetch`]) and judges each page's answer
//! ([`Paginator::page_answer`]); a client sends each page request as one full call
//! (retries, 429 waited out) and hands back the result. Both clients run the same loop.
//!
//! # When the walk ends
//!
//! - on an empty page, in every style;
//! - [`PageStyle::PageNumber`]: on a short page (fewer items than asked), or when the
//!   pages seen cover the reported total;
//! - [`PageStyle::OffsetLimit`]: when the next offset (this offset + the items received)
//!   reaches the reported total; without a total, on a short page. A service that gives
//!   fewer items than asked but reports more is followed (it may cap the page size);
//! - [`PageStyle::Marker`]: when the answer has no next marker, or an empty one. The
//!   marker is the service's own word, so a short page with a marker goes on.
//!
//! A list longer than the API lets one walk reach ([`Paginated::MAX_PAGES`]: DLI's SQL
//! job list stops at page 100) ends with a [`ResponseErrorKind::PageLimit`] error instead of
//! asking for a page the API refuses; [`WindowWalk`](crate::WindowWalk) walks such a list
//! whole, by windows of time.
//!
//! A service that never ends is an error ([`ResponseErrorKind::EndlessPaging`]), never an
//! endless loop: a marker given twice, more items than twice the first reported total
//! plus one page, or more than [`Paginator::max_pages`] pages. A failed page ends the walk
//! with its error, after the items of the pages before it: never a silently short list.
//!
//! # Items deleted or added while paging
//!
//! A list is not a snapshot. With page numbers and offsets, an item deleted before the
//! current position shifts the rest down, so one item is **skipped**; an item added before
//! it (ModelArts and DLI list newest first) shifts the rest up, so one is **repeated**.
//! With markers, the walk neither skips nor repeats as long as the marker item itself
//! exists. The paginator does **not** de-duplicate: the items have no declared identity,
//! a repeat is rare and visible, and de-duplicating would need every id seen kept in
//! memory. Collect the ids first (e.g. into a `BTreeSet`), then act on them: deleting
//! while walking an offset or page list skips every other page's worth of items.

use std::collections::HashSet;

use http::{HeaderMap, StatusCode};
use otc_jobs_core::{Error, PageCursor, PageStyle, Paginated, ResponseError, ResponseErrorKind};

/// How many pages a walk fetches at most by default (with 100 items a page, a million
/// items): a last guard against a service whose pages never end.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// What the client must do next in a walk.
#[derive(Debug)]
#[must_use]
pub enum PageStep<O> {
    /// Send this page request (one full call), then pass its result to
    /// [`Paginator::page_answer`].
    Fetch(O),
    /// The walk ends with this error (the items returned so far stand).
    Fail(Error),
    /// The walk is over: every page was returned.
    Done,
}

/// A walk over the pages of a list operation, as a state machine:
///
/// ```
/// # use otc_jobs_core::{Error, Operation, OperationResponse, PageCursor, PageStyle, Paginated, PathValue, Service};
/// # #[derive(Clone)]
/// # struct ListJobs { offset: u64, limit: Option<u32> }
/// # #[derive(serde::Deserialize)]
/// # struct Jobs { total: u64, jobs: Vec<u32> }
/// # impl OperationResponse for Jobs {}
/// # impl Operation for ListJobs {
/// #     type Response = Jobs;
/// #     const NAME: &'static str = "ListJobs";
/// #     const SERVICE: Service = Service::Dli;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/streaming/jobs";
/// #     const SUCCESS_STATUS: &'static [u16] = &[200];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl Paginated for ListJobs {
/// #     type Item = u32;
/// #     const STYLE: PageStyle = PageStyle::OffsetLimit;
/// #     const FIRST_PAGE: u32 = 1;
/// #     const MAX_PAGE_SIZE: u32 = 100;
/// #     fn page_size(&self) -> Option<u32> { self.limit }
/// #     fn with_page(&self, cursor: &PageCursor, size: u32) -> Self {
/// #         let PageCursor::Offset(offset) = cursor else { unreachable!() };
/// #         ListJobs { offset: *offset, limit: Some(size) }
/// #     }
/// #     fn into_items(r: Jobs) -> Vec<u32> { r.jobs }
/// #     fn total(r: &Jobs) -> Option<u64> { Some(r.total) }
/// #     fn next_marker(_: &Jobs) -> Option<String> { None }
/// # }
/// use otc_jobs_driver::{PageStep, Paginator};
///
/// // A service with 5 jobs; `send` stands for one full call of the client.
/// let send = |page: &ListJobs| -> Result<Jobs, Error> {
///     let all = [1, 2, 3, 4, 5];
///     let start = (page.offset as usize).min(5);
///     let end = (start + page.limit.unwrap_or(100) as usize).min(5);
///     Ok(Jobs { total: 5, jobs: all[start..end].to_vec() })
/// };
///
/// let mut paginator = Paginator::new(ListJobs { offset: 0, limit: Some(2) });
/// let mut items = Vec::new();
/// loop {
///     match paginator.next_step() {
///         PageStep::Fetch(page) => items.extend(paginator.page_answer(send(&page))?),
///         PageStep::Fail(error) => return Err(error.into()),
///         PageStep::Done => break,
///     }
/// }
/// assert_eq!(items, [1, 2, 3, 4, 5]);
/// assert_eq!(paginator.pages(), 3); // offsets 0, 2, 4: the third reaches the total
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Paginator<O: Paginated> {
    request: O,
    size: u32,
    /// Where the next page starts; `None` once the walk is over.
    next: Option<PageCursor>,
    /// A request is out: [`Paginator::page_answer`] is due.
    waiting: bool,
    /// An error to report at the next step (after the last page's items).
    pending: Option<Error>,
    pages: u32,
    items: u64,
    first_total: Option<u64>,
    markers: HashSet<String>,
    max_pages: u32,
}

impl<O: Paginated> Paginator<O> {
    /// A walk over every page of `request`, from the first. The page size is the one set
    /// on `request`, else [`Paginated::MAX_PAGE_SIZE`]; a size above the maximum is
    /// lowered to it and a size of 0 raised to 1 (the APIs reject both; the walk returns
    /// the same items at any size).
    pub fn new(request: O) -> Paginator<O> {
        let size = request
            .page_size()
            .unwrap_or(O::MAX_PAGE_SIZE)
            .clamp(1, O::MAX_PAGE_SIZE.max(1));
        let first = match O::STYLE {
            PageStyle::PageNumber => PageCursor::Number(O::FIRST_PAGE),
            PageStyle::OffsetLimit => PageCursor::Offset(0),
            PageStyle::Marker => PageCursor::Marker(None),
        };
        Paginator {
            request,
            size,
            next: Some(first),
            waiting: false,
            pending: None,
            pages: 0,
            items: 0,
            first_total: None,
            markers: HashSet::new(),
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// The same walk, stopping with an [`ResponseErrorKind::EndlessPaging`] error rather
    /// than fetch more than `max_pages` pages (default [`DEFAULT_MAX_PAGES`]).
    pub fn with_max_pages(mut self, max_pages: u32) -> Paginator<O> {
        self.max_pages = max_pages;
        self
    }

    /// The page size asked for.
    pub fn page_size(&self) -> u32 {
        self.size
    }

    /// The most pages this walk fetches.
    pub fn max_pages(&self) -> u32 {
        self.max_pages
    }

    /// How many pages were answered so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// How many items the pages answered so far held.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Whether the walk is over (every later step is [`PageStep::Done`]).
    pub fn is_done(&self) -> bool {
        self.next.is_none() && self.pending.is_none()
    }

    /// What to do next. A step asked for while a page's answer is still due is
    /// [`PageStep::Fail`]: each [`PageStep::Fetch`] needs its [`Paginator::page_answer`].
    pub fn next_step(&mut self) -> PageStep<O> {
        if let Some(error) = self.pending.take() {
            self.next = None;
            return PageStep::Fail(error);
        }
        let Some(cursor) = &self.next else {
            return PageStep::Done;
        };
        if self.waiting {
            self.next = None;
            return PageStep::Fail(
                self.endless("a page was asked for before the last one was answered"),
            );
        }
        if self.pages >= O::MAX_PAGES {
            self.next = None;
            return PageStep::Fail(
                ResponseError::new(
                    ResponseErrorKind::PageLimit {
                        max_pages: O::MAX_PAGES,
                    },
                    format!(
                        "{}: the list is longer than {} pages of {}, the most one walk can reach",
                        O::NAME,
                        O::MAX_PAGES,
                        self.size
                    ),
                    StatusCode::OK,
                    &HeaderMap::new(),
                    b"",
                )
                .into(),
            );
        }
        if self.pages >= self.max_pages {
            self.next = None;
            return PageStep::Fail(self.endless(&format!(
                "more than {} pages: the pages do not end",
                self.max_pages
            )));
        }
        if let PageCursor::Marker(Some(marker)) = cursor {
            self.markers.insert(marker.clone());
        }
        self.waiting = true;
        PageStep::Fetch(self.request.with_page(cursor, self.size))
    }

    /// Judges the result of the last [`PageStep::Fetch`]: the page's items, in the
    /// service's order, or the call's error (which ends the walk). An answer that shows
    /// the pages would not end ends the walk with an error at the next step, after its
    /// own items.
    pub fn page_answer(
        &mut self,
        result: Result<O::Response, Error>,
    ) -> Result<Vec<O::Item>, Error> {
        if !std::mem::replace(&mut self.waiting, false) {
            self.next = None;
            return Err(self.endless("a page answer came without a page request"));
        }
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                self.next = None;
                return Err(error);
            }
        };
        let Some(cursor) = self.next.take() else {
            return Err(self.endless("a page answer came after the walk ended"));
        };
        let total = O::total(&response);
        let marker = O::next_marker(&response).filter(|m| !m.is_empty());
        let items = O::into_items(response);
        let received = items.len() as u64;
        self.pages += 1;
        self.items += received;
        if self.first_total.is_none() {
            self.first_total = total;
        }
        if received == 0 {
            return Ok(items);
        }
        let short = received < u64::from(self.size);
        let size = u64::from(self.size);
        self.next = match (O::STYLE, cursor) {
            (PageStyle::PageNumber, PageCursor::Number(page)) => {
                let covered = u64::from(page.saturating_sub(O::FIRST_PAGE)) * size + size;
                let reached = total.is_some_and(|t| covered >= t);
                match page.checked_add(1) {
                    Some(next) if !short && !reached => Some(PageCursor::Number(next)),
                    _ => None,
                }
            }
            (PageStyle::OffsetLimit, PageCursor::Offset(offset)) => {
                let next = offset.saturating_add(received);
                let more = match total {
                    Some(t) => next < t,
                    None => !short,
                };
                more.then_some(PageCursor::Offset(next))
            }
            (PageStyle::Marker, PageCursor::Marker(_)) => match marker {
                Some(m) if self.markers.contains(&m) => {
                    self.pending = Some(self.endless(&format!(
                        "page {} gave the marker {m:?} a second time",
                        self.pages
                    )));
                    None
                }
                Some(m) => Some(PageCursor::Marker(Some(m))),
                None => None,
            },
            // `with_page` only ever sees the cursor of the operation's own style.
            (style, cursor) => {
                self.pending =
                    Some(self.endless(&format!("a {cursor:?} cursor for a {style:?} list")));
                None
            }
        };
        let bound = self
            .first_total
            .map(|first| (first, first.saturating_mul(2).saturating_add(size)));
        if let (Some(_), Some((first, bound))) = (&self.next, bound)
            && self.items > bound
        {
            self.next = None;
            self.pending = Some(self.endless(&format!(
                "{} items in {} pages, the service reported {first} at the start",
                self.items, self.pages
            )));
        }
        Ok(items)
    }

    fn endless(&self, detail: &str) -> Error {
        ResponseError::new(
            ResponseErrorKind::EndlessPaging,
            format!("{}: {detail}", O::NAME),
            StatusCode::OK,
            &HeaderMap::new(),
            b"",
        )
        .into()
    }
}
