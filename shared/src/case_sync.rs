//! The sync bookkeeping of one case on one device: what is in memory, what is sealed into
//! the device's store, what the server has accepted, and another device's version kept
//! beside local changes. It decides whether a keystroke can be lost, so it is a plain
//! state machine tested here, natively; the browser calls it and does the I/O.
//!
//! The invariant it keeps (see the model test in `case_sync/tests.rs`): every keystroke
//! stays in the local version until the server has it, or until the case manager resolves a
//! conflict by keeping the other device's text (whose acts are merged in either way); and
//! "synced" is never shown over an edit that is not both stored on the device and accepted
//! by the server.
//!
//! Local states are numbered by `edit_seq`, bumped by every change in memory. A push
//! seals only a state that is already stored on the device, so after a reload the stored
//! state is never older than a push waiting in the outbox.

/// Another device's revision, kept beside the local changes until the case manager chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theirs<R> {
    pub revision: u64,
    pub version: R,
}

/// A push to make: local state `edit_seq`, sealed as `revision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Push {
    pub revision: u64,
    pub edit_seq: u64,
}

/// What the device's store keeps of the bookkeeping, beside the sealed state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The last revision this device has from, or had accepted by, the server (0: none).
    pub base_rev: u64,
    /// Local changes the server has not accepted.
    pub dirty: bool,
    pub edit_seq: u64,
}

/// What to do with a revision read from the change feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pulled<R> {
    /// This device already has it, or a later one.
    Known,
    /// Nothing local is unsynced: the revision becomes the local state.
    Adopt(R),
    /// Local changes are unsynced: both are kept and the case is in conflict.
    Kept,
}

/// What a case shows about its sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Badge {
    /// The latest change is in memory only.
    Saving,
    /// Stored on the device, waiting for the server.
    Waiting,
    /// Stored on the device; the server is unreachable.
    Offline,
    /// Stored on the device and accepted by the server.
    Synced,
    Conflict,
}

impl Badge {
    pub const ALL: [Self; 5] = [Self::Saving, Self::Waiting, Self::Offline, Self::Synced, Self::Conflict];

    pub fn code(self) -> &'static str {
        match self {
            Self::Saving => "saving",
            Self::Waiting => "waiting",
            Self::Offline => "offline",
            Self::Synced => "synced",
            Self::Conflict => "conflict",
        }
    }
}

/// The sync state of one case; `R` is another device's version as the caller keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSync<R> {
    base_rev: u64,
    dirty: bool,
    edit_seq: u64,
    /// The `edit_seq` of the state in the device's store.
    stored_seq: u64,
    conflict: Option<Theirs<R>>,
}

impl<R> CaseSync<R> {
    /// A case created on this device, not stored yet.
    pub fn created() -> Self {
        Self { base_rev: 0, dirty: true, edit_seq: 1, stored_seq: 0, conflict: None }
    }

    /// A case first seen as `revision` in the change feed, not stored yet.
    pub fn received(revision: u64) -> Self {
        Self { base_rev: revision, dirty: false, edit_seq: 1, stored_seq: 0, conflict: None }
    }

    /// The state read back from the device's store (after a reload or an unlock), with the
    /// push its outbox still holds, if any. When that push was sealed from a later state
    /// than the store holds (earlier versions of the app pushed what was in memory), the
    /// caller restores the outbox's state instead (see [`CaseSync::outbox_is_newer`]), and
    /// it is numbered as the push.
    pub fn restored(stored: Stored, conflict: Option<Theirs<R>>, waiting: Option<Push>) -> Self {
        let Stored { base_rev, dirty, edit_seq } = stored;
        let edit_seq = waiting.map_or(edit_seq, |push| push.edit_seq.max(edit_seq));
        // A kept conflict, or a push waiting, always has local changes behind it.
        let dirty = dirty || conflict.is_some() || waiting.is_some();
        Self { base_rev, dirty, edit_seq, stored_seq: edit_seq, conflict }
    }

    /// Whether the outbox holds a later local state than the store (see [`CaseSync::restored`]).
    pub fn outbox_is_newer(stored: &Stored, waiting: Option<Push>) -> bool {
        waiting.is_some_and(|push| push.edit_seq > stored.edit_seq)
    }

    /// What to store with the state as it is now.
    pub fn to_store(&self) -> Stored {
        Stored { base_rev: self.base_rev, dirty: self.dirty, edit_seq: self.edit_seq }
    }

    pub fn base_rev(&self) -> u64 {
        self.base_rev
    }

    /// Local changes not yet accepted by the server.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn conflict(&self) -> Option<&Theirs<R>> {
        self.conflict.as_ref()
    }

    /// A change was made in memory (typing, an act).
    pub fn edited(&mut self) {
        self.dirty = true;
        self.edit_seq += 1;
    }

    /// Whether the latest state is in memory only (a write failed, or has not run yet).
    pub fn needs_store(&self) -> bool {
        self.stored_seq < self.edit_seq
    }

    /// The state numbered `edit_seq` is now in the device's store.
    pub fn stored(&mut self, edit_seq: u64) {
        self.stored_seq = self.stored_seq.max(edit_seq);
    }

    /// The push to make now, if any: local changes, stored, and no conflict waiting.
    pub fn push(&self) -> Option<Push> {
        let ready = self.dirty && self.conflict.is_none() && self.stored_seq == self.edit_seq;
        ready.then_some(Push { revision: self.base_rev + 1, edit_seq: self.edit_seq })
    }

    /// The server accepted `push` (perhaps one sealed before a reload, from the outbox).
    pub fn accepted(&mut self, push: Push) {
        if push.revision != self.base_rev + 1 {
            // Settled by another path meanwhile (a conflict resolved over it).
            return;
        }
        self.base_rev = push.revision;
        if self.conflict.as_ref().is_some_and(|c| c.revision <= push.revision) {
            // The "other" version read from the feed was this very push.
            self.conflict = None;
        }
        self.dirty = self.edit_seq != push.edit_seq || self.conflict.is_some();
    }

    /// The server refused `push`: another device took the revision; `theirs` is the
    /// latest one there.
    pub fn taken(&mut self, push: Push, theirs: Theirs<R>) {
        if push.revision == self.base_rev + 1 && self.wants(theirs.revision) {
            self.keep(theirs);
        }
    }

    /// Whether `revision`, read from the feed, is news to this device.
    pub fn wants(&self, revision: u64) -> bool {
        revision > self.known()
    }

    /// `revision`, read from the feed, is `version`.
    pub fn pulled(&mut self, revision: u64, version: R) -> Pulled<R> {
        if !self.wants(revision) {
            return Pulled::Known;
        }
        if self.dirty {
            self.keep(Theirs { revision, version });
            return Pulled::Kept;
        }
        self.base_rev = revision;
        // The new state must be stored before it shows as synced.
        self.edit_seq += 1;
        Pulled::Adopt(version)
    }

    /// Ends a conflict with the case manager's choice, which is now the local state and
    /// follows their revision. `same_as_theirs`: that state is exactly their revision, so
    /// nothing is left to push. Returns the other version, or `None` without a conflict.
    pub fn resolve(&mut self, same_as_theirs: bool) -> Option<Theirs<R>> {
        let theirs = self.conflict.take()?;
        self.base_rev = theirs.revision;
        self.dirty = !same_as_theirs;
        self.edit_seq += 1;
        Some(theirs)
    }

    /// What the case shows; `offline`: the server was last seen unreachable.
    pub fn badge(&self, offline: bool) -> Badge {
        if self.needs_store() {
            Badge::Saving
        } else if self.conflict.is_some() {
            Badge::Conflict
        } else if !self.dirty {
            Badge::Synced
        } else if offline {
            Badge::Offline
        } else {
            Badge::Waiting
        }
    }

    fn known(&self) -> u64 {
        self.base_rev.max(self.conflict.as_ref().map_or(0, |c| c.revision))
    }

    /// Keeps `theirs` (a revision this device did not know) beside the local changes.
    fn keep(&mut self, theirs: Theirs<R>) {
        self.conflict = Some(theirs);
        self.dirty = true;
    }
}

#[cfg(test)]
mod tests;
