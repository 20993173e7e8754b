//! Where requests go: regions and services to base URLs, with per-service overrides.

use std::fmt;

use crate::error::BuildError;
use crate::service::Service;

/// An OTC region name, e.g. `eu-de`.
///
/// ```
/// use otc_jobs_core::Region;
/// assert_eq!(Region::EU_NL.as_str(), "eu-nl");
/// assert_eq!(Region::new("eu-ch2").as_str(), "eu-ch2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(std::borrow::Cow<'static, str>);

impl Region {
    /// Germany (`eu-de`).
    pub const EU_DE: Region = Region(std::borrow::Cow::Borrowed("eu-de"));
    /// Netherlands (`eu-nl`).
    pub const EU_NL: Region = Region(std::borrow::Cow::Borrowed("eu-nl"));
    /// Switzerland (`eu-ch2`), served from the `sc.otc.t-systems.com` domain.
    pub const EU_CH2: Region = Region(std::borrow::Cow::Borrowed("eu-ch2"));

    /// The regions OTC serves, whose public endpoints [`Region::default_base_url`] knows.
    ///
    /// ```
    /// use otc_jobs_core::Region;
    /// assert!(Region::KNOWN.contains(&Region::new("eu-nl")));
    /// assert!(!Region::KNOWN.contains(&Region::new("eu-xx")));
    /// ```
    pub const KNOWN: &'static [Region] = &[Region::EU_DE, Region::EU_NL, Region::EU_CH2];

    /// Any region by name; unknown names follow the `eu-de` pattern.
    pub fn new(name: impl Into<String>) -> Region {
        Region(std::borrow::Cow::Owned(name.into()))
    }

    /// The region name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The DNS domain of the region's public endpoints.
    fn domain(&self) -> &'static str {
        if self.as_str() == "eu-ch2" {
            "sc.otc.t-systems.com"
        } else {
            "otc.t-systems.com"
        }
    }

    /// The default base URL of `service` in this region.
    ///
    /// ```
    /// use otc_jobs_core::{Region, Service};
    /// assert_eq!(Region::EU_DE.default_base_url(Service::Mrs).as_str(), "https://mrs.eu-de.otc.t-systems.com");
    /// assert_eq!(Region::EU_CH2.default_base_url(Service::Dli).as_str(), "https://dli.eu-ch2.sc.otc.t-systems.com");
    /// assert_eq!(Region::EU_CH2.default_base_url(Service::Iam).as_str(), "https://iam-pub.eu-ch2.sc.otc.t-systems.com");
    /// ```
    pub fn default_base_url(&self, service: Service) -> BaseUrl {
        // IAM in eu-ch2 is published under its own name.
        let label = match (service, self.as_str()) {
            (Service::Iam, "eu-ch2") => "iam-pub",
            _ => service.host_label(),
        };
        BaseUrl::from_text(format!(
            "https://{label}.{}.{}",
            self.as_str(),
            self.domain()
        ))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A base URL requests are sent to: scheme, authority and an optional path prefix, with no
/// trailing slash, query or fragment.
///
/// ```
/// use otc_jobs_core::BaseUrl;
/// let url = BaseUrl::parse("http://127.0.0.1:8080/prefix/")?;
/// assert_eq!(url.as_str(), "http://127.0.0.1:8080/prefix");
/// assert!(BaseUrl::parse("ftp://example.com").is_err());
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
#[derive(Clone)]
pub struct BaseUrl {
    text: String,
    /// The text's scheme, authority and `Host` value, parsed once: every request's URI is
    /// put together from them. `None` for a default URL of a region name that makes no
    /// URL (building a request then says so).
    parsed: Option<Parsed>,
}

/// What every request to a base URL shares.
#[derive(Clone)]
struct Parsed {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    host: http::HeaderValue,
    /// Whether `host` is its own canonical form for signing (an authority always is).
    host_canonical: bool,
    /// Where the path prefix starts in the text.
    path_start: usize,
}

impl BaseUrl {
    /// Checks and normalises a base URL (`http` or `https`, a host, no user name or
    /// password, no query or fragment).
    pub fn parse(url: &str) -> Result<BaseUrl, BuildError> {
        let invalid = |why: &str| BuildError::InvalidEndpoint(format!("{url:?}: {why}"));
        let uri: http::Uri = url.parse().map_err(|_| invalid("not a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(invalid("the scheme must be http or https")),
        }
        if uri.authority().is_none_or(|a| a.host().is_empty()) {
            return Err(invalid("no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(invalid("a base URL has no query or fragment"));
        }
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            // It would travel in every request's Host header (and show wherever the URL
            // is shown): requests are signed, never authenticated by the URL.
            return Err(BuildError::InvalidEndpoint(
                "a base URL has no user name or password".to_owned(),
            ));
        }
        Ok(BaseUrl::from_text(url.trim_end_matches('/').to_owned()))
    }

    /// A base URL from text already checked (or a region's default).
    fn from_text(text: String) -> BaseUrl {
        let parsed = (|| {
            let uri: http::Uri = text.parse().ok()?;
            let authority = uri.authority()?.clone();
            let host = http::HeaderValue::from_str(authority.as_str()).ok()?;
            let path_start = text.find("://")? + 3 + authority.as_str().len();
            Some(Parsed {
                scheme: uri.scheme()?.clone(),
                authority,
                host_canonical: crate::auth::canonical::value_is_canonical(host.as_bytes()),
                host,
                path_start,
            })
        })();
        BaseUrl { text, parsed }
    }

    /// The URL text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path prefix (`""`, or e.g. `"/prefix"`) that every request path follows.
    pub(crate) fn path_prefix(&self) -> &str {
        self.parsed
            .as_ref()
            .and_then(|p| self.text.get(p.path_start..))
            .unwrap_or("")
    }

    /// The `Host` header value of requests to this URL.
    pub(crate) fn host(&self) -> Option<&http::HeaderValue> {
        self.parsed.as_ref().map(|p| &p.host)
    }

    /// Whether [`BaseUrl::host`] is its own canonical form for signing (checked once).
    pub(crate) fn host_is_canonical(&self) -> bool {
        self.parsed.as_ref().is_some_and(|p| p.host_canonical)
    }

    /// The URI of `path_and_query` (which starts with [`BaseUrl::path_prefix`]) at this
    /// base URL.
    pub(crate) fn uri(&self, path_and_query: String) -> Result<http::Uri, BuildError> {
        let invalid = |e: &dyn fmt::Display| BuildError::InvalidUri(e.to_string());
        let Some(parsed) = &self.parsed else {
            // Said by the URI parser, as for any URL that does not parse.
            let url = format!("{}{}", self.text, path_and_query);
            return http::Uri::try_from(url).map_err(|e| invalid(&e));
        };
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(parsed.scheme.clone());
        parts.authority = Some(parsed.authority.clone());
        parts.path_and_query =
            Some(http::uri::PathAndQuery::try_from(path_and_query).map_err(|e| invalid(&e))?);
        http::Uri::from_parts(parts).map_err(|e| invalid(&e))
    }
}

impl PartialEq for BaseUrl {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for BaseUrl {}

impl std::hash::Hash for BaseUrl {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.text).finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The base URL of every service: a region's defaults, with per-service overrides.
///
/// ```
/// use otc_jobs_core::{BaseUrl, Endpoints, Region, Service};
/// let endpoints = Endpoints::new(Region::EU_NL)
///     .with_override(Service::Dli, BaseUrl::parse("http://127.0.0.1:9000")?);
/// assert_eq!(endpoints.base_url(Service::Dli).as_str(), "http://127.0.0.1:9000");
/// assert_eq!(endpoints.base_url(Service::Mrs).as_str(), "https://mrs.eu-nl.otc.t-systems.com");
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    region: Region,
    /// One base URL per service, indexed by [`Service::index`].
    resolved: [BaseUrl; Service::ALL.len()],
}

impl Endpoints {
    /// The public endpoints of `region`.
    pub fn new(region: Region) -> Endpoints {
        let resolved = Service::ALL.map(|s| region.default_base_url(s));
        Endpoints { region, resolved }
    }

    /// Every service at one base URL (an emulator, a proxy); the region still names the
    /// signing scope.
    pub fn all_at(region: Region, base: BaseUrl) -> Endpoints {
        let resolved = Service::ALL.map(|_| base.clone());
        Endpoints { region, resolved }
    }

    /// Sends `service` to `base` instead of the region's default.
    pub fn with_override(mut self, service: Service, base: BaseUrl) -> Endpoints {
        self.resolved[service.index()] = base;
        self
    }

    /// The same endpoints for `region`: each service at the region's default moves to
    /// `region`'s default, an override (an emulator, a proxy) stays, and `region` names
    /// the signing scope.
    ///
    /// ```
    /// use otc_jobs_core::{BaseUrl, Endpoints, Region, Service};
    /// let eu_de = Endpoints::new(Region::EU_DE)
    ///     .with_override(Service::Dli, BaseUrl::parse("http://127.0.0.1:9000")?);
    /// let eu_nl = eu_de.in_region(Region::EU_NL);
    /// assert_eq!(eu_nl.region(), &Region::EU_NL);
    /// assert_eq!(eu_nl.base_url(Service::Mrs).as_str(), "https://mrs.eu-nl.otc.t-systems.com");
    /// assert_eq!(eu_nl.base_url(Service::Dli).as_str(), "http://127.0.0.1:9000");
    /// # Ok::<(), otc_jobs_core::BuildError>(())
    /// ```
    pub fn in_region(&self, region: Region) -> Endpoints {
        let resolved = Service::ALL.map(|s| {
            let base = self.base_url(s);
            if *base == self.region.default_base_url(s) {
                region.default_base_url(s)
            } else {
                base.clone()
            }
        });
        Endpoints { region, resolved }
    }

    /// The region.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The base URL for `service`.
    pub fn base_url(&self, service: Service) -> &BaseUrl {
        &self.resolved[service.index()]
    }
}

/// What a request is for: the endpoints and the project it acts in.
///
/// ```
/// use otc_jobs_core::{Endpoints, Region, Target};
/// let endpoints = Endpoints::new(Region::EU_DE);
/// let target = Target::new(&endpoints, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
/// assert_eq!(target.project_id(), "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    endpoints: &'a Endpoints,
    project_id: &'a str,
}

impl<'a> Target<'a> {
    /// A target in `project_id` reached through `endpoints`.
    pub fn new(endpoints: &'a Endpoints, project_id: &'a str) -> Target<'a> {
        Target {
            endpoints,
            project_id,
        }
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &'a Endpoints {
        self.endpoints
    }

    /// The project id.
    pub fn project_id(&self) -> &'a str {
        self.project_id
    }
}
