//! The quote of a cart: the customer's choices per shop (slot, delivery address and commune,
//! paying now, note) checked into one order request per shop, with the delivery fees and the
//! total. The checkout pages and the API both build their orders here.

use jiff::civil::Date;

use super::Order;
use super::checkout::{Cart, CartGroup, OrderRequest, place_orders};
use super::picker::{Picker, pick};
use super::slots::{SlotView, upcoming_slots};
use super::{Fulfilment, PaymentMode};
use crate::accounts::User;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::Commune;

/// What the customer chose for one shop of the cart.
#[derive(Clone, Debug, Default)]
pub struct ShopChoice {
    /// The shop (business).
    pub business_id: i64,
    /// The chosen slot.
    pub slot_id: Option<i64>,
    /// Delivery address (delivery slots).
    pub address: String,
    /// Delivery commune (delivery slots).
    pub commune_id: Option<i64>,
    /// Pays now in the territory's local currency rather than on pickup.
    pub pays_now: bool,
    /// Note for the merchant.
    pub note: String,
}

/// One shop of a quoted cart: what it offers and what the customer chose.
#[derive(Clone, Debug)]
pub struct ShopQuote {
    /// The cart's lines at this shop.
    pub group: CartGroup,
    /// Its slots from now to its publication horizon.
    pub slots: Vec<SlotView>,
    /// The communes it delivers (empty without delivery slots).
    pub communes: Vec<Commune>,
    /// It takes the territory's local currency online.
    pub takes_currency: bool,
    /// What the customer chose.
    pub choice: ShopChoice,
}

impl ShopQuote {
    /// The chosen slot, when it is one of the shop's upcoming slots.
    pub fn chosen_slot(&self) -> Option<&SlotView> {
        let id = self.choice.slot_id?;
        self.slots.iter().find(|s| s.slot.id == id)
    }

    /// True when the chosen slot is a delivery.
    pub fn is_delivery(&self) -> bool {
        self.chosen_slot().is_some_and(|s| s.slot.fulfilment() == Fulfilment::Delivery)
    }

    /// The delivery fee of the choice (none for a pickup).
    pub fn fee_cents(&self) -> i64 {
        if self.is_delivery() { self.group.drive.settings.delivery_fee_cents } else { 0 }
    }

    /// What delivery costs here and whether the cart reaches the minimum, when the shop delivers.
    pub fn delivery_terms(&self) -> Option<DeliveryTerms> {
        delivery_terms(&self.group)
    }

    /// The slot picker on `page` (a week from `today` each): delivery slots are offered only
    /// when the cart reaches the shop's delivery minimum.
    pub fn picker(&self, today: Date, page: i64) -> Picker {
        let offers_delivery = self.delivery_terms().is_some_and(|t| t.is_reached());
        pick(&self.slots, today, page, self.choice.slot_id, offers_delivery)
    }
}

/// What delivery costs at a shop, and what the cart still misses to be delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryTerms {
    /// The delivery fee.
    pub fee_cents: i64,
    /// The smallest order the shop delivers.
    pub minimum_cents: i64,
    /// What the cart's lines at this shop lack to reach the minimum (0 once reached).
    pub missing_cents: i64,
}

impl DeliveryTerms {
    /// True when the cart may be delivered.
    pub fn is_reached(&self) -> bool {
        self.missing_cents == 0
    }
}

/// The delivery terms of one shop of the cart, shown with the shop wherever the cart is; `None`
/// when the shop does not deliver.
pub fn delivery_terms(group: &CartGroup) -> Option<DeliveryTerms> {
    if !group.drive.business.delivery {
        return None;
    }
    let settings = &group.drive.settings;
    Some(DeliveryTerms {
        fee_cents: settings.delivery_fee_cents,
        minimum_cents: settings.delivery_minimum_cents,
        missing_cents: settings.delivery_minimum_cents.saturating_sub(group.subtotal_cents).max(0),
    })
}

/// A cart with the customer's choices: the requests to place, what it costs, what is missing.
#[derive(Clone, Debug)]
pub struct Quote {
    /// One per shop of the cart, in the cart's order.
    pub shops: Vec<ShopQuote>,
    /// The order requests of the shops whose slot is chosen.
    pub requests: Vec<OrderRequest>,
    /// Sum of the lines.
    pub subtotal_cents: i64,
    /// Sum of the delivery fees.
    pub fees_cents: i64,
    /// What is missing or not allowed in the choices; nothing may be placed until it is empty.
    pub errors: Vec<FieldError>,
}

impl Quote {
    /// Lines and fees.
    pub fn total_cents(&self) -> i64 {
        self.subtotal_cents.saturating_add(self.fees_cents)
    }

    /// The requests to place, or the choices' errors.
    pub fn into_requests(self) -> AppResult<Vec<OrderRequest>> {
        if self.errors.is_empty() { Ok(self.requests) } else { Err(AppError::Invalid(self.errors)) }
    }

    /// What the summary refuses: the choices' errors, then chosen slots that can no longer be
    /// taken (placing checks them again, in its transaction).
    pub fn summary_errors(&self) -> Vec<FieldError> {
        let mut errors = self.errors.clone();
        for shop in self.shops.iter().filter(|s| s.choice.slot_id.is_some()) {
            if !shop.chosen_slot().is_some_and(|s| s.is_bookable) {
                errors.push(FieldError { field: "slot_id", message: "orders.error.slot_full" });
            }
        }
        errors
    }
}

/// Quotes `cart` with the customer's `choices` (one per shop; a shop without one has chosen
/// nothing): a slot is required, a delivery slot needs an address, and paying now only where
/// the shop takes the local currency.
pub async fn quote_cart(db: &Db, cart: Cart, choices: &[ShopChoice]) -> AppResult<Quote> {
    let subtotal_cents = cart.total_cents;
    let mut shops = Vec::new();
    for group in cart.groups {
        let drive = &group.drive;
        let slots = upcoming_slots(db, drive).await?;
        let communes = if slots.iter().any(|s| s.slot.fulfilment() == Fulfilment::Delivery) {
            let served = drive.settings.delivery_commune_ids();
            crate::territory::communes(db, drive.territory.id)
                .await?
                .into_iter()
                .filter(|c| served.is_empty() || served.contains(&c.id))
                .collect()
        } else {
            Vec::new()
        };
        let takes_currency =
            crate::ledger::accepts_currency(db, drive.territory.id, drive.business.id).await?;
        let business_id = drive.business.id;
        let choice = choices
            .iter()
            .find(|c| c.business_id == business_id)
            .cloned()
            .unwrap_or(ShopChoice { business_id, ..ShopChoice::default() });
        shops.push(ShopQuote { group, slots, communes, takes_currency, choice });
    }
    Ok(quote(shops, subtotal_cents))
}

/// Places the cart of `owner` with the customer's choices: one order per shop, all or nothing,
/// once [`quote_cart`] finds nothing missing. A retry with the same `key` places nothing more.
pub async fn place_cart(
    db: &Db,
    base_url: &str,
    customer: &User,
    (owner, cart): (&str, Cart),
    choices: &[ShopChoice],
    key: Option<&str>,
) -> AppResult<Vec<Order>> {
    let requests = quote_cart(db, cart, choices).await?.into_requests()?;
    place_orders(db, base_url, customer, &requests, key, Some(owner)).await
}

/// The rules of [`quote_cart`] once every shop's offer is known.
fn quote(shops: Vec<ShopQuote>, subtotal_cents: i64) -> Quote {
    let mut requests = Vec::new();
    let mut errors = Vec::new();
    for shop in &shops {
        let choice = &shop.choice;
        let Some(slot_id) = choice.slot_id else {
            errors.push(FieldError { field: "slot_id", message: "orders.error.choose_slot" });
            continue;
        };
        // A slot outside the upcoming ones is left to placing, which refuses it with the reason.
        if shop.is_delivery() {
            if choice.address.trim().is_empty() {
                errors
                    .push(FieldError { field: "delivery_address", message: "orders.error.delivery_address" });
            }
            // The commune is the customer's to choose, never a default: where the shop names the
            // communes it serves (or the territory has some), one of them must be chosen.
            let commune_known = choice.commune_id.is_some_and(|id| shop.communes.iter().any(|c| c.id == id));
            if !shop.communes.is_empty() && !commune_known {
                errors.push(FieldError {
                    field: "delivery_commune_id",
                    message: "orders.error.choose_commune",
                });
            }
            if shop.delivery_terms().is_some_and(|t| !t.is_reached()) {
                errors.push(FieldError { field: "slot_id", message: "orders.error.delivery_minimum" });
            }
        }
        // Asking to pay now where it cannot be done is refused rather than turned into a payment
        // on pickup the customer did not choose.
        if choice.pays_now && !shop.takes_currency {
            errors.push(FieldError { field: "payment", message: "ledger.error.business_not_accepting" });
        }
        requests.push(OrderRequest {
            business_id: choice.business_id,
            slot_id,
            items: shop.group.lines.iter().map(|l| (l.product.id, l.quantity)).collect(),
            payment: if choice.pays_now { PaymentMode::LocalCurrency } else { PaymentMode::OnPickup },
            // Placing keeps the address and commune of delivery slots only.
            delivery_address: choice.address.clone(),
            delivery_commune_id: choice.commune_id,
            note: choice.note.clone(),
        });
    }
    let fees_cents = shops.iter().map(ShopQuote::fee_cents).sum();
    Quote { shops, requests, subtotal_cents, fees_cents, errors }
}
