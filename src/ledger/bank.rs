//! The guarantee fund's bank details that members need to top up by transfer: the IBAN (checked
//! with its ISO 13616 checksum, written in groups of four), the account holder, and the exchange
//! points with their hours, all set by the treasurer.

use serde::Serialize;

use super::store;
use super::treasury::require_treasurer;
use crate::accounts::User;
use crate::accounts::totp::FreshFactor;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult, FieldError};

/// Longest account holder's name, in characters.
pub const MAX_HOLDER_CHARS: usize = 140;
/// Longest exchange points' text, in characters.
pub const MAX_POINTS_CHARS: usize = 2_000;

/// What the treasurer types about the fund's account and the exchange points.
#[derive(Clone, Debug, Default)]
pub struct BankDetailsInput {
    /// The IBAN as typed (spaces and case do not matter); empty to remove it.
    pub iban: String,
    /// Who holds the account (the association's name as the bank knows it).
    pub holder: String,
    /// Where and when members can change euros (one place per line).
    pub exchange_points: String,
}

/// How members top up: the fund's account and the exchange points, as shown on the wallet.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct TopUp {
    /// The IBAN in groups of four (`FR76 3000 …`), empty when not set.
    pub iban: String,
    /// The account holder, empty when not set.
    pub holder: String,
    /// The exchange points, one per line.
    pub exchange_points: Vec<String>,
}

impl TopUp {
    /// The top-up details of a currency.
    pub fn of(currency: &store::Currency) -> Self {
        Self {
            iban: group_iban(&currency.bank_iban),
            holder: currency.bank_holder.clone(),
            exchange_points: currency
                .exchange_points
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// An IBAN without its spaces, uppercased, when its shape and its checksum are right.
pub fn clean_iban(text: &str) -> Option<String> {
    let iban: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    // ISO 7064 mod 97-10: the first four characters moved to the end, letters as 10..35.
    let mut remainder = 0u32;
    for &b in bytes[4..].iter().chain(&bytes[..4]) {
        let value = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    (remainder == 1).then_some(iban)
}

/// An IBAN written in groups of four characters, as on a bank's documents.
pub fn group_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Records the fund's bank details and the exchange points. Treasurers only, with a fresh
/// second factor: the IBAN is where members send their euros. `422` on `iban` when the IBAN's
/// checksum is wrong, on `holder` when an IBAN has no holder or a field is too long.
pub async fn update_bank_details(
    db: &Db,
    actor: &User,
    factor: &FreshFactor,
    territory_id: i64,
    input: &BankDetailsInput,
) -> AppResult<()> {
    require_treasurer(db, actor, territory_id).await?;
    super::treasury::require_fresh(db, actor, factor).await?;
    let mut errors = Vec::new();
    let iban = if input.iban.trim().is_empty() { Some(String::new()) } else { clean_iban(&input.iban) };
    if iban.is_none() {
        errors.push(FieldError { field: "iban", message: "ledger.error.iban" });
    }
    let holder = input.holder.split_whitespace().collect::<Vec<_>>().join(" ");
    if holder.chars().count() > MAX_HOLDER_CHARS
        || (holder.is_empty() && iban.as_ref().is_some_and(|i| !i.is_empty()))
    {
        errors.push(FieldError { field: "holder", message: "ledger.error.holder" });
    }
    let points = input.exchange_points.trim().replace("\r\n", "\n");
    if points.chars().count() > MAX_POINTS_CHARS {
        errors.push(FieldError { field: "exchange_points", message: "ledger.error.points_long" });
    }
    let Some(iban) = iban.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = now();
    let mut tx = db.begin().await?;
    store::update_bank_details(&mut tx, territory_id, &iban, &holder, &points, now).await?;
    let detail = format!("IBAN {}, {holder}", group_iban(&iban));
    store::log_event(&mut tx, territory_id, Some(actor.id), "bank_details_changed", &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_is_checked_by_its_checksum_and_written_by_groups_of_four() {
        let iban = clean_iban("fr76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(iban, "FR7630006000011234567890189");
        assert_eq!(group_iban(&iban), "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(clean_iban("DE89 3704 0044 0532 0130 00").as_deref(), Some("DE89370400440532013000"));
        // One digit changed, two swapped, a wrong shape.
        assert_eq!(clean_iban("FR76 3000 6000 0112 3456 7890 188"), None);
        assert_eq!(clean_iban("FR76 3000 6000 0112 3456 7809 189"), None);
        assert_eq!(clean_iban("7630006000011234567890189"), None);
        assert_eq!(clean_iban("FR76"), None);
    }
}
