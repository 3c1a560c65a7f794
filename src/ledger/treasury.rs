//! The treasurer's work: bank statement reconciliation (automatic matching of issuance
//! references and reconversion payouts, manual review), the audit of the ledger's invariants,
//! the dashboard's figures, settings and exports.

use serde::Serialize;

use super::notices::{Credit, units_credited};
use super::posting::{NewTransfer, Posted, post_in_tx};
use super::statement::{self, Entry};
use super::store::{self, BankEntry, Currency, EntryOutcome, IssuanceRequest, Reconversion, Sums, Transfer};
use super::wallet::{enabled_currency, system_account};
use super::{AccountKind, TransferKind};
use crate::accounts::totp::FreshFactor;
use crate::accounts::{self, Role, User};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult};
use crate::tabular::{CsvWriter, decimal_comma};

/// True when `user` is a treasurer of the territory (instance admins are).
pub async fn is_treasurer(db: &Db, user: &User, territory_id: i64) -> AppResult<bool> {
    accounts::has_role(db, user, territory_id, Role::Treasurer).await
}

/// Checks that `user` is a treasurer of the territory with a second factor (TOTP) set up;
/// `403 ledger.error.totp_required` when the factor is missing. Enough to read; operations that
/// move money also ask for a fresh code ([`require_fresh`]).
pub async fn require_treasurer(db: &Db, user: &User, territory_id: i64) -> AppResult<()> {
    if !is_treasurer(db, user, territory_id).await? {
        return Err(AppError::Forbidden);
    }
    if !accounts::totp::is_enabled(db, user.id).await? {
        return Err(AppError::Denied("ledger.error.totp_required"));
    }
    Ok(())
}

/// Checks that `factor` proves a recent second factor of `actor`, whose factor is still on:
/// `403 ledger.error.totp_code` otherwise. Every operation that creates or moves the
/// association's money asks for it, instance administrators included.
pub(super) async fn require_fresh(db: &Db, actor: &User, factor: &FreshFactor) -> AppResult<()> {
    if !factor.proves(actor) || !accounts::totp::is_enabled(db, actor.id).await? {
        return Err(AppError::Denied("ledger.error.totp_code"));
    }
    Ok(())
}

/// [`require_treasurer`] and [`require_fresh`]: what a treasurer's money operation asks.
async fn require_treasurer_now(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
) -> AppResult<()> {
    require_treasurer(db, actor, territory_id).await?;
    require_fresh(db, actor, factor).await
}

/// Who may do a money operation of a territory: its treasurers, or its exchange-desk operators
/// (treasurers among them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// A treasurer's operation (statements, matching, corrections).
    Treasury,
    /// An issuance at the exchange desk.
    Desk,
}

/// The proof of a second factor given with an API call (its `X-TOTP-Code` header) for an
/// operation of `duty` in the territory. The role is checked first (`403`), so that a member
/// who may not act spends no code. Then `403 ledger.error.totp_required` when the member has no
/// confirmed factor, `403 ledger.error.totp_code` when the code is missing, wrong or used.
pub async fn factor_from_code(
    db: &Db,
    actor: &User,
    territory_id: i64,
    duty: Duty,
    code: Option<&str>,
) -> AppResult<FreshFactor> {
    match duty {
        Duty::Treasury => require_treasurer(db, actor, territory_id).await?,
        Duty::Desk if !super::is_desk_operator(db, actor, territory_id).await? => {
            return Err(AppError::Forbidden);
        }
        Duty::Desk => {}
    }
    if !accounts::totp::is_enabled(db, actor.id).await? {
        return Err(AppError::Denied("ledger.error.totp_required"));
    }
    let code =
        code.map(str::trim).filter(|c| !c.is_empty()).ok_or(AppError::Denied("ledger.error.totp_code"))?;
    match accounts::totp::fresh_from_code(db, actor, code).await {
        Err(AppError::Invalid(_)) => Err(AppError::Denied("ledger.error.totp_code")),
        other => other,
    }
}

/// What importing a statement did.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// `camt053` or `csv`.
    pub format: String,
    /// Entries in the file.
    pub entries: usize,
    /// Entries seen before (in this or an earlier statement), not counted again.
    pub already_imported: usize,
    /// Issuance requests matched and units issued.
    pub issued_count: usize,
    /// Units issued, in cents.
    pub issued_cents: i64,
    /// Reconversion payouts settled.
    pub settled_count: usize,
    /// Euros of the payouts settled, in cents.
    pub settled_cents: i64,
    /// New entries left for the treasurer to match or mark unrelated.
    pub review: Vec<BankEntry>,
}

/// Imports a CAMT.053 or CSV statement of the guarantee fund, in one transaction: each entry
/// not seen before is recorded; a credit carrying the code of a pending issuance request (any
/// case, anywhere in its label) with the same amount issues the units; a debit carrying the
/// reference of a pending payout with its amount settles it; every other new entry waits for
/// review. Entries already imported are skipped, so importing again changes nothing. Needs a
/// fresh second factor, like every treasurer operation below that moves money.
pub async fn import_statement(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    require_treasurer_now(db, actor, factor, territory_id).await?;
    enabled_currency(db, territory_id).await?;
    let parsed = statement::parse(bytes).map_err(AppError::BadRequest)?;
    let now = now();
    let mut report = ImportReport {
        format: parsed.format.to_owned(),
        entries: parsed.entries.len(),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    let statement_id = store::insert_statement(
        &mut tx,
        territory_id,
        parsed.format,
        &parsed.reference,
        parsed.closing_balance_cents,
        i64::try_from(parsed.entries.len()).unwrap_or(i64::MAX),
        actor.id,
        now,
    )
    .await?;
    let mut new_entries = 0;
    for entry in &parsed.entries {
        let Some(entry_id) = store::insert_entry(&mut tx, territory_id, statement_id, entry, now).await?
        else {
            report.already_imported += 1;
            continue;
        };
        new_entries += 1;
        if entry.is_credit {
            if let Some(request) = matching_request(&mut tx, territory_id, entry).await? {
                issue_for_request(&mut tx, actor, &request, entry_id, now).await?;
                report.issued_count += 1;
                report.issued_cents += request.amount_cents;
                continue;
            }
        } else if let Some(reconversion) = matching_payout(&mut tx, territory_id, entry).await? {
            settle_payout(&mut tx, actor, &reconversion, entry_id, now).await?;
            report.settled_count += 1;
            report.settled_cents += reconversion.payout_cents;
            continue;
        }
        if let Some(waiting) = store::entry(&mut tx, territory_id, entry_id).await? {
            report.review.push(waiting);
        }
    }
    store::set_new_entry_count(&mut tx, statement_id, new_entries).await?;
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "statement_imported",
        &format!(
            "{} {}: {} new, {} issued ({}), {} settled ({}), {} to review",
            parsed.format,
            parsed.reference,
            new_entries,
            report.issued_count,
            report.issued_cents,
            report.settled_count,
            report.settled_cents,
            report.review.len()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

async fn matching_request(
    tx: &mut Tx,
    territory_id: i64,
    entry: &Entry,
) -> AppResult<Option<IssuanceRequest>> {
    for code in super::issuance_codes_in(&entry.remittance) {
        if let Some(request) = store::issuance_request_by_reference(tx, territory_id, &code).await?
            && request.status == "pending"
            && request.expires_at >= now()
            && request.amount_cents == entry.amount_cents
        {
            return Ok(Some(request));
        }
    }
    Ok(None)
}

async fn matching_payout(tx: &mut Tx, territory_id: i64, entry: &Entry) -> AppResult<Option<Reconversion>> {
    for code in super::payout_codes_in(&entry.remittance) {
        if let Some(found) = store::reconversion_by_reference(tx, territory_id, &code).await?
            && found.status == "pending"
            && found.payout_cents == entry.amount_cents
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Issues the units of a request whose euros arrived (entry `entry_id`).
async fn issue_for_request(
    tx: &mut Tx,
    actor: &User,
    request: &IssuanceRequest,
    entry_id: i64,
    now: i64,
) -> AppResult<()> {
    let issuance = system_account(tx, request.territory_id, AccountKind::Issuance).await?;
    let transfer = NewTransfer {
        territory_id: request.territory_id,
        client_id: format!("issuance-request:{}", request.id),
        debit_account_id: issuance.id,
        credit_account_id: request.account_id,
        amount_cents: request.amount_cents,
        kind: TransferKind::Issuance,
        memo: format!("Change par virement {}", request.reference),
        author_user_id: Some(actor.id),
        reference: Some(request.reference.clone()),
    };
    let posted = post_in_tx(tx, std::slice::from_ref(&transfer)).await?;
    let Posted::Created(transfers) = posted else {
        return Err(AppError::Conflict("ledger.error.already_done"));
    };
    if !store::mark_request_issued(tx, request.id, transfers[0].id, now).await? {
        return Err(AppError::Conflict("ledger.error.already_done"));
    }
    if let Some(member) = accounts::user_by_id(&mut *tx, request.user_id).await?
        && let Some(currency) = store::currency(&mut *tx, request.territory_id).await?
    {
        let how = Credit::Transfer(&request.reference);
        units_credited(tx, &member, &currency, &transfers[0], how).await?;
    }
    store::insert_issuance(
        tx,
        request.territory_id,
        "bank",
        request.amount_cents,
        transfers[0].id,
        Some(actor.id),
        now,
    )
    .await?;
    let issued = EntryOutcome::Issued { request_id: request.id };
    if !store::resolve_entry(tx, request.territory_id, entry_id, issued, actor.id, now).await? {
        return Err(AppError::Conflict("ledger.error.already_done"));
    }
    store::log_event(tx, request.territory_id, Some(actor.id), "issued_by_transfer", &request.reference, now)
        .await
}

/// Settles a payout whose euros left the fund (entry `entry_id`): its units leave circulation.
async fn settle_payout(
    tx: &mut Tx,
    actor: &User,
    reconversion: &Reconversion,
    entry_id: i64,
    now: i64,
) -> AppResult<()> {
    let payout = system_account(tx, reconversion.territory_id, AccountKind::Payout).await?;
    let issuance = system_account(tx, reconversion.territory_id, AccountKind::Issuance).await?;
    let transfer = NewTransfer {
        territory_id: reconversion.territory_id,
        client_id: format!("payout:{}", reconversion.id),
        debit_account_id: payout.id,
        credit_account_id: issuance.id,
        amount_cents: reconversion.payout_cents,
        kind: TransferKind::Reconversion,
        memo: format!("Versement {} réglé", reconversion.reference),
        author_user_id: Some(actor.id),
        reference: Some(reconversion.reference.clone()),
    };
    let posted = post_in_tx(tx, std::slice::from_ref(&transfer)).await?;
    if !posted.is_new() || !store::mark_reconversion_settled(tx, reconversion.id, now).await? {
        return Err(AppError::Conflict("ledger.error.already_done"));
    }
    let settled = EntryOutcome::Settled { reconversion_id: reconversion.id };
    if !store::resolve_entry(tx, reconversion.territory_id, entry_id, settled, actor.id, now).await? {
        return Err(AppError::Conflict("ledger.error.already_done"));
    }
    store::log_event(
        tx,
        reconversion.territory_id,
        Some(actor.id),
        "payout_settled",
        &reconversion.reference,
        now,
    )
    .await
}

/// Matches an entry waiting for review by hand: a credit to an issuance request (pending or
/// expired) of the same amount, or a debit to a pending payout of the same amount, by its code.
pub async fn match_entry(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
    entry_id: i64,
    code: &str,
) -> AppResult<()> {
    require_treasurer_now(db, actor, factor, territory_id).await?;
    let code = code.trim().to_uppercase();
    let now = now();
    let mut tx = db.begin().await?;
    let entry = store::entry(&mut tx, territory_id, entry_id).await?.ok_or(AppError::NotFound)?;
    if entry.status != "review" {
        return Err(AppError::Conflict("ledger.error.already_done"));
    }
    if entry.is_credit {
        let request = store::issuance_request_by_reference(&mut tx, territory_id, &code)
            .await?
            .filter(|r| r.status == "pending" || r.status == "expired")
            .ok_or_else(|| AppError::invalid("code", "ledger.error.no_such_request"))?;
        if request.amount_cents != entry.amount_cents {
            return Err(AppError::invalid("code", "ledger.error.amount_differs"));
        }
        issue_for_request(&mut tx, actor, &request, entry_id, now).await?;
    } else {
        let found = store::reconversion_by_reference(&mut tx, territory_id, &code)
            .await?
            .filter(|r| r.status == "pending")
            .ok_or_else(|| AppError::invalid("code", "ledger.error.no_such_payout"))?;
        if found.payout_cents != entry.amount_cents {
            return Err(AppError::invalid("code", "ledger.error.amount_differs"));
        }
        settle_payout(&mut tx, actor, &found, entry_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks an entry waiting for review as not about the currency (a membership fee, bank fees).
pub async fn mark_unrelated(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
    entry_id: i64,
) -> AppResult<()> {
    require_treasurer_now(db, actor, factor, territory_id).await?;
    let now = now();
    let mut tx = db.begin().await?;
    if !store::resolve_entry(&mut tx, territory_id, entry_id, EntryOutcome::Unrelated, actor.id, now).await? {
        return Err(AppError::NotFound);
    }
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "entry_unrelated",
        &format!("entry {entry_id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The audit of a territory's ledger.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Audit {
    /// True when every invariant holds.
    pub ok: bool,
    /// The sums compared.
    #[serde(flatten)]
    pub sums: Sums,
    /// The invariants that failed (stable names).
    pub failures: Vec<String>,
}

/// Checks every invariant of a territory's ledger: the balances sum to zero; each balance is
/// the sum of its transfers; no account is below its floor; no transfer crosses territories;
/// the units in circulation equal the euros received minus the euros paid out.
pub async fn audit(db: &Db, territory_id: i64) -> AppResult<Audit> {
    let sums = store::audit_sums(db, territory_id).await?;
    let mut failures = Vec::new();
    if sums.total_balance_cents != 0 {
        failures.push("balances_do_not_sum_to_zero".to_owned());
    }
    if !sums.mismatched_accounts.is_empty() {
        failures.push("balance_differs_from_transfers".to_owned());
    }
    if !sums.accounts_below_floor.is_empty() {
        failures.push("account_below_floor".to_owned());
    }
    if sums.foreign_transfers != 0 {
        failures.push("transfer_across_territories".to_owned());
    }
    if sums.circulation_cents != sums.deposits_cents - sums.payouts_cents {
        failures.push("circulation_differs_from_fund".to_owned());
    }
    Ok(Audit { ok: failures.is_empty(), sums, failures })
}

/// The audit, for a treasurer.
pub async fn audit_for(db: &Db, actor: &User, territory_id: i64) -> AppResult<Audit> {
    require_treasurer(db, actor, territory_id).await?;
    audit(db, territory_id).await
}

/// Audits every territory that has a currency (`halle currency audit`): (territory id, audit).
pub async fn audit_all(db: &Db) -> AppResult<Vec<(i64, Audit)>> {
    let mut all = Vec::new();
    for territory_id in store::currency_territories(db).await? {
        all.push((territory_id, audit(db, territory_id).await?));
    }
    Ok(all)
}

/// A day of activity for the charts.
#[derive(Clone, Debug, Serialize)]
pub struct Day {
    /// Start of the day (Unix seconds, UTC).
    pub day: i64,
    /// Units in circulation at the end of the day, in cents.
    pub circulation_cents: i64,
    /// Volume of payments that day, in cents.
    pub volume_cents: i64,
}

/// What the treasurer's dashboard shows.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    /// The currency.
    pub currency: Currency,
    /// The audit (which holds the fund's and the circulation's figures).
    pub audit: Audit,
    /// The last statement's closing balance and when it was imported.
    pub last_closing: Option<(i64, i64)>,
    /// Requests waiting for their euros.
    pub pending_requests: Vec<IssuanceRequest>,
    /// Payouts to make by bank transfer.
    pub pending_payouts: Vec<Reconversion>,
    /// Statement entries waiting for review.
    pub review: Vec<BankEntry>,
    /// The last 30 days.
    pub days: Vec<Day>,
    /// The newest money operations.
    pub events: Vec<store::Event>,
    /// Businesses' names of the pending payouts: (business id, name).
    pub business_names: Vec<(i64, String)>,
}

/// Gathers the treasurer's dashboard.
pub async fn dashboard(db: &Db, actor: &User, territory_id: i64) -> AppResult<Dashboard> {
    require_treasurer(db, actor, territory_id).await?;
    let currency = store::currency(db, territory_id).await?.ok_or(AppError::NotFound)?;
    store::expire_requests(db, now()).await?;
    let audit = audit(db, territory_id).await?;
    let since = (now() / 86_400 - 29) * 86_400;
    let activity = store::daily_activity(db, territory_id, since).await?;
    // Walk back from today's circulation to get each day's closing figure.
    let mut days = Vec::with_capacity(30);
    let mut circulation = audit.sums.circulation_cents;
    for offset in (0..30).rev() {
        let day = since + offset * 86_400;
        let (issued, volume) = activity
            .iter()
            .find(|(d, _, _)| *d == day)
            .map_or((0, 0), |(_, issued, volume)| (*issued, *volume));
        days.push(Day { day, circulation_cents: circulation, volume_cents: volume });
        circulation -= issued;
    }
    days.reverse();
    let pending_payouts = store::reconversions(db, territory_id, "pending").await?;
    let mut business_names = Vec::new();
    for payout in &pending_payouts {
        if !business_names.iter().any(|(id, _)| *id == payout.business_id)
            && let Some(business) = crate::directory::business_by_id(db, payout.business_id).await?
        {
            business_names.push((business.id, business.name));
        }
    }
    Ok(Dashboard {
        currency,
        audit,
        last_closing: store::last_closing_balance(db, territory_id).await?,
        pending_requests: store::pending_requests(db, territory_id).await?,
        pending_payouts,
        review: store::entries_to_review(db, territory_id).await?,
        days,
        events: store::events(db, territory_id, 20).await?,
        business_names,
    })
}

/// Changes whether members may pay members, and the reconversion fee (basis points, 0 to 10 %).
pub async fn update_settings(
    db: &Db,
    actor: &User,
    territory_id: i64,
    allows_member_payments: bool,
    fee_bp: i64,
) -> AppResult<()> {
    require_treasurer(db, actor, territory_id).await?;
    if !(0..=1000).contains(&fee_bp) {
        return Err(AppError::invalid("fee", "ledger.error.fee"));
    }
    let mut tx = db.begin().await?;
    store::update_settings(&mut tx, territory_id, allows_member_payments, fee_bp, now()).await?;
    store::log_event(
        &mut tx,
        territory_id,
        Some(actor.id),
        "settings_changed",
        &format!("member payments {allows_member_payments}, fee {fee_bp} bp"),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account of the territory with its balance, as CSV, for the treasurer.
pub async fn accounts_csv(db: &Db, actor: &User, territory_id: i64) -> AppResult<Vec<u8>> {
    require_treasurer(db, actor, territory_id).await?;
    let accounts = store::accounts(db, territory_id).await?;
    let keys: Vec<(i64, String, i64)> = accounts.iter().map(|a| (a.id, a.kind.clone(), a.owner_id)).collect();
    let names = super::account_names(db, &keys).await?;
    let mut writer = CsvWriter::new(';');
    writer.write_row(["compte", "type", "nom", "solde"]);
    for account in &accounts {
        let name =
            names.iter().find(|(id, _)| *id == account.id).and_then(|(_, n)| n.clone()).unwrap_or_default();
        writer.write_row([
            account.id.to_string(),
            account.kind.clone(),
            name,
            decimal_comma(account.balance_cents, false),
        ]);
    }
    Ok(writer.into_bytes())
}

/// The client id of the correction of the transfer `client_id`.
fn correction_id(client_id: &str) -> String {
    format!("correction:{client_id}")
}

/// The transfer `client_id` (or its short reference, `P-000123`) of the territory if it can be corrected: `404` when unknown, `403
/// ledger.error.correction` for issuance, reconversion and fee transfers (the bank statement
/// settles those).
async fn correctable(db: &Db, territory_id: i64, client_id: &str) -> AppResult<Transfer> {
    let found = match super::parse_short_reference(client_id) {
        Some(id) => store::transfer_by_id(db, id).await?,
        None => store::transfer_by_client_id(db, client_id).await?,
    };
    let original = found.filter(|t| t.territory_id == territory_id).ok_or(AppError::NotFound)?;
    if !matches!(original.kind.as_str(), "payment" | "refund" | "correction") {
        return Err(AppError::Denied("ledger.error.correction"));
    }
    Ok(original)
}

/// What a treasurer is about to correct: the transfer, and its correction if it was already
/// made. Errors as [`correct_transfer`].
pub async fn correction_preview(
    db: &Db,
    actor: &User,
    territory_id: i64,
    client_id: &str,
) -> AppResult<(Transfer, Option<Transfer>)> {
    require_treasurer(db, actor, territory_id).await?;
    let original = correctable(db, territory_id, client_id).await?;
    let done = store::transfer_by_client_id(db, &correction_id(&original.client_id)).await?;
    Ok((original, done))
}

/// Corrects a transfer by a new reversing transfer (kind `correction`, client id
/// `correction:<original id>`): transfers are never changed or deleted. Treasurers only;
/// idempotent; `404` for an unknown transfer, `403 ledger.error.correction` for one that is
/// not a payment, a refund or a correction, `422 ledger.error.insufficient` when the account
/// credited has spent the units.
pub async fn correct_transfer(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
    client_id: &str,
    memo: &str,
) -> AppResult<Posted> {
    require_treasurer_now(db, actor, factor, territory_id).await?;
    let memo = super::clean_memo(memo).map_err(|m| AppError::invalid("memo", m))?;
    let original = correctable(db, territory_id, client_id).await?;
    let reversal = NewTransfer {
        territory_id,
        client_id: correction_id(&original.client_id),
        debit_account_id: original.credit_account_id,
        credit_account_id: original.debit_account_id,
        amount_cents: original.amount_cents,
        kind: TransferKind::Correction,
        memo,
        author_user_id: Some(actor.id),
        reference: Some(original.client_id.clone()),
    };
    let mut tx = db.begin().await?;
    let posted = post_in_tx(&mut tx, std::slice::from_ref(&reversal)).await?;
    if posted.is_new() {
        store::log_event(
            &mut tx,
            territory_id,
            Some(actor.id),
            "transfer_corrected",
            &original.client_id,
            now(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(posted)
}
