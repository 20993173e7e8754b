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

/// Reads an optional string sent as a string, a number or a Boolean (ids the pages document
/// as strings that some services send as numbers, `"true"` flags documented as String that
/// arrive as `true`), as its JSON text. Use with
/// `#[serde(default, deserialize_with = ...)]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Body {
///     #[serde(default, deserialize_with = "otc_jobs_core::de::lenient_string")]
///     id: Option<String>,
/// }
/// let a: Body = serde_json::from_str(r#"{"id": "10"}"#)?;
/// let b: Body = serde_json::from_str(r#"{"id": 10}"#)?;
/// let c: Body = serde_json::from_str(r#"{"id": true}"#)?;
/// assert_eq!((a.id.as_deref(), b.id.as_deref()), (Some("10"), Some("10")));
/// assert_eq!(c.id.as_deref(), Some("true"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn lenient_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(LenientString)
}

struct LenientString;

impl<'de> Visitor<'de> for LenientString {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a Boolean")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientString)
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

    #[derive(serde::Deserialize, Debug)]
    struct S {
        #[serde(default, deserialize_with = "super::lenient_string")]
        v: Option<String>,
    }

    #[test]
    fn strings_from_strings_numbers_and_booleans_only() {
        let read = |j: &str| serde_json::from_str::<S>(j).map(|s| s.v);
        assert_eq!(read(r#"{"v": 12}"#).ok(), Some(Some("12".to_owned())));
        assert_eq!(read(r#"{"v": "x"}"#).ok(), Some(Some("x".to_owned())));
        assert_eq!(read(r#"{"v": null}"#).ok(), Some(None));
        assert_eq!(read(r#"{"v": true}"#).ok(), Some(Some("true".to_owned())));
        assert!(read(r#"{"v": [1]}"#).is_err());
        assert!(read(r#"{"v": {"a": 1}}"#).is_err());
    }

    #[test]
    fn refuses_other_values() {
        assert!(read(r#"{"v": "yes"}"#).is_err());
        assert!(read(r#"{"v": 1}"#).is_err());
    }
}
