//! Reading files: the shared fixture, encodings, separators, headers, row numbers and errors.

use super::*;

// -- the shared fixture ------------------------------------------------------------------

#[test]
fn fixture_gives_seven_accepted_and_three_refused() {
    let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
    assert_eq!(report.accepted.len(), 7);
    assert_eq!(
        refusals(&report),
        vec![
            (8, RefusalReason::MissingName),
            (9, RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }),
            (11, RefusalReason::LatitudeOutOfRange { value: "91.5".to_owned() }),
        ]
    );
    assert_eq!(report.ignored_columns, vec!["accepte_monnaie_locale".to_owned()], "the wallet decides");
    assert_eq!(report.recognised_columns.len(), 13);
    assert_eq!(report.recognised_columns[0], ("nom".to_owned(), "name"));
}

#[test]
fn fixture_keeps_html_as_plain_text() {
    let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
    let atelier = accepted_named(&report, "Atelier <script>alert('x')</script>");
    assert_eq!(atelier.row, 10);
    assert_eq!(atelier.description, "<img src=x onerror=alert(1)> texte");
    assert_eq!(atelier.kind, BusinessKind::Artisan, "guessed from the category Artisanat");
}

#[test]
fn fixture_boulangerie_lafont_has_every_field() {
    let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
    let lafont = accepted_named(&report, "Boulangerie Lafont");
    assert_eq!(lafont.row, 2);
    assert_eq!(lafont.kind, BusinessKind::Merchant);
    assert_eq!(lafont.category.as_deref(), Some("Boulangerie"));
    assert_eq!(lafont.address.as_deref(), Some("12 rue de la République"));
    assert_eq!(lafont.postcode.as_deref(), Some("30320"));
    assert_eq!(lafont.city.as_deref(), Some("Marguerittes"));
    assert_eq!(lafont.phone.as_deref(), Some("04 66 00 11 22"));
    assert_eq!(lafont.status, Some(CrisisStatus::Open));
    assert!(lafont.click_and_collect);
    assert!(lafont.delivery);
    assert!(!lafont.takes_consignment);
    assert_eq!(lafont.latitude, Some(43.8601));
    assert_eq!(lafont.longitude, Some(4.4432));
    assert_eq!(lafont.website.as_deref(), Some("https://boulangerie-lafont.example"));
    assert_eq!(lafont.social_links, vec!["https://facebook.com/boulangerielafont".to_owned()]);
    assert_eq!(lafont.description, "Pain au levain, viennoiseries. Commande la veille avant 18h.");
    assert_eq!(lafont.dedup_key(), "boulangerie lafont|30320");
}

#[test]
fn fixture_other_rows() {
    let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
    let soulat = accepted_named(&report, "Maison Soulat");
    assert_eq!(
        (soulat.status, soulat.click_and_collect, soulat.delivery),
        (Some(CrisisStatus::PickupOnly), true, false)
    );
    let drole = accepted_named(&report, "La Drôle d'Épicerie");
    assert!(drole.click_and_collect);
    assert_eq!(drole.phone, None);
    let ferme = accepted_named(&report, "Ferme du Gardon");
    assert_eq!(
        (ferme.kind, ferme.status, ferme.delivery),
        (BusinessKind::Producer, Some(CrisisStatus::DeliveryOnly), true)
    );
    let poissonnerie = accepted_named(&report, "Poissonnerie du Vieux-Port");
    assert_eq!(poissonnerie.status, Some(CrisisStatus::Closed));
    let pharmacie = accepted_named(&report, "Pharmacie des Arènes");
    assert_eq!(pharmacie.kind, BusinessKind::Health);
    assert_eq!(pharmacie.description, "");
}

// -- encodings and separators ------------------------------------------------------------

const FRENCH_SEMICOLON_FILE: &str = "Nom;Catégorie;Commune;Latitude;Longitude;Statut\r\n\
                                     Épicerie Gérard;Épicerie;Angoulême;45,6484;0,1562;Fermé\r\n";

fn assert_french_semicolon_file(report: &ImportReport) {
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let gerard = &report.accepted[0];
    assert_eq!(gerard.name, "Épicerie Gérard");
    assert_eq!(gerard.city.as_deref(), Some("Angoulême"));
    assert_eq!((gerard.latitude, gerard.longitude), (Some(45.6484), Some(0.1562)));
    assert_eq!(gerard.status, Some(CrisisStatus::Closed));
}

#[test]
fn reads_windows_1252_with_semicolons() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(FRENCH_SEMICOLON_FILE);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file must not be valid UTF-8");
    assert_french_semicolon_file(&parse_businesses_csv(&bytes).expect("readable"));
}

#[test]
fn reads_utf8_with_bom_and_semicolons() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), FRENCH_SEMICOLON_FILE.as_bytes()].concat();
    let report = parse_businesses_csv(&bytes).expect("readable");
    assert_eq!(report.recognised_columns[0], ("Nom".to_owned(), "name"), "the BOM is not part of the header");
    assert_french_semicolon_file(&report);
}

#[test]
fn reads_utf16_with_bom_and_tabs() {
    // What Excel writes as "Unicode text".
    let text = FRENCH_SEMICOLON_FILE.replace(';', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_french_semicolon_file(&parse_businesses_csv(&bytes).expect("readable"));
}

#[test]
fn reads_tab_separated() {
    assert_french_semicolon_file(&import(&FRENCH_SEMICOLON_FILE.replace(';', "\t")));
}

#[test]
fn sniffs_the_separator_outside_quotes() {
    assert_eq!(tabular::sniff_separator("nom,\"a;b;c\",commune\n"), b',');
    assert_eq!(tabular::sniff_separator("nom;\"a,b,c\";commune\n"), b';');
    assert_eq!(tabular::sniff_separator("\n\nnom\tcommune\n"), b'\t');
    assert_eq!(tabular::sniff_separator("nom\n"), b',');
}

// -- headers -------------------------------------------------------------------------------

#[test]
fn reads_english_headers() {
    let report = import(
        "Name,Category,Address,Zip,City,Phone,E-mail,Website,Instagram,Lat,Lng,Status,Services,\
         Local currency,About,Kind,Internal notes\n\
         Green Farm,Vegetables,Mill Lane,30320,Marguerittes,0600000000,hello@greenfarm.example,\
         www.greenfarm.example,https://instagram.com/greenfarm,43.86,4.44,Delivery only,delivery + pickup,\
         yes,Seasonal vegetables,farmer,to call back\n",
    );
    assert_eq!(report.ignored_columns, vec!["Local currency".to_owned(), "Internal notes".to_owned()]);
    let fields: Vec<&str> = report.recognised_columns.iter().map(|(_, field)| *field).collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "category",
            "address",
            "postcode",
            "city",
            "phone",
            "email",
            "website",
            "social_links",
            "latitude",
            "longitude",
            "status",
            "services",
            "description",
            "kind"
        ]
    );
    let farm = &report.accepted[0];
    assert_eq!(farm.name, "Green Farm");
    assert_eq!(farm.kind, BusinessKind::Producer);
    assert_eq!(farm.postcode.as_deref(), Some("30320"));
    assert_eq!(farm.email.as_deref(), Some("hello@greenfarm.example"));
    assert_eq!(farm.website.as_deref(), Some("https://www.greenfarm.example"));
    assert_eq!(farm.social_links, vec!["https://instagram.com/greenfarm".to_owned()]);
    assert_eq!(farm.status, Some(CrisisStatus::DeliveryOnly));
    assert!(farm.delivery && farm.click_and_collect && !farm.takes_consignment);
    assert_eq!(farm.description, "Seasonal vegetables");
}

#[test]
fn matches_headers_whatever_their_case_accents_and_punctuation() {
    for (header, field) in [
        ("Raison sociale", Field::Name),
        ("ENSEIGNE", Field::Name),
        ("Activité", Field::Category),
        ("Code postal", Field::Postcode),
        ("CP", Field::Postcode),
        ("Ville", Field::City),
        ("Téléphone", Field::Phone),
        ("Tél.", Field::Phone),
        ("Courriel", Field::Email),
        ("Site internet", Field::Website),
        ("Réseaux sociaux", Field::SocialLinks),
        ("Latitude (WGS 84)", Field::Latitude),
        ("lon", Field::Longitude),
        ("État", Field::Status),
        ("Présentation", Field::Description),
        ("Nature", Field::Kind),
        ("Nom *", Field::Name),
    ] {
        assert_eq!(Field::recognise(header).map(|(found, _)| found), Some(field), "{header}");
    }
    assert_eq!(Field::recognise("Remarques"), None);
    assert_eq!(Field::recognise("Monnaie locale"), None, "the wallet decides");
}

#[test]
fn no_header_alias_belongs_to_two_fields() {
    let mut seen: HashMap<&str, Field> = HashMap::new();
    for field in Field::ALL {
        for alias in field.header_aliases() {
            assert_eq!(fold_words(alias), *alias, "aliases are written folded");
            if let Some(other) = seen.insert(alias, field) {
                panic!("{alias} means both {other:?} and {field:?}");
            }
        }
    }
}

#[test]
fn a_more_specific_header_wins_over_a_generic_one() {
    // "url" comes first but "site_web" says it better; the second name column is ignored.
    let report = import(
        "url,nom,site_web,name\nhttps://halle.example/annuaire/1,Chez Paul,https://chezpaul.example,Other\n",
    );
    assert_eq!(report.ignored_columns, vec!["url".to_owned(), "name".to_owned()]);
    assert_eq!(report.accepted[0].name, "Chez Paul");
    assert_eq!(report.accepted[0].website.as_deref(), Some("https://chezpaul.example"));
}

#[test]
fn several_social_columns_are_combined() {
    let business = single_business(
        "nom,facebook,instagram",
        "Chez Paul,https://facebook.com/chezpaul https://facebook.com/chezpaul,instagram.com/chezpaul",
    );
    assert_eq!(
        business.social_links,
        vec!["https://facebook.com/chezpaul".to_owned(), "https://instagram.com/chezpaul".to_owned()]
    );
}

// -- row numbers, empty rows, duplicates ------------------------------------------------

#[test]
fn a_multi_line_description_does_not_shift_row_numbers() {
    let report = import(
        "nom,description,latitude,longitude\n\
         Chez Paul,\"Première ligne\r\ndeuxième ligne\ntroisième\",43.1,4.1\n\
         Chez Marie,Simple,43.2,4.2\n\
         Chez Léa,,100,4.3\n",
    );
    assert_eq!(report.accepted[0].description, "Première ligne\ndeuxième ligne\ntroisième");
    assert_eq!(report.accepted[1].row, 3);
    assert_eq!(refusals(&report), vec![(4, RefusalReason::LatitudeOutOfRange { value: "100".to_owned() })]);
}

#[test]
fn blank_rows_are_skipped_but_counted() {
    let report = import("\nnom,commune\n\nChez Paul,Nîmes\n,\n  ,  \nChez Marie,Nîmes\n,Nîmes\n");
    // Spreadsheet rows: 1 blank, 2 header, 3 blank, 4 Paul, 5 and 6 empty cells, 7 Marie, 8 no name.
    let rows: Vec<usize> = report.accepted.iter().map(|business| business.row).collect();
    assert_eq!(rows, vec![4, 7]);
    assert_eq!(refusals(&report), vec![(8, RefusalReason::MissingName)]);
}

#[test]
fn a_business_twice_in_the_file_is_refused_the_second_time() {
    let report = import(
        "nom,code_postal\n\
         Boulangerie Lafont,30320\n\
         Boulangerie Lafont,30000\n\
         BOULANGERIE  lafönt,30320\n\
         Boulangerie Lafont,\n\
         Boulangerie Lafont,\n",
    );
    assert_eq!(report.accepted.iter().map(|business| business.row).collect::<Vec<_>>(), vec![2, 3, 5]);
    assert_eq!(
        refusals(&report),
        vec![
            (4, RefusalReason::DuplicateInFile { first_row: 2 }),
            (6, RefusalReason::DuplicateInFile { first_row: 5 })
        ]
    );
    assert_eq!(report.refused[0].reason.english(), "appears twice in the file, row 2");
    assert_eq!(report.refused[0].reason.french(), "apparaît deux fois dans le fichier, ligne 2");
}

#[test]
fn a_refused_row_does_not_block_its_corrected_copy() {
    let report =
        import("nom,site_web\nChez Paul,ftp://chezpaul.example\nChez Paul,https://chezpaul.example\n");
    assert_eq!(report.accepted.len(), 1);
    assert_eq!(report.accepted[0].row, 3);
}

#[test]
fn dedup_key_folds_case_accents_and_spaces() {
    assert_eq!(dedup_key("  La  Drôle d’Épicerie ", Some(" 16 000 ")), "la drole d'epicerie|16000");
    assert_eq!(dedup_key("Café", None), "cafe|");
    assert_eq!(dedup_key("Œuf & Cie", Some("")), "oeuf & cie|");
}

// -- file-level errors ------------------------------------------------------------------

#[test]
fn an_empty_file_is_an_error() {
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"  \r\n\n\t", b"\n,,,\r\n  ,\n"] {
        assert_eq!(parse_businesses_csv(empty), Err(ImportError::Empty), "{empty:?}");
    }
    assert_eq!(ImportError::Empty.to_string(), "le fichier est vide");
}

#[test]
fn a_header_only_file_imports_nothing() {
    let report = import("nom,commune\n");
    assert!(report.accepted.is_empty() && report.refused.is_empty());
}

#[test]
fn a_file_without_a_name_column_is_an_error() {
    let error = parse_businesses_csv(b"commune,telephone\nNimes,0466000000\n").expect_err("no name column");
    assert_eq!(error, ImportError::NoNameColumn);
    assert!(error.to_string().contains("« nom »"));
    assert!(error.english().contains("\"name\""));
    // Data without a header line: the first line is taken as headers, none of them a name.
    assert_eq!(parse_businesses_csv(b"Chez Paul,Nimes\n"), Err(ImportError::NoNameColumn));
}

#[test]
fn a_workbook_or_binary_file_is_unreadable() {
    for bytes in
        [&b"PK\x03\x04\x14\x00\x06\x00"[..], b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", b"nom\0\0\x01"]
    {
        let error = parse_businesses_csv(bytes).expect_err("not a CSV");
        assert!(matches!(error, ImportError::Unreadable(_)), "{error:?}");
        assert!(error.to_string().starts_with("le fichier n'est pas un tableau CSV lisible"));
    }
}
