//! The second factor's pages: set-up with a QR code (then the recovery codes, shown once), and
//! the code asked again every 15 minutes before the treasurer's and the exchange desk's pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::User;
use crate::accounts::totp::{self, begin_setup, is_enabled, mark_session_verified, verify};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::{CurrentUser, session_error};
use crate::web::page::{self, Page};
use crate::web::{FormErrors, render, render_status, see_other};

/// The set-up and verification pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/2fa", get(show_setup).post(confirm_setup))
        .route("/account/2fa/verify", get(show_verify).post(submit_verify))
        .route("/account/2fa/qr.svg", get(setup_qr))
}

#[derive(Deserialize, Default)]
struct Next {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "accounts/totp_setup.html")]
struct SetupPage {
    page: Page,
    secret: String,
    enabled: bool,
    next: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/totp_recovery.html")]
struct RecoveryPage {
    page: Page,
    codes: Vec<String>,
    next: String,
}

#[derive(Template)]
#[template(path = "accounts/totp_verify.html")]
struct VerifyPage {
    page: Page,
    next: String,
    errors: FormErrors,
}

async fn show_setup(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Query(query): Query<Next>,
) -> AppResult<Response> {
    let enabled = is_enabled(&state.db, user.id).await?;
    let secret = if enabled { String::new() } else { begin_setup(&state.db, &user).await?.1 };
    let page = page.with_csrf().await?;
    render(&SetupPage {
        page,
        secret,
        enabled,
        next: page::local_path(Some(&query.next)),
        errors: FormErrors::default(),
    })
}

async fn setup_qr(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> AppResult<Response> {
    if is_enabled(&state.db, user.id).await? {
        return Err(AppError::NotFound);
    }
    let (url, _) = begin_setup(&state.db, &user).await?;
    let svg = crate::ledger::qr_svg(&url).ok_or(AppError::NotFound)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

async fn confirm_setup(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    submit(state, user, page, form, true).await
}

async fn show_verify(
    CurrentUser(_): CurrentUser,
    page: Page,
    Query(query): Query<Next>,
) -> AppResult<Response> {
    let page = page.with_csrf().await?;
    render(&VerifyPage { page, next: page::local_path(Some(&query.next)), errors: FormErrors::default() })
}

async fn submit_verify(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    submit(state, user, page, form, false).await
}

async fn submit(
    state: AppState,
    user: User,
    page: Page,
    form: CodeForm,
    is_setup: bool,
) -> AppResult<Response> {
    let next = page::local_path(Some(&form.next));
    let outcome = if is_setup {
        totp::confirm_setup(&state.db, &user, &form.code).await
    } else {
        verify(&state.db, &user, &form.code).await.map(|()| Vec::new())
    };
    match outcome {
        Ok(codes) => {
            let session = page.form_session()?;
            session.cycle_id().await.map_err(session_error)?;
            mark_session_verified(session, &user).await?;
            if codes.is_empty() {
                page::flash(session, "accounts.totp.verified").await?;
                return Ok(see_other(&next));
            }
            // The recovery codes are shown this once: never kept by a cache.
            let mut response = render(&RecoveryPage { page, codes, next })?;
            response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => {
            let page = page.with_csrf().await?;
            let errors = FormErrors(errors);
            if is_setup {
                let secret = begin_setup(&state.db, &user).await?.1;
                render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &SetupPage { page, secret, enabled: false, next, errors },
                )
            } else {
                render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &VerifyPage { page, next, errors },
                )
            }
        }
        Err(other) => Err(other),
    }
}
