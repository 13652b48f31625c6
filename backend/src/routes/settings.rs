//! `GET /api/settings`: the organisation's follow-up intervals and service directory;
//! `PUT /api/settings`: an administrator publishes new ones, which every device takes at
//! its next sync.

use super::members::as_administrator;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, Failure};
use crate::extract::ApiJson;
use crate::store::BlobStore;
use axum::extract::State;
use axum::Json;
use puente_shared::protocol::PublishedSettings;
use puente_shared::settings::OrganisationSettings;

pub async fn settings<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
) -> ApiResult<Json<OrganisationSettings>> {
    Ok(Json(crate::settings::current(&state.store, claims.tenant).await?))
}

pub async fn publish<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(settings): ApiJson<OrganisationSettings>,
) -> ApiResult<Json<PublishedSettings>> {
    as_administrator(&state, &claims).await?;
    let settings = settings.parse().map_err(|errors| {
        let fields: Vec<String> = errors.iter().map(|e| format!("{}: {:?}", e.field, e.code)).collect();
        Failure::bad_request("invalid_settings", format!("the settings are refused: {}", fields.join(", ")))
    })?;
    let version = crate::settings::publish(&state.store, claims.tenant, &settings).await?;
    tracing::info!(tenant = %claims.tenant, user = %claims.user, version, "settings published");
    Ok(Json(PublishedSettings { version }))
}
