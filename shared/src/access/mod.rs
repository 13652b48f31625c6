//! Who may open and write a case, as the server enforces it: each case's access record,
//! and the rules by which it changes. The server cannot read a case, so it cannot tell
//! whether a consent covers a share; the sharing device checks that (and the key itself
//! reaches only those it seals a grant to). What the server decides with this record is
//! who gets the case's revisions, its grants and its entries in the change feed, and whose
//! pushes it takes.
//!
//! Every change is a pure function that refuses without changing anything.

use crate::crypto::PublicIdentity;
use crate::ids::{CaseId, KeyId, UserId};
use crate::membership::Organisation;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod handover;
mod retired;
mod rotation;
pub use handover::handover_changes;
pub use retired::RetiredKeys;
pub use rotation::{plan_rotation, Rotation};

/// Why someone may open a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Share {
    /// The case manager whose case it is.
    Owner,
    /// A supervisor of the owner's team.
    Supervisor,
    /// A named colleague (a protection or health focal point), under a consent to share.
    Colleague,
    /// A supervisor of the office in the country of origin the case is being handed over
    /// to, until that office accepts it.
    Origin,
    /// The host office after the handover was accepted, reading as the person's consent
    /// allows.
    Host,
}

impl Share {
    pub const ALL: [Share; 5] = [Share::Owner, Share::Supervisor, Share::Colleague, Share::Origin, Share::Host];

    /// Stable code, for translations and the API.
    pub fn code(self) -> &'static str {
        match self {
            Share::Owner => "owner",
            Share::Supervisor => "supervisor",
            Share::Colleague => "colleague",
            Share::Origin => "origin",
            Share::Host => "host",
        }
    }

    /// Whether this share may push revisions and change who has access.
    pub fn writes(self) -> bool {
        matches!(self, Share::Owner | Share::Supervisor)
    }
}

/// One person with access to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub user: UserId,
    pub share: Share,
}

/// Who may open a case now. Kept by the server as numbered versions, each created only
/// if absent, so two changes at once cannot both win.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRecord {
    pub case: CaseId,
    /// 1 for the record a case is created with, then one more per change.
    pub version: u64,
    /// Everyone with access, the owner first, then by user id.
    pub people: Vec<Access>,
    /// The key the case's revisions are sealed under since its last rotation (`None`
    /// until its first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyId>,
    /// Someone lost access since that key was chosen: they may still hold it, so the next
    /// revision must be sealed under a new key, given to everyone who still has access.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rekey: bool,
}

/// One change to who may open a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AccessChange {
    /// Gives `user` access as `share` (anything but the owner's), or changes their share.
    Grant { user: UserId, share: Share },
    /// Takes access away from someone other than the owner.
    Revoke { user: UserId },
    /// Makes `to` the owner; the previous owner's access ends (a reassignment).
    Reassign { to: UserId },
    /// The origin office accepts a handover (sent by one of its supervisors, who holds
    /// [`Share::Origin`]): `to`, a case manager there, becomes the owner and the origin
    /// supervisors its supervisors; the host office's owner and supervisors keep reading it
    /// only if `host_keeps`, as the person's consent says.
    Accept { to: UserId, host_keeps: bool },
    /// Revisions are sealed under `key` from now on: a writer rotates the case's key after
    /// someone lost access, granting the new key to everyone who still has it.
    Rekey { key: KeyId },
}

/// Why a change to a case's access is refused. Each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccessRefusal {
    #[error("only the case's owner or a supervisor of it may change who has access")]
    MayNotChange,
    #[error("a case has exactly one owner; reassign it instead")]
    OneOwner,
    #[error("this person already has this access")]
    Unchanged,
    #[error("this person has no access to the case")]
    NotShared,
    #[error("the case already has an access record")]
    Exists,
    #[error("too many people share this case")]
    TooMany,
    #[error("the host office's reading is given only by accepting a handover")]
    NotGrantable,
}

/// Why a revision's key is refused. Each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    #[error("someone lost access to this case: its key must be rotated before the next revision")]
    RekeyDue,
    #[error("this case's key was rotated: seal the revision under the new key")]
    StaleKey,
}

impl KeyRefusal {
    pub fn code(self) -> &'static str {
        match self {
            KeyRefusal::RekeyDue => "rekey_due",
            KeyRefusal::StaleKey => "stale_key",
        }
    }
}

/// Most people one case may be shared with (its owner included).
pub const MAX_PEOPLE: usize = 200;

impl AccessRefusal {
    pub const ALL: [AccessRefusal; 7] = [
        AccessRefusal::MayNotChange,
        AccessRefusal::OneOwner,
        AccessRefusal::Unchanged,
        AccessRefusal::NotShared,
        AccessRefusal::Exists,
        AccessRefusal::TooMany,
        AccessRefusal::NotGrantable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AccessRefusal::MayNotChange => "may_not_change_access",
            AccessRefusal::OneOwner => "one_owner",
            AccessRefusal::Unchanged => "access_unchanged",
            AccessRefusal::NotShared => "not_shared",
            AccessRefusal::Exists => "access_exists",
            AccessRefusal::TooMany => "too_many_people",
            AccessRefusal::NotGrantable => "not_grantable",
        }
    }
}

/// Who a new case of `owner` reaches from the start besides its owner, as the verified
/// membership log says: the supervisors of every team the owner is in, with the keys the
/// log vouches for. Nobody else gets a case without someone choosing to share it.
pub fn supervisors_of_owner(org: &Organisation, owner: UserId) -> Vec<(UserId, PublicIdentity)> {
    let Some(member) = org.member(owner) else { return Vec::new() };
    let mut supervisors: BTreeMap<UserId, PublicIdentity> = BTreeMap::new();
    for team in &member.card.teams {
        for supervisor in org.supervisors_of(*team) {
            if supervisor.card.user != owner {
                supervisors.insert(supervisor.card.user, supervisor.card.keys);
            }
        }
    }
    supervisors.into_iter().collect()
}

/// What brings the server's record in line with the colleagues a case is shared with (its
/// disclosure log, [`crate::casefile::CaseFile::shared_with`]): a grant for each colleague
/// without access, and a revoke for each colleague whose sharing ended. Supervisors, the
/// owner and the origin office are not the disclosure log's business.
pub fn colleague_changes(record: &AccessRecord, shared_with: &BTreeSet<UserId>) -> Vec<AccessChange> {
    let mut changes: Vec<AccessChange> = shared_with
        .iter()
        .filter(|user| record.share_of(**user).is_none())
        .map(|user| AccessChange::Grant { user: *user, share: Share::Colleague })
        .collect();
    changes.extend(
        record
            .people
            .iter()
            .filter(|a| a.share == Share::Colleague && !shared_with.contains(&a.user))
            .map(|a| AccessChange::Revoke { user: a.user }),
    );
    changes
}

impl AccessRecord {
    /// The first record of a new case: its creator owns it.
    pub fn created(case: CaseId, owner: UserId) -> Self {
        Self { case, version: 1, people: vec![Access { user: owner, share: Share::Owner }], key: None, rekey: false }
    }

    pub fn owner(&self) -> Option<UserId> {
        self.people.iter().find(|a| a.share == Share::Owner).map(|a| a.user)
    }

    pub fn share_of(&self, user: UserId) -> Option<Share> {
        self.people.iter().find(|a| a.user == user).map(|a| a.share)
    }

    /// Whether `user` may fetch the case, its grants and its feed entries.
    pub fn may_read(&self, user: UserId) -> bool {
        self.share_of(user).is_some()
    }

    /// Whether `user` may push revisions and change who has access.
    pub fn may_write(&self, user: UserId) -> bool {
        self.share_of(user).is_some_and(Share::writes)
    }

    /// The record after `by` makes `change`: the next version, or why not.
    pub fn apply(&self, by: UserId, change: AccessChange) -> Result<AccessRecord, AccessRefusal> {
        let mut people: BTreeMap<UserId, Share> = self.people.iter().map(|a| (a.user, a.share)).collect();
        match change {
            // Accepting a handover is the origin office's, which does not write the case.
            AccessChange::Accept { to, host_keeps } => return handover::accept(self, by, to, host_keeps),
            _ if !self.may_write(by) => return Err(AccessRefusal::MayNotChange),
            AccessChange::Grant { share: Share::Owner, .. } => return Err(AccessRefusal::OneOwner),
            AccessChange::Grant { share: Share::Host, .. } => return Err(AccessRefusal::NotGrantable),
            AccessChange::Grant { user, share } => {
                match people.get(&user) {
                    Some(Share::Owner) => return Err(AccessRefusal::OneOwner),
                    Some(current) if *current == share => return Err(AccessRefusal::Unchanged),
                    None if people.len() >= MAX_PEOPLE => return Err(AccessRefusal::TooMany),
                    _ => {}
                }
                people.insert(user, share);
            }
            AccessChange::Revoke { user } => match people.get(&user) {
                None => return Err(AccessRefusal::NotShared),
                Some(Share::Owner) => return Err(AccessRefusal::OneOwner),
                Some(_) => {
                    people.remove(&user);
                }
            },
            AccessChange::Reassign { to } => {
                let owner = self.owner().ok_or(AccessRefusal::OneOwner)?;
                if owner == to {
                    return Err(AccessRefusal::Unchanged);
                }
                if !people.contains_key(&to) && people.len() >= MAX_PEOPLE {
                    return Err(AccessRefusal::TooMany);
                }
                people.remove(&owner);
                people.insert(to, Share::Owner);
            }
            AccessChange::Rekey { key } => {
                // The key in force again is no rotation: whoever left may hold it.
                if self.key == Some(key) {
                    return Err(AccessRefusal::Unchanged);
                }
                return Ok(AccessRecord { version: self.version + 1, key: Some(key), rekey: false, ..self.clone() });
            }
        }
        Ok(self.with_people(people))
    }

    /// The record once `user` has left the organisation: taken off the case, so the key is
    /// renewed before its next revision. `None` when it does not name them, or names them
    /// as the owner: an owner is moved by a supervisor (a reassignment, which renews the key
    /// too), never left without one.
    pub fn after_leaving(&self, user: UserId) -> Option<AccessRecord> {
        match self.share_of(user) {
            None | Some(Share::Owner) => None,
            Some(_) => {
                let people = self.people.iter().filter(|a| a.user != user).map(|a| (a.user, a.share)).collect();
                Some(self.with_people(people))
            }
        }
    }

    /// Who of the people with access is not in `granted` (those given the new key): the
    /// server refuses a rotation until nobody is, so no one is locked out of the next revision.
    pub fn missing_grants(&self, granted: &BTreeSet<UserId>) -> Vec<UserId> {
        self.people.iter().map(|a| a.user).filter(|user| !granted.contains(user)).collect()
    }

    /// Whether a revision sealed under `key` may be pushed now: not while a rotation is
    /// due, and only under the key of the last rotation once there was one.
    pub fn takes_revisions_under(&self, key: KeyId) -> Result<(), KeyRefusal> {
        if self.rekey {
            return Err(KeyRefusal::RekeyDue);
        }
        match self.key {
            Some(current) if current != key => Err(KeyRefusal::StaleKey),
            _ => Ok(()),
        }
    }

    pub(crate) fn with_people(&self, people: BTreeMap<UserId, Share>) -> AccessRecord {
        let mut people: Vec<Access> = people.into_iter().map(|(user, share)| Access { user, share }).collect();
        // The owner first; the rest stay in user-id order (a stable sort).
        people.sort_by_key(|a| a.share != Share::Owner);
        // Anyone left out may still hold the key they had: the next revision needs a new one.
        let someone_left = self.people.iter().any(|a| !people.iter().any(|p| p.user == a.user));
        AccessRecord {
            case: self.case,
            version: self.version + 1,
            people,
            key: self.key,
            rekey: self.rekey || someone_left,
        }
    }

    /// Applies `changes` by `by` in order, all or nothing, skipping those already in force
    /// (so that a retried request does no harm): the next version, or `None` when nothing
    /// changes. Only someone who may write the case (or accept its handover) may send
    /// changes at all.
    pub fn apply_all(&self, by: UserId, changes: &[AccessChange]) -> Result<Option<AccessRecord>, AccessRefusal> {
        if !self.may_write(by) && self.share_of(by) != Some(Share::Origin) {
            return Err(AccessRefusal::MayNotChange);
        }
        let mut record = self.clone();
        let mut changed = false;
        for change in changes {
            match record.apply(by, *change) {
                Ok(next) => {
                    record = next;
                    changed = true;
                }
                Err(AccessRefusal::Unchanged) => {}
                Err(refusal) => return Err(refusal),
            }
        }
        Ok(changed.then(|| AccessRecord { version: self.version + 1, ..record }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids() -> (CaseId, UserId, UserId, UserId) {
        (CaseId::random(), UserId::random(), UserId::random(), UserId::random())
    }

    #[test]
    fn the_creator_owns_a_new_case_and_alone_has_access() {
        let (case, ana, bea, _) = ids();
        let record = AccessRecord::created(case, ana);
        assert_eq!(record.version, 1);
        assert_eq!(record.owner(), Some(ana));
        assert!(record.may_read(ana) && record.may_write(ana));
        assert!(!record.may_read(bea) && !record.may_write(bea));
    }

    #[test]
    fn owner_and_supervisor_write_colleague_and_origin_only_read() {
        let (case, ana, sup, col) = ids();
        let origin = UserId::random();
        let record = AccessRecord::created(case, ana)
            .apply_all(
                ana,
                &[
                    AccessChange::Grant { user: sup, share: Share::Supervisor },
                    AccessChange::Grant { user: col, share: Share::Colleague },
                    AccessChange::Grant { user: origin, share: Share::Origin },
                ],
            )
            .unwrap()
            .unwrap();
        assert_eq!(record.version, 2);
        assert!(record.may_write(sup) && record.may_read(sup));
        assert!(record.may_read(col) && !record.may_write(col));
        assert!(record.may_read(origin) && !record.may_write(origin));
        // Reading is not enough to change who has access.
        let refused = record.apply(col, AccessChange::Revoke { user: sup });
        assert_eq!(refused, Err(AccessRefusal::MayNotChange));
        let refused = record.apply(UserId::random(), AccessChange::Grant { user: col, share: Share::Supervisor });
        assert_eq!(refused, Err(AccessRefusal::MayNotChange));
        // A supervisor may.
        let revoked = record.apply(sup, AccessChange::Revoke { user: col }).unwrap();
        assert!(!revoked.may_read(col));
        assert_eq!(revoked.version, 3);
    }

    #[test]
    fn someone_who_left_the_organisation_is_taken_off_every_case_but_one_they_own() {
        let (case, ana, sup, col) = ids();
        let key = KeyId::random();
        let record = AccessRecord::created(case, ana)
            .apply_all(
                ana,
                &[
                    AccessChange::Grant { user: sup, share: Share::Supervisor },
                    AccessChange::Grant { user: col, share: Share::Colleague },
                    AccessChange::Rekey { key },
                ],
            )
            .unwrap()
            .unwrap();
        for gone in [sup, col] {
            let after = record.after_leaving(gone).unwrap();
            assert!(!after.may_read(gone), "taken off");
            assert!(after.rekey, "and the key renewed before the next revision");
            assert_eq!((after.version, after.key), (record.version + 1, Some(key)));
            assert_eq!(after.people.len(), record.people.len() - 1);
            assert_eq!(after.owner(), Some(ana));
        }
        assert_eq!(record.after_leaving(ana), None, "an owner is moved, not taken off");
        assert_eq!(record.after_leaving(UserId::random()), None, "nothing to do for someone it does not name");
    }

    #[test]
    fn losing_anyone_makes_the_key_rotate_before_the_next_revision() {
        let (case, ana, sup, col) = ids();
        let (old, new) = (KeyId::random(), KeyId::random());
        let record = AccessRecord::created(case, ana)
            .apply_all(
                ana,
                &[
                    AccessChange::Grant { user: sup, share: Share::Supervisor },
                    AccessChange::Grant { user: col, share: Share::Colleague },
                ],
            )
            .unwrap()
            .unwrap();
        // Gaining people or changing a share keeps the key: nobody left with it.
        assert!(!record.rekey && record.key.is_none());
        assert_eq!(record.takes_revisions_under(old), Ok(()));
        let promoted = record.apply(ana, AccessChange::Grant { user: col, share: Share::Supervisor }).unwrap();
        assert!(!promoted.rekey);

        let revoked = record.apply(ana, AccessChange::Revoke { user: col }).unwrap();
        assert!(revoked.rekey);
        assert_eq!(revoked.takes_revisions_under(old), Err(KeyRefusal::RekeyDue));
        assert_eq!(revoked.missing_grants(&[ana].into()), vec![sup]);
        assert!(revoked.missing_grants(&[ana, sup].into()).is_empty());
        // Only a writer rotates it.
        assert_eq!(revoked.apply(col, AccessChange::Rekey { key: new }), Err(AccessRefusal::MayNotChange));
        let rotated = revoked.apply(sup, AccessChange::Rekey { key: new }).unwrap();
        assert_eq!((rotated.key, rotated.rekey, rotated.version), (Some(new), false, revoked.version + 1));
        assert_eq!(rotated.people, revoked.people);
        assert_eq!(rotated.takes_revisions_under(new), Ok(()));
        assert_eq!(rotated.takes_revisions_under(old), Err(KeyRefusal::StaleKey));
        assert_eq!(rotated.apply(ana, AccessChange::Rekey { key: new }), Err(AccessRefusal::Unchanged));

        // A reassignment leaves the previous owner out; a later grant keeps the rotation due.
        let moved = rotated.apply(sup, AccessChange::Reassign { to: col }).unwrap();
        assert!(moved.rekey && moved.key == Some(new));
        let regranted = moved.apply(sup, AccessChange::Grant { user: ana, share: Share::Colleague }).unwrap();
        assert!(regranted.rekey);
        // The key in force is no rotation: the request skips it and the rotation stays due.
        assert_eq!(moved.apply(sup, AccessChange::Rekey { key: new }), Err(AccessRefusal::Unchanged));
        assert_eq!(moved.apply_all(sup, &[AccessChange::Rekey { key: new }]), Ok(None));
        assert!(!moved.apply(sup, AccessChange::Rekey { key: old }).unwrap().rekey);
        assert_eq!(KeyRefusal::RekeyDue.code(), "rekey_due");
        assert_eq!(KeyRefusal::StaleKey.code(), "stale_key");
    }

    #[test]
    fn the_key_fields_are_left_out_until_used_and_read_back() {
        let (case, ana, _, _) = ids();
        let record = AccessRecord::created(case, ana);
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("key"), "{json}");
        let rotated = AccessRecord { key: Some(KeyId::random()), rekey: true, ..record };
        let back: AccessRecord = serde_json::from_str(&serde_json::to_string(&rotated).unwrap()).unwrap();
        assert_eq!(back, rotated);
    }

    #[test]
    fn the_owner_is_neither_granted_nor_revoked_only_reassigned() {
        let (case, ana, sup, cm) = ids();
        let record = AccessRecord::created(case, ana)
            .apply(ana, AccessChange::Grant { user: sup, share: Share::Supervisor })
            .unwrap();
        assert_eq!(record.apply(sup, AccessChange::Revoke { user: ana }), Err(AccessRefusal::OneOwner));
        assert_eq!(
            record.apply(sup, AccessChange::Grant { user: ana, share: Share::Colleague }),
            Err(AccessRefusal::OneOwner)
        );
        assert_eq!(
            record.apply(ana, AccessChange::Grant { user: cm, share: Share::Owner }),
            Err(AccessRefusal::OneOwner)
        );
        assert_eq!(record.apply(sup, AccessChange::Reassign { to: ana }), Err(AccessRefusal::Unchanged));
        let moved = record.apply(sup, AccessChange::Reassign { to: cm }).unwrap();
        assert_eq!(moved.owner(), Some(cm));
        assert!(!moved.may_read(ana), "the previous owner's access ends");
        assert_eq!(moved.share_of(sup), Some(Share::Supervisor));
        assert_eq!(moved.people[0], Access { user: cm, share: Share::Owner });
    }

    #[test]
    fn a_supervisor_made_a_colleague_no_longer_writes_and_origin_only_reads() {
        let (case, ana, sup, origin) = ids();
        let record = AccessRecord::created(case, ana)
            .apply(ana, AccessChange::Grant { user: sup, share: Share::Supervisor })
            .unwrap()
            .apply(ana, AccessChange::Grant { user: origin, share: Share::Origin })
            .unwrap();
        assert_eq!(record.share_of(origin), Some(Share::Origin));
        assert_eq!(record.apply(origin, AccessChange::Revoke { user: sup }), Err(AccessRefusal::MayNotChange));
        let demoted = record.apply(ana, AccessChange::Grant { user: sup, share: Share::Colleague }).unwrap();
        assert!(demoted.may_read(sup) && !demoted.may_write(sup));
        // A supervisor who revokes themself mid-request loses the right to the rest of it.
        let batch = [AccessChange::Revoke { user: sup }, AccessChange::Revoke { user: origin }];
        assert_eq!(record.apply_all(sup, &batch), Err(AccessRefusal::MayNotChange));
        assert_eq!(Share::ALL.iter().filter(|s| s.writes()).count(), 2);
    }

    #[test]
    fn the_record_follows_the_disclosure_log_for_colleagues_only() {
        let (case, ana, sup, col) = ids();
        let other = UserId::random();
        let record = AccessRecord::created(case, ana)
            .apply_all(
                ana,
                &[
                    AccessChange::Grant { user: sup, share: Share::Supervisor },
                    AccessChange::Grant { user: other, share: Share::Colleague },
                ],
            )
            .unwrap()
            .unwrap();
        // Shared with `col` now, no longer with `other`; the supervisor is left alone, and
        // so is someone shared with who already has access another way.
        let shared: BTreeSet<UserId> = [col, sup].into();
        let changes = colleague_changes(&record, &shared);
        assert_eq!(
            changes,
            vec![AccessChange::Grant { user: col, share: Share::Colleague }, AccessChange::Revoke { user: other }]
        );
        let after = record.apply_all(ana, &changes).unwrap().unwrap();
        assert!(colleague_changes(&after, &shared).is_empty(), "in line after one request");
        assert_eq!(after.share_of(sup), Some(Share::Supervisor));
        assert!(colleague_changes(&AccessRecord::created(case, ana), &BTreeSet::new()).is_empty());
    }

    #[test]
    fn a_change_that_changes_nothing_is_refused() {
        let (case, ana, col, stranger) = ids();
        let record = AccessRecord::created(case, ana)
            .apply(ana, AccessChange::Grant { user: col, share: Share::Colleague })
            .unwrap();
        assert_eq!(
            record.apply(ana, AccessChange::Grant { user: col, share: Share::Colleague }),
            Err(AccessRefusal::Unchanged)
        );
        assert_eq!(record.apply(ana, AccessChange::Revoke { user: stranger }), Err(AccessRefusal::NotShared));
        let promoted = record.apply(ana, AccessChange::Grant { user: col, share: Share::Supervisor }).unwrap();
        assert_eq!(promoted.share_of(col), Some(Share::Supervisor));
    }

    #[test]
    fn a_case_is_shared_with_at_most_max_people() {
        let (case, ana, _, _) = ids();
        let mut record = AccessRecord::created(case, ana);
        for _ in 1..MAX_PEOPLE {
            record =
                record.apply(ana, AccessChange::Grant { user: UserId::random(), share: Share::Colleague }).unwrap();
        }
        assert_eq!(record.people.len(), MAX_PEOPLE);
        let one_more = AccessChange::Grant { user: UserId::random(), share: Share::Colleague };
        assert_eq!(record.apply(ana, one_more), Err(AccessRefusal::TooMany));
        assert_eq!(record.apply(ana, AccessChange::Reassign { to: UserId::random() }), Err(AccessRefusal::TooMany));
        // Changing someone already there is still fine.
        let someone = record.people[1].user;
        assert!(record.apply(ana, AccessChange::Grant { user: someone, share: Share::Supervisor }).is_ok());
        assert!(record.apply(ana, AccessChange::Reassign { to: someone }).is_ok());
    }

    #[test]
    fn a_request_applies_all_or_nothing_and_skips_what_is_in_force() {
        let (case, ana, col, stranger) = ids();
        let record = AccessRecord::created(case, ana);
        let changes =
            [AccessChange::Grant { user: col, share: Share::Colleague }, AccessChange::Revoke { user: stranger }];
        assert_eq!(record.apply_all(ana, &changes), Err(AccessRefusal::NotShared));
        assert_eq!(record.apply_all(ana, &[]), Ok(None));
        assert_eq!(record.apply_all(col, &[]), Err(AccessRefusal::MayNotChange));
        let grant = [AccessChange::Grant { user: col, share: Share::Colleague }];
        let shared = record.apply_all(ana, &grant).unwrap().unwrap();
        assert_eq!(shared.version, 2);
        // The same request again (a retry) changes nothing.
        assert_eq!(shared.apply_all(ana, &grant), Ok(None));
        let twice = [grant[0], AccessChange::Grant { user: stranger, share: Share::Colleague }];
        let next = shared.apply_all(ana, &twice).unwrap().unwrap();
        assert_eq!((next.version, next.people.len()), (3, 3));
    }

    #[test]
    fn codes_are_stable_and_distinct() {
        let codes: std::collections::BTreeSet<_> = AccessRefusal::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), AccessRefusal::ALL.len());
        assert_eq!(AccessRefusal::MayNotChange.code(), "may_not_change_access");
        let shares: std::collections::BTreeSet<_> = Share::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(shares.len(), Share::ALL.len());
        assert_eq!(serde_json::to_string(&Share::Colleague).unwrap(), "\"colleague\"");
    }

    #[test]
    fn a_new_case_reaches_the_supervisors_of_its_owners_teams_and_nobody_else() {
        use crate::crypto::IdentityKeys;
        use crate::ids::{TeamId, TenantId};
        use crate::membership::{Change, Country, Entry, MemberCard, Role, SignedEntry, Team};
        let admin = (UserId::random(), IdentityKeys::generate());
        let genesis = Organisation::founding_entry(TenantId::random(), "Org", admin.0, &admin.1, [9; 32], 1);
        let mut org = Organisation::found(&genesis.digest(), &genesis).unwrap();
        let push = |org: &mut Organisation, change: Change| {
            let entry = Entry { org: org.id, seq: org.seq + 1, prev: org.head, at: 2, change };
            org.apply(&SignedEntry::sign(&entry, admin.0, &admin.1)).unwrap();
        };
        let team = |country: &str| Team {
            id: TeamId::random(),
            name: country.into(),
            country: Country::parse(country).unwrap(),
        };
        let (host, other) = (team("ES"), team("SN"));
        push(&mut org, Change::TeamAdded { team: host.clone() });
        push(&mut org, Change::TeamAdded { team: other.clone() });
        let person = |role, teams: Vec<TeamId>, supervises: Vec<TeamId>| {
            let keys = IdentityKeys::generate();
            MemberCard { user: UserId::random(), role, teams, supervises, keys: keys.public() }
        };
        let ana = person(Role::CaseManager, vec![host.id], vec![]);
        let sup = person(Role::Supervisor, vec![host.id], vec![host.id]);
        let sup_elsewhere = person(Role::Supervisor, vec![], vec![other.id]);
        let colleague = person(Role::CaseManager, vec![host.id], vec![]);
        let loner = person(Role::CaseManager, vec![], vec![]);
        for card in [&ana, &sup, &sup_elsewhere, &colleague, &loner] {
            push(&mut org, Change::MemberAdded { member: card.clone() });
        }
        assert_eq!(supervisors_of_owner(&org, ana.user), vec![(sup.user, sup.keys)]);
        assert!(supervisors_of_owner(&org, loner.user).is_empty());
        assert!(supervisors_of_owner(&org, UserId::random()).is_empty(), "not a member");
        // A supervisor who leaves is no longer given new cases.
        push(&mut org, Change::MemberRemoved { user: sup_elsewhere.user });
        // A supervisor's own case does not list them again.
        assert!(supervisors_of_owner(&org, sup.user).is_empty());
        // In two teams: both teams' supervisors, once each.
        push(&mut org, Change::TeamsChanged { user: ana.user, teams: vec![host.id, other.id], supervises: vec![] });
        assert_eq!(supervisors_of_owner(&org, ana.user), vec![(sup.user, sup.keys)], "the removed one is not listed");
        let other_sup = person(Role::Supervisor, vec![], vec![other.id]);
        push(&mut org, Change::MemberAdded { member: other_sup.clone() });
        let mut both = vec![(sup.user, sup.keys), (other_sup.user, other_sup.keys)];
        both.sort_by_key(|(user, _)| *user);
        assert_eq!(supervisors_of_owner(&org, ana.user), both);
    }

    fn change(people: &[UserId]) -> impl Strategy<Value = (usize, AccessChange)> {
        let n = people.len();
        let people = people.to_vec();
        (0..n, 0..n, 0..4u8, 0..Share::ALL.len()).prop_map(move |(by, who, kind, share)| {
            let user = people[who];
            let change = match kind {
                0 => AccessChange::Grant { user, share: Share::ALL[share] },
                1 => AccessChange::Revoke { user },
                2 => AccessChange::Rekey { key: KeyId::from_bytes([share as u8; 16]) },
                _ => AccessChange::Reassign { to: user },
            };
            (by, change)
        })
    }

    proptest! {
        /// Whatever is tried, in any order: exactly one owner, no one twice, the version
        /// counts accepted changes, and a refused change leaves the record as it was.
        #[test]
        fn any_history_keeps_one_owner_and_refusals_change_nothing(
            choices in proptest::collection::vec(change(&[UserId::from_bytes([1; 16]), UserId::from_bytes([2; 16]), UserId::from_bytes([3; 16]), UserId::from_bytes([4; 16])]), 0..40)
        ) {
            let people = [UserId::from_bytes([1; 16]), UserId::from_bytes([2; 16]), UserId::from_bytes([3; 16]), UserId::from_bytes([4; 16])];
            let mut record = AccessRecord::created(CaseId::random(), people[0]);
            for (by, change) in choices {
                let before = record.clone();
                match record.apply(people[by], change) {
                    Ok(next) => {
                        prop_assert!(before.may_write(people[by]));
                        prop_assert_eq!(next.version, before.version + 1);
                        // Whoever left may hold the key: a rotation is due until the next Rekey.
                        let left = before.people.iter().any(|a| !next.may_read(a.user));
                        let rekeyed = matches!(change, AccessChange::Rekey { .. });
                        prop_assert_eq!(next.rekey, !rekeyed && (before.rekey || left));
                        if !rekeyed {
                            prop_assert_eq!(next.key, before.key);
                        }
                        record = next;
                    }
                    Err(_) => prop_assert_eq!(&record, &before),
                }
                prop_assert_eq!(record.people.iter().filter(|a| a.share == Share::Owner).count(), 1);
                prop_assert_eq!(record.people[0].share, Share::Owner);
                let mut users: Vec<_> = record.people.iter().map(|a| a.user).collect();
                users.sort();
                users.dedup();
                prop_assert_eq!(users.len(), record.people.len());
            }
        }
    }
}
