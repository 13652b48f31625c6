//! The reintegration plan (D-PLAN): goals, strengths, challenges, actions in three
//! dimensions, agreement, the review after arrival, and the printable copy for the
//! returnee in their language.

use super::{stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::components::bind::Bind;
use crate::components::tr::{is_rtl, print_locales, use_tr, Tr};
use crate::workspace::use_workspace;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use puente_shared::casefile::plan::{self, Action, Assistance, Dimension, Plan, Responsible, Term};
use puente_shared::casefile::{EntryId, RuleError, Section, Stage};
use puente_shared::{CaseDocument, CaseId};

fn plan_mut(doc: &mut CaseDocument, id: EntryId) -> Option<&mut Plan> {
    doc.file.plans.iter_mut().find(|p| p.id == id)
}

#[component]
pub fn Plans(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let start = move |stage: Stage| {
        case.act(outcome, |doc, actor| plan::start(&mut doc.file, stage, actor));
    };
    let latest = Memo::new(move |_| case.doc.with(|d| d.file.current_plan().map(|p| (p.id, p.is_agreed()))));
    view! {
        <h2>{move || tr.s("plan_title")}</h2>
        <p class="hint">{move || tr.s("plan_intro")}</p>
        <Show when=move || latest.get().is_none()>
            <div class="actions-row">
                <button type="button" id="start-plan-pre_departure" on:click=move |_| start(Stage::PreDeparture)>{move || tr.s("plan_start_pre_departure")}</button>
                <button type="button" id="start-plan-after_arrival" class="secondary" on:click=move |_| start(Stage::AfterArrival)>{move || tr.s("plan_start_after_arrival")}</button>
            </div>
        </Show>
        <Show when=move || latest.get().is_some_and(|(_, agreed)| agreed)>
            <div class="actions-row">
                <button type="button" id="start-plan-review"
                    on:click=move |_| { case.act(outcome, |doc, actor| plan::start_review(&mut doc.file, actor)); }>
                    {move || tr.s("plan_start_review")}
                </button>
            </div>
        </Show>
        <RefusedAct outcome=outcome id="plan-refused" />
        <For each=move || case.doc.with(|d| d.file.plans.iter().rev().map(|p| (p.id, p.is_agreed())).collect::<Vec<_>>())
            key=|k| *k let:k>
            {if k.1 { view! { <AgreedPlan case=case id=k.0 /> }.into_any() } else { view! { <PlanEditor case=case id=k.0 /> }.into_any() }}
        </For>
    }
}

#[component]
fn PlanEditor(case: CaseView, id: EntryId) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| d.file.plan(id).map(|p| typed_errors(plan::validate(p))).unwrap_or_default());
    let bind = Bind::new(case.ws, case.id, Section::Plan(id), with_refused(live, outcome)).scoped(id);
    let edit = move |f: Box<dyn FnOnce(&mut Plan)>| {
        case.ws.edit_doc(case.id, Section::Plan(id), |d| {
            if let Some(p) = plan_mut(d, id) {
                f(p)
            }
        });
    };
    let plan = Memo::new(move |_| case.doc.with(|d| d.file.plan(id).cloned()));
    let stage = move || plan.with(|p| p.as_ref().map(|p| p.stage.code()).unwrap_or_default());
    let reviews = move || plan.with(|p| p.as_ref().and_then(|p| p.reviews).is_some());
    let agree = move |_| {
        let child = case.child.get_untracked();
        case.act(outcome, |doc, actor| plan::agree(&mut doc.file, id, child, actor));
    };
    view! {
        <article class="entry plan" data-entry=id.to_string() id="plan-editor">
            <h3>{move || tr.code("stage", stage())}" — "{move || tr.s("plan_draft")}</h3>
            <Show when=reviews>
                <p class="notice">{move || tr.s("plan_is_review")}</p>
                {bind.area("plan_review_notes", "plan_review_notes", move |d| d.file.plan(id).map(|p| p.review_notes.clone()).unwrap_or_default(),
                    move |d, v| if let Some(p) = plan_mut(d, id) { p.review_notes = v })}
            </Show>
            <h4>{move || tr.s("plan_goals")}</h4>
            <ol class="goals">
                {move || (0..plan.with(|p| p.as_ref().map_or(0, |p| p.goals.len()))).map(|i| view! {
                    <li>
                        <input name="plan_goal" prop:value=move || plan.with(|p| p.as_ref().and_then(|p| p.goals.get(i).cloned()).unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |p| if let Some(g) = p.goals.get_mut(i) { *g = v })); } />
                        <button type="button" class="secondary small" aria-label=move || tr.s("remove")
                            on:click=move |_| edit(Box::new(move |p| { if i < p.goals.len() { p.goals.remove(i); } }))>"×"</button>
                    </li>
                }).collect_view()}
            </ol>
            <button type="button" class="secondary" id="add-goal" on:click=move |_| edit(Box::new(|p| p.goals.push(String::new())))>{move || tr.s("plan_add_goal")}</button>
            {bind.area("plan_strengths", "plan_strengths", move |d| d.file.plan(id).map(|p| p.strengths.clone()).unwrap_or_default(),
                move |d, v| if let Some(p) = plan_mut(d, id) { p.strengths = v })}
            {bind.area("plan_challenges", "plan_challenges", move |d| d.file.plan(id).map(|p| p.challenges.clone()).unwrap_or_default(),
                move |d, v| if let Some(p) = plan_mut(d, id) { p.challenges = v })}
            {bind.select("plan_assistance", "plan_assistance", "assistance", Assistance::ALL.iter().map(|a| a.code()).collect(),
                move |d| d.file.plan(id).map(|p| p.assistance.clone()).unwrap_or_default(),
                move |d, v| if let Some(p) = plan_mut(d, id) { p.assistance = v })}
            <h4>{move || tr.s("plan_actions")}</h4>
            <div class="action-rows">
                <For each=move || plan.with(|p| p.as_ref().map(|p| p.actions.iter().map(|a| a.id).collect::<Vec<_>>()).unwrap_or_default())
                    key=|a| *a let:action>
                    <ActionEditor case=case plan=id action=action show_required=Signal::derive(move || outcome.with(Option::is_some)) />
                </For>
            </div>
            <button type="button" class="secondary" id="add-action" on:click=move |_| edit(Box::new(|p| p.actions.push(Action::new())))>{move || tr.s("plan_add_action")}</button>
            <div class="subform agreement">
                <h4>{move || tr.s("plan_agreement")}</h4>
                <p class="hint">{move || if case.child.get() { tr.s("plan_agreement_child") } else { tr.s("plan_agreement_adult") }}</p>
                <div class="grid">
                    {bind.text("agreement_person", "agreement_person", move |d| d.file.plan(id).map(|p| p.agreement_draft.person.clone()).unwrap_or_default(),
                        move |d, v| if let Some(p) = plan_mut(d, id) { p.agreement_draft.person = v })}
                    <Show when=move || case.child.get()>
                        {bind.text("agreement_guardian", "agreement_guardian", move |d| d.file.plan(id).map(|p| p.agreement_draft.guardian.clone()).unwrap_or_default(),
                            move |d, v| if let Some(p) = plan_mut(d, id) { p.agreement_draft.guardian = v })}
                    </Show>
                </div>
                <button type="button" id="agree-plan" on:click=agree>{move || tr.s("plan_agree")}</button>
                <RefusedAct outcome=outcome id="agree-refused" />
            </div>
        </article>
    }
}

#[component]
fn ActionEditor(case: CaseView, plan: EntryId, action: EntryId, show_required: Signal<bool>) -> impl IntoView {
    let tr = use_tr();
    let errors = Signal::derive(move || {
        let errors = case.doc.with(|d| {
            d.file
                .plan(plan)
                .and_then(|p| p.actions.iter().find(|a| a.id == action))
                .map(plan::validate_action)
                .unwrap_or_default()
        });
        if show_required.get() {
            errors
        } else {
            typed_errors(errors)
        }
    });
    let bind = Bind::new(case.ws, case.id, Section::Plan(plan), errors).scoped(action);
    fn get(d: &CaseDocument, plan: EntryId, action: EntryId) -> Option<&Action> {
        d.file.plan(plan)?.actions.iter().find(|a| a.id == action)
    }
    fn set(d: &mut CaseDocument, plan: EntryId, action: EntryId) -> Option<&mut Action> {
        plan_mut(d, plan)?.actions.iter_mut().find(|a| a.id == action)
    }
    view! {
        <div class="action-row" data-entry=action.to_string()>
            <div class="grid">
                {bind.select("action_dimension", "action_dimension", "dimension", Dimension::ALL.iter().map(|x| x.code()).collect(),
                    move |d| get(d, plan, action).map(|a| a.dimension.clone()).unwrap_or_default(),
                    move |d, v| if let Some(a) = set(d, plan, action) { a.dimension = v })}
                {bind.select("action_responsible", "action_responsible", "responsible", Responsible::ALL.iter().map(|x| x.code()).collect(),
                    move |d| get(d, plan, action).map(|a| a.responsible.clone()).unwrap_or_default(),
                    move |d, v| if let Some(a) = set(d, plan, action) { a.responsible = v })}
                {bind.text("action_what", "action_what",
                    move |d| get(d, plan, action).map(|a| a.what.clone()).unwrap_or_default(),
                    move |d, v| if let Some(a) = set(d, plan, action) { a.what = v })}
                {bind.date("action_by_when", "action_by_when",
                    move |d| get(d, plan, action).map(|a| a.by_when.clone()).unwrap_or_default(),
                    move |d, v| if let Some(a) = set(d, plan, action) { a.by_when = v })}
                {bind.select("action_term", "action_term", "term", Term::ALL.iter().map(|x| x.code()).collect(),
                    move |d| get(d, plan, action).map(|a| a.term.clone()).unwrap_or_default(),
                    move |d, v| if let Some(a) = set(d, plan, action) { a.term = v })}
            </div>
            <button type="button" class="secondary small remove-action"
                on:click=move |_| case.ws.edit_doc(case.id, Section::Plan(plan), |d| {
                    if let Some(p) = plan_mut(d, plan) { p.actions.retain(|a| a.id != action) }
                })>{move || tr.s("plan_remove_action")}</button>
        </div>
    }
}

/// An agreed plan: read-only, printable.
#[component]
fn AgreedPlan(case: CaseView, id: EntryId) -> impl IntoView {
    let tr = use_tr();
    let Some(p) = case.doc.with_untracked(|d| d.file.plan(id).cloned()) else { return ().into_any() };
    let agreement = p.agreement.clone().expect("an agreed plan");
    view! {
        <article class="entry plan agreed" data-entry=id.to_string()>
            <div class="toolbar">
                <h3>{move || tr.code("stage", p.stage.code())}" — "{move || tr.s("plan_agreed")}</h3>
                <a class="button secondary print-plan" href=format!("/cases/{}/plan/{id}/print", case.id)>{move || tr.s("plan_print")}</a>
            </div>
            <p class="hint">{move || tr.with("plan_agreed_by", &[("person", &agreement.person), ("date", &agreement.agreed_on.to_string())])}
                {(!agreement.guardian.is_empty()).then(|| format!(" · {}", agreement.guardian))}
                " · "{stamp_text(case.ws, &agreement.recorded)}</p>
            <PlanBody plan=p.clone() tr=tr />
        </article>
    }
    .into_any()
}

/// The content of a plan, in `tr`'s language (the interface's, or the printed copy's).
#[component]
fn PlanBody(plan: Plan, tr: Tr) -> impl IntoView {
    let line = move |list: &'static str, code: &str| if code.is_empty() { String::new() } else { tr.code(list, code) };
    view! {
        <h4>{tr.s("plan_goals")}</h4>
        <ol class="goals-print">{plan.goals().map(|g| view! { <li>{g.to_owned()}</li> }).collect_view()}</ol>
        {(!plan.strengths.trim().is_empty()).then(|| view! { <h4>{tr.s("plan_strengths")}</h4><p class="pre">{plan.strengths.clone()}</p> })}
        {(!plan.challenges.trim().is_empty()).then(|| view! { <h4>{tr.s("plan_challenges")}</h4><p class="pre">{plan.challenges.clone()}</p> })}
        {(!plan.assistance.is_empty()).then(|| view! { <p><strong>{tr.s("plan_assistance")}": "</strong>{line("assistance", &plan.assistance)}</p> })}
        <h4>{tr.s("plan_actions")}</h4>
        <table class="actions-table">
            <thead><tr>
                <th>{tr.s("action_dimension")}</th><th>{tr.s("action_what")}</th><th>{tr.s("action_responsible")}</th>
                <th>{tr.s("action_by_when")}</th><th>{tr.s("action_term")}</th>
            </tr></thead>
            <tbody>
                {plan.actions.iter().map(|a| view! {
                    <tr>
                        <td>{line("dimension", &a.dimension)}</td><td>{a.what.clone()}</td><td>{line("responsible", &a.responsible)}</td>
                        <td>{a.by_when.clone()}</td><td>{line("term", &a.term)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The plan as a document to sign and hand over: A4, in the returnee's language.
#[component]
pub fn PrintPlan() -> impl IntoView {
    let ws = use_workspace();
    let ui = use_tr();
    let params = use_params_map();
    let ids =
        move || params.with(|p| Some((p.get("id")?.parse::<CaseId>().ok()?, p.get("plan")?.parse::<EntryId>().ok()?)));
    let found = Memo::new(move |_| {
        let (case, plan) = ids()?;
        ws.cases.with(|c| {
            let doc = &c.get(&case)?.doc;
            Some((doc.clone(), doc.file.plan(plan)?.clone()))
        })
    });
    let language = move || {
        found.with(|f| {
            f.as_ref().map(|(doc, _)| {
                let chosen = doc.file.print_language.clone();
                let preferred = doc.form.preferred_language.to_lowercase();
                [chosen, preferred]
                    .into_iter()
                    .find(|l| print_locales().contains(&l.as_str()))
                    .unwrap_or_else(|| ui.locale().to_owned())
            })
        })
    };
    let set_language = move |ev| {
        let code = event_target_value(&ev);
        if let Some((case, _)) = ids() {
            ws.edit_doc(case, Section::Registration, |d| d.file.print_language = code);
        }
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="no-print toolbar">
            <a href=move || ids().map(|(c, _)| format!("/cases/{c}/plan")).unwrap_or_default() id="back-to-plan">{move || ui.s("back_to_plan")}</a>
            <label class="compact">{move || ui.s("print_language")}
                <select id="print-language" prop:value=move || language().unwrap_or_default() on:change=set_language>
                    {print_locales().iter().map(|l| view! { <option value=*l>{move || ui.code("locale", l)}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" id="print" on:click=print>{move || ui.s("print")}</button>
        </div>
        {move || match (found.get(), language()) {
            (Some((doc, plan)), Some(language)) => {
                let tr = Tr::fixed(&language);
                let child = doc.is_child();
                let agreement = plan.agreement.clone();
                view! {
                    <article class="printable" id="printable-plan" lang=language.clone() dir=if is_rtl(&language) { "rtl" } else { "ltr" }>
                        <h1>{tr.s("print_title")}</h1>
                        <p><strong>{tr.s("print_person")}": "</strong>{doc.display_name()}
                            {(!doc.form.date_of_birth.is_empty()).then(|| format!(" · {}: {}", tr.s("date_of_birth"), doc.form.date_of_birth))}</p>
                        <p><strong>{tr.s("print_stage")}": "</strong>{tr.code("stage", plan.stage.code())}
                            {agreement.as_ref().map(|a| format!(" · {}: {}", tr.s("print_agreed_on"), a.agreed_on))}</p>
                        <PlanBody plan=plan.clone() tr=tr />
                        <p class="print-note">{tr.s("print_copy_note")}</p>
                        <div class="signatures">
                            <div class="signature">
                                <div class="signature-line"></div>
                                <p>{tr.s("print_signature_person")}
                                    {agreement.as_ref().map(|a| format!(": {}", a.person))}</p>
                            </div>
                            {child.then(|| view! {
                                <div class="signature">
                                    <div class="signature-line"></div>
                                    <p>{tr.s("print_signature_guardian")}
                                        {agreement.as_ref().filter(|a| !a.guardian.is_empty()).map(|a| format!(": {}", a.guardian))}</p>
                                </div>
                            })}
                            <div class="signature">
                                <div class="signature-line"></div>
                                <p>{tr.s("print_signature_case_manager")}</p>
                            </div>
                        </div>
                    </article>
                }.into_any()
            }
            _ => view! { <p class="notice">{move || ui.s("case_not_found")}</p> }.into_any(),
        }}
    }
}
