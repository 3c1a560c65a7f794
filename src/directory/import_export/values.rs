//! Value parsers: phones, web and e-mail addresses, coordinates, statuses, services, yes/no and
//! kinds as people write them in a spreadsheet.

use super::rows::{MAX_EMAIL_CHARS, RefusalReason};
use crate::directory::{BusinessKind, CrisisStatus};
use crate::tabular::fold_words;

/// A phone number: digits, spaces and `+ . - ( )`. Runs of spaces of any kind (the no-break
/// spaces a spreadsheet puts in formatted numbers) become one ordinary space.
pub(super) fn parse_phone(written: &str) -> Result<String, RefusalReason> {
    let phone = written.split_whitespace().collect::<Vec<_>>().join(" ");
    if phone.chars().all(|c| c.is_ascii_digit() || " +.-()".contains(c)) {
        Ok(phone)
    } else {
        Err(RefusalReason::InvalidPhone { value: written.to_owned() })
    }
}

/// An absolute http or https URL. A bare "www.example.fr" (no scheme, a dotted host) gets
/// `https://`. Refused: other schemes (`javascript:`, `data:`, `ftp:`, `mailto:`…), no host, and
/// credentials in the URL (`https://bank.example@evil.example` hides the real host).
pub(super) fn parse_web_address(written: &str) -> Result<String, RefusalReason> {
    let refused = || RefusalReason::InvalidUrl { value: written.to_owned() };
    let url = match url::Url::parse(written) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let with_scheme = match written.strip_prefix("//") {
                Some(rest) => format!("https://{rest}"),
                None => format!("https://{written}"),
            };
            let url = url::Url::parse(&with_scheme).map_err(|_| refused())?;
            if !url.host_str().is_some_and(|host| host.contains('.')) {
                return Err(refused());
            }
            url
        }
        Err(_) => return Err(refused()),
    };
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || has_credentials
    {
        return Err(refused());
    }
    let mut address = String::from(url.as_str());
    // Keep "https://example.fr" as written rather than the parser's "https://example.fr/".
    if url.path() == "/" && url.query().is_none() && url.fragment().is_none() && !written.ends_with('/') {
        address.pop();
    }
    Ok(address)
}

/// An e-mail address that looks deliverable: one `@`, a plausible local part, a dotted domain.
/// A leading `mailto:` is removed.
pub(super) fn parse_email(written: &str) -> Result<String, RefusalReason> {
    let address = match written.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => written[7..].trim(),
        _ => written,
    };
    if looks_like_email(address) {
        Ok(address.to_owned())
    } else {
        Err(RefusalReason::InvalidEmail { value: written.to_owned() })
    }
}

/// One `@`; a local part of dot-separated atoms (letters, digits, ``!#$%&'*+-/=?^_`{|}~``) of at
/// most 64 bytes; a domain of at least two labels (letters, digits, inner hyphens; at most 63 bytes
/// each) and a top level of two characters or more. Stricter than RFC 5322 (no quoted local part,
/// no IP literal), so that what passes here also passes the listing form's check.
pub(super) fn looks_like_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let is_atom_character = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let local_ok = local.len() <= 64
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atom_character));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            label.len() <= 63
                && label.starts_with(char::is_alphanumeric)
                && label.ends_with(char::is_alphanumeric)
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|top_level| top_level.chars().count() >= 2);
    address.chars().count() <= MAX_EMAIL_CHARS && local_ok && domain_ok
}

/// Latitude and longitude, both or neither, in range. A decimal comma is accepted.
pub(super) fn parse_coordinates(
    latitude: Option<&str>,
    longitude: Option<&str>,
) -> Result<(Option<f64>, Option<f64>), RefusalReason> {
    let latitude = latitude
        .map(|written| parse_coordinate(written, 90.0, |value| RefusalReason::LatitudeOutOfRange { value }))
        .transpose()?;
    let longitude = longitude
        .map(|written| parse_coordinate(written, 180.0, |value| RefusalReason::LongitudeOutOfRange { value }))
        .transpose()?;
    match (latitude, longitude) {
        (Some(_), None) | (None, Some(_)) => Err(RefusalReason::HalfCoordinates),
        both_or_neither => Ok(both_or_neither),
    }
}

pub(super) fn parse_coordinate(
    written: &str,
    limit: f64,
    out_of_range: impl Fn(String) -> RefusalReason,
) -> Result<f64, RefusalReason> {
    let number = parse_decimal(written)
        .ok_or_else(|| RefusalReason::InvalidCoordinate { value: written.to_owned() })?;
    if (-limit..=limit).contains(&number) { Ok(number) } else { Err(out_of_range(written.to_owned())) }
}

/// A finite decimal number, with `.` or `,` as decimal separator (and `−` accepted for `-`).
pub(super) fn parse_decimal(written: &str) -> Option<f64> {
    let normalised: String = written
        .chars()
        .map(|c| {
            if c == ',' {
                '.'
            } else if c == '\u{2212}' {
                '-'
            } else {
                c
            }
        })
        .collect();
    let number: f64 = normalised.parse().ok()?;
    number.is_finite().then_some(number)
}

/// The status words, folded (see [`fold_words`]).
pub(super) const STATUS_WORDS: [(CrisisStatus, &[&str]); 4] = [
    (CrisisStatus::Open, &["ouvert", "ouverte", "open", "ouvert normalement", "ouvert au public"]),
    (
        CrisisStatus::PickupOnly,
        &[
            "drive",
            "retrait",
            "click and collect",
            "click collect",
            "clickandcollect",
            "click n collect",
            "a emporter",
            "emporter",
            "vente a emporter",
            "retrait uniquement",
            "drive uniquement",
            "take away",
            "takeaway",
            "pickup",
            "pick up",
            "pickup only",
        ],
    ),
    (
        CrisisStatus::DeliveryOnly,
        &[
            "livraison",
            "livraisons",
            "livraison uniquement",
            "livraison a domicile",
            "delivery",
            "delivery only",
        ],
    ),
    (
        CrisisStatus::Closed,
        &[
            "ferme",
            "fermee",
            "ferme temporairement",
            "fermee temporairement",
            "clos",
            "closed",
            "temporarily closed",
        ],
    ),
];

/// The value whose words (folded) include the folded `written`.
fn word_value<T: Copy>(table: &[(T, &[&str])], written: &str) -> Option<T> {
    let folded = fold_words(written);
    table.iter().find(|(_, words)| words.contains(&folded.as_str())).map(|(value, _)| *value)
}

pub(super) fn parse_status(written: &str) -> Result<CrisisStatus, RefusalReason> {
    word_value(&STATUS_WORDS, written)
        .ok_or_else(|| RefusalReason::UnknownStatus { value: written.to_owned() })
}

/// The three service flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Services {
    pub(super) click_and_collect: bool,
    pub(super) delivery: bool,
    pub(super) takes_consignment: bool,
}

pub(super) const CLICK_AND_COLLECT_WORDS: &[&str] = &[
    "drive",
    "retrait",
    "click and collect",
    "click collect",
    "clickandcollect",
    "click n collect",
    "retrait en magasin",
    "retrait sur place",
    "a emporter",
    "emporter",
    "vente a emporter",
    "take away",
    "takeaway",
    "pickup",
    "pick up",
];
pub(super) const DELIVERY_WORDS: &[&str] =
    &["livraison", "livraisons", "livraison a domicile", "delivery", "home delivery"];
pub(super) const CONSIGNMENT_WORDS: &[&str] =
    &["depot vente", "depotvente", "depot", "vente en depot", "consignment", "consignment sale"];
pub(super) const NO_SERVICE_WORDS: &[&str] = &["aucun", "aucune", "none", "non", "no"];

/// A list of services split on `;` `,` `/` `|` or `+`.
pub(super) fn parse_services(written: &str) -> Result<Services, RefusalReason> {
    let mut services = Services::default();
    for item in written.split([';', ',', '/', '|', '+']).map(str::trim) {
        let folded = fold_words(item);
        let word = folded.as_str();
        if word.is_empty() || NO_SERVICE_WORDS.contains(&word) {
            continue;
        }
        let offered = if CLICK_AND_COLLECT_WORDS.contains(&word) {
            &mut services.click_and_collect
        } else if DELIVERY_WORDS.contains(&word) {
            &mut services.delivery
        } else if CONSIGNMENT_WORDS.contains(&word) {
            &mut services.takes_consignment
        } else {
            return Err(RefusalReason::UnknownService { value: item.to_owned() });
        };
        *offered = true;
    }
    Ok(services)
}

/// The words of the `type` column, folded.
pub(super) const KIND_WORDS: [(BusinessKind, &[&str]); 6] = [
    (
        BusinessKind::Merchant,
        &[
            "commerce",
            "commercant",
            "commercante",
            "boutique",
            "magasin",
            "merchant",
            "shop",
            "store",
            "retail",
        ],
    ),
    (
        BusinessKind::Producer,
        &[
            "producteur",
            "productrice",
            "ferme",
            "agriculteur",
            "agricultrice",
            "exploitation agricole",
            "maraicher",
            "maraichere",
            "eleveur",
            "eleveuse",
            "producer",
            "farm",
            "farmer",
        ],
    ),
    (BusinessKind::Artisan, &["artisan", "artisane", "artisanat", "craft", "crafts", "craftsman"]),
    (
        BusinessKind::Association,
        &["association", "asso", "associatif", "associative", "non profit", "nonprofit"],
    ),
    (
        BusinessKind::Service,
        &["service", "services", "prestataire", "prestataire de services", "service provider"],
    ),
    (
        BusinessKind::Health,
        &[
            "sante",
            "pharmacie",
            "medical",
            "medicale",
            "medecin",
            "professionnel de sante",
            "health",
            "pharmacy",
        ],
    ),
];

pub(super) fn parse_kind(written: &str) -> Result<BusinessKind, RefusalReason> {
    word_value(&KIND_WORDS, written).ok_or_else(|| RefusalReason::UnknownKind { value: written.to_owned() })
}

/// Category words that make the kind obvious; any other category is a merchant's.
pub(super) const KIND_HINTS_IN_CATEGORY: [(BusinessKind, &[&str]); 4] = [
    (
        BusinessKind::Health,
        &[
            "pharmacie",
            "pharmacy",
            "medecin",
            "medical",
            "medicale",
            "sante",
            "infirmier",
            "infirmiere",
            "health",
        ],
    ),
    (BusinessKind::Association, &["association", "associatif", "associative", "asso"]),
    (
        BusinessKind::Producer,
        &[
            "producteur",
            "producteurs",
            "productrice",
            "agriculteur",
            "maraicher",
            "maraichere",
            "eleveur",
            "vigneron",
            "viticulteur",
            "apiculteur",
            "producer",
            "farmer",
        ],
    ),
    (BusinessKind::Artisan, &["artisan", "artisane", "artisanat"]),
];

pub(super) fn infer_kind(category: Option<&str>) -> BusinessKind {
    let folded = fold_words(category.unwrap_or_default());
    let words: Vec<&str> = folded.split(' ').collect();
    KIND_HINTS_IN_CATEGORY
        .iter()
        .find(|(_, hints)| words.iter().any(|word| hints.contains(word)))
        .map_or(BusinessKind::Merchant, |(kind, _)| *kind)
}
