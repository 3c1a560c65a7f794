//! The emails of the wallet, through the outbox in the transaction of the operation they tell
//! about: a payee (the member, or each owner of the business) is told of a payment received, and
//! a member of units credited at an exchange desk or by bank transfer. Members have no setting
//! to turn these off yet: every one is sent.

use super::AccountKind;
use super::store::{Account, Currency, Transfer};
use crate::accounts::{self, User};
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::mail::{self, Email};
use crate::web::i18n::Tr;

/// Who reads the emails about money arriving on `account`: its member, or each owner of its
/// business.
pub(super) async fn readers(db: &Db, account: &Account) -> AppResult<Vec<User>> {
    let ids = match AccountKind::parse(&account.kind) {
        Some(AccountKind::Member) => vec![account.owner_id],
        Some(AccountKind::Business) => crate::directory::owner_ids(db, account.owner_id).await?,
        _ => Vec::new(),
    };
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(user) = accounts::user_by_id(db, id).await? {
            users.push(user);
        }
    }
    Ok(users)
}

/// What a payee's email says, gathered before the payment's transaction (on SQLite the group
/// commit's work may read nothing but its transaction).
#[derive(Clone, Debug)]
pub(super) struct PaymentNotice {
    /// The payee's readers.
    pub readers: Vec<User>,
    /// The payer's name as people read it.
    pub payer: String,
    /// The payee's name (the member's or the business's).
    pub payee: String,
    /// The currency's symbol.
    pub symbol: String,
}

impl PaymentNotice {
    /// Gathers the notice of a payment from `from` to `to`.
    pub(super) async fn gather(
        db: &Db,
        currency: &Currency,
        from: &Account,
        to: &Account,
    ) -> AppResult<Self> {
        let names = super::account_names(
            db,
            &[(from.id, from.kind.clone(), from.owner_id), (to.id, to.kind.clone(), to.owner_id)],
        )
        .await?;
        let name_of =
            |id: i64| names.iter().find(|(a, _)| *a == id).and_then(|(_, n)| n.clone()).unwrap_or_default();
        Ok(Self {
            readers: readers(db, to).await?,
            payer: name_of(from.id),
            payee: name_of(to.id),
            symbol: currency.symbol.clone(),
        })
    }

    /// Queues the emails of the payment `transfer`, in its transaction.
    pub(super) async fn send(&self, tx: &mut Tx, transfer: &Transfer) -> AppResult<()> {
        for reader in &self.readers {
            let t = Tr::new(reader.lang());
            let amount = super::format_units(transfer.amount_cents, &self.symbol, t.lang);
            let reference = super::short_reference(transfer.id);
            let args = [
                ("amount", amount.as_str()),
                ("payer", self.payer.as_str()),
                ("payee", self.payee.as_str()),
                ("memo", transfer.memo.as_str()),
                ("reference", reference.as_str()),
            ];
            let body = t.fill("ledger.mail.received.body", &args);
            let subject = t.fill("ledger.mail.received.subject", &args);
            mail::enqueue(tx, &Email::new(&reader.email, &subject, body)).await?;
        }
        Ok(())
    }
}

/// How units were credited, for the member's email.
#[derive(Clone, Copy, Debug)]
pub(super) enum Credit<'a> {
    /// At an exchange desk, in cash.
    Cash,
    /// At an exchange desk, by cheque.
    Cheque,
    /// By bank transfer, with the request's code.
    Transfer(&'a str),
}

/// Queues the email telling `member` that `transfer` credited units to their account.
pub(super) async fn units_credited(
    tx: &mut Tx,
    member: &User,
    currency: &Currency,
    transfer: &Transfer,
    how: Credit<'_>,
) -> AppResult<()> {
    let t = Tr::new(member.lang());
    let amount = super::format_units(transfer.amount_cents, &currency.symbol, t.lang);
    let reference = super::short_reference(transfer.id);
    let how = match how {
        Credit::Cash => t.get("ledger.mail.credited.cash").to_owned(),
        Credit::Cheque => t.get("ledger.mail.credited.cheque").to_owned(),
        Credit::Transfer(code) => t.fill("ledger.mail.credited.transfer", &[("code", code)]),
    };
    let args = [("amount", amount.as_str()), ("how", how.as_str()), ("reference", reference.as_str())];
    let email = Email::new(
        &member.email,
        &t.fill("ledger.mail.credited.subject", &args),
        t.fill("ledger.mail.credited.body", &args),
    );
    mail::enqueue(tx, &email).await
}
