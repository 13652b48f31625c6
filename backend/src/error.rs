//! API errors: every failure is JSON `{"error": {"code", "message"}}` with a stable code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_shared::protocol::{ApiError, ErrorBody};

#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ApiError,
}

impl Failure {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, body: ApiError { code: code.into(), message: message.into(), latest: None, retry_after: None } }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn with_latest(mut self, latest: u64) -> Self {
        self.body.latest = Some(latest);
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.body.retry_after = Some(seconds);
        self
    }

    /// An internal failure: logged (without request content), reported without detail.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not complete the request")
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(error: crate::store::StoreError) -> Self {
        tracing::error!(%error, "object store failure");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "the object store is not available")
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let retry_after = self.body.retry_after;
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, Failure>;
