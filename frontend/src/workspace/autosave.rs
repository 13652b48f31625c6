//! When typing is sealed into IndexedDB: after a short pause in typing, but never later
//! than a bound after the first unsaved keystroke, and at once when another case is typed
//! in. Only the timing lives here; `Workspace` does the saving.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use puente_shared::CaseId;

/// Autosave waits this long after the last keystroke…
const DEBOUNCE_MS: u32 = 300;
/// …but never lets an edit wait longer than this.
const MAX_WAIT_MS: f64 = 450.0;

#[derive(Clone, Copy)]
pub struct Autosave {
    /// The case typed in and not yet saved, and since when (ms).
    pending: StoredValue<Option<(CaseId, f64)>>,
    timer: StoredValue<Option<Timeout>, LocalStorage>,
}

impl Autosave {
    pub fn new() -> Self {
        Self { pending: StoredValue::new(None), timer: StoredValue::new_local(None) }
    }

    /// `id` was typed in: `due` runs when it should be saved. Returns another case whose
    /// typing was still waiting, to be saved now.
    pub fn typed(&self, id: CaseId, due: impl FnOnce() + 'static) -> Option<CaseId> {
        let clock = js_sys::Date::now();
        let (since, other) = match self.pending.get_value() {
            Some((pending, since)) if pending == id => (since, None),
            other => (clock, other.map(|(pending, _)| pending)),
        };
        self.pending.set_value(Some((id, since)));
        let wait = if clock - since >= MAX_WAIT_MS { 0 } else { DEBOUNCE_MS };
        // Replacing the timer cancels the one set for the previous keystroke.
        self.timer.set_value(Some(Timeout::new(wait, due)));
        other
    }

    /// A case other than `id` whose typing is waiting, taken to be saved now.
    pub fn other_than(&self, id: CaseId) -> Option<CaseId> {
        match self.pending.get_value() {
            Some((pending, _)) if pending != id => self.take(),
            _ => None,
        }
    }

    /// The case whose typing is waiting, taken to be saved now.
    pub fn take(&self) -> Option<CaseId> {
        self.pending.try_update_value(Option::take).flatten().map(|(id, _)| id)
    }

    /// `id` is being saved now, with everything typed in it so far.
    pub fn saving(&self, id: CaseId) {
        if self.pending.with_value(|p| p.is_some_and(|(pending, _)| pending == id)) {
            self.pending.set_value(None);
        }
    }
}

impl Default for Autosave {
    fn default() -> Self {
        Self::new()
    }
}
