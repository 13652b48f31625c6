//! One case: a header with its state and flags, a tab per part of the case file, and the
//! part shown. Every part writes through `workspace` (typing autosaved, acts checked by the
//! rules in `shared`).

mod accept_handover;
mod assessment;
mod child;
mod closure;
mod conflict;
mod followup;
mod handover;
mod history;
mod note;
mod plan;
mod profile;
mod referrals;
mod registration;
mod sessions;
mod set_aside;
mod sharing;

use crate::components::sync_badge::CaseBadge;
use crate::components::tr::{use_tr, Tr};
use crate::workspace::{use_workspace, Workspace};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use puente_shared::casefile::part::Part;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{Actor, CaseFile, RuleError};
use puente_shared::{CaseDocument, CaseId, FieldError};

pub use plan::PrintPlan;

/// What every part of the case screen reads.
#[derive(Clone, Copy)]
pub struct CaseView {
    pub ws: Workspace,
    pub id: CaseId,
    pub doc: Memo<CaseDocument>,
    pub closed: Memo<bool>,
    pub child: Memo<bool>,
}

impl CaseView {
    /// Runs an act that uses the note typed for it (see `note`), cleared once it is done.
    pub fn act_with_note<T>(
        &self,
        outcome: RwSignal<Option<RuleError>>,
        note: NoteFor,
        rule: impl FnOnce(&mut CaseFile, &str, &Actor) -> Result<T, RuleError>,
    ) -> Option<T> {
        self.act(outcome, |doc, actor| doc.file.act_with_note(note, |file, text| rule(file, text, actor)))
    }

    /// Runs an act; a refusal is kept in `outcome` for the screen to explain.
    pub fn act<T>(
        &self,
        outcome: RwSignal<Option<RuleError>>,
        rule: impl FnOnce(&mut CaseDocument, &Actor) -> Result<T, RuleError>,
    ) -> Option<T> {
        match self.ws.act(self.id, rule) {
            Ok(value) => {
                outcome.set(None);
                Some(value)
            }
            Err(error) => {
                outcome.set(Some(error));
                None
            }
        }
    }
}

#[component]
pub fn CaseEdit() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<CaseId>().ok()));
    let exists = move || id().is_some_and(|id| ws.cases.contains(id));
    view! {
        <p class="no-print"><a href="/" id="back">{move || tr.s("back_to_cases")}</a></p>
        <Show when=exists fallback=move || view! { <p class="notice">{move || tr.s("case_not_found")}</p> }>
            {move || id().map(|id| view! { <CaseScreen id=id /> })}
        </Show>
    }
}

#[component]
fn CaseScreen(id: CaseId) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let params = use_params_map();
    let part = Memo::new(move |_| {
        params.with(|p| p.get("section")).and_then(|s| Part::from_code(&s)).unwrap_or(Part::Registration)
    });
    let doc = Memo::new(move |_| ws.cases.doc(id).unwrap_or_else(|| empty(id)));
    let case = CaseView {
        ws,
        id,
        doc,
        closed: Memo::new(move |_| doc.with(|d| d.file.is_closed())),
        child: Memo::new(move |_| doc.with(CaseDocument::is_child)),
    };
    let read_only = move || case.closed.get() && !part.get().open_when_closed();
    let name = move || {
        let name = doc.with(CaseDocument::display_name);
        if name.is_empty() {
            tr.s("unnamed")
        } else {
            name
        }
    };
    view! {
        <section class="case-head">
            <div class="toolbar">
                <h1 id="case-name">{name}</h1>
                <span id="case-status"><CaseBadge id=id /></span>
            </div>
            <div class="flags">
                <Show when=move || doc.with(|d| d.file.life_threat_flagged())>
                    <span class="flag bad" id="flag-life-threat" role="alert">{move || tr.s("flag_life_threat")}</span>
                </Show>
                <Show when=move || case.child.get()>
                    <span class="flag warn" id="flag-child">{move || tr.s("flag_child")}</span>
                </Show>
                <Show when=move || doc.with(|d| d.file.refusal.is_some())>
                    <span class="flag" id="flag-refused">{move || tr.s("flag_refused")}</span>
                </Show>
                <Show when=move || case.closed.get()>
                    <span class="flag" id="flag-closed">{move || tr.s("flag_closed")}</span>
                </Show>
            </div>
            <nav class="tabs" aria-label=move || tr.s("case_sections")>
                {Part::ALL.iter().map(|&p| {
                    let href = format!("/cases/{id}/{}", p.code());
                    view! {
                        <a href=href data-section=p.code() class:current=move || part.get() == p
                            aria-current=move || (part.get() == p).then_some("page")>
                            {move || tr.code("section", p.code())}
                        </a>
                    }
                }).collect_view()}
            </nav>
        </section>
        {move || ws.cases.conflict(id).map(|c| view! { <conflict::ConflictPanel id=id conflict=c /> })}
        <set_aside::SetAsidePanel id=id />
        <set_aside::PushRefusedNotice id=id />
        <accept_handover::AcceptHandover case=case />
        <section class="card" id=move || format!("section-{}", part.get().code())>
            <Show when=read_only>
                <p class="notice read-only" id="read-only">{move || tr.s("closed_read_only")}</p>
            </Show>
            <fieldset class="plain" disabled=read_only>
                {move || match part.get() {
                    Part::Registration => registration::Registration(registration::RegistrationProps { case }).into_any(),
                    Part::Profile => profile::Profile(profile::ProfileProps { case }).into_any(),
                    Part::Assessment => assessment::Assessments(assessment::AssessmentsProps { case }).into_any(),
                    Part::Sessions => sessions::Sessions(sessions::SessionsProps { case }).into_any(),
                    Part::Plan => plan::Plans(plan::PlansProps { case }).into_any(),
                    Part::Handover => handover::Handover(handover::HandoverProps { case }).into_any(),
                    Part::Referrals => referrals::Referrals(referrals::ReferralsProps { case }).into_any(),
                    Part::FollowUp => followup::FollowUps(followup::FollowUpsProps { case }).into_any(),
                    Part::Child => child::Child(child::ChildProps { case }).into_any(),
                    Part::Closure => closure::Closure(closure::ClosureProps { case }).into_any(),
                    Part::Sharing => sharing::Sharing(sharing::SharingProps { case }).into_any(),
                    Part::History => history::History(history::HistoryProps { case }).into_any(),
                }}
            </fieldset>
        </section>
    }
}

fn empty(id: CaseId) -> CaseDocument {
    CaseDocument::new(id, puente_shared::UserId::from_bytes([0; 16]), 0, time::Date::MIN)
}

/// Why an act was refused, in words.
pub fn rule_message(tr: Tr, error: &RuleError) -> String {
    match error {
        RuleError::ClosureIncomplete(missing) => {
            let items: Vec<String> = missing.iter().map(|m| tr.code("closure_req", m.code())).collect();
            format!("{} {}", tr.s("rule_closure_incomplete"), items.join("; "))
        }
        other => tr.code("rule", other.code()),
    }
}

/// Why the last act was refused, if it was.
#[component]
pub fn RefusedAct(outcome: RwSignal<Option<RuleError>>, #[prop(into)] id: String) -> impl IntoView {
    let tr = use_tr();
    view! {
        <Show when=move || outcome.with(Option::is_some)>
            <p class="rule-error" id=id.clone() role="alert">{move || outcome.with(|o| o.as_ref().map(|e| rule_message(tr, e)))}</p>
        </Show>
    }
}

/// The message for `field` in the last refusal of an act.
pub fn refused_field(outcome: RwSignal<Option<RuleError>>, field: &'static str) -> Signal<Option<FieldError>> {
    Signal::derive(move || {
        outcome.with(|o| o.as_ref().and_then(|e| e.field_errors().iter().find(|f| f.field == field).cloned()))
    })
}

/// Live errors of a form, plus those of its last refused act.
pub fn with_refused(
    live: impl Fn() -> Vec<FieldError> + Send + Sync + 'static,
    outcome: RwSignal<Option<RuleError>>,
) -> Signal<Vec<FieldError>> {
    Signal::derive(move || {
        let mut errors = live();
        if let Some(refused) = outcome.with(|o| o.as_ref().map(|e| e.field_errors().to_vec())) {
            errors.extend(refused);
        }
        errors
    })
}

/// Hides "required" until the case manager tries the act: an empty form is not an error.
pub fn typed_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors.into_iter().filter(|e| e.code != puente_shared::ErrorCode::Required).collect()
}

/// When and by whom, for display: "you", or a colleague's short account id (usernames
/// are not shared between accounts).
pub fn stamp_text(ws: Workspace, stamp: &puente_shared::casefile::Stamp) -> String {
    let tr = use_tr();
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(stamp.at as f64));
    let when: String = date.to_locale_string(tr.locale(), &wasm_bindgen::JsValue::UNDEFINED).into();
    let mine = ws.session.user_id() == Some(stamp.by);
    let who = if mine { tr.s("by_you") } else { tr.with("by_colleague", &[("id", &stamp.by.to_string()[..8])]) };
    format!("{when} · {who}")
}
