//! The `SDK-HMAC-SHA256` signer against the official SDK's vectors, stage by stage.
//!
//! Reads `tests/data/signing.json` (a copy of the vectors made with the official Huawei
//! Cloud Python SDK), or the file named by `OTC_SIGNING_VECTORS`. Every vector must apply
//! and match; the test prints `N/M signing vectors passed`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use otc_jobs_core::auth::{AkSk, Credentials, SigningParams, SigningTime, sign};
use otc_jobs_core::{PathId, PathValue, expand_template};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Bytes `http::Uri` does not take raw in a path: encoded before building the URI (the
/// signer decodes the path anyway, so the canonical URI is the same).
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

fn vectors_file() -> PathBuf {
    match std::env::var_os("OTC_SIGNING_VECTORS") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/signing.json"),
    }
}

fn query_text(value: &Value) -> Result<Vec<String>, String> {
    Ok(match value {
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(query_text(item)?);
            }
            out
        }
        other => return Err(format!("query value {other} cannot be applied")),
    })
}

/// A query component as a client encodes it (only `A-Z a-z 0-9 - . _ ~` kept).
fn encode_component(s: &str) -> String {
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Applies one vector; `Err` names the first stage that differs (or why it cannot apply).
fn check(vector: &Value) -> Result<(), String> {
    let input = &vector["input"];
    let expected = &vector["expected"];
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
        vector["path_template"].as_str(),
        vector["path_params"].as_object(),
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

    let mut raw_query = Vec::new();
    for pair in input["query"].as_array().ok_or("query is not a list")? {
        let key = pair[0].as_str().ok_or("query key is not a string")?;
        for value in query_text(&pair[1])? {
            raw_query.push(format!(
                "{}={}",
                encode_component(key),
                encode_component(&value)
            ));
        }
    }
    // What a client sends is the canonical (sorted) query.
    let query = otc_jobs_core::auth::canonical::canonical_query(&raw_query.join("&"));
    let path = utf8_percent_encode(&text(input, "path")?, URI_UNSAFE).to_string();
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let uri = format!(
        "{}://{}{}",
        text(input, "scheme")?,
        text(input, "host")?,
        target
    );

    let mut builder = http::Request::builder()
        .method(text(input, "method")?.as_str())
        .uri(uri.as_str());
    for (name, value) in input["headers"]
        .as_object()
        .ok_or("headers is not an object")?
    {
        builder = builder.header(
            name.as_str(),
            value.as_str().ok_or("header value is not a string")?,
        );
    }
    let body = input["body"]
        .as_str()
        .map(|b| b.as_bytes().to_vec())
        .unwrap_or_default();
    let mut request = builder
        .body(body)
        .map_err(|e| format!("cannot build the request: {e}"))?;

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
        ("canonical_uri", signed.canonical.canonical_uri.as_str()),
        (
            "canonical_query_string",
            signed.canonical.canonical_query.as_str(),
        ),
        (
            "canonical_headers",
            signed.canonical.canonical_headers.as_str(),
        ),
        ("signed_headers", signed.canonical.signed_headers.as_str()),
        ("payload_hash", signed.canonical.payload_hash.as_str()),
        ("canonical_request", signed.canonical.text.as_str()),
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
    let path = vectors_file();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let vectors = doc["vectors"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no vectors list", path.display()));
    assert!(!vectors.is_empty(), "no vectors in {}", path.display());
    let mut failures = Vec::new();
    for vector in vectors {
        if let Err(why) = check(vector) {
            failures.push(format!("{}: {why}", vector["id"].as_str().unwrap_or("?")));
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
