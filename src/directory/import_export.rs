//! Import of local professionals from a spreadsheet file (CSV) and export of the published directory
//! as open data (CSV and GeoJSON). Pure functions: no database, no HTTP.
//!
//! The importer is liberal in what it accepts, because the files come from many spreadsheets:
//! UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252; `,`, `;` or tab as separator;
//! French or English column names, matched without regard to case, accents or punctuation.
//! Each row is then checked strictly: a row that cannot be imported as it is gets refused with a
//! reason a person can act on ("row 9: web address refused…"), the other rows are accepted.
//!
//! The CSV export uses the import's column names, so that a file exported from one instance can
//! be imported into another (or edited in a spreadsheet and imported back) without loss.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{BusinessKind, CrisisStatus};
use crate::tabular::{self, TextError, fold_header, fold_words};

// ---------------------------------------------------------------------------------------------
// Import: public types
// ---------------------------------------------------------------------------------------------

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
    /// Accepts the local currency.
    pub accepts_local_currency: bool,
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RefusedRow {
    /// The spreadsheet row (the header is row 1, the first record row 2).
    pub row: usize,
    /// Why it was refused.
    pub reason: RefusalReason,
}

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
    /// A local currency answer that is neither yes nor no.
    UnknownYesNo {
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
const MAX_NAME_CHARS: usize = 120;
const MAX_CATEGORY_CHARS: usize = 60;
const MAX_ADDRESS_CHARS: usize = 200;
const MAX_POSTCODE_CHARS: usize = 10;
const MAX_CITY_CHARS: usize = 80;
const MAX_PHONE_CHARS: usize = 30;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_WEBSITE_CHARS: usize = 300;
const MAX_SOCIAL_LINKS: usize = 5;
const MAX_DESCRIPTION_CHARS: usize = 5000;

/// How a field is named in French sentences ("texte trop long pour …").
fn french_field_label(field: &str) -> &'static str {
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
fn english_field_label(field: &str) -> &'static str {
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

/// Values longer than this are cut in the messages (they are kept whole in the variants).
const MESSAGE_VALUE_MAX_CHARS: usize = 80;

/// A value for a message: cut when very long, so that one absurd cell keeps the report readable.
fn shown(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(MESSAGE_VALUE_MAX_CHARS) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &value[..cut])),
        None => Cow::Borrowed(value),
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
            Self::UnknownYesNo { value } => {
                format!("monnaie locale : oui ou non est attendu : {}", shown(value))
            }
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
            Self::UnknownYesNo { value } => {
                format!("local currency: yes or no is expected: {}", shown(value))
            }
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

/// What an import file gave: the accepted businesses, the refused rows and what was made of the
/// columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport {
    /// The rows that can be stored, in file order.
    pub accepted: Vec<ImportedBusiness>,
    /// The rows that cannot, in file order.
    pub refused: Vec<RefusedRow>,
    /// Headers (as written) of the columns that were not used: unknown, or a second column for a
    /// field that an earlier or more specific column already gives.
    pub ignored_columns: Vec<String>,
    /// Headers (as written) of the columns that were used, with the field each one fills (the
    /// [`ImportedBusiness`] field name; the three service flags are "services").
    pub recognised_columns: Vec<(String, &'static str)>,
}

/// Why a whole file could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The file has no content.
    Empty,
    /// No column of the first line is a name column (nom, name, raison sociale, enseigne…).
    NoNameColumn,
    /// The file is not a CSV text table (a workbook, a binary file…); the text is a short technical
    /// detail.
    Unreadable(String),
}

impl ImportError {
    /// English sentence for the person (the `Display` text is French).
    pub fn english(&self) -> String {
        match self {
            Self::Empty => "the file is empty".to_owned(),
            Self::NoNameColumn => {
                "no column of the first line holds the names: the first line must give the \
                                   column titles, one of them \"name\" (or nom, raison sociale, enseigne)"
                    .to_owned()
            }
            Self::Unreadable(detail) => format!(
                "the file is not a readable CSV table: save it from your spreadsheet as \"CSV\" and try again \
                 ({detail})"
            ),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => formatter.write_str("le fichier est vide"),
            Self::NoNameColumn => formatter.write_str(
                "aucune colonne de la première ligne ne contient les noms : la première ligne doit donner \
                 les titres des colonnes, dont « nom » (ou raison sociale, enseigne, name)",
            ),
            Self::Unreadable(detail) => write!(
                formatter,
                "le fichier n'est pas un tableau CSV lisible : enregistrez-le depuis votre tableur au format \
                 « CSV » puis réessayez ({detail})"
            ),
        }
    }
}

impl std::error::Error for ImportError {}

// ---------------------------------------------------------------------------------------------
// Import: columns
// ---------------------------------------------------------------------------------------------

/// A field of [`ImportedBusiness`] that a column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Name,
    Kind,
    Category,
    Address,
    Postcode,
    City,
    Phone,
    Email,
    Website,
    SocialLinks,
    Latitude,
    Longitude,
    Status,
    Services,
    LocalCurrency,
    Description,
}

impl Field {
    const ALL: [Self; 16] = [
        Self::Name,
        Self::Kind,
        Self::Category,
        Self::Address,
        Self::Postcode,
        Self::City,
        Self::Phone,
        Self::Email,
        Self::Website,
        Self::SocialLinks,
        Self::Latitude,
        Self::Longitude,
        Self::Status,
        Self::Services,
        Self::LocalCurrency,
        Self::Description,
    ];

    /// The name reported in [`ImportReport::recognised_columns`].
    fn reported_name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => "kind",
            Self::Category => "category",
            Self::Address => "address",
            Self::Postcode => "postcode",
            Self::City => "city",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Website => "website",
            Self::SocialLinks => "social_links",
            Self::Latitude => "latitude",
            Self::Longitude => "longitude",
            Self::Status => "status",
            Self::Services => "services",
            Self::LocalCurrency => "accepts_local_currency",
            Self::Description => "description",
        }
    }

    /// The headers that mean this field, folded (see [`fold_words`]), most specific first: when
    /// two columns mean the same field, the one whose header comes first here is used.
    fn header_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Name => &[
                "nom",
                "name",
                "raison sociale",
                "enseigne",
                "nom commercial",
                "nom de l etablissement",
                "nom etablissement",
                "nom de la structure",
                "etablissement",
                "denomination",
                "business name",
                "company name",
                "company",
                "organisation",
                "organization",
            ],
            Self::Kind => {
                &["type", "kind", "nature", "type de structure", "type d etablissement", "business type"]
            }
            Self::Category => &[
                "categorie",
                "categories",
                "category",
                "activite",
                "activites",
                "activity",
                "secteur d activite",
                "secteur",
                "rubrique",
                "metier",
            ],
            Self::Address => &["adresse", "address", "adresse postale", "street address", "rue", "street"],
            Self::Postcode => &[
                "code postal",
                "codepostal",
                "cp",
                "postcode",
                "post code",
                "postal code",
                "zip code",
                "zipcode",
                "zip",
            ],
            Self::City => &["commune", "ville", "city", "town", "localite", "municipality"],
            Self::Phone => &[
                "telephone",
                "tel",
                "phone",
                "numero de telephone",
                "phone number",
                "telephone number",
                "portable",
                "mobile",
            ],
            Self::Email => &[
                "email",
                "e mail",
                "courriel",
                "mail",
                "adresse email",
                "adresse e mail",
                "adresse mail",
                "adresse electronique",
                "email address",
                "e mail address",
            ],
            Self::Website => {
                &["site web", "site internet", "website", "web site", "site", "web", "internet", "url"]
            }
            Self::SocialLinks => &[
                "facebook",
                "instagram",
                "reseaux",
                "reseaux sociaux",
                "reseau social",
                "social",
                "social media",
                "social links",
                "social networks",
                "twitter",
                "linkedin",
                "mastodon",
            ],
            Self::Latitude => &["latitude", "lat"],
            Self::Longitude => &["longitude", "lon", "lng", "long"],
            Self::Status => &["statut", "status", "etat", "state", "situation"],
            Self::Services => &["services", "service", "modes de vente"],
            Self::LocalCurrency => &[
                "accepte monnaie locale",
                "accepte la monnaie locale",
                "monnaie locale",
                "accepts local currency",
                "local currency",
                "monnaie",
                "mlc",
            ],
            Self::Description => &["description", "descriptif", "presentation", "about", "a propos"],
        }
    }

    /// Several columns may fill this field (facebook and instagram both give social links).
    fn takes_several_columns(self) -> bool {
        self == Self::SocialLinks
    }

    /// The field a header means, with the alias's rank (0 = most specific).
    fn recognise(header: &str) -> Option<(Self, usize)> {
        let folded = fold_header(header);
        Self::ALL.into_iter().find_map(|field| {
            field.header_aliases().iter().position(|alias| *alias == folded).map(|rank| (field, rank))
        })
    }
}

/// Which column fills which field.
struct ColumnLayout {
    /// (column index, field), in column order.
    columns: Vec<(usize, Field)>,
}

impl ColumnLayout {
    /// Reads the header row: the layout, the recognised columns and the ignored ones.
    fn from_headers(headers: &[String]) -> (Self, Vec<(String, &'static str)>, Vec<String>) {
        let mut candidates: Vec<(usize, &String, Field, usize)> = Vec::new();
        let mut ignored: Vec<(usize, &String)> = Vec::new();
        for (column, header) in headers.iter().enumerate() {
            if header.is_empty() {
                continue; // spreadsheets often add empty columns at the end: nothing to report
            }
            match Field::recognise(header) {
                Some((field, rank)) => candidates.push((column, header, field, rank)),
                None => ignored.push((column, header)),
            }
        }
        // For each field that takes one column: (rank of its alias, column) of the best candidate.
        let mut chosen_column: HashMap<Field, (usize, usize)> = HashMap::new();
        for &(column, _, field, rank) in &candidates {
            let best = chosen_column.entry(field).or_insert((rank, column));
            if rank < best.0 {
                *best = (rank, column);
            }
        }
        let mut columns = Vec::new();
        let mut recognised_columns = Vec::new();
        for (column, header, field, _) in candidates {
            let used = field.takes_several_columns()
                || chosen_column.get(&field).is_some_and(|best| best.1 == column);
            if used {
                columns.push((column, field));
                recognised_columns.push((header.clone(), field.reported_name()));
            } else {
                ignored.push((column, header));
            }
        }
        ignored.sort_unstable_by_key(|(column, _)| *column);
        let ignored_columns = ignored.into_iter().map(|(_, header)| header.clone()).collect();
        (Self { columns }, recognised_columns, ignored_columns)
    }

    fn has(&self, field: Field) -> bool {
        self.columns.iter().any(|(_, candidate)| *candidate == field)
    }

    /// The non-empty cells of a row for a field, in column order.
    fn values<'row>(&self, cells: &'row [String], field: Field) -> impl Iterator<Item = &'row str> {
        self.columns
            .iter()
            .filter(move |(_, candidate)| *candidate == field)
            .filter_map(|(column, _)| cells.get(*column))
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The non-empty cell of a row for a field.
    fn value<'row>(&self, cells: &'row [String], field: Field) -> Option<&'row str> {
        self.values(cells, field).next()
    }
}

// ---------------------------------------------------------------------------------------------
// Import: reading the file
// ---------------------------------------------------------------------------------------------

/// Reads a CSV of local professionals uploaded by a moderator: decodes it, finds the columns,
/// checks every row. File-level problems are errors; row-level ones are refused rows in the
/// report.
///
/// # Errors
///
/// [`ImportError`] when the file is empty, is not a CSV text table, or has no name column.
pub fn parse_businesses_csv(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let text = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let rows = read_rows(&text, tabular::sniff_separator(&text))?;
    let mut rows = rows.into_iter().skip_while(|(_, cells)| is_blank(cells));
    let Some((_, headers)) = rows.next() else {
        return Err(ImportError::Empty);
    };
    let (layout, recognised_columns, ignored_columns) = ColumnLayout::from_headers(&headers);
    if !layout.has(Field::Name) {
        return Err(ImportError::NoNameColumn);
    }

    let mut report =
        ImportReport { accepted: Vec::new(), refused: Vec::new(), ignored_columns, recognised_columns };
    let mut first_row_of_key: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        if is_blank(&cells) {
            continue;
        }
        match read_business(row, &cells, &layout) {
            Ok(business) => match first_row_of_key.get(&business.dedup_key()) {
                Some(&first_row) => {
                    report
                        .refused
                        .push(RefusedRow { row, reason: RefusalReason::DuplicateInFile { first_row } });
                }
                None => {
                    first_row_of_key.insert(business.dedup_key(), row);
                    report.accepted.push(business);
                }
            },
            Err(reason) => report.refused.push(RefusedRow { row, reason }),
        }
    }
    Ok(report)
}

/// Zip-based workbooks (xlsx, ods) and the old binary xls.
fn is_office_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The file's text, refusing workbooks (this importer reads CSV only).
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    if is_office_workbook(bytes) {
        return Err(ImportError::Unreadable(
            "Excel or LibreOffice workbook (xlsx, xls, ods), not CSV".to_owned(),
        ));
    }
    tabular::decode_text(bytes).map_err(|_| ImportError::Unreadable("binary content, not text".to_owned()))
}

/// Every record with its spreadsheet row number and its cells cleaned (see [`clean_cell`]).
fn read_rows(text: &str, separator: u8) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    tabular::read_records(text, separator, usize::MAX, usize::MAX, clean_cell).map_err(|error| match error {
        TextError::Csv(message) => ImportError::Unreadable(message),
        TextError::Binary | TextError::TooManyRows => ImportError::Unreadable("unreadable file".to_owned()),
    })
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_TRIGGERS: [char; 4] = ['=', '+', '-', '@'];

/// A cell trimmed, and without the `'` that the export puts before a formula trigger.
fn clean_cell(raw: &str) -> String {
    let trimmed = raw.trim();
    match trimmed.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_TRIGGERS) => rest.to_owned(),
        _ => trimmed.to_owned(),
    }
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(String::is_empty)
}

// ---------------------------------------------------------------------------------------------
// Import: checking one row
// ---------------------------------------------------------------------------------------------

/// One row checked; the first problem found refuses it.
fn read_business(
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
    let accepts_local_currency = cell(Field::LocalCurrency).map(parse_yes_no).transpose()?.unwrap_or(false);
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
        accepts_local_currency,
        description,
    })
}

/// Refuses a text longer than `max_chars` characters.
fn check_length(field: &'static str, value: Option<&str>, max_chars: usize) -> Result<(), RefusalReason> {
    match value {
        Some(text) if text.chars().count() > max_chars => Err(RefusalReason::TooLong { field, max_chars }),
        _ => Ok(()),
    }
}

/// A phone number: digits, spaces and `+ . - ( )`. Runs of spaces of any kind (the no-break
/// spaces a spreadsheet puts in formatted numbers) become one ordinary space.
fn parse_phone(written: &str) -> Result<String, RefusalReason> {
    let phone = written.split_whitespace().collect::<Vec<_>>().join(" ");
    if phone.chars().all(|c| c.is_ascii_digit() || " +.-()".contains(c)) {
        Ok(phone)
    } else {
        Err(RefusalReason::InvalidPhone { value: written.to_owned() })
    }
}

/// An absolute http or https URL. A bare "www.example.fr" (no scheme, a dotted host) gets
/// `https://`. Refused: other schemes (`javascript:`, `data:`, `ftp:`, `mailto:`…), no host, and
/// credentials in the URL (`https://bank.example@evil.example` hides the real host).
fn parse_web_address(written: &str) -> Result<String, RefusalReason> {
    let refused = || RefusalReason::InvalidUrl { value: written.to_owned() };
    let url = match url::Url::parse(written) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let with_scheme = match written.strip_prefix("//") {
                Some(rest) => format!("https://{rest}"),
                None => format!("https://{written}"),
            };
            let url = url::Url::parse(&with_scheme).map_err(|_| refused())?;
            if !url.host_str().is_some_and(|host| host.contains('.')) {
                return Err(refused());
            }
            url
        }
        Err(_) => return Err(refused()),
    };
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || has_credentials
    {
        return Err(refused());
    }
    let mut address = String::from(url.as_str());
    // Keep "https://example.fr" as written rather than the parser's "https://example.fr/".
    if url.path() == "/" && url.query().is_none() && url.fragment().is_none() && !written.ends_with('/') {
        address.pop();
    }
    Ok(address)
}

/// An e-mail address that looks deliverable: one `@`, a plausible local part, a dotted domain.
/// A leading `mailto:` is removed.
fn parse_email(written: &str) -> Result<String, RefusalReason> {
    let address = match written.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => written[7..].trim(),
        _ => written,
    };
    if looks_like_email(address) {
        Ok(address.to_owned())
    } else {
        Err(RefusalReason::InvalidEmail { value: written.to_owned() })
    }
}

/// One `@`; a local part of dot-separated atoms (letters, digits, ``!#$%&'*+-/=?^_`{|}~``) of at
/// most 64 bytes; a domain of at least two labels (letters, digits, inner hyphens; at most 63 bytes
/// each) and a top level of two characters or more. Stricter than RFC 5322 (no quoted local part,
/// no IP literal), so that what passes here also passes the listing form's check.
fn looks_like_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let is_atom_character = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let local_ok = local.len() <= 64
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atom_character));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            label.len() <= 63
                && label.starts_with(char::is_alphanumeric)
                && label.ends_with(char::is_alphanumeric)
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|top_level| top_level.chars().count() >= 2);
    address.chars().count() <= MAX_EMAIL_CHARS && local_ok && domain_ok
}

/// Latitude and longitude, both or neither, in range. A decimal comma is accepted.
fn parse_coordinates(
    latitude: Option<&str>,
    longitude: Option<&str>,
) -> Result<(Option<f64>, Option<f64>), RefusalReason> {
    let latitude = latitude
        .map(|written| parse_coordinate(written, 90.0, |value| RefusalReason::LatitudeOutOfRange { value }))
        .transpose()?;
    let longitude = longitude
        .map(|written| parse_coordinate(written, 180.0, |value| RefusalReason::LongitudeOutOfRange { value }))
        .transpose()?;
    match (latitude, longitude) {
        (Some(_), None) | (None, Some(_)) => Err(RefusalReason::HalfCoordinates),
        both_or_neither => Ok(both_or_neither),
    }
}

fn parse_coordinate(
    written: &str,
    limit: f64,
    out_of_range: impl Fn(String) -> RefusalReason,
) -> Result<f64, RefusalReason> {
    let number = parse_decimal(written)
        .ok_or_else(|| RefusalReason::InvalidCoordinate { value: written.to_owned() })?;
    if (-limit..=limit).contains(&number) { Ok(number) } else { Err(out_of_range(written.to_owned())) }
}

/// A finite decimal number, with `.` or `,` as decimal separator (and `−` accepted for `-`).
fn parse_decimal(written: &str) -> Option<f64> {
    let normalised: String = written
        .chars()
        .map(|c| {
            if c == ',' {
                '.'
            } else if c == '\u{2212}' {
                '-'
            } else {
                c
            }
        })
        .collect();
    let number: f64 = normalised.parse().ok()?;
    number.is_finite().then_some(number)
}

/// The status words, folded (see [`fold_words`]).
const STATUS_WORDS: [(CrisisStatus, &[&str]); 4] = [
    (CrisisStatus::Open, &["ouvert", "ouverte", "open", "ouvert normalement", "ouvert au public"]),
    (
        CrisisStatus::PickupOnly,
        &[
            "drive",
            "retrait",
            "click and collect",
            "click collect",
            "clickandcollect",
            "click n collect",
            "a emporter",
            "emporter",
            "vente a emporter",
            "retrait uniquement",
            "drive uniquement",
            "take away",
            "takeaway",
            "pickup",
            "pick up",
            "pickup only",
        ],
    ),
    (
        CrisisStatus::DeliveryOnly,
        &[
            "livraison",
            "livraisons",
            "livraison uniquement",
            "livraison a domicile",
            "delivery",
            "delivery only",
        ],
    ),
    (
        CrisisStatus::Closed,
        &[
            "ferme",
            "fermee",
            "ferme temporairement",
            "fermee temporairement",
            "clos",
            "closed",
            "temporarily closed",
        ],
    ),
];

fn parse_status(written: &str) -> Result<CrisisStatus, RefusalReason> {
    let folded = fold_words(written);
    STATUS_WORDS
        .iter()
        .find(|(_, words)| words.contains(&folded.as_str()))
        .map(|(status, _)| *status)
        .ok_or_else(|| RefusalReason::UnknownStatus { value: written.to_owned() })
}

/// The three service flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Services {
    click_and_collect: bool,
    delivery: bool,
    takes_consignment: bool,
}

const CLICK_AND_COLLECT_WORDS: &[&str] = &[
    "drive",
    "retrait",
    "click and collect",
    "click collect",
    "clickandcollect",
    "click n collect",
    "retrait en magasin",
    "retrait sur place",
    "a emporter",
    "emporter",
    "vente a emporter",
    "take away",
    "takeaway",
    "pickup",
    "pick up",
];
const DELIVERY_WORDS: &[&str] =
    &["livraison", "livraisons", "livraison a domicile", "delivery", "home delivery"];
const CONSIGNMENT_WORDS: &[&str] =
    &["depot vente", "depotvente", "depot", "vente en depot", "consignment", "consignment sale"];
const NO_SERVICE_WORDS: &[&str] = &["aucun", "aucune", "none", "non", "no"];

/// A list of services split on `;` `,` `/` `|` or `+`.
fn parse_services(written: &str) -> Result<Services, RefusalReason> {
    let mut services = Services::default();
    for item in written.split([';', ',', '/', '|', '+']).map(str::trim) {
        let folded = fold_words(item);
        let word = folded.as_str();
        if word.is_empty() || NO_SERVICE_WORDS.contains(&word) {
            continue;
        }
        let offered = if CLICK_AND_COLLECT_WORDS.contains(&word) {
            &mut services.click_and_collect
        } else if DELIVERY_WORDS.contains(&word) {
            &mut services.delivery
        } else if CONSIGNMENT_WORDS.contains(&word) {
            &mut services.takes_consignment
        } else {
            return Err(RefusalReason::UnknownService { value: item.to_owned() });
        };
        *offered = true;
    }
    Ok(services)
}

const YES_WORDS: &[&str] = &["oui", "yes", "true", "vrai", "1", "x", "o", "y"];
const NO_WORDS: &[&str] = &["non", "no", "false", "faux", "0", "n"];

fn parse_yes_no(written: &str) -> Result<bool, RefusalReason> {
    let folded = fold_words(written);
    if YES_WORDS.contains(&folded.as_str()) {
        Ok(true)
    } else if NO_WORDS.contains(&folded.as_str()) || folded.is_empty() {
        Ok(false)
    } else {
        Err(RefusalReason::UnknownYesNo { value: written.to_owned() })
    }
}

/// The words of the `type` column, folded.
const KIND_WORDS: [(BusinessKind, &[&str]); 6] = [
    (
        BusinessKind::Merchant,
        &[
            "commerce",
            "commercant",
            "commercante",
            "boutique",
            "magasin",
            "merchant",
            "shop",
            "store",
            "retail",
        ],
    ),
    (
        BusinessKind::Producer,
        &[
            "producteur",
            "productrice",
            "ferme",
            "agriculteur",
            "agricultrice",
            "exploitation agricole",
            "maraicher",
            "maraichere",
            "eleveur",
            "eleveuse",
            "producer",
            "farm",
            "farmer",
        ],
    ),
    (BusinessKind::Artisan, &["artisan", "artisane", "artisanat", "craft", "crafts", "craftsman"]),
    (
        BusinessKind::Association,
        &["association", "asso", "associatif", "associative", "non profit", "nonprofit"],
    ),
    (
        BusinessKind::Service,
        &["service", "services", "prestataire", "prestataire de services", "service provider"],
    ),
    (
        BusinessKind::Health,
        &[
            "sante",
            "pharmacie",
            "medical",
            "medicale",
            "medecin",
            "professionnel de sante",
            "health",
            "pharmacy",
        ],
    ),
];

fn parse_kind(written: &str) -> Result<BusinessKind, RefusalReason> {
    let folded = fold_words(written);
    KIND_WORDS
        .iter()
        .find(|(_, words)| words.contains(&folded.as_str()))
        .map(|(kind, _)| *kind)
        .ok_or_else(|| RefusalReason::UnknownKind { value: written.to_owned() })
}

/// Category words that make the kind obvious; any other category is a merchant's.
const KIND_HINTS_IN_CATEGORY: [(BusinessKind, &[&str]); 4] = [
    (
        BusinessKind::Health,
        &[
            "pharmacie",
            "pharmacy",
            "medecin",
            "medical",
            "medicale",
            "sante",
            "infirmier",
            "infirmiere",
            "health",
        ],
    ),
    (BusinessKind::Association, &["association", "associatif", "associative", "asso"]),
    (
        BusinessKind::Producer,
        &[
            "producteur",
            "producteurs",
            "productrice",
            "agriculteur",
            "maraicher",
            "maraichere",
            "eleveur",
            "vigneron",
            "viticulteur",
            "apiculteur",
            "producer",
            "farmer",
        ],
    ),
    (BusinessKind::Artisan, &["artisan", "artisane", "artisanat"]),
];

fn infer_kind(category: Option<&str>) -> BusinessKind {
    let folded = fold_words(category.unwrap_or_default());
    let words: Vec<&str> = folded.split(' ').collect();
    KIND_HINTS_IN_CATEGORY
        .iter()
        .find(|(_, hints)| words.iter().any(|word| hints.contains(word)))
        .map_or(BusinessKind::Merchant, |(kind, _)| *kind)
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// A published directory entry, as exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedBusiness {
    /// The business id.
    pub id: i64,
    /// The name.
    pub name: String,
    /// The kind of business.
    pub kind: BusinessKind,
    /// Its categories.
    pub categories: Vec<String>,
    /// The street address.
    pub address: Option<String>,
    /// The postcode.
    pub postcode: Option<String>,
    /// The commune.
    pub city: Option<String>,
    /// The phone number.
    pub phone: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The web site.
    pub website: Option<String>,
    /// Social network pages.
    pub social_links: Vec<String>,
    /// WGS 84 latitude.
    pub latitude: Option<f64>,
    /// WGS 84 longitude.
    pub longitude: Option<f64>,
    /// The crisis status.
    pub status: CrisisStatus,
    /// What the business says about its status.
    pub status_message: Option<String>,
    /// When the status was last confirmed (RFC 3339 date).
    pub status_confirmed_at: Option<String>,
    /// Orders can be collected.
    pub click_and_collect: bool,
    /// Orders can be delivered.
    pub delivery: bool,
    /// Takes goods on consignment.
    pub takes_consignment: bool,
    /// Accepts the local currency.
    pub accepts_local_currency: bool,
    /// Free text.
    pub description: String,
    /// The business's page on this instance.
    pub url: String,
}

/// The export's columns: the import's French names, then what only the export has.
const EXPORT_HEADERS: [&str; 20] = [
    "id",
    "nom",
    "type",
    "categorie",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "email",
    "site_web",
    "facebook",
    "latitude",
    "longitude",
    "statut",
    "message_statut",
    "statut_confirme_le",
    "services",
    "accepte_monnaie_locale",
    "description",
    "url",
];

/// CSV (UTF-8 with BOM so that French Excel opens it right, comma separated, CRLF line ends) with
/// the same French headers as the import file (nom, categorie (categories joined with " ; "),
/// adresse, code_postal, commune, telephone, email, site_web, facebook (social links joined with
/// " "), latitude, longitude, statut (French word that the import reads back: ouvert, drive,
/// livraison, fermé), services (drive;livraison;dépôt-vente), accepte_monnaie_locale (oui/non),
/// description) plus id, type, message_statut, statut_confirme_le and url columns: re-importing an
/// export is lossless for the imported fields.
///
/// A cell starting with `=`, `+`, `-` or `@` gets a leading `'` so that a spreadsheet does not run
/// it as a formula (plain numbers such as a negative longitude are left as they are); the import
/// removes that `'`.
pub fn businesses_to_csv(items: &[ExportedBusiness]) -> Vec<u8> {
    let mut csv = String::from("\u{feff}");
    push_csv_line(&mut csv, EXPORT_HEADERS.iter().map(|header| (*header).to_owned()));
    for item in items {
        push_csv_line(&mut csv, export_cells(item));
    }
    csv.into_bytes()
}

fn export_cells(item: &ExportedBusiness) -> [String; 20] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let number = |value: Option<f64>| value.map(|number| number.to_string()).unwrap_or_default();
    let services: Vec<&str> = [
        (item.click_and_collect, "drive"),
        (item.delivery, "livraison"),
        (item.takes_consignment, "dépôt-vente"),
    ]
    .into_iter()
    .filter_map(|(offered, word)| offered.then_some(word))
    .collect();
    [
        item.id.to_string(),
        item.name.clone(),
        french_kind(item.kind).to_owned(),
        item.categories.join(" ; "),
        text(&item.address),
        text(&item.postcode),
        text(&item.city),
        text(&item.phone),
        text(&item.email),
        text(&item.website),
        item.social_links.join(" "),
        number(item.latitude),
        number(item.longitude),
        french_status(item.status).to_owned(),
        text(&item.status_message),
        text(&item.status_confirmed_at),
        services.join(";"),
        if item.accepts_local_currency { "oui" } else { "non" }.to_owned(),
        item.description.clone(),
        item.url.clone(),
    ]
}

/// The French word of a kind, as the import reads it back.
fn french_kind(kind: BusinessKind) -> &'static str {
    match kind {
        BusinessKind::Merchant => "commerce",
        BusinessKind::Producer => "producteur",
        BusinessKind::Artisan => "artisan",
        BusinessKind::Association => "association",
        BusinessKind::Service => "service",
        BusinessKind::Health => "santé",
    }
}

/// The French word of a status, as the import reads it back.
fn french_status(status: CrisisStatus) -> &'static str {
    match status {
        CrisisStatus::Open => "ouvert",
        CrisisStatus::PickupOnly => "drive",
        CrisisStatus::DeliveryOnly => "livraison",
        CrisisStatus::Closed => "fermé",
    }
}

/// Appends one CSV line: cells protected against formulas, quoted when needed, CRLF.
fn push_csv_line(csv: &mut String, cells: impl IntoIterator<Item = String>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        let cell = guard_formula(&cell);
        let needs_quotes = cell.contains([',', ';', '"', '\n', '\r', '\t'])
            || cell.starts_with(char::is_whitespace)
            || cell.ends_with(char::is_whitespace);
        if needs_quotes {
            csv.push('"');
            csv.push_str(&cell.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&cell);
        }
    }
    csv.push_str("\r\n");
}

/// A cell with a leading `'` when a spreadsheet would read it as a formula.
fn guard_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Optional sign, digits, optional decimal part: what a spreadsheet reads as a number, never as a
/// formula.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
}

/// RFC 7946 GeoJSON FeatureCollection: one Point feature per business that has valid coordinates
/// (`[longitude, latitude]` order), `id` = business id, properties with every field of
/// [`ExportedBusiness`] (kind and status in snake_case, services as booleans, categories and
/// social links as arrays, absent values as null). Businesses without coordinates are left out.
/// The top-level foreign members `licence` (e.g. "ODbL-1.0") and `attribution` (the source URL)
/// say where the data comes from and how it may be reused.
pub fn businesses_to_geojson(items: &[ExportedBusiness], licence: &str, source_url: &str) -> Value {
    let features: Vec<Value> = items.iter().filter_map(geojson_feature).collect();
    json!({
        "type": "FeatureCollection",
        "licence": licence,
        "attribution": source_url,
        "features": features,
    })
}

fn geojson_feature(item: &ExportedBusiness) -> Option<Value> {
    let (latitude, longitude) = (item.latitude?, item.longitude?);
    if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
        return None;
    }
    Some(json!({
        "type": "Feature",
        "id": item.id,
        "geometry": { "type": "Point", "coordinates": [longitude, latitude] },
        "properties": {
            "id": item.id,
            "name": item.name,
            "kind": item.kind.as_str(),
            "categories": item.categories,
            "address": item.address,
            "postcode": item.postcode,
            "city": item.city,
            "phone": item.phone,
            "email": item.email,
            "website": item.website,
            "social_links": item.social_links,
            "latitude": latitude,
            "longitude": longitude,
            "status": item.status.as_str(),
            "status_message": item.status_message,
            "status_confirmed_at": item.status_confirmed_at,
            "click_and_collect": item.click_and_collect,
            "delivery": item.delivery,
            "takes_consignment": item.takes_consignment,
            "accepts_local_currency": item.accepts_local_currency,
            "description": item.description,
            "url": item.url,
        },
    }))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../../shared/fixtures/annuaire-pros.csv");

    fn import(text: &str) -> ImportReport {
        parse_businesses_csv(text.as_bytes()).expect("the file should be readable")
    }

    fn accepted_named<'report>(report: &'report ImportReport, name: &str) -> &'report ImportedBusiness {
        report
            .accepted
            .iter()
            .find(|business| business.name == name)
            .expect("an accepted business with this name")
    }

    fn refusals(report: &ImportReport) -> Vec<(usize, RefusalReason)> {
        report.refused.iter().map(|refused| (refused.row, refused.reason.clone())).collect()
    }

    /// The reason a one-row file (header + row 2) is refused for.
    fn refusal_of_single_row(header: &str, row: &str) -> RefusalReason {
        let report = import(&format!("{header}\n{row}\n"));
        assert!(report.accepted.is_empty(), "row should be refused: {row}");
        assert_eq!(report.refused.len(), 1);
        assert_eq!(report.refused[0].row, 2);
        report.refused[0].reason.clone()
    }

    /// The business a one-row file (header + row 2) gives.
    fn single_business(header: &str, row: &str) -> ImportedBusiness {
        let report = import(&format!("{header}\n{row}\n"));
        assert!(report.refused.is_empty(), "row should be accepted: {row}: {:?}", report.refused);
        assert_eq!(report.accepted.len(), 1);
        report.accepted[0].clone()
    }

    fn sample_export() -> ExportedBusiness {
        ExportedBusiness {
            id: 42,
            name: "Boulangerie Lafont".to_owned(),
            kind: BusinessKind::Merchant,
            categories: vec!["Boulangerie".to_owned(), "Pâtisserie".to_owned()],
            address: Some("12 rue de la République".to_owned()),
            postcode: Some("30320".to_owned()),
            city: Some("Marguerittes".to_owned()),
            phone: Some("+33 4 66 00 11 22".to_owned()),
            email: Some("contact@boulangerie-lafont.example".to_owned()),
            website: Some("https://boulangerie-lafont.example".to_owned()),
            social_links: vec![
                "https://facebook.com/boulangerielafont".to_owned(),
                "https://instagram.com/boulangerielafont".to_owned(),
            ],
            latitude: Some(43.8601),
            longitude: Some(4.4432),
            status: CrisisStatus::PickupOnly,
            status_message: Some("Commandes la veille".to_owned()),
            status_confirmed_at: Some("2026-03-17T09:30:00+01:00".to_owned()),
            click_and_collect: true,
            delivery: true,
            takes_consignment: false,
            accepts_local_currency: true,
            description: "Pain au levain, \"viennoiseries\" ; commande la veille.\nFermé le lundi."
                .to_owned(),
            url: "https://halle.example/annuaire/42".to_owned(),
        }
    }

    // -- the shared fixture ------------------------------------------------------------------

    #[test]
    fn fixture_gives_seven_accepted_and_three_refused() {
        let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
        assert_eq!(report.accepted.len(), 7);
        assert_eq!(
            refusals(&report),
            vec![
                (8, RefusalReason::MissingName),
                (9, RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }),
                (11, RefusalReason::LatitudeOutOfRange { value: "91.5".to_owned() }),
            ]
        );
        assert!(report.ignored_columns.is_empty(), "{:?}", report.ignored_columns);
        assert_eq!(report.recognised_columns.len(), 14);
        assert_eq!(report.recognised_columns[0], ("nom".to_owned(), "name"));
        assert_eq!(
            report.recognised_columns[12],
            ("accepte_monnaie_locale".to_owned(), "accepts_local_currency")
        );
    }

    #[test]
    fn fixture_keeps_html_as_plain_text() {
        let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
        let atelier = accepted_named(&report, "Atelier <script>alert('x')</script>");
        assert_eq!(atelier.row, 10);
        assert_eq!(atelier.description, "<img src=x onerror=alert(1)> texte");
        assert_eq!(atelier.kind, BusinessKind::Artisan, "guessed from the category Artisanat");
    }

    #[test]
    fn fixture_boulangerie_lafont_has_every_field() {
        let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
        let lafont = accepted_named(&report, "Boulangerie Lafont");
        assert_eq!(lafont.row, 2);
        assert_eq!(lafont.kind, BusinessKind::Merchant);
        assert_eq!(lafont.category.as_deref(), Some("Boulangerie"));
        assert_eq!(lafont.address.as_deref(), Some("12 rue de la République"));
        assert_eq!(lafont.postcode.as_deref(), Some("30320"));
        assert_eq!(lafont.city.as_deref(), Some("Marguerittes"));
        assert_eq!(lafont.phone.as_deref(), Some("04 66 00 11 22"));
        assert_eq!(lafont.status, Some(CrisisStatus::Open));
        assert!(lafont.click_and_collect);
        assert!(lafont.delivery);
        assert!(!lafont.takes_consignment);
        assert!(lafont.accepts_local_currency);
        assert_eq!(lafont.latitude, Some(43.8601));
        assert_eq!(lafont.longitude, Some(4.4432));
        assert_eq!(lafont.website.as_deref(), Some("https://boulangerie-lafont.example"));
        assert_eq!(lafont.social_links, vec!["https://facebook.com/boulangerielafont".to_owned()]);
        assert_eq!(lafont.description, "Pain au levain, viennoiseries. Commande la veille avant 18h.");
        assert_eq!(lafont.dedup_key(), "boulangerie lafont|30320");
    }

    #[test]
    fn fixture_other_rows() {
        let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
        let soulat = accepted_named(&report, "Maison Soulat");
        assert_eq!(
            (soulat.status, soulat.click_and_collect, soulat.delivery),
            (Some(CrisisStatus::PickupOnly), true, false)
        );
        let drole = accepted_named(&report, "La Drôle d'Épicerie");
        assert!(drole.click_and_collect);
        assert_eq!(drole.phone, None);
        let ferme = accepted_named(&report, "Ferme du Gardon");
        assert_eq!(
            (ferme.kind, ferme.status, ferme.delivery),
            (BusinessKind::Producer, Some(CrisisStatus::DeliveryOnly), true)
        );
        assert!(!ferme.accepts_local_currency);
        let poissonnerie = accepted_named(&report, "Poissonnerie du Vieux-Port");
        assert_eq!(poissonnerie.status, Some(CrisisStatus::Closed));
        let pharmacie = accepted_named(&report, "Pharmacie des Arènes");
        assert_eq!(pharmacie.kind, BusinessKind::Health);
        assert_eq!(pharmacie.description, "");
    }

    // -- encodings and separators ------------------------------------------------------------

    const FRENCH_SEMICOLON_FILE: &str = "Nom;Catégorie;Commune;Latitude;Longitude;Statut\r\n\
                                         Épicerie Gérard;Épicerie;Angoulême;45,6484;0,1562;Fermé\r\n";

    fn assert_french_semicolon_file(report: &ImportReport) {
        assert!(report.refused.is_empty(), "{:?}", report.refused);
        let gerard = &report.accepted[0];
        assert_eq!(gerard.name, "Épicerie Gérard");
        assert_eq!(gerard.city.as_deref(), Some("Angoulême"));
        assert_eq!((gerard.latitude, gerard.longitude), (Some(45.6484), Some(0.1562)));
        assert_eq!(gerard.status, Some(CrisisStatus::Closed));
    }

    #[test]
    fn reads_windows_1252_with_semicolons() {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(FRENCH_SEMICOLON_FILE);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "the test file must not be valid UTF-8");
        assert_french_semicolon_file(&parse_businesses_csv(&bytes).expect("readable"));
    }

    #[test]
    fn reads_utf8_with_bom_and_semicolons() {
        let bytes = [b"\xEF\xBB\xBF".as_slice(), FRENCH_SEMICOLON_FILE.as_bytes()].concat();
        let report = parse_businesses_csv(&bytes).expect("readable");
        assert_eq!(
            report.recognised_columns[0],
            ("Nom".to_owned(), "name"),
            "the BOM is not part of the header"
        );
        assert_french_semicolon_file(&report);
    }

    #[test]
    fn reads_utf16_with_bom_and_tabs() {
        // What Excel writes as "Unicode text".
        let text = FRENCH_SEMICOLON_FILE.replace(';', "\t");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_french_semicolon_file(&parse_businesses_csv(&bytes).expect("readable"));
    }

    #[test]
    fn reads_tab_separated() {
        assert_french_semicolon_file(&import(&FRENCH_SEMICOLON_FILE.replace(';', "\t")));
    }

    #[test]
    fn sniffs_the_separator_outside_quotes() {
        assert_eq!(tabular::sniff_separator("nom,\"a;b;c\",commune\n"), b',');
        assert_eq!(tabular::sniff_separator("nom;\"a,b,c\";commune\n"), b';');
        assert_eq!(tabular::sniff_separator("\n\nnom\tcommune\n"), b'\t');
        assert_eq!(tabular::sniff_separator("nom\n"), b',');
    }

    // -- headers -------------------------------------------------------------------------------

    #[test]
    fn reads_english_headers() {
        let report = import(
            "Name,Category,Address,Zip,City,Phone,E-mail,Website,Instagram,Lat,Lng,Status,Services,\
             Local currency,About,Kind,Internal notes\n\
             Green Farm,Vegetables,Mill Lane,30320,Marguerittes,0600000000,hello@greenfarm.example,\
             www.greenfarm.example,https://instagram.com/greenfarm,43.86,4.44,Delivery only,delivery + pickup,\
             yes,Seasonal vegetables,farmer,to call back\n",
        );
        assert_eq!(report.ignored_columns, vec!["Internal notes".to_owned()]);
        let fields: Vec<&str> = report.recognised_columns.iter().map(|(_, field)| *field).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "category",
                "address",
                "postcode",
                "city",
                "phone",
                "email",
                "website",
                "social_links",
                "latitude",
                "longitude",
                "status",
                "services",
                "accepts_local_currency",
                "description",
                "kind"
            ]
        );
        let farm = &report.accepted[0];
        assert_eq!(farm.name, "Green Farm");
        assert_eq!(farm.kind, BusinessKind::Producer);
        assert_eq!(farm.postcode.as_deref(), Some("30320"));
        assert_eq!(farm.email.as_deref(), Some("hello@greenfarm.example"));
        assert_eq!(farm.website.as_deref(), Some("https://www.greenfarm.example"));
        assert_eq!(farm.social_links, vec!["https://instagram.com/greenfarm".to_owned()]);
        assert_eq!(farm.status, Some(CrisisStatus::DeliveryOnly));
        assert!(farm.delivery && farm.click_and_collect && !farm.takes_consignment);
        assert!(farm.accepts_local_currency);
        assert_eq!(farm.description, "Seasonal vegetables");
    }

    #[test]
    fn matches_headers_whatever_their_case_accents_and_punctuation() {
        for (header, field) in [
            ("Raison sociale", Field::Name),
            ("ENSEIGNE", Field::Name),
            ("Activité", Field::Category),
            ("Code postal", Field::Postcode),
            ("CP", Field::Postcode),
            ("Ville", Field::City),
            ("Téléphone", Field::Phone),
            ("Tél.", Field::Phone),
            ("Courriel", Field::Email),
            ("Site internet", Field::Website),
            ("Réseaux sociaux", Field::SocialLinks),
            ("Latitude (WGS 84)", Field::Latitude),
            ("lon", Field::Longitude),
            ("État", Field::Status),
            ("Monnaie locale", Field::LocalCurrency),
            ("Présentation", Field::Description),
            ("Nature", Field::Kind),
            ("Nom *", Field::Name),
        ] {
            assert_eq!(Field::recognise(header).map(|(found, _)| found), Some(field), "{header}");
        }
        assert_eq!(Field::recognise("Remarques"), None);
    }

    #[test]
    fn no_header_alias_belongs_to_two_fields() {
        let mut seen: HashMap<&str, Field> = HashMap::new();
        for field in Field::ALL {
            for alias in field.header_aliases() {
                assert_eq!(fold_words(alias), *alias, "aliases are written folded");
                if let Some(other) = seen.insert(alias, field) {
                    panic!("{alias} means both {other:?} and {field:?}");
                }
            }
        }
    }

    #[test]
    fn a_more_specific_header_wins_over_a_generic_one() {
        // "url" comes first but "site_web" says it better; the second name column is ignored.
        let report = import(
            "url,nom,site_web,name\nhttps://halle.example/annuaire/1,Chez Paul,https://chezpaul.example,Other\n",
        );
        assert_eq!(report.ignored_columns, vec!["url".to_owned(), "name".to_owned()]);
        assert_eq!(report.accepted[0].name, "Chez Paul");
        assert_eq!(report.accepted[0].website.as_deref(), Some("https://chezpaul.example"));
    }

    #[test]
    fn several_social_columns_are_combined() {
        let business = single_business(
            "nom,facebook,instagram",
            "Chez Paul,https://facebook.com/chezpaul https://facebook.com/chezpaul,instagram.com/chezpaul",
        );
        assert_eq!(
            business.social_links,
            vec!["https://facebook.com/chezpaul".to_owned(), "https://instagram.com/chezpaul".to_owned()]
        );
    }

    // -- row numbers, empty rows, duplicates ------------------------------------------------

    #[test]
    fn a_multi_line_description_does_not_shift_row_numbers() {
        let report = import(
            "nom,description,latitude,longitude\n\
             Chez Paul,\"Première ligne\r\ndeuxième ligne\ntroisième\",43.1,4.1\n\
             Chez Marie,Simple,43.2,4.2\n\
             Chez Léa,,100,4.3\n",
        );
        assert_eq!(report.accepted[0].description, "Première ligne\ndeuxième ligne\ntroisième");
        assert_eq!(report.accepted[1].row, 3);
        assert_eq!(
            refusals(&report),
            vec![(4, RefusalReason::LatitudeOutOfRange { value: "100".to_owned() })]
        );
    }

    #[test]
    fn blank_rows_are_skipped_but_counted() {
        let report = import("\nnom,commune\n\nChez Paul,Nîmes\n,\n  ,  \nChez Marie,Nîmes\n,Nîmes\n");
        // Spreadsheet rows: 1 blank, 2 header, 3 blank, 4 Paul, 5 and 6 empty cells, 7 Marie, 8 no name.
        let rows: Vec<usize> = report.accepted.iter().map(|business| business.row).collect();
        assert_eq!(rows, vec![4, 7]);
        assert_eq!(refusals(&report), vec![(8, RefusalReason::MissingName)]);
    }

    #[test]
    fn a_business_twice_in_the_file_is_refused_the_second_time() {
        let report = import(
            "nom,code_postal\n\
             Boulangerie Lafont,30320\n\
             Boulangerie Lafont,30000\n\
             BOULANGERIE  lafönt,30320\n\
             Boulangerie Lafont,\n\
             Boulangerie Lafont,\n",
        );
        assert_eq!(report.accepted.iter().map(|business| business.row).collect::<Vec<_>>(), vec![2, 3, 5]);
        assert_eq!(
            refusals(&report),
            vec![
                (4, RefusalReason::DuplicateInFile { first_row: 2 }),
                (6, RefusalReason::DuplicateInFile { first_row: 5 })
            ]
        );
        assert_eq!(report.refused[0].reason.english(), "appears twice in the file, row 2");
        assert_eq!(report.refused[0].reason.french(), "apparaît deux fois dans le fichier, ligne 2");
    }

    #[test]
    fn a_refused_row_does_not_block_its_corrected_copy() {
        let report =
            import("nom,site_web\nChez Paul,ftp://chezpaul.example\nChez Paul,https://chezpaul.example\n");
        assert_eq!(report.accepted.len(), 1);
        assert_eq!(report.accepted[0].row, 3);
    }

    #[test]
    fn dedup_key_folds_case_accents_and_spaces() {
        assert_eq!(dedup_key("  La  Drôle d’Épicerie ", Some(" 16 000 ")), "la drole d'epicerie|16000");
        assert_eq!(dedup_key("Café", None), "cafe|");
        assert_eq!(dedup_key("Œuf & Cie", Some("")), "oeuf & cie|");
    }

    // -- file-level errors ------------------------------------------------------------------

    #[test]
    fn an_empty_file_is_an_error() {
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"  \r\n\n\t", b"\n,,,\r\n  ,\n"] {
            assert_eq!(parse_businesses_csv(empty), Err(ImportError::Empty), "{empty:?}");
        }
        assert_eq!(ImportError::Empty.to_string(), "le fichier est vide");
    }

    #[test]
    fn a_header_only_file_imports_nothing() {
        let report = import("nom,commune\n");
        assert!(report.accepted.is_empty() && report.refused.is_empty());
    }

    #[test]
    fn a_file_without_a_name_column_is_an_error() {
        let error =
            parse_businesses_csv(b"commune,telephone\nNimes,0466000000\n").expect_err("no name column");
        assert_eq!(error, ImportError::NoNameColumn);
        assert!(error.to_string().contains("« nom »"));
        assert!(error.english().contains("\"name\""));
        // Data without a header line: the first line is taken as headers, none of them a name.
        assert_eq!(parse_businesses_csv(b"Chez Paul,Nimes\n"), Err(ImportError::NoNameColumn));
    }

    #[test]
    fn a_workbook_or_binary_file_is_unreadable() {
        for bytes in
            [&b"PK\x03\x04\x14\x00\x06\x00"[..], b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", b"nom\0\0\x01"]
        {
            let error = parse_businesses_csv(bytes).expect_err("not a CSV");
            assert!(matches!(error, ImportError::Unreadable(_)), "{error:?}");
            assert!(error.to_string().starts_with("le fichier n'est pas un tableau CSV lisible"));
        }
    }

    // -- field rules ------------------------------------------------------------------------

    #[test]
    fn web_addresses_must_be_http_or_https() {
        let accepted = [
            ("https://example.fr", "https://example.fr"),
            ("https://example.fr/", "https://example.fr/"),
            ("HTTP://Example.FR/Page?q=1", "http://example.fr/Page?q=1"),
            ("www.example.fr", "https://www.example.fr"),
            ("example.fr/boutique", "https://example.fr/boutique"),
            ("//example.fr", "https://example.fr"),
        ];
        for (written, expected) in accepted {
            assert_eq!(parse_web_address(written).as_deref(), Ok(expected), "{written}");
        }
        let refused = [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.fr",
            "mailto:paul@example.fr",
            "file:///etc/passwd",
            "https://bank.example@evil.example",
            "http://",
            "boulangerie",
            "boulangerie lafont.fr",
        ];
        for written in refused {
            assert_eq!(
                parse_web_address(written),
                Err(RefusalReason::InvalidUrl { value: written.to_owned() }),
                "{written}"
            );
        }
    }

    #[test]
    fn a_bad_social_link_refuses_the_row() {
        assert_eq!(
            refusal_of_single_row("nom,facebook", "Chez Paul,javascript:alert(1)"),
            RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }
        );
    }

    #[test]
    fn emails_must_look_valid() {
        for valid in [
            "paul@example.fr",
            "paul.martin+halle@mail.example.org",
            "MAILTO:paul@example.fr",
            "élodie@café.fr",
        ] {
            let business = single_business("nom,email", &format!("Chez Paul,{valid}"));
            assert!(
                business.email.is_some_and(|email| email.contains('@') && !email.contains(':')),
                "{valid}"
            );
        }
        for invalid in [
            "paul",
            "paul@",
            "@example.fr",
            "paul@example",
            "paul@@example.fr",
            "paul @example.fr",
            "paul@exa_mple.fr",
            "a@b.c",
            "paul..m@example.fr",
            ".paul@example.fr",
            "paul@-example.fr",
            "paul(x)@example.fr",
        ] {
            assert_eq!(
                refusal_of_single_row("nom,e-mail", &format!("Chez Paul,{invalid}")),
                RefusalReason::InvalidEmail { value: invalid.to_owned() },
                "{invalid}"
            );
        }
    }

    #[test]
    fn coordinates_accept_a_decimal_comma() {
        let business = single_business("nom;latitude;longitude", "Chez Paul;43,86;-0,5");
        assert_eq!((business.latitude, business.longitude), (Some(43.86), Some(-0.5)));
        let quoted = single_business("nom,lat,lon", "Chez Paul,\"43,86\",\" 4,44 \"");
        assert_eq!((quoted.latitude, quoted.longitude), (Some(43.86), Some(4.44)));
        let unicode_minus = single_business("nom,lat,lon", "Chez Paul,\u{2212}33.9,18.4");
        assert_eq!(unicode_minus.latitude, Some(-33.9));
    }

    #[test]
    fn coordinates_are_checked() {
        let header = "nom,latitude,longitude";
        assert_eq!(
            refusal_of_single_row(header, "A,-90.5,4"),
            RefusalReason::LatitudeOutOfRange { value: "-90.5".to_owned() }
        );
        assert_eq!(
            refusal_of_single_row(header, "A,45,180.01"),
            RefusalReason::LongitudeOutOfRange { value: "180.01".to_owned() }
        );
        assert_eq!(
            refusal_of_single_row(header, "A,45 N,4"),
            RefusalReason::InvalidCoordinate { value: "45 N".to_owned() }
        );
        assert_eq!(
            refusal_of_single_row(header, "A,NaN,4"),
            RefusalReason::InvalidCoordinate { value: "NaN".to_owned() }
        );
        assert_eq!(refusal_of_single_row(header, "A,45,"), RefusalReason::HalfCoordinates);
        assert_eq!(refusal_of_single_row(header, "A,,4"), RefusalReason::HalfCoordinates);
        let edges = single_business(header, "A,-90,180");
        assert_eq!((edges.latitude, edges.longitude), (Some(-90.0), Some(180.0)));
        let none = single_business(header, "A,,");
        assert_eq!((none.latitude, none.longitude), (None, None));
    }

    #[test]
    fn status_words_in_french_and_english() {
        let cases = [
            ("ouvert", CrisisStatus::Open),
            ("Open", CrisisStatus::Open),
            ("Drive", CrisisStatus::PickupOnly),
            ("retrait", CrisisStatus::PickupOnly),
            ("Click & Collect", CrisisStatus::PickupOnly),
            ("click-and-collect", CrisisStatus::PickupOnly),
            ("À emporter", CrisisStatus::PickupOnly),
            ("pickup_only", CrisisStatus::PickupOnly),
            ("Livraison", CrisisStatus::DeliveryOnly),
            ("delivery", CrisisStatus::DeliveryOnly),
            ("fermé", CrisisStatus::Closed),
            ("FERME", CrisisStatus::Closed),
            ("closed", CrisisStatus::Closed),
            ("Fermé temporairement", CrisisStatus::Closed),
        ];
        for (written, status) in cases {
            assert_eq!(parse_status(written), Ok(status), "{written}");
        }
        assert_eq!(single_business("nom,statut", "A,").status, None);
    }

    #[test]
    fn an_unknown_status_refuses_the_row() {
        let reason = refusal_of_single_row("nom,statut", "Chez Paul,en travaux");
        assert_eq!(reason, RefusalReason::UnknownStatus { value: "en travaux".to_owned() });
        assert_eq!(
            reason.french(),
            "statut inconnu (ouvert, drive, livraison ou fermé sont attendus) : en travaux"
        );
    }

    #[test]
    fn services_lists_with_any_separator() {
        let cases = [
            ("drive;livraison", (true, true, false)),
            ("Retrait, Livraison", (true, true, false)),
            ("click & collect / dépôt-vente", (true, false, true)),
            ("Click-and-collect | Delivery", (true, true, false)),
            ("livraison + depot vente", (false, true, true)),
            ("consignment", (false, false, true)),
            ("aucun", (false, false, false)),
            ("", (false, false, false)),
        ];
        for (written, (click_and_collect, delivery, takes_consignment)) in cases {
            assert_eq!(
                parse_services(written),
                Ok(Services { click_and_collect, delivery, takes_consignment }),
                "{written}"
            );
        }
        assert_eq!(
            refusal_of_single_row("nom,services", "Chez Paul,\"drive, téléportation\""),
            RefusalReason::UnknownService { value: "téléportation".to_owned() }
        );
    }

    #[test]
    fn local_currency_yes_and_no() {
        for (written, expected) in [
            ("oui", true),
            ("Yes", true),
            ("TRUE", true),
            ("1", true),
            ("x", true),
            ("non", false),
            ("No", false),
            ("false", false),
            ("0", false),
            ("", false),
        ] {
            assert_eq!(
                single_business("nom,monnaie locale", &format!("A,{written}")).accepts_local_currency,
                expected,
                "{written}"
            );
        }
        assert_eq!(
            refusal_of_single_row("nom,monnaie locale", "A,peut-être"),
            RefusalReason::UnknownYesNo { value: "peut-être".to_owned() }
        );
    }

    #[test]
    fn kind_from_the_type_column() {
        for (written, kind) in [
            ("Commerce", BusinessKind::Merchant),
            ("commerçant", BusinessKind::Merchant),
            ("boutique", BusinessKind::Merchant),
            ("Producteur", BusinessKind::Producer),
            ("ferme", BusinessKind::Producer),
            ("agriculteur", BusinessKind::Producer),
            ("Artisan", BusinessKind::Artisan),
            ("association", BusinessKind::Association),
            ("Service", BusinessKind::Service),
            ("Santé", BusinessKind::Health),
            ("pharmacie", BusinessKind::Health),
            ("médical", BusinessKind::Health),
            ("health", BusinessKind::Health),
        ] {
            // The category says otherwise: the type column wins.
            assert_eq!(
                single_business("nom,type,categorie", &format!("A,{written},Pharmacie")).kind,
                kind,
                "{written}"
            );
        }
        assert_eq!(
            refusal_of_single_row("nom,type", "A,ovni"),
            RefusalReason::UnknownKind { value: "ovni".to_owned() }
        );
    }

    #[test]
    fn kind_guessed_from_the_category() {
        for (category, kind) in [
            ("Pharmacie", BusinessKind::Health),
            ("Producteurs locaux", BusinessKind::Producer),
            ("Association de quartier", BusinessKind::Association),
            ("Artisanat d'art", BusinessKind::Artisan),
            ("Boulangerie", BusinessKind::Merchant),
            ("Épicerie, produits de la ferme", BusinessKind::Merchant),
        ] {
            assert_eq!(
                single_business("nom,categorie", &format!("A,\"{category}\"")).kind,
                kind,
                "{category}"
            );
        }
        assert_eq!(single_business("nom", "A").kind, BusinessKind::Merchant);
    }

    #[test]
    fn phone_numbers_are_checked_and_their_spaces_tidied() {
        let business = single_business("nom,telephone", "A,\"+33 (0)4\u{a0}66.00-11\u{202f}22\"");
        assert_eq!(business.phone.as_deref(), Some("+33 (0)4 66.00-11 22"));
        assert_eq!(
            refusal_of_single_row("nom,telephone", "A,04 66 00 11 22 (Paul)"),
            RefusalReason::InvalidPhone { value: "04 66 00 11 22 (Paul)".to_owned() }
        );
        assert_eq!(
            refusal_of_single_row("nom,telephone", "A,04 66 00 11 22 - 06 00 00 00 00 - 07 00"),
            RefusalReason::TooLong { field: "phone", max_chars: MAX_PHONE_CHARS }
        );
    }

    #[test]
    fn texts_longer_than_a_listing_holds_are_refused() {
        let long = |length: usize| "é".repeat(length);
        let cases = [
            ("nom", long(121), "name", MAX_NAME_CHARS),
            ("nom,description", format!("A,{}", long(5001)), "description", MAX_DESCRIPTION_CHARS),
            ("nom,categorie", format!("A,Épicerie ; {}", long(61)), "category", MAX_CATEGORY_CHARS),
            ("nom,adresse", format!("A,{}", long(201)), "address", MAX_ADDRESS_CHARS),
            ("nom,code_postal", "A,12345678901".to_owned(), "postcode", MAX_POSTCODE_CHARS),
            ("nom,commune", format!("A,{}", long(81)), "city", MAX_CITY_CHARS),
            (
                "nom,site_web",
                format!("A,https://example.fr/{}", "a".repeat(300)),
                "website",
                MAX_WEBSITE_CHARS,
            ),
        ];
        for (header, row, field, max_chars) in cases {
            assert_eq!(
                refusal_of_single_row(header, &row),
                RefusalReason::TooLong { field, max_chars },
                "{field}"
            );
        }
        // At the limit is fine; the name's inner spaces count once, as the listing form counts them.
        single_business("nom,description", &format!("{}    {},{}", long(60), long(59), long(5000)));
        let reason = RefusalReason::TooLong { field: "description", max_chars: 5000 };
        assert_eq!(reason.french(), "texte trop long pour la description (5000 caractères au plus)");
        assert_eq!(reason.english(), "text too long for the description (at most 5000 characters)");
    }

    #[test]
    fn at_most_five_social_links() {
        let links: Vec<String> = (1..=6).map(|n| format!("https://social{n}.example/paul")).collect();
        assert_eq!(
            refusal_of_single_row("nom,reseaux sociaux", &format!("A,{}", links.join(" "))),
            RefusalReason::TooManySocialLinks { count: 6 }
        );
        assert_eq!(
            single_business("nom,reseaux", &format!("A,{}", links[..5].join(" "))).social_links.len(),
            5
        );
    }

    #[test]
    fn html_is_kept_as_written() {
        let business =
            single_business("nom,description", "\"<b>Paul</b>\",\"<script>alert('x')</script> & co\"");
        assert_eq!(business.name, "<b>Paul</b>");
        assert_eq!(business.description, "<script>alert('x')</script> & co");
    }

    #[test]
    fn the_formula_guard_is_removed_on_import() {
        let business = single_business("nom,telephone,description", "'=Paul,'+33 4 66 00 00 00,'it's fine");
        assert_eq!(business.name, "=Paul");
        assert_eq!(business.phone.as_deref(), Some("+33 4 66 00 00 00"));
        assert_eq!(business.description, "'it's fine", "a ' before anything else is kept");
    }

    #[test]
    fn every_refusal_reason_has_a_french_and_an_english_sentence() {
        let value = || "VALUE".to_owned();
        let reasons = [
            RefusalReason::MissingName,
            RefusalReason::InvalidUrl { value: value() },
            RefusalReason::LatitudeOutOfRange { value: value() },
            RefusalReason::LongitudeOutOfRange { value: value() },
            RefusalReason::InvalidCoordinate { value: value() },
            RefusalReason::HalfCoordinates,
            RefusalReason::InvalidEmail { value: value() },
            RefusalReason::UnknownStatus { value: value() },
            RefusalReason::UnknownService { value: value() },
            RefusalReason::UnknownKind { value: value() },
            RefusalReason::UnknownYesNo { value: value() },
            RefusalReason::InvalidPhone { value: value() },
            RefusalReason::TooManySocialLinks { count: 7 },
            RefusalReason::TooLong { field: "description", max_chars: 7 },
            RefusalReason::DuplicateInFile { first_row: 7 },
        ];
        for reason in &reasons {
            let (french, english) = (reason.french(), reason.english());
            assert_ne!(french, english);
            let shows_value = !matches!(reason, RefusalReason::MissingName | RefusalReason::HalfCoordinates);
            assert!(!shows_value || (french.contains("VALUE") || french.contains('7')), "{french}");
            assert!(!shows_value || (english.contains("VALUE") || english.contains('7')), "{english}");
        }
        assert_eq!(RefusalReason::MissingName.french(), "le nom est manquant");
        assert_eq!(
            RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }.french(),
            "adresse web refusée (seules http et https sont acceptées) : javascript:alert(1)"
        );
        assert_eq!(
            RefusalReason::LatitudeOutOfRange { value: "91.5".to_owned() }.french(),
            "latitude hors limites (entre -90 et 90) : 91.5"
        );
        let long = RefusalReason::InvalidUrl { value: "é".repeat(500) }.french();
        assert!(long.chars().count() < 200 && long.ends_with('…'), "very long values are cut in messages");
    }

    #[test]
    fn the_report_serialises_for_the_web_layer() {
        let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
        let json = serde_json::to_value(&report).expect("serialisable");
        assert_eq!(
            json["refused"][1]["reason"],
            json!({"code": "invalid_url", "value": "javascript:alert(1)"})
        );
        assert_eq!(json["accepted"][0]["status"], "open");
        assert_eq!(json["accepted"][0]["kind"], "merchant");
    }

    // -- exports ----------------------------------------------------------------------------

    #[test]
    fn csv_export_has_bom_french_headers_and_crlf() {
        let csv = businesses_to_csv(&[sample_export()]);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(csv).expect("UTF-8");
        let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "id,nom,type,categorie,adresse,code_postal,commune,telephone,email,site_web,facebook,latitude,\
                 longitude,statut,message_statut,statut_confirme_le,services,accepte_monnaie_locale,description,url"
            )
        );
        let row = lines.next().expect("a data line");
        assert!(row.starts_with(
            "42,Boulangerie Lafont,commerce,\"Boulangerie ; Pâtisserie\",12 rue de la République,"
        ));
        assert!(row.contains(
            ",43.8601,4.4432,drive,Commandes la veille,2026-03-17T09:30:00+01:00,\"drive;livraison\",oui,"
        ));
        assert!(
            row.contains(",https://facebook.com/boulangerielafont https://instagram.com/boulangerielafont,")
        );
    }

    #[test]
    fn csv_export_of_nothing_is_just_the_header() {
        let text = String::from_utf8(businesses_to_csv(&[])).expect("UTF-8");
        assert_eq!(text.matches("\r\n").count(), 1);
        assert!(text.starts_with("\u{feff}id,nom,"));
    }

    #[test]
    fn csv_export_guards_against_formulas() {
        let mut item = sample_export();
        item.name = "=HYPERLINK(\"http://evil.example\",\"clic\")".to_owned();
        item.phone = Some("+33 4 66 00 11 22".to_owned());
        item.description = "-- en promotion".to_owned();
        item.status_message = Some("@paul".to_owned());
        item.latitude = Some(-33.9);
        item.longitude = Some(-0.5);
        let csv = businesses_to_csv(&[item]);
        let mut reader = csv::ReaderBuilder::new().from_reader(&csv[3..]);
        let record = reader.records().next().expect("a record").expect("valid CSV");
        assert_eq!(&record[1], "'=HYPERLINK(\"http://evil.example\",\"clic\")");
        assert_eq!(&record[7], "'+33 4 66 00 11 22");
        assert_eq!(&record[11], "-33.9", "plain numbers are not guarded");
        assert_eq!(&record[12], "-0.5");
        assert_eq!(&record[14], "'@paul");
        assert_eq!(&record[18], "'-- en promotion");
        for cell in ["=1+1", "+1 ", "-1+1", "@SUM(A1)", "-", "-inf", "+.5"] {
            assert_eq!(guard_formula(cell), format!("'{cell}"), "{cell}");
        }
        for cell in ["-12", "+3.5", "+1", "43.86", "Paul", "'=x", ""] {
            assert_eq!(guard_formula(cell), cell, "{cell}");
        }
    }

    #[test]
    fn csv_export_then_import_gives_the_same_values() {
        let mut tricky = sample_export();
        tricky.id = 43;
        tricky.name = "=Chez \"Paul\", l'original".to_owned();
        tricky.kind = BusinessKind::Health;
        tricky.categories = vec!["Pharmacie".to_owned()];
        tricky.address = None;
        tricky.postcode = Some("01000".to_owned());
        tricky.city = Some("Bourg-en-Bresse".to_owned());
        tricky.phone = None;
        tricky.email = None;
        tricky.website = Some("https://example.fr/a,b?c=d;e".to_owned());
        tricky.social_links = Vec::new();
        tricky.latitude = Some(-12.345_678_9);
        tricky.longitude = Some(-0.000_001);
        tricky.status = CrisisStatus::Closed;
        tricky.click_and_collect = false;
        tricky.delivery = false;
        tricky.takes_consignment = true;
        tricky.accepts_local_currency = false;
        tricky.description = "- Ligne 1 ; avec <script>alert(1)</script>\nLigne 2, \"citée\"".to_owned();
        let mut statuses = Vec::new();
        let mut items = vec![sample_export(), tricky];
        for (index, (status, kind)) in [
            (CrisisStatus::Open, BusinessKind::Producer),
            (CrisisStatus::DeliveryOnly, BusinessKind::Artisan),
            (CrisisStatus::PickupOnly, BusinessKind::Association),
            (CrisisStatus::Closed, BusinessKind::Service),
        ]
        .into_iter()
        .enumerate()
        {
            let mut item = sample_export();
            item.id = 100 + i64::try_from(index).expect("small");
            item.name = format!("Entreprise {index}");
            item.status = status;
            item.kind = kind;
            item.latitude = None;
            item.longitude = None;
            item.categories = Vec::new();
            statuses.push(status);
            items.push(item);
        }

        let report = parse_businesses_csv(&businesses_to_csv(&items)).expect("the export is importable");
        assert!(report.refused.is_empty(), "{:?}", report.refused);
        assert_eq!(
            report.ignored_columns,
            vec![
                "id".to_owned(),
                "message_statut".to_owned(),
                "statut_confirme_le".to_owned(),
                "url".to_owned()
            ]
        );
        assert_eq!(report.accepted.len(), items.len());
        for (index, (exported, imported)) in items.iter().zip(&report.accepted).enumerate() {
            assert_eq!(imported.row, index + 2);
            assert_eq!(imported.name, exported.name);
            assert_eq!(imported.kind, exported.kind);
            assert_eq!(imported.category_list(), exported.categories);
            assert_eq!(imported.address, exported.address);
            assert_eq!(imported.postcode, exported.postcode);
            assert_eq!(imported.city, exported.city);
            assert_eq!(imported.phone, exported.phone);
            assert_eq!(imported.email, exported.email);
            assert_eq!(imported.website, exported.website);
            assert_eq!(imported.social_links, exported.social_links);
            assert_eq!(imported.latitude, exported.latitude);
            assert_eq!(imported.longitude, exported.longitude);
            assert_eq!(imported.status, Some(exported.status));
            assert_eq!(imported.click_and_collect, exported.click_and_collect);
            assert_eq!(imported.delivery, exported.delivery);
            assert_eq!(imported.takes_consignment, exported.takes_consignment);
            assert_eq!(imported.accepts_local_currency, exported.accepts_local_currency);
            assert_eq!(imported.description, exported.description);
        }
        assert_eq!(report.accepted[0].category.as_deref(), Some("Boulangerie ; Pâtisserie"));
    }

    fn geojson_items() -> Vec<ExportedBusiness> {
        let mut without_coordinates = sample_export();
        without_coordinates.id = 7;
        without_coordinates.latitude = None;
        without_coordinates.longitude = None;
        let mut half_coordinates = sample_export();
        half_coordinates.id = 8;
        half_coordinates.longitude = None;
        let mut out_of_range = sample_export();
        out_of_range.id = 9;
        out_of_range.latitude = Some(f64::NAN);
        let mut southern = sample_export();
        southern.id = 10;
        southern.name = "Le Cap".to_owned();
        southern.latitude = Some(-33.9249);
        southern.longitude = Some(18.4241);
        southern.email = None;
        southern.status = CrisisStatus::DeliveryOnly;
        vec![sample_export(), without_coordinates, half_coordinates, out_of_range, southern]
    }

    #[test]
    fn geojson_is_a_valid_feature_collection() {
        let value = businesses_to_geojson(&geojson_items(), "ODbL-1.0", "https://halle.example/annuaire");
        let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
        let collection = geojson::FeatureCollection::try_from(parsed).expect("a FeatureCollection");
        let members = collection.foreign_members.as_ref().expect("foreign members");
        assert_eq!(members["licence"], "ODbL-1.0");
        assert_eq!(members["attribution"], "https://halle.example/annuaire");

        assert_eq!(collection.features.len(), 2, "only businesses with valid coordinates");
        let ids: Vec<Option<geojson::feature::Id>> =
            collection.features.iter().map(|feature| feature.id.clone()).collect();
        assert_eq!(
            ids,
            vec![
                Some(geojson::feature::Id::Number(42.into())),
                Some(geojson::feature::Id::Number(10.into()))
            ]
        );
        let coordinates: Vec<Vec<f64>> = collection
            .features
            .iter()
            .map(|feature| match feature.geometry.as_ref().map(|geometry| &geometry.value) {
                Some(geojson::Value::Point(position)) => position.clone(),
                other => panic!("expected a point, got {other:?}"),
            })
            .collect();
        assert_eq!(
            coordinates,
            vec![vec![4.4432, 43.8601], vec![18.4241, -33.9249]],
            "[longitude, latitude]"
        );
    }

    #[test]
    fn geojson_properties_carry_every_field() {
        let value = businesses_to_geojson(&geojson_items(), "ODbL-1.0", "https://halle.example/annuaire");
        let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
        let collection = geojson::FeatureCollection::try_from(parsed).expect("a FeatureCollection");
        let lafont = &collection.features[0];
        assert_eq!(lafont.property("name"), Some(&json!("Boulangerie Lafont")));
        assert_eq!(lafont.property("kind"), Some(&json!("merchant")));
        assert_eq!(lafont.property("categories"), Some(&json!(["Boulangerie", "Pâtisserie"])));
        assert_eq!(lafont.property("status"), Some(&json!("pickup_only")));
        assert_eq!(lafont.property("status_confirmed_at"), Some(&json!("2026-03-17T09:30:00+01:00")));
        assert_eq!(lafont.property("click_and_collect"), Some(&json!(true)));
        assert_eq!(lafont.property("takes_consignment"), Some(&json!(false)));
        assert_eq!(lafont.property("accepts_local_currency"), Some(&json!(true)));
        assert_eq!(lafont.property("url"), Some(&json!("https://halle.example/annuaire/42")));
        assert_eq!(
            lafont.property("social_links"),
            Some(&json!([
                "https://facebook.com/boulangerielafont",
                "https://instagram.com/boulangerielafont"
            ]))
        );
        let southern = &collection.features[1];
        assert_eq!(southern.property("email"), Some(&Value::Null));
        assert_eq!(southern.property("status"), Some(&json!("delivery_only")));
        // Every field of ExportedBusiness is a property, with the same name.
        let field_names: Vec<String> = match serde_json::to_value(sample_export()) {
            Ok(Value::Object(fields)) => fields.keys().cloned().collect(),
            other => panic!("{other:?}"),
        };
        for name in field_names {
            assert!(lafont.contains_property(&name), "missing property {name}");
        }
    }

    #[test]
    fn geojson_of_nothing_is_an_empty_collection() {
        let value = businesses_to_geojson(&[], "ODbL-1.0", "https://halle.example/annuaire");
        assert_eq!(value["features"], json!([]));
        let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
        assert!(
            matches!(parsed, geojson::GeoJson::FeatureCollection(collection) if collection.features.is_empty())
        );
    }
}
