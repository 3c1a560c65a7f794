//! The accounts JSON API: register, obtain a token, read the account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Registration, User};
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::auth::ApiUser;
use crate::web::i18n::Lang;
use crate::web::{ApiJson, ClientIp};

/// The accounts API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(create_token)).routes(routes!(me))
}

/// A role held in a territory.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipJson {
    /// The territory's slug.
    pub territory: String,
    /// `member`, `merchant`, `moderator`, `treasurer` or `exchange_operator`.
    pub role: String,
}

/// A member's account, as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountJson {
    /// Identifier.
    pub id: i64,
    /// Email address.
    pub email: String,
    /// Name shown to other members.
    pub display_name: String,
    /// Instance administrator.
    pub is_admin: bool,
    /// Whether the email address was confirmed.
    pub email_confirmed: bool,
    /// Preferred language (`fr` or `en`).
    pub locale: String,
    /// Roles per territory.
    pub memberships: Vec<MembershipJson>,
}

async fn account_json(state: &AppState, user: User) -> AppResult<AccountJson> {
    let memberships = super::store::memberships_of(&state.db, user.id)
        .await?
        .into_iter()
        .map(|m| MembershipJson { territory: m.territory_slug, role: m.role })
        .collect();
    Ok(AccountJson {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        is_admin: user.is_admin,
        email_confirmed: user.email_confirmed_at.is_some(),
        locale: user.locale,
        memberships,
    })
}

/// What registering answers, whether or not the address already had an account: the answer
/// does not tell who has one.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAccepted {
    /// The address, as it will be used (trimmed, lower case).
    pub email: String,
    /// Always `confirmation_sent`: a confirmation link was mailed to the address, or, when it
    /// already has an account, a note saying so.
    pub status: String,
}

/// Asks for an account: a confirmation email is sent, and tokens can be had once it is
/// confirmed. An address that already has an account gets a note instead, and the answer is the
/// same, so that registering does not reveal who has an account.
#[utoipa::path(post, path = "/auth/register", tag = "accounts", request_body = Registration,
    responses(
        (status = 202, description = "Confirmation sent", body = RegistrationAccepted),
        (status = 422, description = "Invalid fields"),
        (status = 429, description = "Too many registrations"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    lang: Lang,
    ApiJson(input): ApiJson<Registration>,
) -> AppResult<(StatusCode, Json<RegistrationAccepted>)> {
    super::count_email_request(&state.db, &ip, "register", state.config.register_limit).await?;
    super::register(&state.db, &state.base_url, &input, lang, None, None).await?;
    let email = super::normalize_email(&input.email);
    Ok((StatusCode::ACCEPTED, Json(RegistrationAccepted { email, status: "confirmation_sent".to_owned() })))
}

/// Credentials exchanged for a personal API token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
    /// A name to recognise the token by on the account page.
    #[schema(max_length = 60, pattern = r"\S")]
    pub name: Option<String>,
}

/// A new personal API token: send it as `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The secret, shown only this once.
    pub token: String,
}

/// Exchanges an email and password for a personal API token.
#[utoipa::path(post, path = "/auth/token", tag = "accounts", request_body = TokenRequest,
    responses(
        (status = 200, description = "Token created", body = TokenResponse),
        (status = 401, description = "Wrong email or password"),
        (status = 403, description = "Email not confirmed yet"),
        (status = 422, description = "Invalid token name"),
        (status = 429, description = "Too many attempts"),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    super::count_login_attempt(&state.db, &ip, &input.email, state.config.login_limit).await?;
    let user = super::authenticate(&state.db, &input.email, &input.password).await?;
    let name = input.name.unwrap_or_else(|| "API".to_owned());
    let token = super::create_api_token(&state.db, &user, &name).await?;
    Ok(Json(TokenResponse { token }))
}

/// The account of the token's owner.
#[utoipa::path(get, path = "/me", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = AccountJson),
        (status = 401, description = "Missing or invalid token"),
    ))]
pub async fn me(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<AccountJson>> {
    Ok(Json(account_json(&state, user).await?))
}
