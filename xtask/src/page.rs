//! From a read page ([`crate::rst`]) to the model of one operation: title, function text,
//! request line, parameters, response fields, success status codes, examples, and the
//! warnings a reviewer should see (invalid examples, examples contradicting the tables,
//! status codes only linked, parameters without a type).

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::rst::{self, Block, Table};

/// Why a page could not be read as an operation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The page's file name as given.
    pub file: String,
    /// 1-based line (0 when the whole page is concerned).
    pub line: usize,
    /// What was expected.
    pub expected: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: expected {}", self.file, self.line, self.expected)
    }
}

impl std::error::Error for PageError {}

/// One parameter (path, query or request body) as the page documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Name as displayed.
    pub name: String,
    /// Type as displayed; `None` when the table has no Type column or does not list it.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// From the Mandatory column; `true` when the table does not say.
    pub required: bool,
    /// The Description cell, as Markdown (not part of the extract output).
    #[serde(skip)]
    pub description: String,
    /// Line of the table row (0 when not documented).
    #[serde(skip)]
    pub line: usize,
    /// The labels its Description cell refers to (`:ref:` targets), where a nested
    /// table may be.
    #[serde(skip)]
    pub refs: Vec<String>,
}

/// One field of the success response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Name as displayed.
    pub name: String,
    /// Type as displayed, `None` without a Type column.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// The Description cell, as Markdown.
    #[serde(skip)]
    pub description: String,
    /// Line of the table row.
    #[serde(skip)]
    pub line: usize,
    /// The table has a Mandatory column that says yes for this field.
    #[serde(skip)]
    pub mandatory: bool,
    /// The labels its Type, Description and name cells refer to (`:ref:` targets).
    #[serde(skip)]
    pub refs: Vec<String>,
}

/// A parameter table of the request or response section: the top-level one and the
/// nested ones (`**Table 4** **jobs** parameters`) that fields of type Object or Array
/// refer to, by label or by caption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTable {
    /// Line of the table.
    pub line: usize,
    /// The caption as plain text, `Table N` dropped (`jobs parameters`).
    pub caption: Option<String>,
    /// The `.. _label:` target before it.
    pub label: Option<String>,
    /// Its rows.
    pub fields: Vec<Field>,
}

/// An example code block.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Line of the code block.
    pub line: usize,
    /// Whether it stands in a request (`true`) or a response section/item.
    pub request: bool,
    /// The nearest `**Status code: N**` heading before it, if any.
    pub status: Option<u16>,
    /// The label of the list item or paragraph introducing it ("Failed response").
    pub title: String,
    /// The code.
    pub text: String,
    /// The JSON value, if the code is JSON (read leniently when it had trailing commas).
    pub json: Option<serde_json::Value>,
}

/// What kind of thing a [`Warning`] is about, so overrides can address it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// An example that is not valid JSON.
    ExampleInvalidJson,
    /// An example whose value contradicts the documented type.
    ExampleTypeMismatch,
    /// The page documents no 2xx status (it only links an appendix).
    NoSuccessStatus,
    /// A path parameter without a documented type.
    ParamUntyped,
    /// A path placeholder the URI table does not list.
    ParamUndocumented,
}

impl WarningKind {
    /// The kebab-case name used in `specs/overrides.toml`.
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::ExampleInvalidJson => "example-invalid-json",
            WarningKind::ExampleTypeMismatch => "example-type-mismatch",
            WarningKind::NoSuccessStatus => "no-success-status",
            WarningKind::ParamUntyped => "param-untyped",
            WarningKind::ParamUndocumented => "param-undocumented",
        }
    }

    /// Parses [`WarningKind::name`].
    pub fn from_name(s: &str) -> Option<WarningKind> {
        [
            WarningKind::ExampleInvalidJson,
            WarningKind::ExampleTypeMismatch,
            WarningKind::NoSuccessStatus,
            WarningKind::ParamUntyped,
            WarningKind::ParamUndocumented,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// Something on a page a reviewer should know about; never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Line on the page.
    pub line: usize,
    /// What kind of problem.
    pub kind: WarningKind,
    /// The parameter or field concerned, if any.
    pub subject: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

/// A table of the page, tied to its caption and the section it stands in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableInfo {
    /// Line of the table (or its `.. table::` directive).
    pub line: usize,
    /// `function`, `uri`, `request`, `response`, `example`, `status` or `other` (`none`
    /// before the first section).
    pub section: &'static str,
    /// The caption as displayed (`Table 1 URI parameters`).
    pub caption: Option<String>,
    /// The `.. _label:` target before it.
    pub label: Option<String>,
    /// Header cells as displayed.
    pub header: Vec<String>,
    /// Number of body rows.
    pub rows: usize,
}

/// The model of one operation page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// `modelarts`, `dli` or `mrs`.
    pub service: String,
    /// The page title, verbatim.
    pub title: String,
    /// The page label (`dli_02_0242`), if any.
    pub label: Option<String>,
    /// The Function section as Markdown paragraphs.
    pub function: String,
    /// HTTP method, upper-case.
    pub method: String,
    /// The path as written, query cut off.
    pub path_template: String,
    /// Line of the request line.
    pub request_line: usize,
    /// One per `{name}` in the path, in path order.
    pub path_params: Vec<Param>,
    /// Query parameters in table order.
    pub query_params: Vec<Param>,
    /// Top-level request body fields.
    pub request_body_fields: Vec<Param>,
    /// Top-level success response fields.
    pub response_fields: Vec<Field>,
    /// Every parameter table of the success response, top-level first, in page order.
    pub response_tables: Vec<FieldTable>,
    /// Every parameter table of the request body, top-level first, in page order.
    pub request_tables: Vec<FieldTable>,
    /// Sorted 2xx codes the page documents.
    pub success_status: Vec<u16>,
    /// The `Content-Type` its request header table asks for, when not `application/json`.
    pub content_type: Option<String>,
    /// Example code blocks.
    pub examples: Vec<Example>,
    /// Every table of the page, in document order.
    pub tables: Vec<TableInfo>,
    /// Things a reviewer should know.
    pub warnings: Vec<Warning>,
}

/// The nine keys `cargo xtask extract` prints for each page, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extract {
    /// See [`Page::service`].
    pub service: String,
    /// See [`Page::title`].
    pub title: String,
    /// See [`Page::method`].
    pub method: String,
    /// See [`Page::path_template`].
    pub path_template: String,
    /// See [`Page::path_params`].
    pub path_params: Vec<Param>,
    /// See [`Page::query_params`].
    pub query_params: Vec<Param>,
    /// See [`Page::request_body_fields`].
    pub request_body_fields: Vec<Param>,
    /// See [`Page::response_fields`].
    pub response_fields: Vec<Field>,
    /// See [`Page::success_status`].
    pub success_status: Vec<u16>,
}

impl Page {
    /// The extract view of the page (what `cargo xtask extract` prints).
    pub fn extract(&self) -> Extract {
        Extract {
            service: self.service.clone(),
            title: self.title.clone(),
            method: self.method.clone(),
            path_template: self.path_template.clone(),
            path_params: self.path_params.clone(),
            query_params: self.query_params.clone(),
            request_body_fields: self.request_body_fields.clone(),
            response_fields: self.response_fields.clone(),
            success_status: self.success_status.clone(),
        }
    }
}

/// Reads the page at `path`.
pub fn read_file(path: &Path) -> Result<Page, PageError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PageError {
        file: file.clone(),
        line: 0,
        expected: format!("a readable UTF-8 file ({e})"),
    })?;
    read(&file, &text)
}

/// Reads a page's text; `file` names it in errors and helps find the service.
pub fn read(file: &str, text: &str) -> Result<Page, PageError> {
    let blocks = rst::parse(text).map_err(|e| PageError {
        file: file.to_owned(),
        line: e.line,
        expected: e.expected,
    })?;
    read_blocks(file, text, &blocks)
}

/// Reads a page from its text and the blocks [`rst::parse`] gave for it: [`read`] without
/// the parse, for a caller that has the blocks already (the fuzz target checks them too).
///
/// ```
/// use xtask::{page, rst};
///
/// let text = "Delete a job\n============\n\nURI\n---\n\nDELETE /v1/{project_id}/jobs/{job_id}\n";
/// let blocks = rst::parse(text)?;
/// let page = page::read_blocks("dli/delete.rst", text, &blocks)?;
/// assert_eq!(page, page::read("dli/delete.rst", text)?);
/// assert_eq!(page.method, "DELETE");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_blocks(file: &str, text: &str, blocks: &[Block]) -> Result<Page, PageError> {
    let err = |line: usize, expected: String| PageError {
        file: file.to_owned(),
        line,
        expected,
    };
    let doc = Document::new(blocks);

    let (title_line, title) = doc
        .title
        .clone()
        .ok_or_else(|| err(1, "a page title (a line underlined with `===`)".into()))?;
    let label = doc.label();
    let service = service(label.as_deref(), doc.original_name(), file, text)
        .ok_or_else(|| err(title_line, "a page label such as `.. _dli_02_0242:` (or a folder named modelarts, dli, mrs or iam) telling the service".into()))?;

    let uri = doc.sections(SectionKind::Uri);
    if uri.is_empty() {
        return Err(err(
            title_line,
            "a \"URI\" section holding the request line (`METHOD /path`)".into(),
        ));
    }
    // The URI section's first request line; failing that, one in another section that is
    // not an example (some pages put it under "Request").
    let (request_line, method, raw_path) = uri
        .iter()
        .find_map(|s| find_request_line(s.blocks))
        .or_else(|| {
            doc.sections
                .iter()
                .filter(|s| s.kind != SectionKind::Example && s.kind != SectionKind::Uri)
                .find_map(|s| find_request_line(s.blocks))
        })
        .ok_or_else(|| {
            err(
                uri[0].line,
                "a request line such as `DELETE /v1/{project_id}/jobs/{job_id}` in the URI section"
                    .into(),
            )
        })?;
    let path_template = raw_path.split('?').next().unwrap_or("").trim().to_owned();
    let placeholders = placeholders(&path_template).map_err(|what| {
        err(
            request_line,
            format!("a path with well-formed `{{name}}` placeholders ({what})"),
        )
    })?;

    let mut warnings = Vec::new();

    // URI tables: path parameters by name, the other rows are query parameters.
    // Each table's columns are found once (they are its rendered header).
    let uri_tables: Vec<(&Table, ParamTable<'_>)> = uri
        .iter()
        .flat_map(|s| tables(s.blocks))
        .filter_map(|t| ParamTable::new(t).map(|pt| (t, pt)))
        .collect();
    let mut path_params = Vec::new();
    for name in &placeholders {
        let row = uri_tables.iter().find_map(|(_, pt)| pt.find(name));
        match row {
            Some(mut p) => {
                // The path's spelling wins over the table's (they may differ in case).
                p.name.clone_from(name);
                // `project_id` comes from the target, never from the operation: its type is moot.
                if p.type_.is_none() && name != "project_id" {
                    warnings.push(Warning {
                        line: p.line,
                        kind: WarningKind::ParamUntyped,
                        subject: Some(name.clone()),
                        message: format!("path parameter `{name}` has no documented type"),
                    });
                }
                path_params.push(p);
            }
            None => {
                warnings.push(Warning {
                    line: request_line,
                    kind: WarningKind::ParamUndocumented,
                    subject: Some(name.clone()),
                    message: format!("path parameter `{name}` is not listed in the URI table"),
                });
                path_params.push(Param {
                    name: name.clone(),
                    type_: None,
                    required: true,
                    description: String::new(),
                    line: 0,
                    refs: Vec::new(),
                });
            }
        }
    }
    let mut query_params = Vec::new();
    for (t, pt) in &uri_tables {
        let is_query = caption_has(t, "query");
        for p in pt.params() {
            if is_query || !placeholders.contains(&p.name) {
                query_params.push(p);
            }
        }
    }

    // Request section: query parameters for GET, body fields otherwise.
    // The request's tables, each with whether it lists headers: headers are not the body.
    let request_section_tables: Vec<(bool, Option<ParamTable<'_>>)> = doc
        .sections(SectionKind::Request)
        .iter()
        .flat_map(|s| tables(s.blocks))
        .map(|t| {
            let pt = ParamTable::new(t);
            let headers =
                caption_has(t, "header") || pt.as_ref().is_some_and(ParamTable::lists_headers);
            (headers, pt)
        })
        .collect();
    let request_param_tables: Vec<&ParamTable<'_>> = request_section_tables
        .iter()
        .filter(|(headers, _)| !headers)
        .filter_map(|(_, pt)| pt.as_ref())
        .collect();
    let content_type = request_section_tables
        .iter()
        .filter(|(headers, _)| *headers)
        .filter_map(|(_, pt)| pt.as_ref())
        .find_map(|pt| pt.find("Content-Type"))
        .and_then(|p| documented_content_type(&p.description));
    let mut request_body_fields = Vec::new();
    let mut request_tables = Vec::new();
    if let Some(pt) = request_param_tables.first() {
        if method == "GET" {
            query_params.extend(pt.params());
        } else {
            request_body_fields = pt.params();
            request_tables = request_param_tables
                .iter()
                .map(|pt| pt.field_table())
                .collect();
        }
    }

    // Response section: the first parameter table documenting a success body.
    let mut response_fields = Vec::new();
    let mut response_tables: Vec<FieldTable> = Vec::new();
    let mut status_headings = Vec::new();
    for s in doc.sections(SectionKind::Response) {
        let mut status: Option<u16> = None;
        for item in walk(s.blocks) {
            match item {
                Walk::Para(text) => {
                    if let Some(code) = status_heading(text) {
                        status = Some(code);
                    }
                }
                Walk::Table(t) => {
                    if caption_has(t, "header") || status.is_some_and(|c| !(200..300).contains(&c))
                    {
                        continue;
                    }
                    if let Some(pt) = ParamTable::new(t) {
                        if response_tables.is_empty() {
                            response_fields = pt.fields();
                        }
                        response_tables.push(pt.field_table());
                    }
                }
                Walk::Code(..) => {}
            }
        }
    }
    for kind in [
        SectionKind::Response,
        SectionKind::Example,
        SectionKind::Status,
    ] {
        for s in doc.sections(kind) {
            for item in walk(s.blocks) {
                if let Walk::Para(text) = item
                    && let Some(code) = status_heading(text)
                {
                    status_headings.push(code);
                }
            }
        }
    }

    // Status codes: tables, `**Status code: N**` headings and sentences.
    let mut success_status: Vec<u16> = status_headings
        .into_iter()
        .filter(|c| (200..300).contains(c))
        .collect();
    for s in doc.sections(SectionKind::Status) {
        for item in walk(s.blocks) {
            match item {
                Walk::Table(t) => success_status.extend(status_table_codes(t)),
                Walk::Para(text) => success_status.extend(status_sentence_codes(&rst::plain(text))),
                Walk::Code(..) => {}
            }
        }
    }
    success_status.sort_unstable();
    success_status.dedup();
    if success_status.is_empty() {
        let line = doc
            .sections(SectionKind::Status)
            .first()
            .map_or(title_line, |s| s.line);
        warnings.push(Warning {
            line,
            kind: WarningKind::NoSuccessStatus,
            subject: None,
            message: "the page documents no 2xx status code (its status section only links a shared table)".into(),
        });
    }

    // Examples.
    let mut examples = Vec::new();
    for kind in [
        SectionKind::Example,
        SectionKind::Request,
        SectionKind::Response,
    ] {
        for s in doc.sections(kind) {
            collect_examples(s, &mut examples);
        }
    }
    examples.sort_by_key(|e| e.line);
    check_examples(text, &examples, &response_fields, &mut warnings);

    let function = doc
        .sections(SectionKind::Function)
        .iter()
        .map(|s| rst::blocks_markdown(s.blocks))
        .collect::<Vec<_>>()
        .join("\n\n");

    let tables = doc
        .sections
        .iter()
        .flat_map(|s| tables(s.blocks).into_iter().map(move |t| (s.kind, t)))
        .map(|(kind, t)| TableInfo {
            line: t.line,
            section: kind.name(),
            caption: t.caption.as_deref().map(rst::plain),
            label: t.label.clone(),
            header: t.header_names(),
            rows: t.rows.len(),
        })
        .collect();

    warnings.sort_by_key(|w| (w.line, w.kind));
    Ok(Page {
        service,
        title,
        label,
        function,
        method,
        path_template,
        request_line,
        path_params,
        query_params,
        request_body_fields,
        response_fields,
        response_tables,
        request_tables,
        success_status,
        content_type,
        examples,
        tables,
        warnings,
    })
}

/// The media type a `Content-Type` row documents in bold (`Fill
/// **application/json;charset=utf8** in this field.`), its charset written as registered
/// (`UTF-8`); `None` for plain `application/json`, the operations' default.
fn documented_content_type(description: &str) -> Option<String> {
    let start = description.find("**")? + 2;
    let len = description[start..].find("**")?;
    let value = description[start..start + len].trim();
    if !value.starts_with("application/") || value == "application/json" {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    Some(match lower.find("charset=") {
        Some(at) => {
            let charset = &lower[at + "charset=".len()..];
            let charset = if charset == "utf8" || charset == "utf-8" {
                "UTF-8"
            } else {
                &value[at + "charset=".len()..]
            };
            format!("{}charset={charset}", &value[..at])
        }
        None => value.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------
// Sections.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Function,
    Uri,
    Request,
    Response,
    Example,
    Status,
    Other,
}

impl SectionKind {
    fn name(self) -> &'static str {
        match self {
            SectionKind::Function => "function",
            SectionKind::Uri => "uri",
            SectionKind::Request => "request",
            SectionKind::Response => "response",
            SectionKind::Example => "example",
            SectionKind::Status => "status",
            SectionKind::Other => "other",
        }
    }
}

fn section_kind(title: &str) -> SectionKind {
    let t = rst::plain(title).to_ascii_lowercase();
    let t = t.trim();
    if t.contains("example") || t.contains("sample") {
        SectionKind::Example
    } else if t.starts_with("function") || t == "description" || t == "api description" {
        SectionKind::Function
    } else if t == "uri"
        || t == "url"
        || t.starts_with("uri ")
        || t == "request uri"
        || t == "request line"
    {
        SectionKind::Uri
    } else if t.starts_with("request") {
        SectionKind::Request
    } else if t.starts_with("response") {
        SectionKind::Response
    } else if t.starts_with("status code") || t.starts_with("return code") {
        SectionKind::Status
    } else {
        SectionKind::Other
    }
}

struct Section<'a> {
    kind: SectionKind,
    title: String,
    line: usize,
    blocks: &'a [Block],
}

struct Document<'a> {
    blocks: &'a [Block],
    title: Option<(usize, String)>,
    sections: Vec<Section<'a>>,
}

impl<'a> Document<'a> {
    fn new(blocks: &'a [Block]) -> Self {
        let headings: Vec<(usize, usize, &String, usize)> = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Heading { line, level, text } => Some((i, *level, text, *line)),
                _ => None,
            })
            .collect();
        let title = headings.first().map(|h| (h.3, h.2.clone()));
        // Sections are the headings at the level right below the title.
        let section_level = headings.iter().map(|h| h.1).filter(|&l| l > 1).min();
        let mut sections = Vec::new();
        if let Some(level) = section_level {
            let tops: Vec<&(usize, usize, &String, usize)> =
                headings.iter().filter(|h| h.1 == level).collect();
            for (k, h) in tops.iter().enumerate() {
                let end = tops
                    .get(k + 1)
                    .map(|n| n.0)
                    .or_else(|| {
                        headings
                            .iter()
                            .find(|x| x.0 > h.0 && x.1 < level)
                            .map(|x| x.0)
                    })
                    .unwrap_or(blocks.len());
                sections.push(Section {
                    kind: section_kind(h.2),
                    title: rst::plain(h.2).to_ascii_lowercase(),
                    line: h.3,
                    blocks: &blocks[h.0 + 1..end],
                });
            }
        }
        Document {
            blocks,
            title,
            sections,
        }
    }

    fn sections(&self, kind: SectionKind) -> Vec<&Section<'a>> {
        self.sections.iter().filter(|s| s.kind == kind).collect()
    }

    fn label(&self) -> Option<String> {
        self.blocks
            .iter()
            .find_map(|b| match b {
                Block::Target { label, .. } => Some(label.clone()),
                Block::Heading { .. } => Some(String::new()),
                _ => None,
            })
            .filter(|l| !l.is_empty())
    }

    fn original_name(&self) -> Option<&'a str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Field { name, value, .. } if name == "original_name" => Some(value.as_str()),
            _ => None,
        })
    }
}

const SERVICES: [(&str, &[&str]); 4] = [
    ("modelarts", &["modelarts"]),
    ("dli", &["dli", "data-lake-insight"]),
    ("mrs", &["mrs", "mapreduce-service"]),
    // IAM's labels are `en-us_topic_...`: its pages are known by their folder.
    ("iam", &["iam", "identity-access-management"]),
];

/// The service from a label like `modelarts_03_0053`, then the `:original_name:`, then a
/// folder of the file's path, then the first `:ref:` anchor of that shape.
fn service(label: Option<&str>, original: Option<&str>, file: &str, text: &str) -> Option<String> {
    let from_label = |l: &str| -> Option<String> {
        let prefix = l.split('_').next()?;
        SERVICES
            .iter()
            .find(|(s, _)| prefix.eq_ignore_ascii_case(s))
            .map(|(s, _)| (*s).to_owned())
    };
    if let Some(s) = label.and_then(from_label) {
        return Some(s);
    }
    if let Some(s) = original.and_then(from_label) {
        return Some(s);
    }
    for part in Path::new(file).components().rev() {
        let part = part.as_os_str().to_string_lossy();
        if let Some((s, _)) = SERVICES
            .iter()
            .find(|(_, names)| names.contains(&part.as_ref()))
        {
            return Some((*s).to_owned());
        }
    }
    // An anchor such as `<modelarts_03_0147>` in a reference.
    for (s, _) in SERVICES {
        if text.contains(&format!("<{s}_")) {
            return Some(s.to_owned());
        }
    }
    // Last resort: the service the page names most often (error codes such as
    // `ModelArts.0105`, `DLI.0001`, host names).
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    SERVICES
        .iter()
        .map(|(s, _)| (words.iter().filter(|w| *w == s).count(), *s))
        .filter(|(n, _)| *n > 0)
        .max()
        .map(|(_, s)| s.to_owned())
}

// ---------------------------------------------------------------------------------------
// Walking blocks.

enum Walk<'a> {
    Para(&'a str),
    Table(&'a Table),
    /// A code block and the raw text of the paragraph before it (render it with
    /// [`rst::plain`]).
    Code(&'a Block, Option<&'a str>),
}

/// Paragraphs, tables and code blocks in document order, descending into lists, quotes
/// and directives. A code block carries the text of the list item or paragraph before it,
/// raw: a page is walked several times, and rendering every paragraph on each walk (for
/// the few code blocks that use it) was a fifth of reading a page.
fn walk(blocks: &[Block]) -> Vec<Walk<'_>> {
    let mut out = Vec::new();
    walk_into(blocks, &mut out, &mut None);
    out
}

fn walk_into<'a>(blocks: &'a [Block], out: &mut Vec<Walk<'a>>, context: &mut Option<&'a str>) {
    for b in blocks {
        match b {
            Block::Paragraph { text, .. } => {
                *context = Some(text);
                out.push(Walk::Para(text));
            }
            Block::Heading { text, .. } => out.push(Walk::Para(text)),
            Block::Table(t) => out.push(Walk::Table(t)),
            Block::Code { .. } => out.push(Walk::Code(b, *context)),
            Block::List { items, .. } => {
                for item in items {
                    let saved = *context;
                    walk_into(item, out, context);
                    *context = saved;
                }
            }
            Block::Quote { body, .. } | Block::Directive { body, .. } => {
                walk_into(body, out, context)
            }
            Block::Target { .. } | Block::Field { .. } => {}
        }
    }
}

fn tables(blocks: &[Block]) -> Vec<&Table> {
    walk(blocks)
        .into_iter()
        .filter_map(|w| match w {
            Walk::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The first `METHOD /path` line in paragraphs or code blocks.
fn find_request_line(blocks: &[Block]) -> Option<(usize, String, String)> {
    for item in walk(blocks) {
        let (line, text) = match item {
            Walk::Para(text) => (0, text),
            Walk::Code(b, _) => match b {
                Block::Code { text, line, .. } => (*line, text.as_str()),
                _ => continue,
            },
            Walk::Table(_) => continue,
        };
        for (k, l) in text.lines().enumerate() {
            let l = rst::plain(l);
            // `DELETE /v1/...`, also after a label on the same line (`URI format: GET /v1/...`).
            let words: Vec<&str> = l.split_whitespace().collect();
            let Some((m, p)) = words
                .windows(2)
                .map(|w| (w[0], w[1]))
                .find(|(m, p)| METHODS.contains(m) && p.starts_with('/'))
            else {
                continue;
            };
            let line = if line == 0 {
                block_line(blocks, text) + k
            } else {
                line
            };
            return Some((line, m.to_owned(), p.to_owned()));
        }
    }
    None
}

/// The line of the paragraph holding `text` (for messages).
fn block_line(blocks: &[Block], text: &str) -> usize {
    fn find(blocks: &[Block], text: &str) -> Option<usize> {
        blocks.iter().find_map(|b| match b {
            Block::Paragraph { line, text: t } if t == text => Some(*line),
            Block::List { items, .. } => items.iter().find_map(|i| find(i, text)),
            Block::Quote { body, .. } | Block::Directive { body, .. } => find(body, text),
            _ => None,
        })
    }
    find(blocks, text).unwrap_or(0)
}

fn placeholders(path: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{{` without `}}` in {path}"))?;
        let name = after[..close].trim();
        if name.is_empty() || name.contains('{') {
            return Err(format!("empty or nested placeholder in {path}"));
        }
        out.push(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(out)
}

fn caption_has(t: &Table, word: &str) -> bool {
    t.caption
        .as_deref()
        .is_some_and(|c| rst::plain(c).to_ascii_lowercase().contains(word))
}

// ---------------------------------------------------------------------------------------
// Parameter tables.

struct ParamTable<'a> {
    table: &'a Table,
    name: usize,
    type_: Option<usize>,
    mandatory: Option<usize>,
    description: Option<usize>,
}

impl<'a> ParamTable<'a> {
    /// A table whose header names a parameter column (Parameter, Name, Field, ...).
    fn new(table: &'a Table) -> Option<Self> {
        let names: Vec<String> = table
            .header_names()
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let name = names.iter().position(|h| {
            matches!(
                h.as_str(),
                "parameter"
                    | "parameters"
                    | "name"
                    | "field"
                    | "parameter name"
                    | "attribute"
                    | "key"
                    | "element"
            )
        })?;
        let type_ = names.iter().position(|h| {
            h == "type" || h == "parameter type" || h == "data type" || h == "value type"
        });
        let mandatory = names
            .iter()
            .position(|h| h.contains("mandatory") || h.starts_with("required") || h == "optional");
        let description = names.iter().position(|h| h.starts_with("description"));
        Some(ParamTable {
            table,
            name,
            type_,
            mandatory,
            description,
        })
    }

    fn cell(row: &[rst::Cell], i: Option<usize>) -> Option<&rst::Cell> {
        row.get(i?)
    }

    fn param(&self, row: &[rst::Cell]) -> Option<Param> {
        let name_cell = row.get(self.name)?;
        let name = name_cell.plain();
        if name.is_empty() {
            return None;
        }
        let type_ = Self::cell(row, self.type_)
            .map(rst::Cell::plain)
            .filter(|t| !t.is_empty());
        let required = Self::cell(row, self.mandatory).is_none_or(|c| mandatory(&c.plain()));
        let description = Self::cell(row, self.description)
            .map(rst::Cell::markdown)
            .unwrap_or_default();
        let line = name_cell
            .blocks
            .first()
            .map_or(self.table.line, Block::line);
        // The Type cell's link first (`:ref:`JobMetadata <anchor>` object`: the table of the
        // object's members), then the Description's (`For details, see Table 4`).
        let mut refs = Vec::new();
        if let Some(c) = Self::cell(row, self.type_) {
            collect_refs(&c.blocks, &mut refs);
        }
        if let Some(c) = Self::cell(row, self.description) {
            collect_refs(&c.blocks, &mut refs);
        }
        // Last, the name's own link (IAM: ``:ref:`projects <anchor>` ``, JSONArray).
        collect_refs(&name_cell.blocks, &mut refs);
        Some(Param {
            name,
            type_,
            required,
            description,
            line,
            refs,
        })
    }

    fn field_table(&self) -> FieldTable {
        let caption = self.table.caption.as_deref().map(|c| {
            let plain = rst::plain(c);
            let trimmed = plain.trim();
            // "Table 4 jobs parameters" -> "jobs parameters"
            match trimmed.strip_prefix("Table ") {
                Some(rest) => rest
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .trim()
                    .to_owned(),
                None => trimmed.to_owned(),
            }
        });
        FieldTable {
            line: self.table.line,
            caption,
            label: self.table.label.clone(),
            fields: self.fields(),
        }
    }

    fn params(&self) -> Vec<Param> {
        self.table
            .rows
            .iter()
            .filter_map(|r| self.param(r))
            .collect()
    }

    fn fields(&self) -> Vec<Field> {
        self.params()
            .into_iter()
            .map(|p| Field {
                mandatory: self.mandatory.is_some() && p.required,
                name: p.name,
                type_: p.type_,
                description: p.description,
                line: p.line,
                refs: p.refs,
            })
            .collect()
    }

    /// The rows that document a parameter (a non-empty name), with that name: what
    /// [`Self::params`] keeps, without rendering the other cells.
    fn named_rows(&self) -> impl Iterator<Item = (&'a [rst::Cell], String)> + '_ {
        self.table.rows.iter().filter_map(|r| {
            let name = r.get(self.name)?.plain();
            (!name.is_empty()).then_some((r.as_slice(), name))
        })
    }

    /// The parameter named `name` (exactly, else ignoring ASCII case). Only its row is
    /// rendered: a page looks up each path parameter in each URI table.
    fn find(&self, name: &str) -> Option<Param> {
        let names: Vec<(&[rst::Cell], String)> = self.named_rows().collect();
        let exact = names.iter().find(|(_, n)| n == name);
        let loose = || names.iter().find(|(_, n)| n.eq_ignore_ascii_case(name));
        exact.or_else(loose).and_then(|(row, _)| self.param(row))
    }

    /// A table of request headers without a caption saying so (IAM's pages put it under a
    /// list item "Parameters in the request header"): every parameter is a header,
    /// `Content-Type` or `X-...`.
    fn lists_headers(&self) -> bool {
        let mut names = self.named_rows().peekable();
        names.peek().is_some()
            && names.all(|(_, name)| {
                let name = name.to_ascii_lowercase();
                name == "content-type" || name.starts_with("x-")
            })
    }
}

/// The targets of `:ref:` roles in the blocks: `` :ref:`Table 4 <label>` `` and
/// `` :ref:`label` `` both give `label`.
fn collect_refs(blocks: &[Block], out: &mut Vec<String>) {
    for b in blocks {
        match b {
            Block::Paragraph { text, .. } => {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(":ref:`") {
                    let after = &rest[i + 6..];
                    let Some(end) = after.find('`') else { break };
                    let inner = &after[..end];
                    let target = match (inner.rfind('<'), inner.ends_with('>')) {
                        (Some(open), true) => &inner[open + 1..inner.len() - 1],
                        _ => inner,
                    };
                    out.push(target.trim().to_owned());
                    rest = &after[end..];
                }
            }
            Block::List { items, .. } => items.iter().for_each(|i| collect_refs(i, out)),
            Block::Quote { body, .. } | Block::Directive { body, .. } => collect_refs(body, out),
            _ => {}
        }
    }
}

/// `Yes`/`Mandatory`/`Required`/`True` → true, `No`/`Optional`/`False`/`Conditional` → false;
/// anything else counts as not saying (true).
fn mandatory(cell: &str) -> bool {
    let c = cell.trim().to_ascii_lowercase();
    !(c.starts_with("no")
        || c.starts_with("optional")
        || c.starts_with("false")
        || c.starts_with("conditional"))
}

// ---------------------------------------------------------------------------------------
// Status codes.

/// `**Status code: 200**` (the whole paragraph) → 200.
fn status_heading(text: &str) -> Option<u16> {
    let t = text.trim();
    let inner = t
        .strip_prefix("**")
        .and_then(|x| x.strip_suffix("**"))
        .unwrap_or(t);
    let lower = inner.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("status code")?
        .trim_start_matches([':', ' ']);
    rest.trim().parse().ok()
}

fn status_table_codes(t: &Table) -> Vec<u16> {
    let names = t.header_names();
    let Some(col) = names.iter().position(|h| {
        let h = h.to_ascii_lowercase();
        h.starts_with("status code")
            || h == "code"
            || h == "http status code"
            || h == "returned value"
    }) else {
        return Vec::new();
    };
    t.rows
        .iter()
        .filter_map(|r| r.get(col))
        .filter_map(|c| leading_code(&c.plain()))
        .filter(|c| (200..300).contains(c))
        .collect()
}

fn leading_code(s: &str) -> Option<u16> {
    let digits: String = s.trim().chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 3).then(|| digits.parse().ok()).flatten()
}

/// 2xx codes in a sentence about status codes ("Status code 204 is returned ...").
fn status_sentence_codes(text: &str) -> Vec<u16> {
    let lower = text.to_ascii_lowercase();
    if !(lower.contains("status") || lower.contains("success") || lower.contains("return")) {
        return Vec::new();
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 3)
        .filter_map(|w| w.parse::<u16>().ok())
        .filter(|c| (200..300).contains(c))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Examples.

fn collect_examples(s: &Section<'_>, out: &mut Vec<Example>) {
    let mut status = None;
    // Sections titled "Example Request(s)" / "Sample Request" hold requests.
    let mut in_request = s.kind == SectionKind::Request
        || (s.kind == SectionKind::Example
            && s.title.contains("request")
            && !s.title.contains("response"));
    for item in walk(s.blocks) {
        match item {
            Walk::Para(text) => {
                if let Some(code) = status_heading(text) {
                    status = Some(code);
                    in_request = false;
                }
            }
            Walk::Code(
                Block::Code {
                    line, text, lang, ..
                },
                context,
            ) => {
                let context = context.map(rst::plain).unwrap_or_default();
                let c = context.to_ascii_lowercase();
                let request = if c.contains("request") {
                    true
                } else if c.contains("response") {
                    false
                } else {
                    in_request
                        || lang.as_deref() == Some("text")
                            && text.starts_with(|ch: char| ch.is_ascii_uppercase())
                };
                let trimmed = text.trim();
                let json = if trimmed.starts_with('{') || trimmed.starts_with('[') {
                    serde_json::from_str(trimmed)
                        .ok()
                        .or_else(|| serde_json::from_str(&strip_trailing_commas(trimmed)).ok())
                } else {
                    None
                };
                out.push(Example {
                    line: *line,
                    request,
                    status,
                    title: context,
                    text: text.clone(),
                    json,
                });
            }
            Walk::Code(..) | Walk::Table(_) => {}
        }
    }
}

fn strip_trailing_commas(s: &str) -> String {
    // Remove a comma followed (after whitespace) by `}` or `]`, outside strings.
    let cs: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = cs.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
                continue;
            }
            if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == ',' {
            let next = cs[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}' | ']')) {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

fn check_examples(text: &str, examples: &[Example], fields: &[Field], warnings: &mut Vec<Warning>) {
    let lines: Vec<&str> = text.lines().collect();
    for e in examples {
        let trimmed = e.text.trim();
        if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            continue;
        }
        if let Err(err) = serde_json::from_str::<serde_json::Value>(trimmed) {
            // Point at the line of the error inside the code block.
            let body_start = lines
                .iter()
                .enumerate()
                .skip(e.line)
                .find(|(_, l)| !l.trim().is_empty())
                .map_or(e.line, |(i, _)| i + 1);
            let what = if e.json.is_some() {
                " (a trailing comma; read leniently)"
            } else {
                ""
            };
            warnings.push(Warning {
                line: body_start + err.line().saturating_sub(1),
                kind: WarningKind::ExampleInvalidJson,
                subject: None,
                message: format!(
                    "example{} is not valid JSON: {err}{what}",
                    title_suffix(&e.title)
                ),
            });
        }
        if e.request || e.status.is_some_and(|s| !(200..300).contains(&s)) {
            continue;
        }
        let Some(serde_json::Value::Object(map)) = &e.json else {
            continue;
        };
        for f in fields {
            let (Some(value), Some(ty)) = (map.get(&f.name), f.type_.as_deref()) else {
                continue;
            };
            if let Some(expected) = json_type_mismatch(ty, value) {
                warnings.push(Warning {
                    line: e.line,
                    kind: WarningKind::ExampleTypeMismatch,
                    subject: Some(f.name.clone()),
                    message: format!(
                        "example{} gives `{}` as {value} but the table documents {ty} ({expected})",
                        title_suffix(&e.title),
                        f.name
                    ),
                });
            }
        }
    }
}

fn title_suffix(title: &str) -> String {
    if title.is_empty() {
        String::new()
    } else {
        format!(" \"{title}\"")
    }
}

/// Whether `value` contradicts the documented scalar type; returns what was expected.
fn json_type_mismatch(ty: &str, value: &serde_json::Value) -> Option<&'static str> {
    use serde_json::Value;
    let ty = ty.to_ascii_lowercase();
    match (ty.as_str(), value) {
        (_, Value::Null) => None,
        ("boolean" | "bool", Value::Bool(_)) => None,
        ("boolean" | "bool", _) => Some("a JSON Boolean"),
        ("string", Value::String(_)) => None,
        ("string", _) => Some("a JSON string"),
        ("long" | "integer" | "int" | "int32" | "int64", Value::Number(n))
            if n.is_i64() || n.is_u64() =>
        {
            None
        }
        ("long" | "integer" | "int" | "int32" | "int64", _) => Some("a JSON integer"),
        _ => None,
    }
}
