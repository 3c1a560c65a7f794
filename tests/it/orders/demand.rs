//! Supplies planned from demand: the quantities ordered per product for the coming days and
//! weeks, as a page and as CSV.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{api, drive};
use crate::helpers::*;

#[tokio::test]
async fn the_shop_sees_what_was_ordered_per_day_and_week_without_cancelled_orders() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(50)).await;
    let eggs = d.product("OEUF", 30, None).await;
    let soon = d.slot(48, 5).await;
    let later = d.slot(24 * 10, 5).await;
    for (slot, items) in [
        (soon, json!([{"product_id": bread, "quantity": 3}, {"product_id": eggs, "quantity": 12}])),
        (soon, json!([{"product_id": bread, "quantity": 1}])),
        (later, json!([{"product_id": bread, "quantity": 2}])),
    ] {
        assert_eq!(d.order(0, slot, items).await.status(), StatusCode::CREATED);
    }
    let cancelled = d.order(0, soon, json!([{"product_id": bread, "quantity": 7}])).await;
    let id = cancelled.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let response =
        api(&d.customers[0]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    d.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let base = format!("/t/marguerittes/annuaire/{}/drive", d.business);
    let (_, day) = d.app.page(&base).await;
    assert!(
        day.select(&scraper::Selector::parse(&format!("a[href=\"{base}/demande\"]")).unwrap())
            .next()
            .is_some()
    );
    let (status, page) = d.app.page(&format!("{base}/demande")).await;
    assert_eq!(status, StatusCode::OK);
    let headings = texts(&page, "table.demand thead th");
    assert_eq!(headings.len(), 12, "{headings:?}");
    assert!(headings[8].starts_with("semaine du "), "{headings:?}");
    assert!(!headings.iter().any(|h| h.contains("2026-") || h.contains("2027-")), "{headings:?}");
    let rows = texts(&page, "table.demand tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].starts_with("Produit OEUF"), "{rows:?}");
    assert!(rows[1].starts_with("Produit PAIN"), "{rows:?}");

    let csv = d.app.get(&format!("{base}/demande.csv")).await.text().await.unwrap();
    let lines: Vec<Vec<&str>> =
        csv.trim_start_matches('\u{feff}').lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(lines.len(), 3, "{csv}");
    let bread_row = lines.iter().find(|l| l[0] == "PAIN").unwrap();
    let numbers: Vec<i64> = bread_row[3..].iter().map(|n| n.parse().unwrap()).collect();
    // Four for the slot in two days, two for the one in ten days (its week), the cancelled seven left out.
    assert_eq!(numbers.last(), Some(&6), "{csv}");
    assert_eq!(numbers[..7].iter().sum::<i64>(), 4, "{csv}");
    assert_eq!(numbers[7..10].iter().sum::<i64>(), 2, "{csv}");
    let eggs_row = lines.iter().find(|l| l[0] == "OEUF").unwrap();
    assert_eq!(eggs_row.last(), Some(&"12"), "{csv}");
}
