//! The emulated endpoints: every deletion's success and not-found answers, the list and
//! detail requests, deletion that takes time, wrong project ids, unknown APIs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{PID, api, call};
use otc_jobs_core::{Service, ServiceError};
use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob, status};
use serde_json::{Value, json};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

fn core_error(service: Service, reply: &common::Reply) -> ServiceError {
    let headers = http::HeaderMap::new();
    let status = http::StatusCode::from_u16(reply.status).unwrap();
    ServiceError::from_answer(service, status, &headers, &reply.body)
}

/// The core must read the answer as `service` saying "the job does not exist".
fn assert_core_not_found(service: Service, reply: &common::Reply) {
    let err = core_error(service, reply);
    assert!(
        err.is_not_found(),
        "core does not see not-found in {} {}",
        reply.status,
        reply.text()
    );
    assert!(
        err.code
            .as_deref()
            .is_some_and(|c| service.not_found_codes().contains(&c))
    );
}

#[test]
fn every_answer_carries_a_request_id() {
    let emulator = emulator();
    let replies = [
        api(
            &emulator,
            "DELETE",
            &format!("/v1.0/{PID}/streaming/jobs/1"),
        ),
        api(&emulator, "GET", "/nowhere"),
        call(
            &emulator,
            "DELETE",
            &format!("/v1.1/{PID}/job-executions/x"),
            "",
        ),
        call(&emulator, "GET", "/_emulator/jobs", ""),
    ];
    let ids: Vec<&str> = replies
        .iter()
        .map(|r| r.header("x-request-id").unwrap())
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn modelarts_training_job() {
    let emulator = emulator();
    emulator.seed(SeedJob::training_job(10).name("train"));
    let list = api(&emulator, "GET", &format!("/v1/{PID}/training-jobs"));
    assert_eq!(list.status, 200);
    let body = list.json();
    assert_eq!(body["is_success"], true);
    assert_eq!(body["job_total_count"], 1);
    assert_eq!(body["jobs"][0]["job_id"], 10);
    assert_eq!(body["jobs"][0]["job_name"], "train");
    assert_eq!(
        body["jobs"][0]["status"],
        status::MODELARTS_TRAINING_DEFAULT
    );

    let deleted = api(&emulator, "DELETE", &format!("/v1/{PID}/training-jobs/10"));
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({ "is_success": true }))
    );
    assert_eq!(
        deleted.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert!(emulator.jobs().is_empty());

    let again = api(&emulator, "DELETE", &format!("/v1/{PID}/training-jobs/10"));
    assert_eq!(again.status, 400);
    let body = again.json();
    assert_eq!(body["is_success"], false);
    assert_eq!(body["error_code"], "ModelArts.2775");
    assert_eq!(body["error_message"], "Training job (ID: 10) not found.");
    assert_core_not_found(Service::ModelArts, &again);

    let bad = api(&emulator, "DELETE", &format!("/v1/{PID}/training-jobs/ten"));
    assert_eq!(
        (bad.status, bad.json()["error_code"].clone()),
        (400, json!("ModelArts.0101"))
    );
}

#[test]
fn modelarts_training_job_versions() {
    let emulator = emulator();
    // Seeding a version creates its training job.
    emulator.seed(SeedJob::training_job_version(10, 2));
    emulator.seed(SeedJob::training_job_version(10, 3).name("V3").status(8));
    assert_eq!(emulator.jobs().len(), 3);

    let detail = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/training-jobs/10/versions/3"),
    );
    assert_eq!(detail.status, 200);
    let body = detail.json();
    assert_eq!(
        (
            body["is_success"].clone(),
            body["job_id"].clone(),
            body["version_id"].clone()
        ),
        (json!(true), json!(10), json!(3))
    );
    assert_eq!(
        (
            body["version_name"].clone(),
            body["status"].clone(),
            body["pre_version_id"].clone()
        ),
        (json!("V3"), json!(8), json!(2))
    );

    let list = api(&emulator, "GET", &format!("/v1/{PID}/training-jobs")).json();
    assert_eq!(
        (
            list["jobs"][0]["version_count"].clone(),
            list["jobs"][0]["version_id"].clone()
        ),
        (json!(2), json!(3))
    );

    let deleted = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/training-jobs/10/versions/2"),
    );
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({ "is_success": true }))
    );
    let gone = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/training-jobs/10/versions/2"),
    );
    assert_eq!(
        (gone.status, gone.json()["error_code"].clone()),
        (400, json!("ModelArts.2775"))
    );
    assert_core_not_found(Service::ModelArts, &gone);
    let again = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/training-jobs/10/versions/2"),
    );
    assert_eq!(again.status, 400);
    assert_core_not_found(Service::ModelArts, &again);
    // A version of a job that does not exist.
    let none = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/training-jobs/11/versions/1"),
    );
    assert_eq!(none.json()["error_code"], "ModelArts.2775");

    // Deleting the job deletes its versions.
    api(&emulator, "DELETE", &format!("/v1/{PID}/training-jobs/10"));
    assert!(emulator.jobs().is_empty());
    let v3 = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/training-jobs/10/versions/3"),
    );
    assert_eq!(v3.status, 400);
}

#[test]
fn modelarts_visualization_job() {
    let emulator = emulator();
    emulator.seed(SeedJob::visualization_job(198));
    emulator.seed(SeedJob::visualization_job(197).name("apiTest"));

    let list = api(&emulator, "GET", &format!("/v1/{PID}/visualization-jobs")).json();
    assert_eq!(
        (list["is_success"].clone(), list["job_total_count"].clone()),
        (json!(true), json!(2))
    );
    let detail = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/visualization-jobs/197"),
    );
    assert_eq!(detail.status, 200);
    let body = detail.json();
    // The detail page's example: the fields at the top, no is_success; job_id a Long.
    assert_eq!(
        (body["job_id"].clone(), body["job_name"].clone()),
        (json!(197), json!("apiTest"))
    );
    assert_eq!(body["status"], status::MODELARTS_VISUALIZATION_DEFAULT);
    assert!(body.get("is_success").is_none());

    let deleted = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/visualization-jobs/198"),
    );
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({ "is_success": true }))
    );
    let gone = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/visualization-jobs/198"),
    );
    assert_eq!(gone.status, 400);
    assert_core_not_found(Service::ModelArts, &gone);
    let again = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/visualization-jobs/198"),
    );
    assert_eq!(
        (again.status, again.json()["is_success"].clone()),
        (400, json!(false))
    );
    assert_core_not_found(Service::ModelArts, &again);
}

#[test]
fn visualization_ids_are_percent_decoded() {
    let emulator = emulator();
    emulator.seed(SeedJob::visualization_job(12));
    let deleted = api(
        &emulator,
        "DELETE",
        &format!("/v1/{PID}/visualization-jobs/%31%32"),
    );
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert!(emulator.jobs().is_empty());
}

/// ModelArts job ids are Long on the pages: an id that is not a number names no job and
/// gets 400 ModelArts.0101 "Invalid Argument.", from every ModelArts job path, with nothing
/// changed.
#[test]
fn modelarts_ids_that_are_not_numbers_are_invalid_arguments() {
    let emulator = emulator();
    emulator.seed(SeedJob::visualization_job(1));
    emulator.seed(SeedJob::training_job(1).versions([1]));
    for (method, path) in [
        ("GET", "/v1/{p}/visualization-jobs/vis-0001"),
        ("DELETE", "/v1/{p}/visualization-jobs/vis-0001"),
        ("GET", "/v1/{p}/visualization-jobs/a%20b%2Fc%25d"),
        ("DELETE", "/v1/{p}/visualization-jobs/-1"),
        ("GET", "/v1/{p}/visualization-jobs/1.0"),
        ("DELETE", "/v1/{p}/training-jobs/job-1"),
        ("GET", "/v1/{p}/training-jobs/job-1/versions"),
        ("GET", "/v1/{p}/training-jobs/1/versions/v1"),
        ("DELETE", "/v1/{p}/training-jobs/1/versions/v1"),
    ] {
        let reply = api(&emulator, method, &path.replace("{p}", PID));
        let body = reply.json();
        assert_eq!(
            (
                reply.status,
                body["is_success"].clone(),
                body["error_code"].clone()
            ),
            (400, json!(false), json!("ModelArts.0101")),
            "{method} {path}: {}",
            reply.text()
        );
        assert!(
            body["error_message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Invalid Argument.")),
            "{method} {path}: {}",
            reply.text()
        );
    }
    assert_eq!(emulator.jobs().len(), 3, "nothing deleted");
}

#[test]
fn dli_flink_job() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    emulator.seed(SeedJob::flink_job(78).name("stream").status("job_finish"));

    let list = api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs"));
    assert_eq!(list.status, 200);
    let body = list.json();
    assert_eq!(
        (
            body["is_success"].clone(),
            body["job_list"]["total_count"].clone()
        ),
        (json!("true"), json!(2))
    );
    // Newest (highest id) first by default; `order=asc` reverses.
    assert_eq!(body["job_list"]["jobs"][0]["job_id"], 78);
    let asc = api(
        &emulator,
        "GET",
        &format!("/v1.0/{PID}/streaming/jobs?order=asc&limit=1"),
    )
    .json();
    assert_eq!(asc["job_list"]["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(asc["job_list"]["jobs"][0]["job_id"], 77);

    let detail = api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs/78")).json();
    assert_eq!(detail["job_detail"]["name"], "stream");
    assert_eq!(detail["job_detail"]["status"], "job_finish");
    assert_eq!(detail["job_detail"]["project_id"], PID);

    let deleted = api(
        &emulator,
        "DELETE",
        &format!("/v1.0/{PID}/streaming/jobs/77"),
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.json(),
        json!({ "is_success": "true", "message": "The job is successfully deleted." })
    );

    for (method, path) in [
        ("DELETE", "/streaming/jobs/77"),
        ("GET", "/streaming/jobs/77"),
    ] {
        let gone = api(&emulator, method, &format!("/v1.0/{PID}{path}"));
        assert_eq!(gone.status, 400);
        let body = gone.json();
        assert_eq!(body["error_code"], "DLI.0002");
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("The object does not exist.")
        );
        assert_core_not_found(Service::Dli, &gone);
    }
    let bad = api(
        &emulator,
        "DELETE",
        &format!("/v1.0/{PID}/streaming/jobs/x"),
    );
    assert_eq!(
        (bad.status, bad.json()["error_code"].clone()),
        (400, json!("DLI.0001"))
    );
}

#[test]
fn mrs_job_execution() {
    let emulator = emulator();
    let id = "669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3";
    emulator.seed(SeedJob::job_execution(id));
    emulator.seed(SeedJob::job_execution("b"));
    emulator.seed(SeedJob::job_execution("c"));

    let detail = api(
        &emulator,
        "GET",
        &format!("/v1.1/{PID}/job-executions/{id}"),
    );
    assert_eq!(detail.status, 200);
    let body = detail.json();
    assert_eq!(
        (
            body["job_execution"]["id"].clone(),
            body["job_execution"]["tenant_id"].clone()
        ),
        (json!(id), json!(PID))
    );
    assert_eq!(body["job_execution"]["info"]["status"], status::MRS_DEFAULT);

    let list = api(
        &emulator,
        "GET",
        &format!("/v1.1/{PID}/job-executions?limit=2&sort_by=id"),
    )
    .json();
    let shown: Vec<&str> = list["job_executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(shown, [id, "b"]);
    assert_eq!(list["markers"]["next"], "b");
    let rest = api(
        &emulator,
        "GET",
        &format!("/v1.1/{PID}/job-executions?limit=2&marker=b&sort_by=id"),
    )
    .json();
    assert_eq!(rest["job_executions"][0]["id"], "c");
    assert_eq!(rest["markers"]["next"], Value::Null);

    let deleted = api(
        &emulator,
        "DELETE",
        &format!("/v1.1/{PID}/job-executions/{id}"),
    );
    assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    assert!(deleted.header("content-type").is_none());
    for method in ["DELETE", "GET"] {
        let gone = api(
            &emulator,
            method,
            &format!("/v1.1/{PID}/job-executions/{id}"),
        );
        assert_eq!(gone.status, 500);
        assert_eq!(
            gone.json(),
            json!({ "error_code": "0176", "error_msg": "The job does not exist." })
        );
        assert_core_not_found(Service::Mrs, &gone);
    }
}

#[test]
fn modelarts_deletion_takes_the_delete_delay_dli_and_mrs_delete_at_once() {
    let emulator = Emulator::start(EmulatorConfig {
        delete_delay: Duration::from_millis(400),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed(SeedJob::flink_job(1));
    emulator.seed(SeedJob::training_job(10).versions([1]));
    emulator.seed(SeedJob::training_job(20).versions([1, 2]));
    emulator.seed(SeedJob::visualization_job(5));
    emulator.seed(SeedJob::job_execution("e"));
    for path in [
        "/v1.0/{p}/streaming/jobs/1",
        "/v1/{p}/training-jobs/10",
        "/v1/{p}/training-jobs/20/versions/2",
        "/v1/{p}/visualization-jobs/5",
        "/v1.1/{p}/job-executions/e",
    ] {
        let reply = api(&emulator, "DELETE", &path.replace("{p}", PID));
        assert!(
            reply.status == 200 || reply.status == 204,
            "{path}: {}",
            reply.text()
        );
    }
    // DLI and MRS: gone at once.
    assert_eq!(
        api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs/1")).status,
        400
    );
    assert_eq!(
        api(&emulator, "GET", &format!("/v1.1/{PID}/job-executions/e")).status,
        500
    );
    // ModelArts: visible with the deleting status, in details and lists alike.
    let deleting = json!(status::MODELARTS_DELETING);
    let get = |path: &str| api(&emulator, "GET", &path.replace("{p}", PID)).json();
    assert_eq!(
        get("/v1/{p}/training-jobs/10/versions/1")["status"],
        deleting
    );
    assert_eq!(
        get("/v1/{p}/training-jobs/20/versions/2")["status"],
        deleting
    );
    assert_eq!(get("/v1/{p}/training-jobs/20/versions/1")["status"], 10);
    let training = get("/v1/{p}/training-jobs");
    assert_eq!(training["jobs"][0]["job_id"], 10);
    assert_eq!(training["jobs"][0]["status"], deleting);
    assert_eq!(training["jobs"][1]["status"], 10);
    let versions = get("/v1/{p}/training-jobs/20/versions");
    assert_eq!(versions["versions"][0]["status"], deleting);
    assert_eq!(get("/v1/{p}/visualization-jobs/5")["status"], deleting);
    assert_eq!(
        get("/v1/{p}/visualization-jobs")["jobs"][0]["status"],
        deleting
    );
    assert_eq!(emulator.jobs().len(), 6);
    // Deleting again while it runs is accepted.
    assert_eq!(
        api(&emulator, "DELETE", &format!("/v1/{PID}/training-jobs/10")).status,
        200
    );

    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        emulator.jobs(),
        vec![
            SeedJob::training_job(20),
            SeedJob::training_job_version(20, 1)
        ]
    );
    let gone = api(&emulator, "GET", &format!("/v1/{PID}/visualization-jobs/5"));
    assert_eq!(gone.status, 400);
    assert_core_not_found(Service::ModelArts, &gone);
    assert_eq!(get("/v1/{p}/training-jobs")["job_total_count"], 1);
    assert_eq!(get("/v1/{p}/training-jobs/20/versions")["version_count"], 1);
}

#[test]
fn a_modelarts_deletion_marked_to_fail_ends_in_status_6() {
    let emulator = Emulator::start(EmulatorConfig {
        delete_delay: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed(SeedJob::training_job(1).versions([1]).fail_delete());
    // Through the admin API too.
    let reply = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        r#"{"kind": "visualization_job", "job_id": 5, "fail_delete": true}"#,
    );
    assert_eq!(reply.status, 201);
    for path in ["/v1/{p}/training-jobs/1", "/v1/{p}/visualization-jobs/5"] {
        let reply = api(&emulator, "DELETE", &path.replace("{p}", PID));
        assert_eq!(reply.json(), json!({"is_success": true}));
    }
    let get = |path: &str| api(&emulator, "GET", &path.replace("{p}", PID)).json();
    assert_eq!(get("/v1/{p}/visualization-jobs/5")["status"], 9);
    std::thread::sleep(Duration::from_millis(300));
    let failed = json!(status::MODELARTS_DELETE_FAILED);
    assert_eq!(get("/v1/{p}/visualization-jobs/5")["status"], failed);
    assert_eq!(get("/v1/{p}/training-jobs")["jobs"][0]["status"], failed);
    assert_eq!(get("/v1/{p}/training-jobs/1/versions/1")["status"], failed);
    assert_eq!(
        get("/v1/{p}/training-jobs?status=6")["job_total_count"],
        1,
        "the status filter sees status 6"
    );
    assert_eq!(emulator.jobs().len(), 3);
}

#[test]
fn another_project_is_refused_as_each_service_does() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(1));
    emulator.seed(SeedJob::training_job(1));
    emulator.seed(SeedJob::job_execution("e"));
    let other = "ffffffffffffffffffffffffffffffff";
    let ma = api(&emulator, "DELETE", &format!("/v1/{other}/training-jobs/1"));
    assert_eq!(
        (ma.status, ma.json()["error_code"].clone()),
        (403, json!("ModelArts.0210"))
    );
    let dli = api(
        &emulator,
        "DELETE",
        &format!("/v1.0/{other}/streaming/jobs/1"),
    );
    assert_eq!(
        (dli.status, dli.json()["error_code"].clone()),
        (401, json!("DLI.0013"))
    );
    let mrs = api(
        &emulator,
        "DELETE",
        &format!("/v1.1/{other}/job-executions/e"),
    );
    assert_eq!(
        (mrs.status, mrs.json()["error_code"].clone()),
        (401, json!("12000001"))
    );
    // The three jobs, and the training job's first version (seeded without versions).
    assert_eq!(emulator.jobs().len(), 4);
}

#[test]
fn unknown_apis_get_the_gateway_answer() {
    let emulator = emulator();
    for (method, path) in [
        ("GET", "/v2/x/training-jobs".to_owned()),
        ("GET", format!("/v1/{PID}/training-jobs/10")),
        ("PUT", format!("/v1.0/{PID}/streaming/jobs/1")),
        ("POST", "/".to_owned()),
    ] {
        let reply = api(&emulator, method, &path);
        assert_eq!(reply.status, 404, "{method} {path}");
        let body = reply.json();
        assert_eq!(body["error_code"], "APIG.0101");
        assert_eq!(
            body["error_msg"],
            "The API does not exist or has not been published in the environment"
        );
        assert_eq!(body["request_id"].as_str(), reply.header("x-request-id"));
        // No service's word: not "gone" for any of them, but a wrong endpoint.
        for service in Service::ALL {
            let err = core_error(service, &reply);
            assert!(!err.is_not_found() && err.is_misconfiguration(), "{err}");
        }
    }
}

#[test]
fn list_paging() {
    let emulator = emulator();
    for id in 1..=25 {
        emulator.seed(SeedJob::training_job(id));
        emulator.seed(SeedJob::flink_job(id));
    }
    let first = api(&emulator, "GET", &format!("/v1/{PID}/training-jobs")).json();
    assert_eq!(
        (
            first["jobs"].as_array().unwrap().len(),
            first["job_total_count"].clone()
        ),
        (10, json!(25))
    );
    let third = api(
        &emulator,
        "GET",
        &format!("/v1/{PID}/training-jobs?per_page=10&page=3"),
    )
    .json();
    assert_eq!(third["jobs"].as_array().unwrap().len(), 5);
    let dli = api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs")).json();
    assert_eq!(dli["job_list"]["jobs"].as_array().unwrap().len(), 10);
    let dli = api(
        &emulator,
        "GET",
        &format!("/v1.0/{PID}/streaming/jobs?limit=100&offset=20"),
    )
    .json();
    assert_eq!(dli["job_list"]["jobs"].as_array().unwrap().len(), 5);
}
