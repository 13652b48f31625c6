//! Recovering a member who forgot the passphrase, on an administrator's device: the
//! administrator types the organisation's recovery sheet and the member, sitting with
//! them, chooses a new passphrase. The words open the member's escrowed account key here
//! and nowhere else; the key must open the identity keys the verified log vouches for;
//! only its wrapping under the new passphrase goes to the server. The member then unlocks
//! their own device with the new passphrase and every case opens again.

use crate::api;
use crate::components::tr::{use_tr, Tr};
use crate::pages::account::{api_error_message, generic_error, new_passphrase_refusal, NewPassphrase, SubmitRow};
use crate::sync::session_token;
use crate::workspace::{use_workspace, Workspace};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use puente_shared::credentials::{new_credentials, recovery_statement};
use puente_shared::crypto::{open_member_account_key, KdfParams, Purpose, RecoveryError, RecoveryKey};
use puente_shared::membership::Organisation;
use puente_shared::protocol::Recovery;
use puente_shared::UserId;

fn sheet_error(tr: Tr, error: RecoveryError) -> String {
    match error {
        RecoveryError::WordCount(n) => tr.with("recovery_word_count", &[("n", &n.to_string())]),
        RecoveryError::UnknownWord(n) => tr.with("recovery_unknown_word", &[("n", &n.to_string())]),
        RecoveryError::Checksum => tr.s("recovery_checksum"),
    }
}

/// Opens `user`'s account key with the typed sheet and puts `passphrase` in force for it.
async fn recover(
    ws: Workspace,
    tr: Tr,
    org: &Organisation,
    user: UserId,
    words: &str,
    passphrase: &str,
) -> Result<(), String> {
    let recovery = RecoveryKey::parse(words).map_err(|e| sheet_error(tr, e))?;
    if recovery.public() != org.recovery {
        return Err(tr.s("recovery_not_this_sheet"));
    }
    let vouched = org.keys_of(user).ok_or_else(|| tr.s("recovery_not_member"))?;
    if ws.org.trusted_recovery_key() != Some(org.recovery) {
        // A log whose root came from the server could name keys the server chose.
        return Err(tr.s("org_root_from_server"));
    }
    let vault = ws.session.vault().ok_or_else(|| tr.s("org_need_network"))?;
    let token = session_token(ws.session, &vault).await.map_err(|e| api_error_message(tr, &e))?;
    let material = api::recovery_material(&token, user).await.map_err(|e| match e.code() {
        "no_escrow" => tr.s("recovery_no_escrow"),
        _ => api_error_message(tr, &e),
    })?;
    let member =
        open_member_account_key(&recovery, org.id, user, &material.escrow.sealed, &material.identity.wrapped, &vouched)
            .map_err(|_| tr.s("recovery_not_member_key"))?;
    let (credentials, _) = new_credentials(passphrase, KdfParams::default(), user, &member.account_key)
        .map_err(|e| generic_error(tr, e))?;
    // Signed with the member's own key, which only the opened escrow gave this device.
    let replaces = material.credentials_version;
    let statement = recovery_statement(org.id, user, replaces, &credentials);
    let signature = member.identity.sign(Purpose::Recovery, &statement);
    let request = Recovery { replaces, credentials, signature };
    api::recover_member(&token, user, &request).await.map_err(|e| api_error_message(tr, &e))
}

#[component]
pub fn RecoverForm(user: UserId, close: Callback<()>) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let words = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pass = passphrase.get_untracked();
        if let Some(refusal) = new_passphrase_refusal(&pass, &confirm.get_untracked()) {
            error.set(Some(tr.s(refusal)));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(30).await;
            let typed = zeroize::Zeroizing::new(words.get_untracked());
            let result = match ws.org.verified_untracked() {
                Some(org) => recover(ws, tr, &org, user, &typed, &pass).await,
                None => Err(tr.s("org_need_network")),
            };
            busy.try_set(false);
            match result {
                Ok(()) => {
                    // Nothing of the sheet or the passphrase stays on the screen.
                    for field in [words, passphrase, confirm] {
                        field.set(String::new());
                    }
                    done.set(true);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form class="card" id="recover-form" data-recover=user.to_string() on:submit=submit>
            <h3>{move || tr.s("recovery_title")}</h3>
            <Show when=move || !done.get() fallback=move || view! {
                <p class="notice" id="recovered" role="status">{move || tr.s("recovery_done")}</p>
                <button type="button" on:click=move |_| { close.try_run(()); }>{move || tr.s("close")}</button>
            }>
                <p>{move || tr.s("recovery_intro")}</p>
                <label for="recovery-typed">{move || tr.s("recovery_words_label")}</label>
                <textarea id="recovery-typed" rows="4" dir="ltr" autocomplete="off" spellcheck="false"
                    autocapitalize="none" required
                    prop:value=words on:input=move |ev| words.set(event_target_value(&ev))></textarea>
                <NewPassphrase prefix="recovery" label="recovery_new_passphrase" confirm_label="passphrase_repeat_new"
                    passphrase=passphrase confirm=confirm />
                <div class="row">
                    <button type="button" class="secondary" on:click=move |_| { close.try_run(()); }>{move || tr.s("cancel")}</button>
                </div>
                <SubmitRow prefix="recover" error=error busy=busy>{move || tr.s("recovery_submit")}</SubmitRow>
            </Show>
        </form>
    }
}
