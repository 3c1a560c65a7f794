//! The merchant's drive pages, made for a phone in the shop: the day's orders by slot, an
//! order's status, the printable picking list and its CSV, the day's totals per product, the
//! pause switch, the settings (points, weekly slots, closures) and the dashboard charts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Form, Router};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use super::customer::OrderPage;
use crate::accounts::User;
use crate::app::AppState;
use crate::catalog::parse_price_cents;
use crate::error::{AppError, AppResult};
use crate::orders::charts::{self, BarChart};
use crate::orders::checkout::{self, slot_text};
use crate::orders::schedule::{self, SlotTemplate};
use crate::orders::slots::{
    self, ClosureView, Drive, SettingsInput, SlotPlace, SlotView, TemplateInput, today,
};
use crate::orders::{Demand, Notices, Order, OrderLine, OrderStatus, PAYMENT_MEANS, Period, PickupPoint};
use crate::tabular::CsvWriter;
use crate::territory::Commune;
use crate::web::page::{self, Page};
use crate::web::territory::{Managed, ManagerPage};
use crate::web::{FormErrors, render, render_status, see_other};

/// The merchant's drive routes.
pub fn router() -> Router<AppState> {
    const BASE: &str = "/t/{slug}/annuaire/{id}/drive";
    let at = |tail: &str| format!("{BASE}{tail}");
    Router::new()
        .route(BASE, get(show_day))
        .route(&at("/pause"), post(set_pause))
        .route(&at("/commandes/{order}"), get(show_order))
        .route(&at("/commandes/{order}/statut"), post(change_status))
        .route(&at("/preparation"), get(show_picking_list))
        .route(&at("/export.csv"), get(export_day))
        .route(&at("/reglages"), get(show_settings).merge(change(Change::Settings)))
        .route(&at("/points"), change(Change::Point))
        .route(&at("/points/{point}/supprimer"), removal(Removal::Point))
        .route(&at("/modeles"), change(Change::Templates))
        .route(&at("/modeles/{template}/supprimer"), removal(Removal::Template))
        .route(&at("/fermetures"), change(Change::Closure))
        .route(&at("/fermetures/{closure}/supprimer"), removal(Removal::Closure))
        .route(&at("/creneaux"), change(Change::Slot))
        .route(&at("/avis"), change(Change::Notices))
        .route(&at("/tableau"), get(show_dashboard))
        .route(&at("/demande"), get(show_demand))
        .route(&at("/demande.csv"), get(export_demand))
}

/// The drive of the business in the address, which the signed-in person manages, checked
/// against the territory's slug.
impl Managed for Drive {
    async fn load(state: &AppState, user: &User, slug: &str, id: i64) -> AppResult<Self> {
        let drive = slots::managed_drive(&state.db, user, id).await?;
        if drive.territory.slug != slug {
            return Err(AppError::NotFound);
        }
        Ok(drive)
    }
}

fn base_of(drive: &Drive) -> String {
    format!("/t/{}/annuaire/{}/drive", drive.territory.slug, drive.business.id)
}

#[derive(Deserialize, Default)]
struct DayQuery {
    #[serde(default)]
    jour: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    creneau: String,
}

impl DayQuery {
    fn day(&self, drive: &Drive) -> Date {
        self.jour.parse().unwrap_or_else(|_| today(&drive.tz()))
    }
}

/// The orders of one slot on the day board.
struct SlotOrders {
    label: String,
    slot_id: i64,
    orders: Vec<(Order, Vec<OrderLine>)>,
}

#[derive(Template)]
#[template(path = "orders/day.html")]
struct DayPage {
    page: Page,
    drive: Drive,
    base: String,
    day: Date,
    day_label: String,
    previous: Date,
    next: Date,
    q: String,
    slots: Vec<SlotOrders>,
    totals: Vec<(String, String, String, i64, i64)>,
    open_count: usize,
}

impl DayPage {
    fn status_label(&self, order: &Order) -> &'static str {
        self.page.t.get(order.status().label_key())
    }
}

fn group_by_slot(
    drive: &Drive,
    orders: Vec<(Order, Vec<OrderLine>)>,
    lang: crate::web::i18n::Lang,
) -> Vec<SlotOrders> {
    let mut groups: Vec<SlotOrders> = Vec::new();
    for (order, lines) in orders {
        match groups.iter_mut().find(|g| g.slot_id == order.slot_id) {
            Some(group) => group.orders.push((order, lines)),
            None => {
                let mut label = slot_text(order.starts_at, order.ends_at, &drive.tz(), lang);
                let place = if order.is_delivery() { String::new() } else { order.pickup_point_name.clone() };
                if !place.is_empty() {
                    label = format!("{label} · {place}");
                }
                groups.push(SlotOrders { label, slot_id: order.slot_id, orders: vec![(order, lines)] });
            }
        }
    }
    groups
}

async fn show_day(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: drive }: ManagerPage<Drive>,
    Query(query): Query<DayQuery>,
) -> AppResult<Response> {
    let day = query.day(&drive);
    let (_, orders) = checkout::business_orders(&state.db, &user, id, day, &query.q).await?;
    let totals = if query.q.trim().is_empty() {
        checkout::day_totals(&state.db, &user, id, day).await?
    } else {
        Vec::new()
    };
    let open_count = orders.iter().filter(|(o, _)| !o.status().is_final()).count();
    let slots = group_by_slot(&drive, orders, page.lang());
    render(&DayPage {
        day_label: crate::web::fmt::day_with_year(day, page.lang()),
        previous: day.yesterday().unwrap_or(day),
        next: day.tomorrow().unwrap_or(day),
        base: base_of(&drive),
        q: query.q.trim().to_owned(),
        page,
        drive,
        day,
        slots,
        totals,
        open_count,
    })
}

#[derive(Deserialize)]
struct PauseForm {
    #[serde(default)]
    paused: String,
}

async fn set_pause(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: drive }: ManagerPage<Drive>,
    Form(form): Form<PauseForm>,
) -> AppResult<Response> {
    let paused = form.paused == "1";
    slots::set_paused(&state.db, &user, id, paused).await?;
    page.flash_and_go(if paused { "orders.paused" } else { "orders.resumed" }, &base_of(&drive)).await
}

async fn show_order(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
    Path((_, _, order_id)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let detail = checkout::order_detail(&state.db, &user, order_id).await?;
    if detail.order.business_id != drive.business.id {
        return Err(AppError::NotFound);
    }
    render(&OrderPage { page, detail, manage_base: base_of(&drive) })
}

async fn change_status(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
    Path((_, _, order_id)): Path<(String, i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let session = page.form_session()?;
    let status = form
        .iter()
        .find(|(k, _)| k == "status")
        .and_then(|(_, v)| OrderStatus::parse(v))
        .ok_or(AppError::BadRequest("orders.error.transition"))?;
    let mut weighed = Vec::new();
    for (key, value) in &form {
        let Some(line) = key.strip_prefix("weighed_").and_then(|l| l.parse::<i64>().ok()) else { continue };
        if value.trim().is_empty() {
            continue;
        }
        match parse_price_cents(value) {
            Some(cents) => weighed.push((line, cents)),
            None => {
                page::flash(session, "orders.error.weighed").await?;
                return Ok(see_other(&format!("{}/commandes/{order_id}", base_of(&drive))));
            }
        }
    }
    match checkout::change_status(&state.db, &state.base_url, &user, order_id, status, &weighed).await {
        Ok(_) => page::flash(session, "orders.status_changed").await?,
        Err(AppError::Conflict(key)) => page::flash(session, key).await?,
        Err(AppError::Invalid(fields)) => {
            page::flash(session, fields.first().map_or("error.invalid", |f| f.message)).await?
        }
        Err(err) => return Err(err),
    }
    Ok(see_other(&format!("{}/commandes/{order_id}", base_of(&drive))))
}

#[derive(Template)]
#[template(path = "orders/picking.html")]
struct PickingPage {
    page: Page,
    drive: Drive,
    base: String,
    day: Date,
    day_label: String,
    slots: Vec<SlotOrders>,
    totals: Vec<(String, String, String, i64, i64)>,
}

impl PickingPage {
    fn unit_label(&self, unit: &str) -> &'static str {
        super::customer::unit_label(&self.page, unit)
    }
}

async fn picking_data(
    state: &AppState,
    user: &User,
    drive: &Drive,
    query: &DayQuery,
) -> AppResult<(Date, Vec<(Order, Vec<OrderLine>)>)> {
    let day = query.day(drive);
    let (_, orders) = checkout::business_orders(&state.db, user, drive.business.id, day, "").await?;
    let slot: Option<i64> = query.creneau.parse().ok();
    let orders = orders
        .into_iter()
        .filter(|(o, _)| !matches!(o.status(), OrderStatus::Cancelled | OrderStatus::NoShow))
        .filter(|(o, _)| slot.is_none_or(|s| o.slot_id == s))
        .collect();
    Ok((day, orders))
}

async fn show_picking_list(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
    Query(query): Query<DayQuery>,
) -> AppResult<Response> {
    let (day, orders) = picking_data(&state, &user, &drive, &query).await?;
    let mut totals: Vec<(String, String, String, i64, i64)> = Vec::new();
    for line in orders.iter().flat_map(|(_, lines)| lines) {
        match totals.iter_mut().find(|t| t.0 == line.reference && t.2 == line.unit) {
            Some(total) => {
                total.3 += line.quantity;
                total.4 += line.line_cents;
            }
            None => totals.push((
                line.reference.clone(),
                line.name.clone(),
                line.unit.clone(),
                line.quantity,
                line.line_cents,
            )),
        }
    }
    totals.sort_by(|a, b| a.1.cmp(&b.1));
    let slots = group_by_slot(&drive, orders, page.lang());
    render(&PickingPage {
        day_label: crate::web::fmt::day_with_year(day, page.lang()),
        base: base_of(&drive),
        page,
        drive,
        day,
        slots,
        totals,
    })
}

async fn export_day(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
    Query(query): Query<DayQuery>,
) -> AppResult<Response> {
    let (day, orders) = picking_data(&state, &user, &drive, &query).await?;
    let t = page.t;
    // A byte-order mark so that Excel opens the UTF-8 file with its accents.
    let mut writer = CsvWriter::with_bom(';');
    let header = [
        "orders.csv.number",
        "orders.csv.slot",
        "orders.csv.customer",
        "orders.csv.status",
        "orders.csv.reference",
        "orders.csv.product",
        "orders.csv.quantity",
        "orders.csv.amount",
    ];
    writer.write_row(header.iter().map(|k| t.get(k)));
    for (order, lines) in &orders {
        let slot = slot_text(order.starts_at, order.ends_at, &drive.tz(), page.lang());
        for line in lines {
            writer.write_row([
                order.id.to_string(),
                slot.clone(),
                order.customer_name.clone(),
                t.get(order.status().label_key()).to_owned(),
                line.reference.clone(),
                line.name.clone(),
                line.quantity.to_string(),
                crate::web::fmt::price(line.line_cents, page.lang()).replace('\u{a0}', " "),
            ]);
        }
    }
    let body = writer.into_bytes();
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"commandes-{day}.csv\"")),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "orders/settings.html")]
struct SettingsPage {
    page: Page,
    drive: Drive,
    base: String,
    points: Vec<PickupPoint>,
    templates: Vec<SlotTemplate>,
    closures: Vec<ClosureView>,
    communes: Vec<Commune>,
    upcoming: Vec<SlotView>,
    errors: FormErrors,
    is_moderator: bool,
    notices: Notices,
}

impl SettingsPage {
    fn weekday_label(&self, weekday: &i64) -> &'static str {
        self.page.t.get(&format!("day.{}", weekday_key(*weekday)))
    }

    fn time(&self, minute: &i64) -> String {
        schedule::time_input(*minute)
    }

    fn point_name(&self, id: &Option<i64>) -> String {
        match id {
            Some(id) => self.points.iter().find(|p| p.id == *id).map(|p| p.name.clone()).unwrap_or_default(),
            None => self.page.t.get("orders.delivery").to_owned(),
        }
    }

    fn cutoff_is(&self, days: &i64) -> bool {
        self.drive.settings.cutoff_days == Some(*days)
    }

    fn accepts(&self, means: &&str) -> bool {
        self.drive.settings.accepts(means)
    }

    fn serves(&self, commune: &i64) -> bool {
        self.drive.settings.delivery_commune_ids().contains(commune)
    }

    fn means(&self) -> [&'static str; 4] {
        PAYMENT_MEANS
    }

    fn day(&self, day: &Date) -> String {
        crate::web::fmt::day_with_year(*day, self.page.lang())
    }

    fn slot_label(&self, view: &SlotView) -> String {
        slot_text(view.slot.starts_at, view.slot.ends_at, &self.drive.tz(), self.page.lang())
    }

    fn fee(&self) -> String {
        cents_input(self.drive.settings.delivery_fee_cents)
    }

    fn minimum(&self) -> String {
        cents_input(self.drive.settings.delivery_minimum_cents)
    }
}

/// `monday` … `sunday` for 1 … 7 (the keys of `day.*`).
fn weekday_key(weekday: i64) -> &'static str {
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        [usize::try_from(weekday.clamp(1, 7) - 1).unwrap_or(0)]
}

/// Cents as a French decimal for an input (`3,50`).
fn cents_input(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

async fn settings_page(
    state: &AppState,
    page: Page,
    user: &User,
    drive: Drive,
    errors: FormErrors,
) -> AppResult<Response> {
    let points = slots::points(&state.db, &drive).await?;
    let templates = slots::templates(&state.db, &drive).await?;
    let closures = slots::closures(&state.db, &drive).await?;
    let communes = crate::territory::communes(&state.db, drive.territory.id).await?;
    let upcoming = slots::upcoming_slots(&state.db, &drive).await?.into_iter().take(12).collect();
    let is_moderator = crate::directory::is_moderator(&state.db, user, drive.territory.id).await?;
    let notices = crate::orders::notices(&state.db, &drive).await?;
    let status =
        if errors.any() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    render_status(
        status,
        &SettingsPage {
            base: base_of(&drive),
            page,
            drive,
            points,
            templates,
            closures,
            communes,
            upcoming,
            errors,
            is_moderator,
            notices,
        },
    )
}

async fn show_settings(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
) -> AppResult<Response> {
    settings_page(&state, page, &user, drive, FormErrors::default()).await
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn all<'a>(form: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    form.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Runs a settings action; on a field error the settings page is shown again with it, on a
/// conflict the message is flashed.
async fn after(
    state: &AppState,
    page: Page,
    user: &User,
    drive: Drive,
    outcome: AppResult<()>,
    done: &'static str,
) -> AppResult<Response> {
    let base = base_of(&drive);
    let session = page.form_session()?.clone();
    match outcome {
        Ok(()) => page::flash(&session, done).await?,
        Err(AppError::Invalid(fields)) => {
            return settings_page(state, page, user, drive, FormErrors(fields)).await;
        }
        Err(AppError::Conflict(key)) => page::flash(&session, key).await?,
        Err(err) => return Err(err),
    }
    Ok(see_other(&format!("{base}/reglages")))
}

/// What a settings form posts: the settings themselves, or one point, template series,
/// closure or slot to add.
#[derive(Clone, Copy)]
enum Change {
    Settings,
    Point,
    Templates,
    Closure,
    Slot,
    Notices,
}

/// The POST route of one settings form.
fn change(kind: Change) -> MethodRouter<AppState> {
    post(move |state: State<AppState>, manager: ManagerPage<Drive>, form: Form<Vec<(String, String)>>| {
        change_settings(state, manager, form, kind)
    })
}

async fn change_settings(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
    Form(form): Form<Vec<(String, String)>>,
    kind: Change,
) -> AppResult<Response> {
    let (outcome, done) = match kind {
        Change::Settings => (save_settings_form(&state, &user, &drive, &form).await, "orders.settings_saved"),
        Change::Point => (add_point(&state, &user, &drive, &form).await, "orders.point_added"),
        Change::Templates => (add_templates(&state, &user, &drive, &form).await, "orders.template_added"),
        Change::Closure => (add_closure(&state, &user, &drive, &form).await, "orders.closure_added"),
        Change::Slot => (add_slot(&state, &user, &drive, &form).await, "orders.slot_added"),
        Change::Notices => {
            let each_order = field(&form, "each_order") == "on";
            let saved = crate::orders::save_notices(
                &state.db,
                &user,
                drive.business.id,
                each_order,
                field(&form, "summary_time"),
            )
            .await
            .map(|_| ());
            (saved, "orders.notices_saved")
        }
    };
    after(&state, page, &user, drive, outcome, done).await
}

async fn save_settings_form(
    state: &AppState,
    user: &User,
    drive: &Drive,
    form: &[(String, String)],
) -> AppResult<()> {
    let id = drive.business.id;
    let money = |name: &str| {
        let text = field(form, name).trim();
        if text.is_empty() { Some(0) } else { parse_price_cents(text) }
    };
    let input = SettingsInput {
        cutoff_days: field(form, "cutoff_days").trim().parse().ok(),
        cutoff_time: field(form, "cutoff_time").to_owned(),
        lead_minutes: field(form, "lead_minutes").trim().parse().unwrap_or(-1),
        days_ahead: field(form, "days_ahead").trim().parse().unwrap_or(0),
        payment_methods: all(form, "payment").map(str::to_owned).collect(),
        delivery_fee_cents: money("delivery_fee").unwrap_or(-1),
        delivery_minimum_cents: money("delivery_minimum").unwrap_or(-1),
        delivery_communes: all(form, "commune").filter_map(|c| c.parse().ok()).collect(),
    };
    slots::save_settings(&state.db, user, id, &input).await.map(|_| ())
}

async fn add_point(state: &AppState, user: &User, drive: &Drive, form: &[(String, String)]) -> AppResult<()> {
    let id = drive.business.id;
    let shared = field(form, "shared") == "1";
    slots::add_point(&state.db, user, id, field(form, "name"), field(form, "address"), shared)
        .await
        .map(|_| ())
}

async fn add_templates(
    state: &AppState,
    user: &User,
    drive: &Drive,
    form: &[(String, String)],
) -> AppResult<()> {
    let id = drive.business.id;
    let input = TemplateInput {
        pickup_point_id: field(form, "point").parse().ok(),
        weekdays: all(form, "weekday").filter_map(|d| d.parse().ok()).collect(),
        start: field(form, "start").to_owned(),
        end: field(form, "end").to_owned(),
        slot_minutes: field(form, "slot_minutes").trim().parse().unwrap_or(0),
        capacity: field(form, "capacity").trim().parse().unwrap_or(0),
    };
    slots::add_templates(&state.db, user, id, &input).await.map(|_| ())
}

async fn add_closure(
    state: &AppState,
    user: &User,
    drive: &Drive,
    form: &[(String, String)],
) -> AppResult<()> {
    let id = drive.business.id;
    let first = field(form, "first_day").parse().ok();
    let last = field(form, "last_day").parse().ok();
    slots::add_closure(&state.db, user, id, first, last, field(form, "reason")).await
}

/// What a settings removal takes away: a pickup point, a weekly template or a closure.
#[derive(Clone, Copy)]
enum Removal {
    Point,
    Template,
    Closure,
}

/// The POST route removing one item of the settings, the item's id last in the path.
fn removal(kind: Removal) -> MethodRouter<AppState> {
    post(move |state: State<AppState>, manager: ManagerPage<Drive>, path: Path<(String, i64, i64)>| {
        remove_setting(state, manager, path, kind)
    })
}

async fn remove_setting(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: drive }: ManagerPage<Drive>,
    Path((_, _, item)): Path<(String, i64, i64)>,
    kind: Removal,
) -> AppResult<Response> {
    let (outcome, done) = match kind {
        Removal::Point => (slots::remove_point(&state.db, &user, id, item).await, "orders.point_removed"),
        Removal::Template => {
            (slots::remove_template(&state.db, &user, id, item).await, "orders.template_removed")
        }
        Removal::Closure => {
            (slots::remove_closure(&state.db, &user, id, item).await, "orders.closure_removed")
        }
    };
    after(&state, page, &user, drive, outcome, done).await
}

async fn add_slot(state: &AppState, user: &User, drive: &Drive, form: &[(String, String)]) -> AppResult<()> {
    let id = drive.business.id;
    let tz = drive.tz();
    let day: Option<Date> = field(form, "day").parse().ok();
    let start = schedule::parse_time_of_day(field(form, "start"));
    let end = schedule::parse_time_of_day(field(form, "end"));
    match (day, start, end) {
        (None, _, _) => Err(AppError::invalid("day", "orders.error.date")),
        (_, None, _) | (_, _, None) => Err(AppError::invalid("start", "orders.error.time")),
        (Some(day), Some(start), Some(end)) => {
            let span = (
                schedule::local_instant(day, start, &tz).unwrap_or(0),
                schedule::local_instant(day, end, &tz).unwrap_or(0),
            );
            let capacity = field(form, "capacity").trim().parse().unwrap_or(0);
            let place = field(form, "point").parse().map_or(SlotPlace::Delivery, SlotPlace::Point);
            slots::add_slot(&state.db, user, id, place, span, capacity).await.map(|_| ())
        }
    }
}

#[derive(Template)]
#[template(path = "orders/dashboard.html")]
struct DashboardPage {
    page: Page,
    drive: Drive,
    base: String,
    orders_chart: BarChart,
    revenue_chart: BarChart,
    fill_chart: BarChart,
}

async fn show_dashboard(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: drive }: ManagerPage<Drive>,
) -> AppResult<Response> {
    let lang = page.lang();
    let tz = drive.tz();
    let weeks = crate::orders::checkout::weekly_figures(&state.db, &user, id, 12).await?;
    let week_label = |monday: &Date| crate::web::fmt::short_day(*monday, lang);
    let orders: Vec<_> =
        weeks.iter().map(|(monday, count, _)| (week_label(monday), *count, count.to_string())).collect();
    let revenue: Vec<_> = weeks
        .iter()
        .map(|(monday, _, cents)| (week_label(monday), *cents, crate::web::fmt::price(*cents, lang)))
        .collect();
    let first = today(&tz).checked_sub(6.days()).unwrap_or(today(&tz));
    let (from, to) = slots::day_span(first, today(&tz).checked_add(7.days()).unwrap_or(first), &tz);
    let slots = slots::slots(&state.db, &drive, from, to).await?;
    let mut days: Vec<(Date, i64, i64)> = Vec::new();
    for view in &slots {
        match days.iter_mut().find(|(d, _, _)| *d == view.day) {
            Some(day) => {
                day.1 += view.slot.reserved;
                day.2 += view.slot.capacity;
            }
            None => days.push((view.day, view.slot.reserved, view.slot.capacity)),
        }
    }
    let fill: Vec<_> = days
        .iter()
        .map(|(day, reserved, capacity)| {
            let percent = if *capacity > 0 { reserved * 100 / capacity } else { 0 };
            (crate::web::fmt::short_day(*day, lang), percent, format!("{percent}\u{a0}%"))
        })
        .collect();
    let t = page.t;
    render(&DashboardPage {
        orders_chart: charts::bar_chart(t.get("orders.chart.orders").to_owned(), &orders),
        revenue_chart: charts::bar_chart(t.get("orders.chart.revenue").to_owned(), &revenue),
        fill_chart: charts::bar_chart(t.get("orders.chart.fill").to_owned(), &fill),
        base: base_of(&drive),
        page,
        drive,
    })
}

#[derive(Template)]
#[template(path = "orders/demand.html")]
struct DemandPage {
    page: Page,
    drive: Drive,
    base: String,
    demand: Demand,
}

impl DemandPage {
    fn period(&self, period: &Period) -> String {
        period_label(&self.page, period)
    }

    fn unit_label(&self, unit: &str) -> &'static str {
        super::customer::unit_label(&self.page, unit)
    }
}

/// A column's heading: the day in words, or "semaine du 10 décembre".
fn period_label(page: &Page, period: &Period) -> String {
    let day = crate::web::fmt::day(period.first, page.lang());
    if period.first == period.last { day } else { page.t.fill("orders.demand.week_of", &[("day", &day)]) }
}

async fn show_demand(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
) -> AppResult<Response> {
    let demand = crate::orders::demand(&state.db, &user, drive.business.id).await?;
    render(&DemandPage { base: base_of(&drive), page, drive, demand })
}

async fn export_demand(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: drive, .. }: ManagerPage<Drive>,
) -> AppResult<Response> {
    let demand = crate::orders::demand(&state.db, &user, drive.business.id).await?;
    let t = page.t;
    let mut writer = CsvWriter::with_bom(';');
    let mut header = vec![
        t.get("orders.csv.reference").to_owned(),
        t.get("orders.csv.product").to_owned(),
        t.get("orders.demand.unit").to_owned(),
    ];
    header.extend(demand.periods.iter().map(|p| period_label(&page, p)));
    header.push(t.get("orders.demand.total").to_owned());
    writer.write_row(header);
    for row in &demand.rows {
        let mut cells = vec![
            row.reference.clone(),
            row.name.clone(),
            super::customer::unit_label(&page, &row.unit).to_owned(),
        ];
        cells.extend(row.quantities.iter().map(i64::to_string));
        cells.push(row.total.to_string());
        writer.write_row(cells);
    }
    let first = demand.periods.first().map(|p| p.first.to_string()).unwrap_or_default();
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"demande-{first}.csv\"")),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        writer.into_bytes(),
    )
        .into_response())
}
