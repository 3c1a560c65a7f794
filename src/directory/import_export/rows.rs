//! Rows: the business read from each line, checked field by field, or the refusal a person can
//! act on, with its French and English sentences.

use serde::Serialize;

use super::columns::{ColumnLayout, Field};
use super::values::{
    infer_kind, parse_coordinates, parse_email, parse_kind, parse_phone, parse_services, parse_status,
    parse_web_address,
};
use crate::directory::{BusinessKind, CrisisStatus};
use crate::tabular::shown;

/// One professional read from an import file, checked and ready to be stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportedBusiness {
    /// The spreadsheet row it came from (the header is row 1, the first record row 2).
    pub row: usize,
    /// The name, as written (trimmed).
    pub name: String,
    /// The kind of business: from the `type` column, else guessed from the category.
    pub kind: BusinessKind,
    /// The category as written, possibly several separated by `;` (see [`Self::category_list`]).
    pub category: Option<String>,
    /// The street address.
    pub address: Option<String>,
    /// The postcode, as written.
    pub postcode: Option<String>,
    /// The commune.
    pub city: Option<String>,
    /// The phone number, as written.
    pub phone: Option<String>,
    /// The e-mail address (a leading `mailto:` removed).
    pub email: Option<String>,
    /// The web site: an absolute http or https URL.
    pub website: Option<String>,
    /// Social network pages: absolute http or https URLs, without duplicates.
    pub social_links: Vec<String>,
    /// WGS 84 latitude, in [-90, 90]; present exactly when `longitude` is.
    pub latitude: Option<f64>,
    /// WGS 84 longitude, in [-180, 180]; present exactly when `latitude` is.
    pub longitude: Option<f64>,
    /// The crisis status, when the file gives one.
    pub status: Option<CrisisStatus>,
    /// Orders can be collected (drive, click and collect).
    pub click_and_collect: bool,
    /// Orders can be delivered.
    pub delivery: bool,
    /// Takes goods on consignment (dépôt-vente).
    pub takes_consignment: bool,
    /// Free text, as written: HTML in it is plain text (the web layer escapes it).
    pub description: String,
}

impl ImportedBusiness {
    /// The key that makes re-importing the same file create no duplicates: folded (lowercase, no
    /// accents, single spaces) name + "|" + postcode (or empty).
    pub fn dedup_key(&self) -> String {
        dedup_key(&self.name, self.postcode.as_deref())
    }

    /// The categories, when the category cell lists several separated by `;`
    /// ("Boulangerie ; Pâtisserie", as the CSV export writes them).
    pub fn category_list(&self) -> Vec<String> {
        self.category
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|category| !category.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The key that makes re-importing the same file create no duplicates: folded (lowercase, no
/// accents, single spaces) name + "|" + postcode (or empty; spaces removed). Usable by the store to
/// find an existing entry.
pub fn dedup_key(name: &str, postcode: Option<&str>) -> String {
    let folded_name =
        deunicode::deunicode(name).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let folded_postcode: String = postcode
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    format!("{folded_name}|{folded_postcode}")
}

/// A row of the import file that was not imported, and why.
pub type RefusedRow = crate::tabular::RefusedRow<RefusalReason>;

/// Why a row was refused. The values are kept as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RefusalReason {
    /// The name cell is empty.
    MissingName,
    /// A web site or social link that is not an absolute http or https URL.
    InvalidUrl {
        /// The value as written.
        value: String,
    },
    /// A latitude outside [-90, 90].
    LatitudeOutOfRange {
        /// The value as written.
        value: String,
    },
    /// A longitude outside [-180, 180].
    LongitudeOutOfRange {
        /// The value as written.
        value: String,
    },
    /// A latitude or longitude that is not a number.
    InvalidCoordinate {
        /// The value as written.
        value: String,
    },
    /// A latitude without longitude, or the reverse.
    HalfCoordinates,
    /// An e-mail address that does not look like one.
    InvalidEmail {
        /// The value as written.
        value: String,
    },
    /// A status word that is not understood.
    UnknownStatus {
        /// The value as written.
        value: String,
    },
    /// A service word that is not understood.
    UnknownService {
        /// The service as written (one item of the list).
        value: String,
    },
    /// A type of business that is not understood.
    UnknownKind {
        /// The value as written.
        value: String,
    },
    /// A phone number with other characters than digits, spaces and `+ . - ( )`.
    InvalidPhone {
        /// The value as written.
        value: String,
    },
    /// More social links than a listing can show.
    TooManySocialLinks {
        /// How many the row gives.
        count: usize,
    },
    /// A text longer than a listing can hold.
    TooLong {
        /// The [`ImportedBusiness`] field ("name", "description"…).
        field: &'static str,
        /// The longest allowed, in characters.
        max_chars: usize,
    },
    /// The same business (same name and postcode) already appears higher in the file.
    DuplicateInFile {
        /// The row where it first appears.
        first_row: usize,
    },
}

/// The longest values, in characters: the limits of the listing form (`directory::validate`),
/// so that every accepted row can be stored.
pub(super) const MAX_NAME_CHARS: usize = 120;
pub(super) const MAX_CATEGORY_CHARS: usize = 60;
pub(super) const MAX_ADDRESS_CHARS: usize = 200;
pub(super) const MAX_POSTCODE_CHARS: usize = 10;
pub(super) const MAX_CITY_CHARS: usize = 80;
pub(super) const MAX_PHONE_CHARS: usize = 30;
pub(super) const MAX_EMAIL_CHARS: usize = 254;
pub(super) const MAX_WEBSITE_CHARS: usize = 300;
pub(super) const MAX_SOCIAL_LINKS: usize = 5;
pub(super) const MAX_DESCRIPTION_CHARS: usize = 5000;

/// How a field is named in French sentences ("texte trop long pour …").
pub(super) fn french_field_label(field: &str) -> &'static str {
    match field {
        "name" => "le nom",
        "category" => "une catégorie",
        "address" => "l'adresse",
        "postcode" => "le code postal",
        "city" => "la commune",
        "phone" => "le téléphone",
        "email" => "l'adresse e-mail",
        "website" => "l'adresse web",
        "description" => "la description",
        _ => "ce champ",
    }
}

/// How a field is named in English sentences ("text too long for …").
pub(super) fn english_field_label(field: &str) -> &'static str {
    match field {
        "name" => "the name",
        "category" => "a category",
        "address" => "the address",
        "postcode" => "the postcode",
        "city" => "the town",
        "phone" => "the phone number",
        "email" => "the e-mail address",
        "website" => "the web address",
        "description" => "the description",
        _ => "this field",
    }
}

impl RefusalReason {
    /// French sentence for the person, e.g. "le nom est manquant", "adresse web refusée (seules
    /// http et https sont acceptées) : javascript:alert(1)", "latitude hors limites (entre -90 et
    /// 90) : 91.5".
    pub fn french(&self) -> String {
        match self {
            Self::MissingName => "le nom est manquant".to_owned(),
            Self::InvalidUrl { value } => {
                format!("adresse web refusée (seules http et https sont acceptées) : {}", shown(value))
            }
            Self::LatitudeOutOfRange { value } => {
                format!("latitude hors limites (entre -90 et 90) : {}", shown(value))
            }
            Self::LongitudeOutOfRange { value } => {
                format!("longitude hors limites (entre -180 et 180) : {}", shown(value))
            }
            Self::InvalidCoordinate { value } => {
                format!(
                    "coordonnée illisible (un nombre est attendu, par exemple 43.8601) : {}",
                    shown(value)
                )
            }
            Self::HalfCoordinates => {
                "latitude et longitude vont ensemble : indiquez les deux, ou aucune".to_owned()
            }
            Self::InvalidEmail { value } => format!("adresse e-mail invalide : {}", shown(value)),
            Self::UnknownStatus { value } => {
                format!("statut inconnu (ouvert, drive, livraison ou fermé sont attendus) : {}", shown(value))
            }
            Self::UnknownService { value } => {
                format!("service inconnu (drive, livraison ou dépôt-vente sont attendus) : {}", shown(value))
            }
            Self::UnknownKind { value } => format!(
                "type inconnu (commerce, producteur, artisan, association, service ou santé sont attendus) : {}",
                shown(value)
            ),
            Self::InvalidPhone { value } => format!(
                "numéro de téléphone refusé (chiffres, espaces et + . - ( ) seulement) : {}",
                shown(value)
            ),
            Self::TooManySocialLinks { count } => {
                format!("trop de liens vers des réseaux sociaux : {count} ({MAX_SOCIAL_LINKS} au plus)")
            }
            Self::TooLong { field, max_chars } => {
                format!("texte trop long pour {} ({max_chars} caractères au plus)", french_field_label(field))
            }
            Self::DuplicateInFile { first_row } => {
                format!("apparaît deux fois dans le fichier, ligne {first_row}")
            }
        }
    }

    /// English sentence for the person, e.g. "the name is missing", "web address refused (only
    /// http and https are accepted): javascript:alert(1)".
    pub fn english(&self) -> String {
        match self {
            Self::MissingName => "the name is missing".to_owned(),
            Self::InvalidUrl { value } => {
                format!("web address refused (only http and https are accepted): {}", shown(value))
            }
            Self::LatitudeOutOfRange { value } => {
                format!("latitude out of range (between -90 and 90): {}", shown(value))
            }
            Self::LongitudeOutOfRange { value } => {
                format!("longitude out of range (between -180 and 180): {}", shown(value))
            }
            Self::InvalidCoordinate { value } => {
                format!("unreadable coordinate (a number is expected, for example 43.8601): {}", shown(value))
            }
            Self::HalfCoordinates => "latitude and longitude go together: give both, or neither".to_owned(),
            Self::InvalidEmail { value } => format!("invalid e-mail address: {}", shown(value)),
            Self::UnknownStatus { value } => {
                format!("unknown status (open, pickup, delivery or closed are expected): {}", shown(value))
            }
            Self::UnknownService { value } => format!(
                "unknown service (click and collect, delivery or consignment are expected): {}",
                shown(value)
            ),
            Self::UnknownKind { value } => format!(
                "unknown type (merchant, producer, artisan, association, service or health are expected): {}",
                shown(value)
            ),
            Self::InvalidPhone { value } => format!(
                "phone number refused (only digits, spaces and + . - ( ) are accepted): {}",
                shown(value)
            ),
            Self::TooManySocialLinks { count } => {
                format!("too many social links: {count} (at most {MAX_SOCIAL_LINKS})")
            }
            Self::TooLong { field, max_chars } => {
                format!("text too long for {} (at most {max_chars} characters)", english_field_label(field))
            }
            Self::DuplicateInFile { first_row } => format!("appears twice in the file, row {first_row}"),
        }
    }
}

/// One row checked; the first problem found refuses it.
pub(super) fn read_business(
    row: usize,
    cells: &[String],
    layout: &ColumnLayout,
) -> Result<ImportedBusiness, RefusalReason> {
    let cell = |field| layout.value(cells, field);
    let owned = |field| cell(field).map(str::to_owned);

    let name = cell(Field::Name).ok_or(RefusalReason::MissingName)?.to_owned();
    check_length("name", Some(&name.split_whitespace().collect::<Vec<_>>().join(" ")), MAX_NAME_CHARS)?;
    let website = cell(Field::Website).map(parse_web_address).transpose()?;
    check_length("website", website.as_deref(), MAX_WEBSITE_CHARS)?;
    let mut social_links: Vec<String> = Vec::new();
    for social_cell in layout.values(cells, Field::SocialLinks) {
        for written in social_cell.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|')) {
            if written.is_empty() {
                continue;
            }
            let link = parse_web_address(written)?;
            if !social_links.contains(&link) {
                social_links.push(link);
            }
        }
    }
    if social_links.len() > MAX_SOCIAL_LINKS {
        return Err(RefusalReason::TooManySocialLinks { count: social_links.len() });
    }
    let email = cell(Field::Email).map(parse_email).transpose()?;
    let phone = cell(Field::Phone).map(parse_phone).transpose()?;
    check_length("phone", phone.as_deref(), MAX_PHONE_CHARS)?;
    let (latitude, longitude) = parse_coordinates(cell(Field::Latitude), cell(Field::Longitude))?;
    let status = cell(Field::Status).map(parse_status).transpose()?;
    let services = cell(Field::Services).map(parse_services).transpose()?.unwrap_or_default();
    let category = owned(Field::Category);
    let longest_category = category
        .as_deref()
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .max_by_key(|item| item.chars().count());
    check_length("category", longest_category, MAX_CATEGORY_CHARS)?;
    check_length("address", cell(Field::Address), MAX_ADDRESS_CHARS)?;
    check_length("postcode", cell(Field::Postcode), MAX_POSTCODE_CHARS)?;
    check_length("city", cell(Field::City), MAX_CITY_CHARS)?;
    let kind = match cell(Field::Kind) {
        Some(written) => parse_kind(written)?,
        None => infer_kind(category.as_deref()),
    };
    let description = cell(Field::Description).unwrap_or_default().replace("\r\n", "\n");
    check_length("description", Some(&description), MAX_DESCRIPTION_CHARS)?;

    Ok(ImportedBusiness {
        row,
        name,
        kind,
        category,
        address: owned(Field::Address),
        postcode: owned(Field::Postcode),
        city: owned(Field::City),
        phone,
        email,
        website,
        social_links,
        latitude,
        longitude,
        status,
        click_and_collect: services.click_and_collect,
        delivery: services.delivery,
        takes_consignment: services.takes_consignment,
        description,
    })
}

/// Refuses a text longer than `max_chars` characters.
pub(super) fn check_length(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<(), RefusalReason> {
    match value {
        Some(text) if text.chars().count() > max_chars => Err(RefusalReason::TooLong { field, max_chars }),
        _ => Ok(()),
    }
}
