//! Unlocks the vault with the passphrase, offline. A passphrase the vault does not take
//! may be a new one (changed on another device, or set by a recovery): then the device
//! signs in with it and the vault takes it, its cases unchanged. A vault told that its
//! passphrase changed opens only that way.

use crate::api::{self, ApiError};
use crate::components::tr::use_tr;
use crate::pages::account::{generic_error, SubmitRow};
use crate::vault::db::DeviceDb;
use crate::vault::{Vault, VaultError};
use crate::workspace::use_workspace;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use puente_shared::crypto::derive_keys;
use puente_shared::protocol::LoginRequest;

enum SignIn {
    Opened(Box<Vault>, String),
    /// The server does not take this passphrase either (or it was the vault's own).
    Refused,
    Failed(String),
}

/// Signs in with `passphrase` and opens the vault with what the server answers.
async fn sign_in_again(db: DeviceDb, passphrase: &str) -> SignIn {
    let Ok(Some(header)) = db.header().await else { return SignIn::Failed("no vault".into()) };
    let params = match api::login_params(&header.username).await {
        Ok(params) => params,
        Err(ApiError::Offline) => return SignIn::Failed("offline".into()),
        Err(error) => return SignIn::Failed(error.code().to_owned()),
    };
    if params.salt == header.salt && params.kdf == header.kdf && !header.must_sign_in {
        // The passphrase did not change: the one typed is simply wrong.
        return SignIn::Refused;
    }
    let keys = match derive_keys(passphrase, &params.salt, params.kdf) {
        Ok(keys) => keys,
        Err(error) => return SignIn::Failed(error.to_string()),
    };
    let request = LoginRequest { username: header.username.clone(), auth_secret: keys.auth_secret.expose().to_vec() };
    let session = match api::login(&request).await {
        Ok(session) => session,
        Err(ApiError::Unauthorized) => return SignIn::Refused,
        Err(error) => return SignIn::Failed(error.code().to_owned()),
    };
    match Vault::reopen(db, &session, keys).await {
        Ok(vault) => SignIn::Opened(Box::new(vault), session.token),
        Err(VaultError::WrongPassphrase) => SignIn::Refused,
        Err(error) => SignIn::Failed(error.to_string()),
    }
}

#[component]
pub fn Unlock() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let passphrase = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let username = RwSignal::new(String::new());
    let must_sign_in = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Some(db) = ws.session.db() {
            if let Ok(Some(header)) = db.header().await {
                username.set(header.username);
                must_sign_in.set(header.must_sign_in);
            }
        }
    });

    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(db) = ws.session.db() else { return };
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            // Let the "securing keys" message paint before the slow derivation.
            TimeoutFuture::new(30).await;
            let pass = passphrase.get_untracked();
            let opened = match Vault::unlock(db.clone(), &pass).await {
                Ok(vault) => Ok((vault, None)),
                Err(first @ (VaultError::WrongPassphrase | VaultError::MustSignIn)) => {
                    match sign_in_again(db, &pass).await {
                        SignIn::Opened(vault, token) => Ok((*vault, Some(token))),
                        SignIn::Refused => Err(tr.s("wrong_passphrase")),
                        SignIn::Failed(_) if matches!(first, VaultError::WrongPassphrase) => {
                            Err(tr.s("wrong_passphrase"))
                        }
                        SignIn::Failed(detail) if detail == "offline" => Err(tr.s("must_sign_in_offline")),
                        SignIn::Failed(detail) => Err(generic_error(tr, detail)),
                    }
                }
                Err(e) => Err(generic_error(tr, e)),
            };
            match opened {
                Ok((vault, token)) => {
                    let recovered = vault.was_recovered();
                    match ws.open(vault, token).await {
                        Ok(()) => {
                            passphrase.set(String::new());
                            if recovered {
                                // Someone else chose this passphrase: the member chooses theirs.
                                navigate("/passphrase", Default::default());
                            }
                        }
                        Err(e) => error.set(Some(generic_error(tr, e))),
                    }
                }
                Err(message) => error.set(Some(message)),
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
            <Show when=move || must_sign_in.get()>
                <p class="notice" id="unlock-must-sign-in">{move || tr.s("must_sign_in")}</p>
            </Show>
            <p>{move || tr.with("unlock_intro", &[("username", &username.get())])}</p>
            <label for="unlock-passphrase">{move || tr.s("passphrase")}</label>
            <input id="unlock-passphrase" type="password" autocomplete="current-password" required
                prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
            <SubmitRow prefix="unlock" error=error busy=busy>{move || tr.s("unlock")}</SubmitRow>
        </form>
    }
}
