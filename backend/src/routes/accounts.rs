//! Enrolment with a one-time invite, and login. The server never sees a passphrase or a
//! key: only `auth_secret`, of which it keeps a slow hash.

use crate::accounts::is_disabled;
use crate::accounts::{self, Credentials, DirectoryEntry, InviteRecord, PendingRecord, UserRecord};
use crate::app::AppState;
use crate::auth::{disabled, Authenticated};
use crate::error::{ApiResult, Failure};
use crate::extract::ApiJson;
use crate::layout;
use crate::session::{now_millis, now_seconds, Claims, SessionId, SESSION_SECONDS};
use crate::store::{create_json, get_json, BlobStore, Created};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use puente_shared::crypto::{escrow_statement, KdfParams, Purpose, Salt, ESCROW_LEN, WRAPPED_KEY_LEN};
use puente_shared::protocol::{
    EnrolRequest, Escrow, InviteCode, LoginParams, LoginParamsRequest, LoginRequest, NewCredentials, PassphraseChange,
    PublishedIdentity, Session, SessionToken, Username,
};
use puente_shared::{TenantId, UserId};
use std::time::Instant;

/// Cost of the server-side hash of `auth_secret`. The secret is already a 256-bit key, so
/// this guards against a leaked user record rather than weak input.
fn auth_hasher() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).expect("valid parameters");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

async fn hash_auth_secret(secret: Vec<u8>) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).map_err(Failure::internal)?;
        let salt = SaltString::encode_b64(&salt).map_err(Failure::internal)?;
        auth_hasher().hash_password(&secret, &salt).map(|h| h.to_string()).map_err(Failure::internal)
    })
    .await
    .map_err(Failure::internal)?
}

async fn verify_auth_secret(secret: Vec<u8>, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|hash| auth_hasher().verify_password(&secret, &hash).is_ok())
    })
    .await
    .unwrap_or(false)
}

pub(super) async fn session_for<S: BlobStore>(
    state: &AppState<S>,
    user: &UserRecord,
    credentials: &Credentials,
    username: Username,
) -> ApiResult<Session> {
    let identity = get_json(&state.store, &layout::identity(user.tenant, user.user_id)).await?;
    let SessionToken { token, expires_at } = issue_token(state, user.tenant, user.user_id, credentials);
    Ok(Session {
        token,
        expires_at,
        tenant: user.tenant,
        user_id: user.user_id,
        username,
        salt: credentials.salt,
        kdf: credentials.kdf,
        wrapped_account_key: credentials.wrapped_account_key.clone(),
        identity,
        recovered_by: credentials.recovered_by,
    })
}

fn issue_token<S: BlobStore>(
    state: &AppState<S>,
    tenant: TenantId,
    user: UserId,
    credentials: &Credentials,
) -> SessionToken {
    let expires_at = now_seconds() + SESSION_SECONDS;
    let claims = Claims { tenant, user, sid: SessionId::random(), exp: expires_at, credentials: credentials.version };
    SessionToken { token: state.signer.issue(&claims), expires_at }
}

/// Checks what a device sends to put a new passphrase in force.
pub(super) fn check_new_credentials(new: &NewCredentials) -> ApiResult<()> {
    new.kdf.check().map_err(|e| Failure::bad_request("weak_kdf", e.to_string()))?;
    if new.auth_secret.len() != 32 || new.wrapped_account_key.len() != WRAPPED_KEY_LEN {
        return Err(Failure::bad_request("malformed_keys", "the key material has the wrong length"));
    }
    Ok(())
}

/// The next version of a member's credentials, from what their device sent.
pub(super) async fn next_credentials(
    current: &Credentials,
    new: NewCredentials,
    recovered_by: Option<UserId>,
) -> ApiResult<Credentials> {
    Ok(Credentials {
        version: current.version + 1,
        auth_hash: hash_auth_secret(new.auth_secret).await?,
        salt: new.salt,
        kdf: new.kdf,
        wrapped_account_key: new.wrapped_account_key,
        at: now_millis(),
        recovered_by,
    })
}

fn changed_concurrently() -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "credentials_changed",
        "the passphrase was changed at the same moment elsewhere; sign in again",
    )
}

fn bad_identity() -> Failure {
    Failure::bad_request("bad_identity", "the identity keys are not usable public keys")
}

fn invalid_invite() -> Failure {
    Failure::bad_request("invalid_invite", "the invite is not valid or has expired")
}

pub async fn enrol<S: BlobStore>(
    State(state): State<AppState<S>>,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let invite = InviteCode::parse(&request.invite).map_err(|_| invalid_invite())?;
    check_new_credentials(&request.credentials)?;
    request.identity.keys.check().map_err(|_| bad_identity())?;
    let store = &state.store;
    let record: InviteRecord =
        get_json(store, &layout::invite(invite.tenant, &invite.secret)).await?.ok_or_else(invalid_invite)?;
    if record.expires_at <= now_millis() {
        return Err(invalid_invite());
    }
    let username_key = layout::username(request.username.as_str());
    if store.get(&username_key).await?.is_some() {
        return Err(Failure::new(StatusCode::CONFLICT, "username_taken", "this username is already in use"));
    }
    let used = store.create(&layout::invite_used(invite.tenant, &invite.secret), Bytes::new()).await?;
    if used == Created::AlreadyExists {
        return Err(Failure::new(StatusCode::GONE, "invite_used", "this invite has already been used"));
    }
    let user = UserRecord {
        user_id: request.user_id,
        tenant: invite.tenant,
        auth_hash: hash_auth_secret(request.credentials.auth_secret).await?,
        salt: request.credentials.salt,
        kdf: request.credentials.kdf,
        wrapped_account_key: request.credentials.wrapped_account_key,
        created_at: now_millis(),
    };
    if create_json(store, &layout::user(user.tenant, user.user_id), &user).await? == Created::AlreadyExists {
        return Err(Failure::new(StatusCode::CONFLICT, "user_exists", "this user id is already enrolled"));
    }
    create_json(store, &layout::identity(user.tenant, user.user_id), &request.identity).await?;
    let pending = PendingRecord {
        user_id: user.user_id,
        keys: request.identity.keys,
        intended: record.intended.clone(),
        enrolled_at: user.created_at,
    };
    create_json(store, &layout::pending(user.tenant, user.user_id), &pending).await?;
    // The organisation's first member (whoever enrols first) founds its membership log.
    store.create(&layout::founder(user.tenant), Bytes::from(user.user_id.to_string())).await?;
    let entry = DirectoryEntry { tenant: user.tenant, user_id: user.user_id };
    if create_json(store, &username_key, &entry).await? == Created::AlreadyExists {
        return Err(Failure::new(StatusCode::CONFLICT, "username_taken", "this username is already in use"));
    }
    tracing::info!(tenant = %user.tenant, user = %user.user_id, "user enrolled");
    let credentials = accounts::current_credentials(store, &user).await?;
    Ok((StatusCode::CREATED, Json(session_for(&state, &user, &credentials, request.username).await?)))
}

async fn find_user<S: BlobStore>(state: &AppState<S>, username: &Username) -> ApiResult<Option<UserRecord>> {
    Ok(accounts::find_user(&state.store, username).await?)
}

/// Salt and cost for a username. An unknown name gets a stable decoy, so the answer does
/// not tell whether an account exists.
pub async fn login_params<S: BlobStore>(
    State(state): State<AppState<S>>,
    ApiJson(request): ApiJson<LoginParamsRequest>,
) -> ApiResult<Json<LoginParams>> {
    let user = match Username::parse(&request.username) {
        Ok(name) => find_user(&state, &name).await?,
        Err(_) => None,
    };
    let credentials = match &user {
        Some(user) => Some(accounts::current_credentials(&state.store, user).await?),
        None => None,
    };
    Ok(Json(match credentials {
        Some(credentials) => LoginParams { salt: credentials.salt, kdf: credentials.kdf },
        None => {
            let decoy = state.signer.derive(b"decoy-salt", request.username.trim().to_lowercase().as_bytes());
            LoginParams { salt: Salt(decoy[..16].try_into().expect("16 bytes")), kdf: KdfParams::default() }
        }
    }))
}

pub async fn login<S: BlobStore>(
    State(state): State<AppState<S>>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<Session>> {
    let bad_credentials = || Failure::unauthorized("the username or passphrase is not correct");
    let name = Username::parse(&request.username).map_err(|_| bad_credentials())?;
    if let Err(wait) = state.throttle.check(name.as_str(), Instant::now()) {
        return Err(too_many_attempts(wait));
    }
    let user = find_user(&state, &name).await?;
    let account_key = user.as_ref().map(|user| account_throttle_key(user.user_id));
    if let Some(Err(wait)) = account_key.as_deref().map(|key| state.throttle.check(key, Instant::now())) {
        return Err(too_many_attempts(wait));
    }
    let credentials = match &user {
        Some(user) => Some(accounts::current_credentials(&state.store, user).await?),
        None => None,
    };
    // Unknown users cost the same hash as known ones, so timing does not tell them apart.
    let phc = match &credentials {
        Some(credentials) => credentials.auth_hash.clone(),
        None => dummy_hash().await?,
    };
    let verified = verify_auth_secret(request.auth_secret, phc).await;
    match user.zip(credentials) {
        Some((user, credentials)) if verified => {
            state.throttle.record_success(name.as_str());
            // Told only to whoever knows the passphrase, so it reveals nothing to a guesser.
            if is_disabled(&state.store, user.tenant, user.user_id).await? {
                tracing::warn!(tenant = %user.tenant, user = %user.user_id, "login of a disabled account");
                return Err(disabled());
            }
            Ok(Json(session_for(&state, &user, &credentials, name).await?))
        }
        _ => {
            state.throttle.record_failure(name.as_str(), Instant::now());
            if let Some(key) = &account_key {
                state.throttle.record_failure(key, Instant::now());
            }
            tracing::warn!("failed login");
            Err(bad_credentials())
        }
    }
}

/// The throttle's key for an account's wrong passphrases, at sign-in and when sent with a
/// session to change it: one count for both, so a stolen session adds no guesses to those a
/// sign-in allows.
fn account_throttle_key(user: UserId) -> String {
    format!("account:{user}")
}

fn too_many_attempts(wait: u64) -> Failure {
    Failure::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", "too many failed attempts; wait and try again")
        .with_retry_after(wait)
}

/// A hash of a random secret, verified against when the user does not exist.
async fn dummy_hash() -> ApiResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash_auth_secret(vec![0; 32])).await.cloned()
}

/// `POST /api/logout`: ends this session on every backend instance; the member's other
/// sessions go on.
pub async fn logout<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
) -> ApiResult<StatusCode> {
    state.store.create(&layout::session_ended(claims.tenant, claims.sid), Bytes::new()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/account/identity`: an account enrolled before identity keys existed publishes
/// them once; the same keys again are accepted, other keys refused.
pub async fn publish_identity<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(identity): ApiJson<PublishedIdentity>,
) -> ApiResult<StatusCode> {
    identity.keys.check().map_err(|_| bad_identity())?;
    let key = layout::identity(claims.tenant, claims.user);
    match create_json(&state.store, &key, &identity).await? {
        Created::Created => Ok(StatusCode::CREATED),
        Created::AlreadyExists if get_json(&state.store, &key).await?.as_ref() == Some(&identity) => Ok(StatusCode::OK),
        Created::AlreadyExists => {
            Err(Failure::new(StatusCode::CONFLICT, "identity_exists", "this account has published other identity keys"))
        }
    }
}

/// `PUT /api/account/passphrase`: a new passphrase for the same account key. The current
/// passphrase is proved again; every session opened before, on every device, ends; the
/// answer is a session for the device that made the change.
pub async fn change_passphrase<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(request): ApiJson<PassphraseChange>,
) -> ApiResult<Json<SessionToken>> {
    check_new_credentials(&request.new)?;
    let store = &state.store;
    let user: UserRecord = get_json(store, &layout::user(claims.tenant, claims.user))
        .await?
        .ok_or_else(|| Failure::unauthorized("no such account"))?;
    let current = accounts::current_credentials(store, &user).await?;
    // A stolen session must not become a way around the sign-in throttle.
    let throttle_key = account_throttle_key(claims.user);
    if let Err(wait) = state.throttle.check(&throttle_key, Instant::now()) {
        return Err(too_many_attempts(wait));
    }
    if !verify_auth_secret(request.current_auth_secret, current.auth_hash.clone()).await {
        state.throttle.record_failure(&throttle_key, Instant::now());
        tracing::warn!(tenant = %claims.tenant, user = %claims.user, "passphrase change with a wrong passphrase");
        return Err(Failure::new(StatusCode::FORBIDDEN, "wrong_passphrase", "the current passphrase is not correct"));
    }
    state.throttle.record_success(&throttle_key);
    let next = next_credentials(&current, request.new, None).await?;
    if !accounts::replace_credentials(store, claims.tenant, claims.user, &next).await? {
        return Err(changed_concurrently());
    }
    tracing::info!(tenant = %claims.tenant, user = %claims.user, version = next.version, "passphrase changed");
    Ok(Json(issue_token(&state, claims.tenant, claims.user, &next)))
}

/// `PUT /api/account/escrow`: the member's account key sealed to the organisation's
/// recovery key, kept once (the account key never changes). The server cannot open it.
pub async fn put_escrow<S: BlobStore>(
    State(state): State<AppState<S>>,
    Authenticated(claims): Authenticated,
    ApiJson(escrow): ApiJson<Escrow>,
) -> ApiResult<StatusCode> {
    if escrow.sealed.len() != ESCROW_LEN {
        return Err(Failure::bad_request("malformed_escrow", "an escrow is a sealed 32-byte key"));
    }
    // Signed by the member's identity key, so a stolen session cannot plant an escrow that
    // would make the member unrecoverable; sealed to the organisation's own recovery key.
    let organisation = super::membership::founded(&state, claims.tenant, StatusCode::CONFLICT).await?;
    if organisation.recovery != escrow.recovery {
        return Err(Failure::bad_request("wrong_recovery_key", "this is not the organisation's recovery key"));
    }
    // The keys the log vouches for; for a member not yet confirmed, those published at
    // enrolment (written once, with the account).
    let keys = match organisation.keys_of(claims.user) {
        Some(keys) => keys,
        None => {
            let identity: PublishedIdentity = get_json(&state.store, &layout::identity(claims.tenant, claims.user))
                .await?
                .ok_or_else(|| Failure::new(StatusCode::CONFLICT, "no_identity", "publish the identity keys first"))?;
            identity.keys
        }
    };
    let statement = escrow_statement(claims.tenant, claims.user, &escrow.recovery, &escrow.sealed);
    if keys.verify(Purpose::Escrow, &statement, &escrow.signature).is_err() {
        return Err(Failure::new(StatusCode::FORBIDDEN, "bad_signature", "the escrow is not signed by this member"));
    }
    let key = layout::escrow(claims.tenant, claims.user);
    match create_json(&state.store, &key, &escrow).await? {
        Created::Created => Ok(StatusCode::CREATED),
        Created::AlreadyExists => match get_json::<Escrow>(&state.store, &key).await? {
            // Sealing is randomised: the same key sealed again looks different, so another
            // device's escrow, signed by the same member to the same key, is already kept.
            Some(kept) if kept.recovery == escrow.recovery => Ok(StatusCode::OK),
            _ => Err(Failure::new(StatusCode::CONFLICT, "escrow_exists", "an escrow to another recovery key is kept")),
        },
    }
}
