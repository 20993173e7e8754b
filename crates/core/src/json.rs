//! Reading answer bodies as JSON with the UTF-8 check done once per body.
//!
//! `serde_json` reading a byte slice checks each string's UTF-8 as it goes, a fixed cost
//! per string that dominates small answers; reading a `&str` skips it. A body that is
//! valid UTF-8 as a whole is read as text (the same result, the same errors at the same
//! positions); any other body is read as bytes, exactly as before.

use serde::de::DeserializeOwned;

/// `body` as a `T`, as `serde_json::from_slice` reads it.
pub(crate) fn from_body<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

#[cfg(test)]
mod tests {
    use super::from_body;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct B {
        s: String,
    }

    /// Text and bytes give the same value and the same error text (with the position).
    #[test]
    fn reads_as_from_slice_does() {
        let bodies: [&[u8]; 7] = [
            br#"{"s":"caf\u00e9"}"#,
            "{\"s\":\"café\"}".as_bytes(),
            b"{\"s\":\"\xff\"}",
            b"{\"s\":\"ok\"} \xff",
            br#"{"s":"\ud800"}"#,
            br#"{"s":1}"#,
            b"{\"s\":\"x\",\n\"t\":",
        ];
        for body in bodies {
            let ours = from_body::<B>(body).map_err(|e| e.to_string());
            let theirs = serde_json::from_slice::<B>(body).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(body));
        }
    }
}
