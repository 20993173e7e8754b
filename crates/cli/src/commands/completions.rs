//! `otc-jobs completions SHELL`: prints a completion script (clap_complete).

use clap::CommandFactory;

use crate::args::Cli;

/// Prints the script for `shell` to stdout.
pub(crate) fn run(shell: clap_complete::Shell) -> u8 {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "otc-jobs",
        &mut std::io::stdout(),
    );
    crate::exit::OK
}
