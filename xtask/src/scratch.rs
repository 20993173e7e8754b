//! `cargo xtask scratch --out DIR PAGE_OR_DIR...`: a standalone cargo package in DIR
//! (depending on otc-jobs-core by absolute path, with its own `[workspace]`) with one
//! generated module per operation page and one test per documented example answer,
//! deserializing it into the generated types. It shows how far the generator gets on
//! pages nobody has reviewed: the decisions `specs/overrides.toml` records by hand are
//! made by default here (untyped parameters are strings, a page without a 2xx status
//! gets 200, `Int`/`Bool` mean Integer/Boolean).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::page;
use crate::specs::{
    self, OperationEntry, OperationsFile, Overrides, ParamOverride, ServiceEntry,
    SuccessStatusOverride, TypeSpelling,
};
use crate::types::{self, NONSTANDARD};

/// What a scratch run produced.
#[derive(Debug, Default)]
pub struct Summary {
    /// Operation pages found.
    pub pages: usize,
    /// Pages that generated a module.
    pub generated: usize,
    /// Documented fields (all tables) of the generated pages.
    pub fields: usize,
    /// Of them, fields that fell back to `serde_json::Value`.
    pub fallbacks: usize,
    /// Example answers written as tests (valid JSON).
    pub examples: usize,
    /// Pages that did not generate, with the reason.
    pub failures: Vec<(String, String)>,
    /// Fallbacks, one line each.
    pub fallback_notes: Vec<String>,
}

const SERVICES: [(&str, &str); 3] = [("modelarts", "ModelArts"), ("dli", "Dli"), ("mrs", "Mrs")];

/// Runs scratch over `inputs` into `out`.
pub fn run(out: &Path, inputs: &[PathBuf], root: &Path) -> Result<Summary> {
    let mut files = Vec::new();
    for i in inputs {
        collect(i, &mut files)?;
    }
    files.sort();
    let services: BTreeMap<String, ServiceEntry> = SERVICES
        .iter()
        .map(|(k, v)| {
            (
                (*k).to_owned(),
                ServiceEntry {
                    variant: (*v).to_owned(),
                    doc: format!("{v}."),
                },
            )
        })
        .collect();
    let mut summary = Summary::default();
    let mut modules = Vec::new();
    let mut tests = String::new();
    let mut used_names: BTreeMap<String, usize> = BTreeMap::new();
    std::fs::create_dir_all(out.join("src")).context("creating the output folder")?;
    std::fs::create_dir_all(out.join("tests"))?;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if !has_request_line(&text) {
            continue;
        }
        summary.pages += 1;
        let shown = file.display().to_string();
        match one(file, &services, &mut used_names, root) {
            Ok((op, source)) => {
                summary.generated += 1;
                let all = op
                    .page
                    .response_tables
                    .iter()
                    .map(|t| t.fields.len())
                    .sum::<usize>()
                    + op.page
                        .request_tables
                        .iter()
                        .map(|t| t.fields.len())
                        .sum::<usize>()
                    + op.page.query_params.len();
                summary.fields += all;
                summary.fallbacks += op.fallbacks.len();
                for f in &op.fallbacks {
                    summary.fallback_notes.push(format!(
                        "{shown}:{}: `{}` ({})",
                        f.line, f.path, f.type_text
                    ));
                }
                std::fs::write(out.join("src").join(format!("{}.rs", op.module)), source)?;
                modules.push(op.module.clone());
                for (i, e) in op.page.examples.iter().enumerate() {
                    let ok_status = e.status.is_none_or(|s| (200..300).contains(&s));
                    let valid = serde_json::from_str::<serde_json::Value>(e.text.trim()).is_ok();
                    let looks_failed = e.title.to_ascii_lowercase().contains("fail")
                        || e.title.to_ascii_lowercase().contains("error");
                    if e.request || !ok_status || !valid || looks_failed {
                        continue;
                    }
                    summary.examples += 1;
                    let _ = writeln!(
                        tests,
                        "/// {shown}:{}\n#[test]\nfn {}_example_{i}() {{\n    let body = r####\"{}\"####;\n    serde_json::from_str::<scratch::{}::{}Response>(body).unwrap();\n}}\n",
                        e.line,
                        op.module,
                        e.text.trim(),
                        op.module,
                        op.type_name
                    );
                }
            }
            Err(e) => summary.failures.push((shown, format!("{e:#}"))),
        }
    }
    let core = root.join("crates/core");
    std::fs::write(
        out.join("Cargo.toml"),
        format!(
            "[package]\nname = \"scratch\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ndoctest = false\n\n[dependencies]\notc-jobs-core = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nhttp = \"1\"\n\n[workspace]\n",
            core.display().to_string()
        ),
    )?;
    let mut lib = String::from(
        "//! Generated by `cargo xtask scratch`.\n#![allow(missing_docs, clippy::all)]\n\n",
    );
    for m in &modules {
        let _ = writeln!(lib, "pub mod {m};");
    }
    std::fs::write(out.join("src/lib.rs"), lib)?;
    std::fs::write(
        out.join("tests/examples.rs"),
        format!("//! One test per documented example answer.\n#![allow(clippy::all)]\n\n{tests}"),
    )?;
    Ok(summary)
}

fn one(
    file: &Path,
    services: &BTreeMap<String, ServiceEntry>,
    used: &mut BTreeMap<String, usize>,
    root: &Path,
) -> Result<(specs::Operation, String)> {
    let page = page::read_file(file)?;
    // The specs folder is the parent of the service folder.
    let abs = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let comps: Vec<_> = abs.components().collect();
    let at = comps
        .iter()
        .rposition(|c| SERVICES.iter().any(|(s, _)| c.as_os_str() == *s))
        .context("no modelarts, dli or mrs folder in the path")?;
    let specs_dir: PathBuf = comps[..at].iter().collect();
    let rel: PathBuf = comps[at..].iter().collect();
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = specs::type_name_from_title(&page.title)
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| format!("Op{}", types::camel(&stem)));
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "Op");
    }
    let n = used.entry(name.clone()).or_insert(0);
    *n += 1;
    if *n > 1 {
        name = format!("{name}{n}");
    }
    // The decisions reviewers make in overrides.toml, made by default.
    let reason = "scratch default".to_owned();
    let mut ov = Overrides {
        scratch_defaults: true,
        ..Overrides::default()
    };
    if page.success_status.is_empty() {
        ov.success_status.push(SuccessStatusOverride {
            operation: name.clone(),
            codes: vec![200],
            reason: reason.clone(),
        });
    }
    for p in &page.path_params {
        let typed = p.type_.as_deref().map(str::to_ascii_lowercase);
        let ok = matches!(
            typed.as_deref(),
            Some("long" | "integer" | "int" | "int32" | "int64" | "number" | "string")
        );
        if p.name != "project_id" && !ok {
            ov.path_param.push(ParamOverride {
                operation: name.clone(),
                name: p.name.clone(),
                type_name: "String".into(),
                reason: reason.clone(),
            });
        }
    }
    for q in &page.query_params {
        if q.type_.is_none() && q.name != "project_id" {
            ov.query_param.push(ParamOverride {
                operation: name.clone(),
                name: q.name.clone(),
                type_name: "String".into(),
                reason: reason.clone(),
            });
        }
    }
    let mut spellings: Vec<String> = Vec::new();
    for t in page.response_tables.iter().chain(&page.request_tables) {
        for f in &t.fields {
            if let Some(ty) = f.type_.as_deref().map(str::trim)
                && NONSTANDARD.contains(&ty.to_ascii_lowercase().as_str())
                && !spellings.iter().any(|s| s == ty)
            {
                spellings.push(ty.to_owned());
            }
        }
    }
    for s in spellings {
        let means = if s.eq_ignore_ascii_case("int") {
            "Integer"
        } else {
            "Boolean"
        };
        ov.type_spelling.push(TypeSpelling {
            operation: name.clone(),
            spelling: s,
            means: means.into(),
            reason: reason.clone(),
        });
    }
    let ops = OperationsFile {
        services: services.clone(),
        operations: vec![OperationEntry {
            page: rel.to_string_lossy().replace('\\', "/"),
            type_name: Some(name),
            paging: None,
            probe: None,
            deletion: None,
            cancellation: None,
            read_only: None,
        }],
    };
    let specs = specs::resolve(&specs_dir, &ops, &ov)?;
    let op = specs
        .operations
        .first()
        .cloned()
        .context("nothing resolved")?;
    let source =
        crate::emit::operation_file(&specs, &op, "// @generated by `cargo xtask scratch`")?
            .replace("crate::", "otc_jobs_core::");
    let source = crate::codegen::format_rust(&source, root)?;
    Ok((op, source))
}

/// Whether the page has a line `METHOD /path` (possibly after a bullet): an operation page.
pub fn has_request_line(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start().trim_start_matches("- ").trim_start();
        let mut w = l.split_whitespace();
        matches!(
            (w.next(), w.next()),
            (Some("GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD"), Some(p)) if p.starts_with('/')
        )
    })
}

/// The `.rst` files at `path`: the file itself, or every one below the folder.
pub fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "rst") {
            out.push(p);
        }
    }
    Ok(())
}
