//! Reading spreadsheets (XLSX and ODS, through calamine): the first visible worksheet as numbered
//! lines of text, within limits that a small compressed workbook cannot unfold past. The archive
//! is inspected first ([`super::archive`]); the old binary XLS, whose records a reader must trust
//! to size the sheet, is refused with a request to save the file again.

use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader, SheetType, SheetVisible, Xlsx};

use super::archive::{self, ArchiveKind};

/// The first bytes of a zip archive (XLSX, ODS).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// How much of a workbook is read at most.
#[derive(Clone, Copy, Debug)]
pub struct WorkbookLimits {
    /// Rows read at most; a cell below makes the file too large.
    pub max_rows: usize,
    /// Columns read at most; cells further right are ignored.
    pub max_columns: usize,
    /// Text read at most over the whole sheet, in bytes.
    pub max_text_bytes: usize,
}

/// Why a workbook gives no lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkbookError {
    /// No worksheet at all.
    Empty,
    /// Not a workbook that can be read; the text is a short technical detail.
    Unreadable(String),
    /// Beyond the [`WorkbookLimits`].
    TooLarge,
}

pub(super) fn unreadable(error: impl std::fmt::Display) -> WorkbookError {
    WorkbookError::Unreadable(error.to_string())
}

/// Zip-based workbooks (xlsx, ods) and the compound files of the old xls (refused when read),
/// told by their first bytes rather than by a file name that people change.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The first sheet of a workbook, line by line. XLSX is streamed cell by cell so that the limits
/// hold before anything is allocated; ODS goes through calamine's whole-sheet reader once the
/// inspection has shown that its unfolded cells fit the limits.
///
/// # Errors
///
/// [`WorkbookError`] when the file is not a workbook, has no worksheet or passes the limits.
pub fn read_workbook(
    bytes: &[u8],
    limits: WorkbookLimits,
) -> Result<Vec<(usize, Vec<String>)>, WorkbookError> {
    let mut grid = Grid { limits, rows: Vec::new(), text_bytes: 0 };
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(WorkbookError::Unreadable("the old Excel 97-2003 format (.xls)".to_owned()));
    }
    if archive::inspect(bytes, limits)? == ArchiveKind::Xlsx {
        let mut workbook =
            calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)).map_err(unreadable)?;
        let name = first_sheet_name(workbook.sheets_metadata())?;
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            let (row, column) = cell.get_position();
            grid.put(row, column, data_ref_text(cell.get_value()))?;
        }
    } else {
        let mut workbook =
            calamine::open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes)).map_err(unreadable)?;
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
fn first_sheet_name(sheets: &[calamine::Sheet]) -> Result<String, WorkbookError> {
    let worksheets = || sheets.iter().filter(|sheet| sheet.typ == SheetType::WorkSheet);
    worksheets()
        .find(|sheet| sheet.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|sheet| sheet.name.clone())
        .ok_or(WorkbookError::Empty)
}

/// The cells of a sheet by position, within the limits.
struct Grid {
    limits: WorkbookLimits,
    rows: Vec<Vec<String>>,
    text_bytes: usize,
}

impl Grid {
    /// Stores a cell (0-based row and column); an empty one is skipped, one right of the last
    /// column read is ignored, one below the last row read makes the file too large.
    fn put(&mut self, row: u32, column: u32, text: String) -> Result<(), WorkbookError> {
        let (row, column) = (row as usize, column as usize);
        if text.is_empty() || column >= self.limits.max_columns {
            return Ok(());
        }
        self.text_bytes += text.len();
        if row >= self.limits.max_rows || self.text_bytes > self.limits.max_text_bytes {
            return Err(WorkbookError::TooLarge);
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

/// A cell of an ODS sheet as text.
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

/// A boolean cell as French Excel shows it (and as the importers read it back).
fn boolean_text(value: bool) -> String {
    if value { "VRAI" } else { "FAUX" }.to_owned()
}

/// A numeric cell as a spreadsheet's General format shows it: at most 15 significant digits (the
/// precision Excel displays and computes with), decimal point, no exponent. So 1.2 is "1.2", and a
/// computed 0.1 + 0.2 is "0.3" rather than the float's binary residue 0.30000000000000004; the
/// checks then read exact decimals from that text.
pub fn number_text(number: f64) -> String {
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
