//! The catalogue: each business's products (price in cents, unit, stock, allergens, labels),
//! managed from the merchant's own spreadsheet, published on a public page and as DFC JSON-LD.

pub mod api;
pub mod dfc;
mod fetch;
pub mod http;
mod market;
mod product;
pub mod spreadsheet;
mod store;

pub use product::{
    CleanProduct, ImportOutcome, MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_INGREDIENTS_CHARS,
    MAX_NAME_CHARS, MAX_PHOTOS, MAX_REFERENCE_CHARS, Product, ProductInput, ProductPage, add_photo,
    all_products, categories, create, delete, duplicate, import_dfc, import_rows, import_table,
    import_upload, is_public, managed_business, managed_product, parse_price_cents, parse_stock, photo,
    public_business, read_dfc, remove_photo, search, set_available, update, validate,
};

pub use fetch::fetch_dfc;
pub use market::{
    Handover, MAX_PAGE as MAX_MARKET_PAGE, MarketItem, MarketPage, MarketQuery, MarketSort,
    market_categories, search_market,
};
use serde::{Deserialize, Serialize};
pub use store::{
    by_ids as products_by_ids, get as product_by_id, give_back_stock, purge_imports, take_stock,
};

/// The unit a price is given for (a closed list, mapped to the DFC measures).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Per piece.
    Piece,
    /// Per kilogram.
    Kg,
    /// Per 100 grams.
    #[serde(rename = "100g")]
    Grams100,
    /// Per litre.
    #[serde(rename = "l")]
    Litre,
    /// Per bunch.
    Bunch,
    /// Per tray (barquette).
    Tray,
    /// Per jar (pot).
    Jar,
    /// Per bottle.
    Bottle,
    /// Per box.
    Box,
    /// Per portion.
    Portion,
}

impl Unit {
    /// Every unit, in display order.
    pub const ALL: [Self; 10] = [
        Self::Piece,
        Self::Kg,
        Self::Grams100,
        Self::Litre,
        Self::Bunch,
        Self::Tray,
        Self::Jar,
        Self::Bottle,
        Self::Box,
        Self::Portion,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Piece => "piece",
            Self::Kg => "kg",
            Self::Grams100 => "100g",
            Self::Litre => "l",
            Self::Bunch => "bunch",
            Self::Tray => "tray",
            Self::Jar => "jar",
            Self::Bottle => "bottle",
            Self::Box => "box",
            Self::Portion => "portion",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == name)
    }

    /// The i18n key of "per <unit>".
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Piece => "catalog.unit.piece",
            Self::Kg => "catalog.unit.kg",
            Self::Grams100 => "catalog.unit.100g",
            Self::Litre => "catalog.unit.l",
            Self::Bunch => "catalog.unit.bunch",
            Self::Tray => "catalog.unit.tray",
            Self::Jar => "catalog.unit.jar",
            Self::Bottle => "catalog.unit.bottle",
            Self::Box => "catalog.unit.box",
            Self::Portion => "catalog.unit.portion",
        }
    }
}

/// The 14 allergens that EU distance selling of food must show before purchase.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Allergen {
    /// Cereals containing gluten.
    Gluten,
    /// Crustaceans.
    Crustaceans,
    /// Eggs.
    Eggs,
    /// Fish.
    Fish,
    /// Peanuts.
    Peanuts,
    /// Soybeans.
    Soybeans,
    /// Milk.
    Milk,
    /// Nuts.
    Nuts,
    /// Celery.
    Celery,
    /// Mustard.
    Mustard,
    /// Sesame.
    Sesame,
    /// Sulphites.
    Sulphites,
    /// Lupin.
    Lupin,
    /// Molluscs.
    Molluscs,
}

impl Allergen {
    /// All fourteen.
    pub const ALL: [Self; 14] = [
        Self::Gluten,
        Self::Crustaceans,
        Self::Eggs,
        Self::Fish,
        Self::Peanuts,
        Self::Soybeans,
        Self::Milk,
        Self::Nuts,
        Self::Celery,
        Self::Mustard,
        Self::Sesame,
        Self::Sulphites,
        Self::Lupin,
        Self::Molluscs,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gluten => "gluten",
            Self::Crustaceans => "crustaceans",
            Self::Eggs => "eggs",
            Self::Fish => "fish",
            Self::Peanuts => "peanuts",
            Self::Soybeans => "soybeans",
            Self::Milk => "milk",
            Self::Nuts => "nuts",
            Self::Celery => "celery",
            Self::Mustard => "mustard",
            Self::Sesame => "sesame",
            Self::Sulphites => "sulphites",
            Self::Lupin => "lupin",
            Self::Molluscs => "molluscs",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> String {
        format!("catalog.allergen.{}", self.as_str())
    }
}
