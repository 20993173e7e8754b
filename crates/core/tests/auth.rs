//! Authentication beyond the official SDK's vectors: the derived-key form, temporary
//! AK/SK, IAM tokens, verification, and secrets kept out of `Debug` and `Display`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::auth::iam::{
    PasswordLogin, TokenScope, parse_token_response, password_token_request,
};
use otc_jobs_core::auth::{
    AkSk, Authorization, Credentials, SecretString, SignatureForm, SigningParams, SigningTime,
    VerifyError, sign, verify,
};
use otc_jobs_core::{Endpoints, Error, ErrorKind, Region};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmnopq";
const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn request(host: &str, path: &str, date: &str) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method("DELETE")
        .uri(format!("https://{host}{path}"))
        .header("Content-Type", "application/json")
        .header("User-Agent", "otc-jobs/0.1.0")
        .header("X-Project-Id", PROJECT)
        .header("X-Sdk-Date", date)
        .body(Vec::new())
        .unwrap()
}

/// Derived-key (`Credential=`) vectors. The expected values were worked out outside this
/// crate with Python's `hmac`/`hashlib`, straight from the algorithm:
///
/// ```text
/// canonical request  = as for the Access= form
/// scope              = YYYYMMDD/region/service/sdk_request
/// string to sign     = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + scope + "\n" + hex(sha256(canonical request))
/// k_date    = HMAC-SHA256("SDK" + SK, YYYYMMDD)
/// k_region  = HMAC-SHA256(k_date, region)
/// k_service = HMAC-SHA256(k_region, service)
/// k_signing = HMAC-SHA256(k_service, "sdk_request")
/// signature = hex(HMAC-SHA256(k_signing, string to sign))
/// ```
struct DerivedVector {
    host: &'static str,
    path: &'static str,
    date: &'static str,
    region: &'static str,
    service: &'static str,
    signing_key: &'static str,
    string_to_sign: &'static str,
    authorization: &'static str,
}

const DERIVED: [DerivedVector; 2] = [
    DerivedVector {
        host: "dli.eu-de.otc.t-systems.com",
        path: "/v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/jobs/148",
        date: "20240521T102030Z",
        region: "eu-de",
        service: "dli",
        signing_key: "9f164016878391996f37487b9f92cb3cff2c885c73601c1744994e72d38aa4a0",
        string_to_sign: "SDK-HMAC-SHA256\n20240521T102030Z\n20240521/eu-de/dli/sdk_request\nf8a075d7f568f72c41e4bca4f6274a3abb08578e3ccdf0f47640f1ce8c9936db",
        authorization: "SDK-HMAC-SHA256 Credential=HPUAEXAMPLEAK0000001/20240521/eu-de/dli/sdk_request, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=86b3740dcf909cf2cbd40b7c4f956a6d385ce193ba3be3465f3068520bbe0dea",
    },
    DerivedVector {
        host: "modelarts.eu-nl.otc.t-systems.com",
        path: "/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/training-jobs/10",
        date: "20241231T235959Z",
        region: "eu-nl",
        service: "modelarts",
        signing_key: "eec07f95c98ae7526ed60b3c1c570f256b63cabe4e7ff54d04b1013d1954f5bd",
        string_to_sign: "SDK-HMAC-SHA256\n20241231T235959Z\n20241231/eu-nl/modelarts/sdk_request\n1727e79532cb2d4435cd71c2bbb2bb618dfc9aeec530fa4eebf09e2bdd8b5b45",
        authorization: "SDK-HMAC-SHA256 Credential=HPUAEXAMPLEAK0000001/20241231/eu-nl/modelarts/sdk_request, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=4b8df75d0445694b1713221dbacc91271e43c25f68a42cc5668179ebf655e92f",
    },
];

#[test]
fn derived_key_form_matches_worked_vectors() {
    for v in DERIVED {
        let key =
            otc_jobs_core::auth::canonical::derived_key(SK, &v.date[..8], v.region, v.service);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, v.signing_key, "{}", v.path);

        let mut req = request(v.host, v.path, v.date);
        let params = SigningParams {
            time: SigningTime::from_unix(0), // X-Sdk-Date on the request wins
            form: SignatureForm::DerivedKey,
            region: v.region,
            service: v.service,
        };
        let signed = sign(&mut req, &Credentials::AkSk(AkSk::new(AK, SK)), &params)
            .unwrap()
            .unwrap();
        assert_eq!(signed.string_to_sign, v.string_to_sign);
        assert_eq!(req.headers()["authorization"], v.authorization);

        let auth = Authorization::parse(v.authorization).unwrap();
        assert_eq!(auth.form, SignatureForm::DerivedKey);
        let (parts, body) = req.into_parts();
        verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, SK).unwrap();
    }
}

#[test]
fn derived_key_form_needs_a_scope() {
    let mut req = request("dli.eu-de.otc.t-systems.com", "/x", "20240521T102030Z");
    let params = SigningParams {
        form: SignatureForm::DerivedKey,
        ..SigningParams::access(SigningTime::from_unix(0))
    };
    assert!(sign(&mut req, &Credentials::AkSk(AkSk::new(AK, SK)), &params).is_err());
}

#[test]
fn temporary_keys_add_and_sign_the_security_token() {
    let mut req = http::Request::builder()
        .method("DELETE")
        .uri("https://dli.eu-de.otc.t-systems.com/v1.0/p/streaming/jobs/1")
        .body(Vec::new())
        .unwrap();
    let keys = AkSk::temporary("TEMPAK", "TEMPSK", "token-value");
    sign(
        &mut req,
        &Credentials::AkSk(keys),
        &SigningParams::access(SigningTime::from_unix(1_716_286_830)),
    )
    .unwrap();
    assert_eq!(req.headers()["x-security-token"], "token-value");
    assert!(req.headers()["x-security-token"].is_sensitive());
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(
        auth.contains("SignedHeaders=host;x-sdk-date;x-security-token,"),
        "{auth}"
    );
    assert_eq!(req.headers()["x-sdk-date"], "20240521T102030Z");
}

#[test]
fn tokens_are_sent_as_x_auth_token_unsigned() {
    let mut req = request(
        "mrs.eu-de.otc.t-systems.com",
        "/v1.1/p/job-executions/x",
        "20240521T102030Z",
    );
    let stages = sign(
        &mut req,
        &Credentials::Token(SecretString::new("MIIT-token")),
        &SigningParams::access(SigningTime::from_unix(0)),
    )
    .unwrap();
    assert!(stages.is_none());
    assert_eq!(req.headers()["x-auth-token"], "MIIT-token");
    assert!(req.headers()["x-auth-token"].is_sensitive());
    assert!(!req.headers().contains_key("authorization"));
}

#[test]
fn verification_rejects_any_change() {
    let mut req = request(
        "127.0.0.1:8080",
        "/v1.0/p/streaming/jobs/1",
        "20240521T102030Z",
    );
    sign(
        &mut req,
        &Credentials::AkSk(AkSk::new(AK, SK)),
        &SigningParams::access(SigningTime::from_unix(0)),
    )
    .unwrap();
    let auth = Authorization::parse(req.headers()["authorization"].to_str().unwrap()).unwrap();
    let verifies = |r: &http::Request<Vec<u8>>, sk: &str| {
        verify(r.method(), r.uri(), r.headers(), r.body(), &auth, sk)
    };
    verifies(&req, SK).unwrap();

    assert_eq!(verifies(&req, "wrong"), Err(VerifyError::Mismatch));
    let mut other_path = req.clone();
    *other_path.uri_mut() = "https://127.0.0.1:8080/v1.0/p/streaming/jobs/2"
        .parse()
        .unwrap();
    assert_eq!(verifies(&other_path, SK), Err(VerifyError::Mismatch));
    let mut other_method = req.clone();
    *other_method.method_mut() = http::Method::GET;
    assert_eq!(verifies(&other_method, SK), Err(VerifyError::Mismatch));
    let mut other_headers = req.clone();
    other_headers
        .headers_mut()
        .insert("x-project-id", http::HeaderValue::from_static("other"));
    assert_eq!(verifies(&other_headers, SK), Err(VerifyError::Mismatch));
    other_headers.headers_mut().remove("x-sdk-date");
    assert_eq!(verifies(&other_headers, SK), Err(VerifyError::BadDate));
    let mut other_body = req.clone();
    *other_body.body_mut() = b"body".to_vec();
    assert_eq!(verifies(&other_body, SK), Err(VerifyError::Mismatch));
}

#[test]
fn malformed_authorization_headers_are_refused() {
    for bad in [
        "",
        "Basic abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SHA256 SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, Credential=AK/20240101/eu-de/dli/sdk_request, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Credential=AK/20240101/eu-de/dli, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=ab",
        "SDK-HMAC-SHA256 Credential=AK/20240101/eu-de/dli/sdk_request/x, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=",
    ] {
        assert!(
            matches!(Authorization::parse(bad), Err(VerifyError::Malformed(_))),
            "{bad:?}"
        );
    }
}

/// Header names are case-insensitive: a signature whose SignedHeaders names them in
/// upper case checks as the lower-case one does.
#[test]
fn signed_header_names_are_read_case_insensitively() {
    let lower = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab";
    let upper = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;X-Sdk-Date, Signature=ab";
    let (lower, upper) = (
        Authorization::parse(lower).unwrap(),
        Authorization::parse(upper).unwrap(),
    );
    assert!(upper.signed_headers().eq(["host", "x-sdk-date"]));
    assert_eq!(lower, upper);
}

#[test]
fn secrets_never_show_in_debug_or_display() {
    let sk = "SK-very-secret-0001";
    let token = "TOKEN-very-secret-0002";
    let security = "SECURITY-very-secret-0003";
    let password = "PASSWORD-very-secret-0004";
    let shown = [
        format!("{:?}", Credentials::AkSk(AkSk::new(AK, sk))),
        format!("{:?}", Credentials::AkSk(AkSk::temporary(AK, sk, security))),
        format!("{:?}", Credentials::Token(SecretString::new(token))),
        format!(
            "{:?}",
            PasswordLogin {
                user_name: "u".into(),
                password: password.into(),
                domain_name: "d".into()
            }
        ),
    ];
    for text in &shown {
        for secret in [sk, token, security, password] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    assert!(shown[0].contains(AK), "the access key id is not secret");

    // Errors from signing name what is wrong, never the value.
    let mut req = request("h", "/p", "20240521T102030Z");
    let err: Error = sign(
        &mut req,
        &Credentials::Token(SecretString::new("bad\ntoken-secret")),
        &SigningParams::access(SigningTime::from_unix(0)),
    )
    .unwrap_err()
    .into();
    assert!(!format!("{err} {err:?}").contains("token-secret"));

    // The IAM token parsed from an answer stays hidden too.
    let answer = http::Response::builder()
        .status(201)
        .header("X-Subject-Token", token)
        .body(br#"{"token": {"expires_at": "2030-01-01T00:00:00.000000Z"}}"#.to_vec())
        .unwrap();
    let parsed = parse_token_response(&answer).unwrap();
    assert!(!format!("{parsed:?}").contains(token));
}

#[test]
fn iam_password_request_and_answers() {
    let login = PasswordLogin {
        user_name: "alice".into(),
        password: "pw".into(),
        domain_name: "OTC-EU-DE-1".into(),
    };
    let req = password_token_request(
        &Endpoints::new(Region::EU_CH2),
        &login,
        &TokenScope::ProjectId(PROJECT.into()),
    )
    .unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri(),
        "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3/auth/tokens"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(body["auth"]["identity"]["methods"][0], "password");
    assert_eq!(
        body["auth"]["identity"]["password"]["user"]["name"],
        "alice"
    );
    assert_eq!(
        body["auth"]["identity"]["password"]["user"]["domain"]["name"],
        "OTC-EU-DE-1"
    );
    assert_eq!(body["auth"]["scope"]["project"]["id"], PROJECT);

    let refused = http::Response::builder()
        .status(401)
        .header("X-Request-Id", "req-1")
        .body(br#"{"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}"#.to_vec())
        .unwrap();
    let err = parse_token_response(&refused).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), Some("401"));
    assert_eq!(err.request_id(), Some("req-1"));

    let no_header = http::Response::builder()
        .status(201)
        .body(br#"{"token": {"expires_at": "2030-01-01T00:00:00Z"}}"#.to_vec())
        .unwrap();
    assert!(matches!(
        parse_token_response(&no_header).map_err(Error::into_kind),
        Err(ErrorKind::Response(_))
    ));
    let bad_expiry = http::Response::builder()
        .status(201)
        .header("X-Subject-Token", "t")
        .body(br#"{"token": {"expires_at": "tomorrow"}}"#.to_vec())
        .unwrap();
    assert!(matches!(
        parse_token_response(&bad_expiry).map_err(Error::into_kind),
        Err(ErrorKind::Response(_))
    ));
}
