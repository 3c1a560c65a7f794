//! Which listings take orders, for the market: the published ones with click-and-collect or
//! delivery, narrowed by commune, service and opening hours.

use super::{Business, Service, store};
use crate::db::Db;
use crate::error::AppResult;
use crate::territory::Territory;

/// What narrows the shops whose products the market shows.
#[derive(Clone, Debug, Default)]
pub struct ShopFilter {
    /// Only the listings of this commune.
    pub commune: Option<i64>,
    /// Services they must all offer.
    pub services: Vec<Service>,
    /// Only what is open now (status not closed and opening hours, when given, saying open).
    pub open_now: bool,
}

/// The published listings of a territory that take orders (click-and-collect or delivery),
/// as `filter` narrows them; opening hours are read in the territory's time zone.
pub async fn order_takers(db: &Db, territory: &Territory, filter: &ShopFilter) -> AppResult<Vec<Business>> {
    let shops = store::order_takers(db, territory.id, filter.commune, &filter.services).await?;
    if !filter.open_now {
        return Ok(shops);
    }
    let (now, zone) = (jiff::Timestamp::now(), territory.tz());
    Ok(shops.into_iter().filter(|shop| shop.is_open_at(now, &zone)).collect())
}
