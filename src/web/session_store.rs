//! Web sessions kept in the database (table `web_session`), so that any server instance can
//! serve any request.

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::db::Db;
use crate::{on_db, on_tx};

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

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

impl DbSessionStore {
    /// Runs one statement that writes a session row, through the database's writer (committed
    /// with the other writes waiting, on SQLite), and returns the rows it changed.
    async fn write(
        &self,
        sql: &'static str,
        id: String,
        data: String,
        expires: i64,
    ) -> Result<u64, sqlx::Error> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, conn => sqlx::query(sql).bind(&id).bind(&data).bind(expires)
                        .execute(&mut **conn).await.map(|r| r.rows_affected()))
                })
            })
            .await
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the astronomically rare collision, draw again.
        loop {
            let data = serde_json::to_string(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let id = record.id.to_string();
            let expires = record.expiry_date.unix_timestamp();
            let inserted = self
                .write(
                    "insert into web_session (id, data, expires_at) values ($1, $2, $3)
                     on conflict (id) do nothing",
                    id,
                    data,
                    expires,
                )
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let id = record.id.to_string();
        let expires = record.expiry_date.unix_timestamp();
        self.write(
            "insert into web_session (id, data, expires_at) values ($1, $2, $3)
             on conflict (id) do update set data = excluded.data, expires_at = excluded.expires_at",
            id,
            data,
            expires,
        )
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let id = session_id.to_string();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row: Option<(String, i64)> = on_db!(&self.db, pool => sqlx::query_as(
            "select data, expires_at from web_session where id = $1 and expires_at > $2",
        )
        .bind(&id)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        let Some((data, expires)) = row else { return Ok(None) };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let id = session_id.to_string();
        on_db!(&self.db, pool => sqlx::query("delete from web_session where id = $1")
            .bind(&id)
            .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        on_db!(&self.db, pool => sqlx::query("delete from web_session where expires_at <= $1")
            .bind(now)
            .execute(pool).await.map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}
