//! Column mapping, values and refusals.

use super::*;

// -- mapping -----------------------------------------------------------------------------

fn detected(header: &str) -> Option<Field> {
    detect_mapping(&[header.to_owned()])[0]
}

#[test]
fn usual_french_and_english_headers_are_recognised() {
    let cases = [
        (Field::Reference, &["Référence", "Ref", "RÉF.", "SKU", "Code", "Code article", "reference"][..]),
        (Field::Name, &["Désignation", "Nom", "Produit", "Libellé", "Name", "Product", "nom du produit"]),
        (Field::Description, &["Description", "Descriptif"]),
        (Field::Category, &["Catégorie", "Rayon", "Famille", "Category"]),
        (Field::Unit, &["Unité", "Unit", "Conditionnement", "Unité de vente"]),
        (Field::Price, &["Prix", "Prix TTC", "Prix de vente", "Tarif", "Price", "Prix TTC (€)", "PRIX"]),
        (Field::VatRate, &["TVA", "Taux TVA", "Taux de TVA", "VAT", "TVA (%)"]),
        (Field::Stock, &["Stock", "Quantité", "Qté", "Qty", "Quantity"]),
        (Field::Available, &["Disponible", "Actif", "En vente", "Available"]),
        (Field::SoldByWeight, &["Vendu au poids", "Au poids", "By weight"]),
        (Field::EstimatedWeight, &["Poids estimé", "Poids (g)", "Weight", "Poids estimé (g)"]),
        (Field::Organic, &["Bio", "AB", "Organic"]),
        (Field::LocalLabel, &["Label local", "Label", "local label"]),
        (Field::Allergens, &["Allergènes", "Allergens", "ALLERGENES"]),
        (Field::Ingredients, &["Ingrédients", "Composition", "Ingredients"]),
    ];
    for (field, headers) in cases {
        for header in headers {
            assert_eq!(detected(header), Some(field), "{header}");
        }
    }
    for header in ["PV", "", "Prix HT", "Fournisseur", "Commentaire"] {
        assert_eq!(detected(header), None, "{header}");
    }
}

#[test]
fn no_header_alias_belongs_to_two_fields() {
    let mut seen = HashMap::new();
    for field in Field::ALL {
        for alias in field.header_aliases() {
            assert_eq!(fold_header(alias), *alias, "aliases are written folded");
            if let Some(other) = seen.insert(*alias, field) {
                panic!("{alias} means both {other:?} and {field:?}");
            }
        }
    }
}

#[test]
fn the_most_specific_header_wins_and_the_other_is_ignored() {
    let headers = ["Prix", "Réf", "Prix TTC", "Nom", "Prix"].map(str::to_owned);
    assert_eq!(
        detect_mapping(&headers),
        vec![None, Some(Field::Reference), Some(Field::Price), Some(Field::Name), None]
    );
}

#[test]
fn a_column_the_detection_missed_can_be_mapped_by_the_person() {
    let table = read_table("Réf;Nom;PV\nA1;Pomme;0,45 €\n".as_bytes()).expect("readable");
    let mut mapping = detect_mapping(&table.headers);
    assert_eq!(mapping, vec![Some(Field::Reference), Some(Field::Name), None]);
    assert_eq!(check_mapping(&mapping), vec![(Field::Price, MAPPING_MISSING)]);
    mapping[2] = Some(Field::Price);
    assert_eq!(check_mapping(&mapping), vec![]);
    let report = rows_to_products(&table, &mapping);
    assert_eq!(accepted(&report, "A1").price_cents, 45);
}

#[test]
fn check_mapping_reports_missing_required_fields_and_fields_mapped_twice() {
    assert_eq!(
        check_mapping(&vec![None, Some(Field::Stock)]),
        vec![
            (Field::Reference, MAPPING_MISSING),
            (Field::Name, MAPPING_MISSING),
            (Field::Price, MAPPING_MISSING)
        ]
    );
    let mapping = vec![
        Some(Field::Reference),
        Some(Field::Name),
        Some(Field::Price),
        Some(Field::Name),
        Some(Field::Organic),
        Some(Field::Organic),
        None,
    ];
    assert_eq!(check_mapping(&mapping), vec![(Field::Name, MAPPING_TWICE), (Field::Organic, MAPPING_TWICE)]);
    assert_eq!((MAPPING_MISSING, MAPPING_TWICE), ("catalog.mapping.missing", "catalog.mapping.twice"));
}

#[test]
fn a_mapping_shorter_than_the_table_ignores_the_other_columns() {
    let table = read_table("Réf;Nom;Prix;Stock\nA1;Pomme;1;abc\n".as_bytes()).expect("readable");
    let mapping = vec![Some(Field::Reference), Some(Field::Name), Some(Field::Price)];
    assert_eq!(rows_to_products(&table, &mapping).accepted[0].stock, None);
}

#[test]
fn fields_have_names_and_label_keys() {
    for field in Field::ALL {
        assert_eq!(Field::parse(field.as_str()), Some(field));
        assert_eq!(field.label_key(), format!("catalog.field.{}", field.as_str()));
        assert_eq!(serde_json::to_value(field).unwrap(), field.as_str());
    }
    assert_eq!(Field::parse("price_cents"), None);
    assert_eq!(Field::ALL.iter().filter(|field| field.is_required()).count(), 3);
}

// -- values ------------------------------------------------------------------------------

#[test]
fn prices_are_read_to_the_cent_exactly() {
    let cases = [
        ("1,20 €", 120),
        ("1.20", 120),
        ("  3,50 €  ", 350),
        ("1 234,50", 123_450),
        ("1\u{a0}234,50 €", 123_450),
        ("1\u{202f}234,5", 123_450),
        ("1.234,50", 123_450),
        ("1,234.50", 123_450),
        ("12€", 1200),
        ("€ 3", 300),
        ("3 EUR", 300),
        ("2 euros", 200),
        ("0", 0),
        ("0,00 €", 0),
        ("-0", 0),
        (",5", 50),
        ("7.", 700),
        ("+4,1", 410),
        ("0.3", 30),
        ("19,99", 1999),
        ("123456789012,34", 12_345_678_901_234),
    ];
    for (written, cents) in cases {
        assert_eq!(price_of(written), Ok(cents), "{written}");
    }
}

#[test]
fn unreadable_and_negative_prices_are_refused() {
    for written in
        ["gratuit", "1,234", "1,2,3", "1.2.3", "12,5 kg", "€", "-", "1 2 3,4,5", "0x10", "1e3", "12.345,6.7"]
    {
        assert_eq!(
            price_of(written),
            Err(RefusalReason::InvalidPrice { value: value(written) }),
            "{written}"
        );
    }
    for written in ["-12,00 €", "-0,01", "\u{2212}3"] {
        assert_eq!(
            price_of(written),
            Err(RefusalReason::NegativePrice { value: value(written) }),
            "{written}"
        );
    }
    assert_eq!(price_of(""), Err(RefusalReason::MissingPrice));
    assert_eq!(
        price_of("99999999999999999999"),
        Err(RefusalReason::InvalidPrice { value: value("99999999999999999999") })
    );
}

#[test]
fn units_are_read_in_french_and_english() {
    let cases = [
        ("pièce", Unit::Piece),
        ("Piece", Unit::Piece),
        ("pc", Unit::Piece),
        ("u", Unit::Piece),
        ("Unité", Unit::Piece),
        ("la pièce", Unit::Piece),
        ("", Unit::Piece),
        ("kg", Unit::Kg),
        ("KG", Unit::Kg),
        ("kilo", Unit::Kg),
        ("le kg", Unit::Kg),
        ("€/kg", Unit::Kg),
        ("100 g", Unit::Grams100),
        ("100g", Unit::Grams100),
        ("les 100 g", Unit::Grams100),
        ("l", Unit::Litre),
        ("L", Unit::Litre),
        ("litre", Unit::Litre),
        ("botte", Unit::Bunch),
        ("barquette", Unit::Tray),
        ("pot", Unit::Jar),
        ("bouteille", Unit::Bottle),
        ("boîte", Unit::Box),
        ("boite", Unit::Box),
        ("box", Unit::Box),
        ("part", Unit::Portion),
        ("portion", Unit::Portion),
    ];
    for (written, unit) in cases {
        assert_eq!(single("Unité", written).unit, unit, "{written}");
    }
    for unit in Unit::ALL {
        assert_eq!(single("Unité", unit.as_str()).unit, unit, "{}", unit.as_str());
    }
    assert_eq!(refusal("Unité", "sachet"), RefusalReason::UnknownUnit { value: value("sachet") });
}

#[test]
fn stock_is_a_whole_number_or_unlimited() {
    let cases = [
        ("", None),
        ("12", Some(12)),
        ("12,0", Some(12)),
        ("0", Some(0)),
        ("1 200", Some(1200)),
        ("illimité", None),
    ];
    for (written, stock) in cases {
        assert_eq!(single("Stock", written).stock, stock, "{written:?}");
    }
    for written in ["abc", "-1", "1,5", "12 pièces"] {
        assert_eq!(
            refusal("Stock", written),
            RefusalReason::InvalidStock { value: value(written) },
            "{written}"
        );
    }
}

#[test]
fn vat_rates_are_read_in_basis_points() {
    let cases = [
        ("", None),
        ("5,5 %", Some(550)),
        ("5.5", Some(550)),
        ("20", Some(2000)),
        ("20%", Some(2000)),
        ("2,1", Some(210)),
        ("10 %", Some(1000)),
        ("1,05 %", Some(105)),
        ("0,9 %", Some(90)),
        ("0", Some(0)),
        ("0,055", Some(550)),
        ("0.2", Some(2000)),
        ("0,009", Some(90)),
        ("5,50 %", Some(550)),
    ];
    for (written, basis_points) in cases {
        assert_eq!(single("TVA", written).vat_rate_bp, basis_points, "{written:?}");
    }
    for written in ["abc", "-5", "0,9", "55", "5,555 %", "20 % HT"] {
        assert_eq!(refusal("TVA", written), RefusalReason::InvalidVat { value: value(written) }, "{written}");
    }
}

#[test]
fn yes_and_no_in_every_usual_form() {
    for written in ["oui", "Oui", "OUI", "yes", "x", "X", "1", "vrai", "VRAI", "true"] {
        assert!(single("Bio", written).organic, "{written}");
    }
    for written in ["non", "no", "0", "faux", "FAUX", "false", ""] {
        assert!(!single("Bio", written).organic, "{written:?}");
    }
    assert!(single("Disponible", "").available, "available by default");
    assert!(!single("Disponible", "non").available);
    assert!(single("Vendu au poids", "oui").sold_by_weight);
    assert!(single("Label local", "x").local_label);
    assert_eq!(
        refusal("Bio", "peut-être"),
        RefusalReason::UnknownYesNo { field: "organic", value: value("peut-être") }
    );
}

#[test]
fn allergens_are_read_from_french_and_english_lists() {
    assert_eq!(
        single("Allergènes", "Gluten, lait; œufs / fruits à coque").allergens,
        vec![Allergen::Gluten, Allergen::Eggs, Allergen::Milk, Allergen::Nuts]
    );
    assert_eq!(
        single("Allergens", "sesame, mustard, celery, soy, peanuts").allergens,
        vec![Allergen::Peanuts, Allergen::Soybeans, Allergen::Celery, Allergen::Mustard, Allergen::Sesame]
    );
}

#[test]
fn every_allergen_is_read_by_its_french_and_english_name() {
    for allergen in Allergen::ALL {
        assert_eq!(single("Allergènes", french_allergen(allergen)).allergens, vec![allergen]);
        assert_eq!(single("Allergènes", allergen.as_str()).allergens, vec![allergen]);
    }
    let french = "gluten, crustacés, œufs, poisson, arachides, soja, lait, fruits à coque, céleri, moutarde, sésame, sulfites, lupin, mollusques";
    assert_eq!(single("Allergènes", french).allergens, Allergen::ALL.to_vec());
    assert_eq!(
        single("Allergènes", "Blé, seigle et LAIT, lait").allergens,
        vec![Allergen::Gluten, Allergen::Milk]
    );
    assert_eq!(single("Allergènes", "aucun").allergens, vec![]);
    assert_eq!(single("Allergènes", "").allergens, vec![]);
    assert_eq!(
        refusal("Allergènes", "lait, chocolat"),
        RefusalReason::UnknownAllergen { value: value("chocolat") }
    );
}

#[test]
fn estimated_weights_are_whole_grams() {
    let cases = [
        ("", None),
        ("250", Some(250)),
        ("250 g", Some(250)),
        ("250g", Some(250)),
        ("0,25 kg", Some(250)),
        ("1,2kg", Some(1200)),
        ("250,0", Some(250)),
    ];
    for (written, grams) in cases {
        assert_eq!(single("Poids estimé (g)", written).estimated_weight_g, grams, "{written:?}");
    }
    for written in ["abc", "0", "-3", "250,5", "0,2505 kg", "2 livres"] {
        assert_eq!(
            refusal("Poids", written),
            RefusalReason::InvalidWeight { value: value(written) },
            "{written}"
        );
    }
}

#[test]
fn a_reference_twice_is_refused_regardless_of_case_but_a_refused_row_blocks_nothing() {
    let report =
        import_text("Réf;Nom;Prix\n pain-01 ;Baguette;gratuit\nPAIN-01;Baguette;1\npain-01;Baguette bis;1\n");
    assert_eq!(accepted(&report, "PAIN-01").row, 3);
    assert_eq!(
        refusals(&report),
        vec![
            (2, RefusalReason::InvalidPrice { value: value("gratuit") }),
            (4, RefusalReason::DuplicateReference { reference: value("pain-01"), first_row: 3 }),
        ]
    );
}

#[test]
fn missing_names_and_texts_too_long_are_refused() {
    let report = import_text("Réf;Nom;Prix\nA;;1\n");
    assert_eq!(refusals(&report), vec![(2, RefusalReason::MissingName)]);
    let limits = [
        (Field::Reference, 64),
        (Field::Name, 200),
        (Field::Category, 80),
        (Field::Description, 5000),
        (Field::Ingredients, 5000),
    ];
    for (field, max) in limits {
        // Columns: reference, name, price, then the text under test, which feeds `field`.
        let mut mapping = vec![Some(Field::Reference), Some(Field::Name), Some(Field::Price), Some(field)];
        if let Some(base) = mapping[..3].iter().position(|mapped| *mapped == Some(field)) {
            mapping[base] = None;
        }
        let table_with = |text: String| Table {
            headers: vec![String::new(); 4],
            rows: vec![(2, vec![value("R"), value("N"), value("1"), text])],
        };
        let too_long = rows_to_products(&table_with("é".repeat(max + 1)), &mapping);
        assert_eq!(
            refusals(&too_long),
            vec![(2, RefusalReason::TooLong { field: field.as_str(), max })],
            "{field:?}"
        );
        assert_eq!(rows_to_products(&table_with("é".repeat(max)), &mapping).refused, vec![], "{field:?}");
    }
}

#[test]
fn every_refusal_reason_has_a_french_and_an_english_sentence() {
    let reasons = [
        (RefusalReason::MissingReference, "référence manquante", "reference missing"),
        (RefusalReason::MissingName, "désignation manquante", "name missing"),
        (RefusalReason::MissingPrice, "prix manquant", "price missing"),
        (
            RefusalReason::InvalidPrice { value: value("gratuit") },
            "prix illisible : « gratuit »",
            "unreadable price: \"gratuit\"",
        ),
        (
            RefusalReason::NegativePrice { value: value("-12,00 €") },
            "prix négatif : -12,00 €",
            "negative price: -12,00 €",
        ),
        (
            RefusalReason::InvalidStock { value: value("abc") },
            "stock illisible : « abc »",
            "unreadable stock: \"abc\"",
        ),
        (
            RefusalReason::DuplicateReference { reference: value("PAIN-01"), first_row: 2 },
            "référence PAIN-01 déjà utilisée ligne 2",
            "reference PAIN-01 already used on row 2",
        ),
        (
            RefusalReason::TooLong { field: "name", max: 200 },
            "texte trop long pour la désignation (200 caractères au plus)",
            "text too long for the name (at most 200 characters)",
        ),
        (
            RefusalReason::UnknownYesNo { field: "organic", value: value("bof") },
            "oui ou non est attendu pour « bio » : « bof »",
            "yes or no is expected for \"organic\": \"bof\"",
        ),
    ];
    for (reason, french, english) in reasons {
        assert_eq!((reason.french(), reason.english()), (french.to_owned(), english.to_owned()));
    }
    let with_value = [
        RefusalReason::UnknownUnit { value: value("sachet") },
        RefusalReason::InvalidVat { value: value("sachet") },
        RefusalReason::UnknownAllergen { value: value("sachet") },
        RefusalReason::InvalidWeight { value: value("sachet") },
    ];
    for reason in with_value {
        assert!(reason.french().contains("« sachet »"), "{}", reason.french());
        assert!(reason.english().contains("\"sachet\""), "{}", reason.english());
    }
    let absurd = RefusalReason::InvalidPrice { value: "9".repeat(500) };
    assert!(absurd.french().chars().count() < 120, "a long value is cut in the message");
}

#[test]
fn sheet_errors_read_in_french_and_english() {
    assert_eq!(SheetError::Empty.to_string(), "le fichier est vide");
    assert_eq!(SheetError::Empty.english(), "the file is empty");
    assert!(SheetError::NoData.to_string().contains("ligne des titres"));
    assert!(SheetError::Unreadable(value("zip")).to_string().contains("(zip)"));
    assert!(SheetError::TooLarge { max_rows: MAX_ROWS }.to_string().contains("20000 lignes"));
    assert!(SheetError::TooLarge { max_rows: MAX_ROWS }.english().contains("20000 lines"));
}

#[test]
fn the_report_serialises_for_the_web_layer() {
    let report = import(FIXTURE);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["accepted"][0]["unit"], "piece");
    assert_eq!(json["accepted"][0]["price_cents"], 120);
    assert_eq!(json["refused"][2]["row"], 15);
    assert_eq!(json["refused"][2]["reason"]["code"], "duplicate_reference");
    assert_eq!(json["refused"][2]["reason"]["first_row"], 2);
    let table = read_table(FIXTURE).unwrap();
    let stored: Table = serde_json::from_value(serde_json::to_value(&table).unwrap()).unwrap();
    assert_eq!(stored, table, "the table can wait in a session between upload and confirmation");
}
