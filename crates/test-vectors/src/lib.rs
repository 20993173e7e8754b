//! # otc-jobs-test-vectors
//!
//! Test support, not published: the signing vectors of otc-jobs (46 requests signed by
//! the official Huawei Cloud Python SDK, described in `data/README.md` beside the file),
//! read in one place for the tests of the core (the signer) and of the emulator (the
//! verifier).
//!
//! - [`load`] reads [`default_path`], or the file named by the environment variable
//!   [`ENV_VAR`] (`OTC_SIGNING_VECTORS`) when it is set;
//! - [`request`] rebuilds the request a vector gave the signer (before signing);
//! - [`sent_request`] rebuilds the signed request as it reached the server.
//!
//! ```
//! let vectors = otc_jobs_test_vectors::load();
//! assert!(!vectors.vectors.is_empty());
//! for vector in &vectors.vectors {
//!     let unsigned = otc_jobs_test_vectors::request(vector)?;
//!     assert!(!unsigned.headers().contains_key("authorization"));
//!     let sent = otc_jobs_test_vectors::sent_request(vector)?;
//!     assert!(sent.headers().contains_key("authorization"));
//! }
//! # Ok::<(), String>(())
//! ```

use std::path::PathBuf;

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// The environment variable naming another vectors file to read instead of
/// [`default_path`].
pub const ENV_VAR: &str = "OTC_SIGNING_VECTORS";

/// The one copy of the vectors in the repository (`data/signing.json` of this crate).
pub fn default_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/signing.json"))
}

/// The file [`load`] reads: the one named by [`ENV_VAR`], else [`default_path`].
pub fn path() -> PathBuf {
    std::env::var_os(ENV_VAR).map_or_else(default_path, PathBuf::from)
}

/// A vectors file.
#[derive(Debug, Clone)]
pub struct Vectors {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its `constants`: the fake keys, token and project id the vectors use (`Null` when
    /// the file has none).
    pub constants: Value,
    /// Its `vectors`, in file order.
    pub vectors: Vec<Vector>,
}

/// One vector, as the file has it (see the README beside the file).
#[derive(Debug, Clone)]
pub struct Vector {
    /// Its `id` (`?` when it has none).
    pub id: String,
    /// The whole vector: `input`, `expected`, and for `sdk_request` vectors
    /// `path_template`, `path_params` and `wire`.
    pub json: Value,
}

impl Vector {
    /// What the signer received: `method`, `scheme`, `host`, `path`, `query`, `headers`,
    /// `body`, `ak`, `sk`, `security_token`, `x_sdk_date`, ...
    pub fn input(&self) -> &Value {
        &self.json["input"]
    }

    /// What the SDK made of it: each signing stage, `authorization`, `request_target`,
    /// `headers_after_signing` (or `sdk_error`).
    pub fn expected(&self) -> &Value {
        &self.json["expected"]
    }
}

/// Reads the vectors file ([`path`]). Test support: panics, naming the file, when it
/// cannot be read or has no `vectors` list.
#[allow(
    clippy::panic,
    reason = "test support: a missing vectors file fails the test"
)]
pub fn load() -> Vectors {
    let path = path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let vectors = match doc["vectors"].take() {
        Value::Array(items) => items
            .into_iter()
            .map(|json| Vector {
                id: json["id"].as_str().unwrap_or("?").to_owned(),
                json,
            })
            .collect(),
        _ => panic!("{} has no vectors list", path.display()),
    };
    Vectors {
        path,
        constants: doc["constants"].take(),
        vectors,
    }
}

/// The request the vector gave the signer, unsigned: `input.method`, the URI
/// `scheme://host` + `path` + the query (sorted, as a client sends it), `input.headers` in
/// order, `input.body`. `Err` says what in the vector cannot be applied.
pub fn request(vector: &Vector) -> Result<http::Request<Vec<u8>>, String> {
    let input = vector.input();
    let mut pairs = Vec::new();
    for pair in input["query"].as_array().ok_or("query is not a list")? {
        let key = pair[0].as_str().ok_or("query key is not a string")?;
        for value in query_text(&pair[1])? {
            pairs.push((key.to_owned(), value));
        }
    }
    // What a client sends is the canonical query: pairs sorted by key, then value (code
    // point order), each part encoded keeping only `A-Z a-z 0-9 - . _ ~`.
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    let mut target = encode_uri_unsafe(text(input, "path")?);
    if !query.is_empty() {
        target = format!("{target}?{}", query.join("&"));
    }
    let uri = format!(
        "{}://{}{target}",
        text(input, "scheme")?,
        text(input, "host")?
    );
    build(vector, &uri, &input["headers"], "headers")
}

/// The signed request as it reached the server: `input.method`, the URI
/// `expected.request_target`, `expected.headers_after_signing`, `input.body`. `Err` says
/// what in the vector cannot be applied.
pub fn sent_request(vector: &Vector) -> Result<http::Request<Vec<u8>>, String> {
    let expected = vector.expected();
    let uri = encode_uri_unsafe(text(expected, "request_target")?);
    build(
        vector,
        &uri,
        &expected["headers_after_signing"],
        "headers_after_signing",
    )
}

fn build(
    vector: &Vector,
    uri: &str,
    headers: &Value,
    what: &str,
) -> Result<http::Request<Vec<u8>>, String> {
    let input = vector.input();
    let mut builder = http::Request::builder()
        .method(text(input, "method")?)
        .uri(uri);
    for (name, value) in headers
        .as_object()
        .ok_or_else(|| format!("{what} is not an object"))?
    {
        let value = value
            .as_str()
            .ok_or_else(|| format!("{what}: the value of {name} is not a string"))?;
        builder = builder.header(name.as_str(), value);
    }
    let body = input["body"]
        .as_str()
        .map(|b| b.as_bytes().to_vec())
        .unwrap_or_default();
    builder
        .body(body)
        .map_err(|e| format!("cannot build the request: {e}"))
}

fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value[key]
        .as_str()
        .ok_or_else(|| format!("missing string {key}"))
}

/// A query value's texts: an integer as its decimal text, a boolean as `true`/`false`, a
/// list as one text per element.
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

/// Encodes the bytes `http::Uri` does not take raw in a path. The signer and the verifier
/// decode the path anyway, so the canonical URI stays the same.
fn encode_uri_unsafe(path: &str) -> String {
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
    utf8_percent_encode(path, URI_UNSAFE).to_string()
}
