//! `otc-jobs`: the command-line tool that lists, deletes and cleans up Open Telekom Cloud
//! jobs, in the manner of cargo and ripgrep: a selection step that only reads, a plan,
//! an execution step that only acts on the plan, and a report built from outcomes.
//!
//! Run `otc-jobs --help`, or try it offline: `otc-jobs --emulator delete flink-job 1 2 --yes`.

mod account;
mod account_report;
mod args;
mod backend;
mod cancel;
mod commands;
mod config;
mod confirm;
mod emulator;
mod execute;
mod exit;
mod journal;
mod output;
mod plan;
mod policy;
mod progress;
mod report;
mod run;
mod sdk;
mod select;
mod throttle;
mod verbosity;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap prints usage errors and exits 2 itself.
    let cli = args::Cli::parse();
    verbosity::Verbosity::from_flags(cli.global.quiet, cli.global.verbose).install();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    let cancel = cancel::Cancel::default();
    let code = runtime.block_on(async {
        // Registered before any request goes out, so an early Ctrl-C is never lost.
        let interrupts = cancel::Interrupts::new();
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            let Ok(mut interrupts) = interrupts else { return };
            if let Some(signal) = interrupts.next().await {
                eprintln!(
                    "interrupted ({signal}): starting no new deletions; waiting for those in flight (Ctrl-C again to abort)"
                );
                on_interrupt.cancel();
                if interrupts.next().await.is_some() {
                    std::process::exit(i32::from(exit::INTERRUPTED));
                }
            }
        });
        match commands::run(cli, cancel).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                e.code
            }
        }
    });
    // A question left unanswered holds a blocking thread on stdin: do not wait for it.
    runtime.shutdown_background();
    ExitCode::from(code)
}
