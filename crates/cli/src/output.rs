//! Output: tables for people, JSON and NDJSON for programs. Data goes to stdout; the
//! summary line of a table and all notes go to stderr.

use std::io::Write;
use std::path::Path;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use otc_jobs_core::kinds::Row;

use crate::args::Format;
use crate::exit::CliError;
use crate::plan::{Action, Plan};
use crate::report::Report;

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

/// Writes to stdout through one buffer, so that a long list or report is never built
/// whole in memory first (100,000 rows of JSON are 14 MB of text).
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = write(&mut out).and_then(|()| out.flush());
}

/// `value` as one pretty JSON document and a newline.
fn json_to<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// The last line of an NDJSON report: the JSON report without its `items` (the lines
/// before it), so that both formats say the same of the run.
fn head_line<T: Serialize>(out: &mut dyn Write, report: &T) -> std::io::Result<()> {
    let mut head = serde_json::to_value(report).map_err(std::io::Error::other)?;
    if let Some(fields) = head.as_object_mut() {
        fields.remove("items");
    }
    ndjson_to(out, &head)
}

/// `value` as one JSON line.
fn ndjson_to<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Prints `value` as one pretty JSON document.
pub(crate) fn print_json<T: Serialize>(value: &T) {
    to_stdout(|out| json_to(out, value));
}

/// Prints each of `values` as one JSON line.
pub(crate) fn print_ndjson<T: Serialize>(values: &[T]) {
    to_stdout(|out| values.iter().try_for_each(|v| ndjson_to(out, v)));
}

/// Prints a table of `rows` under `header`.
pub(crate) fn print_table(header: &[&str], rows: Vec<Vec<String>>) {
    let mut t = table(header);
    for row in rows {
        t.add_row(row);
    }
    to_stdout(|out| writeln!(out, "{t}"));
}

/// A listed job as JSON shows it: `id`, `name`, `status` (with its documented name:
/// `10 (completed)`), `created`, then the fields the kind adds (`queue`).
struct RowJson<'a>(&'a Row);

impl Serialize for RowJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let row = self.0;
        let mut map = serializer.serialize_map(Some(4 + row.extra.len()))?;
        map.serialize_entry("id", &row.id.to_string())?;
        map.serialize_entry("name", &row.name)?;
        map.serialize_entry("status", &row.status_text())?;
        map.serialize_entry(
            "created",
            &row.created
                .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
        )?;
        for (name, value) in &row.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Listed jobs printed as one JSON array as they are listed (the text serde_json's pretty
/// printer gives for the whole array): `[` before the first, `]` after [`JsonRows::finish`]. Stdout gone (a closed
/// pipe) ends the printing silently.
pub(crate) struct JsonRows<W: Write = std::io::BufWriter<std::io::Stdout>> {
    out: W,
    started: bool,
    broken: bool,
}

impl JsonRows {
    pub(crate) fn new() -> JsonRows {
        JsonRows::to(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ))
    }
}

impl<W: Write> JsonRows<W> {
    fn to(out: W) -> JsonRows<W> {
        JsonRows {
            out,
            started: false,
            broken: false,
        }
    }

    /// Prints one row.
    pub(crate) fn push(&mut self, row: &Row) {
        if self.broken {
            return;
        }
        // Our types always serialise; an element of the array is indented once more.
        let text = serde_json::to_string_pretty(&RowJson(row)).unwrap_or_default();
        let before: &[u8] = if self.started { b",\n  " } else { b"[\n  " };
        self.started = true;
        let written = self
            .out
            .write_all(before)
            .and_then(|()| self.out.write_all(text.replace('\n', "\n  ").as_bytes()));
        self.broken = written.is_err();
    }

    /// Ends the array.
    pub(crate) fn finish(mut self) -> W {
        if !self.broken {
            let end: &[u8] = if self.started { b"\n]\n" } else { b"[]\n" };
            let _ = self.out.write_all(end).and_then(|()| self.out.flush());
        }
        self.out
    }
}

/// Prints listed jobs as they are listed: JSON at once (see [`JsonRows`]); NDJSON and
/// tables once the list is whole (a line read on its own could not show that a list
/// failed half-way; a table needs every row for its widths), their lines kept in a
/// [`Spill`] meanwhile, so that 100,000 jobs are never all in memory.
pub(crate) struct ListPrinter {
    json: Option<JsonRows>,
    ndjson: Option<Spill>,
    table: Option<Spill>,
    /// The kind's own fields the rows have had (`queue` for DLI): the table's last columns.
    extra: Vec<&'static str>,
    rows: usize,
}

impl ListPrinter {
    /// A printer in `format`.
    pub(crate) fn new(format: Format) -> ListPrinter {
        ListPrinter {
            json: (format == Format::Json).then(JsonRows::new),
            ndjson: (format == Format::Ndjson).then(Spill::new),
            table: (format == Format::Table).then(Spill::new),
            extra: Vec::new(),
            rows: 0,
        }
    }

    /// One listed job.
    pub(crate) fn push(&mut self, row: &Row) {
        self.rows += 1;
        if let Some(out) = self.json.as_mut() {
            out.push(row);
        }
        if let Some(spill) = self.ndjson.as_mut() {
            spill.line(&RowJson(row));
        }
        if let Some(spill) = self.table.as_mut() {
            for (name, _) in &row.extra {
                if !self.extra.contains(name) {
                    self.extra.push(name);
                }
            }
            // The four cells every row has, then its own fields as name, value.
            let created = row
                .created
                .map(|c| humantime::format_rfc3339_seconds(c).to_string())
                .unwrap_or_default();
            let mut cells = vec![
                row.id.to_string(),
                row.name.clone().unwrap_or_default(),
                row.status_text().unwrap_or_default(),
                created,
            ];
            for (name, value) in &row.extra {
                cells.push((*name).to_owned());
                cells.push(value.clone());
            }
            spill.line(&cells);
        }
    }

    /// Prints what is left to print (everything, for NDJSON and tables).
    pub(crate) fn finish(self) -> Result<(), CliError> {
        if let Some(out) = self.json {
            out.finish();
        }
        for spill in [&self.ndjson, &self.table].into_iter().flatten() {
            spill.kept()?;
        }
        if let Some(mut spill) = self.ndjson {
            to_stdout(|out| std::io::copy(&mut spill.read()?, out).map(drop));
        }
        if let Some(mut spill) = self.table {
            to_stdout(|out| list_table(out, &mut spill, &self.extra));
            crate::verbosity::note!("{} job(s)", self.rows);
        }
        Ok(())
    }
}

/// The spilled rows of a list (see [`ListPrinter::push`]) as one table, its last
/// columns the kind's own fields in `extra`.
fn list_table(out: &mut dyn Write, spill: &mut Spill, extra: &[&str]) -> std::io::Result<()> {
    let mut header = vec![
        "ID".to_owned(),
        "NAME".into(),
        "STATUS".into(),
        "CREATED".into(),
    ];
    header.extend(extra.iter().map(|name| name.to_uppercase()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let cells = |line: &str| -> std::io::Result<Vec<String>> {
        let spilled: Vec<String> = serde_json::from_str(line).map_err(std::io::Error::other)?;
        let (base, own) = spilled.split_at(4.min(spilled.len()));
        let mut cells = base.to_vec();
        cells.extend(extra.iter().map(|name| {
            own.chunks(2)
                .find(|pair| pair.first().is_some_and(|n| n == name))
                .and_then(|pair| pair.get(1).cloned())
                .unwrap_or_default()
        }));
        Ok(cells)
    };
    table_of_lines(out, &header, &mut [spill], &cells)
}

/// Prints a plan (`--dry-run`).
pub(crate) fn plan(plan: &Plan, format: Format) {
    match format {
        Format::Json => to_stdout(|out| json_to(out, plan)),
        Format::Ndjson => to_stdout(|out| plan.items.iter().try_for_each(|i| ndjson_to(out, i))),
        Format::Table => {
            let mut t = table(&["ID", "NAME", "ACTION"]);
            for i in &plan.items {
                let action = match &i.action {
                    Action::Delete => "delete".to_owned(),
                    Action::Cancel => "cancel".to_owned(),
                    Action::Skip(reason) => format!("skip: {reason}"),
                };
                t.add_row(vec![
                    i.id.to_string(),
                    i.name.clone().unwrap_or_default(),
                    action,
                ]);
            }
            to_stdout(|out| writeln!(out, "{t}"));
        }
    }
    crate::verbosity::note!("dry run: {}; nothing was changed", plan.would());
}

/// A report written as the run goes: each id's line is written once it (and every line
/// before it) is known, to stdout at once (NDJSON), or to a spill file (JSON, a table,
/// `--report FILE`: their head, with the counts, comes before the items and is known last;
/// [`ReportWriter::finish`] writes the head, then copies the lines), so no line is held in
/// memory however many ids the run has. The text is that of the whole report printed at
/// once.
pub(crate) struct ReportWriter {
    format: Format,
    /// NDJSON: the lines, as they come.
    ndjson: Option<std::io::BufWriter<std::io::Stdout>>,
    /// The items' text of the JSON report (`-o json`, `--report`).
    json: Option<Spill>,
    /// The table's cells, a JSON array of strings per line (`-o table`).
    table: Option<Spill>,
    /// `--report FILE`.
    file: Option<std::path::PathBuf>,
    /// A line could not be written (stdout closed: `| head`; the spill's disk full).
    broken: bool,
}

impl ReportWriter {
    /// A report in `format` on stdout, and in JSON to `file` when given.
    pub(crate) fn new(format: Format, file: Option<&Path>) -> ReportWriter {
        let json = format == Format::Json || file.is_some();
        ReportWriter {
            format,
            ndjson: (format == Format::Ndjson)
                .then(|| std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout())),
            json: json.then(Spill::new),
            table: (format == Format::Table).then(Spill::new),
            file: file.map(Path::to_path_buf),
            broken: false,
        }
    }

    /// Prints `report`'s head and every line written, writes `--report`. The report's own
    /// `items` are printed first (none, when the lines came through [`ItemSink`](crate::report::ItemSink)).
    pub(crate) fn finish(mut self, mut report: Report) -> Result<(), CliError> {
        for item in std::mem::take(&mut report.items) {
            crate::report::ItemSink::push(&mut self, item);
        }
        let report = &report;
        // A line that could not be kept: the report would be short; say so, never print it.
        for spill in [&self.json, &self.table].into_iter().flatten() {
            spill.kept()?;
        }
        match self.format {
            Format::Json => {
                if let Some(spill) = self.json.as_mut() {
                    to_stdout(|out| spill.json_document(out, report));
                }
            }
            Format::Ndjson => {
                if let Some(mut out) = self.ndjson.take() {
                    let _ = head_line(&mut out, report).and_then(|()| out.flush());
                }
            }
            Format::Table => {
                if let Some(spill) = self.table.as_mut() {
                    to_stdout(|out| spill.table(out, &["ID", "NAME", "OUTCOME", "DETAIL"]));
                }
            }
        }
        crate::verbosity::note!("{}", report.summary_line());
        if let (Some(path), Some(spill)) = (&self.file, self.json.as_mut()) {
            report_file(path, |out| spill.json_document(out, report))?;
        }
        Ok(())
    }
}

/// Writes `--report` at `path` (and syncs it) with `write`.
fn report_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    // The deletions happened and the report is on stdout: fail with the reason.
    written.map_err(|e| CliError {
        code: crate::exit::FAILED,
        ..unwritable(path, &e)
    })
}

impl crate::report::ItemSink for ReportWriter {
    fn push(&mut self, item: crate::report::Item) {
        if let Some(out) = self.ndjson.as_mut()
            && !self.broken
        {
            self.broken = ndjson_to(out, &item).is_err();
        }
        if let Some(spill) = self.json.as_mut() {
            spill.json_item(&item);
        }
        if let Some(spill) = self.table.as_mut() {
            spill.line(&[
                &item.id.to_string(),
                item.name.as_deref().unwrap_or_default(),
                item.outcome.name(),
                &item.outcome.detail(),
            ]);
        }
    }
}

/// Text kept out of memory until the end: in memory while it is small (most parts of a
/// whole-account run are: hundreds of them must not hold a file and its buffer each),
/// then in a temporary file, unlinked once opened (so a killed run leaves nothing
/// behind); in memory still when no temporary file can be made.
pub(crate) struct Spill {
    out: SpillTo,
    /// Lines (items, or rows) written.
    lines: usize,
    /// A write failed: what is read back is short (said at the end).
    failed: Option<std::io::Error>,
}

enum SpillTo {
    File(std::io::BufWriter<std::fs::File>),
    /// Small so far; `bool`: a temporary file could not be made (do not try again).
    Memory(Vec<u8>, bool),
}

/// Bytes a spill holds in memory before it moves to a file.
const SPILL_IN_MEMORY: usize = 64 * 1024;

impl Spill {
    /// An empty spill.
    pub(crate) fn new() -> Spill {
        Spill {
            out: SpillTo::Memory(Vec::new(), false),
            lines: 0,
            failed: None,
        }
    }

    /// A temporary file, already unlinked.
    fn temporary_file() -> std::io::Result<std::fs::File> {
        static SPILLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SPILLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("otc-jobs-report-{}-{n}.spill", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // Still open, so still readable (Unix); gone when the process ends.
        let _ = std::fs::remove_file(&path);
        Ok(file)
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if let SpillTo::Memory(held, failed @ false) = &mut self.out
            && held.len() + bytes.len() > SPILL_IN_MEMORY
        {
            match Spill::temporary_file() {
                Ok(file) => {
                    let mut out = std::io::BufWriter::with_capacity(SPILL_IN_MEMORY, file);
                    if let Err(e) = out.write_all(held) {
                        self.failed = Some(e);
                        return;
                    }
                    self.out = SpillTo::File(out);
                }
                Err(_) => *failed = true,
            }
        }
        let written = match &mut self.out {
            SpillTo::File(out) => out.write_all(bytes),
            SpillTo::Memory(out, _) => out.write_all(bytes),
        };
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }

    /// Whether the spill has moved to a temporary file.
    #[cfg(test)]
    fn in_file(&self) -> bool {
        matches!(self.out, SpillTo::File(_))
    }

    /// One item of a JSON report's `items`, as the pretty printer writes it there.
    pub(crate) fn json_item<T: Serialize>(&mut self, item: &T) {
        // Our types always serialise; an element of `items` is indented twice.
        let text = serde_json::to_string_pretty(item).unwrap_or_default();
        if self.lines > 0 {
            self.write(b",\n    ");
        }
        self.write(text.replace('\n', "\n    ").as_bytes());
        self.lines += 1;
    }

    /// What was written, from the start.
    fn read(&mut self) -> std::io::Result<Box<dyn std::io::BufRead + '_>> {
        use std::io::Seek;
        if let Some(e) = &self.failed {
            return Err(std::io::Error::new(e.kind(), e.to_string()));
        }
        match &mut self.out {
            SpillTo::File(out) => {
                out.flush()?;
                let file = out.get_mut();
                file.rewind()?;
                Ok(Box::new(std::io::BufReader::with_capacity(64 * 1024, file)))
            }
            SpillTo::Memory(bytes, _) => Ok(Box::new(&bytes[..])),
        }
    }

    /// Every line written is kept (else the error of the first write that failed: the
    /// report would be short).
    fn kept(&self) -> Result<(), CliError> {
        match &self.failed {
            Some(e) => Err(spill_failed(e)),
            None => Ok(()),
        }
    }

    /// One line of compact JSON (NDJSON; a table's row of cells).
    pub(crate) fn line<T: Serialize>(&mut self, value: &T) {
        let mut line = serde_json::to_vec(value).unwrap_or_default();
        line.push(b'\n');
        self.write(&line);
        self.lines += 1;
    }

    /// `head` (a report whose `items` are empty) as one pretty JSON document, with the
    /// spilled items as its `items`: the text serde_json gives for the whole report.
    pub(crate) fn json_document<T: Serialize>(
        &mut self,
        out: &mut dyn Write,
        head: &T,
    ) -> std::io::Result<()> {
        json_document(out, head, &mut [self])
    }

    /// The spilled rows as one table under `header` (see [`table_of`]).
    pub(crate) fn table(&mut self, out: &mut dyn Write, header: &[&str]) -> std::io::Result<()> {
        table_of(out, header, &mut [self])
    }
}

/// `head` (a report whose `items` are empty) as one pretty JSON document whose `items`
/// are those of `spills`, one after the other: the text serde_json gives for the whole
/// report.
fn json_document<T: Serialize>(
    out: &mut dyn Write,
    head: &T,
    spills: &mut [&mut Spill],
) -> std::io::Result<()> {
    const EMPTY: &str = "\n  \"items\": []";
    let text = serde_json::to_string_pretty(head).map_err(std::io::Error::other)?;
    // A string's newlines are escaped: this is the top-level key.
    let Some(at) = text.find(EMPTY) else {
        return json_to(out, head);
    };
    let (before, after) = text.split_at(at + EMPTY.len() - 1);
    out.write_all(before.as_bytes())?;
    let mut any = false;
    for spill in spills.iter_mut().filter(|s| s.lines > 0) {
        out.write_all(if any { b",\n    " } else { b"\n    " })?;
        std::io::copy(&mut spill.read()?, out)?;
        any = true;
    }
    if any {
        out.write_all(b"\n  ")?;
    }
    out.write_all(after.as_bytes())?;
    out.write_all(b"\n")
}

/// The rows of `spills`, one after the other, as one table under `header`: the table a
/// `comfy_table::Table` of them all would print, made a thousand rows at a time with
/// every column as wide as its widest cell of all (found in a first pass).
fn table_of(
    out: &mut dyn Write,
    header: &[&str],
    spills: &mut [&mut Spill],
) -> std::io::Result<()> {
    table_of_lines(out, header, spills, &|line| {
        serde_json::from_str(line).map_err(std::io::Error::other)
    })
}

/// [`table_of`], each spilled line made a row's cells by `cells`.
fn table_of_lines(
    out: &mut dyn Write,
    header: &[&str],
    spills: &mut [&mut Spill],
    cells: &dyn Fn(&str) -> std::io::Result<Vec<String>>,
) -> std::io::Result<()> {
    const CHUNK: usize = 1_000;
    let lines: usize = spills.iter().map(|s| s.lines).sum();
    let mut widths: Vec<u16> = table(header).column_max_content_widths();
    chunks(spills, CHUNK, header, cells, |t| {
        for (w, c) in widths.iter_mut().zip(t.column_max_content_widths()) {
            *w = (*w).max(c);
        }
        Ok(())
    })?;
    let count = lines.div_ceil(CHUNK).max(1);
    let mut chunk = 0;
    let mut print = |t: &mut Table| -> std::io::Result<()> {
        use comfy_table::{ColumnConstraint, Width};
        // At least the widest cell of all (plus the padding): every chunk alike.
        t.set_constraints(
            widths
                .iter()
                .map(|w| ColumnConstraint::LowerBoundary(Width::Fixed(w.saturating_add(2)))),
        );
        let text: Vec<String> = t.lines().collect();
        // The top border, the header and its line open the first chunk only; the
        // bottom border closes the last.
        let from = if chunk == 0 { 0 } else { 3.min(text.len()) };
        let to = if chunk + 1 == count {
            text.len()
        } else {
            text.len().saturating_sub(1)
        };
        for line in text.get(from..to).unwrap_or_default() {
            writeln!(out, "{line}")?;
        }
        chunk += 1;
        Ok(())
    };
    if lines == 0 {
        return print(&mut table(header));
    }
    chunks(spills, CHUNK, header, cells, print)
}

/// The rows of `spills`, `size` at a time, as tables under `header`.
fn chunks(
    spills: &mut [&mut Spill],
    size: usize,
    header: &[&str],
    cells: &dyn Fn(&str) -> std::io::Result<Vec<String>>,
    mut each: impl FnMut(&mut Table) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::BufRead;
    let mut t = table(header);
    let mut rows = 0;
    for spill in spills.iter_mut() {
        for line in spill.read()?.lines() {
            t.add_row(cells(&line?)?);
            rows += 1;
            if rows == size {
                each(&mut t)?;
                t = table(header);
                rows = 0;
            }
        }
    }
    if rows > 0 {
        each(&mut t)?;
    }
    Ok(())
}

/// A spill's write that failed, as the run's error: the report would be short.
fn spill_failed(e: &std::io::Error) -> CliError {
    CliError {
        code: crate::exit::FAILED,
        ..CliError::usage(
            format!("cannot keep the report's lines in a temporary file: {e}"),
            "free space in the temporary directory (TMPDIR); --journal has every outcome",
        )
    }
}

/// A whole-account run's report written as the run goes: each part (a project's kind)
/// writes its lines to spills of its own, as they come ([`PartWriter`]); at the end the
/// head, then every part's lines in the parts' order.
pub(crate) struct AccountWriter {
    format: Format,
    file: Option<std::path::PathBuf>,
}

/// One part's lines of a whole-account report (its place and kind on each).
pub(crate) struct PartWriter {
    place: crate::account_report::Place,
    kind: otc_jobs_core::kinds::Kind,
    json: Option<Spill>,
    table: Option<Spill>,
    ndjson: Option<Spill>,
}

impl AccountWriter {
    /// A report in `format` on stdout, and in JSON to `file` when given.
    pub(crate) fn new(format: Format, file: Option<&Path>) -> AccountWriter {
        AccountWriter {
            format,
            file: file.map(Path::to_path_buf),
        }
    }

    /// The writer of one part's lines.
    pub(crate) fn part(
        &self,
        place: crate::account_report::Place,
        kind: otc_jobs_core::kinds::Kind,
    ) -> PartWriter {
        PartWriter {
            place,
            kind,
            json: (self.format == Format::Json || self.file.is_some()).then(Spill::new),
            table: (self.format == Format::Table).then(Spill::new),
            ndjson: (self.format == Format::Ndjson).then(Spill::new),
        }
    }

    /// Prints `report` (whose items are empty) with the lines of `parts`, in order;
    /// writes `--report`.
    pub(crate) fn finish(
        self,
        report: &crate::account_report::AccountReport,
        mut parts: Vec<PartWriter>,
    ) -> Result<(), CliError> {
        for part in &parts {
            for spill in [&part.json, &part.table, &part.ndjson]
                .into_iter()
                .flatten()
            {
                spill.kept()?;
            }
        }
        fn of(
            parts: &mut [PartWriter],
            pick: fn(&mut PartWriter) -> Option<&mut Spill>,
        ) -> Vec<&mut Spill> {
            parts.iter_mut().filter_map(pick).collect()
        }
        match self.format {
            Format::Json => {
                let mut spills = of(&mut parts, |p| p.json.as_mut());
                to_stdout(|out| json_document(out, report, &mut spills));
            }
            Format::Ndjson => {
                let mut spills = of(&mut parts, |p| p.ndjson.as_mut());
                to_stdout(|out| {
                    for spill in &mut spills {
                        std::io::copy(&mut spill.read()?, out)?;
                    }
                    head_line(out, report)
                });
            }
            Format::Table => {
                let mut spills = of(&mut parts, |p| p.table.as_mut());
                let header = ["PROJECT", "KIND", "ID", "NAME", "OUTCOME", "DETAIL"];
                to_stdout(|out| table_of(out, &header, &mut spills));
            }
        }
        crate::verbosity::note!("{}", report.summary_line());
        if let Some(path) = &self.file {
            let mut spills = of(&mut parts, |p| p.json.as_mut());
            report_file(path, |out| json_document(out, report, &mut spills))?;
        }
        Ok(())
    }
}

impl crate::report::ItemSink for PartWriter {
    fn push(&mut self, item: crate::report::Item) {
        if let Some(spill) = self.table.as_mut() {
            spill.line(&[
                self.place.project.name.as_deref().unwrap_or_default(),
                self.kind.name(),
                &item.id.to_string(),
                item.name.as_deref().unwrap_or_default(),
                item.outcome.name(),
                &item.outcome.detail(),
            ]);
        }
        if self.json.is_none() && self.ndjson.is_none() {
            return;
        }
        let line = crate::account_report::AccountItem {
            place: self.place.clone(),
            kind: self.kind,
            item,
        };
        if let Some(spill) = self.json.as_mut() {
            spill.json_item(&line);
        }
        if let Some(spill) = self.ndjson.as_mut() {
            spill.line(&line);
        }
    }
}

/// Checks before anything is deleted that `--report FILE` can be written.
pub(crate) fn check_writable(path: &Path) -> Result<(), CliError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(drop)
        .map_err(|e| unwritable(path, &e))
}

fn unwritable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::usage(
        format!("cannot write --report {}: {e}", path.display()),
        "give a file in a directory you can write to",
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use otc_jobs_core::kinds::KindId;

    fn items(count: i64) -> Vec<crate::report::Item> {
        use crate::report::{Item, Outcome};
        (0..count)
            .map(|n| {
                let outcome = match n % 3 {
                    0 => Outcome::Deleted {
                        attempts: 1,
                        note: None,
                    },
                    1 => Outcome::Failed {
                        answer: crate::report::Answer {
                            status: Some(500),
                            code: Some("DLI.0999".into()),
                            message: format!("went \"wrong\"\n{}", "x".repeat(n as usize % 17)),
                            request_id: None,
                        },
                        attempts: 3,
                    },
                    _ => Outcome::Skipped {
                        reason: "listed in --exclude-file".into(),
                    },
                };
                let name = (n % 2 == 0).then(|| format!("job-{}-ü", "n".repeat(n as usize % 23)));
                Item::new(KindId::FlinkJob(n * 7), name, outcome)
            })
            .collect()
    }

    #[test]
    fn a_spilled_report_is_the_text_of_the_whole_report() {
        for count in [0, 1, 3, 40] {
            let whole = Report::new(otc_jobs_core::kinds::Kind::FlinkJob, items(count), false);
            let mut spill = Spill::new();
            whole.items.iter().for_each(|item| spill.json_item(item));
            let head = Report {
                items: Vec::new(),
                ..whole.clone()
            };
            let mut streamed = Vec::new();
            spill.json_document(&mut streamed, &head).unwrap();
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                expected,
                "{count} items"
            );
            // Read twice (stdout, then `--report`): the same.
            let mut again = Vec::new();
            spill.json_document(&mut again, &head).unwrap();
            assert_eq!(String::from_utf8(again).unwrap(), expected);
        }
    }

    #[test]
    fn a_spilled_table_is_the_table_of_all_its_rows() {
        let header = ["ID", "NAME", "OUTCOME", "DETAIL"];
        // Over a chunk (1,000 rows): the widest cells are in the later chunks.
        let mut in_files = 0;
        for count in [0, 1, 999, 1_000, 2_345] {
            let items = items(count);
            let mut spill = Spill::new();
            let mut whole = table(&header);
            let mut bytes = 0;
            for item in &items {
                let cells = [
                    item.id.to_string(),
                    item.name.clone().unwrap_or_default(),
                    item.outcome.name().to_owned(),
                    item.outcome.detail(),
                ];
                spill.line(&cells.each_ref().map(String::as_str));
                bytes += serde_json::to_vec(&cells).unwrap().len() + 1;
                whole.add_row(cells.to_vec());
            }
            // Held in memory while small, in a file past that.
            assert_eq!(spill.in_file(), bytes > SPILL_IN_MEMORY, "{count} rows");
            in_files += usize::from(spill.in_file());
            let mut streamed = Vec::new();
            spill.table(&mut streamed, &header).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                format!("{whole}\n"),
                "{count} rows"
            );
        }
        assert!(in_files > 0, "no table was large enough to move to a file");
    }

    #[test]
    fn a_listed_table_is_the_table_of_all_its_rows() {
        // Rows with the kind's own fields in different orders, or none: the columns are
        // those any row has, in the order first seen.
        for count in [0, 1, 7, 2_345] {
            let rows: Vec<Row> = (0..count)
                .map(|n| Row {
                    name: Some(format!("job-{}", "x".repeat(n as usize % 37))),
                    status: (n % 3 != 0).then(|| "job_running".into()),
                    extra: match n % 4 {
                        0 => vec![],
                        1 => vec![("queue", format!("q{n}"))],
                        2 => vec![("type", "sql".into()), ("queue", "q".into())],
                        _ => vec![("type", "flink".into())],
                    },
                    ..Row::new(KindId::FlinkJob(n))
                })
                .collect();
            let mut printer = ListPrinter::new(Format::Table);
            rows.iter().for_each(|row| printer.push(row));
            let mut streamed = Vec::new();
            let spill = printer.table.as_mut().unwrap();
            list_table(&mut streamed, spill, &printer.extra).unwrap();

            // The table of all the rows at once.
            let mut extra: Vec<&str> = Vec::new();
            for (name, _) in rows.iter().flat_map(|r| &r.extra) {
                if !extra.contains(name) {
                    extra.push(name);
                }
            }
            let mut header = vec!["ID".to_owned(), "NAME".into(), "STATUS".into()];
            header.push("CREATED".into());
            header.extend(extra.iter().map(|name| name.to_uppercase()));
            let mut whole = table(&header.iter().map(String::as_str).collect::<Vec<_>>());
            for r in &rows {
                let mut cells = vec![
                    r.id.to_string(),
                    r.name.clone().unwrap_or_default(),
                    r.status_text().unwrap_or_default(),
                    String::new(),
                ];
                cells.extend(
                    extra
                        .iter()
                        .map(|n| r.extra(n).unwrap_or_default().to_owned()),
                );
                whole.add_row(cells);
            }
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                format!("{whole}\n"),
                "{count} rows"
            );
        }
    }

    #[test]
    fn rows_printed_as_listed_are_the_text_of_the_whole_array() {
        for count in [0, 1, 3] {
            let rows: Vec<Row> = (0..count)
                .map(|n| Row {
                    name: Some(format!("job \"{n}\"\nline")),
                    status: Some("job_running".into()),
                    extra: vec![("queue", "q1".into())],
                    ..Row::new(KindId::FlinkJob(n))
                })
                .collect();
            let mut streamed = JsonRows::to(Vec::new());
            rows.iter().for_each(|row| streamed.push(row));
            let streamed = String::from_utf8(streamed.finish()).unwrap();
            let whole: Vec<RowJson<'_>> = rows.iter().map(RowJson).collect();
            let whole = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(streamed, whole, "{count} rows");
            let parsed: serde_json::Value = serde_json::from_str(&streamed).unwrap();
            assert_eq!(parsed.as_array().unwrap().len(), count as usize);
        }
    }
}
