//! `GET /api/changes?after=N&limit=M`: the organisation's change feed.

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::store::BlobStore;
use axum::extract::State;
use axum::Json;
use puente_shared::protocol::{ChangesResponse, MAX_CHANGES_PER_PAGE};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

pub async fn changes<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> ApiResult<Json<ChangesResponse>> {
    let limit = query.limit.unwrap_or(MAX_CHANGES_PER_PAGE).clamp(1, MAX_CHANGES_PER_PAGE);
    let entries = state.log.read(&state.store, claims.tenant, query.after, limit).await?;
    let next = entries.last().map_or(query.after, |e| e.seq);
    let more = entries.len() == limit;
    Ok(Json(ChangesResponse { entries, next, more }))
}
