//! Every setting as gathered (from the environment, `clouds.yaml` and the setters, each
//! with where it came from), and its validation into a [`Config`].

use http::HeaderValue;
use otc_jobs_core::auth::iam::PasswordLogin;
use otc_jobs_core::auth::{AkSk, Credentials, SecretString, SignatureForm};
use otc_jobs_core::{BaseUrl, ClientPolicy, Endpoints, Region, Service};

use super::{Auth, Config, ConfigError, Project, ProxySettings, TransportSettings};

/// One textual setting and where it came from.
#[derive(Clone)]
pub(crate) struct Value {
    pub(crate) text: String,
    pub(crate) from: String,
}

impl Value {
    fn secret(&self) -> SecretString {
        SecretString::new(self.text.clone())
    }
}

/// Every setting, as gathered before validation.
#[derive(Clone, Default)]
pub(crate) struct Settings {
    pub(crate) access_key: Option<Value>,
    pub(crate) secret_key: Option<Value>,
    pub(crate) security_token: Option<Value>,
    pub(crate) auth_token: Option<Value>,
    pub(crate) username: Option<Value>,
    pub(crate) password: Option<Value>,
    pub(crate) user_domain_name: Option<Value>,
    pub(crate) project_id: Option<Value>,
    pub(crate) project_name: Option<Value>,
    pub(crate) region: Option<Value>,
    pub(crate) auth_url: Option<Value>,
    pub(crate) endpoints: Vec<(Option<Service>, Value)>,
    pub(crate) policy: ClientPolicy,
    pub(crate) signature_form: SignatureForm,
    pub(crate) user_agent: Option<Value>,
    pub(crate) root_certificates: Vec<Vec<u8>>,
    /// The proxy URL and its `NO_PROXY` list, validated in [`Settings::resolve`].
    pub(crate) proxy: Option<(Value, Option<String>)>,
    /// What was read but not used (an unknown `clouds.yaml` key), for the caller to show.
    pub(crate) warnings: Vec<String>,
}

impl Settings {
    /// Sets `field` from `text` (ignoring empty text), remembering the source.
    pub(crate) fn put(field: &mut Option<Value>, text: Option<String>, from: impl Into<String>) {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            *field = Some(Value {
                text: text.trim().to_owned(),
                from: from.into(),
            });
        }
    }

    pub(crate) fn clear_credentials(&mut self) {
        for field in [
            &mut self.access_key,
            &mut self.secret_key,
            &mut self.security_token,
            &mut self.auth_token,
            &mut self.username,
            &mut self.password,
            &mut self.user_domain_name,
        ] {
            *field = None;
        }
    }

    pub(crate) fn resolve(&self) -> Result<Config, ConfigError> {
        let auth = self.auth()?;
        let project = match (&self.project_id, &self.project_name) {
            (Some(id), _) => Project::Id(id.text.clone()),
            (None, Some(name)) => Project::Name(name.text.clone()),
            (None, None) => {
                return Err(ConfigError::new(
                    "OS_PROJECT_ID",
                    "missing: set a project id (or a project name, OS_PROJECT_NAME)",
                ));
            }
        };
        if let Project::Id(id) = &project
            && (matches!(id.as_str(), "." | "..") || HeaderValue::from_str(id).is_err())
        {
            return Err(self.bad(&self.project_id, "OS_PROJECT_ID", "not a valid project id"));
        }
        let everywhere = self.endpoints.iter().any(|(service, _)| service.is_none());
        let region = match (&self.region, &self.project_name) {
            (Some(region), _) => Region::new(region.text.clone()),
            // OTC project names start with their region: `eu-de`, `eu-de_demo`.
            (None, Some(name)) => {
                Region::new(name.text.split('_').next().unwrap_or_default().to_owned())
            }
            // Every service at one base URL (an emulator): the region only names the
            // signing scope of the derived-key form.
            (None, None) if everywhere => Region::EU_DE,
            (None, None) => {
                return Err(ConfigError::new(
                    "OS_REGION_NAME",
                    "missing: set the region (e.g. eu-de), or one base URL for every service (OS_ENDPOINT_OVERRIDE, ClientBuilder::base_url)",
                ));
            }
        };
        // A misspelt region would be sent to a host that does not exist: say so now, unless
        // every service has a base URL of its own and the name only scopes signatures.
        let overridden = |s: Service| self.endpoints.iter().any(|(o, _)| *o == Some(s));
        let all_overridden = [Service::ModelArts, Service::Dli, Service::Mrs]
            .into_iter()
            .all(overridden);
        if !Region::KNOWN.contains(&region) && !everywhere && !all_overridden {
            let known: Vec<&str> = Region::KNOWN.iter().map(Region::as_str).collect();
            let setting = self
                .region
                .as_ref()
                .or(self.project_name.as_ref())
                .map_or("OS_REGION_NAME", |v| v.from.as_str());
            return Err(ConfigError::new(
                setting,
                format!(
                    "unknown region {:?}: OTC's regions are {}; for another, give its endpoints (OS_ENDPOINT_OVERRIDE, ClientBuilder::base_url)",
                    region.as_str(),
                    known.join(", ")
                ),
            ));
        }
        let mut endpoints = Endpoints::new(region.clone());
        if let Some(url) = &self.auth_url {
            // OS_AUTH_URL names the identity API (`https://iam.eu-de.otc.t-systems.com/v3`).
            let text = url.text.trim_end_matches('/');
            let text = text.strip_suffix("/v3").unwrap_or(text);
            let base = BaseUrl::parse(text)
                .map_err(|e| ConfigError::new(url.from.clone(), e.to_string()))?;
            endpoints = endpoints.with_override(Service::Iam, base);
        }
        for (service, url) in &self.endpoints {
            // IAM's endpoint is often written with its API version, as in OS_AUTH_URL.
            let text = match service {
                Some(Service::Iam) => {
                    let text = url.text.trim_end_matches('/');
                    text.strip_suffix("/v3").unwrap_or(text)
                }
                _ => url.text.as_str(),
            };
            let base = BaseUrl::parse(text)
                .map_err(|e| ConfigError::new(url.from.clone(), e.to_string()))?;
            endpoints = match service {
                Some(service) => endpoints.with_override(*service, base),
                None => Endpoints::all_at(region.clone(), base),
            };
        }
        let policy = self.policy;
        let retry = policy.retry;
        if retry.max_attempts == 0 {
            return Err(ConfigError::new(
                "ClientBuilder::retry",
                "max_attempts must be at least 1",
            ));
        }
        if retry.base > retry.cap {
            return Err(ConfigError::new(
                "ClientBuilder::retry",
                "base must not exceed cap",
            ));
        }
        if policy.timeout.is_zero() {
            return Err(ConfigError::new(
                "ClientBuilder::timeout",
                "must be more than zero",
            ));
        }
        if policy.connect_timeout.is_zero() {
            return Err(ConfigError::new(
                "ClientBuilder::connect_timeout",
                "must be more than zero",
            ));
        }
        if policy.max_response_bytes == 0 {
            return Err(ConfigError::new(
                "ClientBuilder::max_response_bytes",
                "must be more than zero",
            ));
        }
        let user_agent =
            match &self.user_agent {
                Some(ua) => Some(HeaderValue::from_str(&ua.text).map_err(|_| {
                    ConfigError::new(ua.from.clone(), "not valid in an HTTP header")
                })?),
                None => None,
            };
        let proxy = match &self.proxy {
            Some((url, no_proxy)) => Some(ProxySettings::parse(
                &url.text,
                no_proxy.clone(),
                url.from.clone(),
            )?),
            None => None,
        };
        Ok(Config {
            auth,
            project,
            endpoints,
            policy,
            signature_form: self.signature_form,
            user_agent,
            transport: TransportSettings {
                connect_timeout: policy.connect_timeout,
                timeout: policy.timeout,
                root_certificates: self.root_certificates.clone(),
                proxy,
                follow_redirects: false,
            },
        })
    }

    fn bad(&self, value: &Option<Value>, default: &str, problem: &str) -> ConfigError {
        let setting = value.as_ref().map_or(default, |v| v.from.as_str());
        ConfigError::new(setting, problem)
    }

    fn auth(&self) -> Result<Auth, ConfigError> {
        let missing = |name: &str, because: &Value| {
            ConfigError::new(name, format!("missing ({} is set)", because.from))
        };
        let aksk = match (&self.access_key, &self.secret_key) {
            (Some(ak), Some(sk)) => Some(match &self.security_token {
                Some(token) => AkSk::temporary(ak.text.clone(), sk.secret(), token.secret()),
                None => AkSk::new(ak.text.clone(), sk.secret()),
            }),
            (Some(ak), None) => return Err(missing("OS_SECRET_KEY", ak)),
            (None, Some(sk)) => return Err(missing("OS_ACCESS_KEY", sk)),
            (None, None) => {
                if let Some(token) = &self.security_token {
                    return Err(missing("OS_ACCESS_KEY", token));
                }
                None
            }
        };
        let password = match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                let domain = self
                    .user_domain_name
                    .as_ref()
                    .ok_or_else(|| missing("OS_USER_DOMAIN_NAME", user))?;
                Some(PasswordLogin {
                    user_name: user.text.clone(),
                    password: password.secret(),
                    domain_name: domain.text.clone(),
                })
            }
            (Some(user), None) => return Err(missing("OS_PASSWORD", user)),
            (None, Some(password)) => return Err(missing("OS_USERNAME", password)),
            (None, None) => None,
        };
        let chosen: Vec<&str> = [
            aksk.as_ref().and(self.access_key.as_ref()),
            self.auth_token.as_ref(),
            password.as_ref().and(self.username.as_ref()),
        ]
        .into_iter()
        .flatten()
        .map(|v| v.from.as_str())
        .collect();
        if let [first, second, ..] = chosen.as_slice() {
            return Err(ConfigError::new(
                *second,
                format!(
                    "contradicts {first}: set one kind of credentials (AK/SK, a token, or a password)"
                ),
            ));
        }
        if let Some(keys) = aksk {
            return Ok(Auth::Fixed(Credentials::AkSk(keys)));
        }
        if let Some(token) = &self.auth_token {
            return Ok(Auth::Fixed(Credentials::Token(token.secret())));
        }
        if let Some(login) = password {
            return Ok(Auth::Password(login));
        }
        Err(ConfigError::new(
            "OS_ACCESS_KEY",
            "no credentials: set OS_ACCESS_KEY and OS_SECRET_KEY, or OS_AUTH_TOKEN, or OS_USERNAME, OS_PASSWORD and OS_USER_DOMAIN_NAME",
        ))
    }
}
