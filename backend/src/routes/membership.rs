//! `GET /api/membership?after=N` and `POST /api/membership`: the organisation's signed
//! membership log, read by every member and appended to by administrators.

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::departure;
use crate::error::{ApiResult, Failure};
use crate::extract::{ApiJson, ApiQuery};
use crate::membership::{self, AppendError};
use crate::store::BlobStore;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use puente_shared::membership::{Change, Entry, Organisation, Refusal, SignedEntry};
use puente_shared::protocol::{AppendedEntry, MembershipResponse};
use puente_shared::TenantId;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LogQuery {
    after: Option<u64>,
}

pub async fn entries<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> ApiResult<Json<MembershipResponse>> {
    let entries = membership::entries(&state.store, claims.tenant, query.after).await?;
    Ok(Json(MembershipResponse { entries }))
}

pub async fn append<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(signed): ApiJson<SignedEntry>,
) -> ApiResult<(StatusCode, Json<AppendedEntry>)> {
    let seq = membership::append(&state.store, claims.tenant, claims.user, &signed).await.map_err(refused)?;
    if let Ok(Entry { change: Change::MemberRemoved { user }, .. }) = serde_json::from_slice(&signed.body) {
        // The entry stands whatever happens here. Spawned, so that a client that stops
        // waiting does not stop the sweep half-way; awaited, so that the answer comes after.
        let (store, tenant) = (state.store.clone(), claims.tenant);
        let sweep = tokio::spawn(async move {
            match departure::take_off_every_case(&store, tenant, user).await {
                Ok(swept) => {
                    tracing::info!(%user, swept.changed, swept.failed, "a member who left was taken off cases")
                }
                Err(error) => tracing::warn!(%user, %error, "a member who left is still named by some cases"),
            }
        });
        if let Err(error) = sweep.await {
            tracing::warn!(%user, %error, "the sweep of a member who left stopped");
        }
    }
    Ok((StatusCode::CREATED, Json(AppendedEntry { seq })))
}

/// The organisation as its stored log says; `not_founded` (with `status`) before the log
/// exists.
pub(super) async fn founded<S: BlobStore>(
    state: &AppState<S>,
    tenant: TenantId,
    status: StatusCode,
) -> ApiResult<Organisation> {
    match membership::organisation(&state.store, tenant).await {
        Ok(Some(organisation)) => Ok(organisation),
        Ok(None) => Err(Failure::new(status, "not_founded", "the organisation's membership log is not founded yet")),
        Err(AppendError::Store(e)) => Err(e.into()),
        Err(e) => Err(Failure::internal(e)),
    }
}

fn refused(error: AppendError) -> Failure {
    match error {
        AppendError::Store(e) => e.into(),
        AppendError::Corrupt(e) => Failure::internal(e),
        AppendError::NotTheFounder => Failure::new(
            StatusCode::FORBIDDEN,
            "not_the_founder",
            "only the organisation's first member founds its membership log",
        ),
        AppendError::NotTheSender => {
            Failure::new(StatusCode::FORBIDDEN, "not_the_signer", "an entry is sent by the member who signed it")
        }
        AppendError::Taken => Failure::new(
            StatusCode::CONFLICT,
            "membership_moved",
            "another entry took this place first; read the log and sign again",
        ),
        AppendError::Refused(e) => {
            let status = match e.refusal {
                Refusal::NotAnAdministrator | Refusal::BadSignature | Refusal::BadFounding => StatusCode::FORBIDDEN,
                Refusal::OutOfOrder | Refusal::BrokenChain => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            Failure::new(status, e.refusal.code(), e.to_string())
        }
    }
}
