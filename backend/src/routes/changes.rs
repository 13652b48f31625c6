//! `GET /api/changes?after=N&limit=M`: the organisation's change feed, as the caller may
//! see it: only entries of cases the caller may open now. `next` and `more` follow the
//! whole log, so a page may hold fewer entries than `limit` (or none) and still be followed
//! by more.

use crate::access;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::store::BlobStore;
use axum::extract::State;
use axum::Json;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use puente_shared::protocol::{ChangesResponse, MAX_CHANGES_PER_PAGE};
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};

#[derive(Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

/// Access records are read this many at a time.
const ACCESS_CONCURRENCY: usize = 16;

pub async fn changes<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> ApiResult<Json<ChangesResponse>> {
    let limit = query.limit.unwrap_or(MAX_CHANGES_PER_PAGE).clamp(1, MAX_CHANGES_PER_PAGE);
    let entries = state.log.read(&state.store, claims.tenant, query.after, limit).await?;
    let next = entries.last().map_or(query.after, |e| e.seq);
    let more = entries.len() == limit;
    let cases: BTreeSet<_> = entries.iter().map(|e| e.case).collect();
    let store = &state.store;
    let readable: HashSet<_> = stream::iter(cases)
        .map(|case| async move { access::may_read(store, claims.tenant, case, claims.user).await.map(|ok| (case, ok)) })
        .buffer_unordered(ACCESS_CONCURRENCY)
        .try_filter_map(|(case, ok)| async move { Ok(ok.then_some(case)) })
        .try_collect()
        .await?;
    let entries = entries.into_iter().filter(|e| readable.contains(&e.case)).collect();
    Ok(Json(ChangesResponse { entries, next, more }))
}
