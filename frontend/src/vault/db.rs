//! IndexedDB access. Values are JSON strings of the records in `records.rs`; callers seal
//! before calling in, because an IndexedDB transaction closes across other awaits.

use super::records::{CaseRecord, OutboxEntry, SetAside, VaultHeader};
use indexed_db::{Database, Factory};
use js_sys::JsString;
use puente_shared::settings::OrganisationSettings;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub const VAULT: &str = "vault";
pub const CASES: &str = "cases";
pub const OUTBOX: &str = "outbox";
pub const META: &str = "meta";
const ALL: [&str; 4] = [VAULT, CASES, OUTBOX, META];
const VERSION: u32 = 1;
const HEADER_KEY: &str = "header";
const SETTINGS_KEY: &str = "settings";
const CURSOR_KEY: &str = "cursor";
const GROUP_DRAFT_KEY: &str = "group_draft";
const MEMBERSHIP_KEY: &str = "membership";
const SET_ASIDE_KEY: &str = "set_aside";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("IndexedDB: {0}")]
    Idb(String),
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
}

impl From<indexed_db::Error<DbError>> for DbError {
    fn from(error: indexed_db::Error<DbError>) -> Self {
        match error {
            indexed_db::Error::User(inner) => inner,
            other => Self::Idb(other.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, DbError>;

#[derive(Clone)]
pub struct DeviceDb {
    db: Rc<Database<DbError>>,
}

fn encode<T: Serialize>(value: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(value).expect("records serialise"))
}

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    let text = value.as_string().ok_or_else(|| DbError::Corrupt("not a string".into()))?;
    serde_json::from_str(&text).map_err(|e| DbError::Corrupt(e.to_string()))
}

fn key(k: &str) -> JsValue {
    JsString::from(k).into()
}

impl DeviceDb {
    pub async fn open(name: &str) -> Result<Self> {
        let factory = Factory::<DbError>::get()?;
        let db = factory
            .open(name, VERSION, |event| async move {
                let db = event.database();
                for store in ALL {
                    if !db.object_store_names().iter().any(|s| s == store) {
                        db.build_object_store(store).create()?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(Self { db: Rc::new(db) })
    }

    async fn get<T: DeserializeOwned + 'static>(&self, store: &'static str, k: String) -> Result<Option<T>> {
        let value = self
            .db
            .transaction(&[store])
            .run(move |t| async move { t.object_store(store)?.get(&key(&k)).await })
            .await?;
        value.map(decode).transpose()
    }

    async fn put(&self, store: &'static str, k: String, value: JsValue) -> Result<()> {
        self.db
            .transaction(&[store])
            .rw()
            .run(move |t| async move { t.object_store(store)?.put_kv(&key(&k), &value).await })
            .await?;
        Ok(())
    }

    async fn all<T: DeserializeOwned + 'static>(&self, store: &'static str) -> Result<Vec<T>> {
        let values = self
            .db
            .transaction(&[store])
            .run(move |t| async move { t.object_store(store)?.get_all(None).await })
            .await?;
        values.into_iter().map(decode).collect()
    }

    /// Every raw value of every store, as stored (for audits and tests).
    pub async fn raw_dump(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for store in ALL {
            let values = self
                .db
                .transaction(&[store])
                .run(move |t| async move { t.object_store(store)?.get_all(None).await })
                .await?;
            out.extend(values.into_iter().map(|v| v.as_string().unwrap_or_else(|| format!("{v:?}"))));
        }
        Ok(out)
    }

    pub async fn header(&self) -> Result<Option<VaultHeader>> {
        self.get(VAULT, HEADER_KEY.into()).await
    }

    /// Changes the stored header in one transaction, so that no other write (another tab's
    /// included) lands between reading it and writing it back; returns it as written.
    pub async fn update_header(&self, change: impl FnOnce(&mut VaultHeader) + 'static) -> Result<VaultHeader> {
        let header = self
            .db
            .transaction(&[VAULT])
            .rw()
            .run(move |t| async move {
                let store = t.object_store(VAULT)?;
                let missing = || indexed_db::Error::User(DbError::Corrupt("the vault header is gone".into()));
                let stored = store.get(&key(HEADER_KEY)).await?.ok_or_else(missing)?;
                let mut header: VaultHeader = decode(stored).map_err(indexed_db::Error::User)?;
                change(&mut header);
                store.put_kv(&key(HEADER_KEY), &encode(&header)).await?;
                Ok(header)
            })
            .await?;
        Ok(header)
    }

    pub async fn put_header(&self, header: &VaultHeader) -> Result<()> {
        self.put(VAULT, HEADER_KEY.into(), encode(header)).await
    }

    pub async fn cases(&self) -> Result<Vec<CaseRecord>> {
        self.all(CASES).await
    }

    pub async fn case(&self, id: puente_shared::CaseId) -> Result<Option<CaseRecord>> {
        self.get(CASES, id.to_string()).await
    }

    pub async fn put_case(&self, record: &CaseRecord) -> Result<()> {
        self.put(CASES, record.id.to_string(), encode(record)).await
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.all(OUTBOX).await
    }

    pub async fn put_outbox(&self, entry: &OutboxEntry) -> Result<()> {
        self.put(OUTBOX, entry.key(), encode(entry)).await
    }

    /// Updates a case and removes its outbox entry in one transaction: a push's outcome
    /// is recorded whole or not at all.
    pub async fn settle_push(&self, record: &CaseRecord) -> Result<()> {
        let (case_key, value) = (record.id.to_string(), encode(record));
        self.db
            .transaction(&[CASES, OUTBOX])
            .rw()
            .run(move |t| async move {
                t.object_store(CASES)?.put_kv(&key(&case_key), &value).await?;
                t.object_store(OUTBOX)?.delete(&key(&case_key)).await
            })
            .await?;
        Ok(())
    }

    pub async fn cursor(&self) -> Result<u64> {
        Ok(self.get(META, CURSOR_KEY.into()).await?.unwrap_or(0))
    }

    pub async fn put_cursor(&self, cursor: u64) -> Result<()> {
        self.put(META, CURSOR_KEY.into(), encode(&cursor)).await
    }

    /// The organisation's settings as last fetched (configuration, not case data: kept
    /// readable so follow-up dates are right offline).
    pub async fn settings(&self) -> Result<Option<OrganisationSettings>> {
        self.get(META, SETTINGS_KEY.into()).await
    }

    pub async fn put_settings(&self, settings: &OrganisationSettings) -> Result<()> {
        self.put(META, SETTINGS_KEY.into(), encode(settings)).await
    }

    /// The group session form being filled in, sealed (`Vault::seal_draft`).
    pub async fn group_draft(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.get::<Option<Vec<u8>>>(META, GROUP_DRAFT_KEY.into()).await?.flatten())
    }

    /// Keeps the sealed group session form, or forgets it (`None`) once it is recorded.
    pub async fn put_group_draft(&self, sealed: Option<&[u8]>) -> Result<()> {
        self.put(META, GROUP_DRAFT_KEY.into(), encode(&sealed)).await
    }

    /// The organisation's membership log as this device verified it, sealed
    /// (`Vault::seal_draft`).
    pub async fn membership(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.get::<Option<Vec<u8>>>(META, MEMBERSHIP_KEY.into()).await?.flatten())
    }

    pub async fn put_membership(&self, sealed: &[u8]) -> Result<()> {
        self.put(META, MEMBERSHIP_KEY.into(), encode(&Some(sealed))).await
    }

    /// Revisions from the server this device could not open or verify, kept as they came.
    pub async fn set_aside(&self) -> Result<Vec<SetAside>> {
        Ok(self.get(META, SET_ASIDE_KEY.into()).await?.unwrap_or_default())
    }

    pub async fn put_set_aside(&self, set_aside: &[SetAside]) -> Result<()> {
        self.put(META, SET_ASIDE_KEY.into(), encode(&set_aside)).await
    }
}
