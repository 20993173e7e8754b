//! The `SDK-HMAC-SHA256` signer against the official SDK's vectors, stage by stage.
//!
//! Reads `crates/test-vectors/data/signing.json` (the vectors made with the official Huawei Cloud Python
//! SDK), or the file named by `OTC_SIGNING_VECTORS`, through `otc-jobs-test-vectors`, which
//! also rebuilds each vector's request. Every vector must apply and match; the test prints
//! `N/M signing vectors passed`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use otc_jobs_core::auth::{AkSk, Credentials, SigningParams, SigningTime, sign};
use otc_jobs_core::{PathId, PathValue, expand_template};
use otc_jobs_test_vectors::Vector;
use serde_json::Value;

/// Applies one vector; `Err` names the first stage that differs (or why it cannot apply).
fn check(vector: &Vector) -> Result<(), String> {
    let input = vector.input();
    let expected = vector.expected();
    let text = |v: &Value, key: &str| -> Result<String, String> {
        v[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("missing string {key}"))
    };
    if expected.get("sdk_error").is_some() {
        return Err("vector expects an SDK error; no such case is known to the signer".into());
    }

    // The request builder must produce the path the SDK sent.
    if let (Some(template), Some(params)) = (
        vector.json["path_template"].as_str(),
        vector.json["path_params"].as_object(),
    ) {
        let ids: BTreeMap<&str, PathId> = params
            .iter()
            .map(|(k, v)| {
                let raw = v
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string());
                PathId::new(raw)
                    .map(|id| (k.as_str(), id))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let mut built = String::new();
        expand_template(template, &mut built, |name| {
            ids.get(name).map(PathValue::Text)
        })
        .map_err(|e| e.to_string())?;
        if built != text(input, "path")? {
            return Err(format!(
                "path built {built:?} != sent {:?}",
                text(input, "path")?
            ));
        }
    }

    let mut request = otc_jobs_test_vectors::request(vector)?;
    let ak = text(input, "ak")?;
    let sk = text(input, "sk")?;
    let keys = match input["security_token"].as_str() {
        Some(token) => AkSk::temporary(ak, sk, token),
        None => AkSk::new(ak, sk),
    };
    let time = SigningTime::parse_sdk_date(&text(input, "x_sdk_date")?).ok_or("bad x_sdk_date")?;
    let signed = sign(
        &mut request,
        &Credentials::AkSk(keys),
        &SigningParams::access(time),
    )
    .map_err(|e| format!("signing failed: {e}"))?
    .ok_or("no signing stages returned")?;

    let stages = [
        ("canonical_uri", signed.canonical.canonical_uri()),
        ("canonical_query_string", signed.canonical.canonical_query()),
        ("canonical_headers", signed.canonical.canonical_headers()),
        ("signed_headers", signed.canonical.signed_headers()),
        ("payload_hash", signed.canonical.payload_hash()),
        ("canonical_request", signed.canonical.text()),
        ("string_to_sign", signed.string_to_sign.as_str()),
        ("signature", signed.signature.as_str()),
    ];
    for (stage, got) in stages {
        let want = text(expected, stage)?;
        if got != want {
            return Err(format!("{stage}: got {got:?}, want {want:?}"));
        }
    }
    let authorization = request.headers()["authorization"]
        .to_str()
        .map_err(|e| e.to_string())?;
    if authorization != text(expected, "authorization")? {
        return Err(format!("authorization: got {authorization:?}"));
    }
    let sent_target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let want_target = text(expected, "request_target")?;
    // Raw unicode in a vector's path is sent encoded; compare decoded.
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    if decode(sent_target) != decode(&want_target) {
        return Err(format!(
            "request target: got {sent_target:?}, want {want_target:?}"
        ));
    }
    let got_headers: BTreeMap<String, String> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let want_headers: BTreeMap<String, String> = expected["headers_after_signing"]
        .as_object()
        .ok_or("headers_after_signing is not an object")?
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    if got_headers != want_headers {
        return Err(format!(
            "headers after signing: got {got_headers:?}, want {want_headers:?}"
        ));
    }
    Ok(())
}

#[test]
fn every_signing_vector_passes_stage_by_stage() {
    let file = otc_jobs_test_vectors::load();
    let vectors = &file.vectors;
    assert!(!vectors.is_empty(), "no vectors in {}", file.path.display());
    let mut failures = Vec::new();
    for vector in vectors {
        if let Err(why) = check(vector) {
            failures.push(format!("{}: {why}", vector.id));
        }
    }
    let passed = vectors.len() - failures.len();
    println!("{passed}/{} signing vectors passed", vectors.len());
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
