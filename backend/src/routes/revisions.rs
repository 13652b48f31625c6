//! `PUT /api/cases/{case}/revisions/{rev}` and `GET` of the same: immutable, encrypted
//! case revisions, signed by their authors. The server reads only the clear header, checks
//! the signature against the keys the author published, and serves a case only to those
//! its access record names (pushes only from those who may write it, sealed under the key
//! in force: none while a rotation is due after someone lost access).

use super::access::no_access;
use crate::access;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, Failure};
use crate::extract::ApiBytes;
use crate::layout;
use crate::session::{now_millis, Claims};
use crate::store::get_json;
use crate::store::{BlobStore, Created, StoreError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_shared::crypto::{verify_revision, RevisionHeader};
use puente_shared::protocol::{ChangeEntry, ChangeKind, PublishedIdentity, PushResponse};
use puente_shared::{CaseId, TenantId};

pub(super) fn parse_case(case: &str) -> ApiResult<CaseId> {
    case.parse().map_err(|_| Failure::bad_request("invalid_case_id", "the case id is not a UUID"))
}

fn parse_path(case: &str, revision: &str) -> ApiResult<(CaseId, u64)> {
    let case = parse_case(case)?;
    let revision = revision
        .parse::<u64>()
        .ok()
        .filter(|r| (1..=layout::MAX_REVISION).contains(r))
        .ok_or_else(|| Failure::bad_request("invalid_revision", "the revision is not a number from 1"))?;
    Ok((case, revision))
}

/// The newest revision stored for a case (0 when none).
pub(super) async fn latest_revision(store: &impl BlobStore, tenant: TenantId, case: CaseId) -> Result<u64, StoreError> {
    let newest = crate::store::last_key(store, &layout::case_prefix(tenant, case)).await?;
    Ok(newest.as_deref().and_then(layout::number_of).unwrap_or(0))
}

fn taken(latest: u64) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "revision_taken",
        "another revision was accepted first; pull, merge and push the next one",
    )
    .with_latest(latest)
}

pub async fn push<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path((case, revision)): Path<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Response> {
    let (case, revision) = parse_path(&case, &revision)?;
    let header = RevisionHeader::parse(&body)
        .map_err(|e| Failure::bad_request("malformed_envelope", format!("the body is not a valid revision: {e}")))?;
    if header.tenant != claims.tenant {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "wrong_tenant",
            "the envelope belongs to another organisation",
        ));
    }
    if header.case != case || header.revision != revision {
        return Err(Failure::bad_request("envelope_mismatch", "the envelope's case or revision differs from the path"));
    }
    if header.parent != revision - 1 {
        return Err(Failure::bad_request("envelope_mismatch", "a revision's parent must be the revision before it"));
    }
    let store = &state.store;
    let record = access::current(store, claims.tenant, case).await?;
    let record = match record {
        Some(record) if record.may_write(claims.user) => record,
        Some(record) if record.may_read(claims.user) => {
            return Err(Failure::new(StatusCode::FORBIDDEN, "read_only", "you may read this case, not write it"))
        }
        _ => return Err(no_access()),
    };
    if header.author != claims.user {
        return Err(Failure::bad_request("wrong_author", "a revision is signed by the member who pushes it"));
    }
    let author: Option<PublishedIdentity> = get_json(store, &layout::identity(claims.tenant, claims.user)).await?;
    let author =
        author.ok_or_else(|| Failure::new(StatusCode::CONFLICT, "no_identity", "publish the identity keys first"))?;
    verify_revision(&body, &author.keys)
        .map_err(|_| Failure::bad_request("bad_signature", "the revision's signature does not verify"))?;
    let key = layout::revision(claims.tenant, case, revision);
    if let Err(refusal) = record.takes_revisions_under(header.key_id) {
        // A retry of a revision stored before the key changed is answered as the retry it is.
        if store.get(&key).await?.as_deref() != Some(body.as_ref()) {
            return Err(Failure::new(StatusCode::CONFLICT, refusal.code(), refusal.to_string()));
        }
    }
    if revision > 1 && store.get(&layout::revision(claims.tenant, case, revision - 1)).await?.is_none() {
        let latest = latest_revision(store, claims.tenant, case).await?;
        return Err(Failure::new(StatusCode::CONFLICT, "parent_missing", "the parent revision is not on the server")
            .with_latest(latest));
    }
    let size = body.len() as u64;
    match store.create(&key, body.clone()).await? {
        Created::Created => {
            record_in_log(&state, &claims, case, revision, size).await?;
            tracing::info!(%case, revision, size, "revision accepted");
            Ok((StatusCode::CREATED, Json(PushResponse { revision, created: true })).into_response())
        }
        Created::AlreadyExists => {
            let existing = store.get(&key).await?;
            if existing.as_deref() != Some(body.as_ref()) {
                return Err(taken(latest_revision(store, claims.tenant, case).await?));
            }
            // A retry of a push whose answer was lost: finish what it may not have.
            if store.get(&layout::logged_marker(claims.tenant, case, revision)).await?.is_none() {
                record_in_log(&state, &claims, case, revision, size).await?;
            }
            Ok((StatusCode::OK, Json(PushResponse { revision, created: false })).into_response())
        }
    }
}

async fn record_in_log<S: BlobStore>(
    state: &AppState<S>,
    claims: &Claims,
    case: CaseId,
    revision: u64,
    size: u64,
) -> Result<(), StoreError> {
    let entry =
        ChangeEntry { seq: 0, case, revision, size, author: claims.user, at: now_millis(), kind: ChangeKind::Revision };
    let seq = state.log.append(&state.store, claims.tenant, entry).await?;
    state.store.create(&layout::logged_marker(claims.tenant, case, revision), Bytes::from(seq.to_string())).await?;
    Ok(())
}

pub async fn fetch<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path((case, revision)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (case, revision) = parse_path(&case, &revision)?;
    if !access::may_read(&state.store, claims.tenant, case, claims.user).await? {
        return Err(no_access());
    }
    let bytes = state
        .store
        .get(&layout::revision(claims.tenant, case, revision))
        .await?
        .ok_or_else(|| Failure::not_found("no such revision"))?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}
