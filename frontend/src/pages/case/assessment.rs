//! Vulnerability assessment and reassessment (D-VULN): findings, a life-threatening
//! disclosure (flagged, with an urgent referral offered on the spot), and the risk level.

use super::{stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::vulnerability::{self, suggested_risk, RiskLevel, Vulnerability};
use puente_shared::casefile::{RuleError, Section, Stage};

#[component]
pub fn Assessments(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <h2>{move || tr.s("assessment_title")}</h2>
        <p class="hint">{move || tr.s("assessment_intro")}</p>
        <ul class="entries" id="assessment-list">
            <For each=move || case.doc.with(|d| d.file.assessments.clone()) key=|a| a.id let:a>
                <li class="entry" class:alert=a.life_threatening data-entry=a.id.to_string()>
                    <strong>{move || tr.code("stage", a.stage.code())}" · "{move || tr.code("risk", a.risk.code())}</strong>
                    <span class="hint">" "{stamp_text(case.ws, &a.recorded)}</span>
                    <div class="tags">
                        {a.found.iter().map(|v| { let code = v.code(); view! { <span class="badge">{move || tr.code("vulnerability", code)}</span> } }).collect_view()}
                    </div>
                    {(!a.disclosure.is_empty()).then(|| view! { <p class="pre">{a.disclosure.clone()}</p> })}
                    {(!a.notes.is_empty()).then(|| view! { <p class="pre">{a.notes.clone()}</p> })}
                </li>
            </For>
        </ul>
        <AssessmentForm case=case />
    }
}

/// The assessment form; also used inside step 4 of the first session after arrival.
#[component]
pub fn AssessmentForm(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(vulnerability::validate_draft(&d.file.assessment_draft)));
    let bind = Bind::new(case.ws, case.id, Section::Assessment, with_refused(live, outcome));
    let suggested = move || {
        case.doc.with(|d| suggested_risk(&d.file.assessment_draft.found, d.file.assessment_draft.life_threatening))
    };
    let recorded = RwSignal::new(false);
    let record = move |_| {
        recorded.set(case.act(outcome, |doc, actor| vulnerability::record(&mut doc.file, actor)).is_some());
    };
    view! {
        <div class="subform" id="assessment-form">
            <h3>{move || tr.s("assessment_new")}</h3>
            {bind.select("assessment_stage", "assessment_stage", "stage", Stage::ALL.iter().map(|s| s.code()).collect(),
                |d| d.file.assessment_draft.stage.clone(), |d, v| d.file.assessment_draft.stage = v)}
            {bind.checks("assessment_found", "assessment_found", "vulnerability", Vulnerability::ALL.iter().map(|v| v.code()).collect(),
                |d, code| Vulnerability::from_code(code).is_some_and(|v| d.file.assessment_draft.found.contains(&v)),
                |d, code, on| if let Some(v) = Vulnerability::from_code(code) {
                    if on { d.file.assessment_draft.found.insert(v); } else { d.file.assessment_draft.found.remove(&v); }
                })}
            <Show when=move || case.doc.with(|d| d.file.assessment_draft.found.contains(&Vulnerability::Other))>
                {bind.text("assessment_other", "other_specify", |d| d.file.assessment_draft.other.clone(), |d, v| d.file.assessment_draft.other = v)}
            </Show>
            {bind.check("assessment_life_threatening", "assessment_life_threatening",
                |d| d.file.assessment_draft.life_threatening, |d, v| d.file.assessment_draft.life_threatening = v)}
            <Show when=move || case.doc.with(|d| d.file.assessment_draft.life_threatening)>
                {bind.area("assessment_disclosure", "assessment_disclosure", |d| d.file.assessment_draft.disclosure.clone(), |d, v| d.file.assessment_draft.disclosure = v)}
                <UrgentReferralOffer case=case />
            </Show>
            <p class="hint" id="suggested-risk">{move || tr.with("assessment_suggested", &[("level", &tr.code("risk", suggested().code()))])}</p>
            {bind.select("assessment_risk", "assessment_risk", "risk", RiskLevel::ALL.iter().map(|r| r.code()).collect(),
                |d| d.file.assessment_draft.risk.clone(), |d, v| d.file.assessment_draft.risk = v)}
            <Show when=move || case.doc.with(|d| RiskLevel::from_code(&d.file.assessment_draft.risk).is_some_and(|r| r < suggested()))>
                {bind.area("assessment_lower_risk_reason", "assessment_lower_risk_reason", |d| d.file.assessment_draft.lower_risk_reason.clone(), |d, v| d.file.assessment_draft.lower_risk_reason = v)}
            </Show>
            {bind.area("assessment_notes", "notes", |d| d.file.assessment_draft.notes.clone(), |d, v| d.file.assessment_draft.notes = v)}
            <button type="button" id="record-assessment" on:click=record>{move || tr.s("assessment_record")}</button>
            <Show when=move || recorded.get()><p class="ok-note" role="status">{move || tr.s("assessment_recorded")}</p></Show>
            <RefusedAct outcome=outcome id="assessment-refused" />
        </div>
    }
}

/// A life-threatening disclosure: refer urgently now, without waiting for anything else.
#[component]
fn UrgentReferralOffer(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let navigate = leptos_router::hooks::use_navigate();
    let refer = move |_| {
        let reason = case.doc.with_untracked(|d| d.file.assessment_draft.disclosure.clone());
        let service = puente_shared::casefile::referral::Service::Health;
        if let Some(referral) = case.act(outcome, |doc, actor| {
            puente_shared::casefile::referral::propose_urgent(&mut doc.file, service, &reason, actor)
        }) {
            navigate(&format!("/cases/{}/referrals#r-{referral}", case.id), Default::default());
        }
    };
    view! {
        <div class="urgent-offer" role="alert">
            <p>{move || tr.s("urgent_offer")}</p>
            <button type="button" class="danger" id="refer-urgently" on:click=refer>{move || tr.s("urgent_refer_now")}</button>
            <RefusedAct outcome=outcome id="urgent-refused" />
        </div>
    }
}
