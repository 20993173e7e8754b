//! `otc-jobs wait KIND ID...`: waits until the jobs are gone (deletes nothing).

use std::collections::HashMap;

use crate::args::{Format, WaitArgs};
use crate::cancel::Cancel;
use crate::execute::Settings;
use crate::exit::CliError;
use crate::plan::Plan;

use super::Connector;

/// Runs `wait`.
pub(crate) async fn run(
    connector: &mut Connector,
    args: &WaitArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let (ids, _) = super::read_ids(args.kind, &args.ids, args.job_id.as_deref())?;
    if let Some(path) = &args.report {
        crate::output::check_writable(path)?;
    }
    let plan = Plan::new(
        args.kind,
        ids.into_iter().map(|id| (id, None)).collect(),
        &Default::default(),
        &HashMap::new(),
    );
    let backend = connector.backend()?;
    let settings = Settings {
        wait: Some(args.max_wait),
        wait_only: true,
        describe: true,
        ..Settings::default()
    };
    let report = crate::execute::execute(
        std::sync::Arc::clone(&backend),
        &plan,
        settings,
        None,
        cancel,
        connector.progress(format!("waiting for {}", args.kind), plan.to_delete()),
    )
    .await;
    let report = report.ended(backend.context(args.kind), connector.started);
    super::finish(report, args.report.as_deref(), format)
}
