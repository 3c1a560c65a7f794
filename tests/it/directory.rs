//! The directory: proposal and moderation workflow, permissions, search, import, exports, API.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const FIXTURE: &[u8] = include_bytes!("../../../shared/fixtures/annuaire-pros.csv");

/// A territory with a moderator and a merchant, each with an API token.
struct Setup {
    app: TestApp,
    moderator: String,
    merchant: String,
    other: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let moderator = app.user("animation@exemple.fr", PASSWORD, false).await;
    let mut tx = app.db.begin().await.unwrap();
    halle::accounts::grant_role_in_tx(&mut tx, moderator.id, territory.id, halle::accounts::Role::Moderator)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let merchant = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    let other = app.user("autre@exemple.fr", PASSWORD, false).await;
    let moderator_token = halle::accounts::create_api_token(&app.db, &moderator, "t").await.unwrap();
    let merchant_token = halle::accounts::create_api_token(&app.db, &merchant, "t").await.unwrap();
    let other_token = halle::accounts::create_api_token(&app.db, &other, "t").await.unwrap();
    Setup { app, moderator: moderator_token, merchant: merchant_token, other: other_token }
}

fn api(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

async fn propose(setup: &Setup, token: &str, body: serde_json::Value) -> serde_json::Value {
    let response = api(token)
        .post(setup.app.url("/api/v1/territories/marguerittes/businesses"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn bakery() -> serde_json::Value {
    json!({"name": "Boulangerie Lafont", "kind": "merchant", "description": "Pain au levain.\n\nViennoiseries.",
           "latitude": 43.8601, "longitude": 4.4432, "city": "Marguerittes", "postcode": "30320",
           "click_and_collect": true, "status": "pickup_only"})
}

#[tokio::test]
async fn a_proposed_listing_is_hidden_until_a_moderator_approves_it() {
    let s = setup().await;
    let created = propose(&s, &s.merchant, bakery()).await;
    assert_eq!(created["state"], "pending");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/businesses/{id}");

    // Nobody but its owner and the moderators sees it.
    assert_eq!(reqwest::get(s.app.url(&path)).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(api(&s.other).get(s.app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(api(&s.merchant).get(s.app.url(&path)).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(api(&s.moderator).get(s.app.url(&path)).send().await.unwrap().status(), StatusCode::OK);
    let (status, _) = s.app.page(&format!("/t/marguerittes/annuaire/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The moderators were told.
    assert!(s.app.last_mail_to("animation@exemple.fr").await.unwrap().0.contains("valider"));

    // Only a moderator approves.
    let refused = api(&s.merchant).post(s.app.url(&format!("{path}/approve"))).send().await.unwrap();
    problem(refused, StatusCode::FORBIDDEN).await;
    let approved = api(&s.moderator).post(s.app.url(&format!("{path}/approve"))).send().await.unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    let detail: serde_json::Value = reqwest::get(s.app.url(&path)).await.unwrap().json().await.unwrap();
    assert_eq!(detail["state"], "published");
    assert_eq!(detail["status"], "pickup_only");
    let (subject, body) = s.app.last_mail_to("boulangerie@exemple.fr").await.unwrap();
    assert_eq!(subject, "Votre fiche est publiée");
    assert!(body.contains(&format!("/t/marguerittes/annuaire/{id}")));
    // The owner became a merchant of the territory.
    let me: serde_json::Value =
        api(&s.merchant).get(s.app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert!(me["memberships"].as_array().unwrap().iter().any(|m| m["role"] == "merchant"));
}

#[tokio::test]
async fn a_refusal_carries_its_reason_and_a_corrected_listing_returns_to_the_queue() {
    let s = setup().await;
    let id = propose(&s, &s.merchant, bakery()).await["id"].as_i64().unwrap();
    let path = s.app.url(&format!("/api/v1/businesses/{id}/refuse"));
    let no_reason = api(&s.moderator).post(&path).json(&json!({"reason": " "})).send().await.unwrap();
    problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY).await;
    let refused =
        api(&s.moderator).post(&path).json(&json!({"reason": "Adresse incomplète"})).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::OK);
    let (_, body) = s.app.last_mail_to("boulangerie@exemple.fr").await.unwrap();
    assert!(body.contains("Adresse incomplète"));

    let patched = api(&s.merchant)
        .patch(s.app.url(&format!("/api/v1/businesses/{id}")))
        .json(&json!({"address": "12 rue de la République"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let detail: serde_json::Value = patched.json().await.unwrap();
    assert_eq!(detail["state"], "pending");
    assert_eq!(detail["address"], "12 rue de la République");
    assert_eq!(detail["status"], "pickup_only", "fields not in the patch keep their value");
}

#[tokio::test]
async fn only_owners_and_moderators_edit_a_listing() {
    let s = setup().await;
    let id = propose(&s, &s.moderator, bakery()).await["id"].as_i64().unwrap();
    let url = s.app.url(&format!("/api/v1/businesses/{id}"));
    let stranger = api(&s.other).patch(&url).json(&json!({"name": "Piratée"})).send().await.unwrap();
    problem(stranger, StatusCode::FORBIDDEN).await;
    let anonymous =
        reqwest::Client::new().patch(&url).json(&json!({"name": "Piratée"})).send().await.unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    // The domain refuses whatever the caller.
    let other = halle::accounts::find_user_with_hash(&s.app.db, "autre@exemple.fr").await.unwrap().unwrap().0;
    let input = halle::directory::BusinessInput { name: "Piratée".into(), ..Default::default() };
    assert!(matches!(
        halle::directory::update(&s.app.db, &other, id, &input).await,
        Err(halle::error::AppError::Forbidden)
    ));
    // Through the web form too.
    s.app.login("autre@exemple.fr", PASSWORD).await;
    assert_eq!(
        s.app.get(&format!("/t/marguerittes/annuaire/{id}/modifier")).await.status(),
        StatusCode::FORBIDDEN
    );
    let detail: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(detail["name"], "Boulangerie Lafont");
}

#[tokio::test]
async fn every_change_is_kept_in_the_history() {
    let s = setup().await;
    let id = propose(&s, &s.moderator, bakery()).await["id"].as_i64().unwrap();
    api(&s.moderator)
        .patch(s.app.url(&format!("/api/v1/businesses/{id}")))
        .json(&json!({"phone": "04 66 00 11 22"}))
        .send()
        .await
        .unwrap();
    s.app.login("animation@exemple.fr", PASSWORD).await;
    let (status, html) = s.app.page(&format!("/t/marguerittes/annuaire/{id}/historique")).await;
    assert_eq!(status, StatusCode::OK);
    let entries = texts(&html, ".history > li");
    assert!(entries[0].contains("Modifiée") && entries[0].contains("04 66 00 11 22"), "{entries:?}");
    assert!(entries.last().unwrap().contains("Proposée"));
    // A member who does not own the listing does not see its history.
    let other = client();
    submit_with(
        &other,
        &s.app.base,
        "/login",
        "/login",
        &[("email", "autre@exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    let response =
        other.get(s.app.url(&format!("/t/marguerittes/annuaire/{id}/historique"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn importing_the_fixture_accepts_seven_rows_and_names_the_three_refused_ones() {
    let s = setup().await;
    let url = s.app.url("/api/v1/territories/marguerittes/businesses/import?dry_run=true");
    let forbidden =
        api(&s.merchant).post(&url).header("content-type", "text/csv").body(FIXTURE).send().await.unwrap();
    problem(forbidden, StatusCode::FORBIDDEN).await;

    let dry: serde_json::Value = api(&s.moderator)
        .post(&url)
        .header("content-type", "text/csv")
        .body(FIXTURE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dry["accepted"], 7);
    assert_eq!(dry["created"], 0);
    let rows: Vec<i64> =
        dry["refused"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, [8, 9, 11]);
    let reasons: Vec<String> =
        dry["refused"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap().to_owned()).collect();
    assert!(reasons[0].contains("nom"), "{reasons:?}");
    assert!(reasons[1].contains("javascript:"), "{reasons:?}");
    assert!(reasons[2].contains("91.5") || reasons[2].contains("91,5"), "{reasons:?}");
    let listed: serde_json::Value = reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0, "a dry run changes nothing");

    let url = s.app.url("/api/v1/territories/marguerittes/businesses/import?dry_run=false");
    let done: serde_json::Value = api(&s.moderator)
        .post(&url)
        .header("content-type", "text/csv")
        .body(FIXTURE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["created"], 7);
    let again: serde_json::Value = api(&s.moderator)
        .post(&url)
        .header("content-type", "text/csv")
        .body(FIXTURE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["created"], 0);
    assert_eq!(again["updated"], 0);
    let listed: serde_json::Value = reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 7);

    // Text with HTML in it is stored as text and displayed escaped.
    let atelier = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"].as_str().unwrap().starts_with("Atelier"))
        .unwrap();
    assert_eq!(atelier["name"], "Atelier <script>alert('x')</script>");
    let page = reqwest::get(s.app.url(&format!("/t/marguerittes/annuaire/{}", atelier["id"])))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert('x')</script>"));
    assert!(!page.contains("<img src=x"));
    assert!(page.contains("Atelier &#60;script&#62;") || page.contains("Atelier &lt;script&gt;"));
}

#[tokio::test]
async fn a_moderator_previews_then_confirms_an_import_in_the_browser_flow() {
    let s = setup().await;
    s.app.login("animation@exemple.fr", PASSWORD).await;
    let (_, page) = s.app.page("/t/marguerittes/moderation/import").await;
    let token = csrf_token(&page).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(FIXTURE.to_vec()).file_name("annuaire-pros.csv"));
    let preview = s
        .app
        .client
        .post(s.app.url("/t/marguerittes/moderation/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let html = scraper::Html::parse_document(&preview.text().await.unwrap());
    assert!(text(&html, "main").contains("7 lignes valides, 3 lignes refusées"));
    let rows = texts(&html, ".refused-rows tbody td:first-child");
    assert_eq!(rows, ["8", "9", "11"]);
    let listed: serde_json::Value = reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["items"].as_array().unwrap().is_empty(), "the preview imports nothing");
    let action = {
        let selector = scraper::Selector::parse("form[action*='/moderation/import/']").unwrap();
        html.select(&selector).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    let confirmed = s.app.submit("/t/marguerittes/moderation/import", &action, &[]).await;
    let html = scraper::Html::parse_document(&confirmed.text().await.unwrap());
    assert!(text(&html, ".flash").contains("7 fiches créées"));
    // Without the anti-forgery token in the form the upload is refused, even with the token in
    // the address (where logs and the Referer header would keep it).
    for path in [
        "/t/marguerittes/moderation/import".to_owned(),
        format!("/t/marguerittes/moderation/import?_csrf={token}"),
    ] {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(FIXTURE.to_vec()).file_name("a.csv"));
        let forged = s.app.client.post(s.app.url(&path)).multipart(form).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

async fn import_fixture(s: &Setup) {
    let url = s.app.url("/api/v1/territories/marguerittes/businesses/import");
    let response =
        api(&s.moderator).post(&url).header("content-type", "text/csv").body(FIXTURE).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let page: serde_json::Value =
        reqwest::get(app.url(&format!("/api/v1/territories/marguerittes/businesses?{query}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn search_ignores_case_and_accents_and_matches_word_prefixes() {
    let s = setup().await;
    import_fixture(&s).await;
    assert_eq!(names(&s.app, "q=epicerie").await, ["La Drôle d'Épicerie", "Maison Soulat"]);
    assert_eq!(names(&s.app, "q=EPIC").await.len(), 2);
    assert_eq!(names(&s.app, "q=boul").await, ["Boulangerie Lafont"]);
    assert_eq!(names(&s.app, "q=angouleme%20vrac").await, ["La Drôle d'Épicerie"]);
    assert!(names(&s.app, "q=picerie").await.is_empty(), "only word prefixes match");
    // The HTML directory page finds it too.
    let (_, html) = s.app.page("/t/marguerittes/annuaire?q=epicerie").await;
    assert_eq!(texts(&html, ".business-card h2"), ["La Drôle d'Épicerie", "Maison Soulat"]);
}

#[tokio::test]
async fn filters_and_distance_sorting_narrow_the_directory() {
    let s = setup().await;
    import_fixture(&s).await;
    assert_eq!(names(&s.app, "status=delivery_only").await, ["Ferme du Gardon"]);
    // The file's "accepte_monnaie_locale" column is ignored: only opening a wallet account counts.
    assert!(names(&s.app, "service=local_currency").await.is_empty());
    let commune = halle::territory::communes(&s.app.db, 1).await.unwrap()[0].id;
    assert_eq!(names(&s.app, &format!("commune={commune}")).await, ["Boulangerie Lafont", "Ferme du Gardon"]);
    // From Nîmes, the pharmacy first, then Marguerittes; within 10 km only those three.
    let near = names(&s.app, "near=43.8345,4.3597&radius_km=10").await;
    assert_eq!(near, ["Pharmacie des Arènes", "Boulangerie Lafont", "Ferme du Gardon"]);
    let bad = reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses?near=abc")).await.unwrap();
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Pagination with a cursor.
    let first: serde_json::Value =
        reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses?limit=5"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 5);
    let next = first["next"].as_str().unwrap();
    let second: serde_json::Value = reqwest::get(
        s.app.url(&format!("/api/v1/territories/marguerittes/businesses?limit=5&cursor={next}")),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert!(second["next"].is_null());
}

#[tokio::test]
async fn a_category_filter_includes_its_sub_categories() {
    let s = setup().await;
    let moderator =
        halle::accounts::find_user_with_hash(&s.app.db, "animation@exemple.fr").await.unwrap().unwrap().0;
    let food = halle::directory::add_category(&s.app.db, &moderator, 1, "Alimentation", None).await.unwrap();
    let bread =
        halle::directory::add_category(&s.app.db, &moderator, 1, "Boulangerie", Some(food)).await.unwrap();
    let cycle =
        halle::directory::edit_category(&s.app.db, &moderator, 1, food, "Alimentation", Some(bread)).await;
    assert!(matches!(cycle, Err(halle::error::AppError::Invalid(_))));
    let mut body = bakery();
    body["category_ids"] = json!([bread]);
    propose(&s, &s.moderator, body).await;
    assert_eq!(names(&s.app, &format!("category={food}")).await, ["Boulangerie Lafont"]);
    // A merchant cannot change the taxonomy.
    let merchant =
        halle::accounts::find_user_with_hash(&s.app.db, "boulangerie@exemple.fr").await.unwrap().unwrap().0;
    assert!(matches!(
        halle::directory::add_category(&s.app.db, &merchant, 1, "Pirate", None).await,
        Err(halle::error::AppError::Forbidden)
    ));
}

#[tokio::test]
async fn the_open_data_exports_hold_the_published_directory() {
    let s = setup().await;
    import_fixture(&s).await;
    propose(&s, &s.merchant, json!({"name": "En attente", "latitude": 43.0, "longitude": 4.0})).await;
    let response =
        reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses.geojson")).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let text = response.text().await.unwrap();
    let parsed: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(collection) = parsed else { panic!("not a collection") };
    assert_eq!(collection.features.len(), 7, "the pending listing is not exported");
    let bakery = collection
        .features
        .iter()
        .find(|f| f.property("name").and_then(|n| n.as_str()) == Some("Boulangerie Lafont"))
        .unwrap();
    let geojson::Value::Point(point) = &bakery.geometry.as_ref().unwrap().value else {
        panic!("not a point")
    };
    assert_eq!(point, &vec![4.4432, 43.8601], "longitude first");

    let csv = reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses.csv"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.trim_start_matches('\u{feff}').lines().next().unwrap().contains("nom"));
    assert!(csv.contains("Boulangerie Lafont"));
    assert!(!csv.contains("En attente"));
    // The CSV export imports back without a refusal or a duplicate.
    let back: serde_json::Value = api(&s.moderator)
        .post(s.app.url("/api/v1/territories/marguerittes/businesses/import?dry_run=false"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(back["accepted"], 7);
    assert_eq!(back["created"], 0);
}

#[tokio::test]
async fn a_business_page_previews_well_when_shared() {
    let s = setup().await;
    let id = propose(&s, &s.moderator, bakery()).await["id"].as_i64().unwrap();
    let (status, html) = s.app.page(&format!("/t/marguerittes/annuaire/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let selector = scraper::Selector::parse("script[type='application/ld+json']").unwrap();
    let ld: serde_json::Value =
        serde_json::from_str(&html.select(&selector).next().unwrap().inner_html()).unwrap();
    assert_eq!(ld["@type"], "LocalBusiness");
    assert_eq!(ld["name"], "Boulangerie Lafont");
    let og = scraper::Selector::parse("meta[property='og:title']").unwrap();
    assert_eq!(html.select(&og).next().unwrap().value().attr("content"), Some("Boulangerie Lafont"));
    assert!(text(&html, ".status-box").contains("Retrait uniquement"));
    assert_eq!(
        texts(&html, "main p").iter().filter(|p| p.as_str() == "Viennoiseries.").count(),
        1,
        "paragraphs are kept"
    );
}

#[tokio::test]
async fn a_member_proposes_through_the_form_and_the_owner_confirms_the_status() {
    let s = setup().await;
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let bad = s
        .app
        .submit(
            "/t/marguerittes/annuaire/proposer",
            "/t/marguerittes/annuaire/proposer",
            &[
                ("name", "Boulangerie"),
                ("website", "javascript:alert(1)"),
                ("latitude", "43,86"),
                ("h1_0_opens", "9:00"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&bad.text().await.unwrap());
    assert!(text(&html, "[role=alert]").contains("http"));
    assert_eq!(
        html.select(&scraper::Selector::parse("#name").unwrap()).next().unwrap().value().attr("value"),
        Some("Boulangerie")
    );

    let response = s
        .app
        .submit(
            "/t/marguerittes/annuaire/proposer",
            "/t/marguerittes/annuaire/proposer",
            &[
                ("name", "Boulangerie Lafont"),
                ("kind", "merchant"),
                ("city", "Marguerittes"),
                ("latitude", "43,8601"),
                ("longitude", "4,4432"),
                ("status", "open"),
                ("click_and_collect", "on"),
                ("h1_0_opens", "7:00"),
                ("h1_0_closes", "13:00"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let path = location(&response);
    let (_, page) = s.app.page(&path).await;
    assert!(text(&page, ".flash").contains("envoyée aux animateurs"));
    assert!(text(&page, "main").contains("En attente de validation"));
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let detail: serde_json::Value = api(&s.merchant)
        .get(s.app.url(&format!("/api/v1/businesses/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["latitude"], 43.8601);
    assert_eq!(detail["click_and_collect"], true);

    let status = s
        .app
        .submit(
            &path,
            &format!("{path}/statut"),
            &[("status", "closed"), ("status_message", "Congés jusqu'au 3")],
        )
        .await;
    assert_eq!(status.status(), StatusCode::SEE_OTHER);
    let detail: serde_json::Value = api(&s.merchant)
        .get(s.app.url(&format!("/api/v1/businesses/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "closed");
    assert!(detail["status_confirmed_at"].is_string());
}

#[tokio::test]
async fn a_merchant_claims_an_imported_listing_and_a_moderator_accepts() {
    let s = setup().await;
    import_fixture(&s).await;
    let page: serde_json::Value =
        reqwest::get(s.app.url("/api/v1/territories/marguerittes/businesses?q=lafont"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let id = page["items"][0]["id"].as_i64().unwrap();
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let path = format!("/t/marguerittes/annuaire/{id}");
    s.app.submit(&path, &format!("{path}/gerer"), &[("message", "C'est ma boulangerie")]).await;
    assert_eq!(s.app.get(&format!("{path}/modifier")).await.status(), StatusCode::FORBIDDEN);

    let moderator = client();
    submit_with(
        &moderator,
        &s.app.base,
        "/login",
        "/login",
        &[("email", "animation@exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    let (_, queue) = page_with(&moderator, &s.app.url("/t/marguerittes/moderation")).await;
    assert!(text(&queue, "main").contains("C'est ma boulangerie"));
    let action = {
        let selector =
            scraper::Selector::parse("form[action*='/reclamations/'][action$='/accepter']").unwrap();
        queue.select(&selector).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    submit_with(&moderator, &s.app.base, "/t/marguerittes/moderation", &action, &[]).await;
    assert_eq!(s.app.get(&format!("{path}/modifier")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn photos_are_re_encoded_and_served_with_their_listing() {
    let s = setup().await;
    let id = propose(&s, &s.moderator, bakery()).await["id"].as_i64().unwrap();
    let mut png = Vec::new();
    let image = image::RgbaImage::from_fn(64, 48, |x, y| image::Rgba([x as u8 * 4, y as u8 * 5, 120, 255]));
    image::DynamicImage::ImageRgba8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    s.app.login("animation@exemple.fr", PASSWORD).await;
    let edit = format!("/t/marguerittes/annuaire/{id}/modifier");
    let (_, page) = s.app.page(&edit).await;
    let token = csrf_token(&page).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("vitrine.png"));
    let response = s
        .app
        .client
        .post(s.app.url(&format!("/t/marguerittes/annuaire/{id}/photos")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let photos = halle::directory::photos(&s.app.db, id).await.unwrap();
    assert_eq!(photos.len(), 1);
    let served = reqwest::get(s.app.url(&format!("/photos/{}", photos[0].id))).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let bytes = served.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "re-encoded as JPEG");

    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("photo", reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.jpg"));
    s.app
        .client
        .post(s.app.url(&format!("/t/marguerittes/annuaire/{id}/photos")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (_, page) = s.app.page(&edit).await;
    assert!(text(&page, ".flash").contains("JPEG, PNG et WebP"));
    assert_eq!(halle::directory::photos(&s.app.db, id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_geocoder_fills_missing_coordinates_from_the_address() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0_u8; 4096];
            let read = stream.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]).to_string();
            assert!(request.starts_with("GET /search/?q="), "{request}");
            let body = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[4.4432,43.8601]},"properties":{"label":"12 Rue de la République 30320 Marguerittes"}}]}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    let app = TestApp::spawn_with(|c| c.geocoder_url = Some(format!("http://127.0.0.1:{port}"))).await;
    app.territory("marguerittes", "Marguerittes").await;
    app.user("marie@exemple.fr", PASSWORD, false).await;
    app.login("marie@exemple.fr", PASSWORD).await;
    let response = app
        .submit(
            "/t/marguerittes/annuaire/proposer",
            "/t/marguerittes/annuaire/proposer",
            &[
                ("name", "Épicerie Marie"),
                ("address", "12 rue de la République"),
                ("postcode", "30320"),
                ("city", "Marguerittes"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id: i64 = location(&response).rsplit('/').next().unwrap().parse().unwrap();
    let business = halle::directory::business_by_id(&app.db, id).await.unwrap().unwrap();
    assert_eq!((business.latitude, business.longitude), (Some(43.8601), Some(4.4432)));
}

#[tokio::test]
async fn only_a_moderator_unpublishes_and_an_unpublished_listing_disappears() {
    let s = setup().await;
    let id = propose(&s, &s.moderator, bakery()).await["id"].as_i64().unwrap();
    let url = s.app.url(&format!("/api/v1/businesses/{id}/refuse"));
    let owner = api(&s.merchant).post(&url).json(&json!({"reason": "Je ferme"})).send().await.unwrap();
    problem(owner, StatusCode::FORBIDDEN).await;
    let done = api(&s.moderator)
        .post(&url)
        .json(&json!({"reason": "Commerce fermé définitivement"}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.json::<serde_json::Value>().await.unwrap()["state"], "unpublished");
    assert_eq!(
        reqwest::get(s.app.url(&format!("/api/v1/businesses/{id}"))).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(names(&s.app, "").await.is_empty());
    // Approving again republishes it.
    api(&s.moderator).post(s.app.url(&format!("/api/v1/businesses/{id}/approve"))).send().await.unwrap();
    assert_eq!(names(&s.app, "").await, ["Boulangerie Lafont"]);
}

#[tokio::test]
async fn a_moderator_cannot_approve_his_own_claim_owners_are_told_and_moderation_gives_no_orders() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let admin = app.user("admin@exemple.fr", PASSWORD, true).await;
    let moderator = app.user("animation@exemple.fr", PASSWORD, false).await;
    let colleague = app.user("benevole@exemple.fr", PASSWORD, false).await;
    for user in [&moderator, &colleague] {
        halle::accounts::grant_role(&app.db, &admin, user.id, territory.id, halle::accounts::Role::Moderator)
            .await
            .unwrap();
    }
    let baker = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    let input = halle::directory::BusinessInput {
        name: "Boulangerie Lafont".into(),
        kind: "merchant".into(),
        click_and_collect: true,
        ..Default::default()
    };
    let business = halle::directory::propose(&app.db, "", &baker, &territory, &input).await.unwrap();
    halle::directory::approve(&app.db, "", &colleague, business.id).await.unwrap();

    // The moderator moderates the listing, but its orders are not his to read.
    app.login("animation@exemple.fr", PASSWORD).await;
    let drive = format!("/t/marguerittes/annuaire/{}/drive", business.id);
    assert_eq!(app.get(&drive).await.status(), StatusCode::FORBIDDEN);
    let (_, listing) = app.page(&format!("/t/marguerittes/annuaire/{}", business.id)).await;
    assert!(listing.select(&scraper::Selector::parse("a[href$='/drive']").unwrap()).next().is_none());
    let token = halle::accounts::create_api_token(&app.db, &moderator, "t").await.unwrap();
    let orders =
        api(&token).get(app.url(&format!("/api/v1/businesses/{}/orders", business.id))).send().await.unwrap();
    assert_eq!(orders.status(), StatusCode::FORBIDDEN);

    // He claims it and cannot approve his own claim; the baker hears of it.
    halle::directory::claim(&app.db, "", &moderator, business.id, "Je reprends").await.unwrap();
    let told = app.last_mail_to("boulangerie@exemple.fr").await.unwrap();
    assert_eq!(told.0, "Quelqu’un demande à gérer votre fiche");
    let (_, claims) = halle::directory::moderation_queue(&app.db, &moderator, territory.id).await.unwrap();
    let claim_id = claims[0].0.id;
    let refused =
        halle::directory::decide_claim(&app.db, &moderator, territory.id, claim_id, true).await.unwrap_err();
    assert!(matches!(refused, halle::error::AppError::Denied("directory.error.own_claim")), "{refused:?}");
    assert!(!halle::directory::is_owner(&app.db, business.id, moderator.id).await.unwrap());

    // Another moderator may accept it; the baker is told who joined.
    halle::directory::decide_claim(&app.db, &colleague, territory.id, claim_id, true).await.unwrap();
    let (subject, body) = app.last_mail_to("boulangerie@exemple.fr").await.unwrap();
    assert_eq!(subject, "Un nouveau responsable pour votre fiche");
    assert!(body.contains(&moderator.display_name), "{body}");
}

#[tokio::test]
async fn a_pending_listings_photo_is_shown_to_its_owner_but_never_kept_in_a_cache() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let moderator = app.user("animation@exemple.fr", PASSWORD, true).await;
    let baker = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    let input = halle::directory::BusinessInput { name: "Boulangerie Lafont".into(), ..Default::default() };
    let business = halle::directory::propose(&app.db, "", &baker, &territory, &input).await.unwrap();
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(32, 32, image::Rgba([200, 120, 40, 255])))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let photo = halle::directory::add_photo(&app.db, &baker, business.id, png).await.unwrap();
    let url = format!("/photos/{photo}");
    assert_eq!(
        reqwest::get(app.url(&url)).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "hidden while pending"
    );
    app.login("boulangerie@exemple.fr", PASSWORD).await;
    let own = app.get(&url).await;
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(own.headers()["cache-control"], "private, no-store");
    halle::directory::approve(&app.db, "", &moderator, business.id).await.unwrap();
    let published = reqwest::get(app.url(&url)).await.unwrap();
    assert_eq!(published.headers()["cache-control"], "public, max-age=86400");
}
