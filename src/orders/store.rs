//! All of the drive's SQL: settings, pickup points, slot templates, closures and slots, carts,
//! orders with their lines and history. Places are reserved by conditional updates.

use super::schedule::PlannedSlot;
use super::{Order, OrderEvent, OrderLine, PickupPoint, Settings, Slot, SlotTemplate};
use crate::db::{Db, Exec, Tx, now};
use crate::error::AppResult;
use crate::{on_db, on_exec, on_tx};

const SETTINGS: &str = "business_id, is_paused, cutoff_days, cutoff_minute, lead_minutes, days_ahead, \
    payment_methods, delivery_fee_cents, delivery_minimum_cents, delivery_communes";
const SLOT: &str = "id, business_id, pickup_point_id, starts_at, ends_at, capacity, reserved";
const ORDER: &str = "id, territory_id, business_id, customer_id, customer_name, status, fulfilment, slot_id, \
    starts_at, ends_at, pickup_point_name, delivery_address, payment, subtotal_cents, delivery_fee_cents, \
    total_cents, note, created_at, updated_at";
const LINE: &str = "id, order_id, product_id, reference, name, unit, quantity, unit_price_cents, line_cents, \
    sold_by_weight, weighed_cents";

/// Integers joined for an `in (...)` list (formatted here, never request text).
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

// --- settings ---

/// A business's settings (sees a pause committed just before).
pub async fn settings(ex: impl Into<Exec<'_>>, business_id: i64) -> AppResult<Option<Settings>> {
    let sql = format!("select {SETTINGS} from order_settings where business_id = $1");
    Ok(
        on_exec!(ex.into(), conn => sqlx::query_as::<_, Settings>(&sql).bind(business_id).fetch_optional(conn).await)?,
    )
}

/// Saves a business's settings.
pub async fn save_settings(db: &Db, s: &Settings) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into order_settings (business_id, is_paused, cutoff_days, cutoff_minute, lead_minutes, days_ahead,
            payment_methods, delivery_fee_cents, delivery_minimum_cents, delivery_communes, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (business_id) do update set is_paused = excluded.is_paused, cutoff_days = excluded.cutoff_days,
            cutoff_minute = excluded.cutoff_minute, lead_minutes = excluded.lead_minutes,
            days_ahead = excluded.days_ahead, payment_methods = excluded.payment_methods,
            delivery_fee_cents = excluded.delivery_fee_cents,
            delivery_minimum_cents = excluded.delivery_minimum_cents,
            delivery_communes = excluded.delivery_communes, slots_through = '', updated_at = excluded.updated_at")
        .bind(s.business_id).bind(s.is_paused).bind(s.cutoff_days).bind(s.cutoff_minute).bind(s.lead_minutes)
        .bind(s.days_ahead).bind(&s.payment_methods).bind(s.delivery_fee_cents).bind(s.delivery_minimum_cents)
        .bind(&s.delivery_communes).bind(now())
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pauses or resumes new orders (creating default settings when none exist).
pub async fn set_paused(db: &Db, business_id: i64, paused: bool) -> AppResult<()> {
    let defaults = Settings::default_for(business_id);
    on_db!(db, pool => sqlx::query(
        "insert into order_settings (business_id, is_paused, cutoff_minute, lead_minutes, days_ahead,
            payment_methods, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (business_id) do update set is_paused = excluded.is_paused, updated_at = excluded.updated_at")
        .bind(business_id).bind(paused).bind(defaults.cutoff_minute).bind(defaults.lead_minutes)
        .bind(defaults.days_ahead).bind(&defaults.payment_methods).bind(now())
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The last day (`YYYY-MM-DD`) up to which slots were made from the templates ('' if never).
pub async fn slots_through(db: &Db, business_id: i64) -> AppResult<String> {
    let day: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "select slots_through from order_settings where business_id = $1")
        .bind(business_id).fetch_optional(pool).await)?;
    Ok(day.unwrap_or_default())
}

/// Records the last day slots were made for; forgets it (so they are made again) with ''.
pub async fn set_slots_through(tx: &mut Tx, business_id: i64, day: &str) -> AppResult<()> {
    let defaults = Settings::default_for(business_id);
    on_tx!(tx, conn => sqlx::query(
        "insert into order_settings (business_id, cutoff_minute, lead_minutes, days_ahead, payment_methods,
            slots_through, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (business_id) do update set slots_through = excluded.slots_through")
        .bind(business_id).bind(defaults.cutoff_minute).bind(defaults.lead_minutes).bind(defaults.days_ahead)
        .bind(&defaults.payment_methods).bind(day).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// --- pickup points ---

/// The points a business may use: its own and the territory's shared ones.
pub async fn points_for(db: &Db, territory_id: i64, business_id: i64) -> AppResult<Vec<PickupPoint>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, PickupPoint>(
        "select id, territory_id, business_id, name, address from pickup_point
         where territory_id = $1 and (business_id = $2 or business_id is null) order by name, id")
        .bind(territory_id).bind(business_id).fetch_all(pool).await)?)
}

/// Points by id.
pub async fn points_by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<PickupPoint>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select id, territory_id, business_id, name, address from pickup_point where id in ({})",
        id_list(ids)
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, PickupPoint>(&sql).fetch_all(pool).await)?)
}

/// Adds a point (`business_id` `None`: shared by the territory).
pub async fn insert_point(
    db: &Db,
    territory_id: i64,
    business_id: Option<i64>,
    name: &str,
    address: &str,
) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "insert into pickup_point (territory_id, business_id, name, address, created_at)
         values ($1, $2, $3, $4, $5) returning id")
        .bind(territory_id).bind(business_id).bind(name).bind(address).bind(now()).fetch_one(pool).await)?)
}

/// Removes a business's own point when no slot with orders uses it; true when removed.
pub async fn delete_point(db: &Db, business_id: i64, id: i64) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let booked: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "select count(*) from customer_order o join pickup_slot s on s.id = o.slot_id where s.pickup_point_id = $1")
        .bind(id).fetch_one(&mut **conn).await)?;
    if booked > 0 {
        return Ok(false);
    }
    let removed = on_tx!(&mut tx, conn => sqlx::query(
        "delete from pickup_point where id = $1 and business_id = $2")
        .bind(id).bind(business_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(removed == 1)
}

/// "Name, address" of a point ('' for none).
pub async fn point_label(ex: impl Into<Exec<'_>>, point_id: Option<i64>) -> AppResult<String> {
    let Some(point_id) = point_id else { return Ok(String::new()) };
    let point: Option<PickupPoint> = on_exec!(ex.into(), conn => sqlx::query_as(
        "select id, territory_id, business_id, name, address from pickup_point where id = $1")
        .bind(point_id).fetch_optional(conn).await)?;
    Ok(point.as_ref().map(super::point_label).unwrap_or_default())
}

// --- templates, closures, slots ---

/// A business's weekly templates.
pub async fn templates(db: &Db, business_id: i64) -> AppResult<Vec<SlotTemplate>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, SlotTemplate>(
        "select id, pickup_point_id, weekday, start_minute, end_minute, slot_minutes, capacity
         from slot_template where business_id = $1 order by weekday, start_minute, id")
        .bind(business_id).fetch_all(pool).await)?)
}

/// Adds a template and forgets how far slots were made, so they are made again.
pub async fn insert_template(tx: &mut Tx, business_id: i64, t: &SlotTemplate) -> AppResult<i64> {
    let id = on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into slot_template (business_id, pickup_point_id, weekday, start_minute, end_minute, slot_minutes,
            capacity, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
        .bind(business_id).bind(t.pickup_point_id).bind(t.weekday).bind(t.start_minute).bind(t.end_minute)
        .bind(t.slot_minutes).bind(t.capacity).bind(now()).fetch_one(&mut **conn).await)?;
    set_slots_through(tx, business_id, "").await?;
    Ok(id)
}

/// Removes a template and its future slots that have no order; true when it existed.
pub async fn delete_template(tx: &mut Tx, business_id: i64, id: i64) -> AppResult<bool> {
    on_tx!(tx, conn => sqlx::query(
        "delete from pickup_slot where template_id = $1 and business_id = $2 and starts_at > $3
            and not exists (select 1 from customer_order o where o.slot_id = pickup_slot.id)")
        .bind(id).bind(business_id).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    let removed = on_tx!(tx, conn => sqlx::query("delete from slot_template where id = $1 and business_id = $2")
        .bind(id).bind(business_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(removed == 1)
}

/// A business's closures ending on or after `from_day` (`YYYY-MM-DD`).
pub async fn closures(
    db: &Db,
    business_id: i64,
    from_day: &str,
) -> AppResult<Vec<(i64, String, String, String)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, String, String, String)>(
        "select id, first_day, last_day, reason from slot_closure where business_id = $1 and last_day >= $2
         order by first_day, id")
        .bind(business_id).bind(from_day).fetch_all(pool).await)?)
}

/// Adds a closure and removes the slots without orders that start in it (`from`..`to` seconds).
pub async fn insert_closure(
    tx: &mut Tx,
    business_id: i64,
    days: (&str, &str),
    reason: &str,
    span: (i64, i64),
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into slot_closure (business_id, first_day, last_day, reason, created_at) values ($1, $2, $3, $4, $5)")
        .bind(business_id).bind(days.0).bind(days.1).bind(reason).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, conn => sqlx::query(
        "delete from pickup_slot where business_id = $1 and starts_at >= $2 and starts_at < $3
            and not exists (select 1 from customer_order o where o.slot_id = pickup_slot.id)")
        .bind(business_id).bind(span.0).bind(span.1).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a closure (the slots come back when made again); true when it existed.
pub async fn delete_closure(tx: &mut Tx, business_id: i64, id: i64) -> AppResult<bool> {
    let removed = on_tx!(tx, conn => sqlx::query("delete from slot_closure where id = $1 and business_id = $2")
        .bind(id).bind(business_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    set_slots_through(tx, business_id, "").await?;
    Ok(removed == 1)
}

/// Creates a slot made from a template unless it exists (safe when two servers do it at once).
pub async fn insert_planned(tx: &mut Tx, business_id: i64, slot: &PlannedSlot) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into pickup_slot (business_id, pickup_point_id, point_key, starts_at, ends_at, capacity, reserved,
            template_id, created_at)
         values ($1, $2, $3, $4, $5, $6, 0, $7, $8)
         on conflict (business_id, point_key, starts_at) do nothing")
        .bind(business_id).bind(slot.pickup_point_id).bind(slot.pickup_point_id.unwrap_or(0)).bind(slot.starts_at)
        .bind(slot.ends_at).bind(slot.capacity).bind(slot.template_id).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds a one-off slot; `None` when one already starts then at this point.
pub async fn insert_slot(
    db: &Db,
    business_id: i64,
    pickup_point_id: Option<i64>,
    span: (i64, i64),
    capacity: i64,
) -> AppResult<Option<Slot>> {
    let sql = format!(
        "insert into pickup_slot (business_id, pickup_point_id, point_key, starts_at, ends_at, capacity, reserved,
            created_at)
         values ($1, $2, $3, $4, $5, $6, 0, $7)
         on conflict (business_id, point_key, starts_at) do nothing returning {SLOT}"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Slot>(&sql)
        .bind(business_id).bind(pickup_point_id).bind(pickup_point_id.unwrap_or(0)).bind(span.0).bind(span.1)
        .bind(capacity).bind(now()).fetch_optional(pool).await)?)
}

/// A business's slots starting in `[from, to)`, in time order.
pub async fn slots_between(db: &Db, business_id: i64, from: i64, to: i64) -> AppResult<Vec<Slot>> {
    let sql = format!(
        "select {SLOT} from pickup_slot where business_id = $1 and starts_at >= $2 and starts_at < $3
         order by starts_at, point_key"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Slot>(&sql).bind(business_id).bind(from).bind(to).fetch_all(pool).await)?,
    )
}

/// One slot.
pub async fn slot(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<Slot>> {
    let sql = format!("select {SLOT} from pickup_slot where id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Slot>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// Takes one place of a slot if one is left and returns the slot; `None` when it is full or
/// unknown.
pub async fn reserve_place(tx: &mut Tx, slot_id: i64) -> AppResult<Option<Slot>> {
    let sql = format!(
        "update pickup_slot set reserved = reserved + 1 where id = $1 and reserved < capacity returning {SLOT}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Slot>(&sql).bind(slot_id).fetch_optional(&mut **conn).await)?)
}

/// Gives a place back.
pub async fn release_place(tx: &mut Tx, slot_id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update pickup_slot set reserved = reserved - 1 where id = $1 and reserved > 0")
        .bind(slot_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

// --- cart ---

/// The cart's lines: product and quantity, oldest first.
pub async fn cart(db: &Db, owner: &str) -> AppResult<Vec<(i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "select product_id, quantity from cart_item where owner_key = $1 order by added_at, id")
        .bind(owner).fetch_all(pool).await)?)
}

/// The number of items in the carts of these owners (at most two: a member and a visitor).
pub async fn cart_count(db: &Db, owners: &[String]) -> AppResult<i64> {
    let (first, second) = match owners {
        [] => return Ok(0),
        [one] => (one, one),
        [one, two, ..] => (one, two),
    };
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select cast(coalesce(sum(quantity), 0) as bigint) from cart_item where owner_key in ($1, $2)")
        .bind(first).bind(second).fetch_one(pool).await)?)
}

/// Sets a product's quantity in a cart (0 removes it).
pub async fn set_cart_quantity(db: &Db, owner: &str, product_id: i64, quantity: i64) -> AppResult<()> {
    if quantity <= 0 {
        on_db!(db, pool => sqlx::query("delete from cart_item where owner_key = $1 and product_id = $2")
            .bind(owner).bind(product_id).execute(pool).await.map(|r| r.rows_affected()))?;
        return Ok(());
    }
    on_db!(db, pool => sqlx::query(
        "insert into cart_item (owner_key, product_id, quantity, added_at) values ($1, $2, $3, $4)
         on conflict (owner_key, product_id) do update set quantity = excluded.quantity")
        .bind(owner).bind(product_id).bind(quantity).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds to a product's quantity in a cart, up to `max`.
pub async fn add_to_cart(db: &Db, owner: &str, product_id: i64, quantity: i64, max: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into cart_item (owner_key, product_id, quantity, added_at) values ($1, $2, $3, $4)
         on conflict (owner_key, product_id) do update
         set quantity = case when cart_item.quantity + excluded.quantity > $5 then $5
                             else cart_item.quantity + excluded.quantity end")
        .bind(owner).bind(product_id).bind(quantity.min(max)).bind(now()).bind(max)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves a visitor's cart into a member's (quantities added, up to `max`).
pub async fn merge_carts(db: &Db, from: &str, to: &str, max: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let lines: Vec<(i64, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "select product_id, quantity from cart_item where owner_key = $1")
        .bind(from).fetch_all(&mut **conn).await)?;
    for (product_id, quantity) in lines {
        on_tx!(&mut tx, conn => sqlx::query(
            "insert into cart_item (owner_key, product_id, quantity, added_at) values ($1, $2, $3, $4)
             on conflict (owner_key, product_id) do update
             set quantity = case when cart_item.quantity + excluded.quantity > $5 then $5
                                 else cart_item.quantity + excluded.quantity end")
            .bind(to).bind(product_id).bind(quantity.min(max)).bind(now()).bind(max)
            .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    }
    on_tx!(&mut tx, conn => sqlx::query("delete from cart_item where owner_key = $1")
        .bind(from).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}

/// Removes ordered products from a cart, in the order's transaction.
pub async fn remove_from_cart(tx: &mut Tx, owner: &str, product_ids: &[i64]) -> AppResult<()> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let sql =
        format!("delete from cart_item where owner_key = $1 and product_id in ({})", id_list(product_ids));
    on_tx!(tx, conn => sqlx::query(&sql).bind(owner).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets visitors' carts left alone since `before`.
pub async fn purge_visitor_carts(db: &Db, before: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query("delete from cart_item where owner_key like 'v:%' and added_at < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))?)
}

// --- orders ---

/// What a new order row holds.
pub struct NewOrder<'a> {
    /// Territory.
    pub territory_id: i64,
    /// Business.
    pub business_id: i64,
    /// Customer.
    pub customer_id: i64,
    /// Customer's name.
    pub customer_name: &'a str,
    /// Folded name, for the merchant's search.
    pub customer_key: &'a str,
    /// Fulfilment.
    pub fulfilment: &'a str,
    /// The slot.
    pub slot: &'a Slot,
    /// Point name and address.
    pub pickup_point_name: &'a str,
    /// Delivery address.
    pub delivery_address: &'a str,
    /// Delivery commune.
    pub delivery_commune_id: Option<i64>,
    /// Payment mode.
    pub payment: &'a str,
    /// Sum of the lines.
    pub subtotal_cents: i64,
    /// Delivery fee.
    pub delivery_fee_cents: i64,
    /// Total.
    pub total_cents: i64,
    /// Note.
    pub note: &'a str,
    /// Idempotency key (scoped to the customer).
    pub idempotency_key: Option<&'a str>,
    /// The hash of the request the key was sent with.
    pub request_hash: Option<&'a str>,
}

/// Inserts an order; `None` when its idempotency key was already used.
pub async fn insert_order(tx: &mut Tx, o: &NewOrder<'_>) -> AppResult<Option<Order>> {
    let now = now();
    let sql = format!(
        "insert into customer_order (territory_id, business_id, customer_id, customer_name, customer_key, status,
            fulfilment, slot_id, starts_at, ends_at, pickup_point_name, delivery_address, delivery_commune_id,
            payment, subtotal_cents, delivery_fee_cents, total_cents, note, idempotency_key, created_at, updated_at,
            request_hash)
         values ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20)
         on conflict (idempotency_key) do nothing returning {ORDER}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Order>(&sql)
        .bind(o.territory_id).bind(o.business_id).bind(o.customer_id).bind(o.customer_name).bind(o.customer_key)
        .bind(o.fulfilment).bind(o.slot.id).bind(o.slot.starts_at).bind(o.slot.ends_at).bind(o.pickup_point_name)
        .bind(o.delivery_address).bind(o.delivery_commune_id).bind(o.payment).bind(o.subtotal_cents)
        .bind(o.delivery_fee_cents).bind(o.total_cents).bind(o.note).bind(o.idempotency_key).bind(now)
        .bind(o.request_hash).fetch_optional(&mut **conn).await)?)
}

/// An order found by its idempotency key, with the hash of the request the key came with (none
/// for orders placed before hashes were kept).
#[derive(sqlx::FromRow)]
pub struct KeyedOrder {
    /// The order.
    #[sqlx(flatten)]
    pub order: Order,
    /// The request's hash.
    pub request_hash: Option<String>,
}

/// The order placed with an idempotency key, and its request's hash.
pub async fn order_by_key(db: &Db, key: &str) -> AppResult<Option<KeyedOrder>> {
    let sql = format!("select {ORDER}, request_hash from customer_order where idempotency_key = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, KeyedOrder>(&sql).bind(key).fetch_optional(pool).await)?)
}

/// Adds a line to an order.
pub async fn insert_line(tx: &mut Tx, order_id: i64, line: &OrderLine) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into order_line (order_id, product_id, reference, name, unit, quantity, unit_price_cents, line_cents,
            sold_by_weight)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(order_id).bind(line.product_id).bind(&line.reference).bind(&line.name).bind(&line.unit)
        .bind(line.quantity).bind(line.unit_price_cents).bind(line.line_cents).bind(line.sold_by_weight)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a step of an order's history.
pub async fn insert_event(
    tx: &mut Tx,
    order_id: i64,
    status: &str,
    actor_id: i64,
    reason: &str,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into order_event (order_id, status, actor_id, reason, created_at) values ($1, $2, $3, $4, $5)")
        .bind(order_id).bind(status).bind(actor_id).bind(reason).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One order.
pub async fn order(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<Order>> {
    let sql = format!("select {ORDER} from customer_order where id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Order>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// The lines of several orders (one query).
pub async fn lines(ex: impl Into<Exec<'_>>, order_ids: &[i64]) -> AppResult<Vec<OrderLine>> {
    if order_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select {LINE} from order_line where order_id in ({}) order by order_id, id",
        id_list(order_ids)
    );
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, OrderLine>(&sql).fetch_all(conn).await)?)
}

/// An order's history, oldest first.
pub async fn events(db: &Db, order_id: i64) -> AppResult<Vec<OrderEvent>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, OrderEvent>(
        "select status, reason, created_at from order_event where order_id = $1 order by id")
        .bind(order_id).fetch_all(pool).await)?)
}

/// A customer's orders, newest first.
pub async fn orders_of_customer(db: &Db, customer_id: i64, limit: i64) -> AppResult<Vec<Order>> {
    let sql = format!(
        "select {ORDER} from customer_order where customer_id = $1 order by created_at desc, id desc limit $2"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Order>(&sql).bind(customer_id).bind(limit).fetch_all(pool).await)?,
    )
}

/// A business's orders whose slot starts in `[from, to)`, optionally matching a number or a
/// folded customer name, in slot order.
pub async fn orders_of_business(
    db: &Db,
    business_id: i64,
    span: (i64, i64),
    search: Option<(Option<i64>, &str)>,
) -> AppResult<Vec<Order>> {
    match search {
        None => {
            let sql = format!(
                "select {ORDER} from customer_order where business_id = $1 and starts_at >= $2 and starts_at < $3
                 order by starts_at, id"
            );
            Ok(on_db!(db, pool => sqlx::query_as::<_, Order>(&sql)
                .bind(business_id).bind(span.0).bind(span.1).fetch_all(pool).await)?)
        }
        Some((number, folded)) => {
            // A search looks at every date: the customer at the counter names their order.
            let sql = format!(
                "select {ORDER} from customer_order where business_id = $1 and (id = $2 or customer_key like $3)
                 order by starts_at desc, id desc limit 100"
            );
            Ok(on_db!(db, pool => sqlx::query_as::<_, Order>(&sql)
                .bind(business_id).bind(number.unwrap_or(-1)).bind(format!("%{folded}%")).fetch_all(pool).await)?)
        }
    }
}

/// Moves an order from `from` to `to`; false when it was no longer in `from` (someone else
/// moved it first).
pub async fn set_status(tx: &mut Tx, id: i64, from: &str, to: &str) -> AppResult<bool> {
    let changed = on_tx!(tx, conn => sqlx::query(
        "update customer_order set status = $3, updated_at = $4 where id = $1 and status = $2")
        .bind(id).bind(from).bind(to).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Records a weighed line's price.
pub async fn set_weighed(tx: &mut Tx, order_id: i64, line_id: i64, cents: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update order_line set weighed_cents = $3, line_cents = $3 where id = $2 and order_id = $1 and sold_by_weight = $4")
        .bind(order_id).bind(line_id).bind(cents).bind(true).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets an order's totals.
pub async fn set_totals(tx: &mut Tx, order_id: i64, subtotal_cents: i64, total_cents: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update customer_order set subtotal_cents = $2, total_cents = $3, updated_at = $4 where id = $1")
        .bind(order_id).bind(subtotal_cents).bind(total_cents).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Quantities to prepare per product for a business's orders in `[from, to)` (open orders only).
pub async fn product_totals(
    db: &Db,
    business_id: i64,
    span: (i64, i64),
) -> AppResult<Vec<(String, String, String, i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, String, String, i64, i64)>(
        "select l.reference, l.name, l.unit, cast(sum(l.quantity) as bigint), cast(sum(l.line_cents) as bigint)
         from order_line l join customer_order o on o.id = l.order_id
         where o.business_id = $1 and o.starts_at >= $2 and o.starts_at < $3 and o.status not in ('cancelled', 'no_show')
         group by l.reference, l.name, l.unit order by l.name, l.reference")
        .bind(business_id).bind(span.0).bind(span.1).fetch_all(pool).await)?)
}

/// Placed-at time, status and total of a business's orders since `from`, for the charts.
pub async fn order_figures(db: &Db, business_id: i64, from: i64) -> AppResult<Vec<(i64, String, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, String, i64)>(
        "select created_at, status, total_cents from customer_order where business_id = $1 and created_at >= $2")
        .bind(business_id).bind(from).fetch_all(pool).await)?)
}

/// What the shop is told by email: (each order, summary minute); `None` when never set.
pub async fn notice(ex: impl Into<Exec<'_>>, business_id: i64) -> AppResult<Option<(bool, Option<i64>)>> {
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, (bool, Option<i64>)>(
        "select each_order, summary_minute from order_notice where business_id = $1")
        .bind(business_id).fetch_optional(conn).await)?)
}

/// Saves what the shop is told by email.
pub async fn save_notice(
    db: &Db,
    business_id: i64,
    each_order: bool,
    summary_minute: Option<i64>,
) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into order_notice (business_id, each_order, summary_minute, updated_at) values ($1, $2, $3, $4)
         on conflict (business_id) do update set each_order = excluded.each_order,
             summary_minute = excluded.summary_minute, updated_at = excluded.updated_at")
        .bind(business_id).bind(each_order).bind(summary_minute).bind(now())
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The businesses with a daily summary: (business, summary minute, day of the last one sent).
pub async fn summaries(db: &Db) -> AppResult<Vec<(i64, i64, String)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64, String)>(
        "select business_id, summary_minute, summary_sent_on from order_notice
         where summary_minute is not null order by business_id")
        .fetch_all(pool).await)?)
}

/// Claims the summary of `day` for a business: true for exactly one caller, whichever server
/// instance asks first.
pub async fn claim_summary(tx: &mut Tx, business_id: i64, day: &str) -> AppResult<bool> {
    let claimed = on_tx!(tx, conn => sqlx::query(
        "update order_notice set summary_sent_on = $2 where business_id = $1 and summary_sent_on <> $2")
        .bind(business_id).bind(day).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(claimed == 1)
}

/// Quantities ordered from a business per product and slot start in `[from, to)`, cancelled
/// orders and no-shows left out: (reference, name, unit, slot start, quantity).
pub async fn ordered_quantities(
    db: &Db,
    business_id: i64,
    span: (i64, i64),
) -> AppResult<Vec<(String, String, String, i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, String, String, i64, i64)>(
        "select l.reference, l.name, l.unit, o.starts_at, cast(sum(l.quantity) as bigint)
         from order_line l join customer_order o on o.id = l.order_id
         where o.business_id = $1 and o.starts_at >= $2 and o.starts_at < $3 and o.status not in ('cancelled', 'no_show')
         group by l.reference, l.name, l.unit, o.starts_at order by l.name, l.reference")
        .bind(business_id).bind(span.0).bind(span.1).fetch_all(pool).await)?)
}
