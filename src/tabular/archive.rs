//! A look inside a workbook's zip archive before any spreadsheet reader opens it, so that a small
//! hostile file cannot make the server reserve or unfold more memory than a real catalogue needs:
//! every entry is inflated through a bounded reader (the sizes an archive declares can lie), the
//! shared-string count an XLSX declares must fit its own text, and the cells an ODS repeats must
//! fit the limits once unfolded.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::workbook::{WorkbookError, WorkbookLimits, unreadable};

/// Entries in an archive at most (a real workbook has a few dozen).
const MAX_ENTRIES: usize = 2_000;
/// Inflated bytes of one entry at most.
const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
/// Inflated bytes of the whole archive at most.
const MAX_ARCHIVE_BYTES: u64 = 160 * 1024 * 1024;
/// The shortest XML a shared string takes (`<si><t/></si>`): a declared count above the entry's
/// size divided by this is a lie.
const MIN_SHARED_STRING_BYTES: u64 = 12;

/// What the archive holds, as far as the readers care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// An Office Open XML workbook (`xl/workbook.xml`).
    Xlsx,
    /// An OpenDocument spreadsheet (`content.xml`).
    Ods,
}

/// Inflates every entry within the byte limits and checks what the readers would trust.
///
/// # Errors
///
/// [`WorkbookError::TooLarge`] when an entry, the whole archive, a declared shared-string count or
/// the unfolded cells of an ODS table pass the limits; [`WorkbookError::Unreadable`] when it is not
/// a zip archive of a workbook.
pub fn inspect(bytes: &[u8], limits: WorkbookLimits) -> Result<ArchiveKind, WorkbookError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_ENTRIES {
        return Err(WorkbookError::TooLarge);
    }
    let mut total = 0_u64;
    let mut kind = None;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(unreadable)?;
        let name = entry.name().map_err(unreadable)?.into_owned();
        let wanted = matches!(name.as_str(), "xl/sharedStrings.xml" | "content.xml");
        let mut content = Vec::new();
        let inflated = if wanted {
            (&mut entry).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut content).map_err(unreadable)? as u64
        } else {
            std::io::copy(&mut (&mut entry).take(MAX_ENTRY_BYTES + 1), &mut std::io::sink())
                .map_err(unreadable)?
        };
        total += inflated;
        if inflated > MAX_ENTRY_BYTES || total > MAX_ARCHIVE_BYTES {
            return Err(WorkbookError::TooLarge);
        }
        match name.as_str() {
            "xl/workbook.xml" => kind = kind.or(Some(ArchiveKind::Xlsx)),
            "xl/sharedStrings.xml" => check_shared_strings(&content, limits)?,
            "content.xml" => {
                check_ods_tables(&content, limits)?;
                kind = kind.or(Some(ArchiveKind::Ods));
            }
            _ => {}
        }
    }
    kind.ok_or_else(|| WorkbookError::Unreadable("a zip archive, not a workbook".to_owned()))
}

/// The `count` and `uniqueCount` of `<sst>`, which a reader may reserve room for up front, must
/// fit both the text that follows and the cells the limits let through.
fn check_shared_strings(xml: &[u8], limits: WorkbookLimits) -> Result<(), WorkbookError> {
    let room = (xml.len() as u64 / MIN_SHARED_STRING_BYTES)
        .min((limits.max_rows as u64).saturating_mul(limits.max_columns as u64));
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(element) | Event::Empty(element) if local_name(&element) == "sst" => {
                for attribute in ["count", "uniqueCount"] {
                    if let Some(declared) = number_attribute(&element, attribute)?
                        && declared > room
                    {
                        return Err(WorkbookError::TooLarge);
                    }
                }
                return Ok(());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Every table of an ODS once its repeated rows and columns are unfolded: the rows down to the
/// last one holding something must fit `max_rows`, and that area must hold no more cells than
/// `max_rows × max_columns` (a reader unfolds the repeats between and inside the used cells).
fn check_ods_tables(xml: &[u8], limits: WorkbookLimits) -> Result<(), WorkbookError> {
    let max_cells = (limits.max_rows as u64).saturating_mul(limits.max_columns as u64);
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut table = TableExtent::default();
    let mut row_repeats = 1_u64;
    let mut column = 0_u64;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(unreadable)?;
        match &event {
            Event::Start(element) | Event::Empty(element) => match local_name(element) {
                "table" if matches!(event, Event::Start(_)) => table = TableExtent::default(),
                "table-row" => {
                    row_repeats = number_attribute(element, "table:number-rows-repeated")?.unwrap_or(1);
                    column = 0;
                    if matches!(event, Event::Empty(_)) {
                        table.rows = table.rows.saturating_add(row_repeats);
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    let repeats = number_attribute(element, "table:number-columns-repeated")?.unwrap_or(1);
                    let holds_value = element
                        .attributes()
                        .flatten()
                        .any(|attribute| attribute.key.local_name().as_ref() == "value-type");
                    column = column.saturating_add(repeats);
                    if holds_value || matches!(event, Event::Start(_)) {
                        table.used(row_repeats, column, limits, max_cells)?;
                    }
                }
                _ => {}
            },
            Event::End(element) if element.local_name().as_ref() == "table-row" => {
                table.rows = table.rows.saturating_add(row_repeats);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// How far the used cells of an ODS table reach, rows and columns unfolded.
#[derive(Default)]
struct TableExtent {
    /// Rows before the current one, repeats counted.
    rows: u64,
    /// The row after the last one holding something.
    last_row: u64,
    /// The column after the rightmost one holding something.
    last_column: u64,
}

impl TableExtent {
    /// Records a used cell reaching `column` (exclusive) in the current row, repeated
    /// `row_repeats` times.
    fn used(
        &mut self,
        row_repeats: u64,
        column: u64,
        limits: WorkbookLimits,
        max_cells: u64,
    ) -> Result<(), WorkbookError> {
        self.last_row = self.last_row.max(self.rows.saturating_add(row_repeats));
        self.last_column = self.last_column.max(column);
        if self.last_row > limits.max_rows as u64
            || self.last_row.saturating_mul(self.last_column) > max_cells
        {
            return Err(WorkbookError::TooLarge);
        }
        Ok(())
    }
}

fn local_name<'a>(element: &'a BytesStart<'_>) -> &'a str {
    element.local_name().into_inner()
}

/// A non-negative whole-number attribute; one that is not a number makes the file unreadable.
fn number_attribute(element: &BytesStart<'_>, name: &str) -> Result<Option<u64>, WorkbookError> {
    let Some(attribute) = element.try_get_attribute(name).map_err(unreadable)? else {
        return Ok(None);
    };
    let text: &str = &attribute.value;
    text.trim().parse::<u64>().map(Some).map_err(|_| {
        // A number too large for 64 bits is too large for any reader.
        if text.trim().bytes().all(|byte| byte.is_ascii_digit()) && !text.trim().is_empty() {
            WorkbookError::TooLarge
        } else {
            WorkbookError::Unreadable(format!("{name} is not a number"))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::tabular::read_workbook;

    const LIMITS: WorkbookLimits =
        WorkbookLimits { max_rows: 20_000, max_columns: 100, max_text_bytes: 1 << 25 };

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// The smallest XLSX calamine opens, with the given shared strings.
    fn xlsx(shared_strings: &str) -> Vec<u8> {
        let workbook = r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let relations = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let sheet = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>"#;
        let package = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        zipped(&[
            ("_rels/.rels", package.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", relations.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/sharedStrings.xml", shared_strings.as_bytes()),
        ])
    }

    fn sst(declared: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="{declared}"><si><t>Nom</t></si><si><t>Pain</t></si></sst>"#
        )
    }

    /// An ODS whose single table holds `rows` (the XML of its rows).
    fn ods(rows: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="A">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        zipped(&[
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.as_bytes()),
            ("META-INF/manifest.xml", MANIFEST.as_bytes()),
        ])
    }

    const MANIFEST: &str = r#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

    const TITLE_ROW: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Nom</text:p></table:table-cell></table:table-row>"#;

    #[test]
    fn an_honest_xlsx_passes_and_reads() {
        let bytes = xlsx(&sst("2"));
        assert_eq!(inspect(&bytes, LIMITS), Ok(ArchiveKind::Xlsx));
        let lines = read_workbook(&bytes, LIMITS).unwrap();
        assert_eq!(lines, vec![(1, vec!["Nom".to_owned()]), (2, vec!["Pain".to_owned()])]);
    }

    #[test]
    fn a_declared_shared_string_count_beyond_the_text_is_too_large() {
        // calamine reserves room for `uniqueCount` strings before reading one: the process would
        // abort on this 1 KB file.
        let bytes = xlsx(&sst("1000000000000000"));
        assert!(bytes.len() < 2_000);
        assert_eq!(read_workbook(&bytes, LIMITS), Err(WorkbookError::TooLarge));
        assert_eq!(
            read_workbook(&xlsx(&sst("99999999999999999999999")), LIMITS),
            Err(WorkbookError::TooLarge)
        );
        assert_eq!(read_workbook(&xlsx(&sst("500")), LIMITS), Err(WorkbookError::TooLarge));
        assert!(matches!(read_workbook(&xlsx(&sst("beaucoup")), LIMITS), Err(WorkbookError::Unreadable(_))));
    }

    #[test]
    fn an_entry_that_inflates_past_the_limit_is_too_large() {
        let zeros = vec![b' '; usize::try_from(MAX_ENTRY_BYTES).unwrap() + 1];
        let mut shared = sst("2").into_bytes();
        shared.extend_from_slice(&zeros);
        let bytes = zipped(&[("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", &shared)]);
        assert!(bytes.len() < MAX_ENTRY_BYTES as usize / 100, "a bomb is small: {}", bytes.len());
        assert_eq!(inspect(&bytes, LIMITS), Err(WorkbookError::TooLarge));
    }

    #[test]
    fn an_ods_whose_repeats_unfold_past_the_limits_is_too_large() {
        let repeated_row = format!(
            r#"{TITLE_ROW}<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#
        );
        assert_eq!(read_workbook(&ods(&repeated_row), LIMITS), Err(WorkbookError::TooLarge));
        let wide_cell = format!(
            r#"{TITLE_ROW}<table:table-row table:number-rows-repeated="19000"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#
        );
        assert_eq!(read_workbook(&ods(&wide_cell), LIMITS), Err(WorkbookError::TooLarge));
        let repeated_cell = format!(
            r#"{TITLE_ROW}<table:table-row table:number-rows-repeated="19000"><table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>"#
        );
        assert_eq!(read_workbook(&ods(&repeated_cell), LIMITS), Err(WorkbookError::TooLarge));
    }

    #[test]
    fn an_ods_with_repeated_empty_rows_and_columns_reads() {
        let rows = format!(
            r#"{TITLE_ROW}<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>Pain</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16000"/></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
        );
        let lines = read_workbook(&ods(&rows), LIMITS).unwrap();
        assert_eq!(lines.last(), Some(&(5, vec!["Pain".to_owned()])));
    }

    #[test]
    fn the_old_xls_format_and_plain_zips_are_refused() {
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
        assert!(
            matches!(read_workbook(&xls, LIMITS), Err(WorkbookError::Unreadable(detail)) if detail.contains(".xls"))
        );
        let plain = zipped(&[("photo.txt", b"bonjour")]);
        assert!(matches!(read_workbook(&plain, LIMITS), Err(WorkbookError::Unreadable(_))));
    }
}
