//! The walks of one list for many parents, sans IO: pages answered out of order, a
//! parent whose walk fails, the width kept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::{
    Error, Operation, OperationResponse, PageCursor, PageStyle, Paginated, PathValue, Service,
    ServiceError,
};
use otc_jobs_driver::{ChildEvent, ChildStep, ChildWalks};

#[derive(Clone, Debug)]
struct List {
    parent: u32,
    page: u32,
}

#[derive(Debug, serde::Deserialize)]
struct Page {
    items: Vec<u32>,
    total: u64,
}

impl OperationResponse for Page {}

impl Operation for List {
    type Response = Page;
    const NAME: &'static str = "List";
    const SERVICE: Service = Service::Mrs;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v2/{project_id}/clusters/c/job-executions";
    const SUCCESS_STATUS: &'static [u16] = &[202];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

const SIZE: u32 = 10;

impl Paginated for List {
    type Item = u32;
    const STYLE: PageStyle = PageStyle::PageNumber;
    const FIRST_PAGE: u32 = 1;
    const MAX_PAGE_SIZE: u32 = SIZE;
    fn page_size(&self) -> Option<u32> {
        None
    }
    fn with_page(&self, cursor: &PageCursor, _: u32) -> List {
        let PageCursor::Number(n) = cursor else {
            panic!("page numbers")
        };
        List {
            page: *n,
            ..self.clone()
        }
    }
    fn into_items(r: Page) -> Vec<u32> {
        r.items
    }
    fn total(r: &Page) -> Option<u64> {
        Some(r.total)
    }
    fn next_marker(_: &Page) -> Option<String> {
        None
    }
}

/// Parent `p` has `len(p)` items, `p * 1000 + i`; parent `gone` answers its second page
/// "not found".
fn answer(page: &List, len: impl Fn(u32) -> u32, gone: Option<u32>) -> Result<Page, Error> {
    if Some(page.parent) == gone && page.page == 2 {
        return Err(ServiceError::from_answer(
            Service::Mrs,
            http::StatusCode::BAD_REQUEST,
            &http::HeaderMap::new(),
            br#"{"errorCode":"12000003","errorMsg":"The cluster does not exist."}"#,
        )
        .into());
    }
    let n = len(page.parent);
    let from = (page.page - 1) * SIZE;
    Ok(Page {
        items: (from..n.min(from + SIZE))
            .map(|i| page.parent * 1000 + i)
            .collect(),
        total: u64::from(n),
    })
}

/// Walks `parents` parents with `width`, answering the page in flight chosen by a
/// deterministic generator from `seed`; returns what was given and the most in flight.
fn walk(
    parents: u32,
    width: usize,
    seed: u64,
    gone: Option<u32>,
) -> (Vec<(u32, u32)>, Vec<u32>, usize) {
    let len = |p: u32| (p * 7) % 35; // 0 to 34 items: 0 to 4 pages
    let mut walks = ChildWalks::new(
        (0..parents).map(|p| (p, List { parent: p, page: 0 })),
        width,
    );
    let (mut items, mut ended) = (Vec::new(), Vec::new());
    let mut sent: Vec<(u64, List)> = Vec::new();
    let mut most = 0;
    let mut state = seed;
    for _ in 0..100_000 {
        match walks.next_step() {
            ChildStep::Fetch { walk, page } => {
                sent.push((walk, page));
                most = most.max(walks.in_flight());
            }
            ChildStep::Give(ChildEvent::Item(parent, item)) => items.push((parent, item)),
            ChildStep::Give(ChildEvent::Ended(parent, e)) => {
                assert!(e.is_not_found(), "{e}");
                ended.push(parent);
            }
            ChildStep::Await => {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let pick = (state >> 33) as usize % sent.len();
                let (walk, page) = sent.swap_remove(pick);
                walks.page_answer(walk, answer(&page, len, gone));
            }
            ChildStep::Done => {
                assert!(sent.is_empty());
                return (items, ended, most);
            }
        }
    }
    panic!("the walk did not end");
}

fn expected(parents: u32, gone: Option<u32>) -> Vec<(u32, u32)> {
    (0..parents)
        .flat_map(|p| {
            let n = (p * 7) % 35;
            let n = if Some(p) == gone { n.min(SIZE) } else { n };
            (0..n).map(move |i| (p, p * 1000 + i))
        })
        .collect()
}

#[test]
fn every_item_once_in_the_parents_order_whatever_order_the_answers_come_in() {
    for seed in 0..20 {
        for width in [1, 3, 8, 64] {
            let (items, ended, most) = walk(40, width, seed, None);
            assert_eq!(items, expected(40, None), "width {width}, seed {seed}");
            assert!(ended.is_empty());
            assert!(most <= width, "{most} in flight, width {width}");
        }
    }
}

#[test]
fn the_width_is_used() {
    let (_, _, most) = walk(40, 8, 1, None);
    assert_eq!(most, 8);
    let (_, _, most) = walk(40, 1, 1, None);
    assert_eq!(most, 1);
}

#[test]
fn a_parent_gone_mid_walk_ends_its_own_walk_in_its_place() {
    // Parent 3 has 21 items (3 pages): its second page says the cluster is gone.
    for seed in 0..10 {
        let (items, ended, _) = walk(10, 4, seed, Some(3));
        assert_eq!(items, expected(10, Some(3)), "seed {seed}");
        assert_eq!(ended, [3]);
    }
}

#[test]
fn no_parents_is_done_at_once() {
    let mut walks: ChildWalks<u32, List> = ChildWalks::new(std::iter::empty(), 4);
    assert!(matches!(walks.next_step(), ChildStep::Done));
    // An answer nobody asked for is ignored.
    walks.page_answer(7, answer(&List { parent: 0, page: 1 }, |_| 1, None));
    assert!(matches!(walks.next_step(), ChildStep::Done));
}
