//! One module per command; what the deleting commands share is here: reading ids,
//! the checks made before anything is deleted, and the run itself.

mod clean;
mod completions;
mod delete;
mod kinds;
mod list;
mod man;
mod plan;
mod wait;

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use crate::args::{Cli, Command, Format, Global, RunArgs};
use otc_jobs_core::kinds::{Kind, KindId};

use crate::cancel::Cancel;
use crate::execute::{self, Settings};
use crate::exit::CliError;
use crate::journal::{Earlier, Journal, Selection};
use crate::plan::Plan;
use crate::sdk::SdkBackend;

/// Makes the backend once inputs are checked (and keeps an embedded emulator alive).
pub(crate) struct Connector {
    global: Global,
    emulator: Option<crate::emulator::Embedded>,
    /// When the command started (the report's `started_at`).
    started: std::time::SystemTime,
}

impl Connector {
    fn backend(&mut self) -> Result<Arc<SdkBackend>, CliError> {
        Ok(Arc::new(SdkBackend::new(self.client()?)))
    }

    /// The backend of a run bound by `--parallelism`: a list that walks parents (a
    /// project's clusters) reads up to that many of their lists at once.
    fn backend_within(&mut self, parallelism: u16) -> Result<Arc<SdkBackend>, CliError> {
        let client = self
            .client()?
            .with_list_parallelism(usize::from(parallelism));
        Ok(Arc::new(SdkBackend::new(client)))
    }

    /// The client of the flags (or of the embedded emulator, which it starts).
    fn client(&mut self) -> Result<otc_jobs_async::Client, CliError> {
        let client = if self.global.emulator {
            let (emulator, client) = crate::emulator::start(&self.global)?;
            crate::verbosity::note!(
                "note: using the embedded emulator at {} (sample jobs)",
                emulator.base_url()
            );
            self.emulator = Some(emulator);
            client
        } else {
            crate::config::client(&self.global, None)?
        };
        Ok(client)
    }

    /// The progress of `doing` `len` jobs, as the flags and stderr say it is shown.
    fn progress(&self, doing: String, len: usize) -> crate::progress::Progress {
        let settings = crate::progress::ProgressSettings::new(self.global.progress_interval);
        crate::progress::Progress::start(doing, len, settings)
    }
}

/// Runs the command; the exit code, or the error that stopped it.
pub(crate) async fn run(cli: Cli, cancel: Cancel) -> Result<u8, CliError> {
    let format = cli.global.output;
    let mut connector = Connector {
        global: cli.global,
        emulator: None,
        started: std::time::SystemTime::now(),
    };
    match cli.command {
        Command::List { kind, select } => list::run(&mut connector, kind, &select, format).await,
        Command::Delete(args) => delete::run(&mut connector, &args, format, cancel).await,
        Command::Wait(args) => wait::run(&mut connector, &args, format, cancel).await,
        Command::Clean {
            kind,
            select,
            account,
            run,
        } => match kind {
            Some(kind) if !account.given() => {
                clean::run(&mut connector, kind, &select, &run, format, cancel).await
            }
            kind => {
                let account = crate::account::Account::lower(kind, &select, &account)?;
                clean::run_account(&mut connector, &account, &run, format, cancel).await
            }
        },
        Command::Plan {
            select,
            account,
            parallelism,
        } => {
            let account = crate::account::Account::lower(None, &select, &account)?;
            plan::run(&mut connector, &account, usize::from(parallelism), format).await
        }
        Command::Kinds => Ok(kinds::run(format)),
        Command::Completions { shell } => Ok(completions::run(shell)),
        Command::Man { command } => man::run(command.as_deref()),
    }
}

/// Parses ids from the arguments, or from stdin for `-` (one per line; blank lines and
/// lines starting with `#` skipped). Any malformed id stops the run before anything is
/// deleted.
fn read_ids(
    kind: Kind,
    args: &[String],
    job_id: Option<&str>,
) -> Result<(Vec<KindId>, bool), CliError> {
    if job_id.is_some() && kind.parent().is_none() {
        return Err(CliError::usage(
            format!(
                "--job-id is only for a kind with a parent ({}), not for {kind}",
                names(Kind::ALL.into_iter().filter(|k| k.parent().is_some()))
            ),
            "drop --job-id",
        ));
    }
    let from_stdin = args.iter().any(|a| a == "-");
    let mut texts: Vec<String> = args.iter().filter(|a| *a != "-").cloned().collect();
    if from_stdin {
        if std::io::stdin().is_terminal() {
            return Err(CliError::usage(
                "\"-\" reads ids from stdin, but stdin is a terminal",
                "pipe the ids in, one per line",
            ));
        }
        for line in std::io::stdin().lock().lines() {
            let line =
                line.map_err(|e| CliError::usage(format!("cannot read ids from stdin: {e}"), ""))?;
            // Blank lines and `#` comments, as in a file of ids kept by hand.
            let text = line.trim();
            if !text.is_empty() && !text.starts_with('#') {
                texts.push(line);
            }
        }
    }
    let ids = texts
        .iter()
        .map(|t| match job_id {
            Some(parent) => kind.parse_id_in(parent, t),
            None => kind.parse_id(t),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            CliError::usage(
                e.to_string(),
                "check the ids; `otc-jobs list KIND` shows them",
            )
        })?;
    Ok((ids, from_stdin))
}

/// What a deleting command selected.
struct Selected {
    kind: Kind,
    /// Ids (with names, when listed), in order.
    ids: Vec<(KindId, Option<String>)>,
    /// Ids never to touch.
    exclude: HashSet<String>,
    /// Stdin held the ids, so nobody can be asked.
    ids_from_stdin: bool,
    /// How many jobs the list call found, when the ids came from one.
    listed: Option<usize>,
    /// What selected them (the command, its filters or ids), for the journal.
    selection: Selection,
}

/// The deleting run after selection: checks, plan, dry run, confirmation, execution, report.
async fn delete_selected(
    connector: &mut Connector,
    backend: Option<Arc<SdkBackend>>,
    selected: Selected,
    run: &RunArgs,
    format: Format,
    cancel: Cancel,
) -> Result<u8, CliError> {
    let Selected {
        kind,
        ids: mut selected,
        exclude,
        ids_from_stdin,
        listed: listed_count,
        selection,
    } = selected;
    if run.batch && !kind.has_batch_delete() {
        return Err(CliError::usage(
            format!(
                "--batch is only for a kind with a batch deletion ({}), not for {kind}",
                names(Kind::ALL.into_iter().filter(|k| k.has_batch_delete()))
            ),
            "drop --batch",
        ));
    }
    // The journal records the project too: the backend is needed before it opens.
    let mut backend = backend;
    let (journal, earlier) = match &run.journal {
        Some(path) => {
            let scoped = match &backend {
                Some(b) => b,
                None => backend.insert(connector.backend()?),
            };
            let (region, project) = scoped.scope();
            let selection = selection
                .with("region", region)
                .with("project", project)
                .with("exclude", sorted(exclude.iter().cloned()));
            if run.dry_run {
                (None, Journal::peek(path, kind, &selection)?)
            } else {
                let journal = Journal::open(path, kind, &selection, run.journal_fsync)?;
                let earlier = journal.earlier().clone();
                (Some(Arc::new(journal)), earlier)
            }
        }
        None => (None, Earlier::default()),
    };
    if let Some(path) = &run.report {
        crate::output::check_writable(path)?;
    }
    // A resumed run is the whole run: the ids the journal knows are in it, even those
    // no longer listed (deleted by an earlier attempt).
    // (A set of the listed ids only when there is a journal: 100,000 ids are 6 MB.)
    if earlier.iter().next().is_some() {
        let listed: HashSet<&KindId> = selected.iter().map(|(id, _)| id).collect();
        let unlisted: Vec<_> = earlier
            .iter()
            .filter(|known| !listed.contains(&known.id))
            .map(|known| (known.id.clone(), known.name.clone()))
            .collect();
        selected.extend(unlisted);
    }
    let plan = Plan::new(kind, selected, &exclude, &earlier.finished()).of_listed(listed_count);
    if run.dry_run {
        crate::output::plan(&plan, format);
        return Ok(crate::exit::OK);
    }
    if let Some(max) = run.max_delete
        && plan.to_delete() > max
    {
        return Err(CliError::usage(
            format!(
                "refusing to delete {} {kind}(s): more than --max-delete {max}; nothing was deleted",
                plan.to_delete()
            ),
            "narrow the selection (--dry-run shows it), or raise --max-delete",
        ));
    }
    crate::confirm::confirm(plan.to_delete(), kind, run.yes, ids_from_stdin, &cancel).await?;
    let backend = match backend {
        Some(b) => b,
        None => connector.backend()?,
    };
    let backend = Arc::new(backend.stopping_within(run.max_wait));
    let settings = Settings {
        parallelism: usize::from(run.parallelism),
        max_rate: run.max_rate,
        wait: run.wait.then_some(run.max_wait),
        batch: run.batch.then_some(usize::from(run.batch_size)),
        // Ids given, not listed: each is looked at first, for its name.
        describe: listed_count.is_none(),
        ..Settings::default()
    };
    // Each line of the report is written as its outcome is known (100,000 lines held
    // would be most of the run's memory).
    let mut writer = crate::output::ReportWriter::new(format, run.report.as_deref());
    let report = execute::execute_into(
        Arc::clone(&backend),
        &plan,
        settings,
        journal,
        cancel,
        connector.progress(format!("deleting {kind}"), plan.to_delete()),
        &mut writer,
    )
    .await;
    drop(plan);
    let report = report.ended(backend.context(kind), connector.started);
    let code = report.exit_code();
    writer.finish(report)?;
    Ok(code)
}

/// The names of `kinds`, for messages: `flink-job, training-job`.
fn names(kinds: impl IntoIterator<Item = Kind>) -> String {
    kinds
        .into_iter()
        .map(Kind::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lists the kind of `filters`, giving each row to `keep` as it is read (so that only what
/// the caller keeps is in memory, not every listed job); a listed item that is no row (no
/// id) is said on stderr, never dropped silently. How many items were not rows.
async fn list(
    backend: &SdkBackend,
    filters: &otc_jobs_core::kinds::Filters,
    hint: &str,
    keep: impl FnMut(otc_jobs_core::kinds::Row) + Send,
) -> Result<usize, CliError> {
    use crate::backend::Backend;
    use otc_jobs_core::kinds::{Row, RowError, RowSink};
    struct Keep<F> {
        keep: F,
        unreadable: usize,
    }
    impl<F: FnMut(Row) + Send> RowSink for Keep<F> {
        fn push(&mut self, item: Result<Row, RowError>) {
            match item {
                Ok(row) => (self.keep)(row),
                Err(unreadable) => {
                    eprintln!("warning: {unreadable}: it is left out");
                    self.unreadable += 1;
                }
            }
        }
    }
    let kind = filters.kind();
    let mut sink = Keep {
        keep,
        unreadable: 0,
    };
    backend
        .list(filters, &mut sink)
        .await
        .map_err(|e| crate::backend::list_failed(kind, &e, hint))?;
    Ok(sink.unreadable)
}

/// `texts`, sorted and deduplicated (a selection's ids compare as a set).
fn sorted(texts: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut texts: Vec<String> = texts.into_iter().collect();
    texts.sort();
    texts.dedup();
    texts
}

/// Prints the report, writes `--report`, and gives the exit code.
fn finish(
    report: crate::report::Report,
    path: Option<&std::path::Path>,
    format: Format,
) -> Result<u8, CliError> {
    let code = report.exit_code();
    crate::output::ReportWriter::new(format, path).finish(report)?;
    Ok(code)
}
