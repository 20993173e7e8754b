//! `otc-jobs delete KIND ID... | -`: deletes the given ids.

use std::path::Path;

use crate::args::{Format, RunArgs};
use crate::cancel::Cancel;
use crate::exit::CliError;
use crate::journal::Selection;
use crate::kinds::Kind;

use super::Connector;

/// Runs `delete`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    connector: &mut Connector,
    kind: Kind,
    ids: &[String],
    job_id: Option<i64>,
    exclude_file: Option<&Path>,
    run: &RunArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let (ids, from_stdin) = super::read_ids(kind, ids, job_id)?;
    let exclude = match exclude_file {
        Some(path) => crate::select::read_exclude_file(path)?,
        None => Default::default(),
    };
    let selection = Selection::new("delete", kind)
        .with("ids", super::sorted(ids.iter().map(ToString::to_string)));
    let selected = super::Selected {
        kind,
        ids: ids.into_iter().map(|id| (id, None)).collect(),
        exclude,
        ids_from_stdin: from_stdin,
        selection,
    };
    super::delete_selected(connector, None, selected, run, format, cancel).await
}
