//! What a bad setting says.

use std::fmt;

/// A setting that is missing, malformed or contradicts another one. Its text names the
/// setting (`OS_SECRET_KEY`, `clouds.yaml cloud "otc": auth.sk`, `ClientBuilder::timeout`, …)
/// and never shows a secret.
///
/// ```
/// use otc_jobs_driver::ConfigError;
/// let e = ConfigError::new("OS_SECRET_KEY", "missing (OS_ACCESS_KEY is set)");
/// assert_eq!(e.to_string(), "OS_SECRET_KEY: missing (OS_ACCESS_KEY is set)");
/// assert_eq!(e.setting(), "OS_SECRET_KEY");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: String,
    problem: String,
}

impl ConfigError {
    /// A problem with `setting`.
    pub fn new(setting: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            problem: problem.into(),
        }
    }

    /// The setting at fault (an environment variable, a `clouds.yaml` key, or a builder
    /// method).
    pub fn setting(&self) -> &str {
        &self.setting
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.problem)
    }
}
