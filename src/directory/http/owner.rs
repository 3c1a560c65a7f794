//! The owners' pages: propose a listing, edit it, confirm its status, add photos, read its
//! history, claim an existing listing.

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};

use super::public::{CategoryOption, category_tree};
use crate::accounts::User;
use crate::app::{AppState, UPLOAD_MAX_BYTES};
use crate::directory::hours::OpeningHours;
use crate::directory::store::Revision;
use crate::directory::{Business, BusinessInput, BusinessKind, CrisisStatus};
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::Territory;
use crate::web::auth::CurrentUser;
use crate::web::fmt::parse_decimal;
use crate::web::form::FormFields;
use crate::web::page::Page;
use crate::web::territory::{Managed, ManagerPage, MemberPage, territory_of};
use crate::web::upload::{photo_added_flash, read_photo_field};
use crate::web::{FormErrors, render, render_status, see_other};

/// The owners' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/annuaire/proposer", get(show_propose).post(propose))
        .route("/t/{slug}/annuaire/{id}/modifier", get(show_edit).post(edit))
        .route("/t/{slug}/annuaire/{id}/statut", post(change_status))
        .route(
            "/t/{slug}/annuaire/{id}/photos",
            post(add_photo).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/annuaire/{id}/photos/{photo}/supprimer", post(remove_photo))
        .route("/t/{slug}/annuaire/{id}/historique", get(show_history))
        .route("/t/{slug}/annuaire/{id}/gerer", post(claim))
        .route("/mes-structures", get(list_mine))
}

/// The listing form's values as typed, to show them again with their errors; the repeated
/// field is the ticked categories.
pub type FormValues = FormFields<i64>;

impl FormFields<i64> {
    /// True when a category is ticked.
    pub fn has_category(&self, id: &i64) -> bool {
        self.ticked().contains(id)
    }

    /// The value of an opening-hours field.
    pub fn hour(&self, day: &usize, slot: &usize, closes: bool) -> &str {
        let which = if closes { "closes" } else { "opens" };
        self.get(&format!("h{day}_{slot}_{which}"))
    }

    /// The form's values for an existing listing.
    pub fn of(business: &Business, category_ids: Vec<i64>) -> Self {
        let mut fields = FormFields::with_ticked(category_ids);
        let mut put = |k: &str, v: &str| fields.set(k, v);
        put("name", &business.name);
        put("kind", business.kind.as_str());
        put("description", &business.description);
        put("address", business.address.as_deref().unwrap_or(""));
        put("postcode", business.postcode.as_deref().unwrap_or(""));
        put("city", business.city.as_deref().unwrap_or(""));
        put("latitude", &business.latitude.map(|v| v.to_string()).unwrap_or_default());
        put("longitude", &business.longitude.map(|v| v.to_string()).unwrap_or_default());
        put("phone", business.phone.as_deref().unwrap_or(""));
        put("email", business.email.as_deref().unwrap_or(""));
        put("website", business.website.as_deref().unwrap_or(""));
        put("social_links", &business.social_links().join("\n"));
        put("status", business.status.as_str());
        put("status_message", business.status_message.as_deref().unwrap_or(""));
        for (name, on) in [
            ("click_and_collect", business.click_and_collect),
            ("delivery", business.delivery),
            ("takes_consignment", business.takes_consignment),
        ] {
            if on {
                put(name, "on");
            }
        }
        let hours = business.hours();
        for day in 0..7 {
            for slot in 0..2 {
                put(&format!("h{day}_{slot}_opens"), &hours.form_value(day, slot, false));
                put(&format!("h{day}_{slot}_closes"), &hours.form_value(day, slot, true));
            }
        }
        fields
    }

    /// Reads the posted pairs (repeated `category_ids` included): the values, the listing they
    /// describe and, when a field cannot be read, the other fields' problems at the same time.
    pub fn posted(pairs: Vec<(String, String)>) -> (Self, BusinessInput, Vec<FieldError>) {
        let values = Self::read(pairs, "category_ids", |id| id.parse().ok());
        let (input, mut errors) = values.to_input();
        if !errors.is_empty() {
            let more = crate::directory::validate(&input).err().unwrap_or_default();
            errors.extend(
                more.into_iter().filter(|e| !errors.iter().any(|f| f.field == e.field)).collect::<Vec<_>>(),
            );
        }
        (values, input, errors)
    }

    /// The listing these values describe, or the fields that cannot be read.
    pub fn to_input(&self) -> (BusinessInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let text = |name: &str| Some(self.get(name).to_owned()).filter(|v| !v.trim().is_empty());
        let mut coordinate = |name: &'static str, message: &'static str| {
            let raw = self.get(name);
            if raw.trim().is_empty() {
                return None;
            }
            let value = parse_decimal(raw);
            if value.is_none() {
                errors.push(FieldError { field: name, message });
            }
            value
        };
        let latitude = coordinate("latitude", "territory.error.latitude");
        let longitude = coordinate("longitude", "territory.error.longitude");
        let opening_hours = match OpeningHours::from_form(self.values()) {
            Ok(hours) => Some(hours),
            Err(problems) => {
                for (field, message) in problems {
                    // Field names are ours (h{day}_{slot}_...), leaked to 'static for the error list.
                    let field: &'static str =
                        HOUR_FIELDS.iter().find(|f| **f == field).copied().unwrap_or("hours");
                    errors.push(FieldError { field, message });
                }
                None
            }
        };
        let input = BusinessInput {
            name: self.get("name").to_owned(),
            kind: self.get("kind").to_owned(),
            description: self.get("description").to_owned(),
            address: text("address"),
            postcode: text("postcode"),
            city: text("city"),
            latitude,
            longitude,
            phone: text("phone"),
            email: text("email"),
            website: text("website"),
            social_links: self
                .get("social_links")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            click_and_collect: self.checked("click_and_collect"),
            delivery: self.checked("delivery"),
            takes_consignment: self.checked("takes_consignment"),
            status: text("status"),
            status_message: text("status_message"),
            category_ids: self.ticked().to_vec(),
            opening_hours,
        };
        (input, errors)
    }
}

/// Every opening-hours field name.
static HOUR_FIELDS: [&str; 28] = [
    "h0_0_opens",
    "h0_0_closes",
    "h0_1_opens",
    "h0_1_closes",
    "h1_0_opens",
    "h1_0_closes",
    "h1_1_opens",
    "h1_1_closes",
    "h2_0_opens",
    "h2_0_closes",
    "h2_1_opens",
    "h2_1_closes",
    "h3_0_opens",
    "h3_0_closes",
    "h3_1_opens",
    "h3_1_closes",
    "h4_0_opens",
    "h4_0_closes",
    "h4_1_opens",
    "h4_1_closes",
    "h5_0_opens",
    "h5_0_closes",
    "h5_1_opens",
    "h5_1_closes",
    "h6_0_opens",
    "h6_0_closes",
    "h6_1_opens",
    "h6_1_closes",
];

#[derive(Template)]
#[template(path = "directory/form.html")]
struct FormPage {
    page: Page,
    territory: Territory,
    business: Option<Business>,
    values: FormValues,
    errors: FormErrors,
    categories: Vec<CategoryOption>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    days: Vec<(usize, &'static str)>,
    geocoder: bool,
    photos: Vec<crate::directory::store::PhotoMeta>,
    /// Where the pin map opens when the listing has no pin: the middle of the territory's
    /// communes.
    map_center: (f64, f64),
    tiles_url: String,
    tiles_attribution: String,
}

async fn form_page(
    state: &AppState,
    page: Page,
    territory: Territory,
    business: Option<Business>,
    values: FormValues,
    errors: Vec<FieldError>,
) -> AppResult<FormPage> {
    let categories = category_tree(&crate::directory::taxonomy(&state.db, territory.id).await?);
    let photos = match &business {
        Some(b) => crate::directory::store::photos(&state.db, b.id).await?,
        None => Vec::new(),
    };
    let communes = crate::territory::communes(&state.db, territory.id).await?;
    let count = communes.len().max(1) as f64;
    let map_center = if communes.is_empty() {
        (46.6, 2.4)
    } else {
        (
            communes.iter().map(|c| c.latitude).sum::<f64>() / count,
            communes.iter().map(|c| c.longitude).sum::<f64>() / count,
        )
    };
    Ok(FormPage {
        map_center,
        tiles_url: state.config.tiles_url.clone(),
        tiles_attribution: state.config.tiles_attribution.clone(),
        photos,
        page: page.with_csrf().await?,
        territory,
        business,
        values,
        errors: FormErrors(errors),
        categories,
        kinds: BusinessKind::ALL.iter().map(|k| (k.as_str(), k.label_key())).collect(),
        statuses: CrisisStatus::ALL.iter().map(|s| (s.as_str(), s.label_key())).collect(),
        days: [
            "day.monday",
            "day.tuesday",
            "day.wednesday",
            "day.thursday",
            "day.friday",
            "day.saturday",
            "day.sunday",
        ]
        .into_iter()
        .enumerate()
        .collect(),
        geocoder: state.config.geocoder_url.is_some(),
    })
}

async fn show_propose(
    State(state): State<AppState>,
    MemberPage { user: _, page, territory }: MemberPage,
) -> AppResult<Response> {
    let mut values = FormValues::default();
    values.set("status", "open");
    render(&form_page(&state, page, territory, None, values, Vec::new()).await?)
}

/// Fills missing coordinates from the geocoder, when one is configured.
async fn locate(state: &AppState, input: &mut BusinessInput) {
    let (Some(url), None, None) = (&state.config.geocoder_url, input.latitude, input.longitude) else {
        return;
    };
    let parts: Vec<&str> = [input.address.as_deref(), input.postcode.as_deref(), input.city.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        return;
    }
    if let Some((lat, lon)) = crate::directory::geocode::geocode(url, &parts.join(" ")).await {
        input.latitude = Some(lat);
        input.longitude = Some(lon);
    }
}

fn form_errors(err: AppError) -> Result<Vec<FieldError>, AppError> {
    match err {
        AppError::Invalid(fields) => Ok(fields),
        AppError::Conflict(key) => Ok(vec![FieldError { field: "name", message: key }]),
        other => Err(other),
    }
}

async fn propose(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let territory = territory_of(&state, &slug).await?;
    let (values, mut input, mut errors) = FormValues::posted(pairs);
    if errors.is_empty() {
        locate(&state, &mut input).await;
        match crate::directory::propose(&state.db, &state.base_url, &user, &territory, &input).await {
            Ok(business) => {
                let key = if business.state() == crate::directory::ListingState::Published {
                    "directory.flash.published"
                } else {
                    "directory.flash.proposed"
                };
                return page
                    .flash_and_go(key, &format!("/t/{}/annuaire/{}", territory.slug, business.id))
                    .await;
            }
            Err(err) => errors = form_errors(err)?,
        }
    }
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(&state, page, territory, None, values, errors).await?,
    )
}

/// The listing of the path, which the signed-in person may edit, in the territory of the path.
struct Listing {
    territory: Territory,
    business: Business,
}

impl Managed for Listing {
    async fn load(state: &AppState, user: &User, slug: &str, id: i64) -> AppResult<Self> {
        let territory = territory_of(state, slug).await?;
        let (business, access) = crate::directory::view(&state.db, Some(user), id).await?;
        if business.territory_id != territory.id {
            return Err(AppError::NotFound);
        }
        if !access.can_edit() {
            return Err(AppError::Forbidden);
        }
        Ok(Self { territory, business })
    }
}

async fn show_edit(
    State(state): State<AppState>,
    ManagerPage { page, id, managed: Listing { territory, business }, .. }: ManagerPage<Listing>,
) -> AppResult<Response> {
    let categories = crate::directory::store::category_links(&state.db, &[id])
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let values = FormValues::of(&business, categories);
    render(&form_page(&state, page, territory, Some(business), values, Vec::new()).await?)
}

async fn edit(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Listing { territory, business } }: ManagerPage<Listing>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (values, mut input, mut errors) = FormValues::posted(pairs);
    if errors.is_empty() {
        locate(&state, &mut input).await;
        match crate::directory::update(&state.db, &user, id, &input).await {
            Ok(_) => {
                page.flash("directory.flash.saved").await?;
                return Ok(see_other(&format!("/t/{}/annuaire/{id}", territory.slug)));
            }
            Err(err) => errors = form_errors(err)?,
        }
    }
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(&state, page, territory, Some(business), values, errors).await?,
    )
}

#[derive(serde::Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    status_message: String,
}

async fn change_status(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Listing { territory, .. } }: ManagerPage<Listing>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let status =
        CrisisStatus::parse(&form.status).ok_or(AppError::invalid("status", "directory.error.status"))?;
    crate::directory::update_status(&state.db, &user, id, status, Some(&form.status_message)).await?;
    page.flash_and_go("directory.flash.status", &format!("/t/{}/annuaire/{id}", territory.slug)).await
}

async fn add_photo(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Listing { territory, .. } }: ManagerPage<Listing>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let upload = read_photo_field(&mut multipart).await?;
    let key = photo_added_flash(crate::directory::add_photo(&state.db, &user, id, upload).await)?;
    page.flash_and_go(key, &format!("/t/{}/annuaire/{id}/modifier#photos", territory.slug)).await
}

async fn remove_photo(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Listing { territory, .. } }: ManagerPage<Listing>,
    Path((_, _, photo)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    crate::directory::remove_photo(&state.db, &user, id, photo).await?;
    page.flash_and_go(
        "directory.flash.photo_removed",
        &format!("/t/{}/annuaire/{id}/modifier#photos", territory.slug),
    )
    .await
}

/// A line of history: the revision, its author's name, and (field, before, after) changes.
type HistoryLine = (Revision, Option<String>, Vec<(String, String, String)>);

#[derive(Template)]
#[template(path = "directory/history.html")]
struct HistoryPage {
    page: Page,
    territory: Territory,
    business: Business,
    revisions: Vec<HistoryLine>,
}

fn describe_changes(changes: &str) -> Vec<(String, String, String)> {
    let parsed: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(changes).unwrap_or_default();
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    parsed
        .into_iter()
        .filter_map(|(field, pair)| {
            let pair = pair.as_array()?;
            Some((field, show(pair.first()?), show(pair.get(1)?)))
        })
        .collect()
}

async fn show_history(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (business, revisions) = crate::directory::history(&state.db, &user, id).await?;
    if business.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    let revisions = revisions.into_iter().map(|(r, name)| {
        let changes = describe_changes(&r.changes);
        (r, name, changes)
    });
    render(&HistoryPage { page, territory, business, revisions: revisions.collect() })
}

#[derive(serde::Deserialize)]
struct ClaimForm {
    #[serde(default)]
    message: String,
}

async fn claim(
    State(state): State<AppState>,
    MemberPage { user, page, territory }: MemberPage,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ClaimForm>,
) -> AppResult<Response> {
    let key = match crate::directory::claim(&state.db, &state.base_url, &user, id, &form.message).await {
        Ok(()) => "directory.flash.claimed",
        Err(AppError::Conflict(key)) => key,
        Err(other) => return Err(other),
    };
    page.flash_and_go(key, &format!("/t/{}/annuaire/{id}", territory.slug)).await
}

#[derive(Template)]
#[template(path = "directory/mine.html")]
struct MinePage {
    page: Page,
    businesses: Vec<(Business, String)>,
}

async fn list_mine(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> AppResult<Response> {
    let owned = crate::directory::owned_by(&state.db, &user).await?;
    let territories = crate::territory::list(&state.db).await?;
    let businesses = owned
        .into_iter()
        .map(|b| {
            let slug = territories
                .iter()
                .find(|t| t.id == b.territory_id)
                .map_or_else(String::new, |t| t.slug.clone());
            (b, slug)
        })
        .collect();
    render(&MinePage { page, businesses })
}
