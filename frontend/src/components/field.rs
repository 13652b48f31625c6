//! Form helpers: validation messages in the user's language, and country and language
//! names from the browser's own localisation data (`Intl.DisplayNames`).

use crate::i18n::*;
use leptos::prelude::*;
use puente_shared::{ErrorCode, FieldError};
use wasm_bindgen::{JsCast, JsValue};

pub fn error_message(i18n: leptos_i18n::I18nContext<Locale>, error: &FieldError) -> AnyView {
    let text = match error.code {
        ErrorCode::Required => t_string!(i18n, err_required),
        ErrorCode::TooLong => {
            let limit = error.limit.unwrap_or_default();
            return t!(i18n, err_too_long, limit = move || limit).into_any();
        }
        ErrorCode::ControlCharacters => t_string!(i18n, err_control_characters),
        ErrorCode::InvalidDate => t_string!(i18n, err_invalid_date),
        ErrorCode::FutureDate => t_string!(i18n, err_future_date),
        ErrorCode::ImplausibleDate => t_string!(i18n, err_implausible_date),
        ErrorCode::UnknownCountry => t_string!(i18n, err_unknown_country),
        ErrorCode::UnknownLanguage => t_string!(i18n, err_unknown_language),
        ErrorCode::InvalidChoice => t_string!(i18n, err_invalid_choice),
        ErrorCode::OutOfRange => {
            let limit = error.limit.unwrap_or_default();
            return t!(i18n, err_out_of_range, limit = move || limit).into_any();
        }
        ErrorCode::Inconsistent => t_string!(i18n, err_inconsistent),
    };
    text.into_any()
}

/// The message under a field, if it has an error.
#[component]
pub fn FieldMessage(#[prop(into)] error: Signal<Option<FieldError>>, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="field-error" id=format!("{field}-error") role="alert">
                {move || error.get().map(|e| error_message(i18n, &e))}
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
