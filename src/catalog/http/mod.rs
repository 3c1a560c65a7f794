//! The catalogue's pages: the market across the territory's shops, each business's public
//! catalogue and the merchant's back-office.

mod market;
mod owner;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(market::router()).merge(owner::router())
}
