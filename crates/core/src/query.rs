//! Query strings, written the one way OTC's gateway signs them: pairs sorted by key then
//! value (byte order), each encoded like a path segment (`A-Z a-z 0-9 - . _ ~` kept, the
//! rest `%XX`, space `%20`). The query sent is then exactly the canonical query, so
//! nothing is re-encoded between building and signing.

use std::fmt::{self, Display, Write as _};

use crate::path::{PathText, push_segment};

/// The query parameters of one request, collected by [`Operation::query`](crate::Operation::query).
///
/// ```
/// use otc_jobs_core::Query;
///
/// let mut query = Query::new();
/// query.push("limit", 25);
/// query.push_opt("status", None::<&str>);
/// query.push("name", "a b");
/// query.push_all("ids", ["c", "a"]);
/// assert_eq!(query.to_query_string(), "ids=a&ids=c&limit=25&name=a%20b");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Query {
        Query::default()
    }

    /// Adds `key=value` (the value as [`Display`] writes it: integers in decimal, Booleans
    /// as `true`/`false`).
    pub fn push(&mut self, key: &str, value: impl Display) {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = write!(text, "{value}");
        self.pairs.push((key.to_owned(), text));
    }

    /// Adds `key=value` when there is a value; an absent optional is not sent.
    pub fn push_opt<T: Display>(&mut self, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.push(key, v);
        }
    }

    /// Adds `key=value` once per value (a list parameter).
    pub fn push_all<T: Display>(&mut self, key: &str, values: impl IntoIterator<Item = T>) {
        for v in values {
            self.push(key, v);
        }
    }

    /// Whether no pair was added.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs as added (unsorted, not encoded).
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The query string to send (without `?`): sorted, encoded, and equal to the
    /// canonical query the signer computes from it.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Appends [`Query::to_query_string`] to `out`.
    pub(crate) fn write_to(&self, out: &mut impl PathText) {
        let mut sorted: Vec<&(String, String)> = self.pairs.iter().collect();
        // Byte order of UTF-8 is code point order, the signer's order.
        sorted.sort();
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            if i > 0 {
                out.push_str("&");
            }
            push_segment(out, k);
            out.push_str("=");
            push_segment(out, v);
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Query;
    use crate::auth::canonical::canonical_query;

    #[test]
    fn sent_query_is_its_own_canonical_form() {
        let mut q = Query::new();
        q.push("q", "a b+c&d=e/f?g#h%i");
        q.push("sym", "!*'();:@$,[]");
        q.push("tilde", "~-._");
        q.push("enabled", true);
        q.push("marker", "");
        q.push_all("ids", ["c", "a", "b"]);
        let sent = q.to_query_string();
        assert_eq!(canonical_query(&sent), sent);
        assert!(sent.starts_with(
            "enabled=true&ids=a&ids=b&ids=c&marker=&q=a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25i"
        ));
    }

    #[test]
    fn absent_optionals_are_not_sent() {
        let mut q = Query::new();
        q.push_opt("limit", None::<u32>);
        assert!(q.is_empty());
        assert_eq!(q.to_query_string(), "");
    }
}
