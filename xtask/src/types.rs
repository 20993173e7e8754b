//! From the Type cells of a page's parameter tables to Rust types: scalars, arrays
//! (`[Long]`, `Array of Strings`, `List<…>`, `JSON Array`, `**jobs** array`), maps, and
//! objects whose rows stand in a nested table (found by the `:ref:` in the Description
//! cell, else by the caption `<field> parameters`), which become named structs.
//!
//! A type the reader does not know becomes `serde_json::Value` with a note, never a
//! failure.

use std::collections::BTreeMap;

use crate::page::{Field, FieldTable};

/// The Rust type of a documented field (without the `Option` around it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i64`: `Long` and `Integer` alike. An `Integer` is 32 bits on the services' side,
    /// but the pages put Long values in some (ids, millisecond times) and a value one type
    /// too wide would make a whole answer unreadable; `i64` reads both.
    I64,
    /// `f64`.
    F64,
    /// `serde_json::Value`: an object without a table, or a type not understood.
    Value,
    /// `std::collections::BTreeMap<String, V>`.
    Map(Box<FieldType>),
    /// `Vec<T>`.
    Vec(Box<FieldType>),
    /// A generated struct of this name.
    Named(String),
}

impl FieldType {
    /// The Rust spelling, with `crate::`-free std paths.
    pub fn rust(&self) -> String {
        match self {
            FieldType::String => "String".into(),
            FieldType::Bool => "bool".into(),
            FieldType::I64 => "i64".into(),
            FieldType::F64 => "f64".into(),
            FieldType::Value => "serde_json::Value".into(),
            FieldType::Map(v) => format!("std::collections::BTreeMap<String, {}>", v.rust()),
            FieldType::Vec(t) => format!("Vec<{}>", t.rust()),
            FieldType::Named(n) => n.clone(),
        }
    }

    /// Whether the type holds a float somewhere (then it is not `Eq`), given the named
    /// structs that do.
    pub fn has_float(&self, floaty: &dyn Fn(&str) -> bool) -> bool {
        match self {
            FieldType::F64 => true,
            FieldType::Map(t) | FieldType::Vec(t) => t.has_float(floaty),
            FieldType::Named(n) => floaty(n),
            _ => false,
        }
    }

    /// Whether the type is a plain scalar (a query parameter's kind).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            FieldType::String | FieldType::Bool | FieldType::I64 | FieldType::F64
        )
    }
}

/// What a Type cell says, before nested tables are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A scalar.
    Scalar(FieldType),
    /// An object (its rows may be in a nested table).
    Object,
    /// A map from strings to the shape.
    Map(Box<Shape>),
    /// An array of the shape.
    Array(Box<Shape>),
    /// Any JSON value, chosen (an override's `Any`): `serde_json::Value`, not a fallback.
    Any,
    /// Not understood.
    Unknown,
}

/// The spellings of scalar types that the pages use but that are not the usual
/// ones (`Int`, `Bool`): each needs a `[[type_spelling]]` entry saying what it means.
pub const NONSTANDARD: [&str; 2] = ["int", "bool"];

/// Reads a Type cell (plain text).
///
/// ```
/// use xtask::types::{classify, FieldType, Shape};
/// assert_eq!(classify("[Long]"), Shape::Array(Box::new(Shape::Scalar(FieldType::I64))));
/// assert_eq!(classify("Array of Strings"), Shape::Array(Box::new(Shape::Scalar(FieldType::String))));
/// assert_eq!(classify("jobs array"), Shape::Array(Box::new(Shape::Object)));
/// assert_eq!(classify("JobMetadata object"), Shape::Object);
/// assert_eq!(classify("Array of JobResponse objects"), Shape::Array(Box::new(Shape::Object)));
/// assert_eq!(classify("Frobnicator"), Shape::Unknown);
/// ```
pub fn classify(text: &str) -> Shape {
    let t = text
        .replace("**", "")
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let t = t.trim();
    if let Some(s) = scalar(t) {
        return Shape::Scalar(s);
    }
    match t {
        "object" | "json" | "jsonobject" | "json object" | "dict" | "struct" | "objects" => {
            return Shape::Object;
        }
        "array" | "list" | "json array" | "jsonarray" | "array of objects" | "array of object"
        | "list of objects" => return Shape::Array(Box::new(Shape::Object)),
        "map" => return Shape::Map(Box::new(Shape::Unknown)),
        "any" => return Shape::Any,
        _ => {}
    }
    // A named object type, its table linked (`JobMetadata object`, `SpecResponce object`).
    if let Some(name) = t
        .strip_suffix(" object")
        .or_else(|| t.strip_suffix(" objects"))
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Shape::Object;
    }
    // Generic forms: `array<x>`, `list<x>`, `map<string, x>`, `[x]`, `x[]`, `array of x`,
    // `list of x`, `x array`, `x list`.
    for (open, close) in [
        ("array<", ">"),
        ("list<", ">"),
        ("set<", ">"),
        ("array[", "]"),
        ("list[", "]"),
        ("[", "]"),
    ] {
        if let Some(inner) = t.strip_prefix(open).and_then(|x| x.strip_suffix(close)) {
            return Shape::Array(Box::new(element(inner)));
        }
    }
    if let Some(inner) = t.strip_prefix("map<").and_then(|x| x.strip_suffix('>')) {
        let value = inner.split_once(',').map_or("", |(_, v)| v);
        return Shape::Map(Box::new(element(value)));
    }
    if let Some(inner) = t.strip_suffix("[]") {
        return Shape::Array(Box::new(element(inner)));
    }
    for prefix in ["array of ", "list of ", "json array of "] {
        if let Some(inner) = t.strip_prefix(prefix) {
            return Shape::Array(Box::new(element(inner)));
        }
    }
    for suffix in [" array", " list"] {
        if let Some(inner) = t.strip_suffix(suffix) {
            return Shape::Array(Box::new(element(inner)));
        }
    }
    Shape::Unknown
}

/// The element of an array: a scalar, else an object (`jobs array`: rows of a table).
fn element(text: &str) -> Shape {
    let t = text.trim();
    let singular = t.strip_suffix('s').unwrap_or(t);
    match classify(t) {
        Shape::Unknown => match classify(singular) {
            Shape::Unknown => Shape::Object,
            s => s,
        },
        s => s,
    }
}

fn scalar(t: &str) -> Option<FieldType> {
    Some(match t {
        "string" | "str" | "enum" | "uuid" => FieldType::String,
        "boolean" | "bool" => FieldType::Bool,
        "long" | "int64" | "bigint" | "integer" | "int" | "int32" | "short" => FieldType::I64,
        // MRS v2 (`submitted_time_begin`): "UTC timestamp ..., in milliseconds".
        "timestamp" => FieldType::I64,
        "number" | "float" | "double" | "bigdecimal" | "decimal" => FieldType::F64,
        _ => return None,
    })
}

/// One field of a generated struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructField {
    /// The JSON name.
    pub name: String,
    /// The Rust identifier.
    pub ident: String,
    /// The Rust type (inside `Option` unless `required`).
    pub ty: FieldType,
    /// The page says Mandatory: yes (the field is not an `Option`).
    pub required: bool,
    /// How to read it leniently, if the pages and servers disagree.
    pub lenient: Lenient,
    /// The doc (Markdown).
    pub description: String,
    /// The path from the body's root, e.g. `job_list.jobs.status`.
    pub path: String,
}

/// A lenient deserializer from `otc_jobs_core::de`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lenient {
    /// As documented.
    No,
    /// `lenient_bool`: `true` or `"true"`.
    Bool,
    /// `lenient_string`: a string or a number, read as text.
    String,
}

/// A generated struct (a nested table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructDef {
    /// Rust type name.
    pub name: String,
    /// Where it comes from, for its doc (`Table 4 jobs parameters`).
    pub caption: String,
    /// Its fields.
    pub fields: Vec<StructField>,
    /// Part of a request body: also `Serialize`, absent fields skipped.
    pub serialize: bool,
}

/// An adjustment of one field (from `specs/overrides.toml`).
#[derive(Debug, Clone, Default)]
pub struct FieldAdjust {
    /// A type text replacing the page's.
    pub type_text: Option<String>,
    /// Read leniently.
    pub lenient: Option<Lenient>,
    /// The JSON name the service really uses.
    pub rename: Option<String>,
    /// Optional although the page marks it mandatory.
    pub optional: bool,
    /// `cargo xtask scratch`'s defaults: String and Boolean read leniently, Integer as
    /// `i64` (millisecond timestamps are documented as Integer on some pages).
    pub scratch: bool,
}

/// A field the reader had to give `serde_json::Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The field's path.
    pub path: String,
    /// Line of its row.
    pub line: usize,
    /// The Type cell.
    pub type_text: String,
}

/// Builds the types of one body (request or response) from its tables.
pub struct Builder<'a> {
    tables: &'a [FieldTable],
    prefix: String,
    /// Type names by table index.
    named: BTreeMap<usize, String>,
    used_names: Vec<String>,
    /// The structs made, in the order they were met.
    pub structs: Vec<StructDef>,
    /// Fields that fell back to `serde_json::Value`.
    pub fallbacks: Vec<Fallback>,
    /// Every field path met (for overrides to be checked against).
    pub paths: Vec<String>,
    /// Nonstandard spellings met: (spelling as written, line).
    pub spellings: Vec<(String, usize)>,
    adjust: &'a dyn Fn(&str) -> FieldAdjust,
}

impl<'a> Builder<'a> {
    /// A builder for the tables of one body; struct names start with `prefix` (the
    /// operation's type name); `adjust` gives the override of a field path.
    pub fn new(
        tables: &'a [FieldTable],
        prefix: &str,
        reserved: &[String],
        adjust: &'a dyn Fn(&str) -> FieldAdjust,
    ) -> Self {
        Builder {
            tables,
            prefix: prefix.to_owned(),
            named: BTreeMap::new(),
            used_names: reserved.to_vec(),
            structs: Vec::new(),
            fallbacks: Vec::new(),
            paths: Vec::new(),
            spellings: Vec::new(),
            adjust,
        }
    }

    /// The fields of the top-level table (table 0), with nested structs made on the way.
    pub fn top(&mut self) -> Vec<StructField> {
        let Some(first) = self.tables.first() else {
            return Vec::new();
        };
        let mut stack = vec![0];
        self.fields(&first.fields, 0, "", &mut stack)
    }

    fn fields(
        &mut self,
        fields: &[Field],
        table: usize,
        parent: &str,
        stack: &mut Vec<usize>,
    ) -> Vec<StructField> {
        let mut out: Vec<StructField> = Vec::new();
        for f in fields {
            let path = if parent.is_empty() {
                f.name.clone()
            } else {
                format!("{parent}.{}", f.name)
            };
            self.paths.push(path.clone());
            let adj = (self.adjust)(&path);
            let type_text = adj
                .type_text
                .clone()
                .or_else(|| f.type_.clone())
                .unwrap_or_default();
            let lower = type_text.trim().to_ascii_lowercase();
            if adj.type_text.is_none() && NONSTANDARD.contains(&lower.as_str()) {
                self.spellings.push((type_text.trim().to_owned(), f.line));
            }
            let shape = classify(&type_text);
            let ty = self.resolve(&shape, f, table, &path, stack);
            let mut lenient = adj.lenient.unwrap_or(Lenient::No);
            if adj.scratch && adj.lenient.is_none() {
                lenient = match ty {
                    FieldType::Bool => Lenient::Bool,
                    FieldType::String => Lenient::String,
                    _ => Lenient::No,
                };
            }
            let json_name = adj.rename.clone().unwrap_or_else(|| f.name.clone());
            let ident = ident_for(&json_name);
            if out.iter().any(|o| o.ident == ident) {
                continue;
            }
            out.push(StructField {
                name: json_name,
                ident,
                ty,
                required: f.mandatory && !adj.optional,
                lenient,
                description: f.description.clone(),
                path,
            });
        }
        out
    }

    fn resolve(
        &mut self,
        shape: &Shape,
        f: &Field,
        table: usize,
        path: &str,
        stack: &mut Vec<usize>,
    ) -> FieldType {
        match shape {
            Shape::Scalar(s) => s.clone(),
            Shape::Any => FieldType::Value,
            Shape::Unknown => {
                self.fallbacks.push(Fallback {
                    path: path.to_owned(),
                    line: f.line,
                    type_text: f.type_.clone().unwrap_or_default(),
                });
                FieldType::Value
            }
            Shape::Map(v) => {
                let inner = match &**v {
                    Shape::Unknown => FieldType::Value,
                    other => self.resolve(other, f, table, path, stack),
                };
                FieldType::Map(Box::new(inner))
            }
            Shape::Array(e) => {
                FieldType::Vec(Box::new(self.resolve_element(e, f, table, path, stack)))
            }
            Shape::Object => match self.nested(f, table) {
                Some(i) => self.named_type(i, &f.name, false, path, stack),
                // An object without a table: any JSON.
                None => FieldType::Value,
            },
        }
    }

    fn resolve_element(
        &mut self,
        e: &Shape,
        f: &Field,
        table: usize,
        path: &str,
        stack: &mut Vec<usize>,
    ) -> FieldType {
        match e {
            Shape::Object => match self.nested(f, table) {
                Some(i) => self.named_type(i, &f.name, true, path, stack),
                None => FieldType::Value,
            },
            other => self.resolve(other, f, table, path, stack),
        }
    }

    /// The nested table of `f`: one its description refers to by label, else one whose
    /// caption is `<name> parameters`; never the table it stands in.
    fn nested(&self, f: &Field, table: usize) -> Option<usize> {
        let by_label = self.tables.iter().enumerate().position(|(i, t)| {
            i != table
                && t.label
                    .as_deref()
                    .is_some_and(|l| f.refs.iter().any(|r| r == l))
        });
        by_label.or_else(|| {
            let name = f.name.to_ascii_lowercase();
            self.tables
                .iter()
                .enumerate()
                .position(|(i, t)| i != table && caption_subject(t).as_deref() == Some(&name))
        })
    }

    fn named_type(
        &mut self,
        index: usize,
        field: &str,
        element: bool,
        path: &str,
        stack: &mut Vec<usize>,
    ) -> FieldType {
        if let Some(name) = self.named.get(&index) {
            return FieldType::Named(name.clone());
        }
        if stack.contains(&index) {
            // A table that (indirectly) contains itself: stop here.
            return FieldType::Value;
        }
        // The elements of a top-level array answer (`[]`) are the operation's items.
        let stem = match camel(field) {
            s if s.is_empty() => "Item".to_owned(),
            s => s,
        };
        let mut base = format!("{}{stem}", self.prefix);
        if element && !stem.is_empty() && field != "[]" {
            base = singular(&base);
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.used_names.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.used_names.push(name.clone());
        self.named.insert(index, name.clone());
        let table = &self.tables[index];
        stack.push(index);
        let fields = self.fields(&table.fields, index, path, stack);
        stack.pop();
        self.structs.push(StructDef {
            name: name.clone(),
            caption: table.caption.clone().unwrap_or_default(),
            fields,
            serialize: false,
        });
        FieldType::Named(name)
    }
}

/// `**jobs** parameters` → `jobs`; `job_configs parameter description` → `job_configs`.
fn caption_subject(t: &FieldTable) -> Option<String> {
    let c = t.caption.as_deref()?.replace("**", "").to_ascii_lowercase();
    let mut c = c.trim();
    for suffix in [
        "parameter description",
        "parameters description",
        "parameters",
        "parameter",
        "description",
        "field description",
        "fields",
    ] {
        if let Some(rest) = c.strip_suffix(suffix) {
            c = rest.trim();
            break;
        }
    }
    Some(c.to_owned())
}

/// The Rust identifier of a JSON name: itself when snake_case (raw for keywords), else its
/// snake_case form (`sortBy` → `sort_by`, `Id` → `id`, `Array elements` → `array_elements`).
pub fn ident_for(name: &str) -> String {
    if let Some(id) = crate::names::rust_ident(name) {
        return id;
    }
    let mut s = crate::names::snake_case(&camel(name));
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "field_");
    }
    crate::names::rust_ident(&s).unwrap_or(s)
}

/// `job_list` → `JobList`, `sortBy` → `SortBy`, `Array elements` → `ArrayElements`.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = part.chars();
        if let Some(c) = cs.next() {
            out.push(c.to_ascii_uppercase());
            out.push_str(cs.as_str());
        }
    }
    out
}

/// `ListTrainingJobsJobs` → `ListTrainingJobsJob` (one of a list); `...Status` stays.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = name.strip_suffix("uses") {
        return format!("{stem}us");
    }
    if name.ends_with("ss") || name.ends_with("us") {
        return name.to_owned();
    }
    name.strip_suffix('s').unwrap_or(name).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_cells() {
        let arr = |s: Shape| Shape::Array(Box::new(s));
        assert_eq!(
            classify("List<String>"),
            arr(Shape::Scalar(FieldType::String))
        );
        assert_eq!(classify("JSON Array"), arr(Shape::Object));
        assert_eq!(classify("Array<Object>"), arr(Shape::Object));
        assert_eq!(classify("Array of objects"), arr(Shape::Object));
        assert_eq!(classify("String[]"), arr(Shape::Scalar(FieldType::String)));
        assert_eq!(classify("Int"), Shape::Scalar(FieldType::I64));
        assert_eq!(classify("Float"), Shape::Scalar(FieldType::F64));
        assert_eq!(classify("TimeStamp"), Shape::Scalar(FieldType::I64));
        assert_eq!(classify("Object"), Shape::Object);
        assert_eq!(
            classify("Map<String,String>"),
            Shape::Map(Box::new(Shape::Scalar(FieldType::String)))
        );
    }

    #[test]
    fn names() {
        assert_eq!(ident_for("sortBy"), "sort_by");
        assert_eq!(ident_for("Id"), "id");
        assert_eq!(ident_for("type"), "r#type");
        assert_eq!(ident_for("Array elements"), "array_elements");
        assert_eq!(singular("ListTrainingJobsJobs"), "ListTrainingJobsJob");
        assert_eq!(singular("GetJobStatus"), "GetJobStatus");
        assert_eq!(singular("GetJobTaskStatuses"), "GetJobTaskStatus");
    }
}
