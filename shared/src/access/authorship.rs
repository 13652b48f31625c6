//! Whether the author of a pulled revision may have written the case. The server takes
//! revisions only from those its record lets write, but that record is the server's word:
//! a device checks the author against the case as it already holds it and the trusted
//! membership log, so that a revision a reader signed (and a hostile server passed on)
//! cannot name a new owner or a new colleague, who would then be given the case's key.

use super::rotation::accounted_for;
use super::{Access, Share};
use crate::casefile::{handover, CaseFile};
use crate::ids::UserId;
use crate::membership::Organisation;

/// Whether `author` may have written the revision that turns `held` (the case as this
/// device holds it) into `pulled`: the owner `held` names, a supervisor it accounts for,
/// the origin office's supervisor accepting the handover `held` awaits, or the one the
/// case was moved to in `pulled` by one of those (the move's own revision may not have
/// reached this device).
pub fn may_have_written(held: &CaseFile, pulled: &CaseFile, org: &Organisation, author: UserId) -> bool {
    let owner = held.assigned_to();
    let writes = |user: UserId| {
        let accounted = |share| accounted_for(&Access { user, share }, owner, held, org);
        let accepting =
            handover::awaiting(held).is_some_and(|office| org.supervisors_of(office).any(|m| m.card.user == user));
        accounted(Share::Owner) || accounted(Share::Supervisor) || accepting
    };
    let moved_to =
        pulled.assigned_to() == Some(author) && pulled.moved_by().is_some_and(|mover| mover != author && writes(mover));
    writes(author) || moved_to
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casefile::consent::{Consent, Giver, Scope};
    use crate::casefile::handover::Sent;
    use crate::casefile::{assignment, Actor, EntryId, Event, HistoryEntry, Stamp};
    use crate::crypto::IdentityKeys;
    use crate::ids::{TeamId, TenantId};
    use crate::membership::{Change, Country, Entry, MemberCard, Role, SignedEntry, Team};
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

        fn team(&mut self) -> TeamId {
            let team = Team { id: TeamId::random(), name: "Office".into(), country: Country::parse("ES").unwrap() };
            self.push(Change::TeamAdded { team: team.clone() });
            team.id
        }

        fn joined(&mut self, role: Role, teams: Vec<TeamId>, supervises: Vec<TeamId>) -> UserId {
            let user = UserId::random();
            let keys = IdentityKeys::generate().public();
            self.push(Change::MemberAdded { member: MemberCard { user, role, teams, supervises, keys } });
            user
        }
    }

    fn actor(user: UserId, now_ms: i64) -> Actor {
        Actor { user, now_ms, today: date!(2026 - 01 - 03) }
    }

    fn opened(owner: UserId) -> CaseFile {
        let mut file = CaseFile::default();
        file.history.push(HistoryEntry { stamp: Stamp { by: owner, at: 1 }, event: Event::Opened });
        file
    }

    #[test]
    fn the_owner_and_their_supervisor_write_and_nobody_else() {
        let mut org = Org::new();
        let (madrid, lima) = (org.team(), org.team());
        let ana = org.joined(Role::CaseManager, vec![madrid], vec![]);
        let sup = org.joined(Role::Supervisor, vec![], vec![madrid]);
        let colleague = org.joined(Role::CaseManager, vec![madrid], vec![]);
        let lima_sup = org.joined(Role::Supervisor, vec![], vec![lima]);
        let held = opened(ana);
        for writer in [ana, sup] {
            assert!(may_have_written(&held, &held, &org.org, writer));
        }
        for other in [colleague, lima_sup, UserId::random()] {
            assert!(!may_have_written(&held, &held, &org.org, other), "{other}");
        }
        // A reader's revision that names them the owner is still a reader's.
        let mut forged = held.clone();
        assignment::reassign(&mut forged, colleague, &actor(colleague, 5)).unwrap();
        assert!(!may_have_written(&held, &forged, &org.org, colleague));
        // Nor does one that claims a writer moved the case to them, if no writer did.
        let mut claimed = held.clone();
        assignment::reassign(&mut claimed, colleague, &actor(lima_sup, 5)).unwrap();
        assert!(!may_have_written(&held, &claimed, &org.org, colleague));
    }

    #[test]
    fn the_one_a_writer_moved_the_case_to_writes_even_before_the_move_arrives() {
        let mut org = Org::new();
        let madrid = org.team();
        let ana = org.joined(Role::CaseManager, vec![madrid], vec![]);
        let sup = org.joined(Role::Supervisor, vec![], vec![madrid]);
        let ben = org.joined(Role::CaseManager, vec![], vec![]);
        let held = opened(ana);
        let mut moved = held.clone();
        assignment::reassign(&mut moved, ben, &actor(sup, 5)).unwrap();
        assert!(may_have_written(&held, &moved, &org.org, ben), "the move and her edit in one revision seen");
        assert!(may_have_written(&moved, &moved, &org.org, ben), "the move seen first");
        assert!(!may_have_written(&moved, &moved, &org.org, ana), "no longer the owner");
        assert!(may_have_written(&moved, &moved, &org.org, sup), "the one who moved it");
    }

    #[test]
    fn the_origin_office_writes_from_the_acceptance_of_a_handover_the_case_awaits() {
        let mut org = Org::new();
        let (madrid, lima) = (org.team(), org.team());
        let ana = org.joined(Role::CaseManager, vec![madrid], vec![]);
        let lima_sup = org.joined(Role::Supervisor, vec![], vec![lima]);
        let lima_cm = org.joined(Role::CaseManager, vec![lima], vec![]);
        let mut held = opened(ana);
        assert!(!may_have_written(&held, &held, &org.org, lima_sup), "nothing handed over yet");
        let consent = EntryId::random();
        held.consents.push(Consent {
            id: consent,
            giver: Giver::Person,
            giver_name: "Amina".into(),
            scopes: [Scope::Handover].into(),
            services: Default::default(),
            recipients: String::new(),
            given_on: date!(2026 - 01 - 01),
            recorded: Stamp { by: ana, at: 2 },
            withdrawn: None,
        });
        held.handover.office = Some(lima);
        held.handover.sent =
            Some(Sent { on: date!(2026 - 01 - 02), consent, recorded: Stamp { by: ana, at: 3 }, stopped: None });
        let mut accepted = held.clone();
        handover::accept(&mut accepted, lima_cm, &actor(lima_sup, 4)).unwrap();
        assert!(may_have_written(&held, &accepted, &org.org, lima_sup), "the acceptance");
        assert!(!may_have_written(&held, &held, &org.org, lima_cm), "not before it");
        assert!(may_have_written(&accepted, &accepted, &org.org, lima_cm), "the case manager it names, after");
        assert!(may_have_written(&held, &accepted, &org.org, lima_cm), "even if the acceptance did not arrive first");
        assert!(!may_have_written(&accepted, &accepted, &org.org, ana), "the host office no longer writes");
    }
}
