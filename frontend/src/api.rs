//! The sync API client. Requests go to the origin that served the app.

use gloo_net::http::{Request, Response};
use puente_shared::membership::SignedEntry;
use puente_shared::protocol::{
    AccessRequest, AccessResponse, AppendedEntry, Escrow, InviteRequest, InviteResponse, MembershipResponse,
    PassphraseChange, PendingMember, PendingResponse, Recovery, RecoveryMaterial, SessionToken,
};
use puente_shared::protocol::{
    ChangesResponse, EnrolRequest, ErrorBody, LoginParams, LoginParamsRequest, LoginRequest, PublishedIdentity,
    PushResponse, Session,
};
use puente_shared::settings::OrganisationSettings;
use puente_shared::{CaseId, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: the network or the server is down.
    Offline,
    /// The session token is missing, expired or ended, or the sign-in was refused.
    Unauthorized,
    /// The organisation disabled this account: no session and no sign-in.
    Disabled,
    /// The passphrase was changed (on another device, or by a recovery) since this session
    /// began: sign in with the new one.
    PassphraseChanged,
    /// Signing in again with the secret this vault unlocked with was refused (on the device,
    /// from `sync::session_token`).
    SignInRefused,
    /// The server refused, with its stable code.
    Refused { status: u16, code: String, latest: Option<u64> },
    /// An answer that could not be read.
    Malformed(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Offline => "offline",
            Self::Unauthorized => "unauthorized",
            Self::Disabled => "account_disabled",
            Self::PassphraseChanged => "passphrase_changed",
            Self::SignInRefused => "sign_in_refused",
            Self::Refused { code, .. } => code,
            Self::Malformed(_) => "malformed",
        }
    }
}

type Result<T> = std::result::Result<T, ApiError>;

async fn refused(response: Response) -> ApiError {
    let status = response.status();
    match (status, response.json::<ErrorBody>().await) {
        (401, Ok(body)) if body.error.code == "account_disabled" => ApiError::Disabled,
        (401, Ok(body)) if body.error.code == "passphrase_changed" => ApiError::PassphraseChanged,
        (401, _) => ApiError::Unauthorized,
        (_, Ok(body)) => ApiError::Refused { status, code: body.error.code, latest: body.error.latest },
        (_, Err(_)) => ApiError::Refused { status, code: format!("http_{status}"), latest: None },
    }
}

async fn send(request: std::result::Result<Request, gloo_net::Error>) -> Result<Response> {
    let request = request.map_err(|e| ApiError::Malformed(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Offline)?;
    // A gateway or proxy answering for a stopped backend counts as offline.
    if matches!(response.status(), 502..=504) {
        return Err(ApiError::Offline);
    }
    if response.ok() {
        Ok(response)
    } else {
        Err(refused(response).await)
    }
}

async fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T> {
    response.json().await.map_err(|e| ApiError::Malformed(e.to_string()))
}

pub async fn enrol(request: &EnrolRequest) -> Result<Session> {
    json(send(Request::post("/api/enrol").json(request)).await?).await
}

pub async fn login_params(username: &str) -> Result<LoginParams> {
    json(send(Request::post("/api/login/params").json(&LoginParamsRequest { username: username.into() })).await?).await
}

pub async fn login(request: &LoginRequest) -> Result<Session> {
    json(send(Request::post("/api/login").json(request)).await?).await
}

/// Publishes identity keys made at an unlock (an account from before they existed).
pub async fn publish_identity(token: &str, identity: &PublishedIdentity) -> Result<()> {
    let request =
        Request::put("/api/account/identity").header("Authorization", &format!("Bearer {token}")).json(identity);
    send(request).await.map(|_| ())
}

pub enum PushOutcome {
    Accepted,
    /// Another revision holds this number; `latest` is the newest on the server.
    Taken {
        latest: u64,
    },
}

pub async fn push(token: &str, case: CaseId, revision: u64, sealed: &[u8]) -> Result<PushOutcome> {
    let body = js_sys::Uint8Array::from(sealed);
    let request = Request::put(&format!("/api/cases/{case}/revisions/{revision}"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/octet-stream")
        .body(body);
    match send(request).await {
        Ok(response) => json::<PushResponse>(response).await.map(|_| PushOutcome::Accepted),
        Err(ApiError::Refused { status: 409, latest: Some(latest), .. }) => Ok(PushOutcome::Taken { latest }),
        Err(other) => Err(other),
    }
}

pub async fn fetch(token: &str, case: CaseId, revision: u64) -> Result<Vec<u8>> {
    let request = Request::get(&format!("/api/cases/{case}/revisions/{revision}"))
        .header("Authorization", &format!("Bearer {token}"))
        .build();
    let response = send(request).await?;
    response.binary().await.map_err(|e| ApiError::Malformed(e.to_string()))
}

pub async fn changes(token: &str, after: u64) -> Result<ChangesResponse> {
    let request = Request::get(&format!("/api/changes?after={after}"))
        .header("Authorization", &format!("Bearer {token}"))
        .build();
    json(send(request).await?).await
}

pub async fn settings(token: &str) -> Result<OrganisationSettings> {
    let request = Request::get("/api/settings").header("Authorization", &format!("Bearer {token}")).build();
    json(send(request).await?).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The membership log's entries after `after` (all with `None`).
pub async fn membership(token: &str, after: Option<u64>) -> Result<Vec<SignedEntry>> {
    let url = match after {
        Some(seq) => format!("/api/membership?after={seq}"),
        None => "/api/membership".to_owned(),
    };
    let response: MembershipResponse =
        json(send(Request::get(&url).header("Authorization", &bearer(token)).build()).await?).await?;
    Ok(response.entries)
}

pub async fn append_entry(token: &str, entry: &SignedEntry) -> Result<u64> {
    let request = Request::post("/api/membership").header("Authorization", &bearer(token)).json(entry);
    let appended: AppendedEntry = json(send(request).await?).await?;
    Ok(appended.seq)
}

pub async fn invite(token: &str, request: &InviteRequest) -> Result<InviteResponse> {
    json(send(Request::post("/api/invites").header("Authorization", &bearer(token)).json(request)).await?).await
}

pub async fn pending(token: &str) -> Result<Vec<PendingMember>> {
    let request = Request::get("/api/members/pending").header("Authorization", &bearer(token)).build();
    let response: PendingResponse = json(send(request).await?).await?;
    Ok(response.pending)
}

pub async fn disable_member(token: &str, user: UserId) -> Result<()> {
    let request =
        Request::post(&format!("/api/members/{user}/disable")).header("Authorization", &bearer(token)).build();
    send(request).await.map(|_| ())
}

/// Puts a new passphrase in force; the answer is this device's new session (every other
/// one ended).
pub async fn change_passphrase(token: &str, request: &PassphraseChange) -> Result<SessionToken> {
    let request = Request::put("/api/account/passphrase").header("Authorization", &bearer(token)).json(request);
    json(send(request).await?).await
}

/// Keeps this member's account key sealed to the organisation's recovery key.
pub async fn put_escrow(token: &str, escrow: &Escrow) -> Result<()> {
    let request = Request::put("/api/account/escrow").header("Authorization", &bearer(token)).json(escrow);
    send(request).await.map(|_| ())
}

pub async fn recovery_material(token: &str, user: UserId) -> Result<RecoveryMaterial> {
    let request =
        Request::get(&format!("/api/members/{user}/recovery")).header("Authorization", &bearer(token)).build();
    json(send(request).await?).await
}

pub async fn recover_member(token: &str, user: UserId, recovery: &Recovery) -> Result<()> {
    let request =
        Request::post(&format!("/api/members/{user}/recover")).header("Authorization", &bearer(token)).json(recovery);
    send(request).await.map(|_| ())
}

/// Publishes the organisation's settings (administrators); returns the version in force.
pub async fn publish_settings(token: &str, settings: &OrganisationSettings) -> Result<u64> {
    let request = Request::put("/api/settings").header("Authorization", &bearer(token)).json(settings);
    let published: puente_shared::protocol::PublishedSettings = json(send(request).await?).await?;
    Ok(published.version)
}

/// Ends this session on the server.
pub async fn logout(token: &str) -> Result<()> {
    send(Request::post("/api/logout").header("Authorization", &bearer(token)).build()).await.map(|_| ())
}

/// Who may open a case, and the grants of its keys addressed to this member.
pub async fn access(token: &str, case: CaseId) -> Result<AccessResponse> {
    let request = Request::get(&format!("/api/cases/{case}/access")).header("Authorization", &bearer(token)).build();
    json(send(request).await?).await
}

/// Changes who may open a case (or creates its first access record), with the grants that
/// give them its key.
pub async fn change_access(token: &str, case: CaseId, request: &AccessRequest) -> Result<AccessResponse> {
    let request =
        Request::post(&format!("/api/cases/{case}/access")).header("Authorization", &bearer(token)).json(request);
    json(send(request).await?).await
}
