//! The admin API over HTTP, and the command line (`--seed`, the first line, SIGTERM).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{PID, api, call};
use otc_jobs_emulator::{AuthKind, Emulator, EmulatorConfig, RecordedRequest, SeedJob};
use serde_json::json;

#[test]
fn seed_and_list_jobs() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let jobs = [
        json!({"kind": "training_job", "job_id": 10}),
        json!({"kind": "training_job_version", "job_id": 10, "version_id": 2}),
        json!({"kind": "visualization_job", "job_id": 197}),
        json!({"kind": "flink_job", "job_id": 77}),
        json!({"kind": "job_execution", "job_execution_id": "669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3", "name": "n", "status": "RUNNING"}),
    ];
    for job in &jobs {
        let reply = call(&emulator, "POST", "/_emulator/jobs", &job.to_string());
        assert_eq!(reply.status, 201, "{}", reply.text());
        assert_eq!(reply.json(), *job);
    }
    // Seeded by the names the admin API took before, listed by the CLI's kind names.
    let renamed: Vec<serde_json::Value> = jobs
        .iter()
        .zip([
            "training-job-v1",
            "training-job-version-v1",
            "visualization-job-v1",
            "flink-job",
            "job-execution-v1",
        ])
        .map(|(job, kind)| {
            let mut job = job.clone();
            job["kind"] = json!(kind);
            job
        })
        .collect();
    let listed = call(&emulator, "GET", "/_emulator/jobs", "");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json(), json!(renamed));
    let typed: Vec<SeedJob> = serde_json::from_slice(&listed.body).unwrap();
    assert_eq!(typed, emulator.jobs());

    // An array at once; a version creates its job.
    emulator.reset();
    let batch = json!([{"kind": "training_job_version", "job_id": 5, "version_id": 1}, {"kind": "flink_job", "job_id": 1}]);
    assert_eq!(
        call(&emulator, "POST", "/_emulator/jobs", &batch.to_string()).status,
        201
    );
    assert_eq!(emulator.jobs().len(), 3);

    for bad in [
        json!({"kind": "flink_job"}),
        json!({"kind": "flink_job", "job_id": "x"}),
        json!({"kind": "cluster", "id": 1}),
        json!({"kind": "visualization_job", "job_id": "vis-0001"}),
    ] {
        let reply = call(&emulator, "POST", "/_emulator/jobs", &bad.to_string());
        assert_eq!(reply.status, 400, "{bad}");
    }
    // ModelArts job ids are numbers (Long on the pages); the refusal says so.
    let reply = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        r#"[{"kind": "visualization_job", "job_id": 1}, {"kind": "visualization_job", "job_id": "vis-0001"}]"#,
    );
    assert_eq!(reply.status, 400);
    let error = reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        error.contains(r#""vis-0001""#) && error.contains("a number"),
        "{error}"
    );
    // Digits in a string, as seeds once wrote visualization ids, are read as the number.
    let reply = call(
        &emulator,
        "POST",
        "/_emulator/jobs",
        r#"{"kind": "visualization_job", "job_id": "101"}"#,
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert!(emulator.jobs().contains(&SeedJob::visualization_job(101)));
    assert_eq!(call(&emulator, "POST", "/_emulator/jobs", "{").status, 400);
    assert_eq!(call(&emulator, "GET", "/_emulator/nothing", "").status, 404);
}

#[test]
fn requests_are_recorded_and_reset_forgets_everything() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.seed(SeedJob::flink_job(77));
    api(
        &emulator,
        "DELETE",
        &format!("/v1.0/{PID}/streaming/jobs/77?x=1"),
    );
    call(
        &emulator,
        "DELETE",
        &format!("/v1.0/{PID}/streaming/jobs/77"),
        "",
    );

    let reply = call(&emulator, "GET", "/_emulator/requests", "");
    assert_eq!(reply.status, 200);
    let recorded: Vec<RecordedRequest> = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(recorded, emulator.requests());
    assert_eq!(recorded.len(), 2, "admin requests are not recorded");
    let first = &recorded[0];
    assert_eq!(
        (first.method.as_str(), first.query.as_deref()),
        ("DELETE", Some("x=1"))
    );
    assert_eq!(first.path, format!("/v1.0/{PID}/streaming/jobs/77"));
    assert_eq!(
        (first.auth, first.signature_verified, first.status),
        (AuthKind::AkSk, Some(true), Some(200))
    );
    assert!(
        first
            .header("Authorization")
            .unwrap()
            .starts_with("SDK-HMAC-SHA256 Access=")
    );
    assert!(first.body.contains("successfully deleted"));
    let second = &recorded[1];
    assert_eq!(
        (second.auth, second.signature_verified, second.status),
        (AuthKind::None, None, Some(401))
    );
    assert_eq!(second.error_code.as_deref(), Some("APIG.0301"));
    // The JSON shape.
    let raw = reply.json();
    assert_eq!(raw[0]["auth"], "ak_sk");
    assert_eq!(raw[0]["signature_verified"], true);
    assert!(raw[0]["headers"][0].as_array().unwrap().len() == 2);

    assert_eq!(
        call(&emulator, "DELETE", "/_emulator/requests", "").status,
        204
    );
    assert!(emulator.requests().is_empty());
    emulator.seed(SeedJob::flink_job(1));
    emulator.add_fault(otc_jobs_emulator::Fault::new(
        "GET",
        "*",
        otc_jobs_emulator::FaultAction::Close {
            after_processing: false,
        },
    ));
    assert_eq!(call(&emulator, "POST", "/_emulator/reset", "").status, 204);
    assert!(emulator.jobs().is_empty());
    assert_eq!(
        api(&emulator, "GET", &format!("/v1.0/{PID}/streaming/jobs")).status,
        200,
        "faults are gone"
    );
}

#[test]
fn the_request_log_is_bounded() {
    let emulator = Emulator::start(EmulatorConfig {
        max_recorded_requests: 3,
        ..EmulatorConfig::default()
    })
    .unwrap();
    for i in 0..5 {
        api(
            &emulator,
            "GET",
            &format!("/v1.0/{PID}/streaming/jobs?i={i}"),
        );
    }
    let queries: Vec<String> = emulator
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .collect();
    assert_eq!(queries, ["i=2", "i=3", "i=4"]);
}

/// Starts the binary with `args`; returns it and the loopback address of its first line,
/// `listening on SCHEME://ADDR`.
fn start_binary(
    args: &[std::ffi::OsString],
    scheme: &str,
) -> (std::process::Child, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_otc-jobs-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr: std::net::SocketAddr = first
        .trim_end()
        .strip_prefix(&format!("listening on {scheme}://"))
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());
    (child, addr)
}

#[test]
fn the_binary_seeds_prints_its_address_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("otc-jobs-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, json!([{"kind": "flink_job", "job_id": 77}, {"kind": "job_execution", "job_execution_id": "e"}]).to_string()).unwrap();
    let mut args: Vec<std::ffi::OsString> = [
        "--listen",
        "127.0.0.1:0",
        "--project-id",
        "p1",
        "--ak",
        "AK1",
        "--sk",
        "SK1",
        "--token",
        "T1",
        "--delete-delay-ms",
        "0",
        "--seed",
    ]
    .map(Into::into)
    .into();
    args.push(seed.clone().into());
    let (mut child, addr) = start_binary(&args, "http");

    // Seeded, and the token and project are the ones given.
    let mut conn = common::Conn::open(addr);
    let request = http::Request::builder()
        .uri(format!("http://{addr}/v1.0/p1/streaming/jobs/77"))
        .header("x-auth-token", "T1")
        .body(Vec::new())
        .unwrap();
    assert_eq!(conn.send(&request).reply().status, 200);
    let jobs = http::Request::builder()
        .uri(format!("http://{addr}/_emulator/jobs"))
        .body(Vec::new())
        .unwrap();
    assert_eq!(conn.send(&jobs).reply().json().as_array().unwrap().len(), 2);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_binary_seeds_samples_of_every_kind_over_90_days() {
    let args: Vec<std::ffi::OsString> = ["--listen", "127.0.0.1:0", "--seed-samples"]
        .map(Into::into)
        .into();
    let (mut child, addr) = start_binary(&args, "http");
    let mut conn = common::Conn::open(addr);
    let jobs = http::Request::builder()
        .uri(format!("http://{addr}/_emulator/jobs"))
        .body(Vec::new())
        .unwrap();
    let listed = conn.send(&jobs).reply().json();
    let listed = listed.as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        listed.iter().filter_map(|j| j["kind"].as_str()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "flink-job",
            "flink-template",
            "job-binary-v1",
            "job-execution",
            "job-execution-v1",
            "job-v1",
            "spark-job",
            "sql-job",
            "training-config-v1",
            "training-job",
            "training-job-v1",
            "training-job-version-v1",
            "visualization-job-v1",
        ]
    );
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let day = 86_400_000;
    let ages: Vec<u64> = listed
        .iter()
        .filter_map(|j| j["create_time"].as_u64())
        .map(|t| now_ms.saturating_sub(t))
        .collect();
    assert_eq!(
        ages.len(),
        listed.len(),
        "every sample has its creation time"
    );
    assert!(ages.iter().all(|a| *a <= 90 * day + 60_000), "{ages:?}");
    assert!(ages.iter().any(|a| *a > 30 * day) && ages.iter().any(|a| *a < 30 * day));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
fn the_binary_refuses_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs-emulator"))
        .args(["--ak", "AK"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pairs"));
    let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs-emulator"))
        .args(["--seed", "/nonexistent/seed.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let help = Command::new(env!("CARGO_BIN_EXE_otc-jobs-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--delete-delay-ms"));
    // Every default in full, the example secret key included.
    for default in [
        otc_jobs_emulator::DEFAULT_SECRET_KEY,
        otc_jobs_emulator::DEFAULT_ACCESS_KEY,
        otc_jobs_emulator::DEFAULT_PROJECT_ID,
        "127.0.0.1:0",
        "86400",
    ] {
        assert!(text.contains(default), "--help lacks {default}");
    }
}

#[test]
fn the_binary_prints_its_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_otc-jobs-emulator"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        format!("otc-jobs-emulator {}", env!("CARGO_PKG_VERSION"))
    );
}

/// The handlers are installed before the first line: a SIGTERM sent the moment it is read
/// stops the emulator cleanly, every time.
#[test]
fn a_sigterm_right_after_the_first_line_stops_the_binary_cleanly() {
    for run in 0..20 {
        let (mut child, _) = start_binary(&[], "http");
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().ok();
                panic!("run {run}: still running 10 s after SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert!(status.success(), "run {run}: {status:?}");
    }
}

#[test]
fn the_binary_serves_https_with_tls_and_writes_its_ca() {
    let dir = std::env::temp_dir().join(format!("otc-jobs-emulator-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut args: Vec<std::ffi::OsString> = ["--listen", "127.0.0.1:0", "--tls", "--ca-out"]
        .map(Into::into)
        .into();
    args.push(ca.clone().into());
    let (mut child, addr) = start_binary(&args, "https");
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // It speaks TLS: a plain HTTP request gets no HTTP answer.
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /_emulator/jobs HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut answer);
    assert!(
        !answer.starts_with(b"HTTP/1.1"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
}

#[test]
fn usable_from_async_code() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
        emulator.seed(SeedJob::flink_job(1));
        let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
            .await
            .unwrap();
        stream
            .write_all(
                b"GET /_emulator/jobs HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            answer.ends_with(r#"[{"job_id":1,"kind":"flink-job"}]"#),
            "{answer}"
        );
        // Dropping inside async code stops the server without panicking.
        drop(emulator);
    });
}

// The gateway's throttling: 429 APIG.0308 per (project, service), set and read over the
// admin API while running.
#[test]
fn the_rate_limit_throttles_per_service_and_changes_while_running() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let flink = format!("/v1.0/{PID}/streaming/jobs");
    let mrs = format!("/v1.1/{PID}/job-executions");
    let limit = json!({"limit": 2, "per_seconds": 60});
    let reply = call(
        &emulator,
        "PUT",
        "/_emulator/rate-limit",
        &limit.to_string(),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    for _ in 0..2 {
        assert_eq!(api(&emulator, "GET", &flink).status, 200);
    }
    let refused = api(&emulator, "GET", &flink);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error_code"], "APIG.0308");
    assert!(refused.header("retry-after").is_none());
    // MRS has its own bucket.
    assert_eq!(api(&emulator, "GET", &mrs).status, 200);
    let counts = call(&emulator, "GET", "/_emulator/rate-limit", "").json();
    assert_eq!(
        counts,
        json!({"limit": {"limit": 2, "per_seconds": 60}, "passed": 3, "throttled": 1})
    );
    // A new limit applies at once, with Retry-After when asked for.
    let limit = json!({"limit": 1, "per_seconds": 1, "retry_after_s": 3});
    call(
        &emulator,
        "PUT",
        "/_emulator/rate-limit",
        &limit.to_string(),
    );
    assert_eq!(api(&emulator, "GET", &flink).status, 200);
    let refused = api(&emulator, "GET", &flink);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("3"));
    // Refused: a limit of 0, a period other than a second or a minute.
    for bad in [
        json!({"limit": 0}),
        json!({"limit": 5, "per_seconds": 7}),
        json!("x"),
    ] {
        let reply = call(&emulator, "PUT", "/_emulator/rate-limit", &bad.to_string());
        assert_eq!(reply.status, 400, "{bad}");
    }
    assert_eq!(
        call(&emulator, "DELETE", "/_emulator/rate-limit", "").status,
        204
    );
    for _ in 0..5 {
        assert_eq!(api(&emulator, "GET", &flink).status, 200);
    }
    assert_eq!(emulator.gateway_counts().limit, None);
}
