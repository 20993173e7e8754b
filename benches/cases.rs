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
    pub name: &'static str,
    /// Does the work once (its result goes through `black_box`).
    pub run: Box<dyn FnMut()>,
}

impl Case {
    fn new(name: &'static str, run: impl FnMut() + 'static) -> Case {
        Case {
            name,
            run: Box::new(run),
        }
    }
}

/// Names of the cases others are compared with.
pub mod names {
    /// aws-sigv4 signing the same request.
    pub const AWS_SIGV4: &str = "build+sign/aws-sigv4 reference (DeleteFlinkJob)";
    /// The hashing of a signature alone.
    pub const FLOOR_HASHING: &str = "floor/hashing only (DeleteFlinkJob)";
    /// Building the `http::Request` alone.
    pub const FLOOR_REQUEST: &str = "floor/http::Request only (DeleteFlinkJob)";
}

/// Every case, in table order: signing, floors, verifying, parsing.
pub fn all() -> Vec<Case> {
    let mut cases = signing();
    cases.extend(floors());
    cases.extend(verifying());
    cases.extend(parsing());
    cases
}

fn build_and_sign<O: Operation + 'static>(name: &'static str, op: O, form: SignatureForm) -> Case {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(UNIX_TIME);
    Case::new(name, move || {
        let target = Target::new(&endpoints, PROJECT);
        black_box(
            op.signed_request(&target, &credentials, time, form)
                .unwrap(),
        );
    })
}

fn signing() -> Vec<Case> {
    let vis = DeleteVisualizationJob::new("a b/c%d".parse().unwrap());
    let exe = DeleteJobExecution::new("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3".parse().unwrap());
    let access = SignatureForm::Access;
    vec![
        build_and_sign(
            "build+sign/DeleteTrainingJob",
            DeleteTrainingJob::new(10),
            access,
        ),
        build_and_sign(
            "build+sign/DeleteTrainingJobVersion",
            DeleteTrainingJobVersion::new(10, 2),
            access,
        ),
        build_and_sign("build+sign/DeleteVisualizationJob", vis, access),
        build_and_sign(
            "build+sign/DeleteFlinkJob",
            DeleteFlinkJob::new(148),
            access,
        ),
        build_and_sign("build+sign/DeleteJobExecution", exe, access),
        build_and_sign(
            "build+sign/DeleteFlinkJob (derived key)",
            DeleteFlinkJob::new(148),
            SignatureForm::DerivedKey,
        ),
        aws_sigv4_reference(),
    ]
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
}

/// What no signer of an `http::Request` avoids: the hashing of `SDK-HMAC-SHA256` alone
/// (SHA-256 of the canonical request, HMAC of the string to sign with the key schedule
/// done once, both in hex) and building the request itself (URI, the headers a signed
/// request carries, no signing).
fn floors() -> Vec<Case> {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(UNIX_TIME);
    let target = Target::new(&endpoints, PROJECT);
    let mut request = DeleteFlinkJob::new(148).build_request(&target).unwrap();
    let staged =
        otc_jobs_core::auth::sign(&mut request, &credentials, &SigningParams::access(time))
            .unwrap()
            .unwrap();
    let canonical = staged.canonical.text().to_owned();
    let keyed = Hmac::<Sha256>::new_from_slice(SK.as_bytes()).unwrap();
    fn hex(bytes: &[u8], out: &mut [u8; 64]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0x0f)];
        }
    }
    let hashing = Case::new(names::FLOOR_HASHING, move || {
        let mut hash = [0u8; 64];
        hex(&Sha256::digest(black_box(canonical.as_bytes())), &mut hash);
        let mut mac = keyed.clone();
        mac.update(b"SDK-HMAC-SHA256\n20240521T102030Z\n");
        mac.update(&hash);
        let mut signature = [0u8; 64];
        hex(&mac.finalize().into_bytes(), &mut signature);
        black_box(signature);
    });
    // The request as cheaply as `http` allows: the URI parsed from an owned string, the
    // headers a signed request carries inserted into a map sized for them.
    let uri = request.uri().to_string();
    let headers: Vec<(http::HeaderName, http::HeaderValue)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let building = Case::new(names::FLOOR_REQUEST, move || {
        let mut request = http::Request::new(Vec::<u8>::new());
        *request.method_mut() = http::Method::DELETE;
        *request.uri_mut() = http::Uri::try_from(black_box(uri.clone())).unwrap();
        let map = request.headers_mut();
        map.reserve(headers.len());
        for (name, value) in &headers {
            map.insert(name.clone(), value.clone());
        }
        black_box(request);
    });
    vec![hashing, building]
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
        cases.push(Case::new(name, move || {
            let header = parts.headers["authorization"].to_str().unwrap();
            let auth = Authorization::parse(black_box(header)).unwrap();
            verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, SK).unwrap();
        }));
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
        }),
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
