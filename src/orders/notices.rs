//! What a shop is told by email about its orders: each new and each cancelled order (unless its
//! owners turned it off), and, at the time they chose, the summary of the day's orders. The
//! mails go to the business's owners, in their language, through the outbox.

use super::checkout::{lines_text, slot_text};
use super::schedule;
use super::slots::{Drive, day_span, managed_drive, public_drive};
use super::store;
use super::{Order, OrderLine, OrderStatus};
use crate::accounts::{self, User};
use crate::db::{Db, Tx};
use crate::directory;
use crate::error::{AppError, AppResult};
use crate::mail::{self, Email};
use crate::web::fmt;
use crate::web::i18n::Tr;

/// What the shop is told by email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notices {
    /// A mail for each new and each cancelled order.
    pub each_order: bool,
    /// The day's summary at this local time (minutes after midnight); `None`: no summary.
    pub summary_minute: Option<i64>,
}

impl Default for Notices {
    fn default() -> Self {
        Self { each_order: true, summary_minute: None }
    }
}

impl Notices {
    /// The summary's time as a form shows it (`07:30`), empty when there is none.
    pub fn summary_time(&self) -> String {
        self.summary_minute.map(|m| format!("{:02}:{:02}", m / 60, m % 60)).unwrap_or_default()
    }
}

/// What the shop of this drive is told (the drive comes from [`managed_drive`], as for its
/// points and slots).
pub async fn notices(db: &Db, drive: &Drive) -> AppResult<Notices> {
    stored(db, drive.business.id).await
}

async fn stored(ex: impl Into<crate::db::Exec<'_>>, business_id: i64) -> AppResult<Notices> {
    Ok(store::notice(ex, business_id)
        .await?
        .map(|(each_order, summary_minute)| Notices { each_order, summary_minute })
        .unwrap_or_default())
}

/// Saves what the shop is told (its owners): `summary_time` is `HH:MM`, or empty for none.
pub async fn save_notices(
    db: &Db,
    actor: &User,
    business_id: i64,
    each_order: bool,
    summary_time: &str,
) -> AppResult<Notices> {
    managed_drive(db, actor, business_id).await?;
    let summary_minute = match summary_time.trim() {
        "" => None,
        text => Some(
            schedule::parse_time_of_day(text)
                .filter(|m| (0..24 * 60).contains(m))
                .ok_or(AppError::invalid("summary_time", "orders.error.time"))?,
        ),
    };
    store::save_notice(db, business_id, each_order, summary_minute).await?;
    Ok(Notices { each_order, summary_minute })
}

/// Tells the shop's owners about a new or a cancelled order, in the transaction that makes it
/// (unless they turned these mails off).
pub(super) async fn tell_shop(
    tx: &mut Tx,
    base_url: &str,
    drive: &Drive,
    order: &Order,
    lines: &[OrderLine],
    status: OrderStatus,
) -> AppResult<()> {
    if !stored(&mut *tx, drive.business.id).await?.each_order {
        return Ok(());
    }
    let (subject, body) = if status == OrderStatus::Cancelled {
        ("mail.shop.cancelled.subject", "mail.shop.cancelled.body")
    } else {
        ("mail.shop.new.subject", "mail.shop.new.body")
    };
    let link = format!(
        "{base_url}/t/{}/annuaire/{}/drive/commandes/{}",
        drive.territory.slug, drive.business.id, order.id
    );
    for owner in owners(tx, drive.business.id).await? {
        let lang = owner.lang();
        let t = Tr::new(lang);
        let number = order.id.to_string();
        let slot = slot_text(order.starts_at, order.ends_at, &drive.tz(), lang);
        let total = fmt::price(order.total_cents, lang);
        let detail = lines_text(lines, lang);
        let args = [
            ("number", number.as_str()),
            ("business", drive.business.name.as_str()),
            ("customer", order.customer_name.as_str()),
            ("slot", slot.as_str()),
            ("lines", detail.as_str()),
            ("total", total.as_str()),
            ("link", link.as_str()),
        ];
        mail::enqueue(tx, &Email::new(&owner.email, &t.fill(subject, &args), t.fill(body, &args))).await?;
    }
    Ok(())
}

async fn owners(tx: &mut Tx, business_id: i64) -> AppResult<Vec<User>> {
    let mut owners = Vec::new();
    for id in directory::owner_ids(&mut *tx, business_id).await? {
        if let Some(user) = accounts::user_by_id(&mut *tx, id).await? {
            owners.push(user);
        }
    }
    Ok(owners)
}

/// Sends the day's summaries that are due at `at` (now, for the jobs): for each shop that asked
/// for one, once its local time passed the chosen time, once a day, whichever server instance
/// gets there first. A day without orders sends nothing. Returns how many shops got one.
pub async fn send_due_summaries(db: &Db, base_url: &str, at: jiff::Timestamp) -> AppResult<usize> {
    let mut sent = 0;
    for (business_id, minute, sent_on) in store::summaries(db).await? {
        let Ok(drive) = public_drive(db, business_id).await else { continue };
        let tz = drive.tz();
        let now = at.to_zoned(tz.clone());
        let day = now.date();
        let minute_now = i64::from(now.hour()) * 60 + i64::from(now.minute());
        if sent_on == day.to_string() || minute_now < minute {
            continue;
        }
        let orders: Vec<Order> = store::orders_of_business(db, business_id, day_span(day, day, &tz), None)
            .await?
            .into_iter()
            .filter(|o| !matches!(o.status(), OrderStatus::Cancelled | OrderStatus::NoShow))
            .collect();
        let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
        let lines = store::lines(db, &ids).await?;
        let mut tx = db.begin().await?;
        if !store::claim_summary(&mut tx, business_id, &day.to_string()).await? || orders.is_empty() {
            tx.commit().await?;
            continue;
        }
        for owner in owners(&mut tx, business_id).await? {
            let lang = owner.lang();
            let t = Tr::new(lang);
            let list: Vec<String> = orders
                .iter()
                .map(|o| {
                    let mine: Vec<OrderLine> = lines.iter().filter(|l| l.order_id == o.id).cloned().collect();
                    format!(
                        "{} · n° {} · {}\n{}",
                        slot_text(o.starts_at, o.ends_at, &tz, lang),
                        o.id,
                        o.customer_name,
                        lines_text(&mine, lang)
                    )
                })
                .collect();
            let count = orders.len().to_string();
            let day_text = fmt::day(day, lang);
            let link = format!(
                "{base_url}/t/{}/annuaire/{}/drive?jour={day}",
                drive.territory.slug, drive.business.id
            );
            let args = [
                ("business", drive.business.name.as_str()),
                ("day", day_text.as_str()),
                ("count", count.as_str()),
                ("orders", &list.join("\n\n")),
                ("link", link.as_str()),
            ];
            let subject = t.fill("mail.shop.summary.subject", &args);
            mail::enqueue(
                &mut tx,
                &Email::new(&owner.email, &subject, t.fill("mail.shop.summary.body", &args)),
            )
            .await?;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
