//! The stages of `SDK-HMAC-SHA256`: canonical request, string to sign, signature.
//!
//! What OTC's API gateway checks (pinned down by the official SDK's vectors):
//! - canonical URI: the path percent-decoded, split on `/`, each segment re-encoded keeping
//!   only `A-Z a-z 0-9 - . _ ~`, always ending in `/`;
//! - canonical query: pairs sorted by decoded key then value, both encoded the same way;
//! - headers: every header except names containing `_`, lower-cased, sorted, values trimmed;
//! - payload: hex SHA-256 of the body, or `UNSIGNED-PAYLOAD` for content types other than
//!   JSON and BSON.

use hmac::{Hmac, Mac};
use std::ops::Range;

use http::{HeaderMap, HeaderValue, Method, Uri};
use percent_encoding::{percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};

use crate::error::SignError;
use crate::path::SEGMENT;
use crate::stack_buf::StackBuf;

/// The signing algorithm's name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header carrying the signing time.
pub const X_SDK_DATE: &str = "x-sdk-date";
/// The header that marks an unsigned payload.
pub const X_SDK_CONTENT_SHA256: &str = "x-sdk-content-sha256";
pub(crate) const HEADER_SDK_DATE: http::HeaderName = http::HeaderName::from_static(X_SDK_DATE);
pub(crate) const HEADER_SDK_CONTENT_SHA256: http::HeaderName =
    http::HeaderName::from_static(X_SDK_CONTENT_SHA256);
/// The payload hash literal for bodies that are not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Hex SHA-256 of the empty body (most requests here have none).
pub const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// [`EMPTY_PAYLOAD_HASH`] as an array.
const EMPTY_PAYLOAD_HASH_BYTES: [u8; 64] = {
    let text = EMPTY_PAYLOAD_HASH.as_bytes();
    let mut bytes = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        bytes[i] = text[i];
        i += 1;
    }
    bytes
};
/// The last element of a derived-key credential scope.
pub const DERIVED_SCOPE_TERMINATOR: &str = "sdk_request";

/// A canonical request, and where each of its parts stands in it (built in one buffer:
/// signing is on every request's path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    parts: Parts,
}

/// Where each part of a canonical request stands in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parts {
    uri: Range<usize>,
    query: Range<usize>,
    headers: Range<usize>,
    pub(crate) signed: Range<usize>,
    payload: Range<usize>,
}

impl CanonicalRequest {
    /// The text written into `buffer`, where `parts` says.
    pub(crate) fn new(buffer: &CanonicalBuf, parts: Parts) -> CanonicalRequest {
        CanonicalRequest {
            // Written from text and checked header values only: always UTF-8.
            text: buffer.to_string_exact(),
            parts,
        }
    }

    /// The whole canonical request.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The canonical URI (always ends in `/`).
    pub fn canonical_uri(&self) -> &str {
        &self.text[self.parts.uri.clone()]
    }

    /// The canonical query string.
    pub fn canonical_query(&self) -> &str {
        &self.text[self.parts.query.clone()]
    }

    /// `name:value\n` for every signed header.
    pub fn canonical_headers(&self) -> &str {
        &self.text[self.parts.headers.clone()]
    }

    /// The signed header names joined by `;`.
    pub fn signed_headers(&self) -> &str {
        &self.text[self.parts.signed.clone()]
    }

    /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    pub fn payload_hash(&self) -> &str {
        &self.text[self.parts.payload.clone()]
    }
}

/// Room for a usual canonical request on the stack (a deletion's is about 350 bytes).
const CANONICAL_INLINE: usize = 512;
/// The buffer a canonical request is written into.
pub(crate) type CanonicalBuf = StackBuf<CANONICAL_INLINE>;

/// Headers signed without a heap allocation (a request here has six or seven).
const INLINE_HEADERS: usize = 12;
/// A filler for the unused inline slots.
static NO_VALUE: HeaderValue = HeaderValue::from_static("");

/// A header's name and one of its values.
pub(crate) type Pair<'h> = (&'h str, &'h HeaderValue);

/// A header's name, its value, and whether the value is known to be its own canonical
/// form ([`value_is_canonical`]: then it is copied, not checked again).
pub(crate) type KnownPair<'h> = (&'h str, &'h HeaderValue, bool);

/// Which headers go into the canonical request.
#[derive(Debug, Clone, Copy)]
pub enum HeaderSelection<'a> {
    /// Every header except names containing `_` (signing).
    All,
    /// Exactly these lower-case names, in this order (verifying a received signature).
    Only(&'a [&'a str]),
}

/// Builds the canonical request of `method uri` with `headers` and `body`.
///
/// `headers` must already hold `Host` (the signer adds it from the URI).
pub fn canonical_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    selection: HeaderSelection<'_>,
) -> Result<CanonicalRequest, SignError> {
    let mut buffer = CanonicalBuf::new();
    let parts = write_canonical_request(&mut buffer, method, uri, headers, body, selection)?;
    Ok(CanonicalRequest::new(&buffer, parts))
}

/// Writes the canonical request into `text` (what [`canonical_request`] returns, without
/// a `String` of its own: the signer hashes it where it was written).
pub(crate) fn write_canonical_request(
    text: &mut CanonicalBuf,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    selection: HeaderSelection<'_>,
) -> Result<Parts, SignError> {
    text.push_str(method.as_str());
    text.push_byte(b'\n');

    let start = text.len();
    push_canonical_uri(text, uri.path().as_bytes());
    let uri_range = start..text.len();
    text.push_byte(b'\n');

    let start = text.len();
    push_canonical_query(text, uri.query().unwrap_or(""));
    let query = start..text.len();
    text.push_byte(b'\n');

    // Every signed value with its name, sorted by name (one pass over the map, no lookups
    // by name); the sort is stable, so a name's values keep their order.
    // On the stack for the usual few headers.
    // Verifying, the named ones are picked in the same pass (a lookup by name would parse
    // and hash each name).
    let mut inline: [Pair<'_>; INLINE_HEADERS] = [("", &NO_VALUE); INLINE_HEADERS];
    let mut spilled = Vec::new();
    let wanted = |name: &str| match selection {
        // Without a branch per byte: names are short, and checked on every request.
        HeaderSelection::All => !name.bytes().fold(false, |seen, b| seen | (b == b'_')),
        // Without any name, `host` is signed (as below).
        HeaderSelection::Only([]) => name == "host",
        HeaderSelection::Only(names) => names.contains(&name),
    };
    let mut picked_count = 0;
    for (name, value) in headers {
        let name = name.as_str();
        if !wanted(name) {
            continue;
        }
        match inline.get_mut(picked_count) {
            Some(slot) => *slot = (name, value),
            None => {
                if spilled.is_empty() {
                    spilled.extend_from_slice(&inline);
                }
                spilled.push((name, value));
            }
        }
        picked_count += 1;
    }
    let picked: &mut [Pair<'_>] = match inline.get_mut(..picked_count) {
        Some(picked) => picked,
        None => &mut spilled,
    };
    let (pairs, named): (&mut [Pair<'_>], &[Pair<'_>]) = match selection {
        HeaderSelection::All => (picked, &[]),
        HeaderSelection::Only(_) => (&mut [], picked),
    };
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let pairs = &*pairs;
    // Without any header, `host` is signed (and must then be there).
    let only: &[&str] = match selection {
        HeaderSelection::All if pairs.is_empty() => &["host"],
        HeaderSelection::All => &[],
        HeaderSelection::Only([]) => &["host"],
        HeaderSelection::Only(names) => names,
    };

    let start = text.len();
    let mut unsigned_payload = false;
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 && pairs[i - 1].0 == *name {
            text.push_byte(b',');
        } else {
            if i > 0 {
                text.push_byte(b'\n');
            }
            text.push_str(name);
            text.push_byte(b':');
            // Its first value decides, as `HeaderMap::get` reads it.
            unsigned_payload |=
                *name == X_SDK_CONTENT_SHA256 && value.as_bytes() == UNSIGNED_PAYLOAD.as_bytes();
        }
        push_header_value(text, name, value)?;
    }
    if !pairs.is_empty() {
        text.push_byte(b'\n');
    }
    for name in only {
        match selection {
            HeaderSelection::Only(_) => {
                let values = named.iter().filter(|(n, _)| n == name).map(|(_, v)| *v);
                push_header_line(text, name, values)?;
            }
            HeaderSelection::All => push_header_line(text, name, headers.get_all(*name))?,
        }
    }
    if let HeaderSelection::Only(_) = selection {
        unsigned_payload = headers
            .get(&HEADER_SDK_CONTENT_SHA256)
            .is_some_and(|v| v.as_bytes() == UNSIGNED_PAYLOAD.as_bytes());
    }
    let header_range = start..text.len();
    text.push_byte(b'\n');

    let start = text.len();
    for (i, (name, _)) in pairs.iter().enumerate() {
        if i > 0 && pairs[i - 1].0 == *name {
            continue;
        }
        if i > 0 {
            text.push_byte(b';');
        }
        text.push_str(name);
    }
    for (i, name) in only.iter().enumerate() {
        if i > 0 {
            text.push_byte(b';');
        }
        text.push_str(name);
    }
    let signed = start..text.len();
    text.push_byte(b'\n');

    let start = text.len();
    if unsigned_payload {
        text.push_str(UNSIGNED_PAYLOAD);
    } else if body.is_empty() {
        text.push_str(EMPTY_PAYLOAD_HASH);
    } else {
        text.push(&HexDigest::of(body).0);
    }
    let payload = start..text.len();

    Ok(Parts {
        uri: uri_range,
        query,
        headers: header_range,
        signed,
        payload,
    })
}

/// Writes the canonical request of a request whose headers are given as they will be sent:
/// lower-case names without `_`, each once, sorted across `headers`' slices in turn (what
/// the core builds and signing adds), with their names `;`-joined when the caller knows
/// them, and the path with how many of its first bytes are their own canonical URI. The
/// same text as [`write_canonical_request`] on the built request; returns where the signed
/// header names stand in it.
pub(crate) fn write_known_canonical_request(
    text: &mut CanonicalBuf,
    method: &Method,
    (path, canonical_prefix): (&[u8], usize),
    query: &str,
    (headers, signed_names): ([&[KnownPair<'_>]; 2], Option<&str>),
    body: &[u8],
    unsigned_payload: bool,
) -> Result<Range<usize>, SignError> {
    text.push_str(method.as_str());
    text.push_byte(b'\n');
    push_canonical_uri_after(text, path, canonical_prefix.min(path.len()));
    text.push_byte(b'\n');
    push_canonical_query(text, query);
    text.push_byte(b'\n');
    let pairs = || headers.iter().flat_map(|part| part.iter());
    for (name, value, canonical) in pairs() {
        text.push_str(name);
        text.push_byte(b':');
        if *canonical {
            text.push(value.as_bytes());
        } else {
            push_header_value(text, name, value)?;
        }
        text.push_byte(b'\n');
    }
    text.push_byte(b'\n');
    let start = text.len();
    match signed_names {
        // Written at once (the caller knows them).
        Some(names) => text.push_str(names),
        None => {
            for (i, (name, ..)) in pairs().enumerate() {
                if i > 0 {
                    text.push_byte(b';');
                }
                text.push_str(name);
            }
        }
    }
    let signed = start..text.len();
    debug_assert!(text.as_bytes().get(signed.clone()).is_some_and(|names| {
        names
            == pairs()
                .map(|(name, ..)| *name)
                .collect::<Vec<_>>()
                .join(";")
                .as_bytes()
    }));
    text.push_byte(b'\n');
    if unsigned_payload {
        text.push_str(UNSIGNED_PAYLOAD);
    } else if body.is_empty() {
        text.push_array(&EMPTY_PAYLOAD_HASH_BYTES);
    } else {
        text.push_array(&HexDigest::of(body).0);
    }
    Ok(signed)
}

/// `name:v1,v2\n`: one header line of the canonical request.
fn push_header_line<'v>(
    text: &mut CanonicalBuf,
    name: &str,
    values: impl IntoIterator<Item = &'v HeaderValue>,
) -> Result<(), SignError> {
    text.push_str(name);
    text.push_byte(b':');
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            text.push_byte(b',');
        }
        push_header_value(text, name, value)?;
    }
    text.push_byte(b'\n');
    Ok(())
}

/// Whether a header value is its own canonical form: ASCII, starting and ending with a
/// visible character (nothing to check further, nothing to trim).
pub(crate) const fn value_is_canonical(bytes: &[u8]) -> bool {
    const fn visible(b: u8) -> bool {
        b >= 0x21 && b < 0x7f
    }
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => visible(*first) && visible(*last) && bytes.is_ascii(),
        _ => false,
    }
}

/// Appends a header value, trimmed (as `str::trim` does: the official SDKs trim Unicode
/// white space).
fn push_header_value(
    text: &mut CanonicalBuf,
    name: &str,
    value: &HeaderValue,
) -> Result<(), SignError> {
    let bytes = value.as_bytes();
    // Most values are ASCII and start and end with a visible character: nothing to check
    // further, nothing to trim.
    if value_is_canonical(bytes) {
        text.push(bytes);
        return Ok(());
    }
    let value =
        std::str::from_utf8(bytes).map_err(|_| SignError::UnsignableHeader(name.to_owned()))?;
    text.push_str(value.trim());
    Ok(())
}

/// Whether a body of this `Content-Type` is hashed (JSON, BSON, or no type at all).
pub fn content_type_is_signed(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(ct) => {
            let ct = ct.trim_start();
            ct.starts_with("application/json") || ct.starts_with("application/bson")
        }
    }
}

/// [`content_type_is_signed`] of a content type known at compile time.
pub(crate) const fn content_type_is_signed_const(content_type: &str) -> bool {
    const fn starts_with(text: &[u8], at: usize, prefix: &[u8]) -> bool {
        if text.len() < at + prefix.len() {
            return false;
        }
        let mut i = 0;
        while i < prefix.len() {
            if text[at + i] != prefix[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let text = content_type.as_bytes();
    // `trim_start`: the white space a header value can start with is ASCII.
    let mut at = 0;
    while at < text.len() && text[at].is_ascii_whitespace() {
        at += 1;
    }
    starts_with(text, at, b"application/json") || starts_with(text, at, b"application/bson")
}

/// The canonical URI of `path`.
///
/// ```
/// use otc_jobs_core::auth::canonical::canonical_uri;
/// assert_eq!(canonical_uri("/v1/p/visualization-jobs/a%20b%2Fc%25d"), "/v1/p/visualization-jobs/a%20b/c%25d/");
/// assert_eq!(canonical_uri("/"), "/");
/// ```
pub fn canonical_uri(path: &str) -> String {
    let mut out = CanonicalBuf::new();
    push_canonical_uri(&mut out, path.as_bytes());
    out.to_string_exact()
}

/// 1 for the unreserved bytes, 2 for `/`: one table lookup per byte of a path (checked on
/// every request).
const PATH_AS_IS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            table[b] = 1;
        }
        b += 1;
    }
    table[b'/' as usize] = 2;
    table
};

fn push_canonical_uri(out: &mut CanonicalBuf, bytes: &[u8]) {
    // Most paths (versions, project ids, numeric and UUID ids) are their own canonical form
    // (checked without a branch per byte: every request's path is).
    let plain = if bytes
        .iter()
        .fold(true, |ok, b| ok & (PATH_AS_IS[usize::from(*b)] != 0))
    {
        bytes.len()
    } else {
        bytes
            .iter()
            .position(|b| PATH_AS_IS[usize::from(*b)] == 0)
            .unwrap_or(bytes.len())
    };
    push_canonical_uri_after(out, bytes, plain);
}

/// The canonical URI of `bytes`, whose first `plain` bytes are each unreserved or `/`.
fn push_canonical_uri_after(out: &mut CanonicalBuf, bytes: &[u8], plain: usize) {
    debug_assert!(
        bytes
            .iter()
            .take(plain)
            .all(|b| PATH_AS_IS[usize::from(*b)] != 0)
    );
    let start = out.len();
    // What comes before the first byte that needs it (the version, the project, the
    // collection: all but the id) is copied at once.
    out.push(bytes.get(..plain).unwrap_or_default());
    if plain < bytes.len() {
        // The path percent-decoded, split on `/` and each segment re-encoded is a map of
        // the decoded bytes one by one (`/`, also from `%2F`, stays the separator;
        // unreserved bytes stay; every other byte becomes `%XX`): done in one pass,
        // without decoding into a buffer first.
        let mut i = plain;
        while let Some(&b) = bytes.get(i) {
            let (byte, width) = match (b, bytes.get(i + 1..i + 3)) {
                (b'%', Some(&[high, low])) => match (hex_value(high), hex_value(low)) {
                    (Some(high), Some(low)) => ((high << 4) | low, 3),
                    // A `%` that starts no escape stands for itself.
                    _ => (b'%', 1),
                },
                _ => (b, 1),
            };
            if PATH_AS_IS[usize::from(byte)] != 0 {
                out.push_byte(byte);
            } else {
                out.push(&PERCENT_ENCODED[usize::from(byte)]);
            }
            i += width;
        }
    }
    if out.len() == start || out.last() != Some(b'/') {
        out.push_byte(b'/');
    }
}

/// The value of a hex digit (either case), as percent-decoding reads it.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// `%XX` (upper-case hex) of every byte, as [`SEGMENT`] encodes it.
const PERCENT_ENCODED: [[u8; 3]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [[0u8; 3]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [b'%', DIGITS[i >> 4], DIGITS[i & 0x0f]];
        i += 1;
    }
    table
};

/// The canonical query string of a raw query (without `?`).
///
/// ```
/// use otc_jobs_core::auth::canonical::canonical_query;
/// assert_eq!(canonical_query("offset=1&limit=25&name=a%20b"), "limit=25&name=a%20b&offset=1");
/// ```
pub fn canonical_query(query: &str) -> String {
    let mut out = CanonicalBuf::new();
    push_canonical_query(&mut out, query);
    out.to_string_exact()
}

fn push_canonical_query(out: &mut CanonicalBuf, query: &str) {
    if query.is_empty() {
        return;
    }
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode_str(k).collect(),
                percent_decode_str(v).collect(),
            )
        })
        .collect();
    // Code point order equals UTF-8 byte order.
    pairs.sort();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push_byte(b'&');
        }
        percent_encode(k, SEGMENT).for_each(|piece| out.push_str(piece));
        out.push_byte(b'=');
        percent_encode(v, SEGMENT).for_each(|piece| out.push_str(piece));
    }
}

/// `SDK-HMAC-SHA256\n<date>\n[<scope>\n]<hex sha256(canonical request)>`.
pub fn string_to_sign(sdk_date: &str, scope: Option<&str>, canonical_request: &str) -> String {
    let hash = HexDigest::of(canonical_request.as_bytes());
    joined(&string_to_sign_parts(
        sdk_date.as_bytes(),
        scope.map(str::as_bytes),
        hash.as_bytes(),
    ))
}

/// The pieces of the string to sign, in order: what the signer feeds the HMAC one by one
/// and what [`string_to_sign`] joins, so that the two cannot differ.
pub(crate) fn string_to_sign_parts<'p>(
    sdk_date: &'p [u8],
    scope: Option<&'p [u8]>,
    canonical_hash: &'p [u8],
) -> [&'p [u8]; 6] {
    const ALGORITHM_LINE: &[u8] = b"SDK-HMAC-SHA256\n";
    const _: () = assert!(ALGORITHM_LINE.len() == ALGORITHM.len() + 1);
    let (scope, scope_end): (&[u8], &[u8]) = match scope {
        Some(scope) => (scope, b"\n"),
        None => (b"", b""),
    };
    [
        ALGORITHM_LINE,
        sdk_date,
        b"\n",
        scope,
        scope_end,
        canonical_hash,
    ]
}

/// Appends the string to sign (what [`string_to_sign_parts`] joins) to `out`, its pieces of
/// fixed length copied without a call to `memcpy`.
pub(crate) fn push_string_to_sign(
    out: &mut CanonicalBuf,
    sdk_date: &[u8; 16],
    scope: Option<&[u8]>,
    canonical_hash: &[u8; 64],
) {
    out.push_array(b"SDK-HMAC-SHA256\n");
    out.push_array(sdk_date);
    out.push_byte(b'\n');
    if let Some(scope) = scope {
        out.push(scope);
        out.push_byte(b'\n');
    }
    out.push_array(canonical_hash);
}

/// The string to sign, joined on the stack: one HMAC update over it costs less than one per
/// piece.
pub(crate) fn string_to_sign_buf(parts: &[&[u8]]) -> StackBuf<STRING_TO_SIGN_INLINE> {
    let mut out = StackBuf::new();
    parts.iter().for_each(|part| out.push(part));
    out
}

/// Room for a string to sign with a usual scope (`Access=`: 97 bytes).
const STRING_TO_SIGN_INLINE: usize = 192;

/// The string to sign that `parts` make (text and hex: the lossy conversion never replaces
/// anything).
pub(crate) fn joined(parts: &[&[u8]]) -> String {
    String::from_utf8_lossy(&parts.concat()).into_owned()
}

/// A SHA-256 or HMAC-SHA256 in lower-case hex, on the stack.
pub(crate) struct HexDigest([u8; 64]);

impl HexDigest {
    /// Hex SHA-256 of `data`.
    pub(crate) fn of(data: &[u8]) -> HexDigest {
        HexDigest::new(&Sha256::digest(data).into())
    }

    /// `digest` in hex.
    pub(crate) fn new(digest: &[u8; 32]) -> HexDigest {
        let mut out = [0u8; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(digest) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(*b)]);
        }
        HexDigest(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Hex digits are ASCII: the conversion cannot fail.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Hex HMAC-SHA256 of `string_to_sign` keyed with `key`.
pub fn signature(key: &[u8], string_to_sign: &str) -> String {
    hex(&hmac_sha256(key, string_to_sign.as_bytes()))
}

/// The derived signing key: HMAC chain from `"SDK" + sk` through the date (`YYYYMMDD`),
/// region, service and `sdk_request`.
pub fn derived_key(secret_key: &str, short_date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut seed = Vec::with_capacity(3 + secret_key.len());
    seed.extend_from_slice(b"SDK");
    seed.extend_from_slice(secret_key.as_bytes());
    let k_date = hmac_sha256(&seed, short_date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, DERIVED_SCOPE_TERMINATOR.as_bytes())
}

/// The credential scope of the derived-key form: `YYYYMMDD/region/service/sdk_request`.
pub fn derived_scope(short_date: &str, region: &str, service: &str) -> String {
    // Joined, not formatted: it is built for every derived-key signature.
    [short_date, region, service, DERIVED_SCOPE_TERMINATOR].join("/")
}

/// Room for a usual derived-key scope on the stack (`20240521/eu-de/modelarts/sdk_request`).
pub(crate) type ScopeBuf = StackBuf<96>;

/// [`derived_scope`] written into `out` (no `String` per signature); the scope's bytes
/// (UTF-8: written from text only; used as bytes, not checked again).
pub(crate) fn derived_scope_into<'b>(
    out: &'b mut ScopeBuf,
    short_date: &str,
    region: &str,
    service: &str,
) -> &'b [u8] {
    for (i, part) in [short_date, region, service, DERIVED_SCOPE_TERMINATOR]
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.push_byte(b'/');
        }
        out.push_str(part);
    }
    out.as_bytes()
}

/// HMAC-SHA256 with its key schedule done once, for signing many requests with one key.
#[derive(Clone)]
pub(crate) struct KeyedHmac(Option<std::sync::Arc<Hmac<Sha256>>>);

impl KeyedHmac {
    pub(crate) fn new(key: &[u8]) -> KeyedHmac {
        KeyedHmac(
            Hmac::<Sha256>::new_from_slice(key)
                .ok()
                .map(std::sync::Arc::new),
        )
    }

    /// HMAC of `data`; the same as [`hmac_sha256`] with the key.
    #[cfg(test)]
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        self.mac_parts(&[data])
    }

    /// The keyed state, ready for the data (`None` cannot happen).
    fn state(&self) -> Option<Hmac<Sha256>> {
        self.0.as_deref().cloned()
    }

    /// HMAC of the concatenation of `parts`, without joining them.
    pub(crate) fn mac_parts<T: AsRef<[u8]>>(&self, parts: &[T]) -> [u8; 32] {
        // HMAC accepts keys of any length; `None` cannot happen.
        let Some(mac) = &self.0 else {
            return [0; 32];
        };
        let mut mac = Hmac::<Sha256>::clone(mac);
        for part in parts {
            mac.update(part.as_ref());
        }
        mac.finalize().into_bytes().into()
    }
}

/// The derived keys of the last few scopes, each with its key schedule done: deriving one
/// costs four HMACs, and a client signs all day with the same few scopes. Shared by the
/// clones of a key pair.
#[derive(Clone, Default)]
pub(crate) struct DerivedKeys(std::sync::Arc<std::sync::Mutex<ScopedKeys>>);

/// Derived keys by their scope's bytes.
type ScopedKeys = Vec<(Box<[u8]>, KeyedHmac)>;

impl DerivedKeys {
    /// Scopes kept at most (a few services times today and yesterday).
    const CAPACITY: usize = 16;

    /// HMAC of `data` keyed with the derived key of `scope`, which `derive` computes when
    /// it is not kept.
    #[cfg(test)]
    pub(crate) fn mac(
        &self,
        scope: &[u8],
        derive: impl FnOnce() -> [u8; 32],
        data: &[u8],
    ) -> [u8; 32] {
        self.mac_parts(scope, derive, &[data])
    }

    /// HMAC of the concatenation of `parts` keyed with the derived key of `scope`, which
    /// `derive` computes when it is not kept.
    pub(crate) fn mac_parts<T: AsRef<[u8]>>(
        &self,
        scope: &[u8],
        derive: impl FnOnce() -> [u8; 32],
        parts: &[T],
    ) -> [u8; 32] {
        // The key's state is copied while the lock is held (a few hundred bytes): no
        // reference count to take and give back, and no HMAC computed under the lock.
        let state = {
            // A poisoned lock only means another thread panicked while holding it: the
            // entries are still whole.
            let mut keys = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match keys.iter().find(|(s, _)| **s == *scope) {
                Some((_, keyed)) => keyed.state(),
                None => {
                    let keyed = KeyedHmac::new(&derive());
                    if keys.len() >= Self::CAPACITY {
                        keys.remove(0);
                    }
                    let state = keyed.state();
                    keys.push((scope.into(), keyed));
                    state
                }
            }
        };
        // HMAC accepts keys of any length; `None` cannot happen.
        let Some(mut mac) = state else {
            return [0; 32];
        };
        for part in parts {
            mac.update(part.as_ref());
        }
        mac.finalize().into_bytes().into()
    }
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    hmac_sha256_parts(key, &[data])
}

/// HMAC-SHA256 of the concatenation of `parts`, without joining them.
pub(crate) fn hmac_sha256_parts<T: AsRef<[u8]>>(key: &[u8], parts: &[T]) -> [u8; 32] {
    // HMAC accepts keys of any length; the error branch cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(part.as_ref());
    }
    mac.finalize().into_bytes().into()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// The two lower-case hex digits of every byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [DIGITS[i >> 4], DIGITS[i & 0x0f]];
        i += 1;
    }
    pairs
};

/// Appends `bytes` to `out` in lower-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    // Through a byte buffer: pushing ASCII as `char`s one by one costs several times more.
    let mut buffer = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, b) in buffer.chunks_exact_mut(2).zip(chunk) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(*b)]);
        }
        let written = &buffer[..chunk.len() * 2];
        // Hex digits are ASCII: the conversion cannot fail.
        out.push_str(std::str::from_utf8(written).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_quirks() {
        assert_eq!(canonical_uri("/a/b"), "/a/b/");
        assert_eq!(canonical_uri("/a/b/"), "/a/b/");
        assert_eq!(canonical_uri("/bucket/100%zz"), "/bucket/100%25zz/");
        assert_eq!(canonical_uri("/bucket/a+b"), "/bucket/a%2Bb/");
    }

    /// The canonical URI as the official SDKs describe it: the whole path decoded, split
    /// on `/`, each segment encoded, joined, ending in `/`.
    fn canonical_uri_by_the_book(path: &str) -> String {
        let decoded: Vec<u8> = percent_decode_str(path).collect();
        let mut out = decoded
            .split(|b| *b == b'/')
            .map(|segment| percent_encode(segment, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join("/");
        if !out.ends_with('/') {
            out.push('/');
        }
        out
    }

    #[test]
    fn canonical_uri_in_one_pass_equals_decode_split_encode() {
        let alphabet = ["a", "/", "%", "2", "F", "f", "G", " ", "é", "~", "+", "5"];
        let mut paths = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = paths
                .iter()
                .filter(|p| p.chars().count() == paths.last().map_or(0, |l| l.chars().count()))
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(longer);
        }
        assert!(paths.len() > 200_000);
        for path in paths.iter().chain(&[
            "/v1/p/visualization-jobs/a%20b%2Fc%25d".to_owned(),
            "/a/%e4%bd%9C/%7e%41%2f%2F%%%4".to_owned(),
            "/作业/ü?".to_owned(),
        ]) {
            assert_eq!(
                canonical_uri(path),
                canonical_uri_by_the_book(path),
                "{path:?}"
            );
        }
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(
            canonical_query("ids=c&ids=a&a=1&ids=b"),
            "a=1&ids=a&ids=b&ids=c"
        );
        assert_eq!(canonical_query("marker=&limit=10"), "limit=10&marker=");
        assert_eq!(canonical_query("flag"), "flag=");
    }

    #[test]
    fn content_types() {
        assert!(content_type_is_signed(None));
        assert!(content_type_is_signed(Some(
            "application/json;charset=UTF-8"
        )));
        assert!(!content_type_is_signed(Some("application/octet-stream")));
        assert!(!content_type_is_signed(Some(
            "application/x-www-form-urlencoded"
        )));
    }

    #[test]
    fn hex_of_long_input() {
        let bytes: Vec<u8> = (0..=255).collect();
        let text = hex(&bytes);
        assert_eq!(text.len(), 512);
        assert!(text.starts_with("000102") && text.ends_with("fdfeff"));
    }

    #[test]
    fn keyed_hmac_equals_plain_hmac() {
        let keyed = KeyedHmac::new(b"secret");
        assert_eq!(keyed.mac(b"text"), hmac_sha256(b"secret", b"text"));
        assert_eq!(keyed.mac(b"other"), hmac_sha256(b"secret", b"other"));
    }

    #[test]
    fn canonical_headers_sorted_grouped_and_trimmed() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.com"));
        headers.append("x-b", HeaderValue::from_static(" two "));
        headers.append("x-a", HeaderValue::from_static("1"));
        headers.append("x-b", HeaderValue::from_static("three"));
        headers.insert("x_skipped", HeaderValue::from_static("no"));
        let uri: Uri = "http://example.com/a".parse().unwrap_or_default();
        let all = canonical_request(&Method::GET, &uri, &headers, b"", HeaderSelection::All);
        let all = all.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            all.canonical_headers(),
            "host:example.com\nx-a:1\nx-b:two,three\n"
        );
        assert_eq!(all.signed_headers(), "host;x-a;x-b");
        assert_eq!(all.payload_hash(), EMPTY_PAYLOAD_HASH);
        // Verifying: the names given, in their order; a missing one is empty.
        let names = ["x-b", "host", "x-missing"];
        let only = canonical_request(
            &Method::GET,
            &uri,
            &headers,
            b"",
            HeaderSelection::Only(&names),
        );
        let only = only.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            only.canonical_headers(),
            "x-b:two,three\nhost:example.com\nx-missing:\n"
        );
        assert_eq!(only.signed_headers(), "x-b;host;x-missing");
        // No names at all: `host`, with its value.
        let none = canonical_request(
            &Method::GET,
            &uri,
            &headers,
            b"",
            HeaderSelection::Only(&[]),
        );
        let none = none.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(none.canonical_headers(), "host:example.com\n");
        assert_eq!(none.signed_headers(), "host");
        // The first value of X-Sdk-Content-Sha256 decides whether the payload is signed.
        headers.append(
            X_SDK_CONTENT_SHA256,
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
        let unsigned = canonical_request(&Method::PUT, &uri, &headers, b"x", HeaderSelection::All);
        assert_eq!(
            unsigned.unwrap_or_else(|e| panic!("{e}")).payload_hash(),
            UNSIGNED_PAYLOAD
        );
    }

    #[test]
    fn more_headers_than_fit_on_the_stack_are_all_signed() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.com"));
        // In reverse order, some twice: all sorted, a name's values in their order.
        let names: Vec<String> = (0..2 * INLINE_HEADERS)
            .rev()
            .map(|i| format!("x-h{i:02}"))
            .collect();
        for (i, name) in names.iter().enumerate() {
            let name = http::HeaderName::try_from(name.as_str()).unwrap_or(http::header::ACCEPT);
            headers.append(name.clone(), HeaderValue::from(i));
            if i % 5 == 0 {
                headers.append(name, HeaderValue::from_static("again"));
            }
        }
        let uri: Uri = "http://example.com/a".parse().unwrap_or_default();
        let all = canonical_request(&Method::GET, &uri, &headers, b"", HeaderSelection::All);
        let all = all.unwrap_or_else(|e| panic!("{e}"));
        let mut lines = vec!["host:example.com".to_owned()];
        let mut sorted: Vec<(usize, &String)> = names.iter().enumerate().collect();
        sorted.sort_by_key(|(_, name)| name.as_str());
        for (i, name) in &sorted {
            let again = if i % 5 == 0 { ",again" } else { "" };
            lines.push(format!("{name}:{i}{again}"));
        }
        lines.sort();
        assert_eq!(all.canonical_headers(), format!("{}\n", lines.join("\n")));
        let mut signed: Vec<&str> = sorted.iter().map(|(_, n)| n.as_str()).collect();
        signed.insert(0, "host");
        assert_eq!(all.signed_headers(), signed.join(";"));
    }

    #[test]
    fn derived_keys_are_kept_per_scope() {
        let keys = DerivedKeys::default();
        let derivations = std::cell::Cell::new(0);
        let mac = |date: &str, service: &str| {
            let scope = derived_scope(date, "eu-de", service);
            keys.mac(
                scope.as_bytes(),
                || {
                    derivations.set(derivations.get() + 1);
                    derived_key("SK", date, "eu-de", service)
                },
                b"text",
            )
        };
        let expected = hmac_sha256(&derived_key("SK", "20240521", "eu-de", "dli"), b"text");
        assert_eq!(mac("20240521", "dli"), expected);
        assert_eq!(mac("20240521", "dli"), expected);
        assert_eq!(derivations.get(), 1);
        // Another day or service is another key.
        let next_day = hmac_sha256(&derived_key("SK", "20240522", "eu-de", "dli"), b"text");
        assert_eq!(mac("20240522", "dli"), next_day);
        assert_ne!(mac("20240521", "modelarts"), expected);
        assert_eq!(derivations.get(), 3);
        // Beyond the capacity the oldest scopes go; the answers stay right.
        for day in 10..40 {
            let date = format!("202405{day}");
            let want = hmac_sha256(&derived_key("SK", &date, "eu-de", "dli"), b"text");
            assert_eq!(mac(&date, "dli"), want);
        }
        assert!(keys.0.lock().unwrap().len() <= DerivedKeys::CAPACITY);
        assert_eq!(mac("20240521", "dli"), expected);
    }

    #[test]
    fn derived_scope_on_the_stack_equals_joined() {
        for (date, region, service) in [
            ("20240521", "eu-de", "dli"),
            ("20240521", "eu-nl", "modelarts"),
            ("", "", ""),
            (
                "20240521",
                "a-region-name-much-longer-than-any-real-one",
                "some-service-label-too",
            ),
        ] {
            let mut buf = ScopeBuf::new();
            assert_eq!(
                derived_scope_into(&mut buf, date, region, service),
                derived_scope(date, region, service).as_bytes()
            );
        }
    }

    #[test]
    fn empty_payload_hash_is_the_hash_of_nothing() {
        assert_eq!(EMPTY_PAYLOAD_HASH, hex(&Sha256::digest(b"")));
        assert_eq!(EMPTY_PAYLOAD_HASH.as_bytes(), EMPTY_PAYLOAD_HASH_BYTES);
    }
}
