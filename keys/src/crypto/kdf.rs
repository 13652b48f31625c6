//! Passphrase → Argon2id → HKDF → (`kek`, `auth_secret`). The `kek` never leaves the
//! device; the server only ever sees `auth_secret`, from which the `kek` cannot be derived.

use super::{CryptoError, SecretKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Argon2id cost, stored with the vault and on the server so every device derives alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self { m_kib: 64 * 1024, t: 3, p: 1 }
    }
}

impl KdfParams {
    /// The floor a device accepts (OWASP's minimum for Argon2id), so that a hostile server
    /// cannot talk a device into deriving a cheap-to-crack key.
    pub const MIN_M_KIB: u32 = 19 * 1024;
    pub const MIN_T: u32 = 2;
    const MAX_M_KIB: u32 = 1024 * 1024;
    const MAX_T: u32 = 16;
    const MAX_P: u32 = 8;

    pub fn check(&self) -> Result<(), CryptoError> {
        if self.m_kib < Self::MIN_M_KIB {
            return Err(CryptoError::WeakParams("memory below 19 MiB"));
        }
        if self.t < Self::MIN_T {
            return Err(CryptoError::WeakParams("fewer than 2 passes"));
        }
        if self.m_kib > Self::MAX_M_KIB || self.t > Self::MAX_T || self.p == 0 || self.p > Self::MAX_P {
            return Err(CryptoError::WeakParams("cost too high for a device"));
        }
        Ok(())
    }
}

/// A per-user random salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Salt(#[serde(with = "crate::wire::b64_array")] pub [u8; 16]);

impl Salt {
    pub fn random() -> Self {
        let mut salt = [0; 16];
        getrandom::getrandom(&mut salt).expect("the platform RNG is available");
        Self(salt)
    }
}

pub struct DerivedKeys {
    /// Wraps the account key. Stays on the device.
    pub kek: SecretKey,
    /// Proves the user's identity to the server, which keeps only a slow hash of it.
    pub auth_secret: SecretKey,
}

pub fn derive_keys(passphrase: &str, salt: &Salt, params: KdfParams) -> Result<DerivedKeys, CryptoError> {
    params.check()?;
    let argon_params = argon2::Params::new(params.m_kib, params.t, params.p, Some(64)).map_err(|_| CryptoError::Kdf)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon_params);
    let mut stretched = Zeroizing::new([0u8; 64]);
    argon.hash_password_into(passphrase.as_bytes(), &salt.0, stretched.as_mut()).map_err(|_| CryptoError::Kdf)?;
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"puente/v1"), stretched.as_ref());
    let mut kek = [0u8; 32];
    let mut auth = [0u8; 32];
    hkdf.expand(b"key-encryption-key", &mut kek).map_err(|_| CryptoError::Kdf)?;
    hkdf.expand(b"auth-secret", &mut auth).map_err(|_| CryptoError::Kdf)?;
    Ok(DerivedKeys { kek: SecretKey::from_bytes(kek), auth_secret: SecretKey::from_bytes(auth) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest accepted cost keeps the tests fast; the default is exercised once.
    const FAST: KdfParams = KdfParams { m_kib: KdfParams::MIN_M_KIB, t: 2, p: 1 };

    #[test]
    fn derivation_is_deterministic_and_splits_into_independent_keys() {
        let salt = Salt([7; 16]);
        let a = derive_keys("correct horse battery staple", &salt, FAST).unwrap();
        let b = derive_keys("correct horse battery staple", &salt, FAST).unwrap();
        assert_eq!(a.kek, b.kek);
        assert_eq!(a.auth_secret, b.auth_secret);
        assert_ne!(a.kek, a.auth_secret);
    }

    #[test]
    fn passphrase_salt_and_params_all_change_the_keys() {
        let salt = Salt([7; 16]);
        let base = derive_keys("passphrase one", &salt, FAST).unwrap();
        let other_pass = derive_keys("passphrase two", &salt, FAST).unwrap();
        let other_salt = derive_keys("passphrase one", &Salt([8; 16]), FAST).unwrap();
        let other_cost = derive_keys("passphrase one", &salt, KdfParams { t: 3, ..FAST }).unwrap();
        for other in [other_pass, other_salt, other_cost] {
            assert_ne!(base.kek, other.kek);
            assert_ne!(base.auth_secret, other.auth_secret);
        }
    }

    #[test]
    fn default_params_are_accepted() {
        assert!(KdfParams::default().check().is_ok());
        assert!(derive_keys("x", &Salt::random(), KdfParams::default()).is_ok());
    }

    #[test]
    fn a_device_accepts_costs_from_19_mib_and_two_passes_up_to_1_gib_sixteen_passes_and_eight_lanes() {
        let floor = KdfParams { m_kib: 19 * 1024, t: 2, p: 1 };
        assert_eq!(KdfParams::MIN_M_KIB, floor.m_kib);
        assert!(floor.check().is_ok());
        let ceiling = KdfParams { m_kib: 1024 * 1024, t: 16, p: 8 };
        assert!(ceiling.check().is_ok());
        let refused = [
            KdfParams { m_kib: floor.m_kib - 1, ..floor },
            KdfParams { t: floor.t - 1, ..floor },
            KdfParams { p: 0, ..floor },
            KdfParams { m_kib: ceiling.m_kib + 1, ..ceiling },
            KdfParams { t: ceiling.t + 1, ..ceiling },
            KdfParams { p: ceiling.p + 1, ..ceiling },
        ];
        for params in refused {
            assert!(matches!(params.check(), Err(CryptoError::WeakParams(_))), "{params:?}");
        }
    }

    #[test]
    fn weak_or_absurd_params_are_refused() {
        for params in [
            KdfParams { m_kib: 1024, ..FAST },
            KdfParams { t: 1, ..FAST },
            KdfParams { p: 0, ..FAST },
            KdfParams { m_kib: 4 * 1024 * 1024, ..FAST },
        ] {
            // Checked first: a derivation at an absurd cost would not end.
            assert!(params.check().is_err(), "{params:?}");
            assert!(matches!(derive_keys("x", &Salt([0; 16]), params), Err(CryptoError::WeakParams(_))), "{params:?}");
        }
    }
}
