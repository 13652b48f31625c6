//! The case history (rule 7): every act, and every stretch of typing, attributed to who
//! and when. It lives inside the encrypted case file, so it is as private as the case and
//! readable offline.

use super::{Actor, CaseFile, EntryId, GroupId, Stamp};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Typing in one section by one person within this window is one history entry.
pub const EDIT_COALESCE_MS: i64 = 15 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub stamp: Stamp,
    pub event: Event,
}

/// The part of a case a text edit touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "section", content = "entry")]
pub enum Section {
    Registration,
    Profile,
    Assessment,
    FollowUp,
    Child,
    Handover,
    Closure,
    Session(EntryId),
    Plan(EntryId),
    Referral(EntryId),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Event {
    Opened,
    Edited {
        section: Section,
    },
    ConsentGiven {
        consent: EntryId,
    },
    ConsentWithdrawn {
        consent: EntryId,
    },
    /// A referral stopped because the consent it relied on was withdrawn.
    ReferralStopped {
        referral: EntryId,
        consent: EntryId,
    },
    AssistanceRefused,
    AssistanceRefusalRevoked,
    Assessed {
        assessment: EntryId,
    },
    SessionStarted {
        session: EntryId,
    },
    GroupAttended {
        group: GroupId,
    },
    SessionStep {
        session: EntryId,
        step: u8,
    },
    SessionPaused {
        session: EntryId,
    },
    SessionResumed {
        session: EntryId,
    },
    PlanStarted {
        plan: EntryId,
    },
    PlanAgreed {
        plan: EntryId,
    },
    PlanReviewStarted {
        plan: EntryId,
        reviews: EntryId,
    },
    ReferralProposed {
        referral: EntryId,
    },
    ReferralStatus {
        referral: EntryId,
        status: super::referral::Status,
    },
    FollowUpRecorded {
        follow_up: EntryId,
    },
    FollowUpScheduled {
        follow_up: EntryId,
    },
    HandoverSent,
    /// The origin office accepted the handover.
    HandoverAccepted,
    /// The consent the handover was sent under was withdrawn.
    HandoverStopped,
    /// The case was shared with a colleague ([`super::sharing`]).
    Shared {
        disclosure: EntryId,
    },
    /// A sharing ended: taken back, or its consent withdrawn.
    SharingEnded {
        disclosure: EntryId,
    },
    /// The case was moved to another case manager ([`super::assignment`]).
    Reassigned {
        to: UserId,
    },
    Closed,
    Reopened,
}

impl CaseFile {
    /// Notes that `actor` typed in `section`, folding a run of typing into one entry.
    pub fn touch(&mut self, section: Section, actor: &Actor) {
        if let Some(last) = self.history.last_mut() {
            if last.event == (Event::Edited { section })
                && last.stamp.by == actor.user
                && actor.now_ms - last.stamp.at < EDIT_COALESCE_MS
            {
                last.stamp.at = actor.now_ms;
                return;
            }
        }
        self.record(actor, Event::Edited { section });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{actor, open_file};
    use super::*;
    use crate::ids::UserId;

    #[test]
    fn a_run_of_typing_is_one_entry_and_a_pause_or_another_author_starts_a_new_one() {
        let mut file = open_file();
        let me = actor();
        file.touch(Section::Profile, &me);
        file.touch(Section::Profile, &Actor { now_ms: me.now_ms + 60_000, ..me });
        assert_eq!(file.history.len(), 1);
        assert_eq!(file.history[0].stamp.at, me.now_ms + 60_000, "the entry ends at the last keystroke");

        file.touch(Section::Profile, &Actor { now_ms: me.now_ms + 60_000 + EDIT_COALESCE_MS, ..me });
        assert_eq!(file.history.len(), 2, "a long pause starts a new entry");

        let colleague = Actor { user: UserId::from_bytes([9; 16]), ..me };
        file.touch(Section::Profile, &Actor { now_ms: me.now_ms + 60_001 + EDIT_COALESCE_MS, ..colleague });
        assert_eq!(file.history.len(), 3, "another author is another entry");
        file.touch(Section::Registration, &Actor { now_ms: me.now_ms + 60_002 + EDIT_COALESCE_MS, ..colleague });
        assert_eq!(file.history.len(), 4, "another section is another entry");
        assert_eq!(file.history[3].stamp.by, colleague.user);
    }

    #[test]
    fn typing_within_a_quarter_of_an_hour_is_one_stretch() {
        let mut file = open_file();
        let me = actor();
        let minutes = |m: i64| Actor { now_ms: me.now_ms + m * 60_000, ..me };
        file.touch(Section::Child, &me);
        file.touch(Section::Child, &minutes(14));
        assert_eq!(file.history.len(), 1);
        file.touch(Section::Child, &minutes(14 + 15));
        assert_eq!(file.history.len(), 2, "fifteen minutes without typing start a new stretch");
    }

    #[test]
    fn history_round_trips_through_json() {
        let mut file = open_file();
        let me = actor();
        file.touch(Section::Plan(EntryId::random()), &me);
        file.record(&me, Event::Closed);
        let json = serde_json::to_string(&file).unwrap();
        assert_eq!(serde_json::from_str::<CaseFile>(&json).unwrap(), file);
    }
}
