//! Mutual aid's JSON API: ads (search, create, read, change), conversations and messages,
//! reports, blocks and moderation. Members appear as id and display name, never an address.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Ad, AdInput, AdKind, AdSearch, AdStatus, Decision, FoundAd, ReportInput, Sort};
use crate::api::{ListPage, PageParams, cursor_offset, rfc3339};
use crate::app::AppState;
use crate::directory::api::parse_point;
use crate::error::{AppError, AppResult};
use crate::territory;
use crate::web::ApiJson;
use crate::web::auth::{ApiUser, MaybeApiUser};
use crate::web::territory::{InTerritory, territory_of};

/// Mutual aid's API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ads))
        .routes(routes!(create_ad))
        .routes(routes!(get_ad, patch_ad))
        .routes(routes!(approve_ad))
        .routes(routes!(start_conversation))
        .routes(routes!(list_conversations))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(create_report))
        .routes(routes!(list_reports))
        .routes(routes!(decide_report))
        .routes(routes!(block_member, unblock_member))
}

/// A member as others see them: never an email, phone or address.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberJson {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
}

/// An ad.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdJson {
    /// Identifier.
    pub id: i64,
    /// Territory slug.
    pub territory: String,
    /// `offer` or `request`.
    pub kind: String,
    /// Domain code.
    pub domain: String,
    /// Title.
    pub title: String,
    /// Plain text.
    pub description: String,
    /// Commune id, when chosen from the territory's list.
    pub commune_id: Option<i64>,
    /// The place as written.
    pub place: Option<String>,
    /// Approximate latitude.
    pub latitude: f64,
    /// Approximate longitude.
    pub longitude: f64,
    /// First day (`YYYY-MM-DD`), none when ongoing.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
    /// Urgent.
    pub is_urgent: bool,
    /// `open`, `fulfilled` or `closed`.
    pub status: String,
    /// `pending`, `published` or `hidden`.
    pub state: String,
    /// The directory structure it is posted for.
    pub business_id: Option<i64>,
    /// Who posted it.
    pub author: MemberJson,
    /// When it stops being listed (RFC 3339).
    pub expires_at: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Distance from `near`, in kilometres.
    pub distance_km: Option<f64>,
}

impl AdJson {
    fn of(found: FoundAd) -> Self {
        let ad = found.ad;
        Self {
            id: ad.id,
            territory: found.territory_slug,
            kind: ad.kind.to_string(),
            domain: ad.domain,
            title: ad.title,
            description: ad.description,
            commune_id: ad.commune_id,
            place: ad.place,
            latitude: ad.latitude,
            longitude: ad.longitude,
            starts_on: ad.starts_on,
            ends_on: ad.ends_on,
            is_urgent: ad.is_urgent,
            status: ad.status.to_string(),
            state: ad.state.to_string(),
            business_id: ad.business_id,
            author: MemberJson { id: ad.author_id, display_name: found.author_name },
            expires_at: rfc3339(ad.expires_at),
            created_at: rfc3339(ad.created_at),
            distance_km: found.distance_km.map(|d| (d * 100.0).round() / 100.0),
        }
    }
}

async fn ad_json(state: &AppState, ad: Ad) -> AppResult<AdJson> {
    let found = super::describe(&state.db, vec![ad], None).await?;
    found.into_iter().next().map(AdJson::of).ok_or(AppError::NotFound)
}

/// Search filters of ads.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdParams {
    /// Words, matched as word prefixes, ignoring case and accents.
    pub q: Option<String>,
    /// Domain code.
    pub domain: Option<String>,
    /// `offer` or `request`.
    #[param(pattern = "^(offer|request)?$")]
    pub kind: Option<String>,
    /// Only urgent ads.
    pub urgent: Option<bool>,
    /// A territory slug; all the instance's territories when absent.
    pub territory: Option<String>,
    /// `<lat>,<lon>`: distances are measured from there.
    #[param(
        pattern = r"^(-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?))?$"
    )]
    pub near: Option<String>,
    /// Only within this many kilometres of `near` (more than 0, at most 1000; needs `near`).
    #[param(exclusive_minimum = 0, maximum = 1000)]
    pub radius_km: Option<f64>,
    /// `newest` (default) or `nearest` (needs `near`).
    #[param(pattern = "^(newest|nearest)$")]
    pub sort: Option<String>,
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (1 to 200, default 50).
    pub limit: Option<i64>,
}

impl AdParams {
    async fn to_search(&self, state: &AppState) -> AppResult<AdSearch> {
        let kind = match self.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(text) => Some(AdKind::parse(text).ok_or(AppError::invalid("kind", "aid.error.kind"))?),
            None => None,
        };
        let territory_id = match self.territory.as_deref().filter(|t| !t.is_empty()) {
            Some(slug) => Some(territory_of(state, slug).await?.id),
            None => None,
        };
        let near = match self.near.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(parse_point(text).ok_or(AppError::invalid("near", "aid.error.near"))?),
            None => None,
        };
        if self.radius_km.is_some_and(|r| !(r > 0.0 && r <= 1000.0))
            || (self.radius_km.is_some() && near.is_none())
        {
            return Err(AppError::invalid("radius_km", "aid.error.radius"));
        }
        let sort = match self.sort.as_deref() {
            None | Some("newest") => Sort::Newest,
            Some("nearest") if near.is_some() => Sort::Nearest,
            Some(_) => return Err(AppError::invalid("sort", "aid.error.sort")),
        };
        let offset = cursor_offset(self.cursor.as_deref())?;
        Ok(AdSearch {
            text: self.q.clone().unwrap_or_default(),
            domain: self.domain.clone().filter(|d| !d.is_empty()),
            kind,
            urgent_only: self.urgent.unwrap_or(false),
            territory_id,
            near,
            radius_km: self.radius_km,
            sort,
            created_after: None,
            offset: offset.max(0),
            limit: self.limit.unwrap_or(50).clamp(1, 200),
        })
    }
}

/// Published, open, unexpired ads, filtered and paginated.
#[utoipa::path(get, path = "/ads", tag = "aid", params(AdParams),
    responses(
        (status = 200, description = "A page of ads", body = ListPage<AdJson>),
        (status = 404, description = "No such territory"),
        (status = 422, description = "A filter is invalid"),
    ))]
pub async fn list_ads(
    State(state): State<AppState>,
    Query(params): Query<AdParams>,
) -> AppResult<Json<ListPage<AdJson>>> {
    let query = params.to_search(&state).await?;
    let page = super::search(&state.db, &query).await?;
    let items = page.items.into_iter().map(AdJson::of).collect();
    Ok(Json(ListPage::at_offset(items, page.has_more, query.offset, query.limit)))
}

/// Posts an ad in a territory (published at once, or waiting for a moderator, depending on the
/// territory's moderation mode). At most 5 a day per account.
#[utoipa::path(post, path = "/territories/{slug}/ads", tag = "aid", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")), request_body = AdInput,
    responses(
        (status = 201, description = "Posted", body = AdJson),
        (status = 401, description = "No or bad token"),
        (status = 403, description = "Suspended in this territory"),
        (status = 422, description = "Invalid fields"),
        (status = 429, description = "Too many ads today"),
    ))]
pub async fn create_ad(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    InTerritory(territory): InTerritory,
    ApiJson(input): ApiJson<AdInput>,
) -> AppResult<(StatusCode, Json<AdJson>)> {
    let ad = super::post_ad(&state.db, &state.base_url, &user, &territory, &input).await?;
    Ok((StatusCode::CREATED, Json(ad_json(&state, ad).await?)))
}

/// An ad; pending and hidden ones only for their author and the moderators.
#[utoipa::path(get, path = "/ads/{id}", tag = "aid", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Ad")),
    responses(
        (status = 200, description = "The ad", body = AdJson),
        (status = 404, description = "No such ad, or not visible to you"),
    ))]
pub async fn get_ad(
    State(state): State<AppState>,
    MaybeApiUser(user): MaybeApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<AdJson>> {
    let (ad, _) = super::view_ad(&state.db, user.as_ref(), id).await?;
    Ok(Json(ad_json(&state, ad).await?))
}

/// Changes an ad (its author): any field of `AdInput`, plus `status` (`open`, `fulfilled`,
/// `closed`) and `renew: true` (another 30 days). Absent fields keep their value.
#[utoipa::path(patch, path = "/ads/{id}", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ad")),
    request_body(content = Object, description = "Any fields of AdInput, `status`, `renew`"),
    responses(
        (status = 200, description = "The changed ad", body = AdJson),
        (status = 403, description = "Not its author"),
        (status = 404, description = "No such ad"),
        (status = 422, description = "Invalid fields"),
    ))]
pub async fn patch_ad(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(mut patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Json<AdJson>> {
    let ad = super::authored_ad(&state.db, &user, id).await?;
    let status = patch.remove("status");
    let renew = patch.remove("renew");
    if !patch.is_empty() {
        let current = AdInput {
            kind: ad.kind.to_string(),
            domain: ad.domain.clone(),
            title: ad.title.clone(),
            description: ad.description.clone(),
            commune_id: ad.commune_id,
            place: ad.place.clone(),
            latitude: if ad.commune_id.is_some() { None } else { Some(ad.latitude) },
            longitude: if ad.commune_id.is_some() { None } else { Some(ad.longitude) },
            starts_on: ad.starts_on.clone(),
            ends_on: ad.ends_on.clone(),
            is_urgent: ad.is_urgent,
            business_id: ad.business_id,
        };
        let mut merged = serde_json::to_value(&current).map_err(anyhow::Error::from)?;
        // A new point replaces the commune, and the other way round.
        if patch.contains_key("latitude") || patch.contains_key("longitude") {
            merged["commune_id"] = serde_json::Value::Null;
        } else if patch.contains_key("commune_id") {
            merged["latitude"] = serde_json::Value::Null;
            merged["longitude"] = serde_json::Value::Null;
        }
        for (key, value) in patch {
            merged[key] = value;
        }
        let input: AdInput =
            serde_json::from_value(merged).map_err(|_| AppError::BadRequest("error.json_fields"))?;
        super::edit_ad(&state.db, &user, id, &input).await?;
    }
    if let Some(status) = status {
        let status = status
            .as_str()
            .and_then(AdStatus::parse)
            .ok_or(AppError::invalid("status", "aid.error.status"))?;
        super::set_status(&state.db, &user, id, status).await?;
    }
    if renew.as_ref().and_then(serde_json::Value::as_bool) == Some(true) {
        super::renew_ad(&state.db, &user, id).await?;
    }
    let (ad, _) = super::view_ad(&state.db, Some(&user), id).await?;
    Ok(Json(ad_json(&state, ad).await?))
}

/// Publishes an ad waiting for a moderator (moderators).
#[utoipa::path(post, path = "/ads/{id}/approve", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ad")),
    responses(
        (status = 204, description = "Published"),
        (status = 403, description = "Not a moderator"),
        (status = 409, description = "Already published"),
    ))]
pub async fn approve_ad(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::approve_ad(&state.db, &state.base_url, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A message body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageInput {
    /// Text (required, up to 4,000 characters).
    #[schema(max_length = 4000, pattern = r"\S")]
    pub body: String,
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationJson {
    /// Identifier.
    pub id: i64,
    /// The ad it is about.
    pub ad_id: Option<i64>,
    /// The ad's title.
    pub ad_title: Option<String>,
    /// The other member.
    pub with: Option<MemberJson>,
    /// Time of the last message (RFC 3339).
    pub last_message_at: String,
    /// Messages not read yet.
    pub unread: i64,
}

impl ConversationJson {
    fn of(summary: super::ConversationSummary) -> Self {
        Self {
            id: summary.id,
            ad_id: summary.ad_id,
            ad_title: summary.ad_title,
            with: summary.other_id.map(|id| MemberJson { id, display_name: summary.other_name }),
            last_message_at: rfc3339(summary.last_message_at),
            unread: summary.unread,
        }
    }
}

async fn conversation_json(
    state: &AppState,
    user: &crate::accounts::User,
    id: i64,
) -> AppResult<ConversationJson> {
    // The member's own list holds it; read it from there so that unread counts agree.
    let mut offset = 0;
    loop {
        let page = super::conversations(&state.db, user, 200, offset).await?;
        if page.is_empty() {
            return Err(AppError::NotFound);
        }
        if let Some(found) = page.iter().find(|c| c.id == id) {
            return Ok(ConversationJson::of(found.clone()));
        }
        offset += 200;
    }
}

/// Writes to the author of an ad: opens a conversation about it (or continues yours).
/// At most 10 new conversations a day per account; refused when either member blocked the other.
#[utoipa::path(post, path = "/ads/{id}/conversations", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ad")), request_body = MessageInput,
    responses(
        (status = 201, description = "The conversation", body = ConversationJson),
        (status = 403, description = "Blocked, suspended, or your own ad"),
        (status = 404, description = "No such ad"),
        (status = 409, description = "The ad is closed or expired"),
        (status = 422, description = "Empty or too long"),
        (status = 429, description = "Too many conversations today"),
    ))]
pub async fn start_conversation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MessageInput>,
) -> AppResult<(StatusCode, Json<ConversationJson>)> {
    let conversation = super::contact(&state.db, &state.base_url, &user, id, &input.body).await?;
    Ok((StatusCode::CREATED, Json(conversation_json(&state, &user, conversation).await?)))
}

/// Your conversations, most recent first, with unread counts.
#[utoipa::path(get, path = "/conversations", tag = "aid", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of conversations", body = ListPage<ConversationJson>),
        (status = 401, description = "No or bad token"),
        (status = 422, description = "Invalid cursor"),
    ))]
pub async fn list_conversations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<PageParams>,
) -> AppResult<Json<ListPage<ConversationJson>>> {
    let (offset, limit) = params.offset_limit()?;
    let mut items = super::conversations(&state.db, &user, limit + 1, offset).await?;
    let has_more = items.len() as i64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(0));
    let items = items.into_iter().map(ConversationJson::of).collect();
    Ok(Json(ListPage::at_offset(items, has_more, offset, limit)))
}

/// A message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageJson {
    /// Identifier.
    pub id: i64,
    /// Its author.
    pub author: MemberJson,
    /// Text; null when a moderator hid it.
    pub body: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Messages after a given one.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageParams {
    /// Only messages with a greater id (the `next` of the previous page, or the last id seen).
    pub cursor: Option<i64>,
}

/// The messages of one of your conversations, oldest first (it is then marked read). Anyone
/// who is not part of it gets 404.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation"), MessageParams),
    responses(
        (status = 200, description = "Messages", body = ListPage<MessageJson>),
        (status = 404, description = "No such conversation of yours"),
    ))]
pub async fn list_messages(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<MessageParams>,
) -> AppResult<Json<ListPage<MessageJson>>> {
    let view = super::read_conversation(&state.db, &user, id, params.cursor.unwrap_or(0).max(0)).await?;
    // Up to 1,000 messages a page: the next page starts after the last one.
    let next =
        (view.messages.len() >= 1000).then(|| view.messages.last().map(|m| m.id.to_string())).flatten();
    let items = view
        .messages
        .into_iter()
        .map(|m| MessageJson {
            id: m.id,
            author: MemberJson { id: m.author_id, display_name: m.author_name },
            body: m.body,
            created_at: rfc3339(m.created_at),
        })
        .collect();
    Ok(Json(ListPage { items, next }))
}

/// Replies in one of your conversations (refused when either member blocked the other).
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation")), request_body = MessageInput,
    responses(
        (status = 201, description = "Sent", body = MessageJson),
        (status = 403, description = "Blocked or suspended"),
        (status = 404, description = "No such conversation of yours"),
        (status = 422, description = "Empty or too long"),
        (status = 429, description = "Too many messages this hour"),
    ))]
pub async fn send_message(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MessageInput>,
) -> AppResult<(StatusCode, Json<MessageJson>)> {
    let message = super::reply(&state.db, &state.base_url, &user, id, &input.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(MessageJson {
            id: message.id,
            author: MemberJson { id: user.id, display_name: user.display_name.clone() },
            body: Some(message.body),
            created_at: rfc3339(message.created_at),
        }),
    ))
}

/// A report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportJson {
    /// Identifier.
    pub id: i64,
    /// Territory slug.
    pub territory: String,
    /// `ad`, `profile` or `message`.
    pub target: String,
    /// Its id.
    pub target_id: i64,
    /// Why.
    pub reason: String,
    /// `open`, `actioned` or `dismissed`.
    pub status: String,
    /// When (RFC 3339).
    pub created_at: String,
}

fn report_json(report: super::store::Report, slug: String) -> ReportJson {
    ReportJson {
        id: report.id,
        territory: slug,
        target: report.target_kind,
        target_id: report.target_id,
        reason: report.reason,
        status: report.status,
        created_at: rfc3339(report.created_at),
    }
}

/// Reports an ad, a profile or a message (of one of your conversations) to the moderators.
#[utoipa::path(post, path = "/reports", tag = "aid", security(("bearer" = [])), request_body = ReportInput,
    responses(
        (status = 201, description = "Filed", body = ReportJson),
        (status = 404, description = "Nothing you can see has this id"),
        (status = 422, description = "Invalid fields"),
        (status = 429, description = "Too many reports today"),
    ))]
pub async fn create_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<ReportInput>,
) -> AppResult<(StatusCode, Json<ReportJson>)> {
    let report = super::file_report(&state.db, &state.base_url, &user, &input).await?;
    let slug = territory::by_id(&state.db, report.territory_id).await?.map(|t| t.slug).unwrap_or_default();
    Ok((StatusCode::CREATED, Json(report_json(report, slug))))
}

/// The open reports of a territory (moderators).
#[utoipa::path(get, path = "/territories/{slug}/reports", tag = "aid", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Territory")),
    responses(
        (status = 200, description = "Open reports, oldest first", body = ListPage<ReportJson>),
        (status = 403, description = "Not a moderator"),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> AppResult<Json<ListPage<ReportJson>>> {
    let territory = territory_of(&state, &slug).await?;
    let queue = super::queue(&state.db, &user, &territory).await?;
    Ok(Json(queue.reports.into_iter().map(|r| report_json(r.report, territory.slug.clone())).collect()))
}

/// Decides a report (moderators): hide the content, warn or suspend its author, or neither
/// (dismissed). Written to the audit log.
#[utoipa::path(post, path = "/reports/{id}/decision", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report")), request_body = Decision,
    responses(
        (status = 204, description = "Decided"),
        (status = 403, description = "Not a moderator"),
        (status = 409, description = "Already decided"),
        (status = 422, description = "A reason is required"),
    ))]
pub async fn decide_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(decision): ApiJson<Decision>,
) -> AppResult<StatusCode> {
    super::decide_report(&state.db, &user, id, &decision).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Blocks a member: neither of you can write to the other.
#[utoipa::path(put, path = "/members/{id}/block", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Member")),
    responses(
        (status = 204, description = "Blocked"),
        (status = 403, description = "Blocking yourself"),
        (status = 404, description = "No such member"),
    ))]
pub async fn block_member(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::block(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a block.
#[utoipa::path(delete, path = "/members/{id}/block", tag = "aid", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Member")),
    responses((status = 204, description = "Unblocked")))]
pub async fn unblock_member(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::unblock(&state.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
