//! The `specs/` folder: which pages become operations (`specs/operations.toml`) and every
//! correction or decision about a page (`specs/overrides.toml`, each with its reason),
//! resolved against the pages into what the code generator needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;

use crate::page::{self, Page, Warning, WarningKind};

/// `specs/operations.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationsFile {
    /// Services by the folder name their pages live in.
    pub services: BTreeMap<String, ServiceEntry>,
    /// The operations, in the order of the file.
    #[serde(rename = "operation")]
    pub operations: Vec<OperationEntry>,
}

/// One service: the `crate::Service` variant and the doc of its re-export module.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    /// The `otc_jobs_core::Service` variant, e.g. `Dli`.
    pub variant: String,
    /// Doc comment of the `otc_jobs_core::<service>` module.
    pub doc: String,
}

/// One operation: its page and, when the title does not give it, its type name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationEntry {
    /// The page, relative to `specs/`; its first folder is the service.
    pub page: String,
    /// The Rust type name; default from the title ("Deleting a Job" → `DeleteJob`).
    #[serde(rename = "type")]
    pub type_name: Option<String>,
}

/// `specs/overrides.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Corrections of path parameters.
    #[serde(default)]
    pub path_param: Vec<ParamOverride>,
    /// Corrections of response fields.
    #[serde(default)]
    pub response_field: Vec<FieldOverride>,
    /// Which response field is the body's success verdict.
    #[serde(default)]
    pub success_flag: Vec<SuccessFlagOverride>,
    /// Success status codes for pages that only link a shared table.
    #[serde(default)]
    pub success_status: Vec<SuccessStatusOverride>,
    /// Page problems that are known and accepted.
    #[serde(default)]
    pub known_issue: Vec<KnownIssue>,
}

/// `[[path_param]]`: the type of a path parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamOverride {
    /// Operation type name.
    pub operation: String,
    /// Parameter name.
    pub name: String,
    /// `String`, `Long` or `Integer`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Why.
    pub reason: String,
}

/// `[[response_field]]`: the type or deserialisation of a response field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOverride {
    /// Operation type name.
    pub operation: String,
    /// Field name.
    pub name: String,
    /// A type replacing the page's.
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    /// Accept `"true"`/`"false"` strings for a Boolean.
    #[serde(default)]
    pub lenient_bool: bool,
    /// Why.
    pub reason: String,
}

/// `[[success_flag]]`: the Boolean field whose `false` means the call failed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessFlagOverride {
    /// Operation type name.
    pub operation: String,
    /// Field name.
    pub field: String,
    /// Why.
    pub reason: String,
}

/// `[[success_status]]`: the success codes when the page does not list them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessStatusOverride {
    /// Operation type name.
    pub operation: String,
    /// The 2xx codes.
    pub codes: Vec<u16>,
    /// Why.
    pub reason: String,
}

/// `[[known_issue]]`: a warning about the page that is accepted as is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownIssue {
    /// Operation type name.
    pub operation: String,
    /// The warning kind, e.g. `example-invalid-json`.
    pub warning: String,
    /// Why it is accepted.
    pub reason: String,
}

/// The Rust type of a path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathType {
    /// `i64`, written in decimal.
    Integer,
    /// `crate::PathId`.
    Text,
}

/// A path parameter as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// Name in the template and Rust field name.
    pub name: String,
    /// Rust type.
    pub ty: PathType,
    /// Doc (Markdown).
    pub description: String,
}

/// The Rust type of a response field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i64`.
    I64,
    /// `i32`.
    I32,
}

/// A response field as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseField {
    /// JSON name.
    pub name: String,
    /// Rust field name (raw identifier for keywords).
    pub ident: String,
    /// Rust type (wrapped in `Option`).
    pub ty: FieldType,
    /// Deserialised with `crate::de::lenient_bool`.
    pub lenient_bool: bool,
    /// Doc (Markdown).
    pub description: String,
}

/// A warning and what, if anything, settles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The page's warning.
    pub warning: Warning,
    /// The override reason that settles it, if any.
    pub settled_by: Option<String>,
}

/// One operation, resolved: everything the generator needs.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Rust type name (`DeleteFlinkJob`).
    pub type_name: String,
    /// Module name (`delete_flink_job`).
    pub module: String,
    /// Service folder (`dli`).
    pub service: String,
    /// `crate::Service` variant (`Dli`).
    pub service_variant: String,
    /// The page, relative to `specs/`, with `/` separators.
    pub page_path: String,
    /// The page model.
    pub page: Page,
    /// Path parameters except `project_id`, in path order.
    pub path_params: Vec<PathParam>,
    /// Response fields.
    pub response: Vec<ResponseField>,
    /// Success status codes.
    pub success_status: Vec<u16>,
    /// The success verdict field, if any.
    pub success_flag: Option<String>,
    /// The page's warnings.
    pub warnings: Vec<Reported>,
}

/// Everything in `specs/`.
#[derive(Debug, Clone)]
pub struct Specs {
    /// Services by folder name.
    pub services: BTreeMap<String, ServiceEntry>,
    /// Operations in file order.
    pub operations: Vec<Operation>,
}

/// Reads `specs/operations.toml`, `specs/overrides.toml` and the pages they name.
pub fn load(specs_dir: &Path) -> Result<Specs> {
    let ops_path = specs_dir.join("operations.toml");
    let ops: OperationsFile = read_toml(&ops_path)?;
    let ov_path = specs_dir.join("overrides.toml");
    let overrides: Overrides = if ov_path.exists() {
        read_toml(&ov_path)?
    } else {
        Overrides::default()
    };
    resolve(specs_dir, &ops, &overrides)
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Resolves the operations against their pages and the overrides.
pub fn resolve(specs_dir: &Path, ops: &OperationsFile, overrides: &Overrides) -> Result<Specs> {
    let mut operations = Vec::new();
    let mut errors = String::new();
    for entry in &ops.operations {
        match resolve_one(specs_dir, ops, entry, overrides) {
            Ok(op) => operations.push(op),
            Err(e) => {
                let _ = writeln!(errors, "{e:#}");
            }
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.trim_end());
    }
    // Names must be unique; every override must name a known operation.
    let mut seen = BTreeMap::new();
    for op in &operations {
        if let Some(prev) = seen.insert(op.type_name.clone(), op.page_path.clone()) {
            bail!(
                "two operations are named {}: {prev} and {}",
                op.type_name,
                op.page_path
            );
        }
    }
    let names: Vec<&str> = overrides
        .path_param
        .iter()
        .map(|o| (o.operation.as_str(), o.reason.as_str()))
        .chain(
            overrides
                .response_field
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .success_flag
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .success_status
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .known_issue
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .map(|(name, reason)| {
            if reason.trim().is_empty() {
                Err(anyhow!(
                    "specs/overrides.toml: the override for {name} has no reason"
                ))
            } else {
                Ok(name)
            }
        })
        .collect::<Result<_>>()?;
    for name in names {
        if !seen.contains_key(name) {
            bail!(
                "specs/overrides.toml names the operation {name}, which specs/operations.toml does not list"
            );
        }
    }
    Ok(Specs {
        services: ops.services.clone(),
        operations,
    })
}

fn resolve_one(
    specs_dir: &Path,
    ops: &OperationsFile,
    entry: &OperationEntry,
    ov: &Overrides,
) -> Result<Operation> {
    let page_path = entry.page.replace('\\', "/");
    let file: PathBuf = specs_dir.join(&page_path);
    let page = page::read_file(&file)?;
    let folder = page_path.split('/').next().unwrap_or("");
    let service = ops.services.get(folder).ok_or_else(|| {
        anyhow!(
            "{page_path}: the first folder `{folder}` is not a service in specs/operations.toml"
        )
    })?;
    if page.service != folder {
        bail!(
            "{page_path}: the page belongs to {} but lies in the folder {folder}",
            page.service
        );
    }
    let type_name = match &entry.type_name {
        Some(t) => t.clone(),
        None => type_name_from_title(&page.title).ok_or_else(|| {
            anyhow!(
                "{page_path}: cannot derive a type name from the title {:?}; set `type` in specs/operations.toml",
                page.title
            )
        })?,
    };
    if !is_type_name(&type_name) {
        bail!("{page_path}: `{type_name}` is not an UpperCamelCase Rust type name");
    }
    let module = snake_case(&type_name);
    let ctx = |what: &str| format!("{page_path} ({type_name}): {what}");

    // Warnings and what settles them.
    let mut warnings: Vec<Reported> = page
        .warnings
        .iter()
        .map(|w| Reported {
            warning: w.clone(),
            settled_by: None,
        })
        .collect();
    let mut settle = |kind: WarningKind, subject: Option<&str>, reason: &str| -> bool {
        let mut hit = false;
        for r in warnings.iter_mut() {
            if r.warning.kind == kind
                && (subject.is_none() || r.warning.subject.as_deref() == subject)
            {
                r.settled_by.get_or_insert_with(|| reason.to_owned());
                hit = true;
            }
        }
        hit
    };

    // Path parameters.
    for o in ov.path_param.iter().filter(|o| o.operation == type_name) {
        if !page.path_params.iter().any(|p| p.name == o.name) {
            bail!(ctx(&format!(
                "the [[path_param]] override names `{}`, which the path does not have",
                o.name
            )));
        }
    }
    let mut path_params = Vec::new();
    for p in &page.path_params {
        if p.name == "project_id" {
            continue;
        }
        let over = ov
            .path_param
            .iter()
            .find(|o| o.operation == type_name && o.name == p.name);
        let ty_text = over.map(|o| o.type_name.as_str()).or(p.type_.as_deref());
        if let Some(o) = over {
            settle(WarningKind::ParamUntyped, Some(&p.name), &o.reason);
            settle(WarningKind::ParamUndocumented, Some(&p.name), &o.reason);
        }
        let ty = match ty_text.map(|t| t.to_ascii_lowercase()) {
            Some(t)
                if matches!(
                    t.as_str(),
                    "long" | "integer" | "int" | "int32" | "int64" | "number"
                ) =>
            {
                PathType::Integer
            }
            Some(t) if t == "string" => PathType::Text,
            Some(t) => bail!(ctx(&format!(
                "path parameter `{}` has the unsupported type {t}; add a [[path_param]] override",
                p.name
            ))),
            None => bail!(ctx(&format!(
                "path parameter `{}` has no type on the page; add a [[path_param]] override with its type and reason",
                p.name
            ))),
        };
        if !is_field_name(&p.name) {
            bail!(ctx(&format!(
                "path parameter `{}` is not a snake_case Rust identifier",
                p.name
            )));
        }
        path_params.push(PathParam {
            name: p.name.clone(),
            ty,
            description: p.description.clone(),
        });
    }

    // Response fields.
    for o in ov
        .response_field
        .iter()
        .filter(|o| o.operation == type_name)
    {
        if !page.response_fields.iter().any(|f| f.name == o.name) {
            bail!(ctx(&format!(
                "the [[response_field]] override names `{}`, which the response table does not have",
                o.name
            )));
        }
    }
    let mut response = Vec::new();
    for f in &page.response_fields {
        let over = ov
            .response_field
            .iter()
            .find(|o| o.operation == type_name && o.name == f.name);
        let ty_text = over
            .and_then(|o| o.type_name.as_deref())
            .or(f.type_.as_deref());
        let ty = match ty_text.map(|t| t.to_ascii_lowercase()) {
            Some(t) if t == "string" => FieldType::String,
            Some(t) if t == "boolean" || t == "bool" => FieldType::Bool,
            Some(t) if t == "long" || t == "int64" => FieldType::I64,
            Some(t) if t == "integer" || t == "int" || t == "int32" => FieldType::I32,
            Some(t) => bail!(ctx(&format!(
                "response field `{}` has the type {t}, which the generator does not support yet; add a [[response_field]] override",
                f.name
            ))),
            None => bail!(ctx(&format!(
                "response field `{}` has no type; add a [[response_field]] override",
                f.name
            ))),
        };
        let lenient_bool = over.is_some_and(|o| o.lenient_bool);
        if lenient_bool && ty != FieldType::Bool {
            bail!(ctx(&format!(
                "`lenient_bool` is set for `{}`, which is not a Boolean",
                f.name
            )));
        }
        if let Some(o) = over
            && lenient_bool
        {
            settle(WarningKind::ExampleTypeMismatch, Some(&f.name), &o.reason);
        }
        response.push(ResponseField {
            name: f.name.clone(),
            ident: rust_ident(&f.name).ok_or_else(|| {
                anyhow!(ctx(&format!(
                    "response field `{}` is not a Rust identifier",
                    f.name
                )))
            })?,
            ty,
            lenient_bool,
            description: f.description.clone(),
        });
    }

    // Success verdict: an override, else a Boolean `is_success`.
    let flag_over: Vec<&SuccessFlagOverride> = ov
        .success_flag
        .iter()
        .filter(|o| o.operation == type_name)
        .collect();
    let success_flag = match flag_over.as_slice() {
        [] => response
            .iter()
            .find(|f| f.name == "is_success" && f.ty == FieldType::Bool)
            .map(|f| f.name.clone()),
        [o] => {
            let f = response.iter().find(|f| f.name == o.field).ok_or_else(|| {
                anyhow!(ctx(&format!(
                    "the [[success_flag]] field `{}` is not in the response table",
                    o.field
                )))
            })?;
            if f.ty != FieldType::Bool {
                bail!(ctx(&format!(
                    "the [[success_flag]] field `{}` is not a Boolean",
                    o.field
                )));
            }
            Some(f.name.clone())
        }
        _ => bail!(ctx("more than one [[success_flag]] override")),
    };

    // Success status.
    let status_over: Vec<&SuccessStatusOverride> = ov
        .success_status
        .iter()
        .filter(|o| o.operation == type_name)
        .collect();
    let success_status = match status_over.as_slice() {
        [] if page.success_status.is_empty() => bail!(ctx(
            "the page documents no 2xx status code; add a [[success_status]] override with the codes and reason"
        )),
        [] => page.success_status.clone(),
        [o] => {
            if !page.success_status.is_empty() {
                bail!(ctx(&format!(
                    "the [[success_status]] override is stale: the page itself documents {:?}",
                    page.success_status
                )));
            }
            if o.codes.is_empty() || o.codes.iter().any(|c| !(200..300).contains(c)) {
                bail!(ctx("[[success_status]] codes must be 2xx codes"));
            }
            settle(WarningKind::NoSuccessStatus, None, &o.reason);
            let mut codes = o.codes.clone();
            codes.sort_unstable();
            codes.dedup();
            codes
        }
        _ => bail!(ctx("more than one [[success_status]] override")),
    };

    // Known issues must still be issues.
    for k in ov.known_issue.iter().filter(|o| o.operation == type_name) {
        let kind = WarningKind::from_name(&k.warning).ok_or_else(|| {
            anyhow!(ctx(&format!(
                "unknown warning kind `{}` in [[known_issue]]",
                k.warning
            )))
        })?;
        if !settle(kind, None, &k.reason) {
            bail!(ctx(&format!(
                "the [[known_issue]] `{}` no longer occurs on the page; remove it",
                k.warning
            )));
        }
    }

    Ok(Operation {
        type_name,
        module,
        service: folder.to_owned(),
        service_variant: service.variant.clone(),
        page_path,
        page,
        path_params,
        response,
        success_status,
        success_flag,
        warnings,
    })
}

const GERUNDS: [(&str, &str); 24] = [
    ("Adding", "Add"),
    ("Batch", "Batch"),
    ("Canceling", "Cancel"),
    ("Cancelling", "Cancel"),
    ("Changing", "Change"),
    ("Configuring", "Configure"),
    ("Creating", "Create"),
    ("Deleting", "Delete"),
    ("Executing", "Execute"),
    ("Exporting", "Export"),
    ("Importing", "Import"),
    ("Listing", "List"),
    ("Modifying", "Modify"),
    ("Obtaining", "Get"),
    ("Querying", "Query"),
    ("Resizing", "Resize"),
    ("Restarting", "Restart"),
    ("Running", "Run"),
    ("Starting", "Start"),
    ("Stopping", "Stop"),
    ("Submitting", "Submit"),
    ("Synchronizing", "Sync"),
    ("Terminating", "Terminate"),
    ("Updating", "Update"),
];

/// The default type name for a page title: the verb of "Deleting a Training Job" and the
/// words after it, articles dropped: `DeleteTrainingJob`. `None` when the title does not
/// start with a known verb.
pub fn type_name_from_title(title: &str) -> Option<String> {
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let verb = GERUNDS.iter().find(|(g, _)| *g == first)?.1;
    let mut out = verb.to_owned();
    for w in words {
        if matches!(w.to_ascii_lowercase().as_str(), "a" | "an" | "the") {
            continue;
        }
        for part in w.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut cs = part.chars();
            if let Some(c) = cs.next() {
                out.push(c.to_ascii_uppercase());
                out.push_str(cs.as_str());
            }
        }
    }
    Some(out)
}

/// `DeleteFlinkJob` → `delete_flink_job`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let cs: Vec<char> = name.chars().collect();
    for (i, c) in cs.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (cs[i - 1].is_ascii_lowercase() || cs[i - 1].is_ascii_digit());
            let next_lower = cs.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if i > 0 && (prev_lower || (next_lower && cs[i - 1].is_ascii_uppercase())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

fn is_type_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_field_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

const KEYWORDS: [&str; 39] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "try", "type", "unsafe", "use", "where",
    "while", "abstract", "box", "yield",
];

/// The Rust field name for a JSON name: itself when snake_case, `r#name` for keywords.
pub fn rust_ident(name: &str) -> Option<String> {
    if !is_field_name(name) {
        return None;
    }
    if KEYWORDS.contains(&name) {
        return Some(format!("r#{name}"));
    }
    Some(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_from_titles() {
        assert_eq!(
            type_name_from_title("Deleting a Training Job").as_deref(),
            Some("DeleteTrainingJob")
        );
        assert_eq!(
            type_name_from_title("Deleting a Version of a Training Job").as_deref(),
            Some("DeleteVersionOfTrainingJob")
        );
        assert_eq!(
            type_name_from_title("Deleting a Job").as_deref(),
            Some("DeleteJob")
        );
        assert_eq!(type_name_from_title("Job Details"), None);
    }

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("DeleteFlinkJob"), "delete_flink_job");
        assert_eq!(
            snake_case("DeleteTrainingJobVersion"),
            "delete_training_job_version"
        );
        assert_eq!(snake_case("GetHTTPStatus"), "get_http_status");
    }

    #[test]
    fn identifiers() {
        assert_eq!(rust_ident("is_success").as_deref(), Some("is_success"));
        assert_eq!(rust_ident("type").as_deref(), Some("r#type"));
        assert_eq!(rust_ident("@modelarts:color"), None);
        assert_eq!(rust_ident("Id"), None);
    }
}
