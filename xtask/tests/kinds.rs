//! `specs/kinds.toml`: the kind declarations resolve against their operations and pages,
//! and a declaration that does not fit them is refused, saying what does not fit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use xtask::codegen;
use xtask::kinds::{self, KindsFile, Part, Setter};
use xtask::specs;

fn specs_dir() -> PathBuf {
    codegen::workspace_root().join("specs")
}

fn kinds_text() -> String {
    std::fs::read_to_string(specs_dir().join("kinds.toml")).unwrap()
}

/// Resolves the real file with `edit` applied to its text.
fn resolve_edited(edit: impl Fn(&str) -> String) -> anyhow::Result<Vec<kinds::KindModel>> {
    let specs = specs::load(&specs_dir()).unwrap();
    let file: KindsFile = toml::from_str(&edit(&kinds_text())).unwrap();
    kinds::resolve(&specs_dir(), &specs, &file)
}

fn error_of(edit: impl Fn(&str) -> String) -> String {
    format!("{:#}", resolve_edited(edit).unwrap_err())
}

#[test]
fn the_declared_kinds_resolve_with_their_facts() {
    let kinds = resolve_edited(str::to_owned).unwrap();
    let by = |n: &str| kinds.iter().find(|k| k.name == n).unwrap();
    let version = by("training-job-version-v1");
    assert_eq!(version.parent.as_deref(), Some("training-job-v1"));
    assert_eq!(
        version.id_parts,
        [
            ("job_id".to_owned(), Part::Number),
            ("version_id".to_owned(), Part::Number)
        ]
    );
    assert_eq!(version.detail.as_deref(), Some("GetTrainingJobVersion"));
    assert!(version.asynchronous);
    // A child kind's filters are its parent's, then the one naming its parent.
    let (own, inherited) = version.filters.split_last().unwrap();
    assert_eq!(inherited, by("training-job-v1").filters.as_slice());
    assert_eq!(
        (
            own.flag.as_str(),
            own.target.as_str(),
            own.setter == Setter::Parent
        ),
        ("job-id", "job_id", true)
    );
    let flink = by("flink-job");
    assert_eq!(
        (flink.service.as_str(), flink.api_version.as_str()),
        ("dli", "v1.0")
    );
    assert!(!flink.asynchronous);
    assert!(flink.batch.is_some());
    let status = flink.filters.iter().find(|f| f.flag == "status").unwrap();
    assert!(
        status.values.contains(&"job_running".to_owned()),
        "{status:?}"
    );
    // Statuses named from job_statuses.rst.
    let v1 = by("training-job-v1");
    assert!(
        v1.statuses
            .contains(&("10".to_owned(), "completed".to_owned()))
    );
    let order = v1.filters.iter().find(|f| f.flag == "order").unwrap();
    assert_eq!(order.values, ["asc", "desc"]);
    assert_eq!(order.with[0].0, "sort_by");
    // MRS: the name and status live in untyped JSON objects.
    let exec = by("job-execution-v1");
    let name = exec.name_field.as_ref().unwrap();
    assert_eq!(name.json_keys, ["name"]);
    assert!(matches!(
        &exec.filters[0].setter,
        Setter::Field { ident, .. } if ident == "sort_by"
    ));
}

#[test]
fn a_declaration_that_does_not_fit_its_pages_is_refused() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "id = { field = \"job_id\", shape = \"number\" }\nrow = { name = \"name\"",
            "id = { field = \"job_id\", shape = \"text\" }\nrow = { name = \"name\"",
            "takes number",
        ),
        (
            "row = { name = \"job_name\", status = \"status\"",
            "row = { name = \"job_title\", status = \"status\"",
            "no field `job_title`",
        ),
        (
            "{ flag = \"name\", param = \"name\" }",
            "{ flag = \"name\", param = \"title\" }",
            "no optional query parameter or body field `title`",
        ),
        (
            "{ flag = \"order\", param = \"sort_by\", map = { asc = \"created_at\", desc = \"-created_at\" } }",
            "{ flag = \"order\", param = \"sort_by\", values = [\"sideways\"] }",
            "not on ListJobExecutions's page",
        ),
        (
            "parent = { kind = \"training-job-v1\", param = \"job_id\" }\n",
            "",
            "declare the `parent`",
        ),
        (
            "created = \"created_at\", created_unit = \"rfc3339\"",
            "created = \"created_at\"",
            "needs its `created_unit`",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(
            kinds_text().contains(from),
            "the test's text is stale: {from}"
        );
        let message = error_of(|t| t.replacen(from, to, 1));
        assert!(message.contains(expected), "{from} -> {to}: {message}");
    }
}
