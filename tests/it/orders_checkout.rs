//! The checkout as a resident meets it: a slot picker per shop that fits a phone (the demo's
//! two-shop checkout stays under 25 KB and offers each shop's next slot), visitors seeing the
//! slots before having an account, the way back to the checkout after signing in or signing up,
//! the delivery terms shown early, and a delivery commune the customer chooses.

use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::*;

/// The checkout's body must stay under this many bytes for the demo's two-shop cart.
const CHECKOUT_BUDGET: usize = 25_000;

/// A published shop with one product and its slots.
struct Shop {
    id: i64,
    product: i64,
    /// Pickup slots in 2 days, 2 days and 2 hours, and 10 days (on the picker's second week).
    pickup: [i64; 3],
    /// A delivery slot in 2 days, when the shop delivers.
    delivery: Option<i64>,
}

/// A shop of the "marguerittes" territory selling one product at `price_cents`; when it
/// delivers, for 3 € from 10 € of purchases.
async fn shop(app: &TestApp, name: &str, delivers: bool, price_cents: i64) -> Shop {
    let territory = halle::territory::by_slug(&app.db, "marguerittes").await.unwrap().unwrap();
    let admin = halle::accounts::authenticate(&app.db, "admin@exemple.fr", PASSWORD).await.unwrap();
    let input = halle::directory::BusinessInput {
        name: name.into(),
        click_and_collect: true,
        delivery: delivers,
        ..Default::default()
    };
    let business = halle::directory::propose(&app.db, "", &admin, &territory, &input).await.unwrap();
    let point =
        halle::orders::add_point(&app.db, &admin, business.id, "La boutique", "3 rue de la Poste", false)
            .await
            .unwrap();
    let now = halle::db::now();
    let mut pickup = [0; 3];
    for (slot, hours) in pickup.iter_mut().zip([48, 50, 240]) {
        let start = now + hours * 3600;
        *slot = halle::orders::add_slot(
            &app.db,
            &admin,
            business.id,
            halle::orders::SlotPlace::Point(point),
            (start, start + 1800),
            5,
        )
        .await
        .unwrap()
        .id;
    }
    let mut delivery = None;
    if delivers {
        let settings = halle::orders::SettingsInput {
            cutoff_time: "18:00".into(),
            lead_minutes: 60,
            days_ahead: 14,
            payment_methods: vec!["cash".into()],
            delivery_fee_cents: 300,
            delivery_minimum_cents: 1000,
            ..Default::default()
        };
        halle::orders::save_settings(&app.db, &admin, business.id, &settings).await.unwrap();
        let start = now + 52 * 3600;
        let slot = halle::orders::add_slot(
            &app.db,
            &admin,
            business.id,
            halle::orders::SlotPlace::Delivery,
            (start, start + 3600),
            5,
        )
        .await
        .unwrap();
        delivery = Some(slot.id);
    }
    let product = halle::catalog::ProductInput {
        reference: "P1".into(),
        name: format!("Produit de {name}"),
        unit: "piece".into(),
        price_cents,
        available: true,
        ..Default::default()
    };
    let product = halle::catalog::create(&app.db, &admin, business.id, &product).await.unwrap().id;
    Shop { id: business.id, product, pickup, delivery }
}

/// A server with the territory, its admin and a bakery (pickup only) and a grocery (which
/// delivers); nobody signed in.
async fn two_shops() -> (TestApp, Shop, Shop) {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    app.user("admin@exemple.fr", PASSWORD, true).await;
    let bakery = shop(&app, "Boulangerie", false, 120).await;
    let grocery = shop(&app, "Épicerie", true, 400).await;
    (app, bakery, grocery)
}

/// Adds `quantity` of `product` from the catalogue of `business`, as a visitor or a member.
async fn add(app: &TestApp, business: i64, product: i64, quantity: i64) {
    let catalogue = format!("/t/marguerittes/annuaire/{business}/catalogue");
    let fields = [("product_id", product.to_string()), ("quantity", quantity.to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let added = app.submit(&catalogue, "/panier/ajouter", &fields).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
}

/// The values of the radio buttons matching `css` (checked ones with `[checked]`).
fn radios(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector).filter_map(|e| e.value().attr("value")).map(str::to_owned).collect()
}

fn slot_name(shop: &Shop) -> String {
    format!("slot_{}", shop.id)
}

#[tokio::test]
async fn the_demo_checkout_for_two_shops_fits_a_phone_and_offers_each_next_slot() {
    let app = TestApp::spawn().await;
    halle::demo::seed_if_empty(&app.db).await.unwrap();
    app.login("habitante@demo.halle.example", halle::demo::DEMO_PASSWORD).await;
    let shops: Value = app.get("/api/v1/territories/marguerittes/businesses").await.json().await.unwrap();
    let id_of = |name: &str| {
        shops["items"].as_array().unwrap().iter().find(|b| b["name"] == name).unwrap()["id"].as_i64().unwrap()
    };
    let mut expected = Vec::new();
    for (shop, product) in
        [("Boulangerie Lafont", "Baguette tradition"), ("Épicerie du Village", "Œufs plein air x6")]
    {
        let id = id_of(shop);
        let products: Value =
            app.get(&format!("/api/v1/businesses/{id}/products")).await.json().await.unwrap();
        let item = products["items"].as_array().unwrap().iter().find(|p| p["name"] == product).unwrap();
        add(&app, id, item["id"].as_i64().unwrap(), 1).await;
        let slots: Value = app.get(&format!("/api/v1/businesses/{id}/slots")).await.json().await.unwrap();
        let mut free: Vec<(jiff::Timestamp, i64)> = slots["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["bookable"] == true && s["fulfilment"] == "pickup")
            .map(|s| (s["starts_at"].as_str().unwrap().parse().unwrap(), s["id"].as_i64().unwrap()))
            .collect();
        free.sort();
        expected.push((id, free.first().expect("a free pickup slot").1));
    }

    let response = app.get("/panier/commande").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    eprintln!("the demo's two-shop checkout: {} bytes", body.len());
    assert!(body.len() < CHECKOUT_BUDGET, "the checkout weighs {} bytes", body.len());
    let html = Html::parse_document(&body);
    for (shop, next) in expected {
        let shortcut = radios(&html, &format!("#picker-{shop} .slot-next input[name=slot_{shop}]"));
        assert_eq!(shortcut.first(), Some(&next.to_string()), "the next slot of shop {shop} comes first");
    }
}

#[tokio::test]
async fn a_visitor_sees_the_slots_and_signing_in_from_the_checkout_comes_back_with_her_choices() {
    let (app, bakery, grocery) = two_shops().await;
    add(&app, bakery.id, bakery.product, 2).await;
    add(&app, grocery.id, grocery.product, 1).await;

    let (status, html) = app.page("/panier/commande").await;
    assert_eq!(status, StatusCode::OK, "visitors see the checkout");
    assert_eq!(
        radios(&html, &format!("#picker-{} .slot-next input", bakery.id)),
        [bakery.pickup[0].to_string()]
    );
    assert_eq!(text(&html, "main form > button[type=submit]"), "Commander");
    let login_link = Selector::parse(".site-header a[href^='/login']").unwrap();
    assert_eq!(
        html.select(&login_link).next().unwrap().value().attr("href"),
        Some("/login?next=%2Fpanier%2Fcommande")
    );

    // Ordering asks her to sign in; her slot is kept.
    let ordered = app
        .submit(
            "/panier/commande",
            "/panier/recapitulatif",
            &[(&slot_name(&bakery), &bakery.pickup[1].to_string())],
        )
        .await;
    assert_eq!(ordered.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ordered), "/login?next=%2Fpanier%2Fcommande");
    let (_, login) = app.page(&location(&ordered)).await;
    assert!(text(&login, ".flash").contains("créez votre compte"));
    let register = Selector::parse("main a[href^='/register']").unwrap();
    assert_eq!(
        login.select(&register).next().unwrap().value().attr("href"),
        Some("/register?next=%2Fpanier%2Fcommande")
    );

    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let signed_in = app
        .submit(
            "/login?next=%2Fpanier%2Fcommande",
            "/login",
            &[("email", "jeanne@exemple.fr"), ("password", PASSWORD), ("next", "/panier/commande")],
        )
        .await;
    assert_eq!(location(&signed_in), "/panier/commande");
    let (status, checkout) = app.page("/panier/commande").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&checkout, "section h2"), ["Boulangerie", "Épicerie"], "the cart followed her");
    assert_eq!(
        radios(&checkout, &format!("input[name={}][checked]", slot_name(&bakery))),
        [bakery.pickup[1].to_string()]
    );
    assert_eq!(text(&checkout, "main form > button[type=submit]"), "Voir le récapitulatif");
}

#[tokio::test]
async fn signing_up_from_the_checkout_comes_back_to_it_after_the_confirmation() {
    let (app, bakery, _) = two_shops().await;
    add(&app, bakery.id, bakery.product, 1).await;
    let ordered = app
        .submit(
            "/panier/commande",
            "/panier/recapitulatif",
            &[(&slot_name(&bakery), &bakery.pickup[0].to_string())],
        )
        .await;
    assert_eq!(location(&ordered), "/login?next=%2Fpanier%2Fcommande");

    let form = "/register?next=%2Fpanier%2Fcommande";
    let (_, page) = app.page(form).await;
    assert_eq!(radios(&page, "input[name=next]"), ["/panier/commande"]);
    let registered = app
        .submit(
            form,
            "/register",
            &[
                ("email", "nadia@exemple.fr"),
                ("display_name", "Nadia"),
                ("password", PASSWORD),
                ("next", "/panier/commande"),
            ],
        )
        .await;
    assert_eq!(location(&registered), "/register/done");
    let link = app.link_in_mail("nadia@exemple.fr", "/account/confirm?").await;
    assert!(link.contains("next=%2Fpanier%2Fcommande&token="), "{link}");
    let (status, confirmed) = app.page(link.trim_start_matches(&app.base)).await;
    assert_eq!(status, StatusCode::OK);
    let button = Selector::parse("main a.button").unwrap();
    let login = confirmed.select(&button).next().unwrap().value().attr("href").unwrap().to_owned();
    assert_eq!(login, "/login?next=%2Fpanier%2Fcommande");
    let signed_in = app
        .submit(
            &login,
            "/login",
            &[("email", "nadia@exemple.fr"), ("password", PASSWORD), ("next", "/panier/commande")],
        )
        .await;
    assert_eq!(location(&signed_in), "/panier/commande");
    let (status, checkout) = app.page("/panier/commande").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&checkout, "section h2"), ["Boulangerie"], "the visitor's cart is hers now");
    assert_eq!(
        radios(&checkout, &format!("input[name={}][checked]", slot_name(&bakery))),
        [bakery.pickup[0].to_string()]
    );

    // A return path to another site is never followed.
    let (_, page) = app.page("/register?next=https%3A%2F%2Fevil.example%2F").await;
    assert!(radios(&page, "input[name=next]").is_empty());
}

#[tokio::test]
async fn delivery_is_offered_from_the_minimum_and_its_commune_is_chosen_never_defaulted() {
    let (app, _, grocery) = two_shops().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    add(&app, grocery.id, grocery.product, 1).await;
    let delivery = grocery.delivery.unwrap().to_string();

    // Below the minimum: the terms say what is missing, no delivery slot is offered.
    let (_, cart) = app.page("/panier").await;
    assert!(text(&cart, "section .hint").contains("Il manque 6,00 €"), "{}", text(&cart, "section .hint"));
    let (_, checkout) = app.page("/panier/commande").await;
    assert!(text(&checkout, "section .hint").contains("3,00 €, dès 10,00 €"));
    assert!(!radios(&checkout, "input[type=radio]").contains(&delivery));
    assert!(texts(&checkout, "select").is_empty());

    // From the minimum: the delivery slot and a commune to choose, none chosen for her.
    add(&app, grocery.id, grocery.product, 2).await;
    let (_, cart) = app.page("/panier").await;
    assert!(text(&cart, "section .hint").contains("Ce panier peut être livré"));
    let (_, checkout) = app.page("/panier/commande").await;
    assert!(radios(&checkout, ".slot-next input").contains(&delivery), "the next delivery is a shortcut");
    let commune = format!("commune_{}", grocery.id);
    let options = Selector::parse(&format!("select[name={commune}] option")).unwrap();
    let values: Vec<&str> = checkout.select(&options).map(|o| o.value().attr("value").unwrap()).collect();
    assert_eq!(values.first(), Some(&""), "the first option is empty");
    assert_eq!(values.len(), 2);
    assert!(
        checkout.select(&options).all(|o| o.value().attr("selected").is_none()),
        "nothing is preselected"
    );

    let slot = slot_name(&grocery);
    let address = format!("address_{}", grocery.id);
    let choices = [(slot.as_str(), delivery.as_str()), (address.as_str(), "2 rue des Lilas")];
    let refused = app.submit("/panier/commande", "/panier/recapitulatif", &choices).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text(&page, ".error-summary").contains("Choisissez la commune de livraison."));
    assert_eq!(
        radios(&page, &format!("input[name={slot}][checked]")),
        [delivery.as_str()],
        "the choice stays"
    );

    let commune_id = values[1].to_owned();
    let mut chosen = choices.to_vec();
    chosen.push((commune.as_str(), commune_id.as_str()));
    let summary = app.submit("/panier/commande", "/panier/recapitulatif", &chosen).await;
    assert_eq!(summary.status(), StatusCode::OK);
    let summary = Html::parse_document(&summary.text().await.unwrap());
    assert!(text(&summary, "dl.facts").contains("2 rue des Lilas, Marguerittes"));

    // "Change my choices" comes back to them.
    let (_, again) = app.page("/panier/commande").await;
    assert_eq!(radios(&again, &format!("input[name={slot}][checked]")), [delivery.as_str()]);
    let selected = Selector::parse(&format!("select[name={commune}] option[selected]")).unwrap();
    assert_eq!(
        again.select(&selected).map(|o| o.value().attr("value").unwrap()).collect::<Vec<_>>(),
        [commune_id]
    );
}

#[tokio::test]
async fn turning_a_pickers_pages_keeps_the_other_shops_choice_with_or_without_javascript() {
    let (app, bakery, grocery) = two_shops().await;
    add(&app, bakery.id, bakery.product, 1).await;
    add(&app, grocery.id, grocery.product, 1).await;
    let later = bakery.pickup[2].to_string();
    let (_, first) = app.page("/panier/commande").await;
    assert!(!radios(&first, "input[type=radio]").contains(&later), "the second week waits");

    // Without JavaScript: the "more days" button sends the whole form, which comes back.
    let more = format!("voir_{}", bakery.id);
    let grocery_slot = grocery.pickup[1].to_string();
    let turned = app
        .submit(
            "/panier/commande",
            "/panier/recapitulatif",
            &[(&more, "2"), (&slot_name(&grocery), &grocery_slot)],
        )
        .await;
    assert_eq!(turned.status(), StatusCode::OK);
    let page = Html::parse_document(&turned.text().await.unwrap());
    assert!(radios(&page, &format!("#picker-{} input", bakery.id)).contains(&later));
    assert_eq!(radios(&page, &format!("input[name={}][checked]", slot_name(&grocery))), [grocery_slot]);
    assert!(texts(&page, ".error-summary").is_empty(), "turning a page is not an error");

    // With htmx: only that shop's picker, keeping its choice shown.
    let chosen = bakery.pickup[1].to_string();
    let fragment = app
        .client
        .get(app.url(&format!(
            "/panier/commande?boutique={0}&voir_{0}=2&jours_{0}=1&slot_{0}={chosen}",
            bakery.id
        )))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), StatusCode::OK);
    let body = fragment.text().await.unwrap();
    assert!(body.starts_with(&format!("<div class=\"picker\" id=\"picker-{}\"", bakery.id)), "{body}");
    assert!(!body.contains("<html"));
    let fragment = Html::parse_fragment(&body);
    assert!(radios(&fragment, "input[type=radio]").contains(&later));
    assert_eq!(radios(&fragment, "input[checked]"), [chosen], "the choice of the first week stays shown");
}
