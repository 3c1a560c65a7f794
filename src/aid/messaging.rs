//! Conversations between members about an ad: first contact, replies, reading with unread
//! counts, grouped email notices, and blocks. Only a conversation's members ever see it.

use std::collections::HashMap;

use super::store::{self, Conversation};
use super::{
    Ad, CONVERSATIONS_PER_DAY, MESSAGES_PER_HOUR, NOTICE_EVERY_SECS, clean_message, refuse_if_suspended,
    view_ad,
};
use crate::accounts::{self, User};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult};
use crate::mail::{self, Email};
use crate::web::i18n::Tr;
use crate::web::rate_limit;

/// Writes to the author of an ad: opens the conversation (or continues the one this member
/// already has about it) with a first message. Returns the conversation id.
pub async fn contact(db: &Db, base_url: &str, user: &User, ad_id: i64, body: &str) -> AppResult<i64> {
    let body = clean_message(body).map_err(|e| AppError::Invalid(vec![e]))?;
    let (ad, access) = view_ad(db, Some(user), ad_id).await?;
    if access.is_author {
        return Err(AppError::Denied("aid.error.own_ad"));
    }
    if !ad.is_answerable(now()) || super::has_ended(db, &ad).await? {
        return Err(AppError::Conflict("aid.error.ad_closed"));
    }
    // Counted before the transaction (the limits live in their own table): a new conversation
    // counts against the daily limit, a follow-up against the hourly message limit.
    if store::find_conversation(db, ad.id, user.id).await?.is_none() {
        rate_limit::check(db, &format!("aid-conversation:{}", user.id), CONVERSATIONS_PER_DAY, 24 * 3600)
            .await?;
    } else {
        rate_limit::check(db, &format!("aid-message:{}", user.id), MESSAGES_PER_HOUR, 3600).await?;
    }
    let mut tx = db.begin().await?;
    refuse_if_suspended(&mut tx, ad.territory_id, user).await?;
    if store::is_blocked_between(&mut tx, user.id, ad.author_id).await? {
        return Err(AppError::Denied("aid.error.blocked"));
    }
    let now = now();
    let (conversation_id, created) =
        store::open_conversation(&mut tx, ad.territory_id, ad.id, user.id, now).await?;
    if created {
        store::add_member(&mut tx, conversation_id, user.id).await?;
        store::add_member(&mut tx, conversation_id, ad.author_id).await?;
    }
    store::insert_message(&mut tx, conversation_id, user.id, &body, now).await?;
    notify(db, &mut tx, base_url, conversation_id, user, Some(&ad), now).await?;
    tx.commit().await?;
    tracing::info!(conversation_id, created, "ad contacted");
    Ok(conversation_id)
}

/// The conversation `id` if `user` is one of its members; anyone else gets "not found".
pub async fn member_conversation(
    db: &Db,
    user: &User,
    id: i64,
) -> AppResult<(Conversation, Vec<store::Member>)> {
    let conversation = store::conversation(db, id).await?.ok_or(AppError::NotFound)?;
    let members = store::members(db, id).await?;
    if members.iter().any(|m| m.user_id == user.id) {
        Ok((conversation, members))
    } else {
        Err(AppError::NotFound)
    }
}

/// Adds a reply to a conversation `user` is a member of.
pub async fn reply(db: &Db, base_url: &str, user: &User, id: i64, body: &str) -> AppResult<store::Message> {
    let (conversation, members) = member_conversation(db, user, id).await?;
    let body = clean_message(body).map_err(|e| AppError::Invalid(vec![e]))?;
    rate_limit::check(db, &format!("aid-message:{}", user.id), MESSAGES_PER_HOUR, 3600).await?;
    let mut tx = db.begin().await?;
    refuse_if_suspended(&mut tx, conversation.territory_id, user).await?;
    for other in members.iter().filter(|m| m.user_id != user.id) {
        if store::is_blocked_between(&mut tx, user.id, other.user_id).await? {
            return Err(AppError::Denied("aid.error.blocked"));
        }
    }
    let now = now();
    let message = store::insert_message(&mut tx, id, user.id, &body, now).await?;
    let ad = match conversation.ad_id {
        Some(ad_id) => store::ad(&mut tx, ad_id).await?,
        None => None,
    };
    notify(db, &mut tx, base_url, id, user, ad.as_ref(), now).await?;
    tx.commit().await?;
    Ok(message)
}

/// Emails the other members of a conversation about a new message, at most once an hour per
/// conversation: inside the hour the email is owed and sent by the job once the hour is over.
async fn notify(
    db: &Db,
    tx: &mut Tx,
    base_url: &str,
    conversation_id: i64,
    author: &User,
    ad: Option<&Ad>,
    now: i64,
) -> AppResult<()> {
    let members = store::members(&mut *tx, conversation_id).await?;
    let others: Vec<&store::Member> = members.iter().filter(|m| m.user_id != author.id).collect();
    let ids: Vec<i64> = others.iter().map(|m| m.user_id).collect();
    let users = accounts::users_by_ids(db, &ids).await?;
    for member in others {
        let Some(recipient) = users.iter().find(|u| u.id == member.user_id) else { continue };
        if member.notified_at.is_some_and(|at| at > now - NOTICE_EVERY_SECS) {
            store::set_notice(tx, conversation_id, member.user_id, None).await?;
        } else {
            let title = ad.map_or("", |a| a.title.as_str());
            mail::enqueue(tx, &notice(base_url, recipient, &author.display_name, title, conversation_id))
                .await?;
            store::set_notice(tx, conversation_id, member.user_id, Some(now)).await?;
        }
    }
    Ok(())
}

/// The email telling `recipient` that `from` wrote (never anyone's address or the message).
pub fn notice(base_url: &str, recipient: &User, from: &str, ad_title: &str, conversation_id: i64) -> Email {
    let tr = Tr::new(recipient.lang());
    let link = format!("{base_url}/messages/{conversation_id}");
    let body = tr.fill(
        "aid.mail.message.body",
        &[("name", &recipient.display_name), ("from", from), ("title", ad_title), ("link", &link)],
    );
    Email::new(&recipient.email, tr.get("aid.mail.message.subject"), body)
}

/// A message as its reader sees it.
#[derive(Clone, Debug)]
pub struct MessageView {
    /// Identifier.
    pub id: i64,
    /// Author's account id.
    pub author_id: i64,
    /// Author's display name.
    pub author_name: String,
    /// Text (none when a moderator hid it).
    pub body: Option<String>,
    /// When (Unix seconds).
    pub created_at: i64,
    /// Written by the reader.
    pub is_mine: bool,
}

/// A conversation as one of its members sees it.
#[derive(Clone, Debug)]
pub struct ConversationView {
    /// Identifier.
    pub id: i64,
    /// The ad it is about, if it still exists and the reader may see it.
    pub ad: Option<Ad>,
    /// The territory's slug (for the ad's address).
    pub territory_slug: String,
    /// The other member: (account id, display name).
    pub other: Option<(i64, String)>,
    /// The messages, oldest first.
    pub messages: Vec<MessageView>,
    /// The reader blocked the other member.
    pub blocked_by_me: bool,
    /// Either blocked the other: nobody can write.
    pub is_blocked: bool,
    /// It held messages the reader had not read, before this reading marked them read.
    pub was_unread: bool,
}

/// Reads a conversation (its members only) from message `after_id` on, and marks it read.
pub async fn read_conversation(db: &Db, user: &User, id: i64, after_id: i64) -> AppResult<ConversationView> {
    let (conversation, members) = member_conversation(db, user, id).await?;
    let rows = store::messages(db, id, after_id).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let names: HashMap<i64, String> =
        accounts::users_by_ids(db, &ids).await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let last_read = members.iter().find(|m| m.user_id == user.id).map_or(0, |m| m.last_read_id);
    let was_unread = rows.iter().any(|m| m.id > last_read && m.author_id != user.id && !m.is_hidden);
    if let Some(last) = rows.last() {
        store::mark_read(db, id, user.id, last.id).await?;
    }
    let other = members.iter().find(|m| m.user_id != user.id).map(|m| m.user_id);
    let (blocked_by_me, is_blocked) = match other {
        Some(other) => {
            let mine = store::has_blocked(db, user.id, other).await?;
            (mine, mine || store::has_blocked(db, other, user.id).await?)
        }
        None => (false, false),
    };
    let ad = match conversation.ad_id {
        Some(ad_id) => view_ad(db, Some(user), ad_id).await.ok().map(|(ad, _)| ad),
        None => None,
    };
    let territory_slug =
        crate::territory::by_id(db, conversation.territory_id).await?.map(|t| t.slug).unwrap_or_default();
    let messages = rows
        .into_iter()
        .map(|m| MessageView {
            id: m.id,
            author_id: m.author_id,
            author_name: names.get(&m.author_id).cloned().unwrap_or_default(),
            body: (!m.is_hidden).then_some(m.body),
            created_at: m.created_at,
            is_mine: m.author_id == user.id,
        })
        .collect();
    Ok(ConversationView {
        id,
        ad,
        territory_slug,
        other: other.map(|o| (o, names.get(&o).cloned().unwrap_or_default())),
        messages,
        blocked_by_me,
        is_blocked,
        was_unread,
    })
}

/// A line of a member's conversation list.
#[derive(Clone, Debug)]
pub struct ConversationSummary {
    /// Identifier.
    pub id: i64,
    /// The ad it is about.
    pub ad_id: Option<i64>,
    /// The ad's title.
    pub ad_title: Option<String>,
    /// The other member's id.
    pub other_id: Option<i64>,
    /// The other member's display name.
    pub other_name: String,
    /// Time of the last message.
    pub last_message_at: i64,
    /// Unread messages.
    pub unread: i64,
}

impl ConversationSummary {
    /// The i18n key of its unread count ("1 message non lu", "3 messages non lus").
    pub fn unread_key(&self) -> &'static str {
        if self.unread == 1 { "aid.messages.unread_one" } else { "aid.messages.unread_many" }
    }
}

/// The conversations of `user`, most recent first, with their unread counts.
pub async fn conversations(
    db: &Db,
    user: &User,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<ConversationSummary>> {
    let lines = store::conversations_of(db, user.id, limit.clamp(1, 200), offset).await?;
    let ids: Vec<i64> = lines.iter().filter_map(|l| l.other_id).collect();
    let names: HashMap<i64, String> =
        accounts::users_by_ids(db, &ids).await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    Ok(lines
        .into_iter()
        .map(|l| ConversationSummary {
            other_name: l.other_id.and_then(|o| names.get(&o).cloned()).unwrap_or_default(),
            id: l.id,
            ad_id: l.ad_id,
            ad_title: l.ad_title,
            other_id: l.other_id,
            last_message_at: l.last_message_at,
            unread: l.unread,
        })
        .collect())
}

/// How many of `user`'s conversations hold a message they have not read yet: the header's
/// badge on "Messages".
pub async fn unread_conversations(db: &Db, user: &User) -> AppResult<i64> {
    store::unread_conversation_count(db, user.id).await
}

/// Blocks a member: neither can write to the other any more.
pub async fn block(db: &Db, user: &User, other_id: i64) -> AppResult<()> {
    if other_id == user.id {
        return Err(AppError::Denied("aid.error.block_self"));
    }
    accounts::user_by_id(db, other_id).await?.ok_or(AppError::NotFound)?;
    store::block(db, user.id, other_id, now()).await
}

/// True when `user` blocked the member `other_id`.
pub async fn has_blocked(db: &Db, user: &User, other_id: i64) -> AppResult<bool> {
    store::has_blocked(db, user.id, other_id).await
}

/// Lifts a block `user` made.
pub async fn unblock(db: &Db, user: &User, other_id: i64) -> AppResult<()> {
    store::unblock(db, user.id, other_id).await
}
