//! The shared build/parse policy, on an operation declared here the way generated code
//! declares one (so the policy is tested apart from the pages).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::{
    BaseUrl, BuildError, Endpoints, Error, ErrorKind, InvalidPathId, Operation, OperationExt,
    OperationResponse, PathId, PathValue, Region, ResponseErrorKind, Service, ServiceError, Target,
    TemplateError,
};

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/// Like a ModelArts deletion: a Long and a String id, `is_success` in the body.
struct DeleteThing {
    job_id: i64,
    name: PathId,
}

#[derive(Debug, Default, serde::Deserialize)]
struct DeleteThingResponse {
    #[serde(default, deserialize_with = "otc_jobs_core::de::lenient_bool")]
    is_success: Option<bool>,
    #[serde(default)]
    message: Option<String>,
}

impl OperationResponse for DeleteThingResponse {
    const SUCCESS_FLAG: Option<&'static str> = Some("is_success");
}

impl Operation for DeleteThing {
    type Response = DeleteThingResponse;
    const NAME: &'static str = "DeleteThing";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/things/{job_id}/names/{name}";
    const SUCCESS_STATUS: &'static [u16] = &[200];

    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        match name {
            "job_id" => Some(PathValue::Integer(self.job_id)),
            "name" => Some(PathValue::Text(&self.name)),
            _ => None,
        }
    }
}

/// Like the MRS deletion: no body fields, 204.
struct DeleteBare;

#[derive(Debug, Default, serde::Deserialize)]
struct Empty {}
impl OperationResponse for Empty {}

impl Operation for DeleteBare {
    type Response = Empty;
    const NAME: &'static str = "DeleteBare";
    const SERVICE: Service = Service::Mrs;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1.1/{project_id}/job-executions/{missing}";
    const SUCCESS_STATUS: &'static [u16] = &[204];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

fn thing(name: &str) -> DeleteThing {
    DeleteThing {
        job_id: 10,
        name: PathId::new(name).unwrap(),
    }
}

fn answer(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("X-Request-Id", "rid-1")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn builds_method_url_and_headers() {
    let endpoints = Endpoints::new(Region::EU_DE);
    let req = thing("n")
        .build_request(&Target::new(&endpoints, PROJECT))
        .unwrap();
    assert_eq!(req.method(), http::Method::DELETE);
    assert_eq!(
        req.uri(),
        "https://modelarts.eu-de.otc.t-systems.com/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/things/10/names/n"
    );
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(req.headers()["x-project-id"], PROJECT);
    assert!(
        req.headers()["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("otc-jobs/")
    );
    assert!(req.body().is_empty());
}

#[test]
fn ids_that_would_break_the_path_are_encoded() {
    let endpoints = Endpoints::new(Region::EU_DE);
    let target = Target::new(&endpoints, PROJECT);
    for (id, encoded) in [
        ("a b/c%d", "a%20b%2Fc%25d"),
        ("x?y#z", "x%3Fy%23z"),
        ("作业-ü", "%E4%BD%9C%E4%B8%9A-%C3%BC"),
        ("...", "..."),
        ("a+b&c=d", "a%2Bb%26c%3Dd"),
    ] {
        let req = thing(id).build_request(&target).unwrap();
        assert_eq!(
            req.uri().path(),
            format!("/v1/{PROJECT}/things/10/names/{encoded}"),
            "{id}"
        );
        assert_eq!(req.uri().query(), None, "{id}");
    }
    assert_eq!(PathId::new(".."), Err(InvalidPathId::DotSegment("..")));
    assert_eq!(PathId::new(""), Err(InvalidPathId::Empty));
}

#[test]
fn endpoint_overrides_with_path_prefix_and_regions() {
    let endpoints = Endpoints::new(Region::EU_CH2).with_override(
        Service::ModelArts,
        BaseUrl::parse("http://127.0.0.1:9000/gw/").unwrap(),
    );
    let req = thing("n")
        .build_request(&Target::new(&endpoints, PROJECT))
        .unwrap();
    assert_eq!(
        req.uri(),
        "http://127.0.0.1:9000/gw/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/things/10/names/n"
    );
    // The Host the signer signs is the URI's authority, ready from the base URL.
    assert_eq!(req.headers()["host"], "127.0.0.1:9000");
    // A region name that makes no URL is said when a request is built, not before.
    let unusable = Endpoints::new(Region::new("eu de"));
    assert!(matches!(
        thing("n").build_request(&Target::new(&unusable, PROJECT)),
        Err(BuildError::InvalidUri(_))
    ));
    assert_eq!(
        Region::new("eu-ab").default_base_url(Service::Dli).as_str(),
        "https://dli.eu-ab.otc.t-systems.com"
    );
    assert_eq!(
        Region::EU_CH2.default_base_url(Service::Mrs).as_str(),
        "https://mrs.eu-ch2.sc.otc.t-systems.com"
    );
    for bad in [
        "",
        "127.0.0.1:80",
        "ftp://x",
        "http://",
        "http://h/p?q=1",
        "http://h/#f",
        "http://user:secret@h",
    ] {
        let err = BaseUrl::parse(bad).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

#[test]
fn bad_project_ids_and_missing_parameters_are_build_errors() {
    let endpoints = Endpoints::new(Region::EU_DE);
    for bad in ["", ".", ".."] {
        assert_eq!(
            thing("n")
                .build_request(&Target::new(&endpoints, bad))
                .unwrap_err(),
            BuildError::InvalidProjectId
        );
    }
    assert_eq!(
        thing("n")
            .build_request(&Target::new(&endpoints, "p\nq"))
            .unwrap_err(),
        BuildError::InvalidProjectId
    );
    assert_eq!(
        DeleteBare
            .build_request(&Target::new(&endpoints, PROJECT))
            .unwrap_err(),
        BuildError::Template(TemplateError::MissingParam("missing".into()))
    );
}

#[test]
fn success_is_2xx_with_a_body_that_does_not_say_otherwise() {
    let ok = DeleteThing::parse_response(&answer(200, r#"{"is_success": true}"#)).unwrap();
    assert_eq!(ok.is_success, Some(true));
    let ok = DeleteThing::parse_response(&answer(
        200,
        r#"{"is_success": "true", "message": "deleted", }"#,
    ));
    // A trailing comma is not JSON: reported, not guessed at.
    assert!(
        matches!(ok.map_err(Error::into_kind), Err(ErrorKind::Response(ref e)) if e.kind == ResponseErrorKind::Malformed)
    );
    let ok = DeleteThing::parse_response(&answer(
        200,
        r#"{"is_success": "true", "message": "deleted"}"#,
    ))
    .unwrap();
    assert_eq!(
        (ok.is_success, ok.message.as_deref()),
        (Some(true), Some("deleted"))
    );
    // MRS: 204 with no body, or 200 with an empty or JSON body.
    DeleteBare::parse_response(&answer(204, "")).unwrap();
    DeleteBare::parse_response(&answer(200, "  \n")).unwrap();
    DeleteBare::parse_response(&answer(200, r#"{"anything": 1}"#)).unwrap();
}

#[test]
fn is_success_false_is_a_service_error_even_on_200() {
    let err = DeleteThing::parse_response(&answer(
        200,
        r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete. job status: 9"}"#,
    ))
    .unwrap_err();
    let Some(e) = err.as_service() else {
        panic!("{err:?}")
    };
    assert_eq!(e.status, 200);
    assert_eq!(e.code.as_deref(), Some("ModelArts.0105"));
    assert_eq!(
        e.message.as_deref(),
        Some("This job can't be delete. job status: 9")
    );
    assert_eq!(e.request_id.as_deref(), Some("rid-1"));
    assert!(!err.is_not_found());
    let err = DeleteThing::parse_response(&answer(
        400,
        r#"{"is_success": false, "error_code": "ModelArts.2775", "error_message": "Training job (ID: 10) not found."}"#,
    ))
    .unwrap_err();
    assert!(err.is_not_found());
    // DLI's string form.
    let err = DeleteThing::parse_response(&answer(
        200,
        r#"{"is_success": "false", "message": "busy"}"#,
    ))
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[test]
fn error_answers_keep_status_code_message_and_request_id() {
    let err = DeleteThing::parse_response(&answer(
        400,
        r#"{"error_code": "DLI.0002", "error_msg": "The object does not exist.", "request_id": "body-rid"}"#,
    ))
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code(), Some("DLI.0002"));
    assert_eq!(
        err.request_id(),
        Some("rid-1"),
        "the header wins over the body"
    );
    // DLI's "no such job", on a ModelArts operation: not ModelArts' word.
    assert!(!err.is_not_found());
    let shown = err.to_string();
    assert!(
        shown.contains("400") && shown.contains("DLI.0002") && shown.contains("rid-1"),
        "{shown}"
    );

    let err = DeleteBare::parse_response(&answer(502, "<html>bad gateway</html>")).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(err.code(), None);
    assert!(err.to_string().contains("bad gateway"));
}

/// "Not found" only in the operation's own service's words; a 404 of anything else
/// (the gateway at a wrong path, a web server, a proxy) is a failure that names the
/// endpoint.
#[test]
fn gone_only_when_the_operations_service_says_so() {
    let gone = |result: Result<(), Error>| result.unwrap_err().is_not_found();
    let thing = |status, body| DeleteThing::parse_response(&answer(status, body)).map(drop);
    let bare = |status, body| DeleteBare::parse_response(&answer(status, body)).map(drop);
    assert!(gone(thing(
        400,
        r#"{"error_code":"ModelArts.2775","error_msg":"Training job (ID: 10) not found."}"#
    )));
    assert!(gone(thing(
        404,
        r#"{"error_code":"ModelArts.3502","error_msg":"does not exist"}"#
    )));
    assert!(gone(bare(
        500,
        r#"{"error_code":"0176","error_msg":"The job does not exist."}"#
    )));
    assert!(!gone(thing(
        500,
        r#"{"error_code":"0176","error_msg":"The job does not exist."}"#
    )));
    let gateway = r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment","request_id":"r"}"#;
    for body in [
        gateway,
        "",
        "<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        "404 page not found",
        r#"{"message":"no Route matched with those values"}"#,
    ] {
        for err in [thing(404, body).unwrap_err(), bare(404, body).unwrap_err()] {
            assert!(!err.is_not_found(), "{body}: {err}");
            assert!(err.is_misconfiguration(), "{body}: {err}");
            assert!(err.to_string().contains("check --endpoint"), "{err}");
        }
    }
}

#[test]
fn unreadable_answers_say_so_with_status_and_request_id() {
    for body in [
        r#"{"is_success": tr"#,
        "[1,2",
        "<html>",
        r#"{"is_success": 7}"#,
    ] {
        let err = DeleteThing::parse_response(&answer(200, body)).unwrap_err();
        let Some(e) = err.as_response() else {
            panic!("{body}: {err:?}")
        };
        assert_eq!(e.kind, ResponseErrorKind::Malformed);
        assert_eq!(e.status, 200);
        assert_eq!(e.request_id.as_deref(), Some("rid-1"));
        assert_eq!(*e.body, *body.as_bytes());
    }
}

/// [`DeleteThing`] with a verdict but without the verdict member in its type (as a page
/// whose response table leaves `is_success` out): the verdict is the body's, read beside
/// the typed answer all the same.
struct DeleteFlagged;

#[derive(Debug, Default, serde::Deserialize)]
struct FlaggedResponse {
    #[serde(default)]
    #[allow(dead_code)]
    message: Option<String>,
}

impl OperationResponse for FlaggedResponse {
    const SUCCESS_FLAG: Option<&'static str> = Some("is_success");
}

impl Operation for DeleteFlagged {
    type Response = FlaggedResponse;
    const NAME: &'static str = "DeleteFlagged";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/things";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

/// A refusal is the body's own verdict, read in the same pass as the typed answer: the
/// same error whether the type has the verdict member or not, wherever the verdict stands
/// and however it is written, with the fields the error envelope alone reads
/// ([`ServiceError::from_answer`]); a verdict given twice, not false, or in a body that is
/// not JSON is no refusal.
#[test]
fn a_refusal_is_the_bodys_verdict_whatever_the_type() {
    let refusals = [
        r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "job status: 9"}"#,
        "  { \"is_success\" :\t\"FALSE\" , \"error_code\":\"X\", \"message\": \"m\"}",
        r#"{"error_code": "X", "is_success": false}"#,
        r#"{"is_\u0073uccess": false, "error_msg": "escaped name"}"#,
        r#"{"is_success": false, "error": {"code": "N", "message": "nested"}, "request_id": "b"}"#,
        r#"{"is_success": false, "message": 7}"#,
        r#"{"is_success": false, "error_code": 1234, "message": "numeric code"}"#,
        r#"{"is_success": false, "jobs": {"not": "the documented shape"}}"#,
        r#"{"is_success": false}"#,
    ];
    for body in refusals {
        for status in [200, 201] {
            let answer = answer(status, body);
            let alone = ServiceError::from_answer(
                Service::ModelArts,
                answer.status(),
                answer.headers(),
                answer.body(),
            );
            for err in [
                DeleteThing::parse_response(&answer).map(drop).unwrap_err(),
                DeleteFlagged::parse_response(&answer)
                    .map(drop)
                    .unwrap_err(),
            ] {
                let Some(e) = err.as_service() else {
                    panic!("{body}: {err:?}")
                };
                assert_eq!(
                    (e.status, &e.code, &e.message, &e.request_id, &e.body),
                    (
                        alone.status,
                        &alone.code,
                        &alone.message,
                        &alone.request_id,
                        &alone.body
                    ),
                    "{body}"
                );
            }
        }
    }
    let err = DeleteFlagged::parse_response(&answer(200, refusals[0])).unwrap_err();
    assert_eq!(err.code(), Some("ModelArts.0105"));
    assert_eq!(err.message(), Some("job status: 9"));
    for body in [
        r#"{"is_success": false, "is_success": true}"#,
        r#"{"is_success": true, "is_success": false}"#,
        r#"{"is_success": false, "error_code": "X", "is_success": false}"#,
        r#"{"is_success": falsehood}"#,
        r#"{"is_success": "false"} trailing"#,
        r#"{"is_success": true, "message": "deleted"}"#,
        r#"{"is_success": "no"}"#,
        r#"{"error": {"is_success": false}}"#,
    ] {
        for result in [
            DeleteThing::parse_response(&answer(200, body)).map(drop),
            DeleteFlagged::parse_response(&answer(200, body)).map(drop),
        ] {
            assert!(
                result
                    .as_ref()
                    .map_or_else(|e| e.as_service().is_none(), |()| true),
                "{body}: {result:?}"
            );
        }
    }
}
