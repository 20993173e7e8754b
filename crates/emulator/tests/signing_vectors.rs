//! Every request in the signing vectors (`tests/data/signing.json`, a copy of
//! `shared/vectors/signing.json`: 46 requests signed by the official Python SDK) verifies
//! with its own Authorization, using the core's verifier exactly as the emulator calls it;
//! a changed byte or key does not. The routed ones also verify over the wire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use otc_jobs_core::auth::{Authorization, verify};
use otc_jobs_emulator::{Emulator, EmulatorConfig};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;

/// Bytes `http::Uri` does not take raw; encoding them does not change the canonical URI
/// (it is computed from the decoded path).
const URI_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'^')
    .add(b'|')
    .add(b'\\');

fn vectors() -> Vec<Value> {
    let path = std::env::var_os("OTC_SIGNING_VECTORS").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/signing.json"),
        std::path::PathBuf::from,
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["vectors"].as_array().unwrap().clone()
}

/// The request as it reached the server: the request target and the headers after signing.
fn request_of(vector: &Value) -> http::Request<Vec<u8>> {
    let input = &vector["input"];
    let expected = &vector["expected"];
    let target = expected["request_target"].as_str().unwrap();
    let target = utf8_percent_encode(target, URI_UNSAFE).to_string();
    let mut builder = http::Request::builder()
        .method(input["method"].as_str().unwrap())
        .uri(target);
    for (name, value) in expected["headers_after_signing"].as_object().unwrap() {
        builder = builder.header(name.as_str(), value.as_str().unwrap());
    }
    let body = input["body"]
        .as_str()
        .map(|b| b.as_bytes().to_vec())
        .unwrap_or_default();
    builder.body(body).unwrap()
}

fn authorization_of(vector: &Value) -> Authorization {
    Authorization::parse(vector["expected"]["authorization"].as_str().unwrap()).unwrap()
}

#[test]
fn every_vector_verifies_with_its_own_authorization() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 46);
    let mut passed = 0;
    let mut failures = Vec::new();
    for vector in &vectors {
        let id = vector["id"].as_str().unwrap();
        let request = request_of(vector);
        let auth = authorization_of(vector);
        assert_eq!(
            auth.access_key,
            vector["input"]["ak"].as_str().unwrap(),
            "{id}"
        );
        let sk = vector["input"]["sk"].as_str().unwrap();
        let (parts, body) = request.into_parts();
        match verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, sk) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{id}: {e}")),
        }
        // A wrong key, and a tampered signature, must not verify.
        assert!(
            verify(
                &parts.method,
                &parts.uri,
                &parts.headers,
                &body,
                &auth,
                "wrong-sk"
            )
            .is_err(),
            "{id}"
        );
        let mut tampered = auth.clone();
        let last = tampered.signature.pop().unwrap();
        tampered.signature.push(if last == '0' { '1' } else { '0' });
        assert!(
            verify(
                &parts.method,
                &parts.uri,
                &parts.headers,
                &body,
                &tampered,
                sk
            )
            .is_err(),
            "{id}"
        );
    }
    println!("{passed}/{} signing vectors verified", vectors.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_changed_request_does_not_verify() {
    for vector in vectors() {
        let id = vector["id"].as_str().unwrap().to_owned();
        let auth = authorization_of(&vector);
        let sk = vector["input"]["sk"].as_str().unwrap();
        let (mut parts, body) = request_of(&vector).into_parts();
        // Another date is another string to sign.
        parts.headers.insert(
            "x-sdk-date",
            http::HeaderValue::from_static("20300101T000000Z"),
        );
        assert!(
            verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, sk).is_err(),
            "{id}"
        );
    }
}

/// The routed DELETE vectors, sent byte for byte: the emulator verifies their signatures
/// (and then refuses them for their 2024 `X-Sdk-Date`).
#[test]
fn routed_vectors_verify_over_the_wire() {
    let vectors = vectors();
    let constants = serde_json::from_str::<Value>(
        &std::fs::read_to_string(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/signing.json"),
        )
        .unwrap(),
    )
    .unwrap()["constants"]
        .clone();
    let text = |k: &str| constants[k].as_str().unwrap().to_owned();
    let emulator = Emulator::start(EmulatorConfig {
        access_keys: vec![(text("ak"), text("sk"))],
        temporary_keys: vec![(text("temp_ak"), text("temp_sk"), text("security_token"))],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut sent = 0;
    for vector in &vectors {
        let target = vector["expected"]["request_target"].as_str().unwrap();
        let routed = ["/v1/", "/v1.0/", "/v1.1/"]
            .iter()
            .any(|p| target.starts_with(p))
            && vector["input"]["method"] == "DELETE"
            && (target.contains("/training-jobs/")
                || target.contains("/visualization-jobs/")
                || target.contains("/streaming/jobs/")
                || target.contains("/job-executions/"));
        if !routed {
            continue;
        }
        let reply = common::send(&emulator, &request_of(vector)).reply();
        assert_eq!(reply.status, 401, "{}", vector["id"]);
        assert_eq!(reply.json()["error_code"], "APIG.0301");
        sent += 1;
    }
    let recorded = emulator.requests();
    assert_eq!(recorded.len(), sent);
    assert!(sent >= 15, "only {sent} routed vectors");
    for r in &recorded {
        assert_eq!(
            r.signature_verified,
            Some(true),
            "{} {}: {}",
            r.method,
            r.path,
            r.body
        );
        assert!(r.body.contains("X-Sdk-Date"), "{}", r.body);
    }
    assert!(emulator.jobs().is_empty());
}
