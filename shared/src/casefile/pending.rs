//! Short notes typed right before an act's button: the reason a consent is withdrawn, a
//! note on a refusal, the reason a case is reopened, a transition note, a note on a
//! referral's answer. They are kept in the case like every other keystroke, so a crash or
//! a reload before the button is pressed loses nothing; the act that uses a note clears it.

use super::{CaseFile, EntryId, RuleError};
use serde::{Deserialize, Serialize};

/// The act a note is typed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "act", content = "entry")]
pub enum NoteFor {
    /// Withdrawing this consent.
    Withdrawal(EntryId),
    /// Recording that the person declines assistance.
    Refusal,
    /// Reopening the closed case.
    Reopening,
    /// Recording a child's transition to adulthood.
    Transition,
    /// Recording this referral's next status.
    StatusChange(EntryId),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingNote {
    #[serde(rename = "for")]
    pub for_act: NoteFor,
    pub text: String,
}

/// The notes typed and not yet used, at most one per act.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PendingNotes(Vec<PendingNote>);

impl PendingNotes {
    pub fn get(&self, act: NoteFor) -> &str {
        self.0.iter().find(|n| n.for_act == act).map_or("", |n| n.text.as_str())
    }

    /// Keeps `text` as typed (an empty text removes the note). Returns whether it changed.
    pub fn set(&mut self, act: NoteFor, text: String) -> bool {
        if self.get(act) == text {
            return false;
        }
        self.0.retain(|n| n.for_act != act);
        if !text.is_empty() {
            self.0.push(PendingNote { for_act: act, text });
            self.0.sort_by_key(|n| n.for_act);
        }
        true
    }
}

impl CaseFile {
    /// Runs `act` with the note typed for it, and clears the note once the act is done; a
    /// refused act keeps the note for the case manager to correct.
    pub fn act_with_note<T>(
        &mut self,
        note: NoteFor,
        act: impl FnOnce(&mut CaseFile, &str) -> Result<T, RuleError>,
    ) -> Result<T, RuleError> {
        let text = self.pending.get(note).to_owned();
        let done = act(self, &text)?;
        self.pending.set(note, String::new());
        Ok(done)
    }

    /// Drops the notes whose act can no longer be done, because it was done elsewhere (learnt
    /// by merging) or its entry is gone.
    pub(crate) fn drop_spent_notes(&mut self) {
        let spent: Vec<NoteFor> = self.pending.0.iter().map(|n| n.for_act).filter(|&act| !self.awaits(act)).collect();
        for act in spent {
            self.pending.set(act, String::new());
        }
    }

    fn awaits(&self, act: NoteFor) -> bool {
        match act {
            NoteFor::Withdrawal(id) => self.consents.iter().any(|c| c.id == id && c.withdrawn.is_none()),
            NoteFor::Refusal => self.refusal.is_none(),
            NoteFor::Reopening => self.is_closed(),
            NoteFor::Transition => self.child.transition.is_none(),
            NoteFor::StatusChange(id) => self.referrals.iter().any(|r| r.id == id && !r.status().next().is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::closure::tests::a_closure;
    use super::super::consent::{self, tests::referral_consent, Giver};
    use super::super::referral::Service;
    use super::super::testing::{actor, open_file};
    use super::super::{closure, merge::merge};
    use super::*;

    #[test]
    fn a_note_is_kept_as_typed_and_an_empty_one_is_removed() {
        let mut notes = PendingNotes::default();
        assert!(notes.set(NoteFor::Refusal, " wants to think ".into()));
        assert_eq!(notes.get(NoteFor::Refusal), " wants to think ");
        assert!(!notes.set(NoteFor::Refusal, " wants to think ".into()));
        assert_eq!(notes.get(NoteFor::Reopening), "");
        assert!(notes.set(NoteFor::Refusal, String::new()));
        assert_eq!(notes, PendingNotes::default(), "nothing is kept for an empty note");
    }

    #[test]
    fn an_act_uses_its_note_and_clears_only_that_one() {
        let mut file = open_file();
        let consent = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        file.pending.set(NoteFor::Withdrawal(consent), "No longer wishes to be referred".into());
        file.pending.set(NoteFor::Refusal, "Still deciding".into());
        file.act_with_note(NoteFor::Withdrawal(consent), |f, why| consent::withdraw(f, consent, why, &actor()))
            .unwrap();
        let withdrawal = file.consents[0].withdrawn.as_ref().unwrap();
        assert_eq!(withdrawal.reason, "No longer wishes to be referred");
        assert_eq!(file.pending.get(NoteFor::Withdrawal(consent)), "");
        assert_eq!(file.pending.get(NoteFor::Refusal), "Still deciding");
    }

    #[test]
    fn a_refused_act_keeps_its_note() {
        let mut file = open_file();
        file.closure = Some(a_closure());
        file.pending.set(NoteFor::Reopening, "x".repeat(100_000));
        let refused = file.act_with_note(NoteFor::Reopening, |f, why| closure::reopen(f, why, &actor()));
        assert!(matches!(refused, Err(RuleError::Invalid(_))));
        assert!(file.is_closed());
        assert_eq!(file.pending.get(NoteFor::Reopening).len(), 100_000);
    }

    #[test]
    fn a_note_for_an_act_done_on_another_device_is_dropped_when_merging() {
        let mut base = open_file();
        let consent = referral_consent(&mut base, Giver::Person, &[Service::Health]);
        let mut theirs = base.clone();
        consent::withdraw(&mut theirs, consent, "", &actor()).unwrap();
        let mut mine = base;
        mine.pending.set(NoteFor::Withdrawal(consent), "Moving away".into());
        mine.pending.set(NoteFor::Refusal, "Still deciding".into());
        merge(&mut mine, &theirs);
        assert_eq!(mine.pending.get(NoteFor::Withdrawal(consent)), "");
        assert_eq!(mine.pending.get(NoteFor::Refusal), "Still deciding");
    }

    #[test]
    fn a_note_is_kept_while_its_act_can_still_be_done() {
        let mut file = open_file();
        let kept = referral_consent(&mut file, Giver::Person, &[Service::Health]);
        let withdrawn = referral_consent(&mut file, Giver::Person, &[Service::Housing]);
        consent::withdraw(&mut file, withdrawn, "", &actor()).unwrap();
        let open = super::super::referral::tests::sent_referral(&mut file, Service::Health);
        let ended = super::super::referral::tests::sent_referral(&mut file, Service::Health);
        super::super::referral::set_status(&mut file, ended, super::super::referral::Status::Declined, "", &actor())
            .unwrap();
        for (note, text) in [
            (NoteFor::Withdrawal(kept), "a"),
            (NoteFor::Withdrawal(withdrawn), "b"),
            (NoteFor::StatusChange(open), "c"),
            (NoteFor::StatusChange(ended), "d"),
            (NoteFor::Withdrawal(EntryId::random()), "e"),
        ] {
            file.pending.set(note, text.into());
        }
        file.drop_spent_notes();
        assert_eq!(file.pending.get(NoteFor::Withdrawal(kept)), "a", "a consent in force can be withdrawn");
        assert_eq!(file.pending.get(NoteFor::StatusChange(open)), "c", "a referral under way can be answered");
        for gone in [NoteFor::Withdrawal(withdrawn), NoteFor::StatusChange(ended)] {
            assert_eq!(file.pending.get(gone), "", "{gone:?}: its act is done");
        }
        assert_eq!(file.pending.get(NoteFor::Withdrawal(EntryId::random())), "");
    }

    #[test]
    fn notes_serialise_with_stable_names() {
        let mut notes = PendingNotes::default();
        notes.set(NoteFor::Reopening, "Returned to the area".into());
        assert_eq!(
            serde_json::to_string(&notes).unwrap(),
            r#"[{"for":{"act":"reopening"},"text":"Returned to the area"}]"#
        );
        let back: PendingNotes = serde_json::from_str(&serde_json::to_string(&notes).unwrap()).unwrap();
        assert_eq!(back, notes);
    }
}
