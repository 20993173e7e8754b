//! `otc-jobs clean KIND [filters]`: list → select → plan → confirm → delete → report.

use std::time::SystemTime;

use otc_jobs_core::kinds::Kind;

use crate::args::{Format, RunArgs, SelectArgs};
use crate::cancel::Cancel;
use crate::exit::CliError;
use crate::journal::Selection;

use super::Connector;

/// Runs `clean`.
pub(crate) async fn run(
    connector: &mut Connector,
    kind: Kind,
    select: &SelectArgs,
    run: &RunArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let exclude = match &select.exclude_file {
        Some(path) => crate::select::read_exclude_file(path)?,
        None => Default::default(),
    };
    let server = super::list::server_filters(kind, select)?;
    let backend = connector.backend()?;
    let (rows, unreadable) = super::list(&backend, &server, "nothing was deleted").await?;
    let listed = rows.len();
    if unreadable > 0 {
        // Said before the plan and the confirmation: the selection is of the readable ones.
        eprintln!(
            "warning: {unreadable} listed {kind}(s) had no readable id: they are not in the \
             selection and will not be deleted"
        );
    }
    let age = |d: Option<std::time::Duration>| d.map(|d| humantime::format_duration(d).to_string());
    let selection = Selection::new("clean", kind)
        .with("--older-than", age(select.older_than))
        .with("--newer-than", age(select.newer_than))
        .with(
            "--name-regex",
            select.name_regex.as_ref().map(|r| r.as_str()),
        );
    let selection = server.iter().fold(selection, |selection, (filter, value)| {
        selection.with(&format!("--{}", filter.flag), value)
    });
    let selected = super::Selected {
        kind,
        ids: super::list::filters(select)
            .select(rows, SystemTime::now())
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect(),
        exclude,
        ids_from_stdin: false,
        listed: Some(listed),
        selection,
    };
    super::delete_selected(connector, Some(backend), selected, run, format, cancel).await
}
