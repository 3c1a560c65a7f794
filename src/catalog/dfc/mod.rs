//! The catalogue in the Data Food Consortium (DFC) standard: a business's products written as DFC
//! JSON-LD, and a DFC catalogue read back into product inputs. Pure: no database, no HTTP.
//!
//! The JSON-LD has the shape the official connector (`@datafoodconsortium/connector`
//! 1.0.0-beta.2) exports, so that DFC platforms read it as they read each other: its context URL,
//! compact `dfc-b:`/`dfc-m:` names, literals written as strings, prices and quantities as anonymous
//! nodes, unlimited stock as `-1` (the DFC convention, also used by Open Food Network).
//! `tests/dfc/check.mjs` imports an export with the connector and compares.
//!
//! Units, mapped to the DFC measures taxonomy (`dfc-m:`), as the product's quantity:
//! piece → 1 `Piece`, kg → 1 `Kilogram`, 100g → 100 `Gram`, l → 1 `Litre`, bunch (botte) → 1
//! `Bunch`, tray (barquette) → 1 `Punnet` (the DFC's "barquette"; its `Tray` is a "plateau"),
//! jar (pot) → 1 `Jar`, bottle → 1 `Bottle`, box → 1 `Box`, portion → 1 `Piece` (the DFC has no
//! portion). Our own unit also travels in [`HALLE_UNIT`], so that portion comes back as portion;
//! other DFC quantities (500 g, a dozen, ...) are read as a piece sold at that price, and said so.
//!
//! Availability has no DFC property: an unavailable product's offer has a stock limitation of 0,
//! and [`HALLE_AVAILABLE`] on the catalog item says which of "sold out" and "not on sale" it is.
//! Prices are tax included, in euros, exact decimals from cents; the VAT rate is in percent.
//! Ingredients and free-text categories have no DFC literal: a category becomes a DFC product
//! type only when a word of it names one (`Pains` → bread); ingredients are not exported.

mod export;
mod import;
mod product_type;

use super::{Allergen, Unit};

pub use export::catalog_to_jsonld;
pub use import::{jsonld_to_catalog, jsonld_to_catalog_before};
pub use product_type::product_type;

/// The `@context` the connector's exporter writes (and its importer resolves without network).
pub const DFC_CONTEXT: &str =
    "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context_1.16.0.jsonld";
/// Halle's extension property on a `dfc-b:SuppliedProduct`: our unit's stored name ("portion").
pub const HALLE_UNIT: &str = "urn:halle:dfc:unit";
/// Halle's extension property on a `dfc-b:CatalogItem`: whether the product is on sale.
pub const HALLE_AVAILABLE: &str = "urn:halle:dfc:available";

/// What the catalogue exports about a business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcEnterprise {
    /// The business's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Plain-text description.
    pub description: String,
    /// Its public page.
    pub url: String,
}

/// What the catalogue exports about a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcProduct {
    /// The product's id (names its nodes).
    pub id: i64,
    /// The merchant's reference, exported as `dfc-b:sku`.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Plain-text description.
    pub description: String,
    /// The unit its price is for.
    pub unit: Unit,
    /// Price per unit, tax included, in cents.
    pub price_cents: i64,
    /// VAT rate in basis points (550 = 5.5 %).
    pub vat_rate_bp: Option<i64>,
    /// Units in stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Organic (exported as the EU organic certification).
    pub organic: bool,
    /// Allergens.
    pub allergens: Vec<Allergen>,
    /// Ingredients (no DFC literal for them: not exported).
    pub ingredients: String,
    /// The merchant's category, exported as a DFC product type when one fits.
    pub category: Option<String>,
}

/// The most nodes a catalogue may hold (items, products, offers, prices, quantities...): about
/// 4,000 products, far more than a local producer's catalogue, and a bound on the work a document
/// can ask of the server.
pub const MAX_NODES: usize = 20_000;

/// Why a document could not be read as a DFC catalogue.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DfcReadError {
    /// Not JSON-LD, or no DFC node in it (the French reason).
    #[error("{0}")]
    Unreadable(String),
    /// More than [`MAX_NODES`] nodes.
    #[error("more than {MAX_NODES} nodes")]
    TooManyNodes,
    /// The deadline passed before the reading was done.
    #[error("reading took too long")]
    TooSlow,
}

/// A DFC catalogue read back: the products found and, in French, what could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcImport {
    /// One per catalog item that has a product and a price.
    pub products: Vec<DfcImportedProduct>,
    /// One French sentence per node skipped or approximated, naming the node.
    pub problems: Vec<String>,
}

/// A product read from a DFC catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcImportedProduct {
    /// The `dfc-b:sku` (or, without one, the end of the product's address).
    pub reference: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Unit.
    pub unit: Unit,
    /// Price in cents.
    pub price_cents: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: Option<i64>,
    /// Stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Carries an organic certification.
    pub organic: bool,
}

/// Each unit as a DFC quantity: its DFC unit and how many of it. Piece comes before portion, so
/// that a DFC piece without our extension reads as a piece.
const UNITS: [(Unit, &str, i64); 10] = [
    (Unit::Piece, "dfc-m:Piece", 1),
    (Unit::Kg, "dfc-m:Kilogram", 1),
    (Unit::Grams100, "dfc-m:Gram", 100),
    (Unit::Litre, "dfc-m:Litre", 1),
    (Unit::Bunch, "dfc-m:Bunch", 1),
    (Unit::Tray, "dfc-m:Punnet", 1),
    (Unit::Jar, "dfc-m:Jar", 1),
    (Unit::Bottle, "dfc-m:Bottle", 1),
    (Unit::Box, "dfc-m:Box", 1),
    (Unit::Portion, "dfc-m:Piece", 1),
];

/// DFC units that other platforms may use for one of ours.
const UNIT_ALIASES: [(&str, Unit); 2] = [("dfc-m:Tray", Unit::Tray), ("dfc-m:Pot", Unit::Jar)];

/// The DFC allergen dimension of each allergen (ids as spelled in the measures taxonomy).
fn allergen_dimension(allergen: Allergen) -> &'static str {
    match allergen {
        Allergen::Gluten => "dfc-m:CerealsWithGluten",
        Allergen::Crustaceans => "dfc-m:Crustaceans",
        Allergen::Eggs => "dfc-m:Eggs",
        Allergen::Fish => "dfc-m:Fishs",
        Allergen::Peanuts => "dfc-m:Peanuts",
        Allergen::Soybeans => "dfc-m:Soy",
        Allergen::Milk => "dfc-m:LactoseMilks",
        Allergen::Nuts => "dfc-m:Nuts",
        Allergen::Celery => "dfc-m:Celeriac",
        Allergen::Mustard => "dfc-m:Mustard",
        Allergen::Sesame => "dfc-m:SesameSeeds",
        Allergen::Sulphites => "dfc-m:Sulphites",
        Allergen::Lupin => "dfc-m:Lupine",
        Allergen::Molluscs => "dfc-m:Molluscs",
    }
}

/// The certification an organic product carries on export.
const ORGANIC: &str = "dfc-f:Organic-EU";
/// Certifications read as organic: the DFC's organic labels and the biodynamic ones (which
/// require organic certification).
const ORGANIC_LABELS: [&str; 7] = [
    "dfc-f:OrganicLabel",
    "dfc-f:Organic-AB",
    "dfc-f:Organic-EU",
    "dfc-f:Organic-BioCoherence",
    "dfc-f:NatureEtProgres",
    "dfc-f:BiodynamicLabel",
    "dfc-f:Demeter",
];

#[cfg(test)]
mod tests;
