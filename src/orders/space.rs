//! "Mon espace", a merchant's home: for each of their shops, the orders waiting to be accepted
//! (newest first), the orders of today and the coming days, and how full the slots are.

use jiff::ToSpan;
use jiff::civil::Date;

use super::schedule::local_day;
use super::slots::{Drive, day_span, ensure_slots, load, today};
use super::store;
use super::{Order, OrderStatus};
use crate::accounts::User;
use crate::db::Db;
use crate::directory;
use crate::error::AppResult;

/// Days shown, from today.
const DAYS: i64 = 7;

/// One of the merchant's shops on their home page.
pub struct ShopSpace {
    /// The shop and its drive settings.
    pub drive: Drive,
    /// It takes orders (click-and-collect or delivery).
    pub takes_orders: bool,
    /// Orders not yet accepted, newest first.
    pub waiting: Vec<Order>,
    /// Today and each of the next six days that has orders: (day, orders, of which new).
    pub days: Vec<(Date, usize, usize)>,
    /// Places taken and offered in the slots of these seven days.
    pub fill: (i64, i64),
}

/// The shops `user` owns, each with what is to do (three queries a shop that takes orders).
pub async fn merchant_space(db: &Db, user: &User) -> AppResult<Vec<ShopSpace>> {
    let mut shops = Vec::new();
    for business in directory::listings_owned_by(db, user.id).await? {
        let drive = load(db, business).await?;
        let takes_orders = drive.offers_orders();
        if !takes_orders {
            shops.push(ShopSpace {
                drive,
                takes_orders,
                waiting: Vec::new(),
                days: Vec::new(),
                fill: (0, 0),
            });
            continue;
        }
        let tz = drive.tz();
        let first = today(&tz);
        let last = first.checked_add((DAYS - 1).days()).unwrap_or(first);
        let span = day_span(first, last, &tz);
        let orders: Vec<Order> = store::orders_of_business(db, drive.business.id, span, None)
            .await?
            .into_iter()
            .filter(|o| !matches!(o.status(), OrderStatus::Cancelled | OrderStatus::NoShow))
            .collect();
        let mut waiting: Vec<Order> =
            orders.iter().filter(|o| o.status() == OrderStatus::New).cloned().collect();
        waiting.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let mut days: Vec<(Date, usize, usize)> = Vec::new();
        for order in &orders {
            let Some(day) = local_day(order.starts_at, &tz) else { continue };
            let is_new = usize::from(order.status() == OrderStatus::New);
            match days.iter_mut().find(|(d, _, _)| *d == day) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 += is_new;
                }
                None => days.push((day, 1, is_new)),
            }
        }
        days.sort_by_key(|(day, _, _)| *day);
        ensure_slots(db, &drive).await?;
        let slots = store::slots_between(db, drive.business.id, span.0, span.1).await?;
        let fill =
            slots.iter().fold((0, 0), |(taken, offered), s| (taken + s.reserved, offered + s.capacity));
        shops.push(ShopSpace { drive, takes_orders, waiting, days, fill });
    }
    Ok(shops)
}
