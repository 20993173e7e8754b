//! The policy file of a whole-account run (`otc-jobs clean|plan --policy FILE`, issue 20):
//! which projects, which kinds with which filters, and what is never touched, as YAML:
//!
//! ```yaml
//! projects:
//!   include: [eu-de_ci, "eu-de_dev-*"]   # names or ids, globs; `all` must be written out
//!   exclude: [eu-de]                      # never touched; wins over include
//! kinds:                                  # only the kinds named here are touched
//!   flink-job:     { older_than: 7d, name_regex: "^nightly-", status: [job_submit_fail] }
//!   training-job:  { older_than: 30d }
//! protect:                                # never touched, whatever a kind's rule says
//!   name_regex: "^(prod|keep)-"
//!   ids: ["1234"]
//!   tags: { keep: "true" }
//! ```
//!
//! It is read into typed settings and checked against the kind table before anything is
//! listed: an unknown key or kind, a filter the kind's list cannot apply (the filters of
//! `clean`'s flags: `older_than`, `newer_than`, `name_regex` for every kind, and the kind's
//! server filters, `queue_name` or `queue-name` for `--queue-name`), a value its page does
//! not document, an invalid regular expression or duration are each a [`PolicyError`]
//! naming the file, line and column, with a hint; nothing is guessed. One exception, by
//! decision: a `status` its page does not list (the issue's own example has
//! `status: [job_failed]`, which DLI's pages do not name; a service's statuses may be newer
//! than its page) is taken with a warning at its line, and the rule then checks every
//! listed row's status itself, so that a service that ignores the value cannot widen
//! the selection: such a status only narrows (`KindRule::admits`).
//!
//! The whole-account run ([`crate::account`]) lowers it with the flags into one
//! [`crate::account::Account`], which is what the run uses.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use otc_jobs_core::kinds::{Filter, FilterError, Filters, Kind, Row};
use regex::Regex;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::exit::CliError;
use crate::select;

/// A policy file as understood.
#[derive(Debug)]
pub(crate) struct Policy {
    /// Which projects.
    pub(crate) projects: Projects,
    /// The kinds touched, each with its filters, in the file's order; `None` when the
    /// file has no `kinds` (then flags must name them).
    pub(crate) kinds: Option<Vec<KindRule>>,
    /// What is never touched.
    pub(crate) protect: Protect,
    /// What the file says that the run takes, but doubts: a status its page does not
    /// document, each naming the file and line (said on stderr before anything is listed).
    pub(crate) warnings: Vec<String>,
    /// The line of `protect.tags` (0: not written), for [`Policy::tags_warning`].
    pub(crate) tags_line: usize,
}

/// `projects`: `include` (not written: the run refuses to reach more than one project)
/// and `exclude`, which wins.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Projects {
    #[serde(default)]
    pub(crate) include: Option<ProjectSet>,
    #[serde(default)]
    pub(crate) exclude: Vec<Pattern>,
}

impl Projects {
    /// Whether the project `name` (id `id`) is included and not excluded; `false` for
    /// every project when `include` is not written.
    pub(crate) fn selects(&self, name: &str, id: &str) -> bool {
        let included = match &self.include {
            None => false,
            Some(ProjectSet::All) => true,
            Some(ProjectSet::Only(patterns)) => patterns.iter().any(|p| p.matches(name, id)),
        };
        included && !self.exclude.iter().any(|p| p.matches(name, id))
    }
}

/// `include`: `all`, or names and ids (globs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProjectSet {
    /// Every project the credentials reach.
    All,
    /// The projects one of these matches.
    Only(Vec<Pattern>),
}

/// A project name or id, with `*` (any run of characters) and `?` (one character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern(String);

impl Pattern {
    /// Whether the name or the id matches, whole.
    pub(crate) fn matches(&self, name: &str, id: &str) -> bool {
        glob(self.0.as_bytes(), name.as_bytes()) || glob(self.0.as_bytes(), id.as_bytes())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it has a glob character (a plain name that matches no project is an error,
    /// a glob that matches none is not).
    pub(crate) fn is_glob(&self) -> bool {
        self.0.contains(['*', '?'])
    }
}

impl ProjectSet {
    /// `--projects`: `all`, or names and ids (globs) separated by commas.
    pub(crate) fn from_flag(text: &str) -> Result<ProjectSet, CliError> {
        let mut patterns = Vec::new();
        for part in text.split(',') {
            match pattern(part, true) {
                Ok(None) => return Ok(ProjectSet::All),
                Ok(Some(p)) => patterns.push(p),
                Err((problem, hint)) => {
                    return Err(CliError::usage(format!("--projects: {problem}"), hint));
                }
            }
        }
        Ok(ProjectSet::Only(patterns))
    }
}

/// `*` and `?` globbing, whole text, without backtracking blow-up (the last `*` is the
/// only one revisited).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// One kind's rule: the filters of `clean`'s flags, local and server-side.
#[derive(Debug)]
pub(crate) struct KindRule {
    pub(crate) kind: Kind,
    /// `older_than`, `newer_than`, `name_regex`.
    pub(crate) local: select::Filters,
    /// The kind's own list filters, checked against its page's values.
    pub(crate) server: Filters,
}

impl KindRule {
    /// A rule without filters: every job of `kind`.
    pub(crate) fn new(kind: Kind) -> KindRule {
        KindRule {
            kind,
            local: select::Filters::default(),
            server: Filters::new(kind),
        }
    }

    /// Whether a listed `row` has the status the rule names, when the rule names one its
    /// page does not document: a service may ignore such a value and list every job, so
    /// the row is checked here too (the rule then only narrows). `true` otherwise.
    pub(crate) fn admits(&self, row: &Row) -> bool {
        self.server
            .iter()
            .filter(|(filter, value)| filter.flag == "status" && !filter.allows(value))
            .all(|(filter, value)| {
                let status = row.status.as_deref().unwrap_or_default();
                match filter.separator {
                    Some(sep) => value.split(sep).map(str::trim).any(|v| v == status),
                    None => value == status,
                }
            })
    }
}

/// `protect`: never touched, whatever a rule says.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Protect {
    #[serde(default, deserialize_with = "regex_field")]
    pub(crate) name_regex: Option<Regex>,
    #[serde(default)]
    pub(crate) ids: Vec<Scalar>,
    /// Kept by the service's own `tags` list filter (no kind's list answer shows a
    /// job's tags): see [`Protect::tag_lists`].
    #[serde(default, deserialize_with = "tags_field")]
    pub(crate) tags: BTreeMap<String, Scalar>,
}

impl Protect {
    /// Why `row` is protected, if it is (the rule that keeps it, for the report): its id
    /// is listed, its name matches, or its kind's list showed it with a protected tag
    /// (`tagged`: id → that tag, from [`Protect::tag_lists`]).
    pub(crate) fn keeps(&self, row: &Row, tagged: &HashMap<String, String>) -> Option<String> {
        let id = row.id.to_string();
        if self.ids.iter().any(|p| p.0 == id) {
            return Some("protected: its id is listed (protect.ids, --exclude-file)".to_owned());
        }
        if let Some(re) = &self.name_regex
            && row.name.as_deref().is_some_and(|n| re.is_match(n))
        {
            return Some(format!(
                "protected: its name matches protect.name_regex {:?}",
                re.as_str()
            ));
        }
        tagged
            .get(&id)
            .map(|tag| format!("protected: listed with protect.tags {tag}"))
    }

    /// Whether `row` is protected by its id or name (see [`Protect::keeps`]).
    #[cfg(test)]
    pub(crate) fn protects(&self, row: &Row) -> bool {
        self.keeps(row, &HashMap::new()).is_some()
    }

    /// The lists that find the jobs a protected tag keeps, for a kind whose list has the
    /// `tags` filter: `base` (the rule's filters) with `tags` set to one `key=value`
    /// each (a job with any protected tag is kept; one value with several tags would ask
    /// for all of them). Empty when no tag is protected; `None` when the kind's list has
    /// no `tags` filter, so its jobs cannot be protected by their tags.
    pub(crate) fn tag_lists(&self, base: &Filters) -> Option<Vec<(String, Filters)>> {
        let mut lists = Vec::with_capacity(self.tags.len());
        for (key, value) in &self.tags {
            let tag = format!("{key}={}", value.0);
            let mut filters = base.clone();
            filters.set("tags", tag.clone()).ok()?;
            lists.push((tag, filters));
        }
        Some(lists)
    }
}

/// `protect.tags`: each key and value is sent in the lists' `tags` filter as
/// `key=value`, tags joined by commas, so neither may hold `,` or `=` or be empty.
fn tags_field<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Scalar>, D::Error> {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Part(String);
    impl<'de> Deserialize<'de> for Part {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Part, D::Error> {
            deserializer.deserialize_any(Parse::new("a tag's key or value", |s| {
                if s.is_empty() || s.contains([',', '=']) {
                    return Err((
                        format!("protect.tags: {s:?} cannot be a tag's key or value"),
                        "the lists' `tags` filter takes key=value pairs joined by commas: \
                         write keys and values that are not empty and hold no `,` or `=`"
                            .to_owned(),
                    ));
                }
                Ok(Part(s.to_owned()))
            }))
        }
    }
    let tags = BTreeMap::<Part, Part>::deserialize(deserializer)?;
    Ok(tags
        .into_iter()
        .map(|(key, value)| (key.0, Scalar(value.0)))
        .collect())
}

/// A YAML scalar read as text (`ids: [1234]` and `ids: ["1234"]` are the same id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar(pub(crate) String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(Parse::new("a text or a number", |s| {
            Ok(Scalar(s.to_owned()))
        }))
    }
}

/// Why a policy file is refused: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyError {
    pub(crate) file: PathBuf,
    /// 1-based, where the parser knows it.
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) problem: String,
    pub(crate) hint: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.problem)
    }
}

impl PolicyError {
    /// The tool's usage error (exit 2), with the hint.
    pub(crate) fn into_cli(self) -> CliError {
        let hint = self.hint.clone();
        CliError::usage(self.to_string(), hint)
    }
}

/// Where a problem's hint starts in a deserializer's message (serde's errors carry one
/// text; the parser adds the position to it).
const HINT: char = '\u{1f}';

/// What the file may hold, for errors the parser itself finds (syntax, unknown keys).
const SHAPE: &str = "a policy file has `projects` (include, exclude), `kinds` (KIND: filters) and \
    `protect` (name_regex, ids, tags); see the example in `otc-jobs clean --help`";

fn fail<E: de::Error>(problem: impl fmt::Display, hint: impl fmt::Display) -> E {
    E::custom(format_args!("{problem}{HINT}{hint}"))
}

impl Policy {
    /// Reads and checks the policy file at `path`.
    pub(crate) fn read(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            file: path.to_owned(),
            line: None,
            column: None,
            problem: format!("cannot read the policy file: {e}"),
            hint: "give a readable YAML file".to_owned(),
        })?;
        Policy::parse(&text, path)
    }

    /// Checks the policy `text` (read from `file`, named in errors).
    pub(crate) fn parse(text: &str, file: &Path) -> Result<Policy, PolicyError> {
        let error = |e: serde_norway::Error| {
            let location = e.location();
            let mut message = e.to_string();
            if let Some(at) = &location {
                let suffix = format!(" at line {} column {}", at.line(), at.column());
                if let Some(stripped) = message.strip_suffix(&suffix) {
                    message = stripped.to_owned();
                }
            }
            let (problem, hint) = match message.split_once(HINT) {
                Some((problem, hint)) => (problem.to_owned(), hint.to_owned()),
                None => (message, SHAPE.to_owned()),
            };
            PolicyError {
                file: file.to_owned(),
                line: location.as_ref().map(serde_norway::Location::line),
                column: location.as_ref().map(serde_norway::Location::column),
                problem,
                hint,
            }
        };
        let raw: Raw = serde_norway::from_str(text).map_err(error)?;
        let kinds = raw.kinds.map(|k| k.0);
        let warnings = undocumented(kinds.iter().flatten(), text, file);
        let tags_line = if raw.protect.tags.is_empty() {
            0
        } else {
            text.lines()
                .enumerate()
                .skip_while(|(_, l)| !l.starts_with("protect"))
                .find(|(_, l)| l.trim_start().starts_with("tags"))
                .map_or(0, |(n, _)| n + 1)
        };
        Ok(Policy {
            projects: raw.projects,
            kinds,
            protect: raw.protect,
            warnings,
            tags_line,
        })
    }

    /// What `protect.tags` cannot do in a run of `kinds` (read from `file`): the kinds
    /// whose list has no `tags` filter, whose jobs it cannot keep, said at its line
    /// (never silently). `None` when it protects in every kind, or no tag is protected.
    pub(crate) fn tags_warning(
        &self,
        file: &Path,
        kinds: impl IntoIterator<Item = Kind>,
    ) -> Option<String> {
        if self.protect.tags.is_empty() {
            return None;
        }
        let untagged: Vec<&str> = kinds
            .into_iter()
            .filter(|&kind| self.protect.tag_lists(&Filters::new(kind)).is_none())
            .map(Kind::name)
            .collect();
        if untagged.is_empty() {
            return None;
        }
        let tagged: Vec<&str> = Kind::ALL
            .into_iter()
            .filter(|&kind| kind.facts().filter("tags").is_some())
            .map(Kind::name)
            .collect();
        Some(format!(
            "{}:{}: warning: `protect.tags` cannot keep jobs of {} by their tags (their lists \
             have no `tags` filter; only {} do): protect those by `name_regex` or `ids`",
            file.display(),
            self.tags_line,
            untagged.join(", "),
            tagged.join(", "),
        ))
    }

    /// The rule of `kind`, if the file names it.
    #[cfg(test)]
    pub(crate) fn rule(&self, kind: Kind) -> Option<&KindRule> {
        self.kinds.iter().flatten().find(|r| r.kind == kind)
    }
}

/// A warning per status value of `rules` that its page does not document, at the line of
/// `text` that names it under its kind (else the kind's line).
fn undocumented<'a>(
    rules: impl Iterator<Item = &'a KindRule>,
    text: &str,
    file: &Path,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for rule in rules {
        let kind = rule.kind.to_string();
        for (filter, value) in rule.server.iter().filter(|(f, v)| !f.allows(v)) {
            let lines = || text.lines().enumerate();
            let line = lines()
                .find(|(_, l)| l.contains(&kind) && l.contains(value))
                .or_else(|| {
                    lines()
                        .skip_while(|(_, l)| !l.contains(&kind))
                        .find(|(_, l)| l.contains(value))
                })
                .or_else(|| lines().find(|(_, l)| l.contains(&kind)))
                .map_or(0, |(n, _)| n + 1);
            warnings.push(format!(
                "{}:{line}: warning: {value:?} is not a {} of the {kind} page (one of {}): \
                 the rule selects only the jobs listed with it, checked by the service and \
                 again here; nothing else of {kind} is touched",
                file.display(),
                filter.flag,
                filter.values.join(", "),
            ));
        }
    }
    warnings
}

/// The file as understood (what `otc-jobs plan` shows): YAML that reads back the same,
/// every value quoted, durations spelt out, kinds in the file's order.
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        writeln!(f, "projects:")?;
        match &self.projects.include {
            None => writeln!(f, "  # include: not written (the run reaches one project)")?,
            Some(ProjectSet::All) => writeln!(f, "  include: all")?,
            Some(ProjectSet::Only(patterns)) => writeln!(
                f,
                "  include: {}",
                list(patterns.iter().map(|p| quoted(p.as_str())).collect())
            )?,
        }
        writeln!(
            f,
            "  exclude: {}",
            list(
                self.projects
                    .exclude
                    .iter()
                    .map(|p| quoted(p.as_str()))
                    .collect()
            )
        )?;
        match &self.kinds {
            None => writeln!(f, "# kinds: not written (the flags name them)")?,
            Some(rules) if rules.is_empty() => writeln!(f, "kinds: {{}}")?,
            Some(rules) => {
                writeln!(f, "kinds:")?;
                for rule in rules {
                    let age =
                        |d: std::time::Duration| quoted(&humantime::format_duration(d).to_string());
                    let mut filters = Vec::new();
                    if let Some(d) = rule.local.older_than {
                        filters.push(format!("older_than: {}", age(d)));
                    }
                    if let Some(d) = rule.local.newer_than {
                        filters.push(format!("newer_than: {}", age(d)));
                    }
                    if let Some(re) = &rule.local.name_regex {
                        filters.push(format!("name_regex: {}", quoted(re.as_str())));
                    }
                    for (filter, value) in rule.server.iter() {
                        filters.push(format!("{}: {}", filter.flag, quoted(value)));
                    }
                    if filters.is_empty() {
                        writeln!(f, "  {}: {{}}", rule.kind)?;
                    } else {
                        writeln!(f, "  {}: {{ {} }}", rule.kind, filters.join(", "))?;
                    }
                }
            }
        }
        writeln!(f, "protect:")?;
        if let Some(re) = &self.protect.name_regex {
            writeln!(f, "  name_regex: {}", quoted(re.as_str()))?;
        }
        writeln!(
            f,
            "  ids: {}",
            list(self.protect.ids.iter().map(|id| quoted(&id.0)).collect())
        )?;
        let tags: Vec<String> = self
            .protect
            .tags
            .iter()
            .map(|(k, v)| format!("{}: {}", quoted(k), quoted(&v.0)))
            .collect();
        if tags.is_empty() {
            writeln!(f, "  tags: {{}}")
        } else {
            writeln!(f, "  tags: {{ {} }}", tags.join(", "))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    projects: Projects,
    #[serde(default)]
    kinds: Option<KindRules>,
    #[serde(default)]
    protect: Protect,
}

/// A visitor of scalars (text, numbers, booleans as written) that parses them, so that a
/// refusal carries the scalar's position.
struct Parse<F> {
    expecting: &'static str,
    parse: F,
}

impl<F> Parse<F> {
    fn new<T>(expecting: &'static str, parse: F) -> Parse<F>
    where
        F: FnOnce(&str) -> Result<T, (String, String)>,
    {
        Parse { expecting, parse }
    }
}

impl<'de, T, F> Visitor<'de> for Parse<F>
where
    F: FnOnce(&str) -> Result<T, (String, String)>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).map_err(|(problem, hint)| fail(problem, hint))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        self.visit_str(if v { "true" } else { "false" })
    }
}

fn regex_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Regex>, D::Error> {
    deserializer
        .deserialize_str(Parse::new("a regular expression", regex))
        .map(Some)
}

fn regex(text: &str) -> Result<Regex, (String, String)> {
    select::parse_regex(text).map_err(|e| {
        (
            format!("invalid regular expression {text:?}: {}", one_line(&e)),
            "write a Rust regex (https://docs.rs/regex), e.g. \"^nightly-\"; quote it in YAML"
                .to_owned(),
        )
    })
}

fn age(text: &str) -> Result<std::time::Duration, (String, String)> {
    select::parse_age(text).map_err(|e| {
        let (problem, hint) = e
            .split_once("; ")
            .unwrap_or((&e, "write e.g. 7d, 36h or 90min"));
        (
            format!("invalid duration {text:?}: {problem}"),
            hint.to_owned(),
        )
    })
}

/// The regex crate's errors span lines (the pattern, a caret, the reason): the reason.
fn one_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .trim_start_matches("error: ")
        .to_owned()
}

/// An element of `include`: `all`, or a pattern.
fn pattern(text: &str, all_allowed: bool) -> Result<Option<Pattern>, (String, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Err((
            "an empty project name".to_owned(),
            "write a project name or id (globs: eu-de_dev-*)".to_owned(),
        ));
    }
    if text == "all" {
        return if all_allowed {
            Ok(None)
        } else {
            Err((
                "`all` in projects.exclude".to_owned(),
                "`all` is for projects.include; exclude names projects never touched".to_owned(),
            ))
        };
    }
    Ok(Some(Pattern(text.to_owned())))
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pattern, D::Error> {
        let parsed = deserializer
            .deserialize_any(Parse::new("a project name or id", |s| pattern(s, false)))?;
        // `pattern` refuses `all` here, so there is always one.
        parsed.ok_or_else(|| fail("`all` in projects.exclude", ""))
    }
}

impl<'de> Deserialize<'de> for ProjectSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ProjectSet, D::Error> {
        deserializer.deserialize_any(ProjectSetVisitor)
    }
}

struct ProjectSetVisitor;

/// One element of `include`'s list.
struct IncludeItem(Option<Pattern>);

impl<'de> Deserialize<'de> for IncludeItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IncludeItem, D::Error> {
        deserializer
            .deserialize_any(Parse::new("a project name or id, or all", |s| {
                pattern(s, true)
            }))
            .map(IncludeItem)
    }
}

impl<'de> Visitor<'de> for ProjectSetVisitor {
    type Value = ProjectSet;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`all` or a list of project names or ids")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ProjectSet, E> {
        match pattern(v, true) {
            Ok(None) => Ok(ProjectSet::All),
            Ok(Some(p)) => Ok(ProjectSet::Only(vec![p])),
            Err((problem, hint)) => Err(fail(problem, hint)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ProjectSet, A::Error> {
        let mut patterns = Vec::new();
        let mut all = false;
        while let Some(IncludeItem(item)) = seq.next_element()? {
            match item {
                Some(p) => patterns.push(p),
                None => all = true,
            }
        }
        if all {
            return Ok(ProjectSet::All);
        }
        if patterns.is_empty() {
            return Err(fail(
                "projects.include names no project",
                "write project names or ids (globs: eu-de_dev-*), or `all` for every project",
            ));
        }
        Ok(ProjectSet::Only(patterns))
    }
}

/// `kinds`: a map of kind names to rules, in the file's order.
struct KindRules(Vec<KindRule>);

fn kind_names() -> String {
    Kind::ALL.map(Kind::name).join(", ")
}

impl<'de> Deserialize<'de> for KindRules {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KindRules, D::Error> {
        deserializer.deserialize_map(KindRulesVisitor)
    }
}

struct KindRulesVisitor;

impl<'de> Visitor<'de> for KindRulesVisitor {
    type Value = KindRules;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of kinds to their filters (flink-job: { older_than: 7d })")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KindRules, A::Error> {
        let mut rules: Vec<KindRule> = Vec::new();
        while let Some(kind) = map.next_key_seed(KindKey { seen: &rules })? {
            let rule = map.next_value_seed(RuleSeed { kind })?;
            rules.push(rule);
        }
        Ok(KindRules(rules))
    }
}

/// A key of `kinds`: a kind of the table, once.
struct KindKey<'a> {
    seen: &'a [KindRule],
}

impl<'de> DeserializeSeed<'de> for KindKey<'_> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        let seen = self.seen;
        deserializer.deserialize_str(Parse::new("a kind", |s| {
            let kind = s.parse::<Kind>().map_err(|_| {
                (
                    format!("unknown kind {s:?}"),
                    format!("the kinds are {} (`otc-jobs kinds`)", kind_names()),
                )
            })?;
            if seen.iter().any(|r| r.kind == kind) {
                return Err((
                    format!("kind {kind} is named twice"),
                    "give each kind one rule".to_owned(),
                ));
            }
            Ok(kind)
        }))
    }
}

/// A kind's rule: a map of `clean`'s filters.
struct RuleSeed {
    kind: Kind,
}

impl<'de> DeserializeSeed<'de> for RuleSeed {
    type Value = KindRule;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<KindRule, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RuleSeed {
    type Value = KindRule;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the filters of {} ({{}} for none)", self.kind)
    }

    /// `sql-job:` with nothing after it: no filters.
    fn visit_unit<E: de::Error>(self) -> Result<KindRule, E> {
        Ok(self.rule())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KindRule, A::Error> {
        let mut rule = self.rule();
        let mut seen: Vec<RuleKey> = Vec::new();
        while let Some(key) = map.next_key_seed(RuleKeySeed {
            kind: self.kind,
            seen: &seen,
        })? {
            match key {
                RuleKey::OlderThan => {
                    rule.local.older_than = Some(map.next_value_seed(ScalarSeed(age))?);
                }
                RuleKey::NewerThan => {
                    rule.local.newer_than = Some(map.next_value_seed(ScalarSeed(age))?);
                }
                RuleKey::NameRegex => {
                    rule.local.name_regex = Some(map.next_value_seed(ScalarSeed(regex))?);
                }
                RuleKey::Server(filter) => {
                    let value = map.next_value_seed(FilterValue {
                        kind: self.kind,
                        filter,
                    })?;
                    // Checked by `FilterValue` already: a status its page does not
                    // document is taken, with a warning (see `KindRule::admits`).
                    rule.server
                        .set_undocumented(filter.flag, value)
                        .map_err(|e| fail(e, ""))?;
                }
            }
            seen.push(key);
        }
        Ok(rule)
    }
}

impl RuleSeed {
    fn rule(&self) -> KindRule {
        KindRule::new(self.kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleKey {
    OlderThan,
    NewerThan,
    NameRegex,
    Server(&'static Filter),
}

/// A key of a kind's rule: a filter of `clean` that the kind can apply, once.
struct RuleKeySeed<'a> {
    kind: Kind,
    seen: &'a [RuleKey],
}

impl<'de> DeserializeSeed<'de> for RuleKeySeed<'_> {
    type Value = RuleKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RuleKey, D::Error> {
        let (kind, seen) = (self.kind, self.seen);
        deserializer.deserialize_str(Parse::new("a filter", |s| {
            let flag = s.replace('_', "-");
            let key = match flag.as_str() {
                "older-than" => RuleKey::OlderThan,
                "newer-than" => RuleKey::NewerThan,
                "name-regex" => RuleKey::NameRegex,
                _ => match kind.facts().filter(&flag) {
                    Some(filter) => RuleKey::Server(filter),
                    None => {
                        let unknown = FilterError::Unknown { kind, flag };
                        let refused = select::refused(kind, &unknown);
                        return Err((
                            format!("{s} is not a filter of the {kind} list"),
                            refused.hint.unwrap_or_default(),
                        ));
                    }
                },
            };
            if seen.contains(&key) {
                return Err((
                    format!("{s} is given twice for {kind}"),
                    "give each filter once".to_owned(),
                ));
            }
            Ok(key)
        }))
    }
}

/// A scalar parsed by `parse`, refused at its position.
struct ScalarSeed<F>(F);

impl<'de, T, F> DeserializeSeed<'de> for ScalarSeed<F>
where
    F: FnOnce(&str) -> Result<T, (String, String)>,
{
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(Parse::new("a text", self.0))
    }
}

/// A server filter's value: a scalar, or a list joined as the filter takes several
/// (`status: [3, 5]` for `--status 3,5`); checked against the page's values.
struct FilterValue {
    kind: Kind,
    filter: &'static Filter,
}

impl FilterValue {
    fn check<E: de::Error>(&self, value: String) -> Result<String, E> {
        // A status the page does not list may be newer than the page: it only narrows
        // the rule (checked on the rows too), so it is taken with a warning; any other
        // value the page does not document is refused.
        // (Not for a list of codes, as ModelArts v1's `3,5`: a code outside the page's
        // range is a mistake.)
        if self.filter.flag == "status" && self.filter.separator.is_none() {
            return Ok(value);
        }
        Filters::new(self.kind)
            .set(self.filter.flag, value.clone())
            .map(|()| value)
            .map_err(|e| {
                let refused = select::refused(self.kind, &e);
                fail(refused.problem, refused.hint.unwrap_or_default())
            })
    }
}

impl<'de> DeserializeSeed<'de> for FilterValue {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FilterValue {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of --{}, or a list of them", self.filter.flag)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.check(v.to_owned())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.check(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.check(v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.check(v.to_string())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let mut values = Vec::new();
        while let Some(Scalar(value)) = seq.next_element()? {
            values.push(value);
        }
        match (values.len(), self.filter.separator) {
            (0, _) => Err(fail(
                format!("no value for {}", self.filter.flag),
                "write a value, or leave the filter out",
            )),
            (1, _) => self.check(values.remove(0)),
            (_, Some(separator)) => self.check(values.join(&separator.to_string())),
            (_, None) => Err(fail(
                format!(
                    "{} takes one value for {}, not {}",
                    self.filter.flag,
                    self.kind,
                    values.len()
                ),
                format!(
                    "the {} list filters by one {} at a time; write one value",
                    self.kind, self.filter.flag
                ),
            )),
        }
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
