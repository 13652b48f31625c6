//! Handover from the host country to the country of origin (D-HANDOVER): what is sent
//! ahead — observations and talking points, with the registration, the vulnerabilities and
//! the pre-departure plan already in the file — only with the person's consent to it, to
//! an office of the organisation there, whose supervisor accepts it and names the case
//! manager who continues it. Who can open the case meanwhile is
//! [`crate::access::handover_changes`].

use super::consent::Scope;
use super::{Actor, CaseFile, EntryId, Event, RuleError, Stamp};
use crate::ids::{TeamId, UserId};
use crate::validation::{optional_text, required_line, required_text, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Handover {
    /// The name of the office in the country of origin that continues the case, as it was
    /// when chosen (shown where the organisation's log is not at hand).
    pub destination: String,
    /// That office, when it is a team of the organisation: the case then reaches it. An
    /// office outside the organisation is only named.
    pub office: Option<TeamId>,
    pub observations: String,
    pub talking_points: String,
    pub sent: Option<Sent>,
    pub accepted: Option<Accepted>,
}

/// The origin office took the case on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// The supervisor there who accepted it, and when.
    pub recorded: Stamp,
    /// The case manager there who continues it.
    pub assigned_to: UserId,
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
    file.record(actor, Event::HandoverSent);
    Ok(())
}

/// The origin office accepts the handover, and `assigned_to` continues the case there.
/// Refused unless the case is open and awaits acceptance (sent, its consent in force, not
/// accepted yet).
pub fn accept(file: &mut CaseFile, assigned_to: UserId, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    if awaiting(file).is_none() {
        return Err(RuleError::NotHandedOver);
    }
    file.handover.accepted = Some(Accepted { recorded: actor.into(), assigned_to });
    file.record(actor, Event::HandoverAccepted);
    super::assignment::assign(file, assigned_to, actor);
    Ok(())
}

/// The office the case awaits acceptance by: open, sent there, its consent not withdrawn,
/// not accepted yet.
pub fn awaiting(file: &CaseFile) -> Option<TeamId> {
    let handover = &file.handover;
    let in_force = handover.sent.as_ref().is_some_and(|s| s.stopped.is_none());
    if file.is_closed() || !in_force || handover.accepted.is_some() {
        return None;
    }
    handover.office
}

/// Whether the consent the handover was sent under lets the host office go on reading the
/// case once the origin office has it: in force, and covering that.
pub fn consent_keeps_host(file: &CaseFile) -> bool {
    let Some(sent) = file.handover.sent.as_ref().filter(|s| s.stopped.is_none()) else { return false };
    file.consents.iter().any(|c| c.id == sent.consent && c.in_force() && c.scopes.contains(&Scope::HostFollowUp))
}

/// Whether the host office may read the case now: the handover was accepted and its
/// consent still lets the host follow it.
pub fn host_may_read(file: &CaseFile) -> bool {
    file.handover.accepted.is_some() && consent_keeps_host(file)
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
            office: Some(dakar()),
            talking_points: "Wants to talk about work first".into(),
            ..Handover::default()
        };
        file
    }

    fn dakar() -> TeamId {
        TeamId::from_bytes([7; 16])
    }

    fn origin_cm() -> UserId {
        UserId::from_bytes([8; 16])
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
    fn a_handover_to_an_office_outside_the_organisation_is_sent_but_awaits_nobody() {
        let mut file = filled();
        file.handover.office = None;
        consent_to(&mut file, Giver::Person, Scope::Handover);
        mark_sent(&mut file, false, &actor()).unwrap();
        assert_eq!(awaiting(&file), None);
        assert_eq!(accept(&mut file, origin_cm(), &actor()), Err(RuleError::NotHandedOver));
    }

    #[test]
    fn the_origin_office_accepts_a_handover_sent_and_in_force_once() {
        let mut file = filled();
        let before = file.clone();
        assert_eq!(accept(&mut file, origin_cm(), &actor()), Err(RuleError::NotHandedOver), "not sent");
        assert_eq!(file, before);
        assert_eq!(awaiting(&file), None);
        consent_to(&mut file, Giver::Person, Scope::Handover);
        mark_sent(&mut file, false, &actor()).unwrap();
        assert_eq!(awaiting(&file), Some(dakar()));
        assert!(!host_may_read(&file));
        accept(&mut file, origin_cm(), &actor()).unwrap();
        let accepted = file.handover.accepted.clone().unwrap();
        assert_eq!((accepted.assigned_to, accepted.recorded.by), (origin_cm(), actor().user));
        assert_eq!(file.history.last().unwrap().event, Event::HandoverAccepted);
        assert_eq!(file.assigned_to(), Some(origin_cm()), "the case is theirs now");
        assert_eq!(file.moved_by(), Some(actor().user));
        assert_eq!(awaiting(&file), None, "accepted, it awaits nothing");
        let before = file.clone();
        assert_eq!(accept(&mut file, UserId::from_bytes([9; 16]), &actor()), Err(RuleError::NotHandedOver));
        assert_eq!(file, before);
        assert_eq!(ensure_editable(&file), Err(RuleError::StatusChange));
    }

    #[test]
    fn a_handover_whose_consent_was_withdrawn_cannot_be_accepted_and_a_closed_case_neither() {
        let mut file = filled();
        let consent = consent_to(&mut file, Giver::Person, Scope::Handover);
        mark_sent(&mut file, false, &actor()).unwrap();
        consent::withdraw(&mut file, consent, "", &actor()).unwrap();
        assert_eq!(awaiting(&file), None);
        assert_eq!(accept(&mut file, origin_cm(), &actor()), Err(RuleError::NotHandedOver));
        let mut closed = filled();
        consent_to(&mut closed, Giver::Person, Scope::Handover);
        mark_sent(&mut closed, false, &actor()).unwrap();
        assert_eq!(awaiting(&closed), Some(dakar()));
        closed.closure = Some(super::super::closure::tests::a_closure());
        assert_eq!(awaiting(&closed), None, "a closed case awaits nobody");
        assert_eq!(accept(&mut closed, origin_cm(), &actor()), Err(RuleError::CaseClosed));
    }

    #[test]
    fn the_host_office_reads_on_after_acceptance_only_if_the_consent_covers_it() {
        let mut file = filled();
        file.consent_draft = ConsentDraft {
            giver: Giver::Person.code().into(),
            giver_name: "Amina".into(),
            scopes: [Scope::Handover, Scope::HostFollowUp].into(),
            given_on: TODAY.to_string(),
            informed_of_processing: true,
            ..ConsentDraft::default()
        };
        let consent = consent::give(&mut file, &actor()).unwrap();
        // Another consent covering the host's follow-up is not the one the handover rests on.
        let other = consent_to(&mut file, Giver::Person, Scope::HostFollowUp);
        consent::withdraw(&mut file, other, "", &actor()).unwrap();
        assert!(!consent_keeps_host(&file), "not sent yet");
        mark_sent(&mut file, false, &actor()).unwrap();
        assert_eq!(file.handover.sent.as_ref().unwrap().consent, consent);
        assert!(consent_keeps_host(&file) && !host_may_read(&file), "not accepted yet");
        accept(&mut file, origin_cm(), &actor()).unwrap();
        assert!(host_may_read(&file));
        consent::withdraw(&mut file, consent, "", &actor()).unwrap();
        assert!(!consent_keeps_host(&file) && !host_may_read(&file));

        let mut without = filled();
        consent_to(&mut without, Giver::Person, Scope::Handover);
        mark_sent(&mut without, false, &actor()).unwrap();
        accept(&mut without, origin_cm(), &actor()).unwrap();
        assert!(!host_may_read(&without), "a consent to the handover alone ends the host's reading");
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
