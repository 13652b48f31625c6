//! Who a case is assigned to, as the case itself records it: the case manager who opened
//! it, then each case manager a supervisor moved it to, or the one the origin office named
//! on accepting a handover. The server's access record says the same, but it is the
//! server's word; a device renewing the case's key reads the owner, and the supervisor who
//! moved the case, from here.

use super::{Actor, CaseFile, EntryId, Event, RuleError, Stamp};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// The case was given to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: EntryId,
    pub to: UserId,
    pub recorded: Stamp,
    /// One more than the highest this case had when it was recorded: a move made on a
    /// copy that knew of another comes after it, whatever the devices' clocks say.
    #[serde(default)]
    pub seq: u64,
}

/// Records that the case now belongs to `to`, once the server has taken the reassignment.
/// A closed case may be moved too (its visits after closure go on). Refused, changing
/// nothing, when it is assigned to `to` already.
pub fn reassign(file: &mut CaseFile, to: UserId, actor: &Actor) -> Result<EntryId, RuleError> {
    if file.assigned_to() == Some(to) {
        return Err(RuleError::AlreadyAssigned);
    }
    let id = assign(file, to, actor);
    file.record(actor, Event::Reassigned { to });
    Ok(id)
}

/// Adds the assignment to `to` (the act that makes it records its own history entry).
pub(super) fn assign(file: &mut CaseFile, to: UserId, actor: &Actor) -> EntryId {
    let id = EntryId::random();
    let seq = file.assignments.iter().map(|a| a.seq).max().unwrap_or(0) + 1;
    file.assignments.push(Assignment { id, to, recorded: actor.into(), seq });
    id
}

impl CaseFile {
    /// The move in force: the one made on the copy that knew of the most others, then the
    /// one recorded last, then by id, so every device agrees after a merge.
    fn latest_assignment(&self) -> Option<&Assignment> {
        self.assignments.iter().max_by_key(|a| (a.seq, a.recorded.at, a.id))
    }

    /// Who the case belongs to: the move in force, or else the case manager named on
    /// accepting its handover (a case accepted before moves were recorded), or else
    /// whoever opened it.
    pub fn assigned_to(&self) -> Option<UserId> {
        self.latest_assignment()
            .map(|a| a.to)
            .or_else(|| self.handover.accepted.as_ref().map(|a| a.assigned_to))
            .or_else(|| self.opened_by())
    }

    /// Who made the move in force.
    pub fn moved_by(&self) -> Option<UserId> {
        self.latest_assignment().map(|a| a.recorded.by)
    }

    fn opened_by(&self) -> Option<UserId> {
        self.history.iter().find(|h| h.event == Event::Opened).map(|h| h.stamp.by)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{actor, open_file};
    use super::super::HistoryEntry;
    use super::*;

    fn at(user: UserId, now_ms: i64) -> Actor {
        Actor { user, now_ms, ..actor() }
    }

    #[test]
    fn a_case_belongs_to_whoever_opened_it_until_it_is_moved() {
        let mut file = open_file();
        assert_eq!(file.assigned_to(), None, "nobody recorded opening it");
        let opener = UserId::random();
        file.history.insert(0, HistoryEntry { stamp: Stamp { by: opener, at: 1 }, event: Event::Opened });
        assert_eq!((file.assigned_to(), file.moved_by()), (Some(opener), None));

        let (sup, ben) = (UserId::random(), UserId::random());
        let before = file.clone();
        assert_eq!(reassign(&mut file, opener, &at(sup, 5)), Err(RuleError::AlreadyAssigned));
        assert_eq!(file, before, "a refusal changes nothing");
        let id = reassign(&mut file, ben, &at(sup, 5)).unwrap();
        let recorded = Stamp { by: sup, at: 5 };
        assert_eq!(file.assignments, vec![Assignment { id, to: ben, recorded, seq: 1 }]);
        assert_eq!(file.history.last().unwrap().event, Event::Reassigned { to: ben });
        assert_eq!((file.assigned_to(), file.moved_by()), (Some(ben), Some(sup)));
        assert_eq!(reassign(&mut file, ben, &at(sup, 6)), Err(RuleError::AlreadyAssigned));
        // Back to the one who opened it: that is a move too, by whoever makes it.
        let other_sup = UserId::random();
        reassign(&mut file, opener, &at(other_sup, 7)).unwrap();
        assert_eq!(file.assignments[1].seq, 2);
        assert_eq!((file.assigned_to(), file.moved_by()), (Some(opener), Some(other_sup)));
    }

    #[test]
    fn a_move_made_knowing_of_another_comes_after_it_whatever_the_clocks_say() {
        let (sup, ana, ben) = (UserId::random(), UserId::random(), UserId::random());
        let mut file = open_file();
        reassign(&mut file, ben, &at(sup, 20)).unwrap();
        reassign(&mut file, ana, &at(sup, 10)).unwrap();
        assert_eq!(file.assigned_to(), Some(ana), "made second on a clock behind the first");
        file.assignments.reverse();
        assert_eq!(file.assigned_to(), Some(ana), "in whatever order they are listed");
    }

    #[test]
    fn moves_made_apart_are_both_kept_and_agree_after_a_merge() {
        let (sup, other_sup, ana, ben) = (UserId::random(), UserId::random(), UserId::random(), UserId::random());
        let base = open_file();
        let (mut here, mut there) = (base.clone(), base);
        reassign(&mut here, ana, &at(sup, 10)).unwrap();
        reassign(&mut there, ben, &at(other_sup, 20)).unwrap();
        let (mut keep_here, mut keep_there) = (here.clone(), there.clone());
        super::super::merge::merge(&mut keep_here, &there);
        super::super::merge::merge(&mut keep_there, &here);
        for merged in [&keep_here, &keep_there] {
            assert_eq!(merged.assignments.len(), 2);
            // Neither knew of the other: the one recorded later is in force.
            assert_eq!((merged.assigned_to(), merged.moved_by()), (Some(ben), Some(other_sup)));
        }
        // On the same millisecond too, the id decides, the same on every device.
        let mut tied = open_file();
        let mut apart = tied.clone();
        reassign(&mut tied, ana, &at(sup, 30)).unwrap();
        reassign(&mut apart, ben, &at(sup, 30)).unwrap();
        super::super::merge::merge(&mut tied, &apart);
        let highest = tied.assignments.iter().max_by_key(|a| a.id).unwrap().to;
        assert_eq!(tied.assigned_to(), Some(highest));
        tied.assignments.reverse();
        assert_eq!(tied.assigned_to(), Some(highest));
    }

    #[test]
    fn a_handover_accepted_before_moves_were_recorded_belongs_to_whom_it_names() {
        let (opener, origin_cm, origin_sup) = (UserId::random(), UserId::random(), UserId::random());
        let mut file = open_file();
        file.history.push(HistoryEntry { stamp: Stamp { by: opener, at: 1 }, event: Event::Opened });
        file.handover.accepted = Some(super::super::handover::Accepted {
            recorded: Stamp { by: origin_sup, at: 2 },
            assigned_to: origin_cm,
        });
        assert_eq!((file.assigned_to(), file.moved_by()), (Some(origin_cm), None));
        let later = UserId::random();
        reassign(&mut file, later, &at(origin_sup, 3)).unwrap();
        assert_eq!(file.assigned_to(), Some(later), "a move after it is in force");
    }

    #[test]
    fn a_closed_case_can_be_moved() {
        let mut file = open_file();
        file.closure = Some(super::super::closure::tests::a_closure());
        assert!(reassign(&mut file, UserId::random(), &actor()).is_ok());
    }
}
