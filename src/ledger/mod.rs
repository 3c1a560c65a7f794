//! The local currency: a territory's complementary currency kept in an exact double-entry ledger
//! (accounts, immutable transfers with client-chosen ids), euro-backed issuance, payments and
//! payment requests, reconversions, bank statement reconciliation, the audit of its invariants.

pub mod api;
mod bank;
mod demo;
mod desk;
pub mod http;
pub mod journal;
mod notices;
mod payment;
mod posting;
mod request;
pub mod statement;
mod store;
mod treasury;
mod wallet;

pub use bank::{BankDetailsInput, TopUp, clean_iban, group_iban, update_bank_details};
pub use demo::seed_demo;
pub use desk::{
    DeskIssuance, DeskMember, DeskMethod, DeskOperation, desk_day, find_members, is_desk_operator,
    issue_at_desk,
};
pub use payment::{
    CheckedPayment, PaymentInput, PaymentPreview, check_payment, clean_client_id, pay, payees,
    paying_account, preview_payment,
};
pub use posting::{NewTransfer, Posted, TransferRef, pay_order_in_tx, post_in_tx, refund_order_in_tx};
pub use request::{paid_requests, pay_request, preview_request_payment, request_client_id, request_payment};
pub use treasury::{
    Audit, Dashboard, Day, Duty, ImportReport, accounts_csv, audit, audit_all, audit_for, correct_transfer,
    correction_preview, dashboard, factor_from_code, import_statement, is_treasurer, mark_unrelated,
    match_entry, require_treasurer, update_settings,
};
pub use wallet::{
    HistoryLine, WalletExport, accepts_currency, account_names, acts_for, balance_after, business_account,
    create_payment_request, currency_of, enable_currency, enabled_currency, export_for, history, history_csv,
    is_business_owner, member_account, my_requests, own_account, payment_request, payment_requests_of,
    reconversions_of, request_issuance, request_issuance_with_reference, request_reconversion,
    request_reconversion_with_reference, standing_payment_request, transfer_for,
};

use rand::Rng;
use serde::Serialize;
pub use store::{
    account, account_of, accounts, entries_to_review, pending_requests, reconversions, transfer_by_client_id,
};

use crate::web::i18n::Lang;

/// The largest amount of one transfer, in cents (one million units): refuses absurd inputs long
/// before any sum could overflow an `i64`.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;
/// Longest memo, in characters.
pub const MAX_MEMO_CHARS: usize = 140;
/// How long an issuance request by bank transfer waits for its euros.
pub const ISSUANCE_REQUEST_TTL_SECS: i64 = 30 * 24 * 3600;

/// What a ledger account belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A member's wallet (owner: the user).
    Member,
    /// A business of the directory that accepts the currency (owner: the business).
    Business,
    /// The association's operating account.
    Operating,
    /// Where units come from: its negative balance is the money in circulation.
    Issuance,
    /// Where reconversion fees go.
    Fees,
    /// Units of reconversions whose euros have not yet left the guarantee fund.
    Payout,
}

impl AccountKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Business => "business",
            Self::Operating => "operating",
            Self::Issuance => "issuance",
            Self::Fees => "fees",
            Self::Payout => "payout",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Member, Self::Business, Self::Operating, Self::Issuance, Self::Fees, Self::Payout]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The lowest balance allowed: members, businesses and the association's accounts never go
    /// below zero; the issuance account has no floor (its debt is the money in circulation).
    pub fn floor_cents(self) -> Option<i64> {
        match self {
            Self::Issuance => None,
            _ => Some(0),
        }
    }

    /// The i18n key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Member => "ledger.account.member",
            Self::Business => "ledger.account.business",
            Self::Operating => "ledger.account.operating",
            Self::Issuance => "ledger.account.issuance",
            Self::Fees => "ledger.account.fees",
            Self::Payout => "ledger.account.payout",
        }
    }
}

/// What a transfer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// A member or a business pays another.
    Payment,
    /// Units created against euros received.
    Issuance,
    /// Units turned back into euros (and the payout settled).
    Reconversion,
    /// The fee of a reconversion.
    Fee,
    /// An order's payment given back.
    Refund,
    /// A reversing entry written by the treasurer.
    Correction,
}

impl TransferKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::Issuance => "issuance",
            Self::Reconversion => "reconversion",
            Self::Fee => "fee",
            Self::Refund => "refund",
            Self::Correction => "correction",
        }
    }

    /// The i18n key of the kind's name.
    pub fn label_key(name: &str) -> &'static str {
        match name {
            "payment" => "ledger.kind.payment",
            "issuance" => "ledger.kind.issuance",
            "reconversion" => "ledger.kind.reconversion",
            "fee" => "ledger.kind.fee",
            "refund" => "ledger.kind.refund",
            _ => "ledger.kind.correction",
        }
    }
}

/// An amount as written, without its euro sign and its spaces (plain, non-breaking or thin).
fn amount_digits(text: &str) -> String {
    text.trim().trim_end_matches('€').chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect()
}

/// Parses an amount typed by a person (`12`, `12,5`, `12.50`, `1 234,50`) into cents; `None`
/// unless it is positive, has at most two decimals and stays under [`MAX_AMOUNT_CENTS`].
pub fn parse_amount(text: &str) -> Option<i64> {
    let cleaned = amount_digits(text).replace(',', ".");
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > 2 || whole.len() > 9 {
        return None;
    }
    let units: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let total = units.checked_mul(100)?.checked_add(cents)?;
    (total > 0 && total <= MAX_AMOUNT_CENTS).then_some(total)
}

/// Writes an amount of units: `1 234,50 B` in French, `1,234.50 B` in English.
pub fn format_units(cents: i64, symbol: &str, lang: Lang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let whole = crate::web::fmt::integer((cents / 100).abs(), lang);
    let fraction = (cents % 100).abs();
    match lang {
        Lang::Fr => format!("{sign}{whole},{fraction:02}\u{a0}{symbol}"),
        Lang::En => format!("{sign}{whole}.{fraction:02} {symbol}"),
    }
}

/// Letters and digits of reference codes, without the look-alikes (0/O, 1/I/L) so that a person
/// can copy one into a bank transfer's label without mistakes.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new issuance reference code, `XXXX-XXXX` (e.g. `K7Q2-M9XD`): 31^8 ≈ 8.5e11 codes.
pub fn new_reference() -> String {
    let mut rng = rand::rngs::OsRng;
    let mut code = String::with_capacity(9);
    for index in 0..8 {
        if index == 4 {
            code.push('-');
        }
        code.push(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char);
    }
    code
}

/// The issuance reference codes (`XXXX-XXXX`, any case) found anywhere in a bank label,
/// uppercased.
pub fn issuance_codes_in(text: &str) -> Vec<String> {
    let upper: Vec<char> = text.to_uppercase().chars().collect();
    let is_code_char = |c: char| c.is_ascii_alphanumeric();
    let mut found = Vec::new();
    let mut start = 0;
    while start + 9 <= upper.len() {
        let window = &upper[start..start + 9];
        let before_ok = start == 0 || !is_code_char(upper[start - 1]);
        let after_ok = start + 9 == upper.len() || !is_code_char(upper[start + 9]);
        let shape_ok = window[4] == '-' && window.iter().enumerate().all(|(i, c)| i == 4 || is_code_char(*c));
        if before_ok && after_ok && shape_ok {
            found.push(window.iter().collect());
            start += 9;
        } else {
            start += 1;
        }
    }
    found
}

/// The reconversion payout references (`R-2026-0007`, any case) found in a bank label,
/// uppercased.
pub fn payout_codes_in(text: &str) -> Vec<String> {
    text.to_uppercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            parts.len() == 3
                && parts[0] == "R"
                && parts[1].len() == 4
                && parts[1].bytes().all(|b| b.is_ascii_digit())
                && !parts[2].is_empty()
                && parts[2].bytes().all(|b| b.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

/// The reference of a reconversion payout, from its year and its number.
pub fn payout_reference(year: i16, id: i64) -> String {
    format!("R-{year}-{id:04}")
}

/// The short reference of a transfer that people read and quote (`P-000123`), from its server
/// id: a receipt's reference, which the treasurer's correction form accepts too.
pub fn short_reference(id: i64) -> String {
    format!("P-{id:06}")
}

/// The server id in a short reference (`P-000123`, `p-123`, spaces around allowed).
pub fn parse_short_reference(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix("P-").or_else(|| text.strip_prefix("p-"))?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// The fee of a reconversion of `amount_cents` at `fee_bp` basis points, rounded down to the
/// cent (the business never pays more than the stated rate).
pub fn reconversion_fee(amount_cents: i64, fee_bp: i64) -> i64 {
    amount_cents.saturating_mul(fee_bp.clamp(0, 10_000)) / 10_000
}

/// Cleans a memo: one line, trimmed, at most [`MAX_MEMO_CHARS`] characters.
pub fn clean_memo(memo: &str) -> Result<String, &'static str> {
    let memo = memo.split_whitespace().collect::<Vec<_>>().join(" ");
    if memo.chars().count() > MAX_MEMO_CHARS { Err("ledger.error.memo_long") } else { Ok(memo) }
}

/// A new random token for a payment request's address.
pub fn new_request_token() -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill(&mut bytes);
    hex::encode(bytes)
}

/// Draws a QR code of `text` as an SVG image (black on white, with its quiet zone).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_the_french_and_the_english_way() {
        assert_eq!(parse_amount("12"), Some(1200));
        assert_eq!(parse_amount("12,5"), Some(1250));
        assert_eq!(parse_amount("12.05"), Some(1205));
        assert_eq!(parse_amount("1 234,50 €"), Some(123_450));
        assert_eq!(parse_amount(",5"), Some(50));
        assert_eq!(parse_amount("0"), None);
        assert_eq!(parse_amount("-3"), None);
        assert_eq!(parse_amount("1,234"), None);
        assert_eq!(parse_amount("douze"), None);
        assert_eq!(parse_amount("10000000"), None);
        assert_eq!(parse_amount(""), None);
    }

    #[test]
    fn units_are_written_with_their_symbol() {
        assert_eq!(format_units(123_450, "B", Lang::Fr), "1\u{202f}234,50\u{a0}B");
        assert_eq!(format_units(-5, "B", Lang::En), "-0.05 B");
    }

    #[test]
    fn reference_codes_are_found_in_any_case_anywhere_in_a_label() {
        assert_eq!(issuance_codes_in("CHANGE MLC REF K7Q2-M9XD"), vec!["K7Q2-M9XD"]);
        assert_eq!(issuance_codes_in("ref p4hw-3ztn change monnaie locale"), vec!["P4HW-3ZTN"]);
        assert!(issuance_codes_in("ADHESION 2026").is_empty());
        assert!(issuance_codes_in("XK7Q2-M9XD").is_empty());
        assert_eq!(payout_codes_in("RECONVERSION MLC REF R-2026-0007"), vec!["R-2026-0007"]);
        assert!(payout_codes_in("R-26-7").is_empty());
    }

    #[test]
    fn new_references_have_the_shape_the_matcher_looks_for() {
        for _ in 0..50 {
            let code = new_reference();
            assert_eq!(issuance_codes_in(&format!("virement {code} merci")), vec![code.clone()]);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        }
    }

    #[test]
    fn fees_round_down_and_stay_within_the_amount() {
        assert_eq!(reconversion_fee(10_000, 300), 300);
        assert_eq!(reconversion_fee(999, 300), 29);
        assert_eq!(reconversion_fee(500, 20_000), 500);
        assert_eq!(reconversion_fee(500, -4), 0);
        assert_eq!(payout_reference(2026, 7), "R-2026-0007");
    }

    #[test]
    fn short_references_are_read_back_to_their_transfer() {
        assert_eq!(short_reference(123), "P-000123");
        assert_eq!(short_reference(12_345_678), "P-12345678");
        assert_eq!(parse_short_reference(" p-000123 "), Some(123));
        assert_eq!(parse_short_reference("P-"), None);
        assert_eq!(parse_short_reference("P-0"), None);
        assert_eq!(parse_short_reference("4f1c2d3e-0000-4000-8000-000000000000"), None);
    }

    #[test]
    fn memos_are_one_bounded_line() {
        assert_eq!(clean_memo("  pain\n et  croissants "), Ok("pain et croissants".to_owned()));
        assert_eq!(clean_memo(&"x".repeat(141)), Err("ledger.error.memo_long"));
    }

    #[test]
    fn a_payment_address_draws_as_an_svg_qr_code() {
        let svg = qr_svg("https://halle.example/t/x/monnaie/payer/abc").unwrap();
        assert!(svg.contains("<svg"));
        assert_eq!(AccountKind::parse("payout"), Some(AccountKind::Payout));
        assert_eq!(AccountKind::Issuance.floor_cents(), None);
    }
}
