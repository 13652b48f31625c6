//! What keeps this case's edits on the device: revisions that came from the server and
//! could not be opened, or whose author the membership log does not vouch for (kept, never
//! applied; while the newest revision is one of them, edits stay here), and a server that
//! no longer takes this member's pushes of it.

use crate::components::tr::use_tr;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use puente_shared::CaseId;

#[component]
pub fn SetAsidePanel(id: CaseId) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let items = move || ws.cases.set_aside_of(id);
    view! {
        <Show when=move || !items().is_empty()>
            <section class="card warn" id="set-aside" role="alert">
                <h2>{move || tr.s("set_aside_title")}</h2>
                <p>{move || tr.s("set_aside_intro")}</p>
                <ul>
                    {move || items().into_iter().map(|item| {
                        let who = item.author.map(|a| a.to_string()[..8].to_owned()).unwrap_or_else(|| "?".into());
                        let line = tr.with("set_aside_item", &[("rev", &item.revision.to_string()), ("who", &who)]);
                        let reason = tr.code("set_aside", &item.reason);
                        view! { <li class="set-aside-item" data-reason=item.reason.clone()>{line}" — "{reason}</li> }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

#[component]
pub fn PushRefusedNotice(id: CaseId) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    view! {
        <Show when=move || ws.cases.push_refused(id)>
            <section class="card warn" id="push-refused" role="alert">
                <h2>{move || tr.s("push_refused_title")}</h2>
                <p>{move || tr.s("push_refused_intro")}</p>
            </section>
        </Show>
    }
}
