//! The journal's reader and writer.
#![allow(clippy::unwrap_used)]

use super::*;
use otc_jobs_core::kinds::KindId;

fn temp(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("otc-jobs-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

const HEADER: &str = r#"{"journal":"otc-jobs","format":3,"kind":"flink-job","selection":{"command":"delete","kind":"flink-job"}}"#;

fn selection() -> Selection {
    Selection::new("delete", Kind::FlinkJob)
}

fn journal_text(lines: &[&str]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn known(read: &Contents, id: i64) -> Known {
    read.earlier.get(&KindId::FlinkJob(id)).unwrap().clone()
}

#[test]
fn reads_intents_and_outcomes_back() {
    let skipped = |id| {
        format!(
            r#"{{"id":"{id}","outcome":"skipped","reason":"interrupted before its deletion started"}}"#
        )
    };
    let text = journal_text(&[
        HEADER,
        r#"{"run":1,"pid":10}"#,
        r#"{"intent":"delete","id":"1"}"#,
        r#"{"intent":"delete","id":"2"}"#,
        r#"{"intent":"batch_delete","id":"3"}"#,
        r#"{"intent":"delete","id":"4"}"#,
        r#"{"intent":"delete","id":"5"}"#,
        r#"{"id":"1","name":"one","outcome":"deleted","attempts":1}"#,
        r#"{"id":"2","outcome":"failed","status":500,"code":null,"message":"m","request_id":null,"attempts":4}"#,
        &skipped(4),
        // Run 1 was killed with 5 in flight; run 2 was interrupted before it retried 5.
        r#"{"run":2,"pid":11}"#,
        r#"{"intent":"delete","id":"5"}"#,
        &skipped(5),
        // A later failure does not undo an earlier success.
        r#"{"id":"1","outcome":"failed","status":500,"code":null,"message":"m","request_id":null,"attempts":1}"#,
    ]);
    let read = parse(text.as_bytes(), Kind::FlinkJob).unwrap();
    assert!(read.has_header);
    assert_eq!((read.valid_len, read.torn_line), (text.len(), None));
    let one = known(&read, 1);
    assert!(one.finished());
    assert_eq!(one.name.as_deref(), Some("one"));
    assert_eq!(
        one.outcome,
        Some(Outcome::Deleted {
            attempts: 1,
            note: None
        })
    );
    // Failed: settled (the service answered), not finished: deleted again by a rerun.
    let two = known(&read, 2);
    assert!(!two.finished() && !two.unresolved);
    // An intent with no outcome, of either action: unresolved.
    assert!(known(&read, 3).unresolved);
    // Skipped settles the intent of its own run (never sent), not an earlier run's.
    assert!(!known(&read, 4).unresolved);
    assert!(known(&read, 5).unresolved);
    assert_eq!(read.runs, 2);
    let order: Vec<String> = read.earlier.iter().map(|k| k.id.to_string()).collect();
    assert_eq!(order, ["1", "2", "3", "4", "5"]);
    assert_eq!(
        read.earlier.finished(),
        [("1".to_owned(), "deleted".to_owned())].into()
    );
}

#[test]
fn a_torn_last_line_is_reported_and_ignored() {
    let whole = journal_text(&[HEADER, r#"{"intent":"delete","id":"1"}"#]);
    for tail in [r#"{"id":"1","outc"#, "{", "\0\0\0\0", r#"{"id":"1"}"#] {
        let text = format!("{whole}{tail}");
        let read = parse(text.as_bytes(), Kind::FlinkJob).unwrap();
        assert_eq!(read.torn_line, Some(3), "{tail:?}");
        assert_eq!(read.valid_len, whole.len(), "{tail:?}");
        assert!(known(&read, 1).unresolved, "{tail:?}");
    }
    // Only the header was being written: an empty journal.
    let read = parse(&HEADER.as_bytes()[..20], Kind::FlinkJob).unwrap();
    assert_eq!(
        (read.has_header, read.valid_len, read.torn_line),
        (false, 0, Some(1))
    );
}

#[test]
fn refuses_what_is_not_a_journal_of_this_run() {
    let cases: [(&str, ReadError); 6] = [
        ("hello\nworld\n", ReadError::NotJournal(1)),
        ("hello", ReadError::NotJournal(1)),
        (
            &journal_text(&[HEADER, r#"{"something":"else"}"#]),
            ReadError::NotJournal(2),
        ),
        (
            &journal_text(&[HEADER, r#"{"intent":"delete","id":"abc"}"#]),
            ReadError::NotJournal(2),
        ),
        // The outcome log of an otc-jobs before this format.
        (
            &journal_text(&[r#"{"kind":"flink-job","id":"1","outcome":"deleted","attempts":1}"#]),
            ReadError::NoHeader,
        ),
        (
            &journal_text(&[
                r#"{"journal":"otc-jobs","format":3,"kind":"training-job","selection":{}}"#,
            ]),
            ReadError::OtherKind("training-job".into()),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            parse(text.as_bytes(), Kind::FlinkJob).unwrap_err(),
            expected,
            "{text:?}"
        );
    }
    let newer =
        journal_text(&[r#"{"journal":"otc-jobs","format":4,"kind":"flink-job","selection":{}}"#]);
    assert_eq!(
        parse(newer.as_bytes(), Kind::FlinkJob).unwrap_err(),
        ReadError::Format(4)
    );
    // Format 2 named the v1 training jobs `training-job`: not read as the v2 kind's.
    let old_names = journal_text(&[
        r#"{"journal":"otc-jobs","format":2,"kind":"training-job","selection":{}}"#,
    ]);
    assert_eq!(
        parse(old_names.as_bytes(), Kind::TrainingJob).unwrap_err(),
        ReadError::Format(2)
    );
    let err = ReadError::NoHeader.into_cli(Path::new("j"));
    assert_eq!(err.code, 2);
    assert!(err.to_string().contains("older otc-jobs"), "{err}");
}

#[test]
fn open_writes_the_header_appends_and_cuts_a_torn_line() {
    let path = temp("journal-open");
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Intents).unwrap();
    assert_eq!(journal.earlier(), &Earlier::default());
    let ids = [KindId::FlinkJob(1), KindId::FlinkJob(2)];
    journal.intend(Intent::Delete, &ids).unwrap();
    let item = Item::new(
        KindId::FlinkJob(1),
        Some("job 1".into()),
        Outcome::Deleted {
            attempts: 1,
            note: None,
        },
    );
    journal.record([&item]).unwrap();
    journal.close().unwrap();
    drop(journal);
    let text = std::fs::read_to_string(&path).unwrap();
    let run = |n| format!(r#"{{"run":{n},"pid":{}}}"#, std::process::id());
    assert_eq!(
        text,
        journal_text(&[
            HEADER,
            &run(1),
            r#"{"intent":"delete","id":"1"}"#,
            r#"{"intent":"delete","id":"2"}"#,
            r#"{"id":"1","name":"job 1","outcome":"deleted","attempts":1}"#,
        ])
    );
    // Killed in the middle of a write: the rerun cuts the torn line off before appending.
    std::fs::write(&path, format!("{text}{{\"id\":\"2\",\"outc")).unwrap();
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    assert!(
        journal
            .earlier()
            .get(&KindId::FlinkJob(2))
            .unwrap()
            .unresolved
    );
    journal.intend(Intent::Delete, &ids[1..]).unwrap();
    drop(journal);
    let again = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        again,
        format!("{text}{}\n{{\"intent\":\"delete\",\"id\":\"2\"}}\n", run(2))
    );
}

#[test]
fn a_journal_that_cannot_be_used_stops_the_run_before_it_acts() {
    // A directory cannot be a journal.
    let err = Journal::open(
        &std::env::temp_dir(),
        Kind::FlinkJob,
        &selection(),
        Fsync::Intents,
    )
    .unwrap_err();
    assert_eq!(err.code, 2);
    assert!(err.to_string().contains("cannot use --journal"), "{err}");
    // A full disk: the header, the first write, fails.
    #[cfg(target_os = "linux")]
    {
        let err = Journal::open(
            Path::new("/dev/full"),
            Kind::FlinkJob,
            &selection(),
            Fsync::Intents,
        )
        .unwrap_err();
        assert_eq!(err.code, 1);
        assert!(
            err.to_string().contains("cannot write --journal /dev/full"),
            "{err}"
        );
        assert!(err.to_string().contains("nothing was deleted"), "{err}");
    }
}

#[test]
fn a_run_that_selects_otherwise_is_refused() {
    let path = temp("journal-selection");
    let first = selection()
        .with("ids", ["1", "2"])
        .with("--status", "job_failed");
    let journal = Journal::open(&path, Kind::FlinkJob, &first, Fsync::Never).unwrap();
    // Nothing done yet: another selection takes the journal over.
    drop(journal);
    let second = selection().with("ids", ["1", "2", "3"]);
    let journal = Journal::open(&path, Kind::FlinkJob, &second, Fsync::Never).unwrap();
    journal
        .intend(Intent::Delete, &[KindId::FlinkJob(1)])
        .unwrap();
    drop(journal);
    // Once something was done under it, the selection is the run's.
    let err = Journal::open(&path, Kind::FlinkJob, &first, Fsync::Never).unwrap_err();
    assert_eq!(err.code, 2);
    let text = err.to_string();
    assert!(
        text.contains(r#"--status was none, is "job_failed""#)
            && text.contains(r#"ids was ["1","2","3"], is ["1","2"]"#)
            && text.contains("give the same arguments"),
        "{text}"
    );
    let err = Journal::peek(&path, Kind::FlinkJob, &first).unwrap_err();
    assert_eq!(err.code, 2);
    // The same selection resumes.
    let journal = Journal::open(&path, Kind::FlinkJob, &second, Fsync::Never).unwrap();
    assert!(
        journal
            .earlier()
            .get(&KindId::FlinkJob(1))
            .unwrap()
            .unresolved
    );
    drop(journal);
    let peeked = Journal::peek(&path, Kind::FlinkJob, &second).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(peeked.iter().count(), 1);
    // Nothing there: nothing known, nothing written.
    assert_eq!(
        Journal::peek(&path, Kind::FlinkJob, &second).unwrap(),
        Earlier::default()
    );
    assert!(!path.exists());
}

#[test]
fn one_run_per_journal() {
    let path = temp("journal-lock");
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    // A second open is a second open file description: refused like another process.
    let err = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap_err();
    assert_eq!(err.code, 2);
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "in use by another otc-jobs run (pid {})",
            std::process::id()
        )),
        "{text}"
    );
    // A dry run only reads.
    assert!(Journal::peek(&path, Kind::FlinkJob, &selection()).is_ok());
    drop(journal);
    let journal = Journal::open(&path, Kind::FlinkJob, &selection(), Fsync::Never).unwrap();
    drop(journal);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn an_account_journal_keeps_each_scope_apart_and_refuses_another_selection() {
    let path = temp("journal-account");
    let scopes = [
        ("p1/flink-job".to_owned(), Kind::FlinkJob),
        ("p2/flink-job".to_owned(), Kind::FlinkJob),
        ("p2/sql-job".to_owned(), Kind::SqlJob),
    ];
    let selection = Selection::of_account(serde_json::json!({"projects": ["p1", "p2"]}));
    let journals = Journal::open_account(&path, &scopes, &selection, Fsync::Intents).unwrap();
    assert_eq!(journals.len(), 3);
    // The same id in two projects: two jobs.
    let one = KindId::FlinkJob(1);
    journals[0].intend(Intent::Delete, [&one]).unwrap();
    journals[1].intend(Intent::Delete, [&one]).unwrap();
    let deleted = Item::new(
        one.clone(),
        None,
        Outcome::Deleted {
            attempts: 1,
            note: None,
        },
    );
    journals[1].record([&deleted]).unwrap();
    drop(journals);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(r#"{"journal":"otc-jobs","format":3,"kind":"account","#),
        "{text}"
    );
    assert!(
        text.contains(r#"{"scope":"p2/flink-job","id":"1","outcome":"deleted","attempts":1}"#),
        "{text}"
    );
    let journals = Journal::open_account(&path, &scopes, &selection, Fsync::Never).unwrap();
    let first = journals[0].earlier().get(&one).unwrap();
    assert!(first.unresolved && !first.finished());
    assert!(journals[1].earlier().get(&one).unwrap().finished());
    assert!(journals[2].earlier().iter().next().is_none());
    drop(journals);
    // Fewer projects: another selection, refused (its lines are not this run's).
    let fewer = Selection::of_account(serde_json::json!({"projects": ["p1"]}));
    let refused = Journal::open_account(&path, &scopes[..1], &fewer, Fsync::Never).unwrap_err();
    assert_eq!(refused.code, 2);
    assert!(
        refused.problem.contains("selected otherwise"),
        "{}",
        refused.problem
    );
    // A one-kind run cannot use it, nor it a one-kind journal.
    let err = Journal::open(&path, Kind::FlinkJob, &selection, Fsync::Never).unwrap_err();
    assert!(err.problem.contains("account run"), "{}", err.problem);
    std::fs::remove_file(&path).unwrap();
}
