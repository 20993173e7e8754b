//! Queries and bodies, built by `OperationExt::build_request` and signed, against the
//! signing vectors that have them: the query sent must be exactly the vector's request
//! target (the canonical query), the body its bytes, and the signature the vector's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::auth::{AkSk, Credentials, SigningParams, SigningTime, sign};
use otc_jobs_core::{
    BaseUrl, BuildError, Endpoints, Error, ErrorKind, Operation, OperationExt, OperationResponse,
    PathValue, Query, Region, ResponseErrorKind, Service, Target, json_body,
};
use otc_jobs_test_vectors::Vector;
use serde_json::Value;

/// The vector's query as typed parameters: strings, integers, Booleans, lists.
#[derive(Clone)]
struct VectorQuery(Vec<(String, Value)>);

impl VectorQuery {
    fn write(&self, q: &mut Query) {
        for (k, v) in &self.0 {
            match v {
                Value::String(s) => q.push(k, s),
                Value::Bool(b) => q.push(k, b),
                Value::Number(n) => q.push(k, n.as_i64().unwrap()),
                Value::Array(items) => q.push_all(k, items.iter().map(|i| i.as_str().unwrap())),
                other => panic!("unexpected query value {other}"),
            }
        }
    }
}

macro_rules! get_op {
    ($name:ident, $path:literal) => {
        struct $name(VectorQuery);
        impl Operation for $name {
            type Response = Any;
            const NAME: &'static str = stringify!($name);
            const SERVICE: Service = Service::Dli;
            const METHOD: http::Method = http::Method::GET;
            const PATH_TEMPLATE: &'static str = $path;
            const SUCCESS_STATUS: &'static [u16] = &[200];
            fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
                None
            }
            fn query(&self, q: &mut Query) {
                self.0.write(q)
            }
        }
    };
}

/// Any JSON answer.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Any(#[allow(dead_code)] Value);

impl OperationResponse for Any {}

get_op!(ListCloudservers, "/v1/{project_id}/cloudservers/detail");
get_op!(ListServers, "/v1/{project_id}/servers");
get_op!(GetObject, "/bucket/object");

#[derive(serde::Serialize)]
struct Config {
    worker_server_num: i64,
}

/// `sig-post-json`: a typed body, serialised by `json_body` in field order.
#[derive(serde::Serialize)]
struct CreateTrainingJob {
    job_name: String,
    config: Config,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl Operation for CreateTrainingJob {
    type Response = Any;
    const NAME: &'static str = "CreateTrainingJob";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/training-jobs";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
    fn body(&self) -> Result<Option<Vec<u8>>, BuildError> {
        json_body(self)
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// Builds the vector's request through `build_request`, gives it the vector's headers,
/// signs it and compares the request target, body and authorization.
fn check<O: Operation>(vector: &Vector, op: &O) {
    let input = vector.input();
    let expected = vector.expected();
    let base = BaseUrl::parse(&format!(
        "{}://{}",
        text(input, "scheme"),
        text(input, "host")
    ))
    .unwrap();
    let endpoints = Endpoints::all_at(Region::EU_DE, base);
    let project = match input["project_id"].as_str() {
        Some(p) => p.to_owned(),
        None => "0a1b2c3d4e5f60718293a4b5c6d7e8f9".to_owned(),
    };
    let target = Target::new(&endpoints, &project);
    let mut request = op.build_request(&target).unwrap();

    let target_sent = request.uri().path_and_query().unwrap().as_str().to_owned();
    assert_eq!(
        target_sent,
        text(expected, "request_target"),
        "{}",
        vector.id
    );
    let body = input["body"].as_str().unwrap_or("").as_bytes();
    assert_eq!(request.body().as_slice(), body, "{}: body", vector.id);

    // The vector's headers replace ours (it has no User-Agent); the rest is ours.
    let reference = otc_jobs_test_vectors::request(vector).unwrap();
    *request.headers_mut() = reference.headers().clone();
    let keys = match input["security_token"].as_str() {
        Some(token) => AkSk::temporary(text(input, "ak"), text(input, "sk"), token),
        None => AkSk::new(text(input, "ak"), text(input, "sk")),
    };
    let time = SigningTime::parse_sdk_date(&text(input, "x_sdk_date")).unwrap();
    let signed = sign(
        &mut request,
        &Credentials::AkSk(keys),
        &SigningParams::access(time),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        signed.canonical.canonical_query(),
        text(expected, "canonical_query_string"),
        "{}",
        vector.id
    );
    assert_eq!(
        request.headers()["authorization"].to_str().unwrap(),
        text(expected, "authorization"),
        "{}",
        vector.id
    );
}

/// The public vector `id`, always from the repository's file: `OTC_SIGNING_VECTORS` may
/// name another vectors file (for the signer's and the verifier's tests), which need not
/// hold these ids (as in `generated_operations.rs`; shown by
/// `passes_when_otc_signing_vectors_names_another_file`).
fn vector(id: &str) -> Vector {
    let path = otc_jobs_test_vectors::default_path();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let json = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no vector {id} in {}", path.display()))
        .clone();
    Vector {
        id: id.to_owned(),
        json,
    }
}

/// This file's tests pass with `OTC_SIGNING_VECTORS` naming a vectors file without the
/// public vectors: run again in a child process with it set, they still pass.
#[test]
fn passes_when_otc_signing_vectors_names_another_file() {
    if std::env::var_os(otc_jobs_test_vectors::ENV_VAR).is_some() {
        // The child run itself (or a run with other vectors): nothing to spawn.
        return;
    }
    let other = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "query_body_other_vectors_{}.json",
        std::process::id()
    ));
    std::fs::write(&other, r#"{"constants": {}, "vectors": []}"#).unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "queries_are_sent_as_the_signer_canonicalises_them",
            "json_bodies_are_compact_and_signed_byte_exactly",
        ])
        .env(otc_jobs_test_vectors::ENV_VAR, &other)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&other);
    let out = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(out.contains("2 passed"), "{out}");
}

fn query_of(v: &Vector) -> VectorQuery {
    VectorQuery(
        v.input()["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].clone()))
            .collect(),
    )
}

#[test]
fn queries_are_sent_as_the_signer_canonicalises_them() {
    let mut checked = 0;
    for (id, path) in [
        ("sig-query-multi", "cloudservers"),
        ("sig-query-list-value", "servers"),
        ("sig-query-bool", "servers"),
        ("sig-query-empty-value", "servers"),
        ("sig-security-token-get", "cloudservers"),
        ("sig-query-reserved", "object"),
    ] {
        let v = vector(id);
        let q = query_of(&v);
        match path {
            "cloudservers" => check(&v, &ListCloudservers(q)),
            "servers" => check(&v, &ListServers(q)),
            _ => check(&v, &GetObject(q)),
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn json_bodies_are_compact_and_signed_byte_exactly() {
    let v = vector("sig-post-json");
    let op = CreateTrainingJob {
        job_name: "demo".into(),
        config: Config {
            worker_server_num: 1,
        },
        description: None,
    };
    check(&v, &op);
}

/// A top-level JSON array answer (DLI's batch deletion).
#[derive(Debug, serde::Deserialize, PartialEq)]
#[serde(transparent)]
struct Results(Vec<Value>);

impl OperationResponse for Results {
    const EMPTY_BODY: &'static [u8] = b"[]";
}

struct BatchDelete;

impl Operation for BatchDelete {
    type Response = Results;
    const NAME: &'static str = "BatchDelete";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::POST;
    const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/streaming/jobs/delete";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

#[test]
fn array_answers_parse_and_an_empty_body_is_an_empty_array() {
    let ok = http::Response::builder()
        .status(200)
        .body(br#"[{"is_success": "true", "message": "ok"}]"#.to_vec())
        .unwrap();
    assert_eq!(BatchDelete::parse_response(&ok).unwrap().0.len(), 1);
    let empty = http::Response::builder()
        .status(200)
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        BatchDelete::parse_response(&empty).unwrap(),
        Results(vec![])
    );
    let object = http::Response::builder()
        .status(200)
        .body(br#"{"is_success": true}"#.to_vec())
        .unwrap();
    match BatchDelete::parse_response(&object).map_err(Error::into_kind) {
        Err(ErrorKind::Response(e)) => {
            assert_eq!(e.kind, ResponseErrorKind::Malformed);
            assert_eq!(*e.body, *br#"{"is_success": true}"#);
        }
        other => panic!("expected a malformed answer, got {other:?}"),
    }
}
