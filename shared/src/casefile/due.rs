//! The "due" list on the home screen (rule 2, rule 4): overdue follow-ups and reviews,
//! unanswered urgent referrals, visits after a child's case closed, and children about to
//! turn 18.

use super::child::adult_on;
use super::followup::Policy;
use super::EntryId;
use crate::CaseDocument;
use time::{Date, Duration};

/// A child turning 18 within this many days appears on the list, so the transition is
/// prepared in time.
pub const TRANSITION_NOTICE_DAYS: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DueKind {
    UrgentReferral,
    FollowUp,
    VisitAfterClosure,
    /// The plan made before departure awaits its review after arrival.
    ArrivalPlanReview,
    PlanReview,
    TurnsEighteen,
}

impl DueKind {
    pub const ALL: [DueKind; 6] = [
        DueKind::UrgentReferral,
        DueKind::FollowUp,
        DueKind::VisitAfterClosure,
        DueKind::ArrivalPlanReview,
        DueKind::PlanReview,
        DueKind::TurnsEighteen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::UrgentReferral => "urgent_referral",
            Self::FollowUp => "follow_up",
            Self::VisitAfterClosure => "visit_after_closure",
            Self::ArrivalPlanReview => "arrival_plan_review",
            Self::PlanReview => "plan_review",
            Self::TurnsEighteen => "turns_eighteen",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Due {
    /// Due since (or, for a coming 18th birthday, on) this day.
    pub on: Date,
    pub kind: DueKind,
    pub entry: Option<EntryId>,
}

impl Due {
    pub fn is_overdue(&self, today: Date) -> bool {
        self.on < today
    }
}

impl CaseDocument {
    /// What is due on this case by `today`, oldest first.
    pub fn due(&self, today: Date, policy: &Policy) -> Vec<Due> {
        let file = &self.file;
        let mut due = Vec::new();
        for referral in file.referrals.iter().filter(|r| r.is_unanswered_urgent()) {
            due.push(Due { on: today, kind: DueKind::UrgentReferral, entry: Some(referral.id) });
        }
        if let Some(on) = file.next_follow_up(policy).filter(|on| *on <= today) {
            due.push(Due { on, kind: DueKind::FollowUp, entry: None });
        }
        if file.is_closed() {
            for (id, on) in file.visits_after_closure().filter(|(_, on)| *on <= today) {
                due.push(Due { on, kind: DueKind::VisitAfterClosure, entry: Some(id) });
            }
        } else {
            if let Some(plan) = file.plan_awaiting_review().filter(|_| file.arrived()) {
                due.push(Due { on: today, kind: DueKind::ArrivalPlanReview, entry: Some(plan.id) });
            } else if let Some(on) = file.plan_review_due(policy).filter(|on| *on <= today) {
                due.push(Due { on, kind: DueKind::PlanReview, entry: file.current_plan().map(|p| p.id) });
            }
            if let Some(birth) = self.date_of_birth().filter(|_| self.is_child() && file.child.transition.is_none()) {
                let adult = adult_on(birth);
                if adult <= today + Duration::days(TRANSITION_NOTICE_DAYS) {
                    due.push(Due { on: adult, kind: DueKind::TurnsEighteen, entry: None });
                }
            }
        }
        due.sort();
        due
    }
}

#[cfg(test)]
mod tests {
    use super::super::followup::{self, FollowUpDraft};
    use super::super::testing::{actor, actor_on, TODAY};
    use super::super::vulnerability::{self, AssessmentDraft, Vulnerability};
    use super::super::{child, plan, referral, session, Stage};
    use super::*;
    use crate::CaseId;
    use time::macros::date;

    fn doc(birth: &str) -> CaseDocument {
        let mut doc = CaseDocument::new(CaseId::random(), actor().user, actor().now_ms, TODAY);
        doc.form.family_name = "Diallo".into();
        doc.form.date_of_birth = birth.into();
        doc
    }

    fn kinds(doc: &CaseDocument, today: Date) -> Vec<DueKind> {
        doc.due(today, &Policy::default()).iter().map(|d| d.kind).collect()
    }

    #[test]
    fn an_overdue_follow_up_appears_when_its_interval_has_passed() {
        let mut doc = doc("1990-01-01");
        doc.file.assessment_draft = AssessmentDraft {
            stage: "after_arrival".into(),
            found: [Vulnerability::Trafficking].into(),
            ..Default::default()
        };
        vulnerability::record(&mut doc.file, &actor()).unwrap();
        assert!(kinds(&doc, TODAY).is_empty());
        assert!(kinds(&doc, TODAY + Duration::days(13)).is_empty());
        let due = doc.due(TODAY + Duration::days(15), &Policy::default());
        assert_eq!(due[0].kind, DueKind::FollowUp);
        assert!(due[0].is_overdue(TODAY + Duration::days(15)));
        doc.file.follow_up_draft =
            FollowUpDraft { on: "2026-12-07".into(), method: "call".into(), ..Default::default() };
        followup::record_contact(&mut doc.file, &Policy::default(), &actor_on(date!(2026 - 12 - 07))).unwrap();
        assert!(kinds(&doc, date!(2026 - 12 - 07)).is_empty(), "the contact answered it");
    }

    #[test]
    fn an_unanswered_urgent_referral_is_due_until_answered() {
        let mut doc = doc("1990-01-01");
        let id = referral::propose_urgent(&mut doc.file, referral::Service::Health, "Bleeding", &actor()).unwrap();
        assert_eq!(kinds(&doc, TODAY), [DueKind::UrgentReferral]);
        let entry = doc.file.referrals.iter_mut().find(|r| r.id == id).unwrap();
        entry.provider = "District hospital".into();
        entry.reason = "Emergency care".into();
        referral::mark_sent(&mut doc.file, id, false, &actor()).unwrap();
        assert_eq!(kinds(&doc, TODAY), [DueKind::UrgentReferral], "sent is not answered");
        referral::set_status(&mut doc.file, id, referral::Status::Accepted, "", &actor()).unwrap();
        assert!(kinds(&doc, TODAY).is_empty());
    }

    #[test]
    fn the_pre_departure_plan_is_due_for_review_once_the_person_has_arrived() {
        let mut doc = doc("1990-01-01");
        let id = plan::start(&mut doc.file, Stage::PreDeparture, &actor()).unwrap();
        let p = doc.file.plans.iter_mut().find(|p| p.id == id).unwrap();
        p.goals = vec!["Farm".into()];
        p.actions[0].dimension = "economic".into();
        p.actions[0].responsible = "returnee".into();
        p.actions[0].what = "Seeds".into();
        p.actions[0].by_when = "2027-03-01".into();
        p.agreement_draft.person = "Diallo".into();
        plan::agree(&mut doc.file, id, false, &actor()).unwrap();
        assert!(kinds(&doc, TODAY).is_empty(), "not before arrival");
        session::start(&mut doc.file, session::Kind::FirstAfterArrival, &actor()).unwrap();
        assert_eq!(kinds(&doc, TODAY), [DueKind::ArrivalPlanReview]);
        plan::start_review(&mut doc.file, &actor()).unwrap();
        assert!(kinds(&doc, TODAY).is_empty());
    }

    #[test]
    fn a_child_about_to_turn_18_appears_as_a_transition_until_it_is_planned() {
        let mut doc = doc("2009-01-10");
        assert!(doc.is_child());
        assert_eq!(kinds(&doc, TODAY), [DueKind::TurnsEighteen]);
        assert_eq!(doc.due(TODAY, &Policy::default())[0].on, date!(2027 - 01 - 10));
        child::record_transition(&mut doc.file, "Adult case manager introduced", &actor()).unwrap();
        assert!(kinds(&doc, TODAY).is_empty());
        let far = self::doc("2015-01-10");
        assert!(kinds(&far, TODAY).is_empty());
        let adult = self::doc("2000-01-10");
        assert!(!adult.is_child());
        assert!(kinds(&adult, TODAY).is_empty());
    }

    #[test]
    fn visits_after_a_childs_case_closed_are_due_from_their_day_on() {
        let mut doc = doc("2012-05-01");
        doc.file.closure_draft = super::super::closure::ClosureDraft {
            reason: "reintegration_achieved".into(),
            plan_review: "done".into(),
            exit_interview: "done".into(),
            evaluation: "done".into(),
            ..Default::default()
        };
        super::super::closure::close(&mut doc.file, true, &actor()).unwrap();
        let first = date!(2026 - 12 - 22);
        assert!(kinds(&doc, first - Duration::days(1)).is_empty(), "not before the first visit's day");
        let due = doc.due(first, &Policy::default());
        assert_eq!(due.iter().map(|d| (d.kind, d.on)).collect::<Vec<_>>(), [(DueKind::VisitAfterClosure, first)]);
        assert!(!due[0].is_overdue(first), "due today is not yet overdue");
        assert!(due[0].is_overdue(first + Duration::days(1)));
        assert_eq!(kinds(&doc, date!(2027 - 03 - 01)).len(), 3);
    }

    #[test]
    fn every_kind_of_due_item_has_its_own_code() {
        let all = DueKind::ALL;
        let codes: std::collections::BTreeSet<_> = all.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        assert_eq!(DueKind::VisitAfterClosure.code(), "visit_after_closure");
    }
}
