//! Case closure (D-CLOSE, rule 5): a reason from the list; the plan review, exit interview
//! and closure evaluation unless the person died, left or cannot be reached; who was told
//! of a death; visits for at least three months after a child's case closes. A closed case
//! is read-only until it is reopened, with a reason.

use super::followup::{self, Kind};
use super::Stamp;
use super::{Actor, CaseFile, EntryId, Event, RuleError};
use crate::validation::{choice, optional_text, required_line, required_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Month};

coded!(
    Reason {
        SupportPeriodEnded = "support_period_ended",
        NoLongerEligible = "no_longer_eligible",
        PersonDecided = "person_decided",
        LeftArea = "left_area",
        Remigrated = "remigrated",
        Died = "died",
        FundingOrSecurity = "funding_or_security",
        NonCompliance = "non_compliance",
        CannotBeReached = "cannot_be_reached",
        /// Children only.
        TurnedEighteen = "turned_eighteen",
        /// Children only.
        ReintegrationAchieved = "reintegration_achieved",
        Other = "other",
    }
);

impl Reason {
    /// The person is gone or out of reach: no exit interview or evaluation is possible.
    pub fn exempts_exit_steps(self) -> bool {
        matches!(self, Self::Died | Self::LeftArea | Self::Remigrated | Self::CannotBeReached)
    }

    pub fn only_for_children(self) -> bool {
        matches!(self, Self::TurnedEighteen | Self::ReintegrationAchieved)
    }
}

coded!(
    /// Who was told of a death.
    Informed {
        Authorities = "authorities",
        Family = "family",
        ServiceProviders = "service_providers",
    }
);

coded!(
    /// What closing still needs.
    Requirement {
        Reason = "reason",
        ReasonDetail = "reason_detail",
        ReasonForChildrenOnly = "reason_for_children_only",
        PlanReview = "plan_review",
        ExitInterview = "exit_interview",
        Evaluation = "evaluation",
        DeathInformed = "death_informed",
    }
);

/// Visits after a child's case closes, in months after closure: the last is at three.
pub const CHILD_VISITS_AFTER_CLOSURE_MONTHS: [u8; 3] = [1, 2, 3];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClosureDraft {
    /// A [`Reason`] code.
    pub reason: String,
    pub reason_other: String,
    /// The plan reviewed against the needs.
    pub plan_review: String,
    pub exit_interview: String,
    pub evaluation: String,
    pub informed: BTreeSet<Informed>,
    pub death_notes: String,
    /// Referrals that continue care after closure (made with consent, on the referral screen).
    pub warm_handover: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub reason: Reason,
    pub details: ClosureDraft,
    pub closed_on: Date,
    /// The case manager who authorised the closure.
    pub authorised: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopening {
    pub closure: Closure,
    pub reason: String,
    pub reopened: Stamp,
}

/// What closing with the form as typed still needs (empty: it can close).
pub fn missing(draft: &ClosureDraft, child: bool) -> Vec<Requirement> {
    let mut missing = Vec::new();
    let Some(reason) = Reason::from_code(draft.reason.trim()) else {
        return vec![Requirement::Reason];
    };
    if reason == Reason::Other && draft.reason_other.trim().is_empty() {
        missing.push(Requirement::ReasonDetail);
    }
    if reason.only_for_children() && !child {
        missing.push(Requirement::ReasonForChildrenOnly);
    }
    if !reason.exempts_exit_steps() {
        for (text, requirement) in [
            (&draft.plan_review, Requirement::PlanReview),
            (&draft.exit_interview, Requirement::ExitInterview),
            (&draft.evaluation, Requirement::Evaluation),
        ] {
            if text.trim().is_empty() {
                missing.push(requirement);
            }
        }
    }
    if reason == Reason::Died && draft.informed.is_empty() {
        missing.push(Requirement::DeathInformed);
    }
    missing
}

/// Checks the text of the closure form as typed.
pub fn validate_draft(draft: &ClosureDraft) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    if !draft.reason.is_empty() {
        checks.collect(choice("closure_reason", &draft.reason, Reason::from_code));
    }
    if !draft.reason_other.is_empty() {
        checks.collect(required_line("closure_reason_other", &draft.reason_other));
    }
    for (field, text) in [
        ("closure_plan_review", &draft.plan_review),
        ("closure_exit_interview", &draft.exit_interview),
        ("closure_evaluation", &draft.evaluation),
        ("closure_death_notes", &draft.death_notes),
        ("closure_warm_handover", &draft.warm_handover),
    ] {
        checks.collect(optional_text(field, text));
    }
    checks.into_vec()
}

/// The same day `months` later (the month's last day when it is shorter).
pub fn add_months(date: Date, months: u8) -> Date {
    let index = date.year() * 12 + i32::from(date.month() as u8 - 1) + i32::from(months);
    let (year, month) = (index.div_euclid(12), Month::try_from((index.rem_euclid(12) + 1) as u8).expect("1..=12"));
    let last = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last)).expect("a valid day")
}

/// Closes the case as the form says, authorised by `actor`. A child's case gets its visits
/// after closure scheduled.
pub fn close(file: &mut CaseFile, child: bool, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    let draft = file.closure_draft.clone();
    let errors = validate_draft(&draft);
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let missing = missing(&draft, child);
    if !missing.is_empty() {
        return Err(RuleError::ClosureIncomplete(missing));
    }
    let reason = Reason::from_code(draft.reason.trim()).expect("checked by missing()");
    file.closure = Some(Closure { reason, details: draft, closed_on: actor.today, authorised: actor.into() });
    file.closure_draft = ClosureDraft::default();
    file.record(actor, Event::Closed);
    if child && reason != Reason::Died {
        for months in CHILD_VISITS_AFTER_CLOSURE_MONTHS {
            followup::schedule(file, Kind::AfterClosure, add_months(actor.today, months), actor);
        }
    }
    Ok(())
}

/// Reopens a closed case; the closure and the reason for reopening stay on record.
pub fn reopen(file: &mut CaseFile, reason: &str, actor: &Actor) -> Result<(), RuleError> {
    let reason = required_text("reopen_reason", reason).map_err(|e| RuleError::Invalid(vec![e]))?;
    let closure = file.closure.take().ok_or(RuleError::CaseNotClosed)?;
    file.reopened.push(Reopening { closure, reason, reopened: actor.into() });
    file.cancel_visits_after_closure(|_| true);
    file.record(actor, Event::Reopened);
    Ok(())
}

impl CaseFile {
    /// A reopened case no longer waits for the visits after its closure (those made stay):
    /// the pending visits `cancelled` picks are removed.
    pub(crate) fn cancel_visits_after_closure(&mut self, cancelled: impl Fn(EntryId) -> bool) {
        self.follow_ups.retain(|f| f.kind != Kind::AfterClosure || f.contact.is_some() || !cancelled(f.id));
    }

    /// Pending visits after closure.
    pub fn visits_after_closure(&self) -> impl Iterator<Item = (EntryId, Date)> + '_ {
        self.follow_ups.iter().filter(|f| f.kind == Kind::AfterClosure && f.contact.is_none()).map(|f| (f.id, f.due_on))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::followup::{FollowUpDraft, Policy};
    use super::super::testing::{actor, open_file, TODAY};
    use super::super::{plan, session, Stage};
    use super::*;
    use crate::validation::ErrorCode;
    use proptest::prelude::*;
    use time::macros::date;

    pub fn a_closure() -> Closure {
        Closure {
            reason: Reason::LeftArea,
            details: ClosureDraft::default(),
            closed_on: TODAY,
            authorised: (&actor()).into(),
        }
    }

    fn complete_draft(reason: Reason) -> ClosureDraft {
        ClosureDraft {
            reason: reason.code().into(),
            plan_review: "Shop open, income stable".into(),
            exit_interview: "Satisfied".into(),
            evaluation: "Goals met".into(),
            ..ClosureDraft::default()
        }
    }

    #[test]
    fn closing_needs_a_reason_and_the_exit_steps() {
        assert_eq!(missing(&ClosureDraft::default(), false), [Requirement::Reason]);
        let draft = ClosureDraft { reason: "support_period_ended".into(), ..ClosureDraft::default() };
        assert_eq!(
            missing(&draft, false),
            [Requirement::PlanReview, Requirement::ExitInterview, Requirement::Evaluation]
        );
        assert!(missing(&complete_draft(Reason::SupportPeriodEnded), false).is_empty());
        let other = ClosureDraft { reason: "other".into(), ..complete_draft(Reason::Other) };
        assert_eq!(missing(&other, false), [Requirement::ReasonDetail]);
    }

    #[test]
    fn death_departure_or_no_contact_exempt_the_exit_steps_and_a_death_records_who_was_told() {
        for reason in [Reason::LeftArea, Reason::Remigrated, Reason::CannotBeReached] {
            let draft = ClosureDraft { reason: reason.code().into(), ..ClosureDraft::default() };
            assert!(missing(&draft, false).is_empty(), "{reason:?}");
        }
        let mut draft = ClosureDraft { reason: "died".into(), ..ClosureDraft::default() };
        assert_eq!(missing(&draft, false), [Requirement::DeathInformed]);
        draft.informed.insert(Informed::Family);
        assert!(missing(&draft, false).is_empty());
    }

    #[test]
    fn turning_18_closes_only_a_childs_case() {
        let draft = complete_draft(Reason::TurnedEighteen);
        assert_eq!(missing(&draft, false), [Requirement::ReasonForChildrenOnly]);
        assert!(missing(&draft, true).is_empty());
    }

    #[test]
    fn a_closed_case_is_read_only_until_reopened_with_a_reason() {
        let mut file = open_file();
        file.closure_draft = ClosureDraft { reason: "support_period_ended".into(), ..ClosureDraft::default() };
        let before = file.clone();
        assert!(matches!(close(&mut file, false, &actor()), Err(RuleError::ClosureIncomplete(_))));
        assert_eq!(file, before);
        file.closure_draft = complete_draft(Reason::SupportPeriodEnded);
        close(&mut file, false, &actor()).unwrap();
        assert!(file.is_closed());
        assert_eq!(file.closure.as_ref().unwrap().authorised.by, actor().user);
        assert_eq!(close(&mut file, false, &actor()), Err(RuleError::CaseClosed));
        assert_eq!(session::start(&mut file, session::Kind::FollowUp, &actor()), Err(RuleError::CaseClosed));
        assert_eq!(plan::start(&mut file, Stage::AfterArrival, &actor()), Err(RuleError::CaseClosed));
        assert!(matches!(reopen(&mut file, "  ", &actor()), Err(RuleError::Invalid(_))));
        reopen(&mut file, "Lost his job again", &actor()).unwrap();
        assert!(!file.is_closed());
        assert_eq!(file.reopened[0].closure.reason, Reason::SupportPeriodEnded, "the closure stays on record");
        assert_eq!(reopen(&mut file, "again", &actor()), Err(RuleError::CaseNotClosed));
        session::start(&mut file, session::Kind::FollowUp, &actor()).unwrap();
    }

    #[test]
    fn a_childs_case_keeps_visits_for_three_months_after_closure() {
        let mut file = open_file();
        file.closure_draft = complete_draft(Reason::ReintegrationAchieved);
        close(&mut file, true, &actor()).unwrap();
        let visits: Vec<Date> = file.visits_after_closure().map(|(_, on)| on).collect();
        assert_eq!(visits, [date!(2026 - 12 - 22), date!(2027 - 01 - 22), date!(2027 - 02 - 22)]);
        file.follow_up_draft =
            FollowUpDraft { on: "2026-11-22".into(), method: "home_visit".into(), ..FollowUpDraft::default() };
        super::super::followup::record_contact(&mut file, &Policy::default(), &actor()).unwrap();
        assert_eq!(file.visits_after_closure().count(), 2, "a visit after closure is recorded on the closed case");
    }

    #[test]
    fn only_a_childs_case_closed_for_another_reason_than_death_gets_visits() {
        let closed = |child: bool, reason: Reason| {
            let mut file = open_file();
            file.closure_draft = ClosureDraft { informed: [Informed::Family].into(), ..complete_draft(reason) };
            close(&mut file, child, &actor()).unwrap();
            file.visits_after_closure().count()
        };
        assert_eq!(closed(true, Reason::SupportPeriodEnded), 3);
        assert_eq!(closed(false, Reason::SupportPeriodEnded), 0, "an adult's case");
        assert_eq!(closed(true, Reason::Died), 0, "a child who died");
    }

    #[test]
    fn reopening_cancels_the_visits_not_made_and_keeps_the_rest_of_the_follow_up() {
        let mut file = open_file();
        super::super::followup::schedule(&mut file, Kind::Regular, TODAY, &actor());
        file.closure_draft = complete_draft(Reason::ReintegrationAchieved);
        close(&mut file, true, &actor()).unwrap();
        file.follow_up_draft =
            FollowUpDraft { on: "2026-11-22".into(), method: "home_visit".into(), ..FollowUpDraft::default() };
        super::super::followup::record_contact(&mut file, &Policy::default(), &actor()).unwrap();
        reopen(&mut file, "The family moved back", &actor()).unwrap();
        let kinds: Vec<_> = file.follow_ups.iter().map(|f| (f.kind, f.contact.is_some())).collect();
        assert_eq!(kinds, [(Kind::Regular, false), (Kind::AfterClosure, true)], "the visit made stays on record");
        assert_eq!(file.visits_after_closure().count(), 0);
    }

    #[test]
    fn the_form_shows_what_is_wrong_as_typed_and_nothing_for_what_is_not_typed_yet() {
        assert!(validate_draft(&ClosureDraft::default()).is_empty());
        let draft = ClosureDraft {
            reason: "bored".into(),
            reason_other: "a\u{7}b".into(),
            evaluation: "x".repeat(crate::validation::NOTES_MAX_CHARS + 1),
            ..ClosureDraft::default()
        };
        let fields: Vec<_> = validate_draft(&draft).into_iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("closure_reason", ErrorCode::InvalidChoice),
                ("closure_reason_other", ErrorCode::ControlCharacters),
                ("closure_evaluation", ErrorCode::TooLong)
            ]
        );
    }

    proptest! {
        #[test]
        fn the_last_visit_is_at_least_three_months_after_closure(days in 0i64..20_000) {
            let closed = date!(2000 - 01 - 01) + time::Duration::days(days);
            let last = add_months(closed, CHILD_VISITS_AFTER_CLOSURE_MONTHS[2]);
            prop_assert!(last >= closed + time::Duration::days(89));
            prop_assert!(last <= closed + time::Duration::days(92));
        }
    }
}
