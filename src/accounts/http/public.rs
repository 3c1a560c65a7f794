//! The accounts pages: register, confirm, log in and out, forgotten password, and the account
//! page (email, password, API tokens, export, deletion).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::store::{ApiTokenRow, MembershipRow};
use crate::accounts::{Registration, Role};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::{self, CurrentUser};
use crate::web::page::{self, Page};
use crate::web::{ClientIp, FormErrors, render, render_status, see_other};
use crate::{demo, territory};

/// The accounts routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(show_register).post(register))
        .route("/register/done", get(registered))
        .route("/account/confirm", get(confirm_email))
        .route(
            "/confirm/resend",
            get(|page| show_email_form(page, RESEND))
                .post(|state, ip, page, form| send_email(state, ip, page, form, RESEND)),
        )
        .route("/login", get(show_login).post(login))
        .route("/logout", post(logout))
        .route(
            "/password/forgot",
            get(|page| show_email_form(page, FORGOT))
                .post(|state, ip, page, form| send_email(state, ip, page, form, FORGOT)),
        )
        .route("/password/reset", get(show_reset).post(reset_password))
        .route("/account", get(show_account))
        .route("/account/password", post(change_password))
        .route("/account/email", post(change_email))
        .route("/account/export", get(export_data))
        .route("/account/delete", get(show_delete).post(delete_account))
        .route("/account/deleted", get(deleted))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// A page that says one thing, with an optional link onwards.
#[derive(Template)]
#[template(path = "accounts/message.html")]
pub struct MessagePage {
    page: Page,
    title: &'static str,
    body: &'static str,
    link: Option<(String, &'static str)>,
}

fn message(
    page: Page,
    title: &'static str,
    body: &'static str,
    link: Option<(&str, &'static str)>,
) -> AppResult<Response> {
    let link = link.map(|(href, label)| (href.to_owned(), label));
    render(&MessagePage { page, title, body, link })
}

/// `path?next=<next>`, or `path` alone when there is nowhere particular to come back to.
fn with_next(path: &str, next: &str) -> String {
    if next == "/" {
        return path.to_owned();
    }
    format!("{path}?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default())
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    page: Page,
    email: String,
    display_name: String,
    territory: Option<String>,
    /// Where to come back after confirming and signing in (a local path; `/` for nowhere).
    next: String,
    errors: FormErrors,
}

impl RegisterPage {
    /// The login page, coming back to the same place.
    fn login_href(&self) -> String {
        with_next("/login", &self.next)
    }
}

/// The registration form's fields.
#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    display_name: String,
    territory: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct RegisterQuery {
    territory: Option<String>,
    next: Option<String>,
}

async fn show_register(page: Page, Query(query): Query<RegisterQuery>) -> AppResult<Response> {
    let page = page.with_csrf().await?;
    render(&RegisterPage {
        page,
        email: String::new(),
        display_name: String::new(),
        territory: query.territory,
        next: page::local_path(query.next.as_deref()),
        errors: FormErrors::default(),
    })
}

/// The territory a new member joins: the one named, else the only one there is.
async fn territory_to_join(state: &AppState, slug: Option<&str>) -> AppResult<Option<i64>> {
    if let Some(slug) = slug.filter(|s| !s.is_empty()) {
        return Ok(territory::by_slug(&state.db, slug).await?.map(|t| t.id));
    }
    let all = territory::list(&state.db).await?;
    Ok(if all.len() == 1 { all.first().map(|t| t.id) } else { None })
}

async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    page: Page,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let input = Registration {
        email: form.email.clone(),
        password: form.password,
        display_name: form.display_name.clone(),
    };
    let next = page::local_path(form.next.as_deref());
    let outcome = async {
        crate::accounts::count_email_request(&state.db, &ip, "register", state.config.register_limit).await?;
        let territory_id = territory_to_join(&state, form.territory.as_deref()).await?;
        crate::accounts::register(&state.db, &state.base_url, &input, page.lang(), territory_id, Some(&next))
            .await
    }
    .await;
    let errors = match outcome {
        Ok(_) => return Ok(see_other("/register/done")),
        Err(AppError::Invalid(fields)) => fields,
        Err(AppError::Conflict(key)) => vec![crate::error::FieldError { field: "email", message: key }],
        Err(AppError::RateLimited) => {
            vec![crate::error::FieldError { field: "form", message: "error.rate_limited" }]
        }
        Err(other) => return Err(other),
    };
    let status = if errors.iter().any(|e| e.field == "form") {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &RegisterPage {
            page,
            email: form.email,
            display_name: form.display_name,
            territory: form.territory,
            next,
            errors: FormErrors(errors),
        },
    )
}

async fn registered(page: Page) -> AppResult<Response> {
    message(
        page,
        "accounts.registered.title",
        "accounts.registered.body",
        Some(("/confirm/resend", "accounts.resend.link")),
    )
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
    /// Where the person was when registering (the checkout): signing in leads back there.
    next: Option<String>,
}

async fn confirm_email(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    match crate::accounts::confirm_email(&state.db, &query.token).await {
        Ok(_) => {
            let login = with_next("/login", &page::local_path(query.next.as_deref()));
            message(page, "accounts.confirmed.title", "accounts.confirmed.body", Some((&login, "nav.login")))
        }
        Err(AppError::BadRequest(key)) => {
            let response = message(
                page,
                "accounts.link_invalid.title",
                key,
                Some(("/confirm/resend", "accounts.resend.link")),
            )?;
            Ok((StatusCode::BAD_REQUEST, response).into_response())
        }
        Err(AppError::Conflict(key)) => {
            let response = message(page, "accounts.link_invalid.title", key, None)?;
            Ok((StatusCode::CONFLICT, response).into_response())
        }
        Err(other) => Err(other),
    }
}

/// A form asking for one email address (resend confirmation, forgotten password).
#[derive(Template)]
#[template(path = "accounts/email_form.html")]
struct EmailFormPage {
    page: Page,
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    submit: &'static str,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

/// What sends the mail of an email form.
#[derive(Clone, Copy)]
enum EmailMail {
    Confirmation,
    PasswordReset,
}

/// One of the forms asking for one email address: its page's keys, where it posts, what it sends.
#[derive(Clone, Copy)]
struct EmailRequest {
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    submit: &'static str,
    done: &'static str,
    mail: EmailMail,
}

/// Sending the confirmation link again.
const RESEND: EmailRequest = EmailRequest {
    title: "accounts.resend.title",
    intro: "accounts.resend.intro",
    action: "/confirm/resend",
    submit: "accounts.resend.submit",
    done: "accounts.resend.done",
    mail: EmailMail::Confirmation,
};

/// A forgotten password.
const FORGOT: EmailRequest = EmailRequest {
    title: "accounts.forgot.title",
    intro: "accounts.forgot.intro",
    action: "/password/forgot",
    submit: "accounts.forgot.submit",
    done: "accounts.forgot.done",
    mail: EmailMail::PasswordReset,
};

async fn show_email_form(page: Page, request: EmailRequest) -> AppResult<Response> {
    let page = page.with_csrf().await?;
    render(&EmailFormPage {
        page,
        title: request.title,
        intro: request.intro,
        action: request.action,
        submit: request.submit,
        errors: FormErrors::default(),
    })
}

async fn send_email(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    page: Page,
    Form(form): Form<EmailForm>,
    request: EmailRequest,
) -> AppResult<Response> {
    crate::accounts::count_email_request(&state.db, &ip, "mail", state.config.register_limit).await?;
    match request.mail {
        EmailMail::Confirmation => {
            crate::accounts::resend_confirmation(&state.db, &state.base_url, &form.email).await?;
        }
        EmailMail::PasswordReset => {
            crate::accounts::request_password_reset(&state.db, &state.base_url, &form.email).await?;
        }
    }
    message(page, request.title, request.done, None)
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<&'static str>,
    demo_accounts: Vec<&'static str>,
    demo_password: &'static str,
}

impl LoginPage {
    /// The registration page, coming back to the same place once the account is confirmed.
    fn register_href(&self) -> String {
        with_next("/register", &self.next)
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// In demo mode (and when the demo was seeded) the login page lists the demo accounts.
async fn demo_accounts(state: &AppState) -> AppResult<Vec<&'static str>> {
    if !state.config.demo {
        return Ok(Vec::new());
    }
    let (admin_email, ..) = demo::DEMO_ACCOUNTS[0];
    let seeded = crate::accounts::store::find_user_with_hash(&state.db, admin_email).await?.is_some();
    Ok(if seeded { demo::DEMO_ACCOUNTS.iter().map(|(email, ..)| *email).collect() } else { Vec::new() })
}

async fn show_login(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    if page.user.is_some() {
        return Ok(see_other(&page::local_path(query.next.as_deref().or(Some("/account")))));
    }
    let page = page.with_csrf().await?;
    let demo_accounts = demo_accounts(&state).await?;
    render(&LoginPage {
        page,
        email: String::new(),
        next: page::local_path(query.next.as_deref()),
        error: None,
        demo_accounts,
        demo_password: demo::DEMO_PASSWORD,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    page: Page,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let email = crate::accounts::normalize_email(&form.email);
    let outcome = async {
        crate::accounts::count_login_attempt(&state.db, &ip, &email, state.config.login_limit).await?;
        crate::accounts::authenticate(&state.db, &email, &form.password).await
    }
    .await;
    let (status, error) = match outcome {
        Ok(user) => {
            let session = page.form_session()?;
            auth::sign_in(session, &user).await?;
            // A merchant lands on their space (their shops' orders), anyone else on their account.
            let runs_a_shop = !crate::directory::listings_owned_by(&state.db, user.id).await?.is_empty();
            let home = if runs_a_shop { "/mon-espace" } else { "/account" };
            let next = page::local_path(form.next.as_deref().filter(|n| *n != "/").or(Some(home)));
            return Ok(see_other(&next));
        }
        Err(AppError::Unauthorized) => (StatusCode::UNAUTHORIZED, "accounts.error.bad_credentials"),
        Err(AppError::Denied(key)) => (StatusCode::FORBIDDEN, key),
        Err(AppError::RateLimited) => (StatusCode::TOO_MANY_REQUESTS, "error.rate_limited"),
        Err(other) => return Err(other),
    };
    let demo_accounts = demo_accounts(&state).await?;
    render_status(
        status,
        &LoginPage {
            page,
            email: form.email,
            next: page::local_path(form.next.as_deref()),
            error: Some(error),
            demo_accounts,
            demo_password: demo::DEMO_PASSWORD,
        },
    )
}

async fn logout(page: Page) -> AppResult<Response> {
    if let Some(session) = &page.session {
        auth::sign_out(session).await?;
    }
    Ok(see_other("/"))
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    page: Page,
    token: String,
    errors: FormErrors,
}

async fn show_reset(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    if !crate::accounts::reset_link_is_valid(&state.db, &query.token).await? {
        let response = message(
            page,
            "accounts.link_invalid.title",
            "accounts.error.link_invalid",
            Some(("/password/forgot", "accounts.forgot.link")),
        )?;
        return Ok((StatusCode::BAD_REQUEST, response).into_response());
    }
    let page = page.with_csrf().await?;
    render(&ResetPage { page, token: query.token, errors: FormErrors::default() })
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    match crate::accounts::reset_password(&state.db, &form.token, &form.password).await {
        Ok(()) => message(page, "accounts.reset.title", "accounts.reset.done", Some(("/login", "nav.login"))),
        Err(AppError::Invalid(fields)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage { page, token: form.token, errors: FormErrors(fields) },
        ),
        Err(AppError::BadRequest(key)) => {
            let response = message(
                page,
                "accounts.link_invalid.title",
                key,
                Some(("/password/forgot", "accounts.forgot.link")),
            )?;
            Ok((StatusCode::BAD_REQUEST, response).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    page: Page,
    memberships: Vec<(MembershipRow, &'static str)>,
    tokens: Vec<ApiTokenRow>,
    new_token: Option<String>,
    email_errors: FormErrors,
    password_errors: FormErrors,
    token_errors: FormErrors,
}

async fn account_page(state: &AppState, page: Page, user: &crate::accounts::User) -> AppResult<AccountPage> {
    let memberships = crate::accounts::store::memberships_of(&state.db, user.id)
        .await?
        .into_iter()
        .map(|m| {
            let label = Role::parse(&m.role).map_or("role.member", Role::label_key);
            (m, label)
        })
        .collect();
    Ok(AccountPage {
        page,
        memberships,
        tokens: crate::accounts::store::api_tokens_of(&state.db, user.id).await?,
        new_token: None,
        email_errors: FormErrors::default(),
        password_errors: FormErrors::default(),
        token_errors: FormErrors::default(),
    })
}

/// Session key of a just-created API token, shown once on the next account page.
const NEW_TOKEN_KEY: &str = "new_api_token";

async fn show_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> AppResult<Response> {
    let session = page.session.clone();
    let mut view = account_page(&state, page, &user).await?;
    if let Some(session) = session
        && session.get::<String>(NEW_TOKEN_KEY).await.map_err(auth::session_error)?.is_some()
    {
        view.new_token = session.remove::<String>(NEW_TOKEN_KEY).await.map_err(auth::session_error)?;
    }
    render(&view)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    match crate::accounts::change_password(&state.db, &user, &form.current_password, &form.new_password).await
    {
        Ok(version) => {
            let session = page.form_session()?;
            auth::refresh_version(session, version).await?;
            page::flash(session, "accounts.password.done").await?;
            Ok(see_other("/account"))
        }
        Err(AppError::Invalid(fields)) => {
            let mut view = account_page(&state, page, &user).await?;
            view.password_errors = FormErrors(fields);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct EmailChangeForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    current_password: String,
}

async fn change_email(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<EmailChangeForm>,
) -> AppResult<Response> {
    let outcome = crate::accounts::request_email_change(
        &state.db,
        &state.base_url,
        &user,
        &form.current_password,
        &form.new_email,
    )
    .await;
    let fields = match outcome {
        Ok(()) => {
            let session = page.form_session()?;
            page::flash(session, "accounts.email.sent").await?;
            return Ok(see_other("/account"));
        }
        Err(AppError::Invalid(fields)) => fields,
        Err(AppError::Conflict(key)) => vec![crate::error::FieldError { field: "new_email", message: key }],
        Err(other) => return Err(other),
    };
    let mut view = account_page(&state, page, &user).await?;
    view.email_errors = FormErrors(fields);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

/// Everything Halle keeps about a member: the account's own data, then what each part of the
/// platform holds for them.
#[derive(serde::Serialize)]
struct FullExport {
    #[serde(flatten)]
    account: crate::accounts::DataExport,
    /// Drive orders, with their lines.
    orders: Vec<crate::orders::OrderExport>,
    /// Local currency accounts, with their history.
    wallets: Vec<crate::ledger::WalletExport>,
    /// Mutual-aid ads.
    aid_ads: Vec<crate::aid::Ad>,
}

async fn export_data(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> AppResult<Response> {
    let account = crate::accounts::export_data(&state.db, &user).await?;
    let mut territories: Vec<i64> = account.memberships.iter().map(|m| m.territory_id).collect();
    territories.sort_unstable();
    territories.dedup();
    let export = FullExport {
        orders: crate::orders::export_for(&state.db, &user).await?,
        wallets: crate::ledger::export_for(&state.db, &user, &territories).await?,
        aid_ads: crate::aid::my_ads(&state.db, &user).await?,
        account,
    };
    let body = serde_json::to_string_pretty(&export).map_err(anyhow::Error::from)?;
    Ok((
        [
            (CONTENT_TYPE, "application/json; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"halle-mes-donnees.json\""),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "accounts/delete.html")]
struct DeletePage {
    page: Page,
    errors: FormErrors,
}

async fn show_delete(CurrentUser(_): CurrentUser, page: Page) -> AppResult<Response> {
    render(&DeletePage { page, errors: FormErrors::default() })
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    current_password: String,
}

async fn delete_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    match crate::accounts::delete_account(&state.db, &user, &form.current_password).await {
        Ok(()) => {
            if let Some(session) = &page.session {
                auth::sign_out(session).await?;
            }
            Ok(see_other("/account/deleted"))
        }
        Err(AppError::Invalid(fields)) => {
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &DeletePage { page, errors: FormErrors(fields) })
        }
        Err(other) => Err(other),
    }
}

async fn deleted(page: Page) -> AppResult<Response> {
    message(page, "accounts.deleted.title", "accounts.deleted.body", Some(("/", "nav.home")))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    match crate::accounts::create_api_token(&state.db, &user, &form.name).await {
        Ok(token) => {
            // The secret crosses the redirect in the session, is shown once, and is then gone.
            let session = page.form_session()?;
            session.insert(NEW_TOKEN_KEY, token).await.map_err(auth::session_error)?;
            Ok(see_other("/account#tokens-title"))
        }
        Err(AppError::Invalid(fields)) => {
            let mut view = account_page(&state, page, &user).await?;
            view.token_errors = FormErrors(fields);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    crate::accounts::revoke_api_token(&state.db, &user, id).await?;
    page.flash_and_go("accounts.tokens.revoked", "/account").await
}
