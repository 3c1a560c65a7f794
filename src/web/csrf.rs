//! Anti-forgery tokens: one per session, put in every form as `_csrf` (or sent by htmx as the
//! `X-CSRF-Token` header, or in the query of a multipart form's action), checked for every
//! unsafe request outside the token-authenticated API.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::auth::session_error;
use crate::accounts::new_token;
use crate::app::AppState;
use crate::error::{AppError, AppResult};

const KEY: &str = "csrf";
/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header htmx requests carry it in.
pub const HEADER: &str = "x-csrf-token";

/// The session's token, created on first use.
pub async fn token(session: &Session) -> AppResult<String> {
    if let Some(token) = session.get::<String>(KEY).await.map_err(session_error)? {
        return Ok(token);
    }
    rotate(session).await
}

/// Replaces the session's token (at sign-in).
pub async fn rotate(session: &Session) -> AppResult<String> {
    let token = new_token();
    session.insert(KEY, &token).await.map_err(session_error)?;
    Ok(token)
}

fn matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn field_in(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == FIELD)
        .map(|(_, value)| value.into_owned())
}

/// Middleware: refuses an unsafe request whose token is missing or wrong, before any handler
/// runs. A form body is read (within the body limit) and handed on unchanged.
pub async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    match check(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

async fn check(state: &AppState, request: Request) -> AppResult<Request> {
    let session = request.extensions().get::<Session>().cloned().ok_or(AppError::Csrf)?;
    let expected = session.get::<String>(KEY).await.map_err(session_error)?.ok_or(AppError::Csrf)?;
    if let Some(given) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if matches(&expected, given) { Ok(request) } else { Err(AppError::Csrf) };
    }
    if let Some(given) = request.uri().query().and_then(field_in) {
        return if matches(&expected, &given) { Ok(request) } else { Err(AppError::Csrf) };
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, state.config.max_body_bytes).await.map_err(|_| AppError::TooLarge)?;
    let given = field_in(std::str::from_utf8(&bytes).map_err(|_| AppError::Csrf)?).ok_or(AppError::Csrf)?;
    if !matches(&expected, &given) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
