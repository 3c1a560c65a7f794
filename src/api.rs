//! The JSON API under `/api/v1`: every route is declared together with its OpenAPI
//! description (utoipa-axum), so the document at `/api/v1/openapi.json` cannot miss one.

use axum::Json;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tabular::RefusedRow;
use crate::{accounts, catalog, directory, orders, territory};

/// An error, as RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's name.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, in the request's language (French by default).
    pub detail: String,
    /// A stable code for programs, e.g. `accounts.error.email_taken`.
    pub code: String,
    /// The fields that failed validation.
    pub errors: Option<Vec<ProblemField>>,
}

/// A field that failed validation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The JSON property.
    pub field: String,
    /// A stable code.
    pub code: String,
    /// The message, translated.
    pub message: String,
}

/// A page of a list: the items, and the cursor of the next page (`null` on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListPage<T: ToSchema> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` when there is none.
    pub next: Option<String>,
}

impl<T: ToSchema> FromIterator<T> for ListPage<T> {
    /// A whole list on one page.
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self { items: items.into_iter().collect(), next: None }
    }
}

impl<T: ToSchema> ListPage<T> {
    /// A page of a list read from `offset`: the next page starts `limit` further on.
    pub fn at_offset(items: Vec<T>, has_more: bool, offset: i64, limit: i64) -> Self {
        Self { items, next: has_more.then(|| (offset + limit).to_string()) }
    }
}

/// Paging of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (1 to 200, default 50; other values are brought within).
    pub limit: Option<i64>,
}

impl PageParams {
    /// The offset and the page size.
    pub fn offset_limit(&self) -> AppResult<(i64, i64)> {
        Ok((cursor_offset(self.cursor.as_deref())?.max(0), self.limit.unwrap_or(50).clamp(1, 200)))
    }
}

/// The offset a `cursor` (the `next` of the previous page: 1 to 18 digits) stands for; 0
/// without one.
pub fn cursor_offset(cursor: Option<&str>) -> AppResult<i64> {
    match cursor {
        None => Ok(0),
        Some(digits) if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse::<i64>().map_err(|_| AppError::invalid("cursor", "error.bad_request"))
        }
        Some(_) => Err(AppError::invalid("cursor", "error.bad_request")),
    }
}

/// A time as RFC 3339 (from Unix seconds).
pub fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_default()
}

/// A file to download: its type, `Content-Disposition` and `Cache-Control`.
pub fn file(content_type: &str, disposition: String, cache: &str, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, cache.to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Options of a spreadsheet import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` only reports what would happen.
    pub dry_run: Option<bool>,
}

impl ImportParams {
    /// True when the import should only report what it would do.
    pub fn dry_run(&self) -> bool {
        self.dry_run.unwrap_or(false)
    }
}

/// A refused row of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedRowJson {
    /// Spreadsheet row (the header is row 1; 0 for a DFC node).
    pub row: usize,
    /// Why, in the request's language.
    pub reason: String,
}

/// What an import did (or would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Valid rows.
    pub accepted: usize,
    /// Refused rows.
    pub refused: Vec<RefusedRowJson>,
    /// Records created (0 on a dry run).
    pub created: usize,
    /// Records changed (0 on a dry run).
    pub updated: usize,
    /// True for a dry run.
    pub dry_run: bool,
}

impl ImportResult {
    /// The report of an import: the valid rows, the refused ones, and the records `done`
    /// (created, updated).
    pub fn new(accepted: usize, refused: Vec<RefusedRowJson>, done: (usize, usize), dry_run: bool) -> Self {
        Self { accepted, refused, created: done.0, updated: done.1, dry_run }
    }
}

/// The refused rows of a spreadsheet import, each reason in words (`say`).
pub fn refused_rows<R>(rows: &[RefusedRow<R>], say: impl Fn(&R) -> String) -> Vec<RefusedRowJson> {
    rows.iter().map(|r| RefusedRowJson { row: r.row, reason: say(&r.reason) }).collect()
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The error answers shared by many operations, described once under `components.responses`
/// (status, component name, description).
const SHARED_ERRORS: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "Malformed request: a path or query value of the wrong type, a body that is not JSON sent as \
         `application/json`, or JSON without the expected fields or with values of the wrong type",
    ),
    ("401", "Unauthorized", "No token, though one is required; or a wrong, expired or revoked one"),
    ("404", "NotFound", "Nothing at this address, or nothing the caller may see"),
    ("408", "Timeout", "The request (its body included) took longer than the server allows"),
    ("413", "TooLarge", "The body is larger than the server accepts"),
    ("500", "Internal", "The server failed; the problem says no more, the server's log does"),
];

/// True when `operation` needs a token: it declares security, and none of its requirements is
/// the empty one (which makes the token optional).
pub fn requires_token(operation: &utoipa::openapi::path::Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        !requirements.is_empty()
            && requirements.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v != serde_json::json!({})))
    })
}

/// The shared error statuses `operation` can answer, from what it declares: a token (401),
/// parameters or a body (400, and 413 for a body), an address naming something (404); any
/// request may time out (408) or meet a failure of the server (500).
fn shared_statuses(operation: &utoipa::openapi::path::Operation) -> Vec<&'static str> {
    use utoipa::openapi::path::ParameterIn;
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_body = operation.request_body.is_some();
    let mut statuses = Vec::new();
    if has_body || !parameters.is_empty() {
        statuses.push("400");
    }
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push("401");
    }
    if parameters.iter().any(|p| p.parameter_in == ParameterIn::Path) {
        statuses.push("404");
    }
    statuses.push("408");
    if has_body {
        statuses.push("413");
    }
    statuses.push("500");
    statuses
}

/// Completes every operation's responses: each error answer of the API is a [`Problem`] (the
/// `errors` middleware sees to it), so the routes list their own error statuses with a
/// description only and this gives each its body; the statuses every operation of a kind can
/// answer (see [`shared_statuses`]) are added as references to `components.responses`, unless
/// the operation describes them itself.
fn complete_responses(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::ResponseBuilder;
    let problem = || Content::new(Some(Ref::from_schema_name("Problem")));
    let components = openapi.components.get_or_insert_with(Default::default);
    for (_, name, description) in SHARED_ERRORS {
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/problem+json", problem())
            .build();
        components.responses.insert(name.to_owned(), RefOr::T(response));
    }
    let operations = openapi.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
            .into_iter()
            .flatten()
    });
    for operation in operations {
        for status in shared_statuses(operation) {
            let name = SHARED_ERRORS.iter().find(|(s, _, _)| *s == status).map_or("Internal", |e| e.1);
            let shared = RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
            operation.responses.responses.entry(status.to_owned()).or_insert(shared);
        }
        for (status, response) in &mut operation.responses.responses {
            let RefOr::T(response) = response else { continue };
            if status.parse::<u16>().is_ok_and(|s| s >= 400) && response.content.is_empty() {
                response.content.insert("application/problem+json".to_owned(), problem());
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Halle API", description = "The JSON API of Halle, the online market hall of a territory. \
        Errors are RFC 9457 problem+json documents; lists are `{\"items\": [...], \"next\": cursor}`. \
        Authenticate with `Authorization: Bearer <token>` (see `POST /api/v1/auth/token`).",
        license(name = "AGPL-3.0-or-later")),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth),
    components(schemas(Problem, ProblemField))
)]
struct ApiDoc;

/// The API's routes and the OpenAPI document describing exactly them.
pub fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::api::router())
        .merge(territory::api::router())
        .merge(directory::api::router())
        .merge(catalog::api::router())
        .merge(orders::api::router())
        .merge(crate::ledger::api::router())
        .merge(crate::aid::api::router())
        .split_for_parts();
    complete_responses(&mut doc);
    (routes, doc)
}

/// The API router, mounted under `/api/v1`, with `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (routes, doc) = parts();
    let doc = Json(doc);
    Router::new().nest("/api/v1", routes.route("/openapi.json", get(move || async move { doc.clone() })))
}
