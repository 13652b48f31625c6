//! The organisation's membership log: who belongs, in which role and teams, with which
//! public keys. Every change is an entry signed by an administrator and chained by hash to
//! the one before, so the server (which stores the log) cannot add, alter, reorder or
//! replace a member. A device learns the first entry's digest (the organisation's root)
//! from its enrolment link, never from the server alone, and replays the whole chain from
//! there ([`Organisation::verify`]); an entry that does not follow is refused and changes
//! nothing.

mod edit;
mod entry;
mod organisation;
#[cfg(test)]
mod tests;

pub use edit::changes_for;
pub use entry::{Digest, SignedEntry, MAX_ENTRY_BYTES};
pub use organisation::{Member, Organisation};

use crate::crypto::PublicIdentity;
use crate::ids::{TeamId, TenantId, UserId};
use crate::wire::b64_array;
use serde::{Deserialize, Serialize};

/// What a member does in the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The coordinator: manages members, teams and the organisation's settings.
    Administrator,
    /// Reviews the cases of the teams they supervise.
    Supervisor,
    CaseManager,
    ProtectionFocalPoint,
    HealthFocalPoint,
    /// Monitoring and evaluation.
    MeOfficer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Supervisor,
        Role::CaseManager,
        Role::ProtectionFocalPoint,
        Role::HealthFocalPoint,
        Role::MeOfficer,
    ];

    /// Stable code, for translations and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Supervisor => "supervisor",
            Role::CaseManager => "case_manager",
            Role::ProtectionFocalPoint => "protection_focal_point",
            Role::HealthFocalPoint => "health_focal_point",
            Role::MeOfficer => "me_officer",
        }
    }

    /// Whether the role may be given teams to supervise.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor)
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        match raw.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([*a, *b])),
            _ => Err(Refusal::BadCountry),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII letters")
    }
}

impl TryFrom<String> for Country {
    type Error = Refusal;
    fn try_from(value: String) -> Result<Self, Refusal> {
        Self::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.as_str().to_owned()
    }
}

/// A team or office, e.g. a reception centre in the host country or an office in the
/// country of origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub country: Country,
}

/// Longest organisation or team name, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// Most teams one member may be in (or supervise).
pub const MAX_TEAMS_PER_MEMBER: usize = 50;

/// A member as the log vouches for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberCard {
    pub user: UserId,
    pub role: Role,
    pub teams: Vec<TeamId>,
    /// Teams whose cases this member reviews (supervisors only).
    pub supervises: Vec<TeamId>,
    pub keys: PublicIdentity,
}

/// One change to the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// The first entry: the organisation, its first administrator (who signs it) and the
    /// public half of its recovery key.
    Founded {
        name: String,
        founder: MemberCard,
        #[serde(with = "b64_array")]
        recovery: [u8; 32],
    },
    TeamAdded {
        team: Team,
    },
    MemberAdded {
        member: MemberCard,
    },
    RoleChanged {
        user: UserId,
        role: Role,
    },
    TeamsChanged {
        user: UserId,
        teams: Vec<TeamId>,
        supervises: Vec<TeamId>,
    },
    /// The member leaves; their keys are never vouched for again.
    MemberRemoved {
        user: UserId,
    },
}

/// The signed part of an entry. Unknown fields are refused, so that a later version's
/// entry is never half-understood by an earlier one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub org: TenantId,
    /// 0 for the first entry, then one more each time.
    pub seq: u64,
    /// Digest of the entry before (all zeros for the first).
    pub prev: Digest,
    /// Unix milliseconds on the signing device (shown, not trusted for order).
    pub at: i64,
    pub change: Change,
}

/// Why an entry (or a whole log) is refused. Each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the entry cannot be read")]
    Malformed,
    #[error("the first entry is not this organisation's root")]
    WrongRoot,
    #[error("the entry belongs to another organisation")]
    WrongOrganisation,
    #[error("the entry is not the next one in the log")]
    OutOfOrder,
    #[error("the entry does not follow the one before it")]
    BrokenChain,
    #[error("the entry is not signed by a current administrator")]
    NotAnAdministrator,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("only the first entry founds the organisation")]
    NotFirst,
    #[error("the first entry must found the organisation, signed by its first administrator")]
    BadFounding,
    #[error("this person is already a member, or was one")]
    AlreadyMember,
    #[error("this person is not a member")]
    NotMember,
    #[error("these keys already belong to someone")]
    KeysInUse,
    #[error("these are not usable public keys")]
    BadKeys,
    #[error("no such team")]
    UnknownTeam,
    #[error("a team with this id exists")]
    TeamExists,
    #[error("only a supervisor supervises teams")]
    NotASupervisor,
    #[error("too many teams")]
    TooManyTeams,
    #[error("the organisation would have no administrator left")]
    LastAdministrator,
    #[error("a name has 1 to 100 characters")]
    BadName,
    #[error("a country is two capital letters (ISO 3166-1 alpha-2)")]
    BadCountry,
}

impl Refusal {
    pub const ALL: [Refusal; 20] = [
        Refusal::Malformed,
        Refusal::WrongRoot,
        Refusal::WrongOrganisation,
        Refusal::OutOfOrder,
        Refusal::BrokenChain,
        Refusal::NotAnAdministrator,
        Refusal::BadSignature,
        Refusal::NotFirst,
        Refusal::BadFounding,
        Refusal::AlreadyMember,
        Refusal::NotMember,
        Refusal::KeysInUse,
        Refusal::BadKeys,
        Refusal::UnknownTeam,
        Refusal::TeamExists,
        Refusal::NotASupervisor,
        Refusal::TooManyTeams,
        Refusal::LastAdministrator,
        Refusal::BadName,
        Refusal::BadCountry,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::WrongRoot => "wrong_root",
            Refusal::WrongOrganisation => "wrong_organisation",
            Refusal::OutOfOrder => "out_of_order",
            Refusal::BrokenChain => "broken_chain",
            Refusal::NotAnAdministrator => "not_an_administrator",
            Refusal::BadSignature => "bad_signature",
            Refusal::NotFirst => "not_first",
            Refusal::BadFounding => "bad_founding",
            Refusal::AlreadyMember => "already_member",
            Refusal::NotMember => "not_member",
            Refusal::KeysInUse => "keys_in_use",
            Refusal::BadKeys => "bad_keys",
            Refusal::UnknownTeam => "unknown_team",
            Refusal::TeamExists => "team_exists",
            Refusal::NotASupervisor => "not_a_supervisor",
            Refusal::TooManyTeams => "too_many_teams",
            Refusal::LastAdministrator => "last_administrator",
            Refusal::BadName => "bad_name",
            Refusal::BadCountry => "bad_country",
        }
    }
}

/// A refusal of the entry at `seq` in a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("membership entry {seq}: {refusal}")]
pub struct LogError {
    pub seq: u64,
    pub refusal: Refusal,
}
