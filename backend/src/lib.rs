//! Puente's sync backend: a stateless axum server that stores encrypted case revisions in
//! an object store and can never read them.

pub mod access;
pub mod accounts;
pub mod app;
pub mod auth;
pub mod changelog;
pub mod cli;
pub mod departure;
pub mod error;
mod extract;
pub mod layout;
pub mod membership;
mod routes;
pub mod session;
pub mod settings;
pub mod store;
pub mod throttle;
mod web;
