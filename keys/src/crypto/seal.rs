//! Sealing a secret to someone's public key: HPKE base mode (RFC 9180) with
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305. `binding` (HPKE's `info`)
//! says what the sealed value is for and whose it is, so it opens nowhere else.
//!
//! ```text
//! offset  len  field
//!      0   32  encapsulated key (the sender's ephemeral X25519 public key)
//!     32    …  ciphertext and 16-byte tag
//! ```

use super::{CryptoError, SecretKey};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use zeroize::Zeroizing;

type X25519 = X25519HkdfSha256;
const ENCAPPED_LEN: usize = 32;
/// Bytes sealing adds to what is sealed.
pub const SEALED_OVERHEAD: usize = ENCAPPED_LEN + 16;

fn private_key(secret: &SecretKey) -> <X25519 as Kem>::PrivateKey {
    <X25519 as Kem>::PrivateKey::from_bytes(secret.expose()).expect("32 bytes are an X25519 private key")
}

/// The X25519 public key of `secret`.
pub fn public_of(secret: &SecretKey) -> [u8; 32] {
    <X25519 as Kem>::sk_to_pk(&private_key(secret)).to_bytes().into()
}

/// Seals `secret` to `recipient`.
pub fn seal_to(recipient: &[u8; 32], binding: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let recipient = <X25519 as Kem>::PublicKey::from_bytes(recipient).map_err(|_| CryptoError::BadPublicKey)?;
    let (encapped, sealed) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519, _>(
        &OpModeS::Base,
        &recipient,
        binding,
        secret,
        &[],
        &mut rand_core::OsRng,
    )
    .map_err(|_| CryptoError::BadPublicKey)?;
    Ok([encapped.to_bytes().as_slice(), &sealed].concat())
}

/// Opens what [`seal_to`] sealed to the public half of `recipient` under the same `binding`.
pub fn open_sealed(recipient: &SecretKey, binding: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < SEALED_OVERHEAD {
        return Err(CryptoError::Truncated(sealed.len()));
    }
    let (encapped, ciphertext) = sealed.split_at(ENCAPPED_LEN);
    let encapped = <X25519 as Kem>::EncappedKey::from_bytes(encapped).map_err(|_| CryptoError::Authentication)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519>(
        &OpModeR::Base,
        &private_key(recipient),
        &encapped,
        binding,
        ciphertext,
        &[],
    )
    .map(Zeroizing::new)
    .map_err(|_| CryptoError::Authentication)
}

/// Seals a 32-byte key to `recipient`.
pub fn seal_key_to(recipient: &[u8; 32], binding: &[u8], key: &SecretKey) -> Result<Vec<u8>, CryptoError> {
    seal_to(recipient, binding, key.expose())
}

/// Opens a key sealed with [`seal_key_to`].
pub fn open_sealed_key(recipient: &SecretKey, binding: &[u8], sealed: &[u8]) -> Result<SecretKey, CryptoError> {
    let opened = open_sealed(recipient, binding, sealed)?;
    let bytes: [u8; 32] = opened.as_slice().try_into().map_err(|_| CryptoError::Authentication)?;
    Ok(SecretKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_for_its_recipient_and_binding() {
        let recipient = SecretKey::random();
        let key = SecretKey::random();
        let sealed = seal_key_to(&public_of(&recipient), b"for ana", &key).unwrap();
        assert_eq!(sealed.len(), 32 + SEALED_OVERHEAD);
        assert_eq!(open_sealed_key(&recipient, b"for ana", &sealed).unwrap(), key);
        assert_eq!(open_sealed_key(&recipient, b"for bea", &sealed), Err(CryptoError::Authentication));
        assert_eq!(open_sealed_key(&SecretKey::random(), b"for ana", &sealed), Err(CryptoError::Authentication));
        // Each sealing is fresh: the same key sealed twice looks different.
        assert_ne!(seal_key_to(&public_of(&recipient), b"for ana", &key).unwrap(), sealed);
    }

    #[test]
    fn every_bit_of_a_sealed_key_is_protected() {
        let recipient = SecretKey::random();
        let sealed = seal_key_to(&public_of(&recipient), b"b", &SecretKey::random()).unwrap();
        for bit in 0..sealed.len() * 8 {
            let mut bent = sealed.clone();
            bent[bit / 8] ^= 1 << (bit % 8);
            assert!(open_sealed(&recipient, b"b", &bent).is_err(), "bit {bit}");
        }
    }

    #[test]
    fn short_or_wrong_sized_input_is_refused() {
        let recipient = SecretKey::random();
        assert_eq!(open_sealed(&recipient, b"", &[0; SEALED_OVERHEAD - 1]), Err(CryptoError::Truncated(47)));
        // The shortest sealed value (nothing sealed) opens.
        let empty = seal_to(&public_of(&recipient), b"", b"").unwrap();
        assert_eq!(empty.len(), SEALED_OVERHEAD);
        assert_eq!(open_sealed(&recipient, b"", &empty).unwrap().as_slice(), b"");
        // A sealed value of another size is not a key.
        let long = seal_to(&public_of(&recipient), b"", &[7; 33]).unwrap();
        assert_eq!(open_sealed_key(&recipient, b"", &long), Err(CryptoError::Authentication));
    }
}
