//! The territory pages: the instance's home (one territory shown, several listed) and each
//! territory's home page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::accounts::{self, Role};
use crate::app::AppState;
use crate::error::AppResult;
use crate::territory::{Commune, Territory, store};
use crate::web::auth::CurrentUser;
use crate::web::page::Page;
use crate::web::render;
use crate::web::territory::{InTerritory, territory_of};

/// The territory routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show_home))
        .route("/t/{slug}", get(show_territory))
        .route("/t/{slug}/join", post(join_territory))
}

#[derive(Template)]
#[template(path = "territory/list.html")]
struct ListPage {
    page: Page,
    territories: Vec<Territory>,
}

#[derive(Template)]
#[template(path = "territory/empty.html")]
struct EmptyPage {
    page: Page,
}

#[derive(Template)]
#[template(path = "territory/home.html")]
struct HomePage {
    page: Page,
    territory: Territory,
    communes: Vec<Commune>,
    roles: Vec<&'static str>,
    is_member: bool,
}

async fn show_home(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let mut territories = store::list(&state.db).await?;
    match territories.len() {
        0 => render(&EmptyPage { page }),
        1 => territory_page(&state, page, territories.remove(0)).await,
        _ => render(&ListPage { page, territories }),
    }
}

async fn show_territory(
    State(state): State<AppState>,
    page: Page,
    InTerritory(territory): InTerritory,
) -> AppResult<Response> {
    territory_page(&state, page, territory).await
}

async fn territory_page(state: &AppState, page: Page, territory: Territory) -> AppResult<Response> {
    let communes = store::communes(&state.db, territory.id).await?;
    let roles = match &page.user {
        Some(user) => accounts::roles_in(&state.db, user, territory.id).await?,
        None => Vec::new(),
    };
    let is_member = roles.contains(&Role::Member);
    let roles = roles.into_iter().filter(|r| *r != Role::Member).map(Role::label_key).collect();
    let page = if page.user.is_some() { page.with_csrf().await? } else { page };
    render(&HomePage { page, territory, communes, roles, is_member })
}

async fn join_territory(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    accounts::join_territory(&state.db, &user, territory.id).await?;
    page.flash_and_go("territory.joined", &format!("/t/{}", territory.slug)).await
}
