//! All of the directory's SQL: businesses, categories, owners, claims, revisions, photos and
//! import files.

use super::{Business, CleanBusiness, CrisisStatus, ListingState, SearchQuery, Service, fold};
use crate::db::{Arg, Backend, Db, Exec, Tx, now};
use crate::error::AppResult;
use crate::{bind_args, on_db, on_exec, on_tx};

/// Columns of [`Business`].
pub const COLUMNS: &str = "b.id, b.territory_id, b.name, b.kind, b.description, b.address, b.postcode, b.city, \
    b.commune_id, b.latitude, b.longitude, b.phone, b.email, b.website, b.social_links, b.opening_hours, \
    b.click_and_collect, b.delivery, b.accepts_local_currency, b.takes_consignment, b.status, b.status_message, \
    b.status_confirmed_at, b.state, b.state_reason, b.created_at, b.updated_at";

/// The derived columns stored with a listing.
pub struct Derived<'a> {
    /// Folded name and postcode, unique per territory.
    pub dedup_key: &'a str,
    /// Folded searchable text.
    pub search_text: &'a str,
    /// The territory's commune matching the town, if any.
    pub commune_id: Option<i64>,
}

/// Inserts a listing in `state`; `None` when the territory already has one with the same
/// name and postcode.
pub async fn insert(
    tx: &mut Tx,
    territory_id: i64,
    clean: &CleanBusiness,
    state: ListingState,
    derived: &Derived<'_>,
) -> AppResult<Option<i64>> {
    let now = now();
    let links = serde_json::to_string(&clean.social_links).map_err(anyhow::Error::from)?;
    let published_at = (state == ListingState::Published).then_some(now);
    let id: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "insert into business (territory_id, name, kind, description, address, postcode, city, commune_id,
            latitude, longitude, phone, email, website, social_links, opening_hours, click_and_collect, delivery,
            takes_consignment, status, status_message, status_confirmed_at, state,
            dedup_key, search_text, created_at, updated_at, published_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $21, $21, $25)
         on conflict (territory_id, dedup_key) do nothing returning id")
        .bind(territory_id).bind(&clean.name).bind(clean.kind.as_str()).bind(&clean.description)
        .bind(&clean.address).bind(&clean.postcode).bind(&clean.city).bind(derived.commune_id)
        .bind(clean.latitude).bind(clean.longitude).bind(&clean.phone).bind(&clean.email).bind(&clean.website)
        .bind(&links).bind(clean.opening_hours.to_json()).bind(clean.click_and_collect).bind(clean.delivery)
        .bind(clean.takes_consignment).bind(clean.status.as_str())
        .bind(&clean.status_message).bind(now).bind(state.as_str()).bind(derived.dedup_key)
        .bind(derived.search_text).bind(published_at)
        .fetch_optional(&mut **conn).await)?;
    Ok(id)
}

/// Overwrites a listing's fields (not its state). Fails with a unique violation of
/// `business_territory_id_dedup_key_key` when the new name and postcode are taken.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    clean: &CleanBusiness,
    derived: &Derived<'_>,
) -> Result<(), sqlx::Error> {
    let links = serde_json::to_string(&clean.social_links).unwrap_or_else(|_| "[]".into());
    on_tx!(tx, conn => sqlx::query(
        "update business set name = $2, kind = $3, description = $4, address = $5, postcode = $6, city = $7,
            commune_id = $8, latitude = $9, longitude = $10, phone = $11, email = $12, website = $13,
            social_links = $14, opening_hours = $15, click_and_collect = $16, delivery = $17,
            takes_consignment = $18, status = $19, status_message = $20,
            status_confirmed_at = $21, dedup_key = $22, search_text = $23, updated_at = $21
         where id = $1")
        .bind(id).bind(&clean.name).bind(clean.kind.as_str()).bind(&clean.description)
        .bind(&clean.address).bind(&clean.postcode).bind(&clean.city).bind(derived.commune_id)
        .bind(clean.latitude).bind(clean.longitude).bind(&clean.phone).bind(&clean.email).bind(&clean.website)
        .bind(&links).bind(clean.opening_hours.to_json()).bind(clean.click_and_collect).bind(clean.delivery)
        .bind(clean.takes_consignment).bind(clean.status.as_str())
        .bind(&clean.status_message).bind(now()).bind(derived.dedup_key).bind(derived.search_text)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One listing.
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<Business>> {
    let sql = format!("select {COLUMNS} from business b where b.id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Business>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// The listing of a territory with this dedup key.
pub async fn id_by_dedup_key(tx: &mut Tx, territory_id: i64, key: &str) -> AppResult<Option<i64>> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "select id from business where territory_id = $1 and dedup_key = $2")
        .bind(territory_id).bind(key).fetch_optional(&mut **conn).await)?)
}

/// Moves a listing to `state` with an optional reason.
pub async fn set_state(tx: &mut Tx, id: i64, state: ListingState, reason: Option<&str>) -> AppResult<()> {
    let now = now();
    let published = (state == ListingState::Published).then_some(now);
    on_tx!(tx, conn => sqlx::query(
        "update business set state = $2, state_reason = $3, updated_at = $4,
            published_at = coalesce($5, published_at) where id = $1")
        .bind(id).bind(state.as_str()).bind(reason).bind(now).bind(published)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the crisis status and marks it confirmed now.
pub async fn set_status(tx: &mut Tx, id: i64, status: CrisisStatus, message: Option<&str>) -> AppResult<()> {
    let now = now();
    on_tx!(tx, conn => sqlx::query(
        "update business set status = $2, status_message = $3, status_confirmed_at = $4, updated_at = $4 where id = $1")
        .bind(id).bind(status.as_str()).bind(message).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the categories of a listing (only categories of its territory are kept).
pub async fn set_categories(
    tx: &mut Tx,
    business_id: i64,
    territory_id: i64,
    category_ids: &[i64],
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("delete from business_category where business_id = $1")
        .bind(business_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    for category_id in category_ids {
        on_tx!(tx, conn => sqlx::query(
            "insert into business_category (business_id, category_id)
             select $1, id from category where id = $2 and territory_id = $3
             on conflict (business_id, category_id) do nothing")
            .bind(business_id).bind(category_id).bind(territory_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The category ids of listings, as (business id, category id) pairs (one query).
pub async fn category_links(db: &Db, business_ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    if business_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers formatted here, never text from a request.
    let list = business_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("select business_id, category_id from business_category where business_id in ({list})");
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(&sql).fetch_all(pool).await)?)
}

/// Adds an owner (nothing happens if already one).
pub async fn add_owner(tx: &mut Tx, business_id: i64, user_id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into business_owner (business_id, user_id, created_at) values ($1, $2, $3)
         on conflict (business_id, user_id) do nothing")
        .bind(business_id).bind(user_id).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a listing as accepting the local currency. Only the wallet calls it, in the transaction
/// that opens the listing's account, so the directory and the wallet cannot disagree.
pub async fn record_currency_acceptance(tx: &mut Tx, business_id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update business set accepts_local_currency = true, updated_at = $2 where id = $1")
        .bind(business_id).bind(now()).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The owners' account ids.
pub async fn owner_ids(ex: impl Into<Exec<'_>>, business_id: i64) -> AppResult<Vec<i64>> {
    Ok(on_exec!(ex.into(), conn => sqlx::query_scalar::<_, i64>(
        "select user_id from business_owner where business_id = $1 order by created_at")
        .bind(business_id).fetch_all(conn).await)?)
}

/// True when the account owns the listing.
pub async fn is_owner(db: &Db, business_id: i64, user_id: i64) -> AppResult<bool> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select user_id from business_owner where business_id = $1 and user_id = $2")
        .bind(business_id).bind(user_id).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// The listings an account owns, in every territory.
pub async fn owned_by(db: &Db, user_id: i64) -> AppResult<Vec<Business>> {
    let sql = format!(
        "select {COLUMNS} from business b join business_owner o on o.business_id = b.id
         where o.user_id = $1 order by b.name"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Business>(&sql).bind(user_id).fetch_all(pool).await)?)
}

/// A line of a listing's history.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Revision {
    /// Identifier.
    pub id: i64,
    /// Who did it (none when the account was deleted or for an import's system changes).
    pub author_id: Option<i64>,
    /// proposed, edited, approved, refused, unpublished, republished, status, imported, claimed, photo.
    pub action: String,
    /// JSON object: field → [before, after].
    pub changes: String,
    /// The reason given.
    pub reason: Option<String>,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// Records a line of history.
pub async fn add_revision(
    tx: &mut Tx,
    business_id: i64,
    author_id: Option<i64>,
    action: &str,
    changes: &serde_json::Value,
    reason: Option<&str>,
) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into business_revision (business_id, author_id, action, changes, reason, created_at)
         values ($1, $2, $3, $4, $5, $6)")
        .bind(business_id).bind(author_id).bind(action).bind(changes.to_string()).bind(reason).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A listing's history, newest first.
pub async fn revisions(db: &Db, business_id: i64) -> AppResult<Vec<Revision>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Revision>(
        "select id, author_id, action, changes, reason, created_at from business_revision
         where business_id = $1 order by id desc")
        .bind(business_id).fetch_all(pool).await)?)
}

/// A search built by the domain: SQL conditions with their arguments.
struct SearchSql {
    /// `and ...` conditions on `b`.
    pub conditions: String,
    /// `order by` expression.
    pub order: String,
    /// Arguments, numbered from `$2` (`$1` is the territory).
    pub args: Vec<Arg>,
}

/// Published listings of a territory matching a search, `limit` from `offset`.
pub async fn search(
    db: &Db,
    territory_id: i64,
    query: &SearchQuery,
    taxonomy: &[Category],
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Business>> {
    let search = build_search(query, taxonomy, db.backend());
    let sql = format!(
        "select {COLUMNS} from business b where b.territory_id = $1 and b.state = 'published' {} order by {} limit {} offset {}",
        search.conditions,
        search.order,
        limit.max(0),
        offset.max(0)
    );
    let mut args = vec![Arg::Int(territory_id)];
    args.extend(search.args.iter().cloned());
    Ok(on_db!(db, pool => bind_args!(sqlx::query_as::<_, Business>(&sql), &args).fetch_all(pool).await)?)
}

/// The published listings of a territory that take orders (click-and-collect or delivery), in
/// `commune` when given, offering every one of `services`.
pub async fn order_takers(
    db: &Db,
    territory_id: i64,
    commune: Option<i64>,
    services: &[Service],
) -> AppResult<Vec<Business>> {
    let mut args = vec![Arg::Int(territory_id)];
    let mut conditions = String::new();
    if let Some(commune) = commune {
        args.push(Arg::Int(commune));
        conditions.push_str(&format!(" and b.commune_id = ${}", args.len()));
    }
    for service in services {
        conditions.push_str(&format!(" and b.{} = true", service.column()));
    }
    let sql = format!(
        "select {COLUMNS} from business b
         where b.territory_id = $1 and b.state = 'published' and (b.click_and_collect = true or b.delivery = true){conditions}
         order by b.id"
    );
    Ok(on_db!(db, pool => bind_args!(sqlx::query_as::<_, Business>(&sql), &args).fetch_all(pool).await)?)
}

/// Listings of a territory in a state (the moderators' queue), oldest first.
pub async fn in_state(db: &Db, territory_id: i64, state: ListingState) -> AppResult<Vec<Business>> {
    let sql = format!(
        "select {COLUMNS} from business b where b.territory_id = $1 and b.state = $2 order by b.updated_at, b.id"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Business>(&sql).bind(territory_id).bind(state.as_str()).fetch_all(pool).await)?,
    )
}

/// A category of the territory's taxonomy.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Category {
    /// Identifier.
    pub id: i64,
    /// The parent category, if nested.
    pub parent_id: Option<i64>,
    /// Name.
    pub name: String,
}

/// The taxonomy of a territory.
pub async fn categories(ex: impl Into<Exec<'_>>, territory_id: i64) -> AppResult<Vec<Category>> {
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Category>(
        "select id, parent_id, name from category where territory_id = $1 order by folded_name")
        .bind(territory_id).fetch_all(conn).await)?)
}

/// Adds a category; `None` when the name exists in the territory.
pub async fn insert_category(
    tx: &mut Tx,
    territory_id: i64,
    parent_id: Option<i64>,
    name: &str,
) -> AppResult<Option<i64>> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into category (territory_id, parent_id, name, folded_name, created_at) values ($1, $2, $3, $4, $5)
         on conflict (territory_id, folded_name) do nothing returning id")
        .bind(territory_id).bind(parent_id).bind(name).bind(super::fold(name)).bind(now())
        .fetch_optional(&mut **conn).await)?)
}

/// Renames and moves a category; false when the new name is taken.
pub async fn update_category(db: &Db, id: i64, parent_id: Option<i64>, name: &str) -> AppResult<bool> {
    let result = on_db!(db, pool => sqlx::query(
        "update category set name = $2, folded_name = $3, parent_id = $4 where id = $1")
        .bind(id).bind(name).bind(super::fold(name)).bind(parent_id).execute(pool).await.map(|r| r.rows_affected()));
    match result {
        Ok(_) => Ok(true),
        Err(err) if crate::db::is_unique_violation(&err, "category_territory_id_folded_name_key") => {
            Ok(false)
        }
        Err(err) => Err(err.into()),
    }
}

/// Deletes a category that has no sub-category (listings simply lose it).
pub async fn delete_category(db: &Db, id: i64) -> AppResult<bool> {
    let result = on_db!(db, pool => sqlx::query(
        "delete from category where id = $1 and not exists (select 1 from category c where c.parent_id = $1)")
        .bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// A request to manage an existing listing.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claim {
    /// Identifier.
    pub id: i64,
    /// The listing.
    pub business_id: i64,
    /// Who asks.
    pub user_id: i64,
    /// Their message to the moderators.
    pub message: String,
    /// pending, approved or refused.
    pub status: String,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// Records a claim; false when this account already asked for this listing.
pub async fn insert_claim(db: &Db, business_id: i64, user_id: i64, message: &str) -> AppResult<bool> {
    let result = on_db!(db, pool => sqlx::query(
        "insert into business_claim (business_id, user_id, message, status, created_at) values ($1, $2, $3, 'pending', $4)
         on conflict (business_id, user_id) do nothing")
        .bind(business_id).bind(user_id).bind(message).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Pending claims on the listings of a territory.
pub async fn pending_claims(db: &Db, territory_id: i64) -> AppResult<Vec<Claim>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Claim>(
        "select c.id, c.business_id, c.user_id, c.message, c.status, c.created_at from business_claim c
         join business b on b.id = c.business_id where b.territory_id = $1 and c.status = 'pending' order by c.id")
        .bind(territory_id).fetch_all(pool).await)?)
}

/// Decides a pending claim; returns it, or `None` when it was not pending.
pub async fn decide_claim(
    tx: &mut Tx,
    claim_id: i64,
    status: &str,
    reason: Option<&str>,
) -> AppResult<Option<Claim>> {
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Claim>(
        "update business_claim set status = $2, reason = $3, decided_at = $4 where id = $1 and status = 'pending'
         returning id, business_id, user_id, message, status, created_at")
        .bind(claim_id).bind(status).bind(reason).bind(now()).fetch_optional(&mut **conn).await)?)
}

/// A photo's metadata.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PhotoMeta {
    /// Identifier.
    pub id: i64,
    /// Its listing.
    pub business_id: i64,
    /// Width of the full image.
    pub width: i64,
    /// Height of the full image.
    pub height: i64,
}

/// Stores a processed photo.
pub async fn insert_photo(
    tx: &mut Tx,
    business_id: i64,
    photo: &super::photo::ProcessedPhoto,
) -> AppResult<i64> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into business_photo (business_id, content_type, full_bytes, thumb_bytes, width, height, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(business_id).bind(photo.full.content_type).bind(&photo.full.bytes).bind(&photo.thumbnail.bytes)
        .bind(i64::from(photo.full.width)).bind(i64::from(photo.full.height)).bind(now())
        .fetch_one(&mut **conn).await)?)
}

/// The photos of a listing.
pub async fn photos(db: &Db, business_id: i64) -> AppResult<Vec<PhotoMeta>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, PhotoMeta>(
        "select id, business_id, width, height from business_photo where business_id = $1 order by id")
        .bind(business_id).fetch_all(pool).await)?)
}

/// A photo's bytes (full or thumbnail) with its content type and listing.
pub async fn photo_bytes(db: &Db, id: i64, thumbnail: bool) -> AppResult<Option<(i64, String, Vec<u8>)>> {
    let sql = if thumbnail {
        "select business_id, content_type, thumb_bytes from business_photo where id = $1"
    } else {
        "select business_id, content_type, full_bytes from business_photo where id = $1"
    };
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, (i64, String, Vec<u8>)>(sql).bind(id).fetch_optional(pool).await)?,
    )
}

/// Deletes a photo of a listing.
pub async fn delete_photo(tx: &mut Tx, business_id: i64, photo_id: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query("delete from business_photo where id = $1 and business_id = $2")
        .bind(photo_id).bind(business_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Keeps an uploaded import file until the moderator confirms it.
pub async fn insert_import(
    db: &Db,
    territory_id: i64,
    user_id: i64,
    filename: &str,
    content: &[u8],
) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "insert into import_batch (territory_id, user_id, filename, content, created_at) values ($1, $2, $3, $4, $5) returning id")
        .bind(territory_id).bind(user_id).bind(filename).bind(content).bind(now()).fetch_one(pool).await)?)
}

/// An uploaded import file of a territory: (file name, content).
pub async fn get_import(db: &Db, id: i64, territory_id: i64) -> AppResult<Option<(String, Vec<u8>)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, Vec<u8>)>(
        "select filename, content from import_batch where id = $1 and territory_id = $2")
        .bind(id).bind(territory_id).fetch_optional(pool).await)?)
}

/// Forgets an import file (once imported, or when old).
pub async fn delete_import(tx: &mut Tx, id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("delete from import_batch where id = $1").bind(id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets import files older than `before` (cleaner job).
pub async fn purge_imports(db: &Db, before: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query("delete from import_batch where created_at < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.195;

fn build_search(query: &SearchQuery, taxonomy: &[Category], backend: Backend) -> SearchSql {
    let mut conditions = String::new();
    let mut args: Vec<Arg> = Vec::new();
    let next = |arg: Arg, args: &mut Vec<Arg>| {
        args.push(arg);
        format!("${}", args.len() + 1)
    };
    // " word" inside the folded text matches a word prefix. A plain substring search is much
    // faster than LIKE (which folds case character by character on SQLite); each backend names
    // it differently.
    let find = match backend {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    for word in fold(&query.text).split(' ').filter(|w| !w.is_empty()).take(8) {
        let placeholder = next(Arg::Text(format!(" {word}")), &mut args);
        conditions.push_str(&format!(" and {find}(b.search_text, {placeholder}) > 0"));
    }
    if let Some(category) = query.category {
        // The category and all its descendants; integers formatted here, never request text.
        let mut ids = vec![category];
        let mut index = 0;
        while index < ids.len() {
            let parent = ids[index];
            ids.extend(taxonomy.iter().filter(|c| c.parent_id == Some(parent)).map(|c| c.id));
            index += 1;
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        conditions.push_str(&format!(
            " and exists (select 1 from business_category bc where bc.business_id = b.id and bc.category_id in ({list}))"
        ));
    }
    if let Some(commune) = query.commune {
        let placeholder = next(Arg::Int(commune), &mut args);
        conditions.push_str(&format!(" and b.commune_id = {placeholder}"));
    }
    if let Some(status) = query.status {
        let placeholder = next(Arg::Text(status.as_str().to_owned()), &mut args);
        conditions.push_str(&format!(" and b.status = {placeholder}"));
    }
    if query.open_now {
        conditions.push_str(" and b.status <> 'closed'");
    }
    for service in &query.services {
        conditions.push_str(&format!(" and b.{} = true", service.column()));
    }
    let mut order = "b.dedup_key, b.id".to_owned();
    if let Some((lat, lon)) = query.near {
        // Equirectangular distance in degrees of latitude: exact enough at a territory's scale,
        // and plain arithmetic on both databases.
        let (lat_p, lon_p, k_p) = (
            next(Arg::Float(lat), &mut args),
            next(Arg::Float(lon), &mut args),
            next(Arg::Float(lat.to_radians().cos()), &mut args),
        );
        let expr = format!(
            "((b.latitude - {lat_p}) * (b.latitude - {lat_p}) + ((b.longitude - {lon_p}) * {k_p}) * ((b.longitude - {lon_p}) * {k_p}))"
        );
        if let Some(radius) = query.radius_km {
            let limit = next(Arg::Float((radius / KM_PER_DEGREE).powi(2)), &mut args);
            conditions.push_str(&format!(" and b.latitude is not null and {expr} <= {limit}"));
        }
        if query.by_distance {
            order = format!("case when b.latitude is null then 1 else 0 end, {expr}, b.id");
        }
    }
    SearchSql { conditions, order, args }
}
