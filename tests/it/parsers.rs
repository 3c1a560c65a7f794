//! Hostile input for every importer and parser: arbitrary bytes, and valid files with bytes
//! changed, must give a value or a clear error, never a panic (a panic in a handler is a 500, in a
//! blocking task a lost worker). Limits on time and memory are checked by the parsers' own caps
//! (see `tabular::archive`, `catalog::dfc`); these properties check that no input gets past them
//! into a panic.

use proptest::prelude::*;

const CATALOGUE: &[u8] = include_bytes!("../../../shared/fixtures/catalogue-boulangerie-excel-fr.csv");
const DIRECTORY: &[u8] = include_bytes!("../../../shared/fixtures/annuaire-pros.csv");
const CAMT: &[u8] = include_bytes!("../fixtures/releve-banque-camt053.xml");
const DFC: &str = r#"{"@context": "https://www.datafoodconsortium.org", "@graph": [
  {"@id": "https://x.example/c", "@type": "dfc-b:Enterprise", "dfc-b:supplies": "https://x.example/p"},
  {"@id": "https://x.example/p", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Pain",
   "dfc-b:hasQuantity": {"@type": "dfc-b:QuantitativeValue", "dfc-b:value": 1}},
  {"@id": "https://x.example/o", "@type": "dfc-b:Offer", "dfc-b:offeredItem": "https://x.example/p",
   "dfc-b:hasPrice": {"@type": "dfc-b:Price", "dfc-b:value": 1.2}}]}"#;

/// A copy of `seed` with up to 16 bytes replaced and maybe cut short.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    (prop::collection::vec((0..len, any::<u8>()), 1..16), 0..=len).prop_map(move |(changes, keep)| {
        let mut bytes = seed.clone();
        for (at, byte) in changes {
            if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
        }
        bytes.truncate(keep.max(1));
        bytes
    })
}

fn xlsx_seed() -> Vec<u8> {
    halle::catalog::spreadsheet::products_to_xlsx(&[]).expect("an empty catalogue workbook")
}

fn png_seed() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(8, 8, image::Rgba([10, 200, 30, 255])))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn read_all(bytes: &[u8]) {
    let _ = halle::catalog::spreadsheet::read_table(bytes);
    let _ = halle::directory::import_export::parse_businesses_csv(bytes);
    let _ = halle::ledger::statement::parse(bytes);
    let _ = halle::directory::photo::process_photo(bytes);
    if let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let _ = halle::catalog::dfc::jsonld_to_catalog(&document);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_all(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_zip_signature_never_panic_the_workbook_reader(
        tail in prop::collection::vec(any::<u8>(), 0..2048)
    ) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let _ = halle::catalog::spreadsheet::read_table(&bytes);
    }

    #[test]
    fn a_mutated_catalogue_csv_never_panics(bytes in mutated(CATALOGUE.to_vec())) {
        let _ = halle::catalog::spreadsheet::read_table(&bytes);
    }

    #[test]
    fn a_mutated_directory_csv_never_panics(bytes in mutated(DIRECTORY.to_vec())) {
        let _ = halle::directory::import_export::parse_businesses_csv(&bytes);
    }

    #[test]
    fn a_mutated_xlsx_never_panics(bytes in mutated(xlsx_seed())) {
        let _ = halle::catalog::spreadsheet::read_table(&bytes);
    }

    #[test]
    fn a_mutated_camt053_statement_never_panics(bytes in mutated(CAMT.to_vec())) {
        let _ = halle::ledger::statement::parse(&bytes);
    }

    #[test]
    fn a_mutated_bank_csv_never_panics(bytes in mutated(b"Date;Libell\xc3\xa9;Montant\n16/03/2026;VIR ABCD-EFGH;35,50\n17/03/2026;FRAIS;-4,00\n".to_vec())) {
        let _ = halle::ledger::statement::parse(&bytes);
    }

    #[test]
    fn a_mutated_photo_never_panics(bytes in mutated(png_seed())) {
        let _ = halle::directory::photo::process_photo(&bytes);
    }

    #[test]
    fn a_mutated_dfc_catalogue_never_panics(bytes in mutated(DFC.as_bytes().to_vec())) {
        if let Ok(document) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            let _ = halle::catalog::dfc::jsonld_to_catalog(&document);
        }
    }
}
