//! The authenticated caller: a valid token, for a session that was not ended, of a member
//! who was not disabled, opened with the credentials in force. Checked on every request,
//! so that offboarding, logout and a passphrase change take effect at the very next one,
//! on every backend instance.

use crate::accounts::{credentials_replaced, is_disabled};
use crate::app::AppState;
use crate::error::Failure;
use crate::layout;
use crate::session::{now_seconds, Claims};
use crate::store::BlobStore;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Clone, Debug)]
pub struct Authenticated(pub Claims);

/// Why a member cannot sign in or use a session.
pub fn disabled() -> Failure {
    Failure::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "account_disabled",
        "this account has been disabled by the organisation",
    )
}

/// Why a session opened before the passphrase was changed (or the account recovered) ends.
pub fn passphrase_changed() -> Failure {
    Failure::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "passphrase_changed",
        "the passphrase was changed since this session began; sign in with the new one",
    )
}

impl<S: BlobStore> FromRequestParts<AppState<S>> for Authenticated {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| Failure::unauthorized("a session token is required"))?;
        let claims = state
            .signer
            .verify(token, now_seconds())
            .ok_or_else(|| Failure::unauthorized("the session token is invalid or has expired"))?;
        let ended_key = layout::session_ended(claims.tenant, claims.sid);
        let ended = state.store.get(&ended_key);
        let disabled = is_disabled(&state.store, claims.tenant, claims.user);
        let replaced = credentials_replaced(&state.store, claims.tenant, claims.user, claims.credentials);
        let (ended, disabled, replaced) = tokio::join!(ended, disabled, replaced);
        if disabled? {
            return Err(self::disabled());
        }
        if ended?.is_some() {
            return Err(Failure::unauthorized("this session has ended; sign in again"));
        }
        if replaced? {
            return Err(passphrase_changed());
        }
        Ok(Self(claims))
    }
}
