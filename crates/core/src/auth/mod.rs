//! Authentication as pure functions: AK/SK `SDK-HMAC-SHA256` signing (the `Access=` form of
//! the official SDKs and the derived-key `Credential=` form), temporary AK/SK with a
//! security token, and IAM tokens. The time is always passed in.

pub mod canonical;
pub mod iam;
mod secret;
#[cfg(feature = "verify")]
mod verify;

use std::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};

/// The earlier name of [`UtcTime`], kept so that code written against it
/// still builds.
#[doc(no_inline)]
pub use crate::time::UtcTime as SigningTime;
pub use secret::SecretString;
#[cfg(feature = "verify")]
pub use verify::{Authorization, VerifyError, VerifyKey, verify, verify_with};

use crate::error::SignError;
use crate::time::UtcTime;
use canonical::{HEADER_SDK_CONTENT_SHA256, HEADER_SDK_DATE, HeaderSelection, UNSIGNED_PAYLOAD};

/// The header carrying an IAM token.
pub const X_AUTH_TOKEN: &str = "x-auth-token";
/// The header carrying the security token of temporary AK/SK.
pub const X_SECURITY_TOKEN: &str = "x-security-token";
pub(crate) const HEADER_SECURITY_TOKEN: HeaderName = HeaderName::from_static(X_SECURITY_TOKEN);

/// An access key pair, optionally temporary (with a security token).
///
/// ```
/// use otc_jobs_core::auth::AkSk;
/// let keys = AkSk::new("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq");
/// let shown = format!("{keys:?}");
/// assert!(shown.contains("HPUAEXAMPLEAK0000001") && !shown.contains("ExampleSecretKey"));
/// ```
#[derive(Clone)]
pub struct AkSk {
    access_key: String,
    secret_key: SecretString,
    security_token: Option<SecretString>,
    /// HMAC-SHA256 keyed with the SK, its key schedule done once (it is derived from the
    /// secret: never shown).
    keyed: canonical::KeyedHmac,
    /// The derived keys of the scopes signed for lately (they change once a day).
    derived: canonical::DerivedKeys,
}

impl PartialEq for AkSk {
    fn eq(&self, other: &Self) -> bool {
        self.access_key == other.access_key
            && self.secret_key == other.secret_key
            && self.security_token == other.security_token
    }
}

impl Eq for AkSk {}

impl AkSk {
    /// A permanent access key pair.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<SecretString>) -> AkSk {
        let secret_key = secret_key.into();
        AkSk {
            access_key: access_key.into(),
            keyed: canonical::KeyedHmac::new(secret_key.expose().as_bytes()),
            derived: canonical::DerivedKeys::default(),
            secret_key,
            security_token: None,
        }
    }

    /// A temporary access key pair with its security token (sent as `X-Security-Token`).
    pub fn temporary(
        access_key: impl Into<String>,
        secret_key: impl Into<SecretString>,
        security_token: impl Into<SecretString>,
    ) -> AkSk {
        AkSk {
            security_token: Some(security_token.into()),
            ..AkSk::new(access_key, secret_key)
        }
    }

    /// The access key id (not secret).
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The secret key.
    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    /// The security token of temporary credentials.
    pub fn security_token(&self) -> Option<&SecretString> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for AkSk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSk")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// How a request proves who sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// AK/SK signing (permanent or temporary).
    AkSk(AkSk),
    /// An IAM token, sent as `X-Auth-Token`.
    Token(SecretString),
}

/// Which `SDK-HMAC-SHA256` form to sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureForm {
    /// `Access=AK`, keyed with the SK (the official Huawei Cloud SDKs).
    #[default]
    Access,
    /// `Credential=AK/YYYYMMDD/region/service/sdk_request`, keyed with a key derived
    /// from `"SDK" + SK` (gophertelekomcloud, OTC's ModelArts pages).
    DerivedKey,
}

/// Everything signing needs besides the request and the credentials.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The signing time (`X-Sdk-Date`), unless the request already carries one.
    pub time: UtcTime,
    /// The signature form.
    pub form: SignatureForm,
    /// The region (derived-key scope).
    pub region: &'a str,
    /// The service label (derived-key scope), e.g. `"dli"`.
    pub service: &'a str,
}

impl<'a> SigningParams<'a> {
    /// `Access=` form at `time`.
    pub fn access(time: UtcTime) -> SigningParams<'a> {
        SigningParams {
            time,
            form: SignatureForm::Access,
            region: "",
            service: "",
        }
    }
}

/// The outcome of signing, for inspection and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request that was signed.
    pub canonical: canonical::CanonicalRequest,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
}

/// Authenticates `request` in place.
///
/// With a token: adds `X-Auth-Token`. With AK/SK: adds `Host` (from the URI) when missing,
/// `X-Sdk-Date` (from `params.time`) when missing, `X-Security-Token` for temporary keys,
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON bodies, and `Authorization`.
/// Returns the signing stages (`None` for a token).
///
/// ```
/// use otc_jobs_core::UtcTime;
/// use otc_jobs_core::auth::{sign, AkSk, Credentials, SigningParams};
/// let mut request = http::Request::builder()
///     .method("DELETE")
///     .uri("https://dli.eu-de.otc.t-systems.com/v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/jobs/148")
///     .header("Content-Type", "application/json")
///     .body(Vec::new())?;
/// let credentials = Credentials::AkSk(AkSk::new("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq"));
/// sign(&mut request, &credentials, &SigningParams::access(UtcTime::from_unix(1_716_286_830)))?;
/// assert_eq!(request.headers()["x-sdk-date"], "20240521T102030Z");
/// assert!(request.headers()["authorization"].to_str()?.starts_with(
///     "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-sdk-date, Signature="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
) -> Result<Option<Signed>, SignError> {
    match credentials {
        Credentials::Token(token) => {
            let value = HeaderValue::from_str(token.expose())
                .map_err(|_| SignError::InvalidHeaderValue("IAM token"))?;
            request
                .headers_mut()
                .insert(HeaderName::from_static(X_AUTH_TOKEN), sensitive(value));
            Ok(None)
        }
        Credentials::AkSk(keys) => sign_aksk(request, keys, params, true),
    }
}

/// Authenticates `request` in place exactly as [`sign`] does, without keeping the signing
/// stages: what clients call on every request.
///
/// ```
/// use otc_jobs_core::UtcTime;
/// use otc_jobs_core::auth::{authenticate, sign, AkSk, Credentials, SigningParams};
/// let request = || http::Request::builder()
///     .method("DELETE")
///     .uri("https://dli.eu-de.otc.t-systems.com/v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/jobs/148")
///     .body(Vec::new());
/// let credentials = Credentials::AkSk(AkSk::new("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq"));
/// let params = SigningParams::access(UtcTime::from_unix(1_716_286_830));
/// let (mut fast, mut staged) = (request()?, request()?);
/// authenticate(&mut fast, &credentials, &params)?;
/// sign(&mut staged, &credentials, &params)?;
/// assert_eq!(fast.headers(), staged.headers());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn authenticate(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
) -> Result<(), SignError> {
    match credentials {
        Credentials::Token(_) => sign(request, credentials, params).map(drop),
        Credentials::AkSk(keys) => sign_aksk(request, keys, params, false).map(drop),
    }
}

/// `SDK-HMAC-SHA256 <who>, SignedHeaders=<signed>, Signature=<signature>`, as a header
/// value.
fn authorization(
    label: &str,
    who: &[&[u8]],
    signed: &[u8],
    signature: &[u8],
) -> Result<HeaderValue, SignError> {
    const SIGNED_LABEL: &[u8] = b", SignedHeaders=";
    const SIGNATURE_LABEL: &[u8] = b", Signature=";
    let who_len: usize = who.iter().map(|w| w.len()).sum();
    // Exactly: a header value made of a full `Vec` takes it over without copying.
    let len = canonical::ALGORITHM.len()
        + 1
        + label.len()
        + who_len
        + SIGNED_LABEL.len()
        + signed.len()
        + SIGNATURE_LABEL.len()
        + signature.len();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(canonical::ALGORITHM.as_bytes());
    out.push(b' ');
    out.extend_from_slice(label.as_bytes());
    who.iter().for_each(|w| out.extend_from_slice(w));
    out.extend_from_slice(SIGNED_LABEL);
    out.extend_from_slice(signed);
    out.extend_from_slice(SIGNATURE_LABEL);
    out.extend_from_slice(signature);
    HeaderValue::try_from(out).map_err(|_| SignError::InvalidHeaderValue("access key"))
}

fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

/// The signature's HMAC of `string_to_sign`: keyed with the secret key itself, or, for
/// the derived-key form's `scope` (its short date and scope text), with the key derived
/// for that date, region and service.
fn signature_mac(
    keys: &AkSk,
    params: &SigningParams<'_>,
    scope: Option<(&str, &[u8])>,
    string_to_sign: &[&[u8]],
) -> [u8; 32] {
    match scope {
        None => keys.keyed.mac_parts(string_to_sign),
        Some((short_date, scope)) => keys.derived.mac_parts(
            scope,
            || {
                canonical::derived_key(
                    keys.secret_key().expose(),
                    short_date,
                    params.region,
                    params.service,
                )
            },
            string_to_sign,
        ),
    }
}

/// Signs with AK/SK; the stages are built only when `keep_stages` (the signature is
/// computed the same way either way).
fn sign_aksk(
    request: &mut http::Request<Vec<u8>>,
    keys: &AkSk,
    params: &SigningParams<'_>,
    keep_stages: bool,
) -> Result<Option<Signed>, SignError> {
    // What signing reads from the headers, in one pass over them (a lookup by name hashes
    // the name and probes the map, each time).
    let (mut has_host, mut has_date, mut content_type) = (false, false, None);
    for (name, value) in request.headers() {
        if name == HOST {
            has_host = true;
        } else if name == HEADER_SDK_DATE {
            has_date = true;
        } else if name == CONTENT_TYPE && content_type.is_none() {
            content_type = Some(value);
        }
    }
    let content_type_signed =
        canonical::content_type_is_signed(content_type.and_then(|v| v.to_str().ok()));
    let host = if has_host {
        None
    } else {
        let authority = request.uri().authority().ok_or(SignError::NoHost)?;
        Some(HeaderValue::from_str(authority.as_str()).map_err(|_| SignError::NoHost)?)
    };
    let headers = request.headers_mut();
    if let Some(host) = host {
        headers.insert(HOST, host);
    }
    // The date is kept on the stack when it is ours (the usual case), not read back.
    let mut date = [0u8; 16];
    if !has_date {
        date = params.time.sdk_date_bytes();
        let value = HeaderValue::from_bytes(&date)
            .map_err(|_| SignError::InvalidHeaderValue("signing time"))?;
        headers.insert(HEADER_SDK_DATE, value);
    }
    if let Some(token) = keys.security_token() {
        let value = HeaderValue::from_str(token.expose())
            .map_err(|_| SignError::InvalidHeaderValue("security token"))?;
        headers.insert(HEADER_SECURITY_TOKEN, sensitive(value));
    }
    if !content_type_signed {
        headers.insert(
            HEADER_SDK_CONTENT_SHA256,
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
    }
    let sdk_date: &[u8] = if has_date {
        request
            .headers()
            .get(&HEADER_SDK_DATE)
            .and_then(|v| v.to_str().ok())
            .ok_or(SignError::InvalidHeaderValue("X-Sdk-Date"))?
            .as_bytes()
    } else {
        &date
    };

    // Written on the stack and hashed where it was written.
    let mut text = canonical::CanonicalBuf::new();
    let written = canonical::write_canonical_request(
        &mut text,
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
        HeaderSelection::All,
    )?;
    let canonical_hash = canonical::HexDigest::of(text.as_bytes());
    let scope = match params.form {
        SignatureForm::Access => None,
        SignatureForm::DerivedKey => {
            if params.region.is_empty() || params.service.is_empty() {
                return Err(SignError::MissingScope);
            }
            // The scope date is the date of X-Sdk-Date, whatever its source (checked as
            // text above).
            let short_date = sdk_date
                .get(..8)
                .and_then(|d| std::str::from_utf8(d).ok())
                .ok_or(SignError::InvalidHeaderValue("X-Sdk-Date"))?;
            Some((
                short_date,
                canonical::derived_scope(short_date, params.region, params.service),
            ))
        }
    };
    // The staged form joins the same pieces.
    let parts = canonical::string_to_sign_parts(
        sdk_date,
        scope.as_ref().map(|(_, scope)| scope.as_bytes()),
        canonical_hash.as_bytes(),
    );
    let string_to_sign = canonical::string_to_sign_buf(&parts);
    let string_to_sign = [string_to_sign.as_bytes()];
    let mac = signature_mac(
        keys,
        params,
        scope
            .as_ref()
            .map(|(date, scope)| (*date, scope.as_bytes())),
        &string_to_sign,
    );
    let signature = canonical::HexDigest::new(&mac);
    let signed = text
        .as_bytes()
        .get(written.signed.clone())
        .unwrap_or_default();
    let value = match &scope {
        None => authorization(
            "Access=",
            &[keys.access_key().as_bytes()],
            signed,
            signature.as_bytes(),
        ),
        Some((_, scope)) => authorization(
            "Credential=",
            &[keys.access_key().as_bytes(), b"/", scope.as_ref()],
            signed,
            signature.as_bytes(),
        ),
    }?;
    let stages = keep_stages.then(|| Signed {
        string_to_sign: canonical::joined(&string_to_sign),
        signature: signature.as_str().to_owned(),
        canonical: canonical::CanonicalRequest::new(&text, written),
    });
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(stages)
}

/// What signing adds to a request the core is building, in the order it goes into the
/// header map after the request's own headers (as [`authenticate`] inserts them).
pub(crate) struct Added {
    pub(crate) date: HeaderValue,
    pub(crate) security_token: Option<HeaderValue>,
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (a body that is not JSON).
    pub(crate) unsigned_payload: bool,
    pub(crate) authorization: HeaderValue,
}

/// A request the core builds, before its headers go into the map: what the signer reads
/// of it.
pub(crate) struct Unsigned<'a> {
    pub(crate) method: &'a http::Method,
    /// The path as sent (without the query).
    pub(crate) path: &'a [u8],
    /// How many of the path's first bytes are known to be their own canonical URI (each
    /// unreserved or `/`): they are copied, not read.
    pub(crate) canonical_prefix: usize,
    /// The query as sent (without `?`; empty for none).
    pub(crate) query: &'a str,
    /// Its headers: lower-case names without `_`, sorted, each once, every one before
    /// `x-sdk-content-sha256` (the first name signing adds); `host` among them.
    /// Each with whether its value is known to be its own canonical form.
    pub(crate) headers: &'a [canonical::KnownPair<'a>],
    /// The signed header names, `;`-joined, of `headers` and what signing adds, when the
    /// caller knows them: by `X-Sdk-Content-Sha256` (bit 0) and `X-Security-Token` (bit 1)
    /// added.
    pub(crate) signed_names: Option<&'a [&'a str; 4]>,
    pub(crate) body: &'a [u8],
    /// Whether its `Content-Type` has its body hashed ([`canonical::content_type_is_signed`]).
    pub(crate) content_type_signed: bool,
}

/// Signs `request` with AK/SK as [`authenticate`] signs the same request once built, to
/// the byte, without reading the headers back from a map: the canonical request is
/// written from the values at hand, and the string to sign after it in the same buffer.
pub(crate) fn sign_unsigned(
    request: &Unsigned<'_>,
    keys: &AkSk,
    params: &SigningParams<'_>,
) -> Result<Added, SignError> {
    debug_assert!(
        request.headers.windows(2).all(|pair| pair[0].0 < pair[1].0)
            && request
                .headers
                .last()
                .is_none_or(|(name, ..)| *name < canonical::X_SDK_CONTENT_SHA256)
            && request
                .headers
                .iter()
                .all(|(_, value, canonical)| !canonical
                    || canonical::value_is_canonical(value.as_bytes()))
    );
    let (date, date_value) = crate::header_memo::sdk_date(params.time)
        .ok_or(SignError::InvalidHeaderValue("signing time"))?;
    let security_token = match keys.security_token() {
        Some(token) => Some(sensitive(
            HeaderValue::from_str(token.expose())
                .map_err(|_| SignError::InvalidHeaderValue("security token"))?,
        )),
        None => None,
    };
    let unsigned_payload = !request.content_type_signed;
    // What signing adds, in the order of their names (after the request's own).
    let unsigned_value = const { HeaderValue::from_static(UNSIGNED_PAYLOAD) };
    // Their values are made here: the date's and the literal's are their own canonical
    // form, a token is checked as it is written.
    let mut added: [canonical::KnownPair<'_>; 3] = [("", &unsigned_value, true); 3];
    let mut added_count = 0;
    for (wanted, name, value, canonical) in [
        (
            unsigned_payload,
            canonical::X_SDK_CONTENT_SHA256,
            &unsigned_value,
            true,
        ),
        (true, canonical::X_SDK_DATE, &date_value, true),
        (
            security_token.is_some(),
            X_SECURITY_TOKEN,
            security_token.as_ref().unwrap_or(&unsigned_value),
            false,
        ),
    ] {
        if wanted {
            added[added_count] = (name, value, canonical);
            added_count += 1;
        }
    }
    let added = added.get(..added_count).unwrap_or_default();

    let mut text = canonical::CanonicalBuf::new();
    let signed = canonical::write_known_canonical_request(
        &mut text,
        request.method,
        (request.path, request.canonical_prefix),
        request.query,
        (
            [request.headers, added],
            request.signed_names.map(|names| {
                names[usize::from(unsigned_payload) | usize::from(security_token.is_some()) << 1]
            }),
        ),
        request.body,
        unsigned_payload,
    )?;
    let canonical_end = text.len();
    let canonical_hash = canonical::HexDigest::of(text.as_bytes());
    let mut scope_text = canonical::ScopeBuf::new();
    let scope = match params.form {
        SignatureForm::Access => None,
        SignatureForm::DerivedKey => {
            if params.region.is_empty() || params.service.is_empty() {
                return Err(SignError::MissingScope);
            }
            let short_date = std::str::from_utf8(&date[..8])
                .map_err(|_| SignError::InvalidHeaderValue("X-Sdk-Date"))?;
            Some((
                short_date,
                canonical::derived_scope_into(
                    &mut scope_text,
                    short_date,
                    params.region,
                    params.service,
                ),
            ))
        }
    };
    // The string to sign after the canonical request, in the same buffer.
    canonical::push_string_to_sign(
        &mut text,
        &date,
        scope.as_ref().map(|(_, scope)| *scope),
        canonical_hash.as_bytes(),
    );
    let written = text.as_bytes();
    let string_to_sign = [written.get(canonical_end..).unwrap_or_default()];
    let mac = signature_mac(keys, params, scope, &string_to_sign);
    let signature = canonical::HexDigest::new(&mac);
    let signed = written.get(signed).unwrap_or_default();
    let authorization = match &scope {
        None => authorization(
            "Access=",
            &[keys.access_key().as_bytes()],
            signed,
            signature.as_bytes(),
        ),
        Some((_, scope)) => authorization(
            "Credential=",
            &[keys.access_key().as_bytes(), b"/", scope],
            signed,
            signature.as_bytes(),
        ),
    }?;
    Ok(Added {
        date: date_value,
        security_token,
        unsigned_payload,
        authorization,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The fast path and the staged one put the same headers on every kind of request.
    #[test]
    fn authenticate_equals_sign() {
        let keys = AkSk::new(
            "HPUAEXAMPLEAK0000001",
            "ExampleSecretKey0123456789abcdefghijklmnopq",
        );
        let temporary = AkSk::temporary("AK", "SK", "security-token");
        let all_credentials = [
            Credentials::AkSk(keys),
            Credentials::AkSk(temporary),
            Credentials::Token(SecretString::from("iam-token")),
        ];
        let request = |content_type: Option<&str>, body: &[u8], date: Option<&str>| {
            let mut builder = http::Request::builder()
                .method("POST")
                .uri("https://dli.eu-de.otc.t-systems.com/v1.0/p/streaming/jobs/a%20b?z=1&a=2");
            if let Some(ct) = content_type {
                builder = builder.header(CONTENT_TYPE, ct);
            }
            if let Some(date) = date {
                builder = builder.header(canonical::X_SDK_DATE, date);
            }
            builder.body(body.to_vec()).unwrap()
        };
        let time = UtcTime::from_unix(1_716_286_830);
        let forms = [
            SigningParams::access(time),
            SigningParams {
                time,
                form: SignatureForm::DerivedKey,
                region: "eu-de",
                service: "dli",
            },
        ];
        let shapes = [
            (Some("application/json"), &b"{\"a\":1}"[..], None),
            (Some("application/octet-stream"), &b"raw"[..], None),
            (None, &b""[..], Some("20240101T000000Z")),
        ];
        for credentials in &all_credentials {
            for params in &forms {
                for (content_type, body, date) in shapes {
                    let mut fast = request(content_type, body, date);
                    let mut staged = request(content_type, body, date);
                    authenticate(&mut fast, credentials, params).unwrap();
                    let stages = sign(&mut staged, credentials, params).unwrap();
                    assert_eq!(fast.headers(), staged.headers());
                    if let Some(stages) = stages {
                        let header = fast.headers()[AUTHORIZATION].to_str().unwrap();
                        assert!(header.ends_with(&format!("Signature={}", stages.signature)));
                        assert!(stages.string_to_sign.starts_with("SDK-HMAC-SHA256\n"));
                    }
                }
            }
        }
        // A derived-key form without a scope is refused by both.
        let params = SigningParams {
            form: SignatureForm::DerivedKey,
            ..SigningParams::access(time)
        };
        let mut r = request(None, b"", None);
        assert_eq!(
            authenticate(&mut r, &all_credentials[0], &params),
            Err(SignError::MissingScope)
        );
    }
}
