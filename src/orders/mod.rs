//! The drive: pickup points and slots with a capacity, the cart, checkout into one order per
//! business, the order's status workflow, and what the merchant prepares. Stock and slot places
//! are reserved by conditional updates inside the order's transaction, so nothing is oversold.

pub mod api;
pub mod charts;
mod checkout;
mod demand;
pub mod http;
pub mod ics;
mod notices;
mod picker;
mod quote;
pub mod schedule;
mod slots;
mod space;
mod store;

use serde::{Deserialize, Serialize};
pub use store::purge_visitor_carts;

pub use checkout::{
    CART_SESSION_KEY, Cart, CartGroup, CartLine, MyOrder, OrderDetail, OrderExport, OrderRequest,
    add_to_cart, adopt_visitor_cart, business_orders, calendar_attachment, cancel_by_customer, cart,
    cart_count, cart_owner, change_status, day_totals, export_for, my_orders, order_again, order_detail,
    place_orders, set_cart_quantity, slot_text, time_range, weekly_figures,
};
pub use demand::{Demand, DemandRow, Period, demand};
pub use notices::{Notices, notices, save_notices, send_due_summaries};
pub use picker::{DAYS_PER_PAGE, Picker, PickerDay, PickerRow};
pub use quote::{DeliveryTerms, Quote, ShopChoice, ShopQuote, delivery_terms, place_cart, quote_cart};
pub use schedule::{Closure, Deadline, SlotTemplate};
pub use slots::{
    ClosureView, Drive, SettingsInput, SlotPlace, SlotView, TemplateInput, add_closure, add_point, add_slot,
    add_templates, closures, day_span, ensure_slots, managed_drive, point_label, points, public_drive,
    remove_closure, remove_point, remove_template, save_settings, seed_demo_drive, set_paused, slots,
    templates, today, upcoming_slots,
};
pub use space::{ShopSpace, merchant_space};

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not yet seen by the merchant.
    New,
    /// The merchant has taken it.
    Accepted,
    /// Prepared (weighed items priced).
    Prepared,
    /// Ready to collect or out for delivery.
    Ready,
    /// Collected or delivered.
    Collected,
    /// Cancelled by the customer or the merchant: stock and place given back.
    Cancelled,
    /// The customer did not come.
    NoShow,
}

impl OrderStatus {
    /// Every status, in the workflow's order.
    pub const ALL: [Self; 7] = [
        Self::New,
        Self::Accepted,
        Self::Prepared,
        Self::Ready,
        Self::Collected,
        Self::Cancelled,
        Self::NoShow,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Accepted => "accepted",
            Self::Prepared => "prepared",
            Self::Ready => "ready",
            Self::Collected => "collected",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The i18n key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::New => "orders.status.new",
            Self::Accepted => "orders.status.accepted",
            Self::Prepared => "orders.status.prepared",
            Self::Ready => "orders.status.ready",
            Self::Collected => "orders.status.collected",
            Self::Cancelled => "orders.status.cancelled",
            Self::NoShow => "orders.status.no_show",
        }
    }

    /// The i18n key of the button that moves an order to this status, named as the action
    /// ("Accepter", "Marquer prête", "Remise au client").
    pub fn action_key(self) -> &'static str {
        match self {
            Self::New => "orders.to.new",
            Self::Accepted => "orders.to.accepted",
            Self::Prepared => "orders.to.prepared",
            Self::Ready => "orders.to.ready",
            Self::Collected => "orders.to.collected",
            Self::Cancelled => "orders.action.cancel",
            Self::NoShow => "orders.to.no_show",
        }
    }

    /// Position in the forward workflow (`None` for the two endings that are not forward).
    fn rank(self) -> Option<u8> {
        match self {
            Self::New => Some(0),
            Self::Accepted => Some(1),
            Self::Prepared => Some(2),
            Self::Ready => Some(3),
            Self::Collected => Some(4),
            Self::Cancelled | Self::NoShow => None,
        }
    }

    /// True once nothing more can happen to the order.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Collected | Self::Cancelled | Self::NoShow)
    }

    /// Whether the merchant may move an order from `self` to `to`: forward along
    /// new → accepted → prepared → ready → collected (steps may be skipped), cancelled from any
    /// open status, no-show once ready.
    pub fn merchant_may_move_to(self, to: Self) -> bool {
        match (self.rank(), to) {
            (None, _) => false,
            (Some(_), Self::Cancelled) => self != Self::Collected,
            (Some(_), Self::NoShow) => self == Self::Ready,
            (Some(from), to) => to.rank().is_some_and(|target| target > from),
        }
    }

    /// Whether the customer may still cancel (before the deadline, checked separately).
    pub fn customer_may_cancel(self) -> bool {
        matches!(self, Self::New | Self::Accepted)
    }

    /// The statuses the merchant can choose next, for the buttons of an order.
    pub fn next_for_merchant(self) -> Vec<Self> {
        let forward = match self {
            Self::New => vec![Self::Accepted, Self::Ready],
            Self::Accepted => vec![Self::Prepared, Self::Ready],
            Self::Prepared => vec![Self::Ready],
            Self::Ready => vec![Self::Collected, Self::NoShow],
            _ => Vec::new(),
        };
        forward.into_iter().filter(|to| self.merchant_may_move_to(*to)).collect()
    }

    /// True when the customer gets an email on reaching this status.
    pub fn notifies_customer(self) -> bool {
        matches!(self, Self::Accepted | Self::Ready | Self::Cancelled)
    }
}

/// How the customer gets the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// Collected at a pickup point.
    Pickup,
    /// Delivered to the customer's address.
    Delivery,
}

impl Fulfilment {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pickup => "pickup",
            Self::Delivery => "delivery",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pickup" => Some(Self::Pickup),
            "delivery" => Some(Self::Delivery),
            _ => None,
        }
    }
}

/// How an order is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// Paid on pickup or delivery, with one of the means the business accepts.
    OnPickup,
    /// Paid at checkout in the territory's local currency, in the order's transaction; refunded
    /// by a reversing transfer when the order is cancelled.
    LocalCurrency,
}

impl PaymentMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnPickup => "on_pickup",
            Self::LocalCurrency => "local_currency",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "on_pickup" => Some(Self::OnPickup),
            "local_currency" => Some(Self::LocalCurrency),
            _ => None,
        }
    }
}

/// The means of payment a business accepts on pickup.
pub const PAYMENT_MEANS: [&str; 4] = ["cash", "card", "cheque", "local_currency"];

/// A business's drive settings.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// The business.
    pub business_id: i64,
    /// New orders are refused while paused.
    pub is_paused: bool,
    /// Orders close this many days before the slot's day (`None`: only the lead time).
    pub cutoff_days: Option<i64>,
    /// Local time of the cut-off, minutes after midnight.
    pub cutoff_minute: i64,
    /// Minimum minutes between ordering and the slot's start.
    pub lead_minutes: i64,
    /// Slots are published this many days ahead.
    pub days_ahead: i64,
    /// Accepted means of payment on pickup, comma-separated (`cash,card,cheque,local_currency`).
    pub payment_methods: String,
    /// Delivery fee in cents.
    pub delivery_fee_cents: i64,
    /// Minimum order for delivery in cents.
    pub delivery_minimum_cents: i64,
    /// Communes delivered, comma-separated ids.
    pub delivery_communes: String,
}

impl Settings {
    /// The settings of a business that has not set anything yet.
    pub fn default_for(business_id: i64) -> Self {
        Self {
            business_id,
            is_paused: false,
            cutoff_days: None,
            cutoff_minute: 18 * 60,
            lead_minutes: 60,
            days_ahead: 14,
            payment_methods: "cash".to_owned(),
            delivery_fee_cents: 0,
            delivery_minimum_cents: 0,
            delivery_communes: String::new(),
        }
    }

    /// The deadline rule of its slots.
    pub fn deadline(&self) -> Deadline {
        Deadline {
            cutoff_days: self.cutoff_days,
            cutoff_minute: self.cutoff_minute,
            lead_minutes: self.lead_minutes,
        }
    }

    /// Accepted means of payment.
    pub fn payment_list(&self) -> Vec<&str> {
        self.payment_methods.split(',').filter(|m| PAYMENT_MEANS.contains(m)).collect()
    }

    /// True when this means of payment is accepted.
    pub fn accepts(&self, means: &str) -> bool {
        self.payment_list().contains(&means)
    }

    /// Communes delivered.
    pub fn delivery_commune_ids(&self) -> Vec<i64> {
        self.delivery_communes.split(',').filter_map(|id| id.trim().parse().ok()).collect()
    }
}

/// A pickup point: the shop itself or a shared place of the territory.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PickupPoint {
    /// Identifier.
    pub id: i64,
    /// Territory.
    pub territory_id: i64,
    /// The business it belongs to; `None` for a shared place any business may use.
    pub business_id: Option<i64>,
    /// Name, e.g. "Salle des fêtes".
    pub name: String,
    /// Address.
    pub address: String,
}

/// A dated slot with its places.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Slot {
    /// Identifier.
    pub id: i64,
    /// Business.
    pub business_id: i64,
    /// Pickup point; `None` for a delivery slot.
    pub pickup_point_id: Option<i64>,
    /// Start (Unix seconds).
    pub starts_at: i64,
    /// End (Unix seconds).
    pub ends_at: i64,
    /// Orders it takes.
    pub capacity: i64,
    /// Orders placed for it (cancelled ones given back).
    pub reserved: i64,
}

impl Slot {
    /// Places left.
    pub fn remaining(&self) -> i64 {
        (self.capacity - self.reserved).max(0)
    }

    /// Pickup or delivery.
    pub fn fulfilment(&self) -> Fulfilment {
        if self.pickup_point_id.is_some() { Fulfilment::Pickup } else { Fulfilment::Delivery }
    }
}

/// An order as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Order {
    /// Identifier, also the order number shown to people.
    pub id: i64,
    /// Territory.
    pub territory_id: i64,
    /// Business.
    pub business_id: i64,
    /// The customer (`None` once their account is deleted).
    pub customer_id: Option<i64>,
    /// The customer's name at the time of the order.
    pub customer_name: String,
    /// Stored status name.
    pub status: String,
    /// Stored fulfilment name.
    pub fulfilment: String,
    /// Slot.
    pub slot_id: i64,
    /// Slot start (Unix seconds).
    pub starts_at: i64,
    /// Slot end (Unix seconds).
    pub ends_at: i64,
    /// Name and address of the pickup point.
    pub pickup_point_name: String,
    /// Delivery address.
    pub delivery_address: String,
    /// Stored payment mode.
    pub payment: String,
    /// Sum of the lines in cents.
    pub subtotal_cents: i64,
    /// Delivery fee in cents.
    pub delivery_fee_cents: i64,
    /// Total to pay in cents.
    pub total_cents: i64,
    /// The customer's note.
    pub note: String,
    /// Placed at (Unix seconds).
    pub created_at: i64,
    /// Last change (Unix seconds).
    pub updated_at: i64,
}

impl Order {
    /// The status.
    pub fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.status).unwrap_or(OrderStatus::New)
    }

    /// Pickup or delivery.
    pub fn fulfilment(&self) -> Fulfilment {
        Fulfilment::parse(&self.fulfilment).unwrap_or(Fulfilment::Pickup)
    }

    /// True for a delivery.
    pub fn is_delivery(&self) -> bool {
        self.fulfilment() == Fulfilment::Delivery
    }
}

/// A line of an order, with the product's name and price at the time of the order.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OrderLine {
    /// Identifier.
    pub id: i64,
    /// Order.
    pub order_id: i64,
    /// Product (`None` once deleted from the catalogue).
    pub product_id: Option<i64>,
    /// The merchant's reference.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Unit (stored name).
    pub unit: String,
    /// Quantity ordered.
    pub quantity: i64,
    /// Price per unit in cents.
    pub unit_price_cents: i64,
    /// Quantity × price, or the weighed price once prepared, in cents.
    pub line_cents: i64,
    /// Priced when weighed.
    pub sold_by_weight: bool,
    /// The weighed price in cents, once prepared.
    pub weighed_cents: Option<i64>,
}

/// One step of an order's history.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OrderEvent {
    /// Stored status name.
    pub status: String,
    /// Why (for a cancellation).
    pub reason: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

impl OrderEvent {
    /// The status reached.
    pub fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.status).unwrap_or(OrderStatus::New)
    }
}

/// The sum of lines and the delivery fee, checked for overflow.
pub fn order_total(lines: &[(i64, i64)], delivery_fee_cents: i64) -> Option<(i64, i64)> {
    let mut subtotal: i64 = 0;
    for (quantity, unit_price) in lines {
        subtotal = subtotal.checked_add(quantity.checked_mul(*unit_price)?)?;
    }
    Some((subtotal, subtotal.checked_add(delivery_fee_cents)?))
}

/// The largest quantity of one product in one order.
pub const MAX_QUANTITY: i64 = 999;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merchant_moves_orders_forward_and_may_skip_steps() {
        use OrderStatus::*;
        assert!(New.merchant_may_move_to(Accepted));
        assert!(New.merchant_may_move_to(Ready));
        assert!(Ready.merchant_may_move_to(Collected));
        assert!(!Ready.merchant_may_move_to(Accepted));
        assert!(!Collected.merchant_may_move_to(Cancelled));
        assert!(!Cancelled.merchant_may_move_to(New));
        assert!(Prepared.merchant_may_move_to(Cancelled));
        assert!(Ready.merchant_may_move_to(NoShow));
        assert!(!Accepted.merchant_may_move_to(NoShow));
        assert_eq!(New.next_for_merchant(), vec![Accepted, Ready]);
        assert!(Collected.next_for_merchant().is_empty());
    }

    #[test]
    fn the_customer_cancels_only_before_preparation() {
        assert!(OrderStatus::New.customer_may_cancel());
        assert!(OrderStatus::Accepted.customer_may_cancel());
        assert!(!OrderStatus::Ready.customer_may_cancel());
    }

    #[test]
    fn statuses_round_trip_through_their_stored_names() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }

    #[test]
    fn totals_add_the_fee_and_refuse_overflow() {
        assert_eq!(order_total(&[(2, 120), (1, 450)], 300), Some((690, 990)));
        assert_eq!(order_total(&[(i64::MAX, 2)], 0), None);
    }

    #[test]
    fn settings_list_only_known_means_of_payment() {
        let mut settings = Settings::default_for(1);
        settings.payment_methods = "cash,bitcoin,card".to_owned();
        assert_eq!(settings.payment_list(), vec!["cash", "card"]);
        assert!(!settings.accepts("bitcoin"));
        settings.delivery_communes = "3, 5,x".to_owned();
        assert_eq!(settings.delivery_commune_ids(), vec![3, 5]);
    }
}
