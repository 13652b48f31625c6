//! Application state, provided to every component as one `Copy` context.

use crate::vault::db::DeviceDb;
use crate::vault::{CaseKey, Vault};
use leptos::prelude::*;
use puente_shared::casefile::followup::Policy;
use puente_shared::settings::OrganisationSettings;
use puente_shared::{CaseDocument, CaseId};
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    /// No vault on this device yet.
    NoVault,
    Locked,
    Unlocked,
}

/// The connection to the server, as last seen by sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    Unknown,
    Syncing,
    Online,
    Offline,
    Error,
}

/// Another device's revision kept beside the local changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub revision: u64,
    pub sealed: Vec<u8>,
    pub doc: CaseDocument,
}

/// An open case, in memory only while the vault is unlocked.
#[derive(Clone, Debug)]
pub struct CaseEntry {
    pub doc: CaseDocument,
    pub key: CaseKey,
    pub base_rev: u64,
    pub dirty: bool,
    pub edit_seq: u64,
    /// The `edit_seq` of the copy in IndexedDB: below `edit_seq`, the latest keystrokes are
    /// in memory only and the case shows "saving".
    pub stored_seq: u64,
    pub conflict: Option<Conflict>,
}

/// What the case list and the header show for a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseSync {
    Saving,
    Waiting,
    Offline,
    Synced,
    Conflict,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub phase: RwSignal<Phase>,
    pub db: StoredValue<Option<DeviceDb>, LocalStorage>,
    pub vault: StoredValue<Option<Rc<Vault>>, LocalStorage>,
    pub cases: RwSignal<BTreeMap<CaseId, CaseEntry>>,
    pub net: RwSignal<Net>,
    pub token: StoredValue<Option<String>>,
    /// A case edited in memory and not yet sealed into IndexedDB, and since when (ms).
    /// Autosave keeps this under one debounce window.
    pub pending: StoredValue<Option<(CaseId, f64)>>,
    pub flush_timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage>,
    pub saving: RwSignal<Option<CaseId>>,
    pub idle_minutes: RwSignal<u32>,
    pub last_activity: StoredValue<f64>,
    pub locked_for_idle: RwSignal<bool>,
    /// Bumped to make sync run now rather than at its next tick.
    pub sync_requested: RwSignal<u64>,
    /// Which sync loop is current: a loop from before a lock stops even if the vault was
    /// unlocked again before it noticed.
    pub sync_generation: StoredValue<u64>,
    /// The organisation's follow-up intervals and service directory.
    pub settings: RwSignal<OrganisationSettings>,
}

pub const IDLE_MINUTES_KEY: &str = "puente.idle_minutes";
pub const DEFAULT_IDLE_MINUTES: u32 = 10;

impl AppState {
    pub fn new() -> Self {
        let idle = local_setting(IDLE_MINUTES_KEY).and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_IDLE_MINUTES);
        Self {
            phase: RwSignal::new(Phase::Loading),
            db: StoredValue::new_local(None),
            vault: StoredValue::new_local(None),
            cases: RwSignal::new(BTreeMap::new()),
            net: RwSignal::new(Net::Unknown),
            token: StoredValue::new(None),
            pending: StoredValue::new(None),
            flush_timer: StoredValue::new_local(None),
            saving: RwSignal::new(None),
            idle_minutes: RwSignal::new(idle),
            last_activity: StoredValue::new(js_sys::Date::now()),
            locked_for_idle: RwSignal::new(false),
            sync_requested: RwSignal::new(0),
            sync_generation: StoredValue::new(0),
            settings: RwSignal::new(OrganisationSettings::default()),
        }
    }

    /// The organisation's follow-up intervals (tracked).
    pub fn policy(&self) -> Policy {
        self.settings.with(|s| s.follow_up)
    }

    pub fn vault(&self) -> Option<Rc<Vault>> {
        self.vault.get_value()
    }

    pub fn case_sync(&self, id: CaseId) -> Option<CaseSync> {
        let saving = self.saving.get() == Some(id);
        let net = self.net.get();
        self.cases.with(|cases| {
            cases.get(&id).map(|entry| {
                if entry.conflict.is_some() {
                    CaseSync::Conflict
                } else if saving || entry.stored_seq < entry.edit_seq {
                    CaseSync::Saving
                } else if !entry.dirty {
                    CaseSync::Synced
                } else if net == Net::Offline {
                    CaseSync::Offline
                } else {
                    CaseSync::Waiting
                }
            })
        })
    }

    pub fn pending_count(&self) -> usize {
        self.cases.with(|cases| cases.values().filter(|c| c.dirty).count())
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

pub fn local_setting(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn set_local_setting(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}
