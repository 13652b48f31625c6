//! Background sync while the vault is unlocked: push local changes through the outbox,
//! then pull the organisation's change feed. What each outcome means for a case is decided
//! by its `CaseSync` (shared crate); this module does the requests and the writes. A
//! revision taken by another device is never overwritten and never dropped: both versions
//! are kept and the case is in conflict.

mod access;
mod rotation;

use crate::api::{self, ApiError, PushOutcome};
use crate::open_cases::{CaseEntry, OpenCases};
use crate::organisation::{Membership, OrgError};
use crate::persist;
use crate::session::{Phase, Session};
use crate::vault::{Vault, VaultError};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use puente_shared::case_sync::{CaseSync, Pulled, Push};
use puente_shared::protocol::{ChangeEntry, ChangeKind, LoginRequest};
use puente_shared::CaseId;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// How often sync looks for work.
const TICK_MS: u32 = 1_500;
/// How often it pulls when there is nothing to push.
const PULL_EVERY_MS: f64 = 10_000.0;

/// The connection to the server, as last seen by sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    Unknown,
    Syncing,
    Online,
    Offline,
    Error,
    /// The organisation disabled this account.
    Disabled,
    /// The passphrase was changed on another device, or by a recovery: this device signs
    /// in with the new one at its next unlock.
    PassphraseChanged,
    /// Signing in again with this vault's passphrase was refused.
    SignInRefused,
}

/// What the rest of the app sees of sync: the connection, and a way to ask for a sync now.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    net: RwSignal<Net>,
    /// Bumped to make sync run now rather than at its next tick.
    requested: RwSignal<u64>,
    /// Which sync loop is current: a loop from before a lock stops even if the vault was
    /// unlocked again before it noticed.
    generation: StoredValue<u64>,
}

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("server: {}", .0.code())]
    Api(ApiError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The vault this run began with was locked: nothing more may be read or written with
    /// it, and the feed's cursor must not move past what was not applied.
    #[error("the vault was locked")]
    Stale,
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

impl SyncStatus {
    pub fn new() -> Self {
        Self { net: RwSignal::new(Net::Unknown), requested: RwSignal::new(0), generation: StoredValue::new(0) }
    }

    /// The connection as last seen (tracked).
    pub fn net(&self) -> Net {
        self.net.get()
    }

    /// Asks for a sync at the next tick rather than at the next periodic pull.
    pub fn request(&self) {
        self.requested.update(|n| *n += 1);
    }

    /// Runs until the vault is locked (or another loop is started).
    pub fn start(self, session: Session, cases: OpenCases, org: Membership) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let run = Run { session, cases, org, status: self, renewed_unasked: StoredValue::new(BTreeSet::new()) };
        leptos::task::spawn_local(async move {
            let mut last_pull = f64::MIN;
            let mut last_settings = f64::MIN;
            let mut seen_request = u64::MAX;
            while session.phase_untracked() == Phase::Unlocked && self.generation.get_value() == generation {
                let requested = self.requested.get_untracked();
                let due = requested != seen_request || js_sys::Date::now() - last_pull > PULL_EVERY_MS;
                if due {
                    seen_request = requested;
                    // Settings change rarely: fetched at the rhythm of the periodic pull, not
                    // again for every save that asks for a sync.
                    let with_settings = js_sys::Date::now() - last_settings > PULL_EVERY_MS;
                    let result = run.once(with_settings).await;
                    if self.generation.get_value() != generation || session.phase_untracked() != Phase::Unlocked {
                        // Locked (and perhaps unlocked again) meanwhile: what this run met,
                        // a refusal of the session the lock ended included, is not news.
                        break;
                    }
                    match result {
                        Ok(()) => {
                            last_pull = js_sys::Date::now();
                            if with_settings {
                                last_settings = last_pull;
                            }
                            self.net.set(Net::Online);
                        }
                        Err(SyncError::Stale) => {}
                        Err(SyncError::Api(ApiError::Offline)) => self.net.set(Net::Offline),
                        Err(SyncError::Api(ApiError::Unauthorized)) => {
                            session.set_token(None);
                            self.net.set(Net::Error);
                        }
                        Err(SyncError::Api(ApiError::PassphraseChanged)) => {
                            // Sync waits (see `once`) until this device takes the new
                            // passphrase: here, at the next unlock, or by changing it here.
                            session.set_token(None);
                            if let Some(vault) = session.vault().filter(|vault| !vault.must_sign_in()) {
                                if let Err(error) = vault.mark_must_sign_in().await {
                                    web_sys::console::error_1(&format!("sync: {error}").into());
                                }
                            }
                            self.net.set(Net::PassphraseChanged);
                        }
                        Err(SyncError::Api(ApiError::SignInRefused)) => {
                            // Each try would count against the member's sign-in throttle.
                            self.net.set(Net::SignInRefused);
                            break;
                        }
                        Err(SyncError::Api(ApiError::Disabled)) => {
                            // Each try would cost the server a slow hash; the next unlock
                            // starts sync again.
                            session.set_token(None);
                            self.net.set(Net::Disabled);
                            break;
                        }
                        Err(error) => {
                            web_sys::console::warn_1(&format!("sync: {error}").into());
                            self.net.set(Net::Error);
                        }
                    }
                }
                TimeoutFuture::new(TICK_MS).await;
            }
        });
    }
}

/// The session token, signing in again with the vault's auth secret when needed. A sign-in
/// refused with the secret this vault unlocked with means the passphrase has changed (or the
/// account is gone): [`ApiError::SignInRefused`], not tried again until the next unlock.
pub async fn session_token(session: Session, vault: &Rc<Vault>) -> Result<String, ApiError> {
    if let Some(token) = session.token() {
        return Ok(token);
    }
    let epoch = vault.credentials_epoch();
    let request = LoginRequest { username: vault.username(), auth_secret: vault.auth_secret().expose().to_vec() };
    let signed_in = match api::login(&request).await {
        Err(ApiError::Unauthorized) => return Err(ApiError::SignInRefused),
        other => other?,
    };
    // A session opened with a passphrase this device replaced meanwhile is not kept: it
    // would stand in for the one the change gave.
    if vault.credentials_epoch() == epoch && session.is_current(vault) {
        session.set_token(Some(signed_in.token.clone()));
    }
    Ok(signed_in.token)
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// One sync loop's view of the app.
#[derive(Clone, Copy)]
struct Run {
    session: Session,
    cases: OpenCases,
    org: Membership,
    status: SyncStatus,
    /// Cases whose key this loop renewed because no current writer had given it the key in
    /// force, since their last accepted push: renewed once, not again and again for a
    /// server that keeps naming keys nobody gave.
    renewed_unasked: StoredValue<BTreeSet<CaseId>>,
}

impl Run {
    async fn once(self, with_settings: bool) -> Result<(), SyncError> {
        let Some(vault) = self.session.vault() else { return Ok(()) };
        if vault.is_changing_passphrase() {
            return Err(SyncError::Stale);
        }
        if vault.must_sign_in() {
            // Nothing the old passphrase's session sends is taken; edits stay on the device.
            self.store_unsaved(&vault).await?;
            return Err(SyncError::Api(ApiError::PassphraseChanged));
        }
        let epoch = vault.credentials_epoch();
        let result = self.with_vault(&vault, with_settings).await;
        match result {
            // Refused under a passphrase this device has since replaced itself: not news.
            Err(SyncError::Api(ApiError::PassphraseChanged | ApiError::SignInRefused))
                if vault.is_changing_passphrase() || vault.credentials_epoch() != epoch =>
            {
                Err(SyncError::Stale)
            }
            other => other,
        }
    }

    async fn with_vault(self, vault: &Rc<Vault>, with_settings: bool) -> Result<(), SyncError> {
        if self.status.net.get_untracked() != Net::Online {
            self.status.net.set(Net::Syncing);
        }
        self.store_unsaved(vault).await?;
        let token = self.token(vault).await?;
        self.with_token(vault, &token, with_settings).await
    }

    /// The rest of a sync, with a session: publish identity keys, refresh the organisation
    /// (whose log says whose signatures and grants count), push, pull, keep the escrow,
    /// refresh the settings.
    async fn with_token(self, vault: &Rc<Vault>, token: &str, with_settings: bool) -> Result<(), SyncError> {
        if let Some(identity) = vault.unpublished_identity() {
            api::publish_identity(token, &identity).await?;
            self.ensure_current(vault)?;
            vault.identity_was_published().await?;
        }
        match self.org.refresh(vault, token).await {
            Ok(()) => {}
            Err(OrgError::Api(error)) => return Err(error.into()),
            Err(OrgError::Vault(error)) => return Err(error.into()),
            Err(error) => web_sys::console::warn_1(&format!("membership: {error}").into()),
        }
        self.ensure_current(vault)?;
        self.push_all(vault, token).await?;
        self.pull(vault, token).await?;
        self.ensure_current(vault)?;
        self.keep_escrow(vault, token).await?;
        if with_settings {
            self.refresh_settings(vault, token).await?;
        }
        Ok(())
    }

    /// Stores what is in memory only: autosave's write may have failed, or a pulled revision
    /// was adopted and its write failed. Nothing is pushed before it is stored.
    async fn store_unsaved(self, vault: &Rc<Vault>) -> Result<(), SyncError> {
        let unsaved: Vec<CaseEntry> =
            self.cases.with_untracked(|cases| cases.values().filter(|e| e.sync.needs_store()).cloned().collect());
        for entry in unsaved {
            self.ensure_current(vault)?;
            persist::store(vault, self.cases, &entry).await?;
        }
        Ok(())
    }

    fn ensure_current(self, vault: &Rc<Vault>) -> Result<(), SyncError> {
        if self.session.is_current(vault) {
            Ok(())
        } else {
            Err(SyncError::Stale)
        }
    }

    async fn token(self, vault: &Rc<Vault>) -> Result<String, SyncError> {
        Ok(session_token(self.session, vault).await?)
    }

    /// Seals the account key to the organisation's recovery key once, so that an
    /// administrator with the recovery sheet can recover this member.
    async fn keep_escrow(self, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
        let Some(recovery) = self.org.trusted_recovery_key() else { return Ok(()) };
        let Some(escrow) = vault.escrow_for(&recovery) else { return Ok(()) };
        match api::put_escrow(token, &escrow).await {
            Ok(()) => {
                self.ensure_current(vault)?;
                vault.escrow_kept(&recovery).await?;
            }
            // Refused (kept for another recovery key, or a recovery key the server does not
            // know): the server's word against the verified log's, so nothing is recorded,
            // the rest of sync goes on, and the next sync tries again.
            Err(ApiError::Refused { code, .. }) => {
                web_sys::console::warn_1(&format!("recovery: the escrow was refused ({code})").into());
            }
            Err(error) => return Err(error.into()),
        }
        Ok(())
    }

    /// The organisation's settings, kept on the device for offline use.
    async fn refresh_settings(self, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
        let settings = api::settings(token).await?;
        self.ensure_current(vault)?;
        if self.cases.settings_untracked() != settings {
            vault.db.put_settings(&settings).await?;
            self.cases.set_settings(settings);
        }
        Ok(())
    }

    async fn push_all(self, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
        let outbox = vault.db.outbox().await?;
        let waiting: Vec<(CaseEntry, Push)> = self
            .cases
            .with_untracked(|cases| cases.values().filter_map(|e| e.sync.push().map(|p| (e.clone(), p))).collect());
        for (entry, push) in waiting {
            let id = entry.doc.id;
            if self.push_blocked(id, push.revision) {
                // The server's newest revision of this case is one set aside: the edits
                // stay here, and the case says so.
                continue;
            }
            // Reuse the bytes of an unanswered push, so its retry is recognised as the same.
            let queued = match outbox.iter().find(|o| o.case == id && o.revision == push.revision) {
                Some(queued) => queued.clone(),
                None => persist::queue_push(vault, &entry, push).await?,
            };
            let push = Push { revision: queued.revision, edit_seq: queued.edit_seq };
            let access = async {
                if push.revision == 1 {
                    self.create_access(vault, token, &entry).await?;
                }
                self.share_as_logged(vault, token, &entry, push.revision).await
            };
            match access.await {
                Err(SyncError::Api(ApiError::Refused { code, .. })) => {
                    web_sys::console::warn_1(&format!("case {id}: access refused ({code})").into());
                    self.cases.set_push_refused(id, true);
                    continue;
                }
                other => other?,
            }
            let outcome = match api::push(token, id, push.revision, &queued.sealed).await {
                // No longer this member's to write (reassigned, or the access was taken
                // away): the edits stay on this device; other cases go on.
                Err(ApiError::Refused { status: 403, code, .. }) => {
                    web_sys::console::warn_1(&format!("case {id}: push refused ({code})").into());
                    self.cases.set_push_refused(id, true);
                    continue;
                }
                // Someone lost access, or another writer rotated the key: sealed again under
                // the key in force, it goes at the next tick.
                Err(ApiError::Refused { status: 409, code, .. }) if rotation::is_key_refusal(&code) => {
                    self.renew_key(vault, token, id, push.revision).await?;
                    continue;
                }
                other => other?,
            };
            self.cases.set_push_refused(id, false);
            self.renewed_unasked.update_value(|cases| {
                cases.remove(&id);
            });
            let theirs = match outcome {
                PushOutcome::Accepted => None,
                PushOutcome::Taken { latest } => {
                    let sealed = api::fetch(token, id, latest).await?;
                    match self.open_pulled(vault, token, (id, latest), sealed, self.held_key(id)).await? {
                        Ok(theirs) => Some(theirs),
                        Err(aside) => {
                            self.set_aside(vault, aside).await?;
                            continue;
                        }
                    }
                }
            };
            self.ensure_current(vault)?;
            // Settled against the case as it is now: it may have been edited meanwhile.
            let settled = self.cases.update(id, |current| {
                match theirs {
                    None => current.sync.accepted(push),
                    Some(theirs) => current.sync.taken(push, theirs),
                }
                current.clone()
            });
            if let Some(current) = settled {
                persist::settle_push(vault, self.cases, &current).await?;
                if current.sync.is_dirty() {
                    // Edited since the bytes just pushed were sealed (or they were an earlier
                    // attempt's): push the rest at the next tick, not at the next periodic pull.
                    self.status.request();
                }
            }
        }
        Ok(())
    }

    async fn pull(self, vault: &Rc<Vault>, token: &str) -> Result<(), SyncError> {
        let mut cursor = vault.db.cursor().await?;
        loop {
            let page = api::changes(token, cursor).await?;
            // Cases new to this device join the open cases once per page, not one by one:
            // every case that joins redraws the case list and the due list.
            let mut received = BTreeMap::new();
            for change in &page.entries {
                self.apply(vault, token, change, &mut received).await?;
            }
            self.ensure_current(vault)?;
            self.cases.insert_all(received.into_values());
            if page.next != cursor {
                cursor = page.next;
                vault.db.put_cursor(cursor).await?;
            }
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Takes one feed entry: a revision (or, after a change of who may open the case, its
    /// newest revision then) of a case this member may open. A case new to this device is
    /// stored and kept in `received`, for the page's end.
    async fn apply(
        self,
        vault: &Rc<Vault>,
        token: &str,
        change: &ChangeEntry,
        received: &mut BTreeMap<CaseId, CaseEntry>,
    ) -> Result<(), SyncError> {
        let (id, revision) = (change.case, change.revision);
        if change.kind == ChangeKind::Access && revision == 0 {
            return Ok(());
        }
        let wanted = match received.get(&id) {
            Some(entry) => entry.sync.wants(revision),
            None => self.cases.with_untracked(|cases| cases.get(&id).is_none_or(|entry| entry.sync.wants(revision))),
        };
        if !wanted || self.was_set_aside(id, revision) {
            return Ok(());
        }
        let sealed = match api::fetch(token, id, revision).await {
            Ok(sealed) => sealed,
            // Access taken away since the feed was read.
            Err(ApiError::Refused { status: 403, .. }) => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        let held = received.get(&id).map(|entry| entry.key.clone()).or_else(|| self.held_key(id));
        let theirs = match self.open_pulled(vault, token, (id, revision), sealed, held).await? {
            Ok(opened) => opened,
            Err(aside) => return self.set_aside(vault, aside).await,
        };
        self.ensure_current(vault)?;
        if !self.cases.with_untracked(|cases| cases.contains_key(&id)) {
            // Nothing local to keep: the newest revision received is the case.
            let copy = theirs.version;
            let mut entry = match received.remove(&id) {
                Some(mut earlier) => {
                    earlier.doc = copy.doc;
                    earlier.take_key(copy.key);
                    earlier.sync = CaseSync::received(revision);
                    earlier
                }
                None => CaseEntry::new(copy.doc, copy.key, CaseSync::received(revision)),
            };
            persist::store_received(vault, &mut entry).await?;
            received.insert(id, entry);
            return Ok(());
        }
        let entry = self.cases.update(id, |entry| {
            if let Pulled::Adopt(copy) = entry.sync.pulled(revision, theirs.version) {
                entry.doc = copy.doc;
                // Read under a key this device retired (it raced a rotation), the case goes
                // on under the key it has.
                entry.take_key(copy.key);
            }
            entry.clone()
        });
        if let Some(entry) = entry {
            persist::store(vault, self.cases, &entry).await?;
        }
        Ok(())
    }
}
