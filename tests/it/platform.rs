//! What every page shares: health, security headers, cookies, languages, assets, the OpenAPI
//! document, the command line, the migrations, several instances on one database.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert!(ready.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_safe_cookies() {
    let app = TestApp::spawn().await;
    let response = app.get("/login").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    // A page holds a form token (and elsewhere names, secrets shown once): never cached.
    assert_eq!(headers["cache-control"], "no-store");
    // htmx is told not to inject its indicator style, which this policy would block.
    let html = scraper::Html::parse_document(&app.get("/login").await.text().await.unwrap());
    let config = html.select(&scraper::Selector::parse("meta[name=htmx-config]").unwrap()).next().unwrap();
    assert_eq!(config.value().attr("content"), Some(r#"{"includeIndicatorStyles":false}"#));
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("halle_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn an_anonymous_visit_to_a_page_without_form_creates_no_session() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    let response = app.get("/").await;
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn the_interface_speaks_french_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let (_, french) = app.page("/login").await;
    assert_eq!(french.root_element().value().attr("lang"), Some("fr"));
    assert_eq!(text(&french, "h1"), "Se connecter");

    let english = reqwest::Client::new()
        .get(app.url("/login"))
        .header("accept-language", "en-US,en;q=0.8,fr;q=0.5")
        .send()
        .await
        .unwrap();
    let english = scraper::Html::parse_document(&english.text().await.unwrap());
    assert_eq!(english.root_element().value().attr("lang"), Some("en"));
    assert_eq!(text(&english, "h1"), "Log in");

    // The visible switch remembers the choice, and only goes back to a local page.
    let switch = app.get("/lang?to=en&next=/login").await;
    assert_eq!(location(&switch), "/login");
    let (_, switched) = app.page("/login").await;
    assert_eq!(text(&switched, "h1"), "Log in");
    let outside = app.get("/lang?to=fr&next=//evil.example").await;
    assert_eq!(location(&outside), "/");
    // A browser drops the tab and reads `/\t/evil.example` as `//evil.example`.
    for next in ["/%09/evil.example", "/%0A/evil.example", "/%5C/evil.example", "/%5C%09evil.example"] {
        let outside = app.get(&format!("/lang?to=fr&next={next}")).await;
        assert_eq!(location(&outside), "/", "{next}");
    }
}

#[tokio::test]
async fn assets_are_embedded_and_cached_for_a_year_under_their_hash() {
    let app = TestApp::spawn().await;
    let (_, html) = app.page("/login").await;
    let selector = scraper::Selector::parse("link[rel=stylesheet]").unwrap();
    let href = html.select(&selector).next().unwrap().value().attr("href").unwrap().to_owned();
    let css = app.get(&href).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css");
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let stale = app.get("/static/000000000000/halle.css").await;
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    let js = app.get(&halle::web::assets::url("vendor/htmx/htmx.min.js")).await;
    assert_eq!(js.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/auth/register", "post"),
        ("/auth/token", "post"),
        ("/me", "get"),
        ("/territories", "get"),
        ("/territories/{slug}", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every operation has its own id (two sharing one make the document invalid for validators
    // and code generators).
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation.get("operationId").and_then(|id| id.as_str()))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "an operationId is used twice");
}

#[tokio::test]
async fn an_unknown_api_path_is_a_problem_not_a_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nothing-here").await;
    problem(response, StatusCode::NOT_FOUND).await;
    let wrong_method = app.client.delete(app.url("/api/v1/territories")).send().await.unwrap();
    problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn two_instances_on_one_database_share_sessions() {
    let first = TestApp::spawn().await;
    first.user("jeanne@exemple.fr", PASSWORD, false).await;
    let second = halle::app::start_with(halle::config::Config::for_database("unused"), first.db.clone())
        .await
        .unwrap();
    // A client without a cookie jar: the cookie is carried by hand from one server to the other.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let session_cookie = |response: &reqwest::Response| {
        response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    };
    let login_page = plain.get(first.url("/login")).send().await.unwrap();
    let cookie = session_cookie(&login_page);
    let token = csrf_token(&scraper::Html::parse_document(&login_page.text().await.unwrap())).unwrap();
    let logged_in = plain
        .post(first.url("/login"))
        .header("cookie", &cookie)
        .form(&[("email", "jeanne@exemple.fr"), ("password", PASSWORD), ("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&logged_in);
    let on_second =
        plain.get(format!("http://{}/account", second.addr)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(on_second.status(), StatusCode::OK);
    second.stop().await.unwrap();
}

#[test]
fn both_migration_folders_hold_the_same_files() {
    let names = |dir: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    };
    let root = env!("CARGO_MANIFEST_DIR");
    assert_eq!(names(&format!("{root}/migrations/sqlite")), names(&format!("{root}/migrations/postgres")));
}

#[test]
fn the_command_line_creates_a_territory_and_an_admin() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if backend() != "sqlite" {
        return; // The command line is backend-neutral; one run is enough.
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let bin = env!("CARGO_BIN_EXE_halle");
    let out = Command::new(bin)
        .args(["territory", "add", "--slug", "sud-78", "--name", "Sud Yvelines"])
        .env("HALLE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut child = Command::new(bin)
        .args(["user", "add", "--email", "Admin@Exemple.fr", "--admin", "--password-stdin"])
        .env("HALLE_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin@exemple.fr"));
    // A short password is refused with a clear message and a failure code.
    let mut child = Command::new(bin)
        .args(["user", "add", "--email", "b@exemple.fr", "--password-stdin"])
        .env("HALLE_DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let help = Command::new(bin).args(["serve", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--demo"));
}

#[tokio::test]
async fn the_session_table_holds_hashes_of_session_ids_never_the_ids() {
    use sha2::{Digest, Sha256};
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let response =
        app.submit("/login", "/login", &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)]).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("halle_session="))
        .map(|value| value.split(';').next().unwrap().to_owned())
        .expect("a session cookie");
    let ids: Vec<String> = match &app.db {
        halle::db::Db::Sqlite(pool, _) => {
            sqlx::query_scalar("select id from web_session").fetch_all(pool).await.unwrap()
        }
        halle::db::Db::Postgres(pool) => {
            sqlx::query_scalar("select id from web_session").fetch_all(pool).await.unwrap()
        }
    };
    assert!(!ids.is_empty());
    assert!(!ids.contains(&cookie), "the id is stored in clear");
    assert!(ids.contains(&hex::encode(Sha256::digest(cookie.as_bytes()))));
    // And the session still works.
    assert_eq!(app.get("/account").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_408_and_the_server_goes_on() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(|c| c.request_timeout_secs = 1).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    // A body announced at 100 bytes, of which 10 arrive, then nothing.
    let head = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"email\": "
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), slow.read(&mut answer))
        .await
        .expect("answered before the client gave up")
        .unwrap();
    let status_line = String::from_utf8_lossy(&answer[..read]).lines().next().unwrap_or_default().to_owned();
    assert!(status_line.starts_with("HTTP/1.1 408"), "{status_line}");
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
