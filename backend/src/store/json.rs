//! Small JSON objects (accounts, settings, change-log entries) over any [`BlobStore`].

use super::{BlobStore, Created, ObjectKey, StoreError};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The object at `key` read as JSON, or `None` when there is none.
pub async fn get_json<T: DeserializeOwned>(store: &impl BlobStore, key: &ObjectKey) -> Result<Option<T>, StoreError> {
    match store.get(key).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Remote(format!("object {key} is not valid JSON: {e}"))),
    }
}

/// Writes `value` as JSON at `key` unless an object is already there.
pub async fn create_json<T: Serialize>(
    store: &impl BlobStore,
    key: &ObjectKey,
    value: &T,
) -> Result<Created, StoreError> {
    store.create(key, Bytes::from(serde_json::to_vec(value).expect("records serialise"))).await
}
