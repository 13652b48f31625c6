//! Merging two versions of a case file that were changed apart (two devices offline).
//! Text typed on both sides cannot be merged safely, so the version the case manager keeps
//! keeps its text; but no *act* recorded on the other side is dropped: entries (consents,
//! assessments, sessions, plans, referrals, follow-ups), withdrawals, a refusal of
//! assistance, ticked steps and pauses, agreements, status changes, contacts, a handover
//! sent, a child's transition, a closure or a reopening, and the history all come across.
//!
//! Every part of the case file, and every field of the entries whose acts are merged, is
//! named below (the destructuring does not compile when one is added), so each is a
//! deliberate choice between "text: kept from this version" and "acts: merged from both".
//! Where both sides may have changed the same thing by acts (a step ticked and unticked, a
//! pause, a refusal and its revocation), the history decides: what one side did after
//! seeing the other's act stands.

use super::closure::{Closure, Reopening};
use super::consent::{Consent, Refusal};
use super::followup::FollowUp;
use super::plan::Plan;
use super::referral::Referral;
use super::session::{Guide, Session};
use super::{child, handover, CaseFile, EntryId, Event, HistoryEntry};

/// Adds to `mine` every entry and act of `theirs` it lacks. Merging the same version again
/// changes nothing.
pub fn merge(mine: &mut CaseFile, theirs: &CaseFile) {
    let CaseFile {
        // Text and drafts as typed: this version's.
        registered_on: _,
        consent_draft: _,
        profile: _,
        assessment_draft: _,
        follow_up_draft: _,
        closure_draft: _,
        print_language: _,
        // Notes typed for acts: this version's, less those whose act the merge brings in.
        pending: _,
        // Acts.
        consents,
        refusal,
        assessments,
        sessions,
        plans,
        handover,
        referrals,
        disclosures,
        assignments,
        follow_ups,
        child,
        closure,
        reopened,
        history,
    } = theirs;
    let histories = [mine.history.clone(), history.clone()];
    union(&mut mine.consents, consents, |c| c.id);
    merge_each(&mut mine.consents, consents, |c| c.id, merge_consent);
    union(&mut mine.assessments, assessments, |a| a.id);
    mine.assessments.sort_by_key(|a| a.recorded.at);
    union(&mut mine.sessions, sessions, |s| s.id);
    merge_each(&mut mine.sessions, sessions, |s| s.id, |own, other| merge_session(own, other, &histories));
    union(&mut mine.plans, plans, |p| p.id);
    merge_each(&mut mine.plans, plans, |p| p.id, merge_plan);
    union(&mut mine.referrals, referrals, |r| r.id);
    merge_each(&mut mine.referrals, referrals, |r| r.id, merge_referral);
    union(&mut mine.disclosures, disclosures, |d| d.id);
    // A sharing ended on either side has ended.
    merge_each(
        &mut mine.disclosures,
        disclosures,
        |d| d.id,
        |own, other| take_if_missing(&mut own.ended, &other.ended),
    );
    union(&mut mine.assignments, assignments, |a| a.id);
    union(&mut mine.reopened, reopened, |r| r.reopened);
    // Visits after a closure that either side reopened are not waited for any more.
    let cancelled = visits_of_reopened_closures(&mine.reopened, &histories);
    let pending_elsewhere = |f: &&FollowUp| f.contact.is_none() && cancelled.contains(&f.id);
    let their_follow_ups: Vec<FollowUp> = follow_ups.iter().filter(|f| !pending_elsewhere(f)).cloned().collect();
    union(&mut mine.follow_ups, &their_follow_ups, |f| f.id);
    merge_each(&mut mine.follow_ups, follow_ups, |f| f.id, merge_follow_up);
    merge_handover(&mut mine.handover, handover);
    merge_child(&mut mine.child, child);
    merge_refusal(&mut mine.refusal, refusal, &histories);
    merge_closure(mine, closure);
    mine.cancel_visits_after_closure(|id| cancelled.contains(&id));
    // A withdrawal that arrived by merging stops what relied on it, as on the device where
    // it was made.
    let withdrawn: Vec<_> =
        mine.consents.iter().filter_map(|c| c.withdrawn.as_ref().map(|w| (c.id, w.recorded))).collect();
    for (consent, stamp) in withdrawn {
        super::consent::stop_what_relied_on(mine, consent, stamp);
    }
    mine.history = merged_history(&mine.history, history);
    mine.drop_spent_notes();
}

/// Appends the items of `theirs` whose key `mine` lacks. (The lists of a case are short: a
/// scan costs less code than a set.)
fn union<T: Clone, K: PartialEq>(mine: &mut Vec<T>, theirs: &[T], key: impl Fn(&T) -> K) {
    let missing: Vec<T> = theirs.iter().filter(|t| !mine.iter().any(|m| key(m) == key(t))).cloned().collect();
    mine.extend(missing);
}

/// Merges the acts of each entry of `theirs` into the entry of `mine` with the same key.
fn merge_each<T, K: PartialEq>(mine: &mut [T], theirs: &[T], key: impl Fn(&T) -> K, merge_one: impl Fn(&mut T, &T)) {
    for other in theirs {
        if let Some(own) = mine.iter_mut().find(|own| key(own) == key(other)) {
            merge_one(own, other);
        }
    }
}

fn take_if_missing<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}

fn merge_consent(mine: &mut Consent, theirs: &Consent) {
    let Consent {
        id: _,
        giver: _,
        giver_name: _,
        scopes: _,
        services: _,
        recipients: _,
        given_on: _,
        recorded: _,
        withdrawn,
    } = theirs;
    take_if_missing(&mut mine.withdrawn, withdrawn);
}

/// A step of the guide, and the pause, as the side that acted on it last left it; when both
/// acted at the same moment, ticked and paused win (the safer reading).
fn merge_session(mine: &mut Session, theirs: &Session, [my_history, their_history]: &[Vec<HistoryEntry>; 2]) {
    let Session {
        id,
        kind: _,
        mode: _,
        place: _,
        date: _,
        interpreter: _,
        interpreter_briefed: _,
        notes: _,
        next_session: _,
        group: _,
        started: _,
        guide,
    } = theirs;
    let (Some(own), Some(Guide { steps, paused })) = (&mut mine.guide, guide) else { return };
    let last = |history: &[HistoryEntry], acted: &dyn Fn(&Event) -> bool| {
        history.iter().filter(|h| acted(&h.event)).map(|h| h.stamp.at).max()
    };
    let theirs_stands = |acted: &dyn Fn(&Event) -> bool, theirs_set: bool| {
        let (own_at, their_at) = (last(my_history, acted), last(their_history, acted));
        their_at > own_at || (their_at == own_at && theirs_set)
    };
    for (index, (own_step, other_step)) in own.steps.iter_mut().zip(steps).enumerate() {
        let step = index as u8 + 1;
        let ticked = |e: &Event| *e == Event::SessionStep { session: *id, step };
        if own_step != other_step && theirs_stands(&ticked, other_step.is_some()) {
            *own_step = *other_step;
        }
    }
    let paused_or_resumed =
        |e: &Event| matches!(e, Event::SessionPaused { session } | Event::SessionResumed { session } if session == id);
    if own.paused != *paused && theirs_stands(&paused_or_resumed, paused.is_some()) {
        own.paused = *paused;
    }
}

fn merge_plan(mine: &mut Plan, theirs: &Plan) {
    if theirs.is_agreed() && !mine.is_agreed() {
        // The agreement is what the person signed: their version of the plan, whole.
        *mine = theirs.clone();
    }
}

fn merge_referral(mine: &mut Referral, theirs: &Referral) {
    let Referral {
        id: _,
        service: _,
        service_other: _,
        provider: _,
        reason: _,
        urgent: _,
        urgent_reason: _,
        consent,
        history,
    } = theirs;
    for change in history {
        if !mine.history.contains(change) {
            mine.history.push(change.clone());
        }
    }
    mine.history.sort_by_key(|s| s.stamp.at);
    if mine.consent.is_none() {
        mine.consent = *consent;
    }
}

fn merge_follow_up(mine: &mut FollowUp, theirs: &FollowUp) {
    let FollowUp { id: _, kind: _, due_on: _, contact } = theirs;
    take_if_missing(&mut mine.contact, contact);
}

fn merge_handover(mine: &mut handover::Handover, theirs: &handover::Handover) {
    let handover::Handover { destination: _, office: _, observations: _, talking_points: _, sent, accepted } = theirs;
    take_if_missing(&mut mine.sent, sent);
    take_if_missing(&mut mine.accepted, accepted);
}

fn merge_child(mine: &mut child::ChildProtection, theirs: &child::ChildProtection) {
    let child::ChildProtection {
        unaccompanied: _,
        separated: _,
        guardian_name: _,
        guardian_appointed_by: _,
        childs_views: _,
        tracing_started_on: _,
        tracing_notes: _,
        bia_on: _,
        bia_report: _,
        bid_on: _,
        bid_decision: _,
        bid_appeal: _,
        accommodation: _,
        accommodation_separate_from_adults: _,
        family_plan: _,
        transition,
    } = theirs;
    take_if_missing(&mut mine.transition, transition);
}

/// A refusal of assistance stands unless the side without it had seen it (and so revoked
/// it); of two refusals, the one made after seeing the other stands.
fn merge_refusal(mine: &mut Option<Refusal>, theirs: &Option<Refusal>, histories: &[Vec<HistoryEntry>; 2]) {
    let [my_history, their_history] = histories;
    let saw = |history: &[HistoryEntry], refusal: &Refusal| {
        history.iter().any(|h| h.event == Event::AssistanceRefused && h.stamp == refusal.recorded)
    };
    let standing = match (mine.as_ref(), theirs.as_ref()) {
        (None, None) => None,
        (Some(own), None) => (!saw(their_history, own)).then(|| own.clone()),
        (None, Some(other)) => (!saw(my_history, other)).then(|| other.clone()),
        (Some(own), Some(other)) if own == other || saw(my_history, other) => Some(own.clone()),
        (Some(own), Some(other)) if saw(their_history, own) => Some(other.clone()),
        // Made apart, each without knowing of the other: the later one.
        (Some(own), Some(other)) => {
            Some(std::cmp::max_by_key(own.clone(), other.clone(), |r| (r.recorded.at, r.recorded.by, r.notes.clone())))
        }
    };
    *mine = standing;
}

/// A reopening made on either side reopens the case (the reopenings are merged first); a
/// closure made on the other side comes across unless it was reopened since.
fn merge_closure(mine: &mut CaseFile, theirs: &Option<Closure>) {
    let reopenings = &mine.reopened;
    let was_reopened = |closure: &Closure| reopenings.iter().any(|r| r.closure.authorised == closure.authorised);
    if mine.closure.as_ref().is_some_and(was_reopened) {
        mine.closure = None;
    }
    if mine.closure.is_none() {
        mine.closure = theirs.as_ref().filter(|c| !was_reopened(c)).cloned();
    }
}

/// The visits scheduled by closing the case (with the closure's own stamp) for closures
/// that were reopened since.
fn visits_of_reopened_closures(reopened: &[Reopening], histories: &[Vec<HistoryEntry>; 2]) -> Vec<EntryId> {
    let closures: Vec<_> = reopened.iter().map(|r| r.closure.authorised).collect();
    histories
        .iter()
        .flatten()
        .filter_map(|h| match h.event {
            Event::FollowUpScheduled { follow_up } if closures.contains(&h.stamp) => Some(follow_up),
            _ => None,
        })
        .collect()
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
    use super::super::{child, closure, followup, handover, plan, session, Actor, Event, Stage};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn later(seconds: i64) -> Actor {
        Actor { now_ms: actor().now_ms + seconds * 1000, ..actor() }
    }

    #[test]
    fn merging_a_version_with_itself_changes_nothing() {
        let mut file = open_file();
        referral_consent(&mut file, Giver::Person, &[Service::Health]);
        sent_referral(&mut file, Service::Health);
        let copy = file.clone();
        merge(&mut file, &copy);
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
        merge(&mut mine, &theirs);
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
        merge(&mut mine, &theirs);
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
            merge(&mut mine, &theirs);
            prop_assert_eq!(mine, again);
        }
    }

    #[test]
    fn a_refusal_of_assistance_survives_a_conflict_whichever_version_is_kept() {
        let base = open_file();
        let (mut refused_here, mut typed_there) = (base.clone(), base);
        consent::refuse_assistance(&mut refused_here, "wants no contact", &later(5)).unwrap();
        typed_there.profile.other = "typed there".into();
        for (mut kept, other) in [(refused_here.clone(), typed_there.clone()), (typed_there, refused_here)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal.as_ref().map(|r| r.notes.as_str()), Some("wants no contact"));
            assert!(kept.history.iter().any(|h| h.event == Event::AssistanceRefused));
        }
    }

    #[test]
    fn a_revocation_made_after_the_refusal_wins_on_either_side() {
        let mut base = open_file();
        consent::refuse_assistance(&mut base, "", &actor()).unwrap();
        let (mut revoked, still_refused) = (base.clone(), base);
        consent::revoke_refusal(&mut revoked, &later(10)).unwrap();
        for (mut kept, other) in [(revoked.clone(), still_refused.clone()), (still_refused, revoked)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal, None, "the person accepted assistance after refusing");
        }
    }

    #[test]
    fn a_refusal_made_after_a_revocation_on_the_other_side_stands() {
        let mut base = open_file();
        consent::refuse_assistance(&mut base, "first", &actor()).unwrap();
        let (mut revoked, mut refused_again) = (base.clone(), base);
        consent::revoke_refusal(&mut revoked, &later(10)).unwrap();
        consent::revoke_refusal(&mut refused_again, &later(11)).unwrap();
        consent::refuse_assistance(&mut refused_again, "second", &later(20)).unwrap();
        for (mut kept, other) in [(revoked.clone(), refused_again.clone()), (refused_again, revoked)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal.as_ref().map(|r| r.notes.as_str()), Some("second"));
        }
    }

    #[test]
    fn a_reopening_on_the_other_device_reopens_the_case_here() {
        let mut base = open_file();
        base.closure_draft = closure::ClosureDraft { reason: "left_area".into(), ..Default::default() };
        closure::close(&mut base, true, &actor()).unwrap();
        assert!(base.visits_after_closure().count() > 0, "a child's case has visits after closure");
        let (mut still_closed, mut reopened) = (base.clone(), base);
        closure::reopen(&mut reopened, "came back", &later(10)).unwrap();
        still_closed.profile.other = "typed while closed".into();
        for (mut kept, other) in [(still_closed.clone(), reopened.clone()), (reopened.clone(), still_closed.clone())] {
            merge(&mut kept, &other);
            assert!(!kept.is_closed(), "a reopening is an act: it is not undone by the other version");
            assert_eq!(kept.reopened.len(), 1);
            assert_eq!(kept.visits_after_closure().count(), 0, "the visits after closure went with it");
        }
        // Reopened and closed again there: the new closure comes across, the old one stays reopened.
        let mut closed_again = reopened;
        closed_again.closure_draft = closure::ClosureDraft { reason: "remigrated".into(), ..Default::default() };
        closure::close(&mut closed_again, false, &later(20)).unwrap();
        let mut kept = still_closed;
        merge(&mut kept, &closed_again);
        assert_eq!(kept.closure, closed_again.closure);
        assert_eq!(kept.reopened.len(), 1);
    }

    #[test]
    fn a_step_of_the_guide_ticked_on_the_other_device_comes_across() {
        let mut base = open_file();
        let id = session::start(&mut base, session::Kind::FirstAfterArrival, &actor()).unwrap();
        let (mut mine, mut theirs) = (base.clone(), base);
        session::tick(&mut mine, id, 1, true, &later(1)).unwrap();
        session::tick(&mut theirs, id, 2, true, &later(2)).unwrap();
        merge(&mut mine, &theirs);
        let guide = mine.session(id).unwrap().guide.clone().unwrap();
        assert!(guide.steps[0].is_some() && guide.steps[1].is_some());
        assert_eq!(guide.current_step(), Some(3));
    }

    #[test]
    fn an_answered_follow_up_an_agreed_plan_a_sent_handover_and_a_transition_come_across() {
        let mut base = open_file();
        base.consent_draft = consent::ConsentDraft {
            giver: "person".into(),
            giver_name: "Amina".into(),
            scopes: [consent::Scope::Handover].into(),
            given_on: actor().today.to_string(),
            informed_of_processing: true,
            ..Default::default()
        };
        consent::give(&mut base, &actor()).unwrap();
        let due = followup::schedule(&mut base, followup::Kind::Regular, actor().today, &actor());
        let plan_id = plan::tests::complete_plan(&mut base, Stage::PreDeparture);
        let (mut mine, mut theirs) = (base.clone(), base);
        theirs.follow_up_draft =
            followup::FollowUpDraft { on: actor().today.to_string(), method: "call".into(), ..Default::default() };
        followup::record_contact(&mut theirs, &followup::Policy::default(), &later(1)).unwrap();
        plan::agree(&mut theirs, plan_id, false, &later(2)).unwrap();
        theirs.handover.destination = "Dakar office".into();
        theirs.handover.talking_points = "Work first".into();
        handover::mark_sent(&mut theirs, false, &later(3)).unwrap();
        child::record_transition(&mut theirs, "to adult services", &later(4)).unwrap();
        mine.plans[0].strengths = "typed here".into();
        merge(&mut mine, &theirs);
        assert!(mine.follow_ups.iter().find(|f| f.id == due).unwrap().contact.is_some());
        assert!(mine.plans[0].is_agreed(), "the agreed plan is what was signed");
        assert_eq!(mine.plans[0], theirs.plans[0]);
        assert!(mine.handover.sent.is_some());
        assert!(mine.child.transition.is_some());
        let again = mine.clone();
        merge(&mut mine, &theirs);
        assert_eq!(mine, again);
    }

    #[test]
    fn a_step_unticked_or_a_pause_on_the_other_device_after_my_last_act_on_it_stands() {
        let mut base = open_file();
        let id = session::start(&mut base, session::Kind::FirstAfterArrival, &actor()).unwrap();
        session::tick(&mut base, id, 1, true, &later(1)).unwrap();
        let (mine, mut theirs) = (base.clone(), base);
        session::tick(&mut theirs, id, 1, false, &later(5)).unwrap();
        session::pause(&mut theirs, id, &later(6)).unwrap();
        for (mut kept, other) in [(mine.clone(), theirs.clone()), (theirs, mine)] {
            merge(&mut kept, &other);
            let guide = kept.session(id).unwrap().guide.clone().unwrap();
            assert_eq!(guide.steps[0], None, "unticked after the tick both saw");
            assert!(guide.paused.is_some(), "the returnee asked for a pause");
        }
    }

    #[test]
    fn acts_on_one_step_at_the_same_moment_on_both_devices_leave_it_ticked_and_paused() {
        let mut base = open_file();
        let id = session::start(&mut base, session::Kind::FirstAfterArrival, &actor()).unwrap();
        session::tick(&mut base, id, 2, true, &later(1)).unwrap();
        let (mut ticked, mut unticked) = (base.clone(), base);
        session::tick(&mut ticked, id, 1, true, &later(5)).unwrap();
        session::pause(&mut ticked, id, &later(6)).unwrap();
        session::tick(&mut unticked, id, 1, false, &later(5)).unwrap();
        session::tick(&mut unticked, id, 2, false, &later(5)).unwrap();
        for (mut kept, other) in [(ticked.clone(), unticked.clone()), (unticked, ticked)] {
            merge(&mut kept, &other);
            let guide = kept.session(id).unwrap().guide.clone().unwrap();
            assert!(guide.steps[0].is_some(), "ticked and unticked at the same moment: ticked");
            assert!(guide.steps[1].is_none(), "unticked after the tick both saw");
            assert!(guide.paused.is_some());
        }
    }

    #[test]
    fn a_plan_typed_on_both_devices_keeps_my_text_until_one_side_agrees_it() {
        let mut base = open_file();
        let id = plan::tests::complete_plan(&mut base, Stage::PreDeparture);
        let (mut mine, mut theirs) = (base.clone(), base);
        mine.plans[0].strengths = "mine".into();
        theirs.plans[0].strengths = "theirs".into();
        let mut kept = mine.clone();
        merge(&mut kept, &theirs);
        assert_eq!(kept.plans[0].strengths, "mine", "text is the kept version's");
        plan::agree(&mut mine, id, false, &later(1)).unwrap();
        plan::agree(&mut theirs, id, false, &later(2)).unwrap();
        let mut both = mine.clone();
        merge(&mut both, &theirs);
        assert_eq!(both.plans[0], mine.plans[0], "agreed on both sides: the kept version's agreement");
    }

    #[test]
    fn a_refusal_revoked_on_a_device_with_a_slow_clock_stays_revoked() {
        let mut base = open_file();
        consent::refuse_assistance(&mut base, "", &later(100)).unwrap();
        let (mut revoked, refused) = (base.clone(), base);
        consent::revoke_refusal(&mut revoked, &later(50)).unwrap();
        for (mut kept, other) in [(revoked.clone(), refused.clone()), (refused, revoked)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal, None, "the revoking device had seen the refusal");
        }
    }

    #[test]
    fn a_refusal_made_after_seeing_another_stands_even_with_a_slow_clock() {
        let mut base = open_file();
        consent::refuse_assistance(&mut base, "first", &later(100)).unwrap();
        let (mut again, first) = (base.clone(), base);
        consent::revoke_refusal(&mut again, &later(50)).unwrap();
        consent::refuse_assistance(&mut again, "again", &later(60)).unwrap();
        for (mut kept, other) in [(again.clone(), first.clone()), (first, again)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal.as_ref().map(|r| r.notes.as_str()), Some("again"));
        }
    }

    #[test]
    fn two_refusals_made_apart_leave_the_later_one_whichever_is_kept() {
        let base = open_file();
        let (mut early, mut late) = (base.clone(), base);
        consent::refuse_assistance(&mut early, "early", &later(1)).unwrap();
        consent::refuse_assistance(&mut late, "late", &later(2)).unwrap();
        for (mut kept, other) in [(early.clone(), late.clone()), (late, early)] {
            merge(&mut kept, &other);
            assert_eq!(kept.refusal.as_ref().map(|r| r.notes.as_str()), Some("late"));
        }
    }

    #[test]
    fn visits_after_a_closure_that_was_reopened_do_not_come_back() {
        let mut base = open_file();
        base.closure_draft = closure::ClosureDraft { reason: "left_area".into(), ..Default::default() };
        closure::close(&mut base, true, &actor()).unwrap();
        let (mut closed_again, still_closed) = (base.clone(), base);
        closure::reopen(&mut closed_again, "came back", &later(10)).unwrap();
        closed_again.closure_draft = closure::ClosureDraft { reason: "remigrated".into(), ..Default::default() };
        closure::close(&mut closed_again, true, &later(20)).unwrap();
        let expected: Vec<_> = closed_again.visits_after_closure().collect();
        assert_eq!(expected.len(), 3);
        for (mut kept, other) in [(closed_again.clone(), still_closed.clone()), (still_closed, closed_again.clone())] {
            merge(&mut kept, &other);
            assert_eq!(kept.closure, closed_again.closure);
            assert_eq!(kept.visits_after_closure().collect::<Vec<_>>(), expected, "only the new closure's visits");
        }
    }

    #[test]
    fn an_answer_recorded_after_a_withdrawal_elsewhere_leaves_the_referral_stopped_once() {
        let mut base = open_file();
        let consent_id = referral_consent(&mut base, Giver::Person, &[Service::Health]);
        let id = sent_referral(&mut base, Service::Health);
        let (mut answered, mut withdrawn) = (base.clone(), base);
        consent::withdraw(&mut withdrawn, consent_id, "", &later(10)).unwrap();
        referral::set_status(&mut answered, id, Status::Accepted, "", &later(12)).unwrap();
        for (mut kept, other) in [(answered.clone(), withdrawn.clone()), (withdrawn, answered)] {
            merge(&mut kept, &other);
            let again = kept.clone();
            merge(&mut kept, &other);
            assert_eq!(kept, again, "a second merge changes nothing");
            assert_eq!(kept.referrals[0].status(), Status::Stopped);
            let stops = kept.referrals[0].history.iter().filter(|c| c.status == Status::Stopped).count();
            assert_eq!(stops, 1);
            let stopped_events =
                kept.history.iter().filter(|h| matches!(h.event, Event::ReferralStopped { .. })).count();
            assert_eq!(stopped_events, 1);
        }
    }

    /// An act done on one of two devices that diverged from one version.
    #[derive(Clone, Debug)]
    enum Act {
        Refuse,
        Revoke,
        Tick(u8),
        Untick(u8),
        Pause,
        Resume,
        StartSession,
        Withdraw,
        GiveConsent,
        Answer(Status),
        Close { child: bool },
        Reopen,
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            Just(Act::Refuse),
            Just(Act::Revoke),
            (1u8..=6).prop_map(Act::Tick),
            (1u8..=6).prop_map(Act::Untick),
            Just(Act::Pause),
            Just(Act::Resume),
            Just(Act::StartSession),
            Just(Act::Withdraw),
            Just(Act::GiveConsent),
            prop_oneof![Just(Status::Accepted), Just(Status::Declined), Just(Status::Completed)].prop_map(Act::Answer),
            any::<bool>().prop_map(|child| Act::Close { child }),
            Just(Act::Reopen),
        ]
    }

    fn perform(file: &mut CaseFile, act: &Act, at: &Actor) {
        let guided = file.sessions[0].id;
        let first_consent = file.consents[0].id;
        let referral = file.referrals[0].id;
        // A refused act changes nothing; the sequence goes on.
        let _ = match act {
            Act::Refuse => consent::refuse_assistance(file, "no", at),
            Act::Revoke => consent::revoke_refusal(file, at),
            Act::Tick(step) => session::tick(file, guided, *step, true, at),
            Act::Untick(step) => session::tick(file, guided, *step, false, at),
            Act::Pause => session::pause(file, guided, at),
            Act::Resume => session::resume(file, guided, at),
            Act::Answer(status) => referral::set_status(file, referral, *status, "", at),
            Act::StartSession => session::start(file, session::Kind::FollowUp, at).map(drop),
            Act::Withdraw => consent::withdraw(file, first_consent, "", at),
            Act::GiveConsent if file.is_closed() => Ok(()),
            Act::GiveConsent => {
                referral_consent(file, Giver::Person, &[Service::Housing]);
                Ok(())
            }
            Act::Close { child } => {
                file.closure_draft = closure::ClosureDraft { reason: "left_area".into(), ..Default::default() };
                closure::close(file, *child, at)
            }
            Act::Reopen => closure::reopen(file, "back", at),
        };
    }

    /// What the acts of a file amount to, whatever text either side kept.
    fn acts_of(file: &CaseFile) -> impl PartialEq + std::fmt::Debug {
        let consents: BTreeSet<_> = file.consents.iter().map(|c| (c.id, c.in_force())).collect();
        let sessions: BTreeSet<_> = file.sessions.iter().map(|s| s.id).collect();
        let guides: BTreeSet<_> = file
            .sessions
            .iter()
            .filter_map(|s| s.guide.as_ref().map(|g| (s.id, g.steps.map(|step| step.is_some()), g.paused.is_some())))
            .collect();
        let referrals: BTreeSet<_> = file.referrals.iter().map(|r| (r.id, r.status())).collect();
        let visits: BTreeSet<_> = file.visits_after_closure().collect();
        let reopened: BTreeSet<_> = file.reopened.iter().map(|r| r.reopened.at).collect();
        let refusal = file.refusal.as_ref().map(|r| r.recorded.at);
        let mut history: Vec<_> = file.history.iter().map(|h| (h.stamp.at, format!("{:?}", h.event))).collect();
        history.sort();
        (consents, sessions, guides, referrals, visits, (reopened, refusal, file.is_closed()), history)
    }

    proptest! {
        #[test]
        fn whichever_version_is_kept_the_acts_of_both_are_the_same(
            acts in proptest::collection::vec((any::<bool>(), act()), 0..16)
        ) {
            let mut base = open_file();
            referral_consent(&mut base, Giver::Person, &[Service::Health]);
            sent_referral(&mut base, Service::Health);
            session::start(&mut base, session::Kind::FirstAfterArrival, &actor()).unwrap();
            let (mut left, mut right) = (base.clone(), base);
            for (i, (on_left, act)) in acts.iter().enumerate() {
                perform(if *on_left { &mut left } else { &mut right }, act, &later(10 + i as i64));
            }
            let (mut keep_left, mut keep_right) = (left.clone(), right.clone());
            merge(&mut keep_left, &right);
            merge(&mut keep_right, &left);
            prop_assert_eq!(acts_of(&keep_left), acts_of(&keep_right));
            for entry in left.history.iter().chain(&right.history) {
                prop_assert!(keep_left.history.contains(entry), "{:?} lost", entry);
            }
            for consent in left.consents.iter().chain(&right.consents).filter(|c| !c.in_force()) {
                let kept = keep_left.consents.iter().find(|c| c.id == consent.id).unwrap();
                prop_assert!(!kept.in_force(), "a withdrawal is never undone by a merge");
            }
            let ended = |file: &CaseFile| !file.referrals[0].status().is_under_way();
            if ended(&left) || ended(&right) {
                prop_assert!(ended(&keep_left), "a referral ended on either side stays ended");
            }
            if left.is_closed() == right.is_closed() && left.closure == right.closure {
                prop_assert_eq!(keep_left.is_closed(), left.is_closed());
            }
            let again = keep_left.clone();
            merge(&mut keep_left, &right);
            prop_assert_eq!(keep_left, again);
        }
    }
}
