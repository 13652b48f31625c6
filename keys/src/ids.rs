//! Opaque identifiers. Every id is a random UUID (v4) so that no id ever carries
//! personal data or reveals the order in which cases were created.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id from the platform's cryptographic RNG.
            pub fn random() -> Self {
                let mut bytes = [0u8; 16];
                getrandom::getrandom(&mut bytes).expect("the platform RNG is available");
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }

            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

random_id!(
    /// An organisation: the unit of isolation on the server.
    TenantId
);
random_id!(
    /// A case file.
    CaseId
);
random_id!(
    /// A staff member's account.
    UserId
);
random_id!(
    /// Names one data key (a case key), so an envelope says which key opens it.
    KeyId
);
random_id!(
    /// A team or office of an organisation.
    TeamId
);
random_id!(
    /// One entry inside a case file (a consent, a session, a plan, an action, a referral…).
    EntryId
);
random_id!(
    /// A group session, shared by the attendees' files without naming the others.
    GroupId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_differ_and_round_trip_through_text() {
        let a = CaseId::random();
        let b = CaseId::random();
        assert_ne!(a, b);
        assert_eq!(a.to_string().parse::<CaseId>().unwrap(), a);
        assert_eq!(CaseId::from_bytes(*a.as_bytes()), a);
    }

    #[test]
    fn random_ids_are_version_4() {
        let id = TenantId::random().to_string();
        assert_eq!(&id[14..15], "4");
    }
}
