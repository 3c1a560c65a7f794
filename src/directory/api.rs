//! The directory's JSON API: search, read, propose, edit, moderate, import, open-data exports.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::hours::OpeningHours;
use super::{Business, BusinessInput, CrisisStatus, SearchQuery, Service, import_export};
use crate::api::{ImportParams, ImportResult, ListPage, cursor_offset, refused_rows};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::territory;
use crate::web::ApiJson;
use crate::web::auth::{ApiUser, MaybeApiUser};
use crate::web::i18n::Lang;
use crate::web::territory::{InTerritory, territory_of};

/// The directory API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_businesses, propose_business))
        .routes(routes!(get_business, patch_business))
        .routes(routes!(approve_business))
        .routes(routes!(refuse_business))
        .routes(routes!(import_businesses))
        .routes(routes!(export_geojson))
        .routes(routes!(export_csv))
}

/// Search filters of the directory.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words, matched as word prefixes, ignoring case and accents.
    pub q: Option<String>,
    /// Category id (its sub-categories included).
    pub category: Option<i64>,
    /// Commune id.
    pub commune: Option<i64>,
    /// open, pickup_only, delivery_only or closed.
    #[param(pattern = "^(open|pickup_only|delivery_only|closed)?$")]
    pub status: Option<String>,
    /// click_and_collect, delivery, local_currency or consignment.
    #[param(pattern = "^(click_and_collect|delivery|local_currency|consignment)?$")]
    pub service: Option<String>,
    /// `<lat>,<lon>`: distances are measured from there, results sorted by distance.
    #[param(
        pattern = r"^(-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?))?$"
    )]
    pub near: Option<String>,
    /// Only within this many kilometres of `near` (more than 0, at most 1000; needs `near`).
    #[param(exclusive_minimum = 0, maximum = 1000)]
    pub radius_km: Option<f64>,
    /// Only what is open now.
    pub open_now: Option<bool>,
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (1 to 200, default 50).
    pub limit: Option<i64>,
}

/// Parses `<lat>,<lon>`.
pub fn parse_point(text: &str) -> Option<(f64, f64)> {
    let (lat, lon) = text.split_once(',')?;
    let (lat, lon) = (lat.trim().parse::<f64>().ok()?, lon.trim().parse::<f64>().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

impl ListParams {
    fn to_query(&self) -> AppResult<SearchQuery> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => {
                Some(CrisisStatus::parse(text).ok_or(AppError::invalid("status", "directory.error.status"))?)
            }
            None => None,
        };
        let services = match self.service.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => {
                vec![Service::parse(text).ok_or(AppError::invalid("service", "directory.error.service"))?]
            }
            None => Vec::new(),
        };
        let near = match self.near.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(parse_point(text).ok_or(AppError::invalid("near", "directory.error.near"))?),
            None => None,
        };
        if self.radius_km.is_some_and(|r| !(r > 0.0 && r <= 1000.0))
            || (self.radius_km.is_some() && near.is_none())
        {
            return Err(AppError::invalid("radius_km", "directory.error.radius"));
        }
        let offset = cursor_offset(self.cursor.as_deref())?;
        Ok(SearchQuery {
            text: self.q.clone().unwrap_or_default(),
            category: self.category,
            commune: self.commune,
            status,
            services,
            open_now: self.open_now.unwrap_or(false),
            near,
            radius_km: self.radius_km,
            by_distance: near.is_some(),
            offset,
            limit: self.limit.unwrap_or(50).clamp(1, 200),
        })
    }
}

/// A listing in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessSummary {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Crisis status: open, pickup_only, delivery_only, closed.
    pub status: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Town.
    pub city: Option<String>,
    /// Category names.
    pub categories: Vec<String>,
    /// Distance from `near`, in kilometres.
    pub distance_km: Option<f64>,
}

/// The published listings of a territory, filtered and paginated.
#[utoipa::path(get, path = "/territories/{slug}/businesses", tag = "directory",
    params(("slug" = String, Path, description = "Territory"), ListParams),
    responses(
        (status = 200, description = "A page of listings", body = ListPage<BusinessSummary>),
        (status = 404, description = "No such territory"),
        (status = 422, description = "A filter is invalid"),
    ))]
pub async fn list_businesses(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<ListParams>,
) -> AppResult<Json<ListPage<BusinessSummary>>> {
    let territory = territory_of(&state, &slug).await?;
    let query = params.to_query()?;
    let page = super::search(&state.db, &territory, &query).await?;
    let items = page
        .items
        .into_iter()
        .map(|found| BusinessSummary {
            id: found.business.id,
            name: found.business.name,
            kind: found.business.kind.to_string(),
            status: found.business.status.to_string(),
            latitude: found.business.latitude,
            longitude: found.business.longitude,
            city: found.business.city,
            categories: found.categories,
            distance_km: found.distance_km.map(|d| (d * 100.0).round() / 100.0),
        })
        .collect();
    Ok(Json(ListPage::at_offset(items, page.has_more, query.offset, query.limit)))
}

/// A listing in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessDetail {
    /// Identifier.
    pub id: i64,
    /// Territory slug.
    pub territory: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Plain text description.
    pub description: String,
    /// Address.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Town.
    pub city: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Social links.
    pub social_links: Vec<String>,
    /// Weekly opening hours (minutes since midnight, Monday first).
    pub opening_hours: OpeningHours,
    /// Click-and-collect.
    pub click_and_collect: bool,
    /// Delivery.
    pub delivery: bool,
    /// Accepts the local currency.
    pub accepts_local_currency: bool,
    /// Takes consignment.
    pub takes_consignment: bool,
    /// Crisis status.
    pub status: String,
    /// Status message.
    pub status_message: Option<String>,
    /// When the status was last confirmed (RFC 3339).
    pub status_confirmed_at: Option<String>,
    /// pending, published, refused or unpublished.
    pub state: String,
    /// Why it was refused or unpublished (owners and moderators only).
    pub state_reason: Option<String>,
    /// Category names.
    pub categories: Vec<String>,
}

async fn detail(state: &AppState, business: Business, show_reason: bool) -> AppResult<BusinessDetail> {
    let categories = super::category_names(&state.db, &business).await?;
    let territory = territory::by_id(&state.db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    Ok(BusinessDetail {
        opening_hours: business.hours(),
        social_links: business.social_links(),
        status_confirmed_at: business
            .status_confirmed_at
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .map(|t| t.to_string()),
        state_reason: if show_reason { business.state_reason } else { None },
        id: business.id,
        territory: territory.slug,
        name: business.name,
        kind: business.kind.to_string(),
        description: business.description,
        address: business.address,
        postcode: business.postcode,
        city: business.city,
        latitude: business.latitude,
        longitude: business.longitude,
        phone: business.phone,
        email: business.email,
        website: business.website,
        click_and_collect: business.click_and_collect,
        delivery: business.delivery,
        accepts_local_currency: business.accepts_local_currency,
        takes_consignment: business.takes_consignment,
        status: business.status.to_string(),
        status_message: business.status_message,
        state: business.state.to_string(),
        categories,
    })
}

/// Proposes a listing; the caller becomes an owner, moderators validate it.
#[utoipa::path(post, path = "/territories/{slug}/businesses", tag = "directory", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")), request_body = BusinessInput,
    responses(
        (status = 201, description = "Proposed (published at once when a moderator proposes)", body = BusinessDetail),
        (status = 401, description = "No or bad token"),
        (status = 409, description = "A listing with this name and postcode exists"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn propose_business(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    InTerritory(territory): InTerritory,
    ApiJson(input): ApiJson<BusinessInput>,
) -> AppResult<(StatusCode, Json<BusinessDetail>)> {
    let business = super::propose(&state.db, &state.base_url, &user, &territory, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, business, true).await?)))
}

/// A listing; unpublished ones only for their owners and the moderators.
#[utoipa::path(get, path = "/businesses/{id}", tag = "directory", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Listing")),
    responses(
        (status = 200, description = "The listing", body = BusinessDetail),
        (status = 404, description = "No such listing, or not visible to you"),
    ))]
pub async fn get_business(
    State(state): State<AppState>,
    MaybeApiUser(user): MaybeApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<BusinessDetail>> {
    let (business, access) = super::view(&state.db, user.as_ref(), id).await?;
    Ok(Json(detail(&state, business, access.can_edit()).await?))
}

/// Changes some fields of a listing (owners and moderators); absent fields keep their value.
#[utoipa::path(patch, path = "/businesses/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Listing")), request_body(content = Object, description = "Any fields of BusinessInput"),
    responses(
        (status = 200, description = "The updated listing", body = BusinessDetail),
        (status = 403, description = "Not an owner or moderator"),
        (status = 404, description = "No such listing"),
        (status = 409, description = "A listing with this name and postcode exists"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn patch_business(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Json<BusinessDetail>> {
    let (business, access) = super::view(&state.db, Some(&user), id).await?;
    if !access.can_edit() {
        return Err(AppError::Forbidden);
    }
    let current = detail(&state, business.clone(), true).await?;
    let taxonomy = super::taxonomy(&state.db, business.territory_id).await?;
    let mut merged = serde_json::to_value(&current).map_err(anyhow::Error::from)?;
    merged["category_ids"] = serde_json::json!(
        taxonomy.iter().filter(|c| current.categories.contains(&c.name)).map(|c| c.id).collect::<Vec<_>>()
    );
    for (key, value) in patch {
        merged[key] = value;
    }
    let input: BusinessInput =
        serde_json::from_value(merged).map_err(|_| AppError::BadRequest("error.json_fields"))?;
    let updated = super::update(&state.db, &user, id, &input).await?;
    Ok(Json(detail(&state, updated, true).await?))
}

/// Publishes a listing (moderators).
#[utoipa::path(post, path = "/businesses/{id}/approve", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Listing")),
    responses(
        (status = 200, description = "Published", body = BusinessDetail),
        (status = 403, description = "Not a moderator"),
        (status = 409, description = "Already published"),
    ))]
pub async fn approve_business(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<BusinessDetail>> {
    super::approve(&state.db, &state.base_url, &user, id).await?;
    let (business, _) = super::view(&state.db, Some(&user), id).await?;
    Ok(Json(detail(&state, business, true).await?))
}

/// The reason of a refusal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefuseRequest {
    /// Why; sent to the owners.
    #[schema(max_length = 1000, pattern = r"\S")]
    pub reason: String,
}

/// Refuses a pending listing, or unpublishes a published one (moderators).
#[utoipa::path(post, path = "/businesses/{id}/refuse", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Listing")), request_body = RefuseRequest,
    responses(
        (status = 200, description = "Refused or unpublished", body = BusinessDetail),
        (status = 403, description = "Not a moderator"),
        (status = 422, description = "No reason given"),
    ))]
pub async fn refuse_business(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RefuseRequest>,
) -> AppResult<Json<BusinessDetail>> {
    super::refuse_or_unpublish(&state.db, &state.base_url, &user, id, &body.reason).await?;
    let (business, _) = super::view(&state.db, Some(&user), id).await?;
    Ok(Json(detail(&state, business, true).await?))
}

/// Imports a CSV of local professionals (moderators). Valid rows are imported in one
/// transaction; importing the same file again creates no duplicates.
#[utoipa::path(post, path = "/territories/{slug}/businesses/import", tag = "directory", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory"), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "The report", body = ImportResult),
        (status = 400, description = "Unreadable file"),
        (status = 403, description = "Not a moderator"),
        (status = 422, description = "The columns could not be matched"),
    ))]
pub async fn import_businesses(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    lang: Lang,
    Path(slug): Path<String>,
    Query(params): Query<ImportParams>,
    body: Body,
) -> AppResult<Json<ImportResult>> {
    // A spreadsheet may be larger than other requests: read it up to the upload cap.
    let body =
        axum::body::to_bytes(body, crate::app::UPLOAD_MAX_BYTES).await.map_err(|_| AppError::TooLarge)?;
    let territory = territory_of(&state, &slug).await?;
    if !super::is_moderator(&state.db, &user, territory.id).await? {
        return Err(AppError::Forbidden);
    }
    let report = import_export::parse_businesses_csv(&body)
        .map_err(|_| AppError::BadRequest("directory.import.unreadable"))?;
    let outcome = if params.dry_run() {
        super::ImportOutcome::default()
    } else {
        super::import_rows(&state.db, &user, &territory, &report).await?
    };
    let refused = refused_rows(&report.refused, |r| if lang == Lang::En { r.english() } else { r.french() });
    let done = (outcome.created, outcome.updated);
    Ok(Json(ImportResult::new(report.accepted.len(), refused, done, params.dry_run())))
}

fn download(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    crate::api::file(content_type, format!("inline; filename=\"{filename}\""), "public, max-age=300", body)
}

/// The published directory as GeoJSON (RFC 7946), under the territory's open-data licence.
#[utoipa::path(get, path = "/territories/{slug}/businesses.geojson", tag = "directory",
    params(("slug" = String, Path, description = "Territory")),
    responses((status = 200, description = "A FeatureCollection", content_type = "application/geo+json")))]
pub async fn export_geojson(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let items = super::exports(&state.db, &territory, &state.base_url).await?;
    let source = format!("{}/t/{}/annuaire", state.base_url, territory.slug);
    let value = import_export::businesses_to_geojson(&items, &state.config.open_data_licence, &source);
    Ok(download(
        "application/geo+json",
        format!("annuaire-{}.geojson", territory.slug),
        value.to_string().into_bytes(),
    ))
}

/// The published directory as CSV (the import's columns), under the open-data licence.
#[utoipa::path(get, path = "/territories/{slug}/businesses.csv", tag = "directory", operation_id = "export_businesses_csv",
    params(("slug" = String, Path, description = "Territory")),
    responses((status = 200, description = "The CSV file", content_type = "text/csv")))]
pub async fn export_csv(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let items = super::exports(&state.db, &territory, &state.base_url).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("annuaire-{}.csv", territory.slug),
        import_export::businesses_to_csv(&items),
    ))
}
