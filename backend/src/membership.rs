//! The organisation's membership log in the store: entry `n` at its own key, created only
//! if absent, so two administrators appending at once cannot both win. The server checks
//! each entry against the chain as devices do (so the store holds no garbage, and the
//! server can tell administrators apart), but devices never take the server's word for it.

use crate::layout;
use crate::store::{create_json, get_json, BlobStore, Created, StoreError};
use puente_shared::membership::{LogError, Organisation, Refusal, SignedEntry};
use puente_shared::{TenantId, UserId};

/// Why an entry was not appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Refused(#[from] LogError),
    #[error("the entry must be signed by the member who sends it")]
    NotTheSender,
    #[error("another entry took this place in the log first")]
    Taken,
    #[error("only the organisation's first member founds its membership log")]
    NotTheFounder,
    #[error("the log stored for this organisation does not verify: {0}")]
    Corrupt(LogError),
}

/// Every entry after `after` (all of them with `None`), in order.
pub async fn entries(
    store: &impl BlobStore,
    tenant: TenantId,
    after: Option<u64>,
) -> Result<Vec<SignedEntry>, StoreError> {
    let prefix = layout::membership_prefix(tenant);
    let start = after.map(|seq| layout::membership_entry(tenant, seq).as_str().to_owned());
    let mut entries = Vec::new();
    let mut cursor = start;
    loop {
        let keys = store.list(&prefix, cursor.as_deref(), 1000).await?;
        for key in &keys {
            let key = crate::store::ObjectKey::parse(key.clone()).map_err(|e| StoreError::Remote(e.to_string()))?;
            if let Some(entry) = get_json::<SignedEntry>(store, &key).await? {
                entries.push(entry);
            }
        }
        if keys.len() < 1000 {
            return Ok(entries);
        }
        cursor = keys.last().cloned();
    }
}

/// The organisation as its stored log says, or `None` before it was founded.
pub async fn organisation(store: &impl BlobStore, tenant: TenantId) -> Result<Option<Organisation>, AppendError> {
    let log = entries(store, tenant, None).await?;
    let Some(first) = log.first() else {
        return Ok(None);
    };
    let organisation = Organisation::verify(&first.digest(), &log).map_err(AppendError::Corrupt)?;
    if organisation.id != tenant {
        return Err(AppendError::Corrupt(LogError { seq: 0, refusal: Refusal::WrongOrganisation }));
    }
    Ok(Some(organisation))
}

/// Appends `signed`, sent by `sender`, as the log's next entry; returns its number.
pub async fn append(
    store: &impl BlobStore,
    tenant: TenantId,
    sender: UserId,
    signed: &SignedEntry,
) -> Result<u64, AppendError> {
    if signed.signer != sender {
        return Err(AppendError::NotTheSender);
    }
    // Cheap checks first, so a refused entry costs no replay of the log.
    let entry = signed.entry().map_err(|refusal| LogError { seq: 0, refusal })?;
    let stored = store.list(&layout::membership_prefix(tenant), None, 1).await?;
    if (entry.seq == 0) != stored.is_empty() {
        return Err(LogError { seq: entry.seq, refusal: Refusal::OutOfOrder }.into());
    }
    let seq = match organisation(store, tenant).await? {
        // The first entry founds the organisation: only the organisation's first member may
        // send it, and must sign it.
        None => {
            let founder = store.get(&layout::founder(tenant)).await?;
            if founder.as_deref() != Some(sender.to_string().as_bytes()) {
                return Err(AppendError::NotTheFounder);
            }
            let founded = Organisation::found(&signed.digest(), signed)?;
            if founded.id != tenant {
                return Err(LogError { seq: 0, refusal: Refusal::WrongOrganisation }.into());
            }
            0
        }
        Some(mut organisation) => {
            organisation.apply(signed)?;
            organisation.seq
        }
    };
    match create_json(store, &layout::membership_entry(tenant, seq), signed).await? {
        Created::Created => {
            tracing::info!(%tenant, seq, "membership entry appended");
            Ok(seq)
        }
        Created::AlreadyExists => Err(AppendError::Taken),
    }
}

/// Whether the log makes `user` an administrator now.
pub fn is_administrator(organisation: &Organisation, user: UserId) -> bool {
    organisation.administrators().any(|m| m.card.user == user)
}
