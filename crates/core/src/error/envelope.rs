//! The error fields of any OTC error body, read in one pass without building a JSON tree:
//! `{error_code, error_msg}`, `{error_code, error_message}`, `{errorCode, errorMsg}`,
//! `{code, message}` (string or integer code), each possibly nested under `"error"`.
//!
//! The strings borrow from the body unless they hold escapes; other members are skipped
//! unread. The rules are those of a lookup in a parsed object: a member given twice counts
//! once, as its last value; a field's value counts only when it is a non-empty string or a
//! number; the nested `error {}` is asked first, then the top level. One difference: member
//! names are only compared, so a name that is not valid Unicode no longer hides the fields
//! beside it; skipped members may nest deeper than a `Value` allowed (skipping does not
//! recurse).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

mod beside;

pub(crate) use beside::read_beside;

/// What an error body says, borrowed from it where possible.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    /// Whether the body is a JSON object (else a body with text is itself the message).
    pub(super) json: bool,
    pub(super) code: Option<Cow<'a, str>>,
    pub(super) message: Option<Cow<'a, str>>,
    pub(super) request_id: Option<Cow<'a, str>>,
    /// The top level says `"is_success": false` (or `"false"`, in any case), once: the
    /// body refuses even with a 2xx status.
    pub(crate) refused: bool,
}

impl<'a> Envelope<'a> {
    /// Reads `body`; anything but a JSON object gives the empty envelope.
    pub(crate) fn read(body: &'a [u8]) -> Envelope<'a> {
        // Not JSON at all (an HTML page, plain text, nothing): no need to start a parser.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Envelope::default();
        }
        // Read into slots on this stack frame: moving them through the parser's results
        // cost more than reading.
        let mut top = Slots::default();
        let mut nested = Slots::default();
        let mut verdicts = Verdicts::default();
        // As text when the body is UTF-8 (one check for the body, not one per string; see
        // `crate::json`), else as bytes.
        let read = match std::str::from_utf8(body) {
            Ok(text) => read_object(
                serde_json::Deserializer::from_str(text),
                &mut top,
                &mut nested,
                &mut verdicts,
            ),
            Err(_) => read_object(
                serde_json::Deserializer::from_slice(body),
                &mut top,
                &mut nested,
                &mut verdicts,
            ),
        };
        if read.is_err() {
            return Envelope::default();
        }
        Envelope::of_object(&mut top, &mut nested, &verdicts)
    }

    /// The envelope of an object whose members were read into `top` (its `error` object's
    /// into `nested`) and whose verdicts were `verdicts`.
    fn of_object(top: &mut Slots<'a>, nested: &mut Slots<'a>, verdicts: &Verdicts) -> Envelope<'a> {
        // Nested first (all `None` unless `error` is an object), then the top level; the
        // first name present with text wins.
        let mut pick = |names: std::ops::Range<usize>| {
            (nested[names.clone()].iter_mut().find_map(Option::take))
                .or_else(|| top[names].iter_mut().find_map(Option::take))
        };
        Envelope {
            json: true,
            code: pick(Key::CODES),
            message: pick(Key::MESSAGES),
            request_id: pick(Key::REQUEST_IDS),
            refused: verdicts.refused(),
        }
    }
}

/// The member that carries a body's own verdict on ModelArts and DLI answers.
const VERDICT_MEMBER: &str = "is_success";

/// The top-level verdict members seen, and whether the last one said no.
#[derive(Default)]
struct Verdicts {
    seen: u32,
    last_false: bool,
}

impl Verdicts {
    /// The one refusal check: the body says `false` (or `"false"`), once. Given twice, a
    /// typed reader refuses the body: not a refusal it can be sure of.
    fn refused(&self) -> bool {
        self.seen == 1 && self.last_false
    }
}

/// Reads the whole input as one object into `top` (its `error` member into `nested`).
fn read_object<'a, R: serde_json::de::Read<'a>>(
    mut parser: serde_json::Deserializer<R>,
    top: &mut Slots<'a>,
    nested: &mut Slots<'a>,
    verdicts: &mut Verdicts,
) -> serde_json::Result<()> {
    let seed = ObjectSeed {
        fields: top,
        nested: Some(nested),
        verdicts: Some(verdicts),
    };
    seed.deserialize(&mut parser)?;
    parser.end()
}

/// The members that matter of one object, in [`Key`] order, each `None` when absent or
/// not text.
type Slots<'a> = [Option<Cow<'a, str>>; Key::SLOTS];

/// Reads an object into `fields`; at the top level, its `error` member into `nested` and
/// its verdict into `verdicts`.
struct ObjectSeed<'s, 'a> {
    fields: &'s mut Slots<'a>,
    nested: Option<&'s mut Slots<'a>>,
    verdicts: Option<&'s mut Verdicts>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Field(slot) => {
                    if let Some(slot) = self.fields.get_mut(slot) {
                        *slot = map.next_value::<Text<'de>>()?.0;
                    }
                }
                Key::Error => match self.nested.as_deref_mut() {
                    Some(nested) => {
                        // A member given twice counts as its last value.
                        *nested = Slots::default();
                        map.next_value_seed(NestedSeed(nested))?;
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
                Key::Verdict => match self.verdicts.as_deref_mut() {
                    Some(verdicts) => {
                        verdicts.seen += 1;
                        verdicts.last_false = map.next_value::<Verdict>()?.0;
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The nested `error` member: read when it is an object, skipped otherwise.
struct NestedSeed<'s, 'a>(&'s mut Slots<'a>);

impl<'de> DeserializeSeed<'de> for NestedSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NestedSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let inner = ObjectSeed {
            fields: self.0,
            nested: None,
            verdicts: None,
        };
        inner.visit_map(map)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| ())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A member's value as text: a non-empty string, or a number written in decimal (as
/// `serde_json::Number` writes it); anything else is skipped and reads as nothing.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text((!v.is_empty()).then_some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text((!v.is_empty()).then(|| Cow::Owned(v.to_owned()))))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(float_text(v).map(Cow::Owned)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Text(None))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Text(None))
    }
}

/// A number that is not an integer, as text: as `serde_json::Number` writes it (none for
/// a value JSON cannot hold).
fn float_text(v: f64) -> Option<String> {
    serde_json::Number::from_f64(v).map(|n| n.to_string())
}

/// Whether a verdict written as a string says no: `"false"`, in any case (as
/// `crate::de::lenient_bool` reads it).
fn says_false(v: &str) -> bool {
    v.len() == 5 && v.eq_ignore_ascii_case("false")
}

/// Whether a verdict's value says no, as `crate::de::lenient_bool` reads it (`false`, or
/// `"false"` in any case); anything else (`true`, another value) does not, and is
/// skipped.
struct Verdict(bool);

impl<'de> de::Deserialize<'de> for Verdict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(VerdictVisitor)
    }
}

struct VerdictVisitor;

impl<'de> Visitor<'de> for VerdictVisitor {
    type Value = Verdict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Verdict, E> {
        Ok(Verdict(!v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Verdict, E> {
        Ok(Verdict(says_false(v)))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Verdict, E> {
        Ok(Verdict(false))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Verdict, E> {
        Ok(Verdict(false))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Verdict, E> {
        Ok(Verdict(false))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Verdict, E> {
        Ok(Verdict(false))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Verdict, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Verdict(false))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Verdict, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Verdict(false))
    }
}

/// The member names that matter, matched without allocating.
#[derive(Clone, Copy)]
enum Key {
    /// One of the error fields: its index in [`Slots`].
    Field(usize),
    /// The nested `error` object.
    Error,
    /// The body's verdict, [`VERDICT_MEMBER`].
    Verdict,
    /// Anything else (skipped).
    Other,
}

impl Key {
    /// The field names, by preference within each field.
    const NAMES: [&'static [u8]; 9] = [
        b"error_code",
        b"errorCode",
        b"code",
        b"error_msg",
        b"error_message",
        b"errorMsg",
        b"message",
        b"request_id",
        b"requestId",
    ];
    const SLOTS: usize = Key::NAMES.len();
    const CODES: std::ops::Range<usize> = 0..3;
    const MESSAGES: std::ops::Range<usize> = 3..7;
    const REQUEST_IDS: std::ops::Range<usize> = 7..9;

    /// The member called `name`.
    fn of(name: &[u8]) -> Key {
        if name == b"error" {
            return Key::Error;
        }
        if name == VERDICT_MEMBER.as_bytes() {
            return Key::Verdict;
        }
        Key::NAMES
            .iter()
            .position(|known| *known == name)
            .map_or(Key::Other, Key::Field)
    }
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // As bytes: serde_json then skips the UTF-8 check a name only compared needs not.
        deserializer.deserialize_bytes(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        Ok(Key::of(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        self.visit_bytes(v.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    type Read = (Option<String>, Option<String>, Option<String>);

    fn read(body: &str) -> Read {
        let e = Envelope::read(body.as_bytes());
        let own = |v: Option<Cow<'_, str>>| v.map(Cow::into_owned);
        (own(e.code), own(e.message), own(e.request_id))
    }

    /// What the former reader (a `serde_json::Value` lookup) gave: the reference the
    /// one-pass reader must agree with.
    fn read_by_value(body: &str) -> (bool, Read) {
        let Ok(serde_json::Value::Object(top)) = serde_json::from_str(body) else {
            return (false, (None, None, None));
        };
        let nested = match top.get("error") {
            Some(serde_json::Value::Object(inner)) => Some(inner),
            _ => None,
        };
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let pick = |keys: &[&str]| {
            nested
                .into_iter()
                .chain(std::iter::once(&top))
                .find_map(|obj| keys.iter().find_map(|k| text(obj.get(*k)?)))
        };
        (
            true,
            (
                pick(&["error_code", "errorCode", "code"]),
                pick(&["error_msg", "error_message", "errorMsg", "message"]),
                pick(&["request_id", "requestId"]),
            ),
        )
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn reads_every_envelope() {
        assert_eq!(
            read(
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"r1"}"#
            ),
            (
                s("APIG.0301"),
                s("Incorrect IAM authentication information"),
                s("r1")
            )
        );
        assert_eq!(
            read(
                r#"{"is_success":false,"error_code":"ModelArts.0105","error_message":"Error string"}"#
            ),
            (s("ModelArts.0105"), s("Error string"), None)
        );
        assert_eq!(
            read(r#"{"errorCode":"X.1","errorMsg":"m","requestId":"r"}"#),
            (s("X.1"), s("m"), s("r"))
        );
        assert_eq!(
            read(r#"{"code":404,"message":"gone"}"#),
            (s("404"), s("gone"), None)
        );
        assert_eq!(
            read(r#"{"code":"E1","message":"m"}"#),
            (s("E1"), s("m"), None)
        );
        assert_eq!(
            read(r#"{"error":{"code":"E2","message":"inner"},"request_id":"r2"}"#),
            (s("E2"), s("inner"), s("r2"))
        );
        assert_eq!(
            read(r#"{"error":{"error_code":"E3","error_msg":"inner"}}"#),
            (s("E3"), s("inner"), None)
        );
    }

    #[test]
    fn strings_borrow_from_the_body_unless_escaped() {
        let body = br#"{"error_code":"DLI.0002","error_msg":"a \"quoted\" word"}"#;
        let e = Envelope::read(body);
        assert!(matches!(e.code, Some(Cow::Borrowed("DLI.0002"))));
        assert!(matches!(e.message.as_deref(), Some(r#"a "quoted" word"#)));
        assert!(matches!(e.message, Some(Cow::Owned(_))));
    }

    /// Odd bodies: the one-pass reader says what the `Value` lookup said.
    #[test]
    fn agrees_with_a_lookup_in_the_parsed_object() {
        let bodies = [
            "",
            "   ",
            "null",
            "[]",
            r#"["error_code"]"#,
            r#""error_code""#,
            "<html>Bad gateway</html>",
            "{",
            r#"{"error_code":"E"} trailing"#,
            r#"  {"error_code":"E"}  "#,
            r#"{"error_code":"","errorCode":"second","code":"third"}"#,
            r#"{"error_code":null,"code":7}"#,
            r#"{"error_code":true,"code":false,"message":{"a":1},"error_msg":[1,2]}"#,
            r#"{"code":-12,"message":"neg"}"#,
            r#"{"code":1.5,"message":"float"}"#,
            r#"{"code":404.0}"#,
            r#"{"code":1e3}"#,
            r#"{"code":123456789012345678901234567890}"#,
            r#"{"error_code":"first","error_code":"last"}"#,
            r#"{"error_code":"first","error_code":null,"code":"c"}"#,
            r#"{"error":"just text","error_code":"top"}"#,
            r#"{"error":null,"code":"top"}"#,
            r#"{"error":[{"code":"no"}],"code":"top"}"#,
            r#"{"error":{"code":"in"},"error":"gone","code":"top"}"#,
            r#"{"error":{"code":"in"},"error":{"message":"second"},"code":"top"}"#,
            r#"{"error":{"error":{"code":"deep"}},"code":"top"}"#,
            r#"{"error":{"code":""},"code":"top"}"#,
            r#"{"error":{"message":"inner"},"error_code":"top","error_msg":"outer"}"#,
            r#"{"request_id":"","requestId":"camel"}"#,
            r#"{"error_\u0063ode":"escaped key","message":"caf\u00e9"}"#,
            r#"{"message":"bad utf8 \ud800"}"#,
            r#"{"a":{"b":[1,{"c":"d"}]},"message":"after nesting"}"#,
            r#"{"error_msg":"x","extra":"#,
        ];
        for body in bodies {
            let e = Envelope::read(body.as_bytes());
            let own = |v: &Option<Cow<'_, str>>| v.as_deref().map(str::to_owned);
            let got = (e.json, (own(&e.code), own(&e.message), own(&e.request_id)));
            assert_eq!(got, read_by_value(body), "{body}");
        }
    }

    /// Member names are only compared, never kept: one that is not valid Unicode does not
    /// hide the fields beside it (where a `Value` refused the whole body).
    #[test]
    fn names_need_not_be_valid_unicode() {
        let surrogate = br#"{"\ud800":"x","code":"E"}"#;
        let raw = b"{\"\xff\":\"x\",\"code\":\"E\"}";
        for body in [&surrogate[..], &raw[..]] {
            let e = Envelope::read(body);
            assert!(e.json);
            assert_eq!(e.code.as_deref(), Some("E"));
        }
        // A value that is not valid Unicode is still refused: its text would be kept.
        assert_eq!(Envelope::read(b"{\"code\":\"\xff\"}"), Envelope::default());
    }

    /// Skipped members are skipped without recursion: deep nesting cannot overflow the
    /// stack (it is a JSON object without error fields).
    #[test]
    fn deep_nesting_is_skipped_not_a_crash() {
        let depth = 100_000;
        let body = format!(
            r#"{{"a":{}{},"code":"E"}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let e = Envelope::read(body.as_bytes());
        assert!(e.json);
        assert_eq!(e.code.as_deref(), Some("E"));
        // The same inside members that are read (a code, the nested error).
        for member in ["code", "error"] {
            let body = format!(
                r#"{{"{member}":{}1{},"message":"m"}}"#,
                r#"{"x":"#.repeat(depth),
                "}".repeat(depth)
            );
            let e = Envelope::read(body.as_bytes());
            assert!(e.json && e.code.is_none(), "{member}");
            assert_eq!(e.message.as_deref(), Some("m"));
        }
    }
}
