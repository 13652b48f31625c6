//! What the passphrase opens: changing it, opening again by signing in after it changed
//! elsewhere (another device, or a recovery), and keeping the account key sealed to the
//! organisation's recovery key. The account key itself never changes, so no case is
//! sealed again.

use super::records::VaultHeader;
use super::{Vault, VaultError};
use crate::vault::db::DeviceDb;
use puente_shared::credentials::new_credentials;
use puente_shared::crypto::{
    derive_keys, escrow_account_key, escrow_statement, unwrap_account_key, DerivedKeys, IdentityKeys, KdfParams,
    Purpose,
};
use puente_shared::protocol::{Escrow, NewCredentials, PassphraseChange, Session};

impl Vault {
    /// A change to `new`: `current` must open the vault as stored; the account key stays,
    /// wrapped under keys `new` derives with a fresh salt at the default cost. Nothing is
    /// kept until the server has put it in force ([`Vault::passphrase_changed`]).
    pub async fn prepare_passphrase_change(
        &self,
        current: &str,
        new: &str,
    ) -> Result<(PassphraseChange, DerivedKeys), VaultError> {
        let header = self.db.header().await?.ok_or(VaultError::NoVault)?;
        let current_keys = derive_keys(current, &header.salt, header.kdf)?;
        let opened = unwrap_account_key(&current_keys.kek, &header.wrapped_account_key, header.user_id)
            .map_err(|_| VaultError::WrongPassphrase)?;
        if opened != self.account_key {
            return Err(VaultError::NotThisAccount);
        }
        let (credentials, keys) = new_credentials(new, KdfParams::default(), header.user_id, &self.account_key)?;
        let change =
            PassphraseChange { current_auth_secret: current_keys.auth_secret.expose().to_vec(), new: credentials };
        Ok((change, keys))
    }

    /// Keeps what the new passphrase opens, once the server has put it in force.
    pub async fn passphrase_changed(&self, new: &NewCredentials, keys: DerivedKeys) -> Result<(), VaultError> {
        *self.auth_secret.borrow_mut() = keys.auth_secret;
        self.credentials_epoch.set(self.credentials_epoch.get() + 1);
        let (salt, kdf, wrapped) = (new.salt, new.kdf, new.wrapped_account_key.clone());
        self.update_header(move |header| {
            header.salt = salt;
            header.kdf = kdf;
            header.wrapped_account_key = wrapped;
            header.must_sign_in = false;
            header.recovered = false;
        })
        .await
    }

    /// Counts the passphrases this vault took while unlocked: sync tells a refusal of the
    /// old one (a session it began before) from a refusal of the one in force.
    pub fn credentials_epoch(&self) -> u64 {
        self.credentials_epoch.get()
    }

    /// Holds off sync while a passphrase change is under way here ([`ChangingPassphrase`]).
    pub fn changing_passphrase(&self) -> ChangingPassphrase<'_> {
        self.changing.set(self.changing.get() + 1);
        ChangingPassphrase(self)
    }

    pub fn is_changing_passphrase(&self) -> bool {
        self.changing.get() > 0
    }

    /// Whether the passphrase in force was set by an administrator's recovery (who saw it).
    pub fn was_recovered(&self) -> bool {
        self.header.borrow().recovered
    }

    /// Whether the server no longer takes this vault's passphrase.
    pub fn must_sign_in(&self) -> bool {
        self.header.borrow().must_sign_in
    }

    /// Records that the server no longer takes this vault's passphrase: from now on it
    /// opens only by signing in with the new one.
    pub async fn mark_must_sign_in(&self) -> Result<(), VaultError> {
        self.update_header(|header| header.must_sign_in = true).await
    }

    /// Opens this device's vault with a sign-in made with the new passphrase. The account
    /// key it unwraps must be this vault's own (it opens the identity keys the vault
    /// holds), so a server cannot hand the device someone else's; the header then takes the
    /// new salt and wrapping, and the passphrase it had stops opening it.
    pub async fn reopen(db: DeviceDb, session: &Session, keys: DerivedKeys) -> Result<Self, VaultError> {
        let header = db.header().await?.ok_or(VaultError::NoVault)?;
        if session.user_id != header.user_id || session.tenant != header.tenant {
            return Err(VaultError::NotThisAccount);
        }
        let account_key = unwrap_account_key(&keys.kek, &session.wrapped_account_key, header.user_id)
            .map_err(|_| VaultError::WrongPassphrase)?;
        // A vault from before identity keys has nothing to tell its own account key from
        // another's: it is opened with the passphrase it holds first (which makes them).
        let published = header.identity.as_ref().ok_or(VaultError::NotThisAccount)?;
        let identity = IdentityKeys::unwrap(&account_key, &published.wrapped, header.user_id)
            .map_err(|_| VaultError::NotThisAccount)?;
        let header = VaultHeader {
            salt: session.salt,
            kdf: session.kdf,
            wrapped_account_key: session.wrapped_account_key.clone(),
            must_sign_in: false,
            recovered: session.recovered_by.is_some(),
            ..header
        };
        db.put_header(&header).await?;
        Ok(Self::opened(db, header, account_key, keys.auth_secret, identity))
    }

    /// The account key sealed to the organisation's public recovery key, unless the server
    /// already keeps it for that key.
    pub fn escrow_for(&self, recovery: &[u8; 32]) -> Option<Escrow> {
        if self.header.borrow().escrowed_to == recovery {
            return None;
        }
        let (tenant, user) = (self.tenant(), self.user_id());
        let sealed = escrow_account_key(recovery, tenant, user, &self.account_key).ok()?;
        let signature = self.identity.sign(Purpose::Escrow, &escrow_statement(tenant, user, recovery, &sealed));
        Some(Escrow { recovery: *recovery, sealed, signature })
    }

    /// Records that the server keeps the escrow for `recovery`.
    pub async fn escrow_kept(&self, recovery: &[u8; 32]) -> Result<(), VaultError> {
        let recovery = recovery.to_vec();
        self.update_header(move |header| header.escrowed_to = recovery).await
    }
}

/// While it lives, a passphrase change is under way on this device: sync neither signs in
/// with the old passphrase nor takes a refusal of it as news from elsewhere.
pub struct ChangingPassphrase<'a>(&'a Vault);

impl Drop for ChangingPassphrase<'_> {
    fn drop(&mut self) {
        self.0.changing.set(self.0.changing.get() - 1);
    }
}
