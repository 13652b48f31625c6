//! What a device sends to put a new passphrase in force (a change, or a recovery on an
//! administrator's device): the same account key, wrapped under keys the new passphrase
//! derives with a fresh salt. Only `auth_secret` of those keys travels.

use crate::crypto::{derive_keys, wrap_account_key, CryptoError, DerivedKeys, KdfParams, Salt, SecretKey};
use crate::protocol::NewCredentials;
use crate::{TenantId, UserId};

/// What the recovering device signs for `credentials` replacing version `replaces`.
pub fn recovery_statement(tenant: TenantId, user: UserId, replaces: u64, credentials: &NewCredentials) -> Vec<u8> {
    crate::crypto::recovery_statement(
        tenant,
        user,
        replaces,
        &credentials.auth_secret,
        &credentials.salt,
        credentials.kdf,
        &credentials.wrapped_account_key,
    )
}

pub fn new_credentials(
    passphrase: &str,
    kdf: KdfParams,
    user: UserId,
    account_key: &SecretKey,
) -> Result<(NewCredentials, DerivedKeys), CryptoError> {
    let salt = Salt::random();
    let keys = derive_keys(passphrase, &salt, kdf)?;
    let credentials = NewCredentials {
        auth_secret: keys.auth_secret.expose().to_vec(),
        salt,
        kdf,
        wrapped_account_key: wrap_account_key(&keys.kek, account_key, user),
    };
    Ok((credentials, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::unwrap_account_key;

    #[test]
    fn the_new_passphrase_opens_the_same_account_key_under_a_fresh_salt() {
        let fast = KdfParams { m_kib: KdfParams::MIN_M_KIB, t: 2, p: 1 };
        let (user, account) = (UserId::random(), SecretKey::random());
        let (first, keys) = new_credentials("a new passphrase", fast, user, &account).unwrap();
        let (second, _) = new_credentials("a new passphrase", fast, user, &account).unwrap();
        assert_ne!(first.salt, second.salt);
        assert_eq!(first.kdf, fast);
        assert_eq!(first.auth_secret, keys.auth_secret.expose().to_vec());
        let again = derive_keys("a new passphrase", &first.salt, fast).unwrap();
        assert_eq!(unwrap_account_key(&again.kek, &first.wrapped_account_key, user).unwrap(), account);
        let weak = KdfParams { m_kib: 1024, ..fast };
        assert!(new_credentials("x", weak, user, &account).is_err());
    }

    #[test]
    fn a_recovery_signs_every_field_of_the_new_credentials() {
        let fast = KdfParams { m_kib: KdfParams::MIN_M_KIB, t: 2, p: 1 };
        let (tenant, user, account) = (TenantId::random(), UserId::random(), SecretKey::random());
        let (credentials, _) = new_credentials("a new passphrase", fast, user, &account).unwrap();
        let statement = recovery_statement(tenant, user, 4, &credentials);
        let expected = crate::crypto::recovery_statement(
            tenant,
            user,
            4,
            &credentials.auth_secret,
            &credentials.salt,
            fast,
            &credentials.wrapped_account_key,
        );
        assert_eq!(statement, expected);
        assert_ne!(statement, recovery_statement(tenant, user, 5, &credentials));
        let mut other = credentials.clone();
        other.wrapped_account_key[0] ^= 1;
        assert_ne!(statement, recovery_statement(tenant, user, 4, &other));
    }
}
