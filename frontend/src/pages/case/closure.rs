//! Closure (D-CLOSE): reason, plan review, exit interview, evaluation, who was told of a
//! death, the warm handover; authorised by the case manager. A closed case is reopened
//! with a reason.

use super::note::NoteInput;
use super::{stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::closure::{self, Informed, Reason};
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{RuleError, Section};

#[component]
pub fn Closure(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <h2>{move || tr.s("closure_title")}</h2>
        <Show when=move || case.closed.get() fallback=move || view! { <ClosureForm case=case /> }>
            <ClosedSummary case=case />
        </Show>
        <PastClosures case=case />
    }
}

#[component]
fn ClosureForm(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(closure::validate_draft(&d.file.closure_draft)));
    let bind = Bind::new(case.ws, case.id, Section::Closure, with_refused(live, outcome));
    let reasons = move || {
        let child = case.child.get();
        Reason::ALL.iter().filter(|r| child || !r.only_for_children()).map(|r| r.code()).collect::<Vec<_>>()
    };
    let reason = move || case.doc.with(|d| Reason::from_code(&d.file.closure_draft.reason));
    let missing = move || case.doc.with(|d| closure::missing(&d.file.closure_draft, case.child.get()));
    let close = move |_| {
        let child = case.child.get_untracked();
        case.act(outcome, |doc, actor| closure::close(&mut doc.file, child, actor));
    };
    view! {
        <p class="hint">{move || tr.s("closure_intro")}</p>
        {move || bind.select("closure_reason", "closure_reason", "closure_reason", reasons(),
            |d| d.file.closure_draft.reason.clone(), |d, v| d.file.closure_draft.reason = v)}
        <Show when=move || reason() == Some(Reason::Other)>
            {bind.text("closure_reason_other", "other_specify", |d| d.file.closure_draft.reason_other.clone(), |d, v| d.file.closure_draft.reason_other = v)}
        </Show>
        <Show when=move || reason().is_some_and(Reason::exempts_exit_steps)>
            <p class="notice" id="closure-exempt">{move || tr.s("closure_exempt")}</p>
        </Show>
        {bind.area("closure_plan_review", "closure_plan_review", |d| d.file.closure_draft.plan_review.clone(), |d, v| d.file.closure_draft.plan_review = v)}
        {bind.area("closure_exit_interview", "closure_exit_interview", |d| d.file.closure_draft.exit_interview.clone(), |d, v| d.file.closure_draft.exit_interview = v)}
        {bind.area("closure_evaluation", "closure_evaluation", |d| d.file.closure_draft.evaluation.clone(), |d, v| d.file.closure_draft.evaluation = v)}
        <Show when=move || reason() == Some(Reason::Died)>
            {bind.checks("closure_informed", "closure_informed", "informed", Informed::ALL.iter().map(|i| i.code()).collect(),
                |d, code| Informed::from_code(code).is_some_and(|i| d.file.closure_draft.informed.contains(&i)),
                |d, code, on| if let Some(i) = Informed::from_code(code) {
                    if on { d.file.closure_draft.informed.insert(i); } else { d.file.closure_draft.informed.remove(&i); }
                })}
            {bind.area("closure_death_notes", "closure_death_notes", |d| d.file.closure_draft.death_notes.clone(), |d, v| d.file.closure_draft.death_notes = v)}
        </Show>
        {bind.area("closure_warm_handover", "closure_warm_handover", |d| d.file.closure_draft.warm_handover.clone(), |d, v| d.file.closure_draft.warm_handover = v)}
        <Show when=move || case.child.get()>
            <p class="hint">{move || tr.s("closure_child_visits")}</p>
        </Show>
        <Show when=move || !missing().is_empty()>
            <div class="gaps" id="closure-missing">
                <p>{move || tr.s("closure_still_needed")}</p>
                <ul>{move || missing().into_iter().map(|m| view! { <li data-missing=m.code()>{move || tr.code("closure_req", m.code())}</li> }).collect_view()}</ul>
            </div>
        </Show>
        <button type="button" id="close-case" on:click=close>{move || tr.s("closure_close")}</button>
        <RefusedAct outcome=outcome id="close-refused" />
    }
}

#[component]
fn ClosedSummary(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let reopen = move |_| {
        case.act_with_note(outcome, NoteFor::Reopening, closure::reopen);
    };
    view! {
        {move || case.doc.with(|d| d.file.closure.clone()).map(|c| view! {
            <div id="closed-summary">
                <p><strong>{move || tr.code("closure_reason", c.reason.code())}</strong>" · "{c.closed_on.to_string()}</p>
                <p class="hint">{move || tr.s("closure_authorised")}" "{stamp_text(case.ws, &c.authorised)}</p>
                {(!c.details.informed.is_empty()).then(|| view! {
                    <p>{move || tr.s("closure_informed")}": "{c.details.informed.iter().map(|i| tr.code("informed", i.code())).collect::<Vec<_>>().join(", ")}</p>
                })}
            </div>
        })}
        <div class="subform">
            <label for="reopen-reason">{move || tr.s("reopen_reason")}</label>
            <NoteInput case=case note=NoteFor::Reopening name="reopen_reason" hint="reopen_reason" multiline=true id="reopen-reason" outcome=outcome />
            <button type="button" class="secondary" id="reopen-case" on:click=reopen>{move || tr.s("reopen")}</button>
            <RefusedAct outcome=outcome id="reopen-refused" />
        </div>
    }
}

#[component]
fn PastClosures(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <ul class="entries">
            {move || case.doc.with(|d| d.file.reopened.clone()).into_iter().map(|r| view! {
                <li class="entry">
                    {move || tr.with("closure_reopened", &[("date", &r.closure.closed_on.to_string()), ("reason", &tr.code("closure_reason", r.closure.reason.code()))])}
                    " — "{r.reason.clone()}" · "{stamp_text(case.ws, &r.reopened)}
                </li>
            }).collect_view()}
        </ul>
    }
}
