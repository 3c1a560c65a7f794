//! The market page: every product that can be ordered from the territory's shops, searched at
//! once, each with its shop, its price and an "add to cart" form.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::catalog::{Handover, MAX_CATEGORY_CHARS, MarketItem, MarketQuery, MarketSort};
use crate::error::AppResult;
use crate::territory::{self, Commune, Territory};
use crate::web::page::Page;
use crate::web::territory::InTerritory;
use crate::web::{render, see_other};

/// Products per page of the market.
const PER_PAGE: i64 = 24;

/// The market's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/marche", get(find_market)).route("/t/{slug}/marche", get(show_market))
}

/// The market's filters as the search form sends them (all text, so that a wrong value is
/// ignored rather than refused with an error page).
#[derive(Clone, Debug, Default, Deserialize)]
struct Filters {
    /// Words.
    #[serde(default)]
    q: String,
    /// A product category.
    #[serde(default)]
    categorie: String,
    /// A commune's id: the shops there, or, sorting by distance, the point measured from.
    #[serde(default)]
    commune: String,
    /// "1": organic only.
    #[serde(default)]
    bio: String,
    /// "1": the local label only.
    #[serde(default)]
    label: String,
    /// "1": shops open now.
    #[serde(default)]
    ouvert: String,
    /// "retrait" or "livraison".
    #[serde(default)]
    mode: String,
    /// "1": shops accepting the local currency.
    #[serde(default)]
    monnaie: String,
    /// "pertinence", "prix" or "distance".
    #[serde(default)]
    tri: String,
    /// Page number, from 1.
    #[serde(default)]
    page: String,
}

impl Filters {
    fn page_number(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000)
    }

    /// The search these filters ask for. Distances are measured from the chosen commune's
    /// centre; sorting by distance from it lists its neighbours' shops too.
    fn to_query(&self, communes: &[Commune]) -> MarketQuery {
        let commune = self.commune.parse::<i64>().ok().and_then(|id| communes.iter().find(|c| c.id == id));
        let by_distance = self.tri == "distance" && commune.is_some();
        let category = Some(self.categorie.trim().to_owned())
            .filter(|c| !c.is_empty() && c.chars().count() <= MAX_CATEGORY_CHARS);
        MarketQuery {
            text: self.q.clone(),
            category,
            commune: if by_distance { None } else { commune.map(|c| c.id) },
            organic: self.bio == "1",
            local_label: self.label == "1",
            open_now: self.ouvert == "1",
            handover: match self.mode.as_str() {
                "retrait" => Some(Handover::Pickup),
                "livraison" => Some(Handover::Delivery),
                _ => None,
            },
            local_currency: self.monnaie == "1",
            near: commune.map(|c| (c.latitude, c.longitude)),
            sort: match self.tri.as_str() {
                "distance" if by_distance => MarketSort::Distance,
                "prix" => MarketSort::Price,
                _ => MarketSort::Relevance,
            },
            offset: (self.page_number() - 1) * PER_PAGE,
            limit: PER_PAGE,
        }
    }

    /// The query string of these filters on another page.
    fn href(&self, base: &str, page: i64) -> String {
        crate::web::list_href(
            base,
            &[
                ("q", &self.q),
                ("categorie", &self.categorie),
                ("commune", &self.commune),
                ("bio", &self.bio),
                ("label", &self.label),
                ("ouvert", &self.ouvert),
                ("mode", &self.mode),
                ("monnaie", &self.monnaie),
                ("tri", &self.tri),
            ],
            page,
        )
    }

    /// True when a filter other than the words is set (the filters box then starts open).
    fn any(&self) -> bool {
        [&self.categorie, &self.commune, &self.bio, &self.label, &self.ouvert, &self.mode, &self.monnaie]
            .iter()
            .any(|v| !v.is_empty())
            || matches!(self.tri.as_str(), "prix" | "distance")
    }
}

#[derive(Template)]
#[template(path = "catalog/market.html")]
struct MarketPage {
    page: Page,
    territory: Territory,
    filters: Filters,
    categories: Vec<(String, i64)>,
    communes: Vec<Commune>,
    /// The territory's currency, when it is enabled.
    currency: Option<String>,
    items: Vec<MarketItem>,
    photos: Vec<(i64, i64)>,
    previous: Option<String>,
    next: Option<String>,
}

impl MarketPage {
    /// The first photo of a product on this page, if it has one.
    fn photo_of(&self, product_id: &i64) -> Option<i64> {
        self.photos.iter().find(|(p, _)| p == product_id).map(|(_, photo)| *photo)
    }
}

async fn show_market(
    State(state): State<AppState>,
    page: Page,
    InTerritory(territory): InTerritory,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    let communes = territory::communes(&state.db, territory.id).await?;
    let query = filters.to_query(&communes);
    let found = crate::catalog::search_market(&state.db, &territory, &query).await?;
    let ids: Vec<i64> = found.items.iter().map(|item| item.product.id).collect();
    let photos = crate::catalog::store::photo_ids(&state.db, &ids).await?;
    let categories = crate::catalog::market_categories(&state.db, &territory).await?;
    let currency =
        crate::ledger::currency_of(&state.db, territory.id).await?.filter(|c| c.is_enabled).map(|c| c.name);
    let number = filters.page_number();
    let base = format!("/t/{}/marche", territory.slug);
    let previous = (number > 1).then(|| filters.href(&base, number - 1));
    let next = found.has_more.then(|| filters.href(&base, number + 1));
    // Each product has an "add to cart" form, which needs the token.
    let page = if found.items.is_empty() { page } else { page.with_csrf().await? };
    render(&MarketPage {
        page,
        territory,
        filters,
        categories,
        communes,
        currency,
        items: found.items,
        photos,
        previous,
        next,
    })
}

/// `/marche`, from pages outside any territory: the market of the only territory, or the list of
/// territories to choose from.
async fn find_market(
    State(state): State<AppState>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<Response> {
    let territories = territory::list(&state.db).await?;
    let [only] = territories.as_slice() else { return Ok(see_other("/")) };
    let query = query.filter(|q| !q.is_empty()).map(|q| format!("?{q}")).unwrap_or_default();
    Ok(see_other(&format!("/t/{}/marche{query}", only.slug)))
}
