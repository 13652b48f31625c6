//! `GET /api/settings`: the organisation's follow-up intervals and service directory.

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::store::BlobStore;
use axum::extract::State;
use axum::Json;
use puente_shared::settings::OrganisationSettings;

pub async fn settings<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
) -> ApiResult<Json<OrganisationSettings>> {
    Ok(Json(crate::settings::current(&state.store, claims.tenant).await?))
}
