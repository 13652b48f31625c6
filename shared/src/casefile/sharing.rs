//! Sharing a case with a named colleague (a protection or health focal point), only under
//! a consent in force whose scope covers sharing, and a guardian's for a child (D-PRIVACY):
//! the case's disclosure log. Keys and the server decide who can open the case; this says
//! who was given it, when, by whom and under which consent, and ends the sharing when that
//! consent is withdrawn.

use super::{Actor, CaseFile, EntryId, Event, HistoryEntry, RuleError, Stamp};
use crate::casefile::consent::Scope;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One colleague given the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub id: EntryId,
    pub with: UserId,
    /// The consent it rests on.
    pub consent: EntryId,
    pub given: Stamp,
    /// When it ended: taken back, or its consent withdrawn.
    pub ended: Option<Stamp>,
}

impl Disclosure {
    pub fn in_force(&self) -> bool {
        self.ended.is_none()
    }
}

/// Gives the case to `with` under `consent`. Refused, changing nothing, unless the case is
/// open, the consent is in force and covers sharing (a parent's, caregiver's or guardian's
/// for a child), and `with` is someone else who does not have it already.
pub fn share(
    file: &mut CaseFile,
    with: UserId,
    consent: EntryId,
    child: bool,
    actor: &Actor,
) -> Result<EntryId, RuleError> {
    file.ensure_open()?;
    if with == actor.user {
        return Err(RuleError::NotShareable);
    }
    let consent_entry = file.consents.iter().find(|c| c.id == consent).ok_or(RuleError::NotFound)?;
    if !consent_entry.in_force() || !consent_entry.scopes.contains(&Scope::Sharing) {
        return Err(RuleError::NoCoveringConsent);
    }
    if child && !consent_entry.giver.is_guardian() {
        return Err(RuleError::NoGuardianConsent);
    }
    if file.shared_with().contains(&with) {
        return Err(RuleError::AlreadyShared);
    }
    let id = EntryId::random();
    file.disclosures.push(Disclosure { id, with, consent, given: actor.into(), ended: None });
    file.record(actor, Event::Shared { disclosure: id });
    Ok(id)
}

/// Takes the case back from a colleague. A closed case may be taken back too.
pub fn end_sharing(file: &mut CaseFile, disclosure: EntryId, actor: &Actor) -> Result<(), RuleError> {
    let entry = file.disclosures.iter_mut().find(|d| d.id == disclosure).ok_or(RuleError::NotFound)?;
    if entry.ended.is_some() {
        return Err(RuleError::AlreadyEnded);
    }
    entry.ended = Some(actor.into());
    file.record(actor, Event::SharingEnded { disclosure });
    Ok(())
}

/// Ends, as of `stamp`, the sharing that rested on a withdrawn consent. Does nothing twice.
pub(crate) fn end_what_relied_on(file: &mut CaseFile, consent: EntryId, stamp: Stamp) {
    for entry in file.disclosures.iter_mut().filter(|d| d.consent == consent && d.ended.is_none()) {
        entry.ended = Some(stamp);
        file.history.push(HistoryEntry { stamp, event: Event::SharingEnded { disclosure: entry.id } });
    }
}

impl CaseFile {
    /// The colleagues the case is shared with now.
    pub fn shared_with(&self) -> BTreeSet<UserId> {
        self.disclosures.iter().filter(|d| d.in_force()).map(|d| d.with).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::consent::tests::referral_consent;
    use super::super::consent::{self, ConsentDraft, Giver};
    use super::super::testing::{actor, open_file, TODAY};
    use super::*;

    fn sharing_consent(file: &mut CaseFile, giver: Giver) -> EntryId {
        file.consent_draft = ConsentDraft {
            giver: giver.code().into(),
            giver_name: "Amina".into(),
            scopes: [Scope::Registration, Scope::Sharing].into(),
            services: Default::default(),
            recipients: "the protection focal point".into(),
            given_on: TODAY.to_string(),
            informed_of_processing: true,
        };
        consent::give(file, &actor()).unwrap()
    }

    fn focal_point() -> UserId {
        UserId::from_bytes([5; 16])
    }

    #[test]
    fn a_case_is_shared_under_a_consent_that_covers_it_and_logged() {
        let mut file = open_file();
        let consent = sharing_consent(&mut file, Giver::Person);
        let id = share(&mut file, focal_point(), consent, false, &actor()).unwrap();
        assert_eq!(file.shared_with(), [focal_point()].into());
        let entry = &file.disclosures[0];
        assert_eq!((entry.id, entry.with, entry.consent, entry.given.by), (id, focal_point(), consent, actor().user));
        assert_eq!(file.history.last().unwrap().event, Event::Shared { disclosure: id });
        assert_eq!(share(&mut file, focal_point(), consent, false, &actor()), Err(RuleError::AlreadyShared));
    }

    #[test]
    fn without_a_covering_consent_in_force_nothing_is_shared() {
        let mut file = open_file();
        let referral_only = referral_consent(&mut file, Giver::Person, &[super::super::referral::Service::Health]);
        let before = file.clone();
        let refusals = [
            (share(&mut file, focal_point(), referral_only, false, &actor()), RuleError::NoCoveringConsent),
            (share(&mut file, focal_point(), EntryId::random(), false, &actor()), RuleError::NotFound),
            (share(&mut file, actor().user, referral_only, false, &actor()), RuleError::NotShareable),
        ];
        for (result, expected) in refusals {
            assert_eq!(result, Err(expected));
        }
        let consent = sharing_consent(&mut file, Giver::Person);
        let with_consent = file.clone();
        consent::withdraw(&mut file, consent, "", &actor()).unwrap();
        let withdrawn = file.clone();
        assert_eq!(share(&mut file, focal_point(), consent, false, &actor()), Err(RuleError::NoCoveringConsent));
        assert_eq!(file, withdrawn, "a refusal changes nothing");
        assert_ne!(before, with_consent);
    }

    #[test]
    fn a_childs_case_needs_a_guardians_consent() {
        let mut file = open_file();
        let own = sharing_consent(&mut file, Giver::Child);
        assert_eq!(share(&mut file, focal_point(), own, true, &actor()), Err(RuleError::NoGuardianConsent));
        assert!(share(&mut file, focal_point(), own, false, &actor()).is_ok(), "an adult's own consent is enough");
        let mut file = open_file();
        let guardian = sharing_consent(&mut file, Giver::Guardian);
        assert!(share(&mut file, focal_point(), guardian, true, &actor()).is_ok());
    }

    #[test]
    fn withdrawing_the_consent_ends_the_sharing_that_rests_on_it_only() {
        let mut file = open_file();
        let first = sharing_consent(&mut file, Giver::Person);
        let second = sharing_consent(&mut file, Giver::Person);
        let other = UserId::from_bytes([8; 16]);
        share(&mut file, focal_point(), first, false, &actor()).unwrap();
        let kept = share(&mut file, other, second, false, &actor()).unwrap();
        consent::withdraw(&mut file, first, "changed their mind", &actor()).unwrap();
        assert_eq!(file.shared_with(), [other].into());
        let ended = file.disclosures.iter().find(|d| d.with == focal_point()).unwrap();
        assert!(file.history.iter().any(|h| h.event == Event::SharingEnded { disclosure: ended.id }));
        // Shared again under the consent still in force.
        assert!(share(&mut file, focal_point(), second, false, &actor()).is_ok());
        end_sharing(&mut file, kept, &actor()).unwrap();
        assert_eq!(end_sharing(&mut file, kept, &actor()), Err(RuleError::AlreadyEnded));
        assert_eq!(end_sharing(&mut file, EntryId::random(), &actor()), Err(RuleError::NotFound));
        assert_eq!(file.shared_with(), [focal_point()].into());
    }

    #[test]
    fn two_devices_sharing_apart_keep_both_and_an_ending_on_either_side_holds() {
        let mut base = open_file();
        let consent = sharing_consent(&mut base, Giver::Person);
        let shared = share(&mut base, focal_point(), consent, false, &actor()).unwrap();
        let (mut mine, mut theirs) = (base.clone(), base);
        let other = UserId::from_bytes([8; 16]);
        share(&mut theirs, other, consent, false, &actor()).unwrap();
        end_sharing(&mut theirs, shared, &actor()).unwrap();
        super::super::merge::merge(&mut mine, &theirs);
        assert_eq!(mine.shared_with(), [other].into());
        assert_eq!(mine.disclosures.len(), 2);
        // And the other way round.
        let mut back = theirs.clone();
        super::super::merge::merge(&mut back, &mine);
        assert_eq!(back.shared_with(), [other].into());
    }

    #[test]
    fn a_closed_case_is_not_shared_but_may_be_taken_back() {
        let mut file = open_file();
        let consent = sharing_consent(&mut file, Giver::Person);
        let id = share(&mut file, focal_point(), consent, false, &actor()).unwrap();
        file.closure = Some(super::super::closure::Closure {
            reason: super::super::closure::Reason::ALL[0],
            details: Default::default(),
            closed_on: TODAY,
            authorised: (&actor()).into(),
        });
        assert_eq!(share(&mut file, UserId::from_bytes([8; 16]), consent, false, &actor()), Err(RuleError::CaseClosed));
        assert!(end_sharing(&mut file, id, &actor()).is_ok());
    }
}
