//! The `specs/` folder: which pages become operations (`specs/operations.toml`) and every
//! correction or decision about a page (`specs/overrides.toml`, each with its reason),
//! resolved against the pages into what the code generator needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;

pub use crate::names::{is_field_name, is_type_name, rust_ident, snake_case};
use crate::page::{self, FieldTable, Page, Warning, WarningKind};
use crate::types::{self, Builder, Fallback, FieldAdjust};
pub use crate::types::{FieldType, Lenient, StructDef, StructField};

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
    /// How a list operation pages (the pages do not structure it).
    pub paging: Option<PagingEntry>,
    /// For a detail operation a deletion polls: where its answer has the job's status.
    pub probe: Option<ProbeEntry>,
    /// For a deletion: the detail operation telling whether the job is gone.
    pub deletion: Option<DeletionEntry>,
    /// For a cancellation (a run that cannot be deleted, only stopped): the detail
    /// operation telling when the run is over.
    pub cancellation: Option<CancellationEntry>,
    /// An operation that only reads although its method is not idempotent (a `POST`
    /// search): `read_only = { reason = "..." }` generates `const READ_ONLY: bool = true`.
    pub read_only: Option<ReadOnlyEntry>,
}

/// `read_only = { reason = "..." }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOnlyEntry {
    /// Why the operation changes nothing.
    pub reason: String,
}

/// `paging = { ... }`: implements `otc_jobs_core::Paginated`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagingEntry {
    /// `page_number`, `offset_limit` or `marker`.
    pub style: String,
    /// The query parameter of the page number, offset or marker.
    pub cursor: String,
    /// The query parameter of the page size.
    pub size: String,
    /// The first page number (`page_number` only; default 1).
    pub first_page: Option<u32>,
    /// The largest page size the API accepts.
    pub max_page_size: u32,
    /// The path of the items array in the answer (`job_list.jobs`).
    pub items: String,
    /// The path of the total count (`page_number`, `offset_limit`).
    pub total: Option<String>,
    /// The path of the next marker (`marker`).
    pub next_marker: Option<String>,
    /// The most pages one walk can reach (the API refuses a page number past it).
    pub max_pages: Option<u32>,
    /// How a list longer than `max_pages` pages is walked: by windows of time.
    pub window: Option<WindowEntry>,
    /// Why these values (page size limits are rarely on the page).
    pub reason: String,
}

/// `window = { start, end, time, key, order, newest_first, default_order }`: implements
/// `otc_jobs_core::Windowed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowEntry {
    /// The query parameter of the window's start (ms).
    pub start: String,
    /// The query parameter of the window's end (ms).
    pub end: String,
    /// The item field the windows are cut on (ms).
    pub time: String,
    /// The item field that identifies an item.
    pub key: String,
    /// The query parameter of the order.
    pub order: String,
    /// The order values that list the newest first.
    pub newest_first: Vec<String>,
    /// The order the service uses when none is asked for.
    pub default_order: String,
}

/// `probe = { ... }`: implements `otc_jobs_core::DeletionProbe`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeEntry {
    /// The path of the status in the answer; `versions[].status` reads every element.
    /// None when the answer has no status (the job is there or not).
    pub status: Option<String>,
    /// The statuses that mean the deletion failed.
    #[serde(default)]
    pub failed: Vec<String>,
    /// The path of the job's name in the answer (`job_detail.name`), where it has one:
    /// generates `DeletionProbe::job_name` (a tool names a job given by id from it).
    pub name: Option<String>,
    /// Where the statuses are documented.
    pub reason: String,
}

/// `deletion = { ... }`: implements `otc_jobs_core::Deletion`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletionEntry {
    /// The type name of the detail operation to poll (it has a `probe`); absent when the
    /// service has no detail operation (then no `impl Deletion`: the kind table confirms
    /// a synchronous deletion by the list).
    pub probe: Option<String>,
    /// Whether the service deletes after answering.
    pub asynchronous: bool,
    /// The request body array that takes the ids (a deletion of many, `job_id_list`): then
    /// no `impl Deletion` (the probe takes one id); the kind table sends one id and polls
    /// the probe with it.
    pub ids: Option<String>,
    /// Why.
    pub reason: String,
}

/// `cancellation = { probe, reason }`: the operation cancels a run (DLI's SQL and Spark
/// jobs); the kind table polls `probe` until the run's status is not one of the kind's
/// `unfinished` statuses. No `impl Deletion`: the run stays listed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancellationEntry {
    /// The type name of the detail operation to poll (it has a `probe`).
    pub probe: String,
    /// Why.
    pub reason: String,
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
    /// What a page's nonstandard type spelling (`Int`, `Bool`) means.
    #[serde(default)]
    pub type_spelling: Vec<TypeSpelling>,
    /// Types of query parameters the page leaves untyped.
    #[serde(default)]
    pub query_param: Vec<ParamOverride>,
    /// Answers whose documented fields stand inside one object member.
    #[serde(default)]
    pub response_wrapper: Vec<ResponseWrapper>,
    /// Table captions (type names) the page misspells.
    #[serde(default)]
    pub table_name: Vec<TableName>,
    /// Types of request body fields the page leaves too vague (`Array`).
    #[serde(default)]
    pub request_field: Vec<RequestFieldOverride>,
    /// Set by `cargo xtask scratch` only, never read from the file: every String and
    /// Boolean field is read leniently and every Integer as `i64`, the decisions a reviewer
    /// records field by field for an operation that is generated for real.
    #[serde(skip)]
    pub scratch_defaults: bool,
}

/// `[[response_wrapper]]`: the response table documents the members of the object in
/// `field` (the page's example has `{"field": {...}}`), not the body itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseWrapper {
    /// Operation type name.
    pub operation: String,
    /// The member holding the documented fields.
    pub field: String,
    /// Why.
    pub reason: String,
}

/// `[[request_field]]`: the type of a request body field (a path from the body's root).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFieldOverride {
    /// Operation type name.
    pub operation: String,
    /// Field name.
    pub name: String,
    /// A type replacing the page's.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Why.
    pub reason: String,
}

/// `[[table_name]]`: a nested table (a type) the page names `caption` (its caption, anchor
/// and links agree, so it resolves) is `means`; the generated struct's doc says `means`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableName {
    /// Operation type name.
    pub operation: String,
    /// The caption as on the page (`SpecResponce`).
    pub caption: String,
    /// What it means (`SpecResponse`).
    pub means: String,
    /// Why.
    pub reason: String,
}

/// `[[type_spelling]]`: a page writes `spelling` for the type `means`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpelling {
    /// Operation type name.
    pub operation: String,
    /// As written on the page (`Int`).
    pub spelling: String,
    /// What it means (`Integer`).
    pub means: String,
    /// Why.
    pub reason: String,
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
    /// Accept a string or a number for a String (ids sent either way).
    #[serde(default)]
    pub lenient_string: bool,
    /// The JSON name the service really uses (the page spells it otherwise).
    pub rename: Option<String>,
    /// Read as optional although the page marks it mandatory (an answer without it still
    /// parses).
    #[serde(default)]
    pub optional: bool,
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
    /// The page does not document the field (its answers carry it all the same): add it
    /// as an optional Boolean.
    #[serde(default)]
    pub undocumented: bool,
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

/// A response field as generated (a field of the top-level struct).
pub type ResponseField = StructField;

/// A query parameter as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParam {
    /// The name sent.
    pub name: String,
    /// Rust field and setter name.
    pub ident: String,
    /// Scalar type, or `Vec` of a scalar (repeated key).
    pub ty: FieldType,
    /// Mandatory: an argument of `new()`, not an `Option`.
    pub required: bool,
    /// Doc (Markdown), with the range and default the page gives.
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
    /// Response fields (top level; empty when the answer is an array).
    pub response: Vec<ResponseField>,
    /// The element type when the answer is a top-level JSON array.
    pub response_item: Option<FieldType>,
    /// The named structs of the answer and the request body.
    pub structs: Vec<StructDef>,
    /// Query parameters, in table order.
    pub query: Vec<QueryParam>,
    /// Request body fields (top level).
    pub body: Vec<StructField>,
    /// Documented fields that became `serde_json::Value`.
    pub fallbacks: Vec<Fallback>,
    /// Paging, for list operations.
    pub paging: Option<PagingEntry>,
    /// Status probing, for detail operations deletions poll.
    pub probe: Option<ProbeEntry>,
    /// The poll of a deletion.
    pub deletion: Option<DeletionEntry>,
    /// The poll of a cancellation.
    pub cancellation: Option<CancellationEntry>,
    /// It only reads although its method is not idempotent.
    pub read_only: bool,
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
        .chain(
            overrides
                .type_spelling
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .query_param
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .response_wrapper
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .table_name
                .iter()
                .map(|o| (o.operation.as_str(), o.reason.as_str())),
        )
        .chain(
            overrides
                .request_field
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

    // Response: the top-level table and the nested ones, as types.
    let reserved = vec![type_name.clone(), format!("{type_name}Response")];
    let field_over = |path: &str| {
        ov.response_field
            .iter()
            .find(|o| o.operation == type_name && o.name == path)
    };
    let adjust = |path: &str| match field_over(path) {
        Some(o) => FieldAdjust {
            type_text: o.type_name.clone(),
            lenient: if o.lenient_bool {
                Some(Lenient::Bool)
            } else if o.lenient_string {
                Some(Lenient::String)
            } else {
                None
            },
            rename: o.rename.clone(),
            optional: o.optional,
            scratch: ov.scratch_defaults,
        },
        None => FieldAdjust {
            scratch: ov.scratch_defaults,
            ..FieldAdjust::default()
        },
    };
    // A top-level table of one pseudo-row (`Array elements`, type array) documents an
    // answer that is a JSON array: its elements are `[]`.
    let mut response_tables: Vec<FieldTable> = page.response_tables.clone();
    let mut top_array = false;
    if let Some(first) = response_tables.first_mut()
        && let [only] = first.fields.as_mut_slice()
        && only.name.contains(' ')
        && matches!(
            types::classify(only.type_.as_deref().unwrap_or("")),
            types::Shape::Array(_)
        )
    {
        only.name = "[]".to_owned();
        top_array = true;
    }
    let wrappers: Vec<&ResponseWrapper> = ov
        .response_wrapper
        .iter()
        .filter(|o| o.operation == type_name)
        .collect();
    match wrappers.as_slice() {
        [] => {}
        [w] => {
            let Some(first) = response_tables.first_mut() else {
                bail!(ctx(
                    "the [[response_wrapper]] names a page without a response table"
                ));
            };
            let example_has_it = page.examples.iter().any(|e| {
                !e.request
                    && matches!(&e.json, Some(serde_json::Value::Object(m)) if m.contains_key(&w.field))
            });
            if !example_has_it || first.fields.iter().any(|f| f.name == w.field) {
                bail!(ctx(&format!(
                    "the [[response_wrapper]] `{}` is stale: no example response wraps its fields in it, or the table documents it",
                    w.field
                )));
            }
            let label = format!("{type_name}.wrapper");
            first.label = Some(label.clone());
            let line = first.line;
            response_tables.insert(
                0,
                FieldTable {
                    line,
                    caption: Some(format!("{} parameters", w.field)),
                    label: None,
                    fields: vec![page::Field {
                        name: w.field.clone(),
                        type_: Some("Object".to_owned()),
                        description: w.reason.clone(),
                        line,
                        mandatory: false,
                        refs: vec![label],
                    }],
                },
            );
        }
        _ => bail!(ctx("more than one [[response_wrapper]]")),
    }
    let mut builder = Builder::new(&response_tables, &type_name, &reserved, &adjust);
    let mut response = builder.top();
    let mut response_item = None;
    if top_array {
        response_item = response.pop().map(|f| match f.ty {
            FieldType::Vec(t) => *t,
            other => other,
        });
    }
    let mut paths = std::mem::take(&mut builder.paths);
    let mut spellings = std::mem::take(&mut builder.spellings);
    let mut structs = std::mem::take(&mut builder.structs);
    let mut fallbacks = std::mem::take(&mut builder.fallbacks);
    drop(builder);

    // Request body: the same, from the request tables.
    let mut body = Vec::new();
    if !page.request_tables.is_empty() {
        let mut used: Vec<String> = reserved.clone();
        used.extend(structs.iter().map(|s| s.name.clone()));
        let request_adjust = |path: &str| FieldAdjust {
            type_text: ov
                .request_field
                .iter()
                .find(|o| o.operation == type_name && o.name == path)
                .map(|o| o.type_name.clone()),
            ..FieldAdjust::default()
        };
        let mut b = Builder::new(&page.request_tables, &type_name, &used, &request_adjust);
        body = b.top();
        for o in ov.request_field.iter().filter(|o| o.operation == type_name) {
            if !b.paths.iter().any(|p| p == &o.name) {
                bail!(ctx(&format!(
                    "the [[request_field]] override names `{}`, which the request tables do not have",
                    o.name
                )));
            }
        }
        for st in &mut b.structs {
            st.serialize = true;
        }
        structs.append(&mut b.structs);
        fallbacks.append(&mut b.fallbacks);
        spellings.append(&mut b.spellings);
        paths.append(&mut b.paths);
    }

    for o in ov
        .response_field
        .iter()
        .filter(|o| o.operation == type_name)
    {
        if !paths.iter().any(|p| p == &o.name) {
            bail!(ctx(&format!(
                "the [[response_field]] override names `{}`, which the response tables do not have",
                o.name
            )));
        }
        if o.lenient_bool && o.lenient_string {
            bail!(ctx(&format!(
                "`{}`: choose lenient_bool or lenient_string",
                o.name
            )));
        }
        if o.lenient_bool || o.lenient_string {
            settle(WarningKind::ExampleTypeMismatch, Some(&o.name), &o.reason);
        }
    }
    // Lenient readers only where they fit.
    let mut all_fields: Vec<&StructField> = response.iter().collect();
    all_fields.extend(structs.iter().flat_map(|s| s.fields.iter()));
    for f in all_fields {
        match f.lenient {
            Lenient::Bool if f.ty != FieldType::Bool => bail!(ctx(&format!(
                "`lenient_bool` is set for `{}`, which is not a Boolean",
                f.path
            ))),
            Lenient::String if f.ty != FieldType::String => bail!(ctx(&format!(
                "`lenient_string` is set for `{}`, which is not a String",
                f.path
            ))),
            _ => {}
        }
    }

    // Nonstandard spellings must be declared, and declarations must still be needed.
    let declared: Vec<&TypeSpelling> = ov
        .type_spelling
        .iter()
        .filter(|o| o.operation == type_name)
        .collect();
    for (spelling, line) in &spellings {
        if !declared.iter().any(|d| &d.spelling == spelling) {
            bail!(ctx(&format!(
                "line {line}: the type `{spelling}` is not a usual spelling; add a [[type_spelling]] entry saying what it means"
            )));
        }
    }
    for d in &declared {
        if !spellings.iter().any(|(s, _)| s == &d.spelling) {
            bail!(ctx(&format!(
                "the [[type_spelling]] `{}` no longer occurs on the page; remove it",
                d.spelling
            )));
        }
        let means = types::classify(&d.means);
        let spelled = types::classify(&d.spelling);
        if means != spelled {
            bail!(ctx(&format!(
                "the [[type_spelling]] `{}` means {}, but the generator reads it as another type",
                d.spelling, d.means
            )));
        }
    }

    // Query parameters.
    for o in ov.query_param.iter().filter(|o| o.operation == type_name) {
        if !page.query_params.iter().any(|p| p.name == o.name) {
            bail!(ctx(&format!(
                "the [[query_param]] override names `{}`, which the page does not have",
                o.name
            )));
        }
    }
    let mut query = Vec::new();
    for p in &page.query_params {
        if p.name == "project_id" {
            continue;
        }
        let over = ov
            .query_param
            .iter()
            .find(|o| o.operation == type_name && o.name == p.name);
        if over.is_some() && p.type_.is_some() {
            bail!(ctx(&format!(
                "the [[query_param]] override for `{}` is stale: the page types it",
                p.name
            )));
        }
        let text = over.map(|o| o.type_name.as_str()).or(p.type_.as_deref());
        let Some(text) = text else {
            bail!(ctx(&format!(
                "query parameter `{}` has no type on the page; add a [[query_param]] override with its type and reason",
                p.name
            )));
        };
        let ty = match types::classify(text) {
            types::Shape::Scalar(t) => t,
            types::Shape::Array(e) => match *e {
                types::Shape::Scalar(t) => FieldType::Vec(Box::new(t)),
                _ => FieldType::String,
            },
            _ => bail!(ctx(&format!(
                "query parameter `{}` has the type {text}, which is not a scalar",
                p.name
            ))),
        };
        query.push(QueryParam {
            name: p.name.clone(),
            ident: types::ident_for(&p.name),
            ty,
            required: p.required,
            description: p.description.clone(),
        });
    }

    // One Rust field per name: a query or body parameter that repeats a path parameter
    // (or a body field a query parameter) is the same value, set once.
    query.retain(|q| !path_params.iter().any(|p| p.name == q.ident));
    body.retain(|f| {
        !path_params.iter().any(|p| p.name == f.ident) && !query.iter().any(|q| q.ident == f.ident)
    });

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
        [o] if o.undocumented => {
            if response.iter().any(|f| f.name == o.field) {
                bail!(ctx(&format!(
                    "the [[success_flag]] `{}` is marked undocumented, but the response table documents it",
                    o.field
                )));
            }
            response.insert(
                0,
                StructField {
                    name: o.field.clone(),
                    ident: types::ident_for(&o.field),
                    ty: FieldType::Bool,
                    required: false,
                    lenient: Lenient::Bool,
                    description: format!(
                        "The body's verdict (not in the page's table: {})",
                        o.reason
                    ),
                    path: o.field.clone(),
                },
            );
            Some(o.field.clone())
        }
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

    // Misspelt table names: the structs say what they mean; each entry must still apply.
    for t in ov.table_name.iter().filter(|o| o.operation == type_name) {
        let mut hit = false;
        for st in structs.iter_mut().filter(|s| s.caption == t.caption) {
            st.caption = format!("{} (the page writes {})", t.means, t.caption);
            hit = true;
        }
        if !hit {
            bail!(ctx(&format!(
                "the [[table_name]] `{}` names no table of the answer or request; remove it",
                t.caption
            )));
        }
    }
    if let Some(r) = &entry.read_only {
        if matches!(
            page.method.as_str(),
            "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE"
        ) {
            bail!(ctx(&format!(
                "`read_only` is for methods that are not idempotent; {} already is",
                page.method
            )));
        }
        if r.reason.trim().is_empty() {
            bail!(ctx("`read_only` needs its reason"));
        }
    }

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
        response_item,
        structs,
        query,
        body,
        fallbacks,
        read_only: entry.read_only.is_some(),
        paging: entry.paging.clone(),
        probe: entry.probe.clone(),
        deletion: entry.deletion.clone(),
        cancellation: entry.cancellation.clone(),
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
        // Not a raw identifier: renamed.
        assert_eq!(rust_ident("self").as_deref(), Some("self_"));
        assert_eq!(rust_ident("@modelarts:color"), None);
        assert_eq!(rust_ident("Id"), None);
    }
}
