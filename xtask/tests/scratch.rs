//! `cargo xtask scratch` on three fixture pages (copies of pages in specs/): a standalone
//! package with one module per page and one test per example answer. (Compiling and
//! testing the package is left to `cargo test --manifest-path DIR/Cargo.toml`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use xtask::codegen;

#[test]
fn scratch_writes_a_standalone_package_from_pages() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scratch");
    let out = std::env::temp_dir().join(format!("otc-jobs-scratch-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let summary = xtask::scratch::run(&out, &[fixtures], &codegen::workspace_root()).unwrap();
    assert_eq!(
        (summary.pages, summary.generated),
        (3, 3),
        "{:?}",
        summary.failures
    );
    assert_eq!(summary.fallbacks, 0);
    // The DLI list example and the MRS list example (the batch deletion's has a trailing
    // comma: not valid JSON, so not a test).
    assert_eq!(summary.examples, 2);
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("[workspace]") && manifest.contains("crates/core"));
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub mod list_jobs;"), "{lib}");
    let module = std::fs::read_to_string(out.join("src/list_jobs.rs")).unwrap();
    assert!(module.contains("impl otc_jobs_core::Operation for ListJobs"));
    assert!(!module.contains("crate::"));
    let tests = std::fs::read_to_string(out.join("tests/examples.rs")).unwrap();
    assert_eq!(tests.matches("#[test]").count(), 2);
    let _ = std::fs::remove_dir_all(&out);
}
