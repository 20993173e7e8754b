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
    let answer = answer
        .map_err(|e| {
            CliError::usage(
                format!("cannot read the answer: {e}"),
                "pass --yes to confirm",
            )
        })?
        .map_err(|e| {
            CliError::usage(
                format!("cannot read the answer: {e}"),
                "pass --yes to confirm",
            )
        })?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(CliError::usage(format!("not confirmed: {nothing}"), ""))
    }
}
