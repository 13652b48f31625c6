//! What enrolment and sign-in share: the passphrase strength hint and error messages.

use crate::api::ApiError;
use crate::i18n::*;
use leptos::prelude::*;
use puente_shared::passphrase::{strength, Strength};

/// "Something went wrong:" and the detail, for failures with no message of their own.
pub fn generic_error(i18n: leptos_i18n::I18nContext<Locale>, detail: impl std::fmt::Display) -> String {
    format!("{} {detail}", t_string!(i18n, error_generic))
}

pub fn api_error_message(i18n: leptos_i18n::I18nContext<Locale>, error: &ApiError) -> String {
    match error.code() {
        "offline" => t_string!(i18n, error_network).to_string(),
        "invalid_invite" => t_string!(i18n, error_invalid_invite).to_string(),
        "invite_used" => t_string!(i18n, error_invite_used).to_string(),
        "username_taken" => t_string!(i18n, error_username_taken).to_string(),
        "unauthorized" => t_string!(i18n, error_bad_credentials).to_string(),
        "too_many_attempts" => t_string!(i18n, error_too_many_attempts).to_string(),
        other => generic_error(i18n, other),
    }
}

#[component]
pub fn StrengthHint(#[prop(into)] passphrase: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let level = move || strength(&passphrase.get());
    view! {
        <p id="strength" class=move || format!("hint strength-{:?}", level()).to_lowercase()>
            {move || match level() {
                Strength::Weak => t_string!(i18n, strength_weak),
                Strength::Fair => t_string!(i18n, strength_fair),
                Strength::Strong => t_string!(i18n, strength_strong),
            }}
        </p>
    }
}

/// The end of a passphrase form: its error, the "securing keys" notice while the slow key
/// derivation runs, and the submit button (`{prefix}-error`, `{prefix}-submit`).
#[component]
pub fn SubmitRow(
    prefix: &'static str,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || error.get().is_some()>
            <p class="field-error" id=format!("{prefix}-error") role="alert">{move || error.get()}</p>
        </Show>
        <Show when=move || busy.get()>
            <p class="notice">{t!(i18n, deriving)}</p>
        </Show>
        <button type="submit" id=format!("{prefix}-submit") disabled=move || busy.get()>{children()}</button>
    }
}
