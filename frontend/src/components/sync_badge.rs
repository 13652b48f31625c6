//! Sync state, always visible: for the app in the header, and for each case.

use crate::components::tr::{use_tr, Tr};
use crate::sync::Net;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use puente_shared::case_sync::Badge;
use puente_shared::CaseId;

#[component]
pub fn NetBadge() -> impl IntoView {
    let workspace = use_workspace();
    let tr = use_tr();
    let net = move || workspace.sync.net();
    let class = move || match net() {
        Net::Online => "badge ok",
        Net::Offline => "badge warn",
        Net::Error | Net::Disabled | Net::PassphraseChanged | Net::SignInRefused => "badge bad",
        Net::Syncing | Net::Unknown => "badge",
    };
    let label = move || match net() {
        Net::Online => tr.s("net_online"),
        Net::Offline => tr.s("net_offline"),
        Net::Error => tr.s("net_error"),
        Net::Disabled => tr.s("net_disabled"),
        Net::PassphraseChanged => tr.s("net_passphrase_changed"),
        Net::SignInRefused => tr.s("net_sign_in_refused"),
        Net::Syncing | Net::Unknown => tr.s("net_syncing"),
    };
    let pending = move || workspace.cases.unsynced();
    view! {
        <span id="net-status" class=class data-state=move || format!("{:?}", net()).to_lowercase()>
            {label}
            <Show when=move || { pending() > 0 }>
                " · " {move || tr.with("pending_count", &[("count", &pending().to_string())])}
            </Show>
        </span>
    }
}

pub fn badge_label(tr: Tr, badge: Badge) -> String {
    tr.code("status", badge.code())
}

#[component]
pub fn CaseBadge(id: CaseId) -> impl IntoView {
    let workspace = use_workspace();
    let tr = use_tr();
    let badge = move || workspace.cases.badge(id, workspace.sync.net() == Net::Offline);
    let class = move || match badge() {
        Some(Badge::Synced) => "badge ok",
        Some(Badge::Conflict) => "badge bad",
        Some(Badge::Offline) => "badge warn",
        _ => "badge",
    };
    view! {
        <span class=class data-sync=move || badge().map(Badge::code).unwrap_or_default()>
            {move || badge().map(|b| badge_label(tr, b)).unwrap_or_default()}
        </span>
    }
}
