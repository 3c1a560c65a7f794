//! One source of truth for who accepts the currency: the wallet's accounts. The directory's tag
//! and filter, the payment form's list and the drive's "pay now" follow it; no listing form, API
//! call or import can claim it.

use super::*;

async fn accepting_in_directory(app: &TestApp) -> Vec<String> {
    let page: Value = app
        .get("/api/v1/territories/marguerittes/businesses?service=local_currency")
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_directory_the_wallet_and_the_drive_agree_on_who_accepts_the_currency() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    // The administrator's listings are published at once, and the administrator manages them.
    let mut listings = Vec::new();
    for name in ["Boulangerie du Pont", "Épicerie du Marché"] {
        let input = BusinessInput { name: name.into(), kind: "merchant".into(), ..BusinessInput::default() };
        listings.push(halle::directory::propose(&app.db, "", &c.admin, &c.territory, &input).await.unwrap());
    }
    let (bakery, grocery) = (&listings[0], &listings[1]);
    let bearer = token(&app, &c.admin).await;

    // Saying so on the listing changes nothing: the field is the wallet's.
    let patched = app
        .client
        .patch(app.url(&format!("/api/v1/businesses/{}", grocery.id)))
        .bearer_auth(&bearer)
        .json(&json!({"accepts_local_currency": true, "description": "Vrac et produits locaux"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["description"], "Vrac et produits locaux");
    assert_eq!(patched["accepts_local_currency"], false);
    assert!(accepting_in_directory(&app).await.is_empty());
    assert!(ledger::payees(&app.db, c.territory.id).await.unwrap().is_empty());

    // Opening the bakery's account is what accepting means, everywhere at once.
    let opened = app
        .client
        .post(app.url(&format!("/api/v1/territories/marguerittes/currency/businesses/{}/account", bakery.id)))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(accepting_in_directory(&app).await, ["Boulangerie du Pont"]);
    let payees: Vec<String> =
        ledger::payees(&app.db, c.territory.id).await.unwrap().into_iter().map(|(_, name)| name).collect();
    assert_eq!(payees, ["Boulangerie du Pont"]);
    assert!(ledger::accepts_currency(&app.db, c.territory.id, bakery.id).await.unwrap());
    assert!(!ledger::accepts_currency(&app.db, c.territory.id, grocery.id).await.unwrap());
    let tags = |html: &scraper::Html| crate::helpers::texts(html, ".tag");
    let (_, page) = app.page(&format!("/t/marguerittes/annuaire/{}", bakery.id)).await;
    assert!(tags(&page).iter().any(|t| t == "Monnaie locale acceptée"), "{:?}", tags(&page));
    let (_, page) = app.page(&format!("/t/marguerittes/annuaire/{}", grocery.id)).await;
    assert!(!tags(&page).iter().any(|t| t == "Monnaie locale acceptée"), "{:?}", tags(&page));

    // Editing the bakery's listing afterwards keeps it.
    let edited = app
        .client
        .patch(app.url(&format!("/api/v1/businesses/{}", bakery.id)))
        .bearer_auth(&bearer)
        .json(&json!({"accepts_local_currency": false, "description": "Pain au levain"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.json::<Value>().await.unwrap()["accepts_local_currency"], true);
    assert_eq!(accepting_in_directory(&app).await, ["Boulangerie du Pont"]);
}
