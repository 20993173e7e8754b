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

/// Prints listed jobs.
pub(crate) fn rows(rows: &[Row], format: Format) {
    match format {
        Format::Json => {
            let mut out = JsonRows::new();
            rows.iter().for_each(|row| out.push(row));
            out.finish();
        }
        Format::Ndjson => {
            to_stdout(|out| rows.iter().try_for_each(|r| ndjson_to(out, &RowJson(r))));
        }
        Format::Table => {
            // The kind's own fields, as the rows have them (`QUEUE` for DLI).
            let mut extra: Vec<&'static str> = Vec::new();
            for (name, _) in rows.iter().flat_map(|r| &r.extra) {
                if !extra.contains(name) {
                    extra.push(name);
                }
            }
            let mut header = vec![
                "ID".to_owned(),
                "NAME".into(),
                "STATUS".into(),
                "CREATED".into(),
            ];
            header.extend(extra.iter().map(|name| name.to_uppercase()));
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut t = table(&header);
            for r in rows {
                let created = r
                    .created
                    .map(|c| humantime::format_rfc3339_seconds(c).to_string())
                    .unwrap_or_default();
                let mut cells = vec![
                    r.id.to_string(),
                    r.name.clone().unwrap_or_default(),
                    r.status_text().unwrap_or_default(),
                    created,
                ];
                cells.extend(
                    extra
                        .iter()
                        .map(|name| r.extra(name).unwrap_or_default().to_owned()),
                );
                t.add_row(cells);
            }
            to_stdout(|out| writeln!(out, "{t}"));
            crate::verbosity::note!("{} job(s)", rows.len());
        }
    }
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

/// Prints a report.
pub(crate) fn report(report: &Report, format: Format) {
    match format {
        Format::Json => to_stdout(|out| json_to(out, report)),
        Format::Ndjson => to_stdout(|out| {
            report.items.iter().try_for_each(|i| ndjson_to(out, i))?;
            ndjson_to(
                out,
                &serde_json::json!({"summary": report.summary, "interrupted": report.interrupted}),
            )
        }),
        Format::Table => {
            let mut t = table(&["ID", "NAME", "OUTCOME", "DETAIL"]);
            for i in &report.items {
                t.add_row(vec![
                    i.id.to_string(),
                    i.name.clone().unwrap_or_default(),
                    i.outcome.name().to_owned(),
                    i.outcome.detail(),
                ]);
            }
            to_stdout(|out| writeln!(out, "{t}"));
        }
    }
    crate::verbosity::note!("{}", report.summary_line());
}

/// Prints a whole-account run's report.
pub(crate) fn account_report(report: &crate::account_report::AccountReport, format: Format) {
    match format {
        Format::Json => to_stdout(|out| json_to(out, report)),
        Format::Ndjson => to_stdout(|out| {
            report.items.iter().try_for_each(|i| ndjson_to(out, i))?;
            ndjson_to(
                out,
                &serde_json::json!({
                    "summary": report.summary,
                    "projects": report.projects,
                    "kinds": report.kinds,
                    "interrupted": report.interrupted,
                }),
            )
        }),
        Format::Table => {
            let mut t = table(&["PROJECT", "KIND", "ID", "NAME", "OUTCOME", "DETAIL"]);
            for i in &report.items {
                t.add_row(vec![
                    i.place.project.name.clone().unwrap_or_default(),
                    i.kind.to_string(),
                    i.item.id.to_string(),
                    i.item.name.clone().unwrap_or_default(),
                    i.item.outcome.name().to_owned(),
                    i.item.outcome.detail(),
                ]);
            }
            to_stdout(|out| writeln!(out, "{t}"));
        }
    }
    crate::verbosity::note!("{}", report.summary_line());
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

/// Writes the JSON report to `path`.
pub(crate) fn write_report<T: Serialize>(path: &Path, report: &T) -> Result<(), CliError> {
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        json_to(&mut out, report)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    written.map_err(|e| unwritable(path, &e))
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
