//! Keys and the encryption envelope (docs/SECURITY.md, "Keys" and "The envelope's bytes"). The same code
//! runs in the browser and on the server; only the browser ever holds a key.

mod envelope;
mod grant;
mod identity;
mod kdf;
mod recovery;
mod revision;
mod seal;
mod secret;
mod wrap;

pub use envelope::{open, seal, EnvelopeHeader, Opened, ENVELOPE_OVERHEAD, FORMAT_VERSION, HEADER_LEN};
pub use grant::{Grant, Recipient};
pub use identity::{IdentityKeys, PublicIdentity, Purpose, Signature, WrappedIdentity};
pub use kdf::{derive_keys, DerivedKeys, KdfParams, Salt};
pub use recovery::{
    escrow_account_key, escrow_statement, open_escrow, open_member_account_key, recovery_statement, RecoveredMember,
    RecoveryError, RecoveryKey, ESCROW_LEN, RECOVERY_WORDS,
};
pub use revision::{
    open_revision, seal_revision, verify_revision, RevisionHeader, REVISION_FORMAT, REVISION_HEADER_LEN,
    REVISION_OVERHEAD,
};
pub use seal::{open_sealed, open_sealed_key, public_of, seal_key_to, seal_to, SEALED_OVERHEAD};
pub use secret::SecretKey;
pub use wrap::{unwrap_account_key, wrap_account_key, WRAPPED_KEY_LEN};

/// Why something could not be opened or parsed. Messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the data is too short to be an envelope ({0} bytes)")]
    Truncated(usize),
    #[error("this is not a Puente envelope")]
    BadMagic,
    #[error("unsupported envelope format version {0}")]
    UnsupportedVersion(u8),
    #[error("the revision numbers are inconsistent (revision {revision}, parent {parent})")]
    BadRevision { revision: u64, parent: u64 },
    #[error("the envelope belongs to another {0}")]
    Misplaced(&'static str),
    #[error("the data was altered, or the key is wrong")]
    Authentication,
    #[error("key derivation parameters are out of the accepted range: {0}")]
    WeakParams(&'static str),
    #[error("key derivation failed")]
    Kdf,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("this is not a usable public key")]
    BadPublicKey,
}
