//! What a shop is told by email about its orders: each new and cancelled order, unless it
//! turned that off, and the day's summary at the time it chose, once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{api, drive};
use crate::helpers::*;

const MERCHANT: &str = "boulangerie@exemple.fr";

async fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    halle::mail::list_outbox(&app.db, None, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_address == to)
        .map(|m| (m.subject, m.body_text))
        .collect()
}

#[tokio::test]
async fn the_shop_is_emailed_about_each_new_and_cancelled_order_unless_it_turned_that_off() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(10)).await;
    let slot = d.slot(48, 5).await;
    let placed = d.order(0, slot, json!([{"product_id": bread, "quantity": 2}])).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let id = placed.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (subject, body) = d.app.last_mail_to(MERCHANT).await.expect("a mail about the new order");
    assert_eq!(subject, format!("Nouvelle commande n° {id} – client0"));
    assert!(body.contains("2 × Produit PAIN") && body.contains("Total : 2,40"), "{body}");
    assert!(body.contains(&format!("/drive/commandes/{id}")), "{body}");

    let cancelled =
        api(&d.customers[0]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let (subject, _) = d.app.last_mail_to(MERCHANT).await.unwrap();
    assert_eq!(subject, format!("Commande n° {id} annulée par client0"));

    // The merchant turns the mails off on the drive's settings page: the next order sends none.
    d.app.login(MERCHANT, PASSWORD).await;
    let settings = format!("/t/marguerittes/annuaire/{}/drive/reglages", d.business);
    let saved =
        d.app.submit(&settings, &format!("/t/marguerittes/annuaire/{}/drive/avis", d.business), &[]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, page) = d.app.page(&settings).await;
    assert!(
        page.select(&scraper::Selector::parse("#each_order").unwrap())
            .next()
            .unwrap()
            .attr("checked")
            .is_none()
    );
    let before = mails_to(&d.app, MERCHANT).await.len();
    let again = d.order(0, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(mails_to(&d.app, MERCHANT).await.len(), before);
    // A time that is not one is refused on the page, and nothing changes.
    let refused = d
        .app
        .submit(
            &settings,
            &format!("/t/marguerittes/annuaire/{}/drive/avis", d.business),
            &[("each_order", "on"), ("summary_time", "25:99")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let drive = halle::orders::managed_drive(&d.app.db, &merchant(&d.app).await, d.business).await.unwrap();
    let notices = halle::orders::notices(&d.app.db, &drive).await.unwrap();
    assert_eq!(notices, halle::orders::Notices { each_order: false, summary_minute: None });
}

async fn merchant(app: &TestApp) -> halle::accounts::User {
    halle::accounts::authenticate(&app.db, MERCHANT, PASSWORD).await.unwrap()
}

#[tokio::test]
async fn the_days_summary_goes_once_at_the_chosen_time_and_lists_the_days_orders() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(10)).await;
    let slot = d.slot(48, 5).await;
    let placed = d.order(0, slot, json!([{"product_id": bread, "quantity": 3}])).await;
    let id = placed.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let starts_at =
        halle::orders::order_detail(&d.app.db, &merchant(&d.app).await, id).await.unwrap().order.starts_at;
    let slot_time = jiff::Timestamp::from_second(starts_at).unwrap();
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let local = slot_time.to_zoned(paris);
    // No summary asked for: nothing is sent.
    let sent = halle::orders::send_due_summaries(&d.app.db, &d.app.base, slot_time).await.unwrap();
    assert_eq!(sent, 0);
    // A summary at the slot's local time: nothing a minute before, one at the time, and only one.
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    halle::orders::save_notices(&d.app.db, &merchant(&d.app).await, d.business, true, &time).await.unwrap();
    let before = mails_to(&d.app, MERCHANT).await.len();
    let early = slot_time - jiff::SignedDuration::from_secs(60);
    if early.to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap()).date() == local.date() {
        assert_eq!(halle::orders::send_due_summaries(&d.app.db, &d.app.base, early).await.unwrap(), 0);
    }
    assert_eq!(halle::orders::send_due_summaries(&d.app.db, &d.app.base, slot_time).await.unwrap(), 1);
    assert_eq!(halle::orders::send_due_summaries(&d.app.db, &d.app.base, slot_time).await.unwrap(), 0);
    let mails = mails_to(&d.app, MERCHANT).await;
    assert_eq!(mails.len(), before + 1);
    let (subject, body) = &mails[0];
    assert!(
        subject.starts_with("Les commandes du ") && subject.ends_with("– Boulangerie Lafont (1)"),
        "{subject}"
    );
    assert!(body.contains(&format!("n° {id} · client0")) && body.contains("3 × Produit PAIN"), "{body}");
}
