//! Reading delimited text files as people save them (French Excel, LibreOffice): the encoding,
//! the separator, and the records with their spreadsheet row numbers.

use std::borrow::Cow;

/// Why a text file could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum TextError {
    /// A NUL byte: a binary file, not text.
    Binary,
    /// The CSV reader failed (the message is technical).
    Csv(String),
    /// More records than the caller accepts.
    TooManyRows,
}

/// The file's text: by its BOM when it has one (UTF-8, UTF-16), else UTF-8 when valid, else
/// Windows-1252 (what Excel writes on French Windows).
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, TextError> {
    let text = if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        encoding.decode_without_bom_handling(bytes.get(bom_length..).unwrap_or_default()).0
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
        }
    };
    if text.contains('\0') {
        return Err(TextError::Binary);
    }
    Ok(text)
}

/// The separator of the title line: the most frequent of tab, `;` and `,` outside quotes (`,`
/// when none appears, for a one-column file).
pub fn sniff_separator(text: &str) -> u8 {
    let header_line = text.lines().find(|line| !line.trim().is_empty()).unwrap_or_default();
    let mut in_quotes = false;
    let (mut tabs, mut semicolons, mut commas) = (0_usize, 0_usize, 0_usize);
    for character in header_line.chars() {
        match character {
            '"' => in_quotes = !in_quotes,
            '\t' if !in_quotes => tabs += 1,
            ';' if !in_quotes => semicolons += 1,
            ',' if !in_quotes => commas += 1,
            _ => {}
        }
    }
    if tabs > 0 && tabs >= semicolons && tabs >= commas {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Every record with its spreadsheet row number, its cells passed through `cell` (at most
/// `max_columns` of them), refusing more than `max_rows` rows. Row numbers count records, not
/// lines (a quoted cell may hold line breaks), plus the blank lines that the CSV reader skips but
/// that a spreadsheet shows as empty rows.
pub fn read_records(
    text: &str,
    separator: u8,
    max_rows: usize,
    max_columns: usize,
    cell: impl Fn(&str) -> String,
) -> Result<Vec<(usize, Vec<String>)>, TextError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    let mut previous_row = 0_usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(TextError::Csv(error.to_string())),
        }
        // The reader's position for a record is where it started scanning: just after the previous
        // record, so before the empty lines it skipped.
        let scan_start = record.position().map_or(0, csv::Position::byte);
        let skipped_empty_lines =
            usize::try_from(scan_start).map_or(0, |start| count_empty_lines_at(text.as_bytes(), start));
        let row = previous_row + 1 + skipped_empty_lines;
        if row > max_rows {
            return Err(TextError::TooManyRows);
        }
        previous_row = row;
        rows.push((row, record.iter().take(max_columns).map(&cell).collect()));
    }
    Ok(rows)
}

/// The empty lines that start at `start`: line breaks (`\n`, `\r\n` or a lone `\r`) before any
/// other byte. A `\n` that ends a `\r\n` begun before `start` is not one.
fn count_empty_lines_at(bytes: &[u8], start: usize) -> usize {
    let mut previous = start.checked_sub(1).and_then(|before| bytes.get(before)).copied();
    let mut empty_lines = 0;
    for &byte in bytes.get(start..).unwrap_or_default() {
        match byte {
            b'\n' if previous == Some(b'\r') => {}
            b'\n' | b'\r' => empty_lines += 1,
            _ => break,
        }
        previous = Some(byte);
    }
    empty_lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_windows_1252_file_is_decoded() {
        assert_eq!(decode_text(b"caf\xe9").unwrap(), "café");
        assert_eq!(decode_text("\u{feff}café".as_bytes()).unwrap(), "café");
        assert_eq!(decode_text(b"a\0b"), Err(TextError::Binary));
    }

    #[test]
    fn blank_lines_count_as_rows_and_quoted_line_breaks_do_not() {
        let text = "a;b\n1;\"x\ny\"\n\n2;z\n";
        let rows = read_records(text, sniff_separator(text), 100, 10, str::to_owned).unwrap();
        let numbers: Vec<usize> = rows.iter().map(|(row, _)| *row).collect();
        assert_eq!(numbers, [1, 2, 4]);
        assert_eq!(rows[1].1[1], "x\ny");
        assert_eq!(read_records(text, b';', 2, 10, str::to_owned), Err(TextError::TooManyRows));
    }
}
