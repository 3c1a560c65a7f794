//! A row an importer refused, with the importer's own reason: the shape of every import report.

use serde::Serialize;

/// A row of an imported file that was not imported, and why (the first problem found).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedRow<R> {
    /// The spreadsheet row (the header is row 1, the first record row 2).
    pub row: usize,
    /// Why it was refused.
    pub reason: R,
}
