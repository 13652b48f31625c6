//! What the store does when the membership log says someone left the organisation: every
//! case that names them (but as its owner) no longer does, and its key is renewed before
//! its next revision, since they may still hold it. Their account is disabled apart; this
//! is about what they could open with a key they kept.

use crate::layout;
use crate::store::{all_keys, create_json, get_json, BlobStore, Created, ObjectKey, StoreError};
use puente_shared::access::AccessRecord;
use puente_shared::{TenantId, UserId};

/// Tries per case when someone else changes its record at the same moment.
const TRIES: usize = 5;

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Records that no longer name the member.
    pub changed: usize,
    /// Cases whose record could not be read or written (each logged): they still name them.
    pub failed: usize,
}

/// Takes `user` off every case of `tenant` whose newest access record names them other
/// than as its owner. A case that fails does not stop the others; only a failed listing
/// stops the sweep.
pub async fn take_off_every_case(store: &impl BlobStore, tenant: TenantId, user: UserId) -> Result<Swept, StoreError> {
    let keys = all_keys(store, &layout::access_root(tenant)).await?;
    let mut swept = Swept::default();
    for (i, key) in keys.iter().enumerate() {
        // Versions of one case are listed together, oldest first: the last is its newest.
        let newest = keys.get(i + 1).is_none_or(|next| case_of(next) != case_of(key));
        if newest {
            sweep_one(store, tenant, key, user, &mut swept).await;
        }
    }
    Ok(swept)
}

async fn sweep_one(store: &impl BlobStore, tenant: TenantId, listed: &str, user: UserId, swept: &mut Swept) {
    match take_off(store, tenant, listed, user).await {
        Ok(changed) => swept.changed += usize::from(changed),
        Err(error) => {
            tracing::warn!(%user, key = listed, %error, "a case still names a member who left");
            swept.failed += 1;
        }
    }
}

/// The case folder a listed access key is in.
fn case_of(listed: &str) -> &str {
    listed.rsplit_once('/').map_or(listed, |(folder, _)| folder)
}

/// Takes `user` off the case whose newest access record is at `listed`; `false` when the
/// record does not name them (or names them as its owner).
async fn take_off(store: &impl BlobStore, tenant: TenantId, listed: &str, user: UserId) -> Result<bool, StoreError> {
    let mut key = ObjectKey::parse(listed.to_owned()).map_err(|e| StoreError::Remote(e.to_string()))?;
    for _ in 0..TRIES {
        let Some(record) = get_json::<AccessRecord>(store, &key).await? else { return Ok(false) };
        let Some(next) = record.after_leaving(user) else { return Ok(false) };
        let next_key = layout::access(tenant, next.case, next.version);
        match create_json(store, &next_key, &next).await? {
            Created::Created => return Ok(true),
            // Changed meanwhile: read the version that won, and take them off that.
            Created::AlreadyExists => key = next_key,
        }
    }
    Err(StoreError::Remote(format!("the access record at {listed} kept changing")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FsStore;
    use puente_shared::access::{AccessChange, Share};
    use puente_shared::CaseId;

    /// Stores a case owned by `owner` and shared with `others`, as two versions.
    async fn case(store: &FsStore, tenant: TenantId, owner: UserId, others: &[(UserId, Share)]) -> CaseId {
        let case = CaseId::random();
        let first = AccessRecord::created(case, owner);
        let changes: Vec<AccessChange> =
            others.iter().map(|(user, share)| AccessChange::Grant { user: *user, share: *share }).collect();
        let second = first.apply_all(owner, &changes).unwrap().unwrap_or_else(|| first.clone());
        for record in [&first, &second] {
            create_json(store, &layout::access(tenant, case, record.version), record).await.unwrap();
        }
        case
    }

    async fn newest(store: &FsStore, tenant: TenantId, case: CaseId) -> AccessRecord {
        crate::access::current(store, tenant, case).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn whoever_left_is_taken_off_every_case_across_pages_and_nobody_else() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::open(dir.path()).unwrap();
        let (tenant, other_tenant) = (TenantId::random(), TenantId::random());
        let (ana, gone, sup) = (UserId::random(), UserId::random(), UserId::random());
        // More versions than one page lists, so cases fall on both sides of a page's end.
        let mut named = Vec::new();
        let mut not_named = Vec::new();
        for i in 0..700 {
            if i % 3 == 0 {
                not_named.push(case(&store, tenant, ana, &[(sup, Share::Supervisor)]).await);
            } else {
                let share = if i % 2 == 0 { Share::Colleague } else { Share::Supervisor };
                named.push(case(&store, tenant, ana, &[(sup, Share::Supervisor), (gone, share)]).await);
            }
        }
        let owned = case(&store, tenant, gone, &[(sup, Share::Supervisor)]).await;
        let elsewhere = case(&store, other_tenant, ana, &[(gone, Share::Colleague)]).await;

        let swept = take_off_every_case(&store, tenant, gone).await.unwrap();
        assert_eq!(swept, Swept { changed: named.len(), failed: 0 });
        for case in &named {
            let record = newest(&store, tenant, *case).await;
            assert!(!record.may_read(gone) && record.rekey && record.may_read(sup), "{case}");
            assert_eq!(record.version, 3);
        }
        for case in &not_named {
            let record = newest(&store, tenant, *case).await;
            assert_eq!((record.version, record.rekey), (2, false));
        }
        assert_eq!(newest(&store, tenant, owned).await.version, 2, "an owner is moved, not taken off");
        assert!(newest(&store, other_tenant, elsewhere).await.may_read(gone), "another organisation's case");
        // Again, nothing to do.
        assert_eq!(take_off_every_case(&store, tenant, gone).await.unwrap(), Swept::default());
    }

    #[tokio::test]
    async fn a_record_changed_meanwhile_is_read_again_and_taken_off_that() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::open(dir.path()).unwrap();
        let tenant = TenantId::random();
        let (ana, gone, sup) = (UserId::random(), UserId::random(), UserId::random());
        let id = case(&store, tenant, ana, &[(gone, Share::Colleague)]).await;
        // Listed when version 2 was the newest, a third lands before the sweep writes: it
        // finds that version taken, reads it and goes on from there, keeping its change.
        let listed = layout::access(tenant, id, 2).as_str().to_owned();
        let third =
            newest(&store, tenant, id).await.apply(ana, AccessChange::Grant { user: sup, share: Share::Supervisor });
        create_json(&store, &layout::access(tenant, id, 3), &third.unwrap()).await.unwrap();
        assert!(take_off(&store, tenant, &listed, gone).await.unwrap());
        let record = newest(&store, tenant, id).await;
        assert_eq!(record.version, 4);
        assert!(!record.may_read(gone) && record.may_read(sup) && record.rekey);
    }
}
