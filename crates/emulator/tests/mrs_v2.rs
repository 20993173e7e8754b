//! MRS v2: the cluster list and the job executions inside clusters, as the pages document
//! them (every job answer 202; 12000003 for a cluster that is gone, 0176 for a job, 0183
//! for a batch with a running job; kill turns a running job into a killed one).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{PID, api, api_body};
use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};
use serde_json::Value;

const T0: u64 = 1_700_000_000_000;

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_many([
        SeedJob::job_execution_v2("c1", "j1")
            .name("etl-a")
            .create_time(T0 + 1),
        SeedJob::job_execution_v2("c1", "j2")
            .name("etl-b")
            .status("FINISHED")
            .job_type("HiveSql")
            .create_time(T0 + 2),
        SeedJob::job_execution_v2("c1", "j3")
            .name("report")
            .status("FAILED")
            .create_time(T0 + 3),
        SeedJob::job_execution_v2("c2", "k1").create_time(T0),
        SeedJob::mrs_cluster("c3")
            .name("empty")
            .status("frozen")
            .create_time(T0 + 10),
    ]);
    emulator
}

fn get(emulator: &Emulator, path: &str, status: u16) -> Value {
    let reply = api(emulator, "GET", &path.replace("{p}", PID));
    assert_eq!(reply.status, status, "{path}: {}", reply.text());
    reply.json()
}

fn job_ids(list: &Value) -> Vec<&str> {
    list["job_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap())
        .collect()
}

#[test]
fn clusters_are_paged_and_filtered_by_state() {
    let emulator = emulator();
    let all = get(&emulator, "/v1.1/{p}/cluster_infos", 200);
    assert_eq!(all["clusterTotal"], "3");
    let ids: Vec<&str> = all["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clusterId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c2", "c1", "c3"]); // oldest first
    let page = get(
        &emulator,
        "/v1.1/{p}/cluster_infos?pageSize=2&currentPage=2",
        200,
    );
    assert_eq!(page["clusters"][0]["clusterId"], "c3");
    assert_eq!(page["clusters"][0]["clusterName"], "empty");
    assert_eq!(page["clusters"].as_array().unwrap().len(), 1);
    let frozen = get(
        &emulator,
        "/v1.1/{p}/cluster_infos?clusterState=frozen",
        200,
    );
    assert_eq!(frozen["clusterTotal"], "1");
    let bad = get(
        &emulator,
        "/v1.1/{p}/cluster_infos?clusterState=sleeping",
        400,
    );
    assert_eq!(bad["error_code"], "12000002");
    let bad = get(&emulator, "/v1.1/{p}/cluster_infos?pageSize=0", 400);
    assert_eq!(bad["error_code"], "12000002");
}

#[test]
fn job_lists_are_202_paged_by_page_number_and_filtered() {
    let emulator = emulator();
    let all = get(&emulator, "/v2/{p}/clusters/c1/job-executions", 202);
    assert_eq!(all["total_record"], 3);
    assert_eq!(job_ids(&all), ["j3", "j2", "j1"]); // desc by default
    let asc = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?sort_by=asc&limit=2&offset=2",
        202,
    );
    assert_eq!(job_ids(&asc), ["j3"]); // page 2 of 2
    let first = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?sort_by=asc&limit=2&offset=1",
        202,
    );
    assert_eq!(job_ids(&first), ["j1", "j2"]);
    let running = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?job_state=RUNNING",
        202,
    );
    assert_eq!(job_ids(&running), ["j1"]);
    assert_eq!(running["job_list"][0]["job_result"], "UNDEFINED");
    let ok = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?job_result=SUCCEEDED",
        202,
    );
    assert_eq!(job_ids(&ok), ["j2"]);
    let named = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?job_name=ETL",
        202,
    );
    assert_eq!(named["total_record"], 2);
    let hive = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?job_type=HiveSql",
        202,
    );
    assert_eq!(job_ids(&hive), ["j2"]);
    let window = get(
        &emulator,
        &format!(
            "/v2/{{p}}/clusters/c1/job-executions?submitted_time_begin={}&submitted_time_end={}",
            T0 + 2,
            T0 + 3
        ),
        202,
    );
    assert_eq!(job_ids(&window), ["j3", "j2"]);
    let empty = get(&emulator, "/v2/{p}/clusters/c3/job-executions", 202);
    assert_eq!(empty["total_record"], 0);
    let bad = get(
        &emulator,
        "/v2/{p}/clusters/c1/job-executions?offset=0",
        400,
    );
    assert_eq!(bad["error_code"], "12000002");
    let gone = get(&emulator, "/v2/{p}/clusters/nope/job-executions", 400);
    assert_eq!(gone["errorCode"], "12000003");
}

#[test]
fn details_kill_and_batch_delete() {
    let emulator = emulator();
    let detail = get(&emulator, "/v2/{p}/clusters/c1/job-executions/j1", 202);
    assert_eq!(detail["job_detail"]["job_state"], "RUNNING");
    assert_eq!(detail["job_detail"]["job_name"], "etl-a");
    let missing = get(&emulator, "/v2/{p}/clusters/c1/job-executions/k1", 500);
    assert_eq!(missing["error_code"], "0176"); // k1 is c2's
    let gone = get(&emulator, "/v2/{p}/clusters/nope/job-executions/j1", 400);
    assert_eq!(gone["errorCode"], "12000003");

    let batch = |body: &str| {
        api_body(
            &emulator,
            "POST",
            &format!("/v2/{PID}/clusters/c1/job-executions/batch-delete"),
            body,
        )
    };
    // A running job refuses the whole batch: nothing is deleted.
    let refused = batch(r#"{"job_id_list": ["j1", "j2"]}"#);
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.json()["error_code"], "0183");
    assert_eq!(
        get(&emulator, "/v2/{p}/clusters/c1/job-executions", 202)["total_record"],
        3
    );
    // Kill, then delete.
    let killed = api(
        &emulator,
        "POST",
        &format!("/v2/{PID}/clusters/c1/job-executions/j1/kill"),
    );
    assert_eq!(killed.status, 202, "{}", killed.text());
    // "Please wait": the job goes on running for the kill delay, and cannot be deleted.
    let detail = get(&emulator, "/v2/{p}/clusters/c1/job-executions/j1", 202);
    assert_eq!(detail["job_detail"]["job_state"], "RUNNING");
    let early = batch(r#"{"job_id_list": ["j1"]}"#);
    assert_eq!(early.status, 400, "{}", early.text());
    assert_eq!(early.json()["error_code"], "0183");
    std::thread::sleep(
        otc_jobs_emulator::DEFAULT_KILL_DELAY + std::time::Duration::from_millis(20),
    );
    let detail = get(&emulator, "/v2/{p}/clusters/c1/job-executions/j1", 202);
    assert_eq!(detail["job_detail"]["job_state"], "KILLED");
    assert_eq!(detail["job_detail"]["job_result"], "KILLED");
    let deleted = batch(r#"{"job_id_list": ["j1", "j2"]}"#);
    assert_eq!(deleted.status, 202, "{}", deleted.text());
    assert!(deleted.text().is_empty());
    let left = get(&emulator, "/v2/{p}/clusters/c1/job-executions", 202);
    assert_eq!(job_ids(&left), ["j3"]);
    // Ids that are not there: 0176, nothing deleted.
    let again = batch(r#"{"job_id_list": ["j1", "j3"]}"#);
    assert_eq!(again.status, 500);
    assert_eq!(again.json()["error_code"], "0176");
    assert_eq!(
        get(&emulator, "/v2/{p}/clusters/c1/job-executions", 202)["total_record"],
        1
    );
    assert_eq!(batch(r#"{"job_id_list": []}"#).status, 400);
    assert_eq!(batch(r#"{"job_ids": ["j3"]}"#).status, 400);
    // What was seeded is listed with its cluster.
    let seeds = emulator.jobs();
    assert!(
        seeds.contains(
            &SeedJob::job_execution_v2("c1", "j3")
                .name("report")
                .status("FAILED")
                .create_time(T0 + 3)
        )
    );
    assert!(
        seeds.contains(
            &SeedJob::mrs_cluster("c3")
                .name("empty")
                .status("frozen")
                .create_time(T0 + 10)
        )
    );
}
