//! The ten query operations: each list's filters, sort orders and paging style (to the last
//! page, past it, out of range), 10 000 seeded jobs listed exactly once, the details, and
//! DLI's batch deletion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{PID, api, api_body, call};
use otc_jobs_emulator::{Emulator, EmulatorConfig, SeedJob};
use serde_json::{Value, json};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).unwrap()
}

fn get(emulator: &Emulator, path: &str) -> Value {
    let reply = api(emulator, "GET", &path.replace("{p}", PID));
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

fn ids(list: &Value, key: &str) -> Vec<Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|j| j[key].clone())
        .collect()
}

/// `(status, error_code)` of a refused request.
fn refused(emulator: &Emulator, path: &str) -> (u16, Value) {
    let reply = api(emulator, "GET", &path.replace("{p}", PID));
    (reply.status, reply.json()["error_code"].clone())
}

const T0: u64 = 1_700_000_000_000;

#[test]
fn training_job_list_filters_sorts_and_pages() {
    let emulator = emulator();
    emulator.seed_many([
        SeedJob::training_job(1)
            .name("resnet-a")
            .status(8)
            .create_time(T0 + 3),
        SeedJob::training_job(2)
            .name("ResNet-b")
            .status(10)
            .create_time(T0 + 1)
            .versions([1, 2, 3]),
        SeedJob::training_job(3)
            .name("bert")
            .status(3)
            .create_time(T0 + 2),
        SeedJob::training_job(4).name("other-ws").workspace("w1"),
    ]);
    let list = get(&emulator, "/v1/{p}/training-jobs");
    // Default: workspace "0", by job_name ascending.
    assert_eq!(ids(&list["jobs"], "job_id"), [json!(2), json!(3), json!(1)]);
    assert_eq!(list["job_total_count"], 3);
    assert_eq!(list["is_success"], true);
    assert_eq!(list["quotas"], 1000);
    assert_eq!(list["job_count_limit"], 996);
    let job = &list["jobs"][0];
    assert_eq!(
        (
            job["job_name"].clone(),
            job["version_id"].clone(),
            job["version_count"].clone(),
            job["create_time"].clone()
        ),
        (json!("ResNet-b"), json!(3), json!(3), json!(T0 + 1))
    );
    for (query, expected) in [
        ("status=8", vec![1]),
        ("status=3,8", vec![3, 1]),
        ("search_content=resnet", vec![2, 1]),
        ("search_content=net&status=10", vec![2]),
        ("sortBy=create_time", vec![2, 3, 1]),
        ("sortBy=create_time&order=desc", vec![1, 3, 2]),
        ("sortBy=status", vec![3, 1, 2]),
        ("sortBy=version_count&order=desc", vec![2, 3, 1]),
        ("workspace_id=w1", vec![4]),
        ("per_page=2&page=2", vec![1]),
        ("per_page=2&page=3", vec![]),
        ("status=", vec![2, 3, 1]),
    ] {
        let list = get(&emulator, &format!("/v1/{{p}}/training-jobs?{query}"));
        let expected: Vec<Value> = expected.into_iter().map(Value::from).collect();
        assert_eq!(ids(&list["jobs"], "job_id"), expected, "{query}");
    }
    assert_eq!(
        get(&emulator, "/v1/{p}/training-jobs?status=8")["job_total_count"],
        1
    );
    for bad in [
        "per_page=0",
        "per_page=1001",
        "page=0",
        "page=65536",
        "per_page=ten",
        "sortBy=job_id",
        "order=up",
    ] {
        assert_eq!(
            refused(&emulator, &format!("/v1/{{p}}/training-jobs?{bad}")),
            (400, json!("ModelArts.0101")),
            "{bad}"
        );
    }
}

#[test]
fn training_job_versions_list_and_detail() {
    let emulator = emulator();
    emulator.seed(SeedJob::training_job(10).name("job").versions(1..=12));
    emulator.seed(
        SeedJob::training_job_version(10, 13)
            .name("V13")
            .status(8)
            .create_time(T0),
    );
    // page 0 (the default): no paging, newest first.
    let all = get(&emulator, "/v1/{p}/training-jobs/10/versions");
    assert_eq!(
        (
            all["is_success"].clone(),
            all["job_id"].clone(),
            all["job_name"].clone(),
            all["version_count"].clone()
        ),
        (json!(true), json!(10), json!("job"), json!(13))
    );
    let versions = ids(&all["versions"], "version_id");
    assert_eq!(versions.len(), 13);
    assert_eq!(versions[0], 13);
    assert_eq!(versions[12], 1);
    let newest = &all["versions"][0];
    assert_eq!(
        (
            newest["version_name"].clone(),
            newest["pre_version_id"].clone(),
            newest["status"].clone(),
            newest["create_time"].clone()
        ),
        (json!("V13"), json!(12), json!(8), json!(T0))
    );
    assert_eq!(all["versions"][12]["pre_version_id"], Value::Null);
    assert_eq!(all["versions"][12]["version_name"], "V0001");
    // page >= 1: per_page (default 10) per page.
    let first = get(&emulator, "/v1/{p}/training-jobs/10/versions?page=1");
    assert_eq!(first["versions"].as_array().unwrap().len(), 10);
    let last = get(&emulator, "/v1/{p}/training-jobs/10/versions?page=2");
    assert_eq!(
        ids(&last["versions"], "version_id"),
        [json!(3), json!(2), json!(1)]
    );
    let past = get(
        &emulator,
        "/v1/{p}/training-jobs/10/versions?page=3&per_page=10",
    );
    assert_eq!(past["versions"], json!([]));
    assert_eq!(past["version_count"], 13);
    assert_eq!(
        refused(&emulator, "/v1/{p}/training-jobs/10/versions?per_page=1001"),
        (400, json!("ModelArts.0101"))
    );
    assert_eq!(
        refused(&emulator, "/v1/{p}/training-jobs/11/versions"),
        (400, json!("ModelArts.2775"))
    );

    let detail = get(&emulator, "/v1/{p}/training-jobs/10/versions/13");
    for (field, value) in [
        ("is_success", json!(true)),
        ("job_id", json!(10)),
        ("job_name", json!("job")),
        ("version_id", json!(13)),
        ("version_name", json!("V13")),
        ("pre_version_id", json!(12)),
        ("status", json!(8)),
        ("create_time", json!(T0)),
    ] {
        assert_eq!(detail[field], value, "{field}");
    }
    // Typed String on the page.
    assert!(detail["core"].is_string() && detail["cpu"].is_string());
    assert_eq!(
        refused(&emulator, "/v1/{p}/training-jobs/10/versions/99"),
        (400, json!("ModelArts.2775"))
    );
}

#[test]
fn visualization_job_list_and_detail() {
    let emulator = emulator();
    emulator.seed_many([
        SeedJob::visualization_job(10).name("tb-b").status(7),
        SeedJob::visualization_job(9).name("tb-a").status(8),
        SeedJob::visualization_job(100)
            .name("viewer")
            .create_time(T0),
    ]);
    let list = get(&emulator, "/v1/{p}/visualization-jobs");
    // Default sortBy job_id, ascending; ids are numbers (Long), by value.
    assert_eq!(
        ids(&list["jobs"], "job_id"),
        [json!(9), json!(10), json!(100)]
    );
    assert_eq!(list["job_total_count"], 3);
    for (query, expected) in [
        ("order=desc", vec![json!(100), json!(10), json!(9)]),
        ("sortBy=job_name", vec![json!(9), json!(10), json!(100)]),
        ("status=8", vec![json!(9)]),
        ("search_content=TB", vec![json!(9), json!(10)]),
        ("per_page=2&page=2", vec![json!(100)]),
        ("workspace_id=elsewhere", vec![]),
    ] {
        let list = get(&emulator, &format!("/v1/{{p}}/visualization-jobs?{query}"));
        assert_eq!(ids(&list["jobs"], "job_id"), expected, "{query}");
    }
    assert_eq!(
        refused(&emulator, "/v1/{p}/visualization-jobs?sortBy=duration"),
        (400, json!("ModelArts.0101"))
    );
    let detail = get(&emulator, "/v1/{p}/visualization-jobs/100");
    assert_eq!(
        (
            detail["job_name"].clone(),
            detail["status"].clone(),
            detail["create_time"].clone()
        ),
        (json!("viewer"), json!(7), json!(T0))
    );
}

#[test]
fn flink_job_list_filters_and_pages() {
    let emulator = emulator();
    emulator.seed_many([
        SeedJob::flink_job(1)
            .name("orders-stream")
            .queue("q1")
            .user("alice")
            .create_time(T0 + 1)
            .tag("team", "a"),
        SeedJob::flink_job(2)
            .name("clicks")
            .queue("q2")
            .user("bob")
            .status("job_finish")
            .job_type("flink_jar_job")
            .create_time(T0 + 2),
        SeedJob::flink_job(3)
            .name("Orders-batch")
            .queue("q1")
            .user("alice")
            .create_time(T0 + 3)
            .tag("team", "b"),
    ]);
    let list = get(&emulator, "/v1.0/{p}/streaming/jobs");
    assert_eq!(list["is_success"], "true");
    assert_eq!(list["message"], "Jobs are successfully listed.");
    // Default order: newest first.
    assert_eq!(
        ids(&list["job_list"]["jobs"], "job_id"),
        [json!(3), json!(2), json!(1)]
    );
    assert_eq!(list["job_list"]["total_count"], 3);
    let job = &list["job_list"]["jobs"][1];
    for (field, value) in [
        ("name", json!("clicks")),
        ("user_name", json!("bob")),
        ("job_type", json!("flink_jar_job")),
        ("status", json!("job_finish")),
        ("create_time", json!(T0 + 2)),
        ("queue_name", json!("q2")),
    ] {
        assert_eq!(job[field], value, "{field}");
    }
    for (query, expected) in [
        ("order=asc", vec![1, 2, 3]),
        ("queue_name=q1", vec![3, 1]),
        ("user_name=bob", vec![2]),
        ("job_type=flink_sql_job", vec![3, 1]),
        ("status=job_running", vec![3, 1]),
        ("name=orders", vec![3, 1]),
        ("tags=team%3Da", vec![1]),
        ("tags=team", vec![3, 1]),
        ("limit=2", vec![3, 2]),
        ("limit=2&offset=2", vec![1]),
        ("offset=3", vec![]),
        ("limit=0", vec![]),
    ] {
        let list = get(&emulator, &format!("/v1.0/{{p}}/streaming/jobs?{query}"));
        let expected: Vec<Value> = expected.into_iter().map(Value::from).collect();
        assert_eq!(
            ids(&list["job_list"]["jobs"], "job_id"),
            expected,
            "{query}"
        );
    }
    let queue = get(&emulator, "/v1.0/{p}/streaming/jobs?queue_name=q1&limit=1");
    assert_eq!(
        queue["job_list"]["total_count"], 2,
        "total_count counts every match"
    );
    let detailed = get(&emulator, "/v1.0/{p}/streaming/jobs?show_detail=true");
    let first = &detailed["job_list"]["jobs"][0];
    assert_eq!(first["project_id"], PID);
    assert!(first["job_config"].is_object());
    for bad in [
        "limit=101",
        "limit=-1",
        "offset=x",
        "order=new",
        "show_detail=yes",
    ] {
        assert_eq!(
            refused(&emulator, &format!("/v1.0/{{p}}/streaming/jobs?{bad}")),
            (400, json!("DLI.0001")),
            "{bad}"
        );
    }
}

#[test]
fn flink_job_detail() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(104).name("jptest").queue("flinktest"));
    let detail = get(&emulator, "/v1.0/{p}/streaming/jobs/104");
    assert_eq!(detail["is_success"], "true");
    let job = &detail["job_detail"];
    assert_eq!(
        (
            job["job_id"].clone(),
            job["name"].clone(),
            job["queue_name"].clone(),
            job["status"].clone()
        ),
        (
            json!(104),
            json!("jptest"),
            json!("flinktest"),
            json!("job_running")
        )
    );
    assert_eq!(
        refused(&emulator, "/v1.0/{p}/streaming/jobs/105"),
        (400, json!("DLI.0002"))
    );
}

#[test]
fn flink_batch_delete_answers_each_id_in_request_order() {
    let emulator = emulator();
    emulator.seed_many([SeedJob::flink_job(12), SeedJob::flink_job(232)]);
    let path = format!("/v1.0/{PID}/streaming/jobs/delete");
    let reply = api_body(
        &emulator,
        "POST",
        &path,
        r#"{"job_ids": [232, 5, 12, 232]}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let results = reply.json();
    let ok = json!({"is_success": "true", "message": "The job is successfully deleted."});
    assert_eq!(results[0], ok);
    assert_eq!(results[1]["is_success"], "false");
    assert!(
        results[1]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    assert_eq!(results[2], ok);
    assert_eq!(
        results[3]["is_success"], "false",
        "deleted earlier in the same request"
    );
    assert_eq!(results.as_array().unwrap().len(), 4);
    assert!(emulator.jobs().is_empty());

    emulator.seed(SeedJob::flink_job(1));
    for bad in [
        "",
        "{",
        r#"{"job_ids": []}"#,
        r#"{"job_ids": ["a"]}"#,
        "[1]",
    ] {
        let reply = api_body(&emulator, "POST", &path, bad);
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.json()["error_code"], "DLI.0001", "{bad}");
        assert!(reply.json()["error_msg"].is_string());
    }
    assert_eq!(emulator.jobs().len(), 1, "a refused batch deletes nothing");
}

#[test]
fn job_execution_list_sorts_and_pages_by_marker() {
    let emulator = emulator();
    for (i, id) in ["e1", "e2", "e3", "e4", "e5"].iter().enumerate() {
        let job = SeedJob::job_execution(*id)
            .create_time(T0 + 1000 * i as u64)
            .cluster(if i % 2 == 0 { "c-even" } else { "c-odd" });
        emulator.seed(job);
    }
    let page = |query: &str| get(&emulator, &format!("/v1.1/{{p}}/job-executions?{query}"));
    // Default: newest first, everything.
    let all = page("");
    assert_eq!(
        ids(&all["job_executions"], "id"),
        ["e5", "e4", "e3", "e2", "e1"].map(Value::from)
    );
    assert_eq!(all["markers"], json!({"prev": null, "next": null}));
    assert_eq!(
        all["job_executions"][0]["created_at"],
        "2023-11-14T22:13:24"
    );
    assert_eq!(all["job_executions"][0]["cluster_id"], "c-even");

    let first = page("limit=2&sort_by=id");
    assert_eq!(
        ids(&first["job_executions"], "id"),
        ["e1", "e2"].map(Value::from)
    );
    assert_eq!(first["markers"], json!({"prev": null, "next": "e2"}));
    let second = page("limit=2&sort_by=id&marker=e2");
    assert_eq!(
        ids(&second["job_executions"], "id"),
        ["e3", "e4"].map(Value::from)
    );
    assert_eq!(second["markers"], json!({"prev": null, "next": "e4"}));
    let last = page("limit=2&sort_by=id&marker=e4");
    assert_eq!(ids(&last["job_executions"], "id"), ["e5"].map(Value::from));
    assert_eq!(last["markers"], json!({"prev": "e2", "next": null}));
    let empty = page("limit=2&sort_by=id&marker=e5");
    assert_eq!(empty["job_executions"], json!([]));
    assert_eq!(empty["markers"]["next"], Value::Null);
    // An exact last page: no next marker.
    let exact = page("limit=1&sort_by=id&marker=e4");
    assert_eq!(exact["markers"], json!({"prev": "e3", "next": null}));

    let desc = page("sort_by=-id&limit=3");
    assert_eq!(
        ids(&desc["job_executions"], "id"),
        ["e5", "e4", "e3"].map(Value::from)
    );
    assert_eq!(desc["markers"]["next"], "e3");
    let by_cluster = page("sort_by=cluster_id");
    assert_eq!(
        ids(&by_cluster["job_executions"], "id"),
        ["e1", "e3", "e5", "e2", "e4"].map(Value::from)
    );
    for bad in [
        "marker=nope",
        "limit=0",
        "limit=1073741823",
        "limit=x",
        "sort_by=name",
        "sort_by=-",
    ] {
        assert_eq!(
            refused(&emulator, &format!("/v1.1/{{p}}/job-executions?{bad}")),
            (400, json!("12000002")),
            "{bad}"
        );
    }
    let detail = get(&emulator, "/v1.1/{p}/job-executions/e3");
    assert_eq!(detail["job_execution"]["id"], "e3");
    assert_eq!(
        refused(&emulator, "/v1.1/{p}/job-executions/e9"),
        (500, json!("0176"))
    );
}

/// Pages through a list until it ends; returns every id seen, in order.
fn walk(mut next_page: impl FnMut(usize) -> Vec<Value>) -> Vec<Value> {
    let mut seen = Vec::new();
    for n in 0.. {
        let page = next_page(n);
        if page.is_empty() {
            break;
        }
        seen.extend(page);
        assert!(n < 20_000, "the paging never ends");
    }
    seen
}

fn assert_each_once(seen: &[Value], expected: usize, what: &str) {
    assert_eq!(seen.len(), expected, "{what}: count");
    let unique: BTreeSet<String> = seen.iter().map(Value::to_string).collect();
    assert_eq!(unique.len(), expected, "{what}: duplicates");
}

#[test]
fn ten_thousand_seeded_jobs_are_listed_once_each_by_every_paging_style() {
    let emulator = emulator();
    let n = 10_000u64;
    // All at one create time, so the order rests on the tie-breakers alone.
    let jobs: Vec<Value> = (1..=n)
        .flat_map(|i| {
            [
                json!({"kind": "training_job", "job_id": i, "create_time": T0, "name": format!("job-{}", i % 7)}),
                json!({"kind": "flink_job", "job_id": i, "create_time": T0}),
                json!({"kind": "job_execution", "job_execution_id": format!("exec-{i:05}"), "create_time": T0}),
            ]
        })
        .collect();
    let body = Value::Array(jobs).to_string();
    let started = Instant::now();
    let reply = call(&emulator, "POST", "/_emulator/jobs", &body);
    let took = started.elapsed();
    assert_eq!(reply.status, 201);
    assert!(
        took < Duration::from_secs(5),
        "seeding 30 000 jobs in one request took {took:?}"
    );
    // Each training job also has its first version (seeded without versions).
    assert_eq!(emulator.jobs().len(), 4 * n as usize);

    let training = walk(|page| {
        let list = get(
            &emulator,
            &format!("/v1/{{p}}/training-jobs?per_page=1000&page={}", page + 1),
        );
        assert_eq!(list["job_total_count"], n);
        ids(&list["jobs"], "job_id")
    });
    assert_each_once(&training, n as usize, "ModelArts per_page/page");

    let flink = walk(|page| {
        let list = get(
            &emulator,
            &format!("/v1.0/{{p}}/streaming/jobs?limit=100&offset={}", page * 100),
        );
        ids(&list["job_list"]["jobs"], "job_id")
    });
    assert_each_once(&flink, n as usize, "DLI limit/offset");

    let mut marker: Option<String> = None;
    let mut executions = Vec::new();
    loop {
        let query = match &marker {
            Some(m) => format!("limit=700&marker={m}"),
            None => "limit=700".to_owned(),
        };
        let list = get(&emulator, &format!("/v1.1/{{p}}/job-executions?{query}"));
        executions.extend(ids(&list["job_executions"], "id"));
        match list["markers"]["next"].as_str() {
            Some(next) => marker = Some(next.to_owned()),
            None => break,
        }
        assert!(executions.len() <= n as usize, "the markers never end");
    }
    assert_each_once(&executions, n as usize, "MRS limit/marker");
}

#[test]
fn seeding_ten_thousand_jobs_through_the_library_is_fast() {
    let emulator = emulator();
    let started = Instant::now();
    emulator.seed_many((1..=10_000).map(|i| SeedJob::training_job(i).versions([1, 2])));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(emulator.jobs().len(), 30_000);
}
