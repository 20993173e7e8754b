//! `otc-jobs plan --policy FILE`: what a whole-account clean would do, read-only: the
//! selection as understood, then the counts per project and kind.

use crate::account::Account;
use crate::args::Format;
use crate::exit::CliError;

use super::Connector;

/// Lists in this many (project, kind) pairs at a time.
const LISTS_AT_ONCE: usize = 8;

/// Runs `plan`.
pub(crate) async fn run(
    connector: &mut Connector,
    account: &Account,
    format: Format,
) -> Result<u8, CliError> {
    let client = connector.client()?;
    let mut targets = crate::run::targets(&client, account).await?;
    let parts = crate::run::plan(&mut targets, account, &[], LISTS_AT_ONCE).await?;
    crate::run::account_plan(account, &targets, &parts).print(format);
    crate::verbosity::note!("plan: nothing was changed");
    Ok(crate::exit::OK)
}
