//! Canonicalisation, signing and `verify`: any request the signer accepts verifies with
//! its secret key, in both forms; a changed signed byte (method, a path letter, the date,
//! a signed header, a hashed body, the signature) or another key never verifies.
//!
//! Input: a control byte, then `method \n path?query \n header \n ... \n\n body`, split
//! on the first empty line.
#![no_main]

use http::{HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;
use otc_jobs_core::auth::canonical::{canonical_query, canonical_uri};
use otc_jobs_core::auth::{
    AkSk, Authorization, Credentials, SignatureForm, SigningParams, SigningTime, sign, verify,
};

const SECRET: &str = "FuzzSecretKey0123456789abcdefghijklmnopqr";

fn verifies(request: &http::Request<Vec<u8>>, secret: &str) -> bool {
    let Some(auth) = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Authorization::parse(v).ok())
    else {
        return false;
    };
    verify(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
        &auth,
        secret,
    )
    .is_ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("GET");
    let target = lines.next().unwrap_or("/");

    // The canonical forms alone never panic; the query's is stable.
    let _ = canonical_uri(target.split('?').next().unwrap_or(""));
    if let Some((_, query)) = target.split_once('?') {
        let once = canonical_query(query);
        assert_eq!(canonical_query(&once), once, "query {query:?}");
    }

    // The signer sets authorization, x-sdk-date and host itself.
    let Some(mut request) = otc_jobs_fuzz::request(
        method,
        "https://fuzz.example",
        target,
        lines,
        body,
        &["authorization", "x-sdk-date", "host"],
    ) else {
        return;
    };
    let form = if control & 1 == 0 {
        SignatureForm::Access
    } else {
        SignatureForm::DerivedKey
    };
    let params = SigningParams {
        time: SigningTime::from_unix(u64::from(control) * 86_400 * 97 + 1_600_000_000),
        form,
        region: "eu-de",
        service: "dli",
    };
    let keys = Credentials::AkSk(AkSk::new("FUZZAK", SECRET));
    if sign(&mut request, &keys, &params).is_err() {
        return;
    }
    assert!(
        verifies(&request, SECRET),
        "a signed request does not verify: {request:?}"
    );
    assert!(!verifies(&request, "AnotherSecretKey"));

    let mut changed = request.clone();
    match (control >> 1) % 6 {
        0 => {
            let other = if changed.method() == Method::PATCH {
                Method::PUT
            } else {
                Method::PATCH
            };
            *changed.method_mut() = other;
        }
        1 => {
            // A letter of the path (not inside a %XX escape) becomes another letter.
            let path = changed.uri().path().to_owned();
            let bytes = path.as_bytes();
            let Some(at) = (0..bytes.len()).rev().find(|&i| {
                bytes[i].is_ascii_alphabetic() && !bytes[i.saturating_sub(2)..i].contains(&b'%')
            }) else {
                return;
            };
            let mut new_path = path.clone().into_bytes();
            new_path[at] = if bytes[at] == b'q' { b'z' } else { b'q' };
            let query = changed
                .uri()
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            let Ok(uri) = format!(
                "https://fuzz.example{}{query}",
                String::from_utf8_lossy(&new_path)
            )
            .parse::<Uri>() else {
                return;
            };
            *changed.uri_mut() = uri;
        }
        2 => {
            let date = SigningTime::from_unix(u64::from(control) * 86_400 * 97 + 1_600_000_001);
            let Ok(value) = HeaderValue::from_str(&date.sdk_date()) else {
                return;
            };
            changed.headers_mut().insert("x-sdk-date", value);
        }
        3 => {
            // The body counts only when it is hashed.
            if changed.headers().contains_key("x-sdk-content-sha256") {
                return;
            }
            changed.body_mut().push(b'x');
        }
        4 => {
            let Some(value) = changed.headers().get("authorization").cloned() else {
                return;
            };
            let mut text = value.to_str().unwrap_or_default().to_owned();
            let last = text.pop();
            text.push(if last == Some('0') { '1' } else { '0' });
            let Ok(value) = HeaderValue::from_str(&text) else {
                return;
            };
            changed.headers_mut().insert("authorization", value);
        }
        _ => {
            // The host is always signed.
            changed
                .headers_mut()
                .insert("host", HeaderValue::from_static("other.example"));
        }
    }
    assert!(
        !verifies(&changed, SECRET),
        "a changed request verifies: {changed:?}"
    );
});
