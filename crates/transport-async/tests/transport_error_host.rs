//! A failed DNS lookup says which host could not be found, in both clients.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use otc_jobs_async::RetryPolicy;

const BASE: &str = "http://no-such-host.invalid:8080";

#[tokio::test]
async fn dns_failures_name_the_host() {
    let blocking = otc_jobs_blocking::Client::builder()
        .token("t")
        .project_id("p")
        .base_url(BASE)
        .retry(RetryPolicy::NONE)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let nonblocking = otc_jobs_async::Client::builder()
        .token("t")
        .project_id("p")
        .base_url(BASE)
        .retry(RetryPolicy::NONE)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let b = tokio::task::spawn_blocking(move || blocking.delete_flink_job(1))
        .await
        .unwrap()
        .unwrap_err();
    let a = nonblocking.delete_flink_job(1).await.unwrap_err();
    for e in [b, a] {
        assert!(e.as_transport().is_some(), "{e}");
        assert!(e.to_string().contains("no-such-host.invalid"), "{e}");
    }
}
