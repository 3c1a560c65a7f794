//! All of the outbox's SQL: enqueue inside a caller's transaction, claim a batch for sending
//! (safe with several server instances), record the outcome, list for the admin.

use super::{Attachment, Email, MAX_ATTEMPTS, backoff_secs};
use crate::db::{Db, Tx, now};
use crate::error::AppResult;
use crate::{on_db, on_tx};

/// A message of the outbox.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct OutboxMessage {
    /// Identifier.
    pub id: i64,
    /// Recipient.
    pub to_address: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// Attachments as JSON, if any.
    pub attachments: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When the next attempt may run (Unix seconds).
    pub next_attempt_at: i64,
    /// The last failure's cause.
    pub last_error: Option<String>,
    /// When it was queued (Unix seconds).
    pub created_at: i64,
    /// When it was sent (Unix seconds).
    pub sent_at: Option<i64>,
}

impl OutboxMessage {
    /// The attachments, decoded.
    pub fn attachment_list(&self) -> Vec<Attachment> {
        self.attachments.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, to_address, subject, body_text, attachments, status, attempts, \
    next_attempt_at, last_error, created_at, sent_at";

/// Queues an email inside the caller's transaction: it is sent only if the action commits.
pub async fn enqueue(tx: &mut Tx, email: &Email) -> AppResult<()> {
    let attachments = if email.attachments.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&email.attachments).map_err(anyhow::Error::from)?)
    };
    let now = now();
    on_tx!(tx, conn => sqlx::query(
        "insert into outbox (to_address, subject, body_text, attachments, status, attempts,
                             next_attempt_at, created_at)
         values ($1, $2, $3, $4, 'pending', 0, $5, $5)")
        .bind(&email.to).bind(&email.subject).bind(&email.body_text).bind(attachments).bind(now)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Drops the messages still waiting for an address (when its account is deleted).
pub async fn drop_pending_to(tx: &mut Tx, address: &str) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("delete from outbox where to_address = $1 and status = 'pending'")
        .bind(address).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims up to `limit` due messages for `lease_secs`, so that no other instance sends them
/// meanwhile, and returns them. The claim is one conditional update: two instances never
/// claim the same message.
pub async fn claim_due(db: &Db, limit: i64, lease_secs: i64) -> AppResult<Vec<OutboxMessage>> {
    let now = now();
    let lock = crate::accounts::new_token();
    on_db!(db, pool => sqlx::query(
        "update outbox set lock_token = $1, locked_until = $2
         where id in (select id from outbox
                      where status = 'pending' and next_attempt_at <= $3
                        and (locked_until is null or locked_until < $3)
                      order by id limit $4)
           and status = 'pending' and (locked_until is null or locked_until < $3)")
        .bind(&lock).bind(now + lease_secs).bind(now).bind(limit).execute(pool).await.map(|r| r.rows_affected()))?;
    let sql = format!("select {COLUMNS} from outbox where lock_token = $1 order by id");
    Ok(on_db!(db, pool => sqlx::query_as::<_, OutboxMessage>(&sql).bind(&lock).fetch_all(pool).await)?)
}

/// Records a successful send.
pub async fn mark_sent(db: &Db, id: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "update outbox set status = 'sent', sent_at = $2, lock_token = null, locked_until = null,
         last_error = null where id = $1")
        .bind(id).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed attempt: retried later with backoff, or given up after too many.
pub async fn mark_failed(db: &Db, id: i64, attempts_before: i64, error: &str) -> AppResult<()> {
    let attempts = attempts_before + 1;
    let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
    let error: String = error.chars().take(500).collect();
    on_db!(db, pool => sqlx::query(
        "update outbox set status = $2, attempts = $3, next_attempt_at = $4, last_error = $5,
         lock_token = null, locked_until = null where id = $1")
        .bind(id).bind(status).bind(attempts).bind(now() + backoff_secs(attempts_before))
        .bind(error).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts a failed message back in the queue (admin action).
pub async fn retry(db: &Db, id: i64) -> AppResult<bool> {
    let result = on_db!(db, pool => sqlx::query(
        "update outbox set status = 'pending', attempts = 0, next_attempt_at = $2 where id = $1 and status = 'failed'")
        .bind(id).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// The newest messages, `limit` at a time before `before_id`, optionally only one status.
pub async fn list(
    db: &Db,
    status: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<OutboxMessage>> {
    let sql = format!(
        "select {COLUMNS} from outbox where ($1 = '' or status = $1) and id < $2 order by id desc limit $3"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, OutboxMessage>(&sql)
        .bind(status.unwrap_or("")).bind(before_id.unwrap_or(i64::MAX)).bind(limit)
        .fetch_all(pool).await)?)
}

/// One message.
pub async fn get(db: &Db, id: i64) -> AppResult<Option<OutboxMessage>> {
    let sql = format!("select {COLUMNS} from outbox where id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, OutboxMessage>(&sql).bind(id).fetch_optional(pool).await)?)
}

/// Deletes sent messages older than `before` (the cleaner keeps a few weeks for support).
pub async fn purge_sent(db: &Db, before: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query("delete from outbox where status = 'sent' and sent_at < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// How many messages are in each status.
pub async fn count_by_status(db: &Db) -> AppResult<Vec<(String, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, i64)>(
        "select status, count(*) from outbox group by status").fetch_all(pool).await)?)
}
