//! Test support shared by Puente's suites: real servers and a real browser, started and
//! stopped by the tests, spoken to over real HTTP.

pub mod api;
pub mod backend_process;
pub mod browser;
pub mod careless_s3;
pub mod people;
pub mod seaweed;
pub mod server;

use std::path::Path;
use std::time::{Duration, Instant};

/// Every file under `dir`: its path relative to `dir`, and its bytes.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).expect("under the root").display().to_string();
                out.push((name, std::fs::read(&path).expect("a readable file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Panics if any of `secrets` occurs, byte for byte, in `bytes` (named `what`).
pub fn assert_absent<S: AsRef<str>>(what: &str, bytes: &[u8], secrets: impl IntoIterator<Item = S>) {
    for secret in secrets {
        let secret = secret.as_ref().as_bytes();
        let found = bytes.windows(secret.len()).any(|window| window == secret);
        assert!(!found, "{what} holds {} in clear", String::from_utf8_lossy(secret));
    }
}

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
