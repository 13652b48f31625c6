//! What an administrator's edit of a member becomes in the log.

use super::{Change, MemberCard, Role};
use crate::ids::TeamId;

fn same_teams(a: &[TeamId], b: &[TeamId]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The changes that make `card` have `role`, `teams` and `supervises`, in the order the log
/// takes them (a role that does not supervise clears what the member supervised).
pub fn changes_for(card: &MemberCard, role: Role, teams: Vec<TeamId>, supervises: Vec<TeamId>) -> Vec<Change> {
    let mut changes = Vec::new();
    if role != card.role {
        changes.push(Change::RoleChanged { user: card.user, role });
    }
    let supervised_after = if role.supervises() { card.supervises.clone() } else { vec![] };
    let supervises = if role.supervises() { supervises } else { vec![] };
    if !same_teams(&teams, &card.teams) || !same_teams(&supervises, &supervised_after) {
        changes.push(Change::TeamsChanged { user: card.user, teams, supervises });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::IdentityKeys;
    use crate::ids::UserId;

    fn card(role: Role, teams: Vec<TeamId>, supervises: Vec<TeamId>) -> MemberCard {
        MemberCard { user: UserId::random(), role, teams, supervises, keys: IdentityKeys::generate().public() }
    }

    #[test]
    fn nothing_changed_is_no_entry_and_order_or_repeats_do_not_count() {
        let (a, b) = (TeamId::random(), TeamId::random());
        let member = card(Role::Supervisor, vec![a, b], vec![a]);
        assert!(changes_for(&member, Role::Supervisor, vec![b, a, b], vec![a, a]).is_empty());
    }

    #[test]
    fn a_role_then_teams_each_become_their_own_entry() {
        let (a, b) = (TeamId::random(), TeamId::random());
        let member = card(Role::CaseManager, vec![a], vec![]);
        let user = member.user;
        assert_eq!(
            changes_for(&member, Role::ProtectionFocalPoint, vec![a], vec![]),
            vec![Change::RoleChanged { user, role: Role::ProtectionFocalPoint }]
        );
        assert_eq!(
            changes_for(&member, Role::CaseManager, vec![a, b], vec![]),
            vec![Change::TeamsChanged { user, teams: vec![a, b], supervises: vec![] }]
        );
        assert_eq!(
            changes_for(&member, Role::Supervisor, vec![b], vec![a]),
            vec![
                Change::RoleChanged { user, role: Role::Supervisor },
                Change::TeamsChanged { user, teams: vec![b], supervises: vec![a] },
            ]
        );
    }

    #[test]
    fn a_role_that_does_not_supervise_supervises_nothing() {
        let a = TeamId::random();
        let supervisor = card(Role::Supervisor, vec![a], vec![a]);
        let user = supervisor.user;
        // The log clears what a case manager supervised: no second entry is needed for it,
        // and what was ticked for supervising is not sent.
        assert_eq!(
            changes_for(&supervisor, Role::CaseManager, vec![a], vec![a]),
            vec![Change::RoleChanged { user, role: Role::CaseManager }]
        );
        assert_eq!(
            changes_for(&supervisor, Role::Supervisor, vec![a], vec![]),
            vec![Change::TeamsChanged { user, teams: vec![a], supervises: vec![] }]
        );
    }
}
