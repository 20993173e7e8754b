//! `otc-jobs wait KIND ID...`: waits until the jobs are gone (deletes nothing).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use indicatif::ProgressBar;

use crate::args::Format;
use crate::cancel::Cancel;
use crate::execute::Settings;
use crate::exit::CliError;
use crate::kinds::Kind;
use crate::plan::Plan;

use super::Connector;

/// Runs `wait`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    connector: &mut Connector,
    kind: Kind,
    ids: &[String],
    job_id: Option<i64>,
    timeout: Duration,
    report: Option<&Path>,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let (ids, _) = super::read_ids(kind, ids, job_id)?;
    if let Some(path) = report {
        crate::output::check_writable(path)?;
    }
    let plan = Plan::new(
        kind,
        ids.into_iter().map(|id| (id, None)).collect(),
        &Default::default(),
        &HashMap::new(),
    );
    let backend = connector.backend()?;
    let settings = Settings {
        wait: Some(timeout),
        wait_only: true,
        ..Settings::default()
    };
    let report_ = crate::execute::execute(
        backend,
        &plan,
        settings,
        None,
        cancel,
        ProgressBar::hidden(),
    )
    .await;
    super::finish(&report_, report, format)
}
