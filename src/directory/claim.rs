//! Claims: a member asks to manage a published listing (typically one the moderators imported),
//! a moderator of its territory decides. Owning a listing gives its money and its customers'
//! orders, so nobody decides his own claim and the current owners are told at each step.

use serde_json::json;

use super::listing::{notify, owners, require_moderator, view};
use super::store;
use crate::accounts::{self, Role, User};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::territory;

/// Asks to manage a published listing; the territory's moderators and the listing's current
/// owners are told.
pub async fn claim(db: &Db, base_url: &str, actor: &User, id: i64, message: &str) -> AppResult<()> {
    let (business, access) = view(db, Some(actor), id).await?;
    if access.is_owner {
        return Err(AppError::Conflict("directory.error.already_owner"));
    }
    let message: String = message.trim().chars().take(1000).collect();
    if !store::insert_claim(db, id, actor.id, &message).await? {
        return Err(AppError::Conflict("directory.error.already_claimed"));
    }
    let territory = territory::by_id(db, business.territory_id).await?.ok_or(AppError::NotFound)?;
    let moderators = accounts::users_with_role(db, business.territory_id, Role::Moderator).await?;
    let current_owners = owners(db, id).await?;
    let link = format!("{base_url}/t/{}/moderation", territory.slug);
    let listing = format!("{base_url}/t/{}/annuaire/{id}", territory.slug);
    let mut tx = db.begin().await?;
    let args = [("business", business.name.as_str()), ("link", &link)];
    notify(&mut tx, &moderators, "mail.directory.claimed.subject", "mail.directory.claimed.body", &args)
        .await?;
    let args = [("business", business.name.as_str()), ("link", &listing)];
    notify(
        &mut tx,
        &current_owners,
        "mail.directory.claim_owner.subject",
        "mail.directory.claim_owner.body",
        &args,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts or refuses a claim (moderators of the listing's territory, never on their own
/// claim); an accepted claimant becomes an owner and a merchant of the territory, and the
/// owners it joins are told.
pub async fn decide_claim(
    db: &Db,
    actor: &User,
    territory_id: i64,
    claim_id: i64,
    accept: bool,
) -> AppResult<()> {
    require_moderator(db, actor, territory_id).await?;
    let claims = store::pending_claims(db, territory_id).await?;
    let claim = claims.iter().find(|c| c.id == claim_id).ok_or(AppError::NotFound)?;
    if claim.user_id == actor.id {
        return Err(AppError::Denied("directory.error.own_claim"));
    }
    let current_owners = owners(db, claim.business_id).await?;
    let business = store::get(db, claim.business_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let status = if accept { "approved" } else { "refused" };
    store::decide_claim(&mut tx, claim.id, status, None)
        .await?
        .ok_or(AppError::Conflict("directory.error.not_pending"))?;
    if accept {
        store::add_owner(&mut tx, claim.business_id, claim.user_id).await?;
        accounts::grant_role_in_tx(&mut tx, claim.user_id, territory_id, Role::Merchant).await?;
        store::add_revision(
            &mut tx,
            claim.business_id,
            Some(actor.id),
            "claimed",
            &json!({"owner": claim.user_id}),
            None,
        )
        .await?;
        let newcomer = accounts::user_by_id(&mut tx, claim.user_id).await?.ok_or(AppError::NotFound)?;
        let args = [("business", business.name.as_str()), ("member", newcomer.display_name.as_str())];
        notify(
            &mut tx,
            &current_owners,
            "mail.directory.owner_added.subject",
            "mail.directory.owner_added.body",
            &args,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
