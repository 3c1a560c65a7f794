//! Reading files: the French Excel fixture, CSV, XLSX and ODS.

use super::*;

// -- the French Excel fixture ------------------------------------------------------------

#[test]
fn the_french_excel_fixture_gives_eleven_products_and_five_refusals() {
    let report = import(FIXTURE);
    assert_eq!(report.accepted.len(), 11);
    assert_eq!(
        refusals(&report),
        vec![
            (13, RefusalReason::InvalidPrice { value: value("gratuit") }),
            (14, RefusalReason::NegativePrice { value: value("-12,00 €") }),
            (15, RefusalReason::DuplicateReference { reference: value("PAIN-01"), first_row: 2 }),
            (16, RefusalReason::MissingReference),
            (18, RefusalReason::InvalidStock { value: value("abc") }),
        ]
    );
    let rows: Vec<usize> = report.accepted.iter().map(|product| product.row).collect();
    assert_eq!(
        rows,
        vec![2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 17],
        "the blank row 9 counts, the two-line cell does not"
    );
}

#[test]
fn the_fixture_is_decoded_from_windows_1252_and_its_columns_recognised() {
    let table = read_table(FIXTURE).expect("the fixture is readable");
    assert_eq!(
        table.headers,
        ["Référence", "Désignation", "Prix TTC", "Unité", "Stock", "Catégorie", "Description", "Bio"]
    );
    assert_eq!(
        detect_mapping(&table.headers),
        vec![
            Some(Field::Reference),
            Some(Field::Name),
            Some(Field::Price),
            Some(Field::Unit),
            Some(Field::Stock),
            Some(Field::Category),
            Some(Field::Description),
            Some(Field::Organic),
        ]
    );
}

#[test]
fn the_fixture_values_are_read_exactly() {
    let report = import(FIXTURE);
    let baguette = accepted(&report, "PAIN-01");
    assert_eq!(baguette.row, 2);
    assert_eq!(baguette.name, "Baguette tradition");
    assert_eq!(baguette.price_cents, 120, "1,20 € is 120 cents");
    assert_eq!(baguette.unit, Unit::Piece);
    assert_eq!(baguette.stock, Some(120));
    assert_eq!(baguette.category.as_deref(), Some("Pains"));
    assert_eq!(baguette.description, "Farine Label Rouge, levain naturel");
    assert!(!baguette.organic);
    assert!(baguette.available, "available by default");
    assert_eq!(baguette.vat_rate_bp, None);

    assert_eq!(accepted(&report, "PAIN-02").description, "Seigle; froment");
    let cereales = accepted(&report, "PAIN-03");
    assert_eq!((cereales.price_cents, cereales.organic, cereales.description.as_str()), (360, true, ""));
    let tarte = accepted(&report, "PAT-01");
    assert_eq!(tarte.row, 7);
    assert_eq!(tarte.description, "Pommes du verger Lafont,\npâte brisée maison");
    assert_eq!(tarte.price_cents, 1450);
    assert_eq!(accepted(&report, "PAT-02").unit, Unit::Portion);
    let farine = accepted(&report, "EPI-01");
    assert_eq!((farine.row, farine.unit, farine.category.as_deref()), (10, Unit::Kg, Some("Épicerie")));
    assert_eq!(accepted(&report, "EPI-02").unit, Unit::Jar);
    let oeufs = accepted(&report, "EPI-03");
    assert_eq!((oeufs.name.as_str(), oeufs.unit), ("Œufs plein air x6", Unit::Box));
    let jus = accepted(&report, "BOIS-01");
    assert_eq!(jus.row, 17);
    assert_eq!(jus.stock, None, "an empty stock is unlimited");
    assert_eq!(jus.price_cents, 350, "spaces around the price are ignored");
    assert_eq!(jus.unit, Unit::Bottle);
    assert!(jus.organic);
}

#[test]
fn the_same_data_in_utf8_with_bom_and_commas_gives_the_same_report() {
    let table = read_table(FIXTURE).expect("the fixture is readable");
    let quoted = |cell: &str| {
        if cell.contains([',', '"', '\n', ';']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    };
    let mut text = String::from("\u{feff}");
    text.push_str(&table.headers.iter().map(|cell| quoted(cell)).collect::<Vec<_>>().join(","));
    text.push('\n');
    let mut line = 1;
    for (row, cells) in &table.rows {
        while line + 1 < *row {
            text.push('\n'); // the blank row 9
            line += 1;
        }
        text.push_str(&cells.iter().map(|cell| quoted(cell)).collect::<Vec<_>>().join(","));
        text.push('\n');
        line += 1;
    }
    assert!(text.contains("PAIN-01,Baguette tradition,\"1,20 €\",pièce,120,Pains,"), "{text}");
    assert_eq!(import_text(&text), import(FIXTURE));
}

// -- reading -----------------------------------------------------------------------------

#[test]
fn tab_separated_text_is_read() {
    let report = import_text("Ref\tName\tPrice\nA1\tApple\t0.45\n");
    assert_eq!(accepted(&report, "A1").price_cents, 45);
}

#[test]
fn blank_rows_are_skipped_but_counted() {
    let table = read_table("Réf;Nom;Prix\n\n;;\nA;Pomme;1\n   \nB;Poire;2\n".as_bytes()).expect("readable");
    let rows: Vec<usize> = table.rows.iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, vec![4, 6]);
    assert_eq!(rows_to_products(&table, &detect_mapping(&table.headers)).refused, vec![]);
}

#[test]
fn every_row_is_as_wide_as_the_widest() {
    let table = read_table("Réf;Nom;Prix;;\nA;Pomme;1\nB;Poire;2;;note;\n".as_bytes()).expect("readable");
    assert_eq!(table.headers, ["Réf", "Nom", "Prix", "", ""]);
    assert_eq!(table.rows[0].1, ["A", "Pomme", "1", "", ""]);
    assert_eq!(table.rows[1].1, ["B", "Poire", "2", "", "note"]);
}

#[test]
fn the_formula_guard_is_removed_on_import() {
    let table =
        read_table("Réf;Nom;Prix\nA;'=SOMME(1);1\nB;'-5 %;1\nC;'abc;1\n".as_bytes()).expect("readable");
    let names: Vec<&str> = table.rows.iter().map(|(_, cells)| cells[1].as_str()).collect();
    assert_eq!(names, ["=SOMME(1)", "-5 %", "'abc"]);
}

#[test]
fn empty_files_are_refused_as_empty() {
    for bytes in [&b""[..], b"   \r\n\n", "\u{feff}".as_bytes(), "\u{feff}\n;;\n".as_bytes()] {
        assert_eq!(read_table(bytes), Err(SheetError::Empty), "{bytes:?}");
    }
}

#[test]
fn a_file_with_titles_only_has_no_data() {
    assert_eq!(read_table("Référence;Désignation;Prix\n;;\n".as_bytes()), Err(SheetError::NoData));
}

#[test]
fn binary_files_and_broken_workbooks_are_unreadable() {
    assert!(matches!(read_table(b"%PDF-1.7\n\0\0\x01binary"), Err(SheetError::Unreadable(_))));
    assert!(matches!(read_table(b"PK\x03\x04 not really a zip"), Err(SheetError::Unreadable(_))));
}

#[test]
fn a_csv_longer_than_the_limit_is_too_large() {
    let mut text = String::from("Réf;Nom;Prix\n");
    for index in 0..MAX_ROWS {
        text.push_str(&format!("R{index};Produit;1\n"));
    }
    assert_eq!(read_table(text.as_bytes()), Err(SheetError::TooLarge { max_rows: MAX_ROWS }));
}

#[test]
fn numbers_are_shown_with_fifteen_significant_digits() {
    let cases = [
        (1.2, "1.2"),
        (0.1 + 0.2, "0.3"),
        (3.5000000000000004, "3.5"),
        (120.0, "120"),
        (-12.0, "-12"),
        (0.055, "0.055"),
        (0.0, "0"),
        (-0.0, "0"),
        (1234567.89, "1234567.89"),
        (4006381333931.0, "4006381333931"),
        (0.000125, "0.000125"),
        (-2.5, "-2.5"),
        (1e20, "100000000000000000000"),
        (9.999999999999999, "10"),
    ];
    for (number, shown) in cases {
        assert_eq!(number_text(number), shown, "{number:?}");
    }
}

// -- XLSX and ODS ------------------------------------------------------------------------

/// A workbook as a baker would make it: numeric cells, a percentage cell, a boolean, a blank
/// row, a second sheet that is not read.
fn baker_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in
        (0_u16..).zip(["Réf.", "Produit", "Prix (€)", "Unité", "Qté", "TVA", "Bio", "Description"])
    {
        sheet.write_string(0, column, title).unwrap();
    }
    let euros = Format::new().set_num_format("#,##0.00 €");
    let percent = Format::new().set_num_format("0.0%");
    sheet.write_string(1, 0, "PAIN-01").unwrap();
    sheet.write_string(1, 1, "Baguette tradition").unwrap();
    sheet.write_number_with_format(1, 2, 1.2, &euros).unwrap();
    sheet.write_string(1, 3, "pièce").unwrap();
    sheet.write_number(1, 4, 120).unwrap();
    sheet.write_number_with_format(1, 5, 0.055, &percent).unwrap();
    sheet.write_boolean(1, 6, false).unwrap();
    sheet.write_string(1, 7, "Levain naturel,\nfarine Label Rouge").unwrap();
    // Row 3 blank.
    sheet.write_number(3, 0, 4006381333931.0).unwrap();
    sheet.write_string(3, 1, "Sirop d'érable").unwrap();
    sheet.write_number(3, 2, 0.1 + 0.2).unwrap();
    sheet.write_string(3, 3, "bouteille").unwrap();
    sheet.write_number(3, 4, 12.0).unwrap();
    sheet.write_number(3, 5, 20).unwrap();
    sheet.write_boolean(3, 6, true).unwrap();
    sheet.write_string(4, 0, "'=FAUX()").unwrap();
    sheet.write_string(4, 1, "Gratuit").unwrap();
    sheet.write_string(4, 2, "gratuit").unwrap();
    workbook.add_worksheet().write_string(0, 0, "second sheet").unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_workbook_is_read_with_exact_numbers() {
    let table = read_table(&baker_workbook()).expect("the workbook is readable");
    assert_eq!(table.headers, ["Réf.", "Produit", "Prix (€)", "Unité", "Qté", "TVA", "Bio", "Description"]);
    assert_eq!(
        table.rows[0],
        (
            2,
            vec![
                value("PAIN-01"),
                value("Baguette tradition"),
                value("1.2"),
                value("pièce"),
                value("120"),
                value("0.055"),
                value("FAUX"),
                value("Levain naturel,\nfarine Label Rouge"),
            ]
        )
    );
    assert_eq!(table.rows[1].0, 4, "the blank row 3 counts");
    assert_eq!(table.rows[1].1[..3], [value("4006381333931"), value("Sirop d'érable"), value("0.3")]);

    let report = rows_to_products(&table, &detect_mapping(&table.headers));
    let baguette = accepted(&report, "PAIN-01");
    assert_eq!(baguette.price_cents, 120, "the numeric cell 1.2 is 120 cents exactly");
    assert_eq!(baguette.stock, Some(120));
    assert_eq!(baguette.vat_rate_bp, Some(550), "a 5.5 % percentage cell holds 0.055");
    assert!(!baguette.organic);
    let sirop = accepted(&report, "4006381333931");
    assert_eq!((sirop.row, sirop.price_cents, sirop.stock), (4, 30, Some(12)));
    assert_eq!(sirop.vat_rate_bp, Some(2000));
    assert!(sirop.organic);
    assert_eq!(refusals(&report), vec![(5, RefusalReason::InvalidPrice { value: value("gratuit") })]);
}

/// A workbook with a title and one more cell.
fn workbook_with_a_cell_at(row: u32, column: u16) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Référence").unwrap();
    sheet.write_string(row, column, "far away").unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn stray_xlsx_cells_far_away_allocate_nothing() {
    // calamine's whole-sheet reader would allocate the 17 billion cells between A1 and XFD1048576.
    assert_eq!(read_table(&workbook_with_a_cell_at(1_048_575, 16_383)), Err(SheetError::NoData));
    assert_eq!(
        read_table(&workbook_with_a_cell_at(1, 16_383)),
        Err(SheetError::NoData),
        "far right is ignored"
    );
    let too_low = u32::try_from(MAX_ROWS).unwrap();
    assert_eq!(
        read_table(&workbook_with_a_cell_at(too_low, 0)),
        Err(SheetError::TooLarge { max_rows: MAX_ROWS })
    );
    assert!(read_table(&workbook_with_a_cell_at(too_low - 1, 0)).is_ok(), "the last row read");
}

#[test]
fn an_xlsx_with_only_an_empty_sheet_is_empty() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet();
    assert_eq!(read_table(&workbook.save_to_buffer().unwrap()), Err(SheetError::Empty));
}

/// A zip archive with the entries stored uncompressed, as an ODS needs no more.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0_u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut archive = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(archive.len()).unwrap();
        let (crc, size, name_length) =
            (crc32(data), u32::try_from(data.len()).unwrap(), u16::try_from(name.len()).unwrap());
        // version 2.0, no flags, stored, time 00:00, date 1980-01-01
        let common = [
            &20_u16.to_le_bytes()[..],
            &0_u16.to_le_bytes(),
            &0_u16.to_le_bytes(),
            &0_u16.to_le_bytes(),
            &0x21_u16.to_le_bytes(),
            &crc.to_le_bytes(),
            &size.to_le_bytes(),
            &size.to_le_bytes(),
            &name_length.to_le_bytes(),
            &0_u16.to_le_bytes(),
        ]
        .concat();
        archive.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        archive.extend_from_slice(&common);
        archive.extend_from_slice(name.as_bytes());
        archive.extend_from_slice(data);
        directory.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        directory.extend_from_slice(&20_u16.to_le_bytes());
        directory.extend_from_slice(&common);
        // comment length, disk, internal and external attributes
        directory.extend_from_slice(&[0; 2 + 2 + 2 + 4]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let (directory_offset, directory_size) =
        (u32::try_from(archive.len()).unwrap(), u32::try_from(directory.len()).unwrap());
    let count = u16::try_from(entries.len()).unwrap();
    archive.extend_from_slice(&directory);
    archive.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    archive.extend_from_slice(&[0; 4]);
    archive.extend_from_slice(&count.to_le_bytes());
    archive.extend_from_slice(&count.to_le_bytes());
    archive.extend_from_slice(&directory_size.to_le_bytes());
    archive.extend_from_slice(&directory_offset.to_le_bytes());
    archive.extend_from_slice(&0_u16.to_le_bytes());
    archive
}

/// An ODS as LibreOffice writes it: typed cells (float, currency, percentage, boolean), a
/// two-paragraph text cell, and the repeated empty rows and columns that fill the sheet.
fn libreoffice_workbook() -> Vec<u8> {
    let text = |paragraphs: &[&str]| {
        let paragraphs: String = paragraphs.iter().map(|text| format!("<text:p>{text}</text:p>")).collect();
        format!(r#"<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>"#)
    };
    let number = |kind: &str, value: &str, shown: &str| {
        format!(
            r#"<table:table-cell office:value-type="{kind}" office:value="{value}"><text:p>{shown}</text:p></table:table-cell>"#
        )
    };
    let yes = r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>VRAI</text:p></table:table-cell>"#;
    let empty_cells =
        |count: usize| format!(r#"<table:table-cell table:number-columns-repeated="{count}"/>"#);
    let row = |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
    let empty_rows = |count: usize| {
        format!(
            r#"<table:table-row table:number-rows-repeated="{count}">{}</table:table-row>"#,
            empty_cells(1024)
        )
    };
    let titles = ["Référence", "Désignation", "Prix TTC", "Unité", "Stock", "TVA", "Bio", "Description"];
    let sheet = [
        row(&titles.map(|title| text(&[title]))),
        row(&[
            text(&["VIEN-01"]),
            text(&["Croissant pur beurre"]),
            number("currency", "1.15", "1,15 €"),
            text(&["pièce"]),
            number("float", "200", "200"),
            number("percentage", "0.055", "5,50 %"),
            yes.to_owned(),
            text(&["Beurre AOP", "Charentes-Poitou"]),
            empty_cells(1016),
        ]),
        empty_rows(2),
        row(&[
            text(&["VIEN-02"]),
            text(&["Pain au chocolat"]),
            number("float", "1.25", "1,25"),
            empty_cells(1021),
        ]),
        empty_rows(1_048_571),
    ]
    .concat();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content office:version="1.3"
  xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet><table:table table:name="Produits">
<table:table-column table:number-columns-repeated="1024"/>{sheet}</table:table>
</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
  <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
  <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    stored_zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ])
}

#[test]
fn an_ods_workbook_is_read_with_exact_numbers() {
    let table = read_table(&libreoffice_workbook()).expect("the workbook is readable");
    assert_eq!(table.headers.len(), 8, "the repeated empty columns are dropped");
    assert_eq!(table.rows.len(), 2, "the repeated empty rows are dropped");
    let report = rows_to_products(&table, &detect_mapping(&table.headers));
    assert_eq!(report.refused, vec![]);
    let croissant = accepted(&report, "VIEN-01");
    assert_eq!(croissant.row, 2);
    assert_eq!(croissant.price_cents, 115);
    assert_eq!(croissant.stock, Some(200));
    assert_eq!(croissant.vat_rate_bp, Some(550));
    assert!(croissant.organic);
    assert_eq!(croissant.description, "Beurre AOP\nCharentes-Poitou");
    let pain_au_chocolat = accepted(&report, "VIEN-02");
    assert_eq!((pain_au_chocolat.row, pain_au_chocolat.price_cents), (5, 125));
}
