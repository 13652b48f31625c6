//! Puente in the browser: an offline-first Leptos app whose every case is sealed before it
//! touches IndexedDB or the network.

pub mod api;
mod app;
pub mod clock;
mod components;
pub mod open_cases;
pub mod organisation;
mod pages;
pub mod persist;
pub mod prefs;
pub mod session;
pub mod sync;
pub mod vault;
pub mod workspace;

use wasm_bindgen::prelude::*;

/// The IndexedDB database the app uses.
pub const DB_NAME: &str = "puente";

#[wasm_bindgen]
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
