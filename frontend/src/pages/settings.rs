//! The organisation's settings, edited by an administrator in the app: the follow-up
//! intervals by risk level and the directory of service providers. Checked on the device
//! with the same rules the server applies, published as a new version, and taken by every
//! device at its next sync.

use crate::api;
use crate::components::field::error_message;
use crate::components::tr::use_tr;
use crate::pages::account::api_error_message;
use crate::sync::session_token;
use crate::workspace::use_workspace;
use leptos::prelude::*;
use puente_shared::casefile::followup::Policy;
use puente_shared::casefile::referral::Service;
use puente_shared::settings::{OrganisationSettings, Provider};

/// A number input bound to one interval of the policy.
#[component]
fn Interval(
    id: &'static str,
    label: String,
    policy: RwSignal<Policy>,
    get: fn(&Policy) -> u16,
    set: fn(&mut Policy, u16),
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="number" min="1" max="365" inputmode="numeric" required
            prop:value=move || policy.with(|p| get(p).to_string())
            on:input=move |ev| {
                let days = event_target_value(&ev).trim().parse().unwrap_or(0);
                policy.update(|p| set(p, days));
            } />
    }
}

#[component]
fn ProviderRow(index: usize, providers: RwSignal<Vec<Provider>>) -> impl IntoView {
    let tr = use_tr();
    let field = move |read: fn(&Provider) -> &String| {
        move || providers.with(|list| list.get(index).map(|p| read(p).clone()).unwrap_or_default())
    };
    let edit = move |write: fn(&mut Provider, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            providers.update(|list| {
                if let Some(provider) = list.get_mut(index) {
                    write(provider, value);
                }
            })
        }
    };
    let services = Service::ALL
        .iter()
        .copied()
        .map(|service| {
            let code = service.code();
            let checked = move || providers.with(|list| list.get(index).is_some_and(|p| p.services.contains(&service)));
            let toggle = move |_| {
                providers.update(|list| {
                    if let Some(provider) = list.get_mut(index) {
                        if !provider.services.remove(&service) {
                            provider.services.insert(service);
                        }
                    }
                })
            };
            view! {
                <label class="check">
                    <input type="checkbox" value=code prop:checked=checked on:change=toggle />
                    {move || tr.code("service", code)}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="provider" data-provider=index.to_string()>
            <label>{move || tr.s("settings_provider_name")}
                <input class="provider-name" maxlength="200" autocomplete="off"
                    prop:value=field(|p| &p.name) on:input=edit(|p, v| p.name = v) />
            </label>
            <label>{move || tr.s("settings_provider_contact")}
                <input class="provider-contact" maxlength="200" autocomplete="off"
                    prop:value=field(|p| &p.contact) on:input=edit(|p, v| p.contact = v) />
            </label>
            <label>{move || tr.s("settings_provider_area")}
                <input class="provider-area" maxlength="200" autocomplete="off"
                    prop:value=field(|p| &p.area) on:input=edit(|p, v| p.area = v) />
            </label>
            <div class="services">{services}</div>
            <button type="button" class="secondary" on:click=move |_| providers.update(|list| { if index < list.len() { list.remove(index); } })>
                {move || tr.s("settings_provider_remove")}
            </button>
        </fieldset>
    }
}

#[component]
pub fn SettingsForm() -> impl IntoView {
    let ws = use_workspace();
    let tr = use_tr();
    let current = ws.cases.settings_untracked();
    let policy = RwSignal::new(current.follow_up);
    let providers = RwSignal::new(current.providers);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<u64>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let settings = OrganisationSettings { follow_up: policy.get_untracked(), providers: providers.get_untracked() };
        let settings = match settings.parse() {
            Ok(settings) => settings,
            Err(errors) => {
                let shown: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", tr.code("settings_field", e.field), error_message(tr, e)))
                    .collect();
                error.set(Some(shown.join(" · ")));
                return;
            }
        };
        let Some(vault) = ws.session.vault() else { return };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = async {
                let token = session_token(ws.session, &vault).await?;
                let version = api::publish_settings(&token, &settings).await?;
                Ok::<_, api::ApiError>(version)
            }
            .await;
            busy.set(false);
            match result {
                Ok(version) => {
                    if ws.session.is_current(&vault) {
                        if let Err(e) = vault.db.put_settings(&settings).await {
                            web_sys::console::warn_1(&format!("settings: {e}").into());
                        }
                        ws.cases.set_settings(settings);
                    }
                    saved.set(Some(version));
                }
                Err(e) => error.set(Some(api_error_message(tr, &e))),
            }
        });
    };
    let rows =
        move || (0..providers.with(Vec::len)).map(|index| view! { <ProviderRow index providers /> }).collect_view();
    view! {
        <h3>{move || tr.s("settings_title")}</h3>
        <form id="settings-form" on:submit=submit>
            <p>{move || tr.s("settings_intro")}</p>
            <fieldset>
                <legend>{move || tr.s("settings_follow_up")}</legend>
                <Interval id="days-low" label=tr.s("risk_low") policy get=|p| p.low_days set=|p, d| p.low_days = d />
                <Interval id="days-medium" label=tr.s("risk_medium") policy get=|p| p.medium_days set=|p, d| p.medium_days = d />
                <Interval id="days-high" label=tr.s("risk_high") policy get=|p| p.high_days set=|p, d| p.high_days = d />
                <Interval id="days-critical" label=tr.s("risk_critical") policy get=|p| p.critical_days set=|p, d| p.critical_days = d />
                <Interval id="days-plan-review" label=tr.s("settings_plan_review") policy
                    get=|p| p.plan_review_days set=|p, d| p.plan_review_days = d />
            </fieldset>
            <h4>{move || tr.s("settings_providers")}</h4>
            <div id="providers">{rows}</div>
            <button type="button" class="secondary" id="add-provider"
                on:click=move |_| providers.update(|list| list.push(Provider::default()))>
                {move || tr.s("settings_provider_add")}
            </button>
            <p class="field-error" id="settings-error" role="alert">{move || error.get()}</p>
            <Show when=move || saved.get().is_some()>
                <p class="notice" id="settings-saved" role="status">{move || tr.s("settings_saved")}</p>
            </Show>
            <button type="submit" id="save-settings" disabled=move || busy.get()>{move || tr.s("settings_publish")}</button>
        </form>
    }
}
