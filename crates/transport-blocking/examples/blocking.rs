//! The blocking client alone: `cargo run -p otc-jobs-blocking --example blocking`.
//!
//! Builds a client with explicit settings, deletes a Flink job on the emulator, deletes
//! it again to show "already gone", and prints what an error carries.

use otc_jobs_blocking::Client;
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    emulator.seed(SeedJob::flink_job(148));

    let client = Client::builder()
        .ak_sk(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        .project_id(DEFAULT_PROJECT_ID)
        // In place of .region("eu-de"): every service at the emulator.
        .base_url(emulator.base_url())
        .build()?;

    let deleted = client.delete_flink_job(148)?;
    println!("deleted: is_success={:?}", deleted.is_success);

    match client.delete_flink_job(148) {
        Ok(_) => return Err("the job was deleted twice".into()),
        Err(e) if e.is_not_found() => println!(
            "already gone: status {:?}, code {:?}, message {:?}, request id {:?}, attempts {}",
            e.status(),
            e.code(),
            e.message(),
            e.request_id(),
            e.attempts()
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
