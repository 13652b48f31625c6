//! Rotating a case's key after someone lost access: who the new key goes to, as the
//! verified membership log says. The server takes a rotation only with a grant to everyone
//! the record names; this decides, on the rotating device, who that is and with which keys.

use super::{AccessChange, AccessRecord, Share};
use crate::crypto::PublicIdentity;
use crate::ids::{KeyId, UserId};
use crate::membership::Organisation;

/// A rotation of a case's key by one writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// Taken off the case first: the log says they left the organisation, so no key may
    /// reach them, and no new key could.
    pub revoke: Vec<UserId>,
    /// Everyone else with access but the rotating writer, with the keys the log vouches for.
    pub recipients: Vec<(UserId, PublicIdentity)>,
}

impl Rotation {
    /// The changes that carry it out under `key`: the revokes, then the rotation.
    pub fn changes(&self, key: KeyId) -> Vec<AccessChange> {
        let mut changes: Vec<AccessChange> =
            self.revoke.iter().map(|user| AccessChange::Revoke { user: *user }).collect();
        changes.push(AccessChange::Rekey { key });
        changes
    }
}

/// Who `by` gives a new key of `record`'s case to. `Err` lists the people with access whom
/// the log does not vouch for and who cannot be taken off either — unknown to this copy of
/// the log (it may be behind), or the owner who left (the case must be reassigned first):
/// the rotation waits for them rather than lock anyone out.
pub fn plan_rotation(record: &AccessRecord, org: &Organisation, by: UserId) -> Result<Rotation, Vec<UserId>> {
    let mut rotation = Rotation { revoke: Vec::new(), recipients: Vec::new() };
    let mut waiting = Vec::new();
    for access in record.people.iter().filter(|a| a.user != by) {
        match org.keys_of(access.user) {
            Some(keys) => rotation.recipients.push((access.user, keys)),
            None if org.was_removed(access.user) && access.share != Share::Owner => rotation.revoke.push(access.user),
            None => waiting.push(access.user),
        }
    }
    if waiting.is_empty() {
        Ok(rotation)
    } else {
        Err(waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::IdentityKeys;
    use crate::ids::{CaseId, TenantId};
    use crate::membership::{Change, Entry, MemberCard, Role, SignedEntry};
    use std::collections::BTreeSet;

    struct Org {
        org: Organisation,
        admin: (UserId, IdentityKeys),
    }

    impl Org {
        fn new() -> Self {
            let admin = (UserId::random(), IdentityKeys::generate());
            let genesis = Organisation::founding_entry(TenantId::random(), "Org", admin.0, &admin.1, [9; 32], 1);
            let org = Organisation::found(&genesis.digest(), &genesis).unwrap();
            Self { org, admin }
        }

        fn push(&mut self, change: Change) {
            let entry = Entry { org: self.org.id, seq: self.org.seq + 1, prev: self.org.head, at: 2, change };
            self.org.apply(&SignedEntry::sign(&entry, self.admin.0, &self.admin.1)).unwrap();
        }

        fn member(&mut self) -> MemberCard {
            let card = MemberCard {
                user: UserId::random(),
                role: Role::CaseManager,
                teams: vec![],
                supervises: vec![],
                keys: IdentityKeys::generate().public(),
            };
            self.push(Change::MemberAdded { member: card.clone() });
            card
        }
    }

    fn record(owner: UserId, others: &[(UserId, Share)]) -> AccessRecord {
        let changes: Vec<AccessChange> =
            others.iter().map(|(user, share)| AccessChange::Grant { user: *user, share: *share }).collect();
        AccessRecord::created(CaseId::random(), owner).apply_all(owner, &changes).unwrap().unwrap()
    }

    #[test]
    fn the_new_key_goes_to_everyone_else_with_access_with_the_keys_the_log_vouches_for() {
        let mut org = Org::new();
        let (ana, sup, col) = (org.member(), org.member(), org.member());
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (col.user, Share::Colleague)]);
        let rotation = plan_rotation(&record, &org.org, ana.user).unwrap();
        assert!(rotation.revoke.is_empty());
        let mut expected = vec![(sup.user, sup.keys), (col.user, col.keys)];
        expected.sort_by_key(|(user, _)| *user);
        assert_eq!(rotation.recipients, expected, "everyone but the rotating writer, once");
        // Rotated by the supervisor, the owner is among them.
        let by_sup = plan_rotation(&record, &org.org, sup.user).unwrap();
        let users: BTreeSet<UserId> = by_sup.recipients.iter().map(|(u, _)| *u).collect();
        assert_eq!(users, BTreeSet::from([ana.user, col.user]));
        let key = KeyId::random();
        assert_eq!(by_sup.changes(key), vec![AccessChange::Rekey { key }]);
    }

    #[test]
    fn someone_who_left_the_organisation_is_taken_off_and_given_nothing() {
        let mut org = Org::new();
        let (ana, sup, col) = (org.member(), org.member(), org.member());
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (col.user, Share::Colleague)]);
        org.push(Change::MemberRemoved { user: col.user });
        let rotation = plan_rotation(&record, &org.org, ana.user).unwrap();
        assert_eq!(rotation.revoke, vec![col.user]);
        assert_eq!(rotation.recipients, vec![(sup.user, sup.keys)]);
        let key = KeyId::random();
        let changes = rotation.changes(key);
        assert_eq!(changes, vec![AccessChange::Revoke { user: col.user }, AccessChange::Rekey { key }]);
        // The record takes them in that order, and the rotation is no longer due after.
        let after = record.apply_all(ana.user, &changes).unwrap().unwrap();
        assert!(!after.may_read(col.user) && !after.rekey && after.key == Some(key));
    }

    #[test]
    fn the_rotation_waits_for_anyone_the_log_cannot_vouch_for_or_take_off() {
        let mut org = Org::new();
        let (ana, sup) = (org.member(), org.member());
        let stranger = UserId::random();
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (stranger, Share::Colleague)]);
        // Unknown to this copy of the log (it may be behind): nobody is taken off for it.
        assert_eq!(plan_rotation(&record, &org.org, ana.user), Err(vec![stranger]));
        // An owner who left is reassigned, not revoked.
        let record = self::record(ana.user, &[(sup.user, Share::Supervisor)]);
        org.push(Change::MemberRemoved { user: ana.user });
        assert_eq!(plan_rotation(&record, &org.org, sup.user), Err(vec![ana.user]));
    }
}
