//! Children (D-CHILD): guardian, the child's views, family tracing, Best Interests
//! Assessment and Determination, safe accommodation, the family plan, and the transition
//! at 18. What the file still lacks is listed at the top.

use super::note::NoteInput;
use super::{typed_errors, with_refused, CaseView, RefusedAct};
use crate::clock::today;
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::child::{self, adult_on, Appointment};
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{RuleError, Section};

#[component]
pub fn Child(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <h2>{move || tr.s("child_title")}</h2>
        <Show when=move || case.child.get() fallback=move || view! { <p class="notice" id="not-a-child">{move || tr.s("child_not_applicable")}</p> }>
            <ChildForm case=case />
        </Show>
    }
}

#[component]
fn ChildForm(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(child::validate(&d.file.child, today())));
    let bind = Bind::new(case.ws, case.id, Section::Child, with_refused(live, outcome));
    let gaps = move || case.doc.with(|d| d.file.child_gaps());
    let adult = move || case.doc.with(|d| d.date_of_birth().map(adult_on));
    let transition = move |_| {
        case.act_with_note(outcome, NoteFor::Transition, child::record_transition);
    };
    view! {
        <Show when=move || !gaps().is_empty() fallback=move || view! { <p class="ok-note" id="child-complete">{move || tr.s("child_complete")}</p> }>
            <div class="gaps" id="child-gaps" role="status">
                <p>{move || tr.s("child_gaps")}</p>
                <ul>{move || gaps().into_iter().map(|g| view! { <li data-gap=g.code()>{move || tr.code("gap", g.code())}</li> }).collect_view()}</ul>
            </div>
        </Show>
        <div class="grid">
            {bind.check("child_unaccompanied", "child_unaccompanied", |d| d.file.child.unaccompanied, |d, v| d.file.child.unaccompanied = v)}
            {bind.check("child_separated", "child_separated", |d| d.file.child.separated, |d, v| d.file.child.separated = v)}
            {bind.text("guardian_name", "guardian_name", |d| d.file.child.guardian_name.clone(), |d, v| d.file.child.guardian_name = v)}
            {bind.select("guardian_appointed_by", "guardian_appointed_by", "appointment", Appointment::ALL.iter().map(|a| a.code()).collect(),
                |d| d.file.child.guardian_appointed_by.clone(), |d, v| d.file.child.guardian_appointed_by = v)}
        </div>
        {bind.area("childs_views", "childs_views", |d| d.file.child.childs_views.clone(), |d, v| d.file.child.childs_views = v)}
        <h3>{move || tr.s("tracing_title")}</h3>
        <div class="grid">
            {bind.date("tracing_started_on", "tracing_started_on", |d| d.file.child.tracing_started_on.clone(), |d, v| d.file.child.tracing_started_on = v)}
        </div>
        {bind.area("tracing_notes", "tracing_notes", |d| d.file.child.tracing_notes.clone(), |d, v| d.file.child.tracing_notes = v)}
        <h3>{move || tr.s("best_interests_title")}</h3>
        <div class="grid">
            {bind.date("bia_on", "bia_on", |d| d.file.child.bia_on.clone(), |d, v| d.file.child.bia_on = v)}
            {bind.date("bid_on", "bid_on", |d| d.file.child.bid_on.clone(), |d, v| d.file.child.bid_on = v)}
        </div>
        {bind.area("bia_report", "bia_report", |d| d.file.child.bia_report.clone(), |d, v| d.file.child.bia_report = v)}
        {bind.area("bid_decision", "bid_decision", |d| d.file.child.bid_decision.clone(), |d, v| d.file.child.bid_decision = v)}
        {bind.area("bid_appeal", "bid_appeal", |d| d.file.child.bid_appeal.clone(), |d, v| d.file.child.bid_appeal = v)}
        <p class="hint">{move || tr.s("child_protection_referral_hint")}</p>
        <h3>{move || tr.s("accommodation_title")}</h3>
        {bind.area("accommodation", "accommodation", |d| d.file.child.accommodation.clone(), |d, v| d.file.child.accommodation = v)}
        {bind.check("accommodation_separate", "accommodation_separate", |d| d.file.child.accommodation_separate_from_adults, |d, v| d.file.child.accommodation_separate_from_adults = v)}
        {bind.area("family_plan", "family_plan", |d| d.file.child.family_plan.clone(), |d, v| d.file.child.family_plan = v)}
        <h3>{move || tr.s("transition_title")}</h3>
        <p class="hint">{move || adult().map(|on| tr.with("transition_on", &[("date", &on.to_string())])).unwrap_or_default()}</p>
        {move || match case.doc.with(|d| d.file.child.transition.clone()) {
            Some(t) => view! { <p class="pre" id="transition-recorded">{t.notes.clone()}</p> }.into_any(),
            None => view! {
                <NoteInput case=case note=NoteFor::Transition name="transition_notes" hint="transition_notes" multiline=true outcome=outcome />
                <button type="button" class="secondary" id="record-transition" on:click=transition>{move || tr.s("transition_record")}</button>
            }.into_any(),
        }}
        <RefusedAct outcome=outcome id="child-refused" />
    }
}
