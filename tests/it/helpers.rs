//! Test helpers: a fresh server per test, an HTTP client with cookies, form and HTML helpers.

use std::sync::atomic::{AtomicU64, Ordering};

use halle::app::{self, Running};
use halle::config::Config;
use halle::db::Db;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use scraper::{Html, Selector};

/// A running server with its own database, and a browser-like client (cookies, no redirects).
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub client: reqwest::Client,
    running: Option<Running>,
    _dir: Option<tempfile::TempDir>,
}

/// The backend the suite runs against.
pub fn backend() -> String {
    std::env::var("HALLE_TEST_BACKEND").unwrap_or_else(|_| "sqlite".to_owned())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, empty, migrated database URL for one test.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    if backend() == "postgres" {
        let admin_url = std::env::var("HALLE_TEST_POSTGRES_URL")
            .expect("HALLE_TEST_POSTGRES_URL must be set for the postgres backend");
        let name = format!(
            "halle_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand_suffix()
        );
        let admin = Db::connect(&admin_url).await.expect("connect to the PostgreSQL admin database");
        if let Db::Postgres(pool) = &admin {
            sqlx::query(&format!("create database {name}"))
                .execute(pool)
                .await
                .expect("create test database");
        }
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("valid postgres URL");
        url.set_path(&format!("/{name}"));
        (url.to_string(), None)
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("halle.db").display());
        (url, Some(dir))
    }
}

fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    nanos % 100_000
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl TestApp {
    /// Starts a server on a fresh database with default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after adjusting its settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let (url, dir) = fresh_database().await;
        let mut config = Config::for_database(&url);
        config.job_interval_secs = 1;
        adjust(&mut config);
        let running = app::start(config).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        let db = running.state.db.clone();
        Self { base, db, client: client(), running: Some(running), _dir: dir }
    }

    /// Stops the server gracefully.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("server stops cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GETs a page with this app's client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GETs a page and parses it.
    pub async fn page(&self, path: &str) -> (StatusCode, Html) {
        page_with(&self.client, &self.url(path)).await
    }

    /// Submits a form as a browser would: reads the page's anti-forgery token, then POSTs.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        submit_with(&self.client, &self.base, form_page, action, fields).await
    }

    /// Creates a territory with one commune directly through the domain layer.
    pub async fn territory(&self, slug: &str, name: &str) -> halle::territory::Territory {
        let input = halle::territory::NewTerritory {
            slug: slug.into(),
            name: name.into(),
            time_zone: "Europe/Paris".into(),
            label_name: None,
            label_tag: None,
        };
        let created = halle::territory::create(&self.db, None, &input).await.unwrap();
        let commune = halle::territory::NewCommune {
            insee_code: "30156".into(),
            postcode: "30320".into(),
            name: "Marguerittes".into(),
            latitude: 43.86,
            longitude: 4.44,
        };
        halle::territory::add_commune(&self.db, None, created.id, &commune).await.unwrap();
        created
    }

    /// Creates a confirmed account.
    pub async fn user(&self, email: &str, password: &str, is_admin: bool) -> halle::accounts::User {
        halle::accounts::create_confirmed(&self.db, email, None, password, is_admin).await.unwrap()
    }

    /// Logs this app's client in.
    pub async fn login(&self, email: &str, password: &str) {
        let response = self.submit("/login", "/login", &[("email", email), ("password", password)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login of {email} failed");
    }

    /// The newest outbox message to `to`: (subject, body).
    pub async fn last_mail_to(&self, to: &str) -> Option<(String, String)> {
        let messages = halle::mail::list_outbox(&self.db, None, None, 100).await.unwrap();
        messages.into_iter().find(|m| m.to_address == to).map(|m| (m.subject, m.body_text))
    }

    /// The first link in the newest email to `to` whose path starts with `path`.
    pub async fn link_in_mail(&self, to: &str, path: &str) -> String {
        let (_, body) = self.last_mail_to(to).await.unwrap_or_else(|| panic!("no mail to {to}"));
        let prefix = format!("{}{}", self.base, path);
        body.split_whitespace()
            .find(|word| word.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {path} link in: {body}"))
            .to_owned()
    }

    /// Counts outbox messages.
    pub async fn outbox_len(&self) -> usize {
        halle::mail::list_outbox(&self.db, None, None, 1000).await.unwrap().len()
    }
}

/// GETs and parses a page with any client.
pub async fn page_with(client: &reqwest::Client, url: &str) -> (StatusCode, Html) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

/// Submits a form with any client (token read from `form_page`).
pub async fn submit_with(
    client: &reqwest::Client,
    base: &str,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = page_with(client, &format!("{base}{form_page}")).await;
    let token = csrf_token(&html).unwrap_or_else(|| panic!("no _csrf field on {form_page}"));
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("_csrf", &token));
    client.post(format!("{base}{action}")).form(&all).send().await.unwrap()
}

/// The anti-forgery token of the page's forms.
pub fn csrf_token(html: &Html) -> Option<String> {
    let selector = Selector::parse("input[name=_csrf]").unwrap();
    html.select(&selector).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
}

/// The trimmed text of the elements matching `css`.
pub fn texts(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The text of the first element matching `css`.
pub fn text(html: &Html, css: &str) -> String {
    texts(html, css).into_iter().next().unwrap_or_else(|| panic!("nothing matches {css}"))
}

/// The `Location` header of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Asserts the response is problem+json with `status`, and returns its body.
pub async fn problem(response: reqwest::Response, status: StatusCode) -> serde_json::Value {
    assert_eq!(response.status(), status);
    let content_type =
        response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    body
}

/// A password that passes the rules.
pub const PASSWORD: &str = "une phrase de passe";

/// Every `.rs` file under `src/`, sorted: what the source-reading tests (layout, routes) read.
pub fn rust_sources() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    files.sort();
    files
}
