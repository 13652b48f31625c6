//! Enrolment from a one-time invite link (`/enrol#CODE`): choose a username and a
//! passphrase; the account key is created and wrapped here, on the device.

use crate::api;
use crate::components::tr::use_tr;
use crate::pages::account::{api_error_message, generic_error, new_passphrase_refusal, NewPassphrase, SubmitRow};
use crate::session::Phase;
use crate::vault::{new_account_keys, Vault};
use crate::workspace::use_workspace;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use puente_shared::crypto::KdfParams;
use puente_shared::membership::Digest;
use puente_shared::protocol::{EnrolRequest, NewCredentials, Username};
use puente_shared::UserId;

/// The link's fragment: the invite code, then — in links an administrator made in the app —
/// `.` and the organisation's root, which this device will trust instead of the server.
fn invite_from_location() -> (String, Option<Digest>) {
    let fragment =
        web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default().trim_start_matches('#').to_owned();
    match fragment.split_once('.') {
        // A damaged root must not quietly become "trust the server": the link is refused.
        Some((invite, root)) => match Digest::parse(root) {
            Ok(root) => (invite.to_owned(), Some(root)),
            Err(_) => (String::new(), None),
        },
        None => (fragment, None),
    }
}

#[component]
pub fn Enrol() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let navigate = use_navigate();
    let (invite, root) = invite_from_location();
    let has_invite = !invite.is_empty();
    let username = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let mismatch = move || !confirm.get().is_empty() && confirm.get() != passphrase.get();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(name) = Username::parse(&username.get_untracked()) else {
            error.set(Some(tr.s("error_invalid_username")));
            return;
        };
        let pass = passphrase.get_untracked();
        if let Some(refusal) = new_passphrase_refusal(&pass, &confirm.get_untracked()) {
            error.set(Some(tr.s(refusal)));
            return;
        }
        let invite = invite.clone();
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(30).await;
            let user_id = UserId::random();
            let result = async {
                let db = ws.session.device_db().await.ok_or_else(|| tr.s("error_generic"))?;
                let account =
                    new_account_keys(&pass, user_id, KdfParams::default()).map_err(|e| generic_error(tr, e))?;
                let keys = account.keys;
                let request = EnrolRequest {
                    invite,
                    username: name,
                    user_id,
                    credentials: NewCredentials {
                        auth_secret: keys.auth_secret.expose().to_vec(),
                        salt: account.salt,
                        kdf: KdfParams::default(),
                        wrapped_account_key: account.wrapped_account_key,
                    },
                    identity: account.identity,
                };
                let session = api::enrol(&request).await.map_err(|e| api_error_message(tr, &e))?;
                let vault = Vault::install(db, &session, keys).await.map_err(|e| generic_error(tr, e))?;
                if let Some(root) = root {
                    ws.org.trust_root(&vault, root).await.map_err(|e| generic_error(tr, e))?;
                }
                ws.open(vault, Some(session.token)).await.map_err(|e| generic_error(tr, e))
            }
            .await;
            busy.set(false);
            match result {
                Ok(()) => navigate("/", Default::default()),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    let already = move || matches!(ws.session.phase(), Phase::Locked | Phase::Unlocked);
    view! {
        <form class="card narrow" id="enrol-form" on:submit=submit>
            <h1>{move || tr.s("enrol_title")}</h1>
            <Show when=move || has_invite fallback=move || view! { <p class="field-error">{move || tr.s("enrol_missing_invite")}</p> }>
                <Show when=move || !already() fallback=move || view! { <p class="notice">{move || tr.s("device_has_vault")}</p> }>
                    <p>{move || tr.s("enrol_intro")}</p>
                    <label for="enrol-username">{move || tr.s("username")}</label>
                    <input id="enrol-username" autocomplete="username" required
                        prop:value=username on:input=move |ev| username.set(event_target_value(&ev)) />
                    <p class="hint">{move || tr.s("username_hint")}</p>
                    <NewPassphrase prefix="enrol" label="passphrase" confirm_label="passphrase_confirm"
                        passphrase=passphrase confirm=confirm />
                    <Show when=mismatch>
                        <p class="field-error">{move || tr.s("passphrase_mismatch")}</p>
                    </Show>
                    <SubmitRow prefix="enrol" error=error busy=busy>{move || tr.s("create_vault")}</SubmitRow>
                </Show>
            </Show>
        </form>
    }
}
