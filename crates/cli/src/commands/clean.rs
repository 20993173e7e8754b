//! `otc-jobs clean KIND [filters]`: list → select → plan → confirm → delete → report.

use std::time::SystemTime;

use crate::args::{Format, RunArgs, SelectArgs};
use crate::backend::Backend;
use crate::cancel::Cancel;
use crate::exit::CliError;
use crate::kinds::Kind;

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
    let rows = backend.list(kind, &server).await.map_err(|e| {
        CliError::failed(format!("cannot list {kind}s: {e}"), "nothing was deleted")
    })?;
    let selected = super::Selected {
        kind,
        ids: super::list::filters(select)
            .select(rows, SystemTime::now())
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect(),
        exclude,
        ids_from_stdin: false,
    };
    super::delete_selected(connector, Some(backend), selected, run, format, cancel).await
}
