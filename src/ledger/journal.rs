//! The treasury journal in words: each money operation of the audit log (a stable action name
//! and its details, references and amounts in cents) written as a person reads it, in French or
//! English with euros and units formatted, e.g. "Émission au bureau de change · espèces ·
//! 30,00 €". Details that do not parse (an older format) are shown as they were stored.

use super::format_units;
use crate::web::fmt;
use crate::web::i18n::{Lang, Tr};

/// A number of cents, when `text` is one.
fn cents(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// The line of the journal for an operation `action` with its stored `detail`.
pub fn describe(action: &str, detail: &str, symbol: &str, lang: Lang) -> String {
    let t = Tr::new(lang);
    let euros = |c: i64| fmt::price(c, lang);
    let units = |c: i64| format_units(c, symbol, lang);
    let what = |key: &str, args: &[(&str, &str)]| t.fill(key, args);
    let described = match action {
        "desk_issuance" => detail.split_once(' ').and_then(|(source, amount)| {
            let method = match source {
                "desk_cash" => t.get("ledger.journal.cash"),
                "desk_cheque" => t.get("ledger.journal.cheque"),
                _ => return None,
            };
            Some(what(
                "ledger.journal.desk_issuance",
                &[("method", method), ("amount", &euros(cents(amount)?))],
            ))
        }),
        "issuance_requested" => Some(what("ledger.journal.issuance_requested", &[("code", detail)])),
        "issued_by_transfer" => Some(what("ledger.journal.issued_by_transfer", &[("code", detail)])),
        "payout_settled" => Some(what("ledger.journal.payout_settled", &[("reference", detail)])),
        "reconversion_requested" => detail.split_once(' ').and_then(|(reference, amount)| {
            let amount = units(cents(amount)?);
            Some(what(
                "ledger.journal.reconversion_requested",
                &[("reference", reference), ("amount", &amount)],
            ))
        }),
        "statement_imported" => statement(detail, &t, &euros, &units),
        "entry_unrelated" => detail
            .strip_prefix("entry ")
            .map(|number| what("ledger.journal.entry_unrelated", &[("number", number)])),
        "settings_changed" => settings(detail, &t),
        "transfer_corrected" => Some(t.get("ledger.journal.transfer_corrected").to_owned()),
        "currency_enabled" => Some(what("ledger.journal.currency_enabled", &[("name", detail)])),
        "business_opted_in" => Some(t.get("ledger.journal.business_opted_in").to_owned()),
        "bank_details_changed" => Some(what("ledger.journal.bank_details_changed", &[("detail", detail)])),
        "order_paid" => Some(t.get("ledger.journal.order_paid").to_owned()),
        "order_refunded" => Some(t.get("ledger.journal.order_refunded").to_owned()),
        _ => None,
    };
    described.unwrap_or_else(|| format!("{action} · {detail}"))
}

/// "csv REF: 3 new, 1 issued (25000), 1 settled (4850), 1 to review".
fn statement(
    detail: &str,
    t: &Tr,
    euros: &dyn Fn(i64) -> String,
    units: &dyn Fn(i64) -> String,
) -> Option<String> {
    let (_, counts) = detail.split_once(": ")?;
    let numbers: Vec<i64> = counts
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [new, issued, issued_cents, settled, settled_cents, review] = numbers.as_slice() else {
        return None;
    };
    let args = [
        ("new", new.to_string()),
        ("issued", issued.to_string()),
        ("issued_amount", units(*issued_cents)),
        ("settled", settled.to_string()),
        ("settled_amount", euros(*settled_cents)),
        ("review", review.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Some(t.fill("ledger.journal.statement_imported", &args))
}

/// "member payments true, fee 300 bp".
fn settings(detail: &str, t: &Tr) -> Option<String> {
    let (payments, fee) = detail.strip_prefix("member payments ")?.split_once(", fee ")?;
    let payments = match payments {
        "true" => t.get("ledger.journal.member_payments_on"),
        "false" => t.get("ledger.journal.member_payments_off"),
        _ => return None,
    };
    let bp: i64 = fee.strip_suffix(" bp")?.parse().ok()?;
    let separator = if t.lang == Lang::Fr { ',' } else { '.' };
    let fee = format!("{}{separator}{:02}", bp / 100, bp % 100);
    Some(t.fill("ledger.journal.settings_changed", &[("payments", payments), ("fee", &fee)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_reads_in_french_words_and_euros() {
        let fr = |action, detail| describe(action, detail, "B", Lang::Fr);
        assert_eq!(
            fr("desk_issuance", "desk_cash 3000"),
            "Émission au bureau de change · espèces · 30,00\u{a0}€"
        );
        assert_eq!(
            fr("desk_issuance", "desk_cheque 123450"),
            "Émission au bureau de change · chèque · 1\u{202f}234,50\u{a0}€"
        );
        assert_eq!(
            fr("settings_changed", "member payments false, fee 250 bp"),
            "Réglages · paiements entre membres interdits · frais de reconversion 2,50 %"
        );
        assert_eq!(
            fr(
                "statement_imported",
                "csv releve-mars: 3 new, 1 issued (25000), 1 settled (4850), 1 to review"
            ),
            "Relevé importé · lignes nouvelles : 3 · émissions : 1 (250,00\u{a0}B) · versements réglés : 1 (48,50\u{a0}€) · à vérifier : 1"
        );
        assert_eq!(
            fr("reconversion_requested", "R-2026-0007 10000"),
            "Reconversion demandée · R-2026-0007 · 100,00\u{a0}B"
        );
        assert_eq!(
            fr("entry_unrelated", "entry 12"),
            "Ligne de relevé n° 12 marquée sans rapport avec la monnaie"
        );
        // An unknown or older detail is shown as stored, never lost.
        assert_eq!(fr("desk_issuance", "cash"), "desk_issuance · cash");
        assert_eq!(
            describe("desk_issuance", "desk_cash 3000", "B", Lang::En),
            "Issued at the exchange desk · cash · €30.00"
        );
    }
}
