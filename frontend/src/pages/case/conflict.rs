//! A case changed on two devices: both versions side by side, and the case manager's choice.

use crate::components::tr::use_tr;
use crate::open_cases::Conflict;
use crate::workspace::{use_workspace, Keep};
use leptos::prelude::*;
use puente_shared::CaseId;

/// Both versions side by side, and the case manager's choice.
#[component]
pub fn ConflictPanel(id: CaseId, conflict: Conflict) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let mine = ws.cases.with_untracked(|c| c.get(&id).map(|e| e.doc.clone()));
    let summary = |doc: &puente_shared::CaseDocument| {
        let f = &doc.form;
        view! {
            <dl>
                <dt>{move || tr.s("given_names")}</dt><dd>{f.given_names.clone()}</dd>
                <dt>{move || tr.s("family_name")}</dt><dd>{f.family_name.clone()}</dd>
                <dt>{move || tr.s("date_of_birth")}</dt><dd>{f.date_of_birth.clone()}</dd>
                <dt>{move || tr.s("notes")}</dt><dd class="pre">{f.notes.clone()}</dd>
            </dl>
        }
    };
    let choose = move |keep: Keep| {
        leptos::task::spawn_local(async move {
            if let Err(e) = ws.resolve_conflict(id, keep).await {
                web_sys::console::error_1(&format!("resolving failed: {e}").into());
            }
        })
    };
    view! {
        <div class="conflict" id="conflict" role="alert">
            <h2>{move || tr.s("conflict_title")}</h2>
            <p>{move || tr.s("conflict_intro")}</p>
            <p class="hint" id="conflict-acts-kept">{move || tr.s("conflict_acts_kept")}</p>
            <div class="grid">
                <div>
                    <h3>{move || tr.s("conflict_mine")}</h3>
                    {mine.as_ref().map(summary)}
                    <button id="keep-mine" on:click=move |_| choose(Keep::Mine)>{move || tr.s("keep_mine")}</button>
                </div>
                <div>
                    <h3>{move || tr.with("conflict_theirs", &[("rev", &conflict.revision.to_string())])}</h3>
                    {summary(&conflict.version.doc)}
                    <button id="keep-theirs" class="secondary" on:click=move |_| choose(Keep::Theirs)>{move || tr.s("keep_theirs")}</button>
                </div>
            </div>
        </div>
    }
}
