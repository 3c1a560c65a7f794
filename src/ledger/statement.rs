//! Bank statements of the guarantee fund, read into entries: ISO 20022 CAMT.053 (XML, read with
//! a real XML parser) and CSV as banks export it (date, label, amount or debit/credit columns).
//! Each entry gets a key that stays the same when the statement, or an overlapping one, is read
//! again, so that no entry is counted twice.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use sha2::{Digest, Sha256};

use crate::tabular;

/// Most entries accepted in one file.
pub const MAX_ENTRIES: usize = 20_000;

/// One booked movement of the guarantee fund's account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Stable identity of the movement (bank reference, or a digest of its content).
    pub key: String,
    /// Booking date, `YYYY-MM-DD`.
    pub booked_on: String,
    /// Amount in euro cents, positive.
    pub amount_cents: i64,
    /// Money received (true) or paid out (false).
    pub is_credit: bool,
    /// The other party's name, when given.
    pub counterparty: String,
    /// The remittance information (the transfer's label).
    pub remittance: String,
}

/// A statement read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statement {
    /// `camt053` or `csv`.
    pub format: &'static str,
    /// The bank's identifier of the statement, or a digest of the file.
    pub reference: String,
    /// The closing booked balance, when the file gives it.
    pub closing_balance_cents: Option<i64>,
    /// The booked entries.
    pub entries: Vec<Entry>,
}

/// Why a file could not be read (i18n keys).
pub type ParseError = &'static str;

/// Reads a CAMT.053 or CSV statement, choosing by content.
pub fn parse(bytes: &[u8]) -> Result<Statement, ParseError> {
    let text = tabular::decode_text(bytes).map_err(|_| "ledger.error.statement_unreadable")?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') { parse_camt053(trimmed) } else { parse_csv(trimmed) }
}

/// A decimal amount as written in XML (`1234.5`, `50.00`) in cents.
fn xml_amount(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || whole.len() > 12 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse::<i64>().ok()?,
    };
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

#[derive(Default)]
struct EntryDraft {
    entry_ref: String,
    servicer_ref: String,
    amount: Option<i64>,
    currency: String,
    direction: String,
    status: String,
    booked_on: String,
    counterparty: Vec<String>,
    remittance: Vec<String>,
}

#[derive(Default)]
struct BalanceDraft {
    code: String,
    amount: Option<i64>,
    direction: String,
}

fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// Gives content-derived keys an occurrence number, so that two identical movements on the same
/// day stay two entries while a re-read file gives the same keys again.
fn number_duplicates(entries: &mut [Entry]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for entry in entries.iter_mut() {
        let count = seen.entry(entry.key.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            entry.key = format!("{}#{}", entry.key, count);
        }
    }
}

/// Reads an ISO 20022 CAMT.053 statement (any `camt.053.001.xx` version): the booked entries
/// (status `BOOK`), their amount, direction, date, parties and remittance information, and the
/// closing booked balance (`CLBD`).
pub fn parse_camt053(text: &str) -> Result<Statement, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut statement = Statement { format: "camt053", ..Statement::default() };
    let mut is_camt = false;
    let mut entry: Option<EntryDraft> = None;
    let mut balance: Option<BalanceDraft> = None;
    let mut statement_ids: Vec<String> = Vec::new();
    let mut amount_currency = String::new();
    loop {
        let event = reader.read_event().map_err(|_| "ledger.error.statement_xml")?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if name == "BkToCstmrStmt" {
                    is_camt = true;
                }
                if name == "Ntry" {
                    entry = Some(EntryDraft::default());
                }
                if name == "Bal" {
                    balance = Some(BalanceDraft::default());
                }
                if name == "Amt" {
                    amount_currency = start
                        .try_get_attribute("Ccy")
                        .ok()
                        .flatten()
                        .map(|a| a.value.to_string())
                        .unwrap_or_default();
                }
                path.push(name);
            }
            Event::End(_) => {
                let closed = path.pop().unwrap_or_default();
                if closed == "Ntry"
                    && let Some(draft) = entry.take()
                {
                    if let Some(done) = finish_entry(draft)? {
                        statement.entries.push(done);
                    }
                    if statement.entries.len() > MAX_ENTRIES {
                        return Err("ledger.error.statement_too_long");
                    }
                }
                if closed == "Bal"
                    && let Some(draft) = balance.take()
                    && draft.code == "CLBD"
                    && let Some(amount) = draft.amount
                {
                    let sign = if draft.direction == "DBIT" { -1 } else { 1 };
                    statement.closing_balance_cents = Some(sign * amount);
                }
            }
            Event::Text(content) => {
                let value = content.xml10_content().trim().to_owned();
                take_text(&path, &value, &amount_currency, &mut entry, &mut balance, &mut statement_ids);
            }
            Event::GeneralRef(reference) => {
                let character = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten()
                } else {
                    match &*reference {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                if let Some(character) = character {
                    take_text(
                        &path,
                        &character.to_string(),
                        &amount_currency,
                        &mut entry,
                        &mut balance,
                        &mut statement_ids,
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !is_camt {
        return Err("ledger.error.statement_not_camt");
    }
    statement.reference = statement_ids.join("/");
    if statement.reference.is_empty() {
        statement.reference = digest(&[text]);
    }
    number_duplicates(&mut statement.entries);
    Ok(statement)
}

fn take_text(
    path: &[String],
    value: &str,
    currency: &str,
    entry: &mut Option<EntryDraft>,
    balance: &mut Option<BalanceDraft>,
    statement_ids: &mut Vec<String>,
) {
    let leaf = path.last().map_or("", String::as_str);
    let parent = path.len().checked_sub(2).and_then(|i| path.get(i)).map_or("", String::as_str);
    if let Some(draft) = entry.as_mut() {
        let inside_details = path.iter().any(|p| p == "NtryDtls");
        match (parent, leaf) {
            ("Ntry", "NtryRef") => draft.entry_ref.push_str(value),
            ("Ntry", "AcctSvcrRef") => draft.servicer_ref.push_str(value),
            ("Ntry", "Amt") => {
                draft.amount = xml_amount(value);
                draft.currency = currency.to_owned();
            }
            ("Ntry", "CdtDbtInd") => draft.direction.push_str(value),
            ("Ntry", "Sts") | ("Sts", "Cd") => draft.status.push_str(value),
            ("BookgDt", "Dt") => draft.booked_on.push_str(value),
            ("BookgDt", "DtTm") => draft.booked_on.push_str(value.get(..10).unwrap_or(value)),
            ("RmtInf", "Ustrd") | ("Ntry", "AddtlNtryInf") | ("TxDtls", "AddtlTxInf") => {
                draft.remittance.push(value.to_owned());
            }
            ("CdtrRefInf", "Ref") => draft.remittance.push(value.to_owned()),
            (_, "Nm") if inside_details && path.iter().any(|p| p == "RltdPties") => {
                draft.counterparty.push(value.to_owned());
            }
            _ => {}
        }
    } else if let Some(draft) = balance.as_mut() {
        match (parent, leaf) {
            ("CdOrPrtry", "Cd") => draft.code.push_str(value),
            ("Bal", "Amt") => draft.amount = xml_amount(value),
            ("Bal", "CdtDbtInd") => draft.direction.push_str(value),
            _ => {}
        }
    } else if parent == "Stmt" && leaf == "Id" {
        statement_ids.push(value.to_owned());
    }
}

fn finish_entry(draft: EntryDraft) -> Result<Option<Entry>, ParseError> {
    if !draft.status.is_empty() && draft.status != "BOOK" {
        // Pending or informational entries are not money yet.
        return Ok(None);
    }
    if !draft.currency.is_empty() && draft.currency != "EUR" {
        return Err("ledger.error.statement_currency");
    }
    let amount_cents = draft.amount.filter(|a| *a > 0).ok_or("ledger.error.statement_amount")?;
    let is_credit = match draft.direction.as_str() {
        "CRDT" => true,
        "DBIT" => false,
        _ => return Err("ledger.error.statement_amount"),
    };
    if draft.booked_on.len() != 10 {
        return Err("ledger.error.statement_date");
    }
    let remittance = draft.remittance.join(" ");
    let counterparty = draft.counterparty.join(" ");
    let direction = if is_credit { "C" } else { "D" };
    let key = if !draft.servicer_ref.is_empty() {
        format!("bank:{}", draft.servicer_ref)
    } else if !draft.entry_ref.is_empty() {
        format!("entry:{}:{}", draft.booked_on, draft.entry_ref)
    } else {
        format!(
            "sum:{}",
            digest(&[&draft.booked_on, &amount_cents.to_string(), direction, &remittance, &counterparty])
        )
    };
    Ok(Some(Entry { key, booked_on: draft.booked_on, amount_cents, is_credit, counterparty, remittance }))
}

/// A French or English decimal amount (`-1 234,50`, `20.00`) in signed cents.
fn csv_amount(text: &str) -> Option<i64> {
    let cleaned = super::amount_digits(text);
    if cleaned.is_empty() {
        return None;
    }
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let cents = xml_amount(&digits.replace(',', "."))?;
    Some(if negative { -cents } else { cents })
}

/// A date written `YYYY-MM-DD` or `DD/MM/YYYY`, as `YYYY-MM-DD`.
fn csv_date(text: &str) -> Option<String> {
    let text = text.trim();
    let date = if let Some((day, rest)) = text.split_once('/') {
        let (month, year) = rest.split_once('/')?;
        format!("{year:0>4}-{month:0>2}-{day:0>2}")
    } else {
        text.get(..10)?.to_owned()
    };
    date.parse::<jiff::civil::Date>().ok().map(|d| d.to_string())
}

/// Reads a CSV statement. The title line names the columns (any case and accents): `date`
/// (or `Date de l'opération`), `libelle` (or `label`, `description`), and either `montant` (or
/// `Montant de l'opération`, `amount`, signed) or `debit` and `credit` (or `Débit euros` and
/// `Crédit euros`); an optional `reference` column gives each entry's bank reference.
pub fn parse_csv(text: &str) -> Result<Statement, ParseError> {
    let separator = tabular::sniff_separator(text);
    let rows = tabular::read_records(text, separator, MAX_ENTRIES + 1, 20, |c| c.trim().to_owned())
        .map_err(|_| "ledger.error.statement_unreadable")?;
    let mut rows = rows.into_iter();
    let (_, header) = rows.next().ok_or("ledger.error.statement_empty")?;
    let header: Vec<String> = header.iter().map(|h| tabular::fold_header(h)).collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    // The names French banks use ("Date de l'opération", "Libellé", "Débit euros", "Crédit
    // euros", "Montant de l'opération"), folded, and their English equivalents.
    let date = find(&[
        "date",
        "date operation",
        "date de l operation",
        "date de operation",
        "date comptable",
        "date de comptabilisation",
        "booking date",
    ])
    .ok_or("ledger.error.statement_columns")?;
    let label = find(&[
        "libelle",
        "label",
        "description",
        "libelle operation",
        "libelle de l operation",
        "libelle simplifie",
        "motif",
    ])
    .ok_or("ledger.error.statement_columns")?;
    let amount = find(&[
        "montant",
        "amount",
        "montant eur",
        "montant euros",
        "montant en euros",
        "montant de l operation",
        "montant operation",
    ]);
    let debit = find(&["debit", "debit eur", "debit euros", "debit en euros"]);
    let credit = find(&["credit", "credit eur", "credit euros", "credit en euros"]);
    let reference = find(&["reference", "ref", "reference banque"]);
    if amount.is_none() && (debit.is_none() || credit.is_none()) {
        return Err("ledger.error.statement_columns");
    }
    let cell = |row: &[String], index: Option<usize>| -> String {
        index.and_then(|i| row.get(i)).cloned().unwrap_or_default()
    };
    let mut statement = Statement { format: "csv", ..Statement::default() };
    for (_, row) in rows {
        if row.iter().all(String::is_empty) {
            continue;
        }
        let booked_on = csv_date(&cell(&row, Some(date))).ok_or("ledger.error.statement_date")?;
        let signed = if let Some(index) = amount {
            csv_amount(&cell(&row, Some(index)))
        } else {
            let (d, c) = (cell(&row, debit), cell(&row, credit));
            match (csv_amount(&d), csv_amount(&c)) {
                (Some(d), None) => Some(-d.abs()),
                (None, Some(c)) => Some(c.abs()),
                _ => None,
            }
        };
        let signed = signed.filter(|s| *s != 0).ok_or("ledger.error.statement_amount")?;
        let remittance = cell(&row, Some(label));
        let bank_ref = cell(&row, reference);
        let amount_cents = signed.abs();
        let key = if bank_ref.is_empty() {
            format!(
                "sum:{}",
                digest(&[
                    &booked_on,
                    &amount_cents.to_string(),
                    if signed > 0 { "C" } else { "D" },
                    &remittance,
                    ""
                ])
            )
        } else {
            format!("entry:{booked_on}:{bank_ref}")
        };
        statement.entries.push(Entry {
            key,
            booked_on,
            amount_cents,
            is_credit: signed > 0,
            counterparty: String::new(),
            remittance,
        });
    }
    statement.reference = digest(&[text]);
    number_duplicates(&mut statement.entries);
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/releve-banque-camt053.xml");
    /// A French bank's CSV export, in Windows-1252 as banks write it.
    const FRENCH_CSV: &[u8] = include_bytes!("../../tests/fixtures/releve-banque-fr.csv");

    #[test]
    fn a_french_banks_csv_with_its_usual_headers_is_recognised() {
        let statement = parse(FRENCH_CSV).unwrap();
        let read: Vec<(&str, i64, bool)> =
            statement.entries.iter().map(|e| (e.booked_on.as_str(), e.amount_cents, e.is_credit)).collect();
        assert_eq!(
            read,
            vec![("2026-03-17", 5_000, true), ("2026-03-18", 450, false), ("2026-03-19", 104_850, false)]
        );
        assert_eq!(super::super::issuance_codes_in(&statement.entries[0].remittance), vec!["K7Q2-M9XD"]);
        assert_eq!(super::super::payout_codes_in(&statement.entries[2].remittance), vec!["R-2026-0007"]);
        // One signed column, "Montant de l'opération".
        let signed = "Date de l'opération;Libellé;Montant de l'opération\n17/03/2026;VIR REF K7Q2-M9XD;50,00\n18/03/2026;FRAIS;-4,50\n";
        let read: Vec<(i64, bool)> =
            parse(signed.as_bytes()).unwrap().entries.iter().map(|e| (e.amount_cents, e.is_credit)).collect();
        assert_eq!(read, vec![(5_000, true), (450, false)]);
    }

    #[test]
    fn the_fixture_statement_reads_into_four_booked_entries() {
        let statement = parse(FIXTURE.as_bytes()).unwrap();
        assert_eq!(statement.format, "camt053");
        assert_eq!(statement.reference, "STMT-2026-03-16");
        assert_eq!(statement.closing_balance_cents, Some(1_276_550));
        let summary: Vec<(i64, bool, &str)> =
            statement.entries.iter().map(|e| (e.amount_cents, e.is_credit, e.remittance.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                (5000, true, "CHANGE MLC REF K7Q2-M9XD"),
                (20000, true, "ref p4hw-3ztn change monnaie locale"),
                (3550, true, "ADHESION 2026"),
                (2000, false, "RECONVERSION MLC REF R-2026-0007"),
            ]
        );
        assert_eq!(statement.entries[0].counterparty, "MME CORINNE DUPUIS");
        assert_eq!(statement.entries[0].booked_on, "2026-03-16");
        assert_eq!(statement.entries[0].key, "entry:2026-03-16:20260316-001");
        assert_eq!(parse(FIXTURE.as_bytes()).unwrap(), statement, "reading twice gives the same keys");
    }

    #[test]
    fn pending_entries_and_escaped_labels_are_handled() {
        let xml = r#"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>S1</Id>
            <Ntry><Amt Ccy="EUR">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2026-03-16T10:00:00</DtTm></BookgDt>
            <NtryDtls><TxDtls><RmtInf><Ustrd>A &amp; B ref k7q2-m9xd</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
            <Ntry><Amt Ccy="EUR">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-03-16</Dt></BookgDt></Ntry>
            </Stmt></BkToCstmrStmt></Document>"#;
        let statement = parse(xml.as_bytes()).unwrap();
        assert_eq!(statement.entries.len(), 1);
        assert_eq!(statement.entries[0].remittance, "A & B ref k7q2-m9xd");
        assert_eq!(statement.entries[0].amount_cents, 1000);
        assert_eq!(statement.entries[0].booked_on, "2026-03-16");
        assert!(statement.entries[0].key.starts_with("sum:"));
    }

    #[test]
    fn other_xml_and_foreign_currencies_are_refused() {
        assert_eq!(parse(b"<html><body/></html>"), Err("ledger.error.statement_not_camt"));
        assert_eq!(parse(b"<Document><BkToCstmrStmt><Stmt"), Err("ledger.error.statement_xml"));
        let usd = r#"<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="USD">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-01-01</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>"#;
        assert_eq!(parse(usd.as_bytes()), Err("ledger.error.statement_currency"));
    }

    #[test]
    fn a_french_csv_export_reads_with_signed_amounts_or_two_columns() {
        let csv = "Date;Libellé;Montant\n16/03/2026;VIR CHANGE K7Q2-M9XD;50,00\n16/03/2026;RECONVERSION R-2026-0007;-20,00\n16/03/2026;VIR CHANGE K7Q2-M9XD;50,00\n";
        let statement = parse(csv.as_bytes()).unwrap();
        assert_eq!(statement.format, "csv");
        assert_eq!(statement.entries.len(), 3);
        assert!(statement.entries[0].is_credit);
        assert_eq!(statement.entries[1].amount_cents, 2000);
        assert!(!statement.entries[1].is_credit);
        assert_ne!(statement.entries[0].key, statement.entries[2].key, "two identical movements stay two");
        let two = "date,label,debit,credit\n2026-03-16,ADHESION,,35.50\n";
        let statement = parse(two.as_bytes()).unwrap();
        assert_eq!(statement.entries[0].amount_cents, 3550);
        assert_eq!(parse(b"nom;prenom\na;b\n"), Err("ledger.error.statement_columns"));
        assert_eq!(parse(b"date;libelle;montant\n32/13/2026;x;1\n"), Err("ledger.error.statement_date"));
    }
}
