//! Every word the interface shows exists in every language: the locale files have the same
//! keys and placeholders, every coded value of the case file has a label, and every key the
//! frontend looks up at run time is defined.

use puente_shared::case_sync::Badge;
use puente_shared::casefile::{
    child, closure, consent, due::DueKind, followup, part::Part, plan, profile, referral, session, vulnerability, Stage,
};
use puente_shared::membership::{Refusal, Role};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn frontend() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend")
}

fn locale(name: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(frontend().join(format!("locales/{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("{{").skip(1).filter_map(|rest| rest.split("}}").next()).map(|p| p.trim().to_owned()).collect()
}

/// The interface's languages (`frontend/src/components/tr.rs`), English first.
const INTERFACE: [&str; 3] = ["en", "es", "ar"];

#[test]
fn every_language_has_the_same_keys_and_placeholders_as_english_and_no_empty_text() {
    let en = locale("en");
    let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
    for name in &INTERFACE[1..] {
        let other = locale(name);
        assert_eq!(keys(&en).difference(&keys(&other)).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in {name}");
        assert_eq!(keys(&other).difference(&keys(&en)).collect::<Vec<_>>(), Vec::<&String>::new(), "unknown in {name}");
        for (key, text) in &en {
            let (en_text, other_text) = (text.as_str().unwrap(), other[key].as_str().unwrap());
            assert!(!en_text.trim().is_empty() && !other_text.trim().is_empty(), "{key} is empty in en or {name}");
            assert_eq!(placeholders(en_text), placeholders(other_text), "{key} has different placeholders in {name}");
        }
    }
}

#[test]
fn the_arabic_interface_is_written_in_arabic() {
    let ar = locale("ar");
    let arabic = |text: &str| text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    let latin: Vec<&String> = ar
        .iter()
        .filter(|(key, text)| *key != "app_name" && !arabic(text.as_str().unwrap()))
        .map(|(key, _)| key)
        .collect();
    assert!(latin.is_empty(), "not translated into Arabic: {latin:?}");
}

#[test]
fn the_interface_languages_are_the_ones_the_app_loads_and_offers() {
    let list = format!("[{}]", INTERFACE.map(|l| format!("\"{l}\"")).join(", "));
    let tr = std::fs::read_to_string(frontend().join("src/components/tr.rs")).unwrap();
    assert!(tr.contains(&format!("&{list}")), "tr.rs should list {list}");
    let header = std::fs::read_to_string(frontend().join("src/components/header.rs")).unwrap();
    for name in INTERFACE {
        assert!(tr.contains(&format!("locales/{name}.json")), "tr.rs does not load {name}.json");
        assert!(header.contains(&format!("<option value=\"{name}\">")), "the language menu lacks {name}");
    }
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| code(*v).to_owned()).collect()
}

#[test]
fn every_coded_value_has_a_label() {
    let lists: Vec<(&str, Vec<String>)> = vec![
        ("scope", codes(consent::Scope::ALL, consent::Scope::code)),
        ("giver", codes(consent::Giver::ALL, consent::Giver::code)),
        ("service", codes(referral::Service::ALL, referral::Service::code)),
        ("referral_status", codes(referral::Status::ALL, referral::Status::code)),
        ("factor", codes(profile::Factor::ALL, profile::Factor::code)),
        ("factor_why", codes(profile::Factor::ALL, profile::Factor::code)),
        ("circumstance", codes(profile::Circumstance::ALL, profile::Circumstance::code)),
        ("stage", codes(Stage::ALL, Stage::code)),
        ("vulnerability", codes(vulnerability::Vulnerability::ALL, vulnerability::Vulnerability::code)),
        ("risk", codes(vulnerability::RiskLevel::ALL, vulnerability::RiskLevel::code)),
        ("session_kind", codes(session::Kind::ALL, session::Kind::code)),
        ("mode", codes(session::Mode::ALL, session::Mode::code)),
        ("dimension", codes(plan::Dimension::ALL, plan::Dimension::code)),
        ("responsible", codes(plan::Responsible::ALL, plan::Responsible::code)),
        ("term", codes(plan::Term::ALL, plan::Term::code)),
        ("assistance", codes(plan::Assistance::ALL, plan::Assistance::code)),
        ("method", codes(followup::Method::ALL, followup::Method::code)),
        ("appointment", codes(child::Appointment::ALL, child::Appointment::code)),
        ("gap", codes(child::Gap::ALL, child::Gap::code)),
        ("closure_reason", codes(closure::Reason::ALL, closure::Reason::code)),
        ("informed", codes(closure::Informed::ALL, closure::Informed::code)),
        ("closure_req", codes(closure::Requirement::ALL, closure::Requirement::code)),
        ("section", codes(Part::ALL, Part::code)),
        ("status", codes(&Badge::ALL, Badge::code)),
        ("role", codes(&Role::ALL, Role::code)),
        ("org_refusal", codes(&Refusal::ALL, Refusal::code)),
        ("step", (1..=session::STEPS).map(|n| n.to_string()).collect()),
        ("step_hint", (1..=session::STEPS).map(|n| n.to_string()).collect()),
        ("due", codes(&DueKind::ALL, DueKind::code)),
    ];
    let en = locale("en");
    let missing: Vec<String> = lists
        .iter()
        .flat_map(|(list, codes)| codes.iter().map(move |code| format!("{list}_{code}")))
        .filter(|key| !en.contains_key(key))
        .collect();
    assert!(missing.is_empty(), "coded values without a label: {missing:?}");
}

/// The string literals passed as keys to the run-time translator in the frontend's source.
fn keys_used(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for marker in ["tr.s(\"", "tr.with(\"", "ui.s(\""] {
        for rest in source.split(marker).skip(1) {
            if let Some(key) = rest.split('"').next().filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            {
                if !key.is_empty() {
                    keys.push(key.to_owned());
                }
            }
        }
    }
    // A coded label with both parts written out: `tr.code("list", "code")`.
    for rest in source.split(".code(\"").skip(1) {
        let mut parts = rest.split('"');
        if let (Some(list), Some(", "), Some(code)) = (parts.next(), parts.next(), parts.next()) {
            keys.push(format!("{list}_{code}"));
        }
    }
    // Notes typed for an act name their placeholder key: `<NoteInput … hint="key" />`.
    for rest in source.split("hint=\"").skip(1) {
        keys.extend(rest.split('"').next().map(str::to_owned));
    }
    // Bound inputs name their label key second: `bind.text("field", "key", …)`.
    for kind in ["text", "area", "date", "check", "select", "checks", "suggest"] {
        for rest in source.split(&format!("bind.{kind}(\"")).skip(1) {
            if let Some(key) = rest.split('"').nth(2) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

fn sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn every_key_the_frontend_looks_up_is_defined() {
    let en = locale("en");
    let mut files = Vec::new();
    sources(&frontend().join("src"), &mut files);
    let mut checked = 0;
    for (path, source) in &files {
        for key in keys_used(source) {
            checked += 1;
            assert!(en.contains_key(&key), "{} looks up {key:?}, which no locale defines", path.display());
        }
    }
    assert!(checked > 200, "the scan found only {checked} keys: has the frontend's style changed?");
}
