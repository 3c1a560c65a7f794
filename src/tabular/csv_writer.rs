//! Writing CSV: the one writer of every CSV export, so that each is guarded against formulas,
//! quoted the same way and ended with CRLF as spreadsheets write it.

use super::cell::{ExportCell, guard_cell};

/// A CSV file being written, in memory (exports are small enough and are sent whole).
#[derive(Debug)]
pub struct CsvWriter {
    text: String,
    separator: char,
}

impl CsvWriter {
    /// A file with `separator` between cells (`;` for French Excel, `,` for open data).
    pub fn new(separator: char) -> Self {
        Self { text: String::new(), separator }
    }

    /// A file that starts with a UTF-8 byte-order mark, so that Excel opens it with its accents
    /// rather than as Windows-1252.
    pub fn with_bom(separator: char) -> Self {
        Self { text: String::from("\u{feff}"), separator }
    }

    /// Appends one line: every cell through [`guard_cell`], quoted when it holds the separator, a
    /// `;` (which Excel may take for one), a quote, a line break or a tab, or starts or ends with
    /// a space; CRLF at the end.
    pub fn write_row<Cell: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = Cell>) {
        for (index, cell) in cells.into_iter().enumerate() {
            if index > 0 {
                self.text.push(self.separator);
            }
            let cell = guard_cell(cell.as_ref());
            let needs_quotes = cell.contains([self.separator, ';', '"', '\n', '\r', '\t'])
                || cell.starts_with(char::is_whitespace)
                || cell.ends_with(char::is_whitespace);
            if needs_quotes {
                self.text.push('"');
                self.text.push_str(&cell.replace('"', "\"\""));
                self.text.push('"');
            } else {
                self.text.push_str(&cell);
            }
        }
        self.text.push_str("\r\n");
    }

    /// Appends one line of typed cells, numbers with a decimal comma (see [`ExportCell::csv_text`]).
    pub fn write_cells<'cell>(&mut self, cells: impl IntoIterator<Item = &'cell ExportCell>) {
        self.write_row(cells.into_iter().map(ExportCell::csv_text));
    }

    /// The file's bytes (UTF-8).
    pub fn into_bytes(self) -> Vec<u8> {
        self.text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(separator: char, rows: &[&[&str]]) -> String {
        let mut writer = CsvWriter::new(separator);
        for row in rows {
            writer.write_row(row.iter());
        }
        String::from_utf8(writer.into_bytes()).unwrap()
    }

    #[test]
    fn lines_end_with_crlf_and_a_bom_only_when_asked() {
        assert_eq!(written(';', &[&["a", "b"], &["1", "2"]]), "a;b\r\n1;2\r\n");
        let mut writer = CsvWriter::with_bom(',');
        writer.write_row(["x"]);
        assert_eq!(writer.into_bytes(), b"\xEF\xBB\xBFx\r\n");
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(
            written(';', &[&["Farine, levain", "Deux ;\n\"lignes\"", " espace", "tab\there"]]),
            "Farine, levain;\"Deux ;\n\"\"lignes\"\"\";\" espace\";\"tab\there\"\r\n"
        );
        assert_eq!(written(',', &[&["a,b", "c;d", "e"]]), "\"a,b\",\"c;d\",e\r\n");
    }

    #[test]
    fn hostile_cells_are_written_guarded() {
        let text = written(';', &[&["=HYPERLINK(\"x\")", "-12,50", "@moi", "'=déjà", "+33 6", "\t=1"]]);
        assert_eq!(text, "\"'=HYPERLINK(\"\"x\"\")\";-12,50;'@moi;''=déjà;'+33 6;\"'\t=1\"\r\n");
    }

    #[test]
    fn what_is_written_is_read_back_by_the_csv_reader() {
        let text = written(',', &[&["=1+1", "a \"b\"", "x\r\ny"]]);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[0], "'=1+1");
        assert_eq!(&record[1], "a \"b\"");
        assert_eq!(&record[2], "x\r\ny");
    }

    #[test]
    fn typed_cells_are_written_as_french_spreadsheets_read_them() {
        let mut writer = CsvWriter::new(';');
        writer.write_cells(&[
            ExportCell::Hundredths(-1250),
            ExportCell::Percent(550),
            ExportCell::Count(3),
            ExportCell::Empty,
            ExportCell::Text("-moins".to_owned()),
        ]);
        assert_eq!(String::from_utf8(writer.into_bytes()).unwrap(), "-12,50;5,5 %;3;;'-moins\r\n");
    }
}
