//! HTTPS with a private CA: `cargo run -p otc-jobs-blocking --example tls`.
//!
//! The emulator serves HTTPS with a certificate from a fresh test CA; the client trusts
//! that CA besides the built-in roots. Without it, the handshake fails and is not retried.

use otc_jobs_blocking::{Client, Error, ErrorKind, RetryPolicy};
use otc_jobs_core::TransportErrorKind;
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })?;
    emulator.seed(SeedJob::flink_job(9));
    let ca = emulator.ca_pem().ok_or("the emulator has no CA")?;
    println!("emulator at {}", emulator.base_url());

    let builder = Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        .base_url(emulator.base_url());

    let untrusting = builder.clone().retry(RetryPolicy::NONE).build()?;
    match untrusting.delete_flink_job(9).map_err(Error::into_kind) {
        Err(ErrorKind::Transport(e)) if e.kind == TransportErrorKind::Tls => {
            println!("without the CA: {e}");
        }
        other => return Err(format!("expected a TLS failure, got {other:?}").into()),
    }

    let client = builder.root_certificate_pem(ca).build()?;
    client.delete_flink_job(9)?;
    println!("with the CA: deleted job 9 over HTTPS");
    Ok(())
}
