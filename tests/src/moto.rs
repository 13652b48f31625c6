//! A real S3-compatible server for the tests: moto, run by `tests/s3_server.py` (which
//! serves one request at a time, so that create-if-absent is atomic as on S3), started once
//! per test binary on a free loopback port. Each test gets a bucket of its own.

use puente_backend::store::{S3Config, S3Store};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

pub struct Moto {
    pub endpoint: String,
    _child: Option<ChildGuard>,
}

struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/s3_server.py");

/// The shared server: the one `cargo xtask test` started (`$PUENTE_TEST_S3_ENDPOINT`), or
/// one of this process's own, started on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("PUENTE_TEST_S3_ENDPOINT") {
            return Moto { endpoint, _child: None };
        }
        let port = crate::free_port();
        // Statics are never dropped, so a watchdog shell stops the server when this
        // test process exits, however it exits.
        let script =
            r#"python3 "$1" 127.0.0.1 $2 >/dev/null 2>&1 & m=$!; while kill -0 $3 2>/dev/null; do sleep 1; done; kill $m"#;
        let child = Command::new("sh")
            .args(["-c", script, "sh", SCRIPT, &port.to_string(), &std::process::id().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run sh");
        let guard = Some(ChildGuard(child));
        crate::wait_for_port(port, "the S3 test server (tests/s3_server.py; `cargo xtask test` installs moto)");
        Moto { endpoint: format!("http://127.0.0.1:{port}"), _child: guard }
    })
}

pub fn config(bucket: &str) -> S3Config {
    S3Config {
        endpoint: Some(moto().endpoint.clone()),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        path_style: true,
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
    }
}

/// A new empty bucket, checked by the start-up probe like any production bucket.
pub async fn fresh_store() -> S3Store {
    fresh_bucket().await.0
}

/// A new empty bucket and how to reach it.
pub async fn fresh_bucket() -> (S3Store, S3Config) {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let bucket = format!("puente-test-{}-{n}", std::process::id());
    let config = config(&bucket);
    S3Store::new(&config).client().create_bucket().bucket(&bucket).send().await.expect("create the bucket");
    (S3Store::connect(&config).await.expect("moto honours If-None-Match"), config)
}
