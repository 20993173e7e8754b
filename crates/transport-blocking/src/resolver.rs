//! Name resolution without a thread per request.
//!
//! ureq's default resolver runs `getaddrinfo` on a new thread for every request whenever a
//! timeout is set (so that the lookup can be abandoned), even for `127.0.0.1` and even when
//! the connection then comes from the pool: a thread start per call, more CPU than the
//! rest of the call. Here an IP literal is its own address (no lookup at all), and a name
//! is looked up by ureq's resolver, with its timeout, then kept for a short while.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::Uri;
use ureq::config::Config;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up name is kept: short, so that a changed DNS answer (a moved load
/// balancer) is seen within seconds, yet long enough that a busy client looks a name up
/// about once per this period instead of once per request.
pub(crate) const KEEP_FOR: Duration = Duration::from_secs(10);

/// Names kept at most (a client talks to a handful of endpoints).
const CAPACITY: usize = 64;

/// A [`Resolver`]: IP literals pass through, names are cached for [`KEEP_FOR`].
#[derive(Debug)]
pub(crate) struct CachingResolver {
    /// Looks names up (ureq's resolver: it keeps the resolve timeout).
    lookup: Arc<dyn Resolver>,
    keep_for: Duration,
    /// `host:port` (as the URI writes it) → when it was looked up, its addresses.
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Default for CachingResolver {
    fn default() -> CachingResolver {
        CachingResolver::new(Arc::new(DefaultResolver::default()), KEEP_FOR)
    }
}

impl CachingResolver {
    fn new(lookup: Arc<dyn Resolver>, keep_for: Duration) -> CachingResolver {
        CachingResolver {
            lookup,
            keep_for,
            names: Mutex::new(HashMap::new()),
        }
    }
}

/// The port of `uri` (explicit, or its scheme's), for the schemes ureq connects to.
fn port_of(uri: &Uri) -> Option<u16> {
    let authority = uri.authority()?;
    authority.port_u16().or(match uri.scheme_str()? {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    })
}

/// The address of a host written as an IP literal (`127.0.0.1`, `[::1]`).
fn ip_literal(host: &str) -> Option<IpAddr> {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.parse().ok()
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(authority), Some(port)) = (uri.authority(), port_of(uri)) else {
            // Not a URL ureq can connect to: its resolver says why.
            return self.lookup.resolve(uri, config, timeout);
        };
        if let Some(ip) = ip_literal(authority.host()) {
            let mut addrs = self.empty();
            let family = config.ip_family();
            family
                .keep_wanted(std::iter::once(SocketAddr::new(ip, port)))
                .for_each(|addr| addrs.push(addr));
            return if addrs.is_empty() {
                Err(ureq::Error::HostNotFound)
            } else {
                Ok(addrs)
            };
        }
        let key = authority.as_str();
        let now = Instant::now();
        {
            let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
            let fresh = names
                .get(key)
                .filter(|(at, _)| now.saturating_duration_since(*at) < self.keep_for);
            if let Some((_, addrs)) = fresh {
                return Ok(addrs.clone());
            }
        }
        // Looked up outside the lock: a slow lookup must not hold up other names.
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if names.len() >= CAPACITY {
            names.retain(|_, (at, _)| now.saturating_duration_since(*at) < self.keep_for);
            if names.len() >= CAPACITY {
                names.clear();
            }
        }
        names.insert(key.to_owned(), (now, addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use ureq::Timeout;
    use ureq::unversioned::transport::time::Duration as UreqDuration;

    use super::*;

    /// A resolver that answers `10.0.0.7` for any name, counts its calls and records the
    /// timeout it was given.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        last_timeout: Mutex<Option<NextTimeout>>,
    }

    impl Resolver for Counting {
        fn resolve(
            &self,
            uri: &Uri,
            _config: &Config,
            timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            *self.last_timeout.lock().unwrap() = Some(timeout);
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new([10, 0, 0, 7].into(), port_of(uri).unwrap()));
            Ok(addrs)
        }
    }

    fn timeout(after: std::time::Duration) -> NextTimeout {
        NextTimeout {
            after: UreqDuration::from(after),
            reason: Timeout::Resolve,
            ..NextTimeout::default()
        }
    }

    fn resolve(
        resolver: &CachingResolver,
        uri: &str,
        after: std::time::Duration,
    ) -> Vec<SocketAddr> {
        let uri: Uri = uri.parse().unwrap();
        let addrs = resolver
            .resolve(&uri, &Config::default(), timeout(after))
            .unwrap();
        addrs.iter().copied().collect()
    }

    #[test]
    fn ip_literals_are_their_own_address_without_a_lookup() {
        let counting = Arc::new(Counting::default());
        let resolver = CachingResolver::new(counting.clone(), KEEP_FOR);
        // A zero timeout: any lookup (ureq's starts a thread) could not finish in time.
        let zero = std::time::Duration::ZERO;
        assert_eq!(
            resolve(
                &resolver,
                "http://127.0.0.1:8080/v1.0/p/streaming/jobs/1",
                zero
            ),
            ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/x", zero),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "http://10.1.2.3/", zero),
            ["10.1.2.3:80".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
        // The same with ureq's own lookup behind: still no thread, no timeout.
        let real = CachingResolver::default();
        assert_eq!(
            resolve(&real, "http://127.0.0.1:9/", zero),
            ["127.0.0.1:9".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn names_are_looked_up_with_the_timeout_and_kept_for_a_while() {
        let counting = Arc::new(Counting::default());
        let resolver = CachingResolver::new(counting.clone(), KEEP_FOR);
        let after = std::time::Duration::from_millis(1234);
        let first = resolve(&resolver, "https://dli.eu-de.otc.t-systems.com/v1.0", after);
        assert_eq!(first, ["10.0.0.7:443".parse::<SocketAddr>().unwrap()]);
        let given = counting.last_timeout.lock().unwrap().unwrap();
        assert_eq!(*given.after, after);
        assert_eq!(given.reason, Timeout::Resolve);
        // Kept: the second request does not look the name up again.
        let second = resolve(&resolver, "https://dli.eu-de.otc.t-systems.com/v2", after);
        assert_eq!(second, first);
        assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
        // Another port is another entry.
        resolve(
            &resolver,
            "https://dli.eu-de.otc.t-systems.com:8443/",
            after,
        );
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn names_are_looked_up_again_once_expired() {
        let counting = Arc::new(Counting::default());
        let resolver = CachingResolver::new(counting.clone(), std::time::Duration::ZERO);
        let after = std::time::Duration::from_secs(1);
        resolve(&resolver, "http://example.invalid/", after);
        resolve(&resolver, "http://example.invalid/", after);
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let counting = Arc::new(Counting::default());
        let resolver = CachingResolver::new(counting.clone(), KEEP_FOR);
        let after = std::time::Duration::from_secs(1);
        for i in 0..(CAPACITY * 3) {
            resolve(&resolver, &format!("http://host{i}.example/"), after);
        }
        assert!(resolver.names.lock().unwrap().len() <= CAPACITY);
    }

    #[test]
    fn a_real_name_resolves_through_ureq_with_its_timeout() {
        let resolver = CachingResolver::default();
        let addrs = resolve(
            &resolver,
            "http://localhost:8080/",
            std::time::Duration::from_secs(5),
        );
        assert!(!addrs.is_empty());
        assert!(
            addrs
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 8080)
        );
        // A name that cannot exist is an error, not a hang.
        let uri: Uri = "http://no-such-host.invalid/".parse().unwrap();
        let err = resolver
            .resolve(
                &uri,
                &Config::default(),
                timeout(std::time::Duration::from_secs(5)),
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                ureq::Error::HostNotFound | ureq::Error::Io(_) | ureq::Error::Timeout(_)
            ),
            "{err:?}"
        );
    }
}
