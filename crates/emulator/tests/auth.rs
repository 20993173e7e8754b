//! Authentication as OTC's API gateway does it: both AK/SK signature forms, the clock,
//! temporary keys, IAM tokens (configured, issued by the emulator's IAM, expired), and
//! refusals that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{PID, call, default_keys, now, send, signed_with};
use otc_jobs_core::auth::iam::{
    PasswordLogin, TokenScope, parse_projects_response, parse_token_response,
    password_token_request, projects_by_name_request,
};
use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningTime};
use otc_jobs_core::{BaseUrl, Endpoints, Region};
use otc_jobs_emulator::{AuthKind, Emulator, EmulatorConfig, IamUser, SeedJob};
use serde_json::json;

const TEMP: (&str, &str, &str) = (
    "TEMPAKEXAMPLE0000002",
    "TempSecretKeyExample9876543210ZYXWVUTSRQPO",
    "temporary-security-token",
);

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        temporary_keys: vec![(TEMP.0.into(), TEMP.1.into(), TEMP.2.into())],
        tokens: vec!["configured-token".into()],
        users: vec![IamUser::new("alice", "correct horse", "OTC-EU-DE-0001")],
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn delete_path() -> String {
    format!("/v1.0/{PID}/streaming/jobs/77")
}

fn assert_refused(reply: &common::Reply, code: &str) {
    assert_eq!(reply.status, 401, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error_code"], code);
    assert!(body["error_msg"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["request_id"].as_str(), reply.header("x-request-id"));
}

#[test]
fn access_form_is_accepted() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let reply = send(
        &emulator,
        &signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &default_keys(),
            SignatureForm::Access,
            now(),
        ),
    )
    .reply();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let recorded = emulator.requests();
    assert_eq!(
        (recorded[0].auth, recorded[0].signature_verified),
        (AuthKind::AkSk, Some(true))
    );
}

#[test]
fn derived_key_form_is_accepted() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let request = signed_with(
        &emulator,
        "DELETE",
        &delete_path(),
        &default_keys(),
        SignatureForm::DerivedKey,
        now(),
    );
    assert!(
        request.headers()["authorization"]
            .to_str()
            .unwrap()
            .contains("Credential=HPUAEXAMPLEAK0000001/")
    );
    let reply = send(&emulator, &request).reply();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let recorded = emulator.requests();
    assert_eq!(
        (recorded[0].auth, recorded[0].signature_verified),
        (AuthKind::AkSkDerived, Some(true))
    );
}

#[test]
fn derived_key_scoped_to_another_service_is_refused() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let request = common::signed_for(
        &emulator,
        "DELETE",
        &delete_path(),
        &default_keys(),
        SignatureForm::DerivedKey,
        now(),
        "modelarts",
    );
    let reply = send(&emulator, &request).reply();
    assert_refused(&reply, "APIG.0301");
    assert!(
        emulator.jobs().iter().any(|j| *j == SeedJob::flink_job(77)),
        "a refused request changes nothing"
    );
}

#[test]
fn signed_queries_verify() {
    let emulator = emulator();
    // The marker must exist (an unknown marker is a 400).
    emulator.seed(SeedJob::job_execution("a b"));
    let path = format!("/v1.1/{PID}/job-executions?limit=2&sort_by=id&marker=a%20b");
    for form in [SignatureForm::Access, SignatureForm::DerivedKey] {
        let reply = send(
            &emulator,
            &signed_with(&emulator, "GET", &path, &default_keys(), form, now()),
        )
        .reply();
        assert_eq!(reply.status, 200, "{form:?}: {}", reply.text());
    }
}

#[test]
fn wrong_secret_key_and_unknown_access_key_are_refused() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    for credentials in [
        Credentials::AkSk(AkSk::new("HPUAEXAMPLEAK0000001", "not-the-secret")),
        Credentials::AkSk(AkSk::new(
            "UNKNOWNAK",
            "ExampleSecretKey0123456789abcdefghijklmnopq",
        )),
    ] {
        for form in [SignatureForm::Access, SignatureForm::DerivedKey] {
            let reply = send(
                &emulator,
                &signed_with(
                    &emulator,
                    "DELETE",
                    &delete_path(),
                    &credentials,
                    form,
                    now(),
                ),
            )
            .reply();
            assert_refused(&reply, "APIG.0301");
        }
    }
    // A refused request changes nothing.
    assert_eq!(emulator.jobs(), vec![SeedJob::flink_job(77)]);
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| r.signature_verified == Some(false) && r.status == Some(401))
    );
}

#[test]
fn missing_or_malformed_credentials_are_refused() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    assert_refused(&call(&emulator, "DELETE", &delete_path(), ""), "APIG.0301");
    for bad in [
        "Basic dXNlcjpwYXNz",
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001",
        "SDK-HMAC-SHA256 nonsense",
    ] {
        let mut request = signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &default_keys(),
            SignatureForm::Access,
            now(),
        );
        request
            .headers_mut()
            .insert("authorization", http::HeaderValue::from_static(bad));
        assert_refused(&send(&emulator, &request).reply(), "APIG.0301");
    }
    // A signed header changed after signing.
    let mut request = signed_with(
        &emulator,
        "DELETE",
        &delete_path(),
        &default_keys(),
        SignatureForm::Access,
        now(),
    );
    request
        .headers_mut()
        .insert("x-project-id", http::HeaderValue::from_static("tampered"));
    assert_refused(&send(&emulator, &request).reply(), "APIG.0301");
    // Another path than the one signed.
    let mut request = signed_with(
        &emulator,
        "DELETE",
        &delete_path(),
        &default_keys(),
        SignatureForm::Access,
        now(),
    );
    *request.uri_mut() = format!("{}/v1.0/{PID}/streaming/jobs/78", emulator.base_url())
        .parse()
        .unwrap();
    assert_refused(&send(&emulator, &request).reply(), "APIG.0301");
    assert_eq!(emulator.jobs().len(), 1);
}

#[test]
fn clock_skew_of_more_than_15_minutes_is_refused() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let at = |offset: i64| SigningTime::from_unix(now().unix().checked_add_signed(offset).unwrap());
    for offset in [-16 * 60, 16 * 60, -24 * 3600] {
        for form in [SignatureForm::Access, SignatureForm::DerivedKey] {
            let request = signed_with(
                &emulator,
                "DELETE",
                &delete_path(),
                &default_keys(),
                form,
                at(offset),
            );
            let reply = send(&emulator, &request).reply();
            assert_refused(&reply, "APIG.0301");
            assert!(
                reply.json()["error_msg"]
                    .as_str()
                    .unwrap()
                    .contains("X-Sdk-Date")
            );
        }
    }
    let recorded = emulator.requests();
    assert!(
        recorded.iter().all(|r| r.signature_verified == Some(true)),
        "the signatures held; the clock refused"
    );
    assert_eq!(emulator.jobs().len(), 1);
    // Within the window either way.
    for offset in [-14 * 60, 14 * 60] {
        emulator.seed(SeedJob::flink_job(77));
        let request = signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &default_keys(),
            SignatureForm::Access,
            at(offset),
        );
        assert_eq!(send(&emulator, &request).reply().status, 200);
    }
}

#[test]
fn temporary_keys_need_their_security_token() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let with_token = |token: &str| Credentials::AkSk(AkSk::temporary(TEMP.0, TEMP.1, token));
    // Wrong token, and no token at all.
    let wrong = send(
        &emulator,
        &signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &with_token("other"),
            SignatureForm::Access,
            now(),
        ),
    )
    .reply();
    assert_refused(&wrong, "APIG.0301");
    let bare = Credentials::AkSk(AkSk::new(TEMP.0, TEMP.1));
    let none = send(
        &emulator,
        &signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &bare,
            SignatureForm::Access,
            now(),
        ),
    )
    .reply();
    assert_refused(&none, "APIG.0301");
    // A permanent key with a security token.
    let odd = Credentials::AkSk(AkSk::temporary(
        "HPUAEXAMPLEAK0000001",
        "ExampleSecretKey0123456789abcdefghijklmnopq",
        TEMP.2,
    ));
    let odd = send(
        &emulator,
        &signed_with(
            &emulator,
            "DELETE",
            &delete_path(),
            &odd,
            SignatureForm::Access,
            now(),
        ),
    )
    .reply();
    assert_refused(&odd, "APIG.0301");
    assert_eq!(emulator.jobs().len(), 1);

    for form in [SignatureForm::Access, SignatureForm::DerivedKey] {
        emulator.seed(SeedJob::flink_job(77));
        let ok = send(
            &emulator,
            &signed_with(
                &emulator,
                "DELETE",
                &delete_path(),
                &with_token(TEMP.2),
                form,
                now(),
            ),
        )
        .reply();
        assert_eq!(ok.status, 200, "{}", ok.text());
        assert_eq!(
            emulator.requests().last().unwrap().auth,
            AuthKind::TemporaryAkSk
        );
    }
}

#[test]
fn configured_tokens_work_until_expired() {
    let emulator = emulator();
    emulator.seed(SeedJob::flink_job(77));
    let with_token = |token: &str| {
        let mut request = common::request(
            &emulator,
            "GET",
            &format!("/v1.0/{PID}/streaming/jobs/77"),
            "",
        );
        request
            .headers_mut()
            .insert("x-auth-token", http::HeaderValue::from_str(token).unwrap());
        send(&emulator, &request).reply()
    };
    assert_eq!(with_token("configured-token").status, 200);
    assert_eq!(emulator.requests()[0].auth, AuthKind::Token);
    assert_refused(&with_token("unknown-token"), "APIG.0301");
    emulator.expire_tokens();
    assert_refused(&with_token("configured-token"), "APIG.0307");
    // Reset un-expires the configured tokens.
    emulator.reset();
    emulator.seed(SeedJob::flink_job(77));
    assert_eq!(with_token("configured-token").status, 200);
    // The admin API expires them too.
    assert_eq!(
        call(&emulator, "POST", "/_emulator/expire-tokens", "").status,
        204
    );
    assert_refused(&with_token("configured-token"), "APIG.0307");
}

fn endpoints(emulator: &Emulator) -> Endpoints {
    Endpoints::all_at(Region::EU_DE, BaseUrl::parse(emulator.base_url()).unwrap())
}

fn login(name: &str, password: &str) -> PasswordLogin {
    PasswordLogin {
        user_name: name.into(),
        password: password.into(),
        domain_name: "OTC-EU-DE-0001".into(),
    }
}

/// Sends a request the core built for `https://...` base URLs already pointed at the emulator.
fn send_core(emulator: &Emulator, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let reply = send(emulator, request).reply();
    let mut response = http::Response::builder().status(reply.status);
    for (n, v) in &reply.headers {
        response = response.header(n, v);
    }
    response.body(reply.body).unwrap()
}

#[test]
fn iam_password_login_issues_tokens_the_services_accept() {
    let emulator = emulator();
    emulator.seed(SeedJob::job_execution("e1"));
    for scope in [
        TokenScope::ProjectName("eu-de".into()),
        TokenScope::ProjectId(PID.into()),
    ] {
        let request = password_token_request(
            &endpoints(&emulator),
            &login("alice", "correct horse"),
            &scope,
        )
        .unwrap();
        let response = send_core(&emulator, &request);
        assert_eq!(response.status(), 201);
        let token = parse_token_response(&response).unwrap();
        assert_eq!(token.project_id.as_deref(), Some(PID));
        let ttl = token.expires_at.unix() - now().unix();
        assert!((86_000..=86_400).contains(&ttl), "{ttl}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["token"]["project"]["name"], "eu-de");

        // The token works on the services and on IAM's project lookup.
        let credentials = Credentials::Token(token.token.clone());
        let reply = send(
            &emulator,
            &signed_with(
                &emulator,
                "GET",
                &format!("/v1.1/{PID}/job-executions/e1"),
                &credentials,
                SignatureForm::Access,
                now(),
            ),
        )
        .reply();
        assert_eq!(reply.status, 200);
        let mut lookup = projects_by_name_request(&endpoints(&emulator), "eu-de").unwrap();
        otc_jobs_core::auth::sign(
            &mut lookup,
            &credentials,
            &otc_jobs_core::auth::SigningParams::access(now()),
        )
        .unwrap();
        assert_eq!(
            parse_projects_response(&send_core(&emulator, &lookup), "eu-de").unwrap(),
            PID
        );
    }
    // Expired on demand: the services answer APIG.0307.
    let request = password_token_request(
        &endpoints(&emulator),
        &login("alice", "correct horse"),
        &TokenScope::ProjectName("eu-de".into()),
    )
    .unwrap();
    let token = parse_token_response(&send_core(&emulator, &request)).unwrap();
    emulator.expire_tokens();
    let credentials = Credentials::Token(token.token);
    let reply = send(
        &emulator,
        &signed_with(
            &emulator,
            "GET",
            &format!("/v1.1/{PID}/job-executions/e1"),
            &credentials,
            SignatureForm::Access,
            now(),
        ),
    )
    .reply();
    assert_refused(&reply, "APIG.0307");
}

#[test]
fn iam_refuses_wrong_passwords_and_unknown_projects() {
    let emulator = emulator();
    let request = password_token_request(
        &endpoints(&emulator),
        &login("alice", "wrong"),
        &TokenScope::ProjectName("eu-de".into()),
    )
    .unwrap();
    let response = send_core(&emulator, &request);
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], 401);
    assert!(response.headers().get("x-subject-token").is_none());
    let err = parse_token_response(&response).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));

    let request = password_token_request(
        &endpoints(&emulator),
        &login("mallory", "correct horse"),
        &TokenScope::ProjectName("eu-de".into()),
    )
    .unwrap();
    assert_eq!(send_core(&emulator, &request).status(), 401);
    let request = password_token_request(
        &endpoints(&emulator),
        &login("alice", "correct horse"),
        &TokenScope::ProjectName("eu-nl".into()),
    )
    .unwrap();
    assert_eq!(send_core(&emulator, &request).status(), 400);
    assert_eq!(
        call(&emulator, "POST", "/v3/auth/tokens", "not json").status,
        400
    );
    assert_eq!(
        call(
            &emulator,
            "POST",
            "/v3/auth/tokens",
            &json!({"auth": {}}).to_string()
        )
        .status,
        400
    );

    // The project lookup needs a token.
    let lookup = projects_by_name_request(&endpoints(&emulator), "eu-de").unwrap();
    assert_eq!(send_core(&emulator, &lookup).status(), 401);
    // An unknown name lists nothing.
    let mut lookup = projects_by_name_request(&endpoints(&emulator), "eu-nl").unwrap();
    lookup.headers_mut().insert(
        "x-auth-token",
        http::HeaderValue::from_static("configured-token"),
    );
    let listed = send_core(&emulator, &lookup);
    assert_eq!(listed.status(), 200);
    assert!(parse_projects_response(&listed, "eu-nl").is_err());
}

#[test]
fn issued_tokens_expire_after_their_ttl() {
    let emulator = Emulator::start(EmulatorConfig {
        users: vec![IamUser::new("alice", "pw", "OTC-EU-DE-0001")],
        // Expiry is kept in whole seconds: a TTL of N s is valid for N-1 to N s, so 1 s
        // could leave a busy machine no time for the first request.
        token_ttl: Duration::from_secs(3),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let request = password_token_request(
        &endpoints(&emulator),
        &login("alice", "pw"),
        &TokenScope::ProjectId(PID.into()),
    )
    .unwrap();
    let token = parse_token_response(&send_core(&emulator, &request)).unwrap();
    let credentials = Credentials::Token(token.token);
    let get = || {
        send(
            &emulator,
            &signed_with(
                &emulator,
                "GET",
                &format!("/v1.0/{PID}/streaming/jobs"),
                &credentials,
                SignatureForm::Access,
                now(),
            ),
        )
        .reply()
    };
    assert_eq!(get().status, 200);
    std::thread::sleep(Duration::from_millis(3100));
    assert_refused(&get(), "APIG.0307");
}
