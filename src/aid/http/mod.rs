//! Mutual aid's pages: the public search and ads, conversations, and moderation.

mod messages;
mod moderation;
mod public;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(public::router()).merge(messages::router()).merge(moderation::router())
}
