//! `otc-jobs plan --policy FILE`: what a whole-account clean would do, read-only: the
//! selection as understood, then the counts per project and kind.

use crate::account::Account;
use crate::args::Format;
use crate::exit::CliError;

use super::Connector;

/// Runs `plan`, listing `parallelism` (project, kind) pairs at a time (`--parallelism`).
pub(crate) async fn run(
    connector: &mut Connector,
    account: &Account,
    parallelism: usize,
    format: Format,
) -> Result<u8, CliError> {
    let client = connector.client()?;
    let mut targets = crate::run::targets(&client, account).await?;
    let parts = crate::run::plan(&mut targets, account, &[], parallelism).await?;
    let plan = crate::run::account_plan(account, &targets, &parts);
    plan.print(format);
    crate::verbosity::note!("plan: nothing was changed");
    // A part whose list failed is not in the plan: it is incomplete.
    Ok(if plan.incomplete() {
        crate::exit::FAILED
    } else {
        crate::exit::OK
    })
}
