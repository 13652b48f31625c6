//! The keys a device has moved a case away from. After a rotation the old key may be in
//! the hands of someone who lost access, so a device never seals the case under it again,
//! whatever the server says is in force and whatever grant of it turns up: a revision
//! under it still opens (it was written before the rotation, or raced it), but the key a
//! case is sealed under only moves forward.

use crate::ids::KeyId;
use serde::{Deserialize, Serialize};

/// The keys of one case this device no longer seals under, oldest first. None is ever
/// forgotten: a key is retired only when the case moves to another that a writer granted,
/// and it never moves back, so the list grows by one per real rotation (16 bytes each).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RetiredKeys(Vec<KeyId>);

impl RetiredKeys {
    pub fn contains(&self, key: KeyId) -> bool {
        self.0.contains(&key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Never seals under `key` again (remembered once).
    fn retire(&mut self, key: KeyId) {
        if !self.contains(key) {
            self.0.push(key);
        }
    }

    /// Moves a case sealed under `current` to `next`, retiring `current`. Refused (`false`,
    /// nothing changes) when `next` is a key this case was moved away from.
    pub fn advance(&mut self, current: KeyId, next: KeyId) -> bool {
        if self.contains(next) {
            return false;
        }
        if current != next {
            self.retire(current);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_case_moves_forward_and_never_back() {
        let (k1, k2, k3) = (KeyId::random(), KeyId::random(), KeyId::random());
        let mut retired = RetiredKeys::default();
        assert!(retired.is_empty());
        assert!(retired.advance(k1, k1), "staying under the key held");
        assert!(retired.is_empty(), "and nothing is retired for it");
        assert!(retired.advance(k1, k2));
        assert!(retired.contains(k1) && !retired.contains(k2) && !retired.is_empty());
        let before = retired.clone();
        assert!(!retired.advance(k2, k1), "back to a retired key: refused");
        assert_eq!(retired, before, "and nothing changes");
        assert!(retired.advance(k2, k3));
        assert_eq!(retired.len(), 2);
        assert!(!retired.advance(k3, k2) && !retired.advance(k3, k1));
    }

    #[test]
    fn a_key_is_remembered_once_and_none_is_forgotten() {
        let mut retired = RetiredKeys::default();
        let keys: Vec<KeyId> = (0..1000).map(|_| KeyId::random()).collect();
        for pair in keys.windows(2) {
            assert!(retired.advance(pair[0], pair[1]));
        }
        retired.retire(keys[0]);
        assert_eq!(retired.len(), 999, "each key once");
        assert!(keys[..999].iter().all(|key| retired.contains(*key)), "the oldest too");
        assert!(!retired.contains(keys[999]), "not the one held");
    }

    #[test]
    fn it_is_stored_as_a_plain_list() {
        let key = KeyId::random();
        let mut retired = RetiredKeys::default();
        assert!(retired.advance(key, KeyId::random()));
        let json = serde_json::to_value(&retired).unwrap();
        assert_eq!(json, serde_json::json!([key]));
        assert_eq!(serde_json::from_value::<RetiredKeys>(json).unwrap(), retired);
    }

    proptest! {
        /// Whatever keys a device is offered, in any order, it never seals under a key it
        /// moved away from, and the key it holds is never among the retired.
        #[test]
        fn the_key_held_is_never_one_retired(offers in proptest::collection::vec(0usize..6, 1..40)) {
            let keys: Vec<KeyId> = (0..6).map(|_| KeyId::random()).collect();
            let mut retired = RetiredKeys::default();
            let mut held = keys[0];
            let mut left: Vec<KeyId> = Vec::new();
            for offer in offers {
                let next = keys[offer];
                let was_left = left.contains(&next);
                let before = held;
                if retired.advance(held, next) {
                    prop_assert!(!was_left);
                    held = next;
                    if before != next && !left.contains(&before) {
                        left.push(before);
                    }
                } else {
                    prop_assert!(was_left);
                }
                prop_assert!(!retired.contains(held));
            }
        }
    }
}
