//! Informed consent (D-REG, D-PRIVACY, rule 1): who gave it, when, for what, and its
//! withdrawal, which stops everything that relied on it from that moment.

use super::referral::{Service, Status};
use super::{Actor, CaseFile, EntryId, Event, HistoryEntry, RuleError, Stamp};
use crate::validation::{choice, optional_text, past_date, required_line, ErrorCode, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::Date;

coded!(
    /// What a consent allows.
    Scope {
        Registration = "registration",
        /// Sharing with the professionals or services named in the consent.
        Sharing = "sharing",
        Tracing = "tracing",
        Referral = "referral",
        /// Sending information ahead to the office in the country of origin.
        Handover = "handover",
        /// The host office going on reading the case once the origin office has taken it.
        HostFollowUp = "host_follow_up",
    }
);

coded!(
    /// Who gave a consent.
    Giver {
        /// The returnee, an adult.
        Person = "person",
        /// The child, heard according to age and maturity.
        Child = "child",
        Parent = "parent",
        Caregiver = "caregiver",
        Guardian = "guardian",
    }
);

impl Giver {
    /// Whose consent counts for a child.
    pub fn is_guardian(self) -> bool {
        matches!(self, Self::Parent | Self::Caregiver | Self::Guardian)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub id: EntryId,
    pub giver: Giver,
    pub giver_name: String,
    pub scopes: BTreeSet<Scope>,
    /// Services a referral consent covers.
    pub services: BTreeSet<Service>,
    /// Named professionals or services information may be shared with.
    pub recipients: String,
    pub given_on: Date,
    pub recorded: Stamp,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub on: Date,
    pub reason: String,
    pub recorded: Stamp,
}

impl Consent {
    pub fn in_force(&self) -> bool {
        self.withdrawn.is_none()
    }

    /// Whether this consent, as it stands, allows a referral to `service`.
    pub fn covers_referral(&self, service: Service) -> bool {
        self.in_force() && self.scopes.contains(&Scope::Referral) && self.services.contains(&service)
    }
}

/// The consent form as being filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsentDraft {
    /// A [`Giver`] code.
    pub giver: String,
    pub giver_name: String,
    pub scopes: BTreeSet<Scope>,
    pub services: BTreeSet<Service>,
    pub recipients: String,
    /// `YYYY-MM-DD`.
    pub given_on: String,
    /// The person was told how their data is processed, kept and shared (D-PRIVACY).
    pub informed_of_processing: bool,
}

/// The person declined assistance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub notes: String,
    pub recorded: Stamp,
}

/// Checks the consent form as typed; the errors the form shows.
pub fn validate_draft(draft: &ConsentDraft, today: Date) -> Vec<FieldError> {
    parse_draft(draft, today).err().unwrap_or_default()
}

struct Parsed {
    giver: Giver,
    giver_name: String,
    recipients: String,
    given_on: Date,
}

fn parse_draft(draft: &ConsentDraft, today: Date) -> Result<Parsed, Vec<FieldError>> {
    let mut checks = FieldErrors::default();
    let giver = checks.collect(choice("consent_giver", &draft.giver, Giver::from_code));
    let giver_name = checks.collect(required_line("consent_giver_name", &draft.giver_name));
    let recipients = checks.collect(optional_text("consent_recipients", &draft.recipients));
    let given_on = checks.collect(past_date("consent_given_on", &draft.given_on, today));
    if draft.scopes.is_empty() {
        checks.push("consent_scopes", ErrorCode::Required);
    }
    if draft.scopes.contains(&Scope::Referral) && draft.services.is_empty() {
        checks.push("consent_services", ErrorCode::Required);
    }
    if draft.scopes.contains(&Scope::Sharing) && recipients.as_ref().is_some_and(String::is_empty) {
        checks.push("consent_recipients", ErrorCode::Required);
    }
    if !draft.informed_of_processing {
        checks.push("consent_informed_of_processing", ErrorCode::Required);
    }
    match (giver, giver_name, recipients, given_on) {
        (Some(giver), Some(giver_name), Some(recipients), Some(given_on)) => {
            let errors = checks.into_vec();
            if errors.is_empty() {
                Ok(Parsed { giver, giver_name, recipients, given_on })
            } else {
                Err(errors)
            }
        }
        _ => Err(checks.into_vec()),
    }
}

/// Records the consent form as a consent and clears the form.
pub fn give(file: &mut CaseFile, actor: &Actor) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    let draft = std::mem::take(&mut file.consent_draft);
    let parsed = match parse_draft(&draft, actor.today) {
        Ok(parsed) => parsed,
        Err(errors) => {
            file.consent_draft = draft;
            return Err(RuleError::Invalid(errors));
        }
    };
    let id = EntryId::random();
    let services = if draft.scopes.contains(&Scope::Referral) { draft.services } else { BTreeSet::new() };
    file.consents.push(Consent {
        id,
        giver: parsed.giver,
        giver_name: parsed.giver_name,
        scopes: draft.scopes,
        services,
        recipients: parsed.recipients,
        given_on: parsed.given_on,
        recorded: actor.into(),
        withdrawn: None,
    });
    file.record(actor, Event::ConsentGiven { consent: id });
    Ok(id)
}

/// Withdraws a consent today. Referrals that relied on it and are still under way stop
/// now; what was done before stays in the history.
pub fn withdraw(file: &mut CaseFile, consent: EntryId, reason: &str, actor: &Actor) -> Result<(), RuleError> {
    let reason = optional_text("withdrawal_reason", reason).map_err(|e| RuleError::Invalid(vec![e]))?;
    let entry = file.consents.iter_mut().find(|c| c.id == consent).ok_or(RuleError::NotFound)?;
    if entry.withdrawn.is_some() {
        return Err(RuleError::AlreadyWithdrawn);
    }
    // A closed case may still have its consent withdrawn: the person's right does not end
    // with the case.
    entry.withdrawn = Some(Withdrawal { on: actor.today, reason, recorded: actor.into() });
    file.record(actor, Event::ConsentWithdrawn { consent });
    stop_what_relied_on(file, consent, actor.into());
    Ok(())
}

/// Stops, as of `stamp`, the referrals still under way, the handover and the sharing that
/// relied on a withdrawn consent: on the device where it was withdrawn, and on one that learns of the
/// withdrawal by merging. Does nothing twice.
pub(crate) fn stop_what_relied_on(file: &mut CaseFile, consent: EntryId, stamp: Stamp) {
    for referral in file.referrals.iter_mut().filter(|r| r.consent == Some(consent) && r.status().is_under_way()) {
        referral.history.push(super::referral::StatusChange { status: Status::Stopped, note: String::new(), stamp });
        file.history.push(HistoryEntry { stamp, event: Event::ReferralStopped { referral: referral.id, consent } });
    }
    if let Some(sent) = file.handover.sent.as_mut().filter(|s| s.consent == consent && s.stopped.is_none()) {
        sent.stopped = Some(stamp);
        file.history.push(HistoryEntry { stamp, event: Event::HandoverStopped });
    }
    super::sharing::end_what_relied_on(file, consent, stamp);
}

/// Records that the person declined assistance. Always possible while the case is open.
pub fn refuse_assistance(file: &mut CaseFile, notes: &str, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    let notes = optional_text("refusal_notes", notes).map_err(|e| RuleError::Invalid(vec![e]))?;
    file.refusal = Some(Refusal { notes, recorded: actor.into() });
    file.record(actor, Event::AssistanceRefused);
    Ok(())
}

/// The person accepts assistance after all; the refusal stays in the history.
pub fn revoke_refusal(file: &mut CaseFile, actor: &Actor) -> Result<(), RuleError> {
    file.ensure_open()?;
    if file.refusal.take().is_none() {
        return Err(RuleError::NotFound);
    }
    file.record(actor, Event::AssistanceRefusalRevoked);
    Ok(())
}

impl CaseFile {
    /// The consents in force that allow a referral to `service`.
    pub fn referral_consents(&self, service: Service) -> impl Iterator<Item = &Consent> {
        self.consents.iter().filter(move |c| c.covers_referral(service))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::testing::{actor, open_file, TODAY};
    use super::*;

    pub fn referral_consent(file: &mut CaseFile, giver: Giver, services: &[Service]) -> EntryId {
        file.consent_draft = ConsentDraft {
            giver: giver.code().into(),
            giver_name: "Amina".into(),
            scopes: [Scope::Registration, Scope::Referral].into(),
            services: services.iter().copied().collect(),
            recipients: String::new(),
            given_on: TODAY.to_string(),
            informed_of_processing: true,
        };
        give(file, &actor()).unwrap()
    }

    #[test]
    fn a_complete_form_becomes_a_consent_and_the_form_is_cleared() {
        let mut file = open_file();
        let id = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        assert_eq!(file.consent_draft, ConsentDraft::default());
        let consent = &file.consents[0];
        assert_eq!((consent.id, consent.giver, consent.given_on), (id, Giver::Person, TODAY));
        assert!(consent.covers_referral(Service::Health));
        assert!(!consent.covers_referral(Service::Housing), "only the services named");
        assert_eq!(file.history.last().unwrap().event, Event::ConsentGiven { consent: id });
    }

    #[test]
    fn an_incomplete_form_is_refused_and_kept_as_typed() {
        let mut file = open_file();
        file.consent_draft = ConsentDraft {
            giver: "neighbour".into(),
            scopes: [Scope::Referral, Scope::Sharing].into(),
            given_on: "2099-01-01".into(),
            ..ConsentDraft::default()
        };
        let before = file.clone();
        let Err(RuleError::Invalid(errors)) = give(&mut file, &actor()) else { panic!("must refuse") };
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                ("consent_giver", ErrorCode::InvalidChoice),
                ("consent_giver_name", ErrorCode::Required),
                ("consent_given_on", ErrorCode::FutureDate),
                ("consent_services", ErrorCode::Required),
                ("consent_recipients", ErrorCode::Required),
                ("consent_informed_of_processing", ErrorCode::Required),
            ]
        );
        assert_eq!(file, before, "a refused act changes nothing");
    }

    #[test]
    fn withdrawing_stops_the_referrals_that_relied_on_it_and_keeps_both_in_history() {
        let mut file = open_file();
        let consent = referral_consent(&mut file, Giver::Person, &[Service::Health, Service::Housing]);
        let sent = super::super::referral::tests::sent_referral(&mut file, Service::Health);
        let done = super::super::referral::tests::sent_referral(&mut file, Service::Housing);
        super::super::referral::set_status(&mut file, done, Status::Accepted, "", &actor()).unwrap();
        super::super::referral::set_status(&mut file, done, Status::Completed, "", &actor()).unwrap();

        withdraw(&mut file, consent, "changed her mind", &actor()).unwrap();
        let referral = |id| file.referrals.iter().find(|r| r.id == id).unwrap();
        assert_eq!(referral(sent).status(), Status::Stopped);
        assert_eq!(referral(done).status(), Status::Completed, "what was already done stays done");
        assert!(referral(sent).history.iter().any(|s| s.status == Status::Sent), "the send stays in its history");
        let events: Vec<_> = file.history.iter().map(|h| h.event.clone()).collect();
        assert!(events.contains(&Event::ConsentGiven { consent }));
        assert!(events.contains(&Event::ConsentWithdrawn { consent }));
        assert!(events.contains(&Event::ReferralStopped { referral: sent, consent }));
        assert!(!file.consents[0].covers_referral(Service::Health));
        assert_eq!(withdraw(&mut file, consent, "", &actor()), Err(RuleError::AlreadyWithdrawn));
    }

    #[test]
    fn withdrawing_one_consent_leaves_a_handover_sent_under_another_as_it_was() {
        let mut file = open_file();
        let referral = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        file.consent_draft = ConsentDraft {
            giver: "person".into(),
            giver_name: "Amina".into(),
            scopes: [Scope::Handover].into(),
            given_on: TODAY.to_string(),
            informed_of_processing: true,
            ..ConsentDraft::default()
        };
        let handover = give(&mut file, &actor()).unwrap();
        file.handover.destination = "Dakar office".into();
        file.handover.talking_points = "Work first".into();
        super::super::handover::mark_sent(&mut file, false, &actor()).unwrap();
        withdraw(&mut file, referral, "", &actor()).unwrap();
        assert_eq!(file.handover.sent.as_ref().unwrap().stopped, None, "it rests on the handover consent");
        withdraw(&mut file, handover, "", &actor()).unwrap();
        let stopped = file.handover.sent.as_ref().unwrap().stopped;
        assert!(stopped.is_some());
        stop_what_relied_on(&mut file, handover, Stamp { at: actor().now_ms + 1, by: actor().user });
        assert_eq!(file.handover.sent.as_ref().unwrap().stopped, stopped, "stopped once, when first withdrawn");
        assert_eq!(file.history.iter().filter(|h| h.event == Event::HandoverStopped).count(), 1);
    }

    #[test]
    fn the_form_shows_every_missing_or_wrong_field() {
        let codes = |draft: &ConsentDraft| -> Vec<_> {
            validate_draft(draft, TODAY).into_iter().map(|e| (e.field, e.code)).collect()
        };
        assert_eq!(
            codes(&ConsentDraft::default()),
            [
                ("consent_giver", ErrorCode::Required),
                ("consent_giver_name", ErrorCode::Required),
                ("consent_given_on", ErrorCode::Required),
                ("consent_scopes", ErrorCode::Required),
                ("consent_informed_of_processing", ErrorCode::Required),
            ]
        );
        let draft = ConsentDraft {
            giver: "neighbour".into(),
            giver_name: "Amina".into(),
            scopes: [Scope::Referral, Scope::Sharing].into(),
            given_on: "2026-11-23".into(),
            informed_of_processing: true,
            ..ConsentDraft::default()
        };
        assert_eq!(
            codes(&draft),
            [
                ("consent_giver", ErrorCode::InvalidChoice),
                ("consent_given_on", ErrorCode::FutureDate),
                ("consent_services", ErrorCode::Required),
                ("consent_recipients", ErrorCode::Required),
            ]
        );
    }

    #[test]
    fn refusing_assistance_is_recordable_and_revocable() {
        let mut file = open_file();
        refuse_assistance(&mut file, "wants no contact", &actor()).unwrap();
        assert!(file.refusal.is_some());
        revoke_refusal(&mut file, &actor()).unwrap();
        assert!(file.refusal.is_none());
        assert_eq!(revoke_refusal(&mut file, &actor()), Err(RuleError::NotFound));
        assert_eq!(file.history.len(), 2);
    }
}
