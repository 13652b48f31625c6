//! The parts of a case file as the case screen shows them, one tab each, in the order of
//! the work; and where the history, the due list and a closed case point into them.

use super::due::DueKind;
use super::Section;

coded!(
    /// A part of the case file (a tab of the case screen; its code is the tab's address).
    Part {
        Registration = "registration",
        Profile = "profile",
        Assessment = "assessment",
        Sessions = "sessions",
        Plan = "plan",
        Handover = "handover",
        Referrals = "referrals",
        FollowUp = "follow_up",
        Child = "child",
        Closure = "closure",
        /// Who can open the case and the colleagues it was shared with.
        Sharing = "sharing",
        History = "history",
    }
);

impl Part {
    /// What can still be done on a closed case: closing and reopening, the visits after a
    /// child's case closes, taking back a sharing, and reading the history. Every other part
    /// is read-only.
    pub fn open_when_closed(self) -> bool {
        matches!(self, Self::Closure | Self::FollowUp | Self::Sharing | Self::History)
    }
}

impl Section {
    /// The part whose tab holds this section.
    pub fn part(self) -> Part {
        match self {
            Self::Registration => Part::Registration,
            Self::Profile => Part::Profile,
            Self::Assessment => Part::Assessment,
            Self::FollowUp => Part::FollowUp,
            Self::Child => Part::Child,
            Self::Handover => Part::Handover,
            Self::Closure => Part::Closure,
            Self::Session(_) => Part::Sessions,
            Self::Plan(_) => Part::Plan,
            Self::Referral(_) => Part::Referrals,
        }
    }
}

impl DueKind {
    /// The part where what is due gets done.
    pub fn part(self) -> Part {
        match self {
            Self::UrgentReferral => Part::Referrals,
            Self::FollowUp | Self::VisitAfterClosure => Part::FollowUp,
            Self::ArrivalPlanReview | Self::PlanReview => Part::Plan,
            Self::TurnsEighteen => Part::Child,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::EntryId;

    #[test]
    fn every_part_has_a_distinct_code_that_reads_back() {
        let codes: std::collections::BTreeSet<_> = Part::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), Part::ALL.len());
        for part in Part::ALL {
            assert_eq!(Part::from_code(part.code()), Some(*part));
        }
        assert_eq!(Part::ALL.first(), Some(&Part::Registration), "the case opens on registration");
        assert_eq!(Part::from_code("nonsense"), None);
    }

    #[test]
    fn a_closed_case_keeps_closure_follow_up_and_history_open_and_nothing_else() {
        let open: Vec<_> = Part::ALL.iter().copied().filter(|p| p.open_when_closed()).collect();
        assert_eq!(open, [Part::FollowUp, Part::Closure, Part::Sharing, Part::History]);
    }

    #[test]
    fn history_sections_and_due_items_point_at_their_tab() {
        let entry = EntryId::random();
        let sections = [
            (Section::Registration, Part::Registration),
            (Section::Profile, Part::Profile),
            (Section::Assessment, Part::Assessment),
            (Section::FollowUp, Part::FollowUp),
            (Section::Child, Part::Child),
            (Section::Handover, Part::Handover),
            (Section::Closure, Part::Closure),
            (Section::Session(entry), Part::Sessions),
            (Section::Plan(entry), Part::Plan),
            (Section::Referral(entry), Part::Referrals),
        ];
        for (section, part) in sections {
            assert_eq!(section.part(), part, "{section:?}");
        }
        let due = [
            (DueKind::UrgentReferral, Part::Referrals),
            (DueKind::FollowUp, Part::FollowUp),
            (DueKind::VisitAfterClosure, Part::FollowUp),
            (DueKind::ArrivalPlanReview, Part::Plan),
            (DueKind::PlanReview, Part::Plan),
            (DueKind::TurnsEighteen, Part::Child),
        ];
        for (kind, part) in due {
            assert_eq!(kind.part(), part, "{kind:?}");
        }
    }
}
