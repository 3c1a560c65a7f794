//! The territories JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Commune, Territory, store};
use crate::api::ListPage;
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::auth::ApiUser;
use crate::web::territory::InTerritory;

/// The territories API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_territories))
        .routes(routes!(get_territory))
        .routes(routes!(join_territory))
}

/// A territory with its communes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TerritoryDetail {
    /// The territory.
    #[serde(flatten)]
    pub territory: Territory,
    /// Its communes.
    pub communes: Vec<Commune>,
}

/// The territories of this instance (all on one page: an instance hosts a handful).
#[utoipa::path(get, path = "/territories", tag = "territories",
    responses((status = 200, description = "The territories", body = ListPage<Territory>)))]
pub async fn list_territories(State(state): State<AppState>) -> AppResult<Json<ListPage<Territory>>> {
    Ok(Json(store::list(&state.db).await?.into_iter().collect()))
}

/// One territory and its communes.
#[utoipa::path(get, path = "/territories/{slug}", tag = "territories",
    params(("slug" = String, Path, description = "The territory's slug")),
    responses(
        (status = 200, description = "The territory", body = TerritoryDetail),
        (status = 404, description = "No such territory"),
    ))]
pub async fn get_territory(
    State(state): State<AppState>,
    InTerritory(territory): InTerritory,
) -> AppResult<Json<TerritoryDetail>> {
    let communes = store::communes(&state.db, territory.id).await?;
    Ok(Json(TerritoryDetail { territory, communes }))
}

/// Makes the caller a member of the territory (nothing changes when they already are one);
/// `GET /me` then lists the membership.
#[utoipa::path(post, path = "/territories/{slug}/members", tag = "territories", security(("bearer" = [])),
    params(("slug" = String, Path, description = "The territory's slug")),
    responses(
        (status = 204, description = "The caller is a member of the territory"),
        (status = 404, description = "No such territory"),
    ))]
pub async fn join_territory(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    InTerritory(territory): InTerritory,
) -> AppResult<StatusCode> {
    crate::accounts::join_territory(&state.db, &user, territory.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
