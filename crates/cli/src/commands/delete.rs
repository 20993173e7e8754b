//! `otc-jobs delete KIND ID... | -`: deletes the given ids.

use crate::args::{DeleteArgs, Format};
use crate::cancel::Cancel;
use crate::exit::CliError;
use crate::journal::Selection;

use super::Connector;

/// Runs `delete`.
pub(crate) async fn run(
    connector: &mut Connector,
    args: &DeleteArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let kind = args.kind;
    let (ids, from_stdin) = super::read_ids(kind, &args.ids, args.job_id.as_deref())?;
    let exclude = match &args.exclude_file {
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
        listed: None,
        selection,
    };
    super::delete_selected(connector, None, selected, &args.run, format, cancel).await
}
