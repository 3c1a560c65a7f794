//! The tabular toolkit shared by every importer and export: reading delimited text and
//! spreadsheets as people save them, cleaning cells, the one formula guard, and writing CSV and
//! XLSX. Pure code: no HTTP, no SQL; each caller checks its own columns.

mod archive;
mod cell;
mod csv_writer;
mod refused;
mod text;
mod workbook;
mod xlsx_writer;

pub use cell::{
    ExportCell, FORMULA_TRIGGERS, clean_cell, decimal_comma, escape_guard_lookalike, fold_header, fold_words,
    guard_cell, guard_formula, is_blank, is_plain_number, looks_guarded, shown,
};
pub use csv_writer::CsvWriter;
pub use refused::RefusedRow;
pub use text::{TextError, decode_text, read_records, sniff_separator};
pub use workbook::{WorkbookError, WorkbookLimits, is_workbook, number_text, read_workbook};
pub use xlsx_writer::{XlsxSheet, write_xlsx};
