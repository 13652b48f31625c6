//! The encrypted vault on this device: its header and keys, and sealing and opening
//! cases. Nothing about a person is stored in clear.

pub mod db;
pub mod records;

use db::{DbError, DeviceDb};
use puente_shared::crypto::{
    self, derive_keys, unwrap_account_key, DerivedKeys, EnvelopeHeader, KdfParams, Salt, SecretKey,
};
use puente_shared::protocol::Session;
use puente_shared::{CaseDocument, CaseId, KeyId};
use records::VaultHeader;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("this device has no vault")]
    NoVault,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("a case could not be opened: {0}")]
    Crypto(#[from] crypto::CryptoError),
    #[error("a case's content is unreadable: {0}")]
    Content(String),
}

/// The key of one case, with its id.
#[derive(Clone, Debug)]
pub struct CaseKey {
    pub id: KeyId,
    pub key: SecretKey,
}

impl CaseKey {
    pub fn random() -> Self {
        Self { id: KeyId::random(), key: SecretKey::random() }
    }
}

/// An unlocked vault: the keys live only in this value, and go when it is dropped.
pub struct Vault {
    pub db: DeviceDb,
    pub header: VaultHeader,
    account_key: SecretKey,
    auth_secret: SecretKey,
}

impl Vault {
    /// Installs the vault of a freshly enrolled or signed-in account, from the keys the
    /// passphrase derived (so the slow derivation runs once).
    pub async fn install(db: DeviceDb, session: &Session, keys: DerivedKeys) -> Result<Self, VaultError> {
        let account_key = unwrap_account_key(&keys.kek, &session.wrapped_account_key, session.user_id)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let header = VaultHeader {
            username: session.username.as_str().to_owned(),
            user_id: session.user_id,
            tenant: session.tenant,
            salt: session.salt,
            kdf: session.kdf,
            wrapped_account_key: session.wrapped_account_key.clone(),
        };
        db.put_header(&header).await?;
        Ok(Self { db, header, account_key, auth_secret: keys.auth_secret.clone() })
    }

    /// Opens the vault with the passphrase, without any network.
    pub async fn unlock(db: DeviceDb, passphrase: &str) -> Result<Self, VaultError> {
        let header = db.header().await?.ok_or(VaultError::NoVault)?;
        let keys = derive_keys(passphrase, &header.salt, header.kdf)?;
        let account_key = unwrap_account_key(&keys.kek, &header.wrapped_account_key, header.user_id)
            .map_err(|_| VaultError::WrongPassphrase)?;
        Ok(Self { db, header, account_key, auth_secret: keys.auth_secret })
    }

    pub fn auth_secret(&self) -> &SecretKey {
        &self.auth_secret
    }

    /// Seals a case document as `revision` (its parent being the one before).
    pub fn seal(&self, doc: &CaseDocument, key: &CaseKey, revision: u64) -> Vec<u8> {
        self.seal_as(doc.id, revision, key, doc)
    }

    /// Seals `value` as revision `revision` of `case`, its key wrapped by the account key.
    fn seal_as<T: serde::Serialize>(&self, case: CaseId, revision: u64, key: &CaseKey, value: &T) -> Vec<u8> {
        let header =
            EnvelopeHeader { tenant: self.header.tenant, case, revision, parent: revision - 1, key_id: key.id };
        let plaintext = zeroize::Zeroizing::new(serde_json::to_vec(value).expect("sealed values serialise"));
        crypto::seal(&header, &key.key, &self.account_key, &plaintext)
    }

    /// Seals a form kept only on this device (not a case: never synced), under the account
    /// key like a case.
    pub fn seal_draft<T: serde::Serialize>(&self, value: &T) -> Vec<u8> {
        self.seal_as(drafts_id(), 1, &CaseKey::random(), value)
    }

    pub fn open_draft<T: serde::de::DeserializeOwned>(&self, sealed: &[u8]) -> Result<T, VaultError> {
        self.open_as(sealed, drafts_id(), Some(1)).map(|(value, _)| value)
    }

    /// Opens what was sealed under `case` (at `revision`, when known) and reads it as `T`.
    fn open_as<T: serde::de::DeserializeOwned>(
        &self,
        sealed: &[u8],
        case: CaseId,
        revision: Option<u64>,
    ) -> Result<(T, crypto::Opened), VaultError> {
        let opened = crypto::open(sealed, &self.account_key, self.header.tenant, case, revision)?;
        let value = serde_json::from_slice(&opened.plaintext).map_err(|e| VaultError::Content(e.to_string()))?;
        Ok((value, opened))
    }

    /// Opens a sealed case found under `case` (at `revision`, when known).
    pub fn open(
        &self,
        sealed: &[u8],
        case: CaseId,
        revision: Option<u64>,
    ) -> Result<(CaseDocument, CaseKey), VaultError> {
        let (doc, opened): (CaseDocument, _) = self.open_as(sealed, case, revision)?;
        if doc.id != case {
            return Err(VaultError::Content("the document names another case".into()));
        }
        Ok((doc, CaseKey { id: opened.header.key_id, key: opened.case_key }))
    }
}

/// The id device-only drafts are sealed under. Case ids are random (v4) UUIDs and this one
/// is all zeros, so a draft can never be opened as a case, nor a case as a draft.
fn drafts_id() -> CaseId {
    CaseId::from_bytes([0; 16])
}

/// New account keys for enrolment: a fresh salt, the keys derived from the passphrase,
/// and a new random account key wrapped under them.
pub fn new_account_keys(
    passphrase: &str,
    user: puente_shared::UserId,
    kdf: KdfParams,
) -> Result<(Salt, Vec<u8>, DerivedKeys), VaultError> {
    let salt = Salt::random();
    let keys = derive_keys(passphrase, &salt, kdf)?;
    let wrapped = crypto::wrap_account_key(&keys.kek, &SecretKey::random(), user);
    Ok((salt, wrapped, keys))
}
