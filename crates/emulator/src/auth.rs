//! Authentication as OTC's API gateway checks it: AK/SK signatures (both forms, verified by
//! the core), `X-Sdk-Date` skew, temporary keys with `X-Security-Token`, IAM tokens.

use std::collections::{HashMap, HashSet};

use http::request::Parts;
use otc_jobs_core::Service;
use otc_jobs_core::auth::canonical::X_SDK_DATE;
use otc_jobs_core::auth::{
    Authorization, SignatureForm, SigningTime, VerifyKey, X_AUTH_TOKEN, X_SECURITY_TOKEN,
    verify_with,
};

use crate::EmulatorConfig;
use crate::model::AuthKind;

/// The gateway's code for refused credentials.
pub(crate) const APIG_AUTH_FAILED: &str = "APIG.0301";
/// The gateway's code for an expired token.
pub(crate) const APIG_TOKEN_EXPIRED: &str = "APIG.0307";

/// Tokens the emulator's IAM issued, and tokens expired on demand.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Issued token -> expiry (unix seconds).
    issued: HashMap<String, u64>,
    /// Tokens that answer `APIG.0307` whatever their expiry.
    expired: HashSet<String>,
}

impl Tokens {
    pub(crate) fn issue(&mut self, token: String, expires_unix: u64) {
        self.issued.insert(token, expires_unix);
    }

    pub(crate) fn expire_all(&mut self, configured: Vec<String>) {
        self.expired.extend(configured);
        self.expired.extend(self.issued.keys().cloned());
    }

    pub(crate) fn check(
        &self,
        token: &str,
        configured: &[String],
        now_unix: u64,
    ) -> Result<(), Refusal> {
        if self.expired.contains(token) {
            return Err(Refusal::expired());
        }
        if let Some(expires) = self.issued.get(token) {
            return if now_unix >= *expires {
                Err(Refusal::expired())
            } else {
                Ok(())
            };
        }
        if configured.iter().any(|t| t == token) {
            return Ok(());
        }
        Err(Refusal::new(
            "Incorrect IAM authentication information: decrypt token fail",
        ))
    }
}

/// Why credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Refusal {
    fn new(message: impl Into<String>) -> Refusal {
        Refusal {
            code: APIG_AUTH_FAILED,
            message: message.into(),
        }
    }

    fn expired() -> Refusal {
        Refusal {
            code: APIG_TOKEN_EXPIRED,
            message: "The token must be updated.".into(),
        }
    }
}

/// The result of checking a request's credentials.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub(crate) kind: AuthKind,
    pub(crate) signature_verified: Option<bool>,
    pub(crate) result: Result<(), Refusal>,
}

/// Runs `f` with the prepared key of `secret_key`: kept per worker thread (no lock), for
/// the few keys a configuration holds, so that the HMAC key schedule is not redone on
/// every request.
fn with_verify_key<T>(secret_key: &str, f: impl FnOnce(&VerifyKey) -> T) -> T {
    /// Keys kept per thread at most; beyond, the oldest goes.
    const KEPT: usize = 8;
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<VerifyKey>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        let index = match keys.iter().position(|k| k.is_for(secret_key)) {
            Some(index) => index,
            None => {
                if keys.len() >= KEPT {
                    keys.remove(0);
                }
                keys.push(VerifyKey::new(secret_key));
                keys.len() - 1
            }
        };
        f(&keys[index])
    })
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the credentials of a request to `service`; `check_token` judges an
/// `X-Auth-Token`.
pub(crate) fn authenticate(
    config: &EmulatorConfig,
    service: Service,
    check_token: impl FnOnce(&str) -> Result<(), Refusal>,
    parts: &Parts,
    body: &[u8],
    now_unix: u64,
) -> Checked {
    if let Some(token) = parts.headers.get(X_AUTH_TOKEN) {
        let result = match token.to_str() {
            Ok(token) => check_token(token),
            Err(_) => Err(Refusal::new(
                "Incorrect IAM authentication information: decrypt token fail",
            )),
        };
        return Checked {
            kind: AuthKind::Token,
            signature_verified: None,
            result,
        };
    }
    let Some(value) = parts.headers.get(http::header::AUTHORIZATION) else {
        return Checked {
            kind: AuthKind::None,
            signature_verified: None,
            result: Err(Refusal::new(
                "Incorrect IAM authentication information: Authorization not found",
            )),
        };
    };
    let refused = |kind, verified, message: &str| Checked {
        kind,
        signature_verified: verified,
        result: Err(Refusal::new(format!(
            "Incorrect IAM authentication information: {message}"
        ))),
    };
    let Some(authorization) = value
        .to_str()
        .ok()
        .and_then(|v| Authorization::parse(v).ok())
    else {
        return refused(
            AuthKind::AkSk,
            Some(false),
            "Authorization format incorrect",
        );
    };
    let form_kind = match authorization.form {
        SignatureForm::DerivedKey => AuthKind::AkSkDerived,
        _ => AuthKind::AkSk,
    };
    // A derived-key signature is scoped to one service (`date/region/service/sdk_request`):
    // the gateway of another service does not take it.
    if let Some(scope) = &authorization.scope
        && scope.split('/').nth(2) != Some(service.host_label())
    {
        return refused(
            form_kind,
            Some(false),
            "the credential scope names another service",
        );
    }
    let security_token = header(parts, X_SECURITY_TOKEN);
    let permanent = config
        .access_keys
        .iter()
        .find(|(ak, _)| *ak == authorization.access_key);
    let temporary = config
        .temporary_keys
        .iter()
        .find(|(ak, _, _)| *ak == authorization.access_key);
    let (kind, secret_key) = match (permanent, temporary) {
        (Some((_, sk)), _) => {
            if security_token.is_some() {
                return refused(
                    form_kind,
                    Some(false),
                    "the security token does not belong to this access key",
                );
            }
            (form_kind, sk.as_str())
        }
        (None, Some((_, sk, token))) => {
            match security_token {
                Some(sent) if sent == token => {}
                Some(_) => {
                    return refused(
                        AuthKind::TemporaryAkSk,
                        Some(false),
                        "the security token is invalid",
                    );
                }
                None => {
                    return refused(
                        AuthKind::TemporaryAkSk,
                        Some(false),
                        "temporary access key without X-Security-Token",
                    );
                }
            }
            (AuthKind::TemporaryAkSk, sk.as_str())
        }
        (None, None) => return refused(form_kind, Some(false), "access key not found"),
    };
    let verified = with_verify_key(secret_key, |key| {
        verify_with(
            &parts.method,
            &parts.uri,
            &parts.headers,
            body,
            &authorization,
            key,
        )
    });
    if verified.is_err() {
        return refused(kind, Some(false), "verify aksk signature fail");
    }
    // The signature holds; now the clock (the date is valid, verify checked it).
    let skew = config.max_clock_skew.as_secs();
    let date = header(parts, X_SDK_DATE).and_then(SigningTime::parse_sdk_date);
    match date {
        Some(t) if t.unix().abs_diff(now_unix) <= skew => Checked {
            kind,
            signature_verified: Some(true),
            result: Ok(()),
        },
        _ => refused(
            kind,
            Some(true),
            "X-Sdk-Date is too far from the server time",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expiry() {
        let mut t = Tokens::default();
        t.issue("a".into(), 100);
        let configured = vec!["c".to_owned()];
        assert!(t.check("a", &configured, 99).is_ok());
        assert_eq!(
            t.check("a", &configured, 100).unwrap_err().code,
            APIG_TOKEN_EXPIRED
        );
        assert!(t.check("c", &configured, 0).is_ok());
        assert_eq!(
            t.check("x", &configured, 0).unwrap_err().code,
            APIG_AUTH_FAILED
        );
        t.expire_all(configured.clone());
        assert_eq!(
            t.check("c", &configured, 0).unwrap_err().code,
            APIG_TOKEN_EXPIRED
        );
        t.issue("b".into(), 100);
        assert!(t.check("b", &configured, 0).is_ok());
    }
}
