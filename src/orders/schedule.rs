//! Pickup and delivery time: turning weekly slot templates into dated slots in the territory's
//! time zone (across daylight-saving changes), closures, and the order deadline of a slot.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A weekly template: on `weekday`, from `start_minute` to `end_minute`, slots of
/// `slot_minutes` each taking `capacity` orders.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SlotTemplate {
    /// Identifier.
    pub id: i64,
    /// The pickup point; `None` for delivery rounds.
    pub pickup_point_id: Option<i64>,
    /// Day of the week, 1 = Monday … 7 = Sunday.
    pub weekday: i64,
    /// Start, in minutes after midnight (local time).
    pub start_minute: i64,
    /// End, in minutes after midnight (local time).
    pub end_minute: i64,
    /// Length of each slot in minutes.
    pub slot_minutes: i64,
    /// Orders each slot takes.
    pub capacity: i64,
}

/// A closure: no slot on the days from `first_day` to `last_day` included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    /// First closed day.
    pub first_day: Date,
    /// Last closed day.
    pub last_day: Date,
}

impl Closure {
    /// True when `day` is closed.
    pub fn covers(&self, day: Date) -> bool {
        self.first_day <= day && day <= self.last_day
    }
}

/// A dated slot to create from a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSlot {
    /// The template it comes from.
    pub template_id: i64,
    /// The pickup point, `None` for delivery.
    pub pickup_point_id: Option<i64>,
    /// Start (Unix seconds).
    pub starts_at: i64,
    /// End (Unix seconds).
    pub ends_at: i64,
    /// Orders it takes.
    pub capacity: i64,
}

/// What limits how late an order may be placed (or cancelled) for a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// Orders close this many days before the slot's day at `cutoff_minute` (`None`: no cut-off).
    pub cutoff_days: Option<i64>,
    /// Local time of the cut-off, in minutes after midnight.
    pub cutoff_minute: i64,
    /// Orders close at least this many minutes before the slot starts.
    pub lead_minutes: i64,
}

impl Deadline {
    /// The last instant (Unix seconds) at which an order for a slot starting at `starts_at` is
    /// accepted: the earlier of the cut-off and the start minus the lead time.
    pub fn for_slot(&self, starts_at: i64, tz: &TimeZone) -> i64 {
        let lead = starts_at - self.lead_minutes.max(0) * 60;
        let Some(days) = self.cutoff_days else {
            return lead;
        };
        let Ok(start) = Timestamp::from_second(starts_at) else {
            return lead;
        };
        let day = start.to_zoned(tz.clone()).date();
        let Ok(cut_day) = day.checked_sub(days.clamp(0, 60).days()) else {
            return lead;
        };
        match local_instant(cut_day, self.cutoff_minute, tz) {
            Some(cutoff) => cutoff.min(lead),
            None => lead,
        }
    }
}

/// The instant of a local day and minute in `tz`. A time that does not exist (skipped by the
/// spring change) is moved forward, as clocks are; an ambiguous one takes the first occurrence.
pub fn local_instant(day: Date, minute: i64, tz: &TimeZone) -> Option<i64> {
    let minute = minute.clamp(0, 24 * 60);
    let midnight = DateTime::from_parts(day, Time::midnight());
    let local = midnight.checked_add(minute.minutes()).ok()?;
    let zoned = tz.to_ambiguous_zoned(local).compatible().ok()?;
    Some(zoned.timestamp().as_second())
}

/// The local day of an instant.
pub fn local_day(seconds: i64, tz: &TimeZone) -> Option<Date> {
    Timestamp::from_second(seconds).ok().map(|t| t.to_zoned(tz.clone()).date())
}

/// The slots the templates give from `first` to `last` (days included), except closed days.
/// Slots that would end after the template's end are not made; a slot whose local start does
/// not exist (the spring change at night) starts at the moved-forward time.
pub fn plan_slots(
    templates: &[SlotTemplate],
    closures: &[Closure],
    tz: &TimeZone,
    first: Date,
    last: Date,
) -> Vec<PlannedSlot> {
    let mut planned = Vec::new();
    let mut day = first;
    while day <= last {
        if !closures.iter().any(|c| c.covers(day)) {
            let weekday = i64::from(day.weekday().to_monday_one_offset());
            for template in templates.iter().filter(|t| t.weekday == weekday && t.slot_minutes > 0) {
                let mut minute = template.start_minute;
                while minute + template.slot_minutes <= template.end_minute {
                    let start = local_instant(day, minute, tz);
                    let end = local_instant(day, minute + template.slot_minutes, tz);
                    if let (Some(starts_at), Some(ends_at)) = (start, end)
                        && ends_at > starts_at
                    {
                        planned.push(PlannedSlot {
                            template_id: template.id,
                            pickup_point_id: template.pickup_point_id,
                            starts_at,
                            ends_at,
                            capacity: template.capacity,
                        });
                    }
                    minute += template.slot_minutes;
                }
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    planned
}

/// Checks a template typed by a merchant; returns the i18n key of the first problem.
pub fn check_template(
    weekday: i64,
    start_minute: i64,
    end_minute: i64,
    slot_minutes: i64,
    capacity: i64,
) -> Result<(), (&'static str, &'static str)> {
    if !(1..=7).contains(&weekday) {
        return Err(("weekday", "orders.error.weekday"));
    }
    if !(0..24 * 60).contains(&start_minute) || !(1..=24 * 60).contains(&end_minute) {
        return Err(("start", "orders.error.time"));
    }
    if end_minute <= start_minute {
        return Err(("end", "orders.error.end_before_start"));
    }
    if !(5..=24 * 60).contains(&slot_minutes) || slot_minutes > end_minute - start_minute {
        return Err(("slot_minutes", "orders.error.slot_length"));
    }
    if !(1..=10_000).contains(&capacity) {
        return Err(("capacity", "orders.error.capacity"));
    }
    Ok(())
}

/// Reads `9:30`, `9h30`, `9 h 30`, `09.30` or `9` as minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Option<i64> {
    let cleaned: String = text.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return None;
    }
    let (hours, minutes) = match cleaned.find([':', 'h', '.']) {
        Some(at) => (&cleaned[..at], &cleaned[at + 1..]),
        None => (cleaned.as_str(), ""),
    };
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = if minutes.is_empty() { 0 } else { minutes.parse().ok()? };
    if !(0..=24).contains(&hours) || !(0..60).contains(&minutes) || (hours == 24 && minutes > 0) {
        return None;
    }
    Some(hours * 60 + minutes)
}

/// Writes minutes after midnight as `09:30` (the value of an `<input type="time">`).
pub fn time_input(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn template(weekday: i64, start: i64, end: i64, length: i64) -> SlotTemplate {
        SlotTemplate {
            id: 1,
            pickup_point_id: Some(3),
            weekday,
            start_minute: start,
            end_minute: end,
            slot_minutes: length,
            capacity: 4,
        }
    }

    #[test]
    fn a_morning_template_gives_half_hour_slots_on_its_weekday_only() {
        // Tuesday 17 March 2026, 9:00–12:00 in 30-minute slots: six slots, Paris is UTC+1.
        let slots =
            plan_slots(&[template(2, 540, 720, 30)], &[], &paris(), date(2026, 3, 16), date(2026, 3, 22));
        assert_eq!(slots.len(), 6);
        let first = Timestamp::from_second(slots[0].starts_at).unwrap();
        assert_eq!(first.to_string(), "2026-03-17T08:00:00Z");
        assert_eq!(slots[5].ends_at - slots[5].starts_at, 1800);
        assert!(slots.iter().all(|s| s.capacity == 4 && s.pickup_point_id == Some(3)));
    }

    #[test]
    fn slots_keep_their_local_time_across_the_spring_and_autumn_changes() {
        // Saturday 28 March (UTC+1) and Saturday 4 April (UTC+2) 2026 at 9:00 local.
        let slots =
            plan_slots(&[template(6, 540, 570, 30)], &[], &paris(), date(2026, 3, 28), date(2026, 4, 4));
        let starts: Vec<String> =
            slots.iter().map(|s| Timestamp::from_second(s.starts_at).unwrap().to_string()).collect();
        assert_eq!(starts, ["2026-03-28T08:00:00Z", "2026-04-04T07:00:00Z"]);
        // Sunday 25 October 2026: back to UTC+1.
        let autumn =
            plan_slots(&[template(7, 540, 570, 30)], &[], &paris(), date(2026, 10, 25), date(2026, 10, 25));
        assert_eq!(Timestamp::from_second(autumn[0].starts_at).unwrap().to_string(), "2026-10-25T08:00:00Z");
    }

    #[test]
    fn a_night_slot_skipped_by_the_spring_change_is_not_zero_length() {
        // Sunday 29 March 2026, 2:00–3:00 local does not exist.
        let slots =
            plan_slots(&[template(7, 120, 180, 30)], &[], &paris(), date(2026, 3, 29), date(2026, 3, 29));
        assert!(slots.iter().all(|s| s.ends_at > s.starts_at));
    }

    #[test]
    fn closed_days_have_no_slots() {
        let closure = Closure { first_day: date(2026, 3, 17), last_day: date(2026, 3, 18) };
        let templates = [template(2, 540, 600, 30), template(3, 540, 600, 30), template(4, 540, 600, 30)];
        let slots = plan_slots(&templates, &[closure], &paris(), date(2026, 3, 16), date(2026, 3, 22));
        assert_eq!(slots.len(), 2);
        assert_eq!(local_day(slots[0].starts_at, &paris()), Some(date(2026, 3, 19)));
    }

    #[test]
    fn a_slot_that_would_overrun_the_template_is_not_made() {
        let slots =
            plan_slots(&[template(2, 540, 620, 30)], &[], &paris(), date(2026, 3, 17), date(2026, 3, 17));
        assert_eq!(slots.len(), 2);
    }

    #[test]
    fn the_deadline_is_the_cutoff_the_day_before_or_the_lead_time() {
        let tz = paris();
        let start = local_instant(date(2026, 3, 17), 9 * 60, &tz).unwrap();
        let day_before = Deadline { cutoff_days: Some(1), cutoff_minute: 18 * 60, lead_minutes: 60 };
        let expected = local_instant(date(2026, 3, 16), 18 * 60, &tz).unwrap();
        assert_eq!(day_before.for_slot(start, &tz), expected);
        let lead_only = Deadline { cutoff_days: None, cutoff_minute: 0, lead_minutes: 90 };
        assert_eq!(lead_only.for_slot(start, &tz), start - 5400);
        // A same-day cut-off later than the lead time: the lead time wins.
        let same_day = Deadline { cutoff_days: Some(0), cutoff_minute: 9 * 60, lead_minutes: 30 };
        assert_eq!(same_day.for_slot(start, &tz), start - 1800);
    }

    #[test]
    fn the_cutoff_follows_the_local_clock_across_the_spring_change() {
        let tz = paris();
        // Slot on Monday 30 March 2026 (UTC+2), cut-off Saturday 28 March 18:00 (UTC+1).
        let start = local_instant(date(2026, 3, 30), 9 * 60, &tz).unwrap();
        let rule = Deadline { cutoff_days: Some(2), cutoff_minute: 18 * 60, lead_minutes: 0 };
        assert_eq!(
            Timestamp::from_second(rule.for_slot(start, &tz)).unwrap().to_string(),
            "2026-03-28T17:00:00Z"
        );
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template(2, 540, 720, 30, 5).is_ok());
        assert_eq!(check_template(8, 540, 720, 30, 5).unwrap_err().0, "weekday");
        assert_eq!(check_template(2, 720, 540, 30, 5).unwrap_err().0, "end");
        assert_eq!(check_template(2, 540, 560, 30, 5).unwrap_err().0, "slot_minutes");
        assert_eq!(check_template(2, 540, 720, 30, 0).unwrap_err().0, "capacity");
    }

    #[test]
    fn times_of_day_are_read_the_french_way() {
        assert_eq!(parse_time_of_day("9:30"), Some(570));
        assert_eq!(parse_time_of_day("9 h 30"), Some(570));
        assert_eq!(parse_time_of_day("18h"), Some(1080));
        assert_eq!(parse_time_of_day("09.05"), Some(545));
        assert_eq!(parse_time_of_day("25:00"), None);
        assert_eq!(parse_time_of_day("midi"), None);
        assert_eq!(time_input(570), "09:30");
    }
}
