//! Cells: cleaning what was read, folding headers for matching, the one formula guard applied to
//! everything written, and decimal commas as French spreadsheets show them.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that some spreadsheets skip before reading one).
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell trimmed, and without the `'` that the writers put before a formula trigger (one `'`
/// only: "''=x", the export of a text that is itself "'=x", reads back as "'=x").
pub fn clean_cell(raw: &str) -> String {
    let trimmed = raw.trim();
    if looks_guarded(trimmed) { trimmed[1..].to_owned() } else { trimmed.to_owned() }
}

/// True when a line holds nothing but blanks (spreadsheets leave such lines between blocks).
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|cell| cell.trim().is_empty())
}

/// Starts like a guarded cell: one or more `'`, then a formula trigger.
pub fn looks_guarded(cell: &str) -> bool {
    cell.starts_with('\'') && cell.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// Optional sign, digits, optional decimal part after a point or a comma ("-3,5", "+1", "43.86"):
/// what a spreadsheet reads as a number, never as a formula.
pub fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once([',', '.']).unwrap_or((unsigned, ""));
    !whole.is_empty()
        && whole.chars().all(|character| character.is_ascii_digit())
        && fraction.chars().all(|character| character.is_ascii_digit())
}

/// The formula guard: a cell that a spreadsheet would run as a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading `'`, which spreadsheets show as text;
/// plain numbers such as "-3,5" are left as they are, since they cannot run anything.
pub fn guard_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One more `'` before a text that already looks guarded ("'=x"), so that [`clean_cell`] gives it
/// back unchanged instead of taking its `'` for the guard.
pub fn escape_guard_lookalike(cell: &str) -> Cow<'_, str> {
    if looks_guarded(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A cell as the CSV writer writes it: [`guard_formula`], or [`escape_guard_lookalike`], so that
/// an export is both harmless in a spreadsheet and read back without loss.
pub fn guard_cell(cell: &str) -> Cow<'_, str> {
    match guard_formula(cell) {
        Cow::Borrowed(unchanged) => escape_guard_lookalike(unchanged),
        guarded => guarded,
    }
}

/// `hundredths` / 100 with a decimal comma, as French spreadsheets read numbers: "1,20", "-12,50";
/// with `trim`, without useless zeros ("5,5", "20").
pub fn decimal_comma(hundredths: i64, trim: bool) -> String {
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

/// One exported cell, before it is written as CSV text or as an XLSX cell: typed, so that the
/// XLSX writer can store numbers as numbers while the CSV writer shows them as French Excel does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportCell {
    /// Text (guarded against formulas when written).
    Text(String),
    /// An amount in hundredths (cents): "1,20" in CSV, 1.2 formatted "0.00" in XLSX.
    Hundredths(i64),
    /// A rate in basis points: "5,5 %" in CSV, 0.055 formatted as a percentage in XLSX.
    Percent(i64),
    /// A whole number.
    Count(i64),
    /// Nothing.
    Empty,
}

impl ExportCell {
    /// The cell as CSV text, before the formula guard.
    pub fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Self::Text(text) => Cow::Borrowed(text),
            Self::Hundredths(hundredths) => Cow::Owned(decimal_comma(*hundredths, false)),
            Self::Percent(basis_points) => Cow::Owned(format!("{} %", decimal_comma(*basis_points, true))),
            Self::Count(count) => Cow::Owned(count.to_string()),
            Self::Empty => Cow::Borrowed(""),
        }
    }
}

/// Values longer than this are cut in the messages about a cell.
const MESSAGE_VALUE_MAX_CHARS: usize = 80;

/// A cell's value for a message to a person: cut when very long, so that one absurd cell keeps an
/// import report readable.
pub fn shown(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(MESSAGE_VALUE_MAX_CHARS) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &value[..cut])),
        None => Cow::Borrowed(value),
    }
}

/// A header folded for matching: text in brackets dropped ("Poids (g)", "Latitude (WGS 84)"),
/// then [`fold_words`].
pub fn fold_header(header: &str) -> String {
    let mut without_brackets = String::with_capacity(header.len());
    let mut depth = 0_usize;
    for character in header.chars() {
        match character {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_brackets.push(character),
            _ => {}
        }
    }
    let folded = fold_words(&without_brackets);
    if folded.is_empty() { fold_words(header) } else { folded }
}

/// Text folded for matching words: no accents, lowercase, every run of other characters than
/// ASCII letters and digits turned into one space ("Qté." → "qte", "Dépôt-Vente" → "depot vente").
pub fn fold_words(text: &str) -> String {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|character: char| !character.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cells_are_guarded() {
        for cell in [
            "=1+1",
            "=HYPERLINK(\"http://evil.example\",\"clic\")",
            "+1 ",
            "-1+1",
            "@SUM(A1)",
            "-",
            "-inf",
            "+.5",
            "+33 4 66 00 00 00",
            "-- en promotion",
            "\t=1+1",
            "\r=1+1",
            "=cmd|' /C calc'!A0",
        ] {
            assert_eq!(guard_formula(cell), format!("'{cell}"), "{cell:?}");
            assert_eq!(guard_cell(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn plain_numbers_and_ordinary_text_are_left_alone() {
        for cell in ["-12", "+3.5", "+1", "43.86", "-3,5", "-12,50", "Paul", "'=x", "", "1,20 €"] {
            assert_eq!(guard_formula(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn a_text_that_looks_guarded_gets_one_more_quote_when_written() {
        assert_eq!(guard_cell("'=déjà gardé"), "''=déjà gardé");
        assert_eq!(guard_cell("'-moins"), "''-moins");
        assert_eq!(guard_cell("'abc"), "'abc");
        assert_eq!(escape_guard_lookalike("=x"), "=x");
    }

    #[test]
    fn every_written_cell_reads_back_unchanged() {
        for cell in ["=1+1", "'=x", "''=x", "-3,5", "'abc", "@moi", "-- promo", "Paul"] {
            assert_eq!(clean_cell(&guard_cell(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn clean_cell_trims_and_removes_one_guard() {
        assert_eq!(clean_cell("  '=SOMME(1) "), "=SOMME(1)");
        assert_eq!(clean_cell("'-5 %"), "-5 %");
        assert_eq!(clean_cell("'it's fine"), "'it's fine");
        assert_eq!(clean_cell("''=x"), "'=x");
    }

    #[test]
    fn plain_numbers_have_digits_around_one_point_or_comma() {
        assert!(is_plain_number("-3,5"));
        assert!(is_plain_number("12"));
        assert!(is_plain_number("+0.25"));
        assert!(!is_plain_number("+.5"));
        assert!(!is_plain_number("1,2,3"));
        assert!(!is_plain_number("1e5"));
        assert!(!is_plain_number(""));
    }

    #[test]
    fn blank_lines_hold_only_whitespace() {
        assert!(is_blank(&[String::new(), " ".to_owned()]));
        assert!(is_blank(&[]));
        assert!(!is_blank(&["x".to_owned()]));
    }

    #[test]
    fn decimals_are_written_with_a_comma() {
        assert_eq!(decimal_comma(120, false), "1,20");
        assert_eq!(decimal_comma(-1250, false), "-12,50");
        assert_eq!(decimal_comma(-5, false), "-0,05");
        assert_eq!(decimal_comma(550, true), "5,5");
        assert_eq!(decimal_comma(2000, true), "20");
    }

    #[test]
    fn export_cells_read_as_french_spreadsheets_show_them() {
        assert_eq!(ExportCell::Hundredths(120).csv_text(), "1,20");
        assert_eq!(ExportCell::Percent(550).csv_text(), "5,5 %");
        assert_eq!(ExportCell::Count(-3).csv_text(), "-3");
        assert_eq!(ExportCell::Empty.csv_text(), "");
        assert_eq!(ExportCell::Text("=x".to_owned()).csv_text(), "=x");
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(shown("court"), "court");
        let long = shown(&"é".repeat(500)).into_owned();
        assert_eq!(long.chars().count(), 81);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn headers_fold_without_accents_or_brackets() {
        assert_eq!(fold_header("Poids (g)"), "poids");
        assert_eq!(fold_header("Qté."), "qte");
        assert_eq!(fold_words("Dépôt-Vente"), "depot vente");
    }
}
