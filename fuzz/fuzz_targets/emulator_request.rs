//! The emulator's request handling (`Direct`: the admin API, routing, authentication, the
//! ModelArts/DLI/MRS/IAM handlers) on any request, unsigned or signed with the emulator's
//! key first so the handlers behind the signature check are reached. None panics; every
//! answer carries `X-Request-Id`; a JSON answer is JSON; an unsigned request without
//! credentials never gets a service's success; a signed request is never refused for its
//! signature.
//!
//! Input: a control byte (bit 0: sign; bit 1: derived-key form), then
//! `method \n target \n header \n ... \n\n body`. `{p}` in the target becomes the
//! emulator's project id. The emulator starts with one job of each kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningParams, SigningTime, sign};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Direct, EmulatorConfig, SeedJob,
};

fn direct() -> Direct {
    let direct = Direct::new(EmulatorConfig {
        tokens: vec!["FuzzToken".into()],
        ..EmulatorConfig::default()
    });
    direct.seed_many([
        SeedJob::training_job(1).versions([2, 3]),
        SeedJob::visualization_job(1),
        SeedJob::flink_job(12),
        SeedJob::job_execution("exec-1"),
    ]);
    direct
}

/// The service label of a path, for the derived-key scope.
fn service(path: &str) -> &'static str {
    if path.starts_with("/v1.0/") {
        "dli"
    } else if path.starts_with("/v1.1/") {
        "mrs"
    } else {
        "modelarts"
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("GET");
    let target = lines
        .next()
        .unwrap_or("/")
        .replace("{p}", DEFAULT_PROJECT_ID);
    let Some(mut request) =
        otc_jobs_fuzz::request(method, "http://127.0.0.1:8080", &target, lines, body, &[])
    else {
        return;
    };
    let signed = control & 1 != 0;
    if signed {
        for name in [
            "authorization",
            "x-sdk-date",
            "x-auth-token",
            "x-security-token",
        ] {
            request.headers_mut().remove(name);
        }
        let params = SigningParams {
            time: SigningTime::from_system_time(std::time::SystemTime::now()),
            form: if control & 2 == 0 {
                SignatureForm::Access
            } else {
                SignatureForm::DerivedKey
            },
            region: "eu-de",
            service: service(request.uri().path()),
        };
        let keys = Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY));
        if sign(&mut request, &keys, &params).is_err() {
            return;
        }
    }
    let path = request.uri().path().to_owned();
    let credentials = ["authorization", "x-auth-token"]
        .iter()
        .any(|name| request.headers().contains_key(*name));

    let direct = direct();
    let answer = direct.handle(request);

    assert!(answer.headers().contains_key("x-request-id"), "{answer:?}");
    let is_json = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json && !answer.body().is_empty() {
        assert!(
            serde_json::from_slice::<serde_json::Value>(answer.body()).is_ok(),
            "not JSON: {answer:?}"
        );
    }
    let admin = path.starts_with("/_emulator");
    let iam_login = path.starts_with("/v3/auth/tokens");
    if !credentials && !admin && !iam_login {
        assert!(!answer.status().is_success(), "{path}: {answer:?}");
    }
    if signed && !admin {
        let body = String::from_utf8_lossy(answer.body());
        assert!(
            !(answer.status() == 401 && body.contains("signature")),
            "a signed request refused: {path}: {body}"
        );
        if let Some(record) = direct.requests().last() {
            assert_ne!(record.signature_verified, Some(false), "{record:?}");
        }
    }
});
