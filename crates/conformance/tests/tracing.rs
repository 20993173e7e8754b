//! Tracing: both clients record an `otc_jobs.call` span per call and an `otc_jobs.attempt`
//! span per attempt (operation, attempt, status, request id, duration), and never a
//! secret: not the secret key, the security token, the password, nor any IAM token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use otc_jobs_conformance::{ClientSpec, Credentials, TEMPORARY, TOKEN, USER, emulator};
use otc_jobs_emulator::{DEFAULT_SECRET_KEY, Emulator, SeedJob};
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything the subscriber writes, for inspection.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `f` with a subscriber that records every span (with its fields, when it closes)
/// and every event at TRACE level, and returns what it wrote.
fn traced(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    captured.text()
}

/// The IAM tokens the emulator saw in use (issued to the password login, or fixed).
fn tokens_seen(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .iter()
        .filter_map(|r| r.header("x-auth-token").map(str::to_owned))
        .collect()
}

fn assert_no_secret(log: &str, emulator: &Emulator) {
    let mut secrets = vec![
        DEFAULT_SECRET_KEY.to_owned(),
        TEMPORARY.1.to_owned(),
        TEMPORARY.2.to_owned(),
        USER.1.to_owned(),
        TOKEN.to_owned(),
    ];
    secrets.extend(tokens_seen(emulator));
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret ({} chars) is in the trace:\n{log}",
            secret.len()
        );
    }
}

fn assert_spans(log: &str) {
    // Each field once per span, also on calls that failed.
    for line in log.lines() {
        if let Some(fields) = line.split("otc_jobs.call{").nth(1) {
            let fields = fields.split('}').next().unwrap_or_default();
            for field in ["status=", "request_id="] {
                assert!(fields.matches(field).count() <= 1, "{field} twice: {line}");
            }
        }
    }
    for needle in [
        "otc_jobs.call",
        "otc_jobs.attempt",
        "operation=\"DeleteFlinkJob\"",
        "method=\"DELETE\"",
        "path=\"/v1.0/",
        "attempt=1",
        "status=200",
        "request_id=",
        "duration_ms=",
    ] {
        assert!(
            log.contains(needle),
            "{needle:?} is not in the trace:\n{log}"
        );
    }
}

#[test]
fn blocking_client_traces_calls_and_attempts_without_secrets() {
    let emulator = emulator().unwrap();
    emulator.seed(SeedJob::flink_job(1));
    emulator.seed(SeedJob::flink_job(2));
    emulator.seed(SeedJob::flink_job(3));
    let log = traced(|| {
        for (credentials, job) in [
            (Credentials::AkSk, 1),
            (Credentials::Temporary, 2),
            (Credentials::Password, 3),
        ] {
            let spec = ClientSpec {
                credentials,
                ..ClientSpec::default()
            };
            let client = spec
                .builder::<otc_jobs_blocking::Client>(&emulator)
                .build()
                .unwrap();
            client.delete_flink_job(job).unwrap();
            // Deleting again fails: the error is traced too, still without secrets.
            assert!(client.delete_flink_job(job).unwrap_err().is_not_found());
        }
    });
    assert_spans(&log);
    assert!(
        log.contains("request=\"iam_token\""),
        "the password login is traced:\n{log}"
    );
    assert!(
        !tokens_seen(&emulator).is_empty(),
        "the password client used a token"
    );
    assert_no_secret(&log, &emulator);
}

#[test]
fn async_client_traces_calls_and_attempts_without_secrets() {
    let emulator = emulator().unwrap();
    emulator.seed(SeedJob::flink_job(1));
    emulator.seed(SeedJob::flink_job(2));
    let log = traced(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            for (credentials, job) in [(Credentials::Token, 1), (Credentials::Password, 2)] {
                let spec = ClientSpec {
                    credentials,
                    ..ClientSpec::default()
                };
                let client = spec
                    .builder::<otc_jobs_async::Client>(&emulator)
                    .build()
                    .unwrap();
                client.delete_flink_job(job).await.unwrap();
                assert!(
                    client
                        .delete_flink_job(job)
                        .await
                        .unwrap_err()
                        .is_not_found()
                );
            }
        });
    });
    assert_spans(&log);
    assert_no_secret(&log, &emulator);
}
