//! Follow-up (D-MONITOR): when the next contact is due (the risk level's interval, as the
//! organisation set it), contacts made, and visits after a child's case was closed.

use super::{stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::clock::today;
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::followup::{self, Kind, Method};
use puente_shared::casefile::{RuleError, Section};

#[component]
pub fn FollowUps(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let cases = case.ws.cases;
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(followup::validate_draft(&d.file.follow_up_draft, today())));
    let bind = Bind::new(case.ws, case.id, Section::FollowUp, with_refused(live, outcome));
    let next = move || case.doc.with(|d| d.file.next_follow_up(&cases.policy()));
    let risk = move || case.doc.with(|d| d.file.risk_level());
    let can_record = move || case.doc.with(|d| !d.file.is_closed() || d.file.visits_after_closure().next().is_some());
    let record = move |_| {
        let policy = cases.settings_untracked().follow_up;
        case.act(outcome, |doc, actor| followup::record_contact(&mut doc.file, &policy, actor));
    };
    view! {
        <h2>{move || tr.s("follow_up_title")}</h2>
        <p id="next-follow-up" class="notice">{move || match (next(), risk()) {
            (Some(on), Some(risk)) => tr.with("follow_up_next", &[
                ("date", &on.to_string()),
                ("level", &tr.code("risk", risk.code())),
                ("days", &cases.policy().interval(risk).whole_days().to_string()),
            ]),
            (Some(on), None) => tr.with("follow_up_next_scheduled", &[("date", &on.to_string())]),
            _ if case.closed.get() => tr.s("follow_up_closed"),
            _ => tr.s("follow_up_no_risk"),
        }}</p>
        <ul class="entries" id="visits-after-closure">
            {move || case.doc.with(|d| d.file.visits_after_closure().map(|(_, on)| on).collect::<Vec<_>>()).into_iter().map(|on| view! {
                <li class="entry">{move || tr.with("follow_up_visit_after_closure", &[("date", &on.to_string())])}</li>
            }).collect_view()}
        </ul>
        <Show when=can_record>
            <div class="subform" id="follow-up-form">
                <h3>{move || tr.s("follow_up_record_title")}</h3>
                <div class="grid">
                    {bind.date("follow_up_on", "follow_up_on", |d| d.file.follow_up_draft.on.clone(), |d, v| d.file.follow_up_draft.on = v)}
                    {bind.select("follow_up_method", "follow_up_method", "method", Method::ALL.iter().map(|m| m.code()).collect(),
                        |d| d.file.follow_up_draft.method.clone(), |d, v| d.file.follow_up_draft.method = v)}
                    <Show when=move || !case.closed.get()>
                        {bind.date("follow_up_next_due", "follow_up_next_due", |d| d.file.follow_up_draft.next_due.clone(), |d, v| d.file.follow_up_draft.next_due = v)}
                    </Show>
                </div>
                {bind.area("follow_up_notes", "follow_up_notes", |d| d.file.follow_up_draft.notes.clone(), |d, v| d.file.follow_up_draft.notes = v)}
                <button type="button" id="record-follow-up" on:click=record>{move || tr.s("follow_up_record")}</button>
                <RefusedAct outcome=outcome id="follow-up-refused" />
            </div>
        </Show>
        <h3>{move || tr.s("follow_up_done_title")}</h3>
        <ul class="entries" id="follow-up-list">
            {move || case.doc.with(|d| d.file.follow_ups.iter().filter_map(|f| f.contact.clone().map(|c| (f.kind, c))).collect::<Vec<_>>())
                .into_iter().rev().map(|(kind, c)| view! {
                    <li class="entry">
                        <strong>{c.on.to_string()}" · "{move || tr.code("method", c.method.code())}</strong>
                        {(kind == Kind::AfterClosure).then(|| view! { " " <span class="badge">{move || tr.s("follow_up_after_closure_badge")}</span> })}
                        <span class="hint">" "{stamp_text(case.ws, &c.recorded)}</span>
                        {(!c.notes.is_empty()).then(|| view! { <p class="pre">{c.notes.clone()}</p> })}
                    </li>
                }).collect_view()}
        </ul>
    }
}
