//! Handover from the host country to the country of origin (D-HANDOVER): what is sent
//! ahead — observations and talking points, with the registration, the vulnerabilities and
//! the pre-departure plan already in the file — only with the person's consent to it.

use super::consent::Scope;
use super::{Actor, CaseFile, EntryId, RuleError, Stamp};
use crate::validation::{optional_text, required_line, required_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Handover {
    /// The office in the country of origin that continues the case.
    pub destination: String,
    pub observations: String,
    pub talking_points: String,
    pub sent: Option<Sent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub on: Date,
    /// The consent it was sent under.
    pub consent: EntryId,
    pub recorded: Stamp,
    /// Set when that consent was withdrawn: the origin office must stop using it.
    pub stopped: Option<Stamp>,
}

/// Checks the handover's fields as typed.
pub fn validate(handover: &Handover) -> Vec<FieldError> {
    let mut checks = FieldErrors::default();
    checks.collect(required_line("handover_destination", &handover.destination));
    checks.collect(optional_text("handover_observations", &handover.observations));
    checks.collect(required_text("handover_talking_points", &handover.talking_points));
    checks.into_vec()
}

/// Marks the handover sent. It needs a consent in force to send information to the
/// country of origin — for a child, a parent's, caregiver's or guardian's.
pub fn mark_sent(file: &mut CaseFile, child: bool, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    if file.handover.sent.as_ref().is_some_and(|s| s.stopped.is_none()) {
        return Err(RuleError::StatusChange);
    }
    let errors = validate(&file.handover);
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let consent = file
        .consents
        .iter()
        .find(|c| c.in_force() && c.scopes.contains(&Scope::Handover) && (!child || c.giver.is_guardian()))
        .ok_or(RuleError::NoHandoverConsent)?
        .id;
    file.handover.sent = Some(Sent { on: actor.today, consent, recorded: actor.into(), stopped: None });
    file.record(actor, super::Event::HandoverSent);
    Ok(())
}

/// Editing is possible until it is sent (and again if its consent was withdrawn).
pub fn ensure_editable(file: &CaseFile) -> Result<(), RuleError> {
    file.ensure_open()?;
    match &file.handover.sent {
        Some(sent) if sent.stopped.is_none() => Err(RuleError::StatusChange),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::consent::{self, ConsentDraft, Giver};
    use super::super::testing::{actor, open_file, TODAY};
    use super::*;

    fn consent_to(file: &mut CaseFile, giver: Giver, scope: Scope) -> EntryId {
        file.consent_draft = ConsentDraft {
            giver: giver.code().into(),
            giver_name: "Amina".into(),
            scopes: [scope].into(),
            given_on: TODAY.to_string(),
            informed_of_processing: true,
            ..ConsentDraft::default()
        };
        consent::give(file, &actor()).unwrap()
    }

    fn filled() -> CaseFile {
        let mut file = open_file();
        file.handover = Handover {
            destination: "Dakar office".into(),
            talking_points: "Wants to talk about work first".into(),
            ..Handover::default()
        };
        file
    }

    #[test]
    fn sending_ahead_needs_the_persons_consent_to_it() {
        let mut file = filled();
        consent_to(&mut file, Giver::Person, Scope::Registration);
        let before = file.clone();
        assert_eq!(mark_sent(&mut file, false, &actor()), Err(RuleError::NoHandoverConsent));
        assert_eq!(file, before);
        let consent = consent_to(&mut file, Giver::Person, Scope::Handover);
        mark_sent(&mut file, false, &actor()).unwrap();
        assert_eq!(file.handover.sent.as_ref().map(|s| s.consent), Some(consent));
        assert_eq!(ensure_editable(&file), Err(RuleError::StatusChange));
        assert_eq!(mark_sent(&mut file, false, &actor()), Err(RuleError::StatusChange));
    }

    #[test]
    fn a_childs_handover_needs_a_guardians_consent_and_talking_points() {
        let mut file = filled();
        consent_to(&mut file, Giver::Child, Scope::Handover);
        assert_eq!(mark_sent(&mut file, true, &actor()), Err(RuleError::NoHandoverConsent));
        consent_to(&mut file, Giver::Guardian, Scope::Handover);
        file.handover.talking_points.clear();
        assert!(matches!(mark_sent(&mut file, true, &actor()), Err(RuleError::Invalid(_))));
        file.handover.talking_points = "School".into();
        mark_sent(&mut file, true, &actor()).unwrap();
    }

    #[test]
    fn withdrawing_the_consent_stops_the_handover() {
        let mut file = filled();
        let consent = consent_to(&mut file, Giver::Person, Scope::Handover);
        mark_sent(&mut file, false, &actor()).unwrap();
        consent::withdraw(&mut file, consent, "", &actor()).unwrap();
        assert!(file.handover.sent.as_ref().unwrap().stopped.is_some());
        assert_eq!(ensure_editable(&file), Ok(()));
        assert!(file.history.iter().any(|h| h.event == super::super::Event::HandoverStopped));
    }
}
