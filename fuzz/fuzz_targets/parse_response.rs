//! Every answer parser on any answer: the generated operations' `parse_response` (all of
//! them: the list below must name every `[[operation]]` of `specs/operations.toml`, which
//! the target checks on its first input), the error envelopes (`ServiceError::from_answer`) and the IAM answers.
//! None panics; a non-2xx answer is always a service error; errors keep at most
//! `RAW_BODY_LIMIT` bytes and print (each distinct error of an answer printed once).
//!
//! Input: 2 bytes of status, 1 byte of header choice, then the body.
#![no_main]

use std::sync::OnceLock;

use http::{HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use otc_jobs_core::auth::iam::{parse_projects_response, parse_token_response};
use otc_jobs_core::{
    Error, ErrorKind, OperationExt, RAW_BODY_LIMIT, ResponseErrorKind, ServiceError,
};

/// The facts of an error that its `Display` and `Debug` print. Every operation turns a
/// non-2xx answer into the same service error: printing it once per answer rather than
/// once per operation took a third off an execution.
#[derive(PartialEq)]
enum Printed<'a> {
    Service {
        status: StatusCode,
        code: Option<&'a str>,
        message: Option<&'a str>,
        request_id: Option<&'a str>,
        body: &'a [u8],
    },
    Response {
        kind: ResponseErrorKind,
        detail: &'a str,
        status: StatusCode,
        request_id: Option<&'a str>,
        body: &'a [u8],
    },
    /// Build, sign and transport errors: not expected from a parser; always printed.
    Other,
}

impl<'a> Printed<'a> {
    fn of(e: &'a Error) -> Self {
        match e.kind() {
            ErrorKind::Service(s) => Printed::Service {
                status: s.status,
                code: s.code.as_deref(),
                message: s.message.as_deref(),
                request_id: s.request_id.as_deref(),
                body: &s.body,
            },
            ErrorKind::Response(r) => Printed::Response {
                kind: r.kind,
                detail: &r.detail,
                status: r.status,
                request_id: r.request_id.as_deref(),
                body: &r.body,
            },
            _ => Printed::Other,
        }
    }
}

/// Judges `answer` with operation `O`, and checks what every parser promises; `printed`
/// holds the errors of this answer already printed.
fn check<O: OperationExt>(answer: &http::Response<&[u8]>, printed: &mut Vec<Error>) {
    match O::parse_response(answer) {
        Ok(_) => assert!(answer.status().is_success()),
        Err(e) => {
            if !answer.status().is_success() {
                assert!(e.as_service().is_some(), "{e:?}");
            }
            check_bounded(&e);
            let seen = Printed::of(&e);
            if seen == Printed::Other || !printed.iter().any(|p| Printed::of(p) == seen) {
                check_prints(&e);
                printed.push(e);
            }
        }
    }
}

fn check_error(e: &Error) {
    check_bounded(e);
    check_prints(e);
}

fn check_bounded(e: &Error) {
    match e.kind() {
        ErrorKind::Service(s) => assert!(s.body.len() <= RAW_BODY_LIMIT),
        ErrorKind::Response(r) => assert!(r.body.len() <= RAW_BODY_LIMIT),
        _ => {}
    }
}

fn check_prints(e: &Error) {
    let _ = e.to_string();
    let _ = format!("{e:?}");
}

/// `check` with each listed operation, and how many there are.
macro_rules! check_each {
    ($answer:expr, $printed:expr; $($service:ident::$op:ident),* $(,)?) => {{
        $( check::<otc_jobs_core::$service::$op>($answer, $printed); )*
        [$(stringify!($op)),*].len()
    }};
}

/// The operations the spec lists, so a new one is not left out of the list above
/// (counted once, not on every input).
fn specified_operations() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| {
        include_str!("../../specs/operations.toml")
            .lines()
            .filter(|line| line.trim() == "[[operation]]")
            .count()
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = StatusCode::from_u16(100 + u16::from_le_bytes([data[0], data[1]]) % 500)
        .unwrap_or(StatusCode::OK);
    let choice = data[2];
    let body = &data[3..];
    let mut builder = http::Response::builder().status(status);
    // Headers the parsers read, with values taken from the body's first bytes.
    let head = &body[..body.len().min(40)];
    if let Ok(value) = HeaderValue::from_bytes(head) {
        if choice & 1 != 0 {
            builder = builder.header("x-request-id", value.clone());
        }
        if choice & 2 != 0 {
            builder = builder.header("retry-after", value.clone());
        }
        if choice & 4 != 0 {
            builder = builder.header("location", value.clone());
        }
        if choice & 8 != 0 {
            builder = builder.header("x-subject-token", value);
        }
    }
    let Ok(answer) = builder.body(body) else {
        return;
    };
    let mut printed = Vec::new();
    let checked = check_each!(&answer, &mut printed;
        dli::BatchDeleteFlinkJobs, dli::DeleteFlinkJob, dli::GetFlinkJob, dli::ListFlinkJobs,
        dli::DeleteFlinkTemplate, dli::ListFlinkTemplates,
        modelarts::DeleteTrainingJob, modelarts::DeleteTrainingJobVersion,
        modelarts::DeleteVisualizationJob, modelarts::GetTrainingJobVersion,
        modelarts::GetVisualizationJob, modelarts::ListTrainingJobVersions,
        modelarts::ListTrainingJobs, modelarts::ListVisualizationJobs,
        modelarts::DeleteTrainingConfig, modelarts::GetTrainingConfig,
        modelarts::ListTrainingConfigs, modelarts::DeleteTrainingJobV2,
        modelarts::GetTrainingJobV2, modelarts::ListTrainingJobsV2,
        mrs::DeleteJobExecution, mrs::GetJobExecution, mrs::ListJobExecutions,
        mrs::DeleteJobBinary, mrs::GetJobBinary, mrs::ListJobBinaries,
        mrs::DeleteJobObject, mrs::GetJobObject, mrs::ListJobObjects,
        mrs::ListClusters, mrs::ListJobExecutionsV2, mrs::GetJobExecutionV2,
        mrs::KillJobExecutionV2, mrs::BatchDeleteJobExecutionsV2,
        dli::ListSqlJobs, dli::GetSqlJobStatus, dli::CancelSqlJob,
        dli::ListSparkJobs, dli::GetSparkJob, dli::CancelSparkJob,
        iam::ListProjects, iam::ListAuthProjects,
    );
    assert_eq!(
        checked,
        specified_operations(),
        "an operation is missing from the list"
    );

    let service =
        ServiceError::from_answer(otc_jobs_core::Service::Dli, status, answer.headers(), body);
    assert!(service.body.len() <= RAW_BODY_LIMIT);
    assert_eq!(service.status, status);
    check_error(&service.into());

    if let Err(e) = parse_token_response(&answer) {
        check_error(&e);
    }
    if let Err(e) = parse_projects_response(&answer, "eu-de") {
        check_error(&e);
    }
});
