//! Registration (D-REG): the form as typed and the validated registration. What the case
//! manager types is kept as a [`CaseForm`] — saved and synced as typed, so no keystroke is
//! ever dropped for being invalid — and parsed into a [`Case`] of domain newtypes, which is
//! what rules work on.

use crate::iso_codes::{COUNTRIES, LANGUAGES};
use crate::validation::{bounded_text, optional, parse_iso_date, ErrorCode, FieldError, FieldErrors, NOTES_MAX_CHARS};
use serde::{Deserialize, Serialize};
use time::Date;

/// Longest name part accepted, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// Oldest plausible date of birth (a returnee is a living person).
const OLDEST_BIRTH_YEAR: i32 = 1900;

/// The registration form exactly as typed. Every field is text so that a half-typed
/// date or an unknown code can still be autosaved and shown back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseForm {
    pub given_names: String,
    pub family_name: String,
    /// `YYYY-MM-DD`, or empty when unknown.
    pub date_of_birth: String,
    /// One of [`Sex::CODES`], or empty.
    pub sex: String,
    pub country_of_origin: String,
    pub host_country: String,
    pub preferred_language: String,
    pub interpreter_needed: bool,
    pub notes: String,
}

/// A validated registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub given_names: Option<PersonName>,
    pub family_name: PersonName,
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
    pub country_of_origin: Option<CountryCode>,
    pub host_country: Option<CountryCode>,
    pub preferred_language: Option<LanguageCode>,
    pub interpreter_needed: bool,
    pub notes: Notes,
}

impl Case {
    /// Parses a form. `today` is the case manager's local date (the shared crate has no clock).
    pub fn parse(form: &CaseForm, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given_names = errors.collect(optional(&form.given_names, |s| PersonName::parse("given_names", s)));
        let family_name = errors.collect(PersonName::parse("family_name", &form.family_name));
        let date_of_birth = errors.collect(optional(&form.date_of_birth, |s| parse_birth_date(s, today)));
        let sex = errors.collect(optional(&form.sex, Sex::parse));
        let country_of_origin =
            errors.collect(optional(&form.country_of_origin, |s| CountryCode::parse("country_of_origin", s)));
        let host_country = errors.collect(optional(&form.host_country, |s| CountryCode::parse("host_country", s)));
        let preferred_language = errors.collect(optional(&form.preferred_language, LanguageCode::parse));
        let notes = errors.collect(Notes::parse(&form.notes));
        // Each field that failed left its value out, so all are there only when none did.
        match (given_names, family_name, date_of_birth, sex, country_of_origin, host_country, preferred_language, notes)
        {
            (
                Some(given_names),
                Some(family_name),
                Some(date_of_birth),
                Some(sex),
                Some(country_of_origin),
                Some(host_country),
                Some(preferred_language),
                Some(notes),
            ) => Ok(Self {
                given_names,
                family_name,
                date_of_birth,
                sex,
                country_of_origin,
                host_country,
                preferred_language,
                interpreter_needed: form.interpreter_needed,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

/// A non-empty name part of at most [`NAME_MAX_CHARS`] characters, without control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let text = bounded_text(field, raw, NAME_MAX_CHARS, false)?;
        if text.is_empty() {
            return Err(FieldError::new(field, ErrorCode::Required));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free-text case notes of at most [`NOTES_MAX_CHARS`] characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes(String);

impl Notes {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded_text("notes", raw, NOTES_MAX_CHARS, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn parse_birth_date(raw: &str, today: Date) -> Result<Date, FieldError> {
    const FIELD: &str = "date_of_birth";
    let date = parse_iso_date(raw).ok_or(FieldError::new(FIELD, ErrorCode::InvalidDate))?;
    if date > today {
        return Err(FieldError::new(FIELD, ErrorCode::FutureDate));
    }
    if date.year() < OLDEST_BIRTH_YEAR {
        return Err(FieldError::new(FIELD, ErrorCode::ImplausibleDate));
    }
    Ok(date)
}

/// Sex as recorded at registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
    Intersex,
}

impl Sex {
    pub const CODES: [&'static str; 3] = ["female", "male", "intersex"];

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "female" => Ok(Self::Female),
            "male" => Ok(Self::Male),
            "intersex" => Ok(Self::Intersex),
            _ => Err(FieldError::new("sex", ErrorCode::InvalidChoice)),
        }
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let upper = raw.to_ascii_uppercase();
        match (COUNTRIES.binary_search(&upper.as_str()), upper.as_bytes()) {
            (Ok(_), &[a, b]) => Ok(Self([a, b])),
            _ => Err(FieldError::new(field, ErrorCode::UnknownCountry)),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }

    /// Every assigned code, sorted.
    pub fn all() -> &'static [&'static str] {
        &COUNTRIES
    }
}

/// An ISO 639-1 language code, lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LanguageCode([u8; 2]);

impl LanguageCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let lower = raw.to_ascii_lowercase();
        match (LANGUAGES.binary_search(&lower.as_str()), lower.as_bytes()) {
            (Ok(_), &[a, b]) => Ok(Self([a, b])),
            _ => Err(FieldError::new("preferred_language", ErrorCode::UnknownLanguage)),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("language codes are ASCII")
    }

    pub fn all() -> &'static [&'static str] {
        &LANGUAGES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn valid_form() -> CaseForm {
        CaseForm {
            given_names: "Amina".into(),
            family_name: "Diallo".into(),
            date_of_birth: "1998-03-14".into(),
            sex: "female".into(),
            country_of_origin: "gn".into(),
            host_country: "ES".into(),
            preferred_language: "fr".into(),
            interpreter_needed: true,
            notes: "Arrived by plane.\nNeeds follow-up.".into(),
        }
    }

    fn codes(form: &CaseForm) -> Vec<(&'static str, ErrorCode)> {
        match Case::parse(form, TODAY) {
            Ok(_) => vec![],
            Err(errors) => errors.iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn a_complete_form_parses_into_normalised_values() {
        let case = Case::parse(&valid_form(), TODAY).unwrap();
        assert_eq!(case.family_name.as_str(), "Diallo");
        assert_eq!(case.country_of_origin.unwrap().as_str(), "GN");
        assert_eq!(case.preferred_language.unwrap().as_str(), "fr");
        assert_eq!(case.date_of_birth, Some(date!(1998 - 03 - 14)));
        assert_eq!(case.sex, Some(Sex::Female));
    }

    #[test]
    fn only_the_family_name_is_required() {
        let form = CaseForm { family_name: "Diallo".into(), ..CaseForm::default() };
        let case = Case::parse(&form, TODAY).unwrap();
        assert_eq!(case.given_names, None);
        assert_eq!(case.date_of_birth, None);
    }

    #[test]
    fn an_empty_family_name_is_required() {
        let form = CaseForm { family_name: "   ".into(), ..valid_form() };
        assert_eq!(codes(&form), vec![("family_name", ErrorCode::Required)]);
    }

    #[test]
    fn a_future_date_of_birth_is_refused() {
        let form = CaseForm { date_of_birth: "2026-11-23".into(), ..valid_form() };
        assert_eq!(codes(&form), vec![("date_of_birth", ErrorCode::FutureDate)]);
        let born_today = CaseForm { date_of_birth: "2026-11-22".into(), ..valid_form() };
        assert!(codes(&born_today).is_empty());
    }

    #[test]
    fn malformed_and_implausible_dates_are_refused() {
        for bad in ["2001-02-30", "14/03/1998", "1998-3-14", "19980314", "1998-03-14-01"] {
            let form = CaseForm { date_of_birth: bad.into(), ..valid_form() };
            assert_eq!(codes(&form), vec![("date_of_birth", ErrorCode::InvalidDate)], "{bad}");
        }
        let form = CaseForm { date_of_birth: "1850-01-01".into(), ..valid_form() };
        assert_eq!(codes(&form), vec![("date_of_birth", ErrorCode::ImplausibleDate)]);
    }

    #[test]
    fn unknown_country_codes_are_refused() {
        for bad in ["XX", "ESP", "E", "UK"] {
            let form = CaseForm { host_country: bad.into(), ..valid_form() };
            assert_eq!(codes(&form), vec![("host_country", ErrorCode::UnknownCountry)], "{bad}");
        }
    }

    #[test]
    fn unknown_languages_and_choices_are_refused() {
        let form = CaseForm { preferred_language: "xx".into(), sex: "m".into(), ..valid_form() };
        assert_eq!(
            codes(&form),
            vec![("sex", ErrorCode::InvalidChoice), ("preferred_language", ErrorCode::UnknownLanguage)]
        );
    }

    #[test]
    fn over_long_text_reports_its_limit() {
        let form = CaseForm { family_name: "a".repeat(NAME_MAX_CHARS + 1), ..valid_form() };
        let errors = Case::parse(&form, TODAY).unwrap_err();
        let e = errors.for_field("family_name").unwrap();
        assert_eq!((e.code, e.limit), (ErrorCode::TooLong, Some(NAME_MAX_CHARS)));
        // The limit counts characters, not bytes: 100 Arabic letters are fine.
        let arabic = CaseForm { family_name: "ع".repeat(NAME_MAX_CHARS), ..valid_form() };
        assert!(codes(&arabic).is_empty());
        let notes = CaseForm { notes: "n".repeat(NOTES_MAX_CHARS + 1), ..valid_form() };
        assert_eq!(codes(&notes), vec![("notes", ErrorCode::TooLong)]);
    }

    #[test]
    fn control_characters_are_refused_in_names_but_newlines_allowed_in_notes() {
        let form = CaseForm { given_names: "Am\u{0}ina".into(), ..valid_form() };
        assert_eq!(codes(&form), vec![("given_names", ErrorCode::ControlCharacters)]);
        let form = CaseForm { family_name: "Dia\nllo".into(), ..valid_form() };
        assert_eq!(codes(&form), vec![("family_name", ErrorCode::ControlCharacters)]);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let form = CaseForm {
            family_name: String::new(),
            date_of_birth: "3000-01-01".into(),
            country_of_origin: "ZZ".into(),
            ..valid_form()
        };
        assert_eq!(
            codes(&form),
            vec![
                ("family_name", ErrorCode::Required),
                ("date_of_birth", ErrorCode::FutureDate),
                ("country_of_origin", ErrorCode::UnknownCountry)
            ]
        );
    }

    #[test]
    fn every_sex_code_reads_as_itself_and_the_notes_as_typed() {
        for (code, sex) in [("female", Sex::Female), ("male", Sex::Male), ("intersex", Sex::Intersex)] {
            let form = CaseForm { sex: code.into(), ..valid_form() };
            assert_eq!(Case::parse(&form, TODAY).unwrap().sex, Some(sex), "{code}");
            assert!(Sex::CODES.contains(&code));
        }
        let case = Case::parse(&valid_form(), TODAY).unwrap();
        assert_eq!(case.notes.as_str(), "Arrived by plane.\nNeeds follow-up.");
    }

    #[test]
    fn the_oldest_date_of_birth_accepted_is_in_1900() {
        let form = |dob: &str| CaseForm { date_of_birth: dob.into(), ..valid_form() };
        assert!(codes(&form("1900-01-01")).is_empty());
        assert_eq!(codes(&form("1899-12-31")), [("date_of_birth", ErrorCode::ImplausibleDate)]);
    }

    #[test]
    fn the_lists_offered_hold_every_assigned_code_in_order() {
        let countries = CountryCode::all();
        assert!(countries.len() > 240, "{}", countries.len());
        assert!(countries.windows(2).all(|w| w[0] < w[1]), "sorted");
        for code in ["ES", "GN", "AF", "SY"] {
            assert!(countries.contains(&code), "{code}");
        }
        let languages = LanguageCode::all();
        assert!(languages.len() > 150, "{}", languages.len());
        assert!(languages.windows(2).all(|w| w[0] < w[1]), "sorted");
        for code in ["ar", "es", "fr", "ps", "fa", "ku"] {
            assert!(languages.contains(&code), "{code}");
        }
    }

    proptest! {
        #[test]
        fn any_form_parses_or_reports_errors_without_panicking(
            given in ".{0,120}", family in ".{0,120}", dob in "[0-9-]{0,12}", country in "[A-Za-z]{0,3}",
        ) {
            let form = CaseForm { given_names: given, family_name: family, date_of_birth: dob, host_country: country, ..CaseForm::default() };
            match Case::parse(&form, TODAY) {
                Ok(case) => prop_assert!(!case.family_name.as_str().is_empty()),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }

        #[test]
        fn every_assigned_country_code_parses_in_either_case(index in 0usize..COUNTRIES.len(), lower in any::<bool>()) {
            let code = COUNTRIES[index];
            let raw = if lower { code.to_ascii_lowercase() } else { code.to_owned() };
            let parsed = CountryCode::parse("host_country", &raw).unwrap();
            prop_assert_eq!(parsed.as_str(), code);
        }
    }
}
