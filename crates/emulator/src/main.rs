//! `otc-jobs-emulator`: the OTC job services (ModelArts, DLI, MRS) and IAM password login
//! on loopback. Prints `listening on http://127.0.0.1:PORT` as its first line and serves
//! until SIGINT or SIGTERM. See `--help`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
    EmulatorProject, IamUser, ProjectJob,
};

/// The `--help` text, with every default in full.
fn help() -> String {
    let defaults = EmulatorConfig::default();
    format!(
        "\
otc-jobs-emulator {version}: Open Telekom Cloud job APIs (ModelArts, DLI, MRS) and IAM on loopback

USAGE:
    otc-jobs-emulator [OPTIONS]

OPTIONS:
    --listen ADDR               address to bind (default {listen}, a free loopback port)
    --project-id PID            the default project (default {project_id})
    --project-name NAME         the default project's name for IAM (default {project_name})
    --project NAME=ID           one more project served, with its own jobs (repeatable)
    --unreachable-project NAME=ID
                                a project IAM lists but whose services refuse every request
    --ak AK --sk SK             an access key pair (repeatable, paired in order; default the
                                example pair {ak} / {sk})
    --temporary-key AK:SK:TOKEN a temporary access key pair with its security token (repeatable)
    --token TOKEN               an IAM token accepted in X-Auth-Token (repeatable)
    --user NAME:PASSWORD:DOMAIN an IAM user for POST /v3/auth/tokens (repeatable)
    --token-ttl-s N             lifetime of issued tokens in seconds (default {ttl})
    --seed FILE                 a JSON array of jobs to create, e.g.
                                [{{\"kind\": \"flink-job\", \"job_id\": 77, \"queue_name\": \"q1\"}}]
                                (\"project_id\": an id or name; default the default project)
    --seed-samples              create sample jobs of every kind, created over the last 90
                                days, in three projects of two regions (eu-de, eu-de_ci,
                                eu-nl_ml: what `otc-jobs --emulator` starts with)
    --delete-delay-ms N         how long a deleted ModelArts job shows its deleting status
                                (default {delay}; DLI and MRS delete at once)
    --kill-delay-ms N           how long a killed MRS v2 job goes on running (its status
                                unchanged, a deletion refused 0183) before it shows KILLED
                                (default {kill_delay})
    --threads N                 runtime worker threads (default {threads})
    --rate-limit N[/s|/min]     throttle like the API gateway: at most N requests per second
                                (or minute) per project and service, the rest 429 APIG.0308
    --rate-limit-retry-after S  with --rate-limit: send Retry-After: S with each 429 (the real
                                gateway promises none)
    --tls                       serve HTTPS with a certificate from a fresh test CA
    --ca-out FILE               with --tls: write that CA's certificate (PEM) to FILE, for
                                clients to trust
    -V, --version               the version
    -h, --help                  this text

The first line on stdout is `listening on http://HOST:PORT` (https with --tls); then stderr
gets `export OS_...=` lines that point otc-jobs at it (paste them into a shell). SIGINT or
SIGTERM stop the emulator (exit status 0). Admin API (no auth): /_emulator/jobs,
/_emulator/projects, /_emulator/faults, /_emulator/requests, /_emulator/reset, /_emulator/expire-tokens,
/_emulator/rate-limit.",
        version = env!("CARGO_PKG_VERSION"),
        listen = defaults.listen,
        project_id = DEFAULT_PROJECT_ID,
        project_name = defaults.project_name,
        ak = DEFAULT_ACCESS_KEY,
        sk = DEFAULT_SECRET_KEY,
        ttl = defaults.token_ttl.as_secs(),
        delay = defaults.delete_delay.as_millis(),
        kill_delay = defaults.kill_delay.as_millis(),
        threads = defaults.worker_threads,
    )
}

/// What the command line asks for.
enum Command {
    Run(Box<Args>),
    Help,
    Version,
}

struct Args {
    config: EmulatorConfig,
    seed: Option<String>,
    seed_samples: bool,
    ca_out: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut config = EmulatorConfig::default();
    let (mut aks, mut sks) = (Vec::new(), Vec::new());
    let mut seed = None;
    let mut seed_samples = false;
    let mut ca_out = None;
    let mut retry_after = None;
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if flag == "-V" || flag == "--version" {
            return Ok(Command::Version);
        }
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value()?;
                config.listen = v
                    .parse()
                    .map_err(|_| format!("--listen: not an address (IP:PORT): {v}"))?;
            }
            "--project-id" => config.project_id = value()?,
            "--project-name" => config.project_name = value()?,
            "--project" | "--unreachable-project" => {
                let v = value()?;
                let project = match v.split_once('=') {
                    Some((name, id)) if !name.is_empty() && !id.is_empty() => {
                        EmulatorProject::new(name, id)
                    }
                    _ => return Err(format!("{flag} takes NAME=ID")),
                };
                config.projects.push(if flag == "--project" {
                    project
                } else {
                    project.unreachable()
                });
            }
            "--ak" => aks.push(value()?),
            "--sk" => sks.push(value()?),
            "--temporary-key" => {
                let v = value()?;
                let mut parts = v.splitn(3, ':');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(ak), Some(sk), Some(token))
                        if !ak.is_empty() && !sk.is_empty() && !token.is_empty() =>
                    {
                        config
                            .temporary_keys
                            .push((ak.into(), sk.into(), token.into()));
                    }
                    _ => return Err("--temporary-key takes AK:SK:TOKEN".into()),
                }
            }
            "--token" => config.tokens.push(value()?),
            "--user" => {
                let v = value()?;
                let parts: Vec<&str> = v.splitn(3, ':').collect();
                match parts.as_slice() {
                    [name, password, domain] => {
                        config.users.push(IamUser::new(*name, *password, *domain))
                    }
                    _ => return Err("--user takes NAME:PASSWORD:DOMAIN".into()),
                }
            }
            "--token-ttl-s" => config.token_ttl = Duration::from_secs(number(value()?)?),
            "--seed" => seed = Some(value()?),
            "--seed-samples" => seed_samples = true,
            "--delete-delay-ms" => config.delete_delay = Duration::from_millis(number(value()?)?),
            "--kill-delay-ms" => config.kill_delay = Duration::from_millis(number(value()?)?),
            "--threads" => config.worker_threads = usize::try_from(number(value()?)?).unwrap_or(1),
            "--rate-limit" => {
                let v = value()?;
                config.rate_limit = Some(v.parse().map_err(|e| format!("--rate-limit: {e}"))?);
            }
            "--rate-limit-retry-after" => {
                let v = value()?;
                let seconds = u32::try_from(number(v.clone())?)
                    .map_err(|_| format!("{flag}: too large: {v}"))?;
                retry_after = Some(seconds);
            }
            "--tls" => config.tls = true,
            "--ca-out" => ca_out = Some(value()?),
            other => return Err(format!("unknown argument {other} (see --help)")),
        }
    }
    if aks.len() != sks.len() {
        return Err("--ak and --sk must come in pairs".into());
    }
    if !aks.is_empty() {
        config.access_keys = aks.into_iter().zip(sks).collect();
    }
    match (&mut config.rate_limit, retry_after) {
        (Some(limit), Some(seconds)) => limit.retry_after_s = Some(seconds),
        (None, Some(_)) => return Err("--rate-limit-retry-after needs --rate-limit".into()),
        _ => {}
    }
    if ca_out.is_some() && !config.tls {
        return Err("--ca-out needs --tls".into());
    }
    Ok(Command::Run(Box::new(Args {
        config,
        seed,
        seed_samples,
        ca_out,
    })))
}

/// The `export` lines that point `otc-jobs` (or any program on the SDK) at `emulator`:
/// its first access key pair, its project, a region, and every service at its address.
fn exports(emulator: &Emulator, ca: &Option<String>) -> String {
    let config = emulator.config();
    let (ak, sk) = config
        .access_keys
        .first()
        .map_or((DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), |(ak, sk)| {
            (ak.as_str(), sk.as_str())
        });
    let mut lines = format!(
        "# point otc-jobs at this emulator (paste into a shell):\n\
         export OS_ACCESS_KEY={ak} OS_SECRET_KEY={sk}\n\
         export OS_PROJECT_ID={project} OS_REGION_NAME=eu-de\n\
         export OS_ENDPOINT_OVERRIDE={url}\n",
        project = shell_word(&config.project_id),
        ak = shell_word(ak),
        sk = shell_word(sk),
        url = emulator.base_url(),
    );
    if emulator.ca_pem().is_some() {
        // No OS_* variable names a CA: only programs on the SDK can trust this one.
        lines.push_str(&format!(
            "# HTTPS with a test CA{}: trust it with ClientBuilder::root_certificate_pem\n",
            ca.as_deref()
                .map(|path| format!(" (written to {path})"))
                .unwrap_or_default()
        ));
    }
    lines
}

/// `word` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn read_seed(path: &str) -> Result<Vec<ProjectJob>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("--seed {path}: {e}"))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("--seed {path}: expected a JSON array of jobs: {e}"))
}

/// SIGINT and SIGTERM, caught from the moment this is made: a signal that arrives before
/// [`Signals::wait`] runs is kept, not lost (or fatal, as the default action would be).
struct Signals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
}

impl Signals {
    /// Installs the handlers; needs the runtime's context.
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(windows)]
        {
            Ok(Signals {
                ctrl_c: tokio::signal::windows::ctrl_c()?,
            })
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(windows)]
        self.ctrl_c.recv().await;
    }
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Command::Run(args)) => *args,
        Ok(Command::Help) => {
            println!("{}", help());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("otc-jobs-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("otc-jobs-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = match args.seed.as_deref().map(read_seed).transpose() {
        Ok(seed) => seed.unwrap_or_default(),
        Err(e) => {
            eprintln!("otc-jobs-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(args.config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("otc-jobs-emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.seed_samples {
        emulator.seed_samples();
    }
    if let Err(e) = emulator.seed_projects(seed) {
        eprintln!("otc-jobs-emulator: --seed: {e}");
        return ExitCode::from(2);
    }
    if let (Some(path), Some(pem)) = (&args.ca_out, emulator.ca_pem())
        && let Err(e) = std::fs::write(path, pem)
    {
        eprintln!("otc-jobs-emulator: --ca-out {path}: {e}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("otc-jobs-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Before the first line: whoever reads it may signal at once.
    let signals = match runtime.block_on(async { Signals::install() }) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("otc-jobs-emulator: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", emulator.base_url());
    let _ = stdout.flush();
    // On stderr, so that stdout's first line stays the one scripts wait for.
    eprint!("{}", exports(&emulator, &args.ca_out));
    runtime.block_on(signals.wait());
    drop(emulator);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<Option<Args>, String> {
        parse(line.split_whitespace().map(str::to_owned)).map(|c| match c {
            Command::Run(args) => Some(*args),
            Command::Help | Command::Version => None,
        })
    }

    #[test]
    fn parses_the_documented_command_line() {
        let a = args("--listen 127.0.0.1:0 --project-id PID --ak AK --sk SK --token T1 --token T2 --seed f.json --delete-delay-ms 250 --kill-delay-ms 40")
            .unwrap()
            .unwrap();
        assert_eq!(a.config.project_id, "PID");
        assert_eq!(
            a.config.access_keys,
            vec![("AK".to_owned(), "SK".to_owned())]
        );
        assert_eq!(a.config.tokens, ["T1", "T2"]);
        assert_eq!(a.config.delete_delay, Duration::from_millis(250));
        assert_eq!(a.config.kill_delay, Duration::from_millis(40));
        assert_eq!(a.seed.as_deref(), Some("f.json"));
        assert!(!a.seed_samples);
        assert!(args("--seed-samples").unwrap().unwrap().seed_samples);
        assert!(a.config.listen.ip().is_loopback());
    }

    #[test]
    fn prints_exports_that_a_shell_reads_as_one_word_each() {
        assert_eq!(shell_word("eu-de"), "eu-de");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        let emulator = Emulator::start(EmulatorConfig {
            project_id: "p 1".into(),
            access_keys: vec![("AK1".into(), "S$K".into())],
            ..EmulatorConfig::default()
        })
        .unwrap();
        let text = exports(&emulator, &None);
        assert!(
            text.contains("export OS_ACCESS_KEY=AK1 OS_SECRET_KEY='S$K'\n"),
            "{text}"
        );
        assert!(text.contains("OS_PROJECT_ID='p 1' "), "{text}");
        assert!(
            text.contains(&format!("OS_ENDPOINT_OVERRIDE={}\n", emulator.base_url())),
            "{text}"
        );
        assert!(!text.contains("HTTPS"), "{text}");
    }

    #[test]
    fn refuses_bad_arguments() {
        assert!(args("--ak AK").is_err());
        assert!(args("--listen nowhere").is_err());
        assert!(args("--delete-delay-ms soon").is_err());
        assert!(args("--bogus").is_err());
        assert!(args("--user alice").is_err());
        assert!(matches!(
            parse(["--help".into()].into_iter()),
            Ok(Command::Help)
        ));
        assert!(matches!(
            parse(["-V".into()].into_iter()),
            Ok(Command::Version)
        ));
        assert!(args("--ca-out ca.pem").is_err(), "--ca-out needs --tls");
        assert!(args("--rate-limit-retry-after 2").is_err());
        assert!(args("--rate-limit fast").is_err());
        let limited = args("--rate-limit 30/min --rate-limit-retry-after 2")
            .unwrap()
            .unwrap();
        assert_eq!(
            limited.config.rate_limit,
            Some(otc_jobs_emulator::RateLimit {
                limit: 30,
                per_seconds: 60,
                retry_after_s: Some(2)
            })
        );
        let tls = args("--tls --ca-out ca.pem").unwrap().unwrap();
        assert!(tls.config.tls);
        assert_eq!(tls.ca_out.as_deref(), Some("ca.pem"));
        let a = args("--user a:b:c --temporary-key TAK:TSK:TOK")
            .unwrap()
            .unwrap();
        assert_eq!(a.config.users[0], IamUser::new("a", "b", "c"));
        assert_eq!(a.config.temporary_keys[0].2, "TOK");
        let projects = args("--project eu-de_ci=c1 --unreachable-project eu-nl_x=x1")
            .unwrap()
            .unwrap();
        assert_eq!(
            projects.config.projects,
            [
                EmulatorProject::new("eu-de_ci", "c1"),
                EmulatorProject::new("eu-nl_x", "x1").unreachable()
            ]
        );
        assert!(args("--project eu-de_ci").is_err());
        assert!(args("--project =c1").is_err());
    }
}
