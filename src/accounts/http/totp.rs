//! The second factor's pages: set-up with a QR code (then the recovery codes, shown once), and
//! the code asked again every 15 minutes before the treasurer's and the exchange desk's pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
        .route("/account/2fa/recovery", post(regenerate_codes))
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
    /// Unused recovery codes, when the factor is on.
    codes_left: i64,
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
    let next = page::local_path(Some(&query.next));
    render(&setup_page(&state, &user, page, next, FormErrors::default()).await?)
}

/// The set-up page: the QR code while the factor is off, else what is left of the recovery codes
/// and the form that makes new ones.
async fn setup_page(
    state: &AppState,
    user: &User,
    page: Page,
    next: String,
    errors: FormErrors,
) -> AppResult<SetupPage> {
    let enabled = is_enabled(&state.db, user.id).await?;
    let secret = if enabled { String::new() } else { begin_setup(&state.db, user).await?.1 };
    let codes_left = if enabled { totp::recovery_codes_left(&state.db, user).await? } else { 0 };
    let page = page.with_csrf().await?;
    Ok(SetupPage { page, secret, enabled, codes_left, next, errors })
}

/// The recovery codes, shown this once: never kept by a cache.
fn recovery_page(page: Page, codes: Vec<String>, next: String) -> AppResult<Response> {
    let mut response = render(&RecoveryPage { page, codes, next })?;
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn regenerate_codes(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let next = page::local_path(Some(&form.next));
    match totp::regenerate_recovery_codes(&state.db, &user, &form.code).await {
        Ok(codes) => recovery_page(page, codes, next),
        Err(AppError::Invalid(errors)) => render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&state, &user, page, next, FormErrors(errors)).await?,
        ),
        Err(other) => Err(other),
    }
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
            recovery_page(page, codes, next)
        }
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors(errors);
            if is_setup {
                render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &setup_page(&state, &user, page, next, errors).await?,
                )
            } else {
                let page = page.with_csrf().await?;
                render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &VerifyPage { page, next, errors },
                )
            }
        }
        Err(other) => Err(other),
    }
}
