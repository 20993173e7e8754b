//! Confirmation: on a terminal, ask showing the count; without one, refuse unless `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use crate::cancel::Cancel;
use crate::exit::CliError;
use otc_jobs_core::kinds::Kind;

/// Whether the run may delete `count` jobs of `kind`. `ids_from_stdin`: stdin is taken,
/// so there is nobody to ask. Ctrl-C while asking ends the run (exit 130, nothing deleted).
pub(crate) async fn confirm(
    count: usize,
    kind: Kind,
    yes: bool,
    ids_from_stdin: bool,
    cancel: &Cancel,
) -> Result<(), CliError> {
    if yes || count == 0 {
        return Ok(());
    }
    let verb = kind.action().verb();
    let nothing = format!("nothing {}", kind.action().past());
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !terminal || ids_from_stdin {
        return Err(CliError::usage(
            format!(
                "refusing to {verb} {count} {kind}(s) without confirmation: no terminal to ask on"
            ),
            "pass --yes to confirm, or --dry-run to see the plan first",
        ));
    }
    let mut ask = verb.to_owned();
    if let Some(first) = ask.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    eprint!("{ask} {count} {kind}(s)? [y/N] ");
    let answer = read_answer(cancel, &nothing).await?;
    if is_yes(&answer) {
        Ok(())
    } else {
        Err(CliError {
            problem: format!("not confirmed: {nothing}"),
            hint: None,
            code: crate::exit::DECLINED,
        })
    }
}

/// The answer typed on the terminal; Ctrl-C while asking ends the run (exit 130).
async fn read_answer(cancel: &Cancel, nothing: &str) -> Result<String, CliError> {
    let _ = std::io::stderr().flush();
    // Read on a blocking thread, so that Ctrl-C can end the question.
    let read = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map(|_| answer)
    });
    let answer = tokio::select! {
        biased;
        () = cancel.cancelled() => {
            return Err(CliError {
                problem: format!("interrupted: {nothing}"),
                hint: None,
                code: crate::exit::INTERRUPTED,
            });
        }
        answer = read => answer,
    };
    let unreadable = |e: &dyn std::fmt::Display| {
        CliError::usage(
            format!("cannot read the answer: {e}"),
            "pass --yes to confirm",
        )
    };
    answer
        .map_err(|e| unreadable(&e))?
        .map_err(|e| unreadable(&e))
}

/// Whether a whole-account run may act on `count` jobs: on a terminal the counts per
/// project and kind (`table`) are shown, and the user types the number of jobs (or the
/// project's name, when the run is in `only_project`); without one, `--yes`.
pub(crate) async fn confirm_account(
    count: usize,
    table: &str,
    only_project: Option<&str>,
    yes: bool,
    cancel: &Cancel,
) -> Result<(), CliError> {
    if yes || count == 0 {
        return Ok(());
    }
    let nothing = "nothing deleted or cancelled";
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !terminal {
        return Err(CliError::usage(
            format!(
                "refusing to act on {count} job(s) without confirmation: no terminal to ask on"
            ),
            "pass --yes to confirm, or `otc-jobs plan` (or --dry-run) to see the plan first",
        ));
    }
    let expected = match only_project {
        Some(name) => {
            eprint!("{table}\nType the project's name ({name}) to act on these {count} job(s): ");
            name.to_owned()
        }
        None => {
            eprint!("{table}\nType the number of jobs ({count}) to act on them: ");
            count.to_string()
        }
    };
    let answer = read_answer(cancel, nothing).await?;
    if answer.trim() == expected {
        Ok(())
    } else {
        Err(CliError {
            problem: format!("not confirmed (expected {expected:?}): {nothing}"),
            hint: None,
            code: crate::exit::DECLINED,
        })
    }
}

/// Whether an answer to the prompt says yes (`y`, `yes`, any case); anything else,
/// an empty line included, is no.
fn is_yes(answer: &str) -> bool {
    let answer = answer.trim();
    answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_y_or_yes_confirms() {
        for yes in ["y\n", "Y", " yes ", "YES\r\n", "Yes"] {
            assert!(super::is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "y es", "ja"] {
            assert!(!super::is_yes(no), "{no:?}");
        }
    }
}
