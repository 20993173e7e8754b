//! Answers the emulator cannot give: a head followed by a stalled or trickling body, a
//! plain web server's HTML 404. A tiny HTTP/1.1 server on 127.0.0.1 (a thread per connection) reads each request head and
//! answers as its [`Script`] says; both clients are run against it and must agree.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use otc_jobs_core::Error;

use crate::{ClientSpec, Flavour, Op, Outcome};

/// The body the scripts announce: a successful DLI delete, 64 bytes.
pub const BODY: &[u8] = br#"{"is_success": true, "message": "The job is deleted. (padded)"}"#;

/// How the server answers every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// The head (200, `Content-Length`), then nothing: the connection stays open.
    StallAfterHead,
    /// The head and the first `bytes` of the body, then nothing.
    StallMidBody {
        /// How many body bytes are sent before the stall.
        bytes: usize,
    },
    /// The head, then one body byte every `every` (slower than the timeout allows).
    Trickle {
        /// The pause between two bytes.
        every: Duration,
    },
    /// The whole answer at once (the control case).
    Whole,
    /// A plain web server's answer to a path it does not have: 404 with an HTML page (no
    /// JSON, no request id).
    NotFoundHtml,
}

/// The page of [`Script::NotFoundHtml`], as nginx writes it.
pub const NOT_FOUND_PAGE: &[u8] = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// How long a stalled connection is held before the server gives up on it.
const HOLD: Duration = Duration::from_secs(5);

/// The server: answers each request on its own thread until dropped.
#[derive(Debug)]
pub struct RawServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    /// Starts a server that answers every request as `script` says.
    pub fn start(script: Script) -> std::io::Result<RawServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (seen, stopped) = (Arc::clone(&seen), Arc::clone(&stopped));
                std::thread::spawn(move || serve(stream, script, &seen, &stopped));
            }
        });
        Ok(RawServer {
            addr,
            requests,
            stop,
        })
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines received so far (`DELETE /v1.0/...`).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Answers the requests of one connection (one at a time, keep-alive).
fn serve(mut stream: TcpStream, script: Script, seen: &Mutex<Vec<String>>, stop: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    loop {
        let Some(line) = read_head(&mut stream) else {
            return;
        };
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
        let (head, body) = match script {
            Script::NotFoundHtml => (
                format!(
                    "HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
                    NOT_FOUND_PAGE.len()
                ),
                NOT_FOUND_PAGE,
            ),
            _ => (
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Request-Id: raw-0001\r\n\r\n",
                    BODY.len()
                ),
                BODY,
            ),
        };
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let sent = match script {
            Script::Whole | Script::NotFoundHtml => stream.write_all(body),
            Script::StallAfterHead => stream.flush(),
            Script::StallMidBody { bytes } => stream.write_all(&body[..bytes.min(body.len())]),
            Script::Trickle { every } => {
                for byte in body {
                    if stop.load(Ordering::SeqCst)
                        || stream.write_all(std::slice::from_ref(byte)).is_err()
                    {
                        return;
                    }
                    std::thread::sleep(every);
                }
                Ok(())
            }
        };
        if sent.is_err() {
            return;
        }
        if !matches!(script, Script::Whole | Script::NotFoundHtml) {
            // Hold the connection open (the client must time out), then drop it.
            let started = Instant::now();
            while started.elapsed() < HOLD && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
    }
}

/// Reads one request head (and a `Content-Length` body); returns its request line, or
/// `None` when the connection ended.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let length = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1024 * 1024)];
    stream.read_exact(&mut body).ok()?;
    text.lines().next().map(str::to_owned)
}

/// Runs `op` with one client (`spec`) against a fresh server playing `script`; returns
/// the outcome (requests by `METHOD op`) and how long the call took. Panics (as a test
/// does) when the server or client cannot start.
#[allow(clippy::expect_used)]
pub fn run(script: Script, spec: &ClientSpec, op: &Op, flavour: Flavour) -> (Outcome, Duration) {
    let server = RawServer::start(script).expect("the raw server starts");
    let base_url = server.base_url();
    let started = Instant::now();
    let result: Result<(), Error> = match flavour {
        Flavour::Async => {
            let client: otc_jobs_async::Client = spec
                .builder_at(&base_url, "eu-de")
                .build()
                .expect("the async client builds");
            let runtime = crate::runtime();
            runtime.block_on(op.run_async(&client))
        }
        Flavour::Blocking => {
            let client: otc_jobs_blocking::Client = spec
                .builder_at(&base_url, "eu-de")
                .build()
                .expect("the blocking client builds");
            op.run_blocking(&client)
        }
    };
    let elapsed = started.elapsed();
    let mut requests = BTreeMap::new();
    for line in server.requests() {
        let method = line.split(' ').next().unwrap_or_default().to_owned();
        *requests.entry(format!("{method} op")).or_insert(0) += 1;
    }
    let outcome = Outcome::of(&result, requests, false, Default::default());
    (outcome, elapsed)
}
