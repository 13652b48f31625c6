//! An entry as stored: its signed bytes, who signed them and the signature. The bytes are
//! kept exactly as signed, so nothing depends on re-serialising them the same way.

use super::{Entry, Refusal};
use crate::crypto::{IdentityKeys, PublicIdentity, Purpose, Signature};
use crate::ids::UserId;
use crate::wire::{b64, b64_array};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Largest signed entry, in bytes.
pub const MAX_ENTRY_BYTES: usize = 16 * 1024;

/// A SHA-256 digest naming an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Digest(#[serde(with = "b64_array")] pub [u8; 32]);

impl Digest {
    /// What the first entry's `prev` holds.
    pub const NONE: Digest = Digest([0; 32]);

    /// As unpadded URL-safe base64 (in an enrolment link).
    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).map_err(|_| Refusal::Malformed)?;
        Ok(Self(bytes.try_into().map_err(|_| Refusal::Malformed)?))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    /// The [`Entry`] as JSON, exactly as signed.
    #[serde(with = "b64")]
    pub body: Vec<u8>,
    pub signer: UserId,
    pub signature: Signature,
}

impl SignedEntry {
    pub fn sign(entry: &Entry, signer: UserId, keys: &IdentityKeys) -> Self {
        let body = serde_json::to_vec(entry).expect("entries serialise");
        let signature = keys.sign(Purpose::MembershipEntry, &body);
        Self { body, signer, signature }
    }

    /// The entry inside, unverified.
    pub fn entry(&self) -> Result<Entry, Refusal> {
        if self.body.len() > MAX_ENTRY_BYTES {
            return Err(Refusal::Malformed);
        }
        serde_json::from_slice(&self.body).map_err(|_| Refusal::Malformed)
    }

    pub(super) fn verify(&self, by: &PublicIdentity) -> Result<(), Refusal> {
        by.verify(Purpose::MembershipEntry, &self.body, &self.signature).map_err(|_| Refusal::BadSignature)
    }

    /// Names this entry: covers the body, the signer and the signature.
    pub fn digest(&self) -> Digest {
        use sha2::Digest as _;
        let hash = Sha256::new()
            .chain_update(b"puente/membership-digest/v1\0")
            .chain_update((self.body.len() as u64).to_be_bytes())
            .chain_update(&self.body)
            .chain_update(self.signer.as_bytes())
            .chain_update(self.signature.0)
            .finalize();
        Digest(hash.into())
    }
}
