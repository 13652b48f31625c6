//! Referrals (D-REFER): proposed, then sent only with a consent that covers the service
//! (a guardian's, for a child) or urgently with the reason recorded; then the service's
//! answer. Withdrawing the consent stops them (on the registration screen).

use super::note::NoteInput;
use super::{refused_field, stamp_text, typed_errors, with_refused, CaseView, RefusedAct};
use crate::components::bind::Bind;
use crate::components::field::FieldMessage;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::referral::{self, Referral, Service, Status};
use puente_shared::casefile::{EntryId, RuleError, Section};
use puente_shared::CaseDocument;

fn referral_of(d: &CaseDocument, id: EntryId) -> Option<&Referral> {
    d.file.referrals.iter().find(|r| r.id == id)
}

fn referral_mut(d: &mut CaseDocument, id: EntryId) -> Option<&mut Referral> {
    d.file.referrals.iter_mut().find(|r| r.id == id)
}

#[component]
pub fn Referrals(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let service = RwSignal::new(String::new());
    let propose = move |_| match Service::from_code(&service.get_untracked()) {
        Some(s) => {
            case.act(outcome, |doc, actor| referral::propose(&mut doc.file, s, actor));
        }
        None => outcome.set(Some(RuleError::Invalid(vec![puente_shared::FieldError {
            field: "new_referral_service",
            code: puente_shared::ErrorCode::Required,
            limit: None,
        }]))),
    };
    view! {
        <h2>{move || tr.s("referrals_title")}</h2>
        <p class="hint">{move || tr.s("referrals_intro")}</p>
        <div class="inline-act">
            <select id="new-referral-service" prop:value=service on:change=move |ev| service.set(event_target_value(&ev))>
                <option value="">{move || tr.s("choose")}</option>
                {Service::ALL.iter().map(|s| { let code = s.code(); view! { <option value=code>{move || tr.code("service", code)}</option> } }).collect_view()}
            </select>
            <button type="button" id="propose-referral" on:click=propose>{move || tr.s("referral_propose")}</button>
        </div>
        <FieldMessage field="new_referral_service" error=refused_field(outcome, "new_referral_service") />
        <RefusedAct outcome=outcome id="propose-refused" />
        <div id="referral-list">
            <For each=move || case.doc.with(|d| d.file.referrals.iter().rev().map(|r| (r.id, r.status())).collect::<Vec<_>>())
                key=|k| *k let:k>
                <ReferralCard case=case id=k.0 />
            </For>
        </div>
    }
}

#[component]
fn ReferralCard(case: CaseView, id: EntryId) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let Some(r) = case.doc.with_untracked(|d| referral_of(d, id).cloned()) else { return ().into_any() };
    let status = r.status();
    let live =
        move || case.doc.with(|d| referral_of(d, id).map(|r| typed_errors(referral::validate(r))).unwrap_or_default());
    let bind = Bind::new(case.ws, case.id, Section::Referral(id), with_refused(live, outcome)).scoped(id);
    let send = move |_| {
        let child = case.child.get_untracked();
        case.act(outcome, |doc, actor| referral::mark_sent(&mut doc.file, id, child, actor));
    };
    let set_status = move |to: Status| {
        case.act_with_note(outcome, NoteFor::StatusChange(id), |file, note, actor| {
            referral::set_status(file, id, to, note, actor)
        });
    };
    let service = r.service.code();
    // The organisation's directory of providers of this service.
    let directory = Signal::derive(move || {
        case.ws.cases.settings(|s| {
            s.providers_of(r.service)
                .iter()
                .map(|p| if p.contact.is_empty() { p.name.clone() } else { format!("{} — {}", p.name, p.contact) })
                .collect()
        })
    });
    let consent_text = r.consent.and_then(|c| {
        case.doc.with_untracked(|d| {
            d.file.consents.iter().find(|x| x.id == c).map(|x| format!("{} ({})", x.giver_name, x.given_on))
        })
    });
    view! {
        <article class="entry referral" class:alert=r.is_unanswered_urgent() data-entry=id.to_string() data-status=status.code()
            id=format!("r-{id}")>
            <div class="toolbar">
                <h3>{move || tr.code("service", service)}
                    {r.urgent.then(|| view! { " " <span class="badge bad">{move || tr.s("referral_urgent_badge")}</span> })}
                </h3>
                <span class="badge status">{move || tr.code("referral_status", status.code())}</span>
            </div>
            {if status == Status::Proposed {
                view! {
                    <div class="grid">
                        <Show when=move || service == "other">
                            {bind.text("referral_service_other", "other_specify", move |d| referral_of(d, id).map(|r| r.service_other.clone()).unwrap_or_default(),
                                move |d, v| if let Some(r) = referral_mut(d, id) { r.service_other = v })}
                        </Show>
                        {bind.suggest("referral_provider", "referral_provider", directory,
                            move |d| referral_of(d, id).map(|r| r.provider.clone()).unwrap_or_default(),
                            move |d, v| if let Some(r) = referral_mut(d, id) { r.provider = v })}
                    </div>
                    {bind.area("referral_reason", "referral_reason", move |d| referral_of(d, id).map(|r| r.reason.clone()).unwrap_or_default(),
                        move |d, v| if let Some(r) = referral_mut(d, id) { r.reason = v })}
                    {bind.check("referral_urgent", "referral_urgent", move |d| referral_of(d, id).is_some_and(|r| r.urgent),
                        move |d, v| if let Some(r) = referral_mut(d, id) { r.urgent = v })}
                    <Show when=move || case.doc.with(|d| referral_of(d, id).is_some_and(|r| r.urgent))>
                        {bind.area("referral_urgent_reason", "referral_urgent_reason", move |d| referral_of(d, id).map(|r| r.urgent_reason.clone()).unwrap_or_default(),
                            move |d, v| if let Some(r) = referral_mut(d, id) { r.urgent_reason = v })}
                    </Show>
                    <p class="hint">{move || tr.s("referral_send_hint")}</p>
                    <div class="actions-row">
                        <button type="button" class="mark-sent" on:click=send>{move || tr.s("referral_mark_sent")}</button>
                        <button type="button" class="secondary decline" on:click=move |_| set_status(Status::Declined)>{move || tr.code("referral_set", "declined")}</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p><strong>{move || tr.s("referral_provider")}": "</strong>{r.provider.clone()}</p>
                    <p class="pre">{r.reason.clone()}</p>
                    {r.urgent.then(|| view! { <p class="pre"><strong>{move || tr.s("referral_urgent_reason")}": "</strong>{r.urgent_reason.clone()}</p> })}
                    <p class="hint consent-used">{match consent_text.clone() {
                        Some(text) => tr.with("referral_under_consent", &[("consent", &text)]),
                        None if r.urgent => tr.s("referral_without_consent_urgent"),
                        None => String::new(),
                    }}</p>
                    {(!status.next().is_empty()).then(|| view! {
                        <div class="inline-act">
                            <NoteInput case=case note=NoteFor::StatusChange(id) name="referral_note" hint="referral_note" outcome=outcome />
                            {status.next().iter().map(|to| { let to = *to; view! {
                                <button type="button" class="secondary" data-set=to.code() on:click=move |_| set_status(to)>
                                    {move || tr.code("referral_set", to.code())}
                                </button>
                            }}).collect_view()}
                        </div>
                    })}
                }.into_any()
            }}
            <RefusedAct outcome=outcome id=format!("referral-refused-{}", &id.to_string()[..8]) />
            <ol class="status-history">
                {r.history.iter().map(|s| { let code = s.status.code(); view! {
                    <li>{move || tr.code("referral_status", code)}" · "{stamp_text(case.ws, &s.stamp)}
                        {(!s.note.is_empty()).then(|| format!(" — {}", s.note))}</li>
                }}).collect_view()}
            </ol>
        </article>
    }
    .into_any()
}
