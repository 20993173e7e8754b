//! Every request in the signing vectors (46 requests signed by the official Python SDK,
//! read through `otc-jobs-test-vectors`) verifies with its own Authorization, using the
//! core's verifier exactly as the emulator calls it; a changed byte or key does not. The
//! routed ones also verify over the wire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use otc_jobs_core::auth::{Authorization, VerifyError, verify};
use otc_jobs_emulator::{Emulator, EmulatorConfig};
use otc_jobs_test_vectors::{Vector, sent_request};

fn authorization_of(vector: &Vector) -> Authorization<'_> {
    Authorization::parse(vector.expected()["authorization"].as_str().unwrap()).unwrap()
}

/// Verifies a whole request, as the emulator does.
fn verify_request(r: &http::Request<Vec<u8>>, auth: &Authorization<'_>, sk: &str) -> VerifyResult {
    verify(r.method(), r.uri(), r.headers(), r.body(), auth, sk)
}

type VerifyResult = Result<(), VerifyError>;

#[test]
fn every_vector_verifies_with_its_own_authorization() {
    let vectors = otc_jobs_test_vectors::load().vectors;
    assert_eq!(vectors.len(), 46);
    let mut passed = 0;
    let mut failures = Vec::new();
    for vector in &vectors {
        let id = &vector.id;
        let request = sent_request(vector).unwrap();
        let auth = authorization_of(vector);
        assert_eq!(
            auth.access_key,
            vector.input()["ak"].as_str().unwrap(),
            "{id}"
        );
        let sk = vector.input()["sk"].as_str().unwrap();
        match verify_request(&request, &auth, sk) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{id}: {e}")),
        }
        // A wrong key, and a tampered signature, must not verify.
        assert!(verify_request(&request, &auth, "wrong-sk").is_err(), "{id}");
        let (kept, last) = auth.signature.split_at(auth.signature.len() - 1);
        let changed = format!("{kept}{}", if last == "0" { '1' } else { '0' });
        let mut tampered = auth.clone();
        tampered.signature = &changed;
        assert!(verify_request(&request, &tampered, sk).is_err(), "{id}");
    }
    println!("{passed}/{} signing vectors verified", vectors.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_changed_request_does_not_verify() {
    for vector in otc_jobs_test_vectors::load().vectors {
        let auth = authorization_of(&vector);
        let sk = vector.input()["sk"].as_str().unwrap();
        let mut request = sent_request(&vector).unwrap();
        // Another date is another string to sign.
        request.headers_mut().insert(
            "x-sdk-date",
            http::HeaderValue::from_static("20300101T000000Z"),
        );
        assert!(
            verify_request(&request, &auth, sk).is_err(),
            "{}",
            vector.id
        );
    }
}

/// The routed DELETE vectors, sent byte for byte: the emulator verifies their signatures
/// (and then refuses them for their 2024 `X-Sdk-Date`).
#[test]
fn routed_vectors_verify_over_the_wire() {
    let file = otc_jobs_test_vectors::load();
    let (vectors, constants) = (&file.vectors, &file.constants);
    let text = |k: &str| constants[k].as_str().unwrap().to_owned();
    let emulator = Emulator::start(EmulatorConfig {
        access_keys: vec![(text("ak"), text("sk"))],
        temporary_keys: vec![(text("temp_ak"), text("temp_sk"), text("security_token"))],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut sent = 0;
    for vector in vectors {
        let target = vector.expected()["request_target"].as_str().unwrap();
        let routed = ["/v1/", "/v1.0/", "/v1.1/"]
            .iter()
            .any(|p| target.starts_with(p))
            && vector.input()["method"] == "DELETE"
            && (target.contains("/training-jobs/")
                || target.contains("/visualization-jobs/")
                || target.contains("/streaming/jobs/")
                || target.contains("/job-executions/"));
        if !routed {
            continue;
        }
        let reply = common::send(&emulator, &sent_request(vector).unwrap()).reply();
        assert_eq!(reply.status, 401, "{}", vector.id);
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
