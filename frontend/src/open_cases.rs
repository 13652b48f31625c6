//! The cases opened from the vault, in memory only while it is unlocked, each with its sync
//! bookkeeping (`puente_shared::case_sync`), and the organisation's settings they follow.
//! Pages read from here; `workspace`, `persist` and `sync` change it.

use crate::vault::records::SetAside;
use crate::vault::CaseKey;
use leptos::prelude::*;
use puente_shared::access::RetiredKeys;
use puente_shared::case_sync::{Badge, CaseSync, Theirs};
use puente_shared::casefile::followup::Policy;
use puente_shared::settings::OrganisationSettings;
use puente_shared::{CaseDocument, CaseId};
use std::collections::BTreeMap;

/// A revision read from the server, opened and verified.
#[derive(Clone, Debug)]
pub struct RemoteCopy {
    pub doc: CaseDocument,
    pub key: CaseKey,
}

/// Another device's version of a case, kept beside the local changes.
pub type Conflict = Theirs<RemoteCopy>;

/// An open case.
#[derive(Clone, Debug)]
pub struct CaseEntry {
    pub doc: CaseDocument,
    /// The key the case is sealed under on this device and for the server.
    pub key: CaseKey,
    /// The keys it was moved away from, never sealed under again.
    pub retired: RetiredKeys,
    pub sync: CaseSync<RemoteCopy>,
}

impl CaseEntry {
    /// A case new to this device, as first opened.
    pub fn new(doc: CaseDocument, key: CaseKey, sync: CaseSync<RemoteCopy>) -> Self {
        Self { doc, key, retired: RetiredKeys::default(), sync }
    }

    /// Seals the case under `key` from now on, retiring the key it had. A key this device
    /// moved the case away from is refused (`false`): whoever lost access may hold it.
    pub fn take_key(&mut self, key: CaseKey) -> bool {
        if !self.retired.advance(self.key.id, key.id) {
            return false;
        }
        self.key = key;
        true
    }
}

#[derive(Clone, Copy)]
pub struct OpenCases {
    entries: RwSignal<BTreeMap<CaseId, CaseEntry>>,
    settings: RwSignal<OrganisationSettings>,
    set_aside: RwSignal<Vec<SetAside>>,
    /// Cases whose last push the server refused (403): no longer this member's to write.
    push_refused: RwSignal<std::collections::BTreeSet<CaseId>>,
}

impl OpenCases {
    pub fn new() -> Self {
        Self {
            entries: RwSignal::new(BTreeMap::new()),
            settings: RwSignal::new(OrganisationSettings::default()),
            set_aside: RwSignal::new(Vec::new()),
            push_refused: RwSignal::new(Default::default()),
        }
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

    /// Opens many cases this device did not hold, in one change.
    pub fn insert_all(&self, entries: impl IntoIterator<Item = CaseEntry>) {
        let mut entries = entries.into_iter().peekable();
        if entries.peek().is_none() {
            return;
        }
        self.entries.update(|cases| cases.extend(entries.map(|entry| (entry.doc.id, entry))));
    }

    /// Replaces every open case (an unlock), or forgets them all (a lock: `BTreeMap::new()`).
    pub fn set_all(&self, cases: BTreeMap<CaseId, CaseEntry>) {
        self.entries.set(cases);
    }

    /// The revisions of `case` set aside (tracked).
    pub fn set_aside_of(&self, case: CaseId) -> Vec<SetAside> {
        self.set_aside.with(|all| all.iter().filter(|s| s.case == case).cloned().collect())
    }

    /// How many revisions are set aside, over every case (tracked).
    pub fn set_aside_count(&self) -> usize {
        self.set_aside.with(Vec::len)
    }

    pub fn set_aside_untracked(&self) -> Vec<SetAside> {
        self.set_aside.get_untracked()
    }

    pub fn set_set_aside(&self, set_aside: Vec<SetAside>) {
        self.set_aside.set(set_aside);
    }

    /// Whether the server refused this member's last push of `case` (tracked).
    pub fn push_refused(&self, case: CaseId) -> bool {
        self.push_refused.with(|refused| refused.contains(&case))
    }

    /// Records whether the server took or refused a push of `case`.
    pub fn set_push_refused(&self, case: CaseId, refused: bool) {
        if self.push_refused.with_untracked(|all| all.contains(&case)) != refused {
            self.push_refused.update(|all| {
                if refused {
                    all.insert(case);
                } else {
                    all.remove(&case);
                }
            });
        }
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
