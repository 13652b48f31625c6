//! Passphrase change and organisation recovery over real HTTP: the account key never
//! changes and never reaches the server; what the passphrase opens is replaced, and every
//! session opened before ends.

use base64::Engine;
use puente_backend::layout;
use puente_backend::store::BlobStore;
use puente_shared::credentials::recovery_statement;
use puente_shared::crypto::{
    derive_keys, escrow_account_key, escrow_statement, open_escrow, unwrap_account_key, IdentityKeys, Purpose,
    RecoveryKey, SecretKey,
};
use puente_shared::membership::{Change, MemberCard, Organisation, Role, SignedEntry};
use puente_shared::protocol::{
    Escrow, NewCredentials, PassphraseChange, Recovery, RecoveryMaterial, Session, SessionToken,
};
use puente_shared::UserId;
use puente_tests::api::{error_code, fs_server, join_org, new_org_user, Device};
use reqwest::{Method, StatusCode};

fn change(device: &Device, current: &str, new: &str) -> PassphraseChange {
    PassphraseChange { current_auth_secret: device.auth_secret(current), new: device.new_credentials(new) }
}

async fn put_passphrase(device: &Device, token: &str, request: &PassphraseChange) -> reqwest::Response {
    device
        .http
        .put(format!("{}/api/account/passphrase", device.url))
        .bearer_auth(token)
        .json(request)
        .send()
        .await
        .expect("passphrase change")
}

/// The account key a sign-in's wrapped key opens with `passphrase`.
fn account_key_of(session: &Session, passphrase: &str) -> SecretKey {
    let keys = derive_keys(passphrase, &session.salt, session.kdf).unwrap();
    unwrap_account_key(&keys.kek, &session.wrapped_account_key, session.user_id).unwrap()
}

#[tokio::test]
async fn a_passphrase_change_proves_the_current_one_keeps_the_account_key_and_ends_every_other_session() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let other_device: Session = ana.login().await.json().await.unwrap();
    let old = ana.passphrase.clone();
    let new = "a completely new passphrase for ana";

    // Refused, and nothing changes: a wrong current passphrase, bad key material, weak cost.
    let wrong = put_passphrase(&ana, &ana.session.token, &change(&ana, "not it", new)).await;
    assert_eq!((wrong.status(), error_code(wrong).await.as_str()), (StatusCode::FORBIDDEN, "wrong_passphrase"));
    let mut short = change(&ana, &old, new);
    short.new.auth_secret.pop();
    assert_eq!(error_code(put_passphrase(&ana, &ana.session.token, &short).await).await, "malformed_keys");
    let mut weak = change(&ana, &old, new);
    weak.new.kdf.m_kib = 1024;
    assert_eq!(error_code(put_passphrase(&ana, &ana.session.token, &weak).await).await, "weak_kdf");
    let stranger = put_passphrase(&ana, "v1.forged.token", &change(&ana, &old, new)).await;
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(ana.get_with("/api/changes", &other_device.token).await.status(), StatusCode::OK);
    assert_eq!(ana.login().await.status(), StatusCode::OK);

    let changed = put_passphrase(&ana, &ana.session.token, &change(&ana, &old, new)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let renewed: SessionToken = changed.json().await.unwrap();
    // Every session opened before ends, this device's included; the new one works.
    for token in [&ana.session.token, &other_device.token] {
        let ended = ana.get_with("/api/changes", token).await;
        assert_eq!(
            (ended.status(), error_code(ended).await.as_str()),
            (StatusCode::UNAUTHORIZED, "passphrase_changed")
        );
    }
    assert_eq!(ana.get_with("/api/changes", &renewed.token).await.status(), StatusCode::OK);
    // The old passphrase no longer signs in anywhere; the new one does, and opens the same
    // account key, so every case stays readable.
    assert_eq!(error_code(ana.login_with(&old).await).await, "unauthorized");
    let signed_in: Session = ana.login_with(new).await.json().await.unwrap();
    assert_ne!(signed_in.salt, ana.session.salt, "a new salt");
    assert_eq!(signed_in.recovered_by, None);
    assert_eq!(account_key_of(&signed_in, new), ana.account_key);

    // A second change ends the session the first one gave.
    let ana = Device { session: Session { token: renewed.token.clone(), ..signed_in.clone() }, ..ana };
    let again = change(&ana, new, "and yet another passphrase");
    let changed = put_passphrase(&ana, &renewed.token, &again).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(error_code(ana.get_with("/api/changes", &renewed.token).await).await, "passphrase_changed");
    assert_eq!(error_code(ana.get_with("/api/changes", &signed_in.token).await).await, "passphrase_changed");
    // The same change sent again with the ended token does nothing.
    assert_eq!(put_passphrase(&ana, &renewed.token, &again).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(ana.login_with("and yet another passphrase").await.status(), StatusCode::OK);
}

/// An organisation founded with `recovery`, with `member` vouched for as a case manager.
async fn founded(admin: &Device, member: &Device, recovery: &RecoveryKey) {
    let genesis = Organisation::founding_entry(
        admin.tenant(),
        "Org",
        admin.session.user_id,
        &admin.identity(),
        recovery.public(),
        1,
    );
    let org = Organisation::found(&genesis.digest(), &genesis).unwrap();
    assert_eq!(admin.send(Method::POST, "/api/membership", Some(&genesis)).await.status(), StatusCode::CREATED);
    let card = MemberCard {
        user: member.session.user_id,
        role: Role::CaseManager,
        teams: vec![],
        supervises: vec![],
        keys: member.identity().public(),
    };
    let entry = org.next_entry(Change::MemberAdded { member: card }, 2).unwrap();
    let signed = SignedEntry::sign(&entry, admin.session.user_id, &admin.identity());
    assert_eq!(admin.send(Method::POST, "/api/membership", Some(&signed)).await.status(), StatusCode::CREATED);
}

/// An escrow of `device`'s account key to `recovery`, signed by `signer`.
fn escrow_signed(device: &Device, recovery: &RecoveryKey, signer: &IdentityKeys) -> Escrow {
    let (tenant, user) = (device.tenant(), device.session.user_id);
    let sealed = escrow_account_key(&recovery.public(), tenant, user, &device.account_key).unwrap();
    let signature = signer.sign(Purpose::Escrow, &escrow_statement(tenant, user, &recovery.public(), &sealed));
    Escrow { recovery: recovery.public(), sealed, signature }
}

fn escrow_of(device: &Device, recovery: &RecoveryKey) -> Escrow {
    escrow_signed(device, recovery, &device.identity())
}

/// A recovery of `target` to `credentials`, replacing version `replaces`, signed by `signer`.
fn recovery_by(target: &Device, replaces: u64, credentials: &NewCredentials, signer: &IdentityKeys) -> Recovery {
    let statement = recovery_statement(target.tenant(), target.session.user_id, replaces, credentials);
    Recovery { replaces, credentials: credentials.clone(), signature: signer.sign(Purpose::Recovery, &statement) }
}

async fn every_object(store: &impl BlobStore) -> Vec<(String, Vec<u8>)> {
    let mut objects = Vec::new();
    for key in store.list("", None, 10_000).await.unwrap() {
        let object = puente_backend::store::ObjectKey::parse(key.clone()).unwrap();
        objects.push((key, store.get(&object).await.unwrap().unwrap_or_default().to_vec()));
    }
    objects
}

#[tokio::test]
async fn an_administrator_with_the_recovery_sheet_gives_a_member_a_new_passphrase_for_the_same_account_key() {
    let (server, _dir) = fs_server().await;
    let admin = new_org_user(&server.store, &server.url, "coordinator").await;
    let bea = join_org(&server.store, &server.url, admin.tenant(), "bea").await;
    let recovery = RecoveryKey::generate();
    founded(&admin, &bea, &recovery).await;
    let path = |device: &Device, what: &str| format!("/api/members/{}/{what}", device.session.user_id);

    // Before bea's device has sealed its key for recovery, there is nothing to open.
    let none = admin.send(Method::GET, &path(&bea, "recovery"), None::<&()>).await;
    assert_eq!((none.status(), error_code(none).await.as_str()), (StatusCode::NOT_FOUND, "no_escrow"));

    // An escrow must be signed by bea's own identity key (a stolen session cannot plant
    // one) and sealed to the organisation's recovery key; malformed ones are refused.
    let put = |escrow: Escrow| {
        let bea = bea.clone();
        async move { bea.send(Method::PUT, "/api/account/escrow", Some(&escrow)).await }
    };
    let forged = escrow_signed(&bea, &recovery, &IdentityKeys::generate());
    assert_eq!(error_code(put(forged).await).await, "bad_signature");
    assert_eq!(error_code(put(escrow_of(&bea, &RecoveryKey::generate())).await).await, "wrong_recovery_key");
    let escrow = escrow_of(&bea, &recovery);
    let short = Escrow { sealed: escrow.sealed[1..].to_vec(), ..escrow.clone() };
    assert_eq!(error_code(put(short).await).await, "malformed_escrow");
    let tampered = Escrow { sealed: escrow_of(&bea, &recovery).sealed, ..escrow.clone() };
    assert_eq!(error_code(put(tampered).await).await, "bad_signature");
    assert!(server.store.get(&layout::escrow(bea.tenant(), bea.session.user_id)).await.unwrap().is_none());
    // Kept once; another device of hers sealing again is taken as kept.
    assert_eq!(put(escrow.clone()).await.status(), StatusCode::CREATED);
    assert_eq!(put(escrow_of(&bea, &recovery)).await.status(), StatusCode::OK);

    // Only an administrator gets it, and it opens only with the sheet.
    let refused = bea.send(Method::GET, &path(&bea, "recovery"), None::<&()>).await;
    assert_eq!(error_code(refused).await, "not_an_administrator");
    let material: RecoveryMaterial =
        admin.send(Method::GET, &path(&bea, "recovery"), None::<&()>).await.json().await.unwrap();
    assert_eq!(material.escrow, escrow);
    assert_eq!(material.credentials_version, 0);
    let typed = RecoveryKey::parse(&recovery.words()).unwrap();
    let account_key = open_escrow(&typed, bea.tenant(), bea.session.user_id, &material.escrow.sealed).unwrap();
    assert_eq!(account_key, bea.account_key);
    // The opened key is bea's: it opens the identity keys the log vouches for.
    let identity = IdentityKeys::unwrap(&account_key, &material.identity.wrapped, bea.session.user_id).unwrap();
    assert_eq!(identity.public(), bea.identity().public());
    assert!(open_escrow(&RecoveryKey::generate(), bea.tenant(), bea.session.user_id, &escrow.sealed).is_err());

    // Bea chooses a new passphrase on the administrator's device, which signs it with her
    // identity key.
    let new = "bea's passphrase after recovery";
    let credentials = puente_tests::api::new_credentials_for(&account_key, bea.session.user_id, new);
    let recover = |device: &Device, target: &Device, body: &Recovery| {
        let (device, path, body) = (device.clone(), path(target, "recover"), body.clone());
        async move { device.send(Method::POST, &path, Some(&body)).await }
    };
    let proved = recovery_by(&bea, 0, &credentials, &identity);
    assert_eq!(error_code(recover(&bea, &bea, &proved).await).await, "not_an_administrator");
    assert_eq!(error_code(recover(&admin, &admin, &proved).await).await, "cannot_recover_self");
    let mut malformed = proved.clone();
    malformed.credentials.wrapped_account_key.pop();
    assert_eq!(error_code(recover(&admin, &bea, &malformed).await).await, "malformed_keys");
    // An administrator's session without the sheet cannot replace bea's passphrase.
    let unproved = recovery_by(&bea, 0, &credentials, &admin.identity());
    assert_eq!(error_code(recover(&admin, &bea, &unproved).await).await, "bad_recovery_proof");
    let other_credentials = puente_tests::api::new_credentials_for(&account_key, bea.session.user_id, "other");
    let swapped = Recovery { credentials: other_credentials, ..proved.clone() };
    assert_eq!(error_code(recover(&admin, &bea, &swapped).await).await, "bad_recovery_proof");
    let stale = recovery_by(&bea, 1, &credentials, &identity);
    assert_eq!(error_code(recover(&admin, &bea, &stale).await).await, "credentials_changed");
    assert_eq!(bea.get_with("/api/changes", &bea.session.token).await.status(), StatusCode::OK, "nothing changed");
    assert_eq!(recover(&admin, &bea, &proved).await.status(), StatusCode::NO_CONTENT);
    // The same request again is refused: it replaces a version no longer in force.
    assert_eq!(error_code(recover(&admin, &bea, &proved).await).await, "credentials_changed");
    let ended = bea.get_with("/api/changes", &bea.session.token).await;
    assert_eq!(error_code(ended).await, "passphrase_changed");
    assert_eq!(error_code(bea.login().await).await, "unauthorized", "the forgotten passphrase is gone");
    let signed_in: Session = bea.login_with(new).await.json().await.unwrap();
    assert_eq!(account_key_of(&signed_in, new), bea.account_key, "every earlier case opens again");
    assert_eq!(signed_in.recovered_by, Some(admin.session.user_id), "bea is told who set it");
    assert_eq!(admin.get_with("/api/changes", &admin.session.token).await.status(), StatusCode::OK);

    // The store holds the escrow, sealed; never the account key, the recovery key or its words.
    let words = recovery.words();
    let secrets: [&[u8]; 3] = [bea.account_key.expose(), recovery.secret().expose(), words.as_bytes()];
    for (key, bytes) in every_object(&server.store).await {
        let text = String::from_utf8_lossy(&bytes);
        for secret in secrets {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret), "{key} holds a secret");
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
            assert!(!text.contains(&encoded), "{key} holds a secret in base64");
        }
    }

    // Someone the log does not vouch for, a disabled member, someone who does not exist:
    // none is recovered.
    let newcomer = join_org(&server.store, &server.url, admin.tenant(), "newcomer").await;
    let for_newcomer = puente_tests::api::new_credentials_for(&newcomer.account_key, newcomer.session.user_id, new);
    let pending = recovery_by(&newcomer, 0, &for_newcomer, &newcomer.identity());
    assert_eq!(error_code(recover(&admin, &newcomer, &pending).await).await, "not_a_member");
    let again = recovery_by(&bea, 1, &credentials, &identity);
    assert!(puente_backend::accounts::disable(&server.store, bea.tenant(), bea.session.user_id).await.unwrap());
    assert_eq!(error_code(recover(&admin, &bea, &again).await).await, "member_disabled");
    let ghost = Device { session: Session { user_id: UserId::random(), ..bea.session.clone() }, ..bea.clone() };
    assert_eq!(recover(&admin, &ghost, &again).await.status(), StatusCode::NOT_FOUND);
    assert!(server.store.get(&layout::escrow(bea.tenant(), ghost.session.user_id)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_session_is_no_way_around_the_sign_in_throttle() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let guess = |n: usize| change(&ana, &format!("guess number {n}"), "a completely new passphrase");
    for n in 0..puente_backend::throttle::MAX_FAILURES as usize {
        let refused = put_passphrase(&ana, &ana.session.token, &guess(n)).await;
        assert_eq!(error_code(refused).await, "wrong_passphrase");
    }
    // Locked out, even with the right passphrase, until the window ends, here and at
    // sign-in (one count for both); nothing changed and the session goes on.
    let right = put_passphrase(&ana, &ana.session.token, &change(&ana, &ana.passphrase.clone(), "new one 123")).await;
    assert_eq!(
        (right.status(), error_code(right).await.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    assert_eq!(error_code(ana.login().await).await, "too_many_attempts");
    assert_eq!(ana.get_with("/api/changes", &ana.session.token).await.status(), StatusCode::OK);
    // Wrong sign-ins count for a change too.
    let bea = join_org(&server.store, &server.url, ana.tenant(), "bea").await;
    let guesser = Device { passphrase: "a wrong guess".into(), ..bea.clone() };
    for _ in 0..puente_backend::throttle::MAX_FAILURES {
        assert_eq!(error_code(guesser.login().await).await, "unauthorized");
    }
    let right = put_passphrase(&bea, &bea.session.token, &change(&bea, &bea.passphrase.clone(), "new one 123")).await;
    assert_eq!(error_code(right).await, "too_many_attempts");
}
