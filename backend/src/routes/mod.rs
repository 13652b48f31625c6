//! One module per group of routes.

mod accounts;
mod changes;
mod health;
mod membership;
mod revisions;
mod settings;

use crate::app::AppState;
use crate::store::BlobStore;
use axum::routing::{get, post, put};
use axum::Router;

pub fn api<S: BlobStore>() -> Router<AppState<S>> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/enrol", post(accounts::enrol::<S>))
        .route("/api/login/params", post(accounts::login_params::<S>))
        .route("/api/login", post(accounts::login::<S>))
        .route("/api/logout", post(accounts::logout::<S>))
        .route("/api/cases/{case}/revisions/{revision}", put(revisions::push::<S>).get(revisions::fetch::<S>))
        .route("/api/changes", get(changes::changes::<S>))
        .route("/api/settings", get(settings::settings::<S>))
        .route("/api/membership", get(membership::entries::<S>).post(membership::append::<S>))
}
