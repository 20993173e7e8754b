//! The Rust text of the kind table: the core's `generated/kinds.rs` (the `Kind` and
//! `KindId` enums with every fact as data) and `generated/kind_rows.rs` (each list's items
//! as rows), and one dispatch file per client (`src/kinds.rs`: list a kind's rows, delete
//! or wait for an id, batch-delete), from the kinds resolved by [`crate::kinds`].

use std::fmt::Write as _;

use crate::emit::{ClientTarget, doc};
use crate::kinds::{FieldPath, FilterModel, KindModel, Part, Setter};
use crate::specs::{FieldType, Specs};

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: Option<&str>) -> String {
    match s {
        Some(s) => format!("Some({s:?})"),
        None => "None".to_owned(),
    }
}

/// The core's `generated/kinds.rs`, unformatted.
pub fn core_kinds_file(kinds: &[KindModel], header: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{header} from specs/kinds.toml — do not edit; change specs/kinds.toml (or the pages it names) and rerun."
    );
    doc(
        &mut s,
        "//!",
        "The job kinds otc-jobs handles, one declaration each in `specs/kinds.toml`: [`Kind`]\n(every fact as data, [`Kind::facts`]), [`KindId`] (an id that carries its kind, so that\na kind and an id of another cannot meet) and [`KindBatch`] (ids deleted in one request).",
    );
    s.push_str("\nuse std::fmt;\n\nuse crate::kind::{Action, Filter, IdPart, IdShape, KindFacts, TimeUnit, UnknownKind};\n\n");

    // Kind.
    doc(
        &mut s,
        "///",
        "A kind of job, as the command line names it ([`Kind::name`]): the plain name is the\ncurrent API, a historical one ends in `-v1`.\n\n```\nuse otc_jobs_core::kinds::Kind;\n\nlet kind: Kind = \"flink-job\".parse()?;\nassert_eq!(kind, Kind::FlinkJob);\nassert_eq!(kind.to_string(), \"flink-job\");\nassert!(Kind::ALL.iter().all(|k| Kind::from_name(k.name()) == Some(*k)));\n# Ok::<(), otc_jobs_core::kinds::UnknownKind>(())\n```",
    );
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Kind {{"
    );
    for k in kinds {
        doc(
            &mut s,
            "    ///",
            &format!(
                "{} (`{}`; {} {}).",
                k.doc.trim_end_matches('.'),
                k.name,
                k.service,
                k.api_version
            ),
        );
        let _ = writeln!(s, "    {},", k.variant);
    }
    s.push_str("}\n\n");

    let _ = writeln!(s, "impl Kind {{");
    doc(
        &mut s,
        "    ///",
        "Every kind, in the order of `specs/kinds.toml`.",
    );
    let all: Vec<String> = kinds
        .iter()
        .map(|k| format!("Kind::{}", k.variant))
        .collect();
    let _ = writeln!(
        s,
        "    pub const ALL: [Kind; {}] = [{}];\n",
        kinds.len(),
        all.join(", ")
    );
    doc(
        &mut s,
        "    ///",
        "Everything the table says of the kind.\n\n```\nuse otc_jobs_core::kinds::Kind;\nlet facts = Kind::FlinkJob.facts();\nassert_eq!((facts.name, facts.list, facts.asynchronous), (\"flink-job\", \"ListFlinkJobs\", false));\n```",
    );
    let _ = writeln!(
        s,
        "    pub fn facts(self) -> &'static KindFacts {{ &FACTS[self as usize] }}\n"
    );
    let accessors = [
        (
            "name",
            "&'static str",
            "The CLI name (`training-job-v1`).",
            "self.facts().name",
        ),
        (
            "service",
            "crate::Service",
            "The service that serves it.",
            "self.facts().service",
        ),
        (
            "api_version",
            "&'static str",
            "The API version of its paths (`v2`, `v1.0`).",
            "self.facts().api_version",
        ),
        (
            "id_shape",
            "IdShape",
            "What an id looks like.",
            "self.facts().id_shape",
        ),
        (
            "action",
            "Action",
            "What a clean-up does to its jobs.",
            "self.facts().action",
        ),
        (
            "is_asynchronous",
            "bool",
            "Whether its deletion completes after the answer (then waiting polls).",
            "self.facts().asynchronous",
        ),
        (
            "has_batch_delete",
            "bool",
            "Whether its service deletes many in one request.",
            "self.facts().batch_delete.is_some()",
        ),
        (
            "filters",
            "&'static [Filter]",
            "The filters its list applies on the server.",
            "self.facts().filters",
        ),
    ];
    for (name, ty, what, body) in accessors {
        doc(&mut s, "    ///", what);
        let _ = writeln!(s, "    pub fn {name}(self) -> {ty} {{ {body} }}\n");
    }
    doc(
        &mut s,
        "    ///",
        "The kind whose jobs contain these (a version's training job).",
    );
    let _ = writeln!(
        s,
        "    pub fn parent(self) -> Option<Kind> {{\n        match self {{"
    );
    for k in kinds {
        if let Some(p) = &k.parent
            && let Some(pk) = kinds.iter().find(|x| &x.name == p)
        {
            let _ = writeln!(
                s,
                "            Kind::{} => Some(Kind::{}),",
                k.variant, pk.variant
            );
        }
    }
    let _ = writeln!(s, "            _ => None,\n        }}\n    }}\n");
    doc(&mut s, "    ///", "The kind of a CLI name.");
    let _ = writeln!(
        s,
        "    pub fn from_name(name: &str) -> Option<Kind> {{\n        match name {{"
    );
    for k in kinds {
        let _ = writeln!(s, "            {:?} => Some(Kind::{}),", k.name, k.variant);
    }
    let _ = writeln!(s, "            _ => None,\n        }}\n    }}\n");
    doc(
        &mut s,
        "    ///",
        "The id `text` (already trimmed) stands for, `None` when it is not one of the kind's\n(see [`Kind::parse_id`], which says why).",
    );
    let _ = writeln!(
        s,
        "    pub fn read_id(self, text: &str) -> Option<KindId> {{\n        match self {{"
    );
    for k in kinds {
        let read = |part: Part, v: &str| match part {
            Part::Number => format!("crate::kind::positive_number({v})?"),
            Part::Text => format!("crate::PathId::new({v}).ok()?"),
        };
        match k.id_parts.as_slice() {
            [(_, p)] => {
                let _ = writeln!(
                    s,
                    "            Kind::{v} => Some(KindId::{v}({})),",
                    read(*p, "text"),
                    v = k.variant
                );
            }
            [(a, pa), (b, pb)] => {
                let _ = writeln!(
                    s,
                    "            Kind::{v} => {{\n                let (parent, child) = text.split_once('/')?;\n                Some(KindId::{v} {{ {a}: {}, {b}: {} }})\n            }}",
                    read(*pa, "parent"),
                    read(*pb, "child"),
                    v = k.variant
                );
            }
            _ => {}
        }
    }
    let _ = writeln!(s, "        }}\n    }}\n}}\n");
    s.push_str("impl fmt::Display for Kind {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name()) }\n}\n\n");
    s.push_str("impl std::str::FromStr for Kind {\n    type Err = UnknownKind;\n    fn from_str(s: &str) -> Result<Kind, UnknownKind> { Kind::from_name(s).ok_or_else(|| UnknownKind(s.to_owned())) }\n}\n\n");

    // Facts.
    for k in kinds {
        let up = k.snake.to_ascii_uppercase();
        // A child kind shares its parent's filters, unless it adds one naming its parent.
        if k.parent.is_none() || k.filters.iter().any(|f| f.setter == Setter::Parent) {
            let _ = writeln!(s, "const {up}_FILTERS: &[Filter] = &[");
            for f in &k.filters {
                let values: Vec<String> = f.values.iter().map(|v| lit(v)).collect();
                let sep = match f.separator {
                    Some(c) => format!("Some({c:?})"),
                    None => "None".to_owned(),
                };
                let _ = writeln!(
                    s,
                    "    Filter {{ flag: {}, target: {}, values: &[{}], separator: {sep}, doc: {} }},",
                    lit(&f.flag),
                    lit(&f.target),
                    values.join(", "),
                    lit(&f.doc)
                );
            }
            let _ = writeln!(s, "];\n");
        }
        if !k.statuses.is_empty() {
            let pairs: Vec<String> = k
                .statuses
                .iter()
                .map(|(v, n)| format!("({}, {})", lit(v), lit(n)))
                .collect();
            let _ = writeln!(
                s,
                "const {up}_STATUSES: &[(&str, &str)] = &[{}];\n",
                pairs.join(", ")
            );
        }
    }
    let _ = writeln!(s, "static FACTS: [KindFacts; {}] = [", kinds.len());
    for k in kinds {
        let up = k.snake.to_ascii_uppercase();
        let filters_of = match &k.parent {
            Some(p) if !k.filters.iter().any(|f| f.setter == Setter::Parent) => {
                p.replace('-', "_").to_ascii_uppercase()
            }
            _ => up.clone(),
        };
        let statuses = if k.statuses.is_empty() {
            "&[]".to_owned()
        } else {
            format!("{up}_STATUSES")
        };
        let _ = writeln!(
            s,
            "    KindFacts {{ name: {}, doc: {}, service: crate::Service::{}, api_version: {}, id_shape: {}, parent: {}, action: Action::{}, list: {}, detail: {}, delete: {}, batch_delete: {}, asynchronous: {}, id_field: {}, name_field: {}, status_field: {}, created_field: {}, created_unit: TimeUnit::{}, filters: {filters_of}_FILTERS, statuses: {statuses}, unfinished: &[{}] }},",
            lit(&k.name),
            lit(&k.doc),
            k.service_variant,
            lit(&k.api_version),
            k.shape_rust().replace("crate::kinds::", ""),
            opt_lit(k.parent.as_deref()),
            if k.cancel {
                "Cancel"
            } else if k.before_delete.is_some() {
                "StopThenDelete"
            } else {
                "Delete"
            },
            lit(&k.list),
            opt_lit(k.detail.as_deref()),
            lit(&k.delete),
            opt_lit(k.batch.as_ref().map(|b| b.operation.as_str())),
            k.asynchronous,
            lit(&k.id_field.text),
            opt_lit(k.name_field.as_ref().map(|f| f.text.as_str())),
            opt_lit(k.status_field.as_ref().map(|f| f.text.as_str())),
            opt_lit(k.created_field.as_ref().map(|f| f.text.as_str())),
            k.created_unit,
            k.unfinished
                .iter()
                .map(|v| lit(v))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    s.push_str("];\n\n");

    // KindId.
    doc(
        &mut s,
        "///",
        "The id of one job: its variant is its kind, its fields the delete operation's path\nparameters. Written as the command line writes it (`148`, `10/2`).\n\n```\nuse otc_jobs_core::kinds::{Kind, KindId};\nlet id = KindId::TrainingJobVersionV1 { job_id: 10, version_id: 2 };\nassert_eq!((id.kind(), id.to_string()), (Kind::TrainingJobVersionV1, \"10/2\".to_owned()));\n```",
    );
    s.push_str(
        "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum KindId {\n",
    );
    for k in kinds {
        match k.id_parts.as_slice() {
            [(p, part)] => {
                doc(&mut s, "    ///", &format!("A `{}` id (`{p}`).", k.name));
                let _ = writeln!(s, "    {}({}),", k.variant, part.ty());
            }
            parts => {
                doc(&mut s, "    ///", &format!("A `{}` id.", k.name));
                let _ = writeln!(s, "    {} {{", k.variant);
                for (i, (p, part)) in parts.iter().enumerate() {
                    let what = if i == 0 {
                        "The parent's id"
                    } else {
                        "Its own id"
                    };
                    doc(&mut s, "        ///", &format!("{what} (`{p}`)."));
                    let _ = writeln!(s, "        {p}: {},", part.ty());
                }
                s.push_str("    },\n");
            }
        }
    }
    s.push_str("}\n\nimpl KindId {\n");
    doc(&mut s, "    ///", "The kind of the id.");
    s.push_str("    pub fn kind(&self) -> Kind {\n        match self {\n");
    for k in kinds {
        let pat = if k.id_parts.len() == 1 {
            "(_)"
        } else {
            " { .. }"
        };
        let _ = writeln!(
            s,
            "            KindId::{}{pat} => Kind::{},",
            k.variant, k.variant
        );
    }
    s.push_str("        }\n    }\n}\n\n");
    s.push_str("impl fmt::Display for KindId {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        match self {\n");
    for k in kinds {
        match k.id_parts.as_slice() {
            [_] => {
                let _ = writeln!(
                    s,
                    "            KindId::{}(id) => write!(f, \"{{id}}\"),",
                    k.variant
                );
            }
            [(a, _), (b, _)] => {
                let _ = writeln!(
                    s,
                    "            KindId::{} {{ {a}, {b} }} => write!(f, \"{{{a}}}/{{{b}}}\"),",
                    k.variant
                );
            }
            _ => {}
        }
    }
    s.push_str("        }\n    }\n}\n\n");

    // KindBatch.
    let batched: Vec<&KindModel> = kinds.iter().filter(|k| k.batch.is_some()).collect();
    doc(
        &mut s,
        "///",
        "Ids of one kind to delete in one request, for the kinds whose service has a batch\ndeletion ([`KindBatch::new`]).",
    );
    s.push_str("#[derive(Debug, Clone, PartialEq, Eq)]\npub enum KindBatch {\n");
    for k in &batched {
        if let Some(b) = &k.batch {
            doc(
                &mut s,
                "    ///",
                &format!("`{}` ids, for `{}`.", k.name, b.operation),
            );
            let _ = writeln!(s, "    {}(Vec<{}>),", k.variant, b.part.ty());
        }
    }
    s.push_str("}\n\nimpl KindBatch {\n");
    doc(&mut s, "    ///", "The kind of the ids.");
    s.push_str("    pub fn kind(&self) -> Kind {\n        match self {\n");
    for k in &batched {
        let _ = writeln!(
            s,
            "            KindBatch::{}(_) => Kind::{},",
            k.variant, k.variant
        );
    }
    s.push_str("        }\n    }\n\n");
    doc(&mut s, "    ///", "How many ids.");
    s.push_str("    pub fn len(&self) -> usize {\n        match self {\n");
    for k in &batched {
        let _ = writeln!(s, "            KindBatch::{}(ids) => ids.len(),", k.variant);
    }
    s.push_str("        }\n    }\n\n");
    doc(&mut s, "    ///", "Whether there are no ids.");
    s.push_str("    pub fn is_empty(&self) -> bool { self.len() == 0 }\n\n");
    doc(
        &mut s,
        "    ///",
        "The batch of `ids` (all of `kind`: checked by [`KindBatch::new`]), `None` when the kind\nhas no batch deletion.",
    );
    s.push_str("    pub(crate) fn of(kind: Kind, ids: &[KindId]) -> Option<KindBatch> {\n        match kind {\n");
    for k in &batched {
        let copy = if k.id_parts[0].1 == Part::Number {
            "*id"
        } else {
            "id.clone()"
        };
        let _ = writeln!(
            s,
            "            Kind::{v} => Some(KindBatch::{v}(ids.iter().filter_map(|id| match id {{ KindId::{v}(id) => Some({copy}), _ => None }}).collect())),",
            v = k.variant
        );
    }
    s.push_str("            _ => None,\n        }\n    }\n}\n");
    s
}

/// A borrow of the value at `path` in `item`: an `Option<&T>` expression.
fn borrow(root: &str, path: &FieldPath) -> String {
    let mut steps = path.steps.iter();
    let mut e = match steps.next() {
        Some((ident, true)) => format!("{root}.{ident}.as_ref()"),
        Some((ident, false)) => format!("Some(&{root}.{ident})"),
        None => format!("Some({root})"),
    };
    for (ident, optional) in steps {
        if *optional {
            let _ = write!(e, ".and_then(|x| x.{ident}.as_ref())");
        } else {
            let _ = write!(e, ".map(|x| &x.{ident})");
        }
    }
    for key in &path.json_keys {
        let _ = write!(e, ".and_then(|v| v.get({key:?}))");
    }
    e
}

/// The value at `path` as `Option<String>`.
fn text(root: &str, path: &FieldPath) -> String {
    let b = borrow(root, path);
    match path.leaf {
        // One optional step: the field itself is the `Option<String>`.
        FieldType::String
            if path.steps.len() == 1 && path.json_keys.is_empty() && path.steps[0].1 =>
        {
            format!("{root}.{}.clone()", path.steps[0].0)
        }
        FieldType::String => format!("{b}.cloned()"),
        FieldType::Value => format!("{b}.and_then(crate::kind::value_text)"),
        _ => format!("{b}.map(ToString::to_string)"),
    }
}

fn time(root: &str, path: &FieldPath, unit: &str) -> String {
    let b = borrow(root, path);
    let unit = format!("crate::kind::TimeUnit::{unit}");
    match path.leaf {
        FieldType::I64 => format!("{b}.and_then(|n| crate::kind::time_of_number(*n, {unit}))"),
        FieldType::String => format!("{b}.and_then(|t| crate::kind::time_of_text(t, {unit}))"),
        _ => format!("{b}.and_then(|v| crate::kinds::value_time(v, {unit}))"),
    }
}

/// The core's `generated/kind_rows.rs`, unformatted.
pub fn core_rows_file(specs: &Specs, kinds: &[KindModel], header: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{header} from specs/kinds.toml — do not edit; change specs/kinds.toml (or the pages it names) and rerun."
    );
    doc(
        &mut s,
        "//!",
        "Each list's items as [`Row`]s, one function per kind, named by it: the id, name,\nstatus (with its documented name), creation time and extra fields `specs/kinds.toml`\ndeclares. An item without an id is a [`RowError`], for the caller to report.",
    );
    s.push_str(
        "\nuse crate::generated::kinds::{Kind, KindId};\nuse crate::rows::{Row, RowError};\n\n",
    );
    for k in kinds {
        let service = specs
            .operations
            .iter()
            .find(|o| o.type_name == k.list)
            .map_or(k.service.as_str(), |o| o.service.as_str());
        let item = format!("crate::{service}::{}", k.item_type);
        let (parent_arg, parent_doc) = match k.id_parts.as_slice() {
            [(p, part), _] => (
                format!("{p}: {}, ", part.ty()),
                format!(
                    " inside the {} `{p}`",
                    k.parent
                        .as_deref()
                        .or(k.parent_list.as_ref().map(|p| p.list.as_str()))
                        .unwrap_or("parent")
                ),
            ),
            _ => (String::new(), String::new()),
        };
        let missing_check = k.id_field.steps.iter().any(|(_, o)| *o);
        let example = if missing_check {
            let call = if parent_arg.is_empty() {
                "(&item)".to_owned()
            } else {
                match k.id_parts[0].1 {
                    Part::Number => "(10, &item)".to_owned(),
                    Part::Text => "(\"p\".parse()?, &item)".to_owned(),
                }
            };
            format!(
                "\n\n```\nuse otc_jobs_core::kinds::{{rows, Kind}};\n\n// An item without an id is not a row: it is reported, not dropped.\nlet item = otc_jobs_core::{service}::{}::default();\nlet error = rows::{}{call}.unwrap_err();\nassert_eq!((error.kind, error.field), (Kind::{}, {:?}));\n# Ok::<(), Box<dyn std::error::Error>>(())\n```",
                k.item_type, k.snake, k.variant, k.id_field.text
            )
        } else {
            String::new()
        };
        doc(
            &mut s,
            "///",
            &format!(
                "A `{}` item (an item of [`{}`](crate::{service}::{})){parent_doc} as a row: id `{}`{}{}{}.{example}",
                k.name,
                k.list,
                k.list,
                k.id_field.text,
                k.name_field
                    .as_ref()
                    .map(|f| format!(", name `{}`", f.text))
                    .unwrap_or_default(),
                k.status_field
                    .as_ref()
                    .map(|f| format!(", status `{}`", f.text))
                    .unwrap_or_default(),
                k.created_field
                    .as_ref()
                    .map(|f| format!(", created `{}`", f.text))
                    .unwrap_or_default(),
            ),
        );
        let _ = writeln!(
            s,
            "pub fn {}({parent_arg}item: &{item}) -> Result<Row, RowError> {{",
            k.snake
        );
        let _ = writeln!(s, "    let kind = Kind::{};", k.variant);
        let field = lit(&k.id_field.text);
        let _ = writeln!(
            s,
            "    let raw = {}.ok_or(RowError {{ kind, field: {field}, value: None, gone: None }})?;",
            borrow("item", &k.id_field)
        );
        let invalid = format!(
            "RowError {{ kind, field: {field}, value: Some(raw.to_string()), gone: None }}"
        );
        let own_part = k.id_parts.last().map_or(Part::Text, |(_, p)| *p);
        let conv = match (&k.id_field.leaf, own_part) {
            (FieldType::I64, Part::Number) => "*raw".to_owned(),
            (FieldType::I64, Part::Text) => {
                format!("crate::PathId::new(raw.to_string()).map_err(|_| {invalid})?")
            }
            (_, Part::Text) => format!("crate::PathId::new(raw.clone()).map_err(|_| {invalid})?"),
            (_, Part::Number) => format!("raw.parse::<i64>().map_err(|_| {invalid})?"),
        };
        let _ = writeln!(s, "    let own = {conv};");
        let id = match k.id_parts.as_slice() {
            [_] => format!("KindId::{}(own)", k.variant),
            [(a, _), (b, _)] => format!("KindId::{} {{ {a}, {b}: own }}", k.variant),
            _ => String::new(),
        };
        let name = k
            .name_field
            .as_ref()
            .map_or("None".to_owned(), |f| text("item", f));
        let status = k
            .status_field
            .as_ref()
            .map_or("None".to_owned(), |f| text("item", f));
        let created = k
            .created_field
            .as_ref()
            .map_or("None".to_owned(), |f| time("item", f, k.created_unit));
        let _ = writeln!(s, "    let status: Option<String> = {status};");
        let status_name = if k.statuses.is_empty() {
            "None".to_owned()
        } else {
            "status.as_deref().and_then(|s| kind.facts().status_name(s))".to_owned()
        };
        let extra = if k.extra.is_empty() {
            "Vec::new()".to_owned()
        } else {
            let items: Vec<String> = k
                .extra
                .iter()
                .map(|(n, p)| format!("({n:?}, {})", text("item", p)))
                .collect();
            format!(
                "[{}].into_iter().filter_map(|(name, value)| Some((name, value?))).collect()",
                items.join(", ")
            )
        };
        let _ = writeln!(
            s,
            "    Ok(Row {{ id: {id}, name: {name}, status_name: {status_name}, status, created: {created}, extra: {extra} }})\n}}\n"
        );
    }
    s
}

/// The statements that apply one filter to `request`.
fn apply_filter(s: &mut String, f: &FilterModel, request_ty: &str) {
    // The parent is chosen before the request is made (see `list_rows_*`).
    if f.setter == Setter::Parent {
        return;
    }
    let _ = writeln!(s, "    if let Some(value) = filters.get({:?}) {{", f.flag);
    let sent = if f.map.is_empty() {
        "value".to_owned()
    } else {
        let arms: Vec<String> = f
            .map
            .iter()
            .map(|(k, v)| format!("{k:?} => {v:?}"))
            .collect();
        format!("match value {{ {}, other => other }}", arms.join(", "))
    };
    match &f.setter {
        Setter::Parent => {}
        Setter::Field { ident, .. } => {
            let _ = writeln!(s, "        request.{ident} = Some(({sent}).to_owned());");
        }
        Setter::BodyFilter {
            field,
            element,
            key,
            operator,
        } => {
            let module = request_ty.rsplit_once("::").map_or("", |(m, _)| m);
            let values = match f.separator {
                Some(c) => format!("({sent}).split({c:?}).map(|v| v.trim().to_owned()).collect()"),
                None => format!("vec![({sent}).to_owned()]"),
            };
            let _ = writeln!(
                s,
                "        let mut filter = {module}::{element}::default();\n        filter.key = Some({key:?}.to_owned());\n        filter.operator = Some({operator:?}.to_owned());\n        filter.value = Some({values});\n        request.{field}.get_or_insert_with(Vec::new).push(filter);"
            );
        }
    }
    for (ident, _, value) in &f.with {
        let _ = writeln!(s, "        request.{ident} = Some({value:?}.to_owned());");
    }
    s.push_str("    }\n");
}

/// One client's `src/kinds.rs`, unformatted.
pub fn client_file(
    specs: &Specs,
    kinds: &[KindModel],
    client: &ClientTarget,
    header: &str,
) -> String {
    let (asyn, awaitt) = if client.is_async {
        ("async ", ".await")
    } else {
        ("", "")
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{header} from specs/kinds.toml — do not edit; change specs/kinds.toml (or the pages it names) and rerun."
    );
    doc(
        &mut s,
        "//!",
        "The kind table over this client: every kind's list as\n[`Row`](otc_jobs_core::kinds::Row)s (through the list operation's paginator, the server\nfilters applied), the deletion of a [`KindId`], the\nwait until it is gone (the driver's waiter), and batch deletions. One `match` over the\nkinds, generated from `specs/kinds.toml`: a tool built on these names no kind.",
    );
    s.push_str("\nuse otc_jobs_core::Error;\nuse otc_jobs_core::kinds::{BatchEntry, Filters, Kind, KindBatch, KindId, Listing, RowSink};\n\nuse crate::{Client, Deleted, WaitOptions, WaitOutcome};\n\n");
    let krate = client.krate;
    let ex_setup = format!(
        "# use otc_jobs_emulator::{{Emulator, EmulatorConfig, SeedJob, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID}};\n# let emulator = Emulator::start(EmulatorConfig::default())?;\n# emulator.seed(SeedJob::flink_job(148).name(\"nightly-1\"));\n# let client = {krate}::Client::builder().ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)\n#     .project_id(DEFAULT_PROJECT_ID).region(\"eu-de\").base_url(emulator.base_url()).build()?;"
    );
    let (ex_main_open, ex_main_close) = if client.is_async {
        (
            "# #[tokio::main(flavor = \"current_thread\")]\n# async fn main() -> Result<(), Box<dyn std::error::Error>> {\n",
            "# Ok(())\n# }",
        )
    } else {
        ("", "# Ok::<(), Box<dyn std::error::Error>>(())")
    };
    s.push_str("impl Client {\n");
    doc(
        &mut s,
        "    ///",
        &format!(
            "Every job of `filters`' kind the service lists with those filters, as rows, all pages\n(each page one call with the client's retries). A failed page is the error (never a\nsilently short list); a listed item without an id is in [`Listing::unreadable`]. A kind\nwith a parent lists the parents with the filters, then each parent's children (a parent\ngone in between has none).\n\n```\nuse otc_jobs_core::kinds::{{Filters, Kind, KindId}};\n{ex_main_open}{ex_setup}\nlet mut filters = Filters::new(Kind::FlinkJob);\nfilters.set(\"name\", \"nightly\")?;\nlet listing = client.list_rows(&filters){awaitt}?;\nassert_eq!(listing.rows[0].id, KindId::FlinkJob(148));\nassert!(listing.unreadable.is_empty());\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn list_rows(&self, filters: &Filters) -> Result<Listing, Error> {{\n        let mut listing = Listing::default();\n        self.list_rows_into(filters, &mut listing){awaitt}?;\n        Ok(listing)\n    }}\n"
    );
    doc(
        &mut s,
        "    ///",
        &format!(
            "The walk of [`Client::list_rows`], each item given to `into` as it is read (a row,\nor an item that is not one) instead of kept: a caller that prints each row, or keeps\nonly what it selects, holds no more than a page. On an error the items before it have\nbeen given.\n\n```\nuse otc_jobs_core::kinds::{{Filters, Kind, KindId, Row, RowError, RowSink}};\n{ex_main_open}{ex_setup}\n/// Keeps the ids only.\nstruct Ids(Vec<KindId>);\nimpl RowSink for Ids {{\n    fn push(&mut self, item: Result<Row, RowError>) {{\n        if let Ok(row) = item {{\n            self.0.push(row.id);\n        }}\n    }}\n}}\nlet mut ids = Ids(Vec::new());\nclient.list_rows_into(&Filters::new(Kind::FlinkJob), &mut ids){awaitt}?;\nassert_eq!(ids.0, [KindId::FlinkJob(148)]);\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn list_rows_into(&self, filters: &Filters, into: &mut dyn RowSink) -> Result<(), Error> {{\n        match filters.kind() {{"
    );
    for k in kinds {
        let _ = writeln!(
            s,
            "            Kind::{} => self.list_rows_{}(filters, into){awaitt},",
            k.variant, k.snake
        );
    }
    s.push_str("        }\n    }\n\n");

    doc(
        &mut s,
        "    ///",
        &format!(
            "Deletes the job `id` (its kind's delete operation, with the client's retries), as\n[`Client::delete_id_with`] does with [`WaitOptions::default`] for a job that is stopped\nfirst. What the answer means (gone at once, or deleting: see [`Client::wait_id_gone`]) is\nthe kind's ([`Kind::is_asynchronous`]); what was done on the way is the [`Deleted`].\n\n```\nuse otc_jobs_core::kinds::KindId;\n{ex_main_open}{ex_setup}\nlet deleted = client.delete_id(&KindId::FlinkJob(148)){awaitt}?;\nassert!(!deleted.stopped); // a Flink job is deleted as it is\nassert!(client.delete_id(&KindId::FlinkJob(148)){awaitt}.unwrap_err().is_not_found());\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn delete_id(&self, id: &KindId) -> Result<Deleted, Error> {{\n        self.delete_id_with(id, WaitOptions::default()){awaitt}\n    }}\n"
    );
    doc(
        &mut s,
        "    ///",
        &format!(
            "Deletes the job `id`. A kind whose running jobs are stopped first\n([`Action::StopThenDelete`](otc_jobs_core::kinds::Action::StopThenDelete): MRS v2 job\nexecutions) is looked at first; a job that runs is stopped (killed), its details polled\nas `options` say until it has stopped, then it is deleted; a deletion refused because\nthe job still runs is sent again after a further wait, bounded by `options.max_wait`\n(the driver's [`StopThenDelete`](otc_jobs_driver::StopThenDelete)). [`Deleted::stopped`]\nsays whether it was stopped; `Deleted::gone` that, once stopped, it went by itself\nbefore the deletion (nothing deleted). Other kinds ignore `options`: one deletion.\n\n```\nuse std::time::Duration;\nuse otc_jobs_core::kinds::KindId;\nuse {krate}::WaitOptions;\n{ex_main_open}{ex_setup}\n# emulator.seed(SeedJob::job_execution_v2(\"c1\", \"j1\").status(\"RUNNING\"));\nlet id: KindId = otc_jobs_core::kinds::Kind::JobExecution.parse_id(\"c1/j1\")?;\nlet options = WaitOptions::default().delays(Duration::from_millis(50), Duration::from_millis(500));\nlet deleted = client.delete_id_with(&id, options){awaitt}?;\nassert!(deleted.stopped); // it ran: killed, waited for, then deleted\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn delete_id_with(&self, id: &KindId, options: WaitOptions) -> Result<Deleted, Error> {{\n        match id {{"
    );
    for k in kinds {
        let (pat, args) = id_pattern(k);
        let module = service_of(specs, &k.delete, &k.service);
        let call_args = match (&k.delete_ids, k.id_parts.as_slice()) {
            (Some((_, elem)), [init @ .., (last, part)]) => {
                let mut a: Vec<String> = init
                    .iter()
                    .map(|(n, p)| match p {
                        Part::Number => format!("*{n}"),
                        Part::Text => format!("{n}.clone()"),
                    })
                    .collect();
                a.push(match (elem, part) {
                    (FieldType::I64, _) => format!("vec![*{last}]"),
                    _ => format!("vec![{last}.as_str().to_owned()]"),
                });
                a.join(", ")
            }
            _ => args.clone(),
        };
        if let (Some(b), Some(detail)) = (&k.before_delete, &k.detail) {
            // Look, stop while it runs, wait until it has stopped, delete: the driver's machine.
            let dmodule = service_of(specs, detail, &k.service);
            let statuses: Vec<String> = b.statuses.iter().map(|v| lit(v)).collect();
            let _ = writeln!(
                s,
                "            {pat} => {{
                let machine = otc_jobs_driver::StopThenDelete::new(
                    otc_jobs_core::{dmodule}::{detail}::new({args}),
                    &[{}],
                    {},
                    options,
                    std::time::Instant::now(),
                );
                self.stop_then_delete(
                    machine,
                    &otc_jobs_core::{}::{}::new({args}),
                    &otc_jobs_core::{module}::{}::new({call_args}),
                ){awaitt}
            }}",
                statuses.join(", "),
                lit(&b.busy),
                b.service,
                b.operation,
                k.delete
            );
        } else {
            let _ = writeln!(
                s,
                "            {pat} => self.send_impl(&otc_jobs_core::{module}::{}::new({call_args})){awaitt}.map(|_| Deleted::default()),",
                k.delete
            );
        }
    }
    s.push_str("        }\n    }\n\n");

    doc(
        &mut s,
        "    ///",
        &format!(
            "Waits until the deleted job `id` is gone, polling its kind's detail operation as\n`options` say (see [`Client::wait_until_deleted`]: one poll for a synchronous deletion).\nFor a kind whose runs are cancelled ([`Action::Cancel`](otc_jobs_core::kinds::Action::Cancel)),\nuntil the run is over: [`WaitOutcome::Finished`] once its status is none of the kind's\nunfinished ones.\n\n```\nuse otc_jobs_core::kinds::KindId;\nuse {krate}::WaitOptions;\n{ex_main_open}{ex_setup}\nlet id = KindId::FlinkJob(148);\nclient.delete_id(&id){awaitt}?;\nassert!(client.wait_id_gone(&id, WaitOptions::default()){awaitt}?.is_gone());\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn wait_id_gone(&self, id: &KindId, options: WaitOptions) -> Result<WaitOutcome, Error> {{\n        match id {{"
    );
    for k in kinds {
        let (pat, args) = id_pattern(k);
        let module = service_of(specs, &k.delete, &k.service);
        if let (Some(detail), true) = (&k.detail, k.cancel) {
            // A cancelled run stays: poll its status until it is not one of the unfinished.
            let dmodule = service_of(specs, detail, &k.service);
            let statuses: Vec<String> = k.unfinished.iter().map(|v| lit(v)).collect();
            let _ = writeln!(
                s,
                "            {pat} => self.wait_probe_finished(otc_jobs_core::{dmodule}::{detail}::new({args}), &[{}], options){awaitt},",
                statuses.join(", ")
            );
        } else if let (Some(detail), Some(_)) = (&k.detail, &k.delete_ids) {
            // A deletion of many: poll the probe with the one id.
            let dmodule = service_of(specs, detail, &k.service);
            let _ = writeln!(
                s,
                "            {pat} => self.wait_probe_gone(otc_jobs_core::{dmodule}::{detail}::new({args}), {}, options){awaitt},",
                k.asynchronous
            );
        } else if k.detail.is_some() {
            let _ = writeln!(
                s,
                "            {pat} => self.wait_until_deleted(&otc_jobs_core::{module}::{}::new({args}), options){awaitt},",
                k.delete
            );
        } else {
            // No detail operation: one walk of the list confirms the synchronous deletion,
            // as one poll of a detail would.
            let _ = writeln!(
                s,
                "            KindId::{v}(_) => {{
                let _ = options;
                let started = std::time::Instant::now();
                let mut listing = Listing::default();
                self.list_rows_{snake}(&Filters::new(Kind::{v}), &mut listing){awaitt}?;
                Ok(match listing.rows.into_iter().find(|row| &row.id == id) {{
                    None => WaitOutcome::Gone {{ polls: 1, elapsed: started.elapsed() }},
                    Some(row) => WaitOutcome::StillPresent {{ status: row.status }},
                }})
            }}",
                v = k.variant,
                snake = k.snake
            );
        }
    }
    s.push_str("        }\n    }\n\n");

    doc(
        &mut s,
        "    ///",
        &format!(
            "One request for the job `id`'s details (its kind's detail operation, with the client's\nretries): there, with its name and status where the answer has them, or gone. `None`: the\nkind has no detail operation (nothing was sent).\n\n```\nuse otc_jobs_core::Described;\nuse otc_jobs_core::kinds::KindId;\n{ex_main_open}{ex_setup}\nlet described = client.describe_id(&KindId::FlinkJob(148)){awaitt}?;\nassert!(matches!(described, Some(Described::Present {{ name: Some(name), .. }}) if name == \"nightly-1\"));\nassert_eq!(client.describe_id(&KindId::FlinkJob(149)){awaitt}?, Some(Described::Gone));\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn describe_id(&self, id: &KindId) -> Result<Option<otc_jobs_core::Described>, Error> {{\n        match id {{"
    );
    for k in kinds {
        let (pat, args) = id_pattern(k);
        let module = service_of(specs, &k.delete, &k.service);
        match (&k.detail, &k.delete_ids) {
            // A cancelled run's status operation, or a deletion of many: the detail itself.
            (Some(detail), _) if k.cancel || k.delete_ids.is_some() => {
                let dmodule = service_of(specs, detail, &k.service);
                let _ = writeln!(
                    s,
                    "            {pat} => self.describe_probe(otc_jobs_core::{dmodule}::{detail}::new({args})){awaitt}.map(Some),"
                );
            }
            (Some(_), _) => {
                let _ = writeln!(
                    s,
                    "            {pat} => self.describe_probe(otc_jobs_core::Deletion::probe(&otc_jobs_core::{module}::{}::new({args}))){awaitt}.map(Some),",
                    k.delete
                );
            }
            (None, _) => {
                let _ = writeln!(s, "            KindId::{} {{ .. }} => Ok(None),", k.variant);
            }
        }
    }
    s.push_str("        }\n    }\n\n");

    doc(
        &mut s,
        "    ///",
        &format!(
            "Deletes the ids of `batch` in one request (its kind's batch deletion): one entry per\nid, in the order of the ids, as the service answers.\n\n```\nuse otc_jobs_core::kinds::{{Kind, KindBatch, KindId}};\n{ex_main_open}{ex_setup}\nlet batch = KindBatch::new(Kind::FlinkJob, &[KindId::FlinkJob(148), KindId::FlinkJob(149)])?;\nlet entries = client.batch_delete(&batch){awaitt}?;\nassert_eq!(entries.iter().map(|e| e.is_success).collect::<Vec<_>>(), [true, false]);\n{ex_main_close}\n```"
        ),
    );
    let _ = writeln!(
        s,
        "    pub {asyn}fn batch_delete(&self, batch: &KindBatch) -> Result<Vec<BatchEntry>, Error> {{\n        match batch {{"
    );
    for k in kinds {
        let Some(b) = &k.batch else { continue };
        let flag = |(ident, optional): &(String, bool), what: &str| -> String {
            match (optional, what) {
                (true, "bool") => format!("entry.{ident} == Some(true)"),
                (false, "bool") => format!("entry.{ident}"),
                (true, _) => format!("entry.{ident}"),
                (false, _) => format!("Some(entry.{ident})"),
            }
        };
        let _ = writeln!(
            s,
            "            KindBatch::{v}(ids) => {{\n                let answer = self.send_impl(&otc_jobs_core::{}::{}::new(ids.clone())){awaitt}?;\n                Ok(answer.0.into_iter().map(|entry| BatchEntry {{ is_success: {}, message: {} }}).collect())\n            }}",
            b.service,
            b.operation,
            flag(&b.success, "bool"),
            flag(&b.message, "text"),
            v = k.variant
        );
    }
    s.push_str("        }\n    }\n");

    // Per-kind lists.
    for k in kinds {
        let list_service = service_of(specs, &k.list, &k.service);
        let request_ty = format!("otc_jobs_core::{list_service}::{}", k.list);
        let _ = writeln!(
            s,
            "\n    {asyn}fn list_rows_{}(&self, filters: &Filters, into: &mut dyn RowSink) -> Result<(), Error> {{",
            k.snake
        );
        match (&k.parent, &k.parent_list) {
            (None, Some(p)) => {
                let parent_ty = format!("otc_jobs_core::{}::{}", p.service, p.list);
                let id = text("item", &p.id_field);
                let pick = match k.filters.iter().find(|f| f.setter == Setter::Parent) {
                    Some(f) => format!(
                        "if let Some(id) = filters.get({:?}) {{\n        vec![otc_jobs_core::PathId::new(id).map_err(|e| Error::from(otc_jobs_core::BuildError::from(e)))?]\n    }} else ",
                        f.flag
                    ),
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    "    let parents: Vec<otc_jobs_core::PathId> = {pick}{{\n        let mut ids = Vec::new();"
                );
                let walk = if client.is_async {
                    format!(
                        "        let mut items = std::pin::pin!(self.paginate({parent_ty}::new()));\n        while let Some(item) = futures_util::StreamExt::next(&mut items).await {{\n            let item = item?;"
                    )
                } else {
                    format!(
                        "        for item in self.paginate({parent_ty}::new()) {{\n            let item = item?;"
                    )
                };
                let _ = writeln!(
                    s,
                    "{walk}\n            let raw = {id};\n            match raw.as_deref().map(otc_jobs_core::PathId::new) {{\n                Some(Ok(id)) => ids.push(id),\n                _ => into.push(Err(otc_jobs_core::kinds::RowError {{ kind: Kind::{v}, field: {f:?}, value: raw, gone: None }})),\n            }}\n        }}\n        ids\n    }};\n    let mut children = Vec::with_capacity(parents.len());\n    for parent in parents {{\n        let mut request = {request_ty}::new(parent.clone());",
                    v = k.variant,
                    f = p.id_field.text,
                );
                for f in &k.filters {
                    apply_filter(&mut s, f, &request_ty);
                }
                // The parents' lists: a paginator of paginators (the driver's `ChildWalks`),
                // several at once in the async client; a parent gone during its walk ends
                // that walk, reported.
                let convert = format!("otc_jobs_core::kinds::rows::{}(parent, &item)", k.snake);
                let _ = writeln!(
                    s,
                    "        children.push((parent, request));\n    }}\n    self.walk_children(children, |event| match event {{\n        otc_jobs_driver::ChildEvent::Item(parent, item) => {{\n            into.push({convert});\n            Ok(())\n        }}\n        otc_jobs_driver::ChildEvent::Ended(parent, e) if e.is_not_found() => {{\n            into.push(Err(otc_jobs_core::kinds::RowError {{ kind: Kind::{v}, field: {param:?}, value: Some(parent.to_string()), gone: Some(e.to_string()) }}));\n            Ok(())\n        }}\n        otc_jobs_driver::ChildEvent::Ended(_, e) => Err(e),\n    }}){awaitt}\n    }}",
                    v = k.variant,
                    param = p.param,
                );
            }
            (None, None) => {
                let _ = writeln!(s, "    let mut request = {request_ty}::new();");
                for f in &k.filters {
                    apply_filter(&mut s, f, &request_ty);
                }
                collect_rows(&mut s, client, k, "request", None, "into");
                s.push_str("    Ok(())\n    }\n");
            }
            (Some(p), _) => {
                let parent = kinds.iter().find(|x| &x.name == p);
                let (pv, ps) = parent.map_or((String::new(), String::new()), |x| {
                    (x.variant.clone(), x.snake.clone())
                });
                let parent_arg = match k.id_parts[0].1 {
                    Part::Number => "parent",
                    Part::Text => "parent.clone()",
                };
                // A filter naming one parent (`--job-id`): that parent alone, not listed.
                let pick = match k.filters.iter().find(|f| f.setter == Setter::Parent) {
                    Some(f) => format!(
                        "if let Some(value) = filters.get({flag:?}) {{\n        match Kind::{pv}.read_id(value) {{\n            Some(id) => parents.rows.push(otc_jobs_core::kinds::Row::new(id)),\n            None => return Err(Error::from(otc_jobs_core::BuildError::InvalidFilter {{ flag: {flag:?}, value: value.to_owned(), expected: \"the id of a {pname}\" }})),\n        }}\n    }} else {{\n    ",
                        flag = f.flag,
                        pname = p,
                    ),
                    None => "{\n    ".to_owned(),
                };
                let _ = writeln!(
                    s,
                    "    let mut parents = Listing::default();\n    {pick}self.list_rows_{ps}(filters, &mut parents){awaitt}?;\n    }}\n    for unreadable in parents.unreadable {{\n        into.push(Err(unreadable));\n    }}\n    for parent in parents.rows {{\n        let KindId::{pv}(parent) = parent.id else {{ continue }};\n        let request = {request_ty}::new({parent_arg});"
                );
                collect_rows(&mut s, client, k, "request", Some("parent"), "into");
                s.push_str("    }\n    Ok(())\n    }\n");
            }
        }
    }
    s.push_str("}\n");
    s
}

/// Pages through `request`, pushing each item's row into `into`; for a child list, an
/// answer "not found" (the parent went away in between) ends it with no rows.
fn collect_rows(
    s: &mut String,
    client: &ClientTarget,
    k: &KindModel,
    request: &str,
    parent: Option<&str>,
    into: &str,
) {
    let convert = match parent {
        Some(p) if k.id_parts[0].1 == Part::Text => {
            format!(
                "otc_jobs_core::kinds::rows::{}({p}.clone(), &item)",
                k.snake
            )
        }
        Some(p) => format!("otc_jobs_core::kinds::rows::{}({p}, &item)", k.snake),
        None => format!("otc_jobs_core::kinds::rows::{}(&item)", k.snake),
    };
    let gone;
    let on_error = match (parent, &k.parent_list) {
        // A listed parent that vanished during the walk: its walk ends, reported.
        (Some(p), Some(pl)) => {
            gone = format!(
                "Err(e) if e.is_not_found() => {{\n                {into}.push(Err(otc_jobs_core::kinds::RowError {{ kind: Kind::{}, field: {:?}, value: Some({p}.to_string()), gone: Some(e.to_string()) }}));\n                break;\n            }}\n            Err(e) => return Err(e),",
                k.variant, pl.param
            );
            gone.as_str()
        }
        (Some(_), None) => {
            "Err(e) if e.is_not_found() => break,\n            Err(e) => return Err(e),"
        }
        (None, _) => "Err(e) => return Err(e),",
    };
    // A list longer than one walk reaches is walked by windows of time.
    let paginate = if k.windowed {
        "paginate_windowed"
    } else {
        "paginate"
    };
    if client.is_async {
        let _ = writeln!(
            s,
            "    let mut items = std::pin::pin!(self.{paginate}({request}));\n    while let Some(item) = futures_util::StreamExt::next(&mut items).await {{\n        match item {{\n            Ok(item) => {into}.push({convert}),\n            {on_error}\n        }}\n    }}"
        );
    } else {
        let _ = writeln!(
            s,
            "    for item in self.{paginate}({request}) {{\n        match item {{\n            Ok(item) => {into}.push({convert}),\n            {on_error}\n        }}\n    }}"
        );
    }
}

fn service_of<'a>(specs: &'a Specs, op: &str, default: &'a str) -> &'a str {
    specs
        .operations
        .iter()
        .find(|o| o.type_name == op)
        .map_or(default, |o| o.service.as_str())
}

/// The `KindId` pattern of a kind and the arguments of its delete's `new()`.
fn id_pattern(k: &KindModel) -> (String, String) {
    let arg = |name: &str, part: Part| match part {
        Part::Number => format!("*{name}"),
        Part::Text => format!("{name}.clone()"),
    };
    match k.id_parts.as_slice() {
        [(_, p)] => (format!("KindId::{}(id)", k.variant), arg("id", *p)),
        parts => {
            let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
            let args: Vec<String> = parts.iter().map(|(n, p)| arg(n, *p)).collect();
            (
                format!("KindId::{} {{ {} }}", k.variant, names.join(", ")),
                args.join(", "),
            )
        }
    }
}
