//! Weekly opening hours of a directory entry: up to two time ranges a day (morning and
//! afternoon, as French shops open), read from the edit form, stored as JSON, checked against
//! an instant in the territory's time zone, and written out for people and for schema.org.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// How many time ranges a day may have.
pub const SLOTS_PER_DAY: usize = 2;

/// Midnight at the end of a day, in minutes since midnight: the latest a range may close.
pub const END_OF_DAY: u16 = 24 * 60;

/// The i18n key of a time that cannot be read.
pub const ERROR_TIME: &str = "directory.hours.error.time";
/// The i18n key of a range that closes before (or when) it opens.
pub const ERROR_ORDER: &str = "directory.hours.error.order";
/// The i18n key of a day whose two ranges overlap or are out of order.
pub const ERROR_OVERLAP: &str = "directory.hours.error.overlap";
/// The i18n key of a range with only one of its two times given.
pub const ERROR_HALF: &str = "directory.hours.error.half";

/// The schema.org day codes, Monday first.
const SCHEMA_ORG_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
/// French day names, Monday first.
const FRENCH_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
/// English day names, Monday first.
const ENGLISH_DAYS: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// A non-breaking space, between a number and its unit in French.
const NBSP: char = '\u{a0}';

/// The opening hours of a week.
///
/// Stored as compact JSON (see [`OpeningHours::to_json`]), for example
/// `{"days":[[],[{"opens":540,"closes":750},{"opens":900,"closes":1140}],[],[],[],[],[]]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpeningHours {
    /// The ranges of each day, index 0 being Monday: at most two, in order, not overlapping.
    /// No range means closed that day.
    #[schema(min_items = 7, max_items = 7)]
    pub days: [Vec<TimeRange>; 7],
}

/// A time range within one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimeRange {
    /// Opening time, in minutes since midnight (0 to 1439).
    #[schema(minimum = 0, maximum = 1439)]
    pub opens: u16,
    /// Closing time, in minutes since midnight, after `opens`; 1440 is midnight at the end of the
    /// day. Ranges never run past midnight.
    #[schema(minimum = 1, maximum = 1440)]
    pub closes: u16,
}

impl TimeRange {
    /// Whether the minute of the day (minutes since midnight) falls in the range: the opening
    /// minute does, the closing minute does not.
    pub fn contains(&self, minute: u16) -> bool {
        self.opens <= minute && minute < self.closes
    }
}

impl OpeningHours {
    /// From the edit form: fields named `h{day}_{slot}_opens` / `h{day}_{slot}_closes` (day 0..6,
    /// Monday first, slot 0..1), with values such as "9:00", "09:00", "9h", "9 h 30", "9h30",
    /// "9.30", "7 pm" or "" (an empty pair is no range). "24:00", and "0:00" as a closing time,
    /// mean midnight at the end of the day. Missing fields count as empty.
    ///
    /// Returns the hours, or every error as a (field name, i18n key) pair, in form order:
    /// [`ERROR_TIME`] (unreadable), [`ERROR_ORDER`] (closes at or before it opens, on the closing
    /// field), [`ERROR_OVERLAP`] (the day's two ranges overlap or are out of order, on the second
    /// opening field), [`ERROR_HALF`] (only one of opens/closes given, on the empty field).
    pub fn from_form(fields: &HashMap<String, String>) -> Result<Self, Vec<(String, &'static str)>> {
        let mut hours = OpeningHours::default();
        let mut errors = Vec::new();
        for (day, ranges) in hours.days.iter_mut().enumerate() {
            let mut slots_read: Vec<(usize, TimeRange)> = Vec::new();
            for slot in 0..SLOTS_PER_DAY {
                let opens_name = field_name(day, slot, false);
                let closes_name = field_name(day, slot, true);
                let opens_text = fields.get(&opens_name).map_or("", |value| value.trim());
                let closes_text = fields.get(&closes_name).map_or("", |value| value.trim());
                let opens = (!opens_text.is_empty()).then(|| parse_time(opens_text));
                let closes = (!closes_text.is_empty())
                    .then(|| parse_time(closes_text).map(|time| if time == 0 { END_OF_DAY } else { time }));
                if let Some(None) = opens {
                    errors.push((opens_name.clone(), ERROR_TIME));
                }
                if let Some(None) = closes {
                    errors.push((closes_name.clone(), ERROR_TIME));
                }
                match (opens, closes) {
                    (None, None) => {}
                    (Some(_), None) => errors.push((closes_name, ERROR_HALF)),
                    (None, Some(_)) => errors.push((opens_name, ERROR_HALF)),
                    (Some(Some(opens)), Some(Some(closes))) => {
                        if closes <= opens {
                            errors.push((closes_name, ERROR_ORDER));
                        } else {
                            slots_read.push((slot, TimeRange { opens, closes }));
                        }
                    }
                    (Some(_), Some(_)) => {} // an unreadable time, already reported
                }
            }
            if let [(_, first), (second_slot, second)] = slots_read.as_slice()
                && second.opens < first.closes
            {
                errors.push((field_name(day, *second_slot, false), ERROR_OVERLAP));
            }
            *ranges = slots_read.into_iter().map(|(_, range)| range).collect();
        }
        if errors.is_empty() { Ok(hours) } else { Err(errors) }
    }

    /// The form value of a field for re-display, "09:00" style ("24:00" for midnight at the end of
    /// the day), or "" when there is no such range.
    pub fn form_value(&self, day: usize, slot: usize, which_closes: bool) -> String {
        self.days
            .get(day)
            .and_then(|ranges| ranges.get(slot))
            .map(|range| clock_time(if which_closes { range.closes } else { range.opens }))
            .unwrap_or_default()
    }

    /// The name of a form field: `h{day}_{slot}_opens` or `h{day}_{slot}_closes`.
    pub fn field_name(day: usize, slot: usize, which_closes: bool) -> String {
        field_name(day, slot, which_closes)
    }

    /// Whether the business is closed every day (no hours given).
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// Whether the hours respect the rules the form enforces: at most two ranges a day, each
    /// closing after it opens and no later than midnight, the second after the first.
    pub fn is_valid(&self) -> bool {
        self.days.iter().all(|ranges| {
            ranges.len() <= SLOTS_PER_DAY
                && ranges.iter().all(|range| range.opens < range.closes && range.closes <= END_OF_DAY)
                && ranges.windows(2).all(|pair| pair[0].closes <= pair[1].opens)
        })
    }

    /// Whether the business is open at this instant, read as a wall-clock time in this time zone
    /// (so correct across daylight saving time changes): the opening minute is open, the closing
    /// minute is closed.
    pub fn is_open_at(&self, instant: Timestamp, zone: &TimeZone) -> bool {
        let local = instant.to_zoned(zone.clone());
        let Ok(minute) = u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())) else {
            return false;
        };
        self.days[day_index(local.weekday())].iter().any(|range| range.contains(minute))
    }

    /// The schema.org `openingHours` values, consecutive days with identical ranges merged:
    /// `["Tu-Sa 09:00-12:30", "Tu-Sa 15:00-19:00", "Su 08:00-12:30"]`.
    pub fn schema_org(&self) -> Vec<String> {
        let mut values = Vec::new();
        let mut first = 0;
        while first < self.days.len() {
            let ranges = &self.days[first];
            let mut last = first;
            while last + 1 < self.days.len() && self.days[last + 1] == *ranges {
                last += 1;
            }
            if !ranges.is_empty() {
                let days = if first == last {
                    SCHEMA_ORG_DAYS[first].to_string()
                } else {
                    format!("{}-{}", SCHEMA_ORG_DAYS[first], SCHEMA_ORG_DAYS[last])
                };
                for range in ranges {
                    values.push(format!("{days} {}-{}", clock_time(range.opens), clock_time(range.closes)));
                }
            }
            first = last + 1;
        }
        values
    }

    /// The hours of each day for people, Monday first, in French or English:
    /// `("mardi", "9 h – 12 h 30, 15 h – 19 h")` (with non-breaking spaces inside each time) or
    /// `("Tuesday", "9 am – 12:30 pm, 3 pm – 7 pm")`; a closed day says "fermé" or "closed".
    pub fn describe(&self, french: bool) -> Vec<(&'static str, String)> {
        let names = if french { FRENCH_DAYS } else { ENGLISH_DAYS };
        let time = if french { french_time } else { english_time };
        names
            .iter()
            .zip(&self.days)
            .map(|(&name, ranges)| {
                let text = if ranges.is_empty() {
                    if french { "fermé" } else { "closed" }.to_string()
                } else {
                    ranges
                        .iter()
                        .map(|range| format!("{} – {}", time(range.opens), time(range.closes)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                (name, text)
            })
            .collect()
    }

    /// The hours as compact JSON, for a text column.
    pub fn to_json(&self) -> String {
        // Serializing plain integers and arrays cannot fail; an empty week is the safe fallback.
        serde_json::to_string(self).unwrap_or_else(|_| String::from(r#"{"days":[[],[],[],[],[],[],[]]}"#))
    }

    /// The hours from their JSON; anything unreadable or breaking the rules of
    /// [`OpeningHours::is_valid`] gives empty hours.
    pub fn from_json(text: &str) -> Self {
        serde_json::from_str::<OpeningHours>(text).ok().filter(OpeningHours::is_valid).unwrap_or_default()
    }
}

/// The name of a form field.
fn field_name(day: usize, slot: usize, which_closes: bool) -> String {
    format!("h{day}_{slot}_{}", if which_closes { "closes" } else { "opens" })
}

/// The index of a weekday in [`OpeningHours::days`].
fn day_index(weekday: Weekday) -> usize {
    match weekday {
        Weekday::Monday => 0,
        Weekday::Tuesday => 1,
        Weekday::Wednesday => 2,
        Weekday::Thursday => 3,
        Weekday::Friday => 4,
        Weekday::Saturday => 5,
        Weekday::Sunday => 6,
    }
}

/// A time typed by a person, in minutes since midnight (0 to 1440), or `None`.
///
/// Accepts "9", "9:00", "09:00", "9h", "9 h 30", "9h30", "9H30", "9.30", "24:00", and with "am"
/// or "pm" after it "9 am", "7:30 pm", "12 am" (midnight). Spaces of any kind are ignored.
fn parse_time(text: &str) -> Option<u16> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let (clock, meridiem) = if let Some(clock) = compact.strip_suffix("am").or(compact.strip_suffix("a.m.")) {
        (clock, Some(false))
    } else if let Some(clock) = compact.strip_suffix("pm").or(compact.strip_suffix("p.m.")) {
        (clock, Some(true))
    } else {
        (compact.as_str(), None)
    };
    let digits_end = clock.find(|c: char| !c.is_ascii_digit()).unwrap_or(clock.len());
    let (hour_text, rest) = clock.split_at(digits_end);
    if hour_text.is_empty() || hour_text.len() > 2 {
        return None;
    }
    let hour: u16 = hour_text.parse().ok()?;
    let minute: u16 = match rest.chars().next() {
        None => 0,
        Some(separator @ (':' | 'h' | '.')) => {
            let minute_text = &rest[separator.len_utf8()..];
            if minute_text.is_empty() && separator == 'h' {
                0
            } else if minute_text.len() == 2 && minute_text.bytes().all(|b| b.is_ascii_digit()) {
                minute_text.parse().ok()?
            } else {
                return None;
            }
        }
        Some(_) => return None,
    };
    if minute > 59 {
        return None;
    }
    let hour = match meridiem {
        None if hour <= 24 => hour,
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    let time = hour * 60 + minute;
    (time <= END_OF_DAY).then_some(time)
}

/// "09:00" style; midnight at the end of the day is "24:00".
fn clock_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// "9 h", "9 h 30", "24 h", with non-breaking spaces.
fn french_time(minutes: u16) -> String {
    let (hour, minute) = (minutes / 60, minutes % 60);
    if minute == 0 { format!("{hour}{NBSP}h") } else { format!("{hour}{NBSP}h{NBSP}{minute:02}") }
}

/// "9 am", "9:30 am", "12:30 pm", "7 pm", "noon", "midnight".
fn english_time(minutes: u16) -> String {
    let (hour, minute) = ((minutes / 60) % 24, minutes % 60);
    match (hour, minute) {
        (0, 0) => return String::from("midnight"),
        (12, 0) => return String::from("noon"),
        _ => {}
    }
    let suffix = if hour < 12 { "am" } else { "pm" };
    let hour = if hour % 12 == 0 { 12 } else { hour % 12 };
    if minute == 0 { format!("{hour} {suffix}") } else { format!("{hour}:{minute:02} {suffix}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(opens: &str, closes: &str) -> TimeRange {
        TimeRange { opens: parse_time(opens).unwrap(), closes: parse_time(closes).unwrap() }
    }

    /// Tuesday to Saturday 9:00–12:30 and 15:00–19:00, Sunday 8:00–12:30.
    fn bakery() -> OpeningHours {
        let mut hours = OpeningHours::default();
        for day in 1..=5 {
            hours.days[day] = vec![range("9:00", "12:30"), range("15:00", "19:00")];
        }
        hours.days[6] = vec![range("8:00", "12:30")];
        hours
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    #[test]
    fn every_usual_spelling_of_a_time_is_read() {
        for (text, minutes) in [
            ("9:00", 540),
            ("09:00", 540),
            ("9h", 540),
            ("9 h", 540),
            ("9 h 30", 570),
            ("9h30", 570),
            ("9H30", 570),
            ("9\u{a0}h\u{a0}30", 570),
            ("9.30", 570),
            ("9", 540),
            (" 19:45 ", 1185),
            ("0:00", 0),
            ("24:00", 1440),
            ("24h", 1440),
            ("9 am", 540),
            ("7pm", 1140),
            ("7:30 PM", 1170),
            ("12 pm", 720),
            ("12 am", 0),
        ] {
            assert_eq!(parse_time(text), Some(minutes), "{text:?}");
        }
    }

    #[test]
    fn nonsense_times_are_not_read() {
        for text in [
            "",
            "h",
            "9:",
            "9:5",
            "9h5",
            "9:60",
            "25:00",
            "24:30",
            "930",
            "neuf heures",
            "13 pm",
            "0 am",
            "-9",
        ] {
            assert_eq!(parse_time(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_form_of_a_french_bakery_gives_its_hours() {
        let mut fields = form(&[("h0_0_opens", ""), ("h6_0_opens", "8h"), ("h6_0_closes", "12 h 30")]);
        for day in 1..=5 {
            fields.insert(format!("h{day}_0_opens"), "9:00".into());
            fields.insert(format!("h{day}_0_closes"), "12h30".into());
            fields.insert(format!("h{day}_1_opens"), "15h".into());
            fields.insert(format!("h{day}_1_closes"), "19:00".into());
        }
        assert_eq!(OpeningHours::from_form(&fields), Ok(bakery()));
    }

    #[test]
    fn an_empty_form_gives_empty_hours() {
        let hours = OpeningHours::from_form(&HashMap::new()).unwrap();
        assert!(hours.is_empty());
        assert!(!bakery().is_empty());
    }

    #[test]
    fn a_single_afternoon_range_in_the_second_slot_is_kept() {
        let hours =
            OpeningHours::from_form(&form(&[("h0_1_opens", "14:00"), ("h0_1_closes", "18:00")])).unwrap();
        assert_eq!(hours.days[0], vec![range("14:00", "18:00")]);
    }

    #[test]
    fn closing_at_midnight_is_accepted_written_either_way() {
        let hours = OpeningHours::from_form(&form(&[
            ("h4_0_opens", "18:00"),
            ("h4_0_closes", "0:00"),
            ("h5_0_opens", "18:00"),
            ("h5_0_closes", "24h"),
        ]))
        .unwrap();
        assert_eq!(hours.days[4], vec![TimeRange { opens: 1080, closes: 1440 }]);
        assert_eq!(hours.days[5], hours.days[4]);
        assert_eq!(hours.form_value(4, 0, true), "24:00");
    }

    #[test]
    fn an_unreadable_time_is_reported_on_its_field() {
        let errors = OpeningHours::from_form(&form(&[("h2_0_opens", "neuf"), ("h2_0_closes", "12:00")]));
        assert_eq!(errors, Err(vec![("h2_0_opens".to_string(), ERROR_TIME)]));
    }

    #[test]
    fn a_range_closing_before_it_opens_is_reported_on_its_closing_field() {
        let errors = OpeningHours::from_form(&form(&[
            ("h0_0_opens", "12:00"),
            ("h0_0_closes", "9:00"),
            ("h1_0_opens", "9:00"),
            ("h1_0_closes", "9h"),
        ]));
        assert_eq!(
            errors,
            Err(vec![("h0_0_closes".to_string(), ERROR_ORDER), ("h1_0_closes".to_string(), ERROR_ORDER)])
        );
    }

    #[test]
    fn overlapping_or_swapped_ranges_are_reported_on_the_second_opening_field() {
        let overlapping = OpeningHours::from_form(&form(&[
            ("h3_0_opens", "9:00"),
            ("h3_0_closes", "13:00"),
            ("h3_1_opens", "12:00"),
            ("h3_1_closes", "18:00"),
        ]));
        assert_eq!(overlapping, Err(vec![("h3_1_opens".to_string(), ERROR_OVERLAP)]));
        let swapped = OpeningHours::from_form(&form(&[
            ("h3_0_opens", "15:00"),
            ("h3_0_closes", "19:00"),
            ("h3_1_opens", "9:00"),
            ("h3_1_closes", "12:00"),
        ]));
        assert_eq!(swapped, Err(vec![("h3_1_opens".to_string(), ERROR_OVERLAP)]));
    }

    #[test]
    fn ranges_that_touch_do_not_overlap() {
        let hours = OpeningHours::from_form(&form(&[
            ("h3_0_opens", "9:00"),
            ("h3_0_closes", "12:00"),
            ("h3_1_opens", "12:00"),
            ("h3_1_closes", "14:00"),
        ]));
        assert!(hours.is_ok());
    }

    #[test]
    fn half_a_range_is_reported_on_the_missing_field() {
        let errors = OpeningHours::from_form(&form(&[("h0_0_opens", "9:00"), ("h6_1_closes", "19:00")]));
        assert_eq!(
            errors,
            Err(vec![("h0_0_closes".to_string(), ERROR_HALF), ("h6_1_opens".to_string(), ERROR_HALF)])
        );
    }

    #[test]
    fn every_error_of_the_form_is_reported_at_once() {
        let errors = OpeningHours::from_form(&form(&[
            ("h0_0_opens", "matin"),
            ("h1_0_opens", "9:00"),
            ("h1_0_closes", "8:00"),
            ("h2_0_closes", "12:00"),
        ]))
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                ("h0_0_opens".to_string(), ERROR_TIME),
                ("h0_0_closes".to_string(), ERROR_HALF),
                ("h1_0_closes".to_string(), ERROR_ORDER),
                ("h2_0_opens".to_string(), ERROR_HALF),
            ]
        );
    }

    #[test]
    fn form_values_round_trip_through_the_form() {
        let hours = bakery();
        assert_eq!(hours.form_value(1, 0, false), "09:00");
        assert_eq!(hours.form_value(1, 1, true), "19:00");
        assert_eq!(hours.form_value(6, 1, false), "");
        assert_eq!(hours.form_value(0, 0, false), "");
        assert_eq!(hours.form_value(9, 0, false), "", "a day out of range is empty, not a panic");
        let mut fields = HashMap::new();
        for day in 0..7 {
            for slot in 0..SLOTS_PER_DAY {
                for closes in [false, true] {
                    fields.insert(
                        OpeningHours::field_name(day, slot, closes),
                        hours.form_value(day, slot, closes),
                    );
                }
            }
        }
        assert_eq!(OpeningHours::from_form(&fields), Ok(hours));
    }

    #[test]
    fn the_bakery_is_open_on_an_ordinary_tuesday_morning_and_closed_at_lunch() {
        let hours = bakery();
        // Tuesday 16 June 2026, Paris is at UTC+2.
        assert!(hours.is_open_at(at("2026-06-16T08:00:00Z"), &paris()), "10:00");
        assert!(!hours.is_open_at(at("2026-06-16T11:00:00Z"), &paris()), "13:00");
        assert!(hours.is_open_at(at("2026-06-16T15:00:00Z"), &paris()), "17:00");
        assert!(!hours.is_open_at(at("2026-06-16T18:00:00Z"), &paris()), "20:00");
        // Monday 15 June 2026 at 10:00: closed all day.
        assert!(!hours.is_open_at(at("2026-06-15T08:00:00Z"), &paris()));
    }

    #[test]
    fn the_opening_minute_is_open_and_the_closing_minute_is_closed() {
        let hours = bakery();
        let zone = paris();
        assert!(!hours.is_open_at(at("2026-06-16T06:59:59Z"), &zone), "8:59:59");
        assert!(hours.is_open_at(at("2026-06-16T07:00:00Z"), &zone), "9:00");
        assert!(hours.is_open_at(at("2026-06-16T10:29:59Z"), &zone), "12:29:59");
        assert!(!hours.is_open_at(at("2026-06-16T10:30:00Z"), &zone), "12:30");
    }

    #[test]
    fn sunday_hours_follow_the_clocks_on_the_night_they_go_forward() {
        // Sunday 29 March 2026: at 2:00 the clocks go to 3:00, Paris moves from UTC+1 to UTC+2.
        let hours = bakery();
        let zone = paris();
        assert!(!hours.is_open_at(at("2026-03-29T05:59:00Z"), &zone), "7:59 local");
        assert!(hours.is_open_at(at("2026-03-29T06:00:00Z"), &zone), "8:00 local (7:00 at the old offset)");
        assert!(hours.is_open_at(at("2026-03-29T10:29:00Z"), &zone), "12:29 local");
        assert!(!hours.is_open_at(at("2026-03-29T10:30:00Z"), &zone), "12:30 local");
    }

    #[test]
    fn sunday_hours_follow_the_clocks_on_the_night_they_go_back() {
        // Sunday 25 October 2026: at 3:00 the clocks go back to 2:00, Paris moves from UTC+2 to UTC+1.
        let hours = bakery();
        let zone = paris();
        assert!(!hours.is_open_at(at("2026-10-25T06:30:00Z"), &zone), "7:30 local (8:30 at the old offset)");
        assert!(!hours.is_open_at(at("2026-10-25T06:59:00Z"), &zone), "7:59 local");
        assert!(hours.is_open_at(at("2026-10-25T07:00:00Z"), &zone), "8:00 local");
        assert!(!hours.is_open_at(at("2026-10-25T11:30:00Z"), &zone), "12:30 local");
    }

    #[test]
    fn the_hour_that_happens_twice_is_open_both_times() {
        let mut hours = OpeningHours::default();
        hours.days[6] = vec![range("2:00", "3:00")];
        let zone = paris();
        assert!(hours.is_open_at(at("2026-10-25T00:30:00Z"), &zone), "2:30 summer time");
        assert!(hours.is_open_at(at("2026-10-25T01:30:00Z"), &zone), "2:30 winter time");
        assert!(!hours.is_open_at(at("2026-10-25T02:00:00Z"), &zone), "3:00 winter time");
    }

    #[test]
    fn a_range_closing_at_midnight_is_open_until_the_last_minute() {
        let mut hours = OpeningHours::default();
        hours.days[4] = vec![TimeRange { opens: 1080, closes: END_OF_DAY }];
        let zone = paris();
        // Friday 19 June 2026 23:59 in Paris, then Saturday 0:00.
        assert!(hours.is_open_at(at("2026-06-19T21:59:00Z"), &zone));
        assert!(!hours.is_open_at(at("2026-06-19T22:00:00Z"), &zone));
    }

    #[test]
    fn schema_org_merges_consecutive_days_with_the_same_hours() {
        assert_eq!(bakery().schema_org(), ["Tu-Sa 09:00-12:30", "Tu-Sa 15:00-19:00", "Su 08:00-12:30"]);
    }

    #[test]
    fn schema_org_keeps_apart_days_that_are_not_consecutive() {
        let mut hours = OpeningHours::default();
        hours.days[0] = vec![range("8:00", "12:00")];
        hours.days[2] = vec![range("8:00", "12:00")];
        hours.days[3] = vec![range("8:00", "12:00")];
        hours.days[6] = vec![range("18:00", "24:00")];
        assert_eq!(hours.schema_org(), ["Mo 08:00-12:00", "We-Th 08:00-12:00", "Su 18:00-24:00"]);
    }

    #[test]
    fn schema_org_writes_a_whole_week_as_one_range_of_days() {
        let hours = OpeningHours { days: std::array::from_fn(|_| vec![range("7:30", "20:00")]) };
        assert_eq!(hours.schema_org(), ["Mo-Su 07:30-20:00"]);
        assert!(OpeningHours::default().schema_org().is_empty());
    }

    #[test]
    fn the_french_description_uses_french_typography() {
        let text = bakery().describe(true);
        assert_eq!(text.len(), 7);
        assert_eq!(text[0], ("lundi", "fermé".to_string()));
        assert_eq!(text[1], ("mardi", "9\u{a0}h – 12\u{a0}h\u{a0}30, 15\u{a0}h – 19\u{a0}h".to_string()));
        assert_eq!(text[6], ("dimanche", "8\u{a0}h – 12\u{a0}h\u{a0}30".to_string()));
    }

    #[test]
    fn the_english_description_uses_am_and_pm() {
        let text = bakery().describe(false);
        assert_eq!(text[0], ("Monday", "closed".to_string()));
        assert_eq!(text[1], ("Tuesday", "9 am – 12:30 pm, 3 pm – 7 pm".to_string()));
        assert_eq!(text[6], ("Sunday", "8 am – 12:30 pm".to_string()));
    }

    #[test]
    fn noon_and_midnight_are_written_out() {
        let mut hours = OpeningHours::default();
        hours.days[0] = vec![TimeRange { opens: 0, closes: 720 }, TimeRange { opens: 1230, closes: 1440 }];
        assert_eq!(hours.describe(false)[0].1, "midnight – noon, 8:30 pm – midnight");
        assert_eq!(hours.describe(true)[0].1, "0\u{a0}h – 12\u{a0}h, 20\u{a0}h\u{a0}30 – 24\u{a0}h");
    }

    #[test]
    fn json_is_compact_and_round_trips() {
        let json = bakery().to_json();
        assert!(!json.contains(' ') && !json.contains('\n'), "{json}");
        assert!(json.starts_with(r#"{"days":[[],[{"opens":540,"closes":750},{"opens":900,"closes":1140}]"#));
        assert_eq!(OpeningHours::from_json(&json), bakery());
        assert_eq!(OpeningHours::from_json(&OpeningHours::default().to_json()), OpeningHours::default());
    }

    #[test]
    fn unreadable_or_invalid_json_gives_empty_hours() {
        for text in [
            "",
            "null",
            "not json",
            r#"{"days":[]}"#,
            r#"{"days":[[{"opens":600,"closes":540}],[],[],[],[],[],[]]}"#,
            r#"{"days":[[{"opens":600,"closes":1500}],[],[],[],[],[],[]]}"#,
            r#"{"days":[[{"opens":600,"closes":700},{"opens":650,"closes":800}],[],[],[],[],[],[]]}"#,
            r#"{"days":[[{"opens":1,"closes":2},{"opens":3,"closes":4},{"opens":5,"closes":6}],[],[],[],[],[],[]]}"#,
        ] {
            assert_eq!(OpeningHours::from_json(text), OpeningHours::default(), "{text}");
        }
    }
}
