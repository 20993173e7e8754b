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
    let nothing = format!("nothing was {}", kind.action().past());
    // A kind whose runs are cancelled: only the runs that are not over, unless the
    // selection names statuses itself.
    let facts = kind.facts();
    let only_unfinished =
        !facts.unfinished.is_empty() && !server.iter().any(|(f, _)| f.flag == "status");
    // Only the id and name of a selected job are kept from the list (a row is 300 bytes).
    let (filters, now) = (super::list::filters(select), SystemTime::now());
    let (mut ids, mut over, mut listed) = (Vec::new(), 0usize, 0usize);
    let unreadable = super::list(&backend, &server, &nothing, |row| {
        listed += 1;
        if only_unfinished
            && !row
                .status
                .as_deref()
                .is_some_and(|s| facts.is_unfinished(s))
        {
            over += 1;
        } else if filters.matches(&row, now) {
            ids.push((row.id, row.name));
        }
    })
    .await?;
    if over > 0 {
        eprintln!(
            "note: {over} {kind}(s) are over (not {}) and are left alone; --status selects by status",
            facts.unfinished.join(", ")
        );
    }
    if unreadable > 0 {
        // Said before the plan and the confirmation: the selection is of the readable ones.
        eprintln!(
            "warning: {unreadable} listed {kind}(s) had no readable id: they are not in the \
             selection and will not be {}",
            kind.action().past()
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
        ids,
        exclude,
        ids_from_stdin: false,
        listed: Some(listed),
        selection,
    };
    super::delete_selected(connector, Some(backend), selected, run, format, cancel).await
}
