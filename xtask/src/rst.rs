//! A reader for the subset of reStructuredText the OTC API reference pages use.
//!
//! It turns a page into a tree of [`Block`]s: headings, paragraphs, bullet lists, grid and
//! simple tables (with their `.. table::` caption and `.. _label:` target), code blocks,
//! admonitions such as `.. note::`, link targets and field lists. It is deliberately small
//! and forgiving: constructs it does not know become paragraphs or generic directives, and
//! only a table it cannot lay out is an error (naming the line and what was expected).

use std::borrow::Cow;
use std::fmt;

/// Where and why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RstError {
    /// 1-based line number in the page.
    pub line: usize,
    /// What the reader expected there.
    pub expected: String,
}

impl fmt::Display for RstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: expected {}", self.line, self.expected)
    }
}

impl std::error::Error for RstError {}

/// One block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section title; `level` counts from 1 in the order underline styles first appear.
    Heading {
        /// Line of the title text.
        line: usize,
        /// Nesting level (1 = page title).
        level: usize,
        /// The title as written.
        text: String,
    },
    /// A paragraph; its lines joined with `\n`, inline markup kept.
    Paragraph {
        /// First line.
        line: usize,
        /// Raw text.
        text: String,
    },
    /// A bullet or enumerated list; each item is a list of blocks.
    List {
        /// First line.
        line: usize,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// A grid or simple table.
    Table(Table),
    /// A `.. code-block::` / `.. code::` / literal (`::`) block.
    Code {
        /// Line of the directive (or of the block).
        line: usize,
        /// The language argument, if any.
        lang: Option<String>,
        /// The code, dedented, without trailing blank lines.
        text: String,
    },
    /// Any other directive (`.. note::`, `.. image::`, ...), body parsed as blocks.
    Directive {
        /// Line of the directive.
        line: usize,
        /// Directive name, lower-case (`note`).
        name: String,
        /// The argument after `::`.
        arg: String,
        /// The body.
        body: Vec<Block>,
    },
    /// A link target `.. _label:`.
    Target {
        /// Line.
        line: usize,
        /// The label.
        label: String,
    },
    /// A field `:name: value` (e.g. `:original_name: dli_02_0242.html`).
    Field {
        /// Line.
        line: usize,
        /// Field name.
        name: String,
        /// Field value.
        value: String,
    },
    /// An indented block (block quote), parsed as blocks.
    Quote {
        /// First line.
        line: usize,
        /// The body.
        body: Vec<Block>,
    },
}

impl Block {
    /// The line the block starts on.
    pub fn line(&self) -> usize {
        match self {
            Block::Heading { line, .. }
            | Block::Paragraph { line, .. }
            | Block::List { line, .. }
            | Block::Code { line, .. }
            | Block::Directive { line, .. }
            | Block::Target { line, .. }
            | Block::Field { line, .. }
            | Block::Quote { line, .. } => *line,
            Block::Table(t) => t.line,
        }
    }
}

/// A table, with its caption and label when it stands in a `.. table::` directive.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Line of the first border (or of the `.. table::` directive).
    pub line: usize,
    /// The `.. table::` argument, raw.
    pub caption: Option<String>,
    /// The `.. _label:` target directly before the table (or its directive).
    pub label: Option<String>,
    /// Header rows (usually one).
    pub header: Vec<Vec<Cell>>,
    /// Body rows.
    pub rows: Vec<Vec<Cell>>,
}

/// One table cell: its text, dedented, parsed as blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// The cell's content.
    pub blocks: Vec<Block>,
}

impl Cell {
    /// The cell as one line of plain text (see [`plain`]).
    pub fn plain(&self) -> String {
        blocks_plain(&self.blocks)
    }

    /// The cell as Markdown (see [`markdown`]).
    pub fn markdown(&self) -> String {
        blocks_markdown(&self.blocks)
    }
}

impl Table {
    /// The plain text of each header column (rows of a multi-row header joined).
    pub fn header_names(&self) -> Vec<String> {
        let width = self.header.iter().map(Vec::len).max().unwrap_or(0);
        (0..width)
            .map(|c| {
                let parts: Vec<String> = self
                    .header
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(Cell::plain)
                    .filter(|s| !s.is_empty())
                    .collect();
                parts.join(" ")
            })
            .collect()
    }
}

/// Reads a page into blocks.
pub fn parse(text: &str) -> Result<Vec<Block>, RstError> {
    // The page's lines, tabs expanded (only the lines with a tab are copied).
    let texts: Vec<Cow<'_, str>> = text
        .lines()
        .map(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            if l.contains('\t') {
                Cow::Owned(l.replace('\t', "        "))
            } else {
                Cow::Borrowed(l)
            }
        })
        .collect();
    let lines: Vec<Line<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Line::new(i + 1, t))
        .collect();
    let mut styles = Vec::new();
    let mut blocks = parse_lines(&lines, &mut styles)?;
    attach_labels(&mut blocks);
    Ok(blocks)
}

/// One line of a block, borrowed from the page (or from a table cell's text).
///
/// Nested blocks (quotes, list items, directive bodies, cells) are read from their lines
/// dedented, one level at a time; borrowing, with the indentation known, makes a level
/// cost one step per line instead of a copy of every line: a page nested `d` deep no
/// longer costs `d` copies of itself.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: &'a str,
    /// Leading spaces.
    indent: usize,
    /// Only whitespace.
    blank: bool,
}

impl<'a> Line<'a> {
    fn new(no: usize, text: &'a str) -> Self {
        Line {
            no,
            text,
            indent: text.len() - text.trim_start_matches(' ').len(),
            blank: text.trim().is_empty(),
        }
    }
    fn is_blank(&self) -> bool {
        self.blank
    }
    fn indent(&self) -> usize {
        self.indent
    }
}

/// Removes `n` leading columns from each line (blank lines become empty).
fn dedent<'a>(lines: &[Line<'a>], n: usize) -> Vec<Line<'a>> {
    lines
        .iter()
        .map(|l| {
            if l.blank {
                Line::new(l.no, "")
            } else {
                // The first `indent` bytes are spaces: any cut up to there is a boundary.
                let cut = n.min(l.indent);
                Line {
                    no: l.no,
                    text: l.text.get(cut..).unwrap_or(""),
                    indent: l.indent - cut,
                    blank: false,
                }
            }
        })
        .collect()
}

fn min_indent(lines: &[Line]) -> usize {
    lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(Line::indent)
        .min()
        .unwrap_or(0)
}

/// The end (exclusive) of the indented block starting at `start`: lines that are blank or
/// indented by at least `min`, without trailing blank lines.
fn indented_end(lines: &[Line], start: usize, min: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while i < lines.len() {
        let l = &lines[i];
        if l.is_blank() {
            i += 1;
            continue;
        }
        if l.indent() >= min {
            i += 1;
            end = i;
        } else {
            break;
        }
    }
    end
}

const ADORNMENT: &str = "=-~^\"'`#*+:._";

fn is_adornment(s: &str) -> bool {
    let t = s.trim_end();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if ADORNMENT.contains(c) => t.len() >= 3 && t.chars().all(|x| x == c),
        _ => false,
    }
}

fn is_grid_border(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("+-") || t.starts_with("+=")
}

fn is_simple_border(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.starts_with('=')
        && t.chars().all(|c| c == '=' || c == ' ')
        && t.contains(' ')
}

fn bullet_marker(s: &str) -> Option<usize> {
    // Returns the column where the item text starts.
    let b = s.as_bytes();
    match b.first() {
        Some(b'-' | b'*' | b'+') if b.get(1) == Some(&b' ') => {
            let rest = &s[1..];
            Some(1 + rest.len() - rest.trim_start().len())
        }
        Some(b'#') if s.starts_with("#. ") => Some(3 + s[3..].len() - s[3..].trim_start().len()),
        Some(c) if c.is_ascii_digit() || c.is_ascii_lowercase() => {
            let digits = s.bytes().take_while(|c| c.is_ascii_alphanumeric()).count();
            let after = &s[digits..];
            let is_enum = (digits <= 3)
                && (after.starts_with(". ") || after.starts_with(") "))
                && (s.as_bytes()[..digits].iter().all(u8::is_ascii_digit) || digits == 1);
            if is_enum {
                let rest = &after[1..];
                Some(digits + 1 + rest.len() - rest.trim_start().len())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn parse_lines(lines: &[Line], styles: &mut Vec<char>) -> Result<Vec<Block>, RstError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        if l.is_blank() {
            i += 1;
            continue;
        }
        let indent = l.indent();
        if indent > 0 {
            // Block quote: an indented block at this level.
            let end = indented_end(lines, i, indent.min(1));
            let body_lines = dedent(&lines[i..end], min_indent(&lines[i..end]));
            let body = parse_lines(&body_lines, styles)?;
            out.push(Block::Quote { line: l.no, body });
            i = end;
            continue;
        }
        let t = l.text;

        // Section title with overline.
        if is_adornment(t)
            && let (Some(title), Some(under)) = (lines.get(i + 1), lines.get(i + 2))
            && !title.is_blank()
            && under.text.trim_end() == t.trim_end()
        {
            let c = t.chars().next().unwrap_or('=');
            out.push(heading(styles, c, true, title.no, title.text.trim()));
            i += 3;
            continue;
        }
        // Section title with underline.
        if let Some(next) = lines.get(i + 1)
            && next.indent() == 0
            && is_adornment(next.text)
            && !is_adornment(t)
            && !is_grid_border(t)
            && next.text.trim_end().chars().count() >= t.trim_end().chars().count().min(3)
        {
            let c = next.text.chars().next().unwrap_or('=');
            out.push(heading(styles, c, false, l.no, t.trim()));
            i += 2;
            continue;
        }
        if is_grid_border(t) {
            let end = lines[i..]
                .iter()
                .position(|l| {
                    let s = l.text.trim_start();
                    l.is_blank() || !(s.starts_with('+') || s.starts_with('|'))
                })
                .map_or(lines.len(), |p| i + p);
            let table = grid_table(&lines[i..end])?;
            out.push(Block::Table(table));
            i = end;
            continue;
        }
        if is_simple_border(t) {
            let (table, end) = simple_table(lines, i)?;
            out.push(Block::Table(table));
            i = end;
            continue;
        }
        if let Some(rest) = t.strip_prefix(".. ") {
            let (block, end) = directive(lines, i, rest, styles)?;
            if let Some(b) = block {
                out.push(b);
            }
            i = end;
            continue;
        }
        if let Some(field) = field(t) {
            out.push(Block::Field {
                line: l.no,
                name: field.0,
                value: field.1,
            });
            i += 1;
            continue;
        }
        if let Some(col) = bullet_marker(t) {
            let mut items = Vec::new();
            let first = l.no;
            while let Some(line) = lines.get(i) {
                if line.indent() != 0 || line.is_blank() {
                    break;
                }
                let Some(col) =
                    bullet_marker(line.text).or(if items.is_empty() { Some(col) } else { None })
                else {
                    break;
                };
                let end = indented_end(lines, i + 1, col.max(1));
                let mut item_lines = vec![Line::new(line.no, line.text.get(col..).unwrap_or(""))];
                item_lines.extend(dedent(
                    &lines[i + 1..end],
                    col.min(min_indent(&lines[i + 1..end])),
                ));
                items.push(parse_lines(&item_lines, styles)?);
                i = end;
                // Blank lines between items.
                let mut j = i;
                while lines.get(j).is_some_and(Line::is_blank) {
                    j += 1;
                }
                match lines.get(j) {
                    Some(n) if n.indent() == 0 && bullet_marker(n.text).is_some() => i = j,
                    _ => break,
                }
            }
            out.push(Block::List { line: first, items });
            continue;
        }
        // Paragraph: up to a blank line or an indentation change.
        let start = i;
        let mut text = String::new();
        while let Some(line) = lines.get(i) {
            if line.is_blank() || line.indent() != 0 {
                break;
            }
            if i > start
                && lines
                    .get(i + 1)
                    .is_some_and(|n| n.indent() == 0 && is_adornment(n.text))
            {
                break;
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(line.text.trim_end());
            i += 1;
        }
        if text.ends_with("::") {
            // A literal block follows.
            let para = text.trim_end_matches(':').trim_end().to_owned();
            if !para.is_empty() {
                out.push(Block::Paragraph {
                    line: l.no,
                    text: format!("{para}:"),
                });
            }
            let mut j = i;
            while lines.get(j).is_some_and(Line::is_blank) {
                j += 1;
            }
            if lines.get(j).is_some_and(|n| n.indent() > 0) {
                let end = indented_end(lines, j, 1);
                let body = dedent(&lines[j..end], min_indent(&lines[j..end]));
                out.push(Block::Code {
                    line: lines[j].no,
                    lang: None,
                    text: join_code(&body),
                });
                i = end;
            }
            continue;
        }
        out.push(Block::Paragraph { line: l.no, text });
    }
    Ok(out)
}

fn heading(styles: &mut Vec<char>, c: char, over: bool, line: usize, text: &str) -> Block {
    // Overlined and underlined-only titles with the same character are different styles;
    // encode the overline as an upper-case marker in the style list.
    let key = if over { c.to_ascii_uppercase() } else { c };
    let level = match styles.iter().position(|&s| s == key) {
        Some(p) => p + 1,
        None => {
            styles.push(key);
            styles.len()
        }
    };
    Block::Heading {
        line,
        level,
        text: text.to_owned(),
    }
}

fn field(t: &str) -> Option<(String, String)> {
    let rest = t.strip_prefix(':')?;
    let end = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))?;
    let name = &rest[..end];
    if name.is_empty() || name.contains('`') || name.contains(' ') {
        return None;
    }
    let value = rest.get(end + 1..).unwrap_or("").trim();
    Some((name.to_owned(), value.to_owned()))
}

fn join_code(lines: &[Line]) -> String {
    let mut v: Vec<&str> = lines.iter().map(|l| l.text.trim_end()).collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    while v.first().is_some_and(|l| l.is_empty()) {
        v.remove(0);
    }
    v.join("\n")
}

/// Parses the directive starting at line `i` (`rest` is the text after `.. `).
fn directive(
    lines: &[Line],
    i: usize,
    rest: &str,
    styles: &mut Vec<char>,
) -> Result<(Option<Block>, usize), RstError> {
    let no = lines[i].no;
    let end = indented_end(lines, i + 1, 1);
    let body = &lines[i + 1..end];
    if let Some(label) = rest.strip_prefix('_') {
        let label = label.trim_end().trim_end_matches(':');
        return Ok((
            Some(Block::Target {
                line: no,
                label: label.trim_matches('`').to_owned(),
            }),
            end,
        ));
    }
    let Some((name, arg)) = rest.split_once("::") else {
        // A comment.
        return Ok((None, end));
    };
    let name = name.trim().to_ascii_lowercase();
    let arg = arg.trim().to_owned();
    // Options (`:name: value`) directly after the directive line.
    let body = dedent(body, min_indent(body));
    let mut k = 0;
    while body
        .get(k)
        .is_some_and(|l| !l.is_blank() && field(l.text).is_some())
    {
        k += 1;
    }
    let content = &body[k..];
    let block = match name.as_str() {
        "code-block" | "code" | "sourcecode" | "parsed-literal" => Block::Code {
            line: no,
            lang: (!arg.is_empty()).then(|| arg.clone()),
            text: join_code(content),
        },
        "table" => {
            let blocks = parse_lines(content, styles)?;
            let mut tables = blocks.into_iter().filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            });
            match tables.next() {
                Some(mut t) => {
                    t.caption = (!arg.is_empty()).then(|| arg.clone());
                    Block::Table(t)
                }
                None => {
                    return Err(RstError {
                        line: no,
                        expected: "a grid or simple table in the `.. table::` directive".into(),
                    });
                }
            }
        }
        "list-table" => {
            let header_rows = body[..k]
                .iter()
                .filter_map(|l| field(l.text))
                .find(|(n, _)| n == "header-rows")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let blocks = parse_lines(content, styles)?;
            let mut rows: Vec<Vec<Cell>> = Vec::new();
            for b in blocks {
                if let Block::List { items, .. } = b {
                    for item in items {
                        let cells = match item.as_slice() {
                            [Block::List { items: cells, .. }] => {
                                cells.iter().map(|c| Cell { blocks: c.clone() }).collect()
                            }
                            _ => vec![Cell { blocks: item }],
                        };
                        rows.push(cells);
                    }
                }
            }
            let body_rows = rows.split_off(header_rows.min(rows.len()));
            Block::Table(Table {
                line: no,
                caption: (!arg.is_empty()).then(|| arg.clone()),
                label: None,
                header: rows,
                rows: body_rows,
            })
        }
        _ => Block::Directive {
            line: no,
            name,
            arg,
            body: parse_lines(content, styles)?,
        },
    };
    Ok((Some(block), end))
}

/// Gives each table the label of a `.. _label:` target directly before it.
fn attach_labels(blocks: &mut [Block]) {
    let mut pending: Option<String> = None;
    for b in blocks.iter_mut() {
        match b {
            Block::Target { label, .. } => pending = Some(label.clone()),
            Block::Table(t) => {
                if t.label.is_none() {
                    t.label = pending.take();
                }
            }
            Block::List { items, .. } => {
                for item in items.iter_mut() {
                    attach_labels(item);
                }
                pending = None;
            }
            Block::Quote { body, .. } | Block::Directive { body, .. } => {
                attach_labels(body);
                pending = None;
            }
            // A one-line title between the target and its table (IAM's `projects.links`).
            Block::Paragraph { text, .. } if !text.contains('\n') && !text.contains(' ') => {}
            _ => pending = None,
        }
    }
}

/// A line of a table, addressed by character column: a table's columns count characters,
/// not bytes. An ASCII line (nearly all) is its own index; another keeps the byte offset
/// of each character. Slices borrow the line, so a table costs no copy of its text.
struct Columns<'a> {
    text: &'a str,
    /// The byte offset of each character, when the line is not ASCII.
    starts: Option<Vec<usize>>,
}

impl<'a> Columns<'a> {
    fn new(text: &'a str) -> Self {
        let starts = (!text.is_ascii()).then(|| text.char_indices().map(|(k, _)| k).collect());
        Columns { text, starts }
    }

    /// The number of characters.
    fn len(&self) -> usize {
        self.starts.as_ref().map_or(self.text.len(), Vec::len)
    }

    /// The byte offset of character `col` (the text's end from the last column on).
    fn byte(&self, col: usize) -> usize {
        match &self.starts {
            None => col.min(self.text.len()),
            Some(starts) => starts.get(col).copied().unwrap_or(self.text.len()),
        }
    }

    /// Characters `a..b` (empty when `a` is past `b`; `b` is cut at the end).
    fn slice(&self, a: usize, b: usize) -> &'a str {
        let b = b.min(self.len());
        if a > b {
            return "";
        }
        self.text.get(self.byte(a)..self.byte(b)).unwrap_or("")
    }

    /// Character `col` is `c` (an ASCII character).
    fn is(&self, col: usize, c: u8) -> bool {
        col < self.len() && self.text.as_bytes().get(self.byte(col)) == Some(&c)
    }
}

fn grid_table(lines: &[Line]) -> Result<Table, RstError> {
    let first_no = lines.first().map_or(0, |l| l.no);
    let indent = min_indent(lines);
    let rows_text: Vec<(usize, &str)> = lines
        .iter()
        .map(|l| (l.no, l.text.get(indent..).unwrap_or("").trim_end()))
        .collect();
    let top = Columns::new(rows_text[0].1);
    let bounds: Vec<usize> = (0..top.len()).filter(|&k| top.is(k, b'+')).collect();
    if bounds.len() < 2 || rows_text.len() < 2 {
        return Err(RstError {
            line: first_no,
            expected: "a grid table border like `+-----+-----+` followed by rows".into(),
        });
    }
    let ncols = bounds.len() - 1;
    let mut table = Table {
        line: first_no,
        ..Table::default()
    };
    let mut current: Vec<(usize, &str)> = Vec::new();
    let mut header_done = false;
    let last = rows_text.len() - 1;
    for (idx, &(no, row)) in rows_text.iter().enumerate().skip(1) {
        let is_sep = row.starts_with('+');
        if is_sep {
            let is_header_sep = row.contains('=');
            if !current.is_empty() {
                let cells = grid_row(&current, &bounds, ncols);
                if is_header_sep && !header_done {
                    table.header.push(cells);
                } else {
                    table.rows.push(cells);
                }
            }
            if is_header_sep {
                header_done = true;
            }
            current.clear();
        } else if row.starts_with('|') {
            current.push((no, row));
        } else {
            return Err(RstError {
                line: no,
                expected: "a grid table row starting with `|` or a border starting with `+`".into(),
            });
        }
        if idx == last && !is_sep {
            return Err(RstError {
                line: no,
                expected: "a grid table bottom border `+---+`".into(),
            });
        }
    }
    Ok(table)
}

/// Splits the content lines of one grid row into cells.
fn grid_row(lines: &[(usize, &str)], bounds: &[usize], ncols: usize) -> Vec<Cell> {
    // A boundary divides cells when every line has `|` there; otherwise the cell spans it.
    let width = bounds.last().copied().unwrap_or(0);
    let columns: Vec<(usize, Columns<'_>)> =
        lines.iter().map(|&(no, l)| (no, Columns::new(l))).collect();
    let aligned = columns
        .iter()
        .all(|(_, l)| l.len() == width + 1 || l.len() == width);
    let mut texts: Vec<Vec<(usize, &str)>> = vec![Vec::new(); ncols];
    if aligned {
        let dividers: Vec<usize> = (0..=ncols)
            .filter(|&k| k == 0 || k == ncols || columns.iter().all(|(_, l)| l.is(bounds[k], b'|')))
            .collect();
        for (no, l) in &columns {
            for w in dividers.windows(2) {
                let (a, b) = (bounds[w[0]] + 1, bounds[w[1]]);
                texts[w[0]].push((*no, l.slice(a, b)));
            }
        }
    } else {
        // Wide characters or ragged lines: fall back to splitting on `|`.
        for &(no, l) in lines {
            let parts: Vec<&str> = l.split('|').collect();
            let inner = parts.get(1..parts.len().saturating_sub(1)).unwrap_or(&[]);
            for (k, p) in inner.iter().enumerate().take(ncols) {
                texts[k].push((no, p));
            }
        }
    }
    texts.into_iter().map(|t| cell(&t)).collect()
}

fn cell(lines: &[(usize, &str)]) -> Cell {
    let lines: Vec<Line<'_>> = lines
        .iter()
        .map(|&(no, t)| Line::new(no, t.trim_end()))
        .collect();
    let lines = dedent(&lines, min_indent(&lines));
    let mut styles = Vec::new();
    // A cell that does not parse as blocks is kept as one paragraph.
    let blocks = parse_lines(&lines, &mut styles).unwrap_or_else(|_| {
        vec![Block::Paragraph {
            line: lines.first().map_or(0, |l| l.no),
            text: lines
                .iter()
                .map(|l| l.text.trim())
                .collect::<Vec<_>>()
                .join("\n"),
        }]
    });
    Cell { blocks }
}

/// Parses the simple table whose top border is line `start`; returns it and the index after it.
fn simple_table<'a>(lines: &[Line<'a>], start: usize) -> Result<(Table, usize), RstError> {
    let border = &lines[start].text;
    let mut cols: Vec<(usize, usize)> = Vec::new();
    let bytes = border.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k] == b'=' {
            let s = k;
            while k < bytes.len() && bytes[k] == b'=' {
                k += 1;
            }
            cols.push((s, k));
        } else {
            k += 1;
        }
    }
    // Find the end: a border followed by a blank line or the end of the input.
    let mut borders = vec![start];
    let mut i = start + 1;
    let end = loop {
        let Some(l) = lines.get(i) else {
            // No border followed by a blank line: end at the last border, if there is one.
            if let [_, .., last] = borders[..] {
                break last + 1;
            }
            return Err(RstError {
                line: lines.last().map_or(0, |l| l.no),
                expected: format!(
                    "a closing `===` border for the simple table that starts on line {}",
                    lines[start].no
                ),
            });
        };
        if is_simple_border(l.text) || (cols.len() == 1 && is_adornment(l.text)) {
            borders.push(i);
            if lines.get(i + 1).is_none_or(Line::is_blank) {
                break i + 1;
            }
        }
        i += 1;
    };
    let body_start = if borders.len() >= 3 {
        borders[1] + 1
    } else {
        start + 1
    };
    let header_lines = if borders.len() >= 3 {
        &lines[start + 1..borders[1]]
    } else {
        &lines[0..0]
    };
    let body_lines: Vec<&Line> = lines[body_start..end - 1]
        .iter()
        .filter(|l| !is_simple_border(l.text))
        .collect();
    let split = |l: &Line<'a>| -> Vec<&'a str> {
        let cs = Columns::new(l.text);
        let len = cs.len();
        cols.iter()
            .enumerate()
            .map(|(c, &(s, e))| {
                let e = if c + 1 == cols.len() {
                    len
                } else {
                    e.max(cols[c + 1].0.min(len))
                };
                let e = e.min(len);
                cs.slice(s.min(e), e)
            })
            .collect()
    };
    let group = |ls: Vec<&Line<'a>>| -> Vec<Vec<Cell>> {
        let mut rows: Vec<Vec<Vec<(usize, &'a str)>>> = Vec::new();
        for l in ls {
            if l.is_blank() {
                continue;
            }
            let parts = split(l);
            let continuation =
                parts.first().is_some_and(|p| p.trim().is_empty()) && !rows.is_empty();
            if !continuation {
                rows.push(vec![Vec::new(); cols.len()]);
            }
            if let Some(row) = rows.last_mut() {
                for (c, p) in parts.into_iter().enumerate() {
                    row[c].push((l.no, p));
                }
            }
        }
        rows.into_iter()
            .map(|r| r.iter().map(|c| cell(c)).collect())
            .collect()
    };
    let table = Table {
        line: lines[start].no,
        header: group(header_lines.iter().collect()),
        rows: group(body_lines),
        ..Table::default()
    };
    Ok((table, end))
}

// ---------------------------------------------------------------------------------------
// Inline markup.

/// Renders inline markup as plain text: ``:ref:`Text <anchor>` `` → `Text`, `**x**` → `x`,
/// ``` ``x`` ``` → `x`, `` `Text <url>`__ `` → `Text`, escapes removed, whitespace collapsed.
pub fn plain(text: &str) -> String {
    collapse(&render(text, false))
}

/// Renders inline markup as Markdown for doc comments: bold and literals kept, links and
/// references reduced to their text, characters rustdoc would read as links or HTML escaped.
pub fn markdown(text: &str) -> String {
    collapse(&render(text, true))
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    collapse_into(&mut out, s);
    out
}

/// Appends the words of `s` to `out`, a space before each (before the first too when
/// `out` is not empty).
fn collapse_into(out: &mut String, s: &str) {
    // What `s.split_whitespace().collect::<Vec<_>>().join(" ")` gives, in one pass over the
    // bytes and no allocation: every paragraph and cell passes here, so it shows in the
    // reader's cost. Two tight loops (the spaces, then a word) rather than one with a
    // state; ASCII bytes are classified by table, other characters decoded.
    let bytes = s.as_bytes();
    let mut i = 0;
    loop {
        i = skip(s, i, true);
        if i >= bytes.len() {
            return;
        }
        let start = i;
        i = skip(s, i, false);
        push_word(out, &s[start..i]);
    }
}

/// The end of the run of whitespace (`space`) or of other characters (`!space`) that
/// starts at byte `i` of `s` (a character boundary).
fn skip(s: &str, mut i: usize, space: bool) -> usize {
    let bytes = s.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if ASCII_WHITESPACE[usize::from(b)] != space {
                break;
            }
            i += 1;
        } else {
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            if c.is_whitespace() != space {
                break;
            }
            i += c.len_utf8();
        }
    }
    i
}

/// `char::is_whitespace` of each ASCII character: tab, line feed, vertical tab, form feed,
/// carriage return and space.
const ASCII_WHITESPACE: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8 as char).is_whitespace();
        b += 1;
    }
    table
};

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

fn render(text: &str, md: bool) -> String {
    // Indexes are byte offsets, always on a character boundary: every marker is ASCII, so
    // the text between two markers is copied as one slice rather than char by char (every
    // paragraph and cell of a page passes here).
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let boundary_before = |i: usize| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|p| !p.is_alphanumeric())
    };
    let char_after = |i: usize| text.get(i + 1..).and_then(|rest| rest.chars().next());
    while let Some(&c) = b.get(i) {
        // Role: :name:`text`
        if c == b':' && boundary_before(i) {
            let name_len = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_')
                .count();
            if name_len > 0
                && b.get(i + 1 + name_len) == Some(&b':')
                && b.get(i + 2 + name_len) == Some(&b'`')
                && let Some(close) = find(b, i + 3 + name_len, b'`')
            {
                let inner = &text[i + 3 + name_len..close];
                push_escaped_str(&mut out, &link_text(inner), md);
                i = close + 1;
                continue;
            }
        }
        if c == b'*'
            && b.get(i + 1) == Some(&b'*')
            && boundary_before(i)
            && let Some(close) = find_seq(b, i + 2, b"**")
            && close > i + 2
        {
            let inner = escape(&unescape(&text[i + 2..close]), md);
            if md {
                out.push_str("**");
                out.push_str(inner.trim());
                out.push_str("**");
            } else {
                out.push_str(&inner);
            }
            i = close + 2;
            continue;
        }
        if c == b'`'
            && b.get(i + 1) == Some(&b'`')
            && let Some(close) = find_seq(b, i + 2, b"``")
        {
            let inner = &text[i + 2..close];
            if md {
                out.push('`');
                out.push_str(&inner.replace('`', "'"));
                out.push('`');
            } else {
                out.push_str(inner);
            }
            i = close + 2;
            continue;
        }
        if c == b'`'
            && let Some(close) = find(b, i + 1, b'`')
        {
            push_escaped_str(&mut out, &link_text(&text[i + 1..close]), md);
            i = close + 1;
            while b.get(i) == Some(&b'_') {
                i += 1;
            }
            continue;
        }
        if c == b'*'
            && boundary_before(i)
            && char_after(i).is_some_and(|n| !n.is_whitespace())
            && let Some(close) = find(b, i + 1, b'*')
        {
            let inner = escape(&unescape(&text[i + 1..close]), md);
            if md {
                out.push('*');
                out.push_str(&inner);
                out.push('*');
            } else {
                out.push_str(&inner);
            }
            i = close + 1;
            continue;
        }
        if c == b'\\' {
            match char_after(i) {
                Some(n) if n.is_whitespace() => i += 1 + n.len_utf8(),
                Some(n) => {
                    push_escaped(&mut out, n, md);
                    i += 1 + n.len_utf8();
                }
                None => i += 1,
            }
            continue;
        }
        // No markup here: copy up to the next byte that may start some.
        let next = b[i + 1..]
            .iter()
            .position(|&x| MARKUP_START[usize::from(x)])
            .map_or(b.len(), |p| i + 1 + p);
        push_escaped_str(&mut out, &text[i..next], md);
        i = next;
    }
    out
}

/// The bytes `render` looks at: `:` (roles), `*` (emphasis), `` ` `` (literals, links)
/// and `\\` (escapes).
const MARKUP_START: [bool; 256] = byte_set(b":*`\\");

/// The characters [`escape`] escapes for rustdoc Markdown (all ASCII).
const MARKDOWN_SPECIAL: [bool; 256] = byte_set(b"[]<>`*\\");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut k = 0;
    while k < bytes.len() {
        set[bytes[k] as usize] = true;
        k += 1;
    }
    set
}

fn find(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|x| *x == c)
        .map(|p| p + from)
}

fn find_seq(b: &[u8], from: usize, seq: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(seq.len())
        .position(|w| w == seq)
        .map(|p| p + from)
}

/// `Text <target>` → `Text`; `target` alone → `target`.
fn link_text(inner: &str) -> String {
    let inner = unescape(inner);
    let t = inner.trim();
    if t.ends_with('>')
        && let Some(open) = t.rfind('<')
    {
        let text = t[..open].trim();
        if !text.is_empty() {
            return text.to_owned();
        }
        return t[open + 1..t.len() - 1].to_owned();
    }
    t.to_owned()
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some(n) if n.is_whitespace() => {}
                Some(n) => out.push(n),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(s: &str, md: bool) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped_str(&mut out, s, md);
    out
}

/// Appends `s` to `out`, escaped as [`escape`] does.
fn push_escaped_str(out: &mut String, s: &str, md: bool) {
    if !md {
        out.push_str(s);
        return;
    }
    // Only the characters that change meaning in rustdoc Markdown, all ASCII: cutting
    // before one is cutting on a character boundary.
    let mut start = 0;
    for (k, &x) in s.as_bytes().iter().enumerate() {
        if MARKDOWN_SPECIAL[usize::from(x)] {
            out.push_str(&s[start..k]);
            out.push('\\');
            start = k;
        }
    }
    out.push_str(&s[start..]);
}

/// Appends `c` to `out`, escaped as [`escape`] does.
fn push_escaped(out: &mut String, c: char, md: bool) {
    push_escaped_str(out, c.encode_utf8(&mut [0; 4]), md);
}

/// All blocks as one line of plain text (paragraphs and list items joined by spaces).
pub fn blocks_plain(blocks: &[Block]) -> String {
    let mut out = String::new();
    collect_plain(blocks, &mut out);
    out
}

/// Appends the words of each block to `out`, one space between words: the words of the
/// blocks' texts joined by spaces, collapsed once, without a text or a copy per block
/// (every cell of every table passes here).
fn collect_plain(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Paragraph { text, .. } | Block::Heading { text, .. } => {
                collapse_into(out, &render(text, false));
            }
            Block::List { items, .. } => items.iter().for_each(|i| collect_plain(i, out)),
            Block::Quote { body, .. } | Block::Directive { body, .. } => collect_plain(body, out),
            Block::Code { text, .. } => collapse_into(out, text),
            Block::Table(_) | Block::Target { .. } | Block::Field { .. } => {}
        }
    }
}

/// All blocks as Markdown paragraphs (separated by blank lines); list items become `- `
/// lines, notes become `Note: ...` paragraphs.
pub fn blocks_markdown(blocks: &[Block]) -> String {
    let mut paras: Vec<String> = Vec::new();
    for b in blocks {
        match b {
            Block::Paragraph { text, .. } => paras.push(markdown(text)),
            Block::List { items, .. } => {
                let lines: Vec<String> = items
                    .iter()
                    .map(|i| format!("- {}", blocks_markdown(i).replace("\n\n", " ")))
                    .collect();
                paras.push(lines.join("\n"));
            }
            Block::Directive { name, body, .. } => {
                let inner = blocks_markdown(body);
                if !inner.is_empty() {
                    let mut title = name.clone();
                    if let Some(f) = title.get_mut(0..1) {
                        f.make_ascii_uppercase();
                    }
                    paras.push(format!("{title}: {inner}"));
                }
            }
            Block::Quote { body, .. } => {
                let inner = blocks_markdown(body);
                if !inner.is_empty() {
                    paras.push(inner);
                }
            }
            Block::Code { .. }
            | Block::Table(_)
            | Block::Target { .. }
            | Block::Field { .. }
            | Block::Heading { .. } => {}
        }
    }
    paras.retain(|p| !p.is_empty());
    paras.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Block {
        let mut v = parse(text).unwrap_or_default();
        assert_eq!(v.len(), 1, "{v:#?}");
        v.remove(0)
    }

    #[test]
    fn inline_markup() {
        assert_eq!(
            plain(":ref:`Obtaining a Project ID <dli_02_0183>`."),
            "Obtaining a Project ID."
        );
        assert_eq!(plain("Value **true** indicates"), "Value true indicates");
        assert_eq!(
            plain("see `Error Codes <../x.html>`__."),
            "see Error Codes."
        );
        assert_eq!(plain("``a``  and\n  \\*b"), "a and *b");
        assert_eq!(
            plain("Array of :ref:`Label <x>` objects"),
            "Array of Label objects"
        );
        assert_eq!(plain("List<resource_tag>"), "List<resource_tag>");
        assert_eq!(
            markdown("in [0,100] **x** <y>"),
            "in \\[0,100\\] **x** \\<y\\>"
        );
    }

    #[test]
    fn collapse_is_split_whitespace_joined() {
        for s in [
            "",
            "   ",
            "a",
            " a  b\t\nc ",
            "a\u{b}b\u{85}c\u{a0}d\u{3000}e",
            "\u{2003}x\u{2003}",
            "é  ü\r\n",
        ] {
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse(s), joined, "{s:?}");
        }
    }

    #[test]
    fn headings_levels() {
        let b = parse("Title\n=====\n\nSub\n---\n\ntext\n\nSub2\n----\n").unwrap_or_default();
        let levels: Vec<usize> = b
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, .. } => Some(*level),
                _ => None,
            })
            .collect();
        assert_eq!(levels, [1, 2, 2]);
    }

    #[test]
    fn simple_table_with_continuation() {
        let b = one(
            "=== ==== =====\nA   B    C\n=== ==== =====\n1   x    long\n         more\n2   y    z\n=== ==== =====\n",
        );
        let Block::Table(t) = b else {
            panic!("not a table")
        };
        assert_eq!(t.header_names(), ["A", "B", "C"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][2].plain(), "long more");
    }

    #[test]
    fn grid_table_multiline_cells_and_lists() {
        let text = "\
+-----+--------------+
| P   | Description  |
+=====+==============+
| a   | line one     |
|     |              |
|     | -  item      |
+-----+--------------+
";
        let Block::Table(t) = one(text) else {
            panic!("not a table")
        };
        assert_eq!(t.header_names(), ["P", "Description"]);
        assert_eq!(t.rows[0][1].plain(), "line one item");
        assert_eq!(t.rows[0][1].markdown(), "line one\n\n- item");
    }

    #[test]
    fn table_columns_count_characters_not_bytes() {
        // `é`, `ü` and `中` are 2 and 3 bytes: a cut by byte would split them or shift the
        // cells that follow.
        let grid = "\
+-----+-----+
| é   | ü x |
+=====+=====+
| 中   | b   |
| a中  | ü   |
+-----+-----+
";
        let Block::Table(t) = one(grid) else {
            panic!("not a table")
        };
        assert_eq!(t.header_names(), ["é", "ü x"]);
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::plain).collect())
            .collect();
        assert_eq!(rows, [["中 a中", "b ü"]]);

        let simple = "\
=====  =====
Name   Value
=====  =====
é      üü
中文x    b
=====  =====
";
        let Block::Table(t) = one(simple) else {
            panic!("not a table")
        };
        assert_eq!(t.header_names(), ["Name", "Value"]);
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::plain).collect())
            .collect();
        assert_eq!(rows, [["é", "üü"], ["中文x", "b"]]);
    }

    #[test]
    fn table_directive_in_bullet_with_label() {
        let text = "\
-  Parameter description

   .. _lbl:

   .. table:: **Table 1** URI

      ==== ====
      A    B
      ==== ====
      x    y
      ==== ====
";
        let Block::List { items, .. } = one(text) else {
            panic!("not a list")
        };
        let tables: Vec<&Table> = items[0]
            .iter()
            .filter_map(|b| {
                if let Block::Table(t) = b {
                    Some(t)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].caption.as_deref(), Some("**Table 1** URI"));
        assert_eq!(tables[0].label.as_deref(), Some("lbl"));
    }

    #[test]
    fn broken_table_is_an_error_not_a_panic() {
        let err = parse("+---+---+\n| a | b |\nnot a row\n").err();
        assert!(err.is_none_or(|e| e.line >= 1));
        let err = parse(".. table:: x\n\n   just text\n").err();
        assert_eq!(err.map(|e| e.line), Some(1));
        let err = parse("=== ===\na   b\n").err();
        assert!(err.is_some());
    }

    #[test]
    fn list_table() {
        let text = ".. list-table:: **Table 1** P\n   :header-rows: 1\n\n   * - Parameter\n     - Type\n   * - a\n     - String\n";
        let Block::Table(t) = one(text) else {
            panic!("not a table")
        };
        assert_eq!(t.header_names(), ["Parameter", "Type"]);
        assert_eq!(t.rows[0][1].plain(), "String");
        assert_eq!(t.caption.as_deref(), Some("**Table 1** P"));
    }

    #[test]
    fn simple_table_closed_by_text() {
        let b = parse("=== ===\nA   B\n=== ===\n1   2\n=== ===\ntext after").unwrap_or_default();
        assert!(
            matches!(b.first(), Some(Block::Table(t)) if t.rows.len() == 1),
            "{b:#?}"
        );
    }

    #[test]
    fn code_block() {
        let Block::Code { lang, text, .. } =
            one(".. code-block:: text\n\n   DELETE /x\n     y\n\n")
        else {
            panic!("not code")
        };
        assert_eq!(lang.as_deref(), Some("text"));
        assert_eq!(text, "DELETE /x\n  y");
    }
}
