//! Object keys: `/`-separated segments of `[A-Za-z0-9._-]`, none empty and none starting
//! with `.` — so a key can never climb out of the filesystem store's root.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(raw: impl Into<String>) -> Result<Self, InvalidKey> {
        let raw = raw.into();
        let valid_segment = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.len() <= 128
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if raw.len() <= 512 && raw.split('/').all(valid_segment) {
            Ok(Self(raw))
        } else {
            Err(InvalidKey(raw))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid object key {0:?}")]
pub struct InvalidKey(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_or_hide() {
        assert!(ObjectKey::parse("tenants/a-b/cases/c/000000000001").is_ok());
        for bad in ["", "/abs", "a//b", "a/../b", "../x", "a/.tmp", "a/b/", "sp ace", "a\\b", "ü"] {
            assert!(ObjectKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
