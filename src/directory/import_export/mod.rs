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

mod columns;
mod export;
mod rows;
mod values;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::tabular::{self, TextError, clean_cell, is_blank};
use columns::{ColumnLayout, Field};
use rows::read_business;

pub use export::{ExportedBusiness, businesses_to_csv, businesses_to_geojson};
pub use rows::{ImportedBusiness, RefusalReason, RefusedRow, dedup_key};

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

/// The file's text, refusing workbooks (this importer reads CSV only).
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    if tabular::is_workbook(bytes) {
        return Err(ImportError::Unreadable(
            "Excel or LibreOffice workbook (xlsx, xls, ods), not CSV".to_owned(),
        ));
    }
    tabular::decode_text(bytes).map_err(|_| ImportError::Unreadable("binary content, not text".to_owned()))
}

/// Every record with its spreadsheet row number and its cells cleaned (see [`tabular::clean_cell`]).
fn read_rows(text: &str, separator: u8) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    tabular::read_records(text, separator, usize::MAX, usize::MAX, clean_cell).map_err(|error| match error {
        TextError::Csv(message) => ImportError::Unreadable(message),
        TextError::Binary | TextError::TooManyRows => ImportError::Unreadable("unreadable file".to_owned()),
    })
}

#[cfg(test)]
mod tests;
