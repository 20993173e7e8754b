//! TLS and the HTTPS proxy, end to end: both clients against an emulator serving HTTPS with
//! its own test CA, directly and through a CONNECT proxy written here; both must reach the
//! expected outcome, and the same one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use otc_jobs_conformance::{ClientSpec, Flavour, Op, Outcome};
use otc_jobs_driver::ClientBuilder;
use otc_jobs_emulator::{Emulator, EmulatorConfig, Fault, FaultAction};

const FLAVOURS: [Flavour; 2] = [Flavour::Async, Flavour::Blocking];

/// How the client of one run is set up, and what the emulator does.
#[derive(Default)]
struct Setup {
    /// Trust the emulator's CA (`root_certificate_pem`).
    trust_ca: bool,
    /// `.proxy(url, no_proxy)`.
    proxy: Option<(String, Option<String>)>,
    /// A fault on the operation's request.
    fault: Option<Fault>,
}

fn tls_emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })
    .expect("the TLS emulator starts");
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    emulator
}

fn builder<C>(emulator: &Emulator, setup: &Setup) -> ClientBuilder<C> {
    let mut builder = ClientSpec::default().builder(emulator);
    if setup.trust_ca {
        builder = builder.root_certificate_pem(emulator.ca_pem().expect("a CA"));
    }
    if let Some((url, no_proxy)) = &setup.proxy {
        builder = builder.proxy(url.clone(), no_proxy.clone());
    }
    builder
}

/// Seeds the operation's job, makes the call with one client, reads the outcome.
fn call(flavour: Flavour, emulator: &Emulator, setup: &Setup, op: &Op) -> Outcome {
    emulator.seed(op.job());
    if let Some(fault) = &setup.fault {
        emulator.add_fault(fault.clone());
    }
    let result = match flavour {
        Flavour::Async => {
            let client: otc_jobs_async::Client = builder(emulator, setup).build().unwrap();
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(op.run_async(&client))
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = builder(emulator, setup).build().unwrap();
            op.run_blocking(&client)
        }
    };
    Outcome::read(&result, emulator, op)
}

/// Runs `check` with each client on a fresh TLS emulator; the outcomes must be equal.
fn conform(check: impl Fn(Flavour, &Emulator) -> Outcome) -> Outcome {
    let [from_async, from_blocking] = FLAVOURS.map(|flavour| check(flavour, &tls_emulator()));
    assert_eq!(from_async, from_blocking, "the clients disagree");
    from_async
}

#[test]
fn untrusted_certificate_is_a_tls_error_and_the_job_stays() {
    let op = Op::FlinkJob(148);
    let outcome = conform(|flavour, emulator| {
        let o = call(flavour, emulator, &Setup::default(), &op);
        assert_eq!(o.result, "transport:Tls", "{flavour:?}: {o:?}");
        // Not retried (the certificate will not become trusted), never reaching the API.
        assert_eq!(o.attempts, 1, "{flavour:?}: {o:?}");
        assert!(o.requests.is_empty() && !o.gone, "{flavour:?}: {o:?}");
        o
    });
    assert!(!outcome.request_id);
}

#[test]
fn trusted_ca_deletes() {
    let op = Op::JobExecution("669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3");
    conform(|flavour, emulator| {
        let setup = Setup {
            trust_ca: true,
            ..Setup::default()
        };
        let o = call(flavour, emulator, &setup, &op);
        assert_eq!(o.result, "ok", "{flavour:?}: {o:?}");
        assert!(o.gone, "{flavour:?}: {o:?}");
        assert_eq!(o.requests.get("DELETE op"), Some(&1), "{flavour:?}: {o:?}");
        o
    });
}

#[test]
fn through_the_proxy_one_connect_to_the_emulator() {
    let op = Op::TrainingJob(1001);
    conform(|flavour, emulator| {
        let proxy = ConnectProxy::start();
        let setup = Setup {
            trust_ca: true,
            proxy: Some((proxy.url(), None)),
            ..Setup::default()
        };
        let o = call(flavour, emulator, &setup, &op);
        assert_eq!(o.result, "ok", "{flavour:?}: {o:?}");
        assert!(o.gone, "{flavour:?}: {o:?}");
        assert_eq!(
            proxy.requests(),
            vec![format!("CONNECT {}", emulator.local_addr())],
            "{flavour:?}"
        );
        o
    });
}

#[test]
fn no_proxy_for_the_emulator_goes_direct() {
    let op = Op::VisualizationJob(1003);
    conform(|flavour, emulator| {
        let proxy = ConnectProxy::start();
        let setup = Setup {
            trust_ca: true,
            proxy: Some((proxy.url(), Some("localhost,127.0.0.1".into()))),
            ..Setup::default()
        };
        let o = call(flavour, emulator, &setup, &op);
        assert_eq!(o.result, "ok", "{flavour:?}: {o:?}");
        assert!(o.gone, "{flavour:?}: {o:?}");
        assert_eq!(proxy.requests(), Vec::<String>::new(), "{flavour:?}");
        o
    });
}

#[test]
fn untrusted_certificate_through_the_proxy_is_a_tls_error() {
    let op = Op::FlinkJob(148);
    conform(|flavour, emulator| {
        let proxy = ConnectProxy::start();
        let setup = Setup {
            proxy: Some((proxy.url(), None)),
            ..Setup::default()
        };
        let o = call(flavour, emulator, &setup, &op);
        assert_eq!(
            (o.result.as_str(), o.attempts, o.gone),
            ("transport:Tls", 1, false),
            "{flavour:?}: {o:?}"
        );
        // The tunnel was made; the handshake inside it failed, and was not retried.
        let connect = format!("CONNECT {}", emulator.local_addr());
        assert_eq!(proxy.requests(), vec![connect], "{flavour:?}");
        o
    });
}

#[test]
fn faults_over_tls() {
    let op = Op::FlinkJob(77);
    let trusted = |fault: Fault| Setup {
        trust_ca: true,
        fault: Some(fault),
        ..Setup::default()
    };

    let unavailable = FaultAction::Respond {
        status: 503,
        headers: Default::default(),
        body: r#"{"error_code":"APIG.0201","error_msg":"unavailable"}"#.into(),
    };
    let o = conform(|flavour, emulator| {
        call(
            flavour,
            emulator,
            &trusted(op.fault(unavailable.clone()).times(10)),
            &op,
        )
    });
    assert_eq!(
        (o.result.as_str(), o.status, o.code.as_deref(), o.attempts),
        ("service", Some(503), Some("APIG.0201"), 3),
        "{o:?}"
    );
    assert!(!o.gone && o.request_id, "{o:?}");

    let close = FaultAction::Close {
        after_processing: false,
    };
    let o = conform(|flavour, emulator| {
        call(flavour, emulator, &trusted(op.fault(close.clone())), &op)
    });
    assert_eq!(o.result, "ok", "closed, then retried: {o:?}");
    assert_eq!(o.requests.get("DELETE op"), Some(&2), "{o:?}");
    assert!(o.gone, "{o:?}");

    let truncated = FaultAction::TruncatedBody {
        status: 200,
        body: None,
    };
    let o = conform(|flavour, emulator| {
        call(
            flavour,
            emulator,
            &trusted(op.fault(truncated.clone()).times(10)),
            &op,
        )
    });
    // A DELETE is idempotent: a truncated answer is retried, then reported.
    assert_eq!(
        (o.result.as_str(), o.status, o.attempts, o.gone),
        ("response:Truncated", Some(200), 3, false),
        "{o:?}"
    );
    assert!(o.request_id && o.earlier_unknown, "{o:?}");
}

/// A minimal HTTP CONNECT proxy on 127.0.0.1: a thread per connection, answers `200` to
/// `CONNECT host:port`, then copies bytes both ways. Remembers the request lines it saw
/// (`CONNECT host:port`, or anything else it refused).
struct ConnectProxy {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl ConnectProxy {
    fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || tunnel(client, &seen));
            }
        });
        ConnectProxy {
            addr,
            requests,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop up so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads the request head byte by byte (nothing of the tunnelled stream is consumed).
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 16 * 1024 {
            return None;
        }
        head.push(byte[0]);
    }
    String::from_utf8(head).ok()
}

fn tunnel(mut client: TcpStream, seen: &Mutex<Vec<String>>) {
    let Some(head) = read_head(&mut client) else {
        return;
    };
    let line = head.lines().next().unwrap_or_default();
    let mut words = line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    seen.lock().unwrap().push(format!("{method} {target}"));
    if method != "CONNECT" {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let Ok(upstream) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (Ok(mut client_in), Ok(mut upstream_out)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let mut upstream_in = upstream;
    let mut client_out = client;
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_in, &mut upstream_out);
        let _ = upstream_out.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = up.join();
}
