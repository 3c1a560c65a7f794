//! Value parsers: prices, VAT rates, stock, weights, yes/no, units and allergens as people write
//! them in a spreadsheet, read exactly from their decimal digits, never through a float.

use super::columns::Field;
use super::rows::{MAX_VAT_BP, RefusalReason};
use crate::catalog::{Allergen, Unit};
use crate::tabular::fold_words;

/// A decimal number read exactly from its digits: `mantissa / 10^scale`, negative or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Decimal {
    negative: bool,
    mantissa: u64,
    scale: u32,
}

impl Decimal {
    /// Digits with one decimal mark, `,` or `.`, and an optional sign (`-`, `−` or `+`). When both
    /// marks appear, the last one is the decimal mark and the other one groups thousands in
    /// threes ("1.234,50", "1,234.50"). Anything else (letters, two decimal marks, "1,2,3") is not a
    /// number. The caller removes spaces and currency first.
    fn parse(text: &str) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix(['-', '\u{2212}']) {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let decimal_mark = unsigned.rfind([',', '.']);
        let (whole, fraction) = match decimal_mark {
            Some(at) => (&unsigned[..at], &unsigned[at + 1..]),
            None => (unsigned, ""),
        };
        let grouping = match unsigned.as_bytes().get(decimal_mark.unwrap_or(usize::MAX)) {
            Some(b',') => '.',
            Some(_) => ',',
            None => '\0', // no decimal mark: no grouping either
        };
        let groups: Vec<&str> = whole.split(grouping).collect();
        let grouped_in_threes = groups.len() == 1
            || (groups.iter().skip(1).all(|group| group.len() == 3) && (1..=3).contains(&groups[0].len()));
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if !grouped_in_threes || !groups.iter().all(|group| all_digits(group)) || !all_digits(fraction) {
            return None;
        }
        let digits: String = groups.concat() + fraction;
        if digits.is_empty() {
            return None; // a sign or a mark alone
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > 18 {
            return None; // beyond any amount a catalogue holds, and beyond u64
        }
        let mantissa = if significant.is_empty() { 0 } else { significant.parse().ok()? };
        let scale = u32::try_from(fraction.len()).ok()?;
        Some(Self { negative: negative && mantissa != 0, mantissa, scale })
    }

    /// The number times 10^`places`, when that is a whole number that fits: no more than `places`
    /// decimals are written (trailing zeros count: "1,200" has three).
    fn scaled(self, places: u32) -> Option<i64> {
        let factor = 10_u64.checked_pow(places.checked_sub(self.scale)?)?;
        let magnitude = i64::try_from(self.mantissa.checked_mul(factor)?).ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The number when it is whole, whatever zeros follow the decimal mark ("12,0").
    fn whole(self) -> Option<i64> {
        let divisor = 10_u64.checked_pow(self.scale)?;
        if !self.mantissa.is_multiple_of(divisor) {
            return None;
        }
        let magnitude = i64::try_from(self.mantissa / divisor).ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// Strictly between 0 and 1.
    fn is_proper_fraction(self) -> bool {
        !self.negative
            && self.mantissa != 0
            && 10_u64.checked_pow(self.scale).is_some_and(|one| self.mantissa < one)
    }
}

/// The text without spaces of any kind (a spreadsheet groups thousands with no-break spaces).
pub(super) fn without_spaces(text: &str) -> String {
    text.chars().filter(|character| !character.is_whitespace()).collect()
}

/// An amount without spaces, `€` and a leading or trailing "EUR", "euro" or "euros".
pub(super) fn without_currency(written: &str) -> String {
    let amount: String = without_spaces(written).replace('€', "");
    for word in ["euros", "euro", "eur"] {
        let length = word.len();
        if amount.len() > length {
            if amount.get(amount.len() - length..).is_some_and(|end| end.eq_ignore_ascii_case(word)) {
                return amount[..amount.len() - length].to_owned();
            }
            if amount.get(..length).is_some_and(|start| start.eq_ignore_ascii_case(word)) {
                return amount[length..].to_owned();
            }
        }
    }
    amount
}

/// A price in cents: "1,20 €", "1.20", "1 234,50", "12€", "€ 3", "3 EUR"; at most two decimals.
pub(super) fn parse_price(written: &str) -> Result<i64, RefusalReason> {
    if written.is_empty() {
        return Err(RefusalReason::MissingPrice);
    }
    let cents = Decimal::parse(&without_currency(written))
        .and_then(|amount| amount.scaled(2))
        .ok_or_else(|| RefusalReason::InvalidPrice { value: written.to_owned() })?;
    if cents < 0 {
        return Err(RefusalReason::NegativePrice { value: written.to_owned() });
    }
    Ok(cents)
}

/// A VAT rate in basis points: "5,5 %", "5.5", "20", "2,1%", or the fraction a percentage cell
/// holds (0.055). Without a % sign, a number strictly between 0 and 1 is such a fraction: no VAT
/// rate is below 1 % but Corsica's 0.9 %, which as a fraction (0.009) still reads right, and which
/// written "0,9" reads as 90 %, above [`MAX_VAT_BP`], so it is refused rather than misread.
pub(super) fn parse_vat(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() {
        return Ok(None);
    }
    let invalid = || RefusalReason::InvalidVat { value: written.to_owned() };
    let compact = without_spaces(written);
    let (number, has_percent_sign) = match compact.strip_suffix('%') {
        Some(number) => (number, true),
        None => (compact.as_str(), false),
    };
    let rate = Decimal::parse(number).filter(|rate| !rate.negative).ok_or_else(invalid)?;
    let basis_points =
        if !has_percent_sign && rate.is_proper_fraction() { rate.scaled(4) } else { rate.scaled(2) };
    match basis_points {
        Some(basis_points) if basis_points <= MAX_VAT_BP => Ok(Some(basis_points)),
        _ => Err(invalid()),
    }
}

/// Stock words meaning "no limit" (folded).
pub(super) const UNLIMITED_WORDS: &[&str] = &["illimite", "illimitee", "unlimited", "infini", "sans limite"];

/// A stock: empty (or "illimité") is unlimited, else a whole number of zero or more ("12,0" too).
pub(super) fn parse_stock(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() || UNLIMITED_WORDS.contains(&fold_words(written).as_str()) {
        return Ok(None);
    }
    Decimal::parse(&without_spaces(written))
        .and_then(Decimal::whole)
        .filter(|stock| *stock >= 0)
        .map(Some)
        .ok_or_else(|| RefusalReason::InvalidStock { value: written.to_owned() })
}

/// An estimated weight in grams: "250", "250 g", "0,25 kg"; whole grams above zero.
pub(super) fn parse_weight(written: &str) -> Result<Option<i64>, RefusalReason> {
    if written.is_empty() {
        return Ok(None);
    }
    let compact = without_spaces(written).to_lowercase();
    let grams = if let Some(kilograms) = compact.strip_suffix("kg") {
        Decimal::parse(kilograms).and_then(|kilograms| kilograms.scaled(3))
    } else {
        let number =
            ["grammes", "gr", "g"].iter().find_map(|unit| compact.strip_suffix(unit)).unwrap_or(&compact);
        Decimal::parse(number).and_then(Decimal::whole)
    };
    grams
        .filter(|grams| *grams > 0)
        .map(Some)
        .ok_or_else(|| RefusalReason::InvalidWeight { value: written.to_owned() })
}

pub(super) const YES_WORDS: &[&str] = &["oui", "yes", "vrai", "true", "x", "1", "o", "y"];
pub(super) const NO_WORDS: &[&str] = &["non", "no", "faux", "false", "0", "n"];

/// Yes or no, in French or English words, 1/0 or a cross; empty gives the default.
pub(super) fn parse_yes_no(field: Field, written: &str, default: bool) -> Result<bool, RefusalReason> {
    let folded = fold_words(written);
    if written.is_empty() {
        Ok(default)
    } else if YES_WORDS.contains(&folded.as_str()) {
        Ok(true)
    } else if NO_WORDS.contains(&folded.as_str()) {
        Ok(false)
    } else {
        Err(RefusalReason::UnknownYesNo { field: field.as_str(), value: written.to_owned() })
    }
}

/// The unit words, folded, after a leading article ("la pièce", "le kg", "les 100 g").
pub(super) const UNIT_WORDS: [(Unit, &[&str]); 10] = [
    (Unit::Piece, &["piece", "pieces", "pc", "pcs", "pce", "u", "unite", "unites", "unit", "units"]),
    (Unit::Kg, &["kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes", "kilogram", "kilograms"]),
    (Unit::Grams100, &["100 g", "100g", "100 gr", "100gr", "100 grammes", "100 grams"]),
    (Unit::Litre, &["l", "litre", "litres", "liter", "liters", "lt"]),
    (Unit::Bunch, &["botte", "bottes", "bunch", "bunches"]),
    (Unit::Tray, &["barquette", "barquettes", "tray", "trays"]),
    (Unit::Jar, &["pot", "pots", "bocal", "bocaux", "jar", "jars"]),
    (Unit::Bottle, &["bouteille", "bouteilles", "bottle", "bottles"]),
    (Unit::Box, &["boite", "boites", "box", "boxes"]),
    (Unit::Portion, &["part", "parts", "portion", "portions"]),
];

/// Articles and prepositions before a unit, folded, with their space ("€/kg" folds to "eur kg").
pub(super) const UNIT_PREFIXES: &[&str] =
    &["a la ", "a l ", "le ", "la ", "les ", "l ", "au ", "par ", "per ", "eur "];

/// A unit; empty is a piece.
pub(super) fn parse_unit(written: &str) -> Result<Unit, RefusalReason> {
    if written.is_empty() {
        return Ok(Unit::Piece);
    }
    let folded = fold_words(written);
    let word = UNIT_PREFIXES.iter().find_map(|prefix| folded.strip_prefix(prefix)).unwrap_or(&folded);
    UNIT_WORDS
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(unit, _)| *unit)
        .ok_or_else(|| RefusalReason::UnknownUnit { value: written.to_owned() })
}

/// The allergen words, folded: the regulation's French and English names, their singulars, and the
/// foods it names under them (the cereals containing gluten, the nuts).
pub(super) const ALLERGEN_WORDS: [(Allergen, &[&str]); 14] = [
    (
        Allergen::Gluten,
        &[
            "gluten",
            "cereales contenant du gluten",
            "ble",
            "seigle",
            "orge",
            "avoine",
            "epeautre",
            "kamut",
            "wheat",
            "rye",
            "barley",
            "oats",
            "spelt",
        ],
    ),
    (Allergen::Crustaceans, &["crustaces", "crustace", "crustaceans", "crustacean"]),
    (Allergen::Eggs, &["oeufs", "oeuf", "eggs", "egg"]),
    (Allergen::Fish, &["poisson", "poissons", "fish"]),
    (
        Allergen::Peanuts,
        &[
            "arachides",
            "arachide",
            "cacahuetes",
            "cacahuete",
            "cacahouetes",
            "cacahouete",
            "peanuts",
            "peanut",
        ],
    ),
    (Allergen::Soybeans, &["soja", "soy", "soya", "soybeans", "soybean"]),
    (Allergen::Milk, &["lait", "lactose", "produits laitiers", "milk", "dairy"]),
    (
        Allergen::Nuts,
        &[
            "fruits a coque",
            "fruit a coque",
            "noix",
            "amandes",
            "amande",
            "noisettes",
            "noisette",
            "noix de cajou",
            "noix de pecan",
            "noix de macadamia",
            "noix du bresil",
            "pistaches",
            "pistache",
            "nuts",
            "tree nuts",
            "almonds",
            "hazelnuts",
            "walnuts",
            "cashews",
            "pecans",
            "pistachios",
        ],
    ),
    (Allergen::Celery, &["celeri", "celery"]),
    (Allergen::Mustard, &["moutarde", "mustard"]),
    (Allergen::Sesame, &["sesame", "graines de sesame", "sesame seeds"]),
    (
        Allergen::Sulphites,
        &[
            "sulfites",
            "sulfite",
            "anhydride sulfureux",
            "sulphites",
            "sulphite",
            "sulphur dioxide",
            "sulfur dioxide",
        ],
    ),
    (Allergen::Lupin, &["lupin", "lupine"]),
    (Allergen::Molluscs, &["mollusques", "mollusque", "molluscs", "mollusc", "mollusks", "mollusk"]),
];

/// Words that say there is no allergen (folded).
pub(super) const NO_ALLERGEN_WORDS: &[&str] = &["aucun", "aucune", "none", "neant", "sans", "no", "non"];

/// A list of allergens split on `,` `;` `/` `|` `+`, line breaks, "et" or "and"; sorted, without
/// duplicates.
pub(super) fn parse_allergens(written: &str) -> Result<Vec<Allergen>, RefusalReason> {
    let mut allergens = Vec::new();
    for item in written.split([',', ';', '/', '|', '+', '\n']).map(str::trim) {
        let folded = fold_words(item);
        if folded.is_empty() || NO_ALLERGEN_WORDS.contains(&folded.as_str()) {
            continue;
        }
        for word in folded.split(" et ").flat_map(|part| part.split(" and ")) {
            let allergen = ALLERGEN_WORDS
                .iter()
                .find(|(_, words)| words.contains(&word))
                .map(|(allergen, _)| *allergen)
                .ok_or_else(|| RefusalReason::UnknownAllergen { value: item.to_owned() })?;
            allergens.push(allergen);
        }
    }
    allergens.sort_unstable();
    allergens.dedup();
    Ok(allergens)
}
