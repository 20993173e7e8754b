//! `clouds.yaml` and `secure.yaml`, read as `OS_CLOUD` makes the builder read them: any
//! text gives a configuration or a `ConfigError`, never a panic, and the error prints.
//!
//! Input: the clouds.yaml text, then optionally `\n#secure\n` and the secure.yaml text.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use otc_jobs_driver::{ClientBuilder, Config};

/// A directory of this process's own (in memory where the system has one).
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("otc-jobs-fuzz-clouds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (clouds, secure) = match text.split_once("\n#secure\n") {
        Some((c, s)) => (c, Some(s)),
        None => (text.as_ref(), None),
    };
    let dir = dir();
    std::fs::write(dir.join("clouds.yaml"), clouds).unwrap_or_else(|e| panic!("{e}"));
    let secure_path = dir.join("secure.yaml");
    match secure {
        Some(s) => std::fs::write(&secure_path, s).unwrap_or_else(|e| panic!("{e}")),
        None => {
            let _ = std::fs::remove_file(&secure_path);
        }
    }
    let env = |name: &str| (name == "OS_CLOUD").then(|| "otc".to_owned());
    match ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(dir)) {
        Ok(builder) => match builder.config() {
            Ok(config) => {
                let _ = format!("{config:?}");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        },
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
