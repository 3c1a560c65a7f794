//! Tests of the directory import and export: helpers shared by the reading, values and export
//! tests.

mod export;
mod reading;
mod values;

use std::str::FromStr;

use super::columns::*;
use super::export::*;
use super::rows::*;
use super::values::*;
use super::*;
use crate::directory::{BusinessKind, CrisisStatus};
use crate::tabular::{fold_words, guard_formula};
use serde_json::{Value, json};

const FIXTURE: &[u8] = include_bytes!("../../../../../shared/fixtures/annuaire-pros.csv");

fn import(text: &str) -> ImportReport {
    parse_businesses_csv(text.as_bytes()).expect("the file should be readable")
}

fn accepted_named<'report>(report: &'report ImportReport, name: &str) -> &'report ImportedBusiness {
    report
        .accepted
        .iter()
        .find(|business| business.name == name)
        .expect("an accepted business with this name")
}

fn refusals(report: &ImportReport) -> Vec<(usize, RefusalReason)> {
    report.refused.iter().map(|refused| (refused.row, refused.reason.clone())).collect()
}

/// The reason a one-row file (header + row 2) is refused for.
fn refusal_of_single_row(header: &str, row: &str) -> RefusalReason {
    let report = import(&format!("{header}\n{row}\n"));
    assert!(report.accepted.is_empty(), "row should be refused: {row}");
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].row, 2);
    report.refused[0].reason.clone()
}

/// The business a one-row file (header + row 2) gives.
fn single_business(header: &str, row: &str) -> ImportedBusiness {
    let report = import(&format!("{header}\n{row}\n"));
    assert!(report.refused.is_empty(), "row should be accepted: {row}: {:?}", report.refused);
    assert_eq!(report.accepted.len(), 1);
    report.accepted[0].clone()
}

fn sample_export() -> ExportedBusiness {
    ExportedBusiness {
        id: 42,
        name: "Boulangerie Lafont".to_owned(),
        kind: BusinessKind::Merchant,
        categories: vec!["Boulangerie".to_owned(), "Pâtisserie".to_owned()],
        address: Some("12 rue de la République".to_owned()),
        postcode: Some("30320".to_owned()),
        city: Some("Marguerittes".to_owned()),
        phone: Some("+33 4 66 00 11 22".to_owned()),
        email: Some("contact@boulangerie-lafont.example".to_owned()),
        website: Some("https://boulangerie-lafont.example".to_owned()),
        social_links: vec![
            "https://facebook.com/boulangerielafont".to_owned(),
            "https://instagram.com/boulangerielafont".to_owned(),
        ],
        latitude: Some(43.8601),
        longitude: Some(4.4432),
        status: CrisisStatus::PickupOnly,
        status_message: Some("Commandes la veille".to_owned()),
        status_confirmed_at: Some("2026-03-17T09:30:00+01:00".to_owned()),
        click_and_collect: true,
        delivery: true,
        takes_consignment: false,
        accepts_local_currency: true,
        description: "Pain au levain, \"viennoiseries\" ; commande la veille.\nFermé le lundi.".to_owned(),
        url: "https://halle.example/annuaire/42".to_owned(),
    }
}
