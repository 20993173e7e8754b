//! Paging, as data: how a list operation asks for a page and where its answer says the
//! next one starts. The pages do not structure paging, so each list operation declares its
//! style in `specs/operations.toml` and the codegen implements [`Paginated`] from it; one
//! state machine in `otc-jobs-driver` walks any of them. Where the cursor and the size
//! travel (query parameters, or fields of a search's JSON body) is the operation's own
//! business: [`Paginated::with_page`] puts them there, the machine never looks.

use crate::operation::Operation;

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageStyle {
    /// A page number and a page size (`page`, `per_page` in the query: ModelArts v1;
    /// `offset`, `limit` in a `POST` body, pages counted from 0: ModelArts v2's
    /// search); the answer carries the total count.
    PageNumber,
    /// An item offset and a page size (`offset`, `limit`: DLI); the answer carries the
    /// total count.
    OffsetLimit,
    /// A marker (the id of the last item seen) and a page size (`marker`, `limit`: MRS);
    /// the answer carries the next marker, absent or empty on the last page.
    Marker,
}

/// Where a page starts, in the operation's [`PageStyle`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageCursor {
    /// The page number (the operation's [`Paginated::FIRST_PAGE`] for the first page).
    Number(u32),
    /// The offset of the page's first item (0 for the first page).
    Offset(u64),
    /// The marker the previous answer gave; `None` for the first page.
    Marker(Option<String>),
}

/// A list operation that can be walked page by page. Implemented by the generated list
/// operations (e.g. `ListFlinkJobs`) from the paging declared in `specs/operations.toml`.
///
/// Every method is pure: a paginator asks [`with_page`](Paginated::with_page) for the
/// request of the next page, sends it, and reads the items and the position of the next
/// page from the answer.
pub trait Paginated: Operation + Clone {
    /// One listed item.
    type Item;

    /// How the operation pages.
    const STYLE: PageStyle;
    /// The number of the first page (ModelArts counts from 1); unused by other styles.
    const FIRST_PAGE: u32;
    /// The largest page size the API accepts.
    const MAX_PAGE_SIZE: u32;
    /// The most pages one walk can reach: the API refuses a page number past it (DLI's
    /// SQL job list: `current-page` at most 100). A list longer than that is walked in
    /// windows ([`Windowed`]); the default is no limit.
    const MAX_PAGES: u32 = u32::MAX;

    /// The page size the caller set on this request, if any.
    fn page_size(&self) -> Option<u32>;

    /// The same request (filters and all) asking for the page at `cursor` with `size`
    /// items.
    fn with_page(&self, cursor: &PageCursor, size: u32) -> Self;

    /// The items of one page's answer, in the order the service sent them.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;

    /// The total number of items the answer reports, where the style has one.
    fn total(response: &Self::Response) -> Option<u64>;

    /// The marker of the next page ([`PageStyle::Marker`]); `None` or empty on the last.
    fn next_marker(response: &Self::Response) -> Option<String>;
}

/// A list whose requests can be narrowed to a window of time, so that a list longer than
/// one walk can reach ([`Paginated::MAX_PAGES`] pages) is walked window after window,
/// newest first: each window ends where the one before reached. Implemented by the
/// generated list operations that declare `window` in `specs/operations.toml` (DLI's SQL
/// job list: `start` and `end`, on the jobs' `start_time`).
pub trait Windowed: Paginated {
    /// The request's own bounds (milliseconds), if it sets them.
    fn window(&self) -> (Option<i64>, Option<i64>);

    /// The same request (filters and all) narrowed to the bounds given.
    fn with_window(&self, start: Option<i64>, end: Option<i64>) -> Self;

    /// Whether the request lists the newest items first (the order windows follow).
    fn newest_first(&self) -> bool;

    /// An item's time (milliseconds), on which the windows are cut.
    fn item_time(item: &Self::Item) -> Option<i64>;

    /// An item's identity (its id), so that an item at the edge of two windows is
    /// returned once.
    fn item_key(item: &Self::Item) -> String;
}
