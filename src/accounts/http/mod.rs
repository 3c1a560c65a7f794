//! The accounts' pages: registration, login, password reset, the account page, and the treasurer's second factor.

mod public;
mod totp;

use axum::Router;

use crate::app::AppState;

/// Every page route of this context.
pub fn router() -> Router<AppState> {
    Router::new().merge(public::router()).merge(totp::router())
}
