//! A client's handle for another project (`Client::for_project`), on both clients: it
//! acts in that project (its id in the path, a name resolved through IAM), shares the
//! client's credentials, and refuses a project name the credentials do not see with the
//! names they do, before any deletion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::{ClientSpec, Credentials};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::{BuildError, ErrorKind};
use otc_jobs_driver::Project;
use otc_jobs_emulator::{DEFAULT_PROJECT_ID, Emulator, SeedJob};

/// What one client saw: the paths it sent, and the unknown project's error.
#[derive(Debug, PartialEq)]
struct Seen {
    paths: Vec<String>,
    unknown: String,
}

fn emulator() -> Emulator {
    let emulator = otc_jobs_conformance::emulator().unwrap();
    emulator.seed_many([SeedJob::flink_job(1), SeedJob::flink_job(2)]);
    emulator
}

/// A client made for a project nobody has, then pointed at the emulator's.
fn spec(credentials: Credentials) -> ClientSpec {
    ClientSpec {
        credentials,
        ..ClientSpec::default()
    }
}

fn paths(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// With AK/SK the lookup lists the projects and the name is none of them; a password
/// login is scoped to the project by name, and IAM refuses the scope itself.
fn unknown_project(error: otc_jobs_core::Error) -> String {
    assert!(error.is_misconfiguration(), "{error}");
    match error.kind() {
        ErrorKind::Build(BuildError::UnknownProject { name, known }) => {
            format!("{name}: {known:?}")
        }
        ErrorKind::Service(e) if e.service == otc_jobs_core::Service::Iam => {
            format!(
                "IAM {}: {}",
                e.status.as_u16(),
                e.message.as_deref().unwrap_or("")
            )
        }
        other => panic!("not an unknown project: {other:?}"),
    }
}

fn blocking(credentials: Credentials) -> Seen {
    let emulator = emulator();
    let client: otc_jobs_blocking::Client = spec(credentials)
        .builder(&emulator)
        .project_id("0000000000000000000000000000dead")
        .build()
        .unwrap();
    let by_id = client.for_project(Project::Id(DEFAULT_PROJECT_ID.into()));
    by_id.send(&DeleteFlinkJob::new(1)).unwrap();
    let by_name = client.for_project(Project::Name("eu-de".into()));
    by_name.send(&DeleteFlinkJob::new(2)).unwrap();
    assert!(emulator.jobs().is_empty());
    let error = client
        .for_project(Project::Name("eu-de_typo".into()))
        .send(&DeleteFlinkJob::new(3))
        .unwrap_err();
    Seen {
        paths: paths(&emulator),
        unknown: unknown_project(error),
    }
}

fn asynchronous(credentials: Credentials) -> Seen {
    let emulator = emulator();
    let client: otc_jobs_async::Client = spec(credentials)
        .builder(&emulator)
        .project_id("0000000000000000000000000000dead")
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime.block_on(async {
        let by_id = client.for_project(Project::Id(DEFAULT_PROJECT_ID.into()));
        by_id.send(&DeleteFlinkJob::new(1)).await.unwrap();
        let by_name = client.for_project(Project::Name("eu-de".into()));
        by_name.send(&DeleteFlinkJob::new(2)).await.unwrap();
        client
            .for_project(Project::Name("eu-de_typo".into()))
            .send(&DeleteFlinkJob::new(3))
            .await
            .unwrap_err()
    });
    assert!(emulator.jobs().is_empty());
    Seen {
        paths: paths(&emulator),
        unknown: unknown_project(error),
    }
}

#[test]
fn a_handle_per_project_acts_in_that_project_on_both_clients() {
    for credentials in [Credentials::AkSk, Credentials::Password] {
        let seen = blocking(credentials);
        assert_eq!(seen, asynchronous(credentials), "{credentials:?}");
        let deletes: Vec<&String> = seen
            .paths
            .iter()
            .filter(|p| p.starts_with("DELETE"))
            .collect();
        let expected = [
            format!("DELETE /v1.0/{DEFAULT_PROJECT_ID}/streaming/jobs/1"),
            format!("DELETE /v1.0/{DEFAULT_PROJECT_ID}/streaming/jobs/2"),
        ];
        assert_eq!(
            deletes,
            expected.iter().collect::<Vec<_>>(),
            "{credentials:?}"
        );
        // With AK/SK each name was looked up (every project listed), the typo's too; a
        // password login names the project in the token's scope. No deletion was sent
        // for the typo.
        let lookups = seen
            .paths
            .iter()
            .filter(|p| p.as_str() == "GET /v3/projects")
            .count();
        let (expected_lookups, expected_error) = match credentials {
            Credentials::Password => (0, "IAM 400: Invalid scope: the project does not exist."),
            _ => (2, r#"eu-de_typo: ["eu-de"]"#),
        };
        assert_eq!(
            lookups, expected_lookups,
            "{credentials:?}: {:?}",
            seen.paths
        );
        assert_eq!(seen.unknown, expected_error, "{credentials:?}");
    }
}
