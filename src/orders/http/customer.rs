//! The customer's pages: the cart, choosing slots, the summary before confirming, the
//! confirmation, and "my orders" (status, cancel, order again, calendar file).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::orders::checkout::{self, Cart, OrderDetail, cart_owner};
use crate::orders::quote::{Quote, ShopQuote};
use crate::orders::slots::SlotView;
use crate::orders::{OrderStatus, PaymentMode};
use crate::web::auth::{CurrentUser, session_error};
use crate::web::page::{self, Page};
use crate::web::{FormErrors, render, render_status, see_other};

const VISITOR_KEY: &str = crate::orders::CART_SESSION_KEY;
use super::picker::{CheckoutGroup, PickerFragment, choice_fields, choices_from, turns_a_page};

/// Session key of the checkout's choices kept while a visitor signs in (or after a refusal).
const CHOICES_KEY: &str = "checkout_choices";
/// Where a visitor who wants to order is sent: the login page, which links to registration,
/// both coming back to the checkout.
const CHECKOUT_LOGIN: &str = "/login?next=%2Fpanier%2Fcommande";

/// The customer's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panier", get(show_cart))
        .route("/panier/ajouter", post(add_to_cart))
        .route("/panier/quantite", post(set_quantity))
        .route("/panier/commande", get(show_checkout))
        .route("/panier/recapitulatif", post(show_summary))
        .route("/panier/confirmer", post(confirm))
        .route("/mes-commandes", get(list_my_orders))
        .route("/mes-commandes/{id}", get(show_my_order))
        .route("/mes-commandes/{id}/annuler", post(cancel_order))
        .route("/mes-commandes/{id}/recommander", post(order_again))
        .route("/mes-commandes/{id}/calendrier.ics", get(download_calendar))
}

/// The visitor's cart token, created on first use.
async fn visitor_token(session: &Session, create: bool) -> AppResult<Option<String>> {
    if let Some(token) = session.get::<String>(VISITOR_KEY).await.map_err(session_error)? {
        return Ok(Some(token));
    }
    if !create {
        return Ok(None);
    }
    let token = crate::accounts::new_token();
    session.insert(VISITOR_KEY, &token).await.map_err(session_error)?;
    Ok(Some(token))
}

/// The cart's owner for this page; a signed-in member adopts what they added as a visitor.
async fn owner_of(state: &AppState, page: &Page, create: bool) -> AppResult<Option<String>> {
    let Some(session) = page.session.as_ref() else { return Ok(None) };
    let visitor = visitor_token(session, create && page.user.is_none()).await?;
    if let (Some(user), Some(token)) = (page.user.as_ref(), visitor.as_deref()) {
        checkout::adopt_visitor_cart(&state.db, token, user).await?;
        session.remove::<String>(VISITOR_KEY).await.map_err(session_error)?;
    }
    Ok(cart_owner(page.user.as_ref(), visitor.as_deref()))
}

#[derive(Template)]
#[template(path = "orders/cart.html")]
struct CartPage {
    page: Page,
    cart: Cart,
}

impl CartPage {
    /// A shop's delivery fee and minimum, and whether the cart reaches it, when it delivers.
    fn terms(&self, group: &checkout::CartGroup) -> Option<String> {
        crate::orders::delivery_terms(group).map(|t| super::picker::terms_text(&self.page.t, &t))
    }
}

async fn show_cart(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let page = page.with_csrf().await?;
    let cart = match owner_of(&state, &page, false).await? {
        Some(owner) => checkout::cart(&state.db, &owner).await?,
        None => Cart::default(),
    };
    render(&CartPage { page, cart })
}

#[derive(Deserialize)]
struct AddForm {
    product_id: i64,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    back: String,
}

/// What htmx swaps in after adding: the words by the button, and the header's cart link.
#[derive(Template)]
#[template(path = "orders/_added.html")]
struct AddedFragment {
    page: Page,
    /// Why nothing was added (i18n key).
    problem: Option<&'static str>,
}

/// Adds a product to the cart. With htmx, answers the fragment that says so by the button and
/// updates the cart link's count; without, goes back to the page and the product it came from.
async fn add_to_cart(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut page: Page,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let owner = owner_of(&state, &page, true).await?.ok_or(AppError::Csrf)?;
    let quantity = form.quantity.trim().parse::<i64>().unwrap_or(1);
    let back = page::local_path(Some(&form.back));
    let problem = match checkout::add_to_cart(&state.db, &owner, form.product_id, quantity).await {
        Ok(_) => None,
        Err(AppError::Invalid(_)) => Some("orders.error.quantity"),
        Err(AppError::Conflict(key)) => Some(key),
        Err(err) => return Err(err),
    };
    if headers.contains_key("hx-request") {
        page.cart_count = checkout::cart_count(&state.db, &[owner]).await?;
        return render(&AddedFragment { page, problem });
    }
    let session = page.form_session()?;
    match problem {
        None => {
            page::flash(session, "orders.cart.added").await?;
            page::mark_added(session, form.product_id).await?;
        }
        Some(key) => page::flash(session, key).await?,
    }
    Ok(see_other(if back == "/" { "/panier" } else { &back }))
}

#[derive(Deserialize)]
struct QuantityForm {
    product_id: i64,
    #[serde(default)]
    quantity: String,
}

async fn set_quantity(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<QuantityForm>,
) -> AppResult<Response> {
    let owner = owner_of(&state, &page, true).await?.ok_or(AppError::Csrf)?;
    let session = page.form_session()?;
    let quantity = form.quantity.trim().parse::<i64>().unwrap_or(-1);
    match checkout::set_cart_quantity(&state.db, &owner, form.product_id, quantity).await {
        Ok(()) => page::flash(session, "orders.cart.updated").await?,
        Err(AppError::Invalid(_)) => page::flash(session, "orders.error.quantity").await?,
        Err(AppError::Conflict(key)) => page::flash(session, key).await?,
        Err(err) => return Err(err),
    }
    Ok(see_other("/panier"))
}

/// The cart quoted with the form's choices.
async fn quote_form(state: &AppState, cart: Cart, form: &[(String, String)]) -> AppResult<Quote> {
    let choices = choices_from(form, &cart);
    crate::orders::quote_cart(&state.db, cart, &choices).await
}

fn checkout_groups(shops: Vec<ShopQuote>, form: &[(String, String)], page: &Page) -> Vec<CheckoutGroup> {
    shops.into_iter().map(|shop| CheckoutGroup::of(shop, form, page)).collect()
}

#[derive(Template)]
#[template(path = "orders/checkout.html")]
struct CheckoutPage {
    page: Page,
    groups: Vec<CheckoutGroup>,
    errors: FormErrors,
    total_cents: i64,
}

impl CheckoutPage {
    fn means(&self, group: &CheckoutGroup) -> String {
        payment_means(&self.page, &group.group.drive.settings)
    }
}

/// The label of a stored unit name (`piece` → "la pièce").
pub(super) fn unit_label(page: &Page, unit: &str) -> &'static str {
    page.t.get(crate::catalog::Unit::parse(unit).unwrap_or(crate::catalog::Unit::Piece).label_key())
}

/// The means of payment a business accepts on pickup, written out.
pub(super) fn payment_means(page: &Page, settings: &crate::orders::Settings) -> String {
    settings
        .payment_list()
        .iter()
        .map(|m| page.t.get(&format!("orders.payment.{m}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cart of this page's member or visitor (empty when there is none yet).
async fn current_cart(state: &AppState, page: &Page) -> AppResult<(String, Cart)> {
    let Some(owner) = owner_of(state, page, false).await? else {
        return Ok((String::new(), Cart::default()));
    };
    let cart = checkout::cart(&state.db, &owner).await?;
    Ok((owner, cart))
}

/// The choices to show on the checkout: those of the address (a picker's page, htmx), else
/// those kept in the session when a visitor went to sign in, or when placing failed.
async fn checkout_choices(page: &Page, query: Vec<(String, String)>) -> AppResult<Vec<(String, String)>> {
    let asked = choice_fields(&query);
    if !asked.is_empty() || query.iter().any(|(k, _)| k.starts_with("voir_")) {
        return Ok(query);
    }
    let Some(session) = page.session.as_ref() else { return Ok(query) };
    let kept = session.get::<Vec<(String, String)>>(CHOICES_KEY).await.map_err(session_error)?;
    Ok(kept.unwrap_or(query))
}

/// Keeps the checkout's choices in the session, for the checkout shown after signing in.
async fn keep_choices(page: &Page, form: &[(String, String)]) -> AppResult<()> {
    page.form_session()?.insert(CHOICES_KEY, choice_fields(form)).await.map_err(session_error)
}

#[derive(Deserialize)]
struct PickerQuery {
    boutique: Option<i64>,
}

/// The checkout, for members and visitors alike: visitors see the slots before they have an
/// account. With htmx and `boutique`, only that shop's picker (turning its pages).
async fn show_checkout(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Query(picker): Query<PickerQuery>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (_, cart) = current_cart(&state, &page).await?;
    if cart.groups.is_empty() {
        return Ok(see_other("/panier"));
    }
    let form = checkout_choices(&page, query).await?;
    let quote = quote_form(&state, cart, &form).await?;
    if let Some(id) = picker.boutique.filter(|_| headers.contains_key("hx-request")) {
        let shop =
            quote.shops.into_iter().find(|s| s.group.drive.business.id == id).ok_or(AppError::NotFound)?;
        let g = CheckoutGroup::of(shop, &form, &page);
        return render(&PickerFragment { page, g });
    }
    let page = page.with_csrf().await?;
    let total_cents = quote.subtotal_cents;
    let groups = checkout_groups(quote.shops, &form, &page);
    render(&CheckoutPage { page, groups, errors: FormErrors::default(), total_cents })
}

#[derive(Template)]
#[template(path = "orders/summary.html")]
struct SummaryPage {
    page: Page,
    groups: Vec<CheckoutGroup>,
    total_cents: i64,
    fees_cents: i64,
    token: String,
    fields: Vec<(String, String)>,
}

impl SummaryPage {
    fn slot_of(&self, group: &CheckoutGroup) -> Option<SlotView> {
        group.chosen_slot.clone()
    }

    fn commune_name(&self, group: &CheckoutGroup) -> String {
        group
            .chosen
            .commune_id
            .and_then(|id| group.communes.iter().find(|c| c.id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    fn slot_text(&self, group: &CheckoutGroup) -> String {
        self.slot_of(group)
            .map(|s| {
                checkout::slot_text(
                    s.slot.starts_at,
                    s.slot.ends_at,
                    &group.group.drive.tz(),
                    self.page.lang(),
                )
            })
            .unwrap_or_default()
    }
}

/// The summary before confirming. The same form also turns a picker's pages without
/// JavaScript (shown again with every choice kept), and sends a visitor to sign in or create an
/// account, their choices kept for the checkout they come back to.
async fn show_summary(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (_, cart) = current_cart(&state, &page).await?;
    if turns_a_page(&form) && !cart.groups.is_empty() {
        let quote = quote_form(&state, cart, &form).await?;
        let total_cents = quote.subtotal_cents;
        let groups = checkout_groups(quote.shops, &form, &page);
        return render(&CheckoutPage { page, groups, errors: FormErrors::default(), total_cents });
    }
    if page.user.is_none() {
        if !cart.groups.is_empty() {
            keep_choices(&page, &form).await?;
            page.flash("orders.checkout.sign_in_first").await?;
        }
        return Ok(see_other(CHECKOUT_LOGIN));
    }
    if cart.groups.is_empty() {
        return Ok(see_other("/panier"));
    }
    let quote = quote_form(&state, cart, &form).await?;
    let errors = quote.summary_errors();
    let (subtotal_cents, total_cents, fees_cents) =
        (quote.subtotal_cents, quote.total_cents(), quote.fees_cents);
    let groups = checkout_groups(quote.shops, &form, &page);
    if !errors.is_empty() {
        return render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &CheckoutPage { page, groups, errors: FormErrors(errors), total_cents: subtotal_cents },
        );
    }
    // "Change my choices" on the summary comes back to the checkout with them.
    keep_choices(&page, &form).await?;
    let fields = choice_fields(&form);
    let token = crate::accounts::new_token();
    render(&SummaryPage { page, groups, total_cents, fees_cents, token, fields })
}

async fn confirm(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (owner, cart) = current_cart(&state, &page).await?;
    let session = page.form_session()?;
    let token = form.iter().find(|(k, _)| k == "checkout_token").map(|(_, v)| v.clone()).unwrap_or_default();
    if token.is_empty() {
        return Err(AppError::BadRequest("orders.error.expired"));
    }
    if cart.groups.is_empty() {
        // Already placed (a second click): show what this token placed.
        return Ok(see_other("/mes-commandes"));
    }
    let choices = choices_from(&form, &cart);
    match crate::orders::place_cart(&state.db, &state.base_url, &user, (&owner, cart), &choices, Some(&token))
        .await
    {
        Ok(orders) => {
            session.remove::<Vec<(String, String)>>(CHOICES_KEY).await.map_err(session_error)?;
            let ids = orders.iter().map(|o| o.id.to_string()).collect::<Vec<_>>().join(",");
            Ok(see_other(&format!("/mes-commandes?confirmees={ids}")))
        }
        Err(AppError::Conflict(key)) => {
            page::flash(session, key).await?;
            Ok(see_other("/panier"))
        }
        Err(AppError::Invalid(fields)) => {
            keep_choices(&page, &form).await?;
            page::flash(session, fields.first().map_or("error.invalid", |f| f.message)).await?;
            Ok(see_other("/panier/commande"))
        }
        Err(err) => Err(err),
    }
}

#[derive(Template)]
#[template(path = "orders/mine.html")]
struct MyOrdersPage {
    page: Page,
    orders: Vec<checkout::MyOrder>,
    confirmed: Vec<i64>,
}

impl MyOrdersPage {
    fn when(&self, mine: &checkout::MyOrder) -> String {
        checkout::slot_text(mine.order.starts_at, mine.order.ends_at, &mine.tz, self.page.lang())
    }
}

#[derive(Deserialize, Default)]
struct MineQuery {
    #[serde(default)]
    confirmees: String,
}

async fn list_my_orders(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Query(query): Query<MineQuery>,
) -> AppResult<Response> {
    let orders = checkout::my_orders(&state.db, &user).await?;
    let confirmed: Vec<i64> = query
        .confirmees
        .split(',')
        .filter_map(|id| id.parse().ok())
        .filter(|id| orders.iter().any(|m| m.order.id == *id))
        .collect();
    render(&MyOrdersPage { page, orders, confirmed })
}

#[derive(Template)]
#[template(path = "orders/order.html")]
pub(super) struct OrderPage {
    pub(super) page: Page,
    pub(super) detail: OrderDetail,
    pub(super) manage_base: String,
}

impl OrderPage {
    fn when(&self) -> String {
        let o = &self.detail.order;
        checkout::slot_text(o.starts_at, o.ends_at, &self.detail.drive.tz(), self.page.lang())
    }

    fn day(&self) -> String {
        crate::orders::schedule::local_day(self.detail.order.starts_at, &self.detail.drive.tz())
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    fn at(&self, seconds: &i64) -> String {
        crate::web::fmt::timestamp(*seconds, &self.detail.drive.tz(), self.page.lang())
    }

    fn unit_label(&self, unit: &str) -> &'static str {
        unit_label(&self.page, unit)
    }

    /// The button moving the order to `next`, named as the action (a delivery is "Livrée", not
    /// handed over at the counter).
    fn action_key(&self, next: &OrderStatus) -> &'static str {
        match (next, self.detail.order.is_delivery()) {
            (OrderStatus::Ready, true) => "orders.to.ready_delivery",
            (OrderStatus::Collected, true) => "orders.to.collected_delivery",
            (next, _) => next.action_key(),
        }
    }

    /// How the order is paid: in local currency (paid, or refunded once cancelled), or on
    /// pickup with the means the shop takes (nothing is due once cancelled).
    fn payment_text(&self) -> String {
        let order = &self.detail.order;
        let cancelled = order.status() == OrderStatus::Cancelled;
        match (order.payment == PaymentMode::LocalCurrency.as_str(), cancelled) {
            (true, false) => self.page.t.get("orders.paid.local_currency").to_owned(),
            (true, true) => self.page.t.get("orders.paid.refunded").to_owned(),
            (false, true) => self.page.t.get("orders.paid.nothing_due").to_owned(),
            (false, false) => format!(
                "{} ({})",
                self.page.t.get("orders.payment.on_pickup"),
                payment_means(&self.page, &self.detail.drive.settings)
            ),
        }
    }
}

async fn show_my_order(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let detail = checkout::order_detail(&state.db, &user, id).await?;
    let manage_base =
        format!("/t/{}/annuaire/{}/drive", detail.drive.territory.slug, detail.drive.business.id);
    render(&OrderPage { page, detail, manage_base })
}

async fn cancel_order(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session = page.form_session()?;
    match checkout::cancel_by_customer(&state.db, &state.base_url, &user, id).await {
        Ok(_) => page::flash(session, "orders.cancelled").await?,
        Err(AppError::Conflict(key)) => page::flash(session, key).await?,
        Err(err) => return Err(err),
    }
    Ok(see_other(&format!("/mes-commandes/{id}")))
}

async fn order_again(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session = page.form_session()?;
    let added = checkout::order_again(&state.db, &user, id).await?;
    page::flash(session, if added > 0 { "orders.cart.reordered" } else { "orders.error.not_orderable" })
        .await?;
    Ok(see_other("/panier"))
}

async fn download_calendar(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let detail = checkout::order_detail(&state.db, &user, id).await?;
    let file = checkout::calendar_attachment(
        &state.base_url,
        &detail.drive,
        &detail.order,
        &detail.lines,
        user.lang(),
    );
    Ok((
        [
            (CONTENT_TYPE, file.content_type),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.filename)),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.content,
    )
        .into_response())
}
