//! What members and businesses do with the currency: open accounts, pay, ask for units, ask
//! for payment, reconvert (the exchange desk is in `desk.rs`). Every function receives the
//! acting user and decides what it may do.

use serde::Serialize;

use super::payment::clean_client_id;
use super::posting::{NewTransfer, Posted, post_in_tx};
use super::store::{self, Account, Currency, IssuanceRequest, PaymentRequest, Reconversion, Transfer};
use super::{AccountKind, TransferKind, clean_memo};
use crate::accounts::{self, User};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::tabular::{CsvWriter, decimal_comma};
use crate::web::rate_limit;

/// The territory's currency, if it has one (enabled or not).
pub async fn currency_of(db: &Db, territory_id: i64) -> AppResult<Option<Currency>> {
    store::currency(db, territory_id).await
}

/// The territory's currency when it is enabled; `403 ledger.error.not_enabled` otherwise.
pub async fn enabled_currency(db: &Db, territory_id: i64) -> AppResult<Currency> {
    store::currency(db, territory_id)
        .await?
        .filter(|c| c.is_enabled)
        .ok_or(AppError::Denied("ledger.error.not_enabled"))
}

/// True when a business of the territory accepts the currency (it opened an account and the
/// currency is enabled): what the drive asks before offering to pay an order with it.
pub async fn accepts_currency(db: &Db, territory_id: i64, business_id: i64) -> AppResult<bool> {
    if enabled_currency(db, territory_id).await.is_err() {
        return Ok(false);
    }
    Ok(store::account_of(db, territory_id, AccountKind::Business.as_str(), business_id).await?.is_some())
}

/// The association's account of `kind`, created if needed.
pub(super) async fn system_account(tx: &mut Tx, territory_id: i64, kind: AccountKind) -> AppResult<Account> {
    store::ensure_account(tx, territory_id, kind.as_str(), 0, kind.floor_cents(), now()).await
}

/// Enables (or renames) the currency of a territory and opens the association's accounts.
/// Instance administrators only.
pub async fn enable_currency(
    db: &Db,
    actor: &User,
    territory_id: i64,
    name: &str,
    symbol: &str,
) -> AppResult<Currency> {
    if !actor.is_admin {
        return Err(AppError::Forbidden);
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let symbol = symbol.trim().to_owned();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 40 {
        errors.push(FieldError { field: "name", message: "ledger.error.currency_name" });
    }
    if symbol.is_empty() || symbol.chars().count() > 5 {
        errors.push(FieldError { field: "symbol", message: "ledger.error.currency_symbol" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    store::upsert_currency(&mut tx, territory_id, &name, &symbol, now()).await?;
    for kind in [AccountKind::Issuance, AccountKind::Operating, AccountKind::Fees, AccountKind::Payout] {
        system_account(&mut tx, territory_id, kind).await?;
    }
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "currency_enabled",
        &format!("{name} ({symbol})"),
        now(),
    )
    .await?;
    let currency = store::currency(&mut tx, territory_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(currency)
}

/// True when `user` belongs to the territory (any role; instance admins do).
async fn is_member(db: &Db, user: &User, territory_id: i64) -> AppResult<bool> {
    Ok(user.is_admin || !accounts::roles_in(db, user, territory_id).await?.is_empty())
}

/// The member account of `user` in the territory, opened on first use. The member must belong
/// to the territory and its currency be enabled.
pub async fn member_account(db: &Db, user: &User, territory_id: i64) -> AppResult<Account> {
    enabled_currency(db, territory_id).await?;
    open_member_account(db, user, territory_id).await
}

/// [`member_account`] once the caller has checked that the currency is enabled.
pub(super) async fn open_member_account(db: &Db, user: &User, territory_id: i64) -> AppResult<Account> {
    if let Some(account) = store::account_of(db, territory_id, AccountKind::Member.as_str(), user.id).await? {
        return Ok(account);
    }
    if !is_member(db, user, territory_id).await? {
        return Err(AppError::Denied("ledger.error.not_member"));
    }
    let mut tx = db.begin().await?;
    let account = store::ensure_account(
        &mut tx,
        territory_id,
        AccountKind::Member.as_str(),
        user.id,
        AccountKind::Member.floor_cents(),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// True when `actor` owns the business of the directory (its owners act for it).
pub async fn is_business_owner(db: &Db, actor: &User, business_id: i64) -> AppResult<bool> {
    match crate::directory::view(db, Some(actor), business_id).await {
        Ok((_, access)) => Ok(access.is_owner),
        Err(AppError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// The account of a business, opened (the business opts in) when `open` is true. Only the
/// business's owners may.
pub async fn business_account(
    db: &Db,
    actor: &User,
    territory_id: i64,
    business_id: i64,
    open: bool,
) -> AppResult<Option<Account>> {
    enabled_currency(db, territory_id).await?;
    let (business, access) = crate::directory::view(db, Some(actor), business_id).await?;
    if !access.is_owner || business.territory_id != territory_id {
        return Err(AppError::Forbidden);
    }
    if let Some(account) =
        store::account_of(db, territory_id, AccountKind::Business.as_str(), business_id).await?
    {
        return Ok(Some(account));
    }
    if !open {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let account = store::ensure_account(
        &mut tx,
        territory_id,
        AccountKind::Business.as_str(),
        business_id,
        AccountKind::Business.floor_cents(),
        now(),
    )
    .await?;
    crate::directory::record_currency_acceptance(&mut tx, business_id).await?;
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "business_opted_in",
        &format!("business {business_id}"),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(account))
}

/// True when `actor` may spend from and read `account`: their own member account, or the
/// account of a business they own.
pub async fn acts_for(db: &Db, actor: &User, account: &Account) -> AppResult<bool> {
    match AccountKind::parse(&account.kind) {
        Some(AccountKind::Member) => Ok(account.owner_id == actor.id),
        Some(AccountKind::Business) => is_business_owner(db, actor, account.owner_id).await,
        _ => Ok(false),
    }
}

/// An account `actor` acts for, by number; another's account is not found.
pub async fn own_account(db: &Db, actor: &User, account_id: i64) -> AppResult<Account> {
    let account = store::account(db, account_id).await?.ok_or(AppError::NotFound)?;
    if acts_for(db, actor, &account).await? { Ok(account) } else { Err(AppError::NotFound) }
}

/// A transfer `actor` may see (one side is an account they act for), by client id.
pub async fn transfer_for(db: &Db, actor: &User, client_id: &str) -> AppResult<Transfer> {
    let transfer = store::transfer_by_client_id(db, client_id).await?.ok_or(AppError::NotFound)?;
    for id in [transfer.debit_account_id, transfer.credit_account_id] {
        if let Some(account) = store::account(db, id).await?
            && acts_for(db, actor, &account).await?
        {
            return Ok(transfer);
        }
    }
    Err(AppError::NotFound)
}

/// The balance of `account` just after the transfer `transfer_id`: today's balance minus what
/// the transfers after it moved.
pub async fn balance_after(db: &Db, account: &Account, transfer_id: i64) -> AppResult<i64> {
    Ok(account.balance_cents - store::net_since(db, account.id, transfer_id + 1).await?)
}

/// A line of an account's history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryLine {
    /// The transfer's client id.
    pub id: String,
    /// When (Unix seconds).
    pub created_at: i64,
    /// Stored kind.
    pub kind: String,
    /// Signed amount for this account, in cents.
    pub amount_cents: i64,
    /// The balance just after it.
    pub balance_cents: i64,
    /// The other account's number.
    pub other_account: i64,
    /// Who the other account is (a business's or a member's name, or the association).
    pub other_name: String,
    /// Memo.
    pub memo: String,
    /// Server id (the cursor of the next page).
    #[serde(skip)]
    pub seq: i64,
}

/// Names of accounts for people: a business's name, a member's display name, or the kind's
/// label for the association's accounts (translated by the caller when `None`).
pub async fn account_names(
    db: &Db,
    accounts: &[(i64, String, i64)],
) -> AppResult<Vec<(i64, Option<String>)>> {
    let mut names: Vec<(i64, Option<String>)> = Vec::new();
    for (id, kind, owner) in accounts {
        if names.iter().any(|(known, _)| known == id) {
            continue;
        }
        let name = match AccountKind::parse(kind) {
            Some(AccountKind::Member) => accounts::user_by_id(db, *owner).await?.map(|u| u.display_name),
            Some(AccountKind::Business) => {
                crate::directory::business_by_id(db, *owner).await?.map(|b| b.name)
            }
            _ => None,
        };
        names.push((*id, name));
    }
    Ok(names)
}

/// The newest lines of an account's history with the running balance, before the transfer
/// `before` (a page of `limit`).
pub async fn history(
    db: &Db,
    account: &Account,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<HistoryLine>> {
    let rows = store::history(db, account.id, before, limit).await?;
    let Some(newest) = rows.first() else { return Ok(Vec::new()) };
    // The balance after the newest line: the current balance minus what came after it.
    let after_newest = store::net_since(db, account.id, newest.transfer.id + 1).await?;
    let mut balance = account.balance_cents - after_newest;
    let keys: Vec<(i64, String, i64)> =
        rows.iter().map(|r| (r.other_account_id, r.other_kind.clone(), r.other_owner_id)).collect();
    let names = account_names(db, &keys).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let signed = if row.transfer.credit_account_id == account.id {
            row.transfer.amount_cents
        } else {
            -row.transfer.amount_cents
        };
        let other_name = names
            .iter()
            .find(|(id, _)| *id == row.other_account_id)
            .and_then(|(_, n)| n.clone())
            .unwrap_or_default();
        lines.push(HistoryLine {
            id: row.transfer.client_id,
            created_at: row.transfer.created_at,
            kind: row.transfer.kind,
            amount_cents: signed,
            balance_cents: balance,
            other_account: row.other_account_id,
            other_name,
            memo: row.transfer.memo,
            seq: row.transfer.id,
        });
        balance -= signed;
    }
    Ok(lines)
}

/// An account's whole history as CSV (date, kind, counterpart, memo, amount, balance), with
/// French decimals and `;` separators, for a spreadsheet.
pub async fn history_csv(db: &Db, account: &Account) -> AppResult<Vec<u8>> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = history(db, account, before, 500).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        let more = page.len() == 500;
        all.extend(page);
        if !more {
            break;
        }
    }
    let mut writer = CsvWriter::new(';');
    let decimal = |cents: i64| decimal_comma(cents, false);
    writer.write_row(["date", "type", "compte", "nom", "libelle", "montant", "solde", "id"]);
    for line in all.iter().rev() {
        let date = jiff::Timestamp::from_second(line.created_at).map(|t| t.to_string()).unwrap_or_default();
        writer.write_row([
            date,
            line.kind.clone(),
            line.other_account.to_string(),
            line.other_name.clone(),
            line.memo.clone(),
            decimal(line.amount_cents),
            decimal(line.balance_cents),
            line.id.clone(),
        ]);
    }
    Ok(writer.into_bytes())
}

/// Asks for units against a bank transfer: a request with a short unique reference code to
/// write in the transfer's label. At most 10 requests per member per day.
pub async fn request_issuance(
    db: &Db,
    actor: &User,
    territory_id: i64,
    amount_cents: i64,
) -> AppResult<IssuanceRequest> {
    enabled_currency(db, territory_id).await?;
    if amount_cents <= 0 || amount_cents > super::MAX_AMOUNT_CENTS {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    rate_limit::check(db, &format!("issuance-request:{}", actor.id), 10, 86_400).await?;
    for _ in 0..5 {
        if let Some(request) =
            request_issuance_with_reference(db, actor, territory_id, amount_cents, &super::new_reference())
                .await?
        {
            return Ok(request);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!("no free issuance reference")))
}

/// Records an issuance request with a given reference code (`None` when the code is taken).
/// Used by [`request_issuance`], and by tests that need known codes.
pub async fn request_issuance_with_reference(
    db: &Db,
    actor: &User,
    territory_id: i64,
    amount_cents: i64,
    reference: &str,
) -> AppResult<Option<IssuanceRequest>> {
    let account = member_account(db, actor, territory_id).await?;
    let mut tx = db.begin().await?;
    let now = now();
    let request = store::insert_issuance_request(
        &mut tx,
        territory_id,
        actor.id,
        account.id,
        amount_cents,
        &reference.to_uppercase(),
        now + super::ISSUANCE_REQUEST_TTL_SECS,
        now,
    )
    .await?;
    if let Some(request) = &request {
        store::log_event(
            &mut tx,
            territory_id,
            Some(actor.id),
            "issuance_requested",
            &request.reference,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(request)
}

/// A member's issuance requests, newest first (expired ones marked so first).
pub async fn my_requests(db: &Db, actor: &User, territory_id: i64) -> AppResult<Vec<IssuanceRequest>> {
    store::expire_requests(db, now()).await?;
    store::requests_of(db, territory_id, actor.id).await
}

/// Creates a payment request for an account `actor` acts for: with an amount, or without one
/// (the payer types it). At most 60 per member per hour.
pub async fn create_payment_request(
    db: &Db,
    actor: &User,
    account_id: i64,
    amount_cents: Option<i64>,
    memo: &str,
) -> AppResult<PaymentRequest> {
    let account = own_account(db, actor, account_id).await?;
    enabled_currency(db, account.territory_id).await?;
    let memo = clean_memo(memo).map_err(|m| AppError::invalid("memo", m))?;
    if let Some(amount) = amount_cents
        && (amount <= 0 || amount > super::MAX_AMOUNT_CENTS)
    {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    rate_limit::check(db, &format!("payment-request:{}", actor.id), 60, 3600).await?;
    insert_request(db, actor, &account, amount_cents, &memo).await
}

/// Stores a new payment request of `account`, with a fresh token.
async fn insert_request(
    db: &Db,
    actor: &User,
    account: &Account,
    amount_cents: Option<i64>,
    memo: &str,
) -> AppResult<PaymentRequest> {
    let mut tx = db.begin().await?;
    let token = super::new_request_token();
    let request = store::insert_payment_request(
        &mut tx,
        account.territory_id,
        &token,
        account.id,
        amount_cents,
        memo,
        actor.id,
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// The standing payment request of an account (its counter QR code, without amount), created
/// on first use.
pub async fn standing_payment_request(db: &Db, actor: &User, account_id: i64) -> AppResult<PaymentRequest> {
    let account = own_account(db, actor, account_id).await?;
    if let Some(request) = store::standing_request(db, account.id).await? {
        return Ok(request);
    }
    insert_request(db, actor, &account, None, "").await
}

/// A payment request by its token, with the payee's account and name.
pub async fn payment_request(db: &Db, token: &str) -> AppResult<(PaymentRequest, Account, String)> {
    let request = store::payment_request(db, token).await?.ok_or(AppError::NotFound)?;
    let account = store::account(db, request.account_id).await?.ok_or(AppError::NotFound)?;
    let names = account_names(db, &[(account.id, account.kind.clone(), account.owner_id)]).await?;
    let name = names.into_iter().next().and_then(|(_, n)| n).unwrap_or_default();
    Ok((request, account, name))
}

/// An account's newest payment requests (for the account's page).
pub async fn payment_requests_of(db: &Db, actor: &User, account_id: i64) -> AppResult<Vec<PaymentRequest>> {
    let account = own_account(db, actor, account_id).await?;
    store::payment_requests_of(db, account.id).await
}

/// A business turns units into euros: linked transfers, all or none, of the payout (to the
/// account of payouts waiting for their euros) and of the fee (to the fees account); the
/// payout, numbered `R-<year>-<n>`, waits for the treasurer's bank transfer. Owners only;
/// idempotent on `client_id`.
pub async fn request_reconversion(
    db: &Db,
    actor: &User,
    territory_id: i64,
    business_id: i64,
    amount_cents: i64,
    client_id: &str,
) -> AppResult<Reconversion> {
    let year = jiff::Zoned::now().year();
    reconvert(db, actor, territory_id, business_id, amount_cents, client_id, None, year).await
}

/// [`request_reconversion`] with a given payout reference (tests use known codes).
pub async fn request_reconversion_with_reference(
    db: &Db,
    actor: &User,
    territory_id: i64,
    business_id: i64,
    amount_cents: i64,
    client_id: &str,
    reference: &str,
) -> AppResult<Reconversion> {
    reconvert(db, actor, territory_id, business_id, amount_cents, client_id, Some(reference), 0).await
}

#[expect(clippy::too_many_arguments, reason = "the two public entry points differ by the reference only")]
async fn reconvert(
    db: &Db,
    actor: &User,
    territory_id: i64,
    business_id: i64,
    amount_cents: i64,
    client_id: &str,
    reference: Option<&str>,
    year: i16,
) -> AppResult<Reconversion> {
    let currency = enabled_currency(db, territory_id).await?;
    let client_id = clean_client_id(client_id)?;
    if amount_cents <= 0 || amount_cents > super::MAX_AMOUNT_CENTS {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    let account = business_account(db, actor, territory_id, business_id, false)
        .await?
        .ok_or(AppError::Denied("ledger.error.business_not_accepting"))?;
    let fee = super::reconversion_fee(amount_cents, currency.reconversion_fee_bp);
    let payout = amount_cents - fee;
    if payout <= 0 {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    let mut tx = db.begin().await?;
    if let Some(done) = store::transfer_by_client_id(&mut tx, &client_id).await? {
        // A retry: answer with the reconversion that id made.
        let reference = done.reference.unwrap_or_default();
        return store::reconversion_by_reference(&mut tx, territory_id, &reference)
            .await?
            .filter(|r| r.amount_cents == amount_cents && r.business_id == business_id)
            .ok_or(AppError::Conflict("ledger.error.id_reused"));
    }
    let payout_account = system_account(&mut tx, territory_id, AccountKind::Payout).await?;
    let fees_account = system_account(&mut tx, territory_id, AccountKind::Fees).await?;
    // The reconversion row is keyed by the transfer's client id first, then numbered.
    let provisional = reference.map_or_else(|| format!("pending:{client_id}"), str::to_owned);
    let now = now();
    let record = match store::insert_reconversion(
        &mut tx,
        territory_id,
        business_id,
        account.id,
        Some(actor.id),
        amount_cents,
        fee,
        &provisional,
        now,
    )
    .await?
    {
        Some(record) => record,
        None => {
            // A retry: the same client id already made this reconversion.
            let existing = store::transfer_by_client_id(&mut tx, &client_id).await?;
            let reference =
                existing.and_then(|t| t.reference).ok_or(AppError::Conflict("ledger.error.id_reused"))?;
            return store::reconversion_by_reference(&mut tx, territory_id, &reference)
                .await?
                .filter(|r| r.amount_cents == amount_cents && r.business_id == business_id)
                .ok_or(AppError::Conflict("ledger.error.id_reused"));
        }
    };
    let reference = match reference {
        Some(given) => given.to_owned(),
        None => {
            let numbered = super::payout_reference(year, record.id);
            store::set_reconversion_reference(&mut tx, record.id, &numbered).await?;
            numbered
        }
    };
    let mut transfers = vec![NewTransfer {
        territory_id,
        client_id: client_id.clone(),
        debit_account_id: account.id,
        credit_account_id: payout_account.id,
        amount_cents: payout,
        kind: TransferKind::Reconversion,
        // The memo does not carry the reference, so that a retry's content is the same.
        memo: "Reconversion en euros".to_owned(),
        author_user_id: Some(actor.id),
        reference: Some(reference.clone()),
    }];
    if fee > 0 {
        transfers.push(NewTransfer {
            territory_id,
            client_id: format!("{client_id}:fee"),
            debit_account_id: account.id,
            credit_account_id: fees_account.id,
            amount_cents: fee,
            kind: TransferKind::Fee,
            memo: "Frais de reconversion".to_owned(),
            author_user_id: Some(actor.id),
            reference: Some(reference.clone()),
        });
    }
    match post_in_tx(&mut tx, &transfers).await? {
        Posted::Created(_) => {}
        Posted::Existing(found) => {
            // The client id was used by another reconversion: its row stays, this one goes.
            let reference = found[0].reference.clone().unwrap_or_default();
            drop(tx);
            let mut read = db.begin().await?;
            return store::reconversion_by_reference(&mut read, territory_id, &reference)
                .await?
                .ok_or(AppError::Conflict("ledger.error.id_reused"));
        }
    }
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "reconversion_requested",
        &format!("{reference} {amount_cents}"),
        now,
    )
    .await?;
    let record = store::reconversion_by_reference(&mut tx, territory_id, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(record)
}

/// A business's reconversions, newest first (owners only).
pub async fn reconversions_of(db: &Db, actor: &User, business_id: i64) -> AppResult<Vec<Reconversion>> {
    if !is_business_owner(db, actor, business_id).await? {
        return Err(AppError::Forbidden);
    }
    store::reconversions_of(db, business_id).await
}

/// A member's account in one territory with its whole history, for the data export.
#[derive(Debug, Serialize)]
pub struct WalletExport {
    /// The account.
    pub account: Account,
    /// Its transfers, newest first, with the balance after each.
    pub transfers: Vec<HistoryLine>,
}

/// The member accounts of `user` in `territory_ids` (those it has), with their history.
pub async fn export_for(db: &Db, user: &User, territory_ids: &[i64]) -> AppResult<Vec<WalletExport>> {
    let mut wallets = Vec::new();
    for territory_id in territory_ids {
        if let Some(account) =
            store::account_of(db, *territory_id, AccountKind::Member.as_str(), user.id).await?
        {
            let transfers = history(db, &account, None, i64::from(u32::MAX)).await?;
            wallets.push(WalletExport { account, transfers });
        }
    }
    Ok(wallets)
}
