//! The vault in real headless Chromium: real IndexedDB, real WebCrypto randomness.

use puente_frontend::open_cases::{CaseEntry, OpenCases};
use puente_frontend::persist;
use puente_frontend::vault::db::DeviceDb;
use puente_frontend::vault::records::CaseRecord;
use puente_frontend::vault::{new_account_keys, CaseKey, Vault, VaultError};
use puente_shared::case_sync::CaseSync;
use puente_shared::crypto::{public_of, IdentityKeys, KdfParams, Recipient, SecretKey};
use puente_shared::membership::{Change, MemberCard, Organisation, Role, SignedEntry};
use puente_shared::protocol::{Session, Username};
use puente_shared::{CaseDocument, CaseId, TenantId, UserId};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The cheapest cost a device accepts keeps the tests quick; the production default is
/// exercised by the end-to-end suite.
const FAST: KdfParams = KdfParams { m_kib: KdfParams::MIN_M_KIB, t: 2, p: 1 };
const PASSPHRASE: &str = "lantern river 42 Oak maple";
const CANARY: &str = "CanaryWasmVault7f3a";

fn fresh_name() -> String {
    format!("puente-test-{}", CaseId::random())
}

/// A vault as enrolment leaves it, without a server: the session is built locally.
async fn new_vault(name: &str) -> Vault {
    new_vault_with(name, true).await
}

/// `with_identity: false` makes the vault of an account from before identity keys existed.
async fn new_vault_with(name: &str, with_identity: bool) -> Vault {
    let user = UserId::random();
    let account = new_account_keys(PASSPHRASE, user, FAST).unwrap();
    let session = Session {
        token: String::new(),
        expires_at: 0,
        tenant: TenantId::random(),
        user_id: user,
        username: Username::parse("amina.case").unwrap(),
        salt: account.salt,
        kdf: FAST,
        wrapped_account_key: account.wrapped_account_key,
        identity: with_identity.then_some(account.identity),
        recovered_by: None,
    };
    Vault::install(DeviceDb::open(name).await.unwrap(), &session, account.keys).await.unwrap()
}

#[wasm_bindgen_test]
async fn identity_keys_come_back_at_unlock_and_an_older_account_gets_them_once() {
    let name = fresh_name();
    let vault = new_vault(&name).await;
    let public = vault.identity().public();
    assert!(vault.unpublished_identity().is_none(), "enrolment published them");
    let reopened = Vault::unlock(DeviceDb::open(&name).await.unwrap(), PASSPHRASE).await.unwrap();
    assert_eq!(reopened.identity().public(), public);

    let older = fresh_name();
    let vault = new_vault_with(&older, false).await;
    let made = vault.unpublished_identity().expect("keys made, to be published").keys;
    assert_eq!(made, vault.identity().public());
    let reopened = Vault::unlock(DeviceDb::open(&older).await.unwrap(), PASSPHRASE).await.unwrap();
    assert_eq!(reopened.identity().public(), made, "made once, then kept");
    assert!(reopened.unpublished_identity().is_some());
    reopened.identity_was_published().await.unwrap();
    assert!(reopened.unpublished_identity().is_none());
    let again = Vault::unlock(DeviceDb::open(&older).await.unwrap(), PASSPHRASE).await.unwrap();
    assert!(again.unpublished_identity().is_none());
    assert_eq!(again.identity().public(), made);
}

async fn store_canary_case(vault: &Vault) -> CaseId {
    let id = CaseId::random();
    let mut doc = CaseDocument::new(id, vault.user_id(), 0, time::macros::date!(2026 - 01 - 01));
    doc.form.family_name = CANARY.into();
    doc.form.notes = format!("notes about {CANARY}");
    let key = CaseKey::random();
    let record = CaseRecord {
        id,
        sealed: vault.seal(&doc, &key, 1),
        base_rev: 0,
        dirty: true,
        edit_seq: 1,
        conflict: None,
        retired_keys: Default::default(),
    };
    vault.db.put_case(&record).await.unwrap();
    id
}

#[wasm_bindgen_test]
async fn a_sealed_case_survives_reopening_the_database_and_opens_with_the_passphrase() {
    let name = fresh_name();
    let id = store_canary_case(&new_vault(&name).await).await;

    let reopened = Vault::unlock(DeviceDb::open(&name).await.unwrap(), PASSPHRASE).await.unwrap();
    let records = reopened.db.cases().await.unwrap();
    assert_eq!(records.len(), 1);
    let (doc, _) = reopened.open(&records[0].sealed, id, None).unwrap();
    assert_eq!(doc.form.family_name, CANARY);
}

#[wasm_bindgen_test]
async fn a_wrong_passphrase_is_refused() {
    let name = fresh_name();
    new_vault(&name).await;
    let result = Vault::unlock(DeviceDb::open(&name).await.unwrap(), "lantern river 42 Oak maplE").await;
    assert!(matches!(result, Err(VaultError::WrongPassphrase)));
}

#[wasm_bindgen_test]
async fn no_vault_means_no_unlock() {
    let result = Vault::unlock(DeviceDb::open(&fresh_name()).await.unwrap(), PASSPHRASE).await;
    assert!(matches!(result, Err(VaultError::NoVault)));
}

#[wasm_bindgen_test]
async fn raw_indexed_db_values_hold_no_plaintext() {
    let name = fresh_name();
    let vault = new_vault(&name).await;
    store_canary_case(&vault).await;
    let raw = vault.db.raw_dump().await.unwrap();
    assert!(raw.len() >= 2, "the header and the case are stored: {raw:?}");
    for value in &raw {
        assert!(!value.contains(CANARY), "plaintext in IndexedDB: {value}");
        assert!(!value.contains(PASSPHRASE));
    }
}

#[wasm_bindgen_test]
async fn a_case_sealed_for_one_case_id_does_not_open_as_another() {
    let vault = new_vault(&fresh_name()).await;
    let id = store_canary_case(&vault).await;
    let record = vault.db.case(id).await.unwrap().unwrap();
    assert!(vault.open(&record.sealed, CaseId::random(), None).is_err());
}

#[wasm_bindgen_test]
async fn a_device_draft_is_sealed_reopens_with_the_passphrase_and_is_never_a_case() {
    let name = fresh_name();
    let vault = new_vault(&name).await;
    let draft = vec![CANARY.to_owned(), "Reception centre".to_owned()];
    vault.db.put_group_draft(Some(&vault.seal_draft(&draft))).await.unwrap();
    assert!(!vault.db.raw_dump().await.unwrap().join("\n").contains(CANARY), "IndexedDB holds the draft in clear");

    let reopened = Vault::unlock(DeviceDb::open(&name).await.unwrap(), PASSPHRASE).await.unwrap();
    let sealed = reopened.db.group_draft().await.unwrap().expect("the draft is kept");
    assert_eq!(reopened.open_draft::<Vec<String>>(&sealed).unwrap(), draft);
    // Drafts and cases are sealed under different ids: neither opens as the other.
    let case = store_canary_case(&reopened).await;
    assert!(matches!(reopened.open(&sealed, case, None), Err(VaultError::Crypto(_))), "a draft opened as a case");
    let case_sealed = reopened.db.cases().await.unwrap().into_iter().find(|r| r.id == case).unwrap().sealed;
    assert!(
        matches!(reopened.open_draft::<Vec<String>>(&case_sealed), Err(VaultError::Crypto(_))),
        "a case opened as a draft"
    );

    reopened.db.put_group_draft(None).await.unwrap();
    assert_eq!(reopened.db.group_draft().await.unwrap(), None, "a recorded form is forgotten");
}

#[wasm_bindgen_test]
async fn a_membership_log_of_500_entries_verifies_in_the_browser() {
    let (founder, keys) = (UserId::random(), IdentityKeys::generate());
    let genesis =
        Organisation::founding_entry(TenantId::random(), "Org", founder, &keys, public_of(&SecretKey::random()), 0);
    let mut organisation = Organisation::found(&genesis.digest(), &genesis).unwrap();
    let mut log = vec![genesis];
    for at in 1..500 {
        let member = MemberCard {
            user: UserId::random(),
            role: Role::CaseManager,
            teams: vec![],
            supervises: vec![],
            keys: IdentityKeys::generate().public(),
        };
        let entry = organisation.next_entry(Change::MemberAdded { member }, at).unwrap();
        let signed = SignedEntry::sign(&entry, founder, &keys);
        organisation.apply(&signed).unwrap();
        log.push(signed);
    }
    let started = js_sys::Date::now();
    let verified = Organisation::verify(&log[0].digest(), &log).unwrap();
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(verified.members().count(), 500);
    assert_eq!(verified, organisation);
    console_log!("verifying a membership log of 500 entries in Chromium: {elapsed} ms");
}

/// Opens the case `id` of the vault at `name` with `passphrase`.
async fn family_name_with(name: &str, passphrase: &str, id: CaseId) -> Result<String, VaultError> {
    let vault = Vault::unlock(DeviceDb::open(name).await.unwrap(), passphrase).await?;
    let record = vault.db.case(id).await.unwrap().expect("the case is kept");
    Ok(vault.open(&record.sealed, id, None)?.0.form.family_name)
}

/// What a sign-in would answer once `credentials` are in force for the vault's account.
fn signed_in(vault: &Vault, credentials: &puente_shared::protocol::NewCredentials) -> Session {
    Session {
        token: "token".into(),
        expires_at: 0,
        tenant: vault.tenant(),
        user_id: vault.user_id(),
        username: Username::parse("amina.case").unwrap(),
        salt: credentials.salt,
        kdf: credentials.kdf,
        wrapped_account_key: credentials.wrapped_account_key.clone(),
        identity: None,
        recovered_by: None,
    }
}

#[wasm_bindgen_test]
async fn a_new_passphrase_opens_the_same_cases_and_a_vault_told_it_changed_opens_only_by_signing_in() {
    const NEW: &str = "seven quiet rivers 88 north";
    const THIRD: &str = "a third passphrase for amina";
    let name = fresh_name();
    let vault = new_vault(&name).await;
    let id = store_canary_case(&vault).await;
    assert!(matches!(
        vault.prepare_passphrase_change("not the passphrase", NEW).await,
        Err(VaultError::WrongPassphrase)
    ));
    // Prepared but not put in force: nothing changes on the device.
    let (change, keys) = vault.prepare_passphrase_change(PASSPHRASE, NEW).await.unwrap();
    assert_eq!(change.new.kdf, KdfParams::default(), "a new passphrase gets the full cost");
    assert_eq!(family_name_with(&name, PASSPHRASE, id).await.unwrap(), CANARY);
    vault.passphrase_changed(&change.new, keys).await.unwrap();
    assert!(matches!(family_name_with(&name, PASSPHRASE, id).await, Err(VaultError::WrongPassphrase)));
    assert_eq!(family_name_with(&name, NEW, id).await.unwrap(), CANARY, "the same account key opens the case");

    // Told the passphrase changed elsewhere, the vault refuses the one it holds.
    let vault = Vault::unlock(DeviceDb::open(&name).await.unwrap(), NEW).await.unwrap();
    let (elsewhere, keys) = vault.prepare_passphrase_change(NEW, THIRD).await.unwrap();
    vault.mark_must_sign_in().await.unwrap();
    assert!(matches!(family_name_with(&name, NEW, id).await, Err(VaultError::MustSignIn)));
    // A sign-in whose key is not this account's is refused and changes nothing.
    let stranger = puente_shared::crypto::wrap_account_key(&keys.kek, &SecretKey::random(), vault.user_id());
    let mut forged = signed_in(&vault, &elsewhere.new);
    forged.wrapped_account_key = stranger;
    let db = DeviceDb::open(&name).await.unwrap();
    let keys_again = puente_shared::crypto::derive_keys(THIRD, &elsewhere.new.salt, elsewhere.new.kdf).unwrap();
    assert!(matches!(Vault::reopen(db, &forged, keys_again).await, Err(VaultError::NotThisAccount)));
    let other_user = Session { user_id: UserId::random(), ..signed_in(&vault, &elsewhere.new) };
    let keys_again = puente_shared::crypto::derive_keys(THIRD, &elsewhere.new.salt, elsewhere.new.kdf).unwrap();
    let db = DeviceDb::open(&name).await.unwrap();
    assert!(matches!(Vault::reopen(db, &other_user, keys_again).await, Err(VaultError::NotThisAccount)));
    assert!(matches!(family_name_with(&name, NEW, id).await, Err(VaultError::MustSignIn)));
    // The real sign-in opens it, and from then on the new passphrase opens it offline.
    let reopened = Vault::reopen(DeviceDb::open(&name).await.unwrap(), &signed_in(&vault, &elsewhere.new), keys).await;
    let reopened = reopened.unwrap();
    assert!(!reopened.must_sign_in());
    assert_eq!(reopened.identity().public(), vault.identity().public());
    assert_eq!(family_name_with(&name, THIRD, id).await.unwrap(), CANARY);
    assert!(matches!(family_name_with(&name, NEW, id).await, Err(VaultError::WrongPassphrase)));
}

#[wasm_bindgen_test]
async fn the_account_key_is_sealed_to_the_recovery_key_until_the_server_keeps_it() {
    let name = fresh_name();
    let vault = new_vault(&name).await;
    let id = store_canary_case(&vault).await;
    let recovery = puente_shared::crypto::RecoveryKey::generate();
    let escrow = vault.escrow_for(&recovery.public()).expect("not kept yet");
    assert_eq!(escrow.recovery, recovery.public());
    // What the recovery key opens is the account key: it opens the member's case.
    let opened = puente_shared::crypto::open_escrow(&recovery, vault.tenant(), vault.user_id(), &escrow.sealed);
    let record = vault.db.case(id).await.unwrap().unwrap();
    let case = puente_shared::crypto::open(&record.sealed, &opened.unwrap(), vault.tenant(), id, None).unwrap();
    assert!(String::from_utf8_lossy(&case.plaintext).contains(CANARY));
    vault.escrow_kept(&recovery.public()).await.unwrap();
    assert!(vault.escrow_for(&recovery.public()).is_none());
    let reopened = Vault::unlock(DeviceDb::open(&name).await.unwrap(), PASSPHRASE).await.unwrap();
    assert!(reopened.escrow_for(&recovery.public()).is_none(), "kept across unlocks");
    let other = puente_shared::crypto::RecoveryKey::generate();
    assert!(reopened.escrow_for(&other.public()).is_some(), "another recovery key gets its own");
}

#[wasm_bindgen_test]
async fn a_revision_for_the_server_opens_only_with_its_key_and_its_authors_keys() {
    let vault = new_vault(&fresh_name()).await;
    let id = CaseId::random();
    let mut doc = CaseDocument::new(id, vault.user_id(), 0, time::macros::date!(2026 - 01 - 01));
    doc.form.family_name = CANARY.into();
    let key = CaseKey::random();
    let sealed = vault.seal_revision(&doc, &key, 1);
    assert!(!String::from_utf8_lossy(&sealed).contains(CANARY));
    let me = vault.identity().public();
    assert_eq!(vault.open_revision(&sealed, id, 1, &key, &me).unwrap(), doc);
    let stranger = IdentityKeys::generate().public();
    assert!(vault.open_revision(&sealed, id, 1, &key, &stranger).is_err(), "another author's keys");
    assert!(vault.open_revision(&sealed, id, 1, &CaseKey::random(), &me).is_err(), "another key");
    assert!(vault.open_revision(&sealed, id, 2, &key, &me).is_err(), "another place");
    assert!(vault.open_revision(&sealed, CaseId::random(), 1, &key, &me).is_err(), "another case");

    // A grant to oneself (for one's other devices) opens, as given by oneself only.
    let grant = vault.grant(id, &key, Recipient::Member(vault.user_id()), &me.agreement).unwrap();
    let opened = vault.open_grant(&grant, &me).unwrap();
    assert_eq!((opened.id, opened.key), (key.id, key.key.clone()));
    assert!(vault.open_grant(&grant, &stranger).is_err(), "vouched for by someone else");
    let elsewhere = vault.grant(id, &key, Recipient::Member(UserId::random()), &stranger.agreement).unwrap();
    assert!(vault.open_grant(&elsewhere, &me).is_err(), "someone else's grant");
}

#[wasm_bindgen_test]
async fn a_case_never_goes_back_to_a_key_it_retired_even_after_reopening() {
    let name = fresh_name();
    let vault = new_vault(&name).await;
    let id = CaseId::random();
    let doc = CaseDocument::new(id, vault.user_id(), 0, time::macros::date!(2026 - 01 - 01));
    let (first, second) = (CaseKey::random(), CaseKey::random());
    let mut entry = CaseEntry::new(doc, first.clone(), CaseSync::created());
    assert!(entry.take_key(second.clone()), "a renewed key is taken");
    assert!(!entry.take_key(first.clone()), "the key it replaced is not");
    assert_eq!(entry.key.id, second.id);
    let cases = OpenCases::new();
    cases.insert(entry.clone());
    persist::store(&vault, cases, &entry).await.unwrap();

    let reopened = Vault::unlock(DeviceDb::open(&name).await.unwrap(), PASSPHRASE).await.unwrap();
    let mut loaded = persist::load(&reopened).await.unwrap().remove(&id).unwrap();
    assert_eq!(loaded.key.id, second.id);
    assert!(loaded.retired.contains(first.id), "the retired key is remembered on the device");
    assert!(!loaded.take_key(first), "and still refused after the vault reopens");
    assert_eq!(loaded.key.id, second.id);
}
