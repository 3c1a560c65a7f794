//! The currency's JSON API: enabling it, accounts, balance and history, transfers with client
//! ids, payment requests, issuance requests and exchange-point issuance, reconversions, bank
//! statement import and the audit.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{Account, Currency, IssuanceRequest, PaymentRequest, Reconversion, Transfer};
use super::{Audit, DeskIssuance, DeskMethod, Duty, HistoryLine, ImportReport, PaymentInput, Posted};
use crate::accounts::User;
use crate::accounts::totp::FreshFactor;
use crate::api::ListPage;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::ApiJson;
use crate::web::auth::ApiUser;
use crate::web::territory::{InTerritory, territory_of};

/// The currency API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_currency, put_currency))
        .routes(routes!(my_account))
        .routes(routes!(account_history))
        .routes(routes!(open_business_account))
        .routes(routes!(create_transfer))
        .routes(routes!(get_transfer))
        .routes(routes!(correct_transfer))
        .routes(routes!(create_payment_request))
        .routes(routes!(get_payment_request))
        .routes(routes!(create_issuance_request, list_issuance_requests))
        .routes(routes!(issue_at_desk))
        .routes(routes!(create_reconversion))
        .routes(routes!(import_statement))
        .routes(routes!(get_audit))
}

/// The header carrying a fresh second-factor code (TOTP, or a recovery code) on each call that
/// creates or moves the association's money.
const TOTP_HEADER: &str = "x-totp-code";

/// The proof of the code given in [`TOTP_HEADER`] for an operation of `duty` in the territory;
/// someone without the duty, or a missing, wrong or replayed code, is `403`.
async fn header_factor(
    state: &AppState,
    user: &User,
    territory_id: i64,
    duty: Duty,
    headers: &HeaderMap,
) -> AppResult<FreshFactor> {
    let code = headers.get(TOTP_HEADER).and_then(|v| v.to_str().ok());
    super::factor_from_code(&state.db, user, territory_id, duty, code).await
}

/// What enables a currency.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CurrencyInput {
    /// Name, e.g. "Bulle".
    #[schema(max_length = 40, pattern = r"\S")]
    pub name: String,
    /// Symbol, e.g. "B".
    #[schema(max_length = 5, pattern = r"\S")]
    pub symbol: String,
}

/// The currency of a territory.
#[utoipa::path(get, path = "/territories/{slug}/currency", tag = "currency",
    params(("slug" = String, Path, description = "Territory")),
    responses(
        (status = 200, description = "The currency", body = Currency),
        (status = 404, description = "No currency"),
    ))]
pub async fn get_currency(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<Currency>> {
    let territory = territory_of(&state, &slug).await?;
    Ok(Json(super::currency_of(&state.db, territory.id).await?.ok_or(AppError::NotFound)?))
}

/// Enables (or renames) the territory's currency. Instance administrators only.
#[utoipa::path(put, path = "/territories/{slug}/currency", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    request_body = CurrencyInput,
    responses(
        (status = 200, description = "The currency", body = Currency),
        (status = 403, description = "Not an administrator"),
        (status = 422, description = "Invalid name or symbol"),
    ))]
pub async fn put_currency(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<CurrencyInput>,
) -> AppResult<Json<Currency>> {
    let territory = territory_of(&state, &slug).await?;
    Ok(Json(super::enable_currency(&state.db, &user, territory.id, &input.name, &input.symbol).await?))
}

/// A ledger account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LedgerAccount)]
pub struct AccountJson {
    /// Account number (what others pay to).
    pub id: i64,
    /// member or business.
    pub kind: String,
    /// Balance in cents.
    pub balance_cents: i64,
    /// The currency's name.
    pub currency: String,
    /// The currency's symbol.
    pub symbol: String,
}

impl AccountJson {
    fn of(account: Account, currency: &Currency) -> Self {
        Self {
            id: account.id,
            kind: account.kind,
            balance_cents: account.balance_cents,
            currency: currency.name.clone(),
            symbol: currency.symbol.clone(),
        }
    }
}

/// The caller's member account (opened on first use) and its balance.
#[utoipa::path(get, path = "/territories/{slug}/currency/accounts/me", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    responses(
        (status = 200, description = "The account", body = AccountJson),
        (status = 403, description = "No currency, or not a member of the territory"),
    ))]
pub async fn my_account(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> AppResult<Json<AccountJson>> {
    let territory = territory_of(&state, &slug).await?;
    let currency = super::enabled_currency(&state.db, territory.id).await?;
    let account = super::member_account(&state.db, &user, territory.id).await?;
    Ok(Json(AccountJson::of(account, &currency)))
}

/// A page of history.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The `next` value of the previous page.
    pub cursor: Option<i64>,
    /// Page size (1 to 200, default 50).
    pub limit: Option<i64>,
}

/// The history of an account the caller acts for (`me` for their member account), newest
/// first, each line with the balance just after it.
#[utoipa::path(get, path = "/territories/{slug}/currency/accounts/{account}/history", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("account" = String, Path, description = "`me` or an account number"), HistoryParams),
    responses(
        (status = 200, description = "A page of lines", body = ListPage<HistoryLine>),
        (status = 403, description = "No currency in this territory, or not a member of it"),
        (status = 404, description = "No such account of the caller"),
    ))]
pub async fn account_history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((slug, account)): Path<(String, String)>,
    Query(params): Query<HistoryParams>,
) -> AppResult<Json<ListPage<HistoryLine>>> {
    let territory = territory_of(&state, &slug).await?;
    let account = if account == "me" {
        super::member_account(&state.db, &user, territory.id).await?
    } else {
        let id = account.parse::<i64>().map_err(|_| AppError::NotFound)?;
        super::own_account(&state.db, &user, id).await?
    };
    if account.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let items = super::history(&state.db, &account, params.cursor, limit).await?;
    let next = (items.len() as i64 == limit).then(|| items.last().map(|l| l.seq.to_string())).flatten();
    Ok(Json(ListPage { items, next }))
}

/// Opens the account of a business the caller owns (the business accepts the currency).
#[utoipa::path(post, path = "/territories/{slug}/currency/businesses/{id}/account", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("id" = i64, Path, description = "Business")),
    responses(
        (status = 200, description = "The account", body = AccountJson),
        (status = 403, description = "Not an owner of the business"),
        (status = 404, description = "No such business"),
    ))]
pub async fn open_business_account(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Json<AccountJson>> {
    let territory = territory_of(&state, &slug).await?;
    let currency = super::enabled_currency(&state.db, territory.id).await?;
    let account =
        super::business_account(&state.db, &user, territory.id, id, true).await?.ok_or(AppError::NotFound)?;
    Ok(Json(AccountJson::of(account, &currency)))
}

/// A transfer as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferJson {
    /// The client's id.
    pub id: String,
    /// Account debited.
    pub from_account: i64,
    /// Account credited.
    pub to_account: i64,
    /// Amount in cents.
    pub amount_cents: i64,
    /// payment, issuance, reconversion, fee, refund, correction.
    pub kind: String,
    /// Memo.
    pub memo: String,
    /// When the server recorded it (Unix seconds).
    pub created_at: i64,
}

impl From<&Transfer> for TransferJson {
    fn from(t: &Transfer) -> Self {
        Self {
            id: t.client_id.clone(),
            from_account: t.debit_account_id,
            to_account: t.credit_account_id,
            amount_cents: t.amount_cents,
            kind: t.kind.clone(),
            memo: t.memo.clone(),
            created_at: t.created_at,
        }
    }
}

/// A payment to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransferInput {
    /// A UUID chosen by the client: retrying with the same id never pays twice.
    #[schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub id: String,
    /// The account paid (a member's or a business's number).
    pub to_account: i64,
    /// Amount in cents, positive.
    #[schema(minimum = 1, maximum = 100000000)]
    pub amount_cents: i64,
    /// What it is for (140 characters at most).
    #[serde(default)]
    #[schema(max_length = 140)]
    pub memo: String,
    /// The account paying, when it is a business the caller owns (default: their own).
    pub from_account: Option<i64>,
}

fn posted_response(posted: &Posted) -> Response {
    let status = if posted.is_new() { StatusCode::CREATED } else { StatusCode::OK };
    (status, Json(TransferJson::from(&posted.transfers()[0]))).into_response()
}

/// Pays a member or a business. A retry with the same id and content answers 200 with the
/// first result; the same id with other content is refused (409).
#[utoipa::path(post, path = "/territories/{slug}/currency/transfers", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    request_body = TransferInput,
    responses(
        (status = 200, description = "Already paid with this id (a retry)", body = TransferJson),
        (status = 201, description = "Paid", body = TransferJson),
        (status = 403, description = "No currency, not a member, or not an owner of the paying account"),
        (status = 404, description = "No such territory"),
        (status = 409, description = "The id was used for another transfer"),
        (status = 422, description = "Insufficient balance or invalid input"),
    ))]
pub async fn create_transfer(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<TransferInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let payment = PaymentInput {
        client_id: input.id,
        from_account: input.from_account,
        to_account: input.to_account,
        amount_cents: input.amount_cents,
        memo: input.memo,
    };
    let posted = super::pay(&state.db, &user, territory.id, &payment).await?;
    Ok(posted_response(&posted))
}

/// A transfer one of whose accounts the caller acts for, by its client id.
#[utoipa::path(get, path = "/territories/{slug}/currency/transfers/{id}", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The transfer", body = TransferJson),
        (status = 404, description = "Unknown, or not the caller's"),
    ))]
pub async fn get_transfer(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Json<TransferJson>> {
    let territory = territory_of(&state, &slug).await?;
    let transfer = super::transfer_for(&state.db, &user, &id).await?;
    if transfer.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    Ok(Json(TransferJson::from(&transfer)))
}

/// A correction.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CorrectionInput {
    /// Why (shown in both accounts' histories).
    #[serde(default)]
    #[schema(max_length = 140)]
    pub memo: String,
}

/// Reverses a transfer by a new transfer of kind `correction` (treasurers, with a fresh code
/// of their second factor); calling it again answers 200 with the same correction.
#[utoipa::path(post, path = "/territories/{slug}/currency/transfers/{id}/correction", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("id" = String, Path, description = "Client id of the transfer to reverse"), ("X-TOTP-Code" = String, Header, description = "The current code of the caller's authenticator app (or an unused recovery code); each code works once")),
    request_body = CorrectionInput,
    responses(
        (status = 200, description = "Already corrected", body = TransferJson),
        (status = 201, description = "The reversing transfer", body = TransferJson),
        (status = 403, description = "Not a treasurer, or no valid X-TOTP-Code"),
        (status = 404, description = "No such transfer"),
        (status = 422, description = "The credited account has spent the units"),
    ))]
pub async fn correct_transfer(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let factor = header_factor(&state, &user, territory.id, Duty::Treasury, &headers).await?;
    let posted = super::correct_transfer(&state.db, &user, &factor, territory.id, &id, &input.memo).await?;
    Ok(posted_response(&posted))
}

/// What makes a payment request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentRequestInput {
    /// The account to pay (one the caller acts for).
    pub account: i64,
    /// The amount asked, in cents; none lets the payer type it.
    #[schema(minimum = 1, maximum = 100000000)]
    pub amount_cents: Option<i64>,
    /// What it is for.
    #[serde(default)]
    #[schema(max_length = 140)]
    pub memo: String,
}

/// A payment request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRequestJson {
    /// Its token.
    pub token: String,
    /// The account to pay.
    pub account: i64,
    /// Who is paid.
    pub payee: String,
    /// The amount asked, if any.
    pub amount_cents: Option<i64>,
    /// What it is for.
    pub memo: String,
    /// The page where a member pays it (what the QR code holds).
    pub url: String,
    /// The QR code as SVG.
    pub qr_url: String,
}

fn request_json(state: &AppState, slug: &str, request: PaymentRequest, payee: String) -> PaymentRequestJson {
    let url = format!("{}/t/{slug}/monnaie/payer/{}", state.base_url, request.token);
    PaymentRequestJson {
        qr_url: format!("{url}/qr.svg"),
        url,
        token: request.token,
        account: request.account_id,
        payee,
        amount_cents: request.amount_cents,
        memo: request.memo,
    }
}

/// Asks for a payment to an account the caller acts for: an address and its QR code.
#[utoipa::path(post, path = "/territories/{slug}/currency/payment-requests", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    request_body = PaymentRequestInput,
    responses(
        (status = 201, description = "The request", body = PaymentRequestJson),
        (status = 403, description = "No currency in this territory"),
        (status = 404, description = "Not the caller's account"),
        (status = 422, description = "Invalid amount or memo"),
    ))]
pub async fn create_payment_request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<PaymentRequestInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let request =
        super::create_payment_request(&state.db, &user, input.account, input.amount_cents, &input.memo)
            .await?;
    if request.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let (_, _, payee) = super::payment_request(&state.db, &request.token).await?;
    Ok((StatusCode::CREATED, Json(request_json(&state, &slug, request, payee))).into_response())
}

/// A payment request, by token (anyone holding the address may read it).
#[utoipa::path(get, path = "/territories/{slug}/currency/payment-requests/{token}", tag = "currency",
    params(("slug" = String, Path, description = "Territory"), ("token" = String, Path, description = "Token")),
    responses(
        (status = 200, description = "The request", body = PaymentRequestJson),
        (status = 404, description = "Unknown"),
    ))]
pub async fn get_payment_request(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Json<PaymentRequestJson>> {
    let territory = territory_of(&state, &slug).await?;
    let (request, _, payee) = super::payment_request(&state.db, &token).await?;
    if request.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    Ok(Json(request_json(&state, &slug, request, payee)))
}

/// What asks for units by bank transfer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssuanceRequestInput {
    /// Euros the member will transfer, in cents.
    #[schema(minimum = 1, maximum = 100000000)]
    pub amount_cents: i64,
}

/// An issuance request.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuanceRequestJson {
    /// Identifier.
    pub id: i64,
    /// The code to write in the bank transfer's label.
    pub reference: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// pending, issued, expired.
    pub status: String,
    /// When it stops being matched automatically (Unix seconds).
    pub expires_at: i64,
}

impl From<IssuanceRequest> for IssuanceRequestJson {
    fn from(r: IssuanceRequest) -> Self {
        Self {
            id: r.id,
            reference: r.reference,
            amount_cents: r.amount_cents,
            status: r.status,
            expires_at: r.expires_at,
        }
    }
}

/// Asks for units against a bank transfer to the guarantee fund; the answer holds the
/// reference code to write in the transfer's label. The units are issued when the treasurer
/// imports the statement that shows the euros.
#[utoipa::path(post, path = "/territories/{slug}/currency/issuance-requests", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    request_body = IssuanceRequestInput,
    responses(
        (status = 201, description = "The request", body = IssuanceRequestJson),
        (status = 403, description = "No currency in this territory, or not a member of it"),
        (status = 422, description = "Invalid amount"),
        (status = 429, description = "Too many requests today"),
    ))]
pub async fn create_issuance_request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<IssuanceRequestInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let request = super::request_issuance(&state.db, &user, territory.id, input.amount_cents).await?;
    Ok((StatusCode::CREATED, Json(IssuanceRequestJson::from(request))).into_response())
}

/// The caller's issuance requests, newest first.
#[utoipa::path(get, path = "/territories/{slug}/currency/issuance-requests", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    responses(
        (status = 200, description = "The requests", body = ListPage<IssuanceRequestJson>),
        (status = 403, description = "No currency in this territory, or not a member of it"),
    ))]
pub async fn list_issuance_requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> AppResult<Json<ListPage<IssuanceRequestJson>>> {
    let territory = territory_of(&state, &slug).await?;
    let items = super::my_requests(&state.db, &user, territory.id).await?;
    Ok(Json(items.into_iter().map(IssuanceRequestJson::from).collect()))
}

/// Exchange-point issuance.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeskInput {
    /// A UUID chosen by the client.
    #[schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub id: String,
    /// The member's email address.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Euros received, in cents.
    #[schema(minimum = 1, maximum = 100000000)]
    pub amount_cents: i64,
    /// `cash` or `cheque`.
    #[schema(pattern = "^(cash|cheque)$")]
    pub method: String,
}

/// Credits a member at once against euros received at an exchange point (operators and
/// treasurers, with a fresh code of their second factor; never themselves; within their daily
/// cap).
#[utoipa::path(post, path = "/territories/{slug}/currency/exchange", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("X-TOTP-Code" = String, Header, description = "The current code of the caller's authenticator app (or an unused recovery code); each code works once")),
    request_body = DeskInput,
    responses(
        (status = 200, description = "Already issued with this id", body = TransferJson),
        (status = 201, description = "Issued", body = TransferJson),
        (status = 403, description = "Not an exchange-point operator, no valid X-TOTP-Code, the operator's own account, or past the operator's daily cap"),
        (status = 409, description = "The id was used for another transfer"),
        (status = 422, description = "Invalid method, amount or member"),
    ))]
pub async fn issue_at_desk(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<DeskInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let method =
        DeskMethod::parse(&input.method).ok_or_else(|| AppError::invalid("method", "ledger.error.method"))?;
    let factor = header_factor(&state, &user, territory.id, Duty::Desk, &headers).await?;
    let issuance = DeskIssuance {
        member_email: input.email,
        amount_cents: input.amount_cents,
        method,
        client_id: input.id,
    };
    let cap = state.config.desk_daily_cap_cents;
    let posted = super::issue_at_desk(&state.db, &user, &factor, territory.id, &issuance, cap).await?;
    Ok(posted_response(&posted))
}

/// What asks for a reconversion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReconversionInput {
    /// A UUID chosen by the client.
    #[schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub id: String,
    /// The business (owned by the caller).
    pub business_id: i64,
    /// Units to turn into euros, in cents.
    #[schema(minimum = 1, maximum = 100000000)]
    pub amount_cents: i64,
}

/// Turns a business's units into euros (minus the territory's fee); the treasurer pays the
/// euros by bank transfer with the answer's reference.
#[utoipa::path(post, path = "/territories/{slug}/currency/reconversions", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    request_body = ReconversionInput,
    responses(
        (status = 201, description = "The reconversion", body = Reconversion),
        (status = 403, description = "No currency, or not an owner of the business"),
        (status = 404, description = "No such business"),
        (status = 409, description = "The id was used for another reconversion"),
        (status = 422, description = "Insufficient balance"),
    ))]
pub async fn create_reconversion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ReconversionInput>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let reconversion = super::request_reconversion(
        &state.db,
        &user,
        territory.id,
        input.business_id,
        input.amount_cents,
        &input.id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(reconversion)).into_response())
}

/// Imports a bank statement of the guarantee fund (CAMT.053 XML or CSV; treasurers, with a
/// fresh code of their second factor). Entries already imported are not counted again.
#[utoipa::path(post, path = "/territories/{slug}/currency/statements", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ("X-TOTP-Code" = String, Header, description = "The current code of the caller's authenticator app (or an unused recovery code); each code works once")),
    request_body(content = String, content_type = "application/xml", description = "CAMT.053 or CSV file"),
    responses(
        (status = 200, description = "The reconciliation report", body = ImportReport),
        (status = 400, description = "Unreadable file"),
        (status = 403, description = "Not a treasurer, or no valid X-TOTP-Code"),
        (status = 422, description = "The file holds no statement entries"),
    ))]
pub async fn import_statement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<ImportReport>> {
    let body =
        axum::body::to_bytes(body, crate::app::UPLOAD_MAX_BYTES).await.map_err(|_| AppError::TooLarge)?;
    let territory = territory_of(&state, &slug).await?;
    let factor = header_factor(&state, &user, territory.id, Duty::Treasury, &headers).await?;
    Ok(Json(super::import_statement(&state.db, &user, &factor, territory.id, &body).await?))
}

/// Checks every invariant of the ledger (treasurers).
#[utoipa::path(get, path = "/territories/{slug}/currency/audit", tag = "currency", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    responses(
        (status = 200, description = "The audit", body = Audit),
        (status = 403, description = "Not a treasurer"),
    ))]
pub async fn get_audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    InTerritory(territory): InTerritory,
) -> AppResult<Json<Audit>> {
    Ok(Json(super::audit_for(&state.db, &user, territory.id).await?))
}
