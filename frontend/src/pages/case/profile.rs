//! Individual factors and circumstances of return (D-PROFILE). Every entry is optional;
//! sensitive ones say why they are asked.

use super::CaseView;
use crate::components::bind::Bind;
use crate::components::tr::use_tr;
use leptos::prelude::*;
use puente_shared::casefile::profile::{self, Circumstance, Factor};
use puente_shared::casefile::Section;

#[component]
pub fn Profile(case: CaseView) -> impl IntoView {
    let tr = use_tr();
    let errors = Signal::derive(move || case.doc.with(|d| profile::validate(&d.file.profile)));
    let bind = Bind::new(case.ws, case.id, Section::Profile, errors);
    let factor = move |factor: Factor| {
        let code = factor.code();
        view! {
            <div class="field wide" class:sensitive=factor.is_sensitive()>
                <label for=code>{move || tr.code("factor", code)}</label>
                <p class="hint">{move || tr.code("factor_why", code)}
                    {factor.is_sensitive().then(|| view! { " " <em>{move || tr.s("sensitive_optional")}</em> })}
                </p>
                <textarea id=code name=code rows="2"
                    prop:value=move || case.doc.with(|d| d.file.profile.factor(factor).to_owned())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        case.ws.edit_doc(case.id, Section::Profile, |d| d.file.profile.set_factor(factor, text));
                    }></textarea>
            </div>
        }
    };
    let circumstance = move |circumstance: Circumstance| {
        let code = circumstance.code();
        view! {
            <div class="field wide">
                <label for=code>{move || tr.code("circumstance", code)}</label>
                <textarea id=code name=code rows="2"
                    prop:value=move || case.doc.with(|d| d.file.profile.circumstance(circumstance).to_owned())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        case.ws.edit_doc(case.id, Section::Profile, |d| d.file.profile.set_circumstance(circumstance, text));
                    }></textarea>
            </div>
        }
    };
    view! {
        <h2>{move || tr.s("profile_title")}</h2>
        <p class="hint">{move || tr.s("profile_intro")}</p>
        {Factor::ALL.iter().map(|f| factor(*f)).collect_view()}
        <h2>{move || tr.s("circumstances_title")}</h2>
        {Circumstance::ALL.iter().map(|c| circumstance(*c)).collect_view()}
        {bind.area("profile_other", "profile_other", |d| d.file.profile.other.clone(), |d, v| d.file.profile.other = v)}
    }
}
