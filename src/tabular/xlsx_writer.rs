//! Writing XLSX (through rust_xlsxwriter): one sheet with a bold, frozen title row, numbers stored
//! as numbers and texts as text cells.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::cell::{ExportCell, escape_guard_lookalike};

/// The layout of the one sheet written.
#[derive(Clone, Copy, Debug)]
pub struct XlsxSheet<'layout> {
    /// The sheet's name (tab).
    pub name: &'layout str,
    /// The titles of the first row.
    pub headers: &'layout [&'layout str],
    /// The width of each column, in characters.
    pub column_widths: &'layout [f64],
}

/// A workbook of one sheet: the titles, then a row per item of `rows`. Amounts are numbers
/// formatted "0.00", rates percentages, counts plain numbers, empty cells left out. Text cells are
/// never read as formulas (XLSX stores them as strings), so the formula guard is not needed there;
/// only a text that already looks guarded ("'=x") gets one more `'`, so that importing the file
/// gives it back unchanged.
///
/// # Errors
///
/// The XLSX writer's message, e.g. for a text longer than a cell holds (32,767 characters).
pub fn write_xlsx<Row: IntoIterator<Item = ExportCell>>(
    sheet: &XlsxSheet<'_>,
    rows: impl IntoIterator<Item = Row>,
) -> Result<Vec<u8>, String> {
    workbook_bytes(sheet, rows).map_err(|error| error.to_string())
}

fn workbook_bytes<Row: IntoIterator<Item = ExportCell>>(
    layout: &XlsxSheet<'_>,
    rows: impl IntoIterator<Item = Row>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(layout.name)?;
    let title = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let rate = Format::new().set_num_format("0.0#%");
    let wrapped = Format::new().set_text_wrap();
    for (column, header) in (0_u16..).zip(layout.headers) {
        sheet.write_string_with_format(0, column, *header, &title)?;
    }
    for (column, width) in (0_u16..).zip(layout.column_widths) {
        sheet.set_column_width(column, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (index, cells) in rows.into_iter().enumerate() {
        let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (column, cell) in (0_u16..).zip(cells) {
            match cell {
                ExportCell::Text(text) if text.is_empty() => {}
                ExportCell::Text(text) => {
                    let text = escape_guard_lookalike(&text);
                    if text.contains('\n') {
                        sheet.write_string_with_format(row, column, text, &wrapped)?;
                    } else {
                        sheet.write_string(row, column, text)?;
                    }
                }
                ExportCell::Hundredths(hundredths) => {
                    sheet.write_number_with_format(row, column, hundredths as f64 / 100.0, &money)?;
                }
                ExportCell::Percent(basis_points) => {
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
    use crate::tabular::workbook::{WorkbookLimits, read_workbook};

    const SHEET: XlsxSheet<'static> =
        XlsxSheet { name: "Essai", headers: &["Nom", "Prix"], column_widths: &[10.0, 8.0] };
    const LIMITS: WorkbookLimits = WorkbookLimits { max_rows: 10, max_columns: 10, max_text_bytes: 10_000 };

    #[test]
    fn a_written_workbook_reads_back_with_numbers_as_numbers() {
        let rows = [
            vec![ExportCell::Text("=1+1".to_owned()), ExportCell::Hundredths(120)],
            vec![ExportCell::Text("'=x".to_owned()), ExportCell::Percent(550)],
        ];
        let bytes = write_xlsx(&SHEET, rows).unwrap();
        let lines = read_workbook(&bytes, LIMITS).unwrap();
        assert_eq!(lines[0], (1, vec!["Nom".to_owned(), "Prix".to_owned()]));
        assert_eq!(lines[1], (2, vec!["=1+1".to_owned(), "1.2".to_owned()]));
        assert_eq!(lines[2], (3, vec!["''=x".to_owned(), "0.055".to_owned()]));
    }

    #[test]
    fn a_text_longer_than_a_cell_holds_is_an_error() {
        assert!(write_xlsx(&SHEET, [vec![ExportCell::Text("a".repeat(40_000))]]).is_err());
    }
}
