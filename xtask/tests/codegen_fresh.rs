//! Codegen as a test: `cargo test` fails when `crates/core/src/generated/` or the clients'
//! `operations.rs` are not what `cargo xtask codegen` would write from `specs/` (fix: run
//! `cargo xtask codegen`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xtask::codegen::{self, Mode};

#[test]
fn generated_code_is_fresh() {
    let root = codegen::workspace_root();
    let outcome = codegen::run(&root, Mode::Check).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        outcome.changed.is_empty(),
        "stale generated files (run `cargo xtask codegen`): {:?}",
        outcome.changed
    );
    let specs = xtask::specs::load(&root.join(codegen::SPECS_DIR)).unwrap();
    assert_eq!(
        outcome.unchanged,
        specs.operations.len() + 3 + 2 * xtask::emit::CLIENTS.len(),
        "one file per operation, mod.rs, the kind table and its rows, and one methods file and one kinds file per client"
    );
}

#[test]
fn every_page_warning_on_a_generated_operation_is_settled_by_an_override() {
    let outcome = codegen::run(&codegen::workspace_root(), Mode::Check).unwrap();
    let unsettled: Vec<&String> = outcome
        .notes
        .iter()
        .filter(|n| n.contains("not settled"))
        .collect();
    assert!(unsettled.is_empty(), "{unsettled:#?}");
}
