//! The drive's rules on the merchant's side: who manages a business's drive, its settings,
//! pickup points, weekly templates, closures and one-off slots, and which slots a customer may
//! choose. Orders themselves are in `checkout`.

use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::schedule::{self, Closure, SlotTemplate};
use super::store;
use super::{PAYMENT_MEANS, PickupPoint, Settings, Slot};
use crate::accounts::User;
use crate::db::{Db, now};
use crate::directory::{self, Business};
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::{self, Territory};

/// A business with its territory and drive settings.
#[derive(Clone, Debug)]
pub struct Drive {
    /// The business.
    pub business: Business,
    /// Its territory.
    pub territory: Territory,
    /// Its drive settings (defaults when never saved).
    pub settings: Settings,
}

impl Drive {
    /// The territory's time zone.
    pub fn tz(&self) -> TimeZone {
        self.territory.tz()
    }

    /// True when the business offers pickup or delivery at all.
    pub fn offers_orders(&self) -> bool {
        self.business.click_and_collect || self.business.delivery
    }
}

/// The drive of a business in any state (a customer's past orders at an unpublished shop).
pub(super) async fn load(db: &Db, business: Business) -> AppResult<Drive> {
    let territory = territory::by_id(db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    let settings =
        store::settings(db, business.id).await?.unwrap_or_else(|| Settings::default_for(business.id));
    Ok(Drive { business, territory, settings })
}

/// The drive of a published business, as customers see it.
pub async fn public_drive(db: &Db, business_id: i64) -> AppResult<Drive> {
    let (business, _) = directory::view(db, None, business_id).await?;
    load(db, business).await
}

/// The drive of a business that `actor` owns. Its orders are its customers' affairs: the
/// territory's moderators, who moderate the listing and its catalogue, do not run or read them.
pub async fn managed_drive(db: &Db, actor: &User, business_id: i64) -> AppResult<Drive> {
    let (business, access) = directory::view(db, Some(actor), business_id).await?;
    if !access.is_owner {
        return Err(AppError::Forbidden);
    }
    load(db, business).await
}

/// The local day today in `tz`.
pub fn today(tz: &TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

/// The instants of the start of `first` and the start of the day after `last`, in `tz`.
pub fn day_span(first: Date, last: Date, tz: &TimeZone) -> (i64, i64) {
    let from = schedule::local_instant(first, 0, tz).unwrap_or(0);
    let to =
        last.tomorrow().ok().and_then(|next| schedule::local_instant(next, 0, tz)).unwrap_or(from + 86_400);
    (from, to)
}

async fn active_closures(db: &Db, business_id: i64, from: Date) -> AppResult<Vec<(i64, Closure, String)>> {
    let rows = store::closures(db, business_id, &from.to_string()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, first, last, reason)| {
            Some((id, Closure { first_day: first.parse().ok()?, last_day: last.parse().ok()? }, reason))
        })
        .collect())
}

/// Makes the slots of the templates up to `days_ahead` days from today, once a day at most
/// (and again after a change). Safe when several servers do it at once: existing slots stay.
pub async fn ensure_slots(db: &Db, drive: &Drive) -> AppResult<()> {
    let tz = drive.tz();
    let today = today(&tz);
    let through = today.checked_add(drive.settings.days_ahead.clamp(1, 90).days()).unwrap_or(today);
    let done = store::slots_through(db, drive.business.id).await?;
    let done_day: Option<Date> = done.parse().ok();
    if done_day.is_some_and(|d| d >= through) {
        return Ok(());
    }
    let from = match done_day {
        Some(d) if d >= today => d.tomorrow().unwrap_or(d),
        _ => today,
    };
    let templates = store::templates(db, drive.business.id).await?;
    let closures: Vec<Closure> =
        active_closures(db, drive.business.id, today).await?.into_iter().map(|(_, c, _)| c).collect();
    let planned = schedule::plan_slots(&templates, &closures, &tz, from, through);
    let mut tx = db.begin().await?;
    for slot in &planned {
        store::insert_planned(&mut tx, drive.business.id, slot).await?;
    }
    store::set_slots_through(&mut tx, drive.business.id, &through.to_string()).await?;
    tx.commit().await?;
    Ok(())
}

/// A slot as a customer or the merchant sees it.
#[derive(Clone, Debug)]
pub struct SlotView {
    /// The slot.
    pub slot: Slot,
    /// The pickup point's name and address, empty for delivery.
    pub point: String,
    /// Last instant to order (Unix seconds).
    pub deadline: i64,
    /// True when it may be chosen now.
    pub is_bookable: bool,
    /// Its local day.
    pub day: Date,
}

/// The slots of a business from `from` to `to` (Unix seconds), with what customers may choose.
pub async fn slots(db: &Db, drive: &Drive, from: i64, to: i64) -> AppResult<Vec<SlotView>> {
    ensure_slots(db, drive).await?;
    let tz = drive.tz();
    let closures: Vec<Closure> =
        active_closures(db, drive.business.id, today(&tz)).await?.into_iter().map(|(_, c, _)| c).collect();
    let slots = store::slots_between(db, drive.business.id, from, to).await?;
    let point_ids: Vec<i64> = slots.iter().filter_map(|s| s.pickup_point_id).collect();
    let points = store::points_by_ids(db, &point_ids).await?;
    let now = now();
    let deadline_rule = drive.settings.deadline();
    Ok(slots
        .into_iter()
        .filter_map(|slot| {
            let day = schedule::local_day(slot.starts_at, &tz)?;
            if closures.iter().any(|c| c.covers(day)) {
                return None;
            }
            let deadline = deadline_rule.for_slot(slot.starts_at, &tz);
            let point = slot
                .pickup_point_id
                .and_then(|id| points.iter().find(|p| p.id == id))
                .map(point_label)
                .unwrap_or_default();
            let offered = match slot.fulfilment() {
                super::Fulfilment::Pickup => drive.business.click_and_collect,
                super::Fulfilment::Delivery => drive.business.delivery,
            };
            let is_bookable = offered && !drive.settings.is_paused && now <= deadline && slot.remaining() > 0;
            Some(SlotView { slot, point, deadline, is_bookable, day })
        })
        .collect())
}

/// The slots customers may see: from now to the publication horizon.
pub async fn upcoming_slots(db: &Db, drive: &Drive) -> AppResult<Vec<SlotView>> {
    let tz = drive.tz();
    let last = today(&tz).checked_add(drive.settings.days_ahead.clamp(1, 90).days()).unwrap_or(today(&tz));
    let (_, to) = day_span(last, last, &tz);
    slots(db, drive, now(), to).await
}

/// "Name, address" of a pickup point.
pub fn point_label(point: &PickupPoint) -> String {
    if point.address.trim().is_empty() {
        point.name.clone()
    } else {
        format!("{}, {}", point.name, point.address)
    }
}

/// The drive settings as typed in the form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsInput {
    /// Days before the slot's day when orders close (empty: no cut-off, only the lead time).
    pub cutoff_days: Option<i64>,
    /// Cut-off time, `18:00`.
    pub cutoff_time: String,
    /// Minimum minutes between ordering and the slot.
    pub lead_minutes: i64,
    /// Days of slots published ahead.
    pub days_ahead: i64,
    /// Means of payment accepted on pickup.
    pub payment_methods: Vec<String>,
    /// Delivery fee in cents.
    pub delivery_fee_cents: i64,
    /// Minimum order for delivery in cents.
    pub delivery_minimum_cents: i64,
    /// Communes delivered (ids).
    pub delivery_communes: Vec<i64>,
}

/// Saves a business's drive settings (its managers).
pub async fn save_settings(
    db: &Db,
    actor: &User,
    business_id: i64,
    input: &SettingsInput,
) -> AppResult<Settings> {
    let drive = managed_drive(db, actor, business_id).await?;
    let mut errors = Vec::new();
    if input.cutoff_days.is_some_and(|d| !(0..=14).contains(&d)) {
        errors.push(FieldError { field: "cutoff_days", message: "orders.error.cutoff_days" });
    }
    let cutoff_minute = if input.cutoff_time.trim().is_empty() {
        Some(18 * 60)
    } else {
        schedule::parse_time_of_day(&input.cutoff_time).filter(|m| *m < 24 * 60)
    };
    if cutoff_minute.is_none() {
        errors.push(FieldError { field: "cutoff_time", message: "orders.error.time" });
    }
    if !(0..=7 * 24 * 60).contains(&input.lead_minutes) {
        errors.push(FieldError { field: "lead_minutes", message: "orders.error.lead_minutes" });
    }
    if !(1..=90).contains(&input.days_ahead) {
        errors.push(FieldError { field: "days_ahead", message: "orders.error.days_ahead" });
    }
    let means: Vec<&str> =
        PAYMENT_MEANS.into_iter().filter(|m| input.payment_methods.iter().any(|p| p == m)).collect();
    if means.is_empty() {
        errors.push(FieldError { field: "payment_methods", message: "orders.error.payment_methods" });
    }
    if !(0..=100_000).contains(&input.delivery_fee_cents) {
        errors.push(FieldError { field: "delivery_fee", message: "orders.error.amount" });
    }
    if !(0..=10_000_000).contains(&input.delivery_minimum_cents) {
        errors.push(FieldError { field: "delivery_minimum", message: "orders.error.amount" });
    }
    let communes = territory::communes(db, drive.territory.id).await?;
    let served: Vec<String> = input
        .delivery_communes
        .iter()
        .filter(|id| communes.iter().any(|c| c.id == **id))
        .map(i64::to_string)
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let settings = Settings {
        business_id,
        is_paused: drive.settings.is_paused,
        cutoff_days: input.cutoff_days,
        cutoff_minute: cutoff_minute.unwrap_or(18 * 60),
        lead_minutes: input.lead_minutes,
        days_ahead: input.days_ahead,
        payment_methods: means.join(","),
        delivery_fee_cents: input.delivery_fee_cents,
        delivery_minimum_cents: input.delivery_minimum_cents,
        delivery_communes: served.join(","),
    };
    store::save_settings(db, &settings).await?;
    Ok(settings)
}

/// Pauses or resumes new orders at once (its managers).
pub async fn set_paused(db: &Db, actor: &User, business_id: i64, paused: bool) -> AppResult<()> {
    managed_drive(db, actor, business_id).await?;
    store::set_paused(db, business_id, paused).await
}

/// The pickup points a business may use (its own and the territory's shared ones).
pub async fn points(db: &Db, drive: &Drive) -> AppResult<Vec<PickupPoint>> {
    store::points_for(db, drive.territory.id, drive.business.id).await
}

/// Adds a pickup point: the business's own, or a shared place of the territory (moderators).
pub async fn add_point(
    db: &Db,
    actor: &User,
    business_id: i64,
    name: &str,
    address: &str,
    shared: bool,
) -> AppResult<i64> {
    let drive = managed_drive(db, actor, business_id).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "orders.error.point_name"));
    }
    if address.trim().chars().count() > 200 {
        return Err(AppError::invalid("address", "orders.error.point_address"));
    }
    let owner = if shared {
        if !directory::is_moderator(db, actor, drive.territory.id).await? {
            return Err(AppError::Forbidden);
        }
        None
    } else {
        Some(business_id)
    };
    store::insert_point(db, drive.territory.id, owner, name, address.trim()).await
}

/// Removes one of the business's own points (refused while orders use it).
pub async fn remove_point(db: &Db, actor: &User, business_id: i64, point_id: i64) -> AppResult<()> {
    managed_drive(db, actor, business_id).await?;
    if store::delete_point(db, business_id, point_id).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("orders.error.point_in_use"))
    }
}

/// The schema of `weekdays`: one or more of 1 (Monday) to 7 (Sunday).
fn weekday_list() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let day = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(1))
        .maximum(Some(7));
    ArrayBuilder::new().items(day).min_items(Some(1)).build()
}

/// A weekly template as typed in the form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TemplateInput {
    /// Pickup point id; absent for delivery rounds.
    pub pickup_point_id: Option<i64>,
    /// Days of the week, 1 = Monday … 7 = Sunday (one template per day).
    #[schema(required = true, schema_with = weekday_list)]
    pub weekdays: Vec<i64>,
    /// Start, `09:00`.
    #[schema(required = true, pattern = "^(([01]?[0-9]|2[0-3])[:h.][0-5][0-9]|24[:h.]00)$")]
    pub start: String,
    /// End, `12:00`.
    #[schema(required = true, pattern = "^(([01]?[0-9]|2[0-3])[:h.][0-5][0-9]|24[:h.]00)$")]
    pub end: String,
    /// Slot length in minutes.
    #[schema(required = true, minimum = 5, maximum = 1440)]
    pub slot_minutes: i64,
    /// Orders per slot.
    #[schema(required = true, minimum = 1, maximum = 10000)]
    pub capacity: i64,
}

/// Adds a weekly template for each chosen day (its managers).
pub async fn add_templates(
    db: &Db,
    actor: &User,
    business_id: i64,
    input: &TemplateInput,
) -> AppResult<Vec<i64>> {
    let drive = managed_drive(db, actor, business_id).await?;
    if let Some(point) = input.pickup_point_id
        && !points(db, &drive).await?.iter().any(|p| p.id == point)
    {
        return Err(AppError::invalid("pickup_point_id", "orders.error.point_unknown"));
    }
    if input.weekdays.is_empty() {
        return Err(AppError::invalid("weekday", "orders.error.weekday"));
    }
    let start =
        schedule::parse_time_of_day(&input.start).ok_or(AppError::invalid("start", "orders.error.time"))?;
    let end = schedule::parse_time_of_day(&input.end).ok_or(AppError::invalid("end", "orders.error.time"))?;
    for weekday in &input.weekdays {
        schedule::check_template(*weekday, start, end, input.slot_minutes, input.capacity)
            .map_err(|(field, message)| AppError::invalid(field, message))?;
    }
    let mut weekdays = input.weekdays.clone();
    weekdays.sort_unstable();
    weekdays.dedup();
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for weekday in weekdays {
        let template = SlotTemplate {
            id: 0,
            pickup_point_id: input.pickup_point_id,
            weekday,
            start_minute: start,
            end_minute: end,
            slot_minutes: input.slot_minutes,
            capacity: input.capacity,
        };
        ids.push(store::insert_template(&mut tx, business_id, &template).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Removes a template and its future slots that have no order (its managers).
pub async fn remove_template(db: &Db, actor: &User, business_id: i64, template_id: i64) -> AppResult<()> {
    managed_drive(db, actor, business_id).await?;
    let mut tx = db.begin().await?;
    if !store::delete_template(&mut tx, business_id, template_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The weekly templates.
pub async fn templates(db: &Db, drive: &Drive) -> AppResult<Vec<SlotTemplate>> {
    store::templates(db, drive.business.id).await
}

/// A closure as shown to the merchant.
#[derive(Clone, Debug)]
pub struct ClosureView {
    /// Identifier.
    pub id: i64,
    /// The days.
    pub closure: Closure,
    /// Why (shown to customers).
    pub reason: String,
}

/// The closures that are not over.
pub async fn closures(db: &Db, drive: &Drive) -> AppResult<Vec<ClosureView>> {
    Ok(active_closures(db, drive.business.id, today(&drive.tz()))
        .await?
        .into_iter()
        .map(|(id, closure, reason)| ClosureView { id, closure, reason })
        .collect())
}

/// Closes the drive from `first` to `last` (days included): slots without orders in those days
/// are removed; orders already placed stay, for the merchant to honour or cancel.
pub async fn add_closure(
    db: &Db,
    actor: &User,
    business_id: i64,
    first: Option<Date>,
    last: Option<Date>,
    reason: &str,
) -> AppResult<()> {
    let drive = managed_drive(db, actor, business_id).await?;
    let first = first.ok_or(AppError::invalid("first_day", "orders.error.date"))?;
    let last = last.unwrap_or(first);
    if last < first {
        return Err(AppError::invalid("last_day", "orders.error.end_before_start"));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::invalid("reason", "orders.error.reason_length"));
    }
    let span = day_span(first, last, &drive.tz());
    let mut tx = db.begin().await?;
    store::insert_closure(&mut tx, business_id, (&first.to_string(), &last.to_string()), reason.trim(), span)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a closure (its slots come back).
pub async fn remove_closure(db: &Db, actor: &User, business_id: i64, closure_id: i64) -> AppResult<()> {
    managed_drive(db, actor, business_id).await?;
    let mut tx = db.begin().await?;
    if !store::delete_closure(&mut tx, business_id, closure_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Adds a one-off slot (its managers): at a pickup point, at the shop, or a delivery slot; a
/// place the business does not offer (no click-and-collect, no delivery) is refused.
pub async fn add_slot(
    db: &Db,
    actor: &User,
    business_id: i64,
    place: SlotPlace,
    span: (i64, i64),
    capacity: i64,
) -> AppResult<Slot> {
    let drive = managed_drive(db, actor, business_id).await?;
    let pickup_point_id = match place {
        SlotPlace::Point(point) => {
            if !points(db, &drive).await?.iter().any(|p| p.id == point) {
                return Err(AppError::invalid("pickup_point_id", "orders.error.point_unknown"));
            }
            Some(point)
        }
        SlotPlace::Shop if drive.business.click_and_collect => Some(shop_point(db, &drive).await?),
        SlotPlace::Shop => return Err(AppError::invalid("pickup_point_id", "orders.error.no_pickup")),
        SlotPlace::Delivery if drive.business.delivery => None,
        SlotPlace::Delivery => return Err(AppError::invalid("delivery", "orders.error.no_delivery")),
    };
    if span.1 <= span.0 || span.1 - span.0 > 24 * 3600 {
        return Err(AppError::invalid("ends_at", "orders.error.end_before_start"));
    }
    if span.1 <= now() {
        return Err(AppError::invalid("starts_at", "orders.error.slot_past"));
    }
    if !(1..=10_000).contains(&capacity) {
        return Err(AppError::invalid("capacity", "orders.error.capacity"));
    }
    store::insert_slot(db, business_id, pickup_point_id, span, capacity)
        .await?
        .ok_or(AppError::Conflict("orders.error.slot_exists"))
}

/// Where a new slot's orders go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotPlace {
    /// Collected at this pickup point (the business's own, or a shared place of the territory).
    Point(i64),
    /// Collected at the shop itself: its own first pickup point, made from its address when it
    /// has none yet.
    Shop,
    /// Delivered.
    Delivery,
}

/// The shop's own pickup point: its first own point, or one named after it at its address,
/// made now.
async fn shop_point(db: &Db, drive: &Drive) -> AppResult<i64> {
    let own = points(db, drive).await?.into_iter().find(|p| p.business_id == Some(drive.business.id));
    match own {
        Some(point) => Ok(point.id),
        None => {
            let address = drive.business.address.as_deref().unwrap_or_default();
            store::insert_point(
                db,
                drive.territory.id,
                Some(drive.business.id),
                &drive.business.name,
                address,
            )
            .await
        }
    }
}

/// Demo data: the shop as its pickup point, Tuesday to Saturday 9:00–12:00 and 16:00–19:00 in
/// 30-minute slots of 5 orders, and Friday evening delivery rounds when the shop delivers.
pub async fn seed_demo_drive(db: &Db, admin: &User, business: &Business) -> AppResult<()> {
    let mut templates = Vec::new();
    if business.click_and_collect {
        let address = business.address.clone().unwrap_or_default();
        let point = add_point(db, admin, business.id, "La boutique", &address, false).await?;
        for (start, end) in [("09:00", "12:00"), ("16:00", "19:00")] {
            templates.push(TemplateInput {
                pickup_point_id: Some(point),
                weekdays: vec![2, 3, 4, 5, 6],
                start: start.into(),
                end: end.into(),
                slot_minutes: 30,
                capacity: 5,
            });
        }
    }
    if business.delivery {
        templates.push(TemplateInput {
            pickup_point_id: None,
            weekdays: vec![5],
            start: "17:00".into(),
            end: "20:00".into(),
            slot_minutes: 60,
            capacity: 6,
        });
    }
    for template in &templates {
        add_templates(db, admin, business.id, template).await?;
    }
    let settings = SettingsInput {
        cutoff_days: None,
        cutoff_time: "18:00".into(),
        lead_minutes: 60,
        days_ahead: 14,
        payment_methods: if business.accepts_local_currency {
            vec!["cash".into(), "card".into(), "local_currency".into()]
        } else {
            vec!["cash".into(), "card".into()]
        },
        delivery_fee_cents: if business.delivery { 300 } else { 0 },
        delivery_minimum_cents: if business.delivery { 1500 } else { 0 },
        delivery_communes: Vec::new(),
    };
    save_settings(db, admin, business.id, &settings).await?;
    Ok(())
}
