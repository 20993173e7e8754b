//! One client, two projects of the emulator (`Client::for_project`): each handle lists and
//! deletes the jobs of its own project only, with AK/SK and with a password login (a token
//! per project), and both clients see the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures_util::TryStreamExt;
use otc_jobs_conformance::{ClientSpec, Credentials};
use otc_jobs_core::dli::{DeleteFlinkJob, ListFlinkJobs};
use otc_jobs_driver::Project;
use otc_jobs_emulator::{
    AuthKind, DEFAULT_PROJECT_ID, Emulator, EmulatorProject, ProjectJob, SeedJob,
};

const CI: &str = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
/// In another region (eu-nl): its handle moves to that region, and keeps the emulator's
/// explicit endpoint.
const NL: &str = "3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a";

/// The ids each project listed before and after the deletion of job 2 in `eu-de_ci`.
#[derive(Debug, PartialEq)]
struct Seen {
    before: [Vec<i64>; 2],
    after: [Vec<i64>; 2],
    /// What `eu-nl_ml` listed.
    other_region: Vec<i64>,
}

/// The default project (`eu-de`) has jobs 1 and 2, `eu-de_ci` jobs 2 and 3.
fn emulator() -> Emulator {
    let emulator = otc_jobs_conformance::emulator().unwrap();
    emulator.declare_project(EmulatorProject::new("eu-de_ci", CI));
    emulator.declare_project(EmulatorProject::new("eu-nl_ml", NL));
    emulator.seed_many([SeedJob::flink_job(1), SeedJob::flink_job(2)]);
    emulator
        .seed_projects([
            ProjectJob::new(CI, SeedJob::flink_job(2)),
            ProjectJob::new(CI, SeedJob::flink_job(3)),
            ProjectJob::new("eu-nl_ml", SeedJob::flink_job(4)),
        ])
        .unwrap();
    emulator
}

fn ids(jobs: Vec<otc_jobs_core::dli::ListFlinkJobsJob>) -> Vec<i64> {
    let mut ids: Vec<i64> = jobs.into_iter().filter_map(|j| j.job_id).collect();
    ids.sort_unstable();
    ids
}

fn spec(credentials: Credentials) -> ClientSpec {
    ClientSpec {
        credentials,
        ..ClientSpec::default()
    }
}

fn blocking(emulator: &Emulator, credentials: Credentials) -> Seen {
    let client: otc_jobs_blocking::Client = spec(credentials).builder(emulator).build().unwrap();
    let projects = [
        client.for_project(Project::Name("eu-de".into())),
        client.for_project(Project::Name("eu-de_ci".into())),
    ];
    let list = |c: &otc_jobs_blocking::Client| {
        ids(c
            .paginate(ListFlinkJobs::new())
            .collect::<Result<Vec<_>, _>>()
            .unwrap())
    };
    let before = [list(&projects[0]), list(&projects[1])];
    projects[1].send(&DeleteFlinkJob::new(2)).unwrap();
    Seen {
        before,
        after: [list(&projects[0]), list(&projects[1])],
        other_region: list(&client.for_project(Project::Name("eu-nl_ml".into()))),
    }
}

fn asynchronous(emulator: &Emulator, credentials: Credentials) -> Seen {
    let client: otc_jobs_async::Client = spec(credentials).builder(emulator).build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let projects = [
            client.for_project(Project::Name("eu-de".into())),
            client.for_project(Project::Id(CI.into())),
        ];
        async fn list(c: &otc_jobs_async::Client) -> Vec<i64> {
            ids(c
                .paginate(ListFlinkJobs::new())
                .try_collect()
                .await
                .unwrap())
        }
        let before = [list(&projects[0]).await, list(&projects[1]).await];
        projects[1].send(&DeleteFlinkJob::new(2)).await.unwrap();
        Seen {
            before,
            after: [list(&projects[0]).await, list(&projects[1]).await],
            other_region: list(&client.for_project(Project::Name("eu-nl_ml".into()))).await,
        }
    })
}

#[test]
fn handles_for_two_projects_see_and_delete_only_their_own_jobs_on_both_clients() {
    let expected = Seen {
        before: [vec![1, 2], vec![2, 3]],
        after: [vec![1, 2], vec![3]],
        other_region: vec![4],
    };
    for credentials in [Credentials::AkSk, Credentials::Password] {
        let sync_emulator = emulator();
        assert_eq!(
            blocking(&sync_emulator, credentials),
            expected,
            "{credentials:?}"
        );
        let async_emulator = emulator();
        assert_eq!(
            asynchronous(&async_emulator, credentials),
            expected,
            "{credentials:?}"
        );
        for emulator in [&sync_emulator, &async_emulator] {
            // The deletion went to eu-de_ci's path; the default project kept its job 2.
            let deletes: Vec<String> = emulator
                .requests()
                .iter()
                .filter(|r| r.method == "DELETE")
                .map(|r| r.path.clone())
                .collect();
            assert_eq!(deletes, [format!("/v1.0/{CI}/streaming/jobs/2")]);
            assert_eq!(
                emulator.jobs_in(DEFAULT_PROJECT_ID).unwrap(),
                [SeedJob::flink_job(1), SeedJob::flink_job(2)]
            );
            assert_eq!(emulator.jobs_in(CI).unwrap(), [SeedJob::flink_job(3)]);
        }
    }
}

/// Every project's name, sorted: through `GET /v3/projects` (signed with AK/SK) or
/// `GET /v3/auth/projects` (with a password login's token), generated from IAM's pages.
fn discovered(names: impl IntoIterator<Item = Option<String>>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(Option::unwrap_or_default).collect();
    names.sort();
    names
}

#[test]
fn both_clients_discover_every_project_through_iam() {
    let expected = ["eu-de", "eu-de_ci", "eu-nl_ml"];
    for credentials in [Credentials::AkSk, Credentials::Password] {
        let emulator = emulator();
        let blocking: otc_jobs_blocking::Client =
            spec(credentials).builder(&emulator).build().unwrap();
        let asynchronous: otc_jobs_async::Client =
            spec(credentials).builder(&emulator).build().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (sync_names, async_names, (path, auth)) = match credentials {
            Credentials::Password => (
                discovered(
                    blocking
                        .list_auth_projects()
                        .unwrap()
                        .projects
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| p.name),
                ),
                discovered(
                    runtime
                        .block_on(asynchronous.list_auth_projects())
                        .unwrap()
                        .projects
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| p.name),
                ),
                ("/v3/auth/projects", AuthKind::Token),
            ),
            _ => (
                discovered(
                    blocking
                        .list_projects(otc_jobs_core::iam::ListProjects::new())
                        .unwrap()
                        .projects
                        .into_iter()
                        .map(|p| p.name),
                ),
                discovered(
                    runtime
                        .block_on(
                            asynchronous.list_projects(otc_jobs_core::iam::ListProjects::new()),
                        )
                        .unwrap()
                        .projects
                        .into_iter()
                        .map(|p| p.name),
                ),
                ("/v3/projects", AuthKind::AkSk),
            ),
        };
        assert_eq!(sync_names, expected, "{credentials:?}");
        assert_eq!(async_names, expected, "{credentials:?}");
        let lists = emulator
            .requests()
            .into_iter()
            .filter(|r| r.path == path && r.status == Some(200) && r.auth == auth)
            .count();
        assert_eq!(lists, 2, "{credentials:?}: {:?}", emulator.requests());
    }
}

/// `projects()`: every credential kind gets the same projects, each through the list
/// its credentials use, on both clients; each is reachable by id in its region.
#[test]
fn projects_are_discovered_with_every_credential_on_both_clients() {
    use otc_jobs_driver::AccountProject;
    let expected = vec![
        AccountProject {
            id: DEFAULT_PROJECT_ID.into(),
            name: "eu-de".into(),
        },
        AccountProject {
            id: CI.into(),
            name: "eu-de_ci".into(),
        },
        AccountProject {
            id: NL.into(),
            name: "eu-nl_ml".into(),
        },
    ];
    for credentials in [
        Credentials::AkSk,
        Credentials::Temporary,
        Credentials::Token,
        Credentials::Password,
    ] {
        let emulator = emulator();
        let blocking: otc_jobs_blocking::Client =
            spec(credentials).builder(&emulator).build().unwrap();
        let asynchronous: otc_jobs_async::Client =
            spec(credentials).builder(&emulator).build().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert_eq!(blocking.projects().unwrap(), expected, "{credentials:?}");
        assert_eq!(
            runtime.block_on(asynchronous.projects()).unwrap(),
            expected,
            "{credentials:?}"
        );
        let path = match credentials {
            Credentials::Token | Credentials::Password => "/v3/auth/projects",
            _ => "/v3/projects",
        };
        let lists: Vec<&str> = emulator
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/v3/") && r.path != "/v3/auth/tokens")
            .map(|r| if r.path == path { "expected" } else { "other" })
            .collect();
        assert_eq!(lists, ["expected", "expected"], "{credentials:?}");
        // The eu-nl project's handle lists its own jobs.
        let nl = &expected[2];
        assert_eq!(nl.region(), Some(otc_jobs_core::Region::EU_NL));
        let handle = blocking.for_project(nl.project());
        let listed: Vec<i64> = ids(handle
            .paginate(ListFlinkJobs::new())
            .collect::<Result<Vec<_>, _>>()
            .unwrap());
        assert_eq!(listed, [4], "{credentials:?}");
    }
}
