//! The territory a page or an API call is about, from the `{slug}` of its path: one lookup,
//! one 404, for every context.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

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
