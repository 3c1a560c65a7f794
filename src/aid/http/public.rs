//! Mutual aid's pages: the search, an ad, the ad form, the author's actions, my ads and saved
//! searches, profiles and reports. Conversations and moderation have their own files.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::aid::filters::{Filters, RADII};
use crate::aid::store::SavedSearch;
use crate::aid::{
    Ad, AdAccess, AdInput, AdKind, AdPage, AdState, AdStatus, DomainOption, FoundAd, ProfileInput,
    ProfileView, ReportInput,
};
use crate::app::AppState;
use crate::db::now;
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::{self, Commune, Territory};
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::fmt::parse_decimal;
use crate::web::i18n::Tr;
use crate::web::page::{self, Page};
use crate::web::territory::{MemberPage, territory_of};
use crate::web::{FormErrors, render, render_status};

/// Mutual aid's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/entraide", get(show_search))
        .route("/t/{slug}/entraide/publier", get(show_post).post(post_ad))
        .route("/t/{slug}/entraide/recherches", post(save_search))
        .route("/t/{slug}/entraide/{id}", get(show_ad))
        .route("/t/{slug}/entraide/{id}/modifier", get(show_edit).post(edit_ad))
        .route("/t/{slug}/entraide/{id}/statut", post(change_status))
        .route("/mes-annonces", get(show_mine))
        .route("/recherches/{id}/supprimer", post(delete_search))
        .route("/membres/{id}", get(show_profile))
        .route("/profil", get(show_profile_form).post(save_profile))
        .route("/signaler", post(report))
}

/// (code, name) of each domain, in the page's language.
pub fn domain_pairs(domains: &[DomainOption], t: &Tr) -> Vec<(String, String)> {
    domains.iter().map(|d| (d.code.clone(), d.label(t))).collect()
}

/// The name of a domain code among (code, name) pairs.
pub fn domain_name(pairs: &[(String, String)], code: &str) -> String {
    pairs.iter().find(|(c, _)| c == code).map_or_else(|| code.to_owned(), |(_, n)| n.clone())
}

async fn flash_and_go(page: &Page, key: &'static str, to: &str) -> AppResult<Response> {
    page.flash_and_go(key, to).await
}

#[derive(Template)]
#[template(path = "aid/search.html")]
struct SearchPage {
    page: Page,
    territory: Territory,
    filters: Filters,
    domains: Vec<(String, String)>,
    communes: Vec<Commune>,
    radii: [i64; 6],
    results: Vec<FoundAd>,
    previous: Option<String>,
    next: Option<String>,
    /// For its moderators: how many reports wait.
    open_reports: Option<i64>,
}

async fn show_search(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let communes = territory::communes(&state.db, territory.id).await?;
    let domains = domain_pairs(&crate::aid::domains(&state.db, territory.id).await?, &page.t);
    let found: AdPage = crate::aid::search(&state.db, &filters.to_search(&territory, &communes)).await?;
    let base = format!("/t/{}/entraide", territory.slug);
    let number = filters.page_number();
    let open_reports = match &page.user {
        Some(user) => crate::aid::open_report_count(&state.db, user, territory.id).await?,
        None => None,
    };
    let page = if page.user.is_some() { page.with_csrf().await? } else { page };
    render(&SearchPage {
        previous: (number > 1).then(|| filters.href(&base, number - 1)),
        next: found.has_more.then(|| filters.href(&base, number + 1)),
        page,
        territory,
        filters,
        domains,
        communes,
        radii: RADII,
        results: found.items,
        open_reports,
    })
}

#[derive(Template)]
#[template(path = "aid/ad.html")]
struct AdPageTemplate {
    page: Page,
    territory: Territory,
    ad: Ad,
    domain: String,
    author_name: String,
    structure: Option<(String, String)>,
    access: AdAccess,
    is_answerable: bool,
    is_expired: bool,
    /// Its last day is past: no longer listed nor answerable.
    has_ended: bool,
    conversation: Option<i64>,
    body: String,
    errors: FormErrors,
}

/// The ad `id` of the territory `slug` as `viewer` may see it.
pub async fn ad_in(
    state: &AppState,
    viewer: Option<&crate::accounts::User>,
    slug: &str,
    id: i64,
) -> AppResult<(Territory, Ad, AdAccess)> {
    let territory = territory_of(state, slug).await?;
    let (ad, access) = crate::aid::view_ad(&state.db, viewer, id).await?;
    if ad.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    Ok((territory, ad, access))
}

/// Renders an ad's page, with the contact form's text and errors when it was refused.
pub async fn ad_page(
    state: &AppState,
    page: Page,
    territory: Territory,
    ad: Ad,
    access: AdAccess,
    body: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let domains = domain_pairs(&crate::aid::domains(&state.db, territory.id).await?, &page.t);
    let context = crate::aid::ad_context(&state.db, page.user.as_ref(), &ad).await?;
    let structure =
        context.structure.map(|(name, id)| (name, format!("/t/{}/annuaire/{id}", territory.slug)));
    let now = now();
    let has_ended = ad.has_ended(&crate::aid::today_in(&territory, now));
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = if page.user.is_some() { page.with_csrf().await? } else { page };
    render_status(
        status,
        &AdPageTemplate {
            domain: domain_name(&domains, &ad.domain),
            is_answerable: ad.is_answerable(now) && !has_ended,
            has_ended,
            is_expired: ad.is_expired(now),
            page,
            territory,
            ad,
            author_name: context.author_name,
            structure,
            access,
            conversation: context.conversation,
            body,
            errors: FormErrors(errors),
        },
    )
}

async fn show_ad(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (territory, ad, access) = ad_in(&state, user.as_ref(), &slug, id).await?;
    ad_page(&state, page, territory, ad, access, String::new(), Vec::new()).await
}

/// The ad form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AdForm {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    commune_id: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    is_urgent: String,
    #[serde(default)]
    business_id: String,
}

impl AdForm {
    fn of(ad: &Ad) -> Self {
        let decimal = |v: f64| v.to_string().replace('.', ",");
        let has_commune = ad.commune_id.is_some();
        Self {
            kind: ad.kind.to_string(),
            domain: ad.domain.clone(),
            title: ad.title.clone(),
            description: ad.description.clone(),
            commune_id: ad.commune_id.map(|c| c.to_string()).unwrap_or_default(),
            place: ad.place.clone().unwrap_or_default(),
            latitude: if has_commune { String::new() } else { decimal(ad.latitude) },
            longitude: if has_commune { String::new() } else { decimal(ad.longitude) },
            starts_on: ad.starts_on.clone().unwrap_or_default(),
            ends_on: ad.ends_on.clone().unwrap_or_default(),
            is_urgent: if ad.is_urgent { "1".into() } else { String::new() },
            business_id: ad.business_id.map(|b| b.to_string()).unwrap_or_default(),
        }
    }

    fn to_input(&self) -> (AdInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut decimal = |field: &'static str, text: &str| -> Option<f64> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = parse_decimal(text);
            if parsed.is_none() {
                errors.push(FieldError {
                    field,
                    message: if field == "latitude" { "aid.error.latitude" } else { "aid.error.longitude" },
                });
            }
            parsed
        };
        let latitude = decimal("latitude", &self.latitude);
        let longitude = decimal("longitude", &self.longitude);
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let input = AdInput {
            kind: self.kind.clone(),
            domain: self.domain.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            commune_id: self.commune_id.parse().ok(),
            place: text(&self.place),
            latitude,
            longitude,
            starts_on: text(&self.starts_on),
            ends_on: text(&self.ends_on),
            is_urgent: self.is_urgent == "1",
            business_id: self.business_id.parse().ok(),
        };
        (input, errors)
    }
}

#[derive(Template)]
#[template(path = "aid/form.html")]
struct FormPage {
    page: Page,
    territory: Territory,
    ad: Option<Ad>,
    form: AdForm,
    errors: FormErrors,
    domains: Vec<(String, String)>,
    communes: Vec<Commune>,
    structures: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn form_page(
    state: &AppState,
    page: Page,
    territory: Territory,
    ad: Option<Ad>,
    form: AdForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let user = page.user.clone().ok_or(AppError::Unauthorized)?;
    let domains = domain_pairs(&crate::aid::domains(&state.db, territory.id).await?, &page.t);
    let communes = territory::communes(&state.db, territory.id).await?;
    let structures = crate::directory::listings_owned_by(&state.db, user.id)
        .await?
        .into_iter()
        .filter(|b| b.territory_id == territory.id)
        .map(|b| (b.id, b.name))
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &FormPage {
            page: page.with_csrf().await?,
            territory,
            ad,
            form,
            errors: FormErrors(errors),
            domains,
            communes,
            structures,
            kinds: [AdKind::Offer, AdKind::Request].iter().map(|k| (k.as_str(), k.label_key())).collect(),
        },
    )
}

async fn show_post(
    State(state): State<AppState>,
    MemberPage { user: _, page, territory }: MemberPage,
) -> AppResult<Response> {
    form_page(&state, page, territory, None, AdForm::default(), Vec::new()).await
}

async fn post_ad(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<AdForm>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let (input, mut errors) = form.to_input();
    if errors.is_empty() {
        match crate::aid::post_ad(&state.db, &state.base_url, &user, &territory, &input).await {
            Ok(ad) => {
                let key =
                    if ad.state() == AdState::Pending { "aid.flash.pending" } else { "aid.flash.published" };
                return flash_and_go(&page, key, &format!("/t/{}/entraide/{}", territory.slug, ad.id)).await;
            }
            Err(AppError::Invalid(fields)) => errors = fields,
            Err(other) => return Err(other),
        }
    }
    form_page(&state, page, territory, None, form, errors).await
}

async fn show_edit(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let ad = crate::aid::authored_ad(&state.db, &user, id).await?;
    if ad.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let form = AdForm::of(&ad);
    form_page(&state, page, territory, Some(ad), form, Vec::new()).await
}

async fn edit_ad(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<AdForm>,
) -> AppResult<Response> {
    let (territory, ad, _) = ad_in(&state, Some(&user), &slug, id).await?;
    let (input, mut errors) = form.to_input();
    if errors.is_empty() {
        match crate::aid::edit_ad(&state.db, &user, id, &input).await {
            Ok(_) => {
                return flash_and_go(
                    &page,
                    "aid.flash.saved",
                    &format!("/t/{}/entraide/{id}", territory.slug),
                )
                .await;
            }
            Err(AppError::Invalid(fields)) => errors = fields,
            Err(other) => return Err(other),
        }
    }
    form_page(&state, page, territory, Some(ad), form, errors).await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    action: String,
}

async fn change_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let (territory, _, _) = ad_in(&state, Some(&user), &slug, id).await?;
    let key = match form.action.as_str() {
        "renew" => {
            crate::aid::renew_ad(&state.db, &user, id).await?;
            "aid.flash.renewed"
        }
        other => {
            let status = AdStatus::parse(other).ok_or(AppError::BadRequest("aid.error.status"))?;
            crate::aid::set_status(&state.db, &user, id, status).await?;
            "aid.flash.status"
        }
    };
    flash_and_go(&page, key, &format!("/t/{}/entraide/{id}", territory.slug)).await
}

#[derive(Deserialize)]
struct SaveSearchForm {
    #[serde(default)]
    query: String,
}

async fn save_search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(form): Form<SaveSearchForm>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    // Kept in the normalised form, so that it reads back the same.
    let query = Filters::from_query(&form.query).query_string();
    crate::aid::save_search(&state.db, &user, &territory, &query).await?;
    flash_and_go(&page, "aid.flash.search_saved", &format!("/t/{}/entraide?{query}", territory.slug)).await
}

#[derive(Template)]
#[template(path = "aid/mine.html")]
struct MinePage {
    page: Page,
    ads: Vec<FoundAd>,
    searches: Vec<(SavedSearch, String)>,
}

async fn show_mine(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> AppResult<Response> {
    let ads = crate::aid::describe(&state.db, crate::aid::my_ads(&state.db, &user).await?, None).await?;
    let searches = crate::aid::saved_searches(&state.db, &user).await?;
    render(&MinePage { page: page.with_csrf().await?, ads, searches })
}

async fn delete_search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    crate::aid::delete_saved_search(&state.db, &user, id).await?;
    flash_and_go(&page, "aid.flash.search_deleted", "/mes-annonces").await
}

#[derive(Template)]
#[template(path = "aid/profile.html")]
struct ProfilePage {
    page: Page,
    profile: ProfileView,
    is_me: bool,
    blocked: bool,
}

async fn show_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let profile = crate::aid::view_profile(&state.db, &user, id).await?;
    let (is_me, blocked) = (user.id == id, crate::aid::has_blocked(&state.db, &user, id).await?);
    let page = page.with_csrf().await?;
    render(&ProfilePage { page, profile, is_me, blocked })
}

#[derive(Template)]
#[template(path = "aid/profile_form.html")]
struct ProfileFormPage {
    page: Page,
    presentation: String,
    skills: String,
    commune_id: String,
    communes: Vec<Commune>,
    errors: FormErrors,
}

async fn show_profile_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> AppResult<Response> {
    let row = crate::aid::own_profile(&state.db, &user).await?;
    render(&ProfileFormPage {
        page: page.with_csrf().await?,
        presentation: row.presentation,
        skills: row.skills,
        commune_id: row.commune_id.map(|c| c.to_string()).unwrap_or_default(),
        communes: crate::aid::communes_for(&state.db, &user).await?,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    presentation: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    commune_id: String,
}

async fn save_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let input = ProfileInput {
        presentation: form.presentation.clone(),
        skills: form.skills.clone(),
        commune_id: form.commune_id.parse().ok(),
    };
    match crate::aid::update_profile(&state.db, &user, &input).await {
        Ok(()) => flash_and_go(&page, "aid.flash.profile_saved", &format!("/membres/{}", user.id)).await,
        Err(AppError::Invalid(fields)) => render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &ProfileFormPage {
                page: page.with_csrf().await?,
                presentation: form.presentation,
                skills: form.skills,
                commune_id: form.commune_id,
                communes: crate::aid::communes_for(&state.db, &user).await?,
                errors: FormErrors(fields),
            },
        ),
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    target_id: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

async fn report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let back = page::local_path(Some(&form.back));
    let input = ReportInput { target: form.target, target_id: form.target_id, reason: form.reason };
    match crate::aid::file_report(&state.db, &state.base_url, &user, &input).await {
        Ok(_) => flash_and_go(&page, "aid.flash.reported", &back).await,
        Err(AppError::Invalid(_)) => flash_and_go(&page, "aid.error.reason_required", &back).await,
        Err(other) => Err(other),
    }
}
