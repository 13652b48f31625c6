//! The case list, with search by name. Search runs over the cases decrypted in memory;
//! no index of names exists anywhere on disk.

use crate::components::sync_badge::CaseBadge;
use crate::i18n::*;
use crate::state::use_app;
use crate::workspace;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn CaseList() -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let query = RwSignal::new(String::new());
    let matching = Memo::new(move |_| {
        let q = query.get();
        state.cases.with(|cases| {
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
            match workspace::create_case(state).await {
                Ok(id) => navigate(&format!("/cases/{id}"), Default::default()),
                Err(e) => web_sys::console::error_1(&format!("creating a case failed: {e}").into()),
            }
        });
    };
    let total = move || state.cases.with(|c| c.len());
    view! {
        <section class="cases">
            <div class="toolbar">
                <h1>{t!(i18n, cases_title)}</h1>
                <button id="new-case" on:click=new_case>{t!(i18n, new_case)}</button>
            </div>
            <input id="search" type="search" class="search"
                placeholder=move || t_string!(i18n, search_placeholder)
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
            <Show when=move || { total() == 0 }>
                <p class="notice">{t!(i18n, no_cases)}</p>
            </Show>
            <Show when=move || { total() > 0 && matching.with(Vec::is_empty) }>
                <p class="notice">{t!(i18n, no_matches)}</p>
            </Show>
            <ul class="case-list" id="case-list">
                <For each=move || matching.get() key=|row| row.clone() let:row>
                    <li>
                        <a class="case-row" href=format!("/cases/{}", row.0) data-case=row.0.to_string()>
                            <span class="name">
                                {let name = row.1.clone();
                                move || if name.is_empty() { t_string!(i18n, unnamed).to_string() } else { name.clone() }}
                            </span>
                            <CaseBadge id=row.0 />
                        </a>
                    </li>
                </For>
            </ul>
        </section>
    }
}
