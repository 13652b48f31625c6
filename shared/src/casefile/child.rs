//! Children (D-CHILD, rule 4): a person under 18 at registration needs a parent's,
//! caregiver's or guardian's consent and a record of their own views; an unaccompanied or
//! separated child also needs family tracing, a guardian and a Best Interests Assessment.
//! At 18 the case moves to a transition, never a silent stop.

use super::consent::Scope;
use super::vulnerability::Vulnerability;
use super::{Actor, CaseFile, RuleError, Stamp};
use crate::validation::{
    bounded_text, choice, optional_text, past_date, required_text, FieldError, FieldErrors, LINE_MAX_CHARS,
};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Age of majority.
pub const ADULT_AGE: i32 = 18;

coded!(
    /// How a guardian or legal representative was appointed.
    Appointment {
        Administrative = "administrative",
        Judicial = "judicial",
    }
);

coded!(
    /// What a child's file still lacks.
    Gap {
        GuardianConsent = "guardian_consent",
        ChildsViews = "childs_views",
        Guardian = "guardian",
        FamilyTracing = "family_tracing",
        BestInterestsAssessment = "best_interests_assessment",
    }
);

/// The child-protection part of a case, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildProtection {
    pub unaccompanied: bool,
    pub separated: bool,
    pub guardian_name: String,
    /// An [`Appointment`] code, or empty.
    pub guardian_appointed_by: String,
    /// The child's own views, in their words.
    pub childs_views: String,
    /// `YYYY-MM-DD`: family tracing should start as early as possible.
    pub tracing_started_on: String,
    pub tracing_notes: String,
    /// Best Interests Assessment: date and report.
    pub bia_on: String,
    pub bia_report: String,
    /// Best Interests Determination: date, decision, and how it can be appealed.
    pub bid_on: String,
    pub bid_decision: String,
    pub bid_appeal: String,
    /// Safe accommodation, separate from adults.
    pub accommodation: String,
    pub accommodation_separate_from_adults: bool,
    /// How the plan covers the whole family.
    pub family_plan: String,
    /// The move to adult support at 18.
    pub transition: Option<Transition>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub notes: String,
    pub recorded: Stamp,
}

/// Full years of age on `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let had_birthday = (on.month() as u8, on.day()) >= (birth.month() as u8, birth.day());
    on.year() - birth.year() - i32::from(!had_birthday)
}

/// The day a person born on `birth` turns 18 (1 March for 29 February in common years).
pub fn adult_on(birth: Date) -> Date {
    let year = birth.year() + ADULT_AGE;
    Date::from_calendar_date(year, birth.month(), birth.day())
        .unwrap_or_else(|_| Date::from_calendar_date(year, Month::March, 1).expect("1 March exists"))
}

/// Under 18 on the day of registration.
pub fn is_child_at(birth: Option<Date>, registered_on: Option<Date>) -> bool {
    matches!((birth, registered_on), (Some(birth), Some(on)) if age_on(birth, on) < ADULT_AGE)
}

/// Checks the child-protection fields as typed.
pub fn validate(child: &ChildProtection, today: Date) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    checks.collect(bounded_text("guardian_name", &child.guardian_name, LINE_MAX_CHARS, false));
    if !child.guardian_appointed_by.is_empty() {
        checks.collect(choice("guardian_appointed_by", &child.guardian_appointed_by, Appointment::from_code));
    }
    for (field, raw) in
        [("tracing_started_on", &child.tracing_started_on), ("bia_on", &child.bia_on), ("bid_on", &child.bid_on)]
    {
        if !raw.trim().is_empty() {
            checks.collect(past_date(field, raw, today));
        }
    }
    for (field, raw) in [
        ("childs_views", &child.childs_views),
        ("tracing_notes", &child.tracing_notes),
        ("bia_report", &child.bia_report),
        ("bid_decision", &child.bid_decision),
        ("bid_appeal", &child.bid_appeal),
        ("accommodation", &child.accommodation),
        ("family_plan", &child.family_plan),
    ] {
        checks.collect(optional_text(field, raw));
    }
    checks.into_vec()
}

impl CaseFile {
    /// Unaccompanied or separated, as recorded in the child section or found by an assessment.
    pub fn unaccompanied_or_separated(&self) -> bool {
        self.child.unaccompanied
            || self.child.separated
            || self.assessments.last().is_some_and(|a| {
                a.found.contains(&Vulnerability::Unaccompanied) || a.found.contains(&Vulnerability::Separated)
            })
    }

    /// What a child's file still lacks, in the order to address it.
    pub fn child_gaps(&self) -> Vec<Gap> {
        let mut gaps = Vec::new();
        let guardian_consent = self
            .consents
            .iter()
            .any(|c| c.in_force() && c.giver.is_guardian() && c.scopes.contains(&Scope::Registration));
        if !guardian_consent {
            gaps.push(Gap::GuardianConsent);
        }
        if self.child.childs_views.trim().is_empty() {
            gaps.push(Gap::ChildsViews);
        }
        if self.unaccompanied_or_separated() {
            if self.child.guardian_name.trim().is_empty() {
                gaps.push(Gap::Guardian);
            }
            if self.child.tracing_started_on.trim().is_empty() {
                gaps.push(Gap::FamilyTracing);
            }
            if self.child.bia_on.trim().is_empty() || self.child.bia_report.trim().is_empty() {
                gaps.push(Gap::BestInterestsAssessment);
            }
        }
        gaps
    }
}

/// Records the planned move to adult support for a child who turns (or turned) 18.
pub fn record_transition(file: &mut CaseFile, notes: &str, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    let notes = required_text("transition_notes", notes).map_err(|e| RuleError::Invalid(vec![e]))?;
    file.child.transition = Some(Transition { notes, recorded: actor.into() });
    file.touch(super::Section::Child, actor);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::consent::tests::referral_consent;
    use super::super::consent::Giver;
    use super::super::referral::Service;
    use super::super::testing::{actor, open_file, TODAY};
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn age_counts_full_years_and_leap_days_turn_18_on_the_first_of_march() {
        assert_eq!(age_on(date!(2008 - 11 - 23), TODAY), 17);
        assert_eq!(age_on(date!(2008 - 11 - 22), TODAY), 18);
        assert_eq!(adult_on(date!(2008 - 02 - 29)), date!(2026 - 03 - 01));
        assert!(is_child_at(Some(date!(2010 - 01 - 01)), Some(TODAY)));
        assert!(!is_child_at(Some(date!(2000 - 01 - 01)), Some(TODAY)));
        assert!(!is_child_at(None, Some(TODAY)), "unknown age is not assumed to be a child");
    }

    #[test]
    fn a_child_needs_a_guardians_consent_and_their_own_views() {
        let mut file = open_file();
        assert_eq!(file.child_gaps(), [Gap::GuardianConsent, Gap::ChildsViews]);
        referral_consent(&mut file, Giver::Child, &[Service::Education]);
        assert_eq!(
            file.child_gaps(),
            [Gap::GuardianConsent, Gap::ChildsViews],
            "the child's own consent is not enough"
        );
        let guardian = referral_consent(&mut file, Giver::Guardian, &[Service::Education]);
        file.child.childs_views = "Wants to go back to school".into();
        assert!(file.child_gaps().is_empty());
        super::super::consent::withdraw(&mut file, guardian, "", &actor()).unwrap();
        assert_eq!(file.child_gaps(), [Gap::GuardianConsent]);
    }

    #[test]
    fn an_unaccompanied_child_prompts_tracing_a_guardian_and_a_best_interests_assessment() {
        let mut file = open_file();
        referral_consent(&mut file, Giver::Guardian, &[Service::FamilyTracing]);
        file.child.childs_views = "Misses his mother".into();
        file.child.unaccompanied = true;
        assert_eq!(file.child_gaps(), [Gap::Guardian, Gap::FamilyTracing, Gap::BestInterestsAssessment]);
        file.child.guardian_name = "Social services, M. Ba".into();
        file.child.tracing_started_on = "2026-11-21".into();
        file.child.bia_on = "2026-11-22".into();
        assert_eq!(file.child_gaps(), [Gap::BestInterestsAssessment], "a BIA needs its report");
        file.child.bia_report = "Return to mother recommended".into();
        assert!(file.child_gaps().is_empty());
    }

    #[test]
    fn a_child_is_unaccompanied_or_separated_by_the_child_section_or_by_the_latest_assessment() {
        let file = open_file();
        assert!(!file.unaccompanied_or_separated());
        for child in [
            ChildProtection { unaccompanied: true, ..ChildProtection::default() },
            ChildProtection { separated: true, ..ChildProtection::default() },
        ] {
            assert!(CaseFile { child, ..file.clone() }.unaccompanied_or_separated());
        }
        for found in [Vulnerability::Unaccompanied, Vulnerability::Separated] {
            let mut assessed = file.clone();
            assessed.assessment_draft = super::super::vulnerability::AssessmentDraft {
                stage: "pre_departure".into(),
                found: [found].into(),
                ..Default::default()
            };
            super::super::vulnerability::record(&mut assessed, &actor()).unwrap();
            assert!(assessed.unaccompanied_or_separated(), "{found:?}");
        }
        let mut other = file.clone();
        other.assessment_draft = super::super::vulnerability::AssessmentDraft {
            stage: "pre_departure".into(),
            found: [Vulnerability::Trafficking].into(),
            ..Default::default()
        };
        super::super::vulnerability::record(&mut other, &actor()).unwrap();
        assert!(!other.unaccompanied_or_separated());
    }

    #[test]
    fn child_dates_cannot_be_in_the_future() {
        let child = ChildProtection { tracing_started_on: "2027-01-01".into(), ..ChildProtection::default() };
        assert_eq!(validate(&child, TODAY)[0].field, "tracing_started_on");
    }

    proptest! {
        #[test]
        fn a_person_is_a_child_exactly_until_the_day_they_turn_18(days in 0i32..40_000, offset in -800i64..800) {
            let birth = date!(1950 - 01 - 01) + time::Duration::days(days.into());
            let adult = adult_on(birth);
            let on = adult + time::Duration::days(offset);
            prop_assert_eq!(age_on(birth, on) < ADULT_AGE, on < adult);
        }
    }
}
