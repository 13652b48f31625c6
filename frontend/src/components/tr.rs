//! The interface's words, looked up at run time in `locales/{en,es,ar}.json`: one table
//! per language, parsed on first use. The interface's language is a signal in context
//! (views update when it changes); the printed plan uses a fixed language chosen for the
//! returnee.

use crate::prefs::{local_setting, set_local_setting};
use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::OnceLock;

fn table(locale: &str) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static ES: OnceLock<HashMap<String, String>> = OnceLock::new();
    static AR: OnceLock<HashMap<String, String>> = OnceLock::new();
    match locale {
        "es" => ES.get_or_init(|| parse(include_str!("../../locales/es.json"))),
        "ar" => AR.get_or_init(|| parse(include_str!("../../locales/ar.json"))),
        _ => EN.get_or_init(|| parse(include_str!("../../locales/en.json"))),
    }
}

fn parse(json: &str) -> HashMap<String, String> {
    let values: HashMap<String, serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    values.into_iter().filter_map(|(key, value)| value.as_str().map(|text| (key, text.to_owned()))).collect()
}

/// The languages the interface comes in, English first (the fallback).
pub fn locales() -> &'static [&'static str] {
    &["en", "es", "ar"]
}

/// The languages the printed plan comes in, chosen for the returnee independently of the
/// interface's.
pub fn print_locales() -> &'static [&'static str] {
    locales()
}

/// Whether `locale` is written right to left.
pub fn is_rtl(locale: &str) -> bool {
    matches!(locale, "ar" | "fa" | "ps" | "ckb" | "ur")
}

fn supported(code: &str) -> Option<&'static str> {
    let primary = code.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    locales().iter().copied().find(|l| *l == primary)
}

/// Where the language chosen on this device is remembered.
const LOCALE_KEY: &str = "puente.locale";

/// The interface's language, shared through context.
#[derive(Clone, Copy)]
pub struct Language(RwSignal<&'static str>);

impl Language {
    /// The language chosen last on this device, else the browser's first supported one,
    /// else English; the page's `lang` and `dir` follow it.
    pub fn provide() -> Self {
        let saved = local_setting(LOCALE_KEY).and_then(|code| supported(&code));
        let browser = || {
            web_sys::window()?.navigator().languages().iter().filter_map(|l| l.as_string()).find_map(|l| supported(&l))
        };
        let language = Self(RwSignal::new(saved.or_else(browser).unwrap_or("en")));
        provide_context(language);
        Effect::new(move |_| {
            let code = language.get();
            if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = html.set_attribute("lang", code);
                let _ = html.set_attribute("dir", if is_rtl(code) { "rtl" } else { "ltr" });
            }
        });
        language
    }

    pub fn get(&self) -> &'static str {
        self.0.get()
    }

    /// Switches the interface to `code` (if supported) and remembers it on this device.
    pub fn set(&self, code: &str) {
        if let Some(locale) = supported(code) {
            self.0.set(locale);
            set_local_setting(LOCALE_KEY, locale);
        }
    }
}

/// A translator: the interface's language (tracked, so views update when it changes) or
/// a fixed one.
#[derive(Clone, Copy)]
pub struct Tr {
    language: Option<Language>,
    fixed: Option<&'static str>,
}

impl Tr {
    pub fn fixed(locale: &str) -> Self {
        Self { language: None, fixed: Some(supported(locale).unwrap_or("en")) }
    }

    pub fn locale(&self) -> &'static str {
        match (self.fixed, self.language) {
            (Some(locale), _) => locale,
            (None, Some(language)) => language.get(),
            (None, None) => "en",
        }
    }

    /// The text of `key`, falling back to English, then to the key itself.
    pub fn s(&self, key: &str) -> String {
        table(self.locale()).get(key).or_else(|| table("en").get(key)).cloned().unwrap_or_else(|| key.to_owned())
    }

    /// The label of a coded value: key `{list}_{code}`.
    pub fn code(&self, list: &str, code: &str) -> String {
        self.s(&format!("{list}_{code}"))
    }

    /// The text of `key` with `{{ name }}` placeholders filled in.
    pub fn with(&self, key: &str, values: &[(&str, &str)]) -> String {
        values.iter().fold(self.s(key), |text, (name, value)| text.replace(&format!("{{{{ {name} }}}}"), value))
    }
}

/// The interface's translator.
pub fn use_tr() -> Tr {
    Tr { language: use_context::<Language>(), fixed: None }
}
