//! Puente's shared core: the case file and its rules, validation, the sync protocol types
//! and each case's sync bookkeeping. Pure (no I/O) and compiled both natively and to wasm32,
//! so the browser and the server agree on every rule and every byte. Keys, the envelope and
//! the membership log are the security core's own crate, `puente-keys`, re-exported here.

pub mod access;
pub mod case_sync;
pub mod casefile;
pub mod credentials;
mod iso_codes;
pub mod passphrase;
pub mod protocol;
pub mod settings;
pub mod validation;

pub use puente_keys::{crypto, ids, membership};

pub use casefile::document::CaseDocument;
pub use casefile::registration::{Case, CaseForm};
pub use ids::{CaseId, KeyId, TenantId, UserId};
pub use validation::{ErrorCode, FieldError, FieldErrors};
