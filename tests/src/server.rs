//! The backend, served in-process on a loopback port over real HTTP.

use puente_backend::app::{router, AppState};
use puente_backend::store::BlobStore;

pub struct TestServer<S> {
    pub url: String,
    pub store: S,
    task: tokio::task::JoinHandle<()>,
}

impl<S: BlobStore> TestServer<S> {
    pub async fn start(store: S) -> Self {
        Self::start_serving(store, None).await
    }

    /// Also serves the frontend files in `static_dir`.
    pub async fn start_serving(store: S, static_dir: Option<std::path::PathBuf>) -> Self {
        let state = AppState::new(store.clone()).await.expect("start the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            axum::serve(listener, router(state, static_dir)).await.expect("serve");
        });
        Self { url, store, task }
    }
}

impl<S> Drop for TestServer<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}
