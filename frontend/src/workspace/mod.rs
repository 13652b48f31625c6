//! What the case manager does to the open cases: create, type, act, resolve a conflict;
//! and opening and locking the workspace. Every change is applied in memory at once and
//! then sealed into IndexedDB (`persist`) before the case stops showing "saving".

mod autosave;

use crate::clock::{now_ms, today};
use crate::open_cases::{CaseEntry, OpenCases};
use crate::organisation::Membership;
use crate::persist;
use crate::session::Session;
use crate::sync::SyncStatus;
use crate::vault::{CaseKey, Vault, VaultError};
use autosave::Autosave;
use leptos::prelude::*;
use puente_shared::case_sync::CaseSync;
use puente_shared::casefile::merge::merge;
use puente_shared::casefile::pending::NoteFor;
use puente_shared::casefile::{Actor, RuleError, Section};
use puente_shared::{CaseDocument, CaseId};
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Mine,
    Theirs,
}

/// The open cases and what acts on them, provided to every page.
#[derive(Clone, Copy)]
pub struct Workspace {
    pub session: Session,
    pub cases: OpenCases,
    pub sync: SyncStatus,
    /// The organisation as this device verified it.
    pub org: Membership,
    autosave: Autosave,
}

pub fn use_workspace() -> Workspace {
    expect_context::<Workspace>()
}

impl Workspace {
    pub fn new(session: Session) -> Self {
        Self {
            session,
            cases: OpenCases::new(),
            sync: SyncStatus::new(),
            org: Membership::new(),
            autosave: Autosave::new(),
        }
    }

    /// Who is acting, now.
    pub fn actor(&self) -> Option<Actor> {
        Some(Actor { user: self.session.user_id()?, now_ms: now_ms(), today: today() })
    }

    /// Opens the workspace of an unlocked vault: its cases, then sync.
    pub async fn open(self, vault: Vault, token: Option<String>) -> Result<(), VaultError> {
        let cases = persist::load(&vault).await?;
        if let Some(settings) = vault.db.settings().await? {
            self.cases.set_settings(settings);
        }
        self.cases.set_all(cases);
        self.cases.set_set_aside(vault.db.set_aside().await?);
        self.org.load(&vault).await?;
        self.session.unlocked(Rc::new(vault), token);
        self.sync.start(self.session, self.cases, self.org);
        Ok(())
    }

    /// Locks the app: saves what is pending, then forgets every key and every opened case,
    /// and ends the session.
    pub async fn lock(self, for_idle: bool) {
        if let Some(id) = self.autosave.take() {
            if let Err(error) = self.save(id).await {
                web_sys::console::error_1(&format!("saving before lock failed: {error}").into());
            }
        }
        let token = self.session.token();
        self.session.locked(for_idle);
        self.cases.set_all(BTreeMap::new());
        self.cases.set_set_aside(Vec::new());
        self.org.clear();
        // The session ends on the server too, so a token copied from this page is of no
        // use after the lock (best effort: offline, it simply expires).
        if let Some(token) = token {
            leptos::task::spawn_local(async move {
                let _ = crate::api::logout(&token).await;
            });
        }
    }

    pub async fn create_case(self) -> Result<CaseId, VaultError> {
        let vault = self.session.vault().ok_or(VaultError::NoVault)?;
        let id = CaseId::random();
        let doc = CaseDocument::new(id, vault.user_id(), now_ms(), today());
        self.cases.insert(CaseEntry::new(doc, CaseKey::random(), CaseSync::created()));
        self.update_and_persist(id, |_| {}).await?;
        Ok(id)
    }

    /// Applies typing to a case in memory and schedules its autosave. A closed case is
    /// read-only: the edit is dropped (its inputs are disabled anyway).
    pub fn edit_doc(self, id: CaseId, section: Section, edit: impl FnOnce(&mut CaseDocument)) {
        let Some(actor) = self.actor() else { return };
        self.type_into(id, |doc| {
            if doc.file.is_closed() {
                return false;
            }
            let before = doc.clone();
            edit(doc);
            let changed = *doc != before;
            if changed {
                doc.file.touch(section, &actor);
            }
            changed
        });
    }

    /// Keeps a note typed for an act (a withdrawal reason, a reopening reason…) with the
    /// case, closed or not, so that autosave keeps it; the act that uses it is what the
    /// history records.
    pub fn edit_note(self, id: CaseId, note: NoteFor, text: String) {
        self.type_into(id, |doc| doc.file.pending.set(note, text));
    }

    /// Applies typing to a case in memory (`edit` says whether it changed anything), marks
    /// it edited at once and schedules its autosave.
    fn type_into(self, id: CaseId, edit: impl FnOnce(&mut CaseDocument) -> bool) {
        let changed = self.cases.update(id, |entry| {
            let changed = edit(&mut entry.doc);
            if changed {
                entry.sync.edited();
            }
            changed
        });
        if changed == Some(true) {
            let other = self.autosave.typed(id, move || self.spawn_save(self.autosave.take()));
            self.spawn_save(other);
        }
    }

    /// Performs an act on a case (consent, referral, agreement, closure…). The rule runs on
    /// a copy: a refusal changes nothing and is returned for the screen to explain; an
    /// accepted act replaces the case in memory at once and is saved without waiting.
    pub fn act<T>(
        self,
        id: CaseId,
        rule: impl FnOnce(&mut CaseDocument, &Actor) -> Result<T, RuleError>,
    ) -> Result<T, RuleError> {
        self.act_on_many(&[id], |docs, actor| rule(docs[0], actor))
    }

    /// Performs one act over several cases at once (a group session): all or none.
    pub fn act_on_many<T>(
        self,
        ids: &[CaseId],
        rule: impl FnOnce(&mut [&mut CaseDocument], &Actor) -> Result<T, RuleError>,
    ) -> Result<T, RuleError> {
        let (actor, mut docs) = self.copies_for_act(ids)?;
        let value = rule(&mut docs.iter_mut().collect::<Vec<_>>(), &actor)?;
        self.acted(docs);
        Ok(value)
    }

    /// Who acts, and a copy of each case to act on.
    fn copies_for_act(self, ids: &[CaseId]) -> Result<(Actor, Vec<CaseDocument>), RuleError> {
        let actor = self.actor().ok_or(RuleError::NotFound)?;
        let docs: Vec<CaseDocument> = self
            .cases
            .with_untracked(|cases| ids.iter().filter_map(|id| cases.get(id).map(|e| e.doc.clone())).collect());
        if docs.len() != ids.len() {
            return Err(RuleError::NotFound);
        }
        Ok((actor, docs))
    }

    /// The cases an accepted act changed replace those in memory and are saved at once.
    fn acted(self, docs: Vec<CaseDocument>) {
        for doc in docs {
            let id = doc.id;
            self.cases.update(id, |entry| {
                entry.doc = doc;
                entry.sync.edited();
            });
            // Typing waiting in another case (its screen was left) is saved first.
            self.spawn_save(self.autosave.other_than(id));
            self.spawn_save(Some(id));
        }
    }

    /// Saves `id`, if any, in the background.
    fn spawn_save(self, id: Option<CaseId>) {
        let Some(id) = id else { return };
        leptos::task::spawn_local(async move {
            if let Err(error) = self.save(id).await {
                web_sys::console::error_1(&format!("saving failed: {error}").into());
            }
        });
    }

    /// Seals and stores one case as it is in memory, as an edit by this account.
    async fn save(self, id: CaseId) -> Result<(), VaultError> {
        // Its waiting typing is saved with it.
        self.autosave.saving(id);
        let author = self.session.user_id().ok_or(VaultError::NoVault)?;
        self.update_and_persist(id, |entry| {
            entry.doc.updated_at = now_ms();
            entry.doc.updated_by = author;
            entry.sync.edited();
        })
        .await
    }

    /// Changes a case in memory, then seals the result and writes it to IndexedDB. The
    /// change is applied synchronously, so edits typed while the write is in flight are
    /// never overwritten by it.
    async fn update_and_persist(self, id: CaseId, change: impl FnOnce(&mut CaseEntry)) -> Result<(), VaultError> {
        let vault = self.session.vault().ok_or(VaultError::NoVault)?;
        let Some(entry) = self.cases.update(id, |entry| {
            change(entry);
            entry.clone()
        }) else {
            return Ok(());
        };
        persist::store(&vault, self.cases, &entry).await?;
        self.sync.request();
        Ok(())
    }

    /// Ends a conflict by the case manager's choice of whose text continues. Either way no
    /// act is lost: what only the other version recorded (consents and their withdrawal,
    /// sessions, referrals and their answers, a closure…) is merged in. The result follows
    /// the other version's revision, so the other stays in the history.
    pub async fn resolve_conflict(self, id: CaseId, keep: Keep) -> Result<(), VaultError> {
        self.update_and_persist(id, |entry| {
            let chosen = entry.sync.conflict().map(|conflict| {
                let theirs = &conflict.version;
                let (mut doc, key, other) = match keep {
                    Keep::Mine => (entry.doc.clone(), entry.key.clone(), &theirs.doc.file),
                    Keep::Theirs => (theirs.doc.clone(), theirs.key.clone(), &entry.doc.file),
                };
                merge(&mut doc.file, other);
                let same = doc == theirs.doc;
                (doc, key, same)
            });
            if let Some((doc, key, same)) = chosen {
                entry.sync.resolve(same);
                entry.doc = doc;
                // The other version's key, unless this device retired it.
                entry.take_key(key);
            }
        })
        .await
    }
}
