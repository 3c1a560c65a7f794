//! Safety: members report an ad, a profile or a message; moderators approve waiting ads, hide
//! content, warn or suspend an account with a reason, set how new ads are moderated and add
//! domains. Every moderator action is written to the audit log in the same transaction.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::store::{self, Report};
use super::{
    AdState, FoundAd, ModerationMode, REPORTS_PER_DAY, describe, domain_code, is_moderator,
    member_conversation, view_ad,
};
use crate::accounts::{self, Role, User};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::{self, Email};
use crate::territory::Territory;
use crate::web::i18n::Tr;
use crate::web::rate_limit;

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportTarget {
    /// An ad.
    Ad,
    /// A member's profile.
    Profile,
    /// A message of a conversation the reporter is part of.
    Message,
}

impl ReportTarget {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ad => "ad",
            Self::Profile => "profile",
            Self::Message => "message",
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Ad => "aid.target.ad",
            Self::Profile => "aid.target.profile",
            Self::Message => "aid.target.message",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ad" => Some(Self::Ad),
            "profile" => Some(Self::Profile),
            "message" => Some(Self::Message),
            _ => None,
        }
    }
}

/// A report as filed (web form or API).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// `ad`, `profile` or `message`.
    #[schema(pattern = "^(ad|profile|message)$")]
    pub target: String,
    /// The ad, account or message id.
    pub target_id: i64,
    /// Why (required).
    #[schema(max_length = 1000, pattern = r"\S[\s\S]+\S")]
    pub reason: String,
}

fn clean_reason(reason: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        Err(AppError::invalid("reason", "aid.error.reason_required"))
    } else if reason.chars().count() > 1000 {
        Err(AppError::invalid("reason", "aid.error.reason_long"))
    } else {
        Ok(reason.to_owned())
    }
}

/// Files a report for the moderators of the content's territory. Only what the reporter can
/// see can be reported (a message only by a member of its conversation).
/// The territory's moderators are emailed about it in the same transaction.
pub async fn file_report(db: &Db, base_url: &str, user: &User, input: &ReportInput) -> AppResult<Report> {
    let kind = ReportTarget::parse(input.target.trim())
        .ok_or(AppError::invalid("target", "aid.error.report_target"))?;
    let reason = clean_reason(&input.reason)?;
    let (territory_id, target_user_id) = match kind {
        ReportTarget::Ad => {
            let (ad, _) = view_ad(db, Some(user), input.target_id).await?;
            (ad.territory_id, ad.author_id)
        }
        ReportTarget::Message => {
            let message = store::message(db, input.target_id).await?.ok_or(AppError::NotFound)?;
            let (conversation, _) = member_conversation(db, user, message.conversation_id).await?;
            (conversation.territory_id, message.author_id)
        }
        ReportTarget::Profile => {
            let target = accounts::user_by_id(db, input.target_id).await?.ok_or(AppError::NotFound)?;
            // The moderators of the territory the member is active in: their latest ad's,
            // else their first membership's, else the reporter's.
            let latest_ad =
                store::ads_by_author(db, target.id).await?.into_iter().next().map(|a| a.territory_id);
            let membership = accounts::memberships_of(db, target.id).await?.first().map(|m| m.territory_id);
            let own = accounts::memberships_of(db, user.id).await?.first().map(|m| m.territory_id);
            (latest_ad.or(membership).or(own).ok_or(AppError::NotFound)?, target.id)
        }
    };
    if target_user_id == user.id {
        return Err(AppError::BadRequest("aid.error.report_self"));
    }
    rate_limit::check(db, &format!("aid-report:{}", user.id), REPORTS_PER_DAY, 24 * 3600).await?;
    // Read before the transaction opens (SQLite has one writer). Neither the reporter nor the
    // reported member is alerted, should either be a moderator.
    let moderators: Vec<User> = accounts::users_with_role(db, territory_id, Role::Moderator)
        .await?
        .into_iter()
        .filter(|m| m.id != user.id && m.id != target_user_id)
        .collect();
    let slug = crate::territory::by_id(db, territory_id).await?.map(|t| t.slug).unwrap_or_default();
    let mut tx = db.begin().await?;
    let report = store::insert_report(
        &mut tx,
        territory_id,
        user.id,
        (kind.as_str(), input.target_id),
        target_user_id,
        &reason,
        now(),
    )
    .await?;
    // One email per moderator, in the report's transaction: filed and announced, or neither.
    for moderator in &moderators {
        mail::enqueue(&mut tx, &report_alert(base_url, &slug, moderator, kind, &reason)).await?;
    }
    tx.commit().await?;
    tracing::info!(report_id = report.id, target = kind.as_str(), alerted = moderators.len(), "report filed");
    Ok(report)
}

/// The email telling a moderator that something was reported (never who reported it).
fn report_alert(base_url: &str, slug: &str, moderator: &User, kind: ReportTarget, reason: &str) -> Email {
    let tr = Tr::new(moderator.lang());
    let link = format!("{base_url}/t/{slug}/entraide/moderation#reports-title");
    let body = tr.fill(
        "aid.mail.report.body",
        &[
            ("name", &moderator.display_name),
            ("target", tr.get(kind.label_key())),
            ("reason", reason),
            ("link", &link),
        ],
    );
    Email::new(&moderator.email, tr.get("aid.mail.report.subject"), body)
}

/// How many reports wait in the territory's queue, for its moderators (`None` for anyone
/// else): the count by the link to the moderators' page.
pub async fn open_report_count(db: &Db, user: &User, territory_id: i64) -> AppResult<Option<i64>> {
    if !is_moderator(db, user, territory_id).await? {
        return Ok(None);
    }
    Ok(Some(store::open_report_count(db, territory_id).await?))
}

async fn require_moderator(db: &Db, user: &User, territory_id: i64) -> AppResult<()> {
    if is_moderator(db, user, territory_id).await? { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A report with what the moderator needs to decide.
#[derive(Clone, Debug)]
pub struct ReportView {
    /// The report.
    pub report: Report,
    /// The reported text (ad title and description, message, presentation).
    pub excerpt: String,
    /// Where to see it (ads and profiles).
    pub link: Option<String>,
    /// The responsible member's display name.
    pub target_name: String,
    /// The reporter's display name.
    pub reporter_name: String,
    /// For a reported message: the messages around it in its conversation, oldest first.
    pub context: Vec<NearbyView>,
}

impl ReportView {
    /// The i18n key naming what was reported.
    pub fn target_label(&self) -> &'static str {
        ReportTarget::parse(&self.report.target_kind).unwrap_or(ReportTarget::Profile).label_key()
    }
}

/// A message of the conversation around a reported one, as the moderator reads it.
#[derive(Clone, Debug)]
pub struct NearbyView {
    /// Identifier.
    pub id: i64,
    /// Its author's display name.
    pub author_name: String,
    /// Text (moderators read hidden messages too, marked so).
    pub body: String,
    /// Hidden by a moderator.
    pub is_hidden: bool,
    /// When.
    pub created_at: i64,
    /// The reported message itself.
    pub is_reported: bool,
}

/// Messages shown before and after a reported one.
const CONTEXT_SPAN: i64 = 3;

/// A line of the audit log.
#[derive(Clone, Debug)]
pub struct ActionView {
    /// The action.
    pub action: store::ActionRow,
    /// The moderator's display name.
    pub moderator_name: String,
}

impl ActionView {
    /// The i18n key naming the action.
    pub fn label(&self) -> &'static str {
        match self.action.action.as_str() {
            "approve" => "aid.action.approve",
            "hide" => "aid.action.hide",
            "warn" => "aid.action.warn",
            "suspend" => "aid.action.suspend",
            "lift_suspension" => "aid.action.lift_suspension",
            "dismiss" => "aid.action.dismiss",
            "set_mode" => "aid.action.set_mode",
            _ => "aid.action.add_domain",
        }
    }
}

/// A suspended account.
#[derive(Clone, Debug)]
pub struct SuspensionView {
    /// Account id.
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// The reason.
    pub reason: String,
    /// Since when.
    pub since: i64,
}

/// Everything the moderators' page shows.
#[derive(Clone, Debug)]
pub struct ModerationQueue {
    /// Ads waiting for approval.
    pub pending: Vec<FoundAd>,
    /// Open reports.
    pub reports: Vec<ReportView>,
    /// Suspended accounts.
    pub suspensions: Vec<SuspensionView>,
    /// The latest actions.
    pub actions: Vec<ActionView>,
    /// The moderation mode.
    pub mode: ModerationMode,
}

/// The moderators' queue of a territory (moderators only).
pub async fn queue(db: &Db, user: &User, territory: &Territory) -> AppResult<ModerationQueue> {
    require_moderator(db, user, territory.id).await?;
    let pending = describe(db, store::pending_ads(db, territory.id).await?, None).await?;
    let reports = store::open_reports(db, territory.id).await?;
    let suspensions = store::suspensions(db, territory.id).await?;
    let actions = store::actions(db, territory.id, 50).await?;
    let ad_ids: Vec<i64> = reports.iter().filter(|r| r.target_kind == "ad").map(|r| r.target_id).collect();
    let message_ids: Vec<i64> =
        reports.iter().filter(|r| r.target_kind == "message").map(|r| r.target_id).collect();
    let ads = store::ads_by_ids(db, &ad_ids).await?;
    let messages = store::messages_by_ids(db, &message_ids).await?;
    let around = store::messages_around(db, &message_ids, CONTEXT_SPAN).await?;
    let mut people: Vec<i64> =
        reports.iter().flat_map(|r| [r.reporter_id, r.target_user_id]).flatten().collect();
    people.extend(around.iter().map(|m| m.author_id));
    people.extend(suspensions.iter().map(|s| s.0));
    people.extend(actions.iter().filter_map(|a| a.moderator_id));
    people.sort_unstable();
    people.dedup();
    let names: HashMap<i64, String> =
        accounts::users_by_ids(db, &people).await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let name = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    let mut views = Vec::new();
    for report in reports {
        let (excerpt, link) = match report.target_kind.as_str() {
            "ad" => match ads.iter().find(|a| a.id == report.target_id) {
                Some(ad) => (
                    format!("{} — {}", ad.title, ad.description),
                    Some(format!("/t/{}/entraide/{}", territory.slug, ad.id)),
                ),
                None => (String::new(), None),
            },
            "message" => (
                messages
                    .iter()
                    .find(|m| m.id == report.target_id)
                    .map(|m| m.body.clone())
                    .unwrap_or_default(),
                None,
            ),
            _ => {
                let profile = store::profile(db, report.target_id).await?.unwrap_or_default();
                (
                    format!("{} {}", profile.presentation, profile.skills).trim().to_owned(),
                    Some(format!("/membres/{}", report.target_id)),
                )
            }
        };
        let context = if report.target_kind == "message" {
            around
                .iter()
                .filter(|m| m.reported_id == report.target_id)
                .map(|m| NearbyView {
                    id: m.id,
                    author_name: name(Some(m.author_id)),
                    body: m.body.clone(),
                    is_hidden: m.is_hidden,
                    created_at: m.created_at,
                    is_reported: m.id == report.target_id,
                })
                .collect()
        } else {
            Vec::new()
        };
        views.push(ReportView {
            context,
            excerpt,
            link,
            target_name: name(report.target_user_id),
            reporter_name: name(report.reporter_id),
            report,
        });
    }
    Ok(ModerationQueue {
        pending,
        reports: views,
        suspensions: suspensions
            .into_iter()
            .map(|(user_id, reason, since)| SuspensionView {
                name: name(Some(user_id)),
                user_id,
                reason,
                since,
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|action| ActionView { moderator_name: name(action.moderator_id), action })
            .collect(),
        mode: moderation_mode_of(db, territory.id).await?,
    })
}

async fn moderation_mode_of(db: &Db, territory_id: i64) -> AppResult<ModerationMode> {
    super::moderation_mode(db, territory_id).await
}

/// Publishes an ad waiting for a moderator and tells its author.
pub async fn approve_ad(db: &Db, base_url: &str, moderator: &User, ad_id: i64) -> AppResult<()> {
    let ad = store::ad(db, ad_id).await?.ok_or(AppError::NotFound)?;
    require_moderator(db, moderator, ad.territory_id).await?;
    let author = accounts::user_by_id(db, ad.author_id).await?.ok_or(AppError::NotFound)?;
    let now = now();
    let mut tx = db.begin().await?;
    if !store::set_ad_state(&mut tx, ad.id, &[AdState::Pending, AdState::Hidden], AdState::Published, now)
        .await?
    {
        return Err(AppError::Conflict("aid.error.already_published"));
    }
    store::insert_action(&mut tx, ad.territory_id, moderator.id, "approve", ("ad", ad.id), None, "").await?;
    let slug = crate::territory::by_id(db, ad.territory_id).await?.map(|t| t.slug).unwrap_or_default();
    let tr = Tr::new(author.lang());
    let link = format!("{base_url}/t/{slug}/entraide/{}", ad.id);
    let body = tr.fill("aid.mail.approved.body", &[("title", &ad.title), ("link", &link)]);
    mail::enqueue(&mut tx, &Email::new(&author.email, tr.get("aid.mail.approved.subject"), body)).await?;
    tx.commit().await?;
    Ok(())
}

/// What a moderator does about a report, or about content directly.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Decision {
    /// Hide the reported content.
    pub hide: bool,
    /// `warn` (an email with the reason) or `suspend` (no more ads nor messages in the
    /// territory) the responsible account; empty for neither.
    #[schema(pattern = "^(warn|suspend)?$")]
    pub sanction: Option<String>,
    /// Why (required unless the report is only dismissed); the member reads it.
    #[schema(max_length = 1000)]
    pub reason: String,
}

/// Decides a report: hide the content and/or warn or suspend its author, or dismiss it.
/// Everything is written to the audit log in the same transaction.
pub async fn decide_report(db: &Db, moderator: &User, report_id: i64, decision: &Decision) -> AppResult<()> {
    let report = store::report(db, report_id).await?.ok_or(AppError::NotFound)?;
    require_moderator(db, moderator, report.territory_id).await?;
    let sanction = match decision.sanction.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("warn") => Some("warn"),
        Some("suspend") => Some("suspend"),
        Some(_) => return Err(AppError::invalid("sanction", "aid.error.sanction")),
    };
    let dismiss = !decision.hide && sanction.is_none();
    let reason = if dismiss { decision.reason.trim().to_owned() } else { clean_reason(&decision.reason)? };
    let target = match report.target_user_id {
        Some(id) => accounts::user_by_id(db, id).await?,
        None => None,
    };
    let reporter = match report.reporter_id {
        Some(id) => accounts::user_by_id(db, id).await?,
        None => None,
    };
    let now = now();
    let mut tx = db.begin().await?;
    let status = if dismiss { "dismissed" } else { "actioned" };
    if !store::close_report(&mut tx, report.id, status, moderator.id, now).await? {
        return Err(AppError::Conflict("aid.error.report_decided"));
    }
    let territory = report.territory_id;
    let log = (report.target_kind.as_str(), report.target_id);
    if dismiss {
        store::insert_action(&mut tx, territory, moderator.id, "dismiss", log, Some(report.id), &reason)
            .await?;
    }
    if decision.hide {
        match report.target_kind.as_str() {
            "ad" => {
                store::set_ad_state(
                    &mut tx,
                    report.target_id,
                    &[AdState::Pending, AdState::Published],
                    AdState::Hidden,
                    now,
                )
                .await?;
            }
            "message" => store::hide_message(&mut tx, report.target_id).await?,
            _ => store::hide_profile(&mut tx, report.target_id, now).await?,
        }
        store::insert_action(&mut tx, territory, moderator.id, "hide", log, Some(report.id), &reason).await?;
    }
    if let (Some(sanction), Some(target)) = (sanction, &target) {
        if sanction == "suspend" {
            store::suspend(&mut tx, territory, target.id, &reason, now).await?;
        }
        store::insert_action(
            &mut tx,
            territory,
            moderator.id,
            sanction,
            ("account", target.id),
            Some(report.id),
            &reason,
        )
        .await?;
        let tr = Tr::new(target.lang());
        let (subject, body) = if sanction == "suspend" {
            ("aid.mail.suspended.subject", "aid.mail.suspended.body")
        } else {
            ("aid.mail.warning.subject", "aid.mail.warning.body")
        };
        let text = tr.fill(body, &[("name", &target.display_name), ("reason", &reason)]);
        mail::enqueue(&mut tx, &Email::new(&target.email, tr.get(subject), text)).await?;
    }
    if let Some(reporter) = &reporter {
        mail::enqueue(&mut tx, &outcome(reporter, &report, dismiss)).await?;
    }
    tx.commit().await?;
    tracing::info!(report_id, status, "report decided");
    Ok(())
}

/// The email telling the reporter what became of their report: upheld (the moderators acted)
/// or dismissed. What was done to whom stays between the moderators and that member.
fn outcome(reporter: &User, report: &Report, dismissed: bool) -> Email {
    let tr = Tr::new(reporter.lang());
    let target = ReportTarget::parse(&report.target_kind).unwrap_or(ReportTarget::Profile);
    let key = if dismissed { "aid.mail.outcome.dismissed" } else { "aid.mail.outcome.upheld" };
    let body = tr.fill(
        key,
        &[
            ("name", &reporter.display_name),
            ("target", tr.get(target.label_key())),
            ("reason", &report.reason),
        ],
    );
    Email::new(&reporter.email, tr.get("aid.mail.outcome.subject"), body)
}

/// Hides an ad without a report (moderators), with a reason for the log.
pub async fn hide_ad(db: &Db, moderator: &User, ad_id: i64, reason: &str) -> AppResult<()> {
    let ad = store::ad(db, ad_id).await?.ok_or(AppError::NotFound)?;
    require_moderator(db, moderator, ad.territory_id).await?;
    let reason = clean_reason(reason)?;
    let now = now();
    let mut tx = db.begin().await?;
    if !store::set_ad_state(&mut tx, ad.id, &[AdState::Pending, AdState::Published], AdState::Hidden, now)
        .await?
    {
        return Err(AppError::Conflict("aid.error.already_hidden"));
    }
    store::insert_action(&mut tx, ad.territory_id, moderator.id, "hide", ("ad", ad.id), None, &reason)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts a suspension (moderators).
pub async fn lift_suspension(db: &Db, moderator: &User, territory_id: i64, user_id: i64) -> AppResult<()> {
    require_moderator(db, moderator, territory_id).await?;
    let mut tx = db.begin().await?;
    if !store::lift_suspension(&mut tx, territory_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    store::insert_action(
        &mut tx,
        territory_id,
        moderator.id,
        "lift_suspension",
        ("account", user_id),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets how new ads of the territory are moderated.
pub async fn set_mode(db: &Db, moderator: &User, territory_id: i64, mode: ModerationMode) -> AppResult<()> {
    require_moderator(db, moderator, territory_id).await?;
    let now = now();
    let mut tx = db.begin().await?;
    store::set_moderation_mode(&mut tx, territory_id, mode.as_str(), now).await?;
    store::insert_action(
        &mut tx,
        territory_id,
        moderator.id,
        "set_mode",
        ("territory", territory_id),
        None,
        mode.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a domain to the territory's list (e.g. "Impression 3D").
pub async fn add_domain(db: &Db, moderator: &User, territory_id: i64, name: &str) -> AppResult<String> {
    require_moderator(db, moderator, territory_id).await?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let code = domain_code(&name);
    if code.is_empty() || name.chars().count() > 60 {
        return Err(AppError::Invalid(vec![FieldError { field: "name", message: "aid.error.domain_name" }]));
    }
    if super::BUILTIN_DOMAINS.contains(&code.as_str()) {
        return Err(AppError::Conflict("aid.error.domain_exists"));
    }
    let now = now();
    let mut tx = db.begin().await?;
    if !store::insert_domain(&mut tx, territory_id, &code, &name, now).await? {
        return Err(AppError::Conflict("aid.error.domain_exists"));
    }
    store::insert_action(
        &mut tx,
        territory_id,
        moderator.id,
        "add_domain",
        ("territory", territory_id),
        None,
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}
