//! Dropping the handle stops the server. In a test binary of its own: in one with other
//! tests, another test's emulator may bind the freed port between the drop and the check
//! (seen once in CI), and the check would then connect to that one.
#![allow(missing_docs, clippy::unwrap_used)]

use otc_jobs_emulator::{Emulator, EmulatorConfig};

#[test]
fn dropping_the_handle_stops_the_server() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let addr = emulator.local_addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(emulator);
    assert!(std::net::TcpStream::connect(addr).is_err());
}
