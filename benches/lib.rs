//! Benchmarks of otc-jobs live in `benches/`; run them with `cargo bench -p otc-jobs-benches`.
//! This library holds what they share: the core's cases ([`cases`]) and the tool's binary
//! for the benchmarks that run it as a process ([`otc_jobs_binary`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod cases;

use std::path::PathBuf;
use std::process::Command;

/// The `otc-jobs` binary of this build's profile (`target/<profile>/otc-jobs`, beside the
/// benchmark's own `deps/`), rebuilt first when the benchmark runs under cargo, so that a
/// stale binary is never measured. `cargo bench` builds the release one; `cargo test
/// --bench NAME` (a quick check with fewer jobs) the debug one.
///
/// ```no_run
/// let tool = otc_jobs_benches::otc_jobs_binary();
/// assert!(tool.ends_with("otc-jobs"));
/// ```
pub fn otc_jobs_binary() -> PathBuf {
    let me = std::env::current_exe().unwrap();
    // target/<profile>/deps/<bench> -> target/<profile>
    let dir = me.parent().and_then(|d| d.parent()).unwrap();
    let binary = dir.join("otc-jobs");
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut build = Command::new(cargo);
        build.args(["build", "-q", "-p", "otc-jobs-cli", "--bin", "otc-jobs"]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        assert!(build.status().unwrap().success(), "cannot build otc-jobs");
    }
    assert!(
        binary.exists(),
        "{binary:?} missing: run this benchmark with `cargo bench -p otc-jobs-benches`"
    );
    binary
}
