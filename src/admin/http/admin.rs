//! The administration pages: outbox, accounts and roles, territories and communes.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::MembershipRow;
use crate::accounts::{self, Role, User};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::OutboxMessage;
use crate::territory::{self, Commune, NewCommune, NewTerritory, Territory};
use crate::web::auth::AdminUser;
use crate::web::page::Page;
use crate::web::territory::{InTerritory, territory_of};
use crate::web::{FormErrors, render, render_status, see_other};

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show_dashboard))
        .route("/admin/outbox", get(list_outbox))
        .route("/admin/outbox/{id}", get(show_message))
        .route("/admin/outbox/{id}/retry", post(retry_message))
        .route("/admin/users", get(list_users))
        .route("/admin/users/{id}/roles", post(change_role))
        .route("/admin/territories", get(list_territories).post(create_territory))
        .route("/admin/territories/{slug}", get(show_territory).post(add_commune))
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    page: Page,
    pending: i64,
    failed: i64,
}

async fn show_dashboard(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    page: Page,
) -> AppResult<Response> {
    let (pending, failed) = crate::admin::outbox_counts(&state.db, &user).await?;
    render(&DashboardPage { page, pending, failed })
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    page: Page,
    messages: Vec<OutboxMessage>,
    status: String,
    next: Option<i64>,
    smtp_configured: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    before: Option<i64>,
    #[serde(default)]
    q: String,
}

async fn list_outbox(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let messages = crate::admin::outbox_page(&state.db, &user, query.status.as_deref(), query.before).await?;
    let next =
        (messages.len() as i64 == crate::admin::PAGE_SIZE).then(|| messages.last().map(|m| m.id)).flatten();
    render(&OutboxPage {
        page,
        messages,
        status: query.status.unwrap_or_default(),
        next,
        smtp_configured: state.config.smtp_url.is_some(),
    })
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage {
    page: Page,
    message: OutboxMessage,
}

async fn show_message(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let message = crate::admin::outbox_message(&state.db, &user, id).await?;
    render(&MessagePage { page, message })
}

async fn retry_message(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    crate::admin::retry_message(&state.db, &user, id).await?;
    page.flash_and_go("admin.outbox.retried", &format!("/admin/outbox/{id}")).await
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    users: Vec<(User, Vec<(MembershipRow, &'static str)>)>,
    territories: Vec<Territory>,
    roles: Vec<(&'static str, &'static str)>,
    q: String,
    next: Option<i64>,
}

async fn list_users(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let users: Vec<_> = crate::admin::users_page(&state.db, &user, &query.q, query.before)
        .await?
        .into_iter()
        .map(|(u, rows)| {
            let labelled = rows.into_iter().map(|r| {
                let label = Role::parse(&r.role).map_or("role.member", Role::label_key);
                (r, label)
            });
            (u, labelled.collect())
        })
        .collect();
    let next =
        (users.len() as i64 == crate::admin::PAGE_SIZE).then(|| users.last().map(|(u, _)| u.id)).flatten();
    let territories = territory::list(&state.db).await?;
    let roles = Role::ALL.iter().map(|r| (r.as_str(), r.label_key())).collect();
    render(&UsersPage { page, users, territories, roles, q: query.q, next })
}

#[derive(Deserialize)]
struct RoleForm {
    territory_id: i64,
    role: String,
    action: String,
    /// The search the admin was on, to come back to it.
    #[serde(default)]
    q: String,
}

async fn change_role(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let role = Role::parse(&form.role).ok_or(AppError::invalid("role", "admin.users.role_unknown"))?;
    territory::by_id(&state.db, form.territory_id).await?.ok_or(AppError::NotFound)?;
    accounts::user_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match form.action.as_str() {
        "grant" => accounts::grant_role(&state.db, &admin, id, form.territory_id, role).await?,
        "revoke" => accounts::revoke_role(&state.db, &admin, id, form.territory_id, role).await?,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    }
    page.flash("admin.users.roles_saved").await?;
    let back = if form.q.is_empty() {
        "/admin/users".to_owned()
    } else {
        format!("/admin/users?{}", serde_urlencoded::to_string([("q", form.q.as_str())]).unwrap_or_default())
    };
    Ok(see_other(&back))
}

#[derive(Template)]
#[template(path = "admin/territories.html")]
struct TerritoriesPage {
    page: Page,
    territories: Vec<Territory>,
    form: NewTerritory,
    errors: FormErrors,
}

async fn list_territories(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    page: Page,
) -> AppResult<Response> {
    let territories = territory::list(&state.db).await?;
    let form = NewTerritory { time_zone: "Europe/Paris".into(), ..NewTerritory::default() };
    render(&TerritoriesPage { page, territories, form, errors: FormErrors::default() })
}

async fn create_territory(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    page: Page,
    Form(form): Form<NewTerritory>,
) -> AppResult<Response> {
    let fields = match territory::create(&state.db, Some(&admin), &form).await {
        Ok(created) => return Ok(see_other(&format!("/admin/territories/{}", created.slug))),
        Err(AppError::Invalid(fields)) => fields,
        Err(AppError::Conflict(key)) => vec![crate::error::FieldError { field: "slug", message: key }],
        Err(other) => return Err(other),
    };
    let territories = territory::list(&state.db).await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TerritoriesPage { page, territories, form, errors: FormErrors(fields) },
    )
}

#[derive(Template)]
#[template(path = "admin/territory.html")]
struct TerritoryPage {
    page: Page,
    territory: Territory,
    communes: Vec<Commune>,
    form: CommuneForm,
    errors: FormErrors,
}

/// The commune form, kept as typed so that a refused entry is shown again unchanged.
#[derive(Clone, Default, Deserialize)]
struct CommuneForm {
    #[serde(default)]
    insee_code: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
}

async fn show_territory(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    page: Page,
    InTerritory(territory): InTerritory,
) -> AppResult<Response> {
    let communes = territory::communes(&state.db, territory.id).await?;
    render(&TerritoryPage {
        page,
        territory,
        communes,
        form: CommuneForm::default(),
        errors: FormErrors::default(),
    })
}

/// Reads a decimal coordinate typed the French way (`43,86`) or the English way (`43.86`).
fn coordinate(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite())
}

async fn add_commune(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<CommuneForm>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let mut fields = Vec::new();
    let latitude = coordinate(&form.latitude).unwrap_or_else(|| {
        fields.push(crate::error::FieldError { field: "latitude", message: "territory.error.latitude" });
        0.0
    });
    let longitude = coordinate(&form.longitude).unwrap_or_else(|| {
        fields.push(crate::error::FieldError { field: "longitude", message: "territory.error.longitude" });
        0.0
    });
    if fields.is_empty() {
        let input = NewCommune {
            insee_code: form.insee_code.clone(),
            postcode: form.postcode.clone(),
            name: form.name.clone(),
            latitude,
            longitude,
        };
        match territory::add_commune(&state.db, Some(&admin), territory.id, &input).await {
            Ok(_) => return Ok(see_other(&format!("/admin/territories/{}", territory.slug))),
            Err(AppError::Invalid(found)) => fields = found,
            Err(AppError::Conflict(key)) => {
                fields.push(crate::error::FieldError { field: "insee_code", message: key })
            }
            Err(other) => return Err(other),
        }
    }
    let communes = territory::communes(&state.db, territory.id).await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TerritoryPage { page, territory, communes, form, errors: FormErrors(fields) },
    )
}
