//! Never a panic: every parser of the core is fed random and damaged input (a fixed-seed
//! generator, so a failure reproduces) and must answer with a value or a typed error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::auth::canonical::{canonical_query, canonical_uri};
use otc_jobs_core::auth::iam::{parse_projects_response, parse_token_response};
use otc_jobs_core::auth::{Authorization, SigningTime};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::modelarts::DeleteTrainingJob;
use otc_jobs_core::mrs::DeleteJobExecution;
use otc_jobs_core::{Error, ErrorKind, OperationExt, PathId, ServiceError};

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Answers the services really send, cut, spliced and sprinkled with random bytes.
const SEEDS: &[&str] = &[
    r#"{"is_success": true}"#,
    r#"{"is_success": "true", "message": "The job is successfully deleted."}"#,
    r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "Error string"}"#,
    r#"{"error_code": "DLI.0002", "error_msg": "The object does not exist."}"#,
    r#"{"error": {"code": 404, "message": "gone", "title": "Not Found"}}"#,
    r#"{"errorCode": "X", "errorMsg": "y", "request_id": "r"}"#,
    r#"{"token": {"expires_at": "2030-01-01T00:00:00.000000Z", "project": {"id": "p"}}}"#,
    r#"{"projects": [{"id": "0a1b", "name": "eu-de"}]}"#,
    "<html><body>502 Bad Gateway</body></html>",
    "",
    "null",
    "[]",
    "\u{feff}{}",
];

fn body(rng: &mut Rng) -> Vec<u8> {
    let mut bytes = rng.pick(SEEDS).as_bytes().to_vec();
    match rng.below(5) {
        0 => bytes.truncate(rng.below(bytes.len() + 1)),
        1 => {
            let other = rng.pick(SEEDS).as_bytes();
            let at = rng.below(bytes.len() + 1);
            bytes.splice(at..at, other.iter().copied());
        }
        2 => {
            for _ in 0..1 + rng.below(4) {
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
            }
        }
        3 => bytes = (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
        _ => {}
    }
    bytes
}

fn answer(rng: &mut Rng) -> http::Response<Vec<u8>> {
    let status = [200, 201, 204, 400, 401, 404, 429, 500, 502, 503][rng.below(10)];
    let mut builder = http::Response::builder().status(status);
    if rng.below(2) == 0 {
        builder = builder.header("X-Request-Id", "rid");
    }
    if rng.below(3) == 0 {
        builder = builder.header(
            "Retry-After",
            rng.pick(&["1", "-1", "99999999999999999999", "soon", ""]),
        );
    }
    if rng.below(3) == 0 {
        builder = builder.header("X-Subject-Token", "t");
    }
    builder.body(body(rng)).unwrap()
}

#[test]
fn answers_never_panic_and_errors_keep_the_status() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..20_000 {
        let response = answer(&mut rng);
        let status = response.status();
        for outcome in [
            DeleteTrainingJob::parse_response(&response).map(|_| ()),
            DeleteFlinkJob::parse_response(&response).map(|_| ()),
            DeleteJobExecution::parse_response(&response).map(|_| ()),
        ] {
            match outcome.map_err(Error::into_kind) {
                Ok(()) => assert!(status.is_success()),
                Err(ErrorKind::Service(e)) => assert_eq!(e.status, status),
                Err(ErrorKind::Response(e)) => assert_eq!(e.status, status),
                Err(other) => panic!("unexpected error kind: {other:?}"),
            }
        }
        let _ = parse_token_response(&response);
        let _ = parse_projects_response(&response, "eu-de");
        let e = ServiceError::from_answer(
            otc_jobs_core::Service::Dli,
            status,
            response.headers(),
            response.body(),
        );
        assert!(e.body.len() <= otc_jobs_core::RAW_BODY_LIMIT);
        let _ = e.to_string();
    }
}

fn text(rng: &mut Rng, alphabet: &[u8], max: usize) -> String {
    let bytes: Vec<u8> = (0..rng.below(max))
        .map(|_| alphabet[rng.below(alphabet.len())])
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn signing_inputs_never_panic() {
    let mut rng = Rng(0x5eed_0002);
    let uri_chars = b"/%abcAZ09-._~ +?#=&:@\xc3\xbc2F";
    let header_chars = b"SDK-HMAC-SHA256 Access=Credential/,;= SignedHeadersSignature0123abcdef";
    let date_chars = b"0123456789TZ:-.+ ";
    for _ in 0..20_000 {
        let path = text(&mut rng, uri_chars, 40);
        let uri = canonical_uri(&path);
        assert!(uri.starts_with('/') || !path.starts_with('/'));
        assert!(uri.ends_with('/'));
        let _ = canonical_query(&text(&mut rng, uri_chars, 40));
        let _ = Authorization::parse(&text(&mut rng, header_chars, 120));
        let _ = SigningTime::parse_sdk_date(&text(&mut rng, date_chars, 20));
        let _ = SigningTime::parse_rfc3339(&text(&mut rng, date_chars, 32));
        let id = text(&mut rng, uri_chars, 12);
        if let Ok(id) = PathId::new(id) {
            let endpoints = otc_jobs_core::Endpoints::new(otc_jobs_core::Region::EU_DE);
            let target = otc_jobs_core::Target::new(&endpoints, "p");
            let request = DeleteJobExecution::new(id).build_request(&target).unwrap();
            // One segment: the id never adds a path level or a query.
            assert_eq!(
                request.uri().path().matches('/').count(),
                4,
                "{}",
                request.uri()
            );
            assert_eq!(request.uri().query(), None);
        }
    }
}
