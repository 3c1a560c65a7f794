//! The JSON API under `/api/v1`: every route is declared together with its OpenAPI
//! description (utoipa-axum), so the document at `/api/v1/openapi.json` cannot miss one.

use axum::Json;
use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;
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

/// Options of a spreadsheet import.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` only reports what would happen.
    pub dry_run: Option<bool>,
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

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
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
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::api::router())
        .merge(territory::api::router())
        .merge(directory::api::router())
        .merge(catalog::api::router())
        .merge(orders::api::router())
        .merge(crate::ledger::api::router())
        .merge(crate::aid::api::router())
        .split_for_parts()
}

/// The API router, mounted under `/api/v1`, with `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (routes, doc) = parts();
    let doc = Json(doc);
    Router::new().nest("/api/v1", routes.route("/openapi.json", get(move || async move { doc.clone() })))
}
