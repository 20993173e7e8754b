//! `specs/kinds.toml`: the job kinds the tool handles, one declaration each, resolved
//! against the operations ([`crate::specs`]) into what the kind table and the clients'
//! dispatch are generated from ([`crate::emit_kinds`]). Every field named must exist in the
//! operation's answer or request, every documented value on its page: a declaration that
//! no longer fits its pages is an error.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;

use crate::rst::{self, Block};
use crate::specs::{FieldType, Lenient, Operation, PathType, Specs, StructField};

/// `specs/kinds.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindsFile {
    /// The kinds, in the order of the file (the order of `Kind::ALL`).
    #[serde(rename = "kind")]
    pub kinds: Vec<KindEntry>,
}

/// One `[[kind]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindEntry {
    /// The CLI name (`training-job-v1`).
    pub name: String,
    /// One line on what it is.
    pub doc: String,
    /// The list operation's type name.
    pub list: String,
    /// The delete operation's type name (it declares its probe in operations.toml).
    pub delete: Option<String>,
    /// Instead of `delete`, for runs that cannot be deleted: the cancel operation's type
    /// name (it declares its `cancellation` in operations.toml). The kind's action is then
    /// "cancel".
    pub cancel: Option<String>,
    /// With `cancel`: the statuses of a run that is not over (the only ones `clean`
    /// selects, and what a wait waits to leave), as the list's status field documents them.
    #[serde(default)]
    pub unfinished: Vec<String>,
    /// The kind whose jobs contain these, and the list's path parameter taking its id.
    pub parent: Option<ParentEntry>,
    /// The id: its field in the listed item and its shape.
    pub id: IdEntry,
    /// Where the listed item has the row's fields.
    #[serde(default)]
    pub row: RowEntry,
    /// A page whose table names the statuses (`10` → `JOBSTAT_COMPLETED`).
    pub status_names: Option<StatusNamesEntry>,
    /// The server filters.
    #[serde(default)]
    pub filters: Vec<FilterEntry>,
    /// The batch deletion, where the service has one.
    pub batch_delete: Option<BatchEntry>,
    /// What a job in some statuses is sent before it is deleted (kill a running job).
    pub before_delete: Option<BeforeDeleteEntry>,
}

/// `parent = { kind = "training-job-v1", param = "job_id" }`, or a parent that is only
/// listed: `parent = { list = "ListClusters", id = "clusterId", param = "cluster_id" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentEntry {
    /// The parent kind's name.
    pub kind: Option<String>,
    /// The parent's list operation (a parent that is not a kind).
    pub list: Option<String>,
    /// The id's path in the items of `list`.
    pub id: Option<String>,
    /// The list operation's path parameter that takes the parent's id.
    pub param: String,
}

/// `before_delete = { operation = "KillJobExecutionV2", when = { status = [...] }, busy = "0183" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeforeDeleteEntry {
    /// The operation's type name; its `new()` takes the id's parts.
    pub operation: String,
    /// When it is sent.
    pub when: WhenEntry,
    /// The service's error code refusing the deletion of a job that still runs.
    pub busy: String,
}

/// `when = { status = [...] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenEntry {
    /// The statuses (as the detail operation's probe reads them).
    pub status: Vec<String>,
}

/// `id = { field = "job_id", shape = "number" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdEntry {
    /// The id's path in the listed item (for a child kind: the child's part).
    pub field: String,
    /// `number`, `text`, `number/number`, ... (checked against the delete's path).
    pub shape: String,
}

/// `row = { name = "job_name", status = "status", created = "create_time", created_unit = "ms" }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowEntry {
    /// The name's path.
    pub name: Option<String>,
    /// The status's path.
    pub status: Option<String>,
    /// The creation time's path.
    pub created: Option<String>,
    /// `ms`, `s` or `rfc3339`.
    pub created_unit: Option<String>,
    /// Further fields: row name → path.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// `status_names = { page = "...", strip = "JOBSTAT_" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusNamesEntry {
    /// The page, relative to `specs/`.
    pub page: String,
    /// A prefix the names carry (dropped; the rest lower-cased).
    #[serde(default)]
    pub strip: String,
}

/// One `filters` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterEntry {
    /// The flag without dashes (`queue-name`).
    pub flag: String,
    /// The query parameter or body field (its name on the page).
    pub param: Option<String>,
    /// A body filter: an element `{key, operator, value: [v]}` of the body array `field`.
    pub body_filter: Option<BodyFilterEntry>,
    /// `"page"`: the values the parameter's description lists; or the values, each of
    /// which must appear on the page.
    pub values: Option<Values>,
    /// Several values joined by this character.
    pub separator: Option<char>,
    /// The value the flag sends for each of its values (`asc` → `created_at`).
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    /// Other parameters sent with it (`sortBy = "create_time"` with `order`).
    #[serde(default)]
    pub with: BTreeMap<String, String>,
    /// The flag names one parent (a listed parent's id) instead of walking them all.
    #[serde(default)]
    pub parent: bool,
}

/// `values = "page"` or `values = ["asc", "desc"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Values {
    /// `"page"`.
    Page(String),
    /// Listed.
    List(Vec<String>),
}

/// `body_filter = { field = "filters", key = "phase", operator = "in" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFilterEntry {
    /// The body array.
    pub field: String,
    /// The element's `key`.
    pub key: String,
    /// The element's `operator`.
    pub operator: String,
}

/// `batch_delete = { operation = "BatchDeleteFlinkJobs", ids = "job_ids", success = "is_success", message = "message" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchEntry {
    /// The operation's type name.
    pub operation: String,
    /// Its mandatory argument holding the ids.
    pub ids: String,
    /// The answer item's success field.
    pub success: String,
    /// The answer item's message field.
    pub message: String,
}

/// One part of an id, as generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `i64`.
    Number,
    /// `PathId`.
    Text,
}

impl Part {
    /// `IdPart::Number` / `IdPart::Text`.
    pub fn rust(self) -> &'static str {
        match self {
            Part::Number => "crate::kinds::IdPart::Number",
            Part::Text => "crate::kinds::IdPart::Text",
        }
    }

    /// The Rust type of the part.
    pub fn ty(self) -> &'static str {
        match self {
            Part::Number => "i64",
            Part::Text => "crate::PathId",
        }
    }

    fn of(ty: PathType) -> Part {
        match ty {
            PathType::Integer => Part::Number,
            PathType::Text => Part::Text,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Part::Number => "number",
            Part::Text => "text",
        }
    }
}

/// A path into the listed item, resolved to Rust field accesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// As declared (`metadata.id`).
    pub text: String,
    /// Each struct field on the way: (Rust identifier, optional).
    pub steps: Vec<(String, bool)>,
    /// Keys inside a JSON value the last step holds (`configs.name` in a `Value`).
    pub json_keys: Vec<String>,
    /// The type at the end (`Value` when `json_keys` is not empty).
    pub leaf: FieldType,
    /// The last field's description on the page.
    pub description: String,
}

/// How a filter's value reaches the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setter {
    /// `request.<ident> = Some(value)` (a query parameter or body field of type `ty`).
    Field {
        /// Rust identifier.
        ident: String,
        /// Its type.
        ty: FieldType,
    },
    /// Names the parent to walk (the list's path parameter), instead of every parent.
    Parent,
    /// `request.<field>` gets `{key, operator, value: [value]}` pushed.
    BodyFilter {
        /// The body array's identifier.
        field: String,
        /// The element struct's type name.
        element: String,
        /// `key`.
        key: String,
        /// `operator`.
        operator: String,
    },
}

/// A filter, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterModel {
    /// The flag.
    pub flag: String,
    /// Where it goes, as `Filter::target` says it.
    pub target: String,
    /// The documented values.
    pub values: Vec<String>,
    /// Several values joined by this.
    pub separator: Option<char>,
    /// The first sentence of the parameter's description.
    pub doc: String,
    /// How it is set.
    pub setter: Setter,
    /// Value → what is sent.
    pub map: BTreeMap<String, String>,
    /// Other fields set with it: (identifier, type, value).
    pub with: Vec<(String, FieldType, String)>,
}

/// A batch deletion, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchModel {
    /// The operation's type name.
    pub operation: String,
    /// Its service module.
    pub service: String,
    /// The id part the operation takes.
    pub part: Part,
    /// The element type of the ids argument.
    pub id_type: FieldType,
    /// The answer item's success field: (identifier, optional).
    pub success: (String, bool),
    /// The answer item's message field: (identifier, optional).
    pub message: (String, bool),
}

/// A parent that is only listed (an MRS cluster), resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentListModel {
    /// The list operation's type name.
    pub list: String,
    /// Its service module.
    pub service: String,
    /// The id field in its items.
    pub id_field: FieldPath,
    /// The child list's path parameter that takes it.
    pub param: String,
}

/// What is sent before a deletion, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeforeDeleteModel {
    /// The operation's type name.
    pub operation: String,
    /// Its service module.
    pub service: String,
    /// The statuses that call for it.
    pub statuses: Vec<String>,
    /// The error code of a deletion refused while the job runs.
    pub busy: String,
}

/// One kind, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindModel {
    /// CLI name.
    pub name: String,
    /// Enum variant (`TrainingJobV1`).
    pub variant: String,
    /// snake_case (`training_job_v1`).
    pub snake: String,
    /// Doc line.
    pub doc: String,
    /// Service folder (`modelarts`).
    pub service: String,
    /// `Service` variant.
    pub service_variant: String,
    /// API version (`v1`).
    pub api_version: String,
    /// List operation type name.
    pub list: String,
    /// The type of one listed item (`ListFlinkJobsJob`).
    pub item_type: String,
    /// Whether the list takes options (then `new()` has no arguments but the parent's).
    pub list_new_args: Vec<String>,
    /// Detail operation type name; `None`: confirmed by the list.
    pub detail: Option<String>,
    /// Delete operation type name.
    pub delete: String,
    /// Asynchronous deletion.
    pub asynchronous: bool,
    /// The id's parts, with the delete operation's parameter names, in path order.
    pub id_parts: Vec<(String, Part)>,
    /// The parent kind's name.
    pub parent: Option<String>,
    /// The id field in the item.
    pub id_field: FieldPath,
    /// Name field.
    pub name_field: Option<FieldPath>,
    /// Status field.
    pub status_field: Option<FieldPath>,
    /// Created field.
    pub created_field: Option<FieldPath>,
    /// `Millis`, `Seconds` or `Rfc3339`.
    pub created_unit: &'static str,
    /// Extra fields.
    pub extra: Vec<(String, FieldPath)>,
    /// The filters (a child kind: its parent's).
    pub filters: Vec<FilterModel>,
    /// Documented statuses with names.
    pub statuses: Vec<(String, String)>,
    /// The batch deletion.
    pub batch: Option<BatchModel>,
    /// A parent that is only listed.
    pub parent_list: Option<ParentListModel>,
    /// The delete operation takes the last id part in this body array (identifier,
    /// element type): a deletion of many, sent one id at a time.
    pub delete_ids: Option<(String, FieldType)>,
    /// What a job in some statuses is sent before its deletion.
    pub before_delete: Option<BeforeDeleteModel>,
    /// The kind's runs are cancelled (`delete` is the cancel operation), not deleted.
    pub cancel: bool,
    /// With `cancel`: the statuses of a run that is not over.
    pub unfinished: Vec<String>,
    /// The list is walked by windows of time (its paging declares `window`).
    pub windowed: bool,
}

impl KindModel {
    /// The id shape as `IdShape` source.
    pub fn shape_rust(&self) -> String {
        match self.id_parts.as_slice() {
            [(_, p)] => format!("crate::kinds::IdShape::One({})", p.rust()),
            [(_, a), (_, b)] => format!("crate::kinds::IdShape::Pair({}, {})", a.rust(), b.rust()),
            _ => "crate::kinds::IdShape::One(crate::kinds::IdPart::Text)".to_owned(),
        }
    }
}

/// Reads `specs/kinds.toml` (absent: no kinds) and resolves it against `specs`.
pub fn load(specs_dir: &Path, specs: &Specs) -> Result<Vec<KindModel>> {
    let path = specs_dir.join("kinds.toml");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let file: KindsFile = toml::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    resolve(specs_dir, specs, &file)
}

/// Resolves every kind; errors name the kind and what does not fit.
pub fn resolve(specs_dir: &Path, specs: &Specs, file: &KindsFile) -> Result<Vec<KindModel>> {
    let mut out: Vec<KindModel> = Vec::new();
    for entry in &file.kinds {
        let model = resolve_one(specs_dir, specs, entry, &out)
            .with_context(|| format!("specs/kinds.toml: kind {}", entry.name))?;
        if out
            .iter()
            .any(|k| k.name == model.name || k.variant == model.variant)
        {
            bail!("specs/kinds.toml: two kinds are named {}", model.name);
        }
        out.push(model);
    }
    Ok(out)
}

fn operation<'a>(specs: &'a Specs, name: &str) -> Result<&'a Operation> {
    specs
        .operations
        .iter()
        .find(|o| o.type_name == name)
        .ok_or_else(|| anyhow!("no operation named {name} in specs/operations.toml"))
}

fn is_kind_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// `training-job-v1` → `TrainingJobV1`.
fn variant_of(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `/v1.0/{project_id}/...` → `v1.0`.
fn api_version(template: &str) -> String {
    template
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

fn resolve_one(
    specs_dir: &Path,
    specs: &Specs,
    e: &KindEntry,
    earlier: &[KindModel],
) -> Result<KindModel> {
    if !is_kind_name(&e.name) {
        bail!("the name must be lower-case words joined by `-`");
    }
    let list = operation(specs, &e.list)?;
    let (delete_name, cancel) = match (&e.delete, &e.cancel) {
        (Some(d), None) => (d.clone(), false),
        (None, Some(c)) => (c.clone(), true),
        _ => bail!("declare one of `delete` and `cancel`"),
    };
    let delete = operation(specs, &delete_name)?;
    // A cancellation is waited for like an asynchronous deletion polled with its probe
    // (until the run is over, not gone).
    let cancelled;
    let deletion = match (cancel, &delete.deletion, &delete.cancellation) {
        (false, Some(d), _) => d,
        (true, _, Some(c)) => {
            cancelled = crate::specs::DeletionEntry {
                probe: Some(c.probe.clone()),
                asynchronous: true,
                ids: None,
                reason: c.reason.clone(),
            };
            &cancelled
        }
        (false, None, _) => bail!("{delete_name} declares no `deletion` in specs/operations.toml"),
        (true, _, None) => {
            bail!("{delete_name} declares no `cancellation` in specs/operations.toml")
        }
    };
    if cancel == e.unfinished.is_empty() {
        bail!("a kind with `cancel` declares its `unfinished` statuses (and only such a kind)");
    }
    if cancel && (e.before_delete.is_some() || e.batch_delete.is_some()) {
        bail!("a kind with `cancel` has no `before_delete` or `batch_delete`");
    }
    // Without a detail operation (DLI's templates), a synchronous deletion is confirmed by
    // the list.
    let detail = match &deletion.probe {
        Some(p) => Some(operation(specs, p)?.type_name.clone()),
        None if deletion.asynchronous => {
            bail!(
                "{} is asynchronous but declares no probe to wait with",
                delete_name
            )
        }
        None => None,
    };
    let Some(paging) = &list.paging else {
        bail!("{} declares no `paging` in specs/operations.toml", e.list);
    };
    if list.service != delete.service {
        bail!(
            "{} is a {} operation but {} a {} one",
            e.list,
            list.service,
            delete_name,
            delete.service
        );
    }
    let version = api_version(&list.page.path_template);
    if api_version(&delete.page.path_template) != version {
        bail!("{} and {} have different API versions", e.list, delete_name);
    }
    let item = list_item(list, &paging.items)?;
    let owner = match &item {
        FieldType::Named(n) => n.clone(),
        other => bail!("the items of {} are {}, not objects", e.list, other.rust()),
    };

    // Id: the delete operation's path parameters, checked against the declared shape; a
    // deletion of many takes the last part in a body array: then the probe's parameters.
    let mut id_parts: Vec<(String, Part)> = delete
        .path_params
        .iter()
        .map(|p| (p.name.clone(), Part::of(p.ty)))
        .collect();
    let delete_ids = match &deletion.ids {
        None => None,
        Some(ids) => {
            let probe = operation(specs, detail.as_deref().unwrap_or_default())?;
            let field = delete
                .body
                .iter()
                .find(|f| &f.name == ids && f.required)
                .ok_or_else(|| anyhow!("{} has no mandatory body field {ids}", delete_name))?;
            let elem = match &field.ty {
                FieldType::Vec(t) if matches!(**t, FieldType::I64 | FieldType::String) => {
                    (**t).clone()
                }
                other => bail!("{ids} is a {}, not a list of ids", other.rust()),
            };
            let probe_parts: Vec<(String, Part)> = probe
                .path_params
                .iter()
                .map(|p| (p.name.clone(), Part::of(p.ty)))
                .collect();
            let last = probe_parts.last().map(|(_, p)| *p);
            if probe_parts.len() != id_parts.len() + 1
                || probe_parts[..id_parts.len()] != id_parts[..]
                || last
                    != Some(if elem == FieldType::I64 {
                        Part::Number
                    } else {
                        Part::Text
                    })
            {
                bail!(
                    "{} takes {}'s path parameters and one id of {ids}; it does not",
                    probe.type_name,
                    delete_name
                );
            }
            id_parts = probe_parts;
            Some((field.ident.clone(), elem))
        }
    };
    let shape: Vec<&str> = id_parts.iter().map(|(_, p)| p.word()).collect();
    if shape.join("/") != e.id.shape {
        bail!(
            "the id shape is declared {:?}, but {} takes {}",
            e.id.shape,
            delete_name,
            shape.join("/")
        );
    }
    let id_field = field_path(list, Some(&owner), &e.id.field)?;
    if !matches!(id_field.leaf, FieldType::I64 | FieldType::String)
        || !id_field.json_keys.is_empty()
    {
        bail!("the id field {} is not a number or a text", e.id.field);
    }

    // Parent.
    let mut list_new_args = Vec::new();
    let mut parent_list = None;
    let parent = match (&e.parent, id_parts.len()) {
        (None, 1) => None,
        (Some(p), 2) if p.list.is_some() => {
            let (Some(plist), Some(pid), None) = (&p.list, &p.id, &p.kind) else {
                bail!("a listed parent takes `list`, `id` and `param` (no `kind`)");
            };
            let pop = operation(specs, plist)?;
            let Some(ppaging) = &pop.paging else {
                bail!("{plist} declares no `paging` in specs/operations.toml");
            };
            let pitem = match list_item(pop, &ppaging.items)? {
                FieldType::Named(n) => n,
                other => bail!("the items of {plist} are {}, not objects", other.rust()),
            };
            let id_field = field_path(pop, Some(&pitem), pid)?;
            if id_field.leaf != FieldType::String || !id_field.json_keys.is_empty() {
                bail!("the parent's id field {pid} is not a text");
            }
            let Some(param) = list.path_params.iter().find(|x| x.name == p.param) else {
                bail!("{} has no path parameter {}", e.list, p.param);
            };
            if Part::of(param.ty) != Part::Text || id_parts[0].1 != Part::Text {
                bail!(
                    "a listed parent's id is a text: {} and {} must take one",
                    e.list,
                    delete_name
                );
            }
            if !pop.path_params.is_empty()
                || pop.query.iter().any(|q| q.required)
                || pop.body.iter().any(|f| f.required)
            {
                bail!("{plist} has mandatory parameters the kind table cannot fill");
            }
            list_new_args.push(p.param.clone());
            parent_list = Some(ParentListModel {
                list: pop.type_name.clone(),
                service: pop.service.clone(),
                id_field,
                param: p.param.clone(),
            });
            None
        }
        (Some(p), 2) => {
            let pkind = p.kind.as_deref().unwrap_or_default();
            let parent = earlier.iter().find(|k| k.name == pkind).ok_or_else(|| {
                anyhow!("the parent {pkind} is not declared before it in specs/kinds.toml")
            })?;
            let Some(param) = list.path_params.iter().find(|x| x.name == p.param) else {
                bail!("{} has no path parameter {}", e.list, p.param);
            };
            match parent.id_parts.as_slice() {
                [(_, part)] if *part == Part::of(param.ty) && *part == id_parts[0].1 => {}
                _ => bail!(
                    "the parent's id does not fit {}'s {} and {}'s first path parameter",
                    e.list,
                    p.param,
                    delete_name
                ),
            }
            list_new_args.push(p.param.clone());
            Some(parent.name.clone())
        }
        (None, n) => bail!("{} takes {n} ids; declare the `parent`", delete_name),
        (Some(_), n) => bail!(
            "a kind with a parent has ids of two parts, {} takes {n}",
            delete_name
        ),
    };
    if list.path_params.len() != list_new_args.len()
        || list.query.iter().any(|q| q.required)
        || list.body.iter().any(|f| f.required)
    {
        bail!(
            "{} has mandatory parameters the kind table cannot fill",
            e.list
        );
    }

    // Row fields.
    let opt_path = |p: &Option<String>| -> Result<Option<FieldPath>> {
        p.as_deref()
            .map(|p| field_path(list, Some(&owner), p))
            .transpose()
    };
    let name_field = opt_path(&e.row.name)?;
    let status_field = opt_path(&e.row.status)?;
    let created_field = opt_path(&e.row.created)?;
    for (what, f) in [("name", &name_field), ("status", &status_field)] {
        if let Some(f) = f
            && !matches!(
                f.leaf,
                FieldType::String | FieldType::I64 | FieldType::Bool | FieldType::Value
            )
        {
            bail!("the {what} field {} is not a scalar", f.text);
        }
    }
    let created_unit = match (e.row.created_unit.as_deref(), &created_field) {
        (Some("ms"), Some(_)) => "Millis",
        (Some("s"), Some(_)) => "Seconds",
        (Some("rfc3339"), Some(_)) => "Rfc3339",
        (None, None) => "Millis",
        (Some(other), Some(_)) => bail!("unknown created_unit {other:?} (ms, s or rfc3339)"),
        (None, Some(_)) => bail!("`created` needs its `created_unit` (ms, s or rfc3339)"),
        (Some(_), None) => bail!("`created_unit` without `created`"),
    };
    if let Some(f) = &created_field
        && !matches!(
            f.leaf,
            FieldType::I64 | FieldType::String | FieldType::Value
        )
    {
        bail!("the created field {} is not a number or a text", f.text);
    }
    let extra = e
        .row
        .extra
        .iter()
        .map(|(name, path)| Ok((name.clone(), field_path(list, Some(&owner), path)?)))
        .collect::<Result<Vec<_>>>()?;

    // Statuses.
    let statuses = match &e.status_names {
        Some(s) => status_names(&specs_dir.join(&s.page), &s.strip)
            .with_context(|| format!("status_names: {}", s.page))?,
        None => Vec::new(),
    };

    // Filters: a child kind's are its parent's (they select the parents).
    // One `parent = true` filter may name a single parent instead (`--job-id`).
    let filters = match &parent {
        Some(p) => {
            if e.filters.iter().any(|f| !f.parent) || e.filters.len() > 1 {
                bail!(
                    "a kind with a parent takes its parent's filters; declare at most one, `parent = true`"
                );
            }
            let mut filters = earlier
                .iter()
                .find(|k| &k.name == p)
                .map(|k| k.filters.clone())
                .unwrap_or_default();
            if let Some(f) = e.filters.first() {
                let param = e
                    .parent
                    .as_ref()
                    .map(|p| p.param.clone())
                    .unwrap_or_default();
                let description = list
                    .path_params
                    .iter()
                    .find(|x| x.name == param)
                    .map(|x| x.description.clone())
                    .unwrap_or_default();
                filters.push(FilterModel {
                    flag: f.flag.clone(),
                    target: param,
                    values: Vec::new(),
                    separator: None,
                    doc: first_sentence(&description),
                    setter: Setter::Parent,
                    map: BTreeMap::new(),
                    with: Vec::new(),
                });
            }
            filters
        }
        None => e
            .filters
            .iter()
            .map(|f| {
                if f.parent {
                    let Some(p) = &parent_list else {
                        bail!("filter --{}: `parent = true` needs a listed parent", f.flag);
                    };
                    let description = list
                        .page
                        .path_params
                        .iter()
                        .find(|x| x.name == p.param)
                        .map(|x| x.description.clone())
                        .unwrap_or_default();
                    return Ok(FilterModel {
                        flag: f.flag.clone(),
                        target: p.param.clone(),
                        values: Vec::new(),
                        separator: None,
                        doc: first_sentence(&description),
                        setter: Setter::Parent,
                        map: BTreeMap::new(),
                        with: Vec::new(),
                    });
                }
                filter(list, f, &statuses, status_field.as_ref())
                    .with_context(|| format!("filter --{}", f.flag))
            })
            .collect::<Result<Vec<_>>>()?,
    };
    if filters
        .iter()
        .filter(|f| f.setter == Setter::Parent)
        .count()
        > 1
    {
        bail!("one filter at most names the parent");
    }

    let before_delete = match &e.before_delete {
        None => None,
        Some(b) => {
            let op = operation(specs, &b.operation)?;
            let args: Vec<(String, Part)> = op
                .path_params
                .iter()
                .map(|p| (p.name.clone(), Part::of(p.ty)))
                .collect();
            if args != id_parts
                || op.query.iter().any(|q| q.required)
                || op.body.iter().any(|f| f.required)
            {
                bail!(
                    "before_delete: {} must take exactly the id's parts",
                    b.operation
                );
            }
            if detail.is_none() || status_field.is_none() {
                bail!("before_delete needs the detail operation's status (its probe)");
            }
            if b.busy.trim().is_empty() {
                bail!("before_delete: busy must be the service's error code");
            }
            let documented = status_field
                .as_ref()
                .map(|s| listed_values(&s.description))
                .unwrap_or_default();
            for v in &b.when.status {
                if !documented.contains(v) {
                    bail!(
                        "before_delete: the status {v:?} is not one the page lists ({documented:?})"
                    );
                }
            }
            Some(BeforeDeleteModel {
                operation: op.type_name.clone(),
                service: op.service.clone(),
                statuses: b.when.status.clone(),
                busy: b.busy.clone(),
            })
        }
    };

    if cancel {
        let Some(status) = &status_field else {
            bail!("a kind with `cancel` needs the row's `status` (what `unfinished` is read from)");
        };
        if detail.is_none() {
            bail!("a kind with `cancel` needs the cancellation's probe (to wait with)");
        }
        // The list's documented values, in any case (DLI's Spark status page writes
        // `Success` where the list writes `success`).
        let documented = listed_values(&status.description);
        for v in &e.unfinished {
            if !documented.iter().any(|d| d.eq_ignore_ascii_case(v)) {
                bail!("unfinished: the status {v:?} is not one the page lists ({documented:?})");
            }
        }
    }

    let batch = e
        .batch_delete
        .as_ref()
        .map(|b| batch(specs, b, &id_parts))
        .transpose()
        .context("batch_delete")?;

    let service_variant = specs
        .services
        .get(&list.service)
        .map(|s| s.variant.clone())
        .unwrap_or_default();
    Ok(KindModel {
        variant: variant_of(&e.name),
        snake: e.name.replace('-', "_"),
        name: e.name.clone(),
        doc: e.doc.clone(),
        service: list.service.clone(),
        service_variant,
        api_version: version,
        list: list.type_name.clone(),
        item_type: item.rust(),
        list_new_args,
        detail,
        delete: delete.type_name.clone(),
        asynchronous: deletion.asynchronous,
        id_parts,
        parent,
        id_field,
        name_field,
        status_field,
        created_field,
        created_unit,
        extra,
        filters,
        statuses,
        batch,
        parent_list,
        delete_ids,
        before_delete,
        cancel,
        unfinished: e.unfinished.clone(),
        windowed: paging.window.is_some(),
    })
}

/// The item type of a list: the element of the array at `path`.
fn list_item(op: &Operation, path: &str) -> Result<FieldType> {
    let p = field_path(op, None, path)?;
    match p.leaf {
        FieldType::Vec(t) => Ok(*t),
        other => bail!("the items {path} of {} are {}", op.type_name, other.rust()),
    }
}

fn fields_of<'a>(op: &'a Operation, owner: Option<&str>) -> Option<&'a [StructField]> {
    match owner {
        None => Some(&op.response),
        Some(n) => op
            .structs
            .iter()
            .find(|s| s.name == n)
            .map(|s| s.fields.as_slice()),
    }
}

/// Walks `path` (JSON names joined by `.`) from the struct `owner` (`None`: the answer).
pub fn field_path(op: &Operation, owner: Option<&str>, path: &str) -> Result<FieldPath> {
    let mut owner = owner.map(str::to_owned);
    let mut steps = Vec::new();
    let mut json_keys = Vec::new();
    let mut leaf = FieldType::Value;
    let mut description = String::new();
    for seg in path.split('.') {
        if !json_keys.is_empty() || (leaf == FieldType::Value && !steps.is_empty()) {
            json_keys.push(seg.to_owned());
            continue;
        }
        let Some(fields) = fields_of(op, owner.as_deref()) else {
            bail!(
                "{}: `{path}`: `{seg}` is inside a field that is not an object",
                op.type_name
            );
        };
        let f = fields.iter().find(|f| f.name == seg).ok_or_else(|| {
            anyhow!(
                "{}: the answer has no field `{seg}` on the path `{path}`",
                op.type_name
            )
        })?;
        let optional = !f.required || f.lenient != Lenient::No;
        steps.push((f.ident.clone(), optional));
        leaf = f.ty.clone();
        description.clone_from(&f.description);
        owner = match &f.ty {
            FieldType::Named(n) => Some(n.clone()),
            _ => None,
        };
    }
    if !json_keys.is_empty() {
        leaf = FieldType::Value;
    }
    Ok(FieldPath {
        text: path.to_owned(),
        steps,
        json_keys,
        leaf,
        description,
    })
}

/// The first sentence of a description.
fn first_sentence(text: &str) -> String {
    let flat = text
        .replace("**Definition**", "")
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("")
        .replace('\n', " ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_owned(),
        None => flat,
    }
}

/// The values a description lists, one a list item: `- **value**: ...`, `- Value: ...`,
/// `- Value`.
fn listed_values(description: &str) -> Vec<String> {
    description
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|rest| {
            let rest = rest.trim();
            let value = match rest.strip_prefix("**") {
                Some(bold) => bold.split_once("**")?.0,
                None => rest.split(':').next()?,
            };
            let value = value.trim();
            (!value.is_empty() && !value.contains(char::is_whitespace)).then(|| value.to_owned())
        })
        .collect()
}

/// Every description of the operation's page (parameters, request and answer fields).
fn documented_text(op: &Operation) -> String {
    let mut out = String::new();
    for q in &op.query {
        out.push_str(&q.description);
        out.push('\n');
    }
    for t in op
        .page
        .request_tables
        .iter()
        .chain(&op.page.response_tables)
    {
        for f in &t.fields {
            out.push_str(&f.description);
            out.push('\n');
        }
    }
    out
}

fn filter(
    op: &Operation,
    f: &FilterEntry,
    statuses: &[(String, String)],
    status_field: Option<&FieldPath>,
) -> Result<FilterModel> {
    let query = |name: &str| op.query.iter().find(|q| q.name == name && !q.required);
    let body = |name: &str| op.body.iter().find(|b| b.name == name && !b.required);
    let field = |name: &str| -> Result<(String, FieldType, String)> {
        match (query(name), body(name)) {
            (Some(q), None) => Ok((q.ident.clone(), q.ty.clone(), q.description.clone())),
            (None, Some(b)) => Ok((b.ident.clone(), b.ty.clone(), b.description.clone())),
            (Some(_), Some(_)) => bail!("`{name}` is both a query parameter and a body field"),
            (None, None) => bail!(
                "{} has no optional query parameter or body field `{name}`",
                op.type_name
            ),
        }
    };
    let (setter, target, description) = match (&f.param, &f.body_filter) {
        (Some(p), None) => {
            let (ident, ty, description) = field(p)?;
            if ty != FieldType::String {
                bail!("`{p}` is a {}, not a String", ty.rust());
            }
            (Setter::Field { ident, ty }, p.clone(), description)
        }
        (None, Some(b)) => {
            let (ident, ty, _) = field(&b.field)?;
            let element = match ty {
                FieldType::Vec(t) => match *t {
                    FieldType::Named(n) => n,
                    other => bail!("`{}` holds {}, not objects", b.field, other.rust()),
                },
                other => bail!("`{}` is a {}, not an array", b.field, other.rust()),
            };
            let st = op
                .structs
                .iter()
                .find(|s| s.name == element)
                .ok_or_else(|| anyhow!("no struct {element}"))?;
            for (name, ty) in [
                ("key", FieldType::String),
                ("operator", FieldType::String),
                ("value", FieldType::Vec(Box::new(FieldType::String))),
            ] {
                if !st
                    .fields
                    .iter()
                    .any(|x| x.name == name && x.ty == ty && !x.required)
                {
                    bail!(
                        "the elements of `{}` have no optional `{name}: {}`",
                        b.field,
                        ty.rust()
                    );
                }
            }
            let target = format!("{}[key={}]", b.field, b.key);
            let description = op
                .page
                .request_tables
                .iter()
                .flat_map(|t| t.fields.iter())
                .find(|x| x.name == "key")
                .map(|x| x.description.clone())
                .unwrap_or_default();
            (
                Setter::BodyFilter {
                    field: ident,
                    element,
                    key: b.key.clone(),
                    operator: b.operator.clone(),
                },
                target,
                description,
            )
        }
        _ => bail!("give `param` or `body_filter`, one of them"),
    };
    let values = match &f.values {
        None => f.map.keys().cloned().collect(),
        Some(Values::Page(p)) if p == "page" => {
            let found = listed_values(&description);
            if found.is_empty() {
                bail!(
                    "`values = \"page\"`, but the description of {target} lists no `- **value**` items"
                );
            }
            found
        }
        Some(Values::Page(p)) if p == "status" => {
            let found = status_field
                .map(|s| listed_values(&s.description))
                .unwrap_or_default();
            if found.is_empty() {
                bail!("`values = \"status\"`, but the row's status field lists no values");
            }
            found
        }
        Some(Values::Page(p)) if p == "statuses" => {
            if statuses.is_empty() {
                bail!("`values = \"statuses\"`, but the kind declares no `status_names`");
            }
            statuses.iter().map(|(v, _)| v.clone()).collect()
        }
        Some(Values::Page(other)) => {
            bail!("values must be \"page\", \"status\", \"statuses\" or a list, not {other:?}")
        }
        Some(Values::List(v)) => {
            let text = documented_text(op);
            for value in v {
                if !text.contains(&format!("**{value}**")) && !text.contains(&format!("`{value}`"))
                {
                    bail!("the value {value:?} is not on {}'s page", op.type_name);
                }
            }
            v.clone()
        }
    };
    if !f.map.is_empty()
        && f.map.keys().cloned().collect::<Vec<_>>() != {
            let mut v = values.clone();
            v.sort();
            v
        }
    {
        bail!("`map` must give a value for each of {values:?}");
    }
    let mut with = Vec::new();
    for (name, value) in &f.with {
        let (ident, ty, _) = field(name)?;
        if ty != FieldType::String {
            bail!("`with` sets `{name}`, which is not a String");
        }
        with.push((ident, ty, value.clone()));
    }
    let doc = match (&f.body_filter, first_sentence(&description)) {
        (Some(b), _) => format!("`{}` filter `{}` ({}).", b.field, b.key, b.operator),
        (None, d) => d,
    };
    Ok(FilterModel {
        flag: f.flag.clone(),
        target,
        values,
        separator: f.separator,
        doc,
        setter,
        map: f.map.clone(),
        with,
    })
}

fn batch(specs: &Specs, b: &BatchEntry, id_parts: &[(String, Part)]) -> Result<BatchModel> {
    let op = operation(specs, &b.operation)?;
    let [(_, part)] = id_parts else {
        bail!("only kinds with one-part ids have batch deletions");
    };
    let arg = op
        .body
        .iter()
        .find(|f| f.name == b.ids && f.required)
        .ok_or_else(|| anyhow!("{} has no mandatory body field {}", b.operation, b.ids))?;
    let id_type = match &arg.ty {
        FieldType::Vec(t) if matches!(**t, FieldType::I64 | FieldType::String) => (**t).clone(),
        other => bail!("{} is a {}, not a list of ids", b.ids, other.rust()),
    };
    if (id_type == FieldType::I64) != (*part == Part::Number) {
        bail!("{} takes ids of another type than the kind's", b.operation);
    }
    if op.body.iter().filter(|f| f.required).count() != 1 || !op.path_params.is_empty() {
        bail!("{} takes more than the ids", b.operation);
    }
    let Some(FieldType::Named(item)) = &op.response_item else {
        bail!("{} does not answer an array of objects", b.operation);
    };
    let st = op
        .structs
        .iter()
        .find(|s| &s.name == item)
        .ok_or_else(|| anyhow!("no struct {item}"))?;
    let find = |name: &str, ty: FieldType| -> Result<(String, bool)> {
        let f = st
            .fields
            .iter()
            .find(|f| f.name == name && f.ty == ty)
            .ok_or_else(|| anyhow!("{item} has no {name}: {}", ty.rust()))?;
        Ok((f.ident.clone(), !f.required || f.lenient != Lenient::No))
    };
    Ok(BatchModel {
        operation: op.type_name.clone(),
        service: op.service.clone(),
        part: *part,
        id_type,
        success: find(&b.success, FieldType::Bool)?,
        message: find(&b.message, FieldType::String)?,
    })
}

/// `10` → `completed`, from a page's table whose first column is the value and whose second
/// starts `PREFIX_NAME: ...`.
pub fn status_names(page: &Path, strip: &str) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(page).with_context(|| format!("reading {}", page.display()))?;
    let blocks =
        rst::parse(&text).map_err(|e| anyhow!("line {}: expected {}", e.line, e.expected))?;
    let mut out = Vec::new();
    let mut stack: Vec<&Block> = blocks.iter().collect();
    while let Some(b) = stack.pop() {
        match b {
            Block::Table(t) => {
                for row in &t.rows {
                    let (Some(value), Some(desc)) = (row.first(), row.get(1)) else {
                        continue;
                    };
                    let value = value.plain();
                    let desc = desc.plain();
                    let Some((name, _)) = desc.split_once(':') else {
                        continue;
                    };
                    let name = name.trim();
                    let Some(name) = name.strip_prefix(strip) else {
                        continue;
                    };
                    if value.is_empty() || name.is_empty() || name.contains(' ') {
                        continue;
                    }
                    out.push((value, name.to_ascii_lowercase()));
                }
            }
            Block::Directive { body, .. } | Block::Quote { body, .. } => {
                stack.extend(body.iter());
            }
            Block::List { items, .. } => stack.extend(items.iter().flatten()),
            _ => {}
        }
    }
    if out.is_empty() {
        bail!("no status table (value | {strip}NAME: description)");
    }
    out.sort_by_key(|(v, _)| (v.parse::<i64>().unwrap_or(i64::MAX), v.clone()));
    Ok(out)
}
