//! Object storage, the backend's only state. Objects are immutable once created, except
//! where noted; creation is create-if-absent so that concurrent writers never overwrite
//! each other (docs/ARCHITECTURE.md, "Storage on the server").

mod fs;
mod json;
mod key;
mod s3;

pub use fs::FsStore;
pub use json::{create_json, get_json};
pub use key::ObjectKey;
pub use s3::{S3Config, S3Store};

use bytes::Bytes;
use std::future::Future;

/// The outcome of a create-if-absent write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    /// This call wrote the object.
    Created,
    /// The object already existed; nothing was written.
    AlreadyExists,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object store I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("object store request failed: {0}")]
    Remote(String),
    #[error("the object store does not enforce create-if-absent: {0}")]
    Unsafe(String),
}

/// The last key under `prefix` in lexicographic order, listing page by page: the newest
/// version where keys end in zero-padded numbers (revisions, credentials, settings, access
/// records).
pub async fn last_key(store: &impl BlobStore, prefix: &str) -> Result<Option<String>, StoreError> {
    const PAGE: usize = 1000;
    let mut last: Option<String> = None;
    loop {
        let page = store.list(prefix, last.as_deref(), PAGE).await?;
        let full = page.len() == PAGE;
        if let Some(key) = page.into_iter().last() {
            last = Some(key);
        }
        if !full {
            return Ok(last);
        }
    }
}

/// Every key under `prefix`, in lexicographic order, listing page by page.
pub async fn all_keys(store: &impl BlobStore, prefix: &str) -> Result<Vec<String>, StoreError> {
    const PAGE: usize = 1000;
    let mut keys: Vec<String> = Vec::new();
    loop {
        let page = store.list(prefix, keys.last().map(String::as_str), PAGE).await?;
        let full = page.len() == PAGE;
        keys.extend(page);
        if !full {
            return Ok(keys);
        }
    }
}

/// A key-value store of immutable blobs with atomic create-if-absent.
pub trait BlobStore: Clone + Send + Sync + 'static {
    /// Writes `bytes` at `key` unless an object is already there. Exactly one of several
    /// concurrent creates of one key returns [`Created::Created`]; an object is never torn.
    fn create(&self, key: &ObjectKey, bytes: Bytes) -> impl Future<Output = Result<Created, StoreError>> + Send;

    /// The object's bytes, or `None` when there is none.
    fn get(&self, key: &ObjectKey) -> impl Future<Output = Result<Option<Bytes>, StoreError>> + Send;

    /// Up to `limit` keys that start with `prefix` and sort after `start_after`, in
    /// lexicographic order.
    fn list(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Removes an object (absent is fine). Only for housekeeping such as start-up probes.
    fn delete(&self, key: &ObjectKey) -> impl Future<Output = Result<(), StoreError>> + Send;
}
