//! The rules of each field.

use super::*;

// -- field rules ------------------------------------------------------------------------

#[test]
fn web_addresses_must_be_http_or_https() {
    let accepted = [
        ("https://example.fr", "https://example.fr"),
        ("https://example.fr/", "https://example.fr/"),
        ("HTTP://Example.FR/Page?q=1", "http://example.fr/Page?q=1"),
        ("www.example.fr", "https://www.example.fr"),
        ("example.fr/boutique", "https://example.fr/boutique"),
        ("//example.fr", "https://example.fr"),
    ];
    for (written, expected) in accepted {
        assert_eq!(parse_web_address(written).as_deref(), Ok(expected), "{written}");
    }
    let refused = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.fr",
        "mailto:paul@example.fr",
        "file:///etc/passwd",
        "https://bank.example@evil.example",
        "http://",
        "boulangerie",
        "boulangerie lafont.fr",
    ];
    for written in refused {
        assert_eq!(
            parse_web_address(written),
            Err(RefusalReason::InvalidUrl { value: written.to_owned() }),
            "{written}"
        );
    }
}

#[test]
fn a_bad_social_link_refuses_the_row() {
    assert_eq!(
        refusal_of_single_row("nom,facebook", "Chez Paul,javascript:alert(1)"),
        RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }
    );
}

#[test]
fn emails_must_look_valid() {
    for valid in
        ["paul@example.fr", "paul.martin+halle@mail.example.org", "MAILTO:paul@example.fr", "élodie@café.fr"]
    {
        let business = single_business("nom,email", &format!("Chez Paul,{valid}"));
        assert!(business.email.is_some_and(|email| email.contains('@') && !email.contains(':')), "{valid}");
    }
    for invalid in [
        "paul",
        "paul@",
        "@example.fr",
        "paul@example",
        "paul@@example.fr",
        "paul @example.fr",
        "paul@exa_mple.fr",
        "a@b.c",
        "paul..m@example.fr",
        ".paul@example.fr",
        "paul@-example.fr",
        "paul(x)@example.fr",
    ] {
        assert_eq!(
            refusal_of_single_row("nom,e-mail", &format!("Chez Paul,{invalid}")),
            RefusalReason::InvalidEmail { value: invalid.to_owned() },
            "{invalid}"
        );
    }
}

#[test]
fn coordinates_accept_a_decimal_comma() {
    let business = single_business("nom;latitude;longitude", "Chez Paul;43,86;-0,5");
    assert_eq!((business.latitude, business.longitude), (Some(43.86), Some(-0.5)));
    let quoted = single_business("nom,lat,lon", "Chez Paul,\"43,86\",\" 4,44 \"");
    assert_eq!((quoted.latitude, quoted.longitude), (Some(43.86), Some(4.44)));
    let unicode_minus = single_business("nom,lat,lon", "Chez Paul,\u{2212}33.9,18.4");
    assert_eq!(unicode_minus.latitude, Some(-33.9));
}

#[test]
fn coordinates_are_checked() {
    let header = "nom,latitude,longitude";
    assert_eq!(
        refusal_of_single_row(header, "A,-90.5,4"),
        RefusalReason::LatitudeOutOfRange { value: "-90.5".to_owned() }
    );
    assert_eq!(
        refusal_of_single_row(header, "A,45,180.01"),
        RefusalReason::LongitudeOutOfRange { value: "180.01".to_owned() }
    );
    assert_eq!(
        refusal_of_single_row(header, "A,45 N,4"),
        RefusalReason::InvalidCoordinate { value: "45 N".to_owned() }
    );
    assert_eq!(
        refusal_of_single_row(header, "A,NaN,4"),
        RefusalReason::InvalidCoordinate { value: "NaN".to_owned() }
    );
    assert_eq!(refusal_of_single_row(header, "A,45,"), RefusalReason::HalfCoordinates);
    assert_eq!(refusal_of_single_row(header, "A,,4"), RefusalReason::HalfCoordinates);
    let edges = single_business(header, "A,-90,180");
    assert_eq!((edges.latitude, edges.longitude), (Some(-90.0), Some(180.0)));
    let none = single_business(header, "A,,");
    assert_eq!((none.latitude, none.longitude), (None, None));
}

#[test]
fn status_words_in_french_and_english() {
    let cases = [
        ("ouvert", CrisisStatus::Open),
        ("Open", CrisisStatus::Open),
        ("Drive", CrisisStatus::PickupOnly),
        ("retrait", CrisisStatus::PickupOnly),
        ("Click & Collect", CrisisStatus::PickupOnly),
        ("click-and-collect", CrisisStatus::PickupOnly),
        ("À emporter", CrisisStatus::PickupOnly),
        ("pickup_only", CrisisStatus::PickupOnly),
        ("Livraison", CrisisStatus::DeliveryOnly),
        ("delivery", CrisisStatus::DeliveryOnly),
        ("fermé", CrisisStatus::Closed),
        ("FERME", CrisisStatus::Closed),
        ("closed", CrisisStatus::Closed),
        ("Fermé temporairement", CrisisStatus::Closed),
    ];
    for (written, status) in cases {
        assert_eq!(parse_status(written), Ok(status), "{written}");
    }
    assert_eq!(single_business("nom,statut", "A,").status, None);
}

#[test]
fn an_unknown_status_refuses_the_row() {
    let reason = refusal_of_single_row("nom,statut", "Chez Paul,en travaux");
    assert_eq!(reason, RefusalReason::UnknownStatus { value: "en travaux".to_owned() });
    assert_eq!(
        reason.french(),
        "statut inconnu (ouvert, drive, livraison ou fermé sont attendus) : en travaux"
    );
}

#[test]
fn services_lists_with_any_separator() {
    let cases = [
        ("drive;livraison", (true, true, false)),
        ("Retrait, Livraison", (true, true, false)),
        ("click & collect / dépôt-vente", (true, false, true)),
        ("Click-and-collect | Delivery", (true, true, false)),
        ("livraison + depot vente", (false, true, true)),
        ("consignment", (false, false, true)),
        ("aucun", (false, false, false)),
        ("", (false, false, false)),
    ];
    for (written, (click_and_collect, delivery, takes_consignment)) in cases {
        assert_eq!(
            parse_services(written),
            Ok(Services { click_and_collect, delivery, takes_consignment }),
            "{written}"
        );
    }
    assert_eq!(
        refusal_of_single_row("nom,services", "Chez Paul,\"drive, téléportation\""),
        RefusalReason::UnknownService { value: "téléportation".to_owned() }
    );
}

#[test]
fn a_local_currency_column_is_ignored_the_wallet_decides() {
    // A listing accepts the currency when its managers open its account in the wallet: a column
    // of the file cannot say so (it is reported as ignored, the rows are kept).
    let report = import("nom,monnaie locale\nA,oui\nB,peut-être\n");
    assert_eq!(report.ignored_columns, vec!["monnaie locale".to_owned()]);
    assert_eq!(report.accepted.len(), 2);
    assert!(report.refused.is_empty());
}

#[test]
fn kind_from_the_type_column() {
    for (written, kind) in [
        ("Commerce", BusinessKind::Merchant),
        ("commerçant", BusinessKind::Merchant),
        ("boutique", BusinessKind::Merchant),
        ("Producteur", BusinessKind::Producer),
        ("ferme", BusinessKind::Producer),
        ("agriculteur", BusinessKind::Producer),
        ("Artisan", BusinessKind::Artisan),
        ("association", BusinessKind::Association),
        ("Service", BusinessKind::Service),
        ("Santé", BusinessKind::Health),
        ("pharmacie", BusinessKind::Health),
        ("médical", BusinessKind::Health),
        ("health", BusinessKind::Health),
    ] {
        // The category says otherwise: the type column wins.
        assert_eq!(
            single_business("nom,type,categorie", &format!("A,{written},Pharmacie")).kind,
            kind,
            "{written}"
        );
    }
    assert_eq!(
        refusal_of_single_row("nom,type", "A,ovni"),
        RefusalReason::UnknownKind { value: "ovni".to_owned() }
    );
}

#[test]
fn kind_guessed_from_the_category() {
    for (category, kind) in [
        ("Pharmacie", BusinessKind::Health),
        ("Producteurs locaux", BusinessKind::Producer),
        ("Association de quartier", BusinessKind::Association),
        ("Artisanat d'art", BusinessKind::Artisan),
        ("Boulangerie", BusinessKind::Merchant),
        ("Épicerie, produits de la ferme", BusinessKind::Merchant),
    ] {
        assert_eq!(single_business("nom,categorie", &format!("A,\"{category}\"")).kind, kind, "{category}");
    }
    assert_eq!(single_business("nom", "A").kind, BusinessKind::Merchant);
}

#[test]
fn phone_numbers_are_checked_and_their_spaces_tidied() {
    let business = single_business("nom,telephone", "A,\"+33 (0)4\u{a0}66.00-11\u{202f}22\"");
    assert_eq!(business.phone.as_deref(), Some("+33 (0)4 66.00-11 22"));
    assert_eq!(
        refusal_of_single_row("nom,telephone", "A,04 66 00 11 22 (Paul)"),
        RefusalReason::InvalidPhone { value: "04 66 00 11 22 (Paul)".to_owned() }
    );
    assert_eq!(
        refusal_of_single_row("nom,telephone", "A,04 66 00 11 22 - 06 00 00 00 00 - 07 00"),
        RefusalReason::TooLong { field: "phone", max_chars: MAX_PHONE_CHARS }
    );
}

#[test]
fn texts_longer_than_a_listing_holds_are_refused() {
    let long = |length: usize| "é".repeat(length);
    let cases = [
        ("nom", long(121), "name", MAX_NAME_CHARS),
        ("nom,description", format!("A,{}", long(5001)), "description", MAX_DESCRIPTION_CHARS),
        ("nom,categorie", format!("A,Épicerie ; {}", long(61)), "category", MAX_CATEGORY_CHARS),
        ("nom,adresse", format!("A,{}", long(201)), "address", MAX_ADDRESS_CHARS),
        ("nom,code_postal", "A,12345678901".to_owned(), "postcode", MAX_POSTCODE_CHARS),
        ("nom,commune", format!("A,{}", long(81)), "city", MAX_CITY_CHARS),
        ("nom,site_web", format!("A,https://example.fr/{}", "a".repeat(300)), "website", MAX_WEBSITE_CHARS),
    ];
    for (header, row, field, max_chars) in cases {
        assert_eq!(
            refusal_of_single_row(header, &row),
            RefusalReason::TooLong { field, max_chars },
            "{field}"
        );
    }
    // At the limit is fine; the name's inner spaces count once, as the listing form counts them.
    single_business("nom,description", &format!("{}    {},{}", long(60), long(59), long(5000)));
    let reason = RefusalReason::TooLong { field: "description", max_chars: 5000 };
    assert_eq!(reason.french(), "texte trop long pour la description (5000 caractères au plus)");
    assert_eq!(reason.english(), "text too long for the description (at most 5000 characters)");
}

#[test]
fn at_most_five_social_links() {
    let links: Vec<String> = (1..=6).map(|n| format!("https://social{n}.example/paul")).collect();
    assert_eq!(
        refusal_of_single_row("nom,reseaux sociaux", &format!("A,{}", links.join(" "))),
        RefusalReason::TooManySocialLinks { count: 6 }
    );
    assert_eq!(single_business("nom,reseaux", &format!("A,{}", links[..5].join(" "))).social_links.len(), 5);
}

#[test]
fn html_is_kept_as_written() {
    let business = single_business("nom,description", "\"<b>Paul</b>\",\"<script>alert('x')</script> & co\"");
    assert_eq!(business.name, "<b>Paul</b>");
    assert_eq!(business.description, "<script>alert('x')</script> & co");
}

#[test]
fn the_formula_guard_is_removed_on_import() {
    let business = single_business("nom,telephone,description", "'=Paul,'+33 4 66 00 00 00,'it's fine");
    assert_eq!(business.name, "=Paul");
    assert_eq!(business.phone.as_deref(), Some("+33 4 66 00 00 00"));
    assert_eq!(business.description, "'it's fine", "a ' before anything else is kept");
}

#[test]
fn every_refusal_reason_has_a_french_and_an_english_sentence() {
    let value = || "VALUE".to_owned();
    let reasons = [
        RefusalReason::MissingName,
        RefusalReason::InvalidUrl { value: value() },
        RefusalReason::LatitudeOutOfRange { value: value() },
        RefusalReason::LongitudeOutOfRange { value: value() },
        RefusalReason::InvalidCoordinate { value: value() },
        RefusalReason::HalfCoordinates,
        RefusalReason::InvalidEmail { value: value() },
        RefusalReason::UnknownStatus { value: value() },
        RefusalReason::UnknownService { value: value() },
        RefusalReason::UnknownKind { value: value() },
        RefusalReason::InvalidPhone { value: value() },
        RefusalReason::TooManySocialLinks { count: 7 },
        RefusalReason::TooLong { field: "description", max_chars: 7 },
        RefusalReason::DuplicateInFile { first_row: 7 },
    ];
    for reason in &reasons {
        let (french, english) = (reason.french(), reason.english());
        assert_ne!(french, english);
        let shows_value = !matches!(reason, RefusalReason::MissingName | RefusalReason::HalfCoordinates);
        assert!(!shows_value || (french.contains("VALUE") || french.contains('7')), "{french}");
        assert!(!shows_value || (english.contains("VALUE") || english.contains('7')), "{english}");
    }
    assert_eq!(RefusalReason::MissingName.french(), "le nom est manquant");
    assert_eq!(
        RefusalReason::InvalidUrl { value: "javascript:alert(1)".to_owned() }.french(),
        "adresse web refusée (seules http et https sont acceptées) : javascript:alert(1)"
    );
    assert_eq!(
        RefusalReason::LatitudeOutOfRange { value: "91.5".to_owned() }.french(),
        "latitude hors limites (entre -90 et 90) : 91.5"
    );
    let long = RefusalReason::InvalidUrl { value: "é".repeat(500) }.french();
    assert!(long.chars().count() < 200 && long.ends_with('…'), "very long values are cut in messages");
}

#[test]
fn the_report_serialises_for_the_web_layer() {
    let report = parse_businesses_csv(FIXTURE).expect("the fixture is readable");
    let json = serde_json::to_value(&report).expect("serialisable");
    assert_eq!(json["refused"][1]["reason"], json!({"code": "invalid_url", "value": "javascript:alert(1)"}));
    assert_eq!(json["accepted"][0]["status"], "open");
    assert_eq!(json["accepted"][0]["kind"], "merchant");
}
