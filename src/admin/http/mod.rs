//! The instance administrator's pages.

mod admin;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(admin::router())
}
