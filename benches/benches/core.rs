//! The sans-IO core: build + sign of every operation (both forms), verifying a signature,
//! parse of a success and of an error answer, and the `aws-sigv4` crate signing an
//! equivalent request, in the same run.
//!
//! `cargo bench -p otc-jobs-benches --bench core`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use otc_jobs_core::auth::{
    AkSk, Authorization, Credentials, SignatureForm, SigningTime, VerifyKey, verify, verify_with,
};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteTrainingJobVersion, DeleteVisualizationJob,
};
use otc_jobs_core::mrs::DeleteJobExecution;
use otc_jobs_core::{Endpoints, Operation, OperationExt, Region, Target};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmnopq";
const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn build_and_sign<O: Operation>(c: &mut Criterion, name: &str, op: &O, form: SignatureForm) {
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = SigningTime::from_unix(1_716_286_830);
    c.bench_function(name, |b| {
        b.iter(|| {
            let target = Target::new(&endpoints, PROJECT);
            black_box(
                op.signed_request(&target, &credentials, time, form)
                    .unwrap(),
            )
        })
    });
}

fn signing(c: &mut Criterion) {
    let vis = DeleteVisualizationJob::new("a b/c%d".parse().unwrap());
    let exe = DeleteJobExecution::new("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3".parse().unwrap());
    build_and_sign(
        c,
        "build+sign/DeleteTrainingJob",
        &DeleteTrainingJob::new(10),
        SignatureForm::Access,
    );
    build_and_sign(
        c,
        "build+sign/DeleteTrainingJobVersion",
        &DeleteTrainingJobVersion::new(10, 2),
        SignatureForm::Access,
    );
    build_and_sign(
        c,
        "build+sign/DeleteVisualizationJob",
        &vis,
        SignatureForm::Access,
    );
    build_and_sign(
        c,
        "build+sign/DeleteFlinkJob",
        &DeleteFlinkJob::new(148),
        SignatureForm::Access,
    );
    build_and_sign(
        c,
        "build+sign/DeleteJobExecution",
        &exe,
        SignatureForm::Access,
    );
    build_and_sign(
        c,
        "build+sign/DeleteFlinkJob (derived key)",
        &DeleteFlinkJob::new(148),
        SignatureForm::DerivedKey,
    );

    // Reference: aws-sigv4 signing the same DELETE with the same headers (SigV4 derives
    // its key like our derived-key form; its canonical request is built the same way).
    let identity = aws_credential_types::Credentials::new(AK, SK, None, None, "bench").into();
    let endpoints = Endpoints::new(Region::EU_DE);
    c.bench_function("build+sign/aws-sigv4 reference (DeleteFlinkJob)", |b| {
        b.iter(|| {
            let target = Target::new(&endpoints, PROJECT);
            let mut request = DeleteFlinkJob::new(148).build_request(&target).unwrap();
            let settings = aws_sigv4::http_request::SigningSettings::default();
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("eu-de")
                .name("dli")
                .time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_716_286_830))
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
            black_box(request)
        })
    });
}

/// What no signer of an `http::Request` avoids, in the same run as the rows above: the
/// hashing of `SDK-HMAC-SHA256` alone (SHA-256 of the canonical request, HMAC of the string
/// to sign with the key schedule done once, both in hex) and building the request itself
/// (URI, four headers, no signing).
fn floors(c: &mut Criterion) {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = SigningTime::from_unix(1_716_286_830);
    let target = Target::new(&endpoints, PROJECT);
    let mut request = DeleteFlinkJob::new(148).build_request(&target).unwrap();
    let staged = otc_jobs_core::auth::sign(
        &mut request,
        &credentials,
        &otc_jobs_core::auth::SigningParams::access(time),
    )
    .unwrap()
    .unwrap();
    let canonical = staged.canonical.text().to_owned();
    let keyed = Hmac::<Sha256>::new_from_slice(SK.as_bytes()).unwrap();
    let hex = |bytes: &[u8], out: &mut [u8; 64]| {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0x0f)];
        }
    };
    c.bench_function("floor/hashing only (DeleteFlinkJob)", |b| {
        b.iter(|| {
            let mut hash = [0u8; 64];
            hex(&Sha256::digest(black_box(canonical.as_bytes())), &mut hash);
            let mut mac = keyed.clone();
            mac.update(b"SDK-HMAC-SHA256\n20240521T102030Z\n");
            mac.update(&hash);
            let mut signature = [0u8; 64];
            hex(&mac.finalize().into_bytes(), &mut signature);
            black_box(signature)
        })
    });
    // The request as cheaply as `http` allows: the URI parsed from an owned string, the
    // six headers a signed request carries inserted into a map sized for them.
    let uri = request.uri().to_string();
    let headers: Vec<(http::HeaderName, http::HeaderValue)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    c.bench_function("floor/http::Request only (DeleteFlinkJob)", |b| {
        b.iter(|| {
            let mut request = http::Request::new(Vec::<u8>::new());
            *request.method_mut() = http::Method::DELETE;
            *request.uri_mut() = http::Uri::try_from(black_box(uri.clone())).unwrap();
            let map = request.headers_mut();
            map.reserve(headers.len());
            for (name, value) in &headers {
                map.insert(name.clone(), value.clone());
            }
            black_box(request)
        })
    });
}

fn verifying(c: &mut Criterion) {
    // What the emulator does for every request: read the Authorization header, recompute.
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = SigningTime::from_unix(1_716_286_830);
    let target = Target::new(&endpoints, PROJECT);
    for (name, form) in [
        ("verify/DeleteFlinkJob", SignatureForm::Access),
        (
            "verify/DeleteFlinkJob (derived key)",
            SignatureForm::DerivedKey,
        ),
    ] {
        let request = DeleteFlinkJob::new(148)
            .signed_request(&target, &credentials, time, form)
            .unwrap();
        let (parts, body) = request.into_parts();
        c.bench_function(name, |b| {
            b.iter(|| {
                let header = parts.headers["authorization"].to_str().unwrap();
                let auth = Authorization::parse(black_box(header)).unwrap();
                verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, SK).unwrap()
            })
        });
        if form == SignatureForm::Access {
            // As the emulator verifies: the key schedule done once per secret key.
            let key = VerifyKey::new(SK);
            c.bench_function("verify/DeleteFlinkJob (key prepared)", |b| {
                b.iter(|| {
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
                    .unwrap()
                })
            });
        }
    }
}

fn answer(status: u16, body: &'static [u8]) -> http::Response<&'static [u8]> {
    http::Response::builder()
        .status(status)
        .header("X-Request-Id", "0f4bd3d9a7e44f6e8e4e5c2a1b3c4d5e")
        .header("Content-Type", "application/json")
        .body(body)
        .unwrap()
}

fn parsing(c: &mut Criterion) {
    let ok = answer(200, br#"{"is_success": true}"#);
    c.bench_function("parse/success DeleteTrainingJob", |b| {
        b.iter(|| black_box(DeleteTrainingJob::parse_response(black_box(&ok)).unwrap()))
    });
    let dli_ok = answer(
        200,
        br#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
    );
    c.bench_function("parse/success DeleteFlinkJob", |b| {
        b.iter(|| black_box(DeleteFlinkJob::parse_response(black_box(&dli_ok)).unwrap()))
    });
    let mrs_ok = answer(204, b"");
    c.bench_function("parse/success DeleteJobExecution (204)", |b| {
        b.iter(|| black_box(DeleteJobExecution::parse_response(black_box(&mrs_ok)).unwrap()))
    });
    let dli_err = answer(
        400,
        br#"{"error_code": "DLI.0002", "error_msg": "The object does not exist."}"#,
    );
    c.bench_function("parse/error DeleteFlinkJob (DLI.0002)", |b| {
        b.iter(|| black_box(DeleteFlinkJob::parse_response(black_box(&dli_err)).unwrap_err()))
    });
    let ma_err = answer(
        200,
        br#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete. job status: 9"}"#,
    );
    c.bench_function("parse/error DeleteTrainingJob (is_success false)", |b| {
        b.iter(|| black_box(DeleteTrainingJob::parse_response(black_box(&ma_err)).unwrap_err()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = signing, floors, verifying, parsing
}
criterion_main!(benches);
