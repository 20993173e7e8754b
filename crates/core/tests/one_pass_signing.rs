//! `OperationExt::authenticated_request` signs a request as it builds it: the result must be
//! the request `build_request` then `auth::authenticate` make, to the byte, for every shape
//! of request (ids that need encoding, queries, bodies, a body that is not JSON, IAM's
//! charset, no project), every form, temporary keys, tokens and user agents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use http::HeaderValue;
use http::header::USER_AGENT;
use otc_jobs_core::auth::{
    AkSk, Credentials, SecretString, SignatureForm, SigningParams, authenticate,
};
use otc_jobs_core::dli::{BatchDeleteFlinkJobs, DeleteFlinkJob, ListFlinkJobs};
use otc_jobs_core::iam::ListProjects;
use otc_jobs_core::modelarts::{DeleteTrainingJobVersion, DeleteVisualizationJob};
use otc_jobs_core::{
    BaseUrl, Endpoints, Operation, OperationExt, OperationResponse, PathId, PathValue, Region,
    Service, Target, UtcTime,
};

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/// An upload: a body that is not JSON, so its payload is not signed.
struct Upload(Vec<u8>);

#[derive(Debug, Default, serde::Deserialize)]
struct Nothing {}
impl OperationResponse for Nothing {}

impl Operation for Upload {
    type Response = Nothing;
    const NAME: &'static str = "Upload";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::PUT;
    const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/uploads/{name}";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        (name == "name").then_some(PathValue::Integer(-7))
    }

    fn body(&self) -> Result<Option<Vec<u8>>, otc_jobs_core::BuildError> {
        Ok(Some(self.0.clone()))
    }
}

/// Every header in order, with the method, the URI and the body.
fn shown(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    for (name, value) in request.headers() {
        out.push_str(&format!(
            "{name}: {:?} sensitive={}\n",
            value,
            value.is_sensitive()
        ));
    }
    out.push_str(&String::from_utf8_lossy(request.body()));
    out
}

fn check<O: Operation>(op: &O, target: &Target<'_>) -> usize {
    let time = UtcTime::from_unix(1_716_286_830);
    let all_credentials = [
        Credentials::AkSk(AkSk::new(
            "HPUAEXAMPLEAK0000001",
            "ExampleSecretKey0123456789abcdefghijklmnopq",
        )),
        Credentials::AkSk(AkSk::temporary("AK", "SK", "security-token")),
        Credentials::Token(SecretString::from("iam-token")),
    ];
    let forms = [
        SigningParams::access(time),
        SigningParams {
            time,
            form: SignatureForm::DerivedKey,
            region: "eu-de",
            service: O::SERVICE.host_label(),
        },
    ];
    let agents = [
        None,
        Some(HeaderValue::from_static("my-tool/1.0 (x)")),
        // Signed trimmed, sent as given.
        Some(HeaderValue::from_static(" padded ")),
    ];
    let mut checked = 0;
    for credentials in &all_credentials {
        for params in &forms {
            for agent in &agents {
                let at_once = op
                    .authenticated_request(target, credentials, params, agent.as_ref())
                    .unwrap();
                let mut in_steps = op.build_request(target).unwrap();
                if let Some(agent) = agent {
                    in_steps.headers_mut().insert(USER_AGENT, agent.clone());
                }
                authenticate(&mut in_steps, credentials, params).unwrap();
                assert_eq!(shown(&at_once), shown(&in_steps), "{}", O::NAME);
                checked += 1;
            }
        }
    }
    // A derived-key form without a scope is refused, as `authenticate` refuses it.
    let params = SigningParams {
        form: SignatureForm::DerivedKey,
        ..SigningParams::access(time)
    };
    let refused = op
        .authenticated_request(target, &all_credentials[0], &params, None)
        .unwrap_err();
    let mut in_steps = op.build_request(target).unwrap();
    let expected = authenticate(&mut in_steps, &all_credentials[0], &params).unwrap_err();
    assert_eq!(
        refused.to_string(),
        otc_jobs_core::Error::from(expected).to_string()
    );
    checked
}

#[test]
fn signed_as_built_equals_built_then_signed() {
    let endpoints = Endpoints::new(Region::EU_DE);
    let target = Target::new(&endpoints, PROJECT);
    let mut checked = 0;
    checked += check(&DeleteFlinkJob::new(148), &target);
    checked += check(&DeleteTrainingJobVersion::new(10, 2), &target);
    let odd = PathId::new("a b/c%d~é").unwrap();
    checked += check(&DeleteVisualizationJob::new(odd), &target);
    let mut list = ListFlinkJobs::new();
    list.limit = Some(100);
    list.offset = Some(200);
    list.name = Some("nightly run&co=1".to_owned());
    list.show_detail = Some(true);
    checked += check(&list, &target);
    checked += check(&BatchDeleteFlinkJobs::new(vec![12, 232]), &target);
    checked += check(&Upload(b"raw bytes".to_vec()), &target);
    // IAM: a charset in its content type, no project.
    checked += check(&ListProjects::new(), &Target::new(&endpoints, ""));
    // An endpoint with a path prefix and a port.
    let custom = Endpoints::new(Region::EU_DE).with_override(
        Service::Dli,
        BaseUrl::parse("http://127.0.0.1:8443/gateway/dli").unwrap(),
    );
    checked += check(&DeleteFlinkJob::new(7), &Target::new(&custom, PROJECT));
    assert_eq!(checked, 8 * 3 * 2 * 3);
}
