//! The root component: state, the interface language, routes, the idle lock.

use crate::components::header::Header;
use crate::components::tr::{use_tr, Language};
use crate::pages::case::{CaseEdit, PrintPlan};
use crate::pages::{cases::CaseList, enrol::Enrol, gate::Gate, group::GroupSession, login::Login};
use crate::state::{AppState, Phase};
use crate::vault::db::DeviceDb;
use crate::workspace;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use std::time::Duration;

/// How often the idle lock looks at the clock.
const IDLE_CHECK: Duration = Duration::from_secs(5);

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    Language::provide();

    leptos::task::spawn_local(async move {
        match DeviceDb::open(crate::DB_NAME).await {
            Ok(db) => {
                let has_vault = matches!(db.header().await, Ok(Some(_)));
                state.db.set_value(Some(db));
                state.phase.set(if has_vault { Phase::Locked } else { Phase::NoVault });
            }
            Err(error) => web_sys::console::error_1(&format!("cannot open the device store: {error}").into()),
        }
    });

    let touch = move || state.last_activity.set_value(js_sys::Date::now());
    let _ = window_event_listener(leptos::ev::keydown, move |_| touch());
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| touch());
    let _ = set_interval_with_handle(
        move || {
            let idle_ms = f64::from(state.idle_minutes.get_untracked()) * 60_000.0;
            if state.phase.get_untracked() == Phase::Unlocked
                && js_sys::Date::now() - state.last_activity.get_value() > idle_ms
            {
                leptos::task::spawn_local(workspace::lock(state, true));
            }
        },
        IDLE_CHECK,
    );

    view! {
        <Router>
            <Header />
            <main>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Gate><CaseList /></Gate> } />
                    <Route path=path!("/enrol") view=Enrol />
                    <Route path=path!("/login") view=Login />
                    <Route path=path!("/cases/:id") view=|| view! { <Gate><CaseEdit /></Gate> } />
                    <Route path=path!("/cases/:id/:section") view=|| view! { <Gate><CaseEdit /></Gate> } />
                    <Route path=path!("/cases/:id/plan/:plan/print") view=|| view! { <Gate><PrintPlan /></Gate> } />
                    <Route path=path!("/group") view=|| view! { <Gate><GroupSession /></Gate> } />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let tr = use_tr();
    view! { <p class="notice">{move || tr.s("not_found")}</p> }
}
