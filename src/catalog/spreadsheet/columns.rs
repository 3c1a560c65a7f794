//! Which column holds what: the product fields, the header words that name them, the mapping
//! guessed from a file's titles and the checks that keep a mapping from being used.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::tabular::fold_header;

/// A product field that a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The seller's own product code, unique in the file.
    Reference,
    /// The product's name (désignation).
    Name,
    /// Free text.
    Description,
    /// The shelf (rayon, famille).
    Category,
    /// The unit of sale.
    Unit,
    /// The price including VAT, per unit.
    Price,
    /// The VAT rate.
    VatRate,
    /// The units in stock (empty: unlimited).
    Stock,
    /// On sale or not.
    Available,
    /// Sold by weight: the price is confirmed when the order is prepared.
    SoldByWeight,
    /// The estimated weight of one piece, in grams.
    EstimatedWeight,
    /// Organic farming.
    Organic,
    /// Carries the territory's local label.
    LocalLabel,
    /// The allergens it contains.
    Allergens,
    /// The list of ingredients.
    Ingredients,
}

impl Field {
    /// Every field, in the order of the export's columns.
    pub const ALL: [Field; 15] = [
        Field::Reference,
        Field::Name,
        Field::Description,
        Field::Category,
        Field::Unit,
        Field::Price,
        Field::VatRate,
        Field::Stock,
        Field::Available,
        Field::SoldByWeight,
        Field::EstimatedWeight,
        Field::Organic,
        Field::LocalLabel,
        Field::Allergens,
        Field::Ingredients,
    ];

    /// The snake_case name (as serialised, and as a form's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Name => "name",
            Self::Description => "description",
            Self::Category => "category",
            Self::Unit => "unit",
            Self::Price => "price",
            Self::VatRate => "vat_rate",
            Self::Stock => "stock",
            Self::Available => "available",
            Self::SoldByWeight => "sold_by_weight",
            Self::EstimatedWeight => "estimated_weight",
            Self::Organic => "organic",
            Self::LocalLabel => "local_label",
            Self::Allergens => "allergens",
            Self::Ingredients => "ingredients",
        }
    }

    /// The field of a snake_case name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == name)
    }

    /// The i18n key of the field's label: "catalog.field.<name>".
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Reference => "catalog.field.reference",
            Self::Name => "catalog.field.name",
            Self::Description => "catalog.field.description",
            Self::Category => "catalog.field.category",
            Self::Unit => "catalog.field.unit",
            Self::Price => "catalog.field.price",
            Self::VatRate => "catalog.field.vat_rate",
            Self::Stock => "catalog.field.stock",
            Self::Available => "catalog.field.available",
            Self::SoldByWeight => "catalog.field.sold_by_weight",
            Self::EstimatedWeight => "catalog.field.estimated_weight",
            Self::Organic => "catalog.field.organic",
            Self::LocalLabel => "catalog.field.local_label",
            Self::Allergens => "catalog.field.allergens",
            Self::Ingredients => "catalog.field.ingredients",
        }
    }

    /// A product cannot be imported without it.
    pub fn is_required(self) -> bool {
        matches!(self, Self::Reference | Self::Name | Self::Price)
    }

    /// The headers that mean this field, folded (see [`fold_header`]), most specific first: when
    /// two columns mean the same field, the one whose header comes first here is used.
    pub(super) fn header_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Reference => &[
                "reference",
                "ref",
                "sku",
                "code article",
                "code produit",
                "reference produit",
                "reference article",
                "ref produit",
                "ref article",
                "code",
                "product code",
                "item code",
            ],
            Self::Name => &[
                "designation",
                "nom",
                "nom du produit",
                "nom produit",
                "produit",
                "libelle",
                "intitule",
                "article",
                "name",
                "product name",
                "product",
                "item",
            ],
            Self::Description => &["description", "descriptif", "description longue", "details"],
            Self::Category => &["categorie", "rayon", "famille", "category", "categorie produit"],
            Self::Unit => &["unite", "unite de vente", "unit", "conditionnement", "sales unit", "packaging"],
            Self::Price => &[
                "prix ttc",
                "prix de vente ttc",
                "prix unitaire ttc",
                "prix de vente",
                "prix unitaire",
                "prix",
                "tarif",
                "tarif ttc",
                "price",
                "unit price",
                "sale price",
                "price incl vat",
            ],
            Self::VatRate => &["tva", "taux tva", "taux de tva", "vat", "vat rate", "tax rate"],
            Self::Stock => {
                &["stock", "quantite", "qte", "quantite en stock", "stock disponible", "qty", "quantity"]
            }
            Self::Available => {
                &["disponible", "actif", "en vente", "available", "active", "on sale", "en ligne"]
            }
            Self::SoldByWeight => &["vendu au poids", "au poids", "by weight", "sold by weight"],
            Self::EstimatedWeight => &["poids estime", "poids", "weight", "estimated weight"],
            Self::Organic => &["bio", "ab", "organic", "agriculture biologique"],
            Self::LocalLabel => &["label local", "label", "local label"],
            Self::Allergens => &["allergenes", "allergens", "allergies"],
            Self::Ingredients => &["ingredients", "composition", "liste des ingredients"],
        }
    }

    /// The field a header means, with the alias's rank (0 = most specific).
    pub(super) fn recognise(header: &str) -> Option<(Self, usize)> {
        let folded = fold_header(header);
        Self::ALL.into_iter().find_map(|field| {
            field.header_aliases().iter().position(|alias| *alias == folded).map(|rank| (field, rank))
        })
    }
}

/// For each column of the table, the field it feeds (`None`: ignored).
pub type Mapping = Vec<Option<Field>>;

/// The i18n key of "this required field has no column" (`{field}` is the field's label).
pub const MAPPING_MISSING: &str = "catalog.mapping.missing";
/// The i18n key of "this field has two columns" (`{field}` is the field's label).
pub const MAPPING_TWICE: &str = "catalog.mapping.twice";

/// The mapping guessed from the titles, French or English, whatever their case, accents,
/// punctuation or a unit in brackets ("Prix TTC (€)"). When several columns mean the same field,
/// only the most specific title feeds it ("Prix TTC" rather than "Prix"; the leftmost on a tie), so
/// that the guess never maps a field twice.
pub fn detect_mapping(headers: &[String]) -> Mapping {
    let recognised: Vec<Option<(Field, usize)>> =
        headers.iter().map(|header| Field::recognise(header)).collect();
    let mut best_column: HashMap<Field, (usize, usize)> = HashMap::new();
    for (column, found) in recognised.iter().enumerate() {
        let Some((field, rank)) = *found else { continue };
        let best = best_column.entry(field).or_insert((rank, column));
        if rank < best.0 {
            *best = (rank, column);
        }
    }
    recognised
        .iter()
        .enumerate()
        .map(|(column, found)| {
            let (field, _) = (*found)?;
            (best_column.get(&field).map(|best| best.1) == Some(column)).then_some(field)
        })
        .collect()
}

/// What keeps a mapping from being used, as (field, i18n key): a field fed by two columns
/// ([`MAPPING_TWICE`]), a required field (reference, name, price) fed by none
/// ([`MAPPING_MISSING`]). In the order of [`Field::ALL`]; empty when the mapping is usable.
pub fn check_mapping(mapping: &Mapping) -> Vec<(Field, &'static str)> {
    Field::ALL
        .into_iter()
        .filter_map(|field| {
            let columns = mapping.iter().filter(|mapped| **mapped == Some(field)).count();
            if columns > 1 {
                Some((field, MAPPING_TWICE))
            } else if columns == 0 && field.is_required() {
                Some((field, MAPPING_MISSING))
            } else {
                None
            }
        })
        .collect()
}
