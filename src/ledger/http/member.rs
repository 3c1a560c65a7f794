//! The currency's pages for members and businesses: the wallet (balance, history with running
//! balance, CSV), asking for units, paying (form, confirmation, receipt), payment requests with
//! their QR code, a business's counter (opt-in, QR code, reconversion), and enabling the
//! currency (instance admins).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::{self, Role, User};
use crate::app::AppState;
use crate::directory::Business;
use crate::error::{AppError, AppResult, FieldError};
use crate::ledger::store::{Account, Currency, IssuanceRequest, PaymentRequest, Reconversion, Transfer};
use crate::ledger::{AccountKind, HistoryLine, PaymentInput, TransferKind, format_units, parse_amount};
use crate::territory::Territory;
use crate::web::auth::CurrentUser;
use crate::web::page::Page;
use crate::web::territory::{MemberPage, territory_of};
use crate::web::{FormErrors, render, render_status, see_other};

/// Lines of history per page.
const PER_PAGE: i64 = 30;

/// The currency routes (the treasurer's and the exchange desk's are in `treasury_http`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/monnaie", get(my_currency))
        .route("/t/{slug}/monnaie", get(show_wallet))
        .route("/t/{slug}/monnaie/activer", get(show_enable).post(enable))
        .route("/t/{slug}/monnaie/historique.csv", get(export_history))
        .route("/t/{slug}/monnaie/change", post(ask_units))
        .route("/t/{slug}/monnaie/payer", get(show_pay).post(preview_payment))
        .route("/t/{slug}/monnaie/payer/confirmer", post(confirm_payment))
        .route("/t/{slug}/monnaie/payer/{token}", get(show_request))
        .route("/t/{slug}/monnaie/payer/{token}/qr.svg", get(request_qr))
        .route("/t/{slug}/monnaie/virements/{id}", get(show_receipt))
        .route("/t/{slug}/monnaie/structure/{id}", get(show_business))
        .route("/t/{slug}/monnaie/structure/{id}/ouvrir", post(open_business))
        .route("/t/{slug}/monnaie/structure/{id}/demande", post(create_request))
        .route("/t/{slug}/monnaie/structure/{id}/reconversion", post(reconvert))
}

/// `GET /monnaie`: the wallet of the first of the member's territories that has a currency.
async fn my_currency(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> AppResult<Response> {
    for membership in accounts::memberships_of(&state.db, user.id).await? {
        if crate::ledger::enabled_currency(&state.db, membership.territory_id).await.is_ok() {
            return Ok(see_other(&format!("/t/{}/monnaie", membership.territory_slug)));
        }
    }
    Err(AppError::Denied("ledger.error.no_currency"))
}

/// The territory and its enabled currency.
pub(super) async fn currency_in(state: &AppState, slug: &str) -> AppResult<(Territory, Currency)> {
    let territory = territory_of(state, slug).await?;
    let currency = crate::ledger::currency_of(&state.db, territory.id)
        .await?
        .filter(|c| c.is_enabled)
        .ok_or(AppError::NotFound)?;
    Ok((territory, currency))
}

/// What templates need to write amounts of units.
#[derive(Clone)]
pub struct Units {
    symbol: String,
    lang: crate::web::i18n::Lang,
}

impl Units {
    /// For a currency and a page.
    pub fn of(currency: &Currency, page: &Page) -> Self {
        Self { symbol: currency.symbol.clone(), lang: page.lang() }
    }

    /// An amount of units.
    pub fn show(&self, cents: impl Cents) -> String {
        format_units(cents.cents(), &self.symbol, self.lang)
    }

    /// An amount for an input field (`12,50`).
    pub fn input(&self, cents: &i64) -> String {
        let separator = if self.lang == crate::web::i18n::Lang::Fr { ',' } else { '.' };
        format!("{}{separator}{:02}", cents / 100, cents % 100)
    }
}

/// An amount of cents as templates hand it over: by value or behind references.
pub trait Cents {
    /// The amount.
    fn cents(&self) -> i64;
}

impl Cents for i64 {
    fn cents(&self) -> i64 {
        *self
    }
}

impl<T: Cents> Cents for &T {
    fn cents(&self) -> i64 {
        (**self).cents()
    }
}

/// The i18n key of a transfer kind.
pub fn kind_key(kind: &str) -> &'static str {
    TransferKind::label_key(kind)
}

#[derive(Template)]
#[template(path = "ledger/wallet.html")]
struct WalletPage {
    page: Page,
    territory: Territory,
    currency: Currency,
    units: Units,
    account: Account,
    lines: Vec<HistoryLine>,
    next: Option<String>,
    requests: Vec<IssuanceRequest>,
    top_up: crate::ledger::TopUp,
    businesses: Vec<Business>,
    is_treasurer: bool,
    is_operator: bool,
    errors: FormErrors,
    amount: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    avant: Option<i64>,
}

async fn wallet_page(state: &AppState, page: Page, slug: &str, before: Option<i64>) -> AppResult<WalletPage> {
    let user = page.user.clone().ok_or(AppError::Unauthorized)?;
    let (territory, currency) = currency_in(state, slug).await?;
    let account = crate::ledger::member_account(&state.db, &user, territory.id).await?;
    let lines = crate::ledger::history(&state.db, &account, before, PER_PAGE).await?;
    let next = (lines.len() as i64 == PER_PAGE)
        .then(|| lines.last().map(|l| format!("/t/{}/monnaie?avant={}", territory.slug, l.seq)))
        .flatten();
    let requests = crate::ledger::my_requests(&state.db, &user, territory.id).await?;
    let businesses = crate::directory::owned_by(&state.db, &user)
        .await?
        .into_iter()
        .filter(|b| b.territory_id == territory.id)
        .collect();
    let is_treasurer = crate::ledger::is_treasurer(&state.db, &user, territory.id).await?;
    let is_operator = accounts::has_role(&state.db, &user, territory.id, Role::ExchangeOperator).await?;
    let page = page.with_csrf().await?;
    Ok(WalletPage {
        units: Units::of(&currency, &page),
        top_up: crate::ledger::TopUp::of(&currency),
        page,
        territory,
        currency,
        account,
        lines,
        next,
        requests,
        businesses,
        is_treasurer,
        is_operator,
        errors: FormErrors::default(),
        amount: String::new(),
    })
}

async fn show_wallet(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    render(&wallet_page(&state, page, &slug, query.avant).await?)
}

#[derive(Deserialize)]
struct AmountForm {
    #[serde(default)]
    amount: String,
}

async fn ask_units(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<AmountForm>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    let outcome = match parse_amount(&form.amount) {
        Some(cents) => {
            crate::ledger::request_issuance(&state.db, &user, territory.id, cents).await.map(|_| ())
        }
        None => Err(AppError::invalid("amount", "ledger.error.amount")),
    };
    match outcome {
        Ok(()) => page.flash_and_go("ledger.change.asked", &format!("/t/{slug}/monnaie#demandes")).await,
        Err(AppError::Invalid(errors)) => {
            let mut wallet = wallet_page(&state, page, &slug, None).await?;
            wallet.errors =
                FormErrors(errors.into_iter().map(|e| FieldError { field: "amount", ..e }).collect());
            wallet.amount = form.amount;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &wallet)
        }
        Err(other) => Err(other),
    }
}

async fn export_history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(slug): Path<String>,
    Query(query): Query<AccountQuery>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    let account = match query.compte {
        Some(id) => crate::ledger::own_account(&state.db, &user, id).await?,
        None => crate::ledger::member_account(&state.db, &user, territory.id).await?,
    };
    let bytes = crate::ledger::history_csv(&state.db, &account).await?;
    Ok(csv_download(format!("historique-compte-{}.csv", account.id), bytes))
}

/// A CSV file to download.
pub(super) fn csv_download(filename: String, bytes: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct AccountQuery {
    #[serde(default)]
    compte: Option<i64>,
}

/// The payment form's values as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PayForm {
    /// The client id of the transfer (fixed when the form is shown, so that a double submit
    /// pays once).
    #[serde(default)]
    pub id: String,
    /// The account paying, when it is a business's.
    #[serde(default)]
    pub from: String,
    /// The account paid.
    #[serde(default)]
    pub to: String,
    /// The amount as typed.
    #[serde(default)]
    pub amount: String,
    /// The memo.
    #[serde(default)]
    pub memo: String,
    /// The payment request paid, if any.
    #[serde(default)]
    pub request: String,
}

impl PayForm {
    fn to_input(&self) -> Result<PaymentInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let to_account = self.to.trim().parse::<i64>().unwrap_or_else(|_| {
            errors.push(FieldError { field: "to", message: "ledger.error.unknown_account" });
            0
        });
        let amount_cents = parse_amount(&self.amount).unwrap_or_else(|| {
            errors.push(FieldError { field: "amount", message: "ledger.error.amount" });
            0
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PaymentInput {
            client_id: self.id.clone(),
            from_account: self.from.trim().parse::<i64>().ok(),
            to_account,
            amount_cents,
            memo: self.memo.clone(),
        })
    }
}

/// A business that accepts the currency, for the payment form's list.
pub struct Payee {
    /// Its account.
    pub account_id: i64,
    /// Its name.
    pub name: String,
}

#[derive(Template)]
#[template(path = "ledger/pay.html")]
struct PayPage {
    page: Page,
    territory: Territory,
    units: Units,
    from: Account,
    payees: Vec<Payee>,
    form: PayForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct PayQuery {
    #[serde(default)]
    depuis: Option<i64>,
    #[serde(default)]
    vers: Option<i64>,
}

async fn payees(state: &AppState, territory_id: i64) -> AppResult<Vec<Payee>> {
    let payees = crate::ledger::payees(&state.db, territory_id).await?;
    Ok(payees.into_iter().map(|(account_id, name)| Payee { account_id, name }).collect())
}

async fn show_pay(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Query(query): Query<PayQuery>,
) -> AppResult<Response> {
    let currency = currency_in(&state, &slug).await?;
    let form = PayForm {
        id: uuid::Uuid::new_v4().to_string(),
        from: query.depuis.map(|d| d.to_string()).unwrap_or_default(),
        to: query.vers.map(|v| v.to_string()).unwrap_or_default(),
        ..PayForm::default()
    };
    pay_form(&state, &user, page, currency, form, Vec::new()).await
}

#[derive(Template)]
#[template(path = "ledger/confirm.html")]
struct ConfirmPage {
    page: Page,
    territory: Territory,
    units: Units,
    form: PayForm,
    amount_cents: i64,
    payee: String,
    balance_cents: i64,
}

/// The payment form's field for each field the ledger names.
fn form_errors(error: AppError) -> AppResult<Vec<FieldError>> {
    match error {
        AppError::Invalid(errors) => Ok(errors
            .into_iter()
            .map(|e| match e.field {
                "amount_cents" => FieldError { field: "amount", ..e },
                "to_account" => FieldError { field: "to", ..e },
                "id" => FieldError { field: "form", ..e },
                _ => e,
            })
            .collect()),
        other => Err(other),
    }
}

/// The payment form, again with what was refused when there are `errors`.
async fn pay_form(
    state: &AppState,
    user: &User,
    page: Page,
    (territory, currency): (Territory, Currency),
    form: PayForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let from =
        crate::ledger::paying_account(&state.db, user, territory.id, form.from.trim().parse().ok()).await?;
    let page = page.with_csrf().await?;
    let payees = payees(state, territory.id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(
        status,
        &PayPage {
            units: Units::of(&currency, &page),
            page,
            territory,
            from,
            payees,
            form,
            errors: FormErrors(errors),
        },
    )
}

/// Checks a payment form and shows what will happen (nothing is written yet).
async fn preview_payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<PayForm>,
) -> AppResult<Response> {
    let (territory, currency) = currency_in(&state, &slug).await?;
    let previewed = match form.to_input() {
        Ok(input) if !form.request.is_empty() => {
            crate::ledger::preview_request_payment(&state.db, &user, territory.id, &form.request, &input)
                .await
        }
        Ok(input) => crate::ledger::preview_payment(&state.db, &user, territory.id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match previewed {
        // Paid already: the request's page says so, with its receipt.
        Err(AppError::Conflict("ledger.error.request_paid")) => {
            Ok(see_other(&format!("/t/{slug}/monnaie/payer/{}", form.request)))
        }
        Ok(preview) => {
            let page = page.with_csrf().await?;
            render(&ConfirmPage {
                units: Units::of(&currency, &page),
                page,
                territory,
                form,
                amount_cents: preview.payment.amount_cents,
                payee: preview.payee,
                balance_cents: preview.payment.from.balance_cents,
            })
        }
        Err(error) => {
            let errors = form_errors(error)?;
            pay_form(&state, &user, page, (territory, currency), form, errors).await
        }
    }
}

/// Pays, then shows the receipt; a refusal (balance, account) goes back to the form.
async fn confirm_payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<PayForm>,
) -> AppResult<Response> {
    let (territory, currency) = currency_in(&state, &slug).await?;
    let paid = match form.to_input() {
        Ok(input) if !form.request.is_empty() => {
            crate::ledger::pay_request(&state.db, &user, territory.id, &form.request, &input).await
        }
        Ok(input) => crate::ledger::pay(&state.db, &user, territory.id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match paid {
        Err(AppError::Conflict("ledger.error.request_paid")) => {
            Ok(see_other(&format!("/t/{slug}/monnaie/payer/{}", form.request)))
        }
        Ok(posted) => {
            Ok(see_other(&format!("/t/{slug}/monnaie/virements/{}", posted.transfers()[0].client_id)))
        }
        Err(error) => {
            let errors = form_errors(error)?;
            // A new id: the refused attempt wrote nothing, the next one is a new payment.
            let form = PayForm { id: uuid::Uuid::new_v4().to_string(), ..form };
            pay_form(&state, &user, page, (territory, currency), form, errors).await
        }
    }
}

/// A transfer's debited account, and the names of both its accounts as people read them.
pub(super) struct Parties {
    /// The debited account.
    pub from: Account,
    /// Its name.
    pub from_name: String,
    /// The credited account's name.
    pub to_name: String,
}

/// The [`Parties`] of `transfer`.
pub(super) async fn parties(state: &AppState, page: &Page, transfer: &Transfer) -> AppResult<Parties> {
    let from = crate::ledger::store::account(&state.db, transfer.debit_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = crate::ledger::store::account(&state.db, transfer.credit_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = crate::ledger::account_names(
        &state.db,
        &[(from.id, from.kind.clone(), from.owner_id), (to.id, to.kind.clone(), to.owner_id)],
    )
    .await?;
    let name_of = |account: &Account| {
        names.iter().find(|(id, _)| *id == account.id).and_then(|(_, n)| n.clone()).unwrap_or_else(|| {
            page.t
                .get(
                    AccountKind::parse(&account.kind)
                        .map_or("ledger.account.operating", AccountKind::label_key),
                )
                .to_owned()
        })
    };
    let (from_name, to_name) = (name_of(&from), name_of(&to));
    Ok(Parties { from, from_name, to_name })
}

#[derive(Template)]
#[template(path = "ledger/receipt.html")]
struct ReceiptPage {
    page: Page,
    territory: Territory,
    units: Units,
    transfer: Transfer,
    from_name: String,
    to_name: String,
    is_payer: bool,
    /// The short reference people quote (`P-000123`).
    reference: String,
    /// The balance of the viewer's account just after the transfer.
    balance_after: Option<i64>,
}

async fn show_receipt(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (territory, currency) = currency_in(&state, &slug).await?;
    let transfer = crate::ledger::transfer_for(&state.db, &user, &id).await?;
    if transfer.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let Parties { from, from_name, to_name } = parties(&state, &page, &transfer).await?;
    let is_payer = crate::ledger::acts_for(&state.db, &user, &from).await?;
    // The balance after it, of the side the viewer acts for (the payer's, or the payee's).
    let mine = if is_payer {
        Some(from)
    } else {
        crate::ledger::store::account(&state.db, transfer.credit_account_id).await?
    };
    let balance_after = match mine {
        Some(account) if crate::ledger::acts_for(&state.db, &user, &account).await? => {
            Some(crate::ledger::balance_after(&state.db, &account, transfer.id).await?)
        }
        _ => None,
    };
    render(&ReceiptPage {
        reference: crate::ledger::short_reference(transfer.id),
        balance_after,
        units: Units::of(&currency, &page),
        page,
        territory,
        transfer,
        from_name,
        to_name,
        is_payer,
    })
}

#[derive(Template)]
#[template(path = "ledger/request.html")]
struct RequestPage {
    page: Page,
    territory: Territory,
    units: Units,
    request: PaymentRequest,
    payee: String,
    is_owner: bool,
    url: String,
    form: PayForm,
    /// The payment, once a request with an amount was paid, and whether this viewer may open its
    /// receipt (the payee's managers and the payer).
    paid: Option<(Transfer, bool)>,
}

async fn show_request(
    State(state): State<AppState>,
    page: Page,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (territory, currency) = currency_in(&state, &slug).await?;
    let (request, account, payee) = crate::ledger::payment_request(&state.db, &token).await?;
    if request.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let is_owner = match &page.user {
        Some(user) => crate::ledger::acts_for(&state.db, user, &account).await?,
        None => false,
    };
    let units = Units::of(&currency, &page);
    let form = PayForm {
        id: uuid::Uuid::new_v4().to_string(),
        to: account.id.to_string(),
        amount: request.amount_cents.map(|c| units.input(&c)).unwrap_or_default(),
        memo: request.memo.clone(),
        request: request.token.clone(),
        ..PayForm::default()
    };
    let url = format!("{}/t/{}/monnaie/payer/{}", state.base_url, territory.slug, request.token);
    let paid = crate::ledger::request_payment(&state.db, &request).await?.map(|transfer| {
        let is_payer = page.user.as_ref().is_some_and(|user| transfer.author_user_id == Some(user.id));
        (transfer, is_owner || is_payer)
    });
    let page = page.with_csrf().await?;
    render(&RequestPage { page, territory, units, request, payee, is_owner, url, form, paid })
}

async fn request_qr(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    let (request, _, _) = crate::ledger::payment_request(&state.db, &token).await?;
    if request.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let url = format!("{}/t/{}/monnaie/payer/{}", state.base_url, territory.slug, request.token);
    let svg = crate::ledger::qr_svg(&url).ok_or(AppError::NotFound)?;
    Ok(([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "public, max-age=86400")], svg).into_response())
}

#[derive(Template)]
#[template(path = "ledger/business.html")]
struct BusinessPage {
    page: Page,
    territory: Territory,
    currency: Currency,
    units: Units,
    business: Business,
    account: Option<Account>,
    standing: Option<PaymentRequest>,
    requests: Vec<PaymentRequest>,
    /// The ids of the requests that were paid.
    paid: std::collections::HashSet<i64>,
    reconversions: Vec<Reconversion>,
    lines: Vec<HistoryLine>,
    fee_text: String,
    errors: FormErrors,
}

async fn business_page(state: &AppState, page: Page, slug: &str, id: i64) -> AppResult<BusinessPage> {
    let user = page.user.clone().ok_or(AppError::Unauthorized)?;
    let (territory, currency) = currency_in(state, slug).await?;
    let (business, _) = crate::directory::view(&state.db, Some(&user), id).await?;
    let account = crate::ledger::business_account(&state.db, &user, territory.id, id, false).await?;
    let (standing, requests, reconversions, lines) = match &account {
        Some(account) => (
            Some(crate::ledger::standing_payment_request(&state.db, &user, account.id).await?),
            crate::ledger::payment_requests_of(&state.db, &user, account.id).await?,
            crate::ledger::reconversions_of(&state.db, &user, id).await?,
            crate::ledger::history(&state.db, account, None, PER_PAGE).await?,
        ),
        None => (None, Vec::new(), Vec::new(), Vec::new()),
    };
    let paid = crate::ledger::paid_requests(&state.db, &requests).await?;
    let fee = currency.reconversion_fee_bp;
    let fee_text = if page.lang() == crate::web::i18n::Lang::Fr {
        format!("{},{:02}\u{a0}%", fee / 100, fee % 100)
    } else {
        format!("{}.{:02} %", fee / 100, fee % 100)
    };
    let page = page.with_csrf().await?;
    Ok(BusinessPage {
        units: Units::of(&currency, &page),
        page,
        territory,
        currency,
        business,
        account,
        standing,
        requests: requests.into_iter().filter(|r| r.amount_cents.is_some() || !r.memo.is_empty()).collect(),
        paid,
        reconversions,
        lines,
        fee_text,
        errors: FormErrors::default(),
    })
}

async fn show_business(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    render(&business_page(&state, page, &slug, id).await?)
}

async fn open_business(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    crate::ledger::business_account(&state.db, &user, territory.id, id, true).await?;
    page.flash_and_go("ledger.business.opened", &format!("/t/{slug}/monnaie/structure/{id}")).await
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    memo: String,
}

async fn create_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    let account = crate::ledger::business_account(&state.db, &user, territory.id, id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let amount =
        if form.amount.trim().is_empty() { Ok(None) } else { parse_amount(&form.amount).map(Some).ok_or(()) };
    let outcome = match amount {
        Ok(amount) => {
            crate::ledger::create_payment_request(&state.db, &user, account.id, amount, &form.memo).await
        }
        Err(()) => Err(AppError::invalid("amount", "ledger.error.amount")),
    };
    match outcome {
        Ok(request) => Ok(see_other(&format!("/t/{slug}/monnaie/payer/{}", request.token))),
        Err(AppError::Invalid(errors)) => {
            let mut business = business_page(&state, page, &slug, id).await?;
            business.errors = FormErrors(
                errors
                    .into_iter()
                    .map(|e| FieldError { field: if e.field == "memo" { "memo" } else { "amount" }, ..e })
                    .collect(),
            );
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &business)
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct ReconvertForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    reconversion_amount: String,
}

async fn reconvert(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<ReconvertForm>,
) -> AppResult<Response> {
    let (territory, _) = currency_in(&state, &slug).await?;
    let outcome = match parse_amount(&form.reconversion_amount) {
        Some(cents) => {
            crate::ledger::request_reconversion(&state.db, &user, territory.id, id, cents, &form.id)
                .await
                .map(|_| ())
        }
        None => Err(AppError::invalid("amount_cents", "ledger.error.amount")),
    };
    match outcome {
        Ok(()) => {
            page.flash_and_go(
                "ledger.reconversion.asked",
                &format!("/t/{slug}/monnaie/structure/{id}#reconversions"),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let mut business = business_page(&state, page, &slug, id).await?;
            business.errors = FormErrors(
                errors.into_iter().map(|e| FieldError { field: "reconversion_amount", ..e }).collect(),
            );
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &business)
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "ledger/enable.html")]
struct EnablePage {
    page: Page,
    territory: Territory,
    name: String,
    symbol: String,
    errors: FormErrors,
}

async fn show_enable(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
) -> AppResult<Response> {
    if !user.is_admin {
        return Err(AppError::Forbidden);
    }
    let current = crate::ledger::currency_of(&state.db, territory.id).await?;
    let page = page.with_csrf().await?;
    render(&EnablePage {
        page,
        territory,
        name: current.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        symbol: current.map(|c| c.symbol).unwrap_or_default(),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct EnableForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    symbol: String,
}

async fn enable(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<EnableForm>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    match crate::ledger::enable_currency(&state.db, &user, territory.id, &form.name, &form.symbol).await {
        Ok(_) => page.flash_and_go("ledger.enable.done", &format!("/t/{slug}/monnaie")).await,
        Err(AppError::Invalid(errors)) => {
            let page = page.with_csrf().await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EnablePage {
                    page,
                    territory,
                    name: form.name,
                    symbol: form.symbol,
                    errors: FormErrors(errors),
                },
            )
        }
        Err(other) => Err(other),
    }
}

/// A new client id for a form that writes a transfer (fixed when the form is shown, so that
/// sending it twice writes once).
pub fn fresh_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
