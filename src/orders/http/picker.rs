//! The checkout's view of each shop of the cart: its slot picker (next slot, a week of days,
//! more days on demand), its delivery terms and the customer's choices, read from the form or
//! the address. Shared by the checkout page, the summary and the picker's htmx fragment.

use askama::Template;
use jiff::tz::TimeZone;

use crate::orders::checkout::{self, Cart, CartGroup};
use crate::orders::quote::{DeliveryTerms, ShopChoice, ShopQuote};
use crate::orders::slots::SlotView;
use crate::orders::{Fulfilment, PaymentMode, Picker, PickerDay, PickerRow};
use crate::territory::Commune;
use crate::web::i18n::{Lang, Tr};
use crate::web::page::Page;

/// The fields of the checkout form a shop's choice is read from (`slot_<business id>`, ...);
/// only these are carried from one step to the next.
const CHOICE_FIELDS: [&str; 6] = ["slot", "address", "commune", "note", "payment", "jours"];

/// One business's part of the checkout form.
pub(super) struct CheckoutGroup {
    pub(super) group: CartGroup,
    pub(super) picker: Picker,
    pub(super) communes: Vec<Commune>,
    pub(super) chosen: ShopChoice,
    pub(super) chosen_slot: Option<SlotView>,
    /// The shop takes the territory's local currency online.
    pub(super) takes_currency: bool,
    /// Its delivery fee and minimum, written out, when it delivers.
    pub(super) terms: Option<String>,
    /// It has delivery slots the cart may take: the address and commune fields are shown.
    pub(super) offers_delivery: bool,
    /// It has at least one free slot.
    pub(super) has_slots: bool,
    /// Its picker was just turned to another page: focus it, so that the next tab is a day.
    pub(super) focus: bool,
    tz: TimeZone,
    lang: Lang,
}

impl CheckoutGroup {
    /// The group of `shop`, its picker on the page the form asks for.
    pub(super) fn of(shop: ShopQuote, form: &[(String, String)], page: &Page) -> Self {
        let id = shop.group.drive.business.id;
        let (page_number, focus) = match field(form, "voir", id).parse::<i64>() {
            Ok(n) => (n, true),
            Err(_) => (field(form, "jours", id).parse().unwrap_or(1), false),
        };
        let tz = shop.group.drive.tz();
        let picker = shop.picker(crate::orders::today(&tz), page_number);
        let delivery_terms = shop.delivery_terms();
        let offers_delivery = delivery_terms.is_none_or(|t| t.is_reached())
            && shop.slots.iter().any(|s| s.is_bookable && s.slot.fulfilment() == Fulfilment::Delivery);
        Self {
            chosen_slot: shop.chosen_slot().cloned(),
            has_slots: !picker.is_empty(),
            terms: delivery_terms.map(|t| terms_text(&page.t, &t)),
            group: shop.group,
            picker,
            communes: shop.communes,
            chosen: shop.choice,
            takes_currency: shop.takes_currency,
            offers_delivery,
            focus,
            tz,
            lang: page.lang(),
        }
    }

    pub(super) fn id(&self) -> i64 {
        self.group.drive.business.id
    }

    /// "vendredi 4 décembre, 9 h – 9 h 30".
    pub(super) fn when(&self, view: &SlotView) -> String {
        checkout::slot_text(view.slot.starts_at, view.slot.ends_at, &self.tz, self.lang)
    }

    /// The text of a time button: the start of a pickup ("9 h 30"), the span of a delivery.
    pub(super) fn time(&self, view: &SlotView) -> String {
        if view.slot.fulfilment() == Fulfilment::Delivery {
            return checkout::time_range(view.slot.starts_at, view.slot.ends_at, &self.tz, self.lang);
        }
        jiff::Timestamp::from_second(view.slot.starts_at)
            .map(|t| crate::web::fmt::time(t.to_zoned(self.tz.clone()).time(), self.lang))
            .unwrap_or_default()
    }

    /// "vendredi 4 décembre".
    pub(super) fn day(&self, day: &jiff::civil::Date) -> String {
        crate::web::fmt::day(*day, self.lang)
    }

    /// "12 créneaux libres", "1 créneau libre", "plus de créneau libre".
    pub(super) fn free_text(&self, day: &PickerDay) -> String {
        let t = Tr::new(self.lang);
        match day.free() {
            0 => t.get("orders.picker.none_free").to_owned(),
            1 => t.get("orders.picker.one_free").to_owned(),
            n => t.fill("orders.picker.free", &[("count", &n.to_string())]),
        }
    }

    pub(super) fn is_chosen(&self, view: &SlotView) -> bool {
        self.chosen.slot_id == Some(view.slot.id)
    }

    /// A chosen slot shown in the shortcuts is not checked again in the days below.
    pub(super) fn checked_in_days(&self, view: &SlotView) -> bool {
        self.is_chosen(view) && !self.picker.is_shortcut(view.slot.id)
    }

    pub(super) fn is_delivery(&self, view: &SlotView) -> bool {
        view.slot.fulfilment() == Fulfilment::Delivery
    }

    pub(super) fn is_delivery_row(&self, row: &PickerRow) -> bool {
        row.fulfilment == Fulfilment::Delivery
    }

    pub(super) fn commune_chosen(&self, commune: &Commune) -> bool {
        self.chosen.commune_id == Some(commune.id)
    }
}

/// The value of `<name>_<business id>` in the form, empty when absent.
fn field(form: &[(String, String)], name: &str, business_id: i64) -> String {
    let key = format!("{name}_{business_id}");
    form.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
}

/// What the form says for each business of the cart.
pub(super) fn choices_from(form: &[(String, String)], cart: &Cart) -> Vec<ShopChoice> {
    cart.groups
        .iter()
        .map(|group| {
            let id = group.drive.business.id;
            ShopChoice {
                business_id: id,
                slot_id: field(form, "slot", id).parse().ok(),
                address: field(form, "address", id),
                commune_id: field(form, "commune", id).parse().ok(),
                note: field(form, "note", id),
                pays_now: field(form, "payment", id) == PaymentMode::LocalCurrency.as_str(),
            }
        })
        .collect()
}

/// The fields of a shop's choice in `form`, to carry to the next step (no token, no buttons).
pub(super) fn choice_fields(form: &[(String, String)]) -> Vec<(String, String)> {
    form.iter()
        .filter(|(k, v)| {
            k.len() < 40
                && v.len() <= 1000
                && k.split_once('_').is_some_and(|(name, id)| {
                    CHOICE_FIELDS.contains(&name) && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
                })
        })
        .cloned()
        .collect()
}

/// True when the form was sent by a picker's "more days" button rather than to go on.
pub(super) fn turns_a_page(form: &[(String, String)]) -> bool {
    form.iter().any(|(k, _)| k.starts_with("voir_"))
}

/// "Livraison : 3,00 €, dès 15,00 € d’achats. Il manque 4,50 € à ce panier pour être livré."
pub(super) fn terms_text(t: &Tr, terms: &DeliveryTerms) -> String {
    let fee = if terms.fee_cents > 0 {
        crate::web::fmt::price(terms.fee_cents, t.lang)
    } else {
        t.get("orders.terms.free").to_owned()
    };
    if terms.minimum_cents <= 0 {
        return t.fill("orders.terms.fee", &[("fee", &fee)]);
    }
    let minimum = crate::web::fmt::price(terms.minimum_cents, t.lang);
    let first = t.fill("orders.terms.fee_minimum", &[("fee", &fee), ("minimum", &minimum)]);
    let second = if terms.is_reached() {
        t.get("orders.terms.reached").to_owned()
    } else {
        let missing = crate::web::fmt::price(terms.missing_cents, t.lang);
        t.fill("orders.terms.missing", &[("missing", &missing)])
    };
    format!("{first} {second}")
}

/// One shop's picker alone: what htmx swaps when the customer turns its pages.
#[derive(Template)]
#[template(path = "orders/_picker.html")]
pub(super) struct PickerFragment {
    pub(super) page: Page,
    pub(super) g: CheckoutGroup,
}
