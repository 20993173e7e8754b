//! How many deletes per second the emulator serves on loopback.
//!
//! Seeds `OTC_BENCH_JOBS` DLI Flink jobs (default 40 000), signs one `DELETE` per job up
//! front (AK/SK, `Access=` form, so signing costs the client nothing during the run), then
//! sends them over `OTC_BENCH_CONNECTIONS` keep-alive connections (default 4), one thread
//! each, and prints deletes per second (`OTC_BENCH_SERVER_THREADS` sets the emulator's
//! worker threads, default 1). Every answer must be 200 and every job gone.
//!
//! `cargo bench -p otc-jobs-benches --bench emulator_throughput`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Instant, SystemTime};

use otc_jobs_core::UtcTime;
use otc_jobs_core::auth::{AkSk, Credentials, SigningParams, sign};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The request as bytes on the wire.
fn wire(request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let mut out =
        format!("{} {} HTTP/1.1\r\n", request.method(), request.uri().path()).into_bytes();
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Reads one answer; returns its status.
fn read_answer(reader: &mut BufReader<TcpStream>, line: &mut String, body: &mut Vec<u8>) -> u16 {
    line.clear();
    reader.read_line(line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    body.resize(length, 0);
    reader.read_exact(body).unwrap();
    status
}

fn main() {
    let jobs = env_or("OTC_BENCH_JOBS", 40_000);
    let connections = env_or("OTC_BENCH_CONNECTIONS", 4).max(1);
    let threads = env_or(
        "OTC_BENCH_SERVER_THREADS",
        EmulatorConfig::default().worker_threads,
    );
    let emulator = Emulator::start(EmulatorConfig {
        worker_threads: threads,
        ..EmulatorConfig::default()
    })
    .unwrap();
    for id in 0..jobs as u64 {
        emulator.seed(SeedJob::flink_job(id));
    }

    let credentials = Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY));
    let time = UtcTime::from_system_time(SystemTime::now());
    let signed: Vec<Vec<u8>> = (0..jobs)
        .map(|id| {
            let mut request = http::Request::builder()
                .method("DELETE")
                .uri(format!(
                    "{}/v1.0/{DEFAULT_PROJECT_ID}/streaming/jobs/{id}",
                    emulator.base_url()
                ))
                .header("content-type", "application/json")
                .header("x-project-id", DEFAULT_PROJECT_ID)
                .body(Vec::new())
                .unwrap();
            sign(&mut request, &credentials, &SigningParams::access(time)).unwrap();
            wire(&request)
        })
        .collect();

    let chunk = jobs.div_ceil(connections);
    let addr = emulator.local_addr();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for part in signed.chunks(chunk) {
            scope.spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let (mut line, mut body) = (String::new(), Vec::new());
                for request in part {
                    writer.write_all(request).unwrap();
                    let status = read_answer(&mut reader, &mut line, &mut body);
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                }
            });
        }
    });
    let elapsed = started.elapsed();
    assert!(emulator.jobs().is_empty(), "every job deleted");
    let rate = jobs as f64 / elapsed.as_secs_f64();
    println!(
        "{jobs} signed DELETEs over {connections} keep-alive connections in {:.3} s: {rate:.0} deletes/second \
         ({:.1} µs each per connection)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 * connections as f64 / jobs as f64,
    );
}
