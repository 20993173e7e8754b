//! Lenient deserializers for values the pages document one way and servers send another.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Reads an optional Boolean sent as `true`/`false` or as the string `"true"`/`"false"`
/// (any ASCII case), as DLI does. Use with `#[serde(default, deserialize_with = ...)]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Body {
///     #[serde(default, deserialize_with = "otc_jobs_core::de::lenient_bool")]
///     is_success: Option<bool>,
/// }
/// let a: Body = serde_json::from_str(r#"{"is_success": "true"}"#)?;
/// let b: Body = serde_json::from_str(r#"{"is_success": false}"#)?;
/// assert_eq!((a.is_success, b.is_success), (Some(true), Some(false)));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    deserializer.deserialize_any(LenientBool)
}

struct LenientBool;

impl<'de> Visitor<'de> for LenientBool {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Boolean or the string \"true\" or \"false\"")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if v.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientBool)
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug)]
    struct B {
        #[serde(default, deserialize_with = "super::lenient_bool")]
        v: Option<bool>,
    }

    fn read(json: &str) -> Result<Option<bool>, serde_json::Error> {
        serde_json::from_str::<B>(json).map(|b| b.v)
    }

    #[test]
    fn accepts_bools_strings_null_and_absence() {
        assert_eq!(read(r#"{"v": true}"#).ok(), Some(Some(true)));
        assert_eq!(read(r#"{"v": "FALSE"}"#).ok(), Some(Some(false)));
        assert_eq!(read(r#"{"v": null}"#).ok(), Some(None));
        assert_eq!(read(r#"{}"#).ok(), Some(None));
    }

    #[test]
    fn refuses_other_values() {
        assert!(read(r#"{"v": "yes"}"#).is_err());
        assert!(read(r#"{"v": 1}"#).is_err());
    }
}
