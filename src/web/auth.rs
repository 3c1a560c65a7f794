//! Who is asking: the signed-in member of a browser session, or the owner of an API token.
//! Extractors reject bad credentials instead of treating them as anonymous.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::accounts::{self, User};
use crate::app::AppState;
use crate::error::{AppError, AppResult};

const USER_KEY: &str = "uid";
const VERSION_KEY: &str = "sv";

/// Signs `user` in on this session: a new session id (against fixation), then the account id
/// and its session version (a password change bumps it and so signs out every session).
pub async fn sign_in(session: &Session, user: &User) -> AppResult<()> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER_KEY, user.id).await.map_err(session_error)?;
    session.insert(VERSION_KEY, user.session_version).await.map_err(session_error)?;
    // A fresh anti-forgery token for the signed-in session.
    super::csrf::rotate(session).await?;
    Ok(())
}

/// Signs out: the session and its row are deleted.
pub async fn sign_out(session: &Session) -> AppResult<()> {
    session.flush().await.map_err(session_error)
}

/// Keeps this session signed in after its own password change.
pub async fn refresh_version(session: &Session, version: i64) -> AppResult<()> {
    session.insert(VERSION_KEY, version).await.map_err(session_error)
}

/// Maps a session store failure.
pub fn session_error(err: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session: {err}"))
}

/// The signed-in member of a request, looked up once and kept in the request's extensions.
#[derive(Clone)]
struct Resolved(Option<User>);

/// The signed-in member of the session, if any (cached per request).
pub async fn session_user(parts: &mut Parts, state: &AppState) -> AppResult<Option<User>> {
    if let Some(Resolved(user)) = parts.extensions.get::<Resolved>() {
        return Ok(user.clone());
    }
    let Some(session) = parts.extensions.get::<Session>().cloned() else { return Ok(None) };
    let user = load(&session, state).await?;
    parts.extensions.insert(Resolved(user.clone()));
    Ok(user)
}

/// Loads the member of a session; a deleted account or an outdated session version signs the
/// session out.
pub async fn load(session: &Session, state: &AppState) -> AppResult<Option<User>> {
    let Some(user_id) = session.get::<i64>(USER_KEY).await.map_err(session_error)? else {
        return Ok(None);
    };
    let version = session.get::<i64>(VERSION_KEY).await.map_err(session_error)?;
    match accounts::user_by_id(&state.db, user_id).await? {
        Some(user) if Some(user.session_version) == version => Ok(Some(user)),
        _ => {
            sign_out(session).await?;
            Ok(None)
        }
    }
}

/// A signed-in member; anonymous visitors are sent to the login page, then back.
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_user(parts, state).await {
            Ok(Some(user)) => Ok(Self(user)),
            Ok(None) => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let target =
                    format!("/login?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default());
                Err(Redirect::to(&target).into_response())
            }
            Err(err) => Err(err.into_response()),
        }
    }
}

/// A signed-in instance administrator; others get 403.
pub struct AdminUser(pub User);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.is_admin { Ok(Self(user)) } else { Err(AppError::Forbidden.into_response()) }
    }
}

/// The member of the session, or `None` for an anonymous visitor.
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        Ok(Self(session_user(parts, state).await?))
    }
}

fn bearer(parts: &Parts) -> AppResult<Option<String>> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| AppError::Unauthorized)?;
    let token = value.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)?;
    Ok(Some(token.trim().to_owned()))
}

/// The owner of the request's `Authorization: Bearer` API token; no or a bad token is 401.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let token = bearer(parts)?.ok_or(AppError::Unauthorized)?;
        Ok(Self(accounts::user_for_api_token(&state.db, &token).await?))
    }
}

/// The owner of the API token if one is given; a bad token is 401, not anonymous.
pub struct MaybeApiUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        match bearer(parts)? {
            Some(token) => Ok(Self(Some(accounts::user_for_api_token(&state.db, &token).await?))),
            None => Ok(Self(None)),
        }
    }
}
