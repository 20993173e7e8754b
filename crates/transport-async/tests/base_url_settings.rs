//! Both clients refuse a base URL with a user name or password (the driver checks it once
//! for both): it would travel in every request's `Host` header. The error names the
//! setting and never shows the password.
#![allow(clippy::unwrap_used)]

use otc_jobs_driver::{ClientBuilder, ConfigError, FromConfig};

const WITH_USER: &str = "http://alice:hunter2@127.0.0.1:8080";

/// A client of kind `C` at `base_url`, configured alike for both.
fn client<C: FromConfig>(base_url: &str) -> Result<C, ConfigError> {
    ClientBuilder::<C>::new()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .base_url(base_url)
        .build()
}

#[test]
fn both_clients_refuse_a_base_url_with_a_password() {
    let blocking = client::<otc_jobs_blocking::Client>(WITH_USER).unwrap_err();
    let nonblocking = client::<otc_jobs_async::Client>(WITH_USER).unwrap_err();
    assert_eq!(blocking, nonblocking);
    assert!(!blocking.to_string().contains("hunter2"), "{blocking}");
    assert!(
        blocking.to_string().contains("user name or password"),
        "{blocking}"
    );
    // Without the user info, the same URL is taken.
    assert!(client::<otc_jobs_async::Client>("http://127.0.0.1:8080").is_ok());
}
