//! Web sessions kept in the database (table `web_session`), so that any server instance can
//! serve any request. The table holds the SHA-256 of each session id, never the id itself: a
//! copy of the database (a backup, a leaked dump) gives no cookie to replay.

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

mod store;

use crate::db::Db;
use crate::error::AppResult;

/// A [`SessionStore`] over either backend.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// The key a session is stored under: the hash of the id its cookie carries.
fn stored_key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the astronomically rare collision, draw again.
        loop {
            let data = serde_json::to_string(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let id = stored_key(&record.id);
            let expires = record.expiry_date.unix_timestamp();
            let inserted = store::insert(&self.db, id, data, expires).await.map_err(backend)?;
            if inserted {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let id = stored_key(&record.id);
        let expires = record.expiry_date.unix_timestamp();
        store::upsert(&self.db, id, data, expires).await.map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let id = stored_key(session_id);
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row = store::load(&self.db, &id, now).await.map_err(backend)?;
        let Some((data, expires)) = row else { return Ok(None) };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let id = stored_key(session_id);
        store::delete(&self.db, &id).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        store::delete_expired(&self.db, now).await.map_err(backend)?;
        Ok(())
    }
}

/// Deletes the sessions expired at `now` (run by the cleaner job).
pub async fn purge_expired(db: &Db, now: i64) -> AppResult<()> {
    Ok(store::delete_expired(db, now).await?)
}
