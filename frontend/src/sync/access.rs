//! What sync does about who may open a case: the first access record and grants of a new
//! case, the key a pulled revision names, and its author, checked against the verified
//! membership log. A revision that cannot be opened or verified is set aside for its case
//! only: kept, shown on the case, never applied, never in the way of another case.

use super::{Run, SyncError};
use crate::api::{self, ApiError};
use crate::open_cases::{CaseEntry, Conflict, RemoteCopy};
use crate::vault::records::SetAside;
use crate::vault::{CaseKey, Vault, VaultError};
use puente_shared::access::{colleague_changes, handover_changes, supervisors_of_owner, AccessChange, Share};
use puente_shared::case_sync::Theirs;
use puente_shared::casefile::handover;
use puente_shared::crypto::{self, CryptoError, PublicIdentity, Recipient, RevisionHeader};
use puente_shared::protocol::{AccessRequest, AccessResponse};
use puente_shared::{CaseId, KeyId, UserId};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Most revisions kept set aside; beyond it, the oldest go first.
const MAX_SET_ASIDE: usize = 200;

impl Run {
    /// The keys the verified log vouched for `user` as an author (this member's own, as the
    /// vault holds them), even if they were removed since: a case's newest revision may be
    /// theirs.
    fn author_keys(self, vault: &Vault, user: UserId) -> Option<PublicIdentity> {
        if user == vault.user_id() {
            return Some(vault.identity().public());
        }
        self.org.with_verified(|org| org.keys_ever_of(user)).flatten()
    }

    /// The keys of `user` as the giver of a key: a current member only (a removed member's
    /// keys may be in anyone's hands by now).
    fn giver_keys(self, vault: &Vault, user: UserId) -> Option<PublicIdentity> {
        if user == vault.user_id() {
            return Some(vault.identity().public());
        }
        self.org.with_verified(|org| org.keys_of(user)).flatten()
    }

    /// Creates the access record of a case before its first revision goes out: owned by
    /// this member, with grants to this member (their other devices), the supervisors of
    /// their teams and the organisation's recovery key. Asking again is harmless.
    pub(super) async fn create_access(
        self,
        vault: &Rc<Vault>,
        token: &str,
        entry: &CaseEntry,
    ) -> Result<(), SyncError> {
        let case = entry.doc.id;
        let me = vault.user_id();
        let own = vault.identity().public().agreement;
        let mut grants = vec![vault.grant(case, &entry.key, Recipient::Member(me), &own)?];
        let mut changes = Vec::new();
        // Only a log verified from a trusted root says who supervises: a server that made the
        // log up would otherwise name a supervisor of its own.
        let supervisors = self.org.with_trusted(|org| supervisors_of_owner(org, me)).unwrap_or_default();
        {
            for (user, keys) in supervisors {
                grants.push(vault.grant(case, &entry.key, Recipient::Member(user), &keys.agreement)?);
                changes.push(AccessChange::Grant { user, share: Share::Supervisor });
            }
        }
        if let Some(recovery) = self.org.trusted_recovery_key() {
            grants.push(vault.grant(case, &entry.key, Recipient::Recovery, &recovery)?);
        }
        let request = AccessRequest { create: true, changes, grants };
        api::change_access(token, case, &request).await?;
        Ok(())
    }

    /// The supervisors of the office in the country of origin `entry` awaits acceptance by,
    /// other than this member, with the keys a trusted log vouches for (none if it awaits
    /// nobody); `None` when this device has no trusted log to tell.
    fn origin_supervisors(self, vault: &Vault, entry: &CaseEntry) -> Option<BTreeMap<UserId, PublicIdentity>> {
        let Some(office) = handover::awaiting(&entry.doc.file) else { return Some(BTreeMap::new()) };
        self.org.with_trusted(|org| {
            org.supervisors_of(office)
                .filter(|m| m.card.user != vault.user_id())
                .map(|m| (m.card.user, m.card.keys))
                .collect()
        })
    }

    /// Brings the server's access record in line with the case's disclosure log and its
    /// handover before its next revision goes out: colleagues it was shared with, and the
    /// supervisors of the office in the country of origin it is handed over to, get access
    /// and a grant of its key (sealed to the keys a trusted log vouches for); those whose
    /// sharing ended, an origin office whose handover was stopped and a host office the
    /// consent no longer keeps in lose access, so the revision that records it does not
    /// reach them. Only a copy the next revision `revision` builds on the server's newest
    /// gives anyone the case: an older one may not know of a withdrawal yet, so it only
    /// takes access away.
    pub(super) async fn share_as_logged(
        self,
        vault: &Rc<Vault>,
        token: &str,
        entry: &CaseEntry,
        revision: u64,
    ) -> Result<(), SyncError> {
        let file = &entry.doc.file;
        if file.disclosures.is_empty() && file.handover.sent.is_none() {
            return Ok(());
        }
        let case = entry.doc.id;
        let current = api::access(token, case).await?;
        let mut wanted = colleague_changes(&current.record, &file.shared_with());
        // Without a trusted log this device cannot tell who the origin office's supervisors
        // are: it leaves their access as it is rather than take it away.
        let origin = self.origin_supervisors(vault, entry);
        if let Some(origin) = &origin {
            let users: BTreeSet<UserId> = origin.keys().copied().collect();
            wanted.extend(handover_changes(&current.record, &users, handover::host_may_read(file)));
        }
        let mut changes = Vec::new();
        let mut grants = Vec::new();
        let up_to_date = revision == current.latest + 1;
        for change in wanted {
            if let AccessChange::Grant { user, .. } = change {
                if !up_to_date {
                    continue;
                }
                // Without keys a trusted log vouches for, this person is not given the case
                // (yet); the revokes still go.
                let keys = origin
                    .as_ref()
                    .and_then(|o| o.get(&user).copied())
                    .or_else(|| self.org.with_trusted(|org| org.keys_of(user)).flatten());
                let Some(keys) = keys else {
                    web_sys::console::warn_1(&format!("case {case}: no trusted keys to share it with {user}").into());
                    continue;
                };
                grants.push(vault.grant(case, &entry.key, Recipient::Member(user), &keys.agreement)?);
            }
            changes.push(change);
        }
        if changes.is_empty() {
            return Ok(());
        }
        api::change_access(token, case, &AccessRequest { create: false, changes, grants }).await?;
        Ok(())
    }

    /// The key `key_id` of `case`: `held`, the one this device holds, or one granted to this
    /// member by a current member. A key other than the one held (the case's key was
    /// rotated) is taken only from someone who may write the case: a reader's grant could
    /// otherwise slip a key they know into a case this device goes on writing.
    async fn key_for(
        self,
        vault: &Vault,
        token: &str,
        case: CaseId,
        key_id: KeyId,
        held: Option<CaseKey>,
    ) -> Result<Option<CaseKey>, SyncError> {
        if let Some(held) = held.as_ref().filter(|held| held.id == key_id) {
            return Ok(Some(held.clone()));
        }
        let granted = match api::access(token, case).await {
            Ok(granted) => granted,
            Err(ApiError::Refused { status: 403, .. }) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        Ok(self.granted_key(vault, case, key_id, &granted, held.is_some()))
    }

    /// The key this device seals `case` under, if it holds the case.
    pub(super) fn held_key(self, case: CaseId) -> Option<CaseKey> {
        self.cases.with_untracked(|cases| cases.get(&case).map(|entry| entry.key.clone()))
    }

    /// The key `key_id` of `case` from the first of `granted`'s grants that opens, given by
    /// a current member (who may write the case, if `writers_only`, as its record says).
    pub(super) fn granted_key(
        self,
        vault: &Vault,
        case: CaseId,
        key_id: KeyId,
        granted: &AccessResponse,
        writers_only: bool,
    ) -> Option<CaseKey> {
        let me = vault.user_id();
        let candidates = granted.grants.iter().filter(|g| g.key_id == key_id && g.case == case);
        for grant in candidates.filter(|g| !writers_only || g.by == me || granted.record.may_write(g.by)) {
            let Some(giver) = self.giver_keys(vault, grant.by) else { continue };
            match vault.open_grant(grant, &giver) {
                Ok(key) => return Some(key),
                Err(error) => web_sys::console::warn_1(&format!("a grant of case {case} is refused: {error}").into()),
            }
        }
        None
    }

    /// Opens revision `revision` of `case` as read from the server, or says why it is set
    /// aside; `held` is the key this device holds for the case, if any (one received
    /// earlier in the same feed page is not among the open cases yet).
    pub(super) async fn open_pulled(
        self,
        vault: &Rc<Vault>,
        token: &str,
        (case, revision): (CaseId, u64),
        sealed: Vec<u8>,
        held: Option<CaseKey>,
    ) -> Result<Result<Conflict, SetAside>, SyncError> {
        let aside = |reason: &str, author: Option<UserId>, sealed: Vec<u8>| {
            Ok(Err(SetAside { case, revision, author, reason: reason.to_owned(), sealed }))
        };
        let Ok(header) = RevisionHeader::parse(&sealed) else { return aside("unreadable", None, sealed) };
        let author = Some(header.author);
        // Nothing of another case (or place in it) is looked at further: no key is fetched
        // or taken for it.
        if (header.tenant, header.case, header.revision) != (vault.tenant(), case, revision) {
            return aside("unreadable", author, sealed);
        }
        let Some(author_keys) = self.author_keys(vault, header.author) else {
            return aside("unknown_author", author, sealed);
        };
        if crypto::verify_revision(&sealed, &author_keys).is_err() {
            return aside("bad_signature", author, sealed);
        }
        let Some(key) = self.key_for(vault, token, case, header.key_id, held).await? else {
            return aside("no_key", author, sealed);
        };
        match vault.open_revision(&sealed, case, revision, &key, &author_keys) {
            Ok(doc) => {
                // Set aside earlier for a reason that can pass (the log or the grants were
                // not there yet), this revision or an older one: no longer.
                self.forget_set_aside(vault, case, revision).await?;
                Ok(Ok(Theirs { revision, version: RemoteCopy { doc, key } }))
            }
            Err(VaultError::Crypto(CryptoError::BadSignature)) => aside("bad_signature", author, sealed),
            Err(VaultError::Db(error)) => Err(VaultError::Db(error).into()),
            Err(_) => aside("unreadable", author, sealed),
        }
    }

    /// Keeps `item` with the revisions set aside (once).
    pub(super) async fn set_aside(self, vault: &Rc<Vault>, item: SetAside) -> Result<(), SyncError> {
        web_sys::console::warn_1(
            &format!("revision {} of case {} is set aside: {}", item.revision, item.case, item.reason).into(),
        );
        let mut all = self.cases.set_aside_untracked();
        if all.iter().any(|s| s.case == item.case && s.revision == item.revision) {
            return Ok(());
        }
        all.push(item);
        if all.len() > MAX_SET_ASIDE {
            all.remove(0);
        }
        self.ensure_current(vault)?;
        vault.db.put_set_aside(&all).await?;
        self.cases.set_set_aside(all);
        Ok(())
    }

    /// Forgets revision `revision` of `case` as set aside, and any older one set aside for
    /// want of a key or of its author in the log: the case has moved past them. One that
    /// did not open or verify stays, to be seen.
    async fn forget_set_aside(self, vault: &Rc<Vault>, case: CaseId, revision: u64) -> Result<(), SyncError> {
        let mut all = self.cases.set_aside_untracked();
        let before = all.len();
        all.retain(|s| {
            let passed = s.revision == revision || (s.revision < revision && may_pass(&s.reason));
            !(s.case == case && passed)
        });
        if all.len() != before {
            self.ensure_current(vault)?;
            vault.db.put_set_aside(&all).await?;
            self.cases.set_set_aside(all);
        }
        Ok(())
    }

    /// Whether revision `revision` of `case` was set aside already (the feed need not
    /// fetch it again).
    pub(super) fn was_set_aside(self, case: CaseId, revision: u64) -> bool {
        self.cases.set_aside_untracked().iter().any(|s| s.case == case && s.revision == revision)
    }

    /// Whether this device cannot build on the server's newest revision of `case`: one at
    /// `revision` or later was set aside for good (it does not open, or its signature is
    /// not its author's). A revision set aside for want of a key or of its author in the
    /// log is tried again at each push, since either may arrive.
    pub(super) fn push_blocked(self, case: CaseId, revision: u64) -> bool {
        self.cases
            .set_aside_untracked()
            .iter()
            .any(|s| s.case == case && s.revision >= revision && !may_pass(&s.reason))
    }
}

/// Whether a revision set aside for `reason` may open later: a key or an author's keys may
/// arrive; a revision that did not open or verify stays as it is.
fn may_pass(reason: &str) -> bool {
    matches!(reason, "no_key" | "unknown_author")
}
