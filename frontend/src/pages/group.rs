//! A group pre-departure session (D-GROUP): pick the attendees among registered cases and
//! record it once; each attendee's own file gets the session, never the others' names.

use crate::clock::today;
use crate::components::tr::use_tr;
use crate::pages::case::{typed_errors, RefusedAct};
use crate::session::Session;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use puente_shared::casefile::group::{self, GroupDraft};
use puente_shared::casefile::RuleError;
use puente_shared::CaseId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The form as it is being filled in, kept sealed on this device (it spans several cases,
/// so no case document can hold it) so that a reload or a crash loses nothing typed.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
struct GroupForm {
    draft: GroupDraft,
    attendees: BTreeSet<CaseId>,
}

impl GroupForm {
    /// A new form: today's date, nothing else.
    fn blank() -> Self {
        Self { draft: GroupDraft { date: today().to_string(), ..GroupDraft::default() }, attendees: BTreeSet::new() }
    }
}

async fn load_form(session: Session) -> Option<GroupForm> {
    let vault = session.vault()?;
    let sealed = vault.db.group_draft().await.ok()??;
    vault.open_draft(&sealed).ok()
}

/// Seals and stores the form; an empty one (just recorded) is forgotten instead.
async fn keep_form(session: Session, form: Option<GroupForm>) {
    let Some(vault) = session.vault() else { return };
    let sealed = form.map(|form| vault.seal_draft(&form));
    if let Err(error) = vault.db.put_group_draft(sealed.as_deref()).await {
        web_sys::console::error_1(&format!("keeping the group form failed: {error}").into());
    }
}

#[component]
pub fn GroupSession() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let blank = GroupForm::blank();
    let draft = RwSignal::new(blank.draft);
    let chosen = RwSignal::new(blank.attendees);
    let outcome = RwSignal::new(None::<RuleError>);
    let done = RwSignal::new(None::<usize>);
    // The form typed last time, unless typing has already begun here.
    let loaded = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Some(form) = load_form(ws.session).await {
            if !loaded.get_untracked() {
                draft.set(form.draft);
                chosen.set(form.attendees);
            }
        }
        loaded.set(true);
    });
    // Every change is kept at once (a seal and one IndexedDB write: small and fast).
    Effect::new(move |previous: Option<GroupForm>| {
        let form = GroupForm { draft: draft.get(), attendees: chosen.get() };
        if previous.as_ref().is_some_and(|p| *p != form) {
            loaded.set(true);
            let kept = (form != GroupForm::blank()).then(|| form.clone());
            leptos::task::spawn_local(keep_form(ws.session, kept));
        }
        form
    });
    let open_cases = Memo::new(move |_| {
        ws.cases.with(|cases| {
            let mut rows: Vec<(CaseId, String)> =
                cases.values().filter(|c| !c.doc.file.is_closed()).map(|c| (c.doc.id, c.doc.display_name())).collect();
            rows.sort_by_key(|row| row.1.to_lowercase());
            rows
        })
    });
    let errors = move || ws.actor().map(|a| typed_errors(group::validate(&draft.get(), &a))).unwrap_or_default();
    let error_of = move |field: &str| {
        errors().into_iter().find(|e| e.field == field).map(|e| crate::components::field::error_message(tr, &e))
    };
    let record = move |_| {
        let ids: Vec<CaseId> = chosen.get_untracked().into_iter().collect();
        let form = draft.get_untracked();
        match ws.act_on_many(&ids, |docs, actor| {
            let mut files: Vec<_> = docs.iter_mut().map(|d| &mut d.file).collect();
            group::record(&mut files, &form, actor)
        }) {
            Ok(_) => {
                outcome.set(None);
                done.set(Some(ids.len()));
                let blank = GroupForm::blank();
                draft.set(blank.draft);
                chosen.set(blank.attendees);
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
            <RefusedAct outcome=outcome id="group-refused" />
            <Show when=move || done.get().is_some()>
                <p class="ok-note" id="group-recorded" role="status">{move || tr.with("group_recorded", &[("n", &done.get().unwrap_or_default().to_string())])}</p>
            </Show>
        </section>
    }
}
