//! Who may read and write a case, over HTTP: the access record the server keeps for each
//! case, the grants beside it, and the feed filtered by both.

use puente_backend::layout;
use puente_backend::store::BlobStore;
use puente_shared::access::{AccessChange, AccessRecord, Share};
use puente_shared::crypto::{Recipient, SecretKey};
use puente_shared::protocol::{AccessRequest, AccessResponse};
use puente_shared::{CaseId, KeyId};
use puente_tests::api::{error_code, fs_server, join_org, new_org_user, Device};
use reqwest::StatusCode;

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
    assert_eq!(ana.push(case, 2, ana.seal_with(case, 2, &key, b"two")).await.status(), StatusCode::CREATED);
    assert!(col.changes(0, 100).await.entries.is_empty(), "no later revision reaches them");
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
    assert_eq!(ben.push(case, 3, ben.seal_with(case, 3, &key, b"three")).await.status(), StatusCode::CREATED);
    let access: AccessResponse = ben.access(case).await.json().await.unwrap();
    assert_eq!(access.grants[0].by, sup.session.user_id);
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
