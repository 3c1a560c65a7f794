//! Export: products to CSV and XLSX in the import's layout, so that export → edit → import loses
//! nothing.

use crate::catalog::{Allergen, Unit};
use crate::tabular::{CsvWriter, ExportCell, XlsxSheet, write_xlsx};

/// A product as exported: the catalogue's checked product (the caller converts its stored products).
pub type ExportProduct = crate::catalog::CleanProduct;

/// The export's titles, in the order of [`Field::ALL`]; [`detect_mapping`] reads them back.
pub(super) const EXPORT_HEADERS: [&str; 15] = [
    "Référence",
    "Désignation",
    "Description",
    "Catégorie",
    "Unité",
    "Prix TTC",
    "TVA",
    "Stock",
    "Disponible",
    "Vendu au poids",
    "Poids estimé (g)",
    "Bio",
    "Label local",
    "Allergènes",
    "Ingrédients",
];

/// Column widths of the XLSX export, in characters.
pub(super) const EXPORT_COLUMN_WIDTHS: [f64; 15] =
    [14.0, 32.0, 40.0, 16.0, 10.0, 10.0, 8.0, 8.0, 11.0, 15.0, 16.0, 6.0, 12.0, 28.0, 40.0];

pub(super) fn export_cells(item: &ExportProduct) -> [ExportCell; 15] {
    let text = |value: &str| ExportCell::Text(value.to_owned());
    let yes_no = |value: bool| text(if value { "oui" } else { "non" });
    let optional = |value: Option<i64>, cell: fn(i64) -> ExportCell| value.map_or(ExportCell::Empty, cell);
    let allergens: Vec<&str> = item.allergens.iter().map(|allergen| french_allergen(*allergen)).collect();
    [
        text(&item.reference),
        text(&item.name),
        text(&item.description),
        text(item.category.as_deref().unwrap_or_default()),
        text(french_unit(item.unit)),
        ExportCell::Hundredths(item.price_cents),
        optional(item.vat_rate_bp, ExportCell::Percent),
        optional(item.stock, ExportCell::Count),
        yes_no(item.available),
        yes_no(item.sold_by_weight),
        optional(item.estimated_weight_g, ExportCell::Count),
        yes_no(item.organic),
        yes_no(item.local_label),
        ExportCell::Text(allergens.join(", ")),
        text(&item.ingredients),
    ]
}

/// The French word of a unit, as the import reads it back.
pub(super) fn french_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Piece => "pièce",
        Unit::Kg => "kg",
        Unit::Grams100 => "100 g",
        Unit::Litre => "litre",
        Unit::Bunch => "botte",
        Unit::Tray => "barquette",
        Unit::Jar => "pot",
        Unit::Bottle => "bouteille",
        Unit::Box => "boîte",
        Unit::Portion => "part",
    }
}

/// The French name of an allergen, as the import reads it back.
pub(super) fn french_allergen(allergen: Allergen) -> &'static str {
    match allergen {
        Allergen::Gluten => "gluten",
        Allergen::Crustaceans => "crustacés",
        Allergen::Eggs => "œufs",
        Allergen::Fish => "poisson",
        Allergen::Peanuts => "arachides",
        Allergen::Soybeans => "soja",
        Allergen::Milk => "lait",
        Allergen::Nuts => "fruits à coque",
        Allergen::Celery => "céleri",
        Allergen::Mustard => "moutarde",
        Allergen::Sesame => "sésame",
        Allergen::Sulphites => "sulfites",
        Allergen::Lupin => "lupin",
        Allergen::Molluscs => "mollusques",
    }
}

/// CSV as French Excel opens it with a double click: UTF-8 with BOM, `;` separator, CRLF line
/// ends, decimal comma, prices like "1,20" (no € sign, so Excel keeps a number), VAT like "5,5 %",
/// French titles (Référence;Désignation;Description;Catégorie;Unité;Prix TTC;TVA;Stock;Disponible;
/// Vendu au poids;Poids estimé (g);Bio;Label local;Allergènes;Ingrédients), units, yes/no and
/// allergens as French words. [`read_table`] reads it back without loss.
///
/// Every cell goes through the toolkit's formula guard ([`crate::tabular::guard_cell`]): a text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so that a
/// spreadsheet does not run it as a formula (plain numbers are left as they are); the import
/// removes that `'`.
pub fn products_to_csv(items: &[ExportProduct]) -> Vec<u8> {
    let mut csv = CsvWriter::with_bom(';');
    csv.write_row(EXPORT_HEADERS);
    for item in items {
        csv.write_cells(&export_cells(item));
    }
    csv.into_bytes()
}

/// XLSX with the same titles and columns as [`products_to_csv`]: prices as numbers formatted
/// "0.00", VAT as percentages (the cell holds 0.055 and shows 5.5 %), stock and weight as numbers
/// (empty when unlimited or unknown), the rest as text cells. Text cells are never formulas, so
/// they need no guard; only a text that starts with `'` and a trigger gets one more `'`, which the
/// import removes. The title row is bold and frozen.
///
/// # Errors
///
/// The XLSX writer's message, e.g. for a text longer than a cell holds (32,767 characters).
pub fn products_to_xlsx(items: &[ExportProduct]) -> Result<Vec<u8>, String> {
    let sheet =
        XlsxSheet { name: "Catalogue", headers: &EXPORT_HEADERS, column_widths: &EXPORT_COLUMN_WIDTHS };
    write_xlsx(&sheet, items.iter().map(export_cells))
}
