//! Field-level validation errors with stable codes. The codes are part of the contract
//! with the frontend, which turns each into a message in the user's language.

use serde::{Deserialize, Serialize};
use std::fmt;

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
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
        f.write_str(&parts.join(", "))
    }
}

impl std::error::Error for FieldErrors {}
