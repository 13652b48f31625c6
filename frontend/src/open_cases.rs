//! The cases opened from the vault, in memory only while it is unlocked, each with its sync
//! bookkeeping (`puente_shared::case_sync`), and the organisation's settings they follow.
//! Pages read from here; `workspace`, `persist` and `sync` change it.

use crate::vault::CaseKey;
use leptos::prelude::*;
use puente_shared::case_sync::{Badge, CaseSync, Theirs};
use puente_shared::casefile::followup::Policy;
use puente_shared::settings::OrganisationSettings;
use puente_shared::{CaseDocument, CaseId};
use std::collections::BTreeMap;

/// A revision read from the server, opened, with the bytes it came in (kept byte for byte
/// while it waits beside local changes).
#[derive(Clone, Debug)]
pub struct RemoteCopy {
    pub sealed: Vec<u8>,
    pub doc: CaseDocument,
    pub key: CaseKey,
}

/// Another device's version of a case, kept beside the local changes.
pub type Conflict = Theirs<RemoteCopy>;

/// An open case.
#[derive(Clone, Debug)]
pub struct CaseEntry {
    pub doc: CaseDocument,
    pub key: CaseKey,
    pub sync: CaseSync<RemoteCopy>,
}

#[derive(Clone, Copy)]
pub struct OpenCases {
    entries: RwSignal<BTreeMap<CaseId, CaseEntry>>,
    settings: RwSignal<OrganisationSettings>,
}

impl OpenCases {
    pub fn new() -> Self {
        Self { entries: RwSignal::new(BTreeMap::new()), settings: RwSignal::new(OrganisationSettings::default()) }
    }

    /// Reads every open case (tracked).
    pub fn with<T>(&self, read: impl FnOnce(&BTreeMap<CaseId, CaseEntry>) -> T) -> T {
        self.entries.with(read)
    }

    pub fn with_untracked<T>(&self, read: impl FnOnce(&BTreeMap<CaseId, CaseEntry>) -> T) -> T {
        self.entries.with_untracked(read)
    }

    /// A copy of one case's document (tracked).
    pub fn doc(&self, id: CaseId) -> Option<CaseDocument> {
        self.entries.with(|cases| cases.get(&id).map(|e| e.doc.clone()))
    }

    pub fn contains(&self, id: CaseId) -> bool {
        self.entries.with(|cases| cases.contains_key(&id))
    }

    /// The other version a case waits beside, if any (tracked).
    pub fn conflict(&self, id: CaseId) -> Option<Conflict> {
        self.entries.with(|cases| cases.get(&id).and_then(|e| e.sync.conflict().cloned()))
    }

    /// What a case shows about its sync (tracked); `offline`: the server is unreachable.
    pub fn badge(&self, id: CaseId, offline: bool) -> Option<Badge> {
        self.entries.with(|cases| cases.get(&id).map(|e| e.sync.badge(offline)))
    }

    /// How many cases have changes the server has not accepted (tracked).
    pub fn unsynced(&self) -> usize {
        self.entries.with(|cases| cases.values().filter(|e| e.sync.is_dirty()).count())
    }

    /// Changes one case in memory; returns what `change` returned, or `None` when the case
    /// is not open.
    pub fn update<T>(&self, id: CaseId, change: impl FnOnce(&mut CaseEntry) -> T) -> Option<T> {
        let mut out = None;
        self.entries.update(|cases| out = cases.get_mut(&id).map(change));
        out
    }

    /// Opens a case this device did not hold.
    pub fn insert(&self, entry: CaseEntry) {
        self.entries.update(|cases| {
            cases.insert(entry.doc.id, entry);
        });
    }

    /// Replaces every open case (an unlock), or forgets them all (a lock: `BTreeMap::new()`).
    pub fn set_all(&self, cases: BTreeMap<CaseId, CaseEntry>) {
        self.entries.set(cases);
    }

    /// The organisation's settings (tracked).
    pub fn settings<T>(&self, read: impl FnOnce(&OrganisationSettings) -> T) -> T {
        self.settings.with(read)
    }

    pub fn settings_untracked(&self) -> OrganisationSettings {
        self.settings.get_untracked()
    }

    pub fn set_settings(&self, settings: OrganisationSettings) {
        self.settings.set(settings);
    }

    /// The organisation's follow-up intervals (tracked).
    pub fn policy(&self) -> Policy {
        self.settings.with(|s| s.follow_up)
    }
}

impl Default for OpenCases {
    fn default() -> Self {
        Self::new()
    }
}
