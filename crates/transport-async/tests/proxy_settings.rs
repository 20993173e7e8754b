//! Both clients accept and refuse the same proxy URLs (the driver validates them once),
//! name the setting the URL came from, and never show its password.
#![allow(clippy::unwrap_used, clippy::panic)]

use otc_jobs_async::ConfigError;

const URLS: &[(&str, bool)] = &[
    ("http://proxy.test:3128", true),
    ("https://proxy.test", true),
    ("http://alice:hunter2@proxy.test:3128", true),
    ("http://alice:hunter2@[::1]:3128/", true),
    ("http://alice:hunter2@proxy.test:notaport", false),
    ("ftp://alice:hunter2@proxy.test:21", false),
    ("socks5://proxy.test:1080", false),
    ("alice:hunter2@proxy.test:3128", true),
    ("http://:3128", false),
];

fn blocking(url: &str) -> Result<otc_jobs_blocking::Client, ConfigError> {
    otc_jobs_blocking::Client::builder()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .proxy(url, Some("localhost".into()))
        .build()
}

fn nonblocking(url: &str) -> Result<otc_jobs_async::Client, ConfigError> {
    otc_jobs_async::Client::builder()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .proxy(url, Some("localhost".into()))
        .build()
}

#[tokio::test]
async fn both_clients_agree_on_proxy_urls() {
    for &(url, usable) in URLS {
        let (b, a) = (blocking(url), nonblocking(url));
        assert_eq!(b.is_ok(), usable, "blocking, {url}: {:?}", b.as_ref().err());
        assert_eq!(a.is_ok(), usable, "async, {url}: {:?}", a.as_ref().err());
        match (b, a) {
            (Ok(b), Ok(a)) => {
                for shown in [format!("{b:?}"), format!("{a:?}")] {
                    assert!(!shown.contains("hunter2"), "{shown}");
                }
            }
            (Err(b), Err(a)) => {
                assert_eq!(b, a);
                assert_eq!(b.setting(), "ClientBuilder::proxy");
                assert!(!b.to_string().contains("hunter2"), "{b}");
            }
            _ => unreachable!(),
        }
    }
}
