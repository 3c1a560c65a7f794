//! The catalogue as a spreadsheet: reads the file a producer already has (CSV saved by French
//! Excel, XLSX, ODS) into a table, guesses which column holds what (the person can correct it),
//! checks every row into a product or a refusal a person can act on, and exports products to CSV
//! and XLSX in the same layout, so that export → edit → import loses nothing. Pure functions: no
//! database, no HTTP.
//!
//! Reading is liberal: UTF-8 (with or without BOM) or Windows-1252, `;` `,` or tab, French or
//! English headers matched without regard to case, accents or punctuation, "1,20 €" or a numeric
//! cell. Checking is strict and exact: money, rates and quantities are read from their decimal
//! digits, never through a float, and a value that could be read two ways is refused rather than
//! guessed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible, Xlsx};
use serde::{Deserialize, Serialize};

use super::{Allergen, Unit};
use crate::tabular::{self, TextError, fold_header, fold_words};

// ---------------------------------------------------------------------------------------------
// Reading: limits and errors
// ---------------------------------------------------------------------------------------------

/// Spreadsheet rows read at most: far more than a shop's catalogue, few enough that a workbook
/// with a stray cell at row one million cannot make the server allocate a million rows.
pub const MAX_ROWS: usize = 20_000;
/// Columns read at most; cells further right are ignored.
const MAX_COLUMNS: usize = 100;
/// Text read at most over the whole table, in bytes: bounds what a small compressed workbook can
/// unfold to.
const MAX_TABLE_BYTES: usize = 32 * 1024 * 1024;

/// Why a file gives no table. `Display` is the French sentence for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SheetError {
    /// The file holds nothing: no byte, only blanks, or an empty first sheet.
    Empty,
    /// Not a spreadsheet that can be read (a PDF, a damaged or password-protected workbook…); the
    /// text is a short technical detail.
    Unreadable(String),
    /// A title line, but no line under it.
    NoData,
    /// More than [`MAX_ROWS`] rows, or more text than a catalogue can hold.
    TooLarge {
        /// The most rows read.
        max_rows: usize,
    },
}

impl SheetError {
    /// English sentence for the person (the `Display` text is French).
    pub fn english(&self) -> String {
        match self {
            Self::Empty => "the file is empty".to_owned(),
            Self::Unreadable(detail) => format!(
                "the file is not a readable spreadsheet: save it from your spreadsheet as CSV, XLSX or \
                 ODS and try again ({detail})"
            ),
            Self::NoData => {
                "the file only holds the title line: add one line per product under it".to_owned()
            }
            Self::TooLarge { max_rows } => {
                format!("the file is too large: at most {max_rows} lines per catalogue")
            }
        }
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => formatter.write_str("le fichier est vide"),
            Self::Unreadable(detail) => write!(
                formatter,
                "le fichier n'est pas un tableur lisible : enregistrez-le depuis votre tableur au format \
                 CSV, XLSX ou ODS puis réessayez ({detail})"
            ),
            Self::NoData => formatter.write_str(
                "le fichier ne contient que la ligne des titres : ajoutez une ligne par produit en dessous",
            ),
            Self::TooLarge { max_rows } => {
                write!(formatter, "le fichier est trop grand : {max_rows} lignes au plus par catalogue")
            }
        }
    }
}

impl std::error::Error for SheetError {}

fn too_large() -> SheetError {
    SheetError::TooLarge { max_rows: MAX_ROWS }
}

fn unreadable(error: impl fmt::Display) -> SheetError {
    SheetError::Unreadable(error.to_string())
}

// ---------------------------------------------------------------------------------------------
// Reading: the raw table
// ---------------------------------------------------------------------------------------------

/// The raw table of the first sheet, every cell as text as the person sees it (a numeric cell
/// 1.2 is "1.2"), trimmed, without the `'` that the CSV export puts before a formula trigger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The titles of the columns: the first line that is not blank.
    pub headers: Vec<String>,
    /// The lines under the titles that are not blank, each with its spreadsheet row number (the
    /// usual title line is row 1; blank lines count, a multi-line cell does not). Every row has as
    /// many cells as `headers`.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads an uploaded spreadsheet: XLSX, ODS (and the old XLS) by their content, otherwise CSV
/// with `;`, `,` or tab, in UTF-8 (with or without BOM, or UTF-16 with BOM) or else Windows-1252.
/// Only the first visible worksheet is read.
///
/// # Errors
///
/// [`SheetError`] when the file is empty, unreadable, too large, or has no line under its titles.
pub fn read_table(bytes: &[u8]) -> Result<Table, SheetError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SheetError::Empty);
    }
    let rows = if is_workbook(bytes) { read_workbook(bytes)? } else { read_csv(bytes)? };
    table_from_rows(rows)
}

/// Zip-based workbooks (xlsx, ods) and the compound files of the old xls.
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The table from every line read (numbered, raw cells): cells cleaned, blank lines dropped, the
/// first line kept as titles, every line as wide as the widest.
fn table_from_rows(rows: Vec<(usize, Vec<String>)>) -> Result<Table, SheetError> {
    let mut lines = rows
        .into_iter()
        .map(|(row, cells)| (row, cells.iter().map(|cell| clean_cell(cell)).collect::<Vec<_>>()))
        .filter(|(_, cells)| !is_blank(cells));
    let (_, mut headers) = lines.next().ok_or(SheetError::Empty)?;
    let mut rows: Vec<(usize, Vec<String>)> = lines.collect();
    if rows.is_empty() {
        return Err(SheetError::NoData);
    }
    let used_width =
        |cells: &[String]| cells.iter().rposition(|cell| !cell.is_empty()).map_or(0, |last| last + 1);
    let width = rows.iter().map(|(_, cells)| used_width(cells)).fold(used_width(&headers), usize::max);
    headers.resize(width, String::new());
    for (_, cells) in &mut rows {
        cells.resize(width, String::new());
    }
    Ok(Table { headers, rows })
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_TRIGGERS: [char; 4] = ['=', '+', '-', '@'];

/// A cell trimmed, and without the `'` that the export puts before a formula trigger (one `'`
/// only: "''=x", the export of a text that is itself "'=x", reads back as "'=x").
fn clean_cell(raw: &str) -> String {
    let trimmed = raw.trim();
    if looks_guarded(trimmed) { trimmed[1..].to_owned() } else { trimmed.to_owned() }
}

/// Starts like a guarded cell: one or more `'`, then a formula trigger.
fn looks_guarded(cell: &str) -> bool {
    cell.starts_with('\'') && cell.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|cell| cell.trim().is_empty())
}

// -- CSV --------------------------------------------------------------------------------------

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    let text = tabular::decode_text(bytes).map_err(text_error)?;
    if text.trim().is_empty() {
        return Err(SheetError::Empty);
    }
    tabular::read_records(&text, tabular::sniff_separator(&text), MAX_ROWS, MAX_COLUMNS, str::to_owned)
        .map_err(text_error)
}

fn text_error(error: TextError) -> SheetError {
    match error {
        TextError::Binary => SheetError::Unreadable("binary content, not text".to_owned()),
        TextError::Csv(message) => SheetError::Unreadable(message),
        TextError::TooManyRows => too_large(),
    }
}

// -- Workbooks --------------------------------------------------------------------------------

/// The first sheet of a workbook, line by line. XLSX is streamed cell by cell so that the limits
/// hold before anything is allocated; ODS and XLS go through calamine's whole-sheet reader.
fn read_workbook(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    let mut grid = Grid::default();
    if let Ok(mut workbook) = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        let name = first_sheet_name(workbook.sheets_metadata())?;
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            let (row, column) = cell.get_position();
            grid.put(row, column, data_ref_text(cell.get_value()))?;
        }
    } else {
        let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
        let name = first_sheet_name(workbook.sheets_metadata())?;
        let range = workbook.worksheet_range(&name).map_err(unreadable)?;
        let (first_row, first_column) = range.start().unwrap_or_default();
        for (row, column, value) in range.used_cells() {
            let row = first_row.saturating_add(u32::try_from(row).unwrap_or(u32::MAX));
            let column = first_column.saturating_add(u32::try_from(column).unwrap_or(u32::MAX));
            grid.put(row, column, data_text(value))?;
        }
    }
    Ok(grid.into_rows())
}

/// The first visible worksheet (chart sheets and hidden sheets are not what the person sees
/// first), else the first worksheet.
fn first_sheet_name(sheets: &[calamine::Sheet]) -> Result<String, SheetError> {
    let worksheets = || sheets.iter().filter(|sheet| sheet.typ == SheetType::WorkSheet);
    worksheets()
        .find(|sheet| sheet.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|sheet| sheet.name.clone())
        .ok_or(SheetError::Empty)
}

/// The cells of a sheet by position, within the limits.
#[derive(Default)]
struct Grid {
    rows: Vec<Vec<String>>,
    text_bytes: usize,
}

impl Grid {
    /// Stores a cell (0-based row and column); an empty one is skipped, one right of the last
    /// column read is ignored, one below the last row read makes the file too large.
    fn put(&mut self, row: u32, column: u32, text: String) -> Result<(), SheetError> {
        let (row, column) = (row as usize, column as usize);
        if text.is_empty() || column >= MAX_COLUMNS {
            return Ok(());
        }
        self.text_bytes += text.len();
        if row >= MAX_ROWS || self.text_bytes > MAX_TABLE_BYTES {
            return Err(too_large());
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
        Ok(())
    }

    /// The lines, numbered from 1 like a spreadsheet's.
    fn into_rows(self) -> Vec<(usize, Vec<String>)> {
        self.rows.into_iter().enumerate().map(|(index, cells)| (index + 1, cells)).collect()
    }
}

/// A cell of a streamed XLSX sheet as text.
fn data_ref_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::Float(number) => number_text(*number),
        DataRef::Int(number) => number.to_string(),
        DataRef::Bool(value) => boolean_text(*value),
        DataRef::DateTime(date) => number_text(date.as_f64()),
        DataRef::Error(error) => error.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A cell of an ODS or XLS sheet as text.
fn data_text(value: &Data) -> String {
    match value {
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Float(number) => number_text(*number),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => boolean_text(*value),
        Data::DateTime(date) => number_text(date.as_f64()),
        Data::Error(error) => error.to_string(),
        Data::Empty => String::new(),
    }
}

/// A boolean cell as French Excel shows it (and as [`parse_yes_no`] reads it).
fn boolean_text(value: bool) -> String {
    if value { "VRAI" } else { "FAUX" }.to_owned()
}

/// A numeric cell as a spreadsheet's General format shows it: at most 15 significant digits (the
/// precision Excel displays and computes with), decimal point, no exponent. So 1.2 is "1.2", and a
/// computed 0.1 + 0.2 is "0.3" rather than the float's binary residue 0.30000000000000004; the
/// checks then read exact decimals from that text.
fn number_text(number: f64) -> String {
    if !number.is_finite() {
        return number.to_string();
    }
    if number == 0.0 {
        return "0".to_owned();
    }
    if number == number.trunc() && number.abs() < 1e15 {
        return format!("{number:.0}");
    }
    let scientific = format!("{number:.14e}"); // "-1.23450000000000e-5": 15 significant digits
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(unsigned) => ("-", unsigned),
        None => ("", mantissa),
    };
    let all_digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = all_digits.trim_end_matches('0');
    // The value is 0.digits × 10^point.
    let point = exponent + 1;
    let magnitude = point.unsigned_abs() as usize;
    let unsigned = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(magnitude))
    } else if magnitude >= digits.len() {
        format!("{digits}{}", "0".repeat(magnitude - digits.len()))
    } else {
        format!("{}.{}", &digits[..magnitude], &digits[magnitude..])
    };
    format!("{sign}{unsigned}")
}

// ---------------------------------------------------------------------------------------------
// Column mapping
// ---------------------------------------------------------------------------------------------

/// A product field that a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The seller's own product code, unique in the file.
    Reference,
    /// The product's name (désignation).
    Name,
    /// Free text.
    Description,
    /// The shelf (rayon, famille).
    Category,
    /// The unit of sale.
    Unit,
    /// The price including VAT, per unit.
    Price,
    /// The VAT rate.
    VatRate,
    /// The units in stock (empty: unlimited).
    Stock,
    /// On sale or not.
    Available,
    /// Sold by weight: the price is confirmed when the order is prepared.
    SoldByWeight,
    /// The estimated weight of one piece, in grams.
    EstimatedWeight,
    /// Organic farming.
    Organic,
    /// Carries the territory's local label.
    LocalLabel,
    /// The allergens it contains.
    Allergens,
    /// The list of ingredients.
    Ingredients,
}

impl Field {
    /// Every field, in the order of the export's columns.
    pub const ALL: [Field; 15] = [
        Field::Reference,
        Field::Name,
        Field::Description,
        Field::Category,
        Field::Unit,
        Field::Price,
        Field::VatRate,
        Field::Stock,
        Field::Available,
        Field::SoldByWeight,
        Field::EstimatedWeight,
        Field::Organic,
        Field::LocalLabel,
        Field::Allergens,
        Field::Ingredients,
    ];

    /// The snake_case name (as serialised, and as a form's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Name => "name",
            Self::Description => "description",
            Self::Category => "category",
            Self::Unit => "unit",
            Self::Price => "price",
            Self::VatRate => "vat_rate",
            Self::Stock => "stock",
            Self::Available => "available",
            Self::SoldByWeight => "sold_by_weight",
            Self::EstimatedWeight => "estimated_weight",
            Self::Organic => "organic",
            Self::LocalLabel => "local_label",
            Self::Allergens => "allergens",
            Self::Ingredients => "ingredients",
        }
    }

    /// The field of a snake_case name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == name)
    }

    /// The i18n key of the field's label: "catalog.field.<name>".
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Reference => "catalog.field.reference",
            Self::Name => "catalog.field.name",
            Self::Description => "catalog.field.description",
            Self::Category => "catalog.field.category",
            Self::Unit => "catalog.field.unit",
            Self::Price => "catalog.field.price",
            Self::VatRate => "catalog.field.vat_rate",
            Self::Stock => "catalog.field.stock",
            Self::Available => "catalog.field.available",
            Self::SoldByWeight => "catalog.field.sold_by_weight",
            Self::EstimatedWeight => "catalog.field.estimated_weight",
            Self::Organic => "catalog.field.organic",
            Self::LocalLabel => "catalog.field.local_label",
            Self::Allergens => "catalog.field.allergens",
            Self::Ingredients => "catalog.field.ingredients",
        }
    }

    /// A product cannot be imported without it.
    pub fn is_required(self) -> bool {
        matches!(self, Self::Reference | Self::Name | Self::Price)
    }

    /// The headers that mean this field, folded (see [`fold_header`]), most specific first: when
    /// two columns mean the same field, the one whose header comes first here is used.
    fn header_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Reference => &[
                "reference",
                "ref",
                "sku",
                "code article",
                "code produit",
                "reference produit",
                "reference article",
                "ref produit",
                "ref article",
                "code",
                "product code",
                "item code",
            ],
            Self::Name => &[
                "designation",
                "nom",
                "nom du produit",
                "nom produit",
                "produit",
                "libelle",
                "intitule",
                "article",
                "name",
                "product name",
                "product",
                "item",
            ],
            Self::Description => &["description", "descriptif", "description longue", "details"],
            Self::Category => &["categorie", "rayon", "famille", "category", "categorie produit"],
            Self::Unit => &["unite", "unite de vente", "unit", "conditionnement", "sales unit", "packaging"],
            Self::Price => &[
                "prix ttc",
                "prix de vente ttc",
                "prix unitaire ttc",
                "prix de vente",
                "prix unitaire",
                "prix",
                "tarif",
                "tarif ttc",
                "price",
                "unit price",
                "sale price",
                "price incl vat",
            ],
            Self::VatRate => &["tva", "taux tva", "taux de tva", "vat", "vat rate", "tax rate"],
            Self::Stock => {
                &["stock", "quantite", "qte", "quantite en stock", "stock disponible", "qty", "quantity"]
            }
            Self::Available => {
                &["disponible", "actif", "en vente", "available", "active", "on sale", "en ligne"]
            }
            Self::SoldByWeight => &["vendu au poids", "au poids", "by weight", "sold by weight"],
            Self::EstimatedWeight => &["poids estime", "poids", "weight", "estimated weight"],
            Self::Organic => &["bio", "ab", "organic", "agriculture biologique"],
            Self::LocalLabel => &["label local", "label", "local label"],
            Self::Allergens => &["allergenes", "allergens", "allergies"],
            Self::Ingredients => &["ingredients", "composition", "liste des ingredients"],
        }
    }

    /// The field a header means, with the alias's rank (0 = most specific).
    fn recognise(header: &str) -> Option<(Self, usize)> {
        let folded = fold_header(header);
        Self::ALL.into_iter().find_map(|field| {
            field.header_aliases().iter().position(|alias| *alias == folded).map(|rank| (field, rank))
        })
    }
}

/// For each column of the table, the field it feeds (`None`: ignored).
pub type Mapping = Vec<Option<Field>>;

/// The i18n key of "this required field has no column" (`{field}` is the field's label).
pub const MAPPING_MISSING: &str = "catalog.mapping.missing";
/// The i18n key of "this field has two columns" (`{field}` is the field's label).
pub const MAPPING_TWICE: &str = "catalog.mapping.twice";

/// The mapping guessed from the titles, French or English, whatever their case, accents,
/// punctuation or a unit in brackets ("Prix TTC (€)"). When several columns mean the same field,
/// only the most specific title feeds it ("Prix TTC" rather than "Prix"; the leftmost on a tie), so
/// that the guess never maps a field twice.
pub fn detect_mapping(headers: &[String]) -> Mapping {
    let recognised: Vec<Option<(Field, usize)>> =
        headers.iter().map(|header| Field::recognise(header)).collect();
    let mut best_column: HashMap<Field, (usize, usize)> = HashMap::new();
    for (column, found) in recognised.iter().enumerate() {
        let Some((field, rank)) = *found else { continue };
        let best = best_column.entry(field).or_insert((rank, column));
        if rank < best.0 {
            *best = (rank, column);
        }
    }
    recognised
        .iter()
        .enumerate()
        .map(|(column, found)| {
            let (field, _) = (*found)?;
            (best_column.get(&field).map(|best| best.1) == Some(column)).then_some(field)
        })
        .collect()
}

/// What keeps a mapping from being used, as (field, i18n key): a field fed by two columns
/// ([`MAPPING_TWICE`]), a required field (reference, name, price) fed by none
/// ([`MAPPING_MISSING`]). In the order of [`Field::ALL`]; empty when the mapping is usable.
pub fn check_mapping(mapping: &Mapping) -> Vec<(Field, &'static str)> {
    Field::ALL
        .into_iter()
        .filter_map(|field| {
            let columns = mapping.iter().filter(|mapped| **mapped == Some(field)).count();
            if columns > 1 {
                Some((field, MAPPING_TWICE))
            } else if columns == 0 && field.is_required() {
                Some((field, MAPPING_MISSING))
            } else {
                None
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rows: public types
// ---------------------------------------------------------------------------------------------

/// One product read from a row, checked and ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    /// The spreadsheet row it came from.
    pub row: usize,
    /// The seller's code, trimmed; unique in the file regardless of case.
    pub reference: String,
    /// The name, trimmed.
    pub name: String,
    /// Free text (line breaks as `\n`); HTML in it is plain text (the web layer escapes it).
    pub description: String,
    /// The shelf, when given.
    pub category: Option<String>,
    /// The unit of sale (a piece when the cell is empty).
    pub unit: Unit,
    /// The price including VAT for one unit, in cents; zero is allowed.
    pub price_cents: i64,
    /// The VAT rate in basis points (5.5 % = 550), when given.
    pub vat_rate_bp: Option<i64>,
    /// The units in stock; `None` means unlimited.
    pub stock: Option<i64>,
    /// On sale (yes when the cell is empty).
    pub available: bool,
    /// Sold by weight.
    pub sold_by_weight: bool,
    /// The estimated weight of one piece, in grams (more than zero).
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Carries the local label.
    pub local_label: bool,
    /// The allergens, sorted, without duplicates.
    pub allergens: Vec<Allergen>,
    /// The ingredients (line breaks as `\n`).
    pub ingredients: String,
}

/// A row that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedRow {
    /// The spreadsheet row.
    pub row: usize,
    /// Why it was refused (the first problem found).
    pub reason: RefusalReason,
}

/// Why a row was refused. Values are kept as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RefusalReason {
    /// The reference cell is empty.
    MissingReference,
    /// The name cell is empty.
    MissingName,
    /// The price cell is empty.
    MissingPrice,
    /// A price that is not an amount in euros with at most two decimals.
    InvalidPrice {
        /// The value as written.
        value: String,
    },
    /// A price below zero.
    NegativePrice {
        /// The value as written.
        value: String,
    },
    /// A unit that is not understood.
    UnknownUnit {
        /// The value as written.
        value: String,
    },
    /// A stock that is not a whole number of zero or more.
    InvalidStock {
        /// The value as written.
        value: String,
    },
    /// A VAT rate that is not a percentage between 0 and [`MAX_VAT_BP`] basis points with at most
    /// two decimals.
    InvalidVat {
        /// The value as written.
        value: String,
    },
    /// An allergen that is not one of the fourteen.
    UnknownAllergen {
        /// The item as written (one item of the list).
        value: String,
    },
    /// An estimated weight that is not a whole number of grams above zero.
    InvalidWeight {
        /// The value as written.
        value: String,
    },
    /// A yes-or-no cell that holds something else.
    UnknownYesNo {
        /// The field ([`Field::as_str`]: "available", "organic"…).
        field: &'static str,
        /// The value as written.
        value: String,
    },
    /// The reference already appears higher in the file (compared regardless of case).
    DuplicateReference {
        /// The reference as written on this row.
        reference: String,
        /// The row where it first appears.
        first_row: usize,
    },
    /// A text longer than a product can hold.
    TooLong {
        /// The field ([`Field::as_str`]: "reference", "name"…).
        field: &'static str,
        /// The longest allowed, in characters.
        max: usize,
    },
}

/// The longest texts, in characters.
const MAX_REFERENCE_CHARS: usize = 64;
const MAX_NAME_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 5000;
const MAX_CATEGORY_CHARS: usize = 80;
const MAX_INGREDIENTS_CHARS: usize = 5000;
/// The highest VAT rate accepted, in basis points: no rate is near 30 %, so more is a slip (and
/// "0,9" without a % sign, read as the fraction 90 %, is refused instead of guessed).
pub const MAX_VAT_BP: i64 = 3000;

/// What a table gave: the products that can be stored and the refused rows, both in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProductReport {
    /// The rows that can be stored.
    pub accepted: Vec<ProductRow>,
    /// The rows that cannot.
    pub refused: Vec<RefusedRow>,
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

/// How a field is named in French sentences.
fn french_field_label(field: &str) -> &'static str {
    match field {
        "reference" => "la référence",
        "name" => "la désignation",
        "description" => "la description",
        "category" => "la catégorie",
        "ingredients" => "les ingrédients",
        "available" => "« disponible »",
        "sold_by_weight" => "« vendu au poids »",
        "organic" => "« bio »",
        "local_label" => "« label local »",
        _ => "ce champ",
    }
}

/// How a field is named in English sentences.
fn english_field_label(field: &str) -> &'static str {
    match field {
        "reference" => "the reference",
        "name" => "the name",
        "description" => "the description",
        "category" => "the category",
        "ingredients" => "the ingredients",
        "available" => "\"available\"",
        "sold_by_weight" => "\"sold by weight\"",
        "organic" => "\"organic\"",
        "local_label" => "\"local label\"",
        _ => "this field",
    }
}

impl RefusalReason {
    /// French sentence for the person, e.g. "prix illisible : « gratuit »", "référence PAIN-01 déjà
    /// utilisée ligne 2".
    pub fn french(&self) -> String {
        match self {
            Self::MissingReference => "référence manquante".to_owned(),
            Self::MissingName => "désignation manquante".to_owned(),
            Self::MissingPrice => "prix manquant".to_owned(),
            Self::InvalidPrice { value } => format!("prix illisible : « {} »", shown(value)),
            Self::NegativePrice { value } => format!("prix négatif : {}", shown(value)),
            Self::UnknownUnit { value } => format!(
                "unité inconnue : « {} » (pièce, kg, 100 g, litre, botte, barquette, pot, bouteille, boîte \
                 ou part sont attendus)",
                shown(value)
            ),
            Self::InvalidStock { value } => format!("stock illisible : « {} »", shown(value)),
            Self::InvalidVat { value } => {
                format!("taux de TVA illisible : « {} » (par exemple 5,5 % ou 20 %)", shown(value))
            }
            Self::UnknownAllergen { value } => format!(
                "allergène inconnu : « {} » (gluten, crustacés, œufs, poisson, arachides, soja, lait, fruits \
                 à coque, céleri, moutarde, sésame, sulfites, lupin ou mollusques sont attendus)",
                shown(value)
            ),
            Self::InvalidWeight { value } => format!(
                "poids estimé illisible : « {} » (un nombre de grammes est attendu, par exemple 250)",
                shown(value)
            ),
            Self::UnknownYesNo { field, value } => {
                format!("oui ou non est attendu pour {} : « {} »", french_field_label(field), shown(value))
            }
            Self::DuplicateReference { reference, first_row } => {
                format!("référence {} déjà utilisée ligne {first_row}", shown(reference))
            }
            Self::TooLong { field, max } => {
                format!("texte trop long pour {} ({max} caractères au plus)", french_field_label(field))
            }
        }
    }

    /// English sentence for the person, e.g. "unreadable price: \"free\"", "reference PAIN-01
    /// already used on row 2".
    pub fn english(&self) -> String {
        match self {
            Self::MissingReference => "reference missing".to_owned(),
            Self::MissingName => "name missing".to_owned(),
            Self::MissingPrice => "price missing".to_owned(),
            Self::InvalidPrice { value } => format!("unreadable price: \"{}\"", shown(value)),
            Self::NegativePrice { value } => format!("negative price: {}", shown(value)),
            Self::UnknownUnit { value } => format!(
                "unknown unit: \"{}\" (piece, kg, 100 g, litre, bunch, tray, jar, bottle, box or portion are \
                 expected)",
                shown(value)
            ),
            Self::InvalidStock { value } => format!("unreadable stock: \"{}\"", shown(value)),
            Self::InvalidVat { value } => {
                format!("unreadable VAT rate: \"{}\" (for example 5.5 % or 20 %)", shown(value))
            }
            Self::UnknownAllergen { value } => format!(
                "unknown allergen: \"{}\" (gluten, crustaceans, eggs, fish, peanuts, soybeans, milk, nuts, \
                 celery, mustard, sesame, sulphites, lupin or molluscs are expected)",
                shown(value)
            ),
            Self::InvalidWeight { value } => format!(
                "unreadable estimated weight: \"{}\" (a number of grams is expected, for example 250)",
                shown(value)
            ),
            Self::UnknownYesNo { field, value } => {
                format!("yes or no is expected for {}: \"{}\"", english_field_label(field), shown(value))
            }
            Self::DuplicateReference { reference, first_row } => {
                format!("reference {} already used on row {first_row}", shown(reference))
            }
            Self::TooLong { field, max } => {
                format!("text too long for {} (at most {max} characters)", english_field_label(field))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows: checking
// ---------------------------------------------------------------------------------------------

/// Checks every row of the table with the mapping (see [`check_mapping`] first: with a field
/// mapped twice its leftmost column is read). Blank rows are skipped; a row is refused for the
/// first problem found; a reference already accepted higher in the file (regardless of case)
/// refuses the row, while a refused row does not block its corrected copy further down.
pub fn rows_to_products(table: &Table, mapping: &Mapping) -> ProductReport {
    let columns = Columns::new(mapping);
    let mut report = ProductReport::default();
    let mut first_row_of_reference: HashMap<String, usize> = HashMap::new();
    for (row, cells) in &table.rows {
        if is_blank(cells) {
            continue;
        }
        let row = *row;
        match read_product(row, cells, &columns) {
            Ok(product) => {
                let key = product.reference.to_lowercase();
                if let Some(&first_row) = first_row_of_reference.get(&key) {
                    let reason =
                        RefusalReason::DuplicateReference { reference: product.reference, first_row };
                    report.refused.push(RefusedRow { row, reason });
                } else {
                    first_row_of_reference.insert(key, row);
                    report.accepted.push(product);
                }
            }
            Err(reason) => report.refused.push(RefusedRow { row, reason }),
        }
    }
    report
}

/// The column that feeds each field (the leftmost when several do), by field index.
struct Columns([Option<usize>; Field::ALL.len()]);

impl Columns {
    fn new(mapping: &Mapping) -> Self {
        let mut columns = [None; Field::ALL.len()];
        for (column, field) in mapping.iter().enumerate() {
            if let Some(field) = field {
                columns[*field as usize].get_or_insert(column);
            }
        }
        Self(columns)
    }

    /// The trimmed cell of a row for a field ("" when no column feeds it).
    fn cell<'row>(&self, cells: &'row [String], field: Field) -> &'row str {
        self.0[field as usize].and_then(|column| cells.get(column)).map_or("", |cell| cell.trim())
    }
}

/// One row checked; the first problem found refuses it.
fn read_product(row: usize, cells: &[String], columns: &Columns) -> Result<ProductRow, RefusalReason> {
    let cell = |field| columns.cell(cells, field);

    let reference = cell(Field::Reference);
    if reference.is_empty() {
        return Err(RefusalReason::MissingReference);
    }
    check_length(Field::Reference, reference, MAX_REFERENCE_CHARS)?;
    let name = cell(Field::Name);
    if name.is_empty() {
        return Err(RefusalReason::MissingName);
    }
    check_length(Field::Name, name, MAX_NAME_CHARS)?;
    let price_cents = parse_price(cell(Field::Price))?;
    let unit = parse_unit(cell(Field::Unit))?;
    let vat_rate_bp = parse_vat(cell(Field::VatRate))?;
    let stock = parse_stock(cell(Field::Stock))?;
    let available = parse_yes_no(Field::Available, cell(Field::Available), true)?;
    let sold_by_weight = parse_yes_no(Field::SoldByWeight, cell(Field::SoldByWeight), false)?;
    let estimated_weight_g = parse_weight(cell(Field::EstimatedWeight))?;
    let organic = parse_yes_no(Field::Organic, cell(Field::Organic), false)?;
    let local_label = parse_yes_no(Field::LocalLabel, cell(Field::LocalLabel), false)?;
    let allergens = parse_allergens(cell(Field::Allergens))?;
    let category = cell(Field::Category);
    check_length(Field::Category, category, MAX_CATEGORY_CHARS)?;
    let description = with_unix_line_breaks(cell(Field::Description));
    check_length(Field::Description, &description, MAX_DESCRIPTION_CHARS)?;
    let ingredients = with_unix_line_breaks(cell(Field::Ingredients));
    check_length(Field::Ingredients, &ingredients, MAX_INGREDIENTS_CHARS)?;

    Ok(ProductRow {
        row,
        reference: reference.to_owned(),
        name: name.to_owned(),
        description,
        category: (!category.is_empty()).then(|| category.to_owned()),
        unit,
        price_cents,
        vat_rate_bp,
        stock,
        available,
        sold_by_weight,
        estimated_weight_g,
        organic,
        local_label,
        allergens,
        ingredients,
    })
}

/// Refuses a text longer than `max` characters.
fn check_length(field: Field, value: &str, max: usize) -> Result<(), RefusalReason> {
    if value.chars().count() > max {
        Err(RefusalReason::TooLong { field: field.as_str(), max })
    } else {
        Ok(())
    }
}

fn with_unix_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A decimal number read exactly from its digits: `mantissa / 10^scale`, negative or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    mantissa: u64,
    scale: u32,
}

impl Decimal {
    /// Digits with one decimal mark, `,` or `.`, and an optional sign (`-`, `−` or `+`). When both
    /// marks appear, the last one is the decimal mark and the other one groups thousands in
    /// threes ("1.234,50", "1,234.50"). Anything else (letters, two decimal marks, "1,2,3") is not a
    /// number. The caller removes spaces and currency first.
    fn parse(text: &str) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix(['-', '\u{2212}']) {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let decimal_mark = unsigned.rfind([',', '.']);
        let (whole, fraction) = match decimal_mark {
            Some(at) => (&unsigned[..at], &unsigned[at + 1..]),
            None => (unsigned, ""),
        };
        let grouping = match unsigned.as_bytes().get(decimal_mark.unwrap_or(usize::MAX)) {
            Some(b',') => '.',
            Some(_) => ',',
            None => '\0', // no decimal mark: no grouping either
        };
        let groups: Vec<&str> = whole.split(grouping).collect();
        let grouped_in_threes = groups.len() == 1
            || (groups.iter().skip(1).all(|group| group.len() == 3) && (1..=3).contains(&groups[0].len()));
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if !grouped_in_threes || !groups.iter().all(|group| all_digits(group)) || !all_digits(fraction) {
            return None;
        }
        let digits: String = groups.concat() + fraction;
        if digits.is_empty() {
            return None; // a sign or a mark alone
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > 18 {
            return None; // beyond any amount a catalogue holds, and beyond u64
        }
        let mantissa = if significant.is_empty() { 0 } else { significant.parse().ok()? };
        let scale = u32::try_from(fraction.len()).ok()?;
        Some(Self { negative: negative && mantissa != 0, mantissa, scale })
    }

    /// The number times 10^`places`, when that is a whole number that fits: no more than `places`
    /// decimals are written (trailing zeros count: "1,200" has three).
    fn scaled(self, places: u32) -> Option<i64> {
        let factor = 10_u64.checked_pow(places.checked_sub(self.scale)?)?;
        let magnitude = i64::try_from(self.mantissa.checked_mul(factor)?).ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The number when it is whole, whatever zeros follow the decimal mark ("12,0").
    fn whole(self) -> Option<i64> {
        let divisor = 10_u64.checked_pow(self.scale)?;
        if !self.mantissa.is_multiple_of(divisor) {
            return None;
        }
        let magnitude = i64::try_from(self.mantissa / divisor).ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// Strictly between 0 and 1.
    fn is_proper_fraction(self) -> bool {
        !self.negative
            && self.mantissa != 0
            && 10_u64.checked_pow(self.scale).is_some_and(|one| self.mantissa < one)
    }
}

/// The text without spaces of any kind (a spreadsheet groups thousands with no-break spaces).
fn without_spaces(text: &str) -> String {
    text.chars().filter(|character| !character.is_whitespace()).collect()
}

/// An amount without spaces, `€` and a leading or trailing "EUR", "euro" or "euros".
fn without_currency(written: &str) -> String {
    let amount: String = without_spaces(written).replace('€', "");
    for word in ["euros", "euro", "eur"] {
        let length = word.len();
        if amount.len() > length {
            if amount.get(amount.len() - length..).is_some_and(|end| end.eq_ignore_ascii_case(word)) {
                return amount[..amount.len() - length].to_owned();
            }
            if amount.get(..length).is_some_and(|start| start.eq_ignore_ascii_case(word)) {
                return amount[length..].to_owned();
            }
        }
    }
    amount
}

/// A price in cents: "1,20 €", "1.20", "1 234,50", "12€", "€ 3", "3 EUR"; at most two decimals.
fn parse_price(written: &str) -> Result<i64, RefusalReason> {
    if written.is_empty() {
        return Err(RefusalReason::MissingPrice);
    }
    let cents = Decimal::parse(&without_currency(written))
        .and_then(|amount| amount.scaled(2))
        .ok_or_else(|| RefusalReason::InvalidPrice { value: written.to_owned() })?;
    if cents < 0 {
        return Err(RefusalReason::NegativePrice { value: written.to_owned() });
    }
    Ok(cents)
}

/// A VAT rate in basis points: "5,5 %", "5.5", "20", "2,1%", or the fraction a percentage cell
/// holds (0.055). Without a % sign, a number strictly between 0 and 1 is such a fraction: no VAT
/// rate is below 1 % but Corsica's 0.9 %, which as a fraction (0.009) still reads right, and which
/// written "0,9" reads as 90 %, above [`MAX_VAT_BP`], so it is refused rather than misread.
fn parse_vat(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() {
        return Ok(None);
    }
    let invalid = || RefusalReason::InvalidVat { value: written.to_owned() };
    let compact = without_spaces(written);
    let (number, has_percent_sign) = match compact.strip_suffix('%') {
        Some(number) => (number, true),
        None => (compact.as_str(), false),
    };
    let rate = Decimal::parse(number).filter(|rate| !rate.negative).ok_or_else(invalid)?;
    let basis_points =
        if !has_percent_sign && rate.is_proper_fraction() { rate.scaled(4) } else { rate.scaled(2) };
    match basis_points {
        Some(basis_points) if basis_points <= MAX_VAT_BP => Ok(Some(basis_points)),
        _ => Err(invalid()),
    }
}

/// Stock words meaning "no limit" (folded).
const UNLIMITED_WORDS: &[&str] = &["illimite", "illimitee", "unlimited", "infini", "sans limite"];

/// A stock: empty (or "illimité") is unlimited, else a whole number of zero or more ("12,0" too).
fn parse_stock(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() || UNLIMITED_WORDS.contains(&fold_words(written).as_str()) {
        return Ok(None);
    }
    Decimal::parse(&without_spaces(written))
        .and_then(Decimal::whole)
        .filter(|stock| *stock >= 0)
        .map(Some)
        .ok_or_else(|| RefusalReason::InvalidStock { value: written.to_owned() })
}

/// An estimated weight in grams: "250", "250 g", "0,25 kg"; whole grams above zero.
fn parse_weight(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() {
        return Ok(None);
    }
    let compact = without_spaces(written).to_lowercase();
    let grams = if let Some(kilograms) = compact.strip_suffix("kg") {
        Decimal::parse(kilograms).and_then(|kilograms| kilograms.scaled(3))
    } else {
        let number =
            ["grammes", "gr", "g"].iter().find_map(|unit| compact.strip_suffix(unit)).unwrap_or(&compact);
        Decimal::parse(number).and_then(Decimal::whole)
    };
    grams
        .filter(|grams| *grams > 0)
        .map(Some)
        .ok_or_else(|| RefusalReason::InvalidWeight { value: written.to_owned() })
}

const YES_WORDS: &[&str] = &["oui", "yes", "vrai", "true", "x", "1", "o", "y"];
const NO_WORDS: &[&str] = &["non", "no", "faux", "false", "0", "n"];

/// Yes or no, in French or English words, 1/0 or a cross; empty gives the default.
fn parse_yes_no(field: Field, written: &str, default: bool) -> Result<bool, RefusalReason> {
    let folded = fold_words(written);
    if written.is_empty() {
        Ok(default)
    } else if YES_WORDS.contains(&folded.as_str()) {
        Ok(true)
    } else if NO_WORDS.contains(&folded.as_str()) {
        Ok(false)
    } else {
        Err(RefusalReason::UnknownYesNo { field: field.as_str(), value: written.to_owned() })
    }
}

/// The unit words, folded, after a leading article ("la pièce", "le kg", "les 100 g").
const UNIT_WORDS: [(Unit, &[&str]); 10] = [
    (Unit::Piece, &["piece", "pieces", "pc", "pcs", "pce", "u", "unite", "unites", "unit", "units"]),
    (Unit::Kg, &["kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes", "kilogram", "kilograms"]),
    (Unit::Grams100, &["100 g", "100g", "100 gr", "100gr", "100 grammes", "100 grams"]),
    (Unit::Litre, &["l", "litre", "litres", "liter", "liters", "lt"]),
    (Unit::Bunch, &["botte", "bottes", "bunch", "bunches"]),
    (Unit::Tray, &["barquette", "barquettes", "tray", "trays"]),
    (Unit::Jar, &["pot", "pots", "bocal", "bocaux", "jar", "jars"]),
    (Unit::Bottle, &["bouteille", "bouteilles", "bottle", "bottles"]),
    (Unit::Box, &["boite", "boites", "box", "boxes"]),
    (Unit::Portion, &["part", "parts", "portion", "portions"]),
];

/// Articles and prepositions before a unit, folded, with their space ("€/kg" folds to "eur kg").
const UNIT_PREFIXES: &[&str] = &["a la ", "a l ", "le ", "la ", "les ", "l ", "au ", "par ", "per ", "eur "];

/// A unit; empty is a piece.
fn parse_unit(written: &str) -> Result<Unit, RefusalReason> {
    if written.is_empty() {
        return Ok(Unit::Piece);
    }
    let folded = fold_words(written);
    let word = UNIT_PREFIXES.iter().find_map(|prefix| folded.strip_prefix(prefix)).unwrap_or(&folded);
    UNIT_WORDS
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(unit, _)| *unit)
        .ok_or_else(|| RefusalReason::UnknownUnit { value: written.to_owned() })
}

/// The allergen words, folded: the regulation's French and English names, their singulars, and the
/// foods it names under them (the cereals containing gluten, the nuts).
const ALLERGEN_WORDS: [(Allergen, &[&str]); 14] = [
    (
        Allergen::Gluten,
        &[
            "gluten",
            "cereales contenant du gluten",
            "ble",
            "seigle",
            "orge",
            "avoine",
            "epeautre",
            "kamut",
            "wheat",
            "rye",
            "barley",
            "oats",
            "spelt",
        ],
    ),
    (Allergen::Crustaceans, &["crustaces", "crustace", "crustaceans", "crustacean"]),
    (Allergen::Eggs, &["oeufs", "oeuf", "eggs", "egg"]),
    (Allergen::Fish, &["poisson", "poissons", "fish"]),
    (
        Allergen::Peanuts,
        &[
            "arachides",
            "arachide",
            "cacahuetes",
            "cacahuete",
            "cacahouetes",
            "cacahouete",
            "peanuts",
            "peanut",
        ],
    ),
    (Allergen::Soybeans, &["soja", "soy", "soya", "soybeans", "soybean"]),
    (Allergen::Milk, &["lait", "lactose", "produits laitiers", "milk", "dairy"]),
    (
        Allergen::Nuts,
        &[
            "fruits a coque",
            "fruit a coque",
            "noix",
            "amandes",
            "amande",
            "noisettes",
            "noisette",
            "noix de cajou",
            "noix de pecan",
            "noix de macadamia",
            "noix du bresil",
            "pistaches",
            "pistache",
            "nuts",
            "tree nuts",
            "almonds",
            "hazelnuts",
            "walnuts",
            "cashews",
            "pecans",
            "pistachios",
        ],
    ),
    (Allergen::Celery, &["celeri", "celery"]),
    (Allergen::Mustard, &["moutarde", "mustard"]),
    (Allergen::Sesame, &["sesame", "graines de sesame", "sesame seeds"]),
    (
        Allergen::Sulphites,
        &[
            "sulfites",
            "sulfite",
            "anhydride sulfureux",
            "sulphites",
            "sulphite",
            "sulphur dioxide",
            "sulfur dioxide",
        ],
    ),
    (Allergen::Lupin, &["lupin", "lupine"]),
    (Allergen::Molluscs, &["mollusques", "mollusque", "molluscs", "mollusc", "mollusks", "mollusk"]),
];

/// Words that say there is no allergen (folded).
const NO_ALLERGEN_WORDS: &[&str] = &["aucun", "aucune", "none", "neant", "sans", "no", "non"];

/// A list of allergens split on `,` `;` `/` `|` `+`, line breaks, "et" or "and"; sorted, without
/// duplicates.
fn parse_allergens(written: &str) -> Result<Vec<Allergen>, RefusalReason> {
    let mut allergens = Vec::new();
    for item in written.split([',', ';', '/', '|', '+', '\n']).map(str::trim) {
        let folded = fold_words(item);
        if folded.is_empty() || NO_ALLERGEN_WORDS.contains(&folded.as_str()) {
            continue;
        }
        for word in folded.split(" et ").flat_map(|part| part.split(" and ")) {
            let allergen = ALLERGEN_WORDS
                .iter()
                .find(|(_, words)| words.contains(&word))
                .map(|(allergen, _)| *allergen)
                .ok_or_else(|| RefusalReason::UnknownAllergen { value: item.to_owned() })?;
            allergens.push(allergen);
        }
    }
    allergens.sort_unstable();
    allergens.dedup();
    Ok(allergens)
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// A product as exported (the caller converts its stored products).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportProduct {
    /// The seller's code.
    pub reference: String,
    /// The name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The shelf.
    pub category: Option<String>,
    /// The unit of sale.
    pub unit: Unit,
    /// The price including VAT, in cents.
    pub price_cents: i64,
    /// The VAT rate in basis points.
    pub vat_rate_bp: Option<i64>,
    /// The units in stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Sold by weight.
    pub sold_by_weight: bool,
    /// The estimated weight of one piece, in grams.
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Carries the local label.
    pub local_label: bool,
    /// The allergens.
    pub allergens: Vec<Allergen>,
    /// The ingredients.
    pub ingredients: String,
}

/// The export's titles, in the order of [`Field::ALL`]; [`detect_mapping`] reads them back.
const EXPORT_HEADERS: [&str; 15] = [
    "Référence",
    "Désignation",
    "Description",
    "Catégorie",
    "Unité",
    "Prix TTC",
    "TVA",
    "Stock",
    "Disponible",
    "Vendu au poids",
    "Poids estimé (g)",
    "Bio",
    "Label local",
    "Allergènes",
    "Ingrédients",
];

/// Column widths of the XLSX export, in characters.
const EXPORT_COLUMN_WIDTHS: [f64; 15] =
    [14.0, 32.0, 40.0, 16.0, 10.0, 10.0, 8.0, 8.0, 11.0, 15.0, 16.0, 6.0, 12.0, 28.0, 40.0];

/// One exported cell, before it is written as CSV text or as an XLSX cell.
enum ExportCell {
    Text(String),
    /// Cents.
    Money(i64),
    /// Basis points.
    Rate(i64),
    Count(i64),
    Empty,
}

fn export_cells(item: &ExportProduct) -> [ExportCell; 15] {
    let text = |value: &str| ExportCell::Text(value.to_owned());
    let yes_no = |value: bool| text(if value { "oui" } else { "non" });
    let optional = |value: Option<i64>, cell: fn(i64) -> ExportCell| value.map_or(ExportCell::Empty, cell);
    let allergens: Vec<&str> = item.allergens.iter().map(|allergen| french_allergen(*allergen)).collect();
    [
        text(&item.reference),
        text(&item.name),
        text(&item.description),
        text(item.category.as_deref().unwrap_or_default()),
        text(french_unit(item.unit)),
        ExportCell::Money(item.price_cents),
        optional(item.vat_rate_bp, ExportCell::Rate),
        optional(item.stock, ExportCell::Count),
        yes_no(item.available),
        yes_no(item.sold_by_weight),
        optional(item.estimated_weight_g, ExportCell::Count),
        yes_no(item.organic),
        yes_no(item.local_label),
        ExportCell::Text(allergens.join(", ")),
        text(&item.ingredients),
    ]
}

/// The French word of a unit, as the import reads it back.
fn french_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Piece => "pièce",
        Unit::Kg => "kg",
        Unit::Grams100 => "100 g",
        Unit::Litre => "litre",
        Unit::Bunch => "botte",
        Unit::Tray => "barquette",
        Unit::Jar => "pot",
        Unit::Bottle => "bouteille",
        Unit::Box => "boîte",
        Unit::Portion => "part",
    }
}

/// The French name of an allergen, as the import reads it back.
fn french_allergen(allergen: Allergen) -> &'static str {
    match allergen {
        Allergen::Gluten => "gluten",
        Allergen::Crustaceans => "crustacés",
        Allergen::Eggs => "œufs",
        Allergen::Fish => "poisson",
        Allergen::Peanuts => "arachides",
        Allergen::Soybeans => "soja",
        Allergen::Milk => "lait",
        Allergen::Nuts => "fruits à coque",
        Allergen::Celery => "céleri",
        Allergen::Mustard => "moutarde",
        Allergen::Sesame => "sésame",
        Allergen::Sulphites => "sulfites",
        Allergen::Lupin => "lupin",
        Allergen::Molluscs => "mollusques",
    }
}

/// CSV as French Excel opens it with a double click: UTF-8 with BOM, `;` separator, CRLF line
/// ends, decimal comma, prices like "1,20" (no € sign, so Excel keeps a number), VAT like "5,5 %",
/// French titles (Référence;Désignation;Description;Catégorie;Unité;Prix TTC;TVA;Stock;Disponible;
/// Vendu au poids;Poids estimé (g);Bio;Label local;Allergènes;Ingrédients), units, yes/no and
/// allergens as French words. [`read_table`] reads it back without loss.
///
/// A text starting with `=`, `+`, `-` or `@` gets a leading `'` so that a spreadsheet does not run
/// it as a formula (plain numbers are left as they are); the import removes that `'`.
pub fn products_to_csv(items: &[ExportProduct]) -> Vec<u8> {
    let mut csv = String::from("\u{feff}");
    push_csv_line(&mut csv, EXPORT_HEADERS.iter().map(|header| Cow::Borrowed(*header)));
    for item in items {
        push_csv_line(&mut csv, export_cells(item).into_iter().map(csv_text));
    }
    csv.into_bytes()
}

fn csv_text(cell: ExportCell) -> Cow<'static, str> {
    match cell {
        ExportCell::Text(text) => Cow::Owned(guard_formula(text)),
        ExportCell::Money(cents) => Cow::Owned(french_hundredths(cents, false)),
        ExportCell::Rate(basis_points) => Cow::Owned(format!("{} %", french_hundredths(basis_points, true))),
        ExportCell::Count(count) => Cow::Owned(count.to_string()),
        ExportCell::Empty => Cow::Borrowed(""),
    }
}

/// `hundredths` / 100 with a decimal comma: "1,20"; with `trim`, no useless zeros ("5,5", "20").
fn french_hundredths(hundredths: i64, trim: bool) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let magnitude = hundredths.unsigned_abs();
    let fraction = format!("{:02}", magnitude % 100);
    let fraction = if trim { fraction.trim_end_matches('0') } else { &fraction };
    if fraction.is_empty() {
        format!("{sign}{}", magnitude / 100)
    } else {
        format!("{sign}{},{fraction}", magnitude / 100)
    }
}

/// Appends one CSV line: `;` separated, quoted when needed, CRLF.
fn push_csv_line<'cell>(csv: &mut String, cells: impl IntoIterator<Item = Cow<'cell, str>>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            csv.push(';');
        }
        let needs_quotes = cell.contains([';', '"', '\n', '\r', '\t'])
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

/// A text with a leading `'` when a spreadsheet would read it as a formula, or when it already
/// starts with `'` and a trigger (the import would otherwise take its `'` for the guard).
fn guard_formula(cell: String) -> String {
    if (cell.starts_with(FORMULA_TRIGGERS) && !is_plain_number(&cell)) || looks_guarded(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Optional sign, digits, optional decimal part: what a spreadsheet reads as a number, never as a
/// formula.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once([',', '.']).unwrap_or((unsigned, ""));
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
}

/// XLSX with the same titles and columns as [`products_to_csv`]: prices as numbers formatted
/// "0.00", VAT as percentages (the cell holds 0.055 and shows 5.5 %), stock and weight as numbers
/// (empty when unlimited or unknown), the rest as text cells. Text cells are never formulas, so
/// they need no guard; only a text that starts with `'` and a trigger gets one more `'`, which the
/// import removes. The title row is bold and frozen.
///
/// # Errors
///
/// The XLSX writer's message, e.g. for a text longer than a cell holds (32,767 characters).
pub fn products_to_xlsx(items: &[ExportProduct]) -> Result<Vec<u8>, String> {
    write_xlsx(items).map_err(|error| error.to_string())
}

fn write_xlsx(items: &[ExportProduct]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook, XlsxError};

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Catalogue")?;
    let title = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let rate = Format::new().set_num_format("0.0#%");
    let wrapped = Format::new().set_text_wrap();
    for (column, (header, width)) in (0_u16..).zip(EXPORT_HEADERS.iter().zip(EXPORT_COLUMN_WIDTHS)) {
        sheet.write_string_with_format(0, column, *header, &title)?;
        sheet.set_column_width(column, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (index, item) in items.iter().enumerate() {
        let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (column, cell) in (0_u16..).zip(export_cells(item)) {
            match cell {
                ExportCell::Text(text) if text.is_empty() => {}
                ExportCell::Text(text) => {
                    let text = if looks_guarded(&text) { format!("'{text}") } else { text };
                    if text.contains('\n') {
                        sheet.write_string_with_format(row, column, text, &wrapped)?;
                    } else {
                        sheet.write_string(row, column, text)?;
                    }
                }
                ExportCell::Money(cents) => {
                    sheet.write_number_with_format(row, column, cents as f64 / 100.0, &money)?;
                }
                ExportCell::Rate(basis_points) => {
                    sheet.write_number_with_format(row, column, basis_points as f64 / 10_000.0, &rate)?;
                }
                ExportCell::Count(count) => {
                    sheet.write_number(row, column, count as f64)?;
                }
                ExportCell::Empty => {}
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] = include_bytes!("../../../shared/fixtures/catalogue-boulangerie-excel-fr.csv");

    /// Reads, maps as detected and checks a file.
    fn import(bytes: &[u8]) -> ProductReport {
        let table = read_table(bytes).expect("the file should be readable");
        let mapping = detect_mapping(&table.headers);
        assert_eq!(check_mapping(&mapping), vec![], "headers: {:?}", table.headers);
        rows_to_products(&table, &mapping)
    }

    fn import_text(text: &str) -> ProductReport {
        import(text.as_bytes())
    }

    fn refusals(report: &ProductReport) -> Vec<(usize, RefusalReason)> {
        report.refused.iter().map(|refused| (refused.row, refused.reason.clone())).collect()
    }

    fn accepted<'report>(report: &'report ProductReport, reference: &str) -> &'report ProductRow {
        report
            .accepted
            .iter()
            .find(|product| product.reference == reference)
            .unwrap_or_else(|| panic!("{reference} should be accepted: {:?}", report.refused))
    }

    /// The product of a one-row file whose second column is `column` = `value`.
    fn single(column: &str, value: &str) -> ProductRow {
        let report = import_text(&format!("Référence;Désignation;Prix;{column}\nR1;Produit;1;\"{value}\"\n"));
        assert_eq!(report.refused, vec![], "{column} = {value:?} should be accepted");
        report.accepted[0].clone()
    }

    /// The reason a one-row file whose extra column is `column` = `value` is refused for.
    fn refusal(column: &str, value: &str) -> RefusalReason {
        let report = import_text(&format!("Référence;Désignation;Prix;{column}\nR1;Produit;1;\"{value}\"\n"));
        assert_eq!(report.accepted, vec![], "{column} = {value:?} should be refused");
        assert_eq!(report.refused.len(), 1);
        report.refused[0].reason.clone()
    }

    fn price_of(written: &str) -> Result<i64, RefusalReason> {
        let report = import_text(&format!("Référence;Désignation;Prix\nR1;Produit;\"{written}\"\n"));
        match report.accepted.first() {
            Some(product) => Ok(product.price_cents),
            None => Err(report.refused[0].reason.clone()),
        }
    }

    fn value(written: &str) -> String {
        written.to_owned()
    }

    // -- the French Excel fixture ------------------------------------------------------------

    #[test]
    fn the_french_excel_fixture_gives_eleven_products_and_five_refusals() {
        let report = import(FIXTURE);
        assert_eq!(report.accepted.len(), 11);
        assert_eq!(
            refusals(&report),
            vec![
                (13, RefusalReason::InvalidPrice { value: value("gratuit") }),
                (14, RefusalReason::NegativePrice { value: value("-12,00 €") }),
                (15, RefusalReason::DuplicateReference { reference: value("PAIN-01"), first_row: 2 }),
                (16, RefusalReason::MissingReference),
                (18, RefusalReason::InvalidStock { value: value("abc") }),
            ]
        );
        let rows: Vec<usize> = report.accepted.iter().map(|product| product.row).collect();
        assert_eq!(
            rows,
            vec![2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 17],
            "the blank row 9 counts, the two-line cell does not"
        );
    }

    #[test]
    fn the_fixture_is_decoded_from_windows_1252_and_its_columns_recognised() {
        let table = read_table(FIXTURE).expect("the fixture is readable");
        assert_eq!(
            table.headers,
            ["Référence", "Désignation", "Prix TTC", "Unité", "Stock", "Catégorie", "Description", "Bio"]
        );
        assert_eq!(
            detect_mapping(&table.headers),
            vec![
                Some(Field::Reference),
                Some(Field::Name),
                Some(Field::Price),
                Some(Field::Unit),
                Some(Field::Stock),
                Some(Field::Category),
                Some(Field::Description),
                Some(Field::Organic),
            ]
        );
    }

    #[test]
    fn the_fixture_values_are_read_exactly() {
        let report = import(FIXTURE);
        let baguette = accepted(&report, "PAIN-01");
        assert_eq!(baguette.row, 2);
        assert_eq!(baguette.name, "Baguette tradition");
        assert_eq!(baguette.price_cents, 120, "1,20 € is 120 cents");
        assert_eq!(baguette.unit, Unit::Piece);
        assert_eq!(baguette.stock, Some(120));
        assert_eq!(baguette.category.as_deref(), Some("Pains"));
        assert_eq!(baguette.description, "Farine Label Rouge, levain naturel");
        assert!(!baguette.organic);
        assert!(baguette.available, "available by default");
        assert_eq!(baguette.vat_rate_bp, None);

        assert_eq!(accepted(&report, "PAIN-02").description, "Seigle; froment");
        let cereales = accepted(&report, "PAIN-03");
        assert_eq!((cereales.price_cents, cereales.organic, cereales.description.as_str()), (360, true, ""));
        let tarte = accepted(&report, "PAT-01");
        assert_eq!(tarte.row, 7);
        assert_eq!(tarte.description, "Pommes du verger Lafont,\npâte brisée maison");
        assert_eq!(tarte.price_cents, 1450);
        assert_eq!(accepted(&report, "PAT-02").unit, Unit::Portion);
        let farine = accepted(&report, "EPI-01");
        assert_eq!((farine.row, farine.unit, farine.category.as_deref()), (10, Unit::Kg, Some("Épicerie")));
        assert_eq!(accepted(&report, "EPI-02").unit, Unit::Jar);
        let oeufs = accepted(&report, "EPI-03");
        assert_eq!((oeufs.name.as_str(), oeufs.unit), ("Œufs plein air x6", Unit::Box));
        let jus = accepted(&report, "BOIS-01");
        assert_eq!(jus.row, 17);
        assert_eq!(jus.stock, None, "an empty stock is unlimited");
        assert_eq!(jus.price_cents, 350, "spaces around the price are ignored");
        assert_eq!(jus.unit, Unit::Bottle);
        assert!(jus.organic);
    }

    #[test]
    fn the_same_data_in_utf8_with_bom_and_commas_gives_the_same_report() {
        let table = read_table(FIXTURE).expect("the fixture is readable");
        let quoted = |cell: &str| {
            if cell.contains([',', '"', '\n', ';']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_owned()
            }
        };
        let mut text = String::from("\u{feff}");
        text.push_str(&table.headers.iter().map(|cell| quoted(cell)).collect::<Vec<_>>().join(","));
        text.push('\n');
        let mut line = 1;
        for (row, cells) in &table.rows {
            while line + 1 < *row {
                text.push('\n'); // the blank row 9
                line += 1;
            }
            text.push_str(&cells.iter().map(|cell| quoted(cell)).collect::<Vec<_>>().join(","));
            text.push('\n');
            line += 1;
        }
        assert!(text.contains("PAIN-01,Baguette tradition,\"1,20 €\",pièce,120,Pains,"), "{text}");
        assert_eq!(import_text(&text), import(FIXTURE));
    }

    // -- reading -----------------------------------------------------------------------------

    #[test]
    fn tab_separated_text_is_read() {
        let report = import_text("Ref\tName\tPrice\nA1\tApple\t0.45\n");
        assert_eq!(accepted(&report, "A1").price_cents, 45);
    }

    #[test]
    fn blank_rows_are_skipped_but_counted() {
        let table =
            read_table("Réf;Nom;Prix\n\n;;\nA;Pomme;1\n   \nB;Poire;2\n".as_bytes()).expect("readable");
        let rows: Vec<usize> = table.rows.iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, vec![4, 6]);
        assert_eq!(rows_to_products(&table, &detect_mapping(&table.headers)).refused, vec![]);
    }

    #[test]
    fn every_row_is_as_wide_as_the_widest() {
        let table = read_table("Réf;Nom;Prix;;\nA;Pomme;1\nB;Poire;2;;note;\n".as_bytes()).expect("readable");
        assert_eq!(table.headers, ["Réf", "Nom", "Prix", "", ""]);
        assert_eq!(table.rows[0].1, ["A", "Pomme", "1", "", ""]);
        assert_eq!(table.rows[1].1, ["B", "Poire", "2", "", "note"]);
    }

    #[test]
    fn the_formula_guard_is_removed_on_import() {
        let table =
            read_table("Réf;Nom;Prix\nA;'=SOMME(1);1\nB;'-5 %;1\nC;'abc;1\n".as_bytes()).expect("readable");
        let names: Vec<&str> = table.rows.iter().map(|(_, cells)| cells[1].as_str()).collect();
        assert_eq!(names, ["=SOMME(1)", "-5 %", "'abc"]);
    }

    #[test]
    fn empty_files_are_refused_as_empty() {
        for bytes in [&b""[..], b"   \r\n\n", "\u{feff}".as_bytes(), "\u{feff}\n;;\n".as_bytes()] {
            assert_eq!(read_table(bytes), Err(SheetError::Empty), "{bytes:?}");
        }
    }

    #[test]
    fn a_file_with_titles_only_has_no_data() {
        assert_eq!(read_table("Référence;Désignation;Prix\n;;\n".as_bytes()), Err(SheetError::NoData));
    }

    #[test]
    fn binary_files_and_broken_workbooks_are_unreadable() {
        assert!(matches!(read_table(b"%PDF-1.7\n\0\0\x01binary"), Err(SheetError::Unreadable(_))));
        assert!(matches!(read_table(b"PK\x03\x04 not really a zip"), Err(SheetError::Unreadable(_))));
    }

    #[test]
    fn a_csv_longer_than_the_limit_is_too_large() {
        let mut text = String::from("Réf;Nom;Prix\n");
        for index in 0..MAX_ROWS {
            text.push_str(&format!("R{index};Produit;1\n"));
        }
        assert_eq!(read_table(text.as_bytes()), Err(SheetError::TooLarge { max_rows: MAX_ROWS }));
    }

    #[test]
    fn numbers_are_shown_with_fifteen_significant_digits() {
        let cases = [
            (1.2, "1.2"),
            (0.1 + 0.2, "0.3"),
            (3.5000000000000004, "3.5"),
            (120.0, "120"),
            (-12.0, "-12"),
            (0.055, "0.055"),
            (0.0, "0"),
            (-0.0, "0"),
            (1234567.89, "1234567.89"),
            (4006381333931.0, "4006381333931"),
            (0.000125, "0.000125"),
            (-2.5, "-2.5"),
            (1e20, "100000000000000000000"),
            (9.999999999999999, "10"),
        ];
        for (number, shown) in cases {
            assert_eq!(number_text(number), shown, "{number:?}");
        }
    }

    // -- XLSX and ODS ------------------------------------------------------------------------

    /// A workbook as a baker would make it: numeric cells, a percentage cell, a boolean, a blank
    /// row, a second sheet that is not read.
    fn baker_workbook() -> Vec<u8> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, title) in
            (0_u16..).zip(["Réf.", "Produit", "Prix (€)", "Unité", "Qté", "TVA", "Bio", "Description"])
        {
            sheet.write_string(0, column, title).unwrap();
        }
        let euros = Format::new().set_num_format("#,##0.00 €");
        let percent = Format::new().set_num_format("0.0%");
        sheet.write_string(1, 0, "PAIN-01").unwrap();
        sheet.write_string(1, 1, "Baguette tradition").unwrap();
        sheet.write_number_with_format(1, 2, 1.2, &euros).unwrap();
        sheet.write_string(1, 3, "pièce").unwrap();
        sheet.write_number(1, 4, 120).unwrap();
        sheet.write_number_with_format(1, 5, 0.055, &percent).unwrap();
        sheet.write_boolean(1, 6, false).unwrap();
        sheet.write_string(1, 7, "Levain naturel,\nfarine Label Rouge").unwrap();
        // Row 3 blank.
        sheet.write_number(3, 0, 4006381333931.0).unwrap();
        sheet.write_string(3, 1, "Sirop d'érable").unwrap();
        sheet.write_number(3, 2, 0.1 + 0.2).unwrap();
        sheet.write_string(3, 3, "bouteille").unwrap();
        sheet.write_number(3, 4, 12.0).unwrap();
        sheet.write_number(3, 5, 20).unwrap();
        sheet.write_boolean(3, 6, true).unwrap();
        sheet.write_string(4, 0, "'=FAUX()").unwrap();
        sheet.write_string(4, 1, "Gratuit").unwrap();
        sheet.write_string(4, 2, "gratuit").unwrap();
        workbook.add_worksheet().write_string(0, 0, "second sheet").unwrap();
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_workbook_is_read_with_exact_numbers() {
        let table = read_table(&baker_workbook()).expect("the workbook is readable");
        assert_eq!(
            table.headers,
            ["Réf.", "Produit", "Prix (€)", "Unité", "Qté", "TVA", "Bio", "Description"]
        );
        assert_eq!(
            table.rows[0],
            (
                2,
                vec![
                    value("PAIN-01"),
                    value("Baguette tradition"),
                    value("1.2"),
                    value("pièce"),
                    value("120"),
                    value("0.055"),
                    value("FAUX"),
                    value("Levain naturel,\nfarine Label Rouge"),
                ]
            )
        );
        assert_eq!(table.rows[1].0, 4, "the blank row 3 counts");
        assert_eq!(table.rows[1].1[..3], [value("4006381333931"), value("Sirop d'érable"), value("0.3")]);

        let report = rows_to_products(&table, &detect_mapping(&table.headers));
        let baguette = accepted(&report, "PAIN-01");
        assert_eq!(baguette.price_cents, 120, "the numeric cell 1.2 is 120 cents exactly");
        assert_eq!(baguette.stock, Some(120));
        assert_eq!(baguette.vat_rate_bp, Some(550), "a 5.5 % percentage cell holds 0.055");
        assert!(!baguette.organic);
        let sirop = accepted(&report, "4006381333931");
        assert_eq!((sirop.row, sirop.price_cents, sirop.stock), (4, 30, Some(12)));
        assert_eq!(sirop.vat_rate_bp, Some(2000));
        assert!(sirop.organic);
        assert_eq!(refusals(&report), vec![(5, RefusalReason::InvalidPrice { value: value("gratuit") })]);
    }

    /// A workbook with a title and one more cell.
    fn workbook_with_a_cell_at(row: u32, column: u16) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Référence").unwrap();
        sheet.write_string(row, column, "far away").unwrap();
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn stray_xlsx_cells_far_away_allocate_nothing() {
        // calamine's whole-sheet reader would allocate the 17 billion cells between A1 and XFD1048576.
        assert_eq!(read_table(&workbook_with_a_cell_at(1_048_575, 16_383)), Err(SheetError::NoData));
        assert_eq!(
            read_table(&workbook_with_a_cell_at(1, 16_383)),
            Err(SheetError::NoData),
            "far right is ignored"
        );
        let too_low = u32::try_from(MAX_ROWS).unwrap();
        assert_eq!(
            read_table(&workbook_with_a_cell_at(too_low, 0)),
            Err(SheetError::TooLarge { max_rows: MAX_ROWS })
        );
        assert!(read_table(&workbook_with_a_cell_at(too_low - 1, 0)).is_ok(), "the last row read");
    }

    #[test]
    fn an_xlsx_with_only_an_empty_sheet_is_empty() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet();
        assert_eq!(read_table(&workbook.save_to_buffer().unwrap()), Err(SheetError::Empty));
    }

    /// A zip archive with the entries stored uncompressed, as an ODS needs no more.
    fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0_u32;
            for &byte in bytes {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
            !crc
        }
        let mut archive = Vec::new();
        let mut directory = Vec::new();
        for (name, data) in entries {
            let offset = u32::try_from(archive.len()).unwrap();
            let (crc, size, name_length) =
                (crc32(data), u32::try_from(data.len()).unwrap(), u16::try_from(name.len()).unwrap());
            // version 2.0, no flags, stored, time 00:00, date 1980-01-01
            let common = [
                &20_u16.to_le_bytes()[..],
                &0_u16.to_le_bytes(),
                &0_u16.to_le_bytes(),
                &0_u16.to_le_bytes(),
                &0x21_u16.to_le_bytes(),
                &crc.to_le_bytes(),
                &size.to_le_bytes(),
                &size.to_le_bytes(),
                &name_length.to_le_bytes(),
                &0_u16.to_le_bytes(),
            ]
            .concat();
            archive.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
            archive.extend_from_slice(&common);
            archive.extend_from_slice(name.as_bytes());
            archive.extend_from_slice(data);
            directory.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
            directory.extend_from_slice(&20_u16.to_le_bytes());
            directory.extend_from_slice(&common);
            // comment length, disk, internal and external attributes
            directory.extend_from_slice(&[0; 2 + 2 + 2 + 4]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let (directory_offset, directory_size) =
            (u32::try_from(archive.len()).unwrap(), u32::try_from(directory.len()).unwrap());
        let count = u16::try_from(entries.len()).unwrap();
        archive.extend_from_slice(&directory);
        archive.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
        archive.extend_from_slice(&[0; 4]);
        archive.extend_from_slice(&count.to_le_bytes());
        archive.extend_from_slice(&count.to_le_bytes());
        archive.extend_from_slice(&directory_size.to_le_bytes());
        archive.extend_from_slice(&directory_offset.to_le_bytes());
        archive.extend_from_slice(&0_u16.to_le_bytes());
        archive
    }

    /// An ODS as LibreOffice writes it: typed cells (float, currency, percentage, boolean), a
    /// two-paragraph text cell, and the repeated empty rows and columns that fill the sheet.
    fn libreoffice_workbook() -> Vec<u8> {
        let text = |paragraphs: &[&str]| {
            let paragraphs: String =
                paragraphs.iter().map(|text| format!("<text:p>{text}</text:p>")).collect();
            format!(r#"<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>"#)
        };
        let number = |kind: &str, value: &str, shown: &str| {
            format!(
                r#"<table:table-cell office:value-type="{kind}" office:value="{value}"><text:p>{shown}</text:p></table:table-cell>"#
            )
        };
        let yes = r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>VRAI</text:p></table:table-cell>"#;
        let empty_cells =
            |count: usize| format!(r#"<table:table-cell table:number-columns-repeated="{count}"/>"#);
        let row = |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
        let empty_rows = |count: usize| {
            format!(
                r#"<table:table-row table:number-rows-repeated="{count}">{}</table:table-row>"#,
                empty_cells(1024)
            )
        };
        let titles = ["Référence", "Désignation", "Prix TTC", "Unité", "Stock", "TVA", "Bio", "Description"];
        let sheet = [
            row(&titles.map(|title| text(&[title]))),
            row(&[
                text(&["VIEN-01"]),
                text(&["Croissant pur beurre"]),
                number("currency", "1.15", "1,15 €"),
                text(&["pièce"]),
                number("float", "200", "200"),
                number("percentage", "0.055", "5,50 %"),
                yes.to_owned(),
                text(&["Beurre AOP", "Charentes-Poitou"]),
                empty_cells(1016),
            ]),
            empty_rows(2),
            row(&[
                text(&["VIEN-02"]),
                text(&["Pain au chocolat"]),
                number("float", "1.25", "1,25"),
                empty_cells(1021),
            ]),
            empty_rows(1_048_571),
        ]
        .concat();
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content office:version="1.3"
  xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet><table:table table:name="Produits">
<table:table-column table:number-columns-repeated="1024"/>{sheet}</table:table>
</office:spreadsheet></office:body></office:document-content>"#
        );
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
  <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
  <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
        stored_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.as_bytes()),
            ("META-INF/manifest.xml", manifest.as_bytes()),
        ])
    }

    #[test]
    fn an_ods_workbook_is_read_with_exact_numbers() {
        let table = read_table(&libreoffice_workbook()).expect("the workbook is readable");
        assert_eq!(table.headers.len(), 8, "the repeated empty columns are dropped");
        assert_eq!(table.rows.len(), 2, "the repeated empty rows are dropped");
        let report = rows_to_products(&table, &detect_mapping(&table.headers));
        assert_eq!(report.refused, vec![]);
        let croissant = accepted(&report, "VIEN-01");
        assert_eq!(croissant.row, 2);
        assert_eq!(croissant.price_cents, 115);
        assert_eq!(croissant.stock, Some(200));
        assert_eq!(croissant.vat_rate_bp, Some(550));
        assert!(croissant.organic);
        assert_eq!(croissant.description, "Beurre AOP\nCharentes-Poitou");
        let pain_au_chocolat = accepted(&report, "VIEN-02");
        assert_eq!((pain_au_chocolat.row, pain_au_chocolat.price_cents), (5, 125));
    }

    // -- mapping -----------------------------------------------------------------------------

    fn detected(header: &str) -> Option<Field> {
        detect_mapping(&[header.to_owned()])[0]
    }

    #[test]
    fn usual_french_and_english_headers_are_recognised() {
        let cases = [
            (Field::Reference, &["Référence", "Ref", "RÉF.", "SKU", "Code", "Code article", "reference"][..]),
            (Field::Name, &["Désignation", "Nom", "Produit", "Libellé", "Name", "Product", "nom du produit"]),
            (Field::Description, &["Description", "Descriptif"]),
            (Field::Category, &["Catégorie", "Rayon", "Famille", "Category"]),
            (Field::Unit, &["Unité", "Unit", "Conditionnement", "Unité de vente"]),
            (Field::Price, &["Prix", "Prix TTC", "Prix de vente", "Tarif", "Price", "Prix TTC (€)", "PRIX"]),
            (Field::VatRate, &["TVA", "Taux TVA", "Taux de TVA", "VAT", "TVA (%)"]),
            (Field::Stock, &["Stock", "Quantité", "Qté", "Qty", "Quantity"]),
            (Field::Available, &["Disponible", "Actif", "En vente", "Available"]),
            (Field::SoldByWeight, &["Vendu au poids", "Au poids", "By weight"]),
            (Field::EstimatedWeight, &["Poids estimé", "Poids (g)", "Weight", "Poids estimé (g)"]),
            (Field::Organic, &["Bio", "AB", "Organic"]),
            (Field::LocalLabel, &["Label local", "Label", "local label"]),
            (Field::Allergens, &["Allergènes", "Allergens", "ALLERGENES"]),
            (Field::Ingredients, &["Ingrédients", "Composition", "Ingredients"]),
        ];
        for (field, headers) in cases {
            for header in headers {
                assert_eq!(detected(header), Some(field), "{header}");
            }
        }
        for header in ["PV", "", "Prix HT", "Fournisseur", "Commentaire"] {
            assert_eq!(detected(header), None, "{header}");
        }
    }

    #[test]
    fn no_header_alias_belongs_to_two_fields() {
        let mut seen = HashMap::new();
        for field in Field::ALL {
            for alias in field.header_aliases() {
                assert_eq!(fold_header(alias), *alias, "aliases are written folded");
                if let Some(other) = seen.insert(*alias, field) {
                    panic!("{alias} means both {other:?} and {field:?}");
                }
            }
        }
    }

    #[test]
    fn the_most_specific_header_wins_and_the_other_is_ignored() {
        let headers = ["Prix", "Réf", "Prix TTC", "Nom", "Prix"].map(str::to_owned);
        assert_eq!(
            detect_mapping(&headers),
            vec![None, Some(Field::Reference), Some(Field::Price), Some(Field::Name), None]
        );
    }

    #[test]
    fn a_column_the_detection_missed_can_be_mapped_by_the_person() {
        let table = read_table("Réf;Nom;PV\nA1;Pomme;0,45 €\n".as_bytes()).expect("readable");
        let mut mapping = detect_mapping(&table.headers);
        assert_eq!(mapping, vec![Some(Field::Reference), Some(Field::Name), None]);
        assert_eq!(check_mapping(&mapping), vec![(Field::Price, MAPPING_MISSING)]);
        mapping[2] = Some(Field::Price);
        assert_eq!(check_mapping(&mapping), vec![]);
        let report = rows_to_products(&table, &mapping);
        assert_eq!(accepted(&report, "A1").price_cents, 45);
    }

    #[test]
    fn check_mapping_reports_missing_required_fields_and_fields_mapped_twice() {
        assert_eq!(
            check_mapping(&vec![None, Some(Field::Stock)]),
            vec![
                (Field::Reference, MAPPING_MISSING),
                (Field::Name, MAPPING_MISSING),
                (Field::Price, MAPPING_MISSING)
            ]
        );
        let mapping = vec![
            Some(Field::Reference),
            Some(Field::Name),
            Some(Field::Price),
            Some(Field::Name),
            Some(Field::Organic),
            Some(Field::Organic),
            None,
        ];
        assert_eq!(
            check_mapping(&mapping),
            vec![(Field::Name, MAPPING_TWICE), (Field::Organic, MAPPING_TWICE)]
        );
        assert_eq!((MAPPING_MISSING, MAPPING_TWICE), ("catalog.mapping.missing", "catalog.mapping.twice"));
    }

    #[test]
    fn a_mapping_shorter_than_the_table_ignores_the_other_columns() {
        let table = read_table("Réf;Nom;Prix;Stock\nA1;Pomme;1;abc\n".as_bytes()).expect("readable");
        let mapping = vec![Some(Field::Reference), Some(Field::Name), Some(Field::Price)];
        assert_eq!(rows_to_products(&table, &mapping).accepted[0].stock, None);
    }

    #[test]
    fn fields_have_names_and_label_keys() {
        for field in Field::ALL {
            assert_eq!(Field::parse(field.as_str()), Some(field));
            assert_eq!(field.label_key(), format!("catalog.field.{}", field.as_str()));
            assert_eq!(serde_json::to_value(field).unwrap(), field.as_str());
        }
        assert_eq!(Field::parse("price_cents"), None);
        assert_eq!(Field::ALL.iter().filter(|field| field.is_required()).count(), 3);
    }

    // -- values ------------------------------------------------------------------------------

    #[test]
    fn prices_are_read_to_the_cent_exactly() {
        let cases = [
            ("1,20 €", 120),
            ("1.20", 120),
            ("  3,50 €  ", 350),
            ("1 234,50", 123_450),
            ("1\u{a0}234,50 €", 123_450),
            ("1\u{202f}234,5", 123_450),
            ("1.234,50", 123_450),
            ("1,234.50", 123_450),
            ("12€", 1200),
            ("€ 3", 300),
            ("3 EUR", 300),
            ("2 euros", 200),
            ("0", 0),
            ("0,00 €", 0),
            ("-0", 0),
            (",5", 50),
            ("7.", 700),
            ("+4,1", 410),
            ("0.3", 30),
            ("19,99", 1999),
            ("123456789012,34", 12_345_678_901_234),
        ];
        for (written, cents) in cases {
            assert_eq!(price_of(written), Ok(cents), "{written}");
        }
    }

    #[test]
    fn unreadable_and_negative_prices_are_refused() {
        for written in [
            "gratuit",
            "1,234",
            "1,2,3",
            "1.2.3",
            "12,5 kg",
            "€",
            "-",
            "1 2 3,4,5",
            "0x10",
            "1e3",
            "12.345,6.7",
        ] {
            assert_eq!(
                price_of(written),
                Err(RefusalReason::InvalidPrice { value: value(written) }),
                "{written}"
            );
        }
        for written in ["-12,00 €", "-0,01", "\u{2212}3"] {
            assert_eq!(
                price_of(written),
                Err(RefusalReason::NegativePrice { value: value(written) }),
                "{written}"
            );
        }
        assert_eq!(price_of(""), Err(RefusalReason::MissingPrice));
        assert_eq!(
            price_of("99999999999999999999"),
            Err(RefusalReason::InvalidPrice { value: value("99999999999999999999") })
        );
    }

    #[test]
    fn units_are_read_in_french_and_english() {
        let cases = [
            ("pièce", Unit::Piece),
            ("Piece", Unit::Piece),
            ("pc", Unit::Piece),
            ("u", Unit::Piece),
            ("Unité", Unit::Piece),
            ("la pièce", Unit::Piece),
            ("", Unit::Piece),
            ("kg", Unit::Kg),
            ("KG", Unit::Kg),
            ("kilo", Unit::Kg),
            ("le kg", Unit::Kg),
            ("€/kg", Unit::Kg),
            ("100 g", Unit::Grams100),
            ("100g", Unit::Grams100),
            ("les 100 g", Unit::Grams100),
            ("l", Unit::Litre),
            ("L", Unit::Litre),
            ("litre", Unit::Litre),
            ("botte", Unit::Bunch),
            ("barquette", Unit::Tray),
            ("pot", Unit::Jar),
            ("bouteille", Unit::Bottle),
            ("boîte", Unit::Box),
            ("boite", Unit::Box),
            ("box", Unit::Box),
            ("part", Unit::Portion),
            ("portion", Unit::Portion),
        ];
        for (written, unit) in cases {
            assert_eq!(single("Unité", written).unit, unit, "{written}");
        }
        for unit in Unit::ALL {
            assert_eq!(single("Unité", unit.as_str()).unit, unit, "{}", unit.as_str());
        }
        assert_eq!(refusal("Unité", "sachet"), RefusalReason::UnknownUnit { value: value("sachet") });
    }

    #[test]
    fn stock_is_a_whole_number_or_unlimited() {
        let cases = [
            ("", None),
            ("12", Some(12)),
            ("12,0", Some(12)),
            ("0", Some(0)),
            ("1 200", Some(1200)),
            ("illimité", None),
        ];
        for (written, stock) in cases {
            assert_eq!(single("Stock", written).stock, stock, "{written:?}");
        }
        for written in ["abc", "-1", "1,5", "12 pièces"] {
            assert_eq!(
                refusal("Stock", written),
                RefusalReason::InvalidStock { value: value(written) },
                "{written}"
            );
        }
    }

    #[test]
    fn vat_rates_are_read_in_basis_points() {
        let cases = [
            ("", None),
            ("5,5 %", Some(550)),
            ("5.5", Some(550)),
            ("20", Some(2000)),
            ("20%", Some(2000)),
            ("2,1", Some(210)),
            ("10 %", Some(1000)),
            ("1,05 %", Some(105)),
            ("0,9 %", Some(90)),
            ("0", Some(0)),
            ("0,055", Some(550)),
            ("0.2", Some(2000)),
            ("0,009", Some(90)),
            ("5,50 %", Some(550)),
        ];
        for (written, basis_points) in cases {
            assert_eq!(single("TVA", written).vat_rate_bp, basis_points, "{written:?}");
        }
        for written in ["abc", "-5", "0,9", "55", "5,555 %", "20 % HT"] {
            assert_eq!(
                refusal("TVA", written),
                RefusalReason::InvalidVat { value: value(written) },
                "{written}"
            );
        }
    }

    #[test]
    fn yes_and_no_in_every_usual_form() {
        for written in ["oui", "Oui", "OUI", "yes", "x", "X", "1", "vrai", "VRAI", "true"] {
            assert!(single("Bio", written).organic, "{written}");
        }
        for written in ["non", "no", "0", "faux", "FAUX", "false", ""] {
            assert!(!single("Bio", written).organic, "{written:?}");
        }
        assert!(single("Disponible", "").available, "available by default");
        assert!(!single("Disponible", "non").available);
        assert!(single("Vendu au poids", "oui").sold_by_weight);
        assert!(single("Label local", "x").local_label);
        assert_eq!(
            refusal("Bio", "peut-être"),
            RefusalReason::UnknownYesNo { field: "organic", value: value("peut-être") }
        );
    }

    #[test]
    fn allergens_are_read_from_french_and_english_lists() {
        assert_eq!(
            single("Allergènes", "Gluten, lait; œufs / fruits à coque").allergens,
            vec![Allergen::Gluten, Allergen::Eggs, Allergen::Milk, Allergen::Nuts]
        );
        assert_eq!(
            single("Allergens", "sesame, mustard, celery, soy, peanuts").allergens,
            vec![
                Allergen::Peanuts,
                Allergen::Soybeans,
                Allergen::Celery,
                Allergen::Mustard,
                Allergen::Sesame
            ]
        );
    }

    #[test]
    fn every_allergen_is_read_by_its_french_and_english_name() {
        for allergen in Allergen::ALL {
            assert_eq!(single("Allergènes", french_allergen(allergen)).allergens, vec![allergen]);
            assert_eq!(single("Allergènes", allergen.as_str()).allergens, vec![allergen]);
        }
        let french = "gluten, crustacés, œufs, poisson, arachides, soja, lait, fruits à coque, céleri, moutarde, sésame, sulfites, lupin, mollusques";
        assert_eq!(single("Allergènes", french).allergens, Allergen::ALL.to_vec());
        assert_eq!(
            single("Allergènes", "Blé, seigle et LAIT, lait").allergens,
            vec![Allergen::Gluten, Allergen::Milk]
        );
        assert_eq!(single("Allergènes", "aucun").allergens, vec![]);
        assert_eq!(single("Allergènes", "").allergens, vec![]);
        assert_eq!(
            refusal("Allergènes", "lait, chocolat"),
            RefusalReason::UnknownAllergen { value: value("chocolat") }
        );
    }

    #[test]
    fn estimated_weights_are_whole_grams() {
        let cases = [
            ("", None),
            ("250", Some(250)),
            ("250 g", Some(250)),
            ("250g", Some(250)),
            ("0,25 kg", Some(250)),
            ("1,2kg", Some(1200)),
            ("250,0", Some(250)),
        ];
        for (written, grams) in cases {
            assert_eq!(single("Poids estimé (g)", written).estimated_weight_g, grams, "{written:?}");
        }
        for written in ["abc", "0", "-3", "250,5", "0,2505 kg", "2 livres"] {
            assert_eq!(
                refusal("Poids", written),
                RefusalReason::InvalidWeight { value: value(written) },
                "{written}"
            );
        }
    }

    #[test]
    fn a_reference_twice_is_refused_regardless_of_case_but_a_refused_row_blocks_nothing() {
        let report = import_text(
            "Réf;Nom;Prix\n pain-01 ;Baguette;gratuit\nPAIN-01;Baguette;1\npain-01;Baguette bis;1\n",
        );
        assert_eq!(accepted(&report, "PAIN-01").row, 3);
        assert_eq!(
            refusals(&report),
            vec![
                (2, RefusalReason::InvalidPrice { value: value("gratuit") }),
                (4, RefusalReason::DuplicateReference { reference: value("pain-01"), first_row: 3 }),
            ]
        );
    }

    #[test]
    fn missing_names_and_texts_too_long_are_refused() {
        let report = import_text("Réf;Nom;Prix\nA;;1\n");
        assert_eq!(refusals(&report), vec![(2, RefusalReason::MissingName)]);
        let limits = [
            (Field::Reference, 64),
            (Field::Name, 200),
            (Field::Category, 80),
            (Field::Description, 5000),
            (Field::Ingredients, 5000),
        ];
        for (field, max) in limits {
            // Columns: reference, name, price, then the text under test, which feeds `field`.
            let mut mapping =
                vec![Some(Field::Reference), Some(Field::Name), Some(Field::Price), Some(field)];
            if let Some(base) = mapping[..3].iter().position(|mapped| *mapped == Some(field)) {
                mapping[base] = None;
            }
            let table_with = |text: String| Table {
                headers: vec![String::new(); 4],
                rows: vec![(2, vec![value("R"), value("N"), value("1"), text])],
            };
            let too_long = rows_to_products(&table_with("é".repeat(max + 1)), &mapping);
            assert_eq!(
                refusals(&too_long),
                vec![(2, RefusalReason::TooLong { field: field.as_str(), max })],
                "{field:?}"
            );
            assert_eq!(rows_to_products(&table_with("é".repeat(max)), &mapping).refused, vec![], "{field:?}");
        }
    }

    #[test]
    fn every_refusal_reason_has_a_french_and_an_english_sentence() {
        let reasons = [
            (RefusalReason::MissingReference, "référence manquante", "reference missing"),
            (RefusalReason::MissingName, "désignation manquante", "name missing"),
            (RefusalReason::MissingPrice, "prix manquant", "price missing"),
            (
                RefusalReason::InvalidPrice { value: value("gratuit") },
                "prix illisible : « gratuit »",
                "unreadable price: \"gratuit\"",
            ),
            (
                RefusalReason::NegativePrice { value: value("-12,00 €") },
                "prix négatif : -12,00 €",
                "negative price: -12,00 €",
            ),
            (
                RefusalReason::InvalidStock { value: value("abc") },
                "stock illisible : « abc »",
                "unreadable stock: \"abc\"",
            ),
            (
                RefusalReason::DuplicateReference { reference: value("PAIN-01"), first_row: 2 },
                "référence PAIN-01 déjà utilisée ligne 2",
                "reference PAIN-01 already used on row 2",
            ),
            (
                RefusalReason::TooLong { field: "name", max: 200 },
                "texte trop long pour la désignation (200 caractères au plus)",
                "text too long for the name (at most 200 characters)",
            ),
            (
                RefusalReason::UnknownYesNo { field: "organic", value: value("bof") },
                "oui ou non est attendu pour « bio » : « bof »",
                "yes or no is expected for \"organic\": \"bof\"",
            ),
        ];
        for (reason, french, english) in reasons {
            assert_eq!((reason.french(), reason.english()), (french.to_owned(), english.to_owned()));
        }
        let with_value = [
            RefusalReason::UnknownUnit { value: value("sachet") },
            RefusalReason::InvalidVat { value: value("sachet") },
            RefusalReason::UnknownAllergen { value: value("sachet") },
            RefusalReason::InvalidWeight { value: value("sachet") },
        ];
        for reason in with_value {
            assert!(reason.french().contains("« sachet »"), "{}", reason.french());
            assert!(reason.english().contains("\"sachet\""), "{}", reason.english());
        }
        let absurd = RefusalReason::InvalidPrice { value: "9".repeat(500) };
        assert!(absurd.french().chars().count() < 120, "a long value is cut in the message");
    }

    #[test]
    fn sheet_errors_read_in_french_and_english() {
        assert_eq!(SheetError::Empty.to_string(), "le fichier est vide");
        assert_eq!(SheetError::Empty.english(), "the file is empty");
        assert!(SheetError::NoData.to_string().contains("ligne des titres"));
        assert!(SheetError::Unreadable(value("zip")).to_string().contains("(zip)"));
        assert!(SheetError::TooLarge { max_rows: MAX_ROWS }.to_string().contains("20000 lignes"));
        assert!(SheetError::TooLarge { max_rows: MAX_ROWS }.english().contains("20000 lines"));
    }

    #[test]
    fn the_report_serialises_for_the_web_layer() {
        let report = import(FIXTURE);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["accepted"][0]["unit"], "piece");
        assert_eq!(json["accepted"][0]["price_cents"], 120);
        assert_eq!(json["refused"][2]["row"], 15);
        assert_eq!(json["refused"][2]["reason"]["code"], "duplicate_reference");
        assert_eq!(json["refused"][2]["reason"]["first_row"], 2);
        let table = read_table(FIXTURE).unwrap();
        let stored: Table = serde_json::from_value(serde_json::to_value(&table).unwrap()).unwrap();
        assert_eq!(stored, table, "the table can wait in a session between upload and confirmation");
    }

    // -- export ------------------------------------------------------------------------------

    fn baguette() -> ExportProduct {
        ExportProduct {
            reference: value("PAIN-01"),
            name: value("Baguette tradition"),
            description: value("Farine Label Rouge, levain naturel"),
            category: Some(value("Pains")),
            unit: Unit::Piece,
            price_cents: 120,
            vat_rate_bp: Some(550),
            stock: Some(120),
            available: true,
            sold_by_weight: false,
            estimated_weight_g: Some(250),
            organic: false,
            local_label: true,
            allergens: vec![Allergen::Gluten],
            ingredients: value("farine de blé, eau, levain, sel"),
        }
    }

    /// Products that use every value the export can write.
    fn varied_products() -> Vec<ExportProduct> {
        let mut products = vec![baguette()];
        for (index, unit) in Unit::ALL.into_iter().enumerate() {
            let index_i64 = i64::try_from(index).unwrap();
            products.push(ExportProduct {
                reference: format!("R-{index:03}"),
                name: format!("Produit « {} » n°{index}", french_unit(unit)),
                description: value("Deux lignes ;\n\"guillemets\", virgules, tabulation\tet fin."),
                category: (index % 2 == 0).then(|| value("Épicerie fine")),
                unit,
                price_cents: [0, 1, 5, 10, 99, 100, 1999, 123_450, 1_000_000, 7][index],
                vat_rate_bp: [
                    None,
                    Some(0),
                    Some(90),
                    Some(105),
                    Some(210),
                    Some(550),
                    Some(850),
                    Some(1000),
                    Some(1300),
                    Some(2000),
                ][index],
                stock: if index % 3 == 0 { None } else { Some(index_i64 * 7) },
                available: index % 2 == 1,
                sold_by_weight: index % 3 == 1,
                estimated_weight_g: (index % 4 == 0).then_some(index_i64 * 100 + 50),
                organic: index % 5 == 0,
                local_label: index % 2 == 0,
                allergens: Allergen::ALL.into_iter().skip(index).step_by(3).collect(),
                ingredients: if index == 3 { String::new() } else { value("sucre, œufs; farine T65") },
            });
        }
        products.push(ExportProduct {
            reference: value("=HYPERLINK(\"x\")"),
            name: value("-20 % sur le pain"),
            description: value("@moi +33 6 00 00 00 00"),
            category: Some(value("'=déjà gardé")),
            ingredients: value("'-moins"),
            allergens: Allergen::ALL.to_vec(),
            ..baguette()
        });
        products.push(ExportProduct { reference: value("00123"), name: value("+33"), ..baguette() });
        products
    }

    fn as_exported(product: &ProductRow) -> ExportProduct {
        ExportProduct {
            reference: product.reference.clone(),
            name: product.name.clone(),
            description: product.description.clone(),
            category: product.category.clone(),
            unit: product.unit,
            price_cents: product.price_cents,
            vat_rate_bp: product.vat_rate_bp,
            stock: product.stock,
            available: product.available,
            sold_by_weight: product.sold_by_weight,
            estimated_weight_g: product.estimated_weight_g,
            organic: product.organic,
            local_label: product.local_label,
            allergens: product.allergens.clone(),
            ingredients: product.ingredients.clone(),
        }
    }

    #[test]
    fn csv_export_is_what_french_excel_expects() {
        let csv = String::from_utf8(products_to_csv(&[baguette()])).unwrap();
        assert_eq!(
            csv,
            "\u{feff}Référence;Désignation;Description;Catégorie;Unité;Prix TTC;TVA;Stock;Disponible;Vendu au poids;\
             Poids estimé (g);Bio;Label local;Allergènes;Ingrédients\r\n\
             PAIN-01;Baguette tradition;Farine Label Rouge, levain naturel;Pains;pièce;1,20;5,5 %;120;oui;non;250;\
             non;oui;gluten;farine de blé, eau, levain, sel\r\n"
        );
        let bare = ExportProduct {
            description: value("Deux lignes ;\n\"guillemets\""),
            category: None,
            vat_rate_bp: None,
            stock: None,
            estimated_weight_g: None,
            allergens: vec![Allergen::Milk, Allergen::Eggs],
            ingredients: String::new(),
            ..baguette()
        };
        let csv = String::from_utf8(products_to_csv(&[bare])).unwrap();
        assert!(
            csv.ends_with("\r\nPAIN-01;Baguette tradition;\"Deux lignes ;\n\"\"guillemets\"\"\";;pièce;1,20;;;oui;non;;non;oui;lait, œufs;\r\n"),
            "{csv}"
        );
        assert_eq!(String::from_utf8(products_to_csv(&[])).unwrap().lines().count(), 1);
    }

    #[test]
    fn csv_export_guards_against_formulas() {
        let products = varied_products();
        let csv = String::from_utf8(products_to_csv(&products)).unwrap();
        assert!(
            csv.contains(
                "\"'=HYPERLINK(\"\"x\"\")\";'-20 % sur le pain;'@moi +33 6 00 00 00 00;''=déjà gardé;"
            ),
            "{csv}"
        );
        assert!(csv.contains(";''-moins\r\n"), "{csv}");
        assert!(csv.contains("00123;+33;"), "a plain number is left as it is");
    }

    #[test]
    fn export_headers_are_detected_as_their_fields() {
        let headers = EXPORT_HEADERS.map(str::to_owned);
        assert_eq!(detect_mapping(&headers), Field::ALL.map(Some).to_vec());
    }

    #[test]
    fn csv_export_then_import_gives_the_same_values() {
        let products = varied_products();
        let report = import(&products_to_csv(&products));
        assert_eq!(report.refused, vec![]);
        assert_eq!(report.accepted.iter().map(as_exported).collect::<Vec<_>>(), products);
        let rows: Vec<usize> = report.accepted.iter().map(|product| product.row).collect();
        assert_eq!(rows, (2..2 + products.len()).collect::<Vec<_>>());
    }

    #[test]
    fn xlsx_export_then_import_gives_the_same_values() {
        let products = varied_products();
        let xlsx = products_to_xlsx(&products).expect("the workbook is written");
        assert!(xlsx.starts_with(b"PK\x03\x04"));
        let report = import(&xlsx);
        assert_eq!(report.refused, vec![]);
        assert_eq!(report.accepted.iter().map(as_exported).collect::<Vec<_>>(), products);
    }

    #[test]
    fn xlsx_export_writes_numbers_as_numbers() {
        let table = read_table(&products_to_xlsx(&[baguette()]).unwrap()).unwrap();
        assert_eq!(table.headers, EXPORT_HEADERS);
        let cells = &table.rows[0].1;
        assert_eq!(
            (cells[5].as_str(), cells[6].as_str(), cells[7].as_str(), cells[10].as_str()),
            ("1.2", "0.055", "120", "250")
        );
    }

    #[test]
    fn xlsx_export_refuses_a_text_longer_than_a_cell_holds() {
        let product = ExportProduct { description: "a".repeat(40_000), ..baguette() };
        assert!(products_to_xlsx(&[product]).is_err());
    }

    // -- performance -------------------------------------------------------------------------

    /// `cargo test --release -- --ignored --nocapture reading_5000`
    #[test]
    #[ignore = "timing: run in release mode"]
    fn reading_5000_xlsx_rows_takes_well_under_a_second() {
        let products: Vec<ExportProduct> = (0..5000)
            .map(|index| ExportProduct {
                reference: format!("REF-{index:05}"),
                name: format!("Produit numéro {index}"),
                description: value("Une description de taille ordinaire, avec quelques mots et une virgule."),
                ..baguette()
            })
            .collect();
        let xlsx = products_to_xlsx(&products).unwrap();
        let csv = products_to_csv(&products);
        let started = std::time::Instant::now();
        let table = read_table(&xlsx).unwrap();
        let mapping = detect_mapping(&table.headers);
        let report = rows_to_products(&table, &mapping);
        let xlsx_time = started.elapsed();
        assert_eq!(report.accepted.len(), 5000);
        let started = std::time::Instant::now();
        let report = rows_to_products(&read_table(&csv).unwrap(), &mapping);
        let csv_time = started.elapsed();
        assert_eq!(report.accepted.len(), 5000);
        println!(
            "5000 rows: xlsx ({} KiB) {xlsx_time:?}, csv ({} KiB) {csv_time:?}",
            xlsx.len() / 1024,
            csv.len() / 1024
        );
        assert!(xlsx_time < std::time::Duration::from_secs(1), "{xlsx_time:?}");
    }
}
