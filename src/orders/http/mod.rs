//! The drive's pages: the customer's cart and orders, and the merchant's day and settings.

mod customer;
mod owner;
mod picker;
mod space;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(customer::router()).merge(owner::router()).merge(space::router())
}
