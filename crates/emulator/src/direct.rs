//! The emulator without sockets: one `http::Request<Vec<u8>>` in, the answer the server
//! would send out, faults aside. The fuzz targets (`fuzz/fuzz_targets/emulator_*.rs`) drive
//! the routing, authentication, handlers and admin API through it; it is not part of the
//! crate's supported API.

use crate::answer::Answer;
use crate::model::{Delivery, RecordedRequest};
use crate::{EmulatorConfig, SeedJob, Shared, admin, server};

/// An emulator's state and handlers without a server. Requests are recorded (see
/// [`Direct::requests`]) as the server records them; faults added through the admin API
/// are kept but never applied (they act on connections, which this has none of).
///
/// ```
/// use otc_jobs_emulator::{Direct, EmulatorConfig};
///
/// let direct = Direct::new(EmulatorConfig::default());
/// let request = http::Request::get("/_emulator/jobs").body(Vec::new())?;
/// let answer = direct.handle(request);
/// assert_eq!(answer.status(), 200);
/// assert_eq!(answer.body(), b"[]");
/// # Ok::<(), http::Error>(())
/// ```
#[doc(hidden)]
#[derive(Debug)]
pub struct Direct {
    shared: Shared,
}

impl Direct {
    /// The state `config` starts with (nothing is bound; `config.listen` and `tls` are
    /// ignored).
    pub fn new(config: EmulatorConfig) -> Direct {
        Direct {
            shared: Shared::new(config),
        }
    }

    /// Adds (or replaces) jobs, as [`crate::Emulator::seed_many`].
    pub fn seed_many(&self, jobs: impl IntoIterator<Item = SeedJob>) {
        self.shared.seed_many(jobs);
    }

    /// The jobs that exist, as [`crate::Emulator::jobs`].
    pub fn jobs(&self) -> Vec<SeedJob> {
        self.shared.jobs()
    }

    /// The requests handled so far (admin requests excluded), as
    /// [`crate::Emulator::requests`].
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// Answers `request` as the server would without a fault: the admin API, or routing,
    /// authentication (against the clock, as the server) and the service's handler. The
    /// request's URI is its path and query (an absolute URI's authority is ignored).
    pub fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let shared = &self.shared;
        let request_id = shared.ids.next();
        let (parts, body) = request.into_parts();
        let path = parts.uri.path();
        let answer = if path == "/_emulator" || path.starts_with("/_emulator/") {
            if body.len() > server::MAX_ADMIN_BODY {
                server::too_large(&request_id)
            } else {
                admin::handle(shared, &parts, &body)
            }
        } else if body.len() > server::MAX_REQUEST_BODY {
            server::too_large(&request_id)
        } else {
            // Answered in the same call: handled, and the answer is delivered whole.
            let mut record = RecordedRequest {
                handled: true,
                delivery: Delivery::Sent,
                ..server::arriving(&request_id, &parts, path, &body)
            };
            let answer = server::process(shared, &parts, &body, &request_id, &mut record);
            record.status = Some(answer.status.as_u16());
            record.error_code = answer.error_code.clone();
            server::push_record(shared, record);
            answer
        };
        to_response(answer, &request_id)
    }
}

fn to_response(answer: Answer, request_id: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(answer.body.to_vec());
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        headers.append(name, value);
    }
    if let Ok(id) = http::HeaderValue::from_str(request_id) {
        headers.insert(otc_jobs_core::X_REQUEST_ID, id);
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::{AuthKind, DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY};
    use otc_jobs_core::auth::{AkSk, Credentials, SigningParams, SigningTime, sign};

    fn delete(path: &str) -> http::Request<Vec<u8>> {
        http::Request::delete(format!("https://dli.example{path}"))
            .body(Vec::new())
            .unwrap()
    }

    #[test]
    fn a_signed_delete_deletes_and_an_unsigned_one_is_refused() {
        let direct = Direct::new(EmulatorConfig::default());
        direct.seed_many([SeedJob::flink_job(7)]);
        let path = format!("/v1.0/{DEFAULT_PROJECT_ID}/streaming/jobs/7");

        let refused = direct.handle(delete(&path));
        assert_eq!(refused.status(), 401);
        assert!(String::from_utf8_lossy(refused.body()).contains("APIG.0301"));
        assert_eq!(direct.jobs(), vec![SeedJob::flink_job(7)]);

        let mut signed = delete(&path);
        let keys = Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY));
        let time = SigningTime::from_system_time(std::time::SystemTime::now());
        sign(&mut signed, &keys, &SigningParams::access(time)).unwrap();
        let answer = direct.handle(signed);
        assert_eq!(answer.status(), 200, "{answer:?}");
        assert!(answer.headers().contains_key(otc_jobs_core::X_REQUEST_ID));
        assert!(direct.jobs().is_empty());

        let log = direct.requests();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].signature_verified, None);
        assert_eq!(
            (log[1].auth, log[1].signature_verified, log[1].status),
            (AuthKind::AkSk, Some(true), Some(200))
        );
    }
}
