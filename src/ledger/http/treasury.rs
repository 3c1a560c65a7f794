//! The treasurer's pages (dashboard with the fund and the circulation, statement import and its
//! report, manual matching, settings, exports) and the exchange desk where operators credit
//! members against cash or cheques, all behind a second-factor code given less than 15 minutes
//! ago (the step-up page asks again after that).

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::member::{Parties, Units, csv_download, currency_in, parties};
use crate::accounts::totp::FreshFactor;
use crate::accounts::{self, User};
use crate::app::{AppState, UPLOAD_MAX_BYTES};
use crate::error::{AppError, AppResult, FieldError};
use crate::ledger::store::{Currency, Transfer};
use crate::ledger::{
    Dashboard, DeskIssuance, DeskMember, DeskMethod, DeskOperation, ImportReport, parse_amount,
};
use crate::territory::Territory;
use crate::web::auth::CurrentUser;
use crate::web::page::{self, Page};
use crate::web::{FormErrors, render, render_status, see_other};

/// The treasurer's and the exchange desk's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/monnaie/tresorerie", get(show_dashboard))
        .route(
            "/t/{slug}/monnaie/tresorerie/releve",
            post(import_statement).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/monnaie/tresorerie/ecritures/{id}/rapprocher", post(match_entry))
        .route("/t/{slug}/monnaie/tresorerie/ecritures/{id}/sans-rapport", post(mark_unrelated))
        .route("/t/{slug}/monnaie/tresorerie/reglages", post(save_settings))
        .route("/t/{slug}/monnaie/tresorerie/banque", post(save_bank_details))
        .route("/t/{slug}/monnaie/tresorerie/comptes.csv", get(export_accounts))
        .route("/t/{slug}/monnaie/tresorerie/correction", post(preview_correction))
        .route("/t/{slug}/monnaie/tresorerie/correction/confirmer", post(confirm_correction))
        .route("/t/{slug}/monnaie/bureau-de-change", get(show_desk).post(issue_at_desk))
}

/// The territory, its currency, the treasurer and the proof of their recent second factor, or
/// where to go for the second factor (coming back to the page `next`: a form's POST comes back
/// to the dashboard).
async fn treasurer_in(
    state: &AppState,
    page: &Page,
    slug: &str,
    next: &str,
) -> AppResult<Result<(Territory, Currency, User, FreshFactor), Response>> {
    let user = page.user.clone().ok_or(AppError::Unauthorized)?;
    let (territory, currency) = currency_in(state, slug).await?;
    if !crate::ledger::is_treasurer(&state.db, &user, territory.id).await? {
        return Err(AppError::Forbidden);
    }
    Ok(accounts::totp::step_up(&state.db, page.session.as_ref(), &user, next)
        .await?
        .map(|factor| (territory, currency, user, factor)))
}

/// The treasurer's dashboard, where a form comes back after the step-up page.
fn dashboard_path(slug: &str) -> String {
    format!("/t/{slug}/monnaie/tresorerie")
}

/// A point of a chart, in SVG coordinates.
pub struct Bar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Height.
    pub height: i64,
    /// The day, for the title.
    pub label: String,
    /// The value, for the title.
    pub value: String,
}

fn bars(values: &[(i64, i64)], units: &Units, page: &Page) -> Vec<Bar> {
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    values
        .iter()
        .enumerate()
        .map(|(index, (day, value))| {
            let height = (value.max(&0) * 100 / max).max(if *value > 0 { 1 } else { 0 });
            let date =
                jiff::Timestamp::from_second(*day).map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()).ok();
            Bar {
                x: i64::try_from(index).unwrap_or(0) * 10,
                y: 100 - height,
                height,
                label: date.map(|d| crate::web::fmt::day(d, page.lang())).unwrap_or_default(),
                value: units.show(value),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ledger/treasury.html")]
struct TreasuryPage {
    page: Page,
    territory: Territory,
    units: Units,
    board: Dashboard,
    fund_cents: i64,
    circulation_bars: Vec<Bar>,
    volume_bars: Vec<Bar>,
    report: Option<ImportReport>,
    fee: String,
    bank: BankForm,
    correction: CorrectionForm,
    errors: FormErrors,
}

impl TreasuryPage {
    /// A journal line in words, in the page's language.
    fn journal_line(&self, event: &crate::ledger::store::Event) -> String {
        crate::ledger::journal::describe(
            &event.action,
            &event.detail,
            &self.board.currency.symbol,
            self.page.lang(),
        )
    }

    fn business_name(&self, id: &i64) -> String {
        self.board.business_names.iter().find(|(b, _)| b == id).map(|(_, n)| n.clone()).unwrap_or_default()
    }
}

async fn treasury_page(
    state: &AppState,
    page: Page,
    territory: Territory,
    user: &User,
    report: Option<ImportReport>,
    errors: FormErrors,
) -> AppResult<TreasuryPage> {
    treasury_page_with(state, page, territory, user, report, CorrectionForm::default(), errors).await
}

async fn treasury_page_with(
    state: &AppState,
    page: Page,
    territory: Territory,
    user: &User,
    report: Option<ImportReport>,
    correction: CorrectionForm,
    errors: FormErrors,
) -> AppResult<TreasuryPage> {
    let board = crate::ledger::dashboard(&state.db, user, territory.id).await?;
    let page = page.with_csrf().await?;
    let units = Units::of(&board.currency, &page);
    let circulation: Vec<(i64, i64)> = board.days.iter().map(|d| (d.day, d.circulation_cents)).collect();
    let volume: Vec<(i64, i64)> = board.days.iter().map(|d| (d.day, d.volume_cents)).collect();
    let fee_bp = board.currency.reconversion_fee_bp;
    let bank = BankForm {
        iban: crate::ledger::group_iban(&board.currency.bank_iban),
        holder: board.currency.bank_holder.clone(),
        exchange_points: board.currency.exchange_points.clone(),
    };
    Ok(TreasuryPage {
        bank,
        fund_cents: board.audit.sums.deposits_cents - board.audit.sums.payouts_cents,
        circulation_bars: bars(&circulation, &units, &page),
        volume_bars: bars(&volume, &units, &page),
        fee: format!("{},{:02}", fee_bp / 100, fee_bp % 100),
        units,
        page,
        territory,
        board,
        report,
        correction,
        errors,
    })
}

async fn show_dashboard(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (territory, _, user, _) = match treasurer_in(&state, &page, &slug, &page.path).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    render(&treasury_page(&state, page, territory, &user, None, FormErrors::default()).await?)
}

async fn import_statement(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (territory, _, user, factor) =
        match treasurer_in(&state, &page, &slug, &dashboard_path(&slug)).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(redirect),
        };
    let mut file = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("statement", "ledger.error.statement_unreadable"))?
    {
        if field.name() == Some("statement") {
            file = field.bytes().await.map_err(|_| AppError::TooLarge)?.to_vec();
        }
    }
    let outcome = if file.is_empty() {
        Err(AppError::invalid("statement", "ledger.error.statement_missing"))
    } else {
        crate::ledger::import_statement(&state.db, &user, &factor, territory.id, &file).await
    };
    match outcome {
        Ok(report) => {
            render(&treasury_page(&state, page, territory, &user, Some(report), FormErrors::default()).await?)
        }
        Err(AppError::BadRequest(key)) => {
            let errors = FormErrors(vec![FieldError { field: "statement", message: key }]);
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &treasury_page(&state, page, territory, &user, None, errors).await?,
            )
        }
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors(errors);
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &treasury_page(&state, page, territory, &user, None, errors).await?,
            )
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct MatchForm {
    #[serde(default)]
    code: String,
}

async fn match_entry(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<MatchForm>,
) -> AppResult<Response> {
    let (territory, _, user, factor) =
        match treasurer_in(&state, &page, &slug, &dashboard_path(&slug)).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(redirect),
        };
    match crate::ledger::match_entry(&state.db, &user, &factor, territory.id, id, &form.code).await {
        Ok(()) => {
            page.flash_and_go("ledger.review.matched", &format!("/t/{slug}/monnaie/tresorerie#a-verifier"))
                .await
        }
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors(errors.into_iter().map(|e| FieldError { field: "code", ..e }).collect());
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &treasury_page(&state, page, territory, &user, None, errors).await?,
            )
        }
        Err(other) => Err(other),
    }
}

async fn mark_unrelated(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (territory, _, user, factor) =
        match treasurer_in(&state, &page, &slug, &dashboard_path(&slug)).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(redirect),
        };
    crate::ledger::mark_unrelated(&state.db, &user, &factor, territory.id, id).await?;
    page.flash_and_go("ledger.review.unrelated_done", &format!("/t/{slug}/monnaie/tresorerie#a-verifier"))
        .await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    member_payments: String,
    #[serde(default)]
    fee: String,
}

async fn save_settings(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let (territory, _, user, _) = match treasurer_in(&state, &page, &slug, &dashboard_path(&slug)).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    // The fee is typed as a percentage with up to two decimals: "3" or "2,5".
    let fee_bp = if form.fee.trim().is_empty() { Some(0) } else { parse_amount(&form.fee) };
    let outcome = match fee_bp {
        Some(bp) => {
            crate::ledger::update_settings(
                &state.db,
                &user,
                territory.id,
                matches!(form.member_payments.as_str(), "on" | "true"),
                bp,
            )
            .await
        }
        None => Err(AppError::invalid("fee", "ledger.error.fee")),
    };
    match outcome {
        Ok(()) => {
            page.flash_and_go("ledger.settings.saved", &format!("/t/{slug}/monnaie/tresorerie#reglages"))
                .await
        }
        Err(AppError::Invalid(errors)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &treasury_page(&state, page, territory, &user, None, FormErrors(errors)).await?,
        ),
        Err(other) => Err(other),
    }
}

/// The fund's bank details and the exchange points, as typed on the treasury page.
#[derive(Deserialize, Default)]
struct BankForm {
    #[serde(default)]
    iban: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    exchange_points: String,
}

async fn save_bank_details(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<BankForm>,
) -> AppResult<Response> {
    let (territory, _, user, factor) =
        match treasurer_in(&state, &page, &slug, &dashboard_path(&slug)).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(redirect),
        };
    let input = crate::ledger::BankDetailsInput {
        iban: form.iban.clone(),
        holder: form.holder.clone(),
        exchange_points: form.exchange_points.clone(),
    };
    match crate::ledger::update_bank_details(&state.db, &user, &factor, territory.id, &input).await {
        Ok(()) => {
            page.flash_and_go("ledger.bank.saved", &format!("/t/{slug}/monnaie/tresorerie#banque")).await
        }
        Err(AppError::Invalid(errors)) => {
            let mut again = treasury_page(&state, page, territory, &user, None, FormErrors(errors)).await?;
            again.bank = form;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &again)
        }
        Err(other) => Err(other),
    }
}

async fn export_accounts(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (territory, _, user, _) = match treasurer_in(&state, &page, &slug, &page.path).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let bytes = crate::ledger::accounts_csv(&state.db, &user, territory.id).await?;
    Ok(csv_download(format!("comptes-{}.csv", territory.slug), bytes))
}

#[derive(Template)]
#[template(path = "ledger/desk.html")]
struct DeskPage {
    page: Page,
    territory: Territory,
    units: Units,
    id: String,
    email: String,
    amount: String,
    method: String,
    done: Option<(String, i64)>,
    errors: FormErrors,
    /// The members a name matched, to pick one from.
    candidates: Vec<DeskMember>,
    /// The operator's issuances today, newest first.
    day: Vec<DeskOperation>,
}

impl DeskPage {
    /// What the day's issuances add up to, in cash and in cheques.
    fn totals(&self) -> (i64, i64) {
        self.day.iter().fold((0, 0), |(cash, cheques), op| match op.method {
            DeskMethod::Cash => (cash + op.amount_cents, cheques),
            DeskMethod::Cheque => (cash, cheques + op.amount_cents),
        })
    }

    /// True for a cheque.
    fn is_cheque(&self, op: &DeskOperation) -> bool {
        op.method == DeskMethod::Cheque
    }

    /// An empty desk form with a fresh transfer id, after `done` (the member and amount just
    /// issued) when there is one.
    fn blank(page: Page, territory: Territory, units: Units, done: Option<(String, i64)>) -> Self {
        Self {
            page,
            territory,
            units,
            id: uuid::Uuid::new_v4().to_string(),
            email: String::new(),
            amount: String::new(),
            method: "cash".to_owned(),
            done,
            errors: FormErrors::default(),
            candidates: Vec::new(),
            day: Vec::new(),
        }
    }
}

/// The territory, its currency, the operator and the proof of their recent second factor, or
/// where to go for the second factor (coming back to the desk).
async fn operator_in(
    state: &AppState,
    page: &Page,
    slug: &str,
) -> AppResult<Result<(Territory, Currency, User, FreshFactor), Response>> {
    let user = page.user.clone().ok_or(AppError::Unauthorized)?;
    let (territory, currency) = currency_in(state, slug).await?;
    if !crate::ledger::is_desk_operator(&state.db, &user, territory.id).await? {
        return Err(AppError::Forbidden);
    }
    let desk = format!("/t/{slug}/monnaie/bureau-de-change");
    Ok(accounts::totp::step_up(&state.db, page.session.as_ref(), &user, &desk)
        .await?
        .map(|factor| (territory, currency, user, factor)))
}

async fn show_desk(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (territory, currency, user, _) = match operator_in(&state, &page, &slug).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let page = page.with_csrf().await?;
    let units = Units::of(&currency, &page);
    let day = crate::ledger::desk_day(&state.db, &user, territory.id).await?;
    render(&DeskPage { day, ..DeskPage::blank(page, territory, units, None) })
}

#[derive(Deserialize)]
struct DeskForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    email: String,
    /// A member picked among those a name matched (their account number or email).
    #[serde(default)]
    choice: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
}

async fn issue_at_desk(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<DeskForm>,
) -> AppResult<Response> {
    let (territory, currency, user, factor) = match operator_in(&state, &page, &slug).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let mut errors = Vec::new();
    let amount = parse_amount(&form.amount);
    if amount.is_none() {
        errors.push(FieldError { field: "amount", message: "ledger.error.amount" });
    }
    let method = DeskMethod::parse(&form.method);
    if method.is_none() {
        errors.push(FieldError { field: "method", message: "ledger.error.method" });
    }
    let outcome = match (amount, method) {
        (Some(amount), Some(method)) if errors.is_empty() => {
            let who = if form.choice.trim().is_empty() { &form.email } else { &form.choice };
            let issuance = DeskIssuance {
                member_email: who.clone(),
                amount_cents: amount,
                method,
                client_id: form.id.clone(),
            };
            let cap = state.config.desk_daily_cap_cents;
            crate::ledger::issue_at_desk(&state.db, &user, &factor, territory.id, &issuance, cap).await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    let page = page.with_csrf().await?;
    let units = Units::of(&currency, &page);
    let (status, errors) = match outcome {
        Ok(posted) => {
            let done = (form.email.trim().to_owned(), posted.transfers()[0].amount_cents);
            let day = crate::ledger::desk_day(&state.db, &user, territory.id).await?;
            return render(&DeskPage { day, ..DeskPage::blank(page, territory, units, Some(done)) });
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| if e.field == "amount_cents" { FieldError { field: "amount", ..e } } else { e })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        // The desk's refusals are shown on its form, next to the field they are about.
        Err(AppError::Denied(message @ "ledger.error.self_credit")) => {
            (StatusCode::FORBIDDEN, vec![FieldError { field: "email", message }])
        }
        Err(AppError::Denied(message @ "ledger.error.desk_cap")) => {
            (StatusCode::FORBIDDEN, vec![FieldError { field: "amount", message }])
        }
        Err(other) => return Err(other),
    };
    let candidates = if errors.iter().any(|e| e.message == "ledger.error.several_members") {
        crate::ledger::find_members(&state.db, &user, territory.id, &form.email).await?
    } else {
        Vec::new()
    };
    let day = crate::ledger::desk_day(&state.db, &user, territory.id).await?;
    render_status(
        status,
        &DeskPage {
            candidates,
            day,
            units,
            page,
            territory,
            id: form.id,
            email: form.email,
            amount: form.amount,
            method: form.method,
            done: None,
            errors: FormErrors(errors),
        },
    )
}

/// The correction form: the transfer's reference (on its receipt) and why.
#[derive(Clone, Debug, Default, Deserialize)]
struct CorrectionForm {
    #[serde(default)]
    transfer: String,
    #[serde(default)]
    memo: String,
}

#[derive(Template)]
#[template(path = "ledger/correction.html")]
struct CorrectionPage {
    page: Page,
    territory: Territory,
    units: Units,
    transfer: Transfer,
    parties: Parties,
    done: Option<Transfer>,
    form: CorrectionForm,
}

/// A correction form checked for its treasurer: the transfer to correct and its correction if
/// already made.
struct Correction {
    page: Page,
    territory: Territory,
    currency: Currency,
    user: User,
    factor: FreshFactor,
    form: CorrectionForm,
    transfer: Transfer,
    done: Option<Transfer>,
}

/// Checks a correction form: `Err` holds the response to send instead (the second factor's
/// page, or the treasury page again with the form's error, 422).
async fn correction_of(
    state: &AppState,
    page: Page,
    slug: &str,
    form: CorrectionForm,
) -> AppResult<Result<Correction, Response>> {
    let (territory, currency, user, factor) =
        match treasurer_in(state, &page, slug, &dashboard_path(slug)).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(Err(redirect)),
        };
    let reference = form.transfer.trim().to_owned();
    let refused = |message: &'static str| FormErrors(vec![FieldError { field: "transfer", message }]);
    let errors = match crate::ledger::correction_preview(&state.db, &user, territory.id, &reference).await {
        Ok((transfer, done)) => match crate::ledger::clean_memo(&form.memo) {
            Ok(_) if form.memo.trim().is_empty() => FormErrors(vec![FieldError {
                field: "correction_memo",
                message: "ledger.correction.memo_required",
            }]),
            Ok(_) => {
                return Ok(Ok(Correction { page, territory, currency, user, factor, form, transfer, done }));
            }
            Err(message) => FormErrors(vec![FieldError { field: "correction_memo", message }]),
        },
        Err(AppError::NotFound) => refused("ledger.error.unknown_transfer"),
        Err(AppError::Denied("ledger.error.correction")) => refused("ledger.error.correction"),
        Err(other) => return Err(other),
    };
    let again = treasury_page_with(state, page, territory, &user, None, form, errors).await?;
    Ok(Err(render_status(StatusCode::UNPROCESSABLE_ENTITY, &again)?))
}

async fn preview_correction(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<CorrectionForm>,
) -> AppResult<Response> {
    let c = match correction_of(&state, page, &slug, form).await? {
        Ok(checked) => checked,
        Err(response) => return Ok(response),
    };
    let page = c.page.with_csrf().await?;
    let parties = parties(&state, &page, &c.transfer).await?;
    render(&CorrectionPage {
        units: Units::of(&c.currency, &page),
        page,
        territory: c.territory,
        transfer: c.transfer,
        parties,
        done: c.done,
        form: c.form,
    })
}

async fn confirm_correction(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<CorrectionForm>,
) -> AppResult<Response> {
    let c = match correction_of(&state, page, &slug, form).await? {
        Ok(checked) => checked,
        Err(response) => return Ok(response),
    };
    match crate::ledger::correct_transfer(
        &state.db,
        &c.user,
        &c.factor,
        c.territory.id,
        &c.transfer.client_id,
        &c.form.memo,
    )
    .await
    {
        Ok(_) => {
            if let Some(session) = &c.page.session {
                page::flash(session, "ledger.correction.done").await?;
            }
            Ok(see_other(&format!("/t/{slug}/monnaie/tresorerie#corriger")))
        }
        Err(AppError::Invalid(errors)) => {
            let errors =
                FormErrors(errors.into_iter().map(|e| FieldError { field: "transfer", ..e }).collect());
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &treasury_page_with(&state, c.page, c.territory, &c.user, None, c.form, errors).await?,
            )
        }
        Err(other) => Err(other),
    }
}
