//! How strong a chosen passphrase is. The passphrase is the only thing between a stolen
//! tablet and the returnees' files, so a weak one is refused, not just warned about.

/// Fewest characters accepted.
pub const MIN_CHARS: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Refused.
    Weak,
    Fair,
    Strong,
}

pub fn strength(passphrase: &str) -> Strength {
    let chars = passphrase.chars().count();
    let distinct = {
        let mut seen: Vec<char> = passphrase.chars().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let classes = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_numeric()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|&&present| present)
    .count();
    if chars < MIN_CHARS || distinct < 6 {
        Strength::Weak
    } else if chars >= 20 || (chars >= 14 && classes >= 3) {
        Strength::Strong
    } else {
        Strength::Fair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_repetitive_passphrases_are_weak() {
        assert_eq!(strength(""), Strength::Weak);
        assert_eq!(strength("Tr0ub4dor&3"), Strength::Weak, "11 characters");
        assert_eq!(strength("aaaaaaaaaaaaaaaaaaaaaaaa"), Strength::Weak);
        assert_eq!(strength("abababababababab"), Strength::Weak);
    }

    #[test]
    fn longer_and_varied_passphrases_are_stronger() {
        assert_eq!(strength("river lantern"), Strength::Fair);
        assert_eq!(strength("river lantern 42 Oak"), Strength::Strong);
        assert_eq!(strength("correct horse battery staple"), Strength::Strong);
        assert_eq!(strength("Río-Lámpara-7x"), Strength::Strong);
    }
}
