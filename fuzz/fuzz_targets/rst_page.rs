//! The spec pipeline's reader on any page: `rst::parse`, the plain and Markdown renderings,
//! and `page::read` + `extract` (what `cargo xtask extract` prints). None panics; parsing
//! is deterministic; an error names a line of the page (1 to the line count + 1).
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

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let file = FILES[usize::from(choice) % FILES.len()];
    let text = String::from_utf8_lossy(rest);
    let last_line = text.lines().count() + 1;

    let _ = rst::plain(&text);
    let _ = rst::markdown(&text);
    let parsed = rst::parse(&text);
    assert_eq!(parsed, rst::parse(&text), "parsing is deterministic");
    match &parsed {
        Ok(blocks) => {
            let _ = rst::blocks_plain(blocks);
            let _ = rst::blocks_markdown(blocks);
        }
        Err(e) => {
            assert!((1..=last_line).contains(&e.line), "{e} of {last_line} lines");
            assert!(!e.expected.is_empty());
        }
    }

    match page::read(file, &text) {
        Ok(page) => {
            // A page is read only when its table reader accepted it.
            assert!(parsed.is_ok());
            let extract = page.extract();
            assert!(serde_json::to_string(&extract).is_ok());
            let _ = format!("{page:?}");
        }
        Err(e) => {
            assert!(e.line <= last_line, "{e} of {last_line} lines");
            let _ = e.to_string();
        }
    }
});
