//! The top bar: app name, the app's sync state, language, idle-lock setting and lock.

use crate::components::sync_badge::NetBadge;
use crate::components::tr::{use_tr, Language};
use crate::prefs::use_prefs;
use crate::session::Phase;
use crate::workspace::use_workspace;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let workspace = use_workspace();
    let prefs = use_prefs();
    let tr = use_tr();
    let language = expect_context::<Language>();
    let on_language = move |ev| language.set(&event_target_value(&ev));
    let on_idle = move |ev| {
        if let Ok(minutes) = event_target_value(&ev).parse::<u32>() {
            prefs.set_idle_minutes(minutes);
        }
    };
    let unlocked = move || workspace.session.phase() == Phase::Unlocked;
    view! {
        <header class="topbar">
            <a class="brand" href="/">{move || tr.s("app_name")}</a>
            <Show when=unlocked>
                <NetBadge />
                <a id="nav-organisation" href="/organisation">{move || tr.s("nav_organisation")}</a>
                <a id="nav-passphrase" href="/passphrase">{move || tr.s("nav_passphrase")}</a>
            </Show>
            <span class="spacer"></span>
            <label class="compact">
                <span class="visually-hidden">{move || tr.s("language")}</span>
                <select id="language" on:change=on_language prop:value=move || language.get()>
                    <option value="en">"English"</option>
                    <option value="es">"Español"</option>
                    <option value="ar">"العربية"</option>
                </select>
            </label>
            <Show when=unlocked>
                <label class="compact">
                    <span>{move || tr.s("lock_after")}</span>
                    <select id="idle-minutes" on:change=on_idle prop:value=move || prefs.idle_minutes().to_string()>
                        {[2u32, 5, 10, 15, 30]
                            .into_iter()
                            .map(|n| view! { <option value=n.to_string()>{move || tr.with("minutes", &[("n", &n.to_string())])}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button id="lock" class="secondary" on:click=move |_| leptos::task::spawn_local(workspace.lock(false))>
                    {move || tr.s("lock")}
                </button>
            </Show>
        </header>
    }
}
