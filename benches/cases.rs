//! The core's benchmark cases, each a name and a closure doing one operation: the same
//! list for criterion (`benches/core.rs`) and for the interleaved runner
//! (`benches/interleaved.rs`), so both measure exactly the same work.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use otc_jobs_core::UtcTime;
use otc_jobs_core::auth::{
    AkSk, Authorization, Credentials, SignatureForm, SigningParams, VerifyKey, verify, verify_with,
};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteTrainingJobVersion, DeleteVisualizationJob,
};
use otc_jobs_core::mrs::DeleteJobExecution;
use otc_jobs_core::{Endpoints, Operation, OperationExt, Region, Target};
use sha2::{Digest, Sha256};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmnopq";
const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const UNIX_TIME: u64 = 1_716_286_830;

/// One benchmark case: its name and one run of the measured work.
pub struct Case {
    /// As the tables print it, e.g. `build+sign/DeleteFlinkJob`.
    pub name: String,
    /// The operation whose floors ([`floor_names`]) this case is compared with, e.g.
    /// `DeleteFlinkJob`; `None` for a case without floors (parsing).
    pub floors_of: Option<&'static str>,
    /// Does the work once (its result goes through `black_box`).
    pub run: Box<dyn FnMut()>,
}

impl Case {
    fn new(name: impl Into<String>, run: impl FnMut() + 'static) -> Case {
        Case {
            name: name.into(),
            floors_of: None,
            run: Box::new(run),
        }
    }

    fn with_floors(mut self, label: &'static str) -> Case {
        self.floors_of = Some(label);
        self
    }
}

/// Names of the cases others are compared with.
pub mod names {
    /// aws-sigv4 signing the same request as `build+sign/DeleteFlinkJob`.
    pub const AWS_SIGV4: &str = "build+sign/aws-sigv4 reference (DeleteFlinkJob)";
}

/// The names of the two floors of the signed request `label` (as in `build+sign/{label}`):
/// its hashing alone and the building of the same `http::Request` alone.
pub fn floor_names(label: &str) -> (String, String) {
    (
        format!("floor/hashing only ({label})"),
        format!("floor/http::Request only ({label})"),
    )
}

/// Every case, in table order: signing with the floors of each signed request, verifying,
/// parsing.
pub fn all() -> Vec<Case> {
    let mut cases = signing();
    cases.extend(verifying());
    cases.extend(parsing());
    cases
}

/// `build+sign/{label}`: what both clients call for every request (built and signed in one
/// pass), followed by its two floors.
fn build_and_sign<O: Operation + 'static>(
    label: &'static str,
    op: O,
    form: SignatureForm,
) -> [Case; 3] {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(UNIX_TIME);
    let [hashing, building] = floors(label, &op, form);
    let measured = {
        let credentials = credentials.clone();
        Case::new(format!("build+sign/{label}"), move || {
            let target = Target::new(&endpoints, PROJECT);
            black_box(
                op.signed_request(&target, &credentials, time, form)
                    .unwrap(),
            );
        })
        .with_floors(label)
    };
    [measured, hashing, building]
}

fn signing() -> Vec<Case> {
    let vis = DeleteVisualizationJob::new("a b/c%d".parse().unwrap());
    let exe = DeleteJobExecution::new("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3".parse().unwrap());
    let access = SignatureForm::Access;
    let mut cases = Vec::new();
    cases.extend(build_and_sign(
        "DeleteTrainingJob",
        DeleteTrainingJob::new(10),
        access,
    ));
    cases.extend(build_and_sign(
        "DeleteTrainingJobVersion",
        DeleteTrainingJobVersion::new(10, 2),
        access,
    ));
    cases.extend(build_and_sign("DeleteVisualizationJob", vis, access));
    cases.extend(build_and_sign(
        "DeleteFlinkJob",
        DeleteFlinkJob::new(148),
        access,
    ));
    cases.extend(build_and_sign("DeleteJobExecution", exe, access));
    cases.extend(build_and_sign(
        "DeleteFlinkJob (derived key)",
        DeleteFlinkJob::new(148),
        SignatureForm::DerivedKey,
    ));
    cases.push(aws_sigv4_reference());
    cases
}

/// aws-sigv4 signing the same DELETE with the same headers (SigV4 derives its key like
/// our derived-key form; its canonical request is built the same way).
fn aws_sigv4_reference() -> Case {
    let identity = aws_credential_types::Credentials::new(AK, SK, None, None, "bench").into();
    let endpoints = Endpoints::new(Region::EU_DE);
    Case::new(names::AWS_SIGV4, move || {
        let target = Target::new(&endpoints, PROJECT);
        let mut request = DeleteFlinkJob::new(148).build_request(&target).unwrap();
        let settings = aws_sigv4::http_request::SigningSettings::default();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-de")
            .name("dli")
            .time(SystemTime::UNIX_EPOCH + Duration::from_secs(UNIX_TIME))
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let uri = request.uri().to_string();
        let signable = aws_sigv4::http_request::SignableRequest::new(
            request.method().as_str(),
            &uri,
            request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap())),
            aws_sigv4::http_request::SignableBody::Bytes(request.body()),
        )
        .unwrap();
        let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
            .unwrap()
            .into_parts();
        instructions.apply_to_request_http1x(&mut request);
        black_box(request);
    })
    .with_floors("DeleteFlinkJob")
}

fn hex(bytes: &[u8], out: &mut [u8; 64]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0f)];
    }
}

/// What no signer of `op`'s request avoids, measured on that very request (the one
/// `build+sign/{label}` makes, checked here to the byte):
///
/// - hashing: SHA-256 of its canonical request (and of its body, when signed and not
///   empty), then the HMAC of its string to sign with the key schedule done once (the
///   derived key already derived), both in hex on the stack;
/// - building: the same `http::Request` as cheaply as `http` allows, with the same drop:
///   the method, the URI put together from the base URL's parsed scheme and authority and
///   the path (and query) checked from an owned `String`, every header inserted into a map
///   reserved for them, the values cloned from ready ones except `Authorization`, which is
///   made from its bytes (a signed request's own value, new on every request, as signing
///   makes it; its allocation, check and free belong to the request).
fn floors<O: Operation>(label: &'static str, op: &O, form: SignatureForm) -> [Case; 2] {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(UNIX_TIME);
    let target = Target::new(&endpoints, PROJECT);
    let params = SigningParams {
        time,
        form,
        region: endpoints.region().as_str(),
        service: O::SERVICE.host_label(),
    };
    let signed = op
        .signed_request(&target, &credentials, time, form)
        .unwrap();
    let mut staged_request = op.build_request(&target).unwrap();
    let staged = otc_jobs_core::auth::sign(&mut staged_request, &credentials, &params)
        .unwrap()
        .unwrap();
    // The floors' request is the one measured beside them.
    assert_eq!(staged_request.headers(), signed.headers(), "{label}");
    assert_eq!(staged_request.uri(), signed.uri(), "{label}");

    let canonical = staged.canonical.text().to_owned();
    let body_hashed = staged.canonical.payload_hash()
        != otc_jobs_core::auth::canonical::UNSIGNED_PAYLOAD
        && !signed.body().is_empty();
    let body = signed.body().clone();
    // The string to sign without its last line, the canonical request's hash.
    let string_to_sign = staged.string_to_sign.as_bytes();
    let prefix = string_to_sign[..string_to_sign.len() - 64].to_vec();
    let key = match form {
        SignatureForm::DerivedKey => otc_jobs_core::auth::canonical::derived_key(
            SK,
            &staged.string_to_sign[16..24],
            params.region,
            params.service,
        )
        .to_vec(),
        _ => SK.as_bytes().to_vec(),
    };
    let keyed = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    let hash_once = move || {
        if body_hashed {
            black_box(Sha256::digest(black_box(&body)));
        }
        let mut hash = [0u8; 64];
        hex(&Sha256::digest(black_box(canonical.as_bytes())), &mut hash);
        let mut mac = keyed.clone();
        mac.update(&prefix);
        mac.update(&hash);
        let mut signature = [0u8; 64];
        hex(&mac.finalize().into_bytes(), &mut signature);
        signature
    };
    // The floor computes the very signature.
    assert_eq!(
        hash_once().as_slice(),
        staged.signature.as_bytes(),
        "{label}"
    );
    let (hashing_name, building_name) = floor_names(label);
    let hashing = Case::new(hashing_name, move || {
        black_box(hash_once());
    });

    let method = signed.method().clone();
    let scheme = signed.uri().scheme().unwrap().clone();
    let authority = signed.uri().authority().unwrap().clone();
    let path = signed.uri().path_and_query().unwrap().as_str().to_owned();
    let body = signed.body().clone();
    let headers: Vec<(http::HeaderName, http::HeaderValue)> = signed
        .headers()
        .iter()
        .filter(|(name, _)| *name != http::header::AUTHORIZATION)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let authorization = signed.headers()[http::header::AUTHORIZATION]
        .as_bytes()
        .to_vec();
    let build_once = move || {
        let mut request = http::Request::new(body.clone());
        *request.method_mut() = method.clone();
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(scheme.clone());
        parts.authority = Some(authority.clone());
        parts.path_and_query =
            Some(http::uri::PathAndQuery::try_from(black_box(path.clone())).unwrap());
        *request.uri_mut() = http::Uri::from_parts(parts).unwrap();
        let map = request.headers_mut();
        map.reserve(headers.len() + 1);
        for (name, value) in &headers {
            map.insert(name.clone(), value.clone());
        }
        map.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::try_from(black_box(authorization.as_slice()).to_vec()).unwrap(),
        );
        request
    };
    // The same request, to the byte (the headers in the same order).
    let built = build_once();
    assert_eq!(built.uri(), signed.uri(), "{label}");
    assert_eq!(built.method(), signed.method(), "{label}");
    assert_eq!(built.body(), signed.body(), "{label}");
    assert!(
        built.headers().iter().eq(signed.headers().iter()),
        "{label}"
    );
    let building = Case::new(building_name, move || {
        black_box(build_once());
    });
    [hashing, building]
}

/// What the emulator does for every request: read the Authorization header, recompute.
fn verifying() -> Vec<Case> {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(UNIX_TIME);
    let target = Target::new(&endpoints, PROJECT);
    let signed = |form| {
        let request = DeleteFlinkJob::new(148)
            .signed_request(&target, &credentials, time, form)
            .unwrap();
        request.into_parts()
    };
    let mut cases = Vec::new();
    for (name, form) in [
        ("verify/DeleteFlinkJob", SignatureForm::Access),
        (
            "verify/DeleteFlinkJob (derived key)",
            SignatureForm::DerivedKey,
        ),
    ] {
        let (parts, body) = signed(form);
        let floors = match form {
            SignatureForm::DerivedKey => "DeleteFlinkJob (derived key)",
            _ => "DeleteFlinkJob",
        };
        cases.push(
            Case::new(name, move || {
                let header = parts.headers["authorization"].to_str().unwrap();
                let auth = Authorization::parse(black_box(header)).unwrap();
                verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, SK).unwrap();
            })
            .with_floors(floors),
        );
    }
    // As the emulator verifies: the key schedule done once per secret key.
    let (parts, body) = signed(SignatureForm::Access);
    let key = VerifyKey::new(SK);
    cases.insert(
        1,
        Case::new("verify/DeleteFlinkJob (key prepared)", move || {
            let header = parts.headers["authorization"].to_str().unwrap();
            let auth = Authorization::parse(black_box(header)).unwrap();
            verify_with(
                &parts.method,
                &parts.uri,
                &parts.headers,
                &body,
                &auth,
                &key,
            )
            .unwrap();
        })
        .with_floors("DeleteFlinkJob"),
    );
    cases
}

fn answer(status: u16, body: &'static [u8]) -> http::Response<&'static [u8]> {
    http::Response::builder()
        .status(status)
        .header("X-Request-Id", "0f4bd3d9a7e44f6e8e4e5c2a1b3c4d5e")
        .header("Content-Type", "application/json")
        .body(body)
        .unwrap()
}

fn parsing() -> Vec<Case> {
    let ok = answer(200, br#"{"is_success": true}"#);
    let dli_ok = answer(
        200,
        br#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
    );
    let mrs_ok = answer(204, b"");
    let dli_err = answer(
        400,
        br#"{"error_code": "DLI.0002", "error_msg": "The object does not exist."}"#,
    );
    let ma_err = answer(
        200,
        br#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete. job status: 9"}"#,
    );
    vec![
        Case::new("parse/success DeleteTrainingJob", move || {
            black_box(DeleteTrainingJob::parse_response(black_box(&ok)).unwrap());
        }),
        Case::new("parse/success DeleteFlinkJob", move || {
            black_box(DeleteFlinkJob::parse_response(black_box(&dli_ok)).unwrap());
        }),
        Case::new("parse/success DeleteJobExecution (204)", move || {
            black_box(DeleteJobExecution::parse_response(black_box(&mrs_ok)).unwrap());
        }),
        Case::new("parse/error DeleteFlinkJob (DLI.0002)", move || {
            black_box(DeleteFlinkJob::parse_response(black_box(&dli_err)).unwrap_err());
        }),
        Case::new(
            "parse/error DeleteTrainingJob (is_success false)",
            move || {
                black_box(DeleteTrainingJob::parse_response(black_box(&ma_err)).unwrap_err());
            },
        ),
    ]
}
