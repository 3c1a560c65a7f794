//! The demo's currency: "Bulle" on the demo territory, the bakery accepting it, a resident who
//! exchanged cash and paid for her bread, and a request waiting for its bank transfer.

use super::desk::{DeskIssuance, issue_for_demo};
use super::{DeskMethod, PaymentInput};
use crate::accounts::User;
use crate::db::Db;

/// Enables the demo currency and gives it some activity. `users` are the demo accounts,
/// `accepting` the listings that open their account (the administrator proposed them all).
pub async fn seed_demo(db: &Db, territory_id: i64, users: &[User], accepting: &[i64]) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let find = |prefix: &str| users.iter().find(|u| u.email.starts_with(prefix));
    let (Some(admin), Some(baker), Some(operator), Some(resident)) =
        (find("admin@"), find("boulangerie@"), find("bureau-de-change@"), find("habitante@"))
    else {
        return Ok(());
    };
    super::enable_currency(db, admin, territory_id, "Bulle", "B").await.map_err(err)?;
    for &business_id in accepting {
        super::business_account(db, admin, territory_id, business_id, true).await.map_err(err)?;
    }
    let mut bakery_account = None;
    for business in crate::directory::owned_by(db, baker).await.map_err(err)? {
        bakery_account =
            super::business_account(db, baker, territory_id, business.id, true).await.map_err(err)?;
    }
    let id = || uuid::Uuid::new_v4().to_string();
    // The seed runs before the server, without anyone to type a second-factor code.
    for (who, amount_cents, method) in
        [(resident, 8_000, DeskMethod::Cash), (baker, 2_000, DeskMethod::Cheque)]
    {
        let issuance =
            DeskIssuance { member_email: who.email.clone(), amount_cents, method, client_id: id() };
        issue_for_demo(db, operator, territory_id, &issuance).await.map_err(err)?;
    }
    if let Some(bakery) = bakery_account {
        for (amount, memo) in [(1_250, "Pain et croissants"), (640, "Fougasse et baguette")] {
            let payment = PaymentInput {
                client_id: id(),
                from_account: None,
                to_account: bakery.id,
                amount_cents: amount,
                memo: memo.to_owned(),
            };
            super::pay(db, resident, territory_id, &payment).await.map_err(err)?;
        }
    }
    super::request_issuance(db, resident, territory_id, 5_000).await.map_err(err)?;
    Ok(())
}
