//! Serves the built frontend: the entry points (`index.html`, the service worker) are
//! revalidated on every load so an update reaches devices, while content-hashed assets
//! are cached as immutable. Unknown paths get `index.html`, for client-side routes. Each
//! file goes gzipped, as the build wrote it, to a browser that accepts gzip.

use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::PathBuf;
use tower_http::services::{ServeDir, ServeFile};

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

/// A file name with a content hash, as the build writes them: `name-<16 hex>.ext`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let immutable = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let cache =
        if immutable && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// The built app in `dir`, each file sent gzipped (the build writes `name.gz` beside it)
/// to a browser that takes it.
pub fn frontend(dir: PathBuf) -> Router {
    let index = ServeFile::new(dir.join("index.html")).precompressed_gzip();
    let files = ServeDir::new(dir).precompressed_gzip().fallback(index);
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_headers))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(super::is_hashed("/puente-0123456789abcdef.js"));
        assert!(super::is_hashed("/puente_bg-0123456789abcdef.wasm"));
        assert!(!super::is_hashed("/index.html"));
        assert!(!super::is_hashed("/sw.js"));
        assert!(!super::is_hashed("/x-0123.js"));
    }
}
