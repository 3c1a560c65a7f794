//! The directory's rules: who may propose, edit, approve, refuse, unpublish, claim, import; what
//! a search returns; what the open-data exports hold. Every function receives the acting user.

use std::collections::HashMap;

use serde_json::json;

use super::import_export::{self, ExportedBusiness, ImportReport, ImportedBusiness};
use super::photo::StoredPhoto;
use super::store::{self, Category, Derived};
use super::{
    Business, BusinessInput, CleanBusiness, CrisisStatus, ListingState, fold, search_text, validate,
};
use crate::accounts::{self, Role, User};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::mail::{self, Email};
use crate::territory::{self, Territory};
use crate::web::i18n::Tr;

/// What the viewer of a listing may do with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    /// Owns the listing.
    pub is_owner: bool,
    /// Moderates the territory.
    pub is_moderator: bool,
}

impl Access {
    /// Owners and moderators edit.
    pub fn can_edit(self) -> bool {
        self.is_owner || self.is_moderator
    }
}

/// True when `user` moderates the territory (instance admins do).
pub async fn is_moderator(db: &Db, user: &User, territory_id: i64) -> AppResult<bool> {
    accounts::has_role(db, user, territory_id, Role::Moderator).await
}

async fn access(db: &Db, user: Option<&User>, business: &Business) -> AppResult<Access> {
    let Some(user) = user else { return Ok(Access::default()) };
    Ok(Access {
        is_owner: store::is_owner(db, business.id, user.id).await?,
        is_moderator: is_moderator(db, user, business.territory_id).await?,
    })
}

pub(super) async fn require_moderator(db: &Db, user: &User, territory_id: i64) -> AppResult<()> {
    if is_moderator(db, user, territory_id).await? { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A listing as `viewer` may see it: unpublished listings exist only for their owners and the
/// moderators (anyone else gets "not found").
pub async fn view(db: &Db, viewer: Option<&User>, id: i64) -> AppResult<(Business, Access)> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    let access = access(db, viewer, &business).await?;
    if business.state() != ListingState::Published && !access.can_edit() {
        return Err(AppError::NotFound);
    }
    Ok((business, access))
}

/// A listing as anyone sees it: `None` unless it exists and is published.
pub async fn published_listing(db: &Db, id: i64) -> AppResult<Option<Business>> {
    Ok(store::get(db, id).await?.filter(|b| b.state() == ListingState::Published))
}

/// The names of a listing's categories.
pub async fn category_names(db: &Db, business: &Business) -> AppResult<Vec<String>> {
    let taxonomy = store::categories(db, business.territory_id).await?;
    let links = store::category_links(db, &[business.id]).await?;
    Ok(names_of(&taxonomy, links.iter().map(|(_, c)| *c)))
}

fn names_of(taxonomy: &[Category], ids: impl Iterator<Item = i64>) -> Vec<String> {
    ids.filter_map(|id| taxonomy.iter().find(|c| c.id == id)).map(|c| c.name.clone()).collect()
}

/// The territory's commune whose name or postcode matches a town.
async fn commune_for(db: &Db, territory_id: i64, clean: &CleanBusiness) -> AppResult<Option<i64>> {
    let Some(city) = clean.city.as_deref() else { return Ok(None) };
    let communes = territory::communes(db, territory_id).await?;
    Ok(communes.iter().find(|c| fold(&c.name) == fold(city)).map(|c| c.id))
}

async fn derive(
    db: &Db,
    territory_id: i64,
    clean: &CleanBusiness,
    taxonomy: &[Category],
) -> AppResult<(String, String, Option<i64>)> {
    let categories = names_of(taxonomy, clean.category_ids.iter().copied());
    let key = import_export::dedup_key(&clean.name, clean.postcode.as_deref());
    let text = search_text(&clean.name, &categories, clean.city.as_deref(), &clean.description);
    Ok((key, text, commune_for(db, territory_id, clean).await?))
}

pub(super) async fn notify(
    tx: &mut Tx,
    users: &[User],
    subject: &str,
    body: &str,
    args: &[(&str, &str)],
) -> AppResult<()> {
    for user in users {
        let t = Tr::new(user.lang());
        let mut all = args.to_vec();
        all.push(("name", &user.display_name));
        mail::enqueue(tx, &Email::new(&user.email, t.get(subject), t.fill(body, &all))).await?;
    }
    Ok(())
}

/// Proposes a new listing: the proposer becomes an owner and the moderators are told. A
/// moderator's own proposal is published at once.
pub async fn propose(
    db: &Db,
    base_url: &str,
    actor: &User,
    territory: &Territory,
    input: &BusinessInput,
) -> AppResult<Business> {
    let clean = validate(input).map_err(AppError::Invalid)?;
    let moderator = is_moderator(db, actor, territory.id).await?;
    let state = if moderator { ListingState::Published } else { ListingState::Pending };
    let taxonomy = store::categories(db, territory.id).await?;
    let (key, text, commune_id) = derive(db, territory.id, &clean, &taxonomy).await?;
    let moderators = if moderator {
        Vec::new()
    } else {
        accounts::users_with_role(db, territory.id, Role::Moderator).await?
    };
    let mut tx = db.begin().await?;
    let derived = Derived { dedup_key: &key, search_text: &text, commune_id };
    let id = store::insert(&mut tx, territory.id, &clean, state, &derived)
        .await?
        .ok_or(AppError::Conflict("directory.error.duplicate"))?;
    store::set_categories(&mut tx, id, territory.id, &clean.category_ids).await?;
    store::add_owner(&mut tx, id, actor.id).await?;
    store::add_revision(&mut tx, id, Some(actor.id), "proposed", &json!({}), None).await?;
    let link = format!("{base_url}/t/{}/moderation", territory.slug);
    notify(
        &mut tx,
        &moderators,
        "mail.directory.proposed.subject",
        "mail.directory.proposed.body",
        &[("business", &clean.name), ("link", &link)],
    )
    .await?;
    let business = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(business)
}

/// The fields that changed between a stored listing and its new version, for the history.
fn changes(before: &Business, after: &CleanBusiness) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut compare = |field: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            out.insert(field.to_owned(), json!([old, new]));
        }
    };
    compare("name", json!(before.name), json!(after.name));
    compare("kind", json!(before.kind), json!(after.kind.as_str()));
    compare("description", json!(before.description), json!(after.description));
    compare("address", json!(before.address), json!(after.address));
    compare("postcode", json!(before.postcode), json!(after.postcode));
    compare("city", json!(before.city), json!(after.city));
    compare("latitude", json!(before.latitude), json!(after.latitude));
    compare("longitude", json!(before.longitude), json!(after.longitude));
    compare("phone", json!(before.phone), json!(after.phone));
    compare("email", json!(before.email), json!(after.email));
    compare("website", json!(before.website), json!(after.website));
    compare("social_links", json!(before.social_links()), json!(after.social_links));
    compare("opening_hours", json!(before.hours()), json!(after.opening_hours));
    compare("click_and_collect", json!(before.click_and_collect), json!(after.click_and_collect));
    compare("delivery", json!(before.delivery), json!(after.delivery));
    compare("takes_consignment", json!(before.takes_consignment), json!(after.takes_consignment));
    compare("status", json!(before.status), json!(after.status.as_str()));
    compare("status_message", json!(before.status_message), json!(after.status_message));
    serde_json::Value::Object(out)
}

/// Edits a listing (owners and moderators). A refused listing corrected by its owner goes back
/// to the moderators' queue. Every change is kept in the history.
pub async fn update(db: &Db, actor: &User, id: i64, input: &BusinessInput) -> AppResult<Business> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    let access = access(db, Some(actor), &business).await?;
    if !access.can_edit() {
        return Err(if business.state() == ListingState::Published {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    let clean = validate(input).map_err(AppError::Invalid)?;
    let taxonomy = store::categories(db, business.territory_id).await?;
    let (key, text, commune_id) = derive(db, business.territory_id, &clean, &taxonomy).await?;
    let mut diff = changes(&business, &clean);
    let before_categories: Vec<i64> =
        store::category_links(db, &[id]).await?.into_iter().map(|(_, c)| c).collect();
    let mut after_categories = clean.category_ids.clone();
    after_categories.retain(|c| taxonomy.iter().any(|t| t.id == *c));
    let (mut old_sorted, mut new_sorted) = (before_categories.clone(), after_categories.clone());
    old_sorted.sort_unstable();
    new_sorted.sort_unstable();
    if old_sorted != new_sorted {
        diff["categories"] = json!([
            names_of(&taxonomy, before_categories.into_iter()),
            names_of(&taxonomy, after_categories.into_iter())
        ]);
    }
    let mut tx = db.begin().await?;
    let derived = Derived { dedup_key: &key, search_text: &text, commune_id };
    match store::update(&mut tx, id, &clean, &derived).await {
        Ok(()) => {}
        Err(err) if crate::db::is_unique_violation(&err, "business_territory_id_dedup_key_key") => {
            return Err(AppError::Conflict("directory.error.duplicate"));
        }
        Err(err) => return Err(err.into()),
    }
    store::set_categories(&mut tx, id, business.territory_id, &clean.category_ids).await?;
    store::add_revision(&mut tx, id, Some(actor.id), "edited", &diff, None).await?;
    if business.state() == ListingState::Refused && access.is_owner && !access.is_moderator {
        store::set_state(&mut tx, id, ListingState::Pending, None).await?;
        store::add_revision(&mut tx, id, Some(actor.id), "proposed", &json!({}), None).await?;
    }
    let updated = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

/// Confirms or changes the crisis status in one tap (owners and moderators).
pub async fn update_status(
    db: &Db,
    actor: &User,
    id: i64,
    status: CrisisStatus,
    message: Option<&str>,
) -> AppResult<()> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    if !access(db, Some(actor), &business).await?.can_edit() {
        return Err(AppError::Forbidden);
    }
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    if message.is_some_and(|m| m.chars().count() > 300) {
        return Err(AppError::invalid("status_message", "directory.error.too_long"));
    }
    let mut tx = db.begin().await?;
    store::set_status(&mut tx, id, status, message).await?;
    let diff = json!({"status": [business.status, status.as_str()], "status_message": [business.status_message, message]});
    store::add_revision(&mut tx, id, Some(actor.id), "status", &diff, None).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn owners(db: &Db, business_id: i64) -> AppResult<Vec<User>> {
    accounts::users_by_ids(db, &store::owner_ids(db, business_id).await?).await
}

/// Publishes a pending, refused or unpublished listing (moderators); its owners become
/// merchants of the territory and are told by email.
pub async fn approve(db: &Db, base_url: &str, actor: &User, id: i64) -> AppResult<()> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    require_moderator(db, actor, business.territory_id).await?;
    if business.state() == ListingState::Published {
        return Err(AppError::Conflict("directory.error.already_published"));
    }
    let owners = owners(db, id).await?;
    let territory = territory::by_id(db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    store::set_state(&mut tx, id, ListingState::Published, None).await?;
    for owner in &owners {
        accounts::grant_role_in_tx(&mut tx, owner.id, business.territory_id, Role::Merchant).await?;
    }
    let action = if business.state() == ListingState::Unpublished { "republished" } else { "approved" };
    store::add_revision(&mut tx, id, Some(actor.id), action, &json!({}), None).await?;
    let link = format!("{base_url}/t/{}/annuaire/{id}", territory.slug);
    notify(
        &mut tx,
        &owners,
        "mail.directory.approved.subject",
        "mail.directory.approved.body",
        &[("business", &business.name), ("link", &link)],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a pending listing, or unpublishes a published one (moderators), with a reason the
/// owners receive by email.
pub async fn refuse_or_unpublish(
    db: &Db,
    base_url: &str,
    actor: &User,
    id: i64,
    reason: &str,
) -> AppResult<ListingState> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    require_moderator(db, actor, business.territory_id).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(AppError::invalid("reason", "directory.error.reason_required"));
    }
    let (state, action, subject, body) = match business.state() {
        ListingState::Pending => (
            ListingState::Refused,
            "refused",
            "mail.directory.refused.subject",
            "mail.directory.refused.body",
        ),
        ListingState::Published => (
            ListingState::Unpublished,
            "unpublished",
            "mail.directory.unpublished.subject",
            "mail.directory.unpublished.body",
        ),
        _ => return Err(AppError::Conflict("directory.error.not_pending")),
    };
    let owners = owners(db, id).await?;
    let territory = territory::by_id(db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    store::set_state(&mut tx, id, state, Some(reason)).await?;
    store::add_revision(&mut tx, id, Some(actor.id), action, &json!({}), Some(reason)).await?;
    let link = format!("{base_url}/t/{}/annuaire/{id}/modifier", territory.slug);
    notify(
        &mut tx,
        &owners,
        subject,
        body,
        &[("business", &business.name), ("reason", reason), ("link", &link)],
    )
    .await?;
    tx.commit().await?;
    Ok(state)
}

/// The moderators' queue of a territory: pending listings and pending claims.
pub async fn moderation_queue(
    db: &Db,
    actor: &User,
    territory_id: i64,
) -> AppResult<(Vec<Business>, Vec<(store::Claim, Business, User)>)> {
    require_moderator(db, actor, territory_id).await?;
    let pending = store::in_state(db, territory_id, ListingState::Pending).await?;
    let claims = store::pending_claims(db, territory_id).await?;
    let users = accounts::users_by_ids(db, &claims.iter().map(|c| c.user_id).collect::<Vec<_>>()).await?;
    let mut detailed = Vec::new();
    for claim in claims {
        let (Some(business), Some(user)) =
            (store::get(db, claim.business_id).await?, users.iter().find(|u| u.id == claim.user_id))
        else {
            continue;
        };
        detailed.push((claim, business, user.clone()));
    }
    Ok((pending, detailed))
}

/// A listing's history (owners and moderators), with author names.
pub async fn history(
    db: &Db,
    actor: &User,
    id: i64,
) -> AppResult<(Business, Vec<(store::Revision, Option<String>)>)> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    if !access(db, Some(actor), &business).await?.can_edit() {
        return Err(AppError::NotFound);
    }
    let revisions = store::revisions(db, id).await?;
    let mut author_ids: Vec<i64> = revisions.iter().filter_map(|r| r.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors = accounts::users_by_ids(db, &author_ids).await?;
    let named = revisions
        .into_iter()
        .map(|r| {
            let name =
                r.author_id.and_then(|a| authors.iter().find(|u| u.id == a)).map(|u| u.display_name.clone());
            (r, name)
        })
        .collect();
    Ok((business, named))
}

/// Which service a search asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Click-and-collect.
    ClickAndCollect,
    /// Delivery.
    Delivery,
    /// Accepts the local currency.
    LocalCurrency,
    /// Takes consignment.
    Consignment,
}

impl Service {
    /// Parses `click_and_collect`, `delivery`, `local_currency`, `consignment`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "click_and_collect" => Some(Self::ClickAndCollect),
            "delivery" => Some(Self::Delivery),
            "local_currency" => Some(Self::LocalCurrency),
            "consignment" => Some(Self::Consignment),
            _ => None,
        }
    }

    pub(super) fn column(self) -> &'static str {
        match self {
            Self::ClickAndCollect => "click_and_collect",
            Self::Delivery => "delivery",
            Self::LocalCurrency => "accepts_local_currency",
            Self::Consignment => "takes_consignment",
        }
    }
}

/// A directory search.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// Words, matched as word prefixes, ignoring case and accents.
    pub text: String,
    /// A category (its sub-categories included).
    pub category: Option<i64>,
    /// A commune of the territory.
    pub commune: Option<i64>,
    /// A crisis status.
    pub status: Option<CrisisStatus>,
    /// Services required.
    pub services: Vec<Service>,
    /// Only what is open now (status not closed and opening hours, when given, saying open).
    pub open_now: bool,
    /// A point to measure distances from.
    pub near: Option<(f64, f64)>,
    /// Only within this distance of `near`, in kilometres.
    pub radius_km: Option<f64>,
    /// Sort by distance from `near` instead of by name.
    pub by_distance: bool,
    /// Results skipped (pagination).
    pub offset: i64,
    /// Results per page.
    pub limit: i64,
}

/// A listing in search results.
#[derive(Clone, Debug)]
pub struct Found {
    /// The listing.
    pub business: Business,
    /// Its category names.
    pub categories: Vec<String>,
    /// Distance from the search point, in kilometres.
    pub distance_km: Option<f64>,
}

/// A page of results.
#[derive(Clone, Debug)]
pub struct SearchPage {
    /// The listings.
    pub items: Vec<Found>,
    /// True when another page follows.
    pub has_more: bool,
}

/// Searches the published listings of a territory.
pub async fn search(db: &Db, territory: &Territory, query: &SearchQuery) -> AppResult<SearchPage> {
    let taxonomy = store::categories(db, territory.id).await?;
    let limit = query.limit.clamp(1, 200);
    let mut rows = if query.open_now {
        // Opening hours are checked here, in the territory's time zone, so the page is cut after.
        let zone = territory.tz();
        let now = jiff::Timestamp::now();
        let all = store::search(db, territory.id, query, &taxonomy, 100_000, 0).await?;
        let open: Vec<Business> = all
            .into_iter()
            .filter(|b| {
                let hours = b.hours();
                hours.is_empty() || hours.is_open_at(now, &zone)
            })
            .collect();
        open.into_iter()
            .skip(usize::try_from(query.offset.max(0)).unwrap_or(0))
            .take(usize::try_from(limit + 1).unwrap_or(1))
            .collect()
    } else {
        store::search(db, territory.id, query, &taxonomy, limit + 1, query.offset).await?
    };
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let links = store::category_links(db, &rows.iter().map(|b| b.id).collect::<Vec<_>>()).await?;
    let items = rows
        .into_iter()
        .map(|business| {
            let categories =
                names_of(&taxonomy, links.iter().filter(|(b, _)| *b == business.id).map(|(_, c)| *c));
            let distance_km = match (query.near, business.latitude, business.longitude) {
                (Some(from), Some(lat), Some(lon)) => Some(super::distance_km(from, (lat, lon))),
                _ => None,
            };
            Found { business, categories, distance_km }
        })
        .collect();
    Ok(SearchPage { items, has_more })
}

/// The published directory of a territory, for the CSV and GeoJSON exports.
pub async fn exports(db: &Db, territory: &Territory, base_url: &str) -> AppResult<Vec<ExportedBusiness>> {
    let query = SearchQuery { limit: 200, ..SearchQuery::default() };
    let taxonomy = store::categories(db, territory.id).await?;
    let rows = store::search(db, territory.id, &query, &taxonomy, 1_000_000, 0).await?;
    let links = store::category_links(db, &rows.iter().map(|b| b.id).collect::<Vec<_>>()).await?;
    let mut by_business: HashMap<i64, Vec<i64>> = HashMap::new();
    for (business, category) in links {
        by_business.entry(business).or_default().push(category);
    }
    Ok(rows
        .into_iter()
        .map(|b| {
            let categories = names_of(&taxonomy, by_business.get(&b.id).into_iter().flatten().copied());
            to_export(b, categories, &format!("{base_url}/t/{}/annuaire", territory.slug))
        })
        .collect())
}

fn to_export(b: Business, categories: Vec<String>, directory_url: &str) -> ExportedBusiness {
    let confirmed =
        b.status_confirmed_at.and_then(|s| jiff::Timestamp::from_second(s).ok()).map(|t| t.to_string());
    ExportedBusiness {
        id: b.id,
        url: format!("{directory_url}/{}", b.id),
        kind: b.kind(),
        status: b.status(),
        social_links: b.social_links(),
        name: b.name,
        categories,
        address: b.address,
        postcode: b.postcode,
        city: b.city,
        phone: b.phone,
        email: b.email,
        website: b.website,
        latitude: b.latitude,
        longitude: b.longitude,
        status_message: b.status_message,
        status_confirmed_at: confirmed,
        click_and_collect: b.click_and_collect,
        delivery: b.delivery,
        takes_consignment: b.takes_consignment,
        accepts_local_currency: b.accepts_local_currency,
        description: b.description,
    }
}

/// Reads an import file (moderators), keeps it for confirmation, and returns its report.
pub async fn import_preview(
    db: &Db,
    actor: &User,
    territory: &Territory,
    filename: &str,
    content: &[u8],
) -> AppResult<(i64, ImportReport)> {
    require_moderator(db, actor, territory.id).await?;
    let report = import_export::parse_businesses_csv(content)
        .map_err(|_| AppError::BadRequest("directory.import.unreadable"))?;
    let batch = store::insert_import(db, territory.id, actor.id, filename, content).await?;
    Ok((batch, report))
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// New listings.
    pub created: usize,
    /// Listings updated (already there from an earlier import).
    pub updated: usize,
}

fn imported_to_input(row: &ImportedBusiness, category_ids: Vec<i64>) -> BusinessInput {
    BusinessInput {
        name: row.name.clone(),
        kind: row.kind.as_str().to_owned(),
        description: row.description.clone(),
        address: row.address.clone(),
        postcode: row.postcode.clone(),
        city: row.city.clone(),
        latitude: row.latitude,
        longitude: row.longitude,
        phone: row.phone.clone(),
        email: row.email.clone(),
        website: row.website.clone(),
        social_links: row.social_links.clone(),
        click_and_collect: row.click_and_collect,
        delivery: row.delivery,
        takes_consignment: row.takes_consignment,
        status: row.status.map(|s| s.as_str().to_owned()),
        status_message: None,
        category_ids,
        opening_hours: None,
    }
}

/// Imports the valid rows of a report in one transaction (moderators): new listings are
/// published, listings already imported (same name and postcode) are updated, so importing the
/// same file twice changes nothing. Missing categories are created.
pub async fn import_rows(
    db: &Db,
    actor: &User,
    territory: &Territory,
    report: &ImportReport,
) -> AppResult<ImportOutcome> {
    require_moderator(db, actor, territory.id).await?;
    let mut outcome = ImportOutcome::default();
    let mut tx = db.begin().await?;
    let mut taxonomy = store::categories(&mut tx, territory.id).await?;
    let communes = territory::communes(db, territory.id).await?;
    for row in &report.accepted {
        let mut category_ids = Vec::new();
        for name in row.category_list() {
            let id = match taxonomy.iter().find(|c| fold(&c.name) == fold(&name)) {
                Some(category) => category.id,
                None => {
                    let id = store::insert_category(&mut tx, territory.id, None, &name)
                        .await?
                        .ok_or(AppError::Conflict("directory.error.category_exists"))?;
                    taxonomy.push(Category { id, parent_id: None, name: name.clone() });
                    id
                }
            };
            category_ids.push(id);
        }
        // The importer already validated the row; this is the same check the forms use.
        let clean = validate(&imported_to_input(row, category_ids)).map_err(AppError::Invalid)?;
        let key = row.dedup_key();
        let names = names_of(&taxonomy, clean.category_ids.iter().copied());
        let text = search_text(&clean.name, &names, clean.city.as_deref(), &clean.description);
        let commune_id = clean
            .city
            .as_deref()
            .and_then(|city| communes.iter().find(|c| fold(&c.name) == fold(city)))
            .map(|c| c.id);
        let derived = Derived { dedup_key: &key, search_text: &text, commune_id };
        match store::id_by_dedup_key(&mut tx, territory.id, &key).await? {
            Some(id) => {
                let before = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
                let diff = changes(&before, &clean);
                store::update(&mut tx, id, &clean, &derived).await?;
                store::set_categories(&mut tx, id, territory.id, &clean.category_ids).await?;
                if diff.as_object().is_some_and(|d| !d.is_empty()) {
                    store::add_revision(&mut tx, id, Some(actor.id), "imported", &diff, None).await?;
                    outcome.updated += 1;
                }
            }
            None => {
                let id = store::insert(&mut tx, territory.id, &clean, ListingState::Published, &derived)
                    .await?
                    .ok_or(AppError::Conflict("directory.error.duplicate"))?;
                store::set_categories(&mut tx, id, territory.id, &clean.category_ids).await?;
                store::add_revision(&mut tx, id, Some(actor.id), "imported", &json!({}), None).await?;
                outcome.created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Imports a file kept by [`import_preview`] and forgets it.
pub async fn import_confirm(
    db: &Db,
    actor: &User,
    territory: &Territory,
    batch_id: i64,
) -> AppResult<(ImportOutcome, ImportReport)> {
    require_moderator(db, actor, territory.id).await?;
    let (_, content) = store::get_import(db, batch_id, territory.id).await?.ok_or(AppError::NotFound)?;
    let report = import_export::parse_businesses_csv(&content)
        .map_err(|_| AppError::BadRequest("directory.import.unreadable"))?;
    let outcome = import_rows(db, actor, territory, &report).await?;
    let mut tx = db.begin().await?;
    store::delete_import(&mut tx, batch_id).await?;
    tx.commit().await?;
    Ok((outcome, report))
}

/// The taxonomy of a territory.
pub async fn taxonomy(db: &Db, territory_id: i64) -> AppResult<Vec<Category>> {
    store::categories(db, territory_id).await
}

fn clean_category_name(name: &str) -> AppResult<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::invalid("name", "directory.error.category_name"));
    }
    Ok(name)
}

async fn check_parent(db: &Db, territory_id: i64, id: Option<i64>, parent_id: Option<i64>) -> AppResult<()> {
    let Some(parent) = parent_id else { return Ok(()) };
    let taxonomy = store::categories(db, territory_id).await?;
    if !taxonomy.iter().any(|c| c.id == parent) {
        return Err(AppError::invalid("parent_id", "directory.error.category_parent"));
    }
    // Walking up from the new parent must never meet the category itself (no cycles).
    let mut current = Some(parent);
    while let Some(at) = current {
        if Some(at) == id {
            return Err(AppError::invalid("parent_id", "directory.error.category_cycle"));
        }
        current = taxonomy.iter().find(|c| c.id == at).and_then(|c| c.parent_id);
    }
    Ok(())
}

/// Adds a category to the taxonomy (moderators).
pub async fn add_category(
    db: &Db,
    actor: &User,
    territory_id: i64,
    name: &str,
    parent_id: Option<i64>,
) -> AppResult<i64> {
    require_moderator(db, actor, territory_id).await?;
    let name = clean_category_name(name)?;
    check_parent(db, territory_id, None, parent_id).await?;
    let mut tx = db.begin().await?;
    let id = store::insert_category(&mut tx, territory_id, parent_id, &name)
        .await?
        .ok_or(AppError::Conflict("directory.error.category_exists"))?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or moves a category (moderators).
pub async fn edit_category(
    db: &Db,
    actor: &User,
    territory_id: i64,
    id: i64,
    name: &str,
    parent_id: Option<i64>,
) -> AppResult<()> {
    require_moderator(db, actor, territory_id).await?;
    if !store::categories(db, territory_id).await?.iter().any(|c| c.id == id) {
        return Err(AppError::NotFound);
    }
    let name = clean_category_name(name)?;
    check_parent(db, territory_id, Some(id), parent_id).await?;
    if store::update_category(db, id, parent_id, &name).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("directory.error.category_exists"))
    }
}

/// Deletes a category without sub-categories (moderators).
pub async fn remove_category(db: &Db, actor: &User, territory_id: i64, id: i64) -> AppResult<()> {
    require_moderator(db, actor, territory_id).await?;
    if !store::categories(db, territory_id).await?.iter().any(|c| c.id == id) {
        return Err(AppError::NotFound);
    }
    if store::delete_category(db, id).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("directory.error.category_has_children"))
    }
}

/// Adds a photo to a listing (owners and moderators): checked, re-encoded, resized, stripped.
pub async fn add_photo(db: &Db, actor: &User, id: i64, upload: Vec<u8>) -> AppResult<i64> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    if !access(db, Some(actor), &business).await?.can_edit() {
        return Err(AppError::Forbidden);
    }
    if store::photos(db, id).await?.len() >= 8 {
        return Err(AppError::invalid("photo", "directory.photo.too_many"));
    }
    let processed = process_upload(upload).await?;
    let mut tx = db.begin().await?;
    let photo_id = store::insert_photo(&mut tx, id, &processed).await?;
    store::add_revision(&mut tx, id, Some(actor.id), "photo_added", &json!({"photo": photo_id}), None)
        .await?;
    tx.commit().await?;
    Ok(photo_id)
}

/// Checks and re-encodes an uploaded photo off the async threads (shared with the catalogue's
/// product photos); a refused photo is an invalid `photo` field.
pub async fn process_upload(upload: Vec<u8>) -> AppResult<super::photo::ProcessedPhoto> {
    tokio::task::spawn_blocking(move || super::photo::process_photo(&upload))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::invalid("photo", e.message_key()))
}

/// Removes a photo (owners and moderators).
pub async fn remove_photo(db: &Db, actor: &User, id: i64, photo_id: i64) -> AppResult<()> {
    let business = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    if !access(db, Some(actor), &business).await?.can_edit() {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    if !store::delete_photo(&mut tx, id, photo_id).await? {
        return Err(AppError::NotFound);
    }
    store::add_revision(&mut tx, id, Some(actor.id), "photo_removed", &json!({"photo": photo_id}), None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A photo's bytes, if its listing is visible to `viewer`.
pub async fn photo(db: &Db, viewer: Option<&User>, photo_id: i64, thumbnail: bool) -> AppResult<StoredPhoto> {
    let (business_id, content_type, bytes) =
        store::photo_bytes(db, photo_id, thumbnail).await?.ok_or(AppError::NotFound)?;
    let (business, _) = view(db, viewer, business_id).await?;
    Ok(StoredPhoto { content_type, bytes, public: business.state() == ListingState::Published })
}

/// The listings `user` owns.
pub async fn owned_by(db: &Db, user: &User) -> AppResult<Vec<Business>> {
    store::owned_by(db, user.id).await
}
