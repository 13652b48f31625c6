//! What enrolment, sign-in and the passphrase screens share: the new-passphrase fields and
//! their check, the strength hint and error messages.

use crate::api::ApiError;
use crate::components::tr::{use_tr, Tr};
use leptos::prelude::*;
use puente_shared::passphrase::{strength, Strength};

/// "Something went wrong:" and the detail, for failures with no message of their own.
pub fn generic_error(tr: Tr, detail: impl std::fmt::Display) -> String {
    format!("{} {detail}", tr.s("error_generic"))
}

pub fn api_error_message(tr: Tr, error: &ApiError) -> String {
    match error.code() {
        "offline" => tr.s("error_network"),
        "invalid_invite" => tr.s("error_invalid_invite"),
        "invite_used" => tr.s("error_invite_used"),
        "username_taken" => tr.s("error_username_taken"),
        "unauthorized" => tr.s("error_bad_credentials"),
        "sign_in_refused" | "passphrase_changed" => tr.s("passphrase_changed_elsewhere"),
        "account_disabled" => tr.s("error_account_disabled"),
        "too_many_attempts" => tr.s("error_too_many_attempts"),
        other => generic_error(tr, other),
    }
}

#[component]
pub fn StrengthHint(#[prop(into)] passphrase: Signal<String>) -> impl IntoView {
    let tr = use_tr();
    let level = move || strength(&passphrase.get());
    view! {
        <p id="strength" class=move || format!("hint strength-{:?}", level()).to_lowercase()>
            {move || match level() {
                Strength::Weak => tr.s("strength_weak"),
                Strength::Fair => tr.s("strength_fair"),
                Strength::Strong => tr.s("strength_strong"),
            }}
        </p>
    }
}

/// Why a new passphrase and its repetition are refused (a translation key), if they are.
pub fn new_passphrase_refusal(passphrase: &str, confirm: &str) -> Option<&'static str> {
    if strength(passphrase) == Strength::Weak {
        Some("strength_weak")
    } else if passphrase != confirm {
        Some("passphrase_mismatch")
    } else {
        None
    }
}

/// A new passphrase, its strength and its repetition (`{prefix}-passphrase`,
/// `{prefix}-confirm`).
#[component]
pub fn NewPassphrase(
    prefix: &'static str,
    label: &'static str,
    confirm_label: &'static str,
    passphrase: RwSignal<String>,
    confirm: RwSignal<String>,
) -> impl IntoView {
    let tr = use_tr();
    let (new_id, confirm_id) = (format!("{prefix}-passphrase"), format!("{prefix}-confirm"));
    view! {
        <label for=new_id.clone()>{move || tr.s(label)}</label>
        <input id=new_id type="password" autocomplete="new-password" required
            prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
        <StrengthHint passphrase=passphrase />
        <label for=confirm_id.clone()>{move || tr.s(confirm_label)}</label>
        <input id=confirm_id type="password" autocomplete="new-password" required
            prop:value=confirm on:input=move |ev| confirm.set(event_target_value(&ev)) />
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
    let tr = use_tr();
    view! {
        <Show when=move || error.get().is_some()>
            <p class="field-error" id=format!("{prefix}-error") role="alert">{move || error.get()}</p>
        </Show>
        <Show when=move || busy.get()>
            <p class="notice">{move || tr.s("deriving")}</p>
        </Show>
        <button type="submit" id=format!("{prefix}-submit") disabled=move || busy.get()>{children()}</button>
    }
}
