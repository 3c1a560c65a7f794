//! The drive: concurrent checkouts never oversell stock or overbook a slot (also with two server
//! processes), cancelling gives stock and place back, the cut-off and the pause are enforced,
//! the status workflow with its emails, permissions, and the web checkout with its .ics.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

mod demand;
mod notices;
mod space;

struct Drive {
    app: TestApp,
    business: i64,
    point: i64,
    merchant: String,
    customers: Vec<String>,
}

fn api(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(64).build().unwrap()
}

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).unwrap().to_string()
}

/// A published bakery taking click-and-collect orders, with a pickup point, its merchant and
/// `customers` customers with API tokens.
async fn drive(customers: usize) -> Drive {
    drive_on(TestApp::spawn().await, customers).await
}

async fn drive_on(app: TestApp, customers: usize) -> Drive {
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let admin = app.user("admin@exemple.fr", PASSWORD, true).await;
    let merchant = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    let input = halle::directory::BusinessInput {
        name: "Boulangerie Lafont".into(),
        click_and_collect: true,
        delivery: true,
        ..Default::default()
    };
    let business = halle::directory::propose(&app.db, "", &admin, &territory, &input).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    halle::directory::add_owner(&mut tx, business.id, merchant.id).await.unwrap();
    tx.commit().await.unwrap();
    let point =
        halle::orders::add_point(&app.db, &merchant, business.id, "La boutique", "3 rue de la Poste", false)
            .await
            .unwrap();
    let merchant_token = halle::accounts::create_api_token(&app.db, &merchant, "t").await.unwrap();
    let mut tokens = Vec::new();
    for index in 0..customers {
        let user = app.user(&format!("client{index}@exemple.fr"), PASSWORD, false).await;
        tokens.push(halle::accounts::create_api_token(&app.db, &user, "t").await.unwrap());
    }
    Drive { app, business: business.id, point, merchant: merchant_token, customers: tokens }
}

/// The day (in the territory's time zone) of an order's slot, as the merchant's pages take it.
fn paris_day(order: &Value) -> jiff::civil::Date {
    order["starts_at"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap())
        .date()
}

impl Drive {
    async fn product(&self, reference: &str, price_cents: i64, stock: Option<i64>) -> i64 {
        let body = json!({"reference": reference, "name": format!("Produit {reference}"), "unit": "piece",
                          "price_cents": price_cents, "stock": stock});
        let response = api(&self.merchant)
            .post(self.app.url(&format!("/api/v1/businesses/{}/products", self.business)))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// A one-off pickup slot starting `in_hours` from now.
    async fn slot(&self, in_hours: i64, capacity: i64) -> i64 {
        let start = halle::db::now() + in_hours * 3600;
        let response = api(&self.merchant)
            .post(self.app.url(&format!("/api/v1/businesses/{}/slots", self.business)))
            .json(
                &json!({"starts_at": rfc3339(start), "ends_at": rfc3339(start + 1800), "capacity": capacity,
                          "pickup_point_id": self.point}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    async fn order(&self, customer: usize, slot: i64, items: Value) -> reqwest::Response {
        order_at(&self.app.url("/api/v1/orders"), &self.customers[customer], self.business, slot, items).await
    }

    async fn stock(&self, product: i64) -> Option<i64> {
        halle::catalog::product_by_id(&self.app.db, product).await.unwrap().unwrap().stock
    }

    async fn remaining(&self, slot: i64) -> i64 {
        let page: Value =
            self.app.get(&format!("/api/v1/businesses/{}/slots", self.business)).await.json().await.unwrap();
        page["items"].as_array().unwrap().iter().find(|s| s["id"] == slot).unwrap()["remaining"]
            .as_i64()
            .unwrap()
    }

    async fn status(&self, token: &str, order: i64, status: &str) -> reqwest::Response {
        api(token)
            .post(self.app.url(&format!("/api/v1/orders/{order}/status")))
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap()
    }
}

async fn order_at(url: &str, token: &str, business: i64, slot: i64, items: Value) -> reqwest::Response {
    api(token)
        .post(url)
        .json(&json!({"business_id": business, "slot_id": slot, "items": items, "payment": "on_pickup"}))
        .send()
        .await
        .unwrap()
}

/// Sends `count` orders at once (customer `i % customers`), returns their status codes and bodies.
async fn concurrent_orders(
    d: &Drive,
    urls: &[String],
    count: usize,
    slot: i64,
    items: Value,
) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(count));
    let mut tasks = Vec::new();
    for index in 0..count {
        let url = urls[index % urls.len()].clone();
        let token = d.customers[index % d.customers.len()].clone();
        let (business, items, barrier) = (d.business, items.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let response = order_at(&url, &token, business, slot, items).await;
            let status = response.status();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn count(results: &[(StatusCode, Value)], status: StatusCode) -> usize {
    results.iter().filter(|(s, _)| *s == status).count()
}

#[tokio::test]
async fn fifty_concurrent_orders_for_ten_in_stock_give_exactly_ten_orders() {
    let d = drive(10).await;
    let bread = d.product("PAIN", 120, Some(10)).await;
    let slot = d.slot(48, 100).await;
    let urls = [d.app.url("/api/v1/orders")];
    let results = concurrent_orders(&d, &urls, 50, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(count(&results, StatusCode::CREATED), 10, "{results:?}");
    assert_eq!(count(&results, StatusCode::CONFLICT), 40, "{results:?}");
    for (status, body) in &results {
        if *status == StatusCode::CONFLICT {
            assert_eq!(
                body["detail"],
                "Un produit n’est plus disponible en quantité suffisante. Votre panier indique ce qui reste."
            );
        }
    }
    assert_eq!(d.stock(bread).await, Some(0));
    assert_eq!(d.remaining(slot).await, 90);
}

#[tokio::test]
async fn thirty_concurrent_orders_for_a_slot_of_five_give_exactly_five() {
    let d = drive(10).await;
    let bread = d.product("PAIN", 120, None).await;
    let slot = d.slot(48, 5).await;
    let urls = [d.app.url("/api/v1/orders")];
    let results = concurrent_orders(&d, &urls, 30, slot, json!([{"product_id": bread, "quantity": 2}])).await;
    assert_eq!(count(&results, StatusCode::CREATED), 5, "{results:?}");
    assert_eq!(count(&results, StatusCode::CONFLICT), 25);
    let full = results.iter().find(|(s, _)| *s == StatusCode::CONFLICT).unwrap();
    assert_eq!(full.1["detail"], "Ce créneau vient d’être complet : choisissez-en un autre.");
    assert_eq!(d.remaining(slot).await, 0);
    // Unlimited stock stays unlimited.
    assert_eq!(d.stock(bread).await, None);
}

/// A `halle serve` process on `database_url`, stopped when dropped.
struct Process(std::process::Child, String);

impl Process {
    async fn start(database_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_halle"))
            .arg("serve")
            .env("HALLE_DATABASE_URL", database_url)
            .env("HALLE_BIND", format!("127.0.0.1:{port}"))
            .env("HALLE_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Owned at once, so that it is stopped and waited for on every path.
        let process = Self(child, format!("http://127.0.0.1:{port}"));
        for _ in 0..200 {
            if reqwest::get(format!("{}/healthz", process.1)).await.is_ok_and(|r| r.status().is_success()) {
                return process;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("halle serve did not start");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn two_server_processes_on_one_database_neither_oversell_nor_overbook() {
    let (url, _dir) = fresh_database().await;
    let app = TestApp::spawn_with(|c| c.database_url = url.clone()).await;
    let d = drive_on(app, 10).await;
    let bread = d.product("PAIN", 120, Some(10)).await;
    let cake = d.product("GATEAU", 1200, None).await;
    let slot = d.slot(48, 100).await;
    let small_slot = d.slot(72, 5).await;
    let (first, second) = (Process::start(&url).await, Process::start(&url).await);
    let urls = [format!("{}/api/v1/orders", first.1), format!("{}/api/v1/orders", second.1)];
    let stock = concurrent_orders(&d, &urls, 50, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(count(&stock, StatusCode::CREATED), 10, "{stock:?}");
    assert_eq!(count(&stock, StatusCode::CONFLICT), 40);
    assert_eq!(d.stock(bread).await, Some(0));
    let places =
        concurrent_orders(&d, &urls, 30, small_slot, json!([{"product_id": cake, "quantity": 1}])).await;
    assert_eq!(count(&places, StatusCode::CREATED), 5, "{places:?}");
    assert_eq!(d.remaining(small_slot).await, 0);
}

#[tokio::test]
async fn a_cancelled_order_gives_its_stock_and_place_back() {
    let d = drive(2).await;
    let bread = d.product("PAIN", 120, Some(3)).await;
    let slot = d.slot(48, 1).await;
    let placed = d.order(0, slot, json!([{"product_id": bread, "quantity": 3}])).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let order: Value = placed.json().await.unwrap();
    assert_eq!(order["status"], "new");
    assert_eq!(order["total_cents"], 360);
    assert_eq!((d.stock(bread).await, d.remaining(slot).await), (Some(0), 0));
    let refused = d.order(1, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);

    // Somebody else cannot cancel it; its customer can.
    let id = order["id"].as_i64().unwrap();
    let other =
        api(&d.customers[1]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let cancelled =
        api(&d.customers[0]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(cancelled.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!((d.stock(bread).await, d.remaining(slot).await), (Some(3), 1));
    // The cancellation mail and the order's calendar file cancel the event the confirmation added.
    let outbox = halle::mail::list_outbox(&d.app.db, None, None, 100).await.unwrap();
    let files: Vec<String> = outbox
        .iter()
        .filter(|m| m.to_address == "client0@exemple.fr")
        .flat_map(|m| m.attachment_list())
        .map(|a| a.content)
        .collect();
    let uid = |ics: &str| ics.lines().find(|l| l.starts_with("UID:")).unwrap().to_owned();
    let added = files.iter().find(|f| f.contains("METHOD:PUBLISH")).expect("the confirmation's file");
    let removed = files.iter().find(|f| f.contains("METHOD:CANCEL")).expect("the cancellation's file");
    assert!(removed.contains("STATUS:CANCELLED") && removed.contains("SEQUENCE:1"), "{removed}");
    assert_eq!(uid(added), uid(removed));
    d.app.login("client0@exemple.fr", PASSWORD).await;
    let download = d.app.get(&format!("/mes-commandes/{id}/calendrier.ics")).await.text().await.unwrap();
    assert!(download.contains("STATUS:CANCELLED") && download.contains(&uid(added)), "{download}");
    let (_, page) = d.app.page(&format!("/mes-commandes/{id}")).await;
    let facts = text(&page, ".facts");
    assert!(facts.contains("rien à régler") && !facts.contains("Paiement au retrait"), "{facts}");
    // Cancelling twice gives nothing back twice.
    let again =
        api(&d.customers[0]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!((d.stock(bread).await, d.remaining(slot).await), (Some(3), 1));
    let retried = d.order(1, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(retried.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_order_after_the_cutoff_is_refused() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(5)).await;
    // Orders close the day before at 18:00: a slot starting in two hours is past its cut-off
    // (and inside the default one-hour lead time only if it started within the hour).
    let owner = halle::accounts::user_for_api_token(&d.app.db, &d.merchant).await.unwrap();
    let settings = halle::orders::SettingsInput {
        cutoff_days: Some(1),
        cutoff_time: "18:00".into(),
        lead_minutes: 60,
        days_ahead: 14,
        payment_methods: vec!["cash".into()],
        ..Default::default()
    };
    halle::orders::save_settings(&d.app.db, &owner, d.business, &settings).await.unwrap();
    let soon = d.slot(2, 10).await;
    let refused = d.order(0, soon, json!([{"product_id": bread, "quantity": 1}])).await;
    let body = problem(refused, StatusCode::CONFLICT).await;
    assert_eq!(
        body["detail"],
        "Les commandes pour ce créneau sont closes : choisissez un créneau plus tard."
    );
    assert_eq!(d.stock(bread).await, Some(5), "nothing reserved");
    let later = d.slot(24 * 4, 10).await;
    assert_eq!(
        d.order(0, later, json!([{"product_id": bread, "quantity": 1}])).await.status(),
        StatusCode::CREATED
    );
    let page: Value =
        d.app.get(&format!("/api/v1/businesses/{}/slots", d.business)).await.json().await.unwrap();
    let soon_slot = page["items"].as_array().unwrap().iter().find(|s| s["id"] == soon).unwrap();
    assert_eq!(soon_slot["bookable"], false);
}

#[tokio::test]
async fn a_paused_shop_takes_no_new_order_until_resumed() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, None).await;
    let slot = d.slot(48, 10).await;
    let pause = |paused: bool| {
        api(&d.merchant)
            .post(d.app.url(&format!("/api/v1/businesses/{}/pause", d.business)))
            .json(&json!({"paused": paused}))
            .send()
    };
    assert_eq!(pause(true).await.unwrap().status(), StatusCode::NO_CONTENT);
    let refused = d.order(0, slot, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await["detail"],
        "Ce commerce ne prend plus de commandes pour le moment."
    );
    // A customer cannot pause someone else's shop.
    let forbidden = api(&d.customers[0])
        .post(d.app.url(&format!("/api/v1/businesses/{}/pause", d.business)))
        .json(&json!({"paused": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    pause(false).await.unwrap();
    assert_eq!(
        d.order(0, slot, json!([{"product_id": bread, "quantity": 1}])).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_merchant_moves_an_order_to_ready_and_the_customer_is_told_by_email() {
    let d = drive(2).await;
    let bread = d.product("PAIN", 120, None).await;
    let slot = d.slot(48, 10).await;
    let order: Value =
        d.order(0, slot, json!([{"product_id": bread, "quantity": 2}])).await.json().await.unwrap();
    let id = order["id"].as_i64().unwrap();
    let (subject, _) = d.app.last_mail_to("client0@exemple.fr").await.unwrap();
    assert_eq!(subject, format!("Commande n° {id} confirmée – Boulangerie Lafont"));

    // Neither the customer nor another customer may change the status.
    assert_eq!(d.status(&d.customers[0], id, "accepted").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(d.status(&d.customers[1], id, "accepted").await.status(), StatusCode::NOT_FOUND);
    // The other customer cannot even read it.
    let hidden = api(&d.customers[1]).get(d.app.url(&format!("/api/v1/orders/{id}"))).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    assert_eq!(d.status(&d.merchant, id, "accepted").await.status(), StatusCode::OK);
    assert_eq!(
        d.app.last_mail_to("client0@exemple.fr").await.unwrap().0,
        format!("Commande n° {id} acceptée – Boulangerie Lafont")
    );
    assert_eq!(d.status(&d.merchant, id, "new").await.status(), StatusCode::CONFLICT, "no going back");
    let ready = d.status(&d.merchant, id, "ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        d.app.last_mail_to("client0@exemple.fr").await.unwrap().0,
        format!("Votre commande n° {id} est prête – Boulangerie Lafont")
    );
    let seen: Value = api(&d.customers[0])
        .get(d.app.url(&format!("/api/v1/orders/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "ready");
    assert_eq!(seen["lines"][0]["quantity"], 2);
    // Too late for the customer to cancel a ready order.
    let late =
        api(&d.customers[0]).post(d.app.url(&format!("/api/v1/orders/{id}/cancel"))).send().await.unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert_eq!(d.status(&d.merchant, id, "collected").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_product_sold_by_weight_is_priced_when_weighed() {
    let d = drive(1).await;
    let response = api(&d.merchant)
        .post(d.app.url(&format!("/api/v1/businesses/{}/products", d.business)))
        .json(&json!({"reference": "COMTE", "name": "Comté", "unit": "piece", "price_cents": 600, "sold_by_weight": true, "estimated_weight_g": 300}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    let cheese = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let slot = d.slot(48, 10).await;
    let order: Value =
        d.order(0, slot, json!([{"product_id": cheese, "quantity": 2}])).await.json().await.unwrap();
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["total_cents"], 1200);
    let detail: Value = api(&d.merchant)
        .get(d.app.url(&format!("/api/v1/orders/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let line = detail["lines"][0]["id"].as_i64().unwrap();
    let weighed = api(&d.merchant)
        .post(d.app.url(&format!("/api/v1/orders/{id}/status")))
        .json(&json!({"status": "prepared", "weighed": [{"line_id": line, "price_cents": 1347}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(weighed.status(), StatusCode::OK);
    let weighed: Value = weighed.json().await.unwrap();
    assert_eq!(weighed["total_cents"], 1347);
    assert_eq!(weighed["lines"][0]["line_cents"], 1347);
}

#[tokio::test]
async fn a_retried_order_with_the_same_idempotency_key_is_placed_once() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(5)).await;
    let slot = d.slot(48, 10).await;
    let send = || {
        api(&d.customers[0])
            .post(d.app.url("/api/v1/orders"))
            .header("idempotency-key", "essai-1")
            .json(&json!({"business_id": d.business, "slot_id": slot, "items": [{"product_id": bread, "quantity": 2}], "payment": "on_pickup"}))
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let second: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    assert_eq!(d.stock(bread).await, Some(3));
    assert_eq!(d.remaining(slot).await, 9);
    // The customer's data export holds the order once, with its line.
    let customer = halle::accounts::user_for_api_token(&d.app.db, &d.customers[0]).await.unwrap();
    let export = halle::orders::export_for(&d.app.db, &customer).await.unwrap();
    assert_eq!(export.len(), 1);
    assert_eq!(json!(export[0].order.id), first["id"]);
    assert_eq!(export[0].lines.iter().map(|l| l.quantity).collect::<Vec<_>>(), [2]);
}

#[tokio::test]
async fn an_idempotency_key_sent_again_with_another_order_is_a_409_and_places_nothing() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(5)).await;
    let slot = d.slot(48, 10).await;
    let send = |quantity: i64| {
        api(&d.customers[0])
            .post(d.app.url("/api/v1/orders"))
            .header("idempotency-key", "essai-2")
            .json(&json!({"business_id": d.business, "slot_id": slot, "items": [{"product_id": bread, "quantity": quantity}], "payment": "on_pickup"}))
            .send()
    };
    assert_eq!(send(2).await.unwrap().status(), StatusCode::CREATED);
    let other = send(3).await.unwrap();
    assert_eq!(problem(other, StatusCode::CONFLICT).await["code"], "orders.error.key_reused");
    assert_eq!(d.stock(bread).await, Some(3), "only the first order took stock");
    assert_eq!(d.remaining(slot).await, 9);
    // The first request, sent again, still gets its order.
    assert_eq!(send(2).await.unwrap().status(), StatusCode::CREATED);
}

#[tokio::test]
async fn bad_orders_get_clear_problems_and_reserve_nothing() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, Some(5)).await;
    let slot = d.slot(48, 10).await;
    let zero = d.order(0, slot, json!([{"product_id": bread, "quantity": 0}])).await;
    assert_eq!(problem(zero, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "quantity");
    let empty = d.order(0, slot, json!([])).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_slot = d.order(0, 999_999, json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(unknown_slot.status(), StatusCode::CONFLICT);
    let bad_payment = api(&d.customers[0])
        .post(d.app.url("/api/v1/orders"))
        .json(&json!({"business_id": d.business, "slot_id": slot, "items": [{"product_id": bread, "quantity": 1}], "payment": "bitcoin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_payment.status(), StatusCode::BAD_REQUEST);
    let anonymous = reqwest::Client::new()
        .post(d.app.url("/api/v1/orders"))
        .json(&json!({"business_id": d.business, "slot_id": slot, "items": [{"product_id": bread, "quantity": 1}], "payment": "on_pickup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // A delivery slot needs an address.
    let start = halle::db::now() + 48 * 3600;
    let delivery: Value = api(&d.merchant)
        .post(d.app.url(&format!("/api/v1/businesses/{}/slots", d.business)))
        .json(&json!({"starts_at": rfc3339(start), "ends_at": rfc3339(start + 7200), "capacity": 3,
                      "delivery": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(delivery["fulfilment"], "delivery");
    let no_address =
        d.order(0, delivery["id"].as_i64().unwrap(), json!([{"product_id": bread, "quantity": 1}])).await;
    assert_eq!(
        problem(no_address, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "delivery_address"
    );
    assert_eq!(d.stock(bread).await, Some(5));
    assert_eq!(d.remaining(slot).await, 10);
}

#[tokio::test]
async fn a_slot_without_a_point_is_at_the_shop_and_a_shop_that_does_not_deliver_refuses_delivery() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let merchant = app.user("epicerie@exemple.fr", PASSWORD, false).await;
    let input = halle::directory::BusinessInput {
        name: "Épicerie du Pont".into(),
        address: Some("2 place du Marché".into()),
        click_and_collect: true,
        delivery: false,
        ..Default::default()
    };
    let admin = app.user("admin@exemple.fr", PASSWORD, true).await;
    let shop = halle::directory::propose(&app.db, "", &admin, &territory, &input).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    halle::directory::add_owner(&mut tx, shop.id, merchant.id).await.unwrap();
    tx.commit().await.unwrap();
    let token = halle::accounts::create_api_token(&app.db, &merchant, "t").await.unwrap();
    let start = halle::db::now() + 24 * 3600;
    let add = |extra: Value| {
        let mut body = json!({"starts_at": rfc3339(start), "ends_at": rfc3339(start + 1800), "capacity": 4});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        api(&token).post(app.url(&format!("/api/v1/businesses/{}/slots", shop.id))).json(&body).send()
    };
    // The first slot without a point makes the shop's own point, at its address; the next uses it.
    let first: Value = add(json!({})).await.unwrap().json().await.unwrap();
    assert_eq!(first["fulfilment"], "pickup", "{first}");
    let start_later = json!({"starts_at": rfc3339(start + 3600), "ends_at": rfc3339(start + 5400)});
    let second: Value = add(start_later).await.unwrap().json().await.unwrap();
    assert_eq!(second["pickup_point_id"], first["pickup_point_id"], "{second}");
    let points = halle::orders::points(
        &app.db,
        &halle::orders::managed_drive(&app.db, &merchant, shop.id).await.unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(
        (points[0].name.as_str(), points[0].address.as_str()),
        ("Épicerie du Pont", "2 place du Marché")
    );
    // A delivery slot for a shop that does not deliver is refused, and nothing is made.
    let refused =
        add(json!({"starts_at": rfc3339(start + 7200), "ends_at": rfc3339(start + 9000), "delivery": true}))
            .await
            .unwrap();
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "delivery");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("ne livre pas"), "{body}");
    let page: Value = app.get(&format!("/api/v1/businesses/{}/slots", shop.id)).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn weekly_templates_publish_slots_with_their_places() {
    let d = drive(0).await;
    let response = api(&d.merchant)
        .post(d.app.url(&format!("/api/v1/businesses/{}/slot-templates", d.business)))
        .json(&json!({"pickup_point_id": d.point, "weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let page: Value =
        d.app.get(&format!("/api/v1/businesses/{}/slots", d.business)).await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    // Two weeks of six slots a day (today's may already be past), each with 4 places.
    assert!(items.len() >= 14 * 6 && items.len() <= 15 * 6, "{}", items.len());
    assert!(items.iter().all(|s| s["capacity"] == 4 && s["remaining"] == 4 && s["fulfilment"] == "pickup"));
    let first = items[0]["starts_at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
    let local = first.to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap());
    assert!((9..12).contains(&local.hour()), "{local}");
    let bad = api(&d.merchant)
        .post(d.app.url(&format!("/api/v1/businesses/{}/slot-templates", d.business)))
        .json(&json!({"pickup_point_id": d.point, "weekdays": [2], "start": "12:00", "end": "09:00", "slot_minutes": 30, "capacity": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "end");
}

#[tokio::test]
async fn a_resident_orders_from_two_shops_through_the_web_and_gets_the_calendar_file() {
    let d = drive(0).await;
    let bread = d.product("PAIN", 120, Some(10)).await;
    let slot = d.slot(48, 5).await;
    // A second shop.
    let territory = halle::territory::by_slug(&d.app.db, "marguerittes").await.unwrap().unwrap();
    let admin = halle::accounts::authenticate(&d.app.db, "admin@exemple.fr", PASSWORD).await.unwrap();
    let input = halle::directory::BusinessInput {
        name: "Ferme des Garrigues".into(),
        click_and_collect: true,
        ..Default::default()
    };
    let farm = halle::directory::propose(&d.app.db, "", &admin, &territory, &input).await.unwrap();
    let point =
        halle::orders::add_point(&d.app.db, &admin, farm.id, "Place du marché", "", false).await.unwrap();
    let start = halle::db::now() + 72 * 3600;
    let farm_slot = halle::orders::add_slot(
        &d.app.db,
        &admin,
        farm.id,
        halle::orders::SlotPlace::Point(point),
        (start, start + 3600),
        3,
    )
    .await
    .unwrap();
    let eggs_input = halle::catalog::ProductInput {
        reference: "OEUFS".into(),
        name: "Œufs".into(),
        unit: "box".into(),
        price_cents: 350,
        available: true,
        ..Default::default()
    };
    let eggs = halle::catalog::create(&d.app.db, &admin, farm.id, &eggs_input).await.unwrap();

    // As a visitor: fill the cart, then sign in (the cart follows).
    let catalog = format!("/t/marguerittes/annuaire/{}/catalogue", d.business);
    let added = d
        .app
        .submit(
            &catalog,
            "/panier/ajouter",
            &[("product_id", &bread.to_string()), ("quantity", "3"), ("back", &catalog)],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    d.app.user("jeanne@exemple.fr", PASSWORD, false).await;
    d.app.login("jeanne@exemple.fr", PASSWORD).await;
    let farm_catalog = format!("/t/marguerittes/annuaire/{}/catalogue", farm.id);
    d.app
        .submit(&farm_catalog, "/panier/ajouter", &[("product_id", &eggs.id.to_string()), ("quantity", "2")])
        .await;
    let (_, cart) = d.app.page("/panier").await;
    assert_eq!(texts(&cart, "section h2"), ["Boulangerie Lafont", "Ferme des Garrigues"]);
    assert_eq!(text(&cart, ".big-number strong"), "10,60 €");

    // Without choosing slots: a clear error, nothing placed.
    let missing = d.app.submit("/panier/commande", "/panier/recapitulatif", &[]).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&missing.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("Choisissez un créneau pour chaque commerce."));

    let slot_field = format!("slot_{}", d.business);
    let farm_field = format!("slot_{}", farm.id);
    let summary = d
        .app
        .submit(
            "/panier/commande",
            "/panier/recapitulatif",
            &[(&slot_field, &slot.to_string()), (&farm_field, &farm_slot.id.to_string())],
        )
        .await;
    assert_eq!(summary.status(), StatusCode::OK);
    let summary = scraper::Html::parse_document(&summary.text().await.unwrap());
    assert_eq!(
        text(&summary, "button[type=submit]:not(.link-button)"),
        "Commander avec obligation de paiement"
    );
    let fields: Vec<(String, String)> = summary
        .select(&scraper::Selector::parse("form[action='/panier/confirmer'] input").unwrap())
        .map(|i| (i.attr("name").unwrap().to_owned(), i.attr("value").unwrap_or("").to_owned()))
        .collect();
    let confirm = || d.app.client.post(d.app.url("/panier/confirmer")).form(&fields).send();
    let placed = confirm().await.unwrap();
    assert_eq!(placed.status(), StatusCode::SEE_OTHER);
    assert!(location(&placed).starts_with("/mes-commandes?confirmees="));
    // A second click on the same summary places nothing more.
    confirm().await.unwrap();
    let (_, mine) = d.app.page(&location(&placed)).await;
    assert_eq!(texts(&mine, ".order-cards li").len(), 2);
    assert!(text(&mine, "[role=status]").contains("Merci"));
    assert_eq!(d.stock(bread).await, Some(7));

    let mail = d.app.last_mail_to("jeanne@exemple.fr").await.unwrap();
    assert!(mail.1.contains("Total"), "{}", mail.1);
    let outbox = halle::mail::list_outbox(&d.app.db, None, None, 100).await.unwrap();
    let with_calendar = outbox
        .iter()
        .filter(|m| {
            m.to_address == "jeanne@exemple.fr"
                && m.attachment_list()
                    .iter()
                    .any(|a| a.content.contains("BEGIN:VEVENT") && a.filename.ends_with(".ics"))
        })
        .count();
    assert_eq!(with_calendar, 2);

    let (_, cart) = d.app.page("/panier").await;
    assert_eq!(text(&cart, "main p"), "Votre panier est vide.");
}

#[tokio::test]
async fn the_merchant_sees_the_day_prints_the_picking_list_and_downloads_the_csv() {
    let d = drive(1).await;
    let bread = d.product("PAIN", 120, None).await;
    let slot = d.slot(48, 10).await;
    let order: Value =
        d.order(0, slot, json!([{"product_id": bread, "quantity": 4}])).await.json().await.unwrap();
    let id = order["id"].as_i64().unwrap();
    let day = paris_day(&order);
    let base = format!("/t/marguerittes/annuaire/{}/drive", d.business);

    // A customer is refused the merchant's pages.
    d.app.login("client0@exemple.fr", PASSWORD).await;
    assert_eq!(d.app.get(&base).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(d.app.get(&format!("{base}/export.csv?jour={day}")).await.status(), StatusCode::FORBIDDEN);

    let merchant = client();
    let login = submit_with(
        &merchant,
        &d.app.base,
        "/login",
        "/login",
        &[("email", "boulangerie@exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let page = |path: String| {
        let merchant = merchant.clone();
        let url = d.app.url(&path);
        async move { page_with(&merchant, &url).await }
    };
    let (status, board) = page(format!("{base}?jour={day}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&board, ".order-list").contains(&format!("n° {id}")));
    assert_eq!(texts(&board, "tbody td")[1], "4");
    let (_, picking) = page(format!("{base}/preparation?jour={day}&creneau={slot}")).await;
    assert!(text(&picking, ".picking-lines").contains("4"));
    let csv = merchant.get(d.app.url(&format!("{base}/export.csv?jour={day}"))).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let body = csv.text().await.unwrap();
    assert!(body.contains(&format!("{id};")), "{body}");
    assert!(body.contains("Produit PAIN;4;4,80 €"), "{body}");
    let (_, found) = page(format!("{base}?q=client")).await;
    assert!(text(&found, ".order-list").contains(&format!("n° {id}")));
    let (status, _) = page(format!("{base}/tableau")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, settings) = page(format!("{base}/reglages")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&settings, "#points-title + ul li").len(), 1);
}

#[tokio::test]
async fn the_drive_api_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/businesses/{id}/slots",
        "/businesses/{id}/slot-templates",
        "/orders",
        "/orders/{id}",
        "/orders/{id}/status",
        "/orders/{id}/cancel",
        "/cart",
        "/cart/items",
        "/cart/checkout",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}

#[tokio::test]
async fn the_demo_shops_publish_slots_a_resident_can_order_for() {
    let app = TestApp::spawn().await;
    halle::demo::seed_if_empty(&app.db).await.unwrap();
    let baker =
        halle::accounts::authenticate(&app.db, "boulangerie@demo.halle.example", halle::demo::DEMO_PASSWORD)
            .await
            .unwrap();
    let bakery = halle::directory::owned_by(&app.db, &baker).await.unwrap().into_iter().next().unwrap();
    let slots: Value =
        app.get(&format!("/api/v1/businesses/{}/slots", bakery.id)).await.json().await.unwrap();
    let open: Vec<&Value> =
        slots["items"].as_array().unwrap().iter().filter(|s| s["bookable"] == true).collect();
    assert!(open.len() >= 40, "{} bookable slots", open.len());
    let products: Value =
        app.get(&format!("/api/v1/businesses/{}/products", bakery.id)).await.json().await.unwrap();
    let product = products["items"][0]["id"].as_i64().unwrap();
    let resident =
        halle::accounts::authenticate(&app.db, "habitante@demo.halle.example", halle::demo::DEMO_PASSWORD)
            .await
            .unwrap();
    let token = halle::accounts::create_api_token(&app.db, &resident, "t").await.unwrap();
    let placed = order_at(
        &app.url("/api/v1/orders"),
        &token,
        bakery.id,
        open[0]["id"].as_i64().unwrap(),
        json!([{"product_id": product, "quantity": 1}]),
    )
    .await;
    assert_eq!(placed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_customer_name_that_looks_like_a_formula_is_written_inert_in_the_day_csv() {
    let mut d = drive(0).await;
    let hostile = "=HYPERLINK(\"https://evil.example\";\"Facture\")";
    let customer =
        halle::accounts::create_confirmed(&d.app.db, "piege@exemple.fr", Some(hostile), PASSWORD, false)
            .await
            .unwrap();
    d.customers.push(halle::accounts::create_api_token(&d.app.db, &customer, "t").await.unwrap());
    let bread = d.product("PAIN", 120, None).await;
    let slot = d.slot(48, 10).await;
    let order: Value =
        d.order(0, slot, json!([{"product_id": bread, "quantity": 1}])).await.json().await.unwrap();
    let day = paris_day(&order);
    d.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let base = format!("/t/marguerittes/annuaire/{}/drive", d.business);
    let body = d.app.get(&format!("{base}/export.csv?jour={day}")).await.text().await.unwrap();
    let line = body.lines().find(|line| line.contains("HYPERLINK")).expect("the order's line");
    let cells: Vec<&str> = line.split(';').collect();
    assert!(cells.iter().all(|cell| !cell.trim_start_matches('"').starts_with('=')), "{line}");
    assert!(line.contains("'=HYPERLINK"), "{line}");
}
