//! Exports to CSV and XLSX, and reading them back.

use super::*;

// -- export ------------------------------------------------------------------------------

fn baguette() -> ExportProduct {
    ExportProduct {
        reference: value("PAIN-01"),
        name: value("Baguette tradition"),
        description: value("Farine Label Rouge, levain naturel"),
        category: Some(value("Pains")),
        unit: Unit::Piece,
        price_cents: 120,
        vat_rate_bp: Some(550),
        stock: Some(120),
        available: true,
        sold_by_weight: false,
        estimated_weight_g: Some(250),
        organic: false,
        local_label: true,
        allergens: vec![Allergen::Gluten],
        ingredients: value("farine de blé, eau, levain, sel"),
    }
}

/// Products that use every value the export can write.
fn varied_products() -> Vec<ExportProduct> {
    let mut products = vec![baguette()];
    for (index, unit) in Unit::ALL.into_iter().enumerate() {
        let index_i64 = i64::try_from(index).unwrap();
        products.push(ExportProduct {
            reference: format!("R-{index:03}"),
            name: format!("Produit « {} » n°{index}", french_unit(unit)),
            description: value("Deux lignes ;\n\"guillemets\", virgules, tabulation\tet fin."),
            category: (index % 2 == 0).then(|| value("Épicerie fine")),
            unit,
            price_cents: [0, 1, 5, 10, 99, 100, 1999, 123_450, 1_000_000, 7][index],
            vat_rate_bp: [
                None,
                Some(0),
                Some(90),
                Some(105),
                Some(210),
                Some(550),
                Some(850),
                Some(1000),
                Some(1300),
                Some(2000),
            ][index],
            stock: if index % 3 == 0 { None } else { Some(index_i64 * 7) },
            available: index % 2 == 1,
            sold_by_weight: index % 3 == 1,
            estimated_weight_g: (index % 4 == 0).then_some(index_i64 * 100 + 50),
            organic: index % 5 == 0,
            local_label: index % 2 == 0,
            allergens: Allergen::ALL.into_iter().skip(index).step_by(3).collect(),
            ingredients: if index == 3 { String::new() } else { value("sucre, œufs; farine T65") },
        });
    }
    products.push(ExportProduct {
        reference: value("=HYPERLINK(\"x\")"),
        name: value("-20 % sur le pain"),
        description: value("@moi +33 6 00 00 00 00"),
        category: Some(value("'=déjà gardé")),
        ingredients: value("'-moins"),
        allergens: Allergen::ALL.to_vec(),
        ..baguette()
    });
    products.push(ExportProduct { reference: value("00123"), name: value("+33"), ..baguette() });
    products
}

fn as_exported(product: &ProductRow) -> ExportProduct {
    product.product.clone()
}

#[test]
fn csv_export_is_what_french_excel_expects() {
    let csv = String::from_utf8(products_to_csv(&[baguette()])).unwrap();
    assert_eq!(
        csv,
        "\u{feff}Référence;Désignation;Description;Catégorie;Unité;Prix TTC;TVA;Stock;Disponible;Vendu au poids;\
         Poids estimé (g);Bio;Label local;Allergènes;Ingrédients\r\n\
         PAIN-01;Baguette tradition;Farine Label Rouge, levain naturel;Pains;pièce;1,20;5,5 %;120;oui;non;250;\
         non;oui;gluten;farine de blé, eau, levain, sel\r\n"
    );
    let bare = ExportProduct {
        description: value("Deux lignes ;\n\"guillemets\""),
        category: None,
        vat_rate_bp: None,
        stock: None,
        estimated_weight_g: None,
        allergens: vec![Allergen::Milk, Allergen::Eggs],
        ingredients: String::new(),
        ..baguette()
    };
    let csv = String::from_utf8(products_to_csv(&[bare])).unwrap();
    assert!(
        csv.ends_with("\r\nPAIN-01;Baguette tradition;\"Deux lignes ;\n\"\"guillemets\"\"\";;pièce;1,20;;;oui;non;;non;oui;lait, œufs;\r\n"),
        "{csv}"
    );
    assert_eq!(String::from_utf8(products_to_csv(&[])).unwrap().lines().count(), 1);
}

#[test]
fn csv_export_guards_against_formulas() {
    let products = varied_products();
    let csv = String::from_utf8(products_to_csv(&products)).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"x\"\")\";'-20 % sur le pain;'@moi +33 6 00 00 00 00;''=déjà gardé;"),
        "{csv}"
    );
    assert!(csv.contains(";''-moins\r\n"), "{csv}");
    assert!(csv.contains("00123;+33;"), "a plain number is left as it is");
}

#[test]
fn export_headers_are_detected_as_their_fields() {
    let headers = EXPORT_HEADERS.map(str::to_owned);
    assert_eq!(detect_mapping(&headers), Field::ALL.map(Some).to_vec());
}

#[test]
fn csv_export_then_import_gives_the_same_values() {
    let products = varied_products();
    let report = import(&products_to_csv(&products));
    assert_eq!(report.refused, vec![]);
    assert_eq!(report.accepted.iter().map(as_exported).collect::<Vec<_>>(), products);
    let rows: Vec<usize> = report.accepted.iter().map(|product| product.row).collect();
    assert_eq!(rows, (2..2 + products.len()).collect::<Vec<_>>());
}

#[test]
fn xlsx_export_then_import_gives_the_same_values() {
    let products = varied_products();
    let xlsx = products_to_xlsx(&products).expect("the workbook is written");
    assert!(xlsx.starts_with(b"PK\x03\x04"));
    let report = import(&xlsx);
    assert_eq!(report.refused, vec![]);
    assert_eq!(report.accepted.iter().map(as_exported).collect::<Vec<_>>(), products);
}

#[test]
fn xlsx_export_writes_numbers_as_numbers() {
    let table = read_table(&products_to_xlsx(&[baguette()]).unwrap()).unwrap();
    assert_eq!(table.headers, EXPORT_HEADERS);
    let cells = &table.rows[0].1;
    assert_eq!(
        (cells[5].as_str(), cells[6].as_str(), cells[7].as_str(), cells[10].as_str()),
        ("1.2", "0.055", "120", "250")
    );
}

#[test]
fn xlsx_export_refuses_a_text_longer_than_a_cell_holds() {
    let product = ExportProduct { description: "a".repeat(40_000), ..baguette() };
    assert!(products_to_xlsx(&[product]).is_err());
}

// -- performance -------------------------------------------------------------------------

/// `cargo test --release -- --ignored --nocapture reading_5000`
#[test]
#[ignore = "timing: run in release mode"]
fn reading_5000_xlsx_rows_takes_well_under_a_second() {
    let products: Vec<ExportProduct> = (0..5000)
        .map(|index| ExportProduct {
            reference: format!("REF-{index:05}"),
            name: format!("Produit numéro {index}"),
            description: value("Une description de taille ordinaire, avec quelques mots et une virgule."),
            ..baguette()
        })
        .collect();
    let xlsx = products_to_xlsx(&products).unwrap();
    let csv = products_to_csv(&products);
    let started = std::time::Instant::now();
    let table = read_table(&xlsx).unwrap();
    let mapping = detect_mapping(&table.headers);
    let report = rows_to_products(&table, &mapping);
    let xlsx_time = started.elapsed();
    assert_eq!(report.accepted.len(), 5000);
    let started = std::time::Instant::now();
    let report = rows_to_products(&read_table(&csv).unwrap(), &mapping);
    let csv_time = started.elapsed();
    assert_eq!(report.accepted.len(), 5000);
    println!(
        "5000 rows: xlsx ({} KiB) {xlsx_time:?}, csv ({} KiB) {csv_time:?}",
        xlsx.len() / 1024,
        csv.len() / 1024
    );
    assert!(xlsx_time < std::time::Duration::from_secs(1), "{xlsx_time:?}");
}
