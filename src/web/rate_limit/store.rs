//! The `rate_limit` table's SQL.

use crate::db::Db;
use crate::error::AppResult;
use crate::on_db;

/// Counts one hit for the hashed key in the window starting at `window_start` (a new window
/// starts the count again) and returns the hits counted in it, in one statement.
pub async fn hit(db: &Db, hashed_key: &str, window_start: i64) -> AppResult<i64> {
    let hits: i64 = on_db!(db, pool => sqlx::query_scalar(
        "insert into rate_limit (key, window_start, hits) values ($1, $2, 1)
         on conflict (key) do update set
           hits = case when rate_limit.window_start = excluded.window_start
                       then rate_limit.hits + 1 else 1 end,
           window_start = excluded.window_start
         returning hits",
    )
    .bind(hashed_key)
    .bind(window_start)
    .fetch_one(pool)
    .await)?;
    Ok(hits)
}

/// Forgets the windows that started before `before`.
pub async fn purge(db: &Db, before: i64) -> AppResult<u64> {
    let done = on_db!(db, pool => sqlx::query("delete from rate_limit where window_start < $1")
        .bind(before)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
