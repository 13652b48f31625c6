//! A small client of the sync API, doing on the test's side what a device does: derive
//! keys from a passphrase, wrap the account key, enrol, log in, seal and push.

use puente_backend::accounts;
use puente_backend::store::BlobStore;
use puente_shared::crypto::IdentityKeys;
use puente_shared::crypto::{
    self, derive_keys, wrap_account_key, Grant, KdfParams, Recipient, RevisionHeader, Salt, SecretKey,
};
use puente_shared::protocol::{
    AccessRequest, EnrolRequest, LoginParams, LoginParamsRequest, LoginRequest, NewCredentials, PublishedIdentity,
    Session, Username,
};
use puente_shared::{CaseId, KeyId, TenantId, UserId};
use reqwest::{Client, Response};

/// A backend on the filesystem store in a temporary directory (kept while the guard lives).
pub async fn fs_server() -> (crate::server::TestServer<puente_backend::store::FsStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = puente_backend::store::FsStore::open(dir.path()).expect("filesystem store");
    (crate::server::TestServer::start(store).await, dir)
}

/// The stable code of an error answer.
pub async fn error_code(response: Response) -> String {
    response.json::<puente_shared::protocol::ErrorBody>().await.expect("JSON error body").error.code
}

/// The cheapest cost a device accepts, to keep tests fast.
pub const FAST_KDF: KdfParams = KdfParams { m_kib: KdfParams::MIN_M_KIB, t: 2, p: 1 };

#[derive(Clone)]
pub struct Device {
    pub http: Client,
    pub url: String,
    pub session: Session,
    pub account_key: SecretKey,
    pub passphrase: String,
}

/// A new organisation with its first user enrolled.
pub async fn new_org_user(store: &impl BlobStore, url: &str, username: &str) -> Device {
    let tenant = accounts::create_tenant(store, "Test org").await.expect("tenant");
    join_org(store, url, tenant.id, username).await
}

/// Another member of organisation `tenant`, enrolled with a fresh invite.
pub async fn join_org(store: &impl BlobStore, url: &str, tenant: TenantId, username: &str) -> Device {
    let invite = accounts::create_invite(store, tenant).await.expect("invite").encode();
    let passphrase = format!("{username} correct horse battery");
    let response = enrol(url, &invite, username, &passphrase).await;
    assert_eq!(response.status(), 201, "enrolment failed: {}", response.text().await.unwrap_or_default());
    let session: Session = response.json().await.expect("session");
    let keys = derive_keys(&passphrase, &session.salt, session.kdf).expect("derive");
    let account_key =
        crypto::unwrap_account_key(&keys.kek, &session.wrapped_account_key, session.user_id).expect("unwrap");
    Device { http: Client::new(), url: url.to_owned(), session, account_key, passphrase }
}

pub fn enrol_request(invite: &str, username: &str, passphrase: &str) -> EnrolRequest {
    let salt = Salt::random();
    let keys = derive_keys(passphrase, &salt, FAST_KDF).expect("derive");
    let user_id = UserId::random();
    let account_key = SecretKey::random();
    let identity = IdentityKeys::generate();
    EnrolRequest {
        invite: invite.to_owned(),
        username: Username::parse(username).expect("username"),
        user_id,
        credentials: NewCredentials {
            auth_secret: keys.auth_secret.expose().to_vec(),
            salt,
            kdf: FAST_KDF,
            wrapped_account_key: wrap_account_key(&keys.kek, &account_key, user_id),
        },
        identity: PublishedIdentity { keys: identity.public(), wrapped: identity.wrap(&account_key, user_id) },
    }
}

/// `account_key` wrapped under keys derived from `passphrase` with a new salt.
pub fn new_credentials_for(account_key: &SecretKey, user: UserId, passphrase: &str) -> NewCredentials {
    puente_shared::credentials::new_credentials(passphrase, FAST_KDF, user, account_key).expect("derive").0
}

/// Signs in as a device would: the salt and cost from the server, then the keys
/// `passphrase` derives.
pub async fn sign_in(url: &str, username: &str, passphrase: &str) -> Response {
    let http = Client::new();
    let params: LoginParams = http
        .post(format!("{url}/api/login/params"))
        .json(&LoginParamsRequest { username: username.to_owned() })
        .send()
        .await
        .expect("login params")
        .json()
        .await
        .expect("login params body");
    let keys = derive_keys(passphrase, &params.salt, params.kdf).expect("derive");
    http.post(format!("{url}/api/login"))
        .json(&LoginRequest { username: username.to_owned(), auth_secret: keys.auth_secret.expose().to_vec() })
        .send()
        .await
        .expect("login")
}

pub async fn enrol(url: &str, invite: &str, username: &str, passphrase: &str) -> Response {
    Client::new()
        .post(format!("{url}/api/enrol"))
        .json(&enrol_request(invite, username, passphrase))
        .send()
        .await
        .expect("enrol")
}

impl Device {
    pub fn tenant(&self) -> TenantId {
        self.session.tenant
    }

    /// The identity keys this account published at enrolment, opened with its account key.
    pub fn identity(&self) -> IdentityKeys {
        let published = self.session.identity.as_ref().expect("identity keys were published");
        IdentityKeys::unwrap(&self.account_key, &published.wrapped, self.session.user_id).expect("identity opens")
    }

    /// Seals `plaintext` as revision `revision` of `case`, signed by this member (under a
    /// random key: the server never opens it).
    pub fn seal(&self, case: CaseId, revision: u64, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(case, revision, &(KeyId::random(), SecretKey::random()), plaintext)
    }

    /// Seals `plaintext` as revision `revision` of `case` under `key`, signed by this member.
    pub fn seal_with(&self, case: CaseId, revision: u64, key: &(KeyId, SecretKey), plaintext: &[u8]) -> Vec<u8> {
        let header = RevisionHeader {
            tenant: self.tenant(),
            case,
            revision,
            parent: revision - 1,
            key_id: key.0,
            author: self.session.user_id,
        };
        crypto::seal_revision(&header, &key.1, &self.identity(), plaintext)
    }

    /// This member's grant of `key` of `case` to `to` (X25519 key `to_public`).
    pub fn grant(&self, case: CaseId, key: &(KeyId, SecretKey), to: Recipient, to_public: &[u8; 32]) -> Grant {
        let identity = self.identity();
        Grant::give(self.tenant(), case, key.0, &key.1, to, to_public, self.session.user_id, &identity).expect("grant")
    }

    /// Creates the access record of a new case, owned by this member, with a grant of
    /// `key` to this member.
    pub async fn create_access(&self, case: CaseId, key: &(KeyId, SecretKey)) -> Response {
        let own = self.identity().public().agreement;
        let grants = vec![self.grant(case, key, Recipient::Member(self.session.user_id), &own)];
        self.change_access(case, &AccessRequest { create: true, changes: vec![], grants }).await
    }

    /// Creates a new case's access record (with a random key) and pushes its first revision.
    pub async fn push_new(&self, case: CaseId, plaintext: &[u8]) -> Response {
        let key = (KeyId::random(), SecretKey::random());
        let created = self.create_access(case, &key).await;
        assert_eq!(created.status(), 200, "access: {}", created.text().await.unwrap_or_default());
        self.push(case, 1, self.seal_with(case, 1, &key, plaintext)).await
    }

    pub async fn change_access(&self, case: CaseId, request: &AccessRequest) -> Response {
        self.send(reqwest::Method::POST, &format!("/api/cases/{case}/access"), Some(request)).await
    }

    pub async fn access(&self, case: CaseId) -> Response {
        self.send(reqwest::Method::GET, &format!("/api/cases/{case}/access"), None::<&()>).await
    }

    pub async fn push(&self, case: CaseId, revision: u64, body: Vec<u8>) -> Response {
        self.http
            .put(format!("{}/api/cases/{case}/revisions/{revision}", self.url))
            .bearer_auth(&self.session.token)
            .body(body)
            .send()
            .await
            .expect("push")
    }

    /// Signs in again with the passphrase, as another device would.
    pub async fn login(&self) -> Response {
        self.login_with(&self.passphrase).await
    }

    /// Signs in as another device would, with `passphrase`.
    pub async fn login_with(&self, passphrase: &str) -> Response {
        sign_in(&self.url, self.session.username.as_str(), passphrase).await
    }

    /// The auth secret `passphrase` derives with the salt and cost of this device's session.
    pub fn auth_secret(&self, passphrase: &str) -> Vec<u8> {
        derive_keys(passphrase, &self.session.salt, self.session.kdf).expect("derive").auth_secret.expose().to_vec()
    }

    /// What a device sends to put `passphrase` in force for this account: the same account
    /// key, wrapped under keys derived with a new salt.
    pub fn new_credentials(&self, passphrase: &str) -> NewCredentials {
        new_credentials_for(&self.account_key, self.session.user_id, passphrase)
    }

    /// An authenticated request to `path` with its session token, and a JSON body when given.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&impl serde::Serialize>) -> Response {
        let request = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.session.token);
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send().await.expect("request")
    }

    /// `GET` of an authenticated route, with `token`.
    pub async fn get_with(&self, path: &str, token: &str) -> Response {
        self.http.get(format!("{}{path}", self.url)).bearer_auth(token).send().await.expect("get")
    }

    pub async fn logout(&self) -> Response {
        self.http
            .post(format!("{}/api/logout", self.url))
            .bearer_auth(&self.session.token)
            .send()
            .await
            .expect("logout")
    }

    pub async fn fetch(&self, case: CaseId, revision: u64) -> Response {
        self.http
            .get(format!("{}/api/cases/{case}/revisions/{revision}", self.url))
            .bearer_auth(&self.session.token)
            .send()
            .await
            .expect("fetch")
    }

    pub async fn changes(&self, after: u64, limit: usize) -> puente_shared::protocol::ChangesResponse {
        let response = self
            .http
            .get(format!("{}/api/changes?after={after}&limit={limit}", self.url))
            .bearer_auth(&self.session.token)
            .send()
            .await
            .expect("changes");
        assert_eq!(response.status(), 200);
        response.json().await.expect("changes body")
    }
}
