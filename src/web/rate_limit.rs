//! Fixed-window rate limits counted in the database, so that they hold across server instances.

use sha2::{Digest, Sha256};

use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::on_db;

/// Counts one attempt under `key` and fails with [`AppError::RateLimited`] once more than
/// `limit` attempts were counted in the current window of `window_secs`.
///
/// The key is hashed before it is stored: keys contain addresses and emails, which must not
/// sit in clear text in a table nobody reads.
pub async fn check(db: &Db, key: &str, limit: i64, window_secs: i64) -> AppResult<()> {
    let hits = hit(db, key, window_secs).await?;
    if hits > limit { Err(AppError::RateLimited) } else { Ok(()) }
}

/// Counts one attempt and returns the number counted in the current window (one statement, so
/// concurrent attempts are all counted).
pub async fn hit(db: &Db, key: &str, window_secs: i64) -> AppResult<i64> {
    let now = now();
    let window_start = now - now.rem_euclid(window_secs);
    let hashed = hex::encode(Sha256::digest(key.as_bytes()));
    let hits: i64 = on_db!(db, pool => sqlx::query_scalar(
        "insert into rate_limit (key, window_start, hits) values ($1, $2, 1)
         on conflict (key) do update set
           hits = case when rate_limit.window_start = excluded.window_start
                       then rate_limit.hits + 1 else 1 end,
           window_start = excluded.window_start
         returning hits",
    )
    .bind(&hashed)
    .bind(window_start)
    .fetch_one(pool)
    .await)?;
    Ok(hits)
}

/// Forgets the windows that ended before `before` (run by the cleaner job).
pub async fn purge(db: &Db, before: i64) -> AppResult<u64> {
    let done = on_db!(db, pool => sqlx::query("delete from rate_limit where window_start < $1")
        .bind(before)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
