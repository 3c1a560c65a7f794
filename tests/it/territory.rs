//! Territories: the home page with one or several, a territory's page, joining, the API.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn with_no_territory_the_home_page_says_so() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&html, "h1"), "Bienvenue sur Halle");
}

#[tokio::test]
async fn with_one_territory_the_home_page_shows_it() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes et alentours").await;
    let (_, html) = app.page("/").await;
    assert_eq!(text(&html, "h1"), "Marguerittes et alentours");
    assert!(texts(&html, ".communes li").iter().any(|c| c.starts_with("Marguerittes")));
}

#[tokio::test]
async fn with_several_territories_the_home_page_lists_them() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    app.territory("sud-78", "Sud Yvelines").await;
    let (_, html) = app.page("/").await;
    assert_eq!(text(&html, "h1"), "Choisissez votre territoire");
    assert_eq!(texts(&html, ".cards h2"), ["Marguerittes", "Sud Yvelines"]);
    let (status, page) = app.page("/t/sud-78").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&page, "h1"), "Sud Yvelines");
}

#[tokio::test]
async fn an_unknown_territory_is_a_french_404_page() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page("/t/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text(&html, "main").contains("Cette page n’existe pas"));
    assert_eq!(html.root_element().value().attr("lang"), Some("fr"));
}

#[tokio::test]
async fn a_signed_in_visitor_joins_a_territory() {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    app.territory("autre", "Autre").await;
    let user = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let response = app.submit("/t/marguerittes", "/t/marguerittes/join", &[]).await;
    assert_eq!(location(&response), "/t/marguerittes");
    let (_, html) = app.page("/t/marguerittes").await;
    assert!(text(&html, ".flash").contains("membre de ce territoire"));
    assert!(
        halle::accounts::has_role(&app.db, &user, territory.id, halle::accounts::Role::Member).await.unwrap()
    );
    // Joining twice changes nothing.
    app.submit("/t/marguerittes", "/t/marguerittes/join", &[]).await;
    assert_eq!(halle::accounts::memberships_of(&app.db, user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_anonymous_visitor_cannot_join() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    app.get("/register").await;
    let response = submit_with(&app.client, &app.base, "/register", "/t/marguerittes/join", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login?next="));
}

#[tokio::test]
async fn the_api_lists_territories_and_shows_one_with_its_communes() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    let list: serde_json::Value =
        reqwest::get(app.url("/api/v1/territories")).await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["slug"], "marguerittes");
    assert!(list["next"].is_null());
    let one: serde_json::Value =
        reqwest::get(app.url("/api/v1/territories/marguerittes")).await.unwrap().json().await.unwrap();
    assert_eq!(one["time_zone"], "Europe/Paris");
    assert_eq!(one["communes"][0]["insee_code"], "30156");
    let missing = reqwest::get(app.url("/api/v1/territories/nope")).await.unwrap();
    problem(missing, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_member_joins_through_the_api_and_me_lists_it() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    let jeanne = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let token = halle::accounts::create_api_token(&app.db, &jeanne, "Tableur").await.unwrap();
    let join = || app.client.post(app.url("/api/v1/territories/marguerittes/members")).bearer_auth(&token);
    let joined = join().send().await.unwrap();
    assert_eq!(joined.status(), StatusCode::NO_CONTENT);
    // Joining twice changes nothing.
    assert_eq!(join().send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let me: serde_json::Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["memberships"], serde_json::json!([{"territory": "marguerittes", "role": "member"}]));
    let anonymous =
        app.client.post(app.url("/api/v1/territories/marguerittes/members")).send().await.unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let unknown = app
        .client
        .post(app.url("/api/v1/territories/nulle-part/members"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(unknown, StatusCode::NOT_FOUND).await;
}
