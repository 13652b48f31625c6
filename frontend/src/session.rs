//! Who is using this device: its store, the unlocked vault with the keys it holds, the
//! server session token, and whether the app is locked. Nothing here outlives a lock.

use crate::vault::db::DeviceDb;
use crate::vault::Vault;
use leptos::prelude::*;
use puente_shared::UserId;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    /// No vault on this device yet.
    NoVault,
    Locked,
    Unlocked,
}

#[derive(Clone, Copy)]
pub struct Session {
    phase: RwSignal<Phase>,
    db: StoredValue<Option<DeviceDb>, LocalStorage>,
    vault: StoredValue<Option<Rc<Vault>>, LocalStorage>,
    token: StoredValue<Option<String>>,
    locked_for_idle: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Loading),
            db: StoredValue::new_local(None),
            vault: StoredValue::new_local(None),
            token: StoredValue::new(None),
            locked_for_idle: RwSignal::new(false),
        }
    }

    /// The phase (tracked).
    pub fn phase(&self) -> Phase {
        self.phase.get()
    }

    pub fn phase_untracked(&self) -> Phase {
        self.phase.get_untracked()
    }

    /// The device's store is open; it holds a vault or not.
    pub fn device_opened(&self, db: DeviceDb, has_vault: bool) {
        self.db.set_value(Some(db));
        self.phase.set(if has_vault { Phase::Locked } else { Phase::NoVault });
    }

    pub fn db(&self) -> Option<DeviceDb> {
        self.db.get_value()
    }

    /// The device's store, waiting for the app to finish opening it (a form submitted right
    /// after the page appeared); `None` if it could not be opened.
    pub async fn device_db(&self) -> Option<DeviceDb> {
        while self.phase.get_untracked() == Phase::Loading {
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        self.db()
    }

    /// The unlocked vault, if any.
    pub fn vault(&self) -> Option<Rc<Vault>> {
        self.vault.get_value()
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.vault.with_value(|v| v.as_ref().map(|v| v.user_id()))
    }

    /// Whether `vault` is still the unlocked one (a lock, or a lock and an unlock, ends it).
    pub fn is_current(&self, vault: &Rc<Vault>) -> bool {
        self.vault().is_some_and(|current| Rc::ptr_eq(&current, vault))
    }

    pub fn token(&self) -> Option<String> {
        self.token.get_value()
    }

    /// Keeps a session token from the server, or forgets an expired one.
    pub fn set_token(&self, token: Option<String>) {
        self.token.set_value(token);
    }

    /// Whether the last lock came from the idle timer (tracked).
    pub fn locked_for_idle(&self) -> bool {
        self.locked_for_idle.get()
    }

    pub(crate) fn unlocked(&self, vault: Rc<Vault>, token: Option<String>) {
        self.vault.set_value(Some(vault));
        self.token.set_value(token);
        self.locked_for_idle.set(false);
        self.phase.set(Phase::Unlocked);
    }

    /// Forgets the vault, its keys and the token.
    pub(crate) fn locked(&self, for_idle: bool) {
        self.vault.set_value(None);
        self.token.set_value(None);
        self.locked_for_idle.set(for_idle);
        self.phase.set(Phase::Locked);
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
