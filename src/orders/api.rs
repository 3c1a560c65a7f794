//! The drive's JSON API: slots and slot templates, the cart and its checkout, orders, status
//! changes and cancellation. Same domain functions as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::checkout::{self, OrderDetail, OrderRequest, cart_owner};
use super::schedule::SlotTemplate;
use super::slots::{self, SlotPlace, TemplateInput, today};
use super::{Order, OrderLine, OrderStatus, PaymentMode, PickupPoint, ShopChoice};
use crate::api::{ListPage, rfc3339};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::ApiJson;
use crate::web::auth::ApiUser;

/// The drive API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_slots, add_slot))
        .routes(routes!(list_points, add_point))
        .routes(routes!(list_templates, add_templates))
        .routes(routes!(remove_template))
        .routes(routes!(pause_orders))
        .routes(routes!(business_orders))
        .routes(routes!(show_cart))
        .routes(routes!(add_cart_item))
        .routes(routes!(set_cart_item, remove_cart_item))
        .routes(routes!(checkout_cart))
        .routes(routes!(list_orders, place_order))
        .routes(routes!(get_order))
        .routes(routes!(change_status))
        .routes(routes!(cancel_order))
}

fn parse_instant(text: &str, field: &'static str) -> AppResult<i64> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| AppError::invalid(field, "orders.error.rfc3339"))
}

/// A slot in the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotJson {
    /// Identifier.
    pub id: i64,
    /// Start (RFC 3339).
    pub starts_at: String,
    /// End (RFC 3339).
    pub ends_at: String,
    /// Orders it takes.
    pub capacity: i64,
    /// Places left.
    pub remaining: i64,
    /// `pickup` or `delivery`.
    pub fulfilment: String,
    /// Pickup point id (pickup slots).
    pub pickup_point_id: Option<i64>,
    /// Pickup point name and address.
    pub pickup_point: String,
    /// Last moment to order (RFC 3339).
    pub order_before: String,
    /// True when it can be chosen now (not full, not past its cut-off, orders not paused).
    pub bookable: bool,
}

impl From<slots::SlotView> for SlotJson {
    fn from(view: slots::SlotView) -> Self {
        Self {
            id: view.slot.id,
            starts_at: rfc3339(view.slot.starts_at),
            ends_at: rfc3339(view.slot.ends_at),
            capacity: view.slot.capacity,
            remaining: view.slot.remaining(),
            fulfilment: view.slot.fulfilment().as_str().to_owned(),
            pickup_point_id: view.slot.pickup_point_id,
            pickup_point: view.point,
            order_before: rfc3339(view.deadline),
            bookable: view.is_bookable,
        }
    }
}

/// Slot filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotParams {
    /// From (RFC 3339); default now.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Until (RFC 3339), at most 120 days after `from`; default the business's publication
    /// horizon, or 90 days after `from`.
    #[param(format = DateTime)]
    pub to: Option<String>,
}

/// The slots of a published business, with the places left.
#[utoipa::path(get, path = "/businesses/{id}/slots", tag = "drive",
    params(("id" = i64, Path, description = "Business"), SlotParams),
    responses(
        (status = 200, description = "Slots in time order", body = ListPage<SlotJson>),
        (status = 404, description = "No such published business"),
        (status = 422, description = "`from` or `to` is not an RFC 3339 time"),
    ))]
pub async fn list_slots(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(params): Query<SlotParams>,
) -> AppResult<Json<ListPage<SlotJson>>> {
    let drive = slots::public_drive(&state.db, id).await?;
    let views = match (&params.from, &params.to) {
        (None, None) => slots::upcoming_slots(&state.db, &drive).await?,
        _ => {
            let from = params
                .from
                .as_deref()
                .map(|f| parse_instant(f, "from"))
                .transpose()?
                .unwrap_or_else(crate::db::now);
            let to = params
                .to
                .as_deref()
                .map(|t| parse_instant(t, "to"))
                .transpose()?
                .unwrap_or(from + 90 * 86_400);
            if to - from > 120 * 86_400 {
                return Err(AppError::invalid("to", "orders.error.span"));
            }
            slots::slots(&state.db, &drive, from, to).await?
        }
    };
    Ok(Json(views.into_iter().map(SlotJson::from).collect()))
}

/// A one-off slot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSlot {
    /// Start (RFC 3339).
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// End (RFC 3339).
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// Orders it takes.
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: i64,
    /// Pickup point; when absent, the shop's own pickup point if it does click-and-collect
    /// (made from its address on first use), else a delivery slot.
    pub pickup_point_id: Option<i64>,
    /// Asks for a delivery slot (for a shop doing both); refused when the shop does not deliver.
    #[serde(default)]
    pub delivery: bool,
}

/// Adds a one-off slot (the business's managers): at a pickup point, at the shop itself (no
/// point given: its own point, made on first use), or a delivery slot (`delivery`).
#[utoipa::path(post, path = "/businesses/{id}/slots", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")), request_body = NewSlot,
    responses(
        (status = 201, description = "Created", body = SlotJson),
        (status = 403, description = "Not a manager of this business"),
        (status = 404, description = "No such business"),
        (status = 409, description = "A slot already starts then"),
        (status = 422, description = "Invalid fields, or a place the shop does not offer (no click-and-collect, no delivery)"),
    ))]
pub async fn add_slot(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NewSlot>,
) -> AppResult<(StatusCode, Json<SlotJson>)> {
    let span = (parse_instant(&input.starts_at, "starts_at")?, parse_instant(&input.ends_at, "ends_at")?);
    let place = match (input.pickup_point_id, input.delivery) {
        (Some(_), true) => return Err(AppError::invalid("delivery", "orders.error.delivery_with_point")),
        (Some(point), false) => SlotPlace::Point(point),
        (None, true) => SlotPlace::Delivery,
        (None, false) => SlotPlace::Shop,
    };
    let slot = slots::add_slot(&state.db, &user, id, place, span, input.capacity).await?;
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    let view = slots::slots(&state.db, &drive, slot.starts_at, slot.starts_at + 1)
        .await?
        .into_iter()
        .find(|v| v.slot.id == slot.id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A new pickup point.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPoint {
    /// Name, e.g. "La boutique".
    #[schema(max_length = 120, pattern = r"\S")]
    pub name: String,
    /// Address.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: String,
    /// A place shared by every business of the territory (moderators only).
    #[serde(default)]
    pub shared: bool,
}

/// The pickup points a business may use: its own and the territory's shared places.
#[utoipa::path(get, path = "/businesses/{id}/pickup-points", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")),
    responses(
        (status = 200, description = "Pickup points", body = ListPage<PickupPoint>),
        (status = 403, description = "Not a manager of this business"),
    ))]
pub async fn list_points(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ListPage<PickupPoint>>> {
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    Ok(Json(slots::points(&state.db, &drive).await?.into_iter().collect()))
}

/// Adds a pickup point (the business's managers; a shared place needs a moderator).
#[utoipa::path(post, path = "/businesses/{id}/pickup-points", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")), request_body = NewPoint,
    responses(
        (status = 201, description = "Created", body = PickupPoint),
        (status = 403, description = "Not a manager of this business, or a shared place asked by someone who is not a moderator"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn add_point(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NewPoint>,
) -> AppResult<(StatusCode, Json<PickupPoint>)> {
    let point_id = slots::add_point(&state.db, &user, id, &input.name, &input.address, input.shared).await?;
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    let point = slots::points(&state.db, &drive)
        .await?
        .into_iter()
        .find(|p| p.id == point_id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(point)))
}

/// The weekly slot templates of a business (its managers).
#[utoipa::path(get, path = "/businesses/{id}/slot-templates", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")),
    responses(
        (status = 200, description = "Templates", body = ListPage<SlotTemplate>),
        (status = 403, description = "Not a manager of this business"),
    ))]
pub async fn list_templates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ListPage<SlotTemplate>>> {
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    Ok(Json(slots::templates(&state.db, &drive).await?.into_iter().collect()))
}

/// Adds weekly templates, one per chosen weekday (`start`/`end` as `09:00`).
#[utoipa::path(post, path = "/businesses/{id}/slot-templates", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")), request_body = TemplateInput,
    responses(
        (status = 201, description = "Created; the business's templates", body = ListPage<SlotTemplate>),
        (status = 403, description = "Not a manager of this business"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn add_templates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> AppResult<(StatusCode, Json<ListPage<SlotTemplate>>)> {
    slots::add_templates(&state.db, &user, id, &input).await?;
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    Ok((StatusCode::CREATED, Json(slots::templates(&state.db, &drive).await?.into_iter().collect())))
}

/// Removes a template and its future slots without orders.
#[utoipa::path(delete, path = "/businesses/{id}/slot-templates/{template_id}", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business"), ("template_id" = i64, Path, description = "Template")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a manager of this business"),
    ))]
pub async fn remove_template(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, template_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    slots::remove_template(&state.db, &user, id, template_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The pause switch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Pause {
    /// True stops new orders at once; false takes them again.
    pub paused: bool,
}

/// Pauses or resumes new orders (the business's managers).
#[utoipa::path(post, path = "/businesses/{id}/pause", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business")), request_body = Pause,
    responses(
        (status = 204, description = "Done"),
        (status = 403, description = "Not a manager of this business"),
    ))]
pub async fn pause_orders(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Pause>,
) -> AppResult<StatusCode> {
    slots::set_paused(&state.db, &user, id, input.paused).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A line of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineJson {
    /// Identifier (to give a weighed price).
    pub id: i64,
    /// Product (null once deleted).
    pub product_id: Option<i64>,
    /// Reference.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Quantity.
    pub quantity: i64,
    /// Price per unit in cents.
    pub unit_price_cents: i64,
    /// Line amount in cents (the weighed price once prepared).
    pub line_cents: i64,
    /// Priced when weighed.
    pub sold_by_weight: bool,
}

impl From<OrderLine> for OrderLineJson {
    fn from(l: OrderLine) -> Self {
        Self {
            id: l.id,
            product_id: l.product_id,
            reference: l.reference,
            name: l.name,
            unit: l.unit,
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            line_cents: l.line_cents,
            sold_by_weight: l.sold_by_weight,
        }
    }
}

/// An order in the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderJson {
    /// Identifier, also the order number.
    pub id: i64,
    /// Business.
    pub business_id: i64,
    /// `new`, `accepted`, `prepared`, `ready`, `collected`, `cancelled` or `no_show`.
    pub status: OrderStatus,
    /// `pickup` or `delivery`.
    pub fulfilment: String,
    /// Slot.
    pub slot_id: i64,
    /// Slot start (RFC 3339).
    pub starts_at: String,
    /// Slot end (RFC 3339).
    pub ends_at: String,
    /// Pickup point.
    pub pickup_point: String,
    /// Delivery address.
    pub delivery_address: String,
    /// Payment mode.
    pub payment: String,
    /// Sum of the lines in cents.
    pub subtotal_cents: i64,
    /// Delivery fee in cents.
    pub delivery_fee_cents: i64,
    /// Total in cents.
    pub total_cents: i64,
    /// Placed at (RFC 3339).
    pub created_at: String,
    /// Lines (single-order answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<OrderLineJson>>,
}

impl OrderJson {
    fn new(o: Order, lines: Option<Vec<OrderLine>>) -> Self {
        Self {
            status: o.status(),
            id: o.id,
            business_id: o.business_id,
            fulfilment: o.fulfilment,
            slot_id: o.slot_id,
            starts_at: rfc3339(o.starts_at),
            ends_at: rfc3339(o.ends_at),
            pickup_point: o.pickup_point_name,
            delivery_address: o.delivery_address,
            payment: o.payment,
            subtotal_cents: o.subtotal_cents,
            delivery_fee_cents: o.delivery_fee_cents,
            total_cents: o.total_cents,
            created_at: rfc3339(o.created_at),
            lines: lines.map(|ls| ls.into_iter().map(OrderLineJson::from).collect()),
        }
    }

    fn from_detail(detail: OrderDetail) -> Self {
        Self::new(detail.order, Some(detail.lines))
    }
}

/// Orders of a business on one day.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The day, `YYYY-MM-DD` (default today).
    #[param(format = Date)]
    pub date: Option<String>,
    /// Order number or customer name (any date).
    pub q: Option<String>,
}

/// A business's orders for one day, by slot (its managers).
#[utoipa::path(get, path = "/businesses/{id}/orders", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business"), DayParams),
    responses(
        (status = 200, description = "Orders with their lines", body = ListPage<OrderJson>),
        (status = 403, description = "Not a manager of this business"),
        (status = 422, description = "`date` is not a day"),
    ))]
pub async fn business_orders(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<DayParams>,
) -> AppResult<Json<ListPage<OrderJson>>> {
    let drive = slots::managed_drive(&state.db, &user, id).await?;
    let day = match params.date.as_deref() {
        Some(text) => text.parse().map_err(|_| AppError::invalid("date", "orders.error.date"))?,
        None => today(&drive.tz()),
    };
    let (_, orders) =
        checkout::business_orders(&state.db, &user, id, day, params.q.as_deref().unwrap_or_default()).await?;
    Ok(Json(orders.into_iter().map(|(o, l)| OrderJson::new(o, Some(l))).collect()))
}

/// A line of the cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartLineJson {
    /// Product.
    pub product_id: i64,
    /// Business.
    pub business_id: i64,
    /// Name.
    pub name: String,
    /// Quantity.
    pub quantity: i64,
    /// Current price per unit in cents.
    pub unit_price_cents: i64,
    /// Quantity × price in cents.
    pub line_cents: i64,
    /// True when it cannot be ordered in this quantity now.
    pub short: bool,
}

/// The cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartJson {
    /// Lines, grouped by business in order of addition.
    pub items: Vec<CartLineJson>,
    /// Sum in cents.
    pub total_cents: i64,
}

async fn cart_json(state: &AppState, user: &crate::accounts::User) -> AppResult<CartJson> {
    let owner = cart_owner(Some(user), None).unwrap_or_default();
    let cart = checkout::cart(&state.db, &owner).await?;
    let items = cart
        .groups
        .iter()
        .flat_map(|g| g.lines.iter())
        .map(|l| CartLineJson {
            product_id: l.product.id,
            business_id: l.product.business_id,
            name: l.product.name.clone(),
            quantity: l.quantity,
            unit_price_cents: l.product.price_cents,
            line_cents: l.line_cents,
            short: l.is_short,
        })
        .collect();
    Ok(CartJson { items, total_cents: cart.total_cents })
}

/// The signed-in member's cart.
#[utoipa::path(get, path = "/cart", tag = "drive", security(("bearer" = [])),
    responses((status = 200, description = "The cart", body = CartJson)))]
pub async fn show_cart(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<CartJson>> {
    Ok(Json(cart_json(&state, &user).await?))
}

/// A product and a quantity.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemInput {
    /// Product.
    pub product_id: i64,
    /// Quantity (1 to 999).
    #[schema(minimum = 1, maximum = 999)]
    pub quantity: i64,
}

/// Adds units of a product to the cart.
#[utoipa::path(post, path = "/cart/items", tag = "drive", security(("bearer" = [])), request_body = ItemInput,
    responses(
        (status = 200, description = "The cart", body = CartJson),
        (status = 404, description = "No such product"),
        (status = 409, description = "Not orderable"),
        (status = 422, description = "The quantity is not between 1 and 999"),
    ))]
pub async fn add_cart_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<ItemInput>,
) -> AppResult<Json<CartJson>> {
    let owner = cart_owner(Some(&user), None).unwrap_or_default();
    checkout::add_to_cart(&state.db, &owner, input.product_id, input.quantity).await?;
    Ok(Json(cart_json(&state, &user).await?))
}

/// A quantity.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuantityInput {
    /// Quantity (0 removes).
    #[schema(minimum = 0, maximum = 999)]
    pub quantity: i64,
}

/// Sets a product's quantity in the cart.
#[utoipa::path(put, path = "/cart/items/{product_id}", tag = "drive", security(("bearer" = [])),
    params(("product_id" = i64, Path, description = "Product")), request_body = QuantityInput,
    responses(
        (status = 200, description = "The cart", body = CartJson),
        (status = 404, description = "No such product"),
        (status = 409, description = "Not orderable in this quantity"),
        (status = 422, description = "The quantity is not between 0 and 999"),
    ))]
pub async fn set_cart_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(product_id): Path<i64>,
    ApiJson(input): ApiJson<QuantityInput>,
) -> AppResult<Json<CartJson>> {
    let owner = cart_owner(Some(&user), None).unwrap_or_default();
    checkout::set_cart_quantity(&state.db, &owner, product_id, input.quantity).await?;
    Ok(Json(cart_json(&state, &user).await?))
}

/// Removes a product from the cart.
#[utoipa::path(delete, path = "/cart/items/{product_id}", tag = "drive", security(("bearer" = [])),
    params(("product_id" = i64, Path, description = "Product")),
    responses((status = 200, description = "The cart", body = CartJson)))]
pub async fn remove_cart_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(product_id): Path<i64>,
) -> AppResult<Json<CartJson>> {
    let owner = cart_owner(Some(&user), None).unwrap_or_default();
    checkout::set_cart_quantity(&state.db, &owner, product_id, 0).await?;
    Ok(Json(cart_json(&state, &user).await?))
}

/// The choices for one business of the cart.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutChoice {
    /// Business.
    pub business_id: i64,
    /// Slot.
    pub slot_id: i64,
    /// Delivery address (delivery slots).
    #[serde(default)]
    pub delivery_address: String,
    /// Delivery commune (delivery slots).
    pub delivery_commune_id: Option<i64>,
    /// Note for the merchant.
    #[serde(default)]
    pub note: String,
}

/// A checkout of the whole cart.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutInput {
    /// One choice per business of the cart.
    #[schema(min_items = 1)]
    pub choices: Vec<CheckoutChoice>,
    /// `on_pickup`, or `local_currency` (paid now from the member's account in the territory's currency).
    pub payment: PaymentMode,
}

/// Places one order per business of the cart, all or nothing. Send an `Idempotency-Key` header
/// to make retries safe.
#[utoipa::path(post, path = "/cart/checkout", tag = "drive", security(("bearer" = [])), request_body = CheckoutInput,
    responses(
        (status = 201, description = "The orders", body = ListPage<OrderJson>),
        (status = 404, description = "No such business or slot"),
        (status = 409, description = "A product is no longer available, a slot is full or closed"),
        (status = 422, description = "Invalid choices"),
    ))]
pub async fn checkout_cart(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> AppResult<(StatusCode, Json<ListPage<OrderJson>>)> {
    let owner = cart_owner(Some(&user), None).unwrap_or_default();
    let cart = checkout::cart(&state.db, &owner).await?;
    let pays_now = input.payment == PaymentMode::LocalCurrency;
    let choices: Vec<ShopChoice> = input
        .choices
        .into_iter()
        .map(|c| ShopChoice {
            business_id: c.business_id,
            slot_id: Some(c.slot_id),
            address: c.delivery_address,
            commune_id: c.delivery_commune_id,
            pays_now,
            note: c.note,
        })
        .collect();
    let orders = super::place_cart(
        &state.db,
        &state.base_url,
        &user,
        (&owner, cart),
        &choices,
        idempotency_key(&headers),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(orders.into_iter().map(|o| OrderJson::new(o, None)).collect())))
}

fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty())
}

/// A direct order at one business.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderInput {
    /// Business.
    pub business_id: i64,
    /// Slot.
    pub slot_id: i64,
    /// Products and quantities.
    #[schema(min_items = 1)]
    pub items: Vec<ItemInput>,
    /// `on_pickup`, or `local_currency` (paid now from the member's account in the territory's currency).
    pub payment: PaymentMode,
    /// Delivery address (delivery slots).
    #[serde(default)]
    pub delivery_address: String,
    /// Delivery commune (delivery slots).
    pub delivery_commune_id: Option<i64>,
    /// Note for the merchant.
    #[serde(default)]
    pub note: String,
}

/// Places an order at one business. Stock and the slot's place are reserved at once; send an
/// `Idempotency-Key` header to make retries safe.
#[utoipa::path(post, path = "/orders", tag = "drive", security(("bearer" = [])), request_body = OrderInput,
    responses(
        (status = 201, description = "Placed", body = OrderJson),
        (status = 404, description = "No such business or slot"),
        (status = 409, description = "A product is no longer available, the slot is full or past its cut-off, or orders are paused"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn place_order(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<OrderInput>,
) -> AppResult<(StatusCode, Json<OrderJson>)> {
    let request = OrderRequest {
        business_id: input.business_id,
        slot_id: input.slot_id,
        items: input.items.iter().map(|i| (i.product_id, i.quantity)).collect(),
        payment: input.payment,
        delivery_address: input.delivery_address,
        delivery_commune_id: input.delivery_commune_id,
        note: input.note,
    };
    let orders = checkout::place_orders(
        &state.db,
        &state.base_url,
        &user,
        &[request],
        idempotency_key(&headers),
        None,
    )
    .await?;
    let order = orders.into_iter().next().ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(OrderJson::new(order, None))))
}

/// The signed-in member's orders, newest first.
#[utoipa::path(get, path = "/orders", tag = "drive", security(("bearer" = [])),
    responses((status = 200, description = "Orders", body = ListPage<OrderJson>)))]
pub async fn list_orders(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<ListPage<OrderJson>>> {
    let orders = checkout::my_orders(&state.db, &user).await?;
    Ok(Json(orders.into_iter().map(|m| OrderJson::new(m.order, None)).collect()))
}

/// One order, for its customer or the business's managers.
#[utoipa::path(get, path = "/orders/{id}", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order")),
    responses(
        (status = 200, description = "The order with its lines", body = OrderJson),
        (status = 404, description = "No such order, or not yours"),
    ))]
pub async fn get_order(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<OrderJson>> {
    Ok(Json(OrderJson::from_detail(checkout::order_detail(&state.db, &user, id).await?)))
}

/// A weighed price.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WeighedInput {
    /// Line id.
    pub line_id: i64,
    /// Weighed price of the line in cents.
    #[schema(minimum = 0, maximum = 10000000)]
    pub price_cents: i64,
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusInput {
    /// The new status.
    pub status: OrderStatus,
    /// Weighed prices of lines sold by weight.
    #[serde(default)]
    pub weighed: Vec<WeighedInput>,
}

/// Moves an order along new → accepted → prepared → ready → collected, or to cancelled /
/// no_show (the business's managers). The customer is emailed at accepted, ready and cancelled.
#[utoipa::path(post, path = "/orders/{id}/status", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order")), request_body = StatusInput,
    responses(
        (status = 200, description = "The order", body = OrderJson),
        (status = 403, description = "Not a manager of the business"),
        (status = 409, description = "Not allowed from the current status"),
        (status = 422, description = "A weighed price is missing or invalid"),
    ))]
pub async fn change_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> AppResult<Json<OrderJson>> {
    let weighed: Vec<(i64, i64)> = input.weighed.iter().map(|w| (w.line_id, w.price_cents)).collect();
    checkout::change_status(&state.db, &state.base_url, &user, id, input.status, &weighed).await?;
    Ok(Json(OrderJson::from_detail(checkout::order_detail(&state.db, &user, id).await?)))
}

/// Cancels an order for its customer, before the cut-off: stock and place are given back.
#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "drive", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order")),
    responses(
        (status = 200, description = "The cancelled order", body = OrderJson),
        (status = 404, description = "No such order of yours"),
        (status = 409, description = "Too late to cancel"),
    ))]
pub async fn cancel_order(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<OrderJson>> {
    checkout::cancel_by_customer(&state.db, &state.base_url, &user, id).await?;
    Ok(Json(OrderJson::from_detail(checkout::order_detail(&state.db, &user, id).await?)))
}
