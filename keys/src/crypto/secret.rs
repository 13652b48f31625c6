//! A 256-bit secret that is wiped from memory when dropped.

use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn random() -> Self {
        let mut key = Self([0; 32]);
        getrandom::getrandom(&mut key.0).expect("the platform RNG is available");
        key
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::SecretKey;

    #[test]
    fn a_key_logged_by_accident_shows_nothing_of_itself() {
        let key = SecretKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?} {:?}", Some(&key));
        assert_eq!(shown, "SecretKey(…) Some(SecretKey(…))");
    }
}
