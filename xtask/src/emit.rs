//! The Rust text of one operation file: the request type (path, query and body
//! parameters), the answer's types, and the paging and deletion impls declared in
//! `specs/operations.toml`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};

use crate::specs::{FieldType, Lenient, Operation, PathType, Specs, StructDef, StructField};

/// Writes `text` as doc comments with `prefix` (`///`, `//!`).
pub fn doc(out: &mut String, prefix: &str, text: &str) {
    if text.is_empty() {
        let _ = writeln!(out, "{prefix}");
    }
    for line in text.lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{prefix}");
        } else {
            let _ = writeln!(out, "{prefix} {}", line.trim_end());
        }
    }
}

/// The Rust type of a path parameter.
pub fn path_rust_type(ty: PathType) -> &'static str {
    match ty {
        PathType::Integer => "i64",
        PathType::Text => "crate::PathId",
    }
}

/// One argument of an operation's `new()`: its name, Rust type and an example value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArg {
    /// The argument (and field) name.
    pub ident: String,
    /// Its Rust type, with `crate::` paths.
    pub ty: String,
    /// Where it goes.
    pub kind: ArgKind,
}

/// Where an argument of `new()` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A path parameter.
    Path(PathType),
    /// A mandatory query parameter.
    Query,
    /// A mandatory body field.
    Body,
}

/// The arguments of `new()`: path parameters, then mandatory query parameters, then
/// mandatory body fields.
pub fn new_args(op: &Operation) -> Vec<NewArg> {
    let mut out: Vec<NewArg> = op
        .path_params
        .iter()
        .map(|p| NewArg {
            ident: p.name.clone(),
            ty: path_rust_type(p.ty).to_owned(),
            kind: ArgKind::Path(p.ty),
        })
        .collect();
    out.extend(op.query.iter().filter(|q| q.required).map(|q| NewArg {
        ident: q.ident.clone(),
        ty: q.ty.rust(),
        kind: ArgKind::Query,
    }));
    out.extend(op.body.iter().filter(|f| f.required).map(|f| NewArg {
        ident: f.ident.clone(),
        ty: f.ty.rust(),
        kind: ArgKind::Body,
    }));
    out
}

/// Whether the request has optional parameters (then clients take the request value).
pub fn has_options(op: &Operation) -> bool {
    op.query.iter().any(|q| !q.required) || op.body.iter().any(|f| !f.required)
}

fn float_structs(op: &Operation) -> Vec<String> {
    // Structs are listed children first, so one pass settles them.
    let mut floaty: Vec<String> = Vec::new();
    for s in &op.structs {
        let f = |n: &str| floaty.iter().any(|x| x == n);
        if s.fields.iter().any(|x| x.ty.has_float(&f)) {
            floaty.push(s.name.clone());
        }
    }
    floaty
}

fn derives(eq: bool, extra: &str) -> String {
    let eq = if eq { ", Eq" } else { "" };
    format!("#[derive(Debug, Clone, PartialEq{eq}{extra})]")
}

/// Writes one response struct field.
fn response_field(s: &mut String, f: &StructField, serialize: bool) {
    let d = if f.description.trim().is_empty() {
        format!("The `{}` field.", f.name)
    } else {
        f.description.clone()
    };
    doc(s, "    ///", &d);
    let mut attrs: Vec<String> = Vec::new();
    let optional = !f.required || f.lenient != Lenient::No;
    if optional {
        attrs.push("default".into());
        if serialize {
            attrs.push("skip_serializing_if = \"Option::is_none\"".into());
        }
    }
    match f.lenient {
        Lenient::Bool => attrs.push("deserialize_with = \"crate::de::lenient_bool\"".into()),
        Lenient::String => attrs.push("deserialize_with = \"crate::de::lenient_string\"".into()),
        Lenient::No => {}
    }
    if f.ident.trim_start_matches("r#") != f.name {
        attrs.push(format!("rename = {:?}", f.name));
    }
    if !attrs.is_empty() {
        let _ = writeln!(s, "    #[serde({})]", attrs.join(", "));
    }
    let ty = f.ty.rust();
    if optional {
        let _ = writeln!(s, "    pub {}: Option<{ty}>,", f.ident);
    } else {
        let _ = writeln!(s, "    pub {}: {ty},", f.ident);
    }
}

fn struct_def(s: &mut String, op: &Operation, st: &StructDef, eq: bool) {
    let caption = if st.caption.is_empty() {
        String::new()
    } else {
        format!(" (*{}*)", st.caption)
    };
    doc(
        s,
        "///",
        &format!(
            "Part of the answer to [`{}`], as its table{caption} documents it.",
            op.type_name
        ),
    );
    let extra = if st.serialize {
        ", Default, serde::Serialize, serde::Deserialize"
    } else {
        ", Default, serde::Deserialize"
    };
    let _ = writeln!(s, "{}", derives(eq, extra));
    let _ = writeln!(s, "#[non_exhaustive]");
    let _ = writeln!(s, "pub struct {} {{", st.name);
    for f in &st.fields {
        response_field(s, f, st.serialize);
    }
    let _ = writeln!(s, "}}\n");
}

/// The example value of a `new()` argument in a doc test.
fn example_value(ty: &str, text: Option<&str>) -> String {
    match ty {
        "i64" => text.map_or("148".to_owned(), str::to_owned),
        "crate::PathId" => format!(
            "{:?}.parse()?",
            text.unwrap_or("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3")
        ),
        "String" => "\"example\".to_owned()".to_owned(),
        "Vec<i64>" => "vec![12, 232]".to_owned(),
        "Vec<String>" => "vec![\"a\".to_owned()]".to_owned(),
        "bool" => "true".to_owned(),
        _ => "Default::default()".to_owned(),
    }
}

/// The Rust source of one operation, unformatted.
pub fn operation_file(specs: &Specs, op: &Operation, header: &str) -> Result<String> {
    let page = &op.page;
    let name = &op.type_name;
    let request_line = format!("`{} {}`", page.method, page.path_template);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{header} from specs/{} — do not edit; change the page or specs/overrides.toml and rerun.",
        op.page_path
    );
    doc(&mut s, "//!", &request_line);
    let function = paragraphs(&page.function);
    if !function.is_empty() {
        doc(&mut s, "//!", "");
        doc(&mut s, "//!", &function.join("\n\n"));
    }
    doc(&mut s, "//!", "");
    let label = page
        .label
        .as_deref()
        .map(|l| format!(" (`{l}`)"))
        .unwrap_or_default();
    doc(
        &mut s,
        "//!",
        &format!("API reference page: *{}*{label}.", page.title),
    );
    s.push('\n');

    let floaty = float_structs(op);
    let is_floaty = |n: &str| floaty.iter().any(|x| x == n);
    let args = new_args(op);
    let has_body = !op.body.is_empty();

    // Request type.
    let summary = function
        .first()
        .copied()
        .unwrap_or("The operation described by its API reference page.");
    let mut type_doc = vec![
        summary.to_owned(),
        format!(
            "{request_line}; success: {}.",
            status_list(&op.success_status)
        ),
    ];
    type_doc.extend(function.iter().skip(1).map(|p| (*p).to_owned()));
    doc(&mut s, "///", &type_doc.join("\n\n"));
    let request_eq = !op.query.iter().any(|q| q.ty.has_float(&is_floaty))
        && !op.body.iter().any(|f| f.ty.has_float(&is_floaty));
    let mut extra = String::new();
    if args.is_empty() {
        extra.push_str(", Default");
    }
    if has_body {
        extra.push_str(", serde::Serialize");
    }
    let _ = writeln!(s, "{}", derives(request_eq, &extra));
    let _ = writeln!(s, "pub struct {name} {{");
    let skip = if has_body { "    #[serde(skip)]\n" } else { "" };
    for p in &op.path_params {
        let d = if p.description.trim().is_empty() {
            format!("The `{}` path parameter.", p.name)
        } else {
            p.description.clone()
        };
        doc(&mut s, "    ///", &d);
        s.push_str(skip);
        let _ = writeln!(s, "    pub {}: {},", p.name, path_rust_type(p.ty));
    }
    for q in &op.query {
        let d = if q.description.trim().is_empty() {
            format!("The `{}` query parameter.", q.name)
        } else {
            format!("{}\n\nQuery parameter `{}`.", q.description, q.name)
        };
        doc(&mut s, "    ///", &d);
        s.push_str(skip);
        if q.required {
            let _ = writeln!(s, "    pub {}: {},", q.ident, q.ty.rust());
        } else {
            let _ = writeln!(s, "    pub {}: Option<{}>,", q.ident, q.ty.rust());
        }
    }
    for f in &op.body {
        let d = if f.description.trim().is_empty() {
            format!("The `{}` body field.", f.name)
        } else {
            f.description.clone()
        };
        doc(&mut s, "    ///", &d);
        let mut attrs = Vec::new();
        if !f.required {
            attrs.push("skip_serializing_if = \"Option::is_none\"".to_owned());
        }
        if f.ident.trim_start_matches("r#") != f.name {
            attrs.push(format!("rename = {:?}", f.name));
        }
        if !attrs.is_empty() {
            let _ = writeln!(s, "    #[serde({})]", attrs.join(", "));
        }
        if f.required {
            let _ = writeln!(s, "    pub {}: {},", f.ident, f.ty.rust());
        } else {
            let _ = writeln!(s, "    pub {}: Option<{}>,", f.ident, f.ty.rust());
        }
    }
    let _ = writeln!(s, "}}\n");

    // Constructor and setters.
    let _ = writeln!(s, "impl {name} {{");
    let what = if args.is_empty() {
        "Creates the request (it has no mandatory parameters besides the project).".to_owned()
    } else {
        let names: Vec<String> = args.iter().map(|a| format!("`{}`", a.ident)).collect();
        format!("Creates the request for the given {}.", names.join(" and "))
    };
    doc(&mut s, "    ///", &what);
    doc(&mut s, "    ///", "");
    doc(&mut s, "    ///", &doc_example(op, &args));
    let sig: Vec<String> = args
        .iter()
        .map(|a| format!("{}: {}", a.ident, a.ty))
        .collect();
    let _ = writeln!(s, "    pub fn new({}) -> Self {{", sig.join(", "));
    let mut inits: Vec<String> = args.iter().map(|a| a.ident.clone()).collect();
    for q in op.query.iter().filter(|q| !q.required) {
        inits.push(format!("{}: None", q.ident));
    }
    for f in op.body.iter().filter(|f| !f.required) {
        inits.push(format!("{}: None", f.ident));
    }
    let _ = writeln!(s, "        Self {{ {} }}", inits.join(", "));
    let _ = writeln!(s, "    }}");
    for q in op.query.iter().filter(|q| !q.required) {
        setter(
            &mut s,
            &q.ident,
            &q.ty,
            &format!("Sets the `{}` query parameter.", q.name),
        );
    }
    for f in op.body.iter().filter(|f| !f.required) {
        setter(
            &mut s,
            &f.ident,
            &f.ty,
            &format!("Sets the `{}` body field.", f.name),
        );
    }
    let _ = writeln!(s, "}}\n");

    // Operation impl.
    let _ = writeln!(s, "impl crate::Operation for {name} {{");
    let _ = writeln!(s, "    type Response = {name}Response;");
    let _ = writeln!(s, "    const NAME: &'static str = {name:?};");
    let _ = writeln!(
        s,
        "    const SERVICE: crate::Service = crate::Service::{};",
        op.service_variant
    );
    let _ = writeln!(
        s,
        "    const METHOD: http::Method = http::Method::{};",
        page.method
    );
    let _ = writeln!(
        s,
        "    const PATH_TEMPLATE: &'static str = {:?};",
        page.path_template
    );
    let codes: Vec<String> = op.success_status.iter().map(u16::to_string).collect();
    let _ = writeln!(
        s,
        "    const SUCCESS_STATUS: &'static [u16] = &[{}];",
        codes.join(", ")
    );
    if op.read_only {
        let _ = writeln!(s, "    const READ_ONLY: bool = true;");
    }
    if let Some(content_type) = &page.content_type {
        let _ = writeln!(
            s,
            "    const CONTENT_TYPE: &'static str = {content_type:?};"
        );
    }
    s.push('\n');
    if op.path_params.is_empty() {
        let _ = writeln!(
            s,
            "    fn path_param(&self, _name: &str) -> Option<crate::PathValue<'_>> {{ None }}"
        );
    } else {
        let _ = writeln!(
            s,
            "    fn path_param(&self, name: &str) -> Option<crate::PathValue<'_>> {{"
        );
        let _ = writeln!(s, "        match name {{");
        for p in &op.path_params {
            let value = match p.ty {
                PathType::Integer => format!("crate::PathValue::Integer(self.{})", p.name),
                PathType::Text => format!("crate::PathValue::Text(&self.{})", p.name),
            };
            let _ = writeln!(s, "            {:?} => Some({value}),", p.name);
        }
        let _ = writeln!(s, "            _ => None,\n        }}\n    }}");
    }
    if !op.query.is_empty() {
        let _ = writeln!(s, "\n    fn query(&self, query: &mut crate::Query) {{");
        for q in &op.query {
            let call = match (&q.ty, q.required) {
                (FieldType::Vec(_), true) => {
                    format!("query.push_all({:?}, &self.{});", q.name, q.ident)
                }
                (FieldType::Vec(_), false) => format!(
                    "if let Some(v) = &self.{} {{ query.push_all({:?}, v); }}",
                    q.ident, q.name
                ),
                (_, true) => format!("query.push({:?}, &self.{});", q.name, q.ident),
                (_, false) => format!("query.push_opt({:?}, self.{}.as_ref());", q.name, q.ident),
            };
            let _ = writeln!(s, "        {call}");
        }
        let _ = writeln!(s, "    }}");
    }
    if has_body {
        let _ = writeln!(
            s,
            "\n    fn body(&self) -> Result<Option<Vec<u8>>, crate::BuildError> {{ crate::json_body(self) }}"
        );
    }
    let _ = writeln!(s, "}}\n");

    // Response types.
    let response_eq = |fields: &[StructField]| !fields.iter().any(|f| f.ty.has_float(&is_floaty));
    match &op.response_item {
        Some(item) => {
            doc(
                &mut s,
                "///",
                &format!(
                    "The body of a successful answer to [`{name}`]: a JSON array (an empty body reads as `[]`)."
                ),
            );
            let eq = !item.has_float(&is_floaty);
            let _ = writeln!(s, "{}", derives(eq, ", Default, serde::Deserialize"));
            let _ = writeln!(s, "#[serde(transparent)]");
            let _ = writeln!(s, "pub struct {name}Response(pub Vec<{}>);\n", item.rust());
        }
        None => {
            let mut rdoc = format!("The body of a successful answer to [`{name}`]");
            if op.response.is_empty() {
                rdoc.push_str(": the page documents no fields (an empty body reads as `{}`).");
            } else if op.response.iter().any(|f| f.required) {
                rdoc.push_str(", as its response table documents it; fields the page does not mark mandatory are optional.");
            } else {
                rdoc.push_str(", as its response table documents it; every field is optional.");
            }
            if let Some(flag) = &op.success_flag {
                let _ = write!(
                    rdoc,
                    "\n\n`{flag}` is the body's own verdict: `false` makes the answer an error even with a 2xx status."
                );
            }
            if op.response.is_empty() {
                rdoc.push_str(
                    " Any JSON body is read as this (ModelArts answers 202 with `\"\"`).",
                );
            }
            doc(&mut s, "///", &rdoc);
            let de = if op.response.is_empty() {
                ", Default"
            } else {
                ", Default, serde::Deserialize"
            };
            let _ = writeln!(s, "{}", derives(response_eq(&op.response), de));
            let _ = writeln!(s, "#[non_exhaustive]");
            let _ = writeln!(s, "pub struct {name}Response {{");
            for f in &op.response {
                response_field(&mut s, f, false);
            }
            let _ = writeln!(s, "}}\n");
            if op.response.is_empty() {
                // Nothing is documented: whatever JSON comes (`""`, `{}`, `null`) is read
                // and dropped, never a malformed answer.
                let _ = writeln!(
                    s,
                    "impl<'de> serde::Deserialize<'de> for {name}Response {{\n    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        serde::de::IgnoredAny::deserialize(deserializer)?;\n        Ok({name}Response {{}})\n    }}\n}}\n"
                );
            }
        }
    }
    for st in &op.structs {
        struct_def(&mut s, op, st, response_eq(&st.fields));
    }
    match &op.success_flag {
        Some(flag) => {
            let f = op
                .response
                .iter()
                .find(|f| &f.name == flag)
                .ok_or_else(|| anyhow!("{name}: the success flag {flag} is not a field"))?;
            let _ = writeln!(s, "impl crate::OperationResponse for {name}Response {{");
            let _ = writeln!(
                s,
                "    const SUCCESS_FLAG: Option<&'static str> = Some({:?});\n}}",
                f.name
            );
        }
        None if op.response_item.is_some() => {
            let _ = writeln!(s, "impl crate::OperationResponse for {name}Response {{");
            let _ = writeln!(s, "    const EMPTY_BODY: &'static [u8] = b\"[]\";\n}}");
        }
        None => {
            let _ = writeln!(s, "impl crate::OperationResponse for {name}Response {{}}");
        }
    }

    if let Some(p) = &op.paging {
        s.push('\n');
        paginated(&mut s, op, p)?;
    }
    if let Some(p) = &op.probe {
        s.push('\n');
        probe(&mut s, op, p)?;
    }
    if let Some(d) = &op.deletion {
        s.push('\n');
        deletion(&mut s, specs, op, d)?;
    }
    Ok(s)
}

fn setter(s: &mut String, ident: &str, ty: &FieldType, what: &str) {
    // Keywords stay raw identifiers (`r#type`); `new` is taken by the constructor.
    let method = if ident == "new" { "with_new" } else { ident };
    doc(s, "\n    ///", what);
    let _ = writeln!(s, "    #[must_use]");
    match ty {
        FieldType::String => {
            let _ = writeln!(
                s,
                "    pub fn {method}(mut self, {method}: impl Into<String>) -> Self {{ self.{ident} = Some({method}.into()); self }}"
            );
        }
        other => {
            let _ = writeln!(
                s,
                "    pub fn {method}(mut self, {method}: {}) -> Self {{ self.{ident} = Some({method}); self }}",
                other.rust()
            );
        }
    }
}

fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn status_list(codes: &[u16]) -> String {
    let v: Vec<String> = codes.iter().map(u16::to_string).collect();
    v.join(", ")
}

fn doc_example(op: &Operation, args: &[NewArg]) -> String {
    let name = &op.type_name;
    let values = example_values(op);
    let mut call = Vec::new();
    let mut asserts = Vec::new();
    let mut fallible = false;
    let mut path_values = values.iter();
    for a in args {
        let v = match a.kind {
            ArgKind::Path(_) => path_values.next().map(String::as_str),
            _ => None,
        };
        let value = example_value(&a.ty, v);
        match a.kind {
            ArgKind::Path(PathType::Integer) => {
                asserts.push(format!("assert_eq!(op.{}, {value});", a.ident));
            }
            ArgKind::Path(PathType::Text) => {
                fallible = true;
                let text = v.unwrap_or("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3");
                asserts.push(format!("assert_eq!(op.{}.as_str(), {text:?});", a.ident));
            }
            _ => {}
        }
        call.push(value);
    }
    let mut s = String::from("```\n");
    let _ = writeln!(s, "use otc_jobs_core::{}::{name};", op.service);
    let _ = writeln!(s, "use otc_jobs_core::Operation;\n");
    let _ = writeln!(s, "let op = {name}::new({});", call.join(", "));
    for a in asserts {
        let _ = writeln!(s, "{a}");
    }
    let _ = writeln!(
        s,
        "assert_eq!({name}::PATH_TEMPLATE, {:?});",
        op.page.path_template
    );
    if fallible {
        let _ = writeln!(s, "# Ok::<(), otc_jobs_core::InvalidPathId>(())");
    }
    s.push_str("```");
    s
}

/// A field of the answer, found by its JSON name in the struct named `owner` (`None`: the
/// top-level response).
fn find_field<'a>(op: &'a Operation, owner: Option<&str>, name: &str) -> Option<&'a StructField> {
    let fields = match owner {
        None => &op.response,
        Some(n) => &op.structs.iter().find(|s| s.name == n)?.fields,
    };
    fields.iter().find(|f| f.name == name)
}

/// Walks `path` (`job_list.jobs`) through the answer's types: each step's field.
fn walk<'a>(op: &'a Operation, path: &str) -> Result<Vec<&'a StructField>> {
    let mut owner: Option<String> = None;
    let mut out = Vec::new();
    for (i, seg) in path.split('.').enumerate() {
        if i > 0 && owner.is_none() {
            bail!(
                "{}: `{path}`: `{seg}` is inside a field that is not an object",
                op.type_name
            );
        }
        let f = find_field(op, owner.as_deref(), seg.trim_end_matches("[]")).ok_or_else(|| {
            anyhow!(
                "{}: the answer has no field `{seg}` on the path `{path}` (specs/operations.toml)",
                op.type_name
            )
        })?;
        owner = match &f.ty {
            FieldType::Named(n) => Some(n.clone()),
            FieldType::Vec(t) if seg.ends_with("[]") => match &**t {
                FieldType::Named(n) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        };
        out.push(f);
    }
    Ok(out)
}

fn is_optional(f: &StructField) -> bool {
    !f.required || f.lenient != Lenient::No
}

/// `response.a.as_ref()?.b.as_ref()?`: a reference to the last field's value.
fn borrow_chain(root: &str, steps: &[&StructField]) -> String {
    let mut e = root.to_owned();
    let n = steps.len();
    for (i, f) in steps.iter().enumerate() {
        if is_optional(f) {
            let _ = write!(e, ".{}.as_ref()?", f.ident);
        } else if i + 1 == n {
            e = format!("&{e}.{}", f.ident);
        } else {
            let _ = write!(e, ".{}", f.ident);
        }
    }
    e
}

fn u32_of(ty: &FieldType, v: &str) -> String {
    match ty {
        FieldType::String => format!("{v}.parse::<u32>().ok()"),
        _ => format!("u32::try_from(*{v}).ok()"),
    }
}

fn paginated(s: &mut String, op: &Operation, p: &crate::specs::PagingEntry) -> Result<()> {
    let name = &op.type_name;
    let ctx = |what: String| anyhow!("{name}: paging: {what}");
    let style = match p.style.as_str() {
        "page_number" => "PageNumber",
        "offset_limit" => "OffsetLimit",
        "marker" => "Marker",
        other => return Err(ctx(format!("unknown style `{other}`"))),
    };
    // The cursor and the size: query parameters, or fields of the request body (a search).
    let query = |n: &str| -> Result<(String, FieldType)> {
        let q = op
            .query
            .iter()
            .find(|q| q.name == n && !q.required)
            .map(|q| (q.ident.clone(), q.ty.clone()));
        let b = op
            .body
            .iter()
            .find(|f| f.name == n && !f.required)
            .map(|f| (f.ident.clone(), f.ty.clone()));
        match (q, b) {
            (Some(x), None) | (None, Some(x)) => Ok(x),
            (Some(_), Some(_)) => Err(ctx(format!(
                "`{n}` is both a query parameter and a body field"
            ))),
            (None, None) => Err(ctx(format!(
                "`{n}` is not an optional query parameter or body field"
            ))),
        }
    };
    let (cursor_ident, cursor_ty) = query(&p.cursor)?;
    let (size_ident, size_ty) = query(&p.size)?;
    let items = walk(op, &p.items)?;
    let Some(last) = items.last() else {
        return Err(ctx("empty items path".into()));
    };
    let item = match &last.ty {
        FieldType::Vec(t) => t.rust(),
        _ => return Err(ctx(format!("`{}` is not an array", p.items))),
    };
    let first = p
        .first_page
        .unwrap_or(if style == "PageNumber" { 1 } else { 0 });
    let _ = writeln!(s, "impl crate::Paginated for {name} {{");
    let _ = writeln!(s, "    type Item = {item};");
    let _ = writeln!(
        s,
        "    const STYLE: crate::PageStyle = crate::PageStyle::{style};"
    );
    let _ = writeln!(s, "    const FIRST_PAGE: u32 = {first};");
    let _ = writeln!(s, "    const MAX_PAGE_SIZE: u32 = {};\n", p.max_page_size);
    if let Some(max) = p.max_pages {
        let _ = writeln!(s, "    const MAX_PAGES: u32 = {max};\n");
    }
    let _ = writeln!(
        s,
        "    fn page_size(&self) -> Option<u32> {{ self.{}.as_ref().and_then(|v| {}) }}\n",
        size_ident,
        u32_of(&size_ty, "v")
    );
    let from_u32 = |ty: &FieldType, v: &str| match ty {
        FieldType::I64 => format!("i64::from({v})"),
        FieldType::String => format!("{v}.to_string()"),
        _ => format!("{v}.into()"),
    };
    let _ = writeln!(
        s,
        "    fn with_page(&self, cursor: &crate::PageCursor, size: u32) -> Self {{"
    );
    let _ = writeln!(s, "        let mut next = self.clone();");
    let _ = writeln!(
        s,
        "        next.{} = Some({});",
        size_ident,
        from_u32(&size_ty, "size")
    );
    match style {
        "PageNumber" => {
            let _ = writeln!(
                s,
                "        if let crate::PageCursor::Number(n) = cursor {{ next.{} = Some({}); }}",
                cursor_ident,
                from_u32(&cursor_ty, "*n")
            );
        }
        "OffsetLimit" => {
            let conv = match cursor_ty {
                FieldType::I64 => "i64::try_from(*offset).unwrap_or(i64::MAX)".to_owned(),
                _ => "offset.to_string()".to_owned(),
            };
            let _ = writeln!(
                s,
                "        if let crate::PageCursor::Offset(offset) = cursor {{ next.{} = Some({conv}); }}",
                cursor_ident
            );
        }
        _ => {
            if cursor_ty != FieldType::String {
                return Err(ctx("the marker parameter must be a String".into()));
            }
            let _ = writeln!(
                s,
                "        if let crate::PageCursor::Marker(marker) = cursor {{ next.{}.clone_from(marker); }}",
                cursor_ident
            );
        }
    }
    let _ = writeln!(s, "        next\n    }}\n");

    // Items: moved out of the answer.
    let mut e = "response".to_owned();
    for f in &items {
        let _ = write!(e, ".{}", f.ident);
        if is_optional(f) {
            e.push('?');
        }
    }
    // `a?.b?` is already an Option: no `Some(...?)` around it.
    let body = match e.strip_suffix('?') {
        Some(chain) => chain.to_owned(),
        None => format!("Some({e})"),
    };
    if items.len() == 1 && body != format!("Some({e})") {
        let _ = writeln!(
            s,
            "    fn into_items(response: Self::Response) -> Vec<Self::Item> {{ {body}.unwrap_or_default() }}\n"
        );
    } else {
        let resp = format!("{name}Response");
        let _ = writeln!(
            s,
            "    fn into_items(response: Self::Response) -> Vec<Self::Item> {{\n        fn items(response: {resp}) -> Option<Vec<{item}>> {{ {body} }}\n        items(response).unwrap_or_default()\n    }}\n"
        );
    }
    match &p.total {
        Some(path) => {
            let steps = walk(op, path)?;
            let Some(last) = steps.last() else {
                return Err(ctx("empty total path".into()));
            };
            let conv = match last.ty {
                FieldType::I64 => "u64::try_from(*total).ok()",
                FieldType::String => "total.parse().ok()",
                _ => return Err(ctx(format!("`{path}` is not a number"))),
            };
            let _ = writeln!(
                s,
                "    fn total(response: &Self::Response) -> Option<u64> {{ let total = {}; {conv} }}\n",
                borrow_chain("response", &steps)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "    fn total(_response: &Self::Response) -> Option<u64> {{ None }}\n"
            );
        }
    }
    match &p.next_marker {
        Some(path) => {
            let steps = walk(op, path)?;
            if steps.last().is_none_or(|f| f.ty != FieldType::String) {
                return Err(ctx(format!("`{path}` is not a String")));
            }
            let _ = writeln!(
                s,
                "    fn next_marker(response: &Self::Response) -> Option<String> {{ let marker = {}; Some(marker.clone()) }}",
                borrow_chain("response", &steps)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "    fn next_marker(_response: &Self::Response) -> Option<String> {{ None }}"
            );
        }
    }
    let _ = writeln!(s, "}}");
    if let Some(w) = &p.window {
        windowed(s, op, w, &item).map_err(|e| ctx(format!("window: {e}")))?;
    }
    Ok(())
}

/// `impl Windowed`: the window's bounds in the query, the order, the item's time and key.
fn windowed(
    s: &mut String,
    op: &Operation,
    w: &crate::specs::WindowEntry,
    item: &str,
) -> Result<()> {
    let name = &op.type_name;
    let param = |n: &str, ty: FieldType| -> Result<String> {
        op.query
            .iter()
            .find(|q| q.name == n && !q.required && q.ty == ty)
            .map(|q| q.ident.clone())
            .ok_or_else(|| {
                anyhow!(
                    "`{n}` is not an optional query parameter of type {}",
                    ty.rust()
                )
            })
    };
    let start = param(&w.start, FieldType::I64)?;
    let end = param(&w.end, FieldType::I64)?;
    let order = param(&w.order, FieldType::String)?;
    let fields = op
        .structs
        .iter()
        .find(|st| st.name == item)
        .map(|st| st.fields.as_slice())
        .ok_or_else(|| anyhow!("no struct {item}"))?;
    let field = |n: &str, ty: FieldType| -> Result<(String, bool)> {
        fields
            .iter()
            .find(|f| f.name == n && f.ty == ty)
            .map(|f| (f.ident.clone(), f.required))
            .ok_or_else(|| anyhow!("{item} has no field `{n}` of type {}", ty.rust()))
    };
    let (time, time_required) = field(&w.time, FieldType::I64)?;
    let (key, key_required) = field(&w.key, FieldType::String)?;
    let newest: Vec<String> = w.newest_first.iter().map(|v| format!("{v:?}")).collect();
    let _ = writeln!(s, "\nimpl crate::Windowed for {name} {{");
    let _ = writeln!(
        s,
        "    fn window(&self) -> (Option<i64>, Option<i64>) {{ (self.{start}, self.{end}) }}\n"
    );
    let _ = writeln!(
        s,
        "    fn with_window(&self, start: Option<i64>, end: Option<i64>) -> Self {{\n        let mut next = self.clone();\n        next.{start} = start;\n        next.{end} = end;\n        next\n    }}\n"
    );
    let _ = writeln!(
        s,
        "    fn newest_first(&self) -> bool {{ [{}].contains(&self.{order}.as_deref().unwrap_or({:?})) }}\n",
        newest.join(", "),
        w.default_order
    );
    let time_expr = if time_required {
        format!("Some(item.{time})")
    } else {
        format!("item.{time}")
    };
    let _ = writeln!(
        s,
        "    fn item_time(item: &Self::Item) -> Option<i64> {{ {time_expr} }}\n"
    );
    let key_expr = if key_required {
        format!("item.{key}.clone()")
    } else {
        format!("item.{key}.clone().unwrap_or_default()")
    };
    let _ = writeln!(
        s,
        "    fn item_key(item: &Self::Item) -> String {{ {key_expr} }}"
    );
    let _ = writeln!(s, "}}");
    Ok(())
}

/// `DeletionProbe::job_name` of a probe with a `name` path (nothing without one: the
/// trait's default says none).
fn probe_name(op: &Operation, p: &crate::specs::ProbeEntry) -> Result<String> {
    let name = &op.type_name;
    let Some(path) = &p.name else {
        return Ok(String::new());
    };
    if path.contains("[]") {
        bail!("{name}: probe: the name path `{path}` walks a list: a job has one name");
    }
    let steps = walk(op, path)?;
    if !matches!(steps.last().map(|f| &f.ty), Some(FieldType::String)) {
        bail!("{name}: probe: the name `{path}` is not a string");
    }
    let mut e = "std::iter::once(response)".to_owned();
    for f in &steps {
        if is_optional(f) {
            let _ = write!(e, ".filter_map(|x| x.{}.as_ref())", f.ident);
        } else {
            let _ = write!(e, ".map(|x| &x.{})", f.ident);
        }
    }
    Ok(format!(
        "\n\n    fn job_name(response: &Self::Response) -> Option<String> {{ {e}.next().cloned() }}\n"
    ))
}

fn probe(s: &mut String, op: &Operation, p: &crate::specs::ProbeEntry) -> Result<()> {
    let name = &op.type_name;
    let job_name = probe_name(op, p)?;
    let Some(status) = &p.status else {
        if !p.failed.is_empty() {
            bail!("{name}: probe: `failed` statuses without a `status` path");
        }
        let _ = writeln!(s, "impl crate::DeletionProbe for {name} {{");
        let _ = writeln!(
            s,
            "    fn job_state(_response: &Self::Response) -> crate::JobState {{ crate::JobState::Present {{ status: None }} }}{job_name}\n}}"
        );
        return Ok(());
    };
    let steps = walk(op, status)?;
    let segs: Vec<&str> = status.split('.').collect();
    let Some(last) = steps.last() else {
        bail!("{name}: probe: empty status path");
    };
    if !matches!(
        last.ty,
        FieldType::String | FieldType::I64 | FieldType::Bool
    ) {
        bail!("{name}: probe: `{status}` is not a scalar");
    }
    // Every status on the path, as text: `versions[].status` reads each version's.
    let mut e = "std::iter::once(response)".to_owned();
    for (f, seg) in steps.iter().zip(&segs) {
        if is_optional(f) {
            let _ = write!(e, ".filter_map(|x| x.{}.as_ref())", f.ident);
        } else {
            let _ = write!(e, ".map(|x| &x.{})", f.ident);
        }
        if seg.ends_with("[]") {
            e.push_str(".flat_map(|v| v.iter())");
        }
    }
    let failed: Vec<String> = p.failed.iter().map(|f| format!("{f:?}")).collect();
    let _ = writeln!(s, "impl crate::DeletionProbe for {name} {{");
    let _ = writeln!(
        s,
        "    fn job_state(response: &Self::Response) -> crate::JobState {{"
    );
    let _ = writeln!(
        s,
        "        const FAILED: &[&str] = &[{}];",
        failed.join(", ")
    );
    let _ = writeln!(
        s,
        "        let statuses: Vec<String> = {e}.map(ToString::to_string).collect();"
    );
    let _ = writeln!(
        s,
        "        match statuses.iter().find(|s| FAILED.contains(&s.as_str())) {{\n            Some(status) => crate::JobState::Failed {{ status: status.clone() }},\n            None => crate::JobState::Present {{ status: statuses.into_iter().next() }},\n        }}\n    }}{job_name}\n}}"
    );
    Ok(())
}

fn deletion(
    s: &mut String,
    specs: &Specs,
    op: &Operation,
    d: &crate::specs::DeletionEntry,
) -> Result<()> {
    let name = &op.type_name;
    let Some(probe) = &d.probe else {
        if d.asynchronous {
            bail!("{name}: deletion: an asynchronous deletion needs a `probe` to wait with");
        }
        return Ok(());
    };
    let target = specs
        .operations
        .iter()
        .find(|o| &o.type_name == probe)
        .ok_or_else(|| anyhow!("{name}: deletion: no operation named {probe}"))?;
    if target.probe.is_none() {
        bail!(
            "{name}: deletion: {} declares no `probe` (where its answer has the status)",
            probe
        );
    }
    if let Some(ids) = &d.ids {
        // A deletion of many ids: the probe takes one, so the kind table pairs them.
        if !op.body.iter().any(|f| &f.name == ids && f.required) {
            bail!("{name}: deletion: `ids` names {ids}, which is not a mandatory body field");
        }
        return Ok(());
    }
    let mine = new_args(op);
    let mut call = Vec::new();
    for a in new_args(target) {
        let m = mine
            .iter()
            .find(|m| m.ident == a.ident && m.ty == a.ty)
            .ok_or_else(|| {
                anyhow!(
                    "{name}: deletion: {}::new needs `{}: {}`, which {name} does not have",
                    probe,
                    a.ident,
                    a.ty
                )
            })?;
        call.push(match m.ty.as_str() {
            "i64" => format!("self.{}", m.ident),
            _ => format!("self.{}.clone()", m.ident),
        });
    }
    let _ = writeln!(s, "impl crate::Deletion for {name} {{");
    let _ = writeln!(
        s,
        "    type Probe = super::{}::{};",
        target.module, target.type_name
    );
    let _ = writeln!(s, "    const ASYNCHRONOUS: bool = {};\n", d.asynchronous);
    let _ = writeln!(
        s,
        "    fn probe(&self) -> Self::Probe {{ super::{}::{}::new({}) }}\n}}",
        target.module,
        target.type_name,
        call.join(", ")
    );
    Ok(())
}

/// A client the generator writes methods for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTarget {
    /// The file, relative to the workspace root.
    pub file: &'static str,
    /// The crate name as used in code (`otc_jobs_async`).
    pub krate: &'static str,
    /// Whether the methods are `async`.
    pub is_async: bool,
    /// The kind dispatch file, relative to the workspace root.
    pub kinds_file: &'static str,
}

/// The two clients: one plain Rust file of methods each.
pub const CLIENTS: [ClientTarget; 2] = [
    ClientTarget {
        file: "crates/transport-async/src/operations.rs",
        krate: "otc_jobs_async",
        is_async: true,
        kinds_file: "crates/transport-async/src/kinds.rs",
    },
    ClientTarget {
        file: "crates/transport-blocking/src/operations.rs",
        krate: "otc_jobs_blocking",
        is_async: false,
        kinds_file: "crates/transport-blocking/src/kinds.rs",
    },
];

/// The Rust source of one client's `operations.rs`, unformatted: one method per operation
/// (the module name), in the order of `specs/operations.toml`. An operation with optional
/// parameters takes its request value (`list_flink_jobs(ListFlinkJobs::new().limit(10))`);
/// one with only mandatory parameters takes them as arguments (`delete_flink_job(148)`).
pub fn client_file(specs: &Specs, client: &ClientTarget, header: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{header} from specs/operations.toml — do not edit; change the pages, specs/operations.toml or specs/overrides.toml and rerun."
    );
    doc(
        &mut s,
        "//!",
        "The client's methods, one per operation generated from the API reference pages in\n`specs/`: each builds the operation and sends it with `send_impl`.",
    );
    let _ = writeln!(s, "\nuse crate::Client;\nuse otc_jobs_core::Error;\n");
    let (asyn, awaitt) = if client.is_async {
        ("async ", ".await")
    } else {
        ("", "")
    };
    let _ = writeln!(s, "impl Client {{");
    for op in &specs.operations {
        let module = format!("otc_jobs_core::{}", op.service);
        let ty = format!("{module}::{}", op.type_name);
        let response = format!("{module}::{}Response", op.type_name);
        let takes_request = has_options(op);
        let args = new_args(op);
        let mut mdoc = method_doc(specs, op);
        let _ = write!(
            mdoc,
            "\n\nSends [`{}`](otc_jobs_core::{}::{}) and returns its response.",
            op.type_name, op.service, op.type_name
        );
        // The example: a function given a client, compiled and run by `cargo test --doc`
        // without calling the service.
        let call_args = if takes_request {
            format!("{}::new({})", op.type_name, example_args(op, &args))
        } else {
            example_args(op, &args)
        };
        let _ = write!(
            mdoc,
            "\n\n```\nuse {}::Client;\n{}\n{}fn example(client: &Client) -> Result<(), Box<dyn std::error::Error>> {{\n    let answer = client.{}({call_args}){awaitt}?;\n    let _ = answer;\n    Ok(())\n}}\n# let _ = example;\n```",
            client.krate,
            if takes_request {
                format!(
                    "use {}::otc_jobs_core::{}::{};",
                    client.krate, op.service, op.type_name
                )
            } else {
                String::new()
            },
            asyn,
            op.module,
        );
        s.push('\n');
        doc(&mut s, "    ///", &mdoc);
        if takes_request {
            let _ = writeln!(
                s,
                "    pub {asyn}fn {}(&self, request: {ty}) -> Result<{response}, Error> {{ self.send_impl(&request){awaitt} }}",
                op.module
            );
        } else {
            let sig: Vec<String> = args
                .iter()
                .map(|a| {
                    format!(
                        "{}: {}",
                        a.ident,
                        a.ty.replace("crate::", "otc_jobs_core::")
                    )
                })
                .collect();
            let names: Vec<&str> = args.iter().map(|a| a.ident.as_str()).collect();
            let _ = writeln!(
                s,
                "    pub {asyn}fn {}(&self, {}) -> Result<{response}, Error> {{ self.send_impl(&{ty}::new({})){awaitt} }}",
                op.module,
                sig.join(", "),
                names.join(", ")
            );
        }
    }
    let _ = writeln!(s, "}}");
    s
}

fn example_args(op: &Operation, args: &[NewArg]) -> String {
    let values = example_values(op);
    let mut path_values = values.iter();
    args.iter()
        .map(|a| {
            let v = match a.kind {
                ArgKind::Path(_) => path_values.next().map(String::as_str),
                _ => None,
            };
            example_value(&a.ty, v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Example values for the doc test: from the page's example request when it fills the
/// template, otherwise fixed placeholders.
pub(crate) fn example_values(op: &Operation) -> Vec<String> {
    let from_page = op
        .page
        .examples
        .iter()
        .filter(|e| e.request)
        .find_map(|e| match_template(&op.page.path_template, &e.text));
    let mut next_int = 148_i64;
    let mut texts = ["669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3", "abc", "def", "ghi"].into_iter();
    op.path_params
        .iter()
        .map(|p| {
            let found = from_page
                .as_ref()
                .and_then(|m| m.get(&p.name))
                .filter(|v| match p.ty {
                    PathType::Integer => v.parse::<i64>().is_ok(),
                    PathType::Text => {
                        !v.is_empty()
                            && *v != "."
                            && *v != ".."
                            && !v.contains(['{', '}', '"', '\\'])
                    }
                });
            match (found, p.ty) {
                (Some(v), _) => v.clone(),
                (None, PathType::Integer) => {
                    next_int += 1;
                    (next_int - 1).to_string()
                }
                (None, PathType::Text) => texts.next().unwrap_or("id").to_owned(),
            }
        })
        .collect()
}

/// Matches `METHOD https://host/path` (or `METHOD /path`) against the template.
fn match_template(template: &str, example: &str) -> Option<BTreeMap<String, String>> {
    let line = example.lines().find(|l| !l.trim().is_empty())?;
    let url = line.split_whitespace().nth(1)?;
    let path = match url.find("://") {
        Some(i) => &url[i + 3..][url[i + 3..].find('/')?..],
        None => url,
    };
    let path = path.split('?').next()?;
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut out = BTreeMap::new();
    for (a, b) in t.iter().zip(&p) {
        if let Some(name) = a.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            if !b.starts_with('{') {
                out.insert(name.to_owned(), (*b).to_owned());
            }
        } else if a != b {
            return None;
        }
    }
    Some(out)
}

/// The doc of an operation's client method: the first sentence of the page's Function
/// text, then the page title, the service and the request line, e.g.
/// ``This API is used to delete a Flink job in any state.`` and
/// ``Deleting a Job (Data Lake Insight): `DELETE /v1.0/...`.``
pub fn method_doc(specs: &Specs, op: &Operation) -> String {
    // The service's name is its module doc up to " (`dli`)", else the folder name.
    let service = specs
        .services
        .get(&op.service)
        .and_then(|s| s.doc.split(" (`").next())
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.contains(['\n', '`']))
        .unwrap_or(&op.service);
    let reference = format!(
        "{} ({service}): `{} {}`.",
        op.page.title.trim(),
        op.page.method,
        op.page.path_template
    );
    match paragraphs(&op.page.function).first() {
        Some(first) => {
            let sentence = match first.find(". ") {
                Some(end) => &first[..=end],
                None => first,
            };
            format!("{}\n\n{reference}", sentence.replace('\n', " "))
        }
        None => reference,
    }
}
