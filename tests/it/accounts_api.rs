//! The accounts JSON API: register, token, me; errors as problem+json.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn post_json(app: &TestApp, path: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new().post(app.url(path)).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn registering_through_the_api_answers_the_same_whether_or_not_the_email_has_an_account() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "Api@exemple.fr", "password": PASSWORD, "display_name": "Api"});
    let created = post_json(&app, "/api/v1/auth/register", body.clone()).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    let first: serde_json::Value = created.json().await.unwrap();
    assert_eq!(first, json!({"email": "api@exemple.fr", "status": "confirmation_sent"}));
    let (subject, _) = app.last_mail_to("api@exemple.fr").await.unwrap();
    assert!(subject.contains("Confirmez"), "{subject}");

    // Someone tries the same address: the same answer, no second account, and the owner
    // is told rather than the person asking.
    let again = post_json(&app, "/api/v1/auth/register", body).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);
    let (subject, body) = app.last_mail_to("api@exemple.fr").await.unwrap();
    assert_eq!(subject, "Vous avez déjà un compte Halle");
    assert!(body.contains("/password/forgot"), "{body}");
    assert_eq!(halle::accounts::list_users(&app.db, "api@", None, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_registration_fields_are_listed_in_the_problem() {
    let app = TestApp::spawn().await;
    let response = post_json(
        &app,
        "/api/v1/auth/register",
        json!({"email": "nope", "password": "court", "display_name": ""}),
    )
    .await;
    let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password", "display_name"]);
}

#[tokio::test]
async fn a_malformed_json_body_is_a_400_problem_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": \"x@exemple.fr\", ")
        .send()
        .await
        .unwrap();
    let problem = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["code"], "error.json_malformed");
    let missing = post_json(&app, "/api/v1/auth/register", json!({"email": "x@exemple.fr"})).await;
    assert_eq!(problem_code(missing, StatusCode::BAD_REQUEST).await, "error.json_fields");
    assert!(halle::accounts::find_user_with_hash(&app.db, "x@exemple.fr").await.unwrap().is_none());
}

async fn problem_code(response: reqwest::Response, status: StatusCode) -> String {
    problem(response, status).await["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(300 * 1024);
    let response = post_json(
        &app,
        "/api/v1/auth/register",
        json!({"email": "big@exemple.fr", "password": huge, "display_name": "Big"}),
    )
    .await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(halle::accounts::find_user_with_hash(&app.db, "big@exemple.fr").await.unwrap().is_none());
    // The same limit holds for HTML forms.
    app.get("/register").await;
    let form = app
        .client
        .post(app.url("/register"))
        .form(&[("email", "big@exemple.fr"), ("password", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_token_is_given_for_the_right_password_only_and_opens_me() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let wrong = post_json(
        &app,
        "/api/v1/auth/token",
        json!({"email": "jeanne@exemple.fr", "password": "mauvais mot de passe"}),
    )
    .await;
    problem(wrong, StatusCode::UNAUTHORIZED).await;

    let ok =
        post_json(&app, "/api/v1/auth/token", json!({"email": "Jeanne@exemple.fr", "password": PASSWORD}))
            .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let token = ok.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let me = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["email"], "jeanne@exemple.fr");
}

#[tokio::test]
async fn an_unconfirmed_account_gets_no_token() {
    let app = TestApp::spawn().await;
    post_json(
        &app,
        "/api/v1/auth/register",
        json!({"email": "new@exemple.fr", "password": PASSWORD, "display_name": "New"}),
    )
    .await;
    let response =
        post_json(&app, "/api/v1/auth/token", json!({"email": "new@exemple.fr", "password": PASSWORD})).await;
    assert_eq!(problem_code(response, StatusCode::FORBIDDEN).await, "accounts.error.unconfirmed");
}

#[tokio::test]
async fn me_without_or_with_a_bad_token_is_401() {
    let app = TestApp::spawn().await;
    let none = reqwest::Client::new().get(app.url("/api/v1/me")).send().await.unwrap();
    problem(none, StatusCode::UNAUTHORIZED).await;
    let bad =
        reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth("halle_forged").send().await.unwrap();
    problem(bad, StatusCode::UNAUTHORIZED).await;
    let basic = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    problem(basic, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn api_errors_follow_the_accept_language() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let problem = problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem["detail"], "You need to log in.");
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_create_one_account() {
    let app = TestApp::spawn_with(|c| c.register_limit = 100).await;
    let mut handles = Vec::new();
    for _ in 0..6 {
        let url = app.url("/api/v1/auth/register");
        handles.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({"email": "race@exemple.fr", "password": PASSWORD, "display_name": "Race"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::ACCEPTED), "{statuses:?}");
    assert_eq!(halle::accounts::list_users(&app.db, "race@", None, 10).await.unwrap().len(), 1);
    // One confirmation; the other five attempts each tell the owner, three times an hour at most.
    let mails = halle::mail::list_outbox(&app.db, None, None, 100).await.unwrap();
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects.iter().filter(|s| s.starts_with("Confirmez")).count(), 1, "{subjects:?}");
    assert_eq!(
        subjects.iter().filter(|s| **s == "Vous avez déjà un compte Halle").count(),
        3,
        "{subjects:?}"
    );
}

#[tokio::test]
async fn registrations_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(|c| c.register_limit = 2).await;
    for n in 0..2 {
        let response = post_json(
            &app,
            "/api/v1/auth/register",
            json!({"email": format!("r{n}@exemple.fr"), "password": PASSWORD, "display_name": "R"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let response = post_json(
        &app,
        "/api/v1/auth/register",
        json!({"email": "r9@exemple.fr", "password": PASSWORD, "display_name": "R"}),
    )
    .await;
    problem(response, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn the_confirmation_email_and_the_account_json_keep_their_shape() {
    let app = TestApp::spawn().await;
    post_json(
        &app,
        "/api/v1/auth/register",
        json!({"email": "forme@exemple.fr", "password": PASSWORD, "display_name": "Forme"}),
    )
    .await;
    let (subject, body) = app.last_mail_to("forme@exemple.fr").await.unwrap();
    let link = app.link_in_mail("forme@exemple.fr", "/account/confirm?token=").await;
    let body = body.replace(&link, "[LINK]");
    insta::assert_snapshot!("confirmation_email", format!("Subject: {subject}\n\n{body}"));

    let user = halle::accounts::find_user_with_hash(&app.db, "forme@exemple.fr").await.unwrap().unwrap().0;
    let token = halle::accounts::create_api_token(&app.db, &user, "test").await.unwrap();
    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    insta::assert_json_snapshot!("me", me, { ".id" => "[id]" });
}
