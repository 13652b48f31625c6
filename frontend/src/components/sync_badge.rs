//! Sync state, always visible: for the app in the header, and for each case.

use crate::i18n::*;
use crate::state::{use_app, CaseSync, Net};
use leptos::prelude::*;
use puente_shared::CaseId;

#[component]
pub fn NetBadge() -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let net = move || state.net.get();
    let class = move || match net() {
        Net::Online => "badge ok",
        Net::Offline => "badge warn",
        Net::Error => "badge bad",
        Net::Syncing | Net::Unknown => "badge",
    };
    let label = move || match net() {
        Net::Online => t_string!(i18n, net_online).to_string(),
        Net::Offline => t_string!(i18n, net_offline).to_string(),
        Net::Error => t_string!(i18n, net_error).to_string(),
        Net::Syncing | Net::Unknown => t_string!(i18n, net_syncing).to_string(),
    };
    let pending = move || state.pending_count();
    view! {
        <span id="net-status" class=class data-state=move || format!("{:?}", net()).to_lowercase()>
            {label}
            <Show when=move || { pending() > 0 }>
                " · " {t!(i18n, pending_count, count = pending)}
            </Show>
        </span>
    }
}

pub fn case_sync_label(i18n: leptos_i18n::I18nContext<Locale>, sync: CaseSync) -> String {
    match sync {
        CaseSync::Saving => t_string!(i18n, status_saving).to_string(),
        CaseSync::Waiting => t_string!(i18n, status_waiting).to_string(),
        CaseSync::Offline => t_string!(i18n, status_offline).to_string(),
        CaseSync::Synced => t_string!(i18n, status_synced).to_string(),
        CaseSync::Conflict => t_string!(i18n, status_conflict).to_string(),
    }
}

#[component]
pub fn CaseBadge(id: CaseId) -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let sync = move || state.case_sync(id);
    let class = move || match sync() {
        Some(CaseSync::Synced) => "badge ok",
        Some(CaseSync::Conflict) => "badge bad",
        Some(CaseSync::Offline) => "badge warn",
        _ => "badge",
    };
    view! {
        <span class=class data-sync=move || sync().map(|s| format!("{s:?}").to_lowercase()).unwrap_or_default()>
            {move || sync().map(|s| case_sync_label(i18n, s)).unwrap_or_default()}
        </span>
    }
}
