//! "Mon espace": where a merchant lands after signing in.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;

use crate::app::AppState;
use crate::error::AppResult;
use crate::orders::checkout::slot_text;
use crate::orders::{Order, ShopSpace};
use crate::web::auth::CurrentUser;
use crate::web::page::Page;
use crate::web::render;

/// The merchant's home route.
pub fn router() -> Router<AppState> {
    Router::new().route("/mon-espace", get(show_space))
}

#[derive(Template)]
#[template(path = "orders/space.html")]
struct SpacePage {
    page: Page,
    shops: Vec<ShopSpace>,
}

impl SpacePage {
    fn base(&self, shop: &ShopSpace) -> String {
        format!("/t/{}/annuaire/{}", shop.drive.territory.slug, shop.drive.business.id)
    }

    fn slot(&self, shop: &ShopSpace, order: &Order) -> String {
        slot_text(order.starts_at, order.ends_at, &shop.drive.tz(), self.page.lang())
    }

    fn day(&self, day: &Date) -> String {
        crate::web::fmt::day(*day, self.page.lang())
    }

    fn count(&self, key: &str, n: &usize) -> String {
        self.page.t.fill(key, &[("count", &n.to_string())])
    }

    fn orders(&self, n: &usize) -> String {
        self.page.t.plural("orders.space.orders", *n, &[])
    }

    fn fill(&self, shop: &ShopSpace) -> String {
        let (taken, offered) = shop.fill;
        self.page
            .t
            .fill("orders.space.fill", &[("taken", &taken.to_string()), ("offered", &offered.to_string())])
    }
}

async fn show_space(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> AppResult<Response> {
    let shops = crate::orders::merchant_space(&state.db, &user).await?;
    render(&SpacePage { page, shops })
}
