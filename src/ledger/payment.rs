//! Paying in the currency: the checks of a payment (the same before the preview and before
//! posting), the preview's payee, the payment itself, and whom the payment form offers to pay.

use super::notices::PaymentNotice;
use super::posting::{NewTransfer, Posted, post_in_tx};
use super::store::{self, Account};
use super::wallet::{account_names, enabled_currency, open_member_account, own_account};
use super::{AccountKind, TransferKind, clean_memo};
use crate::accounts::User;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};

/// A payment as asked by a member (web form or API).
#[derive(Clone, Debug)]
pub struct PaymentInput {
    /// The client's id for the transfer (a UUID).
    pub client_id: String,
    /// The account paying: the actor's member account when `None`, or a business's they own.
    pub from_account: Option<i64>,
    /// The account paid (a member or a business of the same territory).
    pub to_account: i64,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Memo.
    pub memo: String,
}

/// Checks a client id: a UUID, kept in its canonical form.
pub fn clean_client_id(text: &str) -> AppResult<String> {
    uuid::Uuid::parse_str(text.trim())
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| AppError::invalid("id", "ledger.error.client_id"))
}

/// A payment that passed every rule of the ledger but the balance (checked when it is posted).
#[derive(Clone, Debug)]
pub struct CheckedPayment {
    /// The client id, in its canonical form.
    pub client_id: String,
    /// The account paying.
    pub from: Account,
    /// The account paid.
    pub to: Account,
    /// The amount in cents.
    pub amount_cents: i64,
    /// The cleaned memo.
    pub memo: String,
}

/// The account `actor` pays from in the territory: a business's account they act for, or their
/// own member account (opened on first use); another's account is not found.
pub async fn paying_account(
    db: &Db,
    actor: &User,
    territory_id: i64,
    from: Option<i64>,
) -> AppResult<Account> {
    enabled_currency(db, territory_id).await?;
    account_paying(db, actor, territory_id, from).await
}

/// [`paying_account`] once the caller has checked that the currency is enabled.
async fn account_paying(db: &Db, actor: &User, territory_id: i64, from: Option<i64>) -> AppResult<Account> {
    let account = match from {
        Some(id) => own_account(db, actor, id).await?,
        None => open_member_account(db, actor, territory_id).await?,
    };
    if account.territory_id == territory_id { Ok(account) } else { Err(AppError::NotFound) }
}

/// Checks a payment without posting it: the currency is enabled, the id, amount and memo are
/// valid, `actor` acts for the paying account, and the payee is another member's or a
/// business's account of the territory (members paying members only when the territory allows
/// it). The same checks run before the preview and before paying, so they cannot disagree.
pub async fn check_payment(
    db: &Db,
    actor: &User,
    territory_id: i64,
    input: &PaymentInput,
) -> AppResult<CheckedPayment> {
    let currency = enabled_currency(db, territory_id).await?;
    let client_id = clean_client_id(&input.client_id)?;
    let mut errors = Vec::new();
    let memo =
        clean_memo(&input.memo).map_err(|m| errors.push(FieldError { field: "memo", message: m })).ok();
    if input.amount_cents <= 0 || input.amount_cents > super::MAX_AMOUNT_CENTS {
        errors.push(FieldError { field: "amount_cents", message: "ledger.error.amount" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let from = account_paying(db, actor, territory_id, input.from_account).await?;
    let to = store::account(db, input.to_account)
        .await?
        .filter(|a| a.territory_id == territory_id)
        .ok_or_else(|| AppError::invalid("to_account", "ledger.error.unknown_account"))?;
    let to_kind = AccountKind::parse(&to.kind);
    if !matches!(to_kind, Some(AccountKind::Member | AccountKind::Business)) {
        return Err(AppError::invalid("to_account", "ledger.error.unknown_account"));
    }
    if to.id == from.id {
        return Err(AppError::invalid("to_account", "ledger.error.same_account"));
    }
    let from_member = AccountKind::parse(&from.kind) == Some(AccountKind::Member);
    if from_member && to_kind == Some(AccountKind::Member) && !currency.allows_member_payments {
        return Err(AppError::Denied("ledger.error.member_payments_off"));
    }
    Ok(CheckedPayment {
        client_id,
        from,
        to,
        amount_cents: input.amount_cents,
        memo: memo.unwrap_or_default(),
    })
}

/// What the payer confirms before paying: the checked payment and the payee's name.
#[derive(Clone, Debug)]
pub struct PaymentPreview {
    /// The checked payment.
    pub payment: CheckedPayment,
    /// The paid account's name as people read it.
    pub payee: String,
}

/// Checks a payment and names its payee, writing nothing: the step before [`pay`].
pub async fn preview_payment(
    db: &Db,
    actor: &User,
    territory_id: i64,
    input: &PaymentInput,
) -> AppResult<PaymentPreview> {
    let payment = check_payment(db, actor, territory_id, input).await?;
    let to = &payment.to;
    let names = account_names(db, &[(to.id, to.kind.clone(), to.owner_id)]).await?;
    let payee = names.into_iter().next().and_then(|(_, name)| name).unwrap_or_default();
    Ok(PaymentPreview { payment, payee })
}

/// Pays another member or a business: one immutable transfer, idempotent on its client id.
pub async fn pay(db: &Db, actor: &User, territory_id: i64, input: &PaymentInput) -> AppResult<Posted> {
    let payment = check_payment(db, actor, territory_id, input).await?;
    let currency = enabled_currency(db, territory_id).await?;
    let notice = PaymentNotice::gather(db, &currency, &payment.from, &payment.to).await?;
    let transfer = NewTransfer {
        territory_id,
        client_id: payment.client_id,
        debit_account_id: payment.from.id,
        credit_account_id: payment.to.id,
        amount_cents: payment.amount_cents,
        kind: TransferKind::Payment,
        memo: payment.memo,
        author_user_id: Some(actor.id),
        reference: None,
    };
    // Committed with the other payments waiting (group commit on SQLite).
    // The payee's email is queued in the payment's transaction: told once, only if it is paid.
    db.write(move |tx| {
        Box::pin(async move {
            let posted = post_in_tx(tx, std::slice::from_ref(&transfer)).await?;
            if let Posted::Created(transfers) = &posted {
                notice.send(tx, &transfers[0]).await?;
            }
            Ok(posted)
        })
    })
    .await
}

/// The accounts a member may pay from the payment form's list: the businesses of the
/// territory that accept the currency, by name.
pub async fn payees(db: &Db, territory_id: i64) -> AppResult<Vec<(i64, String)>> {
    let accounts = store::business_accounts(db, territory_id).await?;
    let keys: Vec<(i64, String, i64)> = accounts.iter().map(|a| (a.id, a.kind.clone(), a.owner_id)).collect();
    let mut list: Vec<(i64, String)> = account_names(db, &keys)
        .await?
        .into_iter()
        .filter_map(|(account_id, name)| name.map(|name| (account_id, name)))
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(list)
}
