//! Handover to the country of origin (D-HANDOVER): what the origin office needs before the
//! first session, sent ahead only with the person's consent to it.

use super::{stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::handover;
use puente_shared::casefile::{RuleError, Section, Stage};
use puente_shared::ids::TeamId;

#[component]
pub fn Handover(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(handover::validate(&d.file.handover)));
    let bind = Bind::new(case.ws, case.id, Section::Handover, with_refused(live, outcome));
    let editable = move || case.doc.with(|d| handover::ensure_editable(&d.file).is_ok());
    let org = case.ws.org;
    // The organisation's offices, as a trusted log names them: one of them receives the case.
    let offices = move || {
        org.with_trusted(|o| {
            o.teams().map(|t| (t.id.to_string(), format!("{} ({})", t.name, t.country.as_str()))).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let choose_office = move |d: &mut puente_shared::CaseDocument, value: String| {
        let office = value.parse::<TeamId>().ok();
        d.file.handover.office = office;
        if let Some(name) = office.and_then(|id| org.with_trusted(|o| o.team(id).map(|t| t.name.clone())).flatten()) {
            d.file.handover.destination = name;
        }
    };
    let send = move |_| {
        let child = case.child.get_untracked();
        case.act(outcome, |doc, actor| handover::mark_sent(&mut doc.file, child, actor));
    };
    // What travels with it, already in the file.
    let contents = move || {
        case.doc.with(|d| {
            let mut parts = vec![tr.s("handover_includes_registration")];
            if let Some(a) = d.file.assessments.last() {
                parts.push(tr.with("handover_includes_assessment", &[("level", &tr.code("risk", a.risk.code()))]));
            }
            if d.file.plans.iter().any(|p| p.stage == Stage::PreDeparture && p.is_agreed()) {
                parts.push(tr.s("handover_includes_plan"));
            }
            parts
        })
    };
    view! {
        <h2>{move || tr.s("handover_title")}</h2>
        <p class="hint">{move || tr.s("handover_intro")}</p>
        {move || case.doc.with(|d| d.file.handover.sent.clone()).map(|sent| view! {
            <p class=if sent.stopped.is_some() { "notice" } else { "ok-note" } id="handover-sent">
                {move || tr.with("handover_sent_on", &[("date", &sent.on.to_string())])}" · "{stamp_text(case.ws, &sent.recorded)}
                {sent.stopped.map(|_| view! { " " <strong>{move || tr.s("handover_stopped")}</strong> })}
            </p>
        })}
        {move || case.doc.with(|d| d.file.handover.accepted.clone()).map(|accepted| view! {
            <p class="ok-note" id="handover-accepted">
                {move || tr.s("handover_accepted")}" · "{stamp_text(case.ws, &accepted.recorded)}
            </p>
        })}
        <fieldset class="plain" disabled=move || !editable()>
            {bind.options_select("handover_office", "handover_office", "handover_outside", offices,
                |d| d.file.handover.office.map(|t| t.to_string()).unwrap_or_default(), choose_office)}
            <p class="hint">{move || tr.s("handover_office_hint")}</p>
            {bind.text("handover_destination", "handover_destination", |d| d.file.handover.destination.clone(), |d, v| d.file.handover.destination = v)}
            {bind.area("handover_observations", "handover_observations", |d| d.file.handover.observations.clone(), |d, v| d.file.handover.observations = v)}
            {bind.area("handover_talking_points", "handover_talking_points", |d| d.file.handover.talking_points.clone(), |d, v| d.file.handover.talking_points = v)}
            <h3>{move || tr.s("handover_includes")}</h3>
            <ul>{move || contents().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            <button type="button" id="send-handover" on:click=send>{move || tr.s("handover_send")}</button>
        </fieldset>
        <RefusedAct outcome=outcome id="handover-refused" />
    }
}

/// What the host country sent, for step 1 of the first session after arrival.
#[component]
pub fn HandoverSummary(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    move || {
        case.doc.with(|d| {
            let h = &d.file.handover;
            h.sent.as_ref().filter(|s| s.stopped.is_none()).map(|_| {
                let (observations, talking) = (h.observations.clone(), h.talking_points.clone());
                view! {
                    <div class="handover-summary" id="handover-summary">
                        {(!observations.is_empty()).then(|| view! { <p><strong>{move || tr.s("handover_observations")}": "</strong><span class="pre">{observations.clone()}</span></p> })}
                        <p><strong>{move || tr.s("handover_talking_points")}": "</strong><span class="pre">{talking}</span></p>
                    </div>
                }
            })
        })
    }
}
