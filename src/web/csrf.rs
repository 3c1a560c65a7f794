//! Anti-forgery tokens: one per session, put in every form as the `_csrf` field (file forms
//! included) or sent by htmx as the `X-CSRF-Token` header, checked for every unsafe request
//! outside the token-authenticated API. Never in an address, where logs and the `Referer`
//! header would keep it.

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

/// The `_csrf` field of a multipart body, read from the buffered bytes.
async fn multipart_field(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
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
    let content_type =
        request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (parts, body) = request.into_parts();
    let (bytes, given) = if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = to_bytes(body, state.config.max_body_bytes).await.map_err(|_| AppError::TooLarge)?;
        let given = field_in(std::str::from_utf8(&bytes).map_err(|_| AppError::Csrf)?);
        (bytes, given)
    } else if content_type.starts_with("multipart/form-data") {
        // A file form is read whole (uploads are capped) to find its token, then handed on.
        let boundary = multer::parse_boundary(&content_type).map_err(|_| AppError::Csrf)?;
        let bytes = to_bytes(body, crate::app::UPLOAD_MAX_BYTES).await.map_err(|_| AppError::TooLarge)?;
        let given = multipart_field(bytes.clone(), boundary).await;
        (bytes, given)
    } else {
        return Err(AppError::Csrf);
    };
    let given = given.ok_or(AppError::Csrf)?;
    if !matches(&expected, &given) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
