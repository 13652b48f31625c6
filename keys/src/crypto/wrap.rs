//! Key wrapping: a 32-byte key sealed under another with XChaCha20-Poly1305, bound by
//! associated data to what it is for, so a wrapped key cannot be replayed elsewhere.

use super::{CryptoError, SecretKey};
use crate::ids::UserId;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Bytes of a wrapped key: nonce, the sealed 32-byte key, tag.
pub const WRAPPED_KEY_LEN: usize = NONCE_LEN + 32 + TAG_LEN;

pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::getrandom(&mut nonce).expect("the platform RNG is available");
    nonce
}

pub(crate) fn cipher(key: &SecretKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.expose().into())
}

pub(crate) fn wrap(wrapping: &SecretKey, key: &SecretKey, aad: &[u8]) -> [u8; WRAPPED_KEY_LEN] {
    let nonce = random_nonce();
    let sealed = cipher(wrapping)
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.expose(), aad })
        .expect("sealing 32 bytes cannot fail");
    let mut out = [0u8; WRAPPED_KEY_LEN];
    out[..NONCE_LEN].copy_from_slice(&nonce);
    out[NONCE_LEN..].copy_from_slice(&sealed);
    out
}

pub(crate) fn unwrap(wrapping: &SecretKey, wrapped: &[u8], aad: &[u8]) -> Result<SecretKey, CryptoError> {
    if wrapped.len() != WRAPPED_KEY_LEN {
        return Err(CryptoError::Truncated(wrapped.len()));
    }
    let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
    let opened = Zeroizing::new(
        cipher(wrapping)
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| CryptoError::Authentication)?,
    );
    let mut key = [0u8; 32];
    key.copy_from_slice(&opened);
    Ok(SecretKey::from_bytes(key))
}

fn account_key_aad(user: UserId) -> Vec<u8> {
    [b"puente/account-key/v1".as_slice(), user.as_bytes()].concat()
}

/// Wraps the user's account key under the passphrase-derived `kek`.
pub fn wrap_account_key(kek: &SecretKey, account_key: &SecretKey, user: UserId) -> Vec<u8> {
    wrap(kek, account_key, &account_key_aad(user)).to_vec()
}

/// Opens the account key; fails with [`CryptoError::Authentication`] on a wrong passphrase.
pub fn unwrap_account_key(kek: &SecretKey, wrapped: &[u8], user: UserId) -> Result<SecretKey, CryptoError> {
    unwrap(kek, wrapped, &account_key_aad(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_key_round_trips_and_refuses_the_wrong_kek_or_user() {
        let kek = SecretKey::random();
        let account = SecretKey::random();
        let user = UserId::random();
        let wrapped = wrap_account_key(&kek, &account, user);
        assert_eq!(unwrap_account_key(&kek, &wrapped, user).unwrap(), account);
        assert_eq!(unwrap_account_key(&SecretKey::random(), &wrapped, user), Err(CryptoError::Authentication));
        assert_eq!(unwrap_account_key(&kek, &wrapped, UserId::random()), Err(CryptoError::Authentication));
    }

    #[test]
    fn every_bit_of_a_wrapped_key_is_protected() {
        let kek = SecretKey::random();
        let user = UserId::random();
        let wrapped = wrap_account_key(&kek, &SecretKey::random(), user);
        for bit in 0..wrapped.len() * 8 {
            let mut tampered = wrapped.clone();
            tampered[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(unwrap_account_key(&kek, &tampered, user), Err(CryptoError::Authentication), "bit {bit}");
        }
        assert_eq!(unwrap_account_key(&kek, &wrapped[1..], user), Err(CryptoError::Truncated(WRAPPED_KEY_LEN - 1)));
    }
}
