//! Counselling sessions (D-SESSION): kind, mode, place, date, interpreter (briefed on
//! confidentiality), notes, next session; the first session after arrival is a six-step
//! guide that can be paused and resumed.

use super::assessment::AssessmentForm;
use super::{stamp_text, CaseView, RefusedAct};
use crate::clock::today;
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::session::{self, Kind, Mode, ASSESSMENT_STEP, STEPS};
use puente_shared::casefile::{EntryId, RuleError, Section};
use puente_shared::CaseDocument;

#[component]
pub fn Sessions(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let start = move |kind: Kind| {
        case.act(outcome, |doc, actor| session::start(&mut doc.file, kind, actor));
    };
    let kinds = [Kind::PreDepartureIndividual, Kind::PreDepartureFamily, Kind::FirstAfterArrival, Kind::FollowUp];
    view! {
        <h2>{move || tr.s("sessions_title")}</h2>
        <p class="hint">{move || tr.s("sessions_intro")}</p>
        <div class="actions-row">
            {kinds.into_iter().map(|kind| view! {
                <button type="button" class="secondary" id=format!("start-{}", kind.code()) on:click=move |_| start(kind)>
                    {move || tr.code("session_start", kind.code())}
                </button>
            }).collect_view()}
        </div>
        <RefusedAct outcome=outcome id="session-refused" />
        <div id="session-list">
            <For each=move || case.doc.with(|d| d.file.sessions.iter().rev().map(|s| s.id).collect::<Vec<_>>()) key=|id| *id let:id>
                <SessionCard case=case id=id />
            </For>
        </div>
    }
}

fn session_of(doc: &CaseDocument, id: EntryId) -> Option<&session::Session> {
    doc.file.session(id)
}

#[component]
fn SessionCard(case: CaseView, id: EntryId) -> impl IntoView {
    let tr = use_tr();
    let errors = Signal::derive(move || {
        case.doc.with(|d| session_of(d, id).map(|s| session::validate(s, today())).unwrap_or_default())
    });
    let bind = Bind::new(case.ws, case.id, Section::Session(id), errors).scoped(id);
    let Some(initial) = case.doc.with_untracked(|d| session_of(d, id).cloned()) else { return ().into_any() };
    let kind = initial.kind.code();
    let modify = move |d: &mut CaseDocument, f: &dyn Fn(&mut session::Session)| {
        if let Some(s) = d.file.sessions.iter_mut().find(|s| s.id == id) {
            f(s);
        }
    };
    view! {
        <article class="entry session" data-entry=id.to_string() data-kind=kind>
            <h3>{move || tr.code("session_kind", kind)}</h3>
            <p class="hint">{stamp_text(case.ws, &initial.started)}</p>
            {initial.group.clone().map(|g| view! {
                <p class="group-note">{move || tr.with("session_group", &[("topic", &g.topic), ("n", &g.attendees.to_string())])}</p>
            })}
            <div class="grid">
                {bind.select("session_mode", "session_mode", "mode", Mode::ALL.iter().map(|m| m.code()).collect(),
                    move |d| session_of(d, id).map(|s| s.mode.clone()).unwrap_or_default(),
                    move |d, v| modify(d, &|s| s.mode = v.clone()))}
                {bind.date("session_date", "session_date",
                    move |d| session_of(d, id).map(|s| s.date.clone()).unwrap_or_default(),
                    move |d, v| modify(d, &|s| s.date = v.clone()))}
                {bind.text("session_place", "session_place",
                    move |d| session_of(d, id).map(|s| s.place.clone()).unwrap_or_default(),
                    move |d, v| modify(d, &|s| s.place = v.clone()))}
                {bind.text("session_interpreter", "session_interpreter",
                    move |d| session_of(d, id).map(|s| s.interpreter.clone()).unwrap_or_default(),
                    move |d, v| modify(d, &|s| s.interpreter = v.clone()))}
                {bind.check("session_interpreter_briefed", "session_interpreter_briefed",
                    move |d| session_of(d, id).is_some_and(|s| s.interpreter_briefed),
                    move |d, v| modify(d, &|s| s.interpreter_briefed = v))}
                {bind.date("session_next", "session_next",
                    move |d| session_of(d, id).map(|s| s.next_session.clone()).unwrap_or_default(),
                    move |d, v| modify(d, &|s| s.next_session = v.clone()))}
            </div>
            {initial.guide.is_some().then(|| view! { <Guide case=case id=id /> })}
            {bind.area("session_notes", "session_notes",
                move |d| session_of(d, id).map(|s| s.notes.clone()).unwrap_or_default(),
                move |d, v| modify(d, &|s| s.notes = v.clone()))}
        </article>
    }
    .into_any()
}

/// The six steps of the first session after arrival.
#[component]
fn Guide(case: CaseView, id: EntryId) -> impl IntoView {
    let tr = use_tr();
    let outcome = RwSignal::new(None::<RuleError>);
    let guide =
        Memo::new(move |_| case.doc.with(|d| session_of(d, id).and_then(|s| s.guide.clone()).unwrap_or_default()));
    let paused = move || guide.with(|g| g.paused.is_some());
    let tick = move |step: u8, done: bool| {
        case.act(outcome, |doc, actor| session::tick(&mut doc.file, id, step, done, actor));
    };
    view! {
        <div class="guide" class:paused=paused>
            <div class="toolbar">
                <h4>{move || tr.s("guide_title")}</h4>
                <Show when=paused fallback=move || view! {
                    <button type="button" class="secondary" id="pause-session"
                        on:click=move |_| { case.act(outcome, |doc, actor| session::pause(&mut doc.file, id, actor)); }>
                        {move || tr.s("guide_pause")}
                    </button>
                }>
                    <button type="button" id="resume-session"
                        on:click=move |_| { case.act(outcome, |doc, actor| session::resume(&mut doc.file, id, actor)); }>
                        {move || tr.s("guide_resume")}
                    </button>
                </Show>
            </div>
            <Show when=paused>
                <p class="notice" id="session-paused" role="status">{move || tr.s("guide_paused")}</p>
            </Show>
            <ol class="steps">
                {(1..=STEPS as u8).map(|step| {
                    let done = move || guide.with(|g| g.steps[usize::from(step) - 1].is_some());
                    let current = move || guide.with(|g| g.current_step() == Some(step));
                    view! {
                        <li class:done=done class:current=current data-step=step>
                            <label class="choice">
                                <input type="checkbox" name="guide_step" value=step prop:checked=done disabled=paused
                                    on:change=move |ev| tick(step, event_target_checked(&ev)) />
                                <strong>{move || tr.code("step", &step.to_string())}</strong>
                            </label>
                            <p class="hint">{move || tr.code("step_hint", &step.to_string())}</p>
                            {(step == 1).then(|| view! { <super::handover::HandoverSummary case=case /> })}
                            {(step == ASSESSMENT_STEP).then(|| view! {
                                <Show when=move || current() && !paused()>
                                    <AssessmentForm case=case />
                                </Show>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <RefusedAct outcome=outcome id="guide-refused" />
        </div>
    }
}
