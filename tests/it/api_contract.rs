//! The API's OpenAPI document against the API itself: security where a token is needed, the
//! shared error statuses on every operation, one schema per name. `scripts/api-contract` checks
//! the rest with schemathesis against a demo server.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(&'static str, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((method, path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// The security requirements: none, optional (one of them is `{}`) or required.
fn token(operation: &Value) -> &'static str {
    match operation["security"].as_array() {
        None => "none",
        Some(requirements) if requirements.iter().any(|r| r == &json!({})) => "optional",
        Some(_) => "required",
    }
}

/// A concrete address for a path template: the territory's slug, `1` for any other parameter.
fn address(path: &str, slug: &str) -> String {
    let mut concrete = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        concrete.push_str(&rest[..start]);
        concrete.push_str(if &rest[start + 1..end] == "slug" { slug } else { "1" });
        rest = &rest[end + 1..];
    }
    concrete.push_str(rest);
    format!("/api/v1{concrete}")
}

async fn call(app: &TestApp, method: &str, path: &str, bearer: Option<&str>) -> StatusCode {
    let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method.clone(), app.url(path));
    if method != reqwest::Method::GET {
        request = request.json(&json!({}));
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn every_operation_declares_the_token_it_needs() {
    let app = TestApp::spawn().await;
    let territory = app.territory("ici", "Ici").await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for (method, path, operation) in operations(&doc) {
        let url = address(&path, &territory.slug);
        let anonymous = call(&app, method, &url, None).await;
        let bad_token = call(&app, method, &url, Some("halle_not-a-token")).await;
        let label = format!("{} {path}", method.to_uppercase());
        match token(&operation) {
            "required" => {
                assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{label} declares a token but works without");
                assert_eq!(bad_token, StatusCode::UNAUTHORIZED, "{label} takes a bad token");
            }
            "optional" => {
                assert_ne!(anonymous, StatusCode::UNAUTHORIZED, "{label} needs a token: declare it required");
                assert_eq!(bad_token, StatusCode::UNAUTHORIZED, "{label} takes a bad token");
            }
            _ => {
                assert_ne!(anonymous, StatusCode::UNAUTHORIZED, "{label} needs a token: declare `security`");
                assert_ne!(bad_token, StatusCode::UNAUTHORIZED, "{label} reads a token: declare it optional");
            }
        }
    }
}

#[tokio::test]
async fn every_operation_declares_its_error_statuses_with_a_problem_body() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let shared = &doc["components"]["responses"];
    for (method, path, operation) in operations(&doc) {
        let label = format!("{} {path}", method.to_uppercase());
        let responses = operation["responses"].as_object().unwrap();
        let mut expected = vec!["408", "500"];
        if token(&operation) != "none" {
            expected.push("401");
        }
        if operation.get("requestBody").is_some() {
            expected.extend(["400", "413"]);
        }
        if path.contains('{') {
            expected.extend(["400", "404"]);
        }
        for status in expected {
            assert!(responses.contains_key(status), "{label} does not declare {status}");
        }
        for (status, response) in responses {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(reference) => &shared[reference.rsplit('/').next().unwrap()],
                None => response,
            };
            let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/Problem", "{label} {status} is not a problem");
        }
    }
}

#[tokio::test]
async fn no_two_api_types_share_a_schema_name() {
    // utoipa keeps one schema per name: two types of the same name (the ledger's account and
    // the member's account, once) would silently describe one with the other.
    let routers = [
        halle::accounts::api::router(),
        halle::territory::api::router(),
        halle::directory::api::router(),
        halle::catalog::api::router(),
        halle::orders::api::router(),
        halle::ledger::api::router(),
        halle::aid::api::router(),
    ];
    let mut seen: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    for router in routers {
        let (_, doc) = router.split_for_parts();
        let schemas = doc.components.map(|c| c.schemas).unwrap_or_default();
        for (name, schema) in schemas {
            let schema = serde_json::to_value(schema).unwrap();
            if let Some(other) = seen.insert(name.clone(), schema.clone()) {
                assert_eq!(other, schema, "two API types are named {name}");
            }
        }
    }
}

/// A member and her API token.
async fn member_with_token(app: &TestApp) -> (halle::accounts::User, String) {
    let user = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let token = halle::accounts::create_api_token(&app.db, &user, "tests").await.unwrap();
    (user, token)
}

#[tokio::test]
async fn a_whole_number_written_as_a_float_is_an_integer() {
    let app = TestApp::spawn().await;
    let (_, token) = &member_with_token(&app).await;
    let add = |body: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/cart/items"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    // No such product: the quantity was read (a 400 would say it was not).
    let response = add(r#"{"product_id": 1.0, "quantity": 2.0}"#).await.unwrap();
    assert_ne!(response.status(), StatusCode::BAD_REQUEST);
    let fraction = add(r#"{"product_id": 1, "quantity": 2.5}"#).await.unwrap();
    problem(fraction, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn blocking_oneself_is_a_refused_action_not_a_malformed_request() {
    let app = TestApp::spawn().await;
    let (me, token) = member_with_token(&app).await;
    let block = reqwest::Client::new()
        .put(app.url(&format!("/api/v1/members/{}/block", me.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = problem(block, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "aid.error.block_self");
}

#[tokio::test]
async fn a_cursor_is_the_digits_a_previous_page_gave() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/ads?cursor=50").await.status(), StatusCode::OK);
    // What the document's pattern refuses, the server refuses: empty, signed, too long.
    for cursor in ["", "-1", "+1", "1234567890123456789", "1e3"] {
        let response = app.get(&format!("/api/v1/ads?cursor={cursor}")).await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "cursor", "{cursor}");
    }
}
