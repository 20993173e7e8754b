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
    let server = server_filters(kind, select)?;
    let backend = connector.backend()?;
    let rows = backend
        .list(kind, &server)
        .await
        .map_err(|e| super::list_failed(kind, &e, ""))?;
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

/// The server-side filters of the flags; a filter the kind's list API does not have is
/// refused (exit 2), never silently ignored.
pub(super) fn server_filters(kind: Kind, select: &SelectArgs) -> Result<ServerFilters, CliError> {
    let filters = ServerFilters {
        status: select.status.clone(),
        name: select.name.clone(),
        queue_name: select.queue_name.clone(),
        job_type: select.job_type.clone(),
        user_name: select.user_name.clone(),
        tags: select.tags.clone(),
        order: select.order.map(|o| o.as_str().to_owned()),
    };
    let dli_only = [
        ("--queue-name", filters.queue_name.is_some()),
        ("--job-type", filters.job_type.is_some()),
        ("--user-name", filters.user_name.is_some()),
        ("--tags", filters.tags.is_some()),
    ];
    let listed_by_status = [
        ("--status", filters.status.is_some()),
        ("--name", filters.name.is_some()),
    ];
    let unsupported = match kind {
        Kind::FlinkJob => None,
        Kind::TrainingJob | Kind::TrainingJobVersion | Kind::VisualizationJob => {
            dli_only.iter().find(|(_, set)| *set)
        }
        Kind::JobExecution => dli_only
            .iter()
            .chain(listed_by_status.iter())
            .find(|(_, set)| *set),
    };
    match unsupported {
        Some((flag, _)) => Err(CliError::usage(
            format!("{flag} is not a filter of the {kind} list"),
            "drop it, or use --name-regex / --older-than, which work for every kind",
        )),
        None => Ok(filters),
    }
}
