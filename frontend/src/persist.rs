//! Every IndexedDB write of a case goes through here: the entry is sealed as it is in
//! memory, written, and only then recorded as stored, so a case shows "saving" until its
//! latest state is on the device. The same goes for a push waiting in the outbox.

use crate::open_cases::{CaseEntry, OpenCases, RemoteCopy};
use crate::vault::records::{CaseRecord, OutboxEntry, RemoteRevision};
use crate::vault::{Vault, VaultError};
use puente_shared::case_sync::{CaseSync, Push, Stored, Theirs};
use puente_shared::CaseId;
use std::collections::BTreeMap;

/// The record a case entry is stored as: its local state sealed as a draft of the next
/// revision, with its sync bookkeeping.
fn record_of(vault: &Vault, entry: &CaseEntry) -> CaseRecord {
    let Stored { base_rev, dirty, edit_seq } = entry.sync.to_store();
    CaseRecord {
        id: entry.doc.id,
        sealed: vault.seal(&entry.doc, &entry.key, base_rev + 1),
        base_rev,
        dirty,
        edit_seq,
        // The other version, verified when it arrived, is kept sealed like the local state.
        conflict: entry.sync.conflict().map(|c| RemoteRevision {
            revision: c.revision,
            sealed: vault.seal(&c.version.doc, &c.version.key, c.revision),
        }),
        retired_keys: entry.retired.clone(),
    }
}

/// Writes `entry`, a copy of an open case, to IndexedDB, and records that it is there.
pub async fn store(vault: &Vault, cases: OpenCases, entry: &CaseEntry) -> Result<(), VaultError> {
    vault.db.put_case(&record_of(vault, entry)).await?;
    stored(cases, entry);
    Ok(())
}

/// Writes `entry`, a case new to this device and not yet among the open cases, to
/// IndexedDB, and records on it that it is there.
pub async fn store_received(vault: &Vault, entry: &mut CaseEntry) -> Result<(), VaultError> {
    vault.db.put_case(&record_of(vault, entry)).await?;
    let edit_seq = entry.sync.to_store().edit_seq;
    entry.sync.stored(edit_seq);
    Ok(())
}

/// Writes the outcome of a push: the case as it now is, and its outbox entry removed, in
/// one transaction.
pub async fn settle_push(vault: &Vault, cases: OpenCases, entry: &CaseEntry) -> Result<(), VaultError> {
    vault.db.settle_push(&record_of(vault, entry)).await?;
    stored(cases, entry);
    Ok(())
}

/// Seals `entry` as the revision `push` names and keeps it in the outbox, byte for byte, until
/// the server answers.
pub async fn queue_push(vault: &Vault, entry: &CaseEntry, push: Push) -> Result<OutboxEntry, VaultError> {
    let queued = OutboxEntry {
        case: entry.doc.id,
        revision: push.revision,
        sealed: vault.seal_revision(&entry.doc, &entry.key, push.revision),
        edit_seq: push.edit_seq,
    };
    vault.db.put_outbox(&queued).await?;
    Ok(queued)
}

fn stored(cases: OpenCases, entry: &CaseEntry) {
    let edit_seq = entry.sync.to_store().edit_seq;
    cases.update(entry.doc.id, |current| current.sync.stored(edit_seq));
}

/// Opens every case record on the device.
pub async fn load(vault: &Vault) -> Result<BTreeMap<CaseId, CaseEntry>, VaultError> {
    let outbox = vault.db.outbox().await?;
    let mut cases = BTreeMap::new();
    for record in vault.db.cases().await? {
        let id = record.id;
        let waiting = outbox.iter().find(|o| o.case == id);
        // One damaged record (or its kept conflict copy) must not keep every other case
        // locked away; it stays on disk.
        match open_record(vault, record, waiting) {
            Ok(entry) => {
                cases.insert(id, entry);
            }
            Err(error) => web_sys::console::error_1(&format!("case {id} cannot be opened: {error}").into()),
        }
    }
    Ok(cases)
}

fn open_record(vault: &Vault, record: CaseRecord, waiting: Option<&OutboxEntry>) -> Result<CaseEntry, VaultError> {
    let stored = Stored { base_rev: record.base_rev, dirty: record.dirty, edit_seq: record.edit_seq };
    let push = waiting.map(|o| Push { revision: o.revision, edit_seq: o.edit_seq });
    let (mut doc, key) = vault.open(&record.sealed, record.id, None)?;
    if let Some(queued) = waiting.filter(|_| CaseSync::<RemoteCopy>::outbox_is_newer(&stored, push)) {
        // Sealed here, with the case's key, for the server.
        let own = vault.identity().public();
        doc = vault.open_revision(&queued.sealed, record.id, queued.revision, &key, &own)?;
    }
    let conflict = match record.conflict {
        Some(remote) => {
            let (doc, key) = vault.open(&remote.sealed, record.id, Some(remote.revision))?;
            Some(Theirs { revision: remote.revision, version: RemoteCopy { doc, key } })
        }
        None => None,
    };
    Ok(CaseEntry { doc, key, retired: record.retired_keys, sync: CaseSync::restored(stored, conflict, push) })
}
