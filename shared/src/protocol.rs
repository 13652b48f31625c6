//! The sync API's wire types, shared by the backend and the browser client.

use crate::crypto::{KdfParams, PublicIdentity, Salt, Signature, WrappedIdentity};
use crate::ids::{CaseId, TenantId, UserId};
use serde::{Deserialize, Serialize};

/// Largest revision body the server accepts, in bytes.
pub const MAX_REVISION_BYTES: usize = 1024 * 1024;
/// Most change-feed entries returned by one request.
pub const MAX_CHANGES_PER_PAGE: usize = 500;

pub use puente_keys::wire::{b64, b64_array};

/// Every error response: `{"error": {"code": …, "message": …}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `revision_taken`.
    pub code: String,
    /// Human-readable explanation (English; clients translate by `code`).
    pub message: String,
    /// With `revision_taken`: the newest revision the server holds for the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<u64>,
    /// With `too_many_attempts`: seconds until another try is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// A staff member's login name: 3–64 characters of `a-z 0-9 . _ -`, stored lower case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let name = raw.trim().to_ascii_lowercase();
        if name.len() < 3 || name.len() > 64 {
            return Err("a username has 3 to 64 characters");
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
            return Err("a username uses only letters a-z, digits, '.', '_' and '-'");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

/// A one-time enrolment code: the organisation's id and 16 random bytes, as base64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteCode {
    pub tenant: TenantId,
    pub secret: [u8; 16],
}

impl InviteCode {
    pub fn random(tenant: TenantId) -> Self {
        let mut secret = [0u8; 16];
        getrandom::getrandom(&mut secret).expect("the platform RNG is available");
        Self { tenant, secret }
    }

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw.trim())
            .map_err(|_| "the invite code is not valid")?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| "the invite code is not valid")?;
        Ok(Self {
            tenant: TenantId::from_bytes(bytes[..16].try_into().expect("16 bytes")),
            secret: bytes[16..].try_into().expect("16 bytes"),
        })
    }

    pub fn encode(&self) -> String {
        use base64::Engine;
        let bytes = [self.tenant.as_bytes().as_slice(), &self.secret].concat();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub invite: String,
    pub username: Username,
    /// Chosen by the device, because the wrapped account key is bound to it.
    pub user_id: UserId,
    /// What the passphrase opens, as for a passphrase change (the same fields on the wire).
    #[serde(flatten)]
    pub credentials: NewCredentials,
    /// The member's identity keys, made on the device at enrolment.
    pub identity: PublishedIdentity,
}

/// A member's identity keys as the server keeps them: the public halves, which count only
/// once the membership log vouches for them, and the private halves wrapped by the account
/// key, for the member's other devices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedIdentity {
    pub keys: PublicIdentity,
    pub wrapped: WrappedIdentity,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginParamsRequest {
    pub username: String,
}

/// What a device needs to derive keys before logging in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginParams {
    pub salt: Salt,
    pub kdf: KdfParams,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    #[serde(with = "b64")]
    pub auth_secret: Vec<u8>,
}

/// A successful enrolment or login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub tenant: TenantId,
    pub user_id: UserId,
    pub username: Username,
    pub salt: Salt,
    pub kdf: KdfParams,
    #[serde(with = "b64")]
    pub wrapped_account_key: Vec<u8>,
    /// The member's identity keys; `None` for an account enrolled before they existed,
    /// which publishes them at its next unlock (`PUT /api/account/identity`).
    #[serde(default)]
    pub identity: Option<PublishedIdentity>,
    /// The administrator who set the passphrase in force by a recovery: they saw it, so the
    /// member is asked to choose their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_by: Option<UserId>,
}

/// What a passphrase opens, made on a device: the keys the passphrase derives (only
/// `auth_secret` travels) and the account key wrapped under them. The account key itself
/// does not change, so every case stays readable.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewCredentials {
    #[serde(with = "b64")]
    pub auth_secret: Vec<u8>,
    pub salt: Salt,
    pub kdf: KdfParams,
    #[serde(with = "b64")]
    pub wrapped_account_key: Vec<u8>,
}

/// `PUT /api/account/passphrase`: the member proves the current passphrase again (a
/// session token alone is not enough) and sets a new one. Every other session ends.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PassphraseChange {
    #[serde(with = "b64")]
    pub current_auth_secret: Vec<u8>,
    #[serde(flatten)]
    pub new: NewCredentials,
}

/// A new session for the device that changed the passphrase (its old one ended with the
/// others).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionToken {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// `PUT /api/account/escrow`: the member's account key sealed to the organisation's
/// recovery key (`crypto::escrow_account_key`), signed by the member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escrow {
    /// The public recovery key it is sealed to, as the device read it from the verified log.
    #[serde(with = "b64_array")]
    pub recovery: [u8; 32],
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
    /// By the member's identity key, over `crypto::escrow_statement`.
    pub signature: Signature,
}

/// `GET /api/members/{user}/recovery`, by an administrator: what opens a member's account
/// key with the recovery sheet, and what proves it is theirs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryMaterial {
    pub escrow: Escrow,
    /// The member's identity keys, whose private halves the account key must open.
    pub identity: PublishedIdentity,
    /// The version of the member's credentials in force, which the recovery replaces.
    pub credentials_version: u64,
}

/// `POST /api/members/{user}/recover`, by an administrator: the member's new credentials,
/// signed with the member's own identity key, which only the escrow (so only the recovery
/// sheet) gave the administrator's device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Recovery {
    /// The credentials version this replaces ([`RecoveryMaterial::credentials_version`]).
    pub replaces: u64,
    pub credentials: NewCredentials,
    /// Over `crypto::recovery_statement`.
    pub signature: Signature,
}

/// Answer to a revision push (201 created, 200 already there with the same bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub revision: u64,
    pub created: bool,
}

/// What a change-log entry records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A revision was accepted.
    #[default]
    Revision,
    /// Who may open the case changed; `revision` is the newest one then (0: none yet), so
    /// that someone just given the case fetches it.
    Access,
}

/// One change to a case in the organisation's change log. The feed shows a member only
/// the entries of cases they may open now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub seq: u64,
    pub case: CaseId,
    pub revision: u64,
    pub size: u64,
    pub author: UserId,
    /// Unix milliseconds, server time.
    pub at: i64,
    #[serde(default)]
    pub kind: ChangeKind,
}

/// `POST /api/cases/{case}/access`: changes to who may open a case, with the grants that
/// give them its key. `create` makes the case's first access record, owned by the sender
/// (a retry by its owner is taken as the same request). The changes apply in order, all
/// or nothing; one that is already in force is skipped, so a retry does no harm.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub changes: Vec<crate::access::AccessChange>,
    /// Signed by the sender, for this case.
    #[serde(default)]
    pub grants: Vec<crate::crypto::Grant>,
}

/// `GET /api/cases/{case}/access` (and the answer to a change): the case's access record
/// and the grants addressed to the caller, every key version of the case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessResponse {
    pub record: crate::access::AccessRecord,
    pub grants: Vec<crate::crypto::Grant>,
    /// The case's newest revision number (0 before the first): a device whose copy is
    /// older does not give anyone the case on the strength of it.
    #[serde(default)]
    pub latest: u64,
}

/// Most grants one access request may carry.
pub const MAX_GRANTS_PER_REQUEST: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesResponse {
    pub entries: Vec<ChangeEntry>,
    /// Cursor for the next request (`after=`).
    pub next: u64,
    /// More entries are waiting beyond this page.
    pub more: bool,
}

/// Entries of the organisation's membership log after `after` (`GET /api/membership`),
/// in order. The device verifies them; the server's word counts for nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipResponse {
    pub entries: Vec<crate::membership::SignedEntry>,
}

/// `POST /api/invites`, by an administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub role: crate::membership::Role,
    #[serde(default)]
    pub teams: Vec<crate::ids::TeamId>,
    /// Teams to supervise (supervisors only).
    #[serde(default)]
    pub supervises: Vec<crate::ids::TeamId>,
    /// Who the invite is for, in the administrator's words, sealed to the administrator's
    /// own key (the server never reads it).
    #[serde(with = "b64")]
    pub label: Vec<u8>,
}

/// What an administrator means a new member to be, chosen with the invite. It is a
/// suggestion for the administrator's own confirmation: only the signed entry counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intended {
    #[serde(flatten)]
    pub invite: InviteRequest,
    pub invited_by: UserId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteResponse {
    /// The invite code, for the enrolment link's fragment.
    pub invite: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// Someone who enrolled and whom the membership log does not vouch for yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMember {
    pub user_id: UserId,
    pub keys: PublicIdentity,
    /// What the invite meant them to be, if it was made in the app.
    pub intended: Option<Intended>,
    /// Unix milliseconds.
    pub enrolled_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingResponse {
    pub pending: Vec<PendingMember>,
}

/// Largest sealed label of an invite, in bytes.
pub const MAX_INVITE_LABEL_BYTES: usize = 512;

/// Answer to `PUT /api/settings`: the version now in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedSettings {
    pub version: u64,
}

/// Answer to an appended membership entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendedEntry {
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(Username::parse(" Ana.Garcia ").unwrap().as_str(), "ana.garcia");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("ana garcia").is_err());
        assert!(Username::parse("ana/../x").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(serde_json::from_str::<Username>("\"no spaces\"").is_err());
    }

    #[test]
    fn a_username_has_three_to_sixty_four_characters_and_travels_as_itself() {
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert!(Username::parse(" ab ").is_err(), "surrounding spaces do not count");
        let name = Username::parse("ana-1_b.c").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"ana-1_b.c\"");
        assert_eq!(String::from(name.clone()), "ana-1_b.c");
        assert_eq!(serde_json::from_str::<Username>("\"ANA-1_b.c\"").unwrap(), name);
    }

    #[test]
    fn fixed_size_bytes_read_back_exactly() {
        let salt = Salt([7, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 255]);
        let json = serde_json::to_string(&salt).unwrap();
        assert_eq!(serde_json::from_str::<Salt>(&json).unwrap(), salt);
        assert!(serde_json::from_str::<Salt>("\"not base64!\"").is_err());
    }

    #[test]
    fn the_limits_devices_and_servers_agree_on() {
        // A full case seals to a few KiB; a revision may grow to one MiB, and no further.
        assert_eq!(MAX_REVISION_BYTES, 1 << 20);
        assert_eq!(MAX_CHANGES_PER_PAGE, 500);
    }

    #[test]
    fn invite_codes_round_trip_and_reject_garbage() {
        let code = InviteCode::random(TenantId::random());
        assert_eq!(InviteCode::parse(&code.encode()).unwrap(), code);
        assert!(InviteCode::parse("not-a-code").is_err());
        assert!(InviteCode::parse(&code.encode()[1..]).is_err());
    }

    #[test]
    fn bytes_travel_as_base64() {
        let request = LoginRequest { username: "ana".into(), auth_secret: vec![0xff, 0, 1] };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.contains("\"_wAB\""), "{json}");
        let back: LoginRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back.auth_secret, vec![0xff, 0, 1]);
        let salt: Result<Salt, _> = serde_json::from_str("\"AAEC\"");
        assert!(salt.is_err(), "a salt must have 16 bytes");
    }
}
