//! Rotating a case's key after someone lost access: who the new key goes to. The server
//! takes a rotation only with a grant to everyone its record names, but that record is the
//! server's word: the rotating device seals the new key only to those it can account for
//! from what it trusts — the case file (its disclosure log and handover) and the verified
//! membership log — and takes everyone else off in the same request.

use super::{supervisors_of_owner, Access, AccessChange, AccessRecord, Share};
use crate::casefile::{handover, CaseFile};
use crate::crypto::PublicIdentity;
use crate::ids::{KeyId, TeamId, UserId};
use crate::membership::{Organisation, Role};

/// A rotation of a case's key by one writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// Taken off the case first: they left the organisation, or nothing this device trusts
    /// says they should have the case, so no new key may reach them.
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

/// Who `by` gives a new key of `record`'s case to, `file` being the case as `by`'s device
/// holds it (at the server's newest revision). `Err` lists the people with access whom
/// this device can neither vouch for nor take off — unknown to this copy of the log (it may
/// be behind), or an owner it cannot account for (who left, or whom the case file does not
/// name): the rotation waits for them rather than lock anyone out or let anyone in. It
/// waits for `by` too when the server makes them the owner and their copy of the case does
/// not say so yet: the revision that records the move may still be on its way, and a plan
/// without it would take off the supervisor who made it.
pub fn plan_rotation(
    record: &AccessRecord,
    file: &CaseFile,
    org: &Organisation,
    by: UserId,
) -> Result<Rotation, Vec<UserId>> {
    let mut rotation = Rotation { revoke: Vec::new(), recipients: Vec::new() };
    let mut waiting = Vec::new();
    let owner = record.owner();
    if owner == Some(by) && file.assigned_to() != Some(by) {
        return Err(vec![by]);
    }
    for access in record.people.iter().filter(|a| a.user != by) {
        let owns = access.share == Share::Owner;
        match org.keys_of(access.user) {
            Some(keys) if accounted_for(access, owner, file, org) => rotation.recipients.push((access.user, keys)),
            Some(_) if !owns => rotation.revoke.push(access.user),
            None if org.was_removed(access.user) && !owns => rotation.revoke.push(access.user),
            _ => waiting.push(access.user),
        }
    }
    if waiting.is_empty() {
        Ok(rotation)
    } else {
        Err(waiting)
    }
}

/// Whether a device can tell, from the case file and the verified log, why `access` is in
/// the record of a case owned by `owner`.
fn accounted_for(access: &Access, owner: Option<UserId>, file: &CaseFile, org: &Organisation) -> bool {
    let user = access.user;
    let supervises =
        |supervisor: UserId, of: UserId| supervisors_of_owner(org, of).iter().any(|(u, _)| *u == supervisor);
    let supervises_origin =
        |office: Option<TeamId>| office.is_some_and(|office| org.supervisors_of(office).any(|m| m.card.user == user));
    match access.share {
        // The one the case file says it belongs to.
        Share::Owner => file.assigned_to() == Some(user),
        // A supervisor of the owner's team, of the origin office that accepted the case, or
        // the one who made the move in force (to a case manager outside their teams, say),
        // while the log says they are a supervisor.
        Share::Supervisor => {
            owner.is_some_and(|owner| supervises(user, owner))
                || (file.handover.accepted.is_some() && supervises_origin(file.handover.office))
                || (file.moved_by() == Some(user) && org.member(user).is_some_and(|m| m.card.role == Role::Supervisor))
        }
        Share::Colleague => file.shared_with().contains(&user),
        Share::Origin => supervises_origin(handover::awaiting(file)),
        // Whoever sent the case, a supervisor of theirs or someone they supervise, while the
        // consent keeps the host office reading.
        Share::Host => {
            handover::host_may_read(file)
                && file.handover.sent.as_ref().is_some_and(|sent| {
                    let sender = sent.recorded.by;
                    user == sender || supervises(user, sender) || supervises(sender, user)
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casefile::consent::{Consent, Giver, Scope};
    use crate::casefile::handover::Sent;
    use crate::casefile::sharing::Disclosure;
    use crate::casefile::{assignment, Actor, EntryId, Event, HistoryEntry, Stamp};
    use crate::crypto::IdentityKeys;
    use crate::ids::{CaseId, TenantId};
    use crate::membership::{Change, Country, Entry, MemberCard, SignedEntry, Team};
    use std::collections::BTreeSet;
    use time::macros::date;

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

        fn team(&mut self, name: &str) -> TeamId {
            let team = Team { id: TeamId::random(), name: name.into(), country: Country::parse("ES").unwrap() };
            self.push(Change::TeamAdded { team: team.clone() });
            team.id
        }

        fn joined(&mut self, role: Role, teams: Vec<TeamId>, supervises: Vec<TeamId>) -> MemberCard {
            let card =
                MemberCard { user: UserId::random(), role, teams, supervises, keys: IdentityKeys::generate().public() };
            self.push(Change::MemberAdded { member: card.clone() });
            card
        }

        /// A case manager of `team`, and a supervisor of it.
        fn office(&mut self, team: TeamId) -> (MemberCard, MemberCard) {
            (self.joined(Role::CaseManager, vec![team], vec![]), self.joined(Role::Supervisor, vec![], vec![team]))
        }

        fn member(&mut self) -> MemberCard {
            self.joined(Role::CaseManager, vec![], vec![])
        }
    }

    fn record(owner: UserId, others: &[(UserId, Share)]) -> AccessRecord {
        let changes: Vec<AccessChange> =
            others.iter().map(|(user, share)| AccessChange::Grant { user: *user, share: *share }).collect();
        AccessRecord::created(CaseId::random(), owner).apply_all(owner, &changes).unwrap().unwrap()
    }

    fn stamp(by: UserId) -> Stamp {
        Stamp { by, at: 1 }
    }

    /// A case file shared with `colleagues` under the person's consent.
    /// A case file opened by `owner`.
    fn opened(owner: UserId) -> CaseFile {
        let mut file = CaseFile::default();
        file.history.push(HistoryEntry { stamp: stamp(owner), event: Event::Opened });
        file
    }

    fn actor(user: UserId, now_ms: i64) -> Actor {
        Actor { user, now_ms, today: date!(2026 - 01 - 03) }
    }

    fn shared_with(colleagues: &[UserId], by: UserId) -> CaseFile {
        let mut file = opened(by);
        let consent = consent(&mut file, [Scope::Sharing].into(), by);
        for with in colleagues {
            file.disclosures.push(Disclosure {
                id: EntryId::random(),
                with: *with,
                consent,
                given: stamp(by),
                ended: None,
            });
        }
        file
    }

    fn consent(file: &mut CaseFile, scopes: BTreeSet<Scope>, by: UserId) -> EntryId {
        let id = EntryId::random();
        file.consents.push(Consent {
            id,
            giver: Giver::Person,
            giver_name: "Amina".into(),
            scopes,
            services: Default::default(),
            recipients: String::new(),
            given_on: date!(2026 - 01 - 01),
            recorded: stamp(by),
            withdrawn: None,
        });
        id
    }

    fn users(rotation: &Rotation) -> BTreeSet<UserId> {
        rotation.recipients.iter().map(|(u, _)| *u).collect()
    }

    /// `users` in order, for comparing a list whose order does not matter.
    fn sorted(mut users: Vec<UserId>) -> Vec<UserId> {
        users.sort();
        users
    }

    #[test]
    fn the_new_key_goes_to_everyone_else_with_access_with_the_keys_the_log_vouches_for() {
        let mut org = Org::new();
        let team = org.team("Madrid");
        let (ana, sup) = org.office(team);
        let col = org.member();
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (col.user, Share::Colleague)]);
        let file = shared_with(&[col.user], ana.user);
        let rotation = plan_rotation(&record, &file, &org.org, ana.user).unwrap();
        assert!(rotation.revoke.is_empty());
        let mut expected = vec![(sup.user, sup.keys), (col.user, col.keys)];
        expected.sort_by_key(|(user, _)| *user);
        assert_eq!(rotation.recipients, expected, "everyone but the rotating writer, once");
        // Rotated by the supervisor, the owner is among them.
        let by_sup = plan_rotation(&record, &file, &org.org, sup.user).unwrap();
        assert_eq!(users(&by_sup), BTreeSet::from([ana.user, col.user]));
        let key = KeyId::random();
        assert_eq!(by_sup.changes(key), vec![AccessChange::Rekey { key }]);
    }

    #[test]
    fn someone_who_left_the_organisation_is_taken_off_and_given_nothing() {
        let mut org = Org::new();
        let team = org.team("Madrid");
        let (ana, sup) = org.office(team);
        let col = org.member();
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (col.user, Share::Colleague)]);
        let file = shared_with(&[col.user], ana.user);
        org.push(Change::MemberRemoved { user: col.user });
        let rotation = plan_rotation(&record, &file, &org.org, ana.user).unwrap();
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
        let team = org.team("Madrid");
        let (ana, sup) = org.office(team);
        let stranger = UserId::random();
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (stranger, Share::Colleague)]);
        let file = shared_with(&[stranger], ana.user);
        // Unknown to this copy of the log (it may be behind): nobody is taken off for it.
        assert_eq!(plan_rotation(&record, &file, &org.org, ana.user), Err(vec![stranger]));
        // An owner who left is reassigned, not revoked.
        let record = self::record(ana.user, &[(sup.user, Share::Supervisor)]);
        org.push(Change::MemberRemoved { user: ana.user });
        assert_eq!(plan_rotation(&record, &opened(ana.user), &org.org, sup.user), Err(vec![ana.user]));
    }

    #[test]
    fn nobody_the_server_slipped_into_the_record_gets_the_new_key() {
        let mut org = Org::new();
        let team = org.team("Madrid");
        let (ana, sup) = org.office(team);
        let (mallory, eve, oscar, hugo) = (org.member(), org.member(), org.member(), org.member());
        let col = org.member();
        // Members of the organisation, named by nothing the device trusts: not in the
        // disclosure log, supervising nothing, no handover sent or accepted.
        let record = record(
            ana.user,
            &[
                (sup.user, Share::Supervisor),
                (col.user, Share::Colleague),
                (mallory.user, Share::Colleague),
                (eve.user, Share::Supervisor),
                (oscar.user, Share::Origin),
            ],
        );
        let mut planted = record.clone();
        planted.people.push(Access { user: hugo.user, share: Share::Host });
        let file = shared_with(&[col.user], ana.user);
        for by in [ana.user, sup.user] {
            let rotation = plan_rotation(&planted, &file, &org.org, by).unwrap();
            let revoked = sorted(vec![mallory.user, eve.user, oscar.user, hugo.user]);
            assert_eq!(sorted(rotation.revoke.clone()), revoked, "taken off, in the same request");
            let expected: BTreeSet<UserId> = [ana.user, sup.user, col.user].into_iter().filter(|u| *u != by).collect();
            assert_eq!(users(&rotation), expected, "the new key reaches only those accounted for");
        }
        // A colleague whose sharing ended is taken off too.
        let mut ended = file.clone();
        ended.disclosures[0].ended = Some(stamp(ana.user));
        let rotation = plan_rotation(&record, &ended, &org.org, ana.user).unwrap();
        assert!(rotation.revoke.contains(&col.user) && !users(&rotation).contains(&col.user));
        // An owner the case file does not name (the server says the case moved): the
        // rotation waits, on the supervisor's device and on the one the server names, whose
        // copy may not have the move yet.
        let moved = record.apply(sup.user, AccessChange::Reassign { to: mallory.user }).unwrap();
        assert_eq!(plan_rotation(&moved, &file, &org.org, sup.user), Err(vec![mallory.user]));
        assert_eq!(plan_rotation(&moved, &file, &org.org, mallory.user), Err(vec![mallory.user]));
        // Recorded in the case, the move is accounted for, and the supervisor who made it
        // gets the new owner's key though they do not supervise them.
        let mut recorded = file.clone();
        assignment::reassign(&mut recorded, mallory.user, &actor(sup.user, 5)).unwrap();
        let rotation = plan_rotation(&moved, &recorded, &org.org, sup.user).unwrap();
        assert!(users(&rotation).contains(&mallory.user));
        let rotation = plan_rotation(&moved, &recorded, &org.org, mallory.user).unwrap();
        assert!(users(&rotation).contains(&sup.user) && !rotation.revoke.contains(&sup.user));
        // The case it was moved from is no longer the owner's: the server cannot hand it back.
        assert_eq!(plan_rotation(&record, &recorded, &org.org, sup.user), Err(vec![ana.user]));
    }

    #[test]
    fn a_supervisor_of_another_team_is_kept_only_if_they_moved_the_case() {
        let mut org = Org::new();
        let (madrid, lima) = (org.team("Madrid"), org.team("Lima"));
        let (ana, sup) = org.office(madrid);
        let (_, lima_sup) = org.office(lima);
        let record = record(ana.user, &[(sup.user, Share::Supervisor), (lima_sup.user, Share::Supervisor)]);
        let file = opened(ana.user);
        let rotation = plan_rotation(&record, &file, &org.org, ana.user).unwrap();
        assert_eq!((users(&rotation), rotation.revoke), (BTreeSet::from([sup.user]), vec![lima_sup.user]));
        // Having moved it (back to Ana, say), they are accounted for.
        let mut moved = file.clone();
        assignment::reassign(&mut moved, sup.user, &actor(lima_sup.user, 5)).unwrap();
        assignment::reassign(&mut moved, ana.user, &actor(lima_sup.user, 6)).unwrap();
        let rotation = plan_rotation(&record, &moved, &org.org, ana.user).unwrap();
        assert_eq!(users(&rotation), BTreeSet::from([sup.user, lima_sup.user]));
        // Not once someone else made a move after theirs, nor once they no longer supervise.
        let mut moved_again = moved.clone();
        assignment::reassign(&mut moved_again, lima_sup.user, &actor(sup.user, 7)).unwrap();
        assignment::reassign(&mut moved_again, ana.user, &actor(sup.user, 8)).unwrap();
        let rotation = plan_rotation(&record, &moved_again, &org.org, ana.user).unwrap();
        assert_eq!(rotation.revoke, vec![lima_sup.user]);
        let mut demoted = Org { org: org.org.clone(), admin: (org.admin.0, org.admin.1.clone()) };
        demoted.push(Change::RoleChanged { user: lima_sup.user, role: Role::CaseManager });
        let rotation = plan_rotation(&record, &moved, &demoted.org, ana.user).unwrap();
        assert_eq!(rotation.revoke, vec![lima_sup.user]);
        // The owner is whom the case file names, whoever rotates.
        let rotation = plan_rotation(&record, &file, &org.org, lima_sup.user).unwrap();
        assert!(users(&rotation).contains(&ana.user));
        // Once their supervision ends, the owner's supervisor is no longer accounted for.
        org.push(Change::TeamsChanged { user: sup.user, teams: vec![], supervises: vec![] });
        let rotation = plan_rotation(&record, &moved, &org.org, ana.user).unwrap();
        assert_eq!((users(&rotation), rotation.revoke), (BTreeSet::from([lima_sup.user]), vec![sup.user]));
    }

    #[test]
    fn a_handed_over_case_reaches_the_origin_office_and_the_host_only_as_its_file_says() {
        let mut org = Org::new();
        let (madrid, lima) = (org.team("Madrid"), org.team("Lima"));
        let (ana, sup) = org.office(madrid);
        let (lima_cm, lima_sup) = org.office(lima);
        let mut file = opened(ana.user);
        let consent = consent(&mut file, [Scope::Handover, Scope::HostFollowUp].into(), ana.user);
        file.handover.office = Some(lima);
        let sent = Sent { on: date!(2026 - 01 - 02), consent, recorded: stamp(ana.user), stopped: None };
        file.handover.sent = Some(sent);
        // Awaiting acceptance: the origin supervisor reads as such.
        let awaiting = record(ana.user, &[(sup.user, Share::Supervisor), (lima_sup.user, Share::Origin)]);
        let rotation = plan_rotation(&awaiting, &file, &org.org, ana.user).unwrap();
        assert_eq!((users(&rotation), rotation.revoke.is_empty()), (BTreeSet::from([sup.user, lima_sup.user]), true));
        // The handover stopped (its consent withdrawn): no longer.
        let mut stopped = file.clone();
        stopped.handover.sent.as_mut().unwrap().stopped = Some(stamp(ana.user));
        let rotation = plan_rotation(&awaiting, &stopped, &org.org, ana.user).unwrap();
        assert_eq!(rotation.revoke, vec![lima_sup.user]);
        // Accepted, with the host office kept reading: the origin office's case manager owns
        // it, its supervisor supervises it, and the host office reads it.
        let accepted =
            awaiting.apply(lima_sup.user, AccessChange::Accept { to: lima_cm.user, host_keeps: true }).unwrap();
        let before_acceptance = file.clone();
        handover::accept(&mut file, lima_cm.user, &actor(lima_sup.user, 5)).unwrap();
        let by_origin = plan_rotation(&accepted, &file, &org.org, lima_sup.user).unwrap();
        assert!(by_origin.revoke.is_empty());
        assert_eq!(users(&by_origin), BTreeSet::from([lima_cm.user, ana.user, sup.user]));
        let by_owner = plan_rotation(&accepted, &file, &org.org, lima_cm.user).unwrap();
        assert_eq!(users(&by_owner), BTreeSet::from([lima_sup.user, ana.user, sup.user]));
        // Named on acceptance, a case manager outside the teams the origin supervisor
        // supervises is accounted for as the owner; anyone else the server makes the owner
        // is not.
        let outside = org.member();
        let mut named = before_acceptance.clone();
        handover::accept(&mut named, outside.user, &actor(lima_sup.user, 5)).unwrap();
        let to_outside =
            awaiting.apply(lima_sup.user, AccessChange::Accept { to: outside.user, host_keeps: true }).unwrap();
        let rotation = plan_rotation(&to_outside, &named, &org.org, lima_sup.user).unwrap();
        assert!(users(&rotation).contains(&outside.user));
        assert_eq!(plan_rotation(&to_outside, &file, &org.org, lima_sup.user), Err(vec![outside.user]));
        // Another supervisor of the origin office supervises it from the acceptance on, though
        // the owner is in none of their teams; before it, they have no supervisor's share.
        let lima_sup2 = org.joined(Role::Supervisor, vec![], vec![lima]);
        let mut two = to_outside.clone();
        two.people.push(Access { user: lima_sup2.user, share: Share::Supervisor });
        let rotation = plan_rotation(&two, &named, &org.org, outside.user).unwrap();
        assert_eq!(users(&rotation), BTreeSet::from([lima_sup.user, lima_sup2.user, ana.user, sup.user]));
        let mut early = awaiting.clone();
        early.people.push(Access { user: lima_sup2.user, share: Share::Supervisor });
        let rotation = plan_rotation(&early, &before_acceptance, &org.org, ana.user).unwrap();
        assert_eq!(rotation.revoke, vec![lima_sup2.user]);
        // Without the consent to follow the case from the host country, the host office is
        // taken off; someone outside it, planted as the host, is never kept.
        let mut withdrawn = file.clone();
        withdrawn.consents[0].scopes = [Scope::Handover].into();
        let rotation = plan_rotation(&accepted, &withdrawn, &org.org, lima_cm.user).unwrap();
        let expected = (BTreeSet::from([lima_sup.user]), sorted(vec![ana.user, sup.user]));
        assert_eq!((users(&rotation), rotation.revoke), expected);
        // Nor is anyone the server plants as the host: not someone outside the office, not
        // a fellow case manager of the sender's team.
        let outsider = org.member();
        let teammate = org.joined(Role::CaseManager, vec![madrid], vec![]);
        let mut planted = accepted.clone();
        planted.people.push(Access { user: outsider.user, share: Share::Host });
        planted.people.push(Access { user: teammate.user, share: Share::Host });
        let rotation = plan_rotation(&planted, &file, &org.org, lima_cm.user).unwrap();
        assert_eq!(sorted(rotation.revoke.clone()), sorted(vec![outsider.user, teammate.user]));
        assert_eq!(users(&rotation), BTreeSet::from([lima_sup.user, ana.user, sup.user]));
        // Sent by the host supervisor, the case manager they supervise reads on too.
        let mut by_sup = file.clone();
        by_sup.handover.sent.as_mut().unwrap().recorded = stamp(sup.user);
        let rotation = plan_rotation(&accepted, &by_sup, &org.org, lima_cm.user).unwrap();
        assert_eq!(
            (users(&rotation), rotation.revoke.is_empty()),
            (BTreeSet::from([lima_sup.user, ana.user, sup.user]), true)
        );
    }
}
