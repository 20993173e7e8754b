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
    let backend = connector.backend_within(run.parallelism)?;
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

/// Runs a whole-account `clean` (`--policy`, `--kinds`, `--projects`, `--regions`):
/// projects → journal → list and plan → confirm → every part at once → one report.
pub(crate) async fn run_account(
    connector: &mut Connector,
    account: &crate::account::Account,
    run: &RunArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    use std::sync::Arc;
    if let Some(path) = &run.report {
        crate::output::check_writable(path)?;
    }
    let parallelism = usize::from(run.parallelism);
    let client = connector.client()?;
    let mut targets = crate::run::targets(&client, account).await?;
    let scopes = crate::run::scopes(&targets, account);
    let projects: Vec<_> = targets.iter().map(|t| t.project.clone()).collect();
    let selection = Selection::of_account(account.selection(&projects));
    let (journals, earlier) = match &run.journal {
        Some(path) if run.dry_run => (
            Vec::new(),
            crate::journal::Journal::peek_account(path, &scopes, &selection)?,
        ),
        Some(path) => {
            let journals: Vec<Arc<crate::journal::Journal>> =
                crate::journal::Journal::open_account(
                    path,
                    &scopes,
                    &selection,
                    run.journal_fsync,
                )?
                .into_iter()
                .map(Arc::new)
                .collect();
            let earlier = journals.iter().map(|j| j.earlier().clone()).collect();
            (journals, earlier)
        }
        None => (Vec::new(), Vec::new()),
    };
    let parts = crate::run::plan(&mut targets, account, &earlier, parallelism).await?;
    let shown = crate::run::account_plan(account, &targets, &parts);
    if run.dry_run {
        shown.print(format);
        crate::verbosity::note!("dry run: nothing was changed");
        return Ok(if shown.incomplete() {
            crate::exit::FAILED
        } else {
            crate::exit::OK
        });
    }
    let total = shown.total();
    if let Some(max) = run.max_delete
        && total > max
    {
        return Err(CliError::usage(
            format!(
                "refusing to act on {total} job(s): more than --max-delete {max}; nothing was deleted"
            ),
            "narrow the selection (`otc-jobs plan` shows it), or raise --max-delete",
        ));
    }
    let reachable: Vec<&str> = targets
        .iter()
        .filter(|t| t.unreachable.is_none())
        .map(|t| t.project.name.as_str())
        .collect();
    let only = match reachable.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    crate::confirm::confirm_account(total, &shown.table(), only, run.yes, &cancel).await?;
    let shared = crate::run::Shared {
        slots: Arc::new(tokio::sync::Semaphore::new(parallelism)),
        throttles: crate::throttle::Throttles::new(run.max_rate),
    };
    let progress = connector.progress("cleaning the account".to_owned(), total);
    // Each part's lines are written as they come (held, 100,000 lines would be most of
    // the run's memory).
    let writer = crate::output::AccountWriter::new(format, run.report.as_deref());
    let mut writers: Vec<_> = parts
        .iter()
        .map(|p| writer.part(targets[p.target].place.clone(), p.kind))
        .collect();
    let runs = parts.iter().zip(&mut writers).map(|(part, sink)| {
        let target = &targets[part.target];
        let settings = crate::execute::Settings {
            parallelism,
            max_rate: run.max_rate,
            wait: run.wait.then_some(run.max_wait),
            batch: run.batch.then_some(usize::from(run.batch_size)),
            slots: Some(Arc::clone(&shared.slots)),
            throttle: Some(shared.throttle_of(&target.client, part.kind)),
            ..crate::execute::Settings::default()
        };
        let journal = scopes
            .iter()
            .position(|(scope, _)| *scope == part.scope)
            .and_then(|slot| journals.get(slot))
            .cloned();
        crate::execute::execute_into(
            Arc::new(target.backend.stopping_within(run.max_wait)),
            &part.plan,
            settings,
            journal,
            cancel.clone(),
            progress.part(parts.len()),
            sink,
        )
    });
    let reports = futures_util::future::join_all(runs).await;
    progress.finish();
    if let Some(journal) = journals.first()
        && let Err(e) = journal.close()
    {
        eprintln!(
            "warning: cannot sync --journal {}: {e}",
            journal.path().display()
        );
    }
    for (endpoint, service, n) in shared.throttles.slowdowns() {
        crate::verbosity::note!(
            "note: {service} at {endpoint} throttled the run (429); it slowed down {n} time(s)"
        );
    }
    let places: Vec<_> = targets
        .iter()
        .map(|t| (t.place.clone(), t.unreachable.clone()))
        .collect();
    let kinds: Vec<Kind> = account.rules().iter().map(|r| r.kind).collect();
    let failed_lists = parts.iter().filter_map(|p| p.failed.clone()).collect();
    let report = crate::account_report::AccountReport::new(
        parts
            .iter()
            .map(|p| targets[p.target].place.clone())
            .zip(reports)
            .collect(),
        failed_lists,
        &places,
        &kinds,
        account.file.as_ref().map(|f| f.display().to_string()),
        connector.started,
    );
    writer.finish(&report, writers)?;
    Ok(report.exit_code())
}
