//! Test support: a tiny HTTP/1.1 client on std sockets (so tests can see closed connections
//! and truncated bodies exactly) and signing helpers built on the core's signer.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime};

use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningParams, SigningTime, sign};
use otc_jobs_emulator::{DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator};
use serde_json::Value;

pub const PID: &str = DEFAULT_PROJECT_ID;

/// What came back.
#[derive(Debug)]
pub enum Outcome {
    /// A whole answer.
    Reply(Reply),
    /// The connection closed before any answer.
    Closed,
    /// The head came, then fewer body bytes than `Content-Length` announced.
    Truncated {
        status: u16,
        got: usize,
        announced: usize,
    },
}

impl Outcome {
    pub fn reply(self) -> Reply {
        match self {
            Outcome::Reply(r) => r,
            other => panic!("expected an answer, got {other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        Conn {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    /// Sends `request` with exactly its headers (a `Host` header is added from the URI when
    /// missing) and reads the answer.
    pub fn send(&mut self, request: &http::Request<Vec<u8>>) -> Outcome {
        let head = wire(request);
        if self.writer.write_all(&head).is_err() {
            return Outcome::Closed;
        }
        self.read_answer(request.method() == http::Method::HEAD)
    }

    fn read_answer(&mut self, head_only: bool) -> Outcome {
        let mut status_line = String::new();
        match self.reader.read_line(&mut status_line) {
            Ok(0) | Err(_) => return Outcome::Closed,
            Ok(_) => {}
        }
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (n, v) = line.split_once(':').unwrap();
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let length = if head_only || status == 204 || status == 304 {
            0
        } else {
            length
        };
        let mut body = vec![0; length];
        let mut got = 0;
        while got < length {
            match self.reader.read(&mut body[got..]) {
                Ok(0) | Err(_) => {
                    return Outcome::Truncated {
                        status,
                        got,
                        announced: length,
                    };
                }
                Ok(n) => got += n,
            }
        }
        Outcome::Reply(Reply {
            status,
            headers,
            body,
        })
    }
}

/// `request` as sent on the wire: exactly its headers (a `Host` header is added from the URI
/// when missing, a `Content-Length` when there is a body or the method is POST or PUT).
pub fn wire(request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method(), target).into_bytes();
    if !request.headers().contains_key("host") {
        let host = request
            .uri()
            .authority()
            .map_or("localhost", |a| a.as_str());
        head.extend_from_slice(format!("host: {host}\r\n").as_bytes());
    }
    for (name, value) in request.headers() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !request.body().is_empty() || matches!(request.method().as_str(), "POST" | "PUT") {
        head.extend_from_slice(format!("content-length: {}\r\n", request.body().len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(request.body());
    head
}

/// Sends one request on a new connection.
pub fn send(emulator: &Emulator, request: &http::Request<Vec<u8>>) -> Outcome {
    Conn::open(emulator.local_addr()).send(request)
}

/// An unsigned request to `path` (which may carry a query) on the emulator.
pub fn request(
    emulator: &Emulator,
    method: &str,
    path: &str,
    body: &str,
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", emulator.base_url()));
    if !body.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

/// Admin or unauthenticated request, on a new connection.
pub fn call(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
    send(emulator, &request(emulator, method, path, body)).reply()
}

pub fn now() -> SigningTime {
    SigningTime::from_system_time(SystemTime::now())
}

pub fn default_keys() -> Credentials {
    Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY))
}

/// `method path` signed with `credentials` at `time` in `form` (region eu-de, service dli
/// for the derived-key scope).
pub fn signed_with(
    emulator: &Emulator,
    method: &str,
    path: &str,
    credentials: &Credentials,
    form: SignatureForm,
    time: SigningTime,
) -> http::Request<Vec<u8>> {
    signed_for(
        emulator,
        method,
        path,
        credentials,
        form,
        time,
        service_of(path),
    )
}

/// The service whose API `path` belongs to (its version prefix).
pub fn service_of(path: &str) -> &'static str {
    match path.split('/').nth(1) {
        Some("v1") => "modelarts",
        Some("v1.0") => "dli",
        Some("v1.1") => "mrs",
        _ => "iam",
    }
}

/// Like [`signed_with`], with the derived-key scope naming `service`.
pub fn signed_for(
    emulator: &Emulator,
    method: &str,
    path: &str,
    credentials: &Credentials,
    form: SignatureForm,
    time: SigningTime,
    service: &str,
) -> http::Request<Vec<u8>> {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", emulator.base_url()))
        .header("content-type", "application/json")
        .header("x-project-id", PID)
        .body(Vec::new())
        .unwrap();
    let params = SigningParams {
        time,
        form,
        region: "eu-de",
        service,
    };
    sign(&mut request, credentials, &params).unwrap();
    request
}

/// `method path` signed now with the default keys, `Access=` form.
pub fn signed(emulator: &Emulator, method: &str, path: &str) -> http::Request<Vec<u8>> {
    signed_with(
        emulator,
        method,
        path,
        &default_keys(),
        SignatureForm::Access,
        now(),
    )
}

/// Sends `method path` signed now with the default keys.
pub fn api(emulator: &Emulator, method: &str, path: &str) -> Reply {
    send(emulator, &signed(emulator, method, path)).reply()
}

/// Sends `method path` with a JSON `body`, signed now with the default keys.
pub fn api_body(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", emulator.base_url()))
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let params = SigningParams {
        time: now(),
        form: SignatureForm::Access,
        region: "eu-de",
        service: service_of(path),
    };
    sign(&mut request, &default_keys(), &params).unwrap();
    send(emulator, &request).reply()
}
