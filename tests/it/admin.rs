//! Administration: only instance admins get in; outbox, roles, territories and communes.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn admin_pages_are_refused_to_members_and_anonymous_visitors() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    assert_eq!(app.get("/admin/outbox").await.status(), StatusCode::SEE_OTHER);
    app.login("jeanne@exemple.fr", PASSWORD).await;
    for path in ["/admin", "/admin/outbox", "/admin/users", "/admin/territories"] {
        assert_eq!(app.get(path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Posting directly is refused too, whatever the page shows.
    let response = app
        .submit(
            "/account",
            "/admin/territories",
            &[("slug", "pirate"), ("name", "Pirate"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(halle::territory::by_slug(&app.db, "pirate").await.unwrap().is_none());
}

#[tokio::test]
async fn the_admin_reads_the_outbox_with_the_links_it_holds() {
    let app = TestApp::spawn().await;
    app.user("admin@exemple.fr", PASSWORD, true).await;
    let visitor = client();
    submit_with(
        &visitor,
        &app.base,
        "/register",
        "/register",
        &[("email", "new@exemple.fr"), ("display_name", "New"), ("password", PASSWORD)],
    )
    .await;
    app.login("admin@exemple.fr", PASSWORD).await;
    let (status, outbox) = app.page("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&outbox, "main").contains("Aucun serveur d’envoi"));
    assert!(texts(&outbox, "tbody td").iter().any(|t| t == "new@exemple.fr"));
    let href = {
        let selector = scraper::Selector::parse("tbody a").unwrap();
        outbox.select(&selector).next().unwrap().value().attr("href").unwrap().to_owned()
    };
    let (_, message) = app.page(&href).await;
    // The admin sees that a link was sent, not the secret that would open the account.
    assert!(text(&message, "pre").contains(&format!("{}/account/confirm?token=…", app.base)));
    let link = app.link_in_mail("new@exemple.fr", "/account/confirm?token=").await;
    let secret = link.split("token=").nth(1).unwrap();
    assert!(!text(&message, "main").contains(secret));
}

#[tokio::test]
async fn the_admin_grants_and_revokes_roles() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    app.user("admin@exemple.fr", PASSWORD, true).await;
    let baker = app.user("boulangerie@exemple.fr", PASSWORD, false).await;
    app.login("admin@exemple.fr", PASSWORD).await;
    let tid = territory.id.to_string();
    let path = format!("/admin/users/{}/roles", baker.id);
    let response = app
        .submit("/admin/users", &path, &[("territory_id", &tid), ("role", "merchant"), ("action", "grant")])
        .await;
    assert_eq!(location(&response), "/admin/users");
    assert!(
        halle::accounts::has_role(&app.db, &baker, territory.id, halle::accounts::Role::Merchant)
            .await
            .unwrap()
    );
    let (_, users) = app.page("/admin/users?q=boulangerie").await;
    assert!(text(&users, "article").contains("Commerçant ou producteur"));
    app.submit("/admin/users", &path, &[("territory_id", &tid), ("role", "merchant"), ("action", "revoke")])
        .await;
    assert!(
        !halle::accounts::has_role(&app.db, &baker, territory.id, halle::accounts::Role::Merchant)
            .await
            .unwrap()
    );
    let unknown = app
        .submit("/admin/users", &path, &[("territory_id", &tid), ("role", "king"), ("action", "grant")])
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_member_cannot_grant_roles_even_by_posting_directly() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let member = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let path = format!("/admin/users/{}/roles", member.id);
    let response = app
        .submit(
            "/account",
            &path,
            &[("territory_id", &territory.id.to_string()), ("role", "treasurer"), ("action", "grant")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The domain function refuses on its own, whatever the caller.
    let refused = halle::accounts::grant_role(
        &app.db,
        &member,
        member.id,
        territory.id,
        halle::accounts::Role::Treasurer,
    )
    .await;
    assert!(matches!(refused, Err(halle::error::AppError::Forbidden)));
}

#[tokio::test]
async fn the_admin_creates_a_territory_and_adds_communes_with_french_decimals() {
    let app = TestApp::spawn().await;
    app.user("admin@exemple.fr", PASSWORD, true).await;
    app.login("admin@exemple.fr", PASSWORD).await;
    let bad = app
        .submit(
            "/admin/territories",
            "/admin/territories",
            &[("slug", "Pas Bon"), ("name", "Sud 78"), ("time_zone", "Europe/Nulle")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&bad.text().await.unwrap());
    assert!(text(&html, "#slug-error").contains("2 à 40 caractères"));
    assert!(text(&html, "#time_zone-error").contains("fuseau horaire"));

    let created = app
        .submit(
            "/admin/territories",
            "/admin/territories",
            &[
                ("slug", "sud-78"),
                ("name", "Sud Yvelines"),
                ("time_zone", "Europe/Paris"),
                ("label_name", "Made in Sud 78"),
                ("label_tag", "mis78"),
            ],
        )
        .await;
    assert_eq!(location(&created), "/admin/territories/sud-78");
    let territory = halle::territory::by_slug(&app.db, "sud-78").await.unwrap().unwrap();
    assert_eq!(territory.label_tag.as_deref(), Some("#mis78"));
    let duplicate = app
        .submit(
            "/admin/territories",
            "/admin/territories",
            &[("slug", "sud-78"), ("name", "Encore"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let out_of_range = app
        .submit(
            "/admin/territories/sud-78",
            "/admin/territories/sud-78",
            &[
                ("name", "Rambouillet"),
                ("insee_code", "78517"),
                ("postcode", "78120"),
                ("latitude", "148,64"),
                ("longitude", "1,83"),
            ],
        )
        .await;
    assert_eq!(out_of_range.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let added = app
        .submit(
            "/admin/territories/sud-78",
            "/admin/territories/sud-78",
            &[
                ("name", "Rambouillet"),
                ("insee_code", "78517"),
                ("postcode", "78120"),
                ("latitude", "48,6436"),
                ("longitude", "1,8297"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let communes = halle::territory::communes(&app.db, territory.id).await.unwrap();
    assert_eq!(communes.len(), 1);
    assert!((communes[0].latitude - 48.6436).abs() < 1e-9);
}
