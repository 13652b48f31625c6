//! Test support shared by Puente's suites: real servers and a real browser, started and
//! stopped by the tests, spoken to over real HTTP.

pub mod api;
pub mod backend_process;
pub mod browser;
pub mod careless_s3;
pub mod moto;
pub mod server;

use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on port {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}
