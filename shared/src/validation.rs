//! Field-level validation: errors with stable codes (part of the contract with the
//! frontend, which turns each into a message in the user's language), and the parsers of
//! text, dates and choices that every form uses.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    TooLong,
    ControlCharacters,
    InvalidDate,
    FutureDate,
    ImplausibleDate,
    UnknownCountry,
    UnknownLanguage,
    InvalidChoice,
    OutOfRange,
    Inconsistent,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::ControlCharacters => "control_characters",
            Self::InvalidDate => "invalid_date",
            Self::FutureDate => "future_date",
            Self::ImplausibleDate => "implausible_date",
            Self::UnknownCountry => "unknown_country",
            Self::UnknownLanguage => "unknown_language",
            Self::InvalidChoice => "invalid_choice",
            Self::OutOfRange => "out_of_range",
            Self::Inconsistent => "inconsistent",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field of a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's stable name, e.g. `family_name`.
    pub field: &'static str,
    pub code: ErrorCode,
    /// Bound that was exceeded, for `too_long` (in characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Every problem found in a form, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &'static str, code: ErrorCode) {
        self.0.push(FieldError { field, code, limit: None });
    }

    pub fn push_error(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Records the error of a field parse, keeping the parsed value when there was none.
    pub fn collect<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The first error for `field`, the one a form shows beside it.
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
        f.write_str(&parts.join(", "))
    }
}

impl std::error::Error for FieldErrors {}

impl FieldError {
    pub fn new(field: &'static str, code: ErrorCode) -> Self {
        Self { field, code, limit: None }
    }
}

// Field parsers shared by every form. Each trims what was typed, and names the field in the
// error it returns.

/// Longest free text accepted (notes, reports), in characters.
pub const NOTES_MAX_CHARS: usize = 20_000;
/// Longest one-line text (a place, a provider, a name), in characters.
pub const LINE_MAX_CHARS: usize = 200;

/// Trimmed text of at most `max` characters, without control characters (newlines and
/// tabs allowed when `allow_newlines`).
pub fn bounded_text(field: &'static str, raw: &str, max: usize, allow_newlines: bool) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(FieldError { field, code: ErrorCode::TooLong, limit: Some(max) });
    }
    if text.chars().any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(FieldError::new(field, ErrorCode::ControlCharacters));
    }
    Ok(text.to_owned())
}

/// Empty (after trimming) means "not recorded"; anything else must parse.
pub fn optional<T>(raw: &str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else {
        parse(trimmed).map(Some)
    }
}

/// Parses `YYYY-MM-DD` (the value of an HTML date input).
pub fn parse_iso_date(raw: &str) -> Option<Date> {
    let mut parts = raw.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// A required one-line text.
pub fn required_line(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let text = bounded_text(field, raw, LINE_MAX_CHARS, false)?;
    if text.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    Ok(text)
}

/// A required free text (newlines allowed).
pub fn required_text(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let text = bounded_text(field, raw, NOTES_MAX_CHARS, true)?;
    if text.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    Ok(text)
}

/// An optional free text (newlines allowed); empty is fine.
pub fn optional_text(field: &'static str, raw: &str) -> Result<String, FieldError> {
    bounded_text(field, raw, NOTES_MAX_CHARS, true)
}

/// A required `YYYY-MM-DD` date.
pub fn required_date(field: &'static str, raw: &str) -> Result<Date, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    parse_iso_date(raw).ok_or(FieldError::new(field, ErrorCode::InvalidDate))
}

/// A required date that cannot be later than `today` (something that happened).
pub fn past_date(field: &'static str, raw: &str, today: Date) -> Result<Date, FieldError> {
    let date = required_date(field, raw)?;
    if date > today {
        return Err(FieldError::new(field, ErrorCode::FutureDate));
    }
    Ok(date)
}

/// A required choice from a coded list.
pub fn choice<T>(field: &'static str, raw: &str, from_code: fn(&str) -> Option<T>) -> Result<T, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required));
    }
    from_code(raw).ok_or(FieldError::new(field, ErrorCode::InvalidChoice))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code<T: std::fmt::Debug>(result: Result<T, FieldError>) -> ErrorCode {
        result.unwrap_err().code
    }

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(bounded_text("f", "  a b  ", 3, false).unwrap(), "a b");
        assert_eq!(bounded_text("f", "ععع", 3, false).unwrap(), "ععع", "characters, not bytes");
        let too_long = bounded_text("f", "abcd", 3, false).unwrap_err();
        assert_eq!((too_long.field, too_long.code, too_long.limit), ("f", ErrorCode::TooLong, Some(3)));
        assert_eq!(code(bounded_text("f", "a\u{7}b", 9, true)), ErrorCode::ControlCharacters);
        assert_eq!(code(bounded_text("f", "a\nb", 9, false)), ErrorCode::ControlCharacters);
        assert_eq!(bounded_text("f", "a\n\tb\r\nc", 9, true).unwrap(), "a\n\tb\r\nc");
    }

    #[test]
    fn required_and_optional_texts() {
        assert_eq!(code(required_line("f", "   ")), ErrorCode::Required);
        assert_eq!(code(required_line("f", &"x".repeat(LINE_MAX_CHARS + 1))), ErrorCode::TooLong);
        assert_eq!(required_line("f", &"x".repeat(LINE_MAX_CHARS)).unwrap().len(), LINE_MAX_CHARS);
        assert_eq!(code(required_line("f", "a\nb")), ErrorCode::ControlCharacters);
        assert_eq!(code(required_text("f", "")), ErrorCode::Required);
        assert_eq!(required_text("f", " two\nlines ").unwrap(), "two\nlines");
        assert_eq!(code(required_text("f", &"x".repeat(NOTES_MAX_CHARS + 1))), ErrorCode::TooLong);
        assert_eq!(optional_text("f", "  ").unwrap(), "");
        assert_eq!(code(optional_text("f", &"x".repeat(NOTES_MAX_CHARS + 1))), ErrorCode::TooLong);
        assert_eq!(optional("  ", |s| required_line("f", s)).unwrap(), None);
        assert_eq!(optional(" x ", |s| Ok::<_, FieldError>(s.to_owned())).unwrap(), Some("x".to_owned()));
    }

    #[test]
    fn dates_are_iso_and_past_dates_not_in_the_future() {
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-01", "2024-01-1", "2024-01-01-", "", "2024/01/01"] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        let today = date!(2026 - 11 - 22);
        assert_eq!(code(required_date("f", " ")), ErrorCode::Required);
        assert_eq!(code(required_date("f", "soon")), ErrorCode::InvalidDate);
        assert_eq!(required_date("f", " 2027-01-01 ").unwrap(), date!(2027 - 01 - 01));
        assert_eq!(past_date("f", "2026-11-22", today).unwrap(), today, "today is not the future");
        assert_eq!(code(past_date("f", "2026-11-23", today)), ErrorCode::FutureDate);
    }

    #[test]
    fn a_choice_is_required_and_must_be_on_the_list() {
        let from_code = |c: &str| (c == "yes").then_some(true);
        assert!(choice("f", " yes ", from_code).unwrap());
        assert_eq!(code(choice("f", "", from_code)), ErrorCode::Required);
        assert_eq!(code(choice("f", "maybe", from_code)), ErrorCode::InvalidChoice);
    }

    #[test]
    fn collected_errors_keep_their_order_and_the_first_per_field_shows() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.collect(required_line("a", "ok")), Some("ok".to_owned()));
        assert!(errors.is_empty(), "a field that parsed adds no error");
        assert_eq!(errors.collect(required_line("b", "")), None);
        errors.push("c", ErrorCode::Inconsistent);
        errors.push("b", ErrorCode::TooLong);
        assert!(!errors.is_empty());
        assert_eq!(errors.for_field("b").map(|e| e.code), Some(ErrorCode::Required));
        assert_eq!(errors.to_string(), "b: required, c: inconsistent, b: too_long");
        let fields: Vec<_> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["b", "c", "b"]);
    }
}
