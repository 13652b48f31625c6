//! Registration with informed consent (D-REG): who the person is, the consents they gave
//! (and their withdrawal), and a refusal of assistance.

use super::note::NoteInput;
use super::{typed_errors, with_refused, CaseView, RefusedAct};
use crate::clock::today;
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::consent::{self, Giver, Scope};
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::referral::Service;
use puente_shared::casefile::registration::{CountryCode, LanguageCode, Sex};
use puente_shared::casefile::{EntryId, RuleError, Section};
use puente_shared::Case;

#[component]
pub fn Registration(case: CaseView) -> impl IntoView {
    view! {
        <PersonForm case=case />
        <Consents case=case />
        <AssistanceRefusal case=case />
    }
}

#[component]
fn PersonForm(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let errors = Signal::derive(move || {
        case.doc.with(|d| Case::parse(&d.form, today()).err().map(|e| e.iter().cloned().collect()).unwrap_or_default())
    });
    let bind = Bind::new(case.ws, case.id, Section::Registration, errors);
    view! {
        <h2>{move || tr.s("case_title")}</h2>
        <form class="case-form" on:submit=|ev| ev.prevent_default()>
            <div class="grid">
                {bind.text("given_names", "given_names", |d| d.form.given_names.clone(), |d, v| d.form.given_names = v)}
                {bind.text("family_name", "family_name_required", |d| d.form.family_name.clone(), |d, v| d.form.family_name = v)}
                {bind.date("date_of_birth", "date_of_birth", |d| d.form.date_of_birth.clone(), |d, v| d.form.date_of_birth = v)}
                <div class="field">
                    {bind.select("sex", "sex", "sex", Sex::CODES.to_vec(), |d| d.form.sex.clone(), |d, v| d.form.sex = v)}
                    <p class="hint">{move || tr.s("why_sensitive")}</p>
                </div>
                {bind.named_select("country_of_origin", "country_of_origin", "region", CountryCode::all(), |d| d.form.country_of_origin.clone(), |d, v| d.form.country_of_origin = v)}
                {bind.named_select("host_country", "host_country", "region", CountryCode::all(), |d| d.form.host_country.clone(), |d, v| d.form.host_country = v)}
                {bind.named_select("preferred_language", "preferred_language", "language", LanguageCode::all(), |d| d.form.preferred_language.clone(), |d, v| d.form.preferred_language = v)}
                {bind.check("interpreter_needed", "interpreter_needed", |d| d.form.interpreter_needed, |d, v| d.form.interpreter_needed = v)}
            </div>
            {bind.area("notes", "notes", |d| d.form.notes.clone(), |d, v| d.form.notes = v)}
        </form>
    }
}

#[component]
fn Consents(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let live = move || case.doc.with(|d| typed_errors(consent::validate_draft(&d.file.consent_draft, today())));
    let bind = Bind::new(case.ws, case.id, Section::Registration, with_refused(live, outcome));
    let givers = move || {
        let child = case.child.get();
        Giver::ALL.iter().filter(|g| child || matches!(g, Giver::Person)).map(|g| g.code()).collect::<Vec<_>>()
    };
    let record = move |_| {
        case.act(outcome, |doc, actor| consent::give(&mut doc.file, actor));
    };
    view! {
        <h2 id="consents">{move || tr.s("consents_title")}</h2>
        <p class="hint">{move || tr.s("consents_intro")}</p>
        <Show when=move || case.child.get()>
            <p class="notice" id="child-consent-note">{move || tr.s("consents_child")}</p>
        </Show>
        <ConsentList case=case />
        <div class="subform" id="consent-form">
            <h3>{move || tr.s("consent_new")}</h3>
            <div class="grid">
                {move || bind.select("consent_giver", "consent_giver", "giver", givers(), |d| d.file.consent_draft.giver.clone(), |d, v| d.file.consent_draft.giver = v)}
                {bind.text("consent_giver_name", "consent_giver_name", |d| d.file.consent_draft.giver_name.clone(), |d, v| d.file.consent_draft.giver_name = v)}
                {bind.date("consent_given_on", "consent_given_on", |d| d.file.consent_draft.given_on.clone(), |d, v| d.file.consent_draft.given_on = v)}
            </div>
            {bind.checks("consent_scopes", "consent_scopes", "scope", Scope::ALL.iter().map(|s| s.code()).collect(),
                |d, code| Scope::from_code(code).is_some_and(|s| d.file.consent_draft.scopes.contains(&s)),
                |d, code, on| if let Some(s) = Scope::from_code(code) {
                    if on { d.file.consent_draft.scopes.insert(s); } else { d.file.consent_draft.scopes.remove(&s); }
                })}
            <Show when=move || case.doc.with(|d| d.file.consent_draft.scopes.contains(&Scope::Referral))>
                {bind.checks("consent_services", "consent_services", "service", Service::ALL.iter().map(|s| s.code()).collect(),
                    |d, code| Service::from_code(code).is_some_and(|s| d.file.consent_draft.services.contains(&s)),
                    |d, code, on| if let Some(s) = Service::from_code(code) {
                        if on { d.file.consent_draft.services.insert(s); } else { d.file.consent_draft.services.remove(&s); }
                    })}
            </Show>
            {bind.area("consent_recipients", "consent_recipients", |d| d.file.consent_draft.recipients.clone(), |d, v| d.file.consent_draft.recipients = v)}
            <p class="hint">{move || tr.s("consent_processing_hint")}</p>
            {bind.check("consent_informed_of_processing", "consent_informed_of_processing",
                |d| d.file.consent_draft.informed_of_processing, |d, v| d.file.consent_draft.informed_of_processing = v)}
            <button type="button" id="record-consent" on:click=record>{move || tr.s("consent_record")}</button>
            <RefusedAct outcome=outcome id="consent-refused" />
        </div>
    }
}

#[component]
fn ConsentList(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    // Each consent's withdrawal is refused (or not) on its own row.
    let withdraw = move |consent: EntryId, outcome: RwSignal<Option<RuleError>>| {
        case.act_with_note(outcome, NoteFor::Withdrawal(consent), |file, why, actor| {
            consent::withdraw(file, consent, why, actor)
        });
    };
    view! {
        <ul class="entries" id="consent-list">
            <For each=move || case.doc.with(|d| d.file.consents.clone()) key=|c| (c.id, c.withdrawn.is_some()) let:c>
                <li class="entry" class:withdrawn=c.withdrawn.is_some() data-entry=c.id.to_string()>
                    <strong>{move || tr.code("giver", c.giver.code())}": "{c.giver_name.clone()}</strong>
                    " · "{c.given_on.to_string()}
                    <div class="tags">
                        {c.scopes.iter().map(|s| { let code = s.code(); view! { <span class="badge">{move || tr.code("scope", code)}</span> } }).collect_view()}
                        {c.services.iter().map(|s| { let code = s.code(); view! { <span class="badge ok">{move || tr.code("service", code)}</span> } }).collect_view()}
                    </div>
                    {match c.withdrawn.clone() {
                        Some(w) => view! {
                            <p class="withdrawn-note">{move || tr.with("consent_withdrawn_on", &[("date", &w.on.to_string())])}" "{w.reason.clone()}</p>
                        }.into_any(),
                        None => {
                            let id = c.id;
                            let outcome = RwSignal::new(None::<RuleError>);
                            view! {
                                <div class="inline-act">
                                    <NoteInput case=case note=NoteFor::Withdrawal(id) name="withdrawal_reason" hint="withdraw_reason" outcome=outcome />
                                    <button type="button" class="secondary withdraw" on:click=move |_| withdraw(id, outcome)>{move || tr.s("consent_withdraw")}</button>
                                </div>
                                <RefusedAct outcome=outcome id=format!("withdraw-refused-{}", &id.to_string()[..8]) />
                            }.into_any()
                        }
                    }}
                </li>
            </For>
        </ul>
    }
}

#[component]
fn AssistanceRefusal(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    view! {
        <h2>{move || tr.s("refusal_title")}</h2>
        <p class="hint">{move || tr.s("refusal_intro")}</p>
        {move || match case.doc.with(|d| d.file.refusal.clone()) {
            Some(refusal) => view! {
                <p id="refusal-recorded">{move || tr.s("refusal_recorded")}" "{refusal.notes.clone()}</p>
                <button type="button" class="secondary" id="revoke-refusal"
                    on:click=move |_| { case.act(outcome, |doc, actor| consent::revoke_refusal(&mut doc.file, actor)); }>
                    {move || tr.s("refusal_revoke")}
                </button>
            }.into_any(),
            None => view! {
                <NoteInput case=case note=NoteFor::Refusal name="refusal_notes" hint="refusal_notes" multiline=true outcome=outcome />
                <button type="button" class="secondary" id="record-refusal"
                    on:click=move |_| {
                        case.act_with_note(outcome, NoteFor::Refusal, consent::refuse_assistance);
                    }>
                    {move || tr.s("refusal_record")}
                </button>
            }.into_any(),
        }}
        <RefusedAct outcome=outcome id="refusal-refused" />
    }
}
