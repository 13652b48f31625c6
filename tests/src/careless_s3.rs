//! An S3 look-alike that, like some real S3-compatible servers, ignores `If-None-Match`:
//! every PUT overwrites. It exists to prove that Puente refuses such a store; it speaks
//! just enough of the protocol for the start-up probe.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{head, put};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Objects = Arc<Mutex<HashMap<String, Bytes>>>;

/// Serves on a loopback port until the test ends; returns its endpoint.
pub async fn start() -> String {
    let objects: Objects = Arc::default();
    let app = Router::new()
        .route("/{bucket}", head(|| async { StatusCode::OK }))
        .route("/{bucket}/", head(|| async { StatusCode::OK }))
        .route(
            "/{bucket}/{*key}",
            put(|State(objects): State<Objects>, Path((_, key)): Path<(String, String)>, body: Bytes| async move {
                objects.lock().unwrap().insert(key, body);
                StatusCode::OK
            })
            .get(|State(objects): State<Objects>, Path((_, key)): Path<(String, String)>| async move {
                objects.lock().unwrap().get(&key).cloned().ok_or(StatusCode::NOT_FOUND)
            })
            .delete(|State(objects): State<Objects>, Path((_, key)): Path<(String, String)>| async move {
                objects.lock().unwrap().remove(&key);
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(objects);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    endpoint
}
