//! `otc-jobs completions SHELL`: prints a completion script (clap_complete).

use std::io::Write;

use clap::CommandFactory;

use crate::args::Cli;

/// Prints the script for `shell` to stdout.
pub(crate) fn run(shell: clap_complete::Shell) -> u8 {
    // Into memory first: clap_complete panics on a failed write, e.g. a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "otc-jobs", &mut script);
    let _ = std::io::stdout().write_all(&script);
    crate::exit::OK
}
