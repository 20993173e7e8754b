//! Selection: which listed jobs a run acts on. Only reads: client-side filters over each
//! row the list call gives (the server-side ones went with the list call).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use regex::Regex;

use crate::exit::CliError;
use otc_jobs_core::kinds::{FilterError, Kind, Row};

/// The client-side filters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    /// Only jobs created at least this long ago.
    pub(crate) older_than: Option<Duration>,
    /// Only jobs created at most this long ago.
    pub(crate) newer_than: Option<Duration>,
    /// Only jobs whose name matches.
    pub(crate) name_regex: Option<Regex>,
}

impl Filters {
    /// Whether `row` is selected at time `now`. A job without a creation time (or a name)
    /// is not selected by an age (or name) filter: the tool never guesses in favour of
    /// deleting.
    pub(crate) fn matches(&self, row: &Row, now: SystemTime) -> bool {
        let age = row
            .created
            .map(|c| now.duration_since(c).unwrap_or(Duration::ZERO));
        let older = self
            .older_than
            .is_none_or(|min| age.is_some_and(|age| age >= min));
        let newer = self
            .newer_than
            .is_none_or(|max| age.is_some_and(|age| age <= max));
        let named = self
            .name_regex
            .as_ref()
            .is_none_or(|re| row.name.as_deref().is_some_and(|name| re.is_match(name)));
        older && newer && named
    }
}

/// Parses `7d`, `36h`, `90min`, `2w` (humantime).
pub(crate) fn parse_age(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e}; write e.g. 7d, 36h or 90min"))
}

/// Parses `--name-regex`.
pub(crate) fn parse_regex(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|e| e.to_string())
}

/// Reads `--exclude-file`: one id a line; blank lines and `#` comments ignored.
pub(crate) fn read_exclude_file(path: &Path) -> Result<HashSet<String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(
            format!("cannot read --exclude-file {}: {e}", path.display()),
            "give a readable text file with one id per line",
        )
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

/// A filter the kind refuses: the reason, and the filters it has.
pub(crate) fn refused(kind: Kind, error: &FilterError) -> CliError {
    let has = kind
        .filters()
        .iter()
        .map(|f| format!("--{}", f.flag))
        .collect::<Vec<_>>();
    let has = if has.is_empty() {
        format!("the {kind} list has no server filters")
    } else {
        format!("the {kind} list's server filters: {}", has.join(", "))
    };
    CliError::usage(
        error.to_string(),
        format!("{has}; --name-regex, --older-than and --newer-than work for every kind"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use otc_jobs_core::kinds::KindId;

    fn row(id: i64, name: Option<&str>, age: Option<u64>, now: SystemTime) -> Row {
        Row {
            name: name.map(str::to_owned),
            created: age.map(|h| now - Duration::from_secs(h * 3600)),
            ..Row::new(KindId::FlinkJob(id))
        }
    }

    #[test]
    fn filters_by_age_and_name_and_never_guesses() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let rows = [
            row(1, Some("nightly-etl"), Some(24 * 10), now),
            row(2, Some("nightly-etl"), Some(24), now),
            row(3, Some("prod-stream"), Some(24 * 30), now),
            row(4, None, Some(24 * 30), now),
            row(5, Some("nightly-x"), None, now),
        ];
        let filters = Filters {
            older_than: Some(parse_age("7d").unwrap()),
            newer_than: None,
            name_regex: Some(parse_regex("^nightly-").unwrap()),
        };
        let ids: Vec<_> = rows
            .iter()
            .filter(|r| filters.matches(r, now))
            .map(|r| r.id.to_string())
            .collect();
        assert_eq!(ids, ["1"]);
        let newer = Filters {
            newer_than: Some(parse_age("2d").unwrap()),
            ..Filters::default()
        };
        let ids: Vec<_> = rows
            .iter()
            .filter(|r| newer.matches(r, now))
            .map(|r| r.id.to_string())
            .collect();
        assert_eq!(ids, ["2"]);
    }

    #[test]
    fn bad_ages_and_regexes_say_what_is_expected() {
        assert!(parse_age("seven days").unwrap_err().contains("7d"));
        assert!(parse_regex("(").is_err());
    }

    #[test]
    fn exclude_file_ignores_comments_and_blanks() {
        let dir = std::env::temp_dir().join(format!("otc-jobs-cli-exclude-{}", std::process::id()));
        std::fs::write(&dir, "# keep these\n 12 \n\n34\n").unwrap();
        let ids = read_exclude_file(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(ids, ["12".to_owned(), "34".to_owned()].into());
        let err = read_exclude_file(Path::new("/nonexistent/ids.txt")).unwrap_err();
        assert_eq!(err.code, 2);
    }
}
