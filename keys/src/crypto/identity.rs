//! A member's identity keys: an Ed25519 key to sign (membership entries, and what later
//! vouches for people and grants) and an X25519 key to receive keys sealed to them. The
//! private halves leave the device only wrapped by the account key; the public halves are
//! published at enrolment and count only once the membership log vouches for them.

use super::wrap::{unwrap, wrap, WRAPPED_KEY_LEN};
use super::{CryptoError, SecretKey};
use crate::ids::UserId;
use crate::wire::b64_array;
use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a signature is for; a signature made for one purpose never verifies for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// An entry of the organisation's membership log.
    MembershipEntry,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::MembershipEntry => b"puente/membership-entry/v1\0",
        }
    }
}

/// An Ed25519 signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(#[serde(with = "b64_array")] pub [u8; 64]);

/// The public halves of a member's identity keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PublicIdentity {
    /// Ed25519 verifying key.
    #[serde(with = "b64_array")]
    pub signing: [u8; 32],
    /// X25519 public key (HPKE recipient).
    #[serde(with = "b64_array")]
    pub agreement: [u8; 32],
}

impl PublicIdentity {
    /// Checks `signature` over `message`, made for `purpose`.
    pub fn verify(&self, purpose: Purpose, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(&self.signing).map_err(|_| CryptoError::BadSignature)?;
        key.verify_strict(&signed_bytes(purpose, message), &ed25519_dalek::Signature::from_bytes(&signature.0))
            .map_err(|_| CryptoError::BadSignature)
    }

    /// Twenty digits in four groups that two people read aloud to each other to be sure a
    /// device holds the keys the other one sees (a server that swapped them cannot match it).
    pub fn safety_number(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"puente/safety-number/v1\0")
            .chain_update(self.signing)
            .chain_update(self.agreement)
            .finalize();
        digest
            .chunks(5)
            .take(4)
            .map(|chunk| {
                let n = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                format!("{:05}", n % 100_000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn signed_bytes(purpose: Purpose, message: &[u8]) -> Vec<u8> {
    [purpose.tag(), message].concat()
}

/// A member's private identity keys, held only while the vault is unlocked.
pub struct IdentityKeys {
    signing: ed25519_dalek::SigningKey,
    agreement: SecretKey,
}

/// The private identity keys wrapped by the account key, as stored and synced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedIdentity {
    #[serde(with = "b64_array")]
    pub signing: [u8; WRAPPED_KEY_LEN],
    #[serde(with = "b64_array")]
    pub agreement: [u8; WRAPPED_KEY_LEN],
}

fn identity_aad(half: &[u8], user: UserId) -> Vec<u8> {
    [b"puente/identity/v1/".as_slice(), half, user.as_bytes()].concat()
}

impl IdentityKeys {
    pub fn generate() -> Self {
        Self::from_secrets(SecretKey::random(), SecretKey::random())
    }

    fn from_secrets(signing: SecretKey, agreement: SecretKey) -> Self {
        Self { signing: ed25519_dalek::SigningKey::from_bytes(signing.expose()), agreement }
    }

    pub fn public(&self) -> PublicIdentity {
        PublicIdentity {
            signing: self.signing.verifying_key().to_bytes(),
            agreement: super::seal::public_of(&self.agreement),
        }
    }

    pub fn sign(&self, purpose: Purpose, message: &[u8]) -> Signature {
        Signature(self.signing.sign(&signed_bytes(purpose, message)).to_bytes())
    }

    /// The X25519 private key, to open what was sealed to [`PublicIdentity::agreement`].
    pub fn agreement(&self) -> &SecretKey {
        &self.agreement
    }

    /// Wraps both private keys under the account key, bound to the member.
    pub fn wrap(&self, account_key: &SecretKey, user: UserId) -> WrappedIdentity {
        let signing = SecretKey::from_bytes(self.signing.to_bytes());
        WrappedIdentity {
            signing: wrap(account_key, &signing, &identity_aad(b"signing", user)),
            agreement: wrap(account_key, &self.agreement, &identity_aad(b"agreement", user)),
        }
    }

    pub fn unwrap(account_key: &SecretKey, wrapped: &WrappedIdentity, user: UserId) -> Result<Self, CryptoError> {
        let signing = unwrap(account_key, &wrapped.signing, &identity_aad(b"signing", user))?;
        let agreement = unwrap(account_key, &wrapped.agreement, &identity_aad(b"agreement", user))?;
        Ok(Self::from_secrets(signing, agreement))
    }
}

impl std::fmt::Debug for IdentityKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityKeys").field("public", &self.public()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_key_message_and_purpose() {
        let keys = IdentityKeys::generate();
        let signature = keys.sign(Purpose::MembershipEntry, b"entry");
        let public = keys.public();
        assert_eq!(public.verify(Purpose::MembershipEntry, b"entry", &signature), Ok(()));
        assert_eq!(public.verify(Purpose::MembershipEntry, b"entrY", &signature), Err(CryptoError::BadSignature));
        let other = IdentityKeys::generate().public();
        assert_eq!(other.verify(Purpose::MembershipEntry, b"entry", &signature), Err(CryptoError::BadSignature));
        // Without the purpose tag the bytes signed differ, so a bare signature does not verify.
        let bare = Signature(keys.signing.sign(b"entry").to_bytes());
        assert_eq!(public.verify(Purpose::MembershipEntry, b"entry", &bare), Err(CryptoError::BadSignature));
        let mut bent = signature;
        bent.0[10] ^= 1;
        assert_eq!(public.verify(Purpose::MembershipEntry, b"entry", &bent), Err(CryptoError::BadSignature));
    }

    #[test]
    fn identity_keys_round_trip_wrapped_and_stay_bound_to_their_member() {
        let account = SecretKey::random();
        let user = UserId::random();
        let keys = IdentityKeys::generate();
        let wrapped = keys.wrap(&account, user);
        let back = IdentityKeys::unwrap(&account, &wrapped, user).unwrap();
        assert_eq!(back.public(), keys.public());
        assert_eq!(back.agreement(), keys.agreement());
        assert!(IdentityKeys::unwrap(&SecretKey::random(), &wrapped, user).is_err());
        assert!(IdentityKeys::unwrap(&account, &wrapped, UserId::random()).is_err());
        // The two halves cannot be swapped for one another.
        let swapped = WrappedIdentity { signing: wrapped.agreement, agreement: wrapped.signing };
        assert!(IdentityKeys::unwrap(&account, &swapped, user).is_err());
    }

    #[test]
    fn safety_numbers_are_four_groups_of_five_digits_that_differ_between_members() {
        let a = IdentityKeys::generate().public();
        let b = IdentityKeys::generate().public();
        let number = a.safety_number();
        assert_eq!(number.len(), 23);
        assert!(number.split(' ').all(|group| group.len() == 5 && group.chars().all(|c| c.is_ascii_digit())));
        assert_eq!(number, a.safety_number());
        assert_ne!(number, b.safety_number());
        // Either key changes it.
        let swapped = PublicIdentity { signing: a.signing, agreement: b.agreement };
        assert_ne!(swapped.safety_number(), number);
        let swapped = PublicIdentity { signing: b.signing, agreement: a.agreement };
        assert_ne!(swapped.safety_number(), number);
    }

    #[test]
    fn identity_keys_in_a_log_line_show_only_the_public_halves() {
        let keys = IdentityKeys::generate();
        let shown = format!("{keys:?}");
        assert!(shown.starts_with("IdentityKeys { public: PublicIdentity"));
        assert!(!shown.contains(&format!("{:?}", keys.agreement.expose())));
    }
}
