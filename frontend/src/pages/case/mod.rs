//! One case: a header with its state and flags, a tab per part of the case file, and the
//! part shown. Every part writes through `workspace` (typing autosaved, acts checked by the
//! rules in `shared`).

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

use crate::components::sync_badge::CaseBadge;
use crate::components::tr::{use_tr, Tr};
use crate::state::{use_app, AppState};
use crate::workspace;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{Actor, CaseFile, RuleError};
use puente_shared::{CaseDocument, CaseId, FieldError};

pub use plan::PrintPlan;

/// The parts of a case file, in the order of the work.
const SECTIONS: [&str; 11] = [
    "registration",
    "profile",
    "assessment",
    "sessions",
    "plan",
    "handover",
    "referrals",
    "follow_up",
    "child",
    "closure",
    "history",
];

/// What every part of the case screen reads.
#[derive(Clone, Copy)]
pub struct CaseView {
    pub state: AppState,
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
        match workspace::act(self.state, self.id, rule) {
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
    let state = use_app();
    let tr = use_tr();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<CaseId>().ok()));
    let exists = move || id().is_some_and(|id| state.cases.with(|c| c.contains_key(&id)));
    view! {
        <p class="no-print"><a href="/" id="back">{move || tr.s("back_to_cases")}</a></p>
        <Show when=exists fallback=move || view! { <p class="notice">{move || tr.s("case_not_found")}</p> }>
            {move || id().map(|id| view! { <CaseScreen id=id /> })}
        </Show>
    }
}

#[component]
fn CaseScreen(id: CaseId) -> impl IntoView {
    let state = use_app();
    let tr = use_tr();
    let params = use_params_map();
    let section = Memo::new(move |_| {
        params
            .with(|p| p.get("section"))
            .filter(|s| SECTIONS.contains(&s.as_str()))
            .unwrap_or_else(|| "registration".into())
    });
    let doc = Memo::new(move |_| state.cases.with(|c| c.get(&id).map(|e| e.doc.clone())).unwrap_or_else(|| empty(id)));
    let case = CaseView {
        state,
        id,
        doc,
        closed: Memo::new(move |_| doc.with(|d| d.file.is_closed())),
        child: Memo::new(move |_| doc.with(CaseDocument::is_child)),
    };
    // A closed case is read-only, except where closing, reopening and the visits after a
    // child's case closes are recorded, and its history.
    let read_only = move || case.closed.get() && !matches!(section.get().as_str(), "closure" | "history" | "follow_up");
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
                {SECTIONS.iter().map(|s| {
                    let href = format!("/cases/{id}/{s}");
                    view! {
                        <a href=href data-section=*s class:current=move || section.get() == *s
                            aria-current=move || (section.get() == *s).then_some("page")>
                            {move || tr.code("section", s)}
                        </a>
                    }
                }).collect_view()}
            </nav>
        </section>
        {move || state.cases.with(|c| c.get(&id).and_then(|e| e.conflict.clone()))
            .map(|c| view! { <conflict::ConflictPanel id=id conflict=c /> })}
        <section class="card" id=move || format!("section-{}", section.get())>
            <Show when=read_only>
                <p class="notice read-only" id="read-only">{move || tr.s("closed_read_only")}</p>
            </Show>
            <fieldset class="plain" disabled=read_only>
                {move || match section.get().as_str() {
                    "profile" => profile::Profile(profile::ProfileProps { case }).into_any(),
                    "assessment" => assessment::Assessments(assessment::AssessmentsProps { case }).into_any(),
                    "sessions" => sessions::Sessions(sessions::SessionsProps { case }).into_any(),
                    "plan" => plan::Plans(plan::PlansProps { case }).into_any(),
                    "handover" => handover::Handover(handover::HandoverProps { case }).into_any(),
                    "referrals" => referrals::Referrals(referrals::ReferralsProps { case }).into_any(),
                    "follow_up" => followup::FollowUps(followup::FollowUpsProps { case }).into_any(),
                    "child" => child::Child(child::ChildProps { case }).into_any(),
                    "closure" => closure::Closure(closure::ClosureProps { case }).into_any(),
                    "history" => history::History(history::HistoryProps { case }).into_any(),
                    _ => registration::Registration(registration::RegistrationProps { case }).into_any(),
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

/// The explanation of the last refused act, if any.
#[component]
pub fn Refusal(outcome: RwSignal<Option<RuleError>>, #[prop(into)] id: String) -> impl IntoView {
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
pub fn stamp_text(state: AppState, stamp: &puente_shared::casefile::Stamp) -> String {
    let tr = use_tr();
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(stamp.at as f64));
    let when: String = date.to_locale_string(tr.locale(), &wasm_bindgen::JsValue::UNDEFINED).into();
    let mine = state.vault().is_some_and(|v| v.header.user_id == stamp.by);
    let who = if mine { tr.s("by_you") } else { tr.with("by_colleague", &[("id", &stamp.by.to_string()[..8])]) };
    format!("{when} · {who}")
}
