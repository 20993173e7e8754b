//! An answer of the emulated services, before faults that mangle bodies: status, headers,
//! body, and the error code it carries (for the request log). Every service module makes
//! them; the server sends them.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::{Value, json};

/// A finished answer (before faults that mangle bodies).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) error_code: Option<String>,
}

impl Answer {
    pub(crate) fn json(status: StatusCode, body: &Value) -> Answer {
        let error_code = body
            .get("error_code")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Answer {
            status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )],
            body: Bytes::from(body.to_string()),
            error_code,
        }
    }

    pub(crate) fn empty(status: StatusCode) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            error_code: None,
        }
    }

    /// The API gateway's own error body.
    pub(crate) fn gateway(
        status: StatusCode,
        code: &str,
        message: &str,
        request_id: &str,
    ) -> Answer {
        Answer::json(
            status,
            &json!({ "error_code": code, "error_msg": message, "request_id": request_id }),
        )
    }
}
