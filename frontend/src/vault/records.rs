//! What the device keeps in IndexedDB. Every field about a person is inside `sealed`
//! envelopes; the clear fields are ids, revision numbers and flags.

use puente_shared::access::RetiredKeys;
use puente_shared::crypto::{KdfParams, Salt};
use puente_shared::protocol::{b64, PublishedIdentity};
use puente_shared::{CaseId, TenantId, UserId};

use serde::{Deserialize, Serialize};

/// The vault's header: enough to unlock it offline with the passphrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultHeader {
    pub username: String,
    pub user_id: UserId,
    pub tenant: TenantId,
    pub salt: Salt,
    pub kdf: KdfParams,
    #[serde(with = "b64")]
    pub wrapped_account_key: Vec<u8>,
    /// The member's identity keys, private halves wrapped by the account key; `None` in a
    /// vault made before they existed (they are made at its next unlock).
    #[serde(default)]
    pub identity: Option<PublishedIdentity>,
    /// Whether the server has `identity` (keys made at an unlock are published at the next
    /// sync).
    #[serde(default)]
    pub identity_published: bool,
    /// The server said the passphrase changed (on another device, or by a recovery): the one
    /// this header opens with is no longer the member's, so the next unlock signs in.
    #[serde(default)]
    pub must_sign_in: bool,
    /// The public recovery key the account key was sealed to and kept on the server for
    /// (empty: not yet).
    #[serde(default, with = "b64")]
    pub escrowed_to: Vec<u8>,
    /// The passphrase in force was set by an administrator's recovery: the member is asked
    /// to choose their own until they do.
    #[serde(default)]
    pub recovered: bool,
}

/// A case as this device holds it: the latest local state, sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: CaseId,
    /// The local state, sealed as revision `base_rev + 1` (a draft until pushed).
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
    /// The last revision this device has from, or accepted by, the server (0: none).
    pub base_rev: u64,
    /// Local changes not yet accepted by the server.
    pub dirty: bool,
    /// Numbers the local state (every change in memory counts), so a push can tell whether
    /// edits happened while it ran.
    pub edit_seq: u64,
    /// Another device's revision that conflicts with the local changes; both are kept
    /// until the case manager chooses.
    #[serde(default)]
    pub conflict: Option<RemoteRevision>,
    /// The ids of keys the case was moved away from after someone lost access, so that
    /// no server can move it back to one ([`puente_shared::access::RetiredKeys`]).
    #[serde(default)]
    pub retired_keys: RetiredKeys,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRevision {
    pub revision: u64,
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
}

/// A revision sealed for the server and waiting to be accepted. Kept byte for byte so a
/// retry after a lost answer is recognised by the server as the same push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub case: CaseId,
    pub revision: u64,
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
    pub edit_seq: u64,
}

impl OutboxEntry {
    pub fn key(&self) -> String {
        self.case.to_string()
    }
}

/// A revision from the server that this device could not open, or whose author the
/// membership log does not vouch for: kept byte for byte, shown on its case, never applied,
/// and never in the way of any other case's sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub case: CaseId,
    pub revision: u64,
    /// Who the revision says wrote it, when it could be read.
    pub author: Option<UserId>,
    /// Why it was set aside: a stable code (`unknown_author`, `no_key`, `unreadable`).
    pub reason: String,
    #[serde(with = "b64")]
    pub sealed: Vec<u8>,
}
