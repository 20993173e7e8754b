//! The command line (clap derive): global connection flags, and one subcommand per task.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use regex::Regex;

use crate::journal::Fsync;
use crate::select::{parse_age, parse_regex};
use otc_jobs_core::kinds::Kind;

const EXAMPLES: &str = "\
Examples:
  # Try everything offline: an embedded emulator seeded with sample jobs
  otc-jobs --emulator delete flink-job 1 2 3 --yes

  # Show what a cleanup would delete, without deleting
  otc-jobs clean flink-job --older-than 7d --name-regex '^nightly-' --dry-run

  # Delete ids from a file, 16 at a time, at most 20 requests/s, resumable
  cat ids.txt | otc-jobs delete job-execution-v1 - --yes --parallelism 16 --max-rate 20 \\
      --journal run.journal --report report.json

Configuration comes from OS_* variables or clouds.yaml (OS_CLOUD / --os-cloud),
overridden by the flags above.

Exit codes: 0 all deleted or already gone, 1 some failed, 2 usage or configuration
(nothing deleted; also a plan over --max-delete), 3 a wait timed out, 4 the confirmation
was declined (nothing deleted), 130 interrupted (report written).";

/// otc-jobs: list, delete and clean up Open Telekom Cloud jobs (ModelArts training jobs,
/// DLI Flink jobs and templates, MRS jobs; `otc-jobs kinds` lists every kind).
#[derive(Debug, Parser)]
#[command(name = "otc-jobs", version, after_help = EXAMPLES, max_term_width = 100)]
pub(crate) struct Cli {
    /// Connection and output settings.
    #[command(flatten)]
    pub(crate) global: Global,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The heading of the flags that say where the services are and who is calling.
const CONNECTION: &str = "Connection (every command)";
/// The heading of the flags that shape what is printed.
const OUTPUT: &str = "Output (every command)";

/// The longest wait per job by default: the SDK's (`WaitOptions::default().max_wait`).
pub(crate) const DEFAULT_MAX_WAIT: &str = "5m";

/// Flags every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Cloud of clouds.yaml to use (instead of OS_CLOUD)
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "NAME")]
    pub(crate) os_cloud: Option<String>,
    /// Region, e.g. eu-de (instead of OS_REGION_NAME)
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub(crate) region: Option<String>,
    /// Project id (instead of OS_PROJECT_ID)
    #[arg(
        long,
        global = true,
        help_heading = CONNECTION,
        value_name = "ID",
        conflicts_with = "project_name"
    )]
    pub(crate) project_id: Option<String>,
    /// Project name, looked up in IAM (instead of OS_PROJECT_NAME)
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "NAME")]
    pub(crate) project_name: Option<String>,
    /// Base URL of every service (e.g. an emulator)
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// Base URL of ModelArts
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "URL")]
    pub(crate) modelarts_endpoint: Option<String>,
    /// Base URL of DLI
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "URL")]
    pub(crate) dli_endpoint: Option<String>,
    /// Base URL of MRS
    #[arg(long, global = true, help_heading = CONNECTION, value_name = "URL")]
    pub(crate) mrs_endpoint: Option<String>,
    /// Run against an embedded emulator seeded with sample jobs of every kind (offline)
    #[arg(long, global = true, help_heading = CONNECTION, conflicts_with_all = ["endpoint", "os_cloud"])]
    pub(crate) emulator: bool,
    /// Longest time for one request's answer (the SDK retries a DELETE or GET that took
    /// longer; default 60s)
    #[arg(long, global = true, help_heading = CONNECTION, value_parser = parse_age, value_name = "DURATION")]
    pub(crate) request_timeout: Option<Duration>,
    /// Output format
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Table, help_heading = OUTPUT)]
    pub(crate) output: Format,
    /// Log each request on stderr (method, path, status, request id, time taken)
    #[arg(short, long, global = true, help_heading = OUTPUT, conflicts_with = "quiet")]
    pub(crate) verbose: bool,
    /// Print only errors and warnings on stderr (no progress, notes or summary line)
    #[arg(short, long, global = true, help_heading = OUTPUT)]
    pub(crate) quiet: bool,
    /// Without a terminal, how often a progress line is printed on stderr (for tests)
    #[arg(long, global = true, hide = true, env = "OTC_JOBS_PROGRESS_INTERVAL", value_parser = parse_age, default_value = "10s")]
    pub(crate) progress_interval: Duration,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for people, summary on stderr
    Table,
    /// One JSON document
    Json,
    /// One JSON object per line
    Ndjson,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List jobs of a kind (read-only)
    #[command(after_help = "Example:\n  otc-jobs list flink-job --older-than 30d -o json")]
    List {
        /// Kind of job (`otc-jobs kinds` lists them)
        #[arg(value_parser = kind_parser())]
        kind: Kind,
        /// Which jobs.
        #[command(flatten)]
        select: SelectArgs,
    },
    /// Delete jobs by id ("-" reads ids from stdin, one per line)
    #[command(
        after_help = "Examples:\n  otc-jobs delete flink-job 148 149 --yes\n  \
        otc-jobs delete training-job-version-v1 10/2 10/3 --yes\n  \
        otc-jobs delete training-job-version-v1 --job-id 10 2 3 --yes\n  \
        otc-jobs list job-execution-v1 -o ndjson | jq -r .id | otc-jobs delete job-execution-v1 - --yes"
    )]
    Delete(DeleteArgs),
    /// Wait until deleted jobs are gone
    #[command(after_help = "Example:\n  otc-jobs wait training-job-v1 10 11 --max-wait 10m")]
    Wait(WaitArgs),
    /// List, filter, confirm, delete (and wait): list → plan → confirm → delete → report
    #[command(
        after_help = CLEAN_EXAMPLES,
        // `RunArgs` says what these do for `delete`; a whole-account clean does more.
        mut_arg("parallelism", |a| a.help(CLEAN_PARALLELISM)),
        mut_arg("max_rate", |a| a.help(CLEAN_MAX_RATE)),
    )]
    Clean {
        /// Kind of job (`otc-jobs kinds` lists them); optional with --policy or --kinds
        #[arg(value_parser = kind_parser(), required_unless_present_any = ["policy", "kinds"])]
        kind: Option<Kind>,
        /// Which jobs.
        #[command(flatten)]
        select: SelectArgs,
        /// Which projects and kinds (a whole-account run).
        #[command(flatten)]
        account: AccountArgs,
        /// How to run.
        #[command(flatten)]
        run: RunArgs,
    },
    /// What a whole-account clean would do (read-only): the policy as understood, then
    /// counts per project and kind
    #[command(after_help = PLAN_EXAMPLES)]
    Plan {
        /// Which jobs (these flags override the policy file's filters of every kind).
        #[command(flatten)]
        select: SelectArgs,
        /// Which projects and kinds.
        #[command(flatten)]
        account: AccountArgs,
        /// (project, kind) lists in flight at most
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        parallelism: u16,
    },
    /// Every kind of job: its service, API version, id shape, actions and server filters
    #[command(after_help = "Example:\n  otc-jobs kinds -o json")]
    Kinds,
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  otc-jobs completions bash > ~/.local/share/bash-completion/completions/otc-jobs",
        // It talks to no service: the connection flags every command takes are left out.
        help_template = "{about-with-newline}\n{usage-heading} {usage}\n\nArguments:\n{positionals}\n{after-help}"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff; `otc-jobs man | man -l -`)
    #[command(
        after_help = "Examples:\n  otc-jobs man > ~/.local/share/man/man1/otc-jobs.1\n  otc-jobs man clean | man -l -",
        help_template = "{about-with-newline}\n{usage-heading} {usage}\n\nArguments:\n{positionals}\n{after-help}"
    )]
    Man {
        /// A command, for its own page (otc-jobs-clean); the tool's page without one
        command: Option<String>,
    },
}

const CLEAN_EXAMPLES: &str = "\
Examples:
  otc-jobs clean flink-job --older-than 7d --dry-run
  otc-jobs clean flink-job --status job_submit_fail --queue-name etl --yes --journal clean.journal
  # A whole account, from a policy file (`otc-jobs plan --policy FILE` shows what it does)
  otc-jobs clean --policy policy.yaml --yes --journal account.journal
  otc-jobs clean --kinds all --projects 'eu-de_dev-*' --older-than 30d --dry-run

A policy file (YAML; unknown keys are errors naming the line; flags override it):
  projects:
    include: [eu-de_ci, \"eu-de_dev-*\"]   # names or ids, globs; `all` must be written out
    exclude: [eu-de]                      # never touched; wins over include
  kinds:                                  # only the kinds named here are touched
    flink-job:     { older_than: 7d, name_regex: \"^nightly-\", status: [job_submit_fail] }
    training-job:  { older_than: 30d }
    sql-job:       {}                     # cancel what still runs
  protect:                                # never touched, whatever a kind's rule says
    name_regex: \"^(prod|keep)-\"
    ids: [\"1234\"]
    tags: { keep: \"true\" }";

/// `clean --parallelism`'s help (`delete`'s is `RunArgs`'s).
const CLEAN_PARALLELISM: &str = "Deletions in flight at most (a whole-account run: across all \
    its projects and kinds together, and as many (project, kind) lists at once)";

/// `clean --max-rate`'s help.
const CLEAN_MAX_RATE: &str = "Requests per second at most, for the whole run (a whole-account \
    run: per service endpoint; a 429 slows it further)";

const PLAN_EXAMPLES: &str = "\
Examples:
  otc-jobs --emulator plan --kinds all --projects all
  otc-jobs plan --policy policy.yaml -o json

The policy file is `otc-jobs clean --help`'s.";

/// A KIND argument: one of [`Kind::ALL`]'s names (help and completions list them).
fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    PossibleValuesParser::new(
        Kind::ALL.map(|kind| PossibleValue::new(kind.name()).help(kind.facts().doc)),
    )
    .try_map(|name| name.parse::<Kind>())
}

// `otc-jobs delete`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// Kind of job (`otc-jobs kinds` lists them)
    #[arg(value_parser = kind_parser())]
    pub(crate) kind: Kind,
    /// Ids to delete, or "-" for stdin (one per line; blank lines and # comments skipped)
    #[arg(required = true, value_name = "ID")]
    pub(crate) ids: Vec<String>,
    /// The parent job of the ids, for a kind with a parent (then each ID is the child's own)
    #[arg(long, value_name = "JOB_ID")]
    pub(crate) job_id: Option<String>,
    /// Ids never to touch, one per line
    #[arg(long, value_name = "FILE")]
    pub(crate) exclude_file: Option<PathBuf>,
    /// How to run.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

// `otc-jobs wait`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    /// Kind of job (`otc-jobs kinds` lists them)
    #[arg(value_parser = kind_parser())]
    pub(crate) kind: Kind,
    /// Ids to wait for, or "-" for stdin (one per line; blank lines and # comments skipped)
    #[arg(required = true, value_name = "ID")]
    pub(crate) ids: Vec<String>,
    /// The parent job of the ids, for a kind with a parent
    #[arg(long, value_name = "JOB_ID")]
    pub(crate) job_id: Option<String>,
    /// Longest wait per job (the SDK's default; --timeout is another name for it)
    #[arg(long, alias = "timeout", value_parser = parse_age, default_value = DEFAULT_MAX_WAIT, value_name = "DURATION")]
    pub(crate) max_wait: Duration,
    /// Write the JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
}

/// Which jobs: client-side filters, and server-side ones passed to the list call.
#[derive(Debug, Args)]
pub(crate) struct SelectArgs {
    /// Only jobs created at least this long ago (e.g. 7d, 36h)
    #[arg(long, value_parser = parse_age, value_name = "AGE")]
    pub(crate) older_than: Option<Duration>,
    /// Only jobs created at most this long ago
    #[arg(long, value_parser = parse_age, value_name = "AGE")]
    pub(crate) newer_than: Option<Duration>,
    /// Only jobs whose name matches this regular expression
    #[arg(long, value_parser = parse_regex, value_name = "REGEX")]
    pub(crate) name_regex: Option<Regex>,
    /// Ids never to touch, one per line
    #[arg(long, value_name = "FILE")]
    pub(crate) exclude_file: Option<PathBuf>,
    /// Server-side filters (each kind's own: `otc-jobs kinds` shows which kind has which).
    #[command(flatten)]
    pub(crate) server: ServerFlags,
}

/// The server filter flags (`--status`, `--queue-name`, ...): every filter flag of the kind
/// table, each once, in the order the kinds declare them. Lowered into the kind's
/// [`Filters`](otc_jobs_core::kinds::Filters), which refuses a filter the kind lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServerFlags(pub(crate) Vec<(&'static str, String)>);

/// Every filter flag of [`Kind::ALL`], with the kinds that have it.
fn filter_flags() -> Vec<(&'static str, Vec<Kind>)> {
    let mut flags: Vec<(&'static str, Vec<Kind>)> = Vec::new();
    for kind in Kind::ALL {
        for filter in kind.filters() {
            match flags.iter_mut().find(|(flag, _)| *flag == filter.flag) {
                Some((_, kinds)) => kinds.push(kind),
                None => flags.push((filter.flag, vec![kind])),
            }
        }
    }
    flags
}

impl FromArgMatches for ServerFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut set = Vec::new();
        for (flag, _) in filter_flags() {
            if let Some(value) = matches.get_one::<String>(flag) {
                set.push((flag, value.clone()));
            }
        }
        Ok(ServerFlags(set))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = ServerFlags::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ServerFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        filter_flags().into_iter().fold(cmd, |cmd, (flag, kinds)| {
            // The same documented values for every kind that has it: clap offers them.
            let values = kinds
                .first()
                .and_then(|k| k.facts().filter(flag))
                .map(|f| f.values)
                .unwrap_or_default();
            let same = kinds
                .iter()
                .all(|k| k.facts().filter(flag).map(|f| f.values) == Some(values));
            let of = if kinds.len() == Kind::ALL.len() {
                "every kind".to_owned()
            } else {
                kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut arg = Arg::new(flag)
                .long(flag)
                .value_name("VALUE")
                .help(format!("Server-side filter ({of})"));
            if same && !values.is_empty() {
                arg = arg.value_parser(PossibleValuesParser::new(values.iter().copied()));
            }
            cmd.arg(arg)
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ServerFlags::augment_args(cmd)
    }
}

/// Which projects and kinds a whole-account run (`clean`, `plan`) works: a policy file,
/// and flags that override it.
#[derive(Debug, Args, Default)]
pub(crate) struct AccountArgs {
    /// The policy file (YAML): projects, kinds with their filters, what is protected
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The kinds: `all`, or names separated by commas (overrides the policy's `kinds`)
    #[arg(long, value_name = "all|KIND,...")]
    pub(crate) kinds: Option<String>,
    /// The projects: `all`, or names or ids (globs: eu-de_dev-*) separated by commas
    /// (overrides the policy's `projects.include`)
    #[arg(long, value_name = "all|NAME_OR_ID,...")]
    pub(crate) projects: Option<String>,
    /// Only projects of these regions (a project's region is its name's prefix)
    #[arg(long, value_name = "REGION,...")]
    pub(crate) regions: Option<String>,
}

impl AccountArgs {
    /// Whether any of them is given: the run is then a whole-account run.
    pub(crate) fn given(&self) -> bool {
        self.policy.is_some()
            || self.kinds.is_some()
            || self.projects.is_some()
            || self.regions.is_some()
    }
}

/// How a deleting run acts.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Print the plan and change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Do not ask (required without a terminal)
    #[arg(short, long)]
    pub(crate) yes: bool,
    /// Deletions in flight at most
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) parallelism: u16,
    /// Requests per second at most, for the whole run (a 429 slows it further)
    #[arg(long, value_name = "N", value_parser = parse_rate)]
    pub(crate) max_rate: Option<f64>,
    /// Refuse (exit 2, nothing deleted) a plan that would delete more than N jobs
    #[arg(long, value_name = "N")]
    pub(crate) max_delete: Option<usize>,
    /// Wait until each deleted job is gone
    #[arg(long)]
    pub(crate) wait: bool,
    /// Longest wait per job: with --wait, until it is gone; a running job its deletion kills
    /// first (job-execution), until it has stopped (the SDK's default; --timeout is another
    /// name for it)
    #[arg(long, alias = "timeout", value_parser = parse_age, default_value = DEFAULT_MAX_WAIT, value_name = "DURATION")]
    pub(crate) max_wait: Duration,
    /// Kinds with a batch deletion (`otc-jobs kinds`): delete in batches (DLI's answer has
    /// no ids; a chunk with any failure is redone one by one, its deleted ids then show as
    /// already_gone)
    #[arg(long)]
    pub(crate) batch: bool,
    /// Ids per batch, with --batch
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) batch_size: u16,
    /// Write-ahead journal: each deletion's intent before it is sent, each outcome once
    /// known; a rerun with the same arguments and FILE finishes the run (after a kill too)
    #[arg(long, value_name = "FILE")]
    pub(crate) journal: Option<PathBuf>,
    /// When the journal is synced to disk (for benchmarks; see the README)
    #[arg(long, value_enum, default_value_t = Fsync::Intents, hide = true)]
    pub(crate) journal_fsync: Fsync,
    /// Write the JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate >= 0.1 => Ok(rate),
        _ => Err("expected a number of requests per second, at least 0.1".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn help(args: &[&str]) -> String {
        match Cli::try_parse_from(args) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{args:?} is not a help request"),
        }
    }

    #[test]
    fn connection_flags_come_after_the_commands_own_and_not_for_completions() {
        let clean = help(&["otc-jobs", "clean", "--help"]);
        let own = clean.find("--dry-run").unwrap();
        let connection = clean.find("Connection (every command):").unwrap();
        assert!(own < connection, "{clean}");
        assert!(clean[connection..].contains("--region"), "{clean}");
        let completions = help(&["otc-jobs", "completions", "--help"]);
        assert!(!completions.contains("--region"), "{completions}");
        assert!(completions.contains("<SHELL>"), "{completions}");
    }

    #[test]
    fn each_command_says_what_parallelism_and_max_rate_do_for_it() {
        let flag = |help: &str, name: &str| {
            let at = help
                .find(name)
                .unwrap_or_else(|| panic!("no {name}: {help}"));
            // The flag's line and its wrapped continuation.
            help[at..].lines().take(3).collect::<Vec<_>>().join(" ")
        };
        let delete = help(&["otc-jobs", "delete", "--help"]);
        assert!(
            flag(&delete, "--parallelism").contains("Deletions in flight at most"),
            "{delete}"
        );
        assert!(!delete.contains("whole-account"), "{delete}");
        let clean = help(&["otc-jobs", "clean", "--help"]);
        assert!(
            flag(&clean, "--parallelism").contains("whole-account run"),
            "{clean}"
        );
        assert!(
            flag(&clean, "--max-rate").contains("per service endpoint"),
            "{clean}"
        );
        let plan = help(&["otc-jobs", "plan", "--help"]);
        assert!(
            flag(&plan, "--parallelism").contains("(project, kind) lists in flight"),
            "{plan}"
        );
        assert!(!plan.contains("--max-rate"), "{plan}");
        let cli = Cli::try_parse_from(["otc-jobs", "plan", "--kinds", "all", "--parallelism", "3"])
            .unwrap();
        let Command::Plan { parallelism, .. } = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!(parallelism, 3);
        assert!(Cli::try_parse_from(["otc-jobs", "plan", "--parallelism", "0"]).is_err());
    }

    #[test]
    fn the_wait_limit_has_one_name_and_the_sdks_default() {
        let sdk = otc_jobs_async::WaitOptions::default().max_wait;
        assert_eq!(parse_age(DEFAULT_MAX_WAIT), Ok(sdk));
        for spelling in ["--max-wait", "--timeout"] {
            let cli = Cli::try_parse_from(["otc-jobs", "wait", "flink-job", "1", spelling, "90s"])
                .unwrap();
            let Command::Wait(wait) = cli.command else {
                panic!("{:?}", cli.command)
            };
            assert_eq!(wait.max_wait, Duration::from_secs(90), "{spelling}");
        }
        let cli = Cli::try_parse_from(["otc-jobs", "clean", "flink-job", "--wait"]).unwrap();
        let Command::Clean { run, .. } = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!(run.max_wait, sdk);
        Cli::command().debug_assert();
    }
}
