//! All of mutual aid's SQL: settings and domains, ads, profiles, conversations and messages,
//! blocks, reports, the moderators' actions, suspensions and saved searches.

use super::{Ad, AdSearch, AdState, AdStatus, CleanAd, Sort};
use crate::db::{Arg, Backend, Db, Exec, Tx};
use crate::error::AppResult;
use crate::{bind_args, on_db, on_exec, on_tx};

/// Columns of [`Ad`].
pub const AD_COLUMNS: &str = "a.id, a.territory_id, a.author_id, a.business_id, a.kind, a.domain, a.title, \
    a.description, a.commune_id, a.place, a.latitude, a.longitude, a.starts_on, a.ends_on, a.is_urgent, \
    a.status, a.state, a.expires_at, a.created_at, a.updated_at";

/// The moderation mode of a territory, if one was set.
pub async fn moderation_mode(db: &Db, territory_id: i64) -> AppResult<Option<String>> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "select moderation from aid_setting where territory_id = $1")
        .bind(territory_id).fetch_optional(pool).await)?)
}

/// Sets the moderation mode of a territory.
pub async fn set_moderation_mode(tx: &mut Tx, territory_id: i64, mode: &str, now: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into aid_setting (territory_id, moderation, updated_at) values ($1, $2, $3)
         on conflict (territory_id) do update set moderation = excluded.moderation, updated_at = excluded.updated_at")
        .bind(territory_id).bind(mode).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The domains moderators added to a territory: (code, name), by name.
pub async fn custom_domains(db: &Db, territory_id: i64) -> AppResult<Vec<(String, String)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, String)>(
        "select code, name from aid_domain where territory_id = $1 order by name")
        .bind(territory_id).fetch_all(pool).await)?)
}

/// Adds a domain; false when the code exists.
pub async fn insert_domain(
    tx: &mut Tx,
    territory_id: i64,
    code: &str,
    name: &str,
    now: i64,
) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "insert into aid_domain (territory_id, code, name, created_at) values ($1, $2, $3, $4)
         on conflict (territory_id, code) do nothing")
        .bind(territory_id).bind(code).bind(name).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Inserts an ad.
pub async fn insert_ad(
    tx: &mut Tx,
    territory_id: i64,
    author_id: i64,
    clean: &CleanAd,
    state: AdState,
    search_text: &str,
) -> AppResult<Ad> {
    let now = crate::db::now();
    let expires_at = now + super::AD_LIFETIME_SECS;
    let sql = format!(
        "insert into ad (territory_id, author_id, business_id, kind, domain, title, description, commune_id, place,
            latitude, longitude, starts_on, ends_on, is_urgent, status, state, search_text, expires_at, created_at,
            updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $16, $17, $18, $18)
         returning {}",
        AD_COLUMNS.replace("a.", "")
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Ad>(&sql)
        .bind(territory_id).bind(author_id).bind(clean.business_id).bind(clean.kind.as_str()).bind(&clean.domain)
        .bind(&clean.title).bind(&clean.description).bind(clean.commune_id).bind(&clean.place)
        .bind(clean.latitude).bind(clean.longitude).bind(&clean.starts_on).bind(&clean.ends_on)
        .bind(clean.is_urgent).bind(state.as_str()).bind(search_text).bind(expires_at).bind(now)
        .fetch_one(&mut **conn).await)?)
}

/// Overwrites an ad's fields (not its status, state or expiry).
pub async fn update_ad(tx: &mut Tx, id: i64, clean: &CleanAd, search_text: &str, now: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "update ad set business_id = $2, kind = $3, domain = $4, title = $5, description = $6, commune_id = $7,
            place = $8, latitude = $9, longitude = $10, starts_on = $11, ends_on = $12, is_urgent = $13,
            search_text = $14, updated_at = $15 where id = $1")
        .bind(id).bind(clean.business_id).bind(clean.kind.as_str()).bind(&clean.domain).bind(&clean.title)
        .bind(&clean.description).bind(clean.commune_id).bind(&clean.place).bind(clean.latitude)
        .bind(clean.longitude).bind(&clean.starts_on).bind(&clean.ends_on).bind(clean.is_urgent)
        .bind(search_text).bind(now)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One ad.
pub async fn ad(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<Ad>> {
    let sql = format!("select {AD_COLUMNS} from ad a where a.id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Ad>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// Ads by id (one query).
pub async fn ads_by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<Ad>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers formatted here, never text from a request.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("select {AD_COLUMNS} from ad a where a.id in ({list})");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Ad>(&sql).fetch_all(pool).await)?)
}

/// Sets an ad's status.
pub async fn set_ad_status(db: &Db, id: i64, status: AdStatus, now: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query("update ad set status = $2, updated_at = $3 where id = $1")
        .bind(id).bind(status.as_str()).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves an ad's expiry and forgets the reminder.
pub async fn renew_ad(db: &Db, id: i64, expires_at: i64, now: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "update ad set expires_at = $2, reminded_at = null, status = 'open', updated_at = $3 where id = $1")
        .bind(id).bind(expires_at).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets an ad's moderation state; false when it was not in `from`.
pub async fn set_ad_state(tx: &mut Tx, id: i64, from: &[AdState], to: AdState, now: i64) -> AppResult<bool> {
    // Stored names of our own enum, never request text.
    let list = from.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(",");
    let sql = format!("update ad set state = $2, updated_at = $3 where id = $1 and state in ({list})");
    let done = on_tx!(tx, conn => sqlx::query(&sql).bind(id).bind(to.as_str()).bind(now)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// True when the account has had an ad published in the territory.
pub async fn has_published_ad(tx: &mut Tx, author_id: i64, territory_id: i64) -> AppResult<bool> {
    let found: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "select id from ad where author_id = $1 and territory_id = $2 and state = 'published' limit 1")
        .bind(author_id).bind(territory_id).fetch_optional(&mut **conn).await)?;
    Ok(found.is_some())
}

/// The ads of an author, newest first.
pub async fn ads_by_author(db: &Db, author_id: i64) -> AppResult<Vec<Ad>> {
    let sql =
        format!("select {AD_COLUMNS} from ad a where a.author_id = $1 order by a.created_at desc, a.id desc");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Ad>(&sql).bind(author_id).fetch_all(pool).await)?)
}

/// The ads of a territory waiting for a moderator, oldest first.
pub async fn pending_ads(db: &Db, territory_id: i64) -> AppResult<Vec<Ad>> {
    let sql = format!(
        "select {AD_COLUMNS} from ad a where a.territory_id = $1 and a.state = 'pending' order by a.created_at, a.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Ad>(&sql).bind(territory_id).fetch_all(pool).await)?)
}

/// A search built by the domain: conditions (on `a`), order, arguments numbered from `$1`.
struct SearchSql {
    /// `a.state = 'published' and ...`.
    pub conditions: String,
    /// `order by` expression.
    pub order: String,
    /// Arguments.
    pub args: Vec<Arg>,
}

/// The ads matching a search, `limit` from `offset`; `by_day` gives today's date with the
/// territories where it is today, for the ads with a last day.
pub async fn search_ads(
    db: &Db,
    query: &AdSearch,
    now: i64,
    by_day: &[(String, Vec<i64>)],
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Ad>> {
    let search = build_search(query, db.backend(), now, by_day);
    let sql = format!(
        "select {AD_COLUMNS} from ad a where {} order by {} limit {} offset {}",
        search.conditions,
        search.order,
        limit.max(0),
        offset.max(0)
    );
    Ok(on_db!(db, pool => bind_args!(sqlx::query_as::<_, Ad>(&sql), &search.args).fetch_all(pool).await)?)
}

/// Published open ads expiring before `before` whose author was not reminded yet.
pub async fn ads_to_remind(db: &Db, now: i64, before: i64) -> AppResult<Vec<Ad>> {
    let sql = format!(
        "select {AD_COLUMNS} from ad a where a.expires_at > $1 and a.expires_at <= $2 and a.reminded_at is null
         and a.status = 'open' and a.state <> 'hidden' order by a.expires_at limit 500"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Ad>(&sql).bind(now).bind(before).fetch_all(pool).await)?)
}

/// Marks an ad's author reminded; false when another instance did it first.
pub async fn mark_reminded(tx: &mut Tx, id: i64, now: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query("update ad set reminded_at = $2 where id = $1 and reminded_at is null")
        .bind(id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A member's profile as stored.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct ProfileRow {
    /// A short presentation.
    pub presentation: String,
    /// Skills, as written.
    pub skills: String,
    /// Commune.
    pub commune_id: Option<i64>,
    /// Hidden by a moderator.
    pub is_hidden: bool,
}

/// A profile.
pub async fn profile(db: &Db, user_id: i64) -> AppResult<Option<ProfileRow>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, ProfileRow>(
        "select presentation, skills, commune_id, is_hidden from aid_profile where user_id = $1")
        .bind(user_id).fetch_optional(pool).await)?)
}

/// Writes a profile (a moderator's hiding is lifted by nothing but a moderator).
pub async fn upsert_profile(
    db: &Db,
    user_id: i64,
    presentation: &str,
    skills: &str,
    commune_id: Option<i64>,
    now: i64,
) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into aid_profile (user_id, presentation, skills, commune_id, updated_at) values ($1, $2, $3, $4, $5)
         on conflict (user_id) do update set presentation = excluded.presentation, skills = excluded.skills,
            commune_id = excluded.commune_id, updated_at = excluded.updated_at")
        .bind(user_id).bind(presentation).bind(skills).bind(commune_id).bind(now)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Hides a profile's presentation.
pub async fn hide_profile(tx: &mut Tx, user_id: i64, now: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into aid_profile (user_id, is_hidden, updated_at) values ($1, true, $2)
         on conflict (user_id) do update set is_hidden = true, updated_at = excluded.updated_at")
        .bind(user_id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A conversation as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Conversation {
    /// Identifier.
    pub id: i64,
    /// Territory (the ad's).
    pub territory_id: i64,
    /// The ad it is about (none once the ad is deleted).
    pub ad_id: Option<i64>,
    /// Who wrote first.
    pub starter_id: i64,
    /// Creation time.
    pub created_at: i64,
    /// Time of the last message.
    pub last_message_at: i64,
}

/// Inserts a conversation about an ad, or finds the one this member already started.
pub async fn open_conversation(
    tx: &mut Tx,
    territory_id: i64,
    ad_id: i64,
    starter_id: i64,
    now: i64,
) -> AppResult<(i64, bool)> {
    let created: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "insert into conversation (territory_id, ad_id, starter_id, created_at, last_message_at)
         values ($1, $2, $3, $4, $4) on conflict (ad_id, starter_id) do nothing returning id")
        .bind(territory_id).bind(ad_id).bind(starter_id).bind(now).fetch_optional(&mut **conn).await)?;
    if let Some(id) = created {
        return Ok((id, true));
    }
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "select id from conversation where ad_id = $1 and starter_id = $2")
        .bind(ad_id).bind(starter_id).fetch_one(&mut **conn).await)?;
    Ok((id, false))
}

/// The conversation a member started about an ad, if any.
pub async fn find_conversation(db: &Db, ad_id: i64, starter_id: i64) -> AppResult<Option<i64>> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select id from conversation where ad_id = $1 and starter_id = $2")
        .bind(ad_id).bind(starter_id).fetch_optional(pool).await)?)
}

/// Adds a member to a conversation.
pub async fn add_member(tx: &mut Tx, conversation_id: i64, user_id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into conversation_member (conversation_id, user_id) values ($1, $2)
         on conflict (conversation_id, user_id) do nothing")
        .bind(conversation_id).bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One conversation.
pub async fn conversation(db: &Db, id: i64) -> AppResult<Option<Conversation>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Conversation>(
        "select id, territory_id, ad_id, starter_id, created_at, last_message_at from conversation where id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

/// A member of a conversation.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    /// The account.
    pub user_id: i64,
    /// The last message they read.
    pub last_read_id: i64,
    /// When they were last emailed about it.
    pub notified_at: Option<i64>,
    /// An email is owed once the hour is over.
    pub has_pending_notice: bool,
}

/// The members of a conversation.
pub async fn members(ex: impl Into<Exec<'_>>, conversation_id: i64) -> AppResult<Vec<Member>> {
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Member>(
        "select user_id, last_read_id, notified_at, has_pending_notice from conversation_member
         where conversation_id = $1 order by user_id")
        .bind(conversation_id).fetch_all(conn).await)?)
}

/// A message as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Message {
    /// Identifier.
    pub id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// Text.
    pub body: String,
    /// Hidden by a moderator.
    pub is_hidden: bool,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// Adds a message and moves the conversation's last activity.
pub async fn insert_message(
    tx: &mut Tx,
    conversation_id: i64,
    author_id: i64,
    body: &str,
    now: i64,
) -> AppResult<Message> {
    let message = on_tx!(tx, conn => sqlx::query_as::<_, Message>(
        "insert into message (conversation_id, author_id, body, created_at) values ($1, $2, $3, $4)
         returning id, conversation_id, author_id, body, is_hidden, created_at")
        .bind(conversation_id).bind(author_id).bind(body).bind(now).fetch_one(&mut **conn).await)?;
    on_tx!(tx, conn => sqlx::query("update conversation set last_message_at = $2 where id = $1")
        .bind(conversation_id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    // The author has read their own message.
    on_tx!(tx, conn => sqlx::query(
        "update conversation_member set last_read_id = $3 where conversation_id = $1 and user_id = $2")
        .bind(conversation_id).bind(author_id).bind(message.id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(message)
}

/// The messages of a conversation, oldest first, after `after_id`.
pub async fn messages(db: &Db, conversation_id: i64, after_id: i64) -> AppResult<Vec<Message>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Message>(
        "select id, conversation_id, author_id, body, is_hidden, created_at from message
         where conversation_id = $1 and id > $2 order by id limit 1000")
        .bind(conversation_id).bind(after_id).fetch_all(pool).await)?)
}

/// One message.
pub async fn message(db: &Db, id: i64) -> AppResult<Option<Message>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Message>(
        "select id, conversation_id, author_id, body, is_hidden, created_at from message where id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

/// Messages by id (one query).
pub async fn messages_by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<Message>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "select id, conversation_id, author_id, body, is_hidden, created_at from message where id in ({list})"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Message>(&sql).fetch_all(pool).await)?)
}

/// Hides a message.
pub async fn hide_message(tx: &mut Tx, id: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update message set is_hidden = true where id = $1")
        .bind(id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a conversation read up to `message_id` for a member (and cancels an owed email).
pub async fn mark_read(db: &Db, conversation_id: i64, user_id: i64, message_id: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "update conversation_member set last_read_id = $3, has_pending_notice = false
         where conversation_id = $1 and user_id = $2 and last_read_id < $3")
        .bind(conversation_id).bind(user_id).bind(message_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records that a member was emailed now, or owes them an email.
pub async fn set_notice(
    tx: &mut Tx,
    conversation_id: i64,
    user_id: i64,
    notified_at: Option<i64>,
) -> AppResult<()> {
    match notified_at {
        Some(at) => on_tx!(tx, conn => sqlx::query(
            "update conversation_member set notified_at = $3, has_pending_notice = false
             where conversation_id = $1 and user_id = $2")
            .bind(conversation_id).bind(user_id).bind(at).execute(&mut **conn).await.map(|r| r.rows_affected()))?,
        None => on_tx!(tx, conn => sqlx::query(
            "update conversation_member set has_pending_notice = true where conversation_id = $1 and user_id = $2")
            .bind(conversation_id).bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}

/// Members owed an email whose last one is older than `before`: (conversation, member).
pub async fn due_notices(db: &Db, before: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "select conversation_id, user_id from conversation_member
         where has_pending_notice = true and (notified_at is null or notified_at <= $1) limit 500")
        .bind(before).fetch_all(pool).await)?)
}

/// How many conversations of a member hold a message from someone else they have not read
/// (one query, served by the member and `(conversation_id, id)` indexes).
pub async fn unread_conversation_count(db: &Db, user_id: i64) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select count(*) from conversation_member cm where cm.user_id = $1 and exists (
            select 1 from message m where m.conversation_id = cm.conversation_id and m.id > cm.last_read_id
            and m.author_id <> $1 and m.is_hidden = false)")
        .bind(user_id).fetch_one(pool).await)?)
}

/// A line of a member's conversation list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConversationLine {
    /// Conversation id.
    pub id: i64,
    /// The ad it is about.
    pub ad_id: Option<i64>,
    /// The ad's title.
    pub ad_title: Option<String>,
    /// The other member.
    pub other_id: Option<i64>,
    /// Time of the last message.
    pub last_message_at: i64,
    /// Messages from others not read yet.
    pub unread: i64,
}

/// The conversations of a member, most recent first, with unread counts (one query).
pub async fn conversations_of(
    db: &Db,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<ConversationLine>> {
    let sql = format!(
        "select c.id, c.ad_id, a.title as ad_title,
            (select o.user_id from conversation_member o where o.conversation_id = c.id and o.user_id <> $1
             order by o.user_id limit 1) as other_id,
            c.last_message_at,
            (select count(*) from message m where m.conversation_id = c.id and m.id > cm.last_read_id
             and m.author_id <> $1 and m.is_hidden = false) as unread
         from conversation_member cm join conversation c on c.id = cm.conversation_id
         left join ad a on a.id = c.ad_id
         where cm.user_id = $1 order by c.last_message_at desc, c.id desc limit {} offset {}",
        limit.max(0),
        offset.max(0)
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, ConversationLine>(&sql).bind(user_id).fetch_all(pool).await)?)
}

/// Blocks a member (nothing changes if already blocked).
pub async fn block(db: &Db, blocker_id: i64, blocked_id: i64, now: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into member_block (blocker_id, blocked_id, created_at) values ($1, $2, $3)
         on conflict (blocker_id, blocked_id) do nothing")
        .bind(blocker_id).bind(blocked_id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lifts a block.
pub async fn unblock(db: &Db, blocker_id: i64, blocked_id: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query("delete from member_block where blocker_id = $1 and blocked_id = $2")
        .bind(blocker_id).bind(blocked_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// True when `blocker_id` blocked `blocked_id`.
pub async fn has_blocked(db: &Db, blocker_id: i64, blocked_id: i64) -> AppResult<bool> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select blocker_id from member_block where blocker_id = $1 and blocked_id = $2")
        .bind(blocker_id).bind(blocked_id).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// True when either member blocked the other.
pub async fn is_blocked_between(tx: &mut Tx, a: i64, b: i64) -> AppResult<bool> {
    let found: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "select blocker_id from member_block where (blocker_id = $1 and blocked_id = $2)
         or (blocker_id = $2 and blocked_id = $1) limit 1")
        .bind(a).bind(b).fetch_optional(&mut **conn).await)?;
    Ok(found.is_some())
}

/// A report as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Report {
    /// Identifier.
    pub id: i64,
    /// Territory whose moderators handle it.
    pub territory_id: i64,
    /// Who reported (none once their account is deleted).
    pub reporter_id: Option<i64>,
    /// ad, profile or message.
    pub target_kind: String,
    /// The ad, account or message id.
    pub target_id: i64,
    /// The account responsible for the content.
    pub target_user_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// open, actioned or dismissed.
    pub status: String,
    /// When.
    pub created_at: i64,
}

const REPORT_COLUMNS: &str =
    "id, territory_id, reporter_id, target_kind, target_id, target_user_id, reason, status, created_at";

/// Files a report.
pub async fn insert_report(
    tx: &mut Tx,
    territory_id: i64,
    reporter_id: i64,
    target: (&str, i64),
    target_user_id: i64,
    reason: &str,
    now: i64,
) -> AppResult<Report> {
    let sql = format!(
        "insert into report (territory_id, reporter_id, target_kind, target_id, target_user_id, reason, status, created_at)
         values ($1, $2, $3, $4, $5, $6, 'open', $7) returning {REPORT_COLUMNS}"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Report>(&sql)
        .bind(territory_id).bind(reporter_id).bind(target.0).bind(target.1).bind(target_user_id).bind(reason)
        .bind(now).fetch_one(&mut **conn).await)?)
}

/// How many reports of a territory wait for a moderator.
pub async fn open_report_count(db: &Db, territory_id: i64) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select count(*) from report where territory_id = $1 and status = 'open'")
        .bind(territory_id).fetch_one(pool).await)?)
}

/// A message near a reported one: `span` messages before and after each of `reported`, in
/// one query (numbered per conversation with a window function, on both backends).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NearbyMessage {
    /// The reported message it surrounds (or is).
    pub reported_id: i64,
    /// Identifier.
    pub id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// Text.
    pub body: String,
    /// Hidden by a moderator.
    pub is_hidden: bool,
    /// When (Unix seconds).
    pub created_at: i64,
}

/// The messages around reported ones, by reported message then in order.
pub async fn messages_around(db: &Db, reported: &[i64], span: i64) -> AppResult<Vec<NearbyMessage>> {
    if reported.is_empty() {
        return Ok(Vec::new());
    }
    // Integers formatted here, never text from a request.
    let list = reported.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "with ranked as (
            select id, conversation_id, author_id, body, is_hidden, created_at,
                row_number() over (partition by conversation_id order by id) as n
            from message where conversation_id in (select conversation_id from message where id in ({list})))
         select t.id as reported_id, r.id, r.author_id, r.body, r.is_hidden, r.created_at
         from ranked t join ranked r on r.conversation_id = t.conversation_id and r.n between t.n - $1 and t.n + $1
         where t.id in ({list}) order by t.id, r.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, NearbyMessage>(&sql).bind(span).fetch_all(pool).await)?)
}

/// The open reports of a territory, oldest first.
pub async fn open_reports(db: &Db, territory_id: i64) -> AppResult<Vec<Report>> {
    let sql = format!(
        "select {REPORT_COLUMNS} from report where territory_id = $1 and status = 'open' order by id limit 200"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, Report>(&sql).bind(territory_id).fetch_all(pool).await)?)
}

/// One report.
pub async fn report(db: &Db, id: i64) -> AppResult<Option<Report>> {
    let sql = format!("select {REPORT_COLUMNS} from report where id = $1");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Report>(&sql).bind(id).fetch_optional(pool).await)?)
}

/// Closes an open report; false when it was already decided.
pub async fn close_report(
    tx: &mut Tx,
    id: i64,
    status: &str,
    moderator_id: i64,
    now: i64,
) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "update report set status = $2, decided_by = $3, decided_at = $4 where id = $1 and status = 'open'")
        .bind(id).bind(status).bind(moderator_id).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A line of the moderators' audit log.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActionRow {
    /// Identifier.
    pub id: i64,
    /// The moderator.
    pub moderator_id: Option<i64>,
    /// approve, hide, warn, suspend, lift_suspension, dismiss, set_mode, add_domain.
    pub action: String,
    /// ad, profile, message, account or territory.
    pub target_kind: String,
    /// Its id.
    pub target_id: i64,
    /// The report it answers.
    pub report_id: Option<i64>,
    /// The reason given.
    pub reason: String,
    /// When.
    pub created_at: i64,
}

/// Records a moderator's action.
pub async fn insert_action(
    tx: &mut Tx,
    territory_id: i64,
    moderator_id: i64,
    action: &str,
    target: (&str, i64),
    report_id: Option<i64>,
    reason: &str,
) -> AppResult<()> {
    let now = crate::db::now();
    on_tx!(tx, conn => sqlx::query(
        "insert into moderation_action (territory_id, moderator_id, action, target_kind, target_id, report_id, reason, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(territory_id).bind(moderator_id).bind(action).bind(target.0).bind(target.1).bind(report_id)
        .bind(reason).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The latest actions of a territory's moderators, newest first.
pub async fn actions(db: &Db, territory_id: i64, limit: i64) -> AppResult<Vec<ActionRow>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, ActionRow>(
        "select id, moderator_id, action, target_kind, target_id, report_id, reason, created_at
         from moderation_action where territory_id = $1 order by id desc limit $2")
        .bind(territory_id).bind(limit).fetch_all(pool).await)?)
}

/// Suspends an account in a territory (the reason is replaced if already suspended).
pub async fn suspend(tx: &mut Tx, territory_id: i64, user_id: i64, reason: &str, now: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "insert into aid_suspension (territory_id, user_id, reason, created_at) values ($1, $2, $3, $4)
         on conflict (territory_id, user_id) do update set reason = excluded.reason")
        .bind(territory_id).bind(user_id).bind(reason).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lifts a suspension; false when there was none.
pub async fn lift_suspension(tx: &mut Tx, territory_id: i64, user_id: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query("delete from aid_suspension where territory_id = $1 and user_id = $2")
        .bind(territory_id).bind(user_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// True when the account is suspended in the territory.
pub async fn is_suspended(tx: &mut Tx, territory_id: i64, user_id: i64) -> AppResult<bool> {
    let found: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "select user_id from aid_suspension where territory_id = $1 and user_id = $2")
        .bind(territory_id).bind(user_id).fetch_optional(&mut **conn).await)?;
    Ok(found.is_some())
}

/// The suspended accounts of a territory: (account, reason, since).
pub async fn suspensions(db: &Db, territory_id: i64) -> AppResult<Vec<(i64, String, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, String, i64)>(
        "select user_id, reason, created_at from aid_suspension where territory_id = $1 order by created_at desc")
        .bind(territory_id).fetch_all(pool).await)?)
}

/// A saved search as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SavedSearch {
    /// Identifier.
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// The territory searched from.
    pub territory_id: i64,
    /// The search page's query string.
    pub query: String,
    /// Ads created before this were already sent.
    pub last_sent_at: i64,
}

/// Saves a search.
pub async fn insert_saved_search(
    db: &Db,
    user_id: i64,
    territory_id: i64,
    query: &str,
    now: i64,
) -> AppResult<()> {
    on_db!(db, pool => sqlx::query(
        "insert into saved_search (user_id, territory_id, query, last_sent_at, created_at) values ($1, $2, $3, $4, $4)")
        .bind(user_id).bind(territory_id).bind(query).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The saved searches of a member.
pub async fn saved_searches_of(db: &Db, user_id: i64) -> AppResult<Vec<SavedSearch>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, SavedSearch>(
        "select id, user_id, territory_id, query, last_sent_at from saved_search where user_id = $1 order by id")
        .bind(user_id).fetch_all(pool).await)?)
}

/// Deletes a member's saved search; false when it is not theirs.
pub async fn delete_saved_search(db: &Db, user_id: i64, id: i64) -> AppResult<bool> {
    let done = on_db!(db, pool => sqlx::query("delete from saved_search where id = $1 and user_id = $2")
        .bind(id).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Saved searches whose last digest is older than `before`.
pub async fn due_saved_searches(db: &Db, before: i64) -> AppResult<Vec<SavedSearch>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, SavedSearch>(
        "select id, user_id, territory_id, query, last_sent_at from saved_search where last_sent_at <= $1
         order by last_sent_at limit 200")
        .bind(before).fetch_all(pool).await)?)
}

/// Moves a saved search's digest mark; false when another instance did it first.
pub async fn mark_digest_sent(tx: &mut Tx, id: i64, previous: i64, now: i64) -> AppResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "update saved_search set last_sent_at = $3 where id = $1 and last_sent_at = $2")
        .bind(id).bind(previous).bind(now).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.195;

/// The SQL of a search: only published, open, unexpired ads.
fn build_search(query: &AdSearch, backend: Backend, now: i64, by_day: &[(String, Vec<i64>)]) -> SearchSql {
    let mut args: Vec<Arg> = Vec::new();
    let next = |arg: Arg, args: &mut Vec<Arg>| {
        args.push(arg);
        format!("${}", args.len())
    };
    let mut conditions = String::from("a.state = 'published' and a.status = 'open'");
    let placeholder = next(Arg::Int(now), &mut args);
    conditions.push_str(&format!(" and a.expires_at > {placeholder}"));
    // Dated needs until the end of their last day, in their territory's time zone.
    let mut ongoing = String::from("a.ends_on is null");
    for (today, ids) in by_day.iter().filter(|(_, ids)| !ids.is_empty()) {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let placeholder = next(Arg::Text(today.clone()), &mut args);
        ongoing.push_str(&format!(" or (a.territory_id in ({list}) and a.ends_on >= {placeholder})"));
    }
    conditions.push_str(&format!(" and ({ongoing})"));
    if let Some(territory_id) = query.territory_id {
        let placeholder = next(Arg::Int(territory_id), &mut args);
        conditions.push_str(&format!(" and a.territory_id = {placeholder}"));
    }
    if let Some(domain) = &query.domain {
        let placeholder = next(Arg::Text(domain.clone()), &mut args);
        conditions.push_str(&format!(" and a.domain = {placeholder}"));
    }
    if let Some(kind) = query.kind {
        let placeholder = next(Arg::Text(kind.as_str().to_owned()), &mut args);
        conditions.push_str(&format!(" and a.kind = {placeholder}"));
    }
    if query.urgent_only {
        conditions.push_str(" and a.is_urgent = true");
    }
    if let Some(after) = query.created_after {
        let placeholder = next(Arg::Int(after), &mut args);
        conditions.push_str(&format!(" and a.created_at >= {placeholder}"));
    }
    let find = match backend {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    for word in crate::directory::fold(&query.text).split(' ').filter(|w| !w.is_empty()).take(8) {
        let placeholder = next(Arg::Text(format!(" {word}")), &mut args);
        conditions.push_str(&format!(" and {find}(a.search_text, {placeholder}) > 0"));
    }
    let mut order = "a.created_at desc, a.id desc".to_owned();
    if let Some((lat, lon)) = query.near {
        let k = lat.to_radians().cos().max(0.01);
        let (lat_p, lon_p, k_p) = (
            next(Arg::Float(lat), &mut args),
            next(Arg::Float(lon), &mut args),
            next(Arg::Float(k), &mut args),
        );
        // Equirectangular distance in degrees of latitude: exact enough at a territory's scale.
        let expr = format!(
            "((a.latitude - {lat_p}) * (a.latitude - {lat_p}) + ((a.longitude - {lon_p}) * {k_p}) * ((a.longitude - {lon_p}) * {k_p}))"
        );
        if let Some(radius) = query.radius_km {
            // A bounding box first, so that the (…, latitude) index narrows the rows.
            let degrees = radius / KM_PER_DEGREE;
            let (south, north) =
                (next(Arg::Float(lat - degrees), &mut args), next(Arg::Float(lat + degrees), &mut args));
            let (west, east) = (
                next(Arg::Float(lon - degrees / k), &mut args),
                next(Arg::Float(lon + degrees / k), &mut args),
            );
            let limit = next(Arg::Float(degrees * degrees), &mut args);
            conditions.push_str(&format!(
                " and a.latitude between {south} and {north} and a.longitude between {west} and {east} and {expr} <= {limit}"
            ));
        }
        if query.sort == Sort::Nearest {
            order = format!("{expr}, a.id");
        }
    }
    SearchSql { conditions, order, args }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aid::AdSearch;

    #[test]
    fn a_radius_search_uses_a_bounding_box_and_only_visible_ads() {
        let query = AdSearch {
            text: "Conduite".into(),
            domain: Some("transport".into()),
            territory_id: Some(3),
            near: Some((43.86, 4.44)),
            radius_km: Some(10.0),
            ..AdSearch::default()
        };
        let by_day = [("2026-12-03".to_owned(), vec![3, 4]), ("2026-12-04".to_owned(), vec![5])];
        let sql = build_search(&query, Backend::Sqlite, 1000, &by_day);
        assert!(
            sql.conditions.starts_with("a.state = 'published' and a.status = 'open' and a.expires_at > $1")
        );
        assert!(sql.conditions.contains(
            "(a.ends_on is null or (a.territory_id in (3,4) and a.ends_on >= $2) or (a.territory_id in (5) and a.ends_on >= $3))"
        ));
        assert!(sql.conditions.contains("a.latitude between"));
        assert!(sql.conditions.contains("instr(a.search_text, $6)"));
        assert_eq!(sql.order, "a.created_at desc, a.id desc");
        assert!(matches!(&sql.args[5], Arg::Text(t) if t == " conduite"));
    }
}
