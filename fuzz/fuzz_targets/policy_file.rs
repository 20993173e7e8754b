//! The policy file reader (what `otc-jobs clean|plan --policy FILE` reads before anything
//! is listed): any text gives a policy or a refusal naming the file, with a line (and
//! column) inside the text when it names one, and a hint; never a panic.
//!
//! The reader lives in the command-line tool, which has no library target: it and the two
//! modules it uses (`select`, `exit`) are compiled into this target as they are.
#![no_main]
#![allow(dead_code)]

#[path = "../../crates/cli/src/exit.rs"]
mod exit;
#[path = "../../crates/cli/src/policy.rs"]
mod policy;
#[path = "../../crates/cli/src/select.rs"]
mod select;

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match policy::Policy::parse(text, Path::new("fuzz.yaml")) {
        Ok(policy) => {
            // Whatever it selects, it answers without a panic.
            let _ = policy.projects.selects("eu-de_ci", "0a1b");
        }
        Err(error) => {
            assert_eq!(error.file, Path::new("fuzz.yaml"));
            assert!(!error.hint.is_empty(), "{error}: no hint");
            if let Some(line) = error.line {
                // YAML breaks lines at LF, CR and CR LF, and (1.1, as libyaml does) at NEL,
                // LS and PS; the end of the text may be the place.
                let breaks = ['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'];
                let lines = text.replace("\r\n", "\n").matches(breaks).count() + 1;
                assert!(line >= 1 && line <= lines + 1, "{error}");
            }
            assert!(!error.to_string().contains('\u{1f}'), "{error:?}");
        }
    }
});
