//! The case list, with search by name. Search runs over the cases decrypted in memory;
//! no index of names exists anywhere on disk.

use crate::clock::today;
use crate::components::sync_badge::CaseBadge;
use crate::components::tr::use_tr;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn CaseList() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let navigate = use_navigate();
    let query = RwSignal::new(String::new());
    let matching = Memo::new(move |_| {
        let q = query.get();
        ws.cases.with(|cases| {
            let mut rows: Vec<_> = cases
                .values()
                .filter(|c| c.doc.matches(&q))
                .map(|c| (c.doc.id, c.doc.display_name(), c.doc.updated_at))
                .collect();
            rows.sort_by_key(|row| std::cmp::Reverse(row.2));
            rows
        })
    });
    let new_case = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ws.create_case().await {
                Ok(id) => navigate(&format!("/cases/{id}"), Default::default()),
                Err(e) => web_sys::console::error_1(&format!("creating a case failed: {e}").into()),
            }
        });
    };
    let total = move || ws.cases.with(|c| c.len());
    view! {
        <section class="cases">
            <DueList />
            <div class="toolbar">
                <h1>{move || tr.s("cases_title")}</h1>
                <div class="actions-row">
                    <a class="button secondary" id="group-session" href="/group">{move || tr.s("group_link")}</a>
                    <button id="new-case" on:click=new_case>{move || tr.s("new_case")}</button>
                </div>
            </div>
            <input id="search" type="search" class="search"
                placeholder=move || tr.s("search_placeholder")
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
            <Show when=move || { total() == 0 }>
                <p class="notice">{move || tr.s("no_cases")}</p>
            </Show>
            <Show when=move || { total() > 0 && matching.with(Vec::is_empty) }>
                <p class="notice">{move || tr.s("no_matches")}</p>
            </Show>
            <ul class="case-list" id="case-list">
                <For each=move || matching.get() key=|row| (row.0, row.1.clone()) let:row>
                    <li>
                        <a class="case-row" href=format!("/cases/{}", row.0) data-case=row.0.to_string()>
                            <span class="name">
                                {let name = row.1.clone();
                                move || if name.is_empty() { tr.s("unnamed") } else { name.clone() }}
                            </span>
                            <CaseBadge id=row.0 />
                        </a>
                    </li>
                </For>
            </ul>
        </section>
    }
}

/// What is due across every case on this device: overdue follow-ups and reviews,
/// unanswered urgent referrals, visits after closure, children about to turn 18.
#[component]
fn DueList() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let rows = Memo::new(move |_| {
        let policy = ws.cases.policy();
        let today = today();
        ws.cases.with(|cases| {
            let mut rows: Vec<_> = cases
                .values()
                .flat_map(|c| {
                    let name = c.doc.display_name();
                    c.doc.due(today, &policy).into_iter().map(move |due| (due, c.doc.id, name.clone()))
                })
                .collect();
            rows.sort_by_key(|row| row.0);
            rows
        })
    });
    view! {
        <section class="due card" id="due-list">
            <h2>{move || tr.s("due_title")}</h2>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="notice">{move || tr.s("due_empty")}</p>
            </Show>
            <ul class="case-list">
                {move || rows.get().into_iter().map(|(due, id, name)| {
                    let when = due.on.to_string();
                    let overdue = due.is_overdue(today());
                    view! {
                        <li>
                            <a class="case-row due-row" class:overdue=overdue href=format!("/cases/{id}/{}", due.kind.part().code())
                                data-case=id.to_string() data-due=due.kind.code()>
                                <span class="name">{if name.is_empty() { tr.s("unnamed") } else { name }}</span>
                                <span>{move || tr.code("due", due.kind.code())}</span>
                                <span class="badge" class:bad=overdue>{move || if overdue {
                                    tr.with("due_overdue", &[("date", &when)])
                                } else {
                                    tr.with("due_on", &[("date", &when)])
                                }}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
