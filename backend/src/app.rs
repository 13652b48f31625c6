//! The HTTP application: state shared by the handlers and the router.

use crate::changelog::ChangeLog;
use crate::routes;
use crate::session::TokenSigner;
use crate::store::{BlobStore, StoreError};
use crate::throttle::LoginThrottle;
use crate::web;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::Router;
use puente_shared::protocol::MAX_REVISION_BYTES;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// Everything a handler needs. Cheap to clone.
pub struct AppState<S> {
    pub store: S,
    pub signer: TokenSigner,
    pub throttle: Arc<LoginThrottle>,
    pub log: Arc<ChangeLog>,
}

impl<S: Clone> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            signer: self.signer.clone(),
            throttle: self.throttle.clone(),
            log: self.log.clone(),
        }
    }
}

impl<S> FromRef<AppState<S>> for TokenSigner {
    fn from_ref(state: &AppState<S>) -> Self {
        state.signer.clone()
    }
}

impl<S: BlobStore> AppState<S> {
    pub async fn new(store: S) -> Result<Self, StoreError> {
        let signer = TokenSigner::from_store(&store).await?;
        Ok(Self { store, signer, throttle: Default::default(), log: Default::default() })
    }
}

/// The whole app: the API, and the built frontend when `static_dir` is given.
pub fn router<S: BlobStore>(state: AppState<S>, static_dir: Option<PathBuf>) -> Router {
    let api = routes::api::<S>()
        // Revisions are at most MAX_REVISION_BYTES; JSON requests are far smaller.
        .layer(DefaultBodyLimit::max(MAX_REVISION_BYTES))
        .with_state(state);
    let app = match static_dir {
        Some(dir) => api.merge(web::frontend(dir)),
        None => api,
    };
    // The default span records method and path only: paths hold random ids, never
    // names, and no body or header is ever logged.
    app.layer(TraceLayer::new_for_http())
}
