//! Ads: posting (with the territory's moderation mode and the daily limit), reading with
//! visibility rules, editing, status and renewal by their author, and the search.

use std::collections::HashMap;

use super::store;
use super::{
    AD_LIFETIME_SECS, ADS_PER_DAY, Ad, AdInput, AdKind, AdState, AdStatus, BUILTIN_DOMAINS, CleanAd,
    ModerationMode, Place, builtin_domain_key, search_text, validate,
};
use crate::accounts::{self, Role, User};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::{self, Email};
use crate::territory::{self, Territory};
use crate::web::i18n::{Lang, Tr};
use crate::web::rate_limit;

/// A domain of a territory: built-in (translated) or added by a moderator (named).
#[derive(Clone, Debug)]
pub struct DomainOption {
    /// Stored code.
    pub code: String,
    /// The i18n key of a built-in domain.
    pub key: Option<&'static str>,
    /// The name of an added domain.
    pub name: String,
}

impl DomainOption {
    /// The name shown in `t`'s language.
    pub fn label(&self, t: &Tr) -> String {
        match self.key {
            Some(key) => t.get(key).to_owned(),
            None => self.name.clone(),
        }
    }
}

/// The domains of a territory: the built-in ones, then those moderators added.
pub async fn domains(db: &Db, territory_id: i64) -> AppResult<Vec<DomainOption>> {
    let mut all: Vec<DomainOption> = BUILTIN_DOMAINS
        .iter()
        .map(|code| DomainOption {
            code: (*code).to_owned(),
            key: builtin_domain_key(code),
            name: String::new(),
        })
        .collect();
    for (code, name) in store::custom_domains(db, territory_id).await? {
        all.push(DomainOption { code, key: None, name });
    }
    Ok(all)
}

/// The name of a domain code in `t`'s language (the code itself when unknown).
pub fn domain_label(domains: &[DomainOption], code: &str, t: &Tr) -> String {
    domains.iter().find(|d| d.code == code).map_or_else(|| code.to_owned(), |d| d.label(t))
}

/// The communes of a territory as ad places.
pub async fn places(db: &Db, territory_id: i64) -> AppResult<Vec<Place>> {
    Ok(territory::communes(db, territory_id)
        .await?
        .into_iter()
        .map(|c| Place { id: c.id, name: c.name, latitude: c.latitude, longitude: c.longitude })
        .collect())
}

/// The moderation mode of a territory (open unless its moderators chose otherwise).
pub async fn moderation_mode(db: &Db, territory_id: i64) -> AppResult<ModerationMode> {
    Ok(store::moderation_mode(db, territory_id)
        .await?
        .and_then(|m| ModerationMode::parse(&m))
        .unwrap_or(ModerationMode::Open))
}

/// True when `user` moderates the territory (instance admins do).
pub async fn is_moderator(db: &Db, user: &User, territory_id: i64) -> AppResult<bool> {
    accounts::has_role(db, user, territory_id, Role::Moderator).await
}

/// Fails when the account is suspended in the territory.
pub(super) async fn refuse_if_suspended(tx: &mut Tx, territory_id: i64, user: &User) -> AppResult<()> {
    if store::is_suspended(tx, territory_id, user.id).await? {
        Err(AppError::Denied("aid.error.suspended"))
    } else {
        Ok(())
    }
}

async fn clean_input(
    db: &Db,
    user: &User,
    territory_id: i64,
    input: &AdInput,
) -> AppResult<(CleanAd, String)> {
    let domains = domains(db, territory_id).await?;
    let codes: Vec<String> = domains.iter().map(|d| d.code.clone()).collect();
    let mut result = validate(input, &codes, &places(db, territory_id).await?);
    if let Some(business_id) = input.business_id {
        let acts_for = crate::directory::is_owner(db, business_id, user.id).await?
            && crate::directory::business_by_id(db, business_id)
                .await?
                .is_some_and(|b| b.territory_id == territory_id);
        if !acts_for {
            let error = FieldError { field: "business_id", message: "aid.error.business" };
            match &mut result {
                Ok(_) => result = Err(vec![error]),
                Err(errors) => errors.push(error),
            }
        }
    }
    let clean = result.map_err(AppError::Invalid)?;
    let label = domain_label(&domains, &clean.domain, &Tr::new(Lang::Fr));
    let text = search_text(
        &clean.title,
        &format!("{label} {}", clean.domain),
        clean.place.as_deref(),
        &clean.description,
    );
    Ok((clean, text))
}

/// Posts an ad in a territory. It is published at once or waits for a moderator, depending on
/// the territory's mode; an account posts at most [`ADS_PER_DAY`] ads a day.
pub async fn post_ad(
    db: &Db,
    base_url: &str,
    user: &User,
    territory: &Territory,
    input: &AdInput,
) -> AppResult<Ad> {
    let (clean, text) = clean_input(db, user, territory.id, input).await?;
    let mode = moderation_mode(db, territory.id).await?;
    let moderator = is_moderator(db, user, territory.id).await?;
    rate_limit::check(db, &format!("aid-ad:{}", user.id), ADS_PER_DAY, 24 * 3600).await?;
    let mut tx = db.begin().await?;
    refuse_if_suspended(&mut tx, territory.id, user).await?;
    let published_before = store::has_published_ad(&mut tx, user.id, territory.id).await?;
    let state = mode.initial_state(published_before, moderator);
    let ad = store::insert_ad(&mut tx, territory.id, user.id, &clean, state, &text).await?;
    if state == AdState::Pending {
        for moderator in accounts::users_with_role(db, territory.id, Role::Moderator).await? {
            let tr = Tr::new(moderator.lang());
            let link = format!("{base_url}/t/{}/entraide/moderation", territory.slug);
            let body = tr.fill("aid.mail.pending.body", &[("title", &ad.title), ("link", &link)]);
            mail::enqueue(&mut tx, &Email::new(&moderator.email, tr.get("aid.mail.pending.subject"), body))
                .await?;
        }
    }
    tx.commit().await?;
    tracing::info!(ad_id = ad.id, state = state.as_str(), "ad posted");
    Ok(ad)
}

/// What the viewer of an ad may do with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdAccess {
    /// Wrote it.
    pub is_author: bool,
    /// Moderates its territory.
    pub is_moderator: bool,
}

/// An ad as `viewer` may see it: pending and hidden ads exist only for their author and the
/// moderators (anyone else gets "not found").
pub async fn view_ad(db: &Db, viewer: Option<&User>, id: i64) -> AppResult<(Ad, AdAccess)> {
    let ad = store::ad(db, id).await?.ok_or(AppError::NotFound)?;
    let access = match viewer {
        Some(user) => AdAccess {
            is_author: ad.author_id == user.id,
            is_moderator: is_moderator(db, user, ad.territory_id).await?,
        },
        None => AdAccess::default(),
    };
    if ad.state() != AdState::Published && !access.is_author && !access.is_moderator {
        return Err(AppError::NotFound);
    }
    Ok((ad, access))
}

/// An ad `user` wrote, to change it; anyone else is refused (or gets "not found" when they may
/// not even see it).
pub async fn authored_ad(db: &Db, user: &User, id: i64) -> AppResult<Ad> {
    let (ad, access) = view_ad(db, Some(user), id).await?;
    if access.is_author { Ok(ad) } else { Err(AppError::Forbidden) }
}

/// What an ad's page shows beside the ad.
#[derive(Clone, Debug, Default)]
pub struct AdContext {
    /// The author's display name.
    pub author_name: String,
    /// The directory listing the ad speaks for, when it is published: (name, listing id).
    pub structure: Option<(String, i64)>,
    /// The viewer's conversation about the ad, when they started one.
    pub conversation: Option<i64>,
}

/// The [`AdContext`] of an ad `viewer` may see.
pub async fn ad_context(db: &Db, viewer: Option<&User>, ad: &Ad) -> AppResult<AdContext> {
    let author_name =
        accounts::user_by_id(db, ad.author_id).await?.map(|u| u.display_name).unwrap_or_default();
    let structure = match ad.business_id {
        // The directory decides which listings anyone may see.
        Some(id) => crate::directory::published_listing(db, id).await?.map(|b| (b.name, b.id)),
        None => None,
    };
    let conversation = match viewer {
        Some(user) => store::find_conversation(db, ad.id, user.id).await?,
        None => None,
    };
    Ok(AdContext { author_name, structure, conversation })
}

/// Changes an ad's fields (its author only); the moderation state is kept.
pub async fn edit_ad(db: &Db, user: &User, id: i64, input: &AdInput) -> AppResult<Ad> {
    let ad = authored_ad(db, user, id).await?;
    let (clean, text) = clean_input(db, user, ad.territory_id, input).await?;
    let mut tx = db.begin().await?;
    store::update_ad(&mut tx, id, &clean, &text, now()).await?;
    let updated = store::ad(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

/// Marks an ad fulfilled, closed or open again (its author only).
pub async fn set_status(db: &Db, user: &User, id: i64, status: AdStatus) -> AppResult<Ad> {
    authored_ad(db, user, id).await?;
    store::set_ad_status(db, id, status, now()).await?;
    store::ad(db, id).await?.ok_or(AppError::NotFound)
}

/// Keeps an ad up for another [`AD_LIFETIME_SECS`] from now (its author only); it opens again.
pub async fn renew_ad(db: &Db, user: &User, id: i64) -> AppResult<Ad> {
    authored_ad(db, user, id).await?;
    let now = now();
    store::renew_ad(db, id, now + AD_LIFETIME_SECS, now).await?;
    store::ad(db, id).await?.ok_or(AppError::NotFound)
}

/// The ads a member posted, newest first.
pub async fn my_ads(db: &Db, user: &User) -> AppResult<Vec<Ad>> {
    store::ads_by_author(db, user.id).await
}

/// How search results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Nearest to the search point first.
    Nearest,
}

/// A search of ads.
#[derive(Clone, Debug, Default)]
pub struct AdSearch {
    /// Words, matched as word prefixes, ignoring case and accents.
    pub text: String,
    /// A domain code.
    pub domain: Option<String>,
    /// Offers or requests.
    pub kind: Option<AdKind>,
    /// Only urgent ads.
    pub urgent_only: bool,
    /// One territory, or all the instance's.
    pub territory_id: Option<i64>,
    /// A point to measure distances from.
    pub near: Option<(f64, f64)>,
    /// Only within this distance of `near`, in kilometres.
    pub radius_km: Option<f64>,
    /// Order.
    pub sort: Sort,
    /// Only ads created at or after this time (saved-search digests: a second counted twice
    /// rather than an ad missed).
    pub created_after: Option<i64>,
    /// Results skipped.
    pub offset: i64,
    /// Results per page.
    pub limit: i64,
}

/// An ad in search results.
#[derive(Clone, Debug)]
pub struct FoundAd {
    /// The ad.
    pub ad: Ad,
    /// Its territory's slug (results may span territories).
    pub territory_slug: String,
    /// Its author's display name.
    pub author_name: String,
    /// Distance from the search point, in kilometres.
    pub distance_km: Option<f64>,
    /// Its last day is past in its territory: only its author still sees it, marked so.
    pub has_ended: bool,
}

/// A page of results.
#[derive(Clone, Debug)]
pub struct AdPage {
    /// The ads.
    pub items: Vec<FoundAd>,
    /// True when another page follows.
    pub has_more: bool,
}

/// Searches the published, open, unexpired ads.
pub async fn search(db: &Db, query: &AdSearch) -> AppResult<AdPage> {
    let limit = query.limit.clamp(1, 200);
    let now = now();
    // The territories that share today's date, per date (two or three at most across the
    // world's time zones): an ad is listed until the end of its last day where it is.
    let mut by_day: Vec<(String, Vec<i64>)> = Vec::new();
    for (territory_id, today) in todays(db, now).await? {
        match by_day.iter_mut().find(|(day, _)| *day == today) {
            Some((_, ids)) => ids.push(territory_id),
            None => by_day.push((today, vec![territory_id])),
        }
    }
    let mut rows = store::search_ads(db, query, now, &by_day, limit + 1, query.offset).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(AdPage { items: describe(db, rows, query.near).await?, has_more })
}

/// Each territory's date today (`YYYY-MM-DD`, in its time zone), by territory id (one query).
pub(super) async fn todays(db: &Db, now: i64) -> AppResult<HashMap<i64, String>> {
    Ok(territory::list(db).await?.iter().map(|t| (t.id, super::today_in(t, now))).collect())
}

/// True when the ad's last day is past in its territory.
pub async fn has_ended(db: &Db, ad: &Ad) -> AppResult<bool> {
    let territory = territory::by_id(db, ad.territory_id).await?.ok_or(AppError::NotFound)?;
    Ok(ad.has_ended(&super::today_in(&territory, now())))
}

/// Adds territory slugs, author names, distances and whether each has ended to ads (two
/// queries in all).
pub async fn describe(db: &Db, ads: Vec<Ad>, near: Option<(f64, f64)>) -> AppResult<Vec<FoundAd>> {
    let now = now();
    let territories = territory::list(db).await?;
    let slugs: HashMap<i64, String> = territories.iter().map(|t| (t.id, t.slug.clone())).collect();
    let todays: HashMap<i64, String> = territories.iter().map(|t| (t.id, super::today_in(t, now))).collect();
    let mut author_ids: Vec<i64> = ads.iter().map(|a| a.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let names: HashMap<i64, String> =
        accounts::users_by_ids(db, &author_ids).await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    Ok(ads
        .into_iter()
        .map(|ad| FoundAd {
            territory_slug: slugs.get(&ad.territory_id).cloned().unwrap_or_default(),
            author_name: names.get(&ad.author_id).cloned().unwrap_or_default(),
            distance_km: near.map(|from| crate::directory::distance_km(from, (ad.latitude, ad.longitude))),
            has_ended: todays.get(&ad.territory_id).is_some_and(|today| ad.has_ended(today)),
            ad,
        })
        .collect())
}
