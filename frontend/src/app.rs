//! The root component: the session, the workspace and the device's preferences, the
//! interface language, routes, the idle lock.

use crate::components::header::Header;
use crate::components::tr::{use_tr, Language};
use crate::pages::case::{CaseEdit, PrintPlan};
use crate::pages::{
    cases::CaseList, enrol::Enrol, gate::Gate, group::GroupSession, login::Login, organisation::OrganisationPage,
    passphrase::ChangePassphrase,
};
use crate::prefs::Prefs;
use crate::session::{Phase, Session};
use crate::vault::db::DeviceDb;
use crate::workspace::Workspace;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use std::time::Duration;

/// How often the idle lock looks at the clock.
const IDLE_CHECK: Duration = Duration::from_secs(5);

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    let workspace = Workspace::new(session);
    let prefs = Prefs::new();
    provide_context(session);
    provide_context(workspace);
    provide_context(prefs);
    Language::provide();

    leptos::task::spawn_local(async move {
        match DeviceDb::open(crate::DB_NAME).await {
            Ok(db) => {
                let has_vault = matches!(db.header().await, Ok(Some(_)));
                session.device_opened(db, has_vault);
            }
            Err(error) => web_sys::console::error_1(&format!("cannot open the device store: {error}").into()),
        }
    });

    // Unlocking counts as activity, however it was done (a password manager may submit the
    // form without a key or a touch).
    Effect::new(move |_| {
        if session.phase() == Phase::Unlocked {
            prefs.touch();
        }
    });
    let _ = window_event_listener(leptos::ev::keydown, move |_| prefs.touch());
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| prefs.touch());
    let _ = set_interval_with_handle(
        move || {
            if session.phase_untracked() == Phase::Unlocked && prefs.idle_too_long() {
                leptos::task::spawn_local(workspace.lock(true));
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
                    <Route path=path!("/organisation") view=|| view! { <Gate><OrganisationPage /></Gate> } />
                    <Route path=path!("/passphrase") view=|| view! { <Gate><ChangePassphrase /></Gate> } />
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
