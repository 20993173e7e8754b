//! Exit codes, and the errors that end a run before it acts.

/// Every id deleted or already gone (or skipped).
pub(crate) const OK: u8 = 0;
/// Some deletions failed.
pub(crate) const FAILED: u8 = 1;
/// Bad usage or configuration: nothing was deleted.
pub(crate) const USAGE: u8 = 2;
/// A `--wait` timed out.
pub(crate) const TIMED_OUT: u8 = 3;
/// The confirmation prompt was declined: nothing was deleted.
pub(crate) const DECLINED: u8 = 4;
/// Interrupted (Ctrl-C): in-flight deletions finished, the report was written.
pub(crate) const INTERRUPTED: u8 = 130;

/// An error that stops the tool, with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{problem}{}", hint.as_deref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
pub(crate) struct CliError {
    /// What went wrong.
    pub(crate) problem: String,
    /// What to do about it.
    pub(crate) hint: Option<String>,
    /// The exit code.
    pub(crate) code: u8,
}

impl CliError {
    /// A usage or configuration error (exit 2).
    pub(crate) fn usage(problem: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError {
            problem: problem.into(),
            hint: Some(hint.into()).filter(|h: &String| !h.is_empty()),
            code: USAGE,
        }
    }

    /// A failure of the run itself (exit 1), e.g. the list call failed.
    pub(crate) fn failed(problem: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError {
            code: FAILED,
            ..CliError::usage(problem, hint)
        }
    }
}
