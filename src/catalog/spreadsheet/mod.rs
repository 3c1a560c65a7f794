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

mod columns;
mod export;
mod rows;
mod values;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::tabular::{self, TextError, WorkbookError, WorkbookLimits, clean_cell, is_blank};

pub use columns::{Field, MAPPING_MISSING, MAPPING_TWICE, Mapping, check_mapping, detect_mapping};
pub use export::{ExportProduct, products_to_csv, products_to_xlsx};
pub use rows::{MAX_VAT_BP, ProductReport, ProductRow, RefusalReason, RefusedRow, rows_to_products};

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

/// A file that cannot be imported is a problem with the `file` field (422), with one message per
/// cause, so that the person knows whether to save it again, shorten it or fill it.
impl From<SheetError> for AppError {
    fn from(error: SheetError) -> Self {
        let message = match error {
            SheetError::Empty => "catalog.import.empty",
            SheetError::Unreadable(_) => "catalog.import.unreadable",
            SheetError::NoData => "catalog.import.no_data",
            SheetError::TooLarge { .. } => "catalog.import.too_large",
        };
        AppError::invalid("file", message)
    }
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

/// Reads an uploaded spreadsheet: XLSX or ODS by their content (the old XLS is refused), otherwise CSV
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
    let rows = if tabular::is_workbook(bytes) { read_workbook(bytes)? } else { read_csv(bytes)? };
    table_from_rows(rows)
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

/// The first sheet of a workbook, line by line, within the catalogue's limits.
fn read_workbook(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    let limits =
        WorkbookLimits { max_rows: MAX_ROWS, max_columns: MAX_COLUMNS, max_text_bytes: MAX_TABLE_BYTES };
    tabular::read_workbook(bytes, limits).map_err(|error| match error {
        WorkbookError::Empty => SheetError::Empty,
        WorkbookError::Unreadable(detail) => SheetError::Unreadable(detail),
        WorkbookError::TooLarge => too_large(),
    })
}

#[cfg(test)]
mod tests;
