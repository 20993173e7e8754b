//! The report as a contract (issue 24 item 7): real reports validate against the
//! committed `report.schema.json` (generated from the report's types; a unit test fails
//! when it is stale) and carry when, where and by what the run acted; `--max-delete`
//! refuses a plan before anything is deleted; a dry run says how many listed jobs did not
//! match; declining the prompt exits 4 with nothing deleted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use otc_jobs_emulator::{
    DEFAULT_PROJECT_ID, Emulator, EmulatorConfig, Fault, FaultAction, SeedJob,
};
use serde_json::Value;

#[allow(dead_code)]
mod support;
use support::{
    emulator_deleting_after, emulator_with_flink_jobs, on_a_terminal, otc_jobs, run, run_json, temp,
};

/// How long a prompt takes to be up on the terminal of [`on_a_terminal`].
const PROMPT_UP: Duration = Duration::from_millis(500);

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Validates `value` against `schema` (the JSON Schema subset the schema uses: `$ref`,
/// `type`, `const`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
/// `oneOf`, `anyOf`, `minimum`, `maximum`, `format: date-time`), strictly: an object
/// may hold only the properties its schema (with the branches it matched) declares.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let declared = check(root, schema, value, at)?;
    if let (Some(object), Some(declared)) = (value.as_object(), declared) {
        for key in object.keys() {
            if !declared.contains(key) {
                return Err(format!("{at}: `{key}` is not in the schema"));
            }
        }
    }
    Ok(())
}

/// Checks `value` against `schema`; the properties the schema declares for an object
/// (`None`: any).
fn check(
    root: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
) -> Result<Option<BTreeSet<String>>, String> {
    let mut declared = Some(BTreeSet::new());
    let declare = |more: Option<BTreeSet<String>>, declared: &mut Option<BTreeSet<String>>| match (
        more,
        declared.as_mut(),
    ) {
        (Some(more), Some(declared)) => declared.extend(more),
        _ => *declared = None,
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("a local $ref");
        let target = &root["$defs"][name];
        assert!(!target.is_null(), "no $defs/{name}");
        let more = check(root, target, value, at)?;
        declare(more, &mut declared);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            other => panic!("type {other}"),
        };
        let fits = |t: &str| match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("type {other}"),
        };
        if !types.iter().any(|t| fits(t)) {
            return Err(format!("{at}: {value} is not of type {types:?}"));
        }
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        return Err(format!("{at}: {value} is not {constant}"));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {values:?}"));
    }
    if let Some(n) = value.as_f64() {
        if schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|min| n < min)
        {
            return Err(format!("{at}: {n} is below the minimum"));
        }
        if schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|max| n > max)
        {
            return Err(format!("{at}: {n} is above the maximum"));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        let text = value.as_str().unwrap_or_default();
        let shape = text.len() >= 20
            && text.as_bytes()[4] == b'-'
            && text.as_bytes()[10] == b'T'
            && text.ends_with('Z');
        if !shape {
            return Err(format!("{at}: {value} is not an RFC 3339 time"));
        }
    }
    if let Some(object) = value.as_object() {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                declare(Some([key.clone()].into()), &mut declared);
                if let Some(inner) = object.get(key) {
                    validate(root, property, inner, &format!("{at}.{key}"))?;
                }
            }
        }
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = required.as_str().unwrap();
            if !object.contains_key(key) {
                return Err(format!("{at}: `{key}` is required"));
            }
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) | None => {}
            Some(Value::Bool(true)) => declared = None,
            Some(values) => {
                for (key, inner) in object {
                    validate(root, values, inner, &format!("{at}.{key}"))?;
                }
                declared = None;
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, inner) in array.iter().enumerate() {
            validate(root, items, inner, &format!("{at}[{i}]"))?;
        }
    }
    for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        let Some(branches) = schema.get(keyword).and_then(Value::as_array) else {
            continue;
        };
        let matched: Vec<Option<BTreeSet<String>>> = branches
            .iter()
            .filter_map(|branch| check(root, branch, value, at).ok())
            .collect();
        if matched.is_empty() || (exactly_one && matched.len() != 1) {
            return Err(format!(
                "{at}: {value} matches {} of the {keyword} branches",
                matched.len()
            ));
        }
        for more in matched {
            declare(more, &mut declared);
        }
    }
    Ok(declared)
}

fn assert_valid(report: &Value) {
    let schema = schema();
    if let Err(e) = validate(&schema, &schema, report, "report") {
        panic!("the report does not fit report.schema.json: {e}\n{report:#}");
    }
}

#[test]
fn a_whole_account_report_fits_the_committed_schema_and_a_wrong_one_does_not() {
    let emulator = Emulator::start(EmulatorConfig {
        projects: vec![otc_jobs_emulator::EmulatorProject::new(
            "eu-de_ci",
            "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1",
        )],
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed_samples();
    let path = temp("account-report.json");
    let report = run_json(
        otc_jobs(&emulator)
            .args([
                "clean",
                "--kinds",
                "all",
                "--projects",
                "all",
                "--yes",
                "-o",
                "json",
                "--report",
            ])
            .arg(&path),
    );
    assert_valid(&report);
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_valid(&written);
    let _ = std::fs::remove_file(&path);
    assert!(report["items"].as_array().unwrap().len() > 10);
    assert!(report["projects"].as_array().unwrap().len() >= 2);
    // An item without its project fits neither report.
    let mut wrong = report.clone();
    wrong["items"][0].as_object_mut().unwrap().remove("project");
    let schema = schema();
    assert!(validate(&schema, &schema, &wrong, "report").is_err());
}

#[test]
fn real_reports_fit_the_committed_schema_and_say_when_where_and_by_what() {
    let emulator = emulator_deleting_after(600);
    emulator.seed(SeedJob::visualization_job(301));
    emulator.seed(SeedJob::visualization_job(302));
    // 302 is refused; 399 does not exist.
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1/*/visualization-jobs/302",
            FaultAction::Respond {
                status: 403,
                headers: Default::default(),
                body: r#"{"error_code":"ModelArts.0210","error_msg":"not allowed"}"#.into(),
            },
        )
        .times(10),
    );
    let path = temp("report.json");
    let before = std::time::SystemTime::now();
    let out = run(otc_jobs(&emulator)
        .args([
            "delete",
            "visualization-job-v1",
            "301",
            "302",
            "399",
            "--yes",
            "--wait",
            "--max-wait",
            "20s",
            "-o",
            "json",
            "--report",
        ])
        .arg(&path));
    assert_eq!(out.status.code(), Some(1));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(file, stdout, "--report and -o json are the same document");
    assert_valid(&file);
    assert_eq!(file["tool"], "otc-jobs");
    assert_eq!(file["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(file["project"]["id"], DEFAULT_PROJECT_ID);
    assert_eq!(file["region"], "eu-de");
    assert_eq!(
        file["endpoints"],
        serde_json::json!({"modelarts": emulator.base_url().trim_end_matches('/')})
    );
    let started = humantime::parse_rfc3339(file["started_at"].as_str().unwrap()).unwrap();
    let ended = humantime::parse_rfc3339(file["ended_at"].as_str().unwrap()).unwrap();
    let since = |t: std::time::SystemTime| t.duration_since(before).unwrap_or_default();
    assert!(started <= ended && since(started).as_secs() < 5);
    let took = ended.duration_since(started).unwrap().as_millis() as u64;
    let duration = file["duration_ms"].as_u64().unwrap();
    assert!(duration.abs_diff(took) <= 1, "{duration} vs {took}");
    // Waited for: the polls and the time (the emulator deletes after 600 ms).
    let waited = &file["items"][0];
    assert_eq!(waited["outcome"], "deleted");
    assert!(waited["wait"]["polls"].as_u64().unwrap() >= 2, "{waited}");
    assert!(
        waited["wait"]["elapsed_ms"].as_u64().unwrap() >= 500,
        "{waited}"
    );
    assert_eq!(file["items"][1]["outcome"], "failed");
    assert_eq!(file["items"][2]["outcome"], "already_gone");

    // The schema is strict: a report with a field it does not name, or without one it
    // requires, does not fit.
    let schema = schema();
    let mut extra = file.clone();
    extra["items"][0]["surprise"] = 1.into();
    assert!(validate(&schema, &schema, &extra, "report").is_err());
    let mut missing = file.clone();
    missing.as_object_mut().unwrap().remove("ended_at");
    assert!(validate(&schema, &schema, &missing, "report").is_err());
    let mut wrong = file;
    wrong["items"][2]["outcome"] = "vanished".into();
    assert!(validate(&schema, &schema, &wrong, "report").is_err());

    // `otc-jobs wait`'s report fits too, and a job looked up by name names its project.
    emulator.seed(SeedJob::visualization_job(303));
    let out = run(otc_jobs(&emulator).args(["delete", "visualization-job-v1", "303", "--yes"]));
    assert_eq!(out.status.code(), Some(0));
    let out = run(otc_jobs(&emulator).env_remove("OS_PROJECT_ID").args([
        "--project-name",
        "eu-de",
        "wait",
        "visualization-job-v1",
        "303",
        "-o",
        "json",
    ]));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&report);
    assert_eq!(report["project"]["name"], "eu-de");
    assert_eq!(report["project"]["id"], DEFAULT_PROJECT_ID);
    assert!(report["endpoints"]["iam"].is_string(), "{report}");
}

#[test]
fn a_plan_over_max_delete_is_refused_before_anything_is_deleted() {
    let emulator = emulator_with_flink_jobs(1..=5);
    let out = run(otc_jobs(&emulator).args(["clean", "flink-job", "--yes", "--max-delete", "4"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to delete 5 flink-job(s): more than --max-delete 4"),
        "{stderr}"
    );
    assert_eq!(emulator.jobs().len(), 5);
    assert!(emulator.requests().iter().all(|r| r.method != "DELETE"));
    // At the limit, it deletes.
    let out = run(otc_jobs(&emulator).args(["clean", "flink-job", "--yes", "--max-delete", "5"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(emulator.jobs().is_empty());
}

#[test]
fn a_dry_run_says_how_many_listed_jobs_did_not_match() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    for id in 1..=12 {
        let name = if id <= 8 {
            format!("nightly-{id}")
        } else {
            format!("keep-{id}")
        };
        emulator.seed(SeedJob::flink_job(id).name(&name));
    }
    let out = run(otc_jobs(&emulator).args([
        "clean",
        "flink-job",
        "--name-regex",
        "^nightly-",
        "--dry-run",
        "-o",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dry run: would delete 8 of 12 listed flink-job(s); 4 did not match; nothing was changed"),
        "{stderr}"
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["listed"], 12);
    assert_eq!(plan["items"].as_array().unwrap().len(), 8);
    assert_eq!(emulator.jobs().len(), 12);
}

#[test]
fn declining_the_prompt_exits_4_and_deletes_nothing() {
    let emulator = emulator_with_flink_jobs(1..=3);
    let Some((code, text)) = on_a_terminal(&emulator, "delete flink-job 1 2 3", "n\n", PROMPT_UP)
    else {
        return;
    };
    assert!(text.contains("Delete 3 flink-job(s)? [y/N]"), "{text}");
    assert!(text.contains("not confirmed: nothing deleted"), "{text}");
    assert_eq!(code, 4, "{text}");
    assert_eq!(emulator.jobs().len(), 3);
    assert!(emulator.requests().iter().all(|r| r.method != "DELETE"));
    // The same prompt answered yes deletes (the terminal is real, not a refusal); slow
    // deletions show the bar, which says what it does.
    emulator.add_fault(
        Fault::new(
            "DELETE",
            "/v1.0/*/streaming/jobs/*",
            FaultAction::Delay { ms: 800 },
        )
        .times(3),
    );
    let (code, text) = on_a_terminal(
        &emulator,
        "delete flink-job 1 2 3 --parallelism 1",
        "y\n",
        PROMPT_UP,
    )
    .unwrap();
    assert_eq!(code, 0, "{text}");
    assert!(emulator.jobs().is_empty());
    assert!(text.contains("deleting flink-job"), "{text}");
}
