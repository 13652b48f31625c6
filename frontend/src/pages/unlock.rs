//! Unlocks the vault with the passphrase, offline.

use crate::components::tr::use_tr;
use crate::pages::account::{generic_error, SubmitRow};
use crate::vault::{Vault, VaultError};
use crate::workspace::use_workspace;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

#[component]
pub fn Unlock() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let passphrase = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let username = RwSignal::new(String::new());
    leptos::task::spawn_local(async move {
        if let Some(db) = ws.session.db() {
            if let Ok(Some(header)) = db.header().await {
                username.set(header.username);
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(db) = ws.session.db() else { return };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            // Let the "securing keys" message paint before the slow derivation.
            TimeoutFuture::new(30).await;
            match Vault::unlock(db, &passphrase.get_untracked()).await {
                Ok(vault) => match ws.open(vault, None).await {
                    Ok(()) => passphrase.set(String::new()),
                    Err(e) => error.set(Some(generic_error(tr, e))),
                },
                Err(VaultError::WrongPassphrase) => error.set(Some(tr.s("wrong_passphrase"))),
                Err(e) => error.set(Some(generic_error(tr, e))),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="card narrow" id="unlock-form" on:submit=submit>
            <h1>{move || tr.s("unlock_title")}</h1>
            <Show when=move || ws.session.locked_for_idle()>
                <p class="notice">{move || tr.s("locked_idle")}</p>
            </Show>
            <p>{move || tr.with("unlock_intro", &[("username", &username.get())])}</p>
            <label for="unlock-passphrase">{move || tr.s("passphrase")}</label>
            <input id="unlock-passphrase" type="password" autocomplete="current-password" required
                prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
            <SubmitRow prefix="unlock" error=error busy=busy>{move || tr.s("unlock")}</SubmitRow>
        </form>
    }
}
