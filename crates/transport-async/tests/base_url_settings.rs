//! Both clients refuse a base URL with a user name or password (the driver checks it once
//! for both): it would travel in every request's `Host` header. The error names the
//! setting and never shows the password.
#![allow(clippy::unwrap_used)]

const WITH_USER: &str = "http://alice:hunter2@127.0.0.1:8080";

#[test]
fn both_clients_refuse_a_base_url_with_a_password() {
    let blocking = otc_jobs_blocking::Client::builder()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .base_url(WITH_USER)
        .build()
        .unwrap_err();
    let nonblocking = otc_jobs_async::Client::builder()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .base_url(WITH_USER)
        .build()
        .unwrap_err();
    assert_eq!(blocking, nonblocking);
    assert!(!blocking.to_string().contains("hunter2"), "{blocking}");
    assert!(
        blocking.to_string().contains("user name or password"),
        "{blocking}"
    );
    // Without the user info, the same URL is taken.
    assert!(
        otc_jobs_async::Client::builder()
            .token("t")
            .project_id("p")
            .region("eu-de")
            .base_url("http://127.0.0.1:8080")
            .build()
            .is_ok()
    );
}
