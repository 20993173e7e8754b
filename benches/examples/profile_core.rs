//! A loop over one core path, for instruction counts under callgrind:
//! `cargo build --profile bench -p otc-jobs-benches --example profile_core` then
//! `valgrind --tool=callgrind target/release/examples/profile_core sign 10000`
//! (what: `sign`, `derived`, `verify`, `verify-key`, `parse-ok` and `parse-err` on a DLI
//! deletion, `parse-ok-modelarts` and `parse-err-modelarts` on a ModelArts deletion whose
//! 200 answer says `is_success: false`, `parse-204` on an MRS deletion's empty 204; `serde-ok`, `serde-err-modelarts`: the floor,
//! `serde_json::from_slice` alone into the same response types on the same bytes;
//! `case N NAME`: any case of `otc_jobs_benches::cases` whose name contains NAME, the
//! floors included).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use otc_jobs_core::UtcTime;
use otc_jobs_core::auth::{
    AkSk, Authorization, Credentials, SignatureForm, VerifyKey, verify, verify_with,
};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::modelarts::DeleteTrainingJob;
use otc_jobs_core::{Endpoints, OperationExt, Region, Target};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmnopq";
const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "sign".to_owned());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let endpoints = Endpoints::new(Region::EU_DE);
    let credentials = Credentials::AkSk(AkSk::new(AK, SK));
    let time = UtcTime::from_unix(1_716_286_830);
    let op = DeleteFlinkJob::new(148);
    let target = Target::new(&endpoints, PROJECT);
    match what.as_str() {
        "sign" | "derived" => {
            let form = if what == "sign" {
                SignatureForm::Access
            } else {
                SignatureForm::DerivedKey
            };
            for _ in 0..n {
                black_box(
                    op.signed_request(&target, &credentials, time, form)
                        .unwrap(),
                );
            }
        }
        "verify" | "verify-key" => {
            let request = op
                .signed_request(&target, &credentials, time, SignatureForm::Access)
                .unwrap();
            let (parts, body) = request.into_parts();
            // `verify-key`: with the key prepared once, as the emulator keeps it.
            let key = (what == "verify-key").then(|| VerifyKey::new(SK));
            for _ in 0..n {
                let auth =
                    Authorization::parse(parts.headers["authorization"].to_str().unwrap()).unwrap();
                match &key {
                    Some(key) => {
                        verify_with(&parts.method, &parts.uri, &parts.headers, &body, &auth, key)
                    }
                    None => verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, SK),
                }
                .unwrap();
            }
        }
        "parse-ok" | "parse-err" | "parse-ok-modelarts" | "parse-err-modelarts" => {
            let (status, body): (u16, &[u8]) = match what.as_str() {
                "parse-ok" => (
                    200,
                    br#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
                ),
                "parse-err" => (
                    400,
                    br#"{"error_code": "DLI.0002", "error_msg": "The object does not exist."}"#,
                ),
                "parse-ok-modelarts" => (200, br#"{"is_success": true}"#),
                _ => (
                    200,
                    br#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete. job status: 9"}"#,
                ),
            };
            let answer = http::Response::builder()
                .status(status)
                .header("X-Request-Id", "0f4bd3d9a7e44f6e8e4e5c2a1b3c4d5e")
                .header("Content-Type", "application/json")
                .body(body)
                .unwrap();
            for _ in 0..n {
                if what.ends_with("-modelarts") {
                    let _ = black_box(DeleteTrainingJob::parse_response(black_box(&answer)));
                } else {
                    let _ = black_box(DeleteFlinkJob::parse_response(black_box(&answer)));
                }
            }
        }
        "parse-204" => {
            let answer = http::Response::builder()
                .status(204)
                .body(&b""[..])
                .unwrap();
            for _ in 0..n {
                let _ = black_box(otc_jobs_core::mrs::DeleteJobExecution::parse_response(
                    black_box(&answer),
                ));
            }
        }
        "serde-ok" => {
            let body = br#"{"is_success": "true", "message": "The job is successfully deleted."}"#;
            for _ in 0..n {
                let _ = black_box(serde_json::from_slice::<
                    otc_jobs_core::dli::DeleteFlinkJobResponse,
                >(black_box(body)));
            }
        }
        "serde-err-modelarts" => {
            let body = br#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete. job status: 9"}"#;
            for _ in 0..n {
                let _ = black_box(serde_json::from_slice::<
                    otc_jobs_core::modelarts::DeleteTrainingJobResponse,
                >(black_box(body)));
            }
        }
        // Any case of the benches by (part of) its name, floors included:
        // `profile_core case 10000 floor/http`.
        "case" => {
            let name = args.next().unwrap_or_default();
            let mut cases = otc_jobs_benches::cases::all();
            let case = cases
                .iter_mut()
                .find(|c| c.name.contains(name.as_str()))
                .unwrap_or_else(|| panic!("no case named like {name:?}"));
            for _ in 0..n {
                (case.run)();
            }
        }
        other => panic!("unknown: {other}"),
    }
}
