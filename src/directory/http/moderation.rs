//! The moderators' pages: the queue of listings and claims, approval, refusal, unpublishing,
//! the CSV import with its preview, and the taxonomy of categories.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::public::{CategoryOption, category_tree};
use crate::accounts::User;
use crate::app::{AppState, UPLOAD_MAX_BYTES};
use crate::directory::import_export::ImportReport;
use crate::directory::store::Claim;
use crate::directory::{Business, ImportOutcome};
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::Territory;
use crate::web::auth::CurrentUser;
use crate::web::i18n::Lang;
use crate::web::page::{self, Page};
use crate::web::territory::{MemberPage, territory_of};
use crate::web::upload::read_file_field;
use crate::web::{FormErrors, render, render_status};

/// The moderation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/moderation", get(show_queue))
        .route("/t/{slug}/moderation/{id}/approuver", post(approve))
        .route("/t/{slug}/moderation/{id}/refuser", post(refuse))
        .route("/t/{slug}/moderation/reclamations/{claim}/{decision}", post(decide_claim))
        .route(
            "/t/{slug}/moderation/import",
            get(show_import).post(upload_import).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/moderation/import/{batch}", post(confirm_import))
        .route("/t/{slug}/moderation/categories", get(show_categories).post(add_category))
        .route("/t/{slug}/moderation/categories/{id}", post(edit_category))
        .route("/t/{slug}/moderation/categories/{id}/supprimer", post(remove_category))
}

#[derive(Template)]
#[template(path = "directory/queue.html")]
struct QueuePage {
    page: Page,
    territory: Territory,
    pending: Vec<Business>,
    claims: Vec<(Claim, Business, User)>,
}

async fn show_queue(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
) -> AppResult<Response> {
    let (pending, claims) = crate::directory::moderation_queue(&state.db, &user, territory.id).await?;
    render(&QueuePage { page, territory, pending, claims })
}

async fn flash_and_back(page: &Page, key: &'static str, to: &str) -> AppResult<Response> {
    page.flash_and_go(key, to).await
}

async fn approve(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    crate::directory::approve(&state.db, &state.base_url, &user, id).await?;
    flash_and_back(&page, "directory.flash.approved", &format!("/t/{}/moderation", territory.slug)).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

async fn refuse(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let back = if form.back.is_empty() {
        format!("/t/{}/moderation", territory.slug)
    } else {
        page::local_path(Some(&form.back))
    };
    match crate::directory::refuse_or_unpublish(&state.db, &state.base_url, &user, id, &form.reason).await {
        Ok(crate::directory::ListingState::Unpublished) => {
            flash_and_back(&page, "directory.flash.unpublished", &back).await
        }
        Ok(_) => flash_and_back(&page, "directory.flash.refused", &back).await,
        Err(AppError::Invalid(_)) => flash_and_back(&page, "directory.error.reason_required", &back).await,
        Err(other) => Err(other),
    }
}

async fn decide_claim(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, claim, decision)): Path<(String, i64, String)>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let accept = match decision.as_str() {
        "accepter" => true,
        "refuser" => false,
        _ => return Err(AppError::NotFound),
    };
    crate::directory::decide_claim(&state.db, &user, territory.id, claim, accept).await?;
    let key = if accept { "directory.flash.claim_accepted" } else { "directory.flash.claim_refused" };
    flash_and_back(&page, key, &format!("/t/{}/moderation", territory.slug)).await
}

/// A refused row, written in the page's language.
pub struct RefusedView {
    /// Spreadsheet row.
    pub row: usize,
    /// Why.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "directory/import.html")]
struct ImportPage {
    page: Page,
    territory: Territory,
    batch: Option<i64>,
    filename: String,
    report: Option<ImportReport>,
    refused: Vec<RefusedView>,
    outcome: Option<ImportOutcome>,
    errors: FormErrors,
}

async fn require_moderator(state: &AppState, user: &User, territory: &Territory) -> AppResult<()> {
    if crate::directory::is_moderator(&state.db, user, territory.id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl ImportPage {
    fn empty(page: Page, territory: Territory) -> Self {
        Self {
            page,
            territory,
            batch: None,
            filename: String::new(),
            report: None,
            refused: Vec::new(),
            outcome: None,
            errors: FormErrors::default(),
        }
    }

    /// The upload form again, with the file's problem.
    fn refusing(page: Page, territory: Territory, filename: String, key: &'static str) -> Self {
        let errors = FormErrors(vec![FieldError { field: "file", message: key }]);
        Self { filename, errors, ..Self::empty(page, territory) }
    }
}

async fn show_import(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
) -> AppResult<Response> {
    require_moderator(&state, &user, &territory).await?;
    render(&ImportPage::empty(page.with_csrf().await?, territory))
}

fn refused_views(report: &ImportReport, lang: Lang) -> Vec<RefusedView> {
    report
        .refused
        .iter()
        .map(|r| RefusedView {
            row: r.row,
            reason: if lang == Lang::En { r.reason.english() } else { r.reason.french() },
        })
        .collect()
}

async fn upload_import(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    mut multipart: Multipart,
) -> AppResult<Response> {
    require_moderator(&state, &user, &territory).await?;
    let file = read_file_field(&mut multipart, "import.csv", "directory.import.unreadable").await?;
    let page = page.with_csrf().await?;
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let view = ImportPage::refusing(page, territory, String::new(), "directory.import.missing");
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    match crate::directory::import_preview(&state.db, &user, &territory, &filename, &bytes).await {
        Ok((batch, report)) => {
            let refused = refused_views(&report, page.lang());
            let empty = ImportPage::empty(page, territory);
            render(&ImportPage { batch: Some(batch), filename, report: Some(report), refused, ..empty })
        }
        Err(AppError::BadRequest(key)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage::refusing(page, territory, filename, key),
        ),
        Err(other) => Err(other),
    }
}

async fn confirm_import(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, batch)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (outcome, report) = crate::directory::import_confirm(&state.db, &user, &territory, batch).await?;
    let refused = refused_views(&report, page.lang());
    let empty = ImportPage::empty(page, territory);
    render(&ImportPage { report: Some(report), refused, outcome: Some(outcome), ..empty })
}

#[derive(Template)]
#[template(path = "directory/categories.html")]
struct CategoriesPage {
    page: Page,
    territory: Territory,
    categories: Vec<CategoryOption>,
    errors: FormErrors,
}

async fn categories_page(
    state: &AppState,
    page: Page,
    territory: Territory,
    errors: Vec<FieldError>,
) -> AppResult<CategoriesPage> {
    let categories = category_tree(&crate::directory::taxonomy(&state.db, territory.id).await?);
    Ok(CategoriesPage { page: page.with_csrf().await?, territory, categories, errors: FormErrors(errors) })
}

async fn show_categories(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
) -> AppResult<Response> {
    require_moderator(&state, &user, &territory).await?;
    render(&categories_page(&state, page, territory, Vec::new()).await?)
}

#[derive(Deserialize)]
struct CategoryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_id: String,
}

impl CategoryForm {
    fn parent(&self) -> Option<i64> {
        self.parent_id.parse().ok()
    }
}

async fn category_result(
    state: &AppState,
    page: Page,
    territory: Territory,
    result: AppResult<()>,
    done: &'static str,
) -> AppResult<Response> {
    let fields = match result {
        Ok(()) => {
            return flash_and_back(&page, done, &format!("/t/{}/moderation/categories", territory.slug))
                .await;
        }
        Err(AppError::Invalid(fields)) => fields,
        Err(AppError::Conflict(key)) => vec![FieldError { field: "name", message: key }],
        Err(other) => return Err(other),
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &categories_page(state, page, territory, fields).await?)
}

async fn add_category(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    let result = crate::directory::add_category(&state.db, &user, territory.id, &form.name, form.parent())
        .await
        .map(|_| ());
    category_result(&state, page, territory, result, "directory.flash.category_saved").await
}

async fn edit_category(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    let result =
        crate::directory::edit_category(&state.db, &user, territory.id, id, &form.name, form.parent()).await;
    category_result(&state, page, territory, result, "directory.flash.category_saved").await
}

async fn remove_category(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let result = crate::directory::remove_category(&state.db, &user, territory.id, id).await;
    category_result(&state, page, territory, result, "directory.flash.category_removed").await
}
