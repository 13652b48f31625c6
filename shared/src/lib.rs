//! Puente's shared core: the case model and its validation, the encryption envelope and
//! key handling, and the sync protocol types. Pure (no I/O) and compiled both natively
//! and to wasm32, so the browser and the server agree on every rule and every byte.

pub mod case;
pub mod casefile;
pub mod crypto;
pub mod ids;
mod iso_codes;
pub mod passphrase;
pub mod protocol;
pub mod settings;
pub mod validation;

pub use case::{Case, CaseDocument, CaseForm};
pub use ids::{CaseId, KeyId, TenantId, UserId};
pub use validation::{ErrorCode, FieldError, FieldErrors};
