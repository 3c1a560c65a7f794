//! Exports to CSV and GeoJSON, and reading the CSV back.

use super::*;

// -- exports ----------------------------------------------------------------------------

#[test]
fn csv_export_has_bom_french_headers_and_crlf() {
    let csv = businesses_to_csv(&[sample_export()]);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv).expect("UTF-8");
    let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "id,nom,type,categorie,adresse,code_postal,commune,telephone,email,site_web,facebook,latitude,\
             longitude,statut,message_statut,statut_confirme_le,services,accepte_monnaie_locale,description,url"
        )
    );
    let row = lines.next().expect("a data line");
    assert!(
        row.starts_with(
            "42,Boulangerie Lafont,commerce,\"Boulangerie ; Pâtisserie\",12 rue de la République,"
        )
    );
    assert!(row.contains(
        ",43.8601,4.4432,drive,Commandes la veille,2026-03-17T09:30:00+01:00,\"drive;livraison\",oui,"
    ));
    assert!(row.contains(",https://facebook.com/boulangerielafont https://instagram.com/boulangerielafont,"));
}

#[test]
fn csv_export_of_nothing_is_just_the_header() {
    let text = String::from_utf8(businesses_to_csv(&[])).expect("UTF-8");
    assert_eq!(text.matches("\r\n").count(), 1);
    assert!(text.starts_with("\u{feff}id,nom,"));
}

#[test]
fn csv_export_guards_against_formulas() {
    let mut item = sample_export();
    item.name = "=HYPERLINK(\"http://evil.example\",\"clic\")".to_owned();
    item.phone = Some("+33 4 66 00 11 22".to_owned());
    item.description = "-- en promotion".to_owned();
    item.status_message = Some("@paul".to_owned());
    item.latitude = Some(-33.9);
    item.longitude = Some(-0.5);
    let csv = businesses_to_csv(&[item]);
    let mut reader = csv::ReaderBuilder::new().from_reader(&csv[3..]);
    let record = reader.records().next().expect("a record").expect("valid CSV");
    assert_eq!(&record[1], "'=HYPERLINK(\"http://evil.example\",\"clic\")");
    assert_eq!(&record[7], "'+33 4 66 00 11 22");
    assert_eq!(&record[11], "-33.9", "plain numbers are not guarded");
    assert_eq!(&record[12], "-0.5");
    assert_eq!(&record[14], "'@paul");
    assert_eq!(&record[18], "'-- en promotion");
    for cell in ["=1+1", "+1 ", "-1+1", "@SUM(A1)", "-", "-inf", "+.5"] {
        assert_eq!(guard_formula(cell), format!("'{cell}"), "{cell}");
    }
    for cell in ["-12", "+3.5", "+1", "43.86", "Paul", "'=x", ""] {
        assert_eq!(guard_formula(cell), cell, "{cell}");
    }
}

#[test]
fn csv_export_then_import_gives_the_same_values() {
    let mut tricky = sample_export();
    tricky.id = 43;
    tricky.name = "=Chez \"Paul\", l'original".to_owned();
    tricky.kind = BusinessKind::Health;
    tricky.categories = vec!["Pharmacie".to_owned()];
    tricky.address = None;
    tricky.postcode = Some("01000".to_owned());
    tricky.city = Some("Bourg-en-Bresse".to_owned());
    tricky.phone = None;
    tricky.email = None;
    tricky.website = Some("https://example.fr/a,b?c=d;e".to_owned());
    tricky.social_links = Vec::new();
    tricky.latitude = Some(-12.345_678_9);
    tricky.longitude = Some(-0.000_001);
    tricky.status = CrisisStatus::Closed;
    tricky.click_and_collect = false;
    tricky.delivery = false;
    tricky.takes_consignment = true;
    tricky.accepts_local_currency = false;
    tricky.description = "- Ligne 1 ; avec <script>alert(1)</script>\nLigne 2, \"citée\"".to_owned();
    let mut statuses = Vec::new();
    let mut items = vec![sample_export(), tricky];
    for (index, (status, kind)) in [
        (CrisisStatus::Open, BusinessKind::Producer),
        (CrisisStatus::DeliveryOnly, BusinessKind::Artisan),
        (CrisisStatus::PickupOnly, BusinessKind::Association),
        (CrisisStatus::Closed, BusinessKind::Service),
    ]
    .into_iter()
    .enumerate()
    {
        let mut item = sample_export();
        item.id = 100 + i64::try_from(index).expect("small");
        item.name = format!("Entreprise {index}");
        item.status = status;
        item.kind = kind;
        item.latitude = None;
        item.longitude = None;
        item.categories = Vec::new();
        statuses.push(status);
        items.push(item);
    }

    let report = parse_businesses_csv(&businesses_to_csv(&items)).expect("the export is importable");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(
        report.ignored_columns,
        ["id", "message_statut", "statut_confirme_le", "accepte_monnaie_locale", "url"].map(str::to_owned)
    );
    assert_eq!(report.accepted.len(), items.len());
    for (index, (exported, imported)) in items.iter().zip(&report.accepted).enumerate() {
        assert_eq!(imported.row, index + 2);
        assert_eq!(imported.name, exported.name);
        assert_eq!(imported.kind, exported.kind);
        assert_eq!(imported.category_list(), exported.categories);
        assert_eq!(imported.address, exported.address);
        assert_eq!(imported.postcode, exported.postcode);
        assert_eq!(imported.city, exported.city);
        assert_eq!(imported.phone, exported.phone);
        assert_eq!(imported.email, exported.email);
        assert_eq!(imported.website, exported.website);
        assert_eq!(imported.social_links, exported.social_links);
        assert_eq!(imported.latitude, exported.latitude);
        assert_eq!(imported.longitude, exported.longitude);
        assert_eq!(imported.status, Some(exported.status));
        assert_eq!(imported.click_and_collect, exported.click_and_collect);
        assert_eq!(imported.delivery, exported.delivery);
        assert_eq!(imported.takes_consignment, exported.takes_consignment);
        assert_eq!(imported.description, exported.description);
    }
    assert_eq!(report.accepted[0].category.as_deref(), Some("Boulangerie ; Pâtisserie"));
}

fn geojson_items() -> Vec<ExportedBusiness> {
    let mut without_coordinates = sample_export();
    without_coordinates.id = 7;
    without_coordinates.latitude = None;
    without_coordinates.longitude = None;
    let mut half_coordinates = sample_export();
    half_coordinates.id = 8;
    half_coordinates.longitude = None;
    let mut out_of_range = sample_export();
    out_of_range.id = 9;
    out_of_range.latitude = Some(f64::NAN);
    let mut southern = sample_export();
    southern.id = 10;
    southern.name = "Le Cap".to_owned();
    southern.latitude = Some(-33.9249);
    southern.longitude = Some(18.4241);
    southern.email = None;
    southern.status = CrisisStatus::DeliveryOnly;
    vec![sample_export(), without_coordinates, half_coordinates, out_of_range, southern]
}

#[test]
fn geojson_is_a_valid_feature_collection() {
    let value = businesses_to_geojson(&geojson_items(), "ODbL-1.0", "https://halle.example/annuaire");
    let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
    let collection = geojson::FeatureCollection::try_from(parsed).expect("a FeatureCollection");
    let members = collection.foreign_members.as_ref().expect("foreign members");
    assert_eq!(members["licence"], "ODbL-1.0");
    assert_eq!(members["attribution"], "https://halle.example/annuaire");

    assert_eq!(collection.features.len(), 2, "only businesses with valid coordinates");
    let ids: Vec<Option<geojson::feature::Id>> =
        collection.features.iter().map(|feature| feature.id.clone()).collect();
    assert_eq!(
        ids,
        vec![Some(geojson::feature::Id::Number(42.into())), Some(geojson::feature::Id::Number(10.into()))]
    );
    let coordinates: Vec<Vec<f64>> = collection
        .features
        .iter()
        .map(|feature| match feature.geometry.as_ref().map(|geometry| &geometry.value) {
            Some(geojson::Value::Point(position)) => position.clone(),
            other => panic!("expected a point, got {other:?}"),
        })
        .collect();
    assert_eq!(coordinates, vec![vec![4.4432, 43.8601], vec![18.4241, -33.9249]], "[longitude, latitude]");
}

#[test]
fn geojson_properties_carry_every_field() {
    let value = businesses_to_geojson(&geojson_items(), "ODbL-1.0", "https://halle.example/annuaire");
    let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
    let collection = geojson::FeatureCollection::try_from(parsed).expect("a FeatureCollection");
    let lafont = &collection.features[0];
    assert_eq!(lafont.property("name"), Some(&json!("Boulangerie Lafont")));
    assert_eq!(lafont.property("kind"), Some(&json!("merchant")));
    assert_eq!(lafont.property("categories"), Some(&json!(["Boulangerie", "Pâtisserie"])));
    assert_eq!(lafont.property("status"), Some(&json!("pickup_only")));
    assert_eq!(lafont.property("status_confirmed_at"), Some(&json!("2026-03-17T09:30:00+01:00")));
    assert_eq!(lafont.property("click_and_collect"), Some(&json!(true)));
    assert_eq!(lafont.property("takes_consignment"), Some(&json!(false)));
    assert_eq!(lafont.property("accepts_local_currency"), Some(&json!(true)));
    assert_eq!(lafont.property("url"), Some(&json!("https://halle.example/annuaire/42")));
    assert_eq!(
        lafont.property("social_links"),
        Some(&json!(["https://facebook.com/boulangerielafont", "https://instagram.com/boulangerielafont"]))
    );
    let southern = &collection.features[1];
    assert_eq!(southern.property("email"), Some(&Value::Null));
    assert_eq!(southern.property("status"), Some(&json!("delivery_only")));
    // Every field of ExportedBusiness is a property, with the same name.
    let field_names: Vec<String> = match serde_json::to_value(sample_export()) {
        Ok(Value::Object(fields)) => fields.keys().cloned().collect(),
        other => panic!("{other:?}"),
    };
    for name in field_names {
        assert!(lafont.contains_property(&name), "missing property {name}");
    }
}

#[test]
fn geojson_of_nothing_is_an_empty_collection() {
    let value = businesses_to_geojson(&[], "ODbL-1.0", "https://halle.example/annuaire");
    assert_eq!(value["features"], json!([]));
    let parsed = geojson::GeoJson::from_str(&value.to_string()).expect("valid GeoJSON");
    assert!(
        matches!(parsed, geojson::GeoJson::FeatureCollection(collection) if collection.features.is_empty())
    );
}
