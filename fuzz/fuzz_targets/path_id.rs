//! Path ids: any text `PathId` accepts is encoded as exactly one path segment (no `/`,
//! `?`, `#`, no dot segment), the URL it goes into parses with that path, and decoding the
//! segment gives the id back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otc_jobs_core::{PathId, PathValue, expand_template};
use percent_encoding::percent_decode_str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(id) = PathId::new(text) else {
        assert!(
            text.is_empty() || text == "." || text == "..",
            "{text:?} refused"
        );
        return;
    };
    let mut path = String::new();
    expand_template("/v1/p/jobs/{job_id}", &mut path, |name| {
        (name == "job_id").then_some(PathValue::Text(&id))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let segment = path
        .strip_prefix("/v1/p/jobs/")
        .unwrap_or_else(|| panic!("{path}"));
    assert!(
        !segment.is_empty() && segment != "." && segment != "..",
        "{segment:?}"
    );
    assert!(!segment.contains(['/', '?', '#']), "{segment:?}");
    let decoded = percent_decode_str(segment)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decoded, text);
    let uri: http::Uri = format!("https://h.example{path}")
        .parse()
        .unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(uri.path(), path);
});
