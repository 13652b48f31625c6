//! The reintegration case file: registration, consent, individual factors, vulnerability
//! assessments, sessions, the plan, referrals, follow-up, children's protection, closure
//! and group sessions (docs/DOMAIN.md, D-REG … D-GROUP), and the document a revision seals.
//!
//! Two kinds of change reach a case file:
//! - **text as typed** (drafts and editable entries): kept raw so autosave never drops a
//!   keystroke, checked by `validate_*` functions that return field errors;
//! - **acts** (give or withdraw consent, send a referral, agree a plan, close…): functions
//!   here that check the rules, change nothing when they refuse, and record who and when.

#[macro_use]
mod codes;
pub mod assignment;
pub mod child;
pub mod closure;
pub mod consent;
pub mod document;
pub mod due;
pub mod followup;
pub mod group;
pub mod handover;
pub mod history;
pub mod merge;
pub mod part;
pub mod pending;
pub mod plan;
pub mod profile;
pub mod referral;
pub mod registration;
pub mod session;
pub mod sharing;
pub mod vulnerability;

use crate::ids::UserId;
pub use crate::ids::{EntryId, GroupId};
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use time::Date;

pub use history::{Event, HistoryEntry, Section};

coded!(
    /// Where in the return the case is when something is done.
    Stage {
        PreDeparture = "pre_departure",
        AfterArrival = "after_arrival",
    }
);

/// Who acts, and when: every act is attributed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    /// Unix time in milliseconds.
    pub now_ms: i64,
    /// The case manager's local date.
    pub today: Date,
}

/// Who did something, and when (Unix ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: UserId,
    pub at: i64,
}

impl From<&Actor> for Stamp {
    fn from(actor: &Actor) -> Self {
        Self { by: actor.user, at: actor.now_ms }
    }
}

/// Why an act was refused. Codes are stable: the frontend explains each one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the case is closed; reopen it first")]
    CaseClosed,
    #[error("the case is not closed")]
    CaseNotClosed,
    #[error("no such entry in this case")]
    NotFound,
    #[error("the form has errors")]
    Invalid(Vec<FieldError>),
    #[error("no consent in force covers this referral")]
    NoCoveringConsent,
    #[error("for a child, the referral needs a parent's, caregiver's or guardian's consent")]
    NoGuardianConsent,
    #[error("this consent is already withdrawn")]
    AlreadyWithdrawn,
    #[error("this status change is not possible")]
    StatusChange,
    #[error("a plan needs at least one goal and one complete action")]
    PlanIncomplete,
    #[error("an agreed plan cannot be changed; review it instead")]
    PlanAgreed,
    #[error("a child's plan is agreed by the child and a parent or guardian")]
    ChildAgreementIncomplete,
    #[error("there is no agreed plan from before departure to review")]
    NothingToReview,
    #[error("a review of this plan already exists")]
    AlreadyReviewed,
    #[error("the session is paused")]
    SessionPaused,
    #[error("this is not a first session after arrival")]
    NotAGuidedSession,
    #[error("missing before closing: {0:?}")]
    ClosureIncomplete(Vec<closure::Requirement>),
    #[error("no consent in force allows sending information to the country of origin")]
    NoHandoverConsent,
    #[error("every attendee's case must be open")]
    AttendeeCaseClosed,
    #[error("a group session needs at least one attendee")]
    NoAttendees,
    #[error("a case is not shared with oneself")]
    NotShareable,
    #[error("the case is already shared with this colleague")]
    AlreadyShared,
    #[error("this sharing has already ended")]
    AlreadyEnded,
    #[error("the case is not awaiting acceptance by an office in the country of origin")]
    NotHandedOver,
    #[error("the case is assigned to this case manager already")]
    AlreadyAssigned,
}

impl RuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::CaseClosed => "case_closed",
            Self::CaseNotClosed => "case_not_closed",
            Self::NotFound => "not_found",
            Self::Invalid(_) => "invalid",
            Self::NoCoveringConsent => "no_covering_consent",
            Self::NoGuardianConsent => "no_guardian_consent",
            Self::AlreadyWithdrawn => "already_withdrawn",
            Self::StatusChange => "status_change",
            Self::PlanIncomplete => "plan_incomplete",
            Self::PlanAgreed => "plan_agreed",
            Self::ChildAgreementIncomplete => "child_agreement_incomplete",
            Self::NothingToReview => "nothing_to_review",
            Self::AlreadyReviewed => "already_reviewed",
            Self::SessionPaused => "session_paused",
            Self::NotAGuidedSession => "not_a_guided_session",
            Self::ClosureIncomplete(_) => "closure_incomplete",
            Self::NoHandoverConsent => "no_handover_consent",
            Self::AttendeeCaseClosed => "attendee_case_closed",
            Self::NoAttendees => "no_attendees",
            Self::NotShareable => "not_shareable",
            Self::AlreadyShared => "already_shared",
            Self::AlreadyEnded => "already_ended",
            Self::NotHandedOver => "not_handed_over",
            Self::AlreadyAssigned => "already_assigned",
        }
    }

    /// The field errors of an `Invalid` refusal (empty otherwise).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

/// Everything recorded about a case besides the registration form (`registration.rs`). Each part is optional
/// or empty by default, so revisions written before a part existed still open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseFile {
    /// The case manager's local date when the case was opened: childhood is judged on it.
    pub registered_on: Option<Date>,
    pub consents: Vec<consent::Consent>,
    pub consent_draft: consent::ConsentDraft,
    /// The person declined assistance (they may still change their mind).
    pub refusal: Option<consent::Refusal>,
    pub profile: profile::Profile,
    pub assessments: Vec<vulnerability::Assessment>,
    pub assessment_draft: vulnerability::AssessmentDraft,
    pub sessions: Vec<session::Session>,
    pub plans: Vec<plan::Plan>,
    pub handover: handover::Handover,
    pub referrals: Vec<referral::Referral>,
    /// The colleagues the case was shared with, under which consent (the disclosure log).
    pub disclosures: Vec<sharing::Disclosure>,
    /// Whom the case was moved to, by whom ([`assignment`]).
    pub assignments: Vec<assignment::Assignment>,
    pub follow_ups: Vec<followup::FollowUp>,
    pub follow_up_draft: followup::FollowUpDraft,
    pub child: child::ChildProtection,
    pub closure_draft: closure::ClosureDraft,
    pub closure: Option<closure::Closure>,
    /// Earlier closures, each with the reopening that ended it.
    pub reopened: Vec<closure::Reopening>,
    /// Language code of the printed copy of the plan, chosen for the returnee.
    pub print_language: String,
    /// Notes typed for an act not yet done (a withdrawal reason, a reopening reason…).
    pub pending: pending::PendingNotes,
    pub history: Vec<HistoryEntry>,
}

impl CaseFile {
    pub fn is_closed(&self) -> bool {
        self.closure.is_some()
    }

    /// Refuses any change to a closed case.
    pub fn ensure_open(&self) -> Result<(), RuleError> {
        if self.is_closed() {
            Err(RuleError::CaseClosed)
        } else {
            Ok(())
        }
    }

    pub(crate) fn record(&mut self, actor: &Actor, event: Event) {
        self.history.push(HistoryEntry { stamp: actor.into(), event });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::ErrorCode;

    /// One of each refusal. The match fails to compile when a refusal is added, as a reminder
    /// to list it here.
    fn every_refusal() -> Vec<RuleError> {
        let all = vec![
            RuleError::CaseClosed,
            RuleError::CaseNotClosed,
            RuleError::NotFound,
            RuleError::Invalid(vec![FieldError::new("f", ErrorCode::Required)]),
            RuleError::NoCoveringConsent,
            RuleError::NoGuardianConsent,
            RuleError::AlreadyWithdrawn,
            RuleError::StatusChange,
            RuleError::PlanIncomplete,
            RuleError::PlanAgreed,
            RuleError::ChildAgreementIncomplete,
            RuleError::NothingToReview,
            RuleError::AlreadyReviewed,
            RuleError::SessionPaused,
            RuleError::NotAGuidedSession,
            RuleError::ClosureIncomplete(vec![closure::Requirement::PlanReview]),
            RuleError::NoHandoverConsent,
            RuleError::AttendeeCaseClosed,
            RuleError::NoAttendees,
            RuleError::NotShareable,
            RuleError::AlreadyShared,
            RuleError::AlreadyEnded,
            RuleError::NotHandedOver,
            RuleError::AlreadyAssigned,
        ];
        for refusal in &all {
            match refusal {
                RuleError::CaseClosed
                | RuleError::CaseNotClosed
                | RuleError::NotFound
                | RuleError::Invalid(_)
                | RuleError::NoCoveringConsent
                | RuleError::NoGuardianConsent
                | RuleError::AlreadyWithdrawn
                | RuleError::StatusChange
                | RuleError::PlanIncomplete
                | RuleError::PlanAgreed
                | RuleError::ChildAgreementIncomplete
                | RuleError::NothingToReview
                | RuleError::AlreadyReviewed
                | RuleError::SessionPaused
                | RuleError::NotAGuidedSession
                | RuleError::ClosureIncomplete(_)
                | RuleError::NoHandoverConsent
                | RuleError::AttendeeCaseClosed
                | RuleError::NoAttendees
                | RuleError::NotShareable
                | RuleError::AlreadyShared
                | RuleError::AlreadyEnded
                | RuleError::NotHandedOver
                | RuleError::AlreadyAssigned => {}
            }
        }
        all
    }

    #[test]
    fn every_refusal_has_its_own_stable_code() {
        let codes: Vec<&str> = every_refusal().iter().map(RuleError::code).collect();
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len(), "{codes:?}");
        assert!(codes.iter().all(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        // The codes the screens and the tests already name.
        assert_eq!(RuleError::NoCoveringConsent.code(), "no_covering_consent");
        assert_eq!(RuleError::CaseClosed.code(), "case_closed");
        assert_eq!(RuleError::ClosureIncomplete(vec![]).code(), "closure_incomplete");
    }

    #[test]
    fn only_an_invalid_form_names_fields() {
        let errors = vec![FieldError::new("consent_giver", ErrorCode::Required)];
        assert_eq!(RuleError::Invalid(errors.clone()).field_errors(), errors.as_slice());
        for refusal in every_refusal().into_iter().filter(|r| !matches!(r, RuleError::Invalid(_))) {
            assert!(refusal.field_errors().is_empty(), "{refusal:?}");
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::validation::ErrorCode;
    use time::macros::date;

    pub const TODAY: Date = date!(2026 - 11 - 22);

    pub fn actor() -> Actor {
        Actor { user: UserId::from_bytes([7; 16]), now_ms: 1_795_000_000_000, today: TODAY }
    }

    pub fn actor_on(today: Date) -> Actor {
        Actor { today, ..actor() }
    }

    /// The error code a field of a form shows.
    pub fn code_for(errors: &[FieldError], field: &str) -> Option<ErrorCode> {
        errors.iter().find(|e| e.field == field).map(|e| e.code)
    }

    pub fn open_file() -> CaseFile {
        CaseFile { registered_on: Some(TODAY), ..CaseFile::default() }
    }
}
