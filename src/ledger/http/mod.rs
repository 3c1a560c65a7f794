//! The currency's pages: members' and businesses' wallets, and the treasury.

mod member;
mod treasury;

use axum::Router;

/// Used by the templates to name transfer kinds and to give forms a fresh client id.
pub use member::{fresh_id, kind_key};

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(member::router()).merge(treasury::router())
}
