//! What this device remembers about how it is used, outside the vault: the interface
//! language (see `components/tr.rs`) and how long the app waits before locking itself.

use leptos::prelude::*;

const IDLE_MINUTES_KEY: &str = "puente.idle_minutes";
const DEFAULT_IDLE_MINUTES: u32 = 10;

#[derive(Clone, Copy)]
pub struct Prefs {
    idle_minutes: RwSignal<u32>,
    last_activity: StoredValue<f64>,
}

impl Prefs {
    pub fn new() -> Self {
        let idle = local_setting(IDLE_MINUTES_KEY).and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_IDLE_MINUTES);
        Self { idle_minutes: RwSignal::new(idle), last_activity: StoredValue::new(js_sys::Date::now()) }
    }

    /// Minutes without a key or a touch before the app locks (tracked).
    pub fn idle_minutes(&self) -> u32 {
        self.idle_minutes.get()
    }

    pub fn set_idle_minutes(&self, minutes: u32) {
        self.idle_minutes.set(minutes);
        set_local_setting(IDLE_MINUTES_KEY, &minutes.to_string());
    }

    /// The case manager did something.
    pub fn touch(&self) {
        self.last_activity.set_value(js_sys::Date::now());
    }

    /// Whether nothing was done for longer than the idle setting.
    pub fn idle_too_long(&self) -> bool {
        let idle_ms = f64::from(self.idle_minutes.get_untracked()) * 60_000.0;
        js_sys::Date::now() - self.last_activity.get_value() > idle_ms
    }
}

impl Default for Prefs {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_prefs() -> Prefs {
    expect_context::<Prefs>()
}

pub fn local_setting(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn set_local_setting(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}
