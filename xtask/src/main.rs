//! `cargo xtask`: project automation for otc-jobs.
//!
//! ```text
//! cargo xtask codegen            generate crates/core/src/generated/ from specs/
//! cargo xtask codegen --check    exit non-zero naming stale generated files
//! cargo xtask extract [PAGE...]  print the model of each page as JSON (default: specs/operations.toml)
//! cargo xtask survey DIR...      read every .rst page under DIR, report failures and timing
//! cargo xtask scratch --out DIR PAGE_OR_DIR...  generate a standalone package from any pages
//! cargo xtask readme             build README.md's examples as a user would (own Cargo.toml)
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use xtask::codegen::{self, Mode};
use xtask::{page, specs};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let root = codegen::workspace_root();
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = match args.get(1).map(String::as_str) {
                None => false,
                Some("--check") => true,
                Some(other) => {
                    bail!("unknown argument {other}; usage: cargo xtask codegen [--check]")
                }
            };
            codegen_cmd(&root, check)
        }
        Some("extract") => extract_cmd(&root, &args[1..]),
        Some("survey") => survey_cmd(&args[1..]),
        Some("scratch") => scratch_cmd(&root, &args[1..]),
        Some("readme") => readme_cmd(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  codegen [--check]   generate crates/core/src/generated/ from specs/\n  extract [PAGE...]   print the model of API pages as JSON (default: the pages in specs/operations.toml)\n  survey DIR...       read every .rst page under the folders, print failures and timing"
            );
            Ok(ExitCode::from(2))
        }
    }
}

fn readme_cmd(root: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(root.join("README.md"))?;
    let readme = xtask::readme::read(&text)?;
    let dir = xtask::readme::write_package(&readme, root)?;
    eprintln!(
        "building {} README examples in {} with the README's dependencies only",
        readme.examples.len(),
        dir.display()
    );
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["build", "--examples", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()?;
    if status.success() {
        eprintln!("every README example builds as a user would build it");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "a README example does not build with the README's dependencies: the error names examples/readme_line_N.rs, README.md line N"
        );
        Ok(ExitCode::FAILURE)
    }
}

fn codegen_cmd(root: &Path, check: bool) -> Result<ExitCode> {
    let mode = if check { Mode::Check } else { Mode::Write };
    let outcome = codegen::run(root, mode)?;
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    if check {
        if outcome.changed.is_empty() {
            eprintln!("generated code is fresh ({} files)", outcome.unchanged);
            return Ok(ExitCode::SUCCESS);
        }
        for f in &outcome.changed {
            eprintln!("stale: {f}");
        }
        eprintln!("run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    for f in &outcome.changed {
        eprintln!("wrote {f}");
    }
    eprintln!(
        "{} files changed, {} unchanged",
        outcome.changed.len(),
        outcome.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

fn extract_cmd(root: &Path, pages: &[String]) -> Result<ExitCode> {
    let files: Vec<PathBuf> = if pages.is_empty() {
        let ops: specs::OperationsFile = toml::from_str(&std::fs::read_to_string(
            root.join("specs/operations.toml"),
        )?)?;
        ops.operations
            .iter()
            .map(|o| root.join("specs").join(&o.page))
            .collect()
    } else {
        pages.iter().map(PathBuf::from).collect()
    };
    let start = Instant::now();
    let mut out = Vec::new();
    let mut failed = false;
    for f in &files {
        match page::read_file(f) {
            Ok(p) => {
                for w in &p.warnings {
                    eprintln!(
                        "warning: {}:{}: {} [{}]",
                        f.display(),
                        w.line,
                        w.message,
                        w.kind.name()
                    );
                }
                out.push(p.extract());
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let elapsed = start.elapsed();
    if failed {
        return Ok(ExitCode::FAILURE);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    eprintln!(
        "read {} pages in {:.2} ms",
        files.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

fn scratch_cmd(root: &Path, args: &[String]) -> Result<ExitCode> {
    let (Some("--out"), Some(out)) = (args.first().map(String::as_str), args.get(1)) else {
        bail!("usage: cargo xtask scratch --out DIR PAGE_OR_DIR...");
    };
    let inputs: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
    if inputs.is_empty() {
        bail!("usage: cargo xtask scratch --out DIR PAGE_OR_DIR...");
    }
    let s = xtask::scratch::run(Path::new(out), &inputs, root)?;
    for (file, why) in &s.failures {
        eprintln!(
            "not generated: {file}: {}",
            why.lines().next().unwrap_or_default()
        );
    }
    for note in &s.fallback_notes {
        eprintln!("Value: {note}");
    }
    println!("{}/{} pages generated", s.generated, s.pages);
    println!(
        "{} of {} documented fields fell back to serde_json::Value",
        s.fallbacks, s.fields
    );
    println!(
        "{} example answers written as tests: cargo test --manifest-path {out}/Cargo.toml",
        s.examples
    );
    Ok(ExitCode::SUCCESS)
}

fn survey_cmd(dirs: &[String]) -> Result<ExitCode> {
    if dirs.is_empty() {
        bail!("usage: cargo xtask survey DIR...");
    }
    let mut files = Vec::new();
    for d in dirs {
        xtask::scratch::collect(Path::new(d), &mut files)?;
    }
    files.sort();
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|f| std::fs::read_to_string(&f).ok().map(|t| (f, t)))
        .collect();
    let start = Instant::now();
    let results: Vec<_> = texts
        .iter()
        .map(|(f, t)| {
            (
                f,
                xtask::scratch::has_request_line(t),
                page::read(&f.display().to_string(), t),
            )
        })
        .collect();
    let elapsed = start.elapsed();
    let mut with_line = 0;
    let mut ok = 0;
    for (f, has_line, r) in &results {
        if !has_line {
            continue;
        }
        with_line += 1;
        match r {
            Ok(_) => ok += 1,
            Err(e) => eprintln!("error: {e}"),
        }
        let _ = f;
    }
    println!(
        "{} pages, {with_line} with a request line, {ok} of them read without error; reading all {} pages took {:.2} ms",
        results.len(),
        results.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(if ok == with_line {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
