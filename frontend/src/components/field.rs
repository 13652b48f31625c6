//! Form helpers: validation messages in the user's language, and country and language
//! names from the browser's own localisation data (`Intl.DisplayNames`).

use crate::components::tr::{use_tr, Tr};
use leptos::prelude::*;
use puente_shared::{ErrorCode, FieldError};
use wasm_bindgen::{JsCast, JsValue};

pub fn error_message(tr: Tr, error: &FieldError) -> String {
    let limit = error.limit.unwrap_or_default().to_string();
    match error.code {
        ErrorCode::Required => tr.s("err_required"),
        ErrorCode::TooLong => tr.with("err_too_long", &[("limit", &limit)]),
        ErrorCode::ControlCharacters => tr.s("err_control_characters"),
        ErrorCode::InvalidDate => tr.s("err_invalid_date"),
        ErrorCode::FutureDate => tr.s("err_future_date"),
        ErrorCode::ImplausibleDate => tr.s("err_implausible_date"),
        ErrorCode::UnknownCountry => tr.s("err_unknown_country"),
        ErrorCode::UnknownLanguage => tr.s("err_unknown_language"),
        ErrorCode::InvalidChoice => tr.s("err_invalid_choice"),
        ErrorCode::OutOfRange => tr.with("err_out_of_range", &[("limit", &limit)]),
        ErrorCode::Inconsistent => tr.s("err_inconsistent"),
    }
}

/// The message under a field, if it has an error.
#[component]
pub fn FieldMessage(#[prop(into)] error: Signal<Option<FieldError>>, field: &'static str) -> impl IntoView {
    let tr = use_tr();
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="field-error" id=format!("{field}-error") role="alert">
                {move || error.get().map(|e| error_message(tr, &e))}
            </p>
        </Show>
    }
}

/// `kind` is `region` or `language`; falls back to the code itself.
pub fn display_name(kind: &str, code: &str, locale: &str) -> String {
    let name = (|| -> Result<JsValue, JsValue> {
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())?;
        let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DisplayNames".into())?.dyn_into()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"type".into(), &kind.into())?;
        let locales = js_sys::Array::of1(&locale.into());
        let names = js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&locales, &options))?;
        let of: js_sys::Function = js_sys::Reflect::get(&names, &"of".into())?.dyn_into()?;
        of.call1(&names, &code.into())
    })();
    name.ok().and_then(|n| n.as_string()).unwrap_or_else(|| code.to_owned())
}

/// `(code, name)` pairs sorted by name in `locale`.
pub fn named_options(kind: &str, codes: &[&str], locale: &str) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> =
        codes.iter().map(|code| ((*code).to_owned(), display_name(kind, code, locale))).collect();
    options.sort_by_key(|(_, name)| name.to_lowercase());
    options
}
