//! Operations on the open cases: create, autosave, resolve a conflict, lock. Every change
//! is sealed first and then written to IndexedDB, before the screen calls it saved.

use crate::clock::{now_ms, today};
use crate::state::{AppState, CaseEntry, Conflict, Phase};
use crate::vault::records::{CaseRecord, RemoteRevision};
use crate::vault::{CaseKey, Vault, VaultError};
use leptos::prelude::*;
use puente_shared::casefile::merge::merge;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{Actor, RuleError, Section};
use puente_shared::{CaseDocument, CaseId};
use std::collections::BTreeMap;

/// The record a case entry is stored as: its local state sealed as a draft of the next
/// revision.
pub fn record_of(vault: &Vault, entry: &CaseEntry) -> CaseRecord {
    CaseRecord {
        id: entry.doc.id,
        sealed: vault.seal(&entry.doc, &entry.key, entry.base_rev + 1),
        base_rev: entry.base_rev,
        dirty: entry.dirty,
        edit_seq: entry.edit_seq,
        conflict: entry.conflict.as_ref().map(|c| RemoteRevision { revision: c.revision, sealed: c.sealed.clone() }),
    }
}

/// Opens every case record on the device.
pub async fn load_cases(vault: &Vault) -> Result<BTreeMap<CaseId, CaseEntry>, VaultError> {
    let mut cases = BTreeMap::new();
    for record in vault.db.cases().await? {
        let id = record.id;
        // One damaged record (or its kept conflict copy) must not keep every other case
        // locked away; it stays on disk.
        match open_record(vault, record) {
            Ok(entry) => {
                cases.insert(id, entry);
            }
            Err(error) => web_sys::console::error_1(&format!("case {id} cannot be opened: {error}").into()),
        }
    }
    Ok(cases)
}

fn open_record(vault: &Vault, record: CaseRecord) -> Result<CaseEntry, VaultError> {
    let (doc, key) = vault.open(&record.sealed, record.id, None)?;
    let conflict = match record.conflict {
        Some(remote) => {
            let (doc, _) = vault.open(&remote.sealed, record.id, Some(remote.revision))?;
            Some(Conflict { revision: remote.revision, sealed: remote.sealed, doc })
        }
        None => None,
    };
    Ok(CaseEntry {
        doc,
        key,
        base_rev: record.base_rev,
        dirty: record.dirty,
        edit_seq: record.edit_seq,
        stored_seq: record.edit_seq,
        conflict,
    })
}

/// Changes a case in memory, then seals the result and writes it to IndexedDB. The
/// change is applied synchronously, so edits typed while the write is in flight are never
/// overwritten by it.
pub async fn update_and_persist(
    state: AppState,
    id: CaseId,
    change: impl FnOnce(&mut CaseEntry),
) -> Result<(), VaultError> {
    let vault = state.vault().ok_or(VaultError::NoVault)?;
    let mut snapshot = None;
    state.cases.update(|cases| {
        if let Some(entry) = cases.get_mut(&id) {
            change(entry);
            snapshot = Some(entry.clone());
        }
    });
    let Some(entry) = snapshot else { return Ok(()) };
    store(state, &vault, &entry).await?;
    state.sync_requested.update(|n| *n += 1);
    Ok(())
}

/// Writes `entry`, a copy of a case entry, to IndexedDB, and records that it is there.
pub async fn store(state: AppState, vault: &Vault, entry: &CaseEntry) -> Result<(), VaultError> {
    vault.db.put_case(&record_of(vault, entry)).await?;
    mark_stored(state, entry);
    Ok(())
}

/// Records that `stored`, a copy of a case entry, is now in IndexedDB.
pub fn mark_stored(state: AppState, stored: &CaseEntry) {
    state.cases.update(|cases| {
        if let Some(entry) = cases.get_mut(&stored.doc.id) {
            entry.stored_seq = entry.stored_seq.max(stored.edit_seq);
        }
    });
}

pub async fn create_case(state: AppState) -> Result<CaseId, VaultError> {
    let vault = state.vault().ok_or(VaultError::NoVault)?;
    let id = CaseId::random();
    let doc = CaseDocument::new(id, vault.header.user_id, now_ms(), crate::clock::today());
    let entry =
        CaseEntry { doc, key: CaseKey::random(), base_rev: 0, dirty: true, edit_seq: 1, stored_seq: 0, conflict: None };
    state.cases.update(|cases| {
        cases.insert(id, entry);
    });
    update_and_persist(state, id, |_| {}).await?;
    Ok(id)
}

/// Autosave waits this long after the last keystroke…
const DEBOUNCE_MS: u32 = 300;
/// …but never lets an edit wait longer than this.
const MAX_WAIT_MS: f64 = 450.0;

/// Who is acting, now.
pub fn actor(state: AppState) -> Option<Actor> {
    let vault = state.vault()?;
    Some(Actor { user: vault.header.user_id, now_ms: now_ms(), today: today() })
}

/// Applies typing to a case in memory and schedules its autosave. A closed case is
/// read-only: the edit is dropped (its inputs are disabled anyway).
pub fn edit_doc(state: AppState, id: CaseId, section: Section, edit: impl FnOnce(&mut CaseDocument)) {
    let Some(actor) = actor(state) else { return };
    type_into(state, id, |doc| {
        if doc.file.is_closed() {
            return false;
        }
        let before = doc.clone();
        edit(doc);
        let changed = *doc != before;
        if changed {
            doc.file.touch(section, &actor);
        }
        changed
    });
}

/// Keeps a note typed for an act (a withdrawal reason, a reopening reason…) with the case,
/// closed or not, so that autosave keeps it; the act that uses it is what the history records.
pub fn edit_note(state: AppState, id: CaseId, note: NoteFor, text: String) {
    type_into(state, id, |doc| doc.file.pending.set(note, text));
}

/// Applies typing to a case in memory (`edit` says whether it changed anything), marks it
/// edited at once and schedules its autosave.
fn type_into(state: AppState, id: CaseId, edit: impl FnOnce(&mut CaseDocument) -> bool) {
    let mut changed = false;
    state.cases.update(|cases| {
        if let Some(entry) = cases.get_mut(&id) {
            changed = edit(&mut entry.doc);
            if changed {
                mark_edited(entry);
            }
        }
    });
    if changed {
        schedule_save(state, id, false);
    }
}

/// Performs an act on a case (consent, referral, agreement, closure…). The rule runs on a
/// copy: a refusal changes nothing and is returned for the screen to explain; an accepted
/// act replaces the case in memory at once and is saved without waiting.
pub fn act<T>(
    state: AppState,
    id: CaseId,
    rule: impl FnOnce(&mut CaseDocument, &Actor) -> Result<T, RuleError>,
) -> Result<T, RuleError> {
    act_on_many(state, &[id], |docs, actor| rule(docs[0], actor))
}

/// Performs one act over several cases at once (a group session): all or none.
pub fn act_on_many<T>(
    state: AppState,
    ids: &[CaseId],
    rule: impl FnOnce(&mut [&mut CaseDocument], &Actor) -> Result<T, RuleError>,
) -> Result<T, RuleError> {
    let actor = actor(state).ok_or(RuleError::NotFound)?;
    let mut docs: Vec<CaseDocument> =
        state.cases.with_untracked(|cases| ids.iter().filter_map(|id| cases.get(id).map(|e| e.doc.clone())).collect());
    if docs.len() != ids.len() {
        return Err(RuleError::NotFound);
    }
    let value = rule(&mut docs.iter_mut().collect::<Vec<_>>(), &actor)?;
    state.cases.update(|cases| {
        for doc in docs {
            if let Some(entry) = cases.get_mut(&doc.id) {
                entry.doc = doc;
                mark_edited(entry);
            }
        }
    });
    for id in ids {
        schedule_save(state, *id, true);
    }
    Ok(value)
}

/// Marks a change made in memory, at once: the case is not "synced" while typing waits for
/// its autosave, a push sealed before it does not clear it, and a revision pulled meanwhile
/// conflicts with it instead of replacing it.
fn mark_edited(entry: &mut CaseEntry) {
    entry.dirty = true;
    entry.edit_seq += 1;
}

/// Marks a case as edited in memory and arranges for it to be sealed and stored: after the
/// debounce for typing, at once for an act.
fn schedule_save(state: AppState, id: CaseId, now: bool) {
    let clock = js_sys::Date::now();
    let since = match state.pending.get_value() {
        Some((pending, since)) if pending == id => since,
        Some(_) => {
            // Another case is pending (its screen was left, or a group act): save it first.
            leptos::task::spawn_local(async move {
                let _ = flush_pending(state).await;
            });
            clock
        }
        None => clock,
    };
    if now {
        leptos::task::spawn_local(async move {
            if let Err(error) = save_case(state, id).await {
                web_sys::console::error_1(&format!("saving failed: {error}").into());
            }
        });
        return;
    }
    state.pending.set_value(Some((id, since)));
    let wait = if clock - since >= MAX_WAIT_MS { 0 } else { DEBOUNCE_MS };
    let timer = gloo_timers::callback::Timeout::new(wait, move || {
        leptos::task::spawn_local(async move {
            if let Err(error) = flush_pending(state).await {
                web_sys::console::error_1(&format!("autosave failed: {error}").into());
            }
        });
    });
    state.flush_timer.set_value(Some(timer));
}

/// Seals and stores the case edited in memory, if any.
pub async fn flush_pending(state: AppState) -> Result<(), VaultError> {
    let Some((id, _)) = state.pending.try_update_value(Option::take).flatten() else { return Ok(()) };
    save_case(state, id).await
}

/// Seals and stores one case as it is in memory, as an edit by this account.
async fn save_case(state: AppState, id: CaseId) -> Result<(), VaultError> {
    if state.pending.with_value(|p| p.is_some_and(|(pending, _)| pending == id)) {
        // Its pending typing is saved with it.
        state.pending.set_value(None);
    }
    let author = state.vault().ok_or(VaultError::NoVault)?.header.user_id;
    state.saving.set(Some(id));
    let result = update_and_persist(state, id, |entry| {
        entry.doc.updated_at = now_ms();
        entry.doc.updated_by = author;
        entry.dirty = true;
        entry.edit_seq += 1;
    })
    .await;
    state.saving.set(None);
    result
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Mine,
    Theirs,
}

/// Ends a conflict by the case manager's choice of whose text continues. Either way no act
/// is lost: what only the other version recorded (consents and their withdrawal, sessions,
/// referrals and their answers, a closure…) is merged in. Keeping this device's version
/// makes it the next revision after the other one, so the other stays in the history.
pub async fn resolve_conflict(state: AppState, id: CaseId, keep: Keep) -> Result<(), VaultError> {
    let vault = state.vault().ok_or(VaultError::NoVault)?;
    let Some(conflict) = state.cases.with_untracked(|cases| cases.get(&id).and_then(|e| e.conflict.clone())) else {
        return Ok(());
    };
    let theirs = match keep {
        Keep::Theirs => Some(vault.open(&conflict.sealed, id, Some(conflict.revision))?),
        Keep::Mine => None,
    };
    update_and_persist(state, id, move |entry| {
        entry.conflict = None;
        entry.base_rev = conflict.revision;
        entry.edit_seq += 1;
        match theirs {
            Some((mut doc, key)) => {
                let server = doc.clone();
                merge(&mut doc.file, &entry.doc.file);
                entry.dirty = doc != server;
                entry.doc = doc;
                entry.key = key;
            }
            None => {
                merge(&mut entry.doc.file, &conflict.doc.file);
                entry.dirty = true;
            }
        }
    })
    .await
}

/// Locks the app: saves what is pending, then forgets every key and every opened case.
pub async fn lock(state: AppState, for_idle: bool) {
    if let Err(error) = flush_pending(state).await {
        web_sys::console::error_1(&format!("saving before lock failed: {error}").into());
    }
    state.vault.set_value(None);
    state.token.set_value(None);
    state.cases.set(BTreeMap::new());
    state.locked_for_idle.set(for_idle);
    state.phase.set(Phase::Locked);
}

/// Opens the workspace of an unlocked vault: its cases, then sync.
pub async fn begin(state: AppState, vault: Vault, token: Option<String>) -> Result<(), VaultError> {
    let cases = load_cases(&vault).await?;
    if let Some(settings) = vault.db.settings().await? {
        state.settings.set(settings);
    }
    state.vault.set_value(Some(std::rc::Rc::new(vault)));
    state.token.set_value(token);
    state.cases.set(cases);
    state.locked_for_idle.set(false);
    state.last_activity.set_value(js_sys::Date::now());
    state.phase.set(Phase::Unlocked);
    crate::sync::start(state);
    Ok(())
}
