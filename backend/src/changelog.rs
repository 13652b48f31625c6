//! The organisation's change log: `log/{seq}` entries created with create-if-absent, so
//! the sequence is total and gap-free across any number of backend instances. Each
//! instance remembers where the log ended last time, to avoid re-listing it.

use crate::layout;
use crate::store::{create_json, get_json, BlobStore, Created, StoreError};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use puente_shared::protocol::ChangeEntry;
use puente_shared::TenantId;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct ChangeLog {
    next_seq_hint: Mutex<HashMap<TenantId, u64>>,
}

/// Log entries are fetched this many at a time when serving the feed.
const FETCH_CONCURRENCY: usize = 16;

impl ChangeLog {
    /// Appends `entry` (its `seq` is assigned here) and returns the sequence number.
    pub async fn append(
        &self,
        store: &impl BlobStore,
        tenant: TenantId,
        mut entry: ChangeEntry,
    ) -> Result<u64, StoreError> {
        let hint = self.next_seq_hint.lock().expect("log lock").get(&tenant).copied();
        let mut seq = match hint {
            Some(seq) => seq,
            None => next_free(store, tenant, 1).await?,
        };
        loop {
            entry.seq = seq;
            match create_json(store, &layout::log_entry(tenant, seq), &entry).await? {
                Created::Created => {
                    self.next_seq_hint.lock().expect("log lock").insert(tenant, seq + 1);
                    return Ok(seq);
                }
                Created::AlreadyExists => seq = next_free(store, tenant, seq + 1).await?,
            }
        }
    }

    /// Up to `limit` entries after `after`.
    pub async fn read(
        &self,
        store: &impl BlobStore,
        tenant: TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ChangeEntry>, StoreError> {
        let start = (after > 0).then(|| layout::log_entry(tenant, after).to_string());
        let keys = store.list(&layout::log_prefix(tenant), start.as_deref(), limit).await?;
        stream::iter(keys)
            .map(|key| async move {
                let key = crate::store::ObjectKey::parse(key).map_err(|e| StoreError::Remote(e.to_string()))?;
                get_json::<ChangeEntry>(store, &key)
                    .await?
                    .ok_or_else(|| StoreError::Remote(format!("log entry {key} vanished")))
            })
            .buffered(FETCH_CONCURRENCY)
            .try_collect()
            .await
    }
}

/// The first sequence number ≥ `from` with no entry, found by listing.
async fn next_free(store: &impl BlobStore, tenant: TenantId, from: u64) -> Result<u64, StoreError> {
    let prefix = layout::log_prefix(tenant);
    let mut next = from;
    loop {
        let start = (next > 1).then(|| layout::log_entry(tenant, next - 1).to_string());
        let keys = store.list(&prefix, start.as_deref(), 1000).await?;
        let Some(last) = keys.last() else { return Ok(next) };
        next = last.rsplit('/').next().and_then(|s| s.parse::<u64>().ok()).map_or(next, |s| s + 1);
        if keys.len() < 1000 {
            return Ok(next);
        }
    }
}
