//! The sans-IO core with an HTTP client of your own (here ureq, used directly):
//! `cargo run -p otc-jobs-blocking --example sans_io`.
//!
//! The core builds and signs an `http::Request` (you pass the time in) and parses the
//! `http::Response` you bring back; it never opens a socket or reads the clock.

use otc_jobs_core::auth::{AkSk, Credentials, SignatureForm, SigningTime};
use otc_jobs_core::dli::DeleteFlinkJob;
use otc_jobs_core::{BaseUrl, Endpoints, OperationExt, Region, Target};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    emulator.seed(SeedJob::flink_job(148));

    let endpoints = Endpoints::all_at(Region::EU_DE, BaseUrl::parse(emulator.base_url())?);
    let target = Target::new(&endpoints, DEFAULT_PROJECT_ID);
    let credentials = Credentials::AkSk(AkSk::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false) // the core judges every answer, 4xx/5xx included
        .max_redirects(0)
        .build()
        .into();

    for attempt in ["first", "second"] {
        // 1. build and sign
        let now = SigningTime::from_system_time(std::time::SystemTime::now());
        let request: http::Request<Vec<u8>> = DeleteFlinkJob::new(148).signed_request(
            &target,
            &credentials,
            now,
            SignatureForm::Access,
        )?;
        // 2. send with any HTTP client
        let (head, mut body) = agent.run(request)?.into_parts();
        let response = http::Response::from_parts(head, body.read_to_vec()?);
        // 3. parse
        match DeleteFlinkJob::parse_response(&response) {
            Ok(done) => println!("{attempt} delete: deleted ({:?})", done.message),
            Err(e) if e.is_not_found() => println!("{attempt} delete: already gone ({e})"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
