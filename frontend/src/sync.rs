//! Background sync while the vault is unlocked: push local changes through the outbox,
//! then pull the organisation's change feed. A revision taken by another device is never
//! overwritten and never dropped: both versions are kept and the case is marked in conflict.

use crate::api::{self, ApiError, PushOutcome};
use crate::state::{AppState, CaseEntry, Conflict, Net, Phase};
use crate::vault::records::OutboxEntry;
use crate::vault::{Vault, VaultError};
use crate::workspace::{mark_stored, record_of, store};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use puente_shared::protocol::{ChangeEntry, LoginRequest};
use std::rc::Rc;

/// How often sync looks for work.
const TICK_MS: u32 = 1_500;
/// How often it pulls when there is nothing to push.
const PULL_EVERY_MS: f64 = 10_000.0;

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("server: {}", .0.code())]
    Api(ApiError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl From<ApiError> for SyncError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<crate::vault::db::DbError> for SyncError {
    fn from(error: crate::vault::db::DbError) -> Self {
        Self::Vault(error.into())
    }
}

/// Runs until the vault is locked (or another loop is started).
pub fn start(state: AppState) {
    let generation = state.sync_generation.get_value() + 1;
    state.sync_generation.set_value(generation);
    leptos::task::spawn_local(async move {
        let mut last_pull = f64::MIN;
        let mut last_settings = f64::MIN;
        let mut seen_request = u64::MAX;
        while state.phase.get_untracked() == Phase::Unlocked && state.sync_generation.get_value() == generation {
            let requested = state.sync_requested.get_untracked();
            let due = requested != seen_request || js_sys::Date::now() - last_pull > PULL_EVERY_MS;
            if due {
                seen_request = requested;
                // Settings change rarely: fetched at the rhythm of the periodic pull, not
                // again for every save that asks for a sync.
                let with_settings = js_sys::Date::now() - last_settings > PULL_EVERY_MS;
                match sync_once(state, with_settings).await {
                    Ok(()) => {
                        last_pull = js_sys::Date::now();
                        if with_settings {
                            last_settings = last_pull;
                        }
                        state.net.set(Net::Online);
                    }
                    Err(SyncError::Api(ApiError::Offline)) => state.net.set(Net::Offline),
                    Err(SyncError::Api(ApiError::Unauthorized)) => {
                        state.token.set_value(None);
                        state.net.set(Net::Error);
                    }
                    Err(error) => {
                        web_sys::console::warn_1(&format!("sync: {error}").into());
                        state.net.set(Net::Error);
                    }
                }
            }
            TimeoutFuture::new(TICK_MS).await;
        }
    });
}

async fn sync_once(state: AppState, with_settings: bool) -> Result<(), SyncError> {
    let Some(vault) = state.vault() else { return Ok(()) };
    if state.net.get_untracked() != Net::Online {
        state.net.set(Net::Syncing);
    }
    let token = token(state, &vault).await?;
    push_all(state, &vault, &token).await?;
    pull(state, &vault, &token).await?;
    if with_settings {
        refresh_settings(state, &vault, &token).await?;
    }
    Ok(())
}

/// The organisation's settings, kept on the device for offline use.
async fn refresh_settings(state: AppState, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
    let settings = api::settings(token).await?;
    if state.settings.with_untracked(|current| *current != settings) {
        vault.db.put_settings(&settings).await?;
        if still_open(state, vault) {
            state.settings.set(settings);
        }
    }
    Ok(())
}

/// The session token, signing in again with the vault's auth secret when needed.
async fn token(state: AppState, vault: &Vault) -> Result<String, SyncError> {
    if let Some(token) = state.token.get_value() {
        return Ok(token);
    }
    let request =
        LoginRequest { username: vault.header.username.clone(), auth_secret: vault.auth_secret().expose().to_vec() };
    let session = api::login(&request).await?;
    state.token.set_value(Some(session.token.clone()));
    Ok(session.token)
}

fn still_open(state: AppState, vault: &Rc<Vault>) -> bool {
    state.vault().is_some_and(|current| Rc::ptr_eq(&current, vault))
}

async fn push_all(state: AppState, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
    let outbox = vault.db.outbox().await?;
    let waiting: Vec<CaseEntry> = state
        .cases
        .with_untracked(|cases| cases.values().filter(|c| c.dirty && c.conflict.is_none()).cloned().collect());
    for entry in waiting {
        let id = entry.doc.id;
        let revision = entry.base_rev + 1;
        // Reuse the bytes of an unanswered push, so its retry is recognised as the same.
        let queued = match outbox.iter().find(|o| o.case == id && o.revision == revision) {
            Some(queued) => queued.clone(),
            None => {
                let queued = OutboxEntry {
                    case: id,
                    revision,
                    sealed: vault.seal(&entry.doc, &entry.key, revision),
                    edit_seq: entry.edit_seq,
                };
                vault.db.put_outbox(&queued).await?;
                queued
            }
        };
        let outcome = api::push(token, id, revision, &queued.sealed).await?;
        let conflict = match outcome {
            PushOutcome::Accepted => None,
            PushOutcome::Taken { latest } => {
                let sealed = api::fetch(token, id, latest).await?;
                let (doc, _) = vault.open(&sealed, id, Some(latest))?;
                Some(Conflict { revision: latest, sealed, doc })
            }
        };
        if !still_open(state, vault) {
            return Ok(());
        }
        // Settle against the case as it is now: it may have been edited meanwhile.
        let mut settled = None;
        state.cases.update(|cases| {
            if let Some(current) = cases.get_mut(&id) {
                match conflict {
                    None => {
                        current.base_rev = revision;
                        current.dirty = current.edit_seq != queued.edit_seq;
                    }
                    Some(conflict) => current.conflict = Some(conflict),
                }
                settled = Some(current.clone());
            }
        });
        if let Some(current) = settled {
            vault.db.settle_push(&record_of(vault, &current)).await?;
            mark_stored(state, &current);
            if current.dirty {
                // Edited since the bytes just pushed were sealed (or they were an earlier
                // attempt's): push the rest at the next tick, not at the next periodic pull.
                state.sync_requested.update(|n| *n += 1);
            }
        }
    }
    Ok(())
}

async fn pull(state: AppState, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
    let mut cursor = vault.db.cursor().await?;
    loop {
        let page = api::changes(token, cursor).await?;
        for change in &page.entries {
            apply(state, vault, token, change).await?;
        }
        if page.next != cursor {
            cursor = page.next;
            vault.db.put_cursor(cursor).await?;
        }
        if !page.more {
            return Ok(());
        }
    }
}

async fn apply(state: AppState, vault: &Rc<Vault>, token: &str, change: &ChangeEntry) -> Result<(), SyncError> {
    let known = state.cases.with_untracked(|cases| {
        cases.get(&change.case).map(|c| c.base_rev.max(c.conflict.as_ref().map_or(0, |x| x.revision)))
    });
    if known.is_some_and(|rev| rev >= change.revision) {
        return Ok(());
    }
    let sealed = api::fetch(token, change.case, change.revision).await?;
    let (doc, key) = match vault.open(&sealed, change.case, Some(change.revision)) {
        Ok(opened) => opened,
        // A colleague's case, sealed for their keys: this account has no access to it (and
        // must not stall the feed on it).
        Err(VaultError::Crypto(_)) => return Ok(()),
        Err(other) => return Err(other.into()),
    };
    if !still_open(state, vault) {
        return Ok(());
    }
    let edited_in_memory = state.pending.with_value(|p| p.is_some_and(|(id, _)| id == change.case));
    let mut updated = None;
    state.cases.update(|cases| {
        let entry = match cases.remove(&change.case) {
            Some(mut local) if local.dirty || edited_in_memory => {
                local.conflict = Some(Conflict { revision: change.revision, sealed, doc });
                local
            }
            Some(local) => CaseEntry {
                doc,
                key,
                base_rev: change.revision,
                dirty: false,
                edit_seq: local.edit_seq,
                stored_seq: local.stored_seq,
                conflict: None,
            },
            None => CaseEntry {
                doc,
                key,
                base_rev: change.revision,
                dirty: false,
                edit_seq: 0,
                stored_seq: 0,
                conflict: None,
            },
        };
        updated = Some(entry.clone());
        cases.insert(change.case, entry);
    });
    if let Some(entry) = updated {
        store(state, vault, &entry).await?;
    }
    Ok(())
}
