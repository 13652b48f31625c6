//! The case history (rule 7): every act and every stretch of typing, who and when, newest
//! first.

use super::{stamp_text, CaseView};
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::Event;

fn event_key(event: &Event) -> (&'static str, Option<&'static str>) {
    match event {
        Event::Opened => ("event_opened", None),
        Event::Edited { section } => ("event_edited", Some(section.part().code())),
        Event::ConsentGiven { .. } => ("event_consent_given", None),
        Event::ConsentWithdrawn { .. } => ("event_consent_withdrawn", None),
        Event::ReferralStopped { .. } => ("event_referral_stopped", None),
        Event::AssistanceRefused => ("event_assistance_refused", None),
        Event::AssistanceRefusalRevoked => ("event_assistance_refusal_revoked", None),
        Event::Assessed { .. } => ("event_assessed", None),
        Event::SessionStarted { .. } => ("event_session_started", None),
        Event::GroupAttended { .. } => ("event_group_attended", None),
        Event::SessionStep { .. } => ("event_session_step", None),
        Event::SessionPaused { .. } => ("event_session_paused", None),
        Event::SessionResumed { .. } => ("event_session_resumed", None),
        Event::PlanStarted { .. } => ("event_plan_started", None),
        Event::PlanAgreed { .. } => ("event_plan_agreed", None),
        Event::PlanReviewStarted { .. } => ("event_plan_review_started", None),
        Event::ReferralProposed { .. } => ("event_referral_proposed", None),
        Event::ReferralStatus { .. } => ("event_referral_status", None),
        Event::FollowUpRecorded { .. } => ("event_follow_up_recorded", None),
        Event::FollowUpScheduled { .. } => ("event_follow_up_scheduled", None),
        Event::HandoverSent => ("event_handover_sent", None),
        Event::HandoverStopped => ("event_handover_stopped", None),
        Event::HandoverAccepted => ("event_handover_accepted", None),
        Event::Shared { .. } => ("event_shared", None),
        Event::SharingEnded { .. } => ("event_sharing_ended", None),
        Event::Reassigned { .. } => ("event_reassigned", None),
        Event::Closed => ("event_closed", None),
        Event::Reopened => ("event_reopened", None),
    }
}

#[component]
pub fn History(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <h2>{move || tr.s("history_title")}</h2>
        <p class="hint">{move || tr.s("history_intro")}</p>
        <ol class="history" id="history-list" reversed>
            {move || case.doc.with(|d| d.file.history.clone()).into_iter().rev().map(|entry| {
                let (key, section) = event_key(&entry.event);
                let detail = match &entry.event {
                    Event::ReferralStatus { status, .. } => Some(tr.code("referral_status", status.code())),
                    Event::SessionStep { step, .. } => Some(tr.code("step", &step.to_string())),
                    Event::Reassigned { to } => Some(super::sharing::member_label(case.ws.org, tr, *to)),
                    _ => section.map(|s| tr.code("section", s)),
                };
                view! {
                    <li data-event=key>
                        <strong>{move || tr.s(key)}</strong>
                        {detail.map(|d| format!(": {d}"))}
                        <span class="hint">" · "{stamp_text(case.ws, &entry.stamp)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
