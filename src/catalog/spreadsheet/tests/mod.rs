//! Tests of the catalogue spreadsheet: helpers shared by the reading, rows and export tests.

mod export;
mod reading;
mod rows;

use super::columns::*;
use super::export::*;
use super::rows::*;
use super::*;
use crate::catalog::{Allergen, Unit};
use crate::tabular::{fold_header, number_text};
use std::collections::HashMap;

const FIXTURE: &[u8] = include_bytes!("../../../../../shared/fixtures/catalogue-boulangerie-excel-fr.csv");

/// Reads, maps as detected and checks a file.
fn import(bytes: &[u8]) -> ProductReport {
    let table = read_table(bytes).expect("the file should be readable");
    let mapping = detect_mapping(&table.headers);
    assert_eq!(check_mapping(&mapping), vec![], "headers: {:?}", table.headers);
    rows_to_products(&table, &mapping)
}

fn import_text(text: &str) -> ProductReport {
    import(text.as_bytes())
}

fn refusals(report: &ProductReport) -> Vec<(usize, RefusalReason)> {
    report.refused.iter().map(|refused| (refused.row, refused.reason.clone())).collect()
}

fn accepted<'report>(report: &'report ProductReport, reference: &str) -> &'report ProductRow {
    report
        .accepted
        .iter()
        .find(|product| product.reference == reference)
        .unwrap_or_else(|| panic!("{reference} should be accepted: {:?}", report.refused))
}

/// The product of a one-row file whose second column is `column` = `value`.
fn single(column: &str, value: &str) -> ProductRow {
    let report = import_text(&format!("Référence;Désignation;Prix;{column}\nR1;Produit;1;\"{value}\"\n"));
    assert_eq!(report.refused, vec![], "{column} = {value:?} should be accepted");
    report.accepted[0].clone()
}

/// The reason a one-row file whose extra column is `column` = `value` is refused for.
fn refusal(column: &str, value: &str) -> RefusalReason {
    let report = import_text(&format!("Référence;Désignation;Prix;{column}\nR1;Produit;1;\"{value}\"\n"));
    assert_eq!(report.accepted, vec![], "{column} = {value:?} should be refused");
    assert_eq!(report.refused.len(), 1);
    report.refused[0].reason.clone()
}

fn price_of(written: &str) -> Result<i64, RefusalReason> {
    let report = import_text(&format!("Référence;Désignation;Prix\nR1;Produit;\"{written}\"\n"));
    match report.accepted.first() {
        Some(product) => Ok(product.price_cents),
        None => Err(report.refused[0].reason.clone()),
    }
}

fn value(written: &str) -> String {
    written.to_owned()
}
