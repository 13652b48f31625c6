//! Shows its children only when the vault is unlocked.

use crate::i18n::*;
use crate::pages::unlock::Unlock;
use crate::state::{use_app, Phase};
use leptos::prelude::*;

#[component]
pub fn Gate(children: ChildrenFn) -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    move || match state.phase.get() {
        Phase::Loading => view! { <p class="notice">{t!(i18n, loading)}</p> }.into_any(),
        Phase::NoVault => view! { <Welcome /> }.into_any(),
        Phase::Locked => view! { <Unlock /> }.into_any(),
        Phase::Unlocked => children().into_any(),
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, welcome_title)}</h1>
            <p>{t!(i18n, tagline)}</p>
            <p>{t!(i18n, welcome_no_vault)}</p>
            <a class="button" href="/login" id="go-login">{t!(i18n, sign_in_existing)}</a>
        </section>
    }
}
