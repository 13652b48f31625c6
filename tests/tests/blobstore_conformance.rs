//! One suite, run against every BlobStore: the embedded filesystem store and a real
//! S3-compatible server (SeaweedFS). A store that does not enforce create-if-absent fails it.

use bytes::Bytes;
use puente_backend::store::{BlobStore, Created, FsStore, ObjectKey};
use std::sync::Arc;

fn key(raw: &str) -> ObjectKey {
    ObjectKey::parse(raw).unwrap()
}

async fn create_then_get_returns_the_bytes(store: impl BlobStore) {
    let k = key("tenants/t/cases/c/000000000001");
    assert_eq!(store.get(&k).await.unwrap(), None);
    assert_eq!(store.create(&k, Bytes::from_static(b"first")).await.unwrap(), Created::Created);
    assert_eq!(store.get(&k).await.unwrap().as_deref(), Some(b"first".as_slice()));
}

async fn a_second_create_changes_nothing(store: impl BlobStore) {
    let k = key("a/b");
    assert_eq!(store.create(&k, Bytes::from_static(b"one")).await.unwrap(), Created::Created);
    assert_eq!(store.create(&k, Bytes::from_static(b"two")).await.unwrap(), Created::AlreadyExists);
    assert_eq!(store.create(&k, Bytes::from_static(b"one")).await.unwrap(), Created::AlreadyExists);
    assert_eq!(store.get(&k).await.unwrap().as_deref(), Some(b"one".as_slice()));
}

async fn empty_and_large_objects_round_trip(store: impl BlobStore) {
    let empty = key("x/empty");
    store.create(&empty, Bytes::new()).await.unwrap();
    assert_eq!(store.get(&empty).await.unwrap().as_deref(), Some(b"".as_slice()));
    let large: Vec<u8> = (0..1024 * 1024).map(|i| (i * 31 % 251) as u8).collect();
    let big = key("x/large");
    store.create(&big, Bytes::from(large.clone())).await.unwrap();
    assert_eq!(store.get(&big).await.unwrap().as_deref(), Some(large.as_slice()));
}

async fn list_is_ordered_prefixed_paged_and_recursive(store: impl BlobStore) {
    for k in ["log/00000000000000000003", "log/00000000000000000001", "log/00000000000000000002", "logx/1", "a/b/c"] {
        store.create(&key(k), Bytes::from_static(b".")).await.unwrap();
    }
    let all = store.list("log/", None, 100).await.unwrap();
    assert_eq!(all, ["log/00000000000000000001", "log/00000000000000000002", "log/00000000000000000003"]);
    let after = store.list("log/", Some("log/00000000000000000001"), 100).await.unwrap();
    assert_eq!(after, ["log/00000000000000000002", "log/00000000000000000003"]);
    assert_eq!(store.list("log/", None, 2).await.unwrap().len(), 2);
    assert_eq!(store.list("a/", None, 10).await.unwrap(), ["a/b/c"]);
    assert!(store.list("nothing/", None, 10).await.unwrap().is_empty());
    assert_eq!(store.list("", None, 10).await.unwrap().len(), 5);
}

async fn delete_removes_and_tolerates_absence(store: impl BlobStore) {
    let k = key("d/e");
    store.create(&k, Bytes::from_static(b"x")).await.unwrap();
    store.delete(&k).await.unwrap();
    assert_eq!(store.get(&k).await.unwrap(), None);
    store.delete(&k).await.unwrap();
    assert_eq!(store.create(&k, Bytes::from_static(b"y")).await.unwrap(), Created::Created);
}

/// 8 writers race to create one key, 20 rounds: exactly one wins each round, and the
/// stored bytes are the winner's.
async fn concurrent_creates_have_exactly_one_winner(store: impl BlobStore) {
    for round in 0..20 {
        let k = Arc::new(key(&format!("race/{round}")));
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let writers: Vec<_> = (0..8u8)
            .map(|writer| {
                let (store, k, barrier) = (store.clone(), k.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    (writer, store.create(&k, Bytes::from(vec![writer; 64])).await.unwrap())
                })
            })
            .collect();
        let mut winners = Vec::new();
        for writer in writers {
            let (id, outcome) = writer.await.unwrap();
            if outcome == Created::Created {
                winners.push(id);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        assert_eq!(store.get(&k).await.unwrap().unwrap().as_ref(), vec![winners[0]; 64].as_slice(), "round {round}");
    }
}

macro_rules! conformance {
    ($module:ident, $make:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn create_then_get_returns_the_bytes() {
                let (store, _guard) = $make;
                super::create_then_get_returns_the_bytes(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_second_create_changes_nothing() {
                let (store, _guard) = $make;
                super::a_second_create_changes_nothing(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn empty_and_large_objects_round_trip() {
                let (store, _guard) = $make;
                super::empty_and_large_objects_round_trip(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn list_is_ordered_prefixed_paged_and_recursive() {
                let (store, _guard) = $make;
                super::list_is_ordered_prefixed_paged_and_recursive(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn delete_removes_and_tolerates_absence() {
                let (store, _guard) = $make;
                super::delete_removes_and_tolerates_absence(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
            async fn concurrent_creates_have_exactly_one_winner() {
                let (store, _guard) = $make;
                super::concurrent_creates_have_exactly_one_winner(store).await;
            }
        }
    };
}

fn fs_store() -> (FsStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (FsStore::open(dir.path()).unwrap(), dir)
}

conformance!(fs, fs_store());
conformance!(s3, (puente_tests::seaweed::fresh_store().await, ()));

#[tokio::test]
async fn fs_store_discards_interrupted_writes_and_never_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStore::open(dir.path()).unwrap();
    store.create(&key("k/1"), Bytes::from_static(b"whole")).await.unwrap();
    // A crash between writing the temporary file and linking it leaves only garbage.
    std::fs::write(dir.path().join(".tmp/deadbeef"), b"half-writ").unwrap();
    assert_eq!(store.list("", None, 10).await.unwrap(), ["k/1"]);
    let reopened = FsStore::open(dir.path()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path().join(".tmp")).unwrap().count(), 0);
    assert_eq!(reopened.get(&key("k/1")).await.unwrap().as_deref(), Some(b"whole".as_slice()));
}

#[tokio::test]
async fn a_bucket_that_ignores_if_none_match_is_refused_at_start_up() {
    let endpoint = puente_tests::careless_s3::start().await;
    let config = puente_backend::store::S3Config {
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        bucket: "careless".into(),
        path_style: true,
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
    };
    match puente_backend::store::S3Store::connect(&config).await {
        Err(puente_backend::store::StoreError::Unsafe(message)) => {
            assert!(message.contains("If-None-Match"), "{message}")
        }
        other => panic!("a store that overwrites on create must be refused, got {other:?}"),
    }
}
