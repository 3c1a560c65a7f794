//! Paying a payment request: to its account, of its amount when it names one, and then at most
//! once. A request with an amount gets one transfer id derived from the request itself, so that
//! opening the link again after paying, or two people paying it at the same moment, cannot pay
//! it twice: the second payment finds the id taken and is refused as "already paid".

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::payment::{PaymentInput, PaymentPreview, pay, preview_payment};
use super::posting::Posted;
use super::store::{self, PaymentRequest, Transfer};
use crate::accounts::User;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The transfer id of the one payment a request with an amount may receive (a UUID derived
/// from the request's id).
pub fn request_client_id(request: &PaymentRequest) -> String {
    let digest = Sha256::digest(format!("payment-request:{}", request.id).as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// The transfer that paid a request with an amount, if it was paid (a request without an
/// amount, a shop's counter QR code, is paid again and again and is never "paid").
pub async fn request_payment(db: &Db, request: &PaymentRequest) -> AppResult<Option<Transfer>> {
    if request.amount_cents.is_none() {
        return Ok(None);
    }
    store::transfer_by_client_id(db, &request_client_id(request)).await
}

/// The ids of the requests among `requests` that were paid (one query).
pub async fn paid_requests(db: &Db, requests: &[PaymentRequest]) -> AppResult<HashSet<i64>> {
    let with_amount: Vec<(&PaymentRequest, String)> =
        requests.iter().filter(|r| r.amount_cents.is_some()).map(|r| (r, request_client_id(r))).collect();
    let ids: Vec<String> = with_amount.iter().map(|(_, id)| id.clone()).collect();
    let found: HashSet<String> = store::existing_client_ids(db, &ids).await?.into_iter().collect();
    Ok(with_amount.into_iter().filter(|(_, id)| found.contains(id)).map(|(r, _)| r.id).collect())
}

/// The payment `input` as an answer to the request `token`: its account, its amount when it
/// names one, and then the request's own transfer id; `409 ledger.error.request_paid` when it
/// was paid already.
async fn answering(db: &Db, territory_id: i64, token: &str, input: &PaymentInput) -> AppResult<PaymentInput> {
    let request = store::payment_request(db, token)
        .await?
        .filter(|r| r.territory_id == territory_id)
        .ok_or(AppError::NotFound)?;
    if input.to_account != request.account_id {
        return Err(AppError::invalid("to_account", "ledger.error.unknown_account"));
    }
    let Some(amount) = request.amount_cents else { return Ok(input.clone()) };
    if input.amount_cents != amount {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    if request_payment(db, &request).await?.is_some() {
        return Err(AppError::Conflict("ledger.error.request_paid"));
    }
    Ok(PaymentInput { client_id: request_client_id(&request), ..input.clone() })
}

/// Checks a payment answering the request `token` and names its payee, writing nothing.
pub async fn preview_request_payment(
    db: &Db,
    actor: &User,
    territory_id: i64,
    token: &str,
    input: &PaymentInput,
) -> AppResult<PaymentPreview> {
    let input = answering(db, territory_id, token, input).await?;
    preview_payment(db, actor, territory_id, &input).await
}

/// Pays the request `token`. The same payer sending the form twice gets the one payment back;
/// anyone else, once it is paid, `409 ledger.error.request_paid`.
pub async fn pay_request(
    db: &Db,
    actor: &User,
    territory_id: i64,
    token: &str,
    input: &PaymentInput,
) -> AppResult<Posted> {
    let input = answering(db, territory_id, token, input).await?;
    match pay(db, actor, territory_id, &input).await {
        Err(AppError::Conflict("ledger.error.id_reused")) => {
            Err(AppError::Conflict("ledger.error.request_paid"))
        }
        other => other,
    }
}
