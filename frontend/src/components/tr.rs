//! Words looked up at run time from the same locale files as `t!`: the labels of coded
//! lists (a code picks its words), and the printed plan, which is in the returnee's
//! language rather than the interface's.

use crate::i18n::{use_i18n, Locale};
use leptos_i18n::Locale as _;
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

/// The languages the interface comes in (as in `Cargo.toml`'s `leptos-i18n` list).
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

/// A translator: the interface's language (tracked, so views update when it changes) or
/// a fixed one.
#[derive(Clone, Copy)]
pub struct Tr {
    fixed: Option<&'static str>,
}

impl Tr {
    pub fn fixed(locale: &str) -> Self {
        Self { fixed: Some(print_locales().iter().copied().find(|l| *l == locale).unwrap_or("en")) }
    }

    pub fn locale(&self) -> &'static str {
        match self.fixed {
            Some(locale) => locale,
            None => {
                let current: Locale = use_i18n().get_locale();
                locales().iter().copied().find(|l| *l == current.as_str()).unwrap_or("en")
            }
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
    Tr { fixed: None }
}
