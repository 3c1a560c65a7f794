//! All of the ledger context's SQL: currencies, accounts and their balances, transfers,
//! issuance requests and issuances, reconversions, payment requests, bank statements and
//! entries, the money audit log, and the audit's sums.

use serde::Serialize;

use crate::db::{Db, Exec, Tx};
use crate::error::AppResult;
use crate::{on_db, on_exec, on_tx};

/// A territory's currency.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Currency {
    /// The territory.
    pub territory_id: i64,
    /// Name, e.g. "Bulle".
    pub name: String,
    /// Symbol, e.g. "B".
    pub symbol: String,
    /// Payments allowed.
    pub is_enabled: bool,
    /// Members may pay other members.
    pub allows_member_payments: bool,
    /// Reconversion fee in basis points (300 = 3 %).
    pub reconversion_fee_bp: i64,
    /// The guarantee fund's IBAN, without spaces (empty when not set).
    pub bank_iban: String,
    /// The fund's account holder.
    pub bank_holder: String,
    /// Where and when members change euros, one place per line.
    pub exchange_points: String,
}

/// A ledger account.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Account {
    /// Identifier (the account number people see).
    pub id: i64,
    /// The territory.
    pub territory_id: i64,
    /// Stored kind (see `AccountKind`).
    pub kind: String,
    /// The user or business it belongs to; 0 for the association's accounts.
    pub owner_id: i64,
    /// Balance in cents.
    pub balance_cents: i64,
    /// Lowest balance allowed; `None` for no floor.
    pub floor_cents: Option<i64>,
}

/// An immutable transfer.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Transfer {
    /// Server identifier.
    pub id: i64,
    /// The territory.
    pub territory_id: i64,
    /// The id chosen by the client.
    pub client_id: String,
    /// Account debited.
    pub debit_account_id: i64,
    /// Account credited.
    pub credit_account_id: i64,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Stored kind.
    pub kind: String,
    /// Memo.
    pub memo: String,
    /// Who wrote it.
    pub author_user_id: Option<i64>,
    /// What it is about (issuance request, order, reconversion).
    pub reference: Option<String>,
    /// When (Unix seconds, set by the server).
    pub created_at: i64,
}

const ACCOUNT_COLUMNS: &str = "id, territory_id, kind, owner_id, balance_cents, floor_cents";
const TRANSFER_COLUMNS: &str = "id, territory_id, client_id, debit_account_id, credit_account_id, \
    amount_cents, kind, memo, author_user_id, reference, created_at";

/// The currency of a territory.
pub async fn currency(ex: impl Into<Exec<'_>>, territory_id: i64) -> AppResult<Option<Currency>> {
    let sql = "select territory_id, name, symbol, is_enabled, allows_member_payments, reconversion_fee_bp,
                 bank_iban, bank_holder, exchange_points
               from currency where territory_id = $1";
    Ok(
        on_exec!(ex.into(), conn => sqlx::query_as::<_, Currency>(sql).bind(territory_id).fetch_optional(conn).await)?,
    )
}

/// Every territory that has a currency.
pub async fn currency_territories(db: &Db) -> AppResult<Vec<i64>> {
    Ok(on_db!(db, pool => sqlx::query_scalar("select territory_id from currency order by territory_id")
        .fetch_all(pool).await)?)
}

/// Creates or renames (and enables) a territory's currency.
pub async fn upsert_currency(
    tx: &mut Tx,
    territory_id: i64,
    name: &str,
    symbol: &str,
    now: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into currency (territory_id, name, symbol, is_enabled, created_at, updated_at)
         values ($1, $2, $3, true, $4, $4)
         on conflict (territory_id) do update set name = excluded.name, symbol = excluded.symbol,
           is_enabled = true, updated_at = excluded.updated_at")
        .bind(territory_id).bind(name).bind(symbol).bind(now)
        .execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// Changes a currency's settings.
pub async fn update_settings(
    tx: &mut Tx,
    territory_id: i64,
    allows_member_payments: bool,
    fee_bp: i64,
    now: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update currency set allows_member_payments = $2, reconversion_fee_bp = $3, updated_at = $4
         where territory_id = $1")
        .bind(territory_id).bind(allows_member_payments).bind(fee_bp).bind(now)
        .execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// Changes the fund's bank details and the exchange points.
pub async fn update_bank_details(
    tx: &mut Tx,
    territory_id: i64,
    iban: &str,
    holder: &str,
    points: &str,
    now: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update currency set bank_iban = $2, bank_holder = $3, exchange_points = $4, updated_at = $5
         where territory_id = $1")
        .bind(territory_id).bind(iban).bind(holder).bind(points).bind(now)
        .execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// The account of `kind` and `owner_id`, created (with `floor`) if it does not exist yet.
pub async fn ensure_account(
    tx: &mut Tx,
    territory_id: i64,
    kind: &str,
    owner_id: i64,
    floor: Option<i64>,
    now: i64,
) -> AppResult<Account> {
    let insert =
        "insert into ledger_account (territory_id, kind, owner_id, balance_cents, floor_cents, created_at)
                  values ($1, $2, $3, 0, $4, $5) on conflict (territory_id, kind, owner_id) do nothing";
    let select = format!(
        "select {ACCOUNT_COLUMNS} from ledger_account where territory_id = $1 and kind = $2 and owner_id = $3"
    );
    let account = on_tx!(tx, conn => {
        sqlx::query(insert).bind(territory_id).bind(kind).bind(owner_id).bind(floor).bind(now)
            .execute(&mut **conn).await?;
        sqlx::query_as::<_, Account>(&select).bind(territory_id).bind(kind).bind(owner_id)
            .fetch_one(&mut **conn).await
    })?;
    Ok(account)
}

/// The account of `kind` and `owner_id`.
pub async fn account_of(
    ex: impl Into<Exec<'_>>,
    territory_id: i64,
    kind: &str,
    owner_id: i64,
) -> AppResult<Option<Account>> {
    let sql = format!(
        "select {ACCOUNT_COLUMNS} from ledger_account where territory_id = $1 and kind = $2 and owner_id = $3"
    );
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Account>(&sql)
        .bind(territory_id).bind(kind).bind(owner_id).fetch_optional(conn).await)?)
}

/// An account by number.
pub async fn account(db: &Db, id: i64) -> AppResult<Option<Account>> {
    let sql = format!("select {ACCOUNT_COLUMNS} from ledger_account where id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Account>(&sql).bind(id).fetch_optional(pool).await)?)
}

/// Every account of a territory (for the treasurer's export).
pub async fn accounts(db: &Db, territory_id: i64) -> AppResult<Vec<Account>> {
    let sql = format!("select {ACCOUNT_COLUMNS} from ledger_account where territory_id = $1 order by id");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Account>(&sql).bind(territory_id).fetch_all(pool).await)?)
}

/// The business accounts of a territory: (account, business id).
pub async fn business_accounts(db: &Db, territory_id: i64) -> AppResult<Vec<Account>> {
    let sql = format!(
        "select {ACCOUNT_COLUMNS} from ledger_account where territory_id = $1 and kind = 'business' order by id"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Account>(&sql).bind(territory_id).fetch_all(pool).await)?)
}

/// Claims a transfer's client id: inserts the transfer, or returns `None` when the id exists.
pub async fn insert_transfer(
    tx: &mut Tx,
    t: &crate::ledger::NewTransfer,
    now: i64,
) -> AppResult<Option<i64>> {
    let sql = "insert into ledger_transfer (territory_id, client_id, debit_account_id, credit_account_id,
                 amount_cents, kind, memo, author_user_id, reference, created_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               on conflict (client_id) do nothing returning id";
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(sql)
        .bind(t.territory_id).bind(&t.client_id).bind(t.debit_account_id).bind(t.credit_account_id)
        .bind(t.amount_cents).bind(t.kind.as_str()).bind(&t.memo).bind(t.author_user_id)
        .bind(&t.reference).bind(now)
        .fetch_optional(&mut **conn).await)?)
}

/// Which of these client ids a transfer already has (one query).
pub async fn existing_client_ids(db: &Db, ids: &[String]) -> AppResult<Vec<String>> {
    // Only ids made of hex digits and hyphens (our derived UUIDs) are put in the statement.
    let ids: Vec<&String> = ids
        .iter()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",");
    let sql = format!("select client_id from ledger_transfer where client_id in ({list})");
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, String>(&sql).fetch_all(pool).await)?)
}

/// A transfer by its client id.
pub async fn transfer_by_client_id(ex: impl Into<Exec<'_>>, client_id: &str) -> AppResult<Option<Transfer>> {
    let sql = format!("select {TRANSFER_COLUMNS} from ledger_transfer where client_id = $1");
    Ok(
        on_exec!(ex.into(), conn => sqlx::query_as::<_, Transfer>(&sql).bind(client_id).fetch_optional(conn).await)?,
    )
}

/// A transfer by its server id.
pub async fn transfer_by_id(db: &Db, id: i64) -> AppResult<Option<Transfer>> {
    let sql = format!("select {TRANSFER_COLUMNS} from ledger_transfer where id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Transfer>(&sql).bind(id).fetch_optional(pool).await)?)
}

/// Takes `amount` from an account if its floor allows, in one conditional statement; false
/// when the balance is too low (nothing changed).
pub async fn debit(tx: &mut Tx, account_id: i64, amount: i64) -> AppResult<bool> {
    let sql = "update ledger_account set balance_cents = balance_cents - $1
               where id = $2 and (floor_cents is null or balance_cents - $1 >= floor_cents)";
    let done = on_tx!(tx, conn => sqlx::query(sql).bind(amount).bind(account_id)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Adds `amount` to an account.
pub async fn credit(tx: &mut Tx, account_id: i64, amount: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update ledger_account set balance_cents = balance_cents + $1 where id = $2")
        .bind(amount).bind(account_id).execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// Runs a bare statement (savepoints).
pub async fn execute(tx: &mut Tx, sql: &str) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(sql).execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// A line of an account's history: a transfer with the balance just after it.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct HistoryRow {
    /// The transfer.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub transfer: Transfer,
    /// The other account.
    pub other_account_id: i64,
    /// Its kind.
    pub other_kind: String,
    /// Its owner.
    pub other_owner_id: i64,
}

/// The newest transfers of an account, before `before_id` when given.
pub async fn history(
    db: &Db,
    account_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<HistoryRow>> {
    let sql = format!(
        "select t.id, t.territory_id, t.client_id, t.debit_account_id, t.credit_account_id, t.amount_cents,
                t.kind, t.memo, t.author_user_id, t.reference, t.created_at,
                o.id as other_account_id, o.kind as other_kind, o.owner_id as other_owner_id
         from (
           select {TRANSFER_COLUMNS} from ledger_transfer where debit_account_id = $1 and id < $2
           union all
           select {TRANSFER_COLUMNS} from ledger_transfer where credit_account_id = $1 and id < $2
         ) t
         join ledger_account o on o.id = case when t.debit_account_id = $1 then t.credit_account_id else t.debit_account_id end
         order by t.id desc limit $3"
    );
    let before = before_id.unwrap_or(i64::MAX);
    Ok(on_db!(db, pool => sqlx::query_as::<_, HistoryRow>(&sql)
        .bind(account_id).bind(before).bind(limit).fetch_all(pool).await)?)
}

/// The net effect on an account of its transfers numbered `from_id` and above.
pub async fn net_since(db: &Db, account_id: i64, from_id: i64) -> AppResult<i64> {
    let sql = "select cast(
        coalesce((select sum(amount_cents) from ledger_transfer where credit_account_id = $1 and id >= $2), 0)
      - coalesce((select sum(amount_cents) from ledger_transfer where debit_account_id = $1 and id >= $2), 0)
      as bigint)";
    let net: i64 = on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql)
        .bind(account_id).bind(from_id).fetch_one(pool).await)?;
    Ok(net)
}

/// Records a money operation in the audit log.
pub async fn log_event(
    tx: &mut Tx,
    territory_id: i64,
    actor: Option<i64>,
    action: &str,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into ledger_event (territory_id, actor_user_id, action, detail, created_at) values ($1, $2, $3, $4, $5)")
        .bind(territory_id).bind(actor).bind(action).bind(detail).bind(now)
        .execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// An entry of the money audit log.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Event {
    /// Identifier.
    pub id: i64,
    /// Who acted.
    pub actor_user_id: Option<i64>,
    /// What (stable name).
    pub action: String,
    /// Details (references and amounts, never personal data).
    pub detail: String,
    /// When.
    pub created_at: i64,
}

/// The newest audit log entries of a territory.
pub async fn events(db: &Db, territory_id: i64, limit: i64) -> AppResult<Vec<Event>> {
    let sql = "select id, actor_user_id, action, detail, created_at from ledger_event
               where territory_id = $1 order by id desc limit $2";
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Event>(sql).bind(territory_id).bind(limit).fetch_all(pool).await)?,
    )
}

/// An issuance request.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct IssuanceRequest {
    /// Identifier.
    pub id: i64,
    /// The territory.
    pub territory_id: i64,
    /// The member who asked.
    pub user_id: i64,
    /// The member's account.
    pub account_id: i64,
    /// Euros expected, in cents.
    pub amount_cents: i64,
    /// The code to write in the bank transfer's label.
    pub reference: String,
    /// pending, issued, expired.
    pub status: String,
    /// When it stops being matched automatically.
    pub expires_at: i64,
    /// When it was made.
    pub created_at: i64,
    /// When the units were issued.
    pub issued_at: Option<i64>,
}

const REQUEST_COLUMNS: &str = "id, territory_id, user_id, account_id, amount_cents, reference, status, expires_at, created_at, issued_at";

/// Records an issuance request; `None` when the reference is taken.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_issuance_request(
    tx: &mut Tx,
    territory_id: i64,
    user_id: i64,
    account_id: i64,
    amount_cents: i64,
    reference: &str,
    expires_at: i64,
    now: i64,
) -> AppResult<Option<IssuanceRequest>> {
    let sql = format!(
        "insert into issuance_request (territory_id, user_id, account_id, amount_cents, reference, status, expires_at, created_at)
         values ($1, $2, $3, $4, $5, 'pending', $6, $7) on conflict (reference) do nothing returning {REQUEST_COLUMNS}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, IssuanceRequest>(&sql)
        .bind(territory_id).bind(user_id).bind(account_id).bind(amount_cents).bind(reference)
        .bind(expires_at).bind(now).fetch_optional(&mut **conn).await)?)
}

/// An issuance request by reference (uppercase), in a territory, inside a transaction.
pub async fn issuance_request_by_reference(
    tx: &mut Tx,
    territory_id: i64,
    reference: &str,
) -> AppResult<Option<IssuanceRequest>> {
    let sql =
        format!("select {REQUEST_COLUMNS} from issuance_request where reference = $1 and territory_id = $2");
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, IssuanceRequest>(&sql)
        .bind(reference).bind(territory_id).fetch_optional(&mut **conn).await)?)
}

/// Marks a pending request issued; false when it was not pending any more.
pub async fn mark_request_issued(tx: &mut Tx, id: i64, transfer_id: i64, now: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "update issuance_request set status = 'issued', issued_at = $2, transfer_id = $3
         where id = $1 and status in ('pending', 'expired')")
        .bind(id).bind(now).bind(transfer_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks the pending requests past their time as expired.
pub async fn expire_requests(db: &Db, now: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query(
        "update issuance_request set status = 'expired' where status = 'pending' and expires_at < $1")
        .bind(now).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// A member's issuance requests, newest first.
pub async fn requests_of(db: &Db, territory_id: i64, user_id: i64) -> AppResult<Vec<IssuanceRequest>> {
    let sql = format!(
        "select {REQUEST_COLUMNS} from issuance_request where user_id = $1 and territory_id = $2
         order by created_at desc, id desc limit 20"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, IssuanceRequest>(&sql)
        .bind(user_id).bind(territory_id).fetch_all(pool).await)?)
}

/// The requests of a territory waiting for their euros.
pub async fn pending_requests(db: &Db, territory_id: i64) -> AppResult<Vec<IssuanceRequest>> {
    let sql = format!(
        "select {REQUEST_COLUMNS} from issuance_request where territory_id = $1 and status = 'pending'
         order by created_at, id limit 500"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, IssuanceRequest>(&sql).bind(territory_id).fetch_all(pool).await)?,
    )
}

/// Records an issuance (euros the fund should hold).
pub async fn insert_issuance(
    tx: &mut Tx,
    territory_id: i64,
    source: &str,
    amount_cents: i64,
    transfer_id: i64,
    operator: Option<i64>,
    now: i64,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into issuance (territory_id, source, amount_cents, transfer_id, operator_user_id, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (transfer_id) do nothing")
        .bind(territory_id).bind(source).bind(amount_cents).bind(transfer_id).bind(operator).bind(now)
        .execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// Units an operator issued at the desk of a territory since `since` (Unix seconds), in cents.
pub async fn desk_issued_since(tx: &mut Tx, territory_id: i64, operator: i64, since: i64) -> AppResult<i64> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "select cast(coalesce(sum(amount_cents), 0) as bigint) from issuance
         where territory_id = $1 and operator_user_id = $2 and created_at >= $3
           and source in ('desk_cash', 'desk_cheque')")
        .bind(territory_id).bind(operator).bind(since)
        .fetch_one(&mut **conn).await)?)
}

/// An issuance of the desk, with its member's account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeskRow {
    pub created_at: i64,
    pub source: String,
    pub amount_cents: i64,
    pub transfer_id: i64,
    pub account_id: i64,
    pub owner_id: i64,
}

/// An operator's desk issuances since `since`, newest first.
pub async fn desk_operations(
    db: &Db,
    territory_id: i64,
    operator: i64,
    since: i64,
) -> AppResult<Vec<DeskRow>> {
    let sql = "select i.created_at, i.source, i.amount_cents, i.transfer_id, a.id as account_id, a.owner_id
               from issuance i join ledger_transfer t on t.id = i.transfer_id
               join ledger_account a on a.id = t.credit_account_id
               where i.territory_id = $1 and i.operator_user_id = $2 and i.created_at >= $3
                 and i.source in ('desk_cash', 'desk_cheque')
               order by i.id desc";
    Ok(on_db!(db, pool => sqlx::query_as::<_, DeskRow>(sql)
        .bind(territory_id).bind(operator).bind(since).fetch_all(pool).await)?)
}

/// A reconversion.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Reconversion {
    /// Identifier.
    pub id: i64,
    /// The territory.
    pub territory_id: i64,
    /// The business.
    pub business_id: i64,
    /// Its account.
    pub account_id: i64,
    /// Units given back, in cents.
    pub amount_cents: i64,
    /// Fee kept, in cents.
    pub fee_cents: i64,
    /// Euros to pay, in cents.
    pub payout_cents: i64,
    /// The payout's reference, e.g. `R-2026-0007`.
    pub reference: String,
    /// pending or settled.
    pub status: String,
    /// When it was asked.
    pub created_at: i64,
    /// When its debit appeared on the statement.
    pub settled_at: Option<i64>,
}

const RECONVERSION_COLUMNS: &str = "id, territory_id, business_id, account_id, amount_cents, fee_cents, \
    payout_cents, reference, status, created_at, settled_at";

/// Records a reconversion; `None` when the reference is taken.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_reconversion(
    tx: &mut Tx,
    territory_id: i64,
    business_id: i64,
    account_id: i64,
    requested_by: Option<i64>,
    amount_cents: i64,
    fee_cents: i64,
    reference: &str,
    now: i64,
) -> AppResult<Option<Reconversion>> {
    let sql = format!(
        "insert into reconversion (territory_id, business_id, account_id, requested_by, amount_cents, fee_cents,
           payout_cents, reference, status, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)
         on conflict (reference) do nothing returning {RECONVERSION_COLUMNS}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Reconversion>(&sql)
        .bind(territory_id).bind(business_id).bind(account_id).bind(requested_by).bind(amount_cents)
        .bind(fee_cents).bind(amount_cents - fee_cents).bind(reference).bind(now)
        .fetch_optional(&mut **conn).await)?)
}

/// Gives a reconversion its final reference.
pub async fn set_reconversion_reference(tx: &mut Tx, id: i64, reference: &str) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update reconversion set reference = $2 where id = $1")
        .bind(id).bind(reference).execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// A reconversion by payout reference, in a territory, inside a transaction.
pub async fn reconversion_by_reference(
    tx: &mut Tx,
    territory_id: i64,
    reference: &str,
) -> AppResult<Option<Reconversion>> {
    let sql =
        format!("select {RECONVERSION_COLUMNS} from reconversion where reference = $1 and territory_id = $2");
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Reconversion>(&sql)
        .bind(reference).bind(territory_id).fetch_optional(&mut **conn).await)?)
}

/// Marks a pending reconversion settled; false when it was not pending.
pub async fn mark_reconversion_settled(tx: &mut Tx, id: i64, now: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "update reconversion set status = 'settled', settled_at = $2 where id = $1 and status = 'pending'")
        .bind(id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Reconversions of a territory with `status`, oldest first.
pub async fn reconversions(db: &Db, territory_id: i64, status: &str) -> AppResult<Vec<Reconversion>> {
    let sql = format!(
        "select {RECONVERSION_COLUMNS} from reconversion where territory_id = $1 and status = $2
         order by created_at, id limit 500"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Reconversion>(&sql)
        .bind(territory_id).bind(status).fetch_all(pool).await)?)
}

/// A business's reconversions, newest first.
pub async fn reconversions_of(db: &Db, business_id: i64) -> AppResult<Vec<Reconversion>> {
    let sql = format!(
        "select {RECONVERSION_COLUMNS} from reconversion where business_id = $1 order by created_at desc, id desc limit 50"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Reconversion>(&sql).bind(business_id).fetch_all(pool).await)?)
}

/// A payment request.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct PaymentRequest {
    /// Identifier.
    pub id: i64,
    /// The territory.
    pub territory_id: i64,
    /// The token in its address.
    pub token: String,
    /// The account to pay.
    pub account_id: i64,
    /// The amount asked, or none (the payer types it).
    pub amount_cents: Option<i64>,
    /// What it is for.
    pub memo: String,
    /// When it was made.
    pub created_at: i64,
}

const PAYMENT_REQUEST_COLUMNS: &str = "id, territory_id, token, account_id, amount_cents, memo, created_at";

/// Records a payment request.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_payment_request(
    tx: &mut Tx,
    territory_id: i64,
    token: &str,
    account_id: i64,
    amount_cents: Option<i64>,
    memo: &str,
    created_by: i64,
    now: i64,
) -> AppResult<PaymentRequest> {
    let sql = format!(
        "insert into payment_request (territory_id, token, account_id, amount_cents, memo, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning {PAYMENT_REQUEST_COLUMNS}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, PaymentRequest>(&sql)
        .bind(territory_id).bind(token).bind(account_id).bind(amount_cents).bind(memo).bind(created_by).bind(now)
        .fetch_one(&mut **conn).await)?)
}

/// A payment request by token.
pub async fn payment_request(db: &Db, token: &str) -> AppResult<Option<PaymentRequest>> {
    let sql = format!("select {PAYMENT_REQUEST_COLUMNS} from payment_request where token = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, PaymentRequest>(&sql).bind(token).fetch_optional(pool).await)?)
}

/// The standing request without an amount of an account (its counter QR code), if any.
pub async fn standing_request(db: &Db, account_id: i64) -> AppResult<Option<PaymentRequest>> {
    let sql = format!(
        "select {PAYMENT_REQUEST_COLUMNS} from payment_request where account_id = $1 and amount_cents is null
         and memo = '' order by id limit 1"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, PaymentRequest>(&sql).bind(account_id).fetch_optional(pool).await)?,
    )
}

/// An account's newest payment requests.
pub async fn payment_requests_of(db: &Db, account_id: i64) -> AppResult<Vec<PaymentRequest>> {
    let sql = format!(
        "select {PAYMENT_REQUEST_COLUMNS} from payment_request where account_id = $1 order by id desc limit 10"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, PaymentRequest>(&sql).bind(account_id).fetch_all(pool).await)?)
}

/// Records an imported statement.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_statement(
    tx: &mut Tx,
    territory_id: i64,
    format: &str,
    reference: &str,
    closing: Option<i64>,
    entry_count: i64,
    imported_by: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into bank_statement (territory_id, format, statement_ref, closing_balance_cents, entry_count,
           new_entry_count, imported_by, imported_at)
         values ($1, $2, $3, $4, $5, 0, $6, $7) returning id")
        .bind(territory_id).bind(format).bind(reference).bind(closing).bind(entry_count).bind(imported_by).bind(now)
        .fetch_one(&mut **conn).await)?)
}

/// Sets how many entries of a statement were new.
pub async fn set_new_entry_count(tx: &mut Tx, statement_id: i64, count: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update bank_statement set new_entry_count = $2 where id = $1")
        .bind(statement_id).bind(count).execute(&mut **conn).await.map(|_| ()))?;
    Ok(())
}

/// The closing balance of the newest statement that gave one.
pub async fn last_closing_balance(db: &Db, territory_id: i64) -> AppResult<Option<(i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "select closing_balance_cents, imported_at from bank_statement
         where territory_id = $1 and closing_balance_cents is not null order by id desc limit 1")
        .bind(territory_id).fetch_optional(pool).await)?)
}

/// A bank entry.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct BankEntry {
    /// Identifier.
    pub id: i64,
    /// Booking date.
    pub booked_on: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Money received.
    pub is_credit: bool,
    /// The other party.
    pub counterparty: String,
    /// The transfer's label.
    pub remittance: String,
    /// issued, settled, review, unrelated.
    pub status: String,
}

const ENTRY_COLUMNS: &str = "id, booked_on, amount_cents, is_credit, counterparty, remittance, status";

/// Records an entry seen for the first time; `None` when its key is known (already counted).
pub async fn insert_entry(
    tx: &mut Tx,
    territory_id: i64,
    statement_id: i64,
    entry: &super::statement::Entry,
    now: i64,
) -> AppResult<Option<i64>> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into bank_entry (territory_id, statement_id, entry_key, booked_on, amount_cents, is_credit,
           counterparty, remittance, status, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'review', $9)
         on conflict (territory_id, entry_key) do nothing returning id")
        .bind(territory_id).bind(statement_id).bind(&entry.key).bind(&entry.booked_on).bind(entry.amount_cents)
        .bind(entry.is_credit).bind(&entry.counterparty).bind(&entry.remittance).bind(now)
        .fetch_optional(&mut **conn).await)?)
}

/// What a bank entry turned out to be.
#[derive(Clone, Copy, Debug)]
pub enum EntryOutcome {
    /// The euros of an issuance request: its units were issued.
    Issued {
        /// The request.
        request_id: i64,
    },
    /// The euros paid out for a reconversion: it is settled.
    Settled {
        /// The reconversion.
        reconversion_id: i64,
    },
    /// Nothing to do with the currency.
    Unrelated,
}

/// Resolves an entry of a territory waiting for review; false when it was not waiting (or is
/// another territory's).
pub async fn resolve_entry(
    tx: &mut Tx,
    territory_id: i64,
    id: i64,
    outcome: EntryOutcome,
    by: i64,
    now: i64,
) -> AppResult<bool> {
    let (status, request_id, reconversion_id) = match outcome {
        EntryOutcome::Issued { request_id } => ("issued", Some(request_id), None),
        EntryOutcome::Settled { reconversion_id } => ("settled", None, Some(reconversion_id)),
        EntryOutcome::Unrelated => ("unrelated", None, None),
    };
    let done = on_tx!(tx, conn => sqlx::query(
        "update bank_entry set status = $2, issuance_request_id = $3, reconversion_id = $4, resolved_by = $5,
           resolved_at = $6 where id = $1 and territory_id = $7 and status = 'review'")
        .bind(id).bind(status).bind(request_id).bind(reconversion_id).bind(by).bind(now)
        .bind(territory_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// An entry of a territory.
pub async fn entry(ex: impl Into<Exec<'_>>, territory_id: i64, id: i64) -> AppResult<Option<BankEntry>> {
    let sql = format!("select {ENTRY_COLUMNS} from bank_entry where id = $1 and territory_id = $2");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, BankEntry>(&sql)
        .bind(id).bind(territory_id).fetch_optional(conn).await)?)
}

/// The entries waiting for the treasurer.
pub async fn entries_to_review(db: &Db, territory_id: i64) -> AppResult<Vec<BankEntry>> {
    let sql = format!(
        "select {ENTRY_COLUMNS} from bank_entry where territory_id = $1 and status = 'review' order by id limit 500"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, BankEntry>(&sql).bind(territory_id).fetch_all(pool).await)?)
}

/// The sums the audit compares.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Sums {
    /// Sum of every balance (must be 0).
    pub total_balance_cents: i64,
    /// Accounts whose balance differs from the sum of their transfers.
    pub mismatched_accounts: Vec<i64>,
    /// Accounts below their floor.
    pub accounts_below_floor: Vec<i64>,
    /// Units in circulation (minus the issuance account's balance).
    pub circulation_cents: i64,
    /// Euros received for issuance (bank transfers reconciled, exchange points).
    pub deposits_cents: i64,
    /// Euros paid out for reconversions (settled on the statement).
    pub payouts_cents: i64,
    /// Transfers whose accounts are not of the same territory.
    pub foreign_transfers: i64,
}

/// Computes the audit's sums for a territory in one read transaction.
pub async fn audit_sums(db: &Db, territory_id: i64) -> AppResult<Sums> {
    let total =
        "select cast(coalesce(sum(balance_cents), 0) as bigint) from ledger_account where territory_id = $1";
    let mismatched = "select a.id from ledger_account a
        left join (select credit_account_id as id, sum(amount_cents) as s from ledger_transfer
                   where territory_id = $1 group by credit_account_id) c on c.id = a.id
        left join (select debit_account_id as id, sum(amount_cents) as s from ledger_transfer
                   where territory_id = $1 group by debit_account_id) d on d.id = a.id
        where a.territory_id = $1 and a.balance_cents <> coalesce(c.s, 0) - coalesce(d.s, 0) order by a.id";
    let below = "select id from ledger_account where territory_id = $1 and floor_cents is not null
        and balance_cents < floor_cents order by id";
    let circulation = "select cast(coalesce(-sum(balance_cents), 0) as bigint) from ledger_account
        where territory_id = $1 and kind = 'issuance'";
    let deposits =
        "select cast(coalesce(sum(amount_cents), 0) as bigint) from issuance where territory_id = $1";
    let payouts = "select cast(coalesce(sum(payout_cents), 0) as bigint) from reconversion where territory_id = $1 and status = 'settled'";
    let foreign = "select count(*) from ledger_transfer t
        join ledger_account d on d.id = t.debit_account_id join ledger_account c on c.id = t.credit_account_id
        where t.territory_id = $1 and (d.territory_id <> $1 or c.territory_id <> $1)";
    // One transaction, so that the sums see one state even while transfers keep coming.
    let mut tx = db.begin_snapshot().await?;
    let sums = on_tx!(&mut tx, conn => {
        let total_balance_cents: i64 = sqlx::query_scalar(total).bind(territory_id).fetch_one(&mut **conn).await?;
        let mismatched_accounts: Vec<i64> =
            sqlx::query_scalar(mismatched).bind(territory_id).fetch_all(&mut **conn).await?;
        let accounts_below_floor: Vec<i64> = sqlx::query_scalar(below).bind(territory_id).fetch_all(&mut **conn).await?;
        let circulation_cents: i64 = sqlx::query_scalar(circulation).bind(territory_id).fetch_one(&mut **conn).await?;
        let deposits_cents: i64 = sqlx::query_scalar(deposits).bind(territory_id).fetch_one(&mut **conn).await?;
        let payouts_cents: i64 = sqlx::query_scalar(payouts).bind(territory_id).fetch_one(&mut **conn).await?;
        let foreign_transfers: i64 = sqlx::query_scalar(foreign).bind(territory_id).fetch_one(&mut **conn).await?;
        Ok::<_, sqlx::Error>(Sums {
            total_balance_cents,
            mismatched_accounts,
            accounts_below_floor,
            circulation_cents,
            deposits_cents,
            payouts_cents,
            foreign_transfers,
        })
    })?;
    Ok(sums)
}

/// Daily circulation changes and volume of payments since `since`: (day start, issued minus
/// destroyed, payment volume), both in cents.
pub async fn daily_activity(db: &Db, territory_id: i64, since: i64) -> AppResult<Vec<(i64, i64, i64)>> {
    let sql = "select (t.created_at / 86400) * 86400 as day,
          cast(coalesce(sum(case when d.kind = 'issuance' then t.amount_cents
                            when c.kind = 'issuance' then -t.amount_cents else 0 end), 0) as bigint) as issued,
          cast(coalesce(sum(case when t.kind = 'payment' then t.amount_cents else 0 end), 0) as bigint) as volume
        from ledger_transfer t
        join ledger_account d on d.id = t.debit_account_id join ledger_account c on c.id = t.credit_account_id
        where t.territory_id = $1 and t.created_at >= $2
        group by (t.created_at / 86400) * 86400 order by day";
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64, i64)>(sql)
        .bind(territory_id).bind(since).fetch_all(pool).await)?)
}
