//! The embedded filesystem store. Create-if-absent is a hard link of a fully written and
//! fsynced temporary file: `link` refuses to replace, so exactly one writer wins, and a
//! crash leaves either no object or a whole one — never a torn one.

use super::{BlobStore, Created, ObjectKey, StoreError};
use bytes::Bytes;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where temporary files are written: inside the root (same filesystem, so `link` works)
/// but never a valid key, so never listed.
const TMP_DIR: &str = ".tmp";

#[derive(Clone, Debug)]
pub struct FsStore {
    root: Arc<PathBuf>,
}

impl FsStore {
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        fs::create_dir_all(root.join(TMP_DIR))?;
        // Leftovers of writes interrupted by a crash are garbage, never objects.
        for entry in fs::read_dir(root.join(TMP_DIR))? {
            let _ = fs::remove_file(entry?.path());
        }
        Ok(Self { root: Arc::new(root) })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &ObjectKey) -> PathBuf {
        self.root.join(key.as_str())
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn create_blocking(root: &Path, target: &Path, bytes: &[u8]) -> io::Result<Created> {
    let parent = target.parent().expect("object paths have a parent");
    if !parent.exists() {
        fs::create_dir_all(parent)?;
        // Make the new directory entries durable up to the root.
        let mut dir = parent;
        while let Some(up) = dir.parent() {
            sync_dir(up)?;
            if up == root {
                break;
            }
            dir = up;
        }
    }
    let mut name = [0u8; 16];
    getrandom::getrandom(&mut name).map_err(io::Error::other)?;
    let tmp = root.join(TMP_DIR).join(name.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let result = (|| {
        let mut file = File::create_new(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        match fs::hard_link(&tmp, target) {
            Ok(()) => {
                sync_dir(parent)?;
                Ok(Created::Created)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(Created::AlreadyExists),
            Err(e) => Err(e),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result
}

/// Every key below `dir` (relative to `root`), recursively.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let key: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            out.push(key.join("/"));
        }
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> io::Result<T> + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Io(io::Error::other(e)))?.map_err(StoreError::Io)
}

impl BlobStore for FsStore {
    async fn create(&self, key: &ObjectKey, bytes: Bytes) -> Result<Created, StoreError> {
        let root = self.root.clone();
        let target = self.path_of(key);
        blocking(move || create_blocking(&root, &target, &bytes)).await
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Bytes>, StoreError> {
        let path = self.path_of(key);
        blocking(move || match fs::read(path) {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn list(&self, prefix: &str, start_after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        let start_after = start_after.map(str::to_owned);
        blocking(move || {
            // Walk only the deepest directory the prefix names.
            let dir = match prefix.rfind('/') {
                Some(i) => root.join(&prefix[..i]),
                None => root.to_path_buf(),
            };
            let mut keys = Vec::new();
            walk(&root, &dir, &mut keys)?;
            keys.retain(|k| k.starts_with(&prefix) && start_after.as_deref().is_none_or(|after| k.as_str() > after));
            keys.sort_unstable();
            keys.truncate(limit);
            Ok(keys)
        })
        .await
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError> {
        let path = self.path_of(key);
        blocking(move || match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }
}
