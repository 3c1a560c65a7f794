//! The directory's public pages: search and filters, the map, a business's page, its photos.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::directory::store::{Category, PhotoMeta};
use crate::directory::{Access, Business, CrisisStatus, Found, SearchQuery, Service};
use crate::error::{AppError, AppResult};
use crate::territory::{self, Commune, Territory};
use crate::web::page::Page;
use crate::web::render;
use crate::web::territory::territory_of;
use crate::web::upload::photo_routes;

/// Results per page of the directory.
const PER_PAGE: i64 = 20;

/// The directory routes (public pages, owner pages, moderation).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/annuaire", get(show_directory))
        .route("/t/{slug}/annuaire/carte", get(show_map))
        .route("/t/{slug}/annuaire/{id}", get(show_business))
        .merge(photo_routes("/photos/{id}", |state, viewer, id, thumbnail| async move {
            crate::directory::photo(&state.db, viewer.as_ref(), id, thumbnail).await
        }))
}

/// The directory's filters as they arrive from the search form (all text, so that a wrong value
/// is ignored rather than refused with an error page).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filters {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// Category id.
    #[serde(default)]
    pub categorie: String,
    /// Commune id.
    #[serde(default)]
    pub commune: String,
    /// Status.
    #[serde(default)]
    pub statut: String,
    /// Service.
    #[serde(default)]
    pub service: String,
    /// "1" for open now.
    #[serde(default)]
    pub ouvert: String,
    /// "nom" or "distance".
    #[serde(default)]
    pub tri: String,
    /// Page number, from 1.
    #[serde(default)]
    pub page: String,
}

impl Filters {
    fn page_number(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000)
    }

    /// The search these filters ask for; distances are measured from the chosen commune.
    pub fn to_query(&self, communes: &[Commune]) -> SearchQuery {
        let commune = self.commune.parse::<i64>().ok().and_then(|id| communes.iter().find(|c| c.id == id));
        let near = commune.map(|c| (c.latitude, c.longitude));
        SearchQuery {
            text: self.q.clone(),
            category: self.categorie.parse().ok(),
            // Sorting by distance from a commune lists its neighbours too; otherwise filter on it.
            commune: if self.tri == "distance" { None } else { commune.map(|c| c.id) },
            status: CrisisStatus::parse(&self.statut),
            services: Service::parse(&self.service).into_iter().collect(),
            open_now: self.ouvert == "1",
            near,
            radius_km: None,
            by_distance: self.tri == "distance" && near.is_some(),
            offset: (self.page_number() - 1) * PER_PAGE,
            limit: PER_PAGE,
        }
    }

    /// The query string of these filters on another page.
    pub fn href(&self, base: &str, page: i64) -> String {
        crate::web::list_href(
            base,
            &[
                ("q", &self.q),
                ("categorie", &self.categorie),
                ("commune", &self.commune),
                ("statut", &self.statut),
                ("service", &self.service),
                ("ouvert", &self.ouvert),
                ("tri", &self.tri),
            ],
            page,
        )
    }

    /// The same filters for the API (used by the map's script).
    pub fn api_query(&self, communes: &[Commune]) -> String {
        let query = self.to_query(communes);
        let mut pairs: Vec<(&str, String)> = vec![("limit", "200".into())];
        if !query.text.is_empty() {
            pairs.push(("q", query.text));
        }
        if let Some(category) = query.category {
            pairs.push(("category", category.to_string()));
        }
        if let Some(commune) = query.commune {
            pairs.push(("commune", commune.to_string()));
        }
        if let Some(status) = query.status {
            pairs.push(("status", status.as_str().into()));
        }
        if !self.service.is_empty() {
            pairs.push(("service", self.service.clone()));
        }
        if query.open_now {
            pairs.push(("open_now", "true".into()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// The list page with these filters.
    pub fn list_href(&self, slug: &str) -> String {
        self.href(&format!("/t/{slug}/annuaire"), 1)
    }

    /// The map page with these filters.
    pub fn map_href(&self, slug: &str) -> String {
        self.href(&format!("/t/{slug}/annuaire/carte"), 1)
    }

    /// True when any filter is set.
    pub fn any(&self) -> bool {
        !(self.q.is_empty()
            && self.categorie.is_empty()
            && self.commune.is_empty()
            && self.statut.is_empty()
            && self.service.is_empty()
            && self.ouvert.is_empty())
    }
}

/// A category with its depth, for indented lists.
pub struct CategoryOption {
    /// The category.
    pub category: Category,
    /// 0 for a top-level category.
    pub depth: usize,
}

impl CategoryOption {
    /// The name indented with non-breaking spaces for a `<select>`.
    pub fn indented(&self) -> String {
        format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(self.depth), self.category.name)
    }
}

/// The taxonomy as a tree walk: parents before their children.
pub fn category_tree(taxonomy: &[Category]) -> Vec<CategoryOption> {
    fn walk(taxonomy: &[Category], parent: Option<i64>, depth: usize, out: &mut Vec<CategoryOption>) {
        for category in taxonomy.iter().filter(|c| c.parent_id == parent) {
            out.push(CategoryOption { category: category.clone(), depth });
            if depth < 8 {
                walk(taxonomy, Some(category.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(taxonomy, None, 0, &mut out);
    out
}

#[derive(Template)]
#[template(path = "directory/list.html")]
struct DirectoryPage {
    page: Page,
    territory: Territory,
    filters: Filters,
    categories: Vec<CategoryOption>,
    communes: Vec<Commune>,
    results: Vec<Found>,
    previous: Option<String>,
    next: Option<String>,
    licence: String,
    can_moderate: bool,
}

async fn show_directory(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let communes = territory::communes(&state.db, territory.id).await?;
    let categories = category_tree(&crate::directory::taxonomy(&state.db, territory.id).await?);
    let query = filters.to_query(&communes);
    let found = crate::directory::search(&state.db, &territory, &query).await?;
    let base = format!("/t/{}/annuaire", territory.slug);
    let number = filters.page_number();
    let previous = (number > 1).then(|| filters.href(&base, number - 1));
    let next = found.has_more.then(|| filters.href(&base, number + 1));
    let can_moderate = match &page.user {
        Some(user) => crate::directory::is_moderator(&state.db, user, territory.id).await?,
        None => false,
    };
    render(&DirectoryPage {
        page,
        territory,
        filters,
        categories,
        communes,
        results: found.items,
        previous,
        next,
        licence: state.config.open_data_licence.clone(),
        can_moderate,
    })
}

#[derive(Template)]
#[template(path = "directory/map.html")]
struct MapPage {
    page: Page,
    territory: Territory,
    filters: Filters,
    data_url: String,
    center: (f64, f64),
    tiles_url: String,
    tiles_attribution: String,
}

async fn show_map(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let communes = territory::communes(&state.db, territory.id).await?;
    let count = communes.len().max(1) as f64;
    let center = if communes.is_empty() {
        (46.6, 2.4)
    } else {
        (
            communes.iter().map(|c| c.latitude).sum::<f64>() / count,
            communes.iter().map(|c| c.longitude).sum::<f64>() / count,
        )
    };
    let data_url =
        format!("/api/v1/territories/{}/businesses?{}", territory.slug, filters.api_query(&communes));
    render(&MapPage {
        page,
        territory,
        filters,
        data_url,
        center,
        tiles_url: state.config.tiles_url.clone(),
        tiles_attribution: state.config.tiles_attribution.clone(),
    })
}

#[derive(Template)]
#[template(path = "directory/business.html")]
struct BusinessPage {
    page: Page,
    territory: Territory,
    business: Business,
    categories: Vec<String>,
    hours: Vec<(&'static str, String)>,
    open_now: Option<bool>,
    photos: Vec<PhotoMeta>,
    access: Access,
    json_ld: String,
    canonical: String,
    image_url: Option<String>,
    summary: String,
    status_confirmed: Option<String>,
}

/// The schema.org LocalBusiness description of a listing, safe to put in a `<script>` element.
fn json_ld(
    business: &Business,
    canonical: &str,
    categories: &[String],
    photos: &[PhotoMeta],
    base_url: &str,
) -> String {
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": canonical,
        "url": canonical,
        "name": business.name,
        "description": business.description,
    });
    if let Some(phone) = &business.phone {
        value["telephone"] = phone.clone().into();
    }
    if let Some(email) = &business.email {
        value["email"] = email.clone().into();
    }
    if business.address.is_some() || business.city.is_some() {
        value["address"] = serde_json::json!({
            "@type": "PostalAddress",
            "streetAddress": business.address,
            "postalCode": business.postcode,
            "addressLocality": business.city,
            "addressCountry": "FR",
        });
    }
    if let (Some(lat), Some(lon)) = (business.latitude, business.longitude) {
        value["geo"] = serde_json::json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
    }
    let hours = business.hours().schema_org();
    if !hours.is_empty() {
        value["openingHours"] = hours.into();
    }
    let mut same_as = business.social_links();
    if let Some(site) = &business.website {
        same_as.insert(0, site.clone());
    }
    if !same_as.is_empty() {
        value["sameAs"] = same_as.into();
    }
    if !categories.is_empty() {
        value["keywords"] = categories.join(", ").into();
    }
    if let Some(photo) = photos.first() {
        value["image"] = format!("{base_url}/photos/{}", photo.id).into();
    }
    // "</script>" inside a string must not close the element.
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

async fn show_business(
    State(state): State<AppState>,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let (business, access) = crate::directory::view(&state.db, page.user.as_ref(), id).await?;
    if business.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let categories = crate::directory::category_names(&state.db, &business).await?;
    let photos = crate::directory::store::photos(&state.db, id).await?;
    let hours = business.hours();
    let open_now = (!hours.is_empty()).then(|| hours.is_open_at(jiff::Timestamp::now(), &territory.tz()));
    let canonical = format!("{}/t/{}/annuaire/{}", state.base_url, territory.slug, business.id);
    let summary: String =
        business.description.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect();
    let status_confirmed =
        business.status_confirmed_at.map(|s| crate::web::fmt::timestamp(s, &territory.tz(), page.lang()));
    let page = if access.can_edit() || page.user.is_some() { page.with_csrf().await? } else { page };
    render(&BusinessPage {
        json_ld: json_ld(&business, &canonical, &categories, &photos, &state.base_url),
        image_url: photos.first().map(|p| format!("{}/photos/{}", state.base_url, p.id)),
        hours: hours.describe(page.lang() == crate::web::i18n::Lang::Fr),
        page,
        territory,
        business,
        categories,
        open_now,
        photos,
        access,
        canonical,
        summary,
        status_confirmed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::*;
    use crate::web::fmt::parse_decimal;

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let business = Business {
            id: 1,
            territory_id: 1,
            name: "Atelier </script><script>alert(1)</script>".into(),
            kind: BusinessKind::Artisan,
            description: String::new(),
            address: None,
            postcode: None,
            city: None,
            commune_id: None,
            latitude: Some(43.86),
            longitude: Some(4.44),
            phone: None,
            email: None,
            website: None,
            social_links: "[]".into(),
            opening_hours: String::new(),
            click_and_collect: false,
            delivery: false,
            accepts_local_currency: false,
            takes_consignment: false,
            status: CrisisStatus::Open,
            status_message: None,
            status_confirmed_at: None,
            state: ListingState::Published,
            state_reason: None,
            created_at: 0,
            updated_at: 0,
        };
        let text = json_ld(&business, "http://x/t/a/annuaire/1", &[], &[], "http://x");
        assert!(!text.contains("</script>"));
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["name"], business.name);
        assert_eq!(parsed["@type"], "LocalBusiness");
        assert_eq!(parsed["geo"]["latitude"], 43.86);
    }

    #[test]
    fn points_are_read_with_either_decimal_mark() {
        assert_eq!(crate::directory::api::parse_point("43.86,4.44"), Some((43.86, 4.44)));
        assert_eq!(parse_decimal("43,8601"), Some(43.8601));
        assert_eq!(crate::directory::api::parse_point("91,4"), None);
    }
}
