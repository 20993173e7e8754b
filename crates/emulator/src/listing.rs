//! What the list requests share: query parameters (decoded, checked against the page's
//! ranges), text and status filters, and cutting a window out of a sorted list.

use std::ops::RangeInclusive;
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// The query parameters of a request, decoded (`+` is a space).
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        Query(
            query
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The first value of `name`; an empty value counts as absent (as the services treat
    /// `?status=`).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A number in `range`, `default` when absent; otherwise an error naming the parameter.
    pub(crate) fn number<T>(
        &self,
        name: &str,
        default: T,
        range: RangeInclusive<T>,
    ) -> Result<T, String>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.parse::<T>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(format!(
                "{name} must be a number from {} to {}, not {text:?}",
                range.start(),
                range.end()
            )),
        }
    }

    /// One of `allowed` (compared exactly), `default` when absent.
    pub(crate) fn choice(
        &self,
        name: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> Result<&'static str, String> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        allowed
            .iter()
            .find(|a| **a == text)
            .copied()
            .ok_or_else(|| format!("{name} must be one of {}, not {text:?}", allowed.join(", ")))
    }

    /// A comma-separated list of values (`status=3,5,6`), `None` when absent.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.get(name).map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    /// Text of at most `max` characters, `None` when absent.
    pub(crate) fn text(&self, name: &str, max: usize) -> Result<Option<&str>, String> {
        match self.get(name) {
            Some(t) if t.chars().count() > max => {
                Err(format!("{name} must have at most {max} characters"))
            }
            other => Ok(other),
        }
    }
}

/// Case-insensitive substring match (the services' name searches are SQL `LIKE`s).
pub(crate) fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// A status as the `status` filter compares it: numbers as their digits, strings as is.
pub(crate) fn status_matches(status: &Value, wanted: &[&str]) -> bool {
    let text = match status {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    wanted.iter().any(|w| *w == text)
}

/// `items[offset..offset + limit]`, clipped to the list (empty past its end).
pub(crate) fn window<T>(items: &[T], offset: usize, limit: usize) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(limit).min(items.len());
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        let q = Query::parse(Some("limit=2&name=a%20b+c&flag&status=&order=desc"));
        assert_eq!(q.number("limit", 10, 0..=100), Ok(2));
        assert_eq!(q.number("offset", 0, 0..=100), Ok(0));
        assert!(q.number("limit", 10, 3..=100).is_err());
        assert_eq!(q.get("name"), Some("a b c"));
        assert_eq!(q.get("flag"), None);
        assert_eq!(q.get("status"), None);
        assert_eq!(q.choice("order", "asc", &["asc", "desc"]), Ok("desc"));
        assert!(
            Query::parse(Some("order=up"))
                .choice("order", "asc", &["asc"])
                .is_err()
        );
        assert_eq!(
            Query::parse(Some("status=3,%205")).list("status"),
            Some(vec!["3", "5"])
        );
        assert!(Query::parse(Some("n=abc")).text("n", 2).is_err());
    }

    #[test]
    fn windows_and_filters() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(window(&items, 3, 10), &[4, 5]);
        assert_eq!(window(&items, 5, 10), &[] as &[i32]);
        assert_eq!(window(&items, usize::MAX, usize::MAX), &[] as &[i32]);
        assert!(contains_ignore_case("ResNet-50", "net"));
        assert!(status_matches(&Value::from(8), &["3", "8"]));
        assert!(status_matches(
            &Value::from("job_running"),
            &["job_running"]
        ));
        assert!(!status_matches(&Value::from(8), &["80"]));
    }
}
