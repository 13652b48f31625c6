//! A group pre-departure session (D-GROUP): pick the attendees among registered cases and
//! record it once; each attendee's own file gets the session, never the others' names.

use crate::clock::today;
use crate::components::tr::use_tr;
use crate::pages::case::{rule_message, typed_errors};
use crate::state::use_app;
use crate::workspace::{act_on_many, actor};
use leptos::prelude::*;
use puente_shared::casefile::group::{self, GroupDraft};
use puente_shared::casefile::RuleError;
use puente_shared::CaseId;
use std::collections::BTreeSet;

#[component]
pub fn GroupSession() -> impl IntoView {
    let state = use_app();
    let tr = use_tr();
    let draft = RwSignal::new(GroupDraft { date: today().to_string(), ..GroupDraft::default() });
    let chosen = RwSignal::new(BTreeSet::<CaseId>::new());
    let outcome = RwSignal::new(None::<RuleError>);
    let done = RwSignal::new(None::<usize>);
    let open_cases = Memo::new(move |_| {
        state.cases.with(|cases| {
            let mut rows: Vec<(CaseId, String)> =
                cases.values().filter(|c| !c.doc.file.is_closed()).map(|c| (c.doc.id, c.doc.display_name())).collect();
            rows.sort_by_key(|row| row.1.to_lowercase());
            rows
        })
    });
    let errors = move || actor(state).map(|a| typed_errors(group::validate(&draft.get(), &a))).unwrap_or_default();
    let error_of = move |field: &str| {
        errors().into_iter().find(|e| e.field == field).map(|e| crate::components::field::error_message(tr, &e))
    };
    let record = move |_| {
        let ids: Vec<CaseId> = chosen.get_untracked().into_iter().collect();
        let form = draft.get_untracked();
        match act_on_many(state, &ids, |docs, actor| {
            let mut files: Vec<_> = docs.iter_mut().map(|d| &mut d.file).collect();
            group::record(&mut files, &form, actor)
        }) {
            Ok(_) => {
                outcome.set(None);
                done.set(Some(ids.len()));
                chosen.set(BTreeSet::new());
            }
            Err(error) => outcome.set(Some(error)),
        }
    };
    let field = move |name: &'static str,
                      key: &'static str,
                      kind: &'static str,
                      get: fn(&GroupDraft) -> String,
                      set: fn(&mut GroupDraft, String)| {
        view! {
            <div class="field">
                <label for=name>{move || tr.s(key)}</label>
                <input id=name name=name type=kind prop:value=move || draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); done.set(None); } />
                <p class="field-error">{move || error_of(name)}</p>
            </div>
        }
    };
    view! {
        <p><a href="/" id="back">{move || tr.s("back_to_cases_text")}</a></p>
        <section class="card">
            <h1>{move || tr.s("group_title")}</h1>
            <p class="hint">{move || tr.s("group_intro")}</p>
            <div class="grid">
                {field("group_topic", "group_topic", "text", |d| d.topic.clone(), |d, v| d.topic = v)}
                {field("group_place", "group_place", "text", |d| d.place.clone(), |d, v| d.place = v)}
                {field("group_date", "group_date", "date", |d| d.date.clone(), |d, v| d.date = v)}
            </div>
            <fieldset class="choices" id="attendees">
                <legend>{move || tr.s("group_attendees")}</legend>
                <For each=move || open_cases.get() key=|row| row.clone() let:row>
                    <label class="choice">
                        <input type="checkbox" name="attendee" value=row.0.to_string()
                            prop:checked=move || chosen.with(|c| c.contains(&row.0))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { if on { c.insert(row.0); } else { c.remove(&row.0); } });
                                done.set(None);
                            } />
                        {if row.1.is_empty() { tr.s("unnamed") } else { row.1.clone() }}
                    </label>
                </For>
            </fieldset>
            <button type="button" id="record-group" on:click=record>{move || tr.s("group_record")}</button>
            <Show when=move || outcome.with(Option::is_some)>
                <p class="rule-error" id="group-refused" role="alert">{move || outcome.with(|o| o.as_ref().map(|e| rule_message(tr, e)))}</p>
            </Show>
            <Show when=move || done.get().is_some()>
                <p class="ok-note" id="group-recorded" role="status">{move || tr.with("group_recorded", &[("n", &done.get().unwrap_or_default().to_string())])}</p>
            </Show>
        </section>
    }
}
