//! Numbers, prices, dates and times written the way each language writes them
//! (French: `1 234,50 €`, `mardi 17 mars`, `9 h 30`).

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::i18n::Lang;

/// The narrow no-break space French puts between thousands.
const THIN_NBSP: char = '\u{202F}';
/// The no-break space French puts before the euro sign and inside `9 h 30`.
const NBSP: char = '\u{00A0}';

/// Writes a whole number with the language's thousands separator.
pub fn integer(value: i64, lang: Lang) -> String {
    let digits = value.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Fr => THIN_NBSP,
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// Writes an amount of euro cents: `1 234,50 €` in French, `€1,234.50` in English.
pub fn price(cents: i64, lang: Lang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let units = integer((cents / 100).abs(), lang);
    let fraction = (cents % 100).abs();
    match lang {
        Lang::Fr => format!("{sign}{units},{fraction:02}{NBSP}€"),
        Lang::En => format!("{sign}€{units}.{fraction:02}"),
    }
}

const FR_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const EN_DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Writes a day: `mardi 17 mars` in French (`1er` for the first), `Tuesday 17 March` in English.
pub fn day(date: Date, lang: Lang) -> String {
    let weekday = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
    let month = usize::from(date.month().unsigned_abs()) - 1;
    match lang {
        Lang::Fr => {
            let number = if date.day() == 1 { "1er".to_owned() } else { date.day().to_string() };
            format!("{} {number} {}", FR_DAYS[weekday], FR_MONTHS[month])
        }
        Lang::En => format!("{} {} {}", EN_DAYS[weekday], date.day(), EN_MONTHS[month]),
    }
}

/// Writes a day with its year: `mardi 17 mars 2026`.
pub fn day_with_year(date: Date, lang: Lang) -> String {
    format!("{} {}", day(date, lang), date.year())
}

/// Writes a short day for chart labels: `17/03` in French, `17 Mar` in English.
pub fn short_day(date: Date, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{:02}/{:02}", date.day(), date.month()),
        Lang::En => {
            let month = usize::from(date.month().unsigned_abs()) - 1;
            format!("{} {}", date.day(), &EN_MONTHS[month][..3])
        }
    }
}

/// Writes a time of day: `9 h 30`, `14 h` in French; `9:30 am`, `2 pm` in English.
pub fn time(time: Time, lang: Lang) -> String {
    let (hour, minute) = (time.hour(), time.minute());
    match lang {
        Lang::Fr if minute == 0 => format!("{hour}{NBSP}h"),
        Lang::Fr => format!("{hour}{NBSP}h{NBSP}{minute:02}"),
        Lang::En => {
            let suffix = if hour < 12 { "am" } else { "pm" };
            let twelve = match hour % 12 {
                0 => 12,
                h => h,
            };
            if minute == 0 { format!("{twelve} {suffix}") } else { format!("{twelve}:{minute:02} {suffix}") }
        }
    }
}

/// Writes an instant (Unix seconds) as a day and a time in `zone`:
/// `mardi 17 mars 2026 à 9 h 30`.
pub fn timestamp(seconds: i64, zone: &TimeZone, lang: Lang) -> String {
    let Ok(instant) = jiff::Timestamp::from_second(seconds) else {
        return String::new();
    };
    let zoned = instant.to_zoned(zone.clone());
    let connector = match lang {
        Lang::Fr => "à",
        Lang::En => "at",
    };
    format!("{} {connector} {}", day_with_year(zoned.date(), lang), time(zoned.time(), lang))
}

/// Parses a point typed in a form (`43,86` French decimals accepted in each part).
pub fn parse_decimal(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time as civil_time};

    #[test]
    fn prices_are_written_the_french_way() {
        assert_eq!(price(123_450, Lang::Fr), "1\u{202F}234,50\u{A0}€");
        assert_eq!(price(120, Lang::Fr), "1,20\u{A0}€");
        assert_eq!(price(5, Lang::Fr), "0,05\u{A0}€");
        assert_eq!(price(-250, Lang::Fr), "-2,50\u{A0}€");
        assert_eq!(price(100_000_000, Lang::Fr), "1\u{202F}000\u{202F}000,00\u{A0}€");
    }

    #[test]
    fn prices_are_written_the_english_way() {
        assert_eq!(price(123_450, Lang::En), "€1,234.50");
        assert_eq!(price(-5, Lang::En), "-€0.05");
    }

    #[test]
    fn days_name_the_weekday_and_month() {
        assert_eq!(day(date(2026, 3, 17), Lang::Fr), "mardi 17 mars");
        assert_eq!(day(date(2026, 3, 1), Lang::Fr), "dimanche 1er mars");
        assert_eq!(day(date(2026, 3, 17), Lang::En), "Tuesday 17 March");
    }

    #[test]
    fn times_use_h_in_french() {
        assert_eq!(time(civil_time(9, 30, 0, 0), Lang::Fr), "9\u{A0}h\u{A0}30");
        assert_eq!(time(civil_time(14, 0, 0, 0), Lang::Fr), "14\u{A0}h");
        assert_eq!(time(civil_time(0, 5, 0, 0), Lang::En), "12:05 am");
        assert_eq!(time(civil_time(14, 0, 0, 0), Lang::En), "2 pm");
    }

    #[test]
    fn timestamps_are_shown_in_the_territory_time_zone_across_dst() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        // 2026-03-29 01:30 UTC is 03:30 in Paris, just after the switch to summer time.
        let seconds = jiff::Timestamp::from_second(1_774_747_800).unwrap().as_second();
        assert_eq!(timestamp(seconds, &paris, Lang::Fr), "dimanche 29 mars 2026 à 3\u{A0}h\u{A0}30");
    }
}
