//! Where everything lives in the object store. Ids are random UUIDs and names are hashed,
//! so keys reveal nothing about the people in the cases or the staff.

use crate::session::SessionId;
use crate::store::ObjectKey;
use puente_shared::crypto::Recipient;
use puente_shared::{CaseId, KeyId, TenantId, UserId};
use sha2::{Digest, Sha256};

/// Revision numbers are zero-padded to this many digits so keys sort numerically.
pub const MAX_REVISION: u64 = 999_999_999_999;

fn key(raw: String) -> ObjectKey {
    ObjectKey::parse(raw).expect("layout keys are built from ids and digits")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn tenants_prefix() -> &'static str {
    "tenants/"
}

pub fn tenant(t: TenantId) -> ObjectKey {
    key(format!("tenants/{t}/tenant.json"))
}

pub fn case_prefix(t: TenantId, case: CaseId) -> String {
    format!("tenants/{t}/cases/{case}/")
}

pub fn revision(t: TenantId, case: CaseId, revision: u64) -> ObjectKey {
    key(format!("tenants/{t}/cases/{case}/{revision:012}"))
}

/// The trailing number of a listed key: a revision under [`case_prefix`], a version under
/// [`settings_prefix`].
pub fn number_of(listed_key: &str) -> Option<u64> {
    listed_key.rsplit('/').next()?.parse().ok()
}

/// Every case's access records.
pub fn access_root(t: TenantId) -> String {
    format!("tenants/{t}/access/")
}

pub fn access_prefix(t: TenantId, case: CaseId) -> String {
    format!("{}{case}/", access_root(t))
}

/// Version `version` of who may open `case`.
pub fn access(t: TenantId, case: CaseId, version: u64) -> ObjectKey {
    key(format!("{}{version:012}", access_prefix(t, case)))
}

fn recipient_segment(to: Recipient) -> String {
    match to {
        Recipient::Member(user) => user.to_string(),
        Recipient::Recovery => "recovery".to_owned(),
    }
}

/// Every grant of `case` to `to`, one per key version.
pub fn grants_prefix(t: TenantId, case: CaseId, to: Recipient) -> String {
    format!("tenants/{t}/grants/{case}/{}/", recipient_segment(to))
}

/// The key `key_id` of `case`, sealed to `to` by `by` (one per giver, so that nobody's
/// grant can stand in the place of another's).
pub fn grant(t: TenantId, case: CaseId, to: Recipient, key_id: KeyId, by: UserId) -> ObjectKey {
    key(format!("{}{key_id}.{by}", grants_prefix(t, case, to)))
}

pub fn log_prefix(t: TenantId) -> String {
    format!("tenants/{t}/log/")
}

pub fn log_entry(t: TenantId, seq: u64) -> ObjectKey {
    key(format!("tenants/{t}/log/{seq:020}"))
}

/// Written after a revision's log entry, so a retried push knows the entry exists.
pub fn logged_marker(t: TenantId, case: CaseId, revision: u64) -> ObjectKey {
    key(format!("tenants/{t}/logged/{case}/{revision:012}"))
}

pub fn membership_prefix(t: TenantId) -> String {
    format!("tenants/{t}/membership/")
}

/// Entry `seq` of the organisation's signed membership log.
pub fn membership_entry(t: TenantId, seq: u64) -> ObjectKey {
    key(format!("tenants/{t}/membership/{seq:012}"))
}

pub fn settings_prefix(t: TenantId) -> String {
    format!("tenants/{t}/settings/")
}

/// One published version of an organisation's settings.
pub fn settings(t: TenantId, version: u64) -> ObjectKey {
    key(format!("tenants/{t}/settings/{version:012}"))
}

pub fn user(t: TenantId, user: UserId) -> ObjectKey {
    key(format!("tenants/{t}/users/{user}.json"))
}

pub fn credentials_prefix(t: TenantId, user: UserId) -> String {
    format!("tenants/{t}/credentials/{user}/")
}

/// Version `version` (from 1) of what a member's passphrase opens, after a passphrase
/// change or a recovery; version 0 is in the user record.
pub fn credentials(t: TenantId, user: UserId, version: u64) -> ObjectKey {
    key(format!("{}{version:012}", credentials_prefix(t, user)))
}

/// A member's account key sealed to the organisation's recovery key.
pub fn escrow(t: TenantId, user: UserId) -> ObjectKey {
    key(format!("tenants/{t}/escrows/{user}.json"))
}

/// A member's published identity keys (public halves, and private halves wrapped).
pub fn identity(t: TenantId, user: UserId) -> ObjectKey {
    key(format!("tenants/{t}/identities/{user}.json"))
}

/// Someone who enrolled, until the membership log vouches for them.
pub fn pending(t: TenantId, user: UserId) -> ObjectKey {
    key(format!("tenants/{t}/pending/{user}.json"))
}

pub fn pending_prefix(t: TenantId) -> String {
    format!("tenants/{t}/pending/")
}

/// The user id of the organisation's first member, who alone may found its membership log.
pub fn founder(t: TenantId) -> ObjectKey {
    key(format!("tenants/{t}/founder"))
}

/// Present once the member was disabled (for good).
pub fn disabled(t: TenantId, user: UserId) -> ObjectKey {
    key(format!("tenants/{t}/disabled/{user}"))
}

/// Present once a session was ended by a logout.
pub fn session_ended(t: TenantId, sid: SessionId) -> ObjectKey {
    key(format!("tenants/{t}/ended-sessions/{}", hex(&sid.0)))
}

pub fn invite(t: TenantId, secret: &[u8; 16]) -> ObjectKey {
    key(format!("tenants/{t}/invites/{}", hex(&Sha256::digest(secret))))
}

pub fn invite_used(t: TenantId, secret: &[u8; 16]) -> ObjectKey {
    key(format!("tenants/{t}/invites/{}.used", hex(&Sha256::digest(secret))))
}

/// Usernames are unique across the installation; the key holds only their hash.
pub fn username(name: &str) -> ObjectKey {
    key(format!("directory/usernames/{}", hex(&Sha256::digest(name.as_bytes()))))
}

pub fn session_key() -> ObjectKey {
    key("server/session-key".to_owned())
}
