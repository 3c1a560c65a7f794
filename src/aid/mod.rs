//! Mutual aid (entraide): offers and requests of help by domain, found by text, domain and
//! distance; member profiles; private conversations attached to an ad; blocks, reports and the
//! moderators' actions with their audit log. Every function receives the acting member.

mod ads;
pub mod api;
pub mod demo;
mod filters;
pub mod http;
pub mod jobs;
mod messaging;
mod moderation;
mod profile;
mod store;

use ads::refuse_if_suspended;
pub use ads::{
    AdAccess, AdContext, AdPage, AdSearch, DomainOption, FoundAd, Sort, ad_context, authored_ad, describe,
    domain_label, domains, edit_ad, has_ended, is_moderator, moderation_mode, my_ads, places, post_ad,
    renew_ad, search, set_status, view_ad,
};
pub use messaging::{
    ConversationSummary, ConversationView, MessageView, block, contact, conversations, has_blocked,
    member_conversation, notice, read_conversation, reply, unblock, unread_conversations,
};
pub use moderation::{
    ActionView, Decision, ModerationQueue, NearbyView, ReportInput, ReportTarget, ReportView, SuspensionView,
    add_domain, approve_ad, decide_report, file_report, hide_ad, lift_suspension, open_report_count, queue,
    set_mode,
};
pub use profile::{
    MAX_PRESENTATION_CHARS, MAX_SKILLS_CHARS, ProfileInput, ProfileView, communes_for, delete_saved_search,
    own_profile, save_search, saved_searches, update_profile, view_profile,
};

use serde::{Deserialize, Serialize};
pub use store::ad as ad_by_id;

use crate::db::TextColumn;
use crate::error::FieldError;
use crate::text_column;

/// How long an ad stays up before it must be renewed.
pub const AD_LIFETIME_SECS: i64 = 30 * 24 * 3600;
/// The author is reminded this long before the ad expires.
pub const REMINDER_BEFORE_SECS: i64 = 3 * 24 * 3600;
/// New ads an account may post per territory-independent day.
pub const ADS_PER_DAY: i64 = 5;
/// New conversations an account may start per day.
pub const CONVERSATIONS_PER_DAY: i64 = 10;
/// Messages an account may send per hour.
pub const MESSAGES_PER_HOUR: i64 = 60;
/// Reports an account may file per day.
pub const REPORTS_PER_DAY: i64 = 20;
/// At most one email per conversation and recipient in this window.
pub const NOTICE_EVERY_SECS: i64 = 3600;
/// Saved searches get at most one digest in this window.
pub const DIGEST_EVERY_SECS: i64 = 24 * 3600;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest description or message, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The domains every territory starts with (stored codes).
pub const BUILTIN_DOMAINS: [&str; 6] =
    ["agricultural", "associative", "commercial", "medical", "transport", "socio-educational"];

/// The i18n key of a built-in domain's name.
pub fn builtin_domain_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "agricultural" => "aid.domain.agricultural",
        "associative" => "aid.domain.associative",
        "commercial" => "aid.domain.commercial",
        "medical" => "aid.domain.medical",
        "transport" => "aid.domain.transport",
        "socio-educational" => "aid.domain.socio_educational",
        _ => return None,
    })
}

/// An offer of help, or a request for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdKind {
    /// Someone offers help.
    Offer,
    /// Someone needs help.
    Request,
}

impl AdKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Request => "request",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "offer" => Some(Self::Offer),
            "request" => Some(Self::Request),
            _ => None,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Offer => "aid.kind.offer",
            Self::Request => "aid.kind.request",
        }
    }
}

/// Where an ad is in its life, as its author sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdStatus {
    /// Still looking.
    Open,
    /// Found: the help was given or received.
    Fulfilled,
    /// Withdrawn by its author.
    Closed,
}

impl AdStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Open, Self::Fulfilled, Self::Closed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Fulfilled => "fulfilled",
            Self::Closed => "closed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Open => "aid.status.open",
            Self::Fulfilled => "aid.status.fulfilled",
            Self::Closed => "aid.status.closed",
        }
    }
}

/// Whether the moderators let an ad be seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdState {
    /// Waiting for a moderator.
    Pending,
    /// Visible.
    Published,
    /// Hidden by a moderator.
    Hidden,
}

impl AdState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Hidden => "hidden",
        }
    }

    /// Parses a stored name (unknown reads as hidden: never shown by mistake).
    pub fn parse(text: &str) -> Self {
        match text {
            "published" => Self::Published,
            "pending" => Self::Pending,
            _ => Self::Hidden,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Pending => "aid.state.pending",
            Self::Published => "aid.state.published",
            Self::Hidden => "aid.state.hidden",
        }
    }
}

/// How a territory moderates new ads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// Ads are published at once.
    Open,
    /// The first ad of an account waits for a moderator.
    FirstPost,
    /// Every ad waits for a moderator.
    All,
}

impl ModerationMode {
    /// Every mode.
    pub const ALL: [Self; 3] = [Self::Open, Self::FirstPost, Self::All];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::FirstPost => "first_post",
            Self::All => "all",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The i18n key of its description.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Open => "aid.mode.open",
            Self::FirstPost => "aid.mode.first_post",
            Self::All => "aid.mode.all",
        }
    }

    /// The state a new ad starts in, given whether its author already had one published.
    pub fn initial_state(self, has_published_before: bool, is_moderator: bool) -> AdState {
        match self {
            _ if is_moderator => AdState::Published,
            Self::Open => AdState::Published,
            Self::FirstPost if has_published_before => AdState::Published,
            Self::FirstPost | Self::All => AdState::Pending,
        }
    }
}

impl TextColumn for AdKind {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    // An unknown kind reads as an offer, as it always has.
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text).unwrap_or(Self::Offer))
    }
}
text_column!(AdKind);

impl TextColumn for AdStatus {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    // An unknown status reads as closed: never offered by mistake.
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text).unwrap_or(Self::Closed))
    }
}
text_column!(AdStatus);

impl TextColumn for AdState {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text))
    }
}
text_column!(AdState);

/// An ad as stored.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Ad {
    /// Identifier.
    pub id: i64,
    /// Its territory.
    pub territory_id: i64,
    /// Who posted it.
    pub author_id: i64,
    /// The directory structure it is posted for, if any.
    pub business_id: Option<i64>,
    /// offer or request.
    pub kind: AdKind,
    /// Domain code.
    pub domain: String,
    /// Title.
    pub title: String,
    /// Plain text.
    pub description: String,
    /// The commune it is in, if chosen from the list.
    pub commune_id: Option<i64>,
    /// The place as its author wrote it (a commune's name, a neighbourhood).
    pub place: Option<String>,
    /// Approximate latitude.
    pub latitude: f64,
    /// Approximate longitude.
    pub longitude: f64,
    /// First day, `YYYY-MM-DD` (none: ongoing).
    pub starts_on: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub ends_on: Option<String>,
    /// Urgent.
    pub is_urgent: bool,
    /// open, fulfilled or closed.
    pub status: AdStatus,
    /// pending, published or hidden.
    pub state: AdState,
    /// When it stops being listed (Unix seconds).
    pub expires_at: i64,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

impl Ad {
    /// The kind.
    pub fn kind(&self) -> AdKind {
        self.kind
    }

    /// The status.
    pub fn status(&self) -> AdStatus {
        self.status
    }

    /// The moderation state.
    pub fn state(&self) -> AdState {
        self.state
    }

    /// True when past its expiry.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at <= now
    }

    /// True when its last day (`ends_on`) is before `today` (`YYYY-MM-DD`, the territory's
    /// date): a dated need is over the day after its date, and leaves the lists.
    pub fn has_ended(&self, today: &str) -> bool {
        self.ends_on.as_deref().is_some_and(|last| last < today)
    }

    /// True when people can answer it: published, open and not expired.
    pub fn is_answerable(&self, now: i64) -> bool {
        self.state() == AdState::Published && self.status() == AdStatus::Open && !self.is_expired(now)
    }

    /// The description's paragraphs.
    pub fn paragraphs(&self) -> Vec<&str> {
        self.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect()
    }
}

/// What a member types to post or edit an ad (web form or API).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AdInput {
    /// `offer` or `request`.
    #[schema(required = true, pattern = "^(offer|request)$")]
    pub kind: String,
    /// A domain code of the territory (`agricultural`, `associative`, `commercial`, `medical`,
    /// `transport`, `socio-educational`, or one a moderator added).
    #[schema(required = true, pattern = r"\S")]
    pub domain: String,
    /// Title (required).
    #[schema(required = true, max_length = 120, pattern = r"\S[\s\S]+\S")]
    pub title: String,
    /// Plain text (required); blank lines separate paragraphs.
    #[schema(required = true, max_length = 4000, pattern = r"\S")]
    pub description: String,
    /// A commune of the territory (its centre is used as the place).
    pub commune_id: Option<i64>,
    /// The place as written; never a street address unless the author writes one.
    #[schema(max_length = 80)]
    pub place: Option<String>,
    /// Latitude of an approximate point (with `longitude`, instead of a commune).
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    /// Longitude of an approximate point.
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    /// First day `YYYY-MM-DD`; none with no end means ongoing.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub starts_on: Option<String>,
    /// Last day `YYYY-MM-DD`.
    #[schema(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub ends_on: Option<String>,
    /// Urgent.
    pub is_urgent: bool,
    /// A directory structure the author owns, to post in its name.
    pub business_id: Option<i64>,
}

/// A validated ad.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanAd {
    /// Kind.
    pub kind: AdKind,
    /// Domain code.
    pub domain: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Commune.
    pub commune_id: Option<i64>,
    /// Place as written (or the commune's name).
    pub place: Option<String>,
    /// Latitude, rounded to about a hundred metres.
    pub latitude: f64,
    /// Longitude, rounded.
    pub longitude: f64,
    /// First day.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
    /// Urgent.
    pub is_urgent: bool,
    /// Structure.
    pub business_id: Option<i64>,
}

/// A commune as the ad form needs it: id, name, centre.
#[derive(Clone, Debug)]
pub struct Place {
    /// Commune id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Centre latitude.
    pub latitude: f64,
    /// Centre longitude.
    pub longitude: f64,
}

/// Today's date (`YYYY-MM-DD`) in a territory's time zone at `now` (Unix seconds).
pub fn today_in(territory: &crate::territory::Territory, now: i64) -> String {
    jiff::Timestamp::from_second(now)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(territory.tz())
        .date()
        .to_string()
}

/// Rounds a coordinate to three decimals (about 100 m): an ad gives an approximate point.
pub fn approximate(coordinate: f64) -> f64 {
    (coordinate * 1000.0).round() / 1000.0
}

fn parse_day(text: Option<&str>) -> Result<Option<jiff::civil::Date>, ()> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<jiff::civil::Date>().map(Some).map_err(|_| ()),
    }
}

/// Trims a text and collapses runs of blank lines; `None` when empty.
pub fn clean_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut out = String::new();
    let mut blank = 0;
    for line in lines {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line.trim_start());
    }
    out
}

/// Validates an ad against the territory's domains and communes; every problem at once.
pub fn validate(input: &AdInput, domains: &[String], places: &[Place]) -> Result<CleanAd, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = AdKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError { field: "kind", message: "aid.error.kind" });
    }
    let domain = input.domain.trim().to_owned();
    if !domains.contains(&domain) {
        errors.push(FieldError { field: "domain", message: "aid.error.domain" });
    }
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() < 3 {
        errors.push(FieldError { field: "title", message: "aid.error.title_required" });
    } else if title.chars().count() > MAX_TITLE_CHARS {
        errors.push(FieldError { field: "title", message: "aid.error.title_long" });
    }
    let description = clean_text(&input.description);
    if description.is_empty() {
        errors.push(FieldError { field: "description", message: "aid.error.description_required" });
    } else if description.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError { field: "description", message: "aid.error.text_long" });
    }
    let written_place = input.place.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
    if written_place.as_ref().is_some_and(|p| p.chars().count() > 80) {
        errors.push(FieldError { field: "place", message: "aid.error.place_long" });
    }
    let mut point = None;
    let mut commune_id = None;
    let mut place = written_place.clone();
    match (input.latitude, input.longitude) {
        (Some(lat), Some(lon)) => {
            if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                errors.push(FieldError { field: "latitude", message: "aid.error.latitude" });
            } else if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                errors.push(FieldError { field: "longitude", message: "aid.error.longitude" });
            } else {
                point = Some((approximate(lat), approximate(lon)));
            }
            commune_id = input.commune_id.filter(|id| places.iter().any(|p| p.id == *id));
        }
        (Some(_), None) | (None, Some(_)) => {
            errors.push(FieldError { field: "latitude", message: "aid.error.half_point" });
        }
        (None, None) => match input.commune_id.and_then(|id| places.iter().find(|p| p.id == id)) {
            Some(commune) => {
                point = Some((approximate(commune.latitude), approximate(commune.longitude)));
                commune_id = Some(commune.id);
                place = written_place.or_else(|| Some(commune.name.clone()));
            }
            None => errors.push(FieldError { field: "commune_id", message: "aid.error.place_required" }),
        },
    }
    let starts = parse_day(input.starts_on.as_deref());
    let ends = parse_day(input.ends_on.as_deref());
    if starts.is_err() {
        errors.push(FieldError { field: "starts_on", message: "aid.error.date" });
    }
    if ends.is_err() {
        errors.push(FieldError { field: "ends_on", message: "aid.error.date" });
    }
    if let (Ok(Some(start)), Ok(Some(end))) = (&starts, &ends)
        && end < start
    {
        errors.push(FieldError { field: "ends_on", message: "aid.error.dates_order" });
    }
    match (kind, point, errors.is_empty()) {
        (Some(kind), Some((latitude, longitude)), true) => Ok(CleanAd {
            kind,
            domain,
            title,
            description,
            commune_id,
            place,
            latitude,
            longitude,
            starts_on: starts.ok().flatten().map(|d| d.to_string()),
            ends_on: ends.ok().flatten().map(|d| d.to_string()),
            is_urgent: input.is_urgent,
            business_id: input.business_id,
        }),
        _ => Err(errors),
    }
}

/// Validates a message body.
pub fn clean_message(body: &str) -> Result<String, FieldError> {
    let body = clean_text(body);
    if body.is_empty() {
        Err(FieldError { field: "body", message: "aid.error.message_required" })
    } else if body.chars().count() > MAX_TEXT_CHARS {
        Err(FieldError { field: "body", message: "aid.error.text_long" })
    } else {
        Ok(body)
    }
}

/// The code of a domain a moderator adds: its folded name with dashes ("Impression 3D" →
/// `impression-3d`).
pub fn domain_code(name: &str) -> String {
    crate::directory::fold(name).replace(' ', "-")
}

/// The text searched for an ad: title, domain, place and description, folded, with a leading
/// space so that `" word"` matches word prefixes.
pub fn search_text(title: &str, domain_label: &str, place: Option<&str>, description: &str) -> String {
    use crate::directory::fold;
    format!(" {} {} {} {}", fold(title), fold(domain_label), fold(place.unwrap_or("")), fold(description))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Vec<Place> {
        vec![Place { id: 7, name: "Marguerittes".into(), latitude: 43.86012, longitude: 4.44321 }]
    }

    fn domains() -> Vec<String> {
        BUILTIN_DOMAINS.iter().map(|d| (*d).to_owned()).collect()
    }

    fn input() -> AdInput {
        AdInput {
            kind: "offer".into(),
            domain: "transport".into(),
            title: "  Conduite   vers Nîmes ".into(),
            description: "Je peux conduire.\n\n\n\nLe mardi.".into(),
            commune_id: Some(7),
            ..AdInput::default()
        }
    }

    #[test]
    fn a_commune_gives_the_place_and_its_approximate_centre() {
        let clean = validate(&input(), &domains(), &places()).unwrap();
        assert_eq!(clean.title, "Conduite vers Nîmes");
        assert_eq!(clean.description, "Je peux conduire.\n\nLe mardi.");
        assert_eq!(clean.place.as_deref(), Some("Marguerittes"));
        assert_eq!((clean.latitude, clean.longitude), (43.86, 4.443));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = AdInput {
            kind: "gift".into(),
            domain: "astrology".into(),
            title: "a".into(),
            starts_on: Some("2026-05-10".into()),
            ends_on: Some("2026-05-01".into()),
            ..AdInput::default()
        };
        let fields: Vec<_> =
            validate(&bad, &domains(), &places()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "domain", "title", "description", "commune_id", "ends_on"]);
    }

    #[test]
    fn a_point_must_be_whole_and_on_the_globe() {
        let half = AdInput { commune_id: None, latitude: Some(43.8), ..input() };
        assert_eq!(validate(&half, &domains(), &places()).unwrap_err()[0].message, "aid.error.half_point");
        let off = AdInput { commune_id: None, latitude: Some(95.0), longitude: Some(4.0), ..input() };
        assert_eq!(validate(&off, &domains(), &places()).unwrap_err()[0].field, "latitude");
    }

    #[test]
    fn first_posts_wait_only_when_the_territory_says_so() {
        assert_eq!(ModerationMode::Open.initial_state(false, false), AdState::Published);
        assert_eq!(ModerationMode::FirstPost.initial_state(false, false), AdState::Pending);
        assert_eq!(ModerationMode::FirstPost.initial_state(true, false), AdState::Published);
        assert_eq!(ModerationMode::All.initial_state(true, false), AdState::Pending);
        assert_eq!(ModerationMode::All.initial_state(false, true), AdState::Published);
    }

    #[test]
    fn a_dated_need_ends_after_its_last_day_in_its_territorys_time_zone() {
        let territory = |time_zone: &str| crate::territory::Territory {
            id: 1,
            slug: "t".into(),
            name: "T".into(),
            time_zone: time_zone.into(),
            label_name: None,
            label_tag: None,
        };
        // 2026-12-03 23:30 UTC: already the 4th in Paris, still the 3rd in Martinique.
        let now = 1_796_340_600;
        assert_eq!(today_in(&territory("Europe/Paris"), now), "2026-12-04");
        assert_eq!(today_in(&territory("America/Martinique"), now), "2026-12-03");
        let ad = Ad { ends_on: Some("2026-12-03".into()), ..sample_ad() };
        assert!(ad.has_ended("2026-12-04"));
        assert!(!ad.has_ended("2026-12-03"));
        assert!(!Ad { ends_on: None, ..sample_ad() }.has_ended("2099-01-01"));
    }

    fn sample_ad() -> Ad {
        Ad {
            id: 1,
            territory_id: 1,
            author_id: 1,
            business_id: None,
            kind: AdKind::Request,
            domain: "transport".into(),
            title: "Courses".into(),
            description: "Courses".into(),
            commune_id: None,
            place: None,
            latitude: 0.0,
            longitude: 0.0,
            starts_on: None,
            ends_on: None,
            is_urgent: false,
            status: AdStatus::Open,
            state: AdState::Published,
            expires_at: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn added_domains_get_a_folded_code() {
        assert_eq!(domain_code("Impression 3D"), "impression-3d");
        assert_eq!(domain_code("Éducation populaire"), "education-populaire");
    }

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(clean_message("  \n bonjour \n\n").unwrap(), "bonjour");
        assert_eq!(clean_message(" \n ").unwrap_err().message, "aid.error.message_required");
        assert_eq!(
            clean_message(&"x".repeat(MAX_TEXT_CHARS + 1)).unwrap_err().message,
            "aid.error.text_long"
        );
    }
}
