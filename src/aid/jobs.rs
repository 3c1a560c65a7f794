//! Mutual aid's background work, run by the job loop under a lease: the grouped message
//! notices owed once their hour is over, the reminders before an ad expires, and the daily
//! digests of saved searches.

use super::filters::Filters;
use super::store;
use super::{DIGEST_EVERY_SECS, NOTICE_EVERY_SECS, REMINDER_BEFORE_SECS, notice, search};
use crate::accounts;
use crate::app::AppState;
use crate::db::{Db, now};
use crate::error::AppResult;
use crate::mail::{self, Email};
use crate::web::i18n::Tr;

/// How often the work runs (one instance at a time).
const EVERY_SECS: i64 = 60;

/// Runs the due work if this instance holds the lease.
pub async fn run(state: &AppState, holder: &str) -> anyhow::Result<()> {
    if !crate::jobs::try_lease(&state.db, "aid", holder, EVERY_SECS).await? {
        return Ok(());
    }
    run_due(&state.db, &state.base_url, now()).await?;
    Ok(())
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Done {
    /// Grouped message notices sent.
    pub notices: usize,
    /// Expiry reminders sent.
    pub reminders: usize,
    /// Saved-search digests sent.
    pub digests: usize,
}

/// Does the work due at `now` (a parameter so that tests can move time).
pub async fn run_due(db: &Db, base_url: &str, now: i64) -> AppResult<Done> {
    Ok(Done {
        notices: send_notices(db, base_url, now).await?,
        reminders: send_reminders(db, base_url, now).await?,
        digests: send_digests(db, base_url, now).await?,
    })
}

async fn send_notices(db: &Db, base_url: &str, now: i64) -> AppResult<usize> {
    let mut sent = 0;
    for (conversation_id, user_id) in store::due_notices(db, now - NOTICE_EVERY_SECS).await? {
        let Some(recipient) = accounts::user_by_id(db, user_id).await? else { continue };
        let Some(conversation) = store::conversation(db, conversation_id).await? else { continue };
        let members = store::members(db, conversation_id).await?;
        let Some(me) = members.iter().find(|m| m.user_id == user_id) else { continue };
        let unread = store::messages(db, conversation_id, me.last_read_id).await?;
        let mut tx = db.begin().await?;
        // Still unread (the member may have read it meanwhile): one email for all of it.
        if let Some(last) = unread.iter().rev().find(|m| m.author_id != user_id && !m.is_hidden) {
            let from =
                accounts::user_by_id(db, last.author_id).await?.map(|u| u.display_name).unwrap_or_default();
            let title = match conversation.ad_id {
                Some(ad_id) => store::ad(db, ad_id).await?.map(|a| a.title).unwrap_or_default(),
                None => String::new(),
            };
            mail::enqueue(&mut tx, &notice(base_url, &recipient, &from, &title, conversation_id)).await?;
            sent += 1;
        }
        store::set_notice(&mut tx, conversation_id, user_id, Some(now)).await?;
        tx.commit().await?;
    }
    Ok(sent)
}

async fn send_reminders(db: &Db, base_url: &str, now: i64) -> AppResult<usize> {
    let mut sent = 0;
    let slugs: std::collections::HashMap<i64, String> =
        crate::territory::list(db).await?.into_iter().map(|t| (t.id, t.slug)).collect();
    for ad in store::ads_to_remind(db, now, now + REMINDER_BEFORE_SECS).await? {
        let Some(author) = accounts::user_by_id(db, ad.author_id).await? else { continue };
        let mut tx = db.begin().await?;
        if store::mark_reminded(&mut tx, ad.id, now).await? {
            let tr = Tr::new(author.lang());
            let slug = slugs.get(&ad.territory_id).cloned().unwrap_or_default();
            let link = format!("{base_url}/t/{slug}/entraide/{}", ad.id);
            let body = tr.fill(
                "aid.mail.expiry.body",
                &[("name", &author.display_name), ("title", &ad.title), ("link", &link)],
            );
            mail::enqueue(&mut tx, &Email::new(&author.email, tr.get("aid.mail.expiry.subject"), body))
                .await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

async fn send_digests(db: &Db, base_url: &str, now: i64) -> AppResult<usize> {
    let mut sent = 0;
    for saved in store::due_saved_searches(db, now - DIGEST_EVERY_SECS).await? {
        let Some(owner) = accounts::user_by_id(db, saved.user_id).await? else { continue };
        let Some(territory) = crate::territory::by_id(db, saved.territory_id).await? else { continue };
        let filters = Filters::from_query(&saved.query);
        let communes = crate::territory::communes(db, territory.id).await?;
        let mut query = filters.to_search(&territory, &communes);
        query.created_after = Some(saved.last_sent_at);
        query.offset = 0;
        query.limit = 20;
        let found = search(db, &query).await?;
        let mut tx = db.begin().await?;
        if store::mark_digest_sent(&mut tx, saved.id, saved.last_sent_at, now).await?
            && !found.items.is_empty()
        {
            let tr = Tr::new(owner.lang());
            let lines: Vec<String> = found
                .items
                .iter()
                .map(|f| format!("- {} : {base_url}/t/{}/entraide/{}", f.ad.title, f.territory_slug, f.ad.id))
                .collect();
            let link = format!("{base_url}/t/{}/entraide?{}", territory.slug, saved.query);
            let body = tr.fill(
                "aid.mail.digest.body",
                &[("name", &owner.display_name), ("ads", &lines.join("\n")), ("link", &link)],
            );
            mail::enqueue(&mut tx, &Email::new(&owner.email, tr.get("aid.mail.digest.subject"), body))
                .await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
