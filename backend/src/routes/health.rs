use axum::Json;
use serde_json::{json, Value};

/// Liveness: answers without touching the store.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
