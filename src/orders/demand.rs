//! Supplies planned from demand: what was ordered from a shop, per product, for each of the
//! coming seven days and then week by week, so that it orders from its own suppliers what its
//! customers ordered from it.

use jiff::ToSpan;
use jiff::civil::Date;

use super::schedule::local_day;
use super::slots::{day_span, managed_drive, today};
use super::store;
use crate::accounts::User;
use crate::db::Db;
use crate::error::AppResult;

/// Days shown one by one, then weeks.
const DAYS: i64 = 7;
/// Weeks shown after the days.
const WEEKS: i64 = 3;

/// A column of the table: one day, or one week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub first: Date,
    /// Last day (the same for a single day).
    pub last: Date,
}

/// One product's quantities, a number per period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemandRow {
    /// The merchant's reference.
    pub reference: String,
    /// Name, as ordered.
    pub name: String,
    /// Unit (stored name).
    pub unit: String,
    /// Quantity ordered per period, in the order of [`Demand::periods`].
    pub quantities: Vec<i64>,
    /// Sum over every period.
    pub total: i64,
}

/// What was ordered for the coming days and weeks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Demand {
    /// The columns: each of the next seven days from today, then three weeks.
    pub periods: Vec<Period>,
    /// One row per product (and unit), by name.
    pub rows: Vec<DemandRow>,
}

/// The periods from `first`: seven single days, then three seven-day weeks.
fn periods_from(first: Date) -> Vec<Period> {
    let day = |n: i64| first.checked_add(n.days()).unwrap_or(first);
    let mut periods: Vec<Period> = (0..DAYS).map(|n| Period { first: day(n), last: day(n) }).collect();
    for week in 0..WEEKS {
        let start = DAYS + 7 * week;
        periods.push(Period { first: day(start), last: day(start + 6) });
    }
    periods
}

/// Puts each (reference, name, unit, day, quantity) in its period and row.
fn tabulate(periods: Vec<Period>, ordered: Vec<(String, String, String, Date, i64)>) -> Demand {
    let mut rows: Vec<DemandRow> = Vec::new();
    for (reference, name, unit, day, quantity) in ordered {
        let Some(column) = periods.iter().position(|p| p.first <= day && day <= p.last) else { continue };
        let index = match rows
            .iter()
            .position(|r| r.reference == reference && r.name == name && r.unit == unit)
        {
            Some(index) => index,
            None => {
                rows.push(DemandRow { reference, name, unit, quantities: vec![0; periods.len()], total: 0 });
                rows.len() - 1
            }
        };
        rows[index].quantities[column] += quantity;
        rows[index].total += quantity;
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.reference.cmp(&b.reference)));
    Demand { periods, rows }
}

/// What was ordered from the business (its owners) for today, each of the next six days and
/// the three weeks after, per product; cancelled orders and no-shows left out.
pub async fn demand(db: &Db, actor: &User, business_id: i64) -> AppResult<Demand> {
    let drive = managed_drive(db, actor, business_id).await?;
    let tz = drive.tz();
    let periods = periods_from(today(&tz));
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(Demand { periods, rows: Vec::new() });
    };
    let span = day_span(first.first, last.last, &tz);
    let ordered = store::ordered_quantities(db, business_id, span)
        .await?
        .into_iter()
        .filter_map(|(reference, name, unit, starts_at, quantity)| {
            local_day(starts_at, &tz).map(|day| (reference, name, unit, day, quantity))
        })
        .collect();
    Ok(tabulate(periods, ordered))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn seven_days_then_three_weeks() {
        let periods = periods_from(date("2026-12-03"));
        assert_eq!(periods.len(), 10);
        assert_eq!(periods[6], Period { first: date("2026-12-09"), last: date("2026-12-09") });
        assert_eq!(periods[7], Period { first: date("2026-12-10"), last: date("2026-12-16") });
        assert_eq!(periods[9], Period { first: date("2026-12-24"), last: date("2026-12-30") });
    }

    #[test]
    fn quantities_land_in_their_day_or_week_and_add_up() {
        let line = |reference: &str, day: &str, quantity: i64| {
            (reference.to_owned(), format!("Produit {reference}"), "piece".to_owned(), date(day), quantity)
        };
        let demand = tabulate(
            periods_from(date("2026-12-03")),
            vec![
                line("PAIN", "2026-12-03", 4),
                line("PAIN", "2026-12-03", 2),
                line("PAIN", "2026-12-12", 5),
                line("OEUF", "2026-12-04", 12),
                line("OEUF", "2027-02-01", 99), // beyond the table
            ],
        );
        assert_eq!(demand.rows.len(), 2);
        assert_eq!(demand.rows[0].reference, "OEUF");
        assert_eq!(demand.rows[0].quantities[1], 12);
        assert_eq!(demand.rows[0].total, 12);
        assert_eq!(demand.rows[1].quantities[0], 6);
        assert_eq!(demand.rows[1].quantities[7], 5);
        assert_eq!(demand.rows[1].total, 11);
    }
}
