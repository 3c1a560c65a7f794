//! The directory's pages: the public search and listing, the owner's forms, and moderation.

mod moderation;
mod owner;
mod public;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(public::router()).merge(owner::router()).merge(moderation::router())
}
