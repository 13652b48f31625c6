//! Who may read and write a case, over HTTP: the access record the server keeps for each
//! case, the grants beside it, and the feed filtered by both.

use puente_backend::layout;
use puente_backend::store::BlobStore;
use puente_shared::access::{AccessChange, AccessRecord, Share};
use puente_shared::crypto::{Recipient, SecretKey};
use puente_shared::ids::TeamId;
use puente_shared::membership::{Change, Country, MemberCard, Organisation, Role, SignedEntry, Team};
use puente_shared::protocol::{AccessRequest, AccessResponse};
use puente_shared::{CaseId, KeyId};
use puente_tests::api::{error_code, fs_server, join_org, new_org_user, Device};
use reqwest::{Method, StatusCode};

type Key = (KeyId, SecretKey);

fn new_key() -> Key {
    (KeyId::random(), SecretKey::random())
}

/// `owner`'s new case, with its first revision pushed.
async fn new_case(owner: &Device, key: &Key) -> CaseId {
    let case = CaseId::random();
    assert_eq!(owner.create_access(case, key).await.status(), StatusCode::OK);
    assert_eq!(owner.push(case, 1, owner.seal_with(case, 1, key, b"one")).await.status(), StatusCode::CREATED);
    case
}

async fn share(owner: &Device, case: CaseId, key: &Key, with: &Device, as_: Share) -> reqwest::Response {
    let public = with.identity().public().agreement;
    let grant = owner.grant(case, key, Recipient::Member(with.session.user_id), &public);
    let request = AccessRequest {
        create: false,
        changes: vec![AccessChange::Grant { user: with.session.user_id, share: as_ }],
        grants: vec![grant],
    };
    owner.change_access(case, &request).await
}

async fn objects_under(store: &impl BlobStore, prefix: &str) -> usize {
    store.list(prefix, None, 1000).await.unwrap().len()
}

#[tokio::test]
async fn a_member_without_access_gets_403_everywhere_and_nothing_in_the_feed() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let eve = join_org(&server.store, &server.url, ana.tenant(), "eve").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    let stored = objects_under(&server.store, &format!("tenants/{}/", ana.tenant())).await;

    for response in [eve.fetch(case, 1).await, eve.access(case).await] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_code(response).await, "no_access");
    }
    assert!(eve.changes(0, 100).await.entries.is_empty(), "not even the case's id");
    // A garbage revision, properly signed by Eve, on top of Ana's case: refused.
    let garbage = eve.push(case, 2, eve.seal(case, 2, b"garbage")).await;
    assert_eq!(garbage.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(garbage).await, "no_access");
    // Nor can Eve give herself access, or create the record of a case that has one.
    let own = eve.identity().public().agreement;
    let grant = eve.grant(case, &new_key(), Recipient::Member(eve.session.user_id), &own);
    let take = AccessRequest {
        create: true,
        changes: vec![AccessChange::Grant { user: eve.session.user_id, share: Share::Supervisor }],
        grants: vec![grant],
    };
    let taken = eve.change_access(case, &take).await;
    assert_eq!(taken.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(taken).await, "no_access");
    // And a revision 1 of a case nobody created is refused too.
    let unknown = CaseId::random();
    assert_eq!(error_code(eve.push(unknown, 1, eve.seal(unknown, 1, b"x")).await).await, "no_access");

    assert_eq!(objects_under(&server.store, &format!("tenants/{}/", ana.tenant())).await, stored, "nothing stored");
    let feed = ana.changes(0, 100).await;
    assert_eq!(feed.entries.iter().map(|e| (e.case, e.revision)).collect::<Vec<_>>(), [(case, 1)]);
    assert_eq!(ana.fetch(case, 2).await.status(), StatusCode::NOT_FOUND, "the garbage never reaches the owner");
}

#[tokio::test]
async fn a_named_colleague_reads_but_does_not_write_and_loses_access_when_revoked() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let col = join_org(&server.store, &server.url, ana.tenant(), "col").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    let shared = share(&ana, case, &key, &col, Share::Colleague).await;
    assert_eq!(shared.status(), StatusCode::OK);
    let record = shared.json::<AccessResponse>().await.unwrap().record;
    assert_eq!((record.version, record.share_of(col.session.user_id)), (2, Some(Share::Colleague)));

    // The feed tells the colleague of the case, with its newest revision.
    let feed = col.changes(0, 100).await;
    assert_eq!(feed.entries.iter().map(|e| (e.case, e.revision)).collect::<Vec<_>>(), [(case, 1), (case, 1)]);
    assert_eq!(col.fetch(case, 1).await.status(), StatusCode::OK);
    // The grant waiting for the colleague opens with their key, as given by Ana.
    let access: AccessResponse = col.access(case).await.json().await.unwrap();
    assert_eq!(access.grants.len(), 1);
    let opened = access.grants[0].open(ana.tenant(), &ana.identity().public(), col.identity().agreement()).unwrap();
    assert_eq!((access.grants[0].key_id, opened), key);

    // Reading is not writing, nor sharing further.
    let push = col.push(case, 2, col.seal_with(case, 2, &key, b"two")).await;
    assert_eq!((push.status(), error_code(push).await.as_str()), (StatusCode::FORBIDDEN, "read_only"));
    let revoke_owner =
        AccessRequest { changes: vec![AccessChange::Revoke { user: ana.session.user_id }], ..Default::default() };
    let refused = col.change_access(case, &revoke_owner).await;
    assert_eq!(error_code(refused).await, "may_not_change_access");

    // Revoked: nothing more, not even the entries it could see before.
    let revoke =
        AccessRequest { changes: vec![AccessChange::Revoke { user: col.session.user_id }], ..Default::default() };
    assert_eq!(ana.change_access(case, &revoke).await.status(), StatusCode::OK);
    assert_eq!(col.fetch(case, 1).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(col.access(case).await.status(), StatusCode::FORBIDDEN);
    assert!(col.changes(0, 100).await.entries.is_empty());
    // The colleague may have kept the key: the next revision needs a new one.
    let stale = ana.push(case, 2, ana.seal_with(case, 2, &key, b"two")).await;
    assert_eq!((stale.status(), error_code(stale).await.as_str()), (StatusCode::CONFLICT, "rekey_due"));
    let fresh = rotate(&ana, case, &[&ana]).await;
    assert_eq!(ana.push(case, 2, ana.seal_with(case, 2, &fresh, b"two")).await.status(), StatusCode::CREATED);
    assert!(col.changes(0, 100).await.entries.is_empty(), "no later revision reaches them");
}

/// Rotates `case`'s key as `by`, granting the new key to each of `to`.
async fn rotate(by: &Device, case: CaseId, to: &[&Device]) -> (KeyId, SecretKey) {
    let fresh = new_key();
    let grants = to
        .iter()
        .map(|d| by.grant(case, &fresh, Recipient::Member(d.session.user_id), &d.identity().public().agreement))
        .collect();
    let request = AccessRequest { create: false, changes: vec![AccessChange::Rekey { key: fresh.0 }], grants };
    assert_eq!(by.change_access(case, &request).await.status(), StatusCode::OK);
    fresh
}

#[tokio::test]
async fn after_a_revoke_a_rotated_key_must_reach_everyone_who_still_has_access() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let sup = join_org(&server.store, &server.url, ana.tenant(), "sup").await;
    let col = join_org(&server.store, &server.url, ana.tenant(), "col").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    assert_eq!(share(&ana, case, &key, &sup, Share::Supervisor).await.status(), StatusCode::OK);
    assert_eq!(share(&ana, case, &key, &col, Share::Colleague).await.status(), StatusCode::OK);
    let two = ana.seal_with(case, 2, &key, b"two");
    assert_eq!(ana.push(case, 2, two.clone()).await.status(), StatusCode::CREATED);
    let revoke =
        AccessRequest { changes: vec![AccessChange::Revoke { user: col.session.user_id }], ..Default::default() };
    let revoked = ana.change_access(case, &revoke).await.json::<AccessResponse>().await.unwrap().record;
    assert!(revoked.rekey, "the colleague may still hold the key");
    // No revision under the old key while the rotation is due; the retry of one stored
    // before is answered as the retry it is.
    let due = ana.push(case, 3, ana.seal_with(case, 3, &key, b"three")).await;
    assert_eq!((due.status(), error_code(due).await.as_str()), (StatusCode::CONFLICT, "rekey_due"));
    assert_eq!(ana.push(case, 2, two.clone()).await.status(), StatusCode::OK);

    let fresh = new_key();
    let to = |device: &Device| {
        ana.grant(case, &fresh, Recipient::Member(device.session.user_id), &device.identity().public().agreement)
    };
    let rekey = |grants| AccessRequest { create: false, changes: vec![AccessChange::Rekey { key: fresh.0 }], grants };
    // The supervisor left without the new key: refused, and nothing changes.
    let partial = ana.change_access(case, &rekey(vec![to(&ana)])).await;
    assert_eq!(partial.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ana.access(case).await.json::<AccessResponse>().await.unwrap().record, revoked);
    // Nor may the revoked colleague be given it.
    let leaked = ana.change_access(case, &rekey(vec![to(&ana), to(&sup), to(&col)])).await;
    assert_eq!(leaked.status(), StatusCode::BAD_REQUEST);
    // Nor is the key in use a rotation, even granted afresh.
    let reused = |device: &Device| {
        ana.grant(case, &key, Recipient::Member(device.session.user_id), &device.identity().public().agreement)
    };
    let same = AccessRequest {
        create: false,
        changes: vec![AccessChange::Rekey { key: key.0 }],
        grants: vec![reused(&ana), reused(&sup)],
    };
    assert_eq!(ana.change_access(case, &same).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ana.access(case).await.json::<AccessResponse>().await.unwrap().record, revoked);
    // With everyone's grant the rotation is recorded, and the supervisor finds the new key.
    let rotated = ana.change_access(case, &rekey(vec![to(&ana), to(&sup)])).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let record = rotated.json::<AccessResponse>().await.unwrap().record;
    assert_eq!((record.key, record.rekey, record.version), (Some(fresh.0), false, revoked.version + 1));
    let access: AccessResponse = sup.access(case).await.json().await.unwrap();
    let grant = access.grants.iter().find(|g| g.key_id == fresh.0).expect("the new key's grant");
    let opened = grant.open(ana.tenant(), &ana.identity().public(), sup.identity().agreement()).unwrap();
    assert_eq!((grant.key_id, opened), fresh);

    // From now on only the new key is taken, from any writer; the old one's retry still is.
    let stale = sup.push(case, 3, sup.seal_with(case, 3, &key, b"three")).await;
    assert_eq!((stale.status(), error_code(stale).await.as_str()), (StatusCode::CONFLICT, "stale_key"));
    assert!(server.store.get(&layout::revision(ana.tenant(), case, 3)).await.unwrap().is_none());
    assert_eq!(ana.push(case, 2, two).await.status(), StatusCode::OK);
    assert_eq!(sup.push(case, 3, sup.seal_with(case, 3, &fresh, b"three")).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_supervisor_writes_and_reassigns_and_the_previous_owner_loses_the_case() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let sup = join_org(&server.store, &server.url, ana.tenant(), "sup").await;
    let ben = join_org(&server.store, &server.url, ana.tenant(), "ben").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    assert_eq!(share(&ana, case, &key, &sup, Share::Supervisor).await.status(), StatusCode::OK);
    assert_eq!(sup.push(case, 2, sup.seal_with(case, 2, &key, b"reviewed")).await.status(), StatusCode::CREATED);

    // Grant, then reassign (the previous owner's access ends with it).
    let public = ben.identity().public().agreement;
    let reassign = AccessRequest {
        create: false,
        changes: vec![AccessChange::Reassign { to: ben.session.user_id }],
        grants: vec![sup.grant(case, &key, Recipient::Member(ben.session.user_id), &public)],
    };
    let moved = sup.change_access(case, &reassign).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let record: AccessRecord = moved.json::<AccessResponse>().await.unwrap().record;
    assert_eq!(record.owner(), Some(ben.session.user_id));
    assert_eq!(error_code(ana.push(case, 3, ana.seal_with(case, 3, &key, b"mine")).await).await, "no_access");
    assert_eq!(ben.fetch(case, 2).await.status(), StatusCode::OK);
    let access: AccessResponse = ben.access(case).await.json().await.unwrap();
    assert_eq!(access.grants[0].by, sup.session.user_id);
    // Ana had the key: the new owner rotates it before writing.
    let due = ben.push(case, 3, ben.seal_with(case, 3, &key, b"three")).await;
    assert_eq!(error_code(due).await, "rekey_due");
    let fresh = rotate(&ben, case, &[&ben, &sup]).await;
    assert_eq!(ben.push(case, 3, ben.seal_with(case, 3, &fresh, b"three")).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_revision_must_be_signed_by_the_member_who_pushes_it() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let sup = join_org(&server.store, &server.url, ana.tenant(), "sup").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    assert_eq!(share(&ana, case, &key, &sup, Share::Supervisor).await.status(), StatusCode::OK);
    // Ana's signed revision, pushed by the supervisor.
    let as_ana = sup.push(case, 2, ana.seal_with(case, 2, &key, b"two")).await;
    assert_eq!((as_ana.status(), error_code(as_ana).await.as_str()), (StatusCode::BAD_REQUEST, "wrong_author"));
    // A bent signature.
    let mut bent = ana.seal_with(case, 2, &key, b"two");
    let last = bent.len() - 1;
    bent[last] ^= 1;
    assert_eq!(error_code(ana.push(case, 2, bent).await).await, "bad_signature");
    assert!(server.store.get(&layout::revision(ana.tenant(), case, 2)).await.unwrap().is_none());
}

#[tokio::test]
async fn grants_must_be_the_senders_for_this_case_and_for_someone_with_access() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let col = join_org(&server.store, &server.url, ana.tenant(), "col").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    let col_public = col.identity().public().agreement;
    let to_col = Recipient::Member(col.session.user_id);
    let refused = [
        // To someone the record does not let in.
        AccessRequest { grants: vec![ana.grant(case, &key, to_col, &col_public)], ..Default::default() },
        // For another case.
        AccessRequest {
            changes: vec![AccessChange::Grant { user: col.session.user_id, share: Share::Colleague }],
            grants: vec![ana.grant(CaseId::random(), &key, to_col, &col_public)],
            ..Default::default()
        },
        // Given by someone else.
        AccessRequest {
            changes: vec![AccessChange::Grant { user: col.session.user_id, share: Share::Colleague }],
            grants: vec![col.grant(case, &key, to_col, &col_public)],
            ..Default::default()
        },
    ];
    for request in refused {
        let response = ana.change_access(case, &request).await;
        assert_eq!((response.status(), error_code(response).await.as_str()), (StatusCode::BAD_REQUEST, "bad_grant"));
    }
    // A forged signature.
    let mut forged = ana.grant(case, &key, to_col, &col_public);
    forged.signature.0[0] ^= 1;
    let request = AccessRequest {
        changes: vec![AccessChange::Grant { user: col.session.user_id, share: Share::Colleague }],
        grants: vec![forged],
        ..Default::default()
    };
    assert_eq!(error_code(ana.change_access(case, &request).await).await, "bad_grant");
    let grants = format!("tenants/{}/grants/{case}/{}/", ana.tenant(), col.session.user_id);
    assert_eq!(objects_under(&server.store, &grants).await, 0, "nothing stored");
    assert_eq!(col.fetch(case, 1).await.status(), StatusCode::FORBIDDEN);
    // The owner is neither granted away nor revoked.
    let revoke_owner =
        AccessRequest { changes: vec![AccessChange::Revoke { user: ana.session.user_id }], ..Default::default() };
    let response = ana.change_access(case, &revoke_owner).await;
    assert_eq!((response.status(), error_code(response).await.as_str()), (StatusCode::CONFLICT, "one_owner"));
}

#[tokio::test]
async fn creating_a_case_twice_is_a_harmless_retry_for_its_owner() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let key = new_key();
    let case = new_case(&ana, &key).await;
    let again = ana.create_access(case, &key).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<AccessResponse>().await.unwrap().record.version, 1);
    let versions = objects_under(&server.store, &layout::access_prefix(ana.tenant(), case)).await;
    assert_eq!(versions, 1);
}

#[tokio::test]
async fn a_case_with_revisions_but_no_access_record_is_nobodys_to_claim() {
    let (server, _dir) = fs_server().await;
    let ana = new_org_user(&server.store, &server.url, "ana").await;
    let eve = join_org(&server.store, &server.url, ana.tenant(), "eve").await;
    let case = CaseId::random();
    // A revision stored without a record (as if from before records existed).
    let body = ana.seal(case, 1, b"older");
    server.store.create(&layout::revision(ana.tenant(), case, 1), body.into()).await.unwrap();
    let claim = eve.create_access(case, &new_key()).await;
    assert_eq!((claim.status(), error_code(claim).await.as_str()), (StatusCode::FORBIDDEN, "no_access"));
    assert_eq!(objects_under(&server.store, &layout::access_prefix(ana.tenant(), case)).await, 0);
}

/// Founds `admin`'s organisation with two offices and signs in each member as `(role, team,
/// supervises)`, through the API as a coordinator's device would.
async fn organised(admin: &Device, members: &[(&Device, Role, TeamId, bool)], teams: &[TeamId]) -> Organisation {
    let genesis =
        Organisation::founding_entry(admin.tenant(), "Org", admin.session.user_id, &admin.identity(), [3; 32], 1);
    let mut org = Organisation::found(&genesis.digest(), &genesis).unwrap();
    assert_eq!(admin.send(Method::POST, "/api/membership", Some(&genesis)).await.status(), StatusCode::CREATED);
    let mut changes: Vec<Change> = teams
        .iter()
        .zip(["ES", "SN"])
        .map(|(id, country)| Change::TeamAdded {
            team: Team { id: *id, name: country.into(), country: Country::parse(country).unwrap() },
        })
        .collect();
    for (device, role, team, supervises) in members {
        let card = MemberCard {
            user: device.session.user_id,
            role: *role,
            teams: vec![*team],
            supervises: if *supervises { vec![*team] } else { vec![] },
            keys: device.identity().public(),
        };
        changes.push(Change::MemberAdded { member: card });
    }
    for change in changes {
        let entry = org.next_entry(change, 2).unwrap();
        let signed = SignedEntry::sign(&entry, admin.session.user_id, &admin.identity());
        assert_eq!(admin.send(Method::POST, "/api/membership", Some(&signed)).await.status(), StatusCode::CREATED);
        org.apply(&signed).unwrap();
    }
    org
}

#[tokio::test]
async fn a_key_reaches_nobody_removed_from_the_organisation() {
    let (server, _dir) = fs_server().await;
    let admin = new_org_user(&server.store, &server.url, "coordinator").await;
    let sup = join_org(&server.store, &server.url, admin.tenant(), "sup").await;
    let col = join_org(&server.store, &server.url, admin.tenant(), "col").await;
    let team = TeamId::random();
    let members = [(&sup, Role::Supervisor, team, true), (&col, Role::CaseManager, team, false)];
    let org = organised(&admin, &members, &[team]).await;
    let key = new_key();
    let case = new_case(&admin, &key).await;
    assert_eq!(share(&admin, case, &key, &sup, Share::Supervisor).await.status(), StatusCode::OK);
    assert_eq!(share(&admin, case, &key, &col, Share::Colleague).await.status(), StatusCode::OK);
    // Before leaving, the colleague opened a case of her own.
    let own_key = new_key();
    let own = new_case(&col, &own_key).await;
    let record_of = |case| puente_backend::access::current(&server.store, admin.tenant(), case);
    let was = record_of(case).await.unwrap().unwrap();
    let entry = org.next_entry(Change::MemberRemoved { user: col.session.user_id }, 2).unwrap();
    let signed = SignedEntry::sign(&entry, admin.session.user_id, &admin.identity());
    assert_eq!(admin.send(Method::POST, "/api/membership", Some(&signed)).await.status(), StatusCode::CREATED);

    // Her leaving takes her off the case she was given, and its key must be renewed before
    // its next revision; the case she owns keeps her as its owner until it is moved.
    let before = admin.access(case).await.json::<AccessResponse>().await.unwrap().record;
    assert!(!before.may_read(col.session.user_id) && before.rekey, "still named by a case she was given");
    assert_eq!((before.version, before.people.len()), (was.version + 1, was.people.len() - 1));
    let owned = record_of(own).await.unwrap().unwrap();
    assert_eq!((owned.owner(), owned.rekey, owned.version), (Some(col.session.user_id), false, 1));
    let due = admin.push(case, 2, admin.seal_with(case, 2, &key, b"two")).await;
    assert_eq!((due.status(), error_code(due).await.as_str()), (StatusCode::CONFLICT, "rekey_due"));

    // A device whose log is behind still counts the colleague in: the new key is refused
    // to them, nothing is stored, and the record stays as it was.
    let all_grants = format!("tenants/{}/grants/{case}/", admin.tenant());
    let grants = objects_under(&server.store, &all_grants).await;
    let fresh = new_key();
    let to = |device: &Device| {
        admin.grant(case, &fresh, Recipient::Member(device.session.user_id), &device.identity().public().agreement)
    };
    let rekey = |changes, grants| AccessRequest { create: false, changes, grants };
    let leaked = admin
        .change_access(case, &rekey(vec![AccessChange::Rekey { key: fresh.0 }], vec![to(&admin), to(&sup), to(&col)]))
        .await;
    assert_eq!((leaked.status(), error_code(leaked).await.as_str()), (StatusCode::CONFLICT, "not_a_member"));
    assert_eq!(admin.access(case).await.json::<AccessResponse>().await.unwrap().record, before);
    assert_eq!(objects_under(&server.store, &all_grants).await, grants, "a grant of the refused request was stored");
    // Left out, the rotation goes through, and it is a retry-safe first use of the key: the
    // grants it stores do not make it count as used.
    let rotated =
        admin.change_access(case, &rekey(vec![AccessChange::Rekey { key: fresh.0 }], vec![to(&admin), to(&sup)])).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let record = rotated.json::<AccessResponse>().await.unwrap().record;
    assert_eq!((record.key, record.rekey, record.may_read(col.session.user_id)), (Some(fresh.0), false, false));
    assert_eq!(objects_under(&server.store, &all_grants).await, grants + 2);
}

#[tokio::test]
async fn a_handover_reaches_the_origin_supervisor_who_gives_it_to_a_case_manager_of_that_office() {
    let (server, _dir) = fs_server().await;
    let admin = new_org_user(&server.store, &server.url, "coordinator").await;
    let join = |name: &'static str| join_org(&server.store, &server.url, admin.tenant(), name);
    let (host_cm, host_peer, origin_sup, origin_cm) =
        (join("host.cm").await, join("host.peer").await, join("origin.sup").await, join("origin.cm").await);
    let (host, origin) = (TeamId::random(), TeamId::random());
    let members = [
        (&host_cm, Role::CaseManager, host, false),
        (&host_peer, Role::CaseManager, host, false),
        (&origin_sup, Role::Supervisor, origin, true),
        (&origin_cm, Role::CaseManager, origin, false),
    ];
    organised(&admin, &members, &[host, origin]).await;
    let key = new_key();
    let case = new_case(&host_cm, &key).await;

    // Only a supervisor is given an origin office's access.
    let to_peer = share(&host_cm, case, &key, &host_peer, Share::Origin).await;
    assert_eq!((to_peer.status(), error_code(to_peer).await.as_str()), (StatusCode::CONFLICT, "not_a_member"));
    assert_eq!(share(&host_cm, case, &key, &origin_sup, Share::Origin).await.status(), StatusCode::OK);
    assert_eq!(origin_sup.fetch(case, 1).await.status(), StatusCode::OK);
    assert!(origin_sup.changes(0, 100).await.entries.iter().any(|e| e.case == case));
    // It reads, and does not write or share, until it accepts.
    let push = origin_sup.push(case, 2, origin_sup.seal_with(case, 2, &key, b"early")).await;
    assert_eq!((push.status(), error_code(push).await.as_str()), (StatusCode::FORBIDDEN, "read_only"));
    // Not even a key for someone who may read the case (here a made-up one for its owner).
    let to_owner = Recipient::Member(host_cm.session.user_id);
    let planted = origin_sup.grant(case, &new_key(), to_owner, &host_cm.identity().public().agreement);
    let only_a_grant = AccessRequest { grants: vec![planted], ..Default::default() };
    let refused = origin_sup.change_access(case, &only_a_grant).await;
    assert_eq!(error_code(refused).await, "may_not_change_access", "a reader gives no key");
    // The host office's reading is not for a writer to give.
    let host_reading = AccessRequest {
        changes: vec![AccessChange::Grant { user: host_peer.session.user_id, share: Share::Host }],
        ..Default::default()
    };
    let refused = host_cm.change_access(case, &host_reading).await;
    assert_eq!((refused.status(), error_code(refused).await.as_str()), (StatusCode::CONFLICT, "not_grantable"));
    let accept = |to: &Device, host_keeps: bool| {
        let public = to.identity().public().agreement;
        AccessRequest {
            create: false,
            changes: vec![AccessChange::Accept { to: to.session.user_id, host_keeps }],
            grants: vec![origin_sup.grant(case, &key, Recipient::Member(to.session.user_id), &public)],
        }
    };
    // To a case manager of another office: refused, nothing changes.
    let elsewhere = origin_sup.change_access(case, &accept(&host_peer, false)).await;
    assert_eq!((elsewhere.status(), error_code(elsewhere).await.as_str()), (StatusCode::CONFLICT, "not_a_member"));
    // Nor does anyone but the origin office's supervisor accept it, not even for themself.
    let own = AccessRequest {
        changes: vec![AccessChange::Accept { to: host_cm.session.user_id, host_keeps: true }],
        ..Default::default()
    };
    assert_eq!(error_code(host_cm.change_access(case, &own).await).await, "not_a_member");
    let by_host = host_cm
        .change_access(case, &AccessRequest { changes: accept(&origin_cm, false).changes, ..Default::default() })
        .await;
    assert_eq!((by_host.status(), error_code(by_host).await.as_str()), (StatusCode::CONFLICT, "not_a_member"));
    let versions = objects_under(&server.store, &layout::access_prefix(admin.tenant(), case)).await;
    assert_eq!(versions, 2);

    let accepted = origin_sup.change_access(case, &accept(&origin_cm, false)).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let record = accepted.json::<AccessResponse>().await.unwrap().record;
    assert_eq!(record.owner(), Some(origin_cm.session.user_id));
    assert_eq!(record.share_of(origin_sup.session.user_id), Some(Share::Supervisor));
    assert_eq!(record.share_of(host_cm.session.user_id), None, "the consent did not keep the host office in");
    // The origin case manager has the case and its key from the supervisor; the host office
    // has nothing more of it.
    assert_eq!(origin_cm.fetch(case, 1).await.status(), StatusCode::OK);
    let granted: AccessResponse = origin_cm.access(case).await.json().await.unwrap();
    assert_eq!(granted.latest, 1, "the newest revision, for a device to know whether its copy is");
    let opened =
        granted.grants[0].open(admin.tenant(), &origin_sup.identity().public(), origin_cm.identity().agreement());
    assert_eq!((granted.grants[0].key_id, opened.unwrap()), key);
    // The host office had the key: the origin office writes under a new one.
    let due = origin_cm.push(case, 2, origin_cm.seal_with(case, 2, &key, b"arrived")).await;
    assert_eq!(error_code(due).await, "rekey_due");
    let fresh = rotate(&origin_cm, case, &[&origin_cm, &origin_sup]).await;
    assert_eq!(
        origin_cm.push(case, 2, origin_cm.seal_with(case, 2, &fresh, b"arrived")).await.status(),
        StatusCode::CREATED
    );
    let late = host_cm.push(case, 3, host_cm.seal_with(case, 3, &key, b"late"));
    assert_eq!(error_code(late.await).await, "no_access");
    assert_eq!(host_cm.fetch(case, 2).await.status(), StatusCode::FORBIDDEN);
    assert!(host_cm.changes(0, 100).await.entries.iter().all(|e| e.case != case));
    // Accepting again is a harmless retry.
    let before: AccessResponse = origin_sup.access(case).await.json().await.unwrap();
    assert_eq!(before.record.version, record.version + 1, "the rotation's");
    let again = origin_sup.change_access(case, &accept(&origin_cm, false)).await;
    assert_eq!(again.json::<AccessResponse>().await.unwrap().record, before.record);
}

#[tokio::test]
async fn a_host_office_the_consent_keeps_in_reads_on_but_no_longer_writes() {
    let (server, _dir) = fs_server().await;
    let admin = new_org_user(&server.store, &server.url, "coordinator").await;
    let join = |name: &'static str| join_org(&server.store, &server.url, admin.tenant(), name);
    let (host_cm, origin_sup) = (join("host.cm").await, join("origin.sup").await);
    let (host, origin) = (TeamId::random(), TeamId::random());
    let members = [(&host_cm, Role::CaseManager, host, false), (&origin_sup, Role::Supervisor, origin, true)];
    organised(&admin, &members, &[host, origin]).await;
    let key = new_key();
    let case = new_case(&host_cm, &key).await;
    assert_eq!(share(&host_cm, case, &key, &origin_sup, Share::Origin).await.status(), StatusCode::OK);
    let keep = AccessRequest {
        changes: vec![AccessChange::Accept { to: origin_sup.session.user_id, host_keeps: true }],
        ..Default::default()
    };
    let record = origin_sup.change_access(case, &keep).await.json::<AccessResponse>().await.unwrap().record;
    assert_eq!(record.owner(), Some(origin_sup.session.user_id), "a supervisor may take the case themself");
    assert_eq!(record.share_of(host_cm.session.user_id), Some(Share::Host));
    assert_eq!(host_cm.fetch(case, 1).await.status(), StatusCode::OK);
    let push = host_cm.push(case, 2, host_cm.seal_with(case, 2, &key, b"two")).await;
    assert_eq!(error_code(push).await, "read_only");
    // Its consent withdrawn, the origin office takes the host's reading away.
    let end =
        AccessRequest { changes: vec![AccessChange::Revoke { user: host_cm.session.user_id }], ..Default::default() };
    assert_eq!(origin_sup.change_access(case, &end).await.status(), StatusCode::OK);
    assert_eq!(host_cm.fetch(case, 1).await.status(), StatusCode::FORBIDDEN);
}
