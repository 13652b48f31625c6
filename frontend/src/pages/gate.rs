//! Shows its children only when the vault is unlocked.

use crate::components::tr::use_tr;
use crate::pages::unlock::Unlock;
use crate::session::Phase;
use crate::workspace::use_workspace;
use leptos::prelude::*;

#[component]
pub fn Gate(children: ChildrenFn) -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    move || match ws.session.phase() {
        Phase::Loading => view! { <p class="notice">{move || tr.s("loading")}</p> }.into_any(),
        Phase::NoVault => view! { <Welcome /> }.into_any(),
        Phase::Locked => view! { <Unlock /> }.into_any(),
        Phase::Unlocked => children().into_any(),
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let tr = use_tr();
    view! {
        <section class="card narrow">
            <h1>{move || tr.s("welcome_title")}</h1>
            <p>{move || tr.s("tagline")}</p>
            <p>{move || tr.s("welcome_no_vault")}</p>
            <a class="button" href="/login" id="go-login">{move || tr.s("sign_in_existing")}</a>
        </section>
    }
}
