//! The market: every product that can be ordered from a territory's published shops, found
//! with the catalogues' own search, for the market page and the API alike.

use std::collections::HashMap;

use super::store::{self, MarketOrder, ProductSearch};
use super::{MAX_CATEGORY_CHARS, Product};
use crate::db::Db;
use crate::directory::{self, Business, Service, ShopFilter};
use crate::error::{AppError, AppResult};
use crate::territory::{self, Territory};

/// The largest page of the market.
pub const MAX_PAGE: i64 = 200;

/// How the market's results are sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MarketSort {
    /// Products whose name holds the first word searched first, then by name.
    #[default]
    Relevance,
    /// Cheapest first (the price per unit).
    Price,
    /// Nearest shop first, from the search's point.
    Distance,
}

impl MarketSort {
    /// Parses `relevance`, `price` or `distance`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "relevance" => Some(Self::Relevance),
            "price" => Some(Self::Price),
            "distance" => Some(Self::Distance),
            _ => None,
        }
    }
}

/// How a shop hands an order over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handover {
    /// Click-and-collect.
    Pickup,
    /// Delivery.
    Delivery,
}

impl Handover {
    /// Parses `pickup` or `delivery`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pickup" => Some(Self::Pickup),
            "delivery" => Some(Self::Delivery),
            _ => None,
        }
    }
}

/// A search of the market.
#[derive(Clone, Debug, Default)]
pub struct MarketQuery {
    /// Words, matched as word prefixes, ignoring case and accents.
    pub text: String,
    /// A product category, exactly as the shops write it.
    pub category: Option<String>,
    /// Only the shops of this commune of the territory.
    pub commune: Option<i64>,
    /// Only organic products.
    pub organic: bool,
    /// Only products carrying the territory's local label.
    pub local_label: bool,
    /// Only shops open now.
    pub open_now: bool,
    /// Only shops handing orders over this way.
    pub handover: Option<Handover>,
    /// Only shops accepting the local currency.
    pub local_currency: bool,
    /// The point distances are measured from (latitude, longitude).
    pub near: Option<(f64, f64)>,
    /// The order of the results.
    pub sort: MarketSort,
    /// Results skipped.
    pub offset: i64,
    /// Results per page (1 to [`MAX_PAGE`]).
    pub limit: i64,
}

/// A product found in the market, with its shop.
#[derive(Clone, Debug)]
pub struct MarketItem {
    /// The product.
    pub product: Product,
    /// Its shop.
    pub business: Business,
    /// The shop's distance from the search's point, in kilometres.
    pub distance_km: Option<f64>,
}

/// A page of the market.
#[derive(Clone, Debug)]
pub struct MarketPage {
    /// The products.
    pub items: Vec<MarketItem>,
    /// True when another page follows.
    pub has_more: bool,
}

/// Searches every product that can be ordered now (on sale, in stock or unlimited) from the
/// territory's published shops that take orders (click-and-collect or delivery). Refuses a
/// commune of another territory, a category longer than any can be, and a sort by distance
/// without a point to measure from.
pub async fn search_market(db: &Db, territory: &Territory, query: &MarketQuery) -> AppResult<MarketPage> {
    if query.sort == MarketSort::Distance && query.near.is_none() {
        return Err(AppError::invalid("near", "catalog.market.error.near_needed"));
    }
    if query.category.as_ref().is_some_and(|c| c.chars().count() > MAX_CATEGORY_CHARS) {
        return Err(AppError::invalid("category", "directory.error.too_long"));
    }
    if let Some(commune) = query.commune
        && !territory::communes(db, territory.id).await?.iter().any(|c| c.id == commune)
    {
        return Err(AppError::invalid("commune", "catalog.market.error.commune"));
    }
    let mut services = Vec::new();
    match query.handover {
        Some(Handover::Pickup) => services.push(Service::ClickAndCollect),
        Some(Handover::Delivery) => services.push(Service::Delivery),
        None => {}
    }
    if query.local_currency {
        services.push(Service::LocalCurrency);
    }
    let filter = ShopFilter { commune: query.commune, services, open_now: query.open_now };
    let shops = directory::order_takers(db, territory, &filter).await?;
    let distances: HashMap<i64, f64> = match query.near {
        Some(from) => shops
            .iter()
            .filter_map(|b| Some((b.id, directory::distance_km(from, (b.latitude?, b.longitude?)))))
            .collect(),
        None => HashMap::new(),
    };
    let ids: Vec<i64> = shops.iter().map(|b| b.id).collect();
    let mut nearest_first = ids.clone();
    // Shops without a position come last, in id order (the sort is stable).
    nearest_first.sort_by(|a, b| {
        let (a, b) = (distances.get(a).copied(), distances.get(b).copied());
        a.unwrap_or(f64::INFINITY).total_cmp(&b.unwrap_or(f64::INFINITY))
    });
    let order = match query.sort {
        MarketSort::Relevance => MarketOrder::Relevance,
        MarketSort::Price => MarketOrder::Price,
        MarketSort::Distance => MarketOrder::Businesses(&nearest_first),
    };
    let limit = query.limit.clamp(1, MAX_PAGE);
    let search = ProductSearch {
        text: query.text.clone(),
        category: query.category.clone().filter(|c| !c.is_empty()),
        in_stock_only: true,
        organic: query.organic,
        local_label: query.local_label,
        offset: query.offset.max(0),
        limit,
        ..ProductSearch::default()
    };
    let mut products = store::market(db, &ids, &search, order, limit + 1).await?;
    let has_more = products.len() as i64 > limit;
    products.truncate(usize::try_from(limit).unwrap_or(0));
    let by_id: HashMap<i64, &Business> = shops.iter().map(|b| (b.id, b)).collect();
    let items = products
        .into_iter()
        .filter_map(|product| {
            let business = (*by_id.get(&product.business_id)?).clone();
            let distance_km = distances.get(&business.id).copied();
            Some(MarketItem { product, business, distance_km })
        })
        .collect();
    Ok(MarketPage { items, has_more })
}

/// The categories of the products the market offers in a territory, with their counts (for the
/// market's category filter).
pub async fn market_categories(db: &Db, territory: &Territory) -> AppResult<Vec<(String, i64)>> {
    let shops = directory::order_takers(db, territory, &ShopFilter::default()).await?;
    let ids: Vec<i64> = shops.iter().map(|b| b.id).collect();
    let mut categories = store::market_categories(db, &ids).await?;
    // In the order a person expects ("Élevage" among the E), whatever the database's collation.
    categories.sort_by_cached_key(|(name, _)| (directory::fold(name), name.clone()));
    Ok(categories)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_and_handovers_are_read_from_their_api_names() {
        assert_eq!(MarketSort::parse("price"), Some(MarketSort::Price));
        assert_eq!(MarketSort::parse("distance"), Some(MarketSort::Distance));
        assert_eq!(MarketSort::parse("relevance"), Some(MarketSort::Relevance));
        assert_eq!(MarketSort::parse("prix"), None);
        assert_eq!(Handover::parse("pickup"), Some(Handover::Pickup));
        assert_eq!(Handover::parse("delivery"), Some(Handover::Delivery));
        assert_eq!(Handover::parse(""), None);
    }
}
