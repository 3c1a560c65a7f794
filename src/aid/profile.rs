//! Member profiles (display name, presentation, skills, commune, the structures they act for;
//! never an email, phone or address) and saved searches.

use std::collections::HashMap;

use super::store::{self, SavedSearch};
use super::{FoundAd, describe};
use crate::accounts::{self, User};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::{self, Territory};

/// Longest presentation, in characters.
pub const MAX_PRESENTATION_CHARS: usize = 1000;
/// Longest skills line, in characters.
pub const MAX_SKILLS_CHARS: usize = 300;

/// A profile as others see it.
#[derive(Clone, Debug)]
pub struct ProfileView {
    /// Account id.
    pub user_id: i64,
    /// Display name.
    pub display_name: String,
    /// Presentation (empty when hidden by a moderator).
    pub presentation: String,
    /// Skills.
    pub skills: String,
    /// Commune name.
    pub commune: Option<String>,
    /// The commune's id (for the edit form).
    pub commune_id: Option<i64>,
    /// The published directory structures they act for: (name, address of its page).
    pub structures: Vec<(String, String)>,
    /// Hidden by a moderator.
    pub is_hidden: bool,
    /// Their visible, open ads.
    pub ads: Vec<FoundAd>,
}

/// A member's profile, for a signed-in member (profiles are not a public list of who lives
/// where); an unknown account, or one that blocked the viewer, is "not found".
pub async fn view_profile(db: &Db, viewer: &User, user_id: i64) -> AppResult<ProfileView> {
    if store::has_blocked(db, user_id, viewer.id).await? {
        return Err(AppError::NotFound);
    }
    let user = accounts::user_by_id(db, user_id).await?.ok_or(AppError::NotFound)?;
    let row = store::profile(db, user_id).await?.unwrap_or_default();
    let territories: HashMap<i64, Territory> =
        territory::list(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let structures = crate::directory::listings_owned_by(db, user.id)
        .await?
        .into_iter()
        .filter(|b| b.state() == crate::directory::ListingState::Published)
        .filter_map(|b| {
            territories
                .get(&b.territory_id)
                .map(|t| (b.name.clone(), format!("/t/{}/annuaire/{}", t.slug, b.id)))
        })
        .collect();
    let mut commune = None;
    if let Some(commune_id) = row.commune_id {
        for territory_id in territories.keys() {
            if let Some(found) =
                territory::communes(db, *territory_id).await?.into_iter().find(|c| c.id == commune_id)
            {
                commune = Some(found.name);
                break;
            }
        }
    }
    let now = now();
    let todays: HashMap<i64, String> =
        territories.values().map(|t| (t.id, super::today_in(t, now))).collect();
    let visible = store::ads_by_author(db, user.id)
        .await?
        .into_iter()
        .filter(|a| a.is_answerable(now) && !todays.get(&a.territory_id).is_some_and(|d| a.has_ended(d)))
        .take(20)
        .collect();
    Ok(ProfileView {
        user_id: user.id,
        display_name: user.display_name,
        presentation: if row.is_hidden { String::new() } else { row.presentation },
        skills: if row.is_hidden { String::new() } else { row.skills },
        commune,
        commune_id: row.commune_id,
        structures,
        is_hidden: row.is_hidden,
        ads: describe(db, visible, None).await?,
    })
}

/// What `user` wrote about themselves, as saved (empty before the first save), for their form.
pub async fn own_profile(db: &Db, user: &User) -> AppResult<store::ProfileRow> {
    Ok(store::profile(db, user.id).await?.unwrap_or_default())
}

/// What a member writes about themselves.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProfileInput {
    /// A short presentation.
    pub presentation: String,
    /// Skills.
    pub skills: String,
    /// A commune of one of their territories.
    pub commune_id: Option<i64>,
}

/// The communes a member may choose: those of the territories they belong to.
pub async fn communes_for(db: &Db, user: &User) -> AppResult<Vec<territory::Commune>> {
    let mut ids: Vec<i64> =
        accounts::memberships_of(db, user.id).await?.iter().map(|m| m.territory_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut all = Vec::new();
    for id in ids {
        all.extend(territory::communes(db, id).await?);
    }
    Ok(all)
}

/// Saves the profile of `user`; every problem at once.
pub async fn update_profile(db: &Db, user: &User, input: &ProfileInput) -> AppResult<()> {
    let presentation = super::clean_text(&input.presentation);
    let skills = input.skills.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut errors = Vec::new();
    if presentation.chars().count() > MAX_PRESENTATION_CHARS {
        errors.push(FieldError { field: "presentation", message: "aid.error.presentation_long" });
    }
    if skills.chars().count() > MAX_SKILLS_CHARS {
        errors.push(FieldError { field: "skills", message: "aid.error.skills_long" });
    }
    if let Some(commune_id) = input.commune_id
        && !communes_for(db, user).await?.iter().any(|c| c.id == commune_id)
    {
        errors.push(FieldError { field: "commune_id", message: "aid.error.commune" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    store::upsert_profile(db, user.id, &presentation, &skills, input.commune_id, now()).await
}

/// Saves a search (the search page's query string) for a daily digest of new matches.
pub async fn save_search(db: &Db, user: &User, territory: &Territory, query: &str) -> AppResult<()> {
    if query.len() > 1000 {
        return Err(AppError::BadRequest("aid.error.search_long"));
    }
    if store::saved_searches_of(db, user.id).await?.len() >= 20 {
        return Err(AppError::Conflict("aid.error.too_many_searches"));
    }
    store::insert_saved_search(db, user.id, territory.id, query, now()).await
}

/// The saved searches of `user` with their territory's slug.
pub async fn saved_searches(db: &Db, user: &User) -> AppResult<Vec<(SavedSearch, String)>> {
    let slugs: HashMap<i64, String> =
        territory::list(db).await?.into_iter().map(|t| (t.id, t.slug)).collect();
    Ok(store::saved_searches_of(db, user.id)
        .await?
        .into_iter()
        .map(|s| {
            let slug = slugs.get(&s.territory_id).cloned().unwrap_or_default();
            (s, slug)
        })
        .collect())
}

/// Deletes one of `user`'s saved searches.
pub async fn delete_saved_search(db: &Db, user: &User, id: i64) -> AppResult<()> {
    if store::delete_saved_search(db, user.id, id).await? { Ok(()) } else { Err(AppError::NotFound) }
}
