//! The `web_session` table's SQL.

use crate::db::Db;
use crate::{on_db, on_tx};

/// Inserts a session row unless its id exists; true when inserted. Through the database's
/// writer (committed with the other writes waiting, on SQLite).
pub async fn insert(db: &Db, id: String, data: String, expires_at: i64) -> Result<bool, sqlx::Error> {
    write(
        db,
        "insert into web_session (id, data, expires_at) values ($1, $2, $3) on conflict (id) do nothing",
        id,
        data,
        expires_at,
    )
    .await
    .map(|rows| rows == 1)
}

/// Inserts or replaces a session row, through the database's writer.
pub async fn upsert(db: &Db, id: String, data: String, expires_at: i64) -> Result<(), sqlx::Error> {
    write(
        db,
        "insert into web_session (id, data, expires_at) values ($1, $2, $3)
         on conflict (id) do update set data = excluded.data, expires_at = excluded.expires_at",
        id,
        data,
        expires_at,
    )
    .await
    .map(|_| ())
}

async fn write(
    db: &Db,
    sql: &'static str,
    id: String,
    data: String,
    expires: i64,
) -> Result<u64, sqlx::Error> {
    db.write(move |tx| {
        Box::pin(async move {
            on_tx!(tx, conn => sqlx::query(sql).bind(&id).bind(&data).bind(expires)
                .execute(&mut **conn).await.map(|r| r.rows_affected()))
        })
    })
    .await
}

/// The data and expiry of a session that has not expired at `now`.
pub async fn load(db: &Db, id: &str, now: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select data, expires_at from web_session where id = $1 and expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await)
}

/// Deletes one session.
pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    on_db!(db, pool => sqlx::query("delete from web_session where id = $1")
        .bind(id)
        .execute(pool).await.map(|_| ()))
}

/// Deletes the sessions expired at `now`.
pub async fn delete_expired(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    on_db!(db, pool => sqlx::query("delete from web_session where expires_at <= $1")
        .bind(now)
        .execute(pool).await.map(|_| ()))
}
