//! The jobs' SQL: the leases that keep two instances from doing the same work.

use crate::db::{Db, now};
use crate::error::AppResult;
use crate::on_db;

/// Takes the lease `name` for `secs` if it is free or already ours; true when taken. One
/// statement, so two instances never both take it.
pub async fn try_lease(db: &Db, name: &str, holder: &str, secs: i64) -> AppResult<bool> {
    let now = now();
    let result = on_db!(db, pool => sqlx::query(
        "insert into job_lease (name, holder, locked_until) values ($1, $2, $3)
         on conflict (name) do update set holder = excluded.holder, locked_until = excluded.locked_until
         where job_lease.locked_until <= $4")
        .bind(name).bind(holder).bind(now + secs).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}
