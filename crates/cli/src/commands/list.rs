//! `otc-jobs list KIND [filters]`: read-only.

use std::time::SystemTime;

use crate::args::{Format, SelectArgs};
use crate::backend::{Backend, ServerFilters};
use crate::exit::CliError;
use crate::kinds::Kind;
use crate::select::Filters;

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
    let backend = connector.backend()?;
    let rows = backend
        .list(kind, &server_filters(select))
        .await
        .map_err(|e| CliError::failed(format!("cannot list {kind}s: {e}"), ""))?;
    let rows: Vec<_> = filters(select)
        .select(rows, SystemTime::now())
        .into_iter()
        .filter(|r| !exclude.contains(&r.id.to_string()))
        .collect();
    crate::output::rows(&rows, format);
    Ok(crate::exit::OK)
}

/// The client-side filters of the flags.
pub(super) fn filters(select: &SelectArgs) -> Filters {
    Filters {
        older_than: select.older_than,
        newer_than: select.newer_than,
        name_regex: select.name_regex.clone(),
    }
}

/// The server-side filters of the flags.
pub(super) fn server_filters(select: &SelectArgs) -> ServerFilters {
    ServerFilters {
        status: select.status.clone(),
        name: select.name.clone(),
        queue_name: select.queue_name.clone(),
        job_type: select.job_type.clone(),
        user_name: select.user_name.clone(),
        tags: select.tags.clone(),
    }
}
