//! A case's key after someone lost access to it. The server takes no revision under the old
//! key once a rotation is due, so the first writer to push rotates it: a new key, granted in
//! one request to everyone who still has access and whom this device can account for (from
//! the case file and the trusted membership log), and to the recovery key; anyone else the
//! server's record names is taken off in that request. Every other device of a writer is
//! then refused for a stale key and takes the new one from its grant. No device goes back
//! to a key it moved a case away from.

use super::{Run, SyncError};
use crate::api::{self, ApiError};
use crate::persist;
use crate::vault::{CaseKey, Vault};
use leptos::prelude::{UpdateValue, WithValue};
use puente_shared::access::plan_rotation;
use puente_shared::crypto::Recipient;
use puente_shared::protocol::{AccessRequest, AccessResponse};
use puente_shared::{CaseId, KeyId};
use std::rc::Rc;

/// Whether a push was refused for the key it was sealed under (codes of
/// `puente_shared::access::KeyRefusal`).
pub(super) fn is_key_refusal(code: &str) -> bool {
    matches!(code, "rekey_due" | "stale_key")
}

fn warn(message: String) {
    web_sys::console::warn_1(&message.into());
}

impl Run {
    /// After the push of revision `revision` of `case` was refused for its key: rotates the
    /// key when a rotation is due, or takes the one the case was rotated to, and seals the
    /// waiting revision again under it for the next tick. A key in force that no current
    /// writer gave this member (the writer who chose it left, or no longer writes the case)
    /// is replaced by a new one. When none of this can be done yet the edits wait on the
    /// device, and the case says they are not sent.
    pub(super) async fn renew_key(
        self,
        vault: &Rc<Vault>,
        token: &str,
        case: CaseId,
        revision: u64,
    ) -> Result<(), SyncError> {
        let current = match api::access(token, case).await {
            Ok(current) => current,
            Err(ApiError::Refused { status: 403, .. }) => {
                self.cases.set_push_refused(case, true);
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };
        // Planned from a copy behind the server's, a rotation could take off someone a newer
        // revision shared the case with: this tick's pull brings it up to date.
        let up_to_date = revision == current.latest + 1;
        let key = match current.record.key {
            _ if current.record.rekey && !up_to_date => None,
            _ if current.record.rekey => self.rotate(vault, token, case, &current).await?,
            Some(in_force) => match self.rotated_key(vault, case, in_force, &current) {
                Some(key) => Some(key),
                None if up_to_date && !self.renewed_unasked.with_value(|cases| cases.contains(&case)) => {
                    self.renewed_unasked.update_value(|cases| {
                        cases.insert(case);
                    });
                    self.rotate(vault, token, case, &current).await?
                }
                None => None,
            },
            // Refused for a rotation that is no longer due: the next tick pushes again.
            None => {
                self.status.request();
                return Ok(());
            }
        };
        match key {
            Some(key) => self.adopt_key(vault, case, key).await,
            // The edits wait here, and the case says they are not sent; every later tick
            // tries again, and a push that goes through takes the notice away.
            None => {
                self.cases.set_push_refused(case, true);
                Ok(())
            }
        }
    }

    /// Gives `case` a new key, or `None` (and why, on the console) when this device cannot.
    async fn rotate(
        self,
        vault: &Rc<Vault>,
        token: &str,
        case: CaseId,
        current: &AccessResponse,
    ) -> Result<Option<CaseKey>, SyncError> {
        let me = vault.user_id();
        let Some(file) = self.cases.with_untracked(|cases| cases.get(&case).map(|e| e.doc.file.clone())) else {
            return Ok(None);
        };
        // Only a log verified from a trusted root says whose keys these are.
        let rotation = match self.org.with_trusted(|org| plan_rotation(&current.record, &file, org, me)) {
            Some(Ok(rotation)) => rotation,
            Some(Err(waiting)) => {
                warn(format!("case {case}: its key rotation waits for {} people it cannot account for", waiting.len()));
                return Ok(None);
            }
            None => {
                warn(format!("case {case}: no trusted membership log to rotate its key with"));
                return Ok(None);
            }
        };
        let key = CaseKey::random();
        let mut grants = vec![vault.grant(case, &key, Recipient::Member(me), &vault.identity().public().agreement)?];
        for (user, keys) in &rotation.recipients {
            grants.push(vault.grant(case, &key, Recipient::Member(*user), &keys.agreement)?);
        }
        if let Some(recovery) = self.org.trusted_recovery_key() {
            grants.push(vault.grant(case, &key, Recipient::Recovery, &recovery)?);
        }
        let request = AccessRequest { create: false, changes: rotation.changes(key.id), grants };
        match api::change_access(token, case, &request).await {
            Ok(after) if after.record.key == Some(key.id) => Ok(Some(key)),
            Ok(_) => Ok(None),
            // Someone joined or left meanwhile: the next refusal plans again.
            Err(ApiError::Refused { code, .. }) => {
                warn(format!("case {case}: its key rotation was refused ({code})"));
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The key `in_force` of `case`: the one held, or one granted to this member by a
    /// current member who may write the case.
    fn rotated_key(self, vault: &Vault, case: CaseId, in_force: KeyId, current: &AccessResponse) -> Option<CaseKey> {
        if let Some(held) = self.held_key(case).filter(|held| held.id == in_force) {
            return Some(held);
        }
        let key = self.granted_key(vault, case, in_force, current, true);
        if key.is_none() {
            warn(format!("case {case}: no grant of its new key opens here"));
        }
        key
    }

    /// Makes `key` the key `case` is sealed under from now on, on the device too, and seals
    /// its waiting revision again under it. A key the case was moved away from is refused,
    /// whatever the server says is in force: the edits wait, and the case says so.
    async fn adopt_key(self, vault: &Rc<Vault>, case: CaseId, key: CaseKey) -> Result<(), SyncError> {
        self.ensure_current(vault)?;
        let Some(Some(entry)) = self.cases.update(case, |entry| entry.take_key(key).then(|| entry.clone())) else {
            if self.held_key(case).is_some() {
                warn(format!("case {case}: the server names a key this device retired"));
                self.cases.set_push_refused(case, true);
            }
            return Ok(());
        };
        persist::store(vault, self.cases, &entry).await?;
        if let Some(push) = entry.sync.push() {
            persist::queue_push(vault, &entry, push).await?;
        }
        self.status.request();
        Ok(())
    }
}
