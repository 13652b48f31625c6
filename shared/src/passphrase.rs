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

    #[test]
    fn twelve_characters_of_six_kinds_are_the_least_accepted() {
        assert_eq!(strength("abcdefghijkl"), Strength::Fair, "12 characters, all different");
        assert_eq!(strength("abcdefghijk"), Strength::Weak, "11");
        assert_eq!(strength("aabbccddeeff"), Strength::Fair, "6 distinct characters");
        assert_eq!(strength("aabbccddeeaa"), Strength::Weak, "5 distinct characters");
    }

    #[test]
    fn strong_takes_twenty_characters_or_fourteen_of_three_kinds() {
        assert_eq!(strength("riverlanternoakmaple"), Strength::Strong, "20 lower-case letters");
        assert_eq!(strength("riverlanternoakmapl"), Strength::Fair, "19");
        assert_eq!(strength("riverlanternab"), Strength::Fair, "14 characters of one kind");
        assert_eq!(strength("riverlantern42"), Strength::Fair, "letters and digits are two kinds");
        assert_eq!(strength("Riverlantern42"), Strength::Strong, "upper case is a third kind");
        assert_eq!(strength("riverlantern!?"), Strength::Fair, "letters and symbols are two kinds");
        assert_eq!(strength("riverlanter!?7"), Strength::Strong, "symbols count as a kind");
        assert_eq!(strength("Riverlante!?7"), Strength::Fair, "13 characters of four kinds");
    }
}
