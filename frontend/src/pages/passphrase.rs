//! Changing the passphrase: the current one is proved again, on the device and to the
//! server; the account key stays and is wrapped anew, so every case stays readable. Every
//! other device's session ends, and each takes the new passphrase at its next unlock.

use crate::api::{self, ApiError};
use crate::components::tr::use_tr;
use crate::pages::account::{api_error_message, generic_error, new_passphrase_refusal, NewPassphrase, SubmitRow};
use crate::sync::session_token;
use crate::vault::VaultError;
use crate::workspace::use_workspace;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

#[component]
pub fn ChangePassphrase() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (old, pass) = (current.get_untracked(), new.get_untracked());
        let refusal = new_passphrase_refusal(&pass, &confirm.get_untracked())
            .or_else(|| (pass == old).then_some("passphrase_same"));
        if let Some(key) = refusal {
            error.set(Some(tr.s(key)));
            return;
        }
        let Some(vault) = ws.session.vault() else { return };
        busy.set(true);
        error.set(None);
        done.set(false);
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(30).await;
            let result = async {
                // Sync holds off until the change is done, so that it never takes the end
                // of its old session for news from another device.
                let _changing = vault.changing_passphrase();
                let (change, keys) = vault.prepare_passphrase_change(&old, &pass).await.map_err(|e| match e {
                    VaultError::WrongPassphrase => tr.s("wrong_passphrase"),
                    other => generic_error(tr, other),
                })?;
                let token = session_token(ws.session, &vault).await.map_err(|e| api_error_message(tr, &e))?;
                let renewed = match api::change_passphrase(&token, &change).await {
                    Ok(renewed) => renewed,
                    // The device took the passphrase, the server did not: it was changed
                    // elsewhere first.
                    Err(ApiError::Refused { code, .. }) if code == "wrong_passphrase" => {
                        return Err(tr.s("passphrase_changed_elsewhere"))
                    }
                    Err(error) => return Err(api_error_message(tr, &error)),
                };
                // The new passphrase first, so sync takes no session of the old one after it.
                let kept = vault.passphrase_changed(&change.new, keys).await;
                if ws.session.is_current(&vault) {
                    ws.session.set_token(Some(renewed.token));
                    ws.sync.request();
                }
                // In force on the server; the next unlock signs in with it if this device
                // could not keep it.
                kept.map_err(|_| tr.s("passphrase_changed_not_kept"))
            }
            .await;
            busy.set(false);
            match result {
                Ok(()) => {
                    for field in [current, new, confirm] {
                        field.set(String::new());
                    }
                    done.set(true);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };

    view! {
        <form class="card narrow" id="passphrase-form" on:submit=submit>
            <h1>{move || tr.s("passphrase_change_title")}</h1>
            <Show when=move || !done.get() && ws.session.vault().is_some_and(|v| v.was_recovered())>
                <p class="notice" id="recovered-notice" role="status">{move || tr.s("passphrase_after_recovery")}</p>
            </Show>
            <p>{move || tr.s("passphrase_change_intro")}</p>
            <label for="current-passphrase">{move || tr.s("passphrase_current")}</label>
            <input id="current-passphrase" type="password" autocomplete="current-password" required
                prop:value=current on:input=move |ev| current.set(event_target_value(&ev)) />
            <NewPassphrase prefix="new" label="passphrase_new" confirm_label="passphrase_repeat_new"
                passphrase=new confirm=confirm />
            <Show when=move || done.get()>
                <p class="notice" id="passphrase-changed" role="status">{move || tr.s("passphrase_changed")}</p>
            </Show>
            <SubmitRow prefix="passphrase" error=error busy=busy>{move || tr.s("passphrase_change")}</SubmitRow>
        </form>
    }
}
