//! Territories (the scope of one community) and their communes. An instance hosts one or many;
//! every domain record belongs to one.

pub mod api;
pub mod http;
mod store;

use serde::Serialize;
pub use store::{by_id, by_slug, communes, list};

use crate::accounts::User;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};

/// A territory.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Territory {
    /// Identifier.
    pub id: i64,
    /// Short name used in addresses, e.g. `marguerittes`.
    pub slug: String,
    /// Name shown to people.
    pub name: String,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// Local label, e.g. "Made in Sud 78".
    pub label_name: Option<String>,
    /// The label's tag, e.g. `#mis78`.
    pub label_tag: Option<String>,
}

impl Territory {
    /// The territory's time zone (UTC if the stored name is unknown to this build).
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// A place inside a territory.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Commune {
    /// Identifier.
    pub id: i64,
    /// The territory it belongs to.
    pub territory_id: i64,
    /// INSEE code (5 characters, e.g. `30156` or `2A004`).
    pub insee_code: String,
    /// Postcode.
    pub postcode: String,
    /// Name.
    pub name: String,
    /// Latitude of the centroid (WGS 84).
    pub latitude: f64,
    /// Longitude of the centroid (WGS 84).
    pub longitude: f64,
}

/// What creates a territory.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewTerritory {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Time zone.
    pub time_zone: String,
    /// Local label.
    pub label_name: Option<String>,
    /// Local label's tag.
    pub label_tag: Option<String>,
}

/// What adds a commune.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewCommune {
    /// INSEE code.
    pub insee_code: String,
    /// Postcode.
    pub postcode: String,
    /// Name.
    pub name: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
}

/// True for a slug of 2 to 40 lowercase ASCII letters, digits and inner dashes.
pub fn is_valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

fn optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Validates and cleans a new territory.
pub fn validate_territory(input: &NewTerritory) -> AppResult<NewTerritory> {
    let mut errors = Vec::new();
    let slug = input.slug.trim().to_lowercase();
    if !is_valid_slug(&slug) {
        errors.push(FieldError { field: "slug", message: "territory.error.slug" });
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push(FieldError { field: "name", message: "territory.error.name" });
    }
    let time_zone = input.time_zone.trim().to_owned();
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        errors.push(FieldError { field: "time_zone", message: "territory.error.time_zone" });
    }
    let label_tag = optional(input.label_tag.as_deref())
        .map(|tag| if tag.starts_with('#') { tag } else { format!("#{tag}") });
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewTerritory { slug, name, time_zone, label_name: optional(input.label_name.as_deref()), label_tag })
}

/// Validates a commune: a 5-character INSEE code, a 5-digit postcode, a name, and
/// coordinates within the valid ranges.
pub fn validate_commune(input: &NewCommune) -> AppResult<NewCommune> {
    let mut errors = Vec::new();
    let insee_code = input.insee_code.trim().to_uppercase();
    if insee_code.len() != 5 || !insee_code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        errors.push(FieldError { field: "insee_code", message: "territory.error.insee_code" });
    }
    let postcode = input.postcode.trim().to_owned();
    if postcode.len() != 5 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError { field: "postcode", message: "territory.error.postcode" });
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push(FieldError { field: "name", message: "territory.error.name" });
    }
    if !(-90.0..=90.0).contains(&input.latitude) || !input.latitude.is_finite() {
        errors.push(FieldError { field: "latitude", message: "territory.error.latitude" });
    }
    if !(-180.0..=180.0).contains(&input.longitude) || !input.longitude.is_finite() {
        errors.push(FieldError { field: "longitude", message: "territory.error.longitude" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewCommune { insee_code, postcode, name, latitude: input.latitude, longitude: input.longitude })
}

/// Creates a territory. `actor` is `None` for the command line (the shell is the admin);
/// otherwise only an instance admin may.
pub async fn create(db: &Db, actor: Option<&User>, input: &NewTerritory) -> AppResult<Territory> {
    if actor.is_some_and(|user| !user.is_admin) {
        return Err(AppError::Forbidden);
    }
    let clean = validate_territory(input)?;
    store::insert(db, &clean).await?.ok_or(AppError::Conflict("territory.error.slug_taken"))
}

/// Adds a commune to a territory (instance admins, or the command line and the demo).
pub async fn add_commune(
    db: &Db,
    actor: Option<&User>,
    territory_id: i64,
    input: &NewCommune,
) -> AppResult<Commune> {
    if actor.is_some_and(|user| !user.is_admin) {
        return Err(AppError::Forbidden);
    }
    let clean = validate_commune(input)?;
    store::insert_commune(db, territory_id, &clean)
        .await?
        .ok_or(AppError::Conflict("territory.error.commune_exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_words_with_dashes() {
        assert!(is_valid_slug("marguerittes"));
        assert!(is_valid_slug("sud-78"));
        assert!(!is_valid_slug("Sud78"));
        assert!(!is_valid_slug("-sud"));
        assert!(!is_valid_slug("a"));
        assert!(!is_valid_slug("sud 78"));
    }

    #[test]
    fn a_territory_needs_a_known_time_zone_and_gets_a_hash_tag() {
        let input = NewTerritory {
            slug: " Sud-78 ".into(),
            name: "Sud Yvelines".into(),
            time_zone: "Europe/Paris".into(),
            label_name: Some("Made in Sud 78".into()),
            label_tag: Some("mis78".into()),
        };
        let clean = validate_territory(&input).unwrap();
        assert_eq!(clean.slug, "sud-78");
        assert_eq!(clean.label_tag.as_deref(), Some("#mis78"));
        let bad = NewTerritory { time_zone: "Mars/Olympus".into(), ..input };
        assert!(matches!(validate_territory(&bad), Err(AppError::Invalid(f)) if f[0].field == "time_zone"));
    }

    #[test]
    fn commune_coordinates_outside_the_globe_are_refused() {
        let input = NewCommune {
            insee_code: "30156".into(),
            postcode: "30320".into(),
            name: "Marguerittes".into(),
            latitude: 91.0,
            longitude: 4.44,
        };
        let Err(AppError::Invalid(fields)) = validate_commune(&input) else { panic!("accepted") };
        assert_eq!(fields[0].field, "latitude");
    }
}
