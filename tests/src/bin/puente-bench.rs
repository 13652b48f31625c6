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
        let key = (KeyId::random(), SecretKey::random());
        assert_eq!(device.create_access(case, &key).await.status(), 200);
        let sealed = device.seal_with(case, 1, &key, &body);
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

/// Sharing a case with a colleague (a grant of its key and the access change, one request)
/// and taking it back, over real HTTP on the filesystem store: 200 cases.
async fn sharing_api() -> (Value, Value) {
    use puente_shared::access::{AccessChange, Share};
    use puente_shared::crypto::Recipient;
    use puente_shared::protocol::AccessRequest;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(FsStore::open(dir.path()).expect("store")).await;
    let owner = new_org_user(&server.store, &server.url, "bench.owner").await;
    let colleague = puente_tests::api::join_org(&server.store, &server.url, owner.tenant(), "bench.colleague").await;
    let (user, public) = (colleague.session.user_id, colleague.identity().public().agreement);
    let (mut grants, mut revokes) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let case = CaseId::random();
        let key = (KeyId::random(), SecretKey::random());
        assert_eq!(owner.create_access(case, &key).await.status(), 200);
        assert_eq!(owner.push(case, 1, owner.seal_with(case, 1, &key, b"x")).await.status(), 201);
        let share = AccessRequest {
            create: false,
            changes: vec![AccessChange::Grant { user, share: Share::Colleague }],
            grants: vec![owner.grant(case, &key, Recipient::Member(user), &public)],
        };
        let start = Instant::now();
        let response = owner.change_access(case, &share).await;
        grants.push(start.elapsed());
        assert_eq!(response.status(), 200);
        let revoke = AccessRequest { changes: vec![AccessChange::Revoke { user }], ..Default::default() };
        let start = Instant::now();
        let response = owner.change_access(case, &revoke).await;
        revokes.push(start.elapsed());
        assert_eq!(response.status(), 200);
    }
    (summarise(grants), summarise(revokes))
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

/// The organisation's first member, enrolled over HTTP from the backend's first link.
async fn founder(
    backend: &puente_tests::backend_process::BackendProcess,
    passphrase: &str,
) -> puente_tests::api::Device {
    let invite = backend.enrolment_link().split_once('#').expect("a fragment").1.to_owned();
    let response = puente_tests::api::enrol(&backend.url, &invite, "coordinator", passphrase).await;
    let session: puente_shared::protocol::Session = response.json().await.expect("session");
    let keys = derive_keys(passphrase, &session.salt, session.kdf).expect("derive");
    let account_key = crypto::unwrap_account_key(&keys.kek, &session.wrapped_account_key, session.user_id).unwrap();
    puente_tests::api::Device {
        http: reqwest::Client::new(),
        url: backend.url.clone(),
        session,
        account_key,
        passphrase: passphrase.into(),
    }
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
    use puente_shared::protocol::{InviteRequest, InviteResponse};
    use puente_tests::backend_process::BackendProcess;
    use puente_tests::browser::Browser;
    const ENTRIES: usize = 500;
    const PASSPHRASE: &str = "lantern river 42 Oak maple";
    let (data, logs) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let args = vec!["--store".to_owned(), "fs".into(), "--data-dir".into(), data.path().display().to_string()];
    let backend = BackendProcess::start(puente_tests::free_port(), &args, &[], logs.path());
    let founder = founder(&backend, PASSPHRASE).await;
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

/// A supervisor's first sync of their team's cases: 2,000 cases of one case manager, each
/// shared with the team's supervisor from creation (as a device does), then the supervisor
/// signs in on a new browser profile. Measured from the sign-in until the case list shows
/// every case. Real headless Chromium, real backend on the filesystem store.
async fn browser_supervisor_first_sync() -> Value {
    use puente_backend::store::create_json;
    use puente_shared::access::{AccessChange, Share};
    use puente_shared::crypto::Recipient;
    use puente_shared::ids::TeamId;
    use puente_shared::membership::{Change, Country, MemberCard, Organisation, Role, SignedEntry, Team};
    use puente_shared::protocol::{AccessRequest, InviteRequest, InviteResponse, PendingResponse, Session};
    use puente_tests::backend_process::BackendProcess;
    use puente_tests::browser::Browser;
    const PASSPHRASE: &str = "lantern river 42 Oak maple";
    // `PUENTE_BENCH_TEAM_CASES` sets another load.
    let cases = env_number("PUENTE_BENCH_TEAM_CASES").map_or(2_000, |n| n as usize);
    let (data, logs) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let args = vec!["--store".to_owned(), "fs".into(), "--data-dir".into(), data.path().display().to_string()];
    let backend = BackendProcess::start(puente_tests::free_port(), &args, &[], logs.path());
    let founder = founder(&backend, PASSPHRASE).await;
    let store = FsStore::open(data.path()).expect("store");
    let owner = puente_tests::api::join_org(&store, &backend.url, founder.tenant(), "bench.owner").await;
    let (tenant, admin, identity) = (founder.tenant(), founder.session.user_id, founder.identity());
    let genesis = Organisation::founding_entry(tenant, "Bench org", admin, &identity, [9; 32], 0);
    let mut organisation = Organisation::found(&genesis.digest(), &genesis).expect("founded");
    let mut log = vec![genesis];
    let team = Team { id: TeamId::random(), name: "Office".into(), country: Country::parse("GT").expect("GT") };
    let owner_card = MemberCard {
        user: owner.session.user_id,
        role: Role::CaseManager,
        teams: vec![team.id],
        supervises: vec![],
        keys: owner.identity().public(),
    };
    let append = |organisation: &mut Organisation, log: &mut Vec<SignedEntry>, change: Change| {
        let entry = organisation.next_entry(change, 0).expect("follows");
        let signed = SignedEntry::sign(&entry, admin, &identity);
        organisation.apply(&signed).expect("applies");
        log.push(signed);
    };
    append(&mut organisation, &mut log, Change::TeamAdded { team: team.clone() });
    append(&mut organisation, &mut log, Change::MemberAdded { member: owner_card });
    // The supervisor enrols from the coordinator's link and is vouched for as the team's.
    let request =
        InviteRequest { role: Role::Supervisor, teams: vec![team.id], supervises: vec![team.id], label: vec![] };
    for (seq, signed) in log.iter().enumerate() {
        create_json(&store, &puente_backend::layout::membership_entry(tenant, seq as u64), signed).await.unwrap();
    }
    let invite: InviteResponse =
        founder.send(reqwest::Method::POST, "/api/invites", Some(&request)).await.json().await.expect("invite");
    let enrolled =
        puente_tests::api::enrol(&backend.url, &invite.invite, "bench.supervisor", PASSPHRASE).await.json::<Session>();
    let supervisor = enrolled.await.expect("supervisor session").user_id;
    let pending: PendingResponse =
        founder.send(reqwest::Method::GET, "/api/members/pending", None::<&()>).await.json().await.expect("pending");
    let keys = pending.pending.iter().find(|p| p.user_id == supervisor).expect("pending supervisor").keys;
    let card =
        MemberCard { user: supervisor, role: Role::Supervisor, teams: vec![team.id], supervises: vec![team.id], keys };
    append(&mut organisation, &mut log, Change::MemberAdded { member: card });
    let last = log.len() - 1;
    create_json(&store, &puente_backend::layout::membership_entry(tenant, last as u64), &log[last]).await.unwrap();

    // The case manager's cases, each created with grants to the owner and the supervisor.
    let own = owner.identity().public().agreement;
    let mut sizes = Vec::with_capacity(cases);
    for i in 0..cases {
        let case = CaseId::random();
        let key = (KeyId::random(), SecretKey::random());
        let mut doc =
            puente_shared::CaseDocument::new(case, owner.session.user_id, 0, time::macros::date!(2026 - 01 - 01));
        doc.form.given_names = format!("Returnee {i}");
        doc.form.family_name = format!("Family {i}");
        doc.form.notes = "Notes from the first session. ".repeat(40);
        let body = serde_json::to_vec(&doc).expect("a document");
        let request = AccessRequest {
            create: true,
            changes: vec![AccessChange::Grant { user: supervisor, share: Share::Supervisor }],
            grants: vec![
                owner.grant(case, &key, Recipient::Member(owner.session.user_id), &own),
                owner.grant(case, &key, Recipient::Member(supervisor), &keys.agreement),
            ],
        };
        assert_eq!(owner.change_access(case, &request).await.status(), 200);
        let sealed = owner.seal_with(case, 1, &key, &body);
        sizes.push(sealed.len());
        assert_eq!(owner.push(case, 1, sealed).await.status(), 201);
    }

    let browser = Browser::start().await;
    browser.goto(&format!("{}/login", backend.url)).await;
    browser.type_into("#login-username", "bench.supervisor").await;
    browser.type_into("#login-passphrase", PASSPHRASE).await;
    let start = Instant::now();
    browser.click("#login-submit").await;
    browser.wait_for("#new-case", 60).await;
    // Until every case is listed, or nothing more arrives for two minutes (then the figure
    // says how far it got).
    let (mut listed, mut progress) = (0, Instant::now());
    while listed < cases && progress.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = browser.eval("return document.querySelectorAll('#case-list a[data-case]').length").await;
        let now = now.as_u64().unwrap_or(0) as usize;
        if now > listed {
            (listed, progress) = (now, Instant::now());
        }
    }
    let elapsed = if listed == cases { start.elapsed() } else { progress.duration_since(start) };
    browser.close().await;
    backend.stop();
    let mut summary = summarise(vec![elapsed]);
    summary["cases"] = json!(cases);
    summary["listed"] = json!(listed);
    summary["sealed_bytes_each"] = json!(sizes.iter().sum::<usize>() / sizes.len());
    summary
}

/// A size measured by the build and passed in by `cargo xtask bench` (null when absent).
fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[tokio::main]
async fn main() {
    let (seal, open) = envelope();
    let (push, fetch, feed) = sync_api().await;
    let (grant, revoke) = sharing_api().await;
    let unlock = browser_unlock().await;
    let (membership_first, membership_unlock) = browser_membership().await;
    let supervisor_first_sync = browser_supervisor_first_sync().await;
    let report = json!({
        "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0) },
        "argon2id_default_native": kdf(),
        "unlock_in_chromium_default_kdf": unlock,
        "seal_10kib": seal,
        "open_10kib": open,
        "push_10kib_fs_loopback": push,
        "fetch_10kib_fs_loopback": fetch,
        "change_feed_300_entries_fs_loopback": feed,
        "share_case_grant_fs_loopback": grant,
        "share_case_revoke_fs_loopback": revoke,
        "membership_500_entries_enrol_to_verified_in_chromium": membership_first,
        "membership_500_entries_unlock_to_verified_in_chromium": membership_unlock,
        "supervisor_first_sync_team_cases_in_chromium": supervisor_first_sync,
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
