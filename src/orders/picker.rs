//! The slot picker of the checkout, worked out from a shop's upcoming slots without touching the
//! database: the next slot a customer may take (one tap), then the days a week at a time, each
//! with its free times only, so that a phone shows a few screens rather than every slot.

use jiff::ToSpan;
use jiff::civil::Date;

use super::Fulfilment;
use super::slots::SlotView;

/// Days shown on one page of the picker.
pub const DAYS_PER_PAGE: i64 = 7;

/// What the picker offers for one shop.
#[derive(Clone, Debug, Default)]
pub struct Picker {
    /// The first free slot of each way of getting the order (pickup first, then delivery).
    pub next: Vec<SlotView>,
    /// The chosen slot, when it is free but shown neither in `next` nor on this page, so that
    /// turning the pages never loses the choice.
    pub chosen: Option<SlotView>,
    /// The days of this page that have slots, in order.
    pub days: Vec<PickerDay>,
    /// This page (1 is the week from today).
    pub page: i64,
    /// True when later days have slots.
    pub has_more: bool,
    /// True when the rows of a day need a label: the shop offers more than one way or place.
    pub labels_rows: bool,
    /// The day shown open: the chosen slot's, else the first with a free slot.
    pub open_day: Option<Date>,
}

/// One day of the picker.
#[derive(Clone, Debug)]
pub struct PickerDay {
    /// The local day.
    pub day: Date,
    /// Its free slots by way and place; empty when every slot of the day is taken or closed.
    pub rows: Vec<PickerRow>,
}

/// The free slots of one day at one place (or for delivery).
#[derive(Clone, Debug)]
pub struct PickerRow {
    /// Pickup or delivery.
    pub fulfilment: Fulfilment,
    /// The pickup point's label, empty for delivery.
    pub point: String,
    /// The free slots, in time order.
    pub slots: Vec<SlotView>,
}

impl PickerDay {
    /// The number of free slots that day.
    pub fn free(&self) -> usize {
        self.rows.iter().map(|r| r.slots.len()).sum()
    }
}

impl Picker {
    /// True when nothing can be chosen at all.
    pub fn is_empty(&self) -> bool {
        self.next.is_empty()
    }

    /// True when `slot` is one of the shortcuts above the days (next or chosen).
    pub fn is_shortcut(&self, slot: i64) -> bool {
        self.next.iter().chain(&self.chosen).any(|v| v.slot.id == slot)
    }
}

/// The picker of `slots` (a shop's upcoming slots) on `page`, seen on `today`. Only free slots
/// are offered; delivery slots only when `offers_delivery` (the cart reaches the shop's minimum).
pub fn pick(
    slots: &[SlotView],
    today: Date,
    page: i64,
    chosen: Option<i64>,
    offers_delivery: bool,
) -> Picker {
    let mut offered: Vec<&SlotView> =
        slots.iter().filter(|v| offers_delivery || v.slot.fulfilment() == Fulfilment::Pickup).collect();
    offered.sort_by_key(|v| (v.slot.starts_at, v.slot.id));
    let free = || offered.iter().copied().filter(|v| v.is_bookable);
    let next: Vec<SlotView> = [Fulfilment::Pickup, Fulfilment::Delivery]
        .into_iter()
        .filter_map(|way| free().find(|v| v.slot.fulfilment() == way).cloned())
        .collect();
    let last_day = offered.iter().map(|v| v.day).max().unwrap_or(today);
    let pages = (today.until(last_day).map(|s| i64::from(s.get_days())).unwrap_or(0) / DAYS_PER_PAGE) + 1;
    let page = page.clamp(1, pages.max(1));
    let first = today.checked_add(((page - 1) * DAYS_PER_PAGE).days()).unwrap_or(today);
    let last = first.checked_add((DAYS_PER_PAGE - 1).days()).unwrap_or(first);
    let mut days: Vec<PickerDay> = Vec::new();
    for view in offered.iter().filter(|v| v.day >= first && v.day <= last) {
        if days.last().is_none_or(|d| d.day != view.day) {
            days.push(PickerDay { day: view.day, rows: Vec::new() });
        }
        let Some(day) = days.last_mut() else { continue };
        if !view.is_bookable {
            continue;
        }
        let way = view.slot.fulfilment();
        match day.rows.iter_mut().find(|r| r.fulfilment == way && r.point == view.point) {
            Some(row) => row.slots.push((*view).clone()),
            None => day.rows.push(PickerRow {
                fulfilment: way,
                point: view.point.clone(),
                slots: vec![(*view).clone()],
            }),
        }
    }
    for day in &mut days {
        // Pickup rows first, then delivery, whatever time each starts.
        day.rows.sort_by_key(|r| r.fulfilment == Fulfilment::Delivery);
    }
    let mut ways: Vec<(bool, &str)> =
        offered.iter().map(|v| (v.slot.fulfilment() == Fulfilment::Delivery, v.point.as_str())).collect();
    ways.sort();
    ways.dedup();
    let day_of = |id: i64| {
        days.iter().find(|d| d.rows.iter().flat_map(|r| &r.slots).any(|v| v.slot.id == id)).map(|d| d.day)
    };
    let chosen_day = chosen.and_then(day_of);
    let open_day = chosen_day.or_else(|| days.iter().find(|d| d.free() > 0).map(|d| d.day));
    let chosen = chosen
        .filter(|id| !next.iter().any(|v| v.slot.id == *id) && chosen_day.is_none())
        .and_then(|id| free().find(|v| v.slot.id == id).cloned());
    Picker {
        next,
        chosen,
        days,
        page,
        has_more: offered.iter().any(|v| v.day > last),
        labels_rows: ways.len() > 1,
        open_day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::Slot;

    fn view(id: i64, day: Date, hour: i64, point: Option<i64>, remaining: i64) -> SlotView {
        let starts_at = 1_800_000_000 + i64::from(day.day()) * 86_400 + hour * 3600;
        SlotView {
            slot: Slot {
                id,
                business_id: 1,
                pickup_point_id: point,
                starts_at,
                ends_at: starts_at + 1800,
                capacity: 5,
                reserved: 5 - remaining,
            },
            point: if point.is_some() { "La boutique".into() } else { String::new() },
            deadline: starts_at,
            is_bookable: remaining > 0,
            day,
        }
    }

    fn day(n: i8) -> Date {
        jiff::civil::date(2026, 3, n)
    }

    #[test]
    fn the_next_free_slot_comes_first_and_full_ones_are_not_offered() {
        let slots =
            [view(1, day(2), 9, Some(7), 0), view(2, day(2), 10, Some(7), 2), view(3, day(3), 9, None, 1)];
        let picker = pick(&slots, day(2), 1, None, true);
        let next: Vec<i64> = picker.next.iter().map(|v| v.slot.id).collect();
        assert_eq!(next, [2, 3], "the next pickup, then the next delivery");
        assert_eq!(picker.days.len(), 2);
        let monday: Vec<i64> = picker.days[0].rows.iter().flat_map(|r| &r.slots).map(|v| v.slot.id).collect();
        assert_eq!(monday, [2], "the full slot is left out");
        assert!(picker.labels_rows, "pickup and delivery rows are told apart");
        assert_eq!(picker.open_day, Some(day(2)), "the first day with a free slot is open");
    }

    #[test]
    fn days_come_a_week_at_a_time_and_a_choice_survives_turning_pages() {
        let slots: Vec<SlotView> = (1..=20).map(|n| view(i64::from(n), day(n), 9, Some(7), 3)).collect();
        let first = pick(&slots, day(1), 1, Some(12), true);
        assert_eq!(first.days.len(), 7);
        assert!(first.has_more);
        assert_eq!(first.chosen.as_ref().map(|v| v.slot.id), Some(12), "the choice on page 2 stays shown");
        let second = pick(&slots, day(1), 2, Some(12), true);
        assert_eq!(second.days.first().map(|d| d.day), Some(day(8)));
        assert!(second.chosen.is_none(), "the chosen slot is on this page");
        assert_eq!(second.open_day, Some(day(12)), "its day is open");
        let last = pick(&slots, day(1), 99, None, true);
        assert_eq!(last.page, 3);
        assert!(!last.has_more);
        assert!(!last.labels_rows, "one way, one place: no row labels");
    }

    #[test]
    fn delivery_is_not_offered_below_the_minimum_and_a_full_day_stays_listed() {
        let slots = [view(1, day(2), 9, Some(7), 0), view(2, day(3), 17, None, 4)];
        let picker = pick(&slots, day(2), 1, None, false);
        assert!(picker.is_empty());
        assert_eq!(picker.days.len(), 1);
        assert!(picker.days[0].rows.is_empty(), "the day is shown as full");
    }
}
