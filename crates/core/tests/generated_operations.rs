//! The five generated operations, built and signed by the core, give byte for byte the
//! request the official Huawei Cloud Python SDK sent for the same call (the vectors whose
//! `covers_operation` is 1-5), and parse what the pages document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningTime};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteTrainingJobVersion, DeleteVisualizationJob,
};
use otc_jobs_core::mrs::DeleteJobExecution;
use otc_jobs_core::{BaseUrl, Endpoints, Operation, OperationExt, PathId, Region, Service, Target};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    // Always the repository's vectors (OTC_SIGNING_VECTORS may name a file without them).
    let path = otc_jobs_test_vectors::default_path();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

/// The path parameters of a vector: given, or read back from the sent path.
fn params(vector: &Value) -> Vec<String> {
    let path = vector["input"]["path"].as_str().unwrap();
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .unwrap()
                .into_owned()
        })
        .collect();
    match vector["covers_operation"].as_u64().unwrap() {
        2 => vec![segments[4].clone(), segments[6].clone()],
        _ => vec![segments.last().unwrap().clone()],
    }
}

/// Builds `op` for the vector's host, signs it with the vector's headers and time, and
/// compares what would go on the wire with what the SDK sent.
fn same_as_sdk<O: Operation>(op: &O, vector: &Value) {
    let id = vector["id"].as_str().unwrap();
    let input = &vector["input"];
    let expected = &vector["expected"];
    let base = format!(
        "{}://{}",
        input["scheme"].as_str().unwrap(),
        input["host"].as_str().unwrap()
    );
    let endpoints = Endpoints::all_at(Region::EU_DE, BaseUrl::parse(&base).unwrap());
    let target = Target::new(&endpoints, input["project_id"].as_str().unwrap());

    let mut request = op.build_request(&target).unwrap();
    assert_eq!(
        request.uri().path(),
        input["path"].as_str().unwrap(),
        "{id}: path"
    );
    // Same headers as the SDK's call: its User-Agent and its date.
    for (name, value) in input["headers"].as_object().unwrap() {
        if name.eq_ignore_ascii_case("x-security-token") {
            continue; // added by the signer from the credentials
        }
        request.headers_mut().insert(
            http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap(),
            http::HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    let (ak, sk) = (input["ak"].as_str().unwrap(), input["sk"].as_str().unwrap());
    let keys = match input["security_token"].as_str() {
        Some(token) => AkSk::temporary(ak, sk, token),
        None => AkSk::new(ak, sk),
    };
    let time = SigningTime::parse_sdk_date(input["x_sdk_date"].as_str().unwrap()).unwrap();
    let params = otc_jobs_core::auth::SigningParams::access(time);
    otc_jobs_core::auth::sign(&mut request, &Credentials::AkSk(keys), &params).unwrap();

    assert_eq!(
        request.headers()["authorization"],
        expected["authorization"].as_str().unwrap(),
        "{id}"
    );
    assert_eq!(
        request.uri().path_and_query().unwrap().as_str(),
        expected["request_target"].as_str().unwrap(),
        "{id}: request target"
    );
    assert_eq!(
        request.method().as_str(),
        input["method"].as_str().unwrap(),
        "{id}"
    );
}

#[test]
fn every_operation_matches_the_official_sdk_on_the_wire() {
    let mut checked = [0usize; 5];
    for vector in vectors() {
        let Some(op) = vector["covers_operation"].as_u64() else {
            continue;
        };
        let p = params(&vector);
        match op {
            1 => same_as_sdk(&DeleteTrainingJob::new(p[0].parse().unwrap()), &vector),
            2 => same_as_sdk(
                &DeleteTrainingJobVersion::new(p[0].parse().unwrap(), p[1].parse().unwrap()),
                &vector,
            ),
            3 => same_as_sdk(
                &DeleteVisualizationJob::new(PathId::new(p[0].clone()).unwrap()),
                &vector,
            ),
            4 => same_as_sdk(&DeleteFlinkJob::new(p[0].parse().unwrap()), &vector),
            5 => same_as_sdk(
                &DeleteJobExecution::new(PathId::new(p[0].clone()).unwrap()),
                &vector,
            ),
            other => panic!("unknown operation {other}"),
        }
        checked[op as usize - 1] += 1;
    }
    assert!(
        checked.iter().all(|n| *n > 0),
        "every operation has a vector: {checked:?}"
    );
}

#[test]
fn operations_declare_their_service_method_and_path() {
    assert_eq!(DeleteTrainingJob::SERVICE, Service::ModelArts);
    assert_eq!(
        DeleteTrainingJobVersion::PATH_TEMPLATE,
        "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}"
    );
    assert_eq!(
        DeleteVisualizationJob::PATH_TEMPLATE,
        "/v1/{project_id}/visualization-jobs/{job_id}"
    );
    assert_eq!(DeleteFlinkJob::SERVICE, Service::Dli);
    assert_eq!(DeleteJobExecution::SERVICE, Service::Mrs);
    assert_eq!(DeleteJobExecution::SUCCESS_STATUS, &[204]);
    for method in [
        DeleteTrainingJob::METHOD,
        DeleteFlinkJob::METHOD,
        DeleteJobExecution::METHOD,
    ] {
        assert_eq!(method, http::Method::DELETE);
    }
}

#[test]
fn derived_key_form_is_scoped_to_the_operations_service_and_region() {
    let endpoints = Endpoints::new(Region::EU_NL);
    let target = Target::new(&endpoints, "p");
    let credentials = Credentials::AkSk(AkSk::new("AK", "SK"));
    let req = DeleteJobExecution::new("x".parse().unwrap())
        .signed_request(
            &target,
            &credentials,
            SigningTime::from_unix(1_716_286_830),
            SignatureForm::DerivedKey,
        )
        .unwrap();
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Credential=AK/20240521/eu-nl/mrs/sdk_request, "),
        "{auth}"
    );
}

fn answer(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn documented_answers_parse() {
    // ModelArts: the sample responses of the pages.
    let ok = DeleteTrainingJob::parse_response(&answer(200, r#"{"is_success": true}"#)).unwrap();
    assert_eq!(ok.is_success, Some(true));
    let failed =
        r#"{"is_success": false, "error_message": "Error string", "error_code": "ModelArts.0105"}"#;
    for err in [
        DeleteTrainingJob::parse_response(&answer(200, failed)).unwrap_err(),
        DeleteTrainingJobVersion::parse_response(&answer(200, failed)).unwrap_err(),
        DeleteVisualizationJob::parse_response(&answer(200, failed)).unwrap_err(),
    ] {
        assert!(err.as_service().is_some(), "{err:?}");
        assert_eq!(err.code(), Some("ModelArts.0105"));
    }
    // DLI: is_success as the string the example shows, and as a Boolean.
    let ok = DeleteFlinkJob::parse_response(&answer(
        200,
        r#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
    ))
    .unwrap();
    assert_eq!(ok.is_success, Some(true));
    assert_eq!(
        ok.message.as_deref(),
        Some("The job is successfully deleted.")
    );
    assert!(DeleteFlinkJob::parse_response(&answer(200, r#"{"is_success": true}"#)).is_ok());
    let gone = DeleteFlinkJob::parse_response(&answer(
        400,
        r#"{"error_code": "DLI.0002", "error_msg": "The job does not exist."}"#,
    ));
    assert!(gone.unwrap_err().is_not_found());
    // MRS: 204 without a body.
    DeleteJobExecution::parse_response(&answer(204, "")).unwrap();
}
