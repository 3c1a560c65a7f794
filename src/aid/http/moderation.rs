//! The moderators' page of mutual aid: ads waiting for approval, open reports with their
//! decision form, suspended accounts, the moderation mode, domains and the audit log.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::public::domain_pairs;
use crate::aid::{Decision, ModerationMode, ModerationQueue};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::territory::Territory;

use crate::web::page::Page;
use crate::web::render;
use crate::web::territory::MemberPage;

/// The moderation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/entraide/moderation", get(show_queue))
        .route("/t/{slug}/entraide/moderation/annonces/{id}/approuver", post(approve))
        .route("/t/{slug}/entraide/moderation/annonces/{id}/masquer", post(hide))
        .route("/t/{slug}/entraide/moderation/signalements/{id}", post(decide))
        .route("/t/{slug}/entraide/moderation/suspensions/{user}/lever", post(lift))
        .route("/t/{slug}/entraide/moderation/mode", post(set_mode))
        .route("/t/{slug}/entraide/moderation/domaines", post(add_domain))
}

#[derive(Template)]
#[template(path = "aid/moderation.html")]
struct QueuePage {
    page: Page,
    territory: Territory,
    queue: ModerationQueue,
    domains: Vec<(String, String)>,
    modes: Vec<(&'static str, &'static str)>,
}

async fn show_queue(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
) -> AppResult<Response> {
    let queue = crate::aid::queue(&state.db, &user, &territory).await?;
    let domains = domain_pairs(&crate::aid::domains(&state.db, territory.id).await?, &page.t);
    render(&QueuePage {
        page: page.with_csrf().await?,
        territory,
        queue,
        domains,
        modes: ModerationMode::ALL.iter().map(|m| (m.as_str(), m.label_key())).collect(),
    })
}

async fn back(page: &Page, key: &'static str, territory: &Territory) -> AppResult<Response> {
    page.flash_and_go(key, &format!("/t/{}/entraide/moderation", territory.slug)).await
}

async fn approve(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    crate::aid::approve_ad(&state.db, &state.base_url, &user, id).await?;
    back(&page, "aid.flash.approved", &territory).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn hide(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    match crate::aid::hide_ad(&state.db, &user, id, &form.reason).await {
        Ok(()) => back(&page, "aid.flash.hidden", &territory).await,
        Err(AppError::Invalid(_)) => back(&page, "aid.error.reason_required", &territory).await,
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    hide: String,
    #[serde(default)]
    sanction: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let decision = Decision {
        hide: form.hide == "1",
        sanction: Some(form.sanction).filter(|s| !s.is_empty()),
        reason: form.reason,
    };
    match crate::aid::decide_report(&state.db, &user, id, &decision).await {
        Ok(()) => back(&page, "aid.flash.decided", &territory).await,
        Err(AppError::Invalid(_)) => back(&page, "aid.error.reason_required", &territory).await,
        Err(other) => Err(other),
    }
}

async fn lift(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, target)): Path<(String, i64)>,
) -> AppResult<Response> {
    crate::aid::lift_suspension(&state.db, &user, territory.id, target).await?;
    back(&page, "aid.flash.lifted", &territory).await
}

#[derive(Deserialize)]
struct ModeForm {
    #[serde(default)]
    mode: String,
}

async fn set_mode(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Form(form): Form<ModeForm>,
) -> AppResult<Response> {
    let mode = ModerationMode::parse(&form.mode).ok_or(AppError::BadRequest("aid.error.mode"))?;
    crate::aid::set_mode(&state.db, &user, territory.id, mode).await?;
    back(&page, "aid.flash.mode", &territory).await
}

#[derive(Deserialize)]
struct DomainForm {
    #[serde(default)]
    name: String,
}

async fn add_domain(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Form(form): Form<DomainForm>,
) -> AppResult<Response> {
    match crate::aid::add_domain(&state.db, &user, territory.id, &form.name).await {
        Ok(_) => back(&page, "aid.flash.domain_added", &territory).await,
        Err(AppError::Invalid(_)) => back(&page, "aid.error.domain_name", &territory).await,
        Err(AppError::Conflict(key)) => back(&page, key, &territory).await,
        Err(other) => Err(other),
    }
}
