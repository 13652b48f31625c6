//! Referrals to services (D-REFER, rule 1): sent only with a consent that covers the
//! service, or urgently when life or health is at risk, with the reason recorded.

use super::{Actor, CaseFile, EntryId, Event, RuleError, Stamp};
use crate::validation::{optional_text, required_line, required_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

coded!(
    /// Services a returnee may be referred to.
    Service {
        Health = "health",
        MentalHealth = "mental_health",
        Housing = "housing",
        Education = "education",
        Legal = "legal",
        Documentation = "documentation",
        Livelihoods = "livelihoods",
        FamilyTracing = "family_tracing",
        ChildProtection = "child_protection",
        Other = "other",
    }
);

coded!(
    Status {
        Proposed = "proposed",
        Sent = "sent",
        Accepted = "accepted",
        Completed = "completed",
        Declined = "declined",
        /// Stopped because the consent it relied on was withdrawn.
        Stopped = "stopped",
    }
);

impl Status {
    /// Still expected to lead somewhere.
    pub fn is_under_way(self) -> bool {
        matches!(self, Self::Proposed | Self::Sent | Self::Accepted)
    }

    /// The statuses a case manager may set by hand after `self` (sending has its own act).
    pub fn next(self) -> &'static [Status] {
        match self {
            Self::Proposed => &[Self::Declined],
            Self::Sent => &[Self::Accepted, Self::Declined],
            Self::Accepted => &[Self::Completed, Self::Declined],
            Self::Completed | Self::Declined | Self::Stopped => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: Status,
    pub note: String,
    #[serde(flatten)]
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: EntryId,
    pub service: Service,
    /// What the service is, when [`Service::Other`].
    #[serde(default)]
    pub service_other: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub reason: String,
    /// Life or health at risk: may be sent before consent can be obtained.
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub urgent_reason: String,
    /// The consent it was sent under (none for an urgent referral without consent).
    #[serde(default)]
    pub consent: Option<EntryId>,
    /// Oldest first; never empty.
    pub history: Vec<StatusChange>,
}

impl Referral {
    /// The latest status; but once a referral has ended (completed, declined, or stopped by
    /// a withdrawal) it stays ended, even if a merge brought in an answer recorded later on a
    /// device that did not know yet.
    pub fn status(&self) -> Status {
        let ended = self.history.iter().map(|s| s.status).find(|s| s.next().is_empty());
        ended.or(self.history.last().map(|s| s.status)).unwrap_or(Status::Proposed)
    }

    pub(crate) fn push_status(&mut self, status: Status, note: &str, actor: &Actor) {
        self.history.push(StatusChange { status, note: note.to_owned(), stamp: actor.into() });
    }

    /// Urgent, and nobody has answered yet: belongs on the due list.
    pub fn is_unanswered_urgent(&self) -> bool {
        self.urgent && matches!(self.status(), Status::Proposed | Status::Sent)
    }
}

/// Checks a referral's text fields as typed.
pub fn validate(referral: &Referral) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    if referral.service == Service::Other {
        checks.collect(required_line("referral_service_other", &referral.service_other));
    }
    checks.collect(required_line("referral_provider", &referral.provider));
    checks.collect(required_text("referral_reason", &referral.reason));
    if referral.urgent {
        checks.collect(required_text("referral_urgent_reason", &referral.urgent_reason));
    } else {
        checks.collect(optional_text("referral_urgent_reason", &referral.urgent_reason));
    }
    checks.into_vec()
}

/// Starts a referral to `service`; its details are typed afterwards.
pub fn propose(file: &mut CaseFile, service: Service, actor: &Actor) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    let id = EntryId::random();
    file.referrals.push(Referral {
        id,
        service,
        service_other: String::new(),
        provider: String::new(),
        reason: String::new(),
        urgent: false,
        urgent_reason: String::new(),
        consent: None,
        history: vec![StatusChange { status: Status::Proposed, note: String::new(), stamp: actor.into() }],
    });
    file.record(actor, Event::ReferralProposed { referral: id });
    Ok(id)
}

/// Starts an urgent referral, e.g. on a life-threatening disclosure during a session.
pub fn propose_urgent(
    file: &mut CaseFile,
    service: Service,
    reason: &str,
    actor: &Actor,
) -> Result<EntryId, RuleError> {
    let id = propose(file, service, actor)?;
    let referral = file.referrals.last_mut().expect("just proposed");
    referral.urgent = true;
    referral.urgent_reason = reason.to_owned();
    Ok(id)
}

/// Marks a proposed referral sent. It needs a consent in force that covers its service —
/// for a child, a parent's, caregiver's or guardian's — unless it is urgent with a reason.
pub fn mark_sent(file: &mut CaseFile, id: EntryId, child: bool, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    let referral = file.referrals.iter().find(|r| r.id == id).ok_or(RuleError::NotFound)?;
    if referral.status() != Status::Proposed {
        return Err(RuleError::StatusChange);
    }
    let errors = validate(referral);
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let service = referral.service;
    let covering = file.referral_consents(service).find(|c| !child || c.giver.is_guardian()).map(|c| c.id);
    if covering.is_none() && !referral.urgent {
        // Only a child's referral can be left uncovered while consents to it are in force.
        return Err(if file.referral_consents(service).next().is_some() {
            RuleError::NoGuardianConsent
        } else {
            RuleError::NoCoveringConsent
        });
    }
    let referral = file.referrals.iter_mut().find(|r| r.id == id).expect("found above");
    referral.consent = covering;
    referral.push_status(Status::Sent, "", actor);
    file.record(actor, Event::ReferralStatus { referral: id, status: Status::Sent });
    Ok(())
}

/// Records the service's answer or the outcome.
pub fn set_status(
    file: &mut CaseFile,
    id: EntryId,
    status: Status,
    note: &str,
    actor: &Actor,
) -> Result<(), RuleError> {
    file.ensure_open()?;
    let note = optional_text("referral_note", note).map_err(|e| RuleError::Invalid(vec![e]))?;
    let referral = file.referrals.iter_mut().find(|r| r.id == id).ok_or(RuleError::NotFound)?;
    if !referral.status().next().contains(&status) {
        return Err(RuleError::StatusChange);
    }
    referral.push_status(status, &note, actor);
    file.record(actor, Event::ReferralStatus { referral: id, status });
    Ok(())
}

/// A referral's fields can be edited only before it is sent.
pub fn ensure_editable(file: &CaseFile, id: EntryId) -> Result<(), RuleError> {
    file.ensure_open()?;
    let referral = file.referrals.iter().find(|r| r.id == id).ok_or(RuleError::NotFound)?;
    if referral.status() == Status::Proposed {
        Ok(())
    } else {
        Err(RuleError::StatusChange)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::consent::tests::referral_consent;
    use super::super::consent::Giver;
    use super::super::testing::{actor, code_for, open_file};
    use super::*;
    use crate::validation::ErrorCode;
    use proptest::prelude::*;

    pub fn filled(file: &mut CaseFile, service: Service) -> EntryId {
        let id = propose(file, service, &actor()).unwrap();
        let referral = file.referrals.iter_mut().find(|r| r.id == id).unwrap();
        referral.provider = "Clinic".into();
        referral.reason = "Chronic condition".into();
        id
    }

    pub fn sent_referral(file: &mut CaseFile, service: Service) -> EntryId {
        let id = filled(file, service);
        mark_sent(file, id, false, &actor()).unwrap();
        id
    }

    #[test]
    fn sending_without_consent_is_refused_and_changes_nothing() {
        let mut file = open_file();
        let id = filled(&mut file, Service::Health);
        let before = file.clone();
        assert_eq!(mark_sent(&mut file, id, false, &actor()), Err(RuleError::NoCoveringConsent));
        assert_eq!(file, before);
    }

    #[test]
    fn a_consent_for_another_service_or_a_withdrawn_one_does_not_cover() {
        let mut file = open_file();
        let housing = referral_consent(&mut file, Giver::Person, &[Service::Housing]);
        let id = filled(&mut file, Service::Health);
        assert_eq!(mark_sent(&mut file, id, false, &actor()), Err(RuleError::NoCoveringConsent));
        let health = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        super::super::consent::withdraw(&mut file, health, "", &actor()).unwrap();
        assert_eq!(mark_sent(&mut file, id, false, &actor()), Err(RuleError::NoCoveringConsent));
        assert!(file.consents.iter().any(|c| c.id == housing));
    }

    #[test]
    fn a_covering_consent_allows_sending_and_is_remembered() {
        let mut file = open_file();
        let consent = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        let id = sent_referral(&mut file, Service::Health);
        let referral = &file.referrals[0];
        assert_eq!((referral.id, referral.status(), referral.consent), (id, Status::Sent, Some(consent)));
        assert_eq!(mark_sent(&mut file, id, false, &actor()), Err(RuleError::StatusChange), "sent once");
    }

    #[test]
    fn urgent_referrals_go_without_consent_only_with_a_reason() {
        let mut file = open_file();
        let id = filled(&mut file, Service::Health);
        file.referrals[0].urgent = true;
        let Err(RuleError::Invalid(errors)) = mark_sent(&mut file, id, false, &actor()) else { panic!() };
        assert_eq!(code_for(&errors, "referral_urgent_reason"), Some(ErrorCode::Required));
        file.referrals[0].urgent_reason = "Suicidal thoughts disclosed".into();
        mark_sent(&mut file, id, false, &actor()).unwrap();
        assert_eq!(file.referrals[0].consent, None);
        assert!(file.referrals[0].is_unanswered_urgent());
        set_status(&mut file, id, Status::Accepted, "seen today", &actor()).unwrap();
        assert!(!file.referrals[0].is_unanswered_urgent());
    }

    #[test]
    fn a_child_needs_a_guardians_consent() {
        let mut file = open_file();
        referral_consent(&mut file, Giver::Child, &[Service::Education]);
        let id = filled(&mut file, Service::Education);
        assert_eq!(mark_sent(&mut file, id, true, &actor()), Err(RuleError::NoGuardianConsent));
        referral_consent(&mut file, Giver::Guardian, &[Service::Education]);
        mark_sent(&mut file, id, true, &actor()).unwrap();
    }

    #[test]
    fn statuses_follow_the_referral_lifecycle() {
        let mut file = open_file();
        referral_consent(&mut file, Giver::Person, &[Service::Legal]);
        let id = sent_referral(&mut file, Service::Legal);
        assert_eq!(set_status(&mut file, id, Status::Completed, "", &actor()), Err(RuleError::StatusChange));
        assert_eq!(set_status(&mut file, id, Status::Stopped, "", &actor()), Err(RuleError::StatusChange));
        set_status(&mut file, id, Status::Accepted, "", &actor()).unwrap();
        set_status(&mut file, id, Status::Completed, "", &actor()).unwrap();
        assert_eq!(set_status(&mut file, id, Status::Declined, "", &actor()), Err(RuleError::StatusChange));
        assert_eq!(ensure_editable(&file, id), Err(RuleError::StatusChange));
    }

    proptest! {
        /// Whatever the consents, a non-urgent referral is sent only when one of them, in
        /// force, names its service (and, for a child, was given by a guardian).
        #[test]
        fn sent_iff_a_consent_in_force_covers_it(
            consents in proptest::collection::vec((0usize..5, 0usize..10, any::<bool>()), 0..5),
            service in 0usize..10,
            child in any::<bool>(),
        ) {
            let mut file = open_file();
            let service = Service::ALL[service];
            for (giver, covered, withdrawn) in &consents {
                let id = referral_consent(&mut file, Giver::ALL[*giver], &[Service::ALL[*covered]]);
                if *withdrawn {
                    super::super::consent::withdraw(&mut file, id, "", &actor()).unwrap();
                }
            }
            let id = filled(&mut file, service);
            file.referrals.last_mut().unwrap().service_other = "Something".into();
            let expected = consents.iter().any(|(giver, covered, withdrawn)| {
                Service::ALL[*covered] == service && !withdrawn && (!child || Giver::ALL[*giver].is_guardian())
            });
            prop_assert_eq!(mark_sent(&mut file, id, child, &actor()).is_ok(), expected);
        }
    }
}
