//! Benchmarks of otc-jobs live in `benches/`; run them with `cargo bench -p otc-jobs-benches`.
//! This library holds what they share: the core's cases ([`cases`]) and the tool's binary
//! for the benchmarks that run it as a process ([`otc_jobs_binary`]).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    built_binary("otc-jobs-cli", "otc-jobs")
}

/// The `otc-jobs-emulator` binary of this build's profile, rebuilt first under cargo, as
/// [`otc_jobs_binary`].
///
/// ```no_run
/// let emulator = otc_jobs_benches::emulator_binary();
/// assert!(emulator.ends_with("otc-jobs-emulator"));
/// ```
pub fn emulator_binary() -> PathBuf {
    built_binary("otc-jobs-emulator", "otc-jobs-emulator")
}

/// An `otc-jobs-emulator` process, stopped when dropped.
pub struct EmulatorProcess {
    child: std::process::Child,
    url: String,
}

impl EmulatorProcess {
    /// Starts `binary` with `args` (on a free loopback port unless `args` say otherwise)
    /// and waits for its `listening on URL` line.
    ///
    /// ```no_run
    /// let emulator = otc_jobs_benches::EmulatorProcess::start(
    ///     &otc_jobs_benches::emulator_binary(),
    ///     &["--seed", "jobs.json"],
    /// );
    /// assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start(binary: &std::path::Path, args: &[&str]) -> EmulatorProcess {
        use std::io::BufRead;
        let mut child = Command::new(binary)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the emulator said {line:?}"))
            .to_owned();
        EmulatorProcess { child, url }
    }

    /// Its base URL: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.url
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/<profile>/NAME`, built from `package` first when run under cargo.
fn built_binary(package: &str, name: &str) -> PathBuf {
    let me = std::env::current_exe().unwrap();
    // target/<profile>/deps/<bench> -> target/<profile>
    let dir = me.parent().and_then(|d| d.parent()).unwrap();
    let binary = dir.join(name);
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut build = Command::new(cargo);
        build.args(["build", "-q", "-p", package, "--bin", name]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        assert!(build.status().unwrap().success(), "cannot build {name}");
    }
    assert!(
        binary.exists(),
        "{binary:?} missing: run this benchmark with `cargo bench -p otc-jobs-benches`"
    );
    binary
}
