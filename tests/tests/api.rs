//! The sync API over real HTTP against the in-process backend, on the filesystem store and
//! on a real S3-compatible server.

use bytes::Bytes;
use puente_backend::accounts;
use puente_backend::layout;
use puente_backend::settings::publish;
use puente_backend::store::{BlobStore, FsStore};
use puente_shared::casefile::referral::Service;
use puente_shared::crypto::{IdentityKeys, SecretKey, Signature};
use puente_shared::membership::{Change, MemberCard, Organisation, Refusal, Role, SignedEntry};
use puente_shared::protocol::{
    AppendedEntry, ErrorBody, InviteRequest, InviteResponse, LoginParams, MembershipResponse, NewCredentials,
    PendingResponse, PublishedIdentity, PushResponse, Recovery, Session, MAX_REVISION_BYTES,
};
use puente_shared::settings::{OrganisationSettings, Provider};
use puente_shared::UserId;
use puente_shared::{CaseId, KeyId};
use puente_tests::api::{enrol, error_code, fs_server, join_org, new_org_user, Device};
use puente_tests::server::TestServer;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_answers_without_a_token() {
    let (server, _dir) = fs_server().await;
    let response = reqwest::get(format!("{}/healthz", server.url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_data_route_needs_a_valid_token() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let case = CaseId::random();
    let http = Client::new();
    let routes = [
        http.get(format!("{}/api/changes", server.url)),
        http.get(format!("{}/api/settings", server.url)),
        http.get(format!("{}/api/cases/{case}/revisions/1", server.url)),
        http.put(format!("{}/api/cases/{case}/revisions/1", server.url)).body(device.seal(case, 1, b"x")),
    ];
    for request in routes {
        let without = request.try_clone().unwrap().send().await.unwrap();
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(without).await, "unauthorized");
        let forged = format!("{}x", device.session.token);
        let with_forged = request.bearer_auth(forged).send().await.unwrap();
        assert_eq!(with_forged.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(server.store.list(&layout::case_prefix(device.tenant(), case), None, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_disabled_member_is_refused_at_the_next_request_and_cannot_sign_in() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let bea = join_org(&server.store, &server.url, ana.tenant(), "bea").await;
    assert_eq!(bea.get_with("/api/changes", &bea.session.token).await.status(), StatusCode::OK);
    assert!(accounts::disable(&server.store, bea.tenant(), bea.session.user_id).await.unwrap());
    let refused = bea.get_with("/api/changes", &bea.session.token).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(refused).await, "account_disabled");
    let case = CaseId::random();
    let push = bea.push(case, 1, bea.seal(case, 1, b"after leaving")).await;
    assert_eq!(error_code(push).await, "account_disabled");
    assert!(server.store.list(&layout::case_prefix(bea.tenant(), case), None, 10).await.unwrap().is_empty());
    let login = bea.login().await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(login).await, "account_disabled");
    // A wrong passphrase is told apart from nothing: the disabled state is for the owner alone.
    let guess = Device { passphrase: "a guess".into(), ..bea.clone() };
    assert_eq!(error_code(guess.login().await).await, "unauthorized");
    // Colleagues go on; disabling a member who does not exist fails and stores nothing.
    assert_eq!(ana.get_with("/api/changes", &ana.session.token).await.status(), StatusCode::OK);
    let nobody = puente_shared::UserId::random();
    assert!(!accounts::disable(&server.store, ana.tenant(), nobody).await.unwrap(), "no such member");
    assert!(server.store.get(&layout::disabled(ana.tenant(), nobody)).await.unwrap().is_none());
}

/// Posts a membership entry as `device`.
async fn append(device: &Device, signed: &SignedEntry) -> reqwest::Response {
    device.send(Method::POST, "/api/membership", Some(signed)).await
}

async fn membership_log(device: &Device) -> Vec<SignedEntry> {
    let response = device.get_with("/api/membership", &device.session.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<MembershipResponse>().await.unwrap().entries
}

#[tokio::test]
async fn the_membership_log_takes_only_entries_that_follow_and_devices_refuse_what_the_server_invents() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let bea = join_org(&server.store, &server.url, ana.tenant(), "bea").await;
    let (ana_keys, bea_keys) = (ana.identity(), bea.identity());
    assert_eq!(Some(ana_keys.public()), ana.session.identity.as_ref().map(|i| i.keys));
    let card = |user, keys: &IdentityKeys, role| MemberCard {
        user,
        role,
        teams: vec![],
        supervises: vec![],
        keys: keys.public(),
    };
    assert!(membership_log(&ana).await.is_empty());
    // Only the organisation's first member may found its log, even while it is empty.
    let early = Organisation::founding_entry(bea.tenant(), "Org", bea.session.user_id, &bea_keys, [5; 32], 1);
    let refused = append(&bea, &early).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "not_the_founder");
    // An oversized entry is refused before anything is read.
    let huge = SignedEntry { body: vec![b' '; 64 * 1024], ..early.clone() };
    assert_eq!(append(&bea, &huge).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(membership_log(&ana).await.is_empty());

    // Ana founds the organisation; nobody can found it again.
    let genesis = Organisation::founding_entry(ana.tenant(), "Org", ana.session.user_id, &ana_keys, [5; 32], 1);
    let root = genesis.digest();
    let response = append(&ana, &genesis).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.json::<AppendedEntry>().await.unwrap().seq, 0);
    let rival = Organisation::founding_entry(bea.tenant(), "Org", bea.session.user_id, &bea_keys, [5; 32], 1);
    assert_eq!(error_code(append(&bea, &rival).await).await, "out_of_order");
    // A founding entry for another organisation is refused even as the first.
    let other = new_org_user(&server.store, &server.url, "other").await;
    let foreign =
        Organisation::founding_entry(ana.tenant(), "Org", other.session.user_id, &IdentityKeys::generate(), [5; 32], 1);
    assert_eq!(error_code(append(&other, &foreign).await).await, "wrong_organisation");
    assert!(membership_log(&other).await.is_empty(), "another organisation sees nothing of this log");

    // Ana adds Bea; Bea, a case manager, cannot add anyone.
    let mut org = Organisation::verify(&root, &membership_log(&bea).await).unwrap();
    let entry = org
        .next_entry(Change::MemberAdded { member: card(bea.session.user_id, &bea_keys, Role::CaseManager) }, 2)
        .unwrap();
    let added = SignedEntry::sign(&entry, ana.session.user_id, &ana_keys);
    // Sent with someone else's session, an administrator's entry is refused.
    assert_eq!(error_code(append(&bea, &added).await).await, "not_the_signer");
    assert_eq!(append(&ana, &added).await.status(), StatusCode::CREATED);
    assert_eq!(append(&ana, &added).await.status(), StatusCode::CONFLICT, "the same place twice");
    org.apply(&added).unwrap();
    let cid = IdentityKeys::generate();
    let entry =
        org.next_entry(Change::MemberAdded { member: card(UserId::random(), &cid, Role::Administrator) }, 3).unwrap();
    let by_bea = SignedEntry::sign(&entry, bea.session.user_id, &bea_keys);
    let refused = append(&bea, &by_bea).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "not_an_administrator");
    assert_eq!(membership_log(&ana).await.len(), 2);
    let from_one: Vec<SignedEntry> = bea
        .get_with("/api/membership?after=0", &bea.session.token)
        .await
        .json::<MembershipResponse>()
        .await
        .unwrap()
        .entries;
    assert_eq!(from_one, vec![added.clone()]);

    // The store's operator writes an entry of their own, with a key they invented: every
    // device replaying the log from its root refuses it.
    let invented = IdentityKeys::generate();
    let intruder = UserId::random();
    let entry =
        org.next_entry(Change::MemberAdded { member: card(intruder, &invented, Role::Administrator) }, 4).unwrap();
    let forged = SignedEntry::sign(&entry, ana.session.user_id, &invented);
    puente_backend::store::create_json(&server.store, &layout::membership_entry(ana.tenant(), 2), &forged)
        .await
        .unwrap();
    let served = membership_log(&bea).await;
    assert_eq!(served.len(), 3);
    let refusal = Organisation::verify(&root, &served).unwrap_err();
    assert_eq!((refusal.seq, refusal.refusal), (2, Refusal::BadSignature));
    // Nor can it replace the whole log with one it founded itself: the root differs.
    let its_own = Organisation::founding_entry(ana.tenant(), "Org", intruder, &invented, [5; 32], 1);
    assert_eq!(Organisation::verify(&root, &[its_own]).unwrap_err().refusal, Refusal::WrongRoot);
}

#[tokio::test]
async fn identity_keys_are_checked_at_enrolment_and_published_once_by_older_accounts() {
    let (server, _dir) = fs_server().await;
    let tenant = accounts::create_tenant(&server.store, "Org").await.unwrap();
    let invite = accounts::create_invite(&server.store, tenant.id).await.unwrap().encode();
    let mut request = puente_tests::api::enrol_request(&invite, "ana", "ana's long passphrase");
    let good = request.identity.clone();
    request.identity.keys.agreement = request.identity.keys.signing;
    let refused = Client::new().post(format!("{}/api/enrol", server.url)).json(&request).send().await.unwrap();
    assert_eq!(error_code(refused).await, "bad_identity");
    let stored = server.store.list("", None, 100).await.unwrap();
    assert!(!stored.iter().any(|k| k.contains("/users/") || k.contains("/identities/")), "{stored:?}");
    // The invite was not spent on the refusal.
    request.identity = good.clone();
    let enrolled = Client::new().post(format!("{}/api/enrol", server.url)).json(&request).send().await.unwrap();
    assert_eq!(enrolled.status(), StatusCode::CREATED);

    let ana = join_org(&server.store, &server.url, tenant.id, "ana.two").await;
    let key = layout::identity(tenant.id, ana.session.user_id);
    // An account from before identity keys publishes them once.
    server.store.delete(&key).await.unwrap();
    let publish = |identity: PublishedIdentity| {
        let ana = &ana;
        async move { ana.send(Method::PUT, "/api/account/identity", Some(&identity)).await }
    };
    let mut bent = good.clone();
    bent.keys.agreement = [0; 32];
    assert_eq!(error_code(publish(bent).await).await, "bad_identity");
    assert!(server.store.get(&key).await.unwrap().is_none());
    let mine = ana.session.identity.clone().unwrap();
    assert_eq!(publish(mine.clone()).await.status(), StatusCode::CREATED);
    assert_eq!(publish(mine.clone()).await.status(), StatusCode::OK);
    let other = publish(good).await;
    assert_eq!(other.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(other).await, "identity_exists");
    let again: Session = ana.login().await.json().await.unwrap();
    assert_eq!(again.identity, Some(mine));
}

/// Signs `change` as `admin` on top of `org` and appends it.
async fn sign_and_append(admin: &Device, org: &mut Organisation, change: Change) {
    let entry = org.next_entry(change, 0).unwrap();
    let signed = SignedEntry::sign(&entry, admin.session.user_id, &admin.identity());
    assert_eq!(append(admin, &signed).await.status(), StatusCode::CREATED);
    org.apply(&signed).unwrap();
}

fn card_of(device: &Device, role: Role) -> MemberCard {
    MemberCard {
        user: device.session.user_id,
        role,
        teams: vec![],
        supervises: vec![],
        keys: device.identity().public(),
    }
}

#[tokio::test]
async fn only_administrators_administer_whatever_the_other_roles() {
    let (server, _dir) = fs_server().await;
    let admin = new_org_user(&server.store, &server.url, "coordinator").await;
    let tenant = admin.tenant();
    let invite_request =
        InviteRequest { role: Role::CaseManager, teams: vec![], supervises: vec![], label: vec![1, 2, 3] };
    let invite = |device: &Device, request: &InviteRequest| {
        let (device, request) = (device.clone(), request.clone());
        async move { device.send(Method::POST, "/api/invites", Some(&request)).await }
    };
    // Before the log is founded nobody administers, not even the first member.
    let early = invite(&admin, &invite_request).await;
    assert_eq!((early.status(), error_code(early).await.as_str()), (StatusCode::FORBIDDEN, "not_founded"));

    let genesis = Organisation::founding_entry(tenant, "Org", admin.session.user_id, &admin.identity(), [5; 32], 1);
    assert_eq!(append(&admin, &genesis).await.status(), StatusCode::CREATED);
    let mut org = Organisation::found(&genesis.digest(), &genesis).unwrap();
    let mut others = Vec::new();
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let member = join_org(&server.store, &server.url, tenant, &format!("member{i}")).await;
        sign_and_append(&admin, &mut org, Change::MemberAdded { member: card_of(&member, role) }).await;
        others.push((Some(role), member));
    }
    // Enrolled, but not vouched for by the log.
    others.push((None, join_org(&server.store, &server.url, tenant, "newcomer").await));
    let target = join_org(&server.store, &server.url, tenant, "leaver").await;

    for (role, device) in &others {
        let allowed = *role == Some(Role::Administrator);
        let expect = |response: reqwest::Response, ok: StatusCode| async move {
            let status = response.status();
            if allowed {
                assert_eq!(status, ok, "{role:?}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
                assert_eq!(error_code(response).await, "not_an_administrator", "{role:?}");
            }
        };
        expect(invite(device, &invite_request).await, StatusCode::CREATED).await;
        expect(device.get_with("/api/members/pending", &device.session.token).await, StatusCode::OK).await;
        let mut settings = OrganisationSettings::default();
        settings.follow_up.critical_days = 5;
        expect(device.send(Method::PUT, "/api/settings", Some(&settings)).await, StatusCode::OK).await;
        // The target has no escrow yet; an administrator's malformed recovery is refused
        // after the role check, so the target keeps their passphrase.
        let recovery = format!("/api/members/{}/recovery", target.session.user_id);
        expect(device.get_with(&recovery, &device.session.token).await, StatusCode::NOT_FOUND).await;
        let recover = format!("/api/members/{}/recover", target.session.user_id);
        let malformed = Recovery {
            replaces: 0,
            credentials: NewCredentials { auth_secret: vec![], ..target.new_credentials("whatever it is") },
            signature: Signature([0; 64]),
        };
        expect(device.send(Method::POST, &recover, Some(&malformed)).await, StatusCode::BAD_REQUEST).await;
        let stranger = IdentityKeys::generate();
        let entry = org
            .next_entry(
                Change::MemberAdded {
                    member: MemberCard {
                        user: UserId::random(),
                        keys: stranger.public(),
                        ..card_of(&target, Role::CaseManager)
                    },
                },
                0,
            )
            .unwrap();
        let signed = SignedEntry::sign(&entry, device.session.user_id, &device.identity());
        let appended = append(device, &signed).await;
        if allowed {
            assert_eq!(appended.status(), StatusCode::CREATED);
            org.apply(&signed).unwrap();
        } else {
            assert_eq!(appended.status(), StatusCode::FORBIDDEN, "{role:?}");
            // (The administrator disables someone at the end; here only refusals are tried.)
            let path = format!("/api/members/{}/disable", target.session.user_id);
            expect(device.send(Method::POST, &path, None::<&()>).await, StatusCode::NO_CONTENT).await;
        }
    }
    // Nothing a non-administrator tried took effect.
    assert_eq!(target.get_with("/api/changes", &target.session.token).await.status(), StatusCode::OK);

    // The administrator's own requests: pending members are those not vouched for, with what
    // the invite meant them to be; disabling one takes them off the list.
    let pending: PendingResponse =
        admin.get_with("/api/members/pending", &admin.session.token).await.json().await.unwrap();
    let pending_ids: Vec<_> = pending.pending.iter().map(|p| p.user_id).collect();
    let newcomer = &others.last().unwrap().1;
    assert!(pending_ids.contains(&newcomer.session.user_id));
    assert!(!pending_ids.contains(&admin.session.user_id));
    assert!(pending_ids.contains(&target.session.user_id), "nobody's attempt to disable them worked");
    assert_eq!(
        pending.pending.iter().find(|p| p.user_id == newcomer.session.user_id).unwrap().keys,
        newcomer.identity().public()
    );
    let response = invite(&admin, &invite_request).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let code = response.json::<InviteResponse>().await.unwrap().invite;
    let invited = enrol(&server.url, &code, "invited", "invited's long passphrase").await;
    let invited: Session = invited.json().await.unwrap();
    let pending: PendingResponse =
        admin.get_with("/api/members/pending", &admin.session.token).await.json().await.unwrap();
    let intended = pending.pending.iter().find(|p| p.user_id == invited.user_id).unwrap().intended.clone().unwrap();
    assert_eq!(
        (intended.invite.role, intended.invite.label, intended.invited_by),
        (Role::CaseManager, vec![1, 2, 3], admin.session.user_id)
    );
    let disable = |user: UserId| {
        let admin = &admin;
        async move { admin.send(Method::POST, &format!("/api/members/{user}/disable"), None::<&()>).await }
    };
    assert_eq!(disable(newcomer.session.user_id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(error_code(newcomer.get_with("/api/changes", &newcomer.session.token).await).await, "account_disabled");
    let pending: PendingResponse =
        admin.get_with("/api/members/pending", &admin.session.token).await.json().await.unwrap();
    assert!(!pending.pending.iter().any(|p| p.user_id == newcomer.session.user_id));
    assert_eq!(error_code(disable(admin.session.user_id).await).await, "cannot_disable_self");
    assert_eq!(disable(UserId::random()).await.status(), StatusCode::NOT_FOUND);
    // Settings published in the app: refused whole when any part is wrong, else the next
    // version, which every member reads.
    let published = |settings: OrganisationSettings| {
        let admin = admin.clone();
        async move { admin.send(Method::PUT, "/api/settings", Some(&settings)).await }
    };
    let in_force = |device: &Device| {
        let device = device.clone();
        async move {
            device.get_with("/api/settings", &device.session.token).await.json::<OrganisationSettings>().await.unwrap()
        }
    };
    assert_eq!(in_force(&target).await.follow_up.critical_days, 5, "the administrator's, from the loop above");
    let mut bad = OrganisationSettings::default();
    bad.follow_up.critical_days = 0;
    bad.providers.push(Provider { name: "Clinic".into(), ..Provider::default() });
    let refused = published(bad).await;
    assert_eq!((refused.status(), error_code(refused).await.as_str()), (StatusCode::BAD_REQUEST, "invalid_settings"));
    let mut good = OrganisationSettings::default();
    good.providers.push(Provider { name: "Clinic".into(), services: [Service::Health].into(), ..Provider::default() });
    let answer: serde_json::Value = published(good.clone()).await.json().await.unwrap();
    assert!(answer["version"].as_u64().unwrap() >= 2, "{answer}");
    assert_eq!(in_force(&target).await, good);
    // Bad invites are refused.
    let bad = InviteRequest { supervises: vec![puente_shared::ids::TeamId::random()], ..invite_request.clone() };
    let response = invite(&admin, &bad).await;
    assert_eq!(error_code(response).await, "unknown_team");
    let long = InviteRequest { label: vec![0; 513], ..invite_request.clone() };
    let response = invite(&admin, &long).await;
    assert_eq!(error_code(response).await, "label_too_long");
}

#[tokio::test]
async fn a_logout_ends_that_session_alone() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let second: Session = ana.login().await.json().await.unwrap();
    assert_ne!(second.token, ana.session.token);
    assert_eq!(ana.logout().await.status(), StatusCode::NO_CONTENT);
    let ended = ana.get_with("/api/changes", &ana.session.token).await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(ended).await, "unauthorized");
    assert_eq!(ana.get_with("/api/settings", &ana.session.token).await.status(), StatusCode::UNAUTHORIZED);
    // The other device's session goes on; logging out twice is refused like any ended session.
    assert_eq!(ana.get_with("/api/changes", &second.token).await.status(), StatusCode::OK);
    assert_eq!(ana.logout().await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_invite_enrols_once_and_login_returns_the_wrapped_key() {
    let (server, _dir) = fs_server().await;
    let tenant = accounts::create_tenant(&server.store, "Org").await.unwrap();
    let invite = accounts::create_invite(&server.store, tenant.id).await.unwrap().encode();
    let first = enrol(&server.url, &invite, "ana", "ana's passphrase").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let session: Session = first.json().await.unwrap();
    assert_eq!(session.tenant, tenant.id);
    let again = enrol(&server.url, &invite, "bea", "bea's passphrase").await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert_eq!(error_code(again).await, "invite_used");
    let bogus = enrol(&server.url, "not-an-invite", "cid", "x").await;
    assert_eq!(error_code(bogus).await, "invalid_invite");

    // Another device logs in with the same passphrase and gets the same wrapped key.
    let http = Client::new();
    let params: LoginParams = http
        .post(format!("{}/api/login/params", server.url))
        .json(&json!({"username": "ANA"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(params.salt, session.salt);
    let keys = puente_shared::crypto::derive_keys("ana's passphrase", &params.salt, params.kdf).unwrap();
    let login = http
        .post(format!("{}/api/login", server.url))
        .json(&puente_shared::protocol::LoginRequest {
            username: "ana".into(),
            auth_secret: keys.auth_secret.expose().to_vec(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let second: Session = login.json().await.unwrap();
    assert_eq!(second.wrapped_account_key, session.wrapped_account_key);
    assert!(second.identity.is_some());
    assert_eq!(second.identity, session.identity, "another device gets the same identity keys");
    assert_eq!(second.user_id, session.user_id);
    assert_eq!(second.username.as_str(), "ana");

    // The store knows the account by ids and a hash of the name, never the name itself.
    let renamed = enrol(
        &server.url,
        &accounts::create_invite(&server.store, tenant.id).await.unwrap().encode(),
        "ana.quetzal",
        "a passphrase",
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::CREATED);
    for key in server.store.list("", None, 1000).await.unwrap() {
        let bytes =
            server.store.get(&puente_backend::store::ObjectKey::parse(key.clone()).unwrap()).await.unwrap().unwrap();
        assert!(!key.contains("quetzal") && !bytes.windows(7).any(|w| w == b"quetzal"), "{key} names the user");
    }
}

#[tokio::test]
async fn unknown_users_get_a_stable_decoy_salt() {
    let (server, _dir) = fs_server().await;
    let http = Client::new();
    let ask = |name: &'static str| {
        let http = http.clone();
        let url = server.url.clone();
        async move {
            http.post(format!("{url}/api/login/params"))
                .json(&json!({"username": name}))
                .send()
                .await
                .unwrap()
                .json::<LoginParams>()
                .await
                .unwrap()
        }
    };
    assert_eq!(ask("nobody").await, ask("nobody").await);
    assert_ne!(ask("nobody").await.salt, ask("someone").await.salt);
}

#[tokio::test]
async fn failed_logins_are_refused_then_rate_limited() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let http = Client::new();
    let attempt = |secret: Vec<u8>| {
        http.post(format!("{}/api/login", server.url))
            .json(&json!({"username": "ana", "auth_secret": base64url(&secret)}))
            .send()
    };
    for _ in 0..puente_backend::throttle::MAX_FAILURES {
        let response = attempt(vec![0; 32]).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right secret is refused while locked out.
    let keys =
        puente_shared::crypto::derive_keys(&device.passphrase, &device.session.salt, device.session.kdf).unwrap();
    let locked = attempt(keys.auth_secret.expose().to_vec()).await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().get("retry-after").is_some());
    assert_eq!(error_code(locked).await, "too_many_attempts");
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn push_rules(device: Device, store: impl BlobStore) {
    let case = CaseId::random();
    let key = (KeyId::random(), SecretKey::random());
    assert_eq!(device.create_access(case, &key).await.status(), StatusCode::OK);
    let first = device.seal_with(case, 1, &key, b"revision one");
    let created = device.push(case, 1, first.clone()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.json::<PushResponse>().await.unwrap(), PushResponse { revision: 1, created: true });

    // An identical retry is idempotent.
    let retry = device.push(case, 1, first.clone()).await;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.json::<PushResponse>().await.unwrap(), PushResponse { revision: 1, created: false });

    // Different bytes for a taken revision: 409 with the latest revision, nothing replaced.
    let rival = device.push(case, 1, device.seal(case, 1, b"rival edit")).await;
    assert_eq!(rival.status(), StatusCode::CONFLICT);
    let body: ErrorBody = rival.json().await.unwrap();
    assert_eq!((body.error.code.as_str(), body.error.latest), ("revision_taken", Some(1)));
    assert_eq!(device.fetch(case, 1).await.bytes().await.unwrap().as_ref(), first.as_slice());

    // Skipping a revision is refused with the latest.
    let skipped = device.push(case, 3, device.seal(case, 3, b"three")).await;
    assert_eq!(skipped.status(), StatusCode::CONFLICT);
    let body: ErrorBody = skipped.json().await.unwrap();
    assert_eq!((body.error.code.as_str(), body.error.latest), ("parent_missing", Some(1)));

    assert_eq!(device.push(case, 2, device.seal(case, 2, b"two")).await.status(), StatusCode::CREATED);
    let feed = device.changes(0, 100).await;
    let revisions: Vec<_> = feed.entries.iter().map(|e| (e.case, e.revision)).collect();
    assert_eq!(revisions, [(case, 1), (case, 2)], "each accepted revision is logged once");
    assert_eq!(feed.entries[0].author, device.session.user_id);
    assert_eq!(feed.entries[0].size, first.len() as u64);
    assert!(!feed.more);
    assert_eq!(store.list(&layout::case_prefix(device.tenant(), case), None, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn pushes_are_create_if_absent_idempotent_and_logged_on_fs() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    push_rules(device, server.store.clone()).await;
}

#[tokio::test]
async fn pushes_are_create_if_absent_idempotent_and_logged_on_s3() {
    let server = TestServer::start(puente_tests::seaweed::fresh_store().await).await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    push_rules(device, server.store.clone()).await;
}

#[tokio::test]
async fn the_change_feed_pages_with_a_cursor() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let cases: Vec<CaseId> = (0..5).map(|_| CaseId::random()).collect();
    for case in &cases {
        assert_eq!(device.push_new(*case, b"x").await.status(), StatusCode::CREATED);
    }
    let page = device.changes(0, 2).await;
    assert_eq!((page.entries.len(), page.more, page.next), (2, true, 2));
    let rest = device.changes(page.next, 10).await;
    assert_eq!(rest.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(!rest.more);
    let seen: Vec<CaseId> = page.entries.iter().chain(&rest.entries).map(|e| e.case).collect();
    assert_eq!(seen, cases);
    let empty = device.changes(rest.next, 10).await;
    assert_eq!((empty.entries.len(), empty.next), (0, 5));
}

#[tokio::test]
async fn a_retry_completes_a_push_that_stopped_before_its_log_entry() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let case = CaseId::random();
    assert_eq!(device.create_access(case, &(KeyId::random(), SecretKey::random())).await.status(), StatusCode::OK);
    let body = device.seal(case, 1, b"written, never logged");
    // As if the backend crashed right after storing the revision.
    server.store.create(&layout::revision(device.tenant(), case, 1), Bytes::from(body.clone())).await.unwrap();
    assert!(device.changes(0, 10).await.entries.is_empty());
    assert_eq!(device.push(case, 1, body.clone()).await.status(), StatusCode::OK);
    assert_eq!(device.changes(0, 10).await.entries.len(), 1);
    assert_eq!(device.push(case, 1, body).await.status(), StatusCode::OK);
    assert_eq!(device.changes(0, 10).await.entries.len(), 1, "logged once only");
}

#[tokio::test]
async fn another_organisation_can_neither_see_nor_write_a_case() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let eve = new_org_user(&server.store, &server.url, "eve").await;
    assert_ne!(ana.tenant(), eve.tenant());
    let case = CaseId::random();
    assert_eq!(ana.push_new(case, b"ana's case").await.status(), StatusCode::CREATED);

    assert_eq!(eve.fetch(case, 1).await.status(), StatusCode::FORBIDDEN);
    assert!(eve.changes(0, 100).await.entries.is_empty());
    // Eve replays Ana's envelope, and forges one claiming Ana's organisation.
    let ana_bytes = ana.fetch(case, 1).await.bytes().await.unwrap().to_vec();
    let replay = eve.push(case, 2, ana_bytes).await;
    assert_eq!(replay.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(replay).await, "wrong_tenant");
    assert_eq!(ana.changes(0, 100).await.entries.len(), 1);
    assert!(server.store.list(&layout::case_prefix(eve.tenant(), case), None, 10).await.unwrap().is_empty());
    assert!(server.store.get(&layout::revision(ana.tenant(), case, 2)).await.unwrap().is_none());
}

#[tokio::test]
async fn malformed_or_mismatched_envelopes_are_refused_and_nothing_is_stored() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let case = CaseId::random();
    let good = device.seal(case, 1, b"x");
    let mut bad_magic = good.clone();
    bad_magic[0] ^= 0xff;
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"plain text, not an envelope".to_vec(), "1", "malformed_envelope"),
        (Vec::new(), "1", "malformed_envelope"),
        (bad_magic, "1", "malformed_envelope"),
        (good.clone(), "2", "envelope_mismatch"),
        (device.seal(CaseId::random(), 1, b"x"), "1", "envelope_mismatch"),
        (good.clone(), "0", "invalid_revision"),
        (good.clone(), "abc", "invalid_revision"),
    ];
    for (body, revision, code) in cases {
        let response = device
            .http
            .put(format!("{}/api/cases/{case}/revisions/{revision}", device.url))
            .bearer_auth(&device.session.token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(error_code(response).await, code);
    }
    assert!(server.store.list(&format!("tenants/{}/cases/", device.tenant()), None, 10).await.unwrap().is_empty());
    assert!(device.changes(0, 10).await.entries.is_empty());
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let case = CaseId::random();
    let huge = device.seal(case, 1, &vec![7u8; MAX_REVISION_BYTES + 1]);
    let refused = device.push(case, 1, huge).await;
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(refused).await, "body_too_large");
    assert_eq!(device.fetch(case, 1).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn malformed_json_and_queries_get_json_errors_with_stable_codes() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let http = Client::new();
    let not_json = http
        .post(format!("{}/api/login", server.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(not_json).await, "invalid_json");
    let wrong_shape = http.post(format!("{}/api/enrol", server.url)).json(&json!({"invite": 7})).send().await.unwrap();
    assert_eq!(wrong_shape.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(wrong_shape).await, "invalid_json");
    let bad_cursor = http
        .get(format!("{}/api/changes?after=minus-one", server.url))
        .bearer_auth(&device.session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_cursor.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(bad_cursor).await, "invalid_query");
}

#[tokio::test]
async fn the_app_shell_is_revalidated_and_hashed_assets_are_immutable() {
    let data = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Puente</title>").unwrap();
    std::fs::write(web.path().join("sw.js"), "// worker").unwrap();
    std::fs::write(web.path().join("puente-0123456789abcdef.js"), "// app").unwrap();
    let server = TestServer::start_serving(FsStore::open(data.path()).unwrap(), Some(web.path().to_path_buf())).await;
    let get = |path: &'static str| reqwest::get(format!("{}{path}", server.url));
    for path in ["/", "/sw.js", "/cases/some-client-side-route"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    }
    let deep_link = get("/cases/some-client-side-route").await.unwrap().text().await.unwrap();
    assert!(deep_link.contains("<title>Puente</title>"), "client-side routes get the app shell");
    let asset = get("/puente-0123456789abcdef.js").await.unwrap();
    assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(asset.headers().get("content-encoding").is_none(), "nobody asked for gzip");
    assert_eq!(asset.text().await.unwrap(), "// app");
    // A browser that takes gzip gets the file the build gzipped, with the same headers.
    let gzipped = |text: &str| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    std::fs::write(web.path().join("puente-0123456789abcdef.js.gz"), gzipped("// app")).unwrap();
    std::fs::write(web.path().join("index.html.gz"), gzipped("<!doctype html><title>Puente</title>")).unwrap();
    let http = reqwest::Client::new();
    for (path, text) in
        [("/puente-0123456789abcdef.js", "// app"), ("/cases/x", "<!doctype html><title>Puente</title>")]
    {
        let response =
            http.get(format!("{}{path}", server.url)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-encoding"], "gzip", "{path}");
        assert_eq!(response.headers()["vary"], "accept-encoding", "{path}");
        let body = response.bytes().await.unwrap();
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, text, "{path}");
    }
    // The API is not shadowed by the static files.
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn settings_are_the_defaults_until_published_then_the_newest_version_and_only_for_its_organisation() {
    let (server, _dir) = fs_server().await;
    let device = new_org_user(&server.store, &server.url, "ana").await;
    let other = new_org_user(&server.store, &server.url, "bea").await;
    let get = |device: &Device| {
        let request = device.http.get(format!("{}/api/settings", device.url)).bearer_auth(&device.session.token);
        async move { request.send().await.unwrap().json::<OrganisationSettings>().await.unwrap() }
    };
    assert_eq!(get(&device).await, OrganisationSettings::default());

    let mut settings = OrganisationSettings::default();
    settings.follow_up.critical_days = 3;
    settings.providers.push(Provider {
        name: "District hospital".into(),
        services: [Service::Health].into(),
        ..Provider::default()
    });
    assert_eq!(publish(&server.store, device.tenant(), &settings).await.unwrap(), 1);
    assert_eq!(get(&device).await, settings);
    settings.follow_up.critical_days = 2;
    assert_eq!(
        publish(&server.store, device.tenant(), &settings).await.unwrap(),
        2,
        "a new version, never an overwrite"
    );
    assert_eq!(get(&device).await.follow_up.critical_days, 2);
    assert_eq!(get(&other).await, OrganisationSettings::default(), "another organisation's settings are its own");
}
