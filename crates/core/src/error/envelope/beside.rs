//! A 2xx answer read once: as the typed answer, and beside it, in the same pass, as the
//! error body it may be (a refusal: `"is_success": false` with a code and a message).
//!
//! The typed reading drives the parser as usual; this module taps it. At the top level it
//! watches the member names go by, and the values of the members an [`Envelope`] reads
//! (the error fields, the verdict, the nested `error` object) as the typed reading visits
//! them: a string, a number, a Boolean is noted on its way to the typed field (borrowed
//! from the body, as [`Envelope::read`] keeps it). Every other member is left to the typed
//! reading untouched; a member the type does not have, but the envelope reads, is visited
//! rather than skipped. The rules are [`Envelope::read`]'s: the envelope of a refusal read
//! beside the typed reading is the one `Envelope::read` gives for the same body. When the
//! typed reading fails, what was noted is incomplete: the caller reads the envelope on its
//! own.
//!
//! The tap's methods are `#[inline]`: they only forward to serde_json's, and should vanish
//! into them (they cost a success about a tenth more instructions without it).
//!
//! The verdict decides how the rest of the object is read. Once the top level has said
//! anything but `false`, the body cannot be a refusal any more (a refusal says `false`,
//! once): the tap steps aside, and the rest is read as if it were not there. Once it has
//! said `false`, the typed answer is not wanted: the rest of the object is read as
//! `Envelope::read` reads it (no typed field made of it), and the typed reading is told
//! the object ends there; should a second verdict then make the body no refusal after
//! all, the typed answer is read again, whole. The services write the verdict first: a
//! success or a refusal is then read with next to nothing tapped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Visitor,
};

use super::{Envelope, Key, ObjectSeed, Slots, Verdicts, float_text, says_false};

/// `body` as a `T` (as `crate::json::from_body` reads it); or, when the body's own verdict
/// says no ([`Verdicts::refused`]), the envelope of that refusal, read beside it.
pub(crate) fn read_beside<'a, T: DeserializeOwned>(
    body: &'a [u8],
) -> serde_json::Result<Result<T, Envelope<'a>>> {
    let mut capture = Capture::default();
    // As text when the body is UTF-8, as `crate::json` reads it.
    let value = match std::str::from_utf8(body) {
        Ok(text) => read_with(serde_json::Deserializer::from_str(text), &mut capture)?,
        Err(_) => read_with(serde_json::Deserializer::from_slice(body), &mut capture)?,
    };
    // The envelope is put together only for a refusal: a success pays for nothing more.
    match capture.refusal() {
        Some(envelope) => Ok(Err(envelope)),
        None if capture.cut_short => crate::json::from_body(body).map(Ok),
        None => Ok(Ok(value)),
    }
}

fn read_with<'a, T: DeserializeOwned, R: serde_json::de::Read<'a>>(
    mut parser: serde_json::Deserializer<R>,
    capture: &mut Capture<'a>,
) -> serde_json::Result<T> {
    let value = T::deserialize(Tap {
        de: &mut parser,
        hook: Hook::Body(capture),
    })?;
    parser.end()?;
    Ok(value)
}

/// What the tap noted of the body. The slots are made when a member needs them: most
/// successes have a verdict and no error field.
#[derive(Default)]
struct Capture<'a> {
    /// The body is an object (the typed reading visited it as a map).
    object: bool,
    /// The typed reading was ended after a `false` verdict (its answer is not whole).
    cut_short: bool,
    top: Option<Slots<'a>>,
    nested: Option<Slots<'a>>,
    verdicts: Verdicts,
}

impl<'a> Capture<'a> {
    /// The envelope, when the body is an object that refuses.
    #[inline]
    fn refusal(&mut self) -> Option<Envelope<'a>> {
        (self.object && self.verdicts.refused()).then(|| self.envelope())
    }

    #[inline]
    fn envelope(&mut self) -> Envelope<'a> {
        if !self.object {
            return Envelope::default();
        }
        Envelope::of_object(
            &mut self.top.take().unwrap_or_default(),
            &mut self.nested.take().unwrap_or_default(),
            &self.verdicts,
        )
    }
}

/// What the value being read is to the envelope, and where to note it.
enum Hook<'c, 'a> {
    /// The whole body: its members are watched.
    Body(&'c mut Capture<'a>),
    /// A member's name: which member it is.
    Name(&'c mut Key),
    /// An error field's value (text or a number).
    Text(&'c mut Option<Cow<'a, str>>),
    /// The verdict's value: whether it says no.
    Verdict(&'c mut bool),
    /// The nested `error` member: its members, when it is an object.
    Nested(&'c mut Slots<'a>),
}

/// A deserializer that hands its visitor's visits to a [`Hook`] on their way.
struct Tap<'c, 'a, D> {
    de: D,
    hook: Hook<'c, 'a>,
}

/// Forwards `deserialize_*` methods to the inner deserializer, with the visitor tapped.
macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'a>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.de.$method($($arg,)* TapVisitor { inner: visitor, hook: self.hook })
            }
        )*
    };
}

impl<'a, D: Deserializer<'a>> Deserializer<'a> for Tap<'_, 'a, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }

    /// A member the type skips but the envelope reads is visited, not skipped.
    #[inline]
    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(TapVisitor {
            inner: visitor,
            hook: self.hook,
        })
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A visitor whose visits are noted by its hook, then made to the inner visitor.
struct TapVisitor<'c, 'a, V> {
    inner: V,
    hook: Hook<'c, 'a>,
}

/// Forwards visits the envelope does not read.
macro_rules! forward_visit {
    ($($method:ident($ty:ty);)*) => {
        $(
            #[inline]
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'a, V: Visitor<'a>> TapVisitor<'_, 'a, V> {
    /// Notes a string value (`borrowed` when it is the body's own text).
    #[inline]
    fn note_text(&mut self, v: &str, borrowed: Option<&'a str>) {
        match &mut self.hook {
            Hook::Name(key) => **key = Key::of(v.as_bytes()),
            Hook::Text(slot) => {
                **slot = (!v.is_empty())
                    .then(|| borrowed.map_or_else(|| Cow::Owned(v.to_owned()), Cow::Borrowed));
            }
            Hook::Verdict(says_no) => **says_no = says_false(v),
            Hook::Body(_) | Hook::Nested(_) => {}
        }
    }

    /// Notes a number, written as text.
    #[inline]
    fn note_number(&mut self, text: impl FnOnce() -> Option<String>) {
        if let Hook::Text(slot) = &mut self.hook {
            **slot = text().map(Cow::Owned);
        }
    }

    #[inline]
    fn note_name(&mut self, v: &[u8]) {
        if let Hook::Name(key) = &mut self.hook {
            **key = Key::of(v);
        }
    }
}

impl<'a, V: Visitor<'a>> Visitor<'a> for TapVisitor<'_, 'a, V> {
    type Value = V::Value;

    #[inline]
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u128(u128);
        visit_f32(f32);
        visit_char(char);
    }

    #[inline]
    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<V::Value, E> {
        if let Hook::Verdict(says_no) = &mut self.hook {
            **says_no = !v;
        }
        self.inner.visit_bool(v)
    }

    #[inline]
    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<V::Value, E> {
        self.note_number(|| Some(v.to_string()));
        self.inner.visit_i64(v)
    }

    #[inline]
    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<V::Value, E> {
        self.note_number(|| Some(v.to_string()));
        self.inner.visit_u64(v)
    }

    #[inline]
    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<V::Value, E> {
        self.note_number(|| float_text(v));
        self.inner.visit_f64(v)
    }

    #[inline]
    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<V::Value, E> {
        self.note_text(v, None);
        self.inner.visit_str(v)
    }

    #[inline]
    fn visit_borrowed_str<E: de::Error>(mut self, v: &'a str) -> Result<V::Value, E> {
        self.note_text(v, Some(v));
        self.inner.visit_borrowed_str(v)
    }

    #[inline]
    fn visit_string<E: de::Error>(mut self, v: String) -> Result<V::Value, E> {
        self.note_text(&v, None);
        self.inner.visit_string(v)
    }

    #[inline]
    fn visit_bytes<E: de::Error>(mut self, v: &[u8]) -> Result<V::Value, E> {
        self.note_name(v);
        self.inner.visit_bytes(v)
    }

    #[inline]
    fn visit_borrowed_bytes<E: de::Error>(mut self, v: &'a [u8]) -> Result<V::Value, E> {
        self.note_name(v);
        self.inner.visit_borrowed_bytes(v)
    }

    #[inline]
    fn visit_byte_buf<E: de::Error>(mut self, v: Vec<u8>) -> Result<V::Value, E> {
        self.note_name(&v);
        self.inner.visit_byte_buf(v)
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    #[inline]
    fn visit_some<D: Deserializer<'a>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Tap {
            de,
            hook: self.hook,
        })
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'a>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Tap {
            de,
            hook: self.hook,
        })
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'a>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(seq)
    }

    #[inline]
    fn visit_map<A: MapAccess<'a>>(self, map: A) -> Result<V::Value, A::Error> {
        let level = match self.hook {
            Hook::Body(capture) => {
                capture.object = true;
                Level::Top(capture)
            }
            Hook::Nested(slots) => Level::Nested(slots),
            Hook::Name(_) | Hook::Text(_) | Hook::Verdict(_) => {
                return self.inner.visit_map(map);
            }
        };
        self.inner.visit_map(Members {
            map,
            level,
            current: Key::Other,
        })
    }

    #[inline]
    fn visit_enum<A: EnumAccess<'a>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(data)
    }
}

/// The object whose members are watched: the body, or its nested `error`.
enum Level<'c, 'a> {
    Top(&'c mut Capture<'a>),
    Nested(&'c mut Slots<'a>),
}

/// An object's members, each name noted, the values that matter tapped.
struct Members<'c, 'a, A> {
    map: A,
    level: Level<'c, 'a>,
    /// The member whose value comes next.
    current: Key,
}

/// A seed whose deserializer is tapped.
struct Tapped<'c, 'a, S> {
    seed: S,
    hook: Hook<'c, 'a>,
}

impl<'a, S: DeserializeSeed<'a>> DeserializeSeed<'a> for Tapped<'_, 'a, S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'a>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Tap {
            de,
            hook: self.hook,
        })
    }
}

impl<'a, A: MapAccess<'a>> MapAccess<'a> for Members<'_, 'a, A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.current = Key::Other;
        if let Level::Top(capture) = &mut self.level
            && capture.verdicts.seen > 0
        {
            if !capture.verdicts.refused() {
                // Settled: not a refusal, whatever follows. Nothing more to note.
                return self.map.next_key_seed(seed);
            }
            // A refusal: the rest is read for the envelope alone, the typed reading ends.
            let Capture {
                top,
                nested,
                verdicts,
                cut_short,
                ..
            } = &mut **capture;
            *cut_short = true;
            let rest = ObjectSeed {
                fields: top.get_or_insert_with(Slots::default),
                nested: Some(nested.get_or_insert_with(Slots::default)),
                verdicts: Some(verdicts),
            };
            Visitor::visit_map(rest, &mut self.map)?;
            return Ok(None);
        }
        self.map.next_key_seed(Tapped {
            seed,
            hook: Hook::Name(&mut self.current),
        })
    }

    #[inline]
    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        // A member given twice counts as its last value: each value starts afresh.
        let hook = match (self.current, &mut self.level) {
            (Key::Field(index), level) => {
                let slots = match level {
                    Level::Top(capture) => capture.top.get_or_insert_with(Slots::default),
                    Level::Nested(slots) => &mut **slots,
                };
                match slots.get_mut(index) {
                    Some(slot) => {
                        *slot = None;
                        Hook::Text(slot)
                    }
                    None => return self.map.next_value_seed(seed),
                }
            }
            (Key::Error, Level::Top(capture)) => {
                Hook::Nested(capture.nested.insert(Slots::default()))
            }
            (Key::Verdict, Level::Top(capture)) => {
                capture.verdicts.seen += 1;
                capture.verdicts.last_false = false;
                Hook::Verdict(&mut capture.verdicts.last_false)
            }
            // Not read by the envelope (nor, nested, the verdict and a deeper `error`).
            (Key::Other | Key::Error | Key::Verdict, _) => return self.map.next_value_seed(seed),
        };
        self.map.next_value_seed(Tapped { seed, hook })
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Flagged {
        #[serde(default, deserialize_with = "crate::de::lenient_bool")]
        is_success: Option<bool>,
        #[serde(default)]
        message: Option<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Typed {
        #[serde(default)]
        is_success: Option<bool>,
        #[serde(default)]
        error_code: Option<String>,
        #[serde(default)]
        error_message: Option<String>,
        #[serde(default)]
        jobs: Option<Vec<Job>>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Job {
        #[serde(default)]
        job_id: Option<i64>,
        #[serde(default)]
        error_code: Option<String>,
    }

    /// What [`read_beside`] gives agrees with the readings alone: the typed answer read
    /// without the tap when the envelope alone says no refusal, else the envelope alone.
    fn agrees<T: DeserializeOwned + PartialEq + fmt::Debug>(body: &str) {
        let alone = Envelope::read(body.as_bytes());
        let untapped = crate::json::from_body::<T>(body.as_bytes());
        match read_beside::<T>(body.as_bytes()) {
            Ok(Ok(typed)) => {
                assert!(!alone.refused, "{body}");
                assert_eq!(Some(&typed), untapped.as_ref().ok(), "{body}");
            }
            Ok(Err(refusal)) => {
                assert!(alone.refused, "{body}");
                assert_eq!(refusal, alone, "{body}");
            }
            // (The caller then reads the envelope alone.)
            Err(e) => assert_eq!(
                Some(e.to_string()),
                untapped.err().map(|e| e.to_string()),
                "{body}"
            ),
        }
    }

    #[test]
    fn the_envelope_beside_is_the_envelope_alone() {
        let bodies = [
            "{}",
            r#"{"is_success": true}"#,
            r#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
            r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "This job can't be delete."}"#,
            r#"{"error_code": "ModelArts.0105", "is_success": "FALSE", "error_msg": "late verdict"}"#,
            r#"{"is_success": false, "error": {"code": "E2", "message": "inner"}, "request_id": "r2"}"#,
            r#"{"is_success": false, "error": {"code": 7, "is_success": true, "error": {"code": "deep"}}}"#,
            r#"{"is_success": false, "error": "text", "error": {"message": "second"}}"#,
            r#"{"is_success": false, "code": 404.5, "errorCode": "", "requestId": "camel"}"#,
            r#"{"is_success": false, "error_code": null, "code": 12}"#,
            r#"{"is_success": false, "error_msg": ["no"], "message": {"a": 1}, "errorMsg": "m"}"#,
            r#"{"is_success": false, "request_id": "one", "request_id": "two"}"#,
            r#"{"is_success": false, "error_\u0063ode": "escaped", "message": "caf\u00e9"}"#,
            r#"{"is_success": false, "jobs": [{"job_id": 1, "error_code": "not the body's"}]}"#,
            r#"{"jobs": [], "error_code": "X.1"}"#,
            r#"{"is_success": 7}"#,
            r#"{"is_success": true, "is_success": false}"#,
            r#"{"message": 5}"#,
            r#"[true, "as a sequence"]"#,
            r#"{"is_success": false} trailing"#,
            r#"{"is_success": fals"#,
        ];
        for body in bodies {
            agrees::<Flagged>(body);
            agrees::<Typed>(body);
            agrees::<serde_json::Value>(body);
        }
    }

    /// Random objects of the members that matter (and some that do not), with values of
    /// every shape, duplicates and nesting: the tap agrees with the envelope alone.
    #[test]
    fn random_bodies_agree() {
        const NAMES: [&str; 12] = [
            "is_success",
            "error_code",
            "errorCode",
            "code",
            "error_msg",
            "error_message",
            "message",
            "request_id",
            "error",
            "jobs",
            "is_\\u0073uccess",
            "other",
        ];
        const VALUES: [&str; 14] = [
            "true",
            "false",
            "\"false\"",
            "\"TRUE\"",
            "\"\"",
            "\"text\"",
            "\"esc\\\"aped\"",
            "7",
            "-2",
            "1.5",
            "null",
            "[1, {\"code\": \"in\"}]",
            "{}",
            "\"caf\\u00e9\"",
        ];
        let mut state: u64 = 0x5eed_beef;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            usize::try_from(state >> 33).unwrap_or(0) % n
        };
        for _ in 0..5_000 {
            let mut body = String::from("{");
            for i in 0..next(6) {
                if i > 0 {
                    body.push(',');
                }
                let name = NAMES[next(NAMES.len())];
                body.push_str(&format!("\"{name}\":"));
                if next(4) == 0 {
                    // An object: members of the same kinds, one level down.
                    body.push('{');
                    for j in 0..next(3) {
                        if j > 0 {
                            body.push(',');
                        }
                        let inner = NAMES[next(NAMES.len())];
                        let value = VALUES[next(VALUES.len())];
                        body.push_str(&format!("\"{inner}\":{value}"));
                    }
                    body.push('}');
                } else {
                    body.push_str(VALUES[next(VALUES.len())]);
                }
            }
            body.push('}');
            agrees::<Flagged>(&body);
            agrees::<Typed>(&body);
        }
    }

    #[test]
    fn strings_borrow_from_the_body_unless_escaped() {
        let body =
            br#"{"is_success": false, "error_code": "DLI.0002", "error_msg": "a \"quoted\" word"}"#;
        let e = read_beside::<Flagged>(body).unwrap().unwrap_err();
        assert!(e.refused);
        assert!(matches!(e.code, Some(Cow::Borrowed("DLI.0002"))));
        assert!(matches!(e.message, Some(Cow::Owned(_))));
    }

    /// A verdict the type does not have is still read (visited rather than skipped).
    #[test]
    fn members_the_type_lacks_are_read() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Bare {}
        let e = read_beside::<Bare>(
            br#"{"is_success": "false", "errorCode": "DLI.0001", "error": {"message": "m"}}"#,
        )
        .unwrap()
        .unwrap_err();
        assert!(e.refused && e.json);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("DLI.0001"), Some("m"))
        );
    }
}
