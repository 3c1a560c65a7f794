//! All of the accounts context's SQL: users, memberships, email tokens, API tokens and the
//! second factor with its recovery codes.

use serde::Serialize;

use super::{Role, User};
use crate::db::{Db, Exec, Tx, now};
use crate::error::AppResult;
use crate::web::i18n::Lang;
use crate::{on_db, on_exec, on_tx};

const USER_COLUMNS: &str =
    "id, email, display_name, is_admin, locale, email_confirmed_at, session_version, created_at";

/// Inserts an account; `None` when the email is already taken.
pub async fn insert_user(
    tx: &mut Tx,
    email: &str,
    name: &str,
    hash: &str,
    lang: Lang,
) -> AppResult<Option<User>> {
    let now = crate::db::now();
    let sql = format!(
        "insert into app_user (email, display_name, password_hash, locale, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)
         on conflict (email) do nothing
         returning {USER_COLUMNS}"
    );
    let user = on_tx!(tx, conn => sqlx::query_as::<_, User>(&sql)
        .bind(email).bind(name).bind(hash).bind(lang.code()).bind(now)
        .fetch_optional(&mut **conn).await)?;
    Ok(user)
}

/// The account with this email and its password hash.
pub async fn find_user_with_hash(db: &Db, email: &str) -> AppResult<Option<(User, String)>> {
    let sql = format!("select {USER_COLUMNS}, password_hash from app_user where email = $1");
    let row = on_db!(db, pool => {
        use sqlx::Row;
        sqlx::query(&sql).bind(email).fetch_optional(pool).await?
            .map(|row| -> Result<(User, String), sqlx::Error> {
                Ok((sqlx::FromRow::from_row(&row)?, row.try_get("password_hash")?))
            })
            .transpose()
    })?;
    Ok(row)
}

/// The account with this id.
pub async fn user_by_id(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from app_user where id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// Marks the address confirmed (keeps the first confirmation time).
pub async fn mark_confirmed(tx: &mut Tx, user_id: i64, now: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update app_user set email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2
         where id = $1")
        .bind(user_id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the instance-admin flag.
pub async fn set_admin(tx: &mut Tx, user_id: i64, is_admin: bool) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update app_user set is_admin = $2 where id = $1")
        .bind(user_id).bind(is_admin).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Switches to a new, confirmed address; false when another account took it meanwhile.
pub async fn set_email(tx: &mut Tx, user_id: i64, email: &str, now: i64) -> AppResult<bool> {
    let result = on_tx!(tx, conn => sqlx::query(
        "update app_user set email = $2, email_confirmed_at = $3, updated_at = $3
         where id = $1 and not exists (select 1 from app_user other where other.email = $2)")
        .bind(user_id).bind(email).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Stores a new password hash and bumps the session version; returns the new version.
pub async fn set_password(tx: &mut Tx, user_id: i64, hash: &str, now: i64) -> AppResult<i64> {
    let version: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "update app_user set password_hash = $2, session_version = session_version + 1,
         updated_at = $3 where id = $1 returning session_version")
        .bind(user_id).bind(hash).bind(now).fetch_one(&mut **conn).await)?;
    Ok(version)
}

/// Deletes an account; memberships and tokens go by cascade.
pub async fn delete_user(tx: &mut Tx, user_id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("delete from app_user where id = $1")
        .bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An email link's token, once taken.
#[derive(Debug, sqlx::FromRow)]
pub struct TakenToken {
    /// The account it belongs to.
    pub user_id: i64,
    /// The new address, for an email change.
    pub new_email: Option<String>,
}

/// Records an email link's token.
pub async fn insert_email_token(
    tx: &mut Tx,
    user_id: i64,
    purpose: &str,
    token_hash: &str,
    new_email: Option<&str>,
    expires_at: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into email_token (user_id, purpose, token_hash, new_email, expires_at, created_at)
         values ($1, $2, $3, $4, $5, $6)")
        .bind(user_id).bind(purpose).bind(token_hash).bind(new_email).bind(expires_at)
        .bind(crate::db::now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Uses up a valid, unused token of one of `purposes`, in one statement so that a link works
/// once even when opened twice at the same moment.
pub async fn take_email_token(
    tx: &mut Tx,
    token_hash: &str,
    purposes: &[&str],
    now: i64,
) -> AppResult<Option<TakenToken>> {
    let [first, second] = match purposes {
        [one] => [*one, *one],
        [one, two] => [*one, *two],
        _ => return Ok(None),
    };
    let found = on_tx!(tx, conn => sqlx::query_as::<_, TakenToken>(
        "update email_token set used_at = $2
         where token_hash = $1 and used_at is null and expires_at > $2 and purpose in ($3, $4)
         returning user_id, new_email")
        .bind(token_hash).bind(now).bind(first).bind(second)
        .fetch_optional(&mut **conn).await)?;
    Ok(found)
}

/// True when an unused, unexpired token of `purpose` has this hash.
pub async fn email_token_is_valid(db: &Db, token_hash: &str, purpose: &str, now: i64) -> AppResult<bool> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select id from email_token where token_hash = $1 and purpose = $2 and used_at is null and expires_at > $3")
        .bind(token_hash).bind(purpose).bind(now).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// Deletes email tokens that expired before `before` (run by the cleaner job).
pub async fn purge_email_tokens(db: &Db, before: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query("delete from email_token where expires_at < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// A role held in a territory.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct MembershipRow {
    /// The territory's id.
    pub territory_id: i64,
    /// The territory's slug.
    pub territory_slug: String,
    /// The territory's name.
    pub territory_name: String,
    /// The role's stored name.
    pub role: String,
    /// Since when (Unix seconds).
    pub created_at: i64,
}

/// Grants a role (nothing happens when it is already held).
pub async fn grant_role(tx: &mut Tx, user_id: i64, territory_id: i64, role: Role) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into membership (user_id, territory_id, role, created_at) values ($1, $2, $3, $4)
         on conflict (user_id, territory_id, role) do nothing")
        .bind(user_id).bind(territory_id).bind(role.as_str()).bind(crate::db::now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes a role.
pub async fn revoke_role(db: &Db, user_id: i64, territory_id: i64, role: Role) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "delete from membership where user_id = $1 and territory_id = $2 and role = $3")
        .bind(user_id).bind(territory_id).bind(role.as_str()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// True when the account holds the role in the territory.
pub async fn has_role(db: &Db, user_id: i64, territory_id: i64, role: Role) -> AppResult<bool> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select id from membership where user_id = $1 and territory_id = $2 and role = $3")
        .bind(user_id).bind(territory_id).bind(role.as_str()).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// The accounts holding `role` in a territory (to notify moderators, say).
pub async fn users_with_role(db: &Db, territory_id: i64, role: Role) -> AppResult<Vec<User>> {
    let sql = format!(
        "select {} from app_user where id in (select user_id from membership where territory_id = $1 and role = $2) order by id",
        USER_COLUMNS
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, User>(&sql).bind(territory_id).bind(role.as_str()).fetch_all(pool).await)?,
    )
}

/// Several accounts by id (one query).
pub async fn users_by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are integers formatted here, never text from a request.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("select {USER_COLUMNS} from app_user where id in ({list}) order by id");
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(&sql).fetch_all(pool).await)?)
}

/// The roles of an account, by territory.
pub async fn memberships_of(db: &Db, user_id: i64) -> AppResult<Vec<MembershipRow>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, MembershipRow>(
        "select m.territory_id, t.slug as territory_slug, t.name as territory_name, m.role, m.created_at
         from membership m join territory t on t.id = m.territory_id
         where m.user_id = $1 order by t.name, m.role")
        .bind(user_id).fetch_all(pool).await)?)
}

/// Accounts whose email or name contains `query`, newest first, `limit` at a time after
/// `before_id` (keyset pagination).
pub async fn list_users(db: &Db, query: &str, before_id: Option<i64>, limit: i64) -> AppResult<Vec<User>> {
    let pattern = format!("%{}%", query.trim().to_lowercase());
    let sql = format!(
        "select {USER_COLUMNS} from app_user
         where (lower(email) like $1 or lower(display_name) like $1) and id < $2
         order by id desc limit $3"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(&sql)
        .bind(&pattern).bind(before_id.unwrap_or(i64::MAX)).bind(limit)
        .fetch_all(pool).await)?)
}

/// The roles of several accounts at once (no query per account).
pub async fn memberships_of_many(db: &Db, user_ids: &[i64]) -> AppResult<Vec<(i64, MembershipRow)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = user_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // The ids are integers formatted here, never text from a request.
    let sql = format!(
        "select m.user_id, m.territory_id, t.slug as territory_slug, t.name as territory_name, m.role, m.created_at
         from membership m join territory t on t.id = m.territory_id
         where m.user_id in ({ids}) order by t.name, m.role"
    );
    let rows = on_db!(db, pool => {
        use sqlx::Row;
        sqlx::query(&sql).fetch_all(pool).await?.into_iter()
            .map(|row| Ok((row.try_get("user_id")?, sqlx::FromRow::from_row(&row)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    Ok(rows)
}

/// A personal API token, without its secret.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct ApiTokenRow {
    /// Identifier.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// Creation time (Unix seconds).
    pub created_at: i64,
    /// Last use (Unix seconds).
    pub last_used_at: Option<i64>,
    /// When it stops working (Unix seconds).
    pub expires_at: Option<i64>,
}

/// Records a new API token's hash.
pub async fn insert_api_token(
    db: &Db,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into api_token (user_id, name, token_hash, created_at, expires_at) values ($1, $2, $3, $4, $5)")
        .bind(user_id).bind(name).bind(token_hash).bind(now).bind(expires_at)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The API tokens of an account.
pub async fn api_tokens_of(db: &Db, user_id: i64) -> AppResult<Vec<ApiTokenRow>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, ApiTokenRow>(
        "select id, name, created_at, last_used_at, expires_at from api_token where user_id = $1 order by id")
        .bind(user_id).fetch_all(pool).await)?)
}

/// Deletes one token of an account; false when it has no such token.
pub async fn delete_api_token(db: &Db, user_id: i64, token_id: i64) -> AppResult<bool> {
    let result = on_db!(db, pool => sqlx::query("delete from api_token where id = $1 and user_id = $2")
        .bind(token_id).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Revokes what an intruder could keep after the password changes: every API token and every
/// pending email change or reset link of the account. Returns how many tokens went.
pub async fn revoke_credentials(tx: &mut Tx, user_id: i64) -> AppResult<u64> {
    let tokens = on_tx!(tx, conn => sqlx::query("delete from api_token where user_id = $1")
        .bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, conn => sqlx::query(
        "delete from email_token where user_id = $1 and purpose in ('change_email', 'reset')")
        .bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(tokens)
}

/// A user row with the last use of the token that found it.
#[derive(sqlx::FromRow)]
struct TokenUser {
    #[sqlx(flatten)]
    user: User,
    token_used_at: Option<i64>,
}

/// The account of a token hash, noting the use at most once a minute: the common request only
/// reads, so API calls do not queue for SQLite's write lock just to record a timestamp.
pub async fn user_by_api_token(db: &Db, token_hash: &str, now: i64) -> AppResult<Option<User>> {
    let sql = format!(
        "select {USER_COLUMNS}, (select last_used_at from api_token where token_hash = $1) as token_used_at
         from app_user where id = (select user_id from api_token where token_hash = $1
           and (expires_at is null or expires_at > $2))"
    );
    let found = on_db!(db, pool => sqlx::query_as::<_, TokenUser>(&sql)
        .bind(token_hash).bind(now).fetch_optional(pool).await)?;
    let Some(found) = found else {
        return Ok(None);
    };
    if found.token_used_at.is_none_or(|at| at < now - 60) {
        on_db!(db, pool => sqlx::query(
            "update api_token set last_used_at = $2
             where token_hash = $1 and (last_used_at is null or last_used_at < $2 - 60)")
            .bind(token_hash).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some(found.user))
}

/// The second factor's secret (hex) of a member and when it was confirmed.
pub async fn totp_secret(db: &Db, user_id: i64) -> AppResult<Option<(String, Option<i64>)>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "select secret, confirmed_at from user_totp where user_id = $1")
        .bind(user_id).fetch_optional(pool).await)?)
}

/// Stores a new, unconfirmed secret unless the member already has one.
pub async fn insert_totp_secret(db: &Db, user_id: i64, secret_hex: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "insert into user_totp (user_id, secret, created_at) values ($1, $2, $3) on conflict (user_id) do nothing")
        .bind(user_id).bind(secret_hex).bind(now()).execute(&mut **conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(())
}

/// Records `step` as the last accepted code (and confirms the set-up) when it is newer than the
/// last one; false when it is not (a replayed code).
pub async fn accept_totp_step(db: &Db, user_id: i64, step: i64) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let accepted = on_tx!(&mut tx, conn => sqlx::query(
        "update user_totp set last_step = $2, confirmed_at = coalesce(confirmed_at, $3)
         where user_id = $1 and last_step < $2")
        .bind(user_id).bind(step).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(accepted == 1)
}

/// Removes a member's second factor and its recovery codes.
pub async fn delete_totp(db: &Db, user_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    for sql in
        ["delete from totp_recovery_code where user_id = $1", "delete from user_totp where user_id = $1"]
    {
        on_tx!(&mut tx, conn => sqlx::query(sql).bind(user_id).execute(&mut **conn).await.map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces a member's recovery codes by these hashes.
pub async fn replace_recovery_codes(db: &Db, user_id: i64, hashes: &[String]) -> AppResult<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query("delete from totp_recovery_code where user_id = $1")
        .bind(user_id).execute(&mut **conn).await.map(|_| ()))?;
    for hash in hashes {
        on_tx!(&mut tx, conn => sqlx::query(
            "insert into totp_recovery_code (user_id, code_hash, created_at) values ($1, $2, $3)")
            .bind(user_id).bind(hash).bind(now()).execute(&mut **conn).await.map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// How many unused recovery codes a member has.
pub async fn unused_recovery_codes(db: &Db, user_id: i64) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select count(*) from totp_recovery_code where user_id = $1 and used_at is null")
        .bind(user_id).fetch_one(pool).await)?)
}

/// Marks an unused recovery code of a member used, in one statement (two requests with the same
/// code cannot both succeed); false when there is no such unused code.
pub async fn use_recovery_code(db: &Db, user_id: i64, hash: &str) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let used = on_tx!(&mut tx, conn => sqlx::query(
        "update totp_recovery_code set used_at = $3
         where user_id = $1 and code_hash = $2 and used_at is null")
        .bind(user_id).bind(hash).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(used == 1)
}
