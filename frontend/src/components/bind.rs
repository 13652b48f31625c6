//! Inputs bound to one field of a case document: each keystroke goes to memory at once
//! (and to IndexedDB within the autosave window), attributed to the case's history section.

use crate::components::field::{named_options, FieldMessage};
use crate::components::tr::{use_tr, Tr};
use crate::workspace::Workspace;
use leptos::prelude::*;
use puente_shared::casefile::{EntryId, Section};
use puente_shared::{CaseDocument, CaseId, FieldError};
use std::sync::Arc;

/// Where the bound inputs write, and which errors they show.
#[derive(Clone, Copy)]
pub struct Bind {
    pub ws: Workspace,
    pub case: CaseId,
    pub section: Section,
    pub errors: Signal<Vec<FieldError>>,
    /// Makes element ids unique when an entry repeats (sessions, actions…).
    pub scope: Option<EntryId>,
}

pub trait Getter<T>: Fn(&CaseDocument) -> T + Send + Sync + 'static {}
impl<T, F: Fn(&CaseDocument) -> T + Send + Sync + 'static> Getter<T> for F {}
pub trait Setter<T>: Fn(&mut CaseDocument, T) + Send + Sync + 'static {}
impl<T, F: Fn(&mut CaseDocument, T) + Send + Sync + 'static> Setter<T> for F {}

/// A field's getter and setter behind one pointer each, so that each kind of input is
/// compiled once rather than once per field (it keeps the wasm bundle small).
type Reader<T> = Arc<dyn Fn(&CaseDocument) -> T + Send + Sync>;
type Writer<T> = Arc<dyn Fn(&mut CaseDocument, T) + Send + Sync>;

/// The kinds of one-line input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Line {
    Text,
    Date,
}

impl Bind {
    pub fn new(ws: Workspace, case: CaseId, section: Section, errors: Signal<Vec<FieldError>>) -> Self {
        Self { ws, case, section, errors, scope: None }
    }

    pub fn scoped(self, scope: EntryId) -> Self {
        Self { scope: Some(scope), ..self }
    }

    pub fn dom_id(&self, field: &str) -> String {
        match self.scope {
            Some(scope) => format!("{field}-{}", &scope.to_string()[..8]),
            None => field.to_owned(),
        }
    }

    fn read<T: Default>(&self, get: &Reader<T>) -> T {
        let case = self.case;
        self.ws.cases.with(|cases| cases.get(&case).map(|e| get(&e.doc)).unwrap_or_default())
    }

    fn write<T>(&self, set: &Writer<T>, value: T) {
        self.ws.edit_doc(self.case, self.section, |doc| set(doc, value));
    }

    fn error(&self, field: &'static str) -> Signal<Option<FieldError>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.iter().find(|x| x.field == field).cloned()))
    }

    fn label(&self, field: &'static str, key: &'static str) -> AnyView {
        let tr: Tr = use_tr();
        view! { <label for=self.dom_id(field)>{move || tr.s(key)}</label> }.into_any()
    }

    /// A one-line text input.
    pub fn text(
        self,
        field: &'static str,
        key: &'static str,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        self.line(Line::Text, field, key, None, Arc::new(get), Arc::new(set))
    }

    /// A date (`YYYY-MM-DD`).
    pub fn date(
        self,
        field: &'static str,
        key: &'static str,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        self.line(Line::Date, field, key, None, Arc::new(get), Arc::new(set))
    }

    /// A one-line text input offering `suggestions` (which the case manager may ignore).
    pub fn suggest(
        self,
        field: &'static str,
        key: &'static str,
        suggestions: Signal<Vec<String>>,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        self.line(Line::Text, field, key, Some(suggestions), Arc::new(get), Arc::new(set))
    }

    fn line(
        self,
        kind: Line,
        field: &'static str,
        key: &'static str,
        suggestions: Option<Signal<Vec<String>>>,
        get: Reader<String>,
        set: Writer<String>,
    ) -> AnyView {
        let error = self.error(field);
        let list = suggestions.map(|_| format!("{}-suggestions", self.dom_id(field)));
        view! {
            <div class="field">
                {self.label(field, key)}
                <input id=self.dom_id(field) name=field type=if kind == Line::Date { "date" } else { "text" }
                    list=list.clone() class:invalid=move || error.with(Option::is_some)
                    prop:value=move || self.read(&get)
                    on:input=move |ev| self.write(&set, event_target_value(&ev)) />
                {suggestions.map(|suggestions| view! {
                    <datalist id=list.clone().unwrap_or_default()>
                        {move || suggestions.get().into_iter().map(|s| view! { <option value=s></option> }).collect_view()}
                    </datalist>
                })}
                <FieldMessage error=error field=field />
            </div>
        }
        .into_any()
    }

    /// A multi-line text.
    pub fn area(
        self,
        field: &'static str,
        key: &'static str,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        self.area_erased(field, key, Arc::new(get), Arc::new(set))
    }

    fn area_erased(self, field: &'static str, key: &'static str, get: Reader<String>, set: Writer<String>) -> AnyView {
        let error = self.error(field);
        view! {
            <div class="field wide">
                {self.label(field, key)}
                <textarea id=self.dom_id(field) name=field rows="4" class:invalid=move || error.with(Option::is_some)
                    prop:value=move || self.read(&get)
                    on:input=move |ev| self.write(&set, event_target_value(&ev))></textarea>
                <FieldMessage error=error field=field />
            </div>
        }
        .into_any()
    }

    /// A choice from a coded list (`list` names the labels: `{list}_{code}`).
    pub fn select(
        self,
        field: &'static str,
        key: &'static str,
        list: &'static str,
        codes: Vec<&'static str>,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        self.select_erased(field, key, list, codes, Arc::new(get), Arc::new(set))
    }

    fn select_erased(
        self,
        field: &'static str,
        key: &'static str,
        list: &'static str,
        codes: Vec<&'static str>,
        get: Reader<String>,
        set: Writer<String>,
    ) -> AnyView {
        let tr = use_tr();
        let options = view! {
            <option value="">{move || tr.s("choose")}</option>
            {codes.into_iter().map(|code| view! { <option value=code>{move || tr.code(list, code)}</option> }).collect_view()}
        };
        self.select_of(field, key, get, set, options.into_any())
    }

    /// A choice of ISO codes (`kind`: `region` or `language`), named in the interface's
    /// language by the browser and sorted by name.
    pub fn named_select(
        self,
        field: &'static str,
        key: &'static str,
        kind: &'static str,
        codes: &'static [&'static str],
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        let tr = use_tr();
        let options = view! {
            <option value="">{move || tr.s("not_recorded")}</option>
            {move || named_options(kind, codes, tr.locale())
                .into_iter()
                .map(|(code, name)| view! { <option value=code.clone()>{name}</option> })
                .collect_view()}
        };
        self.select_of(field, key, Arc::new(get), Arc::new(set), options.into_any())
    }

    /// A choice among `options` (value and label), worked out as the page shows them, after
    /// an empty choice labelled `none`.
    pub fn options_select(
        self,
        field: &'static str,
        key: &'static str,
        none: &'static str,
        options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
        get: impl Getter<String>,
        set: impl Setter<String>,
    ) -> AnyView {
        let tr = use_tr();
        let options = view! {
            <option value="">{move || tr.s(none)}</option>
            {move || options().into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
        };
        self.select_of(field, key, Arc::new(get), Arc::new(set), options.into_any())
    }

    /// A labelled select of `options`, with its message.
    fn select_of(
        self,
        field: &'static str,
        key: &'static str,
        get: Reader<String>,
        set: Writer<String>,
        options: AnyView,
    ) -> AnyView {
        let error = self.error(field);
        view! {
            <div class="field">
                {self.label(field, key)}
                <select id=self.dom_id(field) name=field prop:value=move || self.read(&get)
                    on:change=move |ev| self.write(&set, event_target_value(&ev))>
                    {options}
                </select>
                <FieldMessage error=error field=field />
            </div>
        }
        .into_any()
    }

    /// A yes/no.
    pub fn check(
        self,
        field: &'static str,
        key: &'static str,
        get: impl Getter<bool>,
        set: impl Setter<bool>,
    ) -> AnyView {
        self.check_erased(field, key, Arc::new(get), Arc::new(set))
    }

    fn check_erased(self, field: &'static str, key: &'static str, get: Reader<bool>, set: Writer<bool>) -> AnyView {
        let tr = use_tr();
        let error = self.error(field);
        view! {
            <div class="checkbox">
                <label>
                    <input type="checkbox" id=self.dom_id(field) name=field prop:checked=move || self.read(&get)
                        on:change=move |ev| self.write(&set, event_target_checked(&ev)) />
                    {move || tr.s(key)}
                </label>
                <FieldMessage error=error field=field />
            </div>
        }
        .into_any()
    }

    /// Several choices from a coded list, each a checkbox (`name` is `{field}` and the
    /// value the code).
    pub fn checks(
        self,
        field: &'static str,
        key: &'static str,
        list: &'static str,
        codes: Vec<&'static str>,
        has: impl Fn(&CaseDocument, &str) -> bool + Send + Sync + 'static,
        toggle: impl Fn(&mut CaseDocument, &str, bool) + Send + Sync + 'static,
    ) -> AnyView {
        type Has = Arc<dyn Fn(&CaseDocument, &str) -> bool + Send + Sync>;
        type Toggle = Arc<dyn Fn(&mut CaseDocument, &str, bool) + Send + Sync>;
        let (has, toggle): (Has, Toggle) = (Arc::new(has), Arc::new(toggle));
        let tr = use_tr();
        let error = self.error(field);
        view! {
            <fieldset class="choices" id=self.dom_id(field)>
                <legend>{move || tr.s(key)}</legend>
                {codes.into_iter().map(|code| {
                    let (has, toggle) = (has.clone(), toggle.clone());
                    let get: Reader<bool> = Arc::new(move |doc| has(doc, code));
                    let set: Writer<bool> = Arc::new(move |doc, on| toggle(doc, code, on));
                    view! {
                        <label class="choice">
                            <input type="checkbox" name=field value=code
                                prop:checked=move || self.read(&get)
                                on:change=move |ev| self.write(&set, event_target_checked(&ev)) />
                            {move || tr.code(list, code)}
                        </label>
                    }
                }).collect_view()}
                <FieldMessage error=error field=field />
            </fieldset>
        }
        .into_any()
    }
}
