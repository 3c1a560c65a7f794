//! Fixed-window rate limits counted in the database, so that they hold across server instances.

mod store;

use sha2::{Digest, Sha256};

use crate::db::{Db, now};
use crate::error::{AppError, AppResult};

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
    store::hit(db, &hashed, window_start).await
}

/// Forgets the windows that ended before `before` (run by the cleaner job).
pub async fn purge(db: &Db, before: i64) -> AppResult<u64> {
    store::purge(db, before).await
}
