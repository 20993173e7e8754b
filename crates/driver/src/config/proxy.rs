//! The proxy: its URL validated once here, for both clients (which HTTP library would
//! otherwise decide what a proxy URL may look like), and shown without its password.

use std::fmt;

use otc_jobs_core::auth::SecretString;
use percent_encoding::percent_decode_str;

use super::ConfigError;

/// The kind of proxy: both clients support HTTP and HTTPS proxies (`CONNECT` tunnels for
/// `https://` endpoints); SOCKS is not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyScheme {
    /// `http://`: the client speaks plain HTTP to the proxy.
    Http,
    /// `https://`: the client speaks TLS to the proxy.
    Https,
}

impl ProxyScheme {
    /// The port used when the URL names none (80, 443).
    pub fn default_port(self) -> u16 {
        match self {
            ProxyScheme::Http => 80,
            ProxyScheme::Https => 443,
        }
    }
}

/// The proxy requests go through, validated: `http://` or `https://` (none means
/// `http://`), a host, a numeric port if any, optional `user:password@` (percent-decoded),
/// no path.
///
/// Its `Debug` hides the password:
///
/// ```
/// use otc_jobs_driver::{ClientBuilder, Config, ConfigError};
/// let config = ClientBuilder::<Config>::new()
///     .token("t")
///     .project_id("p")
///     .region("eu-de")
///     .proxy("http://alice:s3cr%40t@proxy.example:3128", Some("localhost".into()))
///     .build()?;
/// let proxy = config.transport().proxy.as_ref().unwrap();
/// assert_eq!((proxy.host(), proxy.port()), ("proxy.example", 3128));
/// assert_eq!(proxy.password().map(|p| p.expose()), Some("s3cr@t"));
/// assert!(!format!("{config:?}").contains("s3cr"));
///
/// let err = ClientBuilder::<Config>::new()
///     .token("t").project_id("p").region("eu-de")
///     .proxy("http://proxy.example:notaport", None)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.setting(), "ClientBuilder::proxy");
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxySettings {
    url: String,
    scheme: ProxyScheme,
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<SecretString>,
    no_proxy: Option<String>,
    setting: String,
}

impl ProxySettings {
    /// Validates `url` (from `setting`, named in the error), with the hosts that bypass it.
    pub fn parse(
        url: &str,
        no_proxy: Option<String>,
        setting: impl Into<String>,
    ) -> Result<ProxySettings, ConfigError> {
        let setting = setting.into();
        let url = url.trim();
        let invalid = |why: &str| {
            ConfigError::new(
                setting.clone(),
                format!("not a usable proxy URL ({}): {why}", redact(url)),
            )
        };
        // `proxy.example:3128` means `http://proxy.example:3128`, as for curl.
        let url = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("no scheme: write http://HOST:PORT"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => ProxyScheme::Http,
            "https" => ProxyScheme::Https,
            other => {
                return Err(invalid(&format!(
                    "the scheme {other} is not supported (http or https)"
                )));
            }
        };
        let (authority, path) = rest
            .find(['/', '?', '#'])
            .map_or((rest, ""), |at| rest.split_at(at));
        if !path.is_empty() && path != "/" {
            return Err(invalid("a proxy URL has no path"));
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport).map_err(&invalid)?;
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let decode = |text: &str| {
            percent_decode_str(text)
                .decode_utf8()
                .map(|t| t.into_owned())
                .map_err(|_| invalid("the user or password is not UTF-8 once decoded"))
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, password) = match info.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (info, None),
                };
                let password = password.map(decode).transpose()?.map(SecretString::new);
                (Some(decode(user)?), password)
            }
        };
        Ok(ProxySettings {
            url: url.clone(),
            scheme,
            host: host.to_owned(),
            port: port.unwrap_or(scheme.default_port()),
            username,
            password,
            no_proxy: no_proxy.filter(|n| !n.trim().is_empty()),
            setting,
        })
    }

    /// The URL as given, with `http://` in front when it had no scheme (and with its
    /// credentials, if any: do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// HTTP or HTTPS.
    pub fn scheme(&self) -> ProxyScheme {
        self.scheme
    }

    /// The host (an IPv6 address without its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (the scheme's default when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name, percent-decoded.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The password, percent-decoded.
    pub fn password(&self) -> Option<&SecretString> {
        self.password.as_ref()
    }

    /// Hosts that bypass the proxy, in `NO_PROXY` syntax (comma separated).
    pub fn no_proxy(&self) -> Option<&str> {
        self.no_proxy.as_deref()
    }

    /// The setting the proxy came from (`HTTPS_PROXY`, `ClientBuilder::proxy`), for errors
    /// about it.
    pub fn setting(&self) -> &str {
        &self.setting
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySettings")
            .field("url", &redact(&self.url))
            .field("no_proxy", &self.no_proxy)
            .field("setting", &self.setting)
            .finish()
    }
}

/// `host[:port]` or `[v6]` `[:port]`; the port, when present, must be a number below 65536.
fn split_host_port(hostport: &str) -> Result<(&str, Option<u16>), &'static str> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("an unclosed [ in the host")?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or("junk after the ] of the host")?,
                ),
            ),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) if port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(port.parse().map_err(|_| "the port is above 65535")?)
        }
        Some(_) => return Err("the port is not a number"),
    };
    if host.contains(['@', ' ', '[', ']']) {
        return Err("the host is not valid");
    }
    Ok((host, port))
}

/// The URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // No scheme: a `user:password@` part cannot be told apart; show nothing of it.
        return match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        };
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<ProxySettings, ConfigError> {
        ProxySettings::parse(url, None, "HTTPS_PROXY")
    }

    #[test]
    fn accepts_what_both_clients_can_use() {
        let p = parse("http://proxy.test:3128").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.scheme(), p.host(), p.port(), p.username()),
            (ProxyScheme::Http, "proxy.test", 3128, None)
        );
        let p = parse("https://u%20x:p%3Aw@[::1]/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.scheme(), p.host(), p.port()),
            (ProxyScheme::Https, "::1", 443)
        );
        assert_eq!(p.username(), Some("u x"));
        assert_eq!(p.password().map(|s| s.expose()), Some("p:w"));
        let p = parse("HTTP://proxy.test").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.port(), 80);
        let p = parse("proxy.test:3128").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.url(), p.scheme(), p.port()),
            ("http://proxy.test:3128", ProxyScheme::Http, 3128)
        );
    }

    #[test]
    fn refuses_the_rest_naming_the_setting_and_hiding_the_password() {
        for (url, why) in [
            ("http://u:pw@host:notaport", "the port is not a number"),
            ("http://host:99999", "the port is above 65535"),
            ("ftp://host:21", "the scheme ftp is not supported"),
            ("socks5://host:1080", "the scheme socks5 is not supported"),
            ("http://:3128", "no host"),
            ("http://host:3128/path", "no path"),
            ("http://[::1:3128", "unclosed"),
        ] {
            let e = parse(url).err().unwrap_or_else(|| panic!("{url} accepted"));
            assert_eq!(e.setting(), "HTTPS_PROXY");
            assert!(e.problem().contains(why), "{url}: {e}");
            assert!(!e.problem().contains("pw"), "{e}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let p = parse("http://alice:hunter2@proxy.test:3128").unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{p:?}");
        assert!(
            shown.contains("http://alice:***@proxy.test:3128") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert_eq!(redact("alice:hunter2@proxy"), "***@proxy");
    }
}
