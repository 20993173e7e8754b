//! The paginator, sans IO: each style walked over synthetic services (closures from a
//! page request to an answer), including services that change, fail and never end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::{
    Error, Operation, OperationResponse, PageCursor, PageStyle, Paginated, PathValue,
    ResponseErrorKind, Service, ServiceError,
};
use otc_jobs_driver::{DEFAULT_MAX_PAGES, PageStep, Paginator};

/// A list request of any style: the cursor and size the paginator asked for.
#[derive(Debug, Clone, PartialEq)]
struct List<const STYLE: u8> {
    cursor: Option<PageCursor>,
    size: Option<u32>,
}

#[derive(Debug, serde::Deserialize)]
struct Page {
    items: Vec<u32>,
    total: Option<u64>,
    next: Option<String>,
}

impl OperationResponse for Page {}

const PAGE: u8 = 0;
const OFFSET: u8 = 1;
const MARKER: u8 = 2;

impl<const STYLE: u8> Operation for List<STYLE> {
    type Response = Page;
    const NAME: &'static str = "ListThings";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/things";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl<const STYLE: u8> Paginated for List<STYLE> {
    type Item = u32;
    const STYLE: PageStyle = match STYLE {
        PAGE => PageStyle::PageNumber,
        OFFSET => PageStyle::OffsetLimit,
        _ => PageStyle::Marker,
    };
    const FIRST_PAGE: u32 = 1;
    const MAX_PAGE_SIZE: u32 = 10;
    fn page_size(&self) -> Option<u32> {
        self.size
    }
    fn with_page(&self, cursor: &PageCursor, size: u32) -> Self {
        List {
            cursor: Some(cursor.clone()),
            size: Some(size),
        }
    }
    fn into_items(response: Page) -> Vec<u32> {
        response.items
    }
    fn total(response: &Page) -> Option<u64> {
        response.total
    }
    fn next_marker(response: &Page) -> Option<String> {
        response.next.clone()
    }
}

fn list<const S: u8>(size: Option<u32>) -> List<S> {
    List { cursor: None, size }
}

/// What a walk produced: the items in order, then the error that ended it, and every
/// request sent.
struct Walk<O> {
    items: Vec<u32>,
    error: Option<Error>,
    requests: Vec<O>,
}

/// Walks `request` to the end over `service`, as the clients do.
fn walk<O>(request: O, mut service: impl FnMut(&O) -> Result<Page, Error>) -> Walk<O>
where
    O: Paginated<Item = u32, Response = Page>,
{
    let mut paginator = Paginator::new(request);
    let mut walk = Walk {
        items: Vec::new(),
        error: None,
        requests: Vec::new(),
    };
    // Far more steps than any test needs: a machine that never ends fails here.
    for _ in 0..1_000 {
        match paginator.next_step() {
            PageStep::Fetch(page) => {
                let answer = service(&page);
                walk.requests.push(page);
                match paginator.page_answer(answer) {
                    Ok(items) => walk.items.extend(items),
                    Err(e) => walk.error = Some(e),
                }
            }
            PageStep::Fail(e) => walk.error = Some(e),
            PageStep::Done => {
                assert!(paginator.is_done());
                assert!(matches!(paginator.next_step(), PageStep::Done));
                return walk;
            }
        }
    }
    panic!("the walk did not end");
}

/// A page-number service over `items` (pages from 1), reporting the total.
fn by_page(items: &[u32]) -> impl FnMut(&List<PAGE>) -> Result<Page, Error> + '_ {
    |req| {
        let Some(PageCursor::Number(n)) = req.cursor else {
            panic!("not a page number: {:?}", req.cursor)
        };
        let size = req.size.unwrap() as usize;
        let start = ((n as usize - 1) * size).min(items.len());
        let end = (start + size).min(items.len());
        Ok(Page {
            items: items[start..end].to_vec(),
            total: Some(items.len() as u64),
            next: None,
        })
    }
}

/// An offset service over `items`, reporting the total when `with_total`.
fn by_offset(
    items: &[u32],
    with_total: bool,
) -> impl FnMut(&List<OFFSET>) -> Result<Page, Error> + '_ {
    move |req| {
        let Some(PageCursor::Offset(offset)) = req.cursor else {
            panic!("not an offset: {:?}", req.cursor)
        };
        let start = (offset as usize).min(items.len());
        let end = (start + req.size.unwrap() as usize).min(items.len());
        Ok(Page {
            items: items[start..end].to_vec(),
            total: with_total.then_some(items.len() as u64),
            next: None,
        })
    }
}

/// A marker service over `items` (the marker is the last item's id, as MRS does).
fn by_marker(items: &[u32]) -> impl FnMut(&List<MARKER>) -> Result<Page, Error> + '_ {
    |req| {
        let Some(PageCursor::Marker(marker)) = &req.cursor else {
            panic!("not a marker: {:?}", req.cursor)
        };
        let start = marker.as_ref().map_or(0, |m| {
            items.iter().position(|i| i.to_string() == *m).unwrap() + 1
        });
        let end = (start + req.size.unwrap() as usize).min(items.len());
        let page = items[start..end].to_vec();
        let next = (end < items.len()).then(|| page.last().unwrap().to_string());
        Ok(Page {
            items: page,
            total: None,
            next,
        })
    }
}

fn numbers(n: u32) -> Vec<u32> {
    (1..=n).collect()
}

fn unavailable() -> Error {
    let e: Error = ServiceError::from_answer(
        Service::Dli,
        http::StatusCode::SERVICE_UNAVAILABLE,
        &http::HeaderMap::new(),
        br#"{"error_code":"APIG.0201","error_msg":"busy"}"#,
    )
    .into();
    e.with_attempts(4)
}

fn is_endless(e: &Option<Error>) -> bool {
    matches!(e.as_ref().and_then(Error::as_response), Some(r) if r.kind == ResponseErrorKind::EndlessPaging)
}

#[test]
fn page_numbers_walk_every_item_once_and_stop_at_the_total() {
    let all = numbers(25);
    let w = walk(list::<PAGE>(None), by_page(&all));
    assert_eq!(w.items, all);
    assert!(w.error.is_none());
    let pages: Vec<_> = w.requests.iter().map(|r| r.cursor.clone()).collect();
    assert_eq!(
        pages,
        [1, 2, 3].map(|n| Some(PageCursor::Number(n))).to_vec()
    );
    // A total that is a multiple of the size: no empty page fetched after the last.
    let all = numbers(20);
    let w = walk(list::<PAGE>(None), by_page(&all));
    assert_eq!(w.items, all);
    assert_eq!(w.requests.len(), 2);
}

#[test]
fn page_numbers_end_on_a_short_page_even_if_the_total_says_more() {
    // A service that caps the page at 4 although asked for 10: the page numbers address
    // 10-item pages, so page 2 would skip items; the walk ends on the short page.
    let w = walk(list::<PAGE>(None), |_| {
        Ok(Page {
            items: vec![1, 2, 3, 4],
            total: Some(30),
            next: None,
        })
    });
    assert_eq!(w.items, [1, 2, 3, 4]);
    assert_eq!(w.requests.len(), 1);
}

#[test]
fn offsets_walk_every_item_and_stop_at_the_total() {
    let all = numbers(23);
    let w = walk(list::<OFFSET>(Some(5)), by_offset(&all, true));
    assert_eq!(w.items, all);
    assert!(w.error.is_none());
    let offsets: Vec<_> = w.requests.iter().map(|r| r.cursor.clone()).collect();
    assert_eq!(
        offsets,
        [0, 5, 10, 15, 20]
            .map(|o| Some(PageCursor::Offset(o)))
            .to_vec()
    );
    assert!(w.requests.iter().all(|r| r.size == Some(5)));
}

#[test]
fn offsets_follow_a_service_that_caps_the_page_size() {
    // Asked for 10, the service gives 3 at a time and reports 8 in all.
    let all = numbers(8);
    let w = walk(list::<OFFSET>(None), |req| {
        let Some(PageCursor::Offset(o)) = req.cursor else {
            unreachable!()
        };
        let start = (o as usize).min(8);
        Ok(Page {
            items: all[start..(start + 3).min(8)].to_vec(),
            total: Some(8),
            next: None,
        })
    });
    assert_eq!(w.items, all);
    assert_eq!(w.requests.len(), 3); // offsets 0, 3, 6
}

#[test]
fn offsets_without_a_total_end_on_a_short_or_empty_page() {
    let all = numbers(23);
    let w = walk(list::<OFFSET>(None), by_offset(&all, false));
    assert_eq!(w.items, all);
    assert_eq!(w.requests.len(), 3); // 10, 10, 3
    let all = numbers(20);
    let w = walk(list::<OFFSET>(None), by_offset(&all, false));
    assert_eq!(w.items, all);
    assert_eq!(w.requests.len(), 3); // 10, 10, then an empty page
}

#[test]
fn markers_walk_every_item_and_stop_without_a_next_marker() {
    let all = numbers(21);
    let w = walk(list::<MARKER>(Some(7)), by_marker(&all));
    assert_eq!(w.items, all);
    assert!(w.error.is_none());
    let markers: Vec<_> = w.requests.iter().map(|r| r.cursor.clone()).collect();
    assert_eq!(
        markers,
        [None, Some("7"), Some("14")]
            .map(|m| Some(PageCursor::Marker(m.map(String::from))))
            .to_vec()
    );
}

#[test]
fn an_empty_next_marker_ends_the_walk_and_a_short_page_with_a_marker_goes_on() {
    let mut answers = vec![
        Page {
            items: vec![1, 2],
            total: None,
            next: Some("2".into()),
        },
        Page {
            items: vec![3],
            total: None,
            next: Some(String::new()),
        },
    ]
    .into_iter();
    let w = walk(list::<MARKER>(Some(5)), |_| Ok(answers.next().unwrap()));
    assert_eq!(w.items, [1, 2, 3]);
    assert!(w.error.is_none());
}

#[test]
fn empty_lists_take_one_request_in_every_style() {
    let none: Vec<u32> = Vec::new();
    let w = walk(list::<PAGE>(None), by_page(&none));
    assert_eq!((w.items.len(), w.requests.len()), (0, 1));
    let w = walk(list::<OFFSET>(None), by_offset(&none, true));
    assert_eq!((w.items.len(), w.requests.len()), (0, 1));
    let w = walk(list::<MARKER>(None), by_marker(&none));
    assert_eq!((w.items.len(), w.requests.len()), (0, 1));
}

#[test]
fn an_empty_page_ends_the_walk_even_if_the_total_says_more() {
    let w = walk(list::<OFFSET>(None), |_| {
        Ok(Page {
            items: vec![],
            total: Some(50),
            next: Some("x".into()),
        })
    });
    assert!(w.items.is_empty());
    assert!(w.error.is_none());
    assert_eq!(w.requests.len(), 1);
}

#[test]
fn a_total_that_shrinks_between_pages_ends_the_walk_earlier() {
    // 25 items; after the first page, 3 before the position are deleted: the next pages
    // hold what shifted down, so 3 items (11, 12, 13) are skipped, as documented.
    let mut all = numbers(25);
    let mut fetched = 0;
    let w = walk(list::<OFFSET>(None), |req| {
        fetched += 1;
        if fetched == 2 {
            all.drain(0..3);
        }
        by_offset(&all, true)(req)
    });
    let expected: Vec<u32> = (1..=10).chain(14..=25).collect();
    assert_eq!(w.items, expected);
    assert_eq!(w.requests.len(), 3); // offsets 0, 10, 20 (of 22)
    assert!(w.error.is_none());
}

#[test]
fn a_total_that_grows_between_pages_is_followed() {
    // Items added at the front (newest first) while paging: the walk goes on to the new
    // total, and an item pushed across a page boundary is returned twice (documented).
    let mut all = numbers(20);
    let mut fetched = 0;
    let w = walk(list::<PAGE>(None), |req| {
        fetched += 1;
        if fetched == 2 {
            all.insert(0, 100);
        }
        by_page(&all)(req)
    });
    assert_eq!(w.items.len(), 21);
    assert_eq!(w.items[9], 10);
    assert_eq!(w.items[10], 10); // repeated
    assert_eq!(w.requests.len(), 3);
    assert!(w.error.is_none());
}

#[test]
fn a_repeated_marker_is_an_error_after_the_page_s_items() {
    let mut n = 0;
    let w = walk(list::<MARKER>(Some(2)), |_| {
        n += 1;
        Ok(Page {
            items: vec![2 * n - 1, 2 * n],
            total: None,
            // The service keeps answering with the same next marker.
            next: Some("abc".into()),
        })
    });
    assert_eq!(w.items, [1, 2, 3, 4]);
    assert_eq!(w.requests.len(), 2);
    assert!(is_endless(&w.error), "{:?}", w.error);
    let text = w.error.unwrap().to_string();
    assert!(
        text.contains("ListThings") && text.contains("\"abc\""),
        "{text}"
    );
}

#[test]
fn a_service_ignoring_the_page_is_stopped_by_the_first_total() {
    // Always the same full page, and a total that grows with every page: no position
    // ever reaches it. The walk stops after 2 * 20 + 10 items.
    let mut total = 10;
    let w = walk(list::<OFFSET>(None), |_| {
        total += 10;
        Ok(Page {
            items: numbers(10),
            total: Some(total),
            next: None,
        })
    });
    assert!(is_endless(&w.error), "{:?}", w.error);
    assert_eq!(w.items.len(), 60);
}

#[test]
fn max_pages_bounds_a_service_without_totals_or_markers() {
    let request = list::<OFFSET>(Some(1));
    let mut paginator = Paginator::new(request).with_max_pages(5);
    assert_eq!(
        Paginator::new(list::<OFFSET>(None)).max_pages(),
        DEFAULT_MAX_PAGES
    );
    let mut pages = 0;
    let error = loop {
        match paginator.next_step() {
            PageStep::Fetch(_) => {
                pages += 1;
                let full = Ok(Page {
                    items: vec![pages],
                    total: None,
                    next: None,
                });
                paginator.page_answer(full).unwrap();
            }
            PageStep::Fail(e) => break e,
            PageStep::Done => panic!("ended without an error"),
        }
    };
    assert_eq!(pages, 5);
    assert!(is_endless(&Some(error)));
    assert!(matches!(paginator.next_step(), PageStep::Done));
}

#[test]
fn a_failed_page_ends_the_walk_after_the_items_before_it() {
    let all = numbers(30);
    let mut service = by_offset(&all, true);
    let mut n = 0;
    let w = walk(list::<OFFSET>(None), |req| {
        n += 1;
        if n == 3 {
            Err(unavailable())
        } else {
            service(req)
        }
    });
    assert_eq!(w.items, numbers(20));
    let e = w.error.unwrap();
    assert_eq!(e.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(e.attempts(), 4);
    assert_eq!(w.requests.len(), 3);
}

#[test]
fn page_size_is_the_caller_s_else_the_maximum_and_is_kept_in_bounds() {
    assert_eq!(Paginator::new(list::<PAGE>(None)).page_size(), 10);
    assert_eq!(Paginator::new(list::<PAGE>(Some(3))).page_size(), 3);
    assert_eq!(Paginator::new(list::<PAGE>(Some(500))).page_size(), 10);
    assert_eq!(Paginator::new(list::<PAGE>(Some(0))).page_size(), 1);
    // The size is what the requests carry.
    let all = numbers(7);
    let w = walk(list::<PAGE>(Some(3)), by_page(&all));
    assert_eq!(w.items, all);
    assert!(w.requests.iter().all(|r| r.size == Some(3)));
    assert_eq!(w.requests.len(), 3);
}

#[test]
fn a_step_before_the_answer_is_an_error_not_a_second_request() {
    let mut paginator = Paginator::new(list::<OFFSET>(None));
    assert!(matches!(paginator.next_step(), PageStep::Fetch(_)));
    let PageStep::Fail(e) = paginator.next_step() else {
        panic!("a second fetch without an answer")
    };
    assert!(is_endless(&Some(e)));
    assert!(matches!(paginator.next_step(), PageStep::Done));
}

#[test]
fn an_answer_without_a_request_is_an_error_not_a_page() {
    let mut paginator = Paginator::new(list::<OFFSET>(None));
    let page = Ok(Page {
        items: vec![1],
        total: Some(5),
        next: None,
    });
    let e = paginator.page_answer(page).unwrap_err();
    assert!(is_endless(&Some(e)));
    assert!(matches!(paginator.next_step(), PageStep::Done));
    assert_eq!(paginator.pages(), 0);
}

/// A search sent as `POST` with its page in the JSON body, pages counted from 0 (ModelArts
/// v2's `training-job-searches`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct Search {
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
}

impl Operation for Search {
    type Response = Page;
    const NAME: &'static str = "SearchThings";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::POST;
    const PATH_TEMPLATE: &'static str = "/v2/{project_id}/thing-searches";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    const READ_ONLY: bool = true;
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
    fn body(&self) -> Result<Option<Vec<u8>>, otc_jobs_core::BuildError> {
        otc_jobs_core::json_body(self)
    }
}

impl Paginated for Search {
    type Item = u32;
    const STYLE: PageStyle = PageStyle::PageNumber;
    const FIRST_PAGE: u32 = 0;
    const MAX_PAGE_SIZE: u32 = 50;
    fn page_size(&self) -> Option<u32> {
        self.limit
    }
    fn with_page(&self, cursor: &PageCursor, size: u32) -> Self {
        let PageCursor::Number(n) = cursor else {
            panic!("a {cursor:?} cursor for a page-number search");
        };
        Search {
            offset: Some(*n),
            limit: Some(size),
        }
    }
    fn into_items(response: Page) -> Vec<u32> {
        response.items
    }
    fn total(response: &Page) -> Option<u64> {
        response.total
    }
    fn next_marker(_: &Page) -> Option<String> {
        None
    }
}

#[test]
fn a_search_pages_by_its_body_from_page_0() {
    let all: Vec<u32> = (1..=5).collect();
    // The service reads the page from the body, as ModelArts v2 does.
    let walked = walk(
        Search {
            offset: None,
            limit: Some(2),
        },
        |req| {
            let body = req.body().unwrap().unwrap();
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let (index, size) = (
                page["offset"].as_u64().unwrap() as usize,
                page["limit"].as_u64().unwrap() as usize,
            );
            let start = (index * size).min(all.len());
            let end = (start + size).min(all.len());
            Ok(Page {
                items: all[start..end].to_vec(),
                total: Some(all.len() as u64),
                next: None,
            })
        },
    );
    assert_eq!(walked.items, all);
    assert!(walked.error.is_none());
    let bodies: Vec<String> = walked
        .requests
        .iter()
        .map(|r| String::from_utf8(r.body().unwrap().unwrap()).unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            r#"{"offset":0,"limit":2}"#,
            r#"{"offset":1,"limit":2}"#,
            r#"{"offset":2,"limit":2}"#
        ]
    );
}
