//! An organisation's settings, kept as numbered versions (the store only creates, never
//! overwrites): the newest version is in force, and every earlier one stays on record.

use crate::layout;
use crate::store::{create_json, get_json, BlobStore, Created, StoreError};
use puente_shared::settings::OrganisationSettings;
use puente_shared::TenantId;

/// The settings in force: the newest version, or the defaults if none was published.
pub async fn current(store: &impl BlobStore, tenant: TenantId) -> Result<OrganisationSettings, StoreError> {
    match latest_version(store, tenant).await? {
        None => Ok(OrganisationSettings::default()),
        Some(version) => Ok(get_json(store, &layout::settings(tenant, version)).await?.unwrap_or_default()),
    }
}

async fn latest_version(store: &impl BlobStore, tenant: TenantId) -> Result<Option<u64>, StoreError> {
    Ok(crate::store::last_key(store, &layout::settings_prefix(tenant)).await?.as_deref().and_then(layout::number_of))
}

/// Publishes new settings (already parsed) as the next version; returns its number.
pub async fn publish(
    store: &impl BlobStore,
    tenant: TenantId,
    settings: &OrganisationSettings,
) -> Result<u64, StoreError> {
    loop {
        let version = latest_version(store, tenant).await?.map_or(1, |v| v + 1);
        // Another administrator may publish at the same moment: the loser tries the next number.
        if create_json(store, &layout::settings(tenant, version), settings).await? == Created::Created {
            return Ok(version);
        }
    }
}
