//! The organisation as this device verified it: the membership log replayed from the root
//! this device trusts (from its enrolment link, or — for the first member — the entry it
//! wrote itself), kept sealed on the device for offline use and refreshed at each sync.
//! An entry that does not follow is refused and shown as such; nothing the server adds
//! is believed without it.

use crate::api::{self, ApiError};
use crate::vault::{Vault, VaultError};
use leptos::prelude::*;
use puente_shared::crypto::RecoveryKey;
use puente_shared::membership::{Change, Digest, LogError, Organisation, SignedEntry};
use serde::{Deserialize, Serialize};

/// What this device keeps of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Kept {
    /// The root this device trusts; `None` until known.
    root: Option<Digest>,
    /// Whether the root was taken from the server's first entry, for want of a link that
    /// named it (an account invited from the command line, or from before the log).
    root_from_server: bool,
    /// Every verified entry, in order.
    log: Vec<SignedEntry>,
}

/// The organisation as the screens see it.
#[derive(Clone, Debug, PartialEq)]
pub enum OrgView {
    /// Not synced yet.
    Unknown,
    /// The server holds no membership log yet.
    NotFounded,
    Verified {
        organisation: Box<Organisation>,
        root_from_server: bool,
    },
    /// The server's log does not verify from this device's root: nothing it says is used.
    Refused(LogError),
}

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("server: {}", .0.code())]
    Api(ApiError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the change is refused: {0}")]
    Refused(#[from] puente_shared::membership::Refusal),
    #[error("the organisation is not verified on this device")]
    NotVerified,
    #[error("another change to the organisation is under way")]
    Busy,
}

/// Holds the turn to change the log; gives it back when dropped.
struct Turn(StoredValue<bool>);

impl Drop for Turn {
    fn drop(&mut self) {
        self.0.set_value(false);
    }
}

#[derive(Clone, Copy)]
pub struct Membership {
    view: RwSignal<OrgView>,
    kept: StoredValue<Kept>,
    /// Bumped at each lock and unlock: work begun under another vault keeps nothing.
    generation: StoredValue<u64>,
    /// One founding or appending at a time (two clicks would race for the same place).
    busy: StoredValue<bool>,
}

pub fn use_membership() -> Membership {
    expect_context::<Membership>()
}

impl Membership {
    pub fn new() -> Self {
        Self {
            view: RwSignal::new(OrgView::Unknown),
            kept: StoredValue::new(Kept::default()),
            generation: StoredValue::new(0),
            busy: StoredValue::new(false),
        }
    }

    /// The organisation (tracked).
    pub fn view(&self) -> OrgView {
        self.view.get()
    }

    /// Reads the organisation without cloning it (tracked).
    pub fn view_with<T>(&self, read: impl FnOnce(&OrgView) -> T) -> T {
        self.view.with(read)
    }

    /// The verified organisation as it is now (untracked), for an action about to be taken.
    pub fn verified_untracked(&self) -> Option<Organisation> {
        self.with_verified(Organisation::clone)
    }

    /// Reads the verified organisation (untracked), without cloning it.
    pub fn with_verified<T>(&self, read: impl FnOnce(&Organisation) -> T) -> Option<T> {
        self.view.with_untracked(|view| match view {
            OrgView::Verified { organisation, .. } => Some(read(organisation)),
            _ => None,
        })
    }

    /// Reads the verified organisation (untracked) only when its log verified from a root
    /// this device did not take from the server: what it says decides who is sent keys.
    pub fn with_trusted<T>(&self, read: impl FnOnce(&Organisation) -> T) -> Option<T> {
        self.view.with_untracked(|view| match view {
            OrgView::Verified { organisation, root_from_server: false } => Some(read(organisation)),
            _ => None,
        })
    }

    /// The organisation's public recovery key, when its log verified from a root this
    /// device did not take from the server: a server that invented the whole log would
    /// otherwise be sent account keys sealed to a key of its own.
    pub fn trusted_recovery_key(&self) -> Option<[u8; 32]> {
        self.with_trusted(|organisation| organisation.recovery)
    }

    /// Forgets everything (at lock).
    pub fn clear(&self) {
        self.generation.update_value(|g| *g += 1);
        self.kept.set_value(Kept::default());
        self.view.set(OrgView::Unknown);
    }

    /// Reads what this device verified before (at unlock).
    pub async fn load(&self, vault: &Vault) -> Result<(), VaultError> {
        let kept: Kept = match vault.db.membership().await? {
            Some(sealed) => vault.open_draft(&sealed)?,
            None => Kept::default(),
        };
        self.generation.update_value(|g| *g += 1);
        self.show(&kept);
        self.kept.set_value(kept);
        Ok(())
    }

    /// Trusts `root` (from the enrolment link) before anything is fetched.
    pub async fn trust_root(&self, vault: &Vault, root: Digest) -> Result<(), VaultError> {
        let kept = Kept { root: Some(root), root_from_server: false, log: vec![] };
        vault.db.put_membership(&vault.seal_draft(&kept)).await?;
        self.kept.set_value(kept);
        Ok(())
    }

    fn show(&self, kept: &Kept) {
        let view = match (&kept.root, kept.log.is_empty()) {
            (Some(root), false) => match Organisation::verify(root, &kept.log) {
                Ok(organisation) => {
                    OrgView::Verified { organisation: Box::new(organisation), root_from_server: kept.root_from_server }
                }
                Err(error) => OrgView::Refused(error),
            },
            _ => OrgView::Unknown,
        };
        self.set_view(view);
    }

    /// Changes the view only when it changed, so that forms on the screen are not redrawn
    /// (and emptied) by a sync that brought nothing new.
    fn set_view(&self, view: OrgView) {
        if self.view.with_untracked(|shown| *shown != view) {
            self.view.set(view);
        }
    }

    /// Keeps `kept`, which the caller verified from its root into `organisation`, if it is no
    /// shorter than what is kept and the vault it was made under (`generation`) is still the
    /// open one.
    async fn keep(
        &self,
        vault: &Vault,
        kept: Kept,
        organisation: Organisation,
        generation: u64,
    ) -> Result<(), OrgError> {
        if self.generation.get_value() != generation {
            return Ok(());
        }
        if self.kept.with_value(|current| current.log.len() > kept.log.len()) {
            return Err(OrgError::NotVerified);
        }
        vault.db.put_membership(&vault.seal_draft(&kept)).await.map_err(VaultError::from)?;
        if self.generation.get_value() == generation {
            let root_from_server = kept.root_from_server;
            self.set_view(OrgView::Verified { organisation: Box::new(organisation), root_from_server });
            self.kept.set_value(kept);
        }
        Ok(())
    }

    /// Fetches entries this device has not seen and verifies them.
    pub async fn refresh(&self, vault: &Vault, token: &str) -> Result<(), OrgError> {
        let generation = self.generation.get_value();
        let mut kept = self.kept.get_value();
        let after = kept.log.len().checked_sub(1).map(|last| last as u64);
        let fetched = api::membership(token, after).await?;
        if self.generation.get_value() != generation || self.kept.with_value(|now| now.log.len() != kept.log.len()) {
            // Locked meanwhile, or an append of this device got there first: next time.
            return Ok(());
        }
        if fetched.is_empty() {
            // Only a device that trusts no root yet may found the organisation; one
            // invited with a root waits for the log that root names.
            if kept.log.is_empty() && kept.root.is_none() {
                self.set_view(OrgView::NotFounded);
            }
            return Ok(());
        }
        let mut log = kept.log.clone();
        log.extend(fetched);
        let root = match kept.root {
            Some(root) => root,
            None => {
                kept.root_from_server = true;
                log[0].digest()
            }
        };
        match Organisation::verify(&root, &log) {
            Ok(organisation) => {
                self.keep(vault, Kept { root: Some(root), log, ..kept }, organisation, generation).await
            }
            Err(error) => {
                // What was verified before stays on the device; the screens say the rest
                // is refused.
                self.set_view(OrgView::Refused(error));
                Ok(())
            }
        }
    }

    /// Founds the organisation with this member as its first administrator; returns the
    /// recovery key, to be shown once and never stored.
    pub async fn found(&self, vault: &Vault, token: &str, name: &str) -> Result<RecoveryKey, OrgError> {
        if self.kept.with_value(|kept| kept.root.is_some() || !kept.log.is_empty()) {
            // This device already trusts an organisation's root: it never founds another.
            return Err(OrgError::NotVerified);
        }
        let _turn = self.turn()?;
        let generation = self.generation.get_value();
        let recovery = RecoveryKey::generate();
        let genesis = Organisation::founding_entry(
            vault.tenant(),
            name.trim(),
            vault.user_id(),
            vault.identity(),
            recovery.public(),
            js_sys::Date::now() as i64,
        );
        let root = genesis.digest();
        let organisation = Organisation::found(&root, &genesis).map_err(|e| OrgError::Refused(e.refusal))?;
        api::append_entry(token, &genesis).await?;
        // The server holds the entry now: the key must be shown even if keeping it here fails.
        let kept = Kept { root: Some(root), root_from_server: false, log: vec![genesis] };
        if let Err(error) = self.keep(vault, kept, organisation, generation).await {
            web_sys::console::error_1(&format!("keeping the founded organisation failed: {error}").into());
        }
        Ok(recovery)
    }

    /// Takes the one turn to change the log, or refuses while another change runs.
    fn turn(&self) -> Result<Turn, OrgError> {
        if self.busy.get_value() {
            return Err(OrgError::Busy);
        }
        self.busy.set_value(true);
        Ok(Turn(self.busy))
    }

    /// Signs `change` as this administrator and appends it to the log.
    pub async fn append(&self, vault: &Vault, token: &str, change: Change) -> Result<(), OrgError> {
        let _turn = self.turn()?;
        self.refresh(vault, token).await?;
        let generation = self.generation.get_value();
        let kept = self.kept.get_value();
        let root = kept.root.ok_or(OrgError::NotVerified)?;
        let mut organisation = Organisation::verify(&root, &kept.log).map_err(|_| OrgError::NotVerified)?;
        let entry = organisation.next_entry(change, js_sys::Date::now() as i64)?;
        let signed = SignedEntry::sign(&entry, vault.user_id(), vault.identity());
        organisation.apply(&signed).map_err(|e| OrgError::Refused(e.refusal))?;
        api::append_entry(token, &signed).await?;
        let mut log = kept.log.clone();
        log.push(signed);
        self.keep(vault, Kept { log, ..kept }, organisation, generation).await
    }

    /// The names of `teams` in the verified log.
    pub fn team_names(&self, teams: &[puente_shared::ids::TeamId]) -> String {
        self.view.with_untracked(|view| match view {
            OrgView::Verified { organisation, .. } => teams
                .iter()
                .filter_map(|t| organisation.team(*t))
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        })
    }

    /// Whether the verified log has `user` as a current member.
    pub fn is_member(&self, user: puente_shared::UserId) -> bool {
        matches!(self.view.get_untracked(), OrgView::Verified { organisation, .. } if organisation.member(user).is_some())
    }

    /// The root this device trusts, for the links it makes.
    pub fn root(&self) -> Option<Digest> {
        self.kept.with_value(|kept| kept.root)
    }
}

impl From<ApiError> for OrgError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl Default for Membership {
    fn default() -> Self {
        Self::new()
    }
}
