//! The header values a client's requests repeat — its project id, the signing time of the
//! current second — made once per thread and cloned after that: a new `HeaderValue` costs
//! a check of every byte and an allocation (and its free), a clone of a made one a
//! reference count.
//!
//! A memo, not state: what it returns is what making the value afresh returns, whatever
//! was asked before (the sans-IO core stays a set of pure functions; nothing here reads a
//! clock or does I/O). Thread-local, so that no lock is taken and no cache line moves
//! between cores on a request's path.

use std::cell::RefCell;

use http::HeaderValue;

use crate::time::UtcTime;

thread_local! {
    /// The last project id made into a value, with it.
    static PROJECT: RefCell<Option<(Box<str>, Project)>> = const { RefCell::new(None) };
    /// The last signing time made into `X-Sdk-Date`'s text and value, with them.
    static DATE: RefCell<Option<(UtcTime, [u8; 16], HeaderValue)>> = const { RefCell::new(None) };
}

/// What a request needs of its project id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Project {
    /// `X-Project-Id`.
    pub(crate) value: HeaderValue,
    /// Whether `value` is its own canonical form for signing
    /// ([`value_is_canonical`](crate::auth::canonical::value_is_canonical)).
    pub(crate) canonical: bool,
    /// Whether the id is a path segment as it is (every byte unreserved).
    pub(crate) segment: bool,
}

impl Project {
    fn new(project_id: &str) -> Option<Project> {
        let value = HeaderValue::from_str(project_id).ok()?;
        Some(Project {
            canonical: crate::auth::canonical::value_is_canonical(value.as_bytes()),
            segment: project_id.bytes().all(crate::path::is_unreserved),
            value,
        })
    }
}

/// What a request needs of `project_id` (`None` when it cannot be a header value); the
/// same as made afresh (`HeaderValue::from_str(project_id).ok()` and its checks).
pub(crate) fn project(project_id: &str) -> Option<Project> {
    PROJECT.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((id, project)) = &*memo
            && **id == *project_id
        {
            return Some(project.clone());
        }
        let project = Project::new(project_id)?;
        *memo = Some((project_id.into(), project.clone()));
        Some(project)
    })
}

/// `time` as `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`): its text and its header value; the same
/// as [`UtcTime::sdk_date_bytes`] and `HeaderValue::from_bytes` of it.
pub(crate) fn sdk_date(time: UtcTime) -> Option<([u8; 16], HeaderValue)> {
    DATE.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((at, text, value)) = &*memo
            && *at == time
        {
            return Some((*text, value.clone()));
        }
        let text = time.sdk_date_bytes();
        let value = HeaderValue::from_bytes(&text).ok()?;
        *memo = Some((time, text, value.clone()));
        Some((text, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever came before, the memo answers what making the value afresh answers.
    #[test]
    fn answers_as_made_afresh() {
        for id in [
            "p1", "p1", "p2", "bad\nid", "p1", "", "p2", " p3", " p3", "p/4", "p1",
        ] {
            let made = HeaderValue::from_str(id).ok();
            let memo = project(id);
            assert_eq!(memo.as_ref().map(|p| &p.value), made.as_ref(), "{id:?}");
            assert_eq!(
                memo.as_ref().map(|p| p.canonical),
                made.as_ref()
                    .map(|v| crate::auth::canonical::value_is_canonical(v.as_bytes())),
                "{id:?}"
            );
            assert_eq!(
                memo.as_ref().map(|p| p.segment),
                made.as_ref()
                    .map(|_| id.bytes().all(crate::path::is_unreserved)),
                "{id:?}"
            );
        }
        let checks = |id| project(id).map(|p| (p.canonical, p.segment));
        assert_eq!(checks(" p3"), Some((false, false)));
        assert_eq!(checks("p/4"), Some((true, false)));
        assert_eq!(checks("p3"), Some((true, true)));
        for unix in [
            0,
            1_716_286_830,
            1_716_286_830,
            1_716_286_831,
            0,
            253_402_300_799,
        ] {
            let time = UtcTime::from_unix(unix);
            let (text, value) = sdk_date(time).unwrap_or_else(|| panic!("{unix}"));
            assert_eq!(text, time.sdk_date_bytes());
            assert_eq!(value.as_bytes(), time.sdk_date().as_bytes());
        }
    }

    /// A value handed out stays what it was when the memo moves on.
    #[test]
    fn values_handed_out_do_not_change() {
        let first = project("first").map(|p| p.value);
        let second = project("second").map(|p| p.value);
        assert_eq!(
            first.as_ref().map(HeaderValue::as_bytes),
            Some(&b"first"[..])
        );
        assert_eq!(
            second.as_ref().map(HeaderValue::as_bytes),
            Some(&b"second"[..])
        );
    }
}
