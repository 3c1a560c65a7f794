//! Turns error responses into what the client reads: RFC 9457 problem+json under `/api`, a
//! fragment for htmx, and a full French (or English) page otherwise.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::i18n::{Lang, Tr};
use super::page::{self, Page};
use crate::app::AppState;
use crate::error::{ErrorInfo, FieldError};

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Shared page context.
    pub page: Page,
    /// HTTP status code.
    pub status: u16,
    /// i18n key of the heading.
    pub title_key: &'static str,
    /// i18n key of the explanation.
    pub message_key: &'static str,
    /// Field errors, if any.
    pub fields: Vec<FieldError>,
}

/// The error as a fragment, for htmx requests.
#[derive(Template)]
#[template(path = "_error_fragment.html")]
pub struct ErrorFragment {
    /// The translator.
    pub t: Tr,
    /// i18n key of the explanation.
    pub message_key: &'static str,
}

fn default_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error.bad_request",
        401 => "error.unauthorized",
        403 => "error.forbidden",
        404 => "error.not_found",
        405 => "error.method",
        413 => "error.too_large",
        415 => "error.media_type",
        422 => "error.invalid",
        408 => "error.timeout",
        429 => "error.rate_limited",
        _ if status.is_server_error() => "error.internal",
        _ => "error.bad_request",
    }
}

/// Middleware: renders error responses that carry no body of their own (our `AppError`s and
/// the framework's rejections), leaving pages that handlers rendered themselves untouched.
pub async fn render(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let is_htmx = request.headers().contains_key("hx-request");
    let (parts, body) = request.into_parts();
    let lang = Lang::from_headers(&parts.headers);
    // Kept to build the error page's context (session, language) after the handler ran.
    let mut snapshot = parts.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let already_rendered =
        content_type.starts_with("text/html") || content_type.starts_with("application/problem+json");
    if info.is_none() && already_rendered {
        return response;
    }
    let info = info.unwrap_or(ErrorInfo { message_key: default_key(status), fields: Vec::new() });
    let mut rendered = if is_api {
        problem(status, &info, Tr::new(lang))
    } else {
        html(&state, &mut snapshot, status, info, is_htmx).await
    };
    // Keep headers such as Retry-After, WWW-Authenticate and Allow.
    for name in ["retry-after", "www-authenticate", "allow", "location"] {
        if let Some(value) = response.headers().get(name) {
            rendered.headers_mut().insert(name, value.clone());
        }
    }
    rendered
}

fn problem(status: StatusCode, info: &ErrorInfo, t: Tr) -> Response {
    let errors: Vec<_> = info
        .fields
        .iter()
        .map(|f| json!({ "field": f.field, "code": f.message, "message": t.get(f.message) }))
        .collect();
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": t.get(info.message_key),
        "code": info.message_key,
    });
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

async fn html(
    state: &AppState,
    parts: &mut axum::http::request::Parts,
    status: StatusCode,
    info: ErrorInfo,
    fragment: bool,
) -> Response {
    if fragment {
        let body =
            ErrorFragment { t: Tr::new(Lang::from_headers(&parts.headers)), message_key: info.message_key }
                .render();
        return (status, Html(body.unwrap_or_default())).into_response();
    }
    let page = match page::build(parts, state).await {
        Ok(page) => page,
        Err(_) => Page {
            t: Tr::new(Lang::from_headers(&parts.headers)),
            user: None,
            csrf: String::new(),
            path: "/".into(),
            flash: None,
            added: None,
            cart_count: 0,
            unread_conversations: 0,
            session: None,
        },
    };
    let template = ErrorPage {
        page,
        status: status.as_u16(),
        title_key: match status.as_u16() {
            404 => "error.title_not_found",
            401 | 403 => "error.title_forbidden",
            413 | 422 | 400 => "error.title_invalid",
            429 => "error.title_rate_limited",
            _ => "error.title",
        },
        message_key: info.message_key,
        fields: info.fields,
    };
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(_) => (status, "Erreur").into_response(),
    }
}
