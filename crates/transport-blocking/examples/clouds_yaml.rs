//! Configuration from `clouds.yaml` and `OS_*` variables:
//! `cargo run -p otc-jobs-blocking --example clouds_yaml`.
//!
//! Writes a temporary `clouds.yaml` naming the emulator, then builds a client from it the
//! way `Client::from_env()` would with `OS_CLOUD=emulator` (here the variables are passed
//! as a closure, so that the example does not change its own environment).

use std::path::PathBuf;

use otc_jobs_blocking::{Client, ClientBuilder, ENV_VARS};
use otc_jobs_emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig, SeedJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    emulator.seed(SeedJob::flink_job(7));

    let dir = std::env::temp_dir().join(format!("otc-jobs-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("clouds.yaml"),
        format!(
            "clouds:
  emulator:
    auth:
      ak: {DEFAULT_ACCESS_KEY}
      project_id: {DEFAULT_PROJECT_ID}
    region_name: eu-de
    # every service at one base URL (OS_ENDPOINT_OVERRIDE in the environment)
    endpoint_override: {}
",
            emulator.base_url()
        ),
    )?;
    // The secret in the environment rather than in the file.
    let env = |name: &str| match name {
        "OS_CLOUD" => Some("emulator".to_owned()),
        "OS_SECRET_KEY" => Some(DEFAULT_SECRET_KEY.to_owned()),
        _ => None,
    };
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        let client: Client =
            ClientBuilder::<Client>::from_env_with(env, &[PathBuf::from(&dir)])?.build()?;
        println!("project {:?}", client.project_id());
        client.delete_flink_job(7)?;
        println!("deleted job 7 through the cloud \"emulator\"");

        // A missing setting is named.
        let err = ClientBuilder::<Client>::from_clouds_yaml(dir.join("clouds.yaml"), "emulator")?
            .build()
            .err()
            .ok_or("built without a secret key")?;
        println!("without OS_SECRET_KEY: {err}");
        Ok(())
    })();
    std::fs::remove_dir_all(&dir)?;
    result?;

    println!("\nthe variables from_env reads:");
    for var in ENV_VARS {
        println!("  {:<32} {}", var.name, var.sets);
    }
    Ok(())
}
