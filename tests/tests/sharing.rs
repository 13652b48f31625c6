//! End to end with one browser profile per person: a coordinator, the supervisor of an
//! office, a case manager of that office and a case manager of no team. A case reaches its
//! owner and the office's supervisor and nobody else; the server refuses it to everyone
//! else; shared under a consent, it reaches the colleague named, and withdrawing the
//! consent takes it back; the supervisor moves a case to another case manager; a revision
//! planted in the store under a key the membership log does not vouch for
//! is set aside on its case without stopping any other case's sync.

use puente_backend::changelog::ChangeLog;
use puente_backend::layout;
use puente_backend::store::BlobStore;
use puente_shared::access::Share;
use puente_shared::crypto::{self, IdentityKeys, RevisionHeader, SecretKey};
use puente_shared::protocol::{ChangeEntry, ChangeKind, Session};
use puente_shared::KeyId;
use puente_tests::api::sign_in;
use puente_tests::backend_process::BackendProcess;
use puente_tests::free_port;
use puente_tests::people::{
    canary, feed_names, found, invite_and_confirm, listed, lists, open_case_id, open_listed, synced, until_refused,
    MEMBER_PASSPHRASE,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_reaches_its_owner_supervisor_and_named_colleague_only_and_a_forged_revision_is_set_aside() {
    let logs = tempfile::tempdir().unwrap();
    let bucket = puente_tests::seaweed::Bucket::fresh().await;
    let backend = BackendProcess::start(free_port(), &bucket.args(), &bucket.envs(), logs.path());

    // The coordinator founds the organisation with one office.
    let admin = found(&backend.enrolment_link(), &[("Oficina Madrid", "ES")]).await;
    let supervisor = invite_and_confirm(&admin, "supervisor", Some("Oficina Madrid"), "sofia.sup", 2).await;
    let owner = invite_and_confirm(&admin, "case_manager", Some("Oficina Madrid"), "carlos.cm", 3).await;
    let stranger = invite_and_confirm(&admin, "case_manager", None, "ursula.cm", 4).await;
    admin.close().await;

    // The case manager registers a returnee.
    let family = canary();
    owner.click("a.brand").await;
    owner.click("#new-case").await;
    owner.type_into("#family_name", &family).await;
    synced(&owner, "the case is synced").await;
    let case = open_case_id(&owner).await;

    // The office's supervisor receives it; the case manager of no team does not.
    supervisor.click("a.brand").await;
    lists(&supervisor, &family, "the supervisor's device lists the team's case").await;
    stranger.click("a.brand").await;
    stranger
        .until(
            "the stranger's device has synced",
            "return document.querySelector('#net-status')?.dataset.state === 'online'",
            60,
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    assert!(!listed(&stranger).await.contains(&family));
    assert_eq!(stranger.eval("return document.querySelectorAll('#case-list a[data-case]').length").await, 0);

    // To the server, the stranger may not have it: 403 for its revision and its access, and
    // not a word of it in the feed.
    let session: Session = sign_in(&backend.url, "ursula.cm", MEMBER_PASSPHRASE).await.json().await.unwrap();
    let http = reqwest::Client::new();
    for path in [format!("/api/cases/{case}/revisions/1"), format!("/api/cases/{case}/access")] {
        let response = http.get(format!("{}{path}", backend.url)).bearer_auth(&session.token).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert!(!feed_names(&backend.url, &session.token, case).await, "the stranger's feed names the case");

    // With the person's consent to share with a named professional, the case manager gives
    // the case to the colleague; it reaches the colleague's device. Withdrawing the consent
    // takes it back: the server refuses the colleague, and no later revision reaches them.
    owner.click("nav.tabs a[data-section=registration]").await;
    owner.set_value("#consent_giver", "person").await;
    owner.type_into("#consent_giver_name", "Amina").await;
    let today = owner.eval("return new Date().toISOString().slice(0, 10)").await;
    owner.set_value("#consent_given_on", today.as_str().unwrap()).await;
    owner.click("input[name=consent_scopes][value=sharing]").await;
    owner.type_into("#consent_recipients", "the protection focal point").await;
    owner.click("#consent_informed_of_processing").await;
    owner.click("#record-consent").await;
    owner
        .until("the consent is listed", "return document.querySelectorAll('#consent-list li.entry').length === 1", 10)
        .await;
    owner.click("nav.tabs a[data-section=sharing]").await;
    owner.wait_for("#share-form", 20).await;
    let colleague_id = session.user_id.to_string();
    owner.wait_for(&format!("#share-with option[value='{colleague_id}']"), 30).await;
    owner.set_value("#share-with", &colleague_id).await;
    let consent = owner.eval("return document.querySelector('#share-consent option:not([value=\"\"])').value").await;
    owner.set_value("#share-consent", consent.as_str().unwrap()).await;
    owner.click("#share-submit").await;
    owner.wait_for(&format!("#disclosures li[data-with='{colleague_id}'][data-in-force=true]"), 10).await;
    lists(&stranger, &family, "the named colleague's device receives the case").await;
    owner.click("#refresh-access").await;
    owner.wait_for(&format!("#access-people li[data-user='{colleague_id}'][data-share=colleague]"), 30).await;
    // The consent is withdrawn: the sharing ends with it.
    owner.click("nav.tabs a[data-section=registration]").await;
    owner.click("#consent-list button.withdraw").await;
    owner.click("nav.tabs a[data-section=sharing]").await;
    owner.wait_for(&format!("#disclosures li[data-with='{colleague_id}'][data-in-force=false]"), 10).await;
    until_refused(&backend.url, &session.token, case, "the colleague's access was not taken back").await;
    let after = canary();
    owner.click("nav.tabs a[data-section=registration]").await;
    owner.type_into("#notes", &after).await;
    synced(&owner, "the later edit is synced").await;
    assert!(!feed_names(&backend.url, &session.token, case).await, "an entry of the case reaches the former colleague");

    // Someone who writes to the store (a hostile operator) plants the next revision, in the
    // owner's name but signed with a key the membership log never vouched for.
    let store = bucket.store.clone();
    let tenant = session.tenant;
    let first = store.get(&layout::revision(tenant, case, 1)).await.unwrap().unwrap();
    let author = RevisionHeader::parse(&first).unwrap().author;
    let latest = store.list(&layout::case_prefix(tenant, case), None, 1000).await.unwrap().len() as u64;
    let header = RevisionHeader { tenant, case, revision: latest + 1, parent: latest, key_id: KeyId::random(), author };
    let forged = crypto::seal_revision(&header, &SecretKey::random(), &IdentityKeys::generate(), b"{}");
    let size = forged.len() as u64;
    store.create(&layout::revision(tenant, case, latest + 1), forged.into()).await.unwrap();
    let entry = ChangeEntry { seq: 0, case, revision: latest + 1, size, author, at: 0, kind: ChangeKind::Revision };
    ChangeLog::default().append(&store, tenant, entry).await.unwrap();

    // Both devices that may open the case set it aside, on that case only.
    supervisor.click("#case-list a[data-case]").await;
    for browser in [&supervisor, &owner] {
        browser.wait_for("#set-aside .set-aside-item[data-reason=bad_signature]", 60).await;
    }
    assert_eq!(supervisor.value("#family_name").await, family, "the case as it was is still shown");
    // Everything else keeps syncing: a second case reaches the supervisor.
    let second = canary();
    owner.click("#back").await;
    owner.click("#new-case").await;
    owner.type_into("#family_name", &second).await;
    supervisor.click("#back").await;
    lists(&supervisor, &second, "the next case still reaches the supervisor").await;

    // The supervisor moves the second case to the case manager of no team: it reaches her
    // device, and its previous owner's changes are no longer taken (they stay on his device).
    open_listed(&supervisor, &second).await;
    supervisor.click_until("nav.tabs a[data-section=sharing]", "#who-can-open", 20).await;
    let new_owner = session.user_id.to_string();
    supervisor.wait_for(&format!("#reassign-to option[value='{new_owner}']"), 30).await;
    supervisor.set_value("#reassign-to", &new_owner).await;
    supervisor.click("#reassign-submit").await;
    supervisor.wait_for(&format!("#access-people li[data-user='{new_owner}'][data-share=owner]"), 30).await;
    lists(&stranger, &second, "the moved case reaches its new owner").await;
    owner.type_into("#notes", " written after the move").await;
    owner.wait_for("#push-refused", 60).await;
    // The new owner's first edit renews the case key, so the previous owner's copy of the
    // old key opens nothing written from now on.
    open_listed(&stranger, &second).await;
    let moved = open_case_id(&stranger).await;
    stranger.click("nav.tabs a[data-section=registration]").await;
    stranger.type_into("#notes", " seen by the new owner").await;
    synced(&stranger, "the new owner's edit is synced").await;
    let revisions = store.list(&layout::case_prefix(tenant, moved), None, 1000).await.unwrap();
    let key_of = |bytes: &[u8]| RevisionHeader::parse(bytes).unwrap().key_id;
    let first = store.get(&layout::revision(tenant, moved, 1)).await.unwrap().unwrap();
    let newest = store.get(&layout::revision(tenant, moved, revisions.len() as u64)).await.unwrap().unwrap();
    assert_ne!(key_of(&newest), key_of(&first), "the moved case is still written under its first key");
    // The supervisor who moved it keeps it, though she does not supervise the new owner: the
    // move is recorded in the case, and the renewal accounts for her from there.
    let sofia: Session = sign_in(&backend.url, "sofia.sup", MEMBER_PASSPHRASE).await.json().await.unwrap();
    let record = puente_backend::access::current(&store, tenant, moved).await.unwrap().unwrap();
    assert_eq!(record.owner(), Some(session.user_id));
    assert_eq!(record.share_of(sofia.user_id), Some(Share::Supervisor), "the renewal took off the one who moved it");
    assert_eq!((record.key, record.rekey), (Some(key_of(&newest)), false));

    // The names are nowhere they should not be.
    let stranger_db = stranger.indexed_db_dump().await;
    for name in [&family, &second] {
        assert!(!stranger_db.contains(name.as_str()), "the stranger's IndexedDB holds {name}");
    }
    for browser in [&owner, &supervisor] {
        let dump = browser.indexed_db_dump().await;
        assert!(!dump.contains(family.as_str()), "an IndexedDB holds the name in clear");
    }
    for (key, bytes) in bucket.objects().await {
        puente_tests::assert_absent(&format!("object {key}"), &bytes, [&family, &second]);
    }
    let logged = backend.logs();
    assert!(logged.contains("revision accepted"));
    assert!(!logged.contains(family.as_str()) && !logged.contains(second.as_str()));
    for browser in [owner, supervisor, stranger] {
        browser.close().await;
    }
    backend.stop();
}
