//! Several projects: each with its own jobs, picked by the project id in the path; IAM
//! lists them all; a project marked unreachable is listed and refused; a token reaches
//! only the project it is scoped to; the admin API seeds and lists per project.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{PID, api, call, send};
use otc_jobs_emulator::{
    Emulator, EmulatorConfig, EmulatorProject, IamUser, ProjectJob, SAMPLE_PROJECTS, SeedJob,
};
use serde_json::{Value, json};

const CI: &str = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
const ML: &str = "3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a";
const LOCKED: &str = "9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        projects: vec![
            EmulatorProject::new("eu-de_ci", CI),
            EmulatorProject::new("eu-nl_ml", ML),
            EmulatorProject::new("eu-nl_locked", LOCKED).unreachable(),
        ],
        users: vec![IamUser::new("alice", "pw", "OTC-EU-DE-1")],
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn flink_ids(reply: &common::Reply) -> Vec<u64> {
    let body = reply.json();
    let mut ids: Vec<u64> = body["job_list"]["jobs"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|j| j["job_id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn each_project_has_its_own_jobs() {
    let emulator = emulator();
    emulator.seed_many([SeedJob::flink_job(1)]);
    emulator
        .seed_projects([
            ProjectJob::new("eu-de_ci", SeedJob::flink_job(2)),
            ProjectJob::new(CI, SeedJob::flink_job(3)),
            ProjectJob::new(ML, SeedJob::flink_job(1)),
        ])
        .unwrap();
    let list = |project: &str| api(&emulator, "GET", &format!("/v1.0/{project}/streaming/jobs"));
    assert_eq!(flink_ids(&list(PID)), [1]);
    assert_eq!(flink_ids(&list(CI)), [2, 3]);
    assert_eq!(flink_ids(&list(ML)), [1]);

    // A deletion in one project leaves the same id in another.
    let deleted = api(&emulator, "DELETE", &format!("/v1.0/{ML}/streaming/jobs/1"));
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(flink_ids(&list(ML)), Vec::<u64>::new());
    assert_eq!(emulator.jobs(), [SeedJob::flink_job(1)]);
    assert_eq!(
        emulator.jobs_in("eu-de_ci").unwrap(),
        [SeedJob::flink_job(2), SeedJob::flink_job(3)]
    );
    assert_eq!(emulator.jobs_in("eu-de_typo"), None);
    // MRS shows the path's project as the job's tenant.
    emulator
        .seed_projects([ProjectJob::new(CI, SeedJob::job_execution("e1"))])
        .unwrap();
    let execution = api(&emulator, "GET", &format!("/v1.1/{CI}/job-executions/e1"));
    assert_eq!(execution.status, 200, "{}", execution.text());
    assert!(execution.text().contains(CI), "{}", execution.text());
}

#[test]
fn projects_the_credentials_may_not_reach_are_refused_as_documented() {
    let emulator = emulator();
    emulator
        .seed_projects([ProjectJob::new(LOCKED, SeedJob::flink_job(1))])
        .unwrap();
    for project in [LOCKED, "00000000000000000000000000000000"] {
        let modelarts = api(&emulator, "GET", &format!("/v1/{project}/training-jobs"));
        assert_eq!(modelarts.status, 403, "{}", modelarts.text());
        assert_eq!(modelarts.json()["error_code"], "ModelArts.0210");
        let dli = api(
            &emulator,
            "DELETE",
            &format!("/v1.0/{project}/streaming/jobs/1"),
        );
        assert_eq!(dli.status, 401, "{}", dli.text());
        assert_eq!(dli.json()["error_code"], "DLI.0013");
        let mrs = api(&emulator, "GET", &format!("/v1.1/{project}/job-executions"));
        assert_eq!(mrs.json()["error_code"], "12000001");
    }
    // Nothing was deleted in the unreachable project.
    assert_eq!(emulator.jobs_in(LOCKED).unwrap(), [SeedJob::flink_job(1)]);
}

fn names(body: &Value) -> Vec<(String, String)> {
    body["projects"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn login(emulator: &Emulator, scope: Value) -> common::Reply {
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": "pw", "domain": {"name": "OTC-EU-DE-1"}}}},
        "scope": {"project": scope},
    }});
    call(emulator, "POST", "/v3/auth/tokens", &body.to_string())
}

fn with_token(emulator: &Emulator, method: &str, path: &str, token: &str) -> common::Reply {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", emulator.base_url()))
        .header("x-auth-token", token)
        .body(Vec::new())
        .unwrap();
    send(emulator, &request).reply()
}

#[test]
fn iam_lists_every_project_and_scopes_tokens() {
    let emulator = emulator();
    let every = vec![
        ("eu-de".to_owned(), PID.to_owned()),
        ("eu-de_ci".to_owned(), CI.to_owned()),
        ("eu-nl_ml".to_owned(), ML.to_owned()),
        ("eu-nl_locked".to_owned(), LOCKED.to_owned()),
    ];
    // AK/SK: the signed project list, whole or by name.
    let listed = api(&emulator, "GET", "/v3/projects");
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(names(&listed.json()), every);
    let one = api(&emulator, "GET", "/v3/projects?name=eu-nl_ml");
    assert_eq!(names(&one.json()), [every[2].clone()]);
    assert!(names(&api(&emulator, "GET", "/v3/projects?name=eu-de_typo").json()).is_empty());
    // Unauthenticated: IAM's own 401.
    assert_eq!(call(&emulator, "GET", "/v3/auth/projects", "").status, 401);

    // A password login scoped by name to another project than the default one.
    let login_ci = login(&emulator, json!({"name": "eu-de_ci"}));
    assert_eq!(login_ci.status, 201, "{}", login_ci.text());
    assert_eq!(login_ci.json()["token"]["project"]["id"], CI);
    let token = login_ci.header("x-subject-token").unwrap().to_owned();
    let by_token = with_token(&emulator, "GET", "/v3/auth/projects", &token);
    assert_eq!(by_token.status, 200, "{}", by_token.text());
    assert_eq!(names(&by_token.json()), every);
    // The token reaches its project, not the default one.
    emulator
        .seed_projects([ProjectJob::new(CI, SeedJob::flink_job(5))])
        .unwrap();
    let in_ci = with_token(
        &emulator,
        "GET",
        &format!("/v1.0/{CI}/streaming/jobs"),
        &token,
    );
    assert_eq!(flink_ids(&in_ci), [5]);
    let elsewhere = with_token(
        &emulator,
        "GET",
        &format!("/v1/{PID}/training-jobs"),
        &token,
    );
    assert_eq!(elsewhere.status, 403, "{}", elsewhere.text());
    assert_eq!(elsewhere.json()["error_code"], "ModelArts.0210");
    // By id; an unknown scope is IAM's 400.
    assert_eq!(
        login(&emulator, json!({"id": ML})).json()["token"]["project"]["name"],
        "eu-nl_ml"
    );
    assert_eq!(login(&emulator, json!({"name": "eu-de_typo"})).status, 400);
}

#[test]
fn admin_seeds_and_lists_per_project() {
    let emulator = emulator();
    let seeded = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        &json!([
            {"kind": "flink-job", "job_id": 1},
            {"kind": "flink-job", "job_id": 2, "project_id": "eu-de_ci"},
            {"kind": "flink-job", "job_id": 3, "project_id": ML},
        ])
        .to_string(),
    );
    assert_eq!(seeded.status, 201, "{}", seeded.text());
    // Without a query, the default project's, as a single-project emulator lists them.
    let default = call(&emulator, "GET", "/_emulator/jobs", "");
    assert_eq!(default.json(), json!([{"kind": "flink-job", "job_id": 1}]));
    let typed: Vec<SeedJob> = serde_json::from_slice(&default.body).unwrap();
    assert_eq!(typed, emulator.jobs());
    // Every project's, or one's (by id or name), each row with its project's id.
    let listed = call(&emulator, "GET", "/_emulator/jobs?project_id=all", "");
    assert_eq!(
        listed.json(),
        json!([
            {"kind": "flink-job", "job_id": 1, "project_id": PID},
            {"kind": "flink-job", "job_id": 2, "project_id": CI},
            {"kind": "flink-job", "job_id": 3, "project_id": ML},
        ])
    );
    let typed: Vec<ProjectJob> = serde_json::from_slice(&listed.body).unwrap();
    assert_eq!(typed, emulator.all_jobs());
    for project in ["eu-de_ci", CI] {
        let one = call(
            &emulator,
            "GET",
            &format!("/_emulator/jobs?project_id={project}"),
            "",
        );
        assert_eq!(
            one.json(),
            json!([{"kind": "flink-job", "job_id": 2, "project_id": CI}])
        );
    }
    assert_eq!(
        call(
            &emulator,
            "GET",
            "/_emulator/jobs?project_id=eu-de_typo",
            ""
        )
        .status,
        400
    );

    // A project that is not declared: 400 naming it, and nothing of the batch is seeded.
    let refused = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        &json!([
            {"kind": "flink-job", "job_id": 9, "project_id": CI},
            {"kind": "flink-job", "job_id": 8, "project_id": "eu-de_typo"},
        ])
        .to_string(),
    );
    assert_eq!(refused.status, 400);
    assert!(refused.text().contains("eu-de_typo"), "{}", refused.text());
    assert_eq!(emulator.all_jobs().len(), 3);
    // Seeded into the default project by its name, or by its id: listed without one.
    emulator
        .seed_projects([
            ProjectJob::new("eu-de", SeedJob::flink_job(10)),
            ProjectJob::new(PID, SeedJob::flink_job(11)),
        ])
        .unwrap();
    assert_eq!(emulator.jobs().len(), 3);
    // Unknown fields are still refused beside project_id.
    let bad = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        r#"{"kind": "flink-job", "job_id": 9, "project_id": "eu-de_ci", "colour": "red"}"#,
    );
    assert_eq!(bad.status, 400, "{}", bad.text());

    let projects = call(&emulator, "GET", "/_emulator/projects", "");
    assert_eq!(
        projects.json(),
        json!([
            {"id": PID, "name": "eu-de"},
            {"id": CI, "name": "eu-de_ci"},
            {"id": ML, "name": "eu-nl_ml"},
            {"id": LOCKED, "name": "eu-nl_locked", "unreachable": true},
        ])
    );
    // Declared while running, then seeded and served.
    let declared = call(
        &emulator,
        "POST",
        "/_emulator/projects",
        r#"{"id": "f00d", "name": "eu-de_new"}"#,
    );
    assert_eq!(declared.status, 201, "{}", declared.text());
    assert_eq!(
        call(
            &emulator,
            "POST",
            "/_emulator/jobs",
            r#"{"kind": "flink-job", "job_id": 4, "project_id": "eu-de_new"}"#
        )
        .status,
        201
    );
    assert_eq!(
        flink_ids(&api(&emulator, "GET", "/v1.0/f00d/streaming/jobs")),
        [4]
    );
    assert_eq!(
        call(&emulator, "POST", "/_emulator/projects", r#"{"id": 1}"#).status,
        400
    );

    // Reset forgets the jobs of every project, not the projects.
    assert_eq!(call(&emulator, "POST", "/_emulator/reset", "").status, 204);
    assert!(emulator.all_jobs().is_empty());
    assert_eq!(emulator.projects().len(), 5);
}

#[test]
fn samples_fill_three_projects_in_two_regions() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed_samples();
    let projects = emulator.projects();
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["eu-de", "eu-de_ci", "eu-nl_ml"]);
    let regions: std::collections::BTreeSet<&str> =
        projects.iter().map(EmulatorProject::region).collect();
    assert_eq!(regions.len(), 2);
    let kinds = |project: &str| {
        emulator
            .jobs_in(project)
            .unwrap()
            .iter()
            .map(|j| j.kind().to_owned())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let every_kind = kinds(PID);
    assert!(every_kind.len() > 10, "{every_kind:?}");
    for (name, id) in SAMPLE_PROJECTS {
        assert_eq!(kinds(name), every_kind, "{name}");
        assert_eq!(
            flink_ids(&api(
                &emulator,
                "GET",
                &format!("/v1.0/{id}/streaming/jobs?limit=100")
            ))
            .len(),
            emulator
                .jobs_in(id)
                .unwrap()
                .iter()
                .filter(|j| j.kind() == "flink-job")
                .count()
        );
    }
}
