//! The catalogue: spreadsheet import with its report, exports and round trips, permissions,
//! the public page, the DFC export checked with the official connector.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const FIXTURE: &[u8] = include_bytes!("../../../shared/fixtures/catalogue-boulangerie-excel-fr.csv");

struct Shop {
    app: TestApp,
    business: i64,
    merchant: String,
    other: String,
}

fn api(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// A published bakery owned by `boulangerie@exemple.fr`, and another merchant.
async fn shop() -> Shop {
    shop_with(|_| {}).await
}

/// [`shop`] on an instance with adjusted settings.
async fn shop_with(adjust: impl FnOnce(&mut halle::config::Config)) -> Shop {
    let app = TestApp::spawn_with(adjust).await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let admin = app.user("admin@exemple.fr", PASSWORD, true).await;
    let merchant = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    let other = app.user("autre@exemple.fr", PASSWORD, false).await;
    let input = halle::directory::BusinessInput { name: "Boulangerie Lafont".into(), ..Default::default() };
    let business = halle::directory::propose(&app.db, "", &admin, &territory, &input).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    halle::directory::add_owner(&mut tx, business.id, merchant.id).await.unwrap();
    tx.commit().await.unwrap();
    let merchant = halle::accounts::create_api_token(&app.db, &merchant, "t").await.unwrap();
    let other = halle::accounts::create_api_token(&app.db, &other, "t").await.unwrap();
    Shop { app, business: business.id, merchant, other }
}

async fn import(
    s: &Shop,
    token: &str,
    body: Vec<u8>,
    content_type: &str,
    dry_run: bool,
) -> reqwest::Response {
    api(token)
        .post(s.app.url(&format!("/api/v1/businesses/{}/products/import?dry_run={dry_run}", s.business)))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn products(s: &Shop) -> Vec<serde_json::Value> {
    let page: serde_json::Value = api(&s.merchant)
        .get(s.app.url(&format!("/api/v1/businesses/{}/products", s.business)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn importing_the_bakery_spreadsheet_gives_eleven_products_and_names_five_refused_rows() {
    let s = shop().await;
    let dry: serde_json::Value =
        import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", true).await.json().await.unwrap();
    assert_eq!(dry["accepted"], 11);
    let rows: Vec<i64> =
        dry["refused"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, [13, 14, 15, 16, 18]);
    let reasons: Vec<&str> =
        dry["refused"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert!(reasons[0].contains("gratuit"), "{reasons:?}");
    assert!(reasons[2].contains("PAIN-01"), "{reasons:?}");
    assert!(reasons[4].contains("abc"), "{reasons:?}");
    assert!(products(&s).await.is_empty(), "a dry run changes nothing");

    let done: serde_json::Value =
        import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await.json().await.unwrap();
    assert_eq!(done["created"], 11);
    let items = products(&s).await;
    let baguette = items.iter().find(|p| p["reference"] == "PAIN-01").unwrap();
    assert_eq!(baguette["price_cents"], 120);
    assert_eq!(baguette["unit"], "piece");
    assert_eq!(baguette["stock"], 120);
    let juice = items.iter().find(|p| p["reference"] == "BOIS-01").unwrap();
    assert!(juice["stock"].is_null(), "an empty stock is unlimited");
    let tart = items.iter().find(|p| p["reference"] == "PAT-01").unwrap();
    assert!(tart["description"].as_str().unwrap().contains('\n'));
    let bread = items.iter().find(|p| p["reference"] == "PAIN-02").unwrap();
    assert_eq!(bread["description"], "Seigle; froment");

    let again: serde_json::Value =
        import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await.json().await.unwrap();
    assert_eq!(
        (again["created"].as_i64(), again["updated"].as_i64()),
        (Some(0), Some(0)),
        "re-importing changes nothing"
    );
}

#[tokio::test]
async fn the_csv_and_xlsx_exports_import_back_without_a_change() {
    let s = shop().await;
    import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await;
    for (path, content_type) in [
        ("products.csv", "text/csv"),
        ("products.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ] {
        let export = api(&s.merchant)
            .get(s.app.url(&format!("/api/v1/businesses/{}/{path}", s.business)))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        let bytes = export.bytes().await.unwrap().to_vec();
        let back: serde_json::Value =
            import(&s, &s.merchant, bytes, content_type, false).await.json().await.unwrap();
        assert_eq!(back["accepted"], 11, "{path}: {back}");
        assert_eq!(back["refused"].as_array().unwrap().len(), 0, "{path}: {back}");
        assert_eq!(
            (back["created"].as_i64(), back["updated"].as_i64()),
            (Some(0), Some(0)),
            "{path} round trip is lossless"
        );
    }
}

#[tokio::test]
async fn a_merchant_manages_only_the_products_of_their_own_business() {
    let s = shop().await;
    let url = s.app.url(&format!("/api/v1/businesses/{}/products", s.business));
    let body = json!({"reference": "PAIN-09", "name": "Fougasse", "unit": "piece", "price_cents": 350});
    let stranger = api(&s.other).post(&url).json(&body).send().await.unwrap();
    problem(stranger, StatusCode::FORBIDDEN).await;
    let created = api(&s.merchant).post(&url).json(&body).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    let product_url = s.app.url(&format!("/api/v1/products/{id}"));
    problem(
        api(&s.other).patch(&product_url).json(&json!({"price_cents": 1})).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(api(&s.other).delete(&product_url).send().await.unwrap(), StatusCode::FORBIDDEN).await;
    problem(import(&s, &s.other, FIXTURE.to_vec(), "text/csv", false).await, StatusCode::FORBIDDEN).await;
    let duplicate = api(&s.merchant).post(&url).json(&body).send().await.unwrap();
    problem(duplicate, StatusCode::CONFLICT).await;
    let patched: serde_json::Value = api(&s.merchant)
        .patch(&product_url)
        .json(&json!({"stock": 12}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((patched["stock"].as_i64(), patched["price_cents"].as_i64()), (Some(12), Some(350)));
    let bad = api(&s.merchant)
        .patch(&product_url)
        .json(&json!({"unit": "stere", "price_cents": -5}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"].as_array().unwrap().len(), 2);
    assert_eq!(api(&s.merchant).delete(&product_url).send().await.unwrap().status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_public_catalogue_shows_prices_allergens_and_what_is_sold_out() {
    let s = shop().await;
    let url = s.app.url(&format!("/api/v1/businesses/{}/products", s.business));
    for body in [
        json!({"reference": "A", "name": "Baguette tradition", "unit": "piece", "price_cents": 120, "allergens": ["gluten"]}),
        json!({"reference": "B", "name": "Croissant", "unit": "piece", "price_cents": 115, "stock": 0}),
        json!({"reference": "C", "name": "Secret", "unit": "kg", "price_cents": 100, "available": false}),
        json!({"reference": "D", "name": "Miel", "unit": "jar", "price_cents": 123450, "category": "Épicerie"}),
    ] {
        assert_eq!(
            api(&s.merchant).post(&url).json(&body).send().await.unwrap().status(),
            StatusCode::CREATED
        );
    }
    let (status, html) = s.app.page(&format!("/t/marguerittes/annuaire/{}/catalogue", s.business)).await;
    assert_eq!(status, StatusCode::OK);
    let names = texts(&html, ".product-card h2");
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.contains(&"Secret".to_owned()), "a product off sale is not shown");
    let cards = texts(&html, ".product-card");
    let baguette = cards.iter().find(|c| c.contains("Baguette")).unwrap();
    assert!(baguette.contains("1,20 € la pièce"), "{baguette}");
    assert!(baguette.contains("Allergènes : gluten"), "{baguette}");
    assert!(cards.iter().find(|c| c.contains("Croissant")).unwrap().contains("Épuisé"));
    assert!(cards.iter().find(|c| c.contains("Miel")).unwrap().contains("1 234,50 € le pot"));
    let (_, searched) = s.app.page(&format!("/t/marguerittes/annuaire/{}/catalogue?q=bag", s.business)).await;
    assert_eq!(texts(&searched, ".product-card h2"), ["Baguette tradition"]);
    // Anonymous API readers see only what is on sale.
    let page: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_merchant_corrects_the_column_mapping_before_importing() {
    let s = shop().await;
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let base = format!("/t/marguerittes/annuaire/{}/produits/import", s.business);
    let (_, page) = s.app.page(&base).await;
    let token = csrf_token(&page).unwrap();
    let file = "Code;Produit;PV;Qté\nPAIN-01;Baguette;1,20;10\nPAIN-02;Campagne;3,10;\n".as_bytes().to_vec();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("file", reqwest::multipart::Part::bytes(file).file_name("tarifs.csv"));
    let uploaded = s.app.client.post(s.app.url(&base.to_string())).multipart(form).send().await.unwrap();
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&uploaded);
    let (_, preview) = s.app.page(&preview_path).await;
    assert!(text(&preview, "[role=alert]").contains("Prix"), "the price column is not recognised");
    // The merchant says "PV" is the price.
    let corrected = format!("{preview_path}?col0=reference&col1=name&col2=price&col3=stock");
    let (_, fixed) = s.app.page(&corrected).await;
    assert!(texts(&fixed, "[role=alert]").is_empty());
    assert!(text(&fixed, ".accepted-rows").contains("Baguette"));
    let confirmed = s
        .app
        .submit(
            &corrected,
            &preview_path,
            &[("col0", "reference"), ("col1", "name"), ("col2", "price"), ("col3", "stock")],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let items = products(&s).await;
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().any(|p| p["reference"] == "PAIN-02" && p["stock"].is_null() && p["price_cents"] == 310)
    );
}

#[tokio::test]
async fn the_dfc_export_is_read_back_by_the_official_connector() {
    let s = shop().await;
    import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await;
    let response =
        reqwest::get(s.app.url(&format!("/api/v1/businesses/{}/catalog.jsonld", s.business))).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/ld+json");
    let document: serde_json::Value = response.json().await.unwrap();
    // Our own reader gets every product back.
    let read = halle::catalog::dfc::jsonld_to_catalog(&document).unwrap();
    assert_eq!(read.products.len(), 11);
    if std::env::var("HALLE_DFC_CHECK").is_err() {
        eprintln!("HALLE_DFC_CHECK unset: the connector check runs from scripts/test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.jsonld");
    std::fs::write(&file, document.to_string()).unwrap();
    let expected: Vec<serde_json::Value> = products(&s)
        .await
        .iter()
        .map(|p| {
            let cents = p["price_cents"].as_i64().unwrap();
            json!({"reference": p["reference"], "name": p["name"], "price": format!("{}.{:02}", cents / 100, cents % 100).parse::<f64>().unwrap(),
                   "unit": dfc_unit(p["unit"].as_str().unwrap()), "stock": p["stock"]})
        })
        .collect();
    let expected_file = dir.path().join("expected.json");
    std::fs::write(&expected_file, serde_json::to_string(&expected).unwrap()).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let output = std::process::Command::new("node")
        .arg(format!("{root}/tests/dfc/check.mjs"))
        .arg(&file)
        .arg(&expected_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("11 products ok"));
}

fn dfc_unit(unit: &str) -> &'static str {
    match unit {
        "kg" => "dfc-m:Kilogram",
        "jar" => "dfc-m:Jar",
        "bottle" => "dfc-m:Bottle",
        "box" => "dfc-m:Box",
        _ => "dfc-m:Piece",
    }
}

#[tokio::test]
async fn a_dfc_catalogue_is_imported_from_a_file_or_an_address() {
    let s = shop().await;
    import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await;
    let document = reqwest::get(s.app.url(&format!("/api/v1/businesses/{}/catalog.jsonld", s.business)))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    // Another business of the same merchant takes the catalogue through the API...
    let admin = halle::accounts::find_user_with_hash(&s.app.db, "admin@exemple.fr").await.unwrap().unwrap().0;
    let territory = halle::territory::by_slug(&s.app.db, "marguerittes").await.unwrap().unwrap();
    let input = halle::directory::BusinessInput { name: "Dépôt de pain".into(), ..Default::default() };
    let second = halle::directory::propose(&s.app.db, "", &admin, &territory, &input).await.unwrap();
    let merchant =
        halle::accounts::find_user_with_hash(&s.app.db, "boulangerie@exemple.fr").await.unwrap().unwrap().0;
    let mut tx = s.app.db.begin().await.unwrap();
    halle::directory::add_owner(&mut tx, second.id, merchant.id).await.unwrap();
    tx.commit().await.unwrap();
    let url = s.app.url(&format!("/api/v1/businesses/{}/products/import?dry_run=false", second.id));
    let result: serde_json::Value = api(&s.merchant)
        .post(&url)
        .header("content-type", "application/ld+json")
        .body(document.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["created"], 11, "{result}");
    let again: serde_json::Value = api(&s.merchant)
        .post(&url)
        .header("content-type", "application/ld+json")
        .body(document)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((again["created"].as_i64(), again["updated"].as_i64()), (Some(0), Some(0)));

    // ... and by its address in the web form, which refuses the hosting network by default.
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let import_page = format!("/t/marguerittes/annuaire/{}/produits/import", second.id);
    let (_, page) = s.app.page(&import_page).await;
    let token = csrf_token(&page).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .text("dfc_url", s.app.url(&format!("/api/v1/businesses/{}/catalog.jsonld", s.business)));
    let refused = s
        .app
        .client
        .post(s.app.url(&format!("/t/marguerittes/annuaire/{}/produits/import-dfc", second.id)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    let alert = text(&html, "[role=alert]");
    assert!(alert.contains("Cette adresse n’est pas acceptée"), "{alert}");
    assert!(
        html.select(&scraper::Selector::parse("[role=alert] a[href='#dfc_url']").unwrap()).next().is_some()
    );
}

/// Imports `dfc_url` through the web form of the shop's business.
async fn import_dfc_address(s: &Shop, dfc_url: &str) -> reqwest::Response {
    let import_page = format!("/t/marguerittes/annuaire/{}/produits/import", s.business);
    let (_, page) = s.app.page(&import_page).await;
    let token = csrf_token(&page).unwrap();
    let form =
        reqwest::multipart::Form::new().text("_csrf", token.clone()).text("dfc_url", dfc_url.to_owned());
    s.app
        .client
        .post(s.app.url(&format!("/t/marguerittes/annuaire/{}/produits/import-dfc", s.business)))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dfc_address_on_the_hosting_network_or_another_port_is_fetched_only_where_allowed() {
    let s = shop_with(|config| config.allow_private_fetch = true).await;
    import(&s, &s.merchant, FIXTURE.to_vec(), "text/csv", false).await;
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let own = s.app.url(&format!("/api/v1/businesses/{}/catalog.jsonld", s.business));
    let fetched = import_dfc_address(&s, &own).await;
    assert_eq!(fetched.status(), StatusCode::OK, "an instance allowing private addresses fetches {own}");
    assert_eq!(products(&s).await.len(), 11);

    let s = shop().await;
    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    for address in [
        s.app.url(&format!("/api/v1/businesses/{}/catalog.jsonld", s.business)),
        "http://localhost/catalog.jsonld".to_owned(),
        "http://[::ffff:127.0.0.1]/catalog.jsonld".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "https://catalogue.example:8080/catalog.jsonld".to_owned(),
    ] {
        let refused = import_dfc_address(&s, &address).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{address}");
        let html = scraper::Html::parse_document(&refused.text().await.unwrap());
        assert!(text(&html, "[role=alert]").contains("Cette adresse n’est pas acceptée"), "{address}");
    }
}

/// A DFC catalogue of `items` products, four nodes each (item, product, offer, price), written
/// with the references pointing backwards, and `extra` more nodes.
fn large_dfc_catalogue(items: usize, extra: usize) -> Vec<u8> {
    let mut graph = Vec::new();
    for i in 0..items {
        graph.push(json!({ "@id": format!("ex:item/{i}"), "@type": "dfc-b:CatalogItem", "dfc-b:sku": format!("R-{i}") }));
        graph.push(json!({ "@id": format!("ex:product/{i}"), "@type": "dfc-b:SuppliedProduct",
            "dfc-b:name": format!("Produit {i}"), "dfc-b:referencedBy": { "@id": format!("ex:item/{i}") } }));
        graph.push(json!({ "@id": format!("ex:offer/{i}"), "@type": "dfc-b:Offer",
            "dfc-b:offeredItem": { "@id": format!("ex:item/{i}") }, "dfc-b:hasPrice": { "@id": format!("ex:price/{i}") } }));
        graph.push(json!({ "@id": format!("ex:price/{i}"), "@type": "dfc-b:Price", "dfc-b:value": "1.20",
            "dfc-b:hasUnit": "dfc-m:Euro" }));
    }
    for i in 0..extra {
        graph.push(json!({ "@id": format!("ex:catalog/{i}"), "@type": "dfc-b:Catalog" }));
    }
    let context = json!([halle::catalog::dfc::DFC_CONTEXT, { "ex": "https://example.org/" }]);
    serde_json::to_vec(&json!({ "@context": context, "@graph": graph })).unwrap()
}

#[tokio::test]
async fn a_dfc_catalogue_of_twenty_thousand_nodes_is_imported_and_one_more_node_is_refused() {
    let s = shop().await;
    let accepted = import(&s, &s.merchant, large_dfc_catalogue(5_000, 0), "application/ld+json", true).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let report: serde_json::Value = accepted.json().await.unwrap();
    assert_eq!(report["accepted"], 5_000, "{}", report["refused"][0]);
    for dry_run in [true, false] {
        let refused =
            import(&s, &s.merchant, large_dfc_catalogue(5_000, 1), "application/ld+json", dry_run).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["code"], "catalog.import.dfc_too_many_nodes", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("plus de 20 000 éléments"), "{body}");
    }
    assert!(products(&s).await.is_empty(), "nothing was imported");
}

#[tokio::test]
async fn a_product_photo_is_re_encoded_shown_on_the_public_page_and_guarded() {
    let s = shop().await;
    let created: serde_json::Value = api(&s.merchant)
        .post(s.app.url(&format!("/api/v1/businesses/{}/products", s.business)))
        .json(&json!({"reference": "PAIN-01", "name": "Baguette", "unit": "piece", "price_cents": 120}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let product = created["id"].as_i64().unwrap();
    let mut png = Vec::new();
    let image = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();

    // Another merchant cannot add one.
    let other = halle::accounts::find_user_with_hash(&s.app.db, "autre@exemple.fr").await.unwrap().unwrap().0;
    assert!(matches!(
        halle::catalog::add_photo(&s.app.db, &other, product, png.clone()).await,
        Err(halle::error::AppError::Forbidden)
    ));

    s.app.login("boulangerie@exemple.fr", PASSWORD).await;
    let edit = format!("/t/marguerittes/annuaire/{}/produits/{product}", s.business);
    let (_, page) = s.app.page(&edit).await;
    let token = csrf_token(&page).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("baguette.png"));
    let uploaded =
        s.app.client.post(s.app.url(&format!("{edit}/photos"))).multipart(form).send().await.unwrap();
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    let (_, public) = s.app.page(&format!("/t/marguerittes/annuaire/{}/catalogue", s.business)).await;
    let selector = scraper::Selector::parse(".product-card img").unwrap();
    let src =
        public.select(&selector).next().expect("a photo on the card").value().attr("src").unwrap().to_owned();
    let served = reqwest::get(s.app.url(&src)).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(&served.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);
    // Off sale, the photo is no longer public.
    api(&s.merchant)
        .patch(s.app.url(&format!("/api/v1/products/{product}")))
        .json(&json!({"available": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(reqwest::get(s.app.url(&src)).await.unwrap().status(), StatusCode::NOT_FOUND);
}

/// A 1 KB XLSX whose shared-string table declares a quadrillion strings: the reader would reserve
/// room for them all and the process would abort.
fn shared_string_bomb() -> Vec<u8> {
    use std::io::Write;
    let entries: [(&str, &str); 5] = [
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
        ),
        (
            "xl/sharedStrings.xml",
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1000000000000000"><si><t>Nom</t></si></sst>"#,
        ),
    ];
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in entries {
        writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_crafted_xlsx_is_refused_with_422_and_the_server_lives() {
    let s = shop().await;
    let bomb = shared_string_bomb();
    assert!(bomb.len() < 2_048, "the file is small: {} bytes", bomb.len());
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for dry_run in [true, false] {
        let refused = import(&s, &s.merchant, bomb.clone(), xlsx, dry_run).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["code"], "catalog.import.too_large", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("trop grand"), "{body}");
    }
    let alive = s.app.client.get(s.app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    assert!(products(&s).await.is_empty(), "nothing was imported");
}
