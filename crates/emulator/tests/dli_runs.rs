//! DLI SQL jobs and Spark batch jobs, runs that can only be cancelled: the lists with their
//! filters and paging, the status pages, cancel of a running run (it becomes cancelled and
//! stays listed) and of a run that is over (400 DLI.0007), seeding by kind name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{PID, api, call};
use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};
use serde_json::{Value, json};

const T0: u64 = 1_700_000_000_000;

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_many([
        SeedJob::sql_job("s1").create_time(T0 + 1),
        SeedJob::sql_job("s2")
            .status("FINISHED")
            .name("select count(*) from Sales")
            .queue("etl")
            .create_time(T0 + 2),
        SeedJob::sql_job("s3")
            .status("LAUNCHING")
            .create_time(T0 + 3),
        SeedJob::spark_job("b1").name("nightly").create_time(T0 + 1),
        SeedJob::spark_job("b2")
            .status("success")
            .create_time(T0 + 2),
        SeedJob::spark_job("b3").status("dead").create_time(T0 + 3),
    ]);
    emulator
}

fn get(emulator: &Emulator, path: &str, status: u16) -> Value {
    let reply = api(emulator, "GET", &path.replace("{p}", PID));
    assert_eq!(reply.status, status, "{path}: {}", reply.text());
    reply.json()
}

fn ids<'a>(list: &'a Value, items: &str, id: &str) -> Vec<&'a str> {
    list[items]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j[id].as_str().unwrap())
        .collect()
}

#[test]
fn sql_jobs_are_paged_filtered_and_sorted() {
    let emulator = emulator();
    let all = get(&emulator, "/v1.0/{p}/jobs", 200);
    assert_eq!(all["is_success"], true);
    assert_eq!(all["job_count"], 3);
    assert_eq!(ids(&all, "jobs", "job_id"), ["s3", "s2", "s1"]); // newest first
    assert_eq!(all["jobs"][0]["status"], "LAUNCHING");
    assert_eq!(all["jobs"][2]["status"], "RUNNING"); // the default
    let page = get(
        &emulator,
        "/v1.0/{p}/jobs?page-size=2&current-page=2&order=start_time_asc",
        200,
    );
    assert_eq!(ids(&page, "jobs", "job_id"), ["s3"]);
    assert_eq!(page["job_count"], 3);
    let window = get(
        &emulator,
        &format!("/v1.0/{{p}}/jobs?start={}&end={}", T0 + 2, T0 + 3),
        200,
    );
    assert_eq!(ids(&window, "jobs", "job_id"), ["s3", "s2"]);
    let finished = get(&emulator, "/v1.0/{p}/jobs?job-status=FINISHED", 200);
    assert_eq!(ids(&finished, "jobs", "job_id"), ["s2"]);
    let sales = get(
        &emulator,
        "/v1.0/{p}/jobs?sql_pattern=SALES&queue_name=etl",
        200,
    );
    assert_eq!(ids(&sales, "jobs", "job_id"), ["s2"]);
    // The page's ranges: [1, 100] each.
    for bad in [
        "page-size=101",
        "current-page=101",
        "current-page=0",
        "order=up",
    ] {
        let refused = get(&emulator, &format!("/v1.0/{{p}}/jobs?{bad}"), 400);
        assert_eq!(refused["error_code"], "DLI.0001", "{bad}");
    }
}

#[test]
fn cancelling_a_sql_job_that_runs_leaves_it_cancelled_and_one_that_is_over_is_refused() {
    let emulator = emulator();
    let path = |id: &str| format!("/v1.0/{PID}/jobs/{id}");
    let done = api(&emulator, "DELETE", &path("s1"));
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json(), json!({"is_success": true, "message": ""}));
    let status = get(&emulator, "/v1.0/{p}/jobs/s1/status", 200);
    assert_eq!(
        (status["status"].as_str(), status["job_id"].as_str()),
        (Some("CANCELLED"), Some("s1"))
    );
    assert_eq!(get(&emulator, "/v1.0/{p}/jobs", 200)["job_count"], 3); // still listed
    for id in ["s1", "s2"] {
        let refused = api(&emulator, "DELETE", &path(id));
        assert_eq!(refused.status, 400, "{id}");
        assert_eq!(refused.json()["error_code"], "DLI.0007", "{id}");
    }
    let gone = api(&emulator, "DELETE", &path("nope"));
    assert_eq!(
        (gone.status, gone.json()["error_code"].clone()),
        (400, json!("DLI.0002"))
    );
    assert_eq!(
        get(&emulator, "/v1.0/{p}/jobs/nope/status", 400)["error_code"],
        "DLI.0002"
    );
    // LAUNCHING is not over: it can be cancelled.
    assert_eq!(api(&emulator, "DELETE", &path("s3")).status, 200);
}

#[test]
fn spark_batches_are_paged_filtered_and_cancelled() {
    let emulator = emulator();
    let all = get(&emulator, "/v2.0/{p}/batches", 200);
    assert_eq!(
        (all["from"].clone(), all["total"].clone()),
        (json!(0), json!(3))
    );
    assert_eq!(ids(&all, "sessions", "id"), ["b3", "b2", "b1"]);
    let page = get(&emulator, "/v2.0/{p}/batches?from=1&size=1", 200);
    assert_eq!(ids(&page, "sessions", "id"), ["b2"]);
    let running = get(&emulator, "/v2.0/{p}/batches?state=running", 200);
    assert_eq!(ids(&running, "sessions", "id"), ["b1"]);
    let named = get(&emulator, "/v2.0/{p}/batches?job_name=NIGHT", 200);
    assert_eq!(ids(&named, "sessions", "id"), ["b1"]);

    let path = |id: &str| format!("/v2.0/{PID}/batches/{id}");
    let done = api(&emulator, "DELETE", &path("b1"));
    assert_eq!((done.status, done.json()), (200, json!({"msg": "deleted"})));
    assert_eq!(
        get(&emulator, "/v2.0/{p}/batches/b1/state", 200),
        json!({"id": "b1", "state": "dead"})
    );
    for id in ["b1", "b2", "b3"] {
        let refused = api(&emulator, "DELETE", &path(id));
        assert_eq!(refused.status, 400, "{id}");
        assert_eq!(refused.json()["error_code"], "DLI.0007", "{id}");
    }
    assert_eq!(
        api(&emulator, "DELETE", &path("nope")).json()["error_code"],
        "DLI.0002"
    );
}

#[test]
fn runs_are_seeded_and_listed_by_kind_name() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let jobs = [
        json!({"kind": "sql-job", "job_id": "q1", "statement": "select 1", "status": "RUNNING", "queue_name": "etl"}),
        json!({"kind": "spark-job", "batch_id": "b1", "name": "n", "status": "starting"}),
    ];
    for job in &jobs {
        let reply = call(&emulator, "POST", "/_emulator/jobs", &job.to_string());
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    let listed = call(&emulator, "GET", "/_emulator/jobs", "").json();
    for job in &jobs {
        assert!(
            listed.as_array().unwrap().contains(job),
            "{job} in {listed}"
        );
    }
    let sql = get(&emulator, "/v1.0/{p}/jobs", 200);
    assert_eq!(sql["jobs"][0]["statement"], "select 1");
    assert_eq!(sql["jobs"][0]["queue_name"], "etl");
}
