//! The organisation's recovery key: an X25519 key pair made when the organisation is
//! founded. Its private half leaves the founding device once, as 24 words on a printed
//! sheet (the BIP-39 English list, whose checksum catches a mistyped or swapped word), and
//! is stored nowhere. Every member's device seals its account key to the public half (an
//! *escrow*), so an administrator holding the sheet can give a member who forgot the
//! passphrase their cases back. The server keeps the escrows and cannot open them.

use super::identity::{IdentityKeys, PublicIdentity, WrappedIdentity};
use super::kdf::{KdfParams, Salt};
use super::seal::{open_sealed_key, public_of, seal_key_to, SEALED_OVERHEAD};
use super::{CryptoError, SecretKey};
use crate::ids::{TenantId, UserId};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Words on a recovery sheet.
pub const RECOVERY_WORDS: usize = 24;
/// Bytes of an escrow: a sealed 32-byte account key.
pub const ESCROW_LEN: usize = 32 + SEALED_OVERHEAD;

/// The private half of an organisation's recovery key; wiped from memory when dropped.
pub struct RecoveryKey(SecretKey);

/// Why typed words are not a recovery key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    #[error("a recovery sheet has 24 words, not {0}")]
    WordCount(usize),
    #[error("word {0} is not on the recovery word list")]
    UnknownWord(usize),
    #[error("the words do not check: one is mistyped or out of order")]
    Checksum,
}

impl RecoveryKey {
    pub fn generate() -> Self {
        Self(SecretKey::random())
    }

    /// The public half, named in the organisation's founding entry.
    pub fn public(&self) -> [u8; 32] {
        public_of(&self.0)
    }

    pub fn secret(&self) -> &SecretKey {
        &self.0
    }

    /// The 24 words of the sheet, separated by single spaces.
    pub fn words(&self) -> Zeroizing<String> {
        let mnemonic = bip39::Mnemonic::from_entropy(self.0.expose()).expect("32 bytes are valid entropy");
        let mut words = Zeroizing::new(String::with_capacity(RECOVERY_WORDS * 9));
        for (i, word) in mnemonic.words().enumerate() {
            if i > 0 {
                words.push(' ');
            }
            words.push_str(word);
        }
        words
    }

    /// Reads the words as typed: any case, any whitespace between them.
    pub fn parse(typed: &str) -> Result<Self, RecoveryError> {
        let lower = Zeroizing::new(typed.to_lowercase());
        let words: Vec<&str> = lower.split_whitespace().collect();
        if words.len() != RECOVERY_WORDS {
            return Err(RecoveryError::WordCount(words.len()));
        }
        let joined = Zeroizing::new(words.join(" "));
        let mnemonic =
            bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &joined).map_err(|error| match error {
                bip39::Error::UnknownWord(index) => RecoveryError::UnknownWord(index + 1),
                _ => RecoveryError::Checksum,
            })?;
        let (entropy, len) = mnemonic.to_entropy_array();
        let entropy = Zeroizing::new(entropy);
        let bytes: [u8; 32] = entropy[..len].try_into().map_err(|_| RecoveryError::WordCount(words.len()))?;
        Ok(Self(SecretKey::from_bytes(bytes)))
    }
}

fn escrow_binding(tenant: TenantId, user: UserId, recovery: &[u8; 32]) -> Vec<u8> {
    [b"puente/recovery-escrow/v1".as_slice(), tenant.as_bytes(), user.as_bytes(), recovery].concat()
}

/// Seals `user`'s account key to the organisation's recovery key.
pub fn escrow_account_key(
    recovery: &[u8; 32],
    tenant: TenantId,
    user: UserId,
    account_key: &SecretKey,
) -> Result<Vec<u8>, CryptoError> {
    seal_key_to(recovery, &escrow_binding(tenant, user, recovery), account_key)
}

/// Opens `user`'s escrowed account key with the recovery key.
pub fn open_escrow(
    recovery: &RecoveryKey,
    tenant: TenantId,
    user: UserId,
    escrow: &[u8],
) -> Result<SecretKey, CryptoError> {
    if escrow.len() != ESCROW_LEN {
        return Err(CryptoError::Truncated(escrow.len()));
    }
    open_sealed_key(&recovery.0, &escrow_binding(tenant, user, &recovery.public()), escrow)
}

/// What a member signs ([`Purpose::Escrow`](super::Purpose::Escrow)) to show the server an
/// escrow is theirs, so that someone holding only their session cannot plant another.
pub fn escrow_statement(tenant: TenantId, user: UserId, recovery: &[u8; 32], escrow: &[u8]) -> Vec<u8> {
    [tenant.as_bytes().as_slice(), user.as_bytes(), recovery, escrow].concat()
}

/// What the recovering device signs with the member's identity key
/// ([`Purpose::Recovery`](super::Purpose::Recovery)): the member's new credentials, and the
/// version of the credentials they replace (so it cannot be replayed later). Only a device
/// that opened the member's escrow holds that key, so an administrator's session alone
/// cannot replace anyone's passphrase.
pub fn recovery_statement(
    tenant: TenantId,
    user: UserId,
    replaces: u64,
    auth_secret: &[u8],
    salt: &Salt,
    kdf: KdfParams,
    wrapped_account_key: &[u8],
) -> Vec<u8> {
    let digest = Sha256::new()
        .chain_update((auth_secret.len() as u64).to_be_bytes())
        .chain_update(auth_secret)
        .chain_update(salt.0)
        .chain_update(kdf.m_kib.to_be_bytes())
        .chain_update(kdf.t.to_be_bytes())
        .chain_update(kdf.p.to_be_bytes())
        .chain_update((wrapped_account_key.len() as u64).to_be_bytes())
        .chain_update(wrapped_account_key)
        .finalize();
    [tenant.as_bytes().as_slice(), user.as_bytes(), &replaces.to_be_bytes(), &digest].concat()
}

/// A member's keys as the recovery sheet opened them.
pub struct RecoveredMember {
    pub account_key: SecretKey,
    pub identity: IdentityKeys,
}

/// Opens a member's escrowed account key with the recovery key, and proves it is theirs:
/// it must open the member's wrapped identity keys, and those must be the keys the
/// membership log vouches for. A server that swapped escrows or identities is caught here.
pub fn open_member_account_key(
    recovery: &RecoveryKey,
    tenant: TenantId,
    user: UserId,
    escrow: &[u8],
    wrapped: &WrappedIdentity,
    vouched: &PublicIdentity,
) -> Result<RecoveredMember, CryptoError> {
    let account_key = open_escrow(recovery, tenant, user, escrow)?;
    let identity = IdentityKeys::unwrap(&account_key, wrapped, user)?;
    if identity.public() != *vouched {
        return Err(CryptoError::Authentication);
    }
    Ok(RecoveredMember { account_key, identity })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_give_back_the_same_key_however_they_are_typed() {
        let key = RecoveryKey::generate();
        let words = key.words();
        assert_eq!(words.split(' ').count(), RECOVERY_WORDS);
        let sloppy = format!("  {}\n", words.to_uppercase().replace(' ', " \t "));
        for typed in [words.as_str(), sloppy.as_str()] {
            let back = RecoveryKey::parse(typed).unwrap();
            assert_eq!(back.secret(), key.secret());
            assert_eq!(back.public(), key.public());
        }
    }

    #[test]
    fn the_sheet_for_a_known_key_is_stable() {
        // The BIP-39 test vector for 32 bytes of 0x7f: a sheet printed today reads the same
        // in every later version.
        let key = RecoveryKey(SecretKey::from_bytes([0x7f; 32]));
        assert_eq!(
            key.words().as_str(),
            "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful \
             legal winner thank year wave sausage worth title"
        );
    }

    #[test]
    fn a_missing_unknown_swapped_or_mistyped_word_is_refused() {
        let words = RecoveryKey::generate().words();
        let list: Vec<&str> = words.split(' ').collect();
        assert_eq!(RecoveryKey::parse(&list[1..].join(" ")).err(), Some(RecoveryError::WordCount(23)));
        assert_eq!(RecoveryKey::parse("").err(), Some(RecoveryError::WordCount(0)));
        let mut unknown = list.clone();
        unknown[4] = "puente";
        assert_eq!(RecoveryKey::parse(&unknown.join(" ")).err(), Some(RecoveryError::UnknownWord(5)));
        // The checksum is 8 bits, so a mistake gets past it once in 256: a fixed sheet keeps
        // the test from failing at random.
        let sheet = RecoveryKey(SecretKey::from_bytes([0x7f; 32])).words();
        let list: Vec<&str> = sheet.split(' ').collect();
        let mut wrong = list.clone();
        wrong[23] = "abandon";
        let mut swapped = list.clone();
        swapped.swap(0, 1);
        let mut mistyped = list.clone();
        mistyped[10] = "wave";
        for typed in [wrong, swapped, mistyped] {
            assert_ne!(typed, list);
            assert_eq!(RecoveryKey::parse(&typed.join(" ")).err(), Some(RecoveryError::Checksum), "{typed:?}");
        }
    }

    #[test]
    fn an_escrow_opens_only_with_the_recovery_key_for_its_member_and_organisation() {
        let recovery = RecoveryKey::generate();
        let (tenant, user) = (TenantId::random(), UserId::random());
        let account = SecretKey::random();
        let escrow = escrow_account_key(&recovery.public(), tenant, user, &account).unwrap();
        assert_eq!(escrow.len(), ESCROW_LEN);
        assert_eq!(open_escrow(&recovery, tenant, user, &escrow).unwrap(), account);
        let other = RecoveryKey::generate();
        assert_eq!(open_escrow(&other, tenant, user, &escrow), Err(CryptoError::Authentication));
        assert_eq!(open_escrow(&recovery, tenant, UserId::random(), &escrow), Err(CryptoError::Authentication));
        assert_eq!(open_escrow(&recovery, TenantId::random(), user, &escrow), Err(CryptoError::Authentication));
        assert_eq!(open_escrow(&recovery, tenant, user, &escrow[1..]), Err(CryptoError::Truncated(ESCROW_LEN - 1)));
        // Sealed to another organisation's recovery key, it does not open with this one.
        let elsewhere = escrow_account_key(&other.public(), tenant, user, &account).unwrap();
        assert_eq!(open_escrow(&recovery, tenant, user, &elsewhere), Err(CryptoError::Authentication));
        assert!(escrow_account_key(&[0; 32], tenant, user, &account).is_err());
    }

    #[test]
    fn a_member_key_is_taken_only_if_it_opens_the_identity_the_log_vouches_for() {
        let recovery = RecoveryKey::generate();
        let (tenant, user) = (TenantId::random(), UserId::random());
        let account = SecretKey::random();
        let identity = IdentityKeys::generate();
        let wrapped = identity.wrap(&account, user);
        let escrow = escrow_account_key(&recovery.public(), tenant, user, &account).unwrap();
        let open = |escrow: &[u8], wrapped: &WrappedIdentity, vouched: &PublicIdentity| {
            open_member_account_key(&recovery, tenant, user, escrow, wrapped, vouched)
        };
        let recovered = open(&escrow, &wrapped, &identity.public()).unwrap();
        assert_eq!(recovered.account_key, account);
        assert_eq!(recovered.identity.public(), identity.public());
        // Another member's escrow (sealed for this user id by a server that swapped them),
        // identity keys wrapped by another key, keys the log does not vouch for: all refused.
        let stranger = SecretKey::random();
        let swapped = escrow_account_key(&recovery.public(), tenant, user, &stranger).unwrap();
        assert_eq!(open(&swapped, &wrapped, &identity.public()).err(), Some(CryptoError::Authentication));
        let other = IdentityKeys::generate();
        let invented = other.wrap(&account, user);
        assert_eq!(open(&escrow, &invented, &identity.public()).err(), Some(CryptoError::Authentication));
        assert_eq!(open(&escrow, &wrapped, &other.public()).err(), Some(CryptoError::Authentication));
    }

    #[test]
    fn every_part_of_a_recovery_changes_what_is_signed() {
        let (tenant, user) = (TenantId::random(), UserId::random());
        let kdf = KdfParams::default();
        let salt = Salt([1; 16]);
        let base = recovery_statement(tenant, user, 3, &[2; 32], &salt, kdf, &[4; 72]);
        assert_eq!(base, recovery_statement(tenant, user, 3, &[2; 32], &salt, kdf, &[4; 72]));
        let others = [
            recovery_statement(TenantId::random(), user, 3, &[2; 32], &salt, kdf, &[4; 72]),
            recovery_statement(tenant, UserId::random(), 3, &[2; 32], &salt, kdf, &[4; 72]),
            recovery_statement(tenant, user, 4, &[2; 32], &salt, kdf, &[4; 72]),
            recovery_statement(tenant, user, 3, &[9; 32], &salt, kdf, &[4; 72]),
            recovery_statement(tenant, user, 3, &[2; 32], &Salt([5; 16]), kdf, &[4; 72]),
            recovery_statement(tenant, user, 3, &[2; 32], &salt, KdfParams { m_kib: kdf.m_kib + 1, ..kdf }, &[4; 72]),
            recovery_statement(tenant, user, 3, &[2; 32], &salt, KdfParams { t: kdf.t + 1, ..kdf }, &[4; 72]),
            recovery_statement(tenant, user, 3, &[2; 32], &salt, KdfParams { p: kdf.p + 1, ..kdf }, &[4; 72]),
            recovery_statement(tenant, user, 3, &[2; 32], &salt, kdf, &[6; 72]),
            // Bytes moved from one field to the next do not sign the same thing.
            recovery_statement(tenant, user, 3, &[2; 33], &salt, kdf, &[4; 71]),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(&base, other, "variant {i}");
        }
        let escrow = escrow_statement(tenant, user, &[7; 32], &[8; 80]);
        assert_ne!(escrow, escrow_statement(tenant, user, &[7; 32], &[9; 80]));
        assert_ne!(escrow, escrow_statement(tenant, user, &[6; 32], &[8; 80]));
        assert_ne!(escrow, escrow_statement(tenant, UserId::random(), &[7; 32], &[8; 80]));
        assert_ne!(escrow, escrow_statement(TenantId::random(), user, &[7; 32], &[8; 80]));
    }
}
