//! The territory's pages: the instance's home and each territory's home page.

mod public;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(public::router())
}
