//! Signed, expiring session tokens: `v1.<payload>.<hmac>`. The signing key lives in the
//! object store so that every backend instance accepts every other's tokens; whoever can
//! read the store can forge a token, but that grants only what they already have —
//! ciphertext. The tenant a request acts on comes from here and nowhere else. A token
//! alone is not enough: each request also checks that its session was not ended and its
//! member not disabled (`crate::auth`).

use crate::store::{BlobStore, StoreError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use puente_shared::{TenantId, UserId};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::sync::Arc;

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub tenant: TenantId,
    pub user: UserId,
    /// Names the session, so that a logout can end it alone.
    pub sid: SessionId,
    /// Unix seconds.
    pub exp: i64,
    /// The version of the member's credentials the session was opened with: a passphrase
    /// change or a recovery makes a newer one, which ends the session.
    #[serde(default)]
    pub credentials: u64,
}

/// A session's random id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionId(#[serde(with = "puente_shared::protocol::b64_array")] pub [u8; 16]);

impl SessionId {
    pub fn random() -> Self {
        let mut id = [0u8; 16];
        getrandom::getrandom(&mut id).expect("the platform RNG is available");
        Self(id)
    }
}

#[derive(Clone)]
pub struct TokenSigner {
    key: Arc<[u8; 32]>,
}

impl TokenSigner {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key: Arc::new(key) }
    }

    /// The installation's signing key, created on first start (the first instance wins).
    pub async fn from_store(store: &impl BlobStore) -> Result<Self, StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::getrandom(&mut fresh).map_err(|e| StoreError::Remote(e.to_string()))?;
        let key = crate::layout::session_key();
        store.create(&key, Bytes::copy_from_slice(&fresh)).await?;
        let stored = store.get(&key).await?.ok_or_else(|| StoreError::Remote("session key vanished".into()))?;
        let stored: [u8; 32] =
            stored.as_ref().try_into().map_err(|_| StoreError::Remote("the stored session key is corrupt".into()))?;
        Ok(Self::new(stored))
    }

    fn mac(&self, purpose: &[u8], data: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.as_ref()).expect("any key length works");
        mac.update(purpose);
        mac.update(data);
        mac
    }

    pub fn issue(&self, claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let signature = URL_SAFE_NO_PAD.encode(self.mac(b"session/v1", payload.as_bytes()).finalize().into_bytes());
        format!("v1.{payload}.{signature}")
    }

    pub fn verify(&self, token: &str, now: i64) -> Option<Claims> {
        let mut parts = token.split('.');
        let (version, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if version != "v1" || parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac(b"session/v1", payload.as_bytes()).verify_slice(&signature).ok()?;
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        (claims.exp > now).then_some(claims)
    }

    /// A keyed hash for values that must look random but stay stable (decoy salts).
    pub fn derive(&self, purpose: &[u8], data: &[u8]) -> [u8; 32] {
        self.mac(purpose, data).finalize().into_bytes().into()
    }
}

pub fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims { tenant: TenantId::random(), user: UserId::random(), sid: SessionId::random(), exp, credentials: 0 }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let signer = TokenSigner::new([1; 32]);
        let c = claims(1_000);
        let token = signer.issue(&c);
        assert_eq!(signer.verify(&token, 999), Some(c));
        assert_eq!(signer.verify(&token, 1_000), None);
    }

    #[test]
    fn forged_or_foreign_tokens_are_refused() {
        let signer = TokenSigner::new([1; 32]);
        let token = signer.issue(&claims(i64::MAX));
        assert!(TokenSigner::new([2; 32]).verify(&token, 0).is_none());
        let (head, signature) = token.rsplit_once('.').unwrap();
        let other_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(i64::MAX)).unwrap());
        assert!(signer.verify(&format!("v1.{other_payload}.{signature}"), 0).is_none());
        assert!(signer.verify(&format!("{head}."), 0).is_none());
        assert!(signer.verify(&format!("v2{}", &token[2..]), 0).is_none());
        assert!(signer.verify("", 0).is_none());
    }
}
