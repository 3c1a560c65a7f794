//! All of the territory context's SQL.

use super::{Commune, NewCommune, NewTerritory, Territory};
use crate::db::{Db, now};
use crate::error::AppResult;
use crate::on_db;

const COLUMNS: &str = "id, slug, name, time_zone, label_name, label_tag";

/// Inserts a territory; `None` when the slug is taken.
pub async fn insert(db: &Db, input: &NewTerritory) -> AppResult<Option<Territory>> {
    let sql = format!(
        "insert into territory (slug, name, time_zone, label_name, label_tag, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (slug) do nothing returning {COLUMNS}"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Territory>(&sql)
        .bind(&input.slug).bind(&input.name).bind(&input.time_zone)
        .bind(&input.label_name).bind(&input.label_tag).bind(now())
        .fetch_optional(pool).await)?)
}

/// Every territory, by name.
pub async fn list(db: &Db) -> AppResult<Vec<Territory>> {
    let sql = format!("select {COLUMNS} from territory order by name, id");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Territory>(&sql).fetch_all(pool).await)?)
}

/// The territory with this slug.
pub async fn by_slug(db: &Db, slug: &str) -> AppResult<Option<Territory>> {
    let sql = format!("select {COLUMNS} from territory where slug = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Territory>(&sql).bind(slug).fetch_optional(pool).await)?)
}

/// The territory with this id.
pub async fn by_id(db: &Db, id: i64) -> AppResult<Option<Territory>> {
    let sql = format!("select {COLUMNS} from territory where id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Territory>(&sql).bind(id).fetch_optional(pool).await)?)
}

/// Inserts a commune; `None` when the territory already has this INSEE code.
pub async fn insert_commune(db: &Db, territory_id: i64, input: &NewCommune) -> AppResult<Option<Commune>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Commune>(
        "insert into commune (territory_id, insee_code, postcode, name, latitude, longitude)
         values ($1, $2, $3, $4, $5, $6) on conflict (territory_id, insee_code) do nothing
         returning id, territory_id, insee_code, postcode, name, latitude, longitude")
        .bind(territory_id).bind(&input.insee_code).bind(&input.postcode).bind(&input.name)
        .bind(input.latitude).bind(input.longitude)
        .fetch_optional(pool).await)?)
}

/// The communes of a territory, by name.
pub async fn communes(db: &Db, territory_id: i64) -> AppResult<Vec<Commune>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Commune>(
        "select id, territory_id, insee_code, postcode, name, latitude, longitude
         from commune where territory_id = $1 order by name")
        .bind(territory_id).fetch_all(pool).await)?)
}
