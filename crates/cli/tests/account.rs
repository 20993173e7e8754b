//! End-to-end tests of the whole-account run (`clean`/`plan` with `--policy`, `--kinds`,
//! `--projects`, `--regions`) on the emulator serving several projects: discovery,
//! include/exclude/protect, the refusal without an include, the issue's policy file, a
//! killed multi-project run resumed, a project the credentials cannot reach, `plan`
//! changing nothing, bad policy files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use otc_jobs_emulator::{
    DEFAULT_PROJECT_ID, Emulator, EmulatorConfig, EmulatorProject, Fault, FaultAction, ProjectJob,
    SeedJob,
};
use serde_json::Value;

const CI: &str = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
const DEV: &str = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
const ML: &str = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";
const LOCKED: &str = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
/// How long a prompt takes to be up on the terminal of [`on_a_terminal`].
const PROMPT_UP: Duration = Duration::from_millis(700);

#[allow(dead_code)]
mod support;
use support::{id_set, ids_of, on_a_terminal, otc_jobs, run, run_json, stderr, temp, write};

/// An emulator with the default project (`eu-de`), `eu-de_ci`, `eu-de_dev-1`,
/// `eu-nl_ml` (and `eu-de_locked`, listed by IAM and refused by the services, when
/// `locked`), each with flink jobs 1..=`jobs` (`nightly-N`, job 2 `prod-2`, job 3
/// `keep-3`) 10 days old, and training-job-v1 job 1 with two versions.
fn account(jobs: u64, locked: bool) -> Emulator {
    let mut projects = vec![
        EmulatorProject::new("eu-de_ci", CI),
        EmulatorProject::new("eu-de_dev-1", DEV),
        EmulatorProject::new("eu-nl_ml", ML),
    ];
    if locked {
        projects.push(EmulatorProject::new("eu-de_locked", LOCKED).unreachable());
    }
    let emulator = Emulator::start(EmulatorConfig {
        projects,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut seeded = Vec::new();
    for project in [DEFAULT_PROJECT_ID, CI, DEV, ML] {
        for id in 1..=jobs {
            let name = if id == 2 {
                "prod-2".to_owned()
            } else if id == 3 {
                "keep-3".to_owned()
            } else {
                format!("nightly-{id}")
            };
            let job = SeedJob::flink_job(id)
                .name(name)
                .age(Duration::from_secs(10 * 86_400));
            seeded.push(ProjectJob::new(project, job));
        }
        seeded.push(ProjectJob::new(
            project,
            SeedJob::training_job(1).versions([1, 2]),
        ));
    }
    emulator.seed_projects(seeded).unwrap();
    emulator
}

/// The ids of the flink jobs left in `project`.
fn flink_left(emulator: &Emulator, project: &str) -> BTreeSet<String> {
    ids_of(&emulator.jobs_in(project).unwrap(), "flink-job")
}

/// The service requests (not IAM's) among `requests[from..]`.
fn service_requests(emulator: &Emulator, from: usize) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .skip(from)
        .filter(|r| !r.path.starts_with("/v3/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn projects_are_discovered_and_include_exclude_and_protect_decide_what_is_deleted() {
    let emulator = account(5, false);
    let policy = write(
        "include.yaml",
        "projects:\n  include: [eu-de_ci, \"eu-de_dev-*\", eu-nl_ml]\n  exclude: [eu-nl_ml]\n\
         kinds:\n  flink-job: { older_than: 7d, name_regex: \"^(nightly|keep)-\" }\n\
         protect:\n  ids: [\"4\"]\n  name_regex: \"^keep-\"\n",
    );
    let report_path = temp("include.json");
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--policy"])
        .arg(&policy)
        .args(["--yes", "-o", "json", "--report"])
        .arg(&report_path));
    assert_eq!(output.status.code(), Some(0));
    // Excluded (and not included) projects untouched; prod-2 not selected; keep-3 (by
    // name) and 4 (by id) protected.
    assert_eq!(flink_left(&emulator, DEFAULT_PROJECT_ID), id_set(1..=5));
    assert_eq!(flink_left(&emulator, ML), id_set(1..=5));
    for project in [CI, DEV] {
        assert_eq!(flink_left(&emulator, project), id_set(2..=4), "{project}");
    }
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(report["items"], written["items"]);
    assert_eq!(report["summary"]["deleted"], 4);
    let items = report["items"].as_array().unwrap();
    // The protected ones are in the report too, skipped, with the rule that kept them.
    let kept: BTreeSet<(String, String, String)> = items
        .iter()
        .filter(|i| i["outcome"] == "skipped")
        .map(|i| {
            (
                i["project"]["name"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
                i["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let by_id = "protected: its id is listed (protect.ids, --exclude-file)";
    let by_name = "protected: its name matches protect.name_regex \"^keep-\"";
    let expected: BTreeSet<(String, String, String)> = [
        ("eu-de_ci", "3", by_name),
        ("eu-de_ci", "4", by_id),
        ("eu-de_dev-1", "3", by_name),
        ("eu-de_dev-1", "4", by_id),
    ]
    .into_iter()
    .map(|(p, id, why)| (p.to_owned(), id.to_owned(), why.to_owned()))
    .collect();
    assert_eq!(kept, expected);
    assert_eq!(report["summary"]["skipped"], 4);
    assert_eq!(report["projects"][0]["summary"]["skipped"], 2);
    let seen: BTreeSet<(String, String, String, String)> = items
        .iter()
        .filter(|i| i["outcome"] != "skipped")
        .map(|i| {
            (
                i["project"]["name"].as_str().unwrap().to_owned(),
                i["region"].as_str().unwrap().to_owned(),
                i["kind"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<_> = [
        ("eu-de_ci", "1"),
        ("eu-de_ci", "5"),
        ("eu-de_dev-1", "1"),
        ("eu-de_dev-1", "5"),
    ]
    .into_iter()
    .map(|(p, id)| {
        (
            p.to_owned(),
            "eu-de".to_owned(),
            "flink-job".to_owned(),
            id.to_owned(),
        )
    })
    .collect();
    assert_eq!(seen, expected);
    let projects: Vec<&str> = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(projects, ["eu-de_ci", "eu-de_dev-1"]);
    assert_eq!(report["projects"][0]["project"]["id"], CI);
    assert_eq!(report["kinds"][0]["kind"], "flink-job");
    assert_eq!(report["kinds"][0]["summary"]["deleted"], 4);
    // --regions and --projects override the file.
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--policy"])
        .arg(&policy)
        .args([
            "--projects",
            "all",
            "--regions",
            "eu-nl",
            "--yes",
            "-o",
            "json",
        ]));
    assert_eq!(output.status.code(), Some(0));
    // eu-nl_ml is excluded by the file still: nothing in eu-nl.
    assert_eq!(flink_left(&emulator, ML), id_set(1..=5));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["total"], 0);
}

#[test]
fn an_ndjson_report_is_the_json_report_line_by_line() {
    let emulator = account(5, false);
    let report_path = temp("ndjson.json");
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--kinds", "flink-job,training-job-v1"])
        .args(["--projects", "eu-de_ci,eu-nl_ml", "--yes", "-o", "ndjson"])
        .arg("--report")
        .arg(&report_path));
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut written: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let items = written.as_object_mut().unwrap().remove("items").unwrap();
    // Every item a line, in the report's order; then the report without its items.
    let (head, each) = lines.split_last().unwrap();
    assert_eq!(each, items.as_array().unwrap().as_slice());
    assert_eq!(head, &written);
    assert_eq!(head["summary"]["total"], each.len());
    assert_eq!(head["projects"].as_array().unwrap().len(), 2);
    assert!(
        each.iter()
            .all(|i| i["project"]["name"].is_string() && i["kind"].is_string())
    );
}

#[test]
fn a_run_that_reaches_several_projects_without_an_include_lists_nothing() {
    let emulator = account(3, false);
    let before = emulator.requests().len();
    let policy = write("noinclude.yaml", "kinds:\n  flink-job: {}\n");
    for args in [
        vec!["clean", "--kinds", "flink-job", "--yes"],
        vec!["plan", "--kinds", "all"],
        vec!["clean", "flink-job", "--regions", "eu-de", "--yes"],
    ] {
        let output = run(otc_jobs(&emulator).args(&args));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert!(err.contains("refusing to touch them all"), "{err}");
        assert!(err.contains("--projects"), "{err}");
    }
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--yes", "--policy"])
        .arg(&policy));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("projects: { include: ["),
        "{}",
        stderr(&output)
    );
    // Only IAM was asked: nothing listed, nothing deleted.
    assert_eq!(service_requests(&emulator, before), Vec::<String>::new());
    assert_eq!(flink_left(&emulator, CI), id_set(1..=3));
    // One project in the region filter: that one, without an include.
    let output = run(otc_jobs(&emulator).args([
        "clean",
        "--kinds",
        "flink-job",
        "--regions",
        "eu-nl",
        "--yes",
    ]));
    assert_eq!(output.status.code(), Some(0));
    assert!(flink_left(&emulator, ML).is_empty());
    assert_eq!(flink_left(&emulator, CI), id_set(1..=3));
}

/// The issue's example, as written there.
const ISSUE_EXAMPLE: &str = r#"projects:
  include: [eu-de_ci, "eu-de_dev-*"]   # names or ids, globs; `all` must be written out
  exclude: [eu-de]                      # never touched; wins over include
kinds:                                  # only the kinds named here are touched
  flink-job:     { older_than: 7d, name_regex: "^nightly-", status: [job_failed] }
  training-job:  { older_than: 30d }
  sql-job:       {}                     # cancel what still runs
protect:                                # never touched, whatever a kind's rule says
  name_regex: "^(prod|keep)-"
  ids: ["1234"]
  tags: { keep: "true" }                # for kinds whose list has tags
"#;

#[test]
fn the_issues_policy_file_runs_as_written_its_undocumented_status_warned_and_only_narrowing() {
    let emulator = account(3, false);
    let before = emulator.requests().len();
    let as_written = write("issue.yaml", ISSUE_EXAMPLE);
    let output = run(otc_jobs(&emulator)
        .args(["plan", "-o", "json", "--policy"])
        .arg(&as_written));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    // `job_failed` is no status DLI's pages name: taken, with a warning at its line.
    assert!(
        err.contains(&format!(
            "{}:5: warning: \"job_failed\"",
            as_written.display()
        )),
        "{err}"
    );
    assert!(err.contains("job_submit_fail"), "{err}");
    // No Flink job of the emulator has that status: the rule selects none of them, even
    // though every one of them is older than 7 days and some are named nightly-*.
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("plan JSON");
    let text = plan.to_string();
    assert!(text.contains("flink-job"), "{text}");
    let sent = service_requests(&emulator, before);
    assert!(!sent.iter().any(|r| r.starts_with("DELETE")), "{sent:?}");
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--yes", "-o", "json", "--policy"])
        .arg(&as_written));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        flink_left(&emulator, CI),
        id_set(1..=3),
        "no Flink job has status job_failed"
    );

    let documented = write(
        "issue-ok.yaml",
        &ISSUE_EXAMPLE.replace("job_failed", "job_submit_fail"),
    );
    let output = run(otc_jobs(&emulator)
        .args(["plan", "--policy"])
        .arg(&documented));
    assert_eq!(output.status.code(), Some(0));
    let out = String::from_utf8_lossy(&output.stdout);
    // The file as understood, then the counts per project and kind.
    assert!(
        out.contains("include: [\"eu-de_ci\", \"eu-de_dev-*\"]"),
        "{out}"
    );
    assert!(out.contains("flink-job: { older_than: \"7days\""), "{out}");
    for project in ["eu-de_ci", "eu-de_dev-1"] {
        for kind in ["flink-job", "training-job", "sql-job"] {
            assert!(
                out.lines().any(|l| l.contains(project) && l.contains(kind)),
                "{project} {kind}: {out}"
            );
        }
    }
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("eu-de ")),
        "{out}"
    );
    // plan changes nothing: no DELETE, no POST to cancel.
    let sent = service_requests(&emulator, before);
    assert!(
        sent.iter().all(|r| r.starts_with("GET ")
            || r.contains("/list")
            || r.starts_with("POST") && !r.contains("cancel")),
        "{sent:?}"
    );
    assert!(!sent.iter().any(|r| r.starts_with("DELETE")), "{sent:?}");
    assert_eq!(flink_left(&emulator, CI), id_set(1..=3));
}

#[test]
fn plan_and_dry_run_change_nothing_and_count_protected_and_covered_jobs() {
    let emulator = account(4, false);
    let before = emulator.all_jobs();
    let policy = write(
        "plan.yaml",
        "projects: { include: [eu-de_ci] }\nkinds:\n  flink-job: {}\n  training-job-v1: {}\n  \
         training-job-version-v1: {}\nprotect: { name_regex: \"^prod-\" }\n",
    );
    let plan = run_json(
        otc_jobs(&emulator)
            .args(["plan", "-o", "json", "--policy"])
            .arg(&policy),
    );
    let rows = plan["rows"].as_array().unwrap();
    let row = |kind: &str| rows.iter().find(|r| r["kind"] == kind).unwrap();
    assert_eq!(row("flink-job")["listed"], 4);
    assert_eq!(row("flink-job")["protected"], 1);
    assert_eq!(row("flink-job")["to_act"], 3);
    assert_eq!(row("training-job-version-v1")["covered"], 2);
    assert_eq!(row("training-job-version-v1")["to_act"], 0);
    assert_eq!(plan["total"], 4);
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--dry-run", "--policy"])
        .arg(&policy));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(emulator.all_jobs(), before);
    // The run: the versions go with their job, reported so, not deleted twice.
    let report = run_json(
        otc_jobs(&emulator)
            .args(["clean", "--yes", "-o", "json", "--policy"])
            .arg(&policy),
    );
    let versions: Vec<&Value> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "training-job-version-v1")
        .collect();
    assert_eq!(versions.len(), 2);
    assert!(
        versions
            .iter()
            .all(|v| v["reason"] == "covered by its parent's deletion")
    );
    let version_deletes = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.contains("/versions/"))
        .count();
    assert_eq!(version_deletes, 0);
    assert!(
        emulator
            .jobs_in(CI)
            .unwrap()
            .iter()
            .all(|j| j.kind() != "training-job-v1")
    );
}

#[test]
fn a_project_the_credentials_cannot_reach_is_reported_and_skipped() {
    let emulator = account(2, true);
    let output = run(otc_jobs(&emulator).args([
        "clean",
        "--kinds",
        "flink-job,training-job-v1",
        "--projects",
        "eu-de_ci,eu-de_locked",
        "--yes",
        "-o",
        "json",
    ]));
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(
        err.contains("eu-de_locked") && err.contains("skipped"),
        "{err}"
    );
    assert!(flink_left(&emulator, CI).is_empty());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let locked = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["project"]["name"] == "eu-de_locked")
        .unwrap();
    let status = locked["unreachable"].as_str().unwrap();
    assert!(status.contains("401") || status.contains("403"), "{status}");
    assert_eq!(locked["summary"]["total"], 0);
}

#[test]
fn bad_policy_files_exit_2_naming_the_line_before_anything_is_listed() {
    let emulator = account(1, false);
    let before = emulator.requests().len();
    let cases = [
        (
            "kinds:\n  flink-job: {}\nprojcts: {}\n",
            ":3:",
            "unknown field",
        ),
        ("kinds:\n  flink-jobs: {}\n", ":2:", "unknown kind"),
        (
            "kinds:\n  training-job: { queue_name: etl }\n",
            ":2:",
            "not a filter",
        ),
        (
            "kinds:\n  flink-job: { name_regex: \"(\" }\n",
            ":2:",
            "invalid regular expression",
        ),
        (
            "kinds:\n  flink-job: { older_than: soon }\n",
            ":2:",
            "invalid duration",
        ),
        ("kinds: [\n", ":", ""),
    ];
    for (n, (text, at, problem)) in cases.iter().enumerate() {
        let file = write(&format!("bad-{n}.yaml"), text);
        let output = run(otc_jobs(&emulator)
            .args(["clean", "--yes", "--policy"])
            .arg(&file));
        assert_eq!(output.status.code(), Some(2), "{text}");
        let err = stderr(&output);
        assert!(
            err.contains(&format!("{}{at}", file.display())),
            "{text}: {err}"
        );
        assert!(err.contains(problem), "{text}: {err}");
        assert!(err.contains("hint:"), "{text}: {err}");
    }
    assert_eq!(
        emulator.requests().len(),
        before,
        "nothing asked before the file is good"
    );
    // A project name that does not exist: after discovery, before any list, at its line.
    let file = write(
        "typo.yaml",
        "projects:\n  include: [eu-de_ci, eu-de_cj]\nkinds: { flink-job: {} }\n",
    );
    let output = run(otc_jobs(&emulator)
        .args(["clean", "--yes", "--policy"])
        .arg(&file));
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:2: no project \"eu-de_cj\"", file.display())),
        "{err}"
    );
    assert_eq!(service_requests(&emulator, before), Vec::<String>::new());
}

/// (project id, job id) → DELETEs the emulator accepted.
fn accepted_deletes(emulator: &Emulator) -> BTreeMap<(String, String), usize> {
    let mut accepted = BTreeMap::new();
    for r in emulator.requests() {
        if r.method == "DELETE" && r.status == Some(200) && r.path.contains("/streaming/jobs/") {
            let parts: Vec<&str> = r.path.split('/').collect();
            // /v1.0/{project}/streaming/jobs/{id}
            let key = (parts[2].to_owned(), parts[parts.len() - 1].to_owned());
            *accepted.entry(key).or_default() += 1;
        }
    }
    accepted
}

#[test]
fn a_killed_multi_project_run_resumes_with_every_id_once() {
    let jobs = 60;
    let emulator = account(jobs, false);
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1.0/*/streaming/jobs/*",
            FaultAction::Delay { ms: 10 },
        )
        .always(),
    );
    let journal = temp("killed.journal");
    let clean = || {
        let mut command = otc_jobs(&emulator);
        command
            .args([
                "clean",
                "--kinds",
                "flink-job",
                "--projects",
                "eu-de_ci,eu-de_dev-1,eu-nl_ml",
            ])
            .args(["--yes", "-o", "json", "--parallelism", "4", "--journal"])
            .arg(&journal);
        command
    };
    let mut child = clean()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while accepted_deletes(&emulator).len() < 40 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = accepted_deletes(&emulator).len();
    assert!(
        killed > 0 && killed < 3 * jobs as usize,
        "killed after {killed} deletions"
    );
    // Another selection is refused with that journal.
    let other = run(otc_jobs(&emulator)
        .args([
            "clean",
            "--kinds",
            "flink-job",
            "--projects",
            "eu-de_ci",
            "--yes",
            "--journal",
        ])
        .arg(&journal));
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("selected otherwise"),
        "{}",
        stderr(&other)
    );
    let output = run(&mut clean());
    assert_eq!(output.status.code(), Some(0));
    for project in [CI, DEV, ML] {
        assert!(flink_left(&emulator, project).is_empty(), "{project}");
    }
    assert_eq!(flink_left(&emulator, DEFAULT_PROJECT_ID), id_set(1..=jobs));
    let accepted = accepted_deletes(&emulator);
    assert_eq!(accepted.len(), 3 * jobs as usize);
    assert!(
        accepted.values().all(|&n| n == 1),
        "a job deleted twice: {accepted:?}"
    );
    // The resumed run's report has every id once, the killed run's with earlier_run.
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = report["items"].as_array().unwrap();
    let keys: BTreeSet<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["project"]["id"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        (items.len(), keys.len()),
        (3 * jobs as usize, 3 * jobs as usize)
    );
    assert!(
        items
            .iter()
            .all(|i| ["deleted", "already_gone"].contains(&i["outcome"].as_str().unwrap())),
        "{report:#}"
    );
    assert!(items.iter().any(|i| i["earlier_run"] == true));
    let _ = std::fs::remove_file(Path::new(&journal));
}

#[test]
fn the_confirmation_shows_the_counts_and_wants_the_number_of_jobs_or_the_projects_name() {
    let emulator = account(3, false);
    let two = "clean --kinds flink-job --projects eu-de_ci,eu-de_dev-1";
    // 6 jobs in two projects: "y" is not the number.
    let Some((code, shown)) = on_a_terminal(&emulator, two, "y\n", PROMPT_UP) else {
        return;
    };
    assert_eq!(code, 4, "{shown}");
    assert!(
        shown.contains("eu-de_dev-1") && shown.contains("flink-job"),
        "{shown}"
    );
    assert!(shown.contains("Type the number of jobs (6)"), "{shown}");
    assert_eq!(flink_left(&emulator, CI), id_set(1..=3));
    let (code, shown) = on_a_terminal(&emulator, two, "6\n", PROMPT_UP).unwrap();
    assert_eq!(code, 0, "{shown}");
    assert!(flink_left(&emulator, CI).is_empty() && flink_left(&emulator, DEV).is_empty());
    // One project: its name.
    let one = "clean --kinds flink-job --projects eu-nl_ml";
    let (code, shown) = on_a_terminal(&emulator, one, "3\n", PROMPT_UP).unwrap();
    assert_eq!(code, 4, "{shown}");
    assert!(
        shown.contains("Type the project's name (eu-nl_ml)"),
        "{shown}"
    );
    let (code, shown) = on_a_terminal(&emulator, one, "eu-nl_ml\n", PROMPT_UP).unwrap();
    assert_eq!(code, 0, "{shown}");
    assert!(flink_left(&emulator, ML).is_empty());
}

#[test]
fn a_long_run_shows_progress_on_stderr_never_in_json() {
    let emulator = account(30, false);
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1.0/*/streaming/jobs/*",
            FaultAction::Delay { ms: 20 },
        )
        .always(),
    );
    let output = run(otc_jobs(&emulator)
        .env("OTC_JOBS_PROGRESS_INTERVAL", "50ms")
        .args([
            "clean",
            "--kinds",
            "flink-job,sql-job",
            "--projects",
            "eu-de_ci,eu-nl_ml",
        ])
        .args(["--yes", "-o", "json", "--parallelism", "2"]));
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    let line = err
        .lines()
        .find(|l| l.starts_with("progress: cleaning the account:"))
        .unwrap_or_else(|| panic!("no progress line: {err}"));
    assert!(line.contains("/4 project kinds done"), "{line}");
    assert!(line.contains("/60 done ("), "{line}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["deleted"], 60);
}

/// The status of the SQL job `id` in `project`.
fn sql_status(emulator: &Emulator, project: &str, id: &str) -> String {
    let jobs = emulator.jobs_in(project).unwrap();
    let run = jobs
        .iter()
        .find(|j| j.kind() == "sql-job" && j.id() == id)
        .unwrap_or_else(|| panic!("no SQL job {id}"));
    serde_json::to_value(run).unwrap()["status"]
        .as_str()
        .unwrap_or("RUNNING")
        .to_owned()
}

#[test]
fn protected_tags_keep_the_jobs_their_kinds_list_shows_with_them_in_plan_and_report() {
    let emulator = account(3, false);
    let old = Duration::from_secs(10 * 86_400);
    emulator
        .seed_projects([
            // Selected by the rule (nightly-*), one kept by its tag.
            ProjectJob::new(
                CI,
                SeedJob::flink_job(11)
                    .name("nightly-11")
                    .age(old)
                    .tag("keep", "true"),
            ),
            ProjectJob::new(
                CI,
                SeedJob::flink_job(12)
                    .name("nightly-12")
                    .age(old)
                    .tag("keep", "false"),
            ),
            ProjectJob::new(CI, SeedJob::flink_template(21).tag("keep", "true")),
            ProjectJob::new(CI, SeedJob::flink_template(22).tag("team", "etl")),
            ProjectJob::new(CI, SeedJob::sql_job("run-a").tag("keep", "true")),
            ProjectJob::new(CI, SeedJob::sql_job("run-b")),
        ])
        .unwrap();
    let policy = write(
        "tags.yaml",
        "projects: { include: [eu-de_ci] }\nkinds:\n  flink-job: { name_regex: \"^nightly-\" }\n  \
         flink-template: {}\n  sql-job: {}\n  training-job-v1: {}\nprotect:\n  tags: { keep: \"true\" }\n",
    );
    let before = emulator.requests().len();
    let output = run(otc_jobs(&emulator)
        .args(["plan", "-o", "json", "--policy"])
        .arg(&policy));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    // The kinds whose list has no `tags` filter are named, at the line of `tags`.
    assert!(
        err.contains(&format!(
            "{}:8: warning: `protect.tags` cannot keep jobs of training-job-v1 by their tags",
            policy.display()
        )),
        "{err}"
    );
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = plan["rows"].as_array().unwrap();
    let row = |kind: &str| rows.iter().find(|r| r["kind"] == kind).unwrap();
    // nightly-1, -11, -12 selected; 11 protected.
    assert_eq!(row("flink-job")["selected"], 3);
    assert_eq!(row("flink-job")["protected"], 1);
    assert_eq!(row("flink-job")["to_act"], 2);
    assert_eq!(row("flink-template")["protected"], 1);
    assert_eq!(row("flink-template")["to_act"], 1);
    assert_eq!(row("sql-job")["protected"], 1);
    assert_eq!(row("sql-job")["to_act"], 1);
    // The tags went to the service, one list per kind and tag.
    let tagged: Vec<String> = emulator
        .requests()
        .into_iter()
        .skip(before)
        .filter(|r| {
            r.query
                .as_deref()
                .is_some_and(|q| q.contains("tags=keep%3Dtrue"))
        })
        .map(|r| r.path)
        .collect();
    assert_eq!(tagged.len(), 3, "{tagged:?}");
    assert!(
        !emulator
            .requests()
            .iter()
            .skip(before)
            .any(|r| r.method == "DELETE")
    );

    let output = run(otc_jobs(&emulator)
        .args(["clean", "--yes", "-o", "json", "--policy"])
        .arg(&policy));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        flink_left(&emulator, CI),
        ["11", "2", "3"].map(str::to_owned).into()
    );
    let templates: BTreeSet<String> = emulator
        .jobs_in(CI)
        .unwrap()
        .iter()
        .filter(|j| j.kind() == "flink-template")
        .map(SeedJob::id)
        .collect();
    assert_eq!(templates, ["21".to_owned()].into());
    assert_eq!(sql_status(&emulator, CI, "run-a"), "RUNNING");
    assert_eq!(sql_status(&emulator, CI, "run-b"), "CANCELLED");
    // Every protected job is in the report, skipped, with the rule that kept it.
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let item = |kind: &str, id: &str| {
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == kind && i["id"] == id)
            .unwrap_or_else(|| panic!("{kind} {id} not in the report: {report:#}"))
            .clone()
    };
    for (kind, id) in [
        ("flink-job", "11"),
        ("flink-template", "21"),
        ("sql-job", "run-a"),
    ] {
        let kept = item(kind, id);
        assert_eq!(kept["outcome"], "skipped", "{kept}");
        assert_eq!(
            kept["reason"], "protected: listed with protect.tags keep=true",
            "{kept}"
        );
    }
    assert_eq!(item("flink-job", "12")["outcome"], "deleted");
    assert_eq!(report["summary"]["skipped"], 3);
    // nightly-1, nightly-12, template 22, training job 1.
    assert_eq!(report["summary"]["deleted"], 4);
    assert_eq!(report["summary"]["cancelled"], 1);
    assert_eq!(report["projects"][0]["summary"]["skipped"], 3);
}

/// Makes every list of Flink jobs in `project` answer `status` with the `code`.
fn failing_flink_list(emulator: &Emulator, project: &str, status: u16, code: &str) {
    let body = format!(r#"{{"error_code":"{code}","error_msg":"the list broke"}}"#);
    emulator.add_fault(
        Fault::new(
            "GET",
            format!("/v1.0/{project}/streaming/jobs"),
            FaultAction::respond(status, &[("Content-Type", "application/json")], &body),
        )
        .always(),
    );
}

#[test]
fn a_failing_list_fails_its_part_and_the_rest_of_the_run_goes_on() {
    let emulator = account(3, false);
    failing_flink_list(&emulator, CI, 400, "DLI.0999");
    let selection = [
        "--kinds",
        "flink-job,training-job-v1",
        "--projects",
        "eu-de_ci,eu-de_dev-1",
    ];
    // The plan says which part it could not list, and is incomplete (exit 1).
    let output = run(otc_jobs(&emulator)
        .arg("plan")
        .args(selection)
        .args(["-o", "json"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let failed: Vec<&Value> = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "list failed")
        .collect();
    assert_eq!(failed.len(), 1, "{plan:#}");
    assert_eq!(failed[0]["project"]["name"], "eu-de_ci");
    assert_eq!(failed[0]["kind"], "flink-job");
    let why = failed[0]["failed"].as_str().unwrap();
    assert!(
        why.starts_with("HTTP 400 DLI.0999 the list broke (request id "),
        "{why}"
    );
    assert_eq!(
        plan["total"], 5,
        "DEV's 3 flink jobs and both training jobs"
    );

    let report_path = temp("failed-list.json");
    let output = run(otc_jobs(&emulator)
        .arg("clean")
        .args(selection)
        .args(["--yes", "-o", "json", "--report"])
        .arg(&report_path));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot list flink-jobs in project eu-de_ci")
            && err.contains("the rest of the run goes on"),
        "{err}"
    );
    // That part untouched; the rest done.
    assert_eq!(flink_left(&emulator, CI), id_set(1..=3));
    assert!(flink_left(&emulator, DEV).is_empty());
    for project in [CI, DEV] {
        assert!(
            emulator
                .jobs_in(project)
                .unwrap()
                .iter()
                .all(|j| j.kind() != "training-job-v1"),
            "{project}"
        );
    }
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let lists = report["failed_lists"].as_array().unwrap();
    assert_eq!(lists.len(), 1, "{report:#}");
    assert_eq!(lists[0]["project"]["id"], CI);
    assert_eq!(lists[0]["region"], "eu-de");
    assert_eq!(lists[0]["kind"], "flink-job");
    assert_eq!(lists[0]["status"], 400);
    assert_eq!(lists[0]["code"], "DLI.0999");
    assert_eq!(lists[0]["message"], "the list broke");
    assert!(!lists[0]["request_id"].as_str().unwrap().is_empty());
    assert_eq!(report["projects"][0]["failed_lists"], 1);
    assert!(report["projects"][1].get("failed_lists").is_none());
    assert_eq!(report["kinds"][0]["failed_lists"], 1);
    assert_eq!(report["summary"]["deleted"], 5);
}

#[test]
fn a_list_failing_alike_everywhere_or_the_gateway_refusing_stops_the_run_before_deleting() {
    // Every list fails the same way: the service's, not a part's; nothing deleted.
    let emulator = account(2, false);
    failing_flink_list(&emulator, CI, 400, "DLI.0999");
    failing_flink_list(&emulator, DEV, 400, "DLI.0999");
    let output = run(otc_jobs(&emulator).args([
        "clean",
        "--kinds",
        "flink-job",
        "--projects",
        "eu-de_ci,eu-de_dev-1",
        "--yes",
    ]));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("every list of the run (2) failed the same way"),
        "{err}"
    );
    assert!(!emulator.requests().iter().any(|r| r.method == "DELETE"));

    // The gateway refuses the credentials (401 APIG.*) in one project: the setup's,
    // the run stops at once (exit 2), though the other project's lists succeed.
    let emulator = account(2, false);
    failing_flink_list(&emulator, CI, 401, "APIG.0301");
    let output = run(otc_jobs(&emulator).args([
        "clean",
        "--kinds",
        "flink-job,training-job-v1",
        "--projects",
        "eu-de_ci,eu-de_dev-1",
        "--yes",
    ]));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("APIG.0301") && err.contains("hint:"), "{err}");
    assert!(!err.contains("not reachable"), "{err}");
    assert!(!emulator.requests().iter().any(|r| r.method == "DELETE"));
    assert_eq!(flink_left(&emulator, DEV), id_set(1..=2));
}

#[test]
fn the_wait_for_a_killed_job_to_stop_is_bounded_by_max_wait() {
    // A killed job that goes on running for 30 s: `--max-wait 1s` gives up after about a
    // second (the default, 5 minutes, would outwait it and delete it).
    let emulator = Emulator::start(EmulatorConfig {
        projects: vec![EmulatorProject::new("eu-de_ci", CI)],
        kill_delay: Duration::from_secs(30),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator
        .seed_projects([
            ProjectJob::new(DEFAULT_PROJECT_ID, SeedJob::job_execution_v2("c1", "j1")),
            ProjectJob::new(CI, SeedJob::job_execution_v2("c2", "j2")),
        ])
        .unwrap();
    let one_kind = ["clean", "job-execution"].map(str::to_owned).to_vec();
    let account = [
        "clean",
        "--kinds",
        "job-execution",
        "--projects",
        "eu-de_ci",
    ]
    .map(str::to_owned)
    .to_vec();
    for args in [one_kind, account] {
        let output =
            run(otc_jobs(&emulator)
                .args(&args)
                .args(["--max-wait", "1s", "--yes", "-o", "json"]));
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let item = &report["items"][0];
        assert_eq!(item["outcome"], "failed", "{item}");
        let message = item["message"].as_str().unwrap();
        let waited: f64 = message
            .split("still running (last status RUNNING) after ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|secs| secs.parse().ok())
            .unwrap_or_else(|| panic!("{args:?}: {message}"));
        assert!((0.9..5.0).contains(&waited), "{args:?}: {message}");
    }
}

#[test]
fn a_job_that_goes_by_itself_once_killed_is_already_gone_with_the_kill_said() {
    let emulator = Emulator::start(EmulatorConfig {
        kill_delay: Duration::from_secs(60),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed(SeedJob::job_execution_v2("c1", "j1"));
    let child = otc_jobs(&emulator)
        .args(["delete", "job-execution", "c1/j1", "--yes", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once killed (it runs on for a minute), the job goes by itself.
    let start = Instant::now();
    while !emulator
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/kill"))
        && start.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    emulator.reset();
    let output = child.wait_with_output().unwrap();
    eprintln!("stderr: {}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let item = &report["items"][0];
    assert_eq!(item["outcome"], "already_gone", "{item}");
    assert_eq!(
        item["note"],
        "it was running: killed first, then it went by itself before the deletion"
    );
    // Nothing was deleted: no deletion was sent.
    assert!(!emulator.requests().iter().any(|r| r.method != "GET"));
}
