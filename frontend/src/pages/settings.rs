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

/// The text typed for each interval, read as days only when publishing (a field being
/// retyped is empty for a moment, and must stay so).
#[derive(Clone, Copy)]
struct Intervals {
    low: RwSignal<String>,
    medium: RwSignal<String>,
    high: RwSignal<String>,
    critical: RwSignal<String>,
    plan_review: RwSignal<String>,
}

impl Intervals {
    fn new() -> Self {
        let field = || RwSignal::new(String::new());
        Self { low: field(), medium: field(), high: field(), critical: field(), plan_review: field() }
    }

    fn show(&self, policy: &Policy) {
        for (field, days) in self.fields(policy) {
            field.set(days.to_string());
        }
    }

    fn fields(&self, p: &Policy) -> [(RwSignal<String>, u16); 5] {
        [
            (self.low, p.low_days),
            (self.medium, p.medium_days),
            (self.high, p.high_days),
            (self.critical, p.critical_days),
            (self.plan_review, p.plan_review_days),
        ]
    }

    /// The policy typed; what is not a number counts as 0, which the rules refuse.
    fn policy(&self) -> Policy {
        let days = |field: RwSignal<String>| field.get_untracked().trim().parse().unwrap_or(0);
        Policy {
            low_days: days(self.low),
            medium_days: days(self.medium),
            high_days: days(self.high),
            critical_days: days(self.critical),
            plan_review_days: days(self.plan_review),
        }
    }
}

#[component]
fn Interval(id: &'static str, label: &'static str, text: RwSignal<String>) -> impl IntoView {
    let tr = use_tr();
    view! {
        <label for=id>{move || tr.s(label)}</label>
        <input id=id type="text" inputmode="numeric" autocomplete="off"
            prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) />
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
    let intervals = Intervals::new();
    let providers = RwSignal::new(Vec::<Provider>::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Publishing replaces the whole directory, so the form starts from the settings in force
    // on the server, not from what this device last kept, and waits for them.
    let loaded = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        let Some(vault) = ws.session.vault() else { return };
        let fetched = match session_token(ws.session, &vault).await {
            Ok(token) => api::settings(&token).await,
            Err(error) => Err(error),
        };
        match fetched {
            Ok(settings) => {
                intervals.show(&settings.follow_up);
                providers.try_set(settings.providers);
                loaded.try_set(true);
            }
            Err(e) => {
                error.try_set(Some(api_error_message(tr, &e)));
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let settings = OrganisationSettings { follow_up: intervals.policy(), providers: providers.get_untracked() };
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
                api::publish_settings(&token, &settings).await
            }
            .await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    if ws.session.is_current(&vault) {
                        if let Err(e) = vault.db.put_settings(&settings).await {
                            web_sys::console::warn_1(&format!("settings: {e}").into());
                        }
                        ws.cases.set_settings(settings);
                    }
                    saved.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(api_error_message(tr, &e)));
                }
            }
        });
    };
    // Redrawn when a provider is added or removed, not at every keystroke.
    let count = Memo::new(move |_| providers.with(Vec::len));
    let rows = move || (0..count.get()).map(|index| view! { <ProviderRow index providers /> }).collect_view();
    view! {
        <h3>{move || tr.s("settings_title")}</h3>
        <form id="settings-form" novalidate on:submit=submit on:input=move |_| saved.set(false)>
            <p>{move || tr.s("settings_intro")}</p>
            <fieldset>
                <legend>{move || tr.s("settings_follow_up")}</legend>
                <Interval id="days-low" label="risk_low" text=intervals.low />
                <Interval id="days-medium" label="risk_medium" text=intervals.medium />
                <Interval id="days-high" label="risk_high" text=intervals.high />
                <Interval id="days-critical" label="risk_critical" text=intervals.critical />
                <Interval id="days-plan-review" label="settings_plan_review" text=intervals.plan_review />
            </fieldset>
            <h4>{move || tr.s("settings_providers")}</h4>
            <div id="providers">{rows}</div>
            <button type="button" class="secondary" id="add-provider"
                on:click=move |_| providers.update(|list| list.push(Provider::default()))>
                {move || tr.s("settings_provider_add")}
            </button>
            <p class="field-error" id="settings-error" role="alert">{move || error.get()}</p>
            <Show when=move || saved.get()>
                <p class="notice" id="settings-saved" role="status">{move || tr.s("settings_saved")}</p>
            </Show>
            <button type="submit" id="save-settings" disabled=move || busy.get() || !loaded.get()>
                {move || tr.s("settings_publish")}
            </button>
        </form>
    }
}
