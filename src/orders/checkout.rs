//! The customer's side of the drive and the order's life: the cart, checkout into one order per
//! business (stock and slot places reserved in one transaction), cancelling, ordering again,
//! and the merchant's status changes with the emails they send.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::ics::{self, PickupEvent};
use super::slots::{Drive, day_span, managed_drive, public_drive};
use super::store::{self, NewOrder};
use super::{MAX_QUANTITY, Order, OrderEvent, OrderLine, OrderStatus, PaymentMode, order_total};
use crate::accounts::{self, User};
use crate::catalog::{self, Product};
use crate::db::{Db, Tx, now};
use crate::directory;
use crate::error::{AppError, AppResult};
use crate::mail::{self, Attachment, Email};
use crate::web::fmt;
use crate::web::i18n::{Lang, Tr};

/// The cart's owner key: a member's account, or a visitor's random token kept in their session.
pub fn cart_owner(user: Option<&User>, visitor: Option<&str>) -> Option<String> {
    match (user, visitor) {
        (Some(user), _) => Some(format!("u:{}", user.id)),
        (None, Some(token)) if !token.is_empty() => Some(format!("v:{token}")),
        _ => None,
    }
}

/// A line of the cart.
#[derive(Clone, Debug)]
pub struct CartLine {
    /// The product as it is now.
    pub product: Product,
    /// Quantity wanted.
    pub quantity: i64,
    /// Quantity × current price.
    pub line_cents: i64,
    /// True when it cannot be ordered in this quantity now (off sale or not enough stock).
    pub is_short: bool,
}

/// The cart's lines of one business.
#[derive(Clone, Debug)]
pub struct CartGroup {
    /// The business.
    pub drive: Drive,
    /// Its lines.
    pub lines: Vec<CartLine>,
    /// Sum of the lines.
    pub subtotal_cents: i64,
}

/// The whole cart, grouped by business.
#[derive(Clone, Debug, Default)]
pub struct Cart {
    /// Groups, in the order the businesses were first added.
    pub groups: Vec<CartGroup>,
    /// Sum of every line.
    pub total_cents: i64,
    /// Number of items.
    pub count: i64,
}

/// The cart of `owner`, with current prices and stock. Products no longer published are left out.
pub async fn cart(db: &Db, owner: &str) -> AppResult<Cart> {
    let items = store::cart(db, owner).await?;
    let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    let products = catalog::products_by_ids(db, &ids).await?;
    let mut cart = Cart::default();
    let mut drives: BTreeMap<i64, Option<Drive>> = BTreeMap::new();
    for (product_id, quantity) in items {
        let Some(product) = products.iter().find(|p| p.id == product_id) else { continue };
        if let std::collections::btree_map::Entry::Vacant(entry) = drives.entry(product.business_id) {
            entry.insert(public_drive(db, product.business_id).await.ok());
        }
        let Some(Some(drive)) = drives.get(&product.business_id) else { continue };
        let line_cents = product.price_cents.saturating_mul(quantity);
        let is_short =
            !product.available || product.stock.is_some_and(|s| s < quantity) || !drive.offers_orders();
        let line = CartLine { product: product.clone(), quantity, line_cents, is_short };
        cart.total_cents = cart.total_cents.saturating_add(line_cents);
        cart.count += quantity;
        match cart.groups.iter_mut().find(|g| g.drive.business.id == product.business_id) {
            Some(group) => {
                group.subtotal_cents = group.subtotal_cents.saturating_add(line_cents);
                group.lines.push(line);
            }
            None => cart.groups.push(CartGroup {
                drive: drive.clone(),
                subtotal_cents: line_cents,
                lines: vec![line],
            }),
        }
    }
    Ok(cart)
}

async fn orderable_product(db: &Db, product_id: i64) -> AppResult<(Product, Drive)> {
    let product = catalog::product_by_id(db, product_id).await?.ok_or(AppError::NotFound)?;
    let drive = public_drive(db, product.business_id).await?;
    if !drive.offers_orders() || !product.available {
        return Err(AppError::Conflict("orders.error.not_orderable"));
    }
    Ok((product, drive))
}

/// The session key of a visitor's cart token (see [`cart_owner`]).
pub const CART_SESSION_KEY: &str = "cart";

/// How many items the carts of these owners hold together (a member's, and what they added as a
/// visitor before signing in), in one query.
pub async fn cart_count(db: &Db, owners: &[String]) -> AppResult<i64> {
    store::cart_count(db, owners).await
}

/// Adds units of a product to a cart (up to the quantity limit).
pub async fn add_to_cart(db: &Db, owner: &str, product_id: i64, quantity: i64) -> AppResult<Product> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(AppError::invalid("quantity", "orders.error.quantity"));
    }
    let (product, _) = orderable_product(db, product_id).await?;
    store::add_to_cart(db, owner, product_id, quantity, MAX_QUANTITY).await?;
    Ok(product)
}

/// Sets a product's quantity in a cart; 0 removes it.
pub async fn set_cart_quantity(db: &Db, owner: &str, product_id: i64, quantity: i64) -> AppResult<()> {
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return Err(AppError::invalid("quantity", "orders.error.quantity"));
    }
    if quantity > 0 {
        orderable_product(db, product_id).await?;
    }
    store::set_cart_quantity(db, owner, product_id, quantity).await
}

/// Moves what a visitor put in their cart into the member's cart once they sign in.
pub async fn adopt_visitor_cart(db: &Db, visitor: &str, user: &User) -> AppResult<()> {
    let (Some(from), Some(to)) = (cart_owner(None, Some(visitor)), cart_owner(Some(user), None)) else {
        return Ok(());
    };
    store::merge_carts(db, &from, &to, MAX_QUANTITY).await
}

/// One business's part of a checkout.
#[derive(Clone, Debug)]
pub struct OrderRequest {
    /// Business.
    pub business_id: i64,
    /// Chosen slot (pickup or delivery).
    pub slot_id: i64,
    /// Products and quantities.
    pub items: Vec<(i64, i64)>,
    /// How it is paid.
    pub payment: PaymentMode,
    /// Delivery address (delivery slots).
    pub delivery_address: String,
    /// Delivery commune (delivery slots, when the business lists the communes it serves).
    pub delivery_commune_id: Option<i64>,
    /// Note for the merchant.
    pub note: String,
}

/// A request checked before the transaction, with the business's drive.
struct Checked {
    request: OrderRequest,
    drive: Drive,
    items: Vec<(i64, i64)>,
}

fn merged_items(items: &[(i64, i64)]) -> AppResult<Vec<(i64, i64)>> {
    let mut merged: BTreeMap<i64, i64> = BTreeMap::new();
    for (product_id, quantity) in items {
        if !(1..=MAX_QUANTITY).contains(quantity) {
            return Err(AppError::invalid("quantity", "orders.error.quantity"));
        }
        let total = merged.entry(*product_id).or_insert(0);
        *total += quantity;
        if *total > MAX_QUANTITY {
            return Err(AppError::invalid("quantity", "orders.error.quantity"));
        }
    }
    if merged.is_empty() {
        return Err(AppError::invalid("items", "orders.error.empty"));
    }
    Ok(merged.into_iter().collect())
}

/// Places one order per business, all or nothing: every product's stock and every slot's place
/// is taken by a conditional update in one transaction (products in id order, then slots, so
/// concurrent checkouts cannot deadlock). A retry with the same `key` returns the same orders.
pub async fn place_orders(
    db: &Db,
    base_url: &str,
    customer: &User,
    requests: &[OrderRequest],
    key: Option<&str>,
    cart: Option<&str>,
) -> AppResult<Vec<Order>> {
    if requests.is_empty() {
        return Err(AppError::invalid("items", "orders.error.empty"));
    }
    let keys: Vec<Option<String>> = (0..requests.len())
        .map(|index| {
            key.map(|k| format!("{}:{}:{index}", customer.id, k.chars().take(100).collect::<String>()))
        })
        .collect();
    let hashes: Vec<String> = requests.iter().map(request_hash).collect();
    if keys.first().is_some_and(Option::is_some)
        && let Some(existing) = already_placed(db, &keys, &hashes).await?
    {
        return Ok(existing);
    }
    let mut checked: Vec<Checked> = Vec::new();
    for request in requests {
        if checked.iter().any(|c| c.request.business_id == request.business_id) {
            return Err(AppError::invalid("business_id", "orders.error.duplicate_business"));
        }
        let drive = public_drive(db, request.business_id).await?;
        if !drive.offers_orders() {
            return Err(AppError::Conflict("orders.error.not_orderable"));
        }
        checked.push(Checked { request: request.clone(), items: merged_items(&request.items)?, drive });
    }
    let (base_url, buyer) = (base_url.to_owned(), customer.clone());
    let tx_keys: Vec<(Option<String>, String)> = keys.iter().cloned().zip(hashes.iter().cloned()).collect();
    let cart = cart.map(str::to_owned);
    let placed = db
        .write(move |tx| {
            Box::pin(async move {
                let orders = reserve_and_insert(tx, &base_url, &buyer, &checked, &tx_keys).await?;
                if let Some(cart) = cart {
                    let products: Vec<i64> =
                        checked.iter().flat_map(|c| c.items.iter().map(|(id, _)| *id)).collect();
                    store::remove_from_cart(tx, &cart, &products).await?;
                }
                Ok(orders)
            })
        })
        .await;
    match placed {
        Err(AppError::Conflict("orders.error.duplicate")) => {
            already_placed(db, &keys, &hashes).await?.ok_or(AppError::Conflict("orders.error.duplicate"))
        }
        placed => placed,
    }
}

/// The orders placed before with these keys, when the first was used (`None` otherwise): the
/// same request sent again gets them back; another request under a used key is refused (`409`),
/// since answering with the first order would hide that the second was never placed. One query
/// per key.
async fn already_placed(
    db: &Db,
    keys: &[Option<String>],
    hashes: &[String],
) -> AppResult<Option<Vec<Order>>> {
    let mut orders = Vec::new();
    for (key, hash) in keys.iter().zip(hashes) {
        let Some(key) = key else { continue };
        // All the orders of a request are placed together: a later key left unused, or a key
        // used with another request, means this is not the request sent before.
        match store::order_by_key(db, key).await? {
            None if orders.is_empty() => return Ok(None),
            Some(found) if found.request_hash.as_ref().is_none_or(|stored| stored == hash) => {
                orders.push(found.order);
            }
            _ => return Err(AppError::Conflict("orders.error.key_reused")),
        }
    }
    Ok(Some(orders))
}

/// A fingerprint of what an order request asks (business, slot, items merged, payment, address,
/// note), kept with its idempotency key.
fn request_hash(request: &OrderRequest) -> String {
    use sha2::{Digest, Sha256};
    let items = merged_items(&request.items).unwrap_or_else(|_| request.items.clone());
    let text = format!(
        "{}|{}|{:?}|{}|{}|{:?}|{}",
        request.business_id,
        request.slot_id,
        items,
        request.payment.as_str(),
        request.delivery_address.trim(),
        request.delivery_commune_id,
        request.note.trim(),
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Takes the stock and the slot places of `checked` and writes its orders, in `tx`.
async fn reserve_and_insert(
    tx: &mut Tx,
    base_url: &str,
    customer: &User,
    checked: &[Checked],
    keys: &[(Option<String>, String)],
) -> AppResult<Vec<Order>> {
    let now = now();
    // Pauses committed before this transaction are seen here.
    for c in checked {
        if store::settings(&mut *tx, c.drive.business.id).await?.is_some_and(|s| s.is_paused) {
            return Err(AppError::Conflict("orders.error.paused"));
        }
    }
    let mut all_items: Vec<(i64, i64, i64)> = checked
        .iter()
        .flat_map(|c| c.items.iter().map(|(product, quantity)| (*product, *quantity, c.drive.business.id)))
        .collect();
    all_items.sort_unstable();
    // Products in id order. Counted stock is taken with a conditional update; unlimited stock
    // is only read, so that orders for the same bread do not queue on its row.
    let mut products = BTreeMap::new();
    for (product_id, quantity, business_id) in &all_items {
        let product = catalog::product_by_id(&mut *tx, *product_id)
            .await?
            .filter(|p| p.business_id == *business_id && p.available)
            .ok_or(AppError::Conflict("orders.error.unavailable"))?;
        if product.stock.is_some() && !catalog::take_stock(tx, *product_id, *quantity).await? {
            return Err(AppError::Conflict("orders.error.unavailable"));
        }
        products.insert(*product_id, product);
    }
    let mut slots = Vec::new();
    let mut by_slot: Vec<&Checked> = checked.iter().collect();
    by_slot.sort_by_key(|c| c.request.slot_id);
    for c in by_slot {
        // The place is taken first (one statement); any check below that fails rolls it back.
        let reserved = store::reserve_place(tx, c.request.slot_id).await?;
        let slot = match &reserved {
            Some(slot) => slot.clone(),
            None => store::slot(&mut *tx, c.request.slot_id)
                .await?
                .ok_or(AppError::Conflict("orders.error.slot_unknown"))?,
        };
        if slot.business_id != c.drive.business.id {
            return Err(AppError::Conflict("orders.error.slot_unknown"));
        }
        let offered = match slot.fulfilment() {
            super::Fulfilment::Pickup => c.drive.business.click_and_collect,
            super::Fulfilment::Delivery => c.drive.business.delivery,
        };
        if !offered {
            return Err(AppError::Conflict("orders.error.slot_unknown"));
        }
        if now > c.drive.settings.deadline().for_slot(slot.starts_at, &c.drive.tz()) {
            return Err(AppError::Conflict("orders.error.too_late"));
        }
        if reserved.is_none() {
            return Err(AppError::Conflict("orders.error.slot_full"));
        }
        slots.push((c.request.business_id, slot));
    }
    let mut orders = Vec::new();
    for (index, c) in checked.iter().enumerate() {
        let Some((_, slot)) = slots.iter().find(|(b, _)| *b == c.request.business_id) else {
            return Err(AppError::Conflict("orders.error.slot_unknown"));
        };
        let mut lines = Vec::new();
        for (product_id, quantity) in &c.items {
            let product = products.get(product_id).ok_or(AppError::Conflict("orders.error.unavailable"))?;
            lines.push(OrderLine {
                id: 0,
                order_id: 0,
                product_id: Some(product.id),
                reference: product.reference.clone(),
                name: product.name.clone(),
                unit: product.unit.clone(),
                quantity: *quantity,
                unit_price_cents: product.price_cents,
                line_cents: product
                    .price_cents
                    .checked_mul(*quantity)
                    .ok_or(AppError::invalid("quantity", "orders.error.quantity"))?,
                sold_by_weight: product.sold_by_weight,
                weighed_cents: None,
            });
        }
        let is_delivery = slot.fulfilment() == super::Fulfilment::Delivery;
        let fee = if is_delivery { c.drive.settings.delivery_fee_cents } else { 0 };
        let pairs: Vec<(i64, i64)> = lines.iter().map(|l| (l.quantity, l.unit_price_cents)).collect();
        let (subtotal, total) =
            order_total(&pairs, fee).ok_or(AppError::invalid("quantity", "orders.error.quantity"))?;
        let (point_name, address) = if is_delivery {
            check_delivery(c, subtotal)?;
            (String::new(), c.request.delivery_address.trim().to_owned())
        } else {
            let point = store::point_label(&mut *tx, slot.pickup_point_id).await?;
            (point, String::new())
        };
        let note: String = c.request.note.trim().chars().take(500).collect();
        let new = NewOrder {
            territory_id: c.drive.territory.id,
            business_id: c.drive.business.id,
            customer_id: customer.id,
            customer_name: &customer.display_name,
            customer_key: &directory::fold(&customer.display_name),
            fulfilment: slot.fulfilment().as_str(),
            slot,
            pickup_point_name: &point_name,
            delivery_address: &address,
            delivery_commune_id: if is_delivery { c.request.delivery_commune_id } else { None },
            payment: c.request.payment.as_str(),
            subtotal_cents: subtotal,
            delivery_fee_cents: fee,
            total_cents: total,
            note: &note,
            idempotency_key: keys.get(index).and_then(|(k, _)| k.as_deref()),
            request_hash: keys.get(index).and_then(|(k, hash)| k.as_ref().map(|_| hash.as_str())),
        };
        let Some(order) = store::insert_order(tx, &new).await? else {
            return Err(AppError::Conflict("orders.error.duplicate"));
        };
        let order_id = order.id;
        for line in &lines {
            store::insert_line(tx, order_id, line).await?;
        }
        store::insert_event(tx, order_id, OrderStatus::New.as_str(), customer.id, "").await?;
        if c.request.payment == PaymentMode::LocalCurrency {
            // Products sold by weight get their price when weighed: they are paid on pickup.
            if lines.iter().any(|l| l.sold_by_weight) {
                return Err(AppError::invalid("payment", "orders.error.weighed_online"));
            }
            // Committed with the order, or not at all.
            crate::ledger::pay_order_in_tx(
                tx,
                c.drive.territory.id,
                customer.id,
                c.drive.business.id,
                total,
                &order_id.to_string(),
            )
            .await?;
        }
        mail::enqueue(tx, &order_email(base_url, customer, &c.drive, &order, &lines, OrderStatus::New))
            .await?;
        super::notices::tell_shop(tx, base_url, &c.drive, &order, &lines, OrderStatus::New).await?;
        orders.push(order);
    }
    Ok(orders)
}

fn check_delivery(c: &Checked, subtotal: i64) -> AppResult<()> {
    let settings = &c.drive.settings;
    let address = c.request.delivery_address.trim();
    if address.is_empty() || address.chars().count() > 300 {
        return Err(AppError::invalid("delivery_address", "orders.error.delivery_address"));
    }
    let served = settings.delivery_commune_ids();
    if !served.is_empty() && !c.request.delivery_commune_id.is_some_and(|id| served.contains(&id)) {
        return Err(AppError::invalid("delivery_commune_id", "orders.error.delivery_commune"));
    }
    if subtotal < settings.delivery_minimum_cents {
        return Err(AppError::Conflict("orders.error.delivery_minimum"));
    }
    Ok(())
}

/// "mardi 17 mars, 9 h 30 – 10 h" in the territory's time zone.
pub fn slot_text(starts_at: i64, ends_at: i64, tz: &jiff::tz::TimeZone, lang: Lang) -> String {
    let (Ok(start), Ok(end)) =
        (jiff::Timestamp::from_second(starts_at), jiff::Timestamp::from_second(ends_at))
    else {
        return String::new();
    };
    let (start, end) = (start.to_zoned(tz.clone()), end.to_zoned(tz.clone()));
    format!(
        "{}, {} – {}",
        fmt::day(start.date(), lang),
        fmt::time(start.time(), lang),
        fmt::time(end.time(), lang)
    )
}

/// "9 h 30 – 10 h" in the territory's time zone.
pub fn time_range(starts_at: i64, ends_at: i64, tz: &jiff::tz::TimeZone, lang: Lang) -> String {
    let (Ok(start), Ok(end)) =
        (jiff::Timestamp::from_second(starts_at), jiff::Timestamp::from_second(ends_at))
    else {
        return String::new();
    };
    format!(
        "{} – {}",
        fmt::time(start.to_zoned(tz.clone()).time(), lang),
        fmt::time(end.to_zoned(tz.clone()).time(), lang)
    )
}

pub(super) fn lines_text(lines: &[OrderLine], lang: Lang) -> String {
    lines
        .iter()
        .map(|l| format!("{} × {} — {}", l.quantity, l.name, fmt::price(l.line_cents, lang)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The email a customer gets when an order is placed (with the .ics) or changes status.
fn order_email(
    base_url: &str,
    customer: &User,
    drive: &Drive,
    order: &Order,
    lines: &[OrderLine],
    status: OrderStatus,
) -> Email {
    let lang = customer.lang();
    let t = Tr::new(lang);
    let tz = drive.tz();
    let number = order.id.to_string();
    let slot = slot_text(order.starts_at, order.ends_at, &tz, lang);
    let place =
        if order.is_delivery() { order.delivery_address.clone() } else { order.pickup_point_name.clone() };
    let link = format!("{base_url}/mes-commandes/{}", order.id);
    let total = fmt::price(order.total_cents, lang);
    let detail = lines_text(lines, lang);
    let paid = t.get(if order.payment == PaymentMode::LocalCurrency.as_str() {
        "orders.paid.local_currency"
    } else {
        "orders.paid.on_pickup"
    });
    let args = [
        ("name", customer.display_name.as_str()),
        ("business", drive.business.name.as_str()),
        ("number", number.as_str()),
        ("slot", slot.as_str()),
        ("place", place.as_str()),
        ("lines", detail.as_str()),
        ("total", total.as_str()),
        ("link", link.as_str()),
        ("paid", paid),
    ];
    let (subject, body) = match status {
        OrderStatus::New if order.is_delivery() => {
            ("mail.orders.placed_delivery.subject", "mail.orders.placed_delivery.body")
        }
        OrderStatus::New => ("mail.orders.placed.subject", "mail.orders.placed.body"),
        OrderStatus::Accepted => ("mail.orders.accepted.subject", "mail.orders.accepted.body"),
        OrderStatus::Ready if order.is_delivery() => {
            ("mail.orders.on_the_way.subject", "mail.orders.on_the_way.body")
        }
        OrderStatus::Ready => ("mail.orders.ready.subject", "mail.orders.ready.body"),
        _ => ("mail.orders.cancelled.subject", "mail.orders.cancelled.body"),
    };
    let mut email = Email::new(&customer.email, &t.fill(subject, &args), t.fill(body, &args));
    if matches!(status, OrderStatus::New | OrderStatus::Cancelled) {
        email.attachments.push(calendar_attachment(base_url, drive, order, lines, lang));
    }
    email
}

/// The .ics file of an order's slot.
pub fn calendar_attachment(
    base_url: &str,
    drive: &Drive,
    order: &Order,
    lines: &[OrderLine],
    lang: Lang,
) -> Attachment {
    let t = Tr::new(lang);
    let number = order.id.to_string();
    let summary_key = if order.is_delivery() { "orders.ics.delivery" } else { "orders.ics.pickup" };
    let mut summary = t.fill(summary_key, &[("number", &number), ("business", &drive.business.name)]);
    let cancelled = order.status() == OrderStatus::Cancelled;
    if cancelled {
        summary = t.fill("orders.ics.cancelled", &[("summary", &summary)]);
    }
    let location =
        if order.is_delivery() { order.delivery_address.clone() } else { order.pickup_point_name.clone() };
    let description = format!("{}\n{}", lines_text(lines, lang), fmt::price(order.total_cents, lang));
    let host = base_url.split("://").nth(1).unwrap_or(base_url).split('/').next().unwrap_or("halle");
    let content = ics::calendar(&PickupEvent {
        uid: format!("order-{}@{host}", order.id),
        summary: &summary,
        location: &location,
        description: &description,
        starts_at: order.starts_at,
        ends_at: order.ends_at,
        stamp: if cancelled { order.updated_at } else { order.created_at },
        cancelled,
    });
    Attachment {
        filename: format!("commande-{}.ics", order.id),
        content_type: "text/calendar; charset=utf-8".to_owned(),
        content,
    }
}

/// An order with everything its page shows.
#[derive(Clone, Debug)]
pub struct OrderDetail {
    /// The order.
    pub order: Order,
    /// Its lines.
    pub lines: Vec<OrderLine>,
    /// Its history.
    pub events: Vec<OrderEvent>,
    /// Its business.
    pub drive: Drive,
    /// True when the viewer manages the business.
    pub is_merchant: bool,
    /// True when the viewer placed the order.
    pub is_customer: bool,
    /// True when the viewer is the customer and may still cancel.
    pub can_cancel: bool,
}

/// An order as its customer or the business's managers see it (anyone else: not found).
pub async fn order_detail(db: &Db, viewer: &User, order_id: i64) -> AppResult<OrderDetail> {
    let order = store::order(db, order_id).await?.ok_or(AppError::NotFound)?;
    let is_customer = order.customer_id == Some(viewer.id);
    let (drive, is_merchant) = match managed_drive(db, viewer, order.business_id).await {
        Ok(drive) => (drive, true),
        Err(AppError::Forbidden | AppError::NotFound) if is_customer => {
            let business =
                directory::business_by_id(db, order.business_id).await?.ok_or(AppError::NotFound)?;
            (super::slots::load(db, business).await?, false)
        }
        Err(AppError::Forbidden | AppError::NotFound) => return Err(AppError::NotFound),
        Err(err) => return Err(err),
    };
    let lines = store::lines(db, &[order.id]).await?;
    let events = store::events(db, order.id).await?;
    let can_cancel = is_customer
        && order.status().customer_may_cancel()
        && now() <= drive.settings.deadline().for_slot(order.starts_at, &drive.tz());
    Ok(OrderDetail { order, lines, events, drive, is_merchant, is_customer, can_cancel })
}

/// One of a customer's orders in their list.
#[derive(Clone, Debug)]
pub struct MyOrder {
    /// The order.
    pub order: Order,
    /// Its business's name.
    pub business_name: String,
    /// Its territory's time zone.
    pub tz: jiff::tz::TimeZone,
}

/// An order with its lines, for the member's data export.
#[derive(Debug, serde::Serialize)]
pub struct OrderExport {
    /// The order.
    #[serde(flatten)]
    pub order: Order,
    /// Its lines.
    pub lines: Vec<OrderLine>,
}

/// Every order `customer` placed, newest first, with its lines (two queries).
pub async fn export_for(db: &Db, customer: &User) -> AppResult<Vec<OrderExport>> {
    let orders = store::orders_of_customer(db, customer.id, i64::from(u32::MAX)).await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let mut lines: BTreeMap<i64, Vec<OrderLine>> = BTreeMap::new();
    for line in store::lines(db, &ids).await? {
        lines.entry(line.order_id).or_default().push(line);
    }
    Ok(orders
        .into_iter()
        .map(|order| OrderExport { lines: lines.remove(&order.id).unwrap_or_default(), order })
        .collect())
}

/// A customer's orders, newest first, with their business names (one query per business).
pub async fn my_orders(db: &Db, customer: &User) -> AppResult<Vec<MyOrder>> {
    let orders = store::orders_of_customer(db, customer.id, 200).await?;
    let mut known: BTreeMap<i64, (String, jiff::tz::TimeZone)> = BTreeMap::new();
    for order in &orders {
        if let std::collections::btree_map::Entry::Vacant(entry) = known.entry(order.business_id) {
            let name =
                directory::business_by_id(db, order.business_id).await?.map(|b| b.name).unwrap_or_default();
            let tz = crate::territory::by_id(db, order.territory_id)
                .await?
                .map_or(jiff::tz::TimeZone::UTC, |t| t.tz());
            entry.insert((name, tz));
        }
    }
    Ok(orders
        .into_iter()
        .map(|order| {
            let (business_name, tz) =
                known.get(&order.business_id).cloned().unwrap_or((String::new(), jiff::tz::TimeZone::UTC));
            MyOrder { order, business_name, tz }
        })
        .collect())
}

/// Cancels an order for its customer, before the deadline and before preparation: its stock and
/// slot place are given back.
pub async fn cancel_by_customer(db: &Db, base_url: &str, customer: &User, order_id: i64) -> AppResult<Order> {
    let detail = order_detail(db, customer, order_id).await?;
    if detail.order.customer_id != Some(customer.id) {
        return Err(AppError::NotFound);
    }
    if !detail.order.status().customer_may_cancel() {
        return Err(AppError::Conflict("orders.error.cannot_cancel"));
    }
    if !detail.can_cancel {
        return Err(AppError::Conflict("orders.error.too_late_to_cancel"));
    }
    move_order(db, base_url, customer, &detail, OrderStatus::Cancelled, &[], "customer").await
}

/// Moves an order along its workflow (the business's managers); weighed prices may be given for
/// lines sold by weight. Cancelling gives stock and place back. The customer is told by email
/// when the order is accepted, ready or cancelled.
pub async fn change_status(
    db: &Db,
    base_url: &str,
    actor: &User,
    order_id: i64,
    to: OrderStatus,
    weighed: &[(i64, i64)],
) -> AppResult<Order> {
    let detail = order_detail(db, actor, order_id).await?;
    if !detail.is_merchant {
        return Err(AppError::Forbidden);
    }
    if !detail.order.status().merchant_may_move_to(to) {
        return Err(AppError::Conflict("orders.error.transition"));
    }
    for (line_id, cents) in weighed {
        if !(0..=10_000_000).contains(cents)
            || !detail.lines.iter().any(|l| l.id == *line_id && l.sold_by_weight)
        {
            return Err(AppError::invalid("weighed", "orders.error.weighed"));
        }
    }
    move_order(db, base_url, actor, &detail, to, weighed, "merchant").await
}

async fn move_order(
    db: &Db,
    base_url: &str,
    actor: &User,
    detail: &OrderDetail,
    to: OrderStatus,
    weighed: &[(i64, i64)],
    reason: &str,
) -> AppResult<Order> {
    let order = &detail.order;
    let mut tx = db.begin().await?;
    if !store::set_status(&mut tx, order.id, &order.status, to.as_str()).await? {
        return Err(AppError::Conflict("orders.error.changed"));
    }
    if !weighed.is_empty() {
        for (line_id, cents) in weighed {
            store::set_weighed(&mut tx, order.id, *line_id, *cents).await?;
        }
        let lines = store::lines(&mut tx, &[order.id]).await?;
        let subtotal = lines.iter().try_fold(0_i64, |sum, l| sum.checked_add(l.line_cents));
        let subtotal = subtotal.ok_or(AppError::invalid("weighed", "orders.error.weighed"))?;
        store::set_totals(&mut tx, order.id, subtotal, subtotal + order.delivery_fee_cents).await?;
    }
    if to == OrderStatus::Cancelled {
        for line in &detail.lines {
            if let Some(product_id) = line.product_id {
                catalog::give_back_stock(&mut tx, product_id, line.quantity).await?;
            }
        }
        store::release_place(&mut tx, order.slot_id).await?;
        if order.payment == PaymentMode::LocalCurrency.as_str() {
            crate::ledger::refund_order_in_tx(&mut tx, &order.id.to_string()).await?;
        }
    }
    store::insert_event(&mut tx, order.id, to.as_str(), actor.id, reason).await?;
    let updated = store::order(&mut tx, order.id).await?.ok_or(AppError::NotFound)?;
    if to == OrderStatus::Cancelled && reason == "customer" {
        super::notices::tell_shop(&mut tx, base_url, &detail.drive, &updated, &detail.lines, to).await?;
    }
    if to.notifies_customer()
        && let Some(customer_id) = order.customer_id
        && let Some(customer) = accounts::user_by_id(&mut tx, customer_id).await?
    {
        let lines = store::lines(&mut tx, &[order.id]).await?;
        mail::enqueue(&mut tx, &order_email(base_url, &customer, &detail.drive, &updated, &lines, to))
            .await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// Puts an earlier order's products back in the cart (those still on sale); returns how many.
pub async fn order_again(db: &Db, customer: &User, order_id: i64) -> AppResult<usize> {
    let detail = order_detail(db, customer, order_id).await?;
    if detail.order.customer_id != Some(customer.id) {
        return Err(AppError::NotFound);
    }
    let owner = cart_owner(Some(customer), None).unwrap_or_default();
    let mut added = 0;
    for line in &detail.lines {
        let Some(product_id) = line.product_id else { continue };
        if add_to_cart(db, &owner, product_id, line.quantity).await.is_ok() {
            added += 1;
        }
    }
    Ok(added)
}

/// A business's orders whose slot is on `day`, or matching a search (number or customer name)
/// at any date, with their lines (two queries).
pub async fn business_orders(
    db: &Db,
    actor: &User,
    business_id: i64,
    day: Date,
    search: &str,
) -> AppResult<(Drive, Vec<(Order, Vec<OrderLine>)>)> {
    let drive = managed_drive(db, actor, business_id).await?;
    let span = day_span(day, day, &drive.tz());
    let search = search.trim();
    let query = if search.is_empty() {
        None
    } else {
        let digits = search.trim_start_matches(['n', '°', 'N', '#', ' ']);
        Some((digits.parse::<i64>().ok(), directory::fold(search)))
    };
    let orders =
        store::orders_of_business(db, business_id, span, query.as_ref().map(|(n, f)| (*n, f.as_str())))
            .await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let mut lines = store::lines(db, &ids).await?;
    let with_lines = orders
        .into_iter()
        .map(|order| {
            let (mine, rest): (Vec<_>, Vec<_>) = lines.drain(..).partition(|l| l.order_id == order.id);
            lines = rest;
            (order, mine)
        })
        .collect();
    Ok((drive, with_lines))
}

/// Quantities to prepare per product on `day`: (reference, name, unit, quantity, amount).
pub async fn day_totals(
    db: &Db,
    actor: &User,
    business_id: i64,
    day: Date,
) -> AppResult<Vec<(String, String, String, i64, i64)>> {
    let drive = managed_drive(db, actor, business_id).await?;
    store::product_totals(db, business_id, day_span(day, day, &drive.tz())).await
}

/// Orders and revenue per week over the last `weeks` weeks (Monday of the week, orders,
/// cents), cancelled orders and no-shows left out.
pub async fn weekly_figures(
    db: &Db,
    actor: &User,
    business_id: i64,
    weeks: i64,
) -> AppResult<Vec<(Date, i64, i64)>> {
    use jiff::ToSpan;
    let drive = managed_drive(db, actor, business_id).await?;
    let tz = drive.tz();
    let today = super::slots::today(&tz);
    let this_monday =
        today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days()).unwrap_or(today);
    let first_monday = this_monday.checked_sub((7 * (weeks.clamp(1, 52) - 1)).days()).unwrap_or(this_monday);
    let mut figures: Vec<(Date, i64, i64)> = Vec::new();
    let mut monday = first_monday;
    while monday <= this_monday {
        figures.push((monday, 0, 0));
        monday = monday.checked_add(7.days()).unwrap_or(this_monday.tomorrow().unwrap_or(this_monday));
    }
    let (from, _) = day_span(first_monday, first_monday, &tz);
    for (created_at, status, total) in store::order_figures(db, business_id, from).await? {
        if matches!(OrderStatus::parse(&status), Some(OrderStatus::Cancelled | OrderStatus::NoShow)) {
            continue;
        }
        let Some(day) = super::schedule::local_day(created_at, &tz) else { continue };
        let week_monday =
            day.checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days()).unwrap_or(day);
        if let Some(entry) = figures.iter_mut().find(|(m, _, _)| *m == week_monday) {
            entry.1 += 1;
            entry.2 = entry.2.saturating_add(total);
        }
    }
    Ok(figures)
}
