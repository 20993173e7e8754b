//! Secrets that never show in `Debug` or `Display`.

use std::fmt;

/// A secret (secret key, password, token). Its `Debug` prints `"***"` and it has no
/// `Display`; read it with [`SecretString::expose`].
///
/// ```
/// use otc_jobs_core::auth::SecretString;
/// let sk = SecretString::new("my-secret-key");
/// assert_eq!(format!("{sk:?}"), "SecretString(***)");
/// assert_eq!(sk.expose(), "my-secret-key");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> SecretString {
        SecretString(secret.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_owned())
    }
}
