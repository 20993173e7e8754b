//! Path parameters: validated string ids, the one-segment percent-encoding and path
//! templates, with their own errors (which [`BuildError`](crate::BuildError) wraps; this
//! module depends on no other of the crate).

use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Everything but `A-Z a-z 0-9 - . _ ~` is percent-encoded (upper-case hex), both in
/// path segments we send and in the canonical URI OTC's gateway signs.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Where a path is written: a `String`, or a buffer on the stack (a request's path is
/// written there first, then copied into a `String` of exactly its length).
pub(crate) trait PathText {
    /// Appends `text`.
    fn push_str(&mut self, text: &str);
}

impl PathText for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }
}

/// Appends `raw` to `out` as one percent-encoded path segment.
pub(crate) fn push_segment(out: &mut impl PathText, raw: &str) {
    // Project ids and most job ids need no encoding: copied whole, not piece by piece
    // (and checked without a branch per byte).
    if raw.bytes().fold(true, |ok, b| ok & is_unreserved(b)) {
        out.push_str(raw);
        return;
    }
    for part in percent_encoding::utf8_percent_encode(raw, SEGMENT) {
        out.push_str(part);
    }
}

/// Whether `b` stands for itself in a path segment (`A-Z a-z 0-9 - . _ ~`, the bytes
/// [`SEGMENT`] leaves alone).
pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// [`is_unreserved`] for every byte: one lookup per byte of every id sent.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// Appends `n` in decimal (without `fmt`'s machinery: ids are written on every request).
fn push_decimal(out: &mut impl PathText, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        // `rest % 10` is a single digit: the cast cannot truncate.
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push_str("-");
    }
    // ASCII digits: the conversion cannot fail.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Why a string cannot be used as an id in a request path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidPathId {
    /// The id is empty: the request would address the collection, not the job.
    #[error("an id in a request path must not be empty")]
    Empty,
    /// The id is `.` or `..`: HTTP stacks remove such dot segments, so the server would
    /// see another path than the one signed.
    #[error("the id {0:?} is a dot segment that HTTP clients and servers rewrite")]
    DotSegment(&'static str),
}

/// Why a path template could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The operation has no value for a parameter of its path template.
    #[error("no value for the path parameter {0:?}")]
    MissingParam(String),
    /// The path template has an unclosed `{`.
    #[error("malformed path template {0:?}")]
    Unclosed(String),
}

/// A string id that is safe as one segment of a request path.
///
/// Any character is allowed (it is percent-encoded when the path is built), except that the
/// id must not be empty, `.` or `..`.
///
/// ```
/// use otc_jobs_core::PathId;
/// let id: PathId = "a b/c%d".parse()?;
/// assert_eq!(id.as_str(), "a b/c%d");
/// assert!(PathId::new("..").is_err());
/// assert!(PathId::new("").is_err());
/// # Ok::<(), otc_jobs_core::InvalidPathId>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathId(String);

impl PathId {
    /// Validates `id`.
    pub fn new(id: impl Into<String>) -> Result<PathId, InvalidPathId> {
        let id = id.into();
        match id.as_str() {
            "" => Err(InvalidPathId::Empty),
            "." => Err(InvalidPathId::DotSegment(".")),
            ".." => Err(InvalidPathId::DotSegment("..")),
            _ => Ok(PathId(id)),
        }
    }

    /// The id as given (not encoded).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id, consumed.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PathId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PathId {
    type Err = InvalidPathId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PathId::new(s)
    }
}

impl TryFrom<&str> for PathId {
    type Error = InvalidPathId;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        PathId::new(s)
    }
}

impl TryFrom<String> for PathId {
    type Error = InvalidPathId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PathId::new(s)
    }
}

/// The value of one path parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathValue<'a> {
    /// An id documented as `Long`/`Integer`: written in decimal.
    Integer(i64),
    /// An id documented as `String`: percent-encoded as one segment.
    Text(&'a PathId),
    /// A value checked elsewhere (the project id): percent-encoded as one segment.
    Raw(&'a str),
}

impl PathValue<'_> {
    /// Appends the value to `out`, encoded as one path segment.
    pub(crate) fn push_encoded(self, out: &mut impl PathText) {
        match self {
            PathValue::Integer(n) => push_decimal(out, n),
            PathValue::Text(id) => push_segment(out, id.as_str()),
            PathValue::Raw(text) => push_segment(out, text),
        }
    }
}

/// Appends `template` to `out` with every `{name}` replaced by `value(name)`, encoded as
/// one path segment.
///
/// ```
/// use otc_jobs_core::{expand_template, PathId, PathValue};
/// let id = PathId::new("a b/c")?;
/// let mut path = String::new();
/// expand_template("/v1/{project_id}/visualization-jobs/{job_id}", &mut path, |name| match name {
///     "project_id" => Some(PathValue::Raw("p1")),
///     "job_id" => Some(PathValue::Text(&id)),
///     _ => None,
/// })?;
/// assert_eq!(path, "/v1/p1/visualization-jobs/a%20b%2Fc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn expand_template<'v>(
    template: &str,
    out: &mut String,
    value: impl FnMut(&str) -> Option<PathValue<'v>>,
) -> Result<(), TemplateError> {
    expand_into(template, out, value)
}

/// [`expand_template`] into any [`PathText`].
pub(crate) fn expand_into<'v>(
    template: &str,
    out: &mut impl PathText,
    mut value: impl FnMut(&str) -> Option<PathValue<'v>>,
) -> Result<(), TemplateError> {
    // Templates are short: a plain scan finds the braces sooner than `memchr`'s set-up.
    let position = |text: &str, wanted: u8| text.bytes().position(|b| b == wanted);
    let mut rest = template;
    while let Some(open) = position(rest, b'{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close =
            position(after, b'}').ok_or_else(|| TemplateError::Unclosed(template.to_owned()))?;
        let name = &after[..close];
        value(name)
            .ok_or_else(|| TemplateError::MissingParam(name.to_owned()))?
            .push_encoded(out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Most parameters a template split at compile time holds (the job APIs' have two).
const MAX_SPLIT_PARAMS: usize = 4;

/// A path template split once, at compile time, into its literal runs and its parameter
/// names (as ranges of its text): expanding it then scans nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitTemplate {
    /// `literals[i]` comes before `params[i]`; `literals[count]` ends the template.
    literals: [(usize, usize); MAX_SPLIT_PARAMS + 1],
    params: [(usize, usize); MAX_SPLIT_PARAMS],
    count: usize,
    /// Whether the split holds the whole template (its braces closed, at most
    /// `MAX_SPLIT_PARAMS` parameters); if not, [`expand_into`] scans it as
    /// [`expand_template`] does, and says what is wrong.
    whole: bool,
    /// Whether every literal byte is unreserved or `/` (each stands for itself in the
    /// canonical URI).
    plain_literals: bool,
    /// The literals' length in bytes.
    literals_len: usize,
}

impl SplitTemplate {
    /// Splits `template` where [`expand_template`] would find its parameters.
    pub(crate) const fn new(template: &str) -> SplitTemplate {
        let bytes = template.as_bytes();
        let mut split = SplitTemplate {
            literals: [(0, 0); MAX_SPLIT_PARAMS + 1],
            params: [(0, 0); MAX_SPLIT_PARAMS],
            count: 0,
            whole: true,
            plain_literals: true,
            literals_len: 0,
        };
        let (mut i, mut literal_start) = (0, 0);
        while i < bytes.len() {
            if bytes[i] != b'{' {
                if !(bytes[i] == b'/' || UNRESERVED[bytes[i] as usize]) {
                    split.plain_literals = false;
                }
                i += 1;
                continue;
            }
            let mut close = i + 1;
            while close < bytes.len() && bytes[close] != b'}' {
                close += 1;
            }
            if close == bytes.len() || split.count == MAX_SPLIT_PARAMS {
                split.whole = false;
                return split;
            }
            split.literals[split.count] = (literal_start, i);
            split.literals_len += i - literal_start;
            split.params[split.count] = (i + 1, close);
            split.count += 1;
            i = close + 1;
            literal_start = i;
        }
        split.literals[split.count] = (literal_start, bytes.len());
        split.literals_len += bytes.len() - literal_start;
        split
    }
}

/// One piece of a request path.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    /// Sent as it is.
    Plain(&'a str),
    /// In decimal.
    Integer(i64),
    /// Percent-encoded as one segment.
    Encoded(&'a str),
}

impl Piece<'_> {
    /// The bytes it takes in the path.
    fn len(self) -> usize {
        match self {
            Piece::Plain(text) => text.len(),
            Piece::Integer(n) => usize::from(n < 0) + decimal_digits(n.unsigned_abs()),
            Piece::Encoded(text) => text
                .bytes()
                .map(|b| if is_unreserved(b) { 1 } else { 3 })
                .sum(),
        }
    }

    fn push(self, out: &mut String) {
        match self {
            Piece::Plain(text) => out.push_str(text),
            Piece::Integer(n) => push_decimal(out, n),
            // As `utf8_percent_encode` with `SEGMENT` (a test checks), a byte at a time
            // rather than a piece (a call to `memcpy`) at a time.
            Piece::Encoded(text) => {
                const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
                for b in text.bytes() {
                    if is_unreserved(b) {
                        out.push(char::from(b));
                    } else {
                        out.push('%');
                        out.push(char::from(DIGITS[usize::from(b >> 4)]));
                        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
                    }
                }
            }
        }
    }
}

/// How many decimal digits `n` has.
fn decimal_digits(mut n: u64) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// A request path (a base URL's path prefix, then a template split at compile time with
/// its parameters' values), before it is written: its length is known beforehand, so it
/// is written once into a `String` of exactly that length (which the URI takes over as it
/// is), and so is the part that is its own canonical URI (no byte of it is read again to
/// sign the request).
#[derive(Debug)]
pub(crate) struct PathPieces<'a> {
    prefix: &'a str,
    template: &'a str,
    split: &'a SplitTemplate,
    values: [Piece<'a>; MAX_SPLIT_PARAMS],
    len: usize,
    /// Where the first byte that may not stand for itself in the canonical URI is
    /// (`None`: nowhere).
    canonical_until: Option<usize>,
}

impl<'a> PathPieces<'a> {
    /// `prefix` then `template` (split as `split`, which must be
    /// `SplitTemplate::new(template)`) with its parameters' values; `None` for a template
    /// the split does not hold whole (expand it with [`expand_into`]). `segment`: a text
    /// known to be a segment as it is (the very `&str`, compared by address and length:
    /// the project id, checked once by its memo).
    pub(crate) fn new(
        prefix: &'a str,
        template: &'a str,
        split: &'a SplitTemplate,
        mut value: impl FnMut(&str) -> Option<PathValue<'a>>,
        segment: Option<&str>,
    ) -> Option<Result<PathPieces<'a>, TemplateError>> {
        if !split.whole {
            return None;
        }
        let mut values = [Piece::Plain(""); MAX_SPLIT_PARAMS];
        let mut canonical_until = None;
        let plain_prefix = prefix.bytes().all(|b| b == b'/' || is_unreserved(b));
        if !plain_prefix {
            canonical_until = Some(0);
        } else if !split.plain_literals {
            canonical_until = Some(prefix.len());
        }
        let mut len = prefix.len() + split.literals_len;
        let piece = |(start, end): (usize, usize)| template.get(start..end).unwrap_or_default();
        for (i, param) in split.params.iter().take(split.count).enumerate() {
            let name = piece(*param);
            let Some(value) = value(name) else {
                return Some(Err(TemplateError::MissingParam(name.to_owned())));
            };
            let value = match value {
                PathValue::Integer(n) => Piece::Integer(n),
                PathValue::Text(id) => Piece::Encoded(id.as_str()),
                PathValue::Raw(text) => Piece::Encoded(text),
            };
            // Project ids and most job ids need no encoding: checked without a branch
            // per byte.
            let value = match value {
                Piece::Encoded(text)
                    if segment.is_some_and(|known| std::ptr::eq(known, text))
                        || text.bytes().fold(true, |ok, b| ok & is_unreserved(b)) =>
                {
                    Piece::Plain(text)
                }
                Piece::Encoded(text) => {
                    if canonical_until.is_none() {
                        // Where this value starts: after the literals before it and the
                        // values before them.
                        let before: usize = split.literals[..=i]
                            .iter()
                            .map(|(start, end)| end - start)
                            .sum::<usize>()
                            + values[..i].iter().map(|v| v.len()).sum::<usize>();
                        canonical_until = Some(prefix.len() + before);
                    }
                    Piece::Encoded(text)
                }
                other => other,
            };
            len += value.len();
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        Some(Ok(PathPieces {
            prefix,
            template,
            split,
            values,
            len,
            canonical_until,
        }))
    }

    /// The path's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// How many of its first bytes are their own canonical URI (each unreserved or `/`).
    pub(crate) fn canonical_prefix(&self) -> usize {
        self.canonical_until.unwrap_or(self.len)
    }

    /// Appends the path to `out`.
    pub(crate) fn write(&self, out: &mut String) {
        let split = self.split;
        let piece =
            |(start, end): (usize, usize)| self.template.get(start..end).unwrap_or_default();
        out.push_str(self.prefix);
        for (literal, value) in split.literals.iter().zip(&self.values).take(split.count) {
            out.push_str(piece(*literal));
            value.push(out);
        }
        out.push_str(piece(split.literals[split.count]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        push_segment(&mut out, s);
        out
    }

    #[test]
    fn keeps_only_unreserved() {
        assert_eq!(enc("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(enc("a b/c%d"), "a%20b%2Fc%25d");
        assert_eq!(enc("?#&=+"), "%3F%23%26%3D%2B");
        assert_eq!(enc("作业-ü"), "%E4%BD%9C%E4%B8%9A-%C3%BC");
    }

    /// Written a byte at a time, an encoded piece is what `utf8_percent_encode` writes.
    #[test]
    fn encoded_pieces_equal_percent_encoding() {
        let every_char: String = (0u32..0x800)
            .chain([0xFFFD, 0x10000, 0x10FFFF])
            .filter_map(char::from_u32)
            .collect();
        for text in ["a b/c%d~é", "作业-ü", &every_char, "", "plain-1.2_3~"] {
            let mut out = String::with_capacity(Piece::Encoded(text).len());
            Piece::Encoded(text).push(&mut out);
            assert_eq!(out, enc(text), "{text:?}");
            assert_eq!(out.len(), Piece::Encoded(text).len(), "{text:?}");
        }
    }

    #[test]
    fn integers_in_decimal() {
        for n in [
            0,
            7,
            10,
            148,
            -1,
            -90,
            i64::MAX,
            i64::MIN,
            1_234_567_890_123,
        ] {
            let mut out = String::from("/");
            PathValue::Integer(n).push_encoded(&mut out);
            assert_eq!(out, format!("/{n}"));
        }
    }

    #[test]
    fn unreserved_bytes_are_the_ones_segment_keeps() {
        for b in 0..=127u8 {
            let kept = percent_encoding::percent_encode(&[b], SEGMENT).to_string()
                == (b as char).to_string();
            assert_eq!(is_unreserved(b), kept, "byte {b}");
        }
    }

    #[test]
    fn template_errors_name_what_is_wrong() {
        let mut out = String::new();
        assert_eq!(
            expand_template("/v1/{job_id}", &mut out, |_| None),
            Err(TemplateError::MissingParam("job_id".into()))
        );
        assert_eq!(
            expand_template("/v1/{job_id", &mut out, |_| Some(PathValue::Integer(1))),
            Err(TemplateError::Unclosed("/v1/{job_id".into()))
        );
    }

    /// Split beforehand and written from its pieces, a template expands as scanned, in a
    /// `String` of exactly its length; the part said to be its own canonical URI is.
    #[test]
    fn a_template_split_beforehand_expands_as_scanned() {
        let id = PathId::new("a b/c").unwrap_or_else(|e| panic!("{e}"));
        let plain = |b: u8| b == b'/' || is_unreserved(b);
        for prefix in ["", "/x", "/gate way", "/%41"] {
            for template in [
                "/v1.0/{project_id}/streaming/jobs/{job_id}",
                "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}",
                "/v1/{project_id}/visualization-jobs/{version_id}/x",
                "{a}{b}",
                "/no/params",
                "",
                "/{a}/{b}/{c}/{d}/{e}/six",
                "/{unclosed",
                "/{a}/{missing}",
                "/ü/{a}/é}",
                "/{a{b}",
                "/{neg}/{big}",
            ] {
                let value = |name: &str| match name {
                    "project_id" => Some(PathValue::Raw("p1")),
                    "job_id" | "a" | "c" | "e" | "a{b" => Some(PathValue::Integer(7)),
                    "version_id" | "b" | "d" => Some(PathValue::Text(&id)),
                    "neg" => Some(PathValue::Integer(i64::MIN)),
                    "big" => Some(PathValue::Integer(1_000_000_000)),
                    _ => None,
                };
                let mut scanned = String::from(prefix);
                let by_scan = expand_template(template, &mut scanned, value);
                let split = SplitTemplate::new(template);
                let Some(by_split) = PathPieces::new(prefix, template, &split, value, None) else {
                    // Not held whole: expanded by scanning.
                    assert!(
                        template.matches('{').count() > MAX_SPLIT_PARAMS
                            || template.contains("{unclosed"),
                        "{template}"
                    );
                    continue;
                };
                let pieces = match (by_split, by_scan) {
                    (Ok(pieces), Ok(())) => pieces,
                    (Err(split), Err(scan)) => {
                        assert_eq!(split, scan, "{template}");
                        continue;
                    }
                    (split, scan) => panic!("{template}: {split:?} / {scan:?}"),
                };
                let mut written = String::with_capacity(pieces.len());
                pieces.write(&mut written);
                assert_eq!(written, scanned, "{prefix}{template}");
                assert_eq!(written.capacity(), written.len(), "{prefix}{template}");
                let known = pieces.canonical_prefix();
                let bytes = written.as_bytes();
                assert!(bytes[..known].iter().all(|b| plain(*b)), "{written}");
                assert_eq!(
                    known == bytes.len(),
                    bytes.iter().all(|b| plain(*b)),
                    "{written}"
                );
            }
        }
    }

    #[test]
    fn refuses_empty_and_dot_segments() {
        assert_eq!(PathId::new(""), Err(InvalidPathId::Empty));
        assert_eq!(PathId::new("."), Err(InvalidPathId::DotSegment(".")));
        assert_eq!(PathId::new(".."), Err(InvalidPathId::DotSegment("..")));
        assert!(PathId::new("...").is_ok());
        assert!(PathId::new(" ").is_ok());
    }
}
