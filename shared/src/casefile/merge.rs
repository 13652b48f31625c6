//! Merging two versions of a case file that were changed apart (two devices offline).
//! Text typed on both sides cannot be merged safely, so the case manager's version keeps its
//! text; but no *act* recorded on the other side is dropped: entries (consents, assessments,
//! sessions, plans, referrals, follow-ups), status changes, withdrawals, agreements, a
//! closure and the history all come across.

use super::{CaseFile, HistoryEntry};
use std::collections::BTreeSet;

/// What the other version brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// Entries only the other version had, now in this one.
    pub entries_added: usize,
    /// Acts on shared entries: withdrawals, status changes, agreements, contacts, a closure.
    pub acts_added: usize,
}

impl Merged {
    pub fn is_empty(&self) -> bool {
        self.entries_added == 0 && self.acts_added == 0
    }
}

/// Adds to `mine` every entry and act of `theirs` it lacks.
pub fn merge(mine: &mut CaseFile, theirs: &CaseFile) -> Merged {
    let mut merged = Merged::default();
    merged.entries_added += union(&mut mine.consents, &theirs.consents, |c| c.id);
    for other in &theirs.consents {
        if let (Some(withdrawn), Some(own)) =
            (&other.withdrawn, mine.consents.iter_mut().find(|c| c.id == other.id && c.withdrawn.is_none()))
        {
            own.withdrawn = Some(withdrawn.clone());
            merged.acts_added += 1;
        }
    }
    merged.entries_added += union(&mut mine.assessments, &theirs.assessments, |a| a.id);
    mine.assessments.sort_by_key(|a| a.recorded.at);
    merged.entries_added += union(&mut mine.sessions, &theirs.sessions, |s| s.id);
    merged.entries_added += union(&mut mine.plans, &theirs.plans, |p| p.id);
    for other in theirs.plans.iter().filter(|p| p.is_agreed()) {
        if let Some(own) = mine.plans.iter_mut().find(|p| p.id == other.id && !p.is_agreed()) {
            // The agreement is what the person signed: their version of the plan.
            *own = other.clone();
            merged.acts_added += 1;
        }
    }
    merged.entries_added += union(&mut mine.referrals, &theirs.referrals, |r| r.id);
    for other in &theirs.referrals {
        if let Some(own) = mine.referrals.iter_mut().find(|r| r.id == other.id) {
            for change in &other.history {
                if !own.history.contains(change) {
                    own.history.push(change.clone());
                    merged.acts_added += 1;
                }
            }
            own.history.sort_by_key(|s| s.stamp.at);
            if own.consent.is_none() {
                own.consent = other.consent;
            }
        }
    }
    merged.entries_added += union(&mut mine.follow_ups, &theirs.follow_ups, |f| f.id);
    for other in theirs.follow_ups.iter().filter(|f| f.contact.is_some()) {
        if let Some(own) = mine.follow_ups.iter_mut().find(|f| f.id == other.id && f.contact.is_none()) {
            own.contact = other.contact.clone();
            merged.acts_added += 1;
        }
    }
    merged.acts_added += take_if_missing(&mut mine.handover.sent, &theirs.handover.sent);
    merged.acts_added += take_if_missing(&mut mine.child.transition, &theirs.child.transition);
    merged.entries_added += union(&mut mine.reopened, &theirs.reopened, |r| r.reopened.at);
    if let Some(closure) = &theirs.closure {
        let reopened_since = mine.reopened.iter().any(|r| r.closure.authorised == closure.authorised);
        if mine.closure.is_none() && !reopened_since {
            mine.closure = Some(closure.clone());
            merged.acts_added += 1;
        }
    }
    // A withdrawal that arrived by merging stops what relied on it, as on the device where
    // it was made.
    let withdrawn: Vec<_> =
        mine.consents.iter().filter_map(|c| c.withdrawn.as_ref().map(|w| (c.id, w.recorded))).collect();
    for (consent, stamp) in withdrawn {
        super::consent::stop_what_relied_on(mine, consent, stamp);
    }
    mine.history = merged_history(&mine.history, &theirs.history);
    mine.drop_spent_notes();
    merged
}

/// Appends the items of `theirs` whose key `mine` lacks; returns how many.
fn union<T: Clone, K: Ord>(mine: &mut Vec<T>, theirs: &[T], key: impl Fn(&T) -> K) -> usize {
    let known: BTreeSet<K> = mine.iter().map(&key).collect();
    let missing: Vec<T> = theirs.iter().filter(|t| !known.contains(&key(t))).cloned().collect();
    let count = missing.len();
    mine.extend(missing);
    count
}

fn take_if_missing<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) -> usize {
    match (mine.is_none(), theirs) {
        (true, Some(value)) => {
            *mine = Some(value.clone());
            1
        }
        _ => 0,
    }
}

fn merged_history(mine: &[HistoryEntry], theirs: &[HistoryEntry]) -> Vec<HistoryEntry> {
    let mut all: Vec<HistoryEntry> = mine.to_vec();
    for entry in theirs {
        if !all.contains(entry) {
            all.push(entry.clone());
        }
    }
    all.sort_by_key(|h| h.stamp.at);
    all
}

#[cfg(test)]
mod tests {
    use super::super::consent::{self, tests::referral_consent, Giver};
    use super::super::referral::Status;
    use super::super::referral::{self, tests::sent_referral, Service};
    use super::super::testing::{actor, open_file};
    use super::super::{closure, handover, session, Actor, Event};
    use super::*;
    use proptest::prelude::*;

    fn later(seconds: i64) -> Actor {
        Actor { now_ms: actor().now_ms + seconds * 1000, ..actor() }
    }

    #[test]
    fn merging_a_version_with_itself_changes_nothing() {
        let mut file = open_file();
        referral_consent(&mut file, Giver::Person, &[Service::Health]);
        sent_referral(&mut file, Service::Health);
        let copy = file.clone();
        assert!(merge(&mut file, &copy).is_empty());
        assert_eq!(file, copy);
    }

    #[test]
    fn entries_made_on_the_other_device_are_kept_and_my_text_wins() {
        let mut base = open_file();
        let shared = session::start(&mut base, session::Kind::FollowUp, &actor()).unwrap();
        let (mut mine, mut theirs) = (base.clone(), base);
        mine.sessions[0].notes = "mine".into();
        theirs.sessions[0].notes = "theirs".into();
        let new_there = session::start(&mut theirs, session::Kind::FollowUp, &later(5)).unwrap();
        let new_here = session::start(&mut mine, session::Kind::FollowUp, &later(3)).unwrap();
        let merged = merge(&mut mine, &theirs);
        assert_eq!(merged.entries_added, 1);
        let ids: Vec<_> = mine.sessions.iter().map(|s| s.id).collect();
        assert_eq!(ids, [shared, new_here, new_there]);
        assert_eq!(mine.session(shared).unwrap().notes, "mine");
        let times: Vec<_> = mine.history.iter().map(|h| h.stamp.at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "history in time order");
        assert_eq!(mine.history.len(), 3, "both starts and the shared one");
    }

    #[test]
    fn a_withdrawal_on_the_other_device_is_never_lost_and_stops_my_referral() {
        let mut base = open_file();
        let consent_id = referral_consent(&mut base, Giver::Person, &[Service::Health]);
        let (mut mine, mut theirs) = (base.clone(), base);
        consent::withdraw(&mut theirs, consent_id, "changed her mind", &later(10)).unwrap();
        let referral = sent_referral(&mut mine, Service::Health);
        let merged = merge(&mut mine, &theirs);
        assert!(merged.acts_added >= 1);
        assert!(!mine.consents[0].in_force());
        let sent = mine.referrals.iter().find(|r| r.id == referral).unwrap();
        assert_eq!(sent.status(), Status::Stopped);
        assert!(mine.history.iter().any(|h| h.event == Event::ConsentWithdrawn { consent: consent_id }));
    }

    #[test]
    fn a_withdrawal_on_the_other_device_stops_a_handover_sent_here() {
        let mut base = open_file();
        base.consent_draft = consent::ConsentDraft {
            giver: "person".into(),
            giver_name: "Amina".into(),
            scopes: [consent::Scope::Handover].into(),
            given_on: actor().today.to_string(),
            informed_of_processing: true,
            ..Default::default()
        };
        let consent_id = consent::give(&mut base, &actor()).unwrap();
        let (mut mine, mut theirs) = (base.clone(), base);
        mine.handover.destination = "Dakar office".into();
        mine.handover.talking_points = "Work first".into();
        handover::mark_sent(&mut mine, false, &later(2)).unwrap();
        consent::withdraw(&mut theirs, consent_id, "", &later(10)).unwrap();
        merge(&mut mine, &theirs);
        assert!(mine.handover.sent.as_ref().unwrap().stopped.is_some());
        assert!(mine.history.iter().any(|h| h.event == Event::HandoverStopped));
    }

    #[test]
    fn status_changes_and_a_closure_come_across() {
        let mut base = open_file();
        referral_consent(&mut base, Giver::Person, &[Service::Health]);
        let id = sent_referral(&mut base, Service::Health);
        let (mut mine, mut theirs) = (base.clone(), base);
        referral::set_status(&mut theirs, id, Status::Accepted, "", &later(5)).unwrap();
        theirs.closure_draft = closure::ClosureDraft { reason: "left_area".into(), ..Default::default() };
        closure::close(&mut theirs, false, &later(6)).unwrap();
        mine.profile.other = "typed here".into();
        merge(&mut mine, &theirs);
        assert_eq!(mine.referrals[0].status(), Status::Accepted);
        assert!(mine.is_closed(), "a closure made elsewhere is not silently undone");
        assert_eq!(mine.profile.other, "typed here");
    }

    proptest! {
        #[test]
        fn nothing_either_side_recorded_is_missing_after_a_merge(mine_sessions in 0usize..4, their_sessions in 0usize..4) {
            let base = open_file();
            let (mut mine, mut theirs) = (base.clone(), base);
            for i in 0..mine_sessions {
                session::start(&mut mine, session::Kind::FollowUp, &later(i as i64)).unwrap();
            }
            for i in 0..their_sessions {
                session::start(&mut theirs, session::Kind::FollowUp, &later(10 + i as i64)).unwrap();
            }
            let before_mine = mine.clone();
            merge(&mut mine, &theirs);
            for session in before_mine.sessions.iter().chain(&theirs.sessions) {
                prop_assert!(mine.session(session.id).is_some());
            }
            for entry in before_mine.history.iter().chain(&theirs.history) {
                prop_assert!(mine.history.contains(entry));
            }
            let again = mine.clone();
            prop_assert!(merge(&mut mine, &theirs).is_empty(), "merging twice adds nothing");
            prop_assert_eq!(mine, again);
        }
    }
}
