//! The encrypted vault on this device: its header and keys, and sealing and opening
//! cases. Nothing about a person is stored in clear.

mod credentials;
pub use credentials::ChangingPassphrase;
pub mod db;
pub mod records;

use db::{DbError, DeviceDb};
use puente_shared::crypto::{
    self, derive_keys, unwrap_account_key, DerivedKeys, EnvelopeHeader, Grant, IdentityKeys, KdfParams, PublicIdentity,
    Recipient, RevisionHeader, Salt, SecretKey,
};
use puente_shared::protocol::{PublishedIdentity, Session};
use puente_shared::{CaseDocument, CaseId, KeyId};
use records::VaultHeader;
use std::cell::{Cell, RefCell};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("this device has no vault")]
    NoVault,
    /// The passphrase was changed on another device or by a recovery: only the new one,
    /// checked by the server, opens this vault now.
    #[error("the passphrase was changed; sign in with the new one")]
    MustSignIn,
    /// Signing in gave an account key that is not this vault's.
    #[error("the server's answer is not this account's")]
    NotThisAccount,
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
    /// As last read or written: IndexedDB holds the truth, and every change is made there
    /// first.
    header: RefCell<VaultHeader>,
    account_key: SecretKey,
    /// Signs in again when the session ends; replaced by a passphrase change.
    auth_secret: RefCell<SecretKey>,
    credentials_epoch: Cell<u64>,
    /// Passphrase changes under way on this device.
    changing: Cell<u32>,
    identity: IdentityKeys,
}

/// The identity keys a vault header holds, or new ones (with the header to store) for a
/// vault or account from before they existed.
fn identity_of(
    header: &VaultHeader,
    account_key: &SecretKey,
) -> Result<(IdentityKeys, Option<VaultHeader>), VaultError> {
    if let Some(published) = &header.identity {
        return Ok((IdentityKeys::unwrap(account_key, &published.wrapped, header.user_id)?, None));
    }
    let keys = IdentityKeys::generate();
    let identity = PublishedIdentity { keys: keys.public(), wrapped: keys.wrap(account_key, header.user_id) };
    let updated = VaultHeader { identity: Some(identity), identity_published: false, ..header.clone() };
    Ok((keys, Some(updated)))
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
            identity: session.identity.clone(),
            identity_published: session.identity.is_some(),
            must_sign_in: false,
            escrowed_to: Vec::new(),
            recovered: session.recovered_by.is_some(),
        };
        let (identity, made) = identity_of(&header, &account_key)?;
        let header = made.unwrap_or(header);
        db.put_header(&header).await?;
        Ok(Self::opened(db, header, account_key, keys.auth_secret, identity))
    }

    fn opened(
        db: DeviceDb,
        header: VaultHeader,
        account_key: SecretKey,
        auth_secret: SecretKey,
        identity: IdentityKeys,
    ) -> Self {
        Self {
            db,
            header: RefCell::new(header),
            account_key,
            auth_secret: RefCell::new(auth_secret),
            credentials_epoch: Cell::new(0),
            changing: Cell::new(0),
            identity,
        }
    }

    /// Opens the vault with the passphrase, without any network. A vault told that the
    /// passphrase changed elsewhere refuses the one it holds ([`VaultError::MustSignIn`]):
    /// it opens only by signing in with the new one ([`Vault::reopen`]).
    pub async fn unlock(db: DeviceDb, passphrase: &str) -> Result<Self, VaultError> {
        let header = db.header().await?.ok_or(VaultError::NoVault)?;
        if header.must_sign_in {
            return Err(VaultError::MustSignIn);
        }
        let keys = derive_keys(passphrase, &header.salt, header.kdf)?;
        let account_key = unwrap_account_key(&keys.kek, &header.wrapped_account_key, header.user_id)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let (identity, made) = identity_of(&header, &account_key)?;
        let header = match made {
            Some(updated) => {
                db.put_header(&updated).await?;
                updated
            }
            None => header,
        };
        Ok(Self::opened(db, header, account_key, keys.auth_secret, identity))
    }

    pub fn user_id(&self) -> puente_shared::UserId {
        self.header.borrow().user_id
    }

    pub fn tenant(&self) -> puente_shared::TenantId {
        self.header.borrow().tenant
    }

    pub fn username(&self) -> String {
        self.header.borrow().username.clone()
    }

    /// Changes the stored header (in one transaction), then keeps it here.
    async fn update_header(&self, change: impl FnOnce(&mut VaultHeader) + 'static) -> Result<(), VaultError> {
        let header = self.db.update_header(change).await?;
        *self.header.borrow_mut() = header;
        Ok(())
    }

    /// The member's identity keys.
    pub fn identity(&self) -> &IdentityKeys {
        &self.identity
    }

    /// The identity keys still to be published, if the server does not have them yet.
    pub fn unpublished_identity(&self) -> Option<PublishedIdentity> {
        let header = self.header.borrow();
        header.identity.clone().filter(|_| !header.identity_published)
    }

    /// Records that the server has the identity keys.
    pub async fn identity_was_published(&self) -> Result<(), VaultError> {
        self.update_header(|header| header.identity_published = true).await
    }

    pub fn auth_secret(&self) -> SecretKey {
        self.auth_secret.borrow().clone()
    }

    /// Seals a case document for this device's storage, as `revision` (its parent being the
    /// one before), its key wrapped by the account key.
    pub fn seal(&self, doc: &CaseDocument, key: &CaseKey, revision: u64) -> Vec<u8> {
        self.seal_as(doc.id, revision, key, doc)
    }

    /// Seals a case document as revision `revision` for the server, signed by this member.
    /// It names its key but does not carry it: those who may open the case have grants.
    pub fn seal_revision(&self, doc: &CaseDocument, key: &CaseKey, revision: u64) -> Vec<u8> {
        let header = RevisionHeader {
            tenant: self.tenant(),
            case: doc.id,
            revision,
            parent: revision - 1,
            key_id: key.id,
            author: self.user_id(),
        };
        let plaintext = zeroize::Zeroizing::new(serde_json::to_vec(doc).expect("sealed values serialise"));
        crypto::seal_revision(&header, &key.key, &self.identity, &plaintext)
    }

    /// Opens a revision read from the server (or this device's outbox), signed by `author`
    /// (keys the caller trusts for the member it names) and sealed under `key`.
    pub fn open_revision(
        &self,
        sealed: &[u8],
        case: CaseId,
        revision: u64,
        key: &CaseKey,
        author: &PublicIdentity,
    ) -> Result<CaseDocument, VaultError> {
        let (header, plaintext) = crypto::open_revision(sealed, &key.key, author, self.tenant(), case, Some(revision))?;
        if header.key_id != key.id {
            return Err(VaultError::Crypto(crypto::CryptoError::Authentication));
        }
        let doc: CaseDocument = serde_json::from_slice(&plaintext).map_err(|e| VaultError::Content(e.to_string()))?;
        if doc.id != case {
            return Err(VaultError::Content("the document names another case".into()));
        }
        Ok(doc)
    }

    /// Gives `key` of `case` to `to`, whose X25519 key is `to_public`, signed by this member.
    pub fn grant(&self, case: CaseId, key: &CaseKey, to: Recipient, to_public: &[u8; 32]) -> Result<Grant, VaultError> {
        Ok(Grant::give(self.tenant(), case, key.id, &key.key, to, to_public, self.user_id(), &self.identity)?)
    }

    /// Opens a grant addressed to this member, given by `giver` (keys the caller trusts).
    pub fn open_grant(&self, grant: &Grant, giver: &PublicIdentity) -> Result<CaseKey, VaultError> {
        if grant.to != Recipient::Member(self.user_id()) {
            return Err(VaultError::Crypto(crypto::CryptoError::Authentication));
        }
        let key = grant.open(self.tenant(), giver, self.identity.agreement())?;
        Ok(CaseKey { id: grant.key_id, key })
    }

    /// Seals `value` as revision `revision` of `case`, its key wrapped by the account key.
    fn seal_as<T: serde::Serialize>(&self, case: CaseId, revision: u64, key: &CaseKey, value: &T) -> Vec<u8> {
        let header = EnvelopeHeader { tenant: self.tenant(), case, revision, parent: revision - 1, key_id: key.id };
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
        let opened = crypto::open(sealed, &self.account_key, self.tenant(), case, revision)?;
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

/// What enrolment makes on the device.
pub struct NewAccount {
    pub salt: Salt,
    /// The new random account key, wrapped under the passphrase's keys.
    pub wrapped_account_key: Vec<u8>,
    /// New identity keys, private halves wrapped by the account key.
    pub identity: PublishedIdentity,
    pub keys: DerivedKeys,
}

/// New account keys for enrolment: a fresh salt, the keys derived from the passphrase,
/// a new random account key wrapped under them, and new identity keys wrapped by it.
pub fn new_account_keys(
    passphrase: &str,
    user: puente_shared::UserId,
    kdf: KdfParams,
) -> Result<NewAccount, VaultError> {
    let salt = Salt::random();
    let keys = derive_keys(passphrase, &salt, kdf)?;
    let account_key = SecretKey::random();
    let wrapped_account_key = crypto::wrap_account_key(&keys.kek, &account_key, user);
    let identity_keys = IdentityKeys::generate();
    let identity = PublishedIdentity { keys: identity_keys.public(), wrapped: identity_keys.wrap(&account_key, user) };
    Ok(NewAccount { salt, wrapped_account_key, identity, keys })
}
