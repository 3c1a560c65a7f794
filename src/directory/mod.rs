//! The directory (annuaire): the territory's businesses, producers, associations and services,
//! who is open, what they offer and where; proposed by their owners, validated by moderators.

pub mod api;
mod claim;
pub mod geocode;
pub mod hours;
pub mod http;
pub mod import_export;
mod listing;
mod ordering;
pub mod photo;
mod store;

pub use claim::{claim, decide_claim};
pub use listing::{
    Access, Found, ImportOutcome, SearchPage, SearchQuery, Service, add_category, add_photo, approve,
    category_names, edit_category, exports, history, import_confirm, import_preview, import_rows,
    is_moderator, moderation_queue, owned_by, photo, process_upload, propose, published_listing,
    refuse_or_unpublish, remove_category, remove_photo, search, taxonomy, update, update_status, view,
};
pub use ordering::{ShopFilter, order_takers};
pub use photo::StoredPhoto;
pub use store::{
    add_owner, get as business_by_id, is_owner, owned_by as listings_owned_by, owner_ids, photos,
    purge_imports, record_currency_acceptance,
};

use serde::{Deserialize, Serialize};

use crate::db::TextColumn;
use crate::error::FieldError;
use crate::text_column;

/// What kind of structure a listing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BusinessKind {
    /// A shop.
    Merchant,
    /// A farm or food producer.
    Producer,
    /// A craftsperson.
    Artisan,
    /// An association.
    Association,
    /// A service (repairs, transport, ...).
    Service,
    /// A pharmacy, a practice.
    Health,
}

impl BusinessKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 6] =
        [Self::Merchant, Self::Producer, Self::Artisan, Self::Association, Self::Service, Self::Health];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merchant => "merchant",
            Self::Producer => "producer",
            Self::Artisan => "artisan",
            Self::Association => "association",
            Self::Service => "service",
            Self::Health => "health",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Merchant => "directory.kind.merchant",
            Self::Producer => "directory.kind.producer",
            Self::Artisan => "directory.kind.artisan",
            Self::Association => "directory.kind.association",
            Self::Service => "directory.kind.service",
            Self::Health => "directory.kind.health",
        }
    }
}

/// The crisis status a business shows: is it open, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CrisisStatus {
    /// Open as usual.
    Open,
    /// Orders are collected at the door only.
    PickupOnly,
    /// Delivery only.
    DeliveryOnly,
    /// Temporarily closed.
    Closed,
}

impl CrisisStatus {
    /// Every status, in display order.
    pub const ALL: [Self; 4] = [Self::Open, Self::PickupOnly, Self::DeliveryOnly, Self::Closed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PickupOnly => "pickup_only",
            Self::DeliveryOnly => "delivery_only",
            Self::Closed => "closed",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Open => "directory.status.open",
            Self::PickupOnly => "directory.status.pickup_only",
            Self::DeliveryOnly => "directory.status.delivery_only",
            Self::Closed => "directory.status.closed",
        }
    }

    /// True when people can still get something from the business.
    pub fn is_working(self) -> bool {
        self != Self::Closed
    }
}

/// Where a listing is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingState {
    /// Waiting for a moderator.
    Pending,
    /// Visible to everyone.
    Published,
    /// Refused by a moderator (with a reason); the owners may correct and propose again.
    Refused,
    /// Taken down by a moderator.
    Unpublished,
}

impl ListingState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Refused => "refused",
            Self::Unpublished => "unpublished",
        }
    }

    /// Parses a stored name (unknown names read as pending: never shown by mistake).
    pub fn parse(name: &str) -> Self {
        match name {
            "published" => Self::Published,
            "refused" => Self::Refused,
            "unpublished" => Self::Unpublished,
            _ => Self::Pending,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Pending => "directory.state.pending",
            Self::Published => "directory.state.published",
            Self::Refused => "directory.state.refused",
            Self::Unpublished => "directory.state.unpublished",
        }
    }
}

/// A listing as stored.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Business {
    /// Identifier.
    pub id: i64,
    /// Its territory.
    pub territory_id: i64,
    /// Name.
    pub name: String,
    /// Kind (stored name).
    pub kind: BusinessKind,
    /// Plain text, paragraphs separated by blank lines.
    pub description: String,
    /// Street address.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Town as written.
    pub city: Option<String>,
    /// The territory's commune, when the town is one of them.
    pub commune_id: Option<i64>,
    /// Latitude (WGS 84).
    pub latitude: Option<f64>,
    /// Longitude (WGS 84).
    pub longitude: Option<f64>,
    /// Phone number as written.
    pub phone: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Website (http or https).
    pub website: Option<String>,
    /// Social links, JSON array of http(s) URLs.
    pub social_links: String,
    /// Weekly opening hours, JSON (see `hours`).
    pub opening_hours: String,
    /// Offers click-and-collect.
    pub click_and_collect: bool,
    /// Delivers.
    pub delivery: bool,
    /// Accepts the local currency: kept by the wallet, true once the listing's managers opened
    /// its account (see [`store::record_currency_acceptance`]); no form or import sets it.
    pub accepts_local_currency: bool,
    /// Takes other producers' goods on consignment.
    pub takes_consignment: bool,
    /// Crisis status (stored name).
    pub status: CrisisStatus,
    /// Message shown with the status.
    pub status_message: Option<String>,
    /// When the status was last confirmed (Unix seconds).
    pub status_confirmed_at: Option<i64>,
    /// Listing state (stored name).
    pub state: ListingState,
    /// Why it was refused or unpublished.
    pub state_reason: Option<String>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

impl Business {
    /// The kind.
    pub fn kind(&self) -> BusinessKind {
        self.kind
    }

    /// The crisis status.
    pub fn status(&self) -> CrisisStatus {
        self.status
    }

    /// The listing state.
    pub fn state(&self) -> ListingState {
        self.state
    }

    /// The social links.
    pub fn social_links(&self) -> Vec<String> {
        serde_json::from_str(&self.social_links).unwrap_or_default()
    }

    /// The opening hours.
    pub fn hours(&self) -> hours::OpeningHours {
        hours::OpeningHours::from_json(&self.opening_hours)
    }

    /// True when it is open at `instant`: its status is not "closed" and its opening hours, when
    /// it gave any, say open then (in `zone`, the territory's time zone).
    pub fn is_open_at(&self, instant: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> bool {
        let hours = self.hours();
        self.status.is_working() && (hours.is_empty() || hours.is_open_at(instant, zone))
    }

    /// The description's paragraphs (split on blank lines).
    pub fn paragraphs(&self) -> Vec<&str> {
        self.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect()
    }
}

impl TextColumn for BusinessKind {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    // An unknown kind reads as a merchant, as it always has.
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text).unwrap_or(Self::Merchant))
    }
}
text_column!(BusinessKind);

impl TextColumn for CrisisStatus {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    // An unknown status reads as open, as it always has.
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text).unwrap_or(Self::Open))
    }
}
text_column!(CrisisStatus);

impl TextColumn for ListingState {
    fn as_column(&self) -> &'static str {
        self.as_str()
    }
    fn from_column(text: &str) -> Option<Self> {
        Some(Self::parse(text))
    }
}
text_column!(ListingState);

/// Folds text for search and de-duplication: lowercase ASCII without accents, words separated
/// by single spaces ("Épicerie  Fine!" → "epicerie fine").
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The text searched for a business: its name, categories, town and description, folded,
/// with a leading space so that searching for `" word"` matches word prefixes.
pub fn search_text(name: &str, categories: &[String], city: Option<&str>, description: &str) -> String {
    format!(
        " {} {} {} {}",
        fold(name),
        fold(&categories.join(" ")),
        fold(city.unwrap_or("")),
        fold(description)
    )
}

/// True for an absolute `http` or `https` URL with a host.
pub fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// A web address as the API's document describes it: `http` or `https`, a host name, an
/// optional port and path (the server takes any address `url` reads with a host; this is the
/// plain part of it that clients send).
const WEB_URL_PATTERN: &str = "^(https?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,4})?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?)?$";

/// The schema of `social_links`: at most 5 web addresses (empty ones are ignored).
fn social_links() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    let link =
        ObjectBuilder::new().schema_type(Type::String).max_length(Some(300)).pattern(Some(WEB_URL_PATTERN));
    ArrayBuilder::new().items(link).max_items(Some(5)).build()
}

/// What a person types to create or edit a listing (web form or API).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BusinessInput {
    /// Name (required).
    #[schema(required = true, max_length = 120, pattern = r"\S")]
    pub name: String,
    /// Kind: merchant, producer, artisan, association, service or health.
    #[schema(pattern = "^(merchant|producer|artisan|association|service|health)?$")]
    pub kind: String,
    /// Plain text; blank lines separate paragraphs.
    #[schema(max_length = 5000)]
    pub description: String,
    /// Street address.
    #[schema(max_length = 200)]
    pub address: Option<String>,
    /// Postcode.
    #[schema(max_length = 10)]
    pub postcode: Option<String>,
    /// Town.
    #[schema(max_length = 80)]
    pub city: Option<String>,
    /// Latitude.
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    /// Longitude.
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    /// Phone.
    #[schema(max_length = 30, pattern = r"^[0-9 +.()-]*$")]
    pub phone: Option<String>,
    /// Contact email.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Website.
    #[schema(
        max_length = 300,
        pattern = "^(https?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,4})?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?)?$"
    )]
    pub website: Option<String>,
    /// Social links (http/https).
    #[schema(schema_with = social_links)]
    pub social_links: Vec<String>,
    /// Click-and-collect.
    pub click_and_collect: bool,
    /// Delivery.
    pub delivery: bool,
    /// Takes consignment.
    pub takes_consignment: bool,
    /// Crisis status: open, pickup_only, delivery_only, closed.
    #[schema(pattern = "^(open|pickup_only|delivery_only|closed)?$")]
    pub status: Option<String>,
    /// Message shown with the status.
    #[schema(max_length = 300)]
    pub status_message: Option<String>,
    /// Category ids of the territory's taxonomy.
    pub category_ids: Vec<i64>,
    /// Opening hours.
    pub opening_hours: Option<hours::OpeningHours>,
}

/// A validated listing, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanBusiness {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: BusinessKind,
    /// Description.
    pub description: String,
    /// Address.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Town.
    pub city: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Social links.
    pub social_links: Vec<String>,
    /// Click-and-collect.
    pub click_and_collect: bool,
    /// Delivery.
    pub delivery: bool,
    /// Consignment.
    pub takes_consignment: bool,
    /// Status.
    pub status: CrisisStatus,
    /// Status message.
    pub status_message: Option<String>,
    /// Categories.
    pub category_ids: Vec<i64>,
    /// Opening hours.
    pub opening_hours: hours::OpeningHours,
}

fn optional(
    text: Option<&str>,
    max: usize,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > max {
        errors.push(FieldError { field, message: "directory.error.too_long" });
    }
    Some(text.to_owned())
}

/// Checks a listing: a name, a known kind and status, http(s) links only, a plausible email,
/// both coordinates or none and within range, bounded lengths. Every problem is reported.
pub fn validate(input: &BusinessInput) -> Result<CleanBusiness, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(FieldError { field: "name", message: "directory.error.name_required" });
    } else if name.chars().count() > 120 {
        errors.push(FieldError { field: "name", message: "directory.error.too_long" });
    }
    let kind = if input.kind.trim().is_empty() {
        Some(BusinessKind::Merchant)
    } else {
        BusinessKind::parse(input.kind.trim())
    };
    if kind.is_none() {
        errors.push(FieldError { field: "kind", message: "directory.error.kind" });
    }
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(CrisisStatus::Open),
        Some(text) => CrisisStatus::parse(text),
    };
    if status.is_none() {
        errors.push(FieldError { field: "status", message: "directory.error.status" });
    }
    let description = input.description.trim().replace("\r\n", "\n");
    if description.chars().count() > 5000 {
        errors.push(FieldError { field: "description", message: "directory.error.too_long" });
    }
    let website = optional(input.website.as_deref(), 300, "website", &mut errors);
    if website.as_deref().is_some_and(|w| !is_web_url(w)) {
        errors.push(FieldError { field: "website", message: "directory.error.url" });
    }
    let social_links: Vec<String> =
        input.social_links.iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    // Five links at most, blank entries counted: the API's document caps the list it is sent.
    if social_links.iter().any(|l| !is_web_url(l)) || input.social_links.len() > 5 {
        errors.push(FieldError { field: "social_links", message: "directory.error.url" });
    }
    let email = optional(input.email.as_deref(), 254, "email", &mut errors);
    if email.as_deref().is_some_and(|e| !email_address::EmailAddress::is_valid(e)) {
        errors.push(FieldError { field: "email", message: "accounts.error.email_invalid" });
    }
    let phone = optional(input.phone.as_deref(), 30, "phone", &mut errors);
    if phone.as_deref().is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || " +.-()".contains(c))) {
        errors.push(FieldError { field: "phone", message: "directory.error.phone" });
    }
    match (input.latitude, input.longitude) {
        (Some(lat), Some(lon)) => {
            if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                errors.push(FieldError { field: "latitude", message: "territory.error.latitude" });
            }
            if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                errors.push(FieldError { field: "longitude", message: "territory.error.longitude" });
            }
        }
        (None, None) => {}
        (None, Some(_)) => {
            errors.push(FieldError { field: "latitude", message: "directory.error.half_coordinates" })
        }
        (Some(_), None) => {
            errors.push(FieldError { field: "longitude", message: "directory.error.half_coordinates" })
        }
    }
    let address = optional(input.address.as_deref(), 200, "address", &mut errors);
    let postcode = optional(input.postcode.as_deref(), 10, "postcode", &mut errors);
    let city = optional(input.city.as_deref(), 80, "city", &mut errors);
    let status_message = optional(input.status_message.as_deref(), 300, "status_message", &mut errors);
    if input.opening_hours.as_ref().is_some_and(|h| !h.is_valid()) {
        errors.push(FieldError { field: "opening_hours", message: "directory.hours.error.order" });
    }
    match (kind, status) {
        (Some(kind), Some(status)) if errors.is_empty() => Ok(CleanBusiness {
            name,
            kind,
            description,
            address,
            postcode,
            city,
            latitude: input.latitude,
            longitude: input.longitude,
            phone,
            email: email.map(|e| e.to_lowercase()),
            website,
            social_links,
            click_and_collect: input.click_and_collect,
            delivery: input.delivery,
            takes_consignment: input.takes_consignment,
            status,
            status_message,
            category_ids: input.category_ids.clone(),
            opening_hours: input.opening_hours.clone().unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let a =
        ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> BusinessInput {
        BusinessInput { name: name.into(), ..BusinessInput::default() }
    }

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("Épicerie  Fine!"), "epicerie fine");
        assert_eq!(fold("La Drôle d'Épicerie"), "la drole d epicerie");
        assert!(search_text("Épicerie", &[], Some("Nîmes"), "").contains(" epicerie"));
    }

    #[test]
    fn only_http_and_https_links_are_accepted() {
        let mut bad = input("Garage");
        bad.website = Some("javascript:alert(1)".into());
        let errors = validate(&bad).unwrap_err();
        assert_eq!(errors[0].field, "website");
        let mut good = input("Garage");
        good.website = Some("https://garage.example/".into());
        good.social_links = vec!["http://facebook.com/garage".into()];
        assert!(validate(&good).is_ok());
    }

    #[test]
    fn coordinates_must_come_in_pairs_and_within_range() {
        let mut half = input("Cave");
        half.latitude = Some(43.8);
        assert_eq!(validate(&half).unwrap_err()[0].message, "directory.error.half_coordinates");
        let mut out = input("Cave");
        out.latitude = Some(91.5);
        out.longitude = Some(4.44);
        assert_eq!(validate(&out).unwrap_err()[0].field, "latitude");
    }

    #[test]
    fn a_name_is_required_and_html_is_kept_as_text() {
        assert_eq!(validate(&input("  ")).unwrap_err()[0].field, "name");
        let clean = validate(&input("Atelier <script>alert('x')</script>")).unwrap();
        assert_eq!(clean.name, "Atelier <script>alert('x')</script>");
        assert_eq!(clean.kind, BusinessKind::Merchant);
        assert_eq!(clean.status, CrisisStatus::Open);
    }

    #[test]
    fn distances_are_in_kilometres() {
        let nimes = (43.8345, 4.3597);
        let marguerittes = (43.8601, 4.4432);
        let d = distance_km(nimes, marguerittes);
        assert!((7.0..8.0).contains(&d), "{d}");
    }
}
