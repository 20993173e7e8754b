//! The journal: each outcome appended as one JSON line the moment it is known, so a run
//! killed half-way loses nothing; a rerun with the same journal skips the ids it
//! already finished (deleted or already gone) and so never deletes twice.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::exit::CliError;
use crate::kinds::Kind;
use crate::report::Item;

/// An open journal.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Reads the journal at `path` (a missing file is an empty journal) and opens it for
    /// appending. Returns the ids of `kind` already finished, with their outcome.
    pub(crate) fn open(
        path: &Path,
        kind: Kind,
    ) -> Result<(Journal, HashMap<String, String>), CliError> {
        let finished = match std::fs::read_to_string(path) {
            Ok(text) => finished_ids(&text, kind).map_err(|line| {
                CliError::usage(
                    format!(
                        "--journal {}: line {line} is not an otc-jobs journal entry",
                        path.display()
                    ),
                    "give the journal file of an earlier otc-jobs run, or a new file name",
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(e) => return Err(unusable(path, &e)),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| unusable(path, &e))?;
        Ok((
            Journal {
                path: path.to_owned(),
                file: Mutex::new(file),
            },
            finished,
        ))
    }

    /// Appends outcomes, one line each, in one write to the operating system: the
    /// outcomes that completed together (a batch's ids) cost one system call, and a
    /// kill can cut at most the last line short (which [`Journal::open`] ignores).
    pub(crate) fn record(&self, kind: Kind, items: &[Item]) -> std::io::Result<()> {
        let mut lines = Vec::with_capacity(items.len() * 64);
        for item in items {
            serde_json::to_writer(&mut lines, &Entry { kind, item })?;
            lines.push(b'\n');
        }
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One write under the lock: entries never interleave.
        file.write_all(&lines)?;
        file.flush()
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

fn unusable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::usage(
        format!("cannot use --journal {}: {e}", path.display()),
        "give a file you can read and write (it is created when missing)",
    )
}

#[derive(serde::Serialize)]
struct Entry<'a> {
    kind: Kind,
    #[serde(flatten)]
    item: &'a Item,
}

/// The finished ids of `kind` in a journal's text, or the number of the first line that
/// is not an entry. A last line without its newline is a write cut short by a kill: its
/// outcome was never complete, so it is ignored.
fn finished_ids(text: &str, kind: Kind) -> Result<HashMap<String, String>, usize> {
    let mut finished = HashMap::new();
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // Only the start of an entry counts as torn; other text is not a journal.
        let torn = !complete && n + 1 == lines.len() && line.starts_with('{');
        let entry: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(_) if torn => continue,
            Err(_) => return Err(n + 1),
        };
        let field = |name: &str| entry.get(name).and_then(|v| v.as_str());
        let (Some(entry_kind), Some(id), Some(outcome)) =
            (field("kind"), field("id"), field("outcome"))
        else {
            return Err(n + 1);
        };
        if entry_kind != kind.name() {
            continue;
        }
        if matches!(outcome, "deleted" | "already_gone") {
            finished.insert(id.to_owned(), outcome.to_owned());
        } else {
            // A later failure does not undo an earlier success, but a later success
            // replaces nothing: keep the first finished outcome.
        }
    }
    Ok(finished)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::kinds::JobId;
    use crate::report::Outcome;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("otc-jobs-cli-{name}-{}", std::process::id()))
    }

    #[test]
    fn records_and_resumes_finished_ids_of_the_kind() {
        let path = temp("journal");
        let _ = std::fs::remove_file(&path);
        let (journal, finished) = Journal::open(&path, Kind::FlinkJob).unwrap();
        assert!(finished.is_empty());
        let item = |n, outcome| Item {
            id: JobId::Number(n),
            name: None,
            outcome,
        };
        journal
            .record(Kind::FlinkJob, &[item(1, Outcome::Deleted { attempts: 1 })])
            .unwrap();
        journal
            .record(
                Kind::FlinkJob,
                &[item(
                    2,
                    Outcome::AlreadyGone {
                        attempts: 1,
                        note: None,
                    },
                )],
            )
            .unwrap();
        journal
            .record(
                Kind::FlinkJob,
                &[item(
                    3,
                    Outcome::Failed {
                        status: Some(500),
                        code: None,
                        message: "m".into(),
                        request_id: None,
                        attempts: 4,
                    },
                )],
            )
            .unwrap();
        journal
            .record(
                Kind::TrainingJob,
                &[item(4, Outcome::Deleted { attempts: 1 })],
            )
            .unwrap();
        drop(journal);
        // A kill in the middle of a write leaves a torn last line.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"kind\":\"flink-job\",\"id\":\"5\",\"outc");
        std::fs::write(&path, text).unwrap();
        let (_, finished) = Journal::open(&path, Kind::FlinkJob).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut ids: Vec<_> = finished.into_iter().collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                ("1".to_owned(), "deleted".to_owned()),
                ("2".to_owned(), "already_gone".to_owned())
            ]
        );
    }

    // Outcomes that completed together go in one write; a kill in the middle of it leaves
    // whole lines and at most one torn last line.
    #[test]
    fn outcomes_written_together_resume_like_single_ones() {
        let path = temp("journal-together");
        let _ = std::fs::remove_file(&path);
        let (journal, _) = Journal::open(&path, Kind::FlinkJob).unwrap();
        let items: Vec<Item> = (1..=5)
            .map(|n| Item {
                id: JobId::Number(n),
                name: Some(format!("job {n}")),
                outcome: Outcome::Deleted { attempts: 1 },
            })
            .collect();
        journal.record(Kind::FlinkJob, &items).unwrap();
        journal.record(Kind::FlinkJob, &[]).unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5);
        assert_eq!(
            text.lines().next().unwrap(),
            r#"{"kind":"flink-job","id":"1","name":"job 1","outcome":"deleted","attempts":1}"#
        );
        // Cut the write short inside its fourth line.
        let cut = text.match_indices('\n').nth(2).unwrap().0 + 20;
        std::fs::write(&path, &text[..cut]).unwrap();
        let (_, finished) = Journal::open(&path, Kind::FlinkJob).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut ids: Vec<_> = finished.into_keys().collect();
        ids.sort();
        assert_eq!(ids, ["1", "2", "3"]);
    }

    #[test]
    fn refuses_a_file_that_is_not_a_journal() {
        let path = temp("not-journal");
        std::fs::write(&path, "hello\nworld\n").unwrap();
        let err = Journal::open(&path, Kind::FlinkJob).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        std::fs::write(&path, "hello").unwrap();
        let err = Journal::open(&path, Kind::FlinkJob).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.code, 2);
        assert!(err.to_string().contains("line 1"), "{err}");
        // A directory cannot be a journal.
        let err = Journal::open(&std::env::temp_dir(), Kind::FlinkJob).unwrap_err();
        assert_eq!(err.code, 2);
    }
}
