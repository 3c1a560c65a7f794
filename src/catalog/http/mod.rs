//! The catalogue's pages: the public catalogue and the merchant's back-office.

mod owner;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(owner::router())
}
