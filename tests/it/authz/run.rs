//! Asks every cell of the table on one server and reports every cell that disagrees.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::world::{COLUMNS, Who, World};
use crate::helpers::{PASSWORD, client, csrf_token, page_with};

/// A form call: `form!(path, ("field", value), ...)`, each value turned into text.
macro_rules! form {
    ($path:expr $(, ($k:expr, $v:expr))* $(,)?) => {
        super::run::Call::new($path, super::run::Body::Form(vec![$(($k.to_string(), $v.to_string())),*]))
    };
}
pub(crate) use form;

/// A request's body.
pub enum Body {
    Empty,
    Form(Vec<(String, String)>),
    /// Text fields, then files: (field, file name, bytes).
    Multipart(Vec<(String, String)>, Vec<(String, String, Vec<u8>)>),
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

/// How one cell is asked.
pub struct Call {
    pub path: String,
    pub body: Body,
    /// Sends an unused recovery code as `X-TOTP-Code` (API money operations).
    pub totp: bool,
    /// On a browser of its own, signed in as the column's member, not the column's browser
    /// (signing in, out or deleting the account would end the shared session).
    pub own_browser: bool,
    /// A 422 counts as allowed: the request is made to fail validation on purpose, because
    /// succeeding would destroy a fixture (deleting the column's own account).
    pub invalid_is_allowed: bool,
    /// Changes the password, which revokes the member's API tokens: a new one is made after.
    pub renews_token: bool,
    /// A success may change nothing (a preview, a setting saved again with its value, signing
    /// out). Other successes must change the database: a "success" that changed nothing is an
    /// error shown as a message after a redirect.
    pub quiet: bool,
}

impl Call {
    pub fn new(path: impl Into<String>, body: Body) -> Self {
        Self {
            path: path.into(),
            body,
            totp: false,
            own_browser: false,
            invalid_is_allowed: false,
            renews_token: false,
            quiet: false,
        }
    }

    /// A form with these fields.
    pub fn form(path: impl Into<String>, fields: &[(&str, &str)]) -> Self {
        Self::new(path, Body::Form(fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()))
    }

    /// Marks a call whose success may change nothing.
    pub fn quiet(self) -> Self {
        Self { quiet: true, ..self }
    }

    /// A JSON body.
    pub fn json(path: impl Into<String>, body: Value) -> Self {
        Self::new(path, Body::Json(body))
    }
}

/// What an answer means for authorization.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done,
    Refused,
    Invalid,
    Other,
}

fn outcome(status: StatusCode, location: &str) -> Outcome {
    match status.as_u16() {
        200..=299 => Outcome::Done,
        300..=399 if location.starts_with("/login") => Outcome::Refused,
        300..=399 => Outcome::Done,
        401 | 403 | 404 => Outcome::Refused,
        422 => Outcome::Invalid,
        _ => Outcome::Other,
    }
}

/// Runs the whole table and fails with the list of cells that disagree.
pub async fn matrix(table: &[(&str, &str)]) {
    let started = std::time::Instant::now();
    let world = World::build().await;
    let built = started.elapsed();
    let mut failures = Vec::new();
    let mut cells = 0;
    // Time spent making fresh things, reading the change log, and asking.
    let mut spent = [std::time::Duration::ZERO; 3];
    for (route, expected) in table {
        let (method, template) = route.split_once(' ').unwrap();
        let method: Method = method.parse().unwrap();
        for (who, cell) in COLUMNS.into_iter().zip(expected.split_whitespace()) {
            cells += 1;
            let allowed = cell == "Y";
            let clock = std::time::Instant::now();
            forget_rate_limits(&world).await;
            let call = prepare(&world, route, who).await;
            spent[0] += clock.elapsed();
            let clock = std::time::Instant::now();
            let before = world.changes.mark(&world.app.db).await;
            spent[1] += clock.elapsed();
            let clock = std::time::Instant::now();
            let (status, location, text) = send(&world, who, method.clone(), template, &call).await;
            spent[2] += clock.elapsed();
            let got = outcome(status, &location);
            let fine = if allowed {
                got == Outcome::Done || (got == Outcome::Invalid && call.invalid_is_allowed)
            } else {
                got == Outcome::Refused
            };
            let mut problem = String::new();
            if !fine {
                let excerpt: String = text.chars().take(300).collect();
                problem = format!("expected {cell}, got {status} {location} {excerpt:?}");
            }
            let clock = std::time::Instant::now();
            let tables = world.changes.since(&world.app.db, before).await;
            spent[1] += clock.elapsed();
            if !allowed && !tables.is_empty() {
                problem = format!("{problem} and it changed {tables:?}");
            }
            if allowed && fine && !call.quiet && got == Outcome::Done && tables.is_empty() {
                problem = format!("answered {status} {location} but changed nothing");
            }
            if !problem.is_empty() {
                failures.push(format!("{route} as {who:?} ({}): {problem}", call.path));
            }
        }
    }
    eprintln!(
        "authorization matrix: {} routes, {cells} cells on {}: fixtures {:.1?}, fresh things {:.1?}, \
         change log {:.1?}, requests {:.1?}, total {:.1?}",
        table.len(),
        crate::helpers::backend(),
        built,
        spent[0],
        spent[1],
        spent[2],
        started.elapsed(),
    );
    assert!(
        failures.is_empty(),
        "{} cells disagree with the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    world.app.stop().await;
}

/// Rate limits are not what this test is about: every cell starts with fresh counters.
async fn forget_rate_limits(world: &World) {
    match &world.app.db {
        halle::db::Db::Sqlite(pool, _) => {
            sqlx::query("delete from rate_limit").execute(pool).await.unwrap();
        }
        halle::db::Db::Postgres(pool) => {
            sqlx::query("delete from rate_limit").execute(pool).await.unwrap();
        }
    }
}

async fn prepare(world: &World, route: &str, who: Who) -> Call {
    if route.split(' ').nth(1).is_some_and(|p| p.starts_with("/api/")) {
        super::api::call(world, route, who).await
    } else {
        super::requests::call(world, route, who).await
    }
}

/// Sends a call as `who`; returns the status, the redirect target and the body.
async fn send(
    world: &World,
    who: Who,
    method: Method,
    template: &str,
    call: &Call,
) -> (StatusCode, String, String) {
    let actor = &world.actors[&who];
    let url = world.app.url(&call.path);
    let is_api = template.starts_with("/api/");
    let own;
    let (web, csrf) = if call.own_browser {
        own = client();
        let (_, html) = page_with(&own, &world.app.url("/login")).await;
        let mut token = csrf_token(&html).unwrap();
        if let Some(user) = &actor.user {
            crate::helpers::submit_with(
                &own,
                &world.app.base,
                "/login",
                "/login",
                &[("email", &user.email), ("password", PASSWORD)],
            )
            .await;
            let (_, html) = page_with(&own, &world.app.url("/account")).await;
            token = csrf_token(&html).unwrap();
        }
        (&own, token)
    } else {
        (&actor.web, actor.csrf.lock().unwrap().clone())
    };
    let mut request = if is_api {
        let mut request = reqwest::Client::new().request(method, &url);
        if let Some(token) = actor.token.lock().unwrap().clone() {
            request = request.bearer_auth(token);
        }
        if call.totp && actor.user.is_some() {
            request = request.header("x-totp-code", world.recovery_code(who));
        }
        request
    } else {
        web.request(method, &url)
    };
    request = match &call.body {
        Body::Empty if is_api => request,
        Body::Empty => request.form(&[("_csrf", csrf.as_str())]),
        Body::Form(fields) => {
            let mut fields = fields.clone();
            fields.push(("_csrf".into(), csrf.clone()));
            request.form(&fields)
        }
        Body::Multipart(fields, files) => {
            let mut form = reqwest::multipart::Form::new().text("_csrf", csrf.clone());
            for (name, value) in fields {
                form = form.text(name.clone(), value.clone());
            }
            for (name, file_name, bytes) in files {
                form = form.part(
                    name.clone(),
                    reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone()),
                );
            }
            request.multipart(form)
        }
        Body::Json(body) => request.json(body),
        Body::Raw(content_type, bytes) => request.header("content-type", *content_type).body(bytes.clone()),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let location = crate::helpers::location(&response);
    let text = response.text().await.unwrap_or_default();
    if call.renews_token
        && let Some(user) = &actor.user
    {
        let token = halle::accounts::create_api_token(&world.app.db, user, "authz").await.unwrap();
        *actor.token.lock().unwrap() = Some(token);
    }
    (status, location, text)
}
