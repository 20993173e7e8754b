//! Checking a received `SDK-HMAC-SHA256` signature, as OTC's API gateway does.

use std::borrow::Cow;

use http::{HeaderMap, Method, Uri};

use super::canonical::{self, HeaderSelection};
use super::{SecretString, SignatureForm};

/// A parsed `Authorization: SDK-HMAC-SHA256 ...` header, borrowing from the header's text
/// (a server reads one per request: no copies).
///
/// ```
/// use otc_jobs_core::auth::{Authorization, SignatureForm};
/// let a = Authorization::parse(
///     "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;X-Sdk-Date, Signature=abc123")?;
/// assert_eq!((a.access_key, a.form, a.signature), ("AK1", SignatureForm::Access, "abc123"));
/// assert!(a.signed_headers().eq(["host", "x-sdk-date"]));
/// # Ok::<(), otc_jobs_core::auth::VerifyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// Which form the header uses.
    pub form: SignatureForm,
    /// The access key id.
    pub access_key: &'a str,
    /// The derived-key scope (`YYYYMMDD/region/service/sdk_request`), for that form.
    pub scope: Option<&'a str>,
    /// The hex signature.
    pub signature: &'a str,
    /// The signed header names joined by `;`, lower-case (copied only when the header
    /// wrote one in upper case).
    signed_headers: Cow<'a, str>,
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header.
    #[error("no Authorization header")]
    Missing,
    /// The header is not an `SDK-HMAC-SHA256` authorization.
    #[error("malformed Authorization header: {0}")]
    Malformed(&'static str),
    /// `X-Sdk-Date` is missing or not `YYYYMMDDTHHMMSSZ`.
    #[error("missing or malformed X-Sdk-Date")]
    BadDate,
    /// A header the signature covers could not be read.
    #[error("a signed header cannot be read")]
    UnreadableHeader,
    /// The scope does not match the date.
    #[error("the credential scope does not match X-Sdk-Date")]
    ScopeMismatch,
    /// The signature does not match.
    #[error("the signature does not match")]
    Mismatch,
}

impl<'a> Authorization<'a> {
    /// Parses the header value.
    pub fn parse(value: &'a str) -> Result<Authorization<'a>, VerifyError> {
        // Header values are ASCII: ASCII trimming reads them as `str::trim` would, for less.
        let rest = value
            .trim_ascii()
            .strip_prefix(canonical::ALGORITHM)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(VerifyError::Malformed("not SDK-HMAC-SHA256"))?;
        let (mut access, mut credential, mut signed, mut signature) = (None, None, None, None);
        for item in rest.split(',') {
            let item = item.trim_ascii();
            let equals = item
                .bytes()
                .position(|b| b == b'=')
                .ok_or(VerifyError::Malformed("expected key=value"))?;
            let slot = match &item[..equals] {
                "Access" => &mut access,
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return Err(VerifyError::Malformed("unknown field")),
            };
            *slot = Some(item[equals + 1..].trim_ascii());
        }
        let (form, access_key, scope) = match (access, credential) {
            (Some(ak), None) => (SignatureForm::Access, ak, None),
            (None, Some(cred)) => {
                let (ak, scope) = cred
                    .split_once('/')
                    .ok_or(VerifyError::Malformed("Credential without scope"))?;
                let mut parts = scope.split('/');
                let terminated = parts.nth(3) == Some(canonical::DERIVED_SCOPE_TERMINATOR);
                if !terminated || parts.next().is_some() {
                    return Err(VerifyError::Malformed("Credential scope"));
                }
                (SignatureForm::DerivedKey, ak, Some(scope))
            }
            _ => {
                return Err(VerifyError::Malformed(
                    "expected exactly one of Access, Credential",
                ));
            }
        };
        if access_key.is_empty() {
            return Err(VerifyError::Malformed("empty access key"));
        }
        let signed = signed.ok_or(VerifyError::Malformed("no SignedHeaders"))?;
        // One pass: no empty name (`;;`, or `;` first or last), and whether any is upper case.
        let (mut previous, mut upper) = (b';', false);
        for b in signed.bytes() {
            if b == b';' && previous == b';' {
                return Err(VerifyError::Malformed("empty signed header name"));
            }
            upper |= b.is_ascii_uppercase();
            previous = b;
        }
        if previous == b';' {
            return Err(VerifyError::Malformed("empty signed header name"));
        }
        let signed_headers = if upper {
            Cow::Owned(signed.to_ascii_lowercase())
        } else {
            Cow::Borrowed(signed)
        };
        let signature = signature
            .filter(|s| !s.is_empty())
            .ok_or(VerifyError::Malformed("no Signature"))?;
        Ok(Authorization {
            form,
            access_key,
            scope,
            signature,
            signed_headers,
        })
    }

    /// The signed header names, lower-case, in the order given.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> {
        // Byte-wise: a handful of short names, where `str::split`'s searcher costs more
        // than the scan.
        let mut rest = Some(&*self.signed_headers);
        std::iter::from_fn(move || {
            let list = rest?;
            match list.bytes().position(|b| b == b';') {
                Some(semicolon) => {
                    rest = Some(&list[semicolon + 1..]);
                    Some(&list[..semicolon])
                }
                None => {
                    rest = None;
                    Some(list)
                }
            }
        })
    }
}

/// Recomputes the signature of a received request with `secret_key` and compares it (in
/// constant time) with the one in `authorization`. Checking the clock skew of
/// `X-Sdk-Date` is the caller's (it owns the clock).
///
/// ```
/// use otc_jobs_core::UtcTime;
/// use otc_jobs_core::auth::{sign, verify, AkSk, Authorization, Credentials, SigningParams};
/// let mut request = http::Request::builder()
///     .method("DELETE")
///     .uri("http://127.0.0.1:8080/v1.1/p/job-executions/x")
///     .body(Vec::new())?;
/// let keys = AkSk::new("AK", "SK");
/// sign(&mut request, &Credentials::AkSk(keys), &SigningParams::access(UtcTime::from_unix(0)))?;
/// let (parts, body) = request.into_parts();
/// let auth = Authorization::parse(parts.headers["authorization"].to_str()?)?;
/// assert!(verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, "SK").is_ok());
/// assert!(verify(&parts.method, &parts.uri, &parts.headers, &body, &auth, "other").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    authorization: &Authorization<'_>,
    secret_key: &str,
) -> Result<(), VerifyError> {
    let key = Key::Secret(secret_key);
    check(method, uri, headers, body, authorization, key)
}

/// The key a signature is checked with.
#[derive(Clone, Copy)]
enum Key<'k> {
    /// Prepared for many checks.
    Prepared(&'k VerifyKey),
    /// For this one check: its key schedule done here, nothing kept (and nothing allocated).
    Secret(&'k str),
}

/// A secret key prepared for checking many signatures: its HMAC key schedule done once,
/// derived keys kept per scope (a server verifying every request keeps one per key).
///
/// ```
/// use otc_jobs_core::auth::VerifyKey;
/// let key = VerifyKey::new("ExampleSecretKey0123456789abcdefghijklmnopq");
/// assert!(!format!("{key:?}").contains("ExampleSecretKey"));
/// ```
#[derive(Clone)]
pub struct VerifyKey {
    secret: SecretString,
    keyed: canonical::KeyedHmac,
    derived: canonical::DerivedKeys,
}

impl VerifyKey {
    /// Prepares `secret_key`.
    pub fn new(secret_key: &str) -> VerifyKey {
        VerifyKey {
            keyed: canonical::KeyedHmac::new(secret_key.as_bytes()),
            derived: canonical::DerivedKeys::default(),
            secret: SecretString::new(secret_key),
        }
    }

    /// Whether this is the key of `secret_key`.
    pub fn is_for(&self, secret_key: &str) -> bool {
        constant_time_eq(self.secret.expose().as_bytes(), secret_key.as_bytes())
    }
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyKey(***)")
    }
}

/// [`verify`] with a prepared key: the same check, without redoing the key schedule.
///
/// ```
/// use otc_jobs_core::UtcTime;
/// use otc_jobs_core::auth::{sign, verify_with, AkSk, Authorization, Credentials, SigningParams, VerifyKey};
/// let mut request = http::Request::builder()
///     .method("DELETE")
///     .uri("http://127.0.0.1:8080/v1.1/p/job-executions/x")
///     .body(Vec::new())?;
/// sign(&mut request, &Credentials::AkSk(AkSk::new("AK", "SK")), &SigningParams::access(UtcTime::from_unix(0)))?;
/// let (parts, body) = request.into_parts();
/// let auth = Authorization::parse(parts.headers["authorization"].to_str()?)?;
/// let key = VerifyKey::new("SK");
/// assert!(verify_with(&parts.method, &parts.uri, &parts.headers, &body, &auth, &key).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_with(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    authorization: &Authorization<'_>,
    key: &VerifyKey,
) -> Result<(), VerifyError> {
    check(
        method,
        uri,
        headers,
        body,
        authorization,
        Key::Prepared(key),
    )
}

/// [`verify`] and [`verify_with`]: the same check with either key.
fn check(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    authorization: &Authorization<'_>,
    key: Key<'_>,
) -> Result<(), VerifyError> {
    let sdk_date = headers
        .get(&canonical::HEADER_SDK_DATE)
        .and_then(|v| v.to_str().ok())
        .filter(|d| crate::time::UtcTime::parse_sdk_date(d).is_some())
        .ok_or(VerifyError::BadDate)?;
    // The names on the stack for the usual few (a request here signs three to six).
    let mut inline = [""; 16];
    let count = authorization.signed_headers().count();
    let spilled: Vec<&str>;
    let names = if count <= inline.len() {
        for (slot, name) in inline.iter_mut().zip(authorization.signed_headers()) {
            *slot = name;
        }
        &inline[..count]
    } else {
        spilled = authorization.signed_headers().collect();
        &spilled[..]
    };
    // Hashed where it was written, as the signer does.
    let mut text = canonical::CanonicalBuf::new();
    canonical::write_canonical_request(
        &mut text,
        method,
        uri,
        headers,
        body,
        HeaderSelection::Only(names),
    )
    .map_err(|_| VerifyError::UnreadableHeader)?;
    let canonical_hash = canonical::HexDigest::of(text.as_bytes());
    let mac = match (authorization.form, authorization.scope) {
        (SignatureForm::DerivedKey, Some(scope)) => {
            let mut parts = scope.split('/');
            let (date, region, service) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            if !sdk_date.starts_with(date) || date.len() != 8 {
                return Err(VerifyError::ScopeMismatch);
            }
            let parts = canonical::string_to_sign_parts(
                sdk_date.as_bytes(),
                Some(scope.as_bytes()),
                canonical_hash.as_bytes(),
            );
            match key {
                Key::Prepared(key) => key.derived.mac_parts(
                    scope.as_bytes(),
                    || canonical::derived_key(key.secret.expose(), date, region, service),
                    &parts,
                ),
                Key::Secret(secret) => canonical::hmac_sha256_parts(
                    &canonical::derived_key(secret, date, region, service),
                    &parts,
                ),
            }
        }
        _ => {
            let parts = canonical::string_to_sign_parts(
                sdk_date.as_bytes(),
                None,
                canonical_hash.as_bytes(),
            );
            match key {
                Key::Prepared(key) => key.keyed.mac_parts(&parts),
                Key::Secret(secret) => canonical::hmac_sha256_parts(secret.as_bytes(), &parts),
            }
        }
    };
    let expected = canonical::HexDigest::new(&mac);
    if constant_time_eq(expected.as_bytes(), authorization.signature.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// Compares two strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::auth::{AkSk, Credentials, SigningParams, sign};
    use crate::time::UtcTime;

    /// A prepared key judges every signature as the raw secret does, in both forms and
    /// for several scopes in turn (the derived keys it keeps).
    #[test]
    fn prepared_key_agrees_with_the_secret() {
        let key = VerifyKey::new("SK");
        let other = VerifyKey::new("other");
        assert!(key.is_for("SK") && !key.is_for("SK2") && !other.is_for("SK"));
        for (day, service) in [(0, "dli"), (86_400, "dli"), (0, "modelarts"), (0, "dli")] {
            for form in [SignatureForm::Access, SignatureForm::DerivedKey] {
                let mut request = http::Request::builder()
                    .method("DELETE")
                    .uri("http://127.0.0.1:8080/v1.1/p/job-executions/x?b=2&a=1")
                    .body(Vec::new())
                    .unwrap();
                let params = SigningParams {
                    time: UtcTime::from_unix(1_716_286_830 + day),
                    form,
                    region: "eu-de",
                    service,
                };
                let credentials = Credentials::AkSk(AkSk::new("AK", "SK"));
                sign(&mut request, &credentials, &params).unwrap();
                let (parts, body) = request.into_parts();
                let auth =
                    Authorization::parse(parts.headers["authorization"].to_str().unwrap()).unwrap();
                let check = |key: &VerifyKey| {
                    verify_with(&parts.method, &parts.uri, &parts.headers, &body, &auth, key)
                };
                assert_eq!(check(&key), Ok(()));
                assert_eq!(
                    verify(
                        &parts.method,
                        &parts.uri,
                        &parts.headers,
                        &body,
                        &auth,
                        "SK"
                    ),
                    Ok(())
                );
                assert_eq!(check(&other), Err(VerifyError::Mismatch));
            }
        }
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
