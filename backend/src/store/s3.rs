//! Any S3-compatible object store, through aws-sdk-s3. Create-if-absent is a conditional
//! `PUT` with `If-None-Match: *`; because some S3-compatible servers silently ignore that
//! header, [`S3Store::connect`] probes the bucket and refuses a store that does not honour it.

use super::{BlobStore, Created, ObjectKey, StoreError};
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

/// How to reach the bucket.
#[derive(Clone)]
pub struct S3Config {
    /// Custom endpoint, e.g. `http://127.0.0.1:9000`; `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    /// Address the bucket in the path (`host/bucket/key`), as most self-hosted stores need.
    pub path_style: bool,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Shows everything but the secret, so the configuration can be logged.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self { endpoint, region, bucket, path_style, access_key_id, secret_access_key: _ } = self;
        f.debug_struct("S3Config")
            .field("endpoint", endpoint)
            .field("region", region)
            .field("bucket", bucket)
            .field("path_style", path_style)
            .field("access_key_id", access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: Arc<str>,
}

/// Attempts for a create that the store answers with 409 (a concurrent conditional write
/// in flight): the next attempt sees the winner's object and gets a clean 412.
const CONFLICT_ATTEMPTS: u32 = 8;

fn remote<E: ProvideErrorMetadata + std::fmt::Debug>(e: SdkError<E>) -> StoreError {
    let status = e.raw_response().map(|r| r.status().as_u16());
    let detail = e.as_service_error().and_then(|s| s.code().map(str::to_owned));
    match (status, detail) {
        (Some(status), Some(code)) => StoreError::Remote(format!("HTTP {status} {code}")),
        (Some(status), None) => StoreError::Remote(format!("HTTP {status}")),
        _ => StoreError::Remote(format!("{e:?}")),
    }
}

impl S3Store {
    /// A client for the bucket, without checking it (see [`S3Store::connect`]).
    pub fn new(config: &S3Config) -> Self {
        let http =
            aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).build_https();
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(config.region.clone()))
            .force_path_style(config.path_style)
            .credentials_provider(Credentials::new(
                config.access_key_id.clone(),
                config.secret_access_key.clone(),
                None,
                None,
                "puente-config",
            ));
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Self { client: aws_sdk_s3::Client::from_conf(builder.build()), bucket: config.bucket.as_str().into() }
    }

    /// Connects and proves that the bucket enforces create-if-absent: a probe key is
    /// created twice, and the second create must be refused.
    pub async fn connect(config: &S3Config) -> Result<Self, StoreError> {
        let store = Self::new(config);
        store
            .client
            .head_bucket()
            .bucket(&*store.bucket)
            .send()
            .await
            .map_err(|e| StoreError::Remote(format!("bucket {:?} is not reachable: {}", config.bucket, remote(e))))?;
        let mut id = [0u8; 8];
        getrandom::getrandom(&mut id).map_err(|e| StoreError::Remote(e.to_string()))?;
        let probe = ObjectKey::parse(format!("probe/{}", id.iter().map(|b| format!("{b:02x}")).collect::<String>()))
            .expect("valid probe key");
        let first = store.create(&probe, Bytes::from_static(b"first")).await?;
        let second = store.create(&probe, Bytes::from_static(b"second")).await?;
        let kept = store.get(&probe).await?;
        store.delete(&probe).await?;
        if first != Created::Created || second != Created::AlreadyExists || kept.as_deref() != Some(b"first".as_slice())
        {
            return Err(StoreError::Unsafe(format!(
                "bucket {:?} accepted a second create of the same key (If-None-Match: * ignored); \
                 two devices could both win one revision, so Puente will not use this store",
                config.bucket
            )));
        }
        Ok(store)
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }
}

impl BlobStore for S3Store {
    async fn create(&self, key: &ObjectKey, bytes: Bytes) -> Result<Created, StoreError> {
        let mut backoff = Duration::from_millis(20);
        for _ in 0..CONFLICT_ATTEMPTS {
            let result = self
                .client
                .put_object()
                .bucket(&*self.bucket)
                .key(key.as_str())
                .if_none_match("*")
                .body(ByteStream::from(bytes.clone()))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(Created::Created),
                Err(e) => match e.raw_response().map(|r| r.status().as_u16()) {
                    Some(412) => return Ok(Created::AlreadyExists),
                    Some(409) => {
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    }
                    _ => return Err(remote(e)),
                },
            }
        }
        Err(StoreError::Remote(format!("create of {key} kept conflicting")))
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Bytes>, StoreError> {
        match self.client.get_object().bucket(&*self.bucket).key(key.as_str()).send().await {
            Ok(object) => {
                let body = object.body.collect().await.map_err(|e| StoreError::Remote(e.to_string()))?;
                Ok(Some(body.into_bytes()))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(remote(e)),
        }
    }

    async fn list(&self, prefix: &str, start_after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut after = start_after.map(str::to_owned);
        while keys.len() < limit {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&*self.bucket)
                .prefix(prefix)
                .set_start_after(after.clone())
                .max_keys((limit - keys.len()).min(1000) as i32)
                .send()
                .await
                .map_err(remote)?;
            let found: Vec<String> = page.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
            let truncated = page.is_truncated().unwrap_or(false);
            after = found.last().cloned();
            keys.extend(found);
            if !truncated || after.is_none() {
                break;
            }
        }
        Ok(keys)
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError> {
        self.client.delete_object().bucket(&*self.bucket).key(key.as_str()).send().await.map_err(remote)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::S3Config;

    #[test]
    fn the_configuration_can_be_logged_without_its_secret() {
        let config = S3Config {
            endpoint: Some("http://127.0.0.1:9000".into()),
            region: "us-east-1".into(),
            bucket: "puente".into(),
            path_style: true,
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI-secret".into(),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("wJalrXUtnFEMI-secret"), "{shown}");
        assert!(shown.contains("AKIDEXAMPLE") && shown.contains("puente") && shown.contains("<redacted>"));
    }
}
