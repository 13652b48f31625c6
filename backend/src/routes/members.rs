//! Administration by the organisation's administrators, as its verified membership log
//! names them: `POST /api/invites`, `GET /api/members/pending`,
//! `POST /api/members/{user}/disable`, and recovering a member who forgot the passphrase
//! (`GET /api/members/{user}/recovery`, `POST /api/members/{user}/recover`). The server enforces the role; devices check the log
//! themselves before they trust any member.

use super::accounts::{check_new_credentials, next_credentials};
use crate::accounts::{self, PendingRecord};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, Failure};
use crate::extract::ApiJson;
use crate::layout;
use crate::membership;
use crate::session::Claims;
use crate::store::{get_json, BlobStore, ObjectKey};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use puente_shared::credentials::recovery_statement;
use puente_shared::crypto::Purpose;
use puente_shared::membership::Organisation;
use puente_shared::protocol::{
    Escrow, Intended, InviteRequest, InviteResponse, PendingMember, PendingResponse, Recovery, RecoveryMaterial,
    MAX_INVITE_LABEL_BYTES,
};
use puente_shared::UserId;

/// The organisation, if the caller is one of its administrators now.
pub(super) async fn as_administrator<S: BlobStore>(state: &AppState<S>, claims: &Claims) -> ApiResult<Organisation> {
    let organisation = super::membership::founded(state, claims.tenant, StatusCode::FORBIDDEN).await?;
    if !membership::is_administrator(&organisation, claims.user) {
        return Err(Failure::new(StatusCode::FORBIDDEN, "not_an_administrator", "only an administrator may do this"));
    }
    Ok(organisation)
}

pub async fn invite<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(request): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InviteResponse>)> {
    let organisation = as_administrator(&state, &claims).await?;
    if request.label.len() > MAX_INVITE_LABEL_BYTES {
        return Err(Failure::bad_request("label_too_long", "the invite's label is too long"));
    }
    if request.teams.iter().chain(&request.supervises).any(|t| organisation.team(*t).is_none()) {
        return Err(Failure::bad_request("unknown_team", "no such team"));
    }
    if !request.supervises.is_empty() && !request.role.supervises() {
        return Err(Failure::bad_request("not_a_supervisor", "only a supervisor supervises teams"));
    }
    let intended = Intended { invite: request, invited_by: claims.user };
    let (code, record) = accounts::create_invite_for(&state.store, claims.tenant, Some(intended)).await?;
    Ok((StatusCode::CREATED, Json(InviteResponse { invite: code.encode(), expires_at: record.expires_at })))
}

pub async fn pending<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
) -> ApiResult<Json<PendingResponse>> {
    let organisation = as_administrator(&state, &claims).await?;
    let mut pending = Vec::new();
    for key in state.store.list(&layout::pending_prefix(claims.tenant), None, 1000).await? {
        let key = ObjectKey::parse(key).map_err(Failure::internal)?;
        let Some(record) = get_json::<PendingRecord>(&state.store, &key).await? else { continue };
        let vouched = organisation.member(record.user_id).is_some() || organisation.was_removed(record.user_id);
        if vouched || accounts::is_disabled(&state.store, claims.tenant, record.user_id).await? {
            continue;
        }
        pending.push(PendingMember {
            user_id: record.user_id,
            keys: record.keys,
            intended: record.intended,
            enrolled_at: record.enrolled_at,
        });
    }
    Ok(Json(PendingResponse { pending }))
}

pub async fn disable<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path(user): Path<String>,
) -> ApiResult<StatusCode> {
    as_administrator(&state, &claims).await?;
    let user = parse_user(&user)?;
    if user == claims.user {
        return Err(Failure::bad_request("cannot_disable_self", "an administrator cannot disable their own account"));
    }
    if !accounts::disable(&state.store, claims.tenant, user).await? {
        return Err(Failure::not_found("no such member"));
    }
    Ok(StatusCode::NO_CONTENT)
}

fn parse_user(raw: &str) -> ApiResult<UserId> {
    raw.parse().map_err(|_| Failure::bad_request("invalid_user_id", "the user id is not a UUID"))
}

/// What an administrator's device needs to open a member's account key with the recovery
/// sheet: the escrow the member's device sealed, and the member's identity keys to prove
/// the opened key is theirs. Neither opens anything without the sheet.
pub async fn recovery_material<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path(user): Path<String>,
) -> ApiResult<Json<RecoveryMaterial>> {
    as_administrator(&state, &claims).await?;
    let user = parse_user(&user)?;
    let no_escrow = || {
        Failure::new(StatusCode::NOT_FOUND, "no_escrow", "this member's device has not sealed its key for recovery yet")
    };
    let escrow: Escrow = get_json(&state.store, &layout::escrow(claims.tenant, user)).await?.ok_or_else(no_escrow)?;
    let identity = get_json(&state.store, &layout::identity(claims.tenant, user)).await?.ok_or_else(no_escrow)?;
    let record: accounts::UserRecord = get_json(&state.store, &layout::user(claims.tenant, user))
        .await?
        .ok_or_else(|| Failure::not_found("no such member"))?;
    let credentials_version = accounts::current_credentials(&state.store, &record).await?.version;
    Ok(Json(RecoveryMaterial { escrow, identity, credentials_version }))
}

/// Puts in force the passphrase a member chose on the administrator's device after the
/// recovery sheet opened their account key. The request is signed with the member's own
/// identity key, which only the opened escrow gave that device: an administrator's session
/// alone replaces nobody's passphrase. Every session of the member ends.
pub async fn recover<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    Path(user): Path<String>,
    ApiJson(request): ApiJson<Recovery>,
) -> ApiResult<StatusCode> {
    let organisation = as_administrator(&state, &claims).await?;
    let user = parse_user(&user)?;
    if user == claims.user {
        return Err(Failure::bad_request(
            "cannot_recover_self",
            "an administrator changes their own passphrase, or is recovered by another",
        ));
    }
    check_new_credentials(&request.credentials)?;
    let record: accounts::UserRecord = get_json(&state.store, &layout::user(claims.tenant, user))
        .await?
        .ok_or_else(|| Failure::not_found("no such member"))?;
    if accounts::is_disabled(&state.store, claims.tenant, user).await? {
        return Err(Failure::new(StatusCode::CONFLICT, "member_disabled", "a disabled member is not recovered"));
    }
    let keys = organisation
        .keys_of(user)
        .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "not_a_member", "the log does not vouch for this member"))?;
    let statement = recovery_statement(claims.tenant, user, request.replaces, &request.credentials);
    if keys.verify(Purpose::Recovery, &statement, &request.signature).is_err() {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "bad_recovery_proof",
            "the recovery is not signed with the member's key",
        ));
    }
    let current = accounts::current_credentials(&state.store, &record).await?;
    if current.version != request.replaces {
        return Err(Failure::new(StatusCode::CONFLICT, "credentials_changed", "the member's passphrase just changed"));
    }
    let next = next_credentials(&current, request.credentials, Some(claims.user)).await?;
    if !accounts::replace_credentials(&state.store, claims.tenant, user, &next).await? {
        return Err(Failure::new(StatusCode::CONFLICT, "credentials_changed", "the member's passphrase just changed"));
    }
    tracing::info!(tenant = %claims.tenant, %user, by = %claims.user, "member recovered");
    Ok(StatusCode::NO_CONTENT)
}
