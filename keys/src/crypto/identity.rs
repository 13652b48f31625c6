//! A member's identity keys: an Ed25519 key to sign (membership entries, and what later
//! vouches for people and grants) and an X25519 key to receive keys sealed to them. The
//! private halves leave the device only wrapped by the account key; the public halves are
//! published at enrolment and count only once the membership log vouches for them.

use super::wrap::{unwrap, wrap, WRAPPED_KEY_LEN};
use super::{CryptoError, SecretKey};
use crate::ids::{TenantId, UserId};
use crate::wire::b64_array;
use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a signature is for; a signature made for one purpose never verifies for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// An entry of the organisation's membership log.
    MembershipEntry,
    /// A member's account key sealed to the recovery key, by that member.
    Escrow,
    /// New credentials for a member, by whoever opened the member's escrow.
    Recovery,
    /// A case revision, by its author.
    Revision,
    /// A case key sealed to someone, by the member who gives it.
    Grant,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::MembershipEntry => b"puente/membership-entry/v1\0",
            Purpose::Escrow => b"puente/escrow/v1\0",
            Purpose::Recovery => b"puente/recovery/v1\0",
            Purpose::Revision => b"puente/revision/v1\0",
            Purpose::Grant => b"puente/grant/v1\0",
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

    /// Twenty-five digits in five groups that two people read aloud to each other to be sure
    /// a device holds the keys the other one sees for this member of this organisation (a
    /// server that swapped the keys cannot match it). Devices of every version must agree on
    /// it, so its computation never changes.
    pub fn safety_number(&self, org: TenantId, user: UserId) -> String {
        let digest = Sha256::new()
            .chain_update(b"puente/safety-number/v1\0")
            .chain_update(org.as_bytes())
            .chain_update(user.as_bytes())
            .chain_update(self.signing)
            .chain_update(self.agreement)
            .finalize();
        digest
            .chunks(5)
            .take(5)
            .map(|chunk| {
                let mut wide = [0u8; 8];
                wide[3..].copy_from_slice(chunk);
                format!("{:05}", u64::from_be_bytes(wide) % 100_000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether these are usable public keys: a valid Ed25519 point of full order and two
    /// distinct halves.
    pub fn check(&self) -> Result<(), CryptoError> {
        let signing = ed25519_dalek::VerifyingKey::from_bytes(&self.signing).map_err(|_| CryptoError::BadPublicKey)?;
        if signing.is_weak() || self.signing == self.agreement || self.agreement == [0; 32] {
            return Err(CryptoError::BadPublicKey);
        }
        Ok(())
    }
}

fn signed_bytes(purpose: Purpose, message: &[u8]) -> Vec<u8> {
    [purpose.tag(), message].concat()
}

/// A member's private identity keys, held only while the vault is unlocked.
#[derive(Clone)]
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
        let others = [Purpose::Escrow, Purpose::Recovery, Purpose::Revision, Purpose::Grant];
        for other in others {
            assert_eq!(public.verify(other, b"entry", &signature), Err(CryptoError::BadSignature), "{other:?}");
        }
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
    fn safety_numbers_are_five_groups_of_five_digits_bound_to_keys_member_and_organisation() {
        let (org, user) = (TenantId::random(), UserId::random());
        let a = IdentityKeys::generate().public();
        let b = IdentityKeys::generate().public();
        let number = a.safety_number(org, user);
        assert_eq!(number.len(), 29);
        assert!(number.split(' ').all(|group| group.len() == 5 && group.chars().all(|c| c.is_ascii_digit())));
        assert_eq!(number, a.safety_number(org, user));
        assert_ne!(number, b.safety_number(org, user));
        assert_ne!(number, a.safety_number(TenantId::random(), user));
        assert_ne!(number, a.safety_number(org, UserId::random()));
        // Either key changes it.
        let swapped = PublicIdentity { signing: a.signing, agreement: b.agreement };
        assert_ne!(swapped.safety_number(org, user), number);
        let swapped = PublicIdentity { signing: b.signing, agreement: a.agreement };
        assert_ne!(swapped.safety_number(org, user), number);
    }

    #[test]
    fn a_safety_number_is_the_same_on_every_version_of_the_app() {
        // Two devices compare it aloud, so it must never change: pinned for fixed inputs.
        let keys = PublicIdentity { signing: [1; 32], agreement: [2; 32] };
        let number = keys.safety_number(TenantId::from_bytes([3; 16]), UserId::from_bytes([4; 16]));
        assert_eq!(number, PINNED_SAFETY_NUMBER);
    }

    const PINNED_SAFETY_NUMBER: &str = "52492 99828 61871 49668 32877";

    #[test]
    fn signatures_cover_the_purpose_tag_then_the_message() {
        // Pinned: a verifier that knows only the documented format accepts it.
        let keys = IdentityKeys::generate();
        let signature = keys.sign(Purpose::MembershipEntry, b"entry");
        let verifying = ed25519_dalek::VerifyingKey::from_bytes(&keys.public().signing).unwrap();
        let signed = ed25519_dalek::Signature::from_bytes(&signature.0);
        assert!(verifying.verify_strict(b"puente/membership-entry/v1\0entry", &signed).is_ok());
    }

    #[test]
    fn unusable_public_keys_are_refused() {
        let good = IdentityKeys::generate().public();
        assert_eq!(good.check(), Ok(()));
        assert_eq!(PublicIdentity { agreement: good.signing, ..good }.check(), Err(CryptoError::BadPublicKey));
        assert_eq!(PublicIdentity { agreement: [0; 32], ..good }.check(), Err(CryptoError::BadPublicKey));
        // The identity point is a weak (small-order) Ed25519 key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicIdentity { signing: identity, ..good }.check(), Err(CryptoError::BadPublicKey));
        // Bytes that are not a point at all.
        let not_a_point = (2u8..=255)
            .map(|y| {
                let mut bytes = [0u8; 32];
                bytes[0] = y;
                bytes
            })
            .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
            .expect("some small y is not on the curve");
        assert_eq!(PublicIdentity { signing: not_a_point, ..good }.check(), Err(CryptoError::BadPublicKey));
    }

    #[test]
    fn identity_keys_in_a_log_line_show_only_the_public_halves() {
        let keys = IdentityKeys::generate();
        let shown = format!("{keys:?}");
        assert!(shown.starts_with("IdentityKeys { public: PublicIdentity"));
        assert!(!shown.contains(&format!("{:?}", keys.agreement.expose())));
    }
}
