//! The catalogue's JSON API: products CRUD, spreadsheet import, exports (CSV, XLSX, DFC).

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::spreadsheet::{self, ExportProduct};
use super::store::ProductSearch;
use super::{Product, ProductInput, Unit};
use crate::api::{ImportParams, ImportResult, ListPage, RefusedRowJson, cursor_offset, refused_rows};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::ApiJson;
use crate::web::auth::{ApiUser, MaybeApiUser};
use crate::web::i18n::Lang;
use crate::web::territory::territory_of;

/// The catalogue API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(list_market_products))
        .routes(routes!(patch_product, delete_product))
        .routes(routes!(import_products))
        .routes(routes!(export_dfc))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
}

/// A product in the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductJson {
    /// Identifier.
    pub id: i64,
    /// The merchant's reference.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Unit: piece, kg, 100g, l, bunch, tray, jar, bottle, box, portion.
    pub unit: String,
    /// Price per unit in cents, tax included.
    pub price_cents: i64,
    /// Stock; null when unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Description.
    pub description: String,
    /// Category.
    pub category: Option<String>,
    /// VAT rate in basis points.
    pub vat_rate_bp: Option<i64>,
    /// Sold by weight.
    pub sold_by_weight: bool,
    /// Estimated weight of a piece (g).
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Local label.
    pub local_label: bool,
    /// Allergens.
    pub allergens: Vec<String>,
    /// Ingredients.
    pub ingredients: String,
}

impl From<Product> for ProductJson {
    fn from(p: Product) -> Self {
        Self {
            allergens: p.allergen_list().iter().map(|a| a.as_str().to_owned()).collect(),
            id: p.id,
            reference: p.reference,
            name: p.name,
            unit: p.unit,
            price_cents: p.price_cents,
            stock: p.stock,
            available: p.available,
            description: p.description,
            category: p.category,
            vat_rate_bp: p.vat_rate_bp,
            sold_by_weight: p.sold_by_weight,
            estimated_weight_g: p.estimated_weight_g,
            organic: p.organic,
            local_label: p.local_label,
            ingredients: p.ingredients,
        }
    }
}

/// Catalogue filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductParams {
    /// Words (prefixes, case and accents ignored).
    pub q: Option<String>,
    /// A category, exactly.
    pub category: Option<String>,
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (1 to 500, default 100).
    pub limit: Option<i64>,
}

/// The products of a business: what is on sale for everyone, everything for its owners and the
/// moderators.
#[utoipa::path(get, path = "/businesses/{id}/products", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Business"), ProductParams),
    responses(
        (status = 200, description = "A page of products", body = ListPage<ProductJson>),
        (status = 404, description = "No such business, or not visible"),
        (status = 422, description = "Invalid cursor"),
    ))]
pub async fn list_products(
    State(state): State<AppState>,
    MaybeApiUser(user): MaybeApiUser,
    Path(id): Path<i64>,
    Query(params): Query<ProductParams>,
) -> AppResult<Json<ListPage<ProductJson>>> {
    let (_, can_edit) = super::public_business(&state.db, user.as_ref(), id).await?;
    let offset = cursor_offset(params.cursor.as_deref())?;
    let limit = params.limit.unwrap_or(100).clamp(1, 500);
    let search = ProductSearch {
        text: params.q.unwrap_or_default(),
        category: params.category,
        include_unavailable: can_edit,
        offset,
        limit,
        ..ProductSearch::default()
    };
    let page = super::search(&state.db, id, &search).await?;
    let items = page.items.into_iter().map(ProductJson::from).collect();
    Ok(Json(ListPage::at_offset(items, page.has_more, offset, limit)))
}

/// The market's filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarketParams {
    /// Words (word prefixes, case and accents ignored) in the product's name, reference,
    /// category or description.
    pub q: Option<String>,
    /// A product category, exactly as the shops write it.
    #[param(max_length = 80)]
    pub category: Option<String>,
    /// Only the shops of this commune of the territory (its id).
    pub commune: Option<i64>,
    /// Only organic products.
    pub organic: Option<bool>,
    /// Only products carrying the territory's local label.
    pub local_label: Option<bool>,
    /// Only shops open now (status and opening hours).
    pub open_now: Option<bool>,
    /// Only shops that hand orders over this way: `pickup` (click-and-collect) or `delivery`.
    #[param(pattern = "^(pickup|delivery)?$")]
    pub fulfilment: Option<String>,
    /// Only shops that accept the local currency.
    pub local_currency: Option<bool>,
    /// `<lat>,<lon>`: distances are measured from there.
    #[param(
        pattern = r"^(-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?))?$"
    )]
    pub near: Option<String>,
    /// `relevance` (the default without `near`), `price` (cheapest first) or `distance` (nearest
    /// shop first: the default with `near`, which it needs).
    #[param(pattern = "^(relevance|price|distance)?$")]
    pub sort: Option<String>,
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (1 to 200, default 50; other values are brought within).
    pub limit: Option<i64>,
}

impl MarketParams {
    fn to_query(&self) -> AppResult<super::MarketQuery> {
        let near = match self.near.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(
                crate::directory::api::parse_point(text)
                    .ok_or(AppError::invalid("near", "directory.error.near"))?,
            ),
            None => None,
        };
        let sort = match self.sort.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => super::MarketSort::parse(text)
                .ok_or(AppError::invalid("sort", "catalog.market.error.sort"))?,
            None if near.is_some() => super::MarketSort::Distance,
            None => super::MarketSort::Relevance,
        };
        let handover = match self.fulfilment.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(
                super::Handover::parse(text)
                    .ok_or(AppError::invalid("fulfilment", "catalog.market.error.fulfilment"))?,
            ),
            None => None,
        };
        Ok(super::MarketQuery {
            text: self.q.clone().unwrap_or_default(),
            category: self.category.clone().filter(|c| !c.is_empty()),
            commune: self.commune,
            organic: self.organic.unwrap_or(false),
            local_label: self.local_label.unwrap_or(false),
            open_now: self.open_now.unwrap_or(false),
            handover,
            local_currency: self.local_currency.unwrap_or(false),
            near,
            sort,
            offset: cursor_offset(self.cursor.as_deref())?,
            limit: self.limit.unwrap_or(50).clamp(1, super::MAX_MARKET_PAGE),
        })
    }
}

/// A shop, as the market names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarketBusinessJson {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A product of the market: the product, and its shop.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarketProductJson {
    /// The product.
    #[serde(flatten)]
    pub product: ProductJson,
    /// Its shop.
    pub business: MarketBusinessJson,
}

/// The name of the query parameter a rejected query string names, for the problem's field.
fn rejected_parameter(rejection: &QueryRejection) -> &'static str {
    const NAMES: [&str; 13] = [
        "q",
        "category",
        "commune",
        "organic",
        "local_label",
        "open_now",
        "fulfilment",
        "local_currency",
        "near",
        "sort",
        "cursor",
        "limit",
        "query",
    ];
    // The message reads "Failed to deserialize query string: <parameter>: <why>".
    let text = rejection.body_text();
    let named = text.split(": ").nth(1).unwrap_or_default();
    NAMES.into_iter().find(|name| *name == named).unwrap_or("query")
}

/// Every product that can be ordered now from the territory's published shops that take orders
/// (click-and-collect or delivery): on sale, in stock or unlimited. Filters narrow the products
/// (words, category, organic, local label) or their shops (commune, open now, pickup or
/// delivery, local currency).
#[utoipa::path(get, path = "/territories/{slug}/products", tag = "catalog", operation_id = "list_market_products",
    params(("slug" = String, Path, description = "Territory"), MarketParams),
    responses(
        (status = 200, description = "A page of products with their shop", body = ListPage<MarketProductJson>),
        (status = 404, description = "No such territory"),
        (status = 422, description = "A filter is invalid: a value of the wrong type, a commune of another territory, an unknown sort or fulfilment, a point out of range, `sort=distance` without `near`, or an invalid cursor"),
    ))]
pub async fn list_market_products(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    params: Result<Query<MarketParams>, QueryRejection>,
) -> AppResult<Json<ListPage<MarketProductJson>>> {
    let territory = territory_of(&state, &slug).await?;
    let Query(params) =
        params.map_err(|rejection| AppError::invalid(rejected_parameter(&rejection), "error.bad_request"))?;
    let query = params.to_query()?;
    let page = super::search_market(&state.db, &territory, &query).await?;
    let items = page
        .items
        .into_iter()
        .map(|item| MarketProductJson {
            business: MarketBusinessJson { id: item.business.id, name: item.business.name },
            product: item.product.into(),
        })
        .collect();
    Ok(Json(ListPage::at_offset(items, page.has_more, query.offset, query.limit)))
}

/// Adds a product (owners of the business and moderators).
#[utoipa::path(post, path = "/businesses/{id}/products", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")), request_body = ProductInput,
    responses(
        (status = 201, description = "Created", body = ProductJson),
        (status = 403, description = "Not an owner of this business"),
        (status = 409, description = "Reference already used"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn create_product(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProductInput>,
) -> AppResult<(StatusCode, Json<ProductJson>)> {
    let product = super::create(&state.db, &user, id, &input).await?;
    Ok((StatusCode::CREATED, Json(product.into())))
}

/// Changes some fields of a product; absent fields keep their value.
#[utoipa::path(patch, path = "/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product")), request_body(content = Object, description = "Any fields of ProductInput"),
    responses(
        (status = 200, description = "Updated", body = ProductJson),
        (status = 403, description = "Not an owner of this business"),
        (status = 404, description = "No such product"),
        (status = 409, description = "Reference already used"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn patch_product(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Json<ProductJson>> {
    let current = super::managed_product(&state.db, &user, id).await?;
    let mut merged = serde_json::to_value(ProductInput::from(&current)).map_err(anyhow::Error::from)?;
    for (key, value) in patch {
        merged[key] = value;
    }
    let input: ProductInput =
        serde_json::from_value(merged).map_err(|_| AppError::BadRequest("error.json_fields"))?;
    Ok(Json(super::update(&state.db, &user, id, &input).await?.into()))
}

/// Deletes a product.
#[utoipa::path(delete, path = "/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an owner of this business"),
        (status = 404, description = "No such product"),
    ))]
pub async fn delete_product(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::delete(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a spreadsheet (CSV, XLSX or ODS, columns detected from their headers): the valid
/// rows are upserted on the reference in one transaction.
#[utoipa::path(post, path = "/businesses/{id}/products/import", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business"), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The file: text/csv, the XLSX or ODS media type, or application/ld+json for a DFC catalogue"),
    responses(
        (status = 200, description = "The report", body = ImportResult),
        (status = 400, description = "Unreadable file"),
        (status = 403, description = "Not an owner of this business"),
        (status = 422, description = "The columns could not be matched"),
    ))]
pub async fn import_products(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    lang: Lang,
    Path(id): Path<i64>,
    Query(params): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    let body =
        axum::body::to_bytes(body, crate::app::UPLOAD_MAX_BYTES).await.map_err(|_| AppError::TooLarge)?;
    super::managed_business(&state.db, &user, id).await?;
    let is_json = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("json"));
    if is_json {
        // A Data Food Consortium catalogue.
        let read = super::read_dfc(body.to_vec()).await?;
        let outcome = if params.dry_run() {
            super::ImportOutcome::default()
        } else {
            super::import_dfc(&state.db, &user, id, &read).await?.0
        };
        let refused = read.problems.iter().map(|p| RefusedRowJson { row: 0, reason: p.clone() }).collect();
        let done = (outcome.created, outcome.updated);
        return Ok(Json(ImportResult::new(read.products.len(), refused, done, params.dry_run())));
    }
    let table = spreadsheet::read_table(&body)?;
    let mapping = spreadsheet::detect_mapping(&table.headers);
    if !spreadsheet::check_mapping(&mapping).is_empty() {
        return Err(AppError::invalid("file", "catalog.mapping.missing"));
    }
    let report = spreadsheet::rows_to_products(&table, &mapping);
    let outcome = if params.dry_run() {
        super::ImportOutcome::default()
    } else {
        super::import_rows(&state.db, &user, id, &report).await?
    };
    let refused = refused_rows(&report.refused, |r| if lang == Lang::En { r.english() } else { r.french() });
    let done = (outcome.created, outcome.updated);
    Ok(Json(ImportResult::new(report.accepted.len(), refused, done, params.dry_run())))
}

/// Converts stored products for the spreadsheet exports.
pub fn for_export(products: &[Product]) -> Vec<ExportProduct> {
    products
        .iter()
        .map(|p| ExportProduct {
            reference: p.reference.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            category: p.category.clone(),
            unit: p.unit(),
            price_cents: p.price_cents,
            vat_rate_bp: p.vat_rate_bp,
            stock: p.stock,
            available: p.available,
            sold_by_weight: p.sold_by_weight,
            estimated_weight_g: p.estimated_weight_g,
            organic: p.organic,
            local_label: p.local_label,
            allergens: p.allergen_list(),
            ingredients: p.ingredients.clone(),
        })
        .collect()
}

fn file(content_type: &str, filename: String, body: Vec<u8>) -> Response {
    crate::api::file(content_type, format!("attachment; filename=\"{filename}\""), "private, no-cache", body)
}

async fn exported(
    state: &AppState,
    user: Option<&crate::accounts::User>,
    id: i64,
) -> AppResult<(crate::directory::Business, Vec<Product>)> {
    let (business, can_edit) = super::public_business(&state.db, user, id).await?;
    let products = super::all_products(&state.db, id, can_edit).await?;
    Ok((business, products))
}

/// The catalogue as Data Food Consortium JSON-LD (what is on sale).
#[utoipa::path(get, path = "/businesses/{id}/catalog.jsonld", tag = "catalog",
    params(("id" = i64, Path, description = "Business")),
    responses((status = 200, description = "DFC catalogue", content_type = "application/ld+json")))]
pub async fn export_dfc(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (business, products) = exported(&state, None, id).await?;
    let territory =
        crate::territory::by_id(&state.db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    let enterprise = super::dfc::DfcEnterprise {
        id: business.id,
        name: business.name.clone(),
        description: business.description.clone(),
        url: format!("{}/t/{}/annuaire/{}", state.base_url, territory.slug, business.id),
    };
    let items: Vec<super::dfc::DfcProduct> = products
        .iter()
        .map(|p| super::dfc::DfcProduct {
            id: p.id,
            reference: p.reference.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            unit: p.unit(),
            price_cents: p.price_cents,
            vat_rate_bp: p.vat_rate_bp,
            stock: p.stock,
            available: p.available,
            organic: p.organic,
            allergens: p.allergen_list(),
            ingredients: p.ingredients.clone(),
            category: p.category.clone(),
        })
        .collect();
    let document = super::dfc::catalog_to_jsonld(&enterprise, &items, &state.base_url);
    Ok((
        [(CONTENT_TYPE, "application/ld+json"), (CACHE_CONTROL, "public, max-age=300")],
        document.to_string(),
    )
        .into_response())
}

/// The catalogue as CSV, in the import's layout (French Excel: `;`, decimal comma, BOM).
#[utoipa::path(get, path = "/businesses/{id}/products.csv", tag = "catalog", security((), ("bearer" = [])), operation_id = "export_products_csv",
    params(("id" = i64, Path, description = "Business")),
    responses((status = 200, description = "CSV file", content_type = "text/csv")))]
pub async fn export_csv(
    State(state): State<AppState>,
    MaybeApiUser(user): MaybeApiUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (_, products) = exported(&state, user.as_ref(), id).await?;
    Ok(file(
        "text/csv; charset=utf-8",
        format!("catalogue-{id}.csv"),
        spreadsheet::products_to_csv(&for_export(&products)),
    ))
}

/// The catalogue as XLSX, in the import's layout.
#[utoipa::path(get, path = "/businesses/{id}/products.xlsx", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Business")),
    responses((status = 200, description = "XLSX file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    MaybeApiUser(user): MaybeApiUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (_, products) = exported(&state, user.as_ref(), id).await?;
    let bytes = spreadsheet::products_to_xlsx(&for_export(&products))
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("catalogue-{id}.xlsx"),
        bytes,
    ))
}

/// Units for the forms.
pub fn units() -> Vec<(&'static str, &'static str)> {
    Unit::ALL.iter().map(|u| (u.as_str(), u.label_key())).collect()
}
