//! `GET` and `POST /api/cases/{case}/access`: who may open a case, and the grants that give
//! them its key. Only someone with access to a case learns anything about it here.

use super::revisions::{latest_revision, parse_case};
use crate::access::{self, AccessError, Outcome};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, Failure};
use crate::extract::ApiJson;
use crate::session::now_millis;
use crate::store::BlobStore;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use puente_shared::access::AccessRefusal;
use puente_shared::crypto::Recipient;
use puente_shared::protocol::{AccessRequest, AccessResponse, ChangeEntry, ChangeKind};

/// What every refusal of a case someone may not see says: the same whether or not the case
/// exists.
pub fn no_access() -> Failure {
    Failure::new(StatusCode::FORBIDDEN, "no_access", "you have no access to this case")
}

impl From<AccessError> for Failure {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::Store(error) => error.into(),
            AccessError::NoAccess => no_access(),
            AccessError::Refused(refusal @ AccessRefusal::MayNotChange) => {
                Failure::new(StatusCode::FORBIDDEN, refusal.code(), refusal.to_string())
            }
            AccessError::Refused(refusal) => Failure::new(StatusCode::CONFLICT, refusal.code(), refusal.to_string()),
            AccessError::BadGrant(why) => Failure::bad_request("bad_grant", why),
            AccessError::Busy => Failure::new(StatusCode::SERVICE_UNAVAILABLE, "busy", error.to_string()),
            AccessError::NotAMember => Failure::new(StatusCode::CONFLICT, "not_a_member", error.to_string()),
            AccessError::Membership(error) => Failure::internal(error),
        }
    }
}

pub async fn get<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path(case): Path<String>,
) -> ApiResult<Json<AccessResponse>> {
    let case = parse_case(&case)?;
    let record = access::current(&state.store, claims.tenant, case)
        .await?
        .filter(|record| record.may_read(claims.user))
        .ok_or_else(no_access)?;
    let grants = access::grants_to(&state.store, claims.tenant, case, Recipient::Member(claims.user)).await?;
    let latest = latest_revision(&state.store, claims.tenant, case).await?;
    Ok(Json(AccessResponse { record, grants, latest }))
}

pub async fn change<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path(case): Path<String>,
    ApiJson(request): ApiJson<AccessRequest>,
) -> ApiResult<Json<AccessResponse>> {
    let case = parse_case(&case)?;
    let (record, outcome) = access::change(&state.store, claims.tenant, case, claims.user, &request).await?;
    let latest = latest_revision(&state.store, claims.tenant, case).await?;
    // Whoever was just given a case that has revisions learns of it from the feed (a new
    // case's first revision will be in the feed anyway).
    if outcome == Outcome::Changed {
        let entry = ChangeEntry {
            seq: 0,
            case,
            revision: latest,
            size: 0,
            author: claims.user,
            at: now_millis(),
            kind: ChangeKind::Access,
        };
        let seq = state.log.append(&state.store, claims.tenant, entry).await?;
        tracing::info!(%case, version = record.version, seq, "access changed");
    }
    let grants = access::grants_to(&state.store, claims.tenant, case, Recipient::Member(claims.user)).await?;
    Ok(Json(AccessResponse { record, grants, latest }))
}
