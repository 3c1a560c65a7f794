//! The exchange desk: operators and treasurers credit members at once against euros received in
//! cash or by cheque. Each issuance needs the operator's fresh second factor, never credits the
//! operator, and stays under the operator's daily cap (counted in the issuing transaction).

use super::notices::{Credit, units_credited};
use super::payment::clean_client_id;
use super::posting::{NewTransfer, Posted, post_in_tx};
use super::store;
use super::treasury::require_fresh;
use super::wallet::{enabled_currency, member_account, system_account};
use super::{AccountKind, TransferKind};
use crate::accounts::totp::FreshFactor;
use crate::accounts::{self, Role, User};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};

/// The time zone of the desk's day, for the daily cap.
const DESK_DAY_ZONE: &str = "Europe/Paris";

/// How euros were given at an exchange point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskMethod {
    /// Banknotes and coins.
    Cash,
    /// A cheque.
    Cheque,
}

impl DeskMethod {
    /// Parses `cash` or `cheque`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cash" => Some(Self::Cash),
            "cheque" => Some(Self::Cheque),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::Cash => "desk_cash",
            Self::Cheque => "desk_cheque",
        }
    }
}

/// What an operator issues at the desk.
#[derive(Clone, Debug)]
pub struct DeskIssuance {
    /// Who is credited: the member's email address, account number, or name (words of it, in
    /// any case and with or without accents, matching one member of the territory).
    pub member_email: String,
    /// Euros received, in cents.
    pub amount_cents: i64,
    /// Cash or cheque.
    pub method: DeskMethod,
    /// The id chosen by the client (a retry with it issues nothing more).
    pub client_id: String,
}

/// A member the desk may credit, as the operator's search finds them.
#[derive(Clone, Debug)]
pub struct DeskMember {
    /// The member.
    pub user: User,
    /// Their account number in the territory, when they have one.
    pub account_id: Option<i64>,
}

/// Most members a name search lists.
const MAX_CANDIDATES: usize = 10;

/// The members of the territory that `query` names: an email address (one member), an account
/// number (its member), or words of a name (every member whose name holds them all, folded).
/// Operators and treasurers only.
pub async fn find_members(
    db: &Db,
    operator: &User,
    territory_id: i64,
    query: &str,
) -> AppResult<Vec<DeskMember>> {
    if !is_desk_operator(db, operator, territory_id).await? {
        return Err(AppError::Forbidden);
    }
    candidates(db, territory_id, query).await
}

async fn candidates(db: &Db, territory_id: i64, query: &str) -> AppResult<Vec<DeskMember>> {
    let query = query.trim();
    let users = if query.contains('@') {
        let email = accounts::normalize_email(query);
        accounts::find_user_with_hash(db, &email).await?.map(|(u, _)| u).into_iter().collect()
    } else if let Some(number) = account_number(query) {
        match store::account(db, number).await? {
            Some(a) if a.territory_id == territory_id && a.kind == AccountKind::Member.as_str() => {
                accounts::user_by_id(db, a.owner_id).await?.into_iter().collect()
            }
            _ => Vec::new(),
        }
    } else {
        let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let members = accounts::users_with_role(db, territory_id, Role::Member).await?;
        members
            .into_iter()
            .filter(|u| {
                let name = fold(&u.display_name);
                words.iter().all(|w| name.split_whitespace().any(|part| part.starts_with(w.as_str())))
            })
            .take(MAX_CANDIDATES)
            .collect()
    };
    let mut found = Vec::with_capacity(users.len());
    for user in users {
        let account = store::account_of(db, territory_id, AccountKind::Member.as_str(), user.id).await?;
        found.push(DeskMember { account_id: account.map(|a| a.id), user });
    }
    Ok(found)
}

/// An account number as an operator types it: `12`, `n° 12`, `#12`.
fn account_number(query: &str) -> Option<i64> {
    let digits = query.trim_start_matches(['n', 'N', '°', 'º', 'o', '#', ' ', '.']);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// Lowercase ASCII, for name searches without accents.
fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// One issuance of the desk's day.
#[derive(Clone, Debug)]
pub struct DeskOperation {
    /// When (Unix seconds).
    pub created_at: i64,
    /// Cash or cheque.
    pub method: DeskMethod,
    /// Euros received, in cents.
    pub amount_cents: i64,
    /// The transfer's short reference (`P-000123`).
    pub reference: String,
    /// The member's account number.
    pub account_id: i64,
    /// The member's name.
    pub member: String,
}

/// The operator's issuances at the desk since midnight (Paris), newest first.
pub async fn desk_day(db: &Db, operator: &User, territory_id: i64) -> AppResult<Vec<DeskOperation>> {
    if !is_desk_operator(db, operator, territory_id).await? {
        return Err(AppError::Forbidden);
    }
    let rows = store::desk_operations(db, territory_id, operator.id, day_start(now())?).await?;
    let keys: Vec<(i64, String, i64)> =
        rows.iter().map(|r| (r.account_id, AccountKind::Member.as_str().to_owned(), r.owner_id)).collect();
    let names = super::account_names(db, &keys).await?;
    Ok(rows
        .into_iter()
        .map(|r| DeskOperation {
            created_at: r.created_at,
            method: if r.source == "desk_cheque" { DeskMethod::Cheque } else { DeskMethod::Cash },
            amount_cents: r.amount_cents,
            reference: super::short_reference(r.transfer_id),
            member: names
                .iter()
                .find(|(id, _)| *id == r.account_id)
                .and_then(|(_, n)| n.clone())
                .unwrap_or_default(),
            account_id: r.account_id,
        })
        .collect())
}

/// True when `user` may issue units at an exchange desk of the territory: its exchange
/// operators and its treasurers.
pub async fn is_desk_operator(db: &Db, user: &User, territory_id: i64) -> AppResult<bool> {
    Ok(accounts::has_role(db, user, territory_id, Role::ExchangeOperator).await?
        || accounts::has_role(db, user, territory_id, Role::Treasurer).await?)
}

/// Credits a member at once at an exchange point, against euros the operator received: an
/// issuance transfer and its issuance record in one transaction, idempotent on `client_id`.
/// Exchange-point operators and treasurers only (`403`), with a fresh second factor (`403
/// ledger.error.totp_code`); never to the operator's own account (`403
/// ledger.error.self_credit`); at most `daily_cap_cents` per operator and territory per day
/// (`403 ledger.error.desk_cap`).
pub async fn issue_at_desk(
    db: &Db,
    operator: &User,
    factor: &FreshFactor,
    territory_id: i64,
    issuance: &DeskIssuance,
    daily_cap_cents: i64,
) -> AppResult<Posted> {
    if !is_desk_operator(db, operator, territory_id).await? {
        return Err(AppError::Forbidden);
    }
    require_fresh(db, operator, factor).await?;
    issue(db, operator, territory_id, issuance, Some(daily_cap_cents)).await
}

/// [`issue_at_desk`] for the demo's seed, which runs before any server: no second factor and no
/// cap. Private to the ledger, so no HTTP route can reach it.
pub(super) async fn issue_for_demo(
    db: &Db,
    operator: &User,
    territory_id: i64,
    issuance: &DeskIssuance,
) -> AppResult<Posted> {
    if !is_desk_operator(db, operator, territory_id).await? {
        return Err(AppError::Forbidden);
    }
    issue(db, operator, territory_id, issuance, None).await
}

async fn issue(
    db: &Db,
    operator: &User,
    territory_id: i64,
    issuance: &DeskIssuance,
    daily_cap_cents: Option<i64>,
) -> AppResult<Posted> {
    let currency = enabled_currency(db, territory_id).await?;
    let client_id = clean_client_id(&issuance.client_id)?;
    let amount_cents = issuance.amount_cents;
    if amount_cents <= 0 || amount_cents > super::MAX_AMOUNT_CENTS {
        return Err(AppError::invalid("amount_cents", "ledger.error.amount"));
    }
    let member = match candidates(db, territory_id, &issuance.member_email).await?.as_slice() {
        [one] => one.user.clone(),
        [] => return Err(AppError::invalid("email", "ledger.error.unknown_member")),
        _ => return Err(AppError::invalid("email", "ledger.error.several_members")),
    };
    // The desk only credits member accounts; an operator never credits their own.
    if member.id == operator.id {
        return Err(AppError::Denied("ledger.error.self_credit"));
    }
    let account = member_account(db, &member, territory_id).await?;
    let method = issuance.method;
    let mut tx = db.begin().await?;
    let issuance_account = system_account(&mut tx, territory_id, AccountKind::Issuance).await?;
    let transfer = NewTransfer {
        territory_id,
        client_id,
        debit_account_id: issuance_account.id,
        credit_account_id: account.id,
        amount_cents,
        kind: TransferKind::Issuance,
        memo: match method {
            DeskMethod::Cash => "Change en espèces".to_owned(),
            DeskMethod::Cheque => "Change par chèque".to_owned(),
        },
        author_user_id: Some(operator.id),
        reference: None,
    };
    let posted = post_in_tx(&mut tx, std::slice::from_ref(&transfer)).await?;
    if let Posted::Created(transfers) = &posted {
        let now = now();
        store::insert_issuance(
            &mut tx,
            territory_id,
            method.source(),
            amount_cents,
            transfers[0].id,
            Some(operator.id),
            now,
        )
        .await?;
        if let Some(cap) = daily_cap_cents {
            // Posting debited the territory's issuance account: its row stays locked by this
            // transaction until it ends (PostgreSQL; SQLite has one writer at a time), so every
            // other issuance of the territory waits here, and this sum, a statement of its own
            // run after the lock, sees every issuance committed before, and this one.
            let issued =
                store::desk_issued_since(&mut tx, territory_id, operator.id, day_start(now)?).await?;
            if issued > cap {
                // Dropping the transaction rolls the transfer back.
                return Err(AppError::Denied("ledger.error.desk_cap"));
            }
        }
        let how = match method {
            DeskMethod::Cash => Credit::Cash,
            DeskMethod::Cheque => Credit::Cheque,
        };
        units_credited(&mut tx, &member, &currency, &transfers[0], how).await?;
        store::log_event(
            &mut tx,
            territory_id,
            Some(operator.id),
            "desk_issuance",
            &format!("{} {amount_cents}", method.source()),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(posted)
}

/// The start (Unix seconds) of the desk's day holding `at`.
fn day_start(at: i64) -> AppResult<i64> {
    let zoned = jiff::Timestamp::from_second(at)
        .and_then(|t| t.in_tz(DESK_DAY_ZONE))
        .and_then(|z| z.start_of_day())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("desk day: {e}")))?;
    Ok(zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_are_read_as_operators_type_them() {
        assert_eq!(account_number("12"), Some(12));
        assert_eq!(account_number("n° 12"), Some(12));
        assert_eq!(account_number("#7"), Some(7));
        assert_eq!(account_number("Noé"), None);
        assert_eq!(fold("Hélène Müller"), "helene muller");
    }

    #[test]
    fn the_desk_day_starts_at_midnight_in_paris() {
        // 2026-03-17 23:30 UTC is 00:30 on the 18th in Paris (UTC+1 in winter).
        let at = jiff::civil::date(2026, 3, 17).at(23, 30, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).unwrap();
        let start = day_start(at.timestamp().as_second()).unwrap();
        let expected =
            jiff::civil::date(2026, 3, 17).at(23, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).unwrap();
        assert_eq!(start, expected.timestamp().as_second());
    }
}
