//! The top bar: app name, the app's sync state, language, idle-lock setting and lock.

use crate::components::sync_badge::NetBadge;
use crate::i18n::*;
use crate::state::{set_local_setting, use_app, Phase, IDLE_MINUTES_KEY};
use crate::workspace;
use leptos::prelude::*;

pub const LOCALE_KEY: &str = "puente.locale";

#[component]
pub fn Header() -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    // The language chosen last time on this device. Applied from an effect, because the
    // i18n provider sets its own initial locale from an effect created before this one.
    Effect::new(move |applied: Option<bool>| {
        if applied.is_none() {
            let saved = crate::state::local_setting(LOCALE_KEY);
            if let Some(locale) = Locale::get_all().iter().find(|l| Some(l.as_str()) == saved.as_deref()) {
                i18n.set_locale(*locale);
            }
        }
        true
    });
    let on_language = move |ev| {
        let code = event_target_value(&ev);
        if let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == code) {
            i18n.set_locale(*locale);
            set_local_setting(LOCALE_KEY, &code);
        }
    };
    let on_idle = move |ev| {
        if let Ok(minutes) = event_target_value(&ev).parse::<u32>() {
            state.idle_minutes.set(minutes);
            set_local_setting(IDLE_MINUTES_KEY, &minutes.to_string());
        }
    };
    let unlocked = move || state.phase.get() == Phase::Unlocked;
    view! {
        <header class="topbar">
            <a class="brand" href="/">{t!(i18n, app_name)}</a>
            <Show when=unlocked>
                <NetBadge />
            </Show>
            <span class="spacer"></span>
            <label class="compact">
                <span class="visually-hidden">{t!(i18n, language)}</span>
                <select id="language" on:change=on_language prop:value=move || i18n.get_locale().as_str().to_owned()>
                    <option value="en">"English"</option>
                    <option value="es">"Español"</option>
                    <option value="ar">"العربية"</option>
                </select>
            </label>
            <Show when=unlocked>
                <label class="compact">
                    <span>{t!(i18n, lock_after)}</span>
                    <select id="idle-minutes" on:change=on_idle prop:value=move || state.idle_minutes.get().to_string()>
                        {[2u32, 5, 10, 15, 30]
                            .into_iter()
                            .map(|n| view! { <option value=n.to_string()>{t!(i18n, minutes, n = n)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button id="lock" class="secondary" on:click=move |_| leptos::task::spawn_local(workspace::lock(state, false))>
                    {t!(i18n, lock)}
                </button>
            </Show>
        </header>
    }
}
