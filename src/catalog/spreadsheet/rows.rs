//! Rows: each line of the table checked into a product or a refusal a person can act on, with the
//! refusal's French and English sentences.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Table;
use super::columns::{Field, Mapping};
use super::values::{
    parse_allergens, parse_price, parse_stock, parse_unit, parse_vat, parse_weight, parse_yes_no,
};
use crate::catalog::CleanProduct;
use crate::catalog::{
    MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_INGREDIENTS_CHARS, MAX_NAME_CHARS, MAX_REFERENCE_CHARS,
};
use crate::tabular::{is_blank, shown};

/// One product read from a row, checked and ready to be stored: the seller's code trimmed and
/// unique in the file regardless of case, texts with line breaks as `\n` (HTML in them is plain
/// text, the web layer escapes it), a piece when the unit cell is empty, on sale when the
/// availability cell is empty, `None` stock for unlimited, allergens sorted without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    /// The spreadsheet row it came from.
    pub row: usize,
    /// The product it holds.
    #[serde(flatten)]
    pub product: CleanProduct,
}

impl std::ops::Deref for ProductRow {
    type Target = CleanProduct;

    fn deref(&self) -> &CleanProduct {
        &self.product
    }
}

/// A product row that was not imported, and why.
pub type RefusedRow = crate::tabular::RefusedRow<RefusalReason>;

/// Why a row was refused. Values are kept as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RefusalReason {
    /// The reference cell is empty.
    MissingReference,
    /// The name cell is empty.
    MissingName,
    /// The price cell is empty.
    MissingPrice,
    /// A price that is not an amount in euros with at most two decimals.
    InvalidPrice {
        /// The value as written.
        value: String,
    },
    /// A price below zero.
    NegativePrice {
        /// The value as written.
        value: String,
    },
    /// A unit that is not understood.
    UnknownUnit {
        /// The value as written.
        value: String,
    },
    /// A stock that is not a whole number of zero or more.
    InvalidStock {
        /// The value as written.
        value: String,
    },
    /// A VAT rate that is not a percentage between 0 and [`MAX_VAT_BP`] basis points with at most
    /// two decimals.
    InvalidVat {
        /// The value as written.
        value: String,
    },
    /// An allergen that is not one of the fourteen.
    UnknownAllergen {
        /// The item as written (one item of the list).
        value: String,
    },
    /// An estimated weight that is not a whole number of grams above zero.
    InvalidWeight {
        /// The value as written.
        value: String,
    },
    /// A yes-or-no cell that holds something else.
    UnknownYesNo {
        /// The field ([`Field::as_str`]: "available", "organic"…).
        field: &'static str,
        /// The value as written.
        value: String,
    },
    /// The reference already appears higher in the file (compared regardless of case).
    DuplicateReference {
        /// The reference as written on this row.
        reference: String,
        /// The row where it first appears.
        first_row: usize,
    },
    /// A text longer than a product can hold.
    TooLong {
        /// The field ([`Field::as_str`]: "reference", "name"…).
        field: &'static str,
        /// The longest allowed, in characters.
        max: usize,
    },
}

/// The highest VAT rate accepted, in basis points: no rate is near 30 %, so more is a slip (and
/// "0,9" without a % sign, read as the fraction 90 %, is refused instead of guessed).
pub const MAX_VAT_BP: i64 = 3000;

/// What a table gave: the products that can be stored and the refused rows, both in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProductReport {
    /// The rows that can be stored.
    pub accepted: Vec<ProductRow>,
    /// The rows that cannot.
    pub refused: Vec<RefusedRow>,
}

/// How a field is named in French sentences.
pub(super) fn french_field_label(field: &str) -> &'static str {
    match field {
        "reference" => "la référence",
        "name" => "la désignation",
        "description" => "la description",
        "category" => "la catégorie",
        "ingredients" => "les ingrédients",
        "available" => "« disponible »",
        "sold_by_weight" => "« vendu au poids »",
        "organic" => "« bio »",
        "local_label" => "« label local »",
        _ => "ce champ",
    }
}

/// How a field is named in English sentences.
pub(super) fn english_field_label(field: &str) -> &'static str {
    match field {
        "reference" => "the reference",
        "name" => "the name",
        "description" => "the description",
        "category" => "the category",
        "ingredients" => "the ingredients",
        "available" => "\"available\"",
        "sold_by_weight" => "\"sold by weight\"",
        "organic" => "\"organic\"",
        "local_label" => "\"local label\"",
        _ => "this field",
    }
}

impl RefusalReason {
    /// French sentence for the person, e.g. "prix illisible : « gratuit »", "référence PAIN-01 déjà
    /// utilisée ligne 2".
    pub fn french(&self) -> String {
        match self {
            Self::MissingReference => "référence manquante".to_owned(),
            Self::MissingName => "désignation manquante".to_owned(),
            Self::MissingPrice => "prix manquant".to_owned(),
            Self::InvalidPrice { value } => format!("prix illisible : « {} »", shown(value)),
            Self::NegativePrice { value } => format!("prix négatif : {}", shown(value)),
            Self::UnknownUnit { value } => format!(
                "unité inconnue : « {} » (pièce, kg, 100 g, litre, botte, barquette, pot, bouteille, boîte \
                 ou part sont attendus)",
                shown(value)
            ),
            Self::InvalidStock { value } => format!("stock illisible : « {} »", shown(value)),
            Self::InvalidVat { value } => {
                format!("taux de TVA illisible : « {} » (par exemple 5,5 % ou 20 %)", shown(value))
            }
            Self::UnknownAllergen { value } => format!(
                "allergène inconnu : « {} » (gluten, crustacés, œufs, poisson, arachides, soja, lait, fruits \
                 à coque, céleri, moutarde, sésame, sulfites, lupin ou mollusques sont attendus)",
                shown(value)
            ),
            Self::InvalidWeight { value } => format!(
                "poids estimé illisible : « {} » (un nombre de grammes est attendu, par exemple 250)",
                shown(value)
            ),
            Self::UnknownYesNo { field, value } => {
                format!("oui ou non est attendu pour {} : « {} »", french_field_label(field), shown(value))
            }
            Self::DuplicateReference { reference, first_row } => {
                format!("référence {} déjà utilisée ligne {first_row}", shown(reference))
            }
            Self::TooLong { field, max } => {
                format!("texte trop long pour {} ({max} caractères au plus)", french_field_label(field))
            }
        }
    }

    /// English sentence for the person, e.g. "unreadable price: \"free\"", "reference PAIN-01
    /// already used on row 2".
    pub fn english(&self) -> String {
        match self {
            Self::MissingReference => "reference missing".to_owned(),
            Self::MissingName => "name missing".to_owned(),
            Self::MissingPrice => "price missing".to_owned(),
            Self::InvalidPrice { value } => format!("unreadable price: \"{}\"", shown(value)),
            Self::NegativePrice { value } => format!("negative price: {}", shown(value)),
            Self::UnknownUnit { value } => format!(
                "unknown unit: \"{}\" (piece, kg, 100 g, litre, bunch, tray, jar, bottle, box or portion are \
                 expected)",
                shown(value)
            ),
            Self::InvalidStock { value } => format!("unreadable stock: \"{}\"", shown(value)),
            Self::InvalidVat { value } => {
                format!("unreadable VAT rate: \"{}\" (for example 5.5 % or 20 %)", shown(value))
            }
            Self::UnknownAllergen { value } => format!(
                "unknown allergen: \"{}\" (gluten, crustaceans, eggs, fish, peanuts, soybeans, milk, nuts, \
                 celery, mustard, sesame, sulphites, lupin or molluscs are expected)",
                shown(value)
            ),
            Self::InvalidWeight { value } => format!(
                "unreadable estimated weight: \"{}\" (a number of grams is expected, for example 250)",
                shown(value)
            ),
            Self::UnknownYesNo { field, value } => {
                format!("yes or no is expected for {}: \"{}\"", english_field_label(field), shown(value))
            }
            Self::DuplicateReference { reference, first_row } => {
                format!("reference {} already used on row {first_row}", shown(reference))
            }
            Self::TooLong { field, max } => {
                format!("text too long for {} (at most {max} characters)", english_field_label(field))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows: checking
// ---------------------------------------------------------------------------------------------

/// Checks every row of the table with the mapping (see [`check_mapping`] first: with a field
/// mapped twice its leftmost column is read). Blank rows are skipped; a row is refused for the
/// first problem found; a reference already accepted higher in the file (regardless of case)
/// refuses the row, while a refused row does not block its corrected copy further down.
pub fn rows_to_products(table: &Table, mapping: &Mapping) -> ProductReport {
    let columns = Columns::new(mapping);
    let mut report = ProductReport::default();
    let mut first_row_of_reference: HashMap<String, usize> = HashMap::new();
    for (row, cells) in &table.rows {
        if is_blank(cells) {
            continue;
        }
        let row = *row;
        match read_product(row, cells, &columns) {
            Ok(product) => {
                let key = product.reference.to_lowercase();
                if let Some(&first_row) = first_row_of_reference.get(&key) {
                    let reason =
                        RefusalReason::DuplicateReference { reference: product.product.reference, first_row };
                    report.refused.push(RefusedRow { row, reason });
                } else {
                    first_row_of_reference.insert(key, row);
                    report.accepted.push(product);
                }
            }
            Err(reason) => report.refused.push(RefusedRow { row, reason }),
        }
    }
    report
}

/// The column that feeds each field (the leftmost when several do), by field index.
pub(super) struct Columns([Option<usize>; Field::ALL.len()]);

impl Columns {
    fn new(mapping: &Mapping) -> Self {
        let mut columns = [None; Field::ALL.len()];
        for (column, field) in mapping.iter().enumerate() {
            if let Some(field) = field {
                columns[*field as usize].get_or_insert(column);
            }
        }
        Self(columns)
    }

    /// The trimmed cell of a row for a field ("" when no column feeds it).
    fn cell<'row>(&self, cells: &'row [String], field: Field) -> &'row str {
        self.0[field as usize].and_then(|column| cells.get(column)).map_or("", |cell| cell.trim())
    }
}

/// One row checked; the first problem found refuses it.
fn read_product(row: usize, cells: &[String], columns: &Columns) -> Result<ProductRow, RefusalReason> {
    let cell = |field| columns.cell(cells, field);

    let reference = cell(Field::Reference);
    if reference.is_empty() {
        return Err(RefusalReason::MissingReference);
    }
    check_length(Field::Reference, reference, MAX_REFERENCE_CHARS)?;
    let name = cell(Field::Name);
    if name.is_empty() {
        return Err(RefusalReason::MissingName);
    }
    check_length(Field::Name, name, MAX_NAME_CHARS)?;
    let price_cents = parse_price(cell(Field::Price))?;
    let unit = parse_unit(cell(Field::Unit))?;
    let vat_rate_bp = parse_vat(cell(Field::VatRate))?;
    let stock = parse_stock(cell(Field::Stock))?;
    let available = parse_yes_no(Field::Available, cell(Field::Available), true)?;
    let sold_by_weight = parse_yes_no(Field::SoldByWeight, cell(Field::SoldByWeight), false)?;
    let estimated_weight_g = parse_weight(cell(Field::EstimatedWeight))?;
    let organic = parse_yes_no(Field::Organic, cell(Field::Organic), false)?;
    let local_label = parse_yes_no(Field::LocalLabel, cell(Field::LocalLabel), false)?;
    let allergens = parse_allergens(cell(Field::Allergens))?;
    let category = cell(Field::Category);
    check_length(Field::Category, category, MAX_CATEGORY_CHARS)?;
    let description = with_unix_line_breaks(cell(Field::Description));
    check_length(Field::Description, &description, MAX_DESCRIPTION_CHARS)?;
    let ingredients = with_unix_line_breaks(cell(Field::Ingredients));
    check_length(Field::Ingredients, &ingredients, MAX_INGREDIENTS_CHARS)?;

    Ok(ProductRow {
        row,
        product: CleanProduct {
            reference: reference.to_owned(),
            name: name.to_owned(),
            description,
            category: (!category.is_empty()).then(|| category.to_owned()),
            unit,
            price_cents,
            vat_rate_bp,
            stock,
            available,
            sold_by_weight,
            estimated_weight_g,
            organic,
            local_label,
            allergens,
            ingredients,
        },
    })
}

/// Refuses a text longer than `max` characters.
fn check_length(field: Field, value: &str, max: usize) -> Result<(), RefusalReason> {
    if value.chars().count() > max {
        Err(RefusalReason::TooLong { field: field.as_str(), max })
    } else {
        Ok(())
    }
}

fn with_unix_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}
