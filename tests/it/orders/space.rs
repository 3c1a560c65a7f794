//! "Mon espace": a merchant signs in and lands on their shops' orders, the new ones first.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::drive;
use crate::helpers::*;

#[tokio::test]
async fn a_merchant_signs_in_to_the_orders_waiting_newest_first_and_a_resident_to_the_account() {
    let d = drive(2).await;
    let bread = d.product("PAIN", 120, Some(20)).await;
    let slot = d.slot(48, 5).await;
    let mut ids = Vec::new();
    for customer in 0..2 {
        let placed = d.order(customer, slot, json!([{"product_id": bread, "quantity": 1}])).await;
        assert_eq!(placed.status(), StatusCode::CREATED);
        ids.push(placed.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let app = &d.app;
    app.get("/login").await;
    let signed_in =
        app.submit("/login", "/login", &[("email", "boulangerie@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(location(&signed_in), "/mon-espace");
    let (status, page) = app.page("/mon-espace").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&page, "h1"), "Mon espace");
    assert!(text(&page, "h2").contains("Boulangerie Lafont"));
    assert_eq!(text(&page, "h3"), "Commandes à accepter : 2");
    let waiting = texts(&page, ".order-cards li");
    assert!(waiting[0].contains(&format!("n° {}", ids[1])), "{waiting:?}");
    assert!(waiting[1].contains(&format!("n° {}", ids[0])), "{waiting:?}");
    assert!(text(&page, "main").contains("2 commandes (dont 2 à accepter)"), "{}", text(&page, "main"));
    assert!(text(&page, "main").contains("Places prises dans les créneaux des sept jours : 2 sur 5"));

    let resident = TestApp::spawn().await;
    resident.territory("marguerittes", "Marguerittes").await;
    resident.user("jeanne@exemple.fr", PASSWORD, false).await;
    resident.get("/login").await;
    let response =
        resident.submit("/login", "/login", &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(location(&response), "/account");
    let (_, empty) = resident.page("/mon-espace").await;
    assert!(text(&empty, "main").contains("Vous ne gérez encore aucune boutique"));
}
