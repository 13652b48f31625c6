//! One module per group of routes.

mod access;
mod accounts;
mod changes;
mod health;
mod members;
mod membership;
mod revisions;
mod settings;

use crate::app::AppState;
use crate::store::BlobStore;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use puente_shared::membership::MAX_ENTRY_BYTES;

pub fn api<S: BlobStore>() -> Router<AppState<S>> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/enrol", post(accounts::enrol::<S>))
        .route("/api/login/params", post(accounts::login_params::<S>))
        .route("/api/login", post(accounts::login::<S>))
        .route("/api/logout", post(accounts::logout::<S>))
        .route("/api/account/identity", put(accounts::publish_identity::<S>))
        .route("/api/account/passphrase", put(accounts::change_passphrase::<S>))
        .route("/api/account/escrow", put(accounts::put_escrow::<S>))
        .route("/api/cases/{case}/revisions/{revision}", put(revisions::push::<S>).get(revisions::fetch::<S>))
        .route("/api/cases/{case}/access", get(access::get::<S>).post(access::change::<S>))
        .route("/api/changes", get(changes::changes::<S>))
        .route(
            "/api/settings",
            get(settings::settings::<S>)
                .put(settings::publish::<S>)
                // A full directory (MAX_PROVIDERS, each field at its longest) is larger than a
                // revision may be.
                .layer(DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/api/invites", post(members::invite::<S>))
        .route("/api/members/pending", get(members::pending::<S>))
        .route("/api/members/{user}/disable", post(members::disable::<S>))
        .route("/api/members/{user}/recovery", get(members::recovery_material::<S>))
        .route("/api/members/{user}/recover", post(members::recover::<S>))
        .route(
            "/api/membership",
            get(membership::entries::<S>)
                .post(membership::append::<S>)
                // An entry is at most MAX_ENTRY_BYTES, base64 in JSON.
                .layer(DefaultBodyLimit::max(2 * MAX_ENTRY_BYTES + 1024)),
        )
}
