//! The market: one search across every shop of a territory (accents, word prefixes, filters,
//! sorts, only what can be ordered), its API, its page, and the cart that keeps the visitor where
//! they were.

use halle::accounts::User;
use halle::directory::BusinessInput;
use halle::directory::hours::{OpeningHours, TimeRange};
use halle::territory::Territory;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// A territory with two communes and shops of every kind the market must tell apart.
struct Market {
    app: TestApp,
    admin: User,
    territory: Territory,
    poulx: i64,
    bakery: i64,
    farm: i64,
    baguette: i64,
    eggs: i64,
}

/// A shop: `(latitude, longitude)` when it has a position.
struct Shop<'a> {
    name: &'a str,
    city: &'a str,
    at: Option<(f64, f64)>,
    pickup: bool,
    delivery: bool,
}

async fn shop(app: &TestApp, owner: &User, territory: &Territory, shop: Shop<'_>) -> i64 {
    shop_with(app, owner, territory, shop, None).await
}

async fn shop_with(
    app: &TestApp,
    owner: &User,
    territory: &Territory,
    shop: Shop<'_>,
    hours: Option<OpeningHours>,
) -> i64 {
    let input = BusinessInput {
        name: shop.name.into(),
        city: Some(shop.city.into()),
        latitude: shop.at.map(|p| p.0),
        longitude: shop.at.map(|p| p.1),
        click_and_collect: shop.pickup,
        delivery: shop.delivery,
        opening_hours: hours,
        ..BusinessInput::default()
    };
    halle::directory::propose(&app.db, "", owner, territory, &input).await.unwrap().id
}

/// A product: (reference, name, category, price, stock, available, organic, local label).
type Item<'a> = (&'a str, &'a str, &'a str, i64, Option<i64>, bool, bool, bool);

async fn product(app: &TestApp, actor: &User, business: i64, item: Item<'_>) -> i64 {
    let (reference, name, category, price_cents, stock, available, organic, local_label) = item;
    let input = halle::catalog::ProductInput {
        reference: reference.into(),
        name: name.into(),
        category: Some(category.into()),
        unit: "piece".into(),
        price_cents,
        stock,
        available,
        organic,
        local_label,
        ..Default::default()
    };
    halle::catalog::create(&app.db, actor, business, &input).await.unwrap().id
}

/// Opening hours only on a day three days from today (in Paris): closed now, whatever the hour.
fn hours_on_another_day() -> OpeningHours {
    let today = jiff::Zoned::now().in_tz("Europe/Paris").unwrap().weekday().to_monday_zero_offset();
    let mut hours = OpeningHours::default();
    hours.days[((today + 3) % 7) as usize] = vec![TimeRange { opens: 9 * 60, closes: 18 * 60 }];
    hours
}

async fn market() -> Market {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let poulx = halle::territory::NewCommune {
        insee_code: "30202".into(),
        postcode: "30320".into(),
        name: "Poulx".into(),
        latitude: 43.9075,
        longitude: 4.4172,
    };
    let poulx = halle::territory::add_commune(&app.db, None, territory.id, &poulx).await.unwrap().id;
    let admin = app.user("admin@exemple.fr", PASSWORD, true).await;
    let member = app.user("membre@exemple.fr", PASSWORD, false).await;

    // The bakery: pickup only, in Marguerittes, open on another day than today.
    let at_marguerittes = Some((43.8601, 4.4432));
    let bakery = Shop {
        name: "Boulangerie Lafont",
        city: "Marguerittes",
        at: at_marguerittes,
        pickup: true,
        delivery: false,
    };
    let bakery = shop_with(&app, &admin, &territory, bakery, Some(hours_on_another_day())).await;
    let baguette = product(
        &app,
        &admin,
        bakery,
        ("PAIN-01", "Baguette tradition", "Pains", 120, None, true, false, true),
    )
    .await;
    product(&app, &admin, bakery, ("VIEN-01", "Brioche", "Viennoiseries", 450, Some(3), true, false, false))
        .await;
    product(
        &app,
        &admin,
        bakery,
        ("VIEN-02", "Croissant aux œufs", "Viennoiseries", 110, Some(9), false, false, false),
    )
    .await;
    product(&app, &admin, bakery, ("PAIN-02", "Fougasse", "Pains", 420, Some(0), true, false, false)).await;

    // The farm: pickup and delivery, in Poulx, accepting the local currency, no hours given.
    let farm = Shop {
        name: "Ferme des Garrigues",
        city: "Poulx",
        at: Some((43.9075, 4.4172)),
        pickup: true,
        delivery: true,
    };
    let farm = shop(&app, &admin, &territory, farm).await;
    let eggs = product(
        &app,
        &admin,
        farm,
        ("OEUF-06", "Œufs plein air x6", "Œufs", 350, Some(12), true, true, false),
    )
    .await;
    product(&app, &admin, farm, ("OEUF-CA", "œufs de caille", "Œufs", 290, None, true, false, false)).await;
    let mut tx = app.db.begin().await.unwrap();
    halle::directory::record_currency_acceptance(&mut tx, farm).await.unwrap();
    tx.commit().await.unwrap();

    // The grocer: delivery only, no position, temporarily closed.
    let grocer =
        Shop { name: "Épicerie du Village", city: "Marguerittes", at: None, pickup: false, delivery: true };
    let grocer = shop(&app, &admin, &territory, grocer).await;
    product(&app, &admin, grocer, ("MIEL", "Miel de garrigue", "Épicerie", 980, Some(4), true, true, true))
        .await;
    halle::directory::update_status(&app.db, &admin, grocer, halle::directory::CrisisStatus::Closed, None)
        .await
        .unwrap();

    // Never in the market: a shop taking no orders, a listing waiting for moderation, a shop of
    // another territory.
    let pharmacy =
        Shop { name: "Pharmacie", city: "Marguerittes", at: at_marguerittes, pickup: false, delivery: false };
    let pharmacy = shop(&app, &admin, &territory, pharmacy).await;
    product(
        &app,
        &admin,
        pharmacy,
        ("CHOC", "Œufs en chocolat", "Confiserie", 500, None, true, false, false),
    )
    .await;
    let hidden = Shop { name: "Ferme cachée", city: "Poulx", at: None, pickup: true, delivery: true };
    let hidden = shop(&app, &member, &territory, hidden).await;
    product(
        &app,
        &member,
        hidden,
        ("OEUF-X", "Œufs pas encore publiés", "Œufs", 100, None, true, false, false),
    )
    .await;
    let nimes = app.territory("nimes", "Nîmes").await;
    let elsewhere = Shop { name: "Ferme de Nîmes", city: "Nîmes", at: None, pickup: true, delivery: false };
    let elsewhere = shop(&app, &admin, &nimes, elsewhere).await;
    product(&app, &admin, elsewhere, ("OEUF-N", "Œufs de Nîmes", "Œufs", 300, None, true, false, false))
        .await;

    Market { app, admin, territory, poulx, bakery, farm, baguette, eggs }
}

impl Market {
    /// The API's answer to a query string.
    async fn api(&self, query: &str) -> reqwest::Response {
        self.app.get(&format!("/api/v1/territories/{}/products?{query}", self.territory.slug)).await
    }

    /// The names the API finds, in order.
    async fn names(&self, query: &str) -> Vec<String> {
        let response = self.api(query).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let page: Value = response.json().await.unwrap();
        page["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    }
}

/// The header's cart link as it is seen ("Panier (2)") and as it is read ("Panier (2 articles)").
fn cart_link(html: &scraper::Html, css: &str) -> Vec<String> {
    let visible = format!("Panier {}", text(html, &format!("{css} [aria-hidden=true]")));
    let spoken = format!("Panier {}", text(html, &format!("{css} .visually-hidden")));
    vec![visible, spoken]
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[tokio::test]
async fn market_search_ignores_case_and_accents_and_matches_word_prefixes() {
    let m = market().await;
    let eggs = ["Œufs plein air x6", "œufs de caille"];
    assert_eq!(sorted(m.names("q=oeufs").await), sorted(eggs.map(String::from).to_vec()));
    assert_eq!(
        sorted(m.names("q=%C5%92UFS").await),
        sorted(eggs.map(String::from).to_vec()),
        "Œ folds to oe"
    );
    assert_eq!(sorted(m.names("q=oeu").await), sorted(eggs.map(String::from).to_vec()), "a word's start");
    assert_eq!(m.names("q=bag").await, ["Baguette tradition"]);
    assert_eq!(m.names("q=BAGUETTE").await, ["Baguette tradition"]);
    assert_eq!(m.names("q=tradi%20bag").await, ["Baguette tradition"], "every word, in any order");
    assert!(m.names("q=uette").await.is_empty(), "the inside of a word is not a prefix");
    assert_eq!(m.names("q=caille%20oeufs").await, ["œufs de caille"]);
    assert_eq!(m.names("q=viennois").await, ["Brioche"], "the category is searched too");
}

#[tokio::test]
async fn market_search_shows_only_what_can_be_ordered_from_published_shops_that_take_orders() {
    let m = market().await;
    assert_eq!(
        sorted(m.names("").await),
        ["Baguette tradition", "Brioche", "Miel de garrigue", "Œufs plein air x6", "œufs de caille"],
        "not the croissant off sale, the fougasse out of stock, the pharmacy taking no orders, \
         the listing waiting for moderation, nor another territory's eggs"
    );
    let (status, _) = m.app.page("/api/v1/territories/nowhere/products").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn market_filters_narrow_the_products_and_their_shops() {
    let m = market().await;
    assert_eq!(m.names("category=Pains").await, ["Baguette tradition"]);
    assert_eq!(
        sorted(m.names(&format!("commune={}", m.poulx)).await),
        ["Œufs plein air x6", "œufs de caille"]
    );
    assert_eq!(sorted(m.names("organic=true").await), ["Miel de garrigue", "Œufs plein air x6"]);
    assert_eq!(sorted(m.names("local_label=true").await), ["Baguette tradition", "Miel de garrigue"]);
    assert_eq!(
        sorted(m.names("fulfilment=pickup").await),
        ["Baguette tradition", "Brioche", "Œufs plein air x6", "œufs de caille"]
    );
    assert_eq!(
        sorted(m.names("fulfilment=delivery").await),
        ["Miel de garrigue", "Œufs plein air x6", "œufs de caille"]
    );
    assert_eq!(sorted(m.names("local_currency=true").await), ["Œufs plein air x6", "œufs de caille"]);
    assert_eq!(
        sorted(m.names("open_now=true").await),
        ["Œufs plein air x6", "œufs de caille"],
        "the bakery opens another day, the grocer is closed for now; the farm gave no hours"
    );
    assert_eq!(m.names("q=oeufs&organic=true&fulfilment=delivery").await, ["Œufs plein air x6"]);
}

#[tokio::test]
async fn market_sorts_by_relevance_price_or_distance() {
    let m = market().await;
    assert_eq!(
        m.names("sort=price").await,
        ["Baguette tradition", "œufs de caille", "Œufs plein air x6", "Brioche", "Miel de garrigue"]
    );
    let nearest_first = m.names("near=43.9075,4.4172").await;
    assert_eq!(nearest_first[..2], ["œufs de caille", "Œufs plein air x6"], "the farm is at Poulx");
    assert_eq!(nearest_first[2..4], ["Baguette tradition", "Brioche"], "then the bakery, 6 km away");
    assert_eq!(nearest_first[4], "Miel de garrigue", "a shop without a position comes last");
    assert_eq!(m.names("near=43.9075,4.4172&sort=price").await[0], "Baguette tradition");
    // A word in the name ranks before the same word further on (here, in the category); names
    // are ordered ignoring case and accents.
    product(
        &m.app,
        &m.admin,
        m.bakery,
        ("BISC", "Sablés", "Biscuits aux oeufs", 300, None, true, false, false),
    )
    .await;
    assert_eq!(m.names("q=oeufs").await, ["œufs de caille", "Œufs plein air x6", "Sablés"]);
    assert_eq!(m.names("q=oeufs&sort=price").await, ["œufs de caille", "Sablés", "Œufs plein air x6"]);
}

#[tokio::test]
async fn the_market_api_gives_each_product_as_the_catalogue_does_with_its_shop() {
    let m = market().await;
    let page: Value = m.api("q=oeufs%20plein").await.json().await.unwrap();
    let item = &page["items"][0];
    assert_eq!(item["business"], serde_json::json!({"id": m.farm, "name": "Ferme des Garrigues"}));
    assert_eq!(item["id"], m.eggs);
    assert_eq!(item["price_cents"], 350);
    assert_eq!(item["unit"], "piece");
    let catalogue: Value =
        m.app.get(&format!("/api/v1/businesses/{}/products?q=plein", m.farm)).await.json().await.unwrap();
    let mut same = item.clone();
    same.as_object_mut().unwrap().remove("business");
    assert_eq!(same, catalogue["items"][0], "the same fields as the catalogue's product");
    assert!(page["next"].is_null());

    // Pages follow each other with the cursor.
    let first: Value = m.api("limit=2&sort=price").await.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["next"], "2");
    let second: Value = m.api("limit=2&sort=price&cursor=2").await.json().await.unwrap();
    assert_eq!(second["items"][0]["name"], "Œufs plein air x6");
    let last: Value = m.api("limit=2&sort=price&cursor=4").await.json().await.unwrap();
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert!(last["next"].is_null());
}

#[tokio::test]
async fn bad_market_filters_are_refused_as_problems_naming_the_parameter() {
    let m = market().await;
    for (query, field) in [
        ("near=north", "near"),
        ("near=91,4.4", "near"),
        ("sort=cheapest", "sort"),
        ("sort=distance", "near"),
        ("fulfilment=drone", "fulfilment"),
        ("commune=999999", "commune"),
        ("organic=maybe", "organic"),
        ("commune=abc", "commune"),
        ("limit=many", "limit"),
        ("cursor=-1", "cursor"),
    ] {
        let body = problem(m.api(query).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let long = "x".repeat(81);
    let body = problem(m.api(&format!("category={long}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "category");
    // A commune of another territory is not this market's.
    let nimes = halle::territory::by_slug(&m.app.db, "nimes").await.unwrap().unwrap();
    let commune = halle::territory::communes(&m.app.db, nimes.id).await.unwrap()[0].id;
    let body = problem(m.api(&format!("commune={commune}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "commune");
}

#[tokio::test]
async fn the_market_page_shows_each_product_with_its_shop_price_and_add_to_cart_form() {
    let m = market().await;
    let (status, html) = m.app.page("/t/marguerittes/marche?q=oeufs&tri=prix").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, ".product-card h3"), ["œufs de caille", "Œufs plein air x6"]);
    assert_eq!(texts(&html, ".product-card .price"), ["2,90 € la pièce", "3,50 € la pièce"]);
    let farm_catalogue = format!("/t/marguerittes/annuaire/{}/catalogue", m.farm);
    let shop = scraper::Selector::parse(".product-card .shop a").unwrap();
    let links: Vec<&str> = html.select(&shop).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(links, [farm_catalogue.as_str(), farm_catalogue.as_str()]);
    assert_eq!(text(&html, &format!("#product-{} .shop", m.eggs)), "Ferme des Garrigues · Poulx");
    let form = format!("#product-{} form.add-to-cart", m.eggs);
    let form_el = html.select(&scraper::Selector::parse(&form).unwrap()).next().expect("an add-to-cart form");
    assert_eq!(form_el.value().attr("hx-post"), Some("/panier/ajouter"));
    assert!(csrf_token(&html).is_some());

    // Filters the visitor chose stay chosen; sorting by distance from a commune lists the
    // nearest shops first, with their distance.
    let (_, html) = m.app.page(&format!("/t/marguerittes/marche?commune={}&tri=distance", m.poulx)).await;
    assert_eq!(texts(&html, ".product-card h3")[..2], ["œufs de caille", "Œufs plein air x6"]);
    assert!(text(&html, &format!("#product-{} .shop", m.baguette)).contains("km"));
    assert_eq!(text(&html, "#tri option[selected]"), "distance depuis la commune choisie");
    // Wrong values in the address are ignored, not refused.
    let (status, html) = m.app.page("/t/marguerittes/marche?commune=abc&tri=nimportequoi&page=-3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, ".product-card h3").len(), 5);
    let (_, html) = m.app.page("/t/marguerittes/marche?q=introuvable").await;
    assert!(text(&html, "#results-title + p").starts_with("Aucun produit"));
}

#[tokio::test]
async fn adding_from_the_market_without_javascript_comes_back_to_the_product() {
    let m = market().await;
    let market_page = "/t/marguerittes/marche?q=oeufs";
    let (_, html) = m.app.page(market_page).await;
    let back = html
        .select(&scraper::Selector::parse(&format!("#product-{} input[name=back]", m.eggs)).unwrap())
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    assert_eq!(back, format!("{market_page}#product-{}", m.eggs));
    let added = m
        .app
        .submit(
            market_page,
            "/panier/ajouter",
            &[("product_id", &m.eggs.to_string()), ("quantity", "2"), ("back", &back)],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&added), back);
    let (_, html) = m.app.page(market_page).await;
    assert_eq!(text(&html, &format!("#product-{} .add-status", m.eggs)), "Ajouté ✓ Voir mon panier");
    assert_eq!(cart_link(&html, "#cart-link"), ["Panier (2)", "Panier (2 articles)"]);
    assert_eq!(text(&html, ".flash"), "Produit ajouté au panier.");
    // Once: the next page shows neither.
    let (_, html) = m.app.page(market_page).await;
    assert_eq!(text(&html, &format!("#product-{} .add-status", m.eggs)), "");
    assert_eq!(cart_link(&html, "#cart-link"), ["Panier (2)", "Panier (2 articles)"], "the count stays");
    let (_, cart) = m.app.page("/panier").await;
    assert!(text(&cart, "main").contains("Œufs plein air x6"));
}

#[tokio::test]
async fn adding_with_htmx_answers_the_words_by_the_button_and_the_new_cart_count() {
    let m = market().await;
    let market_page = "/t/marguerittes/marche?q=bag";
    let (_, html) = m.app.page(market_page).await;
    let token = csrf_token(&html).unwrap();
    let post = |product: i64, quantity: &'static str| {
        let token = token.clone();
        let client = m.app.client.clone();
        let url = m.app.url("/panier/ajouter");
        async move {
            client
                .post(url)
                .header("hx-request", "true")
                .form(&[("product_id", product.to_string()), ("quantity", quantity.into()), ("_csrf", token)])
                .send()
                .await
                .unwrap()
        }
    };
    let answer = post(m.baguette, "1").await;
    assert_eq!(answer.status(), StatusCode::OK);
    let fragment = scraper::Html::parse_fragment(&answer.text().await.unwrap());
    assert_eq!(text(&fragment, ".added"), "Ajouté ✓");
    assert_eq!(cart_link(&fragment, "a#cart-link[hx-swap-oob=true]"), ["Panier (1)", "Panier (1 article)"]);
    let answer = post(m.eggs, "3").await;
    let fragment = scraper::Html::parse_fragment(&answer.text().await.unwrap());
    assert_eq!(cart_link(&fragment, "#cart-link"), ["Panier (4)", "Panier (4 articles)"]);
    // A wrong quantity says so in the same place, and adds nothing.
    let answer = post(m.eggs, "0").await;
    let fragment = scraper::Html::parse_fragment(&answer.text().await.unwrap());
    assert_eq!(text(&fragment, ".add-problem"), "Indiquez une quantité entre 1 et 999.");
    assert_eq!(cart_link(&fragment, "#cart-link"), ["Panier (4)", "Panier (4 articles)"]);
    // The catalogue's forms work the same way.
    let (_, html) = m.app.page(&format!("/t/marguerittes/annuaire/{}/catalogue", m.bakery)).await;
    let selector = scraper::Selector::parse(&format!("#product-{} form.add-to-cart", m.baguette)).unwrap();
    let form = html.select(&selector).next().expect("the catalogue's add-to-cart form");
    assert_eq!(form.value().attr("hx-target"), Some(format!("#added-{}", m.baguette).as_str()));
    assert_eq!(cart_link(&html, "#cart-link"), ["Panier (4)", "Panier (4 articles)"]);
}

#[tokio::test]
async fn the_market_is_reached_from_the_home_page_and_the_main_navigation() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    let (_, home) = app.page("/t/marguerittes").await;
    let search = scraper::Selector::parse(".hero form[role=search]").unwrap();
    let form = home.select(&search).next().expect("a search box in the home page's first screen");
    assert_eq!(form.value().attr("action"), Some("/t/marguerittes/marche"));
    assert_eq!(text(&home, ".hero form label"), "Chercher un produit");
    let nav = scraper::Selector::parse("header nav a").unwrap();
    let first = home.select(&nav).next().unwrap();
    assert_eq!(first.text().collect::<String>(), "Marché");
    assert_eq!(first.value().attr("href"), Some("/t/marguerittes/marche"));
    // Outside a territory's pages, the link finds the market of the only territory.
    let (_, cart) = app.page("/panier").await;
    assert_eq!(cart.select(&nav).next().unwrap().value().attr("href"), Some("/marche"));
    let found = app.get("/marche?q=pain").await;
    assert_eq!(found.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&found), "/t/marguerittes/marche?q=pain");
    let (status, _) = app.page("/t/marguerittes/marche?q=pain").await;
    assert_eq!(status, StatusCode::OK);
    app.territory("nimes", "Nîmes").await;
    assert_eq!(location(&app.get("/marche").await), "/", "several territories: choose one first");
}
