//! Signing in on a new device: the salt comes from the server, the keys are derived here,
//! and the vault is created on this device.

use crate::api;
use crate::components::tr::use_tr;
use crate::pages::account::{api_error_message, generic_error, SubmitRow};
use crate::session::Phase;
use crate::vault::Vault;
use crate::workspace::use_workspace;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use puente_shared::crypto::derive_keys;
use puente_shared::protocol::LoginRequest;

#[component]
pub fn Login() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if matches!(ws.session.phase_untracked(), Phase::Locked | Phase::Unlocked) {
            // Another account's vault here would be orphaned; it must never be overwritten.
            error.set(Some(tr.s("device_has_vault")));
            return;
        }
        let navigate = navigate.clone();
        let (name, pass) = (username.get_untracked(), passphrase.get_untracked());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(30).await;
            let generic = move |e: String| generic_error(tr, e);
            let result = async {
                let db = ws.session.device_db().await.ok_or_else(|| tr.s("error_generic"))?;
                if ws.session.phase_untracked() != Phase::NoVault {
                    return Err(tr.s("device_has_vault"));
                }
                let params = api::login_params(&name).await.map_err(|e| api_error_message(tr, &e))?;
                // Refuses parameters too weak to protect the vault, whoever sent them.
                let keys = derive_keys(&pass, &params.salt, params.kdf).map_err(|e| generic(e.to_string()))?;
                let request = LoginRequest { username: name.clone(), auth_secret: keys.auth_secret.expose().to_vec() };
                let session = api::login(&request).await.map_err(|e| api_error_message(tr, &e))?;
                let vault = Vault::install(db, &session, keys).await.map_err(|e| generic(e.to_string()))?;
                let recovered = vault.was_recovered();
                ws.open(vault, Some(session.token)).await.map_err(|e| generic(e.to_string()))?;
                Ok(recovered)
            }
            .await;
            busy.set(false);
            match result {
                // Someone else chose this passphrase: the member chooses theirs first.
                Ok(true) => navigate("/passphrase", Default::default()),
                Ok(false) => navigate("/", Default::default()),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    view! {
        <form class="card narrow" id="login-form" on:submit=submit>
            <h1>{move || tr.s("login_title")}</h1>
            <p>{move || tr.s("login_intro")}</p>
            <label for="login-username">{move || tr.s("username")}</label>
            <input id="login-username" autocomplete="username" required
                prop:value=username on:input=move |ev| username.set(event_target_value(&ev)) />
            <label for="login-passphrase">{move || tr.s("passphrase")}</label>
            <input id="login-passphrase" type="password" autocomplete="current-password" required
                prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
            <SubmitRow prefix="login" error=error busy=busy>{move || tr.s("sign_in")}</SubmitRow>
        </form>
    }
}
