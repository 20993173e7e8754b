//! `specs/operations.toml` and `specs/overrides.toml`: names, types and decisions, and the
//! rule that every override must still apply to its page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use xtask::codegen;
use xtask::specs::{self, FieldType, Lenient, OperationsFile, Overrides, PathType};

fn specs_dir() -> PathBuf {
    codegen::workspace_root().join("specs")
}

fn ops_file() -> OperationsFile {
    toml::from_str(&std::fs::read_to_string(specs_dir().join("operations.toml")).unwrap()).unwrap()
}

fn overrides() -> Overrides {
    toml::from_str(&std::fs::read_to_string(specs_dir().join("overrides.toml")).unwrap()).unwrap()
}

fn resolve(ops: &OperationsFile, ov: &Overrides) -> anyhow::Result<specs::Specs> {
    specs::resolve(Path::new(&specs_dir()), ops, ov)
}

#[test]
fn the_five_operations_resolve_with_their_decisions() {
    let s = specs::load(&specs_dir()).unwrap();
    let names: Vec<(&str, &str, &str)> = s
        .operations
        .iter()
        .map(|o| {
            (
                o.type_name.as_str(),
                o.module.as_str(),
                o.service_variant.as_str(),
            )
        })
        .take(5)
        .collect();
    assert_eq!(
        names,
        [
            ("DeleteTrainingJob", "delete_training_job", "ModelArts"),
            (
                "DeleteTrainingJobVersion",
                "delete_training_job_version",
                "ModelArts"
            ),
            (
                "DeleteVisualizationJob",
                "delete_visualization_job",
                "ModelArts"
            ),
            ("DeleteFlinkJob", "delete_flink_job", "Dli"),
            ("DeleteJobExecution", "delete_job_execution", "Mrs"),
        ]
    );
    let by = |n: &str| s.operations.iter().find(|o| o.type_name == n).unwrap();
    // Path parameters: Long -> integer, String -> PathId, untyped MRS id -> String by override.
    assert_eq!(
        by("DeleteTrainingJobVersion")
            .path_params
            .iter()
            .map(|p| p.ty)
            .collect::<Vec<_>>(),
        [PathType::Integer; 2]
    );
    assert_eq!(
        by("DeleteVisualizationJob").path_params[0].ty,
        PathType::Text
    );
    assert_eq!(by("DeleteJobExecution").path_params[0].ty, PathType::Text);
    assert!(
        by("DeleteFlinkJob")
            .path_params
            .iter()
            .all(|p| p.name != "project_id")
    );
    // DLI: lenient Boolean; everyone with is_success uses it as the verdict.
    let dli = by("DeleteFlinkJob");
    assert!(
        dli.response.iter().any(|f| f.name == "is_success"
            && f.ty == FieldType::Bool
            && f.lenient == Lenient::Bool)
    );
    assert_eq!(dli.success_flag.as_deref(), Some("is_success"));
    assert!(
        !by("DeleteTrainingJob")
            .response
            .iter()
            .any(|f| f.lenient == Lenient::Bool)
    );
    assert_eq!(
        by("DeleteTrainingJob").success_flag.as_deref(),
        Some("is_success")
    );
    assert_eq!(by("DeleteJobExecution").success_flag, None);
    assert!(by("DeleteJobExecution").response.is_empty());
    // Status codes: from the page, or from the override when the page only links the appendix.
    assert_eq!(dli.success_status, [200]);
    assert_eq!(by("DeleteJobExecution").success_status, [204]);
    assert_eq!(by("DeleteVisualizationJob").success_status, [200]);
}

#[test]
fn type_name_defaults_to_the_title() {
    let mut ops = ops_file();
    ops.operations[3].type_name = None;
    let mut ov = overrides();
    for o in ov
        .response_field
        .iter_mut()
        .filter(|o| o.operation == "DeleteFlinkJob")
    {
        o.operation = "DeleteJob".to_owned();
    }
    for o in ov
        .success_flag
        .iter_mut()
        .filter(|o| o.operation == "DeleteFlinkJob")
    {
        o.operation = "DeleteJob".to_owned();
    }
    for o in ov
        .known_issue
        .iter_mut()
        .filter(|o| o.operation == "DeleteFlinkJob")
    {
        o.operation = "DeleteJob".to_owned();
    }
    let s = resolve(&ops, &ov).unwrap();
    assert_eq!(s.operations[3].type_name, "DeleteJob");
    assert_eq!(s.operations[3].module, "delete_job");
}

fn err(ops: &OperationsFile, ov: &Overrides) -> String {
    format!("{:#}", resolve(ops, ov).unwrap_err())
}

#[test]
fn an_untyped_path_parameter_needs_an_override() {
    let mut ov = overrides();
    ov.path_param.clear();
    let e = err(&ops_file(), &ov);
    assert!(
        e.contains("job_execution_id") && e.contains("[[path_param]]"),
        "{e}"
    );
}

#[test]
fn a_page_without_2xx_codes_needs_an_override() {
    let mut ov = overrides();
    ov.success_status
        .retain(|o| o.operation != "DeleteTrainingJob");
    let e = err(&ops_file(), &ov);
    assert!(
        e.contains("DeleteTrainingJob") && e.contains("[[success_status]]"),
        "{e}"
    );
}

#[test]
fn stale_overrides_are_errors() {
    let mut ov = overrides();
    ov.response_field[0].name = "gone".into();
    assert!(err(&ops_file(), &ov).contains("`gone`"));

    let mut ov = overrides();
    ov.path_param[0].name = "nope".into();
    assert!(err(&ops_file(), &ov).contains("`nope`"));

    let mut ov = overrides();
    ov.known_issue[0].warning = "param-undocumented".into();
    assert!(err(&ops_file(), &ov).contains("no longer occurs"));

    let mut ov = overrides();
    ov.success_status.push(ov.success_status[0].clone());
    ov.success_status.last_mut().unwrap().operation = "DeleteFlinkJob".into();
    assert!(err(&ops_file(), &ov).contains("stale"));

    let mut ov = overrides();
    ov.success_flag[0].operation = "DeleteNothing".into();
    assert!(err(&ops_file(), &ov).contains("DeleteNothing"));
}

#[test]
fn every_override_needs_a_reason() {
    let mut ov = overrides();
    ov.known_issue[0].reason = " ".into();
    assert!(err(&ops_file(), &ov).contains("no reason"));
    let text = "[[path_param]]\noperation = \"X\"\nname = \"y\"\ntype = \"String\"\n";
    assert!(
        toml::from_str::<Overrides>(text).is_err(),
        "reason is a required key"
    );
}

#[test]
fn lenient_bool_only_on_booleans() {
    let mut ov = overrides();
    let mut o = ov.response_field[0].clone();
    o.name = "message".into();
    ov.response_field.push(o);
    assert!(err(&ops_file(), &ov).contains("not a Boolean"));
}

#[test]
fn generated_operation_files_follow_the_contract() {
    let s = specs::load(&specs_dir()).unwrap();
    let files = codegen::generate(&s, &codegen::workspace_root()).unwrap();
    let dli = &files["delete_flink_job.rs"];
    assert!(dli.starts_with(
        "// @generated by `cargo xtask codegen` from specs/dli/api-ref/source/flink_job-related_apis/deleting_a_job.rst — do not edit"
    ));
    assert!(dli.contains("//! `DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`\n//!\n//! This API is used to delete a Flink job in any state."));
    assert!(dli.contains("#[serde(default, deserialize_with = \"crate::de::lenient_bool\")]\n    pub is_success: Option<bool>,"));
    assert!(dli.contains("const SUCCESS_STATUS: &'static [u16] = &[200];"));
    assert!(dli.contains("let op = DeleteFlinkJob::new(148);"));
    let mrs = &files["delete_job_execution.rs"];
    assert!(mrs.contains("pub struct DeleteJobExecutionResponse {}"));
    assert!(mrs.contains("impl crate::OperationResponse for DeleteJobExecutionResponse {}"));
    assert!(mrs.contains("pub job_execution_id: crate::PathId,"));
    assert!(
        mrs.contains(
            "\"job_execution_id\" => Some(crate::PathValue::Text(&self.job_execution_id)),"
        )
    );
    let viz = &files["delete_visualization_job.rs"];
    assert!(
        viz.contains("DeleteVisualizationJob::new(\"10\".parse()?)"),
        "example value from the sample request"
    );
    let version = &files["delete_training_job_version.rs"];
    assert!(version.contains("DeleteTrainingJobVersion::new(10, 10)"));
    assert!(version.contains("const SUCCESS_FLAG: Option<&'static str> = Some(\"is_success\");"));
    let m = &files["mod.rs"];
    assert!(m.contains("pub mod modelarts {\n    pub use super::delete_training_config::*;"));
    assert!(m.contains("    pub use super::delete_training_job::*;\n"));
    // Deterministic: a second run gives the same text.
    assert_eq!(
        files,
        codegen::generate(&s, &codegen::workspace_root()).unwrap()
    );
}

#[test]
fn the_list_operations_resolve_to_nested_named_types() {
    let s = resolve(&ops_file(), &overrides()).unwrap();
    let by = |n: &str| s.operations.iter().find(|o| o.type_name == n).unwrap();
    let dli = by("ListFlinkJobs");
    let job_list = dli.response.iter().find(|f| f.name == "job_list").unwrap();
    assert_eq!(job_list.ty, FieldType::Named("ListFlinkJobsJobList".into()));
    let list = dli
        .structs
        .iter()
        .find(|t| t.name == "ListFlinkJobsJobList")
        .unwrap();
    let jobs = list.fields.iter().find(|f| f.name == "jobs").unwrap();
    assert_eq!(
        jobs.ty,
        FieldType::Vec(Box::new(FieldType::Named("ListFlinkJobsJob".into())))
    );
    assert_eq!(jobs.path, "job_list.jobs");
    let limit = dli.query.iter().find(|q| q.name == "limit").unwrap();
    assert_eq!((limit.ty.clone(), limit.required), (FieldType::I64, false));

    let batch = by("BatchDeleteFlinkJobs");
    assert!(batch.response.is_empty());
    assert_eq!(
        batch.response_item,
        Some(FieldType::Named("BatchDeleteFlinkJobsItem".into()))
    );
    assert_eq!(batch.body[0].ty, FieldType::Vec(Box::new(FieldType::I64)));
    assert!(batch.body[0].required);

    // MRS: `Id` on the page, `id` on the wire; the fields wrapped in `job_execution`.
    let mrs = by("GetJobExecution");
    assert_eq!(mrs.response.len(), 1);
    assert_eq!(mrs.response[0].name, "job_execution");
    let inner = mrs
        .structs
        .iter()
        .find(|t| t.name == "GetJobExecutionJobExecution")
        .unwrap();
    assert!(
        inner
            .fields
            .iter()
            .any(|f| f.name == "id" && f.ident == "id")
    );
    // ModelArts' sortBy is sent as written, set as sort_by.
    let ma = by("ListTrainingJobs");
    assert!(
        ma.query
            .iter()
            .any(|q| q.name == "sortBy" && q.ident == "sort_by")
    );
    // Nothing documented fell back to serde_json::Value on these pages.
    for op in &s.operations {
        assert!(
            op.fallbacks.is_empty(),
            "{}: {:?}",
            op.type_name,
            op.fallbacks
        );
    }
}

#[test]
fn stale_new_overrides_are_errors() {
    let mut ov = overrides();
    ov.type_spelling.push(specs::TypeSpelling {
        operation: "ListFlinkJobs".into(),
        spelling: "Bool".into(),
        means: "Boolean".into(),
        reason: "test".into(),
    });
    assert!(err(&ops_file(), &ov).contains("no longer occurs"));

    let mut ov = overrides();
    ov.type_spelling
        .retain(|t| t.operation != "ListJobExecutions");
    assert!(err(&ops_file(), &ov).contains("[[type_spelling]]"));

    let mut ov = overrides();
    for o in ov
        .response_field
        .iter_mut()
        .filter(|o| o.name == "job_executions.Id")
    {
        o.name = "job_executions.Ident".into();
    }
    assert!(err(&ops_file(), &ov).contains("job_executions.Ident"));

    let mut ov = overrides();
    for o in ov.response_wrapper.iter_mut() {
        o.field = "execution".into();
    }
    assert!(err(&ops_file(), &ov).contains("stale"));

    let mut ov = overrides();
    ov.query_param.retain(|q| q.name != "marker");
    assert!(err(&ops_file(), &ov).contains("[[query_param]]"));
}
