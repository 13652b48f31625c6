//! Sync state, always visible: for the app in the header, and for each case.

use crate::components::tr::{use_tr, Tr};
use crate::state::{use_app, CaseSync, Net};
use leptos::prelude::*;
use puente_shared::CaseId;

#[component]
pub fn NetBadge() -> impl IntoView {
    let state = use_app();
    let tr = use_tr();
    let net = move || state.net.get();
    let class = move || match net() {
        Net::Online => "badge ok",
        Net::Offline => "badge warn",
        Net::Error => "badge bad",
        Net::Syncing | Net::Unknown => "badge",
    };
    let label = move || match net() {
        Net::Online => tr.s("net_online"),
        Net::Offline => tr.s("net_offline"),
        Net::Error => tr.s("net_error"),
        Net::Syncing | Net::Unknown => tr.s("net_syncing"),
    };
    let pending = move || state.pending_count();
    view! {
        <span id="net-status" class=class data-state=move || format!("{:?}", net()).to_lowercase()>
            {label}
            <Show when=move || { pending() > 0 }>
                " · " {move || tr.with("pending_count", &[("count", &pending().to_string())])}
            </Show>
        </span>
    }
}

pub fn case_sync_label(tr: Tr, sync: CaseSync) -> String {
    match sync {
        CaseSync::Saving => tr.s("status_saving"),
        CaseSync::Waiting => tr.s("status_waiting"),
        CaseSync::Offline => tr.s("status_offline"),
        CaseSync::Synced => tr.s("status_synced"),
        CaseSync::Conflict => tr.s("status_conflict"),
    }
}

#[component]
pub fn CaseBadge(id: CaseId) -> impl IntoView {
    let state = use_app();
    let tr = use_tr();
    let sync = move || state.case_sync(id);
    let class = move || match sync() {
        Some(CaseSync::Synced) => "badge ok",
        Some(CaseSync::Conflict) => "badge bad",
        Some(CaseSync::Offline) => "badge warn",
        _ => "badge",
    };
    view! {
        <span class=class data-sync=move || sync().map(|s| format!("{s:?}").to_lowercase()).unwrap_or_default()>
            {move || sync().map(|s| case_sync_label(tr, s)).unwrap_or_default()}
        </span>
    }
}
