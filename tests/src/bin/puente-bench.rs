//! Measures what Puente's speed depends on and prints a JSON report (written to
//! `bench/results.json` by `cargo xtask bench`). Run in release mode on this machine.

use puente_backend::store::FsStore;
use puente_shared::crypto::{self, derive_keys, EnvelopeHeader, KdfParams, Salt, SecretKey};
use puente_shared::{CaseId, KeyId, TenantId};
use puente_tests::api::new_org_user;
use puente_tests::server::TestServer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Median and 95th percentile, in milliseconds.
fn summarise(mut samples: Vec<Duration>) -> Value {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    json!({ "n": samples.len(), "p50_ms": round(at(0.5)), "p95_ms": round(at(0.95)), "max_ms": round(at(1.0)) })
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

fn kdf() -> Value {
    let salt = Salt::random();
    let samples =
        (0..5).map(|_| time(|| derive_keys("lantern river 42 Oak maple", &salt, KdfParams::default()))).collect();
    summarise(samples)
}

fn envelope() -> (Value, Value) {
    let header = EnvelopeHeader {
        tenant: TenantId::random(),
        case: CaseId::random(),
        revision: 2,
        parent: 1,
        key_id: KeyId::random(),
    };
    let (case_key, account_key) = (SecretKey::random(), SecretKey::random());
    let plaintext = vec![b'x'; 10 * 1024];
    let sealed = crypto::seal(&header, &case_key, &account_key, &plaintext);
    let seal = (0..1000).map(|_| time(|| crypto::seal(&header, &case_key, &account_key, &plaintext))).collect();
    let open = (0..1000)
        .map(|_| time(|| crypto::open(&sealed, &account_key, header.tenant, header.case, Some(2)).expect("opens")))
        .collect();
    (summarise(seal), summarise(open))
}

async fn sync_api() -> (Value, Value, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(FsStore::open(dir.path()).expect("store")).await;
    let device = new_org_user(&server.store, &server.url, "bench.user").await;
    let body = vec![b'x'; 10 * 1024];
    let mut pushes = Vec::new();
    let mut cases = Vec::new();
    for _ in 0..300 {
        let case = CaseId::random();
        let sealed = device.seal(case, 1, &body);
        let start = Instant::now();
        let response = device.push(case, 1, sealed).await;
        pushes.push(start.elapsed());
        assert_eq!(response.status(), 201);
        cases.push(case);
    }
    let mut fetches = Vec::new();
    for case in &cases {
        let start = Instant::now();
        let bytes = device.fetch(*case, 1).await.bytes().await.expect("body");
        fetches.push(start.elapsed());
        assert!(bytes.len() > body.len());
    }
    let mut feeds = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let page = device.changes(0, 300).await;
        feeds.push(start.elapsed());
        assert_eq!(page.entries.len(), 300);
    }
    (summarise(pushes), summarise(fetches), summarise(feeds))
}

/// Unlocking the vault in real headless Chromium: Argon2id at the default cost in wasm,
/// plus opening the cases. Needs the built app and the backend binary (xtask passes both).
async fn browser_unlock() -> Value {
    use puente_tests::backend_process::BackendProcess;
    use puente_tests::browser::Browser;
    const PASSPHRASE: &str = "lantern river 42 Oak maple";
    let (data, logs) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let args = vec!["--store".to_owned(), "fs".into(), "--data-dir".into(), data.path().display().to_string()];
    let port = puente_tests::free_port();
    let backend = BackendProcess::start(port, &args, &[], logs.path());
    let browser = Browser::start().await;
    browser.enrol(&backend.enrolment_link(), "bench.user", PASSPHRASE).await;
    let mut samples = Vec::new();
    for _ in 0..5 {
        browser.reload().await;
        browser.type_into("#unlock-passphrase", PASSPHRASE).await;
        let start = Instant::now();
        browser.click("#unlock-submit").await;
        browser.wait_for("#lock", 60).await;
        samples.push(start.elapsed());
    }
    browser.close().await;
    backend.stop();
    summarise(samples)
}

/// A membership log of 500 entries (teams and members), then a new member enrolled from
/// the administrator's link: how long their device takes from enrolment to showing the
/// organisation verified (fetch, verify, keep sealed), and how long an unlock takes to show
/// it again (open and verify the kept log). Real headless Chromium, real backend.
async fn browser_membership() -> (Value, Value) {
    use puente_backend::store::{create_json, BlobStore};
    use puente_shared::crypto::IdentityKeys;
    use puente_shared::ids::TeamId;
    use puente_shared::membership::{Change, Country, MemberCard, Organisation, Role, SignedEntry, Team};
    use puente_shared::protocol::{InviteRequest, InviteResponse, Session};
    use puente_tests::backend_process::BackendProcess;
    use puente_tests::browser::Browser;
    const ENTRIES: usize = 500;
    const PASSPHRASE: &str = "lantern river 42 Oak maple";
    let (data, logs) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let args = vec!["--store".to_owned(), "fs".into(), "--data-dir".into(), data.path().display().to_string()];
    let backend = BackendProcess::start(puente_tests::free_port(), &args, &[], logs.path());
    let link = backend.enrolment_link();
    let invite = link.split_once('#').expect("a fragment").1;
    let response = puente_tests::api::enrol(&backend.url, invite, "coordinator", PASSPHRASE).await;
    let session: Session = response.json().await.expect("session");
    let keys = derive_keys(PASSPHRASE, &session.salt, session.kdf).expect("derive");
    let account_key = crypto::unwrap_account_key(&keys.kek, &session.wrapped_account_key, session.user_id).unwrap();
    let founder = puente_tests::api::Device {
        http: reqwest::Client::new(),
        url: backend.url.clone(),
        session,
        account_key,
        passphrase: PASSPHRASE.into(),
    };
    // The log is written straight into the store the backend serves (appending 500 entries
    // over HTTP would measure the server's replays instead).
    let store = FsStore::open(data.path()).expect("store");
    let (tenant, admin, identity) = (founder.tenant(), founder.session.user_id, founder.identity());
    let genesis = Organisation::founding_entry(tenant, "Bench org", admin, &identity, [9; 32], 0);
    let mut organisation = Organisation::found(&genesis.digest(), &genesis).expect("founded");
    let mut log = vec![genesis];
    let team = Team { id: TeamId::random(), name: "Office".into(), country: Country::parse("GT").expect("GT") };
    let mut changes = vec![Change::TeamAdded { team: team.clone() }];
    while changes.len() + 1 < ENTRIES {
        let member = MemberCard {
            user: puente_shared::UserId::random(),
            role: Role::CaseManager,
            teams: vec![team.id],
            supervises: vec![],
            keys: IdentityKeys::generate().public(),
        };
        changes.push(Change::MemberAdded { member });
    }
    for change in changes {
        let entry = organisation.next_entry(change, 0).expect("follows");
        let signed = SignedEntry::sign(&entry, admin, &identity);
        organisation.apply(&signed).expect("applies");
        log.push(signed);
    }
    for (seq, signed) in log.iter().enumerate() {
        create_json(&store, &puente_backend::layout::membership_entry(tenant, seq as u64), signed).await.unwrap();
    }
    assert_eq!(
        store.list(&puente_backend::layout::membership_prefix(tenant), None, 1000).await.unwrap().len(),
        ENTRIES
    );
    let request = InviteRequest { role: Role::CaseManager, teams: vec![team.id], supervises: vec![], label: vec![] };
    let invite: InviteResponse =
        founder.send(reqwest::Method::POST, "/api/invites", Some(&request)).await.json().await.expect("invite");
    let root = log[0].digest().encode();

    let browser = Browser::start().await;
    browser.goto(&format!("{}/enrol#{}.{root}", backend.url, invite.invite)).await;
    browser.type_into("#enrol-username", "newcomer").await;
    browser.type_into("#enrol-passphrase", PASSPHRASE).await;
    browser.type_into("#enrol-confirm", PASSPHRASE).await;
    let start = Instant::now();
    browser.click("#enrol-submit").await;
    browser.wait_for("#new-case", 60).await;
    browser.click("#nav-organisation").await;
    browser.wait_for("#org-name-shown", 120).await;
    let first = start.elapsed();
    let mut unlocks = Vec::new();
    for _ in 0..5 {
        browser.reload().await;
        browser.type_into("#unlock-passphrase", PASSPHRASE).await;
        let start = Instant::now();
        browser.click("#unlock-submit").await;
        browser.wait_for("#org-name-shown", 60).await;
        unlocks.push(start.elapsed());
    }
    browser.close().await;
    backend.stop();
    (summarise(vec![first]), summarise(unlocks))
}

/// A size measured by the build and passed in by `cargo xtask bench` (null when absent).
fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[tokio::main]
async fn main() {
    let (seal, open) = envelope();
    let (push, fetch, feed) = sync_api().await;
    let unlock = browser_unlock().await;
    let (membership_first, membership_unlock) = browser_membership().await;
    let report = json!({
        "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0) },
        "argon2id_default_native": kdf(),
        "unlock_in_chromium_default_kdf": unlock,
        "seal_10kib": seal,
        "open_10kib": open,
        "push_10kib_fs_loopback": push,
        "fetch_10kib_fs_loopback": fetch,
        "change_feed_300_entries_fs_loopback": feed,
        "membership_500_entries_enrol_to_verified_in_chromium": membership_first,
        "membership_500_entries_unlock_to_verified_in_chromium": membership_unlock,
        "frontend_wasm": {
            "bytes": env_number("PUENTE_WASM_BYTES"),
            "gzip_bytes": env_number("PUENTE_WASM_GZIP_BYTES"),
        },
    });
    eprintln!("{:<40} {:>6} {:>10} {:>10} {:>10}", "measure", "n", "p50 ms", "p95 ms", "max ms");
    for (name, row) in report.as_object().expect("an object") {
        if let Some(n) = row.get("n") {
            let cell = |key: &str| row[key].to_string();
            eprintln!(
                "{name:<40} {:>6} {:>10} {:>10} {:>10}",
                n.to_string(),
                cell("p50_ms"),
                cell("p95_ms"),
                cell("max_ms")
            );
        }
    }
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
}
