//! Ids of every kind as the tool reads them (the command line, stdin, the journal): the
//! first byte picks the kind, the rest is the text. An id that is read back from what it
//! prints is the same id (the journal writes ids with `Display` and reads them with
//! `parse_id`), it is of the kind asked for, a refusal names the trimmed text, and a child
//! read inside its parent (`--job-id 10 2`) is the id `10/2` reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otc_jobs_core::kinds::Kind;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(pick) % Kind::ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match kind.parse_id(text) {
        Ok(id) => {
            assert_eq!(id.kind(), kind, "{text:?}");
            let printed = id.to_string();
            assert_eq!(
                kind.parse_id(&printed),
                Ok(id.clone()),
                "{text:?} printed as {printed:?}"
            );
        }
        Err(refused) => {
            assert_eq!(refused.kind, kind);
            assert_eq!(refused.text, text.trim());
        }
    }
    // A child inside its parent: the parent is the text before the first newline.
    if let Some((parent, child)) = text.split_once('\n') {
        if let Ok(id) = kind.parse_id_in(parent, child) {
            let joined = format!("{}/{}", parent.trim(), child.trim());
            assert_eq!(kind.parse_id(&joined), Ok(id), "{parent:?} {child:?}");
        }
    }
});
