//! The registration form of one case. Every keystroke goes to memory at once and is
//! sealed into IndexedDB within the autosave window; validation comes from `shared`.

use crate::clock::today;
use crate::components::field::{named_options, FieldMessage};
use crate::components::sync_badge::CaseBadge;
use crate::i18n::*;
use crate::state::{use_app, Conflict};
use crate::workspace::{self, edit_form, Keep};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use puente_shared::case::{CountryCode, LanguageCode, Sex};
use puente_shared::{Case, CaseForm, CaseId, FieldError};

#[component]
pub fn CaseEdit() -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<CaseId>().ok()));
    let exists = move || id().is_some_and(|id| state.cases.with(|c| c.contains_key(&id)));
    view! {
        <p><a href="/" id="back">{t!(i18n, back_to_cases)}</a></p>
        <Show when=exists fallback=move || view! { <p class="notice">{t!(i18n, case_not_found)}</p> }>
            {move || id().map(|id| view! { <CaseForm id=id /> })}
        </Show>
    }
}

#[component]
fn CaseForm(id: CaseId) -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let form = Memo::new(move |_| state.cases.with(|c| c.get(&id).map(|e| e.doc.form.clone()).unwrap_or_default()));
    let errors = Memo::new(move |_| form.with(|f| Case::parse(f, today()).err().unwrap_or_default()));
    let error_of = move |field: &'static str| Signal::derive(move || errors.with(|e| e.for_field(field).cloned()));
    let conflict = Memo::new(move |_| state.cases.with(|c| c.get(&id).and_then(|e| e.conflict.clone())));
    let locale = move || i18n.get_locale().as_str().to_owned();

    // A text input bound to one form field.
    let text = move |field: &'static str, get: fn(&CaseForm) -> &String, set: fn(&mut CaseForm, String)| {
        let error: Signal<Option<FieldError>> = error_of(field);
        view! {
            <input id=field name=field class:invalid=move || error.with(Option::is_some)
                prop:value=move || form.with(|f| get(f).clone())
                on:input=move |ev| { let value = event_target_value(&ev); edit_form(state, id, |f| set(f, value)) } />
            <FieldMessage error=error field=field />
        }
    };
    // A select of ISO codes, named in the interface language by the browser.
    let coded = move |field: &'static str,
                      kind: &'static str,
                      codes: &'static [&'static str],
                      get: fn(&CaseForm) -> &String,
                      set: fn(&mut CaseForm, String)| {
        let error = error_of(field);
        view! {
            <select id=field name=field prop:value=move || form.with(|f| get(f).clone())
                on:change=move |ev| { let value = event_target_value(&ev); edit_form(state, id, |f| set(f, value)) }>
                <option value="">{t!(i18n, not_recorded)}</option>
                {move || named_options(kind, codes, &locale())
                    .into_iter()
                    .map(|(code, name)| view! { <option value=code.clone()>{name}</option> })
                    .collect_view()}
            </select>
            <FieldMessage error=error field=field />
        }
    };

    view! {
        <section class="card">
            <div class="toolbar">
                <h1>{t!(i18n, case_title)}</h1>
                <span id="case-status"><CaseBadge id=id /></span>
            </div>
            {move || conflict.get().map(|c| view! { <ConflictPanel id=id conflict=c /> })}
            <form class="case-form" on:submit=|ev| ev.prevent_default()>
                <div class="grid">
                    <div>
                        <label for="given_names">{t!(i18n, given_names)}</label>
                        {text("given_names", |f| &f.given_names, |f, v| f.given_names = v)}
                    </div>
                    <div>
                        <label for="family_name">{t!(i18n, family_name)} " *"</label>
                        {text("family_name", |f| &f.family_name, |f, v| f.family_name = v)}
                    </div>
                    <div>
                        <label for="date_of_birth">{t!(i18n, date_of_birth)}</label>
                        <input id="date_of_birth" type="date" max=move || today().to_string()
                            prop:value=move || form.with(|f| f.date_of_birth.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit_form(state, id, |f| f.date_of_birth = v) } />
                        <FieldMessage error=error_of("date_of_birth") field="date_of_birth" />
                    </div>
                    <div>
                        <label for="sex">{t!(i18n, sex)}</label>
                        <select id="sex" prop:value=move || form.with(|f| f.sex.clone())
                            on:change=move |ev| { let v = event_target_value(&ev); edit_form(state, id, |f| f.sex = v) }>
                            <option value="">{t!(i18n, not_recorded)}</option>
                            <option value=Sex::CODES[0]>{t!(i18n, sex_female)}</option>
                            <option value=Sex::CODES[1]>{t!(i18n, sex_male)}</option>
                            <option value=Sex::CODES[2]>{t!(i18n, sex_intersex)}</option>
                        </select>
                        <p class="hint">{t!(i18n, why_sensitive)}</p>
                    </div>
                    <div>
                        <label for="country_of_origin">{t!(i18n, country_of_origin)}</label>
                        {coded("country_of_origin", "region", CountryCode::all(), |f| &f.country_of_origin, |f, v| f.country_of_origin = v)}
                    </div>
                    <div>
                        <label for="host_country">{t!(i18n, host_country)}</label>
                        {coded("host_country", "region", CountryCode::all(), |f| &f.host_country, |f, v| f.host_country = v)}
                    </div>
                    <div>
                        <label for="preferred_language">{t!(i18n, preferred_language)}</label>
                        {coded("preferred_language", "language", LanguageCode::all(), |f| &f.preferred_language, |f, v| f.preferred_language = v)}
                    </div>
                    <div class="checkbox">
                        <label>
                            <input id="interpreter_needed" type="checkbox" prop:checked=move || form.with(|f| f.interpreter_needed)
                                on:change=move |ev| { let v = event_target_checked(&ev); edit_form(state, id, |f| f.interpreter_needed = v) } />
                            {t!(i18n, interpreter_needed)}
                        </label>
                    </div>
                </div>
                <label for="notes">{t!(i18n, notes)}</label>
                <textarea id="notes" rows="8" prop:value=move || form.with(|f| f.notes.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); edit_form(state, id, |f| f.notes = v) }></textarea>
                <FieldMessage error=error_of("notes") field="notes" />
            </form>
        </section>
    }
}

/// Both versions side by side, and the case manager's choice.
#[component]
fn ConflictPanel(id: CaseId, conflict: Conflict) -> impl IntoView {
    let state = use_app();
    let i18n = use_i18n();
    let mine = state.cases.with_untracked(|c| c.get(&id).map(|e| e.doc.clone()));
    let summary = |doc: &puente_shared::CaseDocument| {
        let f = &doc.form;
        view! {
            <dl>
                <dt>{t!(i18n, given_names)}</dt><dd>{f.given_names.clone()}</dd>
                <dt>{t!(i18n, family_name)}</dt><dd>{f.family_name.clone()}</dd>
                <dt>{t!(i18n, date_of_birth)}</dt><dd>{f.date_of_birth.clone()}</dd>
                <dt>{t!(i18n, notes)}</dt><dd class="pre">{f.notes.clone()}</dd>
            </dl>
        }
    };
    let choose = move |keep: Keep| {
        leptos::task::spawn_local(async move {
            if let Err(e) = workspace::resolve_conflict(state, id, keep).await {
                web_sys::console::error_1(&format!("resolving failed: {e}").into());
            }
        })
    };
    view! {
        <div class="conflict" id="conflict" role="alert">
            <h2>{t!(i18n, conflict_title)}</h2>
            <p>{t!(i18n, conflict_intro)}</p>
            <div class="grid">
                <div>
                    <h3>{t!(i18n, conflict_mine)}</h3>
                    {mine.as_ref().map(summary)}
                    <button id="keep-mine" on:click=move |_| choose(Keep::Mine)>{t!(i18n, keep_mine)}</button>
                </div>
                <div>
                    <h3>{t!(i18n, conflict_theirs, rev = conflict.revision)}</h3>
                    {summary(&conflict.doc)}
                    <button id="keep-theirs" class="secondary" on:click=move |_| choose(Keep::Theirs)>{t!(i18n, keep_theirs)}</button>
                </div>
            </div>
        </div>
    }
}
