//! The sans-IO walk by windows: a list longer than one walk can reach (the API refuses a
//! page past [`Paginated::MAX_PAGES`](otc_jobs_core::Paginated::MAX_PAGES): DLI's SQL job list stops at `current-page` 100, so
//! 10,000 jobs) is walked window after window of time, in the list's order (newest first,
//! or oldest first), each window a [`Paginator`] walk of its own.
//!
//! A window that reaches the page limit with more to come is followed by the next, whose
//! end is the oldest item time the last one reached, plus 1 ms: so the next window holds
//! every item the last one did not reach whether the service reads its bounds inclusively
//! or not. An item at the edge is returned once: the next window drops the items newer
//! than that oldest time (all returned already, the list being newest first) and those at
//! it whose key ([`Windowed::item_key`]) was returned. The request's own start bound is
//! kept in every window.
//!
//! A list sorted oldest first is walked the same way, mirrored: the next window starts at
//! the newest item time the last one reached, minus 1 ms; it drops the items older than
//! that time and those at it already returned; the request's own end bound is kept.
//!
//! A list whose items have no time cannot be cut into windows: reaching the limit ends it
//! with a [`ResponseErrorKind::PageLimit`] error, as a plain walk does. More items at one
//! millisecond than one walk reaches end it with a
//! [`ResponseErrorKind::EndlessPaging`] error (a window would not move). Never a silently
//! short list.

use std::collections::HashSet;

use http::{HeaderMap, StatusCode};
use otc_jobs_core::{Error, ResponseError, ResponseErrorKind, Windowed};

use crate::paginate::{PageStep, Paginator};

/// A walk over a [`Windowed`] list, by windows of time when it is longer than one walk can
/// reach, as a state machine (the same steps as a [`Paginator`]):
///
/// ```
/// # use otc_jobs_core::{Error, Operation, OperationResponse, PageCursor, PageStyle, Paginated, PathValue, Service, Windowed};
/// # #[derive(Clone, Default)]
/// # struct ListRuns { page: u32, size: u32, end: Option<i64> }
/// # #[derive(serde::Deserialize)]
/// # struct Runs { total: u64, runs: Vec<(String, i64)> }
/// # impl OperationResponse for Runs {}
/// # impl Operation for ListRuns {
/// #     type Response = Runs;
/// #     const NAME: &'static str = "ListRuns";
/// #     const SERVICE: Service = Service::Dli;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/jobs";
/// #     const SUCCESS_STATUS: &'static [u16] = &[200];
/// #     fn path_param(&self, _: &str) -> Option<PathValue<'_>> { None }
/// # }
/// # impl Paginated for ListRuns {
/// #     type Item = (String, i64);
/// #     const STYLE: PageStyle = PageStyle::PageNumber;
/// #     const FIRST_PAGE: u32 = 1;
/// #     const MAX_PAGE_SIZE: u32 = 10;
/// #     const MAX_PAGES: u32 = 3;
/// #     fn page_size(&self) -> Option<u32> { Some(self.size) }
/// #     fn with_page(&self, cursor: &PageCursor, size: u32) -> Self {
/// #         let PageCursor::Number(page) = cursor else { unreachable!() };
/// #         ListRuns { page: *page, size, ..self.clone() }
/// #     }
/// #     fn into_items(r: Runs) -> Vec<(String, i64)> { r.runs }
/// #     fn total(r: &Runs) -> Option<u64> { Some(r.total) }
/// #     fn next_marker(_: &Runs) -> Option<String> { None }
/// # }
/// # impl Windowed for ListRuns {
/// #     fn window(&self) -> (Option<i64>, Option<i64>) { (None, self.end) }
/// #     fn with_window(&self, _: Option<i64>, end: Option<i64>) -> Self { ListRuns { end, ..self.clone() } }
/// #     fn newest_first(&self) -> bool { true }
/// #     fn item_time(item: &(String, i64)) -> Option<i64> { Some(item.1) }
/// #     fn item_key(item: &(String, i64)) -> String { item.0.clone() }
/// # }
/// use otc_jobs_driver::{PageStep, WindowWalk};
///
/// // 100 runs, newest first, one a millisecond; the service serves 3 pages of 10 at most
/// // and reads `end` as "earlier than".
/// let send = |page: &ListRuns| -> Result<Runs, Error> {
///     let runs: Vec<(String, i64)> = (0..100i64).rev()
///         .filter(|t| page.end.is_none_or(|end| *t < end))
///         .map(|t| (format!("run-{t}"), t))
///         .collect();
///     let from = ((page.page - 1) * page.size) as usize;
///     let shown = runs.iter().skip(from).take(page.size as usize).cloned().collect();
///     Ok(Runs { total: runs.len() as u64, runs: shown })
/// };
///
/// let mut walk = WindowWalk::new(ListRuns { size: 10, ..ListRuns::default() });
/// let mut seen = Vec::new();
/// loop {
///     match walk.next_step() {
///         PageStep::Fetch(page) => seen.extend(walk.page_answer(send(&page))?),
///         PageStep::Fail(error) => return Err(error.into()),
///         PageStep::Done => break,
///     }
/// }
/// assert_eq!(seen.len(), 100); // each run once
/// assert_eq!(walk.windows(), 4); // 30 + 30 + 30 + 10
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WindowWalk<O: Windowed> {
    request: O,
    walk: Paginator<O>,
    windows: u32,
    /// The end of the current window (`None`: the request's own); its start, oldest first.
    end: Option<i64>,
    start: Option<i64>,
    /// The list is sorted newest first (else oldest first).
    descending: bool,
    /// The furthest item time the current window returned in the list's order (the oldest,
    /// newest first; the newest, oldest first), and the keys returned at it.
    oldest: Option<i64>,
    at_oldest: HashSet<String>,
    /// The edge of the window before: items before its time in the list's order were
    /// returned, and those at it with these keys.
    edge: Option<(i64, HashSet<String>)>,
    /// The current window reached the page limit: the next step opens the next window.
    full: bool,
}

impl<O: Windowed> WindowWalk<O> {
    /// A walk over every item of `request` (its filters and its own bounds kept), at the
    /// page size a [`Paginator`] would use.
    pub fn new(request: O) -> WindowWalk<O> {
        WindowWalk {
            walk: Paginator::new(request.clone()),
            end: request.window().1,
            start: request.window().0,
            descending: request.newest_first(),
            request,
            windows: 1,
            oldest: None,
            at_oldest: HashSet::new(),
            edge: None,
            full: false,
        }
    }

    /// How many windows were walked so far (1 for a list one walk reaches).
    pub fn windows(&self) -> u32 {
        self.windows
    }

    /// What to do next: as [`Paginator::next_step`], the next window opened when the
    /// last reached the page limit.
    pub fn next_step(&mut self) -> PageStep<O> {
        if std::mem::take(&mut self.full)
            && let Err(e) = self.next_window()
        {
            return PageStep::Fail(e);
        }
        self.walk.next_step()
    }

    /// Judges the answer of the last [`PageStep::Fetch`]: the page's items that were not
    /// returned already (an edge between windows), or the call's error.
    pub fn page_answer(
        &mut self,
        result: Result<O::Response, Error>,
    ) -> Result<Vec<O::Item>, Error> {
        let mut items = self.walk.page_answer(result)?;
        // Where the window reached: every item counts, returned now or before.
        for item in &items {
            let Some(t) = O::item_time(item) else {
                continue;
            };
            let before = |a: i64, b: i64| if self.descending { a > b } else { a < b };
            match self.oldest {
                Some(oldest) if before(t, oldest) => {}
                Some(oldest) if t == oldest => {
                    self.at_oldest.insert(O::item_key(item));
                }
                _ => {
                    self.oldest = Some(t);
                    self.at_oldest = HashSet::from([O::item_key(item)]);
                }
            }
        }
        if let Some((time, keys)) = &self.edge {
            let descending = self.descending;
            items.retain(|item| match O::item_time(item) {
                Some(t) if (descending && t > *time) || (!descending && t < *time) => false,
                Some(t) if t == *time => !keys.contains(&O::item_key(item)),
                _ => true,
            });
        }
        self.full = self.walk.pages() >= O::MAX_PAGES && !self.walk.is_done();
        Ok(items)
    }

    /// The window after the current one, ending where it reached.
    fn next_window(&mut self) -> Result<(), Error> {
        let error = |kind, detail: String| -> Error {
            ResponseError::new(
                kind,
                format!("{}: {detail}", O::NAME),
                StatusCode::OK,
                &HeaderMap::new(),
                b"",
            )
            .into()
        };
        let limit = ResponseErrorKind::PageLimit {
            max_pages: O::MAX_PAGES,
        };
        let Some(oldest) = self.oldest else {
            return Err(error(
                limit,
                format!(
                    "the list is longer than {} pages, and its items have no time to cut windows on",
                    O::MAX_PAGES
                ),
            ));
        };
        // The next window: up to just past the oldest time reached (newest first), or from
        // just before the newest time reached (oldest first); the other bound the request's.
        let (start, end) = if self.descending {
            (self.request.window().0, Some(oldest.saturating_add(1)))
        } else {
            (Some(oldest.saturating_sub(1)), self.request.window().1)
        };
        let stuck = if self.descending {
            matches!((end, self.end), (Some(new), Some(old)) if new >= old)
        } else {
            matches!((start, self.start), (Some(new), Some(old)) if new <= old)
        };
        if stuck || self.windows >= crate::DEFAULT_MAX_PAGES {
            return Err(error(
                ResponseErrorKind::EndlessPaging,
                format!(
                    "more items at {oldest} ms than {} pages hold: the window cannot move",
                    O::MAX_PAGES
                ),
            ));
        }
        self.walk = Paginator::new(self.request.with_window(start, end));
        self.end = end;
        self.start = start;
        let mut keys = std::mem::take(&mut self.at_oldest);
        // Items at the same edge time returned by the windows before stay returned.
        if let Some((time, before)) = self.edge.take()
            && time == oldest
        {
            keys.extend(before);
        }
        self.edge = Some((oldest, keys));
        self.oldest = None;
        self.windows += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use otc_jobs_core::{OperationResponse, PageCursor, PageStyle, Paginated, PathValue, Service};

    #[derive(Debug, Clone, Default)]
    struct ListRuns {
        page: u32,
        size: u32,
        start: Option<i64>,
        end: Option<i64>,
        oldest_first: bool,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Runs {
        total: u64,
        runs: Vec<(String, i64)>,
    }

    impl OperationResponse for Runs {}

    impl otc_jobs_core::Operation for ListRuns {
        type Response = Runs;
        const NAME: &'static str = "ListRuns";
        const SERVICE: Service = Service::Dli;
        const METHOD: http::Method = http::Method::GET;
        const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/jobs";
        const SUCCESS_STATUS: &'static [u16] = &[200];
        fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
            None
        }
    }

    impl Paginated for ListRuns {
        type Item = (String, i64);
        const STYLE: PageStyle = PageStyle::PageNumber;
        const FIRST_PAGE: u32 = 1;
        const MAX_PAGE_SIZE: u32 = 100;
        const MAX_PAGES: u32 = 100;
        fn page_size(&self) -> Option<u32> {
            (self.size > 0).then_some(self.size)
        }
        fn with_page(&self, cursor: &PageCursor, size: u32) -> Self {
            let PageCursor::Number(page) = cursor else {
                panic!("{cursor:?}")
            };
            ListRuns {
                page: *page,
                size,
                ..self.clone()
            }
        }
        fn into_items(r: Runs) -> Vec<(String, i64)> {
            r.runs
        }
        fn total(r: &Runs) -> Option<u64> {
            Some(r.total)
        }
        fn next_marker(_: &Runs) -> Option<String> {
            None
        }
    }

    impl Windowed for ListRuns {
        fn window(&self) -> (Option<i64>, Option<i64>) {
            (self.start, self.end)
        }
        fn with_window(&self, start: Option<i64>, end: Option<i64>) -> Self {
            ListRuns {
                start,
                end,
                ..self.clone()
            }
        }
        fn newest_first(&self) -> bool {
            !self.oldest_first
        }
        fn item_time(item: &(String, i64)) -> Option<i64> {
            (item.1 != i64::MIN).then_some(item.1)
        }
        fn item_key(item: &(String, i64)) -> String {
            item.0.clone()
        }
    }

    /// A service holding `runs` (newest first as given), refusing pages past 100 as DLI
    /// does, reading its bounds inclusively or not.
    struct Service_ {
        runs: Vec<(String, i64)>,
        inclusive: bool,
        requests: u32,
    }

    impl Service_ {
        fn new(mut runs: Vec<(String, i64)>, inclusive: bool) -> Service_ {
            runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Service_ {
                runs,
                inclusive,
                requests: 0,
            }
        }

        fn send(&mut self, page: &ListRuns) -> Result<Runs, Error> {
            self.requests += 1;
            assert!((1..=100).contains(&page.page), "page {} refused", page.page);
            let inside = |t: i64| {
                let after = page
                    .start
                    .is_none_or(|s| if self.inclusive { t >= s } else { t > s });
                let before = page
                    .end
                    .is_none_or(|e| if self.inclusive { t <= e } else { t < e });
                after && before
            };
            let mut runs: Vec<(String, i64)> =
                self.runs.iter().filter(|r| inside(r.1)).cloned().collect();
            if page.oldest_first {
                runs.reverse();
            }
            let from = ((page.page - 1) * page.size) as usize;
            Ok(Runs {
                total: runs.len() as u64,
                runs: runs
                    .iter()
                    .skip(from)
                    .take(page.size as usize)
                    .cloned()
                    .collect(),
            })
        }
    }

    fn walk_all(
        service: &mut Service_,
        request: ListRuns,
    ) -> (Result<Vec<(String, i64)>, Error>, u32) {
        let mut walk = WindowWalk::new(request);
        let mut seen = Vec::new();
        loop {
            match walk.next_step() {
                PageStep::Fetch(page) => match walk.page_answer(service.send(&page)) {
                    Ok(items) => seen.extend(items),
                    Err(e) => return (Err(e), walk.windows()),
                },
                PageStep::Fail(e) => return (Err(e), walk.windows()),
                PageStep::Done => return (Ok(seen), walk.windows()),
            }
        }
    }

    /// 50,000 runs, several to a millisecond (so windows cut through runs of one time).
    fn fifty_thousand() -> Vec<(String, i64)> {
        (0..50_000i64)
            .map(|n| (format!("run-{n:05}"), 1_700_000_000_000 + n / 7))
            .collect()
    }

    #[test]
    fn fifty_thousand_runs_are_listed_whole_each_once_either_reading_of_the_bounds() {
        for inclusive in [true, false] {
            let mut service = Service_::new(fifty_thousand(), inclusive);
            let (seen, windows) = walk_all(&mut service, ListRuns::default());
            let seen = seen.unwrap();
            assert_eq!(seen.len(), 50_000, "inclusive: {inclusive}");
            let unique: HashSet<&String> = seen.iter().map(|(k, _)| k).collect();
            assert_eq!(unique.len(), 50_000, "inclusive: {inclusive}");
            // Newest first throughout.
            assert!(seen.windows(2).all(|w| w[0].1 >= w[1].1));
            assert!(windows >= 5, "{windows}");
            assert!(service.requests <= 520, "{}", service.requests);
        }
    }

    #[test]
    fn a_list_one_walk_reaches_is_one_window() {
        let runs: Vec<(String, i64)> = (0..10_000i64).map(|n| (format!("r{n}"), n)).collect();
        let mut service = Service_::new(runs, true);
        let (seen, windows) = walk_all(&mut service, ListRuns::default());
        assert_eq!((seen.unwrap().len(), windows), (10_000, 1));
        assert_eq!(service.requests, 100);
    }

    #[test]
    fn the_requests_own_start_is_kept_in_every_window() {
        let mut service = Service_::new(fifty_thousand(), true);
        let start = 1_700_000_000_000 + 3_000;
        let request = ListRuns {
            start: Some(start),
            ..ListRuns::default()
        };
        let (seen, _) = walk_all(&mut service, request);
        let seen = seen.unwrap();
        assert_eq!(seen.len(), 50_000 - 3_000 * 7);
        assert!(seen.iter().all(|(_, t)| *t >= start));
    }

    #[test]
    fn fifty_thousand_runs_oldest_first_are_listed_whole_each_once_either_reading_of_the_bounds() {
        for inclusive in [true, false] {
            let mut service = Service_::new(fifty_thousand(), inclusive);
            let request = ListRuns {
                oldest_first: true,
                ..ListRuns::default()
            };
            let (seen, windows) = walk_all(&mut service, request);
            let seen = seen.unwrap();
            assert_eq!(seen.len(), 50_000, "inclusive: {inclusive}");
            let unique: HashSet<&String> = seen.iter().map(|(k, _)| k).collect();
            assert_eq!(unique.len(), 50_000, "inclusive: {inclusive}");
            // Oldest first throughout.
            assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
            assert!(windows >= 5, "{windows}");
            assert!(service.requests <= 520, "{}", service.requests);
        }
    }

    #[test]
    fn oldest_first_the_requests_own_end_is_kept_in_every_window() {
        let mut service = Service_::new(fifty_thousand(), true);
        let end = 1_700_000_000_000 + 4_000;
        let request = ListRuns {
            end: Some(end),
            oldest_first: true,
            ..ListRuns::default()
        };
        let (seen, _) = walk_all(&mut service, request);
        let seen = seen.unwrap();
        assert_eq!(seen.len(), 4_001 * 7);
        assert!(seen.iter().all(|(_, t)| *t <= end));
    }

    #[test]
    fn items_without_a_time_end_with_the_page_limit() {
        // A time of i64::MIN reads as none (see `item_time`).
        let runs = (0..50_000i64)
            .map(|n| (format!("r{n}"), i64::MIN))
            .collect();
        let mut service = Service_::new(runs, true);
        let (seen, windows) = walk_all(&mut service, ListRuns::default());
        let e = seen.unwrap_err();
        let kind = e.as_response().map(|r| r.kind);
        assert_eq!(kind, Some(ResponseErrorKind::PageLimit { max_pages: 100 }));
        assert_eq!(windows, 1);
        assert_eq!(service.requests, 100); // page 101 never asked for
    }

    #[test]
    fn more_runs_at_one_millisecond_than_a_walk_holds_is_an_error_not_a_loop() {
        let runs: Vec<(String, i64)> = (0..10_500i64).map(|n| (format!("r{n}"), 5)).collect();
        let mut service = Service_::new(runs, true);
        let (seen, windows) = walk_all(&mut service, ListRuns::default());
        let e = seen.unwrap_err();
        assert_eq!(
            e.as_response().map(|r| r.kind),
            Some(ResponseErrorKind::EndlessPaging)
        );
        assert!(windows <= 2, "{windows}");
    }
}
