//! The territory a page or an API call is about, from the `{slug}` of its path: one lookup,
//! one 404, for every context.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::auth::CurrentUser;
use super::page::Page;
use crate::accounts::User;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::territory::{self, Territory};

/// The territory with this slug, or 404.
pub async fn territory_of(state: &AppState, slug: &str) -> AppResult<Territory> {
    territory::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)
}

/// Extracts the territory named by the route's `{slug}` parameter; 404 when there is none.
///
/// Handlers whose path also holds other parameters still read them with `Path`, as a tuple that
/// includes the slug.
pub struct InTerritory(pub Territory);

impl FromRequestParts<AppState> for InTerritory {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let slug = params.get("slug").ok_or(AppError::NotFound)?;
        Ok(Self(territory_of(state, slug).await?))
    }
}

/// A signed-in member's page in a territory: the member, the page context and the territory of
/// the path. They are extracted in that order, as the three extractors one after the other
/// would be: an anonymous visitor is sent to sign in before the territory is looked up.
pub struct MemberPage {
    /// The signed-in member.
    pub user: User,
    /// The page context.
    pub page: Page,
    /// The territory of the path's `{slug}`.
    pub territory: Territory,
}

impl FromRequestParts<AppState> for MemberPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let page = Page::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let InTerritory(territory) =
            InTerritory::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        Ok(Self { user, page, territory })
    }
}

/// What a page about one business loads and checks for the signed-in person: the business of
/// the path's `{id}` in the territory of its `{slug}`, which they may act on (each context says
/// who may: managers of its catalogue, editors of its listing, the drive's managers).
pub trait Managed: Sized {
    /// Loads it for `user`, or refuses: 404 when the business is not in this territory,
    /// 403 when the person may not act on it.
    fn load(
        state: &AppState,
        user: &User,
        slug: &str,
        id: i64,
    ) -> impl Future<Output = AppResult<Self>> + Send;
}

/// A signed-in person's page about a business they act on: the person, the page context and
/// what the context loaded ([`Managed`]). Extracted in this order: an anonymous visitor is sent
/// to sign in first; a path without a numeric `{id}` is a 404.
pub struct ManagerPage<T> {
    /// The signed-in person.
    pub user: User,
    /// The page context.
    pub page: Page,
    /// The business's id, from the path.
    pub id: i64,
    /// The business, as the context loaded it.
    pub managed: T,
}

impl<T: Managed> FromRequestParts<AppState> for ManagerPage<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let page = Page::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound.into_response())?;
        let slug = params.get("slug").ok_or_else(|| AppError::NotFound.into_response())?;
        let id = params
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| AppError::NotFound.into_response())?;
        let managed = T::load(state, &user, slug, id).await.map_err(IntoResponse::into_response)?;
        Ok(Self { user, page, id, managed })
    }
}
