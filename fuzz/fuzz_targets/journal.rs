//! The journal reader (what a resumed `otc-jobs clean --journal FILE` reads first): any
//! bytes — a journal cut by a kill, a disk's garbage, another file — give contents or a
//! refusal naming a line, never a panic. When they give contents, the whole lines end where
//! the reader says, a last line without its newline is the torn one, and the whole lines
//! alone read the same, without a torn line.
//!
//! The reader lives in the command-line tool, which has no library target: its three
//! self-contained modules are compiled into this target as they are.
#![no_main]
#![allow(dead_code)]

#[path = "../../crates/cli/src/exit.rs"]
mod exit;
#[path = "../../crates/cli/src/journal.rs"]
mod journal;
#[path = "../../crates/cli/src/report.rs"]
mod report;

use libfuzzer_sys::fuzz_target;
use otc_jobs_core::kinds::Kind;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(pick) % Kind::ALL.len()];
    let Ok(contents) = journal::parse(bytes, kind) else {
        return;
    };
    let whole = contents.valid_len;
    assert!(whole <= bytes.len());
    assert!(whole == 0 || bytes[whole - 1] == b'\n');
    assert!(!bytes[whole..].contains(&b'\n'));
    assert_eq!(contents.torn_line.is_some(), whole < bytes.len());
    let again = journal::parse(&bytes[..whole], kind);
    let again = again.unwrap_or_else(|e| panic!("the whole lines alone: {e:?}"));
    assert_eq!(again.valid_len, whole);
    assert_eq!(again.torn_line, None);
});
