//! The journal (`--journal FILE`): a write-ahead log of a deleting run, so that a run
//! killed at any moment (SIGKILL, an OOM kill, a reboot) is finished by a rerun with the
//! same journal without an outcome lost or a job deleted twice.
//!
//! One JSON object a line:
//!
//! - first, a header: `{"journal":"otc-jobs","format":3,"kind":"flink-job","selection":{…}}`,
//!   the run's [`Selection`] (command, project, filters, ids): a rerun that selects
//!   otherwise is refused, so two runs never mix in one journal;
//! - for each run on it, its process: `{"run":2,"pid":4242}`;
//! - before a request that deletes is sent, its intent, naming the action:
//!   `{"intent":"delete","id":"148"}` (`batch_delete` for the ids of a batch chunk);
//!   the executor writes the intents of the next ids to start in one write, and starts an
//!   id only once its intent is written (and synced, see [`Fsync`]);
//! - each outcome once known, as in the report: `{"id":"148","outcome":"deleted","attempts":1}`;
//!   outcomes that complete together go in one write.
//!
//! A rerun reads it back as [`Earlier`]: the ids finished (deleted, already gone) are not
//! touched again; an intent without an outcome after it is *unresolved* (the killed run
//! may or may not have sent it): the executor probes the job first and reports it deleted
//! if it is gone. A kill can cut short only the last line (each write is one `write(2)`
//! of whole lines, and a line is written before its request is sent); such a torn line is
//! reported, ignored and cut off before the rerun appends.
//!
//! One run per journal: a run holds an advisory lock on the file (`flock`, released when
//! the process ends, however it ends); a second process is refused at once, with the
//! first one's pid (from its `run` line).

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::exit::CliError;
use crate::report::{Item, Outcome};
use otc_jobs_core::kinds::{Kind, KindId};

/// The journal format this build writes and reads (the first, without a header, was
/// an outcome log only; the second named kinds by the old names, where `training-job` was
/// the v1 API: its journals are refused rather than read as another API's).
const FORMAT: u64 = 3;

/// When the journal is synced to disk (`fsync`): what survives a power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Fsync {
    /// After each write of intents (before their requests are sent), after the header,
    /// and at the end: every request sent has its intent on disk. Outcomes written since
    /// the last sync may be lost; their intents make a rerun probe those jobs.
    #[default]
    Intents,
    /// After every write, outcomes included.
    Always,
    /// Never (the operating system writes it out when it likes): safe against a kill of
    /// the tool, not against a power loss.
    Never,
}

/// What selects a run's jobs, as given on the command line: the command, the kind, the
/// project, every filter, the ids, the excluded ids. A rerun with the journal must give
/// the same. Keys are the flags' names; a flag not given is absent.
///
/// ```text
/// Selection::new("clean", Kind::FlinkJob).with("--status", Some("job_failed"))
///   → {"command":"clean","kind":"flink-job","--status":"job_failed"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Selection(BTreeMap<String, Value>);

impl Selection {
    /// The selection of `command` over `kind`.
    pub(crate) fn new(command: &str, kind: Kind) -> Selection {
        Selection(BTreeMap::new())
            .with("command", command)
            .with("kind", kind.name())
    }

    /// The selection of a whole-account `clean` (the lowered policy, flags and projects).
    pub(crate) fn of_account(account: Value) -> Selection {
        Selection(BTreeMap::new())
            .with("command", "clean")
            .with("account", account)
    }

    /// The same with `key` set to `value` (left out when `null`, e.g. `None`).
    pub(crate) fn with(mut self, key: &str, value: impl serde::Serialize) -> Selection {
        match serde_json::to_value(value) {
            Ok(Value::Null) | Err(_) => {}
            Ok(value) => {
                self.0.insert(key.to_owned(), value);
            }
        }
        self
    }

    /// What differs from `then`, one phrase per key.
    fn differences(&self, then: &Selection) -> Vec<String> {
        let keys: std::collections::BTreeSet<&String> =
            self.0.keys().chain(then.0.keys()).collect();
        let shown = |v: Option<&Value>| match v {
            None => "none".to_owned(),
            Some(Value::Array(items)) if items.len() > 5 => format!("{} ids", items.len()),
            Some(v) => v.to_string(),
        };
        keys.into_iter()
            .filter(|k| self.0.get(*k) != then.0.get(*k))
            .map(|k| {
                format!(
                    "{k} was {}, is {}",
                    shown(then.0.get(k)),
                    shown(self.0.get(k))
                )
            })
            .collect()
    }
}

/// What is about to be sent for an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// A DELETE of the job.
    Delete,
    /// The job's id in a batch deletion (DLI).
    BatchDelete,
}

impl Intent {
    fn name(self) -> &'static str {
        match self {
            Intent::Delete => "delete",
            Intent::BatchDelete => "batch_delete",
        }
    }
}

/// Where journal lines go: a file, or in tests a writer that fails on demand.
pub(crate) trait Sink: Send + Sync {
    /// Appends `bytes` (whole lines) in one write; appends never interleave.
    fn append(&self, bytes: &[u8]) -> std::io::Result<()>;
    /// Syncs what was appended before to disk. It does not hold appends up: a sync takes
    /// milliseconds, and the outcomes of deletions in flight are appended meanwhile.
    fn sync(&self) -> std::io::Result<()>;
}

/// A journal file.
struct FileSink {
    file: File,
    appending: Mutex<()>,
}

impl Sink for FileSink {
    fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        let _one_at_a_time = self
            .appending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (&self.file).write_all(bytes)
    }

    fn sync(&self) -> std::io::Result<()> {
        self.file.sync_data()
    }
}

/// An open journal, positioned at its end. In a whole-account run each project and kind
/// has its own, all writing into the one file, each line marked with its scope
/// (`{"scope":"PROJECT_ID/KIND",…}`; see [`Journal::open_account`]).
pub(crate) struct Journal {
    path: PathBuf,
    sink: Arc<dyn Sink>,
    fsync: Fsync,
    earlier: Earlier,
    /// The project and kind whose lines these are, in a whole-account journal.
    scope: Option<String>,
}

/// The header's `kind` of a whole-account journal (its lines name their kind in `scope`).
pub(crate) const ACCOUNT: &str = "account";

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("fsync", &self.fsync)
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// Opens the journal at `path` for a run of `kind` selecting `selection` (a missing
    /// file is created), reads what earlier attempts recorded, cuts off a torn last line
    /// (with a warning on stderr), and writes the header if the journal is new. A journal
    /// of another selection is refused, unless it holds nothing but its header.
    pub(crate) fn open(
        path: &Path,
        kind: Kind,
        selection: &Selection,
        fsync: Fsync,
    ) -> Result<Journal, CliError> {
        let (file, bytes, existed, regular) = open_file(path)?;
        let mut read = read(path, &bytes, kind.name(), &single(kind), 1, selection)?;
        read.earlier = read.scoped.pop().unwrap_or_default();
        let mut journals = open_read(
            path,
            file,
            &bytes,
            existed,
            regular,
            read,
            kind.name(),
            selection,
            fsync,
            &[None],
        )?;
        journals
            .pop()
            .ok_or_else(|| unusable(path, &std::io::Error::other("no journal")))
    }

    /// Opens the one journal of a whole-account run at `path`: one [`Journal`] per scope
    /// (`PROJECT_ID/KIND`, with its kind), in the order of `scopes`, each with what
    /// earlier attempts recorded under it, all appending to the one file (one lock, one
    /// header recording the whole run's `selection`).
    pub(crate) fn open_account(
        path: &Path,
        scopes: &[(String, Kind)],
        selection: &Selection,
        fsync: Fsync,
    ) -> Result<Vec<Journal>, CliError> {
        let (file, bytes, existed, regular) = open_file(path)?;
        let kind_of = scoped(scopes);
        let read = read(path, &bytes, ACCOUNT, &kind_of, scopes.len(), selection)?;
        let names: Vec<Option<String>> = scopes.iter().map(|(s, _)| Some(s.clone())).collect();
        open_read(
            path, file, &bytes, existed, regular, read, ACCOUNT, selection, fsync, &names,
        )
    }

    /// What the whole-account journal at `path` holds per scope, without writing
    /// (`--dry-run`).
    pub(crate) fn peek_account(
        path: &Path,
        scopes: &[(String, Kind)],
        selection: &Selection,
    ) -> Result<Vec<Earlier>, CliError> {
        let bytes = peek_bytes(path)?;
        let kind_of = scoped(scopes);
        Ok(read(path, &bytes, ACCOUNT, &kind_of, scopes.len(), selection)?.scoped)
    }
}

/// How a journal's lines are read: a line's `scope` (none in a one-kind journal) → the
/// slot of its [`Earlier`] and its kind; `None`: not one of this run's.
type KindOf<'a> = dyn Fn(Option<&str>) -> Option<(usize, Kind)> + 'a;

/// How the lines of a one-kind journal are read: no scope, that kind.
fn single(kind: Kind) -> impl Fn(Option<&str>) -> Option<(usize, Kind)> {
    move |scope| scope.is_none().then_some((0, kind))
}

/// How the lines of a whole-account journal are read: by their scope.
fn scoped(scopes: &[(String, Kind)]) -> impl Fn(Option<&str>) -> Option<(usize, Kind)> + '_ {
    move |scope| {
        let scope = scope?;
        scopes
            .iter()
            .position(|(s, _)| s == scope)
            .map(|i| (i, scopes[i].1))
    }
}

/// Opens (creating) and locks the journal file, and reads it: (file, bytes, whether it
/// existed, whether it is a regular file).
fn open_file(path: &Path) -> Result<(File, Vec<u8>, bool, bool), CliError> {
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| unusable(path, &e))?;
    // Through the trait: std's `File::try_lock` is newer than the MSRV.
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => return Err(in_use(path)),
        Err(fs4::TryLockError::Error(e)) => return Err(unusable(path, &e)),
    }
    // A device (`/dev/null`, `/dev/full`) holds no earlier journal, and reading one
    // may never end.
    let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
    let mut bytes = Vec::new();
    if regular {
        file.read_to_end(&mut bytes)
            .map_err(|e| unusable(path, &e))?;
    }
    Ok((file, bytes, existed, regular))
}

/// The journals of `scopes` over `file`, read as `read`: a torn line cut off, the header
/// written if new, this run's `run` line.
#[allow(clippy::too_many_arguments)]
fn open_read(
    path: &Path,
    file: File,
    bytes: &[u8],
    existed: bool,
    regular: bool,
    mut read: Contents,
    kind: &str,
    selection: &Selection,
    fsync: Fsync,
    scopes: &[Option<String>],
) -> Result<Vec<Journal>, CliError> {
    {
        if read.replace_header {
            read.valid_len = 0;
            read.has_header = false;
        }
        if regular && read.valid_len < bytes.len() {
            file.set_len(read.valid_len as u64)
                .map_err(|e| unwritable(path, &e))?;
        }
        let sink: Arc<dyn Sink> = Arc::new(FileSink {
            file,
            appending: Mutex::new(()),
        });
        let mut earlier = std::mem::take(&mut read.scoped).into_iter();
        let single = std::mem::take(&mut read.earlier);
        let journals: Vec<Journal> = scopes
            .iter()
            .map(|scope| Journal {
                path: path.to_owned(),
                sink: Arc::clone(&sink),
                fsync,
                earlier: match scope {
                    None => single.clone(),
                    Some(_) => earlier.next().unwrap_or_default(),
                },
                scope: scope.clone(),
            })
            .collect();
        let Some(journal) = journals.first() else {
            return Ok(journals);
        };
        let mut lines = Vec::new();
        if !read.has_header {
            lines = header(kind, selection);
        }
        // Whose run it is, for a second process to name.
        let run = RunLine {
            run: read.runs + 1,
            pid: std::process::id(),
        };
        serde_json::to_writer(&mut lines, &run).map_err(|e| unwritable(path, &e.into()))?;
        lines.push(b'\n');
        journal
            .write(&lines, fsync != Fsync::Never)
            .map_err(|e| unwritable(path, &e))?;
        if !existed && fsync != Fsync::Never {
            sync_parent(path).map_err(|e| unwritable(path, &e))?;
        }
        Ok(journals)
    }
}

/// A journal's bytes for a peek: a missing file (or a device) holds nothing.
fn peek_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => std::fs::read(path).map_err(|e| unusable(path, &e)),
        Ok(meta) if meta.is_dir() => {
            Err(unusable(path, &std::io::Error::other("it is a directory")))
        }
        Ok(_) => Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(unusable(path, &e)),
    }
}

impl Journal {
    /// A journal over `sink`, for tests (fails where the sink fails).
    #[cfg(test)]
    pub(crate) fn with_sink(
        path: &Path,
        kind: Kind,
        sink: Box<dyn Sink>,
    ) -> std::io::Result<Journal> {
        let journal = Journal {
            path: path.to_owned(),
            sink: Arc::from(sink),
            fsync: Fsync::Intents,
            earlier: Earlier::default(),
            scope: None,
        };
        journal.write(&header(kind.name(), &Selection::new("delete", kind)), true)?;
        Ok(journal)
    }

    /// What the journal at `path` holds for a run of `kind` selecting `selection`,
    /// without writing anything (`--dry-run`); a missing file holds nothing.
    pub(crate) fn peek(
        path: &Path,
        kind: Kind,
        selection: &Selection,
    ) -> Result<Earlier, CliError> {
        let bytes = peek_bytes(path)?;
        let mut read = read(path, &bytes, kind.name(), &single(kind), 1, selection)?;
        Ok(read.scoped.pop().unwrap_or_default())
    }

    /// What earlier attempts recorded, as read when opened.
    pub(crate) fn earlier(&self) -> &Earlier {
        &self.earlier
    }

    /// Records, in one write (synced unless [`Fsync::Never`]), that `action` is about to
    /// be sent for `ids`. Nothing may be sent for them before this returns `Ok`.
    pub(crate) fn intend<'a>(
        &self,
        action: Intent,
        ids: impl IntoIterator<Item = &'a KindId>,
    ) -> std::io::Result<()> {
        let mut lines = Vec::with_capacity(1024);
        for id in ids {
            serde_json::to_writer(
                &mut lines,
                &IntentLine {
                    scope: self.scope.as_deref(),
                    intent: action.name(),
                    id,
                },
            )?;
            lines.push(b'\n');
        }
        if lines.is_empty() {
            return Ok(());
        }
        self.write(&lines, self.fsync != Fsync::Never)
    }

    /// Appends outcomes, one line each, in one write: the outcomes that completed
    /// together cost one system call.
    pub(crate) fn record<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Item>,
    ) -> std::io::Result<()> {
        let mut lines = Vec::with_capacity(1024);
        for item in items {
            if let Some(scope) = &self.scope {
                // `{"scope":…,` then the item's own fields (an item is a non-empty object).
                let text = serde_json::to_vec(item)?;
                lines.extend_from_slice(b"{\"scope\":");
                serde_json::to_writer(&mut lines, scope)?;
                lines.push(b',');
                lines.extend_from_slice(text.get(1..).unwrap_or_default());
            } else {
                serde_json::to_writer(&mut lines, item)?;
            }
            lines.push(b'\n');
        }
        if lines.is_empty() {
            return Ok(());
        }
        self.write(&lines, self.fsync == Fsync::Always)
    }

    /// Syncs what was written (unless [`Fsync::Never`]): the end of a run.
    pub(crate) fn close(&self) -> std::io::Result<()> {
        if self.fsync == Fsync::Never {
            return Ok(());
        }
        self.sink.sync()
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn write(&self, lines: &[u8], sync: bool) -> std::io::Result<()> {
        self.sink.append(lines)?;
        if sync {
            self.sink.sync()?;
        }
        Ok(())
    }
}

/// Parses a journal's bytes (header `kind`, lines read by `kind_of` into `scopes`
/// slots), warns of a torn line, and checks the selection.
fn read(
    path: &Path,
    bytes: &[u8],
    kind: &str,
    kind_of: &KindOf<'_>,
    scopes: usize,
    selection: &Selection,
) -> Result<Contents, CliError> {
    let mut read = parse_with(bytes, kind, kind_of, scopes).map_err(|e| e.into_cli(path))?;
    if let Some(line) = read.torn_line {
        eprintln!(
            "warning: --journal {}: line {line} was cut short (the run that wrote it was \
             killed while writing); it is ignored",
            path.display()
        );
    }
    if let Some(then) = &read.selection
        && then != selection
    {
        if read.foreign.is_none() && read.scoped.iter().all(|e| e.ids.is_empty()) {
            // Nothing was done under it (a declined confirmation): nothing to mix.
            read.replace_header = true;
            read.runs = 0;
        } else {
            return Err(CliError::usage(
                format!(
                    "--journal {} belongs to a run that selected otherwise: {}",
                    path.display(),
                    selection.differences(then).join("; ")
                ),
                "to finish that run, give the same arguments as it had; to start another, \
                 give a new journal file",
            ));
        }
    }
    if let Some(line) = read.foreign
        && !read.replace_header
    {
        return Err(ReadError::NotJournal(line).into_cli(path));
    }
    Ok(read)
}

/// The header line of a new journal.
fn header(kind: &str, selection: &Selection) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Header<'a> {
        journal: &'static str,
        format: u64,
        kind: &'a str,
        selection: &'a Selection,
    }
    let header = Header {
        journal: "otc-jobs",
        format: FORMAT,
        kind,
        selection,
    };
    let mut line = serde_json::to_vec(&header).unwrap_or_default();
    line.push(b'\n');
    line
}

/// A new file's name is on disk only once its directory is synced.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(parent)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// The line a run writes when it takes the journal.
#[derive(serde::Serialize)]
struct RunLine {
    run: u64,
    pid: u32,
}

/// The journal is locked by another process: which, from its `run` line (written just
/// after it took the lock, so looked for a few times).
fn in_use(path: &Path) -> CliError {
    let mut pid = None;
    for _ in 0..20 {
        pid = std::fs::read(path)
            .ok()
            .and_then(|bytes| parse_runs(&bytes));
        if pid.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let who = match pid {
        Some(pid) => format!("pid {pid}"),
        None => "pid not known yet".to_owned(),
    };
    CliError::usage(
        format!(
            "--journal {} is in use by another otc-jobs run ({who})",
            path.display()
        ),
        "wait for that run to finish (or stop it), or give another journal file; \
         two runs on one journal would record each other's deletions",
    )
}

/// The pid of the last `run` line.
fn parse_runs(bytes: &[u8]) -> Option<u64> {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .filter(|l| l.starts_with(r#"{"run":"#))
        .find_map(|l| serde_json::from_str::<Value>(l).ok()?.get("pid")?.as_u64())
}

#[derive(serde::Serialize)]
struct IntentLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    intent: &'static str,
    #[serde(serialize_with = "crate::report::display")]
    id: &'a KindId,
}

fn unusable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::usage(
        format!("cannot use --journal {}: {e}", path.display()),
        "give a file you can read and write (it is created when missing)",
    )
}

fn unwritable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::failed(
        format!("cannot write --journal {}: {e}", path.display()),
        "nothing was deleted; free some space, or give a journal file on another disk",
    )
}

/// What the journal knows of one id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Known {
    /// The id.
    pub(crate) id: KindId,
    /// Its name, when an outcome gave one.
    pub(crate) name: Option<String>,
    /// Its last outcome; a finished one (deleted, already gone) is kept over any later.
    pub(crate) outcome: Option<Outcome>,
    /// An intent was written and no outcome settled it: the request may have been sent.
    pub(crate) unresolved: bool,
    /// The run (`run` line) of the last intent not settled, if it is the only one: a
    /// `skipped` of that run says its request was never sent.
    open_in: Option<u64>,
}

impl Known {
    /// Deleted or already gone (cancelled or already over), and nothing sent since.
    pub(crate) fn finished(&self) -> bool {
        !self.unresolved && self.outcome.as_ref().is_some_and(is_finished)
    }
}

fn is_finished(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Deleted { .. }
            | Outcome::AlreadyGone { .. }
            | Outcome::Cancelled { .. }
            | Outcome::AlreadyFinished { .. }
    )
}

/// What earlier attempts of the run recorded, by id, in the order the ids first appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Earlier {
    ids: Vec<Known>,
    index: HashMap<String, usize>,
}

impl Earlier {
    /// What is known of `id`.
    pub(crate) fn get(&self, id: &KindId) -> Option<&Known> {
        if self.ids.is_empty() {
            return None;
        }
        self.index.get(&id.to_string()).map(|&i| &self.ids[i])
    }

    /// The finished ids (id text → outcome name), for the plan to skip.
    pub(crate) fn finished(&self) -> HashMap<String, String> {
        self.ids
            .iter()
            .filter(|k| k.finished())
            .filter_map(|k| Some((k.id.to_string(), k.outcome.as_ref()?.name().to_owned())))
            .collect()
    }

    /// Every id, in journal order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Known> {
        self.ids.iter()
    }

    fn entry(&mut self, id: KindId) -> &mut Known {
        let text = id.to_string();
        let next = self.ids.len();
        let i = *self.index.entry(text).or_insert(next);
        if i == next {
            self.ids.push(Known {
                id,
                name: None,
                outcome: None,
                unresolved: false,
                open_in: None,
            });
        }
        &mut self.ids[i]
    }

    /// An intent of run `run`.
    fn intent(&mut self, id: KindId, run: u64) {
        let known = self.entry(id);
        if known.finished() {
            return;
        }
        // An earlier run's intent left open stays open whatever this run does but settle it.
        known.open_in = if known.unresolved && known.open_in != Some(run) {
            None
        } else {
            Some(run)
        };
        known.unresolved = true;
    }

    /// An outcome written by run `run`.
    fn outcome(&mut self, id: KindId, name: Option<String>, outcome: Outcome, run: u64) {
        let known = self.entry(id);
        if known.finished() {
            return;
        }
        if name.is_some() {
            known.name = name;
        }
        if matches!(outcome, Outcome::Skipped { .. }) {
            // This run sent nothing for it: its own intent is settled, an earlier run's
            // is not.
            if known.open_in == Some(run) {
                known.unresolved = false;
                known.open_in = None;
            }
        } else {
            known.unresolved = false;
            known.open_in = None;
        }
        known.outcome = Some(outcome);
    }
}

/// A journal's content, read.
#[derive(Debug)]
pub(crate) struct Contents {
    earlier: Earlier,
    /// Per scope (a one-kind journal: one).
    scoped: Vec<Earlier>,
    /// The first line of a scope this run does not have, if any.
    foreign: Option<usize>,
    has_header: bool,
    /// The header's selection.
    selection: Option<Selection>,
    /// The header's selection is not this run's, but nothing was done under it.
    replace_header: bool,
    /// How many runs took the journal.
    runs: u64,
    /// The bytes up to the end of the last whole line.
    pub(crate) valid_len: usize,
    /// The number of a last line cut short, if any.
    pub(crate) torn_line: Option<usize>,
}

/// Why a file is not a journal this run can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// This line is not a journal line.
    NotJournal(usize),
    /// An outcome log of an otc-jobs before the write-ahead journal (no header).
    NoHeader,
    /// A format this build does not know.
    Format(u64),
    /// The journal of another kind's run.
    OtherKind(String),
}

impl ReadError {
    fn into_cli(self, path: &Path) -> CliError {
        let path = path.display();
        match self {
            ReadError::NotJournal(line) => CliError::usage(
                format!("--journal {path}: line {line} is not an otc-jobs journal entry"),
                "give the journal file of an earlier otc-jobs run, or a new file name",
            ),
            ReadError::NoHeader => CliError::usage(
                format!(
                    "--journal {path} was written by an older otc-jobs (an outcome log without \
                     a header line): it records no intents, so a resume from it cannot be trusted"
                ),
                "give a new journal file name (the old file still lists what that run did)",
            ),
            ReadError::Format(format) => CliError::usage(
                format!(
                    "--journal {path} has format {format}; this otc-jobs reads format {FORMAT}"
                ),
                "resume with the otc-jobs that wrote it, or give a new journal file name",
            ),
            ReadError::OtherKind(kind) => CliError::usage(
                format!("--journal {path} is the journal of a {kind} run"),
                "give the same arguments as the run that wrote it, or a new journal file name",
            ),
        }
    }
}

/// Reads a journal's bytes for a run of `kind`. A last line without its newline is a
/// write cut short by a kill (zero bytes at the end, what a power loss can leave, too):
/// reported in [`Contents::torn_line`] and ignored.
// The tool reads journals through `read`; the tests and the `journal` fuzz target (which
// includes this file) through this.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn parse(bytes: &[u8], kind: Kind) -> Result<Contents, ReadError> {
    let mut read = parse_with(bytes, kind.name(), &single(kind), 1)?;
    read.earlier = read.scoped.pop().unwrap_or_default();
    Ok(read)
}

/// `parse` of a journal whose header says `kind`, each line read by `kind_of` (its
/// `scope` → slot and kind) into one of `scopes` [`Earlier`]s.
fn parse_with(
    bytes: &[u8],
    kind: &str,
    kind_of: &KindOf<'_>,
    scopes: usize,
) -> Result<Contents, ReadError> {
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let tail = &bytes[whole..];
    let mut read = Contents {
        earlier: Earlier::default(),
        scoped: vec![Earlier::default(); scopes],
        foreign: None,
        has_header: false,
        selection: None,
        replace_header: false,
        runs: 0,
        valid_len: whole,
        torn_line: None,
    };
    let text = std::str::from_utf8(&bytes[..whole]).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        ReadError::NotJournal(line + 1)
    })?;
    let mut lines = 0;
    for (n, line) in text.lines().enumerate() {
        lines = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|_| ReadError::NotJournal(n + 1))?;
        if !read.has_header {
            check_header(&value, kind, n + 1)?;
            read.has_header = true;
            read.selection = Some(
                value
                    .get("selection")
                    .and_then(|s| serde_json::from_value(s.clone()).ok())
                    .ok_or(ReadError::NotJournal(n + 1))?,
            );
            continue;
        }
        if value.get("run").is_some_and(Value::is_u64) {
            read.runs += 1;
            continue;
        }
        let scope = value.get("scope").and_then(Value::as_str);
        let Some((slot, line_kind)) = kind_of(scope) else {
            // Another run's project or kind: the selection check says so (it differs).
            if scope.is_some() && value.get("id").is_some() {
                read.foreign.get_or_insert(n + 1);
                continue;
            }
            return Err(ReadError::NotJournal(n + 1));
        };
        let earlier = read
            .scoped
            .get_mut(slot)
            .ok_or(ReadError::NotJournal(n + 1))?;
        read_line(earlier, &value, line_kind, read.runs).ok_or(ReadError::NotJournal(n + 1))?;
    }
    if !tail.is_empty() {
        // Only the start of a line counts as torn; other text is not a journal.
        let start = tail.iter().position(|b| *b != 0);
        match start.map(|i| tail[i]) {
            None | Some(b'{') => read.torn_line = Some(lines + 1),
            Some(_) => return Err(ReadError::NotJournal(lines + 1)),
        }
    }
    Ok(read)
}

fn check_header(value: &Value, kind: &str, line: usize) -> Result<(), ReadError> {
    if value.get("journal").and_then(Value::as_str) != Some("otc-jobs") {
        return Err(
            if value.get("outcome").is_some() && value.get("kind").is_some() {
                ReadError::NoHeader
            } else {
                ReadError::NotJournal(line)
            },
        );
    }
    match value.get("format").and_then(Value::as_u64) {
        Some(FORMAT) => {}
        Some(other) => return Err(ReadError::Format(other)),
        None => return Err(ReadError::NotJournal(line)),
    }
    match value.get("kind").and_then(Value::as_str) {
        Some(k) if k == kind => Ok(()),
        Some(k) => Err(ReadError::OtherKind(k.to_owned())),
        None => Err(ReadError::NotJournal(line)),
    }
}

/// Reads one line after the header into `earlier`; `None` if it is not a journal line.
fn read_line(earlier: &mut Earlier, value: &Value, kind: Kind, run: u64) -> Option<()> {
    let id = kind.parse_id(value.get("id")?.as_str()?).ok();
    if let Some(intent) = value.get("intent") {
        intent.as_str()?;
        earlier.intent(id?, run);
    } else if value.get("outcome").is_some() {
        let outcome: Outcome = serde_json::from_value(value.clone()).ok()?;
        let name = value.get("name").and_then(Value::as_str).map(str::to_owned);
        earlier.outcome(id?, name, outcome, run);
    } else {
        return None;
    }
    Some(())
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
