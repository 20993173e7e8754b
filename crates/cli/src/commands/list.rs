//! `otc-jobs list KIND [filters]`: read-only.

use std::time::SystemTime;

use otc_jobs_core::kinds::{Filters, Kind, Row};

use crate::args::{Format, SelectArgs};
use crate::exit::CliError;

use super::Connector;

/// Runs `list`.
pub(crate) async fn run(
    connector: &mut Connector,
    kind: Kind,
    select: &SelectArgs,
    format: Format,
) -> Result<u8, CliError> {
    let exclude = match &select.exclude_file {
        Some(path) => crate::select::read_exclude_file(path)?,
        None => Default::default(),
    };
    let server = server_filters(kind, select)?;
    let backend = connector.backend()?;
    let (filters, now) = (filters(select), SystemTime::now());
    let shown = |row: &Row| filters.matches(row, now) && !exclude.contains(&row.id.to_string());
    // Printed as listed (JSON) or kept in a spill file (NDJSON, tables): 100,000 jobs are
    // never all in memory. A list that fails half-way leaves a JSON array unclosed (not
    // valid JSON, never a short list that parses), prints no NDJSON or table, and exits
    // non-zero.
    let mut out = crate::output::ListPrinter::new(format);
    let unreadable = super::list(&backend, &server, "", |row| {
        if shown(&row) {
            out.push(&row);
        }
    })
    .await?;
    out.finish()?;
    if unreadable > 0 {
        eprintln!("warning: {unreadable} listed {kind}(s) had no readable id and are not shown");
    }
    Ok(crate::exit::OK)
}

/// The client-side filters of the flags.
pub(super) fn filters(select: &SelectArgs) -> crate::select::Filters {
    crate::select::Filters {
        older_than: select.older_than,
        newer_than: select.newer_than,
        name_regex: select.name_regex.clone(),
    }
}

/// The server-side filters of the flags, lowered into the kind's [`Filters`]: a filter the
/// kind's list does not have, or a value its page does not document, is refused (exit 2,
/// naming the kind's filters), never silently ignored.
pub(super) fn server_filters(kind: Kind, select: &SelectArgs) -> Result<Filters, CliError> {
    let mut filters = Filters::new(kind);
    for (flag, value) in &select.server.0 {
        filters
            .set(flag, value.clone())
            .map_err(|e| crate::select::refused(kind, &e))?;
    }
    Ok(filters)
}
