//! Each case's access record and grants in the store. The record is kept as numbered
//! versions (`access/{case}/{n}`), each created only if absent, so two changes at once
//! cannot both win; grants are one object per recipient and key version. The rules a
//! change must follow are `puente_shared::access`.

use crate::layout;
use crate::store::{all_keys, create_json, get_json, last_key, BlobStore, Created, ObjectKey, StoreError};
use puente_shared::access::{AccessChange, AccessRecord, AccessRefusal, Share};
use puente_shared::crypto::{Grant, Recipient};
use puente_shared::membership::Role;
use puente_shared::protocol::{AccessRequest, PublishedIdentity, MAX_GRANTS_PER_REQUEST};
use puente_shared::{CaseId, KeyId, TenantId, UserId};
use std::collections::BTreeSet;

/// Why an access request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Refused(#[from] AccessRefusal),
    /// The caller may not see this case at all (or it has no access record yet).
    #[error("no access to this case")]
    NoAccess,
    #[error("a grant is not valid: {0}")]
    BadGrant(&'static str),
    #[error("others changed this case's access at the same time; try again")]
    Busy,
    #[error(
        "access goes only to current members, a supervisor's or an origin office's only to a supervisor, and a \
         handover only to someone in a team its accepter supervises"
    )]
    NotAMember,
    #[error("the organisation's membership log does not verify")]
    Membership(#[from] crate::membership::AppendError),
}

/// Once the organisation has a membership log, the people a change names must be current
/// members; whoever is given a supervisor's or an origin office's access, a supervisor;
/// whoever `by` hands an accepted handover to, `by` or someone in a team `by` supervises;
/// and whoever a grant is for, a current member: someone removed from the organisation is
/// given no key, whatever a device with an older copy of the log believes.
async fn check_people(
    store: &impl BlobStore,
    tenant: TenantId,
    by: UserId,
    request: &AccessRequest,
) -> Result<(), AccessError> {
    let changes = &request.changes;
    let named = changes.iter().any(|c| !matches!(c, AccessChange::Revoke { .. } | AccessChange::Rekey { .. }));
    let granted: Vec<UserId> = request
        .grants
        .iter()
        .filter_map(|g| match g.to {
            Recipient::Member(user) => Some(user),
            Recipient::Recovery => None,
        })
        .collect();
    if !named && granted.is_empty() {
        return Ok(());
    }
    let Some(org) = crate::membership::organisation(store, tenant).await? else { return Ok(()) };
    if !granted.iter().all(|user| org.member(*user).is_some()) {
        return Err(AccessError::NotAMember);
    }
    for change in changes {
        let (user, share) = match *change {
            AccessChange::Grant { user, share } => (user, share),
            AccessChange::Reassign { to } => (to, Share::Owner),
            AccessChange::Accept { to, .. } => {
                let accepter =
                    org.member(by).filter(|m| m.card.role == Role::Supervisor).ok_or(AccessError::NotAMember)?;
                let member = org.member(to).ok_or(AccessError::NotAMember)?;
                if to != by && !member.card.teams.iter().any(|team| accepter.card.supervises.contains(team)) {
                    return Err(AccessError::NotAMember);
                }
                continue;
            }
            AccessChange::Revoke { .. } | AccessChange::Rekey { .. } => continue,
        };
        let member = org.member(user).ok_or(AccessError::NotAMember)?;
        if matches!(share, Share::Supervisor | Share::Origin) && member.card.role != Role::Supervisor {
            return Err(AccessError::NotAMember);
        }
    }
    Ok(())
}

/// The newest access record of `case`, or `None` for a case nobody created.
pub async fn current(
    store: &impl BlobStore,
    tenant: TenantId,
    case: CaseId,
) -> Result<Option<AccessRecord>, StoreError> {
    let Some(newest) = last_key(store, &layout::access_prefix(tenant, case)).await? else { return Ok(None) };
    let key = ObjectKey::parse(newest).map_err(|e| StoreError::Remote(e.to_string()))?;
    get_json(store, &key).await
}

/// Whether `user` may read `case` now.
pub async fn may_read(
    store: &impl BlobStore,
    tenant: TenantId,
    case: CaseId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(current(store, tenant, case).await?.is_some_and(|record| record.may_read(user)))
}

async fn has_revisions(store: &impl BlobStore, tenant: TenantId, case: CaseId) -> Result<bool, StoreError> {
    Ok(!store.list(&layout::case_prefix(tenant, case), None, 1).await?.is_empty())
}

/// Every grant of `case` addressed to `to`.
pub async fn grants_to(
    store: &impl BlobStore,
    tenant: TenantId,
    case: CaseId,
    to: Recipient,
) -> Result<Vec<Grant>, StoreError> {
    let mut grants = Vec::new();
    for key in all_keys(store, &layout::grants_prefix(tenant, case, to)).await? {
        let key = ObjectKey::parse(key).map_err(|e| StoreError::Remote(e.to_string()))?;
        if let Some(grant) = get_json(store, &key).await? {
            grants.push(grant);
        }
    }
    Ok(grants)
}

/// How often a change is tried again when another took its version first.
const ATTEMPTS: usize = 8;

/// What an access request did to the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The case's first record was written (with any changes the request carried).
    Created,
    /// A new version of an existing record was written.
    Changed,
    /// Nothing changed (grants may have been stored).
    Unchanged,
}

/// Carries out `request` by `by` on `case`: checks its grants, stores them, and writes the
/// next access record if anything changes. Returns the record in force after it, and
/// what was written.
pub async fn change(
    store: &impl BlobStore,
    tenant: TenantId,
    case: CaseId,
    by: UserId,
    request: &AccessRequest,
) -> Result<(AccessRecord, Outcome), AccessError> {
    if request.grants.len() > MAX_GRANTS_PER_REQUEST {
        return Err(AccessError::BadGrant("too many grants in one request"));
    }
    let signer: Option<PublishedIdentity> = get_json(store, &layout::identity(tenant, by)).await?;
    let signer = signer.ok_or(AccessError::BadGrant("the sender has published no identity keys"))?;
    for grant in &request.grants {
        if grant.case != case || grant.by != by {
            return Err(AccessError::BadGrant("a grant is for another case, or given by someone else"));
        }
        grant.verify(tenant, &signer.keys).map_err(|_| AccessError::BadGrant("a grant's signature does not verify"))?;
    }
    check_people(store, tenant, by, request).await?;
    // The keys `by` was given before this request, read before its own grants are stored,
    // so that a retry after a lost race for the record does not take them for a reused key.
    let held_before: BTreeSet<KeyId> = if request.changes.iter().any(|c| matches!(c, AccessChange::Rekey { .. })) {
        grants_to(store, tenant, case, Recipient::Member(by)).await?.iter().map(|g| g.key_id).collect()
    } else {
        BTreeSet::new()
    };
    for _ in 0..ATTEMPTS {
        let (base, create_first) = match current(store, tenant, case).await? {
            Some(record) => (record, false),
            // A case with revisions but no record is not anyone's to claim.
            None if request.create && !has_revisions(store, tenant, case).await? => {
                (AccessRecord::created(case, by), true)
            }
            None => return Err(AccessError::NoAccess),
        };
        if !base.may_read(by) {
            return Err(AccessError::NoAccess);
        }
        let next = base.apply_all(by, &request.changes)?;
        let after = next.clone().unwrap_or_else(|| base.clone());
        // Only someone who may write the case gives its key: a reader could otherwise plant
        // a key of their own under the case's key id for the next reader who lacks it.
        if !request.grants.is_empty() && !after.may_write(by) {
            return Err(AccessError::Refused(AccessRefusal::MayNotChange));
        }
        for grant in &request.grants {
            if let Recipient::Member(user) = grant.to {
                if !after.may_read(user) {
                    return Err(AccessError::BadGrant("a grant is for someone without access to the case"));
                }
            }
        }
        // A rotated key reaches everyone who still has access, in the same request.
        for change in &request.changes {
            if let AccessChange::Rekey { key } = *change {
                let granted: BTreeSet<UserId> = request
                    .grants
                    .iter()
                    .filter(|g| g.key_id == key)
                    .filter_map(|g| match g.to {
                        Recipient::Member(user) => Some(user),
                        _ => None,
                    })
                    .collect();
                if !after.missing_grants(&granted).is_empty() {
                    return Err(AccessError::BadGrant("a new key must be given to everyone with access"));
                }
                // A key the case used before is no rotation: whoever left may hold it.
                if base.key != Some(key) && held_before.contains(&key) {
                    return Err(AccessError::BadGrant("a rotation needs a key the case has not used"));
                }
            }
        }
        // Grants first: whoever the record lets in finds their key waiting.
        for grant in &request.grants {
            create_json(store, &layout::grant(tenant, case, grant.to, grant.key_id, grant.by), grant).await?;
        }
        let to_write = match (create_first, next) {
            (true, Some(next)) => vec![base, next],
            (true, None) => vec![base],
            (false, Some(next)) => vec![next],
            (false, None) => return Ok((after, Outcome::Unchanged)),
        };
        let mut taken = false;
        for record in &to_write {
            if create_json(store, &layout::access(tenant, case, record.version), record).await?
                == Created::AlreadyExists
            {
                taken = true;
                break;
            }
        }
        if !taken {
            return Ok((after, if create_first { Outcome::Created } else { Outcome::Changed }));
        }
    }
    Err(AccessError::Busy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FsStore;
    use puente_shared::crypto::{IdentityKeys, SecretKey};

    #[tokio::test]
    async fn every_grant_to_someone_is_read_past_one_listing_page() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::open(dir.path()).unwrap();
        let (tenant, case, giver) = (TenantId::random(), CaseId::random(), UserId::random());
        let signer = IdentityKeys::generate();
        let to = Recipient::Member(UserId::random());
        let public = IdentityKeys::generate().public().agreement;
        let key = SecretKey::random();
        for _ in 0..1_001 {
            let grant = Grant::give(tenant, case, KeyId::random(), &key, to, &public, giver, &signer).unwrap();
            create_json(&store, &layout::grant(tenant, case, to, grant.key_id, giver), &grant).await.unwrap();
        }
        assert_eq!(grants_to(&store, tenant, case, to).await.unwrap().len(), 1_001);
        assert!(grants_to(&store, tenant, case, Recipient::Recovery).await.unwrap().is_empty());
    }
}
