//! The spec pipeline's reader on any page: `rst::parse`, the plain and Markdown renderings
//! (of the raw text's first KiB and of every block), and `page::read` + `extract` (what
//! `cargo xtask extract` prints; the page is parsed once, `page::read_blocks` reads the
//! model from those blocks). None panics; parsing is deterministic; an error names a line
//! of the page (1 to the line count + 1).
//!
//! Input: 1 byte choosing the file name (which helps `page::read` find the service), then
//! the page's text (invalid UTF-8 replaced).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::{page, rst};

/// File names as `cargo xtask` passes them: under a service folder, or not.
const FILES: [&str; 4] = [
    "specs/dli/api-ref/source/flink_job-related_apis/page.rst",
    "specs/modelarts/api-ref/source/historical_apis/page.rst",
    "specs/mrs/api-ref/source/apis/page.rst",
    "page.rst",
];

/// How much raw text goes through `rst::plain` and `rst::markdown` directly.
const RAW_RENDER_LIMIT: usize = 1024;

/// Up to which length a page is parsed twice, to check the result is the same.
const DETERMINISM_LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let file = FILES[usize::from(choice) % FILES.len()];
    let text = String::from_utf8_lossy(rest);
    let last_line = text.lines().count() + 1;

    // The inline renderings on raw text, markup of every block kind included. Only its
    // first KiB: every paragraph and cell of the page is rendered below (through
    // `blocks_plain`, `blocks_markdown` and `page::read`), and rendering the whole raw
    // page as well added a fifth to each execution (a 7.6 KB page: 9.0 M instructions
    // with the limit, 11.2 M without).
    let head = &text[..text.floor_char_boundary(RAW_RENDER_LIMIT)];
    let _ = rst::plain(head);
    let _ = rst::markdown(head);
    let parsed = rst::parse(&text);
    if text.len() <= DETERMINISM_LIMIT {
        // The reader has no source of nondeterminism (no hashing, no clock); small pages
        // show it as well as large ones, without a second parse of every large one.
        assert_eq!(parsed, rst::parse(&text), "parsing is deterministic");
    }
    let blocks = match &parsed {
        Ok(blocks) => blocks,
        Err(e) => {
            // `page::read` is `rst::parse` then `page::read_blocks`: it fails here, with
            // this line.
            assert!(
                (1..=last_line).contains(&e.line),
                "{e} of {last_line} lines"
            );
            assert!(!e.expected.is_empty());
            return;
        }
    };
    let _ = rst::blocks_plain(blocks);
    let _ = rst::blocks_markdown(blocks);

    // The page model from the blocks parsed above (`page::read` would parse them again).
    match page::read_blocks(file, &text, blocks) {
        Ok(page) => {
            // What `cargo xtask extract` prints. (Not `format!("{page:?}")`: a derived
            // `Debug` cannot fail, and formatting every page was a seventh of an execution.)
            let extract = page.extract();
            assert!(serde_json::to_string(&extract).is_ok());
        }
        Err(e) => {
            assert!(e.line <= last_line, "{e} of {last_line} lines");
            let _ = e.to_string();
        }
    }
});
