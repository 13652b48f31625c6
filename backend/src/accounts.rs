//! Organisations, invites and user records as small JSON objects in the store.

use crate::layout;
use crate::session::now_millis;
use crate::store::{create_json, get_json, BlobStore, StoreError};
use puente_shared::crypto::{KdfParams, PublicIdentity, Salt};
use puente_shared::protocol::{b64, Intended, InviteCode, Username};
use puente_shared::{TenantId, UserId};
use serde::{Deserialize, Serialize};

/// How long an invite can be used.
pub const INVITE_MILLIS: i64 = 7 * 24 * 60 * 60 * 1000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TenantRecord {
    pub id: TenantId,
    pub name: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteRecord {
    pub created_at: i64,
    pub expires_at: i64,
    /// Set when an administrator invited from the app.
    #[serde(default)]
    pub intended: Option<Intended>,
}

/// A user account. The username is not kept in clear anywhere in the store: only its
/// hash names the directory entry that points here.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserRecord {
    pub user_id: UserId,
    pub tenant: TenantId,
    /// PHC string of the slow hash of the device's `auth_secret`.
    pub auth_hash: String,
    pub salt: Salt,
    pub kdf: KdfParams,
    #[serde(with = "b64")]
    pub wrapped_account_key: Vec<u8>,
    pub created_at: i64,
}

/// What a member's passphrase opens now: the hash that signs them in, and the salt, cost
/// and wrapped account key their devices derive and unwrap with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credentials {
    /// 0 for those the member enrolled with; each change or recovery adds one.
    pub version: u64,
    pub auth_hash: String,
    pub salt: Salt,
    pub kdf: KdfParams,
    #[serde(with = "b64")]
    pub wrapped_account_key: Vec<u8>,
    /// Unix milliseconds.
    pub at: i64,
    /// The administrator who recovered the account, when this version came from a recovery.
    #[serde(default)]
    pub recovered_by: Option<UserId>,
}

impl UserRecord {
    fn enrolled_credentials(&self) -> Credentials {
        Credentials {
            version: 0,
            auth_hash: self.auth_hash.clone(),
            salt: self.salt,
            kdf: self.kdf,
            wrapped_account_key: self.wrapped_account_key.clone(),
            at: self.created_at,
            recovered_by: None,
        }
    }
}

/// The member's credentials in force: the newest version.
pub async fn current_credentials(store: &impl BlobStore, user: &UserRecord) -> Result<Credentials, StoreError> {
    let newest = crate::store::last_key(store, &layout::credentials_prefix(user.tenant, user.user_id)).await?;
    let Some(newest) = newest else { return Ok(user.enrolled_credentials()) };
    let key = crate::store::ObjectKey::parse(newest).map_err(|e| StoreError::Remote(e.to_string()))?;
    get_json(store, &key).await?.ok_or_else(|| StoreError::Remote("credentials vanished".into()))
}

/// Whether credentials newer than `version` exist (a session opened with `version` ended).
pub async fn credentials_replaced(
    store: &impl BlobStore,
    tenant: TenantId,
    user: UserId,
    version: u64,
) -> Result<bool, StoreError> {
    let prefix = layout::credentials_prefix(tenant, user);
    let mine = format!("{prefix}{version:012}");
    Ok(!store.list(&prefix, Some(&mine), 1).await?.is_empty())
}

/// Puts `next` in force if no other change got there first (`false` then: nothing written).
pub async fn replace_credentials(
    store: &impl BlobStore,
    tenant: TenantId,
    user: UserId,
    next: &Credentials,
) -> Result<bool, StoreError> {
    let key = layout::credentials(tenant, user, next.version);
    Ok(create_json(store, &key, next).await? == crate::store::Created::Created)
}

/// Maps a username to its account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub tenant: TenantId,
    pub user_id: UserId,
}

/// Whether any organisation exists yet.
pub async fn any_tenant(store: &impl BlobStore) -> Result<bool, StoreError> {
    Ok(!store.list(layout::tenants_prefix(), None, 1).await?.is_empty())
}

pub async fn create_tenant(store: &impl BlobStore, name: &str) -> Result<TenantRecord, StoreError> {
    let record = TenantRecord { id: TenantId::random(), name: name.to_owned(), created_at: now_millis() };
    create_json(store, &layout::tenant(record.id), &record).await?;
    Ok(record)
}

pub async fn create_invite(store: &impl BlobStore, tenant: TenantId) -> Result<InviteCode, StoreError> {
    create_invite_for(store, tenant, None).await.map(|(code, _)| code)
}

/// An invite meant for a role and teams; returns the code and its expiry.
pub async fn create_invite_for(
    store: &impl BlobStore,
    tenant: TenantId,
    intended: Option<Intended>,
) -> Result<(InviteCode, InviteRecord), StoreError> {
    if get_json::<TenantRecord>(store, &layout::tenant(tenant)).await?.is_none() {
        return Err(StoreError::Remote(format!("no organisation {tenant}")));
    }
    let code = InviteCode::random(tenant);
    let now = now_millis();
    let record = InviteRecord { created_at: now, expires_at: now + INVITE_MILLIS, intended };
    create_json(store, &layout::invite(tenant, &code.secret), &record).await?;
    Ok((code, record))
}

/// Someone enrolled, waiting for an administrator to vouch for their keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingRecord {
    pub user_id: UserId,
    pub keys: PublicIdentity,
    pub intended: Option<Intended>,
    pub enrolled_at: i64,
}

/// The account a username names, if any.
pub async fn find_user(store: &impl BlobStore, username: &Username) -> Result<Option<UserRecord>, StoreError> {
    let Some(entry) = get_json::<DirectoryEntry>(store, &layout::username(username.as_str())).await? else {
        return Ok(None);
    };
    get_json(store, &layout::user(entry.tenant, entry.user_id)).await
}

/// Whether `user` was disabled.
pub async fn is_disabled(store: &impl BlobStore, tenant: TenantId, user: UserId) -> Result<bool, StoreError> {
    Ok(store.get(&layout::disabled(tenant, user)).await?.is_some())
}

/// Disables a member for good: their sessions are refused from the next request and they
/// cannot sign in. Someone who comes back is enrolled anew, with new keys. Fails if there
/// is no such member (`false`).
pub async fn disable(store: &impl BlobStore, tenant: TenantId, user: UserId) -> Result<bool, StoreError> {
    if get_json::<UserRecord>(store, &layout::user(tenant, user)).await?.is_none() {
        return Ok(false);
    }
    store.create(&layout::disabled(tenant, user), bytes::Bytes::new()).await?;
    tracing::info!(%tenant, %user, "member disabled");
    Ok(true)
}
