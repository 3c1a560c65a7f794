//! The posting engine: applies linked transfers all or none inside the caller's transaction,
//! with idempotent client ids and balance floors checked by one conditional update per account
//! (never read-then-write). Also the drive's extension point: paying and refunding an order in
//! the order's own transaction.

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::{self, Transfer};
use super::{AccountKind, TransferKind};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};

/// A transfer to post.
#[derive(Clone, Debug)]
pub struct NewTransfer {
    /// The territory.
    pub territory_id: i64,
    /// The id chosen by the client (unique in the database).
    pub client_id: String,
    /// Account debited.
    pub debit_account_id: i64,
    /// Account credited.
    pub credit_account_id: i64,
    /// Amount in cents, positive.
    pub amount_cents: i64,
    /// What it is for.
    pub kind: TransferKind,
    /// Memo.
    pub memo: String,
    /// Who writes it.
    pub author_user_id: Option<i64>,
    /// What it is about.
    pub reference: Option<String>,
}

impl NewTransfer {
    /// True when a stored transfer has this content (same accounts, amount, kind and memo).
    fn same_as(&self, stored: &Transfer) -> bool {
        stored.territory_id == self.territory_id
            && stored.debit_account_id == self.debit_account_id
            && stored.credit_account_id == self.credit_account_id
            && stored.amount_cents == self.amount_cents
            && stored.kind == self.kind.as_str()
            && stored.memo == self.memo
    }
}

/// What posting did.
#[derive(Clone, Debug)]
pub enum Posted {
    /// The transfers were applied now.
    Created(Vec<Transfer>),
    /// They had been applied before with the same ids and content (a retry).
    Existing(Vec<Transfer>),
}

impl Posted {
    /// The transfers, new or found.
    pub fn transfers(&self) -> &[Transfer] {
        match self {
            Self::Created(t) | Self::Existing(t) => t,
        }
    }

    /// True when this call applied them.
    pub fn is_new(&self) -> bool {
        matches!(self, Self::Created(_))
    }
}

/// A short handle on a posted transfer, for other contexts (the drive keeps it with the order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferRef {
    /// The server id.
    pub id: i64,
    /// The client id.
    pub client_id: String,
    /// The amount in cents.
    pub amount_cents: i64,
    /// True when this call applied it, false when it had been applied before.
    pub is_new: bool,
}

const SAVEPOINT: &str = "savepoint ledger_post";
const ROLLBACK: &str = "rollback to savepoint ledger_post";
const RELEASE: &str = "release savepoint ledger_post";

/// Posts `transfers` as one linked group, all or none, inside `tx` (which the caller commits).
///
/// - Each transfer claims its client id with an insert that does nothing on conflict; a
///   transfer already stored with the same content is a retry and returns
///   [`Posted::Existing`] without touching any balance; the same id with other content, or a
///   group of which only some ids exist, is `409 ledger.error.id_reused`.
/// - Balances move by one statement per account, in account order (so that two transfers in
///   opposite directions never deadlock on PostgreSQL); an account going under its floor
///   fails the group with `422 ledger.error.insufficient` on the field `amount_cents`.
/// - On failure the group's statements are rolled back to a savepoint, so the caller's other
///   writes in `tx` stay usable (and nothing of the group can be committed by mistake).
pub async fn post_in_tx(tx: &mut Tx, transfers: &[NewTransfer]) -> AppResult<Posted> {
    for t in transfers {
        if t.amount_cents <= 0 || t.amount_cents > super::MAX_AMOUNT_CENTS {
            return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
        }
        if t.debit_account_id == t.credit_account_id {
            return Err(AppError::invalid("to_account", "ledger.error.same_account"));
        }
    }
    store::execute(tx, SAVEPOINT).await?;
    let outcome = post_group(tx, transfers).await;
    match outcome {
        Ok(posted) => {
            store::execute(tx, RELEASE).await?;
            Ok(posted)
        }
        Err(err) => {
            store::execute(tx, ROLLBACK).await?;
            store::execute(tx, RELEASE).await?;
            Err(err)
        }
    }
}

async fn post_group(tx: &mut Tx, transfers: &[NewTransfer]) -> AppResult<Posted> {
    let now = now();
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for t in transfers {
        match store::insert_transfer(tx, t, now).await? {
            Some(id) => created.push(id),
            None => {
                let stored = store::transfer_by_client_id(&mut *tx, &t.client_id)
                    .await?
                    .ok_or(AppError::Conflict("ledger.error.id_reused"))?;
                if !t.same_as(&stored) {
                    return Err(AppError::Conflict("ledger.error.id_reused"));
                }
                existing.push(stored);
            }
        }
    }
    if !existing.is_empty() {
        if !created.is_empty() {
            return Err(AppError::Conflict("ledger.error.id_reused"));
        }
        return Ok(Posted::Existing(existing));
    }
    // Net movement per account, applied in account order.
    let mut net: BTreeMap<i64, i64> = BTreeMap::new();
    for t in transfers {
        *net.entry(t.debit_account_id).or_default() -= t.amount_cents;
        *net.entry(t.credit_account_id).or_default() += t.amount_cents;
    }
    for (account_id, delta) in net {
        if delta < 0 {
            if !store::debit(tx, account_id, -delta).await? {
                return Err(AppError::invalid("amount_cents", "ledger.error.insufficient"));
            }
        } else if delta > 0 {
            store::credit(tx, account_id, delta).await?;
        }
    }
    let mut stored = Vec::with_capacity(transfers.len());
    for t in transfers {
        stored.push(store::transfer_by_client_id(&mut *tx, &t.client_id).await?.ok_or(AppError::NotFound)?);
    }
    Ok(Posted::Created(stored))
}

fn order_client_id(order_reference: &str) -> String {
    format!("order:{order_reference}")
}

fn refund_client_id(order_reference: &str) -> String {
    format!("order-refund:{order_reference}")
}

/// Pays a drive order in the local currency, inside the order's transaction: a payment from the
/// payer's member account to the business's account, idempotent on `order_reference` (calling
/// again with the same order and amount returns the same transfer, `is_new` false).
///
/// Errors: `403 ledger.error.not_enabled` when the territory has no enabled currency, `403
/// ledger.error.business_not_accepting` when the business has no account, `422
/// ledger.error.insufficient` (field `amount_cents`) when the payer's balance is too low, `409
/// ledger.error.id_reused` when the order was already paid with another amount or payee. On an
/// error nothing of the payment remains in `tx`; the caller decides whether to roll back.
pub async fn pay_order_in_tx(
    tx: &mut Tx,
    territory_id: i64,
    payer_user_id: i64,
    business_id: i64,
    amount_cents: i64,
    order_reference: &str,
) -> AppResult<TransferRef> {
    let currency = store::currency(&mut *tx, territory_id).await?.filter(|c| c.is_enabled);
    if currency.is_none() {
        return Err(AppError::Denied("ledger.error.not_enabled"));
    }
    let business = store::account_of(&mut *tx, territory_id, AccountKind::Business.as_str(), business_id)
        .await?
        .ok_or(AppError::Denied("ledger.error.business_not_accepting"))?;
    let payer = store::ensure_account(
        tx,
        territory_id,
        AccountKind::Member.as_str(),
        payer_user_id,
        AccountKind::Member.floor_cents(),
        now(),
    )
    .await?;
    let transfer = NewTransfer {
        territory_id,
        client_id: order_client_id(order_reference),
        debit_account_id: payer.id,
        credit_account_id: business.id,
        amount_cents,
        kind: TransferKind::Payment,
        memo: format!("Commande {order_reference}"),
        author_user_id: Some(payer_user_id),
        reference: Some(order_reference.to_owned()),
    };
    let posted = post_in_tx(tx, std::slice::from_ref(&transfer)).await?;
    if posted.is_new() {
        store::log_event(tx, territory_id, Some(payer_user_id), "order_paid", order_reference, now()).await?;
    }
    Ok(to_ref(&posted))
}

/// Refunds a drive order paid with [`pay_order_in_tx`], inside the cancellation's transaction:
/// a reversing transfer of the same amount from the business back to the payer, idempotent
/// (a second call returns the same refund, `is_new` false).
///
/// Returns `Ok(None)` when the order was never paid in the local currency. Errors: `422
/// ledger.error.insufficient` when the business has spent the units since.
pub async fn refund_order_in_tx(tx: &mut Tx, order_reference: &str) -> AppResult<Option<TransferRef>> {
    let Some(payment) = store::transfer_by_client_id(&mut *tx, &order_client_id(order_reference)).await?
    else {
        return Ok(None);
    };
    let transfer = NewTransfer {
        territory_id: payment.territory_id,
        client_id: refund_client_id(order_reference),
        debit_account_id: payment.credit_account_id,
        credit_account_id: payment.debit_account_id,
        amount_cents: payment.amount_cents,
        kind: TransferKind::Refund,
        memo: format!("Remboursement commande {order_reference}"),
        author_user_id: None,
        reference: Some(order_reference.to_owned()),
    };
    let posted = post_in_tx(tx, std::slice::from_ref(&transfer)).await?;
    if posted.is_new() {
        store::log_event(tx, payment.territory_id, None, "order_refunded", order_reference, now()).await?;
    }
    Ok(Some(to_ref(&posted)))
}

fn to_ref(posted: &Posted) -> TransferRef {
    let first = &posted.transfers()[0];
    TransferRef {
        id: first.id,
        client_id: first.client_id.clone(),
        amount_cents: first.amount_cents,
        is_new: posted.is_new(),
    }
}
